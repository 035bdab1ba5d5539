"""The ``kamcore`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kamcore._version import __version__


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for the ``kamcore`` command."""
    parser = argparse.ArgumentParser(
        prog="kamcore",
        description="Key account management (大客户管理) as code.",
    )
    parser.add_argument("--version", action="version", version=f"kamcore {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    parser.parse_args(argv)
    parser.print_help(sys.stdout)
    return 0
