from __future__ import annotations

import copy
import csv
import enum
import io
import json
import tomllib
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kamcore._output import View, render, text_width, write_xlsx
from kamcore._vocab import VOCABULARIES, localise
from kamcore.errors import ValidationError
from kamcore.presets import preset_path

ROWS = [
    {
        "id": "A1",
        "name": "宏远",
        "amount": Decimal("1.50"),
        "day": date(2026, 3, 1),
        "ok": True,
        "n": None,
    },
    {
        "id": "A22",
        "name": "x",
        "amount": Decimal("100"),
        "day": date(2026, 3, 2),
        "ok": False,
        "n": None,
    },
]


def test_tables_align_columns_counting_wide_characters_twice() -> None:
    text = render(ROWS, "table", labels={"name": "名称"}, title="Accounts")
    lines = text.splitlines()
    assert lines[0] == "Accounts"
    assert "名称" in lines[1]
    assert lines[1:] == [
        "id   名称  amount  day         ok   n",
        "---  ----  ------  ----------  ---  -",
        "A1   宏远    1.50  2026-03-01  yes",
        "A22  x        100  2026-03-02  no",
    ]
    assert text_width("宏远") == 4


def test_json_and_csv_carry_the_same_keys_and_exact_values() -> None:
    data = json.loads(render(ROWS, "json"))
    assert data[0] == {
        "id": "A1",
        "name": "宏远",
        "amount": "1.50",
        "day": "2026-03-01",
        "ok": True,
        "n": None,
    }
    rows = list(csv.DictReader(io.StringIO(render(ROWS, "csv"))))
    assert list(rows[0]) == list(data[0])
    assert rows[1]["amount"] == "100"
    assert rows[0]["ok"] == "yes"


def test_columns_choose_and_order_what_is_shown() -> None:
    assert render(ROWS, "csv", columns=["amount", "id"]).splitlines()[0] == "amount,id"
    assert render([], "table").splitlines() == ["", ""]
    assert json.loads(render([{"m": {"a": (1, Decimal("2"))}}], "json")) == [{"m": {"a": [1, "2"]}}]


# --- CSV for Excel ----------------------------------------------------------------------


def test_csv_starts_with_a_byte_order_mark_only_when_asked() -> None:
    with_bom = render(ROWS, "csv", bom=True)
    assert with_bom.startswith("\ufeffid,name,")
    assert with_bom.removeprefix("\ufeff") == render(ROWS, "csv")
    assert not render(ROWS, "csv").startswith("\ufeff")
    assert with_bom.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_a_byte_order_mark_is_ignored_by_tables_and_json() -> None:
    assert render(ROWS, "json", bom=True) == render(ROWS, "json")
    assert render(ROWS, "table", bom=True) == render(ROWS, "table")


# --- Excel workbooks --------------------------------------------------------------------

ACCOUNTS = [
    {
        "id": "A1",
        "name": "宏远集团有限公司",
        "amount": Decimal("1234567.89"),
        "rate": Decimal("0.0825"),
        "count": 3,
        "since": date(2026, 3, 1),
        "key": True,
        "note": None,
    },
    {
        "id": "A2",
        "name": "x",
        "amount": Decimal("0.10"),
        "rate": Decimal("1"),
        "count": -12,
        "since": date(1999, 12, 31),
        "key": False,
        "note": "=1+1",
    },
]
LABELS = {"id": "编号", "name": "客户名称", "amount": "金额"}


def _load(path: Path) -> Any:
    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(path)


def test_a_workbook_has_labelled_bold_frozen_headers_and_one_row_per_record(
    tmp_path: Path,
) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "accounts.xlsx"
    write_xlsx(out, [View("accounts", ACCOUNTS, labels=LABELS)])
    ws = _load(out)["accounts"]
    heads = [c.value for c in ws[1]]
    assert heads == ["编号", "客户名称", "金额", "rate", "count", "since", "key", "note"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 3
    assert [c.value for c in ws["A"]] == ["编号", "A1", "A2"]


def test_numbers_are_numeric_cells_with_exact_values(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "n.xlsx"
    write_xlsx(out, [View("n", ACCOUNTS)])
    ws = _load(out)["n"]
    amount, rate, count = ws["C2"], ws["D2"], ws["E2"]
    assert amount.data_type == rate.data_type == count.data_type == "n"
    # Excel holds doubles: an amount with 2 places comes back as exactly that double
    assert amount.value == 1234567.89
    assert Decimal(repr(amount.value)) == Decimal("1234567.89")
    assert Decimal(repr(ws["C3"].value)) == Decimal("0.10")
    assert amount.number_format == "#,##0.00"  # shown with its own places: 0.10, not 0.1
    assert rate.value == 0.0825
    assert rate.number_format == "#,##0.0000"
    assert ws["D3"].value == 1
    assert ws["D3"].number_format == "General"
    assert count.value == 3
    assert type(count.value) is int
    assert ws["E3"].value == -12


def test_dates_booleans_empty_cells_and_text_keep_their_types(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "t.xlsx"
    write_xlsx(out, [View("t", ACCOUNTS)])
    ws = _load(out)["t"]
    since = ws["F2"]
    assert since.is_date
    assert since.value.date() == date(2026, 3, 1)
    assert since.number_format == "yyyy-mm-dd"
    assert ws["F3"].value.date() == date(1999, 12, 31)
    assert ws["G2"].value is True
    assert ws["G3"].value is False
    assert ws["G2"].data_type == "b"
    assert ws["H2"].value is None
    # text that looks like a formula stays text; Excel does not run it
    assert ws["H3"].value == "=1+1"
    assert ws["H3"].data_type == "s"


def test_a_datetime_is_written_as_a_date_and_time(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "dt.xlsx"
    moment = datetime(2026, 3, 1, 9, 30)  # noqa: DTZ001 - Excel has no time zones
    write_xlsx(out, [View("dt", [{"at": moment, "x": 1.5}])])
    ws = _load(out)["dt"]
    assert ws["A2"].value == moment
    assert ws["A2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["B2"].value == 1.5


def test_columns_choose_and_order_what_a_sheet_shows(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "c.xlsx"
    write_xlsx(out, [View("c", ACCOUNTS, columns=["amount", "id", "missing"])])
    ws = _load(out)["c"]
    assert [c.value for c in ws[1]] == ["amount", "id", "missing"]
    assert [c.value for c in ws[2]] == [1234567.89, "A1", None]


def test_column_widths_fit_the_content_counting_wide_characters_twice(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "w.xlsx"
    write_xlsx(out, [View("w", ACCOUNTS, labels=LABELS)])
    ws = _load(out)["w"]
    widths = {k: ws.column_dimensions[k].width for k in "ABCF"}
    assert widths["A"] == text_width("编号") + 2  # 4 + 2: the heading is the widest
    assert widths["B"] == text_width("宏远集团有限公司") + 2  # 16 + 2
    assert widths["C"] == len("1,234,567.89") + 2
    assert widths["F"] == len("2026-03-01") + 2


def test_two_views_are_two_sheets_in_order(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "two.xlsx"
    write_xlsx(out, [View("summary", [{"n": 2}]), View("accounts", ACCOUNTS)])
    wb = _load(out)
    assert wb.sheetnames == ["summary", "accounts"]
    assert wb["summary"]["A2"].value == 2
    assert wb["accounts"]["A3"].value == "A2"


def test_unsafe_long_and_duplicate_sheet_names_are_made_safe(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "names.xlsx"
    names = ["a/b:c*d?e[f]g\\h", "x" * 40, "x" * 40, "Report", "report", "", "'quoted'", "History"]
    write_xlsx(out, [View(n, [{"n": i}]) for i, n in enumerate(names)])
    wb = _load(out)
    assert wb.sheetnames == [
        "a_b_c_d_e_f_g_h",
        "x" * 31,
        "x" * 27 + " (2)",
        "Report",
        "report (2)",
        "Sheet",
        "quoted",
        "History_",
    ]
    assert [ws["A2"].value for ws in wb.worksheets] == list(range(len(names)))


def test_an_empty_view_is_an_empty_sheet_but_no_views_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "e.xlsx"
    write_xlsx(out, [View("empty", []), View("heads", [], columns=["id"], labels={"id": "编号"})])
    wb = _load(out)
    assert wb["empty"].max_row == 1
    assert wb["empty"]["A1"].value is None
    assert wb["heads"]["A1"].value == "编号"
    with pytest.raises(ValidationError) as info:
        write_xlsx(tmp_path / "none.xlsx", [])
    assert info.value.field == "views"
    assert not (tmp_path / "none.xlsx").exists()


def test_a_value_no_cell_can_hold_is_refused_naming_the_sheet_row_and_column(
    tmp_path: Path,
) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "bad.xlsx"
    bad = [{"id": "A1", "amount": Decimal("1")}, {"id": "A2", "amount": object()}]
    with pytest.raises(ValidationError) as info:
        write_xlsx(out, [View("ok", ACCOUNTS), View("money", bad)])
    assert info.value.field == "money[1].amount"
    assert "sheet 'money', row 3, column B (amount)" in str(info.value)
    assert "cannot write a object" in str(info.value)
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (Decimal("NaN"), "not a number Excel can hold"),
        (float("inf"), "not a number Excel can hold"),
        (Decimal("1E+400"), "not a number Excel can hold"),
        ("bell\x07", "control character"),
        ("x" * 32768, "longer than 32767"),
        (datetime(2026, 1, 1, tzinfo=UTC), "time zone"),
        ([1, 2], "cannot write a list"),
    ],
)
def test_values_excel_cannot_hold_are_refused_not_mangled(
    tmp_path: Path, value: object, why: str
) -> None:
    pytest.importorskip("openpyxl")
    with pytest.raises(ValidationError, match=why) as info:
        write_xlsx(tmp_path / "x.xlsx", [View("s", [{"v": value}])])
    assert info.value.field == "s[0].v"


def test_a_failed_write_leaves_an_existing_file_untouched_and_no_stray_files(
    tmp_path: Path,
) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"the good old report")
    with pytest.raises(ValidationError):
        write_xlsx(out, [View("s", [{"v": object()}])])
    assert out.read_bytes() == b"the good old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_failure_while_moving_into_place_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"the good old report")

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("kamcore._output.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_xlsx(out, [View("s", ACCOUNTS)])
    assert out.read_bytes() == b"the good old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_failure_while_writing_the_bytes_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"the good old report")

    def fail(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr("kamcore._output.os.fsync", fail)
    with pytest.raises(OSError, match="I/O error"):
        write_xlsx(out, [View("s", ACCOUNTS)])
    assert out.read_bytes() == b"the good old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_successful_write_replaces_an_existing_file(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"old")
    write_xlsx(str(out), [View("s", ACCOUNTS)])
    assert zipfile.is_zipfile(out)
    assert _load(out).sheetnames == ["s"]
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_the_same_views_give_byte_identical_workbooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("openpyxl")
    views = [View("accounts", ACCOUNTS, labels=LABELS), View("汇总", [{"n": 1}])]
    write_xlsx(tmp_path / "a.xlsx", views)
    # a later second: zip entries and "modified" would differ if they carried the clock
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)
    write_xlsx(tmp_path / "b.xlsx", views)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    props = _load(tmp_path / "a.xlsx").properties
    assert props.modified == props.created == datetime(2000, 1, 1)  # noqa: DTZ001


def test_writing_xlsx_without_openpyxl_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # makes "import openpyxl" fail
    with pytest.raises(ValidationError) as info:
        write_xlsx(tmp_path / "x.xlsx", [View("s", ACCOUNTS)])
    assert info.value.field == "format"
    assert info.value.value == "xlsx"
    assert "kamcore[excel]" in info.value.expected
    assert "needs openpyxl" in str(info.value)
    assert not (tmp_path / "x.xlsx").exists()


def test_a_view_is_frozen_and_keeps_its_own_copies() -> None:
    rows = [{"id": "A1"}]
    labels = {"id": "编号"}
    view = View("v", rows, columns=["id"], labels=labels)
    rows.append({"id": "A2"})
    labels["id"] = "changed"
    assert view.records == ({"id": "A1"},)
    assert view.columns == ("id",)
    assert view.labels == {"id": "编号"}
    with pytest.raises(AttributeError):
        view.name = "w"  # type: ignore[misc]


# --- Chinese names of values ------------------------------------------------------------


@pytest.mark.parametrize(
    ("vocabulary", "english", "chinese"),
    [
        ("forecast", "pipeline", "管道"),
        ("forecast", "best_case", "最佳情况"),
        ("forecast", "commit", "承诺"),
        ("forecast", "closed", "已成交"),
        ("forecast", "omitted", "不计入"),
        ("rebate_mode", "whole_amount", "全额累进"),
        ("rebate_mode", "graduated", "超额累进"),
        ("grade", "gold", "金牌"),
        ("grade", "diamond", "钻石"),
        ("grade", "platinum", "铂金"),
        ("grade", "white_gold", "白金"),
        ("grade", "silver", "银"),
        ("grade", "A", "A级"),
        ("grade", "D", "D级"),
        ("abc", "A", "A类"),
        ("abc", "B", "B类"),
        ("abc", "C", "C类"),
        ("abc", "D", "D类"),
        ("value_category", "quality", "优质客户"),
        ("value_category", "high_value", "高值客户"),
        ("value_category", "group", "集团客户"),
        ("value_category", "strategic", "战略客户"),
        ("outcome", "won", "验收结项"),
        ("outcome", "abandoned", "放弃开发"),
        ("stage", "bidding", "招投标"),
        ("stage", "relationship", "关系建立"),
        ("bool", True, "是"),
        ("bool", False, "否"),
    ],
)
def test_each_vocabulary_names_its_values_in_chinese(
    vocabulary: str, english: object, chinese: str
) -> None:
    assert localise([{"v": english}], {"v": vocabulary}, "zh") == [{"v": chinese}]


def test_the_vocabularies_cover_the_presets_keys() -> None:
    def preset(name: str) -> Any:
        return tomllib.loads(preset_path(name).read_text(encoding="utf-8"))

    for name in ("grading_tiers", "grading_letters"):
        assert {b["grade"] for b in preset(name)["bands"]} <= set(VOCABULARIES["grade"])
    for name in ("grading_abc", "grading_abc_water", "grading_top20"):
        assert {b["label"] for b in preset(name)["breaks"]} <= set(VOCABULARIES["abc"])
    for rule in preset("grading_categories")["rules"]:
        assert rule["label"].startswith(VOCABULARIES["value_category"][rule["category"]])
    sales = preset("pipeline_project_sales")
    development = preset("pipeline_account_development")
    # the default playbook's own labels exactly; the other playbook's keys all covered
    for part, vocabulary in (("stages", "stage"), ("outcomes", "outcome")):
        assert {s["key"]: s["zh"] for s in sales[part]}.items() <= VOCABULARIES[vocabulary].items()
        assert {s["key"] for s in development[part]} <= set(VOCABULARIES[vocabulary])
    assert {s["key"]: s["zh"] for s in development["stages"]}.items() <= VOCABULARIES[
        "stage"
    ].items()


def test_unknown_values_and_none_stay_as_they_are() -> None:
    rows = [{"grade": "platinum+"}, {"grade": None}, {"grade": 7}, {"grade": ["A"]}]
    assert localise(rows, {"grade": "grade"}, "zh") == rows


def test_true_and_one_are_never_confused() -> None:
    rows = [{"a": 1, "b": True, "c": 0}]
    assert localise(rows, {"a": "bool", "b": "bool", "c": "bool"}, "zh") == [
        {"a": 1, "b": "是", "c": 0}
    ]
    assert localise([{"n": True}], {"n": {1: "一"}}, "zh") == [{"n": True}]


def test_an_enum_member_is_named_by_its_value() -> None:
    class Mode(enum.Enum):
        GRADUATED = "graduated"

    assert localise([{"m": Mode.GRADUATED}], {"m": "rebate_mode"}, "zh") == [{"m": "超额累进"}]


def test_only_listed_columns_change_and_keys_never_do() -> None:
    rows = [{"stage": "bidding", "name": "bidding", "forecast": "commit"}]
    out = localise(rows, {"stage": "stage", "forecast": "forecast"}, "zh")
    assert out == [{"stage": "招投标", "name": "bidding", "forecast": "承诺"}]
    assert list(out[0]) == list(rows[0])


def test_english_returns_the_records_unchanged_as_new_dicts() -> None:
    rows = [{"stage": "bidding", "ok": True}]
    out = localise(rows, {"stage": "stage", "ok": "bool"}, "en", extra={"stage": {"bidding": "x"}})
    assert out == rows
    assert out[0] is not rows[0]


def test_the_input_is_never_mutated() -> None:
    rows = [{"stage": "bidding", "ok": True}, {"stage": "closing", "ok": None}]
    before = copy.deepcopy(rows)
    out = localise(rows, {"stage": "stage", "ok": "bool"}, "zh")
    assert rows == before
    assert out[0] is not rows[0]
    assert out[0]["stage"] == "招投标"


def test_a_column_may_map_straight_to_its_own_names() -> None:
    assert localise([{"s": "hot"}], {"s": {"hot": "热"}}, "zh") == [{"s": "热"}]


def test_extra_names_take_precedence_and_fall_back_to_the_vocabulary() -> None:
    rows = [{"stage": "bidding"}, {"stage": "proposal"}, {"stage": "pilot"}, {"outcome": "won"}]
    extra = {"stage": {"bidding": "投标中", "pilot": "试点"}, "outcome": {"won": "赢单"}}
    assert localise(rows, {"stage": "stage"}, "zh", extra=extra) == [
        {"stage": "投标中"},
        {"stage": "提案"},
        {"stage": "试点"},
        {"outcome": "赢单"},  # a column only in extra is translated too
    ]


def test_an_unknown_vocabulary_or_language_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        localise([], {"stage": "stages"}, "zh")
    assert info.value.field == "vocab.stage"
    assert "forecast" in info.value.expected
    with pytest.raises(ValidationError) as info:
        localise([], {}, "fr")
    assert info.value.field == "lang"
