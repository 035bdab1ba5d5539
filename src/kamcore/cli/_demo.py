"""``kamcore demo`` and ``kamcore report``: the sample company end to end, and its HTML report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from kamcore._output import FORMATS, Record, write_text
from kamcore.cli._common import EXIT_OK, UsageError, flatten
from kamcore.cli._parser import LANGS
from kamcore.cli._views import View, check_out, emit_views

__all__ = ["cmd_demo", "cmd_report", "demo_arguments", "report_arguments"]


def cmd_demo(args: argparse.Namespace) -> int:
    """``demo``: generate the sample company, write its reports, print the summary."""
    from kamcore.demo import run_demo  # noqa: PLC0415 - keeps `kamcore --help` fast

    out = Path(args.out)
    summary = run_demo(
        out=out, seed=args.seed, accounts=args.accounts, progress=_progress(), lang=args.lang
    )
    if args.format == "table":
        sys.stdout.write(summary)
        return EXIT_OK
    # JSON is the summary object the demo writes as summary.json; CSV flattens it
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        records: list[Record] = [
            {"field": k, "value": v} for k, v in flatten(data, keep_empty=True)
        ]
        # the demo's --out is its report folder: the summary goes to the terminal
        emit_views(args, [View("summary", records, {})], to_file=False)
    return EXIT_OK


def _progress() -> Callable[[str], None]:
    if sys.stderr.isatty():
        return lambda msg: print(f"… {msg}", file=sys.stderr, flush=True)
    return lambda msg: None


def cmd_report(args: argparse.Namespace) -> int:
    """``report --from FOLDER --out FILE.html``: the HTML report of a demo folder."""
    from kamcore.report import build_report, can_draw, read_demo_folder  # noqa: PLC0415

    out = Path(args.out)
    check_out(out, "html")
    if out.suffix.casefold() not in (".html", ".htm"):
        raise UsageError(f"--out {out}: the report is HTML; expected a name ending in .html")
    if not can_draw():
        raise UsageError(
            "kamcore report draws its charts with matplotlib, which is not installed; "
            "pip install 'kamcore[plot]'"
        )
    text = build_report(read_demo_folder(args.source), lang=args.lang)
    write_text(out, text)
    charts = text.count(' data-chart="')
    done = "报告已写入" if args.lang == "zh" else "Report written to"
    print(f"{done} {out} ({charts} charts, {len(text.encode()) // 1024} KiB)")
    return EXIT_OK


def demo_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``demo``."""
    p.add_argument("--out", default="kamcore-demo", help="report folder (default: ./kamcore-demo)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    p.add_argument("--accounts", type=int, default=300, help="number of accounts (default: 300)")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table: the one-screen summary (default); json: the summary object "
        "(summary.json); csv: the summary flattened to field,value rows",
    )
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the summary's labels")


def report_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``report``."""
    p.add_argument(
        "--from", dest="source", required=True, metavar="FOLDER", help="the demo's folder"
    )
    p.add_argument(
        "--out", default="report.html", help="the HTML file to write (default: report.html)"
    )
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the report")
