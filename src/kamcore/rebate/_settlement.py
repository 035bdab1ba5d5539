"""Settlement with true-up (返点结算): a period ledger, entitlement to date, payments and claw-backs."""  # noqa: E501

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

import attrs

from kamcore.calendar import Period, as_date
from kamcore.errors import TransitionNotAllowed, ValidationError
from kamcore.money import Money, as_decimal, total
from kamcore.rebate._tiers import RebateQuote, TierSchedule, quote

__all__ = [
    "Accrual",
    "AccrualKind",
    "LedgerEvent",
    "LedgerEventKind",
    "RebateLedger",
    "Settlement",
    "SettlementKind",
    "accrue",
    "close",
    "settle",
]


class AccrualKind(enum.Enum):
    """What an accrual adds to: the tier basis or the rebate base.

    * ``INVOICE`` (开票) adds to sales, the tier basis; a negative invoice is a credit
      note (a return).
    * ``COLLECTION`` (收款) adds to the total collected, the rebate base; collections
      may be partial, and a negative one reverses a collection (a bounced payment).
    """

    INVOICE = "invoice"
    COLLECTION = "collection"


def _on(value: object) -> date:
    return as_date(value, field="on")


def _accruals(value: Iterable[Accrual]) -> tuple[Accrual, ...]:
    return tuple(value)


def _settlements(value: Iterable[Settlement]) -> tuple[Settlement, ...]:
    return tuple(value)


@attrs.define(frozen=True, slots=True, kw_only=True)
class Accrual:
    """One invoice or collection entered in a rebate ledger.

    Attributes:
        kind: Invoice (sales) or collection (collected).
        amount: The amount; negative for a credit note or a reversed collection.
        on: The date of the invoice or the collection.
        ref: The document number.
    """

    kind: AccrualKind
    amount: Money
    on: date = attrs.field(converter=_on)
    ref: str = ""


class SettlementKind(enum.Enum):
    """What a settlement line does."""

    PAYMENT = "payment"
    """Pays the customer the entitlement not yet paid (支付返点)."""
    CLAWBACK = "clawback"
    """Claims back what was overpaid when the entitlement fell (追回)."""
    NIL = "nil"
    """Nothing is due either way; recorded so that every settlement is visible."""


@attrs.define(frozen=True, slots=True, kw_only=True)
class Settlement:
    """One settlement line (结算单): entitlement to date minus what was already paid.

    Attributes:
        number: 1 for the first settlement of the ledger, 2 for the next, ...
        on: The settlement date.
        by: Who settled.
        kind: Payment, claw-back or nil.
        amount: What changes hands: positive paid to the customer, negative clawed back.
        entitlement: The rebate earned to date (the quote's rounded rebate).
        paid_before: The net amount paid by earlier settlements.
        quote: The explained quote the entitlement comes from.
    """

    number: int
    on: date
    by: str
    kind: SettlementKind
    amount: Money
    entitlement: Money
    paid_before: Money
    quote: RebateQuote


class LedgerEventKind(enum.Enum):
    """What happened to a ledger."""

    ACCRUED = "accrued"
    SETTLED = "settled"
    CLOSED = "closed"


@attrs.define(frozen=True, slots=True, kw_only=True)
class LedgerEvent:
    """One immutable change to a rebate ledger.

    Attributes:
        account: The ledger's account.
        period: The ledger's period.
        kind: What happened.
        on: When.
        by: Who.
        amount: The accrual's amount, the settlement's amount, or the final total paid.
        detail: In words.
    """

    account: str
    period: Period
    kind: LedgerEventKind
    on: date
    by: str
    amount: Money
    detail: str = ""


@attrs.define(frozen=True, slots=True, kw_only=True)
class RebateLedger:
    """The rebate ledger of one account for one period (返点台账).

    Entitlement to date is the schedule's quote with the invoiced total as tier basis
    and the collected total as rebate base. Each :func:`settle` pays only the
    difference between that entitlement and what was already paid, so the settlements
    of a ledger always add up to its entitlement at the last settlement.

    Attributes:
        account: The account.
        period: The period whose sales earn the rebate (a :class:`~kamcore.calendar.Period`).
        schedule: The tier schedule.
        accruals: Every invoice and collection, in the order entered.
        settlements: Every settlement, in order.
        closed_on: When the period was closed (``None`` while open).

    Examples:
        >>> from kamcore.presets import load_preset
        >>> ledger = RebateLedger(account="Acme", period=Period.parse("2026"),
        ...                       schedule=load_preset("rebate_source", TierSchedule))
        >>> ledger, _ = accrue(ledger, AccrualKind.INVOICE, "250000", on="2026-03-01")
        >>> ledger, _ = accrue(ledger, AccrualKind.COLLECTION, "100000", on="2026-04-01")
        >>> ledger, first = settle(ledger, on="2026-04-30", by="fin")
        >>> first.kind.value, first.amount
        ('payment', Money('8000.00', 'CNY'))
    """

    account: str
    period: Period
    schedule: TierSchedule
    accruals: tuple[Accrual, ...] = attrs.field(default=(), converter=_accruals)
    settlements: tuple[Settlement, ...] = attrs.field(default=(), converter=_settlements)
    closed_on: date | None = None

    @property
    def is_closed(self) -> bool:
        """Whether the period has been closed; a closed ledger changes no more."""
        return self.closed_on is not None

    def _sum(self, kind: AccrualKind) -> Money:
        cur = self.schedule.currency
        return total((a.amount for a in self.accruals if a.kind is kind), cur)

    @property
    def invoiced(self) -> Money:
        """Sales to date: the tier basis."""
        return self._sum(AccrualKind.INVOICE)

    @property
    def collected(self) -> Money:
        """Total collected to date: the rebate base."""
        return self._sum(AccrualKind.COLLECTION)

    @property
    def paid(self) -> Money:
        """The net amount settled so far (payments minus claw-backs)."""
        return total((s.amount for s in self.settlements), self.schedule.currency)

    def entitlement(self) -> RebateQuote:
        """The explained rebate earned to date."""
        return quote(self.schedule, basis=self.invoiced, base=self.collected)

    @property
    def outstanding(self) -> Money:
        """Entitlement to date minus paid: what the next settlement would move."""
        return self.entitlement().rebate - self.paid


def _refuse_closed(ledger: RebateLedger, target: str) -> TransitionNotAllowed:
    assert ledger.closed_on is not None
    return TransitionNotAllowed(
        subject=f"rebate ledger {ledger.account!r} {ledger.period}",
        source="closed",
        target=target,
        reason=f"the period was closed on {ledger.closed_on.isoformat()}; open a new period",
    )


def _money(value: object, currency: str) -> Money:
    if isinstance(value, Money):
        if value.currency != currency:
            raise ValidationError(
                field="amount",
                value=value,
                expected=f"money in {currency}, the ledger's currency",
                problem="wrong currency",
            )
        return value
    return Money(as_decimal(value, field="amount"), currency)


def accrue(
    ledger: RebateLedger,
    kind: AccrualKind,
    amount: Money | str | int,
    *,
    on: date | str,
    ref: str = "",
    by: str = "",
) -> tuple[RebateLedger, LedgerEvent]:
    """Enter an invoice or a collection (partial collections are fine).

    Args:
        ledger: The ledger.
        kind: ``INVOICE`` (sales) or ``COLLECTION`` (collected).
        amount: The amount; negative for a credit note or a reversed collection.
        on: The document date. Invoices must fall inside the period; collections may
            come later, but not before the period starts.
        ref: The document number.
        by: Who entered it.

    Returns:
        The new ledger and an ``ACCRUED`` event.

    Raises:
        TransitionNotAllowed: The period is closed.
        ValidationError: A bad amount or date, an invoice outside the period, or a
            credit that would take sales or collections below zero.
    """
    if ledger.is_closed:
        raise _refuse_closed(ledger, "accrued")
    if not isinstance(kind, AccrualKind):
        raise ValidationError(
            field="kind", value=kind, expected="AccrualKind.INVOICE or AccrualKind.COLLECTION"
        )
    money = _money(amount, ledger.schedule.currency)
    day = as_date(on, field="on")
    period = ledger.period
    if kind is AccrualKind.INVOICE and day not in period:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date in {period} ({period.start.isoformat()} to "
            f"{period.last_day.isoformat()})",
            problem="invoice outside the rebate period",
        )
    if day < period.start:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date on or after {period.start.isoformat()}",
            problem="collection before the rebate period",
        )
    accrual = Accrual(kind=kind, amount=money, on=day, ref=ref)
    new = attrs.evolve(ledger, accruals=(*ledger.accruals, accrual))
    running = new.invoiced if kind is AccrualKind.INVOICE else new.collected
    if running.amount < 0:
        raise ValidationError(
            field="amount",
            value=money,
            expected=f"a credit of at most {(running - money).amount} (the {kind.value} total)",
            problem=f"{kind.value} total would fall below zero",
        )
    event = LedgerEvent(
        account=ledger.account,
        period=period,
        kind=LedgerEventKind.ACCRUED,
        on=day,
        by=by,
        amount=money,
        detail=f"{kind.value} {ref}".strip(),
    )
    return new, event


def settle(ledger: RebateLedger, *, on: date | str, by: str) -> tuple[RebateLedger, Settlement]:
    """Settle to date: pay entitlement-to-date minus already paid (true-up, 多退少补).

    A positive difference is a ``PAYMENT``; a negative one (credit notes or reversed
    collections lowered the entitlement) is a ``CLAWBACK`` line, never a silent zero;
    no difference is recorded as ``NIL``. Settle as often as needed: nothing is ever
    paid twice.

    Returns:
        The new ledger and the settlement line (the event).

    Raises:
        TransitionNotAllowed: The period is closed (any :class:`~kamcore.errors.KamError`).
        ValidationError: A date before the previous settlement.
    """
    if ledger.is_closed:
        raise _refuse_closed(ledger, "settled")
    day = as_date(on, field="on")
    if ledger.settlements and day < ledger.settlements[-1].on:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date on or after the last settlement, {ledger.settlements[-1].on}",
            problem="settlements go forward in time",
        )
    q = ledger.entitlement()
    paid = ledger.paid
    diff = q.rebate - paid
    kind = (
        SettlementKind.PAYMENT
        if diff.amount > 0
        else SettlementKind.CLAWBACK
        if diff.amount < 0
        else SettlementKind.NIL
    )
    line = Settlement(
        number=len(ledger.settlements) + 1,
        on=day,
        by=by,
        kind=kind,
        amount=diff,
        entitlement=q.rebate,
        paid_before=paid,
        quote=q,
    )
    return attrs.evolve(ledger, settlements=(*ledger.settlements, line)), line


def close(ledger: RebateLedger, *, on: date | str, by: str) -> tuple[RebateLedger, LedgerEvent]:
    """Close the period: no more accruals or settlements.

    Raises:
        TransitionNotAllowed: Already closed, or an amount is still outstanding
            (settle first, so that what was paid is exactly the entitlement).
    """
    if ledger.is_closed:
        raise _refuse_closed(ledger, "closed")
    outstanding = ledger.outstanding
    if outstanding.amount:
        raise TransitionNotAllowed(
            subject=f"rebate ledger {ledger.account!r} {ledger.period}",
            source="open",
            target="closed",
            reason=f"{outstanding} is still outstanding; settle first",
        )
    day = as_date(on, field="on")
    event = LedgerEvent(
        account=ledger.account,
        period=ledger.period,
        kind=LedgerEventKind.CLOSED,
        on=day,
        by=by,
        amount=ledger.paid,
        detail="period closed",
    )
    return attrs.evolve(ledger, closed_on=day), event
