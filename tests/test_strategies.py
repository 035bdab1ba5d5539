"""Every public strategy draws valid objects that survive a codec round trip."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcore import codec
from kamcore import strategies as kst
from kamcore.archive import Confidentiality

#: Strategies that take a required argument, with the arguments to draw with.
_WITH_ARGUMENTS = {
    "level_rules": (Confidentiality.SECRET,),
    "pipeline_fact_values": None,  # plain values for a fact kind; covered by pipeline_facts
}


def _strategy(name: str) -> st.SearchStrategy[object]:
    factory = getattr(kst, name)
    args = _WITH_ARGUMENTS.get(name, ())
    assert args is not None
    return factory(*args)  # type: ignore[no-any-return]


_NAMES = sorted(n for n in kst.__all__ if _WITH_ARGUMENTS.get(n, ()) is not None)


def test_every_public_strategy_is_a_documented_function() -> None:
    for name in kst.__all__:
        factory = getattr(kst, name)
        assert callable(factory), name
        assert inspect.getdoc(factory), f"{name} has no docstring"


@pytest.mark.parametrize("name", _NAMES)
def test_every_strategy_round_trips_through_the_codec(name: str) -> None:
    strategy = _strategy(name)

    @settings(max_examples=10, deadline=None)
    @given(strategy)
    def round_trips(value: object) -> None:
        # inputs for operations come as plain containers: a list of facts or revisions,
        # a (kind, amount) pair, a dict of changes; each of their parts round-trips
        if isinstance(value, dict):
            parts = list(value.values())
            assert parts
        elif isinstance(value, list | tuple):
            parts = list(value)
        else:
            parts = [value]
        # a change's new value may itself be a tuple (extras, contacts): its items count
        parts = [p for part in parts for p in (part if isinstance(part, tuple) else (part,))]
        for part in parts:
            data = codec.to_dict(part)
            assert codec.from_dict(type(part), data) == part
            assert codec.from_json(type(part), codec.to_json(part)) == part

    round_trips()
