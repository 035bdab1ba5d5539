"""The one serialisation layer: cattrs hooks shared by the codec and the archive's exact JSON.

Both :mod:`kamcore.codec` (dicts, JSON, TOML policies) and :mod:`kamcore.archive`
(revision content, snapshots, loans, reviews) build their values back from plain data
with a :mod:`cattrs` converter whose hooks live here, so a wrong decimal, date, enum,
money amount or list gets the same words whichever door it came in by. Every problem
in a record is collected at once into one :class:`~kamcore.errors.RecordInvalid`.

The archive's side adds three exact forms of its own, lower than the domain packages
(the archive may not import :mod:`kamcore.codec`):

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
import math
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Final, TypeVar, cast

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)

from kamcore._convert import enum_of
from kamcore._validate import kind_of
from kamcore.calendar import as_date
from kamcore.errors import KamError, PolicyError, RecordInvalid, ValidationError
from kamcore.money import Money, as_decimal

__all__ = [
    "canonical",
    "collect",
    "dumps",
    "from_plain",
    "loads",
    "register_structure_hooks",
    "sha256_hex",
    "structure",
    "to_plain",
    "utc_iso",
]

T = TypeVar("T")

Plain = Any


# -- shared structure hooks ----------------------------------------------------------
def _structure_decimal(value: object, _: type) -> Decimal:
    return as_decimal(value, field="")


def _structure_bool(value: object, _: type) -> bool:
    # ``bool("false")`` is True: a yes/no field takes true or false only
    if isinstance(value, bool):
        return value
    raise ValidationError(field="", value=value, expected="true or false", problem="not a boolean")


def _structure_int(value: object, _: type) -> int:
    # ``int(5.9)`` is 5 and ``int(True)`` is 1: a whole-number field takes whole numbers
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise ValidationError(
        field="", value=value, expected="a whole number", problem="not a whole number"
    )


def _structure_str(value: object, _: type) -> str:
    # cattrs' default is ``str(value)``: ``123`` would read as ``'123'``, ``true`` as
    # ``'True'`` and a JSON ``NaN`` as ``'nan'``; text is taken only as text
    if isinstance(value, str):
        return value
    raise ValidationError(
        field="", value=value, expected="text", problem=f"{kind_of(value)}, not text"
    )


def _structure_float(value: object, _: type) -> float:
    raise ValidationError(
        field="", value=value, expected="an exact decimal", problem="floats are inexact"
    )


def _structure_finite_float(value: object, _: type) -> float:
    # a float field (a company's own class) takes a finite number; never NaN or ±Infinity
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        result = float(value)
        if math.isfinite(result):
            return result
        problem = "not a finite number"
    else:
        problem = "not a number"
    raise ValidationError(field="", value=value, expected="a finite number", problem=problem)


def _attrs_record(conv: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    """An attrs record only from a mapping of its fields (never ``'x' in None``)."""

    def factory(tp: Any) -> Callable[[object, Any], Any]:
        fields = conv.gen_structure_attrs_fromdict(tp)

        def structure_record(value: object, cl: Any) -> Any:
            if not isinstance(value, Mapping):
                raise ValidationError(
                    field="",
                    value=value,
                    expected=f"a mapping of {_name(tp)} fields: {_fields_of(tp)}",
                    problem=f"{kind_of(value)}, not a mapping",
                )
            return fields(value, cl)

        return structure_record

    return factory


def _is_record(tp: object) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _structure_date(value: object, _: type) -> date:
    return as_date(value, field="")


def _structure_datetime(value: object, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(
        field="",
        value=value,
        expected="an ISO 8601 date-time such as '2026-03-01T09:30:00+08:00'",
        problem="not a date-time",
    )


def _money_hook(*, strict: bool) -> Callable[[object, type], Money]:
    """Money from ``{"amount", "currency"}``; unless ``strict``, a bare amount in CNY too."""

    def structure_money(value: object, _: type) -> Money:
        if isinstance(value, Money):
            return value
        if not isinstance(value, Mapping):
            if strict:
                raise ValidationError(
                    field="",
                    value=value,
                    expected="a mapping with amount and currency",
                    problem="not a mapping",
                )
            # A bare number or decimal string is an amount in the default currency.
            return Money(cast("Any", value))
        errors: list[ValidationError] = [
            ValidationError(
                field=key, value=key, expected="one of: amount, currency", problem="unknown field"
            )
            for key in sorted(set(value) - {"amount", "currency"}, key=str)
        ]
        amount: Any = None
        if "amount" not in value:
            errors.insert(
                0,
                ValidationError(
                    field="amount", value=None, expected="an amount", problem="missing"
                ),
            )
        else:
            try:
                amount = as_decimal(value["amount"], field="amount")
            except ValidationError as exc:
                errors.insert(0, exc)
        if strict and "currency" not in value:
            errors.append(
                ValidationError(
                    field="currency", value=None, expected="a currency code", problem="missing"
                )
            )
        currency: Any = value.get("currency", "CNY")
        try:
            currency = Money(0, currency).currency
        except ValidationError as exc:
            errors.insert(1 if "amount" in value and amount is None else 0, exc)
        if errors:
            raise RecordInvalid("Money", errors)
        return Money._of(amount, currency)

    return structure_money


def _is_enum(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _structure_enum(value: object, tp: type[enum.Enum]) -> enum.Enum:
    return enum_of(value, tp, "")


def _is_homogeneous_tuple(tp: object) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    """``tuple[X, ...]`` from a list or tuple; a string or a mapping is refused, not split."""

    def factory(tp: Any) -> Callable[[object, Any], Any]:
        items = homogenous_tuple_structure_factory(tp, conv)

        def structure_tuple(value: object, tp: Any) -> Any:
            if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
                raise ValidationError(
                    field="", value=value, expected="a list", problem="not a list"
                )
            return items(value, tp)

        return structure_tuple

    return factory


def register_structure_hooks(conv: cattrs.Converter, *, strict: bool) -> None:
    """Register kamcore's structure hooks for its ground types on ``conv``.

    Decimals are exact (floats refused), booleans and whole numbers are taken only as
    such, dates and date-times from ISO text, enums by value with the accepted values
    named on refusal (a :class:`~kamcore._labels.Labelled` enum reads its Chinese label
    too), money from ``{"amount", "currency"}``, ``tuple[X, ...]`` from a list (never a
    string split into characters), text only from text (never ``str(123)``), and an
    attrs record only from a mapping.

    Args:
        conv: The converter to configure.
        strict: The archive's form: money only as a mapping that names its currency,
            never a float. Otherwise (policies, the codec) a bare amount is money in
            CNY, and a float field takes a finite number.
    """
    conv.register_structure_hook_factory(_is_record, _attrs_record(conv))
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(Money, _money_hook(strict=strict))
    # an enum value that is not one lists the ones that are (not a bare ValueError)
    conv.register_structure_hook_func(_is_enum, _structure_enum)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(conv))
    conv.register_structure_hook(float, _structure_float if strict else _structure_finite_float)


# -- errors: cattrs' exception tree as field errors with paths -------------------------
def _fields_of(cl: object) -> str:
    if isinstance(cl, type) and attrs.has(cl):
        return ", ".join(a.alias for a in attrs.fields(cl) if a.init)
    return "the fields of the record"


def _join(path: str, part: str) -> str:
    if part.startswith("["):
        return f"{path}{part}"
    return f"{path}.{part}" if path else part


def collect(exc: BaseException, path: str, out: list[ValidationError]) -> None:
    """Flatten cattrs' exception tree into field errors with dotted paths, into ``out``."""
    if isinstance(exc, RecordInvalid):
        out.extend(err.at(path) if path else err for err in exc.errors)
    elif isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub_err, note in with_notes:
            name = getattr(note, "name", None)
            index = getattr(note, "index", None)
            part = f"[{index!r}]" if name is None else str(name)
            collect(sub_err, _join(path, part), out)
        for sub_plain in without:
            collect(sub_plain, path, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        known = _fields_of(exc.cl)
        out.extend(
            ValidationError(
                field=_join(path, key),
                value=key,
                expected=f"one of: {known}",
                problem="unknown field",
            )
            for key in sorted(exc.extra_fields)
        )
    elif isinstance(exc, ValidationError):
        out.append(exc.at(path) if path else exc)
    elif isinstance(exc, KeyError):
        out.append(
            ValidationError(field=path, value=None, expected="a value", problem="missing field")
        )
    elif isinstance(exc, BaseExceptionGroup):
        sub_exc: BaseException
        for sub_exc in exc.exceptions:
            collect(sub_exc, path, out)
    elif isinstance(exc, PolicyError):
        out.append(
            ValidationError(
                field=_join(path, exc.part) if exc.part else path,
                value=None,
                expected=f"a consistent {exc.policy or 'policy'}",
                problem=exc.detail,
            )
        )
    elif isinstance(exc, KamError):
        out.append(
            ValidationError(field=path, value=None, expected="a consistent value", problem=str(exc))
        )
    else:
        out.append(
            ValidationError(
                field=path,
                value=None,
                expected="a value of the declared type",
                problem=f"{type(exc).__name__}: {exc}",
            )
        )


def _name(cl: object) -> str:
    return getattr(cl, "__name__", None) or str(cl)


def structure(conv: cattrs.Converter, cl: Any, data: object) -> Any:
    """``data`` structured as ``cl`` by ``conv``; every problem in one :class:`RecordInvalid`.

    Raises:
        RecordInvalid: Every problem found, each with its field path.
    """
    try:
        return conv.structure(data, cl)
    except RecordInvalid as exc:
        raise RecordInvalid(_name(cl), exc.errors) from None
    except RecursionError:
        raise RecordInvalid(
            _name(cl),
            [
                ValidationError(
                    field="",
                    value=type(data).__name__,
                    expected=f"data shaped like a {_name(cl)}",
                    problem="nested too deeply (depth limit)",
                )
            ],
        ) from None
    except (
        ClassValidationError,
        IterableValidationError,
        ForbiddenExtraKeysError,
        ValidationError,
        KamError,
    ) as exc:
        errors: list[ValidationError] = []
        collect(exc, "", errors)
        raise RecordInvalid(_name(cl), errors) from None
    except StructureHandlerNotFoundError:
        raise RecordInvalid(
            _name(cl),
            [
                ValidationError(
                    field="",
                    value=cl,
                    expected="a type kamcore can build from plain data (an attrs class, "
                    "a value type, an enum, or a tuple, list or union of them)",
                    problem=f"no way to build {kind_of(cl)} {_name(cl)!r}",
                )
            ],
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise RecordInvalid(
            _name(cl),
            [
                ValidationError(
                    field="",
                    value=data,
                    expected=f"data shaped like a {_name(cl)}",
                    problem=f"{type(exc).__name__}: {exc}",
                )
            ],
        ) from None


# -- the archive's exact plain data ----------------------------------------------------
def _refuse(value: object) -> Any:
    raise ValidationError(
        field="value",
        value=value,
        expected="a str, int, bool, Decimal, date, datetime, Money, enum, tuple or archive record",
        problem=f"a {type(value).__name__} can't be archived",
    )


def _unstructure_money(value: Money) -> dict[str, Any]:
    return {"amount": value.amount, "currency": value.currency}


def _exact_converter() -> cattrs.Converter:
    conv = cattrs.Converter(
        forbid_extra_keys=True,
        detailed_validation=True,
        unstruct_collection_overrides={tuple: list},
    )
    register_structure_hooks(conv, strict=True)
    conv.register_unstructure_hook(Decimal, lambda d: d)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(Money, _unstructure_money)
    conv.register_unstructure_hook_func(_is_enum, lambda e: e.value)
    conv.register_unstructure_hook(float, _refuse)
    conv.register_unstructure_hook(dict, _unstructure_dict)
    conv.register_unstructure_hook(list, _unstructure_list)
    conv.register_unstructure_hook(tuple, _unstructure_list)
    return conv


def _unstructure_dict(value: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): _EXACT.unstructure(v) for k, v in value.items()}


def _unstructure_list(value: Iterable[Any]) -> list[Any]:
    return [_EXACT.unstructure(v) for v in value]


#: The archive's converter: exact decimals, strict text and money (see :func:`from_plain`).
_EXACT: Final = _exact_converter()
_PLAIN: Final = (str, bool, int, Decimal, type(None), list, dict)


def to_plain(value: object) -> Plain:
    """Turn an archive value into plain data (decimals stay :class:`Decimal`).

    Raises:
        ValidationError: ``value`` holds something the archive can't hold (a float).

    Examples:
        >>> to_plain({"b": (Decimal("1.50"), date(2026, 3, 1)), "a": None})
        {'b': [Decimal('1.50'), '2026-03-01'], 'a': None}
    """
    plain = _EXACT.unstructure(value)
    if not isinstance(plain, _PLAIN):
        _refuse(value)
    return plain


def from_plain(tp: Any, data: object) -> Any:
    """Rebuild a value of type ``tp`` from the archive's plain data.

    Supports ``str``, ``int``, ``bool``, ``Decimal``, ``date``, ``datetime``, ``Money``,
    enums, ``X | None``, ``tuple[X, ...]`` and attrs records made of those.

    Raises:
        RecordInvalid: The data does not fit ``tp``; each problem names its path.

    Examples:
        >>> from_plain(tuple[Money, ...], [{"amount": Decimal("1.50"), "currency": "CNY"}])
        (Money('1.50', 'CNY'),)
    """
    return structure(_EXACT, tp, data)


_JSON: Final = json.JSONDecoder(parse_float=Decimal)
#: JSON string quoting that keeps non-ASCII text as is (what ``ensure_ascii=False`` uses).
_quote: Final[Callable[[str], str]] = encode_basestring


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
    else:  # pragma: no cover - to_plain gives only the kinds above
        _refuse(value)


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


def utc_iso(moment: datetime) -> str:
    """A timezone-aware date-time as ISO 8601 in UTC (the canonical time form)."""
    return moment.astimezone(UTC).isoformat()
