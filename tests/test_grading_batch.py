"""Grading in batches: objects, columns, numpy arrays and pandas frames agree."""

from __future__ import annotations

import math
from decimal import Decimal

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.errors import ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcCrossing,
    AbcPolicy,
    AccountFacts,
    Batch,
    Criterion,
    Direction,
    GradeLadder,
    MissingPolicy,
    Normaliser,
    Score,
    ThresholdOwner,
    TopsisCriterion,
    TopsisModel,
    WeightedScorecard,
    classify_abc,
    grade_frame,
    grade_many,
    score_arrays,
)
from kamcore.presets import load_preset
from kamcore.strategies import _grading as gst

D = Decimal
NUMERIC = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "invoiced",
    "collected",
    "profit",
    "quality_losses",
    "industry_influence",
    "business_reputation",
)


@pytest.fixture(scope="module")
def card() -> WeightedScorecard:
    # fixed bounds plus a min–max criterion: the batch paths' arithmetic at its plainest
    return load_preset("grading_scorecard_absolute", WeightedScorecard)


@pytest.fixture(scope="module")
def letters() -> GradeLadder:
    return load_preset("grading_letters", GradeLadder)


@pytest.fixture(scope="module")
def abc() -> AbcPolicy:
    return load_preset("grading_abc", AbcPolicy)


def as_columns(pop: list[AccountFacts]) -> dict[str, list[float]]:
    return {
        name: [math.nan if (v := f.figure(name)) is None else float(v) for f in pop]
        for name in NUMERIC
    }


POP = [
    AccountFacts(
        f"c{i}",
        contract_volume=1_000_000 * i,
        unit_price=10 + i,
        sales_revenue=5_000_000 * i,
        invoiced=100,
        collected=60 + 4 * i,
        profit=400_000 * i - 200_000,
        quality_losses=(9 - i) * 10_000,
        industry_influence=i,
        business_reputation=i % 6,
    )
    for i in range(10)
]


def test_grade_many_returns_objects_and_columns(
    card: WeightedScorecard, letters: GradeLadder, abc: AbcPolicy
) -> None:
    batch = grade_many(card, letters, POP, abc=abc)
    cols = batch.columns()
    assert cols["account_id"] == tuple(f.account_id for f in POP)
    assert cols["grade"] == tuple(g.grade for g in batch.graded)
    assert cols["total"][9] == batch.graded[9].total
    assert cols["abc"][9] == "A"
    assert len(cols["profit.contribution"]) == 10
    assert batch.abc is not None
    assert codec.from_dict(Batch, codec.to_dict(batch)) == batch


def test_batch_converts_to_a_data_frame(card: WeightedScorecard, letters: GradeLadder) -> None:
    frame = grade_many(card, letters, POP).to_frame()
    assert list(frame["grade"]) == [g.grade for g in grade_many(card, letters, POP).graded]
    assert Batch(()).columns() == {"account_id": (), "total": (), "grade": ()}


def test_abc_can_rank_by_score(
    card: WeightedScorecard, letters: GradeLadder, abc: AbcPolicy
) -> None:
    batch = grade_many(card, letters, POP, abc=abc, measure="score")
    assert batch.abc is not None
    assert batch.abc.assignments[0].account_id == "c9"


def test_a_missing_abc_measure_is_refused(
    card: WeightedScorecard, letters: GradeLadder, abc: AbcPolicy
) -> None:
    with pytest.raises(ValidationError, match="missing measure"):
        grade_many(card, letters, POP, abc=abc, measure="stars")


def test_numpy_path_agrees_with_the_exact_path(
    card: WeightedScorecard, letters: GradeLadder, abc: AbcPolicy
) -> None:
    exact = grade_many(card, letters, POP, abc=abc)
    ids = np.array([f.account_id for f in POP])
    fast = score_arrays(card, as_columns(POP), ladder=letters, abc=abc, ids=ids)
    for g, total in zip(exact.graded, fast["total"], strict=True):
        assert abs(float(g.total) - total) <= 0.005 * len(card.criteria) + 1e-9
    assert list(fast["grade"]) == [g.grade for g in exact.graded]
    assert exact.abc is not None
    assert list(fast["abc"]) == [exact.abc.label_of(f.account_id) for f in POP]


def _exact_or_error(
    card: WeightedScorecard, ladder: GradeLadder, pop: list[AccountFacts]
) -> object:
    try:
        return grade_many(card, ladder, pop)
    except ValidationError as exc:
        return exc


@given(
    gst.scorecards(),
    gst.populations(max_size=10, missing=True),
    gst.grade_ladders(),
)
def test_the_columnar_and_exact_paths_give_the_same_totals_and_grades(
    card: WeightedScorecard, pop: list[AccountFacts], ladder: GradeLadder
) -> None:
    exact = _exact_or_error(card, ladder, pop)
    ids = [f.account_id for f in pop]
    try:
        fast = score_arrays(card, as_columns(pop), ladder=ladder, ids=ids)
    except ValidationError:
        assert isinstance(exact, ValidationError)
        return
    assert isinstance(exact, Batch), exact
    assert list(fast["total"]) == [float(g.total) for g in exact.graded]
    assert list(fast["grade"]) == [g.grade for g in exact.graded]
    for i, name in enumerate(exact.graded[0].score.names):
        assert list(fast[f"{name}.contribution"]) == [
            float(g.score.contributions[i]) for g in exact.graded
        ]


@given(
    gst.scorecards(missing=MissingPolicy.WORST),
    gst.populations(max_size=10, missing=True),
    gst.abc_policies(),
)
def test_columnar_abc_classes_match_the_exact_classes(
    card: WeightedScorecard, pop: list[AccountFacts], abc: AbcPolicy
) -> None:
    try:
        fitted_card = card.fit(pop)
    except ValidationError:
        assume(False)  # nobody has a figure a min–max criterion needs
    measures = {f.account_id: int(f.sales_revenue or 0) for f in pop}
    ids = np.array(list(measures))
    exact_abc = classify_abc(abc, measures).as_dict()
    data = {**as_columns(pop), "m": [float(v) for v in measures.values()]}
    fast_abc = score_arrays(fitted_card, data, abc=abc, ids=ids, measure="m")["abc"]
    assert list(fast_abc) == [exact_abc[i] for i in measures]


def test_a_total_exactly_on_a_band_boundary_grades_as_the_exact_path_does() -> None:
    card = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 100)),
            Criterion("profit", "0.5", Normaliser.linear(0, 100)),
        )
    )
    letters = load_preset("grading_letters", GradeLadder)
    exact = grade_many(card, letters, [AccountFacts("x", sales_revenue="84.99", profit="84.99")])
    fast = score_arrays(card, {"sales_revenue": [84.99], "profit": [84.99]}, ladder=letters)
    assert exact.graded[0].total == D("85.00")
    assert list(fast["total"]) == [85.0]
    assert list(fast["sales_revenue.contribution"]) == [42.5]
    assert list(fast["grade"]) == ["A"] == [exact.graded[0].grade]


def test_columnar_grades_give_a_threshold_to_the_band_below_when_it_owns_it() -> None:
    card = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 100)),
            Criterion("profit", "0.5", Normaliser.linear(0, 100)),
        )
    )
    letters = load_preset("grading_letters", GradeLadder)
    below = attrs.evolve(letters, threshold_owner="below")
    rows = {"sales_revenue": ["84.99", "85.5", "0"], "profit": ["84.99", "85.5", "0"]}
    pop = [
        AccountFacts(f"r{i}", sales_revenue=r, profit=p)
        for i, (r, p) in enumerate(zip(*rows.values(), strict=True))
    ]
    exact = grade_many(card, below, pop)
    fast = score_arrays(card, {k: [float(v) for v in vs] for k, vs in rows.items()}, ladder=below)
    assert [g.total for g in exact.graded] == [D("85.00"), D("85.50"), D("0.00")]
    assert list(fast["grade"]) == ["B", "A", "D"] == [g.grade for g in exact.graded]


def test_columnar_totals_are_kept_within_the_scale_as_the_exact_path_keeps_them() -> None:
    card = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 1000)),
            Criterion("profit", "0.5", Normaliser.linear(0, 1000)),
        ),
        places=0,
    )
    exact = card.score(AccountFacts("x", sales_revenue=990, profit=1000))
    fast = score_arrays(card, {"sales_revenue": [990], "profit": [1000]})
    assert exact.total == D(100)
    assert list(fast["total"]) == [100.0]
    assert [fast["sales_revenue.contribution"][0], fast["profit.contribution"][0]] == [
        float(c) for c in exact.contributions
    ]


@pytest.mark.parametrize("column", ["sales_revenue", "invoiced", "collected", "quality_losses"])
def test_the_columnar_path_refuses_negative_figures_naming_column_and_row(
    card: WeightedScorecard, column: str
) -> None:
    cols = as_columns(POP)
    cols[column][4] = -50.0
    with pytest.raises(ValidationError, match=rf"c4\.{column}: negative figure") as caught:
        score_arrays(card, cols, ids=[f.account_id for f in POP])
    assert caught.value.expected.startswith("zero or more")
    with pytest.raises(ValidationError, match=rf"row 4\.{column}: negative figure"):
        score_arrays(card, cols)


def test_the_columnar_path_refuses_negative_revenue_like_the_exact_path() -> None:
    card = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 100)),
            Criterion("profit", "0.5", Normaliser.linear(0, 100)),
        )
    )
    with pytest.raises(ValidationError, match=r"row 0\.sales_revenue: negative figure"):
        score_arrays(card, {"sales_revenue": [-50, 10], "profit": [1, 1]})
    assert list(score_arrays(card, {"sales_revenue": [50, 10], "profit": [-1, 1]})["total"]) == [
        25.0,
        5.5,
    ]


def test_the_columnar_path_refuses_infinite_figures(card: WeightedScorecard) -> None:
    cols = as_columns(POP)
    cols["profit"][2] = math.inf
    with pytest.raises(ValidationError, match=r"row 2\.profit: infinite figure"):
        score_arrays(card, cols)


def test_grade_frame_refuses_duplicate_account_ids_naming_the_row(
    card: WeightedScorecard, letters: GradeLadder
) -> None:
    frame = pd.DataFrame({"account_id": [f.account_id for f in POP], **as_columns(POP)})
    frame.loc[7, "account_id"] = "c2"
    with pytest.raises(ValidationError, match=r"row 7\.account_id: duplicate account id") as e:
        grade_frame(card, letters, frame)
    assert "also at row 2" in str(e.value)
    with pytest.raises(ValidationError, match=r"row 7\.ids: duplicate account id"):
        score_arrays(card, as_columns(POP), ids=frame["account_id"].to_numpy())


def test_renormalise_in_numpy_matches_the_exact_path() -> None:
    card = WeightedScorecard(
        (
            Criterion("profit", "0.5", Normaliser.linear(0, 10)),
            Criterion("sales_revenue", "0.5", Normaliser.linear(0, 10)),
        ),
        missing=MissingPolicy.RENORMALISE,
    )
    fast = score_arrays(
        card, {"profit": [math.nan, 4, math.nan], "sales_revenue": [5, 6, math.nan]}
    )
    assert list(fast["total"]) == [50.0, 50.0, 0.0]


def test_numpy_path_refuses_missing_figures_naming_the_account(card: WeightedScorecard) -> None:
    fitted = card.fit(POP)
    cols = as_columns(POP)
    cols["profit"][3] = math.nan
    with pytest.raises(ValidationError, match=r"c3\.profit"):
        score_arrays(fitted, cols, ids=[f.account_id for f in POP])
    with pytest.raises(ValidationError, match=r"row 3\.profit"):
        score_arrays(fitted, cols)


def test_numpy_path_reports_missing_and_misshapen_columns(card: WeightedScorecard) -> None:
    cols = as_columns(POP)
    del cols["profit"]
    with pytest.raises(ValidationError, match="missing column"):
        score_arrays(card, cols)
    cols = as_columns(POP)
    cols["profit"] = cols["profit"][:3]
    with pytest.raises(ValidationError, match="wrong shape"):
        score_arrays(card, cols)


def test_numpy_abc_refuses_negative_measures(card: WeightedScorecard, abc: AbcPolicy) -> None:
    cols = as_columns(POP)
    with pytest.raises(ValidationError, match="negative measure"):
        score_arrays(card, cols, abc=abc, measure="profit")


def test_numpy_abc_by_count_and_positional_ties(card: WeightedScorecard) -> None:
    top20 = load_preset("grading_top20", AbcPolicy)
    cols = as_columns(POP)
    labels = score_arrays(card, cols, abc=top20)["abc"]
    assert list(labels).count("key") == 2
    assert labels[9] == "key"


def test_minmax_over_equal_figures_in_numpy() -> None:
    card = WeightedScorecard((Criterion("profit", 1, Normaliser.minmax()),))
    assert list(score_arrays(card, {"profit": [3, 3]})["total"]) == [100.0, 100.0]


def test_grade_frame_grades_a_data_frame(
    card: WeightedScorecard, letters: GradeLadder, abc: AbcPolicy
) -> None:
    frame = pd.DataFrame({"account_id": [f.account_id for f in POP], **as_columns(POP)})
    out = grade_frame(card, letters, frame, abc=abc)
    exact = grade_many(card, letters, POP, abc=abc)
    assert list(out.columns[:4]) == ["account_id", "total", "grade", "abc"]
    assert list(out["grade"]) == [g.grade for g in exact.graded]
    assert "profit.contribution" in out.columns
    plain = grade_frame(card, letters, frame)
    assert "abc" not in plain.columns
    with pytest.raises(ValidationError, match="missing column"):
        grade_frame(card, letters, frame, id_column="id")


@pytest.mark.parametrize("owner", list(ThresholdOwner), ids=lambda o: o.value)
@given(totals=st.lists(st.integers(0, 100), min_size=1, max_size=30))
def test_numpy_grades_match_the_ladder(owner: ThresholdOwner, totals: list[int]) -> None:
    letters = attrs.evolve(load_preset("grading_letters", GradeLadder), threshold_owner=owner)
    card = WeightedScorecard((Criterion("profit", 1, Normaliser.linear(0, 100)),), places=0)
    grades = score_arrays(card, {"profit": totals}, ladder=letters)["grade"]
    assert list(grades) == [letters.grade_of(D(t)) for t in totals]


def test_grade_frame_ignores_other_columns_and_reads_nullable_numbers(
    card: WeightedScorecard, letters: GradeLadder
) -> None:
    cols = as_columns(POP)
    frame = pd.DataFrame(
        {
            "account_id": [f.account_id for f in POP],
            "name": [f"Customer {i}" for i in range(10)],
            **cols,
            "industry_influence": pd.array(
                [int(v) for v in cols["industry_influence"]], dtype="Int64"
            ),
        }
    )
    out = grade_frame(card, letters, frame)
    assert list(out["grade"]) == [g.grade for g in grade_many(card, letters, POP).graded]
    frame["profit"] = ["a lot"] * 10
    with pytest.raises(ValidationError, match="not numeric"):
        grade_frame(card, letters, frame)


def test_non_numeric_columns_and_empty_minmax_are_refused(card: WeightedScorecard) -> None:
    cols: dict[str, object] = dict(as_columns(POP))
    cols["profit"] = ["x"] * 10
    with pytest.raises(ValidationError, match="not numeric"):
        score_arrays(card, cols)
    cols = dict(as_columns(POP))
    cols["unit_price"] = [math.nan] * 10
    with pytest.raises(ValidationError, match="min–max"):
        score_arrays(attrs.evolve(card, missing=MissingPolicy.WORST), cols)


def test_grade_many_leaves_the_garbage_collector_alone_by_default(
    card: WeightedScorecard, letters: GradeLadder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    def refuse() -> None:
        raise AssertionError("grade_many switched the collector off")

    monkeypatch.setattr(gc, "disable", refuse)
    assert grade_many(card, letters, POP).graded


def test_grade_many_restores_the_garbage_collector_it_was_asked_to_pause(
    card: WeightedScorecard, letters: GradeLadder
) -> None:
    import gc

    assert gc.isenabled()
    grade_many(card, letters, POP, pause_gc=True)
    assert gc.isenabled()
    with pytest.raises(ValidationError):
        grade_many(card, letters, [POP[0], POP[0]], pause_gc=True)
    assert gc.isenabled()
    paused = grade_many(card, letters, POP, pause_gc=True)
    assert paused == grade_many(card, letters, POP)


def test_the_columnar_path_says_which_extra_it_needs(
    card: WeightedScorecard, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"kamcore\[frames\]"):
        score_arrays(card, as_columns(POP))


def _topsis() -> TopsisModel:
    return TopsisModel(
        (
            TopsisCriterion("sales_revenue", "0.5"),
            TopsisCriterion("profit", "0.3"),
            TopsisCriterion("quality_losses", "0.2", Direction.LOWER),
        )
    )


def test_grade_frame_grades_topsis_models_through_the_exact_path(
    letters: GradeLadder, abc: AbcPolicy
) -> None:
    model = _topsis()
    frame = pd.DataFrame({"account_id": [f.account_id for f in POP], **as_columns(POP)})
    out = grade_frame(model, letters, frame, abc=abc)
    exact = grade_many(model, letters, POP, abc=abc)
    assert list(out.columns[:4]) == ["account_id", "total", "grade", "abc"]
    assert list(out["total"]) == [float(g.total) for g in exact.graded]
    assert list(out["grade"]) == [g.grade for g in exact.graded]
    assert exact.abc is not None
    assert list(out["abc"]) == [exact.abc.label_of(f.account_id) for f in POP]
    assert list(out["profit.contribution"]) == [
        float(g.score.contribution("profit")) for g in exact.graded
    ]


class _RevenueShare:
    """A custom model: revenue as a share of the population's largest revenue."""

    name = "revenue_share"
    scale = D(100)
    directions = (("sales_revenue", Direction.HIGHER),)

    def __init__(self, top: Decimal | None = None) -> None:
        self.top = top

    def fit(self, population: list[AccountFacts]) -> _RevenueShare:
        return _RevenueShare(max(f.sales_revenue or D(0) for f in population) or D(1))

    def score(self, facts: AccountFacts) -> Score:
        top = self.top or D(1)
        total = (D(100) * (facts.sales_revenue or D(0)) / top).quantize(D("0.01"))
        return Score(
            facts.account_id, self.name, total, ("share",), (facts.sales_revenue,), (None,),
            (D(1),), (total,),
        )  # fmt: skip


def test_score_arrays_scores_custom_models_through_the_exact_path(letters: GradeLadder) -> None:
    out = score_arrays(_RevenueShare(), {"sales_revenue": [50.0, 100.0, math.nan]}, ladder=letters)
    assert list(out["total"]) == [50.0, 100.0, 0.0]
    assert list(out["grade"]) == ["D", "A", "D"]
    assert list(out["share.contribution"]) == [50.0, 100.0, 0.0]


def test_the_exact_fallback_still_refuses_bad_columns_naming_the_row() -> None:
    with pytest.raises(ValidationError, match=r"row 1\.quality_losses: negative figure"):
        score_arrays(
            _topsis(), {"sales_revenue": [1, 2], "profit": [1, 2], "quality_losses": [0, -1]}
        )
    with pytest.raises(ValidationError, match=r"row 1\.profit: missing figure"):
        score_arrays(
            _topsis(),
            {"sales_revenue": [1, 2], "profit": [1, math.nan], "quality_losses": [0, 1]},
        )


@pytest.mark.parametrize("crossing", list(AbcCrossing))
def test_a_running_total_exactly_on_a_breakpoint_is_classed_as_the_exact_path_does(
    crossing: AbcCrossing,
) -> None:
    # 0.07 × 100 is 7.000000000000001 in floats: the second account's running total (7)
    # sits exactly on the A breakpoint
    policy = AbcPolicy(
        (AbcBreak("A", Decimal("0.07")), AbcBreak("B", Decimal("0.5")), AbcBreak("C", 1)),
        crossing=crossing,
    )
    measures = {f"a{i:02}": 7 for i in range(14)} | {"z": 2}
    exact = classify_abc(policy, measures).as_dict()
    card = WeightedScorecard((Criterion("profit", 1, Normaliser.linear(0, 10)),))
    ids = np.array(list(measures))
    data = {"profit": [1.0] * len(ids), "m": [float(v) for v in measures.values()]}
    fast = score_arrays(card, data, abc=policy, ids=ids, measure="m")["abc"]
    assert list(fast) == [exact[i] for i in measures]


@given(
    st.lists(st.integers(0, 20), min_size=1, max_size=30),
    st.sampled_from(list(AbcCrossing)),
    st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True),
)
def test_columnar_abc_agrees_with_the_exact_path_on_whole_number_measures(
    values: list[int], crossing: AbcCrossing, cuts: list[int]
) -> None:
    # whole numbers and percent breakpoints make running totals land on breakpoints often
    bounds = [Decimal(c) / 100 for c in sorted(cuts)]
    policy = AbcPolicy(
        tuple(AbcBreak(f"K{i}", b) for i, b in enumerate([*bounds, Decimal(1)])),
        crossing=crossing,
    )
    measures = {f"a{i:02}": v for i, v in enumerate(values)}
    exact = classify_abc(policy, measures).as_dict()
    card = WeightedScorecard((Criterion("profit", 1, Normaliser.linear(0, 10)),))
    ids = np.array(list(measures))
    data = {"profit": [1.0] * len(ids), "m": [float(v) for v in measures.values()]}
    fast = score_arrays(card, data, abc=policy, ids=ids, measure="m")["abc"]
    assert list(fast) == [exact[i] for i in measures]


def test_ids_that_do_not_fit_the_rows_are_refused_before_any_row_is_read() -> None:
    card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 10)),))
    with pytest.raises(ValidationError, match="wrong number of ids"):
        score_arrays(card, {"sales_revenue": [1, -1]}, ids=["a"])
    with pytest.raises(ValidationError, match="wrong number of ids"):
        score_arrays(card, {"sales_revenue": [1, 2]}, ids=[["a", "b"]])


def test_mixed_ids_are_ranked_as_text_like_the_exact_path() -> None:
    card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 10)),))
    mixed = score_arrays(card, {"sales_revenue": [1, 2]}, ids=np.array(["a", 1], dtype=object))
    assert list(mixed["total"]) == [10.0, 20.0]
    # equal measures: the tie goes to the id that sorts first as text ('10' < '2')
    top = load_preset("grading_top20", AbcPolicy)
    half = AbcPolicy(top.breaks, method=top.method)
    frame = pd.DataFrame({"account_id": [2, 10], "sales_revenue": [5, 5]})
    graded = grade_frame(card, load_preset("grading_letters", GradeLadder), frame, abc=half)
    exact = grade_many(
        card,
        load_preset("grading_letters", GradeLadder),
        [AccountFacts("2", sales_revenue=5), AccountFacts("10", sales_revenue=5)],
        abc=half,
    )
    assert exact.abc is not None
    by_id = exact.abc.as_dict()
    assert list(graded["abc"]) == [by_id["2"], by_id["10"]]
    assert by_id["10"] != by_id["2"]  # the tie really was broken


def test_columns_the_model_does_not_read_do_not_count_for_the_ids() -> None:
    card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 10)),))
    data = {"sales_revenue": [1, 2], "note": [[1, 2], [3]]}
    assert list(score_arrays(card, data, ids=["a", "b"])["total"]) == [10.0, 20.0]
    with pytest.raises(ValidationError, match="duplicate account id") as info:
        score_arrays(card, {"sales_revenue": [1, 2]}, ids=[7, 7])
    assert info.value.value == 7  # the id as given, not its text form
