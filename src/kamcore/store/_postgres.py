"""The archive in a PostgreSQL database: SQLAlchemy Core over psycopg 3, for many writers.

:class:`PostgresRepository` keeps the same rows as :class:`~kamcore.store.SQLiteRepository`
(a revision's columns are the exact text its hash was taken over) in four tables of the
embedder's own database, under a schema and a table-name prefix of their choice. The
tables are offered as SQLAlchemy :class:`~sqlalchemy.MetaData` (:func:`archive_metadata`,
for Alembic's ``target_metadata``) and the append-only triggers as SQL
(:func:`trigger_ddl`, for a migration's ``op.execute``); :meth:`PostgresRepository.create_schema`
does both at once.

Concurrency: READ COMMITTED and the primary key ``(dossier_id, sequence)``. A writer
reads the head, checks and applies its revision, and inserts it; two writers that both
read revision n and both insert n + 1 meet at the primary key: the second insert waits
for the first transaction, then fails with a unique violation if it committed (the
loser gets :class:`~kamcore.errors.ConflictError` naming the revision the store now
holds) or goes through if it rolled back. The rule holds at any isolation level (a
unique check sees every committed row), writers to different dossiers never wait for
each other, and no lock or SERIALIZABLE retry loop is needed. Inside a caller's
REPEATABLE READ or SERIALIZABLE transaction a serialization failure or a deadlock is a
``ConflictError`` too, and the conflict names the revision the winner committed even
though the caller's snapshot does not show it.

This module needs the ``postgres`` extra (``pip install 'kamcore[postgres]'``);
:mod:`kamcore.store` imports it only when one of its names is asked for.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from typing import Any, Final

from kamcore.errors import ConflictError, RecordNotFound, StoreError, ValidationError

try:
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
except ModuleNotFoundError as exc:  # pragma: no cover - the test environment has the extra
    msg = (
        f"The PostgreSQL store needs SQLAlchemy and psycopg 3 ({exc.name} is missing): "
        "pip install 'kamcore[postgres]'"
    )
    raise StoreError(msg) from None

from kamcore import _plain as canon
from kamcore._validate import text, whole
from kamcore.archive import (
    DEFAULT_ARCHIVE_POLICY,
    GENESIS,
    ArchivePolicy,
    ChainCheck,
    Dossier,
    Loan,
    Review,
    Revision,
    verify,
)
from kamcore.errors import IntegrityError
from kamcore.store._pg_schema import (
    REFUSED,
    archive_metadata,
    check_names,
    quote,
    trigger_ddl,
    trigger_names,
)
from kamcore.store._protocol import (
    added_key,
    as_of_cut,
    as_of_sequence,
    check_expected,
    check_loan,
    check_policy,
    check_review,
    check_sequence,
    loan_body,
    loan_conflict,
    next_state,
    read_loan,
    read_revision,
    read_snapshot,
    replay_tail,
    revision_row,
    same_loan_returned,
    snapshot_digest,
    verify_rows,
)

__all__ = ["PostgresRepository", "archive_metadata", "trigger_ddl"]

_INSTALL: Final = "pip install 'kamcore[postgres]'"
_RACES: Final = frozenset({"23505", "40001", "40P01"})  # unique, serialization, deadlock
_COLUMNS: Final = ("dossier_id", "sequence", "at", "by", "reason", "changes")
_ROW: Final = (*_COLUMNS, "previous_hash", "hash")


# -- errors ------------------------------------------------------------------------------


class _Raced(Exception):
    """Another writer got there first (unique violation, serialization failure, deadlock)."""


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def _driver_text(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    words = str(orig if orig is not None else exc).strip().splitlines()
    return words[0] if words else type(exc).__name__


def _lost(exc: SQLAlchemyError) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


@contextmanager
def _no_driver_errors(action: Callable[[], str], where: str, *, races: bool) -> Iterator[None]:
    """Turn every SQLAlchemy/driver error into a StoreError (a lost race into ``_Raced``).

    With ``races=False`` (a read, a review, the schema) a lost race is a StoreError too.
    """
    try:
        yield
    except _Raced:
        if races:
            raise
        msg = f"Can't {action()} in {where}: another writer got in the way; retry"
        raise StoreError(msg) from None
    except SQLAlchemyError as exc:
        state = _sqlstate(exc)
        if state in _RACES and races:
            raise _Raced(state) from None
        if state == REFUSED:
            msg = f"Can't {action()}: {_driver_text(exc)}"
        elif _lost(exc):
            msg = (
                f"Can't {action()} in {where}: the connection failed "
                f"({state or type(exc).__name__}): {_driver_text(exc)}"
            )
        else:
            msg = f"Can't {action()} in {where}: {state or type(exc).__name__} {_driver_text(exc)}"
        raise StoreError(msg) from None


# -- the repository ----------------------------------------------------------------------


class PostgresRepository:
    """A :class:`~kamcore.store.Repository` in a PostgreSQL database (the ``postgres`` extra).

    Given an :class:`~sqlalchemy.engine.Engine`, every call runs in its own READ
    COMMITTED transaction, committed (durably) before it returns; the repository is
    then safe to share between threads. Given a :class:`~sqlalchemy.engine.Connection`,
    it works inside the caller's transaction and never commits or rolls it back: each
    call runs in a SAVEPOINT, so a refused write (``ConflictError``, ``StoreError``)
    undoes only its own statements and the caller's transaction stays usable; reads see
    the caller's uncommitted revisions. If the connection has no transaction yet, one
    begins, and the caller commits it. One connection serves one thread.

    Two writers that both read revision n and both write n + 1: exactly one wins, the
    other gets :class:`~kamcore.errors.ConflictError` naming the revision the store
    holds (see the module's notes). A lost connection, a refused statement or any other
    driver error surfaces as :class:`~kamcore.errors.StoreError`; no SQLAlchemy or
    psycopg exception escapes.

    Args:
        bind: The embedder's engine, or a connection whose transaction to work in.
        schema: The PostgreSQL schema of the tables (``None``: the connection's default).
        prefix: Put before every table name (default ``"kamcore_"``).
        snapshot_every: Keep a snapshot of the dossier every N revisions (default 8),
            so reading an old state replays at most N-1 revisions.
        policy: Which changes need a reason (default
            :data:`~kamcore.archive.DEFAULT_ARCHIVE_POLICY`): ``add`` refuses, and
            ``verify`` reports, a revision that makes such a change without one.

    Raises:
        ValidationError: ``bind`` is not a PostgreSQL engine or connection, or a name,
            ``snapshot_every`` or ``policy`` is invalid.

    Attributes:
        metadata: The tables, as :func:`archive_metadata` gives them.
    """

    def __init__(
        self,
        bind: Engine | Connection,
        *,
        schema: str | None = None,
        prefix: str = "kamcore_",
        snapshot_every: int = 8,
        policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
    ) -> None:
        schema, prefix = check_names(schema, prefix)
        self.policy = check_policy(policy)
        self.snapshot_every = whole(
            snapshot_every, "snapshot_every", low=1, expected="a whole number ≥ 1"
        )
        if not isinstance(bind, Engine | Connection) or bind.dialect.name != "postgresql":
            raise ValidationError(
                field="bind",
                value=bind,
                expected="a SQLAlchemy Engine or Connection to a PostgreSQL database",
            )
        self.schema = schema
        self.prefix = prefix
        self.metadata = archive_metadata(schema=schema, prefix=prefix)
        t = self.metadata.tables
        key = f"{schema}.{prefix}" if schema else prefix
        self._revisions = t[f"{key}revisions"]
        self._snapshots = t[f"{key}snapshots"]
        self._loans = t[f"{key}loans"]
        self._reviews = t[f"{key}reviews"]
        self._prepare_statements()
        self._engine: Engine | None = None
        self._reader: Engine | None = None
        self._connection: Connection | None = None
        if isinstance(bind, Engine):
            self._engine = bind.execution_options(isolation_level="READ COMMITTED")
            # reads need no transaction: each statement sees what is committed, and
            # rows never change, so a head read first bounds what later statements read
            self._reader = bind.execution_options(isolation_level="AUTOCOMMIT")
            url = bind.url
        else:
            self._connection = bind
            url = bind.engine.url
        self._where = url.render_as_string(hide_password=True)
        self._owned: Engine | None = None
        self._heads: dict[str, Dossier] = {}
        self._heads_lock = threading.Lock()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        schema: str | None = None,
        prefix: str = "kamcore_",
        snapshot_every: int = 8,
        policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
        **engine_options: Any,
    ) -> PostgresRepository:
        """A repository on an engine of its own, made from a database URL.

        ``postgresql://`` and ``postgres://`` URLs use psycopg 3; a URL naming its
        driver (``postgresql+psycopg://``) is taken as it is. :meth:`close` disposes of
        the engine.

        Args:
            url: The database URL (``postgresql://user:password@host:port/database``).
            schema: The tables' schema (``None``: the connection's default).
            prefix: Put before every table name.
            snapshot_every: Keep a snapshot every N revisions.
            policy: Which changes need a reason.
            **engine_options: Passed on to :func:`sqlalchemy.create_engine`.

        Raises:
            ValidationError: Not a PostgreSQL URL.
            StoreError: The driver is missing (``pip install 'kamcore[postgres]'``).
        """
        url = text(url, "url", expected="a postgresql:// URL")
        scheme, sep, rest = url.partition("://")
        if not sep or scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ValidationError(field="url", value=url, expected="a postgresql:// URL")
        if "+" not in scheme:
            url = f"postgresql+psycopg://{rest}"
        try:
            engine = sa.create_engine(url, **engine_options)
        except ModuleNotFoundError as exc:
            msg = f"The PostgreSQL store needs {exc.name}: {_INSTALL}"
            raise StoreError(msg) from None
        except (SQLAlchemyError, TypeError, ValueError) as exc:
            raise ValidationError(
                field="url", value=url, expected=f"a database URL SQLAlchemy accepts ({exc})"
            ) from None
        try:
            repository = cls(
                engine, schema=schema, prefix=prefix, snapshot_every=snapshot_every, policy=policy
            )
        except ValidationError:
            engine.dispose()
            raise
        repository._owned = engine
        return repository

    def close(self) -> None:
        """Dispose of the engine :meth:`from_url` made (yours, when you gave one, stays open)."""
        if self._owned is not None:
            self._owned.dispose()

    def __enter__(self) -> PostgresRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------
    @contextmanager
    def _transaction(
        self, action: Callable[[], str], *, races: bool = False
    ) -> Iterator[Connection]:
        """One unit of work: a transaction of its own, or a SAVEPOINT in the caller's.

        Whatever the body raises undoes the unit's statements; driver errors come out as
        StoreError, and (with ``races``) a lost race as ``_Raced``.
        """

        def guard() -> contextlib.AbstractContextManager[None]:
            return _no_driver_errors(action, self._where, races=races)

        if self._connection is not None:
            conn = self._connection
            with guard():
                savepoint = conn.begin_nested()
            try:
                with guard():
                    yield conn
            except BaseException:
                with suppress(SQLAlchemyError):  # a lost connection: the error says so
                    savepoint.rollback()
                raise
            with guard():
                savepoint.commit()
            return
        assert self._engine is not None
        with guard():
            conn = self._engine.connect()
        try:
            with guard():
                outer = conn.begin()
            try:
                with guard():
                    yield conn
            except BaseException:
                with suppress(SQLAlchemyError):
                    outer.rollback()
                raise
            try:
                outer.commit()
            except SQLAlchemyError as exc:
                if races and _sqlstate(exc) in _RACES:
                    raise _Raced(_sqlstate(exc)) from None
                msg = (
                    f"Can't {action()} in {self._where}: the commit failed and the write "
                    f"may or may not be stored; reload and check ({_driver_text(exc)})"
                )
                raise StoreError(msg) from None
        finally:
            with suppress(SQLAlchemyError):
                conn.close()

    @contextmanager
    def _reading(self, what: str) -> Iterator[Connection]:
        """A read: in the caller's transaction, or (engine) on a connection in autocommit.

        Without a transaction there is no BEGIN and no COMMIT to wait for; each statement
        still sees every committed row, and as rows are never changed, the statements of
        one read agree as long as the first bounds what the later ones read (the head).
        """
        if self._reader is None:
            with self._transaction(lambda: f"read {what}") as conn:
                yield conn
            return
        with (
            _no_driver_errors(lambda: f"read {what}", self._where, races=False),
            self._reader.connect() as conn,
        ):
            yield conn

    def _stored_head(self, conn: Connection, key: str) -> tuple[int, str]:
        row = conn.execute(self._head_query, {"key": key}).first()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def _cached(self, key: str, head: int, head_hash: str) -> Dossier | None:
        cached = self._heads.get(key)
        if cached is not None and cached.revision == head and cached.head == head_hash:
            return cached
        return None

    def _remember(self, state: Dossier) -> None:
        with self._heads_lock:
            self._heads[state.id] = state

    def _current(self, conn: Connection, key: str, head: int, head_hash: str) -> Dossier | None:
        if head == 0:
            return None
        return self._cached(key, head, head_hash) or self._state_at(conn, key, head)

    def _rows(self, conn: Connection, key: str, first: int = 1, last: int | None = None) -> Any:
        r = self._revisions
        query = sa.select(*(r.c[name] for name in _ROW)).where(
            r.c.dossier_id == key, r.c.sequence >= first
        )
        if last is not None:
            query = query.where(r.c.sequence <= last)
        return conn.execute(query.order_by(r.c.sequence)).all()

    def _prepare_statements(self) -> None:
        """The statements every call runs, built once (SQLAlchemy caches their SQL)."""
        r, s = self._revisions, self._snapshots
        key: sa.BindParameter[str] = sa.bindparam("key")
        sequence: sa.BindParameter[int] = sa.bindparam("sequence")
        self._head_query = (
            sa.select(r.c.sequence, r.c.hash)
            .where(r.c.dossier_id == key)
            .order_by(r.c.sequence.desc())
            .limit(1)
        )
        self._insert_revision = r.insert()
        self._insert_snapshot = postgresql.insert(s).on_conflict_do_nothing()
        # as_of: the head and the first revision made after the cut, in one round trip
        self._cuts = {
            column: sa.select(
                sa.select(sa.func.max(r.c.sequence)).where(r.c.dossier_id == key).scalar_subquery(),
                sa.select(sa.func.min(r.c.sequence))
                .where(r.c.dossier_id == key, r.c[column] > sa.bindparam("cut"))
                .scalar_subquery(),
            )
            for column in ("at_utc", "day")
        }
        # a state: the latest snapshot at or before ``sequence`` (its revision row with
        # the snapshot's columns) and the revisions after it, in one round trip
        floor = (
            sa.select(sa.func.max(s.c.sequence))
            .where(s.c.dossier_id == key, s.c.sequence <= sequence)
            .scalar_subquery()
        )
        joined = r.outerjoin(
            s, sa.and_(s.c.dossier_id == r.c.dossier_id, s.c.sequence == r.c.sequence)
        )
        self._state_query = (
            sa.select(*(r.c[name] for name in _ROW), s.c.state, s.c.digest)
            .select_from(joined)
            .where(
                r.c.dossier_id == key,
                r.c.sequence <= sequence,
                r.c.sequence >= sa.func.coalesce(floor, 1),
            )
            .order_by(r.c.sequence)
        )

    def _state_at(self, conn: Connection, key: str, sequence: int) -> Dossier:
        rows: Sequence[Sequence[Any]]
        rows = conn.execute(self._state_query, {"key": key, "sequence": sequence}).all()
        start: Dossier | None = None
        if rows and rows[0][-2] is not None:  # the snapshot, on its revision's row
            first = rows[0]
            start = read_snapshot(int(first[1]), str(first[-2]), str(first[-1]), str(first[7]))
            if start is None:  # damaged: ignore it and replay the whole history
                rows = [(*row, None, None) for row in self._rows(conn, key, 1, sequence)]
            else:
                rows = rows[1:]
        tail = [read_revision(row[:8]) for row in rows]
        return replay_tail(key, start, tail)

    def _head(self, conn: Connection, key: str) -> int:
        head, _ = self._stored_head(conn, key)
        if head == 0:
            raise RecordNotFound(key=key, kind="dossier")
        return head

    # -- schema ------------------------------------------------------------------------
    def create_schema(self) -> None:
        """Create the schema, the tables and the triggers, where missing (idempotent).

        Safe to call from several processes at once (a transaction-scoped advisory lock
        serialises them). With a connection, it runs inside the caller's transaction.

        Raises:
            StoreError: The database refused (no right to create them, a lost connection).
        """
        with self._transaction(lambda: "create the archive's tables") as conn:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('kamcore schema'))"))
            if self.schema:
                conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quote(self.schema)}"))
            self.metadata.create_all(conn, checkfirst=True)
            present = set(
                conn.execute(
                    sa.text(
                        "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = coalesce(:schema, current_schema()) "
                        "AND NOT t.tgisinternal"
                    ),
                    {"schema": self.schema},
                ).scalars()
            )
            if not trigger_names(self.prefix) <= present:
                for statement in trigger_ddl(self.schema, self.prefix):
                    conn.exec_driver_sql(statement)

    # -- revisions ---------------------------------------------------------------------
    def _add(self, conn: Connection, revision: Revision, expected: int | None) -> Dossier:
        key = added_key(revision, expected)
        head, head_hash = self._stored_head(conn, key)
        check_expected(key, revision, head, expected)
        state = next_state(self._current(conn, key, head, head_hash), revision, self.policy)
        row = dict(zip(_ROW, revision_row(revision), strict=True))
        row["at_utc"] = revision.at.astimezone(UTC)
        row["day"] = revision.at.date()
        conn.execute(self._insert_revision, row)
        if revision.sequence % self.snapshot_every == 0:
            state_text = canon.dumps(state)
            conn.execute(
                self._insert_snapshot,
                {
                    "dossier_id": key,
                    "sequence": revision.sequence,
                    "state": state_text,
                    "digest": snapshot_digest(state_text, revision.hash),
                },
            )
        return state

    @contextmanager
    def _committed(self, what: str) -> Iterator[Connection]:
        """Read what other writers have committed, even from inside a caller's snapshot.

        Inside a caller's REPEATABLE READ or SERIALIZABLE transaction the snapshot does
        not show the revision that won a race; a short READ COMMITTED read on another
        connection of the same engine does.
        """
        if self._connection is None:
            with self._reading(what) as conn:
                yield conn
            return
        engine = self._connection.engine.execution_options(isolation_level="READ COMMITTED")
        with (
            _no_driver_errors(lambda: f"read {what}", self._where, races=False),
            engine.connect() as conn,
        ):
            yield conn

    def _conflict_now(self, key: str, based_on: int) -> ConflictError:
        """The conflict of a writer that lost a race, naming what the store holds now."""
        with self._reading(f"the head of {key!r}") as conn:
            head, _ = self._stored_head(conn, key)
        if head <= based_on:  # the caller's snapshot predates the winner
            with self._committed(f"the head of {key!r}") as conn:
                head = max(head, self._stored_head(conn, key)[0])
        return ConflictError(key=key, expected_revision=based_on, actual_revision=head)

    def add(self, revision: Revision, *, expected_revision: int | None = None) -> Dossier:
        """Store a revision (in its own transaction or a savepoint); see :meth:`Repository.add`."""
        key = added_key(revision, expected_revision)
        try:
            with self._transaction(
                lambda: f"store revision {revision.sequence} of {key!r}", races=True
            ) as conn:
                state = self._add(conn, revision, expected_revision)
        except _Raced:
            raise self._conflict_now(key, revision.sequence - 1) from None
        self._remember(state)
        return state

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import in one transaction, all or none; see :meth:`Repository.add_all`."""
        states: list[Dossier] = []
        current: list[Revision] = []
        try:
            with self._transaction(
                lambda: (
                    f"store revision {current[-1].sequence} of {current[-1].dossier_id!r}"
                    if current
                    else "import revisions"
                ),
                races=True,
            ) as conn:
                for revision in revisions:
                    current.append(revision)
                    states.append(self._add(conn, revision, None))
        except _Raced:
            raced = current[-1]
            raise self._conflict_now(raced.dossier_id, raced.sequence - 1) from None
        for state in states:
            self._remember(state)
        return len(states)

    def get(self, key: str) -> Dossier:
        """The current dossier (from the cache, a snapshot and the tail of the history)."""
        with self._reading(repr(key)) as conn:
            head, head_hash = self._stored_head(conn, key)
            state = self._current(conn, key, head, head_hash)
        if state is None:
            raise RecordNotFound(key=key, kind="dossier")
        self._remember(state)
        return state

    def history(self, key: str) -> tuple[Revision, ...]:
        """Every revision, oldest first; raises IntegrityError if the chain does not verify."""
        with self._reading(f"the history of {key!r}") as conn:
            rows = self._rows(conn, key)
        revisions = tuple(read_revision(row) for row in rows)
        if not revisions:
            raise RecordNotFound(key=key, kind="dossier")
        check = verify(revisions)
        if not check.ok:
            raise IntegrityError(key=key, revision=check.first_bad or 0, problem=check.problem)
        return revisions

    def as_of(self, key: str, at: date | datetime) -> Dossier:
        """The dossier as it stood at ``at`` (a snapshot and a short replay)."""
        column, cut = as_of_cut(at)
        if isinstance(cut, datetime):
            cut = cut.astimezone(UTC)
        with self._reading(f"{key!r} as of {at}") as conn:
            # the longest prefix made by then: up to the first revision made later
            head, later = conn.execute(self._cuts[column], {"key": key, "cut": cut}).one()
            if head is None:
                raise RecordNotFound(key=key, kind="dossier")
            return self._state_at(conn, key, as_of_sequence(at, int(head), later))

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``."""
        with self._reading(f"revision {sequence} of {key!r}") as conn:
            return self._state_at(conn, key, check_sequence(sequence, self._head(conn, key)))

    def keys(self) -> tuple[str, ...]:
        """Every stored dossier's key, sorted (by code point, whatever the collation)."""
        with self._reading("the dossiers' keys") as conn:
            found = conn.execute(sa.select(self._revisions.c.dossier_id).distinct()).scalars()
            return tuple(sorted(found))

    def verify(self, key: str) -> ChainCheck:
        """Check the stored history of ``key`` and every snapshot of it.

        An unreadable row counts as a bad revision. A snapshot that is not exactly the
        replay of the history at its revision (or whose digest does not fit) is reported
        like a bad revision at that sequence, its ``problem`` naming the snapshot.
        """
        s = self._snapshots
        with self._reading(f"the history of {key!r}") as conn:
            rows = self._rows(conn, key)
            snapshots = conn.execute(
                sa.select(s.c.sequence, s.c.state, s.c.digest)
                .where(s.c.dossier_id == key)
                .order_by(s.c.sequence)
            ).all()
        if not rows:
            raise RecordNotFound(key=key, kind="dossier")
        return verify_rows(
            key, rows, [(int(a), str(b), str(c)) for a, b, c in snapshots], self.policy
        )

    # -- loans -------------------------------------------------------------------------
    def _stored_loan(self, conn: Connection, loan_id: str) -> Loan | None:
        row = conn.execute(
            sa.select(self._loans.c.body, self._loans.c.returned_at).where(
                self._loans.c.id == loan_id
            )
        ).first()
        return None if row is None else read_loan(row[0], row[1])

    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open one (race-free: see the class)."""
        check_loan(loan)
        action = f"record loan {loan.id}"
        try:
            with self._transaction(lambda: action, races=True) as conn:
                r, lo = self._revisions, self._loans
                known = conn.execute(
                    sa.select(sa.literal(1)).where(r.c.dossier_id == loan.dossier_id).limit(1)
                ).first()
                if known is None:
                    raise RecordNotFound(key=loan.dossier_id, kind="dossier")
                stored = self._stored_loan(conn, loan.id)
                returned = loan.returned_at.isoformat() if loan.returned_at else None
                if stored is None:
                    conn.execute(
                        lo.insert().values(
                            id=loan.id,
                            dossier_id=loan.dossier_id,
                            body=loan_body(loan),
                            returned_at=returned,
                        )
                    )
                    return
                if not same_loan_returned(stored, loan):
                    raise loan_conflict(stored, loan)
                done = conn.execute(
                    lo.update()
                    .where(lo.c.id == loan.id, lo.c.returned_at.is_(None))
                    .values(returned_at=returned)
                )
                if done.rowcount == 0:  # returned by another writer since we read it
                    raise _Raced
        except _Raced:
            with self._reading(f"loan {loan.id}") as conn:
                now = self._stored_loan(conn, loan.id)
            if now is None or now.returned_at is None:  # the caller's snapshot predates it
                with self._committed(f"loan {loan.id}") as conn:
                    now = self._stored_loan(conn, loan.id) or now
            raise loan_conflict(now or loan, loan) from None

    def loans(self, key: str | None = None) -> tuple[Loan, ...]:
        """Every loan (of one dossier), in the order recorded."""
        lo = self._loans
        query = sa.select(lo.c.body, lo.c.returned_at).order_by(lo.c.position)
        if key is not None:
            query = query.where(lo.c.dossier_id == key)
        with self._reading("the loan register") as conn:
            rows = conn.execute(query).all()
        return tuple(read_loan(body, returned) for body, returned in rows)

    # -- reviews -----------------------------------------------------------------------
    def record_review(self, review: Review) -> None:
        """Record a review of a stored dossier (append-only)."""
        key = review.dossier_id if isinstance(review, Review) else ""
        action = f"record a review of {key!r}"
        with self._transaction(lambda: action) as conn:
            head, _ = self._stored_head(conn, key)
            if head == 0:
                raise RecordNotFound(key=key, kind="dossier")
            check_review(review, head)
            conn.execute(
                self._reviews.insert().values(
                    dossier_id=key, body=canon.dumps(canon.to_plain(review))
                )
            )

    def reviews(self, key: str | None = None) -> tuple[Review, ...]:
        """Every review (of one dossier), in the order recorded."""
        rv = self._reviews
        query = sa.select(rv.c.body).order_by(rv.c.position)
        if key is not None:
            query = query.where(rv.c.dossier_id == key)
        with self._reading("the reviews") as conn:
            bodies = conn.execute(query).scalars().all()
        out: list[Review] = [canon.from_plain(Review, canon.loads(body)) for body in bodies]
        return tuple(out)
