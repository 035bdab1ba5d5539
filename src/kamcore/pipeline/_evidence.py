"""Evidence about an opportunity: typed facts, the evidence they make up, and its fields."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from kamcore._validate import required_text
from kamcore.errors import ValidationError
from kamcore.money import Money, as_decimal


class FactKind(enum.Enum):
    """The type of an evidence field: text, a number, a date or money."""

    TEXT = "text"
    """Free text (a project name, the decision process)."""
    NUMBER = "number"
    """An exact decimal (an estimated margin of ``0.18``)."""
    DATE = "date"
    """A calendar day (the expected signing date)."""
    MONEY = "money"
    """An amount with its currency (a budget)."""


EvidenceValue = str | Decimal | date | Money


@attrs.frozen
class Fact:
    """One piece of evidence about an opportunity: a name and a typed value.

    Exactly one of ``text``, ``number``, ``day`` and ``money`` is set; use
    :meth:`of` to build a fact from a plain value and :attr:`value` to read it.

    Examples:
        >>> Fact.of("estimated_margin", Decimal("0.18")).value
        Decimal('0.18')
        >>> Fact.of("signing_date", date(2026, 6, 30)).kind
        <FactKind.DATE: 'date'>
    """

    name: str = attrs.field(validator=required_text)
    text: str | None = None
    number: Decimal | None = None
    day: date | None = None
    money: Money | None = None

    def __attrs_post_init__(self) -> None:
        """Check that exactly one value is set."""
        count = sum(v is not None for v in (self.text, self.number, self.day, self.money))
        if count != 1:
            raise ValidationError(
                field=self.name,
                value=count,
                expected="exactly one of text, number, day, money",
                problem="a fact holds one value",
            )

    @classmethod
    def of(cls, name: str, value: object) -> Fact:
        """Build a fact from a ``str``, ``Decimal``/``int``, ``date`` or :class:`Money`.

        Raises:
            ValidationError: The value is of none of those types (floats are refused).
        """
        if isinstance(value, Money):
            return cls(name, money=value)
        if isinstance(value, str):
            return cls(name, text=value)
        if type(value) is date:
            return cls(name, day=value)
        return cls(name, number=as_decimal(value, field=name))

    @property
    def kind(self) -> FactKind:
        """Which kind of value the fact holds."""
        if self.text is not None:
            return FactKind.TEXT
        if self.number is not None:
            return FactKind.NUMBER
        if self.day is not None:
            return FactKind.DATE
        return FactKind.MONEY

    @property
    def value(self) -> EvidenceValue:
        """The value, whatever its kind."""
        for v in (self.text, self.number, self.day):
            if v is not None:
                return v
        assert self.money is not None
        return self.money


def _sorted_facts(value: object) -> tuple[Fact, ...]:
    return tuple(sorted(value, key=lambda f: f.name))  # type: ignore[call-overload]


@attrs.frozen
class Evidence:
    """An immutable, typed mapping of evidence names to values (str, Decimal, date, Money).

    Facts are kept sorted by name. It reads like a mapping (``ev["name"]``, ``in``,
    ``len``, iteration over names) and changes only by returning a new one.

    Examples:
        >>> ev = Evidence().with_fact(Fact.of("project_name", "Line 3 retrofit"))
        >>> ev["project_name"], "project_number" in ev, len(ev)
        ('Line 3 retrofit', False, 1)
    """

    facts: tuple[Fact, ...] = attrs.field(default=(), converter=_sorted_facts)
    _index: dict[str, Fact] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        """Index the facts by name (one per name)."""
        index = {f.name: f for f in self.facts}
        if len(index) != len(self.facts):
            raise ValidationError(
                field="facts",
                value=[f.name for f in self.facts],
                expected="one fact per name",
                problem="a name appears twice",
            )
        object.__setattr__(self, "_index", index)

    def get(self, name: str) -> EvidenceValue | None:
        """The value of ``name``, or ``None`` when it is not recorded."""
        fact = self._index.get(name)
        return None if fact is None else fact.value

    def __getitem__(self, name: str) -> EvidenceValue:
        fact = self._index.get(name)
        if fact is None:
            raise ValidationError(
                field=name,
                value=name,
                expected=f"one of: {', '.join(self) or '(none recorded)'}",
                problem="no such evidence",
            )
        return fact.value

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in self.facts)

    def __len__(self) -> int:
        return len(self.facts)

    def as_dict(self) -> dict[str, EvidenceValue]:
        """A plain ``dict`` copy of the evidence."""
        return {f.name: f.value for f in self.facts}

    def with_fact(self, fact: Fact) -> Evidence:
        """Return new evidence with ``fact`` added (or replacing one of the same name)."""
        kept = [f for f in self.facts if f.name != fact.name]
        kept.append(fact)
        return Evidence(tuple(kept))


EMPTY_EVIDENCE: Final = Evidence()


@attrs.frozen
class EvidenceField:
    """A kind of evidence the playbook knows, with its type and labels.

    Args:
        name: The key used in :class:`Evidence` (``"estimated_margin"``).
        kind: The value's type.
        zh: The Chinese label (``"预计毛利率"``).
        en: The English label (``"estimated gross margin"``).
    """

    name: str = attrs.field(validator=required_text)
    kind: FactKind = FactKind.TEXT
    zh: str = ""
    en: str = ""

    @property
    def label(self) -> str:
        """The English label, or the name."""
        return self.en or self.name
