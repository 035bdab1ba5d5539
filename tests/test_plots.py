"""Static charts (kamcore.charts plot_* and to_svg), drawn on Figure objects, no GUI."""

from __future__ import annotations

import io
import itertools
import re
import warnings
from datetime import date
from decimal import Decimal

import attrs
import pytest

pytest.importorskip("matplotlib")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kamcore.calendar import Period
from kamcore.charts import (
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
    to_svg,
)
from kamcore.errors import ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcPolicy,
    AccountFacts,
    Criterion,
    GradeBand,
    GradeLadder,
    GradeMigration,
    GradeMove,
    MoveKind,
    Normaliser,
    WeightedScorecard,
    classify_abc,
    grade_many,
)
from kamcore.money import Money
from kamcore.pipeline import Opportunity, Playbook, forecast, open_opportunity
from kamcore.presets import load_preset
from kamcore.rebate import (
    ComponentScore,
    ScorecardPolicy,
    ScoreLine,
    ScoreWeight,
    TierMode,
    TierSchedule,
    quote,
    score_salesperson,
)

SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


# -- inputs ------------------------------------------------------------------------------
def abc_result():  # type: ignore[no-untyped-def]
    policy = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", "0.95"), AbcBreak("C", 1)))
    return classify_abc(policy, {"x": 70, "y": 20, "z": 6, "w": 4})


def playbook() -> Playbook:
    return load_preset("pipeline_project_sales", Playbook)


def opportunities(pb: Playbook) -> list[Opportunity]:
    stages = [s.key for s in pb.ordered_stages()]
    out = []
    for i, (stage, amount) in enumerate(
        [(stages[0], 100), (stages[0], 50), (stages[2], 300), (stages[3], 80)]
    ):
        opp, _ = open_opportunity(
            pb,
            id=f"o{i}",
            account=f"acc{i}",
            amount=Money(amount),
            owner="li",
            on=date(2026, 1, 5),
            expected_close=date(2026, 3, 20),
        )
        out.append(attrs.evolve(opp, stage=stage))
    return out


def migration() -> GradeMigration:
    moves = [
        GradeMove("a", "A", "A", MoveKind.UNCHANGED),
        GradeMove("b", "B", "A", MoveKind.UPGRADED),
        GradeMove("c", "A", "B", MoveKind.DOWNGRADED),
        GradeMove("d", None, "B", MoveKind.APPEARED),
        GradeMove("e", "B", None, MoveKind.DISAPPEARED),
    ]
    return GradeMigration(Period.month(2026, 1), Period.month(2026, 2), ("A", "B"), moves)


def schedule() -> TierSchedule:
    return load_preset("rebate_source", TierSchedule)


def scorecard():  # type: ignore[no-untyped-def]
    policy = ScorecardPolicy(
        weights=[
            ScoreWeight(component="attainment", weight="0.6"),
            ScoreWeight(component="attendance", weight="0.4"),
        ]
    )
    parts = [
        ComponentScore(
            component="attainment",
            score=95,
            full_marks=100,
            lines=[ScoreLine("standard", Decimal(100)), ScoreLine("shortfall", Decimal(-5))],
        ),
        ComponentScore(
            component="attendance",
            score=100,
            full_marks=100,
            lines=[ScoreLine("full attendance", Decimal(100))],
        ),
    ]
    return score_salesperson(
        policy, salesperson="li", period=Period.month(2026, 3), components=parts
    )


def drawn(ax: Axes) -> int:
    return len(ax.lines) + len(ax.patches) + len(ax.collections) + len(ax.images)


def render(ax: Axes) -> bytes:
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png")
    return buffer.getvalue()


# -- each chart draws ----------------------------------------------------------------------
def test_pareto_draws_the_cumulative_curve_classes_and_breakpoints() -> None:
    result = abc_result()
    ax = plot_pareto(result)
    assert isinstance(ax.figure, Figure)
    assert ax.get_title().startswith("Pareto")
    assert len(ax.patches) == len(result.assignments)  # a bar per account
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["A (2)", "B (1)", "C (1)"]
    levels = [line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--"]
    assert levels == pytest.approx([90.0, 96.0])  # where A and B end
    assert render(ax).startswith(b"\x89PNG")


def test_lorenz_draws_curve_and_diagonal_with_the_gini_in_the_title() -> None:
    ax = plot_lorenz({"a": 1, "b": 1, "c": 1, "d": 1})
    assert "Gini 0.000" in ax.get_title()
    ax = plot_lorenz([0, 0, 0, 10])
    assert "Gini 0.750" in ax.get_title()
    assert len(ax.lines) == 2
    assert drawn(ax) >= 3
    ax = plot_lorenz([("a", 0), ("b", "0"), ("c", 0), ("d", Decimal(10))])
    assert "Gini 0.750" in ax.get_title()


def test_lorenz_refuses_negative_measures() -> None:
    with pytest.raises(ValidationError, match="negative"):
        plot_lorenz([1, -1])


def test_grades_bars_in_the_order_given_and_from_a_batch() -> None:
    ax = plot_grades({"silver": 3, "gold": 1})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["silver", "gold"]
    assert [p.get_height() for p in ax.patches] == [3, 1]
    card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
    ladder = GradeLadder((GradeBand("A", 50, 100), GradeBand("B", 0, 50)))
    batch = grade_many(
        card, ladder, [AccountFacts("x", sales_revenue=70), AccountFacts("y", sales_revenue=20)]
    )
    ax = plot_grades(batch, ladder=ladder)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B"]
    assert [p.get_height() for p in ax.patches] == [1, 1]


def test_migration_is_a_heat_map_with_counts() -> None:
    ax = plot_migration(migration())
    assert len(ax.images) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "—"]
    counts = [t.get_text() for t in ax.texts]
    assert len(counts) == 8  # 3 x 3 cells less the impossible — → —
    assert counts[:3] == ["1", "1", "0"]  # A → A, A → B, A → —
    assert "2026-01 → 2026-02" in ax.get_title()


def test_funnel_counts_open_opportunities_by_stage_in_order() -> None:
    pb = playbook()
    ax = plot_funnel(pb, opportunities(pb))
    assert [t.get_text() for t in ax.get_yticklabels()] == [s.en for s in pb.ordered_stages()]
    assert [p.get_width() for p in ax.patches] == [2, 0, 1, 1, 0]
    notes = [t.get_text() for t in ax.texts]
    assert notes[0] == "2 · 150 CNY"


def test_forecast_draws_own_and_cumulative_bars() -> None:
    pb = playbook()
    result = forecast(pb, opportunities(pb))
    ax = plot_forecast(result)
    assert len(ax.patches) == 2 * len(result.rows)
    assert [t.get_text() for t in ax.get_xticklabels()] == [r.category.value for r in result.rows]
    assert result.period == "*"
    assert ax.get_title() == "Forecast (all dates)"


def test_tiers_draw_each_tier_breakpoints_and_quotes() -> None:
    s = schedule()
    quotes = [quote(s, basis=195000), quote(s, basis=50000), quote(s, basis=1500000)]
    assert [q.near_next_tier for q in quotes] == [True, False, False]
    ax = plot_tiers(s, quotes)
    tier_lines = [line for line in ax.lines if line.get_linewidth() == 2]
    assert len(tier_lines) == len(s.tiers)
    marked = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":")
    assert marked == [float(bp) for bp in s.breakpoints]
    assert len(ax.collections) == 2  # the quotes, and those near the next tier
    assert ax.get_xlim()[1] == 2 * float(s.breakpoints[-1])  # the tiers, not the outliers
    labels = [t.get_text() for t in ax.get_legend().get_texts()]  # type: ignore[union-attr]
    assert "near the next tier" in labels


def test_scorecard_lines_are_horizontal_bars() -> None:
    ax = plot_scorecard(scorecard())
    assert [p.get_width() for p in ax.patches] == [100, -5, 100]
    assert ax.get_yticklabels()[1].get_text() == "attainment: shortfall"
    assert "total 97.00" in ax.get_title(loc="left")
    figure = ax.get_figure()
    assert figure is not None
    figure.canvas.draw()  # type: ignore[union-attr]
    title = ax.title if ax.title.get_text() else ax._left_title  # type: ignore[attr-defined]
    box = title.get_window_extent()
    assert box.x0 >= 0
    assert box.x1 <= figure.bbox.x1  # the whole title stays on the figure


def test_calendar_places_events_on_a_time_axis() -> None:
    events = [("review", date(2026, 3, 1)), ("kick-off", date(2026, 1, 15))]
    ax = plot_calendar(events)
    assert [t.get_text() for t in ax.texts] == ["kick-off", "review"]
    assert drawn(ax) >= 2
    render(ax)  # the date axis formats
    with pytest.raises(ValidationError, match="not an event"):
        plot_calendar([("x", "2026-01-01")])  # type: ignore[list-item]


def test_an_axes_given_is_drawn_into() -> None:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot_lorenz([1, 2, 3], ax=right) is right
    assert drawn(left) == 0


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown language"):
        plot_pareto(abc_result(), lang="fr")


# -- Chinese ------------------------------------------------------------------------------
def _needs_cjk() -> str:
    family = cjk_font()
    if family is None:
        pytest.skip("no CJK font installed: apt-get install fonts-wqy-microhei")
    return family


def test_the_cjk_font_is_the_first_installed_or_the_one_asked_for() -> None:
    family = _needs_cjk()
    assert family in CJK_FONTS or family
    assert cjk_font("Some Family") == "Some Family"
    with pytest.raises(ValidationError, match="no such file"):
        cjk_font("/nowhere/font.ttf")


def test_chinese_labels_of_the_presets_render_without_missing_glyphs() -> None:
    family = _needs_cjk()
    pb = playbook()
    tiers = load_preset("grading_tiers", GradeLadder)
    s = schedule()
    axes = [
        plot_pareto(abc_result(), lang="zh"),
        plot_lorenz([1, 2, 3, 10], lang="zh"),
        plot_grades({b.grade: 1 for b in tiers.bands}, ladder=tiers, lang="zh"),
        plot_migration(migration(), lang="zh"),
        plot_funnel(pb, opportunities(pb), lang="zh"),
        plot_forecast(forecast(pb, opportunities(pb)), lang="zh"),
        plot_tiers(s, [quote(s, basis=195000)], lang="zh"),
        plot_scorecard(scorecard(), lang="zh"),
        plot_calendar([("季度回顾", date(2026, 3, 1)), ("立项", date(2026, 1, 5))], lang="zh"),
    ]
    grade_ticks = [t.get_text() for t in axes[2].get_xticklabels()]
    assert grade_ticks == ["金牌", "钻石", "铂金", "白金", "银"]
    stage_ticks = [t.get_text() for t in axes[4].get_yticklabels()]
    assert stage_ticks == [st.zh for st in pb.ordered_stages()]
    assert axes[0].get_title().startswith("帕累托")
    assert axes[4].get_yticklabels()[0].get_fontname() == family
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" fails the test
        for ax in axes:
            render(ax)
            to_svg(ax)


def test_the_global_font_settings_are_left_alone() -> None:
    import matplotlib as mpl

    before = dict(mpl.rcParams)
    plot_funnel(playbook(), [], lang="zh")
    assert dict(mpl.rcParams) == before


# -- SVG ----------------------------------------------------------------------------------
def test_svg_is_inline_self_contained_and_repeatable() -> None:
    svg = to_svg(plot_pareto(abc_result()))
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    assert "<path" in svg
    assert "<text" not in svg  # text is drawn as paths
    assert set(re.findall(r"https?://[^\"'\s)]*", svg)) <= SVG_NAMESPACES
    assert svg == to_svg(plot_pareto(abc_result()))


def test_svg_of_a_figure_and_of_anything_else() -> None:
    fig = Figure()
    plot_lorenz([1, 2], ax=fig.add_subplot())
    assert to_svg(fig).startswith("<svg")
    with pytest.raises(ValidationError, match="nothing to render"):
        to_svg("not a figure")  # type: ignore[arg-type]


# -- fallbacks ----------------------------------------------------------------------------
def test_a_font_file_and_the_fc_list_fallback() -> None:
    from kamcore.charts import _plot

    _needs_cjk()
    path = _plot._fc_list_zh()
    assert path is not None
    assert cjk_font(path) == _plot._family_of_file(path)


def test_without_a_cjk_font_charts_use_the_default_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamcore.charts import _plot

    monkeypatch.setattr(_plot, "_installed_cjk_font", lambda: None)
    assert cjk_font() is None
    ax = plot_grades({"A": 1}, lang="zh")
    assert ax.get_title() == "各等级客户数"  # drawn, in matplotlib's default font


def test_fc_list_missing_gives_no_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamcore.charts import _plot

    monkeypatch.setattr(_plot.shutil, "which", lambda name: None)
    assert _plot._fc_list_zh() is None


def test_without_matplotlib_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for name in ("matplotlib", "matplotlib.axes", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ValidationError, match=r"kamcore\[plot\]"):
        plot_lorenz([1, 2])
    with pytest.raises(ValidationError, match=r"kamcore\[plot\]"):
        to_svg("no figure")  # type: ignore[arg-type]


def test_graduated_tiers_bend_instead_of_jumping() -> None:
    s = attrs.evolve(schedule(), mode=TierMode.GRADUATED)
    ax = plot_tiers(s)
    tier_lines = [line for line in ax.lines if line.get_linewidth() == 2]
    ends = [(line.get_ydata()[0], line.get_ydata()[-1]) for line in tier_lines]
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(ends))
    assert not ax.collections  # no quotes


def test_closed_opportunities_are_not_in_the_funnel() -> None:
    pb = playbook()
    opps = opportunities(pb)
    opps[0] = attrs.evolve(opps[0], closed_on=date(2026, 2, 2))
    ax = plot_funnel(pb, opps)
    assert ax.patches[0].get_width() == 1


def test_svg_of_an_axes_in_a_subfigure() -> None:
    sub = Figure().subfigures(1, 2)[0]
    svg = to_svg(plot_lorenz([1, 2], ax=sub.add_subplot()))
    assert svg.startswith("<svg")


def test_the_fc_list_fallback_when_no_listed_family_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kamcore.charts import _plot

    _needs_cjk()
    monkeypatch.setattr(_plot, "CJK_FONTS", ())
    assert _plot._installed_cjk_font.__wrapped__() is not None

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("no fc-list")

    monkeypatch.setattr(_plot.subprocess, "run", broken)
    assert _plot._fc_list_zh() is None
    assert _plot._installed_cjk_font.__wrapped__() is None


# -- bad input: a ValidationError naming the argument (issue 16) -----------------------
BAD_PLOT_CALLS = {
    "pareto result None": (lambda: plot_pareto(None), "result"),
    "pareto font a number": (lambda: plot_pareto(abc_result(), font=1.5), "font"),
    "pareto ax a list": (lambda: plot_pareto(abc_result(), ax=[None]), "ax"),
    "lorenz measures None": (lambda: plot_lorenz(None), "measures"),
    "lorenz font bytes": (lambda: plot_lorenz([1, 2], font=b"bytes"), "font"),
    "lorenz ax a tuple": (lambda: plot_lorenz([1, 2], ax=()), "ax"),
    "grades None": (lambda: plot_grades(None), "grades"),
    "grades a str": (lambda: plot_grades("no_such_value"), "grades"),
    "grades count a str": (lambda: plot_grades({"A": "3"}), "grades.A"),
    "grades ladder a str": (lambda: plot_grades({"A": 1}, ladder="秘密"), "ladder"),
    "migration None": (lambda: plot_migration(None), "migration"),
    "migration ladder a dict": (lambda: plot_migration(migration(), ladder={}), "ladder"),
    "funnel playbook None": (lambda: plot_funnel(None, []), "playbook"),
    "funnel opportunities None": (lambda: plot_funnel(playbook(), None), "opportunities"),
    "funnel opportunity an int": (lambda: plot_funnel(playbook(), [1]), "opportunities[0]"),
    "forecast None": (lambda: plot_forecast(None), "forecast"),
    "tiers schedule None": (lambda: plot_tiers(None), "schedule"),
    "tiers quotes a str": (lambda: plot_tiers(schedule(), "秘密"), "quotes"),
    "tiers quote None": (lambda: plot_tiers(schedule(), [None]), "quotes[0]"),
    "scorecard None": (lambda: plot_scorecard(None), "scorecard"),
    "calendar events None": (lambda: plot_calendar(None), "events"),
    "calendar event a str": (lambda: plot_calendar(["x"]), "events[0]"),
    "cjk_font a list": (lambda: cjk_font(["a", "b"]), "font"),
    "cjk_font bytes": (lambda: cjk_font(b"bytes"), "font"),
}


@pytest.mark.parametrize("name", list(BAD_PLOT_CALLS))
def test_a_plot_refuses_bad_input_naming_the_argument(name: str) -> None:
    call, field = BAD_PLOT_CALLS[name]
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[no-untyped-call]
    assert info.value.field == field
    assert field.split("[")[0].split(".")[0] in str(info.value)
