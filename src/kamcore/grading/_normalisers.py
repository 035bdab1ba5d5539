"""Normalisers: how a raw figure becomes a fraction between 0 and 1, and its direction.

A :class:`Normaliser` is fixed (linear, step table, log) or learns its bounds or steps
from a population (min–max, clipped, percentile, log between quantiles); the
criterion's :class:`Direction` then decides whether more is better.
"""

from __future__ import annotations

import decimal
import enum
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from itertools import islice
from operator import le
from typing import Final, cast

import attrs

from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._inputs import ONE, ZERO, enum_of, tuple_of
from kamcore.money import as_decimal

__all__ = [
    "MAX_POINTS",
    "NORMALISER_CONTEXT",
    "Direction",
    "Normaliser",
    "NormaliserKind",
    "Step",
    "applier",
    "rank_index",
]


class Direction(enum.Enum):
    """Whether more of a figure is better (销售收入) or worse (质量损失)."""

    HIGHER = "higher"
    LOWER = "lower"


class NormaliserKind(enum.Enum):
    """How a raw figure becomes a fraction between 0 and 1 (see :class:`Normaliser`)."""

    LINEAR = "linear"
    MINMAX = "minmax"
    STEPS = "steps"
    PERCENTILE = "percentile"
    CLIPPED = "clipped"
    LOG = "log"


#: The fixed context of the normalisers' own arithmetic (log scaling, percentile step
#: values, inverses): 28 significant digits, rounding half to even, whatever the
#: caller's context — so a fraction is the same on every machine and in every thread.
NORMALISER_CONTEXT: Final = decimal.Context(
    prec=28, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999
)
#: The most steps a percentile normaliser may have (a hundredth of a percentile).
MAX_POINTS: Final = 10_000
# Kinds whose bounds are learned from a population (``lower``/``upper`` set by fit).
_FITTED_BOUNDS: Final = frozenset(
    {NormaliserKind.MINMAX, NormaliserKind.CLIPPED, NormaliserKind.LOG}
)


def _dec_at(value: object) -> Decimal:
    return as_decimal(value, field="at")


def _dec_value(value: object) -> Decimal:
    return as_decimal(value, field="value")


def _opt_lower(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="lower")


def _opt_upper(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="upper")


def _opt_low_quantile(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="low_quantile")


def _opt_high_quantile(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="high_quantile")


def _figure(value: object, field: str) -> Decimal:
    """A raw figure: a finite ``Decimal`` or an ``int`` (not a bool, float or string)."""
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise ValidationError(
        field=field,
        value=value,
        expected="a finite Decimal or an int",
        problem="not a finite number"
        if isinstance(value, Decimal)
        else f"a {type(value).__name__}",
    )


def rank_index(q: Decimal, n: int) -> int:
    """The position (from 0) of the ``q``-quantile of ``n`` sorted values, by nearest rank.

    The ``q``-quantile is the ⌈q·n⌉-th smallest value (the smallest for ``q = 0``):
    always one of the values themselves, never an interpolation between two.

    Examples:
        >>> rank_index(Decimal("0.05"), 300), rank_index(Decimal("0.95"), 300)
        (14, 284)
        >>> rank_index(Decimal(0), 7), rank_index(Decimal(1), 7)
        (0, 6)
    """
    num, den = q.as_integer_ratio()
    return max(-(-num * n // den), 1) - 1


def _ascending(values: list[Decimal]) -> list[Decimal]:
    """``values`` sorted, as ``list.sort`` sorts them (equal values keep their order).

    Sorting by each value's float first is three times faster than comparing decimals
    (``float`` is correctly rounded, so never out of order; equal decimals have equal
    floats and keep their order, the sort being stable); one pass of exact comparisons
    then checks the result, and where two different decimals share a float and came in
    the wrong order, the decimals are sorted themselves.
    """
    try:
        ordered = sorted(values, key=float)
    except (TypeError, ValueError, OverflowError):  # pragma: no cover - not finite decimals
        return sorted(values)
    if all(map(le, ordered, islice(ordered, 1, None))):
        return ordered
    return sorted(values)


def _percentile_steps(ordered: Sequence[Decimal], points: int) -> tuple[Step, ...]:
    """The step table of the share of ``ordered`` (sorted, non-empty) at or below a figure.

    Step ``j`` (fraction ``j / points``) starts at the ⌈j·n/points⌉-th smallest figure:
    the smallest figure with at least that share of the population at or below it.
    Steps that start at the same figure merge into the highest of them.
    """
    n = len(ordered)
    steps: list[Step] = []
    divide = NORMALISER_CONTEXT.divide
    whole = Decimal(points)
    for j in range(1, points + 1):
        at = ordered[-(-j * n // points) - 1]
        step = Step(at, divide(Decimal(j), whole))
        if steps and steps[-1].at == at:
            steps[-1] = step
        else:
            steps.append(step)
    return tuple(steps)


@attrs.frozen
class Step:
    """One row of a step table: from ``at`` upward the fraction is ``value``.

    Args:
        at: The raw figure where this step starts.
        value: The fraction (0 to 1) for raw figures from ``at`` up to the next step.
    """

    at: Decimal = attrs.field(converter=_dec_at)
    value: Decimal = attrs.field(converter=_dec_value)


def _to_steps(value: Iterable[Step | tuple[object, object]]) -> tuple[Step, ...]:
    steps = []
    for i, s in enumerate(tuple_of(value, object, "steps")):
        if isinstance(s, Step):
            steps.append(s)
        elif isinstance(s, tuple | list) and len(s) == 2:
            steps.append(Step(s[0], s[1]))
        else:
            raise ValidationError(
                field=f"steps[{i}]",
                value=s,
                expected="a Step or an (at, value) pair",
                problem="wrong type",
            )
    return tuple(steps)


def _to_kind(value: object) -> NormaliserKind:
    return enum_of(value, NormaliserKind, "kind")


@attrs.frozen
class Normaliser:
    """Turns a raw figure into a fraction between 0 and 1 ("how much of it there is").

    The criterion's :class:`Direction` then decides whether that is good: for a
    lower-is-better criterion the normalised value is ``1 - fraction``.

    Fixed kinds score on their own:

    * ``LINEAR`` — ``(x - lower) / (upper - lower)``, clamped to [0, 1]; ``lower <
      upper`` required.
    * ``STEPS`` — a step table: the value of the last step whose ``at`` ≤ x (0 below
      the first step). Steps ascend in ``at`` and never decrease in ``value``.
    * ``LOG`` with fixed bounds — ``ln(1 + x - lower) / ln(1 + upper - lower)``,
      clamped to [0, 1]: log scaling for skewed amounts. Computed in
      :data:`NORMALISER_CONTEXT` (28 digits, half to even), whatever the caller's
      context.

    Population-fitted kinds learn from a population in :meth:`fit`, which returns a
    fitted copy (the bounds or steps it learned are plain policy data: saved with
    :mod:`kamcore.codec`, a fitted normaliser scores next month's accounts as it scored
    this month's). Missing figures are left out of the population. Quantiles are taken
    by *nearest rank* (:func:`rank_index`): the ``q``-quantile of ``n`` figures is the
    ⌈q·n⌉-th smallest (the smallest for ``q = 0``), always a figure of the population.

    * ``MINMAX`` — linear between the population's smallest and largest figure
      (``lower``/``upper`` stay ``None`` until fitted).
    * ``CLIPPED`` — linear between the ``low_quantile`` and ``high_quantile`` of the
      population (e.g. 0.05 and 0.95), clamped: the few largest accounts no longer
      squash everyone else towards 0. Quantiles 0 and 1 are min–max.
    * ``LOG`` with ``low_quantile``/``high_quantile`` — log scaling between those
      quantiles of the population (0 and 1: its smallest and largest figure).
    * ``PERCENTILE`` — the share of the fitted population whose figure is *at or below*
      ``x``, rounded down to a whole step of ``1/points`` (``points = 100``: whole
      percentiles; at most :data:`MAX_POINTS`). Ties share a fraction: accounts with
      equal figures get the same one, the share of all of them. The largest figure
      gets 1; a figure below the whole population gets 0; a figure between two of the
      population's gets the share of the lower. Fitting stores the rule as a step
      table (``steps``), so a fitted percentile normaliser scores, inverts and
      vectorises exactly as ``STEPS`` does; unfitted, it has no steps.

    When a fitted min–max, clipped or log normaliser has ``lower == upper`` (every
    account had the same figure), every account gets the full value 1.

    Examples:
        >>> Normaliser.linear(0, 200).apply(Decimal(50))
        Decimal('0.25')
        >>> Normaliser.step_table([(0, "0.2"), (100, "0.6"), (500, 1)]).apply(Decimal(120))
        Decimal('0.6')
        >>> book = [Decimal(v) for v in (10, 20, 20, 40, 80)]
        >>> p = Normaliser.percentile().fit(book)
        >>> p.apply(Decimal(20)), p.apply(Decimal(39)), p.percentile_of(Decimal(80))
        (Decimal('0.6'), Decimal('0.6'), Decimal('100'))
        >>> c = Normaliser.clipped("0.2", "0.8").fit(book)
        >>> c.lower, c.upper, c.apply(Decimal(30))
        (Decimal('10'), Decimal('40'), Decimal('0.6666666666666666666666666667'))
        >>> Normaliser.log(0, 999).apply(Decimal(99)).quantize(Decimal("0.0001"))  # ln 100/ln 1000
        Decimal('0.6667')
    """

    kind: NormaliserKind = attrs.field(default=NormaliserKind.LINEAR, converter=_to_kind)
    lower: Decimal | None = attrs.field(default=None, converter=_opt_lower)
    upper: Decimal | None = attrs.field(default=None, converter=_opt_upper)
    steps: tuple[Step, ...] = attrs.field(default=(), converter=_to_steps)
    points: int | None = None
    low_quantile: Decimal | None = attrs.field(default=None, converter=_opt_low_quantile)
    high_quantile: Decimal | None = attrs.field(default=None, converter=_opt_high_quantile)

    def __attrs_post_init__(self) -> None:
        kind = self.kind

        def bad(message: str, part: str = "") -> PolicyError:
            return PolicyError(message, policy="Normaliser", part=part or kind.value)

        if kind is NormaliserKind.PERCENTILE:
            if self.points is None:
                object.__setattr__(self, "points", 100)
            points = self.points
            if not isinstance(points, int) or isinstance(points, bool):
                raise bad(f"points {points!r} must be a whole number", "points")
            if not 1 <= points <= MAX_POINTS:
                raise bad(f"points {points} must be 1..{MAX_POINTS}", "points")
        elif self.points is not None:
            raise bad("only a percentile normaliser has points", "points")
        if self.low_quantile is not None or self.high_quantile is not None:
            self._check_quantiles(bad)
        if kind is NormaliserKind.STEPS or (kind is NormaliserKind.PERCENTILE and self.steps):
            self._check_steps(bad)
        elif self.steps:
            raise bad("only a step table (or a fitted percentile normaliser) has steps", "steps")
        self._check_bounds(bad)

    def _check_bounds(self, bad: Callable[[str, str], PolicyError]) -> None:
        kind, lower, upper = self.kind, self.lower, self.upper
        if kind is NormaliserKind.LINEAR or (
            kind is NormaliserKind.LOG and self.low_quantile is None
        ):
            if lower is None or upper is None or lower >= upper:
                raise bad(f"needs lower < upper (got {lower} and {upper})", "bounds")
        elif kind in _FITTED_BOUNDS:
            if kind is NormaliserKind.CLIPPED and self.low_quantile is None:
                raise bad("needs low_quantile and high_quantile (e.g. 0.05 and 0.95)", "quantiles")
            if (lower is None) != (upper is None) or (
                lower is not None and upper is not None and lower > upper
            ):
                raise bad(
                    f"fitted bounds must both be set with lower ≤ upper ({lower}, {upper})",
                    "bounds",
                )
        elif lower is not None or upper is not None:  # STEPS, PERCENTILE
            raise bad(f"a {kind.value} normaliser has no lower/upper bounds", "bounds")

    def _check_steps(self, bad: Callable[[str, str], PolicyError]) -> None:
        if not self.steps:
            raise bad("a step table needs at least one step", "steps")
        for i, step in enumerate(self.steps):
            if not ZERO <= step.value <= ONE:
                raise bad(f"value {step.value} is outside 0..1", f"steps[{i}]")
            if i and step.at <= self.steps[i - 1].at:
                raise bad(f"at {step.at} does not ascend", f"steps[{i}]")
            if i and step.value < self.steps[i - 1].value:
                raise bad(f"value {step.value} decreases", f"steps[{i}]")

    def _check_quantiles(self, bad: Callable[[str, str], PolicyError]) -> None:
        low, high = self.low_quantile, self.high_quantile
        if self.kind not in {NormaliserKind.CLIPPED, NormaliserKind.LOG}:
            raise bad("only a clipped or log normaliser has quantiles", "quantiles")
        if low is None or high is None:
            raise bad("needs both low_quantile and high_quantile", "quantiles")
        if not ZERO <= low < high <= ONE:
            raise bad(
                f"needs 0 ≤ low_quantile < high_quantile ≤ 1 (got {low} and {high})",
                "quantiles",
            )

    @classmethod
    def linear(cls, lower: Decimal | int | str, upper: Decimal | int | str) -> Normaliser:
        """Linear between ``lower`` (0) and ``upper`` (1), clamped."""
        return cls(NormaliserKind.LINEAR, lower, upper)

    @classmethod
    def minmax(cls) -> Normaliser:
        """Linear between the population's smallest and largest figure (fit first)."""
        return cls(NormaliserKind.MINMAX)

    @classmethod
    def step_table(cls, steps: Iterable[tuple[object, object]]) -> Normaliser:
        """A step table from ``(at, value)`` pairs."""
        return cls(NormaliserKind.STEPS, steps=_to_steps(steps))

    @classmethod
    def percentile(cls, points: int = 100) -> Normaliser:
        """The share of the population at or below a figure, in steps of ``1/points`` (fit first)."""  # noqa: E501
        return cls(NormaliserKind.PERCENTILE, points=points)

    @classmethod
    def clipped(
        cls,
        low_quantile: Decimal | int | str = "0.05",
        high_quantile: Decimal | int | str = "0.95",
    ) -> Normaliser:
        """Linear between two quantiles of the population, clamped (fit first)."""
        return cls(NormaliserKind.CLIPPED, low_quantile=low_quantile, high_quantile=high_quantile)

    @classmethod
    def log(
        cls,
        lower: Decimal | int | str | None = None,
        upper: Decimal | int | str | None = None,
        *,
        low_quantile: Decimal | int | str | None = None,
        high_quantile: Decimal | int | str | None = None,
    ) -> Normaliser:
        """Log scaling between fixed bounds, or between two quantiles of the population.

        Give ``lower`` and ``upper`` (fixed), or ``low_quantile`` and ``high_quantile``
        (fitted; 0 and 1 for the smallest and largest figure).
        """
        return cls(
            NormaliserKind.LOG,
            lower,
            upper,
            low_quantile=low_quantile,
            high_quantile=high_quantile,
        )

    @property
    def fitted(self) -> bool:
        """Whether the normaliser can score on its own (population-fitted kinds need a fit)."""
        if self.kind is NormaliserKind.PERCENTILE:
            return bool(self.steps)
        return self.kind not in _FITTED_BOUNDS or self.lower is not None

    @property
    def learns(self) -> bool:
        """Whether :meth:`fit` learns anything from a population (fitted already or not)."""
        return self.kind in {
            NormaliserKind.MINMAX,
            NormaliserKind.PERCENTILE,
            NormaliserKind.CLIPPED,
        } or (self.kind is NormaliserKind.LOG and self.low_quantile is not None)

    def fit(self, values: Iterable[Decimal]) -> Normaliser:
        """Fit to the figures ``values`` of a population; a fitted copy (``self`` if nothing to learn).

        A normaliser fitted already is fitted again, to ``values``: refitting is always
        this explicit call. The result depends only on the multiset of ``values``, not
        on their order.

        Raises:
            ValidationError: A population-fitted normaliser got no values.
        """  # noqa: E501
        if not self.learns:
            return self
        vals = list(values)
        if not vals:
            raise ValidationError(
                field="population",
                value=(),
                expected="at least one account with this figure",
                problem=f"nothing to fit {self._what} to",
            )
        if self.kind is NormaliserKind.MINMAX:
            return Normaliser(NormaliserKind.MINMAX, min(vals), max(vals))
        vals = _ascending(vals)
        if self.kind is NormaliserKind.PERCENTILE:
            return attrs.evolve(self, steps=_percentile_steps(vals, cast("int", self.points)))
        low, high = cast("Decimal", self.low_quantile), cast("Decimal", self.high_quantile)
        n = len(vals)
        return attrs.evolve(self, lower=vals[rank_index(low, n)], upper=vals[rank_index(high, n)])

    @property
    def _what(self) -> str:
        """What fitting learns, for messages."""
        if self.kind is NormaliserKind.MINMAX:
            return "min–max bounds"
        learned = "steps" if self.kind is NormaliserKind.PERCENTILE else "bounds"
        return f"{self.kind.value} {learned}"

    def _unfitted(self) -> PolicyError:
        return PolicyError(
            f"{self.kind.value} needs a population: fit the model first (score_all does)",
            policy="Normaliser",
            part=self.kind.value,
        )

    def apply(self, x: Decimal) -> Decimal:
        """The fraction (0 to 1) for raw figure ``x``.

        Args:
            x: The raw figure: a finite ``Decimal`` or an ``int``.

        Raises:
            ValidationError: ``x`` is NaN, infinite, a float, a string or ``None``
                (field ``x``).
            PolicyError: A population-fitted normaliser that has not been fitted.
        """
        return self._apply(_figure(x, "x"))

    def _apply(self, x: Decimal) -> Decimal:
        """:meth:`apply` without the check of ``x`` (the scoring paths check figures)."""
        if self.steps:  # a step table, or a fitted percentile normaliser
            result = ZERO
            for step in self.steps:
                if x < step.at:
                    break
                result = step.value
            return result
        lo, hi = self.lower, self.upper
        if lo is None or hi is None:
            raise self._unfitted()
        if x <= lo:
            return ONE if lo == hi else ZERO
        if x >= hi:
            return ONE
        if self.kind is NormaliserKind.LOG:
            ctx = NORMALISER_CONTEXT
            part = ctx.ln(ctx.add(ONE, ctx.subtract(x, lo)))
            return min(ctx.divide(part, ctx.ln(ctx.add(ONE, ctx.subtract(hi, lo)))), ONE)
        return (x - lo) / (hi - lo)

    def invert(self, fraction: Decimal) -> Decimal | None:
        """The smallest raw figure whose fraction is at least ``fraction`` (None if none).

        For a step table or a fitted percentile normaliser, the ``at`` of the first
        step that reaches ``fraction`` (a figure of the fitted population); for log
        scaling the exact inverse ``lower + exp(fraction · ln(1 + upper - lower)) - 1``
        in :data:`NORMALISER_CONTEXT` (the caller rounds it to the safe side).
        """
        stepped = self.kind in {NormaliserKind.STEPS, NormaliserKind.PERCENTILE}
        if fraction <= ZERO:
            return None if stepped else self.lower
        if stepped:
            return next((s.at for s in self.steps if s.value >= fraction), None)
        lo, hi = self.lower, self.upper
        if fraction > ONE or lo is None or hi is None:
            return None
        if fraction == ONE:
            return hi
        if self.kind is NormaliserKind.LOG:
            ctx = NORMALISER_CONTEXT
            span = ctx.ln(ctx.add(ONE, ctx.subtract(hi, lo)))
            return ctx.add(lo, ctx.subtract(ctx.exp(ctx.multiply(fraction, span)), ONE))
        return lo + fraction * (hi - lo)

    def percentile_of(self, x: Decimal) -> Decimal:
        """The percentage of the fitted population at or below ``x``, in steps of ``100/points``.

        What an explanation says: "at the 41st percentile" is ``percentile_of(x) == 41``.

        Raises:
            PolicyError: Not a fitted percentile normaliser.

        Examples:
            >>> p = Normaliser.percentile().fit([Decimal(v) for v in range(1, 301)])
            >>> p.percentile_of(Decimal(123)), p.apply(Decimal(123))
            (Decimal('41'), Decimal('0.41'))
        """
        if self.kind is not NormaliserKind.PERCENTILE:
            raise PolicyError(
                f"a {self.kind.value} normaliser has no percentiles",
                policy="Normaliser",
                part=self.kind.value,
            )
        if not self.steps:
            raise self._unfitted()
        share = NORMALISER_CONTEXT.multiply(self.apply(x), Decimal(100))
        whole = share.to_integral_value()
        return Decimal(int(whole)) if share == whole else share.normalize()


def applier(norm: Normaliser) -> Callable[[Decimal], Decimal]:
    """``norm.apply`` (for figures already checked); for a step table, by bisection."""
    if not norm.steps:
        return norm._apply
    ats = tuple(s.at for s in norm.steps)
    values = (ZERO, *(s.value for s in norm.steps))

    def apply(x: Decimal) -> Decimal:
        return values[bisect_right(ats, x)]

    return apply
