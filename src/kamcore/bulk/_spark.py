"""The bulk pipeline on Spark: kamcore's pandas partition functions under ``mapInPandas``.

:func:`grade_lines_spark` grades order lines held in a Spark DataFrame with the same
partition functions the pandas and Dask engines run, and Spark's own ``groupBy`` and
``orderBy`` for the global steps:

1. :func:`~kamcore.bulk.summarise_lines` on every Arrow batch (``mapInPandas``), then a
   Spark ``groupBy("account_id")`` that adds the whole cents up (exact on any
   partitioning) and keeps the first and last purchase; the distinct order ids the
   same way; the account figures (yuan, ``orders``, ``recency_days``) per partition;
2. the fit on the driver, from a Spark min/max or from order statistics picked out of a
   Spark sort (only the partitions that hold them are fetched);
3. :func:`~kamcore.bulk.score_partition` under ``mapInPandas``;
4. ABC: the measure as whole units, a global ``orderBy`` (units descending, account id
   ascending), each partition's row count and units (a Spark ``groupBy`` on the
   partition id), the offsets on the driver, then :func:`~kamcore.bulk.label_ranked`
   under ``mapInPandas`` with each partition's offsets.

The result is a Spark DataFrame (in rank order when ABC is asked for) holding the
values :func:`~kamcore.bulk.grade_lines` gives on the same lines. Needs ``pyspark``
(not an extra of kamcore: the cluster's own), imported only when called.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs

from kamcore._validate import day
from kamcore.bulk._abc import (
    check_measure,
    cuts_for,
    group_share_ends,
    label_ranked,
    measure_places,
    to_units,
)
from kamcore.bulk._engine import (
    _check_grading,
    check_period,
    fit_extremes,
    fit_pandas,
    score_partition,
)
from kamcore.bulk._lines import (
    LINE_AMOUNTS,
    count_orders,
    finish_accounts,
    in_period,
    summarise_lines,
)
from kamcore.errors import ValidationError
from kamcore.grading._columnar import fit_order_statistics
from kamcore.grading._facts import _NON_NEGATIVE, DERIVED_FIGURES
from kamcore.grading._ladder import GradeLadder
from kamcore.grading._normalisers import Normaliser
from kamcore.grading._pareto import AbcPolicy, AbcReading
from kamcore.grading._scoring import ScoringModel, WeightedScorecard

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["grade_lines_spark"]

_ID: Final = "account_id"
_DATE: Final = "order_date"
_UNITS: Final = "_kamcore_units"
_PART: Final = "_kamcore_part"
#: Stands for the dot of ``<criterion>.contribution`` inside Spark (a dot there is a path).
_DOT: Final = "__kamcore_dot__"
_SUMMED: Final = (*LINE_AMOUNTS, "quantity", "lines")


def _modules() -> tuple[Any, Any]:
    """``pyspark.sql.functions`` and ``pyspark.sql.types``, untyped (a dynamic API)."""
    try:
        functions = importlib.import_module("pyspark.sql.functions")
        types = importlib.import_module("pyspark.sql.types")
    except ImportError:  # pragma: no cover - a Spark DataFrame comes with pyspark
        raise ValidationError(
            field="spark_df",
            value=None,
            expected="pyspark installed where the driver runs (pip install pyspark)",
            problem="pyspark is not installed",
        ) from None
    return functions, types


def _check_frame(frame: object) -> None:
    """Refuse anything but a Spark DataFrame of order lines, with the fix."""
    module = type(frame).__module__
    if not module.startswith("pyspark") or not hasattr(frame, "mapInPandas"):
        raise ValidationError(
            field="spark_df",
            value=type(frame).__name__,
            expected="a pyspark.sql.DataFrame of order lines (spark.read.parquet(...))",
            problem="not a Spark DataFrame",
        )
    _, types = _modules()
    fields = {f.name: f.dataType for f in frame.schema.fields}  # type: ignore[attr-defined]
    for need in (_ID, _DATE, "sales_revenue"):
        if need not in fields:
            raise ValidationError(
                field=need,
                value=sorted(fields),
                expected=f"a column named {need!r}",
                problem="missing column",
            )
    if not isinstance(fields[_ID], types.StringType):
        raise ValidationError(
            field=_ID,
            value=fields[_ID].simpleString(),
            expected="text (cast it: col('account_id').cast('string'))",
            problem="not a text column (accounts rank by id as text)",
        )
    dates = (types.DateType, types.TimestampType, types.TimestampNTZType)
    if not isinstance(fields[_DATE], dates):
        raise ValidationError(
            field=_DATE,
            value=fields[_DATE].simpleString(),
            expected="a date or timestamp column (to_date(col('order_date')))",
            problem="not a date column",
        )
    for a in LINE_AMOUNTS:
        if a in fields and not isinstance(fields[a], types.IntegralType):
            raise ValidationError(
                field=a,
                value=fields[a].simpleString(),
                expected="whole cents as integers (34855361 for ¥348,553.61), never null",
                problem="not an integer column",
            )


# -- partition functions (each runs in a Python worker, on one partition's batches) ------


def _as_days(part: pd.DataFrame) -> pd.DataFrame:
    """``order_date`` as datetime64 (a Spark DateType column arrives as ``date`` objects)."""
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    if part[_DATE].dtype.kind == "M":
        return part
    return part.assign(**{_DATE: pd.to_datetime(part[_DATE])})


def _as_dates(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Datetime columns back to ``date`` objects, for a DateType column of the schema."""
    return frame.assign(**{c: frame[c].dt.date for c in columns})


def summarise_batches(
    batches: Iterator[pd.DataFrame], period: tuple[dt.date, dt.date] | None, dates: bool
) -> Iterator[pd.DataFrame]:
    """:func:`summarise_lines` of each batch of order lines (sums in whole cents)."""
    for part in batches:
        if len(part):
            out = summarise_lines(_as_days(part), period=period)
            yield _as_dates(out, ("first_purchase", "last_purchase")) if dates else out


def order_batches(
    batches: Iterator[pd.DataFrame], period: tuple[dt.date, dt.date] | None
) -> Iterator[pd.DataFrame]:
    """The distinct (account, order) pairs of each batch, lines outside ``period`` left out."""
    for part in batches:
        if len(part):
            yield count_orders(in_period(_as_days(part), period))


def latest_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The latest purchase of each batch, in nanoseconds as pandas sees it (no time zone)."""
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    for part in batches:
        if len(part):
            latest = pd.to_datetime(part["last_purchase"]).max()
            yield pd.DataFrame({"ns": [int(pd.Timestamp(latest).as_unit("ns").value)]})


def finish_batches(
    batches: Iterator[pd.DataFrame], as_of: dt.date, orders: bool, columns: list[str]
) -> Iterator[pd.DataFrame]:
    """Combined sums (with a joined ``orders`` column) → account figures, per batch."""
    for part in batches:
        if not len(part):
            continue
        if orders:
            counted = part.set_index(_ID)["orders"].fillna(0)
            frame = finish_accounts(part.drop(columns="orders"), counted, as_of)
        else:
            frame = finish_accounts(part, None, as_of)
        yield frame[columns]


def score_batches(
    batches: Iterator[pd.DataFrame], model: ScoringModel, ladder: GradeLadder
) -> Iterator[pd.DataFrame]:
    """:func:`score_partition` of each batch, with the model fitted on the driver."""
    for part in batches:
        if len(part):
            scored = score_partition(part, model, ladder)
            yield scored.rename(columns=lambda c: str(c).replace(".", _DOT))


def measure_batches(batches: Iterator[pd.DataFrame], measure: str) -> Iterator[pd.DataFrame]:
    """Each batch's decimal places, or its first missing or negative measure."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily
    import pandas as pd  # noqa: PLC0415

    for part in batches:
        if not len(part):
            continue
        x = part[measure].to_numpy(dtype=np.float64, na_value=np.nan)
        ids = part[_ID].to_numpy()
        try:
            check_measure(x, ids, measure)
            places = measure_places(x)
        except ValidationError as e:
            yield pd.DataFrame({"places": [-1], "field": [e.field], "value": [e.value]})
            continue
        yield pd.DataFrame({"places": [places], "field": [""], "value": [None]})


def key_batches(
    batches: Iterator[pd.DataFrame], measure: str, places: int
) -> Iterator[pd.DataFrame]:
    """Each batch with its measure as whole units (the rank key)."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    for part in batches:
        if len(part):
            x = part[measure].to_numpy(dtype=np.float64, na_value=np.nan)
            yield part.assign(**{_UNITS: to_units(x, places)})


@attrs.frozen
class Offsets:
    """Where each partition of the ranked accounts starts: rows and units before it."""

    rows: dict[int, int]
    units: dict[int, int]


def label_batches(
    batches: Iterator[pd.DataFrame], cuts: Any, labels: Any, offsets: Offsets
) -> Iterator[pd.DataFrame]:
    """:func:`label_ranked` of one ranked partition, from its offsets, batch by batch."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    rows = units = 0
    for part in batches:
        if not len(part):
            continue
        k = int(part[_PART].iloc[0])
        ranked = part[_UNITS].to_numpy(dtype=np.int64)
        abc, rank, share = label_ranked(
            ranked,
            cuts,
            labels,
            row_offset=offsets.rows[k] + rows,
            unit_offset=offsets.units[k] + units,
        )
        rows += len(ranked)
        units += sum(int(v) for v in ranked.tolist())
        yield part.drop(columns=[_UNITS, _PART]).assign(abc=abc, rank=rank, cumulative_share=share)


# -- the driver ------------------------------------------------------------------------


def _aggregate(lines: Any, span: tuple[dt.date, dt.date] | None, as_of: dt.date | None) -> Any:
    """Order lines → one row of figures per account, as :func:`aggregate_lines` gives."""
    f, t = _modules()
    fields = {x.name: x.dataType for x in lines.schema.fields}
    dates = isinstance(fields[_DATE], t.DateType)
    when = fields[_DATE]
    summed = [c for c in _SUMMED if c in fields or c == "lines"]
    summary = t.StructType(
        [
            t.StructField(_ID, t.StringType()),
            *(t.StructField(c, t.LongType()) for c in summed),
            t.StructField("first_purchase", when),
            t.StructField("last_purchase", when),
        ]
    )
    wanted = [c for c in (_ID, _DATE, *LINE_AMOUNTS, "quantity") if c in fields]
    partial = lines.select(*wanted).mapInPandas(
        functools.partial(summarise_batches, period=span, dates=dates), schema=summary
    )
    sums = partial.groupBy(_ID).agg(
        *(f.sum(c).alias(c) for c in summed),
        f.min("first_purchase").alias("first_purchase"),
        f.max("last_purchase").alias("last_purchase"),
    )
    has_orders = "order_id" in fields
    if has_orders:
        pairs = t.StructType(
            [t.StructField(_ID, t.StringType()), t.StructField("order_id", t.StringType())]
        )
        distinct = (
            lines.select(_ID, f.col("order_id").cast("string").alias("order_id"), _DATE)
            .mapInPandas(functools.partial(order_batches, period=span), schema=pairs)
            .distinct()
        )
        counts = distinct.groupBy(_ID).agg(f.count(f.lit(1)).alias("orders"))
        sums = sums.join(counts, on=_ID, how="left")
    sums = sums.localCheckpoint()
    if as_of is None:
        import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

        latest = sums.select("last_purchase").mapInPandas(latest_batches, schema="ns long")
        found = [r["ns"] for r in latest.collect()]
        if not found:
            raise ValidationError(
                field="spark_df",
                value=0,
                expected="at least one order line (in the period)",
                problem="no order lines to grade",
            )
        as_of = pd.Timestamp(max(found))
    columns = [_ID, *summed, "first_purchase", "last_purchase", "orders", "recency_days"]
    kinds = {c: t.DoubleType() for c in (*LINE_AMOUNTS, "quantity")}
    schema = t.StructType(
        [
            t.StructField(c, kinds.get(c, t.LongType() if c != _ID else t.StringType()))
            if c not in {"first_purchase", "last_purchase"}
            else t.StructField(c, when)
            for c in columns
        ]
    )
    return sums.mapInPandas(
        functools.partial(finish_batches, as_of=as_of, orders=has_orders, columns=columns),
        schema=schema,
    )


def _refuse_negative(model: ScoringModel, accounts: Any) -> None:
    """Refuse on the driver a negative figure the model reads, as the pandas engine does.

    The figures are checked in the model's order, and the first account (by id) with a
    negative one is named, so the error is the one :func:`grade_lines` raises.
    """
    f, _ = _modules()
    figures = [x for x, _ in model.directions if x in _NON_NEGATIVE and x in accounts.columns]
    figures = list(dict.fromkeys(figures))
    if not figures:
        return
    lowest = accounts.agg(*(f.min(x).alias(x) for x in figures)).first()
    for x in figures:
        if lowest[x] is not None and lowest[x] < 0:
            row = accounts.where(f.col(x) < 0).orderBy(_ID).select(_ID, x).first()
            raise ValidationError(
                field=f"{row[_ID]}.{x}",
                value=float(row[x]),
                expected="zero or more (as AccountFacts requires)",
                problem="negative figure",
            )


def _fit(model: ScoringModel, accounts: Any) -> ScoringModel:
    """Fit ``model`` on the driver: Spark min/max, or order statistics of a Spark sort."""
    if getattr(model, "fitted", False):
        return model
    columns = set(accounts.columns)
    if not isinstance(model, WeightedScorecard) or any(
        c.source not in columns for c in model.criteria if not c.normaliser.fitted
    ):
        needed = [_ID]
        for figure, _ in model.directions:
            needed += ["collected", "invoiced"] if figure in DERIVED_FIGURES else [figure]
        kept = [n for n in dict.fromkeys(needed) if n in columns]
        return fit_pandas(model, accounts.select(*kept).toPandas(), _ID)  # type: ignore[no-any-return]
    criteria = []
    for c in model.criteria:
        norm = c.normaliser
        if not norm.fitted:
            norm = _fit_criterion(c.name, norm, accounts, c.source)
        criteria.append(attrs.evolve(c, normaliser=norm))
    return attrs.evolve(model, criteria=tuple(criteria))


def _fit_criterion(name: str, norm: Normaliser, accounts: Any, source: str) -> Normaliser:
    f, _ = _modules()

    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    x = f.col(source).cast("double")
    values = accounts.select(x.alias("x")).where(x.isNotNull() & ~f.isnan(x))
    row = values.agg(f.count(f.lit(1)), f.min("x"), f.max("x")).first()
    n, lo, hi = int(row[0]), row[1], row[2]
    fitted = fit_extremes(name, norm, n, float(lo or 0.0), float(hi or 0.0))  # None when n is 0
    if fitted is not None:
        return fitted
    ranked = values.orderBy("x").localCheckpoint()
    sizes = {
        int(r["p"]): int(r["n"])
        for r in ranked.groupBy(f.spark_partition_id().alias("p"))
        .agg(f.count(f.lit(1)).alias("n"))
        .collect()
    }
    parts = sorted(sizes)
    starts = np.cumsum([0, *(sizes[p] for p in parts)])

    def pick(at: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        found: dict[int, float] = {}
        for position in sorted(set(at.tolist())):
            k = int(np.searchsorted(starts, position, side="right")) - 1
            if position not in found:
                held = _partition(ranked, parts[k], "x").to_numpy(dtype=np.float64)
                for r, v in enumerate(held.tolist()):
                    found[int(starts[k]) + r] = float(v)
        return np.array([found[int(p)] for p in at.tolist()], dtype=np.float64)

    return fit_order_statistics(norm, n, pick)


def _partition(ranked: Any, k: int, column: str) -> pd.Series:
    """One partition of a checkpointed Spark frame's column, in its order, on the driver."""
    f, _ = _modules()
    frame: pd.DataFrame = ranked.where(f.spark_partition_id() == k).select(column).toPandas()
    return frame[column]


def _score(accounts: Any, model: ScoringModel, ladder: GradeLadder) -> Any:
    _, t = _modules()
    names = [str(c.name) for c in getattr(model, "criteria", ())]
    schema = t.StructType(
        [
            *accounts.schema.fields,
            t.StructField("total", t.DoubleType()),
            t.StructField("grade", t.StringType()),
            *(t.StructField(f"{n}{_DOT}contribution", t.DoubleType()) for n in names),
        ]
    )
    return accounts.mapInPandas(
        functools.partial(score_batches, model=model, ladder=ladder), schema=schema
    )


def _classify(scored: Any, policy: AbcPolicy, measure: str) -> Any:
    """ABC on Spark: a global sort, per-partition offsets, then :func:`label_ranked`."""
    f, t = _modules()
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if measure not in scored.columns:
        raise ValidationError(
            field=measure,
            value=list(scored.columns),
            expected=f"a column named {measure!r}",
            problem="missing column",
        )
    checks = (
        scored.select(_ID, measure)
        .mapInPandas(
            functools.partial(measure_batches, measure=measure),
            schema="places int, field string, value double",
        )
        .collect()
    )
    for r in checks:
        if r["places"] < 0:
            raise ValidationError(
                field=r["field"],
                value=r["value"],
                expected="a non-negative figure for every account (ABC ranks by it)",
                problem="missing measure" if r["value"] is None else "negative measure",
            )
    places = max([0, *(int(r["places"]) for r in checks)])
    keyed_schema = t.StructType([*scored.schema.fields, t.StructField(_UNITS, t.LongType())])
    keyed = scored.mapInPandas(
        functools.partial(key_batches, measure=measure, places=places), schema=keyed_schema
    )
    ranked = keyed.orderBy(f.col(_UNITS).desc(), f.col(_ID).asc()).localCheckpoint()
    stats = (
        ranked.groupBy(f.spark_partition_id().alias("p"))
        .agg(
            f.count(f.lit(1)).alias("rows"),
            f.sum(f.col(_UNITS).cast("decimal(38,0)")).alias("units"),
        )
        .collect()
    )
    by_part = {int(r["p"]): (int(r["rows"]), int(Decimal(r["units"]))) for r in stats}
    parts = sorted(by_part)
    rows_before: dict[int, int] = {}
    units_before: dict[int, int] = {}
    n = total = 0
    for p in parts:
        rows_before[p], units_before[p] = n, total
        n += by_part[p][0]
        total += by_part[p][1]
    cuts = cuts_for(policy, n, total)
    if policy.reading is AbcReading.GROUP_SHARE:
        running = _Running(
            ranked,
            parts,
            [rows_before[p] for p in parts] + [n],
            [units_before[p] for p in parts] + [total],
        )
        cuts = attrs.evolve(cuts, ends=group_share_ends(policy, n, total, running))
    labels = np.array(policy.labels, dtype=object)
    out = t.StructType(
        [
            *scored.schema.fields,
            t.StructField("abc", t.StringType()),
            t.StructField("rank", t.LongType()),
            t.StructField("cumulative_share", t.DoubleType()),
        ]
    )
    offsets = Offsets(rows_before, units_before)
    return ranked.withColumn(_PART, f.spark_partition_id()).mapInPandas(
        functools.partial(label_batches, cuts=cuts, labels=labels, offsets=offsets), schema=out
    )


@attrs.frozen
class _Running:
    """:class:`~kamcore.bulk._abc.RunningUnits` over the partitions of a ranked Spark frame."""

    ranked: Any
    parts: list[int]
    row_starts: list[int]
    unit_starts: list[int]

    def _units(self, i: int) -> Any:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        return _partition(self.ranked, self.parts[i], _UNITS).to_numpy(dtype=np.int64)

    def first_reaching(self, start: int, threshold: int, *, including: bool) -> int:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        for i in range(len(self.parts)):
            lo, hi = self.row_starts[i], self.row_starts[i + 1]
            if hi <= start or lo == hi or self.unit_starts[i + 1] < threshold:
                continue  # before start, empty, or every running figure below the threshold
            units = self._units(i)
            running = np.cumsum(units) + self.unit_starts[i]
            if not including:
                running = running - units
            at = lo + int(np.searchsorted(running, threshold, side="left"))
            if at < hi:
                return max(at, start)
        return self.row_starts[-1]

    def before(self, row: int) -> int:
        import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

        i = int(np.searchsorted(self.row_starts, row, side="right")) - 1
        units = self._units(i)
        return self.unit_starts[i] + sum(int(v) for v in units[: row - self.row_starts[i]].tolist())


def grade_lines_spark(
    spark_df: Any,
    model: ScoringModel,
    ladder: GradeLadder,
    *,
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
    period: tuple[dt.date | str, dt.date | str] | None = None,
    as_of: dt.date | str | None = None,
) -> Any:
    """Grade order lines held in a Spark DataFrame, as :func:`grade_lines` grades them.

    Args:
        spark_df: Order lines: ``account_id`` (string), ``order_date`` (date or
            timestamp), ``sales_revenue`` and any of ``invoiced``, ``collected``,
            ``profit``, ``quality_losses`` in whole cents (integers, never null), and
            optionally ``order_id`` and ``quantity``.
        model: A scoring model; criteria not yet fitted are fitted on the driver.
        ladder: The grade ladder.
        abc: An ABC policy, or ``None`` for no classes.
        measure: The ABC measure: a figure, or ``"score"`` for the total.
        period: ``(first_day, last_day)``: only lines dated in it (both included).
        as_of: The day recency counts to (default: the period's last day, else the
            latest line).

    Returns:
        A Spark DataFrame with the columns and values :func:`grade_lines` returns (the
        account figures, ``total``, ``grade``, ``<criterion>.contribution`` and, with
        ``abc``, ``abc``, ``rank`` and ``cumulative_share``), in rank order when ABC is
        asked for. Lazy, but the fit and the ranking have already run as Spark jobs.

    Raises:
        ValidationError: Not a Spark DataFrame, a missing or mistyped column, a bad
            argument, nothing to fit to, or a missing or negative ABC measure (naming
            the account). A figure the model refuses fails the Spark job instead.
    """
    _check_grading(model, ladder, abc)
    if not isinstance(measure, str):
        raise ValidationError(
            field="measure",
            value=measure,
            expected="a figure's name, or 'score'",
            problem="not a name",
        )
    span = check_period(period)
    end = day(as_of, "as_of") if as_of is not None else (span[1] if span else None)
    _check_frame(spark_df)
    accounts = _aggregate(spark_df, span, end).localCheckpoint()
    _refuse_negative(model, accounts)
    fitted = _fit(model, accounts)
    scored = _score(accounts, fitted, ladder)
    if abc is not None:
        by = "total" if measure == "score" else measure
        scored = _classify(scored.localCheckpoint(), abc, by)
    return scored.toDF(*(str(c).replace(_DOT, ".") for c in scored.columns))
