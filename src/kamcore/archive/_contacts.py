"""Contacts (个人档案): the people at an account, their buying roles and alliance status.

A :class:`Contact` holds the personal profile of rules §4.2. Phone (a mobile number),
birth date, address, spouse, personality and interests are personal information
(:data:`SENSITIVE_CONTACT_FIELDS`); :func:`redact_contact` hides them for any export
(the phone masked, ``138****8001``; the others blanked) unless ``show_personal=True``.

The political alliance status (政治联盟状态) is observed, not declared: an
:class:`AllianceObservation` records on a date which of the 15 behaviours of the ladder
(:class:`AllianceBehaviour`) were seen, the evidence, and the contact's stance. The
contact keeps every observation, so the history of an attitude is never lost; the
current :class:`AllianceLevel` is the highest band seen in the latest observation.

Examples:
    >>> from datetime import date
    >>> wang = Contact(id="c1", name="王总", buying_role=BuyingRole.ECONOMIC_BUYER)
    >>> wang, seen = observe(wang, on=date(2026, 3, 2), evidence="invited us to the board",
    ...                      behaviours=(AllianceBehaviour.PRIVATELY_SAYS_WE_ARE_BEST,))
    >>> wang.alliance_level, wang.alliance_level.zh
    (<AllianceLevel.PLUS: '+'>, '支持')
    >>> [g.kind.value for g in measure_coverage((wang,)).gaps]
    ['no_coach']
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import date
from typing import Final

import attrs

from kamcore._convert import enum_field, enum_of, tuple_field
from kamcore._labels import Labelled
from kamcore._validate import (
    checked_field,
    day,
    required_text,
    sequence,
    text,
    text_field,
    texts_field,
)
from kamcore.archive._checks import flag, flag_field, instance
from kamcore.errors import ValidationError

__all__ = [
    "SENSITIVE_CONTACT_FIELDS",
    "AllianceBehaviour",
    "AllianceLevel",
    "AllianceObservation",
    "BuyingRole",
    "Contact",
    "Coverage",
    "CoverageGap",
    "GapKind",
    "Stance",
    "mask_phone",
    "measure_coverage",
    "observe",
    "redact_contact",
]

#: The profile fields that are personal information (个人信息), hidden by default in any
#: export: the phone is masked, the others are blanked.
SENSITIVE_CONTACT_FIELDS: Final = (
    "address",
    "birth_date",
    "interests",
    "personality",
    "phone",
    "spouse",
)

SHOW_PERSONAL: Final = "True (show personal information) or False (hide it; the default)"

#: A mainland mobile number (11 digits from 13x to 19x), spaces or hyphens allowed inside.
_MOBILE: Final = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")
#: Any other run of five digits or more (a landline, a foreign number).
_DIGITS: Final = re.compile(r"(?<!\d)\d{5,}(?!\d)")


def mask_phone(number: str) -> str:
    """A phone number with its middle hidden: a mobile keeps its first 3 and last 4 digits.

    Any other run of five digits or more keeps its last four; shorter runs (an area
    code, an extension) are kept.

    Examples:
        >>> mask_phone("13800138001"), mask_phone("+86 138-0013-8001")
        ('138****8001', '+86 138****8001')
        >>> mask_phone("021-55551234 转 801")
        '021-****1234 转 801'
    """
    text(number, "phone", required=False)
    masked = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", number)
    return _DIGITS.sub(lambda m: "*" * (len(m.group()) - 4) + m.group()[-4:], masked)


class BuyingRole(Labelled):
    """A contact's role in the purchase (购买角色); ``.zh`` is its Chinese name."""

    ECONOMIC_BUYER = "economic_buyer", "经济决策者"
    """经济决策者: releases the money and makes the final decision."""
    USER = "user", "使用者"
    """使用者: uses the product and judges its effect on the work."""
    TECHNICAL = "technical", "技术把关者"
    """技术把关者: screens the offer against technical criteria."""
    COACH = "coach", "内线/教练"
    """内线/教练: guides us through the sale from inside."""


class AllianceLevel(Labelled):
    """The band of the alliance ladder a contact has reached (政治联盟状态), lowest first."""

    NONE = "none", "未建立"
    """No behaviour of the ladder observed yet."""
    EQUAL = "=", "认可"
    """"=": treats us as one possible solution."""
    PLUS = "+", "支持"
    """"+": prefers us and works with us."""
    TOP = "top", "同盟"
    """Top band: takes responsibility for our solution and sells for us."""

    @property
    def rank(self) -> int:
        """0 for ``NONE`` up to 3 for ``TOP``."""
        return _LEVELS.index(self)


_LEVELS: Final = tuple(AllianceLevel)


class AllianceBehaviour(enum.Enum):
    """The 15 observed behaviours of the political alliance ladder, in three bands."""

    RECOGNISES_NEED = "recognises_need"
    GIVES_KEY_INFORMATION = "gives_key_information"
    EXPLAINS_SIGNIFICANT_EVENTS = "explains_significant_events"
    SEES_US_AS_POSSIBLE_SOLUTION = "sees_us_as_possible_solution"
    INVESTS_TIME_TO_LEARN_OUR_CAPABILITIES = "invests_time_to_learn_our_capabilities"
    PRIVATELY_SAYS_WE_ARE_BEST = "privately_says_we_are_best"
    WORKS_WITH_US_ON_ADOPTION_PLAN = "works_with_us_on_adoption_plan"
    PUBLICLY_SAYS_WE_ARE_BEST = "publicly_says_we_are_best"
    GIVES_COMPETITOR_PLANS = "gives_competitor_plans"
    SHARES_PERSONAL_AGENDA = "shares_personal_agenda"
    TAKES_RESPONSIBILITY_FOR_OUR_SOLUTION = "takes_responsibility_for_our_solution"
    SHARES_CONFIDENTIAL_PLANS = "shares_confidential_plans"
    HELPS_BUILD_PLAN_TO_BEAT_COMPETITORS = "helps_build_plan_to_beat_competitors"
    TIES_OWN_SUCCESS_TO_OUR_PLAN = "ties_own_success_to_our_plan"
    SELLS_FOR_US_WHEN_ABSENT = "sells_for_us_when_absent"

    @property
    def level(self) -> AllianceLevel:
        """The band this behaviour belongs to."""
        index = _BEHAVIOURS.index(self)
        if index < 5:
            return AllianceLevel.EQUAL
        if index < 10:
            return AllianceLevel.PLUS
        return AllianceLevel.TOP


_BEHAVIOURS: Final = tuple(AllianceBehaviour)


class Stance(enum.Enum):
    """Where a contact stands towards our solution."""

    SUPPORTS = "supports"
    NEUTRAL = "neutral"
    OPPOSES = "opposes"


def _behaviours(value: object) -> tuple[AllianceBehaviour, ...]:
    items = sequence(value, "behaviours", expected="a tuple of AllianceBehaviour")
    seen = {enum_of(v, AllianceBehaviour, "behaviours") for v in items}
    return tuple(b for b in _BEHAVIOURS if b in seen)


@attrs.frozen
class AllianceObservation:
    """What a contact was seen to do on a date, and the evidence (政治联盟状态 with date).

    Args:
        on: The day of the observation.
        behaviours: The ladder behaviours seen (kept in ladder order, no repeats).
        evidence: What was seen or said, in words; required.
        stance: Whether the contact supports, is neutral to, or opposes us.
    """

    on: date = checked_field(day)
    behaviours: tuple[AllianceBehaviour, ...] = attrs.field(default=(), converter=_behaviours)
    evidence: str = text_field()
    stance: Stance = enum_field(Stance, default=Stance.NEUTRAL)

    @property
    def level(self) -> AllianceLevel:
        """The highest band among the behaviours seen (``NONE`` if none)."""
        best = AllianceLevel.NONE
        for b in self.behaviours:
            if b.level.rank > best.rank:
                best = b.level
        return best


@attrs.frozen
class Contact:
    """A person at the account (个人档案).

    Args:
        id: The contact's id, unique within the account.
        name: The person's name.
        buying_role: The role in the purchase, if known.
        decision_maker: Whether the person decides or co-decides (决策者).
        alliance: Every alliance observation, oldest first (append with :func:`observe`).

    Phone, birth date, address, spouse, personality and interests are personal
    information; see :func:`redact_contact`.

    Raises:
        ValidationError: A blank id or name, a field of the wrong type (text fields
            take text; ``decision_maker`` only ``True`` or ``False``), a bad date or
            buying role.
    """

    id: str = attrs.field(validator=required_text)
    name: str = attrs.field(validator=required_text)
    title: str = text_field()
    phone: str = text_field()
    fax: str = text_field()
    education: str = text_field()
    birth_date: date | None = checked_field(day, default=None, optional=True)
    address: str = text_field()
    spouse: str = text_field()
    secretary: str = text_field()
    reports_to: str = text_field()
    previous_jobs: tuple[str, ...] = texts_field()
    personality: str = text_field()
    interests: str = text_field()
    recent_decisions: str = text_field()
    responsibilities: str = text_field()
    technical_criteria: str = text_field()
    business_criteria: str = text_field()
    buying_role: BuyingRole | None = enum_field(BuyingRole, default=None)
    decision_maker: bool = flag_field(default=False)
    alliance: tuple[AllianceObservation, ...] = tuple_field(AllianceObservation)

    @property
    def latest(self) -> AllianceObservation | None:
        """The latest alliance observation, if any."""
        return self.alliance[-1] if self.alliance else None

    @property
    def alliance_level(self) -> AllianceLevel:
        """The band reached in the latest observation (``NONE`` if never observed)."""
        return self.alliance[-1].level if self.alliance else AllianceLevel.NONE

    @property
    def stance(self) -> Stance:
        """The stance in the latest observation (``NEUTRAL`` if never observed)."""
        return self.alliance[-1].stance if self.alliance else Stance.NEUTRAL

    @property
    def decides(self) -> bool:
        """Whether the person is a decision maker or the economic buyer."""
        return self.decision_maker or self.buying_role is BuyingRole.ECONOMIC_BUYER


def observe(
    contact: Contact,
    *,
    on: date | str,
    evidence: str,
    behaviours: Iterable[AllianceBehaviour | str] = (),
    stance: Stance | str = Stance.NEUTRAL,
) -> tuple[Contact, AllianceObservation]:
    """Record an alliance observation; earlier ones are kept.

    Args:
        contact: The contact observed.
        on: The day; not before the latest observation.
        evidence: What was seen or said; required.
        behaviours: The ladder behaviours seen.
        stance: Supports, neutral or opposes.

    Returns:
        The contact with the observation appended, and the observation.

    Raises:
        ValidationError: ``contact`` is not a :class:`Contact`, no evidence, an unknown
            behaviour, or a date before the latest observation.
    """
    instance(contact, Contact, "contact")
    seen = AllianceObservation(
        on=day(on, "on"),
        behaviours=_behaviours(behaviours),
        evidence=text(evidence, "evidence", expected="what was seen or said, in words"),
        stance=enum_of(stance, Stance, "stance"),
    )
    if contact.alliance and seen.on < contact.alliance[-1].on:
        raise ValidationError(
            field="on",
            value=seen.on,
            expected=f"a date on or after the latest observation {contact.alliance[-1].on}",
            problem="history is append-only",
        )
    return attrs.evolve(contact, alliance=(*contact.alliance, seen)), seen


def redact_contact(contact: Contact, *, show_personal: bool = False) -> Contact:
    """The contact with its personal information hidden (脱敏), unless shown on purpose.

    The phone is masked (:func:`mask_phone`); birth date, address, spouse, personality
    and interests are blanked (:data:`SENSITIVE_CONTACT_FIELDS`).

    Args:
        contact: The contact.
        show_personal: ``True`` to keep the personal information, for a reader
            entitled to it; hidden by default.

    Raises:
        ValidationError: ``contact`` is not a :class:`Contact`, or ``show_personal`` is
            not a bool.

    Examples:
        >>> wang = Contact(id="c1", name="李工", phone="13800138001", spouse="张女士")
        >>> hidden = redact_contact(wang)
        >>> hidden.phone, hidden.spouse
        ('138****8001', '')
        >>> redact_contact(wang, show_personal=True) == wang
        True
    """
    instance(contact, Contact, "contact")
    if not flag(show_personal, "show_personal", expected=SHOW_PERSONAL):
        contact = attrs.evolve(
            contact,
            phone=mask_phone(contact.phone),
            birth_date=None,
            address="",
            spouse="",
            personality="",
            interests="",
        )
    return contact


class GapKind(enum.Enum):
    """A hole in an account's coverage of its people."""

    NO_ECONOMIC_BUYER = "no_economic_buyer"
    """No contact with the economic buyer (经济决策者)."""
    NO_COACH = "no_coach"
    """No coach (内线/教练) inside the account."""
    OPPOSING_DECISION_MAKER = "opposing_decision_maker"
    """A decision maker opposes us."""


@attrs.frozen
class CoverageGap:
    """One coverage gap; ``contact_id`` names the contact for an opposing decision maker."""

    kind: GapKind
    contact_id: str = ""


@attrs.frozen
class Coverage:
    """The coverage gaps of an account's contacts (empty when well covered)."""

    gaps: tuple[CoverageGap, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether there is no gap."""
        return not self.gaps


def measure_coverage(contacts: Iterable[Contact]) -> Coverage:
    """Check an account's contacts: economic buyer reached, a coach, no opposing decider.

    Args:
        contacts: The account's contacts.

    Returns:
        The gaps found, in the order economic buyer, coach, opposing decision makers.

    Raises:
        ValidationError: ``contacts`` is not a sequence of :class:`Contact`.
    """
    people = sequence(contacts, "contacts", expected="a list of kamcore.archive.Contact")
    for i, c in enumerate(people):
        instance(c, Contact, f"contacts[{i}]")
    gaps: list[CoverageGap] = []
    if not any(c.buying_role is BuyingRole.ECONOMIC_BUYER for c in people):
        gaps.append(CoverageGap(GapKind.NO_ECONOMIC_BUYER))
    if not any(c.buying_role is BuyingRole.COACH for c in people):
        gaps.append(CoverageGap(GapKind.NO_COACH))
    gaps.extend(
        CoverageGap(GapKind.OPPOSING_DECISION_MAKER, c.id)
        for c in people
        if c.decides and c.stance is Stance.OPPOSES
    )
    return Coverage(tuple(gaps))
