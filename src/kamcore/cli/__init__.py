"""The ``kamcore`` command: the demo, and the library's capabilities from a shell.

Every subcommand takes ``--format table|json|csv`` (a readable, aligned table by
default) and ``--lang en|zh`` for table headings. On bad input the command prints one
line to stderr and exits with status 2; it never shows a traceback for a user error.

The command is a thin face: :func:`main` parses the command line and runs the
handler of the subcommand named; each subcommand lives in a private module by concept
(``_grading``, ``_rebate``, ``_pipeline``, ``_archive``, ``_policy``, ``_demo``), and
imports the domain only when it runs, so ``kamcore --help`` starts fast.
"""

from __future__ import annotations

import argparse
import decimal
import sys
from collections.abc import Sequence

from kamcore._version import __version__
from kamcore.cli._commands import commands
from kamcore.cli._common import EXIT_BAD_INPUT, EXIT_OK, Handler
from kamcore.cli._parser import Parser, add_commands
from kamcore.errors import KamError, RecordInvalid

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for the ``kamcore`` command."""
    parser = Parser(
        prog="kamcore",
        description="Key account management (大客户管理) as code: grading, pipeline, "
        "rebates and the account archive.",
        epilog="Exit status: 0 on success, 2 on bad input (one line on stderr).",
    )
    parser.add_argument("--version", action="version", version=f"kamcore {__version__}")
    add_commands(parser, commands())
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kamcore`` command; return its exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stdout)
        return EXIT_OK
    try:
        return handler(args)
    except RecordInvalid as exc:
        for line in _problem_lines(exc):
            print(f"kamcore: error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (KamError, OSError, UnicodeError, decimal.DecimalException) as exc:
        print(f"kamcore: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _problem_lines(exc: RecordInvalid) -> list[str]:
    """One line per problem of a file (each names the file), or the one-line summary."""
    if all(e.field.startswith(exc.record) for e in exc.errors):
        return [str(e) for e in exc.errors]
    return [str(exc)]


def _one_line(exc: Exception) -> str:
    """The one error line for bad input.

    The encoding and decimal cases are backstops for input that reached the standard
    library unchecked (a foreign encoding, numbers too large or odd for arithmetic).
    """
    if isinstance(exc, KamError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    if isinstance(exc, UnicodeEncodeError):
        return (
            f"can't write {exc.object[exc.start : exc.end]!r} in the terminal's encoding "
            f"({exc.encoding}); set PYTHONIOENCODING=utf-8"
        )
    if isinstance(exc, UnicodeError):
        return f"not UTF-8 text: {exc}"
    return (
        f"a number is out of range for exact arithmetic ({type(exc).__name__}); "
        "expected plain decimal amounts"
    )
