"""``kamcore forecast``: a pipeline of opportunities by forecast category, owner, or staleness."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Final

from kamcore._output import Record
from kamcore.cli._common import EXIT_OK, UsageError, keep_arg, load_policy_arg, parse_date
from kamcore.cli._parser import add_output_options, policy_option, table_arguments
from kamcore.cli._views import HEADINGS, View, carried, emit_views

if TYPE_CHECKING:
    from kamcore.pipeline import Playbook

__all__ = ["cmd_forecast", "forecast_arguments"]

_STALE_KEYS: Final = ("opportunity", "owner", "stage", "days", "limit", "over")


def _stage_names(playbook: Playbook) -> dict[object, str]:
    """A playbook's own Chinese names of its stages and outcomes."""
    names: dict[object, str] = {s.key: s.zh for s in playbook.stages if s.zh}
    names.update({o.key: o.zh for o in playbook.outcomes if o.zh})
    return names


def cmd_forecast(args: argparse.Namespace) -> int:
    """``forecast OPPORTUNITIES``: the forecast by category, by owner, or what is stale."""
    from kamcore.pipeline import (  # noqa: PLC0415
        Playbook,
        find_stale,
        forecast,
        weighted_pipeline,
    )
    from kamcore.tables import read_opportunities  # noqa: PLC0415

    playbook = load_policy_arg(args.playbook, Playbook)
    rows = read_opportunities(
        args.file,
        playbook,
        columns=args.columns,
        keep=keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    opps = rows.opportunities
    as_of = parse_date(args.as_of, option="--as-of") if args.as_of else None
    if args.view == "stale" and as_of is None:
        raise UsageError("--view stale needs --as-of DATE")
    categories: list[Record] = list(forecast(playbook, opps, period=args.period).records())
    owners: list[Record] = [
        {
            "owner": r.owner,
            "count": r.count,
            "amount": r.amount.amount,
            "weighted": r.weighted.amount,
        }
        for r in weighted_pipeline(playbook, opps, by=("owner",))
    ]
    values = {"category": "forecast", "stage": "stage"}
    extra = {"stage": _stage_names(playbook)}
    views = {
        "categories": View("categories", categories, HEADINGS, values, extra),
        "owners": View("owners", owners, HEADINGS, values, extra),
    }
    if as_of is not None:
        kept, labels = carried(args, rows, _STALE_KEYS, HEADINGS)
        by_id = {o.id: row for o, row in zip(opps, kept, strict=True)}
        late: list[Record] = [
            {
                "opportunity": s.opportunity,
                **by_id[s.opportunity],
                "owner": s.owner,
                "stage": s.stage,
                "days": s.days,
                "limit": s.limit,
                "over": s.over,
            }
            for s in find_stale(playbook, opps, as_of=as_of)
        ]
        views["stale"] = View("stale", late, labels, values, extra)
    first = views.pop(args.view)
    emit_views(args, [first, *views.values()])
    return EXIT_OK


def forecast_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``forecast``."""
    table_arguments(p, "OPPORTUNITIES", "opportunity_id or id")
    policy_option(p, "pipeline_project_sales", "the playbook", option="--playbook")
    p.add_argument("--as-of", help="the report date, YYYY-MM-DD (for --view stale)")
    p.add_argument("--period", help="forecast only expected closes in this period, e.g. 2026-Q4")
    p.add_argument(
        "--view",
        choices=("categories", "owners", "stale"),
        default="categories",
        help="what to show",
    )
    add_output_options(p)
