"""Salesperson assessment (绩效考核): target attainment, attendance, competency, scorecard."""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from kamcore._display import html_table
from kamcore._validate import count, decimal_in
from kamcore._validate import money as to_money
from kamcore.calendar import Period
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money, Rounding, as_decimal

__all__ = [
    "AttainmentRule",
    "AttendanceRule",
    "ComponentScore",
    "Descriptor",
    "DescriptorScale",
    "LatenessBand",
    "PartialSteps",
    "ScoreLine",
    "ScoreWeight",
    "Scorecard",
    "ScorecardPolicy",
    "Target",
    "assess_attainment",
    "assess_attendance",
    "attainment_points",
    "combine_scores",
    "rate_competency",
    "score_salesperson",
]

_ZERO: Final = Decimal(0)
_HUNDRED: Final = Decimal(100)


def _num(value: object) -> Decimal:
    """A policy's number: an exact decimal, floats refused (the error names no field)."""
    return decimal_in(value, "", expected="a number such as 100 or '0.05'")


def _opt_dec(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="cap", expected="a number or None")


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return f"+{text}" if value > 0 else text


def _pct(value: Fraction) -> str:
    pct = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return f"{pct.quantize(Decimal('0.01')).normalize():f}%"


# -- explanations ----------------------------------------------------------------------


@attrs.frozen
class ScoreLine:
    """One explained contribution to a score: what, and how many points (signed)."""

    item: str
    points: Decimal


def _lines(value: Iterable[ScoreLine]) -> tuple[ScoreLine, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ComponentScore:
    """A score with its explanation: the lines always add up to the score.

    Attributes:
        component: What was assessed (``"attainment"``, ``"attendance"``, ...).
        score: The points earned.
        full_marks: The points for meeting the standard exactly (scores may exceed it
            when a bonus is earned).
        lines: Every contribution, in order; their points add up to ``score``.

    Raises:
        ValidationError: Non-positive full marks, or lines that do not add up.
    """

    component: str
    score: Decimal = attrs.field(converter=_num)
    full_marks: Decimal = attrs.field(converter=_num)
    lines: tuple[ScoreLine, ...] = attrs.field(converter=_lines)

    def __attrs_post_init__(self) -> None:
        if self.full_marks <= 0:
            raise ValidationError(
                field="full_marks", value=self.full_marks, expected="a positive number"
            )
        added = sum((line.points for line in self.lines), _ZERO)
        if added != self.score:
            raise ValidationError(
                field="lines",
                value=str(added),
                expected=f"lines adding up to the score {self.score}",
                problem="the explanation does not add up",
            )


def combine_scores(component: str, scores: Iterable[ComponentScore]) -> ComponentScore:
    """Add several scores into one component (e.g. all competency ratings).

    Examples:
        >>> a = ComponentScore(component="a", score=3, full_marks=5,
        ...                    lines=[ScoreLine("a: fair", Decimal(3))])
        >>> combine_scores("competency", [a, a]).score
        Decimal('6')
    """
    parts = tuple(scores)
    if not parts:
        raise ValidationError(field="scores", value=(), expected="at least one score")
    return ComponentScore(
        component=component,
        score=sum((p.score for p in parts), _ZERO),
        full_marks=sum((p.full_marks for p in parts), _ZERO),
        lines=tuple(line for p in parts for line in p.lines),
    )


# -- target attainment -----------------------------------------------------------------


class PartialSteps(enum.Enum):
    """How a part of a 5% step counts."""

    FULL_ONLY = "full_only"
    """Only full steps count (the source: "every 5% below deducts 1 point")."""
    PRO_RATA = "pro_rata"
    """A part of a step earns that part of a point (rounded to ``places``)."""


@attrs.frozen(kw_only=True)
class AttainmentRule:
    """Target-attainment scoring (目标达成): 100% of plan is the standard score.

    Every full ``step`` (5%) below plan deducts ``points_per_step`` (1), every full
    step above adds it (rules §3.2). Partial steps and caps are configurable.

    Attributes:
        standard_score: The score for exactly 100% of plan.
        step: The size of a step, as a fraction of plan (``0.05``).
        points_per_step: Points per step.
        partial: Whether partial steps count (``FULL_ONLY`` by default).
        max_bonus: The most points that can be added (``None``: no cap).
        max_deduction: The most points that can be deducted (``None``: no cap).
        places: Digits kept when partial steps count.
        rounding: How partial points are rounded.

    Raises:
        PolicyError: A negative standard score, a step outside (0, 1], non-positive
            points per step, or a negative cap.
    """

    standard_score: Decimal = attrs.field(default=_HUNDRED, converter=_num)
    step: Decimal = attrs.field(default=Decimal("0.05"), converter=_num)
    points_per_step: Decimal = attrs.field(default=Decimal(1), converter=_num)
    partial: PartialSteps = PartialSteps.FULL_ONLY
    max_bonus: Decimal | None = attrs.field(default=None, converter=_opt_dec)
    max_deduction: Decimal | None = attrs.field(default=None, converter=_opt_dec)
    places: int = 2
    rounding: Rounding = Rounding.HALF_UP

    def __attrs_post_init__(self) -> None:
        def bad(part: str, message: str) -> PolicyError:
            return PolicyError(message, policy="AttainmentRule", part=part)

        if self.standard_score <= 0:
            raise bad("standard_score", f"must be positive, not {self.standard_score}")
        if not _ZERO < self.step <= 1:
            raise bad("step", f"must be a fraction of plan in (0, 1], not {self.step}")
        if self.points_per_step <= 0:
            raise bad("points_per_step", f"must be positive, not {self.points_per_step}")
        for part in ("max_bonus", "max_deduction"):
            cap = getattr(self, part)
            if cap is not None and cap < 0:
                raise bad(part, f"a cap can't be negative ({cap})")
        if not isinstance(self.partial, PartialSteps):
            raise bad("partial", f"must be 'full_only' or 'pro_rata', not {self.partial!r}")


def _target_amount(value: object, field: str) -> Money:
    money = to_money(value, field)
    if money.amount <= 0:
        raise ValidationError(field=field, value=value, expected="a positive target amount")
    return money


def _normal_target(value: object) -> Money:
    return _target_amount(value, "normal")


def _opt_target(value: object) -> Money | None:
    return None if value is None else _target_amount(value, "revised")


@attrs.frozen(kw_only=True)
class Target:
    """A salesperson's target for a period, with any mid-period revision.

    A target changed during the period without the KA director's approval (大客户总监
    批准) is assessed against the normal target (rules §3.2).

    Attributes:
        normal: The normal (original) target.
        revised: A target set during the period, if any.
        revision_approved: Whether the KA director approved the revision.

    Raises:
        ValidationError: A target that is not positive, or a revision in another
            currency than the normal target.
    """

    normal: Money = attrs.field(converter=_normal_target)
    revised: Money | None = attrs.field(default=None, converter=_opt_target)
    revision_approved: bool = False

    def __attrs_post_init__(self) -> None:
        if self.revised is not None and self.revised.currency != self.normal.currency:
            raise ValidationError(
                field="revised",
                value=self.revised,
                expected=f"money in {self.normal.currency}, the normal target's currency",
                problem="wrong currency",
            )

    @property
    def effective(self) -> Money:
        """The target assessed against: the revision only if it was approved."""
        if self.revised is not None and self.revision_approved:
            return self.revised
        return self.normal

    def describe(self) -> str:
        """Which target is used, and why."""
        text = f"target {self.effective.amount:,}"
        if self.revised is None:
            return text
        if self.revision_approved:
            return f"{text} (revised, approved by the KA director)"
        return (
            f"{text} (normal target; the revision to {self.revised.amount:,} "
            f"was not approved by the KA director)"
        )


def attainment_points(rule: AttainmentRule, attainment: Decimal | Fraction) -> Decimal:
    """The points added (positive) or deducted (negative) for an attainment ratio.

    Args:
        rule: The rule.
        attainment: Actual over target (``Decimal("0.95")`` is 95% of plan).

    Returns:
        Points relative to the standard score, capped as the rule says.

    Examples:
        >>> rule = AttainmentRule()
        >>> [attainment_points(rule, Decimal(a)) for a in ("0.96", "0.95", "0.9", "1.1")]
        [Decimal('0'), Decimal('-1'), Decimal('-2'), Decimal('2')]
    """
    raw = (Fraction(attainment) - 1) / Fraction(rule.step)
    if rule.partial is PartialSteps.FULL_ONLY:
        points = Decimal(math.trunc(raw)) * rule.points_per_step
    else:
        exact = raw * Fraction(rule.points_per_step)
        points = rule.rounding.apply(
            Decimal(exact.numerator) / Decimal(exact.denominator), rule.places
        )
    if rule.max_bonus is not None:
        points = min(points, rule.max_bonus)
    if rule.max_deduction is not None:
        points = max(points, -rule.max_deduction)
    return points + 0  # normalises -0 to 0


def assess_attainment(
    rule: AttainmentRule, *, actual: Money | Decimal | int | str, target: Target
) -> ComponentScore:
    """Score target attainment, explaining the target used and every step.

    Raises:
        ValidationError: A negative actual, or money in another currency than the target.

    Examples:
        >>> s = assess_attainment(AttainmentRule(), actual="890000",
        ...                       target=Target(normal="1000000"))
        >>> s.score, [line.item for line in s.lines][-1]
        (Decimal('98'), 'attainment 89% of plan: 2 full 5% steps below')
    """
    plan = target.effective
    money = to_money(actual, "actual")
    if money.currency != plan.currency:
        raise ValidationError(
            field="actual", value=money, expected=f"money in {plan.currency}", problem="currency"
        )
    if money.amount < 0:
        raise ValidationError(field="actual", value=actual, expected="a non-negative amount")
    ratio = Fraction(money.amount) / Fraction(plan.amount)
    points = attainment_points(rule, ratio)
    raw = (ratio - 1) / Fraction(rule.step)
    step_pct = f"{(rule.step * 100).normalize():f}%"
    if rule.partial is PartialSteps.FULL_ONLY:
        n = abs(math.trunc(raw))
        how = "below" if raw < 0 else "above"
        what = f"{n} full {step_pct} step{'s' if n != 1 else ''} {how}" if n else "on plan"
    else:
        steps = rule.rounding.apply(Decimal(raw.numerator) / Decimal(raw.denominator), 4)
        what = f"{_fmt(steps.normalize())} steps of {step_pct}"
    lines = [
        ScoreLine(f"standard score for 100% of plan; {target.describe()}", rule.standard_score),
        ScoreLine(f"attainment {_pct(ratio)} of plan: {what}", points),
    ]
    return ComponentScore(
        component="attainment",
        score=rule.standard_score + points,
        full_marks=rule.standard_score,
        lines=lines,
    )


# -- attendance ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LatenessBand:
    """Points deducted for being late ``min_times``–``max_times`` times in a month."""

    min_times: int
    max_times: int | None
    points: Decimal = attrs.field(converter=_num)


def _bands(value: Iterable[LatenessBand]) -> tuple[LatenessBand, ...]:
    return tuple(value)


_SOURCE_BANDS: Final = (
    LatenessBand(min_times=1, max_times=3, points=Decimal(1)),
    LatenessBand(min_times=4, max_times=6, points=Decimal(2)),
)


@attrs.frozen(kw_only=True)
class AttendanceRule:
    """Attendance scoring (考勤): full attendance is full marks (rules §3.2).

    Each day short deducts ``per_day_short`` (1); being late deducts by band: 1–3 times
    a month −1, 4–6 times −2 (the source's bands). The source says nothing about more
    than 6 times, so the default rule refuses to guess: add a band (say 7 times and up,
    ``max_times = None``) to score it.

    Raises:
        PolicyError: Non-positive full marks, a negative deduction, or bands that do not
            run contiguously from 1 (only the last may be open-ended).
    """

    full_marks: Decimal = attrs.field(default=_HUNDRED, converter=_num)
    per_day_short: Decimal = attrs.field(default=Decimal(1), converter=_num)
    lateness: tuple[LatenessBand, ...] = attrs.field(default=_SOURCE_BANDS, converter=_bands)
    min_score: Decimal = attrs.field(default=_ZERO, converter=_num)

    def __attrs_post_init__(self) -> None:
        def bad(part: str, message: str) -> PolicyError:
            return PolicyError(message, policy="AttendanceRule", part=part)

        if self.full_marks <= 0:
            raise bad("full_marks", f"must be positive, not {self.full_marks}")
        if self.per_day_short < 0:
            raise bad("per_day_short", f"can't be negative ({self.per_day_short})")
        expected_min = 1
        for i, band in enumerate(self.lateness):
            part = f"lateness[{i}]"
            if band.min_times != expected_min:
                raise bad(part, f"must start at {expected_min} times, not {band.min_times}")
            if band.points < 0:
                raise bad(part, f"points can't be negative ({band.points})")
            if band.max_times is None:
                if i != len(self.lateness) - 1:
                    raise bad(part, "only the last band may be open-ended")
                break
            if band.max_times < band.min_times:
                raise bad(part, f"ends ({band.max_times}) before it starts ({band.min_times})")
            expected_min = band.max_times + 1

    def band_for(self, times_late: int) -> LatenessBand | None:
        """The band ``times_late`` falls in (``None`` for 0).

        Raises:
            ValidationError: More lateness than any band covers.
        """
        if times_late == 0:
            return None
        for band in self.lateness:
            if band.max_times is None or band.min_times <= times_late <= band.max_times:
                return band
        top = self.lateness[-1].max_times if self.lateness else 0
        raise ValidationError(
            field="times_late",
            value=times_late,
            expected=f"at most {top} (the rule's bands); add a band for more",
            problem="the attendance rule does not say how to score this",
        )


def assess_attendance(rule: AttendanceRule, *, days_short: int, times_late: int) -> ComponentScore:
    """Score a month's attendance, one line per deduction.

    Args:
        rule: The rule.
        days_short: Days of attendance short of the required days.
        times_late: Times late in the month.

    Examples:
        >>> s = assess_attendance(AttendanceRule(), days_short=2, times_late=4)
        >>> s.score, [(line.item, line.points) for line in s.lines][1:]
        (Decimal('96'), [('2 days short × 1', Decimal('-2')), ('late 4 times (band 4–6)', Decimal('-2'))])
    """  # noqa: E501
    short = count(days_short, "days_short")
    late = count(times_late, "times_late")
    lines = [ScoreLine("full attendance", rule.full_marks)]
    if short:
        lines.append(
            ScoreLine(
                f"{short} day{'s' if short != 1 else ''} short × {_fmt(rule.per_day_short)[1:]}",
                -rule.per_day_short * short,
            )
        )
    band = rule.band_for(late)
    if band is not None:
        span = (
            f"{band.min_times}+"
            if band.max_times is None
            else (f"{band.min_times}–{band.max_times}")
        )
        lines.append(ScoreLine(f"late {late} times (band {span})", -band.points))
    score = sum((line.points for line in lines), _ZERO)
    if score < rule.min_score:
        lines.append(ScoreLine(f"floor at {rule.min_score}", rule.min_score - score))
        score = rule.min_score
    return ComponentScore(
        component="attendance", score=score, full_marks=rule.full_marks, lines=lines
    )


# -- competency ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Descriptor:
    """One level of a descriptor scale: its name, points and what it looks like."""

    level: str
    points: Decimal = attrs.field(converter=_num)
    description: str = ""


def _descriptors(value: Iterable[Descriptor]) -> tuple[Descriptor, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class DescriptorScale:
    """A competency rated on graded descriptors (能力评价), e.g. analysis and judgement.

    Raises:
        PolicyError: Fewer than two levels, an empty or repeated level, negative points,
            or a level that earns more than the one above it (levels run from the top
            down).

    Examples:
        >>> scale = DescriptorScale(name="analysis and judgement", zh="分析判断能力",
        ...     descriptors=[Descriptor(level="strong", points=10, description="applies it flexibly"),
        ...                  Descriptor(level="fair", points=6), Descriptor(level="weak", points=2)])
        >>> rate_competency(scale, "strong").lines[0].item
        'analysis and judgement (分析判断能力): strong — applies it flexibly'
    """  # noqa: E501

    name: str
    descriptors: tuple[Descriptor, ...] = attrs.field(converter=_descriptors)
    zh: str = ""

    def __attrs_post_init__(self) -> None:
        part = f"scale {self.name!r}"
        if len(self.descriptors) < 2:
            raise PolicyError(
                "a scale needs at least two levels", policy="DescriptorScale", part=part
            )
        seen: set[str] = set()
        for d in self.descriptors:
            if not d.level.strip() or d.level in seen:
                raise PolicyError(
                    f"level {d.level!r} is empty or repeated", policy="DescriptorScale", part=part
                )
            if d.points < 0:
                raise PolicyError(
                    f"level {d.level!r} has negative points", policy="DescriptorScale", part=part
                )
            seen.add(d.level)
        for upper, lower in itertools.pairwise(self.descriptors):
            if lower.points > upper.points:  # levels run from the top down
                raise PolicyError(
                    f"level {lower.level!r} ({lower.points} points) is below {upper.level!r} "
                    f"but earns more ({upper.points}); levels run from the top down",
                    policy="DescriptorScale",
                    part=part,
                )

    @property
    def max_points(self) -> Decimal:
        """The points of the top level."""
        return max(d.points for d in self.descriptors)


def rate_competency(scale: DescriptorScale, level: str) -> ComponentScore:
    """Score one competency at ``level``; full marks are the scale's top points.

    Raises:
        ValidationError: The level is not on the scale.
    """
    for d in scale.descriptors:
        if d.level == level:
            name = f"{scale.name} ({scale.zh})" if scale.zh else scale.name
            detail = f" — {d.description}" if d.description else ""
            return ComponentScore(
                component=scale.name,
                score=d.points,
                full_marks=scale.max_points if scale.max_points > 0 else Decimal(1),
                lines=[ScoreLine(f"{name}: {d.level}{detail}", d.points)],
            )
    raise ValidationError(
        field="level",
        value=level,
        expected=f"one of: {', '.join(d.level for d in scale.descriptors)}",
        problem=f"not a level of {scale.name!r}",
    )


# -- scorecard -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ScoreWeight:
    """The weight of one component in a scorecard (a fraction; weights sum to 1)."""

    component: str
    weight: Decimal = attrs.field(converter=_num)


def _weights(value: Iterable[ScoreWeight]) -> tuple[ScoreWeight, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ScorecardPolicy:
    """How a salesperson's components combine into one score out of 100.

    Each component contributes ``weight × score / full_marks × 100``; the total is
    rounded once to ``places`` with ``rounding``. The contributions shown by
    :meth:`Scorecard.explain` are rounded so that they add up exactly to that total
    (largest remainder; see :attr:`Scorecard.rounded_contributions`).

    Raises:
        PolicyError: No components, a repeated one, a weight ≤ 0, or weights that do not
            sum to exactly 1.
    """

    weights: tuple[ScoreWeight, ...] = attrs.field(converter=_weights)
    places: int = 2
    rounding: Rounding = Rounding.HALF_UP
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.weights:
            raise PolicyError("a scorecard needs at least one component", policy="ScorecardPolicy")
        seen: set[str] = set()
        for i, w in enumerate(self.weights):
            if w.component in seen or w.weight <= 0:
                raise PolicyError(
                    f"component {w.component!r} is repeated or has weight ≤ 0",
                    policy="ScorecardPolicy",
                    part=f"weights[{i}]",
                )
            seen.add(w.component)
        weight_sum = sum((w.weight for w in self.weights), _ZERO)
        if weight_sum != 1:
            raise PolicyError(
                f"weights sum to {weight_sum}, not 1", policy="ScorecardPolicy", part="weights"
            )


def _allocate(exact: tuple[Decimal, ...], total: Decimal, places: int) -> tuple[Decimal, ...]:
    """Round ``exact`` to ``places`` so that the results add up to ``total``.

    Largest remainder: every value is first rounded down (toward −∞); the units of
    ``10**-places`` still missing to reach ``total`` go one each to the values with the
    largest remainders, the earlier value first when remainders are equal.
    """
    unit = Decimal(1).scaleb(-places)
    floors = [Rounding.FLOOR.apply(value, places) for value in exact]
    residue = int((total - sum(floors, _ZERO)) / unit)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:residue]:
        floors[i] += unit
    return tuple(floors)


@attrs.frozen(kw_only=True)
class Scorecard:
    """A salesperson's explained score for a period (考核表).

    Attributes:
        salesperson: Who.
        period: The period assessed.
        policy: The policy that weighed the components.
        components: Every component score, in the policy's order.
        contributions: Each component's weighted points out of 100, unrounded.
        total: The score out of 100 (more with bonuses): the sum of the contributions,
            rounded once with the policy's places and rounding.

    Raises:
        ValidationError: Components or contributions that do not match the policy's
            weights one for one, or a total that is not the rounded sum of the
            contributions.
    """

    salesperson: str
    period: Period
    policy: ScorecardPolicy
    components: tuple[ComponentScore, ...]
    contributions: tuple[Decimal, ...]
    total: Decimal

    def __attrs_post_init__(self) -> None:
        wanted = [w.component for w in self.policy.weights]
        names = [c.component for c in self.components]
        if names != wanted:
            raise ValidationError(
                field="components",
                value=names,
                expected=f"one score for each of {', '.join(wanted)}, in that order",
                problem="components do not match the policy",
            )
        if len(self.contributions) != len(wanted):
            raise ValidationError(
                field="contributions",
                value=len(self.contributions),
                expected=f"{len(wanted)} contributions, one per component",
                problem="wrong number of contributions",
            )
        exact = self.policy.rounding.apply(sum(self.contributions, _ZERO), self.policy.places)
        if self.total != exact:
            raise ValidationError(
                field="total",
                value=self.total,
                expected=f"{exact}, the rounded sum of the contributions",
                problem="the total does not add up",
            )

    @property
    def rounded_contributions(self) -> tuple[Decimal, ...]:
        """Each contribution rounded to the policy's places, adding up exactly to the total.

        Rounding every contribution on its own could print lines that disagree with
        the total (two contributions of 49.995 print 50.00 and 50.00, the total is
        99.99). Instead the rounding residue is allocated by largest remainder: each
        contribution is rounded down, then the units still missing to reach the total
        go one each to the contributions with the largest remainders, the earlier
        component first when remainders are equal. Each is therefore its exact value
        rounded down or up, never further.

        Examples:
            >>> policy = ScorecardPolicy(weights=[ScoreWeight(component="a", weight="0.5"),
            ...                                   ScoreWeight(component="b", weight="0.5")])
            >>> parts = [ComponentScore(component=c, score="99.99", full_marks=100,
            ...                         lines=[ScoreLine(c, Decimal("99.99"))]) for c in "ab"]
            >>> card = score_salesperson(policy, salesperson="li",
            ...                          period=Period.month(2026, 3), components=parts)
            >>> card.rounded_contributions, card.total
            ((Decimal('50.00'), Decimal('49.99')), Decimal('99.99'))
        """
        return _allocate(self.contributions, self.total, self.policy.places)

    def _repr_html_(self) -> str:
        """The scorecard as an HTML table of its weighted components, for notebooks.

        The contributions are the rounded ones, which add up to the total; the notes
        are :meth:`explain`.
        """
        rows: list[dict[str, object]] = [
            {
                "component": comp.component,
                "score": comp.score,
                "full marks": comp.full_marks,
                "weight": weight.weight,
                "contribution": share,
            }
            for comp, weight, share in zip(
                self.components, self.policy.weights, self.rounded_contributions, strict=True
            )
        ]
        rows.append({"component": "total", "contribution": self.total})
        title = f"Scorecard of {self.salesperson}, {self.period}"
        return html_table(rows, title=title, notes=self.explain())

    def explain(self) -> tuple[str, ...]:
        """Every point, component by component; the component lines add up to the total.

        Each component line shows its contribution as in :attr:`rounded_contributions`.
        """
        out: list[str] = []
        for comp, weight, share in zip(
            self.components, self.policy.weights, self.rounded_contributions, strict=True
        ):
            out.append(
                f"{comp.component}: {comp.score:f} / {comp.full_marks:f} × "
                f"{(weight.weight * 100).normalize():f}% = {share}"
            )
            out.extend(f"  {_fmt(line.points)}  {line.item}" for line in comp.lines)
        out.append(f"total: {self.total}")
        return tuple(out)


def score_salesperson(
    policy: ScorecardPolicy,
    *,
    salesperson: str,
    period: Period,
    components: Iterable[ComponentScore],
) -> Scorecard:
    """Combine component scores into a weighted scorecard that explains every point.

    Raises:
        ValidationError: A component given more than once, one the policy does not
            weigh, or one it weighs missing.
    """
    given = tuple(components)
    counts: dict[str, int] = {}
    for c in given:
        counts[c.component] = counts.get(c.component, 0) + 1
    repeated = [name for name, n in counts.items() if n > 1]
    if repeated:
        raise ValidationError(
            field="components",
            value=repeated,
            expected="each component exactly once",
            problem="; ".join(f"{name!r} is given {counts[name]} times" for name in repeated),
        )
    by_name = {c.component: c for c in given}
    wanted = [w.component for w in policy.weights]
    extra = sorted(set(by_name) - set(wanted))
    missing = [w for w in wanted if w not in by_name]
    if extra or missing:
        raise ValidationError(
            field="components",
            value=sorted(by_name),
            expected=f"exactly: {', '.join(wanted)}",
            problem=f"missing {missing}, unexpected {extra}",
        )
    ordered = tuple(by_name[name] for name in wanted)
    contributions = tuple(
        w.weight * c.score * _HUNDRED / c.full_marks
        for w, c in zip(policy.weights, ordered, strict=True)
    )
    total = policy.rounding.apply(sum(contributions, _ZERO), policy.places)
    return Scorecard(
        salesperson=salesperson,
        period=period,
        policy=policy,
        components=ordered,
        contributions=contributions,
        total=total,
    )
