"""Population-fitted normalisers: percentile rank, quantile-clipped min–max, log scaling."""

from __future__ import annotations

import decimal
import json
import math
import random
import tomllib
from decimal import Decimal
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading import (
    FIGURES,
    AccountFacts,
    Batch,
    Criterion,
    Direction,
    GradeBand,
    GradeLadder,
    MissingPolicy,
    Normaliser,
    NormaliserKind,
    WeightedScorecard,
    grade_all,
    grade_frame,
    grade_many,
    score_all,
    score_arrays,
    what_would_it_take,
)
from kamcore.grading._normalisers import MAX_POINTS, NORMALISER_CONTEXT, rank_index
from kamcore.money import Rounding
from kamcore.strategies import _grading as gst

D = Decimal
NUMERIC = FIGURES  # the nine figures, in the source's order
LETTERS = GradeLadder(
    (
        GradeBand("A", 85, 100),
        GradeBand("B", 70, 85),
        GradeBand("C", 55, 70),
        GradeBand("D", 0, 55),
    )
)
BOOK = [D(v) for v in (10, 20, 20, 40, 80)]


def ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def as_columns(pop: list[AccountFacts]) -> dict[str, list[float]]:
    return {
        name: [math.nan if (v := f.figure(name)) is None else float(v) for f in pop]
        for name in NUMERIC
    }


# -- percentile -----------------------------------------------------------------------
def test_percentile_is_the_share_at_or_below_with_ties_sharing_it() -> None:
    p = Normaliser.percentile().fit(BOOK)
    assert p.fitted
    assert not Normaliser.percentile().fitted
    assert [(s.at, s.value) for s in p.steps] == [
        (10, D("0.2")),
        (20, D("0.6")),  # both 20s: 3 of 5 accounts are at or below 20
        (40, D("0.8")),
        (80, 1),
    ]
    figures = [5, 10, 15, 20, 39, 40, 80, 1000]
    expected = [0, D("0.2"), D("0.2"), D("0.6"), D("0.6"), D("0.8"), 1, 1]
    assert [p.apply(D(x)) for x in figures] == expected
    assert p.kind is NormaliserKind.PERCENTILE
    assert p.points == 100


def test_percentile_steps_round_the_share_down_to_whole_steps_of_one_over_points() -> None:
    book = [D(v) for v in range(1, 301)]
    p = Normaliser.percentile().fit(book)
    assert len(p.steps) == 100
    assert p.apply(D(123)) == D("0.41")  # 123/300 = 0.41 exactly
    assert p.apply(D(125)) == D("0.41")  # 125/300 = 0.4166… rounds down
    assert p.apply(D(2)) == 0  # 2/300 is below the first whole percentile
    deciles = Normaliser.percentile(points=10).fit(book)
    assert [s.value for s in deciles.steps] == [D(j) / 10 for j in range(1, 11)]
    assert deciles.apply(D(59)) == D("0.1")


def test_a_book_smaller_than_points_still_gets_whole_steps() -> None:
    p = Normaliser.percentile().fit([D(1), D(2), D(3)])
    assert [s.value for s in p.steps] == [D("0.33"), D("0.66"), D(1)]
    thirds = Normaliser.percentile(points=3).fit([D(1), D(2), D(3)])
    assert thirds.apply(D(2)) == NORMALISER_CONTEXT.divide(D(2), D(3))
    assert Normaliser.percentile().fit([D(7)]).steps[0].value == 1


def test_the_41st_percentile_of_300_accounts_explains_its_contribution() -> None:
    below = [D(100_000 + 5_003 * i) + D("0.17") for i in range(122)]
    above = [D(1_000_000 + 7_919 * i) + D("0.50") for i in range(177)]
    book = [*below, D("927878.04"), *above]  # 927,878.04 is the 123rd smallest of 300
    random.Random(41).shuffle(book)
    pop = [AccountFacts(f"k{i:03}", sales_revenue=v) for i, v in enumerate(book)]
    card = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.1", Normaliser.percentile()),
            Criterion("profit", "0.9", Normaliser.linear(0, 1)),
        ),
        missing=MissingPolicy.WORST,
    ).fit(pop)
    norm = card.criteria[0].normaliser
    x = D("927878.04")
    s = card.score(AccountFacts("k122", sales_revenue=x))
    points = card.criteria[0].weight * card.scale
    text = (
        f"{x:,} at the {ordinal(int(norm.percentile_of(x)))} percentile of {len(pop)} "
        f"accounts → {s.contribution('sales_revenue')} of {points:.0f} points"
    )
    assert text == "927,878.04 at the 41st percentile of 300 accounts → 4.10 of 10 points"


def test_percentile_of_is_only_for_a_fitted_percentile_normaliser() -> None:
    with pytest.raises(PolicyError, match="no percentiles"):
        Normaliser.linear(0, 1).percentile_of(D(1))
    with pytest.raises(PolicyError, match="needs a population"):
        Normaliser.percentile().percentile_of(D(1))
    assert Normaliser.percentile(points=1000).fit([D(v) for v in range(1000)]).percentile_of(
        D(412)
    ) == D("41.3")


def test_percentile_inverts_to_the_smallest_figure_reaching_a_step() -> None:
    p = Normaliser.percentile().fit(BOOK)
    assert p.invert(D("0.5")) == 20
    assert p.invert(D("0.6")) == 20
    assert p.invert(D("0.61")) == 40
    assert p.invert(D(0)) is None
    assert Normaliser.percentile().invert(D("0.5")) is None


# -- clipped --------------------------------------------------------------------------
def test_clipped_takes_nearest_rank_quantiles_of_the_population() -> None:
    book = [D(v) for v in range(1, 21)]
    c = Normaliser.clipped().fit(reversed(book))
    assert (c.lower, c.upper) == (1, 19)  # ⌈0.05·20⌉ = 1st and ⌈0.95·20⌉ = 19th smallest
    assert [c.apply(D(x)) for x in (0, 1, 10, 19, 20)] == [0, 0, D("0.5"), 1, 1]
    assert rank_index(D("0.05"), 300) == 14
    assert rank_index(D("0.951"), 300) == 285
    interior = Normaliser.clipped("0.25", "0.75").fit(book)
    assert (interior.lower, interior.upper) == (5, 15)
    assert c.invert(D("0.5")) == 10


def test_clipped_over_zero_and_one_is_min_max() -> None:
    c = Normaliser.clipped(0, 1).fit(BOOK)
    m = Normaliser.minmax().fit(BOOK)
    assert (c.lower, c.upper) == (m.lower, m.upper) == (10, 80)


def test_clipped_bounds_that_meet_give_everyone_full_marks() -> None:
    c = Normaliser.clipped().fit([D(3)] * 19 + [D(9)])  # the 19th of 20 is still 3
    assert c.lower == c.upper == 3
    assert [c.apply(D(x)) for x in (1, 3, 9)] == [1, 1, 1]


# -- log ------------------------------------------------------------------------------
def test_log_scaling_with_fixed_bounds() -> None:
    n = Normaliser.log(0, 999)
    assert n.fitted
    assert not n.learns
    assert abs(n.apply(D(99)) - D(2) / 3) < D("1e-26")
    assert [n.apply(D(x)) for x in (-5, 0, 999, 5000)] == [0, 0, 1, 1]
    shifted = Normaliser.log(-100, 899)  # lower may be negative: ln(1 + x - lower)
    assert shifted.apply(D(-1)) == n.apply(D(99))
    assert n.fit([D(1)]) is n  # fixed bounds: nothing to learn


def test_log_is_computed_in_a_fixed_context_whatever_the_callers() -> None:
    n = Normaliser.log(0, 10_000_000)
    expected = n.apply(D("927878.04"))
    with decimal.localcontext() as ctx:
        ctx.prec = 6
        ctx.rounding = decimal.ROUND_DOWN
        assert n.apply(D("927878.04")) == expected
        assert n.invert(expected) == Normaliser.log(0, 10_000_000).invert(expected)
    assert len(expected.as_tuple().digits) == 28


def test_log_fitted_to_quantiles() -> None:
    n = Normaliser.log(low_quantile=0, high_quantile=1)
    assert n.learns
    assert not n.fitted
    fitted = n.fit(BOOK)
    assert (fitted.lower, fitted.upper) == (10, 80)
    assert fitted.low_quantile == 0  # how it was fitted stays, for an explicit refit
    assert Normaliser.log(low_quantile=0, high_quantile=1).fit([D(5)]).apply(D(5)) == 1


def test_log_inverts_exactly_to_the_context_precision() -> None:
    n = Normaliser.log(0, 10_000_000)
    for x in (D("0.01"), D("927878.04"), D("9999999.99")):
        assert abs(n.invert(n.apply(x)) - x) < D("1e-18") * (1 + x)  # type: ignore[operator]
    assert n.invert(D(1)) == 10_000_000
    assert n.invert(D(0)) == 0
    assert n.invert(D(2)) is None


# -- refusals -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "part"),
    [
        (lambda: Normaliser.percentile(0), "points"),
        (lambda: Normaliser.percentile(MAX_POINTS + 1), "points"),
        (lambda: Normaliser(NormaliserKind.PERCENTILE, points=True), "points"),
        (lambda: Normaliser(NormaliserKind.PERCENTILE, points="10"), "points"),
        (lambda: Normaliser(NormaliserKind.LINEAR, 0, 1, points=100), "points"),
        (lambda: Normaliser(NormaliserKind.PERCENTILE, 0, 1), "bounds"),
        (lambda: Normaliser(NormaliserKind.PERCENTILE, steps=[(2, 1), (1, 1)]), "steps[1]"),
        (lambda: Normaliser(NormaliserKind.MINMAX, steps=[(1, 1)]), "steps"),
        (lambda: Normaliser(NormaliserKind.STEPS, 0, 1, steps=[(1, 1)]), "bounds"),
        (lambda: Normaliser(NormaliserKind.LINEAR, 0, 1, low_quantile=0), "quantiles"),
        (lambda: Normaliser(NormaliserKind.PERCENTILE, high_quantile=1), "quantiles"),
        (lambda: Normaliser(NormaliserKind.CLIPPED), "quantiles"),
        (lambda: Normaliser(NormaliserKind.CLIPPED, low_quantile="0.1"), "quantiles"),
        (lambda: Normaliser.clipped("0.5", "0.5"), "quantiles"),
        (lambda: Normaliser.clipped("0.6", "0.4"), "quantiles"),
        (lambda: Normaliser.clipped("-0.1", "0.9"), "quantiles"),
        (lambda: Normaliser.clipped("0.1", "1.01"), "quantiles"),
        (lambda: Normaliser(NormaliserKind.CLIPPED, 5, 4, low_quantile=0, high_quantile=1),
         "bounds"),
        (lambda: Normaliser(NormaliserKind.CLIPPED, 5, None, low_quantile=0, high_quantile=1),
         "bounds"),
        (Normaliser.log, "bounds"),
        (lambda: Normaliser.log(5, 5), "bounds"),
        (lambda: Normaliser.log(0, 1, low_quantile=0), "quantiles"),
        (lambda: Normaliser.log(2, 1, low_quantile=0, high_quantile=1), "bounds"),
    ],
)  # fmt: skip
def test_inconsistent_new_normalisers_are_refused_naming_the_part(build: Any, part: str) -> None:
    with pytest.raises(PolicyError) as info:
        build()
    assert info.value.part == part
    assert info.value.policy == "Normaliser"


@pytest.mark.parametrize(
    "norm",
    [
        Normaliser.percentile(),
        Normaliser.clipped(),
        Normaliser.log(low_quantile=0, high_quantile=1),
    ],
)
def test_unfitted_population_normalisers_refuse_to_score_and_to_fit_to_nothing(
    norm: Normaliser,
) -> None:
    with pytest.raises(PolicyError, match=f"{norm.kind.value} needs a population") as info:
        norm.apply(D(1))
    assert info.value.part == norm.kind.value
    with pytest.raises(ValidationError, match=f"nothing to fit {norm.kind.value}"):
        norm.fit([])
    card = WeightedScorecard((Criterion("profit", 1, norm),))
    with pytest.raises(ValidationError, match="profit"):
        card.fit([AccountFacts("a")])
    with pytest.raises(ValidationError, match=r"profit\.population"):
        score_arrays(card, {"profit": [math.nan]})


# -- codec and TOML -------------------------------------------------------------------
def _toml_value(value: object) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + inner + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    try:
        Decimal(text)
    except decimal.InvalidOperation:
        return json.dumps(text)
    return text  # a bare TOML number, read back as an exact Decimal


def to_toml(card: WeightedScorecard) -> str:
    """The policy file of a scorecard (what a company saves after fitting it)."""
    data = codec.to_dict(card)
    lines = ['kind = "scorecard"']
    lines += [
        f"{k} = {_toml_value(v)}" for k, v in data.items() if k != "criteria" and v is not None
    ]
    for c in data["criteria"]:
        lines += ["", "[[criteria]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in c.items() if v is not None]
    return "\n".join(lines) + "\n"


SNIPPET = """
kind = "scorecard"
name = "fitted-sizes"

[[criteria]]
name = "contract_volume"
weight = 0.3
normaliser = { kind = "percentile", points = 100 }

[[criteria]]
name = "sales_revenue"
weight = 0.3
normaliser = { kind = "clipped", low_quantile = 0.05, high_quantile = 0.95 }

[[criteria]]
name = "profit"
weight = 0.2
normaliser = { kind = "log", low_quantile = 0, high_quantile = 1 }

[[criteria]]
name = "unit_price"
weight = 0.2
normaliser = { kind = "log", lower = 0, upper = 1000 }
"""


def _month(seed: int, n: int = 120) -> list[AccountFacts]:
    rng = random.Random(seed)
    return [
        AccountFacts(
            f"acct-{i:04}",
            contract_volume=D(int(rng.paretovariate(1.2) * 200_000)),
            sales_revenue=D(int(rng.paretovariate(1.1) * 1_000_000)) / 100,
            profit=D(rng.randrange(-50_000_000, 300_000_000)) / 100,
            unit_price=D(rng.randrange(500, 100_000)) / 100,
        )
        for i in range(n)
    ]


def test_a_toml_policy_of_the_new_kinds_loads_and_matches_the_json_schema() -> None:
    import jsonschema

    card = codec.loads_policy(SNIPPET, WeightedScorecard)
    kinds = [c.normaliser.kind for c in card.criteria]
    assert kinds == [
        NormaliserKind.PERCENTILE,
        NormaliserKind.CLIPPED,
        NormaliserKind.LOG,
        NormaliserKind.LOG,
    ]
    assert not card.fitted
    assert card.criteria[3].normaliser.fitted
    schema = codec.json_schema(WeightedScorecard)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(codec.to_json(card)), schema)
    fitted = card.fit(_month(1))
    jsonschema.validate(json.loads(codec.to_json(fitted)), schema)
    raw = tomllib.loads(to_toml(fitted), parse_float=Decimal)
    jsonschema.validate(json.loads(json.dumps(raw, default=str)), schema)


def test_a_misspelled_normaliser_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="low_quantile"):
        codec.loads_policy(SNIPPET.replace("low_quantile = 0.05", "low_quantil = 0.05"))


@pytest.mark.parametrize(
    "norm",
    [
        Normaliser.percentile(),
        Normaliser.percentile(7).fit(BOOK),
        Normaliser.clipped(),
        Normaliser.clipped("0.1", "0.9").fit(BOOK),
        Normaliser.log(0, 10),
        Normaliser.log(low_quantile="0.01", high_quantile="0.99"),
        Normaliser.log(low_quantile="0.01", high_quantile="0.99").fit(BOOK),
    ],
)
def test_new_normalisers_round_trip_through_the_codec(norm: Normaliser) -> None:
    assert codec.from_dict(Normaliser, codec.to_dict(norm)) == norm
    assert codec.from_json(Normaliser, codec.to_json(norm)) == norm


def test_a_saved_fitted_model_grades_next_month_as_it_was_fitted() -> None:
    card = codec.loads_policy(SNIPPET, WeightedScorecard)
    january, february = _month(1), _month(2)
    fitted = card.fit(january)
    assert fitted.fitted
    assert fitted != card
    saved_json = codec.to_json(fitted)
    saved_toml = to_toml(fitted)
    from_json = codec.from_json(WeightedScorecard, saved_json)
    from_toml = codec.loads_policy(saved_toml, WeightedScorecard)
    assert from_json == fitted == from_toml
    expected = grade_many(fitted, LETTERS, february)
    for reloaded in (from_json, from_toml):
        again = grade_many(reloaded, LETTERS, february)  # used as fitted: not refitted
        assert again == expected
        assert tuple(score_all(reloaded, february)) == tuple(g.score for g in expected.graded)
        cols = score_arrays(reloaded, as_columns(february), ladder=LETTERS)
        assert list(cols["grade"]) == [g.grade for g in expected.graded]
        assert list(cols["total"]) == [float(g.total) for g in expected.graded]
    # fitted to February instead, the grades differ: refitting is a different model
    refitted = grade_many(card.fit(february), LETTERS, february)
    assert [g.total for g in refitted.graded] != [g.total for g in expected.graded]


def test_refitting_a_fitted_model_is_explicit() -> None:
    card = codec.loads_policy(SNIPPET, WeightedScorecard)
    january, february = _month(1), _month(2)
    fitted = card.fit(january)
    assert fitted.fit(february) is fitted
    refit = fitted.fit(february, refit=True)
    assert refit == card.fit(february) != fitted
    assert refit.criteria[3] == card.criteria[3]  # fixed bounds: nothing to learn
    fixed = WeightedScorecard((Criterion("profit", 1, Normaliser.log(0, 10)),))
    assert fixed.fit(february, refit=True) is fixed
    assert grade_all(fitted, LETTERS, february) == grade_many(fitted, LETTERS, february).graded


def test_a_partly_fitted_model_fits_only_what_is_missing() -> None:
    january, february = _month(1), _month(2)
    part = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.5", Normaliser.percentile().fit(
                [f.sales_revenue for f in january if f.sales_revenue is not None]
            )),
            Criterion("profit", "0.5", Normaliser.clipped()),
        )
    )  # fmt: skip
    fitted = part.fit(february)
    assert fitted.criteria[0] == part.criteria[0]
    assert fitted.criteria[1].normaliser == Normaliser.clipped().fit(
        f.profit for f in february if f.profit is not None
    )
    cols = score_arrays(part, as_columns(february), ladder=LETTERS)
    assert list(cols["grade"]) == [g.grade for g in grade_many(fitted, LETTERS, february).graded]


# -- columnar path --------------------------------------------------------------------
def _kinds() -> st.SearchStrategy[Normaliser]:
    quantiles = st.tuples(st.integers(0, 100), st.integers(0, 100)).filter(lambda t: t[0] < t[1])
    return st.one_of(
        st.sampled_from([1, 3, 7, 10, 100]).map(Normaliser.percentile),
        quantiles.map(lambda t: Normaliser.clipped(D(t[0]) / 100, D(t[1]) / 100)),
        quantiles.map(
            lambda t: Normaliser.log(low_quantile=D(t[0]) / 100, high_quantile=D(t[1]) / 100)
        ),
        st.tuples(st.integers(-1_000_000, 1000), st.integers(1, 60_000_000)).map(
            lambda t: Normaliser.log(t[0], t[0] + t[1])
        ),
    )


_FIGURES = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "profit",
    "quality_losses",
    "collection_rate",
)


@st.composite
def tied_populations(draw: st.DrawFn, max_size: int = 14) -> list[AccountFacts]:
    """Populations whose figures come from a small pool: many ties, some missing."""
    n = draw(st.integers(1, max_size))
    pool = draw(st.lists(st.decimals(0, 60_000_000, places=2), min_size=1, max_size=max(1, n // 2)))
    signed = [*pool, *(-v for v in pool[:2])]
    amounts = [st.none(), st.sampled_from(pool)]

    def fig(values: list[Decimal]) -> Decimal | None:
        return draw(st.one_of(st.none(), st.sampled_from(values)))

    return [
        AccountFacts(
            f"t{i:02}",
            contract_volume=fig(pool),
            unit_price=fig(pool),
            sales_revenue=fig(pool),
            profit=fig(signed),
            quality_losses=draw(st.one_of(*amounts)),
            invoiced=fig([D(3), D(7), D(10)]),
            collected=fig([D(0), D(1), D(2), D(3)]),
        )
        for i in range(n)
    ]


@st.composite
def new_kind_scorecards(draw: st.DrawFn) -> WeightedScorecard:
    names = draw(st.lists(st.sampled_from(_FIGURES), min_size=1, max_size=4, unique=True))
    n = len(names)
    ws = draw(gst.weights(n))
    norms = [
        draw(st.one_of(_kinds(), _kinds(), gst.normalisers()) if i else _kinds()) for i in range(n)
    ]
    return WeightedScorecard(
        tuple(
            Criterion(name, w, norm, draw(st.sampled_from(Direction)))
            for name, w, norm in zip(names, ws, norms, strict=True)
        ),
        places=draw(st.integers(0, 4)),
        missing=draw(st.sampled_from(MissingPolicy)),
        rounding=draw(st.sampled_from(Rounding)),
    )


def _exact_or_error(card: WeightedScorecard, pop: list[AccountFacts]) -> Batch | ValidationError:
    try:
        return grade_many(card, LETTERS, pop)
    except ValidationError as exc:
        return exc


@given(new_kind_scorecards(), tied_populations())
def test_the_columnar_path_fits_and_grades_as_the_exact_path(
    card: WeightedScorecard, pop: list[AccountFacts]
) -> None:
    exact = _exact_or_error(card, pop)
    try:
        fast = score_arrays(card, as_columns(pop), ladder=LETTERS)
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


@given(new_kind_scorecards(), tied_populations())
def test_fitting_columns_gives_the_exact_fitted_model(
    card: WeightedScorecard, pop: list[AccountFacts]
) -> None:
    from kamcore.grading._columnar import _column, _fit_columns

    try:
        exact = card.fit(pop)
    except ValidationError:
        assume(False)
    data = as_columns(pop)
    xs = [_column(data, c.source, None, None) for c in card.criteria]
    assert _fit_columns(card, xs, data, None) == exact


def test_grade_frame_fits_percentiles_as_grade_many_does() -> None:
    pop = _month(5, 400)
    card = codec.loads_policy(SNIPPET, WeightedScorecard)
    frame = pd.DataFrame({"account_id": [f.account_id for f in pop], **as_columns(pop)})
    out = grade_frame(card, LETTERS, frame)
    exact = grade_many(card, LETTERS, pop)
    assert list(out["grade"]) == [g.grade for g in exact.graded]
    assert list(out["total"]) == [float(g.total) for g in exact.graded]


def test_a_large_percentile_table_scores_by_bisection_on_both_paths() -> None:
    rng = np.random.default_rng(3)
    revenue = np.round(rng.pareto(1.2, 5_000) * 1_000_000, 2)
    revenue[::50] = revenue[1]  # ties
    pop = [AccountFacts(f"r{i}", sales_revenue=D(repr(float(v)))) for i, v in enumerate(revenue)]
    card = WeightedScorecard(
        (Criterion("sales_revenue", 1, Normaliser.percentile(1000)),), places=3
    )
    exact = grade_many(card, LETTERS, pop)
    fast = score_arrays(card, {"sales_revenue": revenue}, ladder=LETTERS)
    assert list(fast["total"]) == [float(g.total) for g in exact.graded]
    fitted = card.fit(pop)
    assert len(fitted.criteria[0].normaliser.steps) > 8  # past the inlined tables
    ranks = np.searchsorted(np.sort(revenue), revenue, side="right")
    expected = np.floor(ranks * 1000 / len(revenue)) / 10  # share in whole tenths of a %
    assert np.array_equal(fast["total"], expected)


def test_a_log_criterion_near_its_rounding_points_is_decided_exactly() -> None:
    # figures whose log contribution lands on (or next to) a half: the float plan doubts
    # them and the exact path decides, so the two paths never disagree on a grade
    norm = Normaliser.log(0, 999)
    card = WeightedScorecard((Criterion("sales_revenue", 1, norm),))
    halves = [norm.invert(D(2 * k + 1) / 20_000) for k in range(0, 10_000, 7)]
    xs = [x.quantize(D("1e-10")) for x in halves if x is not None]
    pop = [AccountFacts(f"h{i}", sales_revenue=x) for i, x in enumerate(xs)]
    exact = grade_many(card, LETTERS, pop)
    fast = score_arrays(card, as_columns(pop), ladder=LETTERS)
    assert list(fast["total"]) == [float(g.total) for g in exact.graded]
    lowered = attrs.evolve(
        card, criteria=(attrs.evolve(card.criteria[0], direction=Direction.LOWER),)
    )
    exact_low = grade_many(lowered, LETTERS, pop)
    fast_low = score_arrays(lowered, as_columns(pop), ladder=LETTERS)
    assert list(fast_low["total"]) == [float(g.total) for g in exact_low.graded]


def test_percentile_of_a_derived_rate_is_fitted_from_the_exact_rates() -> None:
    pop = [AccountFacts(f"d{i}", invoiced=D(3 + i % 4), collected=D(i % 3)) for i in range(40)]
    card = WeightedScorecard((Criterion("collection_rate", 1, Normaliser.percentile(10)),))
    cols = {"invoiced": [float(f.invoiced or 0) for f in pop], "collected": [
        float(f.collected or 0) for f in pop
    ]}  # fmt: skip
    exact = grade_many(card, LETTERS, pop)
    fast = score_arrays(card, cols, ladder=LETTERS)
    assert list(fast["total"]) == [float(g.total) for g in exact.graded]


def test_min_max_of_a_derived_rate_is_still_fitted_from_the_exact_rates() -> None:
    pop = [AccountFacts(f"m{i}", invoiced=D(3 + i % 4), collected=D(i % 3)) for i in range(12)]
    card = WeightedScorecard((Criterion("collection_rate", 1, Normaliser.minmax()),))
    cols = {"invoiced": [float(f.invoiced or 0) for f in pop], "collected": [
        float(f.collected or 0) for f in pop
    ]}  # fmt: skip
    fast = score_arrays(card, cols, ladder=LETTERS)
    assert list(fast["total"]) == [float(g.total) for g in grade_many(card, LETTERS, pop).graded]


# -- properties -----------------------------------------------------------------------
figures = st.lists(st.decimals(-1_000_000, 60_000_000, places=2), min_size=1, max_size=30)


@given(_kinds(), figures, st.decimals(-2_000_000, 70_000_000, places=2), st.data())
def test_a_larger_figure_never_gets_a_smaller_fraction(
    kind: Normaliser, values: list[Decimal], x: Decimal, data: st.DataObject
) -> None:
    n = kind.fit(values)
    y = data.draw(st.decimals(x, 70_000_000, places=2))
    fx, fy = n.apply(x), n.apply(y)
    assert 0 <= fx <= fy <= 1
    if kind.kind is NormaliserKind.PERCENTILE:
        share = sum(1 for v in values if v <= x) / D(len(values))
        assert fx <= share < fx + D(1) / cast_points(n)
        assert n.apply(max(values)) == 1


def cast_points(n: Normaliser) -> int:
    assert n.points is not None
    return n.points


@given(_kinds(), figures, st.randoms(use_true_random=False))
def test_fitting_is_deterministic_and_order_independent(
    kind: Normaliser, values: list[Decimal], rnd: random.Random
) -> None:
    fitted = kind.fit(values)
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert kind.fit(shuffled) == fitted == kind.fit(values)
    if kind.learns and fitted.lower is not None:  # fitted bounds are figures of the population
        assert fitted.lower in values
        assert fitted.upper in values
    for s in fitted.steps:
        assert s.at in values


@given(_kinds(), figures, st.decimals(-1_000_000, 60_000_000, places=2))
def test_equal_figures_get_equal_fractions_and_invert_reaches_them(
    kind: Normaliser, values: list[Decimal], x: Decimal
) -> None:
    n = kind.fit([*values, x, x])
    f = n.apply(x)
    assert n.apply(x + 0) == f
    back = n.invert(f)
    if f > 0 and back is not None and (n.steps or n.lower != n.upper):
        assert back <= x + D("1e-15") * (1 + abs(x))
        if n.steps:  # the smallest figure of the fitted population reaching the step
            assert n.apply(back) >= f
            assert back in [*values, x]


# -- what would it take ---------------------------------------------------------------
def test_what_it_takes_with_a_fitted_percentile_and_log_model() -> None:
    ladder = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80), GradeBand("C", 0, 50)))
    pop = [
        AccountFacts(f"a{i:03}", sales_revenue=D(i * 1000 + 7), quality_losses=D(i * 13))
        for i in range(300)
    ]
    card = WeightedScorecard(
        (
            Criterion("sales_revenue", "0.6", Normaliser.percentile()),
            Criterion("quality_losses", "0.4", Normaliser.log(0, 10_000), Direction.LOWER),
        )
    ).fit(pop)
    f = AccountFacts("x", sales_revenue=D(122_500), quality_losses=D(3000))
    assert card.criteria[0].normaliser.percentile_of(D(122_500)) == 41
    w = what_would_it_take(card, ladder, f)
    assert (w.grade, w.target_grade, w.total) == ("C", "B", D("29.83"))
    by = {r.criterion: r for r in w.requirements}
    # 45 of 60 points: the 75th percentile, first reached by the 225th account (224,007)
    assert (by["sales_revenue"].needed, by["sales_revenue"].comparison) == (D(224_007), ">=")
    assert (by["quality_losses"].needed, by["quality_losses"].comparison) == (D("27.87"), "<=")
    for r in w.requirements:
        assert r.needed is not None
        reached = card.score(f.with_figure(r.figure, r.needed)).total
        cent = D("0.01") if r.comparison == ">=" else D("-0.01")
        short = card.score(f.with_figure(r.figure, r.needed - cent)).total
        assert (ladder.grade_of(reached), ladder.grade_of(short)) == ("B", "C")


def test_what_it_takes_with_a_lower_is_better_percentile_says_which_step_to_get_below() -> None:
    ladder = GradeLadder((GradeBand("A", 50, 100), GradeBand("B", 0, 50)))
    pop = [AccountFacts(f"q{i}", quality_losses=D(i * 100)) for i in range(10)]
    card = WeightedScorecard(
        (Criterion("quality_losses", 1, Normaliser.percentile(), Direction.LOWER),)
    ).fit(pop)
    w = what_would_it_take(card, ladder, AccountFacts("x", quality_losses=D(800)))
    (r,) = w.requirements
    assert (r.needed, r.comparison) == (D(500), "<")  # below the 60% step, at the 50%
    assert card.score(AccountFacts("y", quality_losses=D(499))).total == 50


@given(
    card=new_kind_scorecards().map(lambda c: attrs.evolve(c, missing=MissingPolicy.WORST)),
    pop=tied_populations(max_size=8),
)
def test_what_it_takes_is_tight_for_fitted_models(
    card: WeightedScorecard, pop: list[AccountFacts]
) -> None:
    try:
        fitted = card.fit(pop)
    except ValidationError:
        assume(False)
    sources = {c.source for c in card.criteria}
    for f in pop:
        w = what_would_it_take(fitted, LETTERS, f)
        for r in w.requirements:
            linked = r.figure in {"collected", "invoiced"} and "collection_rate" in sources
            norm = fitted.criteria[[c.name for c in card.criteria].index(r.criterion)].normaliser
            flat = not norm.steps and norm.lower == norm.upper  # every figure gets 1
            if r.needed is None or r.comparison == "<" or linked or flat:
                continue
            better = fitted.score(f.with_figure(r.figure, r.needed)).total
            assert LETTERS.rank(LETTERS.grade_of(better)) < LETTERS.rank(w.grade)
            short = r.needed - D("0.01") if r.comparison == ">=" else r.needed + D("0.01")
            try:
                trial = f.with_figure(r.figure, short)
            except ValidationError:
                continue
            assert LETTERS.grade_of(fitted.score(trial).total) == w.grade
