"""Strategies for kamcore.grading: facts, normalisers, scorecards, ladders, ABC policies."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import strategies as st

from kamcore.grading import (
    FIGURES,
    AbcBreak,
    AbcCrossing,
    AbcMethod,
    AbcPolicy,
    AbcReading,
    AccountFacts,
    CategoryRule,
    Clause,
    Comparison,
    Condition,
    Criterion,
    Direction,
    GradeBand,
    GradeLadder,
    MissingPolicy,
    Normaliser,
    ThresholdOwner,
    TopsisCriterion,
    TopsisModel,
    ValueCategories,
    WeightedScorecard,
)
from kamcore.money import Rounding

__all__ = [
    "abc_policies",
    "account_facts",
    "conditions",
    "grade_ladders",
    "group_share_policies",
    "normalisers",
    "populations",
    "scorecards",
    "topsis_models",
    "value_categories",
    "weights",
]

_SCORABLE = (*FIGURES, "collection_rate")


def _figures(max_value: int, places: int = 2) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=max_value, places=places)


def account_facts(
    *, account_id: st.SearchStrategy[str] | None = None, missing: bool = True
) -> st.SearchStrategy[AccountFacts]:
    """Valid facts; some figures missing (``None``) when ``missing`` is true.

    ``collected`` may exceed ``invoiced`` (a collection rate above 1, which
    :class:`~kamcore.grading.AccountFacts` flags by default: ``over_collection``).
    """
    ids = (
        account_id
        if account_id is not None
        else st.text("abcdefxyz0123456789", min_size=1, max_size=6)
    )

    def fig(max_value: int, places: int = 2) -> st.SearchStrategy[Decimal | None]:
        base = _figures(max_value, places)
        return st.one_of(st.none(), base) if missing else base

    return st.builds(
        AccountFacts,
        ids,
        contract_volume=fig(20_000_000),
        unit_price=fig(1_000),
        sales_revenue=fig(60_000_000),
        invoiced=st.one_of(st.none(), _figures(1_000_000).map(lambda d: d + 1))
        if missing
        else _figures(1_000_000).map(lambda d: d + 1),
        collected=fig(1_000_000),
        profit=st.one_of(st.none(), st.decimals(-1_000_000, 6_000_000, places=2))
        if missing
        else st.decimals(-1_000_000, 6_000_000, places=2),
        quality_losses=fig(300_000),
        industry_influence=fig(10, 1),
        business_reputation=fig(5, 1),
    )


def populations(
    *, min_size: int = 1, max_size: int = 12, missing: bool = False
) -> st.SearchStrategy[list[AccountFacts]]:
    """Lists of facts with unique account ids."""
    return st.lists(
        account_facts(missing=missing),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda f: f.account_id,
    )


def normalisers() -> st.SearchStrategy[Normaliser]:
    """Linear, min–max, step-table, percentile, quantile-clipped and log normalisers.

    Min–max, percentile and clipped ones come unfitted (a scorecard fits them).
    """
    linear = st.tuples(st.integers(-100, 1000), st.integers(1, 10_000_000)).map(
        lambda t: Normaliser.linear(t[0], t[0] + t[1])
    )
    steps = st.lists(st.integers(0, 1_000_000), min_size=1, max_size=5, unique=True).flatmap(
        lambda ats: st.lists(st.integers(0, 100), min_size=len(ats), max_size=len(ats)).map(
            lambda vs: Normaliser.step_table(
                zip(sorted(ats), (Decimal(v) / 100 for v in sorted(vs)), strict=True)
            )
        )
    )
    fitted_by_population = st.one_of(
        st.integers(1, 200).map(Normaliser.percentile),
        st.tuples(st.integers(0, 49), st.integers(51, 100)).map(
            lambda q: Normaliser.clipped(Decimal(q[0]) / 100, Decimal(q[1]) / 100)
        ),
        st.tuples(st.integers(0, 1000), st.integers(1, 10_000_000)).map(
            lambda t: Normaliser.log(t[0], t[0] + t[1])
        ),
    )
    return st.one_of(linear, st.just(Normaliser.minmax()), steps, fitted_by_population)


def weights(n: int) -> st.SearchStrategy[tuple[Decimal, ...]]:
    """``n`` non-negative weights with 4 places that sum to exactly 1."""
    if n == 1:
        return st.just((Decimal(1),))
    return st.lists(st.integers(0, 10_000), min_size=n - 1, max_size=n - 1, unique=True).map(
        lambda cuts: _split(sorted(cuts), n)
    )


def _split(cuts: list[int], n: int) -> tuple[Decimal, ...]:
    points = [0, *cuts[: n - 1], 10_000]
    return tuple(Decimal(b - a) / 10_000 for a, b in itertools.pairwise(points))


def scorecards(
    *, missing: MissingPolicy | None = None, max_criteria: int = 8
) -> st.SearchStrategy[WeightedScorecard]:
    """Valid scorecards over the standard figures (weights sum to 1), any rounding."""
    figures = st.lists(st.sampled_from(_SCORABLE), min_size=1, max_size=max_criteria, unique=True)
    policies = st.just(missing) if missing is not None else st.sampled_from(MissingPolicy)

    def build(names: list[str]) -> st.SearchStrategy[WeightedScorecard]:
        n = len(names)
        return st.builds(
            lambda ws, norms, dirs, pol, places, rounding: WeightedScorecard(
                tuple(
                    Criterion(name, w, norm, d)
                    for name, w, norm, d in zip(names, ws, norms, dirs, strict=True)
                ),
                places=places,
                missing=pol,
                rounding=rounding,
            ),
            weights(n),
            st.lists(normalisers(), min_size=n, max_size=n),
            st.lists(st.sampled_from(Direction), min_size=n, max_size=n),
            policies,
            st.integers(0, 4),
            st.sampled_from(Rounding),
        )

    return figures.flatmap(build)


def grade_ladders(*, min_grades: int = 1, max_grades: int = 6) -> st.SearchStrategy[GradeLadder]:
    """Valid ladders over 0..100 with ``min_grades``–``max_grades`` grades.

    Thresholds have 2 places; either side may own them (``threshold_owner``).
    """
    return st.builds(
        _ladder,
        st.lists(
            st.integers(1, 9_999), min_size=min_grades - 1, max_size=max_grades - 1, unique=True
        ),
        st.sampled_from(ThresholdOwner),
    )


def _ladder(cuts: list[int], owner: ThresholdOwner) -> GradeLadder:
    cuts = sorted(cuts, reverse=True)
    uppers = [Decimal(100), *(Decimal(c) / 100 for c in cuts)]
    lowers = [*(Decimal(c) / 100 for c in cuts), Decimal(0)]
    return GradeLadder(
        tuple(
            GradeBand(f"G{i}", lo, hi)
            for i, (lo, hi) in enumerate(zip(lowers, uppers, strict=True))
        ),
        threshold_owner=owner,
    )


def abc_policies() -> st.SearchStrategy[AbcPolicy]:
    """Valid ABC policies, by cumulative share or by count, under either crossing rule."""
    return st.builds(
        _abc,
        st.sampled_from(AbcMethod),
        st.lists(st.integers(1, 99), max_size=4, unique=True),
        st.sampled_from(AbcCrossing),
    )


def group_share_policies() -> st.SearchStrategy[AbcPolicy]:
    """Valid ABC policies of the group-share reading: each class its own target share."""
    return st.builds(
        _group_share,
        st.lists(st.integers(1, 33), min_size=1, max_size=3),
        st.sampled_from(AbcCrossing),
    )


def _group_share(targets: list[int], crossing: AbcCrossing) -> AbcPolicy:
    own = [Decimal(t) / 100 for t in targets]
    return AbcPolicy(
        (*(AbcBreak("ABCD"[i], t) for i, t in enumerate(own)), AbcBreak("ABCDE"[len(own)], 1)),
        crossing=crossing,
        reading=AbcReading.GROUP_SHARE,
    )


def _abc(method: AbcMethod, cuts: list[int], crossing: AbcCrossing) -> AbcPolicy:
    uppers = [*(Decimal(c) / 100 for c in sorted(cuts)), Decimal(1)]
    return AbcPolicy(
        tuple(AbcBreak("ABCDE"[i], u) for i, u in enumerate(uppers)),
        method=method,
        crossing=crossing,
    )


def topsis_models() -> st.SearchStrategy[TopsisModel]:
    """Valid, unfitted TOPSIS models over the standard figures."""
    names = st.lists(st.sampled_from(_SCORABLE), min_size=1, max_size=6, unique=True)
    return names.flatmap(
        lambda ns: st.builds(
            lambda ws, ds: TopsisModel(
                tuple(TopsisCriterion(n, w, d) for n, w, d in zip(ns, ws, ds, strict=True))
            ),
            weights(len(ns)),
            st.lists(st.sampled_from(Direction), min_size=len(ns), max_size=len(ns)),
        )
    )


def conditions() -> st.SearchStrategy[Condition]:
    """Conditions on the standard figures."""
    return st.builds(
        Condition,
        st.sampled_from(_SCORABLE),
        st.sampled_from(Comparison),
        st.decimals(-1000, 10_000_000, places=2),
    )


def value_categories() -> st.SearchStrategy[ValueCategories]:
    """Valid category rule sets (clauses, named accounts, or both)."""
    rule = st.builds(
        CategoryRule,
        st.text("abcdefgh", min_size=1, max_size=6),
        st.lists(
            st.builds(Clause, st.lists(conditions(), min_size=1, max_size=3).map(tuple)),
            min_size=1,
            max_size=3,
        ).map(tuple),
        st.lists(st.text("xyz", min_size=1, max_size=3), max_size=3).map(tuple),
    )
    return st.lists(rule, min_size=1, max_size=4, unique_by=lambda r: r.category).map(
        lambda rules: ValueCategories(tuple(rules))
    )
