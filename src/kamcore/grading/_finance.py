"""Financial screening of a prospect (大客户基本情况分析): ratios and a development forecast."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import attrs

from kamcore.money import Money, Rounding, as_decimal

__all__ = [
    "DevelopmentForecast",
    "FinancialRatios",
    "FinancialStatement",
    "Ratio",
    "Verdict",
    "assess_development",
    "screen",
]

_ZERO: Final = Decimal(0)


def _amount(value: object, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Money):
        return value.amount
    return as_decimal(value, field=field)


def _current_assets(value: object) -> Decimal | None:
    return _amount(value, "current_assets")


def _total_assets(value: object) -> Decimal | None:
    return _amount(value, "total_assets")


def _net_profit(value: object) -> Decimal | None:
    return _amount(value, "net_profit")


def _revenue(value: object) -> Decimal | None:
    return _amount(value, "revenue")


def _receivables(value: object) -> Decimal | None:
    return _amount(value, "receivables")


def _inventory(value: object) -> Decimal | None:
    return _amount(value, "inventory")


def _cost_of_sales(value: object) -> Decimal | None:
    return _amount(value, "cost_of_sales")


@attrs.define(frozen=True, slots=True, kw_only=True)
class FinancialStatement:
    """The figures of a prospect's statement that screening reads (``None`` = missing).

    Args:
        current_assets: 流动资产.
        total_assets: 总资产.
        net_profit: 净利润.
        revenue: 营业收入 for the period.
        receivables: 应收账款 at the end of the period.
        inventory: 存货 at the end of the period.
        cost_of_sales: 营业成本 for the period.
        days: Days in the period (365 by default).
    """

    current_assets: Decimal | None = attrs.field(default=None, converter=_current_assets)
    total_assets: Decimal | None = attrs.field(default=None, converter=_total_assets)
    net_profit: Decimal | None = attrs.field(default=None, converter=_net_profit)
    revenue: Decimal | None = attrs.field(default=None, converter=_revenue)
    receivables: Decimal | None = attrs.field(default=None, converter=_receivables)
    inventory: Decimal | None = attrs.field(default=None, converter=_inventory)
    cost_of_sales: Decimal | None = attrs.field(default=None, converter=_cost_of_sales)
    days: int = 365


@attrs.define(frozen=True, slots=True)
class Ratio:
    """A ratio, or an explicit "undefined" with the reason (never a crash, never 0).

    Examples:
        >>> Ratio(None, "revenue is zero").defined
        False
    """

    value: Decimal | None
    undefined_because: str = ""

    @property
    def defined(self) -> bool:
        """Whether the ratio has a value."""
        return self.value is not None

    def __str__(self) -> str:
        return (
            str(self.value) if self.value is not None else f"undefined ({self.undefined_because})"
        )


@attrs.define(frozen=True, slots=True)
class FinancialRatios:
    """The screening ratios of one statement."""

    current_asset_ratio: Ratio
    net_profit_margin: Ratio
    return_on_assets: Ratio
    collection_period_days: Ratio
    inventory_period_days: Ratio


def _ratio(
    num: Decimal | None,
    den: Decimal | None,
    names: tuple[str, str],
    rounding: tuple[int, Rounding],
    times: int = 1,
) -> Ratio:
    if num is None or den is None:
        missing = [n for n, v in zip(names, (num, den), strict=True) if v is None]
        return Ratio(None, f"{' and '.join(missing)} missing")
    places, mode = rounding
    if den == 0:
        return Ratio(None, f"{names[1]} is zero")
    return Ratio(mode.apply(num * times / den, places))


def screen(
    statement: FinancialStatement, *, places: int = 4, rounding: Rounding = Rounding.HALF_UP
) -> FinancialRatios:
    """Screening ratios: current-asset ratio, net margin, ROA, DSO and DIO.

    * current-asset ratio (流动资产率) = current assets / total assets;
    * net profit margin (净利润率) = net profit / revenue;
    * return on assets (资产回报率) = net profit / total assets;
    * collection period (回款周期, DSO) = receivables / revenue × days;
    * inventory period (存货周期, DIO) = inventory / cost of sales × days.

    Each is rounded to ``places`` with ``rounding`` (HALF_UP, 4 places by default). A
    missing figure or a zero denominator gives an undefined :class:`Ratio` saying why.

    Examples:
        >>> r = screen(FinancialStatement(current_assets=600, total_assets=1000,
        ...                               net_profit=50, revenue=0))
        >>> str(r.current_asset_ratio), str(r.net_profit_margin)
        ('0.6000', 'undefined (revenue is zero)')
    """
    s = statement
    opts = (places, rounding)
    return FinancialRatios(
        _ratio(s.current_assets, s.total_assets, ("current_assets", "total_assets"), opts),
        _ratio(s.net_profit, s.revenue, ("net_profit", "revenue"), opts),
        _ratio(s.net_profit, s.total_assets, ("net_profit", "total_assets"), opts),
        _ratio(s.receivables, s.revenue, ("receivables", "revenue"), opts, s.days),
        _ratio(s.inventory, s.cost_of_sales, ("inventory", "cost_of_sales"), opts, s.days),
    )


def _dec(value: object) -> Decimal:
    if isinstance(value, Money):
        return value.amount
    return as_decimal(value, field="forecast")


@attrs.define(frozen=True, slots=True, kw_only=True)
class DevelopmentForecast:
    """A cost/sales forecast for developing an account (开发费用与销售预测).

    Expected net = profit × (1 − risk coefficient) − (inventory interest + staff cost +
    travel + management cost). The account is worth developing when that is positive.
    """

    sales: Decimal = attrs.field(converter=_dec)
    profit: Decimal = attrs.field(converter=_dec)
    inventory_interest: Decimal = attrs.field(default=_ZERO, converter=_dec)
    staff_cost: Decimal = attrs.field(default=_ZERO, converter=_dec)
    travel: Decimal = attrs.field(default=_ZERO, converter=_dec)
    management_cost: Decimal = attrs.field(default=_ZERO, converter=_dec)
    risk_coefficient: Decimal = attrs.field(default=_ZERO, converter=_dec)


@attrs.define(frozen=True, slots=True)
class Verdict:
    """Whether an account is worth developing, with the expected net and total cost."""

    worth_developing: bool
    expected_net: Decimal
    total_cost: Decimal


def assess_development(forecast: DevelopmentForecast) -> Verdict:
    """Decide whether an account is worth developing (see :class:`DevelopmentForecast`).

    Examples:
        >>> assess_development(DevelopmentForecast(sales=1000, profit=200, staff_cost=50,
        ...                                        risk_coefficient="0.25"))
        Verdict(worth_developing=True, expected_net=Decimal('100.00'), total_cost=Decimal('50'))
    """
    f = forecast
    cost = f.inventory_interest + f.staff_cost + f.travel + f.management_cost
    net = f.profit * (1 - f.risk_coefficient) - cost
    return Verdict(net > 0, net, cost)
