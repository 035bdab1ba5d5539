"""The columnar and Dask engines of ``kamcore grade`` and ``kamcore pareto``.

Work in progress: the engines are being built.
"""

from __future__ import annotations

import argparse
import importlib.util

from kamcore.cli._common import UsageError

__all__ = ["engine_of", "grade_bulk", "pareto_bulk"]


def _installed(*names: str) -> bool:
    return all(importlib.util.find_spec(n) is not None for n in names)


def engine_of(args: argparse.Namespace) -> str:
    """The engine ``--engine`` names, or the default: columnar where pandas is installed."""
    engine: str | None = getattr(args, "engine", None)
    if engine is None:
        return "exact"
    return engine


def grade_bulk(args: argparse.Namespace, engine: str) -> int:
    """``grade`` on the columnar or Dask engine."""
    raise UsageError(f"--engine {engine}: not built yet")


def pareto_bulk(args: argparse.Namespace, engine: str) -> int:
    """``pareto`` on the columnar or Dask engine."""
    raise UsageError(f"--engine {engine}: not built yet")
