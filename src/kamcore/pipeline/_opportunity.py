"""An opportunity and the one function that changes it: applying an event.

Every operation (:mod:`kamcore.pipeline._operations`) checks its input, builds its event
and hands it to :func:`_apply`; :func:`~kamcore.pipeline.replay_opportunity` hands it
each event of a history in turn. So the current state is always the replay of its
history (eventsourcing's ``trigger_event`` → ``mutate`` shape).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

import attrs

from kamcore._fastnew import maker
from kamcore.money import Money
from kamcore.pipeline._events import (
    ActivityLogged,
    Advanced,
    BuyerStepRecorded,
    Closed,
    EvidenceRecorded,
    Opened,
    Opening,
    PipelineEvent,
    Reopened,
    TermsRevised,
)
from kamcore.pipeline._evidence import EMPTY_EVIDENCE, Evidence


@attrs.frozen
class Opportunity:
    """A sales opportunity (销售机会) on its way through a playbook; immutable.

    Build one with :func:`~kamcore.pipeline.open_opportunity` and change it only with
    the operations of :mod:`kamcore.pipeline`, each of which returns a new opportunity
    and the event it appended to ``history``. ``replay_opportunity(playbook,
    opp.history) == opp`` always holds. ``id``, ``account``, ``amount``, ``owner``,
    ``opened_on`` and ``expected_close`` read through to :attr:`opening`.

    Args:
        opening: What it was opened with (id, account, amount, owner, dates).
        stage: The current open stage, or the terminal outcome once closed.
        stage_entered_on: The day it entered its current stage (or was closed).
        closed_on: The day it was closed; ``None`` while it is open.
        evidence: What is known about it (the initiation report, the margin, ...).
        buyer_step: The customer's current procurement step (``""``: not recorded).
        history: Every event, oldest first; append-only.
    """

    opening: Opening
    stage: str
    stage_entered_on: date
    closed_on: date | None = None
    evidence: Evidence = EMPTY_EVIDENCE
    buyer_step: str = ""
    history: tuple[PipelineEvent, ...] = ()

    @property
    def id(self) -> str:
        """The opportunity's id."""
        return self.opening.id

    @property
    def account(self) -> str:
        """The account it belongs to."""
        return self.opening.account

    @property
    def amount(self) -> Money:
        """The expected contract amount."""
        return self.opening.amount

    @property
    def owner(self) -> str:
        """The responsible salesperson."""
        return self.opening.owner

    @property
    def opened_on(self) -> date:
        """The day it was opened."""
        return self.opening.on

    @property
    def expected_close(self) -> date | None:
        """The expected signing date, if known."""
        return self.opening.expected_close

    @property
    def is_closed(self) -> bool:
        """Whether the opportunity has reached a terminal outcome."""
        return self.closed_on is not None

    @property
    def last_event_on(self) -> date:
        """The day of the latest event (the opening day if there is none)."""
        return self.history[-1].on if self.history else self.opening.on


# Constructors for the hot paths (advance, open): the values are checked before they
# are built, so the frozen classes' own __init__ has nothing left to do.
_new_opening = maker(Opening)
_new_opened = maker(Opened)
_new_advanced = maker(Advanced)
_new_opportunity = maker(Opportunity)

_History = tuple[PipelineEvent, ...]


def _start(event: Opened, history: _History | None = None) -> Opportunity:
    """The opportunity an :class:`Opened` event starts (``history``: just that event)."""
    return _new_opportunity(
        event.opening,
        event.target,
        event.on,
        None,
        EMPTY_EVIDENCE,
        "",
        (event,) if history is None else history,
    )


def _moved(opp: Opportunity, event: PipelineEvent, history: _History) -> Opportunity:
    """Into the stage ``event.target`` on ``event.on``: a move, or a reopen."""
    return _new_opportunity(
        opp.opening, event.target, event.on, None, opp.evidence, opp.buyer_step, history
    )


def _closed(opp: Opportunity, event: Closed, history: _History) -> Opportunity:
    return _new_opportunity(
        opp.opening, event.target, event.on, event.on, opp.evidence, opp.buyer_step, history
    )


def _successor(
    opp: Opportunity,
    history: _History,
    opening: Opening | None = None,
    evidence: Evidence | None = None,
    buyer_step: str | None = None,
) -> Opportunity:
    """``opp`` in the same stage, with ``history`` and the parts given changed."""
    return _new_opportunity(
        opp.opening if opening is None else opening,
        opp.stage,
        opp.stage_entered_on,
        opp.closed_on,
        opp.evidence if evidence is None else evidence,
        opp.buyer_step if buyer_step is None else buyer_step,
        history,
    )


def _logged(opp: Opportunity, event: ActivityLogged, history: _History) -> Opportunity:
    return _successor(opp, history)


def _recorded(opp: Opportunity, event: EvidenceRecorded, history: _History) -> Opportunity:
    return _successor(opp, history, evidence=opp.evidence.with_fact(event.fact))


def _stepped(opp: Opportunity, event: BuyerStepRecorded, history: _History) -> Opportunity:
    return _successor(opp, history, buyer_step=event.target)


def _revised(opp: Opportunity, event: TermsRevised, history: _History) -> Opportunity:
    return _successor(opp, history, opening=event.opening)


#: How each class of event changes an opportunity (an ``Opened`` one starts it: ``_start``).
_MUTATE: Final[dict[type[PipelineEvent], Callable[[Opportunity, Any, _History], Opportunity]]] = {
    Advanced: _moved,
    Closed: _closed,
    Reopened: _moved,
    ActivityLogged: _logged,
    EvidenceRecorded: _recorded,
    BuyerStepRecorded: _stepped,
    TermsRevised: _revised,
}


def _apply(opp: Opportunity, event: PipelineEvent, history: _History | None = None) -> Opportunity:
    """Apply ``event`` to ``opp`` and return the new opportunity: the one way it changes.

    Every operation checks its input, builds its event and hands it here; replay hands
    it each event of a history in turn. Nothing is checked here (the operations and
    :func:`~kamcore.pipeline.replay_opportunity` did that). An :class:`Opened` event
    starts an opportunity instead (:func:`_start`). ``history`` overrides the appended
    history (replay sets the whole history once).
    """
    if history is None:
        history = (*opp.history, event)
    return _MUTATE[type(event)](opp, event, history)
