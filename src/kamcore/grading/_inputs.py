"""Input converters shared by the grading types: clear errors instead of bare ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from kamcore._convert import enum_of
from kamcore.errors import ValidationError

__all__ = ["enum_of", "tuple_of"]

T = TypeVar("T")


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
