"""Input converters and Decimal constants shared by the grading types.

The converters give clear errors instead of bare ones (``enum_of`` and ``tuple_of`` are
the shared ones of :mod:`kamcore._convert`); the constants (``ZERO``, ``ONE``) are the
exact numbers the grading arithmetic starts from, defined once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final, TypeVar

from kamcore._convert import enum_of, tuple_of
from kamcore._validate import sequence
from kamcore.errors import ValidationError

__all__ = ["ONE", "ZERO", "enum_of", "flag", "instance", "items_of", "tuple_of"]

T = TypeVar("T")

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


def instance(value: object, cls: type[T], field: str, *, expected: str | None = None) -> T:
    """``value`` if it is a ``cls`` (a policy, a ladder, a record).

    Raises:
        ValidationError: Anything else (``None``, a dict, a string), naming ``field``.

    Examples:
        >>> instance(None, Decimal, "score")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: score: a NoneType; expected a Decimal
    """
    if isinstance(value, cls):
        return value
    raise ValidationError(
        field=field,
        value=value,
        expected=expected or _a(cls.__name__),
        problem=_a(type(value).__name__),
    )


def _a(name: str) -> str:
    """``name`` with its article: ``'a Score'``, ``'an AbcPolicy'``."""
    return f"{'an' if name[:1] in set('AEIOUaeiou') else 'a'} {name}"


def items_of(value: object, cls: type[T], field: str) -> tuple[T, ...]:
    """``value`` as a tuple of ``cls`` (a population of facts, a list of reviews).

    Raises:
        ValidationError: Not a sequence (``field``), or an item that is not a ``cls``
            (``field[i]``).
    """
    items: tuple[Any, ...] = sequence(value, field, expected=f"a sequence of {cls.__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, cls):
            instance(item, cls, f"{field}[{i}]")
    return items
