"""Grade ladders (客户分级): a score becomes a grade through validated bands."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import attrs

from kamcore._bands import BoundaryOwner, band_finder
from kamcore._fastnew import maker
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._facts import AccountFacts
from kamcore.grading._inputs import enum_of, instance, items_of, tuple_of
from kamcore.grading._scoring import Score, ScoringModel, check_unique_ids
from kamcore.money import as_decimal

__all__ = ["GradeBand", "GradeLadder", "Graded", "ThresholdOwner", "grade", "grade_all"]


def _dec_lower(value: object) -> Decimal:
    return as_decimal(value, field="lower")


def _dec_upper(value: object) -> Decimal:
    return as_decimal(value, field="upper")


#: Which grade a score exactly at a threshold gets (the one boundary enum of
#: :mod:`kamcore._bands`, also :class:`kamcore.rebate.BreakpointOwner`).
#:
#: A threshold is a band's ``lower``, where it meets the next worse band's ``upper``.
#: The sources give thresholds ("A: 85") without saying which side a score of exactly
#: 85 falls on.
#:
#: * ``ABOVE`` (the default; the same member as ``HIGHER``) — the band above owns its
#:   lower bound: bands are ``[lower, upper)``, so 85 is an A.
#: * ``BELOW`` (the same member as ``LOWER``) — the band below owns it: bands are
#:   ``(lower, upper]``, so 85 is a B and an A needs more than 85.
#:
#: Either way the ends of the range belong to the ladder: ``low`` gets the worst
#: grade and ``high`` the best. Policy files may say ``"above"``/``"below"`` or
#: ``"higher"``/``"lower"``; a ladder is written out with ``"higher"``/``"lower"``.
ThresholdOwner = BoundaryOwner


def _to_owner(value: object) -> ThresholdOwner:
    return enum_of(value, ThresholdOwner, "threshold_owner")


@attrs.frozen
class GradeBand:
    """One grade and its score band between ``lower`` and ``upper``.

    Which band a score exactly at a threshold belongs to is the ladder's
    :class:`ThresholdOwner`: by default the band is ``[lower, upper)`` (the top band
    includes its upper).

    Args:
        grade: The grade label (``"A"``, ``"gold"``).
        lower: The lowest score of the band.
        upper: The score where the next better band starts.
        label: A display label such as ``"金牌 gold"``.
    """

    grade: str
    lower: Decimal = attrs.field(converter=_dec_lower)
    upper: Decimal = attrs.field(converter=_dec_upper)
    label: str = ""


def _to_bands(value: Iterable[GradeBand]) -> tuple[GradeBand, ...]:
    return tuple_of(value, GradeBand, "bands")


@attrs.frozen
class GradeLadder:
    """Grades from best to worst, each with a score band; together they cover the range.

    The bands are listed best first. They must tile the score range ``[low, high]``
    exactly: the worst band starts at ``low``, the best ends at ``high``, and each
    band ends where the next better one starts — no gap, no overlap. By default a score
    equal to a band's ``lower`` gets that band's grade; with
    ``threshold_owner=ThresholdOwner.BELOW`` it gets the next worse grade.

    Args:
        bands: The bands, best grade first.
        low: The lowest possible score (0 by default).
        high: The highest possible score (100 by default).
        name: The ladder's name.
        threshold_owner: Which band a score exactly at a threshold belongs to: the
            band ``ABOVE`` it (default) or the band ``BELOW`` it.

    Raises:
        PolicyError: No bands, a duplicate grade, an empty band, a gap, an overlap, or
            bands that do not reach ``low``/``high``; the message names the band.

    Examples:
        >>> ladder = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80),
        ...                       GradeBand("C", 0, 50)))
        >>> ladder.grade_of(Decimal(80)), ladder.grade_of(Decimal("79.99"))
        ('A', 'B')
        >>> below = GradeLadder(ladder.bands, threshold_owner=ThresholdOwner.BELOW)
        >>> below.grade_of(Decimal(80)), below.grade_of(Decimal("80.01"))
        ('B', 'A')
    """

    bands: tuple[GradeBand, ...] = attrs.field(converter=_to_bands)
    low: Decimal = attrs.field(default=Decimal(0), converter=_dec_lower)
    high: Decimal = attrs.field(default=Decimal(100), converter=_dec_upper)
    name: str = "ladder"
    threshold_owner: ThresholdOwner = attrs.field(default=ThresholdOwner.ABOVE, converter=_to_owner)
    # The band core's finder over the thresholds, worst first (not part of the value).
    _find: Callable[[Decimal], int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        policy = "GradeLadder"
        if not self.bands:
            raise PolicyError("needs at least one band", policy=policy, part="bands")
        if self.low >= self.high:
            raise PolicyError(
                f"low {self.low} must be below high {self.high}", policy=policy, part="range"
            )
        seen: set[str] = set()
        for i, band in enumerate(self.bands):
            part = f"bands[{i}] {band.grade!r}"
            if not band.grade or band.grade in seen:
                raise PolicyError(
                    "grade labels must be non-empty and unique", policy=policy, part=part
                )
            seen.add(band.grade)
            if band.lower >= band.upper:
                raise PolicyError(
                    f"band is empty ({band.lower} ≥ {band.upper})", policy=policy, part=part
                )
            if i == 0:
                if band.upper != self.high:
                    raise PolicyError(
                        f"the best band ends at {band.upper}, not at the top "
                        f"of the range {self.high}",
                        policy=policy,
                        part=part,
                    )
                continue
            better = self.bands[i - 1]
            if band.upper > better.lower:
                raise PolicyError(
                    f"overlaps {better.grade!r}: ends at {band.upper} but "
                    f"{better.grade!r} starts at {better.lower}",
                    policy=policy,
                    part=part,
                )
            if band.upper < better.lower:
                raise PolicyError(
                    f"gap below {better.grade!r}: ends at {band.upper} but "
                    f"{better.grade!r} starts at {better.lower}",
                    policy=policy,
                    part=part,
                )
        if self.bands[-1].lower != self.low:
            raise PolicyError(
                f"the worst band starts at {self.bands[-1].lower}, not at the "
                f"bottom of the range {self.low}",
                policy=policy,
                part=f"bands[{len(self.bands) - 1}] {self.bands[-1].grade!r}",
            )
        thresholds = tuple(b.lower for b in reversed(self.bands[:-1]))  # ascending
        object.__setattr__(self, "_find", band_finder(thresholds, self.threshold_owner))

    @property
    def grades(self) -> tuple[str, ...]:
        """The grades, best first."""
        return tuple(b.grade for b in self.bands)

    def rank(self, grade: str) -> int:
        """0 for the best grade, 1 for the next, ...

        Raises:
            ValidationError: Not a grade of this ladder.
        """
        for i, band in enumerate(self.bands):
            if band.grade == grade:
                return i
        raise ValidationError(
            field="grade",
            value=grade,
            expected=f"one of: {', '.join(self.grades)}",
            problem="not a grade of this ladder",
        )

    def band(self, grade: str) -> GradeBand:
        """The band of ``grade``."""
        return self.bands[self.rank(grade)]

    def grade_of(self, total: Decimal) -> str:
        """The grade of a score total (a total at a threshold: see ``threshold_owner``).

        Raises:
            ValidationError: The total is not a finite ``Decimal`` (or an int), or lies
                outside ``[low, high]``; the error names ``total``.
        """
        total = _total(total, "total")
        if not self.low <= total <= self.high:
            raise ValidationError(
                field="total",
                value=total,
                expected=f"a score between {self.low} and {self.high}",
                problem="score outside the ladder's range",
            )
        # Band 0 of the band core is the worst grade; the ends of the range are the
        # ladder's own (a total of ``low`` or ``high`` always finds its band).
        return self.bands[-1 - self._find(total)].grade

    def _grades_of(self, totals: Iterable[Decimal]) -> list[str]:
        """The grades of totals already checked to lie within ``[low, high]`` (bulk path)."""
        worst_first = [b.grade for b in reversed(self.bands)]
        return list(map(worst_first.__getitem__, map(self._find, totals)))

    def next_better(self, grade: str) -> GradeBand | None:
        """The band one step above ``grade`` (``None`` for the best grade)."""
        i = self.rank(grade)
        return self.bands[i - 1] if i else None


@attrs.frozen
class Graded:
    """An account's score and the grade it earns."""

    account_id: str
    score: Score
    grade: str

    @property
    def total(self) -> Decimal:
        """The score total."""
        return self.score.total


_make_graded = maker(Graded)
_TOTAL_EXPECTED = "a Score, or a finite Decimal or int total"


def _total(value: object, field: str) -> Decimal:
    """A score total: a finite ``Decimal``, or an ``int`` (not a bool, a float or a string)."""
    if type(value) is Decimal:
        if value.is_finite():
            return value
        problem = "not a finite number"
    elif isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    elif isinstance(value, float):
        problem = "a float: inexact, refused for a score"
    else:
        problem = f"a {type(value).__name__}"
    raise ValidationError(field=field, value=value, expected=_TOTAL_EXPECTED, problem=problem)


def grade(ladder: GradeLadder, score: Score | Decimal) -> str:
    """The grade a score (or a bare total) earns on ``ladder``.

    Args:
        ladder: The grade ladder.
        score: A :class:`Score`, or a bare total as a finite ``Decimal`` or an ``int``.

    Raises:
        ValidationError: ``ladder`` is not a :class:`GradeLadder` (field ``ladder``);
            ``score`` is a float, a string, ``None``, NaN or infinite (field ``score``),
            or lies outside the ladder's range (field ``total``).

    Examples:
        >>> ladder = GradeLadder((GradeBand("key", 60, 100), GradeBand("other", 0, 60)))
        >>> grade(ladder, Decimal(61))
        'key'
        >>> grade(ladder, 85.0)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: score: a float: inexact, refused for a score (got 85.0); expected a Score, or a finite Decimal or int total
    """  # noqa: E501
    instance(ladder, GradeLadder, "ladder")
    total = score.total if isinstance(score, Score) else _total(score, "score")
    return ladder.grade_of(total)


def grade_all(
    model: ScoringModel, ladder: GradeLadder, population: Sequence[AccountFacts]
) -> tuple[Graded, ...]:
    """Fit ``model`` to the population, score and grade every account (input order).

    Raises:
        ValidationError: ``model`` not a scoring model, ``ladder`` not a
            :class:`GradeLadder`, ``population`` not a sequence of :class:`AccountFacts`
            (each naming its field); duplicate account ids, a refused figure, or a
            score outside the ladder's range.
    """
    instance(model, ScoringModel, "model", expected="a ScoringModel")  # type: ignore[type-abstract]
    instance(ladder, GradeLadder, "ladder")
    pop = items_of(population, AccountFacts, "population")
    check_unique_ids(pop)
    fitted = model.fit(pop)
    grade_of, make, score_of = ladder.grade_of, _make_graded, fitted.score
    out = []
    for f in pop:
        s = score_of(f)
        out.append(make(f.account_id, s, grade_of(s.total)))
    return tuple(out)
