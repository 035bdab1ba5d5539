"""The bulk pipeline's global steps on Dask: fitting, ranking and order counts.

Row-local steps run as ``map_partitions`` of the same partition functions the pandas
engine calls on one frame; the global ones are here: a fit is a reduction (min and
max) or order statistics picked from a distributed sort; ABC is a distributed sort
(measure descending, account id ascending) with each partition's row and unit
offsets, and, under the group-share reading, one binary search per class over the
partitions' running units. Needs the ``dask`` extra, imported lazily.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import TYPE_CHECKING, Any

import attrs

from kamcore.bulk._abc import (
    check_measure,
    cuts_for,
    group_share_ends,
    label_ranked,
    measure_places,
    to_units,
)
from kamcore.bulk._lines import (
    count_orders,
    finish_accounts,
    summarise_lines,
)
from kamcore.grading._columnar import fit_order_statistics
from kamcore.grading._facts import DERIVED_FIGURES
from kamcore.grading._normalisers import Normaliser
from kamcore.grading._pareto import AbcPolicy, AbcReading
from kamcore.grading._scoring import WeightedScorecard

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["aggregate_dask", "classify_dask", "fit_dask"]

_RANK_KEY = "_kamcore_rank_key"


def _dask() -> Any:
    """The ``dask`` module (the ``dask`` extra), untyped: its API is used dynamically."""
    return importlib.import_module("dask")


def aggregate_dask(
    lines: Any, period: tuple[dt.date, dt.date] | None, as_of: dt.date | None
) -> Any:
    """Order lines → account figures on Dask (partial sums per partition, then a sum)."""
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    meta = summarise_lines(lines._meta, period=period)
    partial = lines.map_partitions(summarise_lines, period=period, meta=meta)
    how: dict[str, str] = {
        c: "sum" for c in meta.columns if c not in {"account_id", "first_purchase", "last_purchase"}
    }
    how |= {"first_purchase": "min", "last_purchase": "max"}
    parts = max(1, lines.npartitions)
    sums = partial.groupby("account_id").agg(how, split_out=parts).reset_index()
    orders = None
    if "order_id" in lines.columns:
        pairs = lines
        if period is not None:
            first, last = (pd.Timestamp(d) for d in period)
            dates = lines["order_date"]
            pairs = lines[(dates >= first) & (dates < last + pd.Timedelta(days=1))]
        distinct = pairs.map_partitions(count_orders).drop_duplicates(split_out=parts)
        orders = distinct.groupby("account_id").size(split_out=parts).rename("orders")
    if orders is not None:
        sums = sums.merge(orders.reset_index(), on="account_id", how="left")
    if as_of is None:  # the latest line: computed from the sums, kept for what follows
        sums = sums.persist()
        as_of = pd.Timestamp(sums["last_purchase"].max().compute()).date()
    finish_meta = _finish(sums._meta, as_of)
    return sums.map_partitions(_finish, as_of, meta=finish_meta)


def _finish(sums: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One partition of combined sums (with a merged ``orders`` column) → account figures."""
    if "orders" in sums.columns:
        counted = sums.set_index("account_id")["orders"].fillna(0)
        frame = finish_accounts(sums.drop(columns="orders"), counted, as_of)
    else:
        frame = finish_accounts(sums, None, as_of)
    return frame


def fit_dask(model: Any, accounts: Any, id_column: str) -> Any:
    """Fit ``model`` to a Dask frame of account figures (a reduction per criterion).

    A :class:`WeightedScorecard`'s min–max criteria take a distributed min and max;
    percentile, clipped and log criteria take order statistics from a distributed sort
    of the column. A fitted criterion on a derived rate, and any other model, gather the
    columns they read and fit as one machine does (exactly as the exact path).
    """
    if model.fitted:
        return model
    if not isinstance(model, WeightedScorecard) or any(
        c.source in DERIVED_FIGURES and c.source not in accounts.columns
        for c in model.criteria
        if not c.normaliser.fitted
    ):
        from kamcore.bulk._engine import fit_pandas  # noqa: PLC0415

        needed = [id_column, *_needed(model, accounts.columns)]
        return fit_pandas(model, accounts[needed].compute(), id_column)
    criteria = []
    for c in model.criteria:
        norm = c.normaliser
        if not norm.fitted:
            norm = _fit_criterion(c.name, norm, accounts[c.source])
        criteria.append(attrs.evolve(c, normaliser=norm))
    return attrs.evolve(model, criteria=tuple(criteria))


def _needed(model: Any, columns: Any) -> list[str]:
    names: list[str] = []
    for figure, _ in model.directions:
        if figure in DERIVED_FIGURES and figure not in columns:
            names += ["collected", "invoiced"]
        else:
            names.append(figure)
    return [n for n in dict.fromkeys(names) if n in columns]


def _fit_criterion(name: str, norm: Normaliser, column: Any) -> Normaliser:
    dask = _dask()
    import numpy as np  # noqa: PLC0415

    from kamcore.bulk._engine import fit_extremes  # noqa: PLC0415

    values = column.astype("float64").dropna()
    n, lo, hi = dask.compute(values.count(), values.min(), values.max())
    fitted = fit_extremes(name, norm, int(n), float(lo), float(hi))  # NaN when n is 0
    if fitted is not None:
        return fitted
    ranked = values.to_frame(name="x").sort_values("x").persist()  # sorted once, read twice
    sizes = ranked.map_partitions(len).compute().tolist()
    starts = np.cumsum([0, *sizes])

    def pick(at: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        wanted: dict[int, list[int]] = {}
        for position in sorted(set(at.tolist())):
            k = int(np.searchsorted(starts, position, side="right")) - 1
            wanted.setdefault(k, []).append(position - int(starts[k]))
        parts = dask.compute(*(ranked.partitions[k]["x"] for k in wanted))
        found: dict[int, float] = {}
        for (k, rows), part in zip(wanted.items(), parts, strict=True):
            arr = part.to_numpy(dtype=np.float64)
            for r in rows:
                found[int(starts[k]) + r] = float(arr[r])
        return np.array([found[int(p)] for p in at.tolist()], dtype=np.float64)

    return fit_order_statistics(norm, int(n), pick)


def classify_dask(frame: Any, policy: AbcPolicy, measure: str, id_column: str) -> Any:
    """ABC classes on Dask: a distributed sort, then each partition labelled from offsets.

    Returns the frame in rank order with ``abc``, ``rank`` and ``cumulative_share``.
    """
    dask = _dask()
    import numpy as np  # noqa: PLC0415

    def places_of(part: pd.DataFrame) -> int:
        x = part[measure].to_numpy(dtype=np.float64, na_value=np.nan)
        check_measure(x, part[id_column].to_numpy(), measure)
        return measure_places(x)

    places = max([0, *dask.compute(*[dask.delayed(places_of)(p) for p in frame.to_delayed()])])

    def keyed(part: pd.DataFrame) -> pd.DataFrame:
        x = part[measure].to_numpy(dtype=np.float64, na_value=np.nan)
        return part.assign(**{_RANK_KEY: -to_units(x, places)})

    meta = keyed(frame._meta)
    ranked = frame.map_partitions(keyed, meta=meta).sort_values([_RANK_KEY, id_column])
    ranked = ranked.persist()
    stats = ranked.map_partitions(_partition_stats, meta={"rows": "i8", "units": "object"})
    rows_units = stats.compute()
    counts = [int(v) for v in rows_units["rows"].tolist()]
    sums = [int(v) for v in rows_units["units"].tolist()]
    n, total = sum(counts), sum(sums)
    cuts = cuts_for(policy, n, total)
    row_starts = np.cumsum([0, *counts]).tolist()
    unit_starts = [0]
    for s in sums:
        unit_starts.append(unit_starts[-1] + s)
    if policy.reading is AbcReading.GROUP_SHARE:
        running = _Partitions(ranked, row_starts, unit_starts)
        cuts = attrs.evolve(cuts, ends=group_share_ends(policy, n, total, running))
    labels = np.array(policy.labels, dtype=object)

    def label(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
        k = 0 if partition_info is None else int(partition_info["number"])
        units = -part[_RANK_KEY].to_numpy(dtype=np.int64)
        abc, rank, share = label_ranked(
            units, cuts, labels, row_offset=row_starts[k], unit_offset=unit_starts[k]
        )
        return part.drop(columns=_RANK_KEY).assign(abc=abc, rank=rank, cumulative_share=share)

    out_meta = frame._meta.assign(
        abc=np.array([], dtype=object),
        rank=np.array([], dtype=np.int64),
        cumulative_share=np.array([], dtype=np.float64),
    )
    return ranked.map_partitions(label, meta=out_meta)


def _partition_stats(part: pd.DataFrame) -> pd.DataFrame:
    """How many rows a ranked partition holds, and their units (a Python int: no overflow)."""
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    units = sum(-int(v) for v in part[_RANK_KEY].tolist())
    return pd.DataFrame({"rows": [len(part)], "units": [units]})


@attrs.frozen
class _Partitions:
    """:class:`~kamcore.bulk._abc.RunningUnits` over the partitions of a ranked frame."""

    ranked: Any
    row_starts: list[int]
    unit_starts: list[int]

    def _units(self, k: int) -> Any:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        part = self.ranked.partitions[k][_RANK_KEY].compute()
        return -part.to_numpy(dtype=np.int64)

    def first_reaching(self, start: int, threshold: int, *, including: bool) -> int:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        n = self.row_starts[-1]
        for k in range(len(self.row_starts) - 1):
            lo, hi = self.row_starts[k], self.row_starts[k + 1]
            if hi <= start or lo == hi or self.unit_starts[k + 1] < threshold:
                continue  # before start, empty, or every running figure below the threshold
            units = self._units(k)
            running = np.cumsum(units) + self.unit_starts[k]
            if not including:
                running = running - units
            i = lo + int(np.searchsorted(running, threshold, side="left"))
            if i < hi:
                return max(i, start)
        return n

    def before(self, row: int) -> int:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        k = int(np.searchsorted(self.row_starts, row, side="right")) - 1
        units = self._units(k)
        return self.unit_starts[k] + int(units[: row - self.row_starts[k]].sum())
