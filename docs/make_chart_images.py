"""Draw the charts shown on docs/charts.md from kamcore's sample company.

Run from the repository root (needs the ``plot`` extra and a CJK font)::

    python docs/make_chart_images.py

It runs the demo into a temporary folder, reads it back as the report does, and writes
one PNG per chart into ``docs/images/charts/``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from kamcore import charts
from kamcore.demo import run_demo
from kamcore.report import read_demo_folder

OUT = Path(__file__).parent / "images" / "charts"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run_demo(out=Path(tmp), seed=2026, accounts=300)
        data = read_demo_folder(tmp)
    abc, forecast, schedule, playbook = data.abc, data.forecast, data.schedule, data.playbook
    if abc is None or forecast is None or schedule is None or playbook is None:
        raise SystemExit("the demo folder lacks a part the charts need")
    drawings = {
        "pareto": lambda ax: charts.plot_pareto(abc, ax=ax),
        "lorenz": lambda ax: charts.plot_lorenz(data.measures, ax=ax),
        "grades": lambda ax: charts.plot_grades(data.batch, ladder=data.ladder, ax=ax),
        "funnel": lambda ax: charts.plot_funnel(playbook, data.opportunities, ax=ax),
        "forecast": lambda ax: charts.plot_forecast(forecast, ax=ax),
        "tiers": lambda ax: charts.plot_tiers(schedule, data.quotes, ax=ax),
        "scorecard": lambda ax: charts.plot_scorecard(data.scorecards[0], ax=ax),
        "calendar": lambda ax: charts.plot_calendar([(e.en, e.on) for e in data.events], ax=ax),
        "grades_zh": lambda ax: charts.plot_grades(
            data.batch, ladder=data.ladder, ax=ax, lang="zh"
        ),
    }
    for name, draw in drawings.items():
        fig = Figure(figsize=(6.4, 4.0), dpi=80, layout="constrained")
        draw(fig.add_subplot())
        fig.savefig(OUT / f"{name}.png", metadata={"Software": None})
        print(f"wrote {OUT / name}.png")


if __name__ == "__main__":
    main()
