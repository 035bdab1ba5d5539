"""Every chart spec validates against the Vega-Lite schema altair ships, and draws."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from kamcore.calendar import Period, PeriodKind
from kamcore.charts import (
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
from kamcore.errors import ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcPolicy,
    AbcResult,
    AccountFacts,
    Criterion,
    GradeBand,
    GradeLadder,
    GradeMigration,
    Normaliser,
    WeightedScorecard,
    classify_abc,
    grade_many,
    measure_concentration,
    regrade,
    tabulate_migrations,
)
from kamcore.money import Money
from kamcore.pipeline import Forecast, Opportunity, Playbook, close_out, forecast
from kamcore.pipeline import open_opportunity as open_opp
from kamcore.presets import load_preset
from kamcore.rebate import (
    ComponentScore,
    RebateQuote,
    Scorecard,
    ScorecardPolicy,
    ScoreLine,
    ScoreWeight,
    TierSchedule,
    quote,
    score_salesperson,
)

altair = pytest.importorskip("altair")
jsonschema = pytest.importorskip("jsonschema")

Spec = dict[str, object]

CARD = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
LADDER = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80), GradeBand("C", 0, 50)))
SALES = load_preset("pipeline_project_sales", Playbook)
SOURCE = load_preset("rebate_source", TierSchedule)


@pytest.fixture(scope="module")
def validator() -> Any:
    path = Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft7Validator  # the schema says draft-07
    return cls(schema)


def _abc() -> AbcResult:
    policy = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", "0.95"), AbcBreak("C", 1)))
    return classify_abc(policy, {"x": 70, "y": 20, "z": 6, "w": 4})


def _migration() -> GradeMigration:
    q1 = regrade(
        CARD,
        LADDER,
        [AccountFacts("x", sales_revenue=90), AccountFacts("y", sales_revenue=60)],
        period=Period.quarter(2026, 1),
    )
    q2 = regrade(
        CARD,
        LADDER,
        [AccountFacts("x", sales_revenue=60), AccountFacts("z", sales_revenue=10)],
        previous=q1,
        period=Period.quarter(2026, 2),
    )
    return tabulate_migrations(LADDER, q1, q2)


def _book() -> list[Opportunity]:
    def opened(opp_id: str, amount: str) -> Opportunity:
        return open_opp(
            SALES,
            id=opp_id,
            account="acct-" + opp_id,
            amount=Money(amount),
            owner="li",
            on=date(2026, 3, 2),
            expected_close=date(2026, 5, 15),
        )[0]

    a, b, c = opened("a", "800000"), opened("b", "500000"), opened("c", "300000")
    lost, _ = close_out(SALES, c, "withdrawn", on=date(2026, 3, 9), reason="project cancelled")
    return [a, b, lost]


def _forecast() -> Forecast:
    return forecast(SALES, _book(), period=Period.quarter(2026, 2))


def _quotes() -> tuple[RebateQuote, ...]:
    return (
        quote(SOURCE, basis="150000"),
        quote(SOURCE, basis="195000"),
        quote(SOURCE, basis="1200000", base="1000000"),
    )


def _scorecard() -> Scorecard:
    policy = ScorecardPolicy(
        weights=[ScoreWeight(component="a", weight="0.6"), ScoreWeight(component="b", weight="0.4")]
    )
    parts = [
        ComponentScore(component="a", score="90", full_marks=100, lines=[ScoreLine("a", D90)]),
        ComponentScore(component="b", score="70", full_marks=100, lines=[ScoreLine("b", D70)]),
    ]
    return score_salesperson(
        policy, salesperson="li", period=Period.month(2026, 3), components=parts
    )


D90, D70 = Decimal(90), Decimal(70)

BUILDERS: dict[str, Callable[[str], Spec]] = {
    "pareto": lambda lang: pareto_chart(_abc(), lang=lang),
    "pareto_empty": lambda lang: pareto_chart(classify_abc(_abc_policy(), {}), lang=lang),
    "lorenz": lambda lang: lorenz_chart(measure_concentration({"a": 1, "b": 2, "c": 3}), lang=lang),
    "grades": lambda lang: grade_chart({"A": 3, "B": 5, "C": 12}, lang=lang),
    "grades_batch": lambda lang: grade_chart(
        grade_many(CARD, LADDER, [AccountFacts("x", sales_revenue=90)]), order=LADDER, lang=lang
    ),
    "migration": lambda lang: migration_chart(_migration(), lang=lang),
    "funnel": lambda lang: funnel_chart(SALES, _book(), lang=lang),
    "forecast": lambda lang: forecast_chart(_forecast(), lang=lang),
    "weighted": lambda lang: weighted_chart(SALES, _book(), lang=lang),
    "weighted_monthly": lambda lang: weighted_chart(SALES, _book(), period="month", lang=lang),
    "tiers": lambda lang: tier_chart(SOURCE, _quotes(), lang=lang),
    "tiers_bare": lambda lang: tier_chart(SOURCE, lang=lang),
    "scorecard": lambda lang: scorecard_chart(_scorecard(), lang=lang),
    "calendar": lambda lang: calendar_chart(
        [("review acme", date(2026, 6, 30)), ("archive 2025", "2026-03-31")],
        today=date(2026, 4, 1),
        lang=lang,
    ),
    "calendar_plain": lambda lang: calendar_chart([("review acme", date(2026, 6, 30))], lang=lang),
}


def _abc_policy() -> AbcPolicy:
    return AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_spec_validates_against_the_vega_lite_schema(
    name: str, lang: str, validator: Any
) -> None:
    spec = BUILDERS[name](lang)
    errors = sorted(validator.iter_errors(spec), key=str)
    assert not errors, errors[0].message
    assert spec["$schema"] == SCHEMA_URL
    assert json.loads(json.dumps(spec)) == spec  # plain JSON: floats, not Decimals
    assert spec["title"]


def test_the_schema_version_matches_the_one_altair_ships() -> None:
    assert altair.SCHEMA_VERSION.startswith("v6")
    assert VEGA_LITE_MIME == "application/vnd.vegalite.v6+json"


def test_titles_follow_the_language() -> None:
    assert pareto_chart(_abc(), lang="zh")["title"] == "帕累托曲线（ABC 分类）"
    lorenz = lorenz_chart(measure_concentration({"a": 1, "b": 3}))
    assert lorenz["title"] == "Lorenz curve, Gini 0.250"
    with pytest.raises(ValidationError, match="unknown language"):
        grade_chart({"A": 1}, lang="fr")


def test_the_pareto_chart_marks_the_class_breakpoints() -> None:
    layers: Any = pareto_chart(_abc())["layer"]
    breaks = layers[2]["data"]["values"]
    assert [(b["class"], b["accounts_share"], b["cumulative_share"]) for b in breaks] == [
        ("A", 0.5, 0.9),
        ("B", 0.75, 0.96),
    ]
    assert layers[1]["data"]["values"][0]["measure"] == 70.0


def test_grade_counts_come_in_ladder_order() -> None:
    spec: Any = grade_chart({"C": 2, "A": 1}, order=LADDER)
    assert spec["data"]["values"] == [
        {"grade": "A", "count": 1},
        {"grade": "B", "count": 0},
        {"grade": "C", "count": 2},
    ]
    batch = grade_many(
        CARD, LADDER, [AccountFacts("x", sales_revenue=90), AccountFacts("y", sales_revenue=10)]
    )
    assert grade_chart(batch)["data"] == {
        "values": [{"grade": "A", "count": 1}, {"grade": "C", "count": 1}]
    }
    with pytest.raises(ValidationError, match="a grade the order does not list"):
        grade_chart({"Z": 1}, order=LADDER)
    with pytest.raises(ValidationError, match=r"grades\.A"):
        grade_chart({"A": -1})
    with pytest.raises(ValidationError, match=r"grades\.A"):
        grade_chart({"A": True})


def test_the_funnel_counts_open_opportunities_by_stage_with_conversion() -> None:
    opp = _book()
    rows: Any = funnel_chart(SALES, opp)["data"]
    values = rows["values"]
    assert [r["key"] for r in values] == [s.key for s in SALES.ordered_stages()]
    first = values[0]
    assert (first["count"], first["amount"]) == (2, 1_300_000.0)
    assert first["conversion"] == 0.0  # the closed one never progressed
    assert first["label"] == "2 · 1,300,000 CNY · → 0%"
    assert values[1]["conversion"] is None
    zh: Any = funnel_chart(SALES, opp, lang="zh")
    assert zh["data"]["values"][0]["stage"] == SALES.ordered_stages()[0].zh


def test_the_funnel_refuses_mixed_currencies() -> None:
    usd = open_opp(
        SALES, id="u", account="u", amount=Money("10", "USD"), owner="li", on=date(2026, 3, 2)
    )[0]
    with pytest.raises(ValidationError, match="several currencies"):
        funnel_chart(SALES, [*_book(), usd])


def test_the_tier_chart_marks_quotes_near_a_cliff() -> None:
    layers: Any = tier_chart(SOURCE, _quotes())["layer"]
    steps, points = layers[0]["data"]["values"], layers[1]["data"]["values"]
    assert [s["basis"] for s in steps[:-1]] == [float(t.lower) for t in SOURCE.tiers]
    assert steps[-1]["basis"] == 2_000_000.0  # twice the last breakpoint: the tiers show
    assert [p["near"] for p in points] == [q.near_next_tier for q in _quotes()]
    assert any(p["near"] for p in points)
    other = quote(attrs.evolve(SOURCE, name="other"), basis="1")
    with pytest.raises(ValidationError, match="another schedule"):
        tier_chart(SOURCE, [other])


def test_the_calendar_sorts_events_and_marks_the_overdue() -> None:
    spec: Any = BUILDERS["calendar"]("en")
    rows = spec["layer"][0]["data"]["values"]
    assert [(r["label"], r["overdue"]) for r in rows] == [
        ("archive 2025", True),
        ("review acme", False),
    ]
    assert spec["layer"][1]["data"]["values"][0]["date"] == "2026-04-01"
    with pytest.raises(ValidationError, match="events"):
        calendar_chart([("x", "not a date")])


def test_mime_bundles_carry_the_spec_and_the_html_table() -> None:
    bundle = _abc()._repr_mimebundle_()
    assert list(bundle) == [VEGA_LITE_MIME]
    assert bundle[VEGA_LITE_MIME] == pareto_chart(_abc())
    f = _forecast()
    bundle = f._repr_mimebundle_()
    assert bundle == {VEGA_LITE_MIME: forecast_chart(f), "text/html": f._repr_html_()}
    assert list(f._repr_mimebundle_(include={"text/html"})) == ["text/html"]
    assert list(f._repr_mimebundle_(exclude={"text/html"})) == [VEGA_LITE_MIME]
    m = _migration()
    assert m._repr_mimebundle_() == {VEGA_LITE_MIME: migration_chart(m)}
    q = _quotes()[1]
    bundle = q._repr_mimebundle_()
    assert bundle[VEGA_LITE_MIME] == tier_chart(SOURCE, [q])
    assert bundle["text/html"] == q._repr_html_()
    assert mimebundle({"mark": "bar"}, include="text/html") == {VEGA_LITE_MIME: {"mark": "bar"}}


def test_domain_packages_do_not_import_the_charts() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kamcore.grading, kamcore.pipeline, kamcore.rebate, kamcore.archive;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('kamcore.charts', 'pandas', 'altair', 'matplotlib') or m.startswith('kamcore.charts')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", ["pareto", "lorenz", "migration", "tiers", "funnel"])
def test_specs_draw_with_vl_convert(name: str) -> None:
    vlc = pytest.importorskip("vl_convert", reason="vl-convert-python is not installed")
    svg = vlc.vegalite_to_svg(BUILDERS[name]("en"))
    assert "<svg" in svg
    assert "<path" in svg or "<rect" in svg


def test_the_weighted_chart_stacks_the_domains_weighted_pipeline_by_category() -> None:
    from kamcore.pipeline import weighted_pipeline

    spec: Any = weighted_chart(SALES, _book())
    rows = spec["data"]["values"]
    open_book = [o for o in _book() if o.closed_on is None]
    (expected,) = weighted_pipeline(SALES, open_book, by=("period",), period=PeriodKind.QUARTER)
    assert [(r["period"], r["category"]) for r in rows] == [("2026-Q2", "pipeline")]
    assert rows[0]["weighted"] == float(expected.weighted.amount)
    assert rows[0]["count"] == 2  # the withdrawn one is closed: not forecast
    with pytest.raises(ValidationError, match="period"):
        weighted_chart(SALES, _book(), period="week")


# -- bad input: a ValidationError naming the argument (issue 16) -----------------------

BAD_SPEC_CALLS: dict[str, tuple[Callable[[], object], str]] = {
    "pareto result None": (lambda: pareto_chart(None), "result"),  # type: ignore[arg-type]
    "lorenz figures a dict": (lambda: lorenz_chart({"a": 1}), "figures"),  # type: ignore[arg-type]
    "grades None": (lambda: grade_chart(None), "grades"),  # type: ignore[arg-type]
    "grades a list": (lambda: grade_chart(["a", "b"]), "grades"),  # type: ignore[arg-type]
    "grades None key": (lambda: grade_chart({None: 1}), "grades key"),  # type: ignore[dict-item]
    "grades order a number": (lambda: grade_chart({"A": 1}, order=1.5), "order"),  # type: ignore[arg-type]
    "grades order item": (lambda: grade_chart({"A": 1}, order=["A", None]), "order[1]"),  # type: ignore[list-item]
    "migration None": (lambda: migration_chart(None), "migration"),  # type: ignore[arg-type]
    "funnel playbook None": (lambda: funnel_chart(None, []), "playbook"),  # type: ignore[arg-type]
    "funnel opportunities None": (lambda: funnel_chart(SALES, None), "opportunities"),  # type: ignore[arg-type]
    "funnel opportunity a str": (lambda: funnel_chart(SALES, ["x"]), "opportunities[0]"),  # type: ignore[list-item]
    "forecast None": (lambda: forecast_chart(None), "forecast"),  # type: ignore[arg-type]
    "weighted opportunities a float": (lambda: weighted_chart(SALES, 1.5), "opportunities"),  # type: ignore[arg-type]
    "weighted playbook a list": (lambda: weighted_chart(["a"], []), "playbook"),  # type: ignore[arg-type]
    "tier schedule None": (lambda: tier_chart(None), "schedule"),  # type: ignore[arg-type]
    "tier quotes True": (lambda: tier_chart(SOURCE, True), "quotes"),  # type: ignore[arg-type]
    "tier quote None": (lambda: tier_chart(SOURCE, [None]), "quotes[0]"),  # type: ignore[list-item]
    "scorecard None": (lambda: scorecard_chart(None), "card"),  # type: ignore[arg-type]
    "calendar events None": (lambda: calendar_chart(None), "events"),  # type: ignore[arg-type]
    "calendar event a str": (lambda: calendar_chart(["a", "b"]), "events[0]"),  # type: ignore[list-item]
    "calendar event None": (lambda: calendar_chart([None]), "events[0]"),  # type: ignore[list-item]
    "mimebundle spec None": (lambda: mimebundle(None), "spec"),  # type: ignore[arg-type]
    "mimebundle spec a str": (lambda: mimebundle("   "), "spec"),  # type: ignore[arg-type]
    "mimebundle html an int": (lambda: mimebundle({}, html=1), "html"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("name", list(BAD_SPEC_CALLS))
def test_a_chart_spec_refuses_bad_input_naming_the_argument(name: str) -> None:
    call, field = BAD_SPEC_CALLS[name]
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.field == field
    assert field.split("[")[0].split(" ")[0] in str(info.value)


def test_mimebundle_ignores_bytes_as_include_and_exclude() -> None:
    spec = {"mark": "bar"}
    assert mimebundle(spec, html="<p>", exclude=b"text/html") == {
        VEGA_LITE_MIME: spec,
        "text/html": "<p>",
    }
