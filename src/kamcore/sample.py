"""A realistic, seeded sample company for demos, docs and benchmarks.

:func:`generate_company` builds a key-account book for a fictional industrial supplier:
a few hundred accounts whose sizes follow a Pareto law (so the 80/20 rule shows up),
monthly figures over two years (contract volume, unit price, revenue, invoices,
collections, profit, quality losses, influence, reputation), salespeople, and
opportunities that went through the project sales stages. The same seed always gives
the same company, byte for byte.

Examples:
    >>> from datetime import date
    >>> company = generate_company(seed=7, accounts=20, months=3, end=date(2026, 10, 1))
    >>> len(company.accounts), len(company.months)
    (20, 60)
    >>> generate_company(seed=7, accounts=20, months=3, end=date(2026, 10, 1)) == company
    True
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

import attrs

from kamcore._validate import day as checked_day
from kamcore._validate import whole
from kamcore.calendar import Period, PeriodKind
from kamcore.errors import ValidationError
from kamcore.money import Money

__all__ = [
    "SampleAccount",
    "SampleCompany",
    "SampleMonth",
    "SampleOpportunity",
    "generate_company",
]

_REGIONS: Final = ("华东 East", "华南 South", "华北 North", "西南 Southwest", "华中 Central")
_INDUSTRIES: Final = (
    "水务 water",
    "电力 power",
    "化工 chemicals",
    "制造 manufacturing",
    "交通 transport",
)
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_COMPANY_WORDS: Final = (
    "宏远",
    "华盛",
    "恒通",
    "瑞丰",
    "金石",
    "博达",
    "天成",
    "永信",
    "东方",
    "中联",
)
_SALESPEOPLE: Final = ("S01 王敏", "S02 李强", "S03 张伟", "S04 刘洋", "S05 陈静", "S06 杨帆")
_PROJECT_STAGES: Final = ("development", "initiation", "proposal", "bidding", "implementation")


@attrs.frozen
class SampleAccount:
    """One customer of the sample company."""

    id: str
    name: str
    region: str
    industry: str
    owner: str
    since: date
    size: Decimal
    """Relative purchasing power (Pareto-distributed); drives the monthly figures."""


@attrs.frozen
class SampleMonth:
    """One account's figures for one month (all money exact, in CNY)."""

    account_id: str
    period: Period
    contract_volume: int
    unit_price: Money
    revenue: Money
    invoiced: Money
    collected: Money
    profit: Money
    quality_losses: Money
    influence: int
    reputation: int


@attrs.frozen
class SampleOpportunity:
    """An opportunity and the path it took through the project sales stages."""

    id: str
    account_id: str
    owner: str
    amount: Money
    estimated_margin: Decimal
    opened: date
    stages: tuple[tuple[str, date], ...]
    """Each stage reached, with the day it was entered."""
    outcome: str
    """``won``, ``lost``, ``no_bid`` or ``open``."""
    closed: date | None


@attrs.frozen
class SampleCompany:
    """The whole sample book."""

    seed: int
    as_of: date
    salespeople: tuple[str, ...]
    accounts: tuple[SampleAccount, ...]
    months: tuple[SampleMonth, ...]
    opportunities: tuple[SampleOpportunity, ...]

    def months_of(self, account_id: str) -> tuple[SampleMonth, ...]:
        """The monthly figures of one account, oldest first."""
        return tuple(m for m in self.months if m.account_id == account_id)

    @property
    def trailing_year(self) -> Period:
        """The twelve months up to :attr:`as_of` (the period the book is graded on)."""
        return Period(self.as_of - timedelta(days=365), self.as_of)

    def account_book(self) -> tuple[dict[str, object], ...]:
        """One row per account over :attr:`trailing_year`: what a CRM would export.

        Keys: ``id``, ``name``, ``region``, ``owner`` and the grading figures
        (``contract_volume``, ``unit_price`` = revenue / volume to the fen, or ``None``
        without volume, ``sales_revenue``, ``invoiced``, ``collected``, ``profit``,
        ``quality_losses``, and the last month's ``industry_influence`` and
        ``business_reputation``); amounts are exact decimals.
        """
        year = self.trailing_year
        by_account: dict[str, list[SampleMonth]] = {a.id: [] for a in self.accounts}
        for m in self.months:
            if m.period.start in year:
                by_account[m.account_id].append(m)
        rows: list[dict[str, object]] = []
        for acc in self.accounts:
            months = by_account[acc.id]
            revenue = sum((m.revenue.amount for m in months), Decimal(0))
            volume = sum(m.contract_volume for m in months)
            rows.append(
                {
                    "id": acc.id,
                    "name": acc.name,
                    "region": acc.region,
                    "owner": acc.owner,
                    "contract_volume": volume,
                    "unit_price": (revenue / volume).quantize(Decimal("0.01")) if volume else None,
                    "sales_revenue": revenue,
                    "invoiced": sum((m.invoiced.amount for m in months), Decimal(0)),
                    "collected": sum((m.collected.amount for m in months), Decimal(0)),
                    "profit": sum((m.profit.amount for m in months), Decimal(0)),
                    "quality_losses": sum((m.quality_losses.amount for m in months), Decimal(0)),
                    "industry_influence": months[-1].influence if months else None,
                    "business_reputation": months[-1].reputation if months else None,
                }
            )
        return tuple(rows)


def _yuan(value: float) -> Money:
    # Random draws are floats; money is made from whole fen, never from the float itself.
    return Money._of(Decimal(round(value * 100)).scaleb(-2), "CNY")


def _name(rng: random.Random) -> str:
    word, surname, trade = (
        rng.choice(_COMPANY_WORDS),
        rng.choice(_SURNAMES),
        rng.choice(_INDUSTRIES),
    )
    return f"{word}{surname}氏{trade[:2]}有限公司"


#: The range of ``end`` :func:`generate_company` takes (ten years of history fit before it).
_FIRST_END: Final = date(1950, 1, 1)
_LAST_END: Final = date(2999, 12, 31)


def _checked(seed: object, accounts: object, months: object, end: object) -> tuple[int, date]:
    """:func:`generate_company`'s arguments checked: the seed and the end day."""
    for name, value, high in (("accounts", accounts, 100_000), ("months", months, 120)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            raise ValidationError(field=name, value=value, expected=f"a whole number 1–{high}")
    last = checked_day(end, "end")
    if not _FIRST_END <= last <= _LAST_END:
        raise ValidationError(
            field="end",
            value=last,
            expected=f"a day from {_FIRST_END} to {_LAST_END}",
            problem="out of range",
        )
    return whole(seed, "seed"), last


def generate_company(  # noqa: PLR0915 - one readable recipe beats scattered helpers
    *,
    seed: int = 2026,
    accounts: int = 300,
    months: int = 24,
    end: date = date(2026, 11, 1),
) -> SampleCompany:
    """Generate a sample company: ``accounts`` customers over ``months`` months before ``end``.

    Args:
        seed: The random seed; the same seed gives the same company.
        accounts: How many accounts (1–100,000).
        months: How many whole months of figures (1–120).
        end: The first day after the last month (its ``as_of`` date).

    Returns:
        The company, fully deterministic in its arguments.

    Raises:
        ValidationError: A count out of range, a seed that is not a whole number, or an
            ``end`` that is not a day from 1950-01-01 to 2999-12-31.
    """
    seed, end = _checked(seed, accounts, months, end)
    rng = random.Random(seed)
    last = Period.containing(end - timedelta(days=1), PeriodKind.MONTH)
    periods = [last]
    while len(periods) < months:
        periods.append(periods[-1].previous())
    periods.reverse()

    accs: list[SampleAccount] = []
    for i in range(accounts):
        size = Decimal(f"{min(rng.paretovariate(1.16), 400.0):.3f}")
        accs.append(
            SampleAccount(
                id=f"A{i + 1:04d}",
                name=_name(rng),
                region=rng.choice(_REGIONS),
                industry=rng.choice(_INDUSTRIES),
                owner=rng.choice(_SALESPEOPLE),
                since=periods[0].start - timedelta(days=rng.randrange(0, 3650)),
                size=size,
            )
        )

    rows: list[SampleMonth] = []
    for acc in accs:
        base = float(acc.size) * 40_000
        trend = rng.uniform(-0.03, 0.05)
        payer = rng.uniform(0.8, 1.0)
        influence = min(10, max(1, round(float(acc.size) ** 0.5 * 2 + rng.uniform(-2, 2))))
        reputation = rng.randint(1, 5)
        for k, period in enumerate(periods):
            level = base * (1 + trend) ** k * rng.uniform(0.6, 1.4)
            volume = max(0, round(level / 50))
            price = _yuan(rng.uniform(42, 58))
            revenue = (price * volume).round()
            invoiced = (revenue * Decimal(rng.randint(85, 100)) / 100).round()
            collected = (
                invoiced * Decimal(round(payer * rng.uniform(0.92, 1.0) * 100)) / 100
            ).round()
            margin = Decimal(rng.randint(8, 30)) / 100
            losses = _yuan(level * rng.uniform(0, 0.02)) if rng.random() < 0.15 else Money.zero()
            rows.append(
                SampleMonth(
                    account_id=acc.id,
                    period=period,
                    contract_volume=volume,
                    unit_price=price,
                    revenue=revenue,
                    invoiced=invoiced,
                    collected=collected,
                    profit=(revenue * margin).round(),
                    quality_losses=losses,
                    influence=influence,
                    reputation=reputation,
                )
            )

    opps: list[SampleOpportunity] = []
    first_day, as_of = periods[0].start, end
    span = (as_of - first_day).days
    for n in range(accounts * 2):
        acc = accs[rng.randrange(accounts)]
        opened = first_day + timedelta(days=rng.randrange(span))
        amount = _yuan(float(acc.size) * rng.uniform(50_000, 400_000)).round(places=-2)
        margin = Decimal(rng.randint(2, 35)) / 100
        reached = [(_PROJECT_STAGES[0], opened)]
        day = opened
        outcome = "open"
        closed: date | None = None
        for stage in _PROJECT_STAGES[1:]:
            day = day + timedelta(days=rng.randint(7, 60))
            if day >= as_of:
                break
            fate = rng.random()
            if stage == "bidding" and margin < Decimal("0.08"):
                outcome, closed = "no_bid", day
                break
            if fate < 0.15:
                outcome, closed = "lost", day
                break
            reached.append((stage, day))
            if stage == "implementation":
                outcome, closed = "won", day
        opps.append(
            SampleOpportunity(
                id=f"O{n + 1:05d}",
                account_id=acc.id,
                owner=acc.owner,
                amount=amount,
                estimated_margin=margin,
                opened=opened,
                stages=tuple(reached),
                outcome=outcome,
                closed=closed,
            )
        )
    return SampleCompany(
        seed=seed,
        as_of=as_of,
        salespeople=_SALESPEOPLE,
        accounts=tuple(accs),
        months=tuple(rows),
        opportunities=tuple(opps),
    )
