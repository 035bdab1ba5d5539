"""The embedded SQLite archive store: one file, WAL journal, append-only revisions, snapshots."""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, Literal

from kamcore import _plain as canon
from kamcore._validate import whole
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
from kamcore.errors import (
    IntegrityError,
    RecordNotFound,
    StoreError,
    ValidationError,
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

__all__ = ["FORMAT", "SQLiteRepository"]


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
    """A revision's columns (shared with every SQL store), with its UTC time and day as text."""
    return (
        *revision_row(revision),
        revision.at.astimezone(UTC).strftime(_UTC_FORMAT),
        revision.at.date().isoformat(),
    )


class SQLiteRepository:
    """A :class:`Repository` in one SQLite file (stdlib :mod:`sqlite3`, WAL journal).

    Args:
        path: The database file (created if missing); ``":memory:"`` for a throwaway.
        synchronous: ``"FULL"`` (default: every revision is on disk when ``add``
            returns) or ``"NORMAL"`` (in WAL mode safe against a crashed process, may
            lose the last commits on power loss).
        snapshot_every: Keep a snapshot of the dossier every N revisions (default 8),
            so reading an old state replays at most N-1 revisions.
        timeout: Seconds to wait for another writer's lock (a number ≥ 0).
        policy: Which changes need a reason (default
            :data:`~kamcore.archive.DEFAULT_ARCHIVE_POLICY`): ``add`` refuses, and
            ``verify`` reports, a revision that makes such a change without one.

    Raises:
        ValidationError: An argument of the wrong type or out of range (the error names
            it).
        StoreError: The file can't be opened as an archive.

    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        snapshot_every: int = 8,
        timeout: float = 10.0,
        policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
    ) -> None:
        raw_path = os.fspath(path) if isinstance(path, os.PathLike) else path
        if not isinstance(raw_path, str) or not raw_path:
            raise ValidationError(
                field="path", value=path, expected="a file path (text or a Path), or ':memory:'"
            )
        if not isinstance(synchronous, str) or synchronous not in ("FULL", "NORMAL"):
            raise ValidationError(
                field="synchronous", value=synchronous, expected="'FULL' or 'NORMAL'"
            )
        self.snapshot_every = whole(
            snapshot_every, "snapshot_every", low=1, expected="a whole number ≥ 1"
        )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout < 0
        ):
            raise ValidationError(
                field="timeout",
                value=timeout,
                expected="seconds to wait for another writer: a finite number ≥ 0",
            )
        self.policy = check_policy(policy)
        self.path = raw_path
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
                    revision = read_revision(row)
                    state = next_state(state, revision, self.policy)
                except StoreError:
                    break  # an unreadable or altered history: verify() reports it
                if revision.sequence % self.snapshot_every == 0:
                    text = canon.dumps(state)
                    db.execute(
                        "INSERT INTO snapshots VALUES (?,?,?,?)",
                        (key, revision.sequence, text, snapshot_digest(text, revision.hash)),
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
        key = added_key(revision, expected)
        head, head_hash = self._stored_head(key)
        check_expected(key, revision, head, expected)
        state = next_state(self._current(key, head, head_hash), revision, self.policy)
        try:
            db.execute(
                f"INSERT INTO revisions ({_ROW}, at_utc, day) VALUES (?,?,?,?,?,?,?,?,?,?)",
                _row(revision),
            )
            if revision.sequence % self.snapshot_every == 0:
                text = canon.dumps(state)
                db.execute(
                    "INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?)",
                    (key, revision.sequence, text, snapshot_digest(text, revision.hash)),
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
        return [read_revision(r) for r in rows]

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
        return read_snapshot(*rows[0])

    def _state_at(self, key: str, sequence: int) -> Dossier:
        start = self._snapshot(key, sequence)
        first = start.revision + 1 if start is not None else 1
        return replay_tail(key, start, self._rows(key, first, sequence))

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
        column, cut = as_of_cut(at)
        bound = (
            cut.astimezone(UTC).strftime(_UTC_FORMAT)
            if isinstance(cut, datetime)
            else cut.isoformat()
        )
        # the longest prefix made by then: up to the first revision made later
        (later,) = self._query(
            f"SELECT min(sequence) FROM revisions WHERE dossier_id = ? AND {column} > ?",
            (key, bound),
        )[0]
        return self._state_at(key, as_of_sequence(at, head, later))

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``."""
        return self._state_at(key, check_sequence(sequence, self._head(key)))

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
        # an older read-only file: its snapshots are not read at all
        snapshots = (
            self._query(
                "SELECT sequence, state, digest FROM snapshots WHERE dossier_id = ? "
                "ORDER BY sequence",
                (key,),
            )
            if self._use_snapshots
            else []
        )
        return verify_rows(key, rows, [tuple(s) for s in snapshots], self.policy)

    # -- loans -------------------------------------------------------------------------
    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open one."""
        check_loan(loan)
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
                    (loan.id, loan.dossier_id, loan_body(loan), returned),
                )
                return
            stored = read_loan(*found[0])
            if not same_loan_returned(stored, loan):
                raise loan_conflict(stored, loan)
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
        return tuple(read_loan(body, returned) for body, returned in rows)

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
            check_review(review, int(found[0]))
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
