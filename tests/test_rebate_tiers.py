"""Tier schedules and quotes: the source's rule, its ambiguity, and the batch paths."""

from __future__ import annotations

import decimal
from decimal import Decimal

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kamcore.rebate
from kamcore import codec
from kamcore.errors import KamError, PolicyError, ValidationError
from kamcore.money import Money, Rate, Rounding
from kamcore.presets import load_preset
from kamcore.rebate import (
    BreakpointOwner,
    RebateQuote,
    Tier,
    TierMode,
    TierSchedule,
    quote,
    quote_many,
    quotes_frame,
    rebate_cents,
    rebate_cents_array,
)
from kamcore.strategies import rebate_amounts, rebate_quotes, tier_schedules

SOURCE = load_preset("rebate_source", TierSchedule)
GRADUATED = attrs.evolve(SOURCE, mode=TierMode.GRADUATED)


def cny(amount: str) -> Money:
    return Money(amount)


# -- the preset --------------------------------------------------------------------------


def test_the_source_preset_is_the_three_tier_whole_amount_schedule() -> None:
    assert SOURCE.mode is TierMode.WHOLE_AMOUNT
    assert SOURCE.rounding is Rounding.HALF_UP
    assert SOURCE.breakpoints == (Decimal(200000), Decimal(1000000))
    assert [t.rate for t in SOURCE.tiers] == [Rate("0.05"), Rate("0.08"), Rate("0.10")]
    assert all(t.upper_owner is BreakpointOwner.HIGHER for t in SOURCE.tiers)
    assert (SOURCE.basis_label, SOURCE.base_label) == ("sales", "collected")


# -- worked examples (rules §3.1) -------------------------------------------------------


def test_sales_of_200000_with_180000_collected_earns_8_percent_of_collections() -> None:
    q = quote(SOURCE, basis="200000", base="180000")
    assert q.tier == 1
    assert q.rate == Rate("0.08")
    assert q.rebate == cny("14400.00")
    assert q.basis == cny("200000")
    assert q.base == cny("180000")
    assert q.to_next == cny("800000")
    assert q.rebate_at_next == cny("98000.00")  # 1,000,000 sales, 980,000 collected, 10%
    assert q.gain_at_next == cny("83600.00")


def test_sales_of_200000_fall_in_the_lower_tier_when_the_breakpoint_is_owned_below() -> None:
    lower = attrs.evolve(
        SOURCE,
        tiers=[
            attrs.evolve(SOURCE.tiers[0], upper_owner=BreakpointOwner.LOWER),
            *SOURCE.tiers[1:],
        ],
    )
    q = quote(lower, basis="200000", base="180000")
    assert q.tier == 0
    assert q.rebate == cny("9000.00")
    assert q.to_next == cny("0.01")
    assert q.rebate_at_next == cny("14400.00")  # 8% of 180,000.01 = 14,400.0008
    assert q.explain()[-1].startswith("next tier above 200,000 (0.01 more)")


def test_sales_of_199999_99_stay_in_the_first_tier_one_fen_below_the_cliff() -> None:
    q = quote(SOURCE, basis="199999.99")
    assert q.tier == 0
    assert q.exact == cny("9999.9995")
    assert q.rebate == cny("10000.00")  # half up to the fen
    assert q.to_next == cny("0.01")
    assert q.rebate_at_next == cny("16000.00")
    assert q.gain_at_next == cny("6000.00")
    collected = quote(SOURCE, basis="199999.99", base="180000")
    assert collected.rebate == cny("9000.00")


def test_sales_of_1000000_with_900000_collected_reach_the_top_tier() -> None:
    q = quote(SOURCE, basis=cny("1000000"), base=cny("900000"))
    assert q.tier == 2
    assert q.rebate == cny("90000.00")
    assert q.to_next is None
    assert q.next_breakpoint is None
    assert q.rebate_at_next is None
    assert q.gain_at_next is None
    assert q.explain()[-1] == "top tier reached"


def test_the_graduated_reading_of_1500000_is_124000() -> None:
    q = quote(GRADUATED, basis="1500000")
    assert q.rebate == cny("124000.00")
    assert [(s.basis, s.rate, s.rebate) for s in q.slices] == [
        (cny("200000"), Rate("0.05"), cny("10000.00")),
        (cny("800000"), Rate("0.08"), cny("64000.00")),
        (cny("500000"), Rate("0.10"), cny("50000.00")),
    ]
    assert q.effective_rate.value == Decimal("124000") / Decimal("1500000")
    assert "graduated total: 124,000.00 → 124,000.00 (half up (四舍五入))" in q.explain()


def test_a_graduated_rebate_spreads_the_base_over_the_basis_slices() -> None:
    q = quote(GRADUATED, basis="1500000", base="900000")
    assert q.rebate == cny("74400.00")  # 900,000 × 124,000 / 1,500,000
    assert sum((s.base for s in q.slices), Money.zero()) == cny("900000")
    assert sum((s.rebate for s in q.slices), Money.zero()) == q.exact


def test_a_graduated_rebate_on_zero_sales_uses_the_first_rate() -> None:
    q = quote(GRADUATED, basis="0", base="1000")
    assert q.rebate == cny("50.00")
    assert q.slices[0].base == cny("1000")


def test_a_whole_amount_quote_has_no_slices_and_its_rate_is_the_effective_rate() -> None:
    q = quote(SOURCE, basis="500000", base="0")
    assert q.slices == ()
    assert q.effective_rate == Rate("0.08")
    assert q.rebate == cny("0.00")


def test_explain_names_tier_rate_base_and_next_tier() -> None:
    lines = quote(SOURCE, basis="200000", base="180000").explain()
    assert lines == (
        "sales 200,000 reaches tier 2 (200,000–1,000,000) at 8%",
        "whole amount: 180,000 collected × 8% = 14,400.00 → 14,400.00 (half up (四舍五入))",
        "next tier at 1,000,000 (800,000 more): rebate there 98,000.00 (+83,600.00)",
    )


# -- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["basis", "base"])
def test_a_negative_amount_is_refused(field: str) -> None:
    kwargs = {"basis": "100", "base": "100", field: "-0.01"}
    with pytest.raises(ValidationError, match="negative amount") as info:
        quote(SOURCE, **kwargs)
    assert info.value.field == field


def test_negative_money_is_refused_too() -> None:
    with pytest.raises(ValidationError, match="negative amount"):
        quote(SOURCE, basis=Money("-1"))
    with pytest.raises(ValidationError, match="negative amount"):
        quote(SOURCE, basis=Money("1"), base=Money("-1"))


def test_float_and_foreign_money_are_refused() -> None:
    with pytest.raises(ValidationError, match="floats"):
        quote(SOURCE, basis=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="wrong currency"):
        quote(SOURCE, basis=Money("1", "USD"))


def tiers(*specs: tuple[int, int | None, str]) -> list[Tier]:
    return [Tier(lower=lo, upper=hi, rate=rate) for lo, hi, rate in specs]


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (((0, 100, "5%"), (90, None, "8%")), r"tiers\[1\]: tier 90\+ overlaps tier 0–100"),
        (((0, 100, "5%"), (120, None, "8%")), r"tiers\[1\]: gap between tier 0–100"),
        (((10, 100, "5%"), (100, None, "8%")), r"tiers\[0\]: the first tier 10–100 must start"),
        (((0, None, "5%"), (100, None, "8%")), r"tiers\[0\]: tier 0\+ is open-ended"),
        (((0, 100, "5%"), (100, 200, "8%")), r"tiers\[1\]: the last tier 100–200 must be open"),
    ],
)
def test_an_inconsistent_schedule_is_refused_naming_the_tier(
    specs: tuple[tuple[int, int | None, str], ...], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        TierSchedule(tiers=tiers(*specs))


@pytest.mark.parametrize("rate", ["101%", "-1%"])
def test_a_rate_outside_0_to_100_percent_is_refused_naming_the_tier(rate: str) -> None:
    with pytest.raises(PolicyError, match=r"^Tier 200,000–1,000,000: rate .* outside 0–100%"):
        Tier(lower=200000, upper=1000000, rate=rate)


def test_other_bad_tiers_and_schedules_are_refused() -> None:
    with pytest.raises(PolicyError, match="not above lower bound"):
        Tier(lower=100, upper=100, rate="5%")
    with pytest.raises(PolicyError, match="is negative"):
        Tier(lower=-1, upper=100, rate="5%")
    with pytest.raises(PolicyError, match="upper_owner"):
        Tier(lower=0, rate="5%", upper_owner="above")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="at least one tier"):
        TierSchedule(tiers=[])
    with pytest.raises(PolicyError, match="list of Tier"):
        TierSchedule(tiers="5%")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match=r"tiers\[0\]: expected a Tier"):
        TierSchedule(tiers=["5%"])  # type: ignore[list-item]
    with pytest.raises(PolicyError, match="mode"):
        TierSchedule(tiers=tiers((0, None, "5%")), mode="both")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="rounding"):
        TierSchedule(tiers=tiers((0, None, "5%")), rounding="up")  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="currency"):
        TierSchedule(tiers=tiers((0, None, "5%")), currency="XXX")
    with pytest.raises(PolicyError, match="more digits than the CNY minor unit"):
        TierSchedule(tiers=[Tier(lower=0, upper="0.001", rate="1%"), Tier(lower="0.001", rate=0)])


def test_a_schedule_from_bad_data_reports_a_kam_error() -> None:
    data = codec.to_dict(SOURCE)
    data["tiers"][1]["lower"] = "300000"
    with pytest.raises(KamError, match="gap between"):
        codec.from_dict(TierSchedule, data)


# -- properties ----------------------------------------------------------------------


@given(tier_schedules(mode=TierMode.GRADUATED), rebate_amounts(), st.integers(1, 10**6))
def test_a_graduated_rebate_is_continuous_and_monotone_in_the_base(
    schedule: TierSchedule, x: Decimal, step_cents: int
) -> None:
    y = x + Decimal(step_cents).scaleb(-2)
    lo, hi = quote(schedule, basis=x), quote(schedule, basis=y)
    assert lo.exact <= hi.exact
    assert lo.rebate <= hi.rebate
    assert hi.exact.amount - lo.exact.amount <= (y - x) * schedule.highest_rate.value


@given(tier_schedules(mode=TierMode.GRADUATED), rebate_amounts(), rebate_amounts())
def test_a_graduated_rebate_is_monotone_in_the_base_for_a_fixed_basis(
    schedule: TierSchedule, basis: Decimal, base: Decimal
) -> None:
    more = base + Decimal("0.01")
    assert (
        quote(schedule, basis=basis, base=base).exact
        <= quote(schedule, basis=basis, base=more).exact
    )


@given(tier_schedules(mode=TierMode.WHOLE_AMOUNT), rebate_amounts(), rebate_amounts())
def test_a_whole_amount_rebate_is_monotone_within_each_tier(
    schedule: TierSchedule, x: Decimal, y: Decimal
) -> None:
    lo, hi = sorted((x, y))
    q_lo, q_hi = quote(schedule, basis=lo), quote(schedule, basis=hi)
    assert q_lo.tier <= q_hi.tier  # more basis never reaches a lower tier
    # the larger amount as the base, at the smaller basis's tier: checked on every run
    kept = quote(schedule, basis=lo, base=hi)
    assert kept.tier == q_lo.tier
    assert q_lo.rebate <= kept.rebate
    assert kept.rebate == Money(hi * q_lo.rate.value).round(schedule.rounding)
    assert q_lo.tier != q_hi.tier or q_hi.rebate == kept.rebate  # one tier, one rate


@given(tier_schedules(mode=TierMode.WHOLE_AMOUNT), st.data())
def test_two_amounts_drawn_inside_one_tier_earn_monotone_rebates(
    schedule: TierSchedule, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(schedule.tiers) - 1))
    tier = schedule.tiers[i]
    top = tier.lower + 10**6 if tier.upper is None else tier.upper - Decimal("0.01")
    fen = st.integers(int(tier.lower * 100), int(top * 100)).map(lambda c: Decimal(c).scaleb(-2))
    # a breakpoint owned below belongs to the tier it ends, so the lower bound of the
    # next tier is not in it
    low = (
        fen
        if i == 0 or schedule.tiers[i - 1].upper_owner is BreakpointOwner.HIGHER
        else (fen.filter(lambda a: a > tier.lower))
    )
    x, y = sorted((data.draw(low), data.draw(low)))
    q_x, q_y = quote(schedule, basis=x), quote(schedule, basis=y)
    assert q_x.tier == q_y.tier == i
    assert q_x.rebate <= q_y.rebate


@given(tier_schedules(), rebate_amounts(), rebate_amounts())
def test_no_rebate_exceeds_the_base_times_the_highest_rate(
    schedule: TierSchedule, basis: Decimal, base: Decimal
) -> None:
    q = quote(schedule, basis=basis, base=base)
    ceiling = base * schedule.highest_rate.value
    assert q.exact.amount <= ceiling
    assert q.rebate.amount <= ceiling.quantize(Decimal("0.01"), rounding=decimal.ROUND_CEILING)
    assert q.rebate.amount >= 0


@given(tier_schedules(), st.lists(st.tuples(rebate_amounts(), rebate_amounts()), max_size=20))
def test_the_batch_paths_give_exactly_the_cents_of_quote(
    schedule: TierSchedule, rows: list[tuple[Decimal, Decimal]]
) -> None:
    basis = [b for b, _ in rows]
    base = [c for _, c in rows]
    expected = [quote(schedule, basis=b, base=c).rebate for b, c in rows]
    assert list(quote_many(schedule, basis, base)) == expected
    cents = [int(m.amount * 100) for m in expected]
    b_cents = [int(b * 100) for b in basis]
    c_cents = [int(c * 100) for c in base]
    assert rebate_cents(schedule, b_cents, c_cents) == cents
    array = rebate_cents_array(schedule, np.array(b_cents, dtype=np.int64), np.array(c_cents))
    assert array.tolist() == cents


@given(tier_schedules(), st.lists(rebate_amounts(), max_size=20))
def test_the_batch_paths_default_the_base_to_the_basis(
    schedule: TierSchedule, basis: list[Decimal]
) -> None:
    expected = [quote(schedule, basis=b).rebate for b in basis]
    assert list(quote_many(schedule, basis)) == expected
    cents = [int(b * 100) for b in basis]
    assert rebate_cents_array(schedule, np.array(cents, dtype=np.int64)).tolist() == [
        int(m.amount * 100) for m in expected
    ]


@given(tier_schedules())
def test_a_schedule_round_trips_through_the_codec(schedule: TierSchedule) -> None:
    assert codec.from_dict(TierSchedule, codec.to_dict(schedule)) == schedule


@given(rebate_quotes())
def test_a_quote_round_trips_through_the_codec(q: RebateQuote) -> None:
    assert codec.from_dict(RebateQuote, codec.to_dict(q)) == q


# -- batch path edges ----------------------------------------------------------------


def test_the_array_path_falls_back_to_exact_integers_when_int64_could_overflow() -> None:
    huge = 4 * 10**17
    got = rebate_cents_array(GRADUATED, np.array([huge]), np.array([huge - 1]))
    assert got.tolist() == rebate_cents(GRADUATED, [huge], [huge - 1])


def test_the_array_path_handles_empty_columns_and_lower_owned_breakpoints() -> None:
    assert rebate_cents_array(SOURCE, np.array([], dtype=np.int64)).tolist() == []
    lower = attrs.evolve(
        SOURCE,
        tiers=[
            attrs.evolve(SOURCE.tiers[0], upper_owner=BreakpointOwner.LOWER),
            *SOURCE.tiers[1:],
        ],
    )
    assert rebate_cents_array(lower, np.array([20_000_000, 20_000_001])).tolist() == [
        1_000_000,
        1_600_000,
    ]


def test_bad_batch_input_is_refused_naming_the_row() -> None:
    with pytest.raises(ValidationError, match="differ in length"):
        rebate_cents(SOURCE, [1, 2], [1])
    with pytest.raises(ValidationError) as info:
        rebate_cents(SOURCE, [1, -2])
    assert info.value.field == "basis_cents[1]"
    with pytest.raises(ValidationError) as info:
        rebate_cents(SOURCE, [1, 2], [1, -2])
    assert info.value.field == "base_cents[1]"
    with pytest.raises(ValidationError, match="whole minor units") as info:
        quote_many(SOURCE, ["1.005"])
    assert info.value.field == "basis[0]"
    with pytest.raises(ValidationError, match="differ in shape"):
        rebate_cents_array(SOURCE, np.array([1, 2]), np.array([1]))
    with pytest.raises(ValidationError, match="negative"):
        rebate_cents_array(SOURCE, np.array([1, -2]))


@pytest.mark.parametrize("rounding", list(Rounding))
def test_every_rounding_policy_gives_the_same_cents_on_both_paths(rounding: Rounding) -> None:
    schedule = attrs.evolve(SOURCE, rounding=rounding)
    amounts = ["199999.99", "199999.91", "12.34", "0.10", "0.30", "0.50", "1.70"]
    expected = [int(quote(schedule, basis=a).rebate.amount * 100) for a in amounts]
    cents = [int(Decimal(a) * 100) for a in amounts]
    assert rebate_cents(schedule, cents) == expected
    assert rebate_cents_array(schedule, np.array(cents)).tolist() == expected


def test_tier_index_honours_lower_owned_breakpoints_on_every_path() -> None:
    lower = attrs.evolve(
        SOURCE,
        tiers=[
            attrs.evolve(SOURCE.tiers[0], upper_owner=BreakpointOwner.LOWER),
            *SOURCE.tiers[1:],
        ],
    )
    assert lower.tier_index(Decimal(200000)) == 0
    assert lower.tier_index(Decimal("200000.01")) == 1
    assert rebate_cents(lower, [20_000_000, 20_000_001]) == [1_000_000, 1_600_000]


def test_the_integer_path_quotes_graduated_rebates_on_zero_sales() -> None:
    assert rebate_cents(GRADUATED, [0, 0], [100_000, 0]) == [5_000, 0]
    assert quote_many(GRADUATED, ["0"], ["1000"]) == (Money("50.00"),)


def test_every_preset_kind_resolves_through_the_policy_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kinds = {
        "rebate.tier_schedule": "kamcore.rebate._tiers:TierSchedule",
        "rebate.approval_chain": "kamcore.rebate._approval:ApprovalChain",
        "rebate.attainment_rule": "kamcore.rebate._assessment:AttainmentRule",
        "rebate.attendance_rule": "kamcore.rebate._assessment:AttendanceRule",
    }
    for kind, where in kinds.items():
        monkeypatch.setitem(codec.POLICY_KINDS, kind, where)
    assert load_preset("rebate_source") == SOURCE
    assert load_preset("rebate_approval_source") is not None
    for kind, where in kinds.items():
        cls = getattr(kamcore.rebate, where.split(":")[1])
        assert codec.policy_kind(cls) == kind


# -- explain in Chinese, the one boundary enum, the old names ------------------------------


def test_explain_in_chinese_names_tier_rate_base_and_next_tier() -> None:
    lines = quote(SOURCE, basis="200000", base="180000").explain(lang="zh")
    assert lines == (
        "销售额 200,000 达到第 2 档（200,000–1,000,000），返点率 8%",
        "全额累进：总收款 180,000 × 8% = 14,400.00 → 14,400.00（四舍五入）",
        "达到 1,000,000 进入下一档（还差 800,000）：届时返点 98,000.00（+83,600.00）",
    )
    assert quote(SOURCE, basis="1500000").explain(lang="zh")[-1] == "已达最高档"
    slices = quote(GRADUATED, basis="1500000").explain(lang="zh")
    assert "分段 0–200,000：200,000 × 5% = 10,000.00" in slices
    assert slices[-2] == "超额累进合计：124,000.00 → 124,000.00（四舍五入）"
    lower = attrs.evolve(
        SOURCE,
        tiers=[attrs.evolve(SOURCE.tiers[0], upper_owner=BreakpointOwner.LOWER), *SOURCE.tiers[1:]],
    )
    assert quote(lower, basis="150000").explain(lang="zh")[-1].startswith("超过 200,000 进入下一档")


def test_explain_in_english_is_the_default_and_another_language_is_refused() -> None:
    q = quote(SOURCE, basis="200000", base="180000")
    assert q.explain() == q.explain(lang="en")
    with pytest.raises(ValidationError, match="'en' or 'zh'") as info:
        q.explain(lang="fr")
    assert info.value.field == "lang"


def test_breakpoint_and_threshold_owners_are_one_enum() -> None:
    from kamcore._bands import BoundaryOwner
    from kamcore.grading import ThresholdOwner

    assert BreakpointOwner is ThresholdOwner is BoundaryOwner
    assert ThresholdOwner.ABOVE is BreakpointOwner.HIGHER
    assert ThresholdOwner.BELOW is BreakpointOwner.LOWER
    assert BreakpointOwner("above") is BreakpointOwner.HIGHER  # what ladder files say
    assert BreakpointOwner("below") is BreakpointOwner.LOWER
    data = codec.to_dict(SOURCE)
    data["tiers"][0]["upper_owner"] = "below"
    assert codec.from_dict(TierSchedule, data).tiers[0].upper_owner is BreakpointOwner.LOWER


@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=6, unique=True).map(sorted),
    st.lists(st.booleans(), min_size=6, max_size=6),
    st.integers(-1, 51),
)
def test_the_band_core_puts_a_value_on_a_bound_in_the_band_its_owner_says(
    bounds: list[int], owned: list[bool], value: int
) -> None:
    from kamcore._bands import BoundaryOwner, band_finder, locate

    lower_owned = owned[: len(bounds)]
    band = locate(bounds, lower_owned, value)
    below = sum(1 for b in bounds if b < value)
    on = value in bounds
    assert band == (below if on and lower_owned[bounds.index(value)] else below + on)
    for owner in BoundaryOwner:
        side = owner is BoundaryOwner.LOWER
        assert band_finder(bounds, owner)(value) == locate(bounds, [side] * len(bounds), value)


def test_the_old_names_still_work_and_warn() -> None:
    with pytest.warns(DeprecationWarning, match="renamed close_ledger"):
        assert kamcore.rebate.close is kamcore.rebate.close_ledger
    with pytest.warns(DeprecationWarning, match="renamed compute_commission"):
        old = kamcore.rebate.commission
    assert old is kamcore.rebate.compute_commission
    assert "close" not in kamcore.rebate.__all__
    assert "commission" not in kamcore.rebate.__all__


# -- the behaviours mutation testing asked for (issue 16) --------------------------------

#: The source's schedule with its second breakpoint (1,000,000) owned by the lower tier
#: and its first (200,000) by the higher tier, as the source writes it.
MIXED = attrs.evolve(
    SOURCE,
    tiers=[
        SOURCE.tiers[0],
        attrs.evolve(SOURCE.tiers[1], upper_owner=BreakpointOwner.LOWER),
        SOURCE.tiers[2],
    ],
)


def _quote_cents(schedule: TierSchedule, basis: list[int], base: list[int]) -> list[int]:
    return [
        int(
            quote(schedule, basis=Decimal(b).scaleb(-2), base=Decimal(c).scaleb(-2)).rebate.amount
            * 100
        )
        for b, c in zip(basis, base, strict=True)
    ]


@pytest.mark.parametrize("mode", list(TierMode))
def test_every_path_puts_a_basis_on_a_higher_owned_breakpoint_in_the_higher_tier(
    mode: TierMode,
) -> None:
    schedule = attrs.evolve(SOURCE, mode=mode)
    basis = [19_999_999, 20_000_000, 100_000_000]
    base = [10_000_000, 10_000_000, 10_000_000]
    expected = [500_000, 800_000, 1_000_000]  # 5%, 8%, 10% of the same 100,000 collected
    if mode is TierMode.GRADUATED:  # base × graduated rebate / basis
        expected = [500_000, 500_000, 740_000]
    assert rebate_cents(schedule, basis, base) == expected
    assert rebate_cents_array(schedule, np.array(basis), np.array(base)).tolist() == expected
    assert _quote_cents(schedule, basis, base) == expected


def test_every_path_keeps_a_lower_owned_breakpoint_other_than_the_first_in_the_lower_tier() -> None:
    basis = [19_999_999, 20_000_000, 99_999_999, 100_000_000, 100_000_001]
    assert [MIXED.tier_index(Decimal(b).scaleb(-2)) for b in basis] == [0, 1, 1, 1, 2]
    expected = [1_000_000, 1_600_000, 8_000_000, 8_000_000, 10_000_000]
    assert rebate_cents(MIXED, basis) == expected
    assert rebate_cents_array(MIXED, np.array(basis)).tolist() == expected
    assert _quote_cents(MIXED, basis, basis) == expected
    # the same rows when the base differs from the basis (one yuan collected each)
    ones = [100] * len(basis)
    assert rebate_cents_array(MIXED, np.array(basis), np.array(ones)).tolist() == [5, 8, 8, 8, 10]
    assert rebate_cents(MIXED, basis, ones) == [5, 8, 8, 8, 10]


@pytest.mark.parametrize("mode", list(TierMode))
def test_half_up_rounds_a_remainder_below_one_half_down_on_both_batch_paths(
    mode: TierMode,
) -> None:
    schedule = attrs.evolve(SOURCE, mode=mode, rounding=Rounding.HALF_UP)
    # 7 fen × 5% = 0.35 fen → 0; 10 fen × 5% = 0.5 → 1; 13 × 5% = 0.65 → 1
    cents = [7, 10, 13, 30, 50]
    expected = [0, 1, 1, 2, 3]
    assert rebate_cents(schedule, cents) == expected
    assert rebate_cents_array(schedule, np.array(cents)).tolist() == expected
    # a base apart from the basis: 7 fen collected on 1,000 fen of sales
    assert rebate_cents(schedule, [1_000, 1_000], [7, 10]) == [0, 1]
    assert rebate_cents_array(schedule, np.array([1_000, 1_000]), np.array([7, 10])).tolist() == [
        0,
        1,
    ]
    assert _quote_cents(schedule, [1_000, 1_000], [7, 10]) == [0, 1]


@pytest.mark.parametrize("mode", list(TierMode))
def test_half_even_rounds_a_half_up_from_an_odd_quotient_and_down_from_an_even_one(
    mode: TierMode,
) -> None:
    schedule = attrs.evolve(SOURCE, mode=mode, rounding=Rounding.HALF_EVEN)
    # 30 fen × 5% = 1.5 → 2 (odd quotient); 50 × 5% = 2.5 → 2; 10 × 5% = 0.5 → 0;
    # 70 × 5% = 3.5 → 4; 7 × 5% = 0.35 → 0; 13 × 5% = 0.65 → 1
    cents = [30, 50, 10, 70, 7, 13]
    expected = [2, 2, 0, 4, 0, 1]
    assert rebate_cents(schedule, cents) == expected
    assert rebate_cents_array(schedule, np.array(cents)).tolist() == expected
    assert _quote_cents(schedule, cents, cents) == expected
    spread = [1_000] * 3
    assert rebate_cents(schedule, spread, [30, 50, 70]) == [2, 2, 4]
    assert rebate_cents_array(schedule, np.array(spread), np.array([30, 50, 70])).tolist() == [
        2,
        2,
        4,
    ]


@pytest.mark.parametrize("rounding", [Rounding.UP, Rounding.CEILING, Rounding.DOWN, Rounding.FLOOR])
def test_directed_roundings_on_both_batch_paths(rounding: Rounding) -> None:
    schedule = attrs.evolve(SOURCE, rounding=rounding)
    up = rounding in (Rounding.UP, Rounding.CEILING)
    expected = [1, 1, 2, 1] if up else [0, 0, 1, 1]
    assert rebate_cents(schedule, [7, 10, 30, 20]) == expected
    assert rebate_cents_array(schedule, np.array([7, 10, 30, 20])).tolist() == expected


def test_the_array_path_returns_int64_on_every_branch() -> None:
    small = rebate_cents_array(SOURCE, np.array([7, 20_000_000]))
    assert small.dtype == np.int64
    assert small.tolist() == [0, 1_600_000]
    assert (
        rebate_cents_array(GRADUATED, np.array([7, 20_000_000]), np.array([7, 7])).dtype == np.int64
    )
    huge = 4 * 10**17
    fallback = rebate_cents_array(GRADUATED, np.array([huge]), np.array([huge - 1]))
    assert fallback.dtype == np.int64
    assert rebate_cents_array(SOURCE, np.array([], dtype=np.int64)).dtype == np.int64
    assert rebate_cents_array(SOURCE, []).dtype == np.int64
    # int32 and unsigned columns are read as int64
    assert rebate_cents_array(SOURCE, np.array([20_000_000], dtype=np.int32)).tolist() == [
        1_600_000
    ]
    assert rebate_cents_array(SOURCE, np.array([10], dtype=np.uint16)).tolist() == [1]


def test_the_array_path_falls_back_exactly_at_the_int64_guard() -> None:
    # whole amount: the bound is max(base) × max(rate numerator); just either side of it
    # the fast and the exact path must agree with quote()
    for basis in (2**40, 2**55, 2**58):
        got = rebate_cents_array(SOURCE, np.array([basis, 7]))
        assert got.tolist() == rebate_cents(SOURCE, [basis, 7])
        assert got.dtype == np.int64


def test_a_usd_base_against_a_cny_schedule_is_refused_naming_the_base() -> None:
    with pytest.raises(ValidationError, match="wrong currency") as info:
        quote(SOURCE, basis="300000", base=Money("100", "USD"))
    assert info.value.field == "base"
    assert "CNY" in info.value.expected
    with pytest.raises(ValidationError, match="wrong currency") as info:
        quote(SOURCE, basis=Money("300000", "USD"))
    assert info.value.field == "basis"
    with pytest.raises(ValidationError) as info:
        quote_many(SOURCE, ["300000"], [Money("100", "USD")])
    assert info.value.field == "base[0]"
    usd = attrs.evolve(SOURCE, currency="USD")
    q = quote(usd, basis=Money("300000", "USD"), base=Money("100", "USD"))
    assert q.rebate == Money("8.00", "USD")
    assert quote_many(usd, [Money("300000", "USD")], [Money("100", "USD")]) == (
        Money("8.00", "USD"),
    )


def test_a_jpy_schedule_quotes_in_whole_yen() -> None:
    jpy = attrs.evolve(SOURCE, currency="JPY")
    assert quote(jpy, basis="250000", base="7").rebate == Money("1", "JPY")  # 0.56 → 1
    assert quote_many(jpy, ["250000"], ["7"]) == (Money("1", "JPY"),)
    assert rebate_cents(jpy, [250_000], [7]) == [1]


def test_a_quote_at_zero_basis_and_base_is_zero_in_the_first_tier() -> None:
    for schedule in (SOURCE, GRADUATED):
        q = quote(schedule, basis="0")
        assert (q.tier, q.rebate, q.base) == (0, Money("0.00"), Money("0"))
        assert q.to_next == Money("200000")
    assert quote(GRADUATED, basis="0", base="100").rebate == Money("5.00")


def test_to_next_and_near_next_tier_honour_the_owner_and_the_near_share() -> None:
    q = quote(MIXED, basis="999999.99")
    assert q.to_next == Money("0.02")  # the next tier starts one fen above 1,000,000
    assert q.near_next_tier
    q = quote(SOURCE, basis="190476.19")  # 9,523.81 short: 5.00002% of the basis
    assert not q.near_next_tier
    q = quote(SOURCE, basis="190476.20")  # 9,523.80 short: just within 5%
    assert q.near_next_tier
    assert quote(SOURCE, basis="1000000").to_next is None
    assert not quote(SOURCE, basis="1000000").near_next_tier
    strict = attrs.evolve(SOURCE, near="0")
    assert not quote(strict, basis="199999.99").near_next_tier


def test_the_array_path_falls_back_with_the_base_kept_apart_from_the_basis() -> None:
    # a basis so large that int64 could overflow, a base of 7 fen: 10% of 7 fen → 1
    got = rebate_cents_array(SOURCE, np.array([4 * 10**17, 20_000_000]), np.array([7, 7]))
    assert got.tolist() == [1, 1]
    assert got.dtype == np.int64


def test_the_array_path_quotes_graduated_rebates_on_zero_sales() -> None:
    got = rebate_cents_array(GRADUATED, np.array([0, 0, 1]), np.array([100_000, 0, 10]))
    assert got.tolist() == [5_000, 0, 1]
    assert got.tolist() == rebate_cents(GRADUATED, [0, 0, 1], [100_000, 0, 10])


def test_a_quote_record_and_a_frame_of_quotes_hold_exact_values() -> None:
    top = quote(SOURCE, basis="1200000")
    assert top.record() == {
        "tier": "1,000,000+",
        "rate": Decimal("0.10"),
        "basis": Decimal("1200000"),
        "base": Decimal("1200000"),
        "rebate": Decimal("120000.00"),
        "currency": "CNY",
        "mode": "whole_amount",
        "to_next_tier": None,
        "rebate_at_next_tier": None,
    }
    quotes = [quote(SOURCE, basis="150000"), quote(SOURCE, basis="1200000", base="1000")]
    frame = quotes_frame(quotes, ids=["K-1", "K-2"])
    assert list(frame.columns) == ["account_id", *kamcore.rebate.QUOTE_COLUMNS]
    rows = frame.to_dict("records")
    assert [r["account_id"] for r in rows] == ["K-1", "K-2"]
    assert rows[0] == {"account_id": "K-1", **quotes[0].record()}
    assert rows[1]["rebate"] == Decimal("100.00")
    assert list(quotes_frame(quotes).columns) == list(kamcore.rebate.QUOTE_COLUMNS)
    assert list(quotes_frame([]).columns) == list(kamcore.rebate.QUOTE_COLUMNS)
    assert quotes_frame(quotes).to_dict("records") == [q.record() for q in quotes]


def test_explain_in_chinese_covers_graduated_lower_owned_and_top_tier_quotes() -> None:
    labelled = attrs.evolve(
        GRADUATED, basis_label="订单额", base_label="回款", rounding=Rounding.HALF_EVEN
    )
    assert quote(labelled, basis="300000", base="150000").explain(lang="zh") == (
        "订单额 300,000 达到第 2 档（200,000–1,000,000），返点率 8%",
        "分段 0–200,000：100,000 × 5% = 5,000.00",
        "分段 200,000–300,000：50,000 × 8% = 4,000.00",
        "超额累进合计：9,000.00 → 9,000.00（银行家舍入）",
        "达到 1,000,000 进入下一档（还差 700,000）：届时返点 62,900.00（+53,900.00）",
    )
    assert quote(MIXED, basis="500000").explain(lang="zh") == (
        "销售额 500,000 达到第 2 档（200,000–1,000,000），返点率 8%",
        "全额累进：总收款 500,000 × 8% = 40,000.00 → 40,000.00（四舍五入）",
        "超过 1,000,000 进入下一档（还差 500,000.01）：届时返点 100,000.00（+60,000.00）",
    )
    assert quote(SOURCE, basis="1200000").explain(lang="zh")[-1] == "已达最高档"
