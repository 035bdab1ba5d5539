"""Input converters shared by the grading types: clear errors instead of bare ones."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, TypeVar

from kamcore.errors import ValidationError

__all__ = ["enum_of", "tuple_of"]

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)


def tuple_of(value: Any, cls: type[T], field: str) -> tuple[T, ...]:
    """``value`` as a tuple whose every item is a ``cls``.

    Raises:
        ValidationError: Not a sequence, or an item of another type (naming its index).
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(
            field=field,
            value=value,
            expected=f"a sequence of {cls.__name__}",
            problem="not a sequence",
        )
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            raise ValidationError(
                field=f"{field}[{i}]",
                value=item,
                expected=f"a {cls.__name__}",
                problem="wrong type",
            )
    return items


def enum_of(value: object, cls: type[E], field: str) -> E:
    """``value`` as a member of enum ``cls`` (a member or its value).

    Raises:
        ValidationError: Naming the accepted values.
    """
    if isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        raise ValidationError(
            field=field,
            value=value,
            expected="one of: " + ", ".join(str(m.value) for m in cls),
            problem=f"not a {cls.__name__}",
        ) from None
