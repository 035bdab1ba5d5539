"""Where ``archive --db`` points: an SQLite archive file, or a PostgreSQL database by its URL.

``--db archive.db`` opens the embedded :class:`~kamcore.store.SQLiteRepository`;
``--db postgresql://user@host/crm`` (or ``postgresql+psycopg://``, ``postgres://``) opens
a :class:`~kamcore.store.PostgresRepository`, which needs the ``postgres`` extra
(SQLAlchemy 2 and psycopg 3), imported only then. A password in a URL is never shown
in a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from kamcore.cli._common import UsageError

if TYPE_CHECKING:
    from kamcore.store import Repository

__all__ = ["is_url", "open_store", "shown_url"]

_URL: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_POSTGRES: Final = re.compile(r"^postgres(?:ql)?(?:\+psycopg)?://", re.IGNORECASE)
_PASSWORD: Final = re.compile(r"^([^:/]+://[^:/@]*):[^@]*@")
_INSTALL: Final = "pip install 'kamcore[postgres]'"


def is_url(db: str) -> bool:
    """Whether ``--db`` is a URL (``scheme://…``) rather than a file's path."""
    return bool(_URL.match(db))


def shown_url(url: str) -> str:
    """``url`` as a message may show it: its password, if any, as ``***``.

    Examples:
        >>> shown_url("postgresql://crm:s3cret@db:5432/crm")
        'postgresql://crm:***@db:5432/crm'
    """
    return _PASSWORD.sub(r"\1:***@", url)


def _postgres(url: str, *, create: bool) -> Repository:
    """A PostgreSQL archive from its URL; with ``create``, its tables made if missing."""
    shown = shown_url(url)
    if not _POSTGRES.match(url):
        raise UsageError(
            f"--db {shown}: not a database kamcore can open; expected the path of an SQLite "
            "archive file, or a postgresql:// or postgresql+psycopg:// URL"
        )
    driver_url = _POSTGRES.sub("postgresql+psycopg://", url, count=1)
    try:
        from kamcore.store import PostgresRepository  # noqa: PLC0415

        store = PostgresRepository.from_url(driver_url)
    except ImportError as exc:
        missing = exc.name or ""
        what = (
            "this kamcore has no PostgreSQL archive store"
            if missing.startswith("kamcore")
            else f"the PostgreSQL archive needs SQLAlchemy 2 and psycopg 3 ({missing or exc} "
            "is not installed)"
        )
        raise UsageError(f"--db {shown}: {what}; {_INSTALL}") from None
    if create:
        try:
            store.create_schema()
        except BaseException:
            _close(store)
            raise
    return store


def _close(store: object) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


@contextmanager
def open_store(db: str | None, *, action: str, create: bool = False) -> Iterator[Repository]:
    """The archive ``--db`` names, opened for ``action`` and closed afterwards.

    Args:
        db: ``--db``: an SQLite file's path or a PostgreSQL URL.
        action: The action, for messages (``verify``).
        create: Make the archive if it is missing (an SQLite file, PostgreSQL tables).

    Raises:
        UsageError: No ``--db``, no such file, a URL kamcore can't open, or the
            ``postgres`` extra missing.
    """
    from kamcore.store import SQLiteRepository  # noqa: PLC0415

    if db is None:
        raise UsageError(
            f"archive {action} needs --db FILE|URL, the SQLite archive file or a postgresql:// URL"
        )
    store: Repository
    if is_url(db):
        store = _postgres(db, create=create)
    else:
        if not create and not Path(db).is_file():
            raise UsageError(
                f"no archive database at {db}; `kamcore demo` writes one (archive.db), "
                "`kamcore archive import` makes one"
            )
        store = SQLiteRepository(db)
    try:
        yield store
    finally:
        _close(store)
