"""``kamcore archive``: the account archive: dossiers, history, checks, reviews, loans, import.

Each action (``show``, ``history``, ``verify``, ``due-reviews``, ``loans``, ``import``)
has its own handler; ``--db`` (an SQLite file or a PostgreSQL URL) and the output
options belong to ``archive`` as a whole and may come before the action or after it.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from kamcore._output import Record
from kamcore.cli._common import (
    EXIT_BROKEN_CHAIN,
    EXIT_OK,
    UsageError,
    flatten,
    load_policy_arg,
    parse_date,
)
from kamcore.cli._db import open_store
from kamcore.cli._import import cmd_import, import_arguments
from kamcore.cli._parser import Command, add_commands, add_output_options, policy_option
from kamcore.cli._views import HEADINGS, emit

if TYPE_CHECKING:
    from kamcore.archive import Dossier
    from kamcore.store import Repository

__all__ = ["archive_arguments", "aware_datetime"]


def aware_datetime(value: str, option: str) -> datetime:
    """An ISO date-time with a UTC offset given on the command line, or a one-line error."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise UsageError(
            f"{option}: {value!r} is not an ISO date-time with a UTC offset; "
            "expected e.g. 2026-02-23T14:00+08:00"
        )
    return moment


def _readable(store: Repository, args: argparse.Namespace) -> Dossier:
    """The dossier ``show`` and ``history`` name, once the lending policy lets it be read.

    The command reads outside the archive room: under the source's rules 绝密 and 机密
    dossiers are refused.
    """
    from kamcore.archive import Borrower, LendingPolicy, Place, Role, check_read  # noqa: PLC0415

    if not args.key:
        raise UsageError(f"archive {args.action} needs a dossier KEY")
    policy = load_policy_arg(args.policy, LendingPolicy)
    dossier = store.get(args.key)
    check_read(policy, dossier, Borrower("kamcore archive", Role.STAFF), place=Place.OUTSIDE)
    return dossier


def _show(args: argparse.Namespace) -> int:
    """``archive show KEY``: a dossier, one row a field, personal data redacted by default."""
    from kamcore.archive import redact, to_plain  # noqa: PLC0415

    with open_store(args.db, action=args.action) as store:
        dossier = _readable(store, args)
    if not args.unredacted:
        dossier = redact(dossier)
    records: list[Record] = [{"field": k, "value": v} for k, v in flatten(to_plain(dossier))]
    emit(args, records, labels=HEADINGS)
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    """``archive history KEY``: every revision and its changes, redacted by default."""
    from kamcore.archive import redact_revision  # noqa: PLC0415

    with open_store(args.db, action=args.action) as store:
        _readable(store, args)
        revisions = store.history(args.key)
    if not args.unredacted:
        revisions = tuple(redact_revision(r) for r in revisions)
    records: list[Record] = [
        {
            "sequence": r.sequence,
            "at": r.at.isoformat(),
            "by": r.by,
            "reason": r.reason,
            "fields": ", ".join(r.fields),
            "changes": "; ".join(f"{c.field}: {c.old} → {c.new}" for c in r.changes),
        }
        for r in revisions
    ]
    emit(args, records, labels=HEADINGS)
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    """``archive verify [KEY]``: check the hash chains; exit status 1 if one is broken."""
    with open_store(args.db, action=args.action) as store:
        keys = [args.key] if args.key else list(store.keys())
        checks = [(key, store.verify(key)) for key in keys]
    records: list[Record] = [
        {
            "dossier_id": key,
            "checked": check.checked,
            "ok": check.ok,
            "first_bad": check.first_bad,
            "problem": check.problem,
        }
        for key, check in checks
    ]
    emit(args, records, labels=HEADINGS)
    return EXIT_OK if all(check.ok for _, check in checks) else EXIT_BROKEN_CHAIN


def _due_reviews(args: argparse.Namespace) -> int:
    """``archive due-reviews --as-of DATE``: dossiers whose review is overdue."""
    from kamcore.archive import ReviewPolicy, overdue_reviews  # noqa: PLC0415

    with open_store(args.db, action=args.action) as store:
        if not args.as_of:
            raise UsageError("archive due-reviews needs --as-of DATE")
        as_of = parse_date(args.as_of, option="--as-of")
        policy = load_policy_arg(args.policy, ReviewPolicy)
        keys = store.keys()
        dossiers = {k: store.get(k) for k in keys}
        late = overdue_reviews(policy, dossiers.values(), store.reviews(), as_of=as_of)
    records: list[Record] = [
        {
            "dossier_id": o.dossier_id,
            "name": dossiers[o.dossier_id].name,
            "grade": dossiers[o.dossier_id].grade,
            "last_review": o.last_review,
            "due": o.due,
            "days_overdue": o.days_overdue,
        }
        for o in late
    ]
    emit(args, records, labels=HEADINGS)
    return EXIT_OK


def _loans(args: argparse.Namespace) -> int:
    """``archive loans [KEY] [--overdue --as-of DATETIME]``: the loan register."""
    with open_store(args.db, action=args.action) as store:
        moment = aware_datetime(args.as_of, "--as-of") if args.as_of else None
        if args.overdue and moment is None:
            raise UsageError("archive loans --overdue needs --as-of DATETIME")
        loans = store.loans(args.key or None)
    records: list[Record] = [
        {
            "id": loan.id,
            "dossier_id": loan.dossier_id,
            "borrower": loan.borrower,
            "level": loan.level.value,
            "lent_at": loan.lent_at.isoformat(),
            "due_at": loan.due_at.isoformat(),
            "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
            "overdue": None if moment is None else loan.is_overdue(moment),
        }
        for loan in loans
        if not args.overdue or (moment is not None and loan.is_overdue(moment))
    ]
    emit(args, records, labels=HEADINGS)
    return EXIT_OK


def _dossier_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="the dossier's key")
    p.add_argument(
        "--unredacted",
        action="store_true",
        help="show contacts' personal data (phone, birth date, address, spouse, "
        "personality, interests); hidden by default, phones masked as 138****8001",
    )
    policy_option(
        p, "archive_lending_source", "the lending policy: what may be read outside the archive room"
    )


def _verify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="one dossier (default: every one)")


def _due_reviews_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="the report date, YYYY-MM-DD")
    policy_option(p, "archive_reviews_source", "the review policy: how often dossiers are reviewed")


def _loans_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="one dossier's loans")
    p.add_argument(
        "--as-of",
        metavar="DATETIME",
        help="the moment loans are overdue at, with its UTC offset (2026-11-01T09:00+08:00)",
    )
    p.add_argument("--overdue", action="store_true", help="only overdue loans")


def _archive_options(p: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--db`` and the output options: they belong to ``archive`` as a whole."""
    p.add_argument(
        "--db",
        default=argparse.SUPPRESS if suppress else None,
        metavar="FILE|URL",
        help="the archive: an SQLite file, or a PostgreSQL database's URL "
        "(postgresql://user@host/db; needs kamcore[postgres]); before or after the action",
    )
    add_output_options(p, suppress=suppress)


def archive_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``archive``: its actions, and the options they share."""
    actions = [
        Command("show", _show, "a dossier, one row a field", _dossier_arguments),
        Command(
            "history", _history, "every revision of a dossier and its changes", _dossier_arguments
        ),
        Command(
            "verify", _verify, "check the hash chain (exit status 1 if broken)", _verify_arguments
        ),
        Command("due-reviews", _due_reviews, "overdue two-monthly reviews", _due_reviews_arguments),
        Command("loans", _loans, "the loan register", _loans_arguments),
        Command(
            "import",
            cmd_import,
            "create or revise dossiers from JSON lines or a table, with a reason",
            import_arguments,
            "Read dossiers from a file — JSON lines (.jsonl: one dossier an object, the "
            "archive's plain form or flat fields) or a table (CSV/TSV, .xlsx, .parquet) "
            "through a column map (--columns; presets:columns_archive_source for Chinese "
            "headings 客户编号, 客户名称, 客户等级, 所属行业, 地址 …) — and create each dossier "
            "the archive does not hold, or revise it with --reason. A blank cell changes "
            "nothing; a record that changes nothing writes nothing. All or nothing: every "
            "problem of the file is reported (file, line, column) and nothing is written "
            "unless every record is good. --dry-run shows what would happen.",
        ),
    ]
    add_commands(p, actions, shared=_archive_options)
