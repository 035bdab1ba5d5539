"""Financial screening of a prospect (大客户基本情况分析): ratios and a development forecast."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

import attrs

from kamcore._validate import money, whole
from kamcore.errors import RecordInvalid, ValidationError
from kamcore.grading._inputs import ONE, ZERO, enum_of, instance
from kamcore.money import Rounding

__all__ = [
    "DevelopmentForecast",
    "FinancialRatios",
    "FinancialStatement",
    "Ratio",
    "Verdict",
    "assess_development",
    "screen",
]


def _raw(value: object) -> Any:
    """Keep the input as given; ``__attrs_post_init__`` converts and checks every field."""
    return value


def _convert_all(
    obj: object,
    record: str,
    fields: tuple[str, ...],
    non_negative: frozenset[str],
    check: Callable[[dict[str, Any]], list[ValidationError]],
) -> None:
    """Convert each field of ``obj`` to a Decimal, then raise every problem at once.

    Raises:
        RecordInvalid: One or more fields are not numbers, are negative where only zero
            or more makes sense, or fail ``check`` (all listed at once).
    """
    errors: list[ValidationError] = []
    values: dict[str, Any] = {}
    for name in fields:
        raw = getattr(obj, name)
        try:
            value = None if raw is None else money(raw, name).amount
        except ValidationError as exc:
            errors.append(exc)
            continue
        if value is not None and value < 0 and name in non_negative:
            errors.append(
                ValidationError(
                    field=name, value=value, expected="zero or more", problem="negative amount"
                )
            )
        values[name] = value
        object.__setattr__(obj, name, value)
    errors += check(values)
    if errors:
        raise RecordInvalid(record, errors)


def _check_days(days: object) -> list[ValidationError]:
    if isinstance(days, bool) or not isinstance(days, int):
        return [
            ValidationError(
                field="days",
                value=days,
                expected="a whole number of days, 1 or more (365 by default)",
                problem="not a whole number",
            )
        ]
    if days < 1:
        return [
            ValidationError(
                field="days",
                value=days,
                expected="a whole number of days, 1 or more (365 by default)",
                problem="no days in the period",
            )
        ]
    return []


_STATEMENT_AMOUNTS: Final = (
    "current_assets",
    "total_assets",
    "net_profit",
    "revenue",
    "receivables",
    "inventory",
    "cost_of_sales",
)


@attrs.frozen(kw_only=True)
class FinancialStatement:
    """The figures of a prospect's statement that screening reads (``None`` = missing).

    Amounts are ``Money``, ``Decimal``, ``int`` or decimal strings. Every amount but
    net profit is zero or more (a statement can't hold negative assets, revenue,
    receivables, inventory or cost of sales); net profit may be a loss.

    Args:
        current_assets: 流动资产.
        total_assets: 总资产.
        net_profit: 净利润 (may be negative).
        revenue: 营业收入 for the period.
        receivables: 应收账款 at the end of the period.
        inventory: 存货 at the end of the period.
        cost_of_sales: 营业成本 for the period.
        days: Days in the period, a whole number, 1 or more (365 by default).

    Raises:
        RecordInvalid: Every field that is not a number, is negative where it can't
            be, or a ``days`` that is not a whole number of at least 1 (all at once).
    """

    current_assets: Decimal | None = attrs.field(default=None, converter=_raw)
    total_assets: Decimal | None = attrs.field(default=None, converter=_raw)
    net_profit: Decimal | None = attrs.field(default=None, converter=_raw)
    revenue: Decimal | None = attrs.field(default=None, converter=_raw)
    receivables: Decimal | None = attrs.field(default=None, converter=_raw)
    inventory: Decimal | None = attrs.field(default=None, converter=_raw)
    cost_of_sales: Decimal | None = attrs.field(default=None, converter=_raw)
    days: int = attrs.field(default=365, converter=_raw)

    def __attrs_post_init__(self) -> None:
        _convert_all(
            self,
            "FinancialStatement",
            _STATEMENT_AMOUNTS,
            frozenset(_STATEMENT_AMOUNTS) - {"net_profit"},
            lambda _: _check_days(self.days),
        )


@attrs.frozen
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


@attrs.frozen
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

    Raises:
        ValidationError: ``statement`` not a :class:`FinancialStatement`, ``places``
            not a whole number from 0 to 20, or ``rounding`` not a rounding mode (each
            naming its field).
    """
    s = instance(statement, FinancialStatement, "statement")
    opts = (whole(places, "places", low=0, high=20), enum_of(rounding, Rounding, "rounding"))
    return FinancialRatios(
        _ratio(s.current_assets, s.total_assets, ("current_assets", "total_assets"), opts),
        _ratio(s.net_profit, s.revenue, ("net_profit", "revenue"), opts),
        _ratio(s.net_profit, s.total_assets, ("net_profit", "total_assets"), opts),
        _ratio(s.receivables, s.revenue, ("receivables", "revenue"), opts, s.days),
        _ratio(s.inventory, s.cost_of_sales, ("inventory", "cost_of_sales"), opts, s.days),
    )


_FORECAST_AMOUNTS: Final = (
    "sales",
    "profit",
    "inventory_interest",
    "staff_cost",
    "travel",
    "management_cost",
    "risk_coefficient",
)


def _check_risk(values: dict[str, Any]) -> list[ValidationError]:
    risk = values.get("risk_coefficient")
    if risk is None or ZERO <= risk <= ONE:
        return []
    return [
        ValidationError(
            field="risk_coefficient",
            value=risk,
            expected="a fraction from 0 to 1 such as '0.2'",
            problem="outside 0..1",
        )
    ]


@attrs.frozen(kw_only=True)
class DevelopmentForecast:
    """A cost/sales forecast for developing an account (开发费用与销售预测).

    Expected net = profit × (1 − risk coefficient) − (inventory interest + staff cost +
    travel + management cost). The account is worth developing when that is positive.

    Args:
        sales: Forecast sales, zero or more.
        profit: Forecast profit (may be negative).
        inventory_interest: Interest on the inventory held for the account, ≥ 0.
        staff_cost: Staff cost, ≥ 0.
        travel: Travel cost, ≥ 0.
        management_cost: Management cost, ≥ 0.
        risk_coefficient: The chance the profit is lost, from 0 to 1 (0 by default).

    Raises:
        RecordInvalid: Every field that is not a number, a negative sales figure or
            cost, or a risk coefficient outside 0..1 (all at once).
    """

    sales: Decimal = attrs.field(converter=_raw)
    profit: Decimal = attrs.field(converter=_raw)
    inventory_interest: Decimal = attrs.field(default=ZERO, converter=_raw)
    staff_cost: Decimal = attrs.field(default=ZERO, converter=_raw)
    travel: Decimal = attrs.field(default=ZERO, converter=_raw)
    management_cost: Decimal = attrs.field(default=ZERO, converter=_raw)
    risk_coefficient: Decimal = attrs.field(default=ZERO, converter=_raw)

    def __attrs_post_init__(self) -> None:
        errors = [
            ValidationError(field=name, value=None, expected="an amount", problem="missing")
            for name in ("sales", "profit")
            if getattr(self, name) is None
        ]
        _convert_all(
            self,
            "DevelopmentForecast",
            _FORECAST_AMOUNTS,
            frozenset(_FORECAST_AMOUNTS) - {"profit"},
            lambda values: [*errors, *_check_risk(values)],
        )


@attrs.frozen
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

    Raises:
        ValidationError: ``forecast`` is not a :class:`DevelopmentForecast` (field
            ``forecast``).
    """
    f = instance(forecast, DevelopmentForecast, "forecast")
    cost = f.inventory_interest + f.staff_cost + f.travel + f.management_cost
    net = f.profit * (1 - f.risk_coefficient) - cost
    return Verdict(net > 0, net, cost)
