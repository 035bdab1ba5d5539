"""Rendering of records for the ``kamcore`` command: aligned tables, JSON and CSV.

A *record* is a mapping of column name to a plain value (str, int, Decimal, date,
bool or None). Every output format shows the same records with the same keys, so a
script can switch from ``--format table`` to ``--format json`` without surprises.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

__all__ = ["FORMATS", "Record", "render", "text_width"]

Record = Mapping[str, object]

#: The output formats every subcommand accepts.
FORMATS: Final = ("table", "json", "csv")


def text_width(text: str) -> int:
    """The number of terminal columns ``text`` takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal | date):
        return _cell(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - text_width(text))
    return gap + text if right else text + gap


def render(
    records: Sequence[Record],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str = "",
) -> str:
    """Render ``records`` as ``table``, ``json`` or ``csv`` text (ending in a newline).

    Args:
        records: The rows; every row has the same keys.
        fmt: One of :data:`FORMATS`.
        columns: Which keys to show, in order; all keys of the first row by default.
        labels: Column headings for the table (JSON and CSV always use the keys).
        title: A heading printed above the table (tables only).

    Returns:
        The text.
    """
    cols = list(columns) if columns is not None else (list(records[0]) if records else [])
    if fmt == "json":
        rows = [{c: _json_value(r.get(c)) for c in cols} for r in records]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        for r in records:
            writer.writerow([_cell(r.get(c)) for c in cols])
        return buf.getvalue()
    heads = [(labels or {}).get(c, c) for c in cols]
    cells = [[_cell(r.get(c)) for c in cols] for r in records]
    numeric = [
        bool(records) and all(_is_number(r.get(c)) or r.get(c) is None for r in records)
        for c in cols
    ]
    widths = [
        max([text_width(h), *(text_width(row[i]) for row in cells)]) for i, h in enumerate(heads)
    ]
    lines = []
    if title:
        lines.append(title)
    lines.append(
        "  ".join(_pad(h, w, right=n) for h, w, n in zip(heads, widths, numeric, strict=True))
    )
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(_pad(v, w, right=n) for v, w, n in zip(row, widths, numeric, strict=True))
        for row in cells
    )
    return "\n".join(line.rstrip() for line in lines) + "\n"
