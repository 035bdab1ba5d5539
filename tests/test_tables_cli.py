"""The kamcore command over the messy-table corpus (tests/data/tables/).

Each test runs ``kamcore.cli.main`` as the shell would and checks exactly what it
prints, writes, or refuses: one stderr line per problem, exit status 2 and no output
file on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kamcore.cli import main

DATA = Path(__file__).parent / "data" / "tables"
WORKBOOK = str(DATA / "accounts_zh.xlsx")
SOURCE = "presets:columns_source"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own exits (usage errors)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def sheets(path: Path) -> dict[str, list[list[object]]]:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


# -- grade --------------------------------------------------------------------------------


def test_grade_reads_the_chinese_workbook_through_the_source_map_keeping_its_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("openpyxl")
    assert run_json(capsys, "grade", WORKBOOK, "--columns", SOURCE) == [
        {
            "account_id": "C001",
            "name": "华东电力",
            "region": "华东",
            "owner": "张伟",
            "score": "98.25",
            "grade": "A",
            "abc": "A",
        },
        {
            "account_id": "C002",
            "name": "西北重工",
            "region": "西北",
            "owner": "李娜",
            "score": "52.93",
            "grade": "D",
            "abc": "C",
        },
        {
            "account_id": "C003",
            "name": "华南机电",
            "region": "华南",
            "owner": "王强",
            "score": "70.30",
            "grade": "B",
            "abc": "A",
        },
    ]


def test_grade_keeps_the_columns_named_by_keep_and_a_date_cell_as_its_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("openpyxl")
    argv = ["grade", WORKBOOK, "--columns", SOURCE, "--keep", "客户名称,更新日期", "--abc", "none"]
    assert run_json(capsys, *argv) == [
        {
            "account_id": "C001",
            "name": "华东电力",
            "更新日期": "2026-03-31",
            "score": "98.25",
            "grade": "A",
        },
        {
            "account_id": "C002",
            "name": "西北重工",
            "更新日期": "2026年3月31日",
            "score": "52.93",
            "grade": "D",
        },
        {
            "account_id": "C003",
            "name": "华南机电",
            "更新日期": "",
            "score": "70.30",
            "grade": "B",
        },
    ]


def test_grade_in_chinese_translates_grades_and_classes_but_not_json_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("openpyxl")
    rows = run_json(capsys, "grade", WORKBOOK, "--columns", SOURCE, "--lang", "zh")
    assert [(r["account_id"], r["grade"], r["abc"]) for r in rows] == [
        ("C001", "A级", "A类"),
        ("C002", "D级", "C类"),
        ("C003", "B级", "A类"),
    ]
    assert list(rows[0]) == ["account_id", "name", "region", "owner", "score", "grade", "abc"]


def test_grade_in_chinese_shows_the_files_own_headings_in_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("openpyxl")
    code, out, err = run(capsys, "grade", WORKBOOK, "--columns", SOURCE, "--lang", "zh")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["客户", "客户名称", "所属区域", "负责人", "得分", "等级", "ABC类"]
    assert lines[2].split() == ["C001", "华东电力", "华东", "张伟", "98.25", "A级", "A类"]


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("some.csv", ["--format", "csv"]),
        ("some.xlsx", ["--format", "xlsx"]),
        ("some.json", ["--format", "json", "--lang", "zh"]),
    ],
)
def test_three_bad_cells_and_a_missing_column_print_four_lines_and_write_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, options: list[str]
) -> None:
    argv = ["grade", str(DATA / "accounts_four_problems.csv"), "--out", str(tmp_path / name)]
    code, stdout, err = run(capsys, *argv, *options)
    assert code == 2
    assert stdout == ""
    bad = "kamcore: error: accounts_four_problems.csv"
    amount = "expected an amount such as 1234.56, 1,234.56, ¥1,234.56 or (1,234.56)"
    assert err.splitlines() == [
        (
            f"{bad} header: no column for 'quality_losses'; expected a column "
            "headed 'quality_losses', or a column map that names yours "
            "([columns] quality_losses = [...])"
        ),
        (
            f"{bad} line 3, column 'unit_price': not a number (a blank is an "
            f"empty cell, not a dash or N/A) (got 'N/A'); {amount}"
        ),
        (
            f"{bad} line 4, column 'sales_revenue': scientific notation, which "
            f"may have lost digits (got '1.5e6'); {amount}; widen the column in Excel or format "
            "it as a number before saving"
        ),
        (
            f"{bad} line 5, column 'invoiced': a 万 suffix, which this column "
            f"map does not read (got '12万'); {amount}; set 'suffixes = true' in the column map "
            "to read 万/亿"
        ),
    ]
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one beside it


def test_grade_writes_a_workbook_with_a_sheet_per_view_and_numbers_as_numbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "grades.xlsx"
    code, out, err = run(
        capsys, "grade", WORKBOOK, "--columns", SOURCE, "--format", "xlsx", "--out", str(path)
    )
    assert (code, out, err) == (0, "", "")
    book = sheets(path)
    assert list(book) == ["grades", "abc classes"]
    assert book["grades"] == [
        ["account", "name", "region", "owner", "score", "grade", "ABC"],
        ["C001", "华东电力", "华东", "张伟", 98.25, "A", "A"],
        ["C002", "西北重工", "西北", "李娜", 52.93, "D", "C"],
        ["C003", "华南机电", "华南", "王强", 70.30, "B", "A"],
    ]
    assert book["abc classes"][0] == [
        "class",
        "accounts",
        "share of accounts",
        "measure",
        "share of measure",
    ]
    assert [r[:2] for r in book["abc classes"][1:]] == [["A", 2], ["B", 0], ["C", 1]]


def test_grade_writes_a_chinese_workbook_with_the_files_headings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "等级.xlsx"
    argv = ["--format", "xlsx", "--out", str(path), "--lang", "zh"]
    code, _, err = run(capsys, "grade", WORKBOOK, "--columns", SOURCE, *argv)
    assert code == 0, err
    book = sheets(path)
    assert book["grades"][0] == ["客户", "客户名称", "所属区域", "负责人", "得分", "等级", "ABC类"]
    assert book["grades"][1] == ["C001", "华东电力", "华东", "张伟", 98.25, "A级", "A类"]
    assert book["abc classes"][0] == ["类别", "客户数", "客户占比", "指标合计", "指标占比"]
    assert book["abc classes"][1] == ["A类", 2, 0.6667, 78908553.86, 0.9956]


def test_grade_csv_with_bom_starts_with_the_bom_on_screen_and_in_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["grade", str(DATA / "accounts_zh_bom.csv"), "--columns", SOURCE, "--format", "csv"]
    code, out, err = run(capsys, *argv, "--bom")
    assert code == 0, err
    assert out.startswith("\ufeffaccount_id,name,region,owner,score,grade,abc\n")
    path = tmp_path / "grades.csv"
    code, out, err = run(capsys, *argv, "--bom", "--out", str(path))
    assert (code, out, err) == (0, "", "")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfaccount_id,")
    code, out, _ = run(capsys, *argv)
    assert out.startswith("account_id,")


def test_a_gbk_file_is_refused_on_one_line_asking_to_resave_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "grade", str(DATA / "accounts_gbk.csv"))
    assert (code, out) == (2, "")
    assert err == (
        "kamcore: error: accounts_gbk.csv line 3: not UTF-8 (byte 0xbb; GBK or another local "
        'encoding?); expected UTF-8 text: re-save it as UTF-8 (Excel: "CSV UTF-8"; a UTF-8 '
        "BOM is fine)\n"
    )


def test_misspelt_headings_get_a_did_you_mean_on_their_own_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "grade", str(DATA / "accounts_misspelt.csv"))
    assert (code, out) == (2, "")
    hints = [line for line in err.splitlines() if "did you mean" in line]
    prefix = "kamcore: error: accounts_misspelt.csv header: "
    assert [h.removeprefix(prefix).split("; ")[:2] for h in hints] == [
        ["no column for 'sales_revenue'", "did you mean 'sales revenu'?"],
        ["no column for 'profit'", "did you mean 'profits'?"],
    ]
    assert all(line.startswith("kamcore: error: ") for line in err.splitlines())


def test_a_missing_sheet_is_one_line_listing_the_sheets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("openpyxl")
    code, out, err = run(capsys, "grade", WORKBOOK, "--sheet", "2024")
    assert (code, out) == (2, "")
    assert err == (
        "kamcore: error: accounts_zh.xlsx: no sheet named '2024'; "
        "expected one of: 客户, 2025, 说明\n"
    )


# -- pareto -------------------------------------------------------------------------------


def test_pareto_by_a_chinese_heading_classifies_with_the_kept_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["pareto", str(DATA / "accounts_zh_bom.csv"), "--columns", SOURCE, "--by", "销售收入"]
    rows = run_json(capsys, *argv, "--view", "accounts", "--keep", "客户名称")
    assert rows == [
        {
            "account_id": "C003",
            "name": "华南机电",
            "measure": "2560000.00",
            "rank": 1,
            "cumulative_share": "0.6550",
            "class": "A",
        },
        {
            "account_id": "C002",
            "name": "西北重工",
            "measure": "1000000",
            "rank": 2,
            "cumulative_share": "0.9108",
            "class": "A",
        },
        {
            "account_id": "C001",
            "name": "华东电力",
            "measure": "348553.61",
            "rank": 3,
            "cumulative_share": "1.0000",
            "class": "B",
        },
    ]


def test_pareto_leaves_blank_measures_out_and_names_them_on_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["pareto", str(DATA / "accounts_blanks.csv"), "--by", "sales_revenue"]
    code, out, err = run(capsys, *argv, "--view", "accounts", "--format", "csv")
    assert code == 0
    assert out.splitlines() == [
        "account_id,measure,rank,cumulative_share,class",
        "B2,2000,1,0.6667,A",
        "B1,1000,2,1.0000,A",
    ]
    assert err == (
        "kamcore: note: 1 account(s) with a blank sales_revenue (a missing figure) are not "
        "classified: B3\n"
    )


# -- rebate -------------------------------------------------------------------------------


def test_rebate_quotes_every_row_of_a_file_with_yuan_marks_and_wan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["rebate", str(DATA / "rebate_sales.csv"), "--columns", SOURCE]
    code, out, err = run(
        capsys, *argv, "--sales", "sales_revenue", "--collected", "collected", "--format", "csv"
    )
    assert code == 0, err
    assert out.splitlines() == [
        (
            "account_id,name,region,tier,rate,basis,base,rebate,currency,mode,to_next_tier,"
            "rebate_at_next_tier"
        ),
        'K001,华东电力,华东,"1,000,000+",0.10,1200000.00,1000000,100000.00,CNY,whole_amount,,',
        (
            'K002,西北重工,西北,"200,000–1,000,000",0.08,500000,450000,36000.00,CNY,whole_amount,'
            "500000,95000.00"
        ),
        # 200,000 belongs to the higher tier (the preset's documented decision)
        (
            'K003,华南机电,华南,"200,000–1,000,000",0.08,200000,180000.00,14400.00,CNY,'
            "whole_amount,800000,98000.00"
        ),
        (
            'K004,北方建材,华北,"0–200,000",0.05,199999.99,150000,7500.00,CNY,whole_amount,0.01,'
            "12000.00"
        ),
    ]


def test_rebate_over_a_utf16_export_names_its_columns_by_heading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["rebate", str(DATA / "accounts_utf16.txt"), "--id", "客户编号", "--keep", "客户名称"]
    rows = run_json(capsys, *argv, "--sales", "销售额", "--collected", "回款金额")
    # without a column map a kept column keeps its heading as its key
    assert [(r["account_id"], r["客户名称"], r["rate"], r["rebate"]) for r in rows] == [
        ("C001", "华东电力", "0.10", "100000.00"),
        ("C002", "西北重工", "0.08", "36000.00"),
        ("C003", "华南机电", "0.05", "9000.00"),
    ]


def test_rebate_in_chinese_translates_the_mode_but_not_json_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["rebate", str(DATA / "rebate_sales.csv"), "--columns", SOURCE, "--lang", "zh"]
    rows = run_json(capsys, *argv)
    assert {r["mode"] for r in rows} == {"全额累进"}
    assert list(rows[0]) == [
        "account_id",
        "name",
        "region",
        "tier",
        "rate",
        "basis",
        "base",
        "rebate",
        "currency",
        "mode",
        "to_next_tier",
        "rebate_at_next_tier",
    ]


def test_rebate_refuses_blank_amounts_naming_each_cell(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rebate", str(DATA / "accounts_blanks.csv"), "--collected", "collected"]
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        (
            "kamcore: error: accounts_blanks.csv line 4, column 'sales_revenue': blank; "
            "expected an amount"
        ),
        "kamcore: error: accounts_blanks.csv line 4, column 'collected': blank; expected an amount",
    ]


# -- forecast -----------------------------------------------------------------------------

OPPORTUNITIES = str(DATA / "opportunities_mixed.csv")


def test_forecast_reads_mixed_stage_labels_and_counts_closed_rows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = run_json(capsys, "forecast", OPPORTUNITIES, "--columns", SOURCE)
    assert rows == [
        # 客户开发 200,000 + Project Initiation 450,000.00
        {"category": "pipeline", "count": 2, "amount": "650000.00", "cumulative": "3450000.00"},
        {"category": "best_case", "count": 0, "amount": "0", "cumulative": "2800000"},
        # BIDDING
        {"category": "commit", "count": 1, "amount": "300000", "cumulative": "2800000"},
        # 工程实施 + Implementation + WON AND DELIVERED
        {"category": "closed", "count": 3, "amount": "2500000", "cumulative": "2500000"},
        # 丢标结项
        {"category": "omitted", "count": 1, "amount": "1000", "cumulative": None},
    ]


def test_forecast_in_chinese_translates_categories_but_not_json_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = run_json(capsys, "forecast", OPPORTUNITIES, "--columns", SOURCE, "--lang", "zh")
    assert [r["category"] for r in rows] == ["管道", "最佳情况", "承诺", "已成交", "不计入"]
    assert all(list(r) == ["category", "count", "amount", "cumulative"] for r in rows)


def test_forecast_weights_open_opportunities_by_owner(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = run_json(capsys, "forecast", OPPORTUNITIES, "--columns", SOURCE, "--view", "owners")
    assert rows == [
        {"owner": "张伟", "count": 3, "amount": "1950000.00", "weighted": "1470000.00"},
        {"owner": "李娜", "count": 1, "amount": "500000", "weighted": "500000.00"},
        {"owner": "王强", "count": 1, "amount": "200000", "weighted": "20000.00"},
    ]


def test_forecast_lists_stale_opportunities_with_stage_names_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["forecast", OPPORTUNITIES, "--columns", SOURCE, "--view", "stale"]
    rows = run_json(capsys, *argv, "--as-of", "2026-05-01", "--lang", "zh")
    assert rows == [
        {
            "opportunity": "P6",
            "name": "中原物流",
            "owner": "王强",
            "stage": "客户开发",
            "days": 89,
            "limit": 60,
            "over": 29,
        },
        {
            "opportunity": "P7",
            "name": "西南能源",
            "owner": "张伟",
            "stage": "立项",
            "days": 52,
            "limit": 30,
            "over": 22,
        },
        {
            "opportunity": "P3",
            "name": "华南机电",
            "owner": "张伟",
            "stage": "招投标",
            "days": 61,
            "limit": 60,
            "over": 1,
        },
    ]
    code, out, _ = run(capsys, *argv, "--as-of", "2026-05-01", "--format", "csv")
    assert code == 0
    assert [line.split(",")[3] for line in out.splitlines()] == [
        "stage",
        "development",
        "initiation",
        "bidding",
    ]


def test_forecast_writes_every_view_as_a_sheet_in_chinese(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "forecast.xlsx"
    argv = ["forecast", OPPORTUNITIES, "--columns", SOURCE, "--as-of", "2026-05-01"]
    code, _, err = run(capsys, *argv, "--format", "xlsx", "--out", str(path), "--lang", "zh")
    assert code == 0, err
    book = sheets(path)
    assert list(book) == ["categories", "owners", "stale"]
    assert book["categories"][0] == ["预测类别", "数量", "金额", "累计"]
    assert book["categories"][1] == ["管道", 2, 650000, 3450000]
    assert book["stale"][0] == [
        "机会",
        "客户名称",
        "负责人",
        "阶段",
        "停留天数",
        "上限",
        "超期天数",
    ]
    assert book["stale"][1] == ["P6", "中原物流", "王强", "客户开发", 89, 60, 29]


# -- what the model needs ------------------------------------------------------------------


def test_grade_names_each_blank_figure_the_default_scorecard_refuses(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "book.csv"
    path.write_text(
        "id,contract_volume,unit_price,sales_revenue,invoiced,collected,profit,"
        "quality_losses,industry_influence,business_reputation\n"
        "A1,100,5,1000,100,90,10,0,5,3\n"
        "A2,,5,1000,100,90,10,0,5,3\n"
        "A3,100,5,1000,100,90,10,0,5,\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "grade", str(path), "--out", str(tmp_path / "g.csv"))
    assert code == 2
    assert out == ""
    expected = "expected a figure: the scoring model refuses a missing one"
    assert err.splitlines() == [
        f"kamcore: error: book.csv line 3, column 'contract_volume': blank; {expected}",
        f"kamcore: error: book.csv line 4, column 'business_reputation': blank; {expected}",
    ]
    assert not (tmp_path / "g.csv").exists()


@pytest.mark.parametrize(
    ("header", "line"),
    [
        (
            "客户编号,销售收入,销售额",
            (
                "columns 2 and 3 both hold 'sales_revenue' (got ['销售收入', '销售额']); "
                "expected one column for 'sales_revenue'; rename or remove one of them"
            ),
        ),
        (
            "客户编号,销售额,销售额 ",
            (
                "columns 2 and 3 are both headed so (got '销售额'); "
                "expected one column for 'sales_revenue'; rename or remove one of them"
            ),
        ),
    ],
)
def test_two_columns_for_one_field_are_refused_not_guessed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, header: str, line: str
) -> None:
    path = tmp_path / "two.csv"
    path.write_text(f"{header}\nKH1,1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "pareto", str(path), "--by", "sales_revenue", "--columns", SOURCE)
    assert code == 2
    assert err == f"kamcore: error: two.csv header: {line}\n"
