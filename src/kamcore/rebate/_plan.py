"""Sales plans (销售计划): the target a salesperson is assessed against, set by a rule.

The assessment (rules §3.2) measures attainment against a plan; how the plan is set is
company policy. A common rule — and the one the demo uses — is last year's revenue
plus a growth rate, rounded to a round number, with a floor.
"""

from __future__ import annotations

import attrs

from kamcore._convert import enum_of
from kamcore._validate import instance_of, money
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money, Rate, Rounding

__all__ = ["PlanRule", "plan_for"]


def _to_rate(value: object) -> Rate:
    if isinstance(value, Rate):
        return value
    if isinstance(value, str):
        return Rate.parse(value)
    return Rate(value)


def _to_money(value: object) -> Money:
    return value if isinstance(value, Money) else Money(value)


def _to_rounding(value: object) -> Rounding:
    return enum_of(value, Rounding, "rounding")


@attrs.frozen
class PlanRule:
    """How a salesperson's plan is set from the revenue of the year before.

    ``plan = max(round(prior × (1 + growth), round_to), floor)``; a salesperson with
    no revenue the year before has no basis for a plan (:func:`plan_for` returns
    ``None``), rather than a plan of the floor that would make anything look good.

    Args:
        name: A short name.
        growth: The growth asked for: ``"10%"`` by default (a documented default; the
            sources leave it to the company).
        round_to: The places to round to: ``-4`` (the default) rounds to the nearest
            10,000; ``0`` to whole yuan.
        rounding: The rounding policy (half up, 四舍五入, by default).
        floor: The smallest plan set: 10,000 by default (a plan must be positive).

    Raises:
        PolicyError: A negative growth or a floor that is not positive.

    Examples:
        >>> rule = PlanRule()
        >>> plan_for(rule, Money("1234567"))
        Money('1360000', 'CNY')
        >>> plan_for(rule, Money("1000")), plan_for(rule, Money(0))
        (Money('10000', 'CNY'), None)
    """

    name: str = "plan"
    growth: Rate = attrs.field(default=Rate("0.10"), converter=_to_rate)
    round_to: int = -4
    rounding: Rounding = attrs.field(default=Rounding.HALF_UP, converter=_to_rounding)
    floor: Money = attrs.field(default=Money(10000), converter=_to_money)

    def __attrs_post_init__(self) -> None:
        if self.growth.value < 0:
            raise PolicyError(
                f"growth must be 0 or more, not {self.growth.value}",
                policy="PlanRule",
                part="growth",
            )
        if self.floor.amount <= 0:
            raise PolicyError(
                f"floor must be above zero, not {self.floor.amount}",
                policy="PlanRule",
                part="floor",
            )


def plan_for(rule: PlanRule, prior: Money) -> Money | None:
    """The plan ``rule`` sets on last year's revenue ``prior``; ``None`` without any.

    Raises:
        ValidationError: ``prior`` is negative, not an amount, or in another currency
            than the floor; ``rule`` is not a :class:`PlanRule`.
    """
    instance_of(rule, PlanRule, "rule", expected="a PlanRule")
    prior = money(prior, "prior")
    if prior.currency != rule.floor.currency:
        raise ValidationError(
            field="prior",
            value=str(prior),
            expected=f"money in {rule.floor.currency}, the rule's currency",
            problem="wrong currency",
        )
    if prior.amount < 0:
        raise ValidationError(
            field="prior", value=str(prior), expected="zero or more", problem="negative revenue"
        )
    if not prior.amount:
        return None
    grown = (prior * (1 + rule.growth.value)).round(rule.rounding, places=rule.round_to)
    return max(grown, rule.floor)
