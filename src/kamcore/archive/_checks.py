"""Checks the archive's modules share: an argument of the right type, a true/false field.

They raise :class:`~kamcore.errors.ValidationError` naming the argument or field, as
:mod:`kamcore._validate` does for text, numbers and dates.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

from kamcore._validate import sequence
from kamcore.errors import ValidationError

__all__ = ["flag", "flag_field", "instance", "instances"]

T = TypeVar("T")


def instance(value: object, cls: type[T], field: str) -> T:
    """``value`` if it is a ``cls``; else a :class:`ValidationError` naming ``field``.

    Examples:
        >>> from kamcore.archive import Dossier
        >>> instance(None, Dossier, "dossier")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: dossier: a NoneType, not a Dossier; expected a kamcore.archive.Dossier
    """  # noqa: E501
    if not isinstance(value, cls):
        raise ValidationError(
            field=field,
            value=value,
            expected=f"a kamcore.archive.{cls.__name__}",
            problem=f"a {type(value).__name__}, not a {cls.__name__}",
        )
    return value


def instances(value: object, cls: type[T], field: str) -> tuple[T, ...]:
    """``value`` as a tuple of ``cls``: any sequence (not text, not ``None``) of them.

    Errors name ``field``, or ``field[i]`` for an item of the wrong type.
    """
    items = sequence(value, field, expected=f"a list of kamcore.archive.{cls.__name__}")
    for i, item in enumerate(items):
        instance(item, cls, f"{field}[{i}]")
    return items


def flag(value: object, field: str, *, expected: str = "True or False") -> bool:
    """``value`` if it is a bool (never ``'no'``, ``0`` or ``None``)."""
    if not isinstance(value, bool):
        raise ValidationError(
            field=field,
            value=value,
            expected=expected,
            problem=f"a {type(value).__name__}, not a bool",
        )
    return value


def _is_flag(optional: bool) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if optional and value is None:
            return
        if not isinstance(value, bool):
            raise ValidationError(
                field=attribute.alias or attribute.name,
                value=value,
                expected="True or False" + (" (or None: not known)" if optional else ""),
                problem=f"a {type(value).__name__}, not a bool",
            )

    return check


def flag_field(*, default: bool | None = False, optional: bool = False) -> Any:
    """An attrs field holding ``True`` or ``False`` (``None`` too when ``optional``).

    Only a real bool is accepted: ``'no'`` or ``0`` is refused rather than read as
    truthy or falsy.
    """
    return attrs.field(default=default, validator=_is_flag(optional))
