"""Multi-criteria models: TOPSIS (逼近理想解排序法) and AHP weights (层次分析法)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Final

import attrs

from kamcore._validate import sequence, texts
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._facts import AccountFacts, check_figure, figure_getter, to_extra_names
from kamcore.grading._inputs import ONE, ZERO, enum_of, tuple_of
from kamcore.grading._normalisers import Direction
from kamcore.grading._scoring import Score
from kamcore.money import Rounding, as_decimal

__all__ = [
    "RANDOM_INDEX",
    "AhpWeights",
    "TopsisCriterion",
    "TopsisModel",
    "derive_weights",
]

_NORMALISED: Final = Rounding.HALF_UP  # per-criterion closeness, 6 places


def _weight(value: object) -> Decimal:
    return as_decimal(value, field="weight")


def _to_direction(value: object) -> Direction:
    return enum_of(value, Direction, "direction")


def _opt(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="fitted")


@attrs.frozen
class TopsisCriterion:
    """A TOPSIS criterion: a figure, its weight and direction.

    ``norm``, ``best`` and ``worst`` are learned by :meth:`TopsisModel.fit` (the
    vector norm of the population's figures, and the best and worst raw figure).
    """

    name: str
    weight: Decimal = attrs.field(converter=_weight)
    direction: Direction = attrs.field(default=Direction.HIGHER, converter=_to_direction)
    figure: str = ""
    label: str = ""
    norm: Decimal | None = attrs.field(default=None, converter=_opt)
    best: Decimal | None = attrs.field(default=None, converter=_opt)
    worst: Decimal | None = attrs.field(default=None, converter=_opt)

    @property
    def source(self) -> str:
        """The figure this criterion reads."""
        return self.figure or self.name


def _to_topsis(value: Iterable[TopsisCriterion]) -> tuple[TopsisCriterion, ...]:
    return tuple_of(value, TopsisCriterion, "criteria")


def _to_rounding(value: object) -> Rounding:
    return enum_of(value, Rounding, "rounding")


def _scale(value: object) -> Decimal:
    return as_decimal(value, field="scale")


@attrs.frozen
class TopsisModel:
    """TOPSIS: closeness to the ideal account, relative to the population.

    Fitting learns, per criterion, the vector norm of the population's figures and the
    best and worst figure (the ideal and anti-ideal). An account's figure is
    vector-normalised, weighted and clamped to the fitted range (so the score stays
    monotone for figures outside it); with ``D+``/``D-`` its Euclidean distances to
    the ideal/anti-ideal, the closeness ``C = D- / (D+ + D-)`` (1 when both are 0) is
    scaled to ``[0, scale]`` and rounded to ``places`` (HALF_UP by default).

    Closeness is not a sum, so the breakdown is an attribution: the total is shared
    among criteria in proportion to their squared separation from the anti-ideal
    (by weight when there is none), in whole units of the last place, largest
    remainders first — contributions still add up exactly to the total. The
    ``normalised`` value of a criterion is its own closeness ``d-/(d+ + d-)``
    (HALF_UP, 6 places).
    Every figure is required: a missing one is refused.

    The model's ``extras`` declares the company figures (``AccountFacts.extras``) its
    criteria may read; any other figure that is not a standard one is refused.

    Raises:
        PolicyError: No criteria, duplicate names, a negative weight, weights that
            do not sum to exactly 1, or a criterion reading an unknown figure.
    """

    criteria: tuple[TopsisCriterion, ...] = attrs.field(converter=_to_topsis)
    scale: Decimal = attrs.field(default=Decimal(100), converter=_scale)
    places: int = 2
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding)
    name: str = "topsis"
    extras: tuple[str, ...] = attrs.field(default=(), converter=to_extra_names)

    def __attrs_post_init__(self) -> None:
        policy = "TopsisModel"
        if not self.criteria:
            raise PolicyError("needs at least one criterion", policy=policy, part="criteria")
        names = [c.name for c in self.criteria]
        for i, c in enumerate(self.criteria):
            if not c.name or names.index(c.name) != i:
                raise PolicyError(
                    "names must be non-empty and unique", policy=policy, part=f"criteria[{i}]"
                )
            if c.weight < 0:
                raise PolicyError(
                    f"weight {c.weight} is negative",
                    policy=policy,
                    part=f"criteria[{i}] {c.name!r}",
                )
        total = sum((c.weight for c in self.criteria), ZERO)
        if total != ONE:
            raise PolicyError(
                f"weights sum to {total}; they must sum to exactly 1", policy=policy, part="weights"
            )
        if self.scale <= 0 or isinstance(self.places, bool) or not 0 <= self.places <= 12:
            raise PolicyError(
                "scale must be positive and places 0..12", policy=policy, part="scale"
            )
        for i, c in enumerate(self.criteria):
            check_figure(c.source, self.extras, policy=policy, part=f"criteria[{i}] {c.name!r}")

    @property
    def directions(self) -> tuple[tuple[str, Direction], ...]:
        """Each figure read, with its direction."""
        return tuple((c.source, c.direction) for c in self.criteria)

    @property
    def fitted(self) -> bool:
        """Whether the model has learned its ideal and anti-ideal."""
        return all(c.norm is not None for c in self.criteria)

    def fit(self, population: Sequence[AccountFacts]) -> TopsisModel:
        """Learn the norms, ideal and anti-ideal from ``population``.

        Raises:
            ValidationError: The population is empty or an account misses a figure.
        """
        if not population:
            raise ValidationError(
                field="population",
                value=(),
                expected="at least one account",
                problem="nothing to fit TOPSIS to",
            )
        fitted = []
        for c in self.criteria:
            values = sorted(_require(f, c) for f in population)  # sorted: order-free sums
            norm = sum((v * v for v in values), ZERO).sqrt()
            hi, lo = values[-1], values[0]
            best, worst = (hi, lo) if c.direction is Direction.HIGHER else (lo, hi)
            fitted.append(attrs.evolve(c, norm=norm, best=best, worst=worst))
        return attrs.evolve(self, criteria=tuple(fitted))

    def score(self, facts: AccountFacts) -> Score:
        """Score one account against the fitted ideal.

        Raises:
            PolicyError: The model has not been fitted.
            ValidationError: A figure is missing.
        """
        raws: list[Decimal] = []
        plus: list[Decimal] = []
        minus: list[Decimal] = []
        for c in self.criteria:
            if c.norm is None or c.best is None or c.worst is None:
                raise PolicyError(
                    "TOPSIS compares with a population: fit it first (score_all does)",
                    policy="TopsisModel",
                    part=f"criterion {c.name!r}",
                )
            x = _require(facts, c)
            raws.append(x)
            lo, hi = min(c.best, c.worst), max(c.best, c.worst)
            k = c.weight / c.norm if c.norm else ZERO
            clamped = min(max(x, lo), hi)
            plus.append(((clamped - c.best) * k) ** 2)
            minus.append(((clamped - c.worst) * k) ** 2)
        d_plus = sum(plus, ZERO).sqrt()
        d_minus = sum(minus, ZERO).sqrt()
        closeness = d_minus / (d_plus + d_minus) if d_plus + d_minus else ONE
        total = self.rounding.apply(closeness * self.scale, self.places)
        shares = minus if sum(minus, ZERO) else [c.weight for c in self.criteria]
        norms = tuple(
            _NORMALISED.apply(m.sqrt() / (p.sqrt() + m.sqrt()) if p + m else ONE, 6)
            for p, m in zip(plus, minus, strict=True)
        )
        return Score._of(
            facts.account_id,
            self.name,
            total,
            tuple(c.name for c in self.criteria),
            tuple(raws),
            norms,
            tuple(c.weight for c in self.criteria),
            _allocate(total, shares, self.places),
        )


def _require(facts: AccountFacts, c: TopsisCriterion) -> Decimal:
    x = figure_getter(c.source)(facts)
    if x is None:
        raise ValidationError(
            field=f"{facts.account_id}.{c.name}",
            value=None,
            expected="a figure (TOPSIS needs every figure)",
            problem="missing figure",
        )
    return x


def _allocate(total: Decimal, shares: Sequence[Decimal], places: int) -> tuple[Decimal, ...]:
    """Split ``total`` in proportion to ``shares`` into whole units of the last place."""
    unit = ONE.scaleb(-places)
    units = int(total / unit)
    whole = sum(shares, ZERO)
    exact = [units * s / whole for s in shares]
    parts = [int(e) for e in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    return tuple((p * unit).quantize(unit) for p in parts)


# -- AHP ------------------------------------------------------------------------------
#: Saaty's random consistency index by matrix size.
RANDOM_INDEX: Final[dict[int, Decimal]] = {
    n: Decimal(v)
    for n, v in {
        1: "0",
        2: "0",
        3: "0.58",
        4: "0.90",
        5: "1.12",
        6: "1.24",
        7: "1.32",
        8: "1.41",
        9: "1.45",
        10: "1.49",
        11: "1.51",
        12: "1.48",
        13: "1.56",
        14: "1.57",
        15: "1.59",
    }.items()
}

_RECIPROCAL_TOLERANCE: Final = Decimal("0.01")


@attrs.frozen
class AhpWeights:
    """Weights derived from a pairwise comparison matrix, with its consistency.

    Attributes:
        names: The criteria, in matrix order.
        weights: The weights (they sum to exactly 1).
        lambda_max: The principal eigenvalue estimate λmax.
        consistency_index: CI = (λmax − n) / (n − 1).
        consistency_ratio: CR = CI / RI (0 for n ≤ 2).

    λmax, CI and CR are rounded HALF_UP to 6 places (the check against the limit
    uses the unrounded CR).
    """

    names: tuple[str, ...]
    weights: tuple[Decimal, ...]
    lambda_max: Decimal
    consistency_index: Decimal
    consistency_ratio: Decimal

    def as_dict(self) -> dict[str, Decimal]:
        """Name → weight (for :meth:`WeightedScorecard.with_weights`)."""
        return dict(zip(self.names, self.weights, strict=True))


def _entry(value: object, where: str) -> Decimal:
    if isinstance(value, str) and "/" in value:
        num, _, den = value.partition("/")
        try:
            return Decimal(num.strip()) / Decimal(den.strip())
        except (InvalidOperation, ArithmeticError):
            pass
        raise PolicyError(
            f"entry {value!r} is not a number or a fraction such as '1/3'", policy="AHP", part=where
        )
    try:
        return as_decimal(value, field=where)
    except ValidationError as exc:
        raise PolicyError(
            f"entry {value!r} is not a number or a fraction such as '1/3'", policy="AHP", part=where
        ) from exc


def derive_weights(
    names: Sequence[str],
    matrix: Sequence[Sequence[object]],
    *,
    max_cr: Decimal | str | None = Decimal("0.10"),
    places: int = 4,
) -> AhpWeights:
    """Derive criterion weights from a pairwise comparison matrix (AHP, 层次分析法).

    ``matrix[i][j]`` says how much more important ``names[i]`` is than ``names[j]`` on
    Saaty's 1–9 scale; entries may be numbers or fractions such as ``"1/3"``. Weights
    are the normalised geometric means of the rows, rounded to ``places`` (HALF_UP)
    with the rounding residue given to the largest remainders, so they sum to exactly
    1. λmax is estimated as the mean of ``(A·w)_i / w_i``.

    Args:
        names: The criteria.
        matrix: The n × n matrix: positive, 1 on the diagonal, reciprocal
            (``a[j][i] × a[i][j] = 1`` within 0.01).
        max_cr: Refuse a consistency ratio at or above this (0.10 by default);
            ``None`` accepts any.
        places: Digits kept in each weight.

    Returns:
        The weights and the consistency figures.

    Raises:
        ValidationError: ``names`` not a list of names, ``matrix`` (or a row of it) not
            a sequence, naming the field.
        PolicyError: A matrix that is not square, not positive, not 1 on the diagonal,
            not reciprocal (naming the entry), larger than 15, or too inconsistent.

    Examples:
        >>> w = derive_weights(["revenue", "profit"], [[1, 3], ["1/3", 1]])
        >>> w.as_dict()
        {'revenue': Decimal('0.7500'), 'profit': Decimal('0.2500')}
    """
    names = texts(names, "names")
    matrix = tuple(
        sequence(row, f"matrix[{i}]") for i, row in enumerate(sequence(matrix, "matrix"))
    )
    n = len(names)
    if not 1 <= n <= len(RANDOM_INDEX) or len(set(names)) != n:
        raise PolicyError(
            f"needs 1 to {len(RANDOM_INDEX)} distinct criteria", policy="AHP", part="names"
        )
    if len(matrix) != n or any(len(row) != n for row in matrix):
        raise PolicyError(f"the matrix must be {n} × {n}", policy="AHP", part="matrix")
    a = [
        [_entry(v, f"matrix[{i}][{j}]") for j, v in enumerate(row)] for i, row in enumerate(matrix)
    ]
    for i in range(n):
        for j in range(n):
            where = f"matrix[{i}][{j}] ({names[i]} vs {names[j]})"
            if a[i][j] <= 0:
                raise PolicyError(f"entry {a[i][j]} must be positive", policy="AHP", part=where)
            if i == j and a[i][j] != ONE:
                raise PolicyError("the diagonal must be 1", policy="AHP", part=where)
            if j > i and abs(a[i][j] * a[j][i] - ONE) > _RECIPROCAL_TOLERANCE:
                raise PolicyError(
                    f"not reciprocal: {a[i][j]} × {a[j][i]} ≠ 1", policy="AHP", part=where
                )
    geo = [(sum((x.ln() for x in row), ZERO) / n).exp() for row in a]
    whole = sum(geo, ZERO)
    exact = [g / whole for g in geo]
    lam = (
        sum(
            (sum((a[i][j] * exact[j] for j in range(n)), ZERO) / exact[i] for i in range(n)),
            ZERO,
        )
        / n
    )
    ci = (lam - n) / (n - 1) if n > 1 else ZERO
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri else ZERO
    limit = None if max_cr is None else as_decimal(max_cr, field="max_cr")
    if limit is not None and cr >= limit:
        raise PolicyError(
            f"consistency ratio {cr:.4f} ≥ {limit}: revise the comparisons",
            policy="AHP",
            part="consistency",
        )
    q = Rounding.HALF_UP
    return AhpWeights(
        tuple(names),
        _allocate(ONE.quantize(ONE.scaleb(-places)), exact, places),
        q.apply(lam, 6),
        q.apply(ci, 6),
        q.apply(cr, 6),
    )
