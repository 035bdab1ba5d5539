from __future__ import annotations

from datetime import date

import pytest

from kamcore.errors import TransitionNotAllowed, ValidationError
from kamcore.money import Money
from kamcore.pipeline import Playbook, advance, import_opportunity, replay_opportunity
from kamcore.presets import load_preset


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_preset("pipeline_project_sales", Playbook)


def _import(pb: Playbook, **overrides: object) -> object:
    args: dict[str, object] = {
        "id": "O-1",
        "account": "A0001",
        "amount": Money("500000"),
        "owner": "S01",
        "on": "2026-03-01",
        "stage": "bidding",
        "stage_entered_on": "2026-05-10",
    }
    args.update(overrides)
    return import_opportunity(pb, **args)  # type: ignore[arg-type]


def test_an_imported_opportunity_stands_in_its_stage_and_replays(playbook: Playbook) -> None:
    opp = _import(playbook)
    assert opp.stage == "bidding"  # type: ignore[attr-defined]
    assert opp.stage_entered_on == date(2026, 5, 10)  # type: ignore[attr-defined]
    history = opp.history  # type: ignore[attr-defined]
    assert [e.target for e in history] == ["development", "initiation", "proposal", "bidding"]
    assert all(e.reason == "imported; gates not checked" for e in history[1:])
    assert replay_opportunity(playbook, history) == opp


def test_an_import_into_the_initial_stage_is_just_an_opening(playbook: Playbook) -> None:
    opp = _import(playbook, stage="development", stage_entered_on=None)
    assert len(opp.history) == 1  # type: ignore[attr-defined]


def test_moves_after_an_import_are_checked_as_usual(playbook: Playbook) -> None:
    opp = _import(playbook, stage="development", stage_entered_on=None)
    with pytest.raises(TransitionNotAllowed, match="initiation report"):
        advance(playbook, opp, "initiation", on="2026-06-01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcome", "closed_from"),
    [("won", "implementation"), ("lost", "bidding"), ("withdrawn", "implementation")],
)
def test_an_import_as_an_outcome_is_a_closed_opportunity_that_replays(
    playbook: Playbook, outcome: str, closed_from: str
) -> None:
    from kamcore.pipeline import EventKind, ForecastCategory, forecast

    opp = _import(playbook, stage=outcome, closed_on="2026-06-01")
    history = opp.history  # type: ignore[attr-defined]
    assert opp.stage == outcome  # type: ignore[attr-defined]
    assert opp.closed_on == date(2026, 6, 1)  # type: ignore[attr-defined]
    assert history[-1].kind is EventKind.CLOSED
    assert history[-1].source == closed_from
    assert history[-1].reason == "imported; gates not checked"
    assert replay_opportunity(playbook, history) == opp
    result = forecast(playbook, [opp])  # type: ignore[list-item]
    won = outcome == "won"
    assert result.row(ForecastCategory.CLOSED).count == (1 if won else 0)
    assert result.omitted_count == (0 if won else 1)


def test_an_imported_outcome_closes_on_its_entry_day_by_default(playbook: Playbook) -> None:
    opp = _import(playbook, stage="lost")
    assert opp.closed_on == date(2026, 5, 10)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"stage": "negotiation"}, "stage"),
        ({"closed_on": "2026-06-01"}, "closed_on"),
        ({"stage": "won", "closed_on": "2026-02-01"}, "closed_on"),
        ({"stage_entered_on": "2026-02-01"}, "stage_entered_on"),
        ({"amount": "500000"}, "amount"),
    ],
)
def test_bad_imports_are_refused(
    playbook: Playbook, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        _import(playbook, **overrides)
    assert info.value.field == field
