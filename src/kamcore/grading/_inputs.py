"""Input converters and Decimal constants shared by the grading types.

The converters give clear errors instead of bare ones (``enum_of`` and ``tuple_of`` are
the shared ones of :mod:`kamcore._convert`); the constants (``ZERO``, ``ONE``) are the
exact numbers the grading arithmetic starts from, defined once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from kamcore._convert import enum_of, tuple_of
from kamcore.errors import ValidationError

__all__ = ["ONE", "ZERO", "enum_of", "flag", "tuple_of"]

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)


def flag(value: object, field: str) -> bool:
    """``value`` if it is a bool.

    Raises:
        ValidationError: Anything else (``1``, ``"yes"``, ``None``).
    """
    if not isinstance(value, bool):
        raise ValidationError(field=field, value=value, expected="true or false")
    return value
