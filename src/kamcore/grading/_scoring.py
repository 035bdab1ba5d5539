"""Scores, the scoring-model protocol and the weighted scorecard (加权评分卡)."""

from __future__ import annotations

import decimal
import enum
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any, Final, Protocol, cast, runtime_checkable

import attrs

from kamcore._codegen import generate
from kamcore._display import html_table
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._facts import (
    DERIVED_FIGURES,
    FIGURES,
    AccountFacts,
    check_figure,
    to_extra_names,
)
from kamcore.grading._inputs import ONE, ZERO, enum_of, tuple_of
from kamcore.money import Rounding, as_decimal

__all__ = [
    "MAX_POINTS",
    "NORMALISER_CONTEXT",
    "Criterion",
    "CriterionScore",
    "Direction",
    "MissingPolicy",
    "Normaliser",
    "NormaliserKind",
    "Score",
    "ScoringModel",
    "Step",
    "WeightedScorecard",
    "check_unique_ids",
    "rank_index",
    "score",
    "score_all",
]


class Direction(enum.Enum):
    """Whether more of a figure is better (销售收入) or worse (质量损失)."""

    HIGHER = "higher"
    LOWER = "lower"


class MissingPolicy(enum.Enum):
    """What a scorecard does with a missing figure.

    * ``REFUSE`` (the default) — raise :class:`~kamcore.errors.ValidationError` naming
      the account and the figure: nothing is silently assumed.
    * ``WORST`` — the criterion scores its worst (normalised 0, contribution 0).
    * ``RENORMALISE`` — skip the criterion and spread its weight over the criteria
      that are present, in proportion to their weights.
    """

    REFUSE = "refuse"
    WORST = "worst"
    RENORMALISE = "renormalise"


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


def _dec_weight(value: object) -> Decimal:
    return as_decimal(value, field="weight")


def _dec_scale(value: object) -> Decimal:
    return as_decimal(value, field="scale")


def _opt_lower(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="lower")


def _opt_upper(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="upper")


def _opt_low_quantile(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="low_quantile")


def _opt_high_quantile(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="high_quantile")


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


def _to_direction(value: object) -> Direction:
    return enum_of(value, Direction, "direction")


def _to_normaliser(value: object) -> Normaliser:
    if isinstance(value, Normaliser):
        return value
    raise ValidationError(
        field="normaliser", value=value, expected="a Normaliser", problem="wrong type"
    )


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
        vals.sort()
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

        Raises:
            PolicyError: A population-fitted normaliser that has not been fitted.
        """
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


def _check_name(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValidationError(field="name", value=value, expected="a non-empty name")


@attrs.frozen
class Criterion:
    """One criterion of a scorecard (评价指标).

    Args:
        name: The criterion's name, unique in its scorecard.
        weight: Its weight; a scorecard's weights sum to exactly 1.
        normaliser: How its raw figure becomes a fraction.
        direction: Whether more is better (``HIGHER``) or worse (``LOWER``).
        figure: The figure it reads (a field of :class:`AccountFacts`,
            ``collection_rate``, or an extra); defaults to ``name``.
        label: A display label such as ``"销售收入 sales revenue"``.
    """

    name: str = attrs.field(converter=_check_name)
    weight: Decimal = attrs.field(converter=_dec_weight)
    normaliser: Normaliser = attrs.field(converter=_to_normaliser)
    direction: Direction = attrs.field(default=Direction.HIGHER, converter=_to_direction)
    figure: str = ""
    label: str = ""

    @property
    def source(self) -> str:
        """The figure this criterion reads."""
        return self.figure or self.name


@attrs.frozen
class CriterionScore:
    """One criterion's part of a score: raw figure, normalised value, weight, contribution.

    ``raw``/``normalised`` are ``None`` when the figure was missing; ``weight`` is the
    weight actually used (after renormalising, when the scorecard does that).
    """

    name: str
    raw: Decimal | None
    normalised: Decimal | None
    weight: Decimal
    contribution: Decimal


@attrs.frozen
class Score:
    """A total score with its explanation, criterion by criterion.

    The contributions always add up exactly to ``total``. Stored column-wise (one
    tuple per quantity) so that scoring many accounts is cheap; :attr:`criteria`
    gives one :class:`CriterionScore` per criterion.

    Examples:
        >>> s = Score("acme", "demo", Decimal("7"), ("a", "b"), (Decimal(1), None),
        ...           (Decimal(1), None), (Decimal("0.7"), Decimal("0.3")),
        ...           (Decimal(7), Decimal(0)))
        >>> s.criteria[1]
        CriterionScore(name='b', raw=None, normalised=None, weight=Decimal('0.3'), contribution=Decimal('0'))
    """  # noqa: E501

    account_id: str
    model: str
    total: Decimal
    names: tuple[str, ...]
    raw: tuple[Decimal | None, ...]
    normalised: tuple[Decimal | None, ...]
    weights: tuple[Decimal, ...]
    contributions: tuple[Decimal, ...]

    def __attrs_post_init__(self) -> None:
        n = len(self.names)
        if (
            not (
                len(self.raw)
                == len(self.normalised)
                == len(self.weights)
                == len(self.contributions)
                == n
            )
            or sum(self.contributions, ZERO) != self.total
        ):
            raise ValidationError(
                field="contributions",
                value=self.contributions,
                expected=f"{n} contributions that add up to the total {self.total}",
                problem="inconsistent score",
            )

    @classmethod
    def _of(  # noqa: PLR0917 - mirrors the fields, positionally, for speed
        cls,
        account_id: str,
        model: str,
        total: Decimal,
        names: tuple[str, ...],
        raw: tuple[Decimal | None, ...],
        normalised: tuple[Decimal | None, ...],
        weights: tuple[Decimal, ...],
        contributions: tuple[Decimal, ...],
    ) -> Score:
        """Build without the consistency check, for models that guarantee it."""
        obj = _new(cls)
        _S_ACCOUNT(obj, account_id)
        _S_MODEL(obj, model)
        _S_TOTAL(obj, total)
        _S_NAMES(obj, names)
        _S_RAW(obj, raw)
        _S_NORMALISED(obj, normalised)
        _S_WEIGHTS(obj, weights)
        _S_CONTRIBUTIONS(obj, contributions)
        return obj

    @property
    def criteria(self) -> tuple[CriterionScore, ...]:
        """One :class:`CriterionScore` per criterion, in the model's order."""
        return tuple(
            CriterionScore(*row)
            for row in zip(
                self.names,
                self.raw,
                self.normalised,
                self.weights,
                self.contributions,
                strict=True,
            )
        )

    def contribution(self, name: str) -> Decimal:
        """The contribution of criterion ``name``.

        Raises:
            ValidationError: No criterion has that name.
        """
        try:
            return self.contributions[self.names.index(name)]
        except ValueError:
            raise ValidationError(
                field="criterion", value=name, expected=f"one of: {', '.join(self.names)}"
            ) from None

    @property
    def missing(self) -> tuple[str, ...]:
        """The criteria whose figure was missing."""
        return tuple(n for n, r in zip(self.names, self.raw, strict=True) if r is None)

    def _repr_html_(self) -> str:
        """The score as an HTML table of its criteria and their contributions, for notebooks."""
        rows: list[dict[str, object]] = [
            {
                "criterion": c.name,
                "figure": c.raw,
                "normalised": c.normalised,
                "weight": c.weight,
                "contribution": c.contribution,
            }
            for c in self.criteria
        ]
        rows.append({"criterion": "total", "contribution": self.total})
        notes = [f"missing: {', '.join(self.missing)}"] if self.missing else []
        return html_table(rows, title=f"Score of {self.account_id} ({self.model})", notes=notes)


# Slot setters of Score, for the fast constructor (a frozen class refuses setattr).
_new = object.__new__
(
    _S_ACCOUNT,
    _S_MODEL,
    _S_TOTAL,
    _S_NAMES,
    _S_RAW,
    _S_NORMALISED,
    _S_WEIGHTS,
    _S_CONTRIBUTIONS,
) = (getattr(Score, a.name).__set__ for a in attrs.fields(Score))


@runtime_checkable
class ScoringModel(Protocol):
    """What kamcore needs from a scoring model (评分模型); plug in your own.

    A model reads figures from :class:`AccountFacts` and returns a :class:`Score`
    whose contributions add up to its total, which lies between 0 and :attr:`scale`.
    Models that compare an account with its population (min–max, TOPSIS) learn from
    it in :meth:`fit`, which returns a model that scores on its own. Check a custom
    model with :class:`kamcore.testing.scoring.ScoringModelContract`.
    """

    @property
    def name(self) -> str:
        """The model's name, recorded in every score."""
        ...

    @property
    def scale(self) -> Decimal:
        """Scores lie between 0 and this."""
        ...

    @property
    def directions(self) -> tuple[tuple[str, Direction], ...]:
        """Each figure the model reads, with its direction."""
        ...

    def fit(self, population: Sequence[AccountFacts]) -> ScoringModel:
        """Return a model fitted to ``population`` (``self`` when nothing to learn)."""
        ...

    def score(self, facts: AccountFacts) -> Score:
        """Score one account."""
        ...


def _getter(figure: str) -> Callable[[AccountFacts], Decimal | None]:
    if figure in FIGURES or figure in DERIVED_FIGURES:
        return attrgetter(figure)

    def extra(facts: AccountFacts) -> Decimal | None:
        return facts.extra(figure)

    return extra


def _to_criteria(value: Iterable[Criterion]) -> tuple[Criterion, ...]:
    return tuple_of(value, Criterion, "criteria")


def _to_rounding(value: object) -> Rounding:
    return enum_of(value, Rounding, "rounding")


def _to_missing(value: object) -> MissingPolicy:
    return enum_of(value, MissingPolicy, "missing")


_Plan = tuple[
    tuple[
        str,
        Callable[[AccountFacts], Decimal | None],
        Callable[[Decimal], Decimal],
        bool,
        Decimal,
        Decimal,
    ],
    ...,
]


@attrs.frozen
class WeightedScorecard:
    """The default scoring model: a weighted sum of normalised criteria (加权评分卡).

    Each criterion's contribution is ``normalised × weight × scale``, rounded to
    ``places`` digits with ``rounding`` (HALF_UP by default); the total is the sum of
    the rounded contributions, so the breakdown always adds up exactly. Should rounding
    carry the total past the scale, the excess units are taken back from the
    contributions rounded up the most; so scores lie in [0, scale] and never fall when
    a higher-is-better figure rises.

    Args:
        criteria: The criteria; names unique, weights ≥ 0 summing to exactly 1.
        scale: The top of the score range (100 by default).
        places: Digits kept in each contribution (2 by default).
        rounding: The rounding policy for contributions.
        missing: What a missing figure does (``REFUSE`` by default).
        name: The model's name, recorded in every score.
        extras: The company figures (``AccountFacts.extras``) criteria may read; any
            other figure that is not a standard one is refused as a misspelling.

    Raises:
        PolicyError: No criteria, duplicate names, a negative weight, weights that do
            not sum to 1, a scale that is not positive, or a criterion reading an
            unknown figure.

    Examples:
        >>> card = WeightedScorecard((
        ...     Criterion("sales_revenue", "0.7", Normaliser.linear(0, 1_000_000)),
        ...     Criterion("quality_losses", "0.3", Normaliser.linear(0, 50_000),
        ...               Direction.LOWER),
        ... ))
        >>> s = card.score(AccountFacts("acme", sales_revenue=800_000, quality_losses=5_000))
        >>> s.total, s.contributions
        (Decimal('83.00'), (Decimal('56.00'), Decimal('27.00')))
    """

    criteria: tuple[Criterion, ...] = attrs.field(converter=_to_criteria)
    scale: Decimal = attrs.field(default=Decimal(100), converter=_dec_scale)
    places: int = 2
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding)
    missing: MissingPolicy = attrs.field(default=MissingPolicy.REFUSE, converter=_to_missing)
    name: str = "scorecard"
    extras: tuple[str, ...] = attrs.field(default=(), converter=to_extra_names)
    _plan: _Plan = attrs.field(init=False, eq=False, repr=False, default=())
    _names: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False, default=())
    _exp: Decimal = attrs.field(init=False, eq=False, repr=False, default=ONE)
    _fast: _Fast | None = attrs.field(init=False, eq=False, repr=False, default=None)
    _weights: tuple[Decimal, ...] = attrs.field(init=False, eq=False, repr=False, default=())
    _quantize: Callable[[Decimal, Decimal], Decimal] = attrs.field(
        init=False, eq=False, repr=False, default=None
    )

    def __attrs_post_init__(self) -> None:
        policy = "WeightedScorecard"
        if not self.criteria:
            raise PolicyError("needs at least one criterion", policy=policy, part="criteria")
        seen: set[str] = set()
        for i, c in enumerate(self.criteria):
            if c.name in seen:
                raise PolicyError(
                    f"duplicate name {c.name!r}", policy=policy, part=f"criteria[{i}]"
                )
            seen.add(c.name)
            if c.weight < 0:
                raise PolicyError(
                    f"weight {c.weight} is negative",
                    policy=policy,
                    part=f"criteria[{i}] {c.name!r}",
                )
        weight_sum = sum((c.weight for c in self.criteria), ZERO)
        if weight_sum != ONE:
            raise PolicyError(
                f"weights sum to {weight_sum}; they must sum to exactly 1",
                policy=policy,
                part="weights",
            )
        for i, c in enumerate(self.criteria):
            check_figure(c.source, self.extras, policy=policy, part=f"criteria[{i}] {c.name!r}")
        if self.scale <= 0:
            raise PolicyError(f"scale {self.scale} must be positive", policy=policy, part="scale")
        if isinstance(self.places, bool) or not 0 <= self.places <= 12:
            raise PolicyError(f"places {self.places} must be 0..12", policy=policy, part="places")
        if self.scale != self.scale.quantize(ONE.scaleb(-self.places)):
            raise PolicyError(
                f"scale {self.scale} has more digits than places={self.places} keeps",
                policy=policy,
                part="scale",
            )
        plan = tuple(
            (
                c.name,
                _getter(c.source),
                _applier(c.normaliser),
                c.direction is Direction.LOWER,
                c.weight,
                c.weight * self.scale,
            )
            for c in self.criteria
        )
        object.__setattr__(self, "_plan", plan)
        object.__setattr__(self, "_names", tuple(c.name for c in self.criteria))
        object.__setattr__(self, "_exp", ONE.scaleb(-self.places))
        object.__setattr__(self, "_weights", tuple(c.weight for c in self.criteria))
        object.__setattr__(self, "_quantize", _quantizer(self.rounding))
        object.__setattr__(
            self, "_fast", _compile(self.criteria, self.scale, self._exp, self.rounding)
        )

    @property
    def directions(self) -> tuple[tuple[str, Direction], ...]:
        """Each figure read, with its direction."""
        return tuple((c.source, c.direction) for c in self.criteria)

    @property
    def fitted(self) -> bool:
        """Whether every criterion can score on its own (population-fitted ones need a fit)."""
        return all(c.normaliser.fitted for c in self.criteria)

    def fit(self, population: Sequence[AccountFacts], *, refit: bool = False) -> WeightedScorecard:
        """Fit the criteria not yet fitted to ``population``; ``self`` if all are fitted.

        The fitted scorecard carries what it learned (bounds, percentile steps) as policy
        data: save it with :mod:`kamcore.codec` and it grades next month's accounts as
        fitted, since a fitted criterion is used as it is — by :func:`score_all`,
        :func:`~kamcore.grading.grade_all`, :func:`~kamcore.grading.grade_many` and the
        columnar path alike. Refitting is explicit: ``refit=True`` fits every
        population-fitted criterion again (``self`` if there are none).

        Raises:
            ValidationError: No account of the population has a figure a criterion
                being fitted needs.
        """
        todo = [c.normaliser.learns if refit else not c.normaliser.fitted for c in self.criteria]
        if not any(todo):
            return self
        criteria = []
        for c, fit in zip(self.criteria, todo, strict=True):
            if fit:
                get = _getter(c.source)
                try:
                    norm = c.normaliser.fit(v for f in population if (v := get(f)) is not None)
                except ValidationError as exc:
                    raise exc.at(c.name) from None
                c = attrs.evolve(c, normaliser=norm)  # noqa: PLW2901 - the fitted criterion
            criteria.append(c)
        return attrs.evolve(self, criteria=tuple(criteria))

    def score(self, facts: AccountFacts) -> Score:
        """Score one account; see the class docstring for the arithmetic.

        Raises:
            ValidationError: A figure is missing and the missing policy is ``REFUSE``.
            PolicyError: A min–max criterion has not been fitted.
        """
        if self._fast is not None:
            done = self._fast(facts)
            if done is not None:
                raw, norm, parts, total = done
                return Score._of(
                    facts.account_id,
                    self.name,
                    total,
                    self._names,
                    raw,
                    norm,
                    self._weights,
                    parts,
                )
        return self._score_general(facts)

    def _score_general(self, facts: AccountFacts) -> Score:
        """The general loop: any missing figure, any policy (and the fast path's spec)."""
        return self._score_values(facts.account_id, [get(facts) for _, get, *_ in self._plan])

    def _score_values(self, account_id: str, values: Sequence[Decimal | None]) -> Score:
        """Score raw figures given in criterion order (the exact arithmetic of :meth:`score`).

        The columnar path uses it for the rows whose floating-point result it can't
        be sure of, so that both paths agree to the last place.
        """
        raws: list[Decimal | None] = []
        norms: list[Decimal | None] = []
        weights: list[Decimal] = []
        exact: list[Decimal] = []
        renormalise = False
        for (name, _, apply, flip, weight, points), x in zip(self._plan, values, strict=True):
            if x is None:
                if self.missing is MissingPolicy.REFUSE:
                    raise ValidationError(
                        field=f"{account_id}.{name}",
                        value=None,
                        expected="a figure (this scorecard refuses missing figures)",
                        problem="missing figure",
                    )
                renormalise = self.missing is MissingPolicy.RENORMALISE
                raws.append(None)
                norms.append(None)
                weights.append(ZERO if renormalise else weight)
                exact.append(ZERO)
                continue
            n = apply(x)
            if flip:
                n = ONE - n
            raws.append(x)
            norms.append(n)
            weights.append(weight)
            exact.append(n * points)
        if renormalise:
            return self._renormalised(account_id, raws, norms, weights)
        contributions, total = self._settle(exact)
        return Score._of(
            account_id,
            self.name,
            total,
            self._names,
            tuple(raws),
            tuple(norms),
            tuple(weights),
            contributions,
        )

    def _settle(self, exact: Sequence[Decimal]) -> tuple[tuple[Decimal, ...], Decimal]:
        return _settle(exact, self._quantize, self._exp, self.scale)

    def _renormalised(
        self,
        account_id: str,
        raws: list[Decimal | None],
        norms: list[Decimal | None],
        weights: list[Decimal],
    ) -> Score:
        present = sum(weights, ZERO)
        used = [w / present if present and w else ZERO for w in weights]
        contributions, total = self._settle(
            [ZERO if n is None else n * w * self.scale for n, w in zip(norms, used, strict=True)]
        )
        return Score._of(
            account_id,
            self.name,
            total,
            self._names,
            tuple(raws),
            tuple(norms),
            tuple(used),
            contributions,
        )

    def with_weights(self, weights: dict[str, Decimal]) -> WeightedScorecard:
        """Return a copy with new weights by criterion name (e.g. from AHP).

        Raises:
            PolicyError: A name is not a criterion, or the new weights do not sum to 1.
        """
        unknown = set(weights) - set(self._names)
        if unknown:
            raise PolicyError(
                f"no criterion named {sorted(unknown)[0]!r}",
                policy="WeightedScorecard",
                part="weights",
            )
        return attrs.evolve(
            self,
            criteria=tuple(
                attrs.evolve(c, weight=weights.get(c.name, c.weight)) for c in self.criteria
            ),
        )


def _settle(
    exact: Sequence[Decimal],
    quantize: Callable[[Decimal, Decimal], Decimal],
    unit: Decimal,
    cap: Decimal,
) -> tuple[tuple[Decimal, ...], Decimal]:
    """Round each contribution; the total is their sum, kept within ``cap`` (the scale).

    When rounding each contribution up would carry the total past the top of the
    scale, the excess (a few units of the last place) is taken back one unit at a time
    from the contributions rounding moved up the most (ties to the earlier criterion).
    The total is ``min(sum of rounded contributions, scale)``: monotone in every figure.
    """
    parts = [quantize(e, unit) for e in exact]
    total = sum(parts, ZERO)
    if total > cap:
        order = sorted(range(len(parts)), key=lambda i: (exact[i] - parts[i], i))
        for i in order[: int((total - cap) / unit)]:
            parts[i] -= unit
        total = cap
    return tuple(parts), total


def _quantizer(rounding: Rounding) -> Callable[[Decimal, Decimal], Decimal]:
    """``quantize(value, exp)`` with ``rounding`` in a fixed 28-digit context."""
    return decimal.Context(prec=28, rounding=rounding.decimal_mode).quantize


def _applier(norm: Normaliser) -> Callable[[Decimal], Decimal]:
    """``norm.apply``; for a step table, the same by bisection over its starts."""
    if not norm.steps:
        return norm.apply
    ats = tuple(s.at for s in norm.steps)
    values = (ZERO, *(s.value for s in norm.steps))

    def apply(x: Decimal) -> Decimal:
        return values[bisect_right(ats, x)]

    return apply


# -- the fast path: straight-line scoring code generated per scorecard ----------------
# Kept because it pays: scoring complete facts with the compiled function takes 7.0 µs
# per account against 11.6 µs through the general loop (1.66x; bench_grading.py's
# scorecard, 8 criteria, 100,000 accounts; its key compiled_score_speedup_vs_general,
# 1.36x in a --quick run on a busy machine). The general loop stays the specification:
# tests check that both give the same scores.

# Step tables up to this long are inlined as nested conditionals; a longer one (a fitted
# percentile table has up to ``points`` steps) is looked up by bisection.
_INLINE_STEPS: Final = 8

_Fast = Callable[
    [AccountFacts],
    tuple[tuple[Decimal, ...], tuple[Decimal, ...], tuple[Decimal, ...], Decimal] | None,
]


def _compile(
    criteria: tuple[Criterion, ...], scale: Decimal, exp: Decimal, rounding: Rounding
) -> _Fast | None:
    """Generate straight-line code for scoring complete facts with fitted criteria.

    The generated function computes exactly what :meth:`WeightedScorecard.score`'s
    general loop computes (same operations, same order), without its per-criterion
    overhead; it returns ``None`` when a figure is missing, leaving that case (and its
    missing-figure policy) to the general loop. ``None`` when a criterion is unfitted.
    """
    if not all(c.normaliser.fitted for c in criteria):
        return None
    ns: dict[str, Any] = {
        "Z": ZERO,
        "O": ONE,
        "S": _settle,
        "E": exp,
        "CAP": scale,
        "Q": _quantizer(rounding),
    }
    k = len(criteria)
    xs = ", ".join(f"x{i}" for i in range(k))
    sources = [c.source for c in criteria]
    lines = ["def fast(facts):"]
    if all(src in FIGURES or src in DERIVED_FIGURES for src in sources):
        ns["G"] = attrgetter(*sources)
        lines.append(
            f"    {xs}{',' if k == 1 else ''} = " + ("(G(facts),)" if k == 1 else "G(facts)")
        )
    else:
        for i, src in enumerate(sources):
            ns[f"g{i}"] = _getter(src)
            lines.append(f"    x{i} = g{i}(facts)")
    lines.append("    if " + " or ".join(f"x{i} is None" for i in range(k)) + ": return None")
    for i, c in enumerate(criteria):
        norm, x = c.normaliser, f"x{i}"
        if norm.steps and len(norm.steps) <= _INLINE_STEPS:
            expr = "Z"
            for j, step in enumerate(norm.steps):
                ns[f"a{i}_{j}"], ns[f"v{i}_{j}"] = step.at, step.value
                expr = f"(v{i}_{j} if {x} >= a{i}_{j} else {expr})"
        elif norm.steps or norm.kind is NormaliserKind.LOG:  # a long table, or log scaling
            ns[f"f{i}"] = _applier(norm)
            expr = f"f{i}({x})"
        elif norm.lower == norm.upper:
            expr = "O"
        else:
            lo, hi = cast("Decimal", norm.lower), cast("Decimal", norm.upper)  # fitted
            ns[f"lo{i}"], ns[f"hi{i}"], ns[f"w{i}"] = lo, hi, hi - lo
            expr = f"(Z if {x} <= lo{i} else (O if {x} >= hi{i} else ({x} - lo{i}) / w{i}))"
        lines.append(f"    n{i} = {expr}")
        if c.direction is Direction.LOWER:
            lines.append(f"    n{i} = O - n{i}")
        ns[f"p{i}"] = c.weight * scale
        lines.append(f"    e{i} = n{i} * p{i}")
        lines.append(f"    c{i} = Q(e{i}, E)")
    ns_list = ", ".join(f"n{i}" for i in range(k))
    es = ", ".join(f"e{i}" for i in range(k))
    cs = ", ".join(f"c{i}" for i in range(k))
    lines.append("    t = " + " + ".join(["Z", *(f"c{i}" for i in range(k))]))
    lines.append(f"    if t > CAP: return ({xs},), ({ns_list},), *S(({es},), Q, E, CAP)")
    lines.append(f"    return ({xs},), ({ns_list},), ({cs},), t")
    # The code is built from validated numbers and attribute names only.
    fast: _Fast = generate("\n".join(lines), "fast", ns, label="scorecard-scoring")
    return fast


def check_unique_ids(population: Sequence[AccountFacts]) -> None:
    """Raise if two facts of one population share an account id.

    Raises:
        ValidationError: Naming the first duplicated id.
    """
    seen: set[str] = set()
    for f in population:
        if f.account_id in seen:
            raise ValidationError(
                field="population",
                value=f.account_id,
                expected="one set of facts per account",
                problem="duplicate account id",
            )
        seen.add(f.account_id)


def score(model: ScoringModel, facts: AccountFacts) -> Score:
    """Score one account with ``model`` (which must already be fitted if it needs it).

    Examples:
        >>> card = WeightedScorecard((Criterion("profit", 1, Normaliser.linear(0, 10)),))
        >>> score(card, AccountFacts("a", profit=4)).total
        Decimal('40.00')
    """
    return model.score(facts)


def score_all(model: ScoringModel, population: Sequence[AccountFacts]) -> tuple[Score, ...]:
    """Fit ``model`` to ``population`` and score every account, in input order.

    ``model.fit`` decides what fitting means: a :class:`WeightedScorecard` fits only
    the criteria not fitted yet, so a saved, fitted scorecard scores as it was fitted.

    Raises:
        ValidationError: Two facts share an account id, or a figure is refused.
    """
    pop = tuple(population)
    check_unique_ids(pop)
    fitted = model.fit(pop)
    return tuple(fitted.score(f) for f in pop)
