"""``kamcore rebate``: quote a sales rebate from amounts, or one quote per row of a table."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from kamcore._output import Record
from kamcore.cli._common import EXIT_OK, UsageError, keep_arg, load_policy_arg
from kamcore.cli._parser import add_input_options, add_output_options, policy_option
from kamcore.cli._views import HEADINGS, View, carried, emit_views
from kamcore.errors import ValidationError
from kamcore.money import as_decimal

if TYPE_CHECKING:
    from kamcore.rebate import TierSchedule

__all__ = ["cmd_rebate", "rebate_arguments"]

_REBATE_VALUES: Final = {"mode": "rebate_mode"}


def _amount_option(value: str, option: str) -> Decimal:
    """An amount of 0 or more given on the command line, or a one-line error."""
    try:
        amount = as_decimal(value, field=option)
    except ValidationError as exc:
        raise UsageError(str(exc)) from None
    if amount < 0:
        raise UsageError(
            f"{option}: negative amount (got {value!r}); expected an amount of 0 or more"
        )
    return amount


def cmd_rebate(args: argparse.Namespace) -> int:
    """``rebate --sales AMOUNT [--collected AMOUNT]``, or ``rebate FILE``: quote rebates."""
    from kamcore.rebate import TierSchedule, quote  # noqa: PLC0415 - keeps startup fast

    schedule = load_policy_arg(args.policy, TierSchedule)
    if args.file is not None:
        return _rebate_batch(args, schedule)
    if args.sales is None:
        raise UsageError("rebate needs --sales AMOUNT, or a FILE with --sales COLUMN")
    sales = _amount_option(args.sales, "--sales")
    collected = sales if args.collected is None else _amount_option(args.collected, "--collected")
    q = quote(schedule, basis=sales, base=collected)
    emit_views(args, [View("quote", [q.record()], HEADINGS, _REBATE_VALUES)])
    if args.format == "table" and args.explain and not args.out:
        sys.stdout.write("\n".join(q.explain(lang=args.lang)) + "\n")
    return EXIT_OK


def _rebate_batch(args: argparse.Namespace, schedule: TierSchedule) -> int:
    """``rebate FILE --sales COL [--collected COL]``: quote every row."""
    from kamcore.rebate import QUOTE_COLUMNS, quote  # noqa: PLC0415
    from kamcore.tables import read_amounts  # noqa: PLC0415

    sales = args.sales or "sales_revenue"
    fields = [sales] if args.collected in (None, sales) else [sales, args.collected]
    rows = read_amounts(
        args.file,
        fields,
        columns=args.columns,
        blank="refuse",
        keep=keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    basis = [a or Decimal(0) for a in rows.amounts[sales]]  # blank="refuse": never None
    base = [a or Decimal(0) for a in rows.amounts[fields[-1]]]
    kept, labels = carried(args, rows, ("account_id", *QUOTE_COLUMNS), HEADINGS)
    records: list[Record] = []
    for i, account in enumerate(rows.ids):
        q = quote(schedule, basis=basis[i], base=base[i])
        records.append({"account_id": account, **kept[i], **q.record()})
    emit_views(args, [View("quotes", records, labels, _REBATE_VALUES)])
    return EXIT_OK


def rebate_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``rebate``."""
    p.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="quote every row of this table (then --sales and --collected name columns)",
    )
    p.add_argument(
        "--sales",
        help="the tier basis, e.g. 200000; with FILE, its column (default: sales_revenue)",
    )
    p.add_argument(
        "--collected", help="the rebate base (default: the same as --sales); with FILE, its column"
    )
    p.add_argument("--id", help="with FILE: the id column's heading (default: account_id or id)")
    add_input_options(p)
    policy_option(p, "rebate_source", "the tier schedule")
    p.add_argument("--explain", action="store_true", help="explain the quote in words")
    add_output_options(p)
