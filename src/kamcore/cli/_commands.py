"""The subcommands of ``kamcore``, in the order ``kamcore --help`` lists them."""

from __future__ import annotations

from kamcore.cli import _archive, _demo, _grading, _pipeline, _policy, _rebate
from kamcore.cli._parser import Command

__all__ = ["commands"]


def commands() -> list[Command]:
    """The subcommands, in the order ``kamcore --help`` lists them.

    Built when the parser is, so the handlers are looked up then.
    """
    return [
        Command(
            "demo",
            _demo.cmd_demo,
            "run the whole library on a generated sample company and write reports",
            _demo.demo_arguments,
            "Generate a realistic sample company (seeded, deterministic), run every "
            "capability on it, print a one-screen summary and write CSV/JSON/Markdown "
            "reports into --out.",
        ),
        Command(
            "report",
            _demo.cmd_report,
            "write the HTML report (charts and tables) of a demo folder",
            _demo.report_arguments,
            "Read a folder `kamcore demo` wrote (accounts.csv, opportunities.csv, "
            "summary.json; salespeople.csv and archive.db when present), recompute the "
            "results with the default presets and write one self-contained HTML page: key "
            "figures, then grading, pipeline, rebates, people and archive, each with its "
            "charts (inline SVG) and a small table. No script, nothing fetched from the "
            "network; prints on A4. Needs matplotlib: pip install 'kamcore[plot]'.",
        ),
        Command(
            "grade",
            _grading.cmd_grade,
            "score and grade accounts from a CSV (with ABC classes)",
            _grading.grade_arguments,
            "Read account facts from a CSV/TSV, .xlsx or Parquet file (one row per account; "
            "columns named after the figures: contract_volume, unit_price, sales_revenue, "
            "invoiced, collected, profit, quality_losses, industry_influence, "
            "business_reputation, or mapped with --columns; a blank cell is a missing "
            "figure), score them with a scoring model, grade them on a ladder and classify "
            "them ABC.",
        ),
        Command(
            "pareto",
            _grading.cmd_pareto,
            "Pareto/ABC classes of accounts by one column",
            _grading.pareto_arguments,
            "Classify accounts by cumulative share of a measure (default 80%/95%; preset "
            "grading_abc_water gives each class its own share, 50%/20%/10%, and "
            "grading_abc_water_cumulative cuts at 50%/70%/80%; grading_top20 is the top 20% "
            "by count). Ties: measure descending, then id ascending.",
        ),
        Command(
            "rebate",
            _rebate.cmd_rebate,
            "quote a sales rebate (销售返点) from sales and collections",
            _rebate.rebate_arguments,
            "Quote the rebate a tier schedule gives: the tier is chosen by --sales, the "
            "rate applies to --collected (the source's rule). Prints the tier, rate, basis, "
            "base, rebate and the distance to the next tier; with a FILE, one quote per "
            "row.",
        ),
        Command(
            "forecast",
            _pipeline.cmd_forecast,
            "forecast a pipeline of open opportunities from a CSV",
            _pipeline.forecast_arguments,
            "Read opportunities (columns: id, account, owner, amount, stage, opened; "
            "optional stage_entered, expected_close, closed; a stage by its key or either "
            "label, in any case; closed rows (won, lost, no-bid …) are counted, not "
            "forecast) and show the forecast by category with cumulative roll-ups (pipeline "
            "⊇ best case ⊇ commit ⊇ closed), the weighted pipeline by owner (--view "
            "owners), or stale opportunities (--view stale --as-of).",
        ),
        Command(
            "archive",
            None,
            "the account archive (dossiers, history, chain check, reviews, loans, import)",
            _archive.archive_arguments,
            "Read and write an archive (--db, before or after the action: an SQLite file, "
            "which `kamcore demo` writes, or a PostgreSQL database's postgresql:// URL, "
            "with kamcore[postgres]). show and history redact contacts' sensitive personal "
            "data unless --unredacted, and refuse 绝密 and 机密 dossiers, which are not read "
            "outside the archive room; import creates or revises dossiers from a file.",
        ),
        Command(
            "policy",
            None,
            "list, show or validate policies (presets and company TOML files)",
            _policy.policy_arguments,
            "The shipped presets and a company's own policy files.",
        ),
    ]
