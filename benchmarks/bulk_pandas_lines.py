"""Order lines graded by hand in pandas + numpy: groupby, sum, score, rank.

The baseline that ``bench_bulk.py`` times against ``kamcore.bulk.grade_lines`` on a
Dask cluster: what a pandas user writes to grade accounts from a folder of order-line
Parquet files. It imports neither kamcore nor Dask:

* ``pandas.read_parquet`` of the whole folder (every partition file) into one frame;
* one ``groupby("account_id")``: the money columns summed (int64 cents, exact), lines
  counted, distinct order ids counted, first and last order date; sums turned into
  float yuan (``cents / 100``), ``collection_rate = collected / invoiced``,
  ``recency_days`` from the last purchase to the latest line of the file;
* the scoring model, ladder and ABC policy read from their TOML files (the kamcore
  presets, parsed with ``tomllib``, so the rules are the presets' and cannot drift)
  and applied with numpy: percentile normalisers fitted to the accounts (nearest rank,
  ``points`` steps; a figure gets the highest step at or below it), linear (clamped),
  min–max and step tables, ``direction = "lower"`` as ``1 - fraction``; each
  contribution ``weight × normalised × scale`` rounded half up in float; a missing
  figure (no invoices: no collection rate) scores 0 unless the model refuses it;
* the ladder's bands (a score at a band's lower bound is in that band);
* ABC by the measure (sales revenue) in whole cents: ranked descending, ties by
  account id ascending; an account belongs to the first class whose breakpoint the
  cumulative measure ranked before it has not reached.

Usage: python benchmarks/bulk_pandas_lines.py LINES_DIR MODEL.toml LADDER.toml ABC.toml OUT.csv
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

MONEY = ("sales_revenue", "invoiced", "collected", "profit", "quality_losses")


def read_lines(folder: str | Path) -> pd.DataFrame:
    """Every Parquet file of the folder, as one frame."""
    return pd.read_parquet(folder)


def account_figures(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per account (sorted by id): sums in yuan, counts, dates, derived figures."""
    money = [c for c in MONEY if c in lines.columns]
    grouped = lines.groupby("account_id", sort=True)
    out = grouped[money].sum()
    cents = {c: out[c].to_numpy(np.int64) for c in money}
    for c in money:
        out[c] = cents[c] / 100.0
    if "quantity" in lines.columns:
        out["quantity"] = grouped["quantity"].sum()
    out["lines"] = grouped.size()
    out["orders"] = grouped["order_id"].nunique()
    out["first_purchase"] = grouped["order_date"].min()
    out["last_purchase"] = grouped["order_date"].max()
    latest = lines["order_date"].max()
    out["recency_days"] = (latest - out["last_purchase"]).dt.days.astype(np.int64)
    inv = cents["invoiced"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["collection_rate"] = np.where(inv != 0, cents["collected"] / inv, np.nan)
    out["sales_revenue_cents"] = cents["sales_revenue"]
    return out.reset_index()


def _percentile(x: np.ndarray, points: int) -> np.ndarray:
    known = np.sort(x[~np.isnan(x)])
    n = len(known)
    steps = known[-(-np.arange(1, points + 1) * n // points) - 1]
    return np.searchsorted(steps, x, side="right") / points


def _normalise(x: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    kind = spec["kind"]
    if kind == "percentile":
        return _percentile(x, int(spec.get("points", 100)))
    if kind in {"linear", "minmax"}:
        lo, hi = (
            (float(spec["lower"]), float(spec["upper"]))
            if kind == "linear"
            else (np.nanmin(x), np.nanmax(x))
        )
        if hi == lo:
            return np.ones_like(x)
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    if kind == "steps":
        ats = [float(s["at"]) for s in spec["steps"]]
        values = np.array([0.0, *(float(s["value"]) for s in spec["steps"])])
        return values[np.searchsorted(ats, x, side="right")]
    raise SystemExit(f"bulk_pandas_lines: normaliser kind {kind!r} is not written here")


def score(figures: pd.DataFrame, model: dict[str, Any]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each criterion's contribution and the total, rounded half up to the model's places."""
    scale = float(model.get("scale", 100))
    unit = 10.0 ** int(model.get("places", 2))
    parts: dict[str, np.ndarray] = {}
    for c in model["criteria"]:
        x = figures[c["name"]].to_numpy(np.float64)
        if np.isnan(x).any() and model.get("missing", "refuse") == "refuse":
            raise SystemExit(f"bulk_pandas_lines: {c['name']} is missing for some accounts")
        fraction = _normalise(x, c["normaliser"])
        normalised = 1.0 - fraction if c.get("direction", "higher") == "lower" else fraction
        exact = float(c["weight"]) * scale * normalised
        parts[c["name"]] = np.where(np.isnan(x), 0.0, np.floor(exact * unit + 0.5) / unit)
    total = np.round(np.minimum(sum(parts.values()), scale), int(model.get("places", 2)))
    return total, parts


def grades(total: np.ndarray, ladder: dict[str, Any]) -> np.ndarray:
    bands = sorted(ladder["bands"], key=lambda b: -float(b["lower"]))
    return np.select(
        [total >= float(b["lower"]) for b in bands[:-1]],
        [b["grade"] for b in bands[:-1]],
        bands[-1]["grade"],
    )


def abc_classes(ids: np.ndarray, cents: np.ndarray, policy: dict[str, Any]) -> np.ndarray:
    order = np.lexsort((ids, -cents))  # revenue descending, then id ascending
    ranked = cents[order]
    before = np.cumsum(ranked) - ranked
    total = int(ranked.sum())
    breaks = policy["breaks"]
    # breakpoints as whole per-millions, so the comparison is exact integer arithmetic
    limits = [round(float(b["upto"]) * 1_000_000) for b in breaks[:-1]]
    cls = np.select(
        [before * 1_000_000 < lim * total for lim in limits],
        [b["label"] for b in breaks[:-1]],
        breaks[-1]["label"],
    )
    out = np.empty(len(cents), dtype=object)
    out[order] = cls
    return out


def grade_folder(
    folder: str | Path, model: dict[str, Any], ladder: dict[str, Any], abc: dict[str, Any]
) -> pd.DataFrame:
    """Read, aggregate, score, grade and classify: one row per account."""
    figures = account_figures(read_lines(folder))
    total, _parts = score(figures, model)
    ids = figures["account_id"].to_numpy()
    return pd.DataFrame(
        {
            "account_id": ids,
            "sales_revenue": figures["sales_revenue"],
            "total": total,
            "grade": grades(total, ladder),
            "abc": abc_classes(ids, figures["sales_revenue_cents"].to_numpy(np.int64), abc),
        }
    )


def load(path: str | Path) -> dict[str, Any]:
    with Path(path).open("rb") as fh:
        return tomllib.load(fh)


def main() -> None:
    folder, model, ladder, abc, out = sys.argv[1:6]
    grade_folder(folder, load(model), load(ladder), load(abc)).to_csv(out, index=False)


if __name__ == "__main__":
    main()
