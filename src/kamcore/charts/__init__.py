"""Charts (图表) of kamcore's results: pictures people would rather look at.

* Vega-Lite specs as plain dicts, standard library only: :func:`pareto_chart`,
  :func:`lorenz_chart`, :func:`grade_chart`, :func:`migration_chart`,
  :func:`funnel_chart`, :func:`forecast_chart`, :func:`tier_chart`,
  :func:`scorecard_chart` and :func:`calendar_chart`; :func:`mimebundle` wraps one for
  a notebook. Data are inline and numbers in them are floats: charts are pictures, the
  exact ``Decimal`` values stay in the results.

The domain packages never import this package at module level; results that draw
themselves in a notebook (``_repr_mimebundle_``) import it when asked.

Examples:
    >>> spec = grade_chart({"A": 3, "B": 5})
    >>> spec["$schema"]
    'https://vega.github.io/schema/vega-lite/v6.json'
"""

from kamcore.charts._plot import (
    CJK_FONTS,
    cjk_font,
    plot_calendar,
    plot_forecast,
    plot_funnel,
    plot_grades,
    plot_lorenz,
    plot_migration,
    plot_pareto,
    plot_scorecard,
    plot_tiers,
)
from kamcore.charts._specs import (
    SCHEMA_URL,
    VEGA_LITE_MIME,
    calendar_chart,
    forecast_chart,
    funnel_chart,
    grade_chart,
    lorenz_chart,
    migration_chart,
    mimebundle,
    pareto_chart,
    scorecard_chart,
    tier_chart,
    weighted_chart,
)
from kamcore.charts._svg import SVG_HASHSALT, to_svg

__all__ = [
    "CJK_FONTS",
    "SCHEMA_URL",
    "SVG_HASHSALT",
    "VEGA_LITE_MIME",
    "calendar_chart",
    "cjk_font",
    "forecast_chart",
    "funnel_chart",
    "grade_chart",
    "lorenz_chart",
    "migration_chart",
    "mimebundle",
    "pareto_chart",
    "plot_calendar",
    "plot_forecast",
    "plot_funnel",
    "plot_grades",
    "plot_lorenz",
    "plot_migration",
    "plot_pareto",
    "plot_scorecard",
    "plot_tiers",
    "scorecard_chart",
    "tier_chart",
    "to_svg",
    "weighted_chart",
]
