"""Enums that carry a Chinese label beside their value, and read either one back.

A member is written ``MEMBER = "value", "中文"``; ``.zh`` is its label. Looking a member
up accepts the value, the Chinese label, or the value in another case, so what a
Chinese-speaking user types (``Confidentiality("秘密")``) reads as what the English
value says; an unknown value is refused listing both.

Examples:
    >>> class Colour(Labelled):
    ...     RED = "red", "红"
    ...     BLUE = "blue", "蓝"
    >>> Colour("red").zh, Colour("红"), Colour(" Blue ")
    ('红', <Colour.RED: 'red'>, <Colour.BLUE: 'blue'>)
    >>> Colour.accepted()
    'red (红), blue (蓝)'
"""

from __future__ import annotations

import enum
from typing import Self

__all__ = ["Labelled", "accepted"]


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

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        text = value.strip()
        for member in cls:
            if text in (member.zh, member.value) or text.casefold() == member.value.casefold():
                return member
        return None

    @classmethod
    def accepted(cls) -> str:
        """The accepted values with their Chinese labels: ``'secret (秘密), …'``."""
        return accepted(cls)


def accepted(cls: type[enum.Enum]) -> str:
    """The values of enum ``cls``, each with its Chinese label where it has one.

    Examples:
        >>> import enum
        >>> class Mode(enum.Enum):
        ...     FAST = "fast"
        >>> accepted(Mode)
        'fast'
    """
    labels = ((m.value, getattr(m, "zh", None)) for m in cls)
    return ", ".join(
        f"{value} ({zh})" if isinstance(zh, str) and zh else str(value) for value, zh in labels
    )
