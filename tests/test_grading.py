"""Grading: facts, scorecards, ladders and ABC classes, as sentences."""

from __future__ import annotations

import random
from decimal import Decimal

import attrs
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.errors import KamError, PolicyError, RecordInvalid, ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcCrossing,
    AbcMethod,
    AbcPolicy,
    AbcResult,
    AccountFacts,
    Criterion,
    Direction,
    GradeBand,
    Graded,
    GradeLadder,
    MissingPolicy,
    Normaliser,
    NormaliserKind,
    Score,
    ScoringModel,
    ThresholdOwner,
    TopsisModel,
    WeightedScorecard,
    classify_abc,
    grade,
    grade_all,
    score,
    score_all,
)
from kamcore.presets import load_preset
from kamcore.strategies import _grading as gst

D = Decimal


def full_facts(account_id: str = "acme", **changes: object) -> AccountFacts:
    base = AccountFacts(
        account_id,
        contract_volume=5_000_000,
        unit_price=12,
        sales_revenue=20_000_000,
        invoiced=100,
        collected=90,
        profit=1_000_000,
        quality_losses=0,
        industry_influence=7,
        business_reputation=4,
    )
    return attrs.evolve(base, **changes) if changes else base


@pytest.fixture(scope="module")
def default_card() -> WeightedScorecard:
    # the hand-computed arithmetic below uses the fixed bounds of the source's reading
    return load_preset("grading_scorecard_absolute", WeightedScorecard)


@pytest.fixture(scope="module")
def letters() -> GradeLadder:
    return load_preset("grading_letters", GradeLadder)


# -- facts ----------------------------------------------------------------------------
def test_missing_figures_are_none_not_zero() -> None:
    f = AccountFacts("a", sales_revenue=0)
    assert f.sales_revenue == 0
    assert f.profit is None
    assert f.figure("profit") is None


def test_collection_rate_is_collected_over_invoiced() -> None:
    assert AccountFacts("a", invoiced=200, collected=150).collection_rate == D("0.75")


def test_collection_rate_is_undefined_when_nothing_was_invoiced() -> None:
    assert AccountFacts("a", invoiced=0, collected=0).collection_rate is None
    assert AccountFacts("a", invoiced=10).collection_rate is None


def test_negative_revenue_is_refused_naming_the_figure() -> None:
    with pytest.raises(RecordInvalid) as info:
        AccountFacts("a", sales_revenue=-1, quality_losses=-2)
    assert isinstance(info.value, KamError)
    assert [e.field for e in info.value.errors] == ["sales_revenue", "quality_losses"]


def test_negative_profit_is_allowed() -> None:
    assert AccountFacts("a", profit=-5).profit == D(-5)


def test_float_figures_are_refused() -> None:
    with pytest.raises(ValidationError, match="profit"):
        AccountFacts("a", profit=0.1)


def test_money_is_accepted_as_a_figure() -> None:
    from kamcore.money import Money

    assert AccountFacts("a", sales_revenue=Money("12.50")).sales_revenue == D("12.50")


def test_an_account_needs_an_id() -> None:
    with pytest.raises(ValidationError, match="account_id"):
        AccountFacts("  ")


def test_extras_are_company_figures_sorted_by_name() -> None:
    f = AccountFacts("a", extras={"referrals_signed": 1, "cumulative_contracts": "12000000"})
    assert f.extras == (("cumulative_contracts", D(12_000_000)), ("referrals_signed", D(1)))
    assert f.figure("referrals_signed") == 1
    assert f.figure("unknown") is None


@pytest.mark.parametrize(
    ("extras", "match"),
    [
        ({"profit": 1}, "duplicate"),
        ({"9bad": 1}, "bad figure name"),
        ([("x",)], "pair"),
        ("x=1", "not a map"),
        ({"x": 0.5}, "float"),
    ],
)
def test_bad_extras_are_refused(extras: object, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        AccountFacts("a", extras=extras)


def test_with_figure_replaces_a_field_or_an_extra() -> None:
    f = AccountFacts("a", profit=1)
    assert f.with_figure("profit", 3).profit == 3
    assert f.with_figure("stars", 2).figure("stars") == 2
    with pytest.raises(ValidationError, match="derived"):
        f.with_figure("collection_rate", 1)


def test_period_may_be_given_as_a_label() -> None:
    assert str(AccountFacts("a", period="2026-03").period) == "2026-03"
    with pytest.raises(ValidationError, match="period"):
        AccountFacts("a", period=3)


@given(gst.account_facts())
def test_facts_round_trip_through_the_codec(facts: AccountFacts) -> None:
    assert codec.from_dict(AccountFacts, codec.to_dict(facts)) == facts


# -- normalisers ----------------------------------------------------------------------
def test_linear_normaliser_clamps_to_its_bounds() -> None:
    n = Normaliser.linear(10, 20)
    assert [n.apply(D(x)) for x in (0, 10, 15, 20, 99)] == [0, 0, D("0.5"), 1, 1]


def test_minmax_needs_a_fit_before_it_scores() -> None:
    with pytest.raises(PolicyError, match="minmax"):
        Normaliser.minmax().apply(D(1))
    fitted = Normaliser.minmax().fit([D(4), D(2), D(6)])
    assert (fitted.lower, fitted.upper, fitted.apply(D(5))) == (2, 6, D("0.75"))


def test_minmax_over_equal_figures_gives_everyone_full_marks() -> None:
    fitted = Normaliser.minmax().fit([D(3), D(3)])
    assert fitted.apply(D(3)) == 1


def test_minmax_fit_needs_at_least_one_figure() -> None:
    with pytest.raises(ValidationError, match="fit"):
        Normaliser.minmax().fit([])


def test_step_table_takes_the_last_step_reached() -> None:
    n = Normaliser.step_table([(0, "0.2"), (100, "0.6"), (500, 1)])
    assert [n.apply(D(x)) for x in (-1, 0, 99, 100, 501)] == [0, D("0.2"), D("0.2"), D("0.6"), 1]


@pytest.mark.parametrize(
    ("build", "part"),
    [
        (lambda: Normaliser.linear(5, 5), "bounds"),
        (lambda: Normaliser(NormaliserKind.MINMAX, 3, None), "bounds"),
        (lambda: Normaliser.step_table([]), "steps"),
        (lambda: Normaliser.step_table([(0, 2)]), "steps[0]"),
        (lambda: Normaliser.step_table([(5, 0), (5, 1)]), "steps[1]"),
        (lambda: Normaliser.step_table([(0, 1), (5, "0.5")]), "steps[1]"),
        (lambda: Normaliser(NormaliserKind.LINEAR, 0, 1, steps=[(0, 1)]), "steps"),
    ],
)
def test_inconsistent_normalisers_are_refused_naming_the_part(build: object, part: str) -> None:
    with pytest.raises(PolicyError) as info:
        build()  # type: ignore[operator]
    assert part in info.value.part


def test_invert_finds_the_smallest_figure_reaching_a_fraction() -> None:
    assert Normaliser.linear(0, 200).invert(D("0.25")) == 50
    assert Normaliser.linear(0, 200).invert(D("1.5")) is None
    steps = Normaliser.step_table([(0, "0.2"), (100, "0.6")])
    assert steps.invert(D("0.5")) == 100
    assert steps.invert(D("0.7")) is None


# -- scorecards -----------------------------------------------------------------------
def test_weights_that_do_not_sum_to_one_are_refused() -> None:
    with pytest.raises(PolicyError, match=r"sum to 0\.9") as info:
        WeightedScorecard(
            (
                Criterion("profit", "0.5", Normaliser.linear(0, 1)),
                Criterion("sales_revenue", "0.4", Normaliser.linear(0, 1)),
            )
        )
    assert info.value.part == "weights"


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"criteria": ()}, "criteria"),
        ({"scale": 0}, "scale"),
        ({"places": 13}, "places"),
        ({"scale": "99.5", "places": 0}, "scale"),
    ],
)
def test_inconsistent_scorecards_are_refused(kwargs: dict[str, object], part: str) -> None:
    base: dict[str, object] = {"criteria": (Criterion("profit", 1, Normaliser.linear(0, 1)),)}
    with pytest.raises(PolicyError) as info:
        WeightedScorecard(**(base | kwargs))  # type: ignore[arg-type]
    assert info.value.part == part


def test_duplicate_and_negative_criteria_are_refused() -> None:
    lin = Normaliser.linear(0, 1)
    with pytest.raises(PolicyError, match="duplicate"):
        WeightedScorecard((Criterion("p", "0.5", lin), Criterion("p", "0.5", lin)))
    with pytest.raises(PolicyError, match="negative"):
        WeightedScorecard((Criterion("p", "-0.5", lin), Criterion("q", "1.5", lin)))
    with pytest.raises(ValidationError, match="name"):
        Criterion(" ", 1, lin)


@pytest.mark.parametrize("missing", list(MissingPolicy))
def test_a_criterion_reading_a_misspelt_figure_is_refused(missing: MissingPolicy) -> None:
    criteria = (
        Criterion("revenue", "0.5", Normaliser.linear(0, 10), figure="sales_revenue"),
        Criterion("profit", "0.5", Normaliser.linear(0, 10), figure="proift"),
    )
    with pytest.raises(PolicyError, match=r"criteria\[1\] 'profit': unknown figure 'proift'"):
        WeightedScorecard(criteria, missing=missing)


def test_a_scorecard_reads_declared_extras() -> None:
    card = WeightedScorecard(
        (Criterion("stars", 1, Normaliser.linear(0, 5)),), extras=("stars",), missing="worst"
    )
    assert card.score(AccountFacts("a", extras={"stars": 4})).total == D("80.00")


def test_a_score_explains_every_criterion(default_card: WeightedScorecard) -> None:
    pop = [full_facts("a"), full_facts("b", unit_price=D(8))]
    s = score_all(default_card, pop)[0]
    assert s.account_id == "a"
    assert s.total == D("61.50")
    assert s.contribution("collection_rate") == D("12.00")
    row = s.criteria[3]
    assert (row.name, row.raw, row.normalised, row.weight) == (
        "collection_rate",
        D("0.9"),
        D("0.8"),
        D("0.15"),
    )
    with pytest.raises(ValidationError, match="one of"):
        s.contribution("nope")


def test_unfitted_minmax_scorecard_refuses_to_score(default_card: WeightedScorecard) -> None:
    assert not default_card.fitted
    with pytest.raises(PolicyError, match="fit"):
        score(default_card, full_facts())
    assert default_card.fit([full_facts()]).fitted


def test_fit_names_the_criterion_nobody_has(default_card: WeightedScorecard) -> None:
    with pytest.raises(ValidationError, match="unit_price"):
        default_card.fit([full_facts(unit_price=None)])


def test_missing_figures_are_refused_by_default(default_card: WeightedScorecard) -> None:
    card = default_card.fit([full_facts()])
    with pytest.raises(ValidationError, match=r"acme\.profit: missing figure"):
        card.score(full_facts(profit=None))


def test_missing_figure_can_score_its_worst(default_card: WeightedScorecard) -> None:
    card = attrs.evolve(default_card, missing=MissingPolicy.WORST).fit([full_facts()])
    s = card.score(full_facts(profit=None))
    assert s.contribution("profit") == 0
    assert s.missing == ("profit",)
    assert s.total == card.score(full_facts()).total - D("3.00")


def test_missing_figure_can_be_skipped_with_weights_renormalised() -> None:
    card = WeightedScorecard(
        (
            Criterion("profit", "0.5", Normaliser.linear(0, 10)),
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 10)),
        ),
        missing=MissingPolicy.RENORMALISE,
    )
    s = card.score(AccountFacts("a", sales_revenue=5))
    assert s.weights == (0, 1)
    assert s.total == D("50.00")
    empty = card.score(AccountFacts("b"))
    assert empty.total == 0


def test_rounding_never_carries_the_total_past_the_scale() -> None:
    card = WeightedScorecard(
        (
            Criterion("profit", "0.495", Normaliser.linear(0, 10)),
            Criterion("sales_revenue", "0.505", Normaliser.linear(0, 10)),
        ),
        places=0,
    )
    s = card.score(AccountFacts("a", profit=10, sales_revenue=10))
    assert (s.total, s.contributions) == (D(100), (D(49), D(51)))
    assert s == card._score_general(AccountFacts("a", profit=10, sales_revenue=10))


def test_with_weights_replaces_weights_by_name() -> None:
    card = WeightedScorecard(
        (
            Criterion("profit", "0.5", Normaliser.linear(0, 10)),
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 10)),
        )
    )
    new = card.with_weights({"profit": D("0.8"), "sales_revenue": D("0.2")})
    assert [c.weight for c in new.criteria] == [D("0.8"), D("0.2")]
    with pytest.raises(PolicyError, match="no criterion"):
        card.with_weights({"x": D(1)})


def test_a_score_whose_parts_do_not_add_up_is_refused() -> None:
    with pytest.raises(ValidationError, match="inconsistent"):
        Score("a", "m", D(5), ("x",), (D(1),), (D(1),), (D(1),), (D(4),))


def test_duplicate_account_ids_are_refused(default_card: WeightedScorecard) -> None:
    with pytest.raises(ValidationError, match="duplicate account id"):
        score_all(default_card, [full_facts("a"), full_facts("a")])


def test_the_scorecard_is_a_scoring_model(default_card: WeightedScorecard) -> None:
    assert isinstance(default_card, ScoringModel)
    assert default_card.directions[5] == ("quality_losses", Direction.LOWER)


LINKED = frozenset({"collected", "invoiced", "collection_rate"})
RAISES = st.decimals(min_value="0.01", max_value=10**7, places=2)


def raised_figures(
    directions: tuple[tuple[str, Direction], ...], facts: AccountFacts, data: st.DataObject
) -> list[tuple[str, Direction, AccountFacts]]:
    """For every figure a model reads that can rise alone: the facts with it raised.

    A figure the account misses is left out (raising it is not a move along the
    figure). So are collected, invoiced and the collection rate when the model reads
    more than one of them: one change would move two criteria at once.
    """
    entangled = len(LINKED & {figure for figure, _ in directions}) > 1
    out = []
    for figure, direction in directions:
        if (entangled and figure in LINKED) or facts.figure(figure) is None:
            continue
        field = "collected" if figure == "collection_rate" else figure
        now = facts.figure(field)
        assert now is not None
        by = data.draw(RAISES, label=f"raise {field} by")
        out.append((figure, direction, facts.with_figure(field, now + by)))
    return out


def assert_moves_with(direction: Direction, before: Decimal, after: Decimal, figure: str) -> None:
    if direction is Direction.HIGHER:
        assert after >= before, f"{figure} (higher is better) rose but the score fell"
    else:
        assert after <= before, f"{figure} (lower is better) rose but the score rose"


@given(gst.scorecards(missing=MissingPolicy.WORST), gst.populations(), st.data())
def test_score_is_monotone_in_every_criterion(
    card: WeightedScorecard, pop: list[AccountFacts], data: st.DataObject
) -> None:
    fitted = card.fit(pop)
    facts = data.draw(st.sampled_from(pop), label="facts")
    before = fitted.score(facts).total
    for figure, direction, bigger in raised_figures(fitted.directions, facts, data):
        assert_moves_with(direction, before, fitted.score(bigger).total, figure)


@given(gst.scorecards(missing=MissingPolicy.RENORMALISE), st.data())
def test_a_renormalising_score_is_monotone_in_every_figure_the_account_has(
    card: WeightedScorecard, data: st.DataObject
) -> None:
    """Raising a figure the account has moves its score the criterion's way.

    The account misses the same figures before and after, so its weights are
    renormalised the same way; the account may come from the population the card was
    fitted to or from outside it (its figures then lie outside the fitted ranges).
    """
    pop = data.draw(scorable_populations(card), label="population")
    fitted = card.fit(pop)
    facts = data.draw(st.one_of(st.sampled_from(pop), gst.account_facts()), label="facts")
    before = fitted.score(facts)
    event("the account misses a figure" if before.missing else "the account has every figure")
    for figure, direction, bigger in raised_figures(fitted.directions, facts, data):
        after = fitted.score(bigger)
        assert after.missing == before.missing
        assert_moves_with(direction, before.total, after.total, figure)


@given(gst.topsis_models(), gst.populations(), st.data())
def test_a_fitted_topsis_score_is_monotone_in_every_figure(
    model: TopsisModel, pop: list[AccountFacts], data: st.DataObject
) -> None:
    """With the model fitted once, raising a figure moves the score the criterion's way.

    Monotonicity holds for a *fixed* fitted model: the norms, the ideal and the
    anti-ideal stay where fitting put them, and a figure outside the fitted range is
    clamped to it. It is not a promise about refitting: an account that changes can
    move the ideal or the anti-ideal, and with them every closeness. The account is
    drawn from the population or from outside it.
    """
    fitted = model.fit(pop)
    facts = data.draw(
        st.one_of(st.sampled_from(pop), gst.account_facts(missing=False)), label="facts"
    )
    before = fitted.score(facts).total
    moves = raised_figures(fitted.directions, facts, data)
    event(f"figures raised: {len(moves)}")
    for figure, direction, bigger in moves:
        assert_moves_with(direction, before, fitted.score(bigger).total, figure)


def scorable_populations(card: WeightedScorecard) -> st.SearchStrategy[list[AccountFacts]]:
    """Populations ``card`` scores without refusing any account.

    A card that refuses missing figures gets complete facts. A card that tolerates them
    gets facts with gaps plus one complete account, so that every min–max criterion
    has a figure to fit to (the id "complete" can't clash: its letters are not all in
    the strategy's id alphabet).
    """
    if card.missing is MissingPolicy.REFUSE:
        return gst.populations(missing=False)
    complete = gst.account_facts(account_id=st.just("complete"), missing=False)
    return st.tuples(gst.populations(missing=True), complete).map(lambda t: [*t[0], t[1]])


@pytest.mark.parametrize("missing", list(MissingPolicy))
@given(data=st.data())
def test_contributions_sum_to_the_total(missing: MissingPolicy, data: st.DataObject) -> None:
    card = data.draw(gst.scorecards(missing=missing), label="card")
    pop = data.draw(scorable_populations(card), label="population")
    scores = score_all(card, pop)
    event("some figure was missing" if any(s.missing for s in scores) else "no figure missing")
    for s in scores:
        assert sum(s.contributions, D(0)) == s.total
        assert 0 <= s.total <= card.scale
        assert len(s.criteria) == len(card.criteria)


@given(gst.scorecards(), gst.populations())
def test_the_generated_fast_path_computes_exactly_what_the_general_loop_does(
    card: WeightedScorecard, pop: list[AccountFacts]
) -> None:
    fitted = card.fit(pop)
    for f in pop:
        assert codec.to_dict(fitted.score(f)) == codec.to_dict(fitted._score_general(f))


def test_the_generated_scoring_code_is_shown_in_tracebacks() -> None:
    import linecache

    card = WeightedScorecard((Criterion("profit", 1, Normaliser.linear(0, 10)),))
    code = card._fast.__code__  # type: ignore[union-attr]
    assert code.co_filename.startswith("<kamcore generated scorecard-scoring")
    assert linecache.getline(code.co_filename, 1).startswith("def fast(facts):")


def test_scorecards_reading_extras_score_through_the_fast_path_too() -> None:
    card = WeightedScorecard((Criterion("stars", 1, Normaliser.linear(0, 5)),), extras=["stars"])
    f = AccountFacts("a", extras={"stars": 4})
    assert card.score(f) == card._score_general(f)
    assert card.score(f).total == D("80.00")


@given(gst.scorecards(missing=MissingPolicy.WORST), gst.populations(), st.randoms())
def test_grading_is_deterministic_under_permutation(
    card: WeightedScorecard, pop: list[AccountFacts], rnd: random.Random
) -> None:
    ladder = load_preset("grading_letters", GradeLadder)
    shuffled = list(pop)
    rnd.shuffle(shuffled)
    first = {g.account_id: g for g in grade_all(card, ladder, pop)}
    second = {g.account_id: g for g in grade_all(card, ladder, shuffled)}
    assert first == second


@given(gst.scorecards())
def test_scorecards_round_trip_through_the_codec(card: WeightedScorecard) -> None:
    assert codec.from_dict(WeightedScorecard, codec.to_dict(card)) == card


def test_scores_round_trip_through_the_codec(default_card: WeightedScorecard) -> None:
    s = score_all(default_card, [full_facts()])[0]
    assert codec.from_dict(Score, codec.to_dict(s)) == s
    g = Graded("acme", s, "A")
    assert codec.from_dict(Graded, codec.to_dict(g)) == g


# -- ladders --------------------------------------------------------------------------
def test_letter_ladder_grades_scores(letters: GradeLadder) -> None:
    assert [letters.grade_of(D(x)) for x in (100, 85, "84.99", 70, 55, 0)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "D",
    ]
    assert grade(letters, D(90)) == "A"


def test_grade_accepts_a_score(default_card: WeightedScorecard, letters: GradeLadder) -> None:
    s = score_all(default_card, [full_facts()])[0]
    assert grade(letters, s) == letters.grade_of(s.total)


def test_five_tiers_run_from_gold_to_silver() -> None:
    tiers = load_preset("grading_tiers", GradeLadder)
    assert tiers.grades == ("gold", "diamond", "platinum", "white_gold", "silver")
    assert tiers.bands[0].label.startswith("金牌")


def test_scores_outside_the_ladder_are_refused(letters: GradeLadder) -> None:
    with pytest.raises(ValidationError, match="outside"):
        letters.grade_of(D(101))


def test_ladder_knows_ranks_and_the_next_better_band(letters: GradeLadder) -> None:
    assert letters.rank("C") == 2
    assert letters.next_better("C") == letters.band("B")
    assert letters.next_better("A") is None
    with pytest.raises(ValidationError, match="not a grade"):
        letters.rank("Z")


@pytest.mark.parametrize(
    ("bands", "match", "part"),
    [
        ([("A", 80, 100), ("B", 70, 90), ("C", 0, 70)], "overlaps 'A'", "bands[1] 'B'"),
        ([("A", 80, 100), ("B", 50, 70), ("C", 0, 50)], "gap below 'A'", "bands[1] 'B'"),
        ([("A", 80, 99), ("B", 0, 80)], "best band", "bands[0] 'A'"),
        ([("A", 80, 100), ("B", 10, 80)], "worst band", "bands[1] 'B'"),
        ([("A", 80, 100), ("A", 0, 80)], "unique", "bands[1] 'A'"),
        ([("A", 100, 100), ("B", 0, 100)], "empty", "bands[0] 'A'"),
        ([], "at least one", "bands"),
    ],
)
def test_overlapping_or_gapped_thresholds_are_refused(
    bands: list[tuple[str, int, int]], match: str, part: str
) -> None:
    with pytest.raises(PolicyError, match=match) as info:
        GradeLadder(tuple(GradeBand(*b) for b in bands))
    assert info.value.part == part


def test_a_ladder_needs_a_range() -> None:
    with pytest.raises(PolicyError, match="low"):
        GradeLadder((GradeBand("A", 0, 1),), low=1, high=1)


def test_a_score_at_a_threshold_gets_the_better_grade_by_default(letters: GradeLadder) -> None:
    assert letters.threshold_owner is ThresholdOwner.ABOVE
    assert [letters.grade_of(D(x)) for x in (85, 70, 55)] == ["A", "B", "C"]


def test_the_band_below_can_own_the_threshold_instead(letters: GradeLadder) -> None:
    below = attrs.evolve(letters, threshold_owner=ThresholdOwner.BELOW)
    totals = (100, "85.01", 85, "70.01", 70, "55.01", 55, "0.01", 0)
    assert [below.grade_of(D(x)) for x in totals] == ["A", "A", "B", "B", "C", "C", "D", "D", "D"]
    assert grade(below, D(85)) == "B"


def test_an_unknown_threshold_owner_is_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(ValidationError, match="one of: higher, lower") as info:
        GradeLadder((GradeBand("A", 0, 100),), threshold_owner="sideways")
    assert isinstance(info.value, KamError)
    assert info.value.field == "threshold_owner"


def test_the_threshold_owner_is_in_the_json_schema_and_the_file(letters: GradeLadder) -> None:
    schema = codec.json_schema(GradeLadder)
    assert schema["properties"]["threshold_owner"] == {"enum": ["higher", "lower"]}
    below = attrs.evolve(letters, threshold_owner="below")  # the older words still load
    assert below.threshold_owner is ThresholdOwner.LOWER is ThresholdOwner.BELOW
    assert codec.to_dict(below)["threshold_owner"] == "lower"
    assert codec.from_dict(GradeLadder, codec.to_dict(below)) == below


def owned_by(ladder: GradeLadder, total: Decimal) -> list[str]:
    """The grades whose band holds ``total``, read from the bands' bounds alone."""
    if ladder.threshold_owner is ThresholdOwner.ABOVE:  # [lower, upper), and high
        return [
            b.grade
            for b in ladder.bands
            if b.lower <= total < b.upper or total == b.upper == ladder.high
        ]
    return [  # (lower, upper], and low
        b.grade
        for b in ladder.bands
        if b.lower < total <= b.upper or total == b.lower == ladder.low
    ]


@given(gst.grade_ladders(), st.data())
def test_ladders_cover_the_score_range_without_gap_or_overlap(
    ladder: GradeLadder, data: st.DataObject
) -> None:
    bounds = sorted({ladder.low, ladder.high, *(b.lower for b in ladder.bands)})
    total = data.draw(
        st.one_of(st.decimals(0, 100, places=4), st.sampled_from(bounds)), label="total"
    )
    event(f"threshold owner: {ladder.threshold_owner.value}")
    event("total on a bound" if total in bounds else "total between bounds")
    matching = owned_by(ladder, total)
    assert len(matching) == 1
    assert ladder.grade_of(total) == matching[0]


@given(gst.grade_ladders(min_grades=2), st.data())
def test_a_score_exactly_at_a_threshold_gets_the_grade_the_owner_says(
    ladder: GradeLadder, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(ladder.bands) - 2), label="band above the threshold")
    above, below = ladder.bands[i], ladder.bands[i + 1]
    threshold = above.lower
    assert threshold == below.upper
    expected = above if ladder.threshold_owner is ThresholdOwner.ABOVE else below
    assert ladder.grade_of(threshold) == expected.grade
    step = D("0.0001")
    assert ladder.grade_of(threshold + step) == above.grade
    assert ladder.grade_of(threshold - step) == below.grade


@given(gst.grade_ladders())
def test_ladders_round_trip_through_the_codec(ladder: GradeLadder) -> None:
    assert codec.from_dict(GradeLadder, codec.to_dict(ladder)) == ladder


# -- Pareto / ABC ---------------------------------------------------------------------
def test_the_account_that_crosses_the_breakpoint_belongs_to_the_class_it_completes() -> None:
    policy = load_preset("grading_abc", AbcPolicy)
    r = classify_abc(policy, {"x": 70, "y": 20, "z": 6, "w": 4})
    assert r.as_dict() == {"x": "A", "y": "A", "z": "B", "w": "C"}
    assert [(c.label, c.count, c.share) for c in r.classes] == [
        ("A", 2, D("0.9")),
        ("B", 1, D("0.06")),
        ("C", 1, D("0.04")),
    ]


def test_the_crossing_account_can_go_to_the_next_class_instead() -> None:
    water = load_preset("grading_abc_water_cumulative", AbcPolicy)  # 50% / 70% / 80%
    assert water.crossing is AbcCrossing.JOINS
    volumes = {f"c{i}": v for i, v in enumerate([40, 20, 15, 10, 5, 5, 5])}
    strict = classify_abc(attrs.evolve(water, crossing=AbcCrossing.NEXT), volumes)
    assert [strict.members(c) for c in "ABCD"] == [
        ("c0",),
        ("c1",),
        ("c2",),
        ("c3", "c4", "c5", "c6"),
    ]
    assert [c.share for c in strict.classes] == [D("0.4"), D("0.2"), D("0.15"), D("0.25")]


def test_an_account_landing_exactly_on_a_breakpoint_stays_in_the_class_either_way() -> None:
    policy = AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", 1)))
    for crossing in AbcCrossing:
        r = classify_abc(attrs.evolve(policy, crossing=crossing), {"x": 50, "y": 30, "z": 20})
        assert r.as_dict() == {"x": "A", "y": "B", "z": "B"}


def test_under_the_strict_reading_a_class_can_be_empty() -> None:
    policy = AbcPolicy(
        (AbcBreak("A", "0.5"), AbcBreak("B", "0.8"), AbcBreak("C", 1)), crossing="next"
    )
    r = classify_abc(policy, {"giant": 90, "small": 10})
    assert r.as_dict() == {"giant": "C", "small": "C"}
    assert [c.count for c in r.classes] == [0, 0, 2]


def test_all_zero_measures_fall_into_the_last_class_under_the_strict_reading_too() -> None:
    policy = attrs.evolve(load_preset("grading_abc", AbcPolicy), crossing=AbcCrossing.NEXT)
    r = classify_abc(policy, {"a": 0, "b": 0})
    assert r.members("C") == ("a", "b")
    assert [c.share for c in r.classes] == [0, 0, 1]


def test_classes_by_count_ignore_the_crossing_rule() -> None:
    top20 = load_preset("grading_top20", AbcPolicy)
    counts = {f"c{i}": 10 - i for i in range(7)}
    strict = attrs.evolve(top20, crossing=AbcCrossing.NEXT)
    assert classify_abc(strict, counts) == classify_abc(top20, counts)


def test_an_unknown_crossing_rule_is_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(ValidationError, match="one of: joins, next") as info:
        AbcPolicy((AbcBreak("A", 1),), crossing="after")
    assert isinstance(info.value, KamError)
    assert info.value.field == "crossing"


def test_the_crossing_rule_is_in_the_json_schema_and_the_file() -> None:
    assert codec.json_schema(AbcPolicy)["properties"]["crossing"] == {"enum": ["joins", "next"]}
    strict = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)), crossing="next")
    assert codec.to_dict(strict)["crossing"] == "next"
    assert codec.from_dict(AbcPolicy, codec.to_dict(strict)) == strict


def test_water_utility_classes_cut_at_50_70_80_percent() -> None:
    policy = load_preset("grading_abc_water_cumulative", AbcPolicy)
    volumes = {f"c{i}": v for i, v in enumerate([40, 20, 15, 10, 5, 5, 5])}
    r = classify_abc(policy, volumes)
    assert r.members("A") == ("c0", "c1")
    assert r.members("B") == ("c2",)
    assert r.members("C") == ("c3",)
    assert r.members("D") == ("c4", "c5", "c6")


def test_top_twenty_percent_by_count() -> None:
    policy = load_preset("grading_top20", AbcPolicy)
    assert policy.method is AbcMethod.COUNT
    r = classify_abc(policy, {f"c{i:02}": 100 - i for i in range(10)})
    assert r.members("key") == ("c00", "c01")
    assert r.classes[0].count_share == D("0.2")


def test_ties_are_broken_by_account_id_ascending() -> None:
    policy = AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", 1)), method=AbcMethod.COUNT)
    r = classify_abc(policy, [("b", 5), ("a", 5), ("c", 5), ("d", 5)])
    assert [a.account_id for a in r.assignments] == ["a", "b", "c", "d"]
    assert r.members("A") == ("a", "b")
    assert r.label_of("c") == "B"
    with pytest.raises(ValidationError, match="unknown account"):
        r.label_of("zz")


def test_all_zero_measures_fall_into_the_last_class() -> None:
    r = classify_abc(load_preset("grading_abc", AbcPolicy), {"a": 0, "b": 0})
    assert r.members("C") == ("a", "b")
    assert [c.share for c in r.classes] == [0, 0, 1]


def test_empty_population_classifies_to_nothing() -> None:
    r = classify_abc(load_preset("grading_abc", AbcPolicy), {})
    assert r.assignments == ()
    assert [c.count for c in r.classes] == [0, 0, 0]


@pytest.mark.parametrize(
    ("measures", "match"),
    [
        ({"a": -1}, "negative"),
        ([("a", 1), ("a", 2)], "duplicate"),
        ({"a": 0.5}, "float"),
        ({"a": D("NaN")}, "finite"),
    ],
)
def test_bad_measures_are_refused(measures: object, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        classify_abc(load_preset("grading_abc", AbcPolicy), measures)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("breaks", "match"),
    [
        ([], "at least one"),
        ([("A", "0.8"), ("A", 1)], "unique"),
        ([("A", "0.8"), ("B", "0.7"), ("C", 1)], "must lie in"),
        ([("A", "0.8"), ("B", "0.9")], "reach 1"),
    ],
)
def test_inconsistent_abc_policies_are_refused(breaks: list[tuple[str, str]], match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        AbcPolicy(tuple(AbcBreak(*b) for b in breaks))


@given(
    gst.abc_policies(),
    st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), st.integers(0, 10**6)),
    st.randoms(),
)
def test_abc_classes_partition_the_population_and_shares_sum_to_one(
    policy: AbcPolicy, measures: dict[str, int], rnd: random.Random
) -> None:
    r = classify_abc(policy, measures)
    assert sorted(a.account_id for a in r.assignments) == sorted(measures)
    assert sum(c.count for c in r.classes) == len(measures)
    if measures:
        assert sum(c.share for c in r.classes) == 1
    items = list(measures.items())
    rnd.shuffle(items)
    assert classify_abc(policy, items) == r


@given(
    gst.abc_policies().filter(lambda p: p.method is AbcMethod.SHARE),
    # small measures, so that running totals often land exactly on a breakpoint
    st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), st.integers(0, 10), max_size=12),
)
def test_each_account_is_in_the_first_class_its_crossing_rule_allows(
    policy: AbcPolicy, measures: dict[str, int]
) -> None:
    total = sum(measures.values())
    last = len(policy.breaks) - 1
    results = {c: classify_abc(attrs.evolve(policy, crossing=c), measures) for c in AbcCrossing}
    for crossing, r in results.items():
        before = 0
        for a in r.assignments:
            after = before + a.measure
            if not total:
                allowed = [last]
            elif crossing is AbcCrossing.JOINS:  # the share before it is below the breakpoint
                allowed = [i for i, b in enumerate(policy.breaks) if before < b.upto * total]
            else:  # the share including it is within the breakpoint
                allowed = [i for i, b in enumerate(policy.breaks) if after <= b.upto * total]
            assert a.label == policy.labels[min(allowed, default=last)], crossing
            before = after
    joins, goes_next = results[AbcCrossing.JOINS], results[AbcCrossing.NEXT]
    for lenient, strict in zip(joins.assignments, goes_next.assignments, strict=True):
        assert policy.labels.index(strict.label) >= policy.labels.index(lenient.label)


@given(gst.abc_policies())
def test_abc_policies_round_trip_through_the_codec(policy: AbcPolicy) -> None:
    assert codec.from_dict(AbcPolicy, codec.to_dict(policy)) == policy
    r = classify_abc(policy, {"a": 3, "b": 1})
    assert codec.from_dict(AbcResult, codec.to_dict(r)) == r
