"""The default scorecard, letter grades and ABC written by hand in pandas + numpy.

This is the script a pandas user writes instead of ``kamcore grade``: the baseline
that ``bench_bulk.py`` times (as a subprocess, so its peak memory is its own). It
imports neither kamcore nor anything but pandas and numpy, and hard-codes the rules
of the presets ``grading_scorecard``, ``grading_letters`` and ``grading_abc``:

* the account file (Chinese headings of ``columns_source``) read with
  ``pandas.read_csv``; amount cells cleaned of ``¥``/``￥`` and thousands commas and
  turned into float;
* contract volume, unit price, sales revenue and profit scored by percentile fitted to
  the file (100 points, nearest rank: step ``j`` starts at the ⌈j·n/100⌉-th smallest
  figure; a figure gets ``j/100`` for the highest step at or below it);
* collection rate = collected / invoiced, linear between 0.5 and 1, clamped;
* quality losses: step table (0 → 0, 1 → 0.25, 10,000 → 0.5, 50,000 → 0.75,
  200,000 → 1), lower is better, so the normalised value is 1 - the step's value;
* industry influence linear 0–10; business reputation steps 1..5 → 0.2..1;
* each contribution ``weight × normalised × 100`` rounded half up to 2 places (in
  float: ``floor(c·100 + 0.5) / 100``), the score their sum;
* grades A ≥ 85, B ≥ 70, C ≥ 55, else D;
* ABC by sales revenue: ranked descending, ties by account id ascending; an account
  is an A while the revenue ranked before it is below 80% of the total, a B below
  95%, else a C (the account crossing a breakpoint joins the class it crosses), in
  whole cents (int64), so the cumulative sums are exact.

``--engine pyarrow`` reads the file with ``read_csv(..., engine="pyarrow")`` (multi-threaded,
several times faster than the default C parser on a large file); the rules are the same.

Usage: python benchmarks/bulk_pandas_grade.py ACCOUNTS.csv OUT.csv [--engine c|pyarrow]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

TEXT = {"客户编号": "account_id", "客户名称": "name", "所属区域": "region", "负责人": "owner"}
AMOUNTS = {
    "合同量": "contract_volume",
    "单价": "unit_price",
    "销售收入": "sales_revenue",
    "开票金额": "invoiced",
    "回款金额": "collected",
    "利润": "profit",
    "质量损失": "quality_losses",
}
RATINGS = {"行业影响力": "industry_influence", "商业信誉": "business_reputation"}


def read(path: str, engine: str = "c") -> pd.DataFrame:
    """The account file: text columns as strings, amounts cleaned to float."""
    dtypes = dict.fromkeys((*TEXT, *AMOUNTS), str) | dict.fromkeys(RATINGS, np.float64)
    df = pd.read_csv(path, dtype=dtypes, encoding="utf-8-sig", engine=engine)
    df = df.rename(columns=TEXT | AMOUNTS | RATINGS)
    for col in AMOUNTS.values():
        df[col] = df[col].str.replace(r"[¥￥,]", "", regex=True).astype(np.float64)
    return df


def percentile(x: np.ndarray, points: int = 100) -> np.ndarray:
    """Share of the file at or below each figure, rounded down to whole percentiles."""
    ranked = np.sort(x)
    n = len(x)
    steps = ranked[-(-np.arange(1, points + 1) * n // points) - 1]
    return np.searchsorted(steps, x, side="right") / points


def linear(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def step_table(x: np.ndarray, ats: list[float], values: list[float]) -> np.ndarray:
    return np.array([0.0, *values])[np.searchsorted(ats, x, side="right")]


def half_up(c: np.ndarray) -> np.ndarray:
    return np.floor(c * 100 + 0.5) / 100


def grade(df: pd.DataFrame) -> pd.DataFrame:
    """Score, grade and classify every account; the output columns."""
    col = {c: df[c].to_numpy(np.float64) for c in (*AMOUNTS.values(), *RATINGS.values())}
    losses = step_table(
        col["quality_losses"], [0, 1, 10_000, 50_000, 200_000], [0, 0.25, 0.5, 0.75, 1]
    )
    reputation = step_table(col["business_reputation"], [1, 2, 3, 4, 5], [0.2, 0.4, 0.6, 0.8, 1])
    rate = col["collected"] / col["invoiced"]
    score = (
        half_up(15 * percentile(col["contract_volume"]))
        + half_up(10 * percentile(col["unit_price"]))
        + half_up(20 * percentile(col["sales_revenue"]))
        + half_up(15 * linear(rate, 0.5, 1.0))
        + half_up(15 * percentile(col["profit"]))
        + half_up(10 * (1.0 - losses))
        + half_up(10 * linear(col["industry_influence"], 0, 10))
        + half_up(5 * reputation)
    )
    score = np.round(score, 2)
    letters = np.select([score >= 85, score >= 70, score >= 55], ["A", "B", "C"], "D")

    cents = np.round(col["sales_revenue"] * 100).astype(np.int64)
    order = np.lexsort((df["account_id"].to_numpy(), -cents))  # last key first
    ranked = cents[order]
    before = np.cumsum(ranked) - ranked
    total = int(ranked.sum())
    cls = np.select([before * 100 < 80 * total, before * 100 < 95 * total], ["A", "B"], "C")
    abc = np.empty(len(cents), dtype=object)
    abc[order] = cls

    out = df[["account_id", "name", "region", "owner"]].copy()
    out["score"] = score
    out["grade"] = letters
    out["abc"] = abc
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("accounts")
    parser.add_argument("out")
    parser.add_argument("--engine", choices=("c", "pyarrow"), default="c")
    args = parser.parse_args()
    grade(read(args.accounts, args.engine)).to_csv(args.out, index=False, float_format="%.2f")


if __name__ == "__main__":
    main()
