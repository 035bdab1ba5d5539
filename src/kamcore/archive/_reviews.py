"""Reviews and archiving periods (动态管理): the two-monthly review, movers, archiving dates.

* A full review of every dossier is due every two months (:class:`ReviewPolicy`,
  ``cycle_months``) after its last review, or after it was created when it was never
  reviewed; a company that reviews on fixed dates sets the policy's ``anchor``.
  :func:`overdue_reviews` lists the dossiers whose review is overdue on a date, given the
  :class:`Review` records made.
* Accounts that grew fast or were lost since the last review are flagged by
  :func:`movements`, comparing a watched figure (transaction volume by default) before
  and after; the thresholds are part of the policy.
* Archiving is due quarterly (January, April, July, October) and annually (February):
  :func:`archiving_due` lists the dates in a range.

Examples:
    >>> from datetime import date
    >>> [(d.on.isoformat(), d.kind.value) for d in archiving_due(date(2026, 1, 1), date(2026, 5, 1))]
    [('2026-01-01', 'quarterly'), ('2026-02-01', 'annual'), ('2026-04-01', 'quarterly')]
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs

from kamcore._labels import Labelled
from kamcore._validate import checked_field, day, decimal_in, sequence, text
from kamcore.archive._checks import instance, instances
from kamcore.archive._dossier import Dossier
from kamcore.archive._revisions import _PATH_TYPES, _get
from kamcore.calendar import ReviewCycle, YearlySchedule
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money

__all__ = [
    "SOURCE_REVIEW_POLICY",
    "ArchivingDue",
    "ArchivingKind",
    "Movement",
    "MovementKind",
    "OverdueReview",
    "Review",
    "ReviewPolicy",
    "archiving_due",
    "movements",
    "overdue_reviews",
    "review",
]

_NUMERIC_TYPES: Final = (Money | None, Decimal | None)


@attrs.frozen
class ReviewPolicy:
    """When dossiers are reviewed and archived, and what counts as a mover.

    Args:
        cycle_months: A full review every this many months (2 in the source).
        anchor: ``None`` (default): the next review is due ``cycle_months`` after the
            last one (after the dossier's creation when it was never reviewed). A date:
            reviews fall on fixed dates, ``anchor + k × cycle_months``, and the next one
            is the first such date after the last review (on or after the creation).
        measure: The numeric field compared between reviews.
        fast_growth: A rise of this fraction or more is fast growth (``0.3`` = 30%).
        loss: A fall of this fraction or more (or to nothing) is a lost account.
        quarterly_months: Months of quarterly archiving (季度归档).
        annual_months: Months of annual archiving (年度归档).

    Raises:
        PolicyError: A cycle outside 1–12 months, a measure that is not a number,
            thresholds not above zero (loss at most 1), or bad archiving months.
    """

    cycle_months: int = 2
    anchor: date | None = checked_field(day, default=None, optional=True)
    measure: str = checked_field(text, default="business.transaction_volume")
    fast_growth: Decimal = checked_field(decimal_in, default=Decimal("0.3"))
    loss: Decimal = checked_field(decimal_in, default=Decimal("0.5"))
    quarterly_months: tuple[int, ...] = checked_field(sequence, default=(1, 4, 7, 10))
    annual_months: tuple[int, ...] = checked_field(sequence, default=(2,))

    def __attrs_post_init__(self) -> None:
        def fail(part: str, message: str) -> PolicyError:
            return PolicyError(message, policy="ReviewPolicy", part=part)

        if (
            isinstance(self.cycle_months, bool)
            or not isinstance(self.cycle_months, int)
            or not 1 <= self.cycle_months <= 12
        ):
            raise fail("cycle_months", f"must be 1–12 months, got {self.cycle_months!r}")
        if _PATH_TYPES.get(self.measure) not in _NUMERIC_TYPES:
            raise fail("measure", f"{self.measure!r} is not a numeric dossier field")
        if self.fast_growth <= 0:
            raise fail("fast_growth", "must be above zero")
        if not 0 < self.loss <= 1:
            raise fail("loss", "must be above zero and at most 1 (100%)")
        for part in ("quarterly_months", "annual_months"):
            try:
                YearlySchedule(months=getattr(self, part))
            except ValidationError as exc:
                raise fail(part, exc.expected) from None

    def cycle(self, anchor: date) -> ReviewCycle:
        """The review cycle from ``anchor``."""
        return ReviewCycle(anchor=anchor, months=self.cycle_months)

    def next_due(self, *, last_review: date | None, created: date) -> date:
        """When the next full review of a dossier is due.

        Args:
            last_review: The day of its last review (``None``: never reviewed).
            created: The day the dossier was created.

        Returns:
            ``cycle_months`` after the last review (or after ``created``), month ends
            clamped (31 December + 2 months is 28/29 February); with a fixed ``anchor``,
            the first anchored date after the last review (on or after ``created``).

        Examples:
            >>> ReviewPolicy(cycle_months=5).next_due(
            ...     last_review=date(2026, 11, 2), created=date(2026, 1, 5))
            datetime.date(2027, 4, 2)
            >>> ReviewPolicy(anchor=date(2026, 1, 1)).next_due(
            ...     last_review=None, created=date(2026, 2, 10))
            datetime.date(2026, 3, 1)
        """
        if self.anchor is not None:
            cycle = self.cycle(self.anchor)
            if last_review is None:
                return cycle.next_due(created)
            return cycle.next_due(last_review + timedelta(days=1))
        since = last_review if last_review is not None else created
        return self.cycle(since).next_due(since + timedelta(days=1))


#: The source rule: a full review every two months; movers at +30% / −50% (defaults).
SOURCE_REVIEW_POLICY: Final = ReviewPolicy()


@attrs.frozen
class Review:
    """A review of a dossier (档案检查): when, by whom, which revision, what was found."""

    dossier_id: str
    on: date
    by: str
    revision: int
    findings: str = ""


def review(dossier: Dossier, *, on: date | str, by: str, findings: str = "") -> Review:
    """Record that ``dossier`` (as it stands) was reviewed.

    Raises:
        ValidationError: A bad date or no reviewer.
    """
    instance(dossier, Dossier, "dossier")
    by = text(by, "by", expected="who reviewed")
    return Review(dossier.id, day(on), by, dossier.revision, findings)


@attrs.frozen
class OverdueReview:
    """A dossier whose review is overdue: its last review (if any) and when one was due.

    Attributes:
        dossier_id: The dossier.
        last_review: The day of its last review, ``None`` if never reviewed.
        due: The day a review was due.
        days_overdue: Days from ``due`` to the day judged on (at least 1).
    """

    dossier_id: str
    last_review: date | None
    due: date
    days_overdue: int = 0


def overdue_reviews(
    policy: ReviewPolicy,
    dossiers: Iterable[Dossier],
    reviews: Iterable[Review],
    *,
    as_of: date | str,
) -> tuple[OverdueReview, ...]:
    """The dossiers whose full review is overdue on ``as_of``, most overdue first.

    A review is overdue when its due date (:meth:`ReviewPolicy.next_due`: from the last
    review, or from the dossier's creation when it was never reviewed) is before
    ``as_of``; on the due day itself it is not overdue yet.

    Args:
        policy: The review policy.
        dossiers: The dossiers that should be reviewed.
        reviews: The reviews made (any order; later than ``as_of`` are ignored).
        as_of: The day to judge on.

    Raises:
        ValidationError: A dossier never reviewed has no creation date (it was never
            recorded with ``create``).
    """
    instance(policy, ReviewPolicy, "policy")
    dossiers = instances(dossiers, Dossier, "dossiers")
    reviews = instances(reviews, Review, "reviews")
    today = day(as_of, "as_of")
    last: dict[str, date] = {}
    for r in reviews:
        if r.on <= today and (r.dossier_id not in last or r.on > last[r.dossier_id]):
            last[r.dossier_id] = r.on
    out: list[OverdueReview] = []
    for i, d in enumerate(dossiers):
        seen = last.get(d.id)
        if seen is None and d.created_at is None:
            raise ValidationError(
                field=f"dossiers[{i}].created_at",
                value=d.id,
                expected="a recorded dossier (made by create(), or read from a store)",
                problem="never reviewed and no creation date, so no review can be due",
            )
        created = d.created_at.date() if d.created_at is not None else today
        due = policy.next_due(last_review=seen, created=created)
        if due < today:
            out.append(OverdueReview(d.id, seen, due, (today - due).days))
    return tuple(sorted(out, key=lambda o: (o.due, o.dossier_id)))


class MovementKind(Labelled):
    """How an account moved since the last review; ``.zh`` is its Chinese name."""

    GREW_FAST = "grew_fast", "快速增长"
    """快速增长."""
    LOST = "lost", "流失"
    """流失."""


@attrs.frozen
class Movement:
    """An account flagged for analysis: how it moved and by how much (a fraction)."""

    dossier_id: str
    kind: MovementKind
    before: Decimal
    after: Decimal
    change: Decimal


def _figure(dossier: Dossier, path: str) -> tuple[Decimal, str] | None:
    value = _get(dossier, path)
    if isinstance(value, Money):
        return value.amount, value.currency
    if isinstance(value, Decimal):
        return value, ""
    return None


def movements(
    policy: ReviewPolicy, before: Iterable[Dossier], after: Iterable[Dossier]
) -> tuple[Movement, ...]:
    """Flag accounts that grew fast or were lost between two sets of the same dossiers.

    ``before`` is typically each dossier as of its last review, ``after`` as it stands.
    An account without the figure before is not judged; an account whose figure is
    gone or zero after is lost.

    Raises:
        ValidationError: The figure changed currency.
    """
    instance(policy, ReviewPolicy, "policy")
    before = instances(before, Dossier, "before")
    after = instances(after, Dossier, "after")
    then = {d.id: d for d in before}
    out: list[Movement] = []
    for now in after:
        old = then.get(now.id)
        if old is None:
            continue
        a = _figure(old, policy.measure)
        if a is None or a[0] <= 0:
            continue
        b = _figure(now, policy.measure) or (Decimal(0), a[1])
        if b[1] != a[1]:
            raise ValidationError(
                field=f"{now.id}: {policy.measure}",
                value=b[1],
                expected=f"amounts in {a[1]} on both sides",
                problem="currency changed",
            )
        change = (b[0] - a[0]) / a[0]
        if change >= policy.fast_growth:
            out.append(Movement(now.id, MovementKind.GREW_FAST, a[0], b[0], change))
        elif -change >= policy.loss:
            out.append(Movement(now.id, MovementKind.LOST, a[0], b[0], change))
    return tuple(out)


class ArchivingKind(Labelled):
    """Quarterly (季度归档) or annual (年度归档) archiving; ``.zh`` is its Chinese name."""

    QUARTERLY = "quarterly", "季度归档"
    ANNUAL = "annual", "年度归档"


@attrs.frozen
class ArchivingDue:
    """An archiving date and its kind."""

    on: date
    kind: ArchivingKind


def archiving_due(
    start: date | str, end: date | str, policy: ReviewPolicy = SOURCE_REVIEW_POLICY
) -> tuple[ArchivingDue, ...]:
    """Every archiving date in ``[start, end)``, in date order (quarterly before annual)."""
    instance(policy, ReviewPolicy, "policy")
    first, stop = day(start, "start"), day(end, "end")
    dues = [
        ArchivingDue(d, ArchivingKind.QUARTERLY)
        for d in YearlySchedule(months=policy.quarterly_months).due_dates(first, stop)
    ]
    dues += [
        ArchivingDue(d, ArchivingKind.ANNUAL)
        for d in YearlySchedule(months=policy.annual_months).due_dates(first, stop)
    ]
    order = {ArchivingKind.QUARTERLY: 0, ArchivingKind.ANNUAL: 1}
    return tuple(sorted(dues, key=lambda d: (d.on, order[d.kind])))
