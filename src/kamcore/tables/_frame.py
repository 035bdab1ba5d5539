"""Company tables read into pandas DataFrames, by the exact reader's rules, for bulk work.

:func:`read_accounts_frame` reads the same files as :func:`~kamcore.tables.read_accounts`
through the same column map and cell rules, and refuses the same problems, all at
once; what it returns is a DataFrame of ``float64`` figures instead of exact
:class:`~kamcore.grading.AccountFacts`. :func:`read_lines_frame` reads order lines (one
row per sale) with amounts in exact ``int64`` whole cents.

How it is fast: a CSV/TSV file is split into columns of text by :mod:`pyarrow.csv`,
and each column is converted at once (pyarrow compute and numpy) for the forms
people type most: ``1234.56``, ``1,234.56``, ``¥1,234.56``, ``-¥1,234.56``,
``(1,234.56)``, ISO and Chinese dates. Only the cells those forms don't cover go through
:func:`~kamcore.tables.parse_number` or :func:`~kamcore.tables.parse_date` one by one,
so every odd form the exact reader accepts is accepted, and every problem is reported
with its file, line and column. Columns in another unit than yuan (万元, ``%``) are
read cell by cell, exactly. Workbooks and Parquet files are read with
:func:`~kamcore.tables.read_table` and converted the same way.

Exactness: a figure is the ``float64`` nearest the exact decimal the exact reader reads
(``float(parse_number(cell))``); an amount in cents is exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from kamcore._validate import path as checked_path
from kamcore._validate import text as checked_text
from kamcore._validate import texts, whole
from kamcore.errors import RecordInvalid, ValidationError
from kamcore.tables._cells import fold, parse_date, parse_number
from kamcore.tables._columns import Bound, ColumnMap, Field, FieldKind, bind, load_column_map
from kamcore.tables._load import MAX_PROBLEMS
from kamcore.tables._read import Table, _delimiter, is_file, read_table

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = ["LINE_AMOUNTS", "read_accounts_frame", "read_lines_frame"]

Source = str | Path | Table
Columns = str | Path | ColumnMap | None

#: The money fields of an order line, read in whole cents (``sales_revenue`` required).
LINE_AMOUNTS: Final = ("sales_revenue", "invoiced", "collected", "profit", "quality_losses")

_DERIVED: Final = {"collection_rate": ("invoiced", "collected")}
_HEAD_BYTES: Final = 1 << 16
_MAX_INT_DIGITS: Final = 15  # kamcore.money.MAX_DIGITS: larger numbers take the exact path
_MAX_FAST_PLACES: Final = 30
_YUAN: Final = "[¥￥]"
# the integer part of an amount: plain, or in groups of three (1,234,567)
_INTEGER: Final = r"(?:[0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9]{1,15})"
# -1,234.56, ¥1,234.56, -¥1,234.56: what the vectorised path reads (the rest: cell by cell)
_FAST_NUMBER: Final = rf"^-?{_YUAN}?{_INTEGER}(?:\.[0-9]{{1,{_MAX_FAST_PLACES}}})?$"
_FAST_BRACKETS: Final = rf"^\({_YUAN}?{_INTEGER}(?:\.[0-9]{{1,{_MAX_FAST_PLACES}}})?\)$"
# a blank cell: empty or white space (what str.strip() removes: \s, \p{Z} and a few more)
_SPACE: Final = r"^[\s\p{Z}\x0b\x1c-\x1f\x85]*$"
_DATE_FORMS: Final = (
    (
        r"^(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})"
        r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$"
    ),
    r"^(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})日$",
    r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$",
)


def _needs(what: str) -> ValidationError:
    return ValidationError(
        field=what,
        value=None,
        expected="pip install 'kamcore[frames]'",
        problem=f"{what} is not installed",
    )


def _libraries() -> None:
    """Refuse, with the fix, where pandas or pyarrow is missing."""
    for name in ("numpy", "pandas", "pyarrow"):
        try:
            __import__(name)
        except ImportError:  # pragma: no cover - installed wherever the tests run
            raise _needs(name) from None


# -- the cells of a table -------------------------------------------------------------


class _Cells:
    """A table's header and columns, either as pyarrow text (CSV) or as read_table's cells.

    Line numbers are worked out only when a problem needs one.
    """

    def __init__(
        self,
        name: str,
        header: tuple[str, ...],
        *,
        arrow: list[pa.Array] | None = None,
        table: Table | None = None,
        lines: Callable[[], list[int]] | None = None,
        sheet: str = "",
    ) -> None:
        self.name = name
        self.header = header
        self.sheet = sheet
        self.arrow = arrow
        self.table = table
        self._lines_of = lines
        self._lines: list[int] | None = list(table.lines) if table is not None else None
        self._objects: dict[int, list[object]] = {}
        if arrow is not None:
            self.n = len(arrow[0]) if arrow else 0
        else:
            self.n = len(table.rows) if table is not None else 0

    @property
    def at(self) -> str:
        """The file (and sheet) for header problems."""
        return f"{self.name} (sheet {self.sheet})" if self.sheet else self.name

    def line(self, row: int) -> int:
        """The line (CSV) or row number (workbook) row ``row`` came from."""
        if self._lines is None:
            self._lines = self._lines_of() if self._lines_of is not None else []
        return self._lines[row]

    def where(self, row: int) -> str:
        """``"accounts.csv line 7"`` for row ``row``."""
        sheet = f" (sheet {self.sheet})" if self.sheet else ""
        return f"{self.name}{sheet} line {self.line(row)}"

    def objects(self, col: int) -> list[object]:
        """Column ``col``'s cells as the exact reader sees them."""
        if col not in self._objects:
            if self.arrow is not None:
                self._objects[col] = self.arrow[col].to_pylist()
            else:
                assert self.table is not None
                self._objects[col] = [row[col] for row in self.table.rows]
        return self._objects[col]

    def text(self, col: int) -> pa.Array | None:
        """Column ``col`` as pyarrow text (``""`` blank), or ``None`` where it isn't all text."""
        import pyarrow as pa  # noqa: PLC0415

        if self.arrow is not None:
            return self.arrow[col]
        cells = self.objects(col)
        if all(c is None or type(c) is str for c in cells):
            return pa.array(["" if c is None else c for c in cells], type=pa.string())
        return None

    def cell(self, row: int, col: int) -> object:
        """The cell as written."""
        if self.arrow is not None:
            return self.arrow[col][row].as_py()
        assert self.table is not None
        return self.table.rows[row][col]


def _cells(source: Source, sheet: str | None) -> _Cells:
    """Read ``source``: a CSV/TSV through pyarrow, anything else through read_table."""
    if isinstance(source, Table):
        return _table_cells(source)
    wanted = "the path of a CSV, TSV, .xlsx or .parquet file"
    path = checked_path(source, "source", expected=wanted)
    if sheet is not None:
        checked_text(sheet, "sheet", expected="the name of a worksheet, or None for the first")
    suffix = path.suffix.casefold()
    if sheet is None and is_file(path) and suffix not in (".xlsx", ".xlsm", ".parquet", ".pq"):
        fast = _arrow_csv(path, tab=suffix in (".tsv", ".tab"))
        if fast is not None:
            return fast
    return _table_cells(read_table(path, sheet=sheet))


def _table_cells(table: Table) -> _Cells:
    return _Cells(table.name, table.header, table=table, sheet=table.sheet)


def _arrow_csv(path: Path, *, tab: bool) -> _Cells | None:
    """A CSV read by pyarrow; ``None`` where read_table should read it (and say what's wrong).

    The header is found as read_table finds it (title rows above it skipped); a file
    pyarrow can't split the same way — UTF-16, ragged rows, bad UTF-8, a header with a
    line break — is left to read_table, which reads it or says what is wrong.
    """
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.csv as pcsv  # noqa: PLC0415

    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04")) or not head.strip():
        return None
    bom = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    cut = head.rfind(b"\n") + 1 if len(head) == _HEAD_BYTES else len(head)
    try:
        text = head[bom:cut].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in text.replace("\r\n", ""):
        return None  # old Mac line ends: read_table's csv module reads them
    delimiter = _delimiter(text, tab=tab)
    found = _header(text, delimiter)
    if found is None:
        return None
    header, header_line = found
    # the data start after the header's line
    offset = bom
    for _ in range(header_line):
        offset = head.index(b"\n", offset) + 1 if b"\n" in head[offset:] else len(head)
    width = len(header)
    try:
        data = pa.memory_map(str(path)).read_buffer()
        names = [f"c{i}" for i in range(width)]
        table = pcsv.read_csv(
            pa.BufferReader(data.slice(offset)),
            read_options=pcsv.ReadOptions(column_names=names),
            # a line break inside a quoted cell that falls on a block's edge splits a
            # row into two of the wrong width, which pyarrow refuses: read_table reads it
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError):
        return None  # ragged or malformed: read_table says where
    columns = [table.column(i) for i in range(width)]
    columns = _drop_blank_rows(columns)
    name = path.name

    def lines() -> list[int]:
        return _line_numbers(path, offset, delimiter, header_line)

    return _Cells(name, header, arrow=columns, lines=lines)


def _header(text: str, delimiter: str) -> tuple[tuple[str, ...], int] | None:
    """The header row and the line it ends on, title rows above it skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0
    try:
        for cells in reader:
            if sum(1 for c in cells if c.strip()) >= 2:  # a title row has one
                if reader.line_num != last + 1:
                    return None  # a line break inside a heading
                return tuple(c.strip() for c in cells), reader.line_num
            last = reader.line_num
    except csv.Error:
        return None
    return None


def _drop_blank_rows(columns: list[pa.Array]) -> list[pa.Array]:
    """Leave out rows whose every cell is blank (read_table skips them)."""
    import pyarrow.compute as pc  # noqa: PLC0415

    if not columns:
        return columns
    blank = pc.match_substring_regex(columns[0], _SPACE)
    if not pc.any(blank).as_py():
        return columns
    for col in columns[1:]:
        blank = pc.and_(blank, pc.match_substring_regex(col, _SPACE))
    if not pc.any(blank).as_py():
        return columns
    keep = pc.invert(blank)
    return [pc.filter(c, keep) for c in columns]


def _line_numbers(path: Path, offset: int, delimiter: str, header_line: int) -> list[int]:
    """The line each non-blank data row starts on (for messages only)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[int] = []
    start = 1
    for cells in reader:
        if cells and any(c.strip() for c in cells):
            out.append(header_line + start)
        start = reader.line_num + 1
    return out


# -- problems -------------------------------------------------------------------------


class _Problems:
    """Every problem of a reading, in the exact reader's order and words."""

    def __init__(self, cells: _Cells, max_problems: int) -> None:
        self.cells = cells
        self.max_problems = max_problems
        self.header: list[ValidationError] = []
        self.found: list[tuple[int, int, int, Callable[[], ValidationError]]] = []

    @property
    def room(self) -> int:
        """How many problems one column reports at most (one more than the cap)."""
        return self.max_problems + 1

    def add(
        self,
        row: int,
        bound: Bound | None,
        problem: str,
        expected: str,
        value: object = None,
    ) -> None:
        """A problem of row ``row`` in ``bound``'s column (its message made when raised)."""
        cells = self.cells
        column = bound.index if bound is not None else len(cells.header)

        def make() -> ValidationError:
            where = cells.where(row)
            if bound is not None:
                where = f"{where}, column {bound.heading!r}"
            return ValidationError(field=where, value=value, expected=expected, problem=problem)

        self.found.append((row, column, len(self.found), make))

    def refused(self, row: int, bound: Bound, exc: ValidationError) -> None:
        """A cell refused by the exact cell reader."""
        self.add(row, bound, exc.problem, exc.expected, exc.value)

    def finish(self) -> None:
        """Raise every problem, header first then file order, in one RecordInvalid."""
        if not self.header and not self.found:
            return
        rows = sorted(self.found, key=lambda f: f[:3])[: self.max_problems + 1]
        problems = [*self.header, *(make() for *_, make in rows)]
        if len(problems) > self.max_problems:
            problems = problems[: self.max_problems]
            problems.append(
                ValidationError(
                    field=self.cells.at,
                    value=None,
                    expected="fix these and read the file again",
                    problem=f"stopped reading after {self.max_problems} problems",
                )
            )
        raise RecordInvalid(self.cells.name, problems)


# -- columns --------------------------------------------------------------------------


def _blanks(arr: pa.Array) -> np.ndarray:
    """Which cells are empty (``""``); whitespace-only cells go the exact way."""
    import numpy as np  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    empty: np.ndarray = np.asarray(pc.binary_length(arr).to_numpy(zero_copy_only=False)) == 0
    return empty


def _mask(arr: pa.Array, pattern: str) -> np.ndarray:
    import numpy as np  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    return np.asarray(pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False))


def _strip_marks(arr: pa.Array) -> pa.Array:
    """Remove thousands separators and yuan signs, and read brackets as a minus."""
    import pyarrow.compute as pc  # noqa: PLC0415

    for mark in (",", "¥", "￥"):
        if pc.any(pc.match_substring(arr, mark)).as_py():
            arr = pc.replace_substring(arr, mark, "")
    if pc.any(pc.starts_with(arr, "(")).as_py():
        arr = pc.replace_substring_regex(arr, r"^\((.*)\)$", r"-\1")
    return arr


def _fast_rows(arr: pa.Array) -> np.ndarray:
    """Which cells the vectorised number path reads."""
    fast = _mask(arr, _FAST_NUMBER)
    if not fast.all():
        fast |= _mask(arr, _FAST_BRACKETS)
    return fast


def _floats(
    cells: _Cells,
    bound: Bound,
    cmap: ColumnMap,
    problems: _Problems,
) -> np.ndarray:
    """A number column as float64 (NaN for blanks and refused cells)."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    unit = cmap.unit(bound.field.key)
    arr = cells.text(bound.index)
    slow: np.ndarray
    if arr is not None and unit.factor == 1:
        fast = _fast_rows(arr)
        if fast.all():
            values = pc.cast(_strip_marks(arr), pa.float64()).to_numpy(zero_copy_only=False)
            exact: np.ndarray = np.add(values, 0.0)  # -0 is 0, as the exact reader reads it
            return exact
        out = np.full(cells.n, np.nan)
        if fast.any():
            picked = pc.filter(arr, pa.array(fast))
            values = pc.cast(_strip_marks(picked), pa.float64()).to_numpy(zero_copy_only=False)
            out[fast] = values + 0.0
        slow = ~fast & ~_blanks(arr)
    elif arr is not None:
        out = np.full(cells.n, np.nan)
        slow = ~_blanks(arr)
    else:
        out = np.full(cells.n, np.nan)
        slow = np.ones(cells.n, dtype=bool)
    _slow(cells, bound, cmap, problems, rows=slow, put=lambda i, d: out.__setitem__(i, float(d)))
    return out


def _slow(
    cells: _Cells,
    bound: Bound,
    cmap: ColumnMap,
    problems: _Problems,
    *,
    rows: np.ndarray,
    put: Callable[[int, Decimal], None],
) -> None:
    """Read the cells the vectorised path can't, one by one, as the exact reader does."""
    import numpy as np  # noqa: PLC0415

    unit, suffixes = cmap.unit(bound.field.key), cmap.suffixes
    column = cells.objects(bound.index) if rows.any() else []
    errors = 0
    for i in np.flatnonzero(rows).tolist():
        try:
            value = parse_number(column[i], unit=unit, suffixes=suffixes)
        except ValidationError as exc:
            problems.refused(i, bound, exc)
            errors += 1
            if errors >= problems.room:
                return
            continue
        if value is not None:
            put(i, value)


def _cents(
    cells: _Cells,
    bound: Bound,
    cmap: ColumnMap,
    problems: _Problems,
    places: int,
) -> tuple[np.ndarray, np.ndarray]:
    """An amount column in whole cents (int64), and which cells were blank."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    unit = cmap.unit(bound.field.key)
    out = np.zeros(cells.n, dtype=np.int64)
    arr = cells.text(bound.index)
    blank = _blank_rows(cells, bound)
    slow = ~blank
    if arr is not None and unit.factor == 1:
        fraction = rf"(?:\.[0-9]{{1,{places}}})?" if places else ""
        fast = _mask(arr, rf"^-?{_YUAN}?{_INTEGER}{fraction}$")
        if not fast.all():
            fast |= _mask(arr, rf"^\({_YUAN}?{_INTEGER}{fraction}\)$")
        if fast.any():
            picked = arr if fast.all() else pc.filter(arr, pa.array(fast))
            parts = pc.extract_regex(_strip_marks(picked), r"^(?P<w>-?[0-9]+)(?:\.(?P<f>[0-9]*))?$")
            whole_part = pc.struct_field(parts, "w")
            if places:
                frac = pc.utf8_rpad(pc.struct_field(parts, "f"), width=places, padding="0")
                whole_part = pc.binary_join_element_wise(whole_part, frac, "")
            out[fast] = pc.cast(whole_part, pa.int64()).to_numpy(zero_copy_only=False)
        slow &= ~fast
    scale = Decimal(10) ** places

    def put(i: int, value: Decimal) -> None:
        cents = value * scale
        if cents != cents.to_integral_value():
            problems.add(
                i,
                bound,
                f"more than {places} decimal places (a fraction of a cent)",
                f"an amount in whole cents, at most {places} places after the point, "
                "such as 1,234.56",
                cells.objects(bound.index)[i],
            )
            return
        out[i] = int(cents)

    _slow(cells, bound, cmap, problems, rows=slow, put=put)
    return out, blank


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _texts(cells: _Cells, col: int) -> pa.Array:
    """A text column, trimmed (workbook numbers and dates as the exact reader writes them)."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    arr = cells.text(col)
    if arr is None:
        arr = pa.array([_as_text(c) for c in cells.objects(col)], type=pa.string())
    return pc.utf8_trim_whitespace(arr)


def _as_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Decimal):
        return f"{cell:f}"
    if isinstance(cell, datetime) and cell.time() == datetime.min.time():
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _days(cells: _Cells, bound: Bound, cmap: ColumnMap, problems: _Problems) -> np.ndarray:
    """A date column as days since 1970-01-01 (int64; a sentinel for blanks and bad cells)."""
    import numpy as np  # noqa: PLC0415
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    out = np.full(cells.n, _NO_DAY, dtype=np.int64)
    arr = cells.text(bound.index)
    todo = ~_blanks(arr) if arr is not None else np.ones(cells.n, dtype=bool)
    if arr is not None and not cmap.date_format:
        for form in _DATE_FORMS:
            if not todo.any():
                break
            hit = todo & _mask(arr, form)
            if not hit.any():
                continue
            parts = pc.extract_regex(pc.filter(arr, pa.array(hit)), form)
            y, m, d = (
                pc.cast(pc.struct_field(parts, k), pa.int64()).to_numpy(zero_copy_only=False)
                for k in "ymd"
            )
            days, ok = _ymd_days(y, m, d)
            rows = np.flatnonzero(hit)[ok]
            out[rows] = days[ok]
            todo[rows] = False
    objects = cells.objects(bound.index) if todo.any() else []
    errors = 0
    epoch = date(1970, 1, 1)
    fmt = cmap.date_format
    for i in np.flatnonzero(todo).tolist():
        try:
            day = parse_date(objects[i], fmt=fmt)
        except ValidationError as exc:
            problems.refused(i, bound, exc)
            errors += 1
            if errors >= problems.room:
                break
            continue
        if day is not None:
            out[i] = (day - epoch).days
    return out


_NO_DAY: Final = -(2**62)


def _ymd_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 for year, month, day; and which are real days."""
    import numpy as np  # noqa: PLC0415

    ok = (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1)
    months = np.where(ok, (y - 1970) * 12 + (m - 1), 0)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    following = (months + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    ok &= d <= following - first
    return first + d - 1, ok


# -- arguments ------------------------------------------------------------------------


def _check_reading(
    keep: object, id_column: object, sheet: object, max_problems: object, **lists: object
) -> None:
    for field, value in lists.items():
        texts(value, field)
    if keep is not None:
        texts(keep, "keep")
    for field, value in (("id_column", id_column), ("sheet", sheet)):
        if value is not None:
            checked_text(value, field)
    whole(max_problems, "max_problems", low=1)


def _expand(figures: Sequence[str]) -> set[str]:
    return {f for r in figures for f in _DERIVED.get(r, (r,))}


def _kept(
    cells: _Cells,
    cmap: ColumnMap,
    bound: dict[str, Bound],
    *,
    keep: Sequence[str] | None,
    header_problems: list[ValidationError],
    taken: set[str],
) -> list[tuple[str, int]]:
    """The pass-through columns (output name, column), found as the exact reader finds them."""
    names = cmap.keep if keep is None else keep
    folded = [fold(h) for h in cells.header]
    out: list[tuple[str, int]] = []
    for name in names:
        wanted = {fold(n) for n in (name, *cmap.headings(name))}
        hit = next((i for i, h in enumerate(folded) if h in wanted), None)
        if hit is None:
            if keep is not None:
                header_problems.append(
                    ValidationError(
                        field=f"{cells.at} header",
                        value=name,
                        expected=f"a heading of the file ({', '.join(cells.header)}) "
                        "or a field the column map names",
                        problem="no column to keep",
                    )
                )
            continue
        key = _key_of(cmap, name)
        b = bound.get(key)
        if (b is not None and b.index != hit) or key in taken:
            key = cells.header[hit]  # that field is another column: keep the heading
        if key in taken:
            continue  # already an output column
        taken.add(key)
        out.append((key, hit))
    return out


def _key_of(cmap: ColumnMap, name: str) -> str:
    for key, names in cmap.columns.items():
        if fold(name) in {fold(key), *(fold(n) for n in names)}:
            return key
    return name


def _check_ids(
    cells: _Cells,
    bound: Bound | None,
    ids: pd.Series,
    problems: _Problems,
    *,
    unique: bool,
) -> np.ndarray:
    """Refuse blank (and, when ``unique``, repeated) ids; which rows have a good id."""
    import numpy as np  # noqa: PLC0415

    if bound is None:
        return np.zeros(cells.n, dtype=bool)
    blank = (ids.str.len() == 0).to_numpy(dtype=bool)
    repeated = np.zeros(cells.n, dtype=bool)
    if unique and _has_repeats(ids, int(blank.sum())):
        repeated = ids.duplicated(keep="first").to_numpy(dtype=bool) & ~blank
    for i in np.flatnonzero(blank)[: problems.room].tolist():
        problems.add(i, bound, "blank id", "an id in every row")
    if repeated.any():
        at = np.flatnonzero(repeated)[: problems.room]
        firsts = ids[~blank].drop_duplicates(keep="first")
        first_row = dict(zip(firsts.tolist(), firsts.index.tolist(), strict=True))
        for i in at.tolist():
            value = ids.iat[i]
            line = cells.line(int(first_row[value]))
            problems.add(i, bound, f"repeats line {line}", "each id once", value)
    return ~blank & ~repeated


def _has_repeats(ids: pd.Series, blanks: int) -> bool:
    """Whether any id (other than a blank) appears twice."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    distinct = pc.count_distinct(pa.array(ids.array)).as_py()
    return bool(distinct - (1 if blanks else 0) < len(ids) - blanks)


# -- accounts -------------------------------------------------------------------------


def read_accounts_frame(
    source: Source,
    *,
    columns: Columns = None,
    require: Sequence[str] = (),
    complete: Sequence[str] = (),
    extras: Sequence[str] = (),
    keep: Sequence[str] | None = None,
    id_column: str | None = None,
    sheet: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> pd.DataFrame:
    r"""Read accounts into a DataFrame, one row per account, as :func:`read_accounts` reads.

    The same columns are looked for (the id headed ``account_id`` or ``id`` or as the
    map says; every grading figure the table has; ``extras``), the same cells are
    accepted (the map's units, ``万``/``亿`` suffixes, ``¥348,553.61``, ``(1,200)``,
    ``-¥1,234.56``), and the same problems are refused, all at once.

    Args:
        source: A file path (CSV/TSV, .xlsx, Parquet) or a :class:`~kamcore.tables.Table`.
        columns: A :class:`~kamcore.tables.ColumnMap`, a preset name or a TOML path.
        require: Figures the table must have a column for (``collection_rate`` means
            ``invoiced`` and ``collected``).
        complete: Figures no row may leave blank.
        extras: Company-defined figures to read too (each must have a column).
        keep: Fields or headings to carry along as text (default: the map's ``keep``).
        id_column: The id column's heading, overriding the map.
        sheet: A workbook's sheet.
        max_problems: Report at most this many problems.

    Returns:
        Columns ``account_id`` (text, trimmed), the kept columns (text, trimmed; a
        workbook's numbers and dates written out), then one ``float64`` column per
        figure found, in :data:`~kamcore.grading.FIGURES` order, then the extras.
        ``NaN`` is a blank (missing) figure. Each value is the float nearest the exact
        decimal :func:`read_accounts` reads. ``frame.attrs["kept"]`` maps each kept column
        to the file's own heading; ``frame.attrs["figures"]`` lists the
        figure columns.

    Raises:
        RecordInvalid: Every problem, as :func:`read_accounts` reports them: absent
            columns (with the closest heading), then in file order bad cells, blank or
            repeated ids, blanks in ``complete`` figures, negative amounts.
        ValidationError: The file can't be read at all, or pandas/pyarrow is missing.

    Examples:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
        >>> rows = '客户编号,销售收入,利润\nA1,"¥1,200.50",(300)\nA2,1.5万,\n'
        >>> _ = path.write_text(rows, "utf-8")
        >>> f = read_accounts_frame(path, columns="presets:columns_source")
        >>> f.to_dict("list")
        {'account_id': ['A1', 'A2'], 'sales_revenue': [1200.5, 15000.0], 'profit': [-300.0, nan]}
    """
    from kamcore.grading import FIGURES  # noqa: PLC0415
    from kamcore.grading._facts import _NON_NEGATIVE, to_extra_names  # noqa: PLC0415

    _libraries()
    _check_reading(
        keep, id_column, sheet, max_problems, require=require, complete=complete, extras=extras
    )
    extra_names = to_extra_names(list(extras)) if extras else ()
    cmap = load_column_map(columns)
    cells = _cells(source, sheet)
    needed = _expand(require)
    filled = [f for f in FIGURES if f in _expand(complete)]
    fields = [
        Field("account_id", FieldKind.TEXT, names=("id",), heading=id_column),
        *(Field(f, required=f in needed) for f in FIGURES),
        *(Field(e) for e in extra_names),
    ]
    problems = _Problems(cells, max_problems)
    bound, problems.header = bind(cells.header, fields, cmap, where=cells.at)
    figures = [f for f in (*FIGURES, *extra_names) if f in bound]
    kept = _kept(
        cells,
        cmap,
        bound,
        keep=keep,
        header_problems=problems.header,
        taken={"account_id", *figures},
    )
    return _accounts(
        cells,
        cmap,
        bound,
        problems,
        figures=figures,
        kept=kept,
        filled=filled,
        non_negative=_NON_NEGATIVE,
    )


def _accounts(
    cells: _Cells,
    cmap: ColumnMap,
    bound: dict[str, Bound],
    problems: _Problems,
    *,
    figures: list[str],
    kept: list[tuple[str, int]],
    filled: list[str],
    non_negative: Sequence[str],
) -> pd.DataFrame:
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    id_bound = bound.get("account_id")
    ids = (
        _texts(cells, id_bound.index).to_pandas()
        if id_bound is not None
        else pd.Series([""] * cells.n, dtype="str")
    )
    named = _check_ids(cells, id_bound, ids, problems, unique=True)
    values: dict[str, np.ndarray] = {}
    for f in figures:
        values[f] = _floats(cells, bound[f], cmap, problems)
    for f in filled:
        if f in bound:
            blank = _blank_rows(cells, bound[f])
            for i in np.flatnonzero(blank)[: problems.room].tolist():
                problems.add(
                    i, bound[f], "blank", "a figure: the scoring model refuses a missing one"
                )
    for f in non_negative:
        if f not in values:
            continue
        with np.errstate(invalid="ignore"):
            negative = (values[f] < 0) & named
        for i in np.flatnonzero(negative)[: problems.room].tolist():
            problems.add(
                i,
                bound[f],
                "negative figure",
                "zero or more",
                cells.cell(i, bound[f].index),
            )
    problems.finish()
    data: dict[str, Any] = {"account_id": ids}
    for key, col in kept:
        data[key] = _texts(cells, col).to_pandas()
    for f in figures:
        data[f] = pd.Series(values[f], dtype="float64")
    frame = pd.DataFrame(data, copy=False)
    frame.attrs["figures"] = list(figures)
    frame.attrs["kept"] = {key: cells.header[col] for key, col in kept}
    return frame


# -- order lines ----------------------------------------------------------------------


def _period(period: object) -> tuple[date, date] | None:
    expected = "(first_day, last_day): two dates, the first not after the last"
    if period is None:
        return None
    if (
        not isinstance(period, tuple | list)
        or len(period) != 2
        or not all(isinstance(d, date) and not isinstance(d, datetime) for d in period)
    ):
        raise ValidationError(
            field="period", value=period, expected=expected, problem="not two dates"
        )
    first, last = period
    if first > last:
        raise ValidationError(
            field="period",
            value=period,
            expected=expected,
            problem="the first day is after the last",
        )
    return first, last


def read_lines_frame(
    source: Source,
    *,
    columns: Columns = None,
    keep: Sequence[str] | None = None,
    sheet: str | None = None,
    period: tuple[date, date] | None = None,
    places: int = 2,
    max_problems: int = MAX_PROBLEMS,
) -> pd.DataFrame:
    r"""Read order lines (销售明细, one row per sale) into a DataFrame, amounts in whole cents.

    Fields (headings from the map; ``presets:columns_lines`` names the usual ones):
    ``account_id`` (required), ``order_id`` (optional), ``order_date`` (required, a date
    on every line), ``sales_revenue`` (required, an amount on every line), ``invoiced``,
    ``collected``, ``profit``, ``quality_losses`` (optional amounts: a blank is 0, as in
    a spreadsheet's sum), ``quantity`` (optional number). Amounts may be negative
    (returns, credit notes).

    Args:
        source: A file path (CSV/TSV, .xlsx, Parquet) or a :class:`~kamcore.tables.Table`.
        columns: A column map, a preset name (``presets:columns_lines``) or a TOML path.
        keep: Fields or headings to carry along as text (default: the map's ``keep``).
        sheet: A workbook's sheet.
        period: ``(first_day, last_day)``, inclusive: lines dated outside it are left
            out after the whole file is read and checked; how many is
            ``frame.attrs["dropped"]``.
        places: The decimal places of a whole unit: 2 reads cents (0 to 3).
        max_problems: Report at most this many problems.

    Returns:
        Columns ``account_id``, ``order_id`` (when the file has one), the kept columns
        (text), ``order_date`` (``datetime64[s]``), each amount found as ``int64`` in
        units of ``10**-places`` (``"348,553.61"`` is ``34855361``), and ``quantity``
        (``float64``, ``NaN`` when blank) when the file has one. ``frame.attrs`` holds
        ``dropped`` (lines outside ``period``), ``amounts`` (the amount columns) and
        ``places``.

    Raises:
        RecordInvalid: Every problem at once: absent columns, bad cells, blank ids,
            dates and sales, and amounts with a fraction of a cent (file, line, column).
        ValidationError: The file can't be read, a bad argument, or pandas/pyarrow missing.

    Examples:
        >>> import tempfile, pathlib
        >>> from datetime import date
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "lines.csv"
        >>> rows = '客户编号,订单日期,金额\nA1,2026/4/5,"¥1,200.50"\nA1,2026年5月1日,-3\n'
        >>> _ = path.write_text(rows, "utf-8")
        >>> f = read_lines_frame(path, columns="presets:columns_lines")
        >>> f["sales_revenue"].tolist(), f["order_date"].dt.strftime("%Y-%m-%d").tolist()
        ([120050, -300], ['2026-04-05', '2026-05-01'])
        >>> read_lines_frame(path, columns="presets:columns_lines",
        ...                  period=(date(2026, 4, 1), date(2026, 4, 30))).attrs["dropped"]
        1
    """
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    _libraries()
    _check_reading(keep, None, sheet, max_problems)
    whole(places, "places", low=0, high=3)
    days = _period(period)
    cmap = load_column_map(columns)
    cells = _cells(source, sheet)
    text, number = FieldKind.TEXT, FieldKind.NUMBER
    fields = [
        Field("account_id", text, names=("id",)),
        Field("order_id", text, required=False),
        Field("order_date", FieldKind.DATE),
        *(Field(a, number, required=a == "sales_revenue") for a in LINE_AMOUNTS),
        Field("quantity", number, required=False),
    ]
    problems = _Problems(cells, max_problems)
    bound, problems.header = bind(cells.header, fields, cmap, where=cells.at)
    amounts = [a for a in LINE_AMOUNTS if a in bound]
    outputs = {"account_id", "order_id", "order_date", *amounts, "quantity"}
    kept = _kept(cells, cmap, bound, keep=keep, header_problems=problems.header, taken=outputs)
    id_bound = bound.get("account_id")
    ids = (
        _texts(cells, id_bound.index).to_pandas()
        if id_bound is not None
        else pd.Series([""] * cells.n, dtype="str")
    )
    _check_ids(cells, id_bound, ids, problems, unique=False)
    day_bound = bound.get("order_date")
    day_numbers = np.full(cells.n, _NO_DAY, dtype=np.int64)
    if day_bound is not None:
        day_numbers = _days(cells, day_bound, cmap, problems)
        blank_days = _blank_rows(cells, day_bound)
        for i in np.flatnonzero(blank_days)[: problems.room].tolist():
            problems.add(i, day_bound, "blank", "the order's date, on every line")
    cents: dict[str, np.ndarray] = {}
    for a in amounts:
        cents[a], blank = _cents(cells, bound[a], cmap, problems, places)
        if a == "sales_revenue":
            for i in np.flatnonzero(blank)[: problems.room].tolist():
                problems.add(i, bound[a], "blank", "an amount on every line (0 for none)")
    quantity = _floats(cells, bound["quantity"], cmap, problems) if "quantity" in bound else None
    problems.finish()
    data: dict[str, Any] = {"account_id": ids}
    if "order_id" in bound:
        data["order_id"] = _texts(cells, bound["order_id"].index).to_pandas()
    for key, col in kept:
        data[key] = _texts(cells, col).to_pandas()
    data["order_date"] = pd.Series((day_numbers * 86400).astype("datetime64[s]"))
    for a in amounts:
        data[a] = pd.Series(cents[a], dtype="int64")
    if quantity is not None:
        data["quantity"] = pd.Series(quantity, dtype="float64")
    frame = pd.DataFrame(data, copy=False)
    dropped = 0
    if days is not None:
        epoch = date(1970, 1, 1)
        low, high = ((d - epoch).days for d in days)
        inside = (day_numbers >= low) & (day_numbers <= high)
        dropped = int(cells.n - inside.sum())
        if dropped:
            frame = frame.loc[inside].reset_index(drop=True)
    frame.attrs.update(dropped=dropped, amounts=list(amounts), places=places)
    return frame


def _blank_rows(cells: _Cells, bound: Bound) -> np.ndarray:
    """Which cells of ``bound``'s column are blank (empty or white space)."""
    import numpy as np  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    arr = cells.text(bound.index)
    if arr is None:
        return np.array([_is_blank(c) for c in cells.objects(bound.index)], dtype=bool)
    return np.asarray(
        pc.match_substring_regex(arr, _SPACE).to_numpy(zero_copy_only=False), dtype=bool
    )
