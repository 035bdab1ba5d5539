"""Concentration figures: the Lorenz curve, Gini, top-20% share and accounts for 80%."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.errors import ValidationError
from kamcore.grading import AbcBreak, AbcPolicy, Concentration, classify_abc, measure_concentration

D = Decimal


def _numpy_figures(values: list[int] | np.ndarray) -> tuple[float, list[float], float, float]:
    """An independent float computation: gini, lorenz y values, top-20% share, for 80%."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    total = x.sum()
    if n == 0 or total == 0:
        return 0.0, [], 0.0, 0.0
    i = np.arange(1, n + 1)
    gini = 2 * (i * x).sum() / (n * total) - (n + 1) / n
    lorenz = np.concatenate([[0.0], np.cumsum(x) / total])
    desc = x[::-1]
    top = int(np.ceil(n / 5))
    held = np.cumsum(desc)
    needed = int(np.argmax(held >= 0.8 * total - 1e-9 * total)) + 1
    return float(gini), lorenz.tolist(), float(desc[:top].sum() / total), needed / n


def test_a_hand_computed_example() -> None:
    c = measure_concentration({"a": 1, "b": 2, "c": 3, "d": 4})
    # G = 2·(1·1 + 2·2 + 3·3 + 4·4) / (4·10) − 5/4 = 60/40 − 1.25 = 0.25
    assert c.gini == D("0.25")
    assert c.lorenz == (
        (D(0), D(0)),
        (D("0.25"), D("0.1")),
        (D("0.5"), D("0.3")),
        (D("0.75"), D("0.6")),
        (D(1), D(1)),
    )
    assert (c.count, c.total) == (4, D(10))
    assert c.top20_share == D("0.4")  # ceil(4 / 5) = 1 account: d holds 4 of 10
    assert c.accounts_for_80 == D("0.75")  # d, c (70%), b crosses 80%: 3 of 4
    assert c.gini.as_tuple().exponent == -12
    assert "lorenz" not in repr(c)


def test_shares_are_rounded_half_up_once_to_twelve_places() -> None:
    c = measure_concentration({"a": 1, "b": 1, "c": 1})
    assert c.lorenz[1] == (D("0.333333333333"), D("0.333333333333"))
    assert c.lorenz[2] == (D("0.666666666667"), D("0.666666666667"))
    assert c.gini == 0


def test_decimals_of_any_scale_are_exact() -> None:
    c = measure_concentration({"a": "0.001", "b": D("2.5"), "c": 3})
    assert c.total == D("5.501")
    # top 20%: ceil(3/5) = 1 account, c = 3 of 5.501
    assert c.top20_share == D("0.545355389929")


@pytest.mark.parametrize(
    ("measures", "gini", "top20", "for80"),
    [
        ({}, 0, 0, 0),
        ({"a": 7}, 0, 1, 1),
        ({"a": 0}, 0, 1, 1),
        ({"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "f": 0}, 0, D(2) / 6, D(5) / 6),
        ({"a": 0, "b": 0, "c": 0, "d": 10}, D("0.75"), 1, D("0.25")),
    ],
)
def test_the_edge_cases(
    measures: dict[str, int], gini: Decimal, top20: Decimal, for80: Decimal
) -> None:
    c = measure_concentration(measures)
    assert c.gini == gini
    assert c.top20_share == round(D(top20), 12)
    assert c.accounts_for_80 == round(D(for80), 12)
    assert c.lorenz[0] == (0, 0)
    assert c.lorenz[-1] == (1, 1)
    if not measures or not any(measures.values()):  # nothing concentrated: the diagonal
        assert all(x == y for x, y in c.lorenz)


def test_exactly_eighty_percent_is_reached_by_the_account_that_makes_it() -> None:
    assert measure_concentration({"a": 80, "b": 10, "c": 10}).accounts_for_80 == round(D(1) / 3, 12)


def test_measures_are_read_as_classify_abc_reads_them() -> None:
    with pytest.raises(ValidationError, match=r"measures\.x.*negative measure"):
        measure_concentration({"x": -1, "y": 2})
    with pytest.raises(ValidationError, match=r"measures\.x"):
        measure_concentration({"x": None})
    with pytest.raises(ValidationError, match=r"measures\.x"):
        measure_concentration({"x": ""})
    with pytest.raises(ValidationError, match=r"measures\.x.*float"):
        measure_concentration({"x": 1.5})
    with pytest.raises(ValidationError, match="duplicate account id"):
        measure_concentration([("x", 1), ("x", 2)])
    assert measure_concentration([("x", "3"), ("y", 1)]) == measure_concentration({"y": 1, "x": 3})


def test_an_abc_result_reports_the_concentration_of_its_measures() -> None:
    measures = {"a": 1, "b": 2, "c": 3, "d": 4}
    policy = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)))
    assert classify_abc(policy, measures).concentration() == measure_concentration(measures)


def _check_against_numpy(c: Concentration, values: list[int] | np.ndarray) -> None:
    if not any(values):  # nothing to share: kamcore's own convention (tested above)
        return
    gini, lorenz, top20, for80 = _numpy_figures(values)
    assert float(c.gini) == pytest.approx(gini, abs=1e-9)
    assert float(c.top20_share) == pytest.approx(top20, abs=1e-9)
    assert float(c.accounts_for_80) == pytest.approx(for80, abs=1e-9)
    if lorenz:
        ys = np.array([float(y) for _, y in c.lorenz])
        assert np.abs(ys - np.array(lorenz)).max() < 1e-9


def test_a_hundred_thousand_accounts_agree_with_numpy() -> None:
    rng = np.random.default_rng(20260501)
    values = (rng.pareto(1.16, 100_000) * 10_000).astype(np.int64)  # a Pareto-law book
    c = measure_concentration({f"acct-{i:06}": int(v) for i, v in enumerate(values)})
    assert c.count == 100_000
    assert len(c.lorenz) == 100_001
    _check_against_numpy(c, values)
    assert D("0.5") < c.gini < 1
    assert c.top20_share > D("0.6")


@given(st.lists(st.integers(0, 10**9), max_size=200))
def test_properties_and_agreement_with_numpy(values: list[int]) -> None:
    c = measure_concentration({f"a{i}": v for i, v in enumerate(values)})
    _check_against_numpy(c, values)
    assert 0 <= c.gini < 1
    assert c.count == len(values)
    assert c.total == sum(values)
    xs = [x for x, _ in c.lorenz]
    ys = [y for _, y in c.lorenz]
    assert c.lorenz[0] == (0, 0)
    assert c.lorenz[-1] == (1, 1)
    assert all(a <= b for a, b in pairwise(xs))
    assert all(a <= b for a, b in pairwise(ys))
    assert all(y <= x for x, y in c.lorenz)
    # convex: the steps never shrink (each rounded share is off by at most half a unit)
    steps = [b - a for a, b in pairwise(ys)]
    assert all(b - a >= D("-2e-12") for a, b in pairwise(steps))
    if values:
        assert c.top20_share >= D("0.2")
        assert 0 < c.accounts_for_80 <= 1


@given(st.dictionaries(st.text(max_size=3), st.decimals(0, 10**6, places=2), max_size=30))
def test_input_order_does_not_matter(measures: dict[str, Decimal]) -> None:
    forward = measure_concentration(measures)
    backward = measure_concentration(dict(reversed(list(measures.items()))))
    assert forward == backward
