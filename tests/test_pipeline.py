"""The sales process as a validated, immutable stage machine (kamcore.pipeline)."""

from __future__ import annotations

import gc
import re
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.calendar import Period
from kamcore.errors import PolicyError, RecordInvalid, TransitionNotAllowed, ValidationError
from kamcore.money import Money, Rate
from kamcore.pipeline import (
    ActivityLogged,
    Advanced,
    AlignmentStatus,
    BuyerStep,
    BuyerStepRecorded,
    Closed,
    EventKind,
    Evidence,
    EvidenceField,
    EvidenceRecorded,
    Fact,
    FactKind,
    ForecastCategory,
    Gate,
    GateKind,
    Move,
    Opened,
    Opportunity,
    Outcome,
    PipelineEvent,
    Playbook,
    Reopen,
    Reopened,
    Stage,
    TermsRevised,
    advance,
    assess_alignment,
    calibrate,
    close_out,
    conversion,
    days_in_stage,
    find_stale,
    forecast,
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
from kamcore.strategies import _pipeline as pst

D0 = date(2026, 3, 2)

INITIATION_REPORT = {
    "project_name": "Line 3 retrofit",
    "project_number": "P-2026-031",
    "customer_owner": "Director Zhao",
    "expected_contract_amount": Money("1200000"),
    "estimated_margin": Decimal("0.22"),
    "sales_expense_budget": Money("30000"),
    "project_category": "retrofit",
    "expected_signing_date": date(2026, 9, 30),
}
ASSESSMENT = {
    "account_grade": "A",
    "needs": "automation",
    "budget": Money("1500000"),
    "decision_process": "tender",
}


@pytest.fixture(scope="module")
def sales() -> Playbook:
    return load_preset("pipeline_project_sales", Playbook)


@pytest.fixture(scope="module")
def development() -> Playbook:
    return load_preset("pipeline_account_development", Playbook)


def opened(pb: Playbook, opp_id: str = "opp-1", **kw: object) -> Opportunity:
    args: dict[str, object] = {
        "id": opp_id,
        "account": "acme",
        "amount": Money("1000000"),
        "owner": "li",
        "on": D0,
    }
    args.update(kw)
    opp, _ = open_opportunity(pb, **args)  # type: ignore[arg-type]
    return opp


def with_evidence(pb: Playbook, opp: Opportunity, facts: dict[str, object]) -> Opportunity:
    for name, value in facts.items():
        opp, _ = record_evidence(pb, opp, name, value, on=opp.last_event_on)
    return opp


def at_proposal(pb: Playbook, margin: Decimal = Decimal("0.22")) -> Opportunity:
    opp = with_evidence(pb, opened(pb), {**ASSESSMENT, **INITIATION_REPORT})
    opp, _ = advance(pb, opp, "initiation", on=D0 + timedelta(days=5))
    opp, _ = record_evidence(pb, opp, "shortlisted_on", D0, on=D0 + timedelta(days=6))
    opp, _ = advance(pb, opp, "proposal", on=D0 + timedelta(days=10))
    opp, _ = record_evidence(pb, opp, "estimated_margin", margin, on=D0 + timedelta(days=11))
    return opp


# -- presets ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pipeline_project_sales", "pipeline_account_development"])
def test_every_preset_loads_and_round_trips_through_the_codec(name: str) -> None:
    pb = load_preset(name, Playbook)
    assert len(pb.stages) == 5
    assert codec.from_dict(Playbook, codec.to_dict(pb)) == pb
    assert codec.from_json(Playbook, codec.to_json(pb)) == pb


def test_a_preset_loads_by_its_kind_once_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codec.POLICY_KINDS, "pipeline_playbook", "kamcore.pipeline:Playbook")
    assert isinstance(load_preset("pipeline_project_sales"), Playbook)


def test_a_tracked_opportunity_stays_under_one_kilobyte(sales: Playbook) -> None:
    count = 2000
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [
            open_opportunity(
                sales,
                id=f"opp-{i}",
                account=f"acct-{i}",
                amount=Money(Decimal(100000 + i)),
                owner="li",
                on=D0,
            )[0]
            for i in range(count)
        ]
        per_opportunity = (tracemalloc.get_traced_memory()[0] - before) / count
    finally:
        tracemalloc.stop()
    assert len(kept) == count
    assert per_opportunity <= 1024


def test_the_project_sales_preset_follows_the_five_source_stages(sales: Playbook) -> None:
    assert [s.zh for s in sales.ordered_stages()] == [
        "客户开发",
        "立项",
        "提案",
        "招投标",
        "工程实施",
    ]
    assert sales.initial.key == "development"
    assert {o.key for o in sales.outcomes} >= {"won", "lost", "no_bid", "withdrawn"}


def test_the_account_development_preset_raises_company_involvement(development: Playbook) -> None:
    levels = [s.involvement.value for s in development.ordered_stages()]
    assert levels == ["low", "low_to_medium", "medium", "high", "high"]
    assert development.stage("relationship").participants[-1] == "senior management"


# -- invalid playbooks ------------------------------------------------------------------


def tiny(**overrides: object) -> Playbook:
    args: dict[str, object] = {
        "name": "tiny",
        "stages": (Stage("lead", order=1, initial=True), Stage("deal", order=2)),
        "outcomes": (Outcome("won", won=True, from_stages=("deal",)), Outcome("lost")),
        "moves": (Move("lead", "deal"),),
        "fields": (EvidenceField("margin", FactKind.NUMBER),),
    }
    args.update(overrides)
    return Playbook(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "part", "words"),
    [
        ({"moves": ()}, "stage 'deal'", "not reachable"),
        (
            {"outcomes": (Outcome("won", won=True, from_stages=("lead",)),)},
            "stage 'deal'",
            "trap",
        ),
        (
            {"stages": (Stage("lead", initial=True), Stage("deal", initial=True))},
            "initial stage",
            "found 2: 'lead', 'deal'",
        ),
        ({"stages": (Stage("lead"), Stage("deal"))}, "initial stage", "found 0"),
        (
            {"gates": (Gate("report", GateKind.REQUIRED, fields=("project_name",)),)},
            "gate 'report'",
            "unknown evidence field 'project_name'",
        ),
        ({"moves": (Move("lead", "deal", gates=("nope",)),)}, "move 'lead' -> 'deal'", "'nope'"),
        (
            {"moves": (Move("lead", "deal"), Move("won", "lead"))},
            "move 'won' -> 'lead'",
            "reopen rule",
        ),
        ({"moves": (Move("lead", "ghost"),)}, "move 'lead' -> 'ghost'", "unknown stage 'ghost'"),
        ({"moves": (Move("lead", "lead"),)}, "move 'lead' -> 'lead'", "must change"),
        ({"moves": (Move("lead", "deal"),) * 2}, "move 'lead' -> 'deal'", "twice"),
        (
            {"stages": (Stage("lead", initial=True), Stage("lead"))},
            "stage 'lead'",
            "used twice",
        ),
        ({"stages": ()}, "stages", "at least one stage"),
        ({"outcomes": ()}, "outcomes", "at least one terminal outcome"),
        (
            {"stages": (Stage("lead", initial=True), Stage("won"))},
            "stage 'won'",
            "both a stage and an outcome",
        ),
        (
            {"reopen": (Reopen("ghost", "lead"),)},
            "reopen 'ghost' -> 'lead'",
            "unknown outcome",
        ),
        ({"reopen": (Reopen("lost", "ghost"),)}, "reopen 'lost' -> 'ghost'", "unknown stage"),
        ({"reopen": (Reopen("lost", "lead", gates=("x",)),)}, "reopen 'lost'", "unknown gate"),
        (
            {"outcomes": (Outcome("won", won=True, from_stages=("ghost",)),)},
            "outcome 'won'",
            "unknown stage 'ghost'",
        ),
        ({"outcomes": (Outcome("won", gates=("x",)),)}, "outcome 'won'", "unknown gate"),
        (
            {"stages": (Stage("lead", initial=True, probability=Rate("1.5")), Stage("deal"))},
            "stage 'lead'",
            "not between",
        ),
        (
            {"stages": (Stage("lead", initial=True, max_days=0), Stage("deal"))},
            "stage 'lead'",
            "max_days",
        ),
        (
            {"stages": (Stage("lead", initial=True, buyer_steps=("x",)), Stage("deal"))},
            "stage 'lead'",
            "unknown buyer step",
        ),
        ({"stages": (Stage("lead", initial=True, gates=("x",)), Stage("deal"))}, "stage", "gate"),
        (
            {"gates": (Gate("floor", GateKind.MINIMUM, fields=("margin",)),)},
            "gate 'floor'",
            "needs exactly one field and a minimum",
        ),
        (
            {"gates": (Gate("cap", GateKind.MAXIMUM, fields=()),)},
            "gate 'cap'",
            "needs exactly one field and a maximum",
        ),
        ({"gates": (Gate("empty", GateKind.REQUIRED),)}, "gate 'empty'", "at least one field"),
        (
            {
                "fields": (EvidenceField("name", FactKind.TEXT),),
                "gates": (Gate("g", GateKind.MINIMUM, fields=("name",), minimum=Decimal("0.1")),),
            },
            "gate 'g'",
            "needs a number or money field, and 'name' is text",
        ),
        (
            {"reopen": (Reopen("lost", "lead"), Reopen("lost", "lead"))},
            "reopen 'lost' -> 'lead'",
            "given twice",
        ),
        (
            {"gates": (Gate("magic", GateKind.CUSTOM, check="no_such_check"),)},
            "gate 'magic'",
            "not among the playbook's checks: (none given)",
        ),
    ],
)
def test_an_inconsistent_playbook_is_refused_naming_the_part(
    overrides: dict[str, object], part: str, words: str
) -> None:
    with pytest.raises(PolicyError) as info:
        tiny(**overrides)
    assert part in str(info.value)
    assert words in str(info.value)
    assert info.value.policy == "Playbook"


def test_a_stage_may_reach_its_outcome_through_later_stages_and_loops() -> None:
    pb = tiny(
        stages=(Stage("a", initial=True), Stage("b"), Stage("c")),
        moves=(Move("a", "b"), Move("b", "a"), Move("b", "c")),
        outcomes=(Outcome("won", won=True, from_stages=("c",)),),
    )
    assert pb.targets("b") == ("a", "c") or set(pb.targets("b")) == {"a", "c"}
    with pytest.raises(PolicyError, match="stage 'c': a trap"):
        tiny(
            stages=(Stage("a", initial=True), Stage("b"), Stage("c")),
            moves=(Move("a", "b"), Move("a", "c")),
            outcomes=(Outcome("won", won=True, from_stages=("b",)),),
        )


def test_a_preset_with_a_gate_naming_an_unknown_field_fails_to_load() -> None:
    text = """
kind = "pipeline_playbook"
name = "broken"
[[stages]]
key = "lead"
initial = true
[[outcomes]]
key = "lost"
[[gates]]
name = "report"
kind = "required"
fields = ["nope"]
"""
    with pytest.raises(RecordInvalid, match="gate 'report': names unknown evidence field 'nope'"):
        codec.loads_policy(text, Playbook)


# -- gates ------------------------------------------------------------------------------


def test_initiation_needs_the_complete_initiation_report(sales: Playbook) -> None:
    opp = with_evidence(sales, opened(sales), {**ASSESSMENT, "project_name": "Line 3"})
    with pytest.raises(TransitionNotAllowed) as info:
        advance(sales, opp, "initiation", on=D0)
    err = info.value
    assert err.failed_gates[0][0] == "initiation report complete"
    for field in ("project_number", "customer_owner", "estimated_margin", "expected_signing_date"):
        assert field in err.failed_gates[0][1]
    assert "project_name" not in err.failed_gates[0][1]
    assert str(err).startswith(
        "Can't move opp-1 to 'initiation' from 'development': gate 'initiation report complete'"
    )


def test_a_refusal_lists_every_failed_gate_not_just_the_first(sales: Playbook) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        advance(sales, opened(sales), "initiation", on=D0)
    names = [name for name, _ in info.value.failed_gates]
    assert names == ["opportunity assessed", "initiation report complete"]


def test_the_no_bid_rule_refuses_bidding_below_the_margin_floor(sales: Playbook) -> None:
    opp = at_proposal(sales, margin=Decimal("0.12"))
    opp, _ = record_evidence(sales, opp, "proposal_delivered_on", D0, on=opp.last_event_on)
    with pytest.raises(TransitionNotAllowed) as info:
        advance(sales, opp, "bidding", on=opp.last_event_on)
    assert str(info.value) == (
        "Can't move opp-1 to 'bidding' from 'proposal': gate 'margin floor' failed: "
        "no-bid rule: the estimated gross margin is below the company floor: "
        "estimated_margin 0.12 is below the minimum 0.15"
    )
    closed, event = close_out(
        sales,
        opp,
        "no_bid",
        on=opp.last_event_on,
        reason="margin too thin",
        fatal_factors=("cost too high",),
    )
    assert closed.stage == "no_bid"
    assert event.fatal_factors == ("cost too high",)


def test_a_margin_at_the_floor_may_bid(sales: Playbook) -> None:
    opp = at_proposal(sales, margin=Decimal("0.15"))
    opp, _ = record_evidence(sales, opp, "proposal_delivered_on", D0, on=opp.last_event_on)
    moved, event = advance(sales, opp, "bidding", on=opp.last_event_on, by="li", reason="go")
    assert moved.stage == "bidding"
    assert (event.source, event.target, event.by, event.reason) == (
        "proposal",
        "bidding",
        "li",
        "go",
    )


def test_a_numeric_gate_refuses_text_and_missing_values() -> None:
    pb = tiny(
        fields=(EvidenceField("margin", FactKind.NUMBER), EvidenceField("note", FactKind.NUMBER)),
        gates=(
            Gate("floor", GateKind.MINIMUM, fields=("margin",), minimum=Decimal("0.1")),
            Gate("cap", GateKind.MAXIMUM, fields=("note",), maximum=Decimal(5)),
        ),
        moves=(Move("lead", "deal", gates=("floor", "cap")),),
    )
    opp = opened(pb)
    with pytest.raises(TransitionNotAllowed) as info:
        advance(pb, opp, "deal", on=D0)
    assert info.value.failed_gates == (("floor", "margin is missing"), ("cap", "note is missing"))
    # evidence recorded under an earlier version of the playbook, when note was text
    earlier = tiny(fields=(EvidenceField("margin", FactKind.NUMBER), EvidenceField("note")))
    opp, _ = record_evidence(earlier, opp, "note", "five", on=D0)
    with pytest.raises(TransitionNotAllowed, match="note is not a number"):
        advance(pb, opp, "deal", on=D0)
    opp, _ = record_evidence(pb, opp, "margin", Decimal("0.5"), on=D0)
    with pytest.raises(TransitionNotAllowed) as info:
        advance(pb, opp, "deal", on=D0)
    assert [name for name, _ in info.value.failed_gates] == ["cap"]


def test_only_the_failing_gates_are_listed_when_others_pass() -> None:
    pb = tiny(
        fields=(EvidenceField("margin", FactKind.NUMBER), EvidenceField("note")),
        gates=(
            Gate("cap", GateKind.MAXIMUM, fields=("margin",), maximum=Decimal("0.9")),
            Gate("noted", GateKind.REQUIRED, fields=("note",)),
        ),
        moves=(Move("lead", "deal", gates=("cap", "noted")),),
    )
    opp, _ = record_evidence(pb, opened(pb), "margin", Decimal("0.5"), on=D0)
    with pytest.raises(TransitionNotAllowed) as info:
        advance(pb, opp, "deal", on=D0)
    assert info.value.failed_gates == (("noted", "missing note"),)


def test_a_maximum_gate_accepts_money_up_to_its_ceiling() -> None:
    pb = tiny(
        fields=(EvidenceField("discount", FactKind.MONEY),),
        gates=(Gate("cap", GateKind.MAXIMUM, fields=("discount",), maximum=Decimal(1000)),),
        moves=(Move("lead", "deal", gates=("cap",)),),
    )
    opp, _ = record_evidence(pb, opened(pb), "discount", Money("1000.01"), on=D0)
    with pytest.raises(TransitionNotAllowed, match=r"discount 1000\.01 is above the maximum 1000"):
        advance(pb, opp, "deal", on=D0)
    opp, _ = record_evidence(pb, opp, "discount", Money("1000"), on=D0)
    assert advance(pb, opp, "deal", on=D0)[0].stage == "deal"


def coach_found(opp: Opportunity, gate: Gate) -> str | None:
    field = gate.param("field", "internal_coach")
    return None if field in opp.evidence else f"no {field} (内线) yet"


COACH = Gate("coach", GateKind.CUSTOM, check="coach_found", params={"field": "coach"})


def coached(**checks: object) -> Playbook:
    return tiny(
        fields=(EvidenceField("coach"),),
        gates=(COACH,),
        moves=(Move("lead", "deal", gates=("coach",)),),
        checks=checks,
    )


def test_a_custom_gate_runs_the_check_the_playbook_was_given() -> None:
    assert COACH.params == (("field", "coach"),)
    assert codec.from_dict(Gate, codec.to_dict(COACH)) == COACH
    pb = coached(coach_found=coach_found)
    assert pb.checks == {"coach_found": coach_found}
    with pytest.raises(TransitionNotAllowed, match=r"gate 'coach' failed: no coach \(内线\) yet"):
        advance(pb, opened(pb), "deal", on=D0)
    opp, _ = record_evidence(pb, opened(pb), "coach", "Ms Sun", on=D0)
    assert advance(pb, opp, "deal", on=D0)[0].stage == "deal"
    assert COACH.param("missing", "dflt") == "dflt"


def test_a_custom_gate_without_its_check_is_refused_when_the_playbook_is_built() -> None:
    with pytest.raises(PolicyError, match="'coach_found' is not among the playbook's checks"):
        coached()
    with pytest.raises(PolicyError, match="not a function"):
        coached(coach_found="yes")
    with pytest.raises(PolicyError, match="map check names to functions"):
        tiny(checks=[coach_found])


def test_a_playbooks_verdicts_are_fixed_when_it_is_built() -> None:
    def always(opp: Opportunity, gate: Gate) -> str | None:
        return None

    given = {"coach_found": coach_found}
    strict = coached(**given)
    given["coach_found"] = always  # changing the caller's mapping afterwards changes nothing
    with pytest.raises(TransitionNotAllowed):
        advance(strict, opened(strict), "deal", on=D0)
    lenient = coached(coach_found=always)
    assert advance(lenient, opened(lenient), "deal", on=D0)[0].stage == "deal"
    # equal data with other functions is another playbook; the same functions, the same one
    assert strict != lenient
    assert strict == coached(coach_found=coach_found)
    assert hash(strict) == hash(coached(coach_found=coach_found))
    assert tiny() == tiny(checks={}) == tiny(checks=given)  # it keeps the checks it uses
    assert tiny(checks=given).checks == {}


# -- operations -------------------------------------------------------------------------


def test_opening_validates_its_input(sales: Playbook) -> None:
    with pytest.raises(ValidationError, match="amount"):
        opened(sales, amount="100")
    with pytest.raises(ValidationError, match="id"):
        opened(sales, opp_id=" ")
    with pytest.raises(ValidationError, match="owner"):
        opened(sales, owner=3)
    with pytest.raises(ValidationError, match="expected_close"):
        opened(sales, expected_close="soon")
    opp = opened(sales, expected_close="2026-09-30", on="2026-03-02")
    assert opp.expected_close == date(2026, 9, 30)
    assert opp.history[0].by == "li"
    assert (opp.account, opp.owner, opp.opened_on) == ("acme", "li", D0)


def test_a_move_the_playbook_lacks_is_refused_with_the_allowed_moves(sales: Playbook) -> None:
    opp = opened(sales)
    with pytest.raises(TransitionNotAllowed, match=r"no such move \(allowed: 'initiation'"):
        advance(sales, opp, "bidding", on=D0)
    with pytest.raises(TransitionNotAllowed, match="use close"):
        advance(sales, opp, "won", on=D0)
    with pytest.raises(TransitionNotAllowed, match="no such stage"):
        advance(sales, opp, "heaven", on=D0)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda pb, o: advance(pb, o, ["initiation"], on=D0), "target"),
        (lambda pb, o: advance(pb, o, "initiation", on=D0, by=7), "by"),
        (lambda pb, o: close_out(pb, o, "withdrawn", on=D0, reason="x", by=None), "by"),
        (
            lambda pb, o: close_out(pb, o, "withdrawn", on=D0, reason="x", fatal_factors="price"),
            "fatal",
        ),
        (lambda pb, o: close_out(pb, o, {"won"}, on=D0, reason="x"), "outcome"),
        (lambda pb, o: reopen(pb, o, ["development"], on=D0, reason="x"), "target"),
        (lambda pb, o: log_activity(pb, o, "visit", on=D0, by=1), "by"),
        (lambda pb, o: record_evidence(pb, o, ["needs"], "x", on=D0), "name"),
        (lambda pb, o: record_buyer_step(pb, o, None, on=D0), "step"),
        (lambda pb, o: advance(pb, o, "initiation", on=20260302), "on"),
    ],
)
def test_bad_input_is_refused_with_a_validation_error_naming_the_field(
    sales: Playbook, call: object, field: str
) -> None:
    opp = opened(sales)
    with pytest.raises(ValidationError) as info:
        call(sales, opp)  # type: ignore[operator]
    assert info.value.field.startswith(field)


def test_lookups_refuse_unhashable_keys_clearly(sales: Playbook) -> None:
    for lookup in (sales.stage, sales.outcome, sales.field):
        with pytest.raises(ValidationError):
            lookup(["x"])  # type: ignore[arg-type]


def test_history_is_append_only_in_time(sales: Playbook) -> None:
    opp, _ = log_activity(sales, opened(sales), "visit", on=D0 + timedelta(days=3))
    with pytest.raises(ValidationError, match="earlier than the opportunity's last event"):
        log_activity(sales, opp, "visit", on=D0)


def test_closing_needs_a_reason_and_fatal_factors_where_the_outcome_asks(sales: Playbook) -> None:
    opp = opened(sales)
    with pytest.raises(ValidationError, match="reason"):
        close_out(sales, opp, "withdrawn", on=D0, reason="  ")
    opp2 = at_proposal(sales)
    with pytest.raises(ValidationError, match="fatal factor"):
        close_out(sales, opp2, "no_bid", on=opp2.last_event_on, reason="thin margin")
    with pytest.raises(TransitionNotAllowed, match="no such move"):
        close_out(sales, opp, "lost", on=D0, reason="x", fatal_factors=["price"])
    with pytest.raises(ValidationError, match="unknown outcome"):
        close_out(sales, opp, "vanished", on=D0, reason="x")


def test_a_closed_opportunity_is_final_unless_a_reopen_rule_allows(sales: Playbook) -> None:
    opp, _ = close_out(sales, opened(sales), "withdrawn", on=D0, reason="budget cut")
    assert opp.is_closed
    assert opp.closed_on == D0
    with pytest.raises(TransitionNotAllowed, match="it is closed; reopen it first"):
        advance(sales, opp, "initiation", on=D0)
    with pytest.raises(TransitionNotAllowed, match="already closed"):
        close_out(sales, opp, "withdrawn", on=D0, reason="again")
    with pytest.raises(ValidationError, match="closed opportunity"):
        log_activity(sales, opp, "visit", on=D0)
    with pytest.raises(TransitionNotAllowed, match="no such move"):
        reopen(sales, opp, "proposal", on=D0, reason="try again")
    back, event = reopen(sales, opp, "development", on=D0, reason="budget restored")
    assert (back.stage, back.closed_on, event.kind) == ("development", None, EventKind.REOPENED)
    with pytest.raises(TransitionNotAllowed, match="it is open"):
        reopen(sales, back, "development", on=D0, reason="x")


def test_reopening_into_bidding_checks_the_margin_floor_again(sales: Playbook) -> None:
    opp = at_proposal(sales, margin=Decimal("0.10"))
    opp, _ = close_out(
        sales, opp, "no_bid", on=opp.last_event_on, reason="x", fatal_factors=["cost"]
    )
    with pytest.raises(TransitionNotAllowed, match="margin floor"):
        reopen(sales, opp, "bidding", on=opp.last_event_on, reason="customer raised budget")
    opp, _ = record_evidence(sales, opp, "estimated_margin", Decimal("0.2"), on=opp.last_event_on)
    assert reopen(sales, opp, "bidding", on=opp.last_event_on, reason="ok")[0].stage == "bidding"


def test_evidence_is_typed_by_the_playbook(sales: Playbook) -> None:
    opp = opened(sales)
    with pytest.raises(ValidationError, match="unknown evidence field"):
        record_evidence(sales, opp, "shoe_size", "42", on=D0)
    with pytest.raises(ValidationError, match="Money"):
        record_evidence(sales, opp, "budget", "100", on=D0)
    with pytest.raises(ValidationError, match="not money"):
        record_evidence(sales, opp, "estimated_margin", Money("1"), on=D0)
    with pytest.raises(ValidationError, match="float"):
        record_evidence(sales, opp, "estimated_margin", 0.2, on=D0)
    with pytest.raises(ValidationError, match="a string"):
        record_evidence(sales, opp, "needs", 5, on=D0)
    opp, _ = record_evidence(sales, opp, "estimated_margin", "0.2", on=D0)
    opp, _ = record_evidence(sales, opp, "shortlisted_on", "2026-03-01", on=D0)
    assert opp.evidence["estimated_margin"] == Decimal("0.2")
    assert opp.evidence.get("shortlisted_on") == date(2026, 3, 1)
    assert opp.evidence.as_dict() == {
        "estimated_margin": Decimal("0.2"),
        "shortlisted_on": date(2026, 3, 1),
    }


def test_evidence_reads_like_an_immutable_mapping() -> None:
    ev = Evidence((Fact.of("b", "x"), Fact.of("a", 3)))
    assert list(ev) == ["a", "b"]
    assert len(ev) == 2
    assert "a" in ev
    assert ev.get("zzz") is None
    assert ev.with_fact(Fact.of("a", 4))["a"] == Decimal(4)
    assert ev["a"] == Decimal(3)
    with pytest.raises(ValidationError, match="no such evidence"):
        ev["zzz"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ev.facts = ()  # type: ignore[misc]
    with pytest.raises(ValidationError, match="appears twice"):
        Evidence((Fact.of("a", 1), Fact.of("a", 2)))


def test_a_fact_holds_exactly_one_typed_value() -> None:
    assert Fact.of("amount", Money("5")).kind is FactKind.MONEY
    assert Fact.of("amount", Money("5")).value == Money("5")
    assert Fact.of("n", 5).kind is FactKind.NUMBER
    assert Fact.of("t", "x").kind is FactKind.TEXT
    with pytest.raises(ValidationError, match="exactly one"):
        Fact("x")
    with pytest.raises(ValidationError, match="exactly one"):
        Fact("x", text="a", number=Decimal(1))
    with pytest.raises(ValidationError, match="blank"):
        Fact(" ", text="a")


def test_activities_repeat_inside_a_stage(sales: Playbook) -> None:
    opp = opened(sales)
    for i in range(3):
        opp, event = log_activity(sales, opp, f"visit {i}", on=D0 + timedelta(days=i), by="li")
        assert event.kind is EventKind.ACTIVITY
    assert opp.stage == "development"
    assert [e.reason for e in opp.history[1:]] == ["visit 0", "visit 1", "visit 2"]


def test_replay_rebuilds_the_same_opportunity(sales: Playbook) -> None:
    opp = at_proposal(sales)
    opp, _ = record_buyer_step(sales, opp, "tender", on=opp.last_event_on)
    assert replay_opportunity(sales, opp.history) == opp


def test_replay_refuses_a_history_that_does_not_fit(sales: Playbook) -> None:
    opp = at_proposal(sales)
    other = opened(sales, opp_id="opp-2")
    with pytest.raises(ValidationError, match="empty"):
        replay_opportunity(sales, [])
    with pytest.raises(ValidationError, match="an 'opened' event first"):
        replay_opportunity(sales, opp.history[1:])
    with pytest.raises(ValidationError, match="does not belong"):
        replay_opportunity(sales, (*opp.history, other.history[0]))
    day = opp.last_event_on
    late = date(2026, 12, 1)
    impossible = {
        "a step the playbook allows": Advanced(
            "opp-1", day, source="proposal", target="development"
        ),
        "append-only": ActivityLogged("opp-1", D0 - timedelta(days=1), source="proposal"),
        "a step from the current stage": Advanced(
            "opp-1", day, source="initiation", target="bidding"
        ),
        "a close into an outcome, or a move into a stage": Closed(
            "opp-1", day, source="proposal", target="bidding"
        ),
        "a closed opportunity to reopen": Reopened(
            "opp-1", day, source="proposal", target="proposal"
        ),
        "new terms of the same opportunity": TermsRevised(
            "opp-1",
            day,
            source="proposal",
            target="proposal",
            reason="why",
            opening=attrs.evolve(opp.opening, id="opp-9", owner="wang"),
        ),
        "terms revise_terms accepts (amount: negative)": TermsRevised(
            "opp-1",
            day,
            source="proposal",
            target="proposal",
            opening=attrs.evolve(opp.opening, amount=Money("-7")),
        ),
        "terms revise_terms accepts (amount: in USD)": TermsRevised(
            "opp-1",
            day,
            source="proposal",
            target="proposal",
            opening=attrs.evolve(opp.opening, amount=Money("7", "USD")),
        ),
        "terms revise_terms accepts (terms: nothing would change)": TermsRevised(
            "opp-1",
            day,
            source="proposal",
            target="proposal",
            reason="why",
            opening=opp.opening,
        ),
        "terms revise_terms accepts (reason: blank)": TermsRevised(
            "opp-1",
            day,
            source="proposal",
            target="proposal",
            reason=" ",
            opening=attrs.evolve(opp.opening, owner="wang"),
        ),
        "in its current stage": TermsRevised(
            "opp-1",
            day,
            source="won",
            target="nonsense",
            opening=attrs.evolve(opp.opening, owner="wang"),
        ),
        "an event carrying its fact": EvidenceRecorded("opp-1", day, fact=None),  # type: ignore[arg-type]
        "a buyer step of the playbook": BuyerStepRecorded("opp-1", day, target="nowhere"),
    }
    for expected, bad in impossible.items():
        with pytest.raises(ValidationError, match=re.escape(expected)) as info:
            replay_opportunity(sales, (*opp.history, bad))
        assert info.value.field == f"events[{len(opp.history)}]"
    won = close_out(sales, opp, "withdrawn", on=late, reason="budget cut")[0]
    after_close = ActivityLogged("opp-1", late, source="withdrawn")
    with pytest.raises(ValidationError, match="an open opportunity"):
        replay_opportunity(sales, (*won.history, after_close))
    into_outcome = Advanced("opp-1", late, source="proposal", target="withdrawn")
    with pytest.raises(ValidationError, match="a close into an outcome"):
        replay_opportunity(sales, (*opp.history, into_outcome))


@given(pst.playbooks(custom=True))
def test_every_generated_playbook_round_trips_and_draws(pb: Playbook) -> None:
    if pb.checks:  # its custom gates' code is not data: loading without it is refused
        with pytest.raises(RecordInvalid, match="not among the playbook's checks"):
            codec.from_dict(Playbook, codec.to_dict(pb))
    else:
        assert codec.from_dict(Playbook, codec.to_dict(pb)) == pb
    assert codec.from_dict(Playbook, codec.to_dict(pb), checks=pb.checks) == pb
    diagram = to_mermaid(pb)
    assert diagram.startswith("stateDiagram-v2")
    assert all(f"    {s.key}: " in diagram for s in pb.stages)


@given(st.data())
def test_opportunities_and_events_round_trip_and_replay(data: st.DataObject) -> None:
    pb = data.draw(pst.playbooks())
    opp = data.draw(pst.opportunities(pb))
    assert codec.from_dict(Opportunity, codec.to_dict(opp)) == opp
    assert all(codec.from_dict(PipelineEvent, codec.to_dict(e)) == e for e in opp.history)
    assert replay_opportunity(pb, opp.history) == opp
    assert pb.is_stage(opp.stage) or pb.is_terminal(opp.stage)


@given(pst.pipeline_facts(), pst.pipeline_gates())
def test_facts_and_gates_round_trip(fact: Fact, gate: Gate) -> None:
    assert codec.from_dict(Fact, codec.to_dict(fact)) == fact
    assert codec.from_dict(Gate, codec.to_dict(gate)) == gate
    ev = Evidence((fact,))
    assert codec.from_dict(Evidence, codec.to_dict(ev)) == ev


def test_playbook_lookups_explain_unknown_keys(sales: Playbook) -> None:
    with pytest.raises(ValidationError, match="unknown stage"):
        sales.stage("x")
    with pytest.raises(ValidationError, match="unknown buyer step"):
        sales.buyer_step("x")
    assert sales.gates_for("proposal", "bidding")[1].name == "margin floor"
    assert sales.gates_for("proposal", "won") == ()
    assert sales.field("estimated_margin").label == "estimated gross margin"
    assert EvidenceField("x").label == "x"
    assert Stage("k").label == "k"
    assert Outcome("lost", zh="丢标").label == "丢标"


def test_the_mermaid_diagram_shows_gates_outcomes_and_reopen_rules(sales: Playbook) -> None:
    diagram = to_mermaid(sales)
    assert "    [*] --> development" in diagram
    assert "    proposal --> bidding: proposal delivered, margin floor" in diagram
    assert "    lost --> bidding: reopen, margin floor" in diagram
    assert "    won: 验收结项 won and delivered ✓" in diagram


# -- analytics --------------------------------------------------------------------------


def portfolio(pb: Playbook) -> list[Opportunity]:
    """Two open and three closed opportunities of the tiny playbook."""
    a = opened(pb, "a", amount=Money("100000"), expected_close=date(2026, 4, 15))
    b = opened(pb, "b", amount=Money("300000"), owner="wang", expected_close=date(2026, 5, 1))
    b, _ = advance(pb, b, "deal", on=D0 + timedelta(days=1))
    c = opened(pb, "c", amount=Money("200000"))
    c, _ = advance(pb, c, "deal", on=D0 + timedelta(days=2))
    c, _ = close_out(pb, c, "won", on=date(2026, 4, 11), reason="signed")
    d = opened(pb, "d", amount=Money("50000"))
    d, _ = close_out(pb, d, "lost", on=date(2026, 4, 3), reason="price")
    e = opened(pb, "e", amount=Money("80000"))
    e, _ = advance(pb, e, "deal", on=D0 + timedelta(days=3))
    e, _ = close_out(pb, e, "lost", on=date(2026, 4, 20), reason="competitor")
    return [a, b, c, d, e]


@pytest.fixture
def forecaster() -> Playbook:
    return tiny(
        stages=(
            Stage("lead", order=1, initial=True, probability=Rate("0.2"), max_days=30),
            Stage(
                "deal",
                order=2,
                probability=Rate("0.6"),
                forecast=ForecastCategory.COMMIT,
                buyer_steps=("tender",),
            ),
        ),
        buyer_steps=(
            BuyerStep("need", order=1),
            BuyerStep("tender", order=2),
            BuyerStep("po", order=3),
        ),
    )


def test_weighted_pipeline_sums_amount_times_probability_by_owner_and_period(
    forecaster: Playbook,
) -> None:
    rows = weighted_pipeline(forecaster, portfolio(forecaster))
    assert [(r.period, r.owner, r.count, str(r.weighted)) for r in rows] == [
        ("2026-04", "li", 1, "CNY 20,000.00"),
        ("2026-05", "wang", 1, "CNY 180,000.00"),
    ]
    (total,) = weighted_pipeline(forecaster, portfolio(forecaster), by=())
    assert (total.owner, total.period, total.amount) == ("*", "*", Money("400000"))
    assert total.weighted == Money("200000.00")
    unscheduled = weighted_pipeline(forecaster, [opened(forecaster)], by=("period",))
    assert unscheduled[0].period == "unscheduled"
    with pytest.raises(ValidationError, match="'owner' and/or 'period'"):
        weighted_pipeline(forecaster, [], by=("region",))


def test_forecast_categories_roll_up_cumulatively(forecaster: Playbook) -> None:
    fc = forecast(forecaster, portfolio(forecaster), period=Period.quarter(2026, 2))
    assert fc.period == "2026-Q2"
    assert forecast(forecaster, portfolio(forecaster), period="2026-Q2") == fc
    table = {r.category: (r.count, r.amount.amount, r.cumulative.amount) for r in fc.rows}
    assert table == {
        ForecastCategory.PIPELINE: (1, 100000, 600000),
        ForecastCategory.BEST_CASE: (0, 0, 500000),
        ForecastCategory.COMMIT: (1, 300000, 500000),
        ForecastCategory.CLOSED: (1, 200000, 200000),
    }
    assert fc.omitted == Money("130000")
    assert fc.row(ForecastCategory.CLOSED).cumulative == Money("200000")
    with pytest.raises(ValidationError):
        fc.row(ForecastCategory.OMITTED)
    later = opened(forecaster, "later", expected_close=date(2026, 12, 1))
    assert forecast(forecaster, [later], period=Period.quarter(2026, 2)).rows[-1].cumulative == (
        Money("0")
    )
    everything = forecast(forecaster, [*portfolio(forecaster), opened(forecaster, "z")])
    assert everything.period == "*"
    assert everything.row(ForecastCategory.PIPELINE).count == 2


def test_stale_opportunities_are_those_over_their_stage_limit(forecaster: Playbook) -> None:
    opps = portfolio(forecaster)
    assert days_in_stage(opps[0], date(2026, 4, 11)) == 40
    found = find_stale(forecaster, opps, as_of=date(2026, 4, 11))
    assert [(s.opportunity, s.days, s.limit, s.over) for s in found] == [("a", 40, 30, 10)]
    assert find_stale(forecaster, opps, as_of=D0 + timedelta(days=30)) == ()
    assert find_stale(forecaster, opps, as_of="2026-04-11") == found
    with pytest.raises(ValidationError, match="before the opportunity entered"):
        days_in_stage(opps[0], D0 - timedelta(days=1))


def test_conversion_and_win_rate_come_from_closed_history(forecaster: Playbook) -> None:
    rows = {r.stage: r for r in conversion(forecaster, portfolio(forecaster))}
    assert (rows["lead"].entered, rows["lead"].progressed, rows["lead"].won) == (3, 2, 1)
    assert rows["lead"].conversion == Rate("0.6667")
    assert rows["lead"].win_rate == Rate("0.3333")
    assert rows["deal"].win_rate == Rate("0.5")
    assert conversion(forecaster, [])[0].conversion is None


def test_calibration_scores_the_playbook_probabilities_with_brier(forecaster: Playbook) -> None:
    report = calibrate(forecaster, portfolio(forecaster))
    # lead: 0.2 vs (1, 0, 0); deal: 0.6 vs (1, 0)
    # squares: 0.64 + 0.04 + 0.04 + 0.16 + 0.36 = 1.24 over 5 predictions
    assert report.count == 5
    assert report.brier == Decimal("0.2480")
    lead, deal = report.rows
    assert (lead.predicted, lead.observed, lead.brier) == (
        Rate("0.2"),
        Rate("0.3333"),
        Decimal("0.2400"),
    )
    assert (deal.observed, deal.brier) == (Rate("0.5"), Decimal("0.2600"))
    empty = calibrate(forecaster, [])
    assert empty.brier is None
    assert empty.rows[0].brier is None


def test_sales_velocity_is_pipeline_value_per_day(forecaster: Playbook) -> None:
    v = measure_velocity(forecaster, portfolio(forecaster))
    # 2 open × 200,000 average × 1/3 win rate ÷ 40 days (2 March → 11 April)
    assert (v.open_count, v.average_amount, v.win_rate, v.cycle_days) == (
        2,
        Money("200000"),
        Rate("0.3333"),
        Decimal("40.00"),
    )
    # computed from the exact figures, rounded once: 400,000 × 1/3 ÷ 40 = 3,333.33
    assert v.per_day == Money("3333.33")
    nothing = measure_velocity(forecaster, [])
    assert (nothing.per_day, nothing.win_rate) == (Money("0"), Rate(0))


@given(st.data())
def test_analytics_keep_their_invariants_over_any_portfolio(data: st.DataObject) -> None:
    pb = data.draw(pst.playbooks())
    opps = data.draw(st.lists(pst.opportunities(pb), max_size=6))
    cumulative = [r.cumulative for r in forecast(pb, opps).rows]
    assert cumulative == sorted(cumulative, reverse=True)
    for row in weighted_pipeline(pb, opps):
        assert Money("0") <= row.weighted <= row.amount
    for c in conversion(pb, opps):
        assert 0 <= c.won <= c.progressed <= c.entered
    report = calibrate(pb, opps)
    assert report.brier is None or 0 <= report.brier <= 1
    assert measure_velocity(pb, opps).per_day >= Money("0")
    assert all(a.status is not AlignmentStatus.ALIGNED for a in misalignments(pb, opps))


def test_buyer_alignment_reports_when_the_customer_is_ahead_of_us(forecaster: Playbook) -> None:
    opp = opened(forecaster)
    assert assess_alignment(forecaster, opp).status is AlignmentStatus.UNKNOWN
    opp, _ = record_buyer_step(forecaster, opp, "tender", on=D0)
    assert (
        assess_alignment(forecaster, opp).status is AlignmentStatus.UNKNOWN
    )  # lead has no mapping
    deal, _ = advance(forecaster, opp, "deal", on=D0)
    assert assess_alignment(forecaster, deal).status is AlignmentStatus.ALIGNED
    late, _ = record_buyer_step(forecaster, deal, "po", on=D0)
    early, _ = record_buyer_step(forecaster, deal, "need", on=D0)
    assert assess_alignment(forecaster, late).message == (
        "opp-1: we are in 'deal' while the customer is already at 'po'"
    )
    assert assess_alignment(forecaster, early).status is AlignmentStatus.AHEAD
    assert [a.status for a in misalignments(forecaster, [deal, late, early])] == [
        AlignmentStatus.BEHIND,
        AlignmentStatus.AHEAD,
    ]
    with pytest.raises(ValidationError, match="unknown buyer step"):
        record_buyer_step(forecaster, opp, "auction", on=D0)


def test_we_in_proposal_while_the_customer_tenders_is_a_mismatch(sales: Playbook) -> None:
    opp = at_proposal(sales)
    opp, _ = record_buyer_step(sales, opp, "tender", on=opp.last_event_on)
    (found,) = misalignments(sales, [opp])
    assert found.status is AlignmentStatus.BEHIND
    assert found.expected == ("criteria",)


def test_revised_terms_move_the_forecast_and_replay(sales: Playbook) -> None:
    opp = opened(sales, amount=Money("100000"))
    assert [(r.period, r.amount) for r in weighted_pipeline(sales, [opp])] == [
        ("unscheduled", Money("100000"))
    ]
    revised, event = revise_terms(
        sales,
        opp,
        on=D0 + timedelta(days=3),
        amount=Money("900000"),
        expected_close="2026-05-10",
        owner="wang",
        reason="initiation report: expected contract amount and signing date",
    )
    assert (event.kind, event.reason, event.opening) == (
        EventKind.TERMS,
        "initiation report: expected contract amount and signing date",
        revised.opening,
    )
    assert (revised.amount, revised.expected_close, revised.owner) == (
        Money("900000"),
        date(2026, 5, 10),
        "wang",
    )
    assert (revised.stage, revised.stage_entered_on) == (opp.stage, opp.stage_entered_on)
    assert [(r.owner, r.period, r.amount) for r in weighted_pipeline(sales, [revised])] == [
        ("wang", "2026-05", Money("900000"))
    ]
    assert revised.history[:-1] == opp.history  # the old terms stay in the history
    assert replay_opportunity(sales, revised.history) == revised
    assert codec.from_dict(PipelineEvent, codec.to_dict(event)) == event


def test_terms_are_refused_when_nothing_changes_or_the_input_is_bad(sales: Playbook) -> None:
    opp = opened(sales)
    day = D0 + timedelta(days=1)
    bad: dict[str, dict[str, object]] = {
        "nothing would change": {"amount": opp.amount},
        "negative": {"amount": Money("-1")},
        "in USD": {"amount": Money("5", "USD")},
        "not money": {"amount": 5},
        "blank": {"owner": " "},
    }
    for problem, kw in bad.items():
        with pytest.raises(ValidationError, match=problem):
            revise_terms(sales, opp, on=day, reason="why", **kw)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="reason"):
        revise_terms(sales, opp, on=day, reason="", owner="wang")
    closed, _ = close_out(sales, opp, "withdrawn", on=day, reason="budget cut")
    with pytest.raises(ValidationError, match="closed opportunity"):
        revise_terms(sales, closed, on=day, reason="why", owner="wang")


def test_an_opportunity_can_not_be_opened_for_a_negative_amount(sales: Playbook) -> None:
    with pytest.raises(ValidationError, match="negative") as info:
        opened(sales, amount=Money("-0.01"))
    assert info.value.field == "amount"


@pytest.mark.parametrize("name", ["pipeline_project_sales", "pipeline_account_development"])
def test_every_stage_of_a_preset_can_be_closed_out(name: str) -> None:
    pb = load_preset(name, Playbook)
    for stage in pb.stages:
        ends = [t for t in pb.targets(stage.key) if pb.is_terminal(t)]
        assert ends, f"{stage.key} can't be closed out (结项)"


def test_velocity_rounds_the_exact_quotient_once(forecaster: Playbook) -> None:
    # won cycles of 2, 3 and 3 days, one open deal of 1.08: 1.08 × 3/3 ÷ 8/3 = 0.405
    deals = []
    for name, days in (("w1", 2), ("w2", 3), ("w3", 3)):
        opp = opened(forecaster, name, amount=Money("100"))
        opp, _ = advance(forecaster, opp, "deal", on=D0)
        deals.append(
            close_out(forecaster, opp, "won", on=D0 + timedelta(days=days), reason="ok")[0]
        )
    deals.append(opened(forecaster, "open", amount=Money("1.08")))
    v = measure_velocity(forecaster, deals)
    assert v.cycle_days == Decimal("2.67")
    assert v.per_day == Money("0.41")


def test_a_cycle_under_a_day_counts_as_one_day_shown_to_the_hundredth(
    forecaster: Playbook,
) -> None:
    deals = []
    for name in ("w1", "w2"):
        opp = opened(forecaster, name, amount=Money("100"))
        opp, _ = advance(forecaster, opp, "deal", on=D0)
        deals.append(close_out(forecaster, opp, "won", on=D0, reason="same day")[0])
    deals.append(opened(forecaster, "open", amount=Money("50")))
    v = measure_velocity(forecaster, deals)
    assert str(v.cycle_days) == "1.00"
    assert v.per_day == Money("50.00")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("stale", "find_stale"),
        ("calibration", "calibrate"),
        ("velocity", "measure_velocity"),
        ("alignment", "assess_alignment"),
        ("close", "close_out"),
        ("replay", "replay_opportunity"),
    ],
)
def test_the_old_names_still_work_and_warn(old: str, new: str) -> None:
    import kamcore.pipeline as pipeline

    with pytest.warns(DeprecationWarning, match=f"pipeline.{old} was renamed {new}"):
        fn = getattr(pipeline, old)
    assert fn is getattr(pipeline, new)
    assert old not in pipeline.__all__
    assert new in pipeline.__all__


_COACHED = """
kind = "pipeline_playbook"
name = "coached"

[[stages]]
key = "lead"
initial = true

[[stages]]
key = "deal"
gates = ["coach"]

[[outcomes]]
key = "won"
won = true

[[moves]]
source = "lead"
target = "deal"

[[gates]]
name = "coach"
kind = "custom"
check = "has_coach"
message = "a coach inside the customer"
params = [["role", "coach"]]
"""


def _has_coach(opp: Opportunity, gate: Gate) -> str | None:
    return None if opp.evidence.get("coach") else f"no {gate.param('role')} named"


def test_a_playbook_file_with_a_custom_gate_loads_with_its_checks(tmp_path: Path) -> None:
    with pytest.raises(RecordInvalid, match="custom check 'has_coach' is not among") as info:
        codec.loads_policy(_COACHED)
    assert "checks={'has_coach': function}" in str(info.value)
    pb = codec.loads_policy(_COACHED, checks={"has_coach": _has_coach})
    assert pb.checks == {"has_coach": _has_coach}
    path = tmp_path / "coached.toml"
    path.write_text(_COACHED, encoding="utf-8")
    assert codec.load_policy(path, Playbook, checks={"has_coach": _has_coach}) == pb
    assert codec.loads_policy(codec.dumps_policy(pb), checks=pb.checks) == pb
    opp = opened(pb)
    with pytest.raises(TransitionNotAllowed, match="no coach named"):
        advance(pb, opp, "deal", on=D0)
    with pytest.raises(RecordInvalid, match="bogus: unknown field"):
        codec.from_dict(Playbook, {**codec.to_dict(pb), "bogus": 1}, checks=pb.checks)


def test_a_shipped_playbook_loads_with_or_without_checks() -> None:
    plain = load_preset("pipeline_project_sales", Playbook)
    assert load_preset("pipeline_project_sales", Playbook, checks={"unused": _has_coach}) == plain


def test_each_operation_returns_its_own_kind_of_event(sales: Playbook) -> None:
    opp, first = open_opportunity(
        sales, id="opp-1", account="acme", amount=Money("1000"), owner="li", on=D0
    )
    opp, logged = log_activity(sales, opp, "visit", on=D0)
    opp, recorded = record_evidence(sales, opp, "estimated_margin", "0.2", on=D0)
    opp, revised = revise_terms(sales, opp, on=D0, owner="wang", reason="hand-over")
    closed_opp, closed = close_out(sales, opp, "withdrawn", on=D0, reason="budget cut")
    events = (first, logged, recorded, revised, closed)
    assert [type(e) for e in events] == [
        Opened,
        ActivityLogged,
        EvidenceRecorded,
        TermsRevised,
        Closed,
    ]
    assert all(PipelineEvent.by_kind[e.kind] is type(e) for e in events)
    assert [e.kind for e in events] == [
        EventKind.OPENED,
        EventKind.ACTIVITY,
        EventKind.EVIDENCE,
        EventKind.TERMS,
        EventKind.CLOSED,
    ]
    assert (first.opening, recorded.fact, revised.opening.owner) == (
        closed_opp.history[0].opening,  # type: ignore[attr-defined]
        Fact.of("estimated_margin", Decimal("0.2")),
        "wang",
    )
    assert codec.to_dict(recorded)["kind"] == "evidence"
    assert codec.from_dict(PipelineEvent, codec.to_dict(closed)) == closed
    assert set(PipelineEvent.by_kind) == set(EventKind)


def test_the_event_base_is_not_built_itself_and_unknown_kinds_are_refused() -> None:
    with pytest.raises(TypeError, match="build one of: Opened, Advanced"):
        PipelineEvent("opp-1", D0)
    with pytest.raises(RecordInvalid, match="kind: unknown PipelineEvent kind"):
        codec.from_dict(PipelineEvent, {"kind": "moved", "opportunity": "o", "on": "2026-03-02"})
    with pytest.raises(RecordInvalid, match="kind: missing field"):
        codec.from_dict(PipelineEvent, {"opportunity": "o", "on": "2026-03-02"})
    with pytest.raises(RecordInvalid, match="the wrong kind for Advanced"):
        codec.from_dict(Advanced, {"kind": "closed", "opportunity": "o", "on": "2026-03-02"})
    schema = codec.json_schema(Opportunity)
    members = schema["properties"]["history"]["items"]["oneOf"]
    assert len(members) == len(EventKind)
    assert schema["$defs"]["Closed"]["properties"]["kind"] == {"const": "closed"}


def test_replay_refuses_an_event_of_a_class_of_its_own(sales: Playbook) -> None:
    @attrs.frozen
    class Moved(Advanced):
        pass

    opp = at_proposal(sales)
    odd = Moved("opp-1", opp.last_event_on, source="proposal", target="bidding")
    with pytest.raises(ValidationError, match="not a pipeline event"):
        replay_opportunity(sales, (*opp.history, odd))


def test_stages_outcomes_and_buyer_steps_share_their_labels() -> None:
    assert Stage("bidding", zh="招投标", en="bidding").label == "招投标 bidding"
    assert Outcome("no_bid", en="no bid").label == "no bid"
    assert BuyerStep("tender").label == "tender"
