"""Evidence about an opportunity: typed facts, the evidence they make up, and its fields."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any, Final

import attrs

from kamcore import _validate
from kamcore._convert import enum_field
from kamcore._validate import required_text, text_field, texts_field
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

_NUMBER_EXPECTED: Final = "an exact number: a Decimal, an int or a decimal string such as '0.18'"


def _number(value: object, field: str) -> Decimal:
    """An exact, finite number (a float is refused as inexact, not as money)."""
    if isinstance(value, float):
        raise ValidationError(
            field=field,
            value=value,
            expected=_NUMBER_EXPECTED,
            problem="a float is inexact; give a Decimal or a decimal string",
        )
    return as_decimal(value, field=field, expected=_NUMBER_EXPECTED)


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _validate.text(value, attribute.name, required=False)


def _optional_money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError(
            field=attribute.name, value=value, expected="a kamcore.money.Money", problem="not money"
        )


def _optional_number(value: object) -> Decimal | None:
    return None if value is None else _number(value, "number")


def _optional_day(value: object) -> date | None:
    return None if value is None else _validate.day(value, "day")


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
    text: str | None = attrs.field(default=None, validator=_optional_text)
    number: Decimal | None = attrs.field(default=None, converter=_optional_number)
    day: date | None = attrs.field(default=None, converter=_optional_day)
    money: Money | None = attrs.field(default=None, validator=_optional_money)

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
        return cls(name, number=_number(value, name))

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
    items = _validate.sequence(value, "facts", expected="a list of kamcore.pipeline.Fact")
    for i, item in enumerate(items):
        if not isinstance(item, Fact):
            raise ValidationError(
                field=f"facts[{i}]",
                value=item,
                expected="a kamcore.pipeline.Fact",
                problem=f"a {type(item).__name__}",
            )
    return tuple(sorted(items, key=lambda f: f.name))


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
        if not isinstance(fact, Fact):
            raise ValidationError(
                field="fact",
                value=fact,
                expected="a kamcore.pipeline.Fact",
                problem=f"a {type(fact).__name__}",
            )
        kept = [f for f in self.facts if f.name != fact.name]
        kept.append(fact)
        return Evidence(tuple(kept))


EMPTY_EVIDENCE: Final = Evidence()


def _bound(value: object, field: str) -> Decimal:
    return _number(value, field)


@attrs.frozen
class EvidenceField:
    """A kind of evidence the playbook knows: its type, labels and allowed values.

    A field declares what it accepts: ``choices`` for a text field (an account grade is
    one of A, B, C, D), ``minimum`` and ``maximum`` for a number or money field (a
    margin or a likelihood is from 0 to 1, a budget is at least 0; for money the bounds
    are on the amount). :func:`~kamcore.pipeline.record_evidence` refuses a value
    outside them, naming the field and what it allows; a playbook refuses a field whose
    range can hold nothing, a bound on a field of the wrong kind, and a gate that could
    never pass inside the field's range.

    Args:
        name: The key used in :class:`Evidence` (``"estimated_margin"``).
        kind: The value's type.
        zh: The Chinese label (``"预计毛利率"``).
        en: The English label (``"estimated gross margin"``).
        choices: The allowed values of a text field (empty: any text). A value matching
            one in another case, or with spaces around it, is read as that choice.
        minimum: The smallest allowed value of a number or money field (``None``: none).
        maximum: The largest allowed value of a number or money field (``None``: none).

    Examples:
        >>> grade = EvidenceField("account_grade", FactKind.TEXT, choices=("A", "B", "C", "D"))
        >>> grade.fact("b").value
        'B'
        >>> grade.fact("Z")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: account_grade: not an allowed value (got 'Z'); expected one of: A, B, C, D
        >>> margin = EvidenceField("margin", FactKind.NUMBER, minimum=0, maximum=1)
        >>> margin.fact(5)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: margin: above the maximum 1 (got 5); expected a number from 0 to 1
    """  # noqa: E501

    name: str = attrs.field(validator=required_text)
    kind: FactKind = enum_field(FactKind, default=FactKind.TEXT)
    zh: str = text_field()
    en: str = text_field()
    choices: tuple[str, ...] = texts_field()
    minimum: Decimal | None = _validate.checked_field(_bound, default=None, optional=True)
    maximum: Decimal | None = _validate.checked_field(_bound, default=None, optional=True)

    @property
    def label(self) -> str:
        """The English label, or the name."""
        return self.en or self.name

    @property
    def allowed(self) -> str:
        """What the field accepts, in words (``'one of: A, B, C, D'``, ``'a number from 0 to 1'``).

        Examples:
            >>> EvidenceField("budget", FactKind.MONEY, minimum=0).allowed
            'an amount of money ≥ 0'
        """
        if self.choices:
            return f"one of: {', '.join(self.choices)}"
        noun = {
            FactKind.TEXT: "a string",
            FactKind.NUMBER: "a number",
            FactKind.DATE: "a date",
            FactKind.MONEY: "an amount of money",
        }[self.kind]
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        if low is not None:
            return f"{noun} ≥ {low}"
        if high is not None:
            return f"{noun} ≤ {high}"
        return noun

    def fact(self, value: object) -> Fact:
        """``value`` as a fact of this field, checked against its kind and allowed values.

        A text field takes a ``str``, a number field an exact number (a ``Decimal``, an
        ``int`` or a decimal string; never a float), a date field a ``date`` or an ISO
        string, a money field :class:`~kamcore.money.Money`.

        Raises:
            ValidationError: A value of the wrong type, not a finite number, or outside
                the field's choices or range, naming the field and what it allows.
        """
        name = self.name
        if self.kind is FactKind.MONEY:
            if not isinstance(value, Money):
                raise ValidationError(
                    field=name, value=value, expected=f"a kamcore.money.Money ({self.allowed})"
                )
            self._in_range(value.amount, value)
            return Fact(name, money=value)
        if self.kind is FactKind.DATE:
            return Fact(name, day=_validate.day(value, name))
        if self.kind is FactKind.NUMBER:
            if isinstance(value, Money):
                raise ValidationError(field=name, value=value, expected="a number, not money")
            number = _number(value, name)
            self._in_range(number, value)
            return Fact(name, number=number)
        if not isinstance(value, str):
            raise ValidationError(field=name, value=value, expected="a string")
        return Fact(name, text=self._choice(value) if self.choices else value)

    def _choice(self, value: str) -> str:
        text = value.strip()
        for choice in self.choices:
            if text == choice or text.casefold() == choice.casefold():
                return choice
        raise ValidationError(
            field=self.name, value=value, expected=self.allowed, problem="not an allowed value"
        )

    def _in_range(self, number: Decimal, value: object) -> None:
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(
                field=self.name,
                value=value,
                expected=self.allowed,
                problem=f"below the minimum {self.minimum}",
            )
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(
                field=self.name,
                value=value,
                expected=self.allowed,
                problem=f"above the maximum {self.maximum}",
            )
