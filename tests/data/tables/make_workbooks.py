"""Regenerate the binary and specially encoded files of the table corpus.

Run from the repository root (needs openpyxl and pyarrow)::

    .venv/bin/python tests/data/tables/make_workbooks.py

It writes, beside itself:

* ``accounts_zh.xlsx``: a real workbook with Chinese headings; some amounts stored as
  numbers (whole, binary floats such as 348553.61, a formula's 8.799999999999999),
  others as text the way people paste them ("¥348,553.61", "(1,200)"); a date cell; a
  second sheet "2025" whose header sits below a blank row; a notes sheet.
* ``accounts.parquet``: decimal128, int64, float64, string and date32 columns.
* ``workbook_renamed.csv``: the workbook's bytes under a .csv name (refused).
* ``accounts_zh_bom.csv``: UTF-8 with a BOM and CRLF line ends (Excel's "CSV UTF-8").
* ``accounts_gbk.csv``: GBK, as Chinese Excel saves "CSV (comma delimited)" (refused).
* ``accounts_utf16.txt``: UTF-16 with a BOM, tab-delimited (Excel's "Unicode Text").

The content is fixed (the workbook's own dates too); a re-run changes at most the zip
timestamps inside the workbook.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADINGS = [
    "客户编号",
    "客户名称",
    "所属区域",
    "负责人",
    "合同量",
    "单价",
    "销售收入",
    "开票金额",
    "回款金额",
    "利润",
    "质量损失",
    "行业影响力",
    "商业信誉",
]

# the same three accounts as text, the way a "CSV UTF-8" export writes them
BOM_ROWS = [
    [
        "C001",
        "华东电力",
        "华东",
        "张伟",
        '"¥1,200,000.00"',
        "￥35.50",
        '"¥348,553.61"',
        '"¥400,000.00"',
        '"380,000.00"',
        '"￥45,000"',
        "0",
        "8",
        "4",
    ],
    [
        "C002",
        "西北重工",
        "西北",
        "李娜",
        '"500,000"',
        "12",
        '"1,000,000"',
        "900000",
        '"850,000"',
        '"120,000.5"',
        '"5,000"',
        "6",
        "3",
    ],
    [
        "C003",
        "华南机电",
        "华南",
        "王强",
        "￥2500000",
        "8.80",
        '"￥2,560,000.00"',
        '"2,600,000"',
        '"2,340,000"',
        '"320,000.00"',
        "0",
        "9",
        "5",
    ],
]


def _text_files() -> None:
    lines = [",".join(HEADINGS), *(",".join(r) for r in BOM_ROWS)]
    body = "\r\n".join(lines) + "\r\n"
    (HERE / "accounts_zh_bom.csv").write_bytes("\ufeff".encode() + body.encode("utf-8"))

    gbk = "account_id,name,sales_revenue\r\nA1,Acme,100\r\nA2,华东电力,200\r\n"
    (HERE / "accounts_gbk.csv").write_bytes(gbk.encode("gbk"))

    utf16 = (
        "客户编号\t客户名称\t销售额\t回款金额\r\n"
        "C001\t华东电力\t¥1,200,000.00\t¥1,000,000\r\n"
        "C002\t西北重工\t500,000\t450,000\r\n"
        "C003\t华南机电\t￥180,000\t180,000\r\n"
    )
    (HERE / "accounts_utf16.txt").write_bytes(utf16.encode("utf-16"))


def _workbook() -> None:
    import openpyxl  # imported here: an optional dependency

    book = openpyxl.Workbook()
    stamp = datetime(2026, 4, 1)  # noqa: DTZ001 - fixed, so the file is reproducible
    book.properties.created = stamp
    book.properties.modified = stamp
    ws = book.active
    assert ws is not None
    ws.title = "客户"
    ws.append([*HEADINGS, "更新日期"])
    # C001: every figure stored as a number (a whole number, binary floats)
    ws.append(
        [
            "C001",
            "华东电力",
            "华东",
            "张伟",
            9500000,
            35.5,
            48348553.61,
            40000000,
            39000000.0,
            4500000,
            0,
            9,
            5,
            datetime(2026, 3, 31),  # noqa: DTZ001 - a workbook date cell has no zone
        ]
    )
    # C002: the figures pasted as text, the way they are shown
    ws.append(
        [
            "C002",
            "西北重工",
            "西北",
            "李娜",
            "¥500,000.00",
            "￥12",
            "¥348,553.61",
            "900,000",
            "850,000",
            "(1,200)",
            "5,000",
            "6",
            "3",
            "2026年3月31日",
        ]
    )
    # C003: a mix, with an id padded by spaces, float noise and a blank date cell
    ws.append(
        [
            " C003 ",
            "华南机电",
            "华南",
            "王强",
            6000000,
            8.1 + 0.7,  # a formula's float noise: 8.799999999999999, which Excel shows as 8.8
            30560000.25,
            "26,000,000",
            23400000,
            "3,200,000.00",
            0,
            8,
            4,
            None,
        ]
    )
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=13):
        for cell in row:
            if isinstance(cell.value, int | float):
                cell.number_format = "#,##0.00"
    ws["N2"].number_format = "yyyy-mm-dd"

    old = book.create_sheet("2025")
    old.append([])  # a blank first row: the header is the first non-empty one
    old.append(["客户编号", "销售额", "回款金额"])
    old.append(["C001", 300000, "¥280,000"])
    old.append(["C002", "1,500,000", 1500000])

    notes = book.create_sheet("说明")
    notes.append(["本工作簿为测试数据"])
    book.save(HERE / "accounts_zh.xlsx")
    (HERE / "workbook_renamed.csv").write_bytes((HERE / "accounts_zh.xlsx").read_bytes())


def _parquet() -> None:
    import pyarrow as pa  # imported here: an optional dependency
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "account_id": pa.array(["P1", "P2", "P3"], pa.string()),
            "name": pa.array(["华东电力", "西北重工", None], pa.string()),
            "sales_revenue": pa.array(
                [Decimal("348553.61"), Decimal("1000000.00"), None], pa.decimal128(14, 2)
            ),
            "profit": pa.array(
                [Decimal("-1200.50"), Decimal("45000.00"), Decimal("0.00")], pa.decimal128(14, 2)
            ),
            "invoiced": pa.array([400000, 900000, 0], pa.int64()),
            "collected": pa.array([380000.5, 850000.0, None], pa.float64()),
            "updated": pa.array([date(2026, 3, 31), date(2026, 4, 5), None], pa.date32()),
        }
    )
    pq.write_table(table, HERE / "accounts.parquet", compression="NONE")


def main() -> None:
    """Write every generated file of the corpus."""
    _text_files()
    _workbook()
    _parquet()


if __name__ == "__main__":
    main()
