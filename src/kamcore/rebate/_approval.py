"""Approvals before promise (返点管理): approval chains, rebate requests and their events."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from operator import attrgetter
from typing import Final

import attrs

from kamcore._validate import (
    instance_of,
    is_text,
    moment,
    money,
    policy_rows,
    required_text,
    sequence,
    text,
)
from kamcore.errors import (
    AccessDenied,
    ApprovalRequired,
    PolicyError,
    TransitionNotAllowed,
    ValidationError,
)
from kamcore.money import Money

__all__ = [
    "DEFAULT_CHAIN",
    "ApprovalChain",
    "ApprovalStep",
    "RebateRequest",
    "RequestEvent",
    "RequestEventKind",
    "RequestStatus",
    "approve",
    "promise",
    "reject",
    "submit",
]


@attrs.frozen(kw_only=True)
class ApprovalStep:
    """One step of an approval chain: who must approve, in English and Chinese.

    Attributes:
        key: A short identifier, such as ``"general_manager"``.
        label: The English name (``"general manager"``).
        zh: The Chinese name (``"总经理"``).
    """

    key: str = attrs.field(validator=is_text)
    label: str = attrs.field(default="", validator=is_text)
    zh: str = attrs.field(default="", validator=is_text)

    @property
    def title(self) -> str:
        """``'general manager (总经理)'``, or the key when unlabelled."""
        name = self.label or self.key
        return f"{name} ({self.zh})" if self.zh else name


def _to_steps(value: object) -> tuple[ApprovalStep, ...]:
    if isinstance(value, list | tuple):
        return tuple(value)
    raise PolicyError(
        f"steps must be a list of ApprovalStep, not {type(value).__name__}",
        policy="ApprovalChain",
        part="steps",
    )


@attrs.frozen(kw_only=True)
class ApprovalChain:
    """The ordered approvals a rebate request needs before it may be promised.

    Chains are data; the source's chain is :data:`DEFAULT_CHAIN` (also the preset
    ``rebate_approval_source``).

    Nobody approves their own request (rules §4.5): the requester never decides a step
    of their request, and every approver differs from every other approver of the same
    request, so one person decides at most one step, whatever the chain. No request is
    fully approved unless every step was decided by someone other than the requester
    and each other. People are compared by name, ignoring case and surrounding spaces.

    Attributes:
        steps: The approvals, in order.
        name: A name for the chain.
        distinct_approvers: Always ``True``: each step is decided by a different person.
            The field remains so that documents which spell it out (``true``) still
            load; ``False`` is refused (separation of duties can't be turned off).

    Raises:
        PolicyError: No steps, a step that is not an :class:`ApprovalStep`, an empty key
            or a key used twice, or ``distinct_approvers`` other than ``True``.

    Examples:
        >>> [s.zh for s in DEFAULT_CHAIN.steps]
        ['大客户部经理', '营销中心', '总经理']
    """

    steps: tuple[ApprovalStep, ...] = attrs.field(converter=_to_steps)
    name: str = ""
    distinct_approvers: bool = True

    def __attrs_post_init__(self) -> None:
        if self.distinct_approvers is not True:
            raise PolicyError(
                f"must be true, not {self.distinct_approvers!r}: nobody decides two steps of "
                "one request, and separation of duties can't be turned off (rules §4.5)",
                policy="ApprovalChain",
                part="distinct_approvers",
            )
        policy_rows(
            self.steps,
            ApprovalStep,
            policy="ApprovalChain",
            part="steps",
            key=attrgetter("key"),
            noun="step",
            empty="a chain needs at least one step",
            blank="the step has an empty key",
        )

    @property
    def keys(self) -> tuple[str, ...]:
        """The step keys, in order."""
        return tuple(s.key for s in self.steps)


#: The source's chain: applied for to the KA department manager, approved by the
#: marketing centre and the general manager (rules §3.1, 返点管理).
DEFAULT_CHAIN: Final = ApprovalChain(
    steps=(
        ApprovalStep(key="ka_manager", label="KA department manager", zh="大客户部经理"),
        ApprovalStep(key="marketing_centre", label="marketing centre", zh="营销中心"),
        ApprovalStep(key="general_manager", label="general manager", zh="总经理"),
    ),
    name="source",
)


class RequestStatus(enum.Enum):
    """Where a rebate request stands."""

    PENDING = "pending"
    """Submitted, awaiting one or more approvals (待审批)."""
    APPROVED = "approved"
    """Every step approved; it may now be promised (已批准)."""
    REJECTED = "rejected"
    """Refused at some step; the request has ended (已驳回)."""
    PROMISED = "promised"
    """Promised to the customer (已承诺)."""


class RequestEventKind(enum.Enum):
    """What happened to a rebate request."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PROMISED = "promised"


@attrs.frozen(kw_only=True)
class RequestEvent:
    """One immutable step in a rebate request's history.

    Attributes:
        request: The request id.
        kind: What happened.
        step: The approval step key (``""`` for submission and promise).
        by: Who did it.
        at: When.
        note: Why (the rejection reason, an approval remark, the promise's wording).
    """

    request: str = attrs.field(validator=required_text)
    kind: RequestEventKind = attrs.field()
    by: str = attrs.field(validator=required_text)
    at: datetime = attrs.field()
    step: str = attrs.field(default="", validator=is_text)
    note: str = attrs.field(default="", validator=is_text)

    @kind.validator
    def _check_kind(self, attribute: attrs.Attribute[object], value: object) -> None:
        instance_of(value, RequestEventKind, "kind", expected="a RequestEventKind")

    @at.validator
    def _check_at(self, attribute: attrs.Attribute[object], value: object) -> None:
        instance_of(value, datetime, "at", expected="a datetime.datetime")


def _amount(value: object) -> Money:
    return money(value, "amount", non_negative=True)


def _events(value: Iterable[RequestEvent]) -> tuple[RequestEvent, ...]:
    events = sequence(value, "history", expected="a list of RequestEvent")
    for i, event in enumerate(events):
        instance_of(event, RequestEvent, f"history[{i}]", expected="a RequestEvent")
    return events


def _chain(value: object) -> ApprovalChain:
    return instance_of(value, ApprovalChain, "chain", expected="an ApprovalChain")


@attrs.frozen(kw_only=True)
class RebateRequest:
    """A rebate applied for in advance (返点申请); its state is the replay of its history.

    Build one with :func:`submit`; move it with :func:`approve`, :func:`reject` and
    :func:`promise`. Every move appends one :class:`RequestEvent`.

    Attributes:
        id: The request id.
        account: The account (customer) the rebate is for.
        amount: The rebate asked for.
        chain: The approvals it needs, in order.
        purpose: Why the rebate is asked for.
        history: Every event, oldest first; the first is the submission.

    Raises:
        ValidationError: A history that could not have happened (events out of order,
            approvals out of chain order, anything after a rejection or a promise, the
            requester deciding a step, or one person deciding two steps), or fields of
            the wrong type (each error names its field).
    """

    id: str
    account: str
    amount: Money = attrs.field(converter=_amount)
    chain: ApprovalChain = attrs.field(default=DEFAULT_CHAIN, converter=_chain)
    purpose: str = attrs.field(default="", validator=is_text)
    history: tuple[RequestEvent, ...] = attrs.field(default=(), converter=_events)

    def __attrs_post_init__(self) -> None:
        text(self.id, "id")
        text(self.account, "account")
        status = None
        approved = 0
        last: datetime | None = None
        for i, event in enumerate(self.history):
            field = f"history[{i}]"
            if event.request != self.id:
                raise ValidationError(
                    field=f"{field}.request",
                    value=event.request,
                    expected=repr(self.id),
                    problem="event of another request",
                )
            if last is not None and _before(event.at, last, f"{field}.at"):
                raise ValidationError(
                    field=f"{field}.at",
                    value=event.at,
                    expected=f"a time at or after {last.isoformat()}",
                    problem="history goes back in time",
                )
            last = event.at
            expected_kind = _next_kinds(status)
            if event.kind not in expected_kind or (
                event.kind in (RequestEventKind.APPROVED, RequestEventKind.REJECTED)
                and event.step != self.chain.steps[approved].key
            ):
                raise ValidationError(
                    field=field,
                    value=f"{event.kind.value} {event.step}".strip(),
                    expected=" or ".join(k.value for k in expected_kind) or "no further events",
                    problem="history out of order",
                )
            status, approved = _apply(event.kind, approved, len(self.chain.steps))
            if event.kind in _DECISIONS and _same_person(event.by, self.history[0].by):
                raise ValidationError(
                    field=f"{field}.by",
                    value=event.by,
                    expected=f"someone other than the requester ({self.history[0].by}); "
                    "nobody approves their own request",
                    problem="the requester decided a step",
                )
            if event.kind in _DECISIONS:
                earlier = _decided_by(self.history[:i], event.by)
                if earlier is not None:
                    raise ValidationError(
                        field=f"{field}.by",
                        value=event.by,
                        expected=f"someone other than the approver of {earlier.step!r} "
                        "(nobody decides two steps of one request)",
                        problem="one person decided two steps",
                    )

    # -- derived state ---------------------------------------------------------------
    @property
    def requester(self) -> str:
        """Who applied for the rebate (the submission's ``by``; empty without history)."""
        return self.history[0].by if self.history else ""

    @property
    def status(self) -> RequestStatus:
        """The current status (the replay of :attr:`history`)."""
        status: RequestStatus = RequestStatus.PENDING
        approved = 0
        for event in self.history:
            status, approved = _apply(event.kind, approved, len(self.chain.steps))
        return status

    @property
    def approved_steps(self) -> tuple[str, ...]:
        """The step keys approved so far, in order."""
        return tuple(e.step for e in self.history if e.kind is RequestEventKind.APPROVED)

    @property
    def missing(self) -> tuple[ApprovalStep, ...]:
        """The steps still to approve, in order (empty once approved or ended)."""
        if self.status is not RequestStatus.PENDING:
            return ()
        return self.chain.steps[len(self.approved_steps) :]

    @property
    def next_step(self) -> ApprovalStep | None:
        """The step whose decision is awaited, or ``None``."""
        missing = self.missing
        return missing[0] if missing else None

    @property
    def rejection(self) -> RequestEvent | None:
        """The rejection event (step, who, when, reason), if the request was rejected."""
        for event in self.history:
            if event.kind is RequestEventKind.REJECTED:
                return event
        return None


_DECISIONS: Final = (RequestEventKind.APPROVED, RequestEventKind.REJECTED)


def _same_person(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _decided_by(history: Iterable[RequestEvent], by: str) -> RequestEvent | None:
    """The earlier decision (approval or rejection) made by ``by``, if any."""
    for event in history:
        if event.kind in _DECISIONS and _same_person(event.by, by):
            return event
    return None


def _before(a: datetime, b: datetime, field: str) -> bool:
    try:
        return a < b
    except TypeError:
        raise ValidationError(
            field=field,
            value=a,
            expected="times that are all time-zone aware or all naive",
            problem="can't compare naive and aware times",
        ) from None


def _next_kinds(status: RequestStatus | None) -> tuple[RequestEventKind, ...]:
    if status is None:
        return (RequestEventKind.SUBMITTED,)
    if status is RequestStatus.PENDING:
        return (RequestEventKind.APPROVED, RequestEventKind.REJECTED)
    if status is RequestStatus.APPROVED:
        return (RequestEventKind.PROMISED,)
    return ()


def _apply(kind: RequestEventKind, approved: int, steps: int) -> tuple[RequestStatus, int]:
    if kind is RequestEventKind.SUBMITTED:
        return RequestStatus.PENDING, approved
    if kind is RequestEventKind.APPROVED:
        approved += 1
        return (RequestStatus.APPROVED if approved == steps else RequestStatus.PENDING), approved
    if kind is RequestEventKind.REJECTED:
        return RequestStatus.REJECTED, approved
    return RequestStatus.PROMISED, approved


def _append(request: RebateRequest, event: RequestEvent) -> tuple[RebateRequest, RequestEvent]:
    last = request.history[-1].at
    if _before(event.at, last, "at"):
        raise ValidationError(
            field="at",
            value=event.at,
            expected=f"a time at or after the last event, {last.isoformat()}",
            problem="history is append-only and goes forward in time",
        )
    return attrs.evolve(request, history=(*request.history, event)), event


def submit(
    *,
    id: str,
    account: str,
    amount: Money | str | int,
    by: str,
    at: datetime | str,
    chain: ApprovalChain = DEFAULT_CHAIN,
    purpose: str = "",
) -> tuple[RebateRequest, RequestEvent]:
    """Apply for a rebate in advance (事先申请): the request awaits the first step.

    Args:
        id: The request id.
        account: The account the rebate is for.
        amount: The rebate asked for.
        by: Who applies (usually the account manager).
        at: When.
        chain: The approvals it needs; the source's chain by default.
        purpose: Why the rebate is asked for.

    Returns:
        The new request and its ``SUBMITTED`` event.

    Raises:
        ValidationError: An empty id, account or applicant, a negative amount, a bad time,
            or a chain that is not an :class:`ApprovalChain` (``None`` included).

    Examples:
        >>> req, event = submit(id="R-1", account="Acme", amount="14400.00",
        ...                     by="li", at="2026-03-02T09:00")
        >>> req.status, req.next_step.zh
        (<RequestStatus.PENDING: 'pending'>, '大客户部经理')
    """
    _chain(chain)
    event = RequestEvent(
        request=text(id, "id"),
        kind=RequestEventKind.SUBMITTED,
        by=text(by, "by"),
        at=moment(at),
        note=text(purpose, "purpose", required=False),
    )
    request = RebateRequest(
        id=id, account=account, amount=amount, chain=chain, purpose=purpose, history=(event,)
    )
    return request, event


def _submitted(request: object) -> RebateRequest:
    """``request`` if it is a submitted :class:`RebateRequest` (it has a requester)."""
    checked = instance_of(request, RebateRequest, "request", expected="a RebateRequest")
    if not checked.history:
        raise ValidationError(
            field="request.history",
            value=(),
            expected="a request made by submit(), whose first event names the requester",
            problem="the request was never submitted",
        )
    return checked


def _refuse(request: RebateRequest, target: str, reason: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        subject=f"rebate request {request.id!r}",
        source=request.status.value,
        target=target,
        reason=reason,
    )


def _decide(
    request: RebateRequest,
    step: str,
    kind: RequestEventKind,
    *,
    by: str,
    at: object,
    note: str,
) -> tuple[RebateRequest, RequestEvent]:
    verb = "approve" if kind is RequestEventKind.APPROVED else "reject"
    _submitted(request)
    text(step, "step")
    if step not in request.chain.keys:
        raise ValidationError(
            field="step",
            value=step,
            expected=f"one of: {', '.join(request.chain.keys)}",
            problem="no such approval step in the chain",
        )
    status = request.status
    if status is not RequestStatus.PENDING:
        raise _refuse(request, kind.value, f"the request is already {status.value}")
    awaited = request.chain.steps[len(request.approved_steps)]
    if step != awaited.key:
        done = step in request.approved_steps
        why = (
            f"{step!r} has already approved"
            if done
            else f"{step!r} can't {verb} before {awaited.title} has approved"
        )
        raise _refuse(request, kind.value, f"{why}; awaiting {awaited.key!r}")
    who = text(by, "by")
    if _same_person(who, request.requester):
        raise AccessDenied(
            subject=f"rebate request {request.id!r}",
            actor=who,
            action=f"{verb} step {step!r} of",
            reason=f"by {who!r} is the requester ({request.requester}); "
            "nobody approves their own request",
        )
    earlier = _decided_by(request.history, who)
    if earlier is not None:
        raise AccessDenied(
            subject=f"rebate request {request.id!r}",
            actor=who,
            action=f"{verb} step {step!r} of",
            reason=f"they already decided step {earlier.step!r} and nobody decides two "
            "steps of one request (distinct approvers)",
        )
    event = RequestEvent(
        request=request.id,
        kind=kind,
        step=step,
        by=who,
        at=moment(at),
        note=text(note, "note", required=False),
    )
    return _append(request, event)


def approve(
    request: RebateRequest, step: str, *, by: str, at: datetime | str, note: str = ""
) -> tuple[RebateRequest, RequestEvent]:
    """Record ``step``'s approval; after the last step the request is ``APPROVED``.

    Args:
        request: The request.
        step: The step key approving; it must be the step awaited.
        by: Who approved.
        at: When (not before the last event).
        note: An optional remark.

    Returns:
        The new request and its ``APPROVED`` event.

    Raises:
        TransitionNotAllowed: The step is out of order, or the request is no longer
            pending (approved, rejected or promised).
        AccessDenied: ``by`` is the requester, or already decided an earlier step.
        ValidationError: An unknown step, an empty approver, a time before the last event,
            or a ``request`` that is not a submitted :class:`RebateRequest`.

    Examples:
        >>> req, _ = submit(id="R-2", account="Acme", amount="100", by="li",
        ...                 at="2026-03-02T09:00")
        >>> approve(req, "general_manager", by="zhao", at="2026-03-02T10:00")
        Traceback (most recent call last):
        ...
        kamcore.errors.TransitionNotAllowed: Can't move rebate request 'R-2' to 'approved' from 'pending': 'general_manager' can't approve before KA department manager (大客户部经理) has approved; awaiting 'ka_manager'
    """  # noqa: E501
    return _decide(request, step, RequestEventKind.APPROVED, by=by, at=at, note=note)


def reject(
    request: RebateRequest, step: str, *, by: str, at: datetime | str, reason: str
) -> tuple[RebateRequest, RequestEvent]:
    """Record ``step``'s rejection, which ends the request with ``reason``.

    Raises:
        TransitionNotAllowed: The step is not the one awaited, or the request is no
            longer pending.
        AccessDenied: ``by`` is the requester, or already decided an earlier step.
        ValidationError: No reason given, an unknown step, a bad time, or a ``request``
            that is not a submitted :class:`RebateRequest`.
    """
    text(reason, "reason")
    return _decide(request, step, RequestEventKind.REJECTED, by=by, at=at, note=reason)


def promise(
    request: RebateRequest, *, by: str, at: datetime | str, note: str = ""
) -> tuple[RebateRequest, RequestEvent]:
    """Commit the rebate to the customer (对客户承诺) — only once fully approved.

    Without approval, no promise may be made to the customer (rules §3.1).

    Returns:
        The request, now ``PROMISED``, and its ``PROMISED`` event.

    Raises:
        ApprovalRequired: Some step has not approved yet (``missing`` lists them).
        TransitionNotAllowed: The request was rejected or is already promised.
        ValidationError: A ``request`` that is not a submitted :class:`RebateRequest`,
            an empty ``by`` or a bad time.
    """
    _submitted(request)
    status = request.status
    if status is RequestStatus.PENDING:
        raise ApprovalRequired(request=request.id, missing=[s.title for s in request.missing])
    if status is not RequestStatus.APPROVED:
        rejection = request.rejection
        why = (
            f"rejected by {rejection.step!r}: {rejection.note}"
            if rejection is not None
            else "already promised"
        )
        raise _refuse(request, "promised", why)
    event = RequestEvent(
        request=request.id,
        kind=RequestEventKind.PROMISED,
        by=text(by, "by"),
        at=moment(at),
        note=text(note, "note", required=False),
    )
    return _append(request, event)
