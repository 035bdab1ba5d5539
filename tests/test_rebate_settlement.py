"""Settlement with true-up: pay entitlement-to-date minus already paid, claw back the excess."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from kamcore import codec
from kamcore.calendar import Period
from kamcore.errors import (
    ApprovalRequired,
    KamError,
    RecordInvalid,
    TransitionNotAllowed,
    ValidationError,
)
from kamcore.money import Money
from kamcore.presets import load_preset
from kamcore.rebate import (
    DEFAULT_CHAIN,
    Accrual,
    AccrualKind,
    LedgerEventKind,
    RebateLedger,
    RebateRequest,
    SettlementKind,
    TierSchedule,
    accrue,
    approve,
    close_ledger,
    promise,
    reject,
    settle,
    submit,
)
from kamcore.strategies import accruals, rebate_ledgers, tier_schedules

SOURCE = load_preset("rebate_source", TierSchedule)
INVOICE, COLLECTION = AccrualKind.INVOICE, AccrualKind.COLLECTION
T = TypeVar("T")


def ledger() -> RebateLedger:
    return RebateLedger(account="Acme", period=Period.parse("2026"), schedule=SOURCE)


def test_each_settlement_pays_only_what_is_not_yet_paid() -> None:
    book = ledger()
    book, event = accrue(book, INVOICE, "250000", on="2026-03-01", ref="INV-1", by="li")
    assert event.kind is LedgerEventKind.ACCRUED
    assert event.detail == "invoice INV-1"
    book, _ = accrue(book, COLLECTION, "100000", on="2026-04-01")
    book, event = settle(book, on="2026-04-30", by="fin")
    assert (event.kind, event.amount, event.on) == (
        LedgerEventKind.SETTLED,
        Money("8000.00"),
        date(2026, 4, 30),
    )
    assert (event.by, event.detail) == ("fin", "settlement no. 1: payment")
    first = book.settlements[-1]
    assert (first.number, first.kind, first.amount) == (1, SettlementKind.PAYMENT, Money("8000.00"))
    book, _ = accrue(book, COLLECTION, "80000", on="2026-05-10")  # a partial collection
    book, _ = settle(book, on="2026-05-31", by="fin")
    second = book.settlements[-1]
    assert second.entitlement == Money("14400.00")
    assert second.paid_before == Money("8000.00")
    assert second.amount == Money("6400.00")
    assert book.paid == Money("14400.00")
    assert book.outstanding == Money("0.00")


def test_a_lower_entitlement_becomes_a_clawback_line_not_a_silent_zero() -> None:
    book = ledger()
    book, _ = accrue(book, INVOICE, "250000", on="2026-03-01")
    book, _ = accrue(book, COLLECTION, "100000", on="2026-03-02")
    book, _ = settle(book, on="2026-03-31", by="fin")
    book, _ = accrue(book, INVOICE, "-60000", on="2026-04-01", ref="CN-1")  # a return
    book, event = settle(book, on="2026-04-30", by="fin")
    line = book.settlements[-1]
    assert line.kind is SettlementKind.CLAWBACK
    assert line.amount == event.amount == Money("-3000.00")  # 5% of 100,000 now, 8,000 paid
    assert line.quote.tier == 0
    book, _ = settle(book, on="2026-04-30", by="fin")
    nil = book.settlements[-1]
    assert nil.kind is SettlementKind.NIL
    assert nil.amount == Money("0.00")
    assert len(book.settlements) == 3


def test_settling_a_closed_period_is_refused() -> None:
    book = ledger()
    book, _ = accrue(book, INVOICE, "1000", on="2026-03-01")
    book, _ = accrue(book, COLLECTION, "1000", on="2026-03-01")
    book, _ = settle(book, on="2026-03-31", by="fin")
    book, event = close_ledger(book, on="2027-01-05", by="fin")
    assert book.is_closed
    assert event.kind is LedgerEventKind.CLOSED
    assert event.amount == Money("50.00")
    with pytest.raises(KamError, match="closed on 2027-01-05"):
        settle(book, on="2027-01-06", by="fin")
    with pytest.raises(TransitionNotAllowed):
        accrue(book, COLLECTION, "1", on="2027-01-06")
    with pytest.raises(TransitionNotAllowed):
        close_ledger(book, on="2027-01-06", by="fin")


def test_a_period_with_an_amount_outstanding_cannot_be_closed() -> None:
    book, _ = accrue(ledger(), COLLECTION, "1000", on="2026-03-01")
    with pytest.raises(TransitionNotAllowed, match="outstanding; settle first"):
        close_ledger(book, on="2026-12-31", by="fin")


def test_bad_accruals_are_refused() -> None:
    with pytest.raises(ValidationError, match="invoice outside the rebate period"):
        accrue(ledger(), INVOICE, "1", on="2027-01-01")
    with pytest.raises(ValidationError, match="collection before the rebate period"):
        accrue(ledger(), COLLECTION, "1", on="2025-12-31")
    with pytest.raises(ValidationError, match="below zero"):
        accrue(ledger(), COLLECTION, "-1", on="2026-03-01")
    with pytest.raises(ValidationError, match=r"in USD .*; expected an amount in CNY"):
        accrue(ledger(), COLLECTION, Money("1", "USD"), on="2026-03-01")
    with pytest.raises(ValidationError, match="floats"):
        accrue(ledger(), COLLECTION, 1.5, on="2026-03-01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="kind"):
        accrue(ledger(), "invoice", "1", on="2026-03-01")  # type: ignore[arg-type]
    book, _ = settle(ledger(), on="2026-06-01", by="fin")
    with pytest.raises(ValidationError, match="forward in time"):
        settle(book, on="2026-05-01", by="fin")


def test_collections_may_arrive_after_the_period_ends() -> None:
    book, _ = accrue(ledger(), INVOICE, "300000", on="2026-12-30")
    book, _ = accrue(book, COLLECTION, "300000", on="2027-02-01")
    assert book.entitlement().rebate == Money("24000.00")


@given(
    tier_schedules(max_breakpoint=10**6),
    st.lists(st.tuples(accruals(), st.booleans()), max_size=15),
)
def test_settlements_after_any_accruals_total_exactly_the_final_entitlement(
    schedule: TierSchedule, steps: list[tuple[tuple[AccrualKind, Decimal], bool]]
) -> None:
    book = RebateLedger(account="Acme", period=Period.parse("2026"), schedule=schedule)
    for (kind, amount), settle_now in steps:
        # a credit larger than the total is refused and leaves the ledger unchanged
        snapshot = codec.to_dict(book)
        try:
            book, _ = accrue(book, kind, Money(amount), on="2026-06-01")
        except ValidationError:
            assert codec.to_dict(book) == snapshot
        if settle_now:
            book, _ = settle(book, on="2026-06-30", by="fin")
            line = book.settlements[-1]
            assert line.kind is not SettlementKind.NIL or line.amount.amount == 0
    book, _ = settle(book, on="2026-12-31", by="fin")
    final = book.entitlement().rebate
    assert sum((s.amount for s in book.settlements), Money.zero()) == final
    assert book.settlements[-1].entitlement == final
    clawbacks = [s for s in book.settlements if s.kind is SettlementKind.CLAWBACK]
    assert all(s.amount.amount < 0 for s in clawbacks)
    book, _ = close_ledger(book, on="2027-01-01", by="fin")
    assert book.is_closed


@given(rebate_ledgers())
def test_a_ledger_round_trips_through_the_codec(book: RebateLedger) -> None:
    assert codec.from_dict(RebateLedger, codec.to_dict(book)) == book


def settled() -> RebateLedger:
    book, _ = accrue(ledger(), INVOICE, "250000", on="2026-03-01")
    book, _ = accrue(book, COLLECTION, "100000", on="2026-04-01")
    book, _ = settle(book, on="2026-04-30", by="fin")
    return book


def fields(error: ValidationError) -> list[str]:
    return [e.field for e in error.errors] if isinstance(error, RecordInvalid) else [error.field]


def test_a_ledger_built_directly_is_checked_like_one_built_by_accrue() -> None:
    stray = Accrual(kind=INVOICE, amount=Money("5", "USD"), on="2027-02-01")
    with pytest.raises(RecordInvalid) as info:
        RebateLedger(account="Acme", period=Period.parse("2026"), schedule=SOURCE, accruals=[stray])
    assert fields(info.value) == ["accruals[0].on", "accruals[0].amount"]
    assert "invoice outside the rebate period" in str(info.value)
    assert "money in CNY" in str(info.value)
    credit = Accrual(kind=COLLECTION, amount=Money("-1"), on="2026-03-01")
    with pytest.raises(ValidationError, match="below zero") as one:
        attrs.evolve(ledger(), accruals=[credit])
    assert fields(one.value) == ["accruals[0].amount"]
    with pytest.raises(ValidationError, match="account"):
        attrs.evolve(ledger(), account=" ")


def test_a_ledger_whose_settlement_was_edited_does_not_load() -> None:
    data = codec.to_dict(settled())
    data["settlements"][0]["amount"] = {"amount": "999999.00", "currency": "CNY"}
    with pytest.raises(RecordInvalid, match="entitlement minus paid") as info:
        codec.from_dict(RebateLedger, data)
    assert any(f.endswith("settlements[0].amount") for f in fields(info.value))


def test_settlement_lines_must_be_numbered_and_computed_from_what_they_cover() -> None:
    book = settled()
    line = book.settlements[0]
    for change, field in [
        ({"number": 2}, "settlements[0].number"),
        ({"by": ""}, "settlements[0].by"),
        ({"covers": 3}, "settlements[0].covers"),
        ({"covers": 1}, "settlements[0].quote"),
        ({"paid_before": Money("1.00")}, "settlements[0].paid_before"),
        ({"kind": SettlementKind.NIL}, "settlements[0].kind"),
    ]:
        with pytest.raises(ValidationError) as info:
            attrs.evolve(book, settlements=[attrs.evolve(line, **change)])
        assert field in fields(info.value), change


def test_a_ledger_closed_before_its_last_event_or_with_money_outstanding_is_refused() -> None:
    with pytest.raises(ValidationError, match="closed before the last event") as info:
        attrs.evolve(settled(), closed_on=date(2026, 4, 29))
    assert info.value.field == "closed_on"
    book, _ = accrue(settled(), COLLECTION, "1000", on="2026-05-01")
    with pytest.raises(ValidationError, match="outstanding") as info:
        attrs.evolve(book, closed_on=date(2026, 12, 31))
    assert info.value.field == "closed_on"


def test_a_back_dated_accrual_after_a_settlement_is_refused() -> None:
    book = settled()
    before = codec.to_dict(book)
    with pytest.raises(ValidationError, match="back-dated behind a settlement") as info:
        accrue(book, COLLECTION, "1000", on="2026-04-29")
    assert info.value.field == "on"
    assert "2026-04-30" in info.value.expected
    assert codec.to_dict(book) == before
    book, _ = accrue(book, COLLECTION, "1000", on="2026-04-30")  # the same day is fine
    late = attrs.evolve(book.accruals[-1], on=date(2026, 4, 1))
    with pytest.raises(ValidationError, match="back-dated") as built:
        attrs.evolve(book, accruals=(*book.accruals[:-1], late))
    assert built.value.field == "accruals[2].on"


def test_settle_and_close_go_forward_in_time_and_name_who_did_it() -> None:
    book, _ = accrue(ledger(), COLLECTION, "1000", on="2026-05-01")
    with pytest.raises(ValidationError, match="before an accrual it covers") as info:
        settle(book, on="2026-04-30", by="fin")
    assert info.value.field == "on"
    for by in ("", "  "):
        with pytest.raises(ValidationError, match="blank") as info:
            settle(book, on="2026-05-31", by=by)
        assert info.value.field == "by"
    book, _ = settle(book, on="2026-05-31", by="fin")
    with pytest.raises(ValidationError, match="closed before the last event") as info:
        close_ledger(book, on="2026-05-30", by="fin")
    assert info.value.field == "on"
    with pytest.raises(ValidationError) as info:
        close_ledger(book, on="2026-05-31", by="")
    assert info.value.field == "by"
    book, _ = close_ledger(book, on="2026-05-31", by="fin")
    assert book.closed_on == date(2026, 5, 31)


def requested(amount: str = "8000.00", account: str = "Acme", steps: int = 3) -> RebateRequest:
    request, _ = submit(id="R-1", account=account, amount=amount, by="li", at="2026-03-02T09:00")
    for step, who in list(zip(DEFAULT_CHAIN.keys, ("wang", "zhou", "zhao"), strict=True))[:steps]:
        request, _ = approve(request, step, by=who, at="2026-03-02T10:00")
    return request


def test_a_settlement_checked_against_an_approval_pays_only_what_was_approved() -> None:
    book, _ = accrue(ledger(), INVOICE, "250000", on="2026-03-01")
    book, _ = accrue(book, COLLECTION, "100000", on="2026-04-01")
    book, event = settle(book, on="2026-04-30", by="fin", approval=requested())
    line = book.settlements[-1]
    assert (line.amount, line.approval) == (Money("8000.00"), "R-1")
    assert event.detail == "settlement no. 1: payment against R-1"
    assert codec.from_dict(RebateLedger, codec.to_dict(book)) == book
    book, _ = accrue(book, COLLECTION, "1000", on="2026-05-01")
    before = codec.to_dict(book)
    with pytest.raises(TransitionNotAllowed, match=r"exceeds the CNY 8,000\.00 approved"):
        settle(book, on="2026-05-31", by="fin", approval=requested())
    assert codec.to_dict(book) == before
    book, _ = settle(book, on="2026-05-31", by="fin")  # no approval given: not checked
    assert book.settlements[-1].approval == ""


def test_settling_against_a_request_not_fully_approved_is_refused() -> None:
    book, _ = accrue(ledger(), COLLECTION, "1000", on="2026-03-01")
    with pytest.raises(ApprovalRequired, match="Can't settle against request 'R-1'") as info:
        settle(book, on="2026-03-31", by="fin", approval=requested(steps=2))
    assert info.value.missing == ("general manager (总经理)",)
    rejected, _ = reject(
        requested(steps=1), "marketing_centre", by="zhou", at="2026-03-03T09:00", reason="no"
    )
    with pytest.raises(ApprovalRequired):
        settle(book, on="2026-03-31", by="fin", approval=rejected)
    with pytest.raises(ValidationError, match="another account") as other:
        settle(book, on="2026-03-31", by="fin", approval=requested(account="Globex"))
    assert other.value.field == "approval.account"
    promised, _ = promise(requested(), by="li", at="2026-03-04T09:00")
    settled, _ = settle(book, on="2026-03-31", by="fin", approval=promised)
    assert settled.settlements[-1].approval == "R-1"


@given(rebate_ledgers(), st.integers(-(10**6), 10**6).filter(bool), st.data())
def test_any_edit_to_a_settled_amount_is_refused_on_load(
    book: RebateLedger, cents: int, data: st.DataObject
) -> None:
    assume(book.settlements)
    k = data.draw(st.integers(0, len(book.settlements) - 1))
    dumped = codec.to_dict(book)
    line = book.settlements[k]
    edited = line.amount + Money(Decimal(cents).scaleb(-2), line.amount.currency)
    dumped["settlements"][k]["amount"] = codec.to_dict(edited)
    with pytest.raises(RecordInvalid):
        codec.from_dict(RebateLedger, dumped)


class LedgerMachine(RuleBasedStateMachine):
    """Any interleaving of accruals, settlements and closing keeps the books exact."""

    def __init__(self) -> None:
        super().__init__()
        self.book = ledger()
        self.today = date(2026, 1, 10)
        self.lines = 0
        self.refusals = 0

    def attempt(
        self, operation: Callable[..., tuple[RebateLedger, T]], **kwargs: object
    ) -> T | None:
        """Run ``operation`` on the ledger; a refusal must leave it holding the same values.

        Returns the operation's event on success (the ledger moves on), ``None`` if refused.
        """
        snapshot = codec.to_dict(self.book)
        try:
            self.book, event = operation(self.book, **kwargs)
        except KamError:
            assert codec.to_dict(self.book) == snapshot  # refused: nothing changed
            self.refusals += 1
            return None
        return event

    @rule(days=st.integers(0, 20))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule(entry=accruals(), back=st.integers(0, 40))
    def enter(self, entry: tuple[AccrualKind, Decimal], back: int) -> None:
        """Enter a document dated up to ``back`` days ago (back-dating may be refused)."""
        kind, amount = entry
        self.attempt(accrue, kind=kind, amount=Money(amount), on=self.today - timedelta(back))

    @rule()
    def settle_now(self) -> None:
        was_closed = self.book.is_closed
        event = self.attempt(settle, on=self.today, by="fin")
        if was_closed:
            assert event is None
            return
        assert event is not None  # every accrual is dated on or before today
        assert event.kind is LedgerEventKind.SETTLED
        line = self.book.settlements[-1]
        assert event.amount == line.amount
        self.lines += 1
        assert line.number == self.lines
        assert self.book.paid == line.entitlement

    @rule()
    def close_now(self) -> None:
        refusable = self.book.is_closed or bool(self.book.outstanding.amount)
        event = self.attempt(close_ledger, on=self.today, by="fin")
        assert (event is None) == refusable

    @invariant()
    def the_ledger_reloads_from_its_data(self) -> None:
        assert codec.from_dict(RebateLedger, codec.to_dict(self.book)) == self.book

    @invariant()
    def paid_is_the_sum_of_the_settlement_lines(self) -> None:
        assert self.book.paid == sum((s.amount for s in self.book.settlements), Money("0"))
        assert self.book.invoiced.amount >= 0
        assert self.book.collected.amount >= 0


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(max_examples=30, stateful_step_count=15)


def _settled_once() -> RebateLedger:
    book = ledger()
    book, _ = accrue(book, AccrualKind.INVOICE, "300000", on=date(2026, 2, 1))
    book, _ = accrue(book, AccrualKind.COLLECTION, "100000", on=date(2026, 2, 1))
    book, _ = settle(book, on=date(2026, 3, 31), by="finance")
    return book


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"schedule": "x"}, "schedule"),
        ({"period": "2026"}, "period"),
        ({"closed_on": "2026-12-31"}, "closed_on"),
        ({"settlement": {"on": "2026-05-01"}}, "settlements[0].on"),
        ({"settlement": {"amount": 5}}, "settlements[0].amount"),
        ({"settlement": {"quote": None}}, "settlements[0].quote"),
    ],
)
def test_a_hand_made_ledger_of_the_wrong_types_is_refused_naming_the_field(
    change: dict[str, object], field: str
) -> None:
    book = _settled_once()
    edits = dict(change)
    line = edits.pop("settlement", None)
    if isinstance(line, dict):
        edits["settlements"] = (attrs.evolve(book.settlements[0], **line),)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(book, **edits)
    fields = [e.field for e in getattr(info.value, "errors", (info.value,))]
    assert field in fields


def test_a_total_beyond_the_money_range_is_refused_so_the_ledger_always_reloads() -> None:
    book = ledger()
    book, _ = accrue(book, AccrualKind.INVOICE, "900000000000000", on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="total would be too large"):
        accrue(book, AccrualKind.INVOICE, "900000000000000", on=date(2026, 2, 2))
    assert codec.from_dict(RebateLedger, codec.to_dict(book)) == book


def test_operations_build_the_same_ledger_a_full_check_accepts() -> None:
    book = _settled_once()
    book, _ = accrue(book, AccrualKind.COLLECTION, "50000", on=date(2026, 4, 1))
    book, _ = settle(book, on=date(2026, 4, 30), by="finance")
    rebuilt = RebateLedger(
        account=book.account,
        period=book.period,
        schedule=book.schedule,
        accruals=book.accruals,
        settlements=book.settlements,
        closed_on=book.closed_on,
    )
    assert rebuilt == book


def test_a_total_just_below_the_range_is_accepted_and_a_hand_made_one_beyond_is_refused() -> None:
    book, _ = accrue(ledger(), AccrualKind.INVOICE, "999999999999999.50", on=date(2026, 2, 1))
    assert codec.from_dict(RebateLedger, codec.to_dict(book)) == book
    big = Accrual(kind=AccrualKind.INVOICE, amount=Money("999999999999999"), on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="total is too large"):
        attrs.evolve(ledger(), accruals=(big, big))


@pytest.mark.parametrize("ref", [123, None, 1.5])
def test_an_accrual_reference_is_text(ref: object) -> None:
    with pytest.raises(ValidationError) as info:
        accrue(ledger(), AccrualKind.INVOICE, "100", on="2026-02-01", ref=ref)  # type: ignore[arg-type]
    assert info.value.field == "ref"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Money("5", "USD")}, "settlements[0].amount"),
        ({"number": True}, "settlements[0].number"),
        ({"approval": 7}, "settlements[0].approval"),
    ],
)
def test_a_settlement_line_of_the_wrong_kind_is_refused_naming_it(
    change: dict[str, object], field: str
) -> None:
    book = _settled_once()
    with pytest.raises(ValidationError) as info:
        attrs.evolve(book, settlements=(attrs.evolve(book.settlements[0], **change),))
    assert field in [e.field for e in getattr(info.value, "errors", (info.value,))]


def test_accruals_must_be_a_sequence() -> None:
    with pytest.raises(ValidationError, match="a sequence") as info:
        attrs.evolve(ledger(), accruals=None)
    assert info.value.field == "accruals"
