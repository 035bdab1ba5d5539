"""How a command shows its result: views of records, their headings, and where they go.

A command's result is one or more :class:`View` s. :func:`emit_views` prints the
first one in the format the user chose (``--format table|json|csv``), or writes all
of them as sheets of one workbook (``--format xlsx``); ``--lang zh`` shows the
headings in Chinese (``[cli]`` in ``_words.toml``) and translates label values.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol

from kamcore._output import Record, render, write_text, write_xlsx
from kamcore._output import View as Sheet
from kamcore._vocab import localise, words
from kamcore.cli._common import UsageError

__all__ = [
    "GRADE_HEADINGS",
    "HEADINGS",
    "Carried",
    "Labels",
    "View",
    "carried",
    "carried_keys",
    "check_out",
    "emit",
    "emit_views",
]

#: Headings by column key: (English, Chinese).
Labels = Mapping[str, tuple[str, str]]

#: The headings of every column the command shows, in English and Chinese, by key.
HEADINGS: Final[Labels] = words("cli")

#: Grading's headings: there a count is a number of accounts.
GRADE_HEADINGS: Final[Labels] = {**HEADINGS, **words("cli_grading")}


@dataclass(frozen=True, slots=True)
class View:
    """One view of a command's result: a sheet of a workbook, or what is printed.

    ``values`` names, per column, the vocabulary its values are translated with under
    ``--lang zh``; ``extra`` gives a policy's own Chinese labels (a playbook's stages).
    """

    name: str
    records: Sequence[Record]
    labels: Labels
    values: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Mapping[object, str]] = field(default_factory=dict)
    columns: Sequence[str] | None = None


def emit(
    args: argparse.Namespace,
    records: Sequence[Record],
    *,
    columns: Sequence[str] | None = None,
    labels: Labels | None = None,
    title: str = "",
) -> None:
    """Print (or write) records in the format the user chose."""
    emit_views(args, [View("result", records, labels or {}, columns=columns)], title=title)


def emit_views(
    args: argparse.Namespace,
    views: Sequence[View],
    *,
    title: str = "",
    to_file: bool = True,
) -> None:
    """Write the views: all of them as sheets of a workbook, else the first one as text.

    With ``to_file`` (the default) ``--out`` names the file; nothing is written unless
    the whole output could be made.
    """
    lang = getattr(args, "lang", "en")
    index = 0 if lang == "en" else 1
    fmt = getattr(args, "format", "table")
    out: str | None = getattr(args, "out", None) if to_file else None
    shown = [
        (
            v,
            localise(v.records, v.values, lang, v.extra),
            {k: t[index] for k, t in v.labels.items()},
        )
        for v in views
    ]
    if out:
        check_out(Path(out), fmt)
    if fmt == "xlsx":
        if not out:
            raise UsageError("--format xlsx needs --out FILE.xlsx")
        write_xlsx(out, [Sheet(v.name, recs, v.columns, heads) for v, recs, heads in shown])
        return
    view, recs, heads = shown[0]
    text = render(
        recs,
        fmt,
        columns=view.columns,
        labels=heads,
        title=title,
        bom=bool(getattr(args, "bom", False)),
    )
    if out:
        write_text(out, text)
    else:
        sys.stdout.write(text)


def check_out(path: Path, fmt: str, option: str = "--out") -> None:
    """Refuse an output file that can't be written, or whose name says another format."""
    if path.is_dir():
        raise UsageError(f"{option} {path}: a folder; expected the path of a file to write")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {path}: no folder {path.parent}; create it first")
    workbook = path.suffix.casefold() in (".xlsx", ".xlsm")
    if workbook and fmt != "xlsx":
        raise UsageError(
            f"{option} {path}: the name says a workbook but --format is {fmt}; "
            "expected --format xlsx"
        )
    if fmt == "xlsx" and not workbook:
        raise UsageError(
            f"{option} {path}: --format xlsx writes a workbook; expected a name ending in .xlsx"
        )


def _kept_keys(args: argparse.Namespace, keep: Sequence[str], output: Sequence[str]) -> set[str]:
    """The kept columns to show: those whose key the output does not have already.

    A column asked for with ``--keep`` whose key the output has is refused (it would
    hide a result); the column map's own keep list just gives way.
    """
    clash = [k for k in keep if k in output or k.endswith(".contribution")]
    if clash and getattr(args, "keep", None) is not None:
        raise UsageError(
            f"--keep {', '.join(clash)}: the output has a column of that name already; "
            "map the input column to another name in a column map, or leave it out"
        )
    return {k for k in keep if k not in clash}


class Carried(Protocol):
    """Rows read from a file, with the input columns they carry into the output."""

    @property
    def kept(self) -> Sequence[Mapping[str, object]]: ...
    @property
    def keep(self) -> Sequence[str]: ...
    @property
    def headings(self) -> Sequence[str]: ...


def carried(
    args: argparse.Namespace, rows: Carried, output: Sequence[str], labels: Labels
) -> tuple[list[dict[str, object]], Labels]:
    """Per row, the kept columns to show beside ``output``; and ``labels`` with theirs.

    A kept column's heading is its key in English and the file's own heading in Chinese.
    """
    shown = _kept_keys(args, rows.keep, output)
    kept = [{k: v for k, v in row.items() if k in shown} for row in rows.kept]
    own = {k: (k, h) for k, h in zip(rows.keep, rows.headings, strict=True)}
    return kept, {**labels, **own}


def carried_keys(
    args: argparse.Namespace,
    keep: Sequence[str],
    headings: Sequence[str],
    output: Sequence[str],
    labels: Labels,
) -> tuple[list[str], Labels]:
    """:func:`carried` for rows held as columns: the kept keys to show, and the labels.

    The keys are those :func:`carried` puts in each row, in the same order.
    """
    shown = _kept_keys(args, keep, output)
    own = {k: (k, h) for k, h in zip(keep, headings, strict=True)}
    return [k for k in dict.fromkeys(keep) if k in shown], {**labels, **own}
