"""The rules the demo applies are public policies with presets (plan, near tier, filing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.archive import Classification, Confidentiality, GradeFiling
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money, Rate
from kamcore.presets import load_preset
from kamcore.rebate import PlanRule, Tier, TierSchedule, plan_for, quote


def test_the_default_plan_is_last_years_revenue_plus_ten_percent_to_the_nearest_ten_thousand() -> (
    None
):
    rule = load_preset("rebate_plan_default", PlanRule)
    assert rule == PlanRule(name="default")
    # 1,234,567 × 1.10 = 1,358,023.70 → 1,360,000
    assert plan_for(rule, Money("1234567")) == Money("1360000")
    # 4,545 × 1.10 = 4,999.5 → 0, below the floor
    assert plan_for(rule, Money("4545")) == Money("10000")
    assert plan_for(rule, Money(0)) is None


def test_a_plan_rule_rounds_as_it_says() -> None:
    rule = PlanRule(growth="5%", round_to=0, rounding="down", floor="1")
    assert plan_for(rule, Money("999.99")) == Money("1049")  # 1,049.9895 rounded down


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [({"growth": "-1%"}, "growth"), ({"floor": "0"}, "floor")],
)
def test_a_plan_rule_refuses_a_negative_growth_or_a_floor_of_nothing(
    kwargs: dict[str, str], part: str
) -> None:
    with pytest.raises(PolicyError) as info:
        PlanRule(**kwargs)  # type: ignore[arg-type]
    assert info.value.part == part


def test_a_plan_for_negative_or_foreign_revenue_is_refused() -> None:
    with pytest.raises(ValidationError, match="prior: negative revenue"):
        plan_for(PlanRule(), Money("-1"))
    with pytest.raises(ValidationError, match="prior: wrong currency"):
        plan_for(PlanRule(), Money("1", "USD"))


@given(st.integers(min_value=1, max_value=10**12))
def test_a_plan_is_never_below_the_floor_and_grows_with_the_prior_year(prior: int) -> None:
    rule = PlanRule()
    plan = plan_for(rule, Money(prior))
    assert plan is not None
    assert plan >= rule.floor
    bigger = plan_for(rule, Money(prior + 10_000))
    assert bigger is not None
    assert bigger >= plan


def test_near_the_next_tier_is_within_the_schedules_share_of_the_basis() -> None:
    source = load_preset("rebate_source", TierSchedule)
    assert source.near == Rate("0.05")
    # 190,477 is 9,523 below 200,000: 5% of 190,477 is 9,523.85
    assert quote(source, basis="190477", base="0").near_next_tier
    assert not quote(source, basis="190476", base="0").near_next_tier  # 9,524 > 9,523.80
    assert not quote(source, basis="2000000", base="0").near_next_tier  # the top tier
    strict = TierSchedule(
        tiers=[Tier(lower=0, upper=100, rate="1%"), Tier(lower=100, rate="2%")], near="0"
    )
    assert not quote(strict, basis="99.99", base="0").near_next_tier


def test_a_near_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(PolicyError) as info:
        TierSchedule(tiers=[Tier(lower=0, rate="1%")], near="150%")
    assert info.value.part == "near"


def test_the_default_filing_files_a_and_b_as_important_and_a_as_secret() -> None:
    filing = load_preset("archive_filing_default", GradeFiling)
    assert [filing.classification_of(g) for g in "ABCD"] == [
        Classification.IMPORTANT,
        Classification.IMPORTANT,
        Classification.GENERAL,
        Classification.GENERAL,
    ]
    assert [filing.confidentiality_of(g) for g in "ABCD"] == [
        Confidentiality.SECRET,
        *[Confidentiality.UNCLASSIFIED] * 3,
    ]
    assert codec.from_dict(GradeFiling, codec.to_dict(filing)) == filing


def test_a_filing_rule_refuses_an_unknown_classification_naming_the_grade() -> None:
    with pytest.raises(ValidationError) as info:
        GradeFiling(classification={"A": "vip"})
    assert info.value.field == "classification.A"
    with pytest.raises(ValidationError, match="not a table"):
        GradeFiling(confidentiality=["A"])  # type: ignore[arg-type]


def test_the_plan_rule_round_trips_through_the_codec() -> None:
    rule = PlanRule(growth="12.5%", floor=Decimal("50000"))
    assert codec.from_dict(PlanRule, codec.to_dict(rule)) == rule
