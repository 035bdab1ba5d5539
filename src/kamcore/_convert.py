"""Converters shared by every module's frozen types: clear errors instead of bare ones."""

from __future__ import annotations

import enum
from typing import TypeVar

from kamcore.errors import ValidationError

__all__ = ["enum_of"]

E = TypeVar("E", bound=enum.Enum)


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
            expected="one of: " + ", ".join(str(m.value) for m in cls),
            problem=f"not a {cls.__name__}",
        ) from None
