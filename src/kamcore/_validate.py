"""The checks every domain package runs on what a caller hands it, in one place.

Each function takes the value and the name of the field it came from, returns the value
in its checked form, and raises :class:`~kamcore.errors.ValidationError` naming the
field, the value, what was wrong and what would be accepted. The ``*_field`` factories
give the same checks as :mod:`attrs` fields.

The domain packages (grading, pipeline, rebate, archive) use these instead of helpers
of their own, so that the same wrong input gets the same words everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import attrs

from kamcore.calendar import as_date
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money, Rate, as_decimal

__all__ = [
    "checked",
    "checked_field",
    "count",
    "day",
    "decimal_in",
    "instance_of",
    "is_text",
    "kind_of",
    "moment",
    "money",
    "path",
    "policy_rows",
    "rate",
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


def _as_texts(value: object, field: attrs.Attribute[Any]) -> tuple[str, ...]:
    return texts(value, field.alias or field.name, required=False)


def texts_field(*, default: tuple[str, ...] = ()) -> Any:
    """An attrs field holding a tuple of strings, empty by default (lists accepted)."""
    return attrs.field(default=default, converter=attrs.Converter(_as_texts, takes_field=True))


def checked_field(
    check: Callable[[object, str], object],
    *,
    default: object = attrs.NOTHING,
    factory: Callable[[], object] | None = None,
    optional: bool = False,
) -> Any:
    """An attrs field whose value goes through ``check(value, <the field's name>)``.

    Any check of this module fits (:func:`money`, :func:`count`, :func:`day`, ...), so
    an error names the field without a converter written for it.

    Args:
        check: The check; its result is the value the field holds.
        default: The value when not given (not checked); none means required.
        factory: Instead of ``default``, a callable making the value.
        optional: Let ``None`` through unchecked.

    Examples:
        >>> @attrs.frozen
        ... class Visit:
        ...     staff: int | None = checked_field(count, default=None, optional=True)
        >>> Visit(3).staff, Visit(None).staff
        (3, None)
        >>> Visit(-1)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: staff: below 0 (got -1); expected a whole number ≥ 0
    """

    def convert(value: object, field: attrs.Attribute[Any]) -> object:
        if optional and value is None:
            return None
        return check(value, field.alias or field.name)

    converter = attrs.Converter(convert, takes_field=True)
    if factory is not None:
        return attrs.field(factory=factory, converter=converter)
    return attrs.field(default=default, converter=converter)


def checked(check: Callable[[object, str], T], field: str) -> Callable[[object], T]:
    """``check`` with its field name bound, for use as an attrs converter."""

    def convert(value: object) -> T:
        return check(value, field)

    return convert


def rate(value: object) -> Rate:
    """``value`` as a :class:`~kamcore.money.Rate`: a Rate, ``'8%'``, ``'0.08'`` or a number.

    A string ending in ``%`` is a percentage; anything else is a fraction, checked by
    :class:`~kamcore.money.Rate` itself (its error names the field ``rate``).

    Examples:
        >>> rate("8%"), rate("0.08"), rate(1)
        (Rate('0.08'), Rate('0.08'), Rate('1'))
    """
    if isinstance(value, Rate):
        return value
    return Rate.parse(value) if isinstance(value, str) else Rate(value)


def policy_rows(
    rows: Iterable[object],
    cls: type[T],
    *,
    policy: str,
    part: str,
    key: Callable[[T], object],
    noun: str,
    empty: str,
    blank: str,
) -> tuple[T, ...]:
    """Check a policy's rows: at least one; each a ``cls``; keys non-blank and unique.

    Unlike the other checks this raises :class:`~kamcore.errors.PolicyError`: the rows
    are the policy's own (its steps, its rates), so the error names the policy and the
    row (``part[i]``).

    Args:
        rows: The rows, in order.
        cls: The type every row must have.
        policy: The policy's name, for errors.
        part: The field holding the rows (``"steps"``), for errors.
        key: A row's key, which must be a non-blank string unique among the rows.
        noun: What a key is (``"step"``), in the duplicate error.
        empty: The message for no rows at all.
        blank: The message for a blank (or non-string) key.

    Returns:
        The rows as a tuple.

    Raises:
        PolicyError: No rows, a row of another type, a blank key or a key twice.

    Examples:
        >>> policy_rows(["a", "a"], str, policy="Chain", part="steps", key=str.upper,
        ...             noun="step", empty="no steps", blank="a blank step")
        Traceback (most recent call last):
        ...
        kamcore.errors.PolicyError: Chain steps[1]: step 'A' appears twice
    """
    items = tuple(rows)
    if not items:
        raise PolicyError(empty, policy=policy)
    article = "an" if cls.__name__[:1] in "AEIOU" else "a"
    seen: set[object] = set()
    out: list[T] = []
    for i, row in enumerate(items):
        where = f"{part}[{i}]"
        if not isinstance(row, cls):
            raise PolicyError(
                f"expected {article} {cls.__name__}, got {type(row).__name__}",
                policy=policy,
                part=where,
            )
        k = key(row)
        if not isinstance(k, str) or not k.strip():
            raise PolicyError(blank, policy=policy, part=where)
        if k in seen:
            raise PolicyError(f"{noun} {k!r} appears twice", policy=policy, part=where)
        seen.add(k)
        out.append(row)
    return tuple(out)


def kind_of(value: object) -> str:
    """The kind of ``value`` with its article, for an error's problem: ``'an int'``.

    Examples:
        >>> kind_of(1), kind_of(None), kind_of("x")
        ('an int', 'a NoneType', 'a str')
    """
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name}"


def instance_of(value: object, cls: type[T], field: str, *, expected: str | None = None) -> T:
    """``value`` if it is a ``cls`` (a policy, a record), else an error naming ``field``.

    Examples:
        >>> instance_of(None, int, "rule", expected="an AttainmentRule")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: rule: a NoneType; expected an AttainmentRule
    """
    if isinstance(value, cls):
        return value
    if expected is None:
        name = cls.__name__
        expected = f"{'an' if name[:1] in 'AEIOUaeiou' else 'a'} {name}"
    raise ValidationError(field=field, value=value, expected=expected, problem=kind_of(value))


def path(value: object, field: str, *, expected: str = "a file path") -> Path:
    """``value`` as a :class:`~pathlib.Path`: a non-blank string or an ``os.PathLike``.

    Only the type is checked; whether the file exists is the caller's question.

    Examples:
        >>> path("data/accounts.csv", "source")
        PosixPath('data/accounts.csv')
        >>> path(None, "source")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: source: a NoneType; expected a file path
    """
    if isinstance(value, str):
        return Path(text(value, field, expected=expected))
    if isinstance(value, os.PathLike) and isinstance(os.fspath(value), str):
        return Path(value)
    raise ValidationError(field=field, value=value, expected=expected, problem=kind_of(value))
