"""Confidentiality and lending (档案借阅): who may read or borrow a dossier, and the loans.

A :class:`LendingPolicy` holds one :class:`LevelRule` per confidentiality level. The
source rules (rules §4.5) are :data:`SOURCE_LENDING_POLICY`:

* 绝密 top secret — never lent, never read outside. The source gives 绝密 and 机密
  almost the same words; the shipped policy reads 绝密 as not open to reading through
  the archive at all (``readable = false``). A company that lets cleared people read it
  in the archive room sets ``readable = true`` in its policy;
* 机密 confidential — read only in the archive room, never lent;
* 秘密 secret — lent only with the general manager's or a deputy's approval, for at most
  4 hours;
* unclassified — executives borrow directly; others need their department manager's
  request, approved by the office director.

:func:`lend` and :func:`check_read` raise :class:`~kamcore.errors.AccessDenied` when the
policy refuses; :func:`return_loan` closes a loan; a :class:`LoanRegister` keeps every
loan (每次借阅均登记) and lists the open and overdue ones. :func:`redact` gives the view
of a dossier for any export: contacts' sensitive personal data removed;
:func:`redact_revision` gives the same view of a revision that changed contacts.

Examples:
    >>> from datetime import datetime, timezone
    >>> from kamcore.archive import Dossier, Confidentiality
    >>> t = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> secret = Dossier(id="K-9", name="某集团", confidentiality=Confidentiality.SECRET)
    >>> gm = Approval(by="周总", role=Role.GENERAL_MANAGER, at=t)
    >>> loan = lend(SOURCE_LENDING_POLICY, secret, Borrower("小李", Role.STAFF),
    ...             at=t, hours=4, approval=gm, loan_id="L-1")
    >>> loan.due_at.hour
    13
    >>> lend(SOURCE_LENDING_POLICY, secret, Borrower("小李", Role.STAFF),
    ...      at=t, hours=5, approval=gm, loan_id="L-2")
    Traceback (most recent call last):
    ...
    kamcore.errors.AccessDenied: 小李 may not borrow K-9: 5 hours asked; 秘密 dossiers are lent for at most 4 hours
"""  # noqa: E501

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

import attrs

from kamcore._convert import enum_of
from kamcore.archive import canonical as canon
from kamcore.archive.contacts import Contact, redact_contact
from kamcore.archive.dossier import Confidentiality, Dossier
from kamcore.archive.revisions import Change, Revision
from kamcore.errors import AccessDenied, PolicyError, ValidationError
from kamcore.money import as_decimal

__all__ = [
    "SOURCE_LENDING_POLICY",
    "Approval",
    "Borrower",
    "LendingPolicy",
    "LevelRule",
    "Loan",
    "LoanRegister",
    "Place",
    "Role",
    "check_read",
    "lend",
    "overdue",
    "redact",
    "redact_revision",
    "return_loan",
]


class Role(enum.Enum):
    """A person's position, as the lending rules name it."""

    GENERAL_MANAGER = "general_manager"
    """总经理."""
    DEPUTY_GENERAL_MANAGER = "deputy_general_manager"
    """副总经理."""
    EXECUTIVE = "executive"
    """公司领导 (other executives)."""
    OFFICE_DIRECTOR = "office_director"
    """办公室主任."""
    DEPARTMENT_MANAGER = "department_manager"
    """部门经理."""
    STAFF = "staff"
    """员工."""


class Place(enum.Enum):
    """Where a dossier is to be read."""

    ARCHIVE_ROOM = "archive_room"
    """档案室."""
    OUTSIDE = "outside"
    """Anywhere else."""


def _roles(value: object) -> tuple[Role, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError(field="roles", value=value, expected="a list of roles")
    try:
        return tuple(Role(v) for v in value)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValidationError(
            field="roles", value=value, expected=f"roles among: {known}"
        ) from None


def _hours(value: object) -> Decimal | None:
    return None if value is None else as_decimal(value, field="max_hours")


def _to_level(value: object) -> Confidentiality:
    return enum_of(value, Confidentiality, "level")


def _to_role(value: object) -> Role:
    return enum_of(value, Role, "role")


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
    """

    level: Confidentiality = attrs.field(converter=_to_level)
    readable: bool = True
    read_outside: bool = False
    lendable: bool = False
    max_hours: Decimal | None = attrs.field(default=None, converter=_hours)
    direct_roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles)
    approver_roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles)
    requester_roles: tuple[Role, ...] = attrs.field(default=(), converter=_roles)


def _rules(value: Iterable[LevelRule]) -> tuple[LevelRule, ...]:
    return tuple(value)


def _loans(value: Iterable[Loan]) -> tuple[Loan, ...]:
    return tuple(value)


@attrs.frozen
class LendingPolicy:
    """The company's reading and lending rules, one :class:`LevelRule` per level.

    Raises:
        PolicyError: A level missing or given twice, a rule that lends what it forbids
            reading outside, a lendable level nobody can borrow, or hours not above zero.
    """

    rules: tuple[LevelRule, ...] = attrs.field(converter=_rules)

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
            if rule.lendable and not (rule.direct_roles or rule.approver_roles):
                raise PolicyError(
                    "lendable, but nobody may borrow or approve",
                    policy="LendingPolicy",
                    part=part,
                )
            if rule.max_hours is not None and rule.max_hours <= 0:
                raise PolicyError("max_hours must be above zero", policy="LendingPolicy", part=part)
        missing = [level.zh for level in Confidentiality if level not in seen]
        if missing:
            raise PolicyError(
                f"no rule for {', '.join(missing)}", policy="LendingPolicy", part="rules"
            )

    def rule(self, level: Confidentiality) -> LevelRule:
        """The rule for ``level``."""
        return next(r for r in self.rules if r.level is level)


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
        ),
        LevelRule(
            Confidentiality.UNCLASSIFIED,
            read_outside=True,
            lendable=True,
            direct_roles=(Role.GENERAL_MANAGER, Role.DEPUTY_GENERAL_MANAGER, Role.EXECUTIVE),
            approver_roles=(Role.OFFICE_DIRECTOR,),
            requester_roles=(Role.DEPARTMENT_MANAGER,),
        ),
    )
)


@attrs.frozen
class Borrower:
    """Who wants to read or borrow, and their role."""

    name: str
    role: Role = attrs.field(converter=_to_role)


@attrs.frozen
class Approval:
    """An approval of a loan, and (when the rule needs one) who requested it.

    Args:
        by: Who approved.
        role: The approver's role.
        at: When.
        requested_by: Who requested it for the borrower (a department manager).
        requester_role: That person's role.
    """

    by: str
    role: Role = attrs.field(converter=_to_role)
    at: datetime | None = None
    requested_by: str = ""
    requester_role: Role | None = attrs.field(
        default=None, converter=attrs.converters.optional(Role)
    )


@attrs.frozen
class Loan:
    """A recorded loan of a dossier (借阅登记).

    Attributes:
        id: The loan's number in the register.
        dossier_id: The dossier lent.
        level: Its confidentiality level when lent.
        borrower: Who borrowed it.
        borrower_role: Their role.
        lent_at: When it was handed out.
        due_at: When it must be back.
        approved_by: Who approved (empty for a direct loan).
        requested_by: Who requested it (empty when no request was needed).
        purpose: Why it was borrowed.
        returned_at: When it came back (``None`` while out).
    """

    id: str
    dossier_id: str
    level: Confidentiality
    borrower: str
    borrower_role: Role
    lent_at: datetime
    due_at: datetime
    approved_by: str = ""
    requested_by: str = ""
    purpose: str = ""
    returned_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether the dossier is still out."""
        return self.returned_at is None

    def is_overdue(self, as_of: datetime) -> bool:
        """Whether the dossier is out past its due time at ``as_of``."""
        return self.returned_at is None and as_of > self.due_at


def _aware(value: object, field: str) -> datetime:
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value
    raise ValidationError(field=field, value=value, expected="a timezone-aware datetime")


def check_read(
    policy: LendingPolicy, dossier: Dossier, reader: Borrower, *, place: Place | str
) -> None:
    """Check that ``reader`` may read ``dossier`` at ``place``.

    Raises:
        AccessDenied: The level may not be read at all, or not outside the archive room.
        ValidationError: ``place`` is not a :class:`Place`.
    """
    try:
        where = Place(place)
    except ValueError:
        raise ValidationError(
            field="place", value=place, expected="'archive_room' or 'outside'"
        ) from None
    rule = policy.rule(dossier.confidentiality)
    level = dossier.confidentiality.zh
    if not rule.readable:
        raise AccessDenied(
            subject=dossier.id,
            actor=reader.name,
            action="read",
            reason=f"{level} dossiers are never lent or read outside",
        )
    if where is Place.OUTSIDE and not rule.read_outside:
        raise AccessDenied(
            subject=dossier.id,
            actor=reader.name,
            action="read outside the archive room",
            reason=f"{level} dossiers are read only in the archive room",
        )


def lend(
    policy: LendingPolicy,
    dossier: Dossier,
    borrower: Borrower,
    *,
    at: datetime,
    hours: int | Decimal,
    loan_id: str,
    approval: Approval | None = None,
    purpose: str = "",
) -> Loan:
    """Lend a dossier if the policy allows it; returns the loan to record.

    Args:
        policy: The lending rules.
        dossier: The dossier to lend.
        borrower: Who borrows.
        at: When it is handed out (timezone-aware).
        hours: For how long.
        loan_id: The loan's number in the register.
        approval: The approval (and request) the level needs, if any.
        purpose: Why.

    Returns:
        The open :class:`Loan`.

    Raises:
        AccessDenied: The level is never lent, the loan is too long, or the approval
            or request the level needs is missing.
        ValidationError: A bad time, duration or id.
    """
    moment = _aware(at, "at")
    length = as_decimal(hours, field="hours")
    if length <= 0:
        raise ValidationError(field="hours", value=hours, expected="a duration above zero")
    if not isinstance(loan_id, str) or not loan_id.strip():
        raise ValidationError(field="loan_id", value=loan_id, expected="the loan's number")
    rule = policy.rule(dossier.confidentiality)
    level = dossier.confidentiality.zh

    def deny(action: str, reason: str) -> AccessDenied:
        return AccessDenied(subject=dossier.id, actor=borrower.name, action=action, reason=reason)

    if not rule.lendable:
        reason = (
            f"{level} dossiers are never lent or read outside"
            if not rule.readable
            else f"{level} dossiers are read only in the archive room, never lent"
        )
        raise deny("borrow", reason)
    if rule.max_hours is not None and length > rule.max_hours:
        raise deny(
            "borrow",
            f"{length} hours asked; {level} dossiers are lent for at most {rule.max_hours} hours",
        )
    approved_by = requested_by = ""
    if borrower.role not in rule.direct_roles:
        approvers = "/".join(r.value for r in rule.approver_roles)
        if approval is None or approval.role not in rule.approver_roles:
            raise deny("borrow", f"{level} dossiers need the approval of the {approvers}")
        if approval.at is not None and approval.at > moment:
            raise deny("borrow", f"the approval ({approval.at.isoformat()}) came after the loan")
        if rule.requester_roles and approval.requester_role not in rule.requester_roles:
            requesters = "/".join(r.value for r in rule.requester_roles)
            raise deny("borrow", f"{level} dossiers need a request by the borrower's {requesters}")
        approved_by, requested_by = approval.by, approval.requested_by
    return Loan(
        id=loan_id,
        dossier_id=dossier.id,
        level=dossier.confidentiality,
        borrower=borrower.name,
        borrower_role=borrower.role,
        lent_at=moment,
        due_at=moment + timedelta(seconds=int(length * 3600)),
        approved_by=approved_by,
        requested_by=requested_by,
        purpose=purpose,
    )


def return_loan(loan: Loan, *, at: datetime) -> Loan:
    """Close a loan: the dossier came back at ``at``.

    Raises:
        ValidationError: The loan is already returned, or ``at`` is before it was lent.
    """
    moment = _aware(at, "at")
    if loan.returned_at is not None:
        raise ValidationError(
            field="returned_at",
            value=loan.returned_at,
            expected="an open loan",
            problem=f"loan {loan.id} was already returned",
        )
    if moment < loan.lent_at:
        raise ValidationError(
            field="at", value=moment, expected=f"a time after {loan.lent_at.isoformat()}"
        )
    return attrs.evolve(loan, returned_at=moment)


@attrs.frozen
class LoanRegister:
    """Every loan, in the order recorded (借阅登记簿); loans are never removed."""

    loans: tuple[Loan, ...] = attrs.field(default=(), converter=_loans)

    def record(self, loan: Loan) -> LoanRegister:
        """Add a new loan, or the return of an open one.

        Raises:
            ValidationError: A new loan's id is taken, or the loan was already returned.
        """
        for i, existing in enumerate(self.loans):
            if existing.id == loan.id:
                if (
                    existing.returned_at is None
                    and attrs.evolve(existing, returned_at=loan.returned_at) == loan
                    and loan.returned_at is not None
                ):
                    return LoanRegister((*self.loans[:i], loan, *self.loans[i + 1 :]))
                raise ValidationError(
                    field="id",
                    value=loan.id,
                    expected="a new loan number, or the return of an open loan",
                    problem="loan already recorded",
                )
        return LoanRegister((*self.loans, loan))

    def open(self) -> tuple[Loan, ...]:
        """The loans still out."""
        return tuple(loan for loan in self.loans if loan.is_open)

    def overdue(self, as_of: datetime) -> tuple[Loan, ...]:
        """The loans out past their due time at ``as_of``, most overdue first."""
        late = [loan for loan in self.loans if loan.is_overdue(_aware(as_of, "as_of"))]
        return tuple(sorted(late, key=lambda loan: loan.due_at))

    def of(self, dossier_id: str) -> tuple[Loan, ...]:
        """The loans of one dossier."""
        return tuple(loan for loan in self.loans if loan.dossier_id == dossier_id)


def overdue(loans: Iterable[Loan], as_of: datetime) -> tuple[Loan, ...]:
    """The loans out past their due time at ``as_of``, most overdue first."""
    return LoanRegister(tuple(loans)).overdue(as_of)


def redact(dossier: Dossier) -> Dossier:
    """The export view of a dossier: every contact's sensitive personal data removed.

    Examples:
        >>> from kamcore.archive import Contact
        >>> d = Dossier(id="K", name="某", contacts=(Contact(id="c", name="王", spouse="李"),))
        >>> redact(d).contacts[0].spouse
        ''
    """
    return attrs.evolve(dossier, contacts=tuple(redact_contact(c) for c in dossier.contacts))


def _redacted_contacts(text: str) -> str:
    contacts: tuple[Contact, ...] = canon.from_plain(tuple[Contact, ...], canon.loads(text))
    return canon.dumps(tuple(redact_contact(c) for c in contacts))


def redact_revision(revision: Revision) -> Revision:
    """The export view of a revision: contacts' sensitive personal data removed.

    A change of ``contacts`` carries every contact's data in its old and new values;
    they are redacted as :func:`redact` redacts a dossier. Other changes are kept.
    The view keeps the recorded ``hash`` so that it still names the revision, but it
    no longer matches it: show it, never store or verify it.

    Raises:
        ValidationError: A change's old or new text is not JSON of contacts.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from kamcore.archive import create
        >>> d = Dossier(id="K", name="某", contacts=(Contact(id="c", name="王", spouse="李"),))
        >>> _, first = create(d, by="li", at=datetime(2026, 1, 5, tzinfo=timezone.utc))
        >>> redact_revision(first).changes[-1].new_value()[0].spouse
        ''
    """
    changes = tuple(
        Change(c.field, _redacted_contacts(c.old), _redacted_contacts(c.new))
        if c.field == "contacts"
        else c
        for c in revision.changes
    )
    return attrs.evolve(revision, changes=changes)
