"""kamcore.tables against pandas: a company's account CSV read into exact Decimals.

The file (generated, seeded, into a temporary folder) is what a company exports from
Excel as "CSV UTF-8": a BOM, the source documents' Chinese headings (客户编号, 客户名称,
所属区域, 负责人, 合同量, 单价, 销售收入, 开票金额, 回款金额, 利润, 质量损失, 行业影响力,
商业信誉), amounts mostly plain (``348553.61``) with about 10% of the amount cells
written the way Excel shows them (``"348,553.61"``, ``¥348553.61``, ``¥348,553.61``,
``-1,234.56``, ``-¥1,234.56``) and about 0.5% of the figure cells blank (missing).

Timed, best of several repeats (``gc.collect()`` before each, the collector left on):

* kamcore: ``read_accounts(path, columns="presets:columns_source",
  keep=["name", "region", "owner"])``: one frozen ``AccountFacts`` per row (exact
  Decimals, negatives refused) plus the kept text columns, every problem collected;
* pandas, the code a pandas user writes for the same job: ``read_csv(path, dtype=str,
  keep_default_na=False)``, then each figure column stripped of ``,`` and ``¥`` with
  ``.str.replace`` and turned into ``Decimal`` with ``.map`` (a blank becomes None).
  ``tables_vs_pandas_ratio`` = kamcore / (pandas read + conversion); target <= 1.5;
* the pandas read alone;
* kamcore's phases, from one instrumented ``read_accounts`` run per repeat (the module's
  ``_table``, ``_Reading``, its ``parse`` and ``check_ids`` wrapped with timers, nothing
  else changed):
  ``read_table`` (file to text cells), binding + cell parsing (``bind``, then every cell
  through ``parse_number``/``_text``, and the id check), and the rest: building the
  ``AccountFacts`` and the kept columns;
* a cProfile run of ``read_accounts`` (on at most 50,000 rows: the profiler's overhead
  makes the absolute seconds larger than the timings above; the shares are the point);
* peak resident memory of each path, each in a fresh subprocess (Linux's ``VmHWM``,
  else ``ru_maxrss``), and of subprocesses that only import kamcore.tables or pandas
  (each path's floor).

Both paths are checked against each other on every row before anything is timed (ids,
kept columns and all nine figures, Decimal for Decimal, including the exponent); a
mismatch aborts.

Usage: python benchmarks/bench_tables.py [--quick] [--json] [--n N] [--no-memory]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from kamcore.tables import _load as tables_load
from kamcore.tables import read_accounts, read_table

COLUMNS = "presets:columns_source"
KEEP = ["name", "region", "owner"]
#: field → the heading the file uses (columns_source's first heading for each field)
FIGURE_HEADINGS = {
    "contract_volume": "合同量",
    "unit_price": "单价",
    "sales_revenue": "销售收入",
    "invoiced": "开票金额",
    "collected": "回款金额",
    "profit": "利润",
    "quality_losses": "质量损失",
    "industry_influence": "行业影响力",
    "business_reputation": "商业信誉",
}
TEXT_HEADINGS = {
    "account_id": "客户编号",
    "name": "客户名称",
    "region": "所属区域",
    "owner": "负责人",
}
HEADER = [*TEXT_HEADINGS.values(), *FIGURE_HEADINGS.values()]
#: amount columns (two decimals); the two ratings are small whole numbers, always plain
AMOUNTS = tuple(FIGURE_HEADINGS)[:7]
MESSY_SHARE = 0.10
BLANK_SHARE = 0.005

_CITIES = "上海 北京 广州 深圳 杭州 南京 苏州 成都 重庆 武汉 西安 天津 青岛 宁波 厦门 长沙"
_TRADES = "华东水务 宏达机械 中联化工 远航物流 新材料 恒信电子 金桥建设 东方纺织 盛世医药 蓝天环保"
_KINDS = "集团有限公司 股份有限公司 有限公司 科技有限公司 实业有限公司"
_REGIONS = ("华东", "华南", "华北", "华中", "西南", "西北", "东北")
_SURNAMES = "王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗"
_GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 建国"


# -- the file ------------------------------------------------------------------------


def _amount_text(cents: int, style: int) -> str:
    """An amount in cents as a cell: plain (style 0) or one of four Excel-style forms."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if style == 0:
        return f"{sign}{whole}.{frac:02d}"
    grouped = f"{whole:,}.{frac:02d}"
    if style == 1:
        return f"{sign}{grouped}"  # "348,553.61" (quoted by the writer)
    if style == 2:
        return f"{sign}¥{whole}.{frac:02d}"  # ¥348553.61 (-¥… for a negative)
    return f"{sign}¥{grouped}"  # ¥348,553.61


def write_accounts_csv(path: Path, n: int, seed: int = 7) -> dict[str, int]:
    """Write ``n`` accounts to ``path`` (UTF-8 with a BOM); returns counts of cell forms."""
    import numpy as np  # here, so the kamcore memory child does not load it

    rng = np.random.default_rng(seed)
    invoiced = rng.integers(10_000_000, 500_000_000, n)  # cents: 100,000 to 5,000,000 yuan
    cents = {
        "contract_volume": rng.integers(0, 1_500_000_000, n),
        "unit_price": rng.integers(500, 50_000, n),
        "sales_revenue": np.minimum(rng.pareto(1.2, n) * 2e8, 5e12).astype(np.int64),
        "invoiced": invoiced,
        "collected": (invoiced * rng.uniform(0.4, 1.0, n)).astype(np.int64),
        "profit": rng.integers(-50_000_000, 600_000_000, n),
        "quality_losses": rng.integers(0, 25_000_000, n) * (rng.random(n) < 0.3),
    }
    ratings = {
        "industry_influence": rng.integers(0, 11, n),
        "business_reputation": rng.integers(0, 6, n),
    }
    cities, trades, kinds = _CITIES.split(), _TRADES.split(), _KINDS.split()
    surnames, given = _SURNAMES.split(), _GIVEN.split()
    name_ix = rng.integers(0, [len(cities), len(trades), len(kinds)], (n, 3))
    region_ix = rng.integers(0, len(_REGIONS), n)
    owner_ix = rng.integers(0, [len(surnames), len(given)], (n, 2))
    # per amount cell: 0 plain, or an Excel-style form 1-3; then a few blanks anywhere
    styles = {f: np.where(rng.random(n) < MESSY_SHARE, rng.integers(1, 4, n), 0) for f in AMOUNTS}
    blanks = {f: rng.random(n) < BLANK_SHARE for f in FIGURE_HEADINGS}
    counts = {"plain": 0, "excel_style": 0, "blank": 0}
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(n):
            c, t, k = name_ix[i]
            s, g = owner_ix[i]
            row = [
                f"KA{i + 1:07d}",
                f"{cities[c]}{trades[t]}{kinds[k]}",
                _REGIONS[region_ix[i]],
                f"{surnames[s]}{given[g]}",
            ]
            for f in FIGURE_HEADINGS:
                if blanks[f][i]:
                    row.append("")
                    counts["blank"] += 1
                elif f in ratings:
                    row.append(str(ratings[f][i]))
                    counts["plain"] += 1
                else:
                    style = int(styles[f][i])
                    row.append(_amount_text(int(cents[f][i]), style))
                    counts["excel_style" if style else "plain"] += 1
            out.writerow(row)
    return counts


# -- the two paths ---------------------------------------------------------------------


def kamcore_path(path: Path) -> tables_load.AccountRows:
    return read_accounts(path, columns=COLUMNS, keep=KEEP)


def pandas_read(path: Path) -> Any:
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def pandas_path(path: Path) -> Any:
    """What a pandas user writes: read as text, strip the Excel marks, map to Decimal."""
    df = pandas_read(path)
    for col in FIGURE_HEADINGS.values():
        text = df[col].str.replace(",", "", regex=False).str.replace("¥", "", regex=False)
        df[col] = text.map(lambda s: Decimal(s) if s else None)
    return df


def check_same(rows: tables_load.AccountRows, df: Any) -> int:
    """Assert both paths read every row alike; returns the number of cells compared."""
    assert len(rows.facts) == len(df), (len(rows.facts), len(df))
    assert rows.keep == tuple(KEEP), rows.keep
    ids = df[TEXT_HEADINGS["account_id"]].tolist()
    kept = {k: df[TEXT_HEADINGS[k]].tolist() for k in KEEP}
    figures = {f: df[h].tolist() for f, h in FIGURE_HEADINGS.items()}
    compared = 0
    for i, (fact, kept_row) in enumerate(zip(rows.facts, rows.kept, strict=True)):
        assert fact.account_id == ids[i], (i, fact.account_id, ids[i])
        for k in KEEP:
            assert kept_row[k] == kept[k][i], (i, k, kept_row[k], kept[k][i])
        for f, column in figures.items():
            ours, theirs = getattr(fact, f), column[i]
            same = ours is None and theirs is None
            if not same and ours is not None and theirs is not None:
                same = ours == theirs and ours.as_tuple() == theirs.as_tuple()
            assert same, (i, f, ours, theirs)
            compared += 1
    return compared


# -- timing ------------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        result = None  # the previous result is freed before the next run
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def phases(path: Path, repeat: int) -> dict[str, float]:
    """Best time of each phase of ``read_accounts`` over ``repeat`` instrumented runs.

    ``read_table`` is what ``_table`` takes; binding + parsing is ``_Reading(...)``
    (binds the headings) plus ``_Reading.parse`` and ``check_ids`` (every cell, column
    by column, and the ids); the rest of the call is building the facts and kept
    columns (and loading the column map, a few hundred microseconds).
    """
    spent: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0

        return wrapper

    phase_of = {"_table": "read_table", "_Reading": "parse"}
    method_of = {"parse": "parse", "check_ids": "parse"}
    reading = tables_load._Reading
    originals = {name: getattr(tables_load, name) for name in phase_of}
    methods = {name: getattr(reading, name) for name in method_of}
    best = dict.fromkeys(("total", "read_table", "parse", "facts"), float("inf"))
    try:
        for name, phase in method_of.items():
            setattr(reading, name, timed(phase, methods[name]))
        for name, phase in phase_of.items():
            setattr(tables_load, name, timed(phase, originals[name]))
        for _ in range(repeat):
            spent.clear()
            gc.collect()
            t0 = time.perf_counter()
            rows = kamcore_path(path)
            total = time.perf_counter() - t0
            del rows
            run = {
                "total": total,
                "read_table": spent["read_table"],
                "parse": spent["parse"],
                "facts": total - spent["read_table"] - spent["parse"],
            }
            best = {k: min(best[k], run[k]) for k in best}
    finally:
        for name, fn in originals.items():
            setattr(tables_load, name, fn)
        for name, fn in methods.items():
            setattr(reading, name, fn)
    return best


_OURS = ("kamcore/tables/", "kamcore/grading/_facts.py", "_facts.AccountFacts", "kamcore/money.py")


def profile(path: Path, top: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """cProfile one ``read_accounts``: the top functions by own time, and kamcore's own."""
    prof = cProfile.Profile()
    gc.collect()
    t0 = time.perf_counter()
    prof.enable()
    kamcore_path(path)
    prof.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_cc, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = file.split("/src/")[-1] if "/src/" in file else Path(file).name
        rows.append(
            {
                "function": f"{short}:{line}({func})",
                "calls": calls,
                "tottime_s": round(tottime, 4),
                "cumtime_s": round(cumtime, 4),
            }
        )
    by_own = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    ours = sorted(
        (r for r in rows if any(p in r["function"] for p in _OURS)),
        key=lambda r: -r["cumtime_s"],
    )[:top]
    return by_own, ours, wall


# -- peak memory, each path in a fresh process ------------------------------------------


def _peak_child(which: str, path: Path) -> None:
    if which == "kamcore":
        result: Any = kamcore_path(path)
    elif which == "pandas":
        result = pandas_path(path)
    elif which == "pandas-import":  # pandas' own floor
        import pandas  # noqa: F401

        result = None
    else:  # the floor: the interpreter with kamcore.tables imported
        result = None
    del result
    print(_peak_kib())


def _peak_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux's ``VmHWM`` is this process's own high-water mark; ``ru_maxrss`` would do on
    other systems, but on Linux a child starts with its parent's maximum (it is kept
    across fork and exec), so it is used only where /proc is missing.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib // 1024 if sys.platform == "darwin" else kib  # bytes on macOS


def peak_mib(which: str, path: Path) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--peak-child", which, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.split()[-1]) / 1024


# -- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--n", type=int, help="rows in the generated file")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS subprocesses")
    parser.add_argument("--peak-child", nargs=2, metavar=("WHICH", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_child:
        _peak_child(args.peak_child[0], Path(args.peak_child[1]))
        return
    n = args.n or (20_000 if args.quick else 200_000)
    repeat = 3 if args.quick else 5
    profile_n = min(n, 50_000)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "accounts.csv"
        t0 = time.perf_counter()
        forms = write_accounts_csv(path, n)
        write_s = time.perf_counter() - t0
        size_mib = path.stat().st_size / 2**20

        # the same answer from both paths (every row), before anything is timed
        compared = check_same(kamcore_path(path), pandas_path(path))

        t_ours, _ = best_of(lambda: kamcore_path(path), repeat)
        t_pd, _ = best_of(lambda: pandas_path(path), repeat)
        t_pd_read, _ = best_of(lambda: pandas_read(path), repeat)
        t_read_table, _ = best_of(lambda: read_table(path), repeat)
        ph = phases(path, repeat)

        if profile_n < n:
            prof_path = Path(tmp) / "profiled.csv"
            write_accounts_csv(prof_path, profile_n)
        else:
            prof_path = path
        hot, ours, prof_wall = profile(prof_path, top=15)

        memory: dict[str, float] = {}
        if not args.no_memory:
            memory = {
                w: peak_mib(w, path) for w in ("imports", "pandas-import", "kamcore", "pandas")
            }

    ratio = t_ours / t_pd
    per_row_us = t_ours / n * 1e6
    print(
        f"kamcore.tables benchmark: {n:,} accounts x 13 columns, {size_mib:.1f} MiB CSV "
        f"(written in {write_s:.1f} s; cells: {forms['plain']:,} plain, "
        f"{forms['excel_style']:,} Excel-style, {forms['blank']:,} blank)"
    )
    print(f"  both paths agree on every row ({compared:,} figures compared, exponents included)")
    print(f"  kamcore read_accounts         {t_ours:8.3f} s   ({per_row_us:.2f} us/row)")
    print(f"  pandas read + Decimal         {t_pd:8.3f} s")
    print(f"  pandas read_csv alone         {t_pd_read:8.3f} s")
    print(f"  ratio kamcore / pandas        {ratio:8.2f}     (target <= 1.5)")
    print(f"kamcore phases (best of {repeat} instrumented runs, total {ph['total']:.3f} s):")
    print(f"  read_table (file -> cells)    {ph['read_table']:8.3f} s   (alone {t_read_table:.3f})")
    print(f"  binding + cell parsing        {ph['parse']:8.3f} s")
    print(f"  AccountFacts + kept columns   {ph['facts']:8.3f} s")
    print(f"cProfile of read_accounts, {profile_n:,} rows ({prof_wall:.2f} s under the profiler):")
    print("  top functions by own time (tottime s, cumtime s, calls):")
    for r in hot:
        print(f"    {r['tottime_s']:8.3f} {r['cumtime_s']:8.3f} {r['calls']:>10,}  {r['function']}")
    print("  kamcore's own functions by cumulative time (tottime s, cumtime s, calls):")
    for r in ours:
        print(f"    {r['tottime_s']:8.3f} {r['cumtime_s']:8.3f} {r['calls']:>10,}  {r['function']}")
    if memory:
        print(
            f"peak RSS (fresh process each): kamcore {memory['kamcore']:.0f} MiB "
            f"(kamcore.tables imported: {memory['imports']:.0f} MiB), pandas "
            f"{memory['pandas']:.0f} MiB (pandas imported: {memory['pandas-import']:.0f} MiB)"
        )
    if args.json:
        result = {
            "benchmark": "tables",
            "quick": args.quick,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "rows": n,
            "csv_mib": round(size_mib, 2),
            "cells_plain": forms["plain"],
            "cells_excel_style": forms["excel_style"],
            "cells_blank": forms["blank"],
            "figures_compared": compared,
            "kamcore_s": round(t_ours, 4),
            "kamcore_us_per_row": round(per_row_us, 3),
            "pandas_read_s": round(t_pd_read, 4),
            "pandas_decimal_s": round(t_pd, 4),
            "tables_vs_pandas_ratio": round(ratio, 3),
            "read_table_s": round(ph["read_table"], 4),
            "read_table_alone_s": round(t_read_table, 4),
            "parse_s": round(ph["parse"], 4),
            "facts_s": round(ph["facts"], 4),
            "phases_total_s": round(ph["total"], 4),
            "profile_rows": profile_n,
            "profile_top": hot[:10],
            "profile_kamcore": ours[:10],
            "repeats": repeat,
            "targets": {"tables_vs_pandas_ratio": 1.5},
        }
        if memory:
            result["peak_rss_imports_mib"] = round(memory["imports"], 1)
            result["peak_rss_kamcore_mib"] = round(memory["kamcore"], 1)
            result["peak_rss_pandas_mib"] = round(memory["pandas"], 1)
            result["peak_rss_pandas_import_mib"] = round(memory["pandas-import"], 1)
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
