"""The Spark route of the bulk pipeline gives exactly what the pandas engine gives.

The partition functions are checked on pandas alone (no Spark needed); the whole route
runs on a local SparkSession (``local[2]``, started once for the module) and is
compared, column by column, with :func:`kamcore.bulk.grade_lines` on the same lines:
ties at the ABC crossings, returns (negative lines), both ABC readings, a period,
timestamps and dates. Those tests are skipped, with the reason, where pyspark or Java
is missing.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kamcore.bulk import grade_lines
from kamcore.bulk._abc import cuts_for
from kamcore.bulk._spark import (
    Offsets,
    finish_batches,
    grade_lines_spark,
    key_batches,
    label_batches,
    latest_batches,
    measure_batches,
    order_batches,
    score_batches,
    summarise_batches,
)
from kamcore.errors import KamError, ValidationError
from kamcore.presets import load_preset

# pyspark warns that pandas 3 is "not yet fully supported", and its toPandas passes a
# keyword pandas 3 deprecates; the results are checked here, column by column
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

MODEL = load_preset("grading_scorecard_lines")
LADDER = load_preset("grading_letters")


def lines_of(seed: int, n: int = 1200, accounts: int = 90, *, orders: bool = True) -> pd.DataFrame:
    """Seeded order lines: returns, a few accounts with equal totals, dates over a year."""
    rng = np.random.default_rng(seed)
    ids = [f"c{int(i):03d}" for i in rng.integers(0, accounts, n)]
    cents = rng.integers(1, 90_000_00, n).astype(np.int64)
    returns = rng.random(n) < 0.05
    cents[returns] = -rng.integers(1, 100_00, int(returns.sum()))
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "order_date": pd.Timestamp("2025-07-01")
            + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "sales_revenue": cents,
            "profit": (cents // 7).astype(np.int64),
            "quantity": rng.integers(1, 50, n) / 4.0,
        }
    )
    if orders:
        frame.insert(1, "order_id", [f"o{int(i)}" for i in rng.integers(0, n // 2, n)])
    # ties: four accounts with the same lines, so the same totals (account id breaks them)
    same = frame[frame["account_id"] == "c000"]
    tied = [same.assign(account_id=name) for name in ("t1", "t3", "t2", "t4")]
    return pd.concat([frame, *tied], ignore_index=True)


# -- the partition functions, on pandas ------------------------------------------------


def test_summarise_and_order_batches_skip_empty_batches_and_keep_the_period() -> None:
    lines = lines_of(1)
    halves = [lines.iloc[:600], lines.iloc[:0], lines.iloc[600:]]
    span = (pd.Timestamp("2025-10-01").date(), pd.Timestamp("2026-01-31").date())
    parts = list(summarise_batches(iter(halves), span, dates=False))
    assert len(parts) == 2
    sums = pd.concat(parts).groupby("account_id")["sales_revenue"].sum()
    inside = lines[(lines["order_date"] >= "2025-10-01") & (lines["order_date"] <= "2026-01-31")]
    assert sums.to_dict() == inside.groupby("account_id")["sales_revenue"].sum().to_dict()
    dated = list(summarise_batches(iter(halves), None, dates=True))
    assert isinstance(dated[0]["first_purchase"].iloc[0], type(span[0]))
    pairs = pd.concat(order_batches(iter(halves), span)).drop_duplicates()
    assert len(pairs) == len(inside[["account_id", "order_id"]].drop_duplicates())


def test_date_objects_are_read_as_days() -> None:
    lines = lines_of(2).assign(order_date=lambda f: f["order_date"].dt.date)
    out = next(summarise_batches(iter([lines]), None, dates=True))
    assert out["lines"].sum() == len(lines)


def test_latest_and_finish_batches() -> None:
    sums = next(summarise_batches(iter([lines_of(3)]), None, dates=False))
    latest = pd.concat(latest_batches(iter([sums.iloc[:0], sums])))
    assert pd.Timestamp(int(latest["ns"].iloc[0])) == sums["last_purchase"].max()
    cols = ["account_id", "sales_revenue", "orders", "recency_days"]
    end = pd.Timestamp("2026-07-01")
    plain = next(finish_batches(iter([sums.iloc[:0], sums]), end, False, cols))
    assert plain["orders"].tolist() == sums["lines"].tolist()
    with_orders = sums.assign(orders=np.where(sums.index % 2, np.nan, 3.0))
    counted = next(finish_batches(iter([with_orders]), end, True, cols))
    assert counted["orders"].tolist() == [0 if i % 2 else 3 for i in range(len(sums))]
    assert (counted["recency_days"] >= 0).all()


def test_score_and_measure_batches() -> None:
    accounts = grade_lines(lines_of(4), MODEL, LADDER)[
        ["account_id", "sales_revenue", "orders", "recency_days"]
    ]
    with pytest.raises(ValidationError, match="not fitted"):
        next(score_batches(iter([accounts]), MODEL, LADDER))
    from kamcore.bulk import fit_model

    fitted = fit_model(MODEL, accounts)
    scored = pd.concat(score_batches(iter([accounts.iloc[:0], accounts]), fitted, LADDER))
    assert "sales_revenue__kamcore_dot__contribution" in scored.columns
    checks = pd.concat(measure_batches(iter([accounts.iloc[:0], accounts]), "sales_revenue"))
    assert checks["places"].tolist() == [2]
    bad = accounts.assign(sales_revenue=np.where(accounts.index == 3, -1.0, 1.0))
    refused = pd.concat(measure_batches(iter([bad]), "sales_revenue"))
    assert refused["places"].tolist() == [-1]
    assert refused["field"].iloc[0] == f"{accounts['account_id'].iloc[3]}.sales_revenue"


def test_label_batches_carry_the_offsets_across_batches_and_partitions() -> None:
    x = pd.DataFrame({"account_id": list("abcdef"), "m": [50.0, 20.0, 10.0, 10.0, 6.0, 4.0]})
    keyed = next(key_batches(iter([x.iloc[:0], x]), "m", 0))
    assert keyed["_kamcore_units"].tolist() == [50, 20, 10, 10, 6, 4]
    policy = load_preset("grading_abc")
    cuts = cuts_for(policy, 6, 100)
    labels = np.array(policy.labels, dtype=object)
    first = keyed.iloc[:3].assign(_kamcore_part=0)
    second = keyed.iloc[3:].assign(_kamcore_part=5)
    offsets = Offsets({0: 0, 5: 3}, {0: 0, 5: 80})
    out = pd.concat(
        [
            *label_batches(
                iter([first.iloc[:2], first.iloc[:0], first.iloc[2:]]), cuts, labels, offsets
            ),
            *label_batches(iter([second]), cuts, labels, offsets),
        ]
    )
    from kamcore.bulk import classify_accounts

    whole = classify_accounts(x, policy, measure="m")
    assert out["abc"].tolist() == whole["abc"].tolist()
    assert out["rank"].tolist() == whole["rank"].tolist()
    assert out["cumulative_share"].tolist() == whole["cumulative_share"].tolist()


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("lines", MODEL, LADDER), {}, "spark_df"),
        ((None, "model", LADDER), {}, "model"),
        ((None, MODEL, LADDER), {"abc": "abc"}, "abc"),
        ((None, MODEL, LADDER), {"measure": 3}, "measure"),
        ((None, MODEL, LADDER), {"period": ("2026-02-01", "2026-01-01")}, "period"),
    ],
)
def test_bad_arguments_are_refused_before_any_spark_job(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        grade_lines_spark(*args, **kwargs)
    assert caught.value.field == field


# -- the whole route on Spark ----------------------------------------------------------


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local SparkSession for this module (skipped where pyspark or Java is missing)."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark)")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime on PATH: Spark needs one (Java 17)")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers import kamcore too
    session = (
        SparkSession.builder.master("local[2]")
        .appName("kamcore-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same(spark_out: Any, expected: pd.DataFrame) -> None:
    got = spark_out.toPandas()
    assert list(got.columns) == list(expected.columns)
    if "rank" in got.columns:  # rank order, as the Dask route gives it
        assert got["rank"].tolist() == list(range(1, len(got) + 1))
    got = got.sort_values("account_id", kind="stable").reset_index(drop=True)
    for c in expected.columns:
        if c.endswith("_purchase"):  # a DateType column comes back as dates
            got[c] = pd.to_datetime(got[c])
        assert got[c].tolist() == expected[c].tolist(), c


def test_spark_equals_pandas_with_ties_and_returns(spark: Any) -> None:
    lines = lines_of(11)
    abc = load_preset("grading_abc")
    frame = spark.createDataFrame(lines).repartition(3)
    _same(
        grade_lines_spark(frame, MODEL, LADDER, abc=abc), grade_lines(lines, MODEL, LADDER, abc=abc)
    )


def test_spark_equals_pandas_on_dates_a_period_and_the_group_share_reading(spark: Any) -> None:
    lines = lines_of(12, orders=False)
    abc = load_preset("grading_abc_water")
    period = ("2025-09-01", "2026-03-31")
    frame = spark.createDataFrame(lines.assign(order_date=lines["order_date"].dt.date))
    out = grade_lines_spark(frame.repartition(4), MODEL, LADDER, abc=abc, period=period)
    _same(out, grade_lines(lines, MODEL, LADDER, abc=abc, period=period))


def test_spark_equals_pandas_by_score_and_by_count_and_without_abc(spark: Any) -> None:
    lines = lines_of(13, n=700, accounts=40)
    frame = spark.createDataFrame(lines).repartition(2)
    top = load_preset("grading_top20")
    _same(
        grade_lines_spark(frame, MODEL, LADDER, abc=top, measure="score", as_of="2026-12-31"),
        grade_lines(lines, MODEL, LADDER, abc=top, measure="score", as_of="2026-12-31"),
    )
    plain = grade_lines(lines, MODEL, LADDER).sort_values("account_id").reset_index(drop=True)
    _same(grade_lines_spark(frame, MODEL, LADDER), plain)


def test_spark_refuses_what_pandas_refuses(spark: Any) -> None:
    lines = lines_of(14, n=300, accounts=20)
    lines.loc[lines["account_id"] == "c005", "sales_revenue"] = -100
    abc = load_preset("grading_abc")
    with pytest.raises(ValidationError) as expected:
        grade_lines(lines, MODEL, LADDER, abc=abc)
    with pytest.raises(ValidationError) as caught:
        grade_lines_spark(spark.createDataFrame(lines), MODEL, LADDER, abc=abc)
    assert (caught.value.field, caught.value.problem) == (
        expected.value.field,
        expected.value.problem,
    )
    for bad, field in (
        (spark.createDataFrame(lines.drop(columns="order_date")), "order_date"),
        (spark.createDataFrame(lines.assign(account_id=1)), "account_id"),
        (spark.createDataFrame(lines.assign(order_date="2026-01-01")), "order_date"),
        (spark.createDataFrame(lines.assign(profit=lines["profit"] / 100)), "profit"),
    ):
        with pytest.raises(KamError) as refused:
            grade_lines_spark(bad, MODEL, LADDER)
        assert refused.value.field == field  # type: ignore[attr-defined]
