# ruff: noqa: E501  (each message is pinned whole, on one line, as the user reads it)
"""Every bad input to the rebate package is a KamError that names its field (issue 16).

Each case pins the error's class, the field (``ValidationError.field``) or the policy
part (``PolicyError.part``) it names, and its whole message, so that no check can lose
its field or its words unnoticed (the mutation tests of ``docs/testing.md`` rely on it).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import pytest

from kamcore.calendar import Period
from kamcore.errors import KamError, PolicyError, ValidationError
from kamcore.money import Money, Rounding
from kamcore.presets import load_preset
from kamcore.rebate import (
    AttainmentRule,
    AttendanceRule,
    ComponentScore,
    Descriptor,
    DescriptorScale,
    LatenessBand,
    RebateRequest,
    ScorecardPolicy,
    ScoreLine,
    ScoreWeight,
    Target,
    Tier,
    TierSchedule,
    approve,
    assess_attainment,
    assess_attendance,
    attainment_points,
    combine_scores,
    promise,
    quote,
    quote_many,
    quotes_frame,
    rate_competency,
    rebate_cents,
    rebate_cents_array,
    reject,
    score_salesperson,
    submit,
)

SOURCE = load_preset("rebate_source", TierSchedule)
JPY = attrs.evolve(SOURCE, currency="JPY")
PLAN = Target(normal="1000000")
SCALE = load_preset("rebate_competency_communication", DescriptorScale)
ONE = ComponentScore(component="a", score=1, full_marks=2, lines=[ScoreLine("a", Decimal(1))])
TWO = ComponentScore(component="b", score=1, full_marks=2, lines=[ScoreLine("b", Decimal(1))])
CARD = ScorecardPolicy(weights=[ScoreWeight(component="a", weight=1)])
MARCH = Period.month(2026, 3)

CASES = [
    pytest.param(
        lambda: Tier(lower=0, rate="101%"),
        PolicyError,
        "0+",
        "Tier 0+: rate 101% is outside 0–100%",
        id="tier_rate_above_100",
    ),
    pytest.param(
        lambda: Tier(lower=0, rate="-1%"),
        PolicyError,
        "0+",
        "Tier 0+: rate -1% is outside 0–100%",
        id="tier_rate_negative",
    ),
    pytest.param(
        lambda: Tier(lower=-1, upper=5, rate="5%"),
        PolicyError,
        "-1–5",
        "Tier -1–5: lower bound -1 is negative",
        id="tier_lower_negative",
    ),
    pytest.param(
        lambda: Tier(lower=5, upper=5, rate="5%"),
        PolicyError,
        "5–5",
        "Tier 5–5: upper bound 5 is not above lower bound 5",
        id="tier_upper_equal_lower",
    ),
    pytest.param(
        lambda: Tier(lower=5, upper=4, rate="5%", label="small"),
        PolicyError,
        "small",
        "Tier small: upper bound 4 is not above lower bound 5",
        id="tier_upper_below_lower",
    ),
    pytest.param(
        lambda: Tier(lower=0, rate="5%", upper_owner="sideways"),
        PolicyError,
        "0+",
        "Tier 0+: upper_owner must be 'higher' or 'lower', not 'sideways'",
        id="tier_owner",
    ),
    pytest.param(
        lambda: Tier(lower=0.5, rate="5%"),
        ValidationError,
        "lower",
        "lower: floats are inexact and refused for money (got 0.5); expected a tier bound such as 200000",
        id="tier_lower_float",
    ),
    pytest.param(
        lambda: Tier(lower=0, upper="lots", rate="5%"),
        ValidationError,
        "upper",
        "upper: not a decimal number (got 'lots'); expected a tier bound such as 1000000, or None",
        id="tier_upper_text",
    ),
    pytest.param(
        lambda: TierSchedule(tiers="abc"),
        PolicyError,
        "tiers",
        "TierSchedule tiers: tiers must be a list of Tier, not str",
        id="schedule_tiers_not_list",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=None),
        PolicyError,
        "tiers",
        "TierSchedule tiers: tiers must be a list of Tier, not NoneType",
        id="schedule_tiers_none",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[]),
        PolicyError,
        "",
        "TierSchedule: a schedule needs at least one tier",
        id="schedule_no_tiers",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, upper=5, rate="5%"), "x"]),
        PolicyError,
        "tiers[1]",
        "TierSchedule tiers[1]: expected a Tier, got str",
        id="schedule_tier_not_tier",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=1, rate="5%")]),
        PolicyError,
        "tiers[0]",
        "TierSchedule tiers[0]: the first tier 1+ must start at 0, not 1",
        id="schedule_first_not_zero",
    ),
    pytest.param(
        lambda: TierSchedule(
            tiers=[Tier(lower=0, upper=100, rate="5%"), Tier(lower=90, rate="8%")]
        ),
        PolicyError,
        "tiers[1]",
        "TierSchedule tiers[1]: tier 90+ overlaps tier 0–100: it starts at 90, before 100",
        id="schedule_overlap",
    ),
    pytest.param(
        lambda: TierSchedule(
            tiers=[Tier(lower=0, upper=100, rate="5%"), Tier(lower=110, rate="8%")]
        ),
        PolicyError,
        "tiers[1]",
        "TierSchedule tiers[1]: gap between tier 0–100 and tier 110+: nothing covers 100 to 110",
        id="schedule_gap",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%"), Tier(lower=0, rate="8%")]),
        PolicyError,
        "tiers[0]",
        "TierSchedule tiers[0]: tier 0+ is open-ended but is not the last tier",
        id="schedule_open_not_last",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, upper=100, rate="5%")]),
        PolicyError,
        "tiers[0]",
        "TierSchedule tiers[0]: the last tier 0–100 must be open-ended (upper = None), so that every basis reaches a tier",
        id="schedule_last_closed",
    ),
    pytest.param(
        lambda: TierSchedule(
            tiers=[Tier(lower=0, upper="100.001", rate="5%"), Tier(lower="100.001", rate="8%")]
        ),
        PolicyError,
        "tiers[0]",
        "TierSchedule tiers[0]: breakpoint 100.001 has more digits than the CNY minor unit (2)",
        id="schedule_fine_breakpoint",
    ),
    pytest.param(
        lambda: TierSchedule(
            tiers=[Tier(lower=0, upper="100.5", rate="5%"), Tier(lower="100.5", rate="8%")],
            currency="JPY",
        ),
        PolicyError,
        "tiers[0]",
        "TierSchedule tiers[0]: breakpoint 100.5 has more digits than the JPY minor unit (0)",
        id="schedule_jpy_breakpoint",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%")], mode="cliff"),
        PolicyError,
        "mode",
        "TierSchedule mode: mode must be 'whole_amount' or 'graduated', not 'cliff'",
        id="schedule_mode",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%")], rounding="nearest"),
        PolicyError,
        "rounding",
        "TierSchedule rounding: rounding must be a Rounding policy, not 'nearest'",
        id="schedule_rounding",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%")], currency="XYZ"),
        PolicyError,
        "currency",
        "TierSchedule currency: unknown currency 'XYZ'; expected an ISO 4217 code such as 'CNY'",
        id="schedule_currency",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%")], currency=None),
        PolicyError,
        "currency",
        "TierSchedule currency: unknown currency None; expected an ISO 4217 code such as 'CNY'",
        id="schedule_currency_none",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%")], near="1.5"),
        PolicyError,
        "near",
        "TierSchedule near: near must be a share of the basis from 0 to 1, not 1.5",
        id="schedule_near",
    ),
    pytest.param(
        lambda: TierSchedule(tiers=[Tier(lower=0, rate="5%")], near="-0.1"),
        PolicyError,
        "near",
        "TierSchedule near: near must be a share of the basis from 0 to 1, not -0.1",
        id="schedule_near_negative",
    ),
    pytest.param(
        lambda: quote(None, basis="1"),
        ValidationError,
        "schedule",
        "schedule: a NoneType; expected a TierSchedule",
        id="quote_schedule_none",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=None),
        ValidationError,
        "basis",
        "basis: a NoneType is not a number; expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_none",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=Decimal("NaN")),
        ValidationError,
        "basis",
        "basis: not a finite number (got Decimal('NaN')); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_nan",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=Decimal("Infinity")),
        ValidationError,
        "basis",
        "basis: not a finite number (got Decimal('Infinity')); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_infinity",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=0.5),
        ValidationError,
        "basis",
        "basis: floats are inexact and refused for money (got 0.5); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_float",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis="-1"),
        ValidationError,
        "basis",
        "basis: negative amount (got '-1'); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_negative",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=Decimal("-1")),
        ValidationError,
        "basis",
        "basis: negative amount (got Decimal('-1')); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_negative_decimal",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=Money("-1")),
        ValidationError,
        "basis",
        "basis: negative amount (got Money('-1', 'CNY')); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_basis_negative_money",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis=Money("1", "USD")),
        ValidationError,
        "basis",
        "basis: wrong currency (got Money('1', 'USD')); expected money in CNY, the schedule's currency",
        id="quote_basis_usd",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis="1", base=Money("1", "USD")),
        ValidationError,
        "base",
        "base: wrong currency (got Money('1', 'USD')); expected money in CNY, the schedule's currency",
        id="quote_base_usd",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis="1", base="-0.01"),
        ValidationError,
        "base",
        "base: negative amount (got '-0.01'); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_base_negative",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis="1", base="many"),
        ValidationError,
        "base",
        "base: not a decimal number (got 'many'); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="quote_base_text",
    ),
    pytest.param(
        lambda: quote(SOURCE, basis="1").explain(lang="fr"),
        ValidationError,
        "lang",
        "lang: unknown language (got 'fr'); expected 'en' or 'zh'",
        id="explain_lang",
    ),
    pytest.param(
        lambda: quotes_frame([quote(SOURCE, basis="1"), "q"]),
        ValidationError,
        "quotes[1]",
        "quotes[1]: not a quote (got 'str'); expected a RebateQuote (from quote())",
        id="quotes_frame_item",
    ),
    pytest.param(
        lambda: quotes_frame(None),
        ValidationError,
        "quotes",
        "quotes: a NoneType, not a sequence; expected quotes from quote()",
        id="quotes_frame_none",
    ),
    pytest.param(
        lambda: quotes_frame([quote(SOURCE, basis="1")], ids=5),
        ValidationError,
        "ids",
        "ids: a int, not a sequence (got 5); expected one account id per quote",
        id="quotes_frame_ids_none",
    ),
    pytest.param(
        lambda: quotes_frame([quote(SOURCE, basis="1")], ids=["a", "b"]),
        ValidationError,
        "ids",
        "ids: a different number of ids (got 2); expected one id per quote (1)",
        id="quotes_frame_ids_count",
    ),
    pytest.param(
        lambda: rebate_cents(None, [1]),
        ValidationError,
        "schedule",
        "schedule: a NoneType; expected a TierSchedule",
        id="cents_schedule_none",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, None),
        ValidationError,
        "basis_cents",
        "basis_cents: a NoneType, not a sequence; expected a list of ints (minor units)",
        id="cents_basis_none",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [1], {"a": None}),
        ValidationError,
        "base_cents",
        "base_cents: a dict, not a sequence (got {'a': None}); expected a list of ints (minor units)",
        id="cents_base_mapping",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [1, 2], [1]),
        ValidationError,
        "base_cents",
        "base_cents: columns differ in length (got 1); expected 2 values, one per basis",
        id="cents_length",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [1, -2]),
        ValidationError,
        "basis_cents[1]",
        "basis_cents[1]: invalid value (got -2); expected a non-negative int (an amount in minor units)",
        id="cents_basis_negative",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [1, 2.0]),
        ValidationError,
        "basis_cents[1]",
        "basis_cents[1]: invalid value (got 2.0); expected a non-negative int (an amount in minor units)",
        id="cents_basis_float",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [True]),
        ValidationError,
        "basis_cents[0]",
        "basis_cents[0]: invalid value (got True); expected a non-negative int (an amount in minor units)",
        id="cents_basis_bool",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [1, 2], [1, -2]),
        ValidationError,
        "base_cents[1]",
        "base_cents[1]: invalid value (got -2); expected a non-negative int (an amount in minor units)",
        id="cents_base_negative",
    ),
    pytest.param(
        lambda: rebate_cents(SOURCE, [1, 2], [1, "2"]),
        ValidationError,
        "base_cents[1]",
        "base_cents[1]: invalid value (got '2'); expected a non-negative int (an amount in minor units)",
        id="cents_base_text",
    ),
    pytest.param(
        lambda: quote_many(None, ["1"]),
        ValidationError,
        "schedule",
        "schedule: a NoneType; expected a TierSchedule",
        id="many_schedule_none",
    ),
    pytest.param(
        lambda: quote_many(SOURCE, None),
        ValidationError,
        "basis",
        "basis: a NoneType, not a sequence; expected a list of amounts",
        id="many_basis_none",
    ),
    pytest.param(
        lambda: quote_many(SOURCE, ["1"], Decimal("NaN")),
        ValidationError,
        "base",
        "base: a Decimal, not a sequence (got Decimal('NaN')); expected a list of amounts",
        id="many_base_number",
    ),
    pytest.param(
        lambda: quote_many(SOURCE, ["1", "1.005"]),
        ValidationError,
        "basis[1]",
        "basis[1]: the batch path works in whole minor units (got '1.005'); expected an amount in whole minor units of CNY",
        id="many_fraction_of_a_fen",
    ),
    pytest.param(
        lambda: quote_many(SOURCE, ["1"], ["0.001"]),
        ValidationError,
        "base[0]",
        "base[0]: the batch path works in whole minor units (got '0.001'); expected an amount in whole minor units of CNY",
        id="many_base_fraction_of_a_fen",
    ),
    pytest.param(
        lambda: quote_many(JPY, ["1.5"]),
        ValidationError,
        "basis[0]",
        "basis[0]: the batch path works in whole minor units (got '1.5'); expected an amount in whole minor units of JPY",
        id="many_jpy_fraction",
    ),
    pytest.param(
        lambda: quote_many(SOURCE, [Decimal("NaN")]),
        ValidationError,
        "basis[0]",
        "basis[0]: not a finite number (got Decimal('NaN')); expected a non-negative amount: Money, a Decimal, an int or a decimal string",
        id="many_basis_nan",
    ),
    pytest.param(
        lambda: quote_many(SOURCE, [Money("1", "USD")]),
        ValidationError,
        "basis[0]",
        "basis[0]: wrong currency (got Money('1', 'USD')); expected money in CNY, the schedule's currency",
        id="many_basis_usd",
    ),
    pytest.param(
        lambda: rebate_cents_array(None, np.array([1])),
        ValidationError,
        "schedule",
        "schedule: a NoneType; expected a TierSchedule",
        id="array_schedule_none",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([1, 2]), np.array([1])),
        ValidationError,
        "base_cents",
        "base_cents: columns differ in shape (got (1,)); expected shape (2,), one per basis",
        id="array_shape",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([1, -2])),
        ValidationError,
        "basis_cents",
        "basis_cents: negative amount (got -2); expected non-negative amounts in minor units",
        id="array_basis_negative",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([1, 2]), np.array([3, -4])),
        ValidationError,
        "base_cents",
        "base_cents: negative amount (got -4); expected non-negative amounts in minor units",
        id="array_base_negative",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([1.5])),
        ValidationError,
        "basis_cents",
        "basis_cents: 1-d float64 (got array([1.5])); expected an array of integers (amounts in minor units) within int64",
        id="array_basis_float",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, None),
        ValidationError,
        "basis_cents",
        "basis_cents: 0-d object; expected an array of integers (amounts in minor units) within int64",
        id="array_basis_none",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, [Decimal("NaN")]),
        ValidationError,
        "basis_cents",
        "basis_cents: 1-d object (got [Decimal('NaN')]); expected an array of integers (amounts in minor units) within int64",
        id="array_basis_nan",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, [10**30]),
        ValidationError,
        "basis_cents",
        "basis_cents: 1-d object (got [1000000000000000000000000000000]); expected an array of integers (amounts in minor units) within int64",
        id="array_basis_huge",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([2**63], dtype=np.uint64)),
        ValidationError,
        "basis_cents",
        "basis_cents: too large (got 9223372036854775808); expected an array of integers (amounts in minor units) within int64",
        id="array_basis_uint64",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, [[1], [1, 2]]),
        ValidationError,
        "basis_cents",
        "basis_cents: ragged (got [[1], [1, 2]]); expected an array of integers (amounts in minor units) within int64",
        id="array_basis_ragged",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([[1]])),
        ValidationError,
        "basis_cents",
        "basis_cents: 2-d int64 (got array([[1]])); expected an array of integers (amounts in minor units) within int64",
        id="array_basis_2d",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([1]), np.array([True])),
        ValidationError,
        "base_cents",
        "base_cents: 1-d bool (got array([ True])); expected an array of integers (amounts in minor units) within int64",
        id="array_base_bool",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), Decimal("NaN")),
        ValidationError,
        "attainment",
        "attainment: not a finite number (got Decimal('NaN')); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_nan",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), Decimal("Infinity")),
        ValidationError,
        "attainment",
        "attainment: not a finite number (got Decimal('Infinity')); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_infinity",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), Decimal("-Infinity")),
        ValidationError,
        "attainment",
        "attainment: not a finite number (got Decimal('-Infinity')); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_minus_infinity",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), 0.9),
        ValidationError,
        "attainment",
        "attainment: a float is inexact (got 0.9); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_float",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), None),
        ValidationError,
        "attainment",
        "attainment: a NoneType is not a number; expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_none",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), True),
        ValidationError,
        "attainment",
        "attainment: a boolean is not a number (got True); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_bool",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), Decimal("-0.1")),
        ValidationError,
        "attainment",
        "attainment: negative (got Decimal('-0.1')); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_negative",
    ),
    pytest.param(
        lambda: attainment_points(AttainmentRule(), Fraction(-1, 3)),
        ValidationError,
        "attainment",
        "attainment: negative (got Fraction(-1, 3)); expected a non-negative ratio: a Decimal, a Fraction, an int or a decimal string",
        id="attainment_negative_fraction",
    ),
    pytest.param(
        lambda: attainment_points(None, Decimal("0.9")),
        ValidationError,
        "rule",
        "rule: a NoneType; expected an AttainmentRule",
        id="attainment_rule_none",
    ),
    pytest.param(
        lambda: assess_attainment(AttainmentRule(), actual="1", target=None),
        ValidationError,
        "target",
        "target: a NoneType; expected a Target",
        id="assess_target_none",
    ),
    pytest.param(
        lambda: assess_attainment(None, actual="1", target=PLAN),
        ValidationError,
        "rule",
        "rule: a NoneType; expected an AttainmentRule",
        id="assess_rule_none",
    ),
    pytest.param(
        lambda: assess_attainment(AttainmentRule(), actual="-1", target=PLAN),
        ValidationError,
        "actual",
        "actual: invalid value (got '-1'); expected a non-negative amount",
        id="assess_actual_negative",
    ),
    pytest.param(
        lambda: assess_attainment(AttainmentRule(), actual=Money("1", "USD"), target=PLAN),
        ValidationError,
        "actual",
        "actual: currency (got Money('1', 'USD')); expected money in CNY",
        id="assess_actual_usd",
    ),
    pytest.param(
        lambda: assess_attainment(AttainmentRule(), actual=1.5, target=PLAN),
        ValidationError,
        "actual",
        "actual: floats are inexact and refused for money (got 1.5); expected a decimal string such as '0.10', an int, or a decimal.Decimal",
        id="assess_actual_float",
    ),
    pytest.param(
        lambda: AttainmentRule(standard_score=0),
        PolicyError,
        "standard_score",
        "AttainmentRule standard_score: must be positive, not 0",
        id="rule_standard_score",
    ),
    pytest.param(
        lambda: AttainmentRule(standard_score=Decimal("NaN")),
        ValidationError,
        "standard_score",
        "standard_score: not a finite number (got Decimal('NaN')); expected a number such as 100 or '0.05'",
        id="rule_standard_score_nan",
    ),
    pytest.param(
        lambda: AttainmentRule(step=0),
        PolicyError,
        "step",
        "AttainmentRule step: must be a fraction of plan in (0, 1], not 0",
        id="rule_step_zero",
    ),
    pytest.param(
        lambda: AttainmentRule(step="1.5"),
        PolicyError,
        "step",
        "AttainmentRule step: must be a fraction of plan in (0, 1], not 1.5",
        id="rule_step_above_one",
    ),
    pytest.param(
        lambda: AttainmentRule(step=0.05),
        ValidationError,
        "step",
        "step: a float is inexact (got 0.05); expected a number such as 100 or '0.05'",
        id="rule_step_float",
    ),
    pytest.param(
        lambda: AttainmentRule(points_per_step=0),
        PolicyError,
        "points_per_step",
        "AttainmentRule points_per_step: must be positive, not 0",
        id="rule_points_per_step",
    ),
    pytest.param(
        lambda: AttainmentRule(max_bonus=-1),
        PolicyError,
        "max_bonus",
        "AttainmentRule max_bonus: a cap can't be negative (-1)",
        id="rule_max_bonus",
    ),
    pytest.param(
        lambda: AttainmentRule(max_deduction=-2),
        PolicyError,
        "max_deduction",
        "AttainmentRule max_deduction: a cap can't be negative (-2)",
        id="rule_max_deduction",
    ),
    pytest.param(
        lambda: AttainmentRule(max_deduction=2.5),
        ValidationError,
        "max_deduction",
        "max_deduction: a float is inexact (got 2.5); expected a number such as 100 or '0.05'",
        id="rule_max_deduction_float",
    ),
    pytest.param(
        lambda: AttainmentRule(partial="some"),
        PolicyError,
        "partial",
        "AttainmentRule partial: must be 'full_only' or 'pro_rata', not 'some'",
        id="rule_partial",
    ),
    pytest.param(
        lambda: AttainmentRule(places=99),
        ValidationError,
        "places",
        "places: above 10 (got 99); expected a whole number from 0 to 10",
        id="rule_places",
    ),
    pytest.param(
        lambda: AttainmentRule(places=2.0),
        ValidationError,
        "places",
        "places: a float (got 2.0); expected a whole number from 0 to 10",
        id="rule_places_float",
    ),
    pytest.param(
        lambda: AttainmentRule(rounding="nearest"),
        ValidationError,
        "rounding",
        "rounding: not a Rounding (got 'nearest'); expected one of: half_up, half_even, up, down, ceiling, floor",
        id="rule_rounding",
    ),
    pytest.param(
        lambda: Target(normal="0"),
        ValidationError,
        "normal",
        "normal: invalid value (got '0'); expected a positive target amount",
        id="target_zero",
    ),
    pytest.param(
        lambda: Target(normal="10", revised="-1"),
        ValidationError,
        "revised",
        "revised: invalid value (got '-1'); expected a positive target amount",
        id="target_revised_negative",
    ),
    pytest.param(
        lambda: Target(normal=Money("1000000"), revised=Money("150000", "USD")),
        ValidationError,
        "revised",
        "revised: wrong currency (got Money('150000', 'USD')); expected money in CNY, the normal target's currency",
        id="target_revised_usd",
    ),
    pytest.param(
        lambda: Target(normal="10", revision_approved="no"),
        ValidationError,
        "revision_approved",
        "revision_approved: invalid value (got 'no'); expected true or false",
        id="target_approved_text",
    ),
    pytest.param(
        lambda: Target(normal=None),
        ValidationError,
        "normal",
        "normal: a NoneType is not a number; expected a decimal string such as '0.10', an int, or a decimal.Decimal",
        id="target_none",
    ),
    pytest.param(
        lambda: AttendanceRule(lateness=None),
        ValidationError,
        "lateness",
        "lateness: not a sequence; expected a sequence of LatenessBand",
        id="attendance_lateness_none",
    ),
    pytest.param(
        lambda: AttendanceRule(lateness=[None]),
        ValidationError,
        "lateness[0]",
        "lateness[0]: wrong type; expected a LatenessBand",
        id="attendance_lateness_item",
    ),
    pytest.param(
        lambda: AttendanceRule(full_marks=0),
        PolicyError,
        "full_marks",
        "AttendanceRule full_marks: must be positive, not 0",
        id="attendance_full_marks",
    ),
    pytest.param(
        lambda: AttendanceRule(per_day_short=-1),
        PolicyError,
        "per_day_short",
        "AttendanceRule per_day_short: can't be negative (-1)",
        id="attendance_per_day_short",
    ),
    pytest.param(
        lambda: AttendanceRule(min_score=Decimal("NaN")),
        ValidationError,
        "min_score",
        "min_score: not a finite number (got Decimal('NaN')); expected a number such as 100 or '0.05'",
        id="attendance_min_score_nan",
    ),
    pytest.param(
        lambda: AttendanceRule(lateness=[LatenessBand(min_times=2, max_times=3, points=1)]),
        PolicyError,
        "lateness[0]",
        "AttendanceRule lateness[0]: must start at 1 times, not 2",
        id="attendance_band_start",
    ),
    pytest.param(
        lambda: AttendanceRule(
            lateness=[
                LatenessBand(min_times=1, max_times=3, points=1),
                LatenessBand(min_times=5, max_times=6, points=2),
            ]
        ),
        PolicyError,
        "lateness[1]",
        "AttendanceRule lateness[1]: must start at 4 times, not 5",
        id="attendance_band_gap",
    ),
    pytest.param(
        lambda: AttendanceRule(lateness=[LatenessBand(min_times=1, max_times=3, points=-1)]),
        PolicyError,
        "lateness[0]",
        "AttendanceRule lateness[0]: points can't be negative (-1)",
        id="attendance_band_points",
    ),
    pytest.param(
        lambda: AttendanceRule(
            lateness=[
                LatenessBand(min_times=1, max_times=None, points=1),
                LatenessBand(min_times=2, max_times=3, points=1),
            ]
        ),
        PolicyError,
        "lateness[0]",
        "AttendanceRule lateness[0]: only the last band may be open-ended",
        id="attendance_band_open",
    ),
    pytest.param(
        lambda: AttendanceRule(lateness=[LatenessBand(min_times=1, max_times=0, points=1)]),
        PolicyError,
        "lateness[0]",
        "AttendanceRule lateness[0]: ends (0) before it starts (1)",
        id="attendance_band_backwards",
    ),
    pytest.param(
        lambda: LatenessBand(min_times="1", max_times=3, points=1),
        ValidationError,
        "min_times",
        "min_times: a str (got '1'); expected a whole number",
        id="band_min_times_text",
    ),
    pytest.param(
        lambda: LatenessBand(min_times=1, max_times=3.0, points=1),
        ValidationError,
        "max_times",
        "max_times: a float (got 3.0); expected a whole number",
        id="band_max_times_float",
    ),
    pytest.param(
        lambda: LatenessBand(min_times=1, max_times=3, points=None),
        ValidationError,
        "points",
        "points: a NoneType is not a number; expected a number such as 100 or '0.05'",
        id="band_points_none",
    ),
    pytest.param(
        lambda: assess_attendance(None, days_short=0, times_late=0),
        ValidationError,
        "rule",
        "rule: a NoneType; expected an AttendanceRule",
        id="attendance_rule_none",
    ),
    pytest.param(
        lambda: assess_attendance(AttendanceRule(), days_short=-1, times_late=0),
        ValidationError,
        "days_short",
        "days_short: below 0 (got -1); expected a whole number ≥ 0",
        id="attendance_days_negative",
    ),
    pytest.param(
        lambda: assess_attendance(AttendanceRule(), days_short=0, times_late=1.0),
        ValidationError,
        "times_late",
        "times_late: a float (got 1.0); expected a whole number ≥ 0",
        id="attendance_late_float",
    ),
    pytest.param(
        lambda: assess_attendance(AttendanceRule(), days_short=0, times_late=7),
        ValidationError,
        "times_late",
        "times_late: the attendance rule does not say how to score this (got 7); expected at most 6 (the rule's bands); add a band for more",
        id="attendance_too_late",
    ),
    pytest.param(
        lambda: Descriptor(level=None, points=1),
        ValidationError,
        "level",
        "level: a NoneType; expected a string",
        id="descriptor_level_none",
    ),
    pytest.param(
        lambda: Descriptor(level="a", points=Decimal("NaN")),
        ValidationError,
        "points",
        "points: not a finite number (got Decimal('NaN')); expected a number such as 100 or '0.05'",
        id="descriptor_points_nan",
    ),
    pytest.param(
        lambda: Descriptor(level="a", points=2.5),
        ValidationError,
        "points",
        "points: a float is inexact (got 2.5); expected a number such as 100 or '0.05'",
        id="descriptor_points_float",
    ),
    pytest.param(
        lambda: Descriptor(level="a", points=1, description=None),
        ValidationError,
        "description",
        "description: a NoneType; expected a string",
        id="descriptor_description_none",
    ),
    pytest.param(
        lambda: DescriptorScale(name="s", descriptors=None),
        ValidationError,
        "descriptors",
        "descriptors: not a sequence; expected a sequence of Descriptor",
        id="scale_descriptors_none",
    ),
    pytest.param(
        lambda: DescriptorScale(name="s", descriptors=[Descriptor(level="a", points=1), "b"]),
        ValidationError,
        "descriptors[1]",
        "descriptors[1]: wrong type (got 'b'); expected a Descriptor",
        id="scale_descriptor_item",
    ),
    pytest.param(
        lambda: DescriptorScale(name="s", descriptors=[Descriptor(level="a", points=1)]),
        PolicyError,
        "scale 's'",
        "DescriptorScale scale 's': a scale needs at least two levels",
        id="scale_one_level",
    ),
    pytest.param(
        lambda: DescriptorScale(
            name="s", descriptors=[Descriptor(level="a", points=2), Descriptor(level=" ", points=1)]
        ),
        PolicyError,
        "scale 's'",
        "DescriptorScale scale 's': level ' ' is empty or repeated",
        id="scale_blank_level",
    ),
    pytest.param(
        lambda: DescriptorScale(
            name="s", descriptors=[Descriptor(level="a", points=2), Descriptor(level="a", points=1)]
        ),
        PolicyError,
        "scale 's'",
        "DescriptorScale scale 's': level 'a' is empty or repeated",
        id="scale_repeated_level",
    ),
    pytest.param(
        lambda: DescriptorScale(
            name="s",
            descriptors=[Descriptor(level="a", points=2), Descriptor(level="b", points=-1)],
        ),
        PolicyError,
        "scale 's'",
        "DescriptorScale scale 's': level 'b' has negative points",
        id="scale_negative_points",
    ),
    pytest.param(
        lambda: DescriptorScale(
            name="s", descriptors=[Descriptor(level="a", points=1), Descriptor(level="b", points=2)]
        ),
        PolicyError,
        "scale 's'",
        "DescriptorScale scale 's': level 'b' (2 points) is below 'a' but earns more (1); levels run from the top down",
        id="scale_rising_points",
    ),
    pytest.param(
        lambda: DescriptorScale(
            name=None,
            descriptors=[Descriptor(level="a", points=2), Descriptor(level="b", points=1)],
        ),
        ValidationError,
        "name",
        "name: a NoneType; expected a string",
        id="scale_name_none",
    ),
    pytest.param(
        lambda: rate_competency(None, "a"),
        ValidationError,
        "scale",
        "scale: a NoneType; expected a DescriptorScale",
        id="rate_scale_none",
    ),
    pytest.param(
        lambda: rate_competency(SCALE, "brilliant"),
        ValidationError,
        "level",
        "level: not a level of 'communication' (got 'brilliant'); expected one of: many techniques, resolves conflicts, some persuasion, clear",
        id="rate_unknown_level",
    ),
    pytest.param(
        lambda: rate_competency(SCALE, None),
        ValidationError,
        "level",
        "level: a NoneType; expected a non-blank string",
        id="rate_level_none",
    ),
    pytest.param(
        lambda: ScoreLine("a", 0.5),
        ValidationError,
        "points",
        "points: a float is inexact (got 0.5); expected a number such as 100 or '0.05'",
        id="line_points_float",
    ),
    pytest.param(
        lambda: ScoreLine(None, Decimal(1)),
        ValidationError,
        "item",
        "item: a NoneType; expected a string",
        id="line_item_none",
    ),
    pytest.param(
        lambda: ComponentScore(component="a", score=1, full_marks=1, lines=None),
        ValidationError,
        "lines",
        "lines: not a sequence; expected a sequence of ScoreLine",
        id="component_lines_none",
    ),
    pytest.param(
        lambda: ComponentScore(component="a", score=1, full_marks=1, lines=[None]),
        ValidationError,
        "lines[0]",
        "lines[0]: wrong type; expected a ScoreLine",
        id="component_line_item",
    ),
    pytest.param(
        lambda: ComponentScore(component="a", score=0, full_marks=0, lines=[]),
        ValidationError,
        "full_marks",
        "full_marks: invalid value (got Decimal('0')); expected a positive number",
        id="component_full_marks",
    ),
    pytest.param(
        lambda: ComponentScore(
            component="a", score=2, full_marks=5, lines=[ScoreLine("x", Decimal(1))]
        ),
        ValidationError,
        "lines",
        "lines: the explanation does not add up (got '1'); expected lines adding up to the score 2",
        id="component_does_not_add_up",
    ),
    pytest.param(
        lambda: ComponentScore(
            component=None, score=1, full_marks=1, lines=[ScoreLine("x", Decimal(1))]
        ),
        ValidationError,
        "component",
        "component: a NoneType; expected a non-blank string",
        id="component_name_none",
    ),
    pytest.param(
        lambda: ComponentScore(component="a", score=Decimal("NaN"), full_marks=1, lines=[]),
        ValidationError,
        "score",
        "score: not a finite number (got Decimal('NaN')); expected a number such as 100 or '0.05'",
        id="component_score_nan",
    ),
    pytest.param(
        lambda: combine_scores("c", None),
        ValidationError,
        "scores",
        "scores: not a sequence; expected a sequence of ComponentScore",
        id="combine_none",
    ),
    pytest.param(
        lambda: combine_scores("c", []),
        ValidationError,
        "scores",
        "scores: invalid value (got ()); expected at least one score",
        id="combine_empty",
    ),
    pytest.param(
        lambda: combine_scores("c", [ONE, "x"]),
        ValidationError,
        "scores[1]",
        "scores[1]: wrong type (got 'x'); expected a ComponentScore",
        id="combine_item",
    ),
    pytest.param(
        lambda: combine_scores(None, [ONE]),
        ValidationError,
        "component",
        "component: a NoneType; expected a non-blank string",
        id="combine_name",
    ),
    pytest.param(
        lambda: ScoreWeight(component="a", weight=0.5),
        ValidationError,
        "weight",
        "weight: a float is inexact (got 0.5); expected a number such as 100 or '0.05'",
        id="weight_float",
    ),
    pytest.param(
        lambda: ScorecardPolicy(weights=None),
        ValidationError,
        "weights",
        "weights: not a sequence; expected a sequence of ScoreWeight",
        id="policy_weights_none",
    ),
    pytest.param(
        lambda: ScorecardPolicy(weights=[None]),
        ValidationError,
        "weights[0]",
        "weights[0]: wrong type; expected a ScoreWeight",
        id="policy_weights_item",
    ),
    pytest.param(
        lambda: ScorecardPolicy(weights=[]),
        PolicyError,
        "",
        "ScorecardPolicy: a scorecard needs at least one component",
        id="policy_no_weights",
    ),
    pytest.param(
        lambda: ScorecardPolicy(
            weights=[
                ScoreWeight(component="a", weight="0.5"),
                ScoreWeight(component="a", weight="0.5"),
            ]
        ),
        PolicyError,
        "weights[1]",
        "ScorecardPolicy weights[1]: component 'a' is repeated or has weight ≤ 0",
        id="policy_repeated",
    ),
    pytest.param(
        lambda: ScorecardPolicy(
            weights=[ScoreWeight(component="a", weight=1), ScoreWeight(component="b", weight=0)]
        ),
        PolicyError,
        "weights[1]",
        "ScorecardPolicy weights[1]: component 'b' is repeated or has weight ≤ 0",
        id="policy_zero_weight",
    ),
    pytest.param(
        lambda: ScorecardPolicy(
            weights=[
                ScoreWeight(component="a", weight="0.5"),
                ScoreWeight(component="b", weight="0.4"),
            ]
        ),
        PolicyError,
        "weights",
        "ScorecardPolicy weights: weights sum to 0.9, not 1",
        id="policy_sum",
    ),
    pytest.param(
        lambda: ScorecardPolicy(weights=[ScoreWeight(component="a", weight=1)], places=-1),
        ValidationError,
        "places",
        "places: below 0 (got -1); expected a whole number from 0 to 10",
        id="policy_places",
    ),
    pytest.param(
        lambda: ScorecardPolicy(weights=[ScoreWeight(component="a", weight=1)], rounding=None),
        ValidationError,
        "rounding",
        "rounding: not a Rounding; expected one of: half_up, half_even, up, down, ceiling, floor",
        id="policy_rounding",
    ),
    pytest.param(
        lambda: score_salesperson(None, salesperson="li", period=MARCH, components=[ONE]),
        ValidationError,
        "policy",
        "policy: a NoneType; expected a ScorecardPolicy",
        id="score_policy_none",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson="li", period=None, components=[ONE]),
        ValidationError,
        "period",
        "period: a NoneType; expected a Period",
        id="score_period_none",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson=" ", period=MARCH, components=[ONE]),
        ValidationError,
        "salesperson",
        "salesperson: blank (got ' '); expected a non-blank string",
        id="score_salesperson_blank",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson="li", period=MARCH, components=None),
        ValidationError,
        "components",
        "components: not a sequence; expected a sequence of ComponentScore",
        id="score_components_none",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson="li", period=MARCH, components=[None]),
        ValidationError,
        "components[0]",
        "components[0]: wrong type; expected a ComponentScore",
        id="score_component_item",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson="li", period=MARCH, components=[ONE, ONE]),
        ValidationError,
        "components",
        "components: 'a' is given 2 times (got ['a']); expected each component exactly once",
        id="score_repeated",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson="li", period=MARCH, components=[]),
        ValidationError,
        "components",
        "components: missing ['a'], unexpected [] (got []); expected exactly: a",
        id="score_missing",
    ),
    pytest.param(
        lambda: score_salesperson(CARD, salesperson="li", period=MARCH, components=[ONE, TWO]),
        ValidationError,
        "components",
        "components: missing [], unexpected ['b'] (got ['a', 'b']); expected exactly: a",
        id="score_unexpected",
    ),
    pytest.param(
        lambda: Money("1").round(places=99),
        ValidationError,
        "places",
        "places: too many digits for the decimal context (got 99); expected at most 28 digits in all (here places ≤ 27)",
        id="money_round_places_99",
    ),
    pytest.param(
        lambda: Money("1").round(places=2.0),
        ValidationError,
        "places",
        "places: a float (got 2.0); expected a whole number of digits after the point",
        id="money_round_places_float",
    ),
    pytest.param(
        lambda: Money("1").round(places="2"),
        ValidationError,
        "places",
        "places: a str (got '2'); expected a whole number of digits after the point",
        id="money_round_places_text",
    ),
    pytest.param(
        lambda: Money("123456").round(places=23),
        ValidationError,
        "places",
        "places: too many digits for the decimal context (got 23); expected at most 28 digits in all (here places ≤ 22)",
        id="money_round_big_places",
    ),
    pytest.param(
        lambda: Rounding.HALF_UP.apply(Decimal(1), True),
        ValidationError,
        "places",
        "places: a bool (got True); expected a whole number of digits after the point",
        id="rounding_apply_bool",
    ),
]


@pytest.mark.parametrize(("make", "kind", "where", "message"), CASES)
def test_every_bad_input_is_a_kam_error_naming_its_field(
    make: Callable[[], object], kind: type[KamError], where: str, message: str
) -> None:
    with pytest.raises(KamError) as info:
        make()
    error = info.value
    assert type(error) is kind
    named = error.field if isinstance(error, ValidationError) else error.part  # type: ignore[attr-defined]
    assert named == where
    assert str(error) == message


# -- the inputs the issue lists, by name ------------------------------------------------


def test_money_rounded_to_more_places_than_the_context_holds_is_refused_naming_places() -> None:
    with pytest.raises(ValidationError, match="too many digits") as info:
        Money("1").round(places=99)
    assert (info.value.field, info.value.value) == ("places", 99)
    assert Money("1").round(places=27).amount == Decimal("1." + "0" * 27)  # the most there is


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_attainment_points_refuse_nan_and_infinities_naming_the_attainment(value: Decimal) -> None:
    with pytest.raises(ValidationError, match="not a finite number") as info:
        attainment_points(AttainmentRule(), value)
    assert info.value.field == "attainment"


def test_attainment_points_refuse_a_float_that_would_lose_a_step() -> None:
    # 0.9 as a float is 0.899999…: it used to score −1 where nine tenths scores −2
    assert attainment_points(AttainmentRule(), Decimal("0.9")) == -2
    assert attainment_points(AttainmentRule(), Fraction(9, 10)) == -2
    assert attainment_points(AttainmentRule(), "0.9") == -2  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="a float is inexact") as info:
        attainment_points(AttainmentRule(), 0.9)  # type: ignore[arg-type]
    assert info.value.field == "attainment"
    with pytest.raises(ValidationError) as info:
        attainment_points(AttainmentRule(), np.float64(0.9))  # type: ignore[arg-type]
    assert info.value.field == "attainment"


def test_a_descriptor_without_a_level_is_refused_naming_the_level() -> None:
    with pytest.raises(ValidationError) as info:
        Descriptor(level=None, points=1)  # type: ignore[arg-type]
    assert info.value.field == "level"


def test_an_attendance_rule_without_a_sequence_of_bands_is_refused_naming_lateness() -> None:
    with pytest.raises(ValidationError, match="not a sequence") as info:
        AttendanceRule(lateness=None)  # type: ignore[arg-type]
    assert info.value.field == "lateness"


def test_none_where_a_policy_or_record_is_expected_is_refused_naming_it() -> None:
    request, _ = submit(id="R-1", account="Acme", amount="1", by="li", at="2026-03-02T09:00")
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: quote(None, basis="1"), "schedule"),  # type: ignore[arg-type]
        (lambda: promise(None, by="li", at="2026-03-02T10:00"), "request"),  # type: ignore[arg-type]
        (
            lambda: submit(
                id="R", account="A", amount="1", by="li", at="2026-03-02T09:00", chain=None
            ),  # type: ignore[arg-type]
            "chain",
        ),
        (lambda: assess_attainment(AttainmentRule(), actual="1", target=None), "target"),  # type: ignore[arg-type]
        (lambda: approve(None, "ka_manager", by="wang", at="2026-03-02T10:00"), "request"),  # type: ignore[arg-type]
        (
            lambda: reject(None, "ka_manager", by="wang", at="2026-03-02T10:00", reason="no"),
            "request",
        ),  # type: ignore[arg-type]
        (lambda: approve(request, None, by="wang", at="2026-03-02T10:00"), "step"),  # type: ignore[arg-type]
        (
            lambda: approve(request, "ka_manager", by="wang", at="2026-03-02T10:00", note=None),
            "note",
        ),  # type: ignore[arg-type]
        (lambda: RebateRequest(id="R-1", account="A", amount="1", chain=None), "chain"),  # type: ignore[arg-type]
        (lambda: RebateRequest(id="R-1", account="A", amount="1", history=None), "history"),  # type: ignore[arg-type]
        (lambda: RebateRequest(id="R-1", account="A", amount="1", history=[None]), "history[0]"),  # type: ignore[list-item]
        (lambda: assess_attendance(None, days_short=0, times_late=0), "rule"),  # type: ignore[arg-type]
        (lambda: rate_competency(None, "clear"), "scale"),  # type: ignore[arg-type]
        (lambda: combine_scores("c", None), "scores"),  # type: ignore[arg-type]
        (lambda: quote_many(None, ["1"]), "schedule"),  # type: ignore[arg-type]
        (lambda: rebate_cents(None, [1]), "schedule"),  # type: ignore[arg-type]
        (lambda: rebate_cents_array(None, np.array([1])), "schedule"),  # type: ignore[arg-type]
        (lambda: quotes_frame(None), "quotes"),  # type: ignore[arg-type]
        (
            lambda: score_salesperson(None, salesperson="li", period=MARCH, components=[ONE]),
            "policy",
        ),  # type: ignore[arg-type]
    ]
    for call, field in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.field == field


def test_a_request_never_submitted_can_not_be_decided_or_promised() -> None:
    bare = RebateRequest(id="R-1", account="Acme", amount="1")
    for call in (
        lambda: approve(bare, "ka_manager", by="wang", at="2026-03-02T10:00"),
        lambda: reject(bare, "ka_manager", by="wang", at="2026-03-02T10:00", reason="no"),
        lambda: promise(bare, by="li", at="2026-03-02T10:00"),
    ):
        with pytest.raises(ValidationError, match="never submitted") as info:
            call()
        assert info.value.field == "request.history"


def test_rounding_policies_and_numbers_of_a_policy_are_checked_when_built() -> None:
    assert AttainmentRule(rounding="half_even").rounding is Rounding.HALF_EVEN  # type: ignore[arg-type]
    assert AttainmentRule(places=0).places == 0
    assert AttainmentRule(max_bonus="5").max_bonus == Decimal(5)  # type: ignore[arg-type]
    assert LatenessBand(min_times=7, max_times=None, points="3").points == Decimal(3)  # type: ignore[arg-type]


# -- a scorecard built by hand, and the batch edges ---------------------------------------

HALVES = ScorecardPolicy(
    weights=[ScoreWeight(component="a", weight="0.5"), ScoreWeight(component="b", weight="0.5")]
)
B2 = ComponentScore(component="b", score=2, full_marks=2, lines=[ScoreLine("b", Decimal(2))])
CARD_AB = score_salesperson(HALVES, salesperson="li", period=MARCH, components=[B2, ONE])

MORE_CASES = [
    pytest.param(
        lambda: attrs.evolve(CARD_AB, components=[B2, ONE]),
        ValidationError,
        "components",
        "components: components do not match the policy (got ['b', 'a']); expected one score for each of a, b, in that order",
        id="scorecard_components_order",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, contributions=(Decimal(25),)),
        ValidationError,
        "contributions",
        "contributions: wrong number of contributions (got 1); expected 2 contributions, one per component",
        id="scorecard_contributions_count",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, total=Decimal("75.01")),
        ValidationError,
        "total",
        "total: the total does not add up (got Decimal('75.01')); expected 75.00, the rounded sum of the contributions",
        id="scorecard_total",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, contributions=[Decimal(25), 0.5]),
        ValidationError,
        "contributions[1]",
        "contributions[1]: a float is inexact (got 0.5); expected a number such as 100 or '0.05'",
        id="scorecard_contribution_float",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, components=None),
        ValidationError,
        "components",
        "components: not a sequence; expected a sequence of ComponentScore",
        id="scorecard_components_none",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, policy=None),
        ValidationError,
        "policy",
        "policy: a NoneType; expected a ScorecardPolicy",
        id="scorecard_policy_none",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, period="2026-03"),
        ValidationError,
        "period",
        "period: a str (got '2026-03'); expected a Period",
        id="scorecard_period_text",
    ),
    pytest.param(
        lambda: attrs.evolve(CARD_AB, salesperson=" "),
        ValidationError,
        "salesperson",
        "salesperson: blank (got ' '); expected a non-blank string",
        id="scorecard_salesperson_blank",
    ),
    pytest.param(
        lambda: rebate_cents_array(SOURCE, np.array([0, 5]), np.array([1, -2])),
        ValidationError,
        "base_cents",
        "base_cents: negative amount (got -2); expected non-negative amounts in minor units",
        id="array_base_negative_with_a_zero_basis",
    ),
]


@pytest.mark.parametrize(("make", "kind", "where", "message"), MORE_CASES)
def test_a_hand_made_scorecard_and_batch_edges_are_refused_naming_the_field(
    make: Callable[[], object], kind: type[KamError], where: str, message: str
) -> None:
    test_every_bad_input_is_a_kam_error_naming_its_field(make, kind, where, message)


def test_a_scorecard_weighs_each_component_and_explains_every_point() -> None:
    assert CARD_AB.contributions == (Decimal(25), Decimal(50))
    assert str(CARD_AB.total) == "75.00"
    assert CARD_AB.explain() == (
        "a: 1 / 2 × 50% = 25.00",
        "  +1  a",
        "b: 2 / 2 × 50% = 50.00",
        "  +2  b",
        "total: 75.00",
    )
    with pytest.raises(ValidationError, match="'a' is given 2 times; 'b' is given 2 times") as info:
        score_salesperson(HALVES, salesperson="li", period=MARCH, components=[ONE, B2, ONE, B2])
    assert info.value.field == "components"
    with pytest.raises(ValidationError, match="expected exactly: a, b"):
        score_salesperson(HALVES, salesperson="li", period=MARCH, components=[ONE])
