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

PostgreSQL figures (:class:`~kamcore.store.PostgresRepository`, SQLAlchemy + psycopg 3),
against ``--pg-url`` or a throwaway server started from the machine's PostgreSQL
binaries (``tests/pg_server.py``: ``fsync=on``, ``synchronous_commit=on``, the server's
default ``commit_delay=0``); skipped, with the reason printed, where neither is
possible:

* ``pg_revisions_per_s_1`` — durable revisions per second of one writer process (one
  transaction and one WAL flush per revision), after an untimed warm-up.
* ``pg_revisions_per_s_8`` — the same with 8 writer processes at once, each on its own
  dossier and its own engine (all revisions over the wall time of the slowest). Both
  are the median of interleaved rounds (3 in a full run, 1 with ``--quick``).
* ``pg_writers8_vs_1_ratio`` — the second over the first (target ≥ 3).
* ``pg_commit_ms`` — the median time of a one-row durable commit with no kamcore in it
  (the disk's flush latency and a round trip), and ``pg_writer_cpu_ms_per_revision``
  the CPU one writer process spends per revision: one writer waits for a flush per
  revision, eight share them, so the ratio is high where flushes are slow against the
  CPU a revision costs, and bounded by the machine's cores where they are fast.
* ``pg_as_of_ms_at_1000`` — median time of ``PostgresRepository.as_of`` on a dossier with
  1,000 revisions, at random moments, on a fresh repository (target ≤ 2 ms).

Revisions are made beforehand (``revise``), in each writer process before the start, so
the figures are the store's. Every writer process is started with ``multiprocessing``'s
spawn method.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


# -- PostgreSQL ----------------------------------------------------------------------------

PG_WRITERS = 8


@contextlib.contextmanager
def pg_database(url: str | None) -> Iterator[tuple[str | None, str]]:
    """Yield ``(url, where)``: ``url`` given, or a throwaway server's; ``None`` and why not."""
    missing = [m for m in ("sqlalchemy", "psycopg") if importlib.util.find_spec(m) is None]
    if missing:
        yield None, f"needs {' and '.join(missing)}: pip install 'kamcore[postgres]'"
        return
    if url:
        yield url, "the server --pg-url names"
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import pg_server

    reason = pg_server.unavailable()
    if reason:
        yield None, reason
        return
    try:
        server_cm = pg_server.throwaway_server()
        server = server_cm.__enter__()
    except pg_server.ServerStartError as exc:
        yield None, f"the throwaway server did not start: {exc}".splitlines()[0]
        return
    try:
        yield server.url, f"a throwaway PostgreSQL server ({server.bin_dir})"
    finally:
        server_cm.__exit__(None, None, None)


def _pg_repository(url: str, schema: str) -> Any:
    import sqlalchemy as sa

    from kamcore.store import PostgresRepository

    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    return engine, PostgresRepository(engine, schema=schema)


def _pg_writer(url: str, schema: str, key: str, n: int, warmup: int, start: Any, out: Any) -> None:
    """One writer process: ``warmup`` untimed revisions, then ``n`` timed ones after ``start``."""
    try:
        engine, repo = _pg_repository(url, schema)
        revisions = history(key, warmup + n)
        for rev in revisions[:warmup]:
            repo.add(rev)
        start.wait(timeout=300)
        began, cpu = time.perf_counter(), time.process_time()
        for rev in revisions[warmup:]:
            repo.add(rev)
        out.put((began, time.perf_counter(), time.process_time() - cpu, None))
        engine.dispose()
    except BaseException as exc:
        out.put((0.0, 0.0, 0.0, f"writer of {key}: {type(exc).__name__}: {exc}"))


def pg_writers(url: str, schema: str, writers: int, n: int, warmup: int) -> tuple[float, float]:
    """Revisions per second of ``writers`` processes, each adding ``n`` to its own dossier,
    and the writers' own CPU time per revision (ms)."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(writers)
    out = context.Queue()
    processes = [
        context.Process(
            target=_pg_writer,
            args=(url, schema, f"K-W{writers}-{w}-{uuid.uuid4().hex[:8]}", n, warmup, start, out),
        )
        for w in range(writers)
    ]
    for p in processes:
        p.start()
    spans = []
    for _ in processes:
        spans.append(out.get(timeout=600))
        if spans[-1][3]:
            start.abort()  # the others stop waiting for the one that failed
    for p in processes:
        p.join(60)
    failed = [error for *_, error in spans if error]
    if failed:
        raise RuntimeError("; ".join(failed))
    began = min(span[0] for span in spans)
    ended = max(span[1] for span in spans)
    cpu_ms = sum(span[2] for span in spans) / (writers * n) * 1000
    return writers * n / (ended - began), cpu_ms


def pg_commit_ms(url: str, schema: str, count: int = 300) -> float:
    """The median time of one durable one-row commit: the server's flush latency, plus
    a round trip, with nothing of kamcore in it."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    times = []
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{schema}".flush_probe (n integer)')
        for i in range(count):
            start = time.perf_counter()
            conn.exec_driver_sql(f'INSERT INTO "{schema}".flush_probe VALUES ({i})')
            times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times) * 1000


def pg_as_of(url: str, schema: str, revisions: list[Revision], reads: int) -> float:
    engine, repo = _pg_repository(url, schema)
    repo.add_all(revisions)
    engine.dispose()
    engine, repo = _pg_repository(url, schema)  # fresh: no cached head, a cold pool
    rng = random.Random(7)
    moments = [revisions[rng.randrange(len(revisions))].at for _ in range(reads)]
    repo.as_of(revisions[0].dossier_id, moments[0])  # connect once, untimed
    times = []
    for when in moments:
        start = time.perf_counter()
        repo.as_of(revisions[0].dossier_id, when)
        times.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(times) * 1000


def pg_settings(url: str) -> dict[str, str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('fsync', 'synchronous_commit', 'commit_delay', 'commit_siblings', "
                "'wal_sync_method', 'server_version')"
            )
        ).all()
    engine.dispose()
    return {str(name): str(setting) for name, setting in rows}


def bench_postgres(url: str, quick: bool, revs_1000: list[Revision], reads: int) -> dict[str, Any]:
    """The PostgreSQL figures, in a schema of their own that is dropped afterwards."""
    import sqlalchemy as sa

    from kamcore.store import PostgresRepository

    n = 150 if quick else 400
    warmup = 20 if quick else 50
    rounds = 1 if quick else 3
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    PostgresRepository(engine, schema=schema).create_schema()
    try:
        settings = pg_settings(url)
        # interleaved rounds, medians: the disk's flush latency drifts on a shared machine
        commit_ms = pg_commit_ms(url, schema)
        ones: list[float] = []
        manys: list[float] = []
        cpu_ms: list[float] = []
        for _round in range(rounds):
            rate, cpu = pg_writers(url, schema, 1, n, warmup)
            ones.append(rate)
            cpu_ms.append(cpu)
            manys.append(pg_writers(url, schema, PG_WRITERS, n, warmup)[0])
        one, many = statistics.median(ones), statistics.median(manys)
        as_of_ms = pg_as_of(url, schema, revs_1000, reads)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()
    return {
        "pg_revisions_per_s_1": round(one, 1),
        "pg_revisions_per_s_8": round(many, 1),
        "pg_writers8_vs_1_ratio": round(many / one, 2),
        "pg_as_of_ms_at_1000": round(as_of_ms, 4),
        "pg_commit_ms": round(commit_ms, 3),
        "pg_writer_cpu_ms_per_revision": round(statistics.median(cpu_ms), 3),
        "pg_revisions_per_writer": n,
        "pg_rounds": rounds,
        "pg_revisions_per_s_1_rounds": [round(x, 1) for x in ones],
        "pg_revisions_per_s_8_rounds": [round(x, 1) for x in manys],
        "pg_settings": settings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--pg-url",
        help="a postgresql:// URL to measure the PostgreSQL store on "
        "(default: start a throwaway server from the machine's PostgreSQL binaries)",
    )
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL figures")
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
        "targets": {
            "durable_revisions_per_s": 2000,
            "as_of_ms_at_1000": 1.0,
            "pg_writers8_vs_1_ratio": 3.0,
            "pg_as_of_ms_at_1000": 2.0,
        },
    }
    pg: dict[str, Any] = {}
    if args.no_pg:
        result["pg_skipped"] = "--no-pg"
    else:
        with pg_database(args.pg_url) as (url, where):
            if url is None:
                result["pg_skipped"] = where
            else:
                pg = bench_postgres(url, args.quick, revs_1000, reads)
                result.update(pg, pg_server=where)
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
    if pg:
        print(
            f"PostgreSQL ({result['pg_server']}; {pg['pg_settings']}): durable revisions/s, "
            f"1 writer: {pg['pg_revisions_per_s_1']:,.0f}; {PG_WRITERS} writers on their own "
            f"dossiers: {pg['pg_revisions_per_s_8']:,.0f}  "
            f"(×{pg['pg_writers8_vs_1_ratio']}, target ≥ 3)"
        )
        print(
            f"  one durable commit (no kamcore): {pg['pg_commit_ms']:.2f} ms; a writer's CPU "
            f"per revision: {pg['pg_writer_cpu_ms_per_revision']:.2f} ms; {os.cpu_count()} CPUs"
        )
        print(
            f"as_of at 1,000 revisions, PostgreSQL: {pg['pg_as_of_ms_at_1000']:.3f} ms median  "
            "(target ≤ 2 ms)"
        )
    else:
        print(f"PostgreSQL figures skipped: {result['pg_skipped']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
