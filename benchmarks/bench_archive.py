"""Benchmark the archive store: durable revisions per second, bulk import, as_of reads.

Usage::

    python benchmarks/bench_archive.py            # full run
    python benchmarks/bench_archive.py --quick    # well under a minute
    python benchmarks/bench_archive.py --quick --json   # last line: one JSON object

Figures:

* ``durable_revisions_per_s`` — ``SQLiteRepository.add`` with ``synchronous=FULL`` (WAL),
  one transaction and one fsync per revision, overall, after an untimed warm-up of
  ``WARMUP`` revisions (a new file's write-ahead log grows with every commit until its
  first checkpoint, which makes the first few hundred fsyncs dearer); revisions are
  made beforehand with ``revise`` (its cost is reported separately as ``revise_per_s``).
  ``durable_batch_median_per_s`` is the median over 100-revision batches: on a shared
  machine the fsync latency varies with other processes' disk traffic.
* ``normal_revisions_per_s`` — the same with ``synchronous=NORMAL`` (WAL: safe against a
  crashed process, the last commits may be lost on power loss).
* ``bulk_import_revisions_per_s`` — ``add_all`` in one transaction.
* ``as_of_ms_at_1000`` — median time of ``SQLiteRepository.as_of`` on a dossier with
  1,000 revisions, at random moments, on a freshly opened store (snapshot + short replay).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kamcore.archive import (
    BasicData,
    Contact,
    Dossier,
    Revision,
    create,
    revise,
)
from kamcore.money import Money
from kamcore.store import InMemoryRepository, SQLiteRepository

T0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
#: Revisions stored (untimed) before the durable figures, so the log has its working size.
WARMUP = 500


def history(key: str, n: int) -> list[Revision]:
    """A realistic dossier and ``n - 1`` revisions, alternating figures and text."""
    d, first = create(
        Dossier(
            id=key,
            name="华东水务集团有限公司",
            grade="A",
            basic=BasicData(
                region="华东",
                address="上海市浦东新区某路1号",
                registered_capital=Money("50000000"),
                payment_terms="月结30天",
                phones=("021-00000000",),
            ),
            contacts=(Contact(id="wang", name="王总", title="总经理"),),
        ),
        by="li",
        at=T0,
    )
    out = [first]
    for i in range(1, n):
        changes: dict[str, object]
        if i % 3 == 0:
            changes = {"business.production_scale": f"{i} 吨/日"}
        else:
            changes = {"business.transaction_volume": Money(1_000_000 + 1000 * i)}
        d, rev = revise(d, changes, by="li", at=T0 + timedelta(minutes=i), reason="monthly update")
        out.append(rev)
    return out


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def bench_durable(
    tmp: Path,
    revisions: list[Revision],
    synchronous: str,
    batch: int = 100,
    warmup: Sequence[Revision] = (),
) -> tuple[float, float]:
    """Overall revisions/s, and the median rate of batches of ``batch`` (less noisy).

    ``warmup`` revisions (of another dossier) are stored first, untimed: a brand-new
    file's write-ahead log grows with every commit until its first checkpoint, and an
    fsync that also extends the file costs more than one in a log of working size.
    """
    path = tmp / f"durable_{synchronous}.db"
    rates = []
    with SQLiteRepository(path, synchronous=synchronous) as repo:  # type: ignore[arg-type]
        for rev in warmup:
            repo.add(rev)
        start = mark = time.perf_counter()
        for i, rev in enumerate(revisions, start=1):
            repo.add(rev)
            if i % batch == 0:
                now = time.perf_counter()
                rates.append(batch / (now - mark))
                mark = now
        elapsed = time.perf_counter() - start
    return len(revisions) / elapsed, statistics.median(rates)


def bench_bulk(tmp: Path, revisions: list[Revision]) -> float:
    with SQLiteRepository(tmp / "bulk.db") as repo:
        elapsed, _ = timed(repo.add_all, revisions)
    return len(revisions) / elapsed


def bench_as_of(tmp: Path, revisions: list[Revision], reads: int) -> tuple[float, float, float]:
    path = tmp / "as_of.db"
    with SQLiteRepository(path) as repo:
        repo.add_all(revisions)
    rng = random.Random(7)
    moments = [revisions[rng.randrange(len(revisions))].at for _ in range(reads)]
    with SQLiteRepository(path) as repo:
        times = []
        for when in moments:
            start = time.perf_counter()
            repo.as_of(revisions[0].dossier_id, when)
            times.append(time.perf_counter() - start)
        full_start = time.perf_counter()
        repo.history(revisions[0].dossier_id)
        history_ms = (time.perf_counter() - full_start) * 1000
    memory = InMemoryRepository()
    memory.add_all(revisions)
    mem_times = []
    for when in moments:
        start = time.perf_counter()
        memory.as_of(revisions[0].dossier_id, when)
        mem_times.append(time.perf_counter() - start)
    return (
        statistics.median(times) * 1000,
        statistics.median(mem_times) * 1000,
        history_ms,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()

    durable_n = 500 if args.quick else 2000
    bulk_n = 2000 if args.quick else 20000
    reads = 200 if args.quick else 2000

    start = time.perf_counter()
    revs_1000 = history("K-ASOF", 1000)
    revise_per_s = 999 / (time.perf_counter() - start)
    durable_revs = history("K-DURABLE", durable_n)
    warmup = history("K-WARMUP", WARMUP)
    bulk_revs = revs_1000 if bulk_n <= 1000 else history("K-BULK", bulk_n)

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        durable, durable_median = bench_durable(tmp, durable_revs, "FULL", warmup=warmup)
        normal, normal_median = bench_durable(tmp, durable_revs, "NORMAL", warmup=warmup)
        bulk = bench_bulk(tmp, bulk_revs)
        as_of_ms, as_of_memory_ms, history_ms = bench_as_of(tmp, revs_1000, reads)

    result = {
        "benchmark": "archive",
        "quick": args.quick,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "synchronous": "FULL (WAL journal)",
        "durable_revisions_per_s": round(durable, 1),
        "durable_batch_median_per_s": round(durable_median, 1),
        "normal_revisions_per_s": round(normal, 1),
        "normal_batch_median_per_s": round(normal_median, 1),
        "durable_revisions": len(durable_revs),
        "durable_warmup_revisions": WARMUP,
        "bulk_import_revisions_per_s": round(bulk, 1),
        "bulk_import_size": len(bulk_revs),
        "revise_per_s": round(revise_per_s, 1),
        "as_of_ms_at_1000": round(as_of_ms, 4),
        "as_of_memory_ms_at_1000": round(as_of_memory_ms, 4),
        "verified_history_ms_at_1000": round(history_ms, 2),
        "targets": {"durable_revisions_per_s": 2000, "as_of_ms_at_1000": 1.0},
    }
    print(
        f"durable revisions/s (synchronous=FULL, WAL, one fsync each): {durable:,.0f} overall, "
        f"{durable_median:,.0f} median of 100-revision batches  (target ≥ 2,000)"
    )
    print(
        f"revisions/s with synchronous=NORMAL (WAL): {normal:,.0f} overall, "
        f"{normal_median:,.0f} median of batches"
    )
    print(f"bulk import, one transaction ({len(bulk_revs):,} revisions): {bulk:,.0f} revisions/s")
    print(f"revise() (pure, no store): {revise_per_s:,.0f} revisions/s")
    print(f"as_of at 1,000 revisions, SQLite: {as_of_ms:.3f} ms median  (target ≤ 1 ms)")
    print(f"as_of at 1,000 revisions, in memory: {as_of_memory_ms:.4f} ms median")
    print(f"history() with full chain verification at 1,000 revisions: {history_ms:.1f} ms")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
