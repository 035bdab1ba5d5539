"""Strategies for kamcore.rebate: tier schedules, quotes, approval chains, ledgers."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st

from kamcore.calendar import Period
from kamcore.errors import ValidationError
from kamcore.money import Money, Rate, Rounding
from kamcore.rebate import (
    DEFAULT_CHAIN,
    AccrualKind,
    ApprovalChain,
    ApprovalStep,
    AttainmentRule,
    AttendanceRule,
    BreakpointOwner,
    CommissionTable,
    Descriptor,
    DescriptorScale,
    GradeRate,
    LatenessBand,
    PartialSteps,
    RebateLedger,
    RebateQuote,
    RebateRequest,
    Scorecard,
    ScorecardPolicy,
    ScoreWeight,
    Target,
    Tier,
    TierMode,
    TierSchedule,
    accrue,
    approve,
    assess_attainment,
    assess_attendance,
    close_ledger,
    promise,
    quote,
    rate_competency,
    reject,
    score_salesperson,
    settle,
    submit,
)
from kamcore.strategies._core import periods

_CST = timezone(timedelta(hours=8), "CST")


@st.composite
def tier_schedules(
    draw: st.DrawFn,
    *,
    mode: TierMode | None = None,
    max_tiers: int = 5,
    max_breakpoint: int = 10**7,
) -> TierSchedule:
    """Valid tier schedules: 1–``max_tiers`` contiguous tiers from 0, any owners and rates."""
    n = draw(st.integers(1, max_tiers))
    cents = draw(
        st.lists(st.integers(1, max_breakpoint * 100), min_size=n - 1, max_size=n - 1, unique=True)
    )
    bps = [Decimal(c).scaleb(-2) for c in sorted(cents)]
    lowers = [Decimal(0), *bps]
    tiers = []
    for i in range(n):
        rate = draw(st.decimals(min_value=0, max_value=1, places=4))
        owner = draw(st.sampled_from(BreakpointOwner))
        upper = bps[i] if i < n - 1 else None
        tiers.append(Tier(lower=lowers[i], upper=upper, rate=Rate(rate), upper_owner=owner))
    return TierSchedule(
        tiers=tuple(tiers),
        mode=draw(st.sampled_from(TierMode)) if mode is None else mode,
        rounding=draw(st.sampled_from(Rounding)),
        name=draw(st.sampled_from(["", "test", "返点"])),
    )


def rebate_amounts(*, max_value: int = 2 * 10**7) -> st.SearchStrategy[Decimal]:
    """Non-negative amounts in whole fen."""
    return st.integers(0, max_value * 100).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def rebate_quotes(draw: st.DrawFn) -> RebateQuote:
    """Quotes from any schedule, basis and base."""
    schedule = draw(tier_schedules())
    return quote(schedule, basis=draw(rebate_amounts()), base=draw(rebate_amounts()))


def approval_chains() -> st.SearchStrategy[ApprovalChain]:
    """Chains of 1–4 distinct steps (every chain requires distinct approvers)."""
    keys = st.lists(
        st.text("abcdefghij_", min_size=1, max_size=8), min_size=1, max_size=4, unique=True
    )
    return st.builds(
        lambda ks: ApprovalChain(steps=tuple(ApprovalStep(key=k, label=k.upper()) for k in ks)),
        keys,
    )


@st.composite
def rebate_requests(draw: st.DrawFn) -> RebateRequest:
    """Requests at any point of their life: pending, approved, rejected or promised."""
    chain = draw(st.one_of(st.just(DEFAULT_CHAIN), approval_chains()))
    start = datetime(2026, 1, 1, 9, 0, tzinfo=_CST) + timedelta(minutes=draw(st.integers(0, 10**6)))
    request, _ = submit(
        id=draw(st.sampled_from(["R-1", "R-2", "返点-3"])),
        account="Acme",
        amount=Money(draw(rebate_amounts(max_value=10**6))),
        by="li",
        at=start,
        chain=chain,
    )
    n = draw(st.integers(0, len(chain.steps)))
    at = start
    for step in chain.steps[:n]:
        at += timedelta(hours=draw(st.integers(0, 48)))
        request, _ = approve(request, step.key, by=f"boss of {step.key}", at=at)
    if n < len(chain.steps) and draw(st.booleans()):
        step = chain.steps[n]
        request, _ = reject(request, step.key, by=f"boss of {step.key}", at=at, reason="too much")
    elif n == len(chain.steps) and draw(st.booleans()):
        request, _ = promise(request, by="li", at=at)
    return request


def accruals() -> st.SearchStrategy[tuple[AccrualKind, Decimal]]:
    """(kind, amount) pairs, mostly positive, sometimes a credit or a reversal."""
    return st.tuples(
        st.sampled_from(AccrualKind),
        st.integers(-50_000_00, 500_000_00).map(lambda c: Decimal(c).scaleb(-2)),
    )


@st.composite
def rebate_ledgers(draw: st.DrawFn) -> RebateLedger:
    """Ledgers with some accruals and settlements, sometimes closed."""
    schedule = draw(tier_schedules(max_breakpoint=10**6))
    ledger = RebateLedger(account="Acme", period=Period.year(2026), schedule=schedule)
    day = date(2026, 1, 1)
    for kind, amount in draw(st.lists(accruals(), max_size=8)):
        day = min(day + timedelta(days=draw(st.integers(0, 30))), date(2026, 12, 31))
        with contextlib.suppress(ValidationError):
            ledger, _ = accrue(ledger, kind, Money(amount), on=day)
        if draw(st.booleans()):
            ledger, _ = settle(ledger, on=day, by="fin")
    if draw(st.booleans()):
        ledger, _ = settle(ledger, on=day, by="fin")
        ledger, _ = close_ledger(ledger, on=day, by="fin")
    return ledger


def commission_tables() -> st.SearchStrategy[CommissionTable]:
    """Commission tables over 1–4 distinct grade labels, with or without a default."""
    grades = st.lists(
        st.sampled_from(["A", "B", "C", "D", "key", "ordinary", "金"]),
        min_size=1,
        max_size=4,
        unique=True,
    )
    rate = st.decimals(min_value=0, max_value=1, places=4).map(Rate)
    return st.builds(
        lambda gs, rs, default, rounding: CommissionTable(
            rates=tuple(GradeRate(grade=g, rate=r) for g, r in zip(gs, rs, strict=False)),
            default=default,
            rounding=rounding,
        ),
        grades,
        st.lists(rate, min_size=4, max_size=4),
        st.none() | rate,
        st.sampled_from(Rounding),
    )


def attainment_rules() -> st.SearchStrategy[AttainmentRule]:
    """Attainment rules with any step, points, partial-step mode and caps."""
    pos = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)
    cap = st.none() | st.decimals(min_value=0, max_value=50, places=2)
    return st.builds(
        AttainmentRule,
        standard_score=pos,
        step=st.decimals(min_value=Decimal("0.01"), max_value=1, places=2),
        points_per_step=pos,
        partial=st.sampled_from(PartialSteps),
        max_bonus=cap,
        max_deduction=cap,
    )


def attendance_rules() -> st.SearchStrategy[AttendanceRule]:
    """Attendance rules with contiguous lateness bands, the last sometimes open-ended."""

    def build(widths: list[int], points: list[int], open_end: bool, full: int) -> AttendanceRule:
        bands = []
        start = 1
        for i, (w, p) in enumerate(zip(widths, points, strict=False)):
            last = i == len(widths) - 1
            end = None if last and open_end else start + w - 1
            bands.append(LatenessBand(min_times=start, max_times=end, points=Decimal(p)))
            start += w
        return AttendanceRule(full_marks=Decimal(full), lateness=tuple(bands))

    return st.builds(
        build,
        st.lists(st.integers(1, 5), max_size=4),
        st.lists(st.integers(0, 5), min_size=4, max_size=4),
        st.booleans(),
        st.integers(1, 100),
    )


def targets() -> st.SearchStrategy[Target]:
    """Targets, sometimes revised, the revision approved or not."""
    amount = st.integers(1, 10**10).map(lambda c: Money(Decimal(c).scaleb(-2)))
    return st.builds(
        Target, normal=amount, revised=st.none() | amount, revision_approved=st.booleans()
    )


def descriptor_scales() -> st.SearchStrategy[DescriptorScale]:
    """Descriptor scales of 2–5 distinct levels, top down, points never rising."""
    levels = st.lists(
        st.sampled_from(["strong", "fair", "weak", "优", "良", "差", "top"]),
        min_size=2,
        max_size=5,
        unique=True,
    )
    return st.builds(
        lambda ls, pts, name: DescriptorScale(
            name=name,
            descriptors=tuple(
                Descriptor(level=lv, points=Decimal(p))
                for lv, p in zip(ls, sorted(pts, reverse=True), strict=False)
            ),
        ),
        levels,
        st.lists(st.integers(0, 10), min_size=5, max_size=5),
        st.sampled_from(["analysis and judgement", "communication", "沟通能力"]),
    )


@st.composite
def scorecards(draw: st.DrawFn) -> Scorecard:
    """Scorecards over attainment, attendance and one competency, with random weights."""
    target = draw(targets())
    actual = Money(Decimal(draw(st.integers(0, 10**10))).scaleb(-2))
    scale = draw(descriptor_scales())
    components = [
        assess_attainment(draw(attainment_rules()), actual=actual, target=target),
        assess_attendance(AttendanceRule(), days_short=draw(st.integers(0, 30)), times_late=0),
        rate_competency(scale, draw(st.sampled_from([d.level for d in scale.descriptors]))),
    ]
    a = draw(st.integers(1, 98))
    b = draw(st.integers(1, 99 - a))
    weights = (a, b, 100 - a - b)
    policy = ScorecardPolicy(
        weights=tuple(
            ScoreWeight(component=c.component, weight=Decimal(w).scaleb(-2))
            for c, w in zip(components, weights, strict=True)
        )
    )
    return score_salesperson(
        policy, salesperson="li", period=draw(periods()), components=components
    )
