"""Strategies for grading's screening and policy types: statements, forecasts, services."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from kamcore.grading import (
    FIGURES,
    Comparison,
    Condition,
    DevelopmentForecast,
    FinancialStatement,
    GradePolicy,
    GradeService,
    SalesRule,
)

__all__ = ["development_forecasts", "financial_statements", "grade_policies"]


def _amount(max_value: int = 10**9) -> st.SearchStrategy[Decimal]:
    return st.decimals(0, max_value, places=2)


def financial_statements() -> st.SearchStrategy[FinancialStatement]:
    """Statements of a prospect, any figure possibly missing; net profit may be negative."""
    maybe = st.none() | _amount()
    return st.builds(
        FinancialStatement,
        current_assets=maybe,
        total_assets=maybe,
        net_profit=st.none() | st.decimals(-(10**8), 10**9, places=2),
        revenue=maybe,
        receivables=maybe,
        inventory=maybe,
        cost_of_sales=maybe,
        days=st.sampled_from([30, 90, 180, 365]),
    )


def development_forecasts() -> st.SearchStrategy[DevelopmentForecast]:
    """Cost/sales forecasts of developing an account, with a risk coefficient in [0, 1]."""
    cost = _amount(10**7)
    return st.builds(
        DevelopmentForecast,
        sales=_amount(),
        profit=st.decimals(-(10**7), 10**8, places=2),
        inventory_interest=cost,
        staff_cost=cost,
        travel=cost,
        management_cost=cost,
        risk_coefficient=st.decimals(0, 1, places=2),
    )


_CONDITIONS = st.builds(
    Condition,
    figure=st.sampled_from(sorted(FIGURES)),
    op=st.sampled_from(list(Comparison)),
    value=st.decimals(0, 10**7, places=2),
)


@st.composite
def grade_policies(draw: st.DrawFn) -> GradePolicy:
    """Grade policies: a service plan and visit priority per grade, and sales rules."""
    grades = draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, unique=True))
    services = tuple(
        GradeService(g, f"plan for {g}", visit_priority=i + 1) for i, g in enumerate(grades)
    )
    rules = tuple(
        SalesRule(
            f"rule-{i}",
            when=tuple(draw(st.lists(_CONDITIONS, min_size=1, max_size=3))),
            action=f"action {i}",
            grades=tuple(draw(st.lists(st.sampled_from(grades), max_size=2, unique=True))),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    return GradePolicy(services=services, sales_rules=rules)
