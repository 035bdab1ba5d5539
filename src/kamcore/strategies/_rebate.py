"""Strategies for kamcore.rebate: tier schedules, quotes, approval chains, ledgers."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from kamcore.money import Rate, Rounding
from kamcore.rebate import BreakpointOwner, RebateQuote, Tier, TierMode, TierSchedule, quote


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
