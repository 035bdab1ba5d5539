"""ABC classes of a ranked population in whole units: exact on one partition or many.

The measure column (float64) is read as the decimals its floats' shortest reprs show,
then held as whole units of its last decimal place (int64: cents for money), so the
running sums are exact integers whatever the partitioning. A breakpoint
``upto × total`` is exact too (a ``Decimal``), and comparing an integer with it needs
only its floor or its ceiling, so every account lands in the class
:func:`~kamcore.grading.classify_abc` gives it, including the tie rule (measure
descending, account id ascending) and the crossing reading.

:func:`rank_order` sorts one partition; :func:`label_ranked` classifies one partition
of the ranked population from its offsets (the rows and units before it), a partition
function; :func:`group_share_ends` finds where each class ends under the group-share
reading, one binary search per class over monotone running sums.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from kamcore._validate import instance_of
from kamcore._validate import whole as whole_number
from kamcore.errors import ValidationError
from kamcore.grading._pareto import AbcCrossing, AbcMethod, AbcPolicy, AbcReading

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "MAX_PLACES",
    "Cuts",
    "RunningUnits",
    "check_measure",
    "classify_frame_units",
    "cuts_for",
    "group_share_ends",
    "label_ranked",
    "measure_places",
    "rank_order",
    "to_units",
]

#: The most decimal places a measure may have for exact whole-unit arithmetic.
MAX_PLACES: Final = 9
_EXACT_INT: Final = 2**53  # floats hold every integer below this exactly
_INT64: Final = 2**63


def check_measure(x: npt.NDArray[np.float64], ids: Any, name: str) -> None:
    """Refuse a missing or negative measure, naming the first account that has one."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    bad = np.isnan(x) | (x < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = float(x[row])
        raise ValidationError(
            field=f"{ids[row]}.{name}",
            value=None if np.isnan(value) else value,
            expected="a non-negative figure for every account (ABC ranks by it)",
            problem="missing measure" if np.isnan(value) else "negative measure",
        )


def measure_places(x: npt.NDArray[np.float64]) -> int:
    """The fewest decimal places that show every value of ``x`` exactly (0 to 9).

    A float ``v`` has at most ``p`` places when ``round(v·10^p) / 10^p == v`` (its
    shortest repr has at most ``p`` decimals).

    Raises:
        ValidationError: Some value needs more than :data:`MAX_PLACES` places.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    for places in range(MAX_PLACES + 1):
        unit = 10.0**places
        if bool(np.all(np.round(x * unit) / unit == x)):
            return places
    row = int(np.flatnonzero(np.round(x * 10.0**MAX_PLACES) / 10.0**MAX_PLACES != x)[0])
    raise ValidationError(
        field="measure",
        value=float(x[row]),
        expected=f"figures with at most {MAX_PLACES} decimal places",
        problem="too many decimal places to rank exactly",
    )


def to_units(x: npt.NDArray[np.float64], places: int) -> npt.NDArray[np.int64]:
    """``x`` as whole units of ``10^-places`` (int64), exactly.

    Raises:
        ValidationError: A value too large to hold exactly (2^53 units or more).
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    scaled = np.round(x * 10.0**places)
    if len(scaled) and float(np.max(scaled)) >= _EXACT_INT:
        raise ValidationError(
            field="measure",
            value=float(np.max(x)),
            expected=f"figures below {_EXACT_INT / 10.0**places:.0f}",
            problem="too large to rank exactly",
        )
    units: npt.NDArray[np.int64] = scaled.astype(np.int64)
    return units


def rank_order(units: npt.NDArray[np.int64], ids: Any) -> npt.NDArray[np.intp]:
    """The rank order of one partition: measure descending, account id ascending."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    from kamcore.grading._columnar import id_order  # noqa: PLC0415

    by_id = id_order(ids)
    order: npt.NDArray[np.intp] = by_id[np.argsort(-units[by_id], kind="stable")]
    return order


@attrs.frozen
class Cuts:
    """A policy's breakpoints as whole numbers for a population of ``n`` and ``total``.

    ``kind`` says what a position is compared with: ``"count"`` (the account's rank,
    0-based, against ``limits``: first class whose limit is above it), ``"before"``
    (units before the account: first class whose limit is above it) or
    ``"including"`` (units including it: first class whose limit it does not pass).
    Under the group-share reading ``ends`` holds each class's end (a row position).
    """

    kind: str
    limits: tuple[int, ...]
    total: int
    n: int
    ends: tuple[int, ...] = ()


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=decimal.ROUND_FLOOR))


def _ceiling(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=decimal.ROUND_CEILING))


def cuts_for(policy: AbcPolicy, n: int, total: int) -> Cuts:
    """The integer breakpoints of ``policy`` for ``n`` accounts holding ``total`` units.

    Raises:
        ValidationError: Not an :class:`AbcPolicy`, or ``n`` / ``total`` not a whole
            number of at least 0 (a total of 2^63 units or more is too large).
    """
    instance_of(policy, AbcPolicy, "policy")
    whole_number(n, "n", low=0)
    whole_number(total, "total", low=0)
    if total >= _INT64:
        raise ValidationError(
            field="measure",
            value=total,
            expected="a total below 2^63 whole units",
            problem="too large to rank exactly",
        )
    if policy.method is AbcMethod.COUNT:
        limits = tuple(int(policy.rounding.apply(b.upto * n, 0)) for b in policy.breaks)
        return Cuts("count", limits, total, n)
    whole = Decimal(total)
    if policy.crossing is AbcCrossing.NEXT and total > 0:
        # the share including the account is within the breakpoint: <= floor(upto·total)
        return Cuts("including", tuple(_floor(b.upto * whole) for b in policy.breaks), total, n)
    # the share before the account has not reached the breakpoint: < ceil(upto·total)
    return Cuts("before", tuple(_ceiling(b.upto * whole) for b in policy.breaks), total, n)


class RunningUnits(Protocol):
    """Running units of a ranked population, searched by :func:`group_share_ends`."""

    def first_reaching(self, start: int, threshold: int, *, including: bool) -> int:
        """The first row ``i >= start`` whose running units reach ``threshold`` (else n).

        Running units count the row itself when ``including``, else the rows before it;
        they never fall, so this is a binary search.
        """

    def before(self, row: int) -> int:
        """The units held by the rows before ``row``."""


def group_share_ends(
    policy: AbcPolicy, n: int, total: int, running: RunningUnits
) -> tuple[int, ...]:
    """Where each class but the last ends (a row position), under the group-share reading.

    Class ``k`` starts where class ``k - 1`` ended; it ends at the first account whose
    class total before it has reached the target (``JOINS``; its first account always
    joins) or whose class total including it exceeds the target (``NEXT``), as
    :func:`~kamcore.grading.classify_abc` reads it. When the accounts run out, the
    classes after are empty; a total of 0 puts every account in the last class.
    """
    last = len(policy.breaks) - 1
    if total <= 0:
        return (0,) * last
    joins = policy.crossing is AbcCrossing.JOINS
    ends: list[int] = []
    start, held = 0, 0
    whole = Decimal(total)
    for b in policy.breaks[:last]:
        if start >= n:
            ends.append(n)
            continue
        target = b.upto * whole
        if joins:  # first i > start with before[i] - before[start] >= target
            end = running.first_reaching(start + 1, held + _ceiling(target), including=False)
        else:  # first i >= start with including[i] - before[start] > target
            end = running.first_reaching(start, held + _floor(target) + 1, including=True)
        ends.append(end)
        if end < n:
            held = running.before(end)
        start = end
    return tuple(ends)


def label_ranked(
    units: npt.NDArray[np.int64],
    cuts: Cuts,
    labels: npt.NDArray[np.object_],
    *,
    row_offset: int = 0,
    unit_offset: int = 0,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Classify one partition of the ranked population (a partition function).

    Args:
        units: The partition's measures in rank order, as whole units.
        cuts: The population's breakpoints (:func:`cuts_for`, with ``ends`` under the
            group-share reading).
        labels: The class labels, first to last.
        row_offset: How many accounts rank before this partition.
        unit_offset: The units those accounts hold.

    Returns:
        The class label, the rank (1-based) and the cumulative share (including the
        account; 1 when the total is 0) of each account of the partition.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    instance_of(cuts, Cuts, "cuts")
    whole_number(row_offset, "row_offset", low=0)
    whole_number(unit_offset, "unit_offset", low=0)
    try:
        units = np.asarray(units, dtype=np.int64)
        labels = np.asarray(labels, dtype=object)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(
            field="units",
            value=type(units).__name__,
            expected="whole units (int64) in rank order, and the class labels",
            problem="not whole numbers",
        ) from None
    if units.ndim != 1 or labels.ndim != 1 or not len(labels):
        raise ValidationError(
            field="units",
            value=(units.shape, labels.shape),
            expected="a one-dimensional column of units and at least one label",
            problem="wrong shape",
        )
    m = len(units)
    rows = np.arange(row_offset, row_offset + m, dtype=np.int64)
    including = np.cumsum(units, dtype=np.int64) + np.int64(unit_offset)
    last = len(labels) - 1
    if cuts.ends:
        idx = np.searchsorted(np.array(cuts.ends, dtype=np.int64), rows, side="right")
    elif cuts.kind == "count":
        idx = np.searchsorted(np.array(cuts.limits, dtype=np.int64), rows, side="right")
    elif cuts.kind == "including":
        idx = np.searchsorted(np.array(cuts.limits, dtype=np.int64), including, side="left")
    else:
        before = including - units
        idx = np.searchsorted(np.array(cuts.limits, dtype=np.int64), before, side="right")
    share = including / float(cuts.total) if cuts.total > 0 else np.ones(m, dtype=np.float64)
    return labels[np.minimum(idx, last)], rows + 1, share


def classify_frame_units(
    frame: pd.DataFrame, policy: AbcPolicy, measure: str, id_column: str
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """ABC classes, ranks and cumulative shares of one whole population, in input order."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    ids = frame[id_column].to_numpy()
    x = frame[measure].to_numpy(dtype=np.float64, na_value=np.nan)
    check_measure(x, ids, measure)
    units = to_units(x, measure_places(x))
    order = rank_order(units, ids)
    ranked = units[order]
    n, total = len(ranked), int(ranked.sum(dtype=np.int64)) if len(ranked) else 0
    if len(ranked) and int(ranked.max()) * n >= _INT64:
        total = sum(int(v) for v in ranked.tolist())
    cuts = cuts_for(policy, n, total)
    if policy.reading is AbcReading.GROUP_SHARE:
        including = np.cumsum(ranked, dtype=np.int64)
        ends = group_share_ends(policy, n, total, _Array(ranked, including))
        cuts = attrs.evolve(cuts, ends=ends)
    labels = np.array(policy.labels, dtype=object)
    label, rank, share = label_ranked(ranked, cuts, labels)
    out_label = np.empty(n, dtype=object)
    out_rank = np.empty(n, dtype=np.int64)
    out_share = np.empty(n, dtype=np.float64)
    out_label[order], out_rank[order], out_share[order] = label, rank, share
    return out_label, out_rank, out_share


@attrs.frozen
class _Array:
    """:class:`RunningUnits` of one array of ranked units."""

    ranked: Any
    including: Any

    def first_reaching(self, start: int, threshold: int, *, including: bool) -> int:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        running = self.including if including else self.including - self.ranked
        i = int(np.searchsorted(running, threshold, side="left"))
        return min(max(i, start), len(self.ranked))

    def before(self, row: int) -> int:
        return int(self.including[row] - self.ranked[row])
