"""Approvals before promise: a rebate request goes through its chain, step by step."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs
import pytest
from hypothesis import given

from kamcore import codec
from kamcore.errors import (
    AccessDenied,
    ApprovalRequired,
    KamError,
    PolicyError,
    TransitionNotAllowed,
    ValidationError,
)
from kamcore.money import Money
from kamcore.presets import load_preset
from kamcore.rebate import (
    DEFAULT_CHAIN,
    ApprovalChain,
    ApprovalStep,
    RebateRequest,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
    approve,
    promise,
    reject,
    submit,
)
from kamcore.strategies import approval_chains, rebate_requests


def submitted() -> RebateRequest:
    request, _ = submit(id="R-1", account="Acme", amount="14400.00", by="li", at="2026-03-02T09:00")
    return request


APPROVERS = ("wang", "zhou", "zhao")  # one person per role, as the source says


def fully_approved() -> RebateRequest:
    request = submitted()
    for hour, step, who in zip((10, 11, 12), DEFAULT_CHAIN.keys, APPROVERS, strict=True):
        request, _ = approve(request, step, by=who, at=f"2026-03-02T{hour}:00")
    return request


def test_the_default_chain_is_ka_manager_then_marketing_centre_then_general_manager() -> None:
    assert DEFAULT_CHAIN.keys == ("ka_manager", "marketing_centre", "general_manager")
    assert [s.zh for s in DEFAULT_CHAIN.steps] == ["大客户部经理", "营销中心", "总经理"]
    assert load_preset("rebate_approval_source", ApprovalChain) == DEFAULT_CHAIN


def test_a_submitted_request_awaits_the_ka_department_manager() -> None:
    request, event = submit(
        id="R-1",
        account="Acme",
        amount=Money("14400.00"),
        by="li",
        at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        purpose="Q1 rebate",
    )
    assert event.kind is RequestEventKind.SUBMITTED
    assert event.note == "Q1 rebate"
    assert request.status is RequestStatus.PENDING
    assert request.next_step == DEFAULT_CHAIN.steps[0]
    assert request.history == (event,)


def test_approvals_in_chain_order_make_the_request_approved() -> None:
    request = submitted()
    events = []
    for hour, step, who in zip((10, 11, 12), DEFAULT_CHAIN.keys, APPROVERS, strict=True):
        assert request.status is RequestStatus.PENDING
        request, event = approve(request, step, by=who, at=f"2026-03-02T{hour}:00", note="ok")
        events.append(event)
    assert request.status is RequestStatus.APPROVED
    assert request.approved_steps == DEFAULT_CHAIN.keys
    assert request.missing == ()
    assert request.next_step is None
    assert [e.step for e in events] == list(DEFAULT_CHAIN.keys)
    assert request.history[1:] == tuple(events)


def test_cannot_promise_a_rebate_before_final_approval() -> None:
    request = submitted()
    request, _ = approve(request, "ka_manager", by="wang", at="2026-03-02T10:00")
    with pytest.raises(ApprovalRequired) as info:
        promise(request, by="li", at="2026-03-02T11:00")
    assert info.value.request == "R-1"
    assert info.value.missing == ("marketing centre (营销中心)", "general manager (总经理)")


def test_a_fully_approved_request_can_be_promised_once() -> None:
    request, event = promise(fully_approved(), by="li", at="2026-03-03T09:00", note="told buyer")
    assert request.status is RequestStatus.PROMISED
    assert event.kind is RequestEventKind.PROMISED
    with pytest.raises(TransitionNotAllowed, match="already promised"):
        promise(request, by="li", at="2026-03-03T10:00")


def test_approving_a_step_out_of_order_is_refused() -> None:
    with pytest.raises(TransitionNotAllowed, match="can't approve before KA department manager"):
        approve(submitted(), "marketing_centre", by="m", at="2026-03-02T10:00")
    request, _ = approve(submitted(), "ka_manager", by="wang", at="2026-03-02T10:00")
    with pytest.raises(TransitionNotAllowed, match="'ka_manager' has already approved"):
        approve(request, "ka_manager", by="wang", at="2026-03-02T11:00")


def test_a_rejection_ends_the_request_with_its_reason() -> None:
    request, _ = approve(submitted(), "ka_manager", by="wang", at="2026-03-02T10:00")
    request, event = reject(
        request, "marketing_centre", by="zhou", at="2026-03-02T11:00", reason="margin too thin"
    )
    assert request.status is RequestStatus.REJECTED
    assert request.rejection == event
    assert event.note == "margin too thin"
    assert request.missing == ()
    with pytest.raises(TransitionNotAllowed, match="already rejected"):
        approve(request, "marketing_centre", by="zhou", at="2026-03-02T12:00")
    with pytest.raises(TransitionNotAllowed, match="rejected by 'marketing_centre': margin"):
        promise(request, by="li", at="2026-03-02T12:00")


def test_a_rejection_needs_a_reason_and_the_awaited_step() -> None:
    with pytest.raises(ValidationError, match="reason"):
        reject(submitted(), "ka_manager", by="wang", at="2026-03-02T10:00", reason=" ")
    with pytest.raises(TransitionNotAllowed):
        reject(submitted(), "general_manager", by="gm", at="2026-03-02T10:00", reason="no")


def test_a_failed_operation_changes_nothing() -> None:
    request = submitted()
    before = codec.to_dict(request)
    with pytest.raises(KamError):
        approve(request, "general_manager", by="gm", at="2026-03-02T10:00")
    assert codec.to_dict(request) == before


def test_time_is_a_parameter_and_history_goes_forward() -> None:
    with pytest.raises(ValidationError, match="append-only"):
        approve(submitted(), "ka_manager", by="wang", at="2026-03-01T10:00")
    with pytest.raises(ValidationError, match="without a time"):
        submit(id="R", account="A", amount="1", by="li", at=date(2026, 3, 2))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="ISO date-time"):
        submit(id="R", account="A", amount="1", by="li", at="next tuesday")
    with pytest.raises(ValidationError, match="ISO date-time"):
        submit(id="R", account="A", amount="1", by="li", at=20260302)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="naive and aware"):
        approve(submitted(), "ka_manager", by="w", at="2026-03-02T10:00+08:00")


def test_bad_requests_and_chains_are_refused() -> None:
    with pytest.raises(ValidationError, match="no such approval step"):
        approve(submitted(), "ceo", by="x", at="2026-03-02T10:00")
    with pytest.raises(ValidationError, match="negative"):
        submit(id="R", account="A", amount="-1", by="li", at="2026-03-02T09:00")
    with pytest.raises(ValidationError, match="id"):
        submit(id="", account="A", amount="1", by="li", at="2026-03-02T09:00")
    with pytest.raises(ValidationError, match="by"):
        submit(id="R", account="A", amount="1", by=3, at="2026-03-02T09:00")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="at least one step"):
        ApprovalChain(steps=())
    with pytest.raises(PolicyError, match="appears twice"):
        ApprovalChain(steps=[ApprovalStep(key="a"), ApprovalStep(key="a")])
    with pytest.raises(PolicyError, match="empty key"):
        ApprovalChain(steps=[ApprovalStep(key=" ")])
    with pytest.raises(PolicyError, match="expected an ApprovalStep"):
        ApprovalChain(steps=["a"])  # type: ignore[list-item]
    with pytest.raises(PolicyError, match="list of ApprovalStep"):
        ApprovalChain(steps="abc")  # type: ignore[arg-type]


def test_a_history_that_could_not_have_happened_is_refused() -> None:
    good = fully_approved()
    swapped = (good.history[0], good.history[2], good.history[1], good.history[3])
    with pytest.raises(ValidationError, match="history out of order"):
        RebateRequest(id="R-1", account="Acme", amount="1", history=swapped)
    backwards = (
        attrs.evolve(good.history[0], at=datetime.fromisoformat("2026-03-05T00:00")),
        good.history[1],
    )
    with pytest.raises(ValidationError, match="back in time"):
        RebateRequest(id="R-1", account="Acme", amount="1", history=backwards)
    promised, _ = promise(good, by="li", at="2026-03-03T09:00")
    after = (*promised.history, attrs.evolve(promised.history[-1]))
    with pytest.raises(ValidationError, match="no further events"):
        RebateRequest(id="R-1", account="Acme", amount="1", history=after)
    other = RequestEvent(
        request="R-9",
        kind=RequestEventKind.SUBMITTED,
        by="li",
        at=datetime.fromisoformat("2026-01-01T00:00"),
    )
    with pytest.raises(ValidationError, match="another request"):
        RebateRequest(id="R-1", account="Acme", amount="1", history=(other,))


def test_one_person_may_not_decide_two_steps_of_the_source_chain() -> None:
    assert DEFAULT_CHAIN.distinct_approvers
    request, _ = approve(submitted(), "ka_manager", by="wang", at="2026-03-02T10:00")
    before = codec.to_dict(request)
    with pytest.raises(AccessDenied, match="distinct approvers") as info:
        approve(request, "marketing_centre", by=" Wang ", at="2026-03-02T11:00")
    assert (info.value.actor, info.value.action) == (" Wang ", "approve step 'marketing_centre' of")
    with pytest.raises(AccessDenied, match="already decided step 'ka_manager'"):
        reject(request, "marketing_centre", by="wang", at="2026-03-02T11:00", reason="no")
    assert codec.to_dict(request) == before
    request, _ = approve(request, "marketing_centre", by="zhou", at="2026-03-02T11:00")
    assert request.approved_steps == ("ka_manager", "marketing_centre")


def test_separation_of_duties_can_not_be_turned_off() -> None:
    # Formerly ``distinct_approvers=False`` let one person decide several steps; the
    # rules (§4.5) want every approver distinct, so the option is gone (issue 16).
    with pytest.raises(PolicyError, match="can't be turned off") as info:
        attrs.evolve(DEFAULT_CHAIN, distinct_approvers=False)
    assert (info.value.policy, info.value.part) == ("ApprovalChain", "distinct_approvers")
    for bad in ("no", 0, None, 1):
        with pytest.raises(PolicyError, match="must be true") as info:
            ApprovalChain(steps=DEFAULT_CHAIN.steps, distinct_approvers=bad)  # type: ignore[arg-type]
        assert info.value.part == "distinct_approvers"
    spelled = {**codec.to_dict(DEFAULT_CHAIN), "distinct_approvers": False}
    with pytest.raises(KamError, match="distinct_approvers"):
        codec.from_dict(ApprovalChain, spelled)
    assert codec.from_dict(ApprovalChain, {**spelled, "distinct_approvers": True}) == DEFAULT_CHAIN
    # a recorded history where one person decided every step could not have happened
    request = submitted()
    forged = [*request.history]
    for hour, step in zip((10, 11, 12), DEFAULT_CHAIN.keys, strict=True):
        forged.append(
            RequestEvent(
                request="R-1",
                kind=RequestEventKind.APPROVED,
                step=step,
                by="boss",
                at=datetime.fromisoformat(f"2026-03-02T{hour}:00"),
            )
        )
    with pytest.raises(ValidationError, match="one person decided two steps") as verr:
        RebateRequest(id="R-1", account="Acme", amount="1", history=forged)
    assert (verr.value.field, verr.value.value) == ("history[2].by", "boss")
    assert "nobody decides two steps of one request" in str(verr.value)


def test_a_step_title_falls_back_to_its_key() -> None:
    assert ApprovalStep(key="cfo").title == "cfo"
    assert DEFAULT_CHAIN.steps[2].title == "general manager (总经理)"


@given(rebate_requests())
def test_a_request_round_trips_through_the_codec(request: RebateRequest) -> None:
    assert codec.from_dict(RebateRequest, codec.to_dict(request)) == request


@given(approval_chains())
def test_a_chain_round_trips_through_the_codec(chain: ApprovalChain) -> None:
    assert codec.from_dict(ApprovalChain, codec.to_dict(chain)) == chain


@given(rebate_requests())
def test_only_an_approved_request_can_be_promised(request: RebateRequest) -> None:
    at = request.history[-1].at
    if request.status is RequestStatus.APPROVED:
        promised, _ = promise(request, by="li", at=at)
        assert promised.status is RequestStatus.PROMISED
    elif request.status is RequestStatus.PENDING:
        with pytest.raises(ApprovalRequired):
            promise(request, by="li", at=at)
    else:
        with pytest.raises(TransitionNotAllowed):
            promise(request, by="li", at=at)


@pytest.mark.parametrize("who", ["li", " LI ", "Li"])
def test_the_requester_decides_no_step_of_their_own_request(who: str) -> None:
    request, _ = submit(id="R-1", account="Acme", amount="100", by="li", at="2026-03-02T09:00")
    assert request.requester == "li"
    before = codec.to_dict(request)
    with pytest.raises(AccessDenied, match="is the requester") as info:
        approve(request, "ka_manager", by=who, at="2026-03-02T10:00")
    assert (info.value.actor, info.value.action) == (who, "approve step 'ka_manager' of")
    assert f"by {who!r} is the requester (li)" in str(info.value)
    with pytest.raises(AccessDenied, match="nobody approves their own request"):
        reject(request, "ka_manager", by=who, at="2026-03-02T10:00", reason="withdrawn")
    request, _ = approve(request, "ka_manager", by="wang", at="2026-03-02T10:00")
    with pytest.raises(AccessDenied, match="is the requester"):
        approve(request, "marketing_centre", by=who, at="2026-03-02T11:00")
    assert codec.to_dict(request) != before  # only the accepted approval moved it
    assert request.approved_steps == ("ka_manager",)


def test_a_history_where_the_requester_decided_a_step_is_refused() -> None:
    good = fully_approved()
    forged = (good.history[0], attrs.evolve(good.history[1], by=" LI"), *good.history[2:])
    with pytest.raises(ValidationError, match="the requester decided a step") as info:
        RebateRequest(id="R-1", account="Acme", amount="1", history=forged)
    assert (info.value.field, info.value.value) == ("history[1].by", " LI")


def test_a_request_without_history_has_no_requester() -> None:
    assert RebateRequest(id="R-1", account="Acme", amount="1").requester == ""
