"""The sales process as a validated, immutable stage machine (销售流程).

* :class:`Playbook` — a company's process as a policy: :class:`Stage` s with labels,
  default win probability, forecast category, company involvement (公司介入度) and a
  staleness limit; :class:`Move` s between them; :class:`Gate` s on evidence; terminal
  :class:`Outcome` s (won, or closed out — 结项 — for a reason) and :class:`Reopen`
  rules. It is checked when built, so an inconsistent process never exists.
* :class:`Opportunity` — frozen: account, amount, stage, typed :class:`Evidence`, owner,
  dates and an append-only history of :class:`PipelineEvent` s. Pure operations
  (:func:`advance`, :func:`close`, :func:`reopen`, :func:`log_activity`,
  :func:`record_evidence`, :func:`record_buyer_step`) return ``(new opportunity, event)``;
  :func:`replay` rebuilds an opportunity from its history.
* Analytics over many opportunities: :func:`weighted_pipeline`, :func:`forecast`,
  :func:`stale`, :func:`conversion`, :func:`calibration`, :func:`velocity`, and buyer
  process :func:`alignment`.

Examples:
    >>> from decimal import Decimal
    >>> from kamcore.money import Money, Rate
    >>> pb = Playbook(
    ...     name="demo",
    ...     stages=(
    ...         Stage("proposal", order=1, initial=True, probability=Rate("0.3")),
    ...         Stage("bidding", order=2, probability=Rate("0.5"), gates=("margin floor",)),
    ...     ),
    ...     outcomes=(Outcome("won", won=True, from_stages=("bidding",)), Outcome("lost")),
    ...     moves=(Move("proposal", "bidding"),),
    ...     gates=(Gate("margin floor", GateKind.MINIMUM, fields=("margin",),
    ...                 minimum=Decimal("0.15")),),
    ...     fields=(EvidenceField("margin", FactKind.NUMBER),),
    ... )
    >>> opp, _ = open_opportunity(pb, id="opp-1", account="acme", amount=Money("500000"),
    ...                           owner="li", on="2026-03-02")
    >>> opp, _ = record_evidence(pb, opp, "margin", Decimal("0.12"), on="2026-03-05")
    >>> advance(pb, opp, "bidding", on="2026-03-09")
    Traceback (most recent call last):
    ...
    kamcore.errors.TransitionNotAllowed: Can't move opp-1 to 'bidding' from 'proposal': gate 'margin floor' failed: margin 0.12 is below the minimum 0.15
"""  # noqa: E501

from kamcore.pipeline._analytics import (
    Alignment,
    AlignmentStatus,
    Calibration,
    CalibrationRow,
    Forecast,
    ForecastRow,
    StageConversion,
    StaleOpportunity,
    Velocity,
    WeightedRow,
    alignment,
    calibration,
    conversion,
    days_in_stage,
    forecast,
    misalignments,
    stale,
    velocity,
    weighted_pipeline,
)
from kamcore.pipeline._opportunity import (
    EventKind,
    Opportunity,
    PipelineEvent,
    advance,
    close,
    import_opportunity,
    log_activity,
    open_opportunity,
    record_buyer_step,
    record_evidence,
    reopen,
    replay,
    revise_terms,
)
from kamcore.pipeline._policy import (
    BuyerStep,
    Evidence,
    EvidenceField,
    Fact,
    FactKind,
    ForecastCategory,
    Gate,
    GateKind,
    Involvement,
    Move,
    Outcome,
    Playbook,
    Reopen,
    Stage,
    register_check,
    registered_checks,
    to_mermaid,
)

__all__ = [
    "Alignment",
    "AlignmentStatus",
    "BuyerStep",
    "Calibration",
    "CalibrationRow",
    "EventKind",
    "Evidence",
    "EvidenceField",
    "Fact",
    "FactKind",
    "Forecast",
    "ForecastCategory",
    "ForecastRow",
    "Gate",
    "GateKind",
    "Involvement",
    "Move",
    "Opportunity",
    "Outcome",
    "PipelineEvent",
    "Playbook",
    "Reopen",
    "Stage",
    "StageConversion",
    "StaleOpportunity",
    "Velocity",
    "WeightedRow",
    "advance",
    "alignment",
    "calibration",
    "close",
    "conversion",
    "days_in_stage",
    "forecast",
    "import_opportunity",
    "log_activity",
    "misalignments",
    "open_opportunity",
    "record_buyer_step",
    "record_evidence",
    "register_check",
    "registered_checks",
    "reopen",
    "replay",
    "revise_terms",
    "stale",
    "to_mermaid",
    "velocity",
    "weighted_pipeline",
]

# New names (the consolidation renames; the old names become deprecated aliases).
find_stale = stale
calibrate = calibration
measure_velocity = velocity
assess_alignment = alignment
close_out = close
replay_opportunity = replay
