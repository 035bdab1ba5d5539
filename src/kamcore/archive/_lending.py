"""Loans of dossiers (借阅登记): reading and lending decided, loans recorded and returned.

:func:`lend` and :func:`check_read` raise :class:`~kamcore.errors.AccessDenied` when the
policy (:class:`~kamcore.archive.LendingPolicy`) refuses; :func:`return_loan` closes a
loan; a :class:`LoanRegister` keeps every loan (每次借阅均登记) and lists the open and
overdue ones.

Examples:
    >>> from datetime import datetime, timezone
    >>> from kamcore.archive import SOURCE_LENDING_POLICY, Confidentiality, Dossier
    >>> t = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> secret = Dossier(id="K-9", name="某集团", confidentiality=Confidentiality.SECRET)
    >>> gm = Approval(by="周总", role=Role.GENERAL_MANAGER, at=t)
    >>> loan, event = lend(SOURCE_LENDING_POLICY, secret, Borrower("小李", Role.STAFF),
    ...                    at=t, hours=4, approval=gm, loan_id="L-1")
    >>> loan.due_at.hour, event.kind.value
    (13, 'lent')
    >>> lend(SOURCE_LENDING_POLICY, secret, Borrower("小李", Role.STAFF),
    ...      at=t, hours=5, approval=gm, loan_id="L-2")
    Traceback (most recent call last):
    ...
    kamcore.errors.AccessDenied: 小李 may not borrow K-9: 5 hours asked; 秘密 dossiers are lent for at most 4 hours
    >>> lend(SOURCE_LENDING_POLICY, secret, Borrower("小李", Role.STAFF), at=t, hours=4,
    ...      approval=Approval(by="小李", role=Role.GENERAL_MANAGER), loan_id="L-3")
    Traceback (most recent call last):
    ...
    kamcore.errors.AccessDenied: 小李 may not borrow K-9: approval.by '小李' is the borrower; nobody approves their own loan
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from kamcore._convert import enum_of, tuple_field
from kamcore._labels import Labelled
from kamcore._validate import sequence, text
from kamcore.archive._checks import instance
from kamcore.archive._dossier import Confidentiality, Dossier, aware
from kamcore.archive._lending_policy import (
    Approval,
    Borrower,
    Delegation,
    LendingPolicy,
    LevelRule,
    Place,
    Role,
    loan_hours,
    same_person,
)
from kamcore.errors import AccessDenied, ValidationError

__all__ = [
    "Loan",
    "LoanEvent",
    "LoanEventKind",
    "LoanRegister",
    "check_read",
    "lend",
    "overdue",
    "return_loan",
]


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
        delegation: The id of the written :class:`~kamcore.archive.Delegation` (委托书)
            the approval relied on (empty when the approver approved in their own right).
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
    delegation: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the dossier is still out."""
        return self.returned_at is None

    def is_overdue(self, as_of: datetime) -> bool:
        """Whether the dossier is out past its due time at ``as_of``."""
        return self.returned_at is None and as_of > self.due_at

    def hours_overdue(self, as_of: datetime | str) -> Decimal:
        """How many hours past its due time the dossier is still out at ``as_of`` (0 if not).

        Examples:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
            >>> loan = Loan("L-1", "K-9", Confidentiality.SECRET, "小李", Role.STAFF,
            ...             lent_at=t, due_at=t.replace(hour=13))
            >>> loan.hours_overdue("2026-03-02T14:30+00:00")
            Decimal('1.5')
        """
        moment = aware(as_of, "as_of")
        if not self.is_overdue(moment):
            return Decimal(0)
        seconds = int((moment - self.due_at).total_seconds())
        return (Decimal(seconds) / 3600).normalize()


class LoanEventKind(Labelled):
    """What happened to a loan; ``.zh`` is its Chinese name."""

    LENT = "lent", "借出"
    """The dossier was handed out (借出)."""
    RETURNED = "returned", "归还"
    """The dossier came back (归还)."""


@attrs.frozen
class LoanEvent:
    """What :func:`lend` or :func:`return_loan` did: the event beside the new loan.

    Attributes:
        kind: Lent or returned.
        loan_id: The loan's number in the register.
        dossier_id: The dossier lent or returned.
        borrower: Who borrowed it.
        at: When it happened.
    """

    kind: LoanEventKind
    loan_id: str
    dossier_id: str
    borrower: str
    at: datetime


def _on_file(delegations: Iterable[Delegation]) -> dict[str, Delegation]:
    on_file: dict[str, Delegation] = {}
    items = sequence(delegations, "delegations", expected="a list of kamcore.archive.Delegation")
    for i, d in enumerate(items):
        if not isinstance(d, Delegation):
            raise ValidationError(
                field=f"delegations[{i}]", value=d, expected="a kamcore.archive.Delegation"
            )
        if d.id in on_file:
            raise ValidationError(
                field=f"delegations[{i}].id",
                value=d.id,
                expected="each delegation number once",
                problem="delegation number given twice",
            )
        on_file[d.id] = d
    return on_file


@attrs.frozen
class _Check:
    """What one approval is checked against, and how a refusal is worded."""

    rule: LevelRule
    dossier: Dossier
    person: Borrower
    who: str  # "borrower" or "reader"
    what: str  # "loan" or "reading"
    action: str

    def deny(self, reason: str) -> AccessDenied:
        return AccessDenied(
            subject=self.dossier.id, actor=self.person.name, action=self.action, reason=reason
        )


def _check_delegation(
    c: _Check, approval: Approval, when: datetime | None, on_file: dict[str, Delegation]
) -> None:
    level = c.dossier.confidentiality.zh
    d = on_file.get(approval.delegation)
    if d is None:
        known = ", ".join(on_file) or "none"
        raise c.deny(
            f"approval.delegation {approval.delegation!r} is not among the delegations "
            f"on file ({known})"
        )
    if not same_person(d.delegate, approval.by):
        raise c.deny(
            f"delegation {d.id!r} is given to {d.delegate}, not to approval.by {approval.by!r}"
        )
    if approval.role is not d.delegate_role:
        raise c.deny(
            f"approval.role {approval.role.value!r} is not delegation {d.id!r}'s "
            f"delegate_role {d.delegate_role.value!r}"
        )
    if d.delegator_role not in c.rule.delegator_roles:
        allowed = "/".join(r.value for r in c.rule.delegator_roles) or "nobody"
        raise c.deny(
            f"delegation {d.id!r}: a {d.delegator_role.value} may not delegate the approval "
            f"of {level} dossiers (delegator_roles: {allowed})"
        )
    if d.delegate_role not in c.rule.delegate_roles:
        allowed = "/".join(r.value for r in c.rule.delegate_roles)
        raise c.deny(
            f"delegation {d.id!r}: delegate_role {d.delegate_role.value!r} may not receive "
            f"the approval of {level} dossiers (delegate_roles: {allowed})"
        )
    if same_person(d.delegator, c.person.name):
        raise c.deny(
            f"delegation {d.id!r} was given by the {c.who} ({d.delegator}); "
            f"nobody approves their own {c.what}"
        )
    if when is None:
        raise ValidationError(
            field="approval.at",
            value=None,
            expected=f"the time of the approval, to check it against delegation {d.id!r}'s dates",
        )
    if not d.is_valid_at(when):
        raise c.deny(
            f"delegation {d.id!r} is valid from {d.valid_from.isoformat()} until "
            f"{d.valid_until.isoformat()}, not at {when.isoformat()} (out of date)"
        )
    if not d.covers(c.dossier):
        scope = "/".join(v.zh for v in d.levels)
        if d.dossier_ids:
            scope += f" dossiers {', '.join(d.dossier_ids)}"
        raise c.deny(
            f"delegation {d.id!r} covers {scope}, not {c.dossier.id} ({level}) (out of scope)"
        )


def _authorise(
    c: _Check,
    approval: Approval | None,
    moment: datetime | None,
    on_file: dict[str, Delegation],
) -> tuple[str, str, str]:
    """Check the approval ``c.person`` needs; (approved_by, requested_by, delegation)."""
    rule = c.rule
    if c.person.role in rule.direct_roles:
        return "", "", ""
    level = c.dossier.confidentiality.zh
    approvers = "/".join(r.value for r in rule.approver_roles)
    if approval is None:
        via = " (or of a delegate under a written delegation)" if rule.delegate_roles else ""
        raise c.deny(f"{level} dossiers need the approval of the {approvers}{via}")
    given_at = None if approval.at is None else aware(approval.at, "approval.at")
    if same_person(approval.by, c.person.name):
        raise c.deny(
            f"approval.by {approval.by!r} is the {c.who}; nobody approves their own {c.what}"
        )
    if approval.requested_by and same_person(approval.by, approval.requested_by):
        raise c.deny(
            f"approval.by {approval.by!r} also made the request (approval.requested_by); "
            "nobody approves their own request"
        )
    if approval.delegation:
        _check_delegation(c, approval, given_at or moment, on_file)
    elif approval.role not in rule.approver_roles:
        cite = (
            f"; the {approval.role.value} approves only under a written delegation (委托书) "
            "cited in approval.delegation"
            if approval.role in rule.delegate_roles
            else ""
        )
        raise c.deny(f"{level} dossiers need the approval of the {approvers}{cite}")
    if given_at is not None and moment is not None and given_at > moment:
        raise c.deny(f"the approval ({given_at.isoformat()}) came after the {c.what}")
    if rule.requester_roles and approval.requester_role not in rule.requester_roles:
        requesters = "/".join(r.value for r in rule.requester_roles)
        raise c.deny(f"{level} dossiers need a request by the {c.who}'s {requesters}")
    return approval.by, approval.requested_by, approval.delegation


def _facts(
    policy: object, dossier: object, person: object, who: str, approval: object
) -> tuple[LendingPolicy, Dossier, Borrower, Approval | None]:
    """The decision's inputs, each checked to be what it claims (errors name the argument)."""
    return (
        instance(policy, LendingPolicy, "policy"),
        instance(dossier, Dossier, "dossier"),
        instance(person, Borrower, who),
        None if approval is None else instance(approval, Approval, "approval"),
    )


def _due(moment: datetime, length: Decimal, hours: object) -> datetime:
    seconds = int(length * 3600)
    if seconds < 1:
        raise ValidationError(
            field="hours",
            value=hours,
            expected="a duration of at least one second",
            problem="too short",
        )
    try:
        return moment + timedelta(seconds=seconds)
    except OverflowError:
        raise ValidationError(
            field="hours",
            value=hours,
            expected=f"a duration whose end falls in the calendar (lent at {moment.isoformat()})",
            problem="the due time is past the year 9999",
        ) from None


def check_read(
    policy: LendingPolicy,
    dossier: Dossier,
    reader: Borrower,
    *,
    place: Place | str,
    approval: Approval | None = None,
    at: datetime | str | None = None,
    hours: int | Decimal | None = None,
    delegations: Iterable[Delegation] = (),
) -> None:
    """Check that ``reader`` may read ``dossier`` at ``place``.

    Reading outside the archive room a level whose rule has
    ``read_outside_needs_approval`` (秘密, in the source's rules) needs what a loan
    needs: ``approval`` (by someone other than the reader, in a role the rule allows, or
    under a cited delegation on file), and no more than ``max_hours`` when ``hours`` is
    given.

    Args:
        policy: The lending rules.
        dossier: The dossier to read.
        reader: Who reads.
        place: Where.
        approval: The approval the level needs outside the archive room, if any.
        at: When the reading starts (timezone-aware); an approval may not come later.
        hours: For how long it is read outside, when known.
        delegations: The written delegations on file (委托书) an approval may cite.

    Raises:
        AccessDenied: The level may not be read at all, or not outside the archive room,
            or not without an approval the reader lacks.
        ValidationError: ``place`` is not a :class:`Place`, a bad time, duration or
            delegation.
    """
    policy, dossier, reader, approval = _facts(policy, dossier, reader, "reader", approval)
    where = enum_of(place, Place, "place")
    moment = None if at is None else aware(at, "at")
    length = None if hours is None else loan_hours(hours)
    on_file = _on_file(delegations)
    rule = policy.rule(dossier.confidentiality)
    level = dossier.confidentiality.zh
    if not rule.readable:
        raise AccessDenied(
            subject=dossier.id,
            actor=reader.name,
            action="read",
            reason=f"{level} dossiers are never lent or read outside",
        )
    if where is Place.ARCHIVE_ROOM:
        return
    c = _Check(rule, dossier, reader, "reader", "reading", "read outside the archive room")
    if not rule.read_outside:
        raise c.deny(f"{level} dossiers are read only in the archive room")
    if rule.read_outside_needs_approval:
        if length is not None and rule.max_hours is not None and length > rule.max_hours:
            raise c.deny(
                f"{length} hours asked; {level} dossiers are read outside for at most "
                f"{rule.max_hours} hours"
            )
        _authorise(c, approval, moment, on_file)


def lend(
    policy: LendingPolicy,
    dossier: Dossier,
    borrower: Borrower,
    *,
    at: datetime | str,
    hours: int | Decimal,
    loan_id: str,
    approval: Approval | None = None,
    purpose: str = "",
    delegations: Iterable[Delegation] = (),
) -> tuple[Loan, LoanEvent]:
    """Lend a dossier if the policy allows it; returns the loan to record and the event.

    Args:
        policy: The lending rules.
        dossier: The dossier to lend.
        borrower: Who borrows.
        at: When it is handed out (timezone-aware; a datetime or ISO text).
        hours: For how long.
        loan_id: The loan's number in the register.
        approval: The approval (and request) the level needs, if any. The approver is
            never the borrower (names compared ignoring case and surrounding spaces)
            nor the person who requested the loan.
        purpose: Why.
        delegations: The written delegations on file (委托书); an approval made under
            one cites its id (``Approval.delegation``).

    Returns:
        The open :class:`Loan` and the :class:`LoanEvent` (``LENT``).

    Raises:
        AccessDenied: The level is never lent, the loan is too long, the approval or
            request the level needs is missing, the approver is the borrower or the
            requester, or the cited delegation is unknown, given to someone else or to
            a role that may not receive it, out of date or out of scope.
        ValidationError: A bad time, duration, id or delegation.

    Examples:
        >>> from datetime import datetime, timedelta, timezone
        >>> from kamcore.archive import SOURCE_LENDING_POLICY, Confidentiality, Dossier
        >>> t = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> away = Delegation(id="W-1", delegator="周总", delegate="陈主任",
        ...                   delegate_role=Role.OFFICE_DIRECTOR, valid_from=t,
        ...                   valid_until=t + timedelta(days=3), purpose="出差期间")
        >>> secret = Dossier(id="K-9", name="某集团", confidentiality=Confidentiality.SECRET)
        >>> chen = Approval(by="陈主任", role=Role.OFFICE_DIRECTOR, at=t, delegation="W-1")
        >>> lend(SOURCE_LENDING_POLICY, secret, Borrower("小李", Role.STAFF), at=t, hours=2,
        ...      approval=chen, loan_id="L-1", delegations=[away])[0].approved_by
        '陈主任'
    """
    policy, dossier, borrower, approval = _facts(policy, dossier, borrower, "borrower", approval)
    moment = aware(at, "at")
    length = loan_hours(hours)
    due = _due(moment, length, hours)
    text(loan_id, "loan_id", expected="the loan's number")
    text(purpose, "purpose", required=False)
    on_file = _on_file(delegations)
    rule = policy.rule(dossier.confidentiality)
    level = dossier.confidentiality.zh
    c = _Check(rule, dossier, borrower, "borrower", "loan", "borrow")
    if not rule.lendable:
        reason = (
            f"{level} dossiers are never lent or read outside"
            if not rule.readable
            else f"{level} dossiers are read only in the archive room, never lent"
        )
        raise c.deny(reason)
    if rule.max_hours is not None and length > rule.max_hours:
        raise c.deny(
            f"{length} hours asked; {level} dossiers are lent for at most {rule.max_hours} hours"
        )
    approved_by, requested_by, delegation = _authorise(c, approval, moment, on_file)
    loan = Loan(
        id=loan_id,
        dossier_id=dossier.id,
        level=dossier.confidentiality,
        borrower=borrower.name,
        borrower_role=borrower.role,
        lent_at=moment,
        due_at=due,
        approved_by=approved_by,
        requested_by=requested_by,
        purpose=purpose,
        delegation=delegation,
    )
    return loan, _event(LoanEventKind.LENT, loan, moment)


def _event(kind: LoanEventKind, loan: Loan, at: datetime) -> LoanEvent:
    return LoanEvent(kind, loan.id, loan.dossier_id, loan.borrower, at)


def return_loan(loan: Loan, *, at: datetime | str) -> tuple[Loan, LoanEvent]:
    """Close a loan: the dossier came back at ``at``.

    Args:
        loan: The open loan.
        at: When it came back (timezone-aware; a datetime or ISO text).

    Returns:
        The returned loan and the :class:`LoanEvent` (``RETURNED``).

    Raises:
        ValidationError: The loan is already returned, or ``at`` is before it was lent.
    """
    instance(loan, Loan, "loan")
    moment = aware(at, "at")
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
    return attrs.evolve(loan, returned_at=moment), _event(LoanEventKind.RETURNED, loan, moment)


@attrs.frozen
class LoanRegister:
    """Every loan, in the order recorded (借阅登记簿); loans are never removed."""

    loans: tuple[Loan, ...] = tuple_field(Loan)

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
        moment = aware(as_of, "as_of")
        late = [loan for loan in self.loans if loan.is_overdue(moment)]
        return tuple(sorted(late, key=lambda loan: loan.due_at))

    def of(self, dossier_id: str) -> tuple[Loan, ...]:
        """The loans of one dossier."""
        return tuple(loan for loan in self.loans if loan.dossier_id == dossier_id)


def overdue(loans: Iterable[Loan], as_of: datetime) -> tuple[Loan, ...]:
    """The loans out past their due time at ``as_of``, most overdue first.

    Raises:
        ValidationError: ``loans`` is not a sequence of loans, or ``as_of`` is naive.
    """
    return LoanRegister(sequence(loans, "loans", expected="a list of Loan")).overdue(as_of)
