"""Issue 16 for kamcore.pipeline: evidence ranges, Chinese labels, and every bad input a KamError.

* rules §5 — every fact kind of a playbook declares its allowed values or range, the
  presets declare them, and a value outside is refused when recorded (and replayed);
* a stage, an outcome or a buyer step may be named by its Chinese label;
* each public callable refuses ``None`` and wrong types with a ``KamError`` naming the field.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.errors import (
    KamError,
    PolicyError,
    RecordInvalid,
    TransitionNotAllowed,
    ValidationError,
)
from kamcore.money import Money
from kamcore.pipeline import (
    BuyerStep,
    EvidenceField,
    EvidenceRecorded,
    Fact,
    FactKind,
    ForecastCategory,
    Gate,
    GateKind,
    Involvement,
    Move,
    Opportunity,
    Outcome,
    Playbook,
    Reopen,
    Stage,
    advance,
    assess_alignment,
    calibrate,
    close_out,
    conversion,
    days_in_stage,
    find_stale,
    forecast,
    import_opportunity,
    log_activity,
    measure_velocity,
    misalignments,
    open_opportunity,
    record_buyer_step,
    record_evidence,
    reopen,
    replay_opportunity,
    revise_terms,
    to_mermaid,
    weighted_pipeline,
)
from kamcore.presets import load_preset
from kamcore.strategies import pipeline_fact_values, playbooks

D0 = date(2026, 3, 2)


@pytest.fixture(scope="module")
def sales() -> Playbook:
    return load_preset("pipeline_project_sales", Playbook)


@pytest.fixture(scope="module")
def development() -> Playbook:
    return load_preset("pipeline_account_development", Playbook)


def opened(pb: Playbook) -> Opportunity:
    opp, _ = open_opportunity(pb, id="o-1", account="acme", amount=Money("1000"), owner="li", on=D0)
    return opp


def tiny(**overrides: object) -> Playbook:
    args: dict[str, object] = {
        "name": "tiny",
        "stages": (Stage("lead", zh="线索", order=1, initial=True), Stage("deal", order=2)),
        "outcomes": (Outcome("won", won=True, from_stages=("deal",)), Outcome("lost", zh="丢单")),
        "moves": (Move("lead", "deal"),),
    }
    args.update(overrides)
    return Playbook(**args)  # type: ignore[arg-type]


# -- rules §5: pipeline facts carry ranges --------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("account_grade", "Z", "one of: A, B, C, D"),
        ("estimated_margin", 5, "a number from -1 to 1"),
        ("estimated_margin", Decimal("-1.01"), "a number from -1 to 1"),
        ("budget", Money("-5"), "an amount of money ≥ 0"),
        ("expected_contract_amount", Money("-1"), "an amount of money ≥ 0"),
        ("sales_expense_budget", Money("-0.01"), "an amount of money ≥ 0"),
    ],
)
def test_pipeline_facts_carry_ranges_in_the_project_sales_preset(
    sales: Playbook, field: str, value: object, allowed: str
) -> None:
    with pytest.raises(ValidationError) as info:
        record_evidence(sales, opened(sales), field, value, on=D0)
    assert info.value.field == field
    assert info.value.expected == allowed
    assert field in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("likelihood", 30),
        ("likelihood", Decimal("1.01")),
        ("likelihood", -1),
        ("estimated_value", Money("-1")),
        ("development_budget", Money("-1")),
        ("quote", Money("-1")),
    ],
)
def test_pipeline_facts_carry_ranges_in_the_account_development_preset(
    development: Playbook, field: str, value: object
) -> None:
    with pytest.raises(ValidationError) as info:
        record_evidence(development, opened(development), field, value, on=D0)
    assert info.value.field == field
    assert info.value.expected == development.field(field).allowed


def test_pipeline_facts_in_range_are_accepted_at_their_bounds(
    sales: Playbook, development: Playbook
) -> None:
    opp = opened(sales)
    for name, value in (
        ("estimated_margin", -1),
        ("estimated_margin", 1),
        ("budget", Money("0")),
        ("account_grade", "D"),
    ):
        opp, _ = record_evidence(sales, opp, name, value, on=D0)
    assert opp.evidence["estimated_margin"] == 1
    dev, _ = record_evidence(development, opened(development), "likelihood", "0.3", on=D0)
    assert dev.evidence["likelihood"] == Decimal("0.3")


def test_pipeline_fact_choices_read_another_case_as_the_declared_choice(sales: Playbook) -> None:
    opp, event = record_evidence(sales, opened(sales), "account_grade", " b ", on=D0)
    assert opp.evidence["account_grade"] == "B"
    assert isinstance(event, EvidenceRecorded)
    assert event.fact == Fact("account_grade", text="B")


def test_pipeline_facts_declare_ranges_in_both_presets(
    sales: Playbook, development: Playbook
) -> None:
    assert sales.field("account_grade").choices == ("A", "B", "C", "D")
    margin = sales.field("estimated_margin")
    assert (margin.minimum, margin.maximum) == (Decimal(-1), Decimal(1))  # a loss is a margin
    for name in ("budget", "expected_contract_amount", "sales_expense_budget"):
        assert sales.field(name).minimum == 0
    likelihood = development.field("likelihood")
    assert (likelihood.minimum, likelihood.maximum) == (Decimal(0), Decimal(1))
    for name in ("estimated_value", "development_budget", "quote"):
        assert development.field(name).minimum == 0
    # every number and money field of a preset is bounded below
    for pb in (sales, development):
        for f in pb.fields:
            if f.kind in (FactKind.NUMBER, FactKind.MONEY):
                assert f.minimum is not None, f.name


@pytest.mark.parametrize(
    ("field", "part", "words"),
    [
        (
            EvidenceField("m", FactKind.NUMBER, minimum=Decimal(1), maximum=Decimal(0)),
            "field 'm'",
            "the range is empty: minimum 1 is above maximum 0",
        ),
        (
            EvidenceField("m", FactKind.TEXT, minimum=Decimal(0)),
            "field 'm'",
            "a minimum or maximum is for a number or money field",
        ),
        (
            EvidenceField("m", FactKind.DATE, maximum=Decimal(0)),
            "field 'm'",
            "a minimum or maximum is for a number or money field",
        ),
        (
            EvidenceField("m", FactKind.NUMBER, choices=("A",)),
            "field 'm'",
            "choices are for a text field",
        ),
        (EvidenceField("m", choices=("A", "a")), "field 'm'", "choice 'a' is listed twice"),
        (EvidenceField("m", choices=("A", " ")), "field 'm'", "a choice is blank"),
    ],
)
def test_pipeline_fact_ranges_that_are_inconsistent_are_a_policy_error(
    field: EvidenceField, part: str, words: str
) -> None:
    with pytest.raises(PolicyError) as info:
        tiny(fields=(field,))
    assert info.value.policy == "Playbook"
    assert part in str(info.value)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("gate", "words"),
    [
        (
            Gate("floor", GateKind.MINIMUM, fields=("m",), minimum=Decimal(2)),
            "its minimum 2 is above the maximum 1 that field 'm' allows",
        ),
        (
            Gate("cap", GateKind.MAXIMUM, fields=("m",), maximum=Decimal(-1)),
            "its maximum -1 is below the minimum 0 that field 'm' allows",
        ),
    ],
)
def test_pipeline_fact_ranges_refuse_a_gate_that_could_never_pass(gate: Gate, words: str) -> None:
    field = EvidenceField("m", FactKind.NUMBER, minimum=Decimal(0), maximum=Decimal(1))
    with pytest.raises(PolicyError) as info:
        tiny(fields=(field,), gates=(gate,))
    assert f"gate {gate.name!r}" in str(info.value)
    assert words in str(info.value)


def test_pipeline_fact_ranges_round_trip_through_the_codec(sales: Playbook) -> None:
    field = sales.field("estimated_margin")
    data = codec.to_dict(field)
    assert (data["minimum"], data["maximum"], data["choices"]) == ("-1", "1", [])
    assert codec.from_dict(EvidenceField, data) == field
    grade = codec.to_dict(sales.field("account_grade"))
    assert grade["choices"] == ["A", "B", "C", "D"]
    assert codec.from_dict(Playbook, codec.to_dict(sales)) == sales


def test_pipeline_fact_ranges_in_a_policy_file_are_checked_when_it_loads() -> None:
    text = """
kind = "pipeline_playbook"
name = "broken"
[[stages]]
key = "lead"
initial = true
[[outcomes]]
key = "lost"
[[fields]]
name = "margin"
kind = "number"
minimum = "1"
maximum = "0"
"""
    with pytest.raises(RecordInvalid, match="field 'margin': the range is empty"):
        codec.loads_policy(text, Playbook)


def test_pipeline_fact_ranges_are_checked_when_a_history_is_replayed(sales: Playbook) -> None:
    opp, _ = record_evidence(sales, opened(sales), "account_grade", "A", on=D0)
    forged = EvidenceRecorded(
        "o-1", D0, "", "development", "development", fact=Fact.of("account_grade", "Z")
    )
    with pytest.raises(ValidationError) as info:
        replay_opportunity(sales, (*opp.history, forged))
    assert info.value.field == "events[2]"
    assert "account_grade" in str(info.value)
    unknown = EvidenceRecorded(
        "o-1", D0, "", "development", "development", fact=Fact.of("shoe", "42")
    )
    with pytest.raises(ValidationError, match="a field the playbook declares"):
        replay_opportunity(sales, (*opp.history, unknown))
    assert replay_opportunity(sales, opp.history) == opp


@given(data=st.data(), pb=playbooks(max_stages=3))
def test_pipeline_facts_drawn_for_a_field_are_always_recorded(
    data: st.DataObject, pb: Playbook
) -> None:
    field = data.draw(st.sampled_from(pb.fields))
    value = data.draw(pipeline_fact_values(field))
    opp, _ = open_opportunity(pb, id="o", account="a", amount=Money("1"), owner="li", on=D0)
    opp, _ = record_evidence(pb, opp, field.name, value, on=D0)
    assert replay_opportunity(pb, opp.history) == opp


# -- Chinese labels where a key has one -------------------------------------------------


def test_a_stage_named_by_its_chinese_label_is_read_as_its_key(
    sales: Playbook, development: Playbook
) -> None:
    opp = opened(development)
    for name, value in {"potential_need": "automation", "first_contact_on": D0}.items():
        opp, _ = record_evidence(development, opp, name, value, on=D0)
    moved, event = advance(development, opp, "提供演示/信息收集", on=D0)
    assert moved.stage == event.target == "demo_info"
    assert replay_opportunity(development, moved.history) == moved
    assert sales.stage("招投标").key == "bidding"
    assert sales.key("招投标") == "bidding"
    assert sales.key(" 招投标 ") == "bidding"
    assert sales.key("nothing") == "nothing"


def test_an_outcome_named_by_its_chinese_label_is_read_as_its_key(sales: Playbook) -> None:
    closed, event = close_out(sales, opened(sales), "项目取消结项", on=D0, reason="budget cut")
    assert closed.stage == "withdrawn"
    assert event.target == "withdrawn"
    back, again = reopen(sales, closed, "客户开发", on=D0, reason="budget restored")
    assert back.stage == again.target == "development"
    assert sales.outcome("丢标结项").key == "lost"


def test_a_buyer_step_and_an_imported_stage_may_be_named_by_their_chinese_labels(
    sales: Playbook,
) -> None:
    opp, event = record_buyer_step(sales, opened(sales), "招标与评标", on=D0)
    assert opp.buyer_step == event.target == "tender"
    imported = import_opportunity(
        sales, id="o-2", account="acme", amount=Money("1"), owner="li", on=D0, stage="提案"
    )
    assert imported.stage == "proposal"


def test_an_unknown_stage_lists_the_accepted_keys_with_their_chinese_labels(
    sales: Playbook,
) -> None:
    with pytest.raises(TransitionNotAllowed) as moved:
        advance(sales, opened(sales), "谈判", on=D0)
    assert "development (客户开发), initiation (立项), proposal (提案), bidding (招投标)" in str(
        moved.value
    )
    with pytest.raises(ValidationError) as looked_up:
        sales.stage("谈判")
    assert looked_up.value.field == "stage"
    assert "bidding (招投标)" in looked_up.value.expected
    with pytest.raises(ValidationError) as closed:
        close_out(sales, opened(sales), "输了", on=D0, reason="x")
    assert closed.value.field == "outcome"
    assert "lost (丢标结项)" in closed.value.expected
    with pytest.raises(ValidationError) as imported:
        import_opportunity(
            sales, id="o", account="a", amount=Money("1"), owner="li", on=D0, stage="谈判"
        )
    assert imported.value.field == "stage"
    assert "won (验收结项)" in imported.value.expected


def test_a_chinese_label_names_one_stage_or_outcome() -> None:
    with pytest.raises(PolicyError, match="the Chinese label '线索' also names 'lead'"):
        tiny(outcomes=(Outcome("won", won=True, from_stages=("deal",)), Outcome("lost", zh="线索")))
    with pytest.raises(PolicyError, match="label 'won' also names 'won'"):
        tiny(stages=(Stage("lead", zh="won", initial=True), Stage("deal")))
    with pytest.raises(PolicyError, match="buyer step 'b'"):
        tiny(buyer_steps=(BuyerStep("a", zh="招标"), BuyerStep("b", zh="招标")))


@pytest.mark.parametrize(
    ("cls", "label", "member"),
    [
        (ForecastCategory, "承诺", ForecastCategory.COMMIT),
        (ForecastCategory, "管道", ForecastCategory.PIPELINE),
        (ForecastCategory, "Best_Case", ForecastCategory.BEST_CASE),
        (Involvement, "高", Involvement.HIGH),
        (Involvement, "低→中", Involvement.LOW_TO_MEDIUM),
    ],
)
def test_pipeline_enums_read_their_chinese_names(cls: Any, label: str, member: object) -> None:
    assert cls(label) is member
    assert codec.from_dict(cls, label) is member
    assert Stage("s", forecast=label if cls is ForecastCategory else "pipeline").forecast is (
        member if cls is ForecastCategory else ForecastCategory.PIPELINE
    )


def test_an_unknown_pipeline_enum_value_lists_both_languages() -> None:
    with pytest.raises(ValidationError) as info:
        Stage("s", forecast="maybe")
    assert info.value.field == "forecast"
    assert "commit (承诺)" in info.value.expected
    with pytest.raises(ValidationError) as involvement:
        Stage("s", involvement="total")
    assert involvement.value.field == "involvement"
    assert "high (高)" in involvement.value.expected
    assert ForecastCategory.COMMIT.value == "commit"


# -- every bad input a clear error --------------------------------------------------------


def _opp_calls(
    pb: Playbook, opp: Opportunity, closed: Opportunity
) -> dict[str, Callable[..., Any]]:
    """Each operation, called with its playbook and opportunity given as ``p`` and ``o``."""
    return {
        "advance": lambda p, o: advance(p, o, "initiation", on=D0),
        "close_out": lambda p, o: close_out(p, o, "withdrawn", on=D0, reason="x"),
        "reopen": lambda p, o: reopen(
            p, o if o is not opp else closed, "development", on=D0, reason="x"
        ),
        "log_activity": lambda p, o: log_activity(p, o, "visit", on=D0),
        "record_evidence": lambda p, o: record_evidence(p, o, "needs", "x", on=D0),
        "record_buyer_step": lambda p, o: record_buyer_step(p, o, "need", on=D0),
        "revise_terms": lambda p, o: revise_terms(p, o, on=D0, reason="x", owner="wang"),
        "assess_alignment": assess_alignment,
    }


OPERATIONS = (
    "advance",
    "close_out",
    "reopen",
    "log_activity",
    "record_evidence",
    "record_buyer_step",
    "revise_terms",
    "assess_alignment",
)


@pytest.mark.parametrize("name", OPERATIONS)
@pytest.mark.parametrize("wrong", [None, "project_sales", 5])
def test_none_where_a_playbook_is_expected_is_a_validation_error_naming_it(
    sales: Playbook, name: str, wrong: object
) -> None:
    opp = opened(sales)
    closed, _ = close_out(sales, opp, "withdrawn", on=D0, reason="x")
    call = _opp_calls(sales, opp, closed)[name]
    with pytest.raises(ValidationError) as info:
        call(wrong, opp)
    assert info.value.field == "playbook"
    assert "Playbook" in info.value.expected


@pytest.mark.parametrize("name", OPERATIONS)
@pytest.mark.parametrize("wrong", [None, "o-1", {"id": "o-1"}])
def test_none_where_an_opportunity_is_expected_is_a_validation_error_naming_it(
    sales: Playbook, name: str, wrong: object
) -> None:
    opp = opened(sales)
    closed, _ = close_out(sales, opp, "withdrawn", on=D0, reason="x")
    call = _opp_calls(sales, opp, closed)[name]
    with pytest.raises(ValidationError) as info:
        call(sales, wrong)
    assert info.value.field == "opp"
    assert "Opportunity" in info.value.expected


@pytest.mark.parametrize(
    "call",
    [
        lambda pb: open_opportunity(pb, id="o", account="a", amount=Money("1"), owner="li", on=D0),
        lambda pb: import_opportunity(
            pb, id="o", account="a", amount=Money("1"), owner="li", on=D0, stage="proposal"
        ),
        lambda pb: replay_opportunity(pb, ()),
        to_mermaid,
    ],
    ids=["open_opportunity", "import_opportunity", "replay_opportunity", "to_mermaid"],
)
def test_none_where_a_playbook_is_expected_by_open_import_replay_is_refused(call: Any) -> None:
    with pytest.raises(ValidationError) as info:
        call(None)
    assert info.value.field == "playbook"


ANALYTICS = {
    "forecast": forecast,
    "find_stale": lambda pb, opps: find_stale(pb, opps, as_of=D0),
    "weighted_pipeline": weighted_pipeline,
    "conversion": conversion,
    "calibrate": calibrate,
    "measure_velocity": measure_velocity,
    "misalignments": misalignments,
}


@pytest.mark.parametrize("name", sorted(ANALYTICS))
def test_the_analytics_refuse_none_for_the_playbook_and_the_opportunities(
    sales: Playbook, name: str
) -> None:
    opp = opened(sales)
    closed, _ = close_out(sales, opp, "withdrawn", on=D0, reason="x")
    call = ANALYTICS[name]
    with pytest.raises(ValidationError) as no_playbook:
        call(None, [opp, closed])
    assert no_playbook.value.field == "playbook"
    with pytest.raises(ValidationError) as no_list:
        call(sales, None)
    assert no_list.value.field == "opportunities"
    with pytest.raises(ValidationError) as a_none:
        call(sales, [opp, None])
    assert a_none.value.field == "opportunities[1]"
    with pytest.raises(ValidationError) as a_string:
        call(sales, "o-1")
    assert a_string.value.field == "opportunities"
    assert call(sales, iter([opp, closed])) is not None  # any iterable still works


@pytest.mark.parametrize("name", ["conversion", "calibrate"])
def test_an_opportunity_of_another_playbook_is_refused_by_history_analytics(
    sales: Playbook, development: Playbook, name: str
) -> None:
    stranger, _ = close_out(development, opened(development), "withdrawn", on=D0, reason="x")
    with pytest.raises(ValidationError) as info:
        ANALYTICS[name](sales, [stranger])
    assert info.value.field == "opportunities[0]"
    assert "does not have" in str(info.value)


def test_analytics_options_of_the_wrong_type_are_refused_naming_them(sales: Playbook) -> None:
    opp = opened(sales)
    with pytest.raises(ValidationError) as period:
        forecast(sales, [opp], period=5)  # type: ignore[arg-type]
    assert period.value.field == "period"
    with pytest.raises(ValidationError) as by:
        weighted_pipeline(sales, [opp], by=None)  # type: ignore[arg-type]
    assert by.value.field == "by"
    with pytest.raises(ValidationError) as by_item:
        weighted_pipeline(sales, [opp], by=("owner", 3))  # type: ignore[arg-type]
    assert by_item.value.field == "by[1]"
    with pytest.raises(ValidationError) as kind:
        weighted_pipeline(sales, [opp], period="fortnight")  # type: ignore[arg-type]
    assert kind.value.field == "period"
    with pytest.raises(ValidationError) as currency:
        measure_velocity(sales, [opp], currency=5)  # type: ignore[arg-type]
    assert currency.value.field == "currency"
    (row,) = weighted_pipeline(sales, [opp], by="owner")  # type: ignore[arg-type]
    assert (row.owner, row.period) == ("li", "*")
    with pytest.raises(ValidationError) as as_of:
        days_in_stage(None, D0)  # type: ignore[arg-type]
    assert as_of.value.field == "opp"


@pytest.mark.parametrize(
    ("fatal", "field"),
    [
        (None, "fatal_factors"),
        (5, "fatal_factors"),
        ({"price": 1}, "fatal_factors"),
        (["price", None], "fatal_factors[1]"),
        (["price", " "], "fatal_factors[1]"),
    ],
)
def test_close_out_fatal_factors_must_be_a_list_of_texts(
    sales: Playbook, fatal: object, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        close_out(sales, opened(sales), "withdrawn", on=D0, reason="x", fatal_factors=fatal)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("estimated_margin", Decimal("NaN"), "not a finite number"),
        ("estimated_margin", Decimal("Infinity"), "not a finite number"),
        ("estimated_margin", Decimal("-Infinity"), "not a finite number"),
        ("estimated_margin", 0.5, "a float is inexact"),
        ("estimated_margin", 10**400, "too large"),
        ("estimated_margin", True, "a boolean is not a number"),
        ("estimated_margin", None, "a NoneType is not a number"),
        ("estimated_margin", "lots", "not a decimal number"),
        ("budget", 1000.0, ""),
        ("budget", None, ""),
        ("account_grade", None, ""),
        ("shortlisted_on", 20260302, ""),
    ],
)
def test_numeric_evidence_refuses_nan_infinity_floats_and_huge_numbers(
    sales: Playbook, field: str, value: object, problem: str
) -> None:
    with pytest.raises(ValidationError) as info:
        record_evidence(sales, opened(sales), field, value, on=D0)
    assert info.value.field == field
    assert problem in str(info.value)
    assert "money" not in (info.value.problem or "")  # a margin is not money


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (1000.0, "not money"),
        (None, "not money"),
        (Decimal("1000"), "not money"),
        (Money("-1"), "negative"),
    ],
)
def test_amounts_must_be_money_that_is_finite_and_not_negative(
    sales: Playbook, amount: object, problem: str
) -> None:
    with pytest.raises(ValidationError) as opening:
        open_opportunity(sales, id="o", account="a", amount=amount, owner="li", on=D0)  # type: ignore[arg-type]
    assert opening.value.field == "amount"
    assert problem in str(opening.value)
    if amount is None:
        return  # revise_terms reads amount=None as "unchanged"
    with pytest.raises(ValidationError) as terms:
        revise_terms(sales, opened(sales), on=D0, reason="x", amount=amount)  # type: ignore[arg-type]
    assert terms.value.field == "amount"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Stage("s", order="1"), "order"),
        (lambda: Stage("s", max_days="30"), "max_days"),
        (lambda: Stage("s", max_days=2.5), "max_days"),
        (lambda: Stage("s", probability="lots"), "probability"),
        (lambda: Stage("s", probability=0.5), "probability"),
        (lambda: Stage("s", initial="yes"), "initial"),
        (lambda: Stage("s", gates=None), "gates"),
        (lambda: Stage("s", participants=[None]), "participants[0]"),
        (lambda: Stage(None), "key"),
        (lambda: Stage("s", zh=5), "zh"),
        (lambda: Outcome("won", won="no"), "won"),
        (lambda: Outcome("won", requires_fatal_factors=1), "requires_fatal_factors"),
        (lambda: Outcome("won", from_stages="bidding"), "from_stages"),
        (lambda: Move(None, "b"), "source"),
        (lambda: Move("a", ""), "target"),
        (lambda: Reopen("lost", None), "target"),
        (lambda: BuyerStep("b", order=None), "order"),
        (lambda: Gate("g", kind="bogus"), "kind"),
        (lambda: Gate("g", fields=None), "fields"),
        (lambda: Gate("g", GateKind.MINIMUM, fields=("m",), minimum=Decimal("NaN")), "minimum"),
        (lambda: Gate("g", GateKind.MAXIMUM, fields=("m",), maximum=0.5), "maximum"),
        (lambda: Gate("g", params=None), "params"),
        (lambda: Gate("g", params=[("a",)]), "params[0]"),
        (lambda: EvidenceField("f", kind="bogus"), "kind"),
        (lambda: EvidenceField("f", FactKind.NUMBER, minimum=Decimal("Infinity")), "minimum"),
        (lambda: EvidenceField("f", FactKind.NUMBER, maximum=0.5), "maximum"),
        (lambda: EvidenceField("f", choices="ABCD"), "choices"),
        (lambda: Fact("f", number=0.5), "number"),
        (lambda: Fact("f", number=Decimal("NaN")), "number"),
        (lambda: Fact("f", text=5), "text"),
        (lambda: Fact("f", money=5), "money"),
        (lambda: Fact("f", day="someday"), "day"),
        (
            lambda: Playbook(
                name=None, stages=(Stage("a", initial=True),), outcomes=(Outcome("w"),)
            ),
            "name",
        ),
        (lambda: Playbook(name="p", stages=None, outcomes=(Outcome("w"),)), "stages"),
        (lambda: Playbook(name="p", stages=[None], outcomes=(Outcome("w"),)), "stages[0]"),
        (
            lambda: Playbook(name="p", stages=(Stage("a", initial=True),), outcomes=["w"]),
            "outcomes[0]",
        ),
    ],
)
def test_policy_parts_of_the_wrong_type_are_refused_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field


def test_evidence_refuses_what_is_not_a_fact() -> None:
    from kamcore.pipeline import Evidence

    with pytest.raises(ValidationError) as none:
        Evidence(None)  # type: ignore[arg-type]
    assert none.value.field == "facts"
    with pytest.raises(ValidationError) as item:
        Evidence([Fact.of("a", 1), "b"])  # type: ignore[list-item]
    assert item.value.field == "facts[1]"
    with pytest.raises(ValidationError) as added:
        Evidence().with_fact(None)  # type: ignore[arg-type]
    assert added.value.field == "fact"


def test_replay_refuses_what_is_not_a_history(sales: Playbook) -> None:
    with pytest.raises(ValidationError) as info:
        replay_opportunity(sales, None)  # type: ignore[arg-type]
    assert info.value.field == "events"
    with pytest.raises(ValidationError) as item:
        replay_opportunity(sales, [None])  # type: ignore[list-item]
    assert item.value.field == "events[0]"


def test_import_refuses_a_stage_that_is_not_text(sales: Playbook) -> None:
    with pytest.raises(ValidationError) as info:
        import_opportunity(
            sales,
            id="o",
            account="a",
            amount=Money("1"),
            owner="li",
            on=D0,
            stage=["proposal"],  # type: ignore[arg-type]
        )
    assert info.value.field == "stage"


PUBLIC = [
    open_opportunity,
    import_opportunity,
    advance,
    close_out,
    reopen,
    log_activity,
    record_evidence,
    record_buyer_step,
    revise_terms,
    replay_opportunity,
    forecast,
    find_stale,
    weighted_pipeline,
    conversion,
    calibrate,
    measure_velocity,
    assess_alignment,
    misalignments,
    days_in_stage,
    to_mermaid,
]

_WRONG = st.one_of(
    st.none(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.just("x" * 10_000),
    st.lists(st.none() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([Money("-1"), Money("1e14"), date(1, 1, 1), "招投标", "丢标结项", b"x"]),
)


@given(data=st.data())
def test_every_public_pipeline_callable_fails_only_with_kam_errors(
    sales: Playbook, data: st.DataObject
) -> None:
    opp = opened(sales)
    fn = data.draw(st.sampled_from(PUBLIC))
    which = data.draw(st.sampled_from(["first", "second", "third", "keyword"]))
    good: dict[Any, list[Any]] = {
        open_opportunity: [sales],
        import_opportunity: [sales],
        replay_opportunity: [sales, opp.history],
        days_in_stage: [opp, D0],
        to_mermaid: [sales],
    }
    args = good.get(fn, [sales, opp if fn not in ANALYTICS.values() else [opp]])
    if fn in (
        forecast,
        find_stale,
        weighted_pipeline,
        conversion,
        calibrate,
        measure_velocity,
        misalignments,
    ):
        args = [sales, [opp]]
    if fn in (advance, reopen, close_out, log_activity, record_buyer_step):
        args = [
            *args,
            data.draw(_WRONG | st.sampled_from(["initiation", "withdrawn", "visit", "need"])),
        ]
    if fn is record_evidence:
        args = [
            *args,
            data.draw(st.sampled_from([f.name for f in sales.fields]) | _WRONG),
            data.draw(_WRONG),
        ]
    kwargs: dict[str, Any] = {}
    if fn in (open_opportunity, import_opportunity):
        kwargs = {"id": "o", "account": "a", "amount": Money("1"), "owner": "li", "on": D0}
        if fn is import_opportunity:
            kwargs["stage"] = "proposal"
    elif fn not in (
        replay_opportunity,
        days_in_stage,
        to_mermaid,
        assess_alignment,
        conversion,
        calibrate,
        misalignments,
        forecast,
        weighted_pipeline,
        measure_velocity,
    ):
        kwargs = {"on": D0}
        if fn in (close_out, reopen, revise_terms):
            kwargs["reason"] = "x"
        if fn is find_stale:
            kwargs = {"as_of": D0}
    wrong = data.draw(_WRONG)
    if which == "keyword" and kwargs:
        key = data.draw(st.sampled_from(sorted(kwargs)))
        kwargs[key] = wrong
    else:
        index = {"first": 0, "second": 1, "third": 2, "keyword": 0}[which] % len(args)
        args[index] = wrong
    with contextlib.suppress(KamError):  # any other exception fails the test
        fn(*args, **kwargs)


def test_building_the_event_base_is_a_validation_error_naming_the_kind() -> None:
    from kamcore.pipeline import PipelineEvent

    with pytest.raises(ValidationError) as info:
        PipelineEvent("opp-1", D0)
    assert info.value.field == "kind"
    assert isinstance(info.value, TypeError)  # what it always raised
    assert "build one of: Opened, Advanced" in str(info.value)
