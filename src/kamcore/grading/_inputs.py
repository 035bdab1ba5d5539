"""Input converters and Decimal constants shared by the grading types.

The converters give clear errors instead of bare ones; the constants (``ZERO``,
``ONE``) are the exact numbers the grading arithmetic starts from, defined once.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Final, TypeVar

from kamcore._convert import enum_of
from kamcore.errors import ValidationError

__all__ = ["ONE", "ZERO", "enum_of", "tuple_of"]

T = TypeVar("T")

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)


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
