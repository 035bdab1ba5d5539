"""kamcore — key account management (大客户管理) as typed, immutable, tested Python.

The public face of the library. The domain modules are imported as modules
(``kamcore.grading``, ``kamcore.pipeline``, ``kamcore.rebate``, ``kamcore.archive``);
the shared building blocks are re-exported here, with :func:`to_frame`, which turns any
tuple of result rows into a pandas DataFrame (the ``frames`` extra).

Examples:
    >>> import kamcore
    >>> kamcore.Money("180000") * kamcore.Rate.percent(8)
    Money('14400.00', 'CNY')
"""

from kamcore._frames import rows_to_frame as to_frame
from kamcore._version import __version__
from kamcore.calendar import (
    ANNUAL_ARCHIVING,
    QUARTERLY_ARCHIVING,
    Period,
    PeriodKind,
    ReviewCycle,
    TenDay,
    YearlySchedule,
)
from kamcore.errors import (
    AccessDenied,
    ApprovalRequired,
    ConflictError,
    IntegrityError,
    KamError,
    PolicyError,
    RecordInvalid,
    RecordNotFound,
    StoreError,
    TransitionNotAllowed,
    ValidationError,
)
from kamcore.money import Money, Rate, Rounding

__all__ = [
    "ANNUAL_ARCHIVING",
    "QUARTERLY_ARCHIVING",
    "AccessDenied",
    "ApprovalRequired",
    "ConflictError",
    "IntegrityError",
    "KamError",
    "Money",
    "Period",
    "PeriodKind",
    "PolicyError",
    "Rate",
    "RecordInvalid",
    "RecordNotFound",
    "ReviewCycle",
    "Rounding",
    "StoreError",
    "TenDay",
    "TransitionNotAllowed",
    "ValidationError",
    "YearlySchedule",
    "__version__",
    "to_frame",
]
