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

from kamcore._convert import enum_of
from kamcore._display import html_table
from kamcore._validate import moment
from kamcore.archive._contacts import Contact
from kamcore.archive._labels import Labelled
from kamcore.calendar import as_date
from kamcore.errors import ValidationError
from kamcore.money import Money, as_decimal

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


def _money(value: object) -> Money:
    if isinstance(value, Money):
        return value
    return Money(as_decimal(value, field="money"))


def _decimal(value: object) -> Decimal:
    return as_decimal(value, field="number")


def _date(value: object) -> date:
    return as_date(value, field="date")


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(field="count", value=value, expected="a whole number ≥ 0")
    return value


def _texts(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValidationError(field="", value=value, expected="a tuple of text")


def _check_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(field=attribute.name, value=value, expected="text")


def _text() -> str:
    return attrs.field(default="", validator=_check_text)


def _texts_field() -> tuple[str, ...]:
    return attrs.field(default=(), converter=_texts)


def _optional_money(value: object) -> Money | None:
    return None if value is None else _money(value)


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else _decimal(value)


def _optional_date(value: object) -> date | None:
    return None if value is None else _date(value)


def _optional_count(value: object) -> int | None:
    return None if value is None else _count(value)


def _items(value: object, cls: type[T], field: str) -> tuple[T, ...]:
    if isinstance(value, list | tuple) and all(isinstance(v, cls) for v in value):
        return tuple(value)
    raise ValidationError(
        field=field, value=value, expected=f"a tuple of {cls.__name__}", problem="wrong kind"
    )


def _section(value: object, cls: type[T], field: str) -> T:
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        try:
            return cls(**value)
        except TypeError as exc:
            raise ValidationError(
                field=field, value=value, expected=f"the fields of {cls.__name__}", problem=str(exc)
            ) from None
        except ValidationError as exc:
            for name, item in value.items():
                try:
                    cls(**{name: item})
                except ValidationError as own:
                    raise ValidationError(
                        field=f"{field}.{name}",
                        value=own.value,
                        expected=own.expected,
                        problem=own.problem,
                    ) from None
            raise exc.at(field) from None  # pragma: no cover - some field fails on its own
    raise ValidationError(field=field, value=value, expected=f"a {cls.__name__} or a mapping")


def _key_people(value: object) -> tuple[KeyPerson, ...]:
    return _items(value, KeyPerson, "key_people")


def _records(value: object) -> tuple[RecordReference, ...]:
    return _items(value, RecordReference, "records")


def _competitors(value: object) -> tuple[Competitor, ...]:
    return _items(value, Competitor, "competitors")


def _contacts(value: object) -> tuple[Contact, ...]:
    return _items(value, Contact, "contacts")


def _extras(value: object) -> tuple[ExtraField, ...]:
    return _items(value, ExtraField, "extra")


def _basic(value: object) -> BasicData:
    return _section(value, BasicData, "basic")


def _business(value: object) -> Business:
    return _section(value, Business, "business")


def _organisation(value: object) -> Organisation:
    return _section(value, Organisation, "organisation")


def _credit(value: object) -> CreditReport:
    return _section(value, CreditReport, "credit")


@attrs.frozen
class BasicData:
    """Basic data (基本资料): identity, capital, premises, bank and trade terms.

    ``registered_capital`` and ``payment_terms`` are key facts: changing them needs a
    reason (see :class:`~kamcore.archive.ArchivePolicy`).
    """

    number: str = _text()
    region: str = _text()
    category: str = _text()
    address: str = _text()
    phones: tuple[str, ...] = _texts_field()
    legal_representative: str = _text()
    registered_capital: Money | None = attrs.field(default=None, converter=_optional_money)
    registration_date: date | None = attrs.field(default=None, converter=_optional_date)
    brands: tuple[str, ...] = _texts_field()
    staff: int | None = attrs.field(default=None, converter=_optional_count)
    premises_owned: bool | None = None
    premises_area: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    vehicles: int | None = attrs.field(default=None, converter=_optional_count)
    bank: str = _text()
    credit_limit: Money | None = attrs.field(default=None, converter=_optional_money)
    payment_terms: str = _text()
    associations: tuple[str, ...] = _texts_field()


@attrs.frozen
class Business:
    """Business (业务状况): scale, products, plans, competitors' share, volumes.

    ``sales_performance`` and ``transaction_volume`` are watched: a marked change needs
    a reason.
    """

    production_scale: str = _text()
    product_structure: str = _text()
    production_lines: int | None = attrs.field(default=None, converter=_optional_count)
    development_plans: str = _text()
    competitor_share: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    transaction_history: str = _text()
    transaction_volume: Money | None = attrs.field(default=None, converter=_optional_money)
    sales_performance: Money | None = attrs.field(default=None, converter=_optional_money)
    market_capacity: Money | None = attrs.field(default=None, converter=_optional_money)


@attrs.frozen
class KeyPerson:
    """A key person in the account's organisation and the part they play."""

    name: str = attrs.field(validator=_check_text)
    title: str = _text()
    role: str = _text()


@attrs.frozen
class Organisation:
    """Organisation (组织结构): departments, management, key people, procurement.

    ``management`` (the management structure) is a key fact.
    """

    using_departments: tuple[str, ...] = _texts_field()
    purchasing_departments: tuple[str, ...] = _texts_field()
    supporting_departments: tuple[str, ...] = _texts_field()
    management: str = _text()
    key_people: tuple[KeyPerson, ...] = attrs.field(default=(), converter=_key_people)
    decision_makers: tuple[str, ...] = _texts_field()
    influencers: tuple[str, ...] = _texts_field()
    procurement_schedule: str = _text()
    budget: Money | None = attrs.field(default=None, converter=_optional_money)
    procurement_process: str = _text()


@attrs.frozen
class CreditReport:
    """Credit investigation report (资信调查报告), ending in a credit recommendation."""

    reported_on: date | None = attrs.field(default=None, converter=_optional_date)
    overview: str = _text()
    shareholders_and_management: str = _text()
    financial_status: str = _text()
    bank_credit: str = _text()
    payment_record: str = _text()
    operations: str = _text()
    field_survey: str = _text()
    related_parties: str = _text()
    public_records: str = _text()
    media: str = _text()
    overall_evaluation: str = _text()
    recommended_credit: Money | None = attrs.field(default=None, converter=_optional_money)
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


def _to_classification(value: object) -> Classification:
    return enum_of(value, Classification, "classification")


def _to_confidentiality(value: object) -> Confidentiality:
    return enum_of(value, Confidentiality, "confidentiality")


@attrs.frozen
class RecordReference:
    """A reference to an original record kept elsewhere (the paper or the file)."""

    kind: RecordKind = attrs.field(converter=_to_kind)
    reference: str = attrs.field(validator=_check_text)
    title: str = _text()
    dated: date | None = attrs.field(default=None, converter=_optional_date)


@attrs.frozen
class Competitor:
    """A competitor at the account: its sales reps and its relationship with the account."""

    name: str = attrs.field(validator=_check_text)
    sales_reps: tuple[str, ...] = _texts_field()
    relationship: str = _text()


@attrs.frozen
class ExtraField:
    """A company's own typed field: exactly one of ``text``, ``number`` or ``day`` is set.

    Build one with :meth:`of`, read it with :attr:`value`.

    Examples:
        >>> ExtraField.of("年采购额", Decimal("1200000")).value
        Decimal('1200000')
    """

    name: str = attrs.field(validator=_check_text)
    text: str | None = None
    number: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    day: date | None = attrs.field(default=None, converter=_optional_date)

    def __attrs_post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError(field="name", value=self.name, expected="non-empty text")
        if sum(v is not None for v in (self.text, self.number, self.day)) != 1:
            raise ValidationError(
                field=self.name,
                value=(self.text, self.number, self.day),
                expected="exactly one of text, number or day",
            )
        if self.text is not None and not isinstance(self.text, str):
            raise ValidationError(field=self.name, value=self.text, expected="text")

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


def _required_id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field=attribute.name, value=value, expected="non-empty text")


def _grade(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise ValidationError(field="grade", value=value, expected="a grade label such as 'A'")


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


def _aware_or_none(value: object, field: str) -> datetime | None:
    return None if value is None else aware(value, field)


def _updated_at(value: object) -> datetime | None:
    return _aware_or_none(value, "updated_at")


def _created_at(value: object) -> datetime | None:
    return _aware_or_none(value, "created_at")


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

    id: str = attrs.field(validator=_required_id)
    name: str = attrs.field(default="", validator=_check_text)
    classification: Classification = attrs.field(
        default=Classification.GENERAL, converter=_to_classification
    )
    confidentiality: Confidentiality = attrs.field(
        default=Confidentiality.UNCLASSIFIED,
        converter=_to_confidentiality,
    )
    grade: str = attrs.field(default="", validator=_grade)
    basic: BasicData = attrs.field(factory=BasicData, converter=_basic)
    business: Business = attrs.field(factory=Business, converter=_business)
    organisation: Organisation = attrs.field(factory=Organisation, converter=_organisation)
    credit: CreditReport = attrs.field(factory=CreditReport, converter=_credit)
    records: tuple[RecordReference, ...] = attrs.field(default=(), converter=_records)
    competitors: tuple[Competitor, ...] = attrs.field(
        default=(), converter=_competitors, validator=_unique_names
    )
    contacts: tuple[Contact, ...] = attrs.field(
        default=(), converter=_contacts, validator=_unique_names
    )
    extra: tuple[ExtraField, ...] = attrs.field(
        default=(), converter=_extras, validator=_unique_names
    )
    revision: int = 0
    head: str = GENESIS
    updated_at: datetime | None = attrs.field(default=None, converter=_updated_at)
    created_at: datetime | None = attrs.field(default=None, converter=_created_at)

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
