"""The checks every domain package runs on what a caller hands it, in one place.

Each function takes the value and the name of the field it came from, returns the value
in its checked form, and raises :class:`~kamcore.errors.ValidationError` naming the
field, the value, what was wrong and what would be accepted. The ``*_field`` factories
give the same checks as :mod:`attrs` fields.

The domain packages (grading, pipeline, rebate, archive) use these instead of helpers
of their own, so that the same wrong input gets the same words everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from kamcore.calendar import as_date
from kamcore.errors import ValidationError
from kamcore.money import Money, as_decimal

__all__ = [
    "checked",
    "count",
    "day",
    "decimal_in",
    "is_text",
    "moment",
    "money",
    "required_text",
    "sequence",
    "text",
    "text_field",
    "texts",
    "texts_field",
    "whole",
]

T = TypeVar("T")

_MOMENT_EXPECTED = "a datetime.datetime or an ISO date-time string 'YYYY-MM-DDTHH:MM'"


def _kind(value: object) -> str:
    return f"a {type(value).__name__}"


def text(value: object, field: str, *, required: bool = True, expected: str | None = None) -> str:
    """``value`` if it is a string (and, when ``required``, not blank).

    Examples:
        >>> text("小李", "by")
        '小李'
        >>> text("  ", "by")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: by: blank (got '  '); expected a non-blank string
    """
    if type(value) is str and (not required or value.strip()):
        return value
    if expected is None:
        expected = "a non-blank string" if required else "a string"
    raise ValidationError(
        field=field,
        value=value,
        expected=expected,
        problem="blank" if isinstance(value, str) else _kind(value),
    )


def sequence(value: object, field: str, *, expected: str = "a list or tuple") -> tuple[Any, ...]:
    """``value`` as a tuple: any iterable except a string, bytes, a mapping or ``None``.

    Examples:
        >>> sequence(["a", "b"], "met")
        ('a', 'b')
        >>> sequence(None, "met")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: met: a NoneType, not a sequence; expected a list or tuple
    """
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        raise ValidationError(
            field=field, value=value, expected=expected, problem=f"{_kind(value)}, not a sequence"
        )
    return tuple(value)


def texts(value: object, field: str, *, required: bool = True) -> tuple[str, ...]:
    """``value`` as a tuple of strings, each checked like :func:`text` (``field[i]``).

    Examples:
        >>> texts(["甲", "乙"], "met")
        ('甲', '乙')
    """
    items = sequence(value, field, expected="a list of strings")
    for i, item in enumerate(items):
        text(item, f"{field}[{i}]", required=required)
    return items


def whole(
    value: object,
    field: str,
    *,
    low: int | None = None,
    high: int | None = None,
    expected: str | None = None,
) -> int:
    """``value`` if it is an ``int`` (never a bool or float) within ``[low, high]``.

    Examples:
        >>> whole(3, "count", low=0)
        3
        >>> whole(-1, "count", low=0)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: count: below 0 (got -1); expected a whole number ≥ 0
    """
    if expected is None:
        parts = ["a whole number"]
        if low is not None:
            parts.append(f"≥ {low}")
        if high is not None:
            parts.append(f"≤ {high}")
        expected = " ".join(parts)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field=field, value=value, expected=expected, problem=_kind(value))
    if low is not None and value < low:
        raise ValidationError(field=field, value=value, expected=expected, problem=f"below {low}")
    if high is not None and value > high:
        raise ValidationError(field=field, value=value, expected=expected, problem=f"above {high}")
    return value


def count(value: object, field: str = "count") -> int:
    """``value`` if it is a whole number ≥ 0.

    Examples:
        >>> count(0)
        0
    """
    return whole(value, field, low=0)


def decimal_in(
    value: object,
    field: str,
    *,
    low: Decimal | int | None = None,
    high: Decimal | int | None = None,
    expected: str | None = None,
) -> Decimal:
    """``value`` as an exact, finite Decimal within ``[low, high]`` (floats refused).

    Examples:
        >>> decimal_in("0.5", "weight", low=0, high=1)
        Decimal('0.5')
        >>> decimal_in("2", "weight", low=0, high=1)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: weight: above 1 (got '2'); expected a number from 0 to 1
    """
    if expected is None:
        if low is not None and high is not None:
            expected = f"a number from {low} to {high}"
        elif low is not None:
            expected = f"a number ≥ {low}"
        elif high is not None:
            expected = f"a number ≤ {high}"
        else:
            expected = "a decimal number such as '0.5'"
    result = as_decimal(value, field=field, expected=expected)
    if low is not None and result < low:
        raise ValidationError(field=field, value=value, expected=expected, problem=f"below {low}")
    if high is not None and result > high:
        raise ValidationError(field=field, value=value, expected=expected, problem=f"above {high}")
    return result


def money(
    value: object,
    field: str = "amount",
    *,
    currency: str | None = None,
    non_negative: bool = False,
) -> Money:
    """``value`` as :class:`~kamcore.money.Money`: Money itself, or an exact amount.

    Args:
        value: Money, or a Decimal, int or decimal string (read in the default currency).
        field: The name reported in an error.
        currency: When given, the amount must be in this currency.
        non_negative: Refuse an amount below zero.

    Examples:
        >>> money("12.50")
        Money('12.50', 'CNY')
        >>> money("-1", non_negative=True)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: amount: negative (got Money('-1', 'CNY')); expected zero or more
    """  # noqa: E501
    result = value if isinstance(value, Money) else Money(as_decimal(value, field=field))
    if non_negative and result.amount < 0:
        raise ValidationError(
            field=field, value=result, expected="zero or more", problem="negative"
        )
    if currency is not None and result.currency != currency:
        raise ValidationError(
            field=field,
            value=result,
            expected=f"an amount in {currency}",
            problem=f"in {result.currency}",
        )
    return result


def day(value: object, field: str = "on") -> date:
    """``value`` as a calendar day: a ``date`` or an ISO ``'YYYY-MM-DD'`` string.

    Examples:
        >>> day("2026-04-05")
        datetime.date(2026, 4, 5)
    """
    if type(value) is date:
        return value
    return as_date(value, field=field)


def moment(value: object, field: str = "at") -> datetime:
    """``value`` as a point in time: a ``datetime`` or an ISO date-time string.

    A bare date is refused: where kamcore asks for a moment (approvals, loans), the
    rules count hours.

    Examples:
        >>> moment("2026-04-05T09:30")
        datetime.datetime(2026, 4, 5, 9, 30)
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                field=field, value=value, expected=_MOMENT_EXPECTED, problem="not a date-time"
            ) from None
    problem = (
        "a date without a time; this rule counts hours" if isinstance(value, date) else _kind(value)
    )
    raise ValidationError(field=field, value=value, expected=_MOMENT_EXPECTED, problem=problem)


# -- attrs validators and fields -----------------------------------------------------
def is_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a string (blank allowed)."""
    text(value, attribute.name, required=False)


def required_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator: the field holds a non-blank string."""
    text(value, attribute.name)


def text_field(*, default: str = "") -> Any:
    """An attrs field holding a string, blank by default."""
    return attrs.field(default=default, validator=is_text)


def _as_texts(value: object) -> tuple[str, ...]:
    return texts(value, "", required=False)


def texts_field() -> Any:
    """An attrs field holding a tuple of strings, empty by default (lists accepted)."""
    return attrs.field(default=(), converter=_as_texts)


def checked(check: Callable[[object, str], T], field: str) -> Callable[[object], T]:
    """``check`` with its field name bound, for use as an attrs converter."""

    def convert(value: object) -> T:
        return check(value, field)

    return convert
