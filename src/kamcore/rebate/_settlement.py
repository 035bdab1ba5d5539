"""Settlement with true-up (返点结算): a period ledger, entitlement to date, payments and claw-backs.

Settlement and approval are separate steps. The source's rule is about the promise:
without approval (返点管理), no rebate may be promised to the customer; that is enforced
by :func:`~kamcore.rebate.promise` on a :class:`~kamcore.rebate.RebateRequest`. The
ledger computes what is owed from invoices and collections, which it can do before,
during or without any request (a rebate promised under a contract approved outside
kamcore, or a forecast of the entitlement). To tie a payment to its approval, pass the
request: ``settle(ledger, on=..., by=..., approval=request)`` refuses unless the request
is for the ledger's account, fully approved (or already promised), and approves at
least the entitlement paid to date; the settlement line records the request id.
"""  # noqa: E501

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

import attrs

from kamcore import _validate
from kamcore._fastnew import maker
from kamcore._validate import day as _day
from kamcore._validate import decimal_in, instance_of, sequence, text
from kamcore.calendar import Period
from kamcore.errors import ApprovalRequired, RecordInvalid, TransitionNotAllowed, ValidationError
from kamcore.money import MAX_DIGITS, Money, total
from kamcore.rebate._approval import RebateRequest, RequestStatus
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
    "close_ledger",
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


def _accruals(value: Iterable[Accrual]) -> tuple[Accrual, ...]:
    return sequence(value, "accruals", expected="a sequence of Accrual")  # items checked later


def _settlements(value: Iterable[Settlement]) -> tuple[Settlement, ...]:
    return sequence(value, "settlements", expected="a sequence of Settlement")  # (same)


@attrs.frozen(kw_only=True)
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
    on: date = attrs.field(converter=_day)
    ref: str = ""


class SettlementKind(enum.Enum):
    """What a settlement line does."""

    PAYMENT = "payment"
    """Pays the customer the entitlement not yet paid (支付返点)."""
    CLAWBACK = "clawback"
    """Claims back what was overpaid when the entitlement fell (追回)."""
    NIL = "nil"
    """Nothing is due either way; recorded so that every settlement is visible."""


@attrs.frozen(kw_only=True)
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
        covers: How many of the ledger's accruals, counted from the first, were entered
            before this settlement (the ones its entitlement is computed from).
        approval: The id of the approved :class:`~kamcore.rebate.RebateRequest` it was
            checked against (``""`` when settled without one).
    """

    number: int
    on: date
    by: str
    kind: SettlementKind
    amount: Money
    entitlement: Money
    paid_before: Money
    quote: RebateQuote
    covers: int
    approval: str = ""


class LedgerEventKind(enum.Enum):
    """What happened to a ledger."""

    ACCRUED = "accrued"
    SETTLED = "settled"
    CLOSED = "closed"


@attrs.frozen(kw_only=True)
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


@attrs.frozen(kw_only=True)
class RebateLedger:
    """The rebate ledger of one account for one period (返点台账).

    Entitlement to date is the schedule's quote with the invoiced total as tier basis
    and the collected total as rebate base. Each :func:`settle` pays only the
    difference between that entitlement and what was already paid, so the settlements
    of a ledger always add up to its entitlement at the last settlement.

    A ledger is checked whenever it is built, directly or by :func:`kamcore.codec.from_dict`,
    so an edited or hand-made ledger that could not have come from :func:`accrue`,
    :func:`settle` and :func:`close_ledger` is refused:

    * every accrual is in the schedule's currency, dated on or after the period's start
      (invoices inside the period), and no running sales or collections total falls
      below zero;
    * settlements are numbered 1, 2, ... with non-empty ``by``, go forward in time, and
      each one's quote, entitlement, ``paid_before``, amount and kind are exactly what
      :func:`settle` computes from the accruals it ``covers``;
    * events go forward in time: an accrual a settlement covers is dated on or before
      it, an accrual entered after it on or after it;
    * ``closed_on`` is on or after every accrual and settlement, and a closed ledger
      has nothing outstanding.

    Attributes:
        account: The account.
        period: The period whose sales earn the rebate (a :class:`~kamcore.calendar.Period`).
        schedule: The tier schedule.
        accruals: Every invoice and collection, in the order entered.
        settlements: Every settlement, in order.
        closed_on: When the period was closed (``None`` while open).

    Raises:
        ValidationError: The ledger is inconsistent (the field names where); a
            :class:`~kamcore.errors.RecordInvalid` lists every problem when there are
            several.

    Examples:
        >>> from kamcore.presets import load_preset
        >>> ledger = RebateLedger(account="Acme", period=Period.parse("2026"),
        ...                       schedule=load_preset("rebate_source", TierSchedule))
        >>> ledger, _ = accrue(ledger, AccrualKind.INVOICE, "250000", on="2026-03-01")
        >>> ledger, _ = accrue(ledger, AccrualKind.COLLECTION, "100000", on="2026-04-01")
        >>> ledger, event = settle(ledger, on="2026-04-30", by="fin")
        >>> event.kind.value, event.amount, event.detail
        ('settled', Money('8000.00', 'CNY'), 'settlement no. 1: payment')
        >>> ledger.settlements[-1].kind.value
        'payment'
    """

    account: str
    period: Period
    schedule: TierSchedule
    accruals: tuple[Accrual, ...] = attrs.field(default=(), converter=_accruals)
    settlements: tuple[Settlement, ...] = attrs.field(default=(), converter=_settlements)
    closed_on: date | None = None

    def __attrs_post_init__(self) -> None:
        errors = _check_ledger(self)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise RecordInvalid("RebateLedger", errors)

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


def _period_span(period: Period) -> str:
    return f"{period} ({period.start.isoformat()} to {period.last_day.isoformat()})"


_new_ledger = maker(RebateLedger)


def _check_accruals(ledger: RebateLedger) -> list[ValidationError]:
    errors: list[ValidationError] = []
    cur = ledger.schedule.currency
    period = ledger.period
    running = {kind: Money.zero(cur) for kind in AccrualKind}
    entries: tuple[object, ...] = ledger.accruals  # checked, as a ledger may be hand-made
    for i, a in enumerate(entries):
        at = f"accruals[{i}]"
        if not isinstance(a, Accrual) or not isinstance(a.kind, AccrualKind):
            errors.append(
                ValidationError(field=at, value=a, expected="an Accrual of an AccrualKind")
            )
            continue
        if a.kind is AccrualKind.INVOICE and a.on not in period:
            errors.append(
                _wrong(
                    f"{at}.on",
                    a.on,
                    f"a date in {_period_span(period)}",
                    "invoice outside the rebate period",
                )
            )
        elif a.on < period.start:
            errors.append(
                _wrong(
                    f"{at}.on",
                    a.on,
                    f"a date on or after {period.start.isoformat()}",
                    "collection before the rebate period",
                )
            )
        if not isinstance(a.amount, Money) or a.amount.currency != cur:
            errors.append(
                _wrong(f"{at}.amount", a.amount, f"money in {cur}, the ledger's currency",
                       "wrong currency")
            )  # fmt: skip
            continue
        running[a.kind] += a.amount
        total_now = running[a.kind]
        if total_now.amount < 0:
            limit = (total_now - a.amount).amount
            errors.append(
                _wrong(f"{at}.amount", a.amount, f"a credit of at most {limit}",
                       f"{a.kind.value} total would fall below zero")
            )  # fmt: skip
        elif _too_large(total_now):
            errors.append(
                _wrong(f"{at}.amount", a.amount, f"{a.kind.value} totals below 10^{MAX_DIGITS}",
                       f"the {a.kind.value} total is too large")
            )  # fmt: skip
        if type(a.ref) is not str:
            errors.append(_wrong(f"{at}.ref", a.ref, "text", "not text"))
    return errors


def _kind_of(diff: Money) -> SettlementKind:
    if diff.amount > 0:
        return SettlementKind.PAYMENT
    if diff.amount < 0:
        return SettlementKind.CLAWBACK
    return SettlementKind.NIL


def _wrong(field: str, value: object, expected: object, problem: str) -> ValidationError:
    return ValidationError(field=field, value=value, expected=str(expected), problem=problem)


def _check_header(
    k: int, line: Settlement, previous: date | None, covered: int, count: int
) -> list[ValidationError]:
    """Numbering, who, date order and the accruals covered, of settlement ``k``."""
    at = f"settlements[{k}]"
    errors: list[ValidationError] = []
    if line.number != k + 1:
        errors.append(
            _wrong(f"{at}.number", line.number, k + 1, "settlements are numbered 1, 2, ...")
        )
    if not isinstance(line.by, str) or not line.by.strip():
        errors.append(_wrong(f"{at}.by", line.by, "who settled, a non-empty string", "missing"))
    if previous is not None and line.on < previous:
        errors.append(
            _wrong(
                f"{at}.on",
                line.on,
                f"a date on or after the previous settlement, {previous.isoformat()}",
                "settlements go forward in time",
            )
        )
    if (
        isinstance(line.covers, bool)
        or not isinstance(line.covers, int)
        or not covered <= line.covers <= count
    ):
        errors.append(
            _wrong(
                f"{at}.covers",
                line.covers,
                f"a count from {covered} (the previous settlement's) to {count}",
                "covers accruals that do not exist or were already covered",
            )
        )
    return errors


def _check_dates(
    accruals: tuple[Accrual, ...], start: int, stop: int, after: date | None, until: date | None
) -> list[ValidationError]:
    """Accruals ``start:stop`` are dated on or after ``after`` and on or before ``until``."""
    errors: list[ValidationError] = []
    for i in range(start, stop):
        day = accruals[i].on
        if after is not None and day < after:
            errors.append(
                _wrong(
                    f"accruals[{i}].on",
                    day,
                    f"a date on or after the settlement of {after.isoformat()}",
                    "back-dated behind a settlement",
                )
            )
        if until is not None and day > until:
            errors.append(
                _wrong(
                    f"accruals[{i}].on",
                    day,
                    f"a date on or before the settlement of {until.isoformat()} that covers it",
                    "dated after the settlement that covers it",
                )
            )
    return errors


def _check_amounts(
    k: int, line: Settlement, ledger: RebateLedger, paid: Money
) -> list[ValidationError]:
    """Settlement ``k`` moves exactly entitlement (of what it covers) minus ``paid``."""
    at = f"settlements[{k}]"
    cur = ledger.schedule.currency
    head = ledger.accruals[: line.covers]
    basis = total((a.amount for a in head if a.kind is AccrualKind.INVOICE), cur)
    base = total((a.amount for a in head if a.kind is AccrualKind.COLLECTION), cur)
    q = quote(ledger.schedule, basis=basis, base=base)
    due = q.rebate - paid
    errors: list[ValidationError] = []
    if line.quote != q:
        errors.append(
            _wrong(
                f"{at}.quote",
                line.quote.rebate,
                f"the quote for sales {basis.amount} and collections {base.amount}",
                "the quote does not match the accruals it covers",
            )
        )
    if line.entitlement != q.rebate:
        errors.append(
            _wrong(f"{at}.entitlement", line.entitlement, q.rebate, "entitlement does not match")
        )
    if line.paid_before != paid:
        errors.append(
            _wrong(f"{at}.paid_before", line.paid_before, paid, "not the sum of earlier lines")
        )
    if line.amount != due:
        errors.append(
            _wrong(
                f"{at}.amount",
                line.amount,
                f"{due} (entitlement {q.rebate} minus {paid} paid before)",
                "the amount is not entitlement minus paid",
            )
        )
    if line.kind is not _kind_of(due):
        errors.append(
            _wrong(f"{at}.kind", line.kind, _kind_of(due).value, "kind does not match the amount")
        )
    return errors


def _check_settlements(ledger: RebateLedger) -> list[ValidationError]:
    errors: list[ValidationError] = []
    accruals = ledger.accruals
    paid = Money.zero(ledger.schedule.currency)
    covered = 0
    previous: date | None = None
    lines: tuple[object, ...] = ledger.settlements  # checked, as a ledger may be hand-made
    for k, line in enumerate(lines):
        if not isinstance(line, Settlement):
            return [*errors, _wrong(f"settlements[{k}]", line, "a Settlement", "not a settlement")]
        header = _check_header(k, line, previous, covered, len(accruals))
        errors += header
        if any(e.field.endswith(".covers") for e in header):
            return errors
        errors += _check_dates(accruals, covered, line.covers, previous, line.on)
        errors += _check_amounts(k, line, ledger, paid)
        paid += line.amount
        covered, previous = line.covers, line.on
    errors += _check_dates(accruals, covered, len(accruals), previous, None)
    return errors


def _last_event(ledger: RebateLedger) -> date | None:
    days = [a.on for a in ledger.accruals] + [s.on for s in ledger.settlements]
    return max(days, default=None)


def _check_types(ledger: RebateLedger) -> list[ValidationError]:
    """The ledger's parts are of the right types (a ledger may be built by hand)."""
    errors: list[ValidationError] = []
    if not isinstance(ledger.account, str) or not ledger.account.strip():
        errors.append(
            ValidationError(field="account", value=ledger.account, expected="a non-empty string")
        )
    period: object = ledger.period
    schedule: object = ledger.schedule
    if not isinstance(period, Period):
        errors.append(_wrong("period", period, "a kamcore.calendar.Period", "not a period"))
    if not isinstance(schedule, TierSchedule):
        errors.append(_wrong("schedule", schedule, "a TierSchedule", "not a schedule"))
    if ledger.closed_on is not None and type(ledger.closed_on) is not date:
        errors.append(_wrong("closed_on", ledger.closed_on, "a date, or None", "not a date"))
    if errors:
        return errors
    currency = ledger.schedule.currency
    lines: tuple[object, ...] = ledger.settlements
    for k, line in enumerate(lines):
        at = f"settlements[{k}]"
        if not isinstance(line, Settlement):
            errors.append(_wrong(at, line, "a Settlement", "not a settlement"))
            continue
        for name, kind, expected in (
            ("number", int, "a whole number"),
            ("on", date, "a date"),
            ("amount", Money, f"Money in {currency}"),
            ("entitlement", Money, f"Money in {currency}"),
            ("paid_before", Money, f"Money in {currency}"),
            ("quote", RebateQuote, "a RebateQuote"),
            ("approval", str, "a request id, or '' for none"),
        ):
            value = getattr(line, name)
            exact = kind in (date, int)  # a datetime is not a date; a bool is not a number
            wrong = type(value) is not kind if exact else not isinstance(value, kind)
            if wrong or (kind is Money and value.currency != currency):
                errors.append(_wrong(f"{at}.{name}", value, expected, "wrong type"))
    return errors


def _check_ledger(ledger: RebateLedger) -> list[ValidationError]:
    errors = _check_types(ledger)
    if errors:
        return errors
    errors += _check_accruals(ledger)
    if errors:
        return errors
    errors += _check_settlements(ledger)
    if errors or ledger.closed_on is None:
        return errors
    last = _last_event(ledger)
    if last is not None and ledger.closed_on < last:
        errors.append(
            ValidationError(
                field="closed_on",
                value=ledger.closed_on,
                expected=f"a date on or after the last accrual or settlement, {last.isoformat()}",
                problem="closed before the last event",
            )
        )
    elif ledger.outstanding.amount:
        errors.append(
            ValidationError(
                field="closed_on",
                value=ledger.closed_on,
                expected="None (open), or nothing outstanding",
                problem=f"closed with {ledger.outstanding} outstanding",
            )
        )
    return errors


def _refuse_closed(ledger: RebateLedger, target: str) -> TransitionNotAllowed:
    assert ledger.closed_on is not None
    return TransitionNotAllowed(
        subject=f"rebate ledger {ledger.account!r} {ledger.period}",
        source="closed",
        target=target,
        reason=f"the period was closed on {ledger.closed_on.isoformat()}; open a new period",
    )


def _who(by: object) -> str:
    return text(by, "by", expected="who did it, a non-blank string")


def _money(value: object, currency: str) -> Money:
    """Money in the ledger's currency; a bare amount is read in that currency."""
    if isinstance(value, Money):
        return _validate.money(value, "amount", currency=currency)
    return Money(decimal_in(value, "amount"), currency)


def _successor(
    ledger: RebateLedger,
    *,
    accruals: tuple[Accrual, ...] | None = None,
    settlements: tuple[Settlement, ...] | None = None,
    closed_on: date | None = None,
) -> RebateLedger:
    """The ledger one operation later, built without re-checking what was checked.

    :func:`accrue`, :func:`settle` and :func:`close_ledger` check the one thing they add
    against the ledger as it stands (which was checked when it was built), so the
    whole-ledger check — which recomputes every settlement — is not run again; a
    ledger built directly or loaded through the codec is still checked in full.
    """
    successor: RebateLedger = _new_ledger(
        ledger.account,
        ledger.period,
        ledger.schedule,
        ledger.accruals if accruals is None else accruals,
        ledger.settlements if settlements is None else settlements,
        ledger.closed_on if closed_on is None else closed_on,
    )
    return successor


def _too_large(total: Money) -> bool:
    """Whether a running total left kamcore's money range (below 10^MAX_DIGITS)."""
    return bool(total.amount) and total.amount.adjusted() >= MAX_DIGITS


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
            come later, but not before the period starts. Once the ledger has been
            settled, nothing may be dated before the last settlement: what was settled
            stays settled, and a late document enters the next settlement.
        ref: The document number.
        by: Who entered it.

    Returns:
        The new ledger and an ``ACCRUED`` event.

    Raises:
        TransitionNotAllowed: The period is closed.
        ValidationError: A bad amount or date, an invoice outside the period, a date
            before the last settlement, or a credit that would take sales or
            collections below zero.
    """
    instance_of(ledger, RebateLedger, "ledger", expected="a RebateLedger")
    if ledger.is_closed:
        raise _refuse_closed(ledger, "accrued")
    if not isinstance(kind, AccrualKind):
        raise ValidationError(
            field="kind", value=kind, expected="AccrualKind.INVOICE or AccrualKind.COLLECTION"
        )
    money = _money(amount, ledger.schedule.currency)
    day = _day(on, "on")
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
    if ledger.settlements and day < ledger.settlements[-1].on:
        last = ledger.settlements[-1]
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date on or after the last settlement (no. {last.number}, "
            f"{last.on.isoformat()})",
            problem="back-dated behind a settlement",
        )
    running = ledger._sum(kind) + money
    if running.amount < 0:
        raise ValidationError(
            field="amount",
            value=money,
            expected=f"a credit of at most {(running - money).amount} (the {kind.value} total)",
            problem=f"{kind.value} total would fall below zero",
        )
    if _too_large(running):
        raise ValidationError(
            field="amount",
            value=money,
            expected=f"{kind.value} totals below 10^{MAX_DIGITS} (kamcore's money range)",
            problem=f"the {kind.value} total would be too large",
        )
    if type(ref) is not str:
        raise ValidationError(
            field="ref", value=ref, expected="a reference as text, such as 'INV-1'"
        )
    accrual = Accrual(kind=kind, amount=money, on=day, ref=ref)
    new = _successor(ledger, accruals=(*ledger.accruals, accrual))
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


def _check_approval(ledger: RebateLedger, approval: RebateRequest, entitlement: Money) -> None:
    if not isinstance(approval, RebateRequest):
        raise ValidationError(
            field="approval",
            value=approval,
            expected="a RebateRequest, or None to settle without one",
            problem=f"a {type(approval).__name__}",
        )
    if approval.account != ledger.account:
        raise ValidationError(
            field="approval.account",
            value=approval.account,
            expected=f"a request for {ledger.account!r}, the ledger's account",
            problem="the request is for another account",
        )
    if approval.status not in (RequestStatus.APPROVED, RequestStatus.PROMISED):
        steps = approval.chain.steps[len(approval.approved_steps) :]
        raise ApprovalRequired(
            request=approval.id, missing=[s.title for s in steps], action="settle against"
        )
    if approval.amount.currency != entitlement.currency:
        raise ValidationError(
            field="approval.amount",
            value=approval.amount,
            expected=f"money in {entitlement.currency}, the ledger's currency",
            problem="wrong currency",
        )
    if entitlement > approval.amount:
        raise TransitionNotAllowed(
            subject=f"rebate ledger {ledger.account!r} {ledger.period}",
            source="open",
            target="settled",
            reason=f"the entitlement to date, {entitlement}, exceeds the {approval.amount} "
            f"approved in request {approval.id!r}; apply for the difference first",
        )


def settle(
    ledger: RebateLedger,
    *,
    on: date | str,
    by: str,
    approval: RebateRequest | None = None,
) -> tuple[RebateLedger, LedgerEvent]:
    """Settle to date: pay entitlement-to-date minus already paid (true-up, 多退少补).

    A positive difference is a ``PAYMENT``; a negative one (credit notes or reversed
    collections lowered the entitlement) is a ``CLAWBACK`` line, never a silent zero;
    no difference is recorded as ``NIL``. Settle as often as needed: nothing is ever
    paid twice.

    Args:
        ledger: The ledger.
        on: The settlement date: on or after the last settlement and every accrual it
            covers.
        by: Who settles (required).
        approval: The rebate request that approved the rebate. When given, the
            settlement is refused unless the request is for the ledger's account, is
            fully approved (or promised), and approves at least the entitlement to date
            (what will have been paid after this settlement); the line records its id.
            Without it, the ledger does not check approval (see the module docs).

    Returns:
        The new ledger, whose last settlement line (``ledger.settlements[-1]``, a
        :class:`Settlement`) carries the quote and the kind, and a ``SETTLED`` event
        (the amount that changes hands, who and when).

    Raises:
        TransitionNotAllowed: The period is closed (any :class:`~kamcore.errors.KamError`),
            or the entitlement to date exceeds the approved amount.
        ApprovalRequired: ``approval`` is not fully approved (pending or rejected).
        ValidationError: An empty ``by``, a date before the previous settlement or
            before an accrual it would cover, or an ``approval`` for another account or
            in another currency.
    """
    instance_of(ledger, RebateLedger, "ledger", expected="a RebateLedger")
    if ledger.is_closed:
        raise _refuse_closed(ledger, "settled")
    who = _who(by)
    day = _day(on, "on")
    if ledger.settlements and day < ledger.settlements[-1].on:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date on or after the last settlement, {ledger.settlements[-1].on}",
            problem="settlements go forward in time",
        )
    latest = max((a.on for a in ledger.accruals), default=None)
    if latest is not None and day < latest:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date on or after the latest accrual, {latest.isoformat()}",
            problem="settlement dated before an accrual it covers",
        )
    q = ledger.entitlement()
    if approval is not None:
        _check_approval(ledger, approval, q.rebate)
    paid = ledger.paid
    diff = q.rebate - paid
    line = Settlement(
        number=len(ledger.settlements) + 1,
        on=day,
        by=who,
        kind=_kind_of(diff),
        amount=diff,
        entitlement=q.rebate,
        paid_before=paid,
        quote=q,
        covers=len(ledger.accruals),
        approval="" if approval is None else approval.id,
    )
    event = LedgerEvent(
        account=ledger.account,
        period=ledger.period,
        kind=LedgerEventKind.SETTLED,
        on=day,
        by=who,
        amount=diff,
        detail=_settled_detail(line),
    )
    return _successor(ledger, settlements=(*ledger.settlements, line)), event


def _settled_detail(line: Settlement) -> str:
    against = f" against {line.approval}" if line.approval else ""
    return f"settlement no. {line.number}: {line.kind.value}{against}"


def close_ledger(
    ledger: RebateLedger, *, on: date | str, by: str
) -> tuple[RebateLedger, LedgerEvent]:
    """Close the period: no more accruals or settlements.

    Args:
        ledger: The ledger.
        on: The closing date: on or after every accrual and settlement.
        by: Who closes (required).

    Returns:
        The closed ledger and a ``CLOSED`` event (its amount: the total paid).

    Raises:
        TransitionNotAllowed: Already closed, or an amount is still outstanding
            (settle first, so that what was paid is exactly the entitlement).
        ValidationError: An empty ``by``, or a date before the last accrual or
            settlement.
    """
    instance_of(ledger, RebateLedger, "ledger", expected="a RebateLedger")
    if ledger.is_closed:
        raise _refuse_closed(ledger, "closed")
    who = _who(by)
    day = _day(on, "on")
    last = _last_event(ledger)
    if last is not None and day < last:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"a date on or after the last accrual or settlement, {last.isoformat()}",
            problem="closed before the last event",
        )
    outstanding = ledger.outstanding
    if outstanding.amount:
        raise TransitionNotAllowed(
            subject=f"rebate ledger {ledger.account!r} {ledger.period}",
            source="open",
            target="closed",
            reason=f"{outstanding} is still outstanding; settle first",
        )
    event = LedgerEvent(
        account=ledger.account,
        period=ledger.period,
        kind=LedgerEventKind.CLOSED,
        on=day,
        by=who,
        amount=ledger.paid,
        detail="period closed",
    )
    return _successor(ledger, closed_on=day), event
