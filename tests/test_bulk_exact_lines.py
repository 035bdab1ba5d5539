"""Order lines on the exact engine: ``lines_to_facts`` sums them in Decimal, or says why not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from kamcore.bulk._exact import lines_to_facts
from kamcore.errors import RecordInvalid

MAP = "presets:columns_lines"


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lines.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_are_summed_per_account_in_cents_with_orders_and_recency(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "客户编号,订单编号,订单日期,金额,回款金额,数量\n"
        'A1,O1,2026-01-05,"¥7,000.00",7000,2\n'
        "A2,O2,2026/2/1,2000,,1.5\n"
        "A1,O3,2026年3月9日,1000.50,500,1\n"
        "A1,O3,2026-03-09,-500.25,,-1\n"
        "A4,O5,2025-12-31,900,900,1\n",
    )
    facts = lines_to_facts(path, columns=MAP, period=(dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
    assert [f.account_id for f in facts] == ["A1", "A2"]  # A4's only line is out of the period
    a1, a2 = facts
    assert a1.sales_revenue == Decimal("7500.25")
    assert a1.collected == Decimal("7500.00")
    assert a1.extra("orders") == 2  # O3 is one order over two lines
    assert a1.extra("lines") == 3
    assert a1.extra("recency_days") == (dt.date(2026, 6, 30) - dt.date(2026, 3, 9)).days
    assert a1.extra("quantity") == 2
    assert a2.sales_revenue == Decimal("2000.00")
    assert a2.extra("quantity") == Decimal("1.5")


def test_without_a_period_recency_counts_to_the_latest_line(tmp_path: Path) -> None:
    path = _file(tmp_path, "account_id,order_date,sales_revenue\nA,2026-01-01,1\nB,2026-01-11,2\n")
    facts = lines_to_facts(path)
    assert [f.extra("recency_days") for f in facts] == [10, 0]
    assert [f.extra("orders") for f in facts] == [1, 1]  # no order id: each line an order


def test_every_problem_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "account_id,order_date,sales_revenue\n"
        "A,2026-01-01,1.005\n"  # finer than a cent
        ",2026-01-02,1\n"  # no account
        "B,,2\n"  # no date
        "C,2026-01-03,\n"  # no amount
        "D,someday,abc\n",  # neither a date nor an amount
    )
    with pytest.raises(RecordInvalid) as caught:
        lines_to_facts(path)
    problems = [(e.field, e.problem) for e in caught.value.errors]

    def at(line: int, column: str) -> list[str]:
        return [p for f, p in problems if f"line {line}," in f and repr(column) in f]

    assert at(2, "sales_revenue") == ["finer than a cent"]
    assert at(3, "account_id") == ["blank"]
    assert at(4, "order_date") == ["blank"]
    assert at(5, "sales_revenue") == ["blank"]
    assert at(6, "order_date")
    assert at(6, "sales_revenue")


def test_a_file_without_the_required_columns_names_them(tmp_path: Path) -> None:
    path = _file(tmp_path, "account_id,amount\nA,1\n")
    with pytest.raises(RecordInvalid) as caught:
        lines_to_facts(path)
    assert any("order_date" in str(e) for e in caught.value.errors)


def test_a_bad_date_is_reported_once_and_a_net_return_names_the_fix(tmp_path: Path) -> None:
    from kamcore.errors import ValidationError

    bad = _file(tmp_path, "account_id,order_date,sales_revenue\nA,2026-02-30,1\n")
    with pytest.raises(RecordInvalid) as caught:
        lines_to_facts(bad)
    assert [e.problem for e in caught.value.errors] == ["no such day"]
    returns = _file(
        tmp_path, "account_id,order_date,sales_revenue\nA,2026-01-05,100\nB,2026-03-01,-50\n"
    )
    with pytest.raises(ValidationError) as negative:
        lines_to_facts(returns)
    assert negative.value.field == "B.sales_revenue"
    assert "widen --period" in str(negative.value)
