"""The bulk pipeline on Dask equals it on pandas, and the exact path, on any partitioning.

A small in-process cluster (two workers, one thread each) runs every test; frames are
split into 2 to 6 partitions, with ties in the ABC measure spread over several input
partitions and breakpoints that the running share reaches exactly, wherever the
distributed sort puts its partition edges.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas", reason="kamcore.bulk needs the frames extra (pandas)")
dd = pytest.importorskip(
    "dask.dataframe", reason="the Dask engine needs the dask extra: pip install 'kamcore[dask]'"
)
distributed = pytest.importorskip(
    "distributed", reason="the Dask tests run on a distributed LocalCluster (the dask extra)"
)

from kamcore import bulk  # noqa: E402
from kamcore.errors import KamError  # noqa: E402
from kamcore.grading import (  # noqa: E402
    AbcBreak,
    AbcCrossing,
    AbcPolicy,
    AccountFacts,
    Criterion,
    GradeLadder,
    Normaliser,
    WeightedScorecard,
    classify_abc,
)
from kamcore.presets import load_preset  # noqa: E402
from test_bulk import (  # noqa: E402
    MODELS,
    ON_THE_DOT,
    PRESET_POLICIES,
    frame_of,
    populations,
)

D = Decimal
LETTERS = load_preset("grading_letters", GradeLadder)
ABC = load_preset("grading_abc", AbcPolicy)
#: Few examples: each one starts several distributed computations.
FEW = settings(max_examples=max(4, settings.default.max_examples // 10))
partitions = st.integers(2, 6)
policies = st.sampled_from(PRESET_POLICIES + ON_THE_DOT)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A two-worker in-process cluster for the module, closed at teardown."""
    # ":0", not None: the scheduler's HTTP server would take port 8787 and fail to start
    # when another cluster (another test run) holds it
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _outcome(call: Any) -> Any:
    try:
        return call()
    except KamError as exc:
        return exc


def _by_id(frame: Any) -> Any:
    return frame.sort_values("account_id", kind="stable").reset_index(drop=True)


def _same(pandas_out: Any, dask_out: Any) -> None:
    """Equal frames, row for row by account id, value for value (no tolerance)."""
    left, right = _by_id(pandas_out), _by_id(dask_out)[list(pandas_out.columns)]
    pd.testing.assert_frame_equal(left, right, check_dtype=False, check_exact=True)


def _in_rank_order(dask_out: Any) -> None:
    assert dask_out["rank"].tolist() == list(range(1, len(dask_out) + 1))


# -- grade_accounts ----------------------------------------------------------------------


@FEW
@given(
    st.sampled_from(MODELS),
    populations(max_size=14, missing=False),
    st.one_of(st.none(), policies, policies),
    st.sampled_from(("sales_revenue", "score")),
    partitions,
)
def test_grade_accounts_on_dask_equals_pandas(
    client: Any,
    model: WeightedScorecard,
    pop: list[AccountFacts],
    abc: AbcPolicy | None,
    measure: str,
    k: int,
) -> None:
    frame = frame_of(pop)
    local = _outcome(lambda: bulk.grade_accounts(frame, model, LETTERS, abc=abc, measure=measure))
    parts = dd.from_pandas(frame, npartitions=k)
    spread = _outcome(
        lambda: bulk.grade_accounts(parts, model, LETTERS, abc=abc, measure=measure).compute()
    )
    if isinstance(local, KamError):
        assert isinstance(spread, KamError), (local, spread)
        assert getattr(spread, "problem", "") == getattr(local, "problem", "")
        event("both refused")
        return
    assert not isinstance(spread, KamError), spread
    event("graded" if abc is None else "graded and classified")
    _same(local, spread)
    if abc is not None:
        _in_rank_order(spread)


@FEW
@given(
    st.sampled_from(
        (
            *MODELS,
            WeightedScorecard(
                (
                    Criterion("sales_revenue", "0.5", Normaliser.percentile(7)),
                    Criterion("profit", "0.3", Normaliser.minmax()),
                    Criterion("unit_price", "0.2", Normaliser.clipped("0.25", "0.75")),
                )
            ),
        )
    ),
    populations(max_size=14),
    partitions,
)
def test_the_fit_on_dask_equals_the_pandas_fit(
    client: Any, model: WeightedScorecard, pop: list[AccountFacts], k: int
) -> None:
    frame = frame_of(pop)
    local = _outcome(lambda: bulk.fit_model(model, frame))
    spread = _outcome(lambda: bulk.fit_model(model, dd.from_pandas(frame, npartitions=k)))
    if isinstance(local, KamError):
        assert isinstance(spread, KamError), (local, spread)
        event("both refused")
        return
    event("fitted")
    assert spread == local
    assert spread == model.fit(pop)


# -- ABC: ties across partitions, breakpoints on partition edges -------------------------


def _class_edges(ranked: Any, sizes: list[int]) -> set[int]:
    """Rank positions where the class changes that are also partition edges."""
    labels = ranked["abc"].tolist()
    changes = {i for i in range(1, len(labels)) if labels[i] != labels[i - 1]}
    edges, at = set(), 0
    for s in sizes[:-1]:
        at += s
        edges.add(at)
    return changes & edges


@st.composite
def tied_measures(draw: st.DrawFn) -> tuple[list[str], list[Decimal]]:
    """Accounts in a shuffled input order whose measures tie in groups, or land on 0.8/0.95.

    ``exact`` builds shares 0.40, 0.60, 0.80, 0.90, 0.95, 1.00 from 40, 20, 20, 10, 5, 5
    (scaled, each split into parts in whole cents), so the running share reaches 80% and 95%
    exactly; ``ties`` draws every measure from three values.
    """
    kind = draw(st.sampled_from(("exact", "ties", "tenths")))
    if kind == "exact":
        scale = draw(st.sampled_from((D("0.01"), D("0.1"), D(1), D(7), D("1000000"))))
        split = draw(st.integers(1, 3))
        values = []
        for base in (40, 20, 20, 10, 5, 5):  # each split in cents, the last part the rest
            cents = int(base * scale * 100)
            part = cents // split
            values += [D(part) / 100] * (split - 1) + [D(cents - part * (split - 1)) / 100]
        values += [D(0)] * draw(st.integers(0, 3))
    elif kind == "ties":
        pool = draw(st.lists(st.sampled_from((D(0), D(1), D(5), D("0.7"))), min_size=3, max_size=3))
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=30))
    else:
        pool = [D(v) for v in ("0.1", "0.2", "0.7", "0.07")]
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=30))
    names = [f"t{i:02d}" for i in range(len(values))]
    order = draw(st.permutations(range(len(values))))
    return [names[i] for i in order], [values[i] for i in order]


def _classify_both(
    names: list[str], values: list[Decimal], policy: AbcPolicy, k: int
) -> tuple[Any, Any, list[int]]:
    frame = pd.DataFrame(
        {"account_id": pd.Series(names, dtype=object), "m": [float(v) for v in values]}
    )
    result = bulk.classify_accounts(dd.from_pandas(frame, npartitions=k), policy, measure="m")
    sizes = [int(s) for s in result.map_partitions(len).compute().tolist()]
    spread = result.compute()
    local = bulk.classify_accounts(frame, policy, measure="m")
    return local, spread, sizes


@FEW
@given(
    tied_measures(),
    st.one_of(
        policies,
        st.sampled_from(PRESET_POLICIES).map(lambda p: attrs.evolve(p, crossing=AbcCrossing.NEXT)),
    ),
    partitions,
)
def test_abc_on_dask_equals_classify_abc_on_any_partitioning(
    client: Any, measured: tuple[list[str], list[Decimal]], policy: AbcPolicy, k: int
) -> None:
    names, values = measured
    local, spread, sizes = _classify_both(names, values, policy, k)
    exact = classify_abc(policy, list(zip(names, values, strict=True)))
    _in_rank_order(spread)
    assert spread["account_id"].tolist() == [a.account_id for a in exact.assignments]
    assert spread["abc"].tolist() == [a.label for a in exact.assignments]
    for share, a in zip(spread["cumulative_share"], exact.assignments, strict=True):
        assert math.isclose(share, float(a.cumulative_share), abs_tol=1e-12)
    _same(local, spread)
    if len([s for s in sizes if s]) > 1:
        event("the ranked frame has several partitions")
    if _class_edges(spread, sizes):
        event("a class ends on a partition edge")


@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.parametrize(
    "policy",
    [
        ABC,
        attrs.evolve(ABC, crossing=AbcCrossing.NEXT),
        AbcPolicy(
            (AbcBreak("A", "0.4"), AbcBreak("B", "0.2"), AbcBreak("C", 1)), reading="group_share"
        ),
    ],
    ids=["joins", "next", "group-40-20"],
)
def test_ties_interleaved_across_input_partitions_rank_by_id(
    client: Any, policy: AbcPolicy, k: int
) -> None:
    # ten accounts: t00..t04 at 10, t05..t09 at 10 too, but written into the input
    # alternately with five zero accounts, so every input partition holds some of the tie
    names = [f"t{i:02d}" for i in range(10)] + [f"z{i}" for i in range(5)]
    values = [D(10)] * 10 + [D(0)] * 5
    order = [9, 10, 0, 8, 11, 1, 7, 12, 2, 6, 13, 3, 5, 14, 4]
    names, values = [names[i] for i in order], [values[i] for i in order]
    _, spread, _ = _classify_both(names, values, policy, k)
    exact = classify_abc(policy, list(zip(names, values, strict=True)))
    assert spread["account_id"].tolist() == [a.account_id for a in exact.assignments]
    assert spread["account_id"].tolist()[:10] == [f"t{i:02d}" for i in range(10)]
    assert spread["abc"].tolist() == [a.label for a in exact.assignments]


# -- order lines -------------------------------------------------------------------------


@st.composite
def order_lines(draw: st.DrawFn) -> Any:
    """Order lines of a few accounts: repeated orders, returns, days around the period."""
    accounts = draw(
        st.lists(st.text("ab中9", min_size=1, max_size=3), min_size=1, max_size=6, unique=True)
    )
    n = draw(st.integers(1, 30))
    cents = st.one_of(
        st.integers(0, 5_000_000),
        st.sampled_from((0, 1, 10, 70, 100_000)),
    )
    returns = st.integers(-50_000, -1)
    rows = [
        (
            draw(st.sampled_from(accounts)),
            f"O{draw(st.integers(0, 6))}",
            draw(st.dates(dt.date(2025, 12, 20), dt.date(2026, 7, 10))),
            draw(returns if draw(st.integers(0, 9)) == 0 else cents),
            draw(st.integers(-1000, 100_000)),
            draw(st.sampled_from((1.0, 2.5, 0.001, 12.0))),
        )
        for _ in range(n)
    ]
    return pd.DataFrame(
        {
            "account_id": pd.Series([r[0] for r in rows], dtype=object),
            "order_id": pd.Series([r[1] for r in rows], dtype=object),
            "order_date": pd.to_datetime([r[2] for r in rows]).astype("datetime64[s]"),
            "sales_revenue": pd.Series([r[3] for r in rows], dtype="int64"),
            "profit": pd.Series([r[4] for r in rows], dtype="int64"),
            "quantity": pd.Series([r[5] for r in rows], dtype="float64"),
        }
    )


LINES_MODEL = load_preset("grading_scorecard_lines", WeightedScorecard)


@FEW
@given(
    order_lines(),
    st.one_of(st.none(), policies),
    st.sampled_from((None, ("2026-01-01", "2026-06-30"))),
    partitions,
)
def test_grade_lines_on_dask_equals_pandas(
    client: Any, lines: Any, abc: AbcPolicy | None, period: Any, k: int
) -> None:
    local = _outcome(lambda: bulk.grade_lines(lines, LINES_MODEL, LETTERS, abc=abc, period=period))
    parts = dd.from_pandas(lines, npartitions=k)
    spread = _outcome(
        lambda: bulk.grade_lines(parts, LINES_MODEL, LETTERS, abc=abc, period=period).compute()
    )
    if isinstance(local, KamError):
        assert isinstance(spread, KamError), (local, spread)
        event(f"both refused: {getattr(local, 'problem', '')}")
        return
    assert not isinstance(spread, KamError), spread
    event("graded" if abc is None else "graded and classified")
    _same(local, spread)
    if abc is not None:
        _in_rank_order(spread)


@FEW
@given(order_lines(), partitions)
def test_aggregate_lines_on_dask_equals_pandas(client: Any, lines: Any, k: int) -> None:
    local = bulk.aggregate_lines(lines, period=("2026-01-01", "2026-06-30"))
    spread = bulk.aggregate_lines(
        dd.from_pandas(lines, npartitions=k), period=("2026-01-01", "2026-06-30")
    ).compute()
    if len(local):
        _same(local, spread)
    else:
        assert len(spread) == 0
    kept = lines[(lines["order_date"] >= "2026-01-01") & (lines["order_date"] <= "2026-06-30")]
    assert sum(spread["lines"].tolist()) == len(kept)
    assert (
        D(repr(float(spread["sales_revenue"].sum()))).quantize(D("0.01"))
        == D(int(kept["sales_revenue"].sum())) / 100
    )


def test_a_refusal_on_a_worker_reaches_the_caller_naming_the_account(client: Any) -> None:
    frame = pd.DataFrame({"account_id": ["a", "b", "c", "d"], "m": [4.0, 3.0, -1.0, 1.0]})
    with pytest.raises(KamError, match="negative measure") as info:
        bulk.classify_accounts(dd.from_pandas(frame, npartitions=2), ABC, measure="m").compute()
    assert getattr(info.value, "field", "") == "c.m"
