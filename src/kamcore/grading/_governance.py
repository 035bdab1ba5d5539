"""Grade governance (评级管理): approved manual grade overrides and why a grade is held.

:func:`override_grade` gives an account a grade by hand, with a reason, a requester,
a different approver and an expiry; recorded as an :class:`OverrideEvent` in the
re-grading's append-only :attr:`~kamcore.grading.Regrading.override_history`. At the
next re-grading an override due to lapse expires unless an :class:`OverrideReview`
keeps it (with a new approval) or drops it. :class:`GradeExplanation` says why an
account has its grade. Grade-migration matrices live in :mod:`._migration`.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs

from kamcore._validate import day, text
from kamcore.calendar import Period
from kamcore.errors import ValidationError
from kamcore.grading._inputs import flag, instance, tuple_of
from kamcore.grading._ladder import GradeLadder

if TYPE_CHECKING:
    from kamcore.grading._regrade import Regrading

__all__ = [
    "GradeExplanation",
    "GradeOverride",
    "OverrideEvent",
    "OverrideEventKind",
    "OverrideReview",
    "override_grade",
]


# -- small checks ----------------------------------------------------------------------
def _same_person(a: str, b: str) -> bool:
    """Whether two names are one person: compared NFKC-normalised, ignoring case and spaces."""
    return _person(a) == _person(b)


def _person(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _on_date(value: object) -> date:
    return day(value, "on")


def _until_date(value: object) -> date | None:
    return None if value is None else day(value, "until")


def _check_expiry(on: date, until: date | None, until_next_regrade: object) -> None:
    """An expiry is required, and a date expiry comes after ``on``."""
    flag(until_next_regrade, "until_next_regrade")
    if until is None and not until_next_regrade:
        raise ValidationError(
            field="until",
            value=None,
            expected="a date the override lapses on, or until_next_regrade=True",
            problem="no expiry",
        )
    if until is not None and until <= on:
        raise ValidationError(
            field="until",
            value=until,
            expected=f"a date after {on.isoformat()} (the override lapses on that day)",
            problem="the override would lapse before it starts",
        )


def _expiry(until: date | None, until_next_regrade: bool) -> str:
    if until is None:
        return "until the next re-grading"
    if until_next_regrade:
        return f"until {until.isoformat()} or the next re-grading"
    return f"until {until.isoformat()}"


# -- overrides ---------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class GradeOverride:
    """A grade given to an account by hand, requested and approved by two people.

    It lapses on ``until`` (the first day it no longer applies), at the next
    re-grading (``until_next_regrade=True``), or at whichever comes first when both
    are given. People are compared by name, ignoring case and surrounding spaces.

    Attributes:
        account_id: The account.
        grade: The grade it is given.
        reason: Why (mandatory).
        requested_by: Who asked for it.
        approved_by: Who approved it; not the requester.
        on: When it was approved.
        until: The day it lapses, or ``None``.
        until_next_regrade: Whether it lapses at the next re-grading.

    Raises:
        ValidationError: A blank account, grade, reason, requester or approver, the
            requester approving, no expiry, or ``until`` not after ``on`` (each naming
            its field).

    Examples:
        >>> GradeOverride(account_id="acme", grade="A", reason="strategic partner",
        ...               requested_by="li", approved_by="LI ", on="2026-04-10",
        ...               until="2026-07-01")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: approved_by: the requester can't approve their own override (got 'LI '); expected someone other than the requester, 'li'
    """  # noqa: E501

    account_id: str
    grade: str
    reason: str
    requested_by: str
    approved_by: str
    on: date = attrs.field(converter=_on_date)
    until: date | None = attrs.field(default=None, converter=_until_date)
    until_next_regrade: bool = False

    def __attrs_post_init__(self) -> None:
        text(self.account_id, "account_id")
        text(self.grade, "grade")
        text(self.reason, "reason", expected="why the grade is overridden (a non-blank reason)")
        text(self.requested_by, "requested_by")
        text(self.approved_by, "approved_by", expected="someone other than the requester")
        if _same_person(self.approved_by, self.requested_by):
            raise ValidationError(
                field="approved_by",
                value=self.approved_by,
                expected=f"someone other than the requester, {self.requested_by!r}",
                problem="the requester can't approve their own override",
            )
        _check_expiry(self.on, self.until, self.until_next_regrade)

    @property
    def expiry(self) -> str:
        """``'until 2026-07-01'``, ``'until the next re-grading'`` or both."""
        return _expiry(self.until, self.until_next_regrade)

    def in_force(self, on: date | str | None = None) -> bool:
        """Whether it applies on ``on`` (``None``: as recorded, whatever the date)."""
        if on is None or self.until is None:
            return True
        return day(on, "on") < self.until


class OverrideEventKind(enum.Enum):
    """What happened to a grade override."""

    GRANTED = "granted"
    """Requested and approved (:func:`override_grade`); replaces one in force."""
    KEPT = "kept"
    """Reviewed at a re-grading and kept, with a new approval and expiry."""
    DROPPED = "dropped"
    """Reviewed at a re-grading and dropped."""
    EXPIRED = "expired"
    """Lapsed at a re-grading: its date had come, or it ran until that re-grading."""


@attrs.frozen(kw_only=True)
class OverrideEvent:
    """One immutable step in the history of grade overrides.

    Attributes:
        kind: What happened.
        override: The override granted, kept (as renewed), dropped or expired.
        by: Who did it: the approver (granted, kept), the reviewer (dropped) or who ran
            the re-grading (expired).
        on: When (``None`` for an expiry at a re-grading: see ``period``).
        period: The re-grading's period, for events recorded at a re-grading.
        note: The review's remark, or why it expired.
    """

    kind: OverrideEventKind
    override: GradeOverride
    by: str
    on: date | None = None
    period: Period | None = None
    note: str = ""

    @property
    def account_id(self) -> str:
        """The account."""
        return self.override.account_id


@attrs.frozen
class OverrideReview:
    """A decision about an override in force, taken at a re-grading.

    Pass reviews to :func:`~kamcore.grading.regrade` (``reviews=``). Kept, the override
    is renewed with ``by`` as its approver (who must not be its requester) and a new
    expiry; its reason is ``reason`` or, when blank, the old one. Dropped, it ends.

    Attributes:
        account_id: The account whose override is reviewed.
        keep: Keep it (with a new approval) or drop it.
        by: The new approver (kept) or who dropped it.
        on: When.
        until: The day a kept override lapses.
        until_next_regrade: Whether a kept override lapses at the next re-grading.
        reason: The new reason (kept) or why it was dropped.

    Raises:
        ValidationError: A blank account or reviewer; a kept override without an expiry
            or with ``until`` not after ``on``; an expiry given for a drop.
    """

    account_id: str
    keep: bool = attrs.field(kw_only=True)
    by: str = attrs.field(kw_only=True)
    on: date = attrs.field(kw_only=True, converter=_on_date)
    until: date | None = attrs.field(default=None, kw_only=True, converter=_until_date)
    until_next_regrade: bool = attrs.field(default=False, kw_only=True)
    reason: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        text(self.account_id, "account_id")
        flag(self.keep, "keep")
        text(self.by, "by")
        if not isinstance(self.reason, str):
            raise ValidationError(field="reason", value=self.reason, expected="a string")
        if self.keep:
            _check_expiry(self.on, self.until, self.until_next_regrade)
        elif self.until is not None or self.until_next_regrade is not False:
            raise ValidationError(
                field="until",
                value=self.until if self.until is not None else self.until_next_regrade,
                expected="no expiry when the override is dropped",
                problem="an expiry for a dropped override",
            )


def _replay(
    history: Sequence[OverrideEvent], field: str = "override_history"
) -> dict[str, GradeOverride]:
    """The overrides in force after ``history``, by account; refuses an impossible history."""
    force: dict[str, GradeOverride] = {}
    last: date | None = None
    for i, event in enumerate(history):
        where = f"{field}[{i}]"
        if event.on is not None:
            if last is not None and event.on < last:
                raise ValidationError(
                    field=f"{where}.on",
                    value=event.on,
                    expected=f"a date on or after {last.isoformat()}",
                    problem="history goes back in time",
                )
            last = event.on
        key = event.account_id
        held = force.get(key)
        _check_decider(event, held, where)
        if event.kind is OverrideEventKind.GRANTED:
            force[key] = event.override
            continue
        if held is None or (event.kind is not OverrideEventKind.KEPT and event.override != held):
            raise ValidationError(
                field=where,
                value=f"{event.kind.value} {key}",
                expected="an event about the override in force for the account",
                problem="history out of order",
            )
        if event.kind is OverrideEventKind.KEPT:
            force[key] = event.override
        else:
            del force[key]
    return force


def _check_decider(event: OverrideEvent, held: GradeOverride | None, where: str) -> None:
    """A grant or renewal is the approver's act, and a renewal keeps who asked and what.

    So a requester can't approve their own override by recording the event as someone
    else, nor by renewing it under another requester's name.
    """
    if event.kind not in {OverrideEventKind.GRANTED, OverrideEventKind.KEPT}:
        return
    o = event.override
    if not _same_person(event.by, o.approved_by):
        raise ValidationError(
            field=f"{where}.by",
            value=event.by,
            expected=f"the override's approver, {o.approved_by!r}",
            problem="a grant or renewal recorded by someone other than its approver",
        )
    if event.kind is OverrideEventKind.KEPT and held is not None:
        same = (held.account_id, held.grade, _person(held.requested_by))
        if (o.account_id, o.grade, _person(o.requested_by)) != same:
            raise ValidationError(
                field=f"{where}.override",
                value=f"{o.grade} requested by {o.requested_by}",
                expected=f"the override in force ({held.grade} requested by "
                f"{held.requested_by}), renewed",
                problem="a renewal that changes the requester or the grade",
            )


def _last_date(history: Iterable[OverrideEvent]) -> date | None:
    dates = [e.on for e in history if e.on is not None]
    return dates[-1] if dates else None


def _check_forward(on: date, history: Sequence[OverrideEvent], field: str) -> None:
    last = _last_date(history)
    if last is not None and on < last:
        raise ValidationError(
            field=field,
            value=on,
            expected=f"a date on or after the last override event, {last.isoformat()}",
            problem="history is append-only and goes forward in time",
        )


def _check_reviews(
    history: tuple[OverrideEvent, ...],
    force: dict[str, GradeOverride],
    reviews: Iterable[OverrideReview],
) -> tuple[OverrideReview, ...]:
    """The reviews, each of a different override in force, in time, not by its requester."""
    items = tuple_of(reviews, OverrideReview, "reviews")
    seen: dict[str, int] = {}
    for i, review in enumerate(items):
        where = f"reviews[{i}]"
        held = force.get(review.account_id)
        if held is None:
            raise ValidationError(
                field=f"{where}.account_id",
                value=review.account_id,
                expected=f"an account with an override in force ({', '.join(sorted(force))})"
                if force
                else "no review: no override is in force",
                problem="no override to review",
            )
        if review.account_id in seen:
            raise ValidationError(
                field=f"{where}.account_id",
                value=review.account_id,
                expected="one review per override",
                problem=f"already reviewed by reviews[{seen[review.account_id]}]",
            )
        seen[review.account_id] = i
        if review.keep and _same_person(review.by, held.requested_by):
            raise ValidationError(
                field=f"{where}.by",
                value=review.by,
                expected=f"someone other than the requester, {held.requested_by!r}",
                problem="the requester can't approve their own override",
            )
        _check_forward(review.on, history, f"{where}.on")
    return items


def _reviewed(review: OverrideReview, held: GradeOverride, period: Period | None) -> OverrideEvent:
    """The ``KEPT`` (renewed) or ``DROPPED`` event of a review."""
    if not review.keep:
        kind, override = OverrideEventKind.DROPPED, held
    else:
        kind = OverrideEventKind.KEPT
        override = GradeOverride(
            account_id=held.account_id,
            grade=held.grade,
            reason=review.reason if review.reason.strip() else held.reason,
            requested_by=held.requested_by,
            approved_by=review.by,
            on=review.on,
            until=review.until,
            until_next_regrade=review.until_next_regrade,
        )
    return OverrideEvent(
        kind=kind, override=override, by=review.by, on=review.on, period=period, note=review.reason
    )


def _lapse(held: GradeOverride, period: Period | None) -> str | None:
    """Why ``held`` expires at the re-grading of ``period``, or ``None`` if it does not."""
    if held.until is not None and period is not None and held.until <= period.end:
        return f"lapsed on {held.until.isoformat()}"
    if held.until_next_regrade:
        return "ran until this re-grading"
    return None


def _govern(
    history: tuple[OverrideEvent, ...],
    reviews: Iterable[OverrideReview],
    ladder: GradeLadder,
    period: Period | None,
    by: str,
) -> tuple[OverrideEvent, ...]:
    """The override events of a re-grading: the reviews (by date), then the lapses.

    An override not reviewed lapses when it runs until the next re-grading, or when
    its date is no later than the end of ``period`` (unknown without a period).
    """
    force = _replay(history)
    items = _check_reviews(history, force, reviews)
    events = [
        _reviewed(r, force[r.account_id], period)
        for r in sorted(items, key=lambda r: (r.on, r.account_id))
    ]
    reviewed = {r.account_id for r in items}
    for key in sorted(force.keys() - reviewed):
        note = _lapse(force[key], period)
        if note is not None:
            events.append(
                OverrideEvent(
                    kind=OverrideEventKind.EXPIRED,
                    override=force[key],
                    by=by,
                    period=period,
                    note=note,
                )
            )
    after = _replay((*history, *events))
    for key in sorted(after):
        if after[key].grade not in ladder.grades:
            raise ValidationError(
                field="reviews",
                value=key,
                expected=f"a review that drops the override of {key!r}, or a ladder with "
                f"grade {after[key].grade!r}",
                problem="an override in force has a grade this ladder does not have",
            )
    return tuple(events)


def override_grade(
    regrading: Regrading,
    account_id: str,
    *,
    ladder: GradeLadder,
    grade: str,
    reason: str,
    requested_by: str,
    approved_by: str,
    on: date | str,
    until: date | str | None = None,
    until_next_regrade: bool = False,
) -> tuple[Regrading, OverrideEvent]:
    """Give an account a grade by hand (人工调整评级), approved by someone else.

    The override is appended to the re-grading's
    :attr:`~kamcore.grading.Regrading.override_history` as a ``GRANTED`` event and
    replaces any override in force for the account. From then on
    :meth:`~kamcore.grading.Regrading.grade_of` gives the override's grade and
    :meth:`~kamcore.grading.Regrading.explain` says so; the computed standing and its
    hysteresis are unchanged. It lapses on ``until``, at the next re-grading with
    ``until_next_regrade=True``, or at whichever comes first when both are given; at
    a re-grading a review (:class:`OverrideReview`) may keep or drop it instead.

    Args:
        regrading: The latest re-grading (with any overrides recorded since).
        account_id: The account; it must have been graded.
        ladder: The ladder in use; ``grade`` must be one of its grades.
        grade: The grade given.
        reason: Why (mandatory, not blank).
        requested_by: Who asks for it.
        approved_by: Who approves it; not the requester.
        on: When it is approved (not before the last override event).
        until: The day it lapses (the first day it no longer applies).
        until_next_regrade: Whether it lapses at the next re-grading.

    Returns:
        The re-grading with the override recorded, and its ``GRANTED`` event.

    Raises:
        ValidationError: An account never graded, a ladder the account was not graded
            on, a grade not on the ladder, a blank reason, the requester approving, no
            expiry, ``until`` not after ``on``, or ``on`` before the last override
            event — each naming its field; nothing is recorded.

    Examples:
        >>> from kamcore.grading import (AccountFacts, Criterion, GradeBand, GradeLadder,
        ...                              Normaliser, WeightedScorecard, regrade)
        >>> card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
        >>> ladder = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80),
        ...                       GradeBand("C", 0, 50)))
        >>> q1 = regrade(card, ladder, [AccountFacts("acme", sales_revenue=40)],
        ...              period=Period.quarter(2026, 1))
        >>> q1, event = override_grade(q1, "acme", ladder=ladder, grade="B",
        ...                            reason="strategic partner", requested_by="li",
        ...                            approved_by="zhao", on="2026-04-10", until="2026-07-01")
        >>> q1.grade_of("acme"), q1.grade_of("acme", on="2026-07-01")
        ('B', 'C')
        >>> print(q1.explain("acme"))
        acme: grade B by override (reason 'strategic partner', requested by li, approved by zhao on 2026-04-10, until 2026-07-01); computed grade C
        >>> override_grade(q1, "acme", ladder=ladder, grade="A", reason=" ", requested_by="li",
        ...                approved_by="zhao", on="2026-04-11", until_next_regrade=True)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: reason: blank (got ' '); expected why the grade is overridden (a non-blank reason)
    """  # noqa: E501
    from kamcore.grading._regrade import Regrading  # noqa: PLC0415 - a cycle

    instance(regrading, Regrading, "regrading")
    instance(ladder, GradeLadder, "ladder")
    standing = regrading.standing(account_id)
    if standing is None:
        raise ValidationError(
            field="account_id",
            value=account_id,
            expected="an account graded in this or an earlier period",
            problem="unknown account",
        )
    if standing.grade not in ladder.grades:
        raise ValidationError(
            field="ladder",
            value=ladder.name,
            expected=f"the ladder {account_id!r} was graded on (its grade is {standing.grade!r})",
            problem="not the ladder in use",
        )
    if grade not in ladder.grades:
        raise ValidationError(
            field="grade",
            value=grade,
            expected=f"one of: {', '.join(ladder.grades)}",
            problem="not a grade of this ladder",
        )
    override = GradeOverride(
        account_id=account_id,
        grade=grade,
        reason=reason,
        requested_by=requested_by,
        approved_by=approved_by,
        on=on,
        until=until,
        until_next_regrade=until_next_regrade,
    )
    _check_forward(override.on, regrading.override_history, "on")
    event = OverrideEvent(
        kind=OverrideEventKind.GRANTED, override=override, by=approved_by, on=override.on
    )
    new = attrs.evolve(regrading, override_history=(*regrading.override_history, event))
    return new, event


# -- explanations ------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class GradeExplanation:
    """Why an account has its grade: computed, or by an override (and what was computed).

    ``str()`` reads ``"acme: grade B by override (reason 'strategic partner', requested
    by li, approved by zhao on 2026-04-10, until 2026-07-01); computed grade C"``, or
    ``"acme: grade C, computed"``; an account held at its grade by hysteresis adds
    ``"(scored B, 1 period below; not demoted yet)"``.

    Attributes:
        account_id: The account.
        grade: The grade it has.
        computed_grade: Its computed standing grade (after hysteresis).
        override: The override in force, if any.
        scored: The grade of its latest score (``None`` when unknown).
        periods_below: Periods in a row it scored below its computed grade.
    """

    account_id: str
    grade: str
    computed_grade: str
    override: GradeOverride | None = None
    scored: str | None = None
    periods_below: int = 0

    @property
    def by_override(self) -> bool:
        """Whether the grade comes from an override."""
        return self.override is not None

    def __str__(self) -> str:
        held = ""
        if self.periods_below and self.scored is not None:
            n = self.periods_below
            held = (
                f" (scored {self.scored}, {n} period{'s' if n != 1 else ''} below; not demoted yet)"
            )
        o = self.override
        if o is None:
            return f"{self.account_id}: grade {self.grade}, computed{held}"
        return (
            f"{self.account_id}: grade {o.grade} by override (reason {o.reason!r}, "
            f"requested by {o.requested_by}, approved by {o.approved_by} on "
            f"{o.on.isoformat()}, {o.expiry}); computed grade {self.computed_grade}{held}"
        )
