"""Who may read or borrow a dossier (档案借阅规定): the lending policy and the people in it.

A :class:`LendingPolicy` holds one :class:`LevelRule` per confidentiality level. The
source rules (rules §4.5) are :data:`SOURCE_LENDING_POLICY`:

* 绝密 top secret — never lent, never read outside. The source gives 绝密 and 机密
  almost the same words; the shipped policy reads 绝密 as not open to reading through
  the archive at all (``readable = false``). A company that lets cleared people read it
  in the archive room sets ``readable = true`` in its policy;
* 机密 confidential — read only in the archive room, never lent;
* 秘密 secret — lent, or read outside the archive room, only with the approval of the
  general manager or the deputy general manager in charge (分管副总经理), for at most
  4 hours. While away on business the general manager may delegate that approval to a
  deputy general manager or the office director by a written :class:`Delegation`
  (委托书); an approval under it cites it (``Approval.delegation``);
* unclassified — the general manager, deputy general managers, directors (总监,
  :attr:`Role.EXECUTIVE`) and the office director borrow directly; others need their
  department manager's request, approved by the office director.

Nobody approves their own request: the approver is never the borrower (nor the one who
requested the loan), whatever role they claim.

:class:`Borrower`, :class:`Approval` and :class:`Delegation` are the facts a decision
reads; :mod:`kamcore.archive` decides with them (:func:`~kamcore.archive.lend`,
:func:`~kamcore.archive.check_read`).
"""

from __future__ import annotations

import numbers
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from kamcore._convert import enum_field, enum_of, enums_field, tuple_field
from kamcore._labels import Labelled
from kamcore._validate import checked_field, decimal_in, sequence, text, text_field, texts
from kamcore.archive._checks import flag_field, instance
from kamcore.archive._dossier import Confidentiality, Dossier, aware
from kamcore.errors import PolicyError, ValidationError

__all__ = [
    "SOURCE_LENDING_POLICY",
    "Approval",
    "Borrower",
    "Delegation",
    "LendingPolicy",
    "LevelRule",
    "Place",
    "Role",
    "loan_hours",
    "same_person",
]

#: The longest loan or reading :func:`loan_hours` accepts (about 114 years), whatever
#: the policy: beyond it a due time leaves the calendar.
MAX_HOURS: Final = 1_000_000

_HOURS_EXPECTED = (
    f"a number of hours above zero and at most {MAX_HOURS:_}: an int such as 4, "
    "or an exact decimal.Decimal or text such as '0.5'"
)


def _exact_hours(value: object, field: str) -> Decimal:
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Rational | Decimal):
        raise ValidationError(
            field=field,
            value=value,
            expected=_HOURS_EXPECTED,
            problem="a float is not an exact number of hours",
        )
    length = decimal_in(value, field, expected=_HOURS_EXPECTED)
    if length > MAX_HOURS:
        raise ValidationError(
            field=field, value=value, expected=_HOURS_EXPECTED, problem="too long"
        )
    return length


def loan_hours(value: object, field: str = "hours") -> Decimal:
    """``value`` as a duration in hours: above zero, exact (never a float), not absurdly long.

    Examples:
        >>> loan_hours(4), loan_hours("0.5")
        (Decimal('4'), Decimal('0.5'))
        >>> loan_hours(4.0)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: hours: a float is not an exact number of hours (got 4.0); expected a number of hours above zero and at most 1_000_000: an int such as 4, or an exact decimal.Decimal or text such as '0.5'
    """  # noqa: E501
    length = _exact_hours(value, field)
    if length <= 0:
        raise ValidationError(
            field=field, value=value, expected=_HOURS_EXPECTED, problem="not above zero"
        )
    return length


class Role(Labelled):
    """A person's position, as the lending rules name it; ``.zh`` is its Chinese name."""

    GENERAL_MANAGER = "general_manager", "总经理"
    """总经理."""
    DEPUTY_GENERAL_MANAGER = "deputy_general_manager", "副总经理"
    """副总经理."""
    EXECUTIVE = "executive", "总监"
    """总监 directors, and the other company leaders (公司领导) ranked with them."""
    OFFICE_DIRECTOR = "office_director", "总经理办公室主任"
    """总经理办公室主任, the general manager's office director."""
    DEPARTMENT_MANAGER = "department_manager", "部门经理"
    """部门经理."""
    STAFF = "staff", "员工"
    """员工."""


class Place(Labelled):
    """Where a dossier is to be read; ``.zh`` is its Chinese name."""

    ARCHIVE_ROOM = "archive_room", "档案室"
    """档案室."""
    OUTSIDE = "outside", "档案室外"
    """Anywhere else (档案室外)."""


@attrs.frozen
class LevelRule:
    """How dossiers of one confidentiality level may be read and lent.

    Args:
        level: The confidentiality level.
        readable: Whether anyone may read it at all through the archive.
        read_outside: Whether it may be read outside the archive room.
        lendable: Whether it may be lent.
        max_hours: The longest loan (``None``: no limit).
        direct_roles: Roles that borrow without any approval.
        approver_roles: Roles whose approval lets anyone else borrow.
        requester_roles: Roles that must have requested the loan (when not empty), for
            example the borrower's department manager.
        read_outside_needs_approval: Whether reading it outside the archive room needs
            what a loan needs (``direct_roles`` read freely, anyone else needs an
            approval); ``False``: anyone may read it outside when ``read_outside``.
        delegator_roles: Approver roles that may delegate their approval by a written
            :class:`Delegation` (委托书), e.g. the general manager away on business.
        delegate_roles: Roles that may receive such a delegation.
    """

    level: Confidentiality = enum_field(Confidentiality)
    readable: bool = flag_field(default=True)
    read_outside: bool = flag_field(default=False)
    lendable: bool = flag_field(default=False)
    max_hours: Decimal | None = checked_field(_exact_hours, default=None, optional=True)
    direct_roles: tuple[Role, ...] = enums_field(Role)
    approver_roles: tuple[Role, ...] = enums_field(Role)
    requester_roles: tuple[Role, ...] = enums_field(Role)
    read_outside_needs_approval: bool = flag_field(default=False)
    delegator_roles: tuple[Role, ...] = enums_field(Role)
    delegate_roles: tuple[Role, ...] = enums_field(Role)


@attrs.frozen
class LendingPolicy:
    """The company's reading and lending rules, one :class:`LevelRule` per level.

    Raises:
        PolicyError: A level missing or given twice, a rule that lends what it forbids
            reading outside, a lendable level nobody can borrow, hours not above zero,
            an approval for reading outside that nobody can give, or a delegation by a
            role that does not approve or to nobody.
    """

    rules: tuple[LevelRule, ...] = tuple_field(LevelRule, default=attrs.NOTHING)

    def __attrs_post_init__(self) -> None:
        seen: set[Confidentiality] = set()
        for i, rule in enumerate(self.rules):
            part = f"rules[{i}] ({rule.level.zh})"
            if rule.level in seen:
                raise PolicyError("level given twice", policy="LendingPolicy", part=part)
            seen.add(rule.level)
            if rule.lendable and not rule.read_outside:
                raise PolicyError(
                    "a lent dossier is read outside the archive room; allow read_outside",
                    policy="LendingPolicy",
                    part=part,
                )
            if rule.read_outside and not rule.readable:
                raise PolicyError(
                    "can't be read outside when it can't be read at all",
                    policy="LendingPolicy",
                    part=part,
                )
            if rule.max_hours is not None and rule.max_hours <= 0:
                raise PolicyError("max_hours must be above zero", policy="LendingPolicy", part=part)
            if rule.lendable and not (rule.direct_roles or rule.approver_roles):
                raise PolicyError(
                    "lendable, but nobody may borrow or approve",
                    policy="LendingPolicy",
                    part=part,
                )
            if rule.read_outside_needs_approval and not (
                rule.read_outside and (rule.direct_roles or rule.approver_roles)
            ):
                raise PolicyError(
                    "read_outside_needs_approval, but it is not read outside or nobody may approve",
                    policy="LendingPolicy",
                    part=part,
                )
            stray = [r.value for r in rule.delegator_roles if r not in rule.approver_roles]
            if stray:
                raise PolicyError(
                    f"delegator_roles {', '.join(stray)} are not approver_roles",
                    policy="LendingPolicy",
                    part=part,
                )
            if bool(rule.delegator_roles) != bool(rule.delegate_roles):
                raise PolicyError(
                    "delegator_roles and delegate_roles go together",
                    policy="LendingPolicy",
                    part=part,
                )
        missing = [level.zh for level in Confidentiality if level not in seen]
        if missing:
            raise PolicyError(
                f"no rule for {', '.join(missing)}", policy="LendingPolicy", part="rules"
            )

    def rule(self, level: Confidentiality | str) -> LevelRule:
        """The rule for ``level`` (a member, its value or its Chinese name)."""
        wanted = enum_of(level, Confidentiality, "level")
        return next(r for r in self.rules if r.level is wanted)


#: The source documents' rules (rules §4.5).
SOURCE_LENDING_POLICY: Final = LendingPolicy(
    rules=(
        LevelRule(Confidentiality.TOP_SECRET, readable=False),
        LevelRule(Confidentiality.CONFIDENTIAL),
        LevelRule(
            Confidentiality.SECRET,
            read_outside=True,
            lendable=True,
            max_hours=Decimal(4),
            approver_roles=(Role.GENERAL_MANAGER, Role.DEPUTY_GENERAL_MANAGER),
            read_outside_needs_approval=True,
            delegator_roles=(Role.GENERAL_MANAGER,),
            delegate_roles=(Role.DEPUTY_GENERAL_MANAGER, Role.OFFICE_DIRECTOR),
        ),
        LevelRule(
            Confidentiality.UNCLASSIFIED,
            read_outside=True,
            lendable=True,
            direct_roles=(
                Role.GENERAL_MANAGER,
                Role.DEPUTY_GENERAL_MANAGER,
                Role.EXECUTIVE,
                Role.OFFICE_DIRECTOR,
            ),
            approver_roles=(Role.OFFICE_DIRECTOR,),
            requester_roles=(Role.DEPARTMENT_MANAGER,),
        ),
    )
)


@attrs.frozen
class Borrower:
    """Who wants to read or borrow, and their role.

    Raises:
        ValidationError: A blank name or an unknown role (values and Chinese names are
            accepted: ``Borrower("小李", "员工")``).
    """

    name: str = checked_field(text)
    role: Role = enum_field(Role)


def _levels(value: object) -> tuple[Confidentiality, ...]:
    expected = "a non-empty list of confidentiality levels"
    if isinstance(value, Confidentiality | str):
        value = (value,)
    items = sequence(value, "levels", expected=expected)
    if not items:
        raise ValidationError(field="levels", value=value, expected=expected, problem="empty")
    return tuple(enum_of(v, Confidentiality, "levels") for v in items)


def same_person(a: str, b: str) -> bool:
    """Whether two names are one person's (spaces and case aside)."""
    return a.strip().casefold() == b.strip().casefold()


@attrs.frozen(kw_only=True)
class Delegation:
    """A written delegation (委托书) of an approval: who, to whom, from when to when, for what.

    While away on business the general manager may delegate the 秘密 approval to a
    deputy general manager or the office director (rules §4.5). An approval made under
    a delegation cites its ``id`` in :attr:`Approval.delegation`; :func:`lend` and
    :func:`check_read` accept it only when the delegation is among those on file
    (``delegations=``), given to the approver in the approver's role, valid at the time
    of the approval, covering the dossier, and given by and to roles the policy's
    :class:`LevelRule` allows (``delegator_roles``, ``delegate_roles``).

    Args:
        id: The delegation's number, which an approval under it cites.
        delegator: Who delegates (the general manager).
        delegate: To whom.
        delegate_role: The delegate's role (a deputy general manager or the office
            director, in the source's rules).
        valid_from: From when (timezone-aware; included).
        valid_until: Until when (timezone-aware; included).
        levels: The confidentiality levels it covers (秘密 by default).
        dossier_ids: The dossiers it covers; empty: every dossier of those levels.
        purpose: What for (事由), e.g. "出差期间代批秘密档案借阅".
        delegator_role: The delegator's role (the general manager by default).

    Raises:
        ValidationError: An empty id or name, a delegation to oneself, a naive time,
            an end before the start, no level, or a bad role.
    """

    id: str = checked_field(text)
    delegator: str = checked_field(text)
    delegate: str = checked_field(text)
    delegate_role: Role = enum_field(Role)
    valid_from: datetime = checked_field(aware)
    valid_until: datetime = checked_field(aware)
    levels: tuple[Confidentiality, ...] = attrs.field(
        default=(Confidentiality.SECRET,), converter=_levels
    )
    dossier_ids: tuple[str, ...] = checked_field(texts, default=())
    purpose: str = text_field()
    delegator_role: Role = enum_field(Role, default=Role.GENERAL_MANAGER)

    def __attrs_post_init__(self) -> None:
        if same_person(self.delegator, self.delegate):
            raise ValidationError(
                field="delegate",
                value=self.delegate,
                expected="someone other than the delegator",
                problem="a delegation to oneself",
            )
        if self.valid_until < self.valid_from:
            raise ValidationError(
                field="valid_until",
                value=self.valid_until,
                expected=f"a time at or after valid_from ({self.valid_from.isoformat()})",
            )

    def covers(self, dossier: Dossier) -> bool:
        """Whether the delegation's scope includes ``dossier``."""
        instance(dossier, Dossier, "dossier")
        return dossier.confidentiality in self.levels and (
            not self.dossier_ids or dossier.id in self.dossier_ids
        )

    def is_valid_at(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in the delegation's dates (both ends included)."""
        return self.valid_from <= aware(moment, "moment") <= self.valid_until


@attrs.frozen
class Approval:
    """An approval of a loan, and (when the rule needs one) who requested it.

    Args:
        by: Who approved; never the borrower, nor the person who requested it.
        role: The approver's role.
        at: When (timezone-aware; not after the loan).
        requested_by: Who requested it for the borrower (a department manager).
        requester_role: That person's role.
        delegation: The id of the written :class:`Delegation` (委托书) the approval is
            made under, when the approver holds the approval only by delegation;
            empty otherwise.

    Raises:
        ValidationError: A blank approver, an unknown role, or text fields that are not
            text. (A naive ``at`` is refused when the approval is checked.)
    """

    by: str = checked_field(text)
    role: Role = enum_field(Role)
    at: datetime | None = None
    requested_by: str = text_field()
    requester_role: Role | None = enum_field(Role, default=None)
    delegation: str = text_field()
