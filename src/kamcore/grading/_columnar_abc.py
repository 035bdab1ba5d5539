"""ABC classes on float columns: the columnar path's Pareto classification.

:func:`abc_labels` classifies a whole population from a numpy column of measures as
:func:`~kamcore.grading.classify_abc` does in ``Decimal``. Float running shares are
compared with the breakpoints by binary search; the few accounts whose running share
lies within a rounding error of a breakpoint are re-decided exactly, so the classes
agree with the exact path's. Needs numpy (the ``frames`` extra), imported lazily.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from kamcore.errors import ValidationError
from kamcore.grading._pareto import AbcCrossing, AbcMethod, AbcPolicy, AbcReading

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["abc_labels"]


def abc_labels(
    policy: AbcPolicy, measure: npt.NDArray[np.float64], by_id: npt.NDArray[np.intp] | None
) -> npt.NDArray[np.object_]:
    """The ABC class of every account from a float column of measures.

    Accounts are ranked by measure, largest first (ties by ``by_id`` order when given,
    else by row); the classes are those :func:`~kamcore.grading.classify_abc` gives, the
    few accounts whose float running share lies on a breakpoint re-decided in Decimal.

    Raises:
        ValidationError: A missing or negative measure.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    n = len(measure)
    if np.isnan(measure).any() or (measure < 0).any():
        raise ValidationError(
            field="measure",
            value=None,
            expected="a non-negative figure for every account",
            problem="missing or negative measure",
        )
    if by_id is None:
        order = np.argsort(-measure, kind="stable")
    else:
        order = by_id[np.argsort(-measure[by_id], kind="stable")]
    labels = np.array(policy.labels, dtype=object)
    if policy.reading is AbcReading.GROUP_SHARE:
        grouped = np.empty(n, dtype=object)
        grouped[order] = labels[_group_share_classes(policy, measure[order])]
        return grouped
    position: npt.NDArray[Any]
    limits: npt.NDArray[Any]
    side: Literal["left", "right"] = "right"  # the first limit the position is below
    if policy.method is AbcMethod.COUNT:
        limits = np.array([int(policy.rounding.apply(b.upto * n, 0)) for b in policy.breaks])
        position = np.arange(n)
    else:
        ranked = measure[order]
        total = float(ranked.sum())
        limits = np.array([float(b.upto) * total for b in policy.breaks])
        position = np.cumsum(ranked)
        if policy.crossing is AbcCrossing.NEXT and total > 0:
            side = "left"  # the first limit the share including the account is within
        else:
            position -= ranked  # the share before the account
    idx = np.minimum(np.searchsorted(limits, position, side=side), len(labels) - 1)
    if policy.method is not AbcMethod.COUNT and n:
        _settle_near_limits(policy, measure[order], limits, position, idx, side)
    result = np.empty(n, dtype=object)
    result[order] = labels[idx]
    return result


def _settle_near_limits(  # noqa: PLR0917 - private, called once, positionally
    policy: AbcPolicy,
    ranked: npt.NDArray[Any],
    limits: npt.NDArray[Any],
    position: npt.NDArray[Any],
    idx: npt.NDArray[Any],
    side: Literal["left", "right"],
) -> None:
    """Re-decide, exactly, the accounts whose float running share sits on a breakpoint.

    Float sums drift by a few units of the last place (``0.07 * 100`` is
    ``7.000000000000001``), so an account whose running total lands on a breakpoint
    could fall on the other side of it than the exact path puts it. Those few rows are
    recomputed in Decimal, reading each figure as the decimal its shortest repr shows,
    as the exact path does; ``idx`` is corrected in place.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    total = float(ranked.sum())
    tolerance = 1e-9 * max(abs(total), 1.0)
    near = np.zeros(len(ranked), dtype=bool)
    for limit in limits[:-1]:  # on the last limit, either side is the last class
        near |= np.abs(position - limit) <= tolerance
    if not near.any():
        return
    # the cuts need the exact total of every row; the running shares only the prefix
    exact_total = sum((Decimal(repr(v)) for v in ranked.tolist()), Decimal(0))
    stop = int(np.flatnonzero(near)[-1]) + 1
    exact = [Decimal(repr(v)) for v in ranked[:stop].tolist()]
    cuts = [b.upto * exact_total for b in policy.breaks]
    last = len(policy.breaks) - 1  # the index of the last class
    before = Decimal(0)
    wanted = set(np.flatnonzero(near).tolist())
    for i, value in enumerate(exact):
        if i in wanted:
            if side == "left":  # the share including the account is within the breakpoint
                k = next((j for j, cut in enumerate(cuts) if before + value <= cut), last)
            else:  # the share before the account has not yet reached the breakpoint
                k = next((j for j, cut in enumerate(cuts) if before < cut), last)
            idx[i] = min(k, last)
        before += value


def _group_share_classes(
    policy: AbcPolicy, ranked: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """Each ranked account's class index under the group-share reading.

    Classes are cut one after another: class ``k`` starts where class ``k - 1`` ended and
    ends at the first account whose class total *before* it has reached the class's
    target (``JOINS``; a class's first account always joins) or whose class total
    *including* it exceeds the target (``NEXT``). Each end is found by a binary search
    of the float running totals; where running totals lie within a rounding error of
    the target, the end is re-decided exactly in Decimal (each figure read as the
    decimal its shortest repr shows, summed in rank order, as the exact path does), so
    every class starts where the exact path starts it.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    n = len(ranked)
    last = len(policy.breaks) - 1
    idx = np.full(n, last, dtype=np.intp)
    total = float(ranked.sum())
    if not total > 0:  # no accounts, or all-zero measures: the last class
        return idx
    inclusive = np.cumsum(ranked)
    before = np.concatenate((np.zeros(1), inclusive[:-1]))
    joins = policy.crossing is AbcCrossing.JOINS
    position = before if joins else inclusive
    side: Literal["left", "right"] = "left" if joins else "right"
    tolerance = 1e-9 * max(total, 1.0)
    exact_total: Decimal | None = None
    start = 0
    for k, b in enumerate(policy.breaks[:last]):
        if start >= n:  # the accounts ran out: the classes left are empty
            break
        first = start + 1 if joins else start  # the first account that may end the class
        limit = float(before[start]) + float(b.upto) * total
        end = int(np.searchsorted(position, limit, side=side))
        lo = max(int(np.searchsorted(position, limit - tolerance, side="left")), first)
        hi = int(np.searchsorted(position, limit + tolerance, side="right"))
        if lo < hi:  # running totals on the target: find the end exactly
            if exact_total is None:
                exact_total = sum((Decimal(repr(v)) for v in ranked.tolist()), Decimal(0))
            target = b.upto * exact_total
            held = sum((Decimal(repr(v)) for v in ranked[start:lo].tolist()), Decimal(0))
            end = hi
            for i, raw in enumerate(ranked[lo:hi].tolist(), lo):
                value = Decimal(repr(raw))
                if held >= target if joins else held + value > target:
                    end = i
                    break
                held += value
        end = max(end, first)
        idx[start:end] = k
        start = end
    return idx
