"""Converters shared by every module's frozen types: clear errors instead of bare ones.

The ``*_converter`` factories return typed one-argument converters bound to a field
name; the ``*_field`` factories give the same conversions as :mod:`attrs` fields that
name the field they belong to. Use a ``*_field`` inside an attrs class: the attrs
plugin of mypy reads only named functions as converters, and reads a ``*_field`` as a
field of the declared type.

Examples:
    >>> import enum, attrs
    >>> class Colour(enum.Enum):
    ...     RED = "red"
    >>> @attrs.frozen
    ... class Paint:
    ...     colour: Colour = enum_field(Colour, default=Colour.RED)
    >>> Paint("red").colour
    <Colour.RED: 'red'>
    >>> Paint("blue")
    Traceback (most recent call last):
    ...
    kamcore.errors.ValidationError: colour: not a Colour (got 'blue'); expected one of: red
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs

from kamcore._labels import accepted
from kamcore.errors import ValidationError

__all__ = [
    "enum_converter",
    "enum_field",
    "enum_of",
    "enums_field",
    "tuple_converter",
    "tuple_field",
    "tuple_of",
]

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")


def enum_of(value: object, cls: type[E], field: str) -> E:
    """``value`` as a member of enum ``cls`` (a member or its value).

    Raises:
        ValidationError: Naming the field and the accepted values.
    """
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        raise ValidationError(
            field=field,
            value=value,
            expected="one of: " + accepted(cls),
            problem=f"not a {cls.__name__}",
        ) from None


def _items(value: object, field: str, expected: str) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(field=field, value=value, expected=expected, problem="not a sequence")
    return tuple(value)


def tuple_of(value: object, cls: type[T], field: str) -> tuple[T, ...]:
    """``value`` as a tuple whose every item is a ``cls``.

    Raises:
        ValidationError: Not a sequence, or an item of another type (naming its index).

    Examples:
        >>> tuple_of(["a", "b"], str, "names")
        ('a', 'b')
        >>> tuple_of(["a", 2], str, "names")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: names[1]: wrong type (got 2); expected a str
    """
    items = _items(value, field, f"a sequence of {cls.__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise ValidationError(
                field=f"{field}[{i}]",
                value=item,
                expected=f"a {cls.__name__}",
                problem="wrong type",
            )
    return items


def enum_converter(cls: type[E], field: str) -> Callable[[object], E]:
    """A converter to a member of enum ``cls``, naming ``field`` in its errors.

    Examples:
        >>> import enum
        >>> class Side(enum.Enum):
        ...     BUY = "buy"
        >>> enum_converter(Side, "side")("buy")
        <Side.BUY: 'buy'>
    """

    def convert(value: object) -> E:
        return enum_of(value, cls, field)

    return convert


def tuple_converter(cls: type[T], field: str) -> Callable[[object], tuple[T, ...]]:
    """A converter to a tuple of ``cls`` items, naming ``field`` in its errors.

    Examples:
        >>> tuple_converter(int, "sizes")([1, 2])
        (1, 2)
    """

    def convert(value: object) -> tuple[T, ...]:
        return tuple_of(value, cls, field)

    return convert


def _enum_on_field(cls: type[E], *, optional: bool) -> attrs.Converter[Any, E | None]:
    def convert(value: object, field: attrs.Attribute[Any]) -> E | None:
        if optional and value is None:
            return None
        return enum_of(value, cls, field.alias or field.name)

    return attrs.Converter(convert, takes_field=True)


def _tuple_on_field(cls: type[T]) -> attrs.Converter[Any, tuple[T, ...]]:
    def convert(value: object, field: attrs.Attribute[Any]) -> tuple[T, ...]:
        return tuple_of(value, cls, field.alias or field.name)

    return attrs.Converter(convert, takes_field=True)


def enum_field(cls: type[E], *, default: E | attrs.NothingType | None = attrs.NOTHING) -> Any:
    """An attrs field holding a member of ``cls`` (its value accepted), errors naming it.

    Args:
        cls: The enum.
        default: The member it holds when not given; none means the field is required.
            ``None`` makes the field optional: it then holds ``None`` or a member.
    """
    return attrs.field(default=default, converter=_enum_on_field(cls, optional=default is None))


def tuple_field(
    cls: type[Any],
    *,
    default: tuple[Any, ...] | attrs.NothingType = (),
    validator: Callable[[Any, attrs.Attribute[Any], Any], None] | None = None,
) -> Any:
    """An attrs field holding a tuple of ``cls`` (any sequence accepted), errors naming it.

    Args:
        cls: The type of every item.
        default: The tuple it holds when not given (empty); ``attrs.NOTHING`` to require it.
        validator: An attrs validator run on the tuple.
    """
    return attrs.field(default=default, converter=_tuple_on_field(cls), validator=validator)


def _enums_on_field(cls: type[E]) -> attrs.Converter[Any, tuple[E, ...]]:
    def convert(value: object, field: attrs.Attribute[Any]) -> tuple[E, ...]:
        name = field.alias or field.name
        items = _items(value, name, f"a sequence of {cls.__name__} values")
        return tuple(enum_of(v, cls, f"{name}[{i}]") for i, v in enumerate(items))

    return attrs.Converter(convert, takes_field=True)


def enums_field(cls: type[E], *, default: tuple[E, ...] = ()) -> Any:
    """An attrs field holding a tuple of members of ``cls`` (values accepted), errors naming it.

    Args:
        cls: The enum.
        default: The tuple it holds when not given (empty).
    """
    return attrs.field(default=default, converter=_enums_on_field(cls))
