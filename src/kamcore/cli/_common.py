"""What every subcommand shares: exit statuses, the usage error, option values read and checked.

A value given on the command line that the library cannot take (a date that is no
date, a policy that names nothing) becomes a :class:`UsageError`: one line on stderr
and exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Final, TypeVar

from kamcore import codec
from kamcore.calendar import as_date
from kamcore.errors import KamError, ValidationError
from kamcore.presets import load_preset, preset_names

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BROKEN_CHAIN",
    "EXIT_OK",
    "Handler",
    "UsageError",
    "flatten",
    "keep_arg",
    "load_policy_arg",
    "parse_date",
]

EXIT_OK: Final = 0
EXIT_BROKEN_CHAIN: Final = 1
EXIT_BAD_INPUT: Final = 2

#: What runs a command (or an action of one): the parsed arguments in, the exit status out.
Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")


class UsageError(KamError):
    """A command-line problem that is not a domain error (missing file, bad CSV)."""


def keep_arg(args: argparse.Namespace) -> list[str] | None:
    """``--keep a,b`` as a list; ``None`` (the map's own list) when not given."""
    value: str | None = getattr(args, "keep", None)
    if value is None:
        return None
    return [k.strip() for k in value.split(",") if k.strip()]


def parse_date(value: str, *, option: str) -> date:
    """Parse an ISO date given on the command line, or raise a one-line error."""
    try:
        return as_date(value, field=option)
    except ValidationError as exc:
        raise UsageError(str(exc)) from None


def load_policy_arg(value: str, cl: type[T]) -> T:
    """Load ``--policy``/``--playbook``: a preset name, or the path of a TOML file."""
    if value in preset_names():
        return load_preset(value, cl)
    if Path(value).is_file():
        return codec.load_policy(value, cl)
    raise UsageError(
        f"no preset or file named {value!r}; presets: {', '.join(preset_names()) or 'none'}"
    )


def flatten(
    value: object, prefix: str = "", *, keep_empty: bool = False
) -> list[tuple[str, object]]:
    """Nested dicts and lists as ``(dotted.path[i], value)`` pairs, leaves only.

    Empty values (``None``, ``""``, 0) are left out unless ``keep_empty``.
    """
    if isinstance(value, dict):
        out: list[tuple[str, object]] = []
        for k, v in value.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            out.extend(flatten(v, key, keep_empty=keep_empty))
        return out
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            out.extend(flatten(v, f"{prefix}[{i}]", keep_empty=keep_empty))
        return out
    if not keep_empty and value in (None, "", 0) and prefix != "revision":
        return []
    return [(prefix, value)]
