"""Reading a table file into header and cells: CSV/TSV, .xlsx and Parquet.

Cells stay as the file holds them (text from CSV; text, whole numbers, exact decimals
and dates from a workbook or Parquet): turning them into figures is the column map's
job, so every problem can be reported with its file, line and column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs

from kamcore.errors import ValidationError

__all__ = ["Table", "read_table"]

_RESAVE: Final = 'UTF-8 text: re-save it as UTF-8 (Excel: "CSV UTF-8"; a UTF-8 BOM is fine)'
_DELIMITERS: Final = (",", "\t", ";", "|")
_EXCEL_SUFFIXES: Final = (".xlsx", ".xlsm")
_PARQUET_SUFFIXES: Final = (".parquet", ".pq")


@attrs.frozen
class Table:
    """A table as read from a file: a header and rows of cells, with line numbers.

    Attributes:
        name: The file's name, for messages (``"accounts.csv"``).
        header: The column headings, as written (trimmed).
        rows: The data rows; each has one cell per heading. A cell is ``None`` (blank),
            text, an ``int``, a ``Decimal`` or a ``date``/``datetime``.
        lines: For each row, the line (CSV) or row number (workbook) it came from.
        sheet: The worksheet read, for a workbook.
    """

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    lines: tuple[int, ...]
    sheet: str = ""

    def where(self, line: int) -> str:
        """``"accounts.xlsx (sheet 客户) line 7"``: where a row is, for messages."""
        sheet = f" (sheet {self.sheet})" if self.sheet else ""
        return f"{self.name}{sheet} line {line}"


def _problem(name: str, problem: str, expected: str, value: object = None) -> ValidationError:
    return ValidationError(field=name, value=value, expected=expected, problem=problem)


def read_table(source: str | Path, *, sheet: str | None = None) -> Table:
    """Read a CSV/TSV, ``.xlsx`` or Parquet file into a :class:`Table`.

    * CSV and TSV: UTF-8 with or without a BOM (Excel's "CSV UTF-8"), or UTF-16 with a
      BOM (Excel's "Unicode Text"); the delimiter (comma, tab, semicolon or bar) is the
      one the header line uses most. A file in GBK or another local encoding is refused
      with the fix.
    * ``.xlsx``/``.xlsm`` (needs the ``excel`` extra, openpyxl): the first worksheet, or
      ``sheet``; the first non-empty row is the header. Numbers stored as binary floats
      are read to 15 significant digits, as Excel shows them (a formula's 0.1 + 0.2 is
      0.3, not 0.30000000000000004).
    * ``.parquet`` (needs the ``frames`` extra, pyarrow): columns as stored; decimal
      columns stay exact.

    Blank rows are skipped. Every data row must have as many cells as the header.

    Args:
        source: The file's path.
        sheet: The worksheet of a workbook (the first when omitted).

    Returns:
        The table.

    Raises:
        ValidationError: The file is missing, empty, not readable in its format, has a
            ragged row, or the sheet does not exist; the message names the file, the
            line and the fix.
    """
    path = Path(source)
    name = path.name
    if not path.is_file():
        raise _problem(name, "no such file", "the path of a CSV, TSV, .xlsx or .parquet file")
    suffix = path.suffix.casefold()
    if suffix in _EXCEL_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix in _PARQUET_SUFFIXES:
        return _read_parquet(path)
    if suffix == ".xls":
        raise _problem(
            name,
            "an old Excel 97-2003 workbook",
            'a .xlsx file: open it in Excel and "Save As" .xlsx',
        )
    if sheet is not None:
        raise _problem(name, "--sheet is for workbooks", "a .xlsx file with that sheet")
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise _problem(name, "a workbook with a name that does not end in .xlsx", "a .xlsx name")
    return _read_text(name, _decode(name, raw), tab=suffix in (".tsv", ".tab"))


def _decode(name: str, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        byte = body[exc.start]
        raise _problem(
            f"{name} line {line}",
            f"not UTF-8 (byte 0x{byte:02x}; GBK or another local encoding?)",
            _RESAVE,
        ) from None


def _delimiter(first_line: str, *, tab: bool) -> str:
    if tab:
        return "\t"
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_text(name: str, text: str, *, tab: bool) -> Table:
    first = text.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(first, tab=tab), strict=True
    )
    header: list[str] | None = None
    rows: list[tuple[object, ...]] = []
    lines: list[int] = []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            line = reader.line_num
            if len(cells) != len(header):
                raise _problem(
                    f"{name} line {line}",
                    f"malformed row: {len(cells)} cells under {len(header)} headings",
                    f"one cell per heading ({', '.join(header)}); quote cells that hold "
                    "the delimiter",
                )
            rows.append(tuple(cells))
            lines.append(line)
    except csv.Error as exc:
        raise _problem(f"{name} line {reader.line_num}", f"malformed CSV ({exc})", "CSV") from None
    if header is None:
        raise _problem(name, "empty file", "a header row, then one row per record")
    return Table(name, tuple(header), tuple(rows), tuple(lines))


def _excel_cell(value: object) -> object:
    """A workbook cell as kamcore keeps it: floats become exact decimals."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        # 15 significant digits: what Excel keeps and shows, and what any double holds
        # exactly, so a typed 348553.61 comes back as it was and float noise goes
        return Decimal(f"{value:.15g}")
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    try:
        import openpyxl  # noqa: PLC0415 - the excel extra, imported lazily
    except ImportError:  # pragma: no cover - installed wherever the tests run
        raise _problem(
            path.name, "reading .xlsx needs openpyxl", "pip install 'kamcore[excel]'"
        ) from None
    from zipfile import BadZipFile  # noqa: PLC0415

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _problem(
            path.name, f"not a readable .xlsx workbook ({exc})", "a .xlsx file"
        ) from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise _problem(
                path.name, f"no sheet named {sheet!r}", f"one of: {', '.join(book.sheetnames)}"
            )
        return _sheet_table(path.name, str(ws.title), ws.iter_rows(values_only=True))
    finally:
        book.close()


def _sheet_table(name: str, title: str, rows_in: Iterator[Sequence[Any]]) -> Table:
    header: list[str] | None = None
    rows: list[tuple[object, ...]] = []
    lines: list[int] = []
    for number, raw in enumerate(rows_in, start=1):
        cells = [_excel_cell(v) for v in raw]
        while cells and cells[-1] is None:
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = ["" if c is None else str(c).strip() for c in cells]
            continue
        if len(cells) > len(header):
            raise _problem(
                f"{name} (sheet {title}) line {number}",
                f"malformed row: {len(cells)} cells under {len(header)} headings",
                "every cell under a heading",
            )
        rows.append(tuple(cells) + (None,) * (len(header) - len(cells)))
        lines.append(number)
    if header is None:
        raise _problem(f"{name} (sheet {title})", "empty sheet", "a header row, then records")
    return Table(name, tuple(header), tuple(rows), tuple(lines), title)


def _read_parquet(path: Path) -> Table:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - the frames extra, imported lazily
    except ImportError:  # pragma: no cover - installed wherever the tests run
        raise _problem(
            path.name, "reading Parquet needs pyarrow", "pip install 'kamcore[frames]'"
        ) from None
    try:
        data = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise _problem(
            path.name, f"not a readable Parquet file ({exc})", "a .parquet file"
        ) from None
    header = tuple(str(n) for n in data.column_names)
    columns = [[_parquet_cell(v) for v in data.column(i).to_pylist()] for i in range(len(header))]
    rows = tuple(zip(*columns, strict=True)) if columns else ()
    return Table(path.name, header, rows, tuple(range(2, len(rows) + 2)))


def _parquet_cell(value: object) -> object:
    if isinstance(value, datetime | date | Decimal | int | str) or value is None:
        return _excel_cell(value)
    return _excel_cell(value) if isinstance(value, float) else str(value)
