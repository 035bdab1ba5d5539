from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kamcore.errors import ValidationError
from kamcore.money import Money
from kamcore.sample import generate_company


def test_the_sample_company_is_deterministic_and_well_formed() -> None:
    a = generate_company(seed=11, accounts=30, months=6, end=date(2026, 7, 1))
    assert a == generate_company(seed=11, accounts=30, months=6, end=date(2026, 7, 1))
    assert a != generate_company(seed=12, accounts=30, months=6, end=date(2026, 7, 1))
    assert len(a.accounts) == 30
    assert len(a.months) == 180
    assert len({acc.id for acc in a.accounts}) == 30
    months = a.months_of("A0001")
    assert [m.period.label for m in months] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
    ]
    for m in a.months:
        assert m.revenue.is_rounded
        assert Money.zero() <= m.collected <= m.invoiced <= m.revenue
        assert 1 <= m.influence <= 10
    for o in a.opportunities:
        assert o.outcome in {"won", "lost", "no_bid", "open"}
        assert (o.closed is None) == (o.outcome == "open")
        assert o.stages[0][0] == "development"
        assert o.amount.amount > 0
        assert Decimal(0) < o.estimated_margin < 1


def test_the_sample_follows_a_pareto_law() -> None:
    company = generate_company(seed=2026, accounts=200, months=12)
    revenue = sorted(
        (
            sum((m.revenue.amount for m in company.months_of(a.id)), Decimal(0))
            for a in company.accounts
        ),
        reverse=True,
    )
    top_fifth = sum(revenue[:40], Decimal(0)) / sum(revenue, Decimal(0))
    assert top_fifth > Decimal("0.5")


@pytest.mark.parametrize(("accounts", "months"), [(0, 1), (1, 0), (True, 1), (1, 121)])
def test_sample_sizes_are_checked(accounts: int, months: int) -> None:
    with pytest.raises(ValidationError):
        generate_company(accounts=accounts, months=months)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seed": Decimal("Infinity")}, "seed"),
        ({"seed": None}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"end": {}}, "end"),
        ({"end": 10**30}, "end"),
        ({"end": "   "}, "end"),
        ({"end": date(1, 1, 1)}, "end"),
        ({"end": date(9999, 12, 31)}, "end"),
    ],
)
def test_generate_company_refuses_a_bad_seed_or_end_naming_it(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        generate_company(accounts=2, months=2, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert field in str(info.value)


def test_generate_company_takes_an_iso_end_day() -> None:
    as_text = generate_company(seed=3, accounts=2, months=2, end="2026-07-01")
    assert as_text == generate_company(seed=3, accounts=2, months=2, end=date(2026, 7, 1))
