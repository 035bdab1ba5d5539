"""Rebate quotes: explained quotes one at a time vs the batch paths (identical cents).

Usage: python benchmarks/bench_rebate.py [--quick] [--json] [-n N]

* explained: ``quote(schedule, basis=Money, base=Money)`` per row (a frozen RebateQuote);
* explained + explain(): the same, also rendering the full explanation (slices, next tier);
* batch (python ints): ``rebate_cents`` over lists of ints;
* batch (numpy): ``rebate_cents_array`` over int64 columns.

Every batch result is checked against the explained quotes' cents; a mismatch aborts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from decimal import Decimal

import attrs

from kamcore.money import Money
from kamcore.presets import load_preset
from kamcore.rebate import TierMode, TierSchedule, quote, rebate_cents, rebate_cents_array


def _rows(n: int, seed: int) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    basis = [rng.randrange(0, 200_000_000) for _ in range(n)]  # 0 to 2,000,000.00 yuan
    base = [b * rng.randrange(0, 101) // 100 for b in basis]  # 0-100% collected
    return basis, base


def _bench(schedule: TierSchedule, n: int, seed: int) -> dict[str, float]:
    basis_c, base_c = _rows(n, seed)
    basis_m = [Money(Decimal(b).scaleb(-2)) for b in basis_c]
    base_m = [Money(Decimal(c).scaleb(-2)) for c in base_c]

    t0 = time.perf_counter()
    quotes = [quote(schedule, basis=b, base=c) for b, c in zip(basis_m, base_m, strict=True)]
    t_quote = time.perf_counter() - t0
    expected = [int(q.rebate.amount.scaleb(2)) for q in quotes]

    k = max(1, n // 20)
    t0 = time.perf_counter()
    for b, c in zip(basis_m[:k], base_m[:k], strict=True):
        quote(schedule, basis=b, base=c).explain()
    t_explain = time.perf_counter() - t0

    t0 = time.perf_counter()
    py_cents = rebate_cents(schedule, basis_c, base_c)
    t_py = time.perf_counter() - t0

    import numpy as np

    b_arr = np.asarray(basis_c, dtype=np.int64)
    c_arr = np.asarray(base_c, dtype=np.int64)
    t0 = time.perf_counter()
    np_cents = rebate_cents_array(schedule, b_arr, c_arr)
    t_np = time.perf_counter() - t0

    if py_cents != expected or np_cents.tolist() != expected:
        sys.exit(f"MISMATCH: batch cents differ from quote() for {schedule.mode.value}")
    us_quote = t_quote / n * 1e6
    us_np = t_np / n * 1e6
    return {
        "us_per_quote": us_quote,
        "us_per_explained_quote_with_text": t_explain / k * 1e6,
        "us_per_batch_python": t_py / n * 1e6,
        "us_per_batch_numpy": us_np,
        "batch_speedup": us_quote / us_np,
        "batch_python_speedup": us_quote / (t_py / n * 1e6),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 quotes instead of 1,000,000")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("-n", type=int, default=None, help="number of quotes")
    args = parser.parse_args(argv)
    n = args.n or (100_000 if args.quick else 1_000_000)

    source = load_preset("rebate_source", TierSchedule)
    results = {
        "whole_amount": _bench(source, n, seed=1),
        "graduated": _bench(attrs.evolve(source, mode=TierMode.GRADUATED), n // 4, seed=2),
    }
    for mode, r in results.items():
        print(f"{mode} ({n if mode == 'whole_amount' else n // 4:,} rows, identical cents: yes)")
        print(f"  quote() explained          {r['us_per_quote']:8.3f} µs/quote")
        print(f"  quote().explain() text     {r['us_per_explained_quote_with_text']:8.3f} µs/quote")
        print(
            f"  rebate_cents (python ints) {r['us_per_batch_python']:8.3f} µs/quote"
            f"  ({r['batch_python_speedup']:.1f}x)"
        )
        print(
            f"  rebate_cents_array (numpy) {r['us_per_batch_numpy']:8.3f} µs/quote"
            f"  ({r['batch_speedup']:.1f}x)"
        )
    head = results["whole_amount"]
    if args.json:
        out = {
            "benchmark": "rebate",
            "n": n,
            "us_per_quote": round(head["us_per_quote"], 3),
            "batch_speedup": round(head["batch_speedup"], 1),
            "us_per_batch_numpy": round(head["us_per_batch_numpy"], 4),
            "us_per_batch_python": round(head["us_per_batch_python"], 3),
            "batch_python_speedup": round(head["batch_python_speedup"], 1),
            "us_per_explained_quote_with_text": round(head["us_per_explained_quote_with_text"], 3),
            "graduated_us_per_quote": round(results["graduated"]["us_per_quote"], 3),
            "graduated_batch_speedup": round(results["graduated"]["batch_speedup"], 1),
            "identical_cents": True,
        }
        print(json.dumps(out))


if __name__ == "__main__":
    main()
