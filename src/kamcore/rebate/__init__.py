"""Rebates (返点), approvals, settlement and salesperson assessment (绩效考核).

* :class:`TierSchedule` — contiguous tiers from 0 upward, with explicit ownership of
  every breakpoint, a mode (whole-amount or graduated) and a rounding policy. The
  source's schedule ships as the ``rebate_source`` preset.
* :func:`quote` — an explained :class:`RebateQuote`: tier reached, rate, basis, base,
  rebate, graduated slices, distance to the next tier and the rebate there.
  :func:`quote_many`, :func:`rebate_cents` and :func:`rebate_cents_array` are the batch
  paths, in integer minor units, with identical cents; :func:`quotes_frame` and
  :meth:`RebateQuote.to_frame` give quotes as a pandas DataFrame.
* :func:`submit`, :func:`approve`, :func:`reject`, :func:`promise` — a
  :class:`RebateRequest` goes through an :class:`ApprovalChain` (大客户部经理 → 营销中心 →
  总经理 by default) before it may be promised to the customer.
* :class:`RebateLedger`, :func:`accrue`, :func:`settle`, :func:`close_ledger` — settlement with
  true-up: each settlement pays entitlement-to-date minus already paid; a negative
  difference is a claw-back line. ``settle(..., approval=request)`` ties a payment to
  its fully approved :class:`RebateRequest`; without it the ledger does not check
  approval (promising is what needs it).
* :class:`CommissionTable`, :func:`compute_commission` — salesperson commission by customer grade
  (grades are plain labels).
* :func:`assess_attainment`, :func:`assess_attendance`, :func:`rate_competency`,
  :func:`score_salesperson` — the salesperson assessment (绩效考核), every point explained.

Examples:
    >>> from kamcore.presets import load_preset
    >>> source = load_preset("rebate_source", TierSchedule)
    >>> q = quote(source, basis="200000", base="180000")
    >>> q.tier, q.rate, q.rebate
    (1, Rate('0.08'), Money('14400.00', 'CNY'))
"""

from kamcore._deprecated import renamed
from kamcore.rebate._approval import (
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
from kamcore.rebate._assessment import (
    AttainmentRule,
    AttendanceRule,
    ComponentScore,
    Descriptor,
    DescriptorScale,
    LatenessBand,
    PartialSteps,
    Scorecard,
    ScorecardPolicy,
    ScoreLine,
    ScoreWeight,
    Target,
    assess_attainment,
    assess_attendance,
    attainment_points,
    combine_scores,
    rate_competency,
    score_salesperson,
)
from kamcore.rebate._batch import quote_many, rebate_cents, rebate_cents_array
from kamcore.rebate._commission import (
    CommissionQuote,
    CommissionTable,
    GradeRate,
    compute_commission,
)
from kamcore.rebate._plan import PlanRule, plan_for
from kamcore.rebate._service import (
    ReportRule,
    ServiceQuality,
    ServiceReview,
    ServiceTargets,
    TargetCheck,
    report_deadline,
    report_is_late,
    review_service,
)
from kamcore.rebate._settlement import (
    Accrual,
    AccrualKind,
    LedgerEvent,
    LedgerEventKind,
    RebateLedger,
    Settlement,
    SettlementKind,
    accrue,
    close_ledger,
    settle,
)
from kamcore.rebate._tiers import (
    QUOTE_COLUMNS,
    BreakpointOwner,
    RebateQuote,
    RebateSlice,
    Tier,
    TierMode,
    TierSchedule,
    quote,
    quotes_frame,
)

__all__ = [
    "DEFAULT_CHAIN",
    "QUOTE_COLUMNS",
    "Accrual",
    "AccrualKind",
    "ApprovalChain",
    "ApprovalStep",
    "AttainmentRule",
    "AttendanceRule",
    "BreakpointOwner",
    "CommissionQuote",
    "CommissionTable",
    "ComponentScore",
    "Descriptor",
    "DescriptorScale",
    "GradeRate",
    "LatenessBand",
    "LedgerEvent",
    "LedgerEventKind",
    "PartialSteps",
    "PlanRule",
    "RebateLedger",
    "RebateQuote",
    "RebateRequest",
    "RebateSlice",
    "ReportRule",
    "RequestEvent",
    "RequestEventKind",
    "RequestStatus",
    "ScoreLine",
    "ScoreWeight",
    "Scorecard",
    "ScorecardPolicy",
    "ServiceQuality",
    "ServiceReview",
    "ServiceTargets",
    "Settlement",
    "SettlementKind",
    "Target",
    "TargetCheck",
    "Tier",
    "TierMode",
    "TierSchedule",
    "accrue",
    "approve",
    "assess_attainment",
    "assess_attendance",
    "attainment_points",
    "close_ledger",
    "combine_scores",
    "compute_commission",
    "plan_for",
    "promise",
    "quote",
    "quote_many",
    "quotes_frame",
    "rate_competency",
    "rebate_cents",
    "rebate_cents_array",
    "reject",
    "report_deadline",
    "report_is_late",
    "review_service",
    "score_salesperson",
    "settle",
    "submit",
]

# Old names, kept for a while: each warns and names the new one.
__getattr__ = renamed(
    __name__, {"commission": "compute_commission", "close": "close_ledger"}, "0.2"
)
