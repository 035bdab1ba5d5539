"""Column maps (列映射): which heading in a company's file holds which kamcore field.

A column map is policy data, loaded from TOML like every other policy::

    kind = "column_map"
    name = "our_crm"
    suffixes = true             # read 万 and 亿 after amounts
    date_format = ""            # "" reads ISO, 2026/4/5, 2026年4月5日 and Excel dates
    keep = ["name", "region"]   # carried into every result

    [columns]
    account_id = ["客户编号", "Customer No."]
    sales_revenue = ["销售额", "销售收入", "Sales Revenue"]

    [units]
    sales_revenue = "万元"

Headings are matched after folding (trimmed, case-folded, full-width to half-width), so
``"Sales Revenue "`` and ``"ＳＡＬＥＳ　ＲＥＶＥＮＵＥ"`` both match ``"sales revenue"``. A
field's own name always matches too (``sales_revenue``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Final

import attrs

from kamcore._validate import instance_of, sequence, texts
from kamcore._validate import path as checked_path
from kamcore._validate import text as checked_text
from kamcore.errors import PolicyError, ValidationError
from kamcore.tables._cells import Unit, fold, parse_date, parse_number
from kamcore.tables._read import is_file

__all__ = ["Bound", "ColumnMap", "Field", "FieldKind", "bind", "load_column_map"]

_KEY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

#: The fields kamcore's readers know by name (besides those a map lists under [columns]).
KNOWN_FIELDS: Final = (
    "account_id",
    "name",
    "region",
    "owner",
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "invoiced",
    "collected",
    "collection_rate",
    "profit",
    "quality_losses",
    "industry_influence",
    "business_reputation",
    "opportunity_id",
    "stage",
    "amount",
    "opened",
    "stage_entered",
    "expected_close",
    "closed",
    "order_id",
    "order_date",
    "quantity",
)


def _freeze_columns(value: object) -> Mapping[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            field="columns",
            value=value,
            expected="a table of field = [headings], e.g. sales_revenue = ['销售额']",
            problem="not a table",
        )
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for key, names in value.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValidationError(
                field="columns",
                value=key,
                expected="a field name such as sales_revenue (letters, digits, _)",
                problem="not a field name",
            )
        headings = (names,) if isinstance(names, str) else names
        if not isinstance(headings, Sequence) or not all(
            isinstance(h, str) and h.strip() for h in headings
        ):
            raise ValidationError(
                field=f"columns.{key}",
                value=names,
                expected="a heading or a list of headings (non-blank text)",
                problem="not a list of headings",
            )
        for heading in headings:
            folded = fold(heading)
            if seen.get(folded, key) != key:
                raise ValidationError(
                    field=f"columns.{key}",
                    value=heading,
                    expected="each heading under one field only",
                    problem=f"the heading is listed under {seen[folded]!r} too",
                )
            seen[folded] = key
        out[key] = tuple(headings)
    return MappingProxyType(out)


def _freeze_units(value: object) -> Mapping[str, Unit]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            field="units", value=value, expected="a table of field = unit", problem="not a table"
        )
    accepted = ", ".join(repr(u.value) for u in Unit)
    out: dict[str, Unit] = {}
    for key, unit in value.items():
        if isinstance(unit, Unit):
            out[str(key)] = unit
            continue
        try:
            out[str(key)] = Unit(unit)
        except ValueError:
            raise ValidationError(
                field=f"units.{key}",
                value=unit,
                expected=f"one of {accepted}",
                problem="no such unit",
            ) from None
    return MappingProxyType(out)


def _keep(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValidationError(
            field="keep", value=value, expected="a list of fields or headings", problem="not a list"
        )
    return tuple(str(v) for v in value)


@attrs.frozen(eq=True, hash=False)
class ColumnMap:
    """Which heading holds which field, the unit of each amount, and what to keep.

    Args:
        name: The map's name.
        columns: Field name → the headings that hold it (matched after folding).
        units: Field name → :class:`~kamcore.tables.Unit` (``"元"``, ``"万元"``, ``"%"`` …)
            for numbers written in other units than yuan, or rates.
        keep: Fields (or headings) carried from the input into every result, such as
            the account's name, region and owner (``--keep`` overrides it).
        date_format: A :func:`~datetime.datetime.strptime` format for date columns, or
            ``""`` to read ISO, ``2026/4/5``, ``2026年4月5日`` and Excel dates.
        suffixes: Whether amounts may end in ``万`` or ``亿``.

    Raises:
        ValidationError: A field name that is not an identifier, a heading listed under
            two fields, an unknown unit.

    Examples:
        >>> m = ColumnMap(columns={"sales_revenue": ["销售额"]}, units={"sales_revenue": "万元"})
        >>> m.headings("sales_revenue"), m.unit("sales_revenue").factor
        (('销售额',), Decimal('10000'))
    """

    name: str = "custom"
    columns: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_freeze_columns
    )
    units: Mapping[str, Unit] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_freeze_units
    )
    keep: tuple[str, ...] = attrs.field(default=(), converter=_keep)
    date_format: str = ""
    suffixes: bool = False

    def __attrs_post_init__(self) -> None:
        # a unit for a misspelt field would be silently unused: amounts 10,000 times off
        for key in self.units:
            if key not in self.columns and key not in KNOWN_FIELDS:
                close = difflib.get_close_matches(key, [*self.columns, *KNOWN_FIELDS], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise PolicyError(
                    f"a unit for {key!r}, which is no field kamcore reads nor one listed "
                    f"under [columns]{hint}",
                    policy="ColumnMap",
                    part=f"units.{key}",
                )

    def headings(self, field: str) -> tuple[str, ...]:
        """The headings the map lists for ``field`` (without the field's own name)."""
        return self.columns.get(field, ())

    def unit(self, field: str) -> Unit:
        """The unit of ``field``'s numbers (yuan unless the map says otherwise)."""
        return self.units.get(field, Unit.YUAN)


def load_column_map(source: str | Path | ColumnMap | None) -> ColumnMap:
    """A column map from a preset, a TOML file or a map itself; ``None`` is the empty map.

    A preset is named ``presets:columns_source`` or ``columns_source``; a map is
    returned as it is.

    Raises:
        ValidationError: No preset or file of that name.
        RecordInvalid: The file is not a valid column map (every problem listed).
    """
    from kamcore import codec  # noqa: PLC0415 - codec sits beside tables
    from kamcore.presets import load_preset, preset_names  # noqa: PLC0415

    if source is None:
        return ColumnMap()
    if isinstance(source, ColumnMap):
        return source
    maps = [n for n in preset_names() if n.startswith("columns_")]
    expected = f"a column map TOML file, or a preset: {', '.join(maps)}"
    text = str(checked_path(source, "columns", expected=f"a ColumnMap, {expected}"))
    preset = text.removeprefix("presets:")
    if preset in preset_names() and (preset != text or not is_file(Path(text))):
        return load_preset(preset, ColumnMap)
    if is_file(Path(text)):
        return codec.load_policy(text, ColumnMap)
    raise ValidationError(
        field="columns",
        value=text,
        expected=expected,
        problem="no such file or preset",
    )


class FieldKind:
    """How a field's cells are read: text, a number or a date."""

    TEXT: Final = "text"
    NUMBER: Final = "number"
    DATE: Final = "date"


@attrs.frozen
class Field:
    """A field a reader wants from a table.

    Args:
        key: The field's name (``sales_revenue``, ``account_id``).
        kind: :attr:`FieldKind.TEXT`, ``NUMBER`` or ``DATE``.
        required: Whether a table without it is refused.
        names: Headings that hold it besides its own name and the map's (the reader's
            built-in defaults, such as ``id`` for ``account_id``).
        heading: A heading given explicitly (``--id``, ``--by``): only that one matches.
    """

    key: str
    kind: str = FieldKind.NUMBER
    required: bool = True
    names: tuple[str, ...] = ()
    heading: str | None = None


Parser = Callable[[object], object]


def _text(cell: object) -> object:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, Decimal):
        return f"{cell:f}"
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat())
    return str(cell)


def _parser(field: Field, cmap: ColumnMap) -> Parser:
    if field.kind == FieldKind.TEXT:
        return _text
    if field.kind == FieldKind.DATE:
        fmt = cmap.date_format

        def read_date(cell: object) -> object:
            return parse_date(cell, fmt=fmt)

        return read_date
    unit, suffixes = cmap.unit(field.key), cmap.suffixes

    def read_number(cell: object) -> object:
        return parse_number(cell, unit=unit, suffixes=suffixes)

    return read_number


@attrs.frozen
class Bound:
    """A field found in a table: its column, heading and cell reader."""

    field: Field
    index: int
    heading: str
    read: Parser


def _candidates(field: Field, cmap: ColumnMap) -> tuple[str, ...]:
    if field.heading is not None:
        return (field.heading,)
    return (field.key, *cmap.headings(field.key), *field.names)


def bind(
    header: Sequence[str],
    fields: Sequence[Field],
    cmap: ColumnMap,
    *,
    where: str,
) -> tuple[dict[str, Bound], list[ValidationError]]:
    """Find each field's column in ``header``; report every absent required field.

    Each heading is bound to one field at most, the first (in ``fields`` order) that
    names it. An absent field is reported with the closest unbound heading
    (``no column for 'profit'; did you mean 'profits'?``).

    Returns:
        The bound fields by key, and the problems (absent or doubled columns).
    """
    header = texts(header, "header", required=False)
    fields = sequence(fields, "fields", expected="a list of Field records")
    for i, field in enumerate(fields):
        instance_of(field, Field, f"fields[{i}]")
    instance_of(cmap, ColumnMap, "cmap")
    checked_text(where, "where", required=False)
    folded = [fold(h) for h in header]
    taken: set[int] = set()
    bound: dict[str, Bound] = {}
    problems: list[ValidationError] = []
    for field in fields:
        names = _candidates(field, cmap)
        index = _find(folded, names, taken)
        if index is None:
            if field.required:
                claimed = {
                    fold(n)
                    for key, aliases in cmap.columns.items()
                    if key != field.key
                    for n in (key, *aliases)
                }
                problems.append(
                    _absent(
                        field, names, header, taken=taken | _claimed(header, claimed), where=where
                    )
                )
            continue
        twin = _twin(folded, index, taken, names)
        if twin is not None:
            same = folded[twin] == folded[index]
            problems.append(
                ValidationError(
                    field=f"{where} header",
                    value=header[index] if same else [header[index], header[twin]],
                    expected=f"one column for {field.key!r}; rename or remove one of them",
                    problem=f"columns {index + 1} and {twin + 1} are both headed so"
                    if same
                    else f"columns {index + 1} and {twin + 1} both hold {field.key!r}",
                )
            )
        taken.add(index)
        bound[field.key] = Bound(field, index, header[index], _parser(field, cmap))
    return bound, problems


def _find(folded: Sequence[str], names: Sequence[str], taken: set[int]) -> int | None:
    for name in names:
        key = fold(name)
        for i, h in enumerate(folded):
            if h == key and i not in taken:
                return i
    return None


def _twin(folded: Sequence[str], index: int, taken: set[int], names: Sequence[str]) -> int | None:
    """Another free column that holds the same field (the same heading, or another name)."""
    wanted = {folded[index], *(fold(n) for n in names)}
    for i, h in enumerate(folded):
        if i != index and i not in taken and h in wanted:
            return i
    return None


def _claimed(header: Sequence[str], claimed: set[str]) -> set[int]:
    """The columns another field of the map names: never a hint for this one."""
    return {i for i, h in enumerate(header) if fold(h) in claimed}


def _absent(
    field: Field, names: Sequence[str], header: Sequence[str], *, taken: set[int], where: str
) -> ValidationError:
    folded = [fold(h) for h in header]
    free = {folded[i]: header[i] for i in range(len(header)) if i not in taken and folded[i]}
    close: list[str] = []
    for name in names:
        close = difflib.get_close_matches(fold(name), list(free), n=1, cutoff=0.6)
        if close:
            break
    hint = f"; did you mean {free[close[0]]!r}?" if close else ""
    listed = ", ".join(repr(n) for n in dict.fromkeys(names))
    return ValidationError(
        field=f"{where} header",
        value=None,
        expected=f"a column headed {listed}, or a column map that names yours "
        f"([columns] {field.key} = [...])",
        problem=f"no column for {field.key!r}{hint}",
    )
