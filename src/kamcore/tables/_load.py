"""From a table to kamcore's facts: accounts, measures, opportunities and rebate rows.

Each reader binds the fields it needs (a column map names a company's headings), reads
every cell, checks every row — its id, its blanks, what the domain object refuses —
and collects every problem: absent columns first, then the rest in file order, line by
line and left to right, into one :class:`~kamcore.errors.RecordInvalid`. Nothing is
returned unless the whole table is good.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from kamcore._validate import instance_of, texts, whole
from kamcore._validate import text as checked_text
from kamcore.errors import KamError, RecordInvalid, ValidationError
from kamcore.tables._cells import _parse_column, fold, parse_numbers
from kamcore.tables._columns import Bound, ColumnMap, Field, FieldKind, bind, load_column_map
from kamcore.tables._read import Table, _csv_chunks, _NotLean, read_table

if TYPE_CHECKING:
    from kamcore.grading import AccountFacts
    from kamcore.pipeline import Opportunity, Playbook

__all__ = [
    "MAX_PROBLEMS",
    "AccountRows",
    "AmountRows",
    "OpportunityRows",
    "read_accounts",
    "read_amounts",
    "read_opportunities",
    "stage_key",
]

#: How many problems a reader reports at most (a last line says when there were more).
MAX_PROBLEMS: Final = 100

Source = str | Path | Table
Columns = str | Path | ColumnMap | None
Kept = Mapping[str, object]


def _table(source: Source, sheet: str | None) -> Table:
    return source if isinstance(source, Table) else read_table(source, sheet=sheet)


def _optional_text(value: object, field: str) -> None:
    if value is not None:
        checked_text(value, field)


def _check_reading(
    keep: object, id_column: object, sheet: object, max_problems: object, **figures: object
) -> None:
    """Check the arguments every reader takes, before anything is read."""
    for field, value in figures.items():
        texts(value, field)
    if keep is not None:
        texts(keep, "keep")
    _optional_text(id_column, "id_column")
    _optional_text(sheet, "sheet")
    whole(max_problems, "max_problems", low=1)


def _kept_cell(cell: object) -> object:
    """A kept cell as the file holds it: text trimmed, numbers and days as they are."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, datetime) and cell.time() == datetime.min.time():
        return cell.date()  # a workbook's date cell: 2026-03-31, not 00:00:00
    return "" if cell is None else cell


@attrs.frozen
class _Kept:
    """The pass-through columns: output keys, their headings, and their cells."""

    keys: tuple[str, ...]
    headings: tuple[str, ...]
    indexes: tuple[int, ...]

    def values(self, row: Sequence[object]) -> dict[str, object]:
        return {k: _kept_cell(row[i]) for k, i in zip(self.keys, self.indexes, strict=True)}


class _Reading:
    """One pass over a table: bound fields, parsed columns, and every problem found."""

    def __init__(
        self,
        table: Table,
        fields: Sequence[Field],
        cmap: ColumnMap,
        keep: Sequence[str] | None,
        max_problems: int,
    ) -> None:
        self.table = table
        self.cmap = cmap
        self.max_problems = max_problems
        # a workbook's header problems name the sheet too, as its cell problems do
        self.at = f"{table.name} (sheet {table.sheet})" if table.sheet else table.name
        self.bound, self.header = bind(table.header, fields, cmap, where=self.at)
        # the map's own keep list keeps what the file has; --keep names must all be there
        self.kept = self._keep(cmap.keep if keep is None else keep, strict=keep is not None)
        self.found: list[tuple[int, int, int, ValidationError]] = []
        self.column_of = {h: i for i, h in reversed(list(enumerate(table.header)))}

    @property
    def header_ok(self) -> bool:
        """Whether every required column was found (and nothing else is wrong with them)."""
        return not self.header

    def _keep(self, names: Sequence[str], *, strict: bool) -> _Kept:
        keys: list[str] = []
        headings: list[str] = []
        indexes: list[int] = []
        folded = [fold(h) for h in self.table.header]
        for name in names:
            wanted = {fold(n) for n in (name, *self.cmap.headings(name))}
            hit = next((i for i, h in enumerate(folded) if h in wanted), None)
            if hit is None:
                if strict:
                    self.header.append(
                        ValidationError(
                            field=f"{self.at} header",
                            value=name,
                            expected=f"a heading of the file ({', '.join(self.table.header)}) "
                            "or a field the column map names",
                            problem="no column to keep",
                        )
                    )
                continue
            key = self._key_of(name)
            bound = self.bound.get(key)
            if bound is not None and bound.index != hit:
                key = self.table.header[hit]  # that field is another column: keep the heading
            keys.append(key)
            headings.append(self.table.header[hit])
            indexes.append(hit)
        return _Kept(tuple(keys), tuple(headings), tuple(indexes))

    def _key_of(self, name: str) -> str:
        """The output key of a kept column: its field name when the map knows it."""
        for key, names in self.cmap.columns.items():
            if fold(name) in {fold(key), *(fold(n) for n in names)}:
                return key
        return name

    def add(self, i: int, key: str | None, exc: ValidationError, cell: object = None) -> None:
        """Record a problem of row ``i`` (in field ``key``'s column, showing ``cell``)."""
        bound = self.bound.get(key) if key is not None else None
        where = self.table.where(self.table.lines[i])
        if bound is not None:
            where = f"{where}, column {bound.heading!r}"
            value = exc.value if cell is None else cell
        else:
            where = f"{where}, {exc.field}" if exc.field else where
            value = exc.value
        column = bound.index if bound is not None else len(self.table.header)
        problem = ValidationError(
            field=where, value=value, expected=exc.expected, problem=exc.problem
        )
        self.found.append((i, column, len(self.found), problem))

    def cell(self, i: int, key: str) -> object:
        """The cell of row ``i`` that field ``key`` was read from, as written."""
        return self.table.rows[i][self.bound[key].index]

    def is_blank(self, i: int, key: str) -> bool:
        """Whether row ``i`` leaves field ``key``'s cell blank (not merely bad)."""
        cell = self.cell(i, key)
        return cell is None or (isinstance(cell, str) and not cell.strip())

    def parse(self) -> tuple[list[bool], dict[str, list[Any]]]:
        """Read every bound column; which rows are free of bad cells, and the columns.

        Columns are read one at a time (plain numbers take a fast path); a bad cell is
        ``None`` in its column and reported.
        """
        rows = self.table.rows
        clean = [True] * len(rows)
        columns: dict[str, list[Any]] = {}
        room = self.max_problems + 1
        for b in self.bound.values():
            cells = [row[b.index] for row in rows]
            if b.field.kind == FieldKind.NUMBER:
                values, errors = parse_numbers(
                    cells,
                    unit=self.cmap.unit(b.field.key),
                    suffixes=self.cmap.suffixes,
                    limit=room,
                )
            else:
                values, errors = _read_column(b, cells, room)
            columns[b.field.key] = values
            for i, exc in errors:
                clean[i] = False
                self.add(i, b.field.key, exc)
        return clean, columns

    def check_ids(self, key: str, ids: Sequence[Any]) -> list[bool]:
        """Refuse blank and repeated ids, naming both lines; which rows have a good id."""
        seen: dict[str, int] = {}
        good = [False] * len(ids)
        lines = self.table.lines
        if key not in self.bound:
            return good
        for i, value in enumerate(ids):
            if not value:
                self.add(
                    i,
                    key,
                    ValidationError(
                        field="", value=None, expected="an id in every row", problem="blank id"
                    ),
                )
            elif value in seen:
                self.add(
                    i,
                    key,
                    ValidationError(
                        field="",
                        value=value,
                        expected="each id once",
                        problem=f"repeats line {seen[value]}",
                    ),
                )
            else:
                seen[value] = lines[i]
                good[i] = True
        return good

    def refused(self, i: int, key: str, exc: ValidationError) -> None:
        """Record a domain object's refusal of field ``key``, showing the cell as written."""
        if key in self.bound:
            self.add(i, key, exc, cell=self.cell(i, key))
        else:
            self.add(i, None, exc)

    def finish(self) -> None:
        """Raise every problem found, in one :class:`RecordInvalid`, in file order."""
        rows = [p for *_, p in sorted(self.found, key=lambda f: f[:3])]
        problems = [*self.header, *rows]
        if len(problems) > self.max_problems:
            problems = problems[: self.max_problems]
            problems.append(
                ValidationError(
                    field=self.at,
                    value=None,
                    expected="fix these and read the file again",
                    problem=f"stopped reading after {self.max_problems} problems",
                )
            )
        if problems:
            raise RecordInvalid(self.table.name, problems)


def _read_column(
    b: Bound, cells: Sequence[object], limit: int
) -> tuple[list[Any], list[tuple[int, ValidationError]]]:
    """A text or date column, read with its field's reader; refusals collected."""
    read = b.read
    out: list[Any] = [None] * len(cells)
    errors: list[tuple[int, ValidationError]] = []
    for i, cell in enumerate(cells):
        try:
            out[i] = read(cell)
        except ValidationError as exc:
            errors.append((i, exc))
            if len(errors) >= limit:
                break
    return out, errors


def _blank(expected: str) -> ValidationError:
    return ValidationError(field="", value=None, expected=expected, problem="blank")


# -- accounts -------------------------------------------------------------------------


@attrs.frozen
class AccountRows:
    """Accounts read from a table: their facts and the columns kept alongside.

    Attributes:
        facts: One :class:`~kamcore.grading.AccountFacts` per row, in file order.
        kept: For each account, the pass-through columns (key → the cell as the file
            holds it: text, or a workbook's number or date).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
        figures: The figures the table had columns for.
    """

    facts: tuple[AccountFacts, ...]
    kept: tuple[Kept, ...]
    keep: tuple[str, ...]
    headings: tuple[str, ...]
    figures: tuple[str, ...]


_DERIVED: Final = {"collection_rate": ("invoiced", "collected")}


def _expand(figures: Iterable[str]) -> set[str]:
    return {f for r in figures for f in _DERIVED.get(r, (r,))}


def read_accounts(
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
) -> AccountRows:
    """Read account facts (大客户评价数据) from a table, one account per row.

    The id is the ``account_id`` field (headed ``account_id`` or ``id``, or as the map
    says). Every grading figure the table has a column for is read; a blank cell is a
    missing figure (never zero).

    Args:
        source: A file path (CSV/TSV, .xlsx, Parquet) or a :class:`Table`.
        columns: A :class:`ColumnMap`, a preset name or a TOML path.
        require: Figures the table must have a column for (what the model reads).
        complete: Figures no row may leave blank (those of a model that refuses a
            missing figure): each blank is a problem, named with its line and column.
        extras: Company-defined figures to read as extras (each must have a column).
        keep: Fields or headings to carry along (default: the map's ``keep``).
        id_column: The id column's heading, overriding the map.
        sheet: A workbook's sheet.
        max_problems: Report at most this many problems.

    Returns:
        The facts and the kept columns.

    Raises:
        RecordInvalid: Every problem found: absent columns (with the closest heading),
            then, in file order, bad cells (file, line, column, the cell and an
            example), blank or repeated ids, blanks in ``complete`` figures, negative
            amounts. ``.problems`` lists them.
        ValidationError: The file can't be read at all.
    """
    from kamcore.grading import FIGURES, AccountFacts  # noqa: PLC0415
    from kamcore.grading._facts import facts_from_parsed  # noqa: PLC0415 - the fast path

    _check_reading(
        keep, id_column, sheet, max_problems, require=require, complete=complete, extras=extras
    )
    cmap = load_column_map(columns)
    table = _table(source, sheet)
    needed = _expand(require)
    filled = [f for f in FIGURES if f in _expand(complete)]
    fields = [
        Field("account_id", FieldKind.TEXT, names=("id",), heading=id_column),
        *(Field(f, required=f in needed) for f in FIGURES),
        *(Field(e) for e in extras),
    ]
    reading = _Reading(table, fields, cmap, keep, max_problems)
    clean, cols = reading.parse()
    n = len(table.rows)
    blank: list[Any] = [None] * n
    ids = cols.get("account_id", blank)
    named = reading.check_ids("account_id", ids)
    for f in filled:
        for i, value in enumerate(cols.get(f, ())):
            if value is None and reading.is_blank(i, f):
                clean[i] = False
                reading.add(i, f, _blank("a figure: the scoring model refuses a missing one"))
    by_row = list(zip(*(cols.get(f, blank) for f in FIGURES), strict=True))
    present = tuple(f for f in FIGURES if f in reading.bound)
    facts: list[AccountFacts] = []
    kept: list[Kept] = []
    keep_values = reading.kept.values
    for i in range(n):
        if not named[i]:
            continue
        # every named row is built, so that what the facts refuse (a negative amount) is
        # reported even where another cell of the row was bad; a bad cell is None here
        made = None if extras else facts_from_parsed(ids[i], by_row[i])
        if made is None:
            try:
                made = AccountFacts(
                    ids[i],
                    **dict(zip(FIGURES, by_row[i], strict=True)),
                    extras={e: cols[e][i] for e in extras if e in cols},
                )
            except KamError as exc:
                for err in exc.errors if isinstance(exc, RecordInvalid) else (exc,):
                    if isinstance(err, ValidationError):
                        reading.refused(i, err.field, err)
                continue
        if clean[i]:
            facts.append(made)
            kept.append(keep_values(table.rows[i]))
    reading.finish()
    return AccountRows(tuple(facts), tuple(kept), reading.kept.keys, reading.kept.headings, present)


@attrs.frozen
class _AccountColumns:
    """Accounts read from a CSV file column by column, for the bulk grading path.

    What :func:`read_accounts` returns for a good file, held as columns (one list per
    field, in file order) instead of one object per account.

    Attributes:
        ids: The account ids (trimmed).
        figures: Per figure the table has a column for, one ``Decimal`` (or ``None``
            for a blank) per account.
        kept: Per kept key, one cell per account (text, trimmed).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
    """

    ids: list[str]
    figures: dict[str, list[Decimal | None]]
    kept: dict[str, list[str]]
    keep: tuple[str, ...]
    headings: tuple[str, ...]


def _account_columns(
    source: Source,
    *,
    columns: Columns = None,
    require: Sequence[str] = (),
    complete: Sequence[str] = (),
    extras: Sequence[str] = (),
    keep: Sequence[str] | None = None,
    id_column: str | None = None,
    sheet: str | None = None,
) -> _AccountColumns | None:
    """What :func:`read_accounts` reads from a good CSV file, as columns; else ``None``.

    The lean reader of ``kamcore grade --engine exact``: one streaming pass that keeps
    only the bound and kept columns, reads each figure column at once and frees its
    text as it goes. The arguments are those of :func:`read_accounts` (checked alike).
    It returns ``None`` — and the caller reads the file with :func:`read_accounts`,
    which reports every problem — on anything but a CSV/TSV file whose every cell
    is good: an absent column, a bad or blank cell where a figure is needed, a blank
    or repeated id, a negative amount; or when extras or a sheet are asked for.
    """
    from kamcore.grading import FIGURES  # noqa: PLC0415

    _check_reading(
        keep, id_column, sheet, MAX_PROBLEMS, require=require, complete=complete, extras=extras
    )
    if extras or sheet is not None:
        return None
    cmap = load_column_map(columns)
    needed = _expand(require)
    filled = {f for f in FIGURES if f in _expand(complete)}
    fields = [
        Field("account_id", FieldKind.TEXT, names=("id",), heading=id_column),
        *(Field(f, required=f in needed) for f in FIGURES),
    ]
    bound: list[_Reading] = []

    def pick(name: str, header: tuple[str, ...]) -> list[int] | None:
        reading = _Reading(Table(name, header, (), ()), fields, cmap, keep, MAX_PROBLEMS)
        if reading.header or len(set(reading.kept.keys)) != len(reading.kept.keys):
            return None
        bound.append(reading)
        wanted = {b.index for b in reading.bound.values()} | set(reading.kept.indexes)
        return sorted(wanted)

    ids: list[str] = []
    kept: dict[str, list[str]] = {}
    figures: dict[str, list[Decimal | None]] = {}
    chunks = _csv_chunks(source, pick)  # a generator: closed below
    try:
        for chunk in chunks:
            reading = bound[0]
            ids += map(str.strip, chunk[reading.bound["account_id"].index])
            for k, i in zip(reading.kept.keys, reading.kept.indexes, strict=True):
                texts = list(map(str.strip, chunk[i]))
                if len(set(texts)) * 4 <= len(texts):  # a region, an owner: equal texts
                    shared = {t: t for t in texts}  # share one string (memory)
                    texts = list(map(shared.__getitem__, texts))
                kept.setdefault(k, []).extend(texts)
            for key, b in reading.bound.items():
                if b.field.kind == FieldKind.NUMBER:
                    unit = cmap.unit(key)
                    values = _parse_column(chunk[b.index], unit=unit, suffixes=cmap.suffixes)
                    if values is None:
                        return None  # a refused cell
                    figures.setdefault(key, []).extend(values)
    except _NotLean:
        return None
    finally:
        chunks.close()  # the file, closed now also when a cell was refused
    if not bound or not all(ids) or len(set(ids)) != len(ids):
        return None  # a blank or repeated id
    if not all(_figures_good(k, v, filled=k in filled) for k, v in figures.items()):
        return None
    reading = bound[0]
    return _AccountColumns(ids, figures, kept, reading.kept.keys, reading.kept.headings)


def _figures_good(key: str, values: list[Decimal | None], *, filled: bool) -> bool:
    """Whether a figure column has no blank where it must be filled, nor a negative amount."""
    from kamcore.grading._facts import _NON_NEGATIVE  # noqa: PLC0415

    blanks = type(None) in map(type, values)  # (comparing a Decimal to None is slow)
    if blanks and filled:
        return False  # a blank where the model needs a figure
    if key in _NON_NEGATIVE:
        present = [v for v in values if v is not None] if blanks else values
        return not present or min(cast("list[Decimal]", present)) >= 0
    return True


# -- amounts (pareto, rebate) ---------------------------------------------------------


@attrs.frozen
class AmountRows:
    """Ids with amounts read from a table (a measure to classify, sales to quote).

    Attributes:
        ids: One id per row, in file order.
        amounts: Field name → one amount per row (``None`` where the cell was blank).
        kept: For each row, the pass-through columns (key → the cell).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
    """

    ids: tuple[str, ...]
    amounts: Mapping[str, tuple[Decimal | None, ...]]
    kept: tuple[Kept, ...]
    keep: tuple[str, ...]
    headings: tuple[str, ...]


_BLANKS: Final = ("missing", "zero", "refuse")


def read_amounts(
    source: Source,
    fields: Sequence[str],
    *,
    columns: Columns = None,
    optional: Sequence[str] = (),
    blank: str = "missing",
    keep: Sequence[str] | None = None,
    id_column: str | None = None,
    id_field: str = "account_id",
    headings: Mapping[str, str] | None = None,
    sheet: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> AmountRows:
    """Read ids and one or more amount columns (``pareto --by``, ``rebate --sales``).

    Amounts are zero or more.

    Args:
        source: A file path or a :class:`Table`.
        fields: The amount fields every row needs a column for.
        columns: A column map (or preset name / path).
        optional: Amount fields read when the table has them.
        blank: What a blank amount cell is: ``"missing"`` (kept as ``None``),
            ``"zero"``, or ``"refuse"`` (a problem).
        keep: Fields or headings to carry along (default: the map's ``keep``).
        id_column: The id column's heading, overriding the map.
        id_field: The id's field name (``account_id``; ``id`` always matches too).
        headings: Field → heading given explicitly (``--by 销售额``).
        sheet: A workbook's sheet.
        max_problems: Report at most this many problems.

    Raises:
        RecordInvalid: Every problem found, as :func:`read_accounts`.
    """
    _check_reading(keep, id_column, sheet, max_problems, fields=fields, optional=optional)
    if blank not in _BLANKS:
        raise ValidationError(
            field="blank", value=blank, expected=" or ".join(map(repr, _BLANKS)), problem="unknown"
        )
    checked_text(id_field, "id_field")
    if headings is not None:
        if not isinstance(headings, Mapping):
            raise ValidationError(
                field="headings",
                value=headings,
                expected="a mapping of field to heading",
                problem="not a mapping",
            )
        for f, heading in headings.items():
            checked_text(f, "headings key")
            checked_text(heading, f"headings.{f}")
    cmap = load_column_map(columns)
    table = _table(source, sheet)
    given = headings or {}
    specs = [
        Field(id_field, FieldKind.TEXT, names=("id",), heading=id_column),
        *(Field(f, heading=given.get(f)) for f in fields),
        *(Field(f, required=False, heading=given.get(f)) for f in optional),
    ]
    reading = _Reading(table, specs, cmap, keep, max_problems)
    clean, cols = reading.parse()
    named = reading.check_ids(id_field, cols.get(id_field, [None] * len(table.rows)))
    names = [f for f in (*fields, *optional) if f in reading.bound]
    zero = Decimal(0)
    for f in names:
        col = cols[f]
        for i, value in enumerate(col):
            if value is None:
                if not reading.is_blank(i, f):
                    continue  # a bad cell, reported already
                if blank == "zero":
                    col[i] = zero
                elif blank == "refuse":
                    clean[i] = False
                    reading.add(i, f, _blank("an amount"))
            elif value < 0:
                clean[i] = False
                reading.add(
                    i,
                    f,
                    ValidationError(
                        field="", value=None, expected="zero or more", problem="negative amount"
                    ),
                    cell=reading.cell(i, f),
                )
    keep_rows = [i for i in range(len(table.rows)) if clean[i] and named[i]]
    reading.finish()
    return AmountRows(
        tuple(cols[id_field][i] for i in keep_rows),
        {f: tuple(cols[f][i] for i in keep_rows) for f in names},
        tuple(reading.kept.values(table.rows[i]) for i in keep_rows),
        reading.kept.keys,
        reading.kept.headings,
    )


# -- opportunities --------------------------------------------------------------------


@attrs.frozen
class OpportunityRows:
    """Opportunities read from a table, open and closed.

    Attributes:
        opportunities: One :class:`~kamcore.pipeline.Opportunity` per row, in file order;
            rows whose stage is an outcome (won, lost, no-bid …) are closed ones.
        kept: For each opportunity, the pass-through columns (key → the cell).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
    """

    opportunities: tuple[Opportunity, ...]
    kept: tuple[Kept, ...]
    keep: tuple[str, ...]
    headings: tuple[str, ...]


def _playbook_class() -> type[Playbook]:
    from kamcore.pipeline import Playbook  # noqa: PLC0415 - pipeline imports tables

    return Playbook


def stage_key(playbook: Playbook, text: str) -> str | None:
    """The stage or outcome key that ``text`` names, or ``None`` when it names none.

    A stage or outcome is named by its key or its Chinese or English label, in any case
    and width.

    Examples:
        >>> from kamcore.presets import load_preset
        >>> pb = load_preset("pipeline_project_sales")
        >>> stage_key(pb, "工程实施"), stage_key(pb, "Implementation"), stage_key(pb, "WON")
        ('implementation', 'implementation', 'won')
    """
    instance_of(playbook, _playbook_class(), "playbook")
    wanted = fold(checked_text(text, "text", required=False))
    named: list[tuple[str, str, str]] = [(s.key, s.zh, s.en) for s in playbook.stages]
    named += [(o.key, o.zh, o.en) for o in playbook.outcomes]
    for key, zh, en in named:
        if wanted in (fold(key), fold(zh), fold(en)):
            return key
    return None


_OPP_FIELDS: Final = {
    "on": "opened",
    "stage_entered_on": "stage_entered",
    "closed_on": "closed",
    "id": "opportunity_id",
    "account": "account_id",
}


def read_opportunities(
    source: Source,
    playbook: Playbook,
    *,
    columns: Columns = None,
    keep: Sequence[str] | None = None,
    id_column: str | None = None,
    sheet: str | None = None,
    max_problems: int = MAX_PROBLEMS,
) -> OpportunityRows:
    """Read opportunities, open and closed, into ``playbook``.

    Columns: ``opportunity_id`` (or ``id``), ``account_id`` (or ``account``), ``owner``,
    ``amount``, ``stage``, ``opened``; optional ``stage_entered``, ``expected_close``,
    ``closed``.

    A stage is named by its key or either label, in any case (``工程实施``,
    ``Implementation``). A row whose stage is an outcome (``won``, ``丢标结项`` …) is a
    closed opportunity, imported with a history that says so. It closed on its
    ``closed`` day: when the file has a ``closed`` column, a closed row must fill it
    (and an open row must leave it blank); without one, a closed row counts as closed
    on the day it entered its stage (``stage_entered``, or else ``opened``) — never on
    an expected day.

    Raises:
        RecordInvalid: Every problem found, as :func:`read_accounts`, and unknown stages
            (listing the playbook's stages and outcomes).
    """
    from kamcore.money import Money  # noqa: PLC0415
    from kamcore.pipeline import import_opportunity  # noqa: PLC0415

    instance_of(playbook, _playbook_class(), "playbook")
    _check_reading(keep, id_column, sheet, max_problems)
    cmap = load_column_map(columns)
    table = _table(source, sheet)
    text, day, number = FieldKind.TEXT, FieldKind.DATE, FieldKind.NUMBER
    fields = [
        Field("opportunity_id", text, names=("id",), heading=id_column),
        Field("account_id", text, names=("account",)),
        Field("owner", text),
        Field("amount", number),
        Field("stage", text),
        Field("opened", day),
        Field("stage_entered", day, required=False),
        Field("expected_close", day, required=False),
        Field("closed", day, required=False),
    ]
    reading = _Reading(table, fields, cmap, keep, max_problems)
    clean, cols = reading.parse()
    n = len(table.rows)
    named = reading.check_ids("opportunity_id", cols.get("opportunity_id", [None] * n))
    known = ", ".join(
        [*(s.key for s in playbook.ordered_stages()), *(o.key for o in playbook.outcomes)]
    )
    has_closed = "closed" in reading.bound
    keys: list[str | None] = [None] * n
    for i in range(n):
        if "stage" in cols:
            keys[i] = stage_key(playbook, cols["stage"][i])
            if keys[i] is None:
                clean[i] = False
                reading.add(
                    i,
                    "stage",
                    ValidationError(
                        field="",
                        value=cols["stage"][i],
                        expected=f"a stage or outcome of {playbook.name} (key or label): {known}",
                        problem="no such stage",
                    ),
                )
        if "amount" in cols and cols["amount"][i] is None and reading.is_blank(i, "amount"):
            clean[i] = False
            reading.add(i, "amount", _blank("an amount"))
        key = keys[i]
        if (
            has_closed
            and key is not None
            and playbook.is_outcome(key)
            and reading.is_blank(i, "closed")
        ):
            clean[i] = False
            reading.add(i, "closed", _blank(f"the day a {key!r} opportunity closed"))
    opps: list[Opportunity] = []
    kept: list[Kept] = []
    for i in range(n):
        key = keys[i]
        if not (clean[i] and named[i] and reading.header_ok and key is not None):
            continue
        v = {k: c[i] for k, c in cols.items()}
        closed = v.get("closed")
        if not has_closed and playbook.is_outcome(key):
            closed = v.get("stage_entered") or v["opened"]
        try:
            opps.append(
                import_opportunity(
                    playbook,
                    id=v["opportunity_id"],
                    account=v["account_id"],
                    owner=v["owner"],
                    amount=Money(v["amount"]),
                    stage=key,
                    on=v["opened"],
                    stage_entered_on=v.get("stage_entered"),
                    expected_close=v.get("expected_close"),
                    closed_on=closed,
                )
            )
        except ValidationError as exc:
            errs = exc.errors if isinstance(exc, RecordInvalid) else (exc,)
            for err in errs:
                reading.refused(i, _OPP_FIELDS.get(err.field, err.field), err)
            continue
        kept.append(reading.kept.values(table.rows[i]))
    reading.finish()
    return OpportunityRows(tuple(opps), tuple(kept), reading.kept.keys, reading.kept.headings)
