"""The archive's enums that carry a Chinese label beside their value.

Examples:
    >>> class Colour(Labelled):
    ...     RED = "red", "红"
    >>> Colour("red").zh, Colour.RED.value
    ('红', 'red')
"""

from __future__ import annotations

import enum
from typing import Self

__all__ = ["Labelled"]


class Labelled(enum.Enum):
    """An enum whose members are written ``MEMBER = "value", "中文"``; ``.zh`` is the label."""

    _value_: str
    zh: str

    def __new__(cls, value: object, zh: str = "") -> Self:
        """Make a member with its value and Chinese label (the signature lookups type-check)."""
        member = object.__new__(cls)
        member._value_ = str(value)
        member.zh = zh
        return member
