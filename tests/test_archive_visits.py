"""Calls, presentations, visits and the monthly visit plan."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.archive import (
    SOURCE_VISIT_POLICY,
    Action,
    BuyingRole,
    CallPlan,
    CallSummary,
    Contact,
    Dossier,
    GradeCadence,
    MonthlyPlan,
    Participant,
    PeriodTargets,
    PresentationPlan,
    Question,
    Visit,
    VisitLevel,
    VisitPlan,
    VisitPolicy,
    monthly_plan,
    plan_call,
    plan_presentation,
    plan_visits,
    record_visit,
    summarise_call,
)
from kamcore.calendar import Period, PeriodKind, TenDay
from kamcore.errors import PolicyError, RecordInvalid, ValidationError
from kamcore.money import Money
from kamcore.presets import load_preset

T = datetime(2026, 3, 9, 10, tzinfo=UTC)
ACCOUNT = Dossier(
    id="K-1",
    name="华东水务",
    grade="A",
    contacts=(
        Contact(id="wang", name="王总", title="总经理", buying_role=BuyingRole.ECONOMIC_BUYER),
        Contact(id="liu", name="刘工", buying_role=BuyingRole.TECHNICAL),
    ),
)


def _call(**overrides: Any) -> CallPlan:
    args: dict[str, Any] = {
        "plan_id": "CP-1",
        "executive": "周总",
        "at": T,
        "purpose": "confirm the pilot budget",
        "theirs": [Participant("", contact_id="wang")],
        "ours": [Participant("周总", "总经理", "sponsor")],
        "agenda": ["pilot results", "budget"],
        "questions": [Question("Who signs?", "to find the process")],
        **overrides,
    }
    return plan_call(ACCOUNT, **args)


def test_a_call_plan_fills_in_the_accounts_people_from_the_dossier() -> None:
    plan = _call(
        obstacles=["rival's price"],
        views_to_influence=["we are too expensive"],
        business_value="2m order",
        political_value="sponsor gains visibility",
    )
    (wang,) = plan.theirs
    assert (wang.name, wang.title, wang.buying_role) == (
        "王总",
        "总经理",
        BuyingRole.ECONOMIC_BUYER,
    )
    assert plan.dossier_id == "K-1"
    assert codec.from_dict(CallPlan, codec.to_dict(plan)) == plan


def test_an_unknown_contact_in_a_call_plan_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown contact") as caught:
        _call(theirs=[Participant("赵总", contact_id="zhao")])
    assert caught.value.field == "theirs[0].contact"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"purpose": " "}, "purpose"),
        ({"executive": ""}, "executive"),
        ({"plan_id": ""}, "plan_id"),
        ({"at": datetime(2026, 3, 9)}, "at"),  # noqa: DTZ001
        ({"agenda": ["ok", ""]}, "agenda[1]"),
        ({"theirs": ["wang"]}, "theirs[0]"),
    ],
)
def test_a_malformed_call_plan_is_refused(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _call(**overrides)
    assert caught.value.field == field


def test_a_call_summary_records_commitments_actions_and_assessments() -> None:
    s = summarise_call(
        _call(),
        happened="budget confirmed for Q2",
        commitments=["send the pilot report"],
        actions=[Action("draft the contract", "小李", date(2026, 3, 20))],
        supporter_assessment="王总 is now for us",
        manager_assessment="go to bidding",
    )
    assert (s.plan_id, s.actions[0].who) == ("CP-1", "小李")
    assert codec.from_dict(CallSummary, codec.to_dict(s)) == s
    with pytest.raises(ValidationError):
        summarise_call(_call(), happened="")


def test_a_presentation_plan_shows_the_audience_with_buying_roles() -> None:
    p = plan_presentation(
        ACCOUNT,
        on="2026-03-15",
        purpose="technical solution",
        participants=[Participant("", contact_id="liu")],
        business_arguments=["cuts leakage 8%"],
        political_arguments=["刘工 leads the tender committee"],
    )
    assert p.participants[0].buying_role is BuyingRole.TECHNICAL
    assert codec.from_dict(PresentationPlan, codec.to_dict(p)) == p
    with pytest.raises(ValidationError):
        plan_presentation(
            ACCOUNT,
            on="2026-03-15",
            purpose="x",
            participants=[Participant("x", contact_id="nobody")],
        )


@pytest.mark.parametrize("level", list(VisitLevel))
def test_visits_run_on_three_levels(level: VisitLevel) -> None:
    v = record_visit(ACCOUNT, on="2026-03-02", level=level.value, by="小李", met=["wang"])
    assert v.level is level
    assert codec.from_dict(Visit, codec.to_dict(v)) == v
    assert [lv.zh for lv in VisitLevel] == ["领导层面", "技术层面", "业务层面"]


def test_a_visit_to_an_unknown_contact_or_level_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        record_visit(ACCOUNT, on="2026-03-02", level="business", by="x", met=["wang", "zhao"])
    assert caught.value.field == "met[1].contact"
    with pytest.raises(ValidationError):
        record_visit(ACCOUNT, on="2026-03-02", level="social", by="x")


grades = st.sampled_from(["A", "B", "C", "D", "E"])
#: The source cadence, with E listed explicitly at no visits.
WITH_E = VisitPolicy(cadence=[*SOURCE_VISIT_POLICY.cadence, GradeCadence("E", 0)])


@given(st.lists(grades, max_size=12), st.integers(1, 12))
def test_the_visit_plan_puts_a_and_b_first_and_follows_the_cadence(
    labels: list[str], month: int
) -> None:
    accounts = [Dossier(id=f"K-{i:02d}", name="x", grade=g) for i, g in enumerate(labels)]
    unlisted = [f"dossiers[{i}].grade" for i, g in enumerate(labels) if g == "E"]
    if unlisted:
        with pytest.raises(RecordInvalid) as caught:
            plan_visits(SOURCE_VISIT_POLICY, accounts, year=2026, month=month)
        assert [e.field for e in caught.value.errors] == unlisted
    policy = WITH_E if unlisted else SOURCE_VISIT_POLICY
    plan = plan_visits(policy, accounts, year=2026, month=month)
    for d in accounts:
        got = sum(1 for v in plan.visits if v.dossier_id == d.id)
        assert got == policy.visits_for(d.grade)
    for part in TenDay:
        ranks = [policy.rank(v.grade) for v in plan.in_period(part)]
        assert ranks == sorted(ranks)
        assert all(v.period.start.month == month for v in plan.in_period(part))
    total = sum(n for _, n in plan.counts().values())
    assert total == len(plan.visits)
    assert codec.from_dict(VisitPlan, codec.to_dict(plan)) == plan


@pytest.mark.parametrize("grade", ["金牌", "", "a"])
def test_an_account_whose_grade_has_no_cadence_is_refused_by_name(grade: str) -> None:
    accounts = [ACCOUNT, Dossier(id="K-X", name="x", grade=grade)]
    with pytest.raises(ValidationError) as caught:
        plan_visits(SOURCE_VISIT_POLICY, accounts, year=2026, month=3)
    (error,) = caught.value.errors  # type: ignore[attr-defined]
    assert (error.field, error.value) == ("dossiers[1].grade", grade)
    assert "K-X" in str(caught.value)
    assert "'A', 'B', 'C', 'D'" in error.expected
    listed = VisitPolicy(cadence=[*SOURCE_VISIT_POLICY.cadence, GradeCadence(grade, 0)])
    plan = plan_visits(listed, accounts, year=2026, month=3)
    assert {v.dossier_id for v in plan.visits} == {ACCOUNT.id}


def test_an_a_account_is_visited_in_every_ten_day_period() -> None:
    plan = plan_visits(SOURCE_VISIT_POLICY, [ACCOUNT], year=2026, month=2)
    assert plan.counts() == {
        "2026年2月上旬": (1, 1),
        "2026年2月中旬": (1, 1),
        "2026年2月下旬": (1, 1),
    }
    busy = VisitPolicy(cadence=[GradeCadence("A", 5)], priority_grades=["A"])
    parts = [v.period.label for v in plan_visits(busy, [ACCOUNT], year=2026, month=2).visits]
    assert parts == [
        "2026-02-early",
        "2026-02-early",
        "2026-02-middle",
        "2026-02-middle",
        "2026-02-late",
    ]


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"cadence": [GradeCadence("A", 1), GradeCadence("A", 2)]}, "cadence[1]"),
        ({"cadence": [GradeCadence("A", 31)], "priority_grades": ["A"]}, "cadence[0]"),
        ({"cadence": [GradeCadence("A", 1)], "priority_grades": ["A", "B"]}, "priority_grades[1]"),
    ],
)
def test_an_inconsistent_visit_policy_is_refused(kwargs: dict[str, Any], part: str) -> None:
    with pytest.raises(PolicyError) as caught:
        VisitPolicy(**kwargs)
    assert caught.value.part == part


def test_the_visit_policy_round_trips_and_the_preset_matches() -> None:
    assert codec.from_dict(VisitPolicy, codec.to_dict(SOURCE_VISIT_POLICY)) == SOURCE_VISIT_POLICY
    assert load_preset("archive_visits_source", VisitPolicy) == SOURCE_VISIT_POLICY


def test_a_monthly_plan_splits_targets_over_the_three_ten_day_periods() -> None:
    others = [Dossier(id="K-2", name="b", grade="B"), ACCOUNT]
    visits = plan_visits(SOURCE_VISIT_POLICY, others, year=2026, month=4)
    month = monthly_plan(
        visits,
        signings=(1, 0, 2),
        products=(3, 1, 0),
        signed_total=(Money("100000"), 0, "50000.50"),
        receivables=("20000", "0", Decimal("5000")),
    )
    assert [(p.period.zh_label, p.accounts, p.visits) for p in month.periods] == [
        ("2026年4月上旬", 2, 2),
        ("2026年4月中旬", 2, 2),
        ("2026年4月下旬", 1, 1),
    ]
    t = month.total()
    assert (t.accounts, t.visits, t.signings, t.products) == (2, 5, 3, 4)
    assert (t.signed_total, t.receivables) == (Money("150000.50"), Money("25000"))
    assert codec.from_dict(MonthlyPlan, codec.to_dict(month)) == month
    no_distinct = attrs.evolve(month, accounts=None)
    assert no_distinct.total().accounts == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"signings": (1, 2)},
        {"products": "123"},
        {"signed_total": (1.5, 0, 0)},
        {"signings": (-1, 0, 0)},
        {"receivables": (Money(1, "USD"), 0, 0)},
    ],
)
def test_a_malformed_monthly_plan_is_refused(kwargs: dict[str, Any]) -> None:
    visits = plan_visits(SOURCE_VISIT_POLICY, [ACCOUNT], year=2026, month=4)
    with pytest.raises(ValidationError):
        monthly_plan(visits, **kwargs)


def test_a_monthly_plan_must_cover_the_month_in_order() -> None:
    month = Period.month(2026, 4)
    parts = [PeriodTargets(p) for p in month.split(PeriodKind.TEN_DAY)]
    with pytest.raises(ValidationError, match="three ten-day periods"):
        MonthlyPlan(month, parts[::-1])
