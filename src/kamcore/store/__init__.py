"""Repositories for the archive: a protocol, an in-memory, an SQLite and a PostgreSQL store.

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
* :class:`PostgresRepository` — the archive in a CRM's own PostgreSQL database
  (SQLAlchemy Core over psycopg 3, the ``postgres`` extra: ``pip install
  'kamcore[postgres]'``): the embedder's engine or connection (inside their
  transaction), their schema and table prefix, the tables as SQLAlchemy metadata
  (:func:`archive_metadata`) and the append-only triggers as SQL (:func:`trigger_ddl`)
  for Alembic; many writers on many machines, a stale write still a ``ConflictError``.
  Imported only when asked for, so the core needs neither SQLAlchemy nor psycopg.

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

import importlib
from typing import TYPE_CHECKING, Any

from kamcore.store._memory import InMemoryRepository
from kamcore.store._protocol import Repository
from kamcore.store._sqlite import FORMAT, SQLiteRepository

if TYPE_CHECKING:
    from kamcore.store._postgres import PostgresRepository, archive_metadata, trigger_ddl

__all__ = [
    "FORMAT",
    "InMemoryRepository",
    "PostgresRepository",
    "Repository",
    "SQLiteRepository",
    "archive_metadata",
    "trigger_ddl",
]

_POSTGRES = frozenset({"PostgresRepository", "archive_metadata", "trigger_ddl"})


def __getattr__(name: str) -> Any:
    """The PostgreSQL names, imported on first use (they need the ``postgres`` extra).

    Raises:
        StoreError: SQLAlchemy or psycopg is missing (``pip install 'kamcore[postgres]'``).
        AttributeError: No such name.
    """
    if name in _POSTGRES:
        return getattr(importlib.import_module("kamcore.store._postgres"), name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
