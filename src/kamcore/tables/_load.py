"""From a table to kamcore's facts: accounts, measures, opportunities and rebate rows.

Each reader binds the fields it needs (a column map names a company's headings), reads
every cell, and collects every problem — absent columns first, then bad cells row by
row — into one :class:`~kamcore.errors.RecordInvalid`. Nothing is returned unless the
whole table is good.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from kamcore.errors import KamError, RecordInvalid, ValidationError
from kamcore.tables._cells import fold, parse_numbers
from kamcore.tables._columns import Bound, ColumnMap, Field, FieldKind, bind, load_column_map
from kamcore.tables._read import Table, read_table

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

#: How many problems a reader collects before it stops reading (the last one says so).
MAX_PROBLEMS: Final = 100

Source = str | Path | Table
Columns = str | Path | ColumnMap | None
Row = tuple[int, dict[str, Any], Sequence[object]]  # line, parsed fields, cells


def _table(source: Source, sheet: str | None) -> Table:
    return source if isinstance(source, Table) else read_table(source, sheet=sheet)


@attrs.frozen
class _Kept:
    """The pass-through columns: output keys, their headings, and their cells."""

    keys: tuple[str, ...]
    headings: tuple[str, ...]
    indexes: tuple[int, ...]

    def values(self, row: Sequence[object]) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, i in zip(self.keys, self.indexes, strict=True):
            cell = row[i]
            if isinstance(cell, datetime) and cell.time() == datetime.min.time():
                cell = cell.date()  # a workbook's date cell: 2026-03-31, not 00:00:00
            out[key] = "" if cell is None else str(cell).strip()
        return out


class _Reading:
    """One pass over a table: bound fields, parsed rows, and every problem found."""

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
        self.bound, self.problems = bind(table.header, fields, cmap, where=self.at)
        # the map's own keep list keeps what the file has; --keep names must all be there
        self.kept = self._keep(cmap.keep if keep is None else keep, strict=keep is not None)
        self.stopped = False

    def _keep(self, names: Sequence[str], *, strict: bool) -> _Kept:
        keys: list[str] = []
        headings: list[str] = []
        indexes: list[int] = []
        folded = [fold(h) for h in self.table.header]
        for name in names:
            wanted = {fold(n) for n in (name, *self.cmap.headings(name))}
            hit = next((i for i, h in enumerate(folded) if h in wanted), None)
            if hit is None:
                if not strict:
                    continue
                self.problems.append(
                    ValidationError(
                        field=f"{self.at} header",
                        value=name,
                        expected=f"a heading of the file ({', '.join(self.table.header)}) "
                        "or a field the column map names",
                        problem="no column to keep",
                    )
                )
                continue
            keys.append(self._key_of(name))
            headings.append(self.table.header[hit])
            indexes.append(hit)
        return _Kept(tuple(keys), tuple(headings), tuple(indexes))

    def _key_of(self, name: str) -> str:
        """The output key of a kept column: its field name when the map knows it."""
        for key, names in self.cmap.columns.items():
            if fold(name) in {fold(key), *(fold(n) for n in names)}:
                return key
        return name

    def add(self, line: int, heading: str | None, exc: ValidationError) -> None:
        """Record a problem at ``line`` (and ``heading``, for a cell)."""
        if len(self.problems) >= self.max_problems:
            self.stopped = True
            return
        where = self.table.where(line)
        if heading is not None:
            where = f"{where}, column {heading!r}"
        elif exc.field:
            where = f"{where}, {exc.field}"
        self.problems.append(
            ValidationError(
                field=where, value=exc.value, expected=exc.expected, problem=exc.problem
            )
        )

    def refused(self, line: int, row: Sequence[object], key: str, exc: ValidationError) -> None:
        """Record a domain object's refusal of field ``key``, showing the cell as written."""
        b = self.bound.get(key)
        if b is None:
            self.add(line, None, exc)
            return
        shown = ValidationError(
            field="", value=row[b.index], expected=exc.expected, problem=exc.problem
        )
        self.add(line, b.heading, shown)

    def parse(self) -> tuple[list[int], dict[str, list[Any]]]:
        """Read every bound column; the rows without a bad cell, and the columns.

        Columns are read one at a time (plain numbers take a fast path); the bad cells
        are then reported row by row, left to right, as the file shows them.

        Returns:
            The indexes of the rows whose cells were all good, and each field's
            parsed column (``None`` where a cell was blank or bad).
        """
        rows = self.table.rows
        bad = bytearray(len(rows))
        found: list[tuple[int, int, str, ValidationError]] = []
        columns: dict[str, list[Any]] = {}
        room = max(self.max_problems - len(self.problems), 0) + 1
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
                bad[i] = 1
                found.append((i, b.index, b.heading, exc))
        found.sort(key=lambda f: (f[0], f[1]))
        for i, _, heading, exc in found:
            self.add(self.table.lines[i], heading, exc)
        return [i for i, flag in enumerate(bad) if not flag], columns

    def check_ids(self, key: str, good: Sequence[int], ids: Sequence[Any]) -> list[int]:
        """Refuse blank and repeated ids, naming both lines; the rows whose id is good.

        A row refused here is not built too, so its id is reported once.
        """
        seen: dict[str, int] = {}
        heading = self.bound[key].heading
        lines = self.table.lines
        out: list[int] = []
        for i in good:
            value, line = ids[i], lines[i]
            if not value:
                self.add(
                    line,
                    heading,
                    ValidationError(
                        field="", value=None, expected="an id in every row", problem="blank id"
                    ),
                )
            elif value in seen:
                self.add(
                    line,
                    heading,
                    ValidationError(
                        field="",
                        value=value,
                        expected="each id once",
                        problem=f"repeats line {seen[value]}",
                    ),
                )
            else:
                seen[value] = line
                out.append(i)
        return out

    def finish(self) -> None:
        """Raise every problem found, in one :class:`RecordInvalid`."""
        if self.stopped:
            self.problems.append(
                ValidationError(
                    field=self.table.name,
                    value=None,
                    expected="fix these and read the file again",
                    problem=f"stopped reading after {self.max_problems} problems",
                )
            )
        if self.problems:
            raise RecordInvalid(self.table.name, self.problems)


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


def _parsed(reading: _Reading, id_key: str | None) -> tuple[list[int], dict[str, list[Any]]]:
    """The rows to build (none when a column is absent) and the parsed columns."""
    header_ok = not reading.problems
    good, columns = reading.parse()
    if id_key is not None and id_key in reading.bound:
        good = reading.check_ids(id_key, good, columns[id_key])
    # a table with an absent column is still read for bad cells, but builds nothing
    return (good if header_ok else []), columns


def _rows_of(reading: _Reading, id_key: str | None) -> list[Row]:
    """The rows to build, each as its line, its parsed fields and its cells."""
    good, columns = _parsed(reading, id_key)
    rows, lines = reading.table.rows, reading.table.lines
    return [(lines[i], {k: v[i] for k, v in columns.items()}, rows[i]) for i in good]


# -- accounts -------------------------------------------------------------------------


@attrs.frozen
class AccountRows:
    """Accounts read from a table: their facts and the columns kept alongside.

    Attributes:
        facts: One :class:`~kamcore.grading.AccountFacts` per row, in file order.
        kept: For each account, the pass-through columns (key → text).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
        figures: The figures the table had columns for.
    """

    facts: tuple[AccountFacts, ...]
    kept: tuple[Mapping[str, str], ...]
    keep: tuple[str, ...]
    headings: tuple[str, ...]
    figures: tuple[str, ...]


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
        max_problems: Stop collecting after this many problems.

    Returns:
        The facts and the kept columns.

    Raises:
        RecordInvalid: Every problem found: absent columns (with the closest heading),
            bad cells (file, line, column, the cell and an example), blank or repeated
            ids, negative amounts. ``.problems`` lists them.
        ValidationError: The file can't be read at all.
    """
    from kamcore.grading import FIGURES, AccountFacts  # noqa: PLC0415
    from kamcore.grading._facts import facts_from_parsed  # noqa: PLC0415 - the fast path

    cmap = load_column_map(columns)
    table = _table(source, sheet)
    derived = {"collection_rate": ("invoiced", "collected")}
    needed = {f for r in require for f in derived.get(r, (r,))}
    filled = [f for f in FIGURES if f in {g for c in complete for g in derived.get(c, (c,))}]
    fields = [
        Field("account_id", FieldKind.TEXT, names=("id",), heading=id_column),
        *(Field(f, required=f in needed) for f in FIGURES),
        *(Field(e) for e in extras),
    ]
    reading = _Reading(table, fields, cmap, keep, max_problems)
    good, cols = _parsed(reading, "account_id")
    good = _filled(reading, good, cols, filled)
    present = tuple(f for f in FIGURES if f in reading.bound)
    blank: list[Any] = [None] * len(table.rows)
    by_row = list(zip(*(cols.get(f, blank) for f in FIGURES), strict=True))
    ids, rows, lines = cols.get("account_id", blank), table.rows, table.lines
    facts: list[AccountFacts] = []
    kept: list[Mapping[str, str]] = []
    keep_values = reading.kept.values
    for i in good:
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
                        reading.refused(lines[i], rows[i], err.field, err)
                continue
        facts.append(made)
        kept.append(keep_values(rows[i]))
    reading.finish()
    return AccountRows(tuple(facts), tuple(kept), reading.kept.keys, reading.kept.headings, present)


def _filled(
    reading: _Reading, good: Sequence[int], cols: Mapping[str, Sequence[Any]], keys: Sequence[str]
) -> list[int]:
    """The rows with no blank in ``keys``; each blank is reported with its line and column."""
    keys = [k for k in keys if k in cols]
    if not keys:
        return list(good)
    out: list[int] = []
    for i in good:
        blanks = [k for k in keys if cols[k][i] is None]
        for k in blanks:
            reading.add(
                reading.table.lines[i],
                reading.bound[k].heading,
                ValidationError(
                    field="",
                    value=None,
                    expected="a figure: the scoring model refuses a missing one",
                    problem="blank",
                ),
            )
        if not blanks:
            out.append(i)
    return out


# -- amounts (pareto, rebate) ---------------------------------------------------------


@attrs.frozen
class AmountRows:
    """Ids with amounts read from a table (a measure to classify, sales to quote).

    Attributes:
        ids: One id per row, in file order.
        amounts: Field name → one amount per row (``None`` where the cell was blank).
        kept: For each row, the pass-through columns (key → text).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
    """

    ids: tuple[str, ...]
    amounts: Mapping[str, tuple[Decimal | None, ...]]
    kept: tuple[Mapping[str, str], ...]
    keep: tuple[str, ...]
    headings: tuple[str, ...]


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
        max_problems: Stop collecting after this many problems.

    Raises:
        RecordInvalid: Every problem found, as :func:`read_accounts`.
    """
    cmap = load_column_map(columns)
    table = _table(source, sheet)
    given = headings or {}
    specs = [
        Field(id_field, FieldKind.TEXT, names=("id",), heading=id_column),
        *(Field(f, heading=given.get(f)) for f in fields),
        *(Field(f, required=False, heading=given.get(f)) for f in optional),
    ]
    reading = _Reading(table, specs, cmap, keep, max_problems)
    rows = _rows_of(reading, id_field)
    names = [f for f in (*fields, *optional) if f in reading.bound]
    ids: list[str] = []
    columns_out: dict[str, list[Decimal | None]] = {f: [] for f in names}
    kept: list[Mapping[str, str]] = []
    zero = Decimal(0)
    for line, values, row in rows:
        ok = True
        for f in names:
            if values[f] is None and blank != "missing":
                if blank == "zero":
                    values[f] = zero
                else:
                    reading.add(
                        line,
                        reading.bound[f].heading,
                        ValidationError(
                            field="", value=None, expected="an amount", problem="blank"
                        ),
                    )
                    ok = False
            elif values[f] is not None and values[f] < 0:
                reading.add(
                    line,
                    reading.bound[f].heading,
                    ValidationError(
                        field="",
                        value=values[f],
                        expected="zero or more",
                        problem="negative amount",
                    ),
                )
                ok = False
        if not ok:
            continue
        ids.append(values[id_field])
        for f in names:
            columns_out[f].append(values[f])
        kept.append(reading.kept.values(row))
    reading.finish()
    return AmountRows(
        tuple(ids),
        {f: tuple(v) for f, v in columns_out.items()},
        tuple(kept),
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
        kept: For each opportunity, the pass-through columns (key → text).
        keep: The keys of the kept columns, in order.
        headings: The headings those kept columns had in the file.
    """

    opportunities: tuple[Opportunity, ...]
    kept: tuple[Mapping[str, str], ...]
    keep: tuple[str, ...]
    headings: tuple[str, ...]


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
    wanted = fold(text)
    named: list[tuple[str, str, str]] = [(s.key, s.zh, s.en) for s in playbook.stages]
    named += [(o.key, o.zh, o.en) for o in playbook.outcomes]
    for key, zh, en in named:
        if wanted in (fold(key), fold(zh), fold(en)):
            return key
    return None


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
    closed opportunity: it closed on ``closed`` (or ``expected_close``, or ``opened``),
    and its history says it was imported.

    Raises:
        RecordInvalid: Every problem found, as :func:`read_accounts`, and unknown stages
            (listing the playbook's stages and outcomes).
    """
    from kamcore.money import Money  # noqa: PLC0415
    from kamcore.pipeline import import_opportunity  # noqa: PLC0415

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
    rows = _rows_of(reading, "opportunity_id")
    known = ", ".join(
        [*(s.key for s in playbook.ordered_stages()), *(o.key for o in playbook.outcomes)]
    )
    opps: list[Opportunity] = []
    kept: list[Mapping[str, str]] = []
    for line, v, row in rows:
        key = stage_key(playbook, v["stage"])
        if key is None:
            reading.add(
                line,
                reading.bound["stage"].heading,
                ValidationError(
                    field="",
                    value=v["stage"],
                    expected=f"a stage or outcome of {playbook.name} (key or label): {known}",
                    problem="no such stage",
                ),
            )
            continue
        if v["amount"] is None:
            reading.add(
                line,
                reading.bound["amount"].heading,
                ValidationError(field="", value=None, expected="an amount", problem="blank"),
            )
            continue
        closed = v.get("closed") or v.get("expected_close") or v["opened"]
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
                    closed_on=closed if playbook.is_outcome(key) else None,
                )
            )
        except ValidationError as exc:
            errs = exc.errors if isinstance(exc, RecordInvalid) else (exc,)
            for err in errs:
                reading.refused(line, row, _OPP_FIELDS.get(err.field, err.field), err)
            continue
        kept.append(reading.kept.values(row))
    reading.finish()
    return OpportunityRows(tuple(opps), tuple(kept), reading.kept.keys, reading.kept.headings)


_OPP_FIELDS: Final = {
    "on": "opened",
    "stage_entered_on": "stage_entered",
    "closed_on": "closed",
    "id": "opportunity_id",
    "account": "account_id",
}
