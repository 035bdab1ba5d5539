"""Grade governance (评级管理): approved manual overrides and grade-migration matrices.

* :func:`override_grade` — give an account a grade by hand, with a reason, a requester,
  a different approver and an expiry; recorded as an :class:`OverrideEvent` in the
  re-grading's append-only :attr:`~kamcore.grading.Regrading.override_history`.
  At the next re-grading an override due to lapse expires unless an
  :class:`OverrideReview` keeps it (with a new approval) or drops it.
* :func:`migration_matrix` — how many accounts moved from each grade to each grade
  between two re-gradings, accounts that appeared or disappeared included.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Final

import attrs

from kamcore._frames import frame
from kamcore._output import render
from kamcore._validate import day, text
from kamcore.calendar import Period
from kamcore.errors import ValidationError
from kamcore.grading._inputs import tuple_of
from kamcore.grading._ladder import GradeLadder

if TYPE_CHECKING:
    import pandas as pd

    from kamcore.grading._regrade import Regrading

__all__ = [
    "ABSENT",
    "GradeExplanation",
    "GradeMigration",
    "GradeMove",
    "GradeOverride",
    "MoveKind",
    "OverrideEvent",
    "OverrideEventKind",
    "OverrideReview",
    "migration_matrix",
    "override_grade",
]

#: How a migration table shows "not graded in that period" (``None`` in the data).
ABSENT: Final = "—"
_MIGRATION_COLUMNS: Final = ("from_grade", "to_grade", "count")


# -- small checks ----------------------------------------------------------------------
def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field=field, value=value, expected="true or false")
    return value


def _on_date(value: object) -> date:
    return day(value, "on")


def _until_date(value: object) -> date | None:
    return None if value is None else day(value, "until")


def _check_expiry(on: date, until: date | None, until_next_regrade: object) -> None:
    """An expiry is required, and a date expiry comes after ``on``."""
    _flag(until_next_regrade, "until_next_regrade")
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
        _flag(self.keep, "keep")
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


# -- migration matrix --------------------------------------------------------------------
class MoveKind(enum.Enum):
    """How an account's grade moved between two re-gradings."""

    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    UNCHANGED = "unchanged"
    APPEARED = "appeared"
    """Graded in the second period only."""
    DISAPPEARED = "disappeared"
    """Graded in the first period only."""


@attrs.frozen
class GradeMove:
    """One account's grade in each period (``None``: not graded in that period)."""

    account_id: str
    from_grade: str | None
    to_grade: str | None
    kind: MoveKind


def _moves(value: Iterable[GradeMove]) -> tuple[GradeMove, ...]:
    return tuple(value)


def _grades(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class GradeMigration:
    """The grade-migration matrix between two re-gradings.

    Counts accounts by (grade in the first period → grade in the second). ``None``
    (shown as :data:`ABSENT`, ``"—"``) stands for "not graded in that period": the
    ``None`` row holds the accounts that appeared, the ``None`` column those that
    disappeared. Every account graded in either period is counted once.

    Attributes:
        before: The first period.
        after: The second period.
        grades: The ladder's grades, best first.
        moves: One move per account graded in either period, by account id.
    """

    before: Period | None
    after: Period | None
    grades: tuple[str, ...] = attrs.field(converter=_grades)
    moves: tuple[GradeMove, ...] = attrs.field(converter=_moves)

    def _check(self, grade: str | None, field: str) -> None:
        if grade is not None and grade not in self.grades:
            raise ValidationError(
                field=field,
                value=grade,
                expected=f"one of: {', '.join(self.grades)}, or None (not graded)",
                problem="not a grade of this ladder",
            )

    def accounts(self, from_grade: str | None, to_grade: str | None) -> tuple[str, ...]:
        """The accounts that moved from ``from_grade`` to ``to_grade``, by id.

        Raises:
            ValidationError: A grade not on the ladder.
        """
        self._check(from_grade, "from_grade")
        self._check(to_grade, "to_grade")
        return tuple(
            m.account_id for m in self.moves if (m.from_grade, m.to_grade) == (from_grade, to_grade)
        )

    def count(self, from_grade: str | None, to_grade: str | None) -> int:
        """How many accounts moved from ``from_grade`` to ``to_grade``.

        Raises:
            ValidationError: A grade not on the ladder.
        """
        return len(self.accounts(from_grade, to_grade))

    def _kind(self, kind: MoveKind) -> int:
        return sum(1 for m in self.moves if m.kind is kind)

    @property
    def upgrades(self) -> int:
        """Accounts graded in both periods whose grade got better."""
        return self._kind(MoveKind.UPGRADED)

    @property
    def downgrades(self) -> int:
        """Accounts graded in both periods whose grade got worse."""
        return self._kind(MoveKind.DOWNGRADED)

    @property
    def unchanged(self) -> int:
        """Accounts graded in both periods whose grade stayed."""
        return self._kind(MoveKind.UNCHANGED)

    @property
    def appeared(self) -> int:
        """Accounts graded in the second period only."""
        return self._kind(MoveKind.APPEARED)

    @property
    def disappeared(self) -> int:
        """Accounts graded in the first period only."""
        return self._kind(MoveKind.DISAPPEARED)

    def records(self) -> list[dict[str, object]]:
        """Every cell of the matrix as a row: ``from_grade``, ``to_grade``, ``count``.

        Rows run from grade by from grade (the ladder's order, best first, then
        ``None``), to grade within; the impossible ``None → None`` cell is left out,
        empty cells are kept (count 0).
        """
        tally = Counter((m.from_grade, m.to_grade) for m in self.moves)
        labels: tuple[str | None, ...] = (*self.grades, None)
        return [
            {"from_grade": a, "to_grade": b, "count": tally[a, b]}
            for a in labels
            for b in labels
            if a is not None or b is not None
        ]

    def to_frame(self) -> pd.DataFrame:
        """:meth:`records` as a pandas DataFrame (needs the ``frames`` extra).

        Raises:
            ValidationError: pandas is not installed.
        """
        return frame(self.records(), _MIGRATION_COLUMNS)

    def table(self) -> str:
        """The matrix as aligned text: a row per grade before, a column per grade after."""
        tally = Counter((m.from_grade, m.to_grade) for m in self.moves)
        labels: tuple[str | None, ...] = (*self.grades, None)
        heads = [ABSENT if g is None else g for g in labels]
        rows = [
            {
                "from": ABSENT if a is None else a,
                **{
                    h: (None if a is b is None else tally[a, b])
                    for h, b in zip(heads, labels, strict=True)
                },
            }
            for a in labels
        ]
        title = (
            f"grade migration {_label(self.before)} → {_label(self.after)} "
            f"(rows: from, columns: to; {ABSENT} not graded)"
        )
        summary = (
            f"upgrades {self.upgrades}, downgrades {self.downgrades}, "
            f"unchanged {self.unchanged}; appeared {self.appeared}, "
            f"disappeared {self.disappeared}"
        )
        return render(rows, "table", title=title) + summary

    def __str__(self) -> str:
        return self.table()

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> dict[str, object]:
        """The matrix as a heat map (Vega-Lite), for notebooks (see kamcore.charts)."""
        from kamcore.charts import migration_chart, mimebundle  # noqa: PLC0415 - charts sit above

        return mimebundle(migration_chart(self), include=include, exclude=exclude)


def _label(period: Period | None) -> str:
    return "(no period)" if period is None else str(period)


def _held_grades(
    r: Regrading, *, computed: bool, ladder: GradeLadder, field: str
) -> dict[str, str]:
    standing = {s.account_id: s.grade for s in r.standings}
    if not computed:
        standing.update({o.account_id: o.grade for o in r.overrides})
    out: dict[str, str] = {}
    for g in r.graded:
        grade = standing[g.account_id]
        if grade not in ladder.grades:
            raise ValidationError(
                field=field,
                value=grade,
                expected=f"grades of the ladder given: {', '.join(ladder.grades)}",
                problem=f"account {g.account_id!r} has a grade this ladder does not have",
            )
        out[g.account_id] = grade
    return out


def migration_matrix(
    ladder: GradeLadder, before: Regrading, after: Regrading, *, computed: bool = False
) -> GradeMigration:
    """Count accounts by (grade in ``before`` → grade in ``after``), 迁移矩阵.

    An account counts in a period when it was graded in it (an absent account keeps
    its standing, but is not counted). Its grade there is the grade it held at the
    end of that re-grading: an override in force wins (``computed=True`` counts the
    computed standing grades instead). Accounts graded only in ``after`` appeared
    (``None → grade``), those graded only in ``before`` disappeared (``grade → None``).

    Args:
        ladder: The ladder both periods were graded on (it orders the grades).
        before: The earlier re-grading.
        after: The later re-grading.
        computed: Count computed grades, ignoring overrides.

    Returns:
        The matrix, with every account's move.

    Raises:
        ValidationError: A grade not on ``ladder``, or ``after`` a period earlier than
            ``before``.

    Examples:
        >>> from kamcore.grading import (AccountFacts, Criterion, GradeBand, GradeLadder,
        ...                              Normaliser, WeightedScorecard, regrade)
        >>> card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
        >>> ladder = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80),
        ...                       GradeBand("C", 0, 50)))
        >>> q1 = regrade(card, ladder, [AccountFacts("x", sales_revenue=90),
        ...              AccountFacts("y", sales_revenue=60)], period=Period.quarter(2026, 1))
        >>> q2 = regrade(card, ladder, [AccountFacts("x", sales_revenue=60),
        ...              AccountFacts("z", sales_revenue=10)], previous=q1,
        ...              period=Period.quarter(2026, 2))
        >>> m = migration_matrix(ladder, q1, q2)
        >>> m.count("A", "B"), m.count(None, "C"), m.downgrades, m.disappeared
        (1, 1, 1, 1)
        >>> print(m)
        grade migration 2026-Q1 → 2026-Q2 (rows: from, columns: to; — not graded)
        from  A  B  C  —
        ----  -  -  -  -
        A     0  1  0  0
        B     0  0  0  1
        C     0  0  0  0
        —     0  0  1
        upgrades 0, downgrades 1, unchanged 0; appeared 1, disappeared 1
    """
    if before.period is not None and after.period is not None and after.period < before.period:
        raise ValidationError(
            field="after",
            value=after.period,
            expected=f"a re-grading of {before.period} or later",
            problem="the second period is earlier than the first",
        )
    _flag(computed, "computed")
    one = _held_grades(before, computed=computed, ladder=ladder, field="before")
    two = _held_grades(after, computed=computed, ladder=ladder, field="after")
    rank = {g: i for i, g in enumerate(ladder.grades)}
    moves = []
    for key in sorted(one.keys() | two.keys()):
        a, b = one.get(key), two.get(key)
        if a is None:
            kind = MoveKind.APPEARED
        elif b is None:
            kind = MoveKind.DISAPPEARED
        elif rank[b] < rank[a]:
            kind = MoveKind.UPGRADED
        elif rank[b] > rank[a]:
            kind = MoveKind.DOWNGRADED
        else:
            kind = MoveKind.UNCHANGED
        moves.append(GradeMove(key, a, b, kind))
    return GradeMigration(before.period, after.period, ladder.grades, moves)
