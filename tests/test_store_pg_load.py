"""Eight writer processes, 200 revisions each, on 20 dossiers of one PostgreSQL archive.

Each writer is a process of its own (``multiprocessing``, spawn), with its own engine
made from the URL. It picks a dossier at random, reads its head, writes revision n + 1
and retries on :class:`~kamcore.errors.ConflictError` — the writers collide on purpose,
20 dossiers for 8 writers. Meanwhile the test cuts a writer's connection now and then
(``pg_terminate_backend``), so some writes end in a :class:`~kamcore.errors.StoreError`
that may or may not have stored them: the writer then reads the dossier back and counts
its revision as acknowledged only if exactly that hash is stored at that sequence.

At the end every acknowledged revision is stored exactly once, nothing else is stored,
every dossier verifies, and every history replays to the dossier the store reads.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import threading
import time
import traceback
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytest.importorskip("sqlalchemy", reason="needs SQLAlchemy: pip install 'kamcore[postgres]'")
pytest.importorskip("psycopg", reason="needs psycopg 3: pip install 'kamcore[postgres]'")

import sqlalchemy as sa

from kamcore.archive import Dossier, create, replay_dossier, revise
from kamcore.errors import ConflictError, RecordNotFound, StoreError
from kamcore.money import Money
from kamcore.store import PostgresRepository

WRITERS = 8
REVISIONS_EACH = 200
DOSSIERS = 20
_APP = "kamcore-load-writer"  # the application_name the cutter looks for
_GIVE_UP_AFTER = 500  # attempts for one revision: a writer that can't get through fails
_DEADLINE_S = 240

Ack = tuple[str, int, str]  # dossier, sequence, hash


def _key(i: int) -> str:
    return f"K-{i:02d}"


def _next_revision(repo: PostgresRepository, key: str, writer: int, step: int) -> Any:
    """Read the head of ``key`` and make revision n + 1 (or revision 1 of a new dossier)."""
    now = datetime.now(UTC)
    try:
        dossier = repo.get(key)
    except RecordNotFound:
        _, revision = create(Dossier(id=key, name=f"客户 {key}", grade="B"), by="w", at=now)
        return revision
    at = max(now, dossier.updated_at or now)
    changes: dict[str, object] = {
        "business.transaction_volume": Money(writer * 100_000 + step + 1),
        "business.development_plans": f"writer {writer} step {step}",
    }
    if step % 5 == 0:  # a key fact now and then: it needs (and has) a reason
        changes["basic.payment_terms"] = f"月结{30 + (step % 7) * 15}天 (w{writer})"
    _, revision = revise(dossier, changes, by=f"writer-{writer}", at=at, reason=f"load {step}")
    return revision


def _stored(repo: PostgresRepository, revision: Any) -> bool:
    """Whether exactly ``revision`` is stored (after a write that may or may not be)."""
    try:
        history = repo.history(revision.dossier_id)
    except RecordNotFound:
        return False
    return (
        len(history) >= revision.sequence and history[revision.sequence - 1].hash == revision.hash
    )


def _writer(url: str, schema: str, writer: int, start: Any, results: Any) -> None:
    """One writer process: REVISIONS_EACH acknowledged revisions, sent back with its counts."""
    acks: list[Ack] = []
    counts: Counter[str] = Counter()
    try:
        engine = sa.create_engine(
            url, pool_size=2, max_overflow=0, connect_args={"application_name": _APP}
        )
        repo = PostgresRepository(engine, schema=schema)
        rng = random.Random(writer)
        start.wait(timeout=120)
        for step in range(REVISIONS_EACH):
            key = _key(rng.randrange(DOSSIERS))
            for _attempt in range(_GIVE_UP_AFTER):
                try:
                    revision = _next_revision(repo, key, writer, step)
                except StoreError:  # a read cut short: read again
                    counts["read_failed"] += 1
                    continue
                try:
                    repo.add(revision)
                except ConflictError:
                    counts["conflict"] += 1
                    continue
                except StoreError as exc:
                    counts["store_error"] += 1
                    if "may or may not be stored" in str(exc):
                        counts["ambiguous"] += 1
                    stored = None
                    while stored is None:  # ask until the store answers
                        try:
                            stored = _stored(repo, revision)
                        except StoreError:
                            counts["read_failed"] += 1
                    if not stored:
                        continue
                    counts["stored_after_error"] += 1
                acks.append((revision.dossier_id, revision.sequence, revision.hash))
                break
            else:
                msg = f"writer {writer} gave up on step {step} ({key}) after {_GIVE_UP_AFTER}"
                raise AssertionError(msg)
        engine.dispose()
        results.put((writer, acks, dict(counts), None))
    except BaseException:
        results.put((writer, acks, dict(counts), traceback.format_exc()))


def _cut_connections(engine: sa.Engine, stop: threading.Event, cuts: list[int]) -> None:
    """Now and then terminate one writer's backend (a dropped connection, mid-anything)."""
    rng = random.Random(2026)
    while not stop.wait(rng.uniform(0.05, 0.25)):
        with engine.connect() as conn:
            pids = (
                conn.execute(
                    sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :app"),
                    {"app": _APP},
                )
                .scalars()
                .all()
            )
            if pids:
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": rng.choice(pids)})
                conn.commit()
                cuts.append(1)


def test_eight_writer_processes_store_every_acknowledged_revision_exactly_once(
    pg_url: str,
) -> None:
    schema = f"load_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(pg_url, pool_size=2)
    setup = PostgresRepository(engine, schema=schema)
    setup.create_schema()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS + 1)
    results = context.Queue()
    writers = [
        context.Process(target=_writer, args=(pg_url, schema, w, start, results), daemon=True)
        for w in range(WRITERS)
    ]
    stop = threading.Event()
    cuts: list[int] = []
    cutter = threading.Thread(target=_cut_connections, args=(engine, stop, cuts), daemon=True)
    try:
        for process in writers:
            process.start()
        start.wait(timeout=120)  # every writer is up: from here on they race
        began = time.monotonic()
        cutter.start()
        reports = []
        for _ in writers:
            try:
                reports.append(
                    results.get(timeout=max(1.0, began + _DEADLINE_S - time.monotonic()))
                )
            except queue.Empty:
                pytest.fail(f"the writers did not finish within {_DEADLINE_S} s")
        took = time.monotonic() - began
        stop.set()
        cutter.join(10)
        for process in writers:
            process.join(30)
        failures = [error for _, _, _, error in reports if error]
        assert not failures, "\n".join(failures)

        acks = [ack for _, mine, _, _ in reports for ack in mine]
        counts: Counter[str] = Counter()
        for _, _, mine, _ in reports:
            counts.update(mine)
        assert len(acks) == WRITERS * REVISIONS_EACH
        twice = [ack for ack, n in Counter((k, s) for k, s, _ in acks).items() if n > 1]
        assert not twice, f"acknowledged twice: {twice[:5]}"

        stored: set[Ack] = set()
        keys = setup.keys()
        assert len(keys) == DOSSIERS
        for key in keys:
            history = setup.history(key)
            check = setup.verify(key)
            assert check.ok, (key, check)
            assert replay_dossier(history) == setup.get(key)
            assert setup.as_of(key, history[-1].at + timedelta(seconds=1)) == setup.get(key)
            stored.update((r.dossier_id, r.sequence, r.hash) for r in history)
        assert stored == set(acks)  # every acknowledged revision, and nothing else
        print(
            f"\n{WRITERS} writers x {REVISIONS_EACH} revisions on {DOSSIERS} dossiers: "
            f"{took:.1f} s, {len(stored) / took:.0f} revisions/s; {dict(counts)}; "
            f"{len(cuts)} connections cut"
        )
        assert counts["conflict"] > 0  # the writers did collide
    finally:
        stop.set()
        for process in writers:
            if process.is_alive():
                process.kill()
                process.join(10)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()
