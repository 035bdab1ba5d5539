"""Benchmark kamcore.grading: N accounts x 8 criteria + ABC.

Two figures, measured in the same run on the same data:

* the columnar path (``score_arrays``: numpy, float64, contributions rounded as the
  exact path rounds them) against a plain numpy implementation of the same rules
  written by hand (the default scorecard preset's eight criteria, each contribution
  rounded half up to 2 places, the letter ladder, ABC 80/95 with ties broken by account
  id), as a ratio ours / baseline;
* the pure-Python object path (``grade_many``: exact Decimal, one ``Graded`` object per
  account, ABC included) in microseconds per account, on a smaller sample because a
  million Python objects would not fit the memory budget of a shared machine.

Usage: python benchmarks/bench_grading.py [--quick] [--json] [--n N] [--pure-n M]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np

from kamcore.grading import (
    AbcPolicy,
    AccountFacts,
    GradeLadder,
    WeightedScorecard,
    grade_many,
    score_arrays,
)
from kamcore.presets import load_preset

FIELDS = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "invoiced",
    "collected",
    "profit",
    "quality_losses",
    "industry_influence",
    "business_reputation",
)


def make_data(n: int, seed: int = 7) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    invoiced = rng.integers(100_000, 5_000_000, n)
    data = {
        "contract_volume": rng.integers(0, 15_000_000, n),
        "unit_price": rng.integers(5, 500, n),
        "sales_revenue": (rng.pareto(1.2, n) * 2_000_000).astype(np.int64),
        "invoiced": invoiced,
        "collected": (invoiced * rng.uniform(0.4, 1.0, n)).astype(np.int64),
        "profit": rng.integers(-500_000, 6_000_000, n),
        "quality_losses": rng.integers(0, 250_000, n) * (rng.random(n) < 0.3),
        "industry_influence": rng.integers(0, 11, n),
        "business_reputation": rng.integers(0, 6, n),
    }
    ids = np.char.add("acct-", np.arange(n).astype("U8"))
    return ids, {k: v.astype(np.float64) for k, v in data.items()}


def baseline(
    ids: np.ndarray, d: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same rules, written directly in numpy (what a team would write by hand).

    Each contribution is rounded half up to 2 places, as the scorecard rounds it, in
    plain float arithmetic (no care for values that float puts on the wrong side of a
    half).
    """

    def lin(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)

    def r2(c: np.ndarray) -> np.ndarray:
        return np.floor(c * 100 + 0.5) / 100

    up = d["unit_price"]
    lo, hi = np.nanmin(up), np.nanmax(up)
    rate = np.where(d["invoiced"] > 0, d["collected"] / d["invoiced"], np.nan)
    losses = np.array([0.0, 0.0, 0.25, 0.5, 0.75, 1.0])[
        np.searchsorted([0, 1, 10_000, 50_000, 200_000], d["quality_losses"], side="right")
    ]
    reputation = np.array([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])[
        np.searchsorted([1, 2, 3, 4, 5], d["business_reputation"], side="right")
    ]
    total = (
        r2(15 * lin(d["contract_volume"], 0, 10_000_000))
        + r2(10 * lin(up, lo, hi))
        + r2(20 * lin(d["sales_revenue"], 0, 50_000_000))
        + r2(15 * lin(rate, 0.5, 1))
        + r2(15 * lin(d["profit"], 0, 5_000_000))
        + r2(10 * (1.0 - losses))
        + r2(10 * lin(d["industry_influence"], 0, 10))
        + r2(5 * reputation)
    )
    grade = np.select([total >= 85, total >= 70, total >= 55], ["A", "B", "C"], "D")
    m = d["sales_revenue"]
    by_id = np.argsort(ids, kind="stable")
    order = by_id[np.argsort(-m[by_id], kind="stable")]
    ranked = m[order]
    before = np.cumsum(ranked) - ranked
    t = ranked.sum()
    cls = np.select([before < 0.8 * t, before < 0.95 * t], ["A", "B"], "C")
    abc = np.empty(len(m), dtype=object)
    abc[order] = cls
    return total, grade, abc


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, well under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--n", type=int, help="accounts for the columnar path")
    parser.add_argument("--pure-n", type=int, help="accounts for the pure-Python path")
    args = parser.parse_args()
    n = args.n or (100_000 if args.quick else 1_000_000)
    pure_n = args.pure_n or (10_000 if args.quick else 100_000)
    repeat = 3 if args.quick else 5

    card = load_preset("grading_scorecard", WeightedScorecard)
    ladder = load_preset("grading_letters", GradeLadder)
    abc = load_preset("grading_abc", AbcPolicy)
    ids, data = make_data(n)

    t_base, (b_total, b_grade, b_abc) = best_of(lambda: baseline(ids, data), repeat)
    t_ours, ours = best_of(
        lambda: score_arrays(card, data, ladder=ladder, abc=abc, ids=ids), repeat
    )
    agree_grade = float(np.mean(ours["grade"] == b_grade))
    agree_abc = float(np.mean(ours["abc"] == b_abc))
    max_diff = float(np.max(np.abs(ours["total"] - b_total)))
    ratio = t_ours / t_base

    # Pure-Python object path on the first pure_n accounts (exact Decimal).
    facts = [
        AccountFacts(str(ids[i]), **{k: Decimal(int(data[k][i])) for k in FIELDS})
        for i in range(pure_n)
    ]
    fitted = card.fit(facts)
    t_fit, _ = best_of(lambda: card.fit(facts), 1)
    t_score, _ = best_of(lambda: [fitted.score(f) for f in facts], repeat)
    t_pure, batch = best_of(lambda: grade_many(fitted, ladder, facts, abc=abc), repeat)
    exact_grades = [g.grade for g in batch.graded]
    pure_agree = float(np.mean(np.array(exact_grades, dtype=object) == ours["grade"][:pure_n]))
    exact_totals = np.array([float(g.total) for g in batch.graded])
    pure_total_agree = float(np.mean(exact_totals == ours["total"][:pure_n]))
    pure_us = t_pure / pure_n * 1e6
    score_us = t_score / pure_n * 1e6

    print(f"kamcore.grading benchmark: {n:,} accounts x 8 criteria + ABC 80/95")
    print(f"  columnar (score_arrays)   {t_ours * 1e3:9.1f} ms")
    print(f"  plain numpy baseline      {t_base * 1e3:9.1f} ms")
    print(f"  ratio ours / baseline     {ratio:9.2f}   (target <= 2)")
    print(
        f"  agreement with the baseline: grades {agree_grade:.4%}, ABC {agree_abc:.4%}, "
        f"max |total diff| {max_diff:.2e} (float rounding of halves in the baseline)"
    )
    print(f"pure-Python object path (exact Decimal), {pure_n:,} accounts:")
    print(f"  fit (min-max bounds)      {t_fit / pure_n * 1e6:9.2f} us/account")
    print(f"  score only                {score_us:9.2f} us/account")
    print(f"  grade_many + ABC          {pure_us:9.2f} us/account   (target <= 3)")
    print(f"  grades equal to columnar  {pure_agree:.4%}   (target 100%)")
    print(f"  totals equal to columnar  {pure_total_agree:.4%}   (target 100%)")
    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "grading",
                    "quick": args.quick,
                    "accounts": n,
                    "criteria": 8,
                    "columnar_ms": round(t_ours * 1e3, 2),
                    "baseline_ms": round(t_base * 1e3, 2),
                    "columnar_vs_baseline_ratio": round(ratio, 3),
                    "grade_agreement": agree_grade,
                    "abc_agreement": agree_abc,
                    "pure_accounts": pure_n,
                    "pure_us_per_account": round(pure_us, 3),
                    "pure_score_only_us_per_account": round(score_us, 3),
                    "pure_vs_columnar_grade_agreement": pure_agree,
                    "pure_vs_columnar_total_agreement": pure_total_agree,
                    "repeats": repeat,
                }
            )
        )


if __name__ == "__main__":
    main()
