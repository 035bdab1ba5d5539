"""Bulk grading against what a pandas user writes: the CLI, the exact engine, Dask.

Three parts, each runnable alone (``--only cli,exact,dask``); every input is generated,
seeded, into a temporary folder (or ``--workdir``, where it is kept and reused):

* ``cli`` — ``kamcore grade ACCOUNTS.csv --columns presets:columns_source --engine
  columnar --format csv --out OUT.csv --quiet`` (a fresh ``python -m kamcore`` process)
  on a 1,000,000-row account file (``bench_tables.write_accounts_csv`` with no blank
  cells: the default scorecard refuses a missing figure) against
  ``bulk_pandas_grade.py`` (a fresh process too): the same rules written by hand in
  pandas + numpy, reading the file with ``pandas.read_csv`` (default C parser).
  ``cli_vs_pandas_ratio`` = kamcore wall / pandas wall, ``rss_vs_pandas_ratio`` = the
  two processes' peak resident memory (``ru_maxrss`` of each, from ``os.wait4`` in a
  small launcher process, so this process's own memory does not count).
  The same script with ``read_csv(engine="pyarrow")`` is timed too
  (``cli_vs_pandas_pyarrow_ratio``). Both outputs are compared row by row before
  anything is timed: grades and ABC classes must agree on at least 99.9% of the rows
  (the script rounds in float, kamcore exactly) or the run aborts; the mismatch counts
  are reported.
* ``exact`` — the same command with ``--engine exact`` (Decimal, one object per account)
  on a 200,000-row file: wall microseconds and peak RSS kilobytes per row (the whole
  process's peak over the rows, interpreter included; also without the floor, the peak
  of ``kamcore grade --help``); targets 15 µs and 1.5 KB. Its output is checked
  against ``bulk_pandas_grade.py`` on the same file first.
* ``dask`` — 10,000,000 order lines of about 200,000 accounts (a Pareto-skewed number
  of lines each, dated 2025-01-01..2026-06-30, amounts in int64 cents, about 1% of the
  lines returns with negative amounts, a few over-collected) in 16 Parquet files
  sorted by date, so every account's lines are spread over the partitions; groups of
  accounts are given identical total revenue at the 80% and 95% ABC crossings, so the
  tie rule (account id ascending) is exercised across partitions.
  ``kamcore.bulk.grade_lines`` with the presets ``grading_scorecard_lines``,
  ``grading_letters`` and ``grading_abc`` runs on the pandas frame
  (``pandas.read_parquet`` of the folder) and on ``dask.dataframe.read_parquet`` (16
  partitions) computed on a ``distributed.LocalCluster(n_workers=2,
  threads_per_worker=1, processes=True)``; ``dask_equal`` says whether both results are
  equal after sorting by account id, every column, exactly. ``dask_vs_pandas_ratio`` =
  Dask wall (read + grade + compute; cluster start-up excluded and reported apart) /
  the hand-written pandas script ``bulk_pandas_lines.py`` (read the folder, one
  groupby, the same rules read from the same preset files), in this process. The
  kamcore pandas path (read + ``grade_lines``) is reported as
  ``lines_pandas_vs_pandas_ratio``. Grades and classes of the hand-written script are
  compared with kamcore's (mismatches reported, abort above 0.1%).

Timings are best of several repeats (one for the big runs with ``--quick``); the first
run of each path is the correctness check and is not timed.

Usage: python benchmarks/bench_bulk.py [--quick] [--json] [--only cli,exact,dask]
       [--n N] [--exact-n N] [--lines-n N] [--accounts-n N] [--skip-dask] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import bench_tables
import bulk_pandas_grade
import bulk_pandas_lines

HERE = Path(__file__).resolve().parent
COLUMNS = "presets:columns_source"
MAX_MISMATCH = 0.001  # the share of rows where the float baseline may round differently
TARGET_EXACT_US = 15.0
TARGET_EXACT_KB = 1.5
PARTS = ("cli", "exact", "dask")


# -- processes ---------------------------------------------------------------------------


#: Runs a command and writes its wall seconds, peak RSS and exit status to a file. The
#: launcher is a small fresh interpreter between this process and the command because
#: Linux starts a child's ``ru_maxrss`` at the high-water mark of the process it was
#: forked from (kept across exec): measured directly, every command would report at
#: least this benchmark's own peak.
_LAUNCHER = """
import os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as fh:
    fh.write(f"{wall!r} {usage.ru_maxrss} {code}")
"""


def run_child(cmd: list[str]) -> tuple[float, int]:
    """Run ``cmd`` to the end: its wall seconds and peak RSS in KiB (``wait4``)."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        proc = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, report.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        text = Path(report.name).read_text().split()
    if not text or proc.returncode:
        raise ChildFailed(cmd, proc.returncode, proc.stderr.decode(errors="replace"))
    wall, kib, code = float(text[0]), int(text[1]), int(text[2])
    if code:
        raise ChildFailed(cmd, code, proc.stderr.decode(errors="replace"))
    return wall, kib // 1024 if sys.platform == "darwin" else kib


class ChildFailed(RuntimeError):
    """A timed subprocess exited with an error."""

    def __init__(self, cmd: list[str], rc: int, stderr: str) -> None:
        tail = stderr.strip().splitlines()[-5:]
        super().__init__(f"{' '.join(cmd[1:4])}… exited {rc}: {' | '.join(tail)}")


def best_child(cmd: list[str], repeat: int) -> tuple[float, int]:
    """Best wall time and lowest peak RSS of ``repeat`` fresh runs of ``cmd``."""
    runs = [run_child(cmd) for _ in range(repeat)]
    return min(w for w, _ in runs), min(k for _, k in runs)


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def kamcore_grade(src: Path, out: Path, engine: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kamcore",
        "grade",
        str(src),
        "--columns",
        COLUMNS,
        "--engine",
        engine,
        "--format",
        "csv",
        "--out",
        str(out),
        "--quiet",
    ]


def pandas_grade(src: Path, out: Path, engine: str = "c") -> list[str]:
    return [sys.executable, bulk_pandas_grade.__file__, str(src), str(out), "--engine", engine]


# -- the account files -----------------------------------------------------------------


def accounts_csv(folder: Path, n: int) -> tuple[Path, float]:
    """The generated account file of ``n`` rows (no blanks); reused when already there."""
    path = folder / f"accounts-{n}.csv"
    if path.exists():
        return path, 0.0
    bench_tables.BLANK_SHARE = 0.0
    t0 = time.perf_counter()
    partial = path.with_suffix(".part")
    bench_tables.write_accounts_csv(partial, n)
    partial.rename(path)
    return path, time.perf_counter() - t0


def compare_outputs(ours: Path, theirs: Path) -> dict[str, int]:
    """Row-by-row differences of two ``grade`` CSVs (same accounts, same order)."""
    import pandas as pd

    a = pd.read_csv(ours, dtype=str, keep_default_na=False)
    b = pd.read_csv(theirs, dtype=str, keep_default_na=False)
    if len(a) != len(b) or not (a["account_id"].to_numpy() == b["account_id"].to_numpy()).all():
        raise SystemExit(f"bench_bulk: {ours.name} and {theirs.name} hold different accounts")
    diff = {c: int((a[c].to_numpy() != b[c].to_numpy()).sum()) for c in ("score", "grade", "abc")}
    return diff | {"rows": len(a)}


def check_agreement(what: str, diff: dict[str, int]) -> None:
    worst = max(diff["grade"], diff["abc"])
    if worst > MAX_MISMATCH * diff["rows"]:
        raise SystemExit(
            f"bench_bulk: {what}: grades differ on {diff['grade']:,} rows, ABC on "
            f"{diff['abc']:,} of {diff['rows']:,} (more than {MAX_MISMATCH:.1%})"
        )


# -- part: the CLI, columnar engine, against pandas --------------------------------------


def part_cli(folder: Path, n: int, repeat: int) -> dict[str, Any]:
    src, write_s = accounts_csv(folder, n)
    ours, theirs = folder / "cli-kamcore.csv", folder / "cli-pandas.csv"
    kam, pd_c = kamcore_grade(src, ours, "columnar"), pandas_grade(src, theirs)
    pd_arrow = pandas_grade(src, folder / "cli-pandas-arrow.csv", "pyarrow")
    run_child(kam)
    run_child(pd_c)
    diff = compare_outputs(ours, theirs)
    check_agreement("--engine columnar against bulk_pandas_grade.py", diff)
    t_kam, rss_kam = best_child(kam, repeat)
    t_pd, rss_pd = best_child(pd_c, repeat)
    t_arrow, rss_arrow = best_child(pd_arrow, repeat)
    return {
        "n": n,
        "csv_mib": round(src.stat().st_size / 2**20, 1),
        "csv_written_s": round(write_s, 2),
        "cli_columnar_s": round(t_kam, 3),
        "pandas_script_s": round(t_pd, 3),
        "pandas_pyarrow_script_s": round(t_arrow, 3),
        "cli_vs_pandas_ratio": round(t_kam / t_pd, 3),
        "cli_vs_pandas_pyarrow_ratio": round(t_kam / t_arrow, 3),
        "cli_columnar_peak_rss_mb": round(rss_kam / 1024, 1),
        "pandas_script_peak_rss_mb": round(rss_pd / 1024, 1),
        "pandas_pyarrow_script_peak_rss_mb": round(rss_arrow / 1024, 1),
        "rss_vs_pandas_ratio": round(rss_kam / rss_pd, 3),
        "cli_mismatch_score": diff["score"],
        "cli_mismatch_grade": diff["grade"],
        "cli_mismatch_abc": diff["abc"],
    }


# -- part: the exact engine --------------------------------------------------------------


def part_exact(folder: Path, n: int, repeat: int) -> dict[str, Any]:
    src, write_s = accounts_csv(folder, n)
    ours, theirs = folder / "exact-kamcore.csv", folder / "exact-pandas.csv"
    cmd = kamcore_grade(src, ours, "exact")
    run_child(cmd)
    run_child(pandas_grade(src, theirs))
    diff = compare_outputs(ours, theirs)
    check_agreement("--engine exact against bulk_pandas_grade.py", diff)
    t, rss = best_child(cmd, repeat)
    _, floor = run_child([sys.executable, "-m", "kamcore", "grade", "--help"])
    return {
        "exact_n": n,
        "exact_csv_written_s": round(write_s, 2),
        "exact_s": round(t, 3),
        "exact_peak_rss_mb": round(rss / 1024, 1),
        "exact_us_per_row": round(t / n * 1e6, 3),
        "exact_kb_per_row": round(rss / n, 4),
        "cli_floor_peak_rss_mb": round(floor / 1024, 1),
        "exact_kb_per_row_above_floor": round((rss - floor) / n, 4),
        "exact_mismatch_score": diff["score"],
        "exact_mismatch_grade": diff["grade"],
        "exact_mismatch_abc": diff["abc"],
    }


# -- part: order lines, pandas against Dask ----------------------------------------------


def write_order_lines(
    folder: Path, n_lines: int, n_accounts: int, partitions: int, seed: int = 13
) -> dict[str, Any]:
    """Write ``n_lines`` seeded order lines to ``partitions`` Parquet files in ``folder``.

    Columns: ``account_id`` ("C0000001"), ``order_id`` (about three lines per order, one
    date per order), ``order_date`` (datetime64, 2025-01-01..2026-06-30),
    ``sales_revenue``/``invoiced``/``collected``/``profit`` (int64 cents) and
    ``quantity`` (float, three decimals). Returns what was written, with the tie groups.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    weight = rng.pareto(1.1, n_accounts) + 1.0
    counts = 1 + np.floor(weight / weight.sum() * (n_lines - n_accounts)).astype(np.int64)
    short = n_lines - int(counts.sum())
    counts[rng.choice(n_accounts, short, replace=False)] += 1
    acct = np.repeat(np.arange(n_accounts), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(n_lines) - np.repeat(starts, counts)
    orders_per = (counts + 2) // 3
    order_idx = np.repeat(np.cumsum(orders_per) - orders_per, counts) + pos // 3
    days = rng.integers(0, 546, int(orders_per.sum()))  # 2025-01-01 .. 2026-06-30
    date = np.datetime64("2025-01-01", "ns") + days[order_idx].astype("timedelta64[D]")

    revenue = np.round(rng.lognormal(12.6, 1.0, n_lines)).astype(np.int64) + 100
    back = (rng.random(n_lines) < 0.01) & (pos > 0)  # returns, never an account's first line
    revenue[back] = -(revenue[back] // 2)
    invoiced = np.floor(revenue * rng.uniform(0.9, 1.0, n_lines)).astype(np.int64)
    rate = np.where(rng.random(n_lines) < 0.02, rng.uniform(1.0, 1.05, n_lines), 0.0)
    rate = np.where(rate == 0.0, rng.uniform(0.3, 1.0, n_lines), rate)
    collected = np.floor(invoiced * rate).astype(np.int64)
    profit = np.floor(revenue * rng.uniform(-0.1, 0.35, n_lines)).astype(np.int64)
    quantity = np.round(rng.uniform(1.0, 200.0, n_lines), 3) * np.where(back, -1.0, 1.0)

    # no account with a total of zero or less; then tie groups at the ABC crossings
    totals = np.bincount(acct, weights=revenue, minlength=n_accounts).astype(np.int64)
    bad = totals[acct] <= 0
    revenue[bad] = np.abs(revenue[bad])
    totals = np.bincount(acct, weights=revenue, minlength=n_accounts).astype(np.int64)
    ids = np.array([f"C{i + 1:07d}" for i in range(n_accounts)])
    ties = []
    for share, size in ((0.80, 40), (0.95, 40), (0.50, 5)):
        order = np.lexsort((ids, -totals))
        before = np.cumsum(totals[order]) - totals[order]
        cross = int(np.searchsorted(before, share * totals.sum(), side="left")) - 1
        group = order[max(cross - size // 2, 0) : cross + size - size // 2]
        target = int(totals[order[cross]])
        revenue[starts[group]] += target - totals[group]  # each account's first line
        totals[group] = target
        ties.append({"share": share, "accounts": len(group), "total_cents": target})
    order = np.lexsort((ids, -totals))
    before = np.cumsum(totals[order]) - totals[order]
    for tie in ties:
        # the account whose ranked-before share crosses the breakpoint: inside the group?
        cross = int(np.searchsorted(before, tie["share"] * totals.sum(), side="left")) - 1
        tie["crossing_in_group"] = bool(totals[order[cross]] == tie["total_cents"])

    by_date = np.argsort(date, kind="stable")
    order_ids = pa.array(np.char.add("SO", np.arange(len(days)).astype("U9")))
    table = pa.table(
        {
            "account_id": pa.array(ids).take(pa.array(acct[by_date])),
            "order_id": order_ids.take(pa.array(order_idx[by_date])),
            "order_date": pa.array(date[by_date]),
            "sales_revenue": pa.array(revenue[by_date]),
            "invoiced": pa.array(invoiced[by_date]),
            "collected": pa.array(collected[by_date]),
            "profit": pa.array(profit[by_date]),
            "quantity": pa.array(quantity[by_date]),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    step = -(-n_lines // partitions)
    for p in range(partitions):
        pq.write_table(table.slice(p * step, step), folder / f"part-{p:02d}.parquet")
    return {
        "lines": n_lines,
        "accounts": n_accounts,
        "orders": len(days),
        "returns": int(back.sum()),
        "max_lines_per_account": int(counts.max()),
        "ties": ties,
    }


def order_lines(folder: Path, n_lines: int, n_accounts: int, partitions: int) -> tuple[Path, Any]:
    """The generated lines folder; reused (with its description) when already there."""
    where = folder / f"lines-{n_lines}-{n_accounts}-{partitions}"
    about = folder / f"{where.name}.json"  # beside the folder: it holds Parquet files only
    if about.exists():
        return where, json.loads(about.read_text()) | {"written_s": 0.0}
    t0 = time.perf_counter()
    info = write_order_lines(where, n_lines, n_accounts, partitions)
    info["written_s"] = round(time.perf_counter() - t0, 2)
    about.write_text(json.dumps(info))
    return where, info


@contextlib.contextmanager
def dask_client() -> Iterator[tuple[Any, float]]:
    import logging

    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client, time.perf_counter() - t0
    finally:
        client.close()
        cluster.close()


def frames_equal(a: Any, b: Any) -> tuple[bool, list[str]]:
    """Whether two result frames hold the same values, every column; the differing ones."""
    a = a.sort_values("account_id", kind="stable").reset_index(drop=True)
    b = b.sort_values("account_id", kind="stable").reset_index(drop=True)
    differ = sorted(set(a.columns) ^ set(b.columns))
    if len(a) != len(b):
        return False, [*differ, f"rows {len(a)} != {len(b)}"]
    for c in a.columns:
        if c not in b.columns:
            continue
        x, y = a[c], b[c]
        same = (x == y) | (x.isna() & y.isna())
        if not bool(same.all()):
            differ.append(c)
    return not differ, differ


def part_dask(folder: Path, args: argparse.Namespace, repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {"dask_equal": None}
    try:
        from kamcore.bulk import grade_lines
        from kamcore.presets import load_preset

        model = load_preset("grading_scorecard_lines")
        ladder, abc = load_preset("grading_letters"), load_preset("grading_abc")
    except Exception as exc:  # the bulk engine or its preset is not there yet
        out["dask_skipped"] = f"{type(exc).__name__}: {exc}"
        return out
    import dask.dataframe as dd
    import pandas as pd

    import kamcore.presets

    presets = Path(kamcore.presets.__file__).parent
    rules = [
        bulk_pandas_lines.load(presets / f"{name}.toml")
        for name in ("grading_scorecard_lines", "grading_letters", "grading_abc")
    ]
    where, info = order_lines(folder, args.lines_n, args.accounts_n, args.partitions)
    out |= {
        "lines_n": info["lines"],
        "lines_accounts": info["accounts"],
        "lines_orders": info["orders"],
        "lines_returns": info["returns"],
        "lines_partitions": args.partitions,
        "lines_written_s": info["written_s"],
        "lines_ties": info["ties"],
    }

    def kamcore_pandas() -> Any:
        return grade_lines(pd.read_parquet(where), model, ladder, abc=abc)

    def by_hand() -> Any:
        return bulk_pandas_lines.grade_folder(where, *rules)

    ours = kamcore_pandas()
    theirs = by_hand()
    merged = ours[["account_id", "grade", "abc", "total"]].merge(
        theirs, on="account_id", suffixes=("", "_pd")
    )
    if len(merged) != len(ours) or len(ours) != len(theirs):
        raise SystemExit("bench_bulk: grade_lines and bulk_pandas_lines.py differ in accounts")
    diff = {
        "score": int((merged["total"] != merged["total_pd"]).sum()),
        "grade": int((merged["grade"] != merged["grade_pd"]).sum()),
        "abc": int((merged["abc"] != merged["abc_pd"]).sum()),
        "rows": len(merged),
    }
    check_agreement("grade_lines against bulk_pandas_lines.py", diff)
    out |= {f"lines_mismatch_{k}": v for k, v in diff.items() if k != "rows"}

    with dask_client() as (_client, started):
        frame = dd.read_parquet(where)
        out["dask_npartitions"] = frame.npartitions

        def on_dask() -> Any:
            return grade_lines(dd.read_parquet(where), model, ladder, abc=abc).compute()

        equal, differ = frames_equal(ours, on_dask())
        if not equal:
            raise SystemExit(f"bench_bulk: Dask and pandas results differ in {differ}")
        t_dask, _ = best_of(on_dask, repeat)
    t_ours, _ = best_of(kamcore_pandas, repeat)
    t_hand, _ = best_of(by_hand, repeat)
    return out | {
        "dask_equal": equal,
        "dask_cluster_start_s": round(started, 2),
        "dask_s": round(t_dask, 3),
        "lines_kamcore_pandas_s": round(t_ours, 3),
        "lines_pandas_script_s": round(t_hand, 3),
        "dask_vs_pandas_ratio": round(t_dask / t_hand, 3),
        "lines_pandas_vs_pandas_ratio": round(t_ours / t_hand, 3),
    }


# -- main ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_mib": mem,
    }


def _row(label: str, value: float, unit: str = "", note: str = "") -> None:
    print(f"  {label:<30}{value:8.2f} {unit:<4}{note}".rstrip())


def report(r: dict[str, Any]) -> None:
    """The figures as text (the JSON object carries them all)."""
    if "cli_columnar_s" in r:
        print(
            f"kamcore grade --engine columnar vs pandas, {r['n']:,} accounts ({r['csv_mib']} MiB):"
        )
        for label, key in (
            ("kamcore CLI (columnar)", "cli_columnar"),
            ("pandas script (read_csv C)", "pandas_script"),
            ("pandas script (pyarrow read)", "pandas_pyarrow_script"),
        ):
            _row(label, r[f"{key}_s"], "s", f"peak RSS {r[f'{key}_peak_rss_mb']:.0f} MB")
        _row("ratio kamcore / pandas", r["cli_vs_pandas_ratio"])
        _row("ratio kamcore / pandas+arrow", r["cli_vs_pandas_pyarrow_ratio"])
        _row("peak RSS kamcore / pandas", r["rss_vs_pandas_ratio"])
        print(
            f"  rows differing from the pandas script: score {r['cli_mismatch_score']}, "
            f"grade {r['cli_mismatch_grade']}, ABC {r['cli_mismatch_abc']}"
        )
    elif "cli_error" in r:
        print(f"kamcore grade --engine columnar: not measured ({r['cli_error']})")
    if "exact_s" in r:
        print(f"kamcore grade --engine exact, {r['exact_n']:,} accounts:")
        _row("wall", r["exact_s"], "s", f"peak RSS {r['exact_peak_rss_mb']:.0f} MB")
        _row("per row", r["exact_us_per_row"], "us", f"(target <= {TARGET_EXACT_US})")
        _row("peak RSS per row", r["exact_kb_per_row"], "KB", f"(target <= {TARGET_EXACT_KB})")
        floor = f"(the CLI's own floor, {r['cli_floor_peak_rss_mb']:.0f} MB, taken off)"
        _row("  ... above the floor", r["exact_kb_per_row_above_floor"], "KB", floor)
        print(
            f"  rows differing from the pandas script: score {r['exact_mismatch_score']}, "
            f"grade {r['exact_mismatch_grade']}, ABC {r['exact_mismatch_abc']}"
        )
    elif "exact_error" in r:
        print(f"kamcore grade --engine exact: not measured ({r['exact_error']})")
    if r.get("dask_equal") is not None:
        print(
            f"order lines: {r['lines_n']:,} lines, {r['lines_accounts']:,} accounts, "
            f"{r['dask_npartitions']} partitions, 2 workers x 1 thread:"
        )
        start = f"(cluster start {r['dask_cluster_start_s']:.1f} s, not counted)"
        _row("grade_lines on Dask", r["dask_s"], "s", start)
        _row("grade_lines on pandas", r["lines_kamcore_pandas_s"], "s")
        _row("hand-written pandas script", r["lines_pandas_script_s"], "s")
        _row("ratio Dask / pandas script", r["dask_vs_pandas_ratio"])
        _row("ratio kamcore pandas / script", r["lines_pandas_vs_pandas_ratio"])
        print(f"  Dask result equal to pandas's  {r['dask_equal']}")
        print(
            f"  accounts differing from the pandas script: total {r['lines_mismatch_score']}, "
            f"grade {r['lines_mismatch_grade']}, ABC {r['lines_mismatch_abc']}"
        )
    elif "dask_skipped" in r:
        print(f"order lines on Dask: not measured ({r['dask_skipped']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of each big run")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--only", default=",".join(PARTS), help="parts: cli,exact,dask")
    parser.add_argument("--n", type=int, default=1_000_000, help="accounts for the CLI part")
    parser.add_argument("--exact-n", type=int, default=200_000, help="accounts, exact engine")
    parser.add_argument("--lines-n", type=int, default=10_000_000, help="order lines")
    parser.add_argument("--accounts-n", type=int, default=200_000, help="accounts of the lines")
    parser.add_argument("--partitions", type=int, default=16, help="Parquet files / partitions")
    parser.add_argument("--skip-dask", action="store_true", help="leave the Dask part out")
    parser.add_argument("--workdir", type=Path, help="keep generated files here and reuse them")
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    if args.skip_dask:
        parts.discard("dask")
    repeat = 1 if args.quick else 3

    result: dict[str, Any] = {"benchmark": "bulk", "quick": args.quick, "repeats": repeat}
    result |= machine()
    with contextlib.ExitStack() as stack:
        if args.workdir:
            folder = args.workdir
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench_bulk-")))
        if "cli" in parts:
            try:
                result |= part_cli(folder, args.n, repeat)
            except ChildFailed as exc:
                result |= {"cli_vs_pandas_ratio": None, "rss_vs_pandas_ratio": None}
                result["cli_error"] = str(exc)
        if "exact" in parts:
            try:
                result |= part_exact(folder, args.exact_n, repeat)
            except ChildFailed as exc:
                result |= {"exact_us_per_row": None, "exact_kb_per_row": None}
                result["exact_error"] = str(exc)
        if "dask" in parts:
            result |= part_dask(folder, args, repeat)
    result["targets"] = {"exact_us_per_row": TARGET_EXACT_US, "exact_kb_per_row": TARGET_EXACT_KB}
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
