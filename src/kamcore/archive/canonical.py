"""Plain data, faithful JSON and the canonical JSON that revision hashes are taken over.

The archive may not import :mod:`kamcore.codec`, so it carries this small, exact
serialiser of its own. Three forms:

* **plain** — dicts, lists, ``str``, ``int``, ``bool``, ``None`` and
  :class:`~decimal.Decimal`: :func:`to_plain` builds it from any archive value and
  :func:`from_plain` rebuilds the typed value from a type annotation.
* **faithful JSON** (:func:`dumps`) — keys sorted, no spaces, decimals written as JSON
  numbers exactly as they are (``1.50`` stays ``1.50``). Used to store a change's old
  and new values and snapshots; reading it back gives an equal value with the same
  scale.
* **canonical JSON** (:func:`canonical`) — the bytes a revision's SHA-256 is taken over.
  Keys sorted by code point, separators ``,`` and ``:`` with no spaces, strings as JSON
  with non-ASCII characters kept (UTF-8 encoded), and every number — int or decimal —
  written in its shortest plain form: normalised, no exponent, no trailing zeros, no
  ``-0`` (``1``, ``1.0`` and ``1.00`` are all ``1``; ``100`` is ``100``, never
  ``1E+2``). Dates are ISO ``YYYY-MM-DD``; date-times are converted to UTC and written
  ISO 8601 with ``+00:00``. So the hash commits to values, never to their spelling or
  to dict order.
"""

from __future__ import annotations

import enum
import hashlib
import json
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Final, cast

import attrs

from kamcore.calendar import as_date
from kamcore.errors import ValidationError
from kamcore.money import Money, as_decimal

__all__ = ["canonical", "dumps", "from_plain", "loads", "sha256_hex", "to_plain", "utc_iso"]

Plain = Any

_NAMES: dict[type, tuple[str, ...]] = {}
_JSON: Final = json.JSONDecoder(parse_float=Decimal)
#: JSON string quoting that keeps non-ASCII text as is (what ``ensure_ascii=False`` uses).
_quote: Final[Callable[[str], str]] = encode_basestring


def to_plain(value: object) -> Plain:  # noqa: PLR0911 - one return per kind of value
    """Turn an archive value into plain data (decimals stay :class:`Decimal`).

    Examples:
        >>> to_plain({"b": (Decimal("1.50"), date(2026, 3, 1)), "a": None})
        {'b': [Decimal('1.50'), '2026-03-01'], 'a': None}
    """
    if value is None or isinstance(value, str | bool | int | Decimal):
        return value
    names = _NAMES.get(type(value))
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, Money):
        return {"amount": value.amount, "currency": value.currency}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(type(value)):
        _NAMES[type(value)] = tuple(a.name for a in attrs.fields(cast(Any, type(value))))
        return to_plain(value)
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    raise ValidationError(
        field="value",
        value=value,
        expected="a str, int, bool, Decimal, date, datetime, Money, enum, tuple or archive record",
        problem=f"a {type(value).__name__} can't be archived",
    )


def _number(value: Decimal | int, *, canonical_form: bool) -> str:
    if not canonical_form:
        return str(value)
    d = Decimal(value).normalize()
    if d.is_zero():
        return "0"
    return format(d, "f")


def _write(value: Plain, out: list[str], *, canonical_form: bool) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_quote(value))
    elif isinstance(value, int | Decimal):
        out.append(_number(value, canonical_form=canonical_form))
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, canonical_form=canonical_form)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for i, key in enumerate(sorted(value)):
            if i:
                out.append(",")
            out.append(_quote(key))
            out.append(":")
            _write(value[key], out, canonical_form=canonical_form)
        out.append("}")
    else:
        _write(to_plain(value), out, canonical_form=canonical_form)


def dumps(value: object) -> str:
    """Faithful JSON: sorted keys, no spaces, decimals exactly as written.

    Examples:
        >>> dumps({"b": Decimal("1.50"), "a": "上旬"})
        '{"a":"上旬","b":1.50}'
    """
    out: list[str] = []
    _write(to_plain(value), out, canonical_form=False)
    return "".join(out)


def canonical(value: object) -> str:
    """Canonical JSON: as :func:`dumps`, with every number in its shortest plain form.

    Examples:
        >>> canonical({"b": Decimal("1.50"), "a": [Decimal("1E+2"), 0, Decimal("-0.0")]})
        '{"a":[100,0,0],"b":1.5}'
    """
    out: list[str] = []
    _write(to_plain(value), out, canonical_form=True)
    return "".join(out)


def loads(text: str) -> Plain:
    """Read faithful or canonical JSON; non-integer numbers are read as exact decimals.

    Raises:
        ValidationError: The text is not JSON.
    """
    try:
        return _JSON.decode(text)
    except (json.JSONDecodeError, TypeError):
        raise ValidationError(
            field="json", value=text, expected="JSON text", problem="not JSON"
        ) from None


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` encoded as UTF-8, as 64 lower-case hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bad(tp: object, data: object, problem: str = "wrong kind of value") -> ValidationError:
    name = getattr(tp, "__name__", str(tp))
    return ValidationError(field="", value=data, expected=f"a {name}", problem=problem)


def _decimal(data: object) -> Decimal:
    try:
        return as_decimal(data, field="")
    except ValidationError:
        raise _bad(Decimal, data) from None


def _datetime(data: object) -> datetime:
    if isinstance(data, datetime):
        return data
    if isinstance(data, str):
        try:
            return datetime.fromisoformat(data)
        except ValueError:
            pass
    raise _bad(datetime, data, "not an ISO 8601 date-time")


def _money(data: object) -> Money:
    if isinstance(data, Money):
        return data
    if isinstance(data, dict) and set(data) == {"amount", "currency"}:
        return Money(data["amount"], data["currency"])
    raise _bad(Money, data)


def _scalar(tp: type, data: object) -> object:
    if tp is bool:
        if isinstance(data, bool):
            return data
    elif tp is int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
    elif isinstance(data, str):
        return data
    raise _bad(tp, data)


_SPECIAL: Final[dict[type, Callable[[object], object]]] = {
    Decimal: _decimal,
    date: lambda data: as_date(data, field=""),
    datetime: _datetime,
    Money: _money,
}

Decoder = Callable[[object], Any]
_DECODERS: dict[Any, Decoder] = {}


def from_plain(tp: Any, data: object) -> Any:
    """Rebuild a value of type ``tp`` from plain data.

    Supports ``str``, ``int``, ``bool``, ``Decimal``, ``date``, ``datetime``, ``Money``,
    enums, ``X | None``, ``tuple[X, ...]`` and attrs records made of those. The decoder
    for each type is built once and cached.

    Raises:
        ValidationError: The data does not fit ``tp``; ``field`` is the path inside it.

    Examples:
        >>> from kamcore.money import Money
        >>> from_plain(tuple[Money, ...], [{"amount": Decimal("1.50"), "currency": "CNY"}])
        (Money('1.50', 'CNY'),)
    """
    return _decoder(tp)(data)


def _decoder(tp: Any) -> Decoder:
    found = _DECODERS.get(tp)
    if found is None:
        found = _build(tp)
        _DECODERS[tp] = found
    return found


def _build(tp: Any) -> Decoder:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = (a for a in typing.get_args(tp) if a is not type(None))
        inner_decode = _decoder(inner)
        return lambda data: None if data is None else inner_decode(data)
    if origin is tuple:
        return _tuple_decoder(_decoder(typing.get_args(tp)[0]))
    special = _SPECIAL.get(tp)
    if special is not None:
        return special
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_decoder(tp)
    if isinstance(tp, type) and attrs.has(tp):
        return _record_decoder(tp)
    if tp in (str, int, bool):
        return lambda data: _scalar(tp, data)
    raise _bad(tp, None, "type not supported by the archive")


def _tuple_decoder(item: Decoder) -> Decoder:
    def decode(data: object) -> tuple[Any, ...]:
        if not isinstance(data, list | tuple):
            raise _bad(tuple, data, "not a list")
        items = []
        for i, value in enumerate(data):
            try:
                items.append(item(value))
            except ValidationError as exc:
                raise exc.at(f"[{i}]") from None
        return tuple(items)

    return decode


def _enum_decoder(tp: type[enum.Enum]) -> Decoder:
    def decode(data: object) -> enum.Enum:
        try:
            return tp(data)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            raise ValidationError(
                field="", value=data, expected=f"one of {allowed}", problem=f"not a {tp.__name__}"
            ) from None

    return decode


def _record_decoder(tp: type) -> Decoder:
    hints = typing.get_type_hints(tp)
    names = tuple(f.name for f in attrs.fields(tp))
    fields: dict[str, Decoder] = {}

    def decode(data: object) -> object:
        if not fields:
            fields.update({name: _decoder(hints[name]) for name in names})
        if not isinstance(data, dict):
            raise _bad(tp, data, "not a mapping")
        kwargs: dict[str, object] = {}
        for name, raw in data.items():
            field_decode = fields.get(name)
            if field_decode is None:
                raise ValidationError(
                    field=name,
                    value=name,
                    expected=f"one of: {', '.join(sorted(names))}",
                    problem="unknown field",
                )
            try:
                kwargs[name] = field_decode(raw)
            except ValidationError as exc:
                raise exc.at(name) from None
        try:
            return tp(**kwargs)
        except ValidationError:
            raise
        except (TypeError, ValueError) as exc:
            raise _bad(tp, data, f"{type(exc).__name__}: {exc}") from None

    return decode


def utc_iso(moment: datetime) -> str:
    """A timezone-aware date-time as ISO 8601 in UTC (the canonical time form)."""
    return moment.astimezone(UTC).isoformat()
