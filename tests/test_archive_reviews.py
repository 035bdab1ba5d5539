"""Reviews and archiving periods: the two-monthly review, movers, archiving dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.archive import (
    SOURCE_REVIEW_POLICY,
    ArchivingKind,
    Dossier,
    MovementKind,
    Review,
    ReviewPolicy,
    archiving_due,
    as_of,
    create,
    movements,
    overdue_reviews,
    review,
    revise,
)
from kamcore.calendar import ANNUAL_ARCHIVING, QUARTERLY_ARCHIVING, ReviewCycle
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money
from kamcore.presets import load_preset
from kamcore.strategies import dates

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _dossier(key: str, volume: object = None) -> Dossier:
    d, _ = create(
        Dossier(id=key, name=key, business={"transaction_volume": volume}),  # type: ignore[arg-type]
        by="li",
        at=T0,
    )
    return d


def test_a_review_records_the_revision_reviewed() -> None:
    d = _dossier("K-1")
    r = review(d, on="2026-03-01", by="王经理", findings="ok")
    assert r == Review("K-1", date(2026, 3, 1), "王经理", 1, "ok")
    with pytest.raises(ValidationError):
        review(d, on="2026-03-01", by=" ")


def test_a_review_is_due_two_months_after_the_last_one_and_overdue_ones_are_listed() -> None:
    a, b, c = _dossier("K-A"), _dossier("K-B"), _dossier("K-C")  # created 2026-01-05
    reviews = [
        review(a, on=date(2026, 3, 1), by="x"),
        review(b, on=date(2026, 1, 10), by="x"),
        review(b, on=date(2026, 5, 1), by="x"),  # after as_of: ignored
    ]
    late = overdue_reviews(SOURCE_REVIEW_POLICY, [a, b, c], reviews, as_of=date(2026, 4, 10))
    assert [(o.dossier_id, o.last_review, o.due) for o in late] == [
        ("K-C", None, date(2026, 3, 5)),
        ("K-B", date(2026, 1, 10), date(2026, 3, 10)),
    ]
    fixed = ReviewPolicy(cycle_months=1, anchor="2026-01-01")
    assert [
        (o.dossier_id, o.due) for o in overdue_reviews(fixed, [a], reviews, as_of="2026-04-10")
    ] == [("K-A", date(2026, 4, 1))]


def test_the_due_date_does_not_jump_at_new_year() -> None:
    d = _dossier("K")
    policy = ReviewPolicy(cycle_months=5)
    reviews = [review(d, on=date(2026, 11, 2), by="x")]
    for day in (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 5), date(2027, 4, 2)):
        assert overdue_reviews(policy, [d], reviews, as_of=day) == ()
    (late,) = overdue_reviews(policy, [d], reviews, as_of=date(2027, 4, 3))
    assert (late.last_review, late.due) == (date(2026, 11, 2), date(2027, 4, 2))


def test_a_dossier_never_reviewed_is_due_a_cycle_after_its_creation() -> None:
    created = datetime(2026, 12, 20, 9, tzinfo=UTC)
    d, _ = create(Dossier(id="K-NEW", name="新客户"), by="li", at=created)
    assert d.created_at == created
    for day in (date(2027, 1, 1), date(2027, 1, 2), date(2027, 2, 20)):
        assert overdue_reviews(SOURCE_REVIEW_POLICY, [d], [], as_of=day) == ()
    (late,) = overdue_reviews(SOURCE_REVIEW_POLICY, [d], [], as_of=date(2027, 2, 21))
    assert (late.last_review, late.due) == (None, date(2027, 2, 20))


def test_a_dossier_never_recorded_and_never_reviewed_is_refused() -> None:
    with pytest.raises(ValidationError, match="no creation date") as caught:
        overdue_reviews(SOURCE_REVIEW_POLICY, [Dossier(id="K", name="k")], [], as_of="2026-03-01")
    assert caught.value.field == "dossiers[0].created_at"


@given(
    last=dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    gap=st.integers(0, 400),
    months=st.integers(1, 12),
)
def test_a_review_is_overdue_exactly_when_the_cycle_since_the_last_one_has_passed(
    last: date, gap: int, months: int
) -> None:
    d = _dossier("K")
    day = last + timedelta(days=gap)
    policy = ReviewPolicy(cycle_months=months)
    late = overdue_reviews(policy, [d], [review(d, on=last, by="x")], as_of=day)
    due = ReviewCycle(anchor=last, months=months).due_dates(last + timedelta(days=1), day)
    assert bool(late) == bool(due)
    assert all(o.due == policy.next_due(last_review=last, created=last) for o in late)


@given(
    last=dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), gap=st.integers(0, 200)
)
def test_with_a_fixed_anchor_a_review_is_overdue_when_an_anchored_date_passed(
    last: date, gap: int
) -> None:
    d = _dossier("K")
    day = last + timedelta(days=gap)
    policy = ReviewPolicy(anchor=date(2026, 1, 1))
    late = overdue_reviews(policy, [d], [review(d, on=last, by="x")], as_of=day)
    passed = policy.cycle(date(2026, 1, 1)).due_dates(last + timedelta(days=1), day)
    assert bool(late) == bool(passed)


def test_accounts_that_grew_fast_or_were_lost_since_the_last_review_are_flagged() -> None:
    then = [
        _dossier("grow", Money(100)),
        _dossier("steady", Money(100)),
        _dossier("lost", Money(100)),
        _dossier("gone", Money(100)),
        _dossier("new", None),
    ]
    now = [
        revise(
            then[0], {"business.transaction_volume": Money(130)}, by="x", at=T0, reason="new line"
        )[0],
        revise(then[1], {"business.transaction_volume": Money(110)}, by="x", at=T0)[0],
        revise(
            then[2], {"business.transaction_volume": Money(50)}, by="x", at=T0, reason="competitor"
        )[0],
        revise(then[3], {"business.transaction_volume": None}, by="x", at=T0, reason="closed")[0],
        revise(then[4], {"business.transaction_volume": Money(500)}, by="x", at=T0)[0],
        _dossier("unseen", Money(1)),
    ]
    flags = movements(SOURCE_REVIEW_POLICY, then, now)
    assert [(f.dossier_id, f.kind, f.change) for f in flags] == [
        ("grow", MovementKind.GREW_FAST, Decimal("0.3")),
        ("lost", MovementKind.LOST, Decimal("-0.5")),
        ("gone", MovementKind.LOST, Decimal(-1)),
    ]


def test_movements_compare_the_dossier_as_of_the_last_review() -> None:
    d, r1 = create(
        Dossier(id="K", name="k", business={"transaction_volume": Money(100)}),  # type: ignore[arg-type]
        by="li",
        at=T0,
    )
    d2, r2 = revise(
        d,
        {"business.transaction_volume": Money(300)},
        by="li",
        at=T0 + timedelta(days=40),
        reason="new plant",
    )
    last_review = date(2026, 1, 31)
    (flag,) = movements(SOURCE_REVIEW_POLICY, [as_of([r1, r2], last_review)], [d2])
    assert (flag.kind, flag.before, flag.after) == (MovementKind.GREW_FAST, 100, 300)


def test_a_currency_change_of_the_measure_is_refused() -> None:
    d = _dossier("K", Money(100))
    now = revise(d, {"business.transaction_volume": Money(100, "USD")}, by="x", at=T0, reason="x")[
        0
    ]
    with pytest.raises(ValidationError, match="currency changed"):
        movements(SOURCE_REVIEW_POLICY, [d], [now])


def test_a_decimal_measure_can_be_watched() -> None:
    policy = ReviewPolicy(measure="business.competitor_share")
    d, _ = create(
        Dossier(id="K", name="k", business={"competitor_share": "0.5"}),  # type: ignore[arg-type]
        by="x",
        at=T0,
    )
    now = revise(d, {"business.competitor_share": Decimal("0.7")}, by="x", at=T0)[0]
    assert movements(policy, [d], [now])[0].kind is MovementKind.GREW_FAST


def test_archiving_is_due_quarterly_in_jan_apr_jul_oct_and_annually_in_february() -> None:
    dues = archiving_due(date(2026, 1, 1), date(2027, 1, 1))
    quarterly = [d.on for d in dues if d.kind is ArchivingKind.QUARTERLY]
    annual = [d.on for d in dues if d.kind is ArchivingKind.ANNUAL]
    assert quarterly == list(QUARTERLY_ARCHIVING.due_dates(date(2026, 1, 1), date(2027, 1, 1)))
    assert annual == list(ANNUAL_ARCHIVING.due_dates(date(2026, 1, 1), date(2027, 1, 1)))
    assert [d.on.month for d in dues] == [1, 2, 4, 7, 10]


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"cycle_months": 0}, "cycle_months"),
        ({"cycle_months": True}, "cycle_months"),
        ({"measure": "basic.payment_terms"}, "measure"),
        ({"measure": "nope"}, "measure"),
        ({"fast_growth": 0}, "fast_growth"),
        ({"loss": Decimal("1.5")}, "loss"),
        ({"quarterly_months": (1, 13)}, "quarterly_months"),
    ],
)
def test_an_inconsistent_review_policy_is_refused(kwargs: dict[str, Any], part: str) -> None:
    with pytest.raises(PolicyError) as caught:
        ReviewPolicy(**kwargs)
    assert caught.value.part == part


def test_review_months_must_be_a_list() -> None:
    with pytest.raises(ValidationError):
        ReviewPolicy(annual_months=2)  # type: ignore[arg-type]


def test_the_review_policy_round_trips_and_the_preset_matches() -> None:
    assert (
        codec.from_dict(ReviewPolicy, codec.to_dict(SOURCE_REVIEW_POLICY)) == SOURCE_REVIEW_POLICY
    )
    assert load_preset("archive_reviews_source", ReviewPolicy) == SOURCE_REVIEW_POLICY
    r = review(_dossier("K"), on="2026-01-01", by="x")
    assert codec.from_dict(Review, codec.to_dict(r)) == r
