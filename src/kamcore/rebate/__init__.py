"""Rebates (返点), approvals, settlement and salesperson assessment (绩效考核).

* :class:`TierSchedule` — contiguous tiers from 0 upward, with explicit ownership of
  every breakpoint, a mode (whole-amount or graduated) and a rounding policy. The
  source's schedule ships as the ``rebate_source`` preset.
* :func:`quote` — an explained :class:`RebateQuote`: tier reached, rate, basis, base,
  rebate, graduated slices, distance to the next tier and the rebate there.
  :func:`quote_many`, :func:`rebate_cents` and :func:`rebate_cents_array` are the batch
  paths, in integer minor units, with identical cents.

Example:
    >>> from kamcore.presets import load_preset
    >>> source = load_preset("rebate_source", TierSchedule)
    >>> q = quote(source, basis="200000", base="180000")
    >>> q.tier, q.rate, q.rebate
    (1, Rate('0.08'), Money('14400.00', 'CNY'))
"""

from kamcore.rebate._tiers import (
    BreakpointOwner,
    RebateQuote,
    RebateSlice,
    Tier,
    TierMode,
    TierSchedule,
    quote,
    quote_many,
    rebate_cents,
    rebate_cents_array,
)

__all__ = [
    "BreakpointOwner",
    "RebateQuote",
    "RebateSlice",
    "Tier",
    "TierMode",
    "TierSchedule",
    "quote",
    "quote_many",
    "rebate_cents",
    "rebate_cents_array",
]
