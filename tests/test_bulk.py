"""The bulk pipeline (kamcore.bulk) on pandas equals the exact path, account for account.

Grades, classes, totals and contributions of :func:`kamcore.bulk.grade_accounts` are
checked against :func:`kamcore.grading.grade_many` on the same figures (floats in the
frame, the ``Decimal`` they show on the exact path), the fit against
:meth:`WeightedScorecard.fit`, ABC against :func:`kamcore.grading.classify_abc` on
adversarial measures, and order lines against a hand-computed example.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas", reason="kamcore.bulk needs the frames extra (pandas)")
np = pytest.importorskip("numpy", reason="kamcore.bulk needs the frames extra (numpy)")

from kamcore import bulk  # noqa: E402
from kamcore.errors import KamError, ValidationError  # noqa: E402
from kamcore.grading import (  # noqa: E402
    FIGURES,
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
    WeightedScorecard,
    classify_abc,
    grade_many,
)
from kamcore.money import Rounding  # noqa: E402
from kamcore.presets import load_preset  # noqa: E402
from kamcore.strategies import _grading as gst  # noqa: E402

D = Decimal
LETTERS = load_preset("grading_letters", GradeLadder)
ABC = load_preset("grading_abc", AbcPolicy)

# -- strategies ------------------------------------------------------------------------


def _next(policy: AbcPolicy) -> AbcPolicy:
    return attrs.evolve(policy, crossing=AbcCrossing.NEXT)


_SHARE_PRESETS = ("grading_abc", "grading_abc_water", "grading_abc_water_cumulative")
#: Every preset ABC policy, and the strict (NEXT) reading of each share preset.
PRESET_POLICIES = (
    *(load_preset(n, AbcPolicy) for n in (*_SHARE_PRESETS, "grading_top20")),
    *(_next(load_preset(n, AbcPolicy)) for n in _SHARE_PRESETS),
)
#: Breakpoints that running sums of 0.1, 0.2 and 0.7 land on exactly (decimal, not float).
ON_THE_DOT = (
    AbcPolicy((AbcBreak("A", "0.7"), AbcBreak("B", "0.9"), AbcBreak("C", 1))),
    AbcPolicy(
        (AbcBreak("A", "0.3"), AbcBreak("B", "0.6"), AbcBreak("C", 1)), crossing=AbcCrossing.NEXT
    ),
    AbcPolicy(
        (AbcBreak("A", "0.1"), AbcBreak("B", "0.2"), AbcBreak("C", "0.7"), AbcBreak("D", 1)),
        reading="group_share",
    ),
    AbcPolicy(
        (AbcBreak("A", "0.7"), AbcBreak("B", "0.2"), AbcBreak("C", 1)),
        reading="group_share",
        crossing=AbcCrossing.NEXT,
    ),
)
policies = st.one_of(
    st.sampled_from(PRESET_POLICIES + ON_THE_DOT),
    gst.abc_policies(),
    gst.group_share_policies(),
)

#: Figures that make ties, zeros and float drift (0.1 + 0.2 != 0.3) common.
_COMMON = tuple(D(v) for v in ("0", "0", "0.01", "0.1", "0.2", "0.7", "1", "7", "12.5", "100"))


def figures(low: int = 0, high: int = 10_000_000, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Decimals with at most ``places`` places in [low, high], often a common value."""
    common = [v for v in _COMMON if low <= v <= high and v == round(v, places)]
    return st.one_of(
        st.sampled_from(common),
        st.decimals(low, high, places=places, allow_nan=False, allow_infinity=False),
    )


#: Ids: unique text, some CJK, some that sort differently as numbers (x10 < x9).
ids = st.text("abxyz0129_-中文Ää", min_size=1, max_size=4)


@st.composite
def populations(draw: st.DrawFn, *, max_size: int = 12, missing: bool = True) -> list[AccountFacts]:
    """Accounts with unique ids; a few missing figures in one example in three (if asked)."""
    n = draw(st.integers(1, max_size))
    names = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
    missing = missing and draw(st.integers(0, 2)) == 0
    ranges: dict[str, tuple[int, int, int]] = {
        "contract_volume": (0, 20_000_000, 2),
        "unit_price": (0, 1_000, 2),
        "sales_revenue": (0, 60_000_000, 2),
        "invoiced": (0, 1_000_000, 2),
        "collected": (0, 1_000_000, 2),
        "profit": (-1_000_000, 6_000_000, 2),
        "quality_losses": (0, 300_000, 2),
        "industry_influence": (0, 10, 1),
        "business_reputation": (0, 5, 1),
    }
    shared = {f: draw(figures(*r)) for f, r in ranges.items()}  # ties across accounts
    out = []
    for name in names:
        values: dict[str, Decimal | None] = {}
        for f, r in ranges.items():
            pick = draw(st.integers(0, 9))
            if missing and pick == 0:
                values[f] = None
            elif pick <= 3:
                values[f] = shared[f]
            else:
                values[f] = draw(figures(*r))
        out.append(AccountFacts(name, **values))  # type: ignore[arg-type]
    return out


def frame_of(pop: list[AccountFacts], *, shuffle: list[int] | None = None) -> Any:
    """The population as the bulk path reads it: float64 figures, NaN when missing."""
    rows = [pop[i] for i in shuffle] if shuffle is not None else pop
    data: dict[str, Any] = {"account_id": [f.account_id for f in rows]}
    for name in FIGURES:
        data[name] = [math.nan if (v := f.figure(name)) is None else float(v) for f in rows]
    return pd.DataFrame(data)


def _hand_built(missing: MissingPolicy = MissingPolicy.REFUSE) -> WeightedScorecard:
    """Min–max, clipped and log criteria, fitted and fixed, and a derived collection rate."""
    return WeightedScorecard(
        (
            Criterion("sales_revenue", "0.25", Normaliser.minmax()),
            Criterion("profit", "0.2", Normaliser.clipped("0.1", "0.9")),
            Criterion(
                "contract_volume", "0.15", Normaliser.log(low_quantile="0", high_quantile="1")
            ),
            Criterion("unit_price", "0.1", Normaliser.log(1, 1000)),
            Criterion("collection_rate", "0.2", Normaliser.minmax()),
            Criterion("quality_losses", "0.1", Normaliser.clipped("0", "0.5"), Direction.LOWER),
        ),
        missing=missing,
        places=3,
    )


MODELS = (
    load_preset("grading_scorecard", WeightedScorecard),
    load_preset("grading_scorecard_absolute", WeightedScorecard),
    _hand_built(),
)


@st.composite
def models(draw: st.DrawFn) -> WeightedScorecard:
    """A preset or the hand-built card, under any missing policy, rounding and places."""
    model = draw(st.sampled_from(MODELS))
    return attrs.evolve(
        model,
        missing=draw(st.sampled_from(MissingPolicy)),
        places=draw(st.sampled_from((0, 2, 4))),
        rounding=draw(st.sampled_from((Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.FLOOR))),
    )


def _problem(exc: KamError) -> str:
    return str(getattr(exc, "problem", type(exc).__name__))


def _outcome(call: Any) -> Any:
    try:
        return call()
    except KamError as exc:
        return exc


# -- 1. columnar against exact ---------------------------------------------------------


@given(
    models(),
    populations(),
    st.one_of(st.just(LETTERS), gst.grade_ladders()),
    st.one_of(st.none(), policies, policies, policies),
    st.sampled_from(("sales_revenue", "score", "contract_volume", "unit_price")),
    st.randoms(use_true_random=False),
)
def test_grade_accounts_equals_grade_many_account_for_account(
    model: WeightedScorecard,
    pop: list[AccountFacts],
    ladder: GradeLadder,
    abc: AbcPolicy | None,
    measure: str,
    rnd: Any,
) -> None:
    order = list(range(len(pop)))
    rnd.shuffle(order)
    frame = frame_of(pop, shuffle=order)
    exact = _outcome(lambda: grade_many(model, ladder, pop, abc=abc, measure=measure))
    fast = _outcome(lambda: bulk.grade_accounts(frame, model, ladder, abc=abc, measure=measure))
    if isinstance(exact, KamError):
        assert isinstance(fast, KamError), (exact, fast)
        assert _problem(fast) == _problem(exact), (exact, fast)
        event(f"both refused: {_problem(exact)}")
        return
    assert not isinstance(fast, KamError), fast
    assert isinstance(exact, Batch)
    event("graded" if abc is None else f"graded and classified ({abc.reading.value})")
    assert fast["account_id"].tolist() == [pop[i].account_id for i in order]  # input order
    graded = {g.account_id: g for g in exact.graded}
    names = exact.graded[0].score.names
    for row in fast.to_dict("records"):
        g = graded[row["account_id"]]
        assert row["grade"] == g.grade
        assert D(repr(row["total"])) == g.total, (row["account_id"], row["total"], g.total)
        for name, want in zip(names, g.score.contributions, strict=True):
            assert D(repr(row[f"{name}.contribution"])) == want, (name, row, want)
    if abc is None:
        assert "abc" not in fast.columns
        return
    assert exact.abc is not None
    ranked = {a.account_id: a for a in exact.abc.assignments}
    for row in fast.to_dict("records"):
        a = ranked[row["account_id"]]
        assert (row["abc"], row["rank"]) == (a.label, a.rank), (row, a)
        assert math.isclose(row["cumulative_share"], float(a.cumulative_share), abs_tol=1e-12)


@given(models(), populations(), st.randoms(use_true_random=False))
def test_fit_model_equals_the_exact_fit(
    model: WeightedScorecard, pop: list[AccountFacts], rnd: Any
) -> None:
    order = list(range(len(pop)))
    rnd.shuffle(order)
    exact = _outcome(lambda: model.fit(pop))
    fast = _outcome(lambda: bulk.fit_model(model, frame_of(pop, shuffle=order)))
    if isinstance(exact, KamError):
        assert isinstance(fast, KamError), (exact, fast)
        event("both refused")
        return
    event("fitted")
    assert fast == exact
    assert bulk.fit_model(exact, frame_of(pop)) is exact  # a fitted model is kept as it is


def test_scoring_with_a_model_fitted_elsewhere_keeps_its_fit() -> None:
    book = [AccountFacts(f"k{i}", sales_revenue=100 * i) for i in range(11)]
    card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.percentile(10)),))
    fitted = card.fit(book)
    later = [AccountFacts("new", sales_revenue=450), AccountFacts("top", sales_revenue=5000)]
    out = bulk.grade_accounts(frame_of(later), fitted, LETTERS)
    exact = grade_many(fitted, LETTERS, later)
    assert [D(repr(t)) for t in out["total"]] == [g.total for g in exact.graded]
    assert out["grade"].tolist() == [g.grade for g in exact.graded]


# -- 2. ABC alone against classify_abc --------------------------------------------------


@st.composite
def measures(draw: st.DrawFn) -> list[Decimal]:
    """Adversarial ABC measures: ties, zeros, drift-prone tenths, values near 1e12."""
    n = draw(st.integers(0, 25))
    kind = draw(st.sampled_from(("tie", "zeros", "tenths", "large", "mixed", "one")))
    if kind == "one":
        return [draw(figures(0, 10**12))]
    if kind == "tie":
        return [draw(figures(0, 10**9))] * n
    if kind == "zeros":
        return [D(0)] * n
    if kind == "tenths":
        pool = [D(v) for v in ("0.1", "0.2", "0.7", "0.07", "0.3", "0.05", "0")]
        return draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    if kind == "large":
        near = st.decimals(10**12 - 10**6, 10**12, places=2)
        return draw(st.lists(st.one_of(near, st.just(D(10**12))), min_size=n, max_size=n))
    return draw(st.lists(figures(0, 10**12), min_size=n, max_size=n))


def measure_frame(names: list[str], values: list[Decimal]) -> Any:
    return pd.DataFrame(
        {
            "account_id": pd.Series(names, dtype=object),
            "m": pd.Series([float(v) for v in values], dtype="float64"),
        }
    )


@given(measures(), policies, st.randoms(use_true_random=False))
def test_classify_accounts_equals_classify_abc(
    values: list[Decimal], policy: AbcPolicy, rnd: Any
) -> None:
    names = [f"a{i:02d}" for i in range(len(values))]
    rnd.shuffle(names)  # ties are broken by id, whatever the input order
    out = bulk.classify_accounts(measure_frame(names, values), policy, measure="m")
    exact = classify_abc(policy, list(zip(names, values, strict=True)))
    ranked = {a.account_id: a for a in exact.assignments}
    assert out["account_id"].tolist() == names
    assert len(out) == len(exact.assignments)
    for row in out.to_dict("records"):
        a = ranked[row["account_id"]]
        assert (row["abc"], row["rank"]) == (a.label, a.rank), (row, a)
        assert math.isclose(row["cumulative_share"], float(a.cumulative_share), abs_tol=1e-12)


@pytest.mark.parametrize("policy", PRESET_POLICIES + ON_THE_DOT, ids=lambda p: p.name)
@pytest.mark.parametrize(
    "values",
    [
        ["0.7", "0.2", "0.1"],
        ["0.1"] * 10,
        ["0.1", "0.2", "0.3", "0.4"],
        ["0.07"] * 100,
        ["70", "20", "6", "4"],
        ["50", "20", "10", "20"],
        ["0", "0", "0"],
        ["5"],
        ["0"],
        ["999999999999.99", "1000000000000", "0.01", "999999999999.99"],
    ],
)
def test_running_sums_landing_on_a_breakpoint_are_classed_as_classify_abc(
    policy: AbcPolicy, values: list[str]
) -> None:
    names = [f"x{i:03d}" for i in range(len(values))]
    decimals = [D(v) for v in values]
    out = bulk.classify_accounts(measure_frame(names, decimals), policy, measure="m")
    exact = classify_abc(policy, list(zip(names, decimals, strict=True))).as_dict()
    assert out["abc"].tolist() == [exact[n] for n in names]


def test_an_empty_frame_is_classified_into_nothing() -> None:
    out = bulk.classify_accounts(measure_frame([], []), ABC, measure="m")
    assert len(out) == 0
    assert {"abc", "rank", "cumulative_share"} <= set(out.columns)
    assert classify_abc(ABC, []).assignments == ()


def test_all_zero_measures_fall_into_the_last_class_with_a_share_of_one() -> None:
    out = bulk.classify_accounts(measure_frame(["b", "a"], [D(0), D(0)]), ABC, measure="m")
    assert out["abc"].tolist() == ["C", "C"]
    assert out["rank"].tolist() == [2, 1]
    assert out["cumulative_share"].tolist() == [1.0, 1.0]


def test_ids_that_differ_only_by_a_trailing_nul_rank_as_classify_abc_ranks_them() -> None:
    policy = load_preset("grading_top20", AbcPolicy)
    names = ["a\x00", "a", "b", "c", "d"]
    values = [D(5), D(5), D(1), D(1), D(1)]
    out = bulk.classify_accounts(measure_frame(names, values), policy, measure="m")
    exact = classify_abc(policy, list(zip(names, values, strict=True))).as_dict()
    assert out["abc"].tolist() == [exact[n] for n in names]


# -- 4. order lines, by hand -----------------------------------------------------------

# Period 2026-01-01..2026-06-30 (as_of = 2026-06-30). Amounts in cents.
#
#  line account order  date        cents         note
#   1   K1     O1    2026-01-10   50_000_000
#   2   K1     O1    2026-01-10   10_000_000     second line of O1
#   3   K1     O2    2026-05-20   -2_000_000     a return
#   4   K2     O3    2026-02-01   15_000_000
#   5   K2     O4    2026-06-30    6_999_950
#   6   K2     O4    2026-06-30           50     second line of O4
#   7   K3     O5    2026-03-15    6_000_000
#   8   K3     O6    2026-04-01    9_000_099
#   9   K3     O7    2026-04-02          -99     a return
#  10   K4     O8    2026-06-01    3_000_000
#  11   K4     O9    2025-12-31  100_000_000     before the period: left out
#  12   K5     O10   2026-01-02      100_000
#  13   K5     O11   2026-01-03     -100_000     a credit note for O10
#  14   K5     O12   2026-02-14    2_000_000
#  15   K5     O13   2026-07-01    5_000_000     after the period: left out
#
# Per account, in the period (sales in cents, lines, distinct orders, first and last
# purchase, recency = days from the last purchase to 2026-06-30):
#   K1 58_000_000  3 lines  2 orders  01-10 .. 05-20  41 days (11 in May + 30 in June)
#   K2 22_000_000  3 lines  2 orders  02-01 .. 06-30   0 days
#   K3 15_000_000  3 lines  3 orders  03-15 .. 04-02  89 days (28 + 31 + 30)
#   K4  3_000_000  1 line   1 order   06-01 .. 06-01  29 days
#   K5  2_000_000  3 lines  3 orders  01-02 .. 02-14 136 days (14 + 31 + 30 + 31 + 30)
# Total 100_000_000 cents (¥1,000,000.00). Ranked K1, K2, K3, K4, K5; cumulative
# shares 0.58, 0.80, 0.95, 0.98, 1.00. grading_abc (A to 0.80, B to 0.95, JOINS: an
# account is in the first class whose breakpoint the share BEFORE it has not reached):
#   K1 before 0.00 -> A;  K2 before 0.58 -> A;  K3 before 0.80 = 0.80 reached -> B;
#   K4 before 0.95 = 0.95 reached -> C;  K5 before 0.98 -> C.
# Under NEXT (the share INCLUDING it within the breakpoint) the classes are the same:
# K2 ends exactly on 0.80 and K3 exactly on 0.95.

LINES = [
    ("K1", "O1", "2026-01-10", 50_000_000),
    ("K1", "O1", "2026-01-10", 10_000_000),
    ("K1", "O2", "2026-05-20", -2_000_000),
    ("K2", "O3", "2026-02-01", 15_000_000),
    ("K2", "O4", "2026-06-30", 6_999_950),
    ("K2", "O4", "2026-06-30", 50),
    ("K3", "O5", "2026-03-15", 6_000_000),
    ("K3", "O6", "2026-04-01", 9_000_099),
    ("K3", "O7", "2026-04-02", -99),
    ("K4", "O8", "2026-06-01", 3_000_000),
    ("K4", "O9", "2025-12-31", 100_000_000),
    ("K5", "O10", "2026-01-02", 100_000),
    ("K5", "O11", "2026-01-03", -100_000),
    ("K5", "O12", "2026-02-14", 2_000_000),
    ("K5", "O13", "2026-07-01", 5_000_000),
]
PERIOD = ("2026-01-01", "2026-06-30")
HAND = {
    "account_id": ["K1", "K2", "K3", "K4", "K5"],
    "sales_revenue": [580_000.00, 220_000.00, 150_000.00, 30_000.00, 20_000.00],
    "lines": [3, 3, 3, 1, 3],
    "orders": [2, 2, 3, 1, 3],
    "first_purchase": ["2026-01-10", "2026-02-01", "2026-03-15", "2026-06-01", "2026-01-02"],
    "last_purchase": ["2026-05-20", "2026-06-30", "2026-04-02", "2026-06-01", "2026-02-14"],
    "recency_days": [41, 0, 89, 29, 136],
    "cumulative_share": [0.58, 0.80, 0.95, 0.98, 1.0],
    "abc": ["A", "A", "B", "C", "C"],
    "rank": [1, 2, 3, 4, 5],
}


def lines_frame(rows: list[tuple[str, str, str, int]] = LINES) -> Any:
    return pd.DataFrame(
        {
            "account_id": [r[0] for r in rows],
            "order_id": [r[1] for r in rows],
            "order_date": pd.to_datetime([r[2] for r in rows]).astype("datetime64[s]"),
            "sales_revenue": pd.Series([r[3] for r in rows], dtype="int64"),
        }
    )


def _days(col: Any) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.to_datetime(col)]


def test_order_lines_give_the_hand_computed_accounts() -> None:
    rows = list(reversed(LINES))  # the input order does not matter
    accounts = bulk.aggregate_lines(lines_frame(rows), period=PERIOD)
    assert accounts["account_id"].tolist() == HAND["account_id"]
    for col in ("sales_revenue", "lines", "orders", "recency_days"):
        assert accounts[col].tolist() == HAND[col], col
    assert _days(accounts["first_purchase"]) == HAND["first_purchase"]
    assert _days(accounts["last_purchase"]) == HAND["last_purchase"]


def test_order_lines_give_the_hand_computed_classes() -> None:
    for policy in (ABC, _next(ABC)):
        out = bulk.grade_lines(
            lines_frame(),
            load_preset("grading_scorecard_lines", WeightedScorecard),
            LETTERS,
            abc=policy,
            period=(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        )
        assert out["account_id"].tolist() == HAND["account_id"]
        assert out["abc"].tolist() == HAND["abc"]
        assert out["rank"].tolist() == HAND["rank"]
        assert out["cumulative_share"].tolist() == HAND["cumulative_share"]
        assert out["sales_revenue"].tolist() == HAND["sales_revenue"]


def test_order_lines_grade_as_the_exact_path_grades_the_hand_computed_accounts() -> None:
    model = load_preset("grading_scorecard_lines", WeightedScorecard)
    out = bulk.grade_lines(lines_frame(), model, LETTERS, abc=ABC, period=PERIOD)
    facts = [
        AccountFacts(
            a,
            sales_revenue=D(repr(s)),
            extras={"orders": o, "recency_days": r},
        )
        for a, s, o, r in zip(
            HAND["account_id"],
            HAND["sales_revenue"],
            HAND["orders"],
            HAND["recency_days"],
            strict=True,
        )
    ]
    exact = grade_many(model, LETTERS, facts, abc=ABC)
    assert out["grade"].tolist() == [g.grade for g in exact.graded]
    assert [D(repr(t)) for t in out["total"]] == [g.total for g in exact.graded]
    assert exact.abc is not None
    assert out["abc"].tolist() == [exact.abc.label_of(a) for a in HAND["account_id"]]


def test_without_a_period_every_line_counts_and_recency_runs_to_the_latest_line() -> None:
    accounts = bulk.aggregate_lines(lines_frame())
    by_id = dict(zip(accounts["account_id"], accounts["sales_revenue"], strict=True))
    assert by_id["K4"] == 1_030_000.00
    assert by_id["K5"] == 70_000.00
    recency = dict(zip(accounts["account_id"], accounts["recency_days"], strict=True))
    assert recency["K5"] == 0  # 2026-07-01, the latest line
    assert recency["K2"] == 1
    as_of = bulk.aggregate_lines(lines_frame(), as_of="2026-12-31")
    assert as_of["recency_days"].tolist()[4] == 183


def test_steps_are_announced_in_order() -> None:
    seen: list[str] = []
    bulk.grade_lines(
        lines_frame(),
        load_preset("grading_scorecard_lines", WeightedScorecard),
        LETTERS,
        abc=ABC,
        on_step=seen.append,
    )
    assert seen == ["aggregate", "fit", "score", "classify"]


def test_summaries_of_partitions_add_up_to_the_whole() -> None:
    frame = lines_frame()
    whole = bulk.summarise_lines(frame).sort_values("account_id").reset_index(drop=True)
    parts = pd.concat([bulk.summarise_lines(frame.iloc[i : i + 4]) for i in range(0, 15, 4)])
    combined = bulk.combine_summaries(parts)
    pd.testing.assert_frame_equal(combined, whole, check_dtype=False)


LINES_CSV = """\ufeff客户编号,订单编号,订单日期,金额
K1,O1,2026-01-10,"¥500,000.00"
K1,O1,2026/1/10,100000
K1,O2,2026年5月20日,"-20,000.00"
K2,O3,2026-02-01,150000
K2,O4,2026-06-30,"69,999.50"
K2,O4,2026-06-30,0.50
K3,O5,2026-03-15,60000
K3,O6,2026-04-01,"90,000.99"
K3,O7,2026-04-02,-0.99
K4,O8,2026-06-01,¥30000.00
K4,O9,2025-12-31,1000000
K5,O10,2026-01-02,1000
K5,O11,2026-01-03,-¥1000
K5,O12,2026-02-14,"¥20,000"
K5,O13,2026-07-01,50000
"""


@pytest.mark.parametrize("engine", ["columnar", "dask"])
def test_the_command_grades_order_lines_as_by_hand(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, engine: str
) -> None:
    import csv
    import io

    from kamcore.cli import main

    if engine == "dask":
        pytest.importorskip("distributed", reason="--engine dask needs the dask extra")
    path = tmp_path / "lines.csv"
    path.write_text(LINES_CSV, encoding="utf-8")
    argv = [
        "grade",
        str(path),
        "--lines",
        "--policy",
        "grading_scorecard_lines",
        "--columns",
        "presets:columns_lines",
        "--period",
        "2026-01-01..2026-06-30",
        "--format",
        "csv",
        "--engine",
        engine,
    ]
    if engine == "dask":
        argv += ["--partitions", "2"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["account_id"] for r in rows] == HAND["account_id"]
    assert [r["abc"] for r in rows] == HAND["abc"]
    assert [D(r["sales_revenue"]) for r in rows] == [D(repr(v)) for v in HAND["sales_revenue"]]
    assert [int(r["orders"]) for r in rows] == HAND["orders"]
    assert [int(r["recency_days"]) for r in rows] == HAND["recency_days"]


# -- 6. errors of the library API --------------------------------------------------------


def _accounts() -> Any:
    return pd.DataFrame({"account_id": ["a", "b"], "sales_revenue": [1.0, 2.0]})


def _revenue_card() -> WeightedScorecard:
    return WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.minmax()),))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: bulk.aggregate_lines([{"account_id": "a"}]), "lines"),
        (lambda: bulk.fit_model(_revenue_card(), {"account_id": ["a"]}), "accounts"),
        (lambda: bulk.classify_accounts("accounts.csv", ABC), "accounts"),
        (lambda: bulk.grade_accounts(None, _revenue_card(), LETTERS), "accounts"),
        (lambda: bulk.grade_lines(42, _revenue_card(), LETTERS), "lines"),
    ],
)
def test_what_is_not_a_frame_is_refused(call: Any, field: str) -> None:
    with pytest.raises(ValidationError, match="not a DataFrame") as info:
        call()
    assert info.value.field == field
    assert "pandas DataFrame" in str(info.value.expected)


@pytest.mark.parametrize("missing", ["account_id", "order_date", "sales_revenue"])
def test_order_lines_without_a_needed_column_are_refused_naming_it(missing: str) -> None:
    lines = lines_frame().drop(columns=missing)
    with pytest.raises(ValidationError, match="missing column") as info:
        bulk.aggregate_lines(lines)
    assert info.value.field == missing


def test_a_money_column_not_in_whole_cents_is_refused() -> None:
    lines = lines_frame().assign(sales_revenue=lambda f: f["sales_revenue"] / 100)
    with pytest.raises(ValidationError, match="not an integer column") as info:
        bulk.aggregate_lines(lines)
    assert info.value.field == "sales_revenue"
    lines = lines_frame().assign(collected=[1.5] * len(LINES))
    with pytest.raises(ValidationError) as info:
        bulk.aggregate_lines(lines)
    assert info.value.field == "collected"


@pytest.mark.parametrize(
    ("period", "problem"),
    [
        (("2026-06-30", "2026-01-01"), "ends before it starts"),
        (("2026-01-01",), "not a pair"),
        ("2026-01-01..2026-06-30", "not a pair"),
        (("2026-02-30", "2026-03-01"), None),
        ((1, 2), None),
    ],
)
def test_a_bad_period_is_refused(period: Any, problem: str | None) -> None:
    with pytest.raises(ValidationError, match=problem) as info:
        bulk.aggregate_lines(lines_frame(), period=period)
    assert info.value.field.startswith("period")


def test_accounts_without_the_id_or_the_measure_column_are_refused() -> None:
    with pytest.raises(ValidationError, match="missing column") as info:
        bulk.classify_accounts(_accounts(), ABC, measure="profit")
    assert info.value.field == "profit"
    with pytest.raises(ValidationError, match="missing column") as info:
        bulk.grade_accounts(_accounts(), _revenue_card(), LETTERS, id_column="客户编号")
    assert info.value.field == "客户编号"


def test_an_unfitted_model_is_refused_by_score_partition() -> None:
    with pytest.raises(ValidationError, match="not fitted") as info:
        bulk.score_partition(_accounts(), _revenue_card(), LETTERS)
    assert info.value.field == "model"
    fitted = bulk.fit_model(_revenue_card(), _accounts())
    scored = bulk.score_partition(_accounts(), fitted, LETTERS)
    assert scored["total"].tolist() == [0.0, 100.0]


@pytest.mark.parametrize(
    ("value", "problem"), [(-0.01, "negative measure"), (math.nan, "missing measure")]
)
def test_a_negative_or_missing_measure_is_refused_naming_the_account(
    value: float, problem: str
) -> None:
    frame = pd.DataFrame({"account_id": ["a", "b", "c"], "m": [3.0, value, 1.0]})
    with pytest.raises(ValidationError, match=problem) as info:
        bulk.classify_accounts(frame, ABC, measure="m")
    assert info.value.field == "b.m"


def test_a_missing_measure_through_grade_accounts_names_the_account() -> None:
    frame = pd.DataFrame(
        {"account_id": ["a", "b"], "sales_revenue": [1.0, 2.0], "profit": [math.nan, 5.0]}
    )
    with pytest.raises(ValidationError, match="missing measure") as info:
        bulk.grade_accounts(frame, _revenue_card(), LETTERS, abc=ABC, measure="profit")
    assert info.value.field == "a.profit"


def test_duplicate_ids_are_refused_naming_both_rows() -> None:
    frame = pd.DataFrame({"account_id": ["a", "b", "a"], "sales_revenue": [1.0, 2.0, 3.0]})
    with pytest.raises(ValidationError, match=r"duplicate account id \(also at row 0\)") as info:
        bulk.grade_accounts(frame, _revenue_card(), LETTERS)
    assert info.value.field == "row 2.account_id"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: bulk.grade_accounts(_accounts(), "grading_scorecard", LETTERS), "model"),
        (lambda: bulk.grade_accounts(_accounts(), _revenue_card(), "letters"), "ladder"),
        (lambda: bulk.grade_accounts(_accounts(), _revenue_card(), LETTERS, abc="abc"), "abc"),
        (lambda: bulk.classify_accounts(_accounts(), "grading_abc"), "policy"),
        (lambda: bulk.fit_model(None, _accounts()), "model"),
    ],
)
def test_arguments_of_the_wrong_kind_are_refused(call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.field == field


def test_a_text_figure_column_is_refused_naming_it() -> None:
    frame = pd.DataFrame({"account_id": ["a", "b"], "sales_revenue": ["1", "x"]})
    with pytest.raises(ValidationError, match="not numeric") as info:
        bulk.grade_accounts(frame, _revenue_card(), LETTERS)
    assert info.value.field == "sales_revenue"


def test_a_measure_with_too_many_places_is_refused() -> None:
    frame = pd.DataFrame({"account_id": ["a", "b"], "m": [1e-10, 1.0]})
    with pytest.raises(ValidationError, match="decimal places") as info:
        bulk.classify_accounts(frame, ABC, measure="m")
    assert info.value.field == "measure"


def test_nothing_to_fit_is_refused() -> None:
    frame = pd.DataFrame({"account_id": ["a"], "sales_revenue": [math.nan]})
    with pytest.raises(KamError, match="nothing to fit"):
        bulk.fit_model(_revenue_card(), frame)


# -- a model other than the weighted scorecard: fitted through the exact path ----------


@settings(max_examples=10)
@given(model=gst.topsis_models(), seed=st.integers(0, 2**16))
def test_a_topsis_model_grades_as_grade_many_on_the_bulk_path(model: object, seed: int) -> None:
    import random

    from kamcore.bulk import fit_model, grade_accounts
    from kamcore.grading import AccountFacts, TopsisModel, grade_many

    assert isinstance(model, TopsisModel)
    rnd = random.Random(seed)
    names = [
        "contract_volume",
        "unit_price",
        "sales_revenue",
        "invoiced",
        "collected",
        "profit",
        "quality_losses",
        "industry_influence",
        "business_reputation",
    ]
    rows = []
    for i in range(6):
        row: dict[str, object] = {"account_id": f"t{i}"}
        for n in names:
            row[n] = float(rnd.randint(1, 50) * 10)
        row["collected"] = min(float(row["collected"]), float(row["invoiced"]))
        rows.append(row)
    frame = pd.DataFrame(rows)
    facts = [AccountFacts(str(r["account_id"]), **{n: repr(r[n]) for n in names}) for r in rows]
    ladder = load_preset("grading_letters")
    exact = grade_many(model.fit(facts), ladder, facts)
    assert fit_model(model, frame) == model.fit(facts)
    out = grade_accounts(frame, model, ladder)
    assert out["grade"].tolist() == [g.grade for g in exact.graded]
    assert [Decimal(repr(t)) for t in out["total"]] == [g.score.total for g in exact.graded]
