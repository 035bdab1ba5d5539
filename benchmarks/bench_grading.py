"""Benchmark kamcore.grading: N accounts x 8 criteria + ABC.

Two figures, measured in the same run on the same data:

* the columnar path (``score_arrays``: numpy, float64, contributions rounded as the
  exact path rounds them) against a plain numpy implementation of the same rules
  written by hand (the default scorecard preset's eight criteria, each contribution
  rounded half up to 2 places, the letter ladder, ABC 80/95 with ties broken by account
  id), as a ratio ours / baseline;
* the pure-Python object path (``grade_many``: exact Decimal, one ``Graded`` object per
  account, ABC included) in microseconds per account, on a smaller sample because a
  million Python objects would not fit the memory budget of a shared machine; measured
  as a library call runs by default (the garbage collector left on) and with
  ``pause_gc=True``, so the figure in ``grade_many``'s comment can be checked; and the
  scorecard's compiled scoring function against its general loop (the fast path that
  ``kamcore._codegen`` generates), as a speed-up;
* fitting plus grading on the columnar path: the same scorecard with percentile
  normalisers for the size criteria (contract volume, unit price, sales revenue,
  profit), unfitted, so ``score_arrays`` fits them to the population (the exact
  nearest-rank step tables) and grades, against a hand-written numpy baseline of the
  same rules (share at or below by ``np.searchsorted`` on the sorted column, rounded
  down to whole percentiles, weighted, each contribution rounded half up to 2 places,
  the letter ladder), as a ratio ours / baseline.

Usage: python benchmarks/bench_grading.py [--quick] [--json] [--n N] [--pure-n M] [--fit-n F]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import numpy as np

from kamcore.grading import (
    AbcPolicy,
    AccountFacts,
    GradeLadder,
    Normaliser,
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


PERCENTILE_SIZES = ("contract_volume", "unit_price", "sales_revenue", "profit")


def percentile_card(card: WeightedScorecard) -> WeightedScorecard:
    """The scorecard with whole-percentile normalisers (unfitted) for the size criteria."""
    return attrs.evolve(
        card,
        criteria=tuple(
            attrs.evolve(c, normaliser=Normaliser.percentile()) if c.name in PERCENTILE_SIZES else c
            for c in card.criteria
        ),
    )


def percentile_baseline(d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Fit and grade the percentile scorecard directly in numpy (by hand).

    The share of the population at or below each figure, rounded down to whole
    percentiles, through a 100-step table (the same rule kamcore fits, written the way
    a careful hand would); the other criteria as in :func:`baseline`; each contribution
    rounded half up to 2 places; letter ladder.
    """

    def pct(x: np.ndarray) -> np.ndarray:
        # the percentile table a careful hand would build: the j-th step starts at the
        # ceil(j*n/100)-th smallest figure; an account's share is the steps at or below it
        ranked = np.sort(x)
        n = len(x)
        steps = ranked[-(-np.arange(1, 101) * n // 100) - 1]
        return np.searchsorted(steps, x, side="right") / 100

    def lin(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)

    def r2(c: np.ndarray) -> np.ndarray:
        return np.floor(c * 100 + 0.5) / 100

    rate = np.where(d["invoiced"] > 0, d["collected"] / d["invoiced"], np.nan)
    losses = np.array([0.0, 0.0, 0.25, 0.5, 0.75, 1.0])[
        np.searchsorted([0, 1, 10_000, 50_000, 200_000], d["quality_losses"], side="right")
    ]
    reputation = np.array([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])[
        np.searchsorted([1, 2, 3, 4, 5], d["business_reputation"], side="right")
    ]
    total = (
        r2(15 * pct(d["contract_volume"]))
        + r2(10 * pct(d["unit_price"]))
        + r2(20 * pct(d["sales_revenue"]))
        + r2(15 * lin(rate, 0.5, 1))
        + r2(15 * pct(d["profit"]))
        + r2(10 * (1.0 - losses))
        + r2(10 * lin(d["industry_influence"], 0, 10))
        + r2(5 * reputation)
    )
    grade = np.select([total >= 85, total >= 70, total >= 55], ["A", "B", "C"], "D")
    return total, grade


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
    parser.add_argument("--fit-n", type=int, help="accounts for fitting plus grading")
    args = parser.parse_args()
    n = args.n or (100_000 if args.quick else 1_000_000)
    pure_n = args.pure_n or (10_000 if args.quick else 100_000)
    fit_n = args.fit_n or n
    repeat = 3 if args.quick else 5

    # the fixed-bound reading: the rules the plain numpy baseline writes out
    card = load_preset("grading_scorecard_absolute", WeightedScorecard)
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
    t_general, _ = best_of(lambda: [fitted._score_general(f) for f in facts], repeat)
    t_pure, batch = best_of(lambda: grade_many(fitted, ladder, facts, abc=abc), repeat)
    t_paused, _ = best_of(lambda: grade_many(fitted, ladder, facts, abc=abc, pause_gc=True), repeat)
    # both paths with the same fitted card on the same accounts
    head = {k: v[:pure_n] for k, v in data.items()}
    columnar_head = score_arrays(fitted, head, ladder=ladder, abc=abc, ids=ids[:pure_n])
    exact_grades = [g.grade for g in batch.graded]
    pure_agree = float(np.mean(np.array(exact_grades, dtype=object) == columnar_head["grade"]))
    exact_totals = np.array([float(g.total) for g in batch.graded])
    pure_total_agree = float(np.mean(exact_totals == columnar_head["total"]))
    pure_us = t_pure / pure_n * 1e6
    score_us = t_score / pure_n * 1e6
    paused_us = t_paused / pure_n * 1e6
    compiled_speedup = t_general / t_score

    # Fitting plus grading: percentile size criteria, fitted by the columnar path.
    pct_card = percentile_card(card)
    fit_data = data if fit_n == n else make_data(fit_n, seed=11)[1]
    t_fit_base, (f_total, f_grade) = best_of(lambda: percentile_baseline(fit_data), repeat)
    t_fit_ours, fit_ours = best_of(lambda: score_arrays(pct_card, fit_data, ladder=ladder), repeat)
    fit_ratio = t_fit_ours / t_fit_base
    fit_agree = float(np.mean(fit_ours["grade"] == f_grade))
    fit_max_diff = float(np.max(np.abs(fit_ours["total"] - f_total)))
    # the exact path fits the same step tables (checked on the pure-Python sample)
    sample = {k: v[:pure_n] for k, v in fit_data.items()}
    sample_facts = [
        AccountFacts(f"f{i}", **{k: Decimal(int(sample[k][i])) for k in FIELDS})
        for i in range(pure_n)
    ]
    exact_fit = pct_card.fit(sample_facts)
    columnar_sample = score_arrays(pct_card, sample, ladder=ladder)
    exact_sample = grade_many(pct_card, ladder, sample_facts)
    fit_exact_agree = float(
        np.mean(
            np.array([g.grade for g in exact_sample.graded], dtype=object)
            == columnar_sample["grade"]
        )
    )
    grades = {g: float(np.mean(fit_ours["grade"] == g)) for g in "ABCD"}

    print(f"kamcore.grading benchmark: {n:,} accounts x 8 criteria + ABC 80/95")
    print(f"  columnar (score_arrays)   {t_ours * 1e3:9.1f} ms")
    print(f"  plain numpy baseline      {t_base * 1e3:9.1f} ms")
    print(f"  ratio ours / baseline     {ratio:9.2f}   (target <= 2)")
    print(
        f"  agreement with the baseline: grades {agree_grade:.4%}, ABC {agree_abc:.4%}, "
        f"max |total diff| {max_diff:.2e} (float rounding of halves in the baseline)"
    )
    print(f"pure-Python object path (exact Decimal), {pure_n:,} accounts:")
    print(f"  fit (unit price min-max)  {t_fit / pure_n * 1e6:9.2f} us/account")
    print(f"  score only                {score_us:9.2f} us/account")
    print(f"  score, general loop       {t_general / pure_n * 1e6:9.2f} us/account")
    print(f"  compiled / general        {compiled_speedup:9.2f}x faster")
    print(f"  grade_many + ABC          {pure_us:9.2f} us/account   (collector on, the default)")
    print(f"  ... with pause_gc=True    {paused_us:9.2f} us/account   (target <= 3)")
    print(f"  grades equal to columnar  {pure_agree:.4%}   (target 100%)")
    print(f"  totals equal to columnar  {pure_total_agree:.4%}   (target 100%)")
    print(f"fitting plus grading, {fit_n:,} accounts, percentile size criteria (columnar):")
    print(f"  fit + score_arrays        {t_fit_ours * 1e3:9.1f} ms")
    print(f"  plain numpy baseline      {t_fit_base * 1e3:9.1f} ms")
    print(f"  ratio ours / baseline     {fit_ratio:9.2f}   (target <= 2)")
    print(
        f"  agreement with the baseline: grades {fit_agree:.4%}, "
        f"max |total diff| {fit_max_diff:.2e}"
    )
    print(
        "  grade shares "
        + ", ".join(f"{g} {share:.1%}" for g, share in grades.items())
        + f"; exact path on {pure_n:,}: grades equal {fit_exact_agree:.4%}, "
        f"{len(exact_fit.criteria[2].normaliser.steps)} sales-revenue steps"
    )
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
                    "pure_gc_paused_us_per_account": round(paused_us, 3),
                    "pure_score_only_us_per_account": round(score_us, 3),
                    "compiled_score_speedup_vs_general": round(compiled_speedup, 3),
                    "pure_vs_columnar_grade_agreement": pure_agree,
                    "pure_vs_columnar_total_agreement": pure_total_agree,
                    "fit_grade_accounts": fit_n,
                    "fit_grade_ms": round(t_fit_ours * 1e3, 2),
                    "fit_grade_baseline_ms": round(t_fit_base * 1e3, 2),
                    "fit_grade_vs_numpy_ratio": round(fit_ratio, 3),
                    **(
                        {"fit_grade_1m_vs_numpy_ratio": round(fit_ratio, 3)}
                        if fit_n == 1_000_000
                        else {}
                    ),
                    "fit_grade_agreement": fit_agree,
                    "fit_grade_exact_agreement": fit_exact_agree,
                    "repeats": repeat,
                }
            )
        )


if __name__ == "__main__":
    main()
