from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kamcore.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own exits (--help, --version, usage errors)
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_prints_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0
    assert "demo" in out
    assert "policy" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("kamcore ")
    code, out, _ = run(capsys, "demo", "--help")
    assert code == 0
    assert "--out" in out


def test_help_imports_no_capability_and_no_optional_extra() -> None:
    """``kamcore --help`` starts fast: the domain and pandas load with the command using them."""
    code = (
        "import sys\n"
        "from kamcore.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    heavy = {"pandas", "numpy", "matplotlib", "openpyxl", "pyarrow"}
    domain = {f"kamcore.{p}" for p in ("grading", "pipeline", "rebate", "archive", "store")}
    assert not loaded & (heavy | domain)


@pytest.mark.parametrize(
    ("command", "actions"),
    [
        ("archive", ["show", "history", "verify", "due-reviews", "loans", "import"]),
        ("policy", ["list", "show", "validate", "schema"]),
    ],
)
def test_archive_and_policy_help_lists_their_actions(
    capsys: pytest.CaptureFixture[str], command: str, actions: list[str]
) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    listed = re.findall(r"^    (\S+)", out, re.MULTILINE)
    assert listed == actions
    for action in actions:
        db = ["--db", "x.db"] if command == "archive" else []
        code, out, _ = run(capsys, command, *db, action, "--help")
        assert code == 0
        assert f"usage: kamcore {command} {action}" in out
        assert "--format" in out


def test_archive_and_policy_need_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["policy"], ["archive", "--db", "x.db"], ["archive", "--db", "x.db", "nope"]):
        code, out, err = run(capsys, *argv)
        assert code == 2
        assert out == ""
        assert err.startswith(f"kamcore {argv[0]}: error: ")
        assert err.count("\n") == 1


def _subcommand_names() -> list[str]:
    import argparse

    from kamcore.cli import build_parser

    parser = build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


@pytest.mark.parametrize("command", ["", *_subcommand_names()])
def test_no_help_text_shows_a_doubled_percent_sign(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, _ = run(capsys, *([command] if command else []), "--help")
    assert code == 0
    assert "usage: kamcore" in out
    assert "%%" not in out


def test_pareto_help_states_the_thresholds(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "pareto", "--help")
    text = " ".join(out.split())  # argparse wraps descriptions
    assert "default 80%/95%" in text
    assert "50%/70%/80%" in text
    assert "top 20% by count" in text


def test_the_demo_prints_a_summary_and_writes_its_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "demo", "--out", str(tmp_path), "--accounts", "40")
    assert code == 0, err
    assert "kamcore demo" in out
    assert "Reports written to" in out
    for name in ("accounts.csv", "summary.json", "report.md"):
        assert (tmp_path / name).stat().st_size > 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["accounts"] == 40
    lines = (tmp_path / "accounts.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 41
    assert lines[0].startswith("id,")


def test_the_demo_settles_each_ledger_with_true_up_and_claw_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import csv
    from decimal import ROUND_HALF_UP

    code, out, err = run(capsys, "demo", "--out", str(tmp_path), "--accounts", "20")
    assert code == 0, err
    with (tmp_path / "rebates.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20

    def money(row: dict[str, str], key: str) -> Decimal:
        return Decimal(row[key])

    for r in rows:
        # independently: the source's tiers by net invoiced sales, the rate on net
        # collections (the year-end quality claims are credited and refunded)
        invoiced = money(r, "invoiced")
        rate = Decimal("0.05") if invoiced < 200_000 else Decimal("0.08")
        rate = Decimal("0.10") if invoiced >= 1_000_000 else rate
        base = max(money(r, "collected") - money(r, "quality_claims"), Decimal(0))
        expected = (base * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert money(r, "entitlement") == expected
        # true-up: the settlements add up to the entitlement, nothing is paid twice
        paid = money(r, "paid_mid_period") + money(r, "paid_period_end")
        assert paid - money(r, "clawback_at_close") == money(r, "settled") == expected
        assert money(r, "paid_mid_period") > 0
        assert money(r, "clawback_at_close") >= 0
    clawed = [r for r in rows if money(r, "clawback_at_close") > 0]
    assert clawed
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    settled = summary["rebates_settled"]
    assert Decimal(settled["total"]) == sum(money(r, "settled") for r in rows)
    assert settled["accounts_clawed_back"] == len(clawed)
    assert "Rebates settled" in out
    assert "Clawed back" in out
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Rebate settlements" in report


def test_the_demo_is_deterministic(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, first, _ = run(capsys, "demo", "--out", str(tmp_path / "a"), "--accounts", "30")
    _, second, _ = run(capsys, "demo", "--out", str(tmp_path / "b"), "--accounts", "30")
    assert first.replace("/a/", "/b/").replace(str(tmp_path / "a"), str(tmp_path / "b")) == second
    assert (tmp_path / "a" / "accounts.csv").read_bytes() == (
        tmp_path / "b" / "accounts.csv"
    ).read_bytes()


@pytest.mark.parametrize(
    ("accounts", "seed"), [(1, 2026), (5, 2026), (12, 2026), (10, 3), (30, 99), (8, 7)]
)
def test_the_demo_runs_for_small_companies_and_any_seed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, accounts: int, seed: int
) -> None:
    argv = ["demo", "--out", str(tmp_path), "--accounts", str(accounts), "--seed", str(seed)]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    # every salesperson with revenue last year is scored against a positive plan; the
    # others are named as not scored, on screen and in the summary
    scored = (tmp_path / "salespeople.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert summary["salespeople_scored"] == len(scored)
    assert summary["salespeople_scored"] + len(summary["salespeople_not_scored"]) == 6
    assert all(Decimal(line.split(",")[1]) >= 10_000 for line in scored)
    assert ("Not scored" in out) == bool(summary["salespeople_not_scored"])


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["bogus"], "invalid choice"),
        (["policy", "show"], "needs a NAME"),
        (["policy", "validate"], "needs a PATH"),
        (["policy", "show", "no-such-policy"], "no such preset"),
        (["policy", "validate", "/no/such/file.toml"], "readable UTF-8 TOML"),
        (["demo", "--accounts", "0", "--out", "/tmp/kamcore-never"], "accounts"),
        (["demo", "--accounts", "many"], "invalid int value"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[-1].startswith("kamcore")
    assert fragment in err
    assert "Traceback" not in err
    assert len([line for line in lines if line.startswith("kamcore")]) == 1


def test_validating_a_bad_policy_file_names_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "company.toml"
    bad.write_text('kind = "no-such-kind"\n', encoding="utf-8")
    code, _, err = run(capsys, "policy", "validate", str(bad))
    assert code == 2
    assert "unknown policy kind" in err
    assert err.count("\n") == 1


def test_policy_list_names_every_preset_with_its_kind_and_titles_in_every_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import csv
    import io

    from kamcore.presets import preset_names

    names = list(preset_names())
    assert "rebate_source" in names
    code, out, _ = run(capsys, "policy", "list", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert [p["name"] for p in listed] == names
    by_name = {p["name"]: p for p in listed}
    assert by_name["rebate_source"]["kind"] == "rebate.tier_schedule"
    assert by_name["rebate_source"]["zh"].startswith("销售返点")
    assert by_name["rebate_source"]["en"].startswith("Sales rebate")
    assert all(p["zh"] and p["en"] for p in listed)

    code, out, _ = run(capsys, "policy", "list", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0] == "name,kind,title,en,zh"
    assert rows == [{k: str(v) for k, v in p.items()} for p in listed]

    code, out, _ = run(capsys, "policy", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["name", "kind", "description"]
    assert [line.split()[0] for line in lines[2:]] == names
    line = next(line for line in lines if line.startswith("rebate_source "))
    assert "rebate.tier_schedule" in line
    assert "Sales rebate" in line
    code, out, _ = run(capsys, "policy", "list", "--lang", "zh")
    assert "销售返点" in next(line for line in out.splitlines() if line.startswith("rebate_source"))


def test_python_dash_m_runs_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kamcore", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("kamcore ")


def test_policy_schema_prints_the_json_schema_of_a_kind(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kamcore import codec

    monkeypatch.setitem(codec.POLICY_KINDS, "review_cycle", "kamcore.calendar:ReviewCycle")
    code, out, _ = run(capsys, "policy", "schema", "review_cycle")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "ReviewCycle"
    assert schema["properties"]["kind"] == {"const": "review_cycle"}
    code, _, err = run(capsys, "policy", "schema", "no-such-kind")
    assert code == 2
    assert "unknown policy kind" in err
    code, _, err = run(capsys, "policy", "schema")
    assert code == 2
    assert "needs a KIND" in err


# -- input helpers --------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "accounts.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_reads_line_numbers_blanks_and_exact_decimals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "\ufeffid,revenue\nA1, 1000.50\n\nA2,\nA3,3\n")
    argv = ["pareto", path, "--by", "revenue", "--view", "accounts", "--format", "json"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert [(r["account_id"], r["measure"]) for r in json.loads(out)] == [
        ("A1", "1000.50"),
        ("A3", "3"),
    ]
    # a blank measure is a missing figure: named on stderr, not classified
    assert "1 account(s) with a blank revenue" in err
    assert "A2" in err


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "accounts.csv: empty file"),
        ("name,revenue\nA1,1\n", "accounts.csv header: no column for 'account_id'"),
        ("id,revenue\nA1,1,2\n", "line 2: malformed row: 3 cells under 2 headings"),
        ("id,revenue\n,1\n", "line 2, column 'id': blank id"),
        ("id,revenue\nA1,1\nA1,2\n", "line 3, column 'id': repeats line 2 (got 'A1')"),
        ('id,revenue\nA1,"1\n', "malformed CSV"),
    ],
)
def test_bad_files_exit_2_naming_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, fragment: str
) -> None:
    code, out, err = run(capsys, "pareto", _write(tmp_path, text), "--by", "revenue")
    assert code == 2
    assert out == ""
    assert fragment in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        # 北京 in GBK, as Chinese Excel saves "CSV (comma delimited)"
        (b"id,x\nA1,1\n\xb1\xb1\xbe\xa9,2\n", "b.csv line 3: not UTF-8 (byte 0xb1"),
    ],
)
def test_a_csv_that_is_not_utf8_exits_2_asking_to_resave_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, raw: bytes, fragment: str
) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(raw)
    code, out, err = run(capsys, "pareto", str(path), "--by", "x")
    assert code == 2
    assert out == ""
    assert fragment in err
    assert "a UTF-8 BOM is fine" in err
    assert err.count("\n") == 1


def test_a_csv_with_a_utf8_bom_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,x\n北京,3\n上海,1\n".encode())
    argv = ["pareto", str(path), "--by", "x", "--view", "accounts", "--format", "csv"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert [line.split(",")[0] for line in out.splitlines()] == ["account_id", "北京", "上海"]


def test_a_utf16_unicode_text_export_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Excel's "Unicode Text" is UTF-16 with a BOM, tab-delimited
    path = tmp_path / "unicode.txt"
    path.write_bytes("id\tx\n北京\t3\n上海\t1\n".encode("utf-16"))
    argv = ["pareto", str(path), "--by", "x", "--view", "accounts", "--format", "csv"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert [line.split(",")[0] for line in out.splitlines()] == ["account_id", "北京", "上海"]


def test_numbers_too_large_for_decimal_arithmetic_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, "id,x\nA1,1E+999999999\nA2,2\nA3,1000000000000000\n")
    code, _, err = run(capsys, "pareto", path, "--by", "x")
    assert code == 2
    assert "line 2, column 'x': scientific notation" in err
    assert "line 4, column 'x': too large" in err
    assert "Traceback" not in err
    assert err.count("\n") == 2


@pytest.mark.parametrize(
    ("error", "fragment"),
    [
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not UTF-8 text"),
        (UnicodeEncodeError("ascii", "返点", 0, 2, "ordinal not in range"), "PYTHONIOENCODING"),
    ],
)
def test_encoding_errors_anywhere_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: UnicodeError,
    fragment: str,
) -> None:
    from kamcore.cli import _rebate

    def broken(args: object) -> int:
        raise error

    monkeypatch.setattr(_rebate, "cmd_rebate", broken)
    code, _, err = run(capsys, "rebate", "--sales", "1")
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1


def test_a_bug_is_not_reported_as_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamcore.cli import _rebate

    def buggy(args: object) -> int:
        raise TypeError("a real bug")

    monkeypatch.setattr(_rebate, "cmd_rebate", buggy)
    with pytest.raises(TypeError, match="a real bug"):
        main(["rebate", "--sales", "1"])


def test_bad_cells_dates_and_policies_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from kamcore.calendar import ReviewCycle
    from kamcore.cli._common import UsageError, load_policy_arg, parse_date

    code, _, err = run(
        capsys, "pareto", _write(tmp_path, "id,revenue\nA1,lots\n"), "--by", "revenue"
    )
    assert code == 2
    assert "accounts.csv line 2, column 'revenue': not a number (got 'lots')" in err
    with pytest.raises(UsageError, match="not a valid date"):
        parse_date("2026-02-30", option="--as-of")
    assert parse_date("2026-02-28", option="--as-of").day == 28
    with pytest.raises(UsageError, match="no preset or file named"):
        load_policy_arg("nothing-like-this", ReviewCycle)
    path = _write(tmp_path, "anchor = 2026-01-31\n", "cycle.toml")
    assert load_policy_arg(path, ReviewCycle).anchor.day == 31
    code, _, err = run(capsys, "pareto", str(tmp_path / "missing.csv"), "--by", "revenue")
    assert code == 2
    assert "missing.csv: no such file" in err


# -- rebate ---------------------------------------------------------------------------


def test_rebate_prints_tier_rate_basis_base_and_rebate_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "rebate", "--sales", "200000", "--collected", "180000", "--format", "json"
    )
    assert code == 0
    (record,) = json.loads(out)
    # 200,000 belongs to the higher tier (the documented default): 8% of 180,000 collected
    assert record["tier"] == "200,000–1,000,000"
    assert record["rate"] == "0.08"
    assert record["basis"] == "200000"
    assert record["base"] == "180000"
    assert record["rebate"] == "14400.00"
    assert record["to_next_tier"] == "800000"


@pytest.mark.parametrize(
    ("sales", "collected", "rebate"),
    [("199999.99", None, "10000.00"), ("1000000", "900000", "90000.00"), ("0", None, "0.00")],
)
def test_rebate_worked_examples_from_the_source(
    capsys: pytest.CaptureFixture[str], sales: str, collected: str | None, rebate: str
) -> None:
    argv = ["rebate", "--sales", sales, "--format", "csv"]
    if collected:
        argv += ["--collected", collected]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    import csv
    import io

    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["rebate"] == rebate


def test_rebate_explains_itself_in_a_table_in_either_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "rebate", "--sales", "199999.99", "--explain")
    assert code == 0
    assert "next tier at 200,000 (0.01 more)" in out
    code, out, _ = run(capsys, "rebate", "--sales", "199999.99", "--explain", "--lang", "zh")
    assert code == 0
    assert "返点率" in out
    assert "总收款 199,999.99 × 5% = 9,999.9995 → 10,000.00（四舍五入）" in out
    assert "达到 200,000 进入下一档（还差 0.01）：届时返点 16,000.00（+6,000.00）" in out
    assert "next tier" not in out
    code, out, _ = run(capsys, "rebate", "--sales", "1500000", "--explain", "--lang", "zh")
    assert "已达最高档" in out


def test_rebate_names_the_tier_of_a_company_schedule_without_labels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        'kind = "rebate.tier_schedule"\nmode = "graduated"\n'
        '[[tiers]]\nlower = 0\nupper = 500000\nrate = "0.04"\n'
        '[[tiers]]\nlower = 500000\nrate = "0.06"\n',
        "company.toml",
    )
    code, out, err = run(
        capsys, "rebate", "--sales", "600000", "--policy", path, "--format", "json"
    )
    assert code == 0, err
    (record,) = json.loads(out)
    assert record["tier"] == "500,000+"
    assert record["rebate"] == "26000.00"  # 500,000 × 4% + 100,000 × 6%


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["rebate", "--sales", "-5"], "--sales: negative amount (got '-5')"),
        (["rebate", "--sales", "5", "--collected", "-1"], "--collected: negative amount"),
        (["rebate", "--sales", "lots"], "--sales: not a decimal number"),
        (["rebate", "--sales", "1", "--collected", "x"], "--collected"),
        (["rebate", "--sales", "1", "--policy", "nope"], "no preset or file named 'nope'"),
        (["rebate"], "rebate needs --sales AMOUNT, or a FILE with --sales COLUMN"),
    ],
)
def test_bad_rebate_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1


# -- forecast -------------------------------------------------------------------------

_OPPS = """id,account,owner,amount,stage,opened,stage_entered,expected_close
O1,A1,li,100000,development,2026-01-05,,2026-06-30
O2,A1,li,200000,proposal,2026-01-10,2026-03-01,2026-05-31
O3,A2,wang,300000,bidding,2026-02-01,2026-04-01,
O4,A3,wang,400000.50,implementation,2026-02-01,2026-04-20,2026-07-31
"""


def _playbook_probabilities() -> dict[str, object]:
    from kamcore.pipeline import Playbook
    from kamcore.presets import load_preset

    pb = load_preset("pipeline_project_sales", Playbook)
    return {s.key: (s.probability.value, s.forecast.value) for s in pb.stages}


def test_forecast_rolls_categories_up_cumulatively(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from decimal import Decimal

    path = _write(tmp_path, _OPPS, "opps.csv")
    code, out, err = run(capsys, "forecast", path, "--format", "json")
    assert code == 0, err
    rows = {r["category"]: r for r in json.loads(out)}
    # independently: sum the amounts of each stage's forecast category from the playbook
    stages = _playbook_probabilities()
    expected: dict[str, Decimal] = {}
    for line in _OPPS.strip().splitlines()[1:]:
        cells = line.split(",")
        category = stages[cells[4]][1]  # type: ignore[index]
        expected[category] = expected.get(category, Decimal(0)) + Decimal(cells[3])
    for category, amount in expected.items():
        assert Decimal(rows[category]["amount"]) == amount
    order = ["closed", "commit", "best_case", "pipeline"]
    running = Decimal(0)
    for category in order:
        running += Decimal(rows[category]["amount"])
        assert Decimal(rows[category]["cumulative"]) == running


def test_forecast_weighted_pipeline_by_owner(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from decimal import ROUND_HALF_UP, Decimal

    path = _write(tmp_path, _OPPS, "opps.csv")
    code, out, _ = run(capsys, "forecast", path, "--view", "owners", "--format", "json")
    assert code == 0
    stages = _playbook_probabilities()
    by_owner = {r["owner"]: r for r in json.loads(out)}
    li = Decimal(100000) * stages["development"][0] + Decimal(200000) * stages["proposal"][0]  # type: ignore[index, operator]
    assert Decimal(by_owner["li"]["weighted"]) == li.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert by_owner["wang"]["count"] == 2


def test_forecast_lists_stale_opportunities_as_of_a_date(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, _OPPS, "opps.csv")
    code, out, _ = run(
        capsys, "forecast", path, "--view", "stale", "--as-of", "2026-12-31", "--format", "csv"
    )
    assert code == 0
    assert out.splitlines()[0] == "opportunity,owner,stage,days,limit,over"
    assert len(out.splitlines()) > 1


@pytest.mark.parametrize(
    ("text", "extra", "fragment"),
    [
        (
            _OPPS.replace("proposal", "negotiation"),
            [],
            "opps.csv line 3, column 'stage': no such stage (got 'negotiation')",
        ),
        (_OPPS.replace("200000,", "lots,"), [], "opps.csv line 3, column 'amount'"),
        (
            _OPPS.replace("2026-01-10", "2026-13-10"),
            [],
            "opps.csv line 3, column 'opened': no such day (got '2026-13-10')",
        ),
        (_OPPS + "O5,A9,li\n", [], "opps.csv line 6: malformed row"),
        (_OPPS, ["--view", "stale"], "needs --as-of"),
        (_OPPS, ["--view", "stale", "--as-of", "31/12/2026"], "not a valid date"),
        (_OPPS, ["--playbook", "nope"], "no preset or file named 'nope'"),
    ],
)
def test_bad_forecast_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, extra: list[str], fragment: str
) -> None:
    path = _write(tmp_path, text, "opps.csv")
    code, _, err = run(capsys, "forecast", path, *extra)
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1


def test_forecast_of_a_missing_file_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "forecast", str(tmp_path / "none.csv"))
    assert code == 2
    assert "none.csv: no such file" in err


# -- archive --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kamcore.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    run_demo(out=out, accounts=30)
    return out


def test_archive_verify_history_show_and_reviews(
    capsys: pytest.CaptureFixture[str], demo_dir: Path
) -> None:
    db = str(demo_dir / "archive.db")
    code, out, _ = run(capsys, "archive", "--db", db, "verify", "--format", "json")
    assert code == 0
    checks = json.loads(out)
    assert len(checks) == 30
    assert all(c["ok"] for c in checks)
    code, out, _ = run(capsys, "archive", "--db", db, "history", "A0001", "--format", "json")
    history = json.loads(out)
    assert [h["sequence"] for h in history] == list(range(1, len(history) + 1))
    assert history[0]["reason"] == "created"
    code, out, _ = run(capsys, "archive", "--db", db, "show", "A0001", "--format", "json")
    fields = {r["field"]: r["value"] for r in json.loads(out)}
    assert fields["id"] == "A0001"
    assert fields["grade"] in {"A", "B", "C", "D"}
    code, out, _ = run(
        capsys, "archive", "--db", db, "due-reviews", "--as-of", "2026-11-01", "--format", "csv"
    )
    assert code == 0
    assert out.splitlines()[0] == "dossier_id,name,grade,last_review,due,days_overdue"


def test_archive_due_reviews_follow_the_review_policy_given(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path
) -> None:
    db = str(demo_dir / "archive.db")
    due = ["archive", "--db", db, "due-reviews", "--as-of", "2026-11-01", "--format", "json"]
    code, out, _ = run(capsys, *due)
    assert code == 0
    source = {r["dossier_id"]: r for r in json.loads(out)}
    code, out, _ = run(capsys, *due, "--policy", "archive_reviews_source")
    assert {r["dossier_id"]: r for r in json.loads(out)} == source
    quarterly = tmp_path / "reviews.toml"
    quarterly.write_text('kind = "review_policy"\ncycle_months = 3\n', encoding="utf-8")
    code, out, _ = run(capsys, *due, "--policy", str(quarterly))
    assert code == 0
    late = json.loads(out)
    # a review every three months falls due a month after the two-monthly one
    assert {r["dossier_id"] for r in late} < set(source)
    for r in late:
        assert r["days_overdue"] < source[r["dossier_id"]]["days_overdue"]
        assert r["last_review"] == source[r["dossier_id"]]["last_review"]
    code, out, err = run(capsys, *due, "--policy", "rebate_source")
    assert code == 2
    assert out == ""
    assert "wrong policy kind" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["--db", "{db}"], ["--format", "json"]),
        ([], ["--db", "{db}", "--format", "json"]),
        (["--db", "{db}", "--format", "json"], []),
        (["--format", "json"], ["--db", "{db}"]),
        (["--db", "/no/such.db", "--format", "csv"], ["--db", "{db}", "--format", "json"]),
    ],
)
def test_archive_options_go_before_or_after_the_action(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, before: list[str], after: list[str]
) -> None:
    """``--db`` and the output options belong to ``archive``: either side of the action."""
    db = str(demo_dir / "archive.db")
    argv = [a.replace("{db}", db) for a in ["archive", *before, "verify", "A0001", *after]]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    # one given after the action wins over one given before it
    (check,) = json.loads(out)
    assert check["dossier_id"] == "A0001"
    assert check["ok"] is True


def test_archive_without_a_db_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "archive", "verify")
    assert (code, out) == (2, "")
    assert err == (
        "kamcore: error: archive verify needs --db FILE|URL, the SQLite archive file or a "
        "postgresql:// URL\n"
    )


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["policy", "--format", "json", "validate", "{path}"], "json"),
        (["policy", "validate", "{path}", "--format", "json"], "json"),
        (["policy", "--format", "csv", "validate", "{path}", "--format", "json"], "json"),
        (["policy", "--lang", "zh", "validate", "{path}"], "zh"),
        (["policy", "validate", "{path}", "--lang", "zh"], "zh"),
    ],
)
def test_policy_output_options_go_before_or_after_the_action(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], shown: str
) -> None:
    path = _write(tmp_path, 'kind = "review_policy"\ncycle_months = 3\n', "reviews.toml")
    code, out, err = run(capsys, *(a.replace("{path}", path) for a in argv))
    assert (code, err) == (0, "")
    if shown == "json":
        assert json.loads(out) == [{"file": path, "kind": "review_policy", "valid": True}]
    else:
        assert out.split()[:3] == ["文件", "类型", "有效"]


@pytest.fixture(scope="module")
def loans_db(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> str:
    """The demo's archive with three loans recorded on 2026-10-31 (UTC+8), four hours each.

    L-1 came back at noon; L-2, lent at 14:00, was due at 18:00 and is still out; L-3,
    lent at 22:00, is due at 02:00 the next day.
    """
    import shutil
    from datetime import datetime, timedelta, timezone

    from kamcore.archive import SOURCE_LENDING_POLICY, Borrower, Role, lend, return_loan
    from kamcore.store import SQLiteRepository

    path = tmp_path_factory.mktemp("loans") / "archive.db"
    shutil.copy(demo_dir / "archive.db", path)
    cst = timezone(timedelta(hours=8))
    chen = Borrower("陈总", Role.EXECUTIVE)  # executives borrow unclassified dossiers directly
    with SQLiteRepository(path) as store:
        for n, (key, hour) in enumerate((("A0001", 9), ("A0002", 14), ("A0003", 22)), 1):
            dossier = store.get(key)
            at = datetime(2026, 10, 31, hour, tzinfo=cst)
            loan, _ = lend(SOURCE_LENDING_POLICY, dossier, chen, at=at, hours=4, loan_id=f"L-{n}")
            store.record_loan(loan)
            if n == 1:
                store.record_loan(return_loan(loan, at=at + timedelta(hours=3))[0])
    return str(path)


def test_archive_loans_lists_the_register_and_its_overdue_loans(
    capsys: pytest.CaptureFixture[str], loans_db: str
) -> None:
    as_of = ["--as-of", "2026-11-01T00:00+08:00", "--format", "json"]
    code, out, err = run(capsys, "archive", "--db", loans_db, "loans", *as_of)
    assert code == 0, err
    loans = {loan["id"]: loan for loan in json.loads(out)}
    assert sorted(loans) == ["L-1", "L-2", "L-3"]
    assert {k: v["overdue"] for k, v in loans.items()} == {
        "L-1": False,  # returned
        "L-2": True,  # due 18:00, still out at midnight
        "L-3": False,  # due 02:00
    }
    assert loans["L-1"]["returned_at"] == "2026-10-31T12:00:00+08:00"
    assert loans["L-2"]["due_at"] == "2026-10-31T18:00:00+08:00"
    assert loans["L-2"]["returned_at"] is None
    assert loans["L-3"]["borrower"] == "陈总"
    code, out, _ = run(capsys, "archive", "--db", loans_db, "loans", "--overdue", *as_of)
    assert code == 0
    assert [loan["id"] for loan in json.loads(out)] == ["L-2"]
    code, out, _ = run(capsys, "archive", "--db", loans_db, "loans", "A0002", *as_of)
    assert [loan["id"] for loan in json.loads(out)] == ["L-2"]


def test_archive_verify_exits_1_when_a_byte_of_history_was_altered(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, tmp_path: Path
) -> None:
    import shutil
    import sqlite3

    db = tmp_path / "archive.db"
    shutil.copy(demo_dir / "archive.db", db)
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER revisions_append_only_update")
    con.execute(
        "UPDATE revisions SET reason = reason || '.' WHERE dossier_id = 'A0002' AND sequence = 2"
    )
    con.commit()
    con.close()
    code, out, _ = run(capsys, "archive", "--db", str(db), "verify", "A0002", "--format", "json")
    assert code == 1
    (check,) = json.loads(out)
    assert check["ok"] is False
    assert check["first_bad"] == 2


@pytest.fixture(scope="module")
def classified_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from datetime import UTC, date, datetime, timedelta

    import attrs

    from kamcore.archive import Confidentiality, Contact, Dossier, create, revise
    from kamcore.store import SQLiteRepository

    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
    wang = Contact(
        id="wang", name="王总", spouse="李女士", birth_date=date(1968, 5, 1), phone="13800138001"
    )
    path = tmp_path_factory.mktemp("classified") / "archive.db"
    with SQLiteRepository(path) as store:
        for key, level in (
            ("K-TOP", Confidentiality.TOP_SECRET),
            ("K-CONF", Confidentiality.CONFIDENTIAL),
            ("K-OPEN", Confidentiality.UNCLASSIFIED),
        ):
            d, first = create(
                Dossier(id=key, name="某集团", confidentiality=level, contacts=(wang,)),
                by="li",
                at=t0,
            )
            store.add(first)
            moved = attrs.evolve(wang, address="秘密花园1号")
            _, second = revise(d, {"contacts": (moved,)}, by="li", at=t0 + timedelta(days=1))
            store.add(second)
    return str(path)


@pytest.mark.parametrize("action", ["show", "history"])
def test_archive_show_and_history_redact_personal_data_unless_asked(
    capsys: pytest.CaptureFixture[str], classified_db: str, action: str
) -> None:
    code, out, _ = run(
        capsys, "archive", "--db", classified_db, action, "K-OPEN", "--format", "json"
    )
    assert code == 0
    assert "王总" in out
    assert "138****8001" in out  # a mobile number is personal information: masked
    for personal in ("李女士", "1968-05-01", "秘密花园", "13800138001"):
        assert personal not in out
    code, out, _ = run(
        capsys,
        "archive",
        "--db",
        classified_db,
        action,
        "K-OPEN",
        "--unredacted",
        "--format",
        "json",
    )
    assert code == 0
    for personal in ("李女士", "1968-05-01", "秘密花园", "13800138001"):
        assert personal in out


@pytest.mark.parametrize("action", ["show", "history"])
def test_archive_show_and_history_read_what_the_lending_policy_given_allows(
    capsys: pytest.CaptureFixture[str], classified_db: str, tmp_path: Path, action: str
) -> None:
    from kamcore.presets import preset_text

    source = preset_text("archive_lending_source")
    strict = 'level = "confidential"\nreadable = true\nread_outside = false\n'
    assert strict in source
    lenient = tmp_path / "lending.toml"
    lenient.write_text(source.replace(strict, strict.replace("false", "true")), encoding="utf-8")
    read = ["archive", "--db", classified_db, action, "K-CONF", "--format", "json"]
    code, _, err = run(capsys, *read)
    assert code == 2
    assert "机密" in err
    code, out, err = run(capsys, *read, "--policy", str(lenient))
    assert code == 0, err
    assert "王总" in out
    assert "李女士" not in out  # still redacted


@pytest.mark.parametrize("action", ["show", "history"])
@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("K-TOP", "绝密 dossiers are never lent or read outside"),
        ("K-CONF", "机密 dossiers are read only in the archive room"),
    ],
)
def test_archive_show_and_history_refuse_top_secret_and_confidential_dossiers(
    capsys: pytest.CaptureFixture[str], classified_db: str, action: str, key: str, rule: str
) -> None:
    for extra in ((), ("--unredacted",)):
        code, out, err = run(capsys, "archive", "--db", classified_db, action, key, *extra)
        assert code == 2
        assert out == ""
        assert rule in err
        assert key in err
        assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["archive", "--db", "/no/such.db", "verify"], "no archive database"),
        (["archive", "--db", "{db}", "show"], "needs a dossier KEY"),
        (["archive", "--db", "{db}", "show", "Z999"], "No dossier with key 'Z999'"),
        (["archive", "--db", "{db}", "due-reviews"], "needs --as-of DATE"),
        (["archive", "--db", "{db}", "loans", "--overdue"], "needs --as-of DATETIME"),
        (["archive", "--db", "{db}", "loans", "--as-of", "2026-11-01"], "UTC offset"),
    ],
)
def test_bad_archive_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], demo_dir: Path, argv: list[str], fragment: str
) -> None:
    args = [a.replace("{db}", str(demo_dir / "archive.db")) for a in argv]
    code, _, err = run(capsys, *args)
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1


# -- grade and pareto -----------------------------------------------------------------

_ACCOUNTS = """id,sales_revenue,collected,invoiced
A1,500,90,100
A2,300,100,100
A3,150,50,100
A4,50,100,100
"""


def test_pareto_classes_follow_cumulative_share(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from decimal import Decimal

    path = _write(tmp_path, _ACCOUNTS)
    code, out, _ = run(
        capsys, "pareto", path, "--by", "sales_revenue", "--view", "accounts", "--format", "json"
    )
    assert code == 0
    rows = json.loads(out)
    # independently: total 1000; cumulative before each account: 0, .5, .8, .95
    assert [r["account_id"] for r in rows] == ["A1", "A2", "A3", "A4"]
    assert [Decimal(r["cumulative_share"]) for r in rows] == [
        Decimal("0.5"),
        Decimal("0.8"),
        Decimal("0.95"),
        Decimal("1"),
    ]
    assert [r["class"] for r in rows] == ["A", "A", "B", "C"]
    code, out, _ = run(capsys, "pareto", path, "--by", "sales_revenue", "--format", "json")
    classes = {c["class"]: c for c in json.loads(out)}
    assert Decimal(classes["A"]["share"]) == Decimal("0.8")
    assert classes["A"]["count"] == 2
    assert sum(Decimal(c["share"]) for c in classes.values()) == 1


_SCORED = (
    "id,contract_volume,unit_price,sales_revenue,invoiced,collected,profit,"
    "quality_losses,industry_influence,business_reputation\n"
    "A1,10000000,60,50000000,100,100,5000000,0,10,5\n"
    "A2,5000000,50,25000000,100,75,2500000,10000,5,3\n"
    "A3,0,40,0,100,50,0,200000,0,1\n"
    "A4,8000000,56,40000000,100,90,4000000,1,8,4\n"
)


def test_grade_scores_accounts_as_the_scorecard_arithmetic_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, _SCORED)
    absolute = ["--policy", "grading_scorecard_absolute"]  # fixed bounds, worked by hand
    code, out, err = run(capsys, "grade", path, "--format", "json", "--explain", *absolute)
    assert code == 0, err
    rows = {r["account_id"]: r for r in json.loads(out)}
    # By hand, with the grading_scorecard_absolute preset: each criterion's normalised value
    # (0–1) × its weight × 100. Weights: volume .15, unit price .10, revenue .20,
    # collection rate .15, profit .15, quality losses .10, influence .10, reputation .05.
    # Linear bounds: volume 0–10M, revenue 0–50M, collection rate 0.5–1, profit 0–5M,
    # influence 0–10; unit price min–max over the file (40–60); quality-loss steps
    # 0 / ≥1 .25 / ≥10,000 .5 / ≥200,000 1, lower is better (1 − step); reputation
    # 1–5 → .2–1.
    # A1 is at every upper bound: 100. A2 is halfway everywhere (collected 75 of 100 is
    # halfway between .5 and 1; losses 10,000 → 1 − .5) but reputation 3 → .6:
    # .5 × .95 + .6 × .05 = .505. A3 scores only reputation 1 → .2 × .05 = .01.
    # A4 is at .8 everywhere except losses 1 → .75: .8 × .90 + .75 × .10 = .795.
    assert {k: r["score"] for k, r in rows.items()} == {
        "A1": "100.00",
        "A2": "50.50",
        "A3": "1.00",
        "A4": "79.50",
    }
    # the letter ladder: A from 85, B from 70, C from 55
    assert {k: r["grade"] for k, r in rows.items()} == {"A1": "A", "A2": "D", "A3": "D", "A4": "B"}
    assert rows["A2"]["sales_revenue.contribution"] == "10.00"  # .5 × .20 × 100
    assert rows["A2"]["business_reputation.contribution"] == "3.00"  # .6 × .05 × 100
    assert rows["A4"]["quality_losses.contribution"] == "7.50"  # .75 × .10 × 100
    assert rows["A4"]["collection_rate.contribution"] == "12.00"  # .8 × .15 × 100
    # ABC by revenue: A1 carries 50 of 115 million (class A), A3 none (class C)
    assert rows["A1"]["abc"] == "A"
    assert rows["A3"]["abc"] == "C"


def test_grade_explains_every_score_of_the_demo_book(
    capsys: pytest.CaptureFixture[str], demo_dir: Path
) -> None:
    code, out, err = run(
        capsys, "grade", str(demo_dir / "accounts.csv"), "--format", "json", "--explain"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 30
    for r in rows:
        contributions = [Decimal(v) for k, v in r.items() if k.endswith(".contribution")]
        assert len(contributions) == 8
        assert abs(sum(contributions) - Decimal(r["score"])) <= Decimal("0.01")
        assert r["grade"] in {"A", "B", "C", "D"}
        assert r["abc"] in {"A", "B", "C"}
    code, out, _ = run(
        capsys,
        "grade",
        str(demo_dir / "accounts.csv"),
        "--ladder",
        "grading_tiers",
        "--abc",
        "none",
        "--format",
        "csv",
    )
    header = out.splitlines()[0]
    assert header == "account_id,score,grade"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            ["pareto", "{path}", "--by", "sales_revenu"],
            "no column for 'sales_revenu'; did you mean 'sales_revenue'?",
        ),
        (
            ["pareto", "{path}", "--by", "sales_revenue", "--policy", "rebate_source"],
            "wrong policy kind",
        ),
        (["grade", "{path}", "--policy", "grading_letters"], "not a scoring model"),
        (["grade", "{path}", "--policy", "nope"], "no preset or file named 'nope'"),
    ],
)
def test_bad_grading_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], fragment: str
) -> None:
    path = _write(tmp_path, _ACCOUNTS)
    code, _, err = run(capsys, *[a.replace("{path}", path) for a in argv])
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1


def test_grading_a_file_without_the_models_columns_names_each_absent_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "grade", _write(tmp_path, _ACCOUNTS))
    assert code == 2
    assert out == ""
    absent = [
        "contract_volume",
        "unit_price",
        "profit",
        "quality_losses",
        "industry_influence",
        "business_reputation",
    ]
    assert err.splitlines() == [
        f"kamcore: error: accounts.csv header: no column for {name!r}; expected a column "
        f"headed {name!r}, or a column map that names yours ([columns] {name} = [...])"
        for name in absent
    ]


def test_a_negative_figure_is_reported_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, _ACCOUNTS.replace("A3,150", "A3,-150"))
    code, _, err = run(capsys, "pareto", path, "--by", "sales_revenue")
    assert code == 2
    assert "negative" in err or "-150" in err
    path = _write(tmp_path, _SCORED.replace("A3,0,40,0,", "A3,0,40,(5),"), "scored.csv")
    code, _, err = run(capsys, "grade", path, "--abc", "none")
    assert code == 2
    assert err == (
        "kamcore: error: scored.csv line 4, column 'sales_revenue': negative figure "
        "(got '(5)'); expected zero or more\n"
    )


# -- every subcommand in every format and language -----------------------------------

_MATRIX: dict[str, tuple[list[str], str | None]] = {
    # name: (arguments, a Chinese heading a --lang zh table must show)
    "policy list": (["policy", "list"], "名称"),
    # a preset's TOML is the same text in either language
    "policy show": (["policy", "show", "rebate_source"], None),
    "policy validate": (["policy", "validate", "{policy}"], "文件"),
    "rebate": (["rebate", "--sales", "200000", "--collected", "180000", "--explain"], "返点率"),
    "pareto": (["pareto", "{accounts}", "--by", "sales_revenue"], "客户数"),
    "grade": (["grade", "{book}"], "等级"),
    "forecast": (["forecast", "{opps}"], "预测类别"),
    "archive": (["archive", "--db", "{db}", "verify"], "链完整"),
    "demo": (["demo", "--accounts", "3", "--out", "{out}"], "客户数"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("command", list(_MATRIX))
def test_every_subcommand_honours_format_and_lang(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    demo_dir: Path,
    command: str,
    fmt: str,
    lang: str,
) -> None:
    import csv
    import io

    from kamcore.presets import preset_path

    places = {
        "{policy}": str(preset_path("rebate_source")),
        "{accounts}": _write(tmp_path, _ACCOUNTS),
        "{book}": str(demo_dir / "accounts.csv"),
        "{opps}": _write(tmp_path, _OPPS, "opps.csv"),
        "{db}": str(demo_dir / "archive.db"),
        "{out}": str(tmp_path / "demo"),
    }
    argv, zh_heading = _MATRIX[command]
    argv = [places.get(a, a) for a in argv]
    code, out, err = run(capsys, *argv, "--format", fmt, "--lang", lang)
    assert code == 0, err
    if fmt == "json":
        data = json.loads(out)
        records = data if isinstance(data, list) else [{"field": "", "value": ""}]
        assert records
        assert all(isinstance(r, dict) for r in records)
        code, csv_out, _ = run(capsys, *argv, "--format", "csv", "--lang", lang)
        # the CSV has a header row with the same keys as the JSON records
        assert next(csv.reader(io.StringIO(csv_out))) == list(records[0])
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) >= 2
        assert all(len(r) == len(rows[0]) for r in rows)
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(rows[0]))
    elif zh_heading is not None:
        assert (zh_heading in out) == (lang == "zh")


# -- docs/cli.md: every console example runs and prints what the page shows ---------

_CLI_PAGE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
_FILE_BLOCK = re.compile(r'^```\w* title="([^"]+)"\n(.*?)^```', re.MULTILINE | re.DOTALL)
_CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _console_examples(text: str) -> list[tuple[str, str]]:
    """Every ``$ command`` of the page's console blocks, with the output shown below it."""
    examples: list[tuple[str, list[str]]] = []
    for block in _CONSOLE_BLOCK.findall(text):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            else:
                examples[-1][1].append(line)
    return [(command, "\n".join(lines) + "\n") for command, lines in examples]


def test_the_cli_page_has_examples_of_every_subcommand() -> None:
    commands = [c for c, _ in _console_examples(_CLI_PAGE.read_text(encoding="utf-8"))]
    assert all(c.startswith(("kamcore ", "echo $?")) for c in commands)
    shown = {c.split()[1] for c in commands if c.startswith("kamcore ")}
    assert shown >= set(_subcommand_names())


def test_every_console_example_in_the_cli_docs_prints_what_the_page_shows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import doctest
    import shlex

    text = _CLI_PAGE.read_text(encoding="utf-8")
    for name, content in _FILE_BLOCK.findall(text):
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checker = doctest.OutputChecker()
    status = 0
    examples = _console_examples(text)
    assert len(examples) > 10
    for command, want in examples:
        if command == "echo $?":
            got = f"{status}\n"
        else:
            argv = shlex.split(command)
            assert argv[0] == "kamcore"
            status, out, err = run(capsys, *argv[1:])
            got = out + err
            if status:
                assert out == ""
                assert err.count("\n") >= 1
                assert all(line.startswith("kamcore") for line in err.splitlines())
        assert checker.check_output(want, got, doctest.ELLIPSIS), (
            f"$ {command}\n--- the page shows:\n{want}--- the command printed:\n{got}"
        )


def test_the_cli_module_exports_exactly_its_public_functions() -> None:
    import inspect

    import kamcore.cli as cli

    defined = {
        name
        for name, value in vars(cli).items()
        if (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == cli.__name__
        and not name.startswith("_")
    }
    assert defined == set(cli.__all__) == {"build_parser", "main"}
    assert all(inspect.getdoc(getattr(cli, name)) for name in cli.__all__)
