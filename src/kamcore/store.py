"""Repositories for the archive: a protocol, an in-memory store and an embedded SQLite store.

A :class:`Repository` keeps each dossier's revisions (append-only) and the loan
register. Writes are optimistic: a revision is accepted only if it is based on the
revision the store holds (``expected_revision``); a stale write raises
:class:`~kamcore.errors.ConflictError` and stores nothing. Every revision is checked
before it is stored — its hash, its link to the stored head, and that it applies to the
stored dossier — so a store only ever holds a valid chain.

* :class:`InMemoryRepository` — for tests and short-lived tools.
* :class:`SQLiteRepository` — stdlib :mod:`sqlite3`, WAL journal, one transaction per
  revision, the revision table append-only (triggers ``RAISE`` on ``UPDATE`` and
  ``DELETE``), snapshots every ``snapshot_every`` revisions so that ``as_of`` replays
  only a short tail. ``synchronous=FULL`` by default (each commit is on disk before
  ``add`` returns); pass ``synchronous="NORMAL"`` to trade durability on power loss for
  speed (still safe against a crashed process).

Reads check what they read and raise :class:`~kamcore.errors.IntegrityError` (naming
the revision) rather than return altered data: :meth:`~Repository.history` verifies the
whole hash chain; ``get``, ``as_of`` and ``at_revision`` use a snapshot only if its
digest matches and check the hashes and links of the revisions they replay after it —
at most ``snapshot_every - 1`` of them, so a read stays cheap. :meth:`~Repository.verify` checks a whole history and names the
first bad revision; :class:`SQLiteRepository` also checks every snapshot against the
replay of the history at its revision and reports a bad one like a bad revision at that
sequence. A snapshot's digest is not keyed: it catches a damaged snapshot (which reads
then ignore), not a forged one, so run ``verify`` to be sure of them. A hash chain shows an edit of the history; it can't stop someone
who rewrites the whole chain, so keep the latest ``head`` hash somewhere else too (a
printed register, a second system) if that matters.

The loan register checks structure, not policy: :meth:`~Repository.record_loan` refuses
a loan of a dossier the store does not hold, one due before it was lent and one returned
before it was lent, but does not re-check the lending rules. By design the domain
(:func:`~kamcore.archive.lend`, with the company's
:class:`~kamcore.archive.LendingPolicy`) decides who may borrow what and the store only
persists its decisions: a store does not know the policy that was in force, and a policy
changed later must not make recorded loans (or their returns) unrecordable.

Examples:
    >>> from datetime import datetime, timezone
    >>> from kamcore.archive import Dossier, create, revise
    >>> repo = InMemoryRepository()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> d, r1 = create(Dossier(id="K-1", name="华东水务"), by="li", at=t)
    >>> repo.add(r1).revision
    1
    >>> d2, r2 = revise(d, {"grade": "A"}, by="li", at=t, reason="signed")
    >>> _ = repo.add(r2)
    >>> repo.add(r2)
    Traceback (most recent call last):
    ...
    kamcore.errors.ConflictError: Stale write to 'K-1': based on revision 1, but the store holds revision 2; reload and retry
"""  # noqa: E501

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

import attrs

from kamcore import _plain as canon
from kamcore.archive import (
    GENESIS,
    ChainCheck,
    Change,
    Dossier,
    Loan,
    Review,
    Revision,
    apply,
    revision_hash,
    verify,
)
from kamcore.errors import (
    ConflictError,
    IntegrityError,
    RecordNotFound,
    StoreError,
    ValidationError,
)

__all__ = ["InMemoryRepository", "Repository", "SQLiteRepository"]


@runtime_checkable
class Repository(Protocol):
    """What kamcore needs from a store of dossiers (implement it for your CRM).

    Every method leaves the store unchanged when it raises.
    """

    def add(self, revision: Revision, *, expected_revision: int | None = None) -> Dossier:
        """Store a revision; returns the dossier it produces.

        Args:
            revision: The revision, as made by ``create`` or ``revise``.
            expected_revision: The revision the writer based the change on (default
                ``revision.sequence - 1``).

        Raises:
            ConflictError: The store holds another revision than ``expected_revision``.
            StoreError: The revision is corrupt (bad hash, broken link, does not apply).
        """
        ...

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import: store many revisions in one transaction, all or none.

        Returns:
            How many revisions were stored.

        Raises:
            ConflictError: A revision does not follow the stored head.
            StoreError: A revision is corrupt.
        """
        ...

    def get(self, key: str) -> Dossier:
        """The current dossier. Raises RecordNotFound, IntegrityError."""
        ...

    def history(self, key: str) -> tuple[Revision, ...]:
        """Every revision, oldest first, chain verified. Raises RecordNotFound, IntegrityError."""
        ...

    def as_of(self, key: str, at: date | datetime) -> Dossier:
        """The dossier as it stood at ``at``, cut as :func:`kamcore.archive.as_of` cuts it.

        Raises RecordNotFound, ValidationError, IntegrityError.
        """
        ...

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``. Raises RecordNotFound, IntegrityError."""
        ...

    def keys(self) -> tuple[str, ...]:
        """Every stored dossier's key, sorted."""
        ...

    def verify(self, key: str) -> ChainCheck:
        """Check the stored history of ``key`` (never raises for a bad chain)."""
        ...

    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open loan (nothing else changes).

        The store checks the loan's structure, not the lending policy: ``lend`` decides
        who may borrow what, the store keeps the register.

        Raises:
            RecordNotFound: The loan's dossier is not stored.
            ValidationError: Not a loan, due before (or when) it was lent, or returned
                before it was lent.
            ConflictError: The loan id is taken by another loan, or already returned.
        """
        ...

    def loans(self, key: str | None = None) -> tuple[Loan, ...]:
        """Every loan (of one dossier when ``key`` is given), in the order recorded."""
        ...

    def record_review(self, review: Review) -> None:
        """Record a review (档案检查) of a stored dossier; reviews are never removed.

        Raises:
            RecordNotFound: The dossier is not stored.
            ValidationError: The review names a revision the dossier has not reached.
        """
        ...

    def reviews(self, key: str | None = None) -> tuple[Review, ...]:
        """Every review (of one dossier when ``key`` is given), in the order recorded."""
        ...


def _same_loan_returned(stored: Loan, loan: Loan) -> bool:
    """Whether ``loan`` is ``stored`` (still open) with its return recorded, nothing else."""
    return (
        stored.returned_at is None
        and loan.returned_at is not None
        and attrs.evolve(stored, returned_at=loan.returned_at) == loan
    )


def _loan_conflict(stored: Loan, loan: Loan) -> ConflictError:
    """A loan's own revisions: 1 when lent, 2 when returned."""
    return ConflictError(
        key=f"loan {loan.id}",
        expected_revision=0 if loan.returned_at is None else 1,
        actual_revision=1 if stored.returned_at is None else 2,
    )


def _check_loan(loan: Loan) -> None:
    """The structural checks of a loan record (the lending policy is ``lend``'s job)."""
    if not isinstance(loan, Loan):
        raise ValidationError(field="loan", value=loan, expected="a kamcore.archive.Loan")
    if loan.due_at <= loan.lent_at:
        raise ValidationError(
            field="loan.due_at",
            value=loan.due_at,
            expected=f"a time after it was lent ({loan.lent_at.isoformat()})",
            problem=f"loan {loan.id} is due before it was lent",
        )
    if loan.returned_at is not None and loan.returned_at < loan.lent_at:
        raise ValidationError(
            field="loan.returned_at",
            value=loan.returned_at,
            expected=f"a time on or after it was lent ({loan.lent_at.isoformat()})",
            problem=f"loan {loan.id} came back before it was lent",
        )


def _check_review(review: Review, head: int) -> None:
    if not isinstance(review, Review):
        raise ValidationError(field="review", value=review, expected="a kamcore.archive.Review")
    if not 1 <= review.revision <= head:
        raise ValidationError(
            field="review.revision",
            value=review.revision,
            expected=f"a revision of {review.dossier_id!r} from 1 to {head}",
            problem="the dossier has no such revision",
        )


def _check_expected(key: str, revision: Revision, head: int, expected: int | None) -> None:
    based_on = revision.sequence - 1 if expected is None else expected
    if based_on != head or revision.sequence != head + 1:
        raise ConflictError(key=key, expected_revision=based_on, actual_revision=head)


def _next_state(current: Dossier | None, revision: Revision) -> Dossier:
    """Check a revision against the stored head and apply it, or raise StoreError."""
    try:
        computed = revision_hash(revision)
    except ValidationError as exc:
        msg = f"Revision {revision.sequence} of {revision.dossier_id!r} is corrupt: {exc}"
        raise StoreError(msg) from None
    if computed != revision.hash:
        msg = (
            f"Revision {revision.sequence} of {revision.dossier_id!r} does not match its "
            "hash; it was altered after it was made"
        )
        raise StoreError(msg)
    try:
        return apply(current or Dossier(id=revision.dossier_id), revision)
    except ValidationError as exc:
        msg = f"Revision {revision.sequence} of {revision.dossier_id!r} can't be stored: {exc}"
        raise StoreError(msg) from None


def _check_hash(key: str, revision: Revision) -> None:
    """Raise IntegrityError unless ``revision`` still matches its hash."""
    try:
        fits = revision_hash(revision) == revision.hash
    except ValidationError as exc:
        raise IntegrityError(
            key=key, revision=revision.sequence, problem=f"it is unreadable (altered): {exc}"
        ) from None
    if not fits:
        raise IntegrityError(
            key=key,
            revision=revision.sequence,
            problem="its content does not match its hash (altered)",
        )


class InMemoryRepository:
    """A :class:`Repository` in a dict: every state is kept, so reads are instant.

    Thread-safe for writes (one lock).
    """

    def __init__(self) -> None:
        self._revisions: dict[str, list[Revision]] = {}
        self._states: dict[str, list[Dossier]] = {}
        self._loans: list[Loan] = []
        self._reviews: list[Review] = []
        self._lock = threading.Lock()

    def add(self, revision: Revision, *, expected_revision: int | None = None) -> Dossier:
        """Store a revision; see :meth:`Repository.add`."""
        with self._lock:
            return self._add(revision, expected_revision)

    def _add(self, revision: Revision, expected: int | None) -> Dossier:
        key = revision.dossier_id
        states = self._states.get(key, [])
        _check_expected(key, revision, len(states), expected)
        state = _next_state(states[-1] if states else None, revision)
        self._revisions.setdefault(key, []).append(revision)
        self._states.setdefault(key, []).append(state)
        return state

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import, all or none; see :meth:`Repository.add_all`."""
        with self._lock:
            saved_revisions = {k: list(v) for k, v in self._revisions.items()}
            saved_states = {k: list(v) for k, v in self._states.items()}
            count = 0
            try:
                for revision in revisions:
                    self._add(revision, None)
                    count += 1
            except BaseException:
                self._revisions, self._states = saved_revisions, saved_states
                raise
            return count

    def _states_of(self, key: str) -> list[Dossier]:
        states = self._states.get(key)
        if not states:
            raise RecordNotFound(key=key, kind="dossier")
        return states

    def get(self, key: str) -> Dossier:
        """The current dossier."""
        return self._states_of(key)[-1]

    def history(self, key: str) -> tuple[Revision, ...]:
        """Every revision, oldest first."""
        self._states_of(key)
        return tuple(self._revisions[key])

    def as_of(self, key: str, at: date | datetime) -> Dossier:
        """The dossier as it stood at ``at``."""
        states = self._states_of(key)
        revisions = self._revisions[key]
        included = _as_of_index(revisions, at)
        return states[included - 1]

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``."""
        states = self._states_of(key)
        return states[_check_sequence(sequence, len(states)) - 1]

    def keys(self) -> tuple[str, ...]:
        """Every stored dossier's key, sorted."""
        return tuple(sorted(self._states))

    def verify(self, key: str) -> ChainCheck:
        """Check the stored history of ``key``."""
        return verify(self.history(key))

    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open one."""
        _check_loan(loan)
        with self._lock:
            self._states_of(loan.dossier_id)
            for i, stored in enumerate(self._loans):
                if stored.id == loan.id:
                    if not _same_loan_returned(stored, loan):
                        raise _loan_conflict(stored, loan)
                    self._loans[i] = loan
                    return
            self._loans.append(loan)

    def loans(self, key: str | None = None) -> tuple[Loan, ...]:
        """Every loan (of one dossier), in the order recorded."""
        return tuple(loan for loan in self._loans if key is None or loan.dossier_id == key)

    def record_review(self, review: Review) -> None:
        """Record a review of a stored dossier."""
        with self._lock:
            key = review.dossier_id if isinstance(review, Review) else ""
            _check_review(review, len(self._states_of(key)))
            self._reviews.append(review)

    def reviews(self, key: str | None = None) -> tuple[Review, ...]:
        """Every review (of one dossier), in the order recorded."""
        return tuple(r for r in self._reviews if key is None or r.dossier_id == key)


def _as_of_index(revisions: Sequence[Revision], at: date | datetime) -> int:
    """How many revisions are included at ``at``: the longest prefix made by then."""
    if isinstance(at, datetime):
        if at.utcoffset() is None:
            raise ValidationError(
                field="at", value=at, expected="a timezone-aware datetime or a date"
            )
        moment = at
        count = next((i for i, r in enumerate(revisions) if r.at > moment), len(revisions))
    elif isinstance(at, date):
        day = at
        count = next((i for i, r in enumerate(revisions) if r.at.date() > day), len(revisions))
    else:
        raise ValidationError(field="at", value=at, expected="a date or a timezone-aware datetime")
    if count == 0:
        raise ValidationError(
            field="at",
            value=at,
            expected="a time on or after the dossier's creation",
            problem="the dossier did not exist yet",
        )
    return count


def _check_sequence(sequence: object, head: int) -> int:
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= head:
        raise ValidationError(field="sequence", value=sequence, expected=f"a revision 1–{head}")
    return sequence


#: The file format :class:`SQLiteRepository` writes (``PRAGMA user_version``); older
#: files are upgraded when opened.
FORMAT: Final = 2

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS revisions (
    dossier_id    TEXT    NOT NULL,
    sequence      INTEGER NOT NULL,
    at            TEXT    NOT NULL,
    by            TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    changes       TEXT    NOT NULL,
    previous_hash TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    at_utc        TEXT    NOT NULL,
    day           TEXT    NOT NULL,
    PRIMARY KEY (dossier_id, sequence)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS revisions_append_only_update
    BEFORE UPDATE ON revisions
    BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS revisions_append_only_delete
    BEFORE DELETE ON revisions
    BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
CREATE TABLE IF NOT EXISTS snapshots (
    dossier_id TEXT    NOT NULL,
    sequence   INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    digest     TEXT    NOT NULL,
    PRIMARY KEY (dossier_id, sequence)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS loans (
    position    INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    dossier_id  TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    returned_at TEXT
);
CREATE TRIGGER IF NOT EXISTS loans_keep_records
    BEFORE DELETE ON loans
    BEGIN SELECT RAISE(ABORT, 'loans are never removed from the register'); END;
CREATE TABLE IF NOT EXISTS reviews (
    position    INTEGER PRIMARY KEY,
    dossier_id  TEXT    NOT NULL,
    body        TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_dossier ON reviews (dossier_id, position);
CREATE TRIGGER IF NOT EXISTS reviews_append_only_update
    BEFORE UPDATE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_append_only_delete
    BEFORE DELETE ON reviews
    BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER IF NOT EXISTS loans_return_once
    BEFORE UPDATE ON loans
    WHEN OLD.returned_at IS NOT NULL OR NEW.body IS NOT OLD.body OR NEW.id IS NOT OLD.id
    BEGIN SELECT RAISE(ABORT, 'a loan record changes only by its return'); END;
"""

_ROW: Final = "dossier_id, sequence, at, by, reason, changes, previous_hash, hash"
_UTC_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%f"


def _row(revision: Revision) -> tuple[Any, ...]:
    return (
        revision.dossier_id,
        revision.sequence,
        revision.at.isoformat(),
        revision.by,
        revision.reason,
        canon.dumps([[c.field, c.old, c.new] for c in revision.changes]),
        revision.previous_hash,
        revision.hash,
        revision.at.astimezone(UTC).strftime(_UTC_FORMAT),
        revision.at.date().isoformat(),
    )


def _revision(row: Sequence[Any]) -> Revision:
    try:
        changes = tuple(Change(f, o, n) for f, o, n in canon.loads(row[5]))
        return Revision(
            dossier_id=row[0],
            sequence=row[1],
            at=datetime.fromisoformat(row[2]),
            by=row[3],
            reason=row[4],
            changes=changes,
            previous_hash=row[6],
            hash=row[7],
        )
    except (ValidationError, ValueError, TypeError) as exc:
        raise IntegrityError(
            key=str(row[0]),
            revision=row[1],
            problem=f"the row is unreadable (the file was altered): {exc}",
        ) from None


def _loan_body(loan: Loan) -> str:
    return canon.dumps({**canon.to_plain(loan), "returned_at": None})


def _loan(body: str, returned_at: str | None) -> Loan:
    plain = canon.loads(body)
    plain["returned_at"] = returned_at
    loan: Loan = canon.from_plain(Loan, plain)
    return loan


class SQLiteRepository:
    """A :class:`Repository` in one SQLite file (stdlib :mod:`sqlite3`, WAL journal).

    Args:
        path: The database file (created if missing); ``":memory:"`` for a throwaway.
        synchronous: ``"FULL"`` (default: every revision is on disk when ``add``
            returns) or ``"NORMAL"`` (in WAL mode safe against a crashed process, may
            lose the last commits on power loss).
        snapshot_every: Keep a snapshot of the dossier every N revisions (default 8),
            so reading an old state replays at most N-1 revisions.
        timeout: Seconds to wait for another writer's lock.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        snapshot_every: int = 8,
        timeout: float = 10.0,
    ) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValidationError(
                field="synchronous", value=synchronous, expected="'FULL' or 'NORMAL'"
            )
        if isinstance(snapshot_every, bool) or not isinstance(snapshot_every, int):
            raise ValidationError(
                field="snapshot_every", value=snapshot_every, expected="a whole number ≥ 1"
            )
        if snapshot_every < 1:
            raise ValidationError(
                field="snapshot_every", value=snapshot_every, expected="a whole number ≥ 1"
            )
        self.path = str(path)
        self.snapshot_every = snapshot_every
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            msg = f"Can't open the archive store {self.path!r}: {exc}"
            raise StoreError(msg) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            self._db.close()
            msg = f"Can't open the archive store {self.path!r}: {exc}"
            raise StoreError(msg) from None
        self._heads: dict[str, Dossier] = {}
        self._upgrade()

    def _upgrade(self) -> None:
        """Bring a file written by an earlier kamcore to the current format.

        Format 2 added ``Dossier.created_at`` (set by revision 1). Snapshots are a cache
        of the replay, so those of an older file are rebuilt from the revisions, which
        are never touched; a tampered revision still fails :meth:`verify` as before.
        An older file that can't be written (read-only) opens without its snapshots:
        reads replay the revisions. A file from a newer kamcore is refused.
        """
        self._use_snapshots = True
        version = self._query("PRAGMA user_version")[0][0]
        if version > FORMAT:
            self._db.close()
            msg = (
                f"Can't open the archive store {self.path!r}: it has format {version}, "
                f"from a newer kamcore; this one reads format {FORMAT} and older"
            )
            raise StoreError(msg)
        if version == FORMAT:
            return
        try:
            with self._write() as db:
                if db.execute("PRAGMA user_version").fetchone()[0] < FORMAT:  # not done since
                    self._rebuild_snapshots(db)
                    db.execute(f"PRAGMA user_version = {FORMAT}")
        except (StoreError, sqlite3.Error):
            self._use_snapshots = False  # read-only: ignore the old-format snapshots

    def _rebuild_snapshots(self, db: sqlite3.Connection) -> None:
        stale = db.execute("SELECT dossier_id FROM snapshots GROUP BY dossier_id").fetchall()
        db.execute("DELETE FROM snapshots")
        for (key,) in stale:
            state: Dossier | None = None
            for row in db.execute(
                f"SELECT {_ROW} FROM revisions WHERE dossier_id = ? ORDER BY sequence", (key,)
            ).fetchall():
                try:
                    revision = _revision(row)
                    state = _next_state(state, revision)
                except StoreError:
                    break  # an unreadable or altered history: verify() reports it
                if revision.sequence % self.snapshot_every == 0:
                    text = canon.dumps(state)
                    db.execute(
                        "INSERT INTO snapshots VALUES (?,?,?,?)",
                        (key, revision.sequence, text, canon.sha256_hex(text + revision.hash)),
                    )

    # -- plumbing ----------------------------------------------------------------------
    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> SQLiteRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                msg = f"Can't write to {self.path!r}: {exc}"
                raise StoreError(msg) from None
            saved = dict(self._heads)
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._heads = saved
                raise

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            msg = f"Can't read {self.path!r}: {exc}"
            raise StoreError(msg) from None

    def _stored_head(self, key: str) -> tuple[int, str]:
        row = self._query(
            "SELECT sequence, hash FROM revisions WHERE dossier_id = ? "
            "ORDER BY sequence DESC LIMIT 1",
            (key,),
        )
        return (row[0][0], row[0][1]) if row else (0, GENESIS)

    # -- revisions ---------------------------------------------------------------------
    def _current(self, key: str, head: int, head_hash: str) -> Dossier | None:
        if head == 0:
            return None
        cached = self._heads.get(key)
        if cached is not None and cached.revision == head and cached.head == head_hash:
            return cached
        return self._state_at(key, head)

    def _add(self, db: sqlite3.Connection, revision: Revision, expected: int | None) -> Dossier:
        key = revision.dossier_id
        head, head_hash = self._stored_head(key)
        _check_expected(key, revision, head, expected)
        state = _next_state(self._current(key, head, head_hash), revision)
        try:
            db.execute(
                f"INSERT INTO revisions ({_ROW}, at_utc, day) VALUES (?,?,?,?,?,?,?,?,?,?)",
                _row(revision),
            )
            if revision.sequence % self.snapshot_every == 0:
                text = canon.dumps(state)
                db.execute(
                    "INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?)",
                    (key, revision.sequence, text, canon.sha256_hex(text + revision.hash)),
                )
        except sqlite3.Error as exc:
            msg = f"Can't store revision {revision.sequence} of {key!r}: {exc}"
            raise StoreError(msg) from None
        self._heads[key] = state
        return state

    def add(self, revision: Revision, *, expected_revision: int | None = None) -> Dossier:
        """Store a revision in its own transaction; see :meth:`Repository.add`."""
        with self._write() as db:
            return self._add(db, revision, expected_revision)

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import in one transaction, all or none; see :meth:`Repository.add_all`."""
        count = 0
        with self._write() as db:
            for revision in revisions:
                self._add(db, revision, None)
                count += 1
        return count

    def _rows(self, key: str, first: int = 1, last: int | None = None) -> list[Revision]:
        rows = self._query(
            f"SELECT {_ROW} FROM revisions WHERE dossier_id = ? AND sequence BETWEEN ? AND ? "
            "ORDER BY sequence",
            (key, first, last if last is not None else 2**62),
        )
        return [_revision(r) for r in rows]

    def _snapshot(self, key: str, sequence: int) -> Dossier | None:
        if not self._use_snapshots:
            return None
        rows = self._query(
            "SELECT s.sequence, s.state, s.digest, r.hash FROM snapshots s JOIN revisions r "
            "ON r.dossier_id = s.dossier_id AND r.sequence = s.sequence "
            "WHERE s.dossier_id = ? AND s.sequence <= ? ORDER BY s.sequence DESC LIMIT 1",
            (key, sequence),
        )
        if not rows:
            return None
        seq, text, digest, head_hash = rows[0]
        if canon.sha256_hex(text + head_hash) != digest:
            return None  # a damaged snapshot is ignored; the history is replayed instead
        try:
            state: Dossier = canon.from_plain(Dossier, canon.loads(text))
        except ValidationError:  # pragma: no cover - digest matched, so the text is ours
            return None
        return state if state.revision == seq and state.head == head_hash else None

    def _state_at(self, key: str, sequence: int) -> Dossier:
        start = self._snapshot(key, sequence)
        first = start.revision + 1 if start is not None else 1
        tail = self._rows(key, first, sequence)
        state = start
        for revision in tail:
            # Only the replayed tail is checked (at most snapshot_every - 1 revisions):
            # its hashes here, its links by apply. history() and verify() check it all.
            _check_hash(key, revision)
            try:
                state = apply(state or Dossier(id=revision.dossier_id), revision)
            except ValidationError as exc:
                raise IntegrityError(
                    key=key, revision=revision.sequence, problem=f"it does not replay: {exc}"
                ) from None
        if state is None:
            raise RecordNotFound(key=key, kind="dossier")
        return state

    def _head(self, key: str) -> int:
        head, _ = self._stored_head(key)
        if head == 0:
            raise RecordNotFound(key=key, kind="dossier")
        return head

    def get(self, key: str) -> Dossier:
        """The current dossier (from the cache, a snapshot and the tail of the history)."""
        with self._lock:
            head, head_hash = self._stored_head(key)
            state = self._current(key, head, head_hash)
            if state is None:
                raise RecordNotFound(key=key, kind="dossier")
            self._heads[key] = state
            return state

    def history(self, key: str) -> tuple[Revision, ...]:
        """Every revision, oldest first; raises StoreError if the chain does not verify."""
        revisions = tuple(self._rows(key))
        if not revisions:
            raise RecordNotFound(key=key, kind="dossier")
        check = verify(revisions)
        if not check.ok:
            raise IntegrityError(key=key, revision=check.first_bad or 0, problem=check.problem)
        return revisions

    def as_of(self, key: str, at: date | datetime) -> Dossier:
        """The dossier as it stood at ``at`` (a snapshot and a short replay)."""
        head = self._head(key)
        if isinstance(at, datetime):
            if at.utcoffset() is None:
                raise ValidationError(
                    field="at", value=at, expected="a timezone-aware datetime or a date"
                )
            column, bound = "at_utc", at.astimezone(UTC).strftime(_UTC_FORMAT)
        elif isinstance(at, date):
            column, bound = "day", at.isoformat()
        else:
            raise ValidationError(
                field="at", value=at, expected="a date or a timezone-aware datetime"
            )
        # the longest prefix made by then: up to the first revision made later
        (later,) = self._query(
            f"SELECT min(sequence) FROM revisions WHERE dossier_id = ? AND {column} > ?",
            (key, bound),
        )[0]
        count = head if later is None else later - 1
        if count == 0:
            raise ValidationError(
                field="at",
                value=at,
                expected="a time on or after the dossier's creation",
                problem="the dossier did not exist yet",
            )
        return self._state_at(key, min(count, head))

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``."""
        return self._state_at(key, _check_sequence(sequence, self._head(key)))

    def keys(self) -> tuple[str, ...]:
        """Every stored dossier's key, sorted."""
        return tuple(
            r[0] for r in self._query("SELECT DISTINCT dossier_id FROM revisions ORDER BY 1")
        )

    def verify(self, key: str) -> ChainCheck:
        """Check the stored history of ``key`` and every snapshot of it.

        An unreadable row counts as a bad revision. A snapshot that is not exactly the
        replay of the history at its revision (or whose digest does not fit) is reported
        like a bad revision at that sequence, its ``problem`` naming the snapshot.
        """
        rows = self._query(
            f"SELECT {_ROW} FROM revisions WHERE dossier_id = ? ORDER BY sequence", (key,)
        )
        if not rows:
            raise RecordNotFound(key=key, kind="dossier")
        revisions: list[Revision] = []
        for position, row in enumerate(rows, start=1):
            try:
                revisions.append(_revision(row))
            except IntegrityError as exc:
                check = verify(revisions)
                if not check.ok:
                    return check
                return ChainCheck(
                    ok=False, checked=position - 1, first_bad=position, problem=exc.problem
                )
        check = verify(revisions)
        if not check.ok:
            return check
        return self._verify_snapshots(key, revisions) or check

    def _verify_snapshots(self, key: str, revisions: Sequence[Revision]) -> ChainCheck | None:
        """The first snapshot that is not the replay at its sequence, as a bad check."""
        if not self._use_snapshots:
            return None  # an older read-only file: its snapshots are not read at all
        snapshots = self._query(
            "SELECT sequence, state, digest FROM snapshots WHERE dossier_id = ? ORDER BY sequence",
            (key,),
        )
        state: Dossier | None = None
        for sequence, text, digest in snapshots:

            def bad(problem: str, at: int = sequence) -> ChainCheck:
                return ChainCheck(
                    ok=False,
                    checked=at - 1,
                    first_bad=at,
                    problem=f"the snapshot at revision {at} {problem}",
                )

            if not 1 <= sequence <= len(revisions):
                return bad(f"is of a revision the history does not hold (1–{len(revisions)})")
            while state is None or state.revision < sequence:
                state = apply(state or Dossier(id=key), revisions[state.revision if state else 0])
            if canon.sha256_hex(text + revisions[sequence - 1].hash) != digest:
                return bad("does not match its digest (altered)")
            try:
                stored: Dossier = canon.from_plain(Dossier, canon.loads(text))
            except ValidationError as exc:
                return bad(f"is unreadable (altered): {exc}")
            if stored != state:
                return bad("is not the replay of the history there (altered)")
        return None

    # -- loans -------------------------------------------------------------------------
    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open one."""
        _check_loan(loan)
        with self._write() as db:
            known = db.execute(
                "SELECT 1 FROM revisions WHERE dossier_id = ? LIMIT 1", (loan.dossier_id,)
            ).fetchone()
            if known is None:
                raise RecordNotFound(key=loan.dossier_id, kind="dossier")
            rows = db.execute("SELECT body, returned_at FROM loans WHERE id = ?", (loan.id,))
            found = rows.fetchall()
            returned = loan.returned_at.isoformat() if loan.returned_at else None
            if not found:
                db.execute(
                    "INSERT INTO loans (id, dossier_id, body, returned_at) VALUES (?,?,?,?)",
                    (loan.id, loan.dossier_id, _loan_body(loan), returned),
                )
                return
            stored = _loan(*found[0])
            if not _same_loan_returned(stored, loan):
                raise _loan_conflict(stored, loan)
            db.execute("UPDATE loans SET returned_at = ? WHERE id = ?", (returned, loan.id))

    def loans(self, key: str | None = None) -> tuple[Loan, ...]:
        """Every loan (of one dossier), in the order recorded."""
        if key is None:
            rows = self._query("SELECT body, returned_at FROM loans ORDER BY position")
        else:
            rows = self._query(
                "SELECT body, returned_at FROM loans WHERE dossier_id = ? ORDER BY position",
                (key,),
            )
        return tuple(_loan(body, returned) for body, returned in rows)

    # -- reviews -----------------------------------------------------------------------
    def record_review(self, review: Review) -> None:
        """Record a review of a stored dossier (append-only)."""
        key = review.dossier_id if isinstance(review, Review) else ""
        with self._write() as db:
            found = db.execute(
                "SELECT MAX(sequence) FROM revisions WHERE dossier_id = ?", (key,)
            ).fetchone()
            if found is None or found[0] is None:
                raise RecordNotFound(key=key, kind="dossier")
            _check_review(review, int(found[0]))
            db.execute(
                "INSERT INTO reviews (dossier_id, body) VALUES (?, ?)",
                (key, canon.dumps(canon.to_plain(review))),
            )

    def reviews(self, key: str | None = None) -> tuple[Review, ...]:
        """Every review (of one dossier), in the order recorded."""
        if key is None:
            rows = self._query("SELECT body FROM reviews ORDER BY position")
        else:
            rows = self._query(
                "SELECT body FROM reviews WHERE dossier_id = ? ORDER BY position", (key,)
            )
        out: list[Review] = [canon.from_plain(Review, canon.loads(body)) for (body,) in rows]
        return tuple(out)
