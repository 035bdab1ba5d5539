"""kamcore.tables against a corpus of messy company files (tests/data/tables/).

Each corpus file is read through the public API and compared with exactly what it
holds: every figure as an exact Decimal, every kept column, or the full list of
problems (file, line, column, the cell, and what would be read).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.errors import RecordInvalid, ValidationError
from kamcore.grading import FIGURES, AccountFacts
from kamcore.presets import load_preset
from kamcore.tables import (
    ColumnMap,
    Table,
    Unit,
    fold,
    load_column_map,
    parse_date,
    parse_number,
    read_accounts,
    read_amounts,
    read_opportunities,
    read_table,
    stage_key,
)

DATA = Path(__file__).parent / "data" / "tables"

AMOUNT = "expected an amount such as 1234.56, 1,234.56, ¥1,234.56 or (1,234.56)"
NOT_BLANK = "not a number (a blank is an empty cell, not a dash or N/A)"
SCIENTIFIC = (
    "scientific notation, which may have lost digits (got {!r}); "
    f"{AMOUNT}; widen the column in Excel or format it as a number before saving"
)
WAN_OFF = (
    "a 万 suffix, which this column map does not read (got '12万'); "
    f"{AMOUNT}; set 'suffixes = true' in the column map to read 万/亿"
)
# the figures the default scorecard reads (collection_rate: invoiced and collected)
SCORECARD = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "collection_rate",
    "profit",
    "quality_losses",
    "industry_influence",
    "business_reputation",
)


def facts(account_id: str, *figures: str | None) -> AccountFacts:
    """An account with the nine figures in the source's column order, as decimal text."""
    return AccountFacts(account_id, **dict(zip(FIGURES, figures, strict=True)))


def problems(exc: pytest.ExceptionInfo[RecordInvalid]) -> list[str]:
    return [str(e) for e in exc.value.errors]


def exactly(values: Sequence[Decimal | None]) -> list[str | None]:
    """Decimals as their text, so 1200.00 and 1200 differ (what was written is kept)."""
    return [None if v is None else str(v) for v in values]


# -- the corpus: files that read --------------------------------------------------------


def test_a_bom_csv_with_chinese_headings_and_yuan_marks_reads_every_figure_exactly() -> None:
    rows = read_accounts(DATA / "accounts_zh_bom.csv", columns="presets:columns_source")
    assert rows.facts == (
        facts(
            "C001",
            "1200000.00",
            "35.50",
            "348553.61",
            "400000.00",
            "380000.00",
            "45000",
            "0",
            "8",
            "4",
        ),
        facts("C002", "500000", "12", "1000000", "900000", "850000", "120000.5", "5000", "6", "3"),
        facts(
            "C003",
            "2500000",
            "8.80",
            "2560000.00",
            "2600000",
            "2340000",
            "320000.00",
            "0",
            "9",
            "5",
        ),
    )
    assert exactly([f.sales_revenue for f in rows.facts]) == ["348553.61", "1000000", "2560000.00"]
    assert rows.keep == ("name", "region", "owner")
    assert rows.headings == ("客户名称", "所属区域", "负责人")
    assert rows.kept == (
        {"name": "华东电力", "region": "华东", "owner": "张伟"},
        {"name": "西北重工", "region": "西北", "owner": "李娜"},
        {"name": "华南机电", "region": "华南", "owner": "王强"},
    )
    assert rows.figures == (
        "contract_volume",
        "unit_price",
        "sales_revenue",
        "invoiced",
        "collected",
        "profit",
        "quality_losses",
        "industry_influence",
        "business_reputation",
    )


def test_a_workbook_reads_numbers_stored_as_numbers_and_as_text_alike() -> None:
    pytest.importorskip("openpyxl")
    rows = read_accounts(
        DATA / "accounts_zh.xlsx", columns="presets:columns_source", keep=["客户名称", "更新日期"]
    )
    assert rows.facts == (
        facts(
            "C001",
            "9500000",
            "35.5",
            "48348553.61",
            "40000000",
            "39000000",
            "4500000",
            "0",
            "9",
            "5",
        ),
        facts(
            "C002", "500000.00", "12", "348553.61", "900000", "850000", "-1200", "5000", "6", "3"
        ),
        facts(
            "C003",
            "6000000",
            "8.8",
            "30560000.25",
            "26000000",
            "23400000",
            "3200000.00",
            "0",
            "8",
            "4",
        ),
    )
    # a float stored by a formula (8.799999999999999) reads as Excel shows it
    assert exactly([f.unit_price for f in rows.facts]) == ["35.5", "12", "8.8"]
    assert exactly([f.sales_revenue for f in rows.facts]) == [
        "48348553.61",
        "348553.61",
        "30560000.25",
    ]
    # the id padded with spaces is trimmed; the workbook's date cell keeps only its day
    assert [f.account_id for f in rows.facts] == ["C001", "C002", "C003"]
    assert rows.keep == ("name", "更新日期")
    assert rows.headings == ("客户名称", "更新日期")
    assert rows.kept == (
        {"name": "华东电力", "更新日期": date(2026, 3, 31)},  # a workbook's date stays a date
        {"name": "西北重工", "更新日期": "2026年3月31日"},
        {"name": "华南机电", "更新日期": ""},
    )


def test_a_workbook_sheet_is_chosen_by_name_and_its_header_may_sit_below_a_blank_row() -> None:
    pytest.importorskip("openpyxl")
    table = read_table(DATA / "accounts_zh.xlsx", sheet="2025")
    assert table.sheet == "2025"
    assert table.header == ("客户编号", "销售额", "回款金额")
    assert table.lines == (3, 4)  # workbook row numbers, as Excel shows them
    assert table.where(4) == "accounts_zh.xlsx (sheet 2025) line 4"
    rows = read_amounts(
        table, ["sales_revenue", "collected"], columns="presets:columns_source", blank="refuse"
    )
    assert rows.ids == ("C001", "C002")
    assert exactly(rows.amounts["sales_revenue"]) == ["300000", "1500000"]
    assert exactly(rows.amounts["collected"]) == ["280000", "1500000"]


def test_the_first_sheet_is_read_when_none_is_named() -> None:
    pytest.importorskip("openpyxl")
    assert read_table(DATA / "accounts_zh.xlsx").sheet == "客户"


def test_a_missing_sheet_is_refused_listing_the_sheet_names() -> None:
    pytest.importorskip("openpyxl")
    with pytest.raises(ValidationError) as exc:
        read_table(DATA / "accounts_zh.xlsx", sheet="2024")
    assert str(exc.value) == (
        "accounts_zh.xlsx: no sheet named '2024'; expected one of: 客户, 2025, 说明"
    )


def test_problems_in_a_workbook_name_its_sheet_in_the_header_and_in_cells(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "客户"
    ws.append(["客户编号", "销售额"])
    ws.append(["C001", "¥1,2000"])
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(tmp_path / "bad.xlsx", columns="presets:columns_source", require=["profit"])
    assert problems(exc) == [
        (
            "bad.xlsx (sheet 客户) header: no column for 'profit'; expected a column headed "
            "'profit', '利润', '利润额', 'Profit', or a column map that names yours "
            "([columns] profit = [...])"
        ),
        (
            "bad.xlsx (sheet 客户) line 2, column '销售额': misplaced thousands separator "
            f"(got '¥1,2000'); {AMOUNT}"
        ),
    ]


def test_a_tsv_with_english_headings_in_any_case_and_spacing_is_read() -> None:
    rows = read_accounts(DATA / "accounts.tsv", keep=["Name", "region"])
    assert [f.account_id for f in rows.facts] == ["A1", "a2"]
    assert exactly([f.sales_revenue for f in rows.facts]) == ["1234567.89", "7500"]
    assert exactly([f.profit for f in rows.facts]) == ["-1200", "0"]
    assert exactly([f.invoiced for f in rows.facts]) == ["1000000", "8000"]
    assert exactly([f.collected for f in rows.facts]) == ["950000.00", "8000"]
    assert rows.facts[0].collection_rate == Decimal("0.95")
    assert rows.figures == ("sales_revenue", "invoiced", "collected", "profit")
    assert rows.keep == ("Name", "region")
    assert rows.headings == ("Name", "Region")
    assert rows.kept == (
        {"Name": "Acme Ltd", "region": "North"},
        {"Name": "Beta Co", "region": "South"},
    )


def test_a_semicolon_delimited_file_is_read_with_commas_inside_its_amounts() -> None:
    rows = read_accounts(DATA / "accounts_semicolon.csv", keep=["region"])
    assert [f.account_id for f in rows.facts] == ["S1", "S2", "S3"]
    assert exactly([f.sales_revenue for f in rows.facts]) == ["1234.50", "98000", "0.5"]
    assert exactly([f.profit for f in rows.facts]) == ["-200", "-3000.25", "0"]
    assert rows.kept == ({"region": "North"}, {"region": "South"}, {"region": "East; coastal"})


def test_full_width_headings_and_digits_are_read_as_half_width() -> None:
    rows = read_accounts(DATA / "accounts_fullwidth.csv", columns="columns_source")
    assert [f.account_id for f in rows.facts] == ["F001", "F002"]
    assert exactly([f.sales_revenue for f in rows.facts]) == ["123456.78", "98000"]
    assert exactly([f.profit for f in rows.facts]) == ["-1200", "-12000"]
    assert exactly([f.invoiced for f in rows.facts]) == ["5000", "10000"]
    assert exactly([f.collected for f in rows.facts]) == ["4500", "10000"]
    assert rows.kept == ({"name": "华东电力"}, {"name": "西北重工"})


def test_bracketed_trailing_minus_and_accounting_negatives_are_read() -> None:
    rows = read_accounts(DATA / "accounts_negatives.csv")
    assert [(f.account_id, str(f.profit)) for f in rows.facts] == [
        ("N1", "-1200.00"),
        ("N2", "-1200"),
        ("N3", "-350.5"),
        ("N4", "-80"),
        ("N5", "-2000"),
        ("N6", "-1500"),
        ("N7", "-5"),
        ("N8", "0"),
    ]
    assert [f.quality_losses for f in rows.facts] == [Decimal(0)] * 8


def test_a_company_map_reads_wan_and_yi_suffixes_and_a_wanyuan_column() -> None:
    rows = read_accounts(DATA / "accounts_wan.csv", columns=DATA / "wan_map.toml")
    assert [f.account_id for f in rows.facts] == ["W1", "W2", "W3", "W4"]
    # 合同量（万元）: the numbers are in ten thousands of yuan
    assert [f.contract_volume for f in rows.facts] == [
        Decimal("1200000"),
        Decimal("355000"),
        Decimal("8000"),
        Decimal("10500000"),
    ]
    assert [f.sales_revenue for f in rows.facts] == [
        Decimal("3485500"),
        Decimal("120000000"),
        Decimal("560000"),
        Decimal("15000"),
    ]
    assert [f.profit for f in rows.facts] == [
        Decimal("120000"),
        Decimal("-35000"),
        Decimal("1000"),
        None,
    ]
    # the map keeps 客户编号 under its field name
    assert rows.keep == ("account_id",)
    assert rows.kept[0] == {"account_id": "W1"}


def test_a_rate_column_in_ratio_reads_95_percent_and_0_95_alike() -> None:
    rows = read_amounts(DATA / "rates.csv", ["collection_rate"], columns="presets:columns_source")
    assert rows.ids == ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
    assert rows.amounts["collection_rate"] == (
        Decimal("0.95"),
        Decimal("0.95"),
        Decimal("0.98"),
        Decimal("1"),
        Decimal("0.875"),
        None,
        Decimal("0.875"),
    )


def test_blank_cells_are_missing_figures_never_zero() -> None:
    rows = read_accounts(DATA / "accounts_blanks.csv")
    assert rows.facts == (
        facts("B1", "100", "5", "1000", "100", "90", "10", None, None, None),
        facts("B2", None, None, "2000", "100", "95", None, None, None, None),
        facts("B3", "300", "7", None, None, None, "0", None, None, None),
    )
    assert rows.facts[2].collection_rate is None


def test_blank_amounts_can_be_read_as_zero_or_refused() -> None:
    zero = read_amounts(DATA / "accounts_blanks.csv", ["sales_revenue"], blank="zero")
    assert zero.amounts["sales_revenue"] == (Decimal(1000), Decimal(2000), Decimal(0))
    with pytest.raises(RecordInvalid) as exc:
        read_amounts(DATA / "accounts_blanks.csv", ["sales_revenue", "profit"], blank="refuse")
    assert problems(exc) == [
        "accounts_blanks.csv line 3, column 'profit': blank; expected an amount",
        "accounts_blanks.csv line 4, column 'sales_revenue': blank; expected an amount",
    ]


def test_a_utf16_unicode_text_export_is_read() -> None:
    rows = read_amounts(
        DATA / "accounts_utf16.txt", ["sales_revenue", "collected"], columns="columns_source"
    )
    assert rows.ids == ("C001", "C002", "C003")
    assert exactly(rows.amounts["sales_revenue"]) == ["1200000.00", "500000", "180000"]
    assert exactly(rows.amounts["collected"]) == ["1000000", "450000", "180000"]
    assert rows.kept == ({"name": "华东电力"}, {"name": "西北重工"}, {"name": "华南机电"})


def test_a_parquet_file_keeps_its_decimals_exact() -> None:
    pytest.importorskip("pyarrow")
    rows = read_accounts(DATA / "accounts.parquet", keep=["name", "updated"])
    assert rows.facts == (
        AccountFacts(
            "P1",
            sales_revenue=Decimal("348553.61"),
            invoiced=400000,
            collected=Decimal("380000.5"),
            profit=Decimal("-1200.50"),
        ),
        AccountFacts(
            "P2",
            sales_revenue=Decimal("1000000.00"),
            invoiced=900000,
            collected=Decimal("850000"),
            profit=Decimal("45000.00"),
        ),
        AccountFacts("P3", invoiced=0, profit=Decimal("0.00")),
    )
    assert exactly([f.profit for f in rows.facts]) == ["-1200.50", "45000.00", "0.00"]
    assert rows.kept == (
        {"name": "华东电力", "updated": date(2026, 3, 31)},
        {"name": "西北重工", "updated": date(2026, 4, 5)},
        {"name": "", "updated": ""},
    )


def test_rebate_rows_with_yuan_marks_and_wan_are_read_for_quoting() -> None:
    rows = read_amounts(
        DATA / "rebate_sales.csv",
        ["sales_revenue", "collected"],
        columns="presets:columns_source",
        blank="refuse",
    )
    assert rows.ids == ("K001", "K002", "K003", "K004")
    assert exactly(rows.amounts["sales_revenue"]) == [
        "1200000.00",
        "500000",
        "200000",
        "199999.99",
    ]
    assert exactly(rows.amounts["collected"]) == ["1000000", "450000", "180000.00", "150000"]
    assert rows.keep == ("name", "region")


def test_opportunities_read_chinese_and_english_stage_labels_dates_and_closed_rows() -> None:
    playbook = load_preset("pipeline_project_sales")
    rows = read_opportunities(
        DATA / "opportunities_mixed.csv", playbook, columns="presets:columns_source"
    )
    got = [
        (o.id, o.stage, o.opening.on, o.stage_entered_on, o.opening.expected_close, o.closed_on)
        for o in rows.opportunities
    ]
    assert got == [
        # 工程实施; 2026/1/5, 2026/3/1, 2026-4-5
        ("P1", "implementation", date(2026, 1, 5), date(2026, 3, 1), date(2026, 4, 5), None),
        # Implementation; 2026年2月1日, 2026年3月2日, Excel day 46150
        ("P2", "implementation", date(2026, 2, 1), date(2026, 3, 2), date(2026, 5, 8), None),
        # BIDDING: entered its stage when it was opened
        ("P3", "bidding", date(2026, 3, 1), date(2026, 3, 1), date(2026, 6, 30), None),
        # WON AND DELIVERED: closed on its 结项日期
        ("P4", "won", date(2025, 10, 1), date(2026, 3, 1), date(2026, 1, 15), date(2026, 3, 1)),
        # 丢标结项
        ("P5", "lost", date(2025, 11, 1), date(2026, 2, 1), None, date(2026, 2, 1)),
        # 客户开发; Excel day 46054
        ("P6", "development", date(2026, 2, 1), date(2026, 2, 1), None, None),
        # Project Initiation; 20260310, 2026年9月30日
        ("P7", "initiation", date(2026, 3, 10), date(2026, 3, 10), date(2026, 9, 30), None),
    ]
    assert [str(o.amount.amount) for o in rows.opportunities] == [
        "1200000",
        "500000",
        "300000",
        "800000",
        "1000",
        "200000",
        "450000.00",
    ]
    assert [o.owner for o in rows.opportunities] == [
        "张伟",
        "李娜",
        "张伟",
        "王强",
        "李娜",
        "王强",
        "张伟",
    ]
    assert rows.keep == ("name", "owner")
    assert rows.kept[0] == {"name": "华东电力", "owner": "张伟"}


def test_an_unknown_stage_is_refused_listing_the_playbooks_stages(tmp_path: Path) -> None:
    path = tmp_path / "opps.csv"
    path.write_text(
        "id,account,owner,amount,stage,opened\nO1,C1,Ann,100,negotiation,2026-01-05\n",
        encoding="utf-8",
    )
    with pytest.raises(RecordInvalid) as exc:
        read_opportunities(path, load_preset("pipeline_project_sales"))
    assert problems(exc) == [
        (
            "opps.csv line 2, column 'stage': no such stage (got 'negotiation'); expected a stage "
            "or outcome of project_sales (key or label): development, initiation, proposal, "
            "bidding, implementation, won, lost, no_bid, not_shortlisted, withdrawn"
        )
    ]


def test_stage_key_names_a_stage_by_key_or_label_in_any_case_and_width() -> None:
    playbook = load_preset("pipeline_project_sales")
    assert stage_key(playbook, "工程实施") == "implementation"
    assert stage_key(playbook, "IMPLEMENTATION") == "implementation"
    assert stage_key(playbook, "ｂｉｄｄｉｎｇ") == "bidding"
    assert stage_key(playbook, "丢标结项") == "lost"
    assert stage_key(playbook, "negotiation") is None


# -- the corpus: files that are refused -------------------------------------------------


def test_misspelt_headings_are_refused_with_the_heading_meant() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_misspelt.csv", require=SCORECARD[2:5])
    assert problems(exc) == [
        (
            "accounts_misspelt.csv header: no column for 'sales_revenue'; did you mean "
            "'sales revenu'?; expected a column headed 'sales_revenue', or a column map that "
            "names yours ([columns] sales_revenue = [...])"
        ),
        (
            "accounts_misspelt.csv header: no column for 'profit'; did you mean 'profits'?; "
            "expected a column headed 'profit', or a column map that names yours "
            "([columns] profit = [...])"
        ),
    ]


def test_dashes_na_scientific_notation_and_negative_figures_are_refused_cell_by_cell() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_refused_cells.csv")
    name = "accounts_refused_cells.csv"
    # left to right along each row, as the file shows them
    assert problems(exc) == [
        f"{name} line 2, column 'sales_revenue': {NOT_BLANK} (got '-'); {AMOUNT}",
        f"{name} line 2, column 'profit': {NOT_BLANK} (got 'N/A'); {AMOUNT}",
        f"{name} line 2, column 'invoiced': {NOT_BLANK} (got '#N/A'); {AMOUNT}",
        f"{name} line 2, column 'collected': {NOT_BLANK} (got '—'); {AMOUNT}",
        f"{name} line 3, column 'sales_revenue': " + SCIENTIFIC.format("1.2E+06"),
        f"{name} line 3, column 'profit': " + SCIENTIFIC.format("3.5e5"),
        f"{name} line 3, column 'invoiced': misplaced thousands separator (got '1,2345'); {AMOUNT}",
        f"{name} line 3, column 'collected': {WAN_OFF}",
        (
            f"{name} line 4, column 'sales_revenue': a percentage in an amount column "
            "(got '95%'); expected an amount; for a rate column set its unit to '%' or 'ratio' "
            "in the column map"
        ),
        (
            f"{name} line 4, column 'profit': two negative signs (brackets and a minus) "
            f"(got '(-5)'); {AMOUNT}"
        ),
        f"{name} line 4, column 'invoiced': not a number (got 'abc'); {AMOUNT}",
        # a row with a bad cell is still checked for what the facts refuse
        f"{name} line 4, column 'collected': negative figure (got '-100'); expected zero or more",
        f"{name} line 5, column 'collected': negative figure (got '-9'); expected zero or more",
    ]


def test_a_gbk_file_is_refused_naming_the_line_and_how_to_resave_it() -> None:
    with pytest.raises(ValidationError) as exc:
        read_table(DATA / "accounts_gbk.csv")
    assert str(exc.value) == (
        "accounts_gbk.csv line 3: not UTF-8 (byte 0xbb; GBK or another local encoding?); "
        'expected UTF-8 text: re-save it as UTF-8 (Excel: "CSV UTF-8"; a UTF-8 BOM is fine)'
    )


def test_three_bad_cells_and_a_missing_column_give_four_problems_header_first() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_four_problems.csv", require=SCORECARD)
    name = "accounts_four_problems.csv"
    assert problems(exc) == [
        (
            f"{name} header: no column for 'quality_losses'; expected a column headed "
            "'quality_losses', or a column map that names yours ([columns] quality_losses = [...])"
        ),
        f"{name} line 3, column 'unit_price': {NOT_BLANK} (got 'N/A'); {AMOUNT}",
        f"{name} line 4, column 'sales_revenue': " + SCIENTIFIC.format("1.5e6"),
        f"{name} line 5, column 'invoiced': {WAN_OFF}",
    ]
    assert exc.value.problems == exc.value.errors


def test_blank_and_repeated_ids_are_each_reported_once() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_ids.csv")
    assert problems(exc) == [
        (
            "accounts_ids.csv line 4, column 'account_id': repeats line 2 (got 'A1'); "
            "expected each id once"
        ),
        "accounts_ids.csv line 5, column 'account_id': blank id; expected an id in every row",
        "accounts_ids.csv line 6, column 'account_id': blank id; expected an id in every row",
    ]


def test_a_ragged_row_is_refused_naming_its_line_and_the_fix() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_ragged.csv")
    assert [str(p) for p in exc.value.problems] == [
        (
            "accounts_ragged.csv line 3: malformed row: 4 cells under 3 headings; expected one "
            "cell per heading (id, sales_revenue, profit); quote cells that hold the delimiter"
        )
    ]


def test_every_ragged_row_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("id,x\nA1,1,2\nA2,2\nA3,1,000\n", encoding="utf-8")
    with pytest.raises(RecordInvalid) as exc:
        read_table(path)
    assert [p.field for p in exc.value.problems] == ["ragged.csv line 2", "ragged.csv line 4"]


def test_a_title_row_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text("2026年一季度客户销售表;;\n客户编号;销售额\nKH1;1,5\n", encoding="utf-8")
    table = read_table(path)
    assert table.header == ("客户编号", "销售额")
    assert table.rows == (("KH1", "1,5"),)
    assert table.lines == (3,)
    one = tmp_path / "one.csv"
    one.write_text("id\nA1\nA2\n", encoding="utf-8")
    assert read_table(one).rows == (("A1",), ("A2",))


def test_a_float_parquet_column_reads_as_the_shortest_decimal_of_its_floats(
    tmp_path: Path,
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "floats.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "x": [12345678901234.56, 0.1]}), path)
    assert read_table(path).rows == (("a", Decimal("12345678901234.56")), ("b", Decimal("0.1")))


def test_an_empty_first_sheet_names_the_other_sheets(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.create_sheet("客户").append(["id", "x"])
    path = tmp_path / "cover.xlsx"
    book.save(path)
    with pytest.raises(ValidationError) as exc:
        read_table(path)
    assert str(exc.value) == (
        "cover.xlsx (sheet 封面): the first sheet is empty; expected --sheet with one of: 客户"
    )


def test_a_workbook_renamed_csv_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        read_table(DATA / "workbook_renamed.csv")
    assert str(exc.value) == (
        "workbook_renamed.csv: a workbook with a name that does not end in .xlsx; "
        "expected a .xlsx name"
    )


def test_an_old_xls_workbook_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(ValidationError) as exc:
        read_table(path)
    assert str(exc.value) == (
        "old.xls: an old Excel 97-2003 workbook; "
        'expected a .xlsx file: open it in Excel and "Save As" .xlsx'
    )


def test_a_sheet_is_refused_for_a_csv_and_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"--sheet is for workbooks"):
        read_table(DATA / "accounts_ids.csv", sheet="客户")
    with pytest.raises(ValidationError) as exc:
        read_table(tmp_path / "nope.csv")
    assert str(exc.value) == (
        "nope.csv: no such file; expected the path of a CSV, TSV, .xlsx or .parquet file"
    )


def test_an_unclosed_quote_and_an_empty_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "quote.csv").write_text('id,name\nC1,"abc\nC2,x\n', encoding="utf-8")
    (tmp_path / "empty.csv").write_text("\n \n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"^quote\.csv line 3: malformed CSV"):
        read_table(tmp_path / "quote.csv")
    with pytest.raises(ValidationError) as exc:
        read_table(tmp_path / "empty.csv")
    assert str(exc.value) == "empty.csv: empty file; expected a header row, then one row per record"


def test_a_reader_stops_collecting_after_max_problems_and_says_so() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_refused_cells.csv", max_problems=3)
    got = problems(exc)
    assert len(got) == 4
    assert got[:3] == [
        (
            f"accounts_refused_cells.csv line 2, column 'sales_revenue': {NOT_BLANK} (got '-'); "
            f"{AMOUNT}"
        ),
        f"accounts_refused_cells.csv line 2, column 'profit': {NOT_BLANK} (got 'N/A'); {AMOUNT}",
        f"accounts_refused_cells.csv line 2, column 'invoiced': {NOT_BLANK} (got '#N/A'); {AMOUNT}",
    ]
    assert got[3] == (
        "accounts_refused_cells.csv: stopped reading after 3 problems; "
        "expected fix these and read the file again"
    )


def test_keep_names_a_column_the_file_lacks_is_a_problem() -> None:
    with pytest.raises(RecordInvalid) as exc:
        read_accounts(DATA / "accounts_ids.csv", keep=["region"])
    assert problems(exc)[0] == (
        "accounts_ids.csv header: no column to keep (got 'region'); expected a heading of "
        "the file (account_id, sales_revenue) or a field the column map names"
    )


def test_a_table_object_is_read_as_it_is() -> None:
    table = Table("t.csv", ("id", "sales_revenue"), (("A1", "¥1,000"),), (2,))
    rows = read_accounts(table)
    assert rows.facts == (AccountFacts("A1", sales_revenue=Decimal(1000)),)


# -- parse_number -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("5,032", "5032"),
        ("¥348,553.61", "348553.61"),
        ("￥348553.61", "348553.61"),
        ("1,200元", "1200"),
        ("RMB 1,200.50", "1200.50"),
        ("CNY1200", "1200"),
        ("(1,200.00)", "-1200.00"),
        ("（１，２００）", "-1200"),
        ("1200-", "-1200"),
        ("−5", "-5"),
        ("–5", "-5"),
        ("¥-5", "-5"),
        ("-¥5", "-5"),
        ("(¥1,500)", "-1500"),
        ("¥ (1,500.00)", "-1500.00"),
        ("¥(1,500)", "-1500"),
        ("１２３", "123"),
        ("３４８，５５３．６１", "348553.61"),
        (".5", "0.5"),
        (" 12 ", "12"),
        ("\u00a012\u00a0", "12"),
        (12, "12"),
        (Decimal("0.10"), "0.10"),
    ],
)
def test_parse_number_reads_amounts_as_people_type_them(cell: object, expected: str) -> None:
    value = parse_number(cell)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000"])
def test_parse_number_reads_a_blank_cell_as_missing(cell: object) -> None:
    assert parse_number(cell) is None


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("-", "not a number (a blank is an empty cell, not a dash or N/A)"),
        ("—", "not a number (a blank is an empty cell, not a dash or N/A)"),
        ("N/A", "not a number (a blank is an empty cell, not a dash or N/A)"),
        ("#N/A", "not a number (a blank is an empty cell, not a dash or N/A)"),
        ("nan", "not a number (a blank is an empty cell, not a dash or N/A)"),
        ("1.2E+06", "scientific notation, which may have lost digits"),
        ("3.5e5", "scientific notation, which may have lost digits"),
        ("1,2345", "misplaced thousands separator"),
        ("12,00", "a decimal comma, or a misplaced thousands separator (write 1234.50)"),
        ("1,200,", "misplaced thousands separator"),
        ("95%", "a percentage in an amount column"),
        ("1.5万", "a 万 suffix, which this column map does not read"),
        ("2亿", "a 亿 suffix, which this column map does not read"),
        ("(-5)", "two negative signs (brackets and a minus)"),
        ("(5-)", "two negative signs (brackets and a minus)"),
        ("--5", "not a number"),
        ("abc", "not a number"),
        ("5.", "not a number"),
        ("inf", "not a number"),
        ("1 200", "not a number"),
        (True, "a yes/no cell is not a number"),
        ("1" + "0" * 15, "too large"),
    ],
)
def test_parse_number_refuses_what_is_not_an_amount(cell: object, problem: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_number(cell)
    assert exc.value.problem == problem
    assert exc.value.value == cell
    assert exc.value.field == ""


def test_parse_number_refuses_a_float_which_is_never_exact() -> None:
    with pytest.raises(ValidationError):
        parse_number(0.1)


@pytest.mark.parametrize(
    ("cell", "unit", "expected"),
    [
        ("348.55", Unit.TEN_THOUSAND, "3485500.00"),
        ("1,050", Unit.TEN_THOUSAND, "10500000"),
        (12, Unit.THOUSAND, "12000"),
        ("1.2", Unit.HUNDRED_MILLION, "120000000.0"),
        ("95", Unit.PERCENT, "0.95"),
        ("95%", Unit.PERCENT, "0.95"),
        ("９５％", Unit.PERCENT, "0.95"),
        ("0.95", Unit.RATIO, "0.95"),
        ("95%", Unit.RATIO, "0.95"),
        ("87.5 %", Unit.RATIO, "0.875"),
        (Decimal("0.95"), Unit.RATIO, "0.95"),
    ],
)
def test_parse_number_applies_the_columns_unit_exactly(
    cell: object, unit: Unit, expected: str
) -> None:
    assert parse_number(cell, unit=unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("348.55万", "3485500"), ("1.2亿", "120000000"), ("¥56万", "560000"), ("1.5万元", "15000")],
)
def test_parse_number_reads_wan_and_yi_when_the_map_allows_them(cell: str, expected: str) -> None:
    assert parse_number(cell, suffixes=True) == Decimal(expected)


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        (Unit.TEN_THOUSAND, "a number in 万元, without 万 or 亿"),
        (Unit.RATIO, "a rate such as 95% or 0.95"),
    ],
)
def test_a_wan_suffix_in_a_column_with_its_own_unit_is_refused_not_scaled_twice(
    unit: Unit, expected: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_number("1.5万", unit=unit, suffixes=True)
    assert exc.value.problem == f"a 万 suffix in a column whose unit is {unit.value}"
    assert exc.value.expected == expected


# -- parse_date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2026/4/5",
        "2026-4-5",
        "2026-04-05",
        "2026.4.5",
        "2026年4月5日",
        "２０２６年４月５日",
        "20260405",
        "2026-04-05 00:00:00",
        "2026/04/05 0:00",
        "46117",
        46117,
        Decimal(46117),
        date(2026, 4, 5),
        datetime(2026, 4, 5),  # noqa: DTZ001 - a workbook's date cell has no zone
    ],
)
def test_parse_date_reads_the_forms_dates_come_in(cell: object) -> None:
    assert parse_date(cell) == date(2026, 4, 5)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("2026/2/30", "no such day"),
        ("5/4/2026", "not a date"),
        ("2026-04-05 10:30", "not a date"),
        (
            "60",
            "not a date (nor an Excel day number from 18264 (1950-01-01) to 73050 (2099-12-31))",
        ),
        (
            Decimal("46117.5"),
            "not a date (nor an Excel day number from 18264 (1950-01-01) to 73050 (2099-12-31))",
        ),
        ("2026", "a year, not a date"),
        ("202604", "a year and month, not a date"),
        (
            2026,
            "not a date (nor an Excel day number from 18264 (1950-01-01) to 73050 (2099-12-31))",
        ),
        (datetime(2026, 4, 5, 10), "a date-time with a time of day"),  # noqa: DTZ001
        (True, "a bool is not a date"),
    ],
)
def test_parse_date_refuses_what_is_not_a_day_showing_the_cell(cell: object, problem: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_date(cell)
    assert exc.value.problem == problem
    assert exc.value.value == cell  # the cell as written, not a number made of it


def test_parse_date_reads_day_first_dates_only_with_a_format() -> None:
    assert parse_date("05/04/2026", fmt="%d/%m/%Y") == date(2026, 4, 5)
    assert parse_date(" ", fmt="%d/%m/%Y") is None
    with pytest.raises(ValidationError) as exc:
        parse_date("2026-04-05", fmt="%d/%m/%Y")
    assert str(exc.value) == (
        "not a date in the column map's format (got '2026-04-05'); expected a date in the "
        "format '%d/%m/%Y'"
    )


# -- fold, column maps ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ｓａｌｅｓ　Revenue ", "sales revenue"),
        ("Sales  Revenue", "sales revenue"),
        ("ＳＡＬＥＳ＿ＲＥＶＥＮＵＥ", "sales_revenue"),
        ("销售收入", "销售收入"),
        ("Straße", "strasse"),
    ],
)
def test_fold_matches_headings_in_any_case_width_and_spacing(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_a_heading_under_two_fields_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        ColumnMap(columns={"sales_revenue": ["销售额"], "invoiced": ["开票额", "销售额 "]})
    assert str(exc.value) == (
        "columns.invoiced: the heading is listed under 'sales_revenue' too (got '销售额 '); "
        "expected each heading under one field only"
    )


def test_an_unknown_unit_is_refused_listing_the_units() -> None:
    with pytest.raises(ValidationError) as exc:
        ColumnMap(units={"sales_revenue": "万"})
    assert str(exc.value) == (
        "units.sales_revenue: no such unit (got '万'); expected one of '元', '千元', '万元', "
        "'亿元', '%', 'ratio'"
    )


@pytest.mark.parametrize("key", ["sales revenue", "1st", "销售额"])
def test_a_field_name_that_is_not_an_identifier_is_refused(key: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ColumnMap(columns={key: ["x"]})
    assert exc.value.problem == "not a field name"
    assert exc.value.value == key


@pytest.mark.parametrize("headings", [[""], ["ok", 3], 3])
def test_headings_must_be_non_blank_text(headings: object) -> None:
    with pytest.raises(ValidationError, match=r"^columns\.profit: not a list of headings"):
        ColumnMap(columns={"profit": headings})


def test_a_field_with_no_headings_is_still_found_by_its_own_name() -> None:
    cmap = ColumnMap(columns={"profit": []})
    assert cmap.headings("profit") == ()
    table = Table("t.csv", ("id", "Profit"), (("A1", "(5)"),), (2,))
    assert read_accounts(table, columns=cmap).facts[0].profit == Decimal(-5)


def test_keep_must_be_a_list_not_one_text() -> None:
    with pytest.raises(ValidationError, match=r"^keep: not a list"):
        ColumnMap(keep="name")


def test_a_column_map_reports_its_headings_and_units() -> None:
    cmap = ColumnMap(columns={"sales_revenue": "销售额"}, units={"sales_revenue": "万元"})
    assert cmap.headings("sales_revenue") == ("销售额",)
    assert cmap.headings("profit") == ()
    assert cmap.unit("sales_revenue") is Unit.TEN_THOUSAND
    assert cmap.unit("profit") is Unit.YUAN


@pytest.mark.parametrize("name", ["columns_source", "presets:columns_source"])
def test_load_column_map_reads_a_preset_by_name(name: str) -> None:
    cmap = load_column_map(name)
    assert cmap.name == "source"
    assert cmap.suffixes is True
    assert cmap.keep == ("name", "region", "owner")
    assert "销售额" in cmap.headings("sales_revenue")
    assert cmap.unit("collection_rate") is Unit.RATIO


def test_load_column_map_reads_a_toml_file_by_path() -> None:
    for source in (DATA / "wan_map.toml", str(DATA / "wan_map.toml")):
        cmap = load_column_map(source)
        assert cmap.name == "wan"
        assert cmap.suffixes is True
        assert cmap.keep == ("客户编号",)
        assert cmap.headings("contract_volume") == ("合同量（万元）",)
        assert cmap.unit("contract_volume") is Unit.TEN_THOUSAND


def test_load_column_map_passes_a_map_through_and_reads_none_as_empty() -> None:
    cmap = ColumnMap(name="mine")
    assert load_column_map(cmap) is cmap
    assert load_column_map(None) == ColumnMap()


def test_load_column_map_refuses_an_unknown_name_listing_the_presets() -> None:
    with pytest.raises(ValidationError) as exc:
        load_column_map("presets:columns_nope")
    assert str(exc.value) == (
        "columns: no such file or preset (got 'presets:columns_nope'); expected a column "
        "map TOML file, or a preset: columns_archive_source, columns_lines, columns_source"
    )


def test_a_file_beside_a_preset_name_is_read_as_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DATA / "wan_map.toml", tmp_path / "columns_source")
    monkeypatch.chdir(tmp_path)
    assert load_column_map("columns_source").name == "wan"
    assert load_column_map("presets:columns_source").name == "source"


# -- properties -------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")
_AMOUNTS = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@given(_AMOUNTS)
def test_every_excel_style_rendering_of_an_amount_reads_back_exactly(d: Decimal) -> None:
    grouped = f"{d:,}"
    assert parse_number(grouped) == d
    assert parse_number("¥" + grouped) == d
    assert parse_number("￥" + grouped) == d
    assert parse_number(f"({abs(d):,})") == -abs(d)
    assert parse_number(f"{abs(d):,}-") == -abs(d)
    assert parse_number(grouped.translate(_FULL_WIDTH)) == d


@given(st.dates(min_value=date(1000, 1, 1)))
def test_dates_written_with_slashes_or_chinese_characters_read_back(d: date) -> None:
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_date(d.isoformat()) == d


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_an_excel_day_number_reads_back_as_its_date(d: date) -> None:
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(str(serial)) == d


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# -- bad arguments: a ValidationError naming the argument (issue 16) -------------------
def _opportunity_playbook() -> object:
    return load_preset("pipeline_project_sales")


ACCOUNTS_CSV = DATA / "accounts_refused_cells.csv"

BAD_TABLE_CALLS = {
    "read_table source None": (lambda: read_table(None), "source"),
    "read_table source a float": (lambda: read_table(float("nan")), "source"),
    "read_table source a date": (lambda: read_table(date(2026, 3, 1)), "source"),
    "read_table source bytes": (lambda: read_table(b"bytes"), "source"),
    "read_table source blank": (lambda: read_table("   "), "source"),
    "read_table sheet a number": (lambda: read_table(ACCOUNTS_CSV, sheet=1), "sheet"),
    "read_accounts source a date": (lambda: read_accounts(date(2026, 3, 1)), "source"),
    "read_accounts require a str": (lambda: read_accounts(ACCOUNTS_CSV, require="   "), "require"),
    "read_accounts extras None": (lambda: read_accounts(ACCOUNTS_CSV, extras=None), "extras"),
    "read_accounts keep a number": (lambda: read_accounts(ACCOUNTS_CSV, keep=1), "keep"),
    "read_accounts id_column nan": (
        lambda: read_accounts(ACCOUNTS_CSV, id_column=float("nan")),
        "id_column",
    ),
    "read_accounts max_problems a list": (
        lambda: read_accounts(ACCOUNTS_CSV, max_problems=[None]),
        "max_problems",
    ),
    "read_accounts max_problems 0": (
        lambda: read_accounts(ACCOUNTS_CSV, max_problems=0),
        "max_problems",
    ),
    "read_accounts columns a date": (
        lambda: read_accounts(ACCOUNTS_CSV, columns=date(2026, 3, 1)),
        "columns",
    ),
    "read_amounts source a float": (lambda: read_amounts(1.5, ["a"]), "source"),
    "read_amounts fields nan": (lambda: read_amounts(ACCOUNTS_CSV, float("nan")), "fields"),
    "read_amounts blank unknown": (
        lambda: read_amounts(ACCOUNTS_CSV, ["a"], blank="no_such_value"),
        "blank",
    ),
    "read_amounts id_field None": (
        lambda: read_amounts(ACCOUNTS_CSV, ["a"], id_field=None),
        "id_field",
    ),
    "read_amounts headings a list": (
        lambda: read_amounts(ACCOUNTS_CSV, ["a"], headings=["a"]),
        "headings",
    ),
    "read_amounts heading None": (
        lambda: read_amounts(ACCOUNTS_CSV, ["a"], headings={"a": None}),
        "headings.a",
    ),
    "read_opportunities playbook None": (
        lambda: read_opportunities(ACCOUNTS_CSV, None),
        "playbook",
    ),
    "read_opportunities source None": (
        lambda: read_opportunities(None, _opportunity_playbook()),
        "source",
    ),
    "load_column_map a list": (lambda: load_column_map(["a", "b"]), "columns"),
    "load_column_map a name too long": (lambda: load_column_map("x" * 10_000), "columns"),
    "fold None": (lambda: fold(None), "text"),
    "fold a Decimal": (lambda: fold(Decimal("1E+30")), "text"),
    "stage_key text None": (lambda: stage_key(_opportunity_playbook(), None), "text"),
    "stage_key playbook a str": (lambda: stage_key("   ", "won"), "playbook"),
    "parse_number unit None": (lambda: parse_number("1", unit=None), "unit"),
    "parse_number suffixes a str": (lambda: parse_number("1", suffixes="no"), "suffixes"),
    "parse_date fmt a number": (lambda: parse_date("2026-04-05", fmt=10**30), "fmt"),
}


@pytest.mark.parametrize("name", list(BAD_TABLE_CALLS))
def test_a_table_reader_refuses_a_bad_argument_naming_it(name: str) -> None:
    call, field = BAD_TABLE_CALLS[name]
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[no-untyped-call]
    assert info.value.field == field
    assert field in str(info.value)


def test_a_name_too_long_for_the_file_system_is_no_such_file() -> None:
    with pytest.raises(ValidationError, match="no such file") as info:
        read_table("x" * 10_000 + ".csv")
    assert info.value.problem == "no such file"


@pytest.mark.parametrize("cell", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")])
def test_a_date_cell_that_is_not_a_finite_number_is_refused(cell: Decimal) -> None:
    with pytest.raises(ValidationError) as info:
        parse_date(cell)
    # a cell's field is filled in by the reader (file, line, column); alone it is blank
    assert info.value.field == ""
    assert info.value.problem == "not a finite number"
    assert info.value.expected == "a date such as 2026-04-05, 2026/4/5 or 2026年4月5日"
