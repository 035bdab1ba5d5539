"""The sales process as a validated, immutable stage machine (销售流程).

* :class:`Playbook` — a company's process as a policy: :class:`Stage` s with labels,
  default win probability, forecast category, company involvement (公司介入度) and a
  staleness limit; :class:`Move` s between them; :class:`Gate` s on evidence; terminal
  :class:`Outcome` s (won, or closed out — 结项 — for a reason) and :class:`Reopen`
  rules. It is checked when built, so an inconsistent process never exists. Its
  :class:`EvidenceField` s declare what they allow (choices, a minimum and maximum),
  and stages, outcomes and buyer steps may be named by their Chinese labels.
* :class:`Opportunity` — frozen: account, amount, stage, typed :class:`Evidence`, owner,
  dates and an append-only history of :class:`PipelineEvent` s. Pure operations
  (:func:`advance`, :func:`close_out`, :func:`reopen`, :func:`log_activity`,
  :func:`record_evidence`, :func:`record_buyer_step`, :func:`revise_terms`) return
  ``(new opportunity, event)``; :func:`replay_opportunity` rebuilds an opportunity from
  its history. Each builds an event and applies it through the one function that
  changes an opportunity, so the current state is always the replay of its history.
* Events: one class per :class:`EventKind` on the base :class:`PipelineEvent`
  (:class:`Opened`, :class:`Advanced`, :class:`Closed`, :class:`Reopened`,
  :class:`ActivityLogged`, :class:`EvidenceRecorded`, :class:`BuyerStepRecorded`,
  :class:`TermsRevised`): common fields, and what a kind carries as its own field.
* Analytics over many opportunities: :func:`weighted_pipeline`, :func:`forecast`,
  :func:`find_stale`, :func:`conversion`, :func:`calibrate`, :func:`measure_velocity`,
  and buyer process :func:`assess_alignment`.

The names ``stale``, ``calibration``, ``velocity``, ``alignment``, ``close`` and
``replay`` still work, with a :class:`DeprecationWarning`; they were renamed in 0.2.

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

from kamcore._deprecated import renamed
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
    assess_alignment,
    calibrate,
    conversion,
    days_in_stage,
    find_stale,
    forecast,
    measure_velocity,
    misalignments,
    weighted_pipeline,
)
from kamcore.pipeline._events import (
    ActivityLogged,
    Advanced,
    BuyerStepRecorded,
    Closed,
    EventKind,
    EvidenceRecorded,
    Opened,
    Opening,
    PipelineEvent,
    Reopened,
    TermsRevised,
)
from kamcore.pipeline._evidence import Evidence, EvidenceField, Fact, FactKind
from kamcore.pipeline._gates import Gate, GateCheck, GateKind, Step
from kamcore.pipeline._operations import (
    advance,
    close_out,
    import_opportunity,
    log_activity,
    open_opportunity,
    record_buyer_step,
    record_evidence,
    reopen,
    revise_terms,
)
from kamcore.pipeline._opportunity import Opportunity
from kamcore.pipeline._policy import (
    BuyerStep,
    ForecastCategory,
    Involvement,
    Move,
    Outcome,
    Playbook,
    Reopen,
    Stage,
    to_mermaid,
)
from kamcore.pipeline._replay import replay_opportunity

__all__ = [
    "ActivityLogged",
    "Advanced",
    "Alignment",
    "AlignmentStatus",
    "BuyerStep",
    "BuyerStepRecorded",
    "Calibration",
    "CalibrationRow",
    "Closed",
    "EventKind",
    "Evidence",
    "EvidenceField",
    "EvidenceRecorded",
    "Fact",
    "FactKind",
    "Forecast",
    "ForecastCategory",
    "ForecastRow",
    "Gate",
    "GateCheck",
    "GateKind",
    "Involvement",
    "Move",
    "Opened",
    "Opening",
    "Opportunity",
    "Outcome",
    "PipelineEvent",
    "Playbook",
    "Reopen",
    "Reopened",
    "Stage",
    "StageConversion",
    "StaleOpportunity",
    "Step",
    "TermsRevised",
    "Velocity",
    "WeightedRow",
    "advance",
    "assess_alignment",
    "calibrate",
    "close_out",
    "conversion",
    "days_in_stage",
    "find_stale",
    "forecast",
    "import_opportunity",
    "log_activity",
    "measure_velocity",
    "misalignments",
    "open_opportunity",
    "record_buyer_step",
    "record_evidence",
    "reopen",
    "replay_opportunity",
    "revise_terms",
    "to_mermaid",
    "weighted_pipeline",
]

__getattr__ = renamed(
    __name__,
    {
        "alignment": "assess_alignment",
        "calibration": "calibrate",
        "close": "close_out",
        "replay": "replay_opportunity",
        "stale": "find_stale",
        "velocity": "measure_velocity",
    },
    "0.2",
)
