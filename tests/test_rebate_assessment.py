"""Commission by grade and the salesperson assessment, every point explained."""

from __future__ import annotations

import itertools
import tomllib
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.calendar import Period
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money, Rate, Rounding
from kamcore.presets import load_preset, preset_names
from kamcore.rebate import (
    ApprovalChain,
    AttainmentRule,
    AttendanceRule,
    CommissionTable,
    ComponentScore,
    Descriptor,
    DescriptorScale,
    GradeRate,
    LatenessBand,
    PartialSteps,
    PlanRule,
    ReportRule,
    Scorecard,
    ScorecardPolicy,
    ScoreLine,
    ScoreWeight,
    ServiceTargets,
    Target,
    TierSchedule,
    assess_attainment,
    assess_attendance,
    attainment_points,
    combine_scores,
    compute_commission,
    rate_competency,
    score_salesperson,
)
from kamcore.strategies import attainment_rules, attendance_rules, commission_tables

PLAN = Target(normal="1000000")

# -- presets -----------------------------------------------------------------------------

PRESETS = {
    "rebate_source": TierSchedule,
    "rebate_approval_source": ApprovalChain,
    "rebate_attainment_source": AttainmentRule,
    "rebate_attendance_source": AttendanceRule,
    "rebate_competency_analysis": DescriptorScale,
    "rebate_competency_communication": DescriptorScale,
    "rebate_report_source": ReportRule,
    "rebate_service_source": ServiceTargets,
    "rebate_plan_default": PlanRule,
    "rebate_scorecard_default": ScorecardPolicy,
}


def test_every_rebate_preset_loads_and_is_listed() -> None:
    assert {n for n in preset_names() if n.startswith("rebate_")} == set(PRESETS)
    for name, cls in PRESETS.items():
        assert isinstance(load_preset(name, cls), cls)
    assert load_preset("rebate_attainment_source", AttainmentRule) == AttainmentRule()
    assert load_preset("rebate_attendance_source", AttendanceRule) == AttendanceRule()


def test_the_communication_scale_has_the_sources_four_levels_and_points() -> None:
    scale = load_preset("rebate_competency_communication", DescriptorScale)
    points = {d.level: d.points for d in scale.descriptors}
    assert list(points) == ["many techniques", "resolves conflicts", "some persuasion", "clear"]
    # legible in the source: 6 and 5; the other two are documented defaults
    assert (points["many techniques"], points["some persuasion"]) == (6, 5)
    assert (points["resolves conflicts"], points["clear"]) == (Decimal("5.5"), 4)
    assert "能有效地化解矛盾" in scale.descriptors[1].description
    assert "有一定的说服能力" in scale.descriptors[2].description
    assert rate_competency(scale, "many techniques").score == 6
    assert rate_competency(scale, "some persuasion").full_marks == 6


def test_the_analysis_scale_has_the_sources_four_levels_and_points() -> None:
    scale = load_preset("rebate_competency_analysis", DescriptorScale)
    points = {d.level: d.points for d in scale.descriptors}
    assert list(points) == ["top", "strong", "fair", "weak"]
    assert points["fair"] == 3  # legible in the source (一般, 3 points)
    assert (points["top"], points["strong"], points["weak"]) == (5, 4, 2)  # defaults
    assert "一般" in scale.descriptors[2].description
    assert "较强" in scale.descriptors[1].description
    assert "较弱" in scale.descriptors[3].description


@pytest.mark.parametrize("name", ["rebate_competency_analysis", "rebate_competency_communication"])
def test_competency_points_never_increase_as_the_level_goes_down(name: str) -> None:
    scale = load_preset(name, DescriptorScale)
    points = [d.points for d in scale.descriptors]
    assert len(points) == 4
    assert points == sorted(points, reverse=True)
    assert scale.max_points == points[0]


@pytest.mark.parametrize("name", ["rebate_competency_analysis", "rebate_competency_communication"])
def test_the_illegible_points_are_documented_defaults(name: str) -> None:
    text = (files("kamcore.presets") / f"{name}.toml").read_text(encoding="utf-8")
    meta = tomllib.loads(text)["meta"]
    assert "illegible in the source" in meta["source"]
    assert "default" in meta["source"]


# -- commission by grade -----------------------------------------------------------------

TABLE = CommissionTable(
    rates=[
        GradeRate(grade="key", rate="3%", label="key account (大客户)"),
        GradeRate(grade="ordinary", rate="1.5%"),
    ]
)


def test_key_accounts_earn_a_different_commission_rate_than_ordinary_customers() -> None:
    key = compute_commission(TABLE, grade="key", amount="200000")
    ordinary = compute_commission(TABLE, grade="ordinary", amount=Money("200000"))
    assert (key.rate, key.commission) == (Rate("0.03"), Money("6000.00"))
    assert (ordinary.rate, ordinary.commission) == (Rate("0.015"), Money("3000.00"))
    assert not key.defaulted


def test_an_unlisted_grade_uses_the_default_or_is_refused() -> None:
    with pytest.raises(ValidationError, match="no commission rate for this grade"):
        compute_commission(TABLE, grade="C", amount="1")
    table = CommissionTable(rates=TABLE.rates, default="1%")
    quote = compute_commission(table, grade="C", amount="100")
    assert quote.defaulted
    assert quote.commission == Money("1.00")


def test_bad_commission_tables_and_amounts_are_refused() -> None:
    with pytest.raises(PolicyError, match="at least one grade"):
        CommissionTable(rates=[])
    with pytest.raises(PolicyError, match="appears twice"):
        CommissionTable(rates=[GradeRate(grade="A", rate="1%"), GradeRate(grade="A", rate="2%")])
    with pytest.raises(PolicyError, match=r"grade 'A'.*outside 0–100%"):
        CommissionTable(rates=[GradeRate(grade="A", rate="120%")])
    with pytest.raises(PolicyError, match=r"default.*outside"):
        CommissionTable(rates=[GradeRate(grade="A", rate="1%")], default="-1%")
    with pytest.raises(PolicyError, match="empty"):
        CommissionTable(rates=[GradeRate(grade=" ", rate="1%")])
    with pytest.raises(PolicyError, match="expected a GradeRate"):
        CommissionTable(rates=["A"])  # type: ignore[list-item]
    with pytest.raises(PolicyError, match="list of GradeRate"):
        CommissionTable(rates="A")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="rounding"):
        CommissionTable(rates=TABLE.rates, rounding="up")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="negative"):
        compute_commission(TABLE, grade="key", amount="-1")


@given(commission_tables())
def test_a_commission_table_round_trips_through_the_codec(table: CommissionTable) -> None:
    assert codec.from_dict(CommissionTable, codec.to_dict(table)) == table


# -- target attainment -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "score"),
    [
        ("1000000", 100),
        ("960000", 100),
        ("950000", 99),
        ("949999", 99),
        ("900000", 98),
        ("1049999", 100),
        ("1050000", 101),
        ("1120000", 102),
    ],
)
def test_each_full_5_percent_step_moves_the_score_by_one_point(actual: str, score: int) -> None:
    assert assess_attainment(AttainmentRule(), actual=actual, target=PLAN).score == score


@given(st.integers(-20, 20), st.integers(1, 10**8))
def test_the_score_moves_by_exactly_one_point_per_full_step(k: int, target_cents: int) -> None:
    target = Target(normal=Money(Decimal(target_cents).scaleb(-2)))
    at_step = target.normal.amount * (1 + Decimal(k) / 20)
    rule = AttainmentRule()
    assert assess_attainment(rule, actual=at_step, target=target).score == 100 + k
    # half a step further from plan: still the same number of full steps
    further = at_step + (1 if k >= 0 else -1) * target.normal.amount / 40
    if further >= 0:
        assert assess_attainment(rule, actual=further, target=target).score == 100 + k
    # half a step back toward plan: one full step fewer
    if k:
        back = at_step - (1 if k > 0 else -1) * target.normal.amount / 40
        assert assess_attainment(rule, actual=back, target=target).score == 100 + k - (k > 0) + (
            k < 0
        )


def test_a_target_revised_without_director_approval_is_assessed_against_the_normal_one() -> None:
    unapproved = Target(normal="1000000", revised="1200000")
    approved = Target(normal="1000000", revised="1200000", revision_approved=True)
    assert unapproved.effective == Money("1000000")
    assert approved.effective == Money("1200000")
    s = assess_attainment(AttainmentRule(), actual="1000000", target=unapproved)
    assert s.score == 100
    assert "was not approved by the KA director" in s.lines[0].item
    assert assess_attainment(AttainmentRule(), actual="1000000", target=approved).score == 97
    assert "approved by the KA director" in approved.describe()


def test_partial_steps_and_caps_are_configurable() -> None:
    pro_rata = AttainmentRule(partial=PartialSteps.PRO_RATA)
    s = assess_attainment(pro_rata, actual="893000", target=PLAN)
    assert s.score == Decimal("97.86")
    assert s.lines[1].item == "attainment 89.3% of plan: -2.14 steps of 5%"
    capped = AttainmentRule(max_bonus=2, max_deduction=3)
    assert attainment_points(capped, Decimal("2")) == 2
    assert attainment_points(capped, Decimal("0")) == -3
    s = assess_attainment(AttainmentRule(), actual="950000", target=PLAN)
    assert s.lines[1].item == "attainment 95% of plan: 1 full 5% step below"
    assert assess_attainment(AttainmentRule(), actual="1000000", target=PLAN).lines[1].item == (
        "attainment 100% of plan: on plan"
    )


def test_bad_attainment_rules_and_inputs_are_refused() -> None:
    for kwargs, part in [
        ({"standard_score": 0}, "standard_score"),
        ({"step": "1.5"}, "step"),
        ({"points_per_step": 0}, "points_per_step"),
        ({"max_bonus": -1}, "max_bonus"),
        ({"partial": "some"}, "partial"),
    ]:
        with pytest.raises(PolicyError) as info:
            AttainmentRule(**kwargs)  # type: ignore[arg-type]
        assert info.value.part == part
    with pytest.raises(ValidationError, match="positive target"):
        Target(normal="0")
    with pytest.raises(ValidationError, match="wrong currency") as info:
        Target(normal=Money("1000000"), revised=Money("150000", "USD"))
    assert info.value.field == "revised"
    assert "CNY" in info.value.expected
    with pytest.raises(ValidationError):
        assess_attainment(AttainmentRule(), actual="-1", target=PLAN)
    with pytest.raises(ValidationError, match="currency"):
        assess_attainment(AttainmentRule(), actual=Money("1", "USD"), target=PLAN)


@given(attainment_rules())
def test_an_attainment_rule_round_trips_through_the_codec(rule: AttainmentRule) -> None:
    assert codec.from_dict(AttainmentRule, codec.to_dict(rule)) == rule


# -- attendance --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_short", "times_late", "score"),
    [(0, 0, 100), (1, 0, 99), (3, 0, 97), (0, 1, 99), (0, 3, 99), (0, 4, 98), (2, 6, 96)],
)
def test_attendance_deducts_per_day_short_and_by_lateness_band(
    days_short: int, times_late: int, score: int
) -> None:
    s = assess_attendance(AttendanceRule(), days_short=days_short, times_late=times_late)
    assert s.score == score


def test_lateness_beyond_the_source_bands_needs_a_configured_band() -> None:
    with pytest.raises(ValidationError, match="add a band"):
        assess_attendance(AttendanceRule(), days_short=0, times_late=7)
    rule = AttendanceRule(
        lateness=[
            LatenessBand(min_times=1, max_times=3, points=1),
            LatenessBand(min_times=4, max_times=6, points=2),
            LatenessBand(min_times=7, max_times=None, points=5),
        ]
    )
    s = assess_attendance(rule, days_short=1, times_late=9)
    assert s.score == 94
    assert s.lines[-1].item == "late 9 times (band 7+)"


def test_attendance_is_floored_at_the_minimum_score() -> None:
    s = assess_attendance(AttendanceRule(full_marks=5), days_short=10, times_late=0)
    assert s.score == 0
    assert s.lines[-1] == ScoreLine("floor at 0", Decimal(5))


def test_bad_attendance_rules_and_counts_are_refused() -> None:
    with pytest.raises(PolicyError, match="start at 1"):
        AttendanceRule(lateness=[LatenessBand(min_times=2, max_times=3, points=1)])
    with pytest.raises(PolicyError, match="only the last"):
        AttendanceRule(
            lateness=[
                LatenessBand(min_times=1, max_times=None, points=1),
                LatenessBand(min_times=2, max_times=3, points=1),
            ]
        )
    with pytest.raises(PolicyError, match="ends"):
        AttendanceRule(lateness=[LatenessBand(min_times=1, max_times=0, points=1)])
    with pytest.raises(PolicyError, match="negative"):
        AttendanceRule(lateness=[LatenessBand(min_times=1, max_times=2, points=-1)])
    with pytest.raises(PolicyError, match="negative") as info:
        AttendanceRule(lateness=[LatenessBand(min_times=1, max_times=None, points=-5)])
    assert info.value.part == "lateness[0]"
    with pytest.raises(PolicyError, match="full_marks"):
        AttendanceRule(full_marks=0)
    with pytest.raises(PolicyError, match="per_day_short"):
        AttendanceRule(per_day_short=-1)
    with pytest.raises(ValidationError, match="days_short"):
        assess_attendance(AttendanceRule(), days_short=-1, times_late=0)
    with pytest.raises(ValidationError, match="times_late"):
        assess_attendance(AttendanceRule(), days_short=0, times_late=True)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="at most 0"):
        assess_attendance(AttendanceRule(lateness=[]), days_short=0, times_late=1)


@given(attendance_rules())
def test_an_attendance_rule_round_trips_through_the_codec(rule: AttendanceRule) -> None:
    assert codec.from_dict(AttendanceRule, codec.to_dict(rule)) == rule


# -- competency and the scorecard --------------------------------------------------------

ANALYSIS = DescriptorScale(
    name="analysis and judgement",
    zh="分析判断能力",
    descriptors=[
        Descriptor(level="top", points=5, description="applies it to win sales"),
        Descriptor(level="strong", points=4),
        Descriptor(level="fair", points=3),
        Descriptor(level="weak", points=2),
    ],
)
COMMUNICATION = DescriptorScale(
    name="communication",
    descriptors=[
        Descriptor(level="many techniques", points=6),
        Descriptor(level="resolves conflicts", points="5.5"),
        Descriptor(level="some persuasion", points=5),
        Descriptor(level="expresses ideas clearly", points=4),
    ],
)
POLICY = ScorecardPolicy(
    weights=[
        ScoreWeight(component="attainment", weight="0.6"),
        ScoreWeight(component="attendance", weight="0.1"),
        ScoreWeight(component="competency", weight="0.3"),
    ]
)


def test_a_competency_is_rated_on_its_descriptor_scale() -> None:
    s = rate_competency(COMMUNICATION, "some persuasion")
    assert (s.score, s.full_marks) == (5, 6)
    assert s.lines[0].item == "communication: some persuasion"
    with pytest.raises(ValidationError, match="not a level of 'communication'"):
        rate_competency(COMMUNICATION, "eloquent")


def test_the_scorecard_combines_weighted_components_and_explains_every_point() -> None:
    card = score_salesperson(
        POLICY,
        salesperson="li",
        period=Period.month(2026, 3),
        components=[
            assess_attendance(AttendanceRule(), days_short=1, times_late=2),
            assess_attainment(AttainmentRule(), actual="1100000", target=PLAN),
            combine_scores(
                "competency",
                [
                    rate_competency(ANALYSIS, "top"),
                    rate_competency(COMMUNICATION, "many techniques"),
                ],
            ),
        ],
    )
    # 0.6 × 102 + 0.1 × 98 + 0.3 × 100 = 61.2 + 9.8 + 30
    assert card.total == Decimal("101.00")
    assert [c.component for c in card.components] == ["attainment", "attendance", "competency"]
    lines = card.explain()
    assert lines[0] == "attainment: 102 / 100 × 60% = 61.20"
    assert "  -1  late 2 times (band 1–3)" in lines
    assert "  +5  analysis and judgement (分析判断能力): top — applies it to win sales" in lines
    assert lines[-1] == "total: 101.00"
    assert codec.from_dict(Scorecard, codec.to_dict(card)) == card


def test_a_scorecard_needs_exactly_the_components_it_weighs() -> None:
    with pytest.raises(ValidationError, match="missing"):
        score_salesperson(
            POLICY,
            salesperson="li",
            period=Period.month(2026, 3),
            components=[assess_attendance(AttendanceRule(), days_short=0, times_late=0)],
        )


def test_bad_scales_scorecards_and_scores_are_refused() -> None:
    with pytest.raises(PolicyError, match="at least two levels"):
        DescriptorScale(name="x", descriptors=[Descriptor(level="a", points=1)])
    with pytest.raises(PolicyError, match="empty or repeated"):
        DescriptorScale(
            name="x", descriptors=[Descriptor(level="a", points=1), Descriptor(level="a", points=2)]
        )
    with pytest.raises(PolicyError, match="negative points"):
        DescriptorScale(
            name="x",
            descriptors=[Descriptor(level="a", points=1), Descriptor(level="b", points=-2)],
        )
    with pytest.raises(PolicyError, match=r"sum to 0\.9"):
        ScorecardPolicy(weights=[ScoreWeight(component="a", weight="0.9")])
    with pytest.raises(PolicyError, match="repeated or has weight"):
        ScorecardPolicy(
            weights=[
                ScoreWeight(component="a", weight="0.5"),
                ScoreWeight(component="a", weight="0.5"),
            ]
        )
    with pytest.raises(PolicyError, match="at least one component"):
        ScorecardPolicy(weights=[])
    with pytest.raises(ValidationError, match="does not add up"):
        ComponentScore(component="a", score=5, full_marks=10, lines=[ScoreLine("x", Decimal(4))])
    with pytest.raises(ValidationError, match="full_marks"):
        ComponentScore(component="a", score=0, full_marks=0, lines=[])
    with pytest.raises(ValidationError, match="at least one score"):
        combine_scores("x", [])


def test_a_scale_whose_top_level_has_no_points_still_has_positive_full_marks() -> None:
    scale = DescriptorScale(
        name="x", descriptors=[Descriptor(level="a", points=0), Descriptor(level="b", points=0)]
    )
    assert rate_competency(scale, "a").full_marks == 1


def test_a_scorecard_refuses_a_component_given_twice() -> None:
    weights = [
        ScoreWeight(component="attendance", weight="0.5"),
        ScoreWeight(component="competency", weight="0.5"),
    ]
    poor = assess_attendance(AttendanceRule(), days_short=10, times_late=0)  # 90
    full = assess_attendance(AttendanceRule(), days_short=0, times_late=0)  # 100
    competency = rate_competency(ANALYSIS, "strong")
    with pytest.raises(ValidationError, match="'attendance' is given 2 times") as info:
        score_salesperson(
            ScorecardPolicy(weights=weights),
            salesperson="li",
            period=Period.month(2026, 3),
            components=[poor, attrs.evolve(competency, component="competency"), full],
        )
    assert info.value.field == "components"
    assert info.value.value == ["attendance"]


def _even_split() -> ScorecardPolicy:
    return ScorecardPolicy(
        weights=[ScoreWeight(component="a", weight="0.5"), ScoreWeight(component="b", weight="0.5")]
    )


def _scored(component: str, score: Decimal | int, full_marks: Decimal | int) -> ComponentScore:
    return ComponentScore(
        component=component,
        score=score,
        full_marks=full_marks,
        lines=[ScoreLine(component, Decimal(score))],
    )


def test_the_printed_contributions_add_up_to_the_total() -> None:
    card = score_salesperson(
        _even_split(),
        salesperson="li",
        period=Period.month(2026, 3),
        components=[_scored("a", Decimal("99.99"), 100), _scored("b", Decimal("99.99"), 100)],
    )
    # each contribution is 49.995 exactly; the total 99.99 is rounded once
    assert card.total == Decimal("99.99")
    # the one fen of rounding residue goes to the earlier of two equal remainders
    assert card.rounded_contributions == (Decimal("50.00"), Decimal("49.99"))
    lines = card.explain()
    assert lines[0] == "a: 99.99 / 100 × 50% = 50.00"
    assert lines[2] == "b: 99.99 / 100 × 50% = 49.99"
    assert lines[-1] == "total: 99.99"


def test_the_rounding_residue_goes_to_the_largest_remainder() -> None:
    card = score_salesperson(
        _even_split(),
        salesperson="li",
        period=Period.month(2026, 3),
        components=[_scored("a", Decimal("99.982"), 100), _scored("b", Decimal("99.988"), 100)],
    )
    # 49.991 + 49.994 = 99.985 → 99.99; b's remainder (0.004) beats a's (0.001)
    assert card.total == Decimal("99.99")
    assert card.rounded_contributions == (Decimal("49.99"), Decimal("50.00"))


@st.composite
def _any_scorecards(draw: st.DrawFn) -> Scorecard:
    n = draw(st.integers(1, 5))
    places = draw(st.integers(0, 3))
    cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 1000]
    policy = ScorecardPolicy(
        weights=[
            ScoreWeight(component=f"c{i}", weight=Decimal(hi - lo).scaleb(-3))
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))
        ],
        places=places,
        rounding=draw(st.sampled_from(Rounding)),
    )
    components = [
        _scored(
            f"c{i}",
            Decimal(draw(st.integers(-10_000, 20_000))).scaleb(-draw(st.integers(0, 3))),
            draw(st.integers(1, 300)),
        )
        for i in range(n)
    ]
    return score_salesperson(
        policy, salesperson="li", period=Period.month(2026, 3), components=components
    )


@given(_any_scorecards())
def test_the_rounded_contributions_always_add_up_to_the_total(card: Scorecard) -> None:
    rounded = card.rounded_contributions
    assert sum(rounded, Decimal(0)) == card.total
    unit = Decimal(1).scaleb(-card.policy.places)
    for share, exact in zip(rounded, card.contributions, strict=True):
        assert abs(share - exact) < unit  # each is its exact value rounded down or up
        assert share == share.quantize(unit)
    printed = [Decimal(line.rsplit("= ", 1)[1]) for line in card.explain() if " = " in line]
    assert sum(printed, Decimal(0)) == Decimal(card.explain()[-1].removeprefix("total: "))


def test_a_scorecard_whose_total_disagrees_with_its_contributions_is_refused() -> None:
    card = score_salesperson(
        _even_split(),
        salesperson="li",
        period=Period.month(2026, 3),
        components=[_scored("a", 90, 100), _scored("b", 80, 100)],
    )
    with pytest.raises(ValidationError, match="total") as info:
        attrs.evolve(card, total=Decimal("99.00"))
    assert info.value.field == "total"
    with pytest.raises(ValidationError) as info:
        attrs.evolve(card, contributions=card.contributions[:1])
    assert info.value.field == "contributions"


def test_a_scale_whose_lower_level_earns_more_is_refused() -> None:
    with pytest.raises(PolicyError, match="'weak' \\(5 points\\) is below 'fair' but earns more"):
        DescriptorScale(
            name="analysis",
            descriptors=[
                Descriptor(level="strong", points=10),
                Descriptor(level="fair", points=3),
                Descriptor(level="weak", points=5),
            ],
        )


RULES_PAGE = Path(__file__).parents[1] / "docs" / "rules.md"

# -- the behaviours mutation testing asked for (issue 16) --------------------------------


def test_points_per_step_other_than_one_scale_every_full_step() -> None:
    rule = AttainmentRule(points_per_step=2)
    got = [attainment_points(rule, Decimal(a)) for a in ("0.9", "1.12", "0.96", "1.0499", "0.95")]
    assert got == [-4, 4, 0, 0, -2]
    pro_rata = AttainmentRule(points_per_step=2, partial=PartialSteps.PRO_RATA)
    got = [attainment_points(pro_rata, Decimal(a)) for a in ("0.93", "1.0125", "0.9999")]
    assert got == [Decimal("-2.80"), Decimal("0.50"), Decimal("0.00")]
    assert [str(p) for p in got] == ["-2.80", "0.50", "0.00"]  # two places kept


def test_partial_steps_are_rounded_to_the_rules_places_with_its_rounding() -> None:
    half_up = AttainmentRule(partial=PartialSteps.PRO_RATA, places=1)
    got = [attainment_points(half_up, Decimal(a)) for a in ("0.931", "0.9325", "1.0675")]
    assert [str(p) for p in got] == ["-1.4", "-1.4", "1.4"]
    down = AttainmentRule(partial=PartialSteps.PRO_RATA, places=1, rounding=Rounding.DOWN)
    assert [attainment_points(down, Decimal(a)) for a in ("0.931", "1.069")] == [
        Decimal("-1.3"),
        Decimal("1.3"),
    ]


def test_a_capped_rule_stops_at_its_caps_and_not_before() -> None:
    rule = AttainmentRule(max_bonus=3, max_deduction=2)
    got = [attainment_points(rule, Decimal(a)) for a in ("1.25", "1.15", "1.10", "0.8", "0.9")]
    assert got == [3, 3, 2, -2, -2]
    assert attainment_points(rule, Decimal("0.95")) == -1
    assert str(attainment_points(AttainmentRule(), Decimal("0.97"))) == "0"  # never -0


def test_attainment_is_explained_step_by_step() -> None:
    plan = Target(normal="1000000")
    cases = {
        "970000": (100, "attainment 97% of plan: on plan", 0),
        "1050000": (101, "attainment 105% of plan: 1 full 5% step above", 1),
        "1100000": (102, "attainment 110% of plan: 2 full 5% steps above", 2),
        "940000": (99, "attainment 94% of plan: 1 full 5% step below", -1),
    }
    for actual, (score, line, points) in cases.items():
        s = assess_attainment(AttainmentRule(), actual=actual, target=plan)
        assert (s.score, s.full_marks, s.component) == (score, 100, "attainment")
        assert [(x.item, x.points) for x in s.lines] == [
            ("standard score for 100% of plan; target 1,000,000", 100),
            (line, points),
        ]
    pro_rata = AttainmentRule(points_per_step=2, partial=PartialSteps.PRO_RATA)
    s = assess_attainment(pro_rata, actual="930000", target=plan)
    assert (str(s.score), s.lines[1].item) == ("97.20", "attainment 93% of plan: -1.4 steps of 5%")


def test_an_unapproved_target_revision_is_assessed_against_the_normal_target() -> None:
    revised = Target(normal="1000000", revised="2000000")
    s = assess_attainment(AttainmentRule(step="0.1"), actual="1234567", target=revised)
    assert s.score == 102
    assert [x.item for x in s.lines] == [
        (
            "standard score for 100% of plan; target 1,000,000 (normal target; the revision "
            "to 2,000,000 was not approved by the KA director)"
        ),
        "attainment 123.46% of plan: 2 full 10% steps above",
    ]
    approved = attrs.evolve(revised, revision_approved=True)
    s = assess_attainment(AttainmentRule(), actual="1900000", target=approved)
    assert s.score == 99
    assert s.lines[0].item == (
        "standard score for 100% of plan; target 2,000,000 (revised, approved by the KA director)"
    )


def test_a_score_exactly_at_the_floor_needs_no_floor_line() -> None:
    rule = AttendanceRule(min_score=95)
    at = assess_attendance(rule, days_short=5, times_late=0)
    assert at.score == 95
    assert [(x.item, x.points) for x in at.lines] == [
        ("full attendance", 100),
        ("5 days short × 1", -5),
    ]
    below = assess_attendance(rule, days_short=6, times_late=0)
    assert below.score == 95
    assert [(x.item, x.points) for x in below.lines][-1] == ("floor at 95", 1)


def test_attendance_lines_name_the_days_and_the_lateness_band() -> None:
    one = assess_attendance(AttendanceRule(), days_short=1, times_late=1)
    assert [(x.item, x.points) for x in one.lines] == [
        ("full attendance", 100),
        ("1 day short × 1", -1),
        ("late 1 times (band 1–3)", -1),
    ]
    assert (one.score, one.full_marks, one.component) == (98, 100, "attendance")
    edge = assess_attendance(AttendanceRule(), days_short=0, times_late=3)
    assert [x.item for x in edge.lines][1:] == ["late 3 times (band 1–3)"]
    assert assess_attendance(AttendanceRule(), days_short=0, times_late=4).score == 98
    assert assess_attendance(AttendanceRule(), days_short=0, times_late=6).score == 98
    assert assess_attendance(AttendanceRule(), days_short=0, times_late=0).lines == (
        ScoreLine("full attendance", Decimal(100)),
    )
    rule = AttendanceRule(
        lateness=[
            LatenessBand(min_times=1, max_times=3, points=1),
            LatenessBand(min_times=4, max_times=None, points="2.5"),
        ],
        per_day_short="0.5",
    )
    s = assess_attendance(rule, days_short=3, times_late=9)
    assert str(s.score) == "96.0"
    assert [(x.item, x.points) for x in s.lines][1:] == [
        ("3 days short × 0.5", Decimal("-1.5")),
        ("late 9 times (band 4+)", Decimal("-2.5")),
    ]
    assert rule.band_for(0) is None
    assert rule.band_for(3) == rule.lateness[0]
    assert rule.band_for(4) == rule.band_for(400) == rule.lateness[1]


def test_the_rules_page_states_the_competency_defaults_the_presets_hold() -> None:
    """rules §3.2: where the source is illegible, the default is documented, not invented."""
    page = " ".join(RULES_PAGE.read_text(encoding="utf-8").split())
    analysis = load_preset("rebate_competency_analysis", DescriptorScale)
    communication = load_preset("rebate_competency_communication", DescriptorScale)
    a = {d.level: d.points for d in analysis.descriptors}
    c = {d.level: d.points for d in communication.descriptors}
    assert (a["top"], a["strong"], a["fair"], a["weak"]) == (5, 4, 3, 2)
    assert (c["many techniques"], c["resolves conflicts"]) == (6, Decimal("5.5"))
    assert (c["some persuasion"], c["clear"]) == (5, 4)
    assert "top 5, 较强 4, 较弱 2" in page
    assert "5.5 for resolving conflicts, 4 for expressing ideas clearly" in page
    assert "一般 (3 points)" in page
    assert "uses many techniques flexibly (6 points)" in page
    # the two communication levels are separate, as the source writes them
    assert "resolves conflicts effectively (能有效地化解矛盾)" in page
    assert "some persuasion (有一定的说服能力, 5 points)" in page
