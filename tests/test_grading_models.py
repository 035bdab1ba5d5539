"""Grading: TOPSIS, AHP, and the scoring-model contract run against every shipped model."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.errors import KamError, PolicyError, ValidationError
from kamcore.grading import (
    AccountFacts,
    AhpWeights,
    Direction,
    MissingPolicy,
    Score,
    ScoringModel,
    TopsisCriterion,
    TopsisModel,
    WeightedScorecard,
    derive_weights,
    score_all,
)
from kamcore.presets import load_preset
from kamcore.strategies import _grading as gst
from kamcore.testing.scoring import ScoringModelContract, sample_population

D = Decimal
ZERO = D(0)
TEN = D(10)

TOPSIS = TopsisModel(
    (
        TopsisCriterion("sales_revenue", "0.4"),
        TopsisCriterion("profit", "0.3"),
        TopsisCriterion("quality_losses", "0.2", Direction.LOWER),
        TopsisCriterion("influence", "0.1", figure="industry_influence"),
    )
)


# -- TOPSIS ---------------------------------------------------------------------------
def test_topsis_puts_the_ideal_account_at_the_top() -> None:
    pop = [
        AccountFacts("best", sales_revenue=100, profit=10, quality_losses=0, industry_influence=9),
        AccountFacts("mid", sales_revenue=50, profit=5, quality_losses=5, industry_influence=5),
        AccountFacts("worst", sales_revenue=10, profit=1, quality_losses=20, industry_influence=1),
    ]
    scores = {s.account_id: s for s in score_all(TOPSIS, pop)}
    assert scores["best"].total == 100
    assert scores["worst"].total == 0
    assert 0 < scores["mid"].total < 100
    assert sum(scores["mid"].contributions, D(0)) == scores["mid"].total


def test_topsis_needs_a_fit_and_every_figure() -> None:
    with pytest.raises(PolicyError, match="fit it first"):
        TOPSIS.score(
            AccountFacts("a", sales_revenue=1, profit=1, quality_losses=1, industry_influence=1)
        )
    with pytest.raises(ValidationError, match=r"a\.profit: missing figure"):
        TOPSIS.fit([AccountFacts("a", sales_revenue=1)])
    with pytest.raises(ValidationError, match="nothing to fit"):
        TOPSIS.fit([])


def test_topsis_over_identical_accounts_gives_full_marks() -> None:
    pop = [
        AccountFacts(i, sales_revenue=5, profit=0, quality_losses=0, industry_influence=0)
        for i in "ab"
    ]
    s = score_all(TOPSIS, pop)[0]
    assert s.total == 100
    assert s.contributions == (D("40.00"), D("30.00"), D("20.00"), D("10.00"))


@pytest.mark.parametrize(
    ("criteria", "match"),
    [
        ((), "at least one"),
        ((TopsisCriterion("a", "0.5"), TopsisCriterion("a", "0.5")), "unique"),
        ((TopsisCriterion("a", "-1"), TopsisCriterion("b", "2")), "negative"),
        ((TopsisCriterion("a", "0.5"),), "sum to 0.5"),
    ],
)
def test_inconsistent_topsis_models_are_refused(
    criteria: tuple[TopsisCriterion, ...], match: str
) -> None:
    with pytest.raises(PolicyError, match=match):
        TopsisModel(criteria)
    with pytest.raises(PolicyError, match="scale"):
        TopsisModel((TopsisCriterion("profit", 1),), scale=0)


def test_a_topsis_criterion_reading_a_misspelt_figure_is_refused() -> None:
    with pytest.raises(PolicyError, match=r"criteria\[0\] 'proift': unknown figure"):
        TopsisModel((TopsisCriterion("proift", 1),))
    assert TopsisModel((TopsisCriterion("stars", 1),), extras=("stars",)).extras == ("stars",)


def test_topsis_round_trips_through_the_codec_fitted_or_not() -> None:
    fitted = TOPSIS.fit(sample_population())
    assert fitted.fitted
    assert not TOPSIS.fitted
    for model in (TOPSIS, fitted):
        assert codec.from_dict(TopsisModel, codec.to_dict(model)) == model


@given(gst.populations(min_size=2), st.randoms())
def test_topsis_contributions_add_up_and_ignore_input_order(
    pop: list[AccountFacts], rnd: random.Random
) -> None:
    model = TopsisModel(
        (
            TopsisCriterion("sales_revenue", "0.5"),
            TopsisCriterion("quality_losses", "0.3", Direction.LOWER),
            TopsisCriterion("profit", "0.2"),
        )
    )
    shuffled = list(pop)
    rnd.shuffle(shuffled)
    first = {s.account_id: s for s in score_all(model, pop)}
    assert first == {s.account_id: s for s in score_all(model, shuffled)}
    for s in first.values():
        assert sum(s.contributions, D(0)) == s.total
        assert 0 <= s.total <= 100


# -- AHP ------------------------------------------------------------------------------
SAATY = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]


def test_ahp_weights_sum_to_one_and_report_consistency() -> None:
    w = derive_weights(["revenue", "profit", "influence"], SAATY)
    assert sum(w.weights, D(0)) == 1
    assert w.weights == (D("0.6370"), D("0.2583"), D("0.1047"))
    assert w.consistency_ratio < D("0.10")
    assert codec.from_dict(AhpWeights, codec.to_dict(w)) == w


def test_ahp_weights_plug_into_a_scorecard() -> None:
    card = load_preset("grading_scorecard", WeightedScorecard)
    names = [c.name for c in card.criteria]
    matrix = [[1 if i == j else (2 if i < j else "1/2") for j in range(8)] for i in range(8)]
    w = derive_weights(names, matrix, max_cr=None)
    new = card.with_weights(w.as_dict())
    assert sum((c.weight for c in new.criteria), D(0)) == 1


def test_a_non_reciprocal_matrix_is_refused_naming_the_entry() -> None:
    with pytest.raises(PolicyError, match="not reciprocal") as info:
        derive_weights(["a", "b", "c"], [[1, 3, 5], [3, 1, 3], ["1/5", "1/3", 1]])
    assert isinstance(info.value, KamError)
    assert info.value.part == "matrix[0][1] (a vs b)"


def test_an_inconsistent_matrix_is_refused_unless_told_otherwise() -> None:
    bad = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    with pytest.raises(PolicyError, match="consistency ratio") as info:
        derive_weights(["a", "b", "c"], bad)
    assert info.value.part == "consistency"
    assert derive_weights(["a", "b", "c"], bad, max_cr=None).consistency_ratio > 1


@pytest.mark.parametrize(
    ("names", "matrix", "part"),
    [
        (["a", "b"], [[1, 2]], "matrix"),
        (["a", "a"], [[1, 1], [1, 1]], "names"),
        ([], [], "names"),
        (["a", "b"], [[1, "x/2"], ["1/2", 1]], "matrix[0][1]"),
        (["a", "b"], [[1, 0.5], [2, 1]], "matrix[0][1]"),
        (["a", "b"], [[1, -2], ["-1/2", 1]], "matrix[0][1] (a vs b)"),
        (["a", "b"], [[2, 2], ["1/2", 1]], "matrix[0][0] (a vs a)"),
    ],
)
def test_malformed_matrices_are_refused(
    names: list[str], matrix: list[list[object]], part: str
) -> None:
    with pytest.raises(PolicyError) as info:
        derive_weights(names, matrix)
    assert info.value.part == part


def test_a_single_criterion_gets_all_the_weight() -> None:
    w = derive_weights(["only"], [[1]])
    assert (w.weights, w.consistency_ratio) == ((D(1),), 0)


@given(st.integers(2, 6).flatmap(lambda n: st.lists(st.integers(1, 9), min_size=n, max_size=n)))
def test_consistent_matrices_pass_and_weights_sum_to_one(priorities: list[int]) -> None:
    n = len(priorities)
    matrix = [[D(priorities[i]) / D(priorities[j]) for j in range(n)] for i in range(n)]
    w = derive_weights([f"c{i}" for i in range(n)], matrix)
    assert sum(w.weights, D(0)) == 1
    assert w.consistency_ratio < D("0.001")


# -- the contract, run against every shipped model ------------------------------------
class TestDefaultScorecardKeepsTheContract(ScoringModelContract):
    @pytest.fixture
    def model(self) -> ScoringModel:
        return load_preset("grading_scorecard", WeightedScorecard)


class TestRenormalisingScorecardKeepsTheContract(ScoringModelContract):
    @pytest.fixture
    def model(self) -> ScoringModel:
        card = load_preset("grading_scorecard", WeightedScorecard)
        return attrs.evolve(card, missing=MissingPolicy.RENORMALISE)

    @pytest.fixture
    def population(self) -> list[AccountFacts]:
        pop = sample_population()
        return [*pop[:-1], pop[-1].with_figure("profit", None)]


class TestTopsisKeepsTheContract(ScoringModelContract):
    @pytest.fixture
    def model(self) -> ScoringModel:
        return TOPSIS


class TestAhpWeightedScorecardKeepsTheContract(ScoringModelContract):
    @pytest.fixture
    def model(self) -> ScoringModel:
        card = load_preset("grading_scorecard", WeightedScorecard)
        names = [c.name for c in card.criteria]
        matrix = [[1 if i == j else (2 if i < j else "1/2") for j in range(8)] for i in range(8)]
        return card.with_weights(derive_weights(names, matrix, max_cr=None).as_dict())


@attrs.define(frozen=True)
class RevenueRank:
    """A custom model: the share of the population's best revenue, on 0..10."""

    best: Decimal = ZERO
    name: str = "revenue-rank"
    scale: Decimal = TEN
    directions: tuple[tuple[str, Direction], ...] = (("sales_revenue", Direction.HIGHER),)

    def fit(self, population: Sequence[AccountFacts]) -> RevenueRank:
        return attrs.evolve(self, best=max(f.sales_revenue or D(0) for f in population))

    def score(self, facts: AccountFacts) -> Score:
        x = facts.sales_revenue or D(0)
        total = (min(x, self.best) / self.best * 10).quantize(D("0.1")) if self.best else D(0)
        return Score(
            facts.account_id,
            self.name,
            total,
            ("sales_revenue",),
            (x,),
            (total / 10,),
            (D(1),),
            (total,),
        )


class TestACustomModelPlugsIn(ScoringModelContract):
    @pytest.fixture
    def model(self) -> ScoringModel:
        return RevenueRank()
