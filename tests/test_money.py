from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import strategies as kst
from kamcore.errors import KamError, ValidationError
from kamcore.money import CURRENCIES, Money, Rate, Rounding, as_decimal, minor_unit, quantize, total

# -- construction and bad input -------------------------------------------------------


def test_money_defaults_to_cny_and_keeps_the_exact_amount() -> None:
    m = Money("1234.565")
    assert m.currency == "CNY"
    assert m.amount == Decimal("1234.565")
    assert repr(m) == "Money('1234.565', 'CNY')"
    assert str(Money("1234567.5")) == "CNY 1,234,567.5"


def test_money_accepts_int_decimal_and_lower_case_currency() -> None:
    assert Money(5, "usd") == Money(Decimal("5.00"), "USD")
    assert Money(" 1_000 ").amount == Decimal(1000)


@pytest.mark.parametrize(
    ("args", "field", "fragment"),
    [
        ((0.1,), "amount", "floats are inexact"),
        (("abc",), "amount", "not a decimal number"),
        (("1", "XXX-bad"), "currency", "unknown currency"),
        (("NaN",), "amount", "not a finite number"),
        (("Infinity",), "amount", "not a finite number"),
        ((True,), "amount", "boolean"),
        ((None,), "amount", "NoneType"),
        (("1", 156), "currency", "unknown currency"),
        (("1e26",), "amount", "too large"),
        ((10**40,), "amount", "too large"),
        (("-1e15",), "amount", "too large"),
        (("1e-999999999",), "amount", "too many decimal places"),
    ],
)
def test_bad_money_input_gives_a_one_line_validation_error(
    args: tuple[object, ...], field: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as info:
        Money(*args)  # type: ignore[arg-type]
    err = info.value
    assert isinstance(err, KamError)
    assert isinstance(err, ValueError)
    assert err.field == field
    assert fragment in str(err)
    assert "\n" not in str(err)
    assert err.expected


def test_minor_unit_comes_from_the_currency() -> None:
    assert minor_unit("CNY") == 2
    assert minor_unit("jpy") == 0
    assert minor_unit("KWD") == 3
    assert Money("1", "JPY").minor_unit == 0
    with pytest.raises(ValidationError):
        minor_unit("ZZZ")


def test_every_known_currency_has_a_plausible_minor_unit() -> None:
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)
    assert set(CURRENCIES.values()) <= {0, 2, 3, 4}


# -- arithmetic -----------------------------------------------------------------------


@given(kst.money(), kst.money())
def test_addition_and_subtraction_are_exact(a: Money, b: Money) -> None:
    assert (a + b) - b == a
    assert a + b == b + a
    assert (a + b).amount == a.amount + b.amount


@given(st.lists(kst.money(), max_size=20))
def test_sum_of_money_is_exact(items: list[Money]) -> None:
    expected = sum((m.amount for m in items), Decimal(0))
    assert total(items).amount == expected
    assert sum(items, Money.zero()).amount == expected
    if items:
        assert sum(items).amount == expected  # builtin sum starting from 0


def test_mixing_currencies_is_an_error_for_every_operation() -> None:
    cny, usd = Money("1"), Money("1", "USD")
    for op in (
        lambda: cny + usd,
        lambda: cny - usd,
        lambda: cny < usd,
        lambda: cny <= usd,
        lambda: cny > usd,
        lambda: cny >= usd,
        lambda: cny / usd,
    ):
        with pytest.raises(ValidationError, match="different currencies"):
            op()
    assert cny != usd


def test_multiplication_and_division_by_numbers_and_rates() -> None:
    m = Money("100.00")
    assert m * 3 == Money("300.00")
    assert 3 * m == Money("300.00")
    assert m * Decimal("0.5") == Money("50.000")
    assert m * Rate.percent(8) == Money("8.00")
    assert Rate.percent(8) * m == Money("8.00")
    assert m / 4 == Money("25")
    assert m / Money("50") == Decimal(2)
    assert -m == Money("-100")
    assert abs(-m) == m
    assert +m is m
    assert not Money.zero()
    assert Money("0.01")


@pytest.mark.parametrize(
    "op",
    [
        lambda m: m * 0.5,
        lambda m: m * "2",
        lambda m: m * m,
        lambda m: m / 0,
        lambda m: m / Money("0"),
        lambda m: m / 0.5,
    ],
)
def test_bad_arithmetic_gives_a_validation_error(op: object) -> None:
    with pytest.raises(ValidationError):
        op(Money("1"))  # type: ignore[operator]


def test_money_does_not_add_plain_numbers() -> None:
    with pytest.raises(TypeError):
        Money("1") + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        1 + Money("1")  # type: ignore[operator]
    with pytest.raises(TypeError):
        Money("1") - 1  # type: ignore[operator]


def test_comparison_with_non_money_is_not_supported() -> None:
    with pytest.raises(TypeError):
        _ = Money("1") < 2  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Money("1") >= 2  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Money("1") > 2  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = Money("1") <= 2  # type: ignore[operator]


@given(kst.money(), kst.money())
def test_ordering_matches_the_amounts(a: Money, b: Money) -> None:
    assert (a < b) == (a.amount < b.amount)
    assert (a <= b) == (a.amount <= b.amount)
    assert (a > b) == (a.amount > b.amount)
    assert (a >= b) == (a.amount >= b.amount)


def test_equal_amounts_hash_equal() -> None:
    assert hash(Money("1.0")) == hash(Money("1.00"))
    assert len({Money("1.0"), Money("1.00"), Money("1", "USD")}) == 2


# -- rounding -------------------------------------------------------------------------

_MODES = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.CEILING: decimal.ROUND_CEILING,
    Rounding.FLOOR: decimal.ROUND_FLOOR,
}


@given(kst.amounts(places=6), kst.roundings(), st.integers(0, 4))
def test_rounding_policies_agree_with_decimal(
    amount: Decimal, policy: Rounding, places: int
) -> None:
    exp = Decimal(1).scaleb(-places)
    assert policy.apply(amount, places) == amount.quantize(exp, rounding=_MODES[policy])
    assert policy.decimal_mode == _MODES[policy]
    assert quantize(amount, places, policy) == amount.quantize(exp, rounding=_MODES[policy])


@given(kst.money(places=5), kst.roundings())
def test_money_round_gives_the_minor_unit(m: Money, policy: Rounding) -> None:
    r = m.round(policy)
    assert r.is_rounded
    assert r.amount == m.amount.quantize(Decimal("0.01"), rounding=_MODES[policy])
    assert abs(r.amount - m.amount) < Decimal("0.01")


def test_half_up_is_sishewuru_away_from_zero() -> None:
    assert Money("2.345").round() == Money("2.35")
    assert Money("-2.345").round() == Money("-2.35")
    assert Money("2.345").round(Rounding.HALF_EVEN) == Money("2.34")
    assert Money("1234.5").round(places=0) == Money("1235")
    assert Money("1234.5", "JPY").round() == Money("1235", "JPY")
    assert Rounding.HALF_UP.apply(Decimal("1250"), -2) == Decimal("1.3E+3")
    assert "四舍五入" in Rounding.HALF_UP.label


# -- allocation -----------------------------------------------------------------------


@given(
    kst.money(places=4),
    st.lists(st.integers(0, 1000), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
    kst.roundings(),
)
def test_allocation_parts_sum_exactly_to_the_rounded_whole(
    m: Money, weights: list[int], policy: Rounding
) -> None:
    parts = m.allocate(weights, policy)
    assert len(parts) == len(weights)
    assert sum(parts, Money.zero()) == m.round(policy)
    assert all(p.is_rounded for p in parts)
    unit = Decimal("0.01")
    whole = m.round(policy).amount
    for p, w in zip(parts, weights, strict=True):
        exact = whole * w / sum(weights)
        assert abs(p.amount - exact) < unit
        if w == 0:
            assert p.amount == 0


def test_allocation_is_deterministic_and_favours_earlier_parts_on_ties() -> None:
    assert Money("100").split(3) == (Money("33.34"), Money("33.33"), Money("33.33"))
    assert Money("-100").split(3) == (Money("-33.34"), Money("-33.33"), Money("-33.33"))
    assert Money("10").allocate([Rate.percent(70), Rate.percent(30)]) == (Money("7"), Money("3"))


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [0.5]])
def test_allocation_refuses_unusable_weights(weights: list[object]) -> None:
    with pytest.raises(ValidationError):
        Money("1").allocate(weights)  # type: ignore[arg-type]


@pytest.mark.parametrize("parts", [0, -1, True, "3"])
def test_split_needs_a_positive_whole_number(parts: object) -> None:
    with pytest.raises(ValidationError):
        Money("1").split(parts)  # type: ignore[arg-type]


# -- rates ----------------------------------------------------------------------------


def test_rate_percent_parse_and_text() -> None:
    assert Rate.percent(8) == Rate("0.08")
    assert Rate.parse("8%") == Rate("0.08")
    assert Rate.parse(" 12.5 %") == Rate("0.125")
    assert Rate.parse("0.1") == Rate("0.1")
    assert str(Rate.percent(8)) == "8%"
    assert str(Rate("0")) == "0%"
    assert repr(Rate("0.08")) == "Rate('0.08')"
    assert Rate("0.08") * Decimal(100) == Decimal("8.00")
    assert Decimal(100) * Rate("0.08") == Decimal("8.00")
    assert Rate("0.05") < Rate("0.08")


@pytest.mark.parametrize("value", [0.08, "eight", None])
def test_bad_rates_are_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        Rate(value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Rate.percent(value)  # type: ignore[arg-type]


@given(kst.rates(), kst.money())
def test_rate_times_money_is_exact(rate: Rate, m: Money) -> None:
    assert (rate * m).amount == m.amount * rate.value


def test_as_decimal_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        as_decimal(object(), field="budget")
    assert info.value.field == "budget"
    assert as_decimal(Decimal("1.5")) == Decimal("1.5")
    assert as_decimal(7) == 7


def test_format_spec_formats_the_amount() -> None:
    assert f"{Money('1234.5'):,.2f}" == "1,234.50"
    assert f"{Money('1')}" == "CNY 1"


def test_rounding_to_hundreds_gives_a_plain_integer_amount() -> None:
    m = Money("50043649.99").round(places=-2)
    assert m == Money("50043600")
    assert repr(m) == "Money('50043600', 'CNY')"
    assert str(Money("5.00436E+7")) == "CNY 50,043,600"


def test_the_largest_supported_amount_rounds_and_multiplies_exactly() -> None:
    top = Money("999999999999999.99")
    assert top.round() == top
    assert top * Rate("0.08333333333") == Money("83333333329999.9991666666667")  # exact
    assert sum(p.amount for p in top.allocate([1, 2])) == top.amount


def test_a_rounding_policy_is_named_by_member_or_value_only() -> None:
    assert Money("1.005").round("half_up") == Money("1.01")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="half_up, half_even") as info:
        Money("1").round("half-up")  # type: ignore[arg-type]
    assert info.value.field == "rounding"


def test_repr_shows_plain_digits_not_an_exponent() -> None:
    assert repr(Money("1e3")) == "Money('1000', 'CNY')"
    assert repr(Money("0.10")) == "Money('0.10', 'CNY')"
