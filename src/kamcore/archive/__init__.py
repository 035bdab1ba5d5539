"""The account archive (大客户档案管理): dossiers, contacts, revisions, reviews, lending, visits.

Every public name lives here; the private modules split it by concept:

* ``_dossier`` — the :class:`Dossier` and its typed sections.
* ``_contacts`` — contacts (个人档案), buying roles, the alliance ladder.
* ``_revisions`` — revisions, the hash chain, :func:`replay_dossier` and :func:`as_of`.
* ``_lending`` — confidentiality, lending (档案借阅), the redacted view.
* ``_reviews`` — the two-monthly review, movers, archiving periods.
* ``_visits`` — call and presentation plans, visits, the monthly visit plan.
* ``_filing`` — which classification and confidentiality a grade files under.

Each state change returns the new state and the event that made it:
:func:`create` and :func:`revise` give ``(Dossier, Revision)``, :func:`observe` gives
``(Contact, AllianceObservation)``, :func:`lend` and :func:`return_loan` give
``(Loan, LoanEvent)``. A day-dated change takes ``on`` (a date or ISO text); a
moment-timed one takes ``at`` (a timezone-aware datetime or ISO text).

:func:`to_plain` and :func:`from_plain` turn any archive value into the plain data its
canonical JSON is written from, and back. The archive knows nothing of storage; see
:mod:`kamcore.store` for repositories.
"""

from kamcore._deprecated import renamed
from kamcore._plain import from_plain, to_plain
from kamcore.archive._contacts import (
    SENSITIVE_CONTACT_FIELDS,
    AllianceBehaviour,
    AllianceLevel,
    AllianceObservation,
    BuyingRole,
    Contact,
    Coverage,
    CoverageGap,
    GapKind,
    Stance,
    mask_phone,
    measure_coverage,
    observe,
    redact_contact,
)
from kamcore.archive._dossier import (
    GENESIS,
    BasicData,
    Business,
    Classification,
    Competitor,
    Confidentiality,
    CreditReport,
    Dossier,
    ExtraField,
    KeyPerson,
    Organisation,
    RecordKind,
    RecordReference,
)
from kamcore.archive._filing import GradeFiling
from kamcore.archive._lending import (
    Loan,
    LoanEvent,
    LoanEventKind,
    LoanRegister,
    check_read,
    lend,
    overdue,
    return_loan,
)
from kamcore.archive._lending_policy import (
    SOURCE_LENDING_POLICY,
    Approval,
    Borrower,
    Delegation,
    LendingPolicy,
    LevelRule,
    Place,
    Role,
)
from kamcore.archive._redaction import redact, redact_revision
from kamcore.archive._reviews import (
    SOURCE_REVIEW_POLICY,
    ArchivingDue,
    ArchivingKind,
    Movement,
    MovementKind,
    OverdueReview,
    Review,
    ReviewPolicy,
    archiving_due,
    movements,
    overdue_reviews,
    review,
)
from kamcore.archive._revisions import (
    DEFAULT_ARCHIVE_POLICY,
    FIELD_PATHS,
    ArchivePolicy,
    ChainCheck,
    Change,
    Revision,
    apply,
    as_of,
    at_revision,
    create,
    replay_dossier,
    revise,
    revision_hash,
    verify,
)
from kamcore.archive._visits import (
    SOURCE_VISIT_POLICY,
    Action,
    CallPlan,
    CallSummary,
    GradeCadence,
    MonthlyPlan,
    Participant,
    PeriodTargets,
    PlannedVisit,
    PresentationPlan,
    Question,
    Visit,
    VisitLevel,
    VisitPlan,
    VisitPolicy,
    monthly_plan,
    plan_call,
    plan_presentation,
    plan_visits,
    record_visit,
    summarise_call,
)

__all__ = [
    "DEFAULT_ARCHIVE_POLICY",
    "FIELD_PATHS",
    "GENESIS",
    "SENSITIVE_CONTACT_FIELDS",
    "SOURCE_LENDING_POLICY",
    "SOURCE_REVIEW_POLICY",
    "SOURCE_VISIT_POLICY",
    "Action",
    "AllianceBehaviour",
    "AllianceLevel",
    "AllianceObservation",
    "Approval",
    "ArchivePolicy",
    "ArchivingDue",
    "ArchivingKind",
    "BasicData",
    "Borrower",
    "Business",
    "BuyingRole",
    "CallPlan",
    "CallSummary",
    "ChainCheck",
    "Change",
    "Classification",
    "Competitor",
    "Confidentiality",
    "Contact",
    "Coverage",
    "CoverageGap",
    "CreditReport",
    "Delegation",
    "Dossier",
    "ExtraField",
    "GapKind",
    "GradeCadence",
    "GradeFiling",
    "KeyPerson",
    "LendingPolicy",
    "LevelRule",
    "Loan",
    "LoanEvent",
    "LoanEventKind",
    "LoanRegister",
    "MonthlyPlan",
    "Movement",
    "MovementKind",
    "Organisation",
    "OverdueReview",
    "Participant",
    "PeriodTargets",
    "Place",
    "PlannedVisit",
    "PresentationPlan",
    "Question",
    "RecordKind",
    "RecordReference",
    "Review",
    "ReviewPolicy",
    "Revision",
    "Role",
    "Stance",
    "Visit",
    "VisitLevel",
    "VisitPlan",
    "VisitPolicy",
    "apply",
    "archiving_due",
    "as_of",
    "at_revision",
    "check_read",
    "create",
    "from_plain",
    "lend",
    "mask_phone",
    "measure_coverage",
    "monthly_plan",
    "movements",
    "observe",
    "overdue",
    "overdue_reviews",
    "plan_call",
    "plan_presentation",
    "plan_visits",
    "record_visit",
    "redact",
    "redact_contact",
    "redact_revision",
    "replay_dossier",
    "return_loan",
    "review",
    "revise",
    "revision_hash",
    "summarise_call",
    "to_plain",
    "verify",
]

__getattr__ = renamed(__name__, {"coverage": "measure_coverage", "replay": "replay_dossier"}, "0.2")
