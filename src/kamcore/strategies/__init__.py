"""Hypothesis strategies for kamcore's public types.

Use them to property-test code that builds on kamcore, as kamcore's own tests do::

    from hypothesis import given
    from kamcore import strategies as kst

    @given(kst.money())
    def test_my_invoice_total(amount): ...

Requires the ``hypothesis`` package (installed with the ``test`` extra). Every
strategy generates valid objects; combine them with ``.filter``/``.map`` for more.
"""

from kamcore.strategies._archive import (
    alliance_observations,
    archive_policies,
    borrowers,
    call_plans,
    contacts,
    dossier_changes,
    dossiers,
    extra_fields,
    histories,
    lending_policies,
    level_rules,
    loans,
    moments,
    participants,
    presentation_plans,
    review_policies,
    reviews,
    visit_policies,
    visits,
)
from kamcore.strategies._core import (
    amounts,
    currencies,
    dates,
    money,
    period_kinds,
    periods,
    rates,
    review_cycles,
    roundings,
    ten_days,
    yearly_schedules,
)
from kamcore.strategies._grading import (
    abc_policies,
    account_facts,
    grade_ladders,
    group_share_policies,
    normalisers,
    populations,
    topsis_models,
    value_categories,
)
from kamcore.strategies._grading import scorecards as weighted_scorecards
from kamcore.strategies._pipeline import (
    opportunities,
    pipeline_fact_values,
    pipeline_facts,
    pipeline_gates,
    playbooks,
)
from kamcore.strategies._rebate import (
    accruals,
    approval_chains,
    attainment_rules,
    attendance_rules,
    commission_tables,
    descriptor_scales,
    rebate_amounts,
    rebate_ledgers,
    rebate_quotes,
    rebate_requests,
    targets,
    tier_schedules,
)
from kamcore.strategies._rebate import scorecards as salesperson_scorecards
from kamcore.strategies._screening import (
    development_forecasts,
    financial_statements,
    grade_policies,
)

__all__ = [
    "abc_policies",
    "account_facts",
    "accruals",
    "alliance_observations",
    "amounts",
    "approval_chains",
    "archive_policies",
    "attainment_rules",
    "attendance_rules",
    "borrowers",
    "call_plans",
    "commission_tables",
    "contacts",
    "currencies",
    "dates",
    "descriptor_scales",
    "development_forecasts",
    "dossier_changes",
    "dossiers",
    "extra_fields",
    "financial_statements",
    "grade_ladders",
    "grade_policies",
    "group_share_policies",
    "histories",
    "lending_policies",
    "level_rules",
    "loans",
    "moments",
    "money",
    "normalisers",
    "opportunities",
    "participants",
    "period_kinds",
    "periods",
    "pipeline_fact_values",
    "pipeline_facts",
    "pipeline_gates",
    "playbooks",
    "populations",
    "presentation_plans",
    "rates",
    "rebate_amounts",
    "rebate_ledgers",
    "rebate_quotes",
    "rebate_requests",
    "review_cycles",
    "review_policies",
    "reviews",
    "roundings",
    "salesperson_scorecards",
    "targets",
    "ten_days",
    "tier_schedules",
    "topsis_models",
    "value_categories",
    "visit_policies",
    "visits",
    "weighted_scorecards",
    "yearly_schedules",
]
