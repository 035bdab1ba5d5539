"""The columnar readers against the exact ones: same files, same figures, same problems.

:func:`read_accounts_frame` must read every file :func:`read_accounts` reads into the
floats nearest its exact decimals, and refuse every file it refuses with the same
problems; :func:`read_lines_frame` reads order lines in exact whole cents.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.errors import RecordInvalid, ValidationError
from kamcore.grading import FIGURES
from kamcore.tables import (
    MAX_PROBLEMS,
    ColumnMap,
    load_column_map,
    parse_number,
    read_accounts,
    read_accounts_frame,
    read_lines_frame,
    read_table,
)

pd = pytest.importorskip("pandas", reason="the columnar readers need pandas: kamcore[frames]")
pytest.importorskip("pyarrow", reason="the columnar readers need pyarrow: kamcore[frames]")

DATA = Path(__file__).parent / "data" / "tables"
SOURCE = "presets:columns_source"
LINES = "presets:columns_lines"
CORPUS = sorted(p.name for p in DATA.iterdir() if p.name.startswith("accounts"))


def _problems(call: object) -> list[str] | None:
    """The problems a reading raises, as text (``None`` when it reads)."""
    try:
        call()  # type: ignore[operator]
    except RecordInvalid as exc:
        return [str(e) for e in exc.errors]
    except ValidationError as exc:
        return [str(exc)]
    return None


def _same_as_exact(path: Path | str, **kwargs: object) -> Any:
    """Read ``path`` both ways; assert the same accounts, figures and kept text, or problems."""
    exact = _problems(lambda: read_accounts(path, **kwargs))  # type: ignore[arg-type]
    fast = _problems(lambda: read_accounts_frame(path, **kwargs))  # type: ignore[arg-type]
    assert fast == exact
    if exact is not None:
        return None
    rows = read_accounts(path, **kwargs)  # type: ignore[arg-type]
    frame = read_accounts_frame(path, **kwargs)  # type: ignore[arg-type]
    assert frame["account_id"].tolist() == [f.account_id for f in rows.facts]
    assert frame.attrs["figures"] == list(rows.figures)
    assert list(frame.columns) == ["account_id", *rows.keep, *rows.figures]
    for key in rows.keep:
        written = [k[key] if isinstance(k[key], str) else str(k[key]) for k in rows.kept]
        assert frame[key].tolist() == written
    for figure in rows.figures:
        assert frame[figure].dtype == "float64"
        for facts, value in zip(rows.facts, frame[figure].tolist(), strict=True):
            exact_value = facts.figure(figure)
            if exact_value is None:
                assert math.isnan(value)
            else:
                assert value == float(exact_value)
    return frame


@pytest.mark.parametrize("name", CORPUS)
@pytest.mark.parametrize("columns", [SOURCE, None])
def test_every_corpus_file_reads_as_the_exact_reader_reads_it(name: str, columns: str) -> None:
    _same_as_exact(DATA / name, columns=columns)


def test_the_chinese_corpus_file_reads_its_kept_columns_and_figures() -> None:
    frame = _same_as_exact(DATA / "accounts_zh_bom.csv", columns=SOURCE)
    assert frame is not None
    assert list(frame.columns)[:4] == ["account_id", "name", "region", "owner"]
    assert frame["account_id"].dtype == "str"


def test_a_table_read_already_is_read_the_same() -> None:
    table = read_table(DATA / "accounts_zh_bom.csv")
    _same_as_exact(table, columns=SOURCE)  # type: ignore[arg-type]


def _write(tmp_path: Path, text: str, name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_excel_style_cells_are_read_exactly(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "客户编号,销售收入,利润,开票金额,回款金额\n"
        'A1,"¥348,553.61","(1,200)",1.5万,"-¥1,234.56"\n'
        'A2,￥0.10,-0, 7 ,"¥ (5)"\n'
        "A3,,1200-,1.2亿,０.５\n",
    )
    frame = _same_as_exact(path, columns=SOURCE, extras=())
    assert frame is None  # collected is never negative: refused, as the exact reader does
    path = _write(
        tmp_path,
        "客户编号,销售收入,利润,开票金额\n"
        'A1,"¥348,553.61","(1,200)",1.5万\n'
        "A2,￥0.10,-0, 7 \n"
        "A3,,1200-,1.2亿\n",
    )
    frame = _same_as_exact(path, columns=SOURCE)
    assert frame is not None
    assert frame["sales_revenue"].tolist()[:2] == [348553.61, 0.1]
    assert math.isnan(frame["sales_revenue"].iloc[2])
    assert frame["profit"].tolist() == [-1200.0, 0.0, -1200.0]
    assert math.copysign(1, frame["profit"].iloc[1]) == 1  # -0 is 0
    assert frame["invoiced"].tolist() == [15000.0, 7.0, 120000000.0]


def test_a_unit_column_is_read_exactly_through_decimals(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,sales_revenue,collection_rate\nA,0.1,95%\nB,1.23456,0.5\n")
    cmap = ColumnMap(units={"sales_revenue": "万元"})
    frame = _same_as_exact(path, columns=cmap)
    assert frame is not None
    assert frame["sales_revenue"].tolist() == [1000.0, 12345.6]


_DIGITS = st.text("0123456789", min_size=1, max_size=17)


@st.composite
def _cells(draw: st.DrawFn) -> str:
    """A cell in one of the forms people type, or junk close to them."""
    whole_part = draw(_DIGITS)
    places = draw(st.sampled_from(["", ".", ".5", ".05", ".123456789012345678901234567890"]))
    number = whole_part + places
    if draw(st.booleans()) and len(whole_part) > 3:
        n = int(whole_part)
        number = f"{n:,}" + places
    form = draw(
        st.sampled_from(
            ["{}", "-{}", "¥{}", "￥{}", "-¥{}", "({})", "{}-", " {} ", "{}万", "{}%", "{}e3"]
        )
    )
    return draw(st.one_of(st.just(form.format(number)), st.sampled_from(["", " ", "N/A", "-"])))


@given(st.lists(_cells(), min_size=1, max_size=12))
def test_every_cell_form_reads_to_the_float_of_the_exact_decimal(cells: list[str]) -> None:
    import csv
    import io
    import tempfile

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["account_id", "profit"])
    writer.writerows([f"A{i}", cell] for i, cell in enumerate(cells))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cells.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        cmap = ColumnMap(suffixes=True)
        exact = _problems(lambda: read_accounts(path, columns=cmap))
        assert _problems(lambda: read_accounts_frame(path, columns=cmap)) == exact
        if exact is None:
            frame = read_accounts_frame(path, columns=cmap)
            for cell, value in zip(cells, frame["profit"].tolist(), strict=True):
                wanted = parse_number(cell, suffixes=True)
                assert (wanted is None and math.isnan(value)) or value == float(wanted or 0)


def test_every_problem_is_reported_at_once_as_the_exact_reader_words_it(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "客户编号,销售收入,利润,回款金额,质量损失\n"
        "A1,abc,1,1,\n"
        "A2,5,,-3,1\n"
        "A1,6,2,1,1\n"
        ",7,3,1,1.5e3\n"
        "A3,-8,4,1,1\n",
    )
    kwargs = {"columns": SOURCE, "complete": ["profit"], "require": ["invoiced"]}
    exact = _problems(lambda: read_accounts(path, **kwargs))  # type: ignore[arg-type]
    assert exact is not None
    with pytest.raises(RecordInvalid) as info:
        read_accounts_frame(path, **kwargs)  # type: ignore[arg-type]
    assert [str(e) for e in info.value.errors] == exact
    words = " | ".join(exact)
    for expected in (
        "no column for 'invoiced'",
        "a.csv line 2, column '销售收入': not a number (got 'abc')",
        "a.csv line 3, column '利润': blank",
        "a.csv line 3, column '回款金额': negative figure (got '-3')",
        "a.csv line 4, column '客户编号': repeats line 2 (got 'A1')",
        "a.csv line 5, column '客户编号': blank id",
        "scientific notation",
        "a.csv line 6, column '销售收入': negative figure (got '-8')",
    ):
        assert expected in words


def test_an_absent_column_names_the_closest_heading(tmp_path: Path) -> None:
    path = _write(tmp_path, "account_id,profits\nA,1\n")
    with pytest.raises(RecordInvalid) as info:
        read_accounts_frame(path, require=["profit"])
    assert "no column for 'profit'; did you mean 'profits'?" in str(info.value)
    assert _problems(lambda: read_accounts(path, require=["profit"])) == [
        str(e) for e in info.value.errors
    ]


def test_problems_stop_at_the_cap_as_the_exact_reader_stops(tmp_path: Path) -> None:
    rows = "".join(f"A{i},x{i},y{i}\n" for i in range(MAX_PROBLEMS + 20))
    path = _write(tmp_path, "account_id,profit,sales_revenue\n" + rows)
    exact = _problems(lambda: read_accounts(path))
    with pytest.raises(RecordInvalid) as info:
        read_accounts_frame(path)
    assert len(info.value.errors) == MAX_PROBLEMS + 1
    assert [str(e) for e in info.value.errors] == exact
    assert "stopped reading after 100 problems" in str(info.value.errors[-1])
    assert _problems(lambda: read_accounts_frame(path, max_problems=3)) == _problems(
        lambda: read_accounts(path, max_problems=3)
    )


def test_title_rows_blank_rows_and_line_breaks_in_cells_keep_the_lines(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '2026年一季度客户销售表\n\n客户编号,客户名称,利润\nA1,"two\nlines",1\n,,\nA2,x,bad\n',
    )
    assert _problems(lambda: read_accounts_frame(path, columns=SOURCE)) == _problems(
        lambda: read_accounts(path, columns=SOURCE)
    )
    with pytest.raises(RecordInvalid, match=r"a\.csv line 7, column '利润'"):
        read_accounts_frame(path, columns=SOURCE)
    path = _write(tmp_path, "标题\n客户编号,客户名称,利润\nA1,x,1\n\n ,\t,\nA2,y,2\n")
    frame = _same_as_exact(path, columns=SOURCE)
    assert frame is not None
    assert frame["account_id"].tolist() == ["A1", "A2"]


def test_a_ragged_or_misencoded_file_is_refused_as_read_table_refuses_it(tmp_path: Path) -> None:
    ragged = _write(tmp_path, "account_id,profit\nA,1\nB,2,3\n")
    with pytest.raises(RecordInvalid, match="malformed row: 3 cells under 2 headings"):
        read_accounts_frame(ragged)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("客户编号,利润\nA,1\n".encode("gbk"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        read_accounts_frame(gbk, columns=SOURCE)


def test_a_workbook_reads_as_the_exact_reader_reads_it(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="workbooks need openpyxl: kamcore[excel]")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户编号", "客户名称", "利润", "销售收入"])
    sheet.append(["A1", 123, 0.1 + 0.2, "¥1,200.50"])
    sheet.append(["A2", "乙", 5, None])
    book.save(tmp_path / "a.xlsx")
    frame = _same_as_exact(tmp_path / "a.xlsx", columns=SOURCE)
    assert frame is not None
    assert frame["name"].tolist() == ["123", "乙"]
    assert frame["profit"].tolist() == [0.3, 5.0]


def test_bad_arguments_are_refused_with_what_would_be_read() -> None:
    with pytest.raises(ValidationError, match="source"):
        read_accounts_frame(42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="no such file"):
        read_accounts_frame("no/such/file.csv")
    with pytest.raises(ValidationError, match="extras"):
        read_accounts_frame(DATA / "accounts.tsv", extras=["sales revenue"])
    with pytest.raises(ValidationError, match="period"):
        read_lines_frame(DATA / "accounts.tsv", period=(date(2026, 5, 1), date(2026, 4, 1)))
    with pytest.raises(ValidationError, match="period"):
        read_lines_frame(DATA / "accounts.tsv", period="2026")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="places"):
        read_lines_frame(DATA / "accounts.tsv", places=7)


# -- order lines ----------------------------------------------------------------------


def test_the_lines_preset_is_a_column_map_naming_the_line_fields() -> None:
    cmap = load_column_map(LINES)
    assert "订单日期" in cmap.headings("order_date")
    assert "金额" in cmap.headings("sales_revenue")
    assert "Quantity" in cmap.headings("quantity")


def test_lines_read_amounts_in_exact_cents_and_dates_in_every_form(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "客户编号,订单编号,订单日期,金额,开票金额,毛利,数量\n"
        'A1,O1,2026-04-05,"¥348,553.61",,1,2\n'
        "A1,O2,2026/4/5,(1.5),1.5万,-0.01,\n"
        "A2,O3,2026年4月5日,-3,0.1,,1.5\n"
        "A3,O4,20260405, 7 ,１２,2.50,3\n"
        "A3,O5,2026.4.5 00:00,0.10,1.234万,0,0\n",
    )
    frame = read_lines_frame(path, columns=LINES)
    assert frame["sales_revenue"].tolist() == [34855361, -150, -300, 700, 10]
    assert frame["invoiced"].tolist() == [0, 1500000, 10, 1200, 1234000]
    assert frame["profit"].tolist() == [100, -1, 0, 250, 0]
    assert str(frame["sales_revenue"].dtype) == "int64"
    assert str(frame["order_date"].dtype).startswith("datetime64[")
    assert {d.date() for d in frame["order_date"]} == {date(2026, 4, 5)}
    assert frame["quantity"].tolist()[:1] == [2.0]
    assert math.isnan(frame["quantity"].iloc[1])
    assert frame["order_id"].tolist() == ["O1", "O2", "O3", "O4", "O5"]
    assert frame.attrs == {
        "dropped": 0,
        "amounts": ["sales_revenue", "invoiced", "profit"],
        "places": 2,
    }


def test_a_period_leaves_out_the_lines_outside_it_and_counts_them(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "客户编号,订单日期,金额\nA,2026-03-31,1\nA,2026-04-01,2\nB,2026-04-30,3\nB,2026-05-01,4\n",
    )
    frame = read_lines_frame(path, columns=LINES, period=(date(2026, 4, 1), date(2026, 4, 30)))
    assert frame["sales_revenue"].tolist() == [200, 300]
    assert frame["account_id"].tolist() == ["A", "B"]
    assert frame.attrs["dropped"] == 2
    assert list(frame.index) == [0, 1]


def test_lines_report_every_problem_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "客户编号,订单日期,金额,开票金额\n"
        "A1,2026-02-30,1.234,1\n"
        "A2,,5,0.001\n"
        ",2026-01-01,x,\n"
        "A3,2026-01-02,,1\n"
        "A4,2026,1,1\n",
    )
    with pytest.raises(RecordInvalid) as info:
        read_lines_frame(path, columns=LINES)
    assert [str(e) for e in info.value.errors] == [
        (
            "a.csv line 2, column '订单日期': no such day (got '2026-02-30'); expected a date such "
            "as 2026-04-05, 2026/4/5 or 2026年4月5日"
        ),
        (
            "a.csv line 2, column '金额': more than 2 decimal places (a fraction of a cent) (got "
            "'1.234'); expected an amount in whole cents, at most 2 places after the point, such "
            "as 1,234.56"
        ),
        "a.csv line 3, column '订单日期': blank; expected the order's date, on every line",
        (
            "a.csv line 3, column '开票金额': more than 2 decimal places (a fraction of a cent) "
            "(got '0.001'); expected an amount in whole cents, at most 2 places after the point, "
            "such as 1,234.56"
        ),
        "a.csv line 4, column '客户编号': blank id; expected an id in every row",
        (
            "a.csv line 4, column '金额': not a number (got 'x'); expected an amount such as "
            "1234.56, 1,234.56, ¥1,234.56 or (1,234.56)"
        ),
        "a.csv line 5, column '金额': blank; expected an amount on every line (0 for none)",
        (
            "a.csv line 6, column '订单日期': a year, not a date (got '2026'); "
            "expected a date such as 2026-04-05, 2026/4/5 or 2026年4月5日"
        ),
    ]


def test_lines_without_the_required_columns_name_each_absent_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "客户编号,金额s\nA,1\n")
    with pytest.raises(RecordInvalid) as info:
        read_lines_frame(path, columns=LINES)
    words = str(info.value)
    assert "no column for 'order_date'" in words
    assert "no column for 'sales_revenue'" in words


def test_trailing_zeros_past_the_cents_are_whole_cents_and_places_is_the_unit(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "客户编号,订单日期,金额\nA,2026-04-05,1.500\nA,2026-04-05,2\n")
    assert read_lines_frame(path, columns=LINES)["sales_revenue"].tolist() == [150, 200]
    assert read_lines_frame(path, columns=LINES, places=3)["sales_revenue"].tolist() == [
        1500,
        2000,
    ]
    with pytest.raises(RecordInvalid, match="more than 0 decimal places"):
        read_lines_frame(path, columns=LINES, places=0)


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_any_amount_in_cents_reads_exactly(amount: Decimal) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        text = f'客户编号,订单日期,金额\nA,2026-04-05,"{amount:,}"\nB,2026-04-05,{amount}\n'
        path = _write(Path(tmp), text)
        cents = int(amount * 100)
        assert read_lines_frame(path, columns=LINES)["sales_revenue"].tolist() == [cents, cents]


def test_a_workbook_of_lines_reads_excel_dates_and_day_numbers(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl", reason="workbooks need openpyxl: kamcore[excel]")
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户编号", "订单日期", "金额"])
    sheet.append(["A", datetime(2026, 4, 5), 348553.61])  # noqa: DTZ001 - a day
    sheet.append(["B", 46117, "¥1,200.50"])  # Excel's day number for 2026-04-05
    sheet.append(["C", "2026年4月6日", 3])
    book.save(tmp_path / "lines.xlsx")
    frame = read_lines_frame(tmp_path / "lines.xlsx", columns=LINES)
    assert [d.date() for d in frame["order_date"]] == [
        date(2026, 4, 5),
        date(2026, 4, 5),
        date(2026, 4, 6),
    ]
    assert frame["sales_revenue"].tolist() == [34855361, 120050, 300]


def test_the_figures_columns_of_a_frame_are_in_figures_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,profit,sales_revenue,referrals\nA,1,2,3\n")
    frame = read_accounts_frame(path, extras=["referrals"])
    order = [f for f in FIGURES if f in ("profit", "sales_revenue")]
    assert list(frame.columns) == ["account_id", *order, "referrals"]
    assert frame["referrals"].tolist() == [3.0]
