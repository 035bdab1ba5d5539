"""``kamcore archive import``: put a company's own accounts into the archive, with a reason.

The file is JSON lines (``.jsonl``/``.ndjson``/``.json``: one dossier an object, in the
archive's plain form, as flat fields, or both) or a table (CSV/TSV, ``.xlsx``,
Parquet) read by :mod:`kamcore.tables` through a column map (``--columns``; the preset
``columns_archive_source`` holds the source documents' Chinese headings). Each record
creates its dossier when the archive does not hold it and otherwise revises it with
``--reason``; a record that changes nothing writes nothing.

The import is all or nothing: every record is read and checked against the archive
first — each cell, each value the dossier refuses, each change the archive policy
refuses — and every problem is reported at once (file, line, column), before a single
revision is written; then all of them are stored in one transaction.

A blank cell (or a flat field that is ``null`` or ``""``) leaves the field as the
archive holds it: a table never clears a field. The plain form's sections merge field
by field (``{"basic": {"address": "…"}}`` sets the address only; ``null`` clears a
field); a list given (``contacts``, ``records``, ``competitors``, ``extra``) replaces
the list. The flat contact fields (``contact_id``, ``contact_name``, ``contact_title``,
``contact_phone``) update the contact with that id (by default the name) or add it,
leaving the others.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from kamcore._output import Record
from kamcore._vocab import words
from kamcore.cli._common import EXIT_OK, UsageError
from kamcore.cli._db import is_url, open_store
from kamcore.cli._views import HEADINGS, Labels, View, emit_views
from kamcore.errors import RecordInvalid, ValidationError

if TYPE_CHECKING:
    from kamcore.archive import Dossier, Revision
    from kamcore.store import Repository
    from kamcore.tables import ColumnMap

__all__ = ["cmd_import", "import_arguments"]

#: The summary's own headings (and the dry run's title), in English and Chinese.
IMPORT_HEADINGS: Final[Labels] = words("cli_import")

#: How many problems an import reports at most (a last line says when there were more).
MAX_PROBLEMS: Final = 100

_TEXT: Final = "text"
_LABEL: Final = "label"
_TEXTS: Final = "texts"
_MONEY: Final = "money"
_COUNT: Final = "count"
_DAY: Final = "day"

_JSON_SUFFIXES: Final = (".jsonl", ".ndjson", ".json")
_SECTIONS: Final = ("basic", "business", "organisation", "credit")
_LISTS: Final = ("records", "competitors", "contacts", "extra")
#: Bookkeeping of the plain form: the archive's own history decides these.
_BOOKKEEPING: Final = ("revision", "head", "updated_at", "created_at")
_SPLIT_PHONES: Final = re.compile(r"[,，;；、\n]")


@dataclass(frozen=True, slots=True)
class _Flat:
    """A flat field of a record: its key (in column maps), dossier path and kind."""

    key: str
    path: str
    kind: str
    names: tuple[str, ...] = ()


#: The flat fields, in the order problems of one row are reported.
_FLAT: Final = (
    _Flat("id", "id", _TEXT, ("account_id", "dossier_id")),
    _Flat("name", "name", _TEXT),
    _Flat("grade", "grade", _TEXT),
    _Flat("classification", "classification", _LABEL),
    _Flat("confidentiality", "confidentiality", _LABEL),
    _Flat("region", "basic.region", _TEXT),
    _Flat("industry", "basic.category", _TEXT, ("category",)),
    _Flat("address", "basic.address", _TEXT),
    _Flat("phones", "basic.phones", _TEXTS, ("phone",)),
    _Flat("legal_representative", "basic.legal_representative", _TEXT),
    _Flat("registered_capital", "basic.registered_capital", _MONEY),
    _Flat("registration_date", "basic.registration_date", _DAY),
    _Flat("staff", "basic.staff", _COUNT),
    _Flat("bank", "basic.bank", _TEXT),
    _Flat("credit_limit", "basic.credit_limit", _MONEY),
    _Flat("payment_terms", "basic.payment_terms", _TEXT),
    _Flat("transaction_volume", "business.transaction_volume", _MONEY),
    _Flat("sales_performance", "business.sales_performance", _MONEY),
    _Flat("contact_id", "contact.id", _TEXT),
    _Flat("contact_name", "contact.name", _TEXT),
    _Flat("contact_title", "contact.title", _TEXT),
    _Flat("contact_phone", "contact.phone", _TEXT),
)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One record read from the file: its key, where it is, and what it gives.

    ``values`` maps a dossier path (``basic.address``; ``contact.name`` for the flat
    contact) to its typed value; ``plain`` holds the plain form's sections and lists;
    ``places`` names, per path, where its value is (``f.csv line 3, column '地址'``) and
    ``order`` its column, so that problems come in file order. A record some of whose
    values were refused is not ``clean``: its key still counts (a repeat is reported).
    """

    key: str
    row: int
    where: str
    values: Mapping[str, object]
    plain: Mapping[str, object]
    places: Mapping[str, str]
    order: Mapping[str, int]
    clean: bool = True


class _Problems:
    """Every problem of the file, kept in file order (row, then column)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.header: list[ValidationError] = []
        self.found: list[tuple[int, int, int, ValidationError]] = []

    def add(self, row: int, column: int, where: str, exc: ValidationError) -> None:
        """Record ``exc`` at ``where`` (row ``row``, column ``column``)."""
        problem = ValidationError(
            field=where, value=exc.value, expected=exc.expected, problem=exc.problem
        )
        self.found.append((row, column, len(self.found), problem))

    def __bool__(self) -> bool:
        return bool(self.header or self.found)

    def raise_all(self) -> None:
        """Raise every problem in one :class:`RecordInvalid` (at most :data:`MAX_PROBLEMS`)."""
        problems = [*self.header, *(p for *_, p in sorted(self.found, key=lambda f: f[:3]))]
        if not problems:
            return
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS]
            problems.append(
                ValidationError(
                    field=self.name,
                    value=None,
                    expected="fix these and import the file again",
                    problem=f"stopped after {MAX_PROBLEMS} problems",
                )
            )
        raise RecordInvalid(self.name, problems)


# -- reading cells and values -----------------------------------------------------------


def _text(value: object) -> str:
    """A cell or JSON value as text ("" for blank); a yes/no, list or object is refused."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | list | dict | tuple):
        raise ValidationError(field="", value=value, expected="text", problem="not text")
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _label(flat: _Flat, text: str) -> object:
    """A classification or confidentiality level named by its value or Chinese label."""
    from kamcore.archive import Classification, Confidentiality  # noqa: PLC0415
    from kamcore.tables import fold  # noqa: PLC0415

    cls: type[Classification] | type[Confidentiality] = (
        Classification if flat.key == "classification" else Confidentiality
    )
    wanted = fold(text)
    for member in cls:
        if wanted in (fold(member.value), fold(member.zh)):
            return member
    accepted = ", ".join(f"{m.value} ({m.zh})" for m in cls)
    raise ValidationError(
        field="", value=text, expected=f"one of {accepted}", problem=f"no such {flat.key}"
    )


def _convert(flat: _Flat, cell: object, cmap: ColumnMap) -> object:
    """The typed value of ``cell`` for ``flat``, or ``None`` when blank (nothing given)."""
    from kamcore.tables import parse_date, parse_number  # noqa: PLC0415

    if flat.kind in (_TEXT, _LABEL, _TEXTS):
        return _convert_text(flat, cell)
    if flat.kind == _DAY:
        return parse_date(cell, fmt=cmap.date_format)
    number = parse_number(cell, unit=cmap.unit(flat.key), suffixes=cmap.suffixes)
    if number is None or flat.kind == _MONEY:
        return number
    if number != number.to_integral_value() or number < 0:
        raise ValidationError(
            field="", value=cell, expected="a whole number of 0 or more", problem="not a count"
        )
    return int(number)


def _convert_text(flat: _Flat, cell: object) -> object:
    """A text, label or list-of-text cell (a JSON list, or text split at commas)."""
    if flat.kind == _TEXTS and isinstance(cell, list):
        items = tuple(t for t in (_text(c) for c in cell) if t)
        return items or None
    text = _text(cell)
    if not text:
        return None
    if flat.kind == _LABEL:
        return _label(flat, text)
    if flat.kind == _TEXTS:
        return tuple(t.strip() for t in _SPLIT_PHONES.split(text) if t.strip())
    return text


def _blank_cell(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# -- reading a table ----------------------------------------------------------------------


def _table_entries(
    path: Path, cmap: ColumnMap, sheet: str | None
) -> tuple[list[_Entry], _Problems]:
    """The records of a CSV/TSV, .xlsx or Parquet file, and every problem of its cells."""
    from kamcore.tables import Field, FieldKind, bind, read_table  # noqa: PLC0415

    table = read_table(path, sheet=sheet)
    problems = _Problems(table.name)
    at = f"{table.name} (sheet {table.sheet})" if table.sheet else table.name
    fields = [Field(f.key, FieldKind.TEXT, required=f.key == "id", names=f.names) for f in _FLAT]
    bound, problems.header = bind(table.header, fields, cmap, where=at)
    if "id" not in bound:
        return [], problems
    flats = [(f, bound[f.key]) for f in _FLAT if f.key in bound]
    seen: dict[str, int] = {}
    entries: list[_Entry] = []
    for i, row in enumerate(table.rows):
        line = table.lines[i]
        where = table.where(line)
        values: dict[str, object] = {}
        places: dict[str, str] = {}
        order: dict[str, int] = {}
        clean = True
        for flat, b in flats:
            place = f"{where}, column {b.heading!r}"
            places[flat.path], order[flat.path] = place, b.index
            cell = row[b.index]
            try:
                value = _convert(flat, cell, cmap)
            except ValidationError as exc:
                problems.add(i, b.index, place, _shown(exc, cell))
                clean = False
                continue
            if value is not None:
                values[flat.path] = value
        key = values.get("id")
        id_column = bound["id"].index
        if not isinstance(key, str):
            if _blank_cell(row[id_column]):
                problems.add(i, id_column, places["id"], _blank("an id in every row"))
            continue
        if key in seen:
            problems.add(i, id_column, places["id"], _repeat(key, seen[key]))
            continue
        seen[key] = line
        if clean:
            entries.append(_Entry(key, i, where, values, {}, places, order))
    return entries, problems


def _shown(exc: ValidationError, cell: object) -> ValidationError:
    """``exc`` showing the cell as the file holds it."""
    return ValidationError(field="", value=cell, expected=exc.expected, problem=exc.problem)


def _blank(expected: str) -> ValidationError:
    return ValidationError(field="", value=None, expected=expected, problem="blank")


def _repeat(key: str, line: int) -> ValidationError:
    return ValidationError(
        field="", value=key, expected="each dossier once in a file", problem=f"repeats line {line}"
    )


# -- reading JSON lines -------------------------------------------------------------------


def _field_of(name: str, cmap: ColumnMap) -> _Flat | None:
    """The flat field a JSON key names: its key, a heading the map lists, or another name."""
    from kamcore.tables import fold  # noqa: PLC0415

    wanted = fold(name)
    for flat in _FLAT:
        if wanted in {fold(n) for n in (flat.key, *cmap.headings(flat.key), *flat.names)}:
            return flat
    return None


def _json_entries(path: Path, cmap: ColumnMap) -> tuple[list[_Entry], _Problems]:
    """The records of a JSON lines file, and every problem of its lines and values."""
    name = path.name
    problems = _Problems(name)
    if not path.is_file():
        raise ValidationError(
            field=name,
            value=None,
            expected="the path of a JSON lines file (one dossier an object), or of a table",
            problem="no such file",
        )
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.header.append(
            ValidationError(
                field=f"{name} line {line}",
                value=None,
                expected="UTF-8 text: re-save the file as UTF-8",
                problem=f"not UTF-8 (byte 0x{raw[exc.start]:02x})",
            )
        )
        return [], problems
    seen: dict[str, int] = {}
    entries: list[_Entry] = []
    decoder = json.JSONDecoder(parse_float=Decimal)
    for i, line_text in enumerate(text.splitlines()):
        if not line_text.strip():
            continue
        where = f"{name} line {i + 1}"
        try:
            obj = decoder.decode(line_text)
        except json.JSONDecodeError as exc:
            problems.add(i, 0, where, _not_an_object(f"not JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            problems.add(i, 0, where, _not_an_object(f"a JSON {type(obj).__name__}"))
            continue
        entry = _json_entry(obj, i, where, cmap, problems)
        if entry is None:
            continue
        if entry.key in seen:
            problems.add(
                i, entry.order.get("id", 0), entry.places["id"], _repeat(entry.key, seen[entry.key])
            )
            continue
        seen[entry.key] = i + 1
        if entry.clean:
            entries.append(entry)
    return entries, problems


def _not_an_object(problem: str) -> ValidationError:
    return ValidationError(
        field="", value=None, expected="one JSON object a line (JSON lines)", problem=problem
    )


def _json_entry(
    obj: Mapping[str, Any], row: int, where: str, cmap: ColumnMap, problems: _Problems
) -> _Entry | None:
    """One JSON object as a record; ``None`` without an id (its problems recorded)."""
    values: dict[str, object] = {}
    plain: dict[str, object] = {}
    places: dict[str, str] = {}
    order: dict[str, int] = {}
    clean = True
    for column, (field_name, value) in enumerate(obj.items()):
        place = f"{where}, {field_name}"
        if field_name in (*_SECTIONS, *_LISTS):
            plain[field_name] = value
            continue
        if field_name in _BOOKKEEPING:
            continue
        flat = _field_of(field_name, cmap)
        if flat is None:
            accepted = ", ".join([f.key for f in _FLAT] + [*_SECTIONS, *_LISTS])
            unknown = ValidationError(
                field="",
                value=field_name,
                expected=f"a dossier field: {accepted}, or a heading the column map lists",
                problem="unknown field",
            )
            problems.add(row, column, place, unknown)
            clean = False
            continue
        places[flat.path], order[flat.path] = place, column
        try:
            converted = _convert(flat, value, cmap)
        except ValidationError as exc:
            problems.add(row, column, place, _shown(exc, value))
            clean = False
            continue
        if converted is not None:
            values[flat.path] = converted
    key = values.get("id")
    if not isinstance(key, str):
        no_id = ValidationError(
            field="",
            value=None,
            expected='the dossier\'s key, e.g. {"id": "KH001", "name": "华东机械", …}',
            problem="no id",
        )
        problems.add(row, -1, where, no_id)
        return None
    return _Entry(key, row, where, values, plain, places, order, clean)


# -- from records to revisions ------------------------------------------------------------


def _get(dossier: Dossier, path: str) -> Any:
    section, _, name = path.partition(".")
    return getattr(getattr(dossier, section), name) if name else getattr(dossier, section)


def _changes(current: Dossier, target: Dossier, paths: Sequence[str]) -> dict[str, Any]:
    """Path → new value, for every path where ``target`` differs from ``current``."""
    return {p: _get(target, p) for p in paths if _get(current, p) != _get(target, p)}


def _merged(base: Dossier, plain: Mapping[str, object]) -> dict[str, Any]:
    """``base`` in plain form with the record's sections merged in, field by field."""
    from kamcore.archive import to_plain  # noqa: PLC0415

    out: dict[str, Any] = to_plain(base)
    for key, value in plain.items():
        if key in _SECTIONS and isinstance(value, dict) and isinstance(out[key], dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


class _Planner:
    """Turns records into the revisions that create or revise their dossiers."""

    def __init__(self, problems: _Problems, *, by: str, at: datetime, reason: str) -> None:
        self.problems = problems
        self.by, self.at, self.reason = by, at, reason
        self.revisions: list[Revision] = []
        self.records: list[Record] = []

    def refuse(self, entry: _Entry, path: str, exc: ValidationError) -> None:
        """Record what the dossier or the archive refuses of ``entry``'s ``path``.

        The problem is placed at the path's column (``f.csv line 3, column '地址'``), or
        else at the path in the record (``f.jsonl line 3, basic.staff``).
        """
        place = entry.places.get(path) or (f"{entry.where}, {path}" if path else entry.where)
        self.problems.add(entry.row, entry.order.get(path, 10**6), place, exc)

    def plan_all(self, store: Repository, entries: Sequence[_Entry]) -> None:
        """Plan every record against ``store``; raise every problem found, if any."""
        for entry in entries:
            self.plan(store, entry)
        self.problems.raise_all()

    def plan(self, store: Repository, entry: _Entry) -> None:
        """Check ``entry`` against the archive; keep its revision (if any) and its outcome."""
        from kamcore.archive import FIELD_PATHS, Dossier, create, revise  # noqa: PLC0415
        from kamcore.errors import RecordNotFound  # noqa: PLC0415

        try:
            current: Dossier | None = store.get(entry.key)
        except RecordNotFound:
            current = None
        target = self._target(current or Dossier(id=entry.key), entry)
        if target is None:
            return
        if current is None and not target.name.strip():
            self.refuse(entry, "name", _blank("the account's name: a new dossier records it"))
            return
        changes = {} if current is None else _changes(current, target, FIELD_PATHS)
        if current is not None and not changes:
            self.outcome(current, "unchanged", ())
            return
        if current is not None and current.updated_at and self.at < current.updated_at:
            latest = current.updated_at.isoformat()
            late = ValidationError(
                field="",
                value=self.at.isoformat(),
                expected=f"a time on or after the dossier's latest revision, {latest}",
                problem="--at is before the history's end (it is append-only)",
            )
            self.refuse(entry, "", late)
            return
        try:
            if current is None:
                dossier, revision = create(target, by=self.by, at=self.at, reason=self.reason)
            else:
                dossier, revision = revise(
                    current, changes, by=self.by, at=self.at, reason=self.reason
                )
        except ValidationError as exc:  # pragma: no cover - checked above; a backstop
            self.refuse(entry, exc.field, exc)
            return
        self.revisions.append(revision)
        self.outcome(dossier, "created" if current is None else "revised", revision.fields)

    def outcome(self, dossier: Dossier, action: str, fields: Sequence[str]) -> None:
        """Add one row of the summary."""
        self.records.append(
            {
                "dossier_id": dossier.id,
                "name": dossier.name,
                "action": action,
                "revision": dossier.revision,
                "fields": ", ".join(fields),
            }
        )

    def _target(self, base: Dossier, entry: _Entry) -> Dossier | None:
        """``base`` with what ``entry`` gives; ``None`` when the dossier refuses any of it."""
        import attrs  # noqa: PLC0415

        from kamcore.archive import Dossier, from_plain  # noqa: PLC0415

        target = base
        if entry.plain:
            try:
                target = from_plain(Dossier, _merged(base, entry.plain))
            except ValidationError as exc:
                for err in exc.errors if isinstance(exc, RecordInvalid) else (exc,):
                    self.refuse(entry, err.field, err)
                return None
        flat = {p: v for p, v in entry.values.items() if p != "id" and not p.startswith("contact.")}
        ok = True
        for path, value in flat.items():
            try:
                _evolve(target, {path: value})
            except ValidationError as exc:
                self.refuse(entry, path, exc)
                ok = False
        if not ok:
            return None
        target = _evolve(target, flat)
        contact = {
            p.removeprefix("contact."): v
            for p, v in entry.values.items()
            if p.startswith("contact.")
        }
        if contact:
            try:
                target = attrs.evolve(target, contacts=_contacts(target, contact))
            except ValidationError as exc:
                self.refuse(entry, f"contact.{exc.field}" if exc.field else "contact.name", exc)
                return None
        return target


def _evolve(dossier: Dossier, updates: Mapping[str, object]) -> Dossier:
    """``dossier`` with the paths of ``updates`` set (the dossier's own checks run)."""
    # the same path-setting step the archive's revisions use, not a copy of it
    from kamcore.archive._revisions import _set  # noqa: PLC0415

    return _set(dossier, updates)


def _contacts(dossier: Dossier, given: Mapping[str, Any]) -> tuple[Any, ...]:
    """The dossier's contacts with the flat contact updated (by its id) or added."""
    import attrs  # noqa: PLC0415

    from kamcore.archive import Contact  # noqa: PLC0415

    contact_id = given.get("id") or given.get("name")
    fields = {k: v for k, v in given.items() if k != "id"}
    out = list(dossier.contacts)
    for i, c in enumerate(out):
        if c.id == contact_id:
            out[i] = attrs.evolve(c, **fields)
            return tuple(out)
    if "name" not in fields:
        raise ValidationError(
            field="name",
            value=None,
            expected="the name of a contact the dossier does not hold yet (contact_name)",
            problem=f"no contact {contact_id!r} in the dossier, and no name to add one",
        )
    out.append(Contact(id=str(contact_id), **fields))
    return tuple(out)


# -- the command ----------------------------------------------------------------------------


def _db(args: argparse.Namespace) -> str:
    """``--db``, or a one-line error; a new SQLite file's folder must exist."""
    db: str | None = args.db
    if db is None:
        raise UsageError(
            "archive import needs --db FILE|URL: the SQLite archive file (made if missing) "
            "or a postgresql:// URL"
        )
    if not is_url(db) and not Path(db).exists() and not Path(db).parent.is_dir():
        raise UsageError(f"--db {db}: no folder {Path(db).parent}; create it first")
    return db


def _import(args: argparse.Namespace, entries: Sequence[_Entry], planner: _Planner) -> None:
    """Plan every record against the archive, then (unless a dry run) write them at once.

    A new SQLite file is planned against an empty archive and made only when there is
    something to write; a PostgreSQL database gets its tables first (unless a dry run).
    """
    from kamcore.store import InMemoryRepository  # noqa: PLC0415

    db = _db(args)
    write = not args.dry_run
    if not is_url(db) and not Path(db).exists():
        planner.plan_all(InMemoryRepository(), entries)
        if planner.revisions and write:
            with open_store(db, action="import", create=True) as store:
                store.add_all(planner.revisions)
        return
    with open_store(db, action="import", create=write) as store:
        planner.plan_all(store, entries)
        if planner.revisions and write:
            store.add_all(planner.revisions)


def cmd_import(args: argparse.Namespace) -> int:
    """``archive import FILE``: create or revise dossiers from a file, all or nothing."""
    from kamcore.cli._archive import aware_datetime  # noqa: PLC0415 - _archive imports us
    from kamcore.tables import load_column_map  # noqa: PLC0415

    reason = args.reason.strip()
    if not reason:
        raise UsageError("--reason: blank; expected why the dossiers are imported or changed")
    if not args.by.strip():
        raise UsageError("--by: blank; expected who makes the change")
    at = aware_datetime(args.at, "--at")
    path = Path(args.file)
    cmap = load_column_map(args.columns)
    if path.suffix.casefold() in _JSON_SUFFIXES:
        if args.sheet is not None:
            raise UsageError(f"--sheet is for workbooks; {path.name} is JSON lines")
        entries, problems = _json_entries(path, cmap)
    else:
        entries, problems = _table_entries(path, cmap, args.sheet)
    if problems.header:
        problems.raise_all()
    planner = _Planner(problems, by=args.by.strip(), at=at, reason=reason)
    _import(args, entries, planner)
    labels = {**HEADINGS, **IMPORT_HEADINGS}
    title = "" if not args.dry_run else labels["dry_run"][0 if args.lang == "en" else 1]
    columns = ["dossier_id", "name", "action", "revision", "fields"]
    view = View("import", planner.records, labels, {"action": "import_action"}, columns=columns)
    emit_views(args, [view], title=title)
    return EXIT_OK


def import_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``archive import``."""
    p.add_argument(
        "file",
        metavar="FILE",
        help="JSON lines (.jsonl, .ndjson, .json) or a table (CSV/TSV, .xlsx, .parquet)",
    )
    p.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why: recorded on every revision written (a key fact's change needs one)",
    )
    p.add_argument("--by", required=True, metavar="WHO", help="who makes the change")
    p.add_argument(
        "--at",
        required=True,
        metavar="DATETIME",
        help="when, with its UTC offset (2026-03-02T09:00+08:00); not before a dossier's "
        "latest revision",
    )
    p.add_argument(
        "--columns",
        metavar="MAP",
        help="a column map: a TOML file, or presets:columns_archive_source (Chinese "
        "headings 客户编号, 客户名称, 客户等级, 所属行业, 地址 …); also maps JSON keys",
    )
    p.add_argument("--sheet", metavar="NAME", help="the worksheet of a .xlsx file (default: first)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and show what would be created and revised; write nothing",
    )
