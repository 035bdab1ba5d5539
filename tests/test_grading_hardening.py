# ruff: noqa: E501 - the table of refusals pins each whole message on one line
"""Issue 16 for grading: rules the sources state, no self-approved override, clear errors.

Every refusal here pins what it names (the error's class, its ``field`` or its
``policy``/``part``, and its whole message), so that a change to what an error says is
a change a test sees. The ABC and ladder cases at the end pin the behaviours mutation
testing found unchecked (see docs/testing.md).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.calendar import Period
from kamcore.charts import mimebundle, pareto_chart
from kamcore.errors import KamError, PolicyError, RecordInvalid, ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcCrossing,
    AbcMethod,
    AbcPolicy,
    AccountFacts,
    Batch,
    CategoryRule,
    Clause,
    Condition,
    Criterion,
    DevelopmentForecast,
    FinancialStatement,
    GradeBand,
    GradeLadder,
    GradeMigration,
    GradeOverride,
    GradePolicy,
    GradeService,
    Normaliser,
    OverCollection,
    OverrideEvent,
    OverrideEventKind,
    OverrideReview,
    RegradePolicy,
    Regrading,
    SalesRule,
    Score,
    ThresholdOwner,
    ValueCategories,
    WeightedScorecard,
    assess_development,
    categorise,
    choose_treatment,
    classify_abc,
    derive_weights,
    grade,
    grade_all,
    grade_frame,
    grade_many,
    measure_concentration,
    override_grade,
    regrade,
    score,
    score_all,
    score_arrays,
    screen,
    tabulate_migrations,
    visit_order,
    what_would_it_take,
)

CARD = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
LADDER = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80), GradeBand("C", 0, 50)))
Q1, Q2 = Period.quarter(2026, 1), Period.quarter(2026, 2)
ONE_CLASS = AbcPolicy((AbcBreak("A", 1),))
POLICY = GradePolicy(
    (GradeService("A", "dedicated manager", 1), GradeService("B", "specialist", 2))
)
D = Decimal
NAN, INF = D("NaN"), D("Infinity")


def pop(**revenues: int) -> list[AccountFacts]:
    return [AccountFacts(k, sales_revenue=v) for k, v in revenues.items()]


def refusal(call: Callable[[], object]) -> KamError:
    with pytest.raises(KamError) as caught:
        call()
    return caught.value


# -- rules §6: re-grading goes forward ------------------------------------------------
@pytest.mark.parametrize(
    ("period", "problem"),
    [(Q1, "the last period re-graded again"), (Period.quarter(2025, 4), "earlier than the last")],
)
def test_regrading_refuses_a_period_earlier_than_or_equal_to_the_last(
    period: Period, problem: str
) -> None:
    first = regrade(CARD, LADDER, pop(acme=40), period=Q1)
    error = refusal(lambda: regrade(CARD, LADDER, pop(acme=40), previous=first, period=period))
    assert isinstance(error, ValidationError)
    assert error.field == "period"
    assert problem in str(error)
    assert regrade(CARD, LADDER, pop(acme=40), previous=first, period=Q2).period == Q2


# -- rules §7: a collection rate above 100% -------------------------------------------
def test_a_collection_rate_above_100_percent_is_flagged_by_default() -> None:
    facts = AccountFacts("acme", invoiced=1, collected=5)
    assert facts.over_collection is OverCollection.FLAG
    assert facts.collection_rate == 5
    assert facts.flags == ("collection_rate: collected 5 on invoiced 1, a rate of 5 (above 100%)",)
    assert AccountFacts("acme", invoiced=5, collected=5).flags == ()
    assert AccountFacts("acme", invoiced=0, collected=5).flags == ()  # nothing invoiced: no rate


def test_a_collection_rate_above_100_percent_is_refused_by_policy() -> None:
    error = refusal(lambda: AccountFacts("acme", invoiced=1, collected=5, over_collection="refuse"))
    assert isinstance(error, RecordInvalid)
    (inner,) = error.exceptions
    assert inner.field == "collected"
    assert str(inner) == (
        "collected: a collection rate above 100% (got Decimal('5')); expected at most the "
        "amount invoiced, 1 (or over_collection='flag' or 'cap' where arrears are collected)"
    )
    ok = AccountFacts("acme", invoiced=5, collected=5, over_collection=OverCollection.REFUSE)
    assert ok.collection_rate == 1


def test_a_collection_rate_above_100_percent_is_capped_by_policy() -> None:
    facts = AccountFacts("acme", invoiced=1, collected=5, over_collection="cap")
    assert facts.collection_rate == 1
    assert facts.flags == ("collection_rate: collected 5 on invoiced 1, capped at 1 (100%)",)
    half = AccountFacts("acme", invoiced=2, collected=1, over_collection="cap")
    assert (half.collection_rate, half.flags) == (D("0.5"), ())
    card = WeightedScorecard((Criterion("collection_rate", 1, Normaliser.linear(0, 2)),))
    assert score(card, facts).total == D(50)


def test_the_over_collection_policy_names_itself_when_unknown() -> None:
    error = refusal(lambda: AccountFacts("acme", over_collection="ignore"))
    assert isinstance(error, ValidationError)
    assert error.field == "over_collection"


# -- separation of duties: grade overrides --------------------------------------------
PEOPLE = ("li", "LI ", " Li", "ｌｉ", "zhao", "Zhao", "wang")


def person(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


@given(requester=st.sampled_from(PEOPLE), approver=st.sampled_from(PEOPLE))
def test_no_one_approves_their_own_grade_override(requester: str, approver: str) -> None:
    state = regrade(CARD, LADDER, pop(acme=40), period=Q1)
    args: dict[str, Any] = {
        "ladder": LADDER,
        "grade": "B",
        "reason": "strategic partner",
        "requested_by": requester,
        "approved_by": approver,
        "on": "2026-04-10",
        "until_next_regrade": True,
    }
    if person(requester) == person(approver):
        error = refusal(lambda: override_grade(state, "acme", **args))
        assert isinstance(error, ValidationError)
        assert error.field == "approved_by"
        return
    state, event = override_grade(state, "acme", **args)
    assert person(event.by) == person(event.override.approved_by) != person(requester)


@given(
    requester=st.sampled_from(PEOPLE),
    approver=st.sampled_from(PEOPLE),
    keeper=st.sampled_from(PEOPLE),
)
def test_every_approval_of_an_override_is_by_someone_other_than_its_requester(
    requester: str, approver: str, keeper: str
) -> None:
    """For any people: an override is in force only if each approval was someone else's."""
    if person(requester) == person(approver):
        return  # refused above
    state, _ = override_grade(
        regrade(CARD, LADDER, pop(acme=40), period=Q1),
        "acme",
        ladder=LADDER,
        grade="B",
        reason="strategic partner",
        requested_by=requester,
        approved_by=approver,
        on="2026-04-10",
        until_next_regrade=True,
    )
    keep = OverrideReview("acme", keep=True, by=keeper, on="2026-07-02", until_next_regrade=True)
    if person(keeper) == person(requester):
        error = refusal(
            lambda: regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[keep])
        )
        assert isinstance(error, ValidationError)
        assert error.field == "reviews[0].by"
        return
    after = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[keep])
    for event in after.override_history:
        approvers = {person(event.by), person(event.override.approved_by)}
        assert person(event.override.requested_by) not in approvers
    assert after.grade_of("acme") == "B"


def test_a_history_cannot_record_an_override_as_approved_by_someone_else() -> None:
    state, granted = override_grade(
        regrade(CARD, LADDER, pop(acme=40), period=Q1),
        "acme",
        ladder=LADDER,
        grade="B",
        reason="strategic partner",
        requested_by="li",
        approved_by="zhao",
        on="2026-04-10",
        until_next_regrade=True,
    )
    forged = attrs.evolve(granted, by="li")
    error = refusal(lambda: attrs.evolve(state, override_history=(forged,)))
    assert error.field == "override_history[0].by"  # type: ignore[attr-defined]
    # a renewal that swaps the requester: li asks, then "keeps" it as approver
    swapped = GradeOverride(
        account_id="acme",
        grade="A",
        reason="x",
        requested_by="zhao",
        approved_by="li",
        on=date(2026, 5, 1),
        until_next_regrade=True,
    )
    kept = OverrideEvent(
        kind=OverrideEventKind.KEPT, override=swapped, by="li", on=date(2026, 5, 1)
    )
    error = refusal(lambda: attrs.evolve(state, override_history=(granted, kept)))
    assert error.field == "override_history[1].override"  # type: ignore[attr-defined]
    assert "changes the requester or the grade" in str(error)


# -- every bad input a clear error ----------------------------------------------------
BAD_INPUTS: list[tuple[str, Callable[[], object], str]] = [
    ("grade NaN", lambda: grade(LADDER, NAN), "score"),
    ("grade Infinity", lambda: grade(LADDER, -INF), "score"),
    ("grade '85'", lambda: grade(LADDER, "85"), "score"),
    ("grade None", lambda: grade(LADDER, None), "score"),  # type: ignore[arg-type]
    ("grade 85.0", lambda: grade(LADDER, 85.0), "score"),  # type: ignore[arg-type]
    ("grade True", lambda: grade(LADDER, True), "score"),
    ("grade no ladder", lambda: grade(None, D(5)), "ladder"),  # type: ignore[arg-type]
    ("grade_of NaN", lambda: LADDER.grade_of(NAN), "total"),
    ("linear NaN", lambda: Normaliser.linear(0, 10).apply(NAN), "x"),
    ("linear Infinity", lambda: Normaliser.linear(0, 10).apply(INF), "x"),
    ("linear None", lambda: Normaliser.linear(0, 10).apply(None), "x"),  # type: ignore[arg-type]
    ("linear float", lambda: Normaliser.linear(0, 10).apply(1.5), "x"),  # type: ignore[arg-type]
    ("steps NaN", lambda: Normaliser.step_table([(0, 1)]).apply(NAN), "x"),
    ("abc bare ids", lambda: classify_abc(ONE_CLASS, ["a", "b"]), "measures[0]"),  # type: ignore[list-item]
    ("abc None id", lambda: classify_abc(ONE_CLASS, {None: 1}), "measures[0]"),  # type: ignore[dict-item]
    ("abc triple", lambda: classify_abc(ONE_CLASS, [("a", 1, 2)]), "measures[0]"),  # type: ignore[list-item]
    ("abc None", lambda: classify_abc(ONE_CLASS, None), "measures"),  # type: ignore[arg-type]
    ("abc no policy", lambda: classify_abc(None, {"a": 1}), "policy"),  # type: ignore[arg-type]
    ("concentration None", lambda: measure_concentration(None), "measures"),  # type: ignore[arg-type]
    ("grade_all None", lambda: grade_all(CARD, LADDER, None), "population"),  # type: ignore[arg-type]
    ("grade_all ints", lambda: grade_all(CARD, LADDER, [1]), "population[0]"),  # type: ignore[list-item]
    ("grade_all no model", lambda: grade_all(None, LADDER, []), "model"),  # type: ignore[arg-type]
    ("grade_all no ladder", lambda: grade_all(CARD, None, []), "ladder"),  # type: ignore[arg-type]
    ("grade_many None", lambda: grade_many(CARD, LADDER, None), "population"),  # type: ignore[arg-type]
    ("grade_many abc", lambda: grade_many(CARD, LADDER, [], abc="A"), "abc"),  # type: ignore[arg-type]
    ("score_all None", lambda: score_all(CARD, None), "population"),  # type: ignore[arg-type]
    ("score None", lambda: score(CARD, None), "facts"),  # type: ignore[arg-type]
    ("score no model", lambda: score(None, AccountFacts("a")), "model"),  # type: ignore[arg-type]
    ("categorise None", lambda: categorise(None, AccountFacts("a")), "categories"),  # type: ignore[arg-type]
    ("screen None", lambda: screen(None), "statement"),  # type: ignore[arg-type]
    ("screen places", lambda: screen(FinancialStatement(), places="4"), "places"),  # type: ignore[arg-type]
    ("assess_development None", lambda: assess_development(None), "forecast"),  # type: ignore[arg-type]
    ("choose_treatment {}", lambda: choose_treatment(POLICY, "A", {}), "facts"),  # type: ignore[arg-type]
    ("choose_treatment None", lambda: choose_treatment(None, "A"), "policy"),  # type: ignore[arg-type]
    ("visit_order None", lambda: visit_order(POLICY, None), "grades"),  # type: ignore[arg-type]
    ("visit_order bare", lambda: visit_order(POLICY, ["a"]), "grades[0]"),  # type: ignore[list-item]
    ("regrade population", lambda: regrade(CARD, LADDER, None), "population"),  # type: ignore[arg-type]
    ("regrade previous", lambda: regrade(CARD, LADDER, [], previous="q1"), "previous"),  # type: ignore[arg-type]
    ("regrade by", lambda: regrade(CARD, LADDER, [], by=None), "by"),  # type: ignore[arg-type]
    ("regrade policy", lambda: regrade(CARD, LADDER, [], policy=None), "policy"),  # type: ignore[arg-type]
    ("what_would_it_take", lambda: what_would_it_take(CARD, LADDER, None), "facts"),  # type: ignore[arg-type]
    ("migrations", lambda: tabulate_migrations(LADDER, None, None), "before"),  # type: ignore[arg-type]
    ("derive_weights", lambda: derive_weights(None, [[1]]), "names"),  # type: ignore[arg-type]
    ("derive_weights row", lambda: derive_weights(["a"], [None]), "matrix[0]"),  # type: ignore[list-item]
    (
        "override_grade",
        lambda: override_grade(
            None,
            "a",
            ladder=LADDER,
            grade="A",
            reason="r",
            requested_by="li",
            approved_by="zhao",
            on="2026-04-01",
        ),
        "regrading",
    ),  # type: ignore[arg-type]
    ("score_arrays model", lambda: score_arrays(None, {}), "model"),  # type: ignore[arg-type]
    ("score_arrays data", lambda: score_arrays(CARD, None), "data"),  # type: ignore[arg-type]
    ("score_arrays ladder", lambda: score_arrays(CARD, {}, ladder="A"), "ladder"),  # type: ignore[arg-type]
    ("grade_frame frame", lambda: grade_frame(CARD, LADDER, None), "frame"),  # type: ignore[arg-type]
    ("Regrading graded", lambda: Regrading(None, None, (), ()), "graded"),  # type: ignore[arg-type]
    ("Regrading held", lambda: Regrading(None, (), (), (), held=[1]), "held[0]"),  # type: ignore[list-item]
    ("GradeMigration grades", lambda: GradeMigration(None, None, None, ()), "grades"),  # type: ignore[arg-type]
    ("Batch graded", lambda: Batch(None), "graded"),  # type: ignore[arg-type]
    ("CategoryRule accounts", lambda: CategoryRule("big", accounts=None), "accounts"),  # type: ignore[arg-type]
    ("SalesRule grades", lambda: SalesRule("r", (), "discount", grades=None), "grades"),  # type: ignore[arg-type]
    ("Score total", lambda: Score("a", "m", NAN, (), (), (), (), ()), "total"),
    ("Score names", lambda: Score("a", "m", D(0), None, (), (), (), ()), "names"),  # type: ignore[arg-type]
    ("Score account", lambda: Score(None, "m", D(0), (), (), (), (), ()), "account_id"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("case", "call", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_every_bad_grading_input_is_a_kam_error_naming_its_field(
    case: str, call: Callable[[], object], field: str
) -> None:
    error = refusal(call)
    assert isinstance(error, ValidationError), case
    assert error.field == field
    assert str(error).startswith(f"{field}: ")


def test_grade_accepts_a_whole_number_total_and_a_score() -> None:
    assert grade(LADDER, 85) == "A"
    assert grade(LADDER, score(CARD, AccountFacts("a", sales_revenue=60))) == "B"


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [({"demote_after": "2"}, "demote_after"), ({"reasons": -1}, "reasons")],
)
def test_a_deprecated_regrade_argument_names_itself(kwargs: dict[str, object], part: str) -> None:
    with pytest.warns(DeprecationWarning, match="regrade"):
        error = refusal(lambda: regrade(CARD, LADDER, [], **kwargs))  # type: ignore[arg-type]
    assert isinstance(error, PolicyError)
    assert error.part == part
    for value in ("2", None, 2.0, True):
        error = refusal(lambda v=value: RegradePolicy(demote_after=v))  # type: ignore[misc]
        assert isinstance(error, PolicyError)
        assert str(error) == (
            f"RegradePolicy demote_after: {value!r} must be a whole number, 1 or more"
        )
    # demote_after=None on regrade means "not given": the policy's rules apply
    assert regrade(CARD, LADDER, pop(a=1), demote_after=None).changes[0].to_grade == "C"


def test_value_categories_and_treatments_still_read_facts() -> None:
    rule = CategoryRule("big", (Clause((Condition("sales_revenue", ">=", 10),)),))
    categories = ValueCategories((rule,))
    assert categorise(categories, AccountFacts("a", sales_revenue=10)) == ("big",)
    assert choose_treatment(POLICY, "A").service_plan == "dedicated manager"
    assert visit_order(POLICY, [("y", "B"), ("x", "A"), ("w", "A")]) == ("w", "x", "y")
    verdict = assess_development(DevelopmentForecast(sales=10, profit=5))
    assert verdict.worth_developing


# -- what errors name: ladders and ABC policies ---------------------------------------
def _band(*spec: tuple[str, int, int]) -> GradeLadder:
    return GradeLadder(tuple(GradeBand(g, lo, hi) for g, lo, hi in spec))


ERRORS: list[tuple[str, Callable[[], object], type[KamError], dict[str, str], str]] = [
    ("band lower", lambda: GradeBand("A", "x", 1), ValidationError, {"field": "lower"},
     "lower: not a decimal number (got 'x'); expected a decimal string such as '0.10', an int, or a decimal.Decimal"),
    ("band upper", lambda: GradeBand("A", 0, "x"), ValidationError, {"field": "upper"},
     "upper: not a decimal number (got 'x'); expected a decimal string such as '0.10', an int, or a decimal.Decimal"),
    ("bands", lambda: GradeLadder(5), ValidationError, {"field": "bands"},  # type: ignore[arg-type]
     "bands: not a sequence (got 5); expected a sequence of GradeBand"),
    ("no bands", lambda: GradeLadder(()), PolicyError, {"policy": "GradeLadder", "part": "bands"},
     "GradeLadder bands: needs at least one band"),
    ("range", lambda: GradeLadder((GradeBand("A", 0, 100),), low=100, high=100), PolicyError,
     {"policy": "GradeLadder", "part": "range"}, "GradeLadder range: low 100 must be below high 100"),
    ("duplicate grade", lambda: _band(("A", 50, 100), ("A", 0, 50)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[1] 'A'"},
     "GradeLadder bands[1] 'A': grade labels must be non-empty and unique"),
    ("blank grade", lambda: _band(("A", 50, 100), ("", 0, 50)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[1] ''"},
     "GradeLadder bands[1] '': grade labels must be non-empty and unique"),
    ("empty band", lambda: _band(("A", 50, 100), ("B", 50, 50), ("C", 0, 50)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[1] 'B'"}, "GradeLadder bands[1] 'B': band is empty (50 ≥ 50)"),
    ("top", lambda: _band(("A", 50, 90), ("B", 0, 50)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[0] 'A'"},
     "GradeLadder bands[0] 'A': the best band ends at 90, not at the top of the range 100"),
    ("overlap", lambda: _band(("A", 50, 100), ("B", 0, 60)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[1] 'B'"},
     "GradeLadder bands[1] 'B': overlaps 'A': ends at 60 but 'A' starts at 50"),
    ("gap", lambda: _band(("A", 50, 100), ("B", 0, 40)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[1] 'B'"},
     "GradeLadder bands[1] 'B': gap below 'A': ends at 40 but 'A' starts at 50"),
    ("bottom", lambda: _band(("A", 50, 100), ("B", 30, 50), ("C", 10, 30)), PolicyError,
     {"policy": "GradeLadder", "part": "bands[2] 'C'"},
     "GradeLadder bands[2] 'C': the worst band starts at 10, not at the bottom of the range 0"),
    ("owner", lambda: GradeLadder((GradeBand("A", 0, 100),), threshold_owner="sideways"),
     ValidationError, {"field": "threshold_owner"},
     "threshold_owner: not a BoundaryOwner (got 'sideways'); expected one of: higher, lower"),
    ("rank", lambda: _band(("A", 50, 100), ("B", 0, 50)).rank("Z"), ValidationError,
     {"field": "grade"}, "grade: not a grade of this ladder (got 'Z'); expected one of: A, B"),
    ("above range", lambda: _band(("A", 50, 100), ("B", 0, 50)).grade_of(D(101)), ValidationError,
     {"field": "total"},
     "total: score outside the ladder's range (got Decimal('101')); expected a score between 0 and 100"),
    ("below range", lambda: _band(("A", 50, 100), ("B", 0, 50)).grade_of(D(-1)), ValidationError,
     {"field": "total"},
     "total: score outside the ladder's range (got Decimal('-1')); expected a score between 0 and 100"),
    ("upto", lambda: AbcBreak("A", "x"), ValidationError, {"field": "upto"},
     "upto: not a decimal number (got 'x'); expected a fraction such as '0.80'"),
    ("no classes", lambda: AbcPolicy(()), PolicyError, {"policy": "AbcPolicy", "part": "breaks"},
     "AbcPolicy breaks: needs at least one class"),
    ("group by count", lambda: AbcPolicy((AbcBreak("A", 1),), method="count", reading="group_share"),
     PolicyError, {"policy": "AbcPolicy", "part": "reading"},
     "AbcPolicy reading: the group-share reading cuts by share of the measure: method must be 'share'"),
    ("duplicate label", lambda: AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("A", 1))), PolicyError,
     {"policy": "AbcPolicy", "part": "breaks[1] 'A'"},
     "AbcPolicy breaks[1] 'A': labels must be non-empty and unique"),
    ("blank label", lambda: AbcPolicy((AbcBreak("", "0.5"), AbcBreak("B", 1))), PolicyError,
     {"policy": "AbcPolicy", "part": "breaks[0] ''"},
     "AbcPolicy breaks[0] '': labels must be non-empty and unique"),
    ("not ascending", lambda: AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", "0.5"), AbcBreak("C", 1))),
     PolicyError, {"policy": "AbcPolicy", "part": "breaks[1] 'B'"},
     "AbcPolicy breaks[1] 'B': upto 0.5 must lie in (0.5, 1]"),
    ("zero upto", lambda: AbcPolicy((AbcBreak("A", 0), AbcBreak("B", 1))), PolicyError,
     {"policy": "AbcPolicy", "part": "breaks[0] 'A'"}, "AbcPolicy breaks[0] 'A': upto 0 must lie in (0, 1]"),
    ("target", lambda: AbcPolicy((AbcBreak("A", "1.5"), AbcBreak("B", 1)), reading="group_share"),
     PolicyError, {"policy": "AbcPolicy", "part": "breaks[0] 'A'"},
     "AbcPolicy breaks[0] 'A': target share 1.5 must lie in (0, 1]"),
    ("zero target", lambda: AbcPolicy((AbcBreak("A", "0"), AbcBreak("B", 1)), reading="group_share"),
     PolicyError, {"policy": "AbcPolicy", "part": "breaks[0] 'A'"},
     "AbcPolicy breaks[0] 'A': target share 0 must lie in (0, 1]"),
    ("targets", lambda: AbcPolicy((AbcBreak("A", "0.6"), AbcBreak("B", "0.5"), AbcBreak("C", 1)),
                                  reading="group_share"),
     PolicyError, {"policy": "AbcPolicy", "part": "breaks"},
     "AbcPolicy breaks: the target shares of the classes before the last add up to 1.1, more than 1"),
    ("last", lambda: AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", "0.9"))), PolicyError,
     {"policy": "AbcPolicy", "part": "breaks[1]"}, "AbcPolicy breaks[1]: the last class must reach 1, not 0.9"),
    ("last, group", lambda: AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", "0.9")), reading="group_share"),
     PolicyError, {"policy": "AbcPolicy", "part": "breaks[1]"},
     ("AbcPolicy breaks[1]: the last class must reach 1, not 0.9 (under the group-share reading "
      "the last class takes the rest)")),
    ("label_of", lambda: classify_abc(ONE_CLASS, {"x": 1}).label_of("y"), ValidationError,
     {"field": "account_id"},
     "account_id: unknown account (got 'y'); expected an account of the classified population"),
    ("view", lambda: classify_abc(ONE_CLASS, {"x": 1}).records("rows"), ValidationError,
     {"field": "view"}, "view: unknown view (got 'rows'); expected 'accounts' or 'classes'"),
    ("view type", lambda: classify_abc(ONE_CLASS, {"x": 1}).records(["accounts"]), ValidationError,  # type: ignore[arg-type]
     {"field": "view"}, "view: unknown view (got ['accounts']); expected 'accounts' or 'classes'"),
    ("negative", lambda: classify_abc(ONE_CLASS, {"x": -1}), ValidationError, {"field": "measures.x"},
     "measures.x: negative measure (got Decimal('-1')); expected zero or more"),
    ("duplicate", lambda: classify_abc(ONE_CLASS, [("x", 1), ("x", 2)]), ValidationError,
     {"field": "measures"}, "measures: duplicate account id (got 'x'); expected one measure per account"),
    ("NaN measure", lambda: classify_abc(ONE_CLASS, {"x": NAN}), ValidationError, {"field": "measures.x"},
     ("measures.x: not a finite number (got Decimal('NaN')); expected a decimal string such as "
      "'0.10', an int, or a decimal.Decimal")),
    ("bare ids", lambda: classify_abc(ONE_CLASS, ["a", "b"]), ValidationError, {"field": "measures[0]"},  # type: ignore[list-item]
     "measures[0]: not a pair (got 'a'); expected an (account id, measure) pair"),
    ("None id", lambda: classify_abc(ONE_CLASS, {None: 1}), ValidationError, {"field": "measures[0]"},  # type: ignore[dict-item]
     "measures[0]: a NoneType; expected an account id (a string)"),
    ("no measures", lambda: classify_abc(ONE_CLASS, None), ValidationError, {"field": "measures"},  # type: ignore[arg-type]
     "measures: a NoneType; expected a mapping of account id to measure, or (account id, measure) pairs"),
    ("no policy", lambda: classify_abc(None, {"x": 1}), ValidationError, {"field": "policy"},  # type: ignore[arg-type]
     "policy: a NoneType; expected an AbcPolicy"),
    ("policy by name", lambda: classify_abc("abc", {"x": 1}), ValidationError, {"field": "policy"},  # type: ignore[arg-type]
     "policy: a str (got 'abc'); expected an AbcPolicy"),
    ("a number of measures", lambda: classify_abc(ONE_CLASS, 5), ValidationError, {"field": "measures"},  # type: ignore[arg-type]
     "measures: a int (got 5); expected a mapping of account id to measure, or (account id, measure) pairs"),
    ("number id", lambda: classify_abc(ONE_CLASS, {7: 1}), ValidationError, {"field": "measures[0]"},  # type: ignore[dict-item]
     "measures[0]: a int (got 7); expected an account id (a string)"),
    ("grade NaN", lambda: grade(LADDER, NAN), ValidationError, {"field": "score"},
     "score: not a finite number (got Decimal('NaN')); expected a Score, or a finite Decimal or int total"),
    ("grade float", lambda: grade(LADDER, 85.0), ValidationError, {"field": "score"},  # type: ignore[arg-type]
     "score: a float: inexact, refused for a score (got 85.0); expected a Score, or a finite Decimal or int total"),
    ("grade text", lambda: grade(LADDER, "85"), ValidationError, {"field": "score"},  # type: ignore[arg-type]
     "score: a str (got '85'); expected a Score, or a finite Decimal or int total"),
    ("grade_of Infinity", lambda: LADDER.grade_of(INF), ValidationError, {"field": "total"},
     "total: not a finite number (got Decimal('Infinity')); expected a Score, or a finite Decimal or int total"),
    ("grade_all model", lambda: grade_all("card", LADDER, []), ValidationError, {"field": "model"},  # type: ignore[arg-type]
     "model: a str (got 'card'); expected a ScoringModel"),
    ("grade_all ladder", lambda: grade_all(CARD, "letters", []), ValidationError, {"field": "ladder"},  # type: ignore[arg-type]
     "ladder: a str (got 'letters'); expected a GradeLadder"),
    ("grade_all population", lambda: grade_all(CARD, LADDER, [None]), ValidationError,  # type: ignore[list-item]
     {"field": "population[0]"}, "population[0]: a NoneType; expected an AccountFacts"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "call", "kind", "names", "message"), ERRORS, ids=[e[0] for e in ERRORS]
)
def test_every_ladder_and_abc_refusal_names_what_is_wrong(
    case: str, call: Callable[[], object], kind: type[KamError], names: dict[str, str], message: str
) -> None:
    error = refusal(call)
    assert type(error) is kind, case
    assert {name: getattr(error, name) for name in names} == names
    assert str(error) == message


# -- behaviours no test saw -----------------------------------------------------------
@pytest.mark.parametrize(
    ("owner", "at_threshold"), [(ThresholdOwner.ABOVE, "B"), (ThresholdOwner.BELOW, "C")]
)
def test_a_score_exactly_at_the_floor_or_a_threshold(
    owner: ThresholdOwner, at_threshold: str
) -> None:
    ladder = GradeLadder(LADDER.bands, threshold_owner=owner)
    assert grade(ladder, D(0)) == "C"  # the floor of the range: always the worst grade
    assert grade(ladder, D(100)) == "A"  # the top: always the best
    assert grade(ladder, D(50)) == at_threshold  # the threshold between B and C
    assert grade(ladder, D("50.01")) == "B"
    assert grade(ladder, D("49.99")) == "C"
    assert grade(ladder, D(80)) == ("A" if owner is ThresholdOwner.ABOVE else "B")


def test_abc_next_with_measures_summing_to_at_most_one() -> None:
    policy = AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", 1)), crossing=AbcCrossing.NEXT)
    # the total is 0.5: A ends at 0.25 and x alone (0.3) passes it, so x goes to B
    r = classify_abc(policy, {"x": D("0.3"), "y": D("0.2")})
    assert r.as_dict() == {"x": "B", "y": "B"}
    assert [a.cumulative_share for a in r.assignments] == [D("0.6"), D(1)]
    joins = classify_abc(
        attrs.evolve(policy, crossing=AbcCrossing.JOINS), {"x": D("0.3"), "y": D("0.2")}
    )
    assert joins.as_dict() == {"x": "A", "y": "B"}


def test_abc_by_count_rounds_a_fractional_count_up() -> None:
    policy = AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", 1)), method=AbcMethod.COUNT)
    r = classify_abc(policy, {"x": 3, "y": 2, "z": 1})  # 0.5 × 3 = 1.5 → 2 accounts
    assert r.as_dict() == {"x": "A", "y": "A", "z": "B"}


def test_abc_group_share_result_carries_ranks_shares_and_counts() -> None:
    policy = AbcPolicy(
        (AbcBreak("A", "0.5"), AbcBreak("B", "0.3"), AbcBreak("C", 1)), reading="group_share"
    )
    r = classify_abc(policy, {"b": 30, "a": 50, "c": 20})
    assert r.method is AbcMethod.SHARE
    assert [(a.account_id, a.label, a.rank) for a in r.assignments] == [
        ("a", "A", 1),
        ("b", "B", 2),
        ("c", "C", 3),
    ]
    assert [a.cumulative_share for a in r.assignments] == [D("0.5"), D("0.8"), D(1)]
    assert str(r.assignments[0].cumulative_share) == "0.500000000000"
    assert [c.count_share for c in r.classes] == [D(1) / 3] * 3
    assert [c.share for c in r.classes] == [D("0.5"), D("0.3"), D("0.2")]


def test_abc_group_share_accepts_a_target_of_one_for_a_class_before_the_last() -> None:
    policy = AbcPolicy((AbcBreak("A", 1), AbcBreak("B", 1)), reading="group_share")
    assert classify_abc(policy, {"x": 1, "y": 1}).as_dict() == {"x": "A", "y": "A"}


def test_abc_rounding_residue_goes_to_the_first_of_equally_big_classes() -> None:
    policy = AbcPolicy(
        (AbcBreak("A", "0.3"), AbcBreak("B", "0.3"), AbcBreak("C", 1)), reading="group_share"
    )
    r = classify_abc(policy, {"x": 1, "y": 1, "z": 1})
    assert r.as_dict() == {"x": "A", "y": "B", "z": "C"}
    assert [str(c.share) for c in r.classes] == [
        "0.333333333334",
        "0.333333333333",
        "0.333333333333",
    ]
    assert sum(c.share for c in r.classes) == 1
    cumulative = classify_abc(
        AbcPolicy((AbcBreak("A", "0.3"), AbcBreak("B", "0.6"), AbcBreak("C", 1))),
        {"x": 1, "y": 1, "z": 1},
    )
    assert [str(c.share) for c in cumulative.classes] == [
        "0.333333333334",
        "0.333333333333",
        "0.333333333333",
    ]


def test_an_abc_result_shows_as_its_pareto_chart_in_a_notebook() -> None:
    r = classify_abc(AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1))), {"x": 80, "y": 20})
    assert r._repr_mimebundle_() == mimebundle(pareto_chart(r))
    assert r._repr_mimebundle_() != {}
    assert r._repr_mimebundle_(include=["text/plain"]) == {}
    kind = next(iter(mimebundle(pareto_chart(r))))
    assert r._repr_mimebundle_(exclude=[kind]) == {}
