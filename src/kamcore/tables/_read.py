"""Reading a table file into header and cells: CSV/TSV, .xlsx and Parquet.

Cells stay as the file holds them (text from CSV; text, whole numbers, exact decimals
and dates from a workbook or Parquet): turning them into figures is the column map's
job, so every problem can be reported with its file, line and column.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Final

import attrs

from kamcore._validate import path as checked_path
from kamcore._validate import text as checked_text
from kamcore.errors import RecordInvalid, ValidationError

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


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; ``False`` for a name the system cannot look up (too long)."""
    try:
        return path.is_file()
    except OSError:  # ENAMETOOLONG and the like: no file of that name can exist
        return False


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
    wanted = "the path of a CSV, TSV, .xlsx or .parquet file"
    path = checked_path(source, "source", expected=wanted)
    if sheet is not None:
        checked_text(sheet, "sheet", expected="the name of a worksheet, or None for the first")
    name = path.name
    if not is_file(path):
        raise _problem(name, "no such file", wanted)
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


def _delimiter(text: str, *, tab: bool) -> str:
    """The delimiter the first line holding any of them uses most (a title line has none)."""
    if tab:
        return "\t"
    for line in text.split("\n", 20)[:20]:
        counts = {d: line.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


#: How many ragged rows a file reports before it stops looking.
_MAX_RAGGED: Final = 100


def _rows_table(
    name: str, where: str, numbered: Iterable[tuple[int, list[object]]], sheet: str = ""
) -> Table:
    """Header and rows from non-blank rows, with every ragged row reported at once.

    Title rows above the header — a single filled cell, as in a report's "2026年一季度
    客户销售表" — are skipped when a wider row follows them.
    """
    header: list[str] | None = None
    titles: list[tuple[int, list[object]]] = []
    rows: list[tuple[object, ...]] = []
    lines: list[int] = []
    ragged: list[ValidationError] = []
    for line, cells in numbered:
        if header is None:
            if sum(1 for c in cells if c not in (None, "")) <= 1:
                titles.append((line, cells))  # a title, or a one-column table
                continue
            header = [_heading(c) for c in cells]
            titles.clear()
            continue
        if len(cells) != len(header) and not (sheet and len(cells) < len(header)):
            if len(ragged) < _MAX_RAGGED:
                ragged.append(
                    _problem(
                        f"{where} line {line}",
                        f"malformed row: {len(cells)} cells under {len(header)} headings",
                        f"one cell per heading ({', '.join(header)}); quote cells that hold "
                        "the delimiter",
                    )
                )
            continue
        rows.append(tuple(cells) + (None,) * (len(header) - len(cells)))
        lines.append(line)
    if header is None and titles:  # every row has one cell: a one-column table
        (_, first), *rest = titles
        header = [_heading(c) for c in first]
        for line, cells in rest:
            rows.append(tuple(cells) + (None,) * (len(header) - len(cells)))
            lines.append(line)
    if ragged:
        raise RecordInvalid(name, ragged)
    if header is None:
        raise _problem(
            where,
            "empty file" if not sheet else "empty sheet",
            "a header row, then one row per record",
        )
    return Table(name, tuple(header), tuple(rows), tuple(lines), sheet)


def _heading(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _read_text(name: str, text: str, *, tab: bool) -> Table:
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text, tab=tab), strict=True
    )

    def numbered() -> Iterator[tuple[int, list[object]]]:
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                yield reader.line_num, list(cells)

    try:
        return _rows_table(name, name, numbered())
    except csv.Error as exc:
        raise _problem(f"{name} line {reader.line_num}", f"malformed CSV ({exc})", "CSV") from None


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
            try:
                return _sheet_table(path.name, str(ws.title), ws.iter_rows(values_only=True))
            except ValidationError as exc:
                if exc.problem != "empty sheet" or len(book.sheetnames) < 2:
                    raise
                others = ", ".join(book.sheetnames[1:])  # say which other sheets there are
                raise _problem(
                    f"{path.name} (sheet {ws.title})",
                    "the first sheet is empty",
                    f"--sheet with one of: {others}",
                ) from None
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
    def numbered() -> Iterator[tuple[int, list[object]]]:
        for number, raw in enumerate(rows_in, start=1):
            cells = [_excel_cell(v) for v in raw]
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                yield number, cells

    return _rows_table(name, f"{name} (sheet {title})", numbered(), title)


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
    """A Parquet value: decimals, integers, text and days as they are.

    A float column was written by a program, not typed into Excel: it is read as the
    shortest decimal that gives the same float back (store money as a decimal column
    to keep it exact).
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return Decimal(repr(value))
    if isinstance(value, datetime | date | Decimal | int | str) or value is None:
        return _excel_cell(value)
    return str(value)


#: Rows read at a time by :func:`_csv_chunks` (bounds the memory a large file's text
#: takes while it is read).
_CHUNK: Final = 8192
_TEXT_SUFFIXES_SKIPPED: Final = (*_EXCEL_SUFFIXES, *_PARQUET_SUFFIXES, ".xls")


class _NotLean(Exception):
    """The lean reader gives up: the file is read the ordinary way (which says why)."""


#: Picks the columns to read from a file's name and header (``None``: give up).
Pick = Callable[[str, tuple[str, ...]], Sequence[int] | None]


def _csv_chunks(source: object, pick: Pick) -> Generator[dict[int, tuple[str, ...]]]:
    """Some columns of a CSV/TSV file, a chunk of rows at a time, in one streaming pass.

    The lean reader of the bulk paths: it reads what :func:`read_table` reads from a
    CSV/TSV file (same decoding, delimiter, title rows, blank rows), but keeps only
    the columns ``pick(name, header)`` names, and never holds the whole file: each
    chunk maps a picked column's index to its cells (text as the CSV reader gives it,
    untrimmed), rows in file order.

    Raises:
        _NotLean: On anything :func:`read_table` would report or read differently —
            no such file, a workbook or Parquet file, UTF-16, bytes that are not
            UTF-8, malformed CSV, a ragged row, no header — and when ``pick`` returns
            ``None``. The caller then reads the file the ordinary way, which reports
            the problem with its file, line and column.
    """
    if not isinstance(source, str | Path):
        raise _NotLean
    try:
        path = Path(source)
        suffix = path.suffix.casefold()
        if suffix in _TEXT_SUFFIXES_SKIPPED or not is_file(path):
            raise _NotLean
        with path.open("rb") as fh:
            start = fh.read(4)
            if start.startswith((b"PK\x03\x04", b"\xff\xfe", b"\xfe\xff")):
                raise _NotLean  # a workbook, or UTF-16
            fh.seek(0)
            # the delimiter, from the first 20 lines as _delimiter splits them (on "\n")
            head = [fh.readline() for _ in range(20)]
        head[0] = head[0].removeprefix(b"\xef\xbb\xbf")
        first = "\n".join(line.decode("utf-8").removesuffix("\n") for line in head if line)
        delimiter = _delimiter(first, tab=suffix in (".tsv", ".tab"))
        with path.open(encoding="utf-8-sig", newline="") as text:
            yield from _stream_columns(path.name, text, pick, delimiter)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError):
        raise _NotLean from None


def _stream_columns(
    name: str, text: io.TextIOWrapper, pick: Pick, delimiter: str
) -> Iterator[dict[int, tuple[str, ...]]]:
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    header: tuple[str, ...] | None = None
    for cells in reader:
        if not cells or not any(c.strip() for c in cells):
            continue
        if sum(1 for c in cells if c) <= 1:
            continue  # a title row (a one-column table has no header here: given up)
        header = tuple(_heading(c) for c in cells)
        break
    wanted = None if header is None else pick(name, header)
    if header is None or wanted is None:
        raise _NotLean
    width = len(header)
    while chunk := list(islice(reader, _CHUNK)):
        if set(map(len, chunk)) != {width}:  # blank rows, or a ragged one
            chunk = [cells for cells in chunk if cells and any(c.strip() for c in cells)]
            if any(len(cells) != width for cells in chunk):
                raise _NotLean  # ragged
            if not chunk:
                continue
        by_index = list(zip(*chunk, strict=True))
        if not all(map(str.strip, by_index[0])):  # a blank first cell: is the row blank?
            chunk = [cells for cells in chunk if any(c.strip() for c in cells)]
            if not chunk:
                continue
            by_index = list(zip(*chunk, strict=True))
        yield {i: by_index[i] for i in wanted}
