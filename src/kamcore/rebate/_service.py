"""Service-quality targets (服务质量目标) and the monthly report deadline (rules §3.2).

The source sets three yearly service targets for key-account work — product pass rate
100%, customer satisfaction at least 95% and rising 0.5 point a year, at most one
complaint a year — and asks for a monthly market analysis report before the 5th of
each month. Both are policies here: :class:`ServiceTargets` and :class:`ReportRule`,
with the source's figures as the ``rebate_service_source`` and ``rebate_report_source``
presets.

Two readings the source leaves open, each an option with a documented default:

* *from which year satisfaction rises*: ``ServiceTargets.base_year``, the year the 95%
  applies to (the preset says 2026; a company sets its own);
* *"before the 5th"*: the report is due by the end of the 4th (``on_due_day=False``, the
  default, reading "before" strictly) or on the 5th itself (``on_due_day=True``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

import attrs

from kamcore._validate import count, day, whole
from kamcore.calendar import Period, PeriodKind
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import as_decimal

__all__ = [
    "ReportRule",
    "ServiceQuality",
    "ServiceReview",
    "ServiceTargets",
    "TargetCheck",
    "report_deadline",
    "report_is_late",
    "review_service",
]

_ONE: Final = Decimal(1)
_ZERO: Final = Decimal(0)


_FRACTION: Final = "a fraction from 0 to 1, such as '0.95'"


def _pass_rate(value: object) -> Decimal:
    return as_decimal(value, field="pass_rate", expected=_FRACTION)


def _satisfaction(value: object) -> Decimal:
    return as_decimal(value, field="satisfaction", expected=_FRACTION)


def _rise(value: object) -> Decimal:
    return as_decimal(value, field="satisfaction_rise", expected=_FRACTION)


@attrs.frozen(kw_only=True)
class ServiceTargets:
    """The yearly service-quality targets of key-account work (服务质量目标).

    Args:
        pass_rate: The product pass rate to reach (产品合格率; 100% by default).
        satisfaction: Customer satisfaction to reach in ``base_year`` (客户满意度; 95%).
        satisfaction_rise: How much the satisfaction target rises each year after
            ``base_year`` (0.5 point, i.e. 0.005).
        base_year: The year the ``satisfaction`` figure applies to.
        max_complaints: The most complaints allowed in a year (客户投诉; 1).

    Raises:
        ValidationError: A rate that is not a number (naming it).
        PolicyError: A rate or the yearly rise outside 0–100%, a negative complaint
            count, or a base year that is not a whole number.
    """

    pass_rate: Decimal = attrs.field(default=_ONE, converter=_pass_rate)
    satisfaction: Decimal = attrs.field(default=Decimal("0.95"), converter=_satisfaction)
    satisfaction_rise: Decimal = attrs.field(default=Decimal("0.005"), converter=_rise)
    base_year: int = 2026
    max_complaints: int = 1

    def __attrs_post_init__(self) -> None:
        def fail(part: str, message: str) -> PolicyError:
            return PolicyError(message, policy="ServiceTargets", part=part)

        for part in ("pass_rate", "satisfaction", "satisfaction_rise"):
            if not _ZERO <= getattr(self, part) <= _ONE:
                raise fail(part, f"{getattr(self, part)} is not between 0 and 1 (0%–100%)")
        for part in ("base_year", "max_complaints"):
            value = getattr(self, part)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise fail(part, f"{value!r} is not a whole number ≥ 0")

    def satisfaction_target(self, year: int) -> Decimal:
        """The satisfaction to reach in ``year``: rising each year, capped at 100%.

        Before ``base_year`` the base figure applies.

        Examples:
            >>> ServiceTargets().satisfaction_target(2028)
            Decimal('0.960')
        """
        years = max(0, whole(year, "year") - self.base_year)
        return min(_ONE, self.satisfaction + self.satisfaction_rise * years)


@attrs.frozen(kw_only=True)
class ServiceQuality:
    """What a year's key-account service achieved.

    Args:
        year: The year.
        pass_rate: The product pass rate (a fraction).
        satisfaction: Customer satisfaction (a fraction, e.g. from a survey).
        complaints: Customer complaints received.
    """

    year: int
    pass_rate: Decimal = attrs.field(converter=_pass_rate)
    satisfaction: Decimal = attrs.field(converter=_satisfaction)
    complaints: int

    def __attrs_post_init__(self) -> None:
        whole(self.year, "year")
        count(self.complaints, "complaints")
        for name in ("pass_rate", "satisfaction"):
            value = getattr(self, name)
            if not _ZERO <= value <= _ONE:
                raise ValidationError(field=name, value=value, expected="a fraction from 0 to 1")


@attrs.frozen
class TargetCheck:
    """One target against what was achieved.

    Args:
        name: ``"pass_rate"``, ``"satisfaction"`` or ``"complaints"``.
        label: A display label (zh and en).
        target: The target for the year.
        actual: What was achieved.
        met: Whether the target was met.
    """

    name: str
    label: str
    target: Decimal
    actual: Decimal
    met: bool


@attrs.frozen
class ServiceReview:
    """A year's service quality against its targets, target by target."""

    year: int
    checks: tuple[TargetCheck, ...]

    @property
    def met(self) -> bool:
        """Whether every target was met."""
        return all(c.met for c in self.checks)

    @property
    def missed(self) -> tuple[str, ...]:
        """The targets missed, by name."""
        return tuple(c.name for c in self.checks if not c.met)


def review_service(targets: ServiceTargets, actual: ServiceQuality) -> ServiceReview:
    """Check a year's service quality against the targets.

    Rates meet their target when at least as high; complaints when at most the limit.

    Examples:
        >>> year = ServiceQuality(year=2027, pass_rate="1", satisfaction="0.96", complaints=2)
        >>> review = review_service(ServiceTargets(), year)
        >>> review.met, review.missed
        (False, ('complaints',))
        >>> review.checks[1].target  # 95% rising 0.5 point a year from 2026
        Decimal('0.955')
    """
    _kind(targets, ServiceTargets, "targets")
    _kind(actual, ServiceQuality, "actual")
    wanted = targets.satisfaction_target(actual.year)
    complaints = Decimal(actual.complaints)
    limit = Decimal(targets.max_complaints)
    checks = (
        TargetCheck(
            "pass_rate",
            "产品合格率 product pass rate",
            targets.pass_rate,
            actual.pass_rate,
            actual.pass_rate >= targets.pass_rate,
        ),
        TargetCheck(
            "satisfaction",
            "客户满意度 customer satisfaction",
            wanted,
            actual.satisfaction,
            actual.satisfaction >= wanted,
        ),
        TargetCheck("complaints", "客户投诉 complaints", limit, complaints, complaints <= limit),
    )
    return ServiceReview(actual.year, checks)


@attrs.frozen(kw_only=True)
class ReportRule:
    """When the monthly market analysis report (市场分析月报) is due.

    Args:
        due_day: The day of the month the source names ("before the 5th": 5).
        on_due_day: Whether a report handed in on ``due_day`` itself is on time
            (``False``: "before" read strictly, so the 4th is the last day).

    Raises:
        PolicyError: A due day outside 1–28 (every month has it), or the first of the
            month read strictly (no day would be on time).
    """

    due_day: int = 5
    on_due_day: bool = False

    def __attrs_post_init__(self) -> None:
        if type(self.on_due_day) is not bool:
            raise PolicyError(
                f"{self.on_due_day!r} is not true or false", policy="ReportRule", part="on_due_day"
            )
        day = self.due_day
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 28:
            raise PolicyError(
                f"{day!r} is not a day from 1 to 28", policy="ReportRule", part="due_day"
            )
        if day == 1 and not self.on_due_day:
            raise PolicyError(
                "'before the 1st' leaves no day of the month",
                policy="ReportRule",
                part="due_day",
            )


def report_deadline(rule: ReportRule, month: Period | str) -> date:
    """The last day on time for the report due in ``month``.

    Args:
        rule: The report rule.
        month: The month the report is due in, as a period or a label (``"2026-03"``).

    Raises:
        ValidationError: ``month`` is not a month.

    Examples:
        >>> report_deadline(ReportRule(), "2026-03")
        datetime.date(2026, 3, 4)
    """
    _kind(rule, ReportRule, "rule")
    period = Period.parse(month) if isinstance(month, str) else month
    if not isinstance(period, Period) or period.kind is not PeriodKind.MONTH:
        raise ValidationError(
            field="month", value=month, expected="a month, such as '2026-03'", problem="not a month"
        )
    last = rule.due_day if rule.on_due_day else rule.due_day - 1
    return period.start.replace(day=last)


def report_is_late(rule: ReportRule, month: Period | str, *, submitted_on: date | str) -> bool:
    """Whether a report handed in on ``submitted_on`` missed its deadline in ``month``.

    Examples:
        >>> report_is_late(ReportRule(), "2026-03", submitted_on="2026-03-05")
        True
    """
    return day(submitted_on, "submitted_on") > report_deadline(rule, month)


def _kind(value: object, cls: type, field: str) -> None:
    if not isinstance(value, cls):
        raise ValidationError(
            field=field, value=value, expected=f"a {cls.__name__}", problem="wrong type"
        )
