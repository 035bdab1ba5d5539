"""Periodic re-grading (定期评判): grade changes, hysteresis and "what would it take".

How a re-grading treats a population over time — how long a demotion waits, what an
absent period does, how many reasons an event gives — is a :class:`RegradePolicy`,
checked once when it is built and passed to :func:`regrade` as ``policy=``.
"""

from __future__ import annotations

import enum
import warnings
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from kamcore._validate import text
from kamcore.calendar import Period, as_date
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._facts import DERIVED_FIGURES, AccountFacts
from kamcore.grading._governance import (
    GradeExplanation,
    GradeOverride,
    OverrideEvent,
    OverrideReview,
    _govern,
    _replay,
)
from kamcore.grading._inputs import ONE, ZERO, instance, tuple_of
from kamcore.grading._ladder import GradeBand, Graded, GradeLadder, ThresholdOwner, grade_all
from kamcore.grading._normalisers import Direction, Normaliser, NormaliserKind
from kamcore.grading._scoring import MissingPolicy, ScoringModel, WeightedScorecard
from kamcore.money import Rounding

__all__ = [
    "Absence",
    "ChangeKind",
    "ContributionChange",
    "GradeChange",
    "RegradePolicy",
    "Regrading",
    "Requirement",
    "Standing",
    "WhatItTakes",
    "regrade",
    "what_would_it_take",
]


class ChangeKind(enum.Enum):
    """How an account's grade moved."""

    NEW = "new"
    PROMOTED = "promoted"
    DEMOTED = "demoted"


class Absence(enum.Enum):
    """What a period in which an account is absent does to a run of periods below.

    * ``BREAKS`` (the default) — an absence breaks the run: "``demote_after``
      consecutive periods below" means periods in a row, with no gap.
    * ``SKIPPED`` — absences are skipped over: the periods the account *was* graded in
      count, whatever gaps lie between them.
    """

    BREAKS = "breaks"
    SKIPPED = "skipped"


def _to_absence(value: object) -> Absence:
    if isinstance(value, Absence):
        return value
    try:
        return Absence(value)
    except ValueError:
        raise PolicyError(
            f"absence {value!r} must be one of: {', '.join(a.value for a in Absence)}",
            policy="RegradePolicy",
            part="absence",
        ) from None


@attrs.frozen(kw_only=True)
class RegradePolicy:
    """How :func:`regrade` treats a population from one period to the next (定期评判规则).

    Checked once, when it is built: a re-grading never checks its rules again.

    Args:
        demote_after: Consecutive periods below its standing grade before an account
            is demoted (1 = at once, the default); promotions always take effect at once.
        absence: Whether a period in which the account is absent breaks a run of
            periods below (:attr:`Absence.BREAKS`, the default) or is skipped over;
            an :class:`Absence` or its value (``"breaks"``, ``"skipped"``).
        reasons: How many contribution changes each :class:`GradeChange` gives as its
            reasons, largest first (3 by default; 0 for none).

    Raises:
        PolicyError: ``demote_after`` not a whole number of at least 1, ``absence`` not
            an :class:`Absence`, or ``reasons`` not a whole number of at least 0.

    Examples:
        >>> RegradePolicy(demote_after=2, absence="skipped")
        RegradePolicy(demote_after=2, absence=<Absence.SKIPPED: 'skipped'>, reasons=3)
        >>> RegradePolicy(demote_after=0)
        Traceback (most recent call last):
        ...
        kamcore.errors.PolicyError: RegradePolicy demote_after: 0 must be a whole number, 1 or more
    """

    demote_after: int = 1
    absence: Absence = attrs.field(default=Absence.BREAKS, converter=_to_absence)
    reasons: int = 3

    def __attrs_post_init__(self) -> None:
        for part, low in (("demote_after", 1), ("reasons", 0)):
            value = getattr(self, part)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise PolicyError(
                    f"{value!r} must be a whole number, {low} or more",
                    policy="RegradePolicy",
                    part=part,
                )


_DEFAULT_POLICY: Final = RegradePolicy()


@attrs.frozen
class Standing:
    """An account's standing grade, its run of periods below it, and its last score.

    Attributes:
        account_id: The account.
        grade: The standing grade.
        periods_below: How many periods in a row it scored below that grade.
        last: Its score and grade in the latest period it was graded in — what the
            reasons of a later change compare with (``None`` in standings built by hand).
    """

    account_id: str
    grade: str
    periods_below: int = 0
    last: Graded | None = None


@attrs.frozen
class ContributionChange:
    """One criterion's contribution before and after."""

    criterion: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        """``after - before``."""
        return self.after - self.before


@attrs.frozen
class GradeChange:
    """An event: an account's grade moved (who, from, to, when, by whom, why).

    ``reasons`` are the contributions that changed most, largest change first.
    """

    account_id: str
    kind: ChangeKind
    from_grade: str | None
    to_grade: str
    period: Period | None
    by: str
    reasons: tuple[ContributionChange, ...]


def _to_graded(value: Iterable[Graded]) -> tuple[Graded, ...]:
    return tuple_of(value, Graded, "graded")


def _to_standings(value: Iterable[Standing]) -> tuple[Standing, ...]:
    return tuple_of(value, Standing, "standings")


def _to_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple_of(value, str, "held")


def _to_changes(value: Iterable[GradeChange]) -> tuple[GradeChange, ...]:
    return tuple_of(value, GradeChange, "changes")


def _to_events(value: Iterable[OverrideEvent]) -> tuple[OverrideEvent, ...]:
    return tuple_of(value, OverrideEvent, "override_history")


@attrs.frozen
class Regrading:
    """The result of re-grading a population for one period.

    Attributes:
        period: The period graded.
        graded: This period's scores and computed grades, in input order.
        standings: Every account's standing grade after this period, sorted by id
            (accounts absent this period keep their previous standing).
        changes: The grade-change events of this period.
        held: Accounts that scored below their standing grade but are not demoted yet
            (hysteresis).
        override_history: Every grade-override event so far, oldest first
            (append-only; carried from one re-grading to the next). The overrides in
            force, :attr:`overrides`, are its replay.
        latest_period: The latest period re-graded so far: this one's, or, for an
            undated re-grading, the one before it (so an undated re-grading can't be
            used to go back in time).

    Raises:
        ValidationError: An override history that could not have happened (an event
            about an override not in force, dates going back).
    """

    period: Period | None
    graded: tuple[Graded, ...] = attrs.field(converter=_to_graded)
    standings: tuple[Standing, ...] = attrs.field(converter=_to_standings)
    changes: tuple[GradeChange, ...] = attrs.field(converter=_to_changes)
    held: tuple[str, ...] = attrs.field(default=(), converter=_to_ids)
    override_history: tuple[OverrideEvent, ...] = attrs.field(default=(), converter=_to_events)
    latest_period: Period | None = None

    def __attrs_post_init__(self) -> None:
        if self.override_history:
            _replay(self.override_history)

    def standing(self, account_id: str) -> Standing | None:
        """The standing of ``account_id`` (``None`` if never graded)."""
        for s in self.standings:
            if s.account_id == account_id:
                return s
        return None

    def _known(self, account_id: str) -> Standing:
        s = self.standing(account_id)
        if s is None:
            raise ValidationError(
                field="account_id",
                value=account_id,
                expected="an account graded in this or an earlier period",
                problem="unknown account",
            )
        return s

    @property
    def overrides(self) -> tuple[GradeOverride, ...]:
        """The grade overrides in force, by account id (the replay of the history).

        An override whose ``until`` date has come stays here until a re-grading
        records it as expired; pass ``on=`` to :meth:`grade_of` to leave it out.
        """
        force = _replay(self.override_history)
        return tuple(force[k] for k in sorted(force))

    def override_of(self, account_id: str, *, on: date | str | None = None) -> GradeOverride | None:
        """The override in force for ``account_id`` on ``on`` (``None``: as recorded).

        Raises:
            ValidationError: ``on`` is not a date.
        """
        day = None if on is None else as_date(on, field="on")
        for o in self.overrides:
            if o.account_id == account_id:
                return o if o.in_force(day) else None
        return None

    def grade_of(self, account_id: str, *, on: date | str | None = None) -> str:
        """The grade of ``account_id``: its override's, if one is in force, else its standing.

        Args:
            account_id: The account.
            on: The day asked about: an override whose ``until`` is on or before it has
                lapsed. ``None`` (the default) takes the overrides as recorded.

        Raises:
            ValidationError: The account was never graded, or ``on`` is not a date.
        """
        s = self._known(account_id)
        o = self.override_of(account_id, on=on)
        return s.grade if o is None else o.grade

    def explain(self, account_id: str, *, on: date | str | None = None) -> GradeExplanation:
        """Why ``account_id`` has its grade: computed, or by an override (see :meth:`grade_of`).

        Raises:
            ValidationError: The account was never graded, or ``on`` is not a date.
        """
        s = self._known(account_id)
        o = self.override_of(account_id, on=on)
        return GradeExplanation(
            account_id=account_id,
            grade=s.grade if o is None else o.grade,
            computed_grade=s.grade,
            override=o,
            scored=s.last.grade if s.last is not None else None,
            periods_below=s.periods_below,
        )


def _reasons(before: Graded | None, after: Graded, count: int) -> tuple[ContributionChange, ...]:
    old = dict(zip(before.score.names, before.score.contributions, strict=True)) if before else {}
    rows = [
        ContributionChange(n, old.get(n, ZERO), c)
        for n, c in zip(after.score.names, after.score.contributions, strict=True)
    ]
    rows.sort(key=lambda r: (-abs(r.delta), r.criterion))
    return tuple(r for r in rows[:count] if r.delta)


def regrade(
    model: ScoringModel,
    ladder: GradeLadder,
    population: Sequence[AccountFacts],
    *,
    previous: Regrading | None = None,
    period: Period | str | None = None,
    by: str = "",
    policy: RegradePolicy = _DEFAULT_POLICY,
    reviews: Iterable[OverrideReview] = (),
    demote_after: int | None = None,
    reasons: int | None = None,
    absence: Absence | None = None,
) -> Regrading:
    """Grade ``population`` for ``period`` and compare with the previous period.

    Promotions take effect at once. A demotion takes effect only after the account has
    scored below its standing grade for ``policy.demote_after`` consecutive periods (1 =
    at once, the default); it then moves to the grade of its latest score. Each change
    is a :class:`GradeChange` whose ``reasons`` are the ``policy.reasons`` contributions
    that changed most since the account's last real score (the latest period it was
    graded in, kept in its :class:`Standing`; an absence is not a score of zero).
    Whether a period in which the account is absent breaks a run of periods below is
    ``policy.absence`` (:attr:`Absence.BREAKS` by default: the periods must be
    consecutive).

    Periods go forward: when both this period and the previous result's are known,
    this one must come after it (periods order by start, then end); re-grading the
    same period again, or an earlier one, is refused. Grade overrides in force
    (:func:`~kamcore.grading.override_grade`) are carried over, except that each
    ``reviews`` entry keeps one (with a new approval) or drops it, and an override not
    reviewed expires when it ran until the next re-grading or its ``until`` date is no
    later than the end of ``period``; each is recorded in
    :attr:`Regrading.override_history`. Overrides do not change computed standings.

    Args:
        model: The scoring model (fitted to this period's population).
        ladder: The grade ladder.
        population: This period's facts.
        previous: The previous period's result (``None`` for the first period).
        period: The period graded (recorded in events), or its label (``"2026-Q2"``).
        by: Who ran the re-grading (recorded in events).
        policy: The re-grading rules (:class:`RegradePolicy`; its defaults when omitted).
        reviews: Decisions on overrides in force: keep (with a new approval) or drop.
        demote_after: Deprecated since 0.2: ``policy=RegradePolicy(demote_after=...)``.
        reasons: Deprecated since 0.2: ``policy=RegradePolicy(reasons=...)``.
        absence: Deprecated since 0.2: ``policy=RegradePolicy(absence=...)``.

    Raises:
        PolicyError: A deprecated rule argument the policy would refuse (as
            :class:`RegradePolicy`).
        ValidationError: As :func:`grade_all`; ``previous`` not a :class:`Regrading`,
            ``by`` not a string; ``policy`` not a :class:`RegradePolicy`,
            or given together with a deprecated rule argument; a ``period`` not after
            the previous result's; a review of an account with no override in force, reviewed
            twice, kept by its requester or dated before the last override event; an
            override left in force whose grade is not on ``ladder``.
    """
    policy = _policy_of(policy, demote_after, reasons, absence)
    if previous is not None:
        instance(previous, Regrading, "previous", expected="a Regrading, or None for the first")
    text(by, "by", required=False)
    period = _check_period(period, previous)
    history = previous.override_history if previous else ()
    governed = _govern(history, reviews, ladder, period, by)
    graded = grade_all(model, ladder, population)
    standings = {s.account_id: s for s in previous.standings} if previous else {}
    if policy.absence is Absence.BREAKS:
        here = {g.account_id for g in graded}
        for key, s in standings.items():
            if key not in here and s.periods_below:
                standings[key] = attrs.evolve(s, periods_below=0)
    changes: list[GradeChange] = []
    held: list[str] = []
    for g in graded:
        old = standings.get(g.account_id)
        kind: ChangeKind | None = None
        if old is None:
            kind, new = ChangeKind.NEW, Standing(g.account_id, g.grade, 0, g)
        elif ladder.rank(g.grade) < ladder.rank(old.grade):
            kind, new = ChangeKind.PROMOTED, Standing(g.account_id, g.grade, 0, g)
        elif g.grade == old.grade:
            new = Standing(g.account_id, g.grade, 0, g)
        elif old.periods_below + 1 >= policy.demote_after:
            kind, new = ChangeKind.DEMOTED, Standing(g.account_id, g.grade, 0, g)
        else:
            new = Standing(g.account_id, old.grade, old.periods_below + 1, g)
            held.append(g.account_id)
        standings[g.account_id] = new
        if kind is not None:
            changes.append(
                GradeChange(
                    g.account_id,
                    kind,
                    old.grade if old else None,
                    new.grade,
                    period,
                    by,
                    _reasons(old.last if old else None, g, policy.reasons),
                )
            )
    return Regrading(
        period,
        graded,
        tuple(standings[k] for k in sorted(standings)),
        tuple(changes),
        tuple(held),
        (*history, *governed),
        period if period is not None else _last_period(previous),
    )


def _policy_of(
    policy: RegradePolicy,
    demote_after: int | None,
    reasons: int | None,
    absence: Absence | None,
) -> RegradePolicy:
    """``policy``, or one built from the deprecated loose arguments (with a warning)."""
    legacy = {
        name: value
        for name, value in (
            ("demote_after", demote_after),
            ("reasons", reasons),
            ("absence", absence),
        )
        if value is not None
    }
    if not legacy:
        if not isinstance(policy, RegradePolicy):
            raise ValidationError(
                field="policy",
                value=policy,
                expected="a RegradePolicy",
                problem=f"a {type(policy).__name__}",
            )
        return policy
    if policy is not _DEFAULT_POLICY:
        raise ValidationError(
            field=", ".join(legacy),
            value=tuple(legacy.values()),
            expected="the rules in policy=RegradePolicy(...) only",
            problem="given both as policy= and as loose arguments",
        )
    names = ", ".join(f"{k}=..." for k in legacy)
    warnings.warn(
        f"regrade({names}) is deprecated since kamcore 0.2 and will be removed; "
        f"pass policy=RegradePolicy({names})",
        DeprecationWarning,
        stacklevel=3,
    )
    return RegradePolicy(**legacy)  # type: ignore[arg-type]


def _last_period(previous: Regrading | None) -> Period | None:
    """The latest period re-graded so far (an undated re-grading keeps the one before)."""
    if previous is None:
        return None
    return previous.latest_period if previous.latest_period is not None else previous.period


def _check_period(period: Period | str | None, previous: Regrading | None) -> Period | None:
    """``period`` as a :class:`Period`, refused unless it comes after the previous one."""
    if isinstance(period, str):
        period = Period.parse(period)
    elif period is not None and not isinstance(period, Period):
        raise ValidationError(
            field="period",
            value=period,
            expected="a Period, a label such as '2026-Q2', or None",
            problem=f"a {type(period).__name__}",
        )
    last = _last_period(previous)
    if period is not None and last is not None and period <= last:
        same = (period.start, period.end) == (last.start, last.end)
        raise ValidationError(
            field="period",
            value=str(period),
            expected=f"a period after the last one re-graded, {last} "
            "(periods order by start, then end)",
            problem="the last period re-graded again" if same else "earlier than the last period",
        )
    return period


# -- what would it take ---------------------------------------------------------------
@attrs.frozen
class Requirement:
    """What one criterion alone would need to reach the target grade.

    ``needed`` is the raw figure to reach (``comparison`` says ``>=``, ``<=`` or
    ``<``); ``None`` when this criterion alone can't get there.
    """

    criterion: str
    figure: str
    current: Decimal | None
    needed: Decimal | None
    comparison: str

    @property
    def reachable(self) -> bool:
        """Whether this criterion alone can reach the target."""
        return self.needed is not None

    @property
    def change(self) -> Decimal | None:
        """``needed - current`` (``None`` if unreachable or the figure is missing)."""
        if self.needed is None or self.current is None:
            return None
        return self.needed - self.current


@attrs.frozen
class WhatItTakes:
    """For one account: its grade, the next better grade and what each criterion needs."""

    account_id: str
    grade: str
    target_grade: str | None
    target_total: Decimal | None
    total: Decimal
    requirements: tuple[Requirement, ...]


def what_would_it_take(
    model: WeightedScorecard, ladder: GradeLadder, facts: AccountFacts
) -> WhatItTakes:
    """The smallest change in each criterion, alone, that reaches the next better grade.

    Every other figure is held where it is. The solution takes the scorecard's
    rounding into account: a contribution only has to reach the point from which it
    *rounds* to what the target needs (half a unit below it, with HALF_UP), so the
    needed figure is the tightest one that gets there, to the cent: one cent less (one
    cent more, for a lower-is-better criterion) does not reach the target. A needed
    figure is rounded to 2 places on the safe side (CEILING for ``>=``, FLOOR for
    ``<=``) and checked by rescoring.
    A fitted model is read as fitted (next month's account against last month's
    bounds): a percentile criterion needs the smallest figure of the fitted population
    that reaches the needed step (its step table's ``at``); a log criterion the exact
    inverse of its scaling, rounded to the tightest cent on the safe side; a clipped
    criterion the linear inverse between its fitted quantiles.
    A criterion is unreachable when even its best value is not enough, when the value
    needed is not a valid figure (a negative amount), when its figure is derived
    (collection rate), or when the scorecard renormalises missing weights.
    For the best grade there is no target. The target total is the next band's
    ``lower``; on a ladder whose thresholds belong to the band below
    (:attr:`ThresholdOwner.BELOW`) it is the smallest total above it that the
    scorecard's places can show.

    Args:
        model: A fitted weighted scorecard.
        ladder: The grade ladder.
        facts: The account.

    Raises:
        ValidationError: ``model`` not a :class:`WeightedScorecard`, ``ladder`` not a
            :class:`GradeLadder` or ``facts`` not :class:`AccountFacts` (naming the field).
        PolicyError: The scorecard has an unfitted (min–max, percentile, clipped or
            fitted log) criterion.
    """
    instance(model, WeightedScorecard, "model")
    instance(ladder, GradeLadder, "ladder")
    s = model.score(instance(facts, AccountFacts, "facts"))
    current = ladder.grade_of(s.total)
    better = ladder.next_better(current)
    if better is None:
        return WhatItTakes(facts.account_id, current, None, None, s.total, ())
    unit = ONE.scaleb(-model.places)
    target = better.lower
    if ladder.threshold_owner is ThresholdOwner.BELOW:  # the threshold itself is not enough
        target = (Rounding.FLOOR.apply(target / unit, 0) + 1) * unit
    out = []
    for c, contribution, weight, raw in zip(
        model.criteria, s.contributions, s.weights, s.raw, strict=True
    ):
        points = weight * model.scale
        needed_n = (
            _rounding_threshold(target - (s.total - contribution), unit, model.rounding) / points
            if points
            else None
        )
        needed: Decimal | None = None
        comparison = ">=" if c.direction is Direction.HIGHER else "<="
        if (
            needed_n is not None
            and needed_n <= ONE
            and c.source not in DERIVED_FIGURES
            and (model.missing is not MissingPolicy.RENORMALISE or not s.missing)
        ):
            if c.direction is Direction.HIGHER:
                needed = c.normaliser.invert(needed_n)
            else:
                needed, comparison = _lower_bound(c.normaliser, ONE - needed_n)
            if needed is not None and comparison != "<":
                needed = _settle_needed(model, ladder, facts, c.source, needed, comparison, better)
        out.append(Requirement(c.name, c.source, raw, needed, comparison))
    return WhatItTakes(facts.account_id, current, better.grade, target, s.total, tuple(out))


_CENT: Final = Decimal("0.01")
_NUDGES: Final = 3  # cents tried past the solved value, for rounding that needs more


def _rounding_threshold(needed: Decimal, unit: Decimal, rounding: Rounding) -> Decimal:
    """The smallest exact contribution that rounds to at least ``needed``.

    The rounded contribution must reach ``needed`` rounded up to a whole ``unit``; a
    half-way rounding gets there from half a unit below, truncation only at it. For
    rounding away from zero the answer is just above one unit below; the caller's
    check by rescoring then moves past it.
    """
    q = Rounding.CEILING.apply(needed / unit, 0) * unit
    if rounding in {Rounding.HALF_UP, Rounding.HALF_EVEN}:
        return q - unit / 2
    if rounding in {Rounding.UP, Rounding.CEILING}:
        return q - unit
    return q


def _settle_needed(  # noqa: PLR0917 - internal
    model: WeightedScorecard,
    ladder: GradeLadder,
    facts: AccountFacts,
    figure: str,
    needed: Decimal,
    comparison: str,
    better: GradeBand,
) -> Decimal | None:
    """Round ``needed`` to a cent on the safe side and check it by rescoring.

    Up for ``>=``, down for ``<=``; when the scorecard's rounding needs a little more
    (rounding half to even, or away from zero), up to a few cents more are tried.
    ``None`` when no value within them reaches the target.
    """
    safe = Rounding.CEILING if comparison == ">=" else Rounding.FLOOR
    step = _CENT if comparison == ">=" else -_CENT

    def reaches(value: Decimal) -> bool | None:
        try:
            trial = model.score(facts.with_figure(figure, value))
        except ValidationError:
            return None  # the figure can't take that value (a negative amount)
        return ladder.rank(ladder.grade_of(trial.total)) <= ladder.rank(better.grade)

    value = safe.apply(needed, 2)
    for _ in range(_NUDGES + 1):
        found = reaches(value)
        if found is None:
            return None
        if found:
            # ``needed`` is exact only to the context's precision (1 - 57.4/60 repeats),
            # so a cent on the easy side may reach the grade too: take the tightest
            for _ in range(_NUDGES):
                if not reaches(value - step):
                    break
                value -= step
            return value
        value += step
    return None  # rounding of contributions kept it just below


def _lower_bound(n: Normaliser, fraction: Decimal) -> tuple[Decimal | None, str]:
    """The largest figure whose raw fraction is at most ``fraction`` (and how to compare)."""
    if fraction < 0:
        return None, "<="
    if n.steps:  # a step table, or a fitted percentile normaliser
        first = next((s for s in n.steps if s.value > fraction), None)
        return (None, "<=") if first is None else (first.at, "<")
    if n.kind is NormaliserKind.LOG:
        return n.invert(fraction), "<="
    if n.lower is None or n.upper is None:
        return None, "<="  # pragma: no cover - scoring refused an unfitted model already
    return n.lower + fraction * (n.upper - n.lower), "<="
