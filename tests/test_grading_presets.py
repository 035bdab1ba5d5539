"""Grading presets load by kind, and every public grading type round-trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given

from kamcore import codec
from kamcore.grading import (
    AbcPolicy,
    AccountFacts,
    DevelopmentForecast,
    GradeLadder,
    GradePolicy,
    TopsisModel,
    Treatment,
    ValueCategories,
    Verdict,
    WeightedScorecard,
    WhatItTakes,
    assess_development,
    categorise,
    choose_treatment,
    grade_all,
    score_all,
    what_would_it_take,
)
from kamcore.presets import load_preset, preset_names
from kamcore.strategies import _grading as gst
from kamcore.testing.scoring import sample_population

#: The POLICY_KINDS entries the grading presets need (registered by the integrator).
KINDS = {
    "grade_ladder": "kamcore.grading._ladder:GradeLadder",
    "scorecard": "kamcore.grading._scoring:WeightedScorecard",
    "abc_policy": "kamcore.grading._pareto:AbcPolicy",
    "value_categories": "kamcore.grading._rules:ValueCategories",
    "grade_policy": "kamcore.grading._rules:GradePolicy",
    "topsis": "kamcore.grading._mcda:TopsisModel",
}
PRESETS = {
    "grading_letters": GradeLadder,
    "grading_tiers": GradeLadder,
    "grading_tiers_scorecard": WeightedScorecard,
    "grading_scorecard": WeightedScorecard,
    "grading_scorecard_absolute": WeightedScorecard,
    "grading_scorecard_lines": WeightedScorecard,
    "grading_abc": AbcPolicy,
    "grading_abc_water": AbcPolicy,
    "grading_abc_water_cumulative": AbcPolicy,
    "grading_top20": AbcPolicy,
    "grading_categories": ValueCategories,
    "grading_policy": GradePolicy,
}


@pytest.fixture
def kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind, where in KINDS.items():
        monkeypatch.setitem(codec.POLICY_KINDS, kind, where)


def test_every_grading_preset_is_listed() -> None:
    assert sorted(n for n in preset_names() if n.startswith("grading_")) == sorted(PRESETS)


@pytest.mark.parametrize(("name", "cls"), PRESETS.items())
def test_every_preset_loads_by_class_and_round_trips(name: str, cls: type) -> None:
    policy = load_preset(name, cls)
    assert codec.from_dict(cls, codec.to_dict(policy)) == policy


@pytest.mark.usefixtures("kinds")
@pytest.mark.parametrize(("name", "cls"), PRESETS.items())
def test_every_preset_loads_by_its_kind(name: str, cls: type) -> None:
    assert load_preset(name) == load_preset(name, cls)
    assert codec.policy_kind(cls) in KINDS


@pytest.mark.usefixtures("kinds")
def test_a_preset_of_the_wrong_kind_is_refused() -> None:
    from kamcore.errors import RecordInvalid

    with pytest.raises(RecordInvalid, match="wrong policy kind"):
        load_preset("grading_letters", AbcPolicy)


@given(gst.topsis_models())
def test_topsis_models_round_trip_fitted_or_not(model: TopsisModel) -> None:
    assert codec.from_dict(TopsisModel, codec.to_dict(model)) == model
    fitted = model.fit(sample_population())
    assert codec.from_dict(TopsisModel, codec.to_dict(fitted)) == fitted
    for s in score_all(model, sample_population()):
        assert sum(s.contributions, Decimal(0)) == s.total


@given(gst.value_categories(), gst.account_facts())
def test_value_categories_round_trip_and_never_crash(
    cats: ValueCategories, facts: AccountFacts
) -> None:
    assert codec.from_dict(ValueCategories, codec.to_dict(cats)) == cats
    assert set(categorise(cats, facts)) <= {r.category for r in cats.rules}


def test_results_round_trip_through_the_codec() -> None:
    card = load_preset("grading_scorecard", WeightedScorecard).fit(sample_population())
    letters = load_preset("grading_letters", GradeLadder)
    w = what_would_it_take(card, letters, sample_population()[3])
    assert w.requirements
    assert codec.from_dict(WhatItTakes, codec.to_dict(w)) == w
    t = choose_treatment(load_preset("grading_policy", GradePolicy), "A", sample_population()[3])
    assert codec.from_dict(Treatment, codec.to_dict(t)) == t
    f = DevelopmentForecast(sales=10, profit=5, risk_coefficient="0.1")
    assert codec.from_dict(DevelopmentForecast, codec.to_dict(f)) == f
    v = assess_development(f)
    assert codec.from_dict(Verdict, codec.to_dict(v)) == v


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: WeightedScorecard("abc"), "criteria"),
        (lambda: WeightedScorecard([1]), "criteria[0]"),
        (lambda: GradeLadder([("A", 0, 100)]), "bands[0]"),
        (lambda: AbcPolicy(None), "breaks"),
        (lambda: ValueCategories([None]), "rules[0]"),
        (lambda: GradePolicy([{"grade": "A"}]), "services[0]"),
        (lambda: TopsisModel([3]), "criteria[0]"),
    ],
)
def test_wrong_types_in_policies_are_refused_by_name(build: object, field: str) -> None:
    from kamcore.errors import ValidationError

    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


def test_enum_fields_accept_their_values_and_refuse_others() -> None:
    from kamcore.errors import ValidationError
    from kamcore.grading import Comparison, Condition, Criterion, Direction, Normaliser

    c = Criterion("profit", 1, Normaliser("linear", 0, 1), "lower")  # type: ignore[arg-type]
    assert c.direction is Direction.LOWER
    assert Condition("profit", ">=", 1).op is Comparison.GE  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="one of: higher, lower"):
        Criterion("profit", 1, Normaliser.linear(0, 1), "up")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="normaliser"):
        Criterion("profit", 1, "linear")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"steps\[0\]"):
        Normaliser.step_table([5])  # type: ignore[list-item]


def test_the_five_tiers_follow_purchasing_power_and_influence() -> None:
    card = load_preset("grading_tiers_scorecard", WeightedScorecard)
    tiers = load_preset("grading_tiers", GradeLadder)
    leader = AccountFacts("leader", contract_volume=20_000_000, industry_influence=10)
    big_but_quiet = AccountFacts("quiet", contract_volume=16_000_000, industry_influence=3)
    ordinary = AccountFacts("ordinary", contract_volume=1_000_000, industry_influence=1)
    grades = {
        g.account_id: g.grade for g in grade_all(card, tiers, [leader, big_but_quiet, ordinary])
    }
    assert grades == {"leader": "gold", "quiet": "platinum", "ordinary": "silver"}
