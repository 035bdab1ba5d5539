"""Concentration figures (集中度) of a population: Lorenz curve, Gini, top-20% share."""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

import attrs

from kamcore.grading._pareto import SHARE_PLACES, _pairs
from kamcore.money import MAX_DIGITS, MAX_PLACES

__all__ = ["Concentration", "measure_concentration"]

_SCALE: Final = 10**SHARE_PLACES
# Wide enough that scaling any accepted measure to an integer, or adding them up, is exact.
_EXACT: Final = decimal.Context(prec=MAX_DIGITS + MAX_PLACES + 40, traps=[decimal.Inexact])


def _ratio(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` rounded HALF_UP to :data:`SHARE_PLACES`, exactly once."""
    q, r = divmod(numerator * _SCALE, denominator)
    if 2 * r >= denominator:
        q += 1
    return Decimal(q).scaleb(-SHARE_PLACES)


@attrs.frozen
class Concentration:
    """How concentrated a measure (sales, volume, profit) is across the accounts.

    Every share is computed exactly from the measures and rounded once, HALF_UP, to
    :data:`~kamcore.grading.SHARE_PLACES` (12) places, like the shares of
    :func:`~kamcore.grading.classify_abc`.

    Attributes:
        count: How many accounts.
        total: The sum of the measures, exact.
        lorenz: The Lorenz curve: ``(cumulative share of accounts, cumulative share of
            the measure)`` points from ``(0, 0)`` to ``(1, 1)``, one per account after
            the first point, the accounts sorted ascending by measure (ties by account
            id). The curve lies on or below the diagonal and is convex. Left out of the
            ``repr`` (it has ``count + 1`` points).
        gini: The Gini coefficient, ``G = 2·Σ i·x₍ᵢ₎ / (n·Σx) − (n + 1)/n`` over the
            measures sorted ascending (``i`` from 1): 0 when every account holds the
            same, ``(n − 1)/n`` when one account holds everything. It is 0 for a
            single account, for no accounts and when every measure is zero.
        top20_share: The share of the measure the top 20% of accounts hold, counted
            as ``ceil(n / 5)`` accounts (rounded up, like the ``grading_top20``
            preset, so a non-empty population always has at least one top account).
        accounts_for_80: The share of accounts, counted from the largest, needed to
            reach 80% of the measure; the account that reaches or crosses 80% is
            included (as the crossing account joins class A under
            :attr:`~kamcore.grading.AbcCrossing.JOINS`).

    When every measure is zero (or there are no accounts), there is nothing
    concentrated: the Lorenz curve is the diagonal (one point per account), the Gini
    is 0, and the shares are the accounts' own count shares (``ceil(n / 5) / n`` and
    ``ceil(4n / 5) / n``; 0 for no accounts).
    """

    count: int
    total: Decimal
    lorenz: tuple[tuple[Decimal, Decimal], ...] = attrs.field(repr=False)
    gini: Decimal
    top20_share: Decimal
    accounts_for_80: Decimal


def measure_concentration(
    measures: Mapping[str, Decimal | int | str] | Iterable[tuple[str, Decimal | int | str]],
) -> Concentration:
    """The concentration figures of a population's measures (exact ``Decimal``).

    Measures are read as :func:`~kamcore.grading.classify_abc` reads them: ``Decimal``,
    ``int`` or a decimal string, zero or more, one per account; floats, blanks and
    ``None`` are refused (leave an account out rather than give it no measure).

    Args:
        measures: Account id → measure, as a mapping or ``(id, measure)`` pairs.

    Returns:
        The Lorenz curve, Gini coefficient, top-20% share and the share of accounts
        that makes 80% of the measure.

    Raises:
        ValidationError: A negative, non-numeric or missing measure (the error names
            the account), or an account given twice.

    Examples:
        >>> c = measure_concentration({"a": 1, "b": 2, "c": 3, "d": 4})
        >>> c.gini, c.top20_share, c.accounts_for_80
        (Decimal('0.250000000000'), Decimal('0.400000000000'), Decimal('0.750000000000'))
        >>> [(float(x), float(y)) for x, y in c.lorenz]
        [(0.0, 0.0), (0.25, 0.1), (0.5, 0.3), (0.75, 0.6), (1.0, 1.0)]
    """
    pairs = _pairs(measures)
    n = len(pairs)
    values = sorted(m for _, m in pairs)  # ties do not move the curve: ids need no sorting
    with decimal.localcontext(_EXACT):
        total = sum(values, Decimal(0))
    if not n:
        zero, one = _ratio(0, 1), _ratio(1, 1)
        return Concentration(0, Decimal(0), ((zero, zero), (one, one)), zero, zero, zero)
    exponent = min(0, *(int(v.as_tuple().exponent) for v in values))
    ints = [int(_EXACT.scaleb(v, -exponent)) for v in values]
    whole = sum(ints)
    top = (n + 4) // 5  # ceil(n / 5): the top 20% by count, rounded up
    if not whole:  # nothing to concentrate: the line of equality
        diagonal = tuple((_ratio(k, n), _ratio(k, n)) for k in range(n + 1))
        reach = (4 * n + 4) // 5  # ceil(4n / 5)
        return Concentration(n, total, diagonal, _ratio(0, 1), _ratio(top, n), _ratio(reach, n))
    cumulative = [0]
    running = 0
    weighted = 0
    for i, x in enumerate(ints, 1):
        running += x
        weighted += i * x
        cumulative.append(running)
    lorenz = tuple((_ratio(k, n), _ratio(c, whole)) for k, c in enumerate(cumulative))
    gini = _ratio(2 * weighted - (n + 1) * whole, n * whole)
    top_held = whole - cumulative[n - top]
    # the fewest largest accounts m whose measure reaches 80%: 5 × (top m) ≥ 4 × total
    m = next(m for m in range(1, n + 1) if 5 * (whole - cumulative[n - m]) >= 4 * whole)
    return Concentration(n, total, lorenz, gini, _ratio(top_held, whole), _ratio(m, n))
