"""Separation of duties (rules §4.5): nobody approves their own request.

A loan's approver is never the borrower (nor the person who requested the loan); a
rebate request's requester decides none of its steps, and no person decides two steps
of one request, whatever the chain (it can't be turned off). Names
are compared ignoring case and surrounding spaces, and a refused operation changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kamcore.archive import (
    SOURCE_LENDING_POLICY,
    Approval,
    Borrower,
    Confidentiality,
    Delegation,
    Dossier,
    LendingPolicy,
    Place,
    Role,
    check_read,
    lend,
)
from kamcore.errors import AccessDenied, ValidationError
from kamcore.rebate import (
    DEFAULT_CHAIN,
    ApprovalChain,
    RebateRequest,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
    approve,
    reject,
    submit,
)
from kamcore.strategies import approval_chains, lending_policies

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

#: A few people, each also written with other case and spaces.
PEOPLE = st.sampled_from(["li", " LI", "Li ", "wang", "WANG ", "zhou", "zhao", "周总", " 周总 "])


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _norm(name: str) -> str:
    return name.strip().casefold()


# -- rebate requests -----------------------------------------------------------------

ANY_CHAIN = st.one_of(st.just(DEFAULT_CHAIN), approval_chains())


def _drive(
    chain: ApprovalChain, requester: str, people: list[str], rejects: list[bool]
) -> RebateRequest:
    """Submit, then let each person in turn try to decide the awaited step."""
    request, _ = submit(id="R-1", account="Acme", amount="100", by=requester, at=T0, chain=chain)
    at = T0
    for who, rejecting in zip(people, rejects, strict=False):
        step = request.next_step
        if step is None:
            break
        at += timedelta(hours=1)
        before = request
        try:
            if rejecting:
                request, _ = reject(request, step.key, by=who, at=at, reason="no")
            else:
                request, _ = approve(request, step.key, by=who, at=at)
        except AccessDenied:
            assert request == before  # a refused decision changes nothing
    return request


@given(
    chain=ANY_CHAIN,
    requester=PEOPLE,
    people=st.lists(PEOPLE, max_size=16),
    rejects=st.lists(st.booleans(), max_size=16),
)
def test_no_request_is_fully_approved_unless_every_step_was_decided_by_others(
    chain: ApprovalChain, requester: str, people: list[str], rejects: list[bool]
) -> None:
    request = _drive(chain, requester, people, [False] * len(people))
    deciders = [_norm(e.by) for e in request.history[1:] if e.kind is RequestEventKind.APPROVED]
    assert _norm(requester) not in deciders
    assert len(set(deciders)) == len(deciders)
    if request.status is RequestStatus.APPROVED:
        assert len(deciders) == len(chain.steps)
    # with rejections too, nobody decides twice and the requester never decides
    ended = _drive(chain, requester, people, rejects)
    decided = [_norm(e.by) for e in ended.history[1:]]
    assert _norm(requester) not in decided
    assert len(set(decided)) == len(decided)


@given(
    chain=ANY_CHAIN,
    requester=PEOPLE,
    people=st.lists(PEOPLE, min_size=1, max_size=6),
    kinds=st.lists(st.sampled_from([RequestEventKind.APPROVED, RequestEventKind.REJECTED])),
)
def test_no_recorded_history_decides_a_request_by_its_requester_or_one_person_twice(
    chain: ApprovalChain,
    requester: str,
    people: list[str],
    kinds: list[RequestEventKind],
) -> None:
    """Whatever history is written down (a store, a CRM), the same duties hold."""
    history = [RequestEvent(request="R-1", kind=RequestEventKind.SUBMITTED, by=requester, at=T0)]
    for i, (step, who) in enumerate(zip(chain.steps, people, strict=False)):
        kind = kinds[i] if i < len(kinds) else RequestEventKind.APPROVED
        at = T0 + timedelta(hours=i + 1)
        history.append(RequestEvent(request="R-1", kind=kind, step=step.key, by=who, at=at))
        if kind is RequestEventKind.REJECTED:
            break
    ok = (
        _norm(requester) not in {_norm(p) for p in people[: len(history) - 1]}
        and len({_norm(p) for p in people[: len(history) - 1]}) == len(history) - 1
    )
    if not ok:
        with pytest.raises(ValidationError, match=r"requester decided|decided two steps") as info:
            RebateRequest(id="R-1", account="Acme", amount="1", chain=chain, history=history)
        assert info.value.field.startswith("history[")
        assert info.value.field.endswith("].by")
        return
    request = RebateRequest(id="R-1", account="Acme", amount="1", chain=chain, history=history)
    decided = [_norm(e.by) for e in request.history[1:]]
    assert _norm(requester) not in decided
    assert len(set(decided)) == len(decided)
    if request.status is RequestStatus.APPROVED:
        assert len(decided) == len(chain.steps)


@given(chain=ANY_CHAIN, requester=PEOPLE, people=st.lists(PEOPLE, max_size=16))
def test_the_requester_never_decides_a_step_whatever_the_chain(
    chain: ApprovalChain, requester: str, people: list[str]
) -> None:
    request = _drive(chain, requester, people, [False] * len(people))
    assert all(not _same(e.by, requester) for e in request.history[1:])


@given(chain=ANY_CHAIN, requester=PEOPLE, people=st.lists(PEOPLE, min_size=1, max_size=5))
def test_no_recorded_history_has_a_request_approved_by_its_requester_or_twice_by_one(
    chain: ApprovalChain, requester: str, people: list[str]
) -> None:
    assume(len(people) >= len(chain.steps))
    history = [RequestEvent(request="R-1", kind=RequestEventKind.SUBMITTED, by=requester, at=T0)]
    for i, (step, who) in enumerate(zip(chain.steps, people, strict=False)):
        history.append(
            RequestEvent(
                request="R-1",
                kind=RequestEventKind.APPROVED,
                step=step.key,
                by=who,
                at=T0 + timedelta(hours=i + 1),
            )
        )
    try:
        request = RebateRequest(id="R-1", account="Acme", amount="1", chain=chain, history=history)
    except ValidationError:
        return
    assert request.status is RequestStatus.APPROVED
    deciders = [_norm(e.by) for e in request.history[1:]]
    assert _norm(requester) not in deciders
    assert len(set(deciders)) == len(deciders)


# -- loans -----------------------------------------------------------------------------

ROLES = st.sampled_from(Role)


@st.composite
def delegations(draw: st.DrawFn) -> Delegation:
    delegator, delegate = draw(PEOPLE), draw(PEOPLE)
    assume(not _same(delegator, delegate))
    start = T0 + timedelta(hours=draw(st.integers(-48, 2)))
    return Delegation(
        id=draw(st.sampled_from(["W-1", "W-2"])),
        delegator=delegator,
        delegate=delegate,
        delegate_role=draw(ROLES),
        delegator_role=draw(ROLES),
        valid_from=start,
        valid_until=start + timedelta(hours=draw(st.integers(0, 96))),
        levels=draw(st.lists(st.sampled_from(Confidentiality), min_size=1, max_size=2)),
        dossier_ids=draw(st.sampled_from([(), ("K-9",), ("K-1",)])),
    )


APPROVALS = st.none() | st.builds(
    Approval,
    by=PEOPLE,
    role=ROLES,
    at=st.none() | st.integers(-3, 1).map(lambda h: T0 + timedelta(hours=h)),
    requested_by=st.just("") | PEOPLE,
    requester_role=st.none() | ROLES,
    delegation=st.sampled_from(["", "W-1", "W-2"]),
)
ON_FILE = st.lists(delegations(), max_size=2, unique_by=lambda d: d.id)
POLICIES = st.one_of(st.just(SOURCE_LENDING_POLICY), lending_policies())


@given(
    policy=POLICIES,
    level=st.sampled_from(Confidentiality),
    borrower=st.builds(Borrower, PEOPLE, ROLES),
    approval=APPROVALS,
    on_file=ON_FILE,
    hours=st.integers(1, 6),
)
def test_the_approver_of_a_loan_is_never_the_borrower(
    policy: LendingPolicy,
    level: Confidentiality,
    borrower: Borrower,
    approval: Approval | None,
    on_file: list[Delegation],
    hours: int,
) -> None:
    dossier = Dossier(id="K-9", name="某集团", confidentiality=level)
    try:
        loan, _ = lend(
            policy,
            dossier,
            borrower,
            at=T0,
            hours=hours,
            loan_id="L-1",
            approval=approval,
            delegations=on_file,
        )
    except AccessDenied:
        return
    assert not _same(loan.approved_by, loan.borrower)
    if loan.approved_by:
        assert approval is not None
        assert not _same(loan.approved_by, loan.requested_by)
        rule = policy.rule(level)
        cited = {d.id: d for d in on_file}.get(approval.delegation)
        if cited is None:
            assert approval.role in rule.approver_roles
        else:
            assert _same(cited.delegate, approval.by)
            assert not _same(cited.delegator, borrower.name)
            assert cited.delegate_role in rule.delegate_roles
            assert cited.covers(dossier)
    else:
        assert borrower.role in policy.rule(level).direct_roles


@given(
    policy=POLICIES,
    level=st.sampled_from(Confidentiality),
    name=PEOPLE,
    role=ROLES,
    spelling=st.sampled_from([str.upper, str.lower, lambda n: f" {n} ", str.strip]),
    data=st.data(),
)
def test_a_borrower_who_approves_their_own_loan_is_refused(
    policy: LendingPolicy,
    level: Confidentiality,
    name: str,
    role: Role,
    spelling: Callable[[str], str],
    data: st.DataObject,
) -> None:
    rule = policy.rule(level)
    # an approval that is right in every way but one: the borrower gives it
    own = Approval(
        by=spelling(name),
        role=data.draw(st.sampled_from(rule.approver_roles or tuple(Role))),
        requested_by="部门经理",
        requester_role=data.draw(st.sampled_from(rule.requester_roles or tuple(Role))),
    )
    dossier = Dossier(id="K-9", name="某集团", confidentiality=level)
    borrower = Borrower(name, role)
    if rule.read_outside_needs_approval and role not in rule.direct_roles:
        with pytest.raises(AccessDenied, match="nobody approves their own reading"):
            check_read(policy, dossier, borrower, place=Place.OUTSIDE, approval=own)
    try:
        loan, _ = lend(policy, dossier, borrower, at=T0, hours=1, loan_id="L-1", approval=own)
    except AccessDenied:
        return
    # only a borrower who needs no approval gets the loan, and it records none
    assert role in rule.direct_roles
    assert loan.approved_by == ""


@given(
    level=st.sampled_from(Confidentiality),
    reader=st.builds(Borrower, PEOPLE, ROLES),
    approval=APPROVALS,
    on_file=ON_FILE,
)
def test_a_secret_dossier_read_outside_is_never_approved_by_its_reader(
    level: Confidentiality,
    reader: Borrower,
    approval: Approval | None,
    on_file: list[Delegation],
) -> None:
    dossier = Dossier(id="K-9", name="某集团", confidentiality=level)
    try:
        check_read(
            SOURCE_LENDING_POLICY,
            dossier,
            reader,
            place=Place.OUTSIDE,
            approval=approval,
            at=T0,
            delegations=on_file,
        )
    except AccessDenied:
        return
    assert level in (Confidentiality.SECRET, Confidentiality.UNCLASSIFIED)
    if level is Confidentiality.SECRET:
        assert approval is not None
        assert not _same(approval.by, reader.name)


@given(
    policy=POLICIES,
    level=st.sampled_from(Confidentiality),
    borrower=st.builds(Borrower, PEOPLE, ROLES),
    approval=APPROVALS,
    on_file=ON_FILE,
    hours=st.integers(1, 6),
)
def test_no_restricted_loan_is_granted_without_another_persons_permitted_or_delegated_approval(
    policy: LendingPolicy,
    level: Confidentiality,
    borrower: Borrower,
    approval: Approval | None,
    on_file: list[Delegation],
    hours: int,
) -> None:
    """For any people and roles: a loan a borrower may not take directly is granted only
    on an approval by someone other than the borrower (and the requester), in a role the
    policy allows, or under a delegation on file that is valid, in scope, to that person
    and cited by the loan."""
    dossier = Dossier(id="K-9", name="某集团", confidentiality=level)
    rule = policy.rule(level)
    try:
        loan, _ = lend(
            policy,
            dossier,
            borrower,
            at=T0,
            hours=hours,
            loan_id="L-1",
            approval=approval,
            delegations=on_file,
        )
    except AccessDenied:
        return
    if borrower.role in rule.direct_roles:
        assert (loan.approved_by, loan.delegation) == ("", "")
        return
    assert approval is not None
    assert not _same(approval.by, borrower.name)
    assert not (approval.requested_by and _same(approval.by, approval.requested_by))
    assert loan.approved_by == approval.by
    assert loan.delegation == approval.delegation
    if not approval.delegation:
        assert approval.role in rule.approver_roles
        return
    cited = {d.id: d for d in on_file}[approval.delegation]
    assert _same(cited.delegate, approval.by)
    assert approval.role is cited.delegate_role
    assert cited.delegate_role in rule.delegate_roles
    assert cited.delegator_role in rule.delegator_roles
    assert not _same(cited.delegator, borrower.name)
    assert cited.is_valid_at(approval.at or T0)
    assert cited.covers(dossier)
