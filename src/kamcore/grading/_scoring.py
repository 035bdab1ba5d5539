"""Scores, the scoring-model protocol and the weighted scorecard (加权评分卡)."""

from __future__ import annotations

import decimal
import enum
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

import attrs

from kamcore._display import html_table
from kamcore._validate import text
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._compiled import Fast, compile_scoring
from kamcore.grading._facts import AccountFacts, check_figure, figure_getter, to_extra_names
from kamcore.grading._inputs import ONE, ZERO, enum_of, instance, items_of, tuple_of
from kamcore.grading._normalisers import Direction, Normaliser, applier
from kamcore.money import Rounding, as_decimal

__all__ = [
    "Criterion",
    "CriterionScore",
    "MissingPolicy",
    "Score",
    "ScoringModel",
    "WeightedScorecard",
    "check_unique_ids",
    "score",
    "score_all",
]


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


def _finite(value: object, field: str) -> None:
    if type(value) is not Decimal or not value.is_finite():
        raise ValidationError(field=field, value=value, expected="a finite Decimal")


def _dec_weight(value: object) -> Decimal:
    return as_decimal(value, field="weight")


def _dec_scale(value: object) -> Decimal:
    return as_decimal(value, field="scale")


def _to_direction(value: object) -> Direction:
    return enum_of(value, Direction, "direction")


def _to_normaliser(value: object) -> Normaliser:
    if isinstance(value, Normaliser):
        return value
    raise ValidationError(
        field="normaliser", value=value, expected="a Normaliser", problem="wrong type"
    )


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
        text(self.account_id, "account_id")
        text(self.model, "model", required=False)
        _finite(self.total, "total")
        for name in ("names", "raw", "normalised", "weights", "contributions"):
            if not isinstance(getattr(self, name), tuple):
                instance(
                    getattr(self, name), tuple, name, expected="a tuple, one item per criterion"
                )
        for i, part in enumerate(self.contributions):
            _finite(part, f"contributions[{i}]")
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
    _fast: Fast | None = attrs.field(init=False, eq=False, repr=False, default=None)
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
                figure_getter(c.source),
                applier(c.normaliser),
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
            self,
            "_fast",
            compile_scoring(self.criteria, self.scale, self._exp, self._quantize, _settle),
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

        def figures(source: str) -> Iterable[Decimal]:
            get = figure_getter(source)
            return (v for f in population if (v := get(f)) is not None)

        return self._fit_figures(figures, refit=refit)

    def _fit_figures(
        self, figures: Callable[[str], Iterable[Decimal]], *, refit: bool = False
    ) -> WeightedScorecard:
        """:meth:`fit`, given each figure's values (``None`` left out) by the figure's name.

        The bulk path fits to columns with it; :meth:`fit` to the population's facts.
        """
        todo = [c.normaliser.learns if refit else not c.normaliser.fitted for c in self.criteria]
        if not any(todo):
            return self
        criteria = []
        for c, fit in zip(self.criteria, todo, strict=True):
            if fit:
                try:
                    norm = c.normaliser.fit(figures(c.source))
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

    Raises:
        ValidationError: ``model`` is not a scoring model or ``facts`` not
            :class:`AccountFacts` (naming the field); a refused figure.
    """
    instance(model, ScoringModel, "model", expected="a ScoringModel")  # type: ignore[type-abstract]
    return model.score(instance(facts, AccountFacts, "facts"))


def score_all(model: ScoringModel, population: Sequence[AccountFacts]) -> tuple[Score, ...]:
    """Fit ``model`` to ``population`` and score every account, in input order.

    ``model.fit`` decides what fitting means: a :class:`WeightedScorecard` fits only
    the criteria not fitted yet, so a saved, fitted scorecard scores as it was fitted.

    Raises:
        ValidationError: ``model`` not a scoring model, ``population`` not a sequence
            of :class:`AccountFacts` (naming the field); two facts share an account id,
            or a figure is refused.
    """
    instance(model, ScoringModel, "model", expected="a ScoringModel")  # type: ignore[type-abstract]
    pop = items_of(population, AccountFacts, "population")
    check_unique_ids(pop)
    fitted = model.fit(pop)
    return tuple(fitted.score(f) for f in pop)
