"""The dossier (大客户档案): what the archive holds about one key account.

A :class:`Dossier` is frozen and made of typed sections (rules §4.1): basic data,
business, organisation, the credit investigation report, references to original
records, competitors, the account's contacts, and a company's own extra typed fields.
It also carries its classification (重要/特殊/一般), confidentiality level
(绝密/机密/秘密/unclassified) and grade (a plain label such as ``"A"``).

A dossier changes only through :func:`kamcore.archive.revise`, which returns the new
dossier and the :class:`~kamcore.archive.Revision` that says what changed; ``revision``
and ``head`` say which revision a dossier value is, so a store can refuse stale writes.

Examples:
    >>> from kamcore.money import Money
    >>> d = Dossier(id="K-001", name="华东水务集团",
    ...             basic=BasicData(region="华东", registered_capital=Money("50000000")))
    >>> d.basic.registered_capital
    Money('50000000', 'CNY')
    >>> d.confidentiality.zh, d.classification.zh
    ('非密', '一般')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs

from kamcore._convert import enum_field, enum_of, tuple_field
from kamcore._display import html_table
from kamcore._labels import Labelled
from kamcore._validate import (
    checked_field,
    count,
    day,
    decimal_in,
    is_text,
    moment,
    money,
    required_text,
    text,
    text_field,
    texts_field,
)
from kamcore.archive._contacts import Contact
from kamcore.errors import ValidationError
from kamcore.money import Money

__all__ = [
    "GENESIS",
    "BasicData",
    "Business",
    "Classification",
    "Competitor",
    "Confidentiality",
    "CreditReport",
    "Dossier",
    "ExtraField",
    "KeyPerson",
    "Organisation",
    "RecordKind",
    "RecordReference",
]

T = TypeVar("T")

#: The ``previous_hash`` of a dossier's first revision (64 zeros).
GENESIS: Final = "0" * 64


class Classification(Labelled):
    """How the account is classified in the archive (档案分类); ``.zh`` is its Chinese name."""

    IMPORTANT = "important", "重要"
    """重要客户."""
    SPECIAL = "special", "特殊"
    """特殊客户."""
    GENERAL = "general", "一般"
    """一般客户."""


class Confidentiality(Labelled):
    """The confidentiality level of a dossier (密级), highest first; ``.zh`` is its name."""

    TOP_SECRET = "top_secret", "绝密"
    """绝密: never lent, never read outside the archive."""
    CONFIDENTIAL = "confidential", "机密"
    """机密: read only in the archive room, never lent."""
    SECRET = "secret", "秘密"
    """秘密: lent with the general manager's or a deputy's approval, at most 4 hours."""
    UNCLASSIFIED = "unclassified", "非密"
    """非密: executives borrow directly; others on their manager's approved request."""


def _section_field(cls: type[Any]) -> Any:
    """An attrs field holding a section ``cls``, given as one or as a mapping of its fields."""

    def convert(value: object, field: attrs.Attribute[Any]) -> object:
        if isinstance(value, cls):
            return value
        if not isinstance(value, Mapping):
            raise ValidationError(
                field=field.name, value=value, expected=f"a {cls.__name__} or a mapping"
            )
        try:
            return cls(**value)
        except TypeError as exc:
            raise ValidationError(
                field=field.name,
                value=value,
                expected=f"the fields of {cls.__name__}",
                problem=str(exc),
            ) from None
        except ValidationError as exc:
            raise exc.at(field.name) from None

    return attrs.field(factory=cls, converter=attrs.Converter(convert, takes_field=True))


@attrs.frozen
class BasicData:
    """Basic data (基本资料): identity, capital, premises, bank and trade terms.

    ``registered_capital`` and ``payment_terms`` are key facts: changing them needs a
    reason (see :class:`~kamcore.archive.ArchivePolicy`).
    """

    number: str = text_field()
    region: str = text_field()
    category: str = text_field()
    address: str = text_field()
    phones: tuple[str, ...] = texts_field()
    legal_representative: str = text_field()
    registered_capital: Money | None = checked_field(money, default=None, optional=True)
    registration_date: date | None = checked_field(day, default=None, optional=True)
    brands: tuple[str, ...] = texts_field()
    staff: int | None = checked_field(count, default=None, optional=True)
    premises_owned: bool | None = None
    premises_area: Decimal | None = checked_field(decimal_in, default=None, optional=True)
    vehicles: int | None = checked_field(count, default=None, optional=True)
    bank: str = text_field()
    credit_limit: Money | None = checked_field(money, default=None, optional=True)
    payment_terms: str = text_field()
    associations: tuple[str, ...] = texts_field()


@attrs.frozen
class Business:
    """Business (业务状况): scale, products, plans, competitors' share, volumes.

    ``sales_performance`` and ``transaction_volume`` are watched: a marked change needs
    a reason.
    """

    production_scale: str = text_field()
    product_structure: str = text_field()
    production_lines: int | None = checked_field(count, default=None, optional=True)
    development_plans: str = text_field()
    competitor_share: Decimal | None = checked_field(decimal_in, default=None, optional=True)
    transaction_history: str = text_field()
    transaction_volume: Money | None = checked_field(money, default=None, optional=True)
    sales_performance: Money | None = checked_field(money, default=None, optional=True)
    market_capacity: Money | None = checked_field(money, default=None, optional=True)


@attrs.frozen
class KeyPerson:
    """A key person in the account's organisation and the part they play."""

    name: str = attrs.field(validator=is_text)
    title: str = text_field()
    role: str = text_field()


@attrs.frozen
class Organisation:
    """Organisation (组织结构): departments, management, key people, procurement.

    ``management`` (the management structure) is a key fact.
    """

    using_departments: tuple[str, ...] = texts_field()
    purchasing_departments: tuple[str, ...] = texts_field()
    supporting_departments: tuple[str, ...] = texts_field()
    management: str = text_field()
    key_people: tuple[KeyPerson, ...] = tuple_field(KeyPerson)
    decision_makers: tuple[str, ...] = texts_field()
    influencers: tuple[str, ...] = texts_field()
    procurement_schedule: str = text_field()
    budget: Money | None = checked_field(money, default=None, optional=True)
    procurement_process: str = text_field()


@attrs.frozen
class CreditReport:
    """Credit investigation report (资信调查报告), ending in a credit recommendation."""

    reported_on: date | None = checked_field(day, default=None, optional=True)
    overview: str = text_field()
    shareholders_and_management: str = text_field()
    financial_status: str = text_field()
    bank_credit: str = text_field()
    payment_record: str = text_field()
    operations: str = text_field()
    field_survey: str = text_field()
    related_parties: str = text_field()
    public_records: str = text_field()
    media: str = text_field()
    overall_evaluation: str = text_field()
    recommended_credit: Money | None = checked_field(money, default=None, optional=True)
    """授信建议: the credit line recommended."""


class RecordKind(enum.Enum):
    """Kinds of original records (原始记录) a dossier refers to."""

    CONTRACT = "contract"
    NEGOTIATION_MINUTES = "negotiation_minutes"
    LICENCE = "licence"
    CAPACITY_PROOF = "capacity_proof"
    AUTHORISATION = "authorisation"
    CORRESPONDENCE = "correspondence"
    ACCEPTANCE_VOUCHER = "acceptance_voucher"
    PAYMENT_VOUCHER = "payment_voucher"


def _to_kind(value: object) -> RecordKind:
    return enum_of(value, RecordKind, "kind")


@attrs.frozen
class RecordReference:
    """A reference to an original record kept elsewhere (the paper or the file)."""

    kind: RecordKind = attrs.field(converter=_to_kind)
    reference: str = attrs.field(validator=is_text)
    title: str = text_field()
    dated: date | None = checked_field(day, default=None, optional=True)


@attrs.frozen
class Competitor:
    """A competitor at the account: its sales reps and its relationship with the account."""

    name: str = attrs.field(validator=is_text)
    sales_reps: tuple[str, ...] = texts_field()
    relationship: str = text_field()


@attrs.frozen
class ExtraField:
    """A company's own typed field: exactly one of ``text``, ``number`` or ``day`` is set.

    Build one with :meth:`of`, read it with :attr:`value`.

    Examples:
        >>> ExtraField.of("年采购额", Decimal("1200000")).value
        Decimal('1200000')
    """

    name: str = attrs.field(validator=required_text)
    text: str | None = None
    number: Decimal | None = checked_field(decimal_in, default=None, optional=True)
    day: date | None = checked_field(day, default=None, optional=True)

    def __attrs_post_init__(self) -> None:
        if sum(v is not None for v in (self.text, self.number, self.day)) != 1:
            raise ValidationError(
                field=self.name,
                value=(self.text, self.number, self.day),
                expected="exactly one of text, number or day",
            )
        if self.text is not None:
            text(self.text, self.name, required=False)

    @classmethod
    def of(cls, name: str, value: str | Decimal | int | date) -> ExtraField:
        """Build a field from a str, Decimal/int or date value.

        Raises:
            ValidationError: Another kind of value (a float, a datetime, ...).
        """
        if isinstance(value, str):
            return cls(name, text=value)
        if isinstance(value, date) and not isinstance(value, datetime):
            return cls(name, day=value)
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return cls(name, number=Decimal(value))
        raise ValidationError(
            field=name, value=value, expected="a str, an int, a Decimal or a date"
        )

    @property
    def value(self) -> str | Decimal | date:
        """The field's value, whichever kind it is."""
        if self.text is not None:
            return self.text
        if self.number is not None:
            return self.number
        return self.day  # type: ignore[return-value]


def _unique_names(
    instance: object, attribute: attrs.Attribute[tuple[Any, ...]], value: tuple[Any, ...]
) -> None:
    key = "id" if attribute.name == "contacts" else "name"
    seen: set[str] = set()
    for item in value:
        name = getattr(item, key)
        if name in seen:
            raise ValidationError(
                field=attribute.name,
                value=name,
                expected=f"each {key} once",
                problem=f"duplicate {key}",
            )
        seen.add(name)


_AWARE: Final = "a timezone-aware datetime such as datetime(2026, 3, 1, 9, tzinfo=UTC)"


def aware(value: object, field: str = "at") -> datetime:
    """``value`` as a timezone-aware moment: a datetime or ISO text with a UTC offset."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, str):
        result = moment(value, field)
    else:
        raise ValidationError(
            field=field, value=value, expected=_AWARE, problem=f"a {type(value).__name__}"
        )
    if result.utcoffset() is None:
        raise ValidationError(field=field, value=value, expected=_AWARE, problem="no time zone")
    return result


@attrs.frozen
class Dossier:
    """A key account's dossier (大客户档案).

    Args:
        id: The dossier's key in the archive.
        name: The account's name (the company basics a new dossier must hold).
        classification: 重要/特殊/一般.
        confidentiality: 绝密/机密/秘密/非密; drives reading and lending.
        grade: The account's grade, a plain label (``"A"``, ``"gold"``).
        basic, business, organisation, credit: The typed sections.
        records: References to original records.
        competitors: Competitors at the account.
        contacts: The account's people (个人档案), ids unique.
        extra: A company's extra typed fields, names unique.
        revision: How many revisions built this value (0 for a blank dossier).
        head: The hash of revision ``revision`` (:data:`GENESIS` before the first).
        updated_at: When the latest revision was made.
        created_at: When the dossier was recorded (its first revision was made).
    """

    id: str = attrs.field(validator=required_text)
    name: str = text_field()
    classification: Classification = enum_field(Classification, default=Classification.GENERAL)
    confidentiality: Confidentiality = enum_field(
        Confidentiality, default=Confidentiality.UNCLASSIFIED
    )
    grade: str = text_field()
    basic: BasicData = _section_field(BasicData)
    business: Business = _section_field(Business)
    organisation: Organisation = _section_field(Organisation)
    credit: CreditReport = _section_field(CreditReport)
    records: tuple[RecordReference, ...] = tuple_field(RecordReference)
    competitors: tuple[Competitor, ...] = tuple_field(Competitor, validator=_unique_names)
    contacts: tuple[Contact, ...] = tuple_field(Contact, validator=_unique_names)
    extra: tuple[ExtraField, ...] = tuple_field(ExtraField, validator=_unique_names)
    revision: int = 0
    head: str = GENESIS
    updated_at: datetime | None = checked_field(aware, default=None, optional=True)
    created_at: datetime | None = checked_field(aware, default=None, optional=True)

    def contact(self, contact_id: str) -> Contact:
        """The contact with ``contact_id``.

        Raises:
            ValidationError: No such contact in this dossier.
        """
        for c in self.contacts:
            if c.id == contact_id:
                return c
        known = ", ".join(c.id for c in self.contacts) or "(none)"
        raise ValidationError(
            field="contact",
            value=contact_id,
            expected=f"one of: {known}",
            problem="unknown contact",
        )

    def _repr_html_(self) -> str:
        """A summary for notebooks; contacts by name, title and role only (no personal data)."""
        facts = {
            "id": self.id,
            "name": self.name,
            "grade": self.grade,
            "classification": self.classification.zh,
            "confidentiality": self.confidentiality.zh,
            "revision": self.revision,
        }
        rows = [{"field": k, "value": v} for k, v in facts.items()]
        people = [
            f"{c.name} {c.title}".strip()
            + (f" ({c.buying_role.zh})" if c.buying_role is not None else "")
            for c in self.contacts
        ]
        return html_table(rows, title=f"Dossier {self.id}", notes=people)

    def field(self, name: str) -> str | Decimal | date:
        """The value of extra field ``name``.

        Raises:
            ValidationError: No such extra field.
        """
        for f in self.extra:
            if f.name == name:
                return f.value
        known = ", ".join(f.name for f in self.extra) or "(none)"
        raise ValidationError(field="extra", value=name, expected=f"one of: {known}")
