"""``kamcore grade`` and ``kamcore pareto``: score, grade and classify accounts from a table.

Both run on one of three engines (``--engine``): ``exact`` (every figure a ``Decimal``,
no extras needed; :mod:`._grade_exact`), ``columnar`` (pandas and numpy, the default
when the ``frames`` extra is installed) or ``dask`` (the ``dask`` extra); the last two
are :mod:`._bulk`. The engines give the same grades, classes and totals.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
from collections.abc import Iterator

from kamcore.cli._common import UsageError
from kamcore.cli._parser import add_output_options, policy_option, table_arguments

__all__ = ["cmd_grade", "cmd_pareto", "engine_arguments", "grade_arguments", "pareto_arguments"]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the exact engine works.

    The command owns its process and runs nothing else meanwhile; the exact engine
    allocates millions of small objects that hold no reference cycles (reference
    counting frees them), and the collector's passes over them cost about a tenth of
    the run on a large file. The library itself never switches the collector off
    (``grade_many(pause_gc=...)`` leaves that to the caller).
    """
    running = gc.isenabled()
    if running:
        gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def cmd_grade(args: argparse.Namespace) -> int:
    """``grade ACCOUNTS``: score, grade and classify every account of a table."""
    from kamcore.cli import _bulk  # noqa: PLC0415

    engine = _bulk.engine_of(args)
    if args.policy is None:
        args.policy = "grading_scorecard_lines" if args.lines else "grading_scorecard"
    if engine == "exact" and args.lines:
        return _bulk.grade_lines_exact(args)
    if engine == "exact":
        from kamcore.cli._grade_exact import grade_exact  # noqa: PLC0415

        with _collector_paused():
            return grade_exact(args)
    return _bulk.grade_bulk(args, engine)


def cmd_pareto(args: argparse.Namespace) -> int:
    """``pareto ACCOUNTS --by COLUMN``: ABC classes, each account, or the concentration."""
    from kamcore.cli import _bulk  # noqa: PLC0415

    engine = _bulk.engine_of(args, command="pareto")
    if engine == "exact" and args.lines:
        raise UsageError(
            "pareto --lines runs on the columnar or dask engine (pip install 'kamcore[frames]')"
        )
    if engine == "exact":
        from kamcore.cli._grade_exact import pareto_exact  # noqa: PLC0415

        return pareto_exact(args)
    return _bulk.pareto_bulk(args, engine)


def grade_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``grade``."""
    table_arguments(p, "ACCOUNTS", "account_id or id")
    p.add_argument(
        "--policy",
        metavar="NAME|PATH",
        help="the scoring model: a preset's NAME or a TOML file's PATH (default: "
        "grading_scorecard; with --lines, grading_scorecard_lines)",
    )
    policy_option(p, "grading_letters", "the grade ladder", option="--ladder")
    policy_option(p, "grading_abc", "the ABC policy, or 'none'", option="--abc")
    p.add_argument("--by", default="sales_revenue", help="the ABC measure (default: sales_revenue)")
    p.add_argument("--extra", action="append", help="a column to read as an extra figure")
    p.add_argument("--explain", action="store_true", help="add each criterion's contribution")
    p.add_argument(
        "--save-fitted",
        metavar="MODEL.toml",
        help="also write the model as fitted to this file's accounts (percentiles, bounds), "
        "to grade later files against this population with --policy MODEL.toml",
    )
    engine_arguments(p)
    add_output_options(p)


def pareto_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``pareto``."""
    table_arguments(p, "ACCOUNTS", "account_id or id")
    p.add_argument(
        "--by", required=True, metavar="COLUMN", help="the measure: a heading or a mapped field"
    )
    policy_option(p, "grading_abc", "the ABC policy")
    p.add_argument(
        "--view",
        choices=("classes", "accounts", "concentration"),
        default="classes",
        help="what to show: the classes, each account, or the concentration figures "
        "(Gini coefficient, the share the top 20%% hold, the share of accounts that hold "
        "80%%)",
    )
    engine_arguments(p)
    add_output_options(p)


def engine_arguments(p: argparse.ArgumentParser) -> None:
    """The engine, order-line and progress options of ``grade`` and ``pareto``."""
    p.add_argument(
        "--engine",
        choices=("exact", "columnar", "dask"),
        help="how to compute: exact (Decimal, no extras), columnar (pandas + numpy) or "
        "dask (partitions, on a local cluster or --scheduler); the same grades, classes "
        "and totals on each (default: columnar when the frames extra is installed)",
    )
    p.add_argument(
        "--lines",
        action="store_true",
        help="the file holds order lines (one row per sale: account, date, amounts); "
        "they are summed per account first (map headings with --columns)",
    )
    p.add_argument(
        "--period",
        metavar="FROM..TO",
        help="with --lines: only lines dated in this period, both ends included "
        "(e.g. 2026-01-01..2026-12-31)",
    )
    p.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="with --engine dask: split the input into N partitions (default: one per core)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a running Dask scheduler (default: a local cluster)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (it is shown on stderr only when stderr is a terminal)",
    )
