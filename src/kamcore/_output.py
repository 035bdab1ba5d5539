"""Rendering of records for the ``kamcore`` command: aligned tables, JSON, CSV and Excel.

A *record* is a mapping of column name to a plain value (str, int, Decimal, date,
bool or None). Every output format shows the same records with the same keys, so a
script can switch from ``--format table`` to ``--format json`` without surprises.

:func:`render` returns text; :func:`write_xlsx` writes a workbook with one sheet per
:class:`View` (it needs the optional ``openpyxl``: ``pip install 'kamcore[excel]'``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

import attrs

from kamcore.errors import ValidationError

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook

__all__ = [
    "FORMATS",
    "Record",
    "View",
    "render",
    "stream_rows",
    "text_width",
    "write_pieces",
    "write_text",
    "write_xlsx",
]

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
    bom: bool = False,
) -> str:
    r"""Render ``records`` as ``table``, ``json`` or ``csv`` text (ending in a newline).

    Args:
        records: The rows; every row has the same keys.
        fmt: One of :data:`FORMATS`.
        columns: Which keys to show, in order; all keys of the first row by default.
        labels: Column headings for the table (JSON and CSV always use the keys).
        title: A heading printed above the table (tables only).
        bom: Start CSV text with a byte-order mark (``"\ufeff"``), so that Excel on
            Windows reads the UTF-8 (Chinese) text correctly. Ignored for ``table``
            and ``json``: a BOM there would only confuse terminals and JSON parsers.

    Returns:
        The text.

    Examples:
        >>> render([{"id": "A1"}], "csv", bom=True)
        '\ufeffid\nA1\n'
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
        return ("\ufeff" if bom else "") + buf.getvalue()
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


#: Rows formatted at a time when text is streamed (see :func:`stream_rows`).
_STREAM_CHUNK: Final = 8192


def stream_rows(
    columns: Sequence[str], rows: Iterable[Sequence[str]], fmt: str, *, bom: bool = False
) -> Iterator[str]:
    r"""What :func:`render` returns for ``csv`` or ``json``, in pieces, from rows of text.

    For output too large to hold as records: each row holds one cell per column,
    already the text :func:`render` shows for its value (a ``Decimal`` as ``f"{v:f}"``,
    None as ``""``). Joined, the pieces are :func:`render`'s text for the same records.

    Args:
        columns: The keys, in order (the CSV header, the JSON object keys).
        rows: The rows of text cells.
        fmt: ``"csv"`` or ``"json"``.
        bom: Start CSV text with a byte-order mark (as :func:`render`).

    Raises:
        ValidationError: ``fmt`` is neither ``"csv"`` nor ``"json"``.

    Examples:
        >>> "".join(stream_rows(["id", "n"], [["A1", "2.50"]], "csv", bom=True))
        '\ufeffid,n\nA1,2.50\n'
        >>> "".join(stream_rows(["id"], [["A1"]], "json")) == render([{"id": "A1"}], "json")
        True
    """
    if fmt not in ("csv", "json"):
        raise ValidationError(field="fmt", value=fmt, expected="'csv' or 'json'")
    cols = list(columns)
    rows = iter(rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(cols)
        yield ("\ufeff" if bom else "") + buf.getvalue()
        while chunk := list(islice(rows, _STREAM_CHUNK)):
            text = _plain_csv(chunk, len(cols))
            if text is None:
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(chunk)
                text = buf.getvalue()
            yield text
        return
    first = True
    while chunk := list(islice(rows, _STREAM_CHUNK)):
        text = json.dumps(
            [dict(zip(cols, row, strict=True)) for row in chunk], ensure_ascii=False, indent=2
        )
        # "[\n  {…},\n  {…}\n]": the items, as they sit inside the whole list
        yield ("[\n" if first else ",\n") + text[2:-2]
        first = False
    yield "[]\n" if first else "\n]\n"


def _plain_csv(rows: list[Sequence[str]], width: int) -> str | None:
    r"""The CSV lines of ``rows`` where no cell needs quoting: the cells joined; else ``None``.

    The CSV writer writes a text cell as it is unless it holds the delimiter, a quote
    or a line break (and a row of one empty cell as ``""``): where the joined text has
    one comma fewer than cells in each row, one line break a row and no quote, ``\r``
    or NUL, it is what the writer writes.
    """
    try:
        text = "\n".join(map(",".join, rows)) + "\n"
    except TypeError:  # a cell that is not text: the writer writes it
        return None
    plain = (
        width > 1
        and set(map(len, rows)) == {width}
        and text.count(",") == (width - 1) * len(rows)
        and text.count("\n") == len(rows)
        and '"' not in text
        and "\r" not in text
        and "\x00" not in text
    )
    return text if plain else None


# --- Excel workbooks --------------------------------------------------------------------

#: What a sheet title may not contain (Excel's rule) and its longest allowed length.
_SHEET_FORBIDDEN: Final = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_SHEET_MAX: Final = 31
#: Excel's limits on a cell: the longest text, the largest number.
_TEXT_MAX: Final = 32767
_NUMBER_MAX: Final = Decimal("9.99999999999999E+307")
#: Control characters no worksheet may hold (the XML in an .xlsx cannot carry them).
_TEXT_FORBIDDEN: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: The timestamp written into the workbook's properties and every zip entry, so that
#: the same views always give the same bytes.
_FIXED_TIME: Final = datetime(2000, 1, 1)  # noqa: DTZ001 - openpyxl wants naive UTC
_ZIP_TIME: Final = (2000, 1, 1, 0, 0, 0)
_WIDTH_MIN: Final = 4
_WIDTH_MAX: Final = 60
_MAX_PLACES: Final = 10
#: What a cell can hold (bool and int are covered by float).
_Plain = str | float | Decimal | date | None
_EXPECTED_CELL: Final = (
    "text, a whole number, a decimal, a date, true/false or None (an empty cell)"
)


def _records(records: Iterable[Record]) -> tuple[Record, ...]:
    return tuple(records)


def _columns(columns: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if columns is None else tuple(columns)


def _labels(labels: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if labels is None else MappingProxyType(dict(labels))


@attrs.frozen
class View:
    r"""One worksheet of a workbook written by :func:`write_xlsx`.

    Attributes:
        name: The sheet's title. :func:`write_xlsx` makes it safe for Excel (at most
            31 characters, none of ``[]:*?/\``, unique within the workbook).
        records: The rows, as for :func:`render`.
        columns: Which keys to show, in order; all keys of the first row by default.
        labels: Column headings by key; a key without a label is its own heading.

    Examples:
        >>> View("accounts", [{"id": "A1"}], labels={"id": "编号"}).columns is None
        True
    """

    name: str
    records: Sequence[Record] = attrs.field(converter=_records)
    columns: Sequence[str] | None = attrs.field(default=None, converter=_columns)
    labels: Mapping[str, str] | None = attrs.field(default=None, converter=_labels)


def _sheet_titles(names: Iterable[str]) -> list[str]:
    """Excel-safe, unique (ignoring case, as Excel does) sheet titles for ``names``."""
    used: set[str] = set()
    titles = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", name).strip().strip("'")[:_SHEET_MAX].rstrip("'")
        if base.casefold() == "history":  # Excel reserves this name for itself
            base += "_"
        base = base or "Sheet"
        title, n = base, 2
        while title.casefold() in used:
            suffix = f" ({n})"
            title, n = base[: _SHEET_MAX - len(suffix)] + suffix, n + 1
        used.add(title.casefold())
        titles.append(title)
    return titles


def _xlsx_text(value: object) -> str:
    """The text Excel shows for ``value``, to size the column."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str):
        return max(value.splitlines() or [""], key=text_width)
    return _cell(value)


def _number_format(value: Decimal) -> str | None:
    """Show a Decimal with its own decimal places (``1.50`` stays ``1.50``)."""
    places = -int(value.as_tuple().exponent)
    return "#,##0." + "0" * places if 0 < places <= _MAX_PLACES else None


def _refusal(value: object) -> str | None:
    """Why a cell cannot hold ``value``, or None when it can."""
    if isinstance(value, str):
        if len(value) > _TEXT_MAX:
            return f"text longer than {_TEXT_MAX} characters"
        if _TEXT_FORBIDDEN.search(value):
            return "text holds a control character"
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        if not number.is_finite() or abs(number) > _NUMBER_MAX:
            return "not a number Excel can hold"
    elif isinstance(value, datetime):
        if value.tzinfo is not None:
            return "Excel cannot hold a time zone"
    elif not (value is None or isinstance(value, bool | date)):
        return f"cannot write a {type(value).__name__}"
    return None


def _store(cell: Cell, value: _Plain) -> None:
    """Put an acceptable ``value`` into ``cell`` as Excel's own type."""
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it looks like a formula ("=...") or "#N/A"
    elif isinstance(value, Decimal):
        cell.number_format = _number_format(value) or cell.number_format
    elif isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def _fill(cell: Cell, value: object, *, sheet: str, column: str, field: str) -> None:
    """Fill ``cell`` or raise :class:`ValidationError` naming the sheet, row and column."""
    why = _refusal(value)
    if why is not None:
        raise ValidationError(
            field=field,
            value=value,
            expected=_EXPECTED_CELL,
            problem=f"sheet {sheet!r}, row {cell.row}, column {cell.column_letter} "
            f"({column}): {why}",
        )
    _store(cell, cast("_Plain", value))  # _refusal let only these types through


def _workbook(views: Sequence[View]) -> Workbook:
    """Build the workbook in memory (nothing touches the disk here)."""
    from openpyxl import Workbook  # noqa: PLC0415 - the excel extra is optional
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    wb.properties.creator = "kamcore"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    bold = Font(bold=True)
    for view, title in zip(views, _sheet_titles(v.name for v in views), strict=True):
        ws = wb.create_sheet(title)
        records = view.records
        cols = (
            list(view.columns) if view.columns is not None else list(records[0] if records else [])
        )
        labels = view.labels or {}
        for j, col in enumerate(cols, start=1):
            head = ws.cell(row=1, column=j)
            field = f"{title}.labels.{col}"
            _fill(head, labels.get(col, col), sheet=title, column=col, field=field)
            head.font = bold
            texts = [_xlsx_text(labels.get(col, col))]
            for i, record in enumerate(records):
                value = record.get(col)
                field = f"{title}[{i}].{col}"
                _fill(ws.cell(row=i + 2, column=j), value, sheet=title, column=col, field=field)
                texts.append(_xlsx_text(value))
            width = max(_WIDTH_MIN, *(text_width(t) for t in texts))
            ws.column_dimensions[get_column_letter(j)].width = min(width + 2, _WIDTH_MAX)
        ws.freeze_panes = "A2"
    return wb


def _xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook's bytes, with fixed timestamps so equal views give equal files."""
    from openpyxl.writer.excel import ExcelWriter  # noqa: PLC0415

    raw = io.BytesIO()
    # ExcelWriter rather than wb.save(): save() stamps "modified" with the current time
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # same entries, same order; only the timestamps fixed
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def _replace(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to a new file beside ``path``, then move it into place in one step."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # "x": a fresh file (never someone else's), created with the usual permissions
    with tmp.open("xb") as fh:
        try:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                for piece in data:
                    fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        except BaseException:
            fh.close()
            tmp.unlink(missing_ok=True)
            raise
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # gone already after a successful replace


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, whole or not at all (as :func:`write_xlsx`)."""
    _replace(Path(path), text.encode("utf-8"))


def write_pieces(path: str | Path, pieces: Iterable[str]) -> None:
    """Write the text ``pieces`` to ``path`` as UTF-8, one after another, whole or not at all.

    As :func:`write_text` of the joined text (a new file beside ``path``, moved into
    place in one step; a failure leaves ``path`` as it was), without holding the
    whole text in memory.
    """
    _replace(Path(path), (piece.encode("utf-8") for piece in pieces))


def write_xlsx(path: str | Path, views: Sequence[View]) -> None:
    """Write ``views`` to an Excel workbook at ``path``, one worksheet per view.

    Each sheet has a bold, frozen header row (the view's labels, falling back to the
    keys) and one row per record. Cells keep their types: whole numbers and decimals
    are numbers (a decimal shows its own places, ``1.50`` as ``1.50``), dates are
    dates shown ``yyyy-mm-dd``, booleans are TRUE/FALSE, None is an empty cell, and
    text is always text (``"=1+1"`` is not run as a formula). Columns are as wide as
    their content (CJK characters count double).

    The workbook is built in memory, written to a temporary file in the same folder
    and moved into place in one step: a failure leaves no half-written file and an
    existing file at ``path`` untouched. The same views always give the same bytes.

    Args:
        path: Where to write the ``.xlsx`` file; an existing file is replaced.
        views: The sheets, in order; at least one.

    Raises:
        ValidationError: ``openpyxl`` is not installed (``field="format"``); there
            are no views; or a record holds a value a cell cannot: anything but
            text, int, float, Decimal, date, datetime (without a time zone), bool and
            None. Its ``field`` is ``"<sheet>[<record index>].<column>"`` and its
            message names the cell (``sheet 'x', row 3, column B (amount)``).
    """
    try:
        import openpyxl  # noqa: F401, PLC0415 - the excel extra is optional
    except ImportError:
        raise ValidationError(
            field="format",
            value="xlsx",
            expected="pip install 'kamcore[excel]' (openpyxl)",
            problem="writing .xlsx needs openpyxl",
        ) from None
    if not views:
        raise ValidationError(
            field="views", value=[], expected="at least one view", problem="no sheets to write"
        )
    _replace(Path(path), _xlsx_bytes(_workbook(views)))
