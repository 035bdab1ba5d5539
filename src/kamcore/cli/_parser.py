"""The parts the command line is parsed with: subcommands, their actions, shared options.

A subcommand (``grade``) or an action of one (``archive show``) is a :class:`Command`;
:func:`add_commands` adds a list of them to a parser. The options that belong to a
command as a whole (``archive --db``, the output options of ``archive`` and ``policy``)
are accepted before the action and after it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple, NoReturn, Protocol

from kamcore._output import FORMATS
from kamcore.cli._common import EXIT_BAD_INPUT, Handler

__all__ = [
    "LANGS",
    "Arguments",
    "Command",
    "Parser",
    "Shared",
    "add_commands",
    "add_input_options",
    "add_output_options",
    "policy_option",
    "table_arguments",
]

#: What ``--format`` may be: a text format, or a workbook.
OUT_FORMATS: Final = (*FORMATS, "xlsx")

#: What ``--lang`` may be.
LANGS: Final = ("en", "zh")

#: Adds a command's arguments to its parser.
Arguments = Callable[[argparse.ArgumentParser], None]


class Shared(Protocol):
    """Adds the options of a command as a whole; ``suppress``: with no default."""

    def __call__(self, p: argparse.ArgumentParser, *, suppress: bool = False) -> None:
        """Add the options to ``p``."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one line on stderr and exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


class Command(NamedTuple):
    """A subcommand, or an action of one (``archive show``).

    ``handler`` is ``None`` where each action has its own; ``arguments`` adds the
    command's arguments; ``description`` is what its ``--help`` says (default: the
    summary, as a sentence).
    """

    name: str
    handler: Handler | None
    summary: str
    arguments: Arguments
    description: str = ""


def add_commands(
    parent: argparse.ArgumentParser,
    commands: Sequence[Command],
    *,
    shared: Shared | None = None,
) -> None:
    """Add ``commands`` to ``parent``: the subcommands, or (with ``shared``) a command's actions.

    An action is required. ``shared`` adds the options of the command as a whole: to
    ``parent``, and again to each action after its own arguments, there without a
    default, so that ``archive --db X verify`` and ``archive verify --db X`` both work
    and an option given before the action is not overwritten by the action's default.
    """
    if shared is not None:
        shared(parent)
    dest = "action" if shared is not None else "command"
    sub = parent.add_subparsers(
        dest=dest, metavar=dest.upper(), required=shared is not None, parser_class=Parser
    )
    for c in commands:
        about = c.description or c.summary[:1].upper() + c.summary[1:] + "."
        p = sub.add_parser(c.name, help=c.summary, description=about)
        c.arguments(p)
        if shared is not None:
            shared(p, suppress=True)
        if c.handler is not None:
            p.set_defaults(handler=c.handler)


def add_output_options(p: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--format``, ``--lang``, ``--out`` and ``--bom``; ``suppress``: with no default."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    p.add_argument(
        "--format",
        choices=OUT_FORMATS,
        default=default("table"),
        help="output format (default: table); xlsx writes a workbook, one sheet per view, "
        "and needs --out",
    )
    p.add_argument(
        "--lang",
        choices=LANGS,
        default=default("en"),
        help="language of headings and of label values (grades, stages, categories); "
        "JSON and CSV keys stay English",
    )
    p.add_argument(
        "--out", metavar="FILE", default=default(None), help="write to FILE instead of the terminal"
    )
    p.add_argument(
        "--bom",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="start CSV output with a BOM (for Excel on Windows)",
    )


def add_input_options(p: argparse.ArgumentParser) -> None:
    """``--columns``, ``--sheet`` and ``--keep``: how a table is read."""
    p.add_argument(
        "--columns",
        metavar="MAP",
        help="a column map: a TOML file, or a preset such as presets:columns_source "
        "(Chinese headings 客户编号, 销售额 …)",
    )
    p.add_argument("--sheet", metavar="NAME", help="the worksheet of a .xlsx file (default: first)")
    p.add_argument(
        "--keep",
        metavar="COLS",
        help="input columns to carry into the output, comma-separated (e.g. "
        "name,region,owner; default: the column map's keep list)",
    )


def policy_option(
    p: argparse.ArgumentParser, default: str, what: str, *, option: str = "--policy"
) -> None:
    """An option that names a policy: a preset, or a company's own TOML file."""
    p.add_argument(
        option,
        default=default,
        metavar="NAME|PATH",
        help=f"{what}: a preset's NAME or a TOML file's PATH (default: {default})",
    )


def table_arguments(p: argparse.ArgumentParser, rows: str, ids: str) -> None:
    """A command that reads a table: its FILE, ``--id`` and the input options."""
    p.add_argument("file", metavar=rows)
    p.add_argument("--id", help=f"the id column's heading (default: {ids})")
    add_input_options(p)
