"""The events of an opportunity's history: one class per kind, on one common base.

Every event is a :class:`PipelineEvent`: the opportunity's id, the day, who did it, the
stage (or buyer step) before and after, and why. Each kind is its own class, and the
classes that carry more say so in their fields, so nothing is optional by kind:
:class:`Opened` and :class:`TermsRevised` carry an :class:`Opening`,
:class:`EvidenceRecorded` its :class:`~kamcore.pipeline.Fact`, :class:`Closed` its fatal
factors. ``event.kind`` names the kind (an :class:`EventKind`, fixed per class); plain
data (:mod:`kamcore.codec`) holds it as ``"kind"`` and is read back by it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar, Final

import attrs

from kamcore.errors import ValidationError
from kamcore.money import Money
from kamcore.pipeline._evidence import Fact


class EventKind(enum.Enum):
    """What a :class:`PipelineEvent` records; each kind is one event class."""

    OPENED = "opened"
    """The opportunity was opened in the initial stage (:class:`Opened`)."""
    ADVANCED = "advanced"
    """It moved to another open stage (:class:`Advanced`)."""
    CLOSED = "closed"
    """It was won or closed out (:class:`Closed`)."""
    REOPENED = "reopened"
    """A closed opportunity re-entered an open stage (:class:`Reopened`)."""
    ACTIVITY = "activity"
    """Work was logged inside the current stage (:class:`ActivityLogged`)."""
    EVIDENCE = "evidence"
    """A piece of evidence was recorded or corrected (:class:`EvidenceRecorded`)."""
    BUYER_STEP = "buyer_step"
    """The customer's procurement step was recorded (:class:`BuyerStepRecorded`)."""
    TERMS = "terms"
    """The amount, the expected signing date or the owner changed (:class:`TermsRevised`)."""


class _BaseNotBuilt(ValidationError, TypeError):
    """``PipelineEvent(...)`` itself: a ValidationError, and the TypeError it always was."""


@attrs.frozen
class Opening:
    """What an opportunity is opened with: who, for whom, how much, when.

    Shared by the ``opened`` event and every later version of the opportunity.

    Args:
        id: The opportunity's id.
        account: The account (大客户) it belongs to.
        amount: The expected contract amount.
        owner: The responsible salesperson.
        on: The day it was opened.
        expected_close: The expected signing date, if known.
    """

    id: str
    account: str
    amount: Money
    owner: str
    on: date
    expected_close: date | None = None


@attrs.frozen
class PipelineEvent:
    """One thing that happened to an opportunity: what, when, by whom, why.

    The base of the event classes, one per :class:`EventKind` (:class:`Opened`,
    :class:`Advanced`, :class:`Closed`, :class:`Reopened`, :class:`ActivityLogged`,
    :class:`EvidenceRecorded`, :class:`BuyerStepRecorded`, :class:`TermsRevised`); it is
    not built itself. The fields below are common to every kind; ``kind`` is fixed by
    the class.

    Args:
        opportunity: The opportunity's id.
        on: The day it happened.
        by: Who did it.
        source: The stage before (the outcome, for a reopen; the previous buyer step,
            for a buyer step).
        target: The stage, outcome or buyer step after (the current stage, for work
            inside a stage).
        reason: Why: a move's note, a close-out or reopen reason, the activity done,
            the reason for new terms.
    """

    kind: ClassVar[EventKind]
    #: The event class of each kind: how plain data is read back by its ``kind``.
    by_kind: ClassVar[Mapping[EventKind, type[PipelineEvent]]]

    opportunity: str
    on: date
    by: str = ""
    source: str = ""
    target: str = ""
    reason: str = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> PipelineEvent:
        """Refuse to build the base itself: each event is of one kind."""
        if cls is PipelineEvent:
            kinds = ", ".join(c.__name__ for c in PipelineEvent.by_kind.values())
            raise _BaseNotBuilt(
                field="kind",
                value="PipelineEvent",
                expected=f"build one of: {kinds}",
                problem="PipelineEvent is the base of the event classes",
            )
        return super().__new__(cls)


@attrs.frozen
class Opened(PipelineEvent):
    """The opportunity was opened: ``target`` is the initial stage.

    Args:
        opening: What it was opened with (id, account, amount, owner, dates).
    """

    kind: ClassVar[EventKind] = EventKind.OPENED
    opening: Opening = attrs.field(kw_only=True)


@attrs.frozen
class Advanced(PipelineEvent):
    """It moved from the open stage ``source`` to the open stage ``target``."""

    kind: ClassVar[EventKind] = EventKind.ADVANCED


@attrs.frozen
class Closed(PipelineEvent):
    """It was closed from stage ``source`` with the outcome ``target``, for ``reason``.

    Args:
        fatal_factors: The factors that decided it (致命因素).
    """

    kind: ClassVar[EventKind] = EventKind.CLOSED
    fatal_factors: tuple[str, ...] = ()


@attrs.frozen
class Reopened(PipelineEvent):
    """It re-entered the open stage ``target`` from the outcome ``source``, for ``reason``."""

    kind: ClassVar[EventKind] = EventKind.REOPENED


@attrs.frozen
class ActivityLogged(PipelineEvent):
    """Work done inside the current stage (``source`` = ``target``); ``reason`` says what."""

    kind: ClassVar[EventKind] = EventKind.ACTIVITY


@attrs.frozen
class EvidenceRecorded(PipelineEvent):
    """A piece of evidence was recorded, or corrected, in the current stage.

    Args:
        fact: The fact recorded (it replaces any earlier fact of the same name).
    """

    kind: ClassVar[EventKind] = EventKind.EVIDENCE
    fact: Fact = attrs.field(kw_only=True)


@attrs.frozen
class BuyerStepRecorded(PipelineEvent):
    """The customer's procurement step changed from ``source`` to ``target``."""

    kind: ClassVar[EventKind] = EventKind.BUYER_STEP


@attrs.frozen
class TermsRevised(PipelineEvent):
    """The amount, the expected signing date or the owner changed, for ``reason``.

    Args:
        opening: The terms from then on (the same id, account and opening day).
    """

    kind: ClassVar[EventKind] = EventKind.TERMS
    opening: Opening = attrs.field(kw_only=True)


_CLASSES: Final = (
    Opened,
    Advanced,
    Closed,
    Reopened,
    ActivityLogged,
    EvidenceRecorded,
    BuyerStepRecorded,
    TermsRevised,
)
PipelineEvent.by_kind = MappingProxyType({c.kind: c for c in _CLASSES})
