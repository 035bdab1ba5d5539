"""The PostgreSQL store against a real server: the contract, random histories, races, faults."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import attrs
import pytest

pytest.importorskip("sqlalchemy", reason="needs SQLAlchemy: pip install 'kamcore[postgres]'")
pytest.importorskip("psycopg", reason="needs psycopg 3: pip install 'kamcore[postgres]'")

import sqlalchemy as sa

from kamcore.archive import Dossier, Revision, return_loan, review, revise
from kamcore.errors import ConflictError, IntegrityError, StoreError, ValidationError
from kamcore.store import PostgresRepository, Repository, archive_metadata, trigger_ddl
from kamcore.testing.repository import RepositoryContract, sample_history
from test_store import ArchiveStoreMachine

_PG_URL_ENV = "KAM_STATEFUL_PG_URL"


_ENGINES: dict[str, sa.Engine] = {}


def _engine(url: str) -> sa.Engine:
    """One engine per server for this module (each test uses its own schema)."""
    if url not in _ENGINES:
        _ENGINES[url] = sa.create_engine(url, pool_size=10, max_overflow=20)
    return _ENGINES[url]


@pytest.fixture(scope="module", autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def _new_schema() -> str:
    return f"t_{uuid.uuid4().hex[:16]}"


def _drop(engine: sa.Engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def engine(pg_url: str) -> sa.Engine:
    return _engine(pg_url)


@pytest.fixture
def schema(engine: sa.Engine) -> Iterator[str]:
    name = _new_schema()
    yield name
    _drop(engine, name)


@pytest.fixture
def repo(engine: sa.Engine, schema: str) -> PostgresRepository:
    repository = PostgresRepository(engine, schema=schema, snapshot_every=2)
    repository.create_schema()
    return repository


class TestPostgresRepositoryKeepsTheContract(RepositoryContract):
    @pytest.fixture
    def repository(self, repo: PostgresRepository) -> Repository:
        return repo


def test_it_is_a_repository_and_the_core_does_not_need_sqlalchemy(
    repo: PostgresRepository,
) -> None:
    import subprocess
    import sys

    assert isinstance(repo, Repository)
    code = "import sys, kamcore, kamcore.store; print('sqlalchemy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
    import kamcore.store

    with pytest.raises(AttributeError, match="nope"):
        kamcore.store.nope  # noqa: B018 - the lookup is the test


# -- schema and metadata -------------------------------------------------------------------


def test_create_schema_is_idempotent_and_keeps_the_data(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=3)
    repo.add_all(history)
    again = PostgresRepository(engine, schema=schema)
    again.create_schema()
    again.create_schema()
    assert again.history("K-001") == tuple(history)


def test_two_prefixes_in_one_schema_are_two_archives(engine: sa.Engine, schema: str) -> None:
    one = PostgresRepository(engine, schema=schema, prefix="a_")
    two = PostgresRepository(engine, schema=schema, prefix="b_")
    one.create_schema()
    two.create_schema()
    one.add(sample_history(length=1)[0])
    assert one.keys() == ("K-001",)
    assert two.keys() == ()
    names = set(sa.inspect(engine).get_table_names(schema=schema))
    assert {"a_revisions", "b_revisions", "a_loans", "b_reviews"} <= names


def test_the_metadata_and_trigger_ddl_set_up_a_working_archive(
    engine: sa.Engine, schema: str
) -> None:
    """What an Alembic migration does: create the tables, then run trigger_ddl()."""
    app = sa.MetaData()
    sa.Table("accounts", app, sa.Column("id", sa.Integer, primary_key=True), schema=schema)
    md = archive_metadata(schema=schema, prefix="crm_", metadata=app)
    assert md is app
    assert sorted(md.tables) == sorted(
        f"{schema}.{n}"
        for n in ("accounts", "crm_revisions", "crm_snapshots", "crm_loans", "crm_reviews")
    )
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        md.create_all(conn)
        for statement in trigger_ddl(schema=schema, prefix="crm_"):
            conn.exec_driver_sql(statement)
    repo = PostgresRepository(engine, schema=schema, prefix="crm_")
    repo.add_all(sample_history(length=2))
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as conn:
        conn.exec_driver_sql(f'DELETE FROM "{schema}".crm_revisions')
    assert refused.value.orig.sqlstate == "KAM01"  # type: ignore[union-attr]
    assert repo.verify("K-001").ok


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {s}.kamcore_revisions SET reason = 'nothing happened'",
        "DELETE FROM {s}.kamcore_revisions",
        "TRUNCATE {s}.kamcore_revisions CASCADE",
        "UPDATE {s}.kamcore_reviews SET body = '{{}}'",
        "DELETE FROM {s}.kamcore_reviews",
        "TRUNCATE {s}.kamcore_reviews",
        "DELETE FROM {s}.kamcore_loans",
        "TRUNCATE {s}.kamcore_loans",
        "UPDATE {s}.kamcore_loans SET body = '{{}}'",
        "UPDATE {s}.kamcore_snapshots SET state = '{{}}'",
    ],
)
def test_raw_updates_deletes_and_truncates_are_refused_by_the_database(
    engine: sa.Engine, schema: str, repo: PostgresRepository, statement: str
) -> None:
    history = sample_history(length=4)
    repo.add_all(history)
    dossier = repo.get("K-001")
    from kamcore.archive import SOURCE_LENDING_POLICY, Borrower, Role, lend

    loan, _ = lend(
        SOURCE_LENDING_POLICY,
        dossier,
        Borrower("周总", Role.GENERAL_MANAGER),
        at=history[-1].at,
        hours=2,
        loan_id="L-1",
    )
    repo.record_loan(loan)
    repo.record_review(review(dossier, on="2026-03-01", by="王经理"))
    before = (repo.history("K-001"), repo.loans(), repo.reviews())
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as conn:
        conn.exec_driver_sql(statement.format(s=f'"{schema}"'))
    assert refused.value.orig.sqlstate == "KAM01"  # type: ignore[union-attr]
    assert (repo.history("K-001"), repo.loans(), repo.reviews()) == before
    assert repo.verify("K-001").ok


def test_a_loan_row_changes_only_by_its_return(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    dossier = repo.add(sample_history(length=1)[0])
    from kamcore.archive import SOURCE_LENDING_POLICY, Borrower, Role, lend

    loan, _ = lend(
        SOURCE_LENDING_POLICY,
        dossier,
        Borrower("周总", Role.GENERAL_MANAGER),
        at=dossier.created_at,
        hours=2,
        loan_id="L-1",
    )
    repo.record_loan(loan)
    table = f'"{schema}".kamcore_loans'
    with engine.begin() as conn:  # the return itself is allowed, once
        conn.exec_driver_sql(f"UPDATE {table} SET returned_at = '2026-01-05T10:00:00+00:00'")
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE {table} SET returned_at = '2026-01-05T11:00:00+00:00'")
    assert refused.value.orig.sqlstate == "KAM01"  # type: ignore[union-attr]


def test_a_refused_statement_through_the_store_is_a_store_error(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    repo.add(sample_history(length=1)[0])
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE "{schema}".kamcore_reviews')
    first = review(repo.get("K-001"), on="2026-02-01", by="王经理")
    with pytest.raises(StoreError, match="kamcore_reviews") as caught:
        repo.record_review(first)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    with pytest.raises(StoreError, match="42P01"):
        repo.reviews()


# -- the embedder's transaction -------------------------------------------------------------


def test_in_the_callers_transaction_a_rollback_stores_nothing(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=3)
    with engine.connect() as conn:
        inside = PostgresRepository(conn, schema=schema)
        inside.add_all(history[:2])
        inside.add(history[2])
        assert inside.get("K-001").revision == 3  # the caller's transaction sees its rows
        assert conn.in_transaction()
        conn.rollback()
        assert inside.keys() == ()
    assert repo.keys() == ()


def test_the_repository_never_commits_the_callers_transaction(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    with engine.connect() as conn:
        inside = PostgresRepository(conn, schema=schema)
        inside.add(history[0])
        inside.add(history[1])
        assert conn.in_transaction()
        assert repo.keys() == ()  # another connection: nothing committed yet
        conn.commit()
    assert repo.history("K-001") == tuple(history)


def test_a_conflict_leaves_the_callers_transaction_usable(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=3)
    repo.add_all(history[:2])
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{schema}".orders (id int primary key)')
        inside = PostgresRepository(conn, schema=schema)
        with pytest.raises(ConflictError) as caught:
            inside.add(history[1])
        assert caught.value.actual_revision == 2
        forged = attrs.evolve(history[2], reason="nothing happened")
        with pytest.raises(StoreError):
            inside.add(forged)
        inside.add(history[2])  # the transaction is still usable
        conn.exec_driver_sql(f'INSERT INTO "{schema}".orders VALUES (1)')
        conn.commit()
    assert repo.get("K-001").revision == 3


def test_a_connection_without_a_transaction_gets_one_for_the_caller_to_commit(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    with engine.connect() as conn:
        assert not conn.in_transaction()
        PostgresRepository(conn, schema=schema).add(sample_history(length=1)[0])
        assert conn.in_transaction()
        conn.commit()
    assert repo.keys() == ("K-001",)


# -- concurrency -----------------------------------------------------------------------------


def _wait_for_a_blocked_backend(engine: sa.Engine, timeout: float = 10.0) -> int:
    """The pid of a backend waiting on a lock (the second writer at the primary key)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watch:
        while time.monotonic() < deadline:
            pid = watch.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database() LIMIT 1"
                )
            ).scalar()
            watch.rollback()
            if pid is not None:
                return int(pid)
            time.sleep(0.01)
    pytest.fail("the second writer never waited for the first")


def test_two_writers_that_both_read_n_and_write_n_plus_1_one_wins(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    repo.add(history[0])
    theirs, _ = _rival(repo.get("K-001"))
    outcome: list[object] = []
    with engine.connect() as first:
        PostgresRepository(first, schema=schema).add(history[1])  # uncommitted: holds n + 1

        def second() -> None:
            try:  # reads head 1 (the first is not committed), inserts 2, waits at the key
                outcome.append(repo.add(theirs))
            except Exception as exc:
                outcome.append(exc)

        rival = threading.Thread(target=second)
        rival.start()
        _wait_for_a_blocked_backend(engine)
        first.commit()
        rival.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConflictError)
    assert (outcome[0].expected_revision, outcome[0].actual_revision) == (1, 2)
    assert repo.history("K-001") == tuple(history)
    assert repo.verify("K-001").ok


def test_when_the_first_writer_rolls_back_the_waiting_one_goes_through(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    repo.add(history[0])
    theirs, _ = _rival(repo.get("K-001"))
    outcome: list[object] = []
    with engine.connect() as first:
        PostgresRepository(first, schema=schema).add(history[1])
        rival = threading.Thread(target=lambda: outcome.append(repo.add(theirs)))
        rival.start()
        _wait_for_a_blocked_backend(engine)
        first.rollback()
        rival.join(30)
    assert [type(o) for o in outcome] == [Dossier]
    assert repo.history("K-001") == (history[0], theirs)


def _rival(dossier: Dossier) -> tuple[Revision, Dossier]:
    """Another writer's revision n + 1 of the same dossier (a different name)."""
    assert dossier.created_at is not None
    changed, rev = revise(
        dossier, {"name": dossier.name + "（另）"}, by="wang", at=dossier.created_at
    )
    return rev, changed


def test_many_threads_racing_for_the_same_revision_store_it_once(
    repo: PostgresRepository,
) -> None:
    first = sample_history(length=1)[0]
    base = repo.add(first)
    writers = 8
    barrier = threading.Barrier(writers)
    outcome: list[object] = []

    def write(i: int) -> None:
        _, rev = revise(base, {"grade": "A", "name": f"writer {i}"}, by=f"w{i}", at=base.created_at)  # type: ignore[arg-type]
        barrier.wait()
        try:
            outcome.append(repo.add(rev))
        except ConflictError as exc:
            outcome.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    won = [o for o in outcome if isinstance(o, Dossier)]
    lost = [o for o in outcome if isinstance(o, ConflictError)]
    assert (len(won), len(lost)) == (1, writers - 1)
    assert all(c.actual_revision == 2 for c in lost)
    assert repo.get("K-001") == won[0]
    assert repo.verify("K-001").ok
    assert len(repo.history("K-001")) == 2


def test_two_writers_returning_the_same_loan_one_wins(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    from kamcore.archive import SOURCE_LENDING_POLICY, Borrower, Role, lend

    dossier = repo.add(sample_history(length=1)[0])
    loan, _ = lend(
        SOURCE_LENDING_POLICY,
        dossier,
        Borrower("周总", Role.GENERAL_MANAGER),
        at=dossier.created_at,
        hours=2,
        loan_id="L-1",
    )
    repo.record_loan(loan)
    back, _ = return_loan(loan, at=dossier.created_at + timedelta(hours=1))
    later, _ = return_loan(loan, at=dossier.created_at + timedelta(hours=2))
    outcome: list[object] = []
    with engine.connect() as first:
        PostgresRepository(first, schema=schema).record_loan(back)

        def second() -> None:
            try:
                repo.record_loan(later)
                outcome.append("stored")
            except ConflictError as exc:
                outcome.append(exc)

        rival = threading.Thread(target=second)
        rival.start()
        _wait_for_a_blocked_backend(engine)
        first.commit()
        rival.join(30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConflictError)
    assert (outcome[0].expected_revision, outcome[0].actual_revision) == (1, 2)
    assert repo.loans() == (back,)


# -- faults ------------------------------------------------------------------------------------


def _terminate(engine: sa.Engine, pid: int) -> None:
    with engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.commit()


def test_a_dropped_connection_is_a_store_error_and_the_engine_recovers(
    pg_url: str, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=3)
    own = sa.create_engine(pg_url, pool_size=1, max_overflow=0)
    try:
        store = PostgresRepository(own, schema=schema)
        store.add(history[0])
        with own.connect() as conn:  # the pool's one connection: the store's backend
            pid = int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
        _terminate(repo_engine(repo), pid)
        with pytest.raises(StoreError, match="connection") as caught:
            store.add(history[1])
        assert not isinstance(caught.value, ConflictError)
        assert caught.value.__suppress_context__
        assert store.add(history[1]).revision == 2  # the next call reconnects
    finally:
        own.dispose()


def repo_engine(repo: PostgresRepository) -> sa.Engine:
    engine = repo._engine  # the test's admin connection
    assert engine is not None
    return engine


def test_a_dropped_connection_in_the_callers_transaction_is_a_store_error(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    repo.add(history[0])
    with engine.connect() as conn:
        inside = PostgresRepository(conn, schema=schema)
        pid = int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())
        _terminate(engine, pid)
        for call in (
            lambda: inside.add(history[1]),
            lambda: inside.get("K-001"),
            inside.loans,
        ):
            with pytest.raises(StoreError):
                call()
    assert repo.history("K-001") == (history[0],)


def test_a_writer_killed_while_it_waits_gets_a_store_error_and_stores_nothing(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    repo.add(history[0])
    theirs, _ = _rival(repo.get("K-001"))
    outcome: list[object] = []
    with engine.connect() as first:
        PostgresRepository(first, schema=schema).add(history[1])

        def second() -> None:
            try:
                outcome.append(repo.add(theirs))
            except Exception as exc:
                outcome.append(exc)

        rival = threading.Thread(target=second)
        rival.start()
        _terminate(engine, _wait_for_a_blocked_backend(engine))
        rival.join(30)
        first.rollback()
    assert len(outcome) == 1
    assert type(outcome[0]) is StoreError, outcome
    assert repo.history("K-001") == (history[0],)


def test_an_unreachable_server_is_a_store_error() -> None:
    repo = PostgresRepository.from_url(
        "postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    with repo, pytest.raises(StoreError, match=r"127\.0\.0\.1"):
        repo.keys()


def test_bad_arguments_are_refused(engine: sa.Engine) -> None:
    for bad in (
        {"snapshot_every": 0},
        {"snapshot_every": True},
        {"schema": " "},
        {"prefix": 3},
    ):
        with pytest.raises(ValidationError):
            PostgresRepository(engine, **bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="bind"):
        PostgresRepository(sa.create_engine("sqlite://"))
    with pytest.raises(ValidationError, match="bind"):
        PostgresRepository("postgresql://x/y")  # type: ignore[arg-type]
    for url in ("sqlite:///a.db", "mysql://x/y", "not a url"):
        with pytest.raises(ValidationError, match="url"):
            PostgresRepository.from_url(url)
    for name, value in (("policy", None), ("policy", "default"), ("snapshot_every", "8")):
        with pytest.raises(ValidationError) as caught:
            PostgresRepository(engine, **{name: value})  # type: ignore[arg-type]
        assert caught.value.field == name
        with pytest.raises(ValidationError) as caught:
            PostgresRepository.from_url("postgresql://x@127.0.0.1/y", **{name: value})  # type: ignore[arg-type]
        assert caught.value.field == name


def test_a_damaged_snapshot_is_ignored_and_the_history_replayed(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=5)
    repo.add_all(history)  # snapshot_every=2: snapshots at 2 and 4
    with engine.begin() as conn:
        conn.exec_driver_sql(f'ALTER TABLE "{schema}".kamcore_snapshots DISABLE TRIGGER USER')
        conn.exec_driver_sql(
            f'UPDATE "{schema}".kamcore_snapshots SET digest = reverse(digest) WHERE sequence = 4'
        )
    fresh = PostgresRepository(engine, schema=schema, snapshot_every=2)  # no cached head
    from kamcore.archive import replay_dossier

    assert fresh.get("K-001") == replay_dossier(history)
    assert fresh.at_revision("K-001", 4) == replay_dossier(history[:4])
    assert fresh.as_of("K-001", history[3].at) == replay_dossier(history[:4])
    check = fresh.verify("K-001")
    assert (check.ok, check.first_bad) == (False, 4)
    assert "snapshot at revision 4" in check.problem


def test_from_url_takes_a_plain_postgresql_url(pg_url: str, schema: str) -> None:
    plain = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with PostgresRepository.from_url(plain, schema=schema) as repo:
        repo.create_schema()
        history = sample_history(length=2)
        repo.add_all(history)
    with PostgresRepository.from_url(pg_url, schema=schema) as again:
        assert again.history("K-001") == tuple(history)


def test_rows_and_snapshots_match_the_sqlite_store(
    engine: sa.Engine, schema: str, tmp_path: object
) -> None:
    """A revision row is the same text in both stores (a later copy between them verifies)."""
    import sqlite3
    from pathlib import Path

    from kamcore.store import SQLiteRepository

    history = sample_history(length=5)
    pg = PostgresRepository(engine, schema=schema, snapshot_every=2)
    pg.create_schema()
    pg.add_all(history)
    path = Path(str(tmp_path)) / "a.db"
    with SQLiteRepository(path, snapshot_every=2) as lite:
        lite.add_all(history)
    cols = "dossier_id, sequence, at, by, reason, changes, previous_hash, hash"
    with sqlite3.connect(path) as db:
        lite_rows = db.execute(f"SELECT {cols} FROM revisions ORDER BY sequence").fetchall()
        lite_snaps = db.execute("SELECT * FROM snapshots ORDER BY sequence").fetchall()
    with engine.connect() as conn:
        pg_rows = conn.exec_driver_sql(
            f"SELECT {cols.replace('by', chr(34) + 'by' + chr(34))} "
            f'FROM "{schema}".kamcore_revisions ORDER BY sequence'
        ).all()
        pg_snaps = conn.exec_driver_sql(
            f'SELECT * FROM "{schema}".kamcore_snapshots ORDER BY sequence'
        ).all()
    assert [tuple(r) for r in pg_rows] == lite_rows
    assert [tuple(r) for r in pg_snaps] == lite_snaps


def test_a_tampered_row_is_found_by_verify(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=5)
    repo.add_all(history)
    table = f'"{schema}".kamcore_revisions'
    with engine.begin() as conn:  # the owner can switch the triggers off: the chain still tells
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        conn.exec_driver_sql(f"UPDATE {table} SET reason = 'forged' WHERE sequence = 3")
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    check = repo.verify("K-001")
    assert (check.ok, check.first_bad) == (False, 3)
    with pytest.raises(IntegrityError) as caught:
        repo.history("K-001")
    assert caught.value.revision == 3


# -- stateful: the SQLite machine, with a PostgreSQL store beside the other two -------------


class PostgresArchiveStoreMachine(ArchiveStoreMachine):
    """The same random steps as the SQLite store's test, a PostgresRepository added."""

    def __init__(self) -> None:
        super().__init__()
        self.engine = _engine(os.environ[_PG_URL_ENV])
        self.schema = _new_schema()
        self.pg = PostgresRepository(self.engine, schema=self.schema, snapshot_every=3)
        self.pg.create_schema()
        self.stores.append(self.pg)

    def teardown(self) -> None:
        try:
            again = PostgresRepository(self.engine, schema=self.schema)
            assert again.get("K-1") == self.states[-1]
            assert again.verify("K-1").ok
            n = len(self.history) // 2 + 1
            table = f'"{self.schema}".kamcore_revisions'
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                conn.exec_driver_sql(
                    f"UPDATE {table} SET hash = reverse(hash) WHERE sequence = {n}"
                )
            check = again.verify("K-1")
            assert (check.ok, check.first_bad) == (False, n)
        finally:
            _drop(self.engine, self.schema)
        super().teardown()


PostgresArchiveStoreMachine.TestCase.settings = ArchiveStoreMachine.TestCase.settings


@pytest.fixture
def _stateful_env(pg_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_STATEFUL_TMP", str(tmp_path))
    monkeypatch.setenv(_PG_URL_ENV, pg_url)


@pytest.mark.usefixtures("_stateful_env")
class TestRandomHistoriesAgainstPostgresToo(PostgresArchiveStoreMachine.TestCase):  # type: ignore[name-defined]
    pass


_KILLED_WRITER = """
import sys, time
import sqlalchemy as sa
from kamcore.store import PostgresRepository
from kamcore.testing.repository import sample_history

engine = sa.create_engine(sys.argv[1])
history = sample_history(length=3)
with engine.connect() as conn:
    PostgresRepository(conn, schema=sys.argv[2], snapshot_every=2).add_all(history[1:])
    print("written, not committed", flush=True)
    time.sleep(60)
"""


def test_a_writer_killed_mid_transaction_leaves_no_partial_revision(
    pg_url: str, schema: str, repo: PostgresRepository
) -> None:
    import signal
    import subprocess
    import sys

    history = sample_history(length=3)
    repo.add(history[0])
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, pg_url, schema],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "written, not committed"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert repo.history("K-001") == (history[0],)
    assert repo.verify("K-001").ok
    assert repo.add_all(history[1:]) == 2  # the server rolled the dead writer back
    assert repo.verify("K-001").ok


def test_a_conflict_inside_a_repeatable_read_transaction_names_the_committed_head(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    repo.add(history[0])
    theirs, _ = _rival(repo.get("K-001"))
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        inside = PostgresRepository(conn, schema=schema)
        assert inside.get("K-001").revision == 1  # the caller's snapshot is taken here
        repo.add(theirs)  # another writer commits revision 2
        with pytest.raises(ConflictError) as caught:
            inside.add(history[1])  # its snapshot still shows revision 1
        assert (caught.value.expected_revision, caught.value.actual_revision) == (1, 2)
        conn.rollback()
    assert repo.history("K-001") == (history[0], theirs)


def test_a_loan_returned_meanwhile_inside_a_repeatable_read_transaction_is_a_conflict(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    from kamcore.archive import SOURCE_LENDING_POLICY, Borrower, Role, lend

    dossier = repo.add(sample_history(length=1)[0])
    loan, _ = lend(
        SOURCE_LENDING_POLICY,
        dossier,
        Borrower("周总", Role.GENERAL_MANAGER),
        at=dossier.created_at,
        hours=2,
        loan_id="L-1",
    )
    repo.record_loan(loan)
    back, _ = return_loan(loan, at=dossier.created_at + timedelta(hours=1))
    later, _ = return_loan(loan, at=dossier.created_at + timedelta(hours=2))
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        inside = PostgresRepository(conn, schema=schema)
        assert inside.loans() == (loan,)  # the snapshot: still open
        repo.record_loan(back)
        with pytest.raises(ConflictError) as caught:
            inside.record_loan(later)  # 40001 at the update: returned since
        assert (caught.value.expected_revision, caught.value.actual_revision) == (1, 2)
        conn.rollback()
    assert repo.loans() == (back,)


def test_create_schema_puts_back_a_dropped_trigger(
    engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f'DROP TRIGGER kamcore_revisions_append_only ON "{schema}".kamcore_revisions'
        )
    repo.create_schema()
    repo.add(sample_history(length=1)[0])
    with pytest.raises(sa.exc.DBAPIError) as refused, engine.begin() as conn:
        conn.exec_driver_sql(f'DELETE FROM "{schema}".kamcore_revisions')
    assert refused.value.orig.sqlstate == "KAM01"  # type: ignore[union-attr]


def test_a_connection_lost_at_commit_says_the_write_may_or_may_not_be_stored(
    pg_url: str, engine: sa.Engine, schema: str, repo: PostgresRepository
) -> None:
    history = sample_history(length=2)
    repo.add(history[0])
    own = sa.create_engine(pg_url, pool_size=1, max_overflow=0)

    def kill_before_commit(conn: sa.Connection) -> None:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        _terminate(engine, int(pid))

    sa.event.listen(own, "commit", kill_before_commit)
    try:
        with pytest.raises(StoreError, match="may or may not be stored"):
            PostgresRepository(own, schema=schema).add(history[1])
    finally:
        own.dispose()
    assert repo.history("K-001") == (history[0],)  # here: it was not


def test_from_url_refuses_options_the_engine_does_not_take() -> None:
    with pytest.raises(ValidationError, match="url"):
        PostgresRepository.from_url("postgresql://x@127.0.0.1/y", no_such_option=1)
