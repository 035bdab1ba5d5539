from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import strategies as kst
from kamcore.calendar import (
    ANNUAL_ARCHIVING,
    QUARTERLY_ARCHIVING,
    Period,
    PeriodKind,
    ReviewCycle,
    TenDay,
    YearlySchedule,
    as_date,
)
from kamcore.errors import ValidationError

_SPLITS = [
    (PeriodKind.MONTH, PeriodKind.TEN_DAY),
    (PeriodKind.QUARTER, PeriodKind.MONTH),
    (PeriodKind.QUARTER, PeriodKind.TEN_DAY),
    (PeriodKind.YEAR, PeriodKind.QUARTER),
    (PeriodKind.YEAR, PeriodKind.MONTH),
]


@given(kst.dates(), st.sampled_from(_SPLITS))
def test_periods_tile_their_parent_with_no_gap_or_overlap(
    day: date, kinds: tuple[PeriodKind, PeriodKind]
) -> None:
    outer_kind, inner_kind = kinds
    outer = Period.containing(day, outer_kind)
    parts = outer.split(inner_kind)
    assert parts[0].start == outer.start
    assert parts[-1].end == outer.end
    for a, b in itertools.pairwise(parts):
        assert a.end == b.start
        assert not a.overlaps(b)
    assert sum(p.days for p in parts) == outer.days
    assert all(p.kind is inner_kind for p in parts)


@given(kst.dates(), kst.period_kinds())
def test_a_day_falls_in_exactly_one_period_of_each_kind(day: date, kind: PeriodKind) -> None:
    p = Period.containing(day, kind)
    assert day in p
    assert day not in p.next()
    assert day not in p.previous()
    assert p.next().previous() == p
    assert p.previous().next() == p
    assert p.next().start == p.end


@given(kst.periods())
def test_labels_parse_back_to_the_same_period(p: Period) -> None:
    assert Period.parse(p.label) == p
    assert Period.parse(str(p)) == p
    assert eval(repr(p), {"Period": Period}) == p


def test_ten_day_periods_follow_the_source() -> None:
    feb = Period.month(2028, 2)
    early, middle, late = feb.split(PeriodKind.TEN_DAY)
    assert (early.start.day, early.last_day.day) == (1, 10)
    assert (middle.start.day, middle.last_day.day) == (11, 20)
    assert (late.start.day, late.last_day.day) == (21, 29)  # leap year
    assert late.zh_label == "2028年2月下旬"
    assert Period.ten_day(2026, 3, "上旬") == Period.ten_day(2026, 3, TenDay.EARLY)
    assert TenDay.of(date(2026, 3, 20)) is TenDay.MIDDLE
    assert [t.zh for t in TenDay] == ["上旬", "中旬", "下旬"]


def test_labels_in_both_languages() -> None:
    assert Period.quarter(2026, 2).label == "2026-Q2"
    assert Period.quarter(2026, 2).zh_label == "2026年第2季度"
    assert Period.year(2026).zh_label == "2026年"
    assert Period.month(2026, 11).zh_label == "2026年11月"
    custom = Period(date(2026, 3, 5), date(2026, 4, 1))
    assert custom.label == "2026-03-05..2026-04-01"
    assert custom.zh_label == "2026-03-05至2026-03-31"
    assert repr(custom) == "Period('2026-03-05', '2026-04-01')"
    assert Period("2026-03-05", "2026-04-01") == custom


def test_custom_periods_step_by_their_own_length() -> None:
    week = Period(date(2026, 3, 2), date(2026, 3, 9))
    assert week.next() == Period(date(2026, 3, 9), date(2026, 3, 16))
    assert week.previous() == Period(date(2026, 2, 23), date(2026, 3, 2))
    assert list(week.dates())[-1] == date(2026, 3, 8)
    assert week.days == 7


@pytest.mark.parametrize(
    "build",
    [
        lambda: Period(date(2026, 3, 1), date(2026, 3, 1)),
        lambda: Period(date(2026, 3, 2), date(2026, 3, 1)),
        lambda: Period("2026-02-30", "2026-03-01"),
        lambda: Period.month(2026, 13),
        lambda: Period.quarter(2026, 5),
        lambda: Period.year(0),
        lambda: Period.month(True, 1),  # type: ignore[arg-type]
        lambda: Period.ten_day(2026, 1, "soon"),
        lambda: Period.parse("2026-13"),
        lambda: Period.parse("next month"),
        lambda: Period.parse(202603),  # type: ignore[arg-type]
        lambda: Period.containing(date(2026, 1, 1), PeriodKind.CUSTOM),
        lambda: Period.month(2026, 3).split(PeriodKind.QUARTER),
        lambda: Period(date(2026, 3, 1), date(2026, 3, 15)).split(PeriodKind.TEN_DAY),
        lambda: as_date(20260301),
        lambda: as_date("2026-3-1x"),
    ],
)
def test_bad_period_input_is_a_validation_error(build: object) -> None:
    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]
    assert "expected" in str(info.value)


def test_datetimes_are_refused_as_dates() -> None:
    from datetime import datetime

    with pytest.raises(ValidationError):
        as_date(datetime(2026, 1, 1))  # noqa: DTZ001


def test_periods_order_by_start_then_end() -> None:
    a, b = Period.month(2026, 1), Period.month(2026, 2)
    assert sorted([b, a]) == [a, b]
    assert Period.year(2026) > Period.month(2026, 1)
    assert "2026-01-01" not in a  # only dates are contained


# -- review cycles and schedules ------------------------------------------------------


def test_review_every_two_months_clamps_month_ends_without_drift() -> None:
    cycle = ReviewCycle(anchor=date(2026, 1, 31))
    dues = cycle.due_dates(date(2026, 1, 1), date(2027, 1, 1))
    assert dues == (
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
        date(2026, 7, 31),
        date(2026, 9, 30),
        date(2026, 11, 30),
    )
    assert ReviewCycle(anchor=date(2025, 12, 31)).next_due(date(2026, 1, 1)) == date(2026, 2, 28)


@given(kst.review_cycles(), kst.dates())
def test_next_and_previous_due_bracket_any_day(cycle: ReviewCycle, day: date) -> None:
    nxt = cycle.next_due(day)
    prev = cycle.previous_due(day)
    assert prev <= day <= nxt
    # nothing is due strictly between them
    assert cycle.due_dates(prev + timedelta(days=1), nxt) == ()
    assert cycle.due_dates(prev, nxt + timedelta(days=1))[0] == prev
    assert (nxt - prev).days <= 31 * cycle.months


@given(kst.review_cycles(), kst.dates(), st.integers(1, 800))
def test_due_dates_lie_in_the_range_in_order(cycle: ReviewCycle, start: date, span: int) -> None:
    end = start + timedelta(days=span)
    dues = cycle.due_dates(start, end)
    assert all(start <= d < end for d in dues)
    assert list(dues) == sorted(set(dues))
    if dues:
        assert cycle.next_due(start) == dues[0]


def test_overdue_reviews() -> None:
    cycle = ReviewCycle(anchor=date(2026, 1, 15), months=2)
    assert not cycle.is_overdue(last_review=date(2026, 1, 15), as_of=date(2026, 3, 15))
    assert cycle.is_overdue(last_review=date(2026, 1, 15), as_of=date(2026, 3, 16))
    assert cycle.is_overdue(last_review=None, as_of=date(2026, 1, 16))
    assert not cycle.is_overdue(last_review=None, as_of=date(2026, 1, 15))


@pytest.mark.parametrize("months", [0, -2, 121, True])
def test_a_review_cycle_needs_a_sensible_length(months: object) -> None:
    with pytest.raises(ValidationError):
        ReviewCycle(anchor=date(2026, 1, 1), months=months)  # type: ignore[arg-type]


def test_archiving_schedules_follow_the_source() -> None:
    assert QUARTERLY_ARCHIVING.due_dates(date(2026, 1, 1), date(2027, 1, 1)) == (
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    )
    assert ANNUAL_ARCHIVING.next_due(date(2026, 2, 2)) == date(2027, 2, 1)
    monthly_report = YearlySchedule(months=tuple(range(1, 13)), day=5)
    assert monthly_report.next_due(date(2026, 12, 6)) == date(2027, 1, 5)
    assert YearlySchedule(months=[10, 1]).months == (1, 10)  # type: ignore[arg-type]


@given(kst.yearly_schedules(), kst.dates())
def test_yearly_schedule_next_due_is_in_a_listed_month(sched: YearlySchedule, day: date) -> None:
    due = sched.next_due(day)
    assert due >= day
    assert due.month in sched.months
    assert (due - day).days <= 366 + 31


@pytest.mark.parametrize(
    ("months", "day"), [((), 1), ((13,), 1), ((1, 1), 1), ((1,), 29), ((1,), 0), ("1", 1)]
)
def test_bad_yearly_schedules_are_refused(months: object, day: object) -> None:
    with pytest.raises(ValidationError):
        YearlySchedule(months=months, day=day)  # type: ignore[arg-type]
