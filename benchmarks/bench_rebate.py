"""Rebate quotes: explained quotes one at a time vs the batch paths (identical cents).

Usage: python benchmarks/bench_rebate.py [--quick] [--json] [-n N]

* explained: ``quote(schedule, basis=Money, base=Money)`` per row (a frozen RebateQuote);
* explained + explain(): the same, also rendering the full explanation (slices, next tier);
* batch (python ints): ``rebate_cents`` over lists of ints;
* batch (numpy): ``rebate_cents_array`` over int64 columns.

Every batch result is checked against the explained quotes' cents (every row); a
mismatch aborts. Timings are the median of five chunks, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
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


def _median_us(run: Callable[[int, int], object], n: int, chunks: int = 5) -> float:
    """Median µs per row over ``chunks`` timed runs (the machine may be shared)."""
    size = max(1, n // chunks)
    times = []
    for k in range(chunks):
        t0 = time.perf_counter()
        run(k * size, (k + 1) * size)
        times.append((time.perf_counter() - t0) / size * 1e6)
    return statistics.median(times)


def _bench(schedule: TierSchedule, n: int, seed: int) -> dict[str, float]:
    basis_c, base_c = _rows(n, seed)
    basis_m = [Money(Decimal(b).scaleb(-2)) for b in basis_c]
    base_m = [Money(Decimal(c).scaleb(-2)) for c in base_c]

    def explained(lo: int, hi: int) -> None:
        for b, c in zip(basis_m[lo:hi], base_m[lo:hi], strict=True):
            quote(schedule, basis=b, base=c)

    def explained_text(lo: int, hi: int) -> None:
        for b, c in zip(basis_m[lo:hi], base_m[lo:hi], strict=True):
            quote(schedule, basis=b, base=c).explain()

    def batch_python(lo: int, hi: int) -> None:
        rebate_cents(schedule, basis_c[lo:hi], base_c[lo:hi])

    import numpy as np

    b_arr = np.asarray(basis_c, dtype=np.int64)
    c_arr = np.asarray(base_c, dtype=np.int64)

    def batch_numpy(lo: int, hi: int) -> None:
        rebate_cents_array(schedule, b_arr[lo:hi], c_arr[lo:hi])

    us_quote = _median_us(explained, n)
    us_text = _median_us(explained_text, max(5, n // 20))
    us_py = _median_us(batch_python, n)
    us_np = _median_us(batch_numpy, n)

    # Identical cents: every row, every path (untimed).
    expected = [
        int(quote(schedule, basis=b, base=c).rebate.amount.scaleb(2))
        for b, c in zip(basis_m, base_m, strict=True)
    ]
    if (
        rebate_cents(schedule, basis_c, base_c) != expected
        or rebate_cents_array(schedule, b_arr, c_arr).tolist() != expected
    ):
        sys.exit(f"MISMATCH: batch cents differ from quote() for {schedule.mode.value}")
    return {
        "us_per_quote": us_quote,
        "us_per_explained_quote_with_text": us_text,
        "us_per_batch_python": us_py,
        "us_per_batch_numpy": us_np,
        "batch_speedup": us_quote / us_np,
        "batch_python_speedup": us_quote / us_py,
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
