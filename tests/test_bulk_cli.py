"""``kamcore grade`` and ``kamcore pareto`` on every engine give the same bytes.

The book is a company's Excel export (Chinese headings, ``¥`` and ``1,234.56`` cells),
written by ``benchmarks/bench_tables.py``; the exact engine's output is the reference.
The Dask engine runs on a local cluster of its own once (``--partitions``) and
otherwise on an in-process cluster given by ``--scheduler``.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pandas", reason="the columnar engine needs the frames extra (pandas)")
pytest.importorskip("pyarrow", reason="the columnar engine needs the frames extra (pyarrow)")

from kamcore.cli import _bulk, main

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_tables.py"
COLUMNS = ("--columns", "presets:columns_source")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own exits
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> str:
    """300 accounts as a company exports them: a BOM, Chinese headings, Excel-style cells."""
    spec = importlib.util.spec_from_file_location("bench_tables_for_tests", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.BLANK_SHARE = 0  # every figure present: the default card refuses a blank one
    path = tmp_path_factory.mktemp("book") / "客户.csv"
    counts = bench.write_accounts_csv(path, 300, seed=11)
    assert counts["excel_style"] > 0
    assert counts["blank"] == 0
    return str(path)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of an in-process Dask cluster (two workers), for ``--scheduler``."""
    distributed = pytest.importorskip(
        "distributed", reason="--engine dask needs the dask extra: pip install 'kamcore[dask]'"
    )
    pytest.importorskip("dask.dataframe", reason="--engine dask needs the dask extra")
    # ":0", not None: the scheduler's HTTP server would take port 8787 and fail to start
    # when another cluster (another test run) holds it
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    yield str(cluster.scheduler_address)
    cluster.close()


def _engine(name: str, scheduler: str | None) -> list[str]:
    if name != "dask":
        return ["--engine", name]
    assert scheduler is not None
    return ["--engine", "dask", "--scheduler", scheduler, "--partitions", "3"]


def _same_on_every_engine(
    capsys: pytest.CaptureFixture[str], scheduler: str | None, *argv: str
) -> str:
    """Run ``argv`` on each engine; assert the same exit, stdout and an empty stderr."""
    code, want, err = run(capsys, *argv, "--engine", "exact")
    assert (code, err) == (0, "")
    assert want
    for engine in ("columnar", "dask"):
        code, out, err = run(capsys, *argv, *_engine(engine, scheduler))
        assert (code, err) == (0, ""), engine
        assert out == want, engine
    return want


# -- grade ----------------------------------------------------------------------------


def test_every_engine_writes_the_same_csv_on_its_own_local_cluster(
    capsys: pytest.CaptureFixture[str], book: str
) -> None:
    pytest.importorskip("distributed", reason="--engine dask needs the dask extra")
    argv = ("grade", book, *COLUMNS, "--format", "csv")
    code, want, err = run(capsys, *argv, "--engine", "exact")
    assert (code, err) == (0, "")
    assert want.splitlines()[0] == "account_id,name,region,owner,score,grade,abc"
    assert len(want.splitlines()) == 301
    assert "上海" in want or "北京" in want
    for engine in (["--engine", "columnar"], [], ["--engine", "dask", "--partitions", "3"]):
        code, out, err = run(capsys, *argv, *engine)
        assert (code, err) == (0, ""), engine
        assert out == want, engine


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "csv", "--explain"],
        ["--format", "csv", "--abc", "none"],
        ["--format", "csv", "--by", "score"],
        ["--format", "csv", "--abc", "grading_abc_water"],
        ["--format", "csv", "--abc", "grading_top20", "--ladder", "grading_tiers"],
        ["--format", "csv", "--policy", "grading_scorecard_absolute", "--quiet"],
        ["--format", "json", "--explain"],
        ["--format", "table", "--abc", "grading_abc_water_cumulative"],
        ["--format", "csv", "--bom"],
    ],
    ids=" ".join,
)
def test_grade_options_give_the_same_output_on_every_engine(
    capsys: pytest.CaptureFixture[str], book: str, scheduler: str, options: list[str]
) -> None:
    out = _same_on_every_engine(capsys, scheduler, "grade", book, *COLUMNS, *options)
    if "--explain" in options:
        assert "collection_rate.contribution" in out
    if "none" in options:
        assert "abc" not in out.splitlines()[0]


def test_a_refused_measure_is_refused_alike_on_every_engine(
    capsys: pytest.CaptureFixture[str], book: str, scheduler: str
) -> None:
    # profit is negative for some accounts: ABC can't rank by it
    argv = ("grade", book, *COLUMNS, "--format", "csv", "--by", "profit")
    code, _, _ = run(capsys, *argv, "--engine", "exact")
    if code == 0:
        pytest.skip("no negative profit in this book")  # pragma: no cover - seed 11 has some
    for engine in ("columnar", "dask"):
        code2, out2, err2 = run(capsys, *argv, *_engine(engine, scheduler))
        assert (code2, out2) == (2, ""), engine
        assert err2.count("\n") == 1
        assert "negative measure" in err2


def _save_fitted(
    capsys: pytest.CaptureFixture[str], book: str, scheduler: str, tmp_path: Path
) -> dict[str, tuple[str, bytes]]:
    written = {}
    for engine in ("exact", "columnar", "dask"):
        target = tmp_path / f"{engine}.toml"
        argv = ("grade", book, *COLUMNS, "--format", "csv", "--save-fitted", str(target))
        code, out, err = run(capsys, *argv, *_engine(engine, scheduler))
        assert (code, err) == (0, ""), engine
        written[engine] = (out, target.read_bytes())
    return written


def test_save_fitted_saves_the_same_model_on_every_engine(
    capsys: pytest.CaptureFixture[str], book: str, scheduler: str, tmp_path: Path
) -> None:
    from kamcore import codec

    written = _save_fitted(capsys, book, scheduler, tmp_path)
    models = {e: codec.loads_policy(w[1].decode("utf-8")) for e, w in written.items()}
    assert models["columnar"] == models["exact"]
    assert models["dask"] == models["exact"]
    assert written["columnar"][0] == written["exact"][0]
    assert written["dask"][0] == written["exact"][0]
    # each saved model grades the book again to the same grades
    for engine in ("exact", "columnar"):
        saved = str(tmp_path / f"{engine}.toml")
        argv = ("grade", book, *COLUMNS, "--format", "csv", "--policy", saved)
        code, out, err = run(capsys, *argv, "--engine", engine)
        assert (code, err) == (0, "")
        assert out == written["exact"][0]


@pytest.mark.xfail(
    strict=True,
    reason="documented difference (docs/bigdata.md): "
    "--save-fitted on the bulk engines writes fitted bounds by their float's repr: "
    'a percentile step at "478828.30" on the exact engine is "478828.3" (equal models, '
    "different bytes)",
)
def test_save_fitted_writes_the_same_bytes_on_every_engine(
    capsys: pytest.CaptureFixture[str], book: str, scheduler: str, tmp_path: Path
) -> None:
    written = _save_fitted(capsys, book, scheduler, tmp_path)
    assert written["columnar"] == written["exact"]
    assert written["dask"] == written["exact"]


# -- pareto ---------------------------------------------------------------------------

_VIEWS = ["classes", "concentration"]
_ACCOUNTS = pytest.param(
    "accounts",
    marks=pytest.mark.xfail(
        strict=True,
        reason="documented difference (docs/bigdata.md; pareto of an account file defaults to "
        "exact): pareto on the bulk engines shows each measure as its float's repr "
        "(Decimal(repr(v))): 40928710.90 in the file is shown as 40928710.9, 0.00 as "
        "0.0 — the exact engine keeps the cell's places",
    ),
)


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("view", [*_VIEWS, _ACCOUNTS])
def test_pareto_gives_the_same_output_on_every_engine(
    capsys: pytest.CaptureFixture[str], book: str, scheduler: str, view: str, fmt: str
) -> None:
    argv = ("pareto", book, *COLUMNS, "--by", "sales_revenue", "--view", view, "--format", fmt)
    _same_on_every_engine(capsys, scheduler, *argv)


@pytest.mark.parametrize("view", [*_VIEWS, "accounts"])
def test_pareto_by_a_policy_and_a_heading_agrees_with_exact(
    capsys: pytest.CaptureFixture[str], book: str, view: str
) -> None:
    # contract volume: the other engines differ only where the measure's shown places
    # differ (see the xfail above), so compare what the view is about: classes and ranks
    argv = ("pareto", book, *COLUMNS, "--by", "contract_volume", "--policy", "grading_abc_water")
    argv = (*argv, "--view", view, "--format", "csv")
    code, want, err = run(capsys, *argv, "--engine", "exact")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, *argv, "--engine", "columnar")
    assert (code, err) == (0, "")
    assert _without_measure(out) == _without_measure(want)


def _without_measure(text: str) -> list[list[str]]:
    rows = [line.split(",") for line in text.splitlines()]
    if "measure" not in rows[0]:
        return [[c for c in r if c] for r in rows if r[0] != "total"]
    at = rows[0].index("measure")
    return [r[:at] + r[at + 1 :] for r in rows]


@pytest.mark.xfail(
    strict=True,
    reason="documented difference (docs/bigdata.md): "
    "pareto on the bulk engines shows measures and class sums by their float's "
    "repr: 100.00 → 100, 20.10 → 20.1, a class sum of 150.50 → 150.5, an empty 0 → 0.0",
)
@pytest.mark.parametrize("view", ["classes", "accounts", "concentration"])
def test_pareto_keeps_the_places_of_the_cells_as_the_exact_engine_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, view: str
) -> None:
    path = tmp_path / "small.csv"
    path.write_text("客户编号,销售收入\nA,100.00\nB,50.50\nC,20.10\nD,0\n", encoding="utf-8")
    argv = ("pareto", str(path), *COLUMNS, "--by", "sales_revenue", "--view", view)
    code, want, _ = run(capsys, *argv, "--format", "csv", "--engine", "exact")
    assert code == 0
    code, out, _ = run(capsys, *argv, "--format", "csv", "--engine", "columnar")
    assert code == 0
    assert out == want


# -- options and errors -----------------------------------------------------------------


def _one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, ""), err
    assert err.startswith("kamcore: error: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--partitions", "3"], "--partitions is an option of --engine dask"),
        (["--engine", "exact", "--partitions", "3"], "--partitions is an option of --engine dask"),
        (["--engine", "columnar", "--scheduler", "tcp://x:1"], "--scheduler is an option"),
        (["--period", "2026-01-01..2026-06-30"], "give it with --lines"),
        (["--engine", "exact", "--period", "2026-01-01..2026-06-30"], "give it with --lines"),
        (["--lines", "--period", "2026-01-01"], "expected FROM..TO"),
        (["--save-fitted", "model.txt"], "expected a name ending in .toml"),
    ],
)
def test_bad_engine_options_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], book: str, argv: list[str], fragment: str
) -> None:
    err = _one_line_error(capsys, "grade", book, *COLUMNS, *argv)
    assert fragment in err


def test_zero_partitions_are_refused(capsys: pytest.CaptureFixture[str], book: str) -> None:
    pytest.importorskip("distributed", reason="--engine dask needs the dask extra")
    err = _one_line_error(capsys, "grade", book, *COLUMNS, "--engine", "dask", "--partitions", "0")
    assert "at least 1" in err


def test_pareto_refuses_engine_options_alike(capsys: pytest.CaptureFixture[str], book: str) -> None:
    err = _one_line_error(capsys, "pareto", book, *COLUMNS, "--by", "profit", "--partitions", "2")
    assert "--partitions is an option of --engine dask" in err
    err = _one_line_error(
        capsys, "pareto", book, *COLUMNS, "--by", "profit", "--period", "2026-01-01..2026-01-31"
    )
    assert "give it with --lines" in err


def test_the_columnar_engine_without_pandas_exits_2_naming_the_extra(
    capsys: pytest.CaptureFixture[str], book: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_bulk, "_installed", lambda *names: False)
    err = _one_line_error(capsys, "grade", book, *COLUMNS, "--engine", "columnar")
    assert "pip install 'kamcore[frames]'" in err
    err = _one_line_error(capsys, "pareto", book, *COLUMNS, "--by", "profit", "--engine", "dask")
    assert "pip install 'kamcore[dask]'" in err
    # without --engine, the exact engine runs
    code, out, err = run(capsys, "grade", book, *COLUMNS, "--format", "csv")
    assert (code, err) == (0, "")
    assert out.startswith("account_id,")


def test_the_dask_engine_without_dask_exits_2_naming_the_extra(
    capsys: pytest.CaptureFixture[str], book: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    present = _bulk._installed
    monkeypatch.setattr(_bulk, "_installed", lambda *names: "dask" not in names and present(*names))
    err = _one_line_error(capsys, "grade", book, *COLUMNS, "--engine", "dask")
    assert "pip install 'kamcore[dask]'" in err
    code, _, err = run(capsys, "grade", book, *COLUMNS, "--format", "csv", "--engine", "columnar")
    assert (code, err) == (0, "")


def test_quiet_is_accepted_and_changes_nothing_but_the_bar(
    capsys: pytest.CaptureFixture[str], book: str
) -> None:
    code, loud, err = run(capsys, "grade", book, *COLUMNS, "--format", "csv")
    assert (code, err) == (0, "")  # stderr is not a terminal here: no bar
    code, quiet, err = run(capsys, "grade", book, *COLUMNS, "--format", "csv", "--quiet")
    assert (code, err) == (0, "")
    assert quiet == loud
    code, _, err = run(capsys, "pareto", book, *COLUMNS, "--by", "profit", "--quiet")
    assert code in {0, 2}  # accepted by pareto too (profit may be negative)
    assert "unrecognized arguments" not in err


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_the_progress_bar_goes_to_stderr_when_stderr_is_a_terminal(
    book: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("rich", reason="the progress bar needs rich")
    out, err = _Terminal(), _Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["grade", book, *COLUMNS, "--format", "csv", "--engine", "columnar"]) == 0
    assert out.getvalue().startswith("account_id,")
    assert "\x1b" not in out.getvalue()
    assert "kamcore" in err.getvalue()


def test_no_bar_with_quiet_even_on_a_terminal(book: str, monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), _Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["grade", book, *COLUMNS, "--format", "csv", "--quiet"]) == 0
    assert err.getvalue() == ""
    assert "\x1b" not in out.getvalue()
