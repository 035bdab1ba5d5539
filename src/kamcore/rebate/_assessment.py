"""Salesperson assessment (绩效考核): target attainment, attendance, competency, scorecard."""

from __future__ import annotations

import enum
import itertools
import math
import numbers
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Final

import attrs

from kamcore._convert import enum_field, tuple_of
from kamcore._display import html_table
from kamcore._validate import (
    checked_field,
    count,
    decimal_in,
    instance_of,
    is_text,
    required_text,
    text,
    whole,
)
from kamcore._validate import money as to_money
from kamcore.calendar import Period
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money, Rounding

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


_NUMBER: Final = "a number such as 100 or '0.05'"


def _no_float(value: object, field: str, expected: str) -> None:
    """Refuse a binary float (numpy's too): points and ratios are exact decimals."""
    if isinstance(value, float) or (
        isinstance(value, numbers.Real) and not isinstance(value, numbers.Rational)
    ):
        raise ValidationError(
            field=field,
            value=value,
            expected=expected,
            problem="a float is inexact",
        )


def _number(value: object, field: str) -> Decimal:
    """A policy's or a score's number: an exact, finite decimal, floats refused."""
    _no_float(value, field, _NUMBER)
    return decimal_in(value, field, expected=_NUMBER)


def _places(value: object, field: str) -> int:
    """Digits kept after the point: a whole number from 0 to 10."""
    return whole(value, field, low=0, high=10, expected="a whole number from 0 to 10")


def _lines(value: Iterable[ScoreLine]) -> tuple[ScoreLine, ...]:
    return tuple_of(value, ScoreLine, "lines")


def _bands(value: Iterable[LatenessBand]) -> tuple[LatenessBand, ...]:
    return tuple_of(value, LatenessBand, "lateness")


def _descriptors(value: Iterable[Descriptor]) -> tuple[Descriptor, ...]:
    return tuple_of(value, Descriptor, "descriptors")


def _weights(value: Iterable[ScoreWeight]) -> tuple[ScoreWeight, ...]:
    return tuple_of(value, ScoreWeight, "weights")


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return f"+{text}" if value > 0 else text


def _pct(value: Fraction) -> str:
    pct = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return f"{pct.quantize(Decimal('0.01')).normalize():f}%"


# -- explanations ----------------------------------------------------------------------


@attrs.frozen
class ScoreLine:
    """One explained contribution to a score: what, and how many points (signed).

    Raises:
        ValidationError: ``item`` is not a string or ``points`` not an exact number
            (the error names the field).
    """

    item: str = attrs.field(validator=is_text)
    points: Decimal = checked_field(_number)


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

    component: str = attrs.field(validator=required_text)
    score: Decimal = checked_field(_number)
    full_marks: Decimal = checked_field(_number)
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
    text(component, "component")
    parts = tuple_of(scores, ComponentScore, "scores")
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

    standard_score: Decimal = checked_field(_number, default=_HUNDRED)
    step: Decimal = checked_field(_number, default=Decimal("0.05"))
    points_per_step: Decimal = checked_field(_number, default=Decimal(1))
    partial: PartialSteps = PartialSteps.FULL_ONLY
    max_bonus: Decimal | None = checked_field(_number, default=None, optional=True)
    max_deduction: Decimal | None = checked_field(_number, default=None, optional=True)
    places: int = checked_field(_places, default=2)
    rounding: Rounding = enum_field(Rounding, default=Rounding.HALF_UP)

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
    revision_approved: bool = attrs.field(default=False)

    @revision_approved.validator
    def _check_approved(self, attribute: attrs.Attribute[object], value: object) -> None:
        if not isinstance(value, bool):
            raise ValidationError(field="revision_approved", value=value, expected="true or false")

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


_RATIO: Final = "a non-negative ratio: a Decimal, a Fraction, an int or a decimal string"


def _ratio(value: object) -> Fraction:
    """An attainment ratio as an exact fraction; floats, NaN and infinities refused."""
    if isinstance(value, Fraction):
        ratio = value
    else:
        _no_float(value, "attainment", _RATIO)
        ratio = Fraction(decimal_in(value, "attainment", expected=_RATIO))
    if ratio < 0:
        raise ValidationError(field="attainment", value=value, expected=_RATIO, problem="negative")
    return ratio


def attainment_points(rule: AttainmentRule, attainment: Decimal | Fraction) -> Decimal:
    """The points added (positive) or deducted (negative) for an attainment ratio.

    Args:
        rule: The rule.
        attainment: Actual over target (``Decimal("0.95")`` is 95% of plan): a
            ``Decimal``, a ``Fraction``, an ``int`` or a decimal string. Floats are
            refused (``0.9`` is not exactly nine tenths, and would lose a step).

    Returns:
        Points relative to the standard score, capped as the rule says.

    Raises:
        ValidationError: ``rule`` is not an :class:`AttainmentRule`; ``attainment`` is
            a float, NaN, an infinity, negative or not a number (the error names it).

    Examples:
        >>> rule = AttainmentRule()
        >>> [attainment_points(rule, Decimal(a)) for a in ("0.96", "0.95", "0.9", "1.1")]
        [Decimal('0'), Decimal('-1'), Decimal('-2'), Decimal('2')]
    """
    instance_of(rule, AttainmentRule, "rule", expected="an AttainmentRule")
    raw = (_ratio(attainment) - 1) / Fraction(rule.step)
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
        ValidationError: A negative actual, money in another currency than the target,
            a ``rule`` that is not an :class:`AttainmentRule` or a ``target`` that is not
            a :class:`Target` (the error names the field).

    Examples:
        >>> s = assess_attainment(AttainmentRule(), actual="890000",
        ...                       target=Target(normal="1000000"))
        >>> s.score, [line.item for line in s.lines][-1]
        (Decimal('98'), 'attainment 89% of plan: 2 full 5% steps below')
    """
    instance_of(rule, AttainmentRule, "rule", expected="an AttainmentRule")
    plan = instance_of(target, Target, "target", expected="a Target").effective
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

    min_times: int = checked_field(whole)
    max_times: int | None = checked_field(whole, optional=True)
    points: Decimal = checked_field(_number)


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

    full_marks: Decimal = checked_field(_number, default=_HUNDRED)
    per_day_short: Decimal = checked_field(_number, default=Decimal(1))
    lateness: tuple[LatenessBand, ...] = attrs.field(default=_SOURCE_BANDS, converter=_bands)
    min_score: Decimal = checked_field(_number, default=_ZERO)

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
    instance_of(rule, AttendanceRule, "rule", expected="an AttendanceRule")
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
    """One level of a descriptor scale: its name, points and what it looks like.

    Raises:
        ValidationError: A level that is not a string, points that are not an exact
            number, a description that is not a string (the error names the field).
    """

    level: str = attrs.field(validator=is_text)
    points: Decimal = checked_field(_number)
    description: str = attrs.field(default="", validator=is_text)


@attrs.frozen(kw_only=True)
class DescriptorScale:
    """A competency rated on graded descriptors (能力评价), e.g. analysis and judgement.

    The source rates each competency on four graded descriptors (rules §3.2); the
    presets ``rebate_competency_analysis`` and ``rebate_competency_communication`` hold
    its levels and points, with documented defaults where the source is illegible.

    Raises:
        PolicyError: Fewer than two levels, an empty or repeated level, negative points,
            or a level that earns more than the one above it (levels run from the top
            down).
        ValidationError: Descriptors that are not a sequence of :class:`Descriptor`, or
            a name that is not a string (the error names the field).

    Examples:
        >>> scale = DescriptorScale(name="analysis and judgement", zh="分析判断能力",
        ...     descriptors=[Descriptor(level="top", points=5, description="applies it to win sales"),
        ...                  Descriptor(level="strong", points=4), Descriptor(level="fair", points=3),
        ...                  Descriptor(level="weak", points=2)])
        >>> rate_competency(scale, "top").lines[0].item
        'analysis and judgement (分析判断能力): top — applies it to win sales'
    """  # noqa: E501

    name: str = attrs.field(validator=is_text)
    descriptors: tuple[Descriptor, ...] = attrs.field(converter=_descriptors)
    zh: str = attrs.field(default="", validator=is_text)

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
        ValidationError: The level is not on the scale, or ``scale`` is not a
            :class:`DescriptorScale`.
    """
    instance_of(scale, DescriptorScale, "scale", expected="a DescriptorScale")
    text(level, "level")
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

    component: str = attrs.field(validator=is_text)
    weight: Decimal = checked_field(_number)


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
    places: int = checked_field(_places, default=2)
    rounding: Rounding = enum_field(Rounding, default=Rounding.HALF_UP)
    name: str = attrs.field(default="", validator=is_text)

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


def _components(value: Iterable[ComponentScore]) -> tuple[ComponentScore, ...]:
    return tuple_of(value, ComponentScore, "components")


def _contributions(value: Iterable[Decimal]) -> tuple[Decimal, ...]:
    items = tuple_of(value, object, "contributions")
    return tuple(_number(v, f"contributions[{i}]") for i, v in enumerate(items))


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

    salesperson: str = attrs.field(validator=required_text)
    period: Period = attrs.field()
    policy: ScorecardPolicy = attrs.field()
    components: tuple[ComponentScore, ...] = attrs.field(converter=_components)
    contributions: tuple[Decimal, ...] = attrs.field(converter=_contributions)
    total: Decimal = checked_field(_number)

    @period.validator
    def _check_period(self, attribute: attrs.Attribute[object], value: object) -> None:
        instance_of(value, Period, "period", expected="a Period")

    @policy.validator
    def _check_policy(self, attribute: attrs.Attribute[object], value: object) -> None:
        instance_of(value, ScorecardPolicy, "policy", expected="a ScorecardPolicy")

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
            weigh, or one it weighs missing; a ``policy``, ``salesperson``, ``period``
            or component of the wrong type (the error names the field).
    """
    instance_of(policy, ScorecardPolicy, "policy", expected="a ScorecardPolicy")
    text(salesperson, "salesperson")
    instance_of(period, Period, "period", expected="a Period")
    given = tuple_of(components, ComponentScore, "components")
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
