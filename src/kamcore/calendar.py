"""Periods and schedules: months, quarters, years, ten-day periods (旬) and review cycles.

A :class:`Period` is a closed-open date range ``[start, end)``, so consecutive periods
tile time with no gap and no overlap. The kinds that KAM work uses are built in:
month, quarter, year and the three ten-day periods of a month, 上旬 (days 1–10), 中旬
(11–20) and 下旬 (21 to the end of the month).

Schedules answer "when is the next one due?":

* :class:`ReviewCycle` — every N months from an anchor date (the full dossier review
  every two months). Month ends are clamped, never drift: from 31 January every two
  months gives 31 March, 31 May, 31 July, ...
* :class:`YearlySchedule` — fixed months of every year: quarterly archiving in
  January, April, July and October (:data:`QUARTERLY_ARCHIVING`), annual archiving in
  February (:data:`ANNUAL_ARCHIVING`).

Month arithmetic uses dateutil's ``relativedelta`` and ``rrule``.

Examples:
    >>> from datetime import date
    >>> march = Period.month(2026, 3)
    >>> [str(p) for p in march.split(PeriodKind.TEN_DAY)]
    ['2026-03-early', '2026-03-middle', '2026-03-late']
    >>> march.split(PeriodKind.TEN_DAY)[2].zh_label
    '2026年3月下旬'
    >>> ReviewCycle(anchor=date(2026, 1, 31)).due_dates(date(2026, 1, 1), date(2026, 8, 1))
    (datetime.date(2026, 1, 31), datetime.date(2026, 3, 31), datetime.date(2026, 5, 31), datetime.date(2026, 7, 31))
    >>> QUARTERLY_ARCHIVING.next_due(date(2026, 5, 2))
    datetime.date(2026, 7, 1)
"""  # noqa: E501

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Final

import attrs
from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, YEARLY, rrule

from kamcore.errors import ValidationError

__all__ = [
    "ANNUAL_ARCHIVING",
    "QUARTERLY_ARCHIVING",
    "Period",
    "PeriodKind",
    "ReviewCycle",
    "TenDay",
    "YearlySchedule",
    "as_date",
]


def as_date(value: object, *, field: str = "date") -> date:
    """Convert a ``date`` or an ISO ``'YYYY-MM-DD'`` string to a date, or raise clearly.

    A ``datetime`` is refused: kamcore's periods are calendar days, and silently dropping
    the time (or the time zone) would hide a mistake.

    Raises:
        ValidationError: Not a date or an ISO date string.
    """
    expected = "a datetime.date or an ISO date string 'YYYY-MM-DD'"
    if isinstance(value, date) and type(value) is date:
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                field=field, value=value, expected=expected, problem="not a valid date"
            ) from None
    raise ValidationError(
        field=field, value=value, expected=expected, problem=f"a {type(value).__name__}"
    )


class PeriodKind(enum.Enum):
    """The kind of a :class:`Period`."""

    TEN_DAY = "ten_day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


class TenDay(enum.Enum):
    """The three ten-day periods of a month (旬)."""

    EARLY = "early"
    """上旬: days 1–10."""
    MIDDLE = "middle"
    """中旬: days 11–20."""
    LATE = "late"
    """下旬: day 21 to the end of the month."""

    @property
    def zh(self) -> str:
        """The Chinese name: 上旬, 中旬 or 下旬."""
        return _TEN_DAY_ZH[self]

    @property
    def first_day(self) -> int:
        """The first day of the month in this ten-day period (1, 11 or 21)."""
        return _TEN_DAY_FIRST[self]

    @classmethod
    def of(cls, day: date) -> TenDay:
        """The ten-day period that ``day`` falls in."""
        if day.day <= 10:
            return cls.EARLY
        if day.day <= 20:
            return cls.MIDDLE
        return cls.LATE


_TEN_DAY_ZH: Final = {TenDay.EARLY: "上旬", TenDay.MIDDLE: "中旬", TenDay.LATE: "下旬"}
_TEN_DAY_FIRST: Final = {TenDay.EARLY: 1, TenDay.MIDDLE: 11, TenDay.LATE: 21}
_TEN_DAYS: Final = (TenDay.EARLY, TenDay.MIDDLE, TenDay.LATE)

_LABEL_RE: Final = re.compile(
    r"^(?P<year>\d{4})"
    r"(?:-Q(?P<quarter>[1-4])|-(?P<month>\d{2})(?:-(?P<part>early|middle|late))?)?$"
)
_CUSTOM_RE: Final = re.compile(r"^(?P<start>\d{4}-\d{2}-\d{2})\.\.(?P<end>\d{4}-\d{2}-\d{2})$")
_MIN_YEAR: Final = 1
_MAX_YEAR: Final = 9998


#: How a period of each kind is named: (machine label, Chinese label).
_PERIOD_NAMES: Final[dict[PeriodKind, tuple[str, str]]] = {
    PeriodKind.MONTH: ("{y:04d}-{m:02d}", "{y}年{m}月"),
    PeriodKind.QUARTER: ("{y:04d}-Q{q}", "{y}年第{q}季度"),
    PeriodKind.YEAR: ("{y:04d}", "{y}年"),
    PeriodKind.TEN_DAY: ("{y:04d}-{m:02d}-{t}", "{y}年{m}月{t}"),
    PeriodKind.CUSTOM: ("{start}..{end}", "{start}至{last}"),
}


def _check_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValidationError(
            field="year", value=year, expected=f"a year from {_MIN_YEAR} to {_MAX_YEAR}"
        )
    return year


def _check_in(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field=name, value=value, expected=f"a whole number {low}–{high}")
    return value


def _end_after_start(instance: Period, attribute: attrs.Attribute[date], value: date) -> None:
    if value <= instance.start:
        raise ValidationError(
            field="end",
            value=value,
            expected=f"a date after start {instance.start.isoformat()} (end is exclusive)",
            problem="empty or reversed period",
        )


def _start_date(value: object) -> date:
    return as_date(value, field="start")


def _end_date(value: object) -> date:
    return as_date(value, field="end")


def _anchor_date(value: object) -> date:
    return as_date(value, field="anchor")


def _sorted_months(value: object) -> object:
    return tuple(sorted(value)) if isinstance(value, list | tuple) else value


@attrs.frozen(order=True, repr=False)
class Period:
    """A closed-open range of calendar days ``[start, end)`` of a known kind.

    Build one with :meth:`month`, :meth:`quarter`, :meth:`year`, :meth:`ten_day`,
    :meth:`containing`, :meth:`parse` or, for any range, ``Period(start, end)``.
    Periods order by start, then end.

    Args:
        start: The first day in the period.
        end: The first day after the period.
        kind: What sort of period this is; ``CUSTOM`` for an arbitrary range.

    Examples:
        >>> from datetime import date
        >>> q = Period.quarter(2026, 1)
        >>> q.start, q.end, q.days
        (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1), 90)
        >>> date(2026, 3, 31) in q, date(2026, 4, 1) in q
        (True, False)
        >>> Period.parse("2026-Q1") == q
        True
    """

    start: date = attrs.field(converter=_start_date)
    end: date = attrs.field(converter=_end_date, validator=_end_after_start)
    kind: PeriodKind = attrs.field(default=PeriodKind.CUSTOM, order=False)

    # -- constructors ----------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year-month``."""
        start = date(_check_year(year), _check_in("month", month, 1, 12), 1)
        return cls(start, start + relativedelta(months=1), PeriodKind.MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """Quarter 1–4 of ``year`` (Q1 is January to March)."""
        q = _check_in("quarter", quarter, 1, 4)
        start = date(_check_year(year), 3 * q - 2, 1)
        return cls(start, start + relativedelta(months=3), PeriodKind.QUARTER)

    @classmethod
    def year(cls, year: int) -> Period:
        """The calendar year."""
        start = date(_check_year(year), 1, 1)
        return cls(start, start + relativedelta(years=1), PeriodKind.YEAR)

    @classmethod
    def ten_day(cls, year: int, month: int, part: TenDay | str) -> Period:
        """A ten-day period (旬) of a month: ``EARLY`` 上旬, ``MIDDLE`` 中旬, ``LATE`` 下旬."""
        part = _as_ten_day(part)
        first = date(_check_year(year), _check_in("month", month, 1, 12), 1)
        start = first.replace(day=part.first_day)
        late = part is TenDay.LATE
        end = first + relativedelta(months=1) if late else start + timedelta(days=10)
        return cls(start, end, PeriodKind.TEN_DAY)

    @classmethod
    def containing(cls, day: date | str, kind: PeriodKind) -> Period:
        """The period of ``kind`` (not ``CUSTOM``) that contains ``day``."""
        d = as_date(day, field="day")
        if kind is PeriodKind.MONTH:
            return cls.month(d.year, d.month)
        if kind is PeriodKind.QUARTER:
            return cls.quarter(d.year, (d.month - 1) // 3 + 1)
        if kind is PeriodKind.YEAR:
            return cls.year(d.year)
        if kind is PeriodKind.TEN_DAY:
            return cls.ten_day(d.year, d.month, TenDay.of(d))
        raise ValidationError(
            field="kind",
            value=kind,
            expected="PeriodKind.TEN_DAY, MONTH, QUARTER or YEAR",
            problem="a custom period has no natural boundaries",
        )

    @classmethod
    def parse(cls, label: str) -> Period:
        """Parse a label as written by ``str(period)``.

        Accepted: ``'2026'``, ``'2026-Q3'``, ``'2026-03'``, ``'2026-03-early'`` (also
        ``middle``/``late``) and ``'2026-03-05..2026-04-01'`` for a custom range.
        """
        text = label.strip() if isinstance(label, str) else label
        expected = "'2026', '2026-Q3', '2026-03', '2026-03-early' or '2026-03-05..2026-04-01'"
        if isinstance(text, str):
            m = _LABEL_RE.match(text)
            if m:
                year = int(m["year"])
                if m["quarter"]:
                    return cls.quarter(year, int(m["quarter"]))
                if m["month"] and m["part"]:
                    return cls.ten_day(year, int(m["month"]), m["part"])
                if m["month"]:
                    return cls.month(year, int(m["month"]))
                return cls.year(year)
            c = _CUSTOM_RE.match(text)
            if c:
                return cls(as_date(c["start"]), as_date(c["end"]))
        raise ValidationError(field="period", value=label, expected=expected)

    # -- queries ---------------------------------------------------------------------
    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day inside the period (``end`` is the first day after it)."""
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """The machine label, parseable by :meth:`parse` (``'2026-Q1'``)."""
        return self._named(0)

    @property
    def zh_label(self) -> str:
        """The Chinese label (``'2026年第1季度'``, ``'2026年3月上旬'``)."""
        return self._named(1)

    def _named(self, lang: int) -> str:
        s = self.start
        part = TenDay.of(s)
        return _PERIOD_NAMES[self.kind][lang].format(
            y=s.year,
            m=s.month,
            q=(s.month - 1) // 3 + 1,
            t=(part.value, part.zh)[lang],
            start=s.isoformat(),
            end=self.end.isoformat(),
            last=self.last_day.isoformat(),
        )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    def dates(self) -> Iterator[date]:
        """Every day in the period, in order."""
        for offset in range(self.days):
            yield self.start + timedelta(days=offset)

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        return self.start < other.end and other.start < self.end

    def next(self) -> Period:
        """The period of the same kind that starts where this one ends."""
        if self.kind is PeriodKind.CUSTOM:
            return Period(self.end, self.end + (self.end - self.start))
        return Period.containing(self.end, self.kind)

    def previous(self) -> Period:
        """The period of the same kind that ends where this one starts."""
        if self.kind is PeriodKind.CUSTOM:
            return Period(self.start - (self.end - self.start), self.start)
        return Period.containing(self.start - timedelta(days=1), self.kind)

    def split(self, kind: PeriodKind) -> tuple[Period, ...]:
        """Cut into consecutive periods of ``kind`` that tile this one exactly.

        A month splits into its three ten-day periods, a quarter into months, a year
        into quarters, months or ten-day periods.

        Raises:
            ValidationError: The period's edges do not fall on ``kind``'s boundaries.
        """
        first = Period.containing(self.start, kind)
        if first.start != self.start:
            raise ValidationError(
                field="kind",
                value=kind,
                expected=f"a kind whose periods start on {self.start.isoformat()}",
                problem=f"{self} does not start on a {kind.value} boundary",
            )
        parts = [first]
        while parts[-1].end < self.end:
            parts.append(parts[-1].next())
        if parts[-1].end != self.end:
            raise ValidationError(
                field="kind",
                value=kind,
                expected=f"a kind whose periods end on {self.end.isoformat()}",
                problem=f"{self} does not end on a {kind.value} boundary",
            )
        return tuple(parts)

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        if self.kind is PeriodKind.CUSTOM:
            return f"Period({self.start.isoformat()!r}, {self.end.isoformat()!r})"
        return f"Period.parse({self.label!r})"


def _as_ten_day(part: object) -> TenDay:
    if isinstance(part, TenDay):
        return part
    for t in _TEN_DAYS:
        if part in (t.value, t.zh):
            return t
    raise ValidationError(
        field="part",
        value=part,
        expected="TenDay.EARLY/MIDDLE/LATE, 'early'/'middle'/'late' or 上旬/中旬/下旬",
    )


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _positive_months(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    _check_in("months", value, 1, 120)


@attrs.frozen
class ReviewCycle:
    """A review due every ``months`` months from ``anchor`` (default: every two months).

    Due dates are ``anchor + k × months`` for every whole ``k`` (negative too), each
    computed from the anchor with ``relativedelta`` so that month ends clamp instead of
    drifting (31 Jan → 31 Mar → 31 May; 31 Dec + 2 months → 28/29 Feb).

    Examples:
        >>> from datetime import date
        >>> cycle = ReviewCycle(anchor=date(2026, 1, 15))
        >>> cycle.next_due(date(2026, 2, 1))
        datetime.date(2026, 3, 15)
        >>> cycle.previous_due(date(2026, 2, 1))
        datetime.date(2026, 1, 15)
        >>> cycle.is_overdue(last_review=date(2026, 1, 15), as_of=date(2026, 3, 16))
        True
    """

    anchor: date = attrs.field(converter=_anchor_date)
    months: int = attrs.field(default=2, validator=_positive_months)

    def _due(self, k: int) -> date:
        return self.anchor + relativedelta(months=k * self.months)

    def _index_near(self, day: date) -> int:
        return _months_between(self.anchor, day) // self.months

    def next_due(self, on_or_after: date) -> date:
        """The first due date on or after ``on_or_after``."""
        k = self._index_near(on_or_after) - 1
        while self._due(k) < on_or_after:
            k += 1
        return self._due(k)

    def previous_due(self, on_or_before: date) -> date:
        """The last due date on or before ``on_or_before``."""
        k = self._index_near(on_or_before) + 1
        while self._due(k) > on_or_before:
            k -= 1
        return self._due(k)

    def due_dates(self, start: date, end: date) -> tuple[date, ...]:
        """Every due date in ``[start, end)``."""
        out: list[date] = []
        k = self._index_near(start) - 1
        while self._due(k) < start:
            k += 1
        while (d := self._due(k)) < end:
            out.append(d)
            k += 1
        return tuple(out)

    def is_overdue(self, *, last_review: date | None, as_of: date) -> bool:
        """Whether a review is overdue at ``as_of`` given the last one done.

        A review is overdue when a due date has passed (is before ``as_of``) since the
        last review, or when there was never a review and the anchor has passed.
        """
        if last_review is None:
            return self.anchor < as_of
        return self.next_due(last_review + timedelta(days=1)) < as_of


def _valid_months(
    instance: object, attribute: attrs.Attribute[tuple[int, ...]], value: object
) -> None:
    ok = (
        isinstance(value, tuple)
        and value
        and all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in value)
        and len(set(value)) == len(value)
    )
    if not ok:
        raise ValidationError(
            field="months", value=value, expected="distinct month numbers 1–12, at least one"
        )


def _valid_day(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if value != -1:
        _check_in("day", value, 1, 28)


@attrs.frozen
class YearlySchedule:
    """Due on a fixed day of fixed months, every year (archiving periods, reports).

    Args:
        months: The months it is due in, 1–12.
        day: The day of the month, 1–28, or -1 for the last day of the month.

    Examples:
        >>> from datetime import date
        >>> ANNUAL_ARCHIVING.due_dates(date(2026, 1, 1), date(2028, 1, 1))
        (datetime.date(2026, 2, 1), datetime.date(2027, 2, 1))
        >>> YearlySchedule(months=(3,), day=-1).next_due(date(2026, 3, 5))
        datetime.date(2026, 3, 31)
    """

    months: tuple[int, ...] = attrs.field(converter=_sorted_months, validator=_valid_months)
    day: int = attrs.field(default=1, validator=_valid_day)

    def _rule(self, start: date) -> rrule:
        return rrule(
            freq=YEARLY if len(self.months) < 12 else MONTHLY,
            dtstart=start,
            bymonth=self.months,
            bymonthday=self.day,
        )

    def due_dates(self, start: date, end: date) -> tuple[date, ...]:
        """Every due date in ``[start, end)``."""
        out: list[date] = []
        for dt in self._rule(start):
            d = dt.date()
            if d >= end:
                break
            out.append(d)
        return tuple(out)

    def next_due(self, on_or_after: date) -> date:
        """The first due date on or after ``on_or_after``."""
        first: datetime = self._rule(on_or_after)[0]
        return first.date()


#: Quarterly archiving (季度归档): January, April, July and October.
QUARTERLY_ARCHIVING: Final = YearlySchedule(months=(1, 4, 7, 10))
#: Annual archiving (年度归档): February.
ANNUAL_ARCHIVING: Final = YearlySchedule(months=(2,))
