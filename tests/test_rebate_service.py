"""Service-quality targets and the monthly report deadline (rules §3.2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.calendar import Period
from kamcore.errors import PolicyError, ValidationError
from kamcore.presets import load_preset
from kamcore.rebate import (
    ReportRule,
    ServiceQuality,
    ServiceTargets,
    report_deadline,
    report_is_late,
    review_service,
)

SOURCE = load_preset("rebate_service_source", ServiceTargets)
REPORT = load_preset("rebate_report_source", ReportRule)


def test_the_presets_are_the_source_figures() -> None:
    assert ServiceTargets() == SOURCE
    assert (SOURCE.pass_rate, SOURCE.satisfaction, SOURCE.max_complaints) == (
        Decimal(1),
        Decimal("0.95"),
        1,
    )
    assert ReportRule() == REPORT
    assert codec.from_dict(ServiceTargets, codec.to_dict(SOURCE)) == SOURCE
    assert codec.from_dict(ReportRule, codec.to_dict(REPORT)) == REPORT


def test_satisfaction_rises_half_a_point_a_year_from_the_base_year() -> None:
    assert [SOURCE.satisfaction_target(y) for y in (2025, 2026, 2027, 2030)] == [
        Decimal("0.95"),
        Decimal("0.95"),
        Decimal("0.955"),
        Decimal("0.970"),
    ]
    assert SOURCE.satisfaction_target(2200) == 1  # never above 100%


@given(st.integers(1990, 2200), st.integers(1990, 2200))
def test_the_satisfaction_target_never_falls_and_stays_a_rate(a: int, b: int) -> None:
    early, late = sorted((a, b))
    assert SOURCE.satisfaction_target(early) <= SOURCE.satisfaction_target(late) <= 1


def test_a_year_is_checked_target_by_target() -> None:
    good = ServiceQuality(year=2027, pass_rate="1", satisfaction="0.955", complaints=1)
    assert review_service(SOURCE, good).met
    bad = ServiceQuality(year=2027, pass_rate="0.998", satisfaction="0.9549", complaints=2)
    review = review_service(SOURCE, bad)
    assert not review.met
    assert review.missed == ("pass_rate", "satisfaction", "complaints")
    assert [(c.target, c.actual) for c in review.checks] == [
        (Decimal(1), Decimal("0.998")),
        (Decimal("0.955"), Decimal("0.9549")),
        (Decimal(1), Decimal(2)),
    ]


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"pass_rate": "1.2"}, "pass_rate"),
        ({"satisfaction": "-0.1"}, "satisfaction"),
        ({"satisfaction_rise": "-0.005"}, "satisfaction_rise"),
        ({"max_complaints": -1}, "max_complaints"),
        ({"base_year": "2026"}, "base_year"),
    ],
)
def test_bad_targets_are_refused_naming_the_part(kwargs: dict[str, object], part: str) -> None:
    with pytest.raises(PolicyError) as info:
        ServiceTargets(**kwargs)  # type: ignore[arg-type]
    assert info.value.part == part


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pass_rate": "1.01"}, "pass_rate"),
        ({"complaints": -1}, "complaints"),
        ({"complaints": 1.5}, "complaints"),
        ({"year": "2026"}, "year"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "year": 2026,
        "pass_rate": "1",
        "satisfaction": "0.96",
        "complaints": 0,
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        ServiceQuality(**args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_before_the_fifth_means_the_fourth_unless_the_fifth_is_accepted() -> None:
    assert report_deadline(REPORT, "2026-03") == date(2026, 3, 4)
    assert not report_is_late(REPORT, "2026-03", submitted_on="2026-03-04")
    assert report_is_late(REPORT, "2026-03", submitted_on="2026-03-05")
    lenient = ReportRule(on_due_day=True)
    assert report_deadline(lenient, Period.month(2026, 2)) == date(2026, 2, 5)
    assert not report_is_late(lenient, "2026-02", submitted_on=date(2026, 2, 5))


@given(st.dates(date(2000, 1, 1), date(2099, 12, 1)), st.integers(1, 28), st.booleans())
def test_the_deadline_lies_in_its_month_and_separates_on_time_from_late(
    day: date, due: int, inclusive: bool
) -> None:
    if due == 1 and not inclusive:
        return  # refused: tested below
    rule = ReportRule(due_day=due, on_due_day=inclusive)
    month = Period.month(day.year, day.month)
    deadline = report_deadline(rule, month)
    assert deadline in month
    assert not report_is_late(rule, month, submitted_on=deadline)
    assert report_is_late(rule, month, submitted_on=deadline + timedelta(days=1))


def test_a_deadline_needs_a_month_and_a_rule_a_day_that_exists() -> None:
    with pytest.raises(ValidationError, match="not a month"):
        report_deadline(REPORT, "2026-Q1")
    with pytest.raises(PolicyError, match="no day of the month"):
        ReportRule(due_day=1)
    with pytest.raises(PolicyError, match="not a day from 1 to 28"):
        ReportRule(due_day=31)


def test_bad_inputs_name_their_field_or_part() -> None:
    with pytest.raises(ValidationError) as info:
        ServiceTargets(pass_rate="abc")
    assert info.value.field == "pass_rate"
    with pytest.raises(ValidationError) as info:
        ServiceQuality(year=2026, pass_rate="1", satisfaction=0.95, complaints=0)  # type: ignore[arg-type]
    assert info.value.field == "satisfaction"
    with pytest.raises(PolicyError) as rule:
        ServiceTargets(satisfaction_rise="2")
    assert rule.value.part == "satisfaction_rise"
    with pytest.raises(PolicyError) as rule:
        ReportRule(on_due_day="false")  # type: ignore[arg-type]
    assert rule.value.part == "on_due_day"
    with pytest.raises(ValidationError, match="expected a ServiceTargets"):
        review_service(None, None)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="expected a ReportRule"):
        report_deadline(None, "2026-03")  # type: ignore[arg-type]
