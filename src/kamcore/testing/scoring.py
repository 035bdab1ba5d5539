"""``ScoringModelContract``: the promises every scoring model keeps.

Subclass it in your own tests (the class name must start with ``Test`` for pytest to
collect it) and provide a ``model`` fixture; override ``population`` when your model
reads figures the default sample does not have (extras)::

    import pytest
    from kamcore.testing.scoring import ScoringModelContract

    class TestMyModel(ScoringModelContract):
        @pytest.fixture
        def model(self):
            return MyModel()

The contract checks that the model follows :class:`kamcore.grading.ScoringModel`;
that fitting returns a model and ignores the order of the population (any
permutation hypothesis draws); that every
score names its account and model, has one entry per criterion, lies within
``[0, scale]``, and has contributions adding up exactly to its total; that scoring is
deterministic; and that the total never falls when a higher-is-better figure rises
(nor rises when a lower-is-better one does).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore.grading import AccountFacts, Direction, ScoringModel

__all__ = ["ScoringModelContract", "sample_population"]

_LINKED: Final = frozenset({"collected", "invoiced", "collection_rate"})


def sample_population() -> list[AccountFacts]:
    """Twelve accounts with every standard figure, spread over plausible ranges."""
    return [
        AccountFacts(
            f"acct-{i:02}",
            contract_volume=750_000 * i + 100_000,
            unit_price=Decimal(8) + Decimal(i) / 2,
            sales_revenue=3_500_000 * ((i * 7) % 12) + 50_000,
            invoiced=1_000_000 + 10_000 * i,
            collected=500_000 + 41_000 * ((i * 5) % 12),
            profit=400_000 * ((i * 5) % 12) - 300_000,
            quality_losses=((i * 3) % 12) * 18_000,
            industry_influence=Decimal((i * 11) % 11),
            business_reputation=Decimal(i % 6),
        )
        for i in range(12)
    ]


class ScoringModelContract:
    """Contract tests for a :class:`~kamcore.grading.ScoringModel`; subclass and set ``model``."""

    @pytest.fixture
    def model(self) -> ScoringModel:
        """The model under test; override in the subclass."""
        raise NotImplementedError

    @pytest.fixture
    def population(self) -> list[AccountFacts]:
        """The accounts the model is fitted to and scored on; override to change them."""
        return sample_population()

    def test_model_follows_the_protocol(self, model: ScoringModel) -> None:
        """The model has ``name``, ``scale``, ``directions``, ``fit`` and ``score``."""
        assert isinstance(model, ScoringModel)
        assert isinstance(model.name, str)
        assert model.name
        assert model.scale > 0
        assert all(isinstance(d, Direction) for _, d in model.directions)

    def test_fit_returns_a_scoring_model(
        self, model: ScoringModel, population: list[AccountFacts]
    ) -> None:
        """Fitting gives a model that follows the protocol too."""
        assert isinstance(model.fit(population), ScoringModel)

    def test_every_score_is_complete_and_adds_up(
        self, model: ScoringModel, population: list[AccountFacts]
    ) -> None:
        """Each score names its account, lies in [0, scale] and its parts add up."""
        fitted = model.fit(population)
        for facts in population:
            s = fitted.score(facts)
            assert s.account_id == facts.account_id
            assert s.model == fitted.name
            assert Decimal(0) <= s.total <= fitted.scale
            n = len(s.names)
            assert n > 0
            assert len(s.raw) == len(s.normalised) == len(s.weights) == n
            assert sum(s.contributions, Decimal(0)) == s.total

    def test_scoring_is_deterministic(
        self, model: ScoringModel, population: list[AccountFacts]
    ) -> None:
        """The same facts always get the same score."""
        fitted = model.fit(population)
        assert [fitted.score(f) for f in population] == [fitted.score(f) for f in population]

    def test_fit_ignores_the_order_of_the_population(
        self, model: ScoringModel, population: list[AccountFacts]
    ) -> None:
        """Fitting to any permutation of the population scores every account the same.

        The permutations are drawn by hypothesis (under the active settings profile),
        inside the test so that every subclass runs its own search.
        """
        as_given = model.fit(population)
        expected = [as_given.score(f) for f in population]

        @given(st.permutations(population))
        def fitting_to(shuffled: list[AccountFacts]) -> None:
            permuted = model.fit(shuffled)
            assert [permuted.score(f) for f in population] == expected

        fitting_to()

    def test_score_moves_with_the_direction_of_every_figure(
        self, model: ScoringModel, population: list[AccountFacts]
    ) -> None:
        """More of a higher-is-better figure never lowers the total (and vice versa)."""
        fitted = model.fit(population)
        figures = {f for f, _ in fitted.directions}
        entangled = len(figures & _LINKED) > 1
        for figure, direction in fitted.directions:
            if entangled and figure in _LINKED:
                continue  # one change would move two criteria at once
            field = "collected" if figure == "collection_rate" else figure
            values = [v for f in population if (v := f.figure(field)) is not None]
            step = (max(values) - min(values)) / 4 if values else Decimal(1)
            step = step or Decimal(1)
            for facts in population:
                now = facts.figure(field)
                if now is None:
                    continue
                before = fitted.score(facts).total
                after = fitted.score(facts.with_figure(field, now + step)).total
                if direction is Direction.HIGHER:
                    assert after >= before, f"{figure} rose but the score fell"
                else:
                    assert after <= before, f"{figure} rose but the score rose"
