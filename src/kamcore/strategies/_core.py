"""Strategies for the shared building blocks: money, rates, periods, schedules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from kamcore.calendar import Period, PeriodKind, ReviewCycle, TenDay, YearlySchedule
from kamcore.money import CURRENCIES, Money, Rate, Rounding

_NATURAL_KINDS = (PeriodKind.TEN_DAY, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


def amounts(
    *,
    min_value: Decimal | int = -(10**12),
    max_value: Decimal | int = 10**12,
    places: int = 2,
) -> st.SearchStrategy[Decimal]:
    """Finite decimals with at most ``places`` digits after the point."""
    return st.decimals(
        min_value=Decimal(min_value),
        max_value=Decimal(max_value),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


def currencies() -> st.SearchStrategy[str]:
    """ISO 4217 codes kamcore accepts, CNY most often."""
    return st.one_of(st.just("CNY"), st.sampled_from(sorted(CURRENCIES)))


def money(
    *,
    currency: str | None = "CNY",
    min_value: Decimal | int = -(10**12),
    max_value: Decimal | int = 10**12,
    places: int | None = None,
) -> st.SearchStrategy[Money]:
    """Money in ``currency`` (any currency when ``None``), rounded to ``places``.

    ``places`` defaults to the currency's minor unit.
    """
    cur = st.just(currency) if currency is not None else currencies()

    def build(code: str) -> st.SearchStrategy[Money]:
        digits = CURRENCIES[code] if places is None else places
        return amounts(min_value=min_value, max_value=max_value, places=digits).map(
            lambda a: Money(a, code)
        )

    return cur.flatmap(build)


def rates(
    *, min_value: Decimal | int = 0, max_value: Decimal | int = 1, places: int = 4
) -> st.SearchStrategy[Rate]:
    """Rates between ``min_value`` and ``max_value`` (0 to 100% by default)."""
    return amounts(min_value=min_value, max_value=max_value, places=places).map(Rate)


def roundings() -> st.SearchStrategy[Rounding]:
    """Every rounding policy."""
    return st.sampled_from(Rounding)


def dates(
    *, min_value: date = date(2000, 1, 1), max_value: date = date(2099, 12, 31)
) -> st.SearchStrategy[date]:
    """Calendar dates in a business-plausible range."""
    return st.dates(min_value=min_value, max_value=max_value)


def ten_days() -> st.SearchStrategy[TenDay]:
    """上旬, 中旬 or 下旬."""
    return st.sampled_from(TenDay)


def period_kinds() -> st.SearchStrategy[PeriodKind]:
    """The kinds with natural boundaries (not ``CUSTOM``)."""
    return st.sampled_from(_NATURAL_KINDS)


def periods(*, kind: PeriodKind | None = None) -> st.SearchStrategy[Period]:
    """Periods of ``kind`` (any natural kind, or a custom range, when ``None``)."""
    if kind is PeriodKind.CUSTOM:
        return st.tuples(dates(), st.integers(1, 400)).map(
            lambda t: Period(t[0], date.fromordinal(t[0].toordinal() + t[1]))
        )
    kinds = st.just(kind) if kind is not None else period_kinds()
    natural = st.tuples(dates(), kinds).map(lambda t: Period.containing(t[0], t[1]))
    if kind is None:
        return st.one_of(natural, periods(kind=PeriodKind.CUSTOM))
    return natural


def review_cycles() -> st.SearchStrategy[ReviewCycle]:
    """Review cycles every 1–12 months from any anchor."""
    return st.builds(ReviewCycle, anchor=dates(), months=st.integers(1, 12))


def yearly_schedules() -> st.SearchStrategy[YearlySchedule]:
    """Yearly schedules on 1–12 distinct months, on days 1–28 or the last day."""
    return st.builds(
        YearlySchedule,
        months=st.lists(st.integers(1, 12), min_size=1, max_size=12, unique=True).map(tuple),
        day=st.one_of(st.integers(1, 28), st.just(-1)),
    )
