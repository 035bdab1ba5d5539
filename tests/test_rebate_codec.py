"""Every public kamcore.rebate type round-trips through the codec."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.rebate import (
    CommissionQuote,
    CommissionTable,
    ComponentScore,
    DescriptorScale,
    LedgerEvent,
    RebateLedger,
    RebateQuote,
    RebateRequest,
    RebateSlice,
    RequestEvent,
    Scorecard,
    ScorecardPolicy,
    Settlement,
    Target,
    compute_commission,
)
from kamcore.strategies import (
    commission_tables,
    descriptor_scales,
    rebate_ledgers,
    rebate_quotes,
    rebate_requests,
    salesperson_scorecards,
    targets,
)


def round_trips(obj: object) -> bool:
    return codec.from_dict(type(obj), codec.to_dict(obj)) == obj


@given(rebate_quotes())
def test_quotes_and_their_slices_round_trip(q: RebateQuote) -> None:
    assert round_trips(q)
    assert all(isinstance(s, RebateSlice) and round_trips(s) for s in q.slices)
    assert codec.from_json(RebateQuote, codec.to_json(q)) == q


@given(rebate_requests())
def test_request_events_round_trip(request: RebateRequest) -> None:
    assert all(isinstance(e, RequestEvent) and round_trips(e) for e in request.history)


@given(rebate_ledgers())
def test_settlements_and_accruals_round_trip(book: RebateLedger) -> None:
    assert all(isinstance(s, Settlement) and round_trips(s) for s in book.settlements)
    assert all(round_trips(a) for a in book.accruals)


def test_a_ledger_event_round_trips() -> None:
    from kamcore.calendar import Period
    from kamcore.money import Money
    from kamcore.rebate import LedgerEventKind

    event = LedgerEvent(
        account="Acme",
        period=Period.parse("2026-Q1"),
        kind=LedgerEventKind.ACCRUED,
        on=date(2026, 2, 1),
        by="li",
        amount=Money("1.00"),
    )
    assert round_trips(event)


@given(commission_tables(), st.integers(0, 10**9))
def test_commission_quotes_round_trip(table: CommissionTable, cents: int) -> None:
    grade = table.grades[0]
    q = compute_commission(table, grade=grade, amount=Decimal(cents).scaleb(-2))
    assert isinstance(q, CommissionQuote)
    assert round_trips(q)


@given(targets(), descriptor_scales())
def test_targets_and_scales_round_trip(target: Target, scale: DescriptorScale) -> None:
    assert round_trips(target)
    assert round_trips(scale)


@given(salesperson_scorecards())
def test_scorecards_and_their_parts_round_trip(card: Scorecard) -> None:
    assert round_trips(card)
    assert isinstance(card.policy, ScorecardPolicy)
    assert round_trips(card.policy)
    assert all(isinstance(c, ComponentScore) and round_trips(c) for c in card.components)
    exact = sum(card.contributions, Decimal(0))
    assert card.policy.rounding.apply(exact, card.policy.places) == card.total
