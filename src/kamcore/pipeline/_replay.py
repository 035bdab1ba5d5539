"""Replay: an opportunity rebuilt from its history, every event checked as it is applied."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

import attrs

from kamcore import _validate
from kamcore.errors import ValidationError
from kamcore.pipeline import _inputs
from kamcore.pipeline._events import (
    ActivityLogged,
    BuyerStepRecorded,
    Closed,
    EvidenceRecorded,
    Opened,
    Opening,
    PipelineEvent,
    Reopened,
    TermsRevised,
)
from kamcore.pipeline._evidence import Fact
from kamcore.pipeline._operations import _amount
from kamcore.pipeline._opportunity import Opportunity, _apply, _start
from kamcore.pipeline._policy import Playbook

_NEEDS_OPEN: Final = "an 'opened' event first"
_KNOWN: Final = tuple(PipelineEvent.by_kind.values())


def _impossible(  # noqa: PLR0911 - one answer per way an event can't fit
    playbook: Playbook, opp: Opportunity, event: PipelineEvent, last: date
) -> str | None:
    """Why ``event`` could not have followed ``opp``, last changed on ``last``.

    ``None``: it could have.
    """
    if event.on < last:
        return f"a day on or after {last.isoformat()} (history is append-only)"
    if isinstance(event, EvidenceRecorded):
        return _bad_fact(playbook, event.fact)
    if isinstance(event, BuyerStepRecorded):
        known = any(b.key == event.target for b in playbook.buyer_steps)
        return None if known else "a buyer step of the playbook"
    if isinstance(event, Reopened):
        if opp.closed_on is None:
            return "a closed opportunity to reopen"
    elif opp.closed_on is not None:
        return f"an open opportunity ({opp.id} was closed as {opp.stage!r})"
    if isinstance(event, TermsRevised):
        return _bad_terms(opp, event)
    if isinstance(event, ActivityLogged):
        return None
    if event.source != opp.stage:
        return f"a step from the current stage {opp.stage!r}"
    if not playbook.can_move(opp.stage, event.target):
        return "a step the playbook allows"
    lands_closed = playbook.is_terminal(event.target)
    if lands_closed != isinstance(event, Closed):
        return "a close into an outcome, or a move into a stage"
    return None


def _bad_fact(playbook: Playbook, fact: object) -> str | None:
    """Why an evidence event could not have been recorded (what record_evidence checks)."""
    if not isinstance(fact, Fact):
        return "an event carrying its fact"
    if not any(f.name == fact.name for f in playbook.fields):
        return f"evidence of a field the playbook declares (not {fact.name!r})"
    field = playbook.field(fact.name)
    try:
        checked = field.fact(fact.value)
    except ValidationError as exc:
        return f"evidence record_evidence accepts ({exc.field}: {exc.problem}; {exc.expected})"
    if checked != fact:
        return f"evidence record_evidence accepts ({fact.name}: {field.allowed})"
    return None


def _bad_terms(opp: Opportunity, event: TermsRevised) -> str | None:
    """Why a ``terms`` event could not have followed ``opp`` (what revise_terms checks)."""
    terms = event.opening
    if (
        not isinstance(terms, Opening)
        or (terms.id, terms.account, terms.on) != (opp.id, opp.account, opp.opened_on)
        or event.source != opp.stage
        or event.target != opp.stage
    ):
        return "new terms of the same opportunity, in its current stage"
    try:
        _amount(terms.amount, opp.amount.currency)
        _validate.text(terms.owner, "owner")
        if terms.expected_close is not None:
            _validate.day(terms.expected_close, "expected_close")
    except ValidationError as exc:
        return f"terms revise_terms accepts ({exc.field}: {exc.problem})"
    if terms == opp.opening:
        return "terms revise_terms accepts (terms: nothing would change)"
    if type(event.reason) is not str or not event.reason.strip():
        return "terms revise_terms accepts (reason: blank)"
    return None


def _refuse_kind(where: str, event: object) -> None:
    """Refuse what is not an event of one of the pipeline's own event classes."""
    if type(event) not in _KNOWN:
        raise ValidationError(
            field=where,
            value=type(event).__name__,
            expected=f"an event of kamcore.pipeline: {', '.join(c.__name__ for c in _KNOWN)}",
            problem="not a pipeline event",
        )


def replay_opportunity(playbook: Playbook, events: Iterable[PipelineEvent]) -> Opportunity:
    """Rebuild an opportunity from its history of events.

    Args:
        playbook: The sales process the events followed.
        events: The events, oldest first, starting with ``opened``.

    Returns:
        The opportunity; equal to the one the events were produced with.

    Raises:
        ValidationError: No events, the first is not ``opened``, events of another
            opportunity are mixed in, or an event that could not have happened: out
            of date order, a step the playbook does not allow or from another stage,
            a move into an outcome or a close into a stage, anything but a reopen (or
            evidence) on a closed opportunity, a reopen of an open one.
    """
    playbook = _inputs.playbook(playbook)
    opp: Opportunity | None = None
    history = _validate.sequence(events, "events", expected="a list of pipeline events")
    for i, event in enumerate(history):
        where = f"events[{i}]"
        _refuse_kind(where, event)
        if opp is None:
            if not isinstance(event, Opened):
                raise ValidationError(field=where, value=event.kind.value, expected=_NEEDS_OPEN)
            opp = _start(event, ())
            continue
        if event.opportunity != opp.id or isinstance(event, Opened):
            raise ValidationError(
                field=where,
                value=event.opportunity,
                expected=f"a later event of {opp.id!r}",
                problem="does not belong to this history",
            )
        problem = _impossible(playbook, opp, event, history[i - 1].on)
        if problem is not None:
            raise ValidationError(
                field=where,
                value=f"{event.kind.value} {opp.stage} -> {event.target}".rstrip(" ->"),
                expected=problem,
                problem="could not have happened",
            )
        opp = _apply(opp, event, ())
    if opp is None:
        raise ValidationError(field="events", value=(), expected=_NEEDS_OPEN, problem="empty")
    return attrs.evolve(opp, history=history)
