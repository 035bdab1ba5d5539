"""Hypothesis strategies for every public kamcore type.

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
    contacts,
    dossier_changes,
    dossiers,
    extra_fields,
    histories,
    loans,
    moments,
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
    "commission_tables",
    "contacts",
    "currencies",
    "dates",
    "descriptor_scales",
    "dossier_changes",
    "dossiers",
    "extra_fields",
    "grade_ladders",
    "histories",
    "loans",
    "moments",
    "money",
    "normalisers",
    "opportunities",
    "period_kinds",
    "periods",
    "pipeline_fact_values",
    "pipeline_facts",
    "pipeline_gates",
    "playbooks",
    "populations",
    "rates",
    "rebate_amounts",
    "rebate_ledgers",
    "rebate_quotes",
    "rebate_requests",
    "review_cycles",
    "roundings",
    "salesperson_scorecards",
    "targets",
    "ten_days",
    "tier_schedules",
    "topsis_models",
    "value_categories",
    "weighted_scorecards",
    "yearly_schedules",
]
