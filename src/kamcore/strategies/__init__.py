"""Hypothesis strategies for every public kamcore type.

Use them to property-test code that builds on kamcore, as kamcore's own tests do::

    from hypothesis import given
    from kamcore import strategies as kst

    @given(kst.money())
    def test_my_invoice_total(amount): ...

Requires the ``hypothesis`` package (installed with the ``test`` extra). Every
strategy generates valid objects; combine them with ``.filter``/``.map`` for more.
"""

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

__all__ = [
    "amounts",
    "currencies",
    "dates",
    "money",
    "period_kinds",
    "periods",
    "rates",
    "review_cycles",
    "roundings",
    "ten_days",
    "yearly_schedules",
]
