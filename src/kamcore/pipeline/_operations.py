"""The operations on an opportunity: each checks its input, builds its event and applies it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kamcore import _validate
from kamcore.errors import TransitionNotAllowed, ValidationError
from kamcore.money import Money
from kamcore.pipeline import _inputs
from kamcore.pipeline._events import (
    ActivityLogged,
    Advanced,
    BuyerStepRecorded,
    Closed,
    EvidenceRecorded,
    Opened,
    Opening,
    Reopened,
    TermsRevised,
)
from kamcore.pipeline._gates import Step
from kamcore.pipeline._opportunity import (
    Opportunity,
    _apply,
    _new_advanced,
    _new_opened,
    _new_opening,
    _start,
)
from kamcore.pipeline._policy import Playbook, _listed


def _strings(**values: object) -> None:
    """Refuse any value that is not a string (names, keys, notes; blank allowed)."""
    for field, value in values.items():
        _validate.text(value, field, required=False)


def _amount(value: object, currency: str | None = None) -> Money:
    """An expected contract amount: non-negative Money (in ``currency``, if given).

    A bare number is refused: an opportunity's amount names its currency.
    """
    if not isinstance(value, Money):
        raise ValidationError(
            field="amount", value=value, expected="a kamcore.money.Money", problem="not money"
        )
    return _validate.money(value, "amount", currency=currency, non_negative=True)


def _when(opp: Opportunity, on: object) -> date:
    day = _validate.day(on)
    last = opp.history[-1].on if opp.history else opp.opened_on
    if day < last:
        raise ValidationError(
            field="on",
            value=day,
            expected=f"{last.isoformat()} or later (history is append-only)",
            problem="earlier than the opportunity's last event",
        )
    return day


def open_opportunity(
    playbook: Playbook,
    *,
    id: str,
    account: str,
    amount: Money,
    owner: str,
    on: date | str,
    by: str = "",
    expected_close: date | str | None = None,
) -> tuple[Opportunity, Opened]:
    """Open a new opportunity in the playbook's initial stage.

    Args:
        playbook: The sales process it follows.
        id: A unique id, such as ``"opp-1"``.
        account: The account id.
        amount: The expected contract amount.
        owner: The responsible salesperson.
        on: The day it is opened.
        by: Who opened it (defaults to ``owner``).
        expected_close: The expected signing date, if known.

    Returns:
        The new opportunity and its ``opened`` event.

    Raises:
        ValidationError: A playbook that is not a :class:`Playbook`, a blank id,
            account or owner, an amount that is not Money, or a date that is not a date.

    Examples:
        >>> from kamcore.pipeline import Playbook, Stage, Outcome
        >>> pb = Playbook(name="tiny", stages=(Stage("lead", initial=True),),
        ...               outcomes=(Outcome("won", won=True),))
        >>> opp, event = open_opportunity(pb, id="opp-1", account="acme",
        ...                               amount=Money("100000"), owner="li", on="2026-03-02")
        >>> opp.stage, event.kind.value, len(opp.history)
        ('lead', 'opened', 1)
    """
    if type(playbook) is not Playbook:
        _inputs.playbook(playbook)
    _amount(amount)
    day = _validate.day(on)
    opening = _new_opening(
        _validate.text(id, "id"),
        _validate.text(account, "account"),
        amount,
        _validate.text(owner, "owner"),
        day,
        None if expected_close is None else _validate.day(expected_close, "expected_close"),
    )
    who = _validate.text(by, "by", required=False) or owner
    stage = playbook.initial.key
    event = _new_opened(opening.id, day, who, "", stage, "", opening)
    return _start(event), event


def _path(playbook: Playbook, start: str, goal: str) -> tuple[str, ...]:
    """The shortest chain of open stages from ``start`` to ``goal`` (breadth first)."""
    previous: dict[str, str] = {start: ""}
    frontier = [start]
    while frontier and goal not in previous:
        following: list[str] = []
        for key in frontier:
            for nxt in playbook.targets(key):
                if playbook.is_stage(nxt) and nxt not in previous:
                    previous[nxt] = key
                    following.append(nxt)
        frontier = following
    chain = [goal]
    while chain[-1] != start:
        chain.append(previous[chain[-1]])
    return tuple(reversed(chain[:-1]))


def import_opportunity(
    playbook: Playbook,
    *,
    id: str,
    account: str,
    amount: Money,
    owner: str,
    on: date | str,
    stage: str,
    stage_entered_on: date | str | None = None,
    expected_close: date | str | None = None,
    closed_on: date | str | None = None,
    by: str = "import",
) -> Opportunity:
    """Bring in an opportunity that already stands in ``stage`` (from an existing CRM).

    The history records the opening and then the shortest chain of allowed moves to
    ``stage``, each marked ``"imported; gates not checked"``: what happened before
    kamcore kept the record is not re-judged, and the history says so. Replay rebuilds
    the same opportunity, and every later move is checked as usual.

    A ``stage`` that is an outcome (``"won"``, ``"lost"`` …) brings in a closed
    opportunity: the moves lead to the latest stage the outcome closes from, and a
    ``closed`` event on ``closed_on`` (default: the entry day) ends the history, also
    marked as imported.

    Args:
        playbook: The sales process it follows.
        id: A unique id.
        account: The account id.
        amount: The expected contract amount.
        owner: The responsible salesperson.
        on: The day it was opened.
        stage: The open stage it stands in now (its key or Chinese label).
        stage_entered_on: The day it entered ``stage`` (default: ``on``).
        expected_close: The expected signing date, if known.
        closed_on: For an outcome ``stage``, the day it closed.
        by: Who imported it.

    Returns:
        The opportunity.

    Raises:
        ValidationError: An unknown ``stage``, a stage the initial stage can't reach,
            an entry or closing day before the opening day, a ``closed_on`` for an
            open stage, or the inputs that :func:`open_opportunity` refuses.

    Examples:
        >>> from kamcore.pipeline import Playbook, Stage, Outcome, Move, replay_opportunity
        >>> pb = Playbook(name="tiny", stages=(Stage("lead", initial=True), Stage("deal")),
        ...               moves=(Move("lead", "deal"),), outcomes=(Outcome("won", won=True),))
        >>> opp = import_opportunity(pb, id="o-9", account="acme", amount=Money("5000"),
        ...                          owner="li", on="2026-01-05", stage="deal",
        ...                          stage_entered_on="2026-02-01")
        >>> opp.stage, str(opp.stage_entered_on), [e.kind.value for e in opp.history]
        ('deal', '2026-02-01', ['opened', 'advanced'])
        >>> replay_opportunity(pb, opp.history) == opp
        True
    """
    opp, _ = open_opportunity(
        playbook,
        id=id,
        account=account,
        amount=amount,
        owner=owner,
        on=on,
        by=by,
        expected_close=expected_close,
    )
    stage = playbook.key(_validate.text(stage, "stage"))
    outcome = playbook.outcome(stage) if playbook.is_outcome(stage) else None
    if outcome is None and not playbook.is_stage(stage):
        keys = _listed((*playbook.ordered_stages(), *playbook.outcomes))
        raise ValidationError(
            field="stage",
            value=stage,
            expected=f"a stage or outcome: {keys}",
            problem="not a stage of the playbook",
        )
    if outcome is None and closed_on is not None:
        raise ValidationError(
            field="closed_on",
            value=str(closed_on),
            expected=f"no closing day for the open stage {stage!r}",
            problem="a closing day for an open opportunity",
        )
    entered = (
        opp.opened_on
        if stage_entered_on is None
        else _validate.day(stage_entered_on, "stage_entered_on")
    )
    _not_before_opening(opp, entered, "stage_entered_on")
    target_stage = stage if outcome is None else _closing_stage(playbook, outcome.from_stages)
    for target in _path(playbook, opp.stage, target_stage):
        moved = _new_advanced(opp.id, entered, by, opp.stage, target, "imported; gates not checked")
        opp = _apply(opp, moved)
    if outcome is not None:
        day = entered if closed_on is None else _validate.day(closed_on, "closed_on")
        _not_before_opening(opp, day, "closed_on")
        closed = Closed(opp.id, day, by, opp.stage, outcome.key, "imported; gates not checked")
        opp = _apply(opp, closed)
    return opp


def _not_before_opening(opp: Opportunity, day: date, field: str) -> None:
    if day < opp.opened_on:
        raise ValidationError(
            field=field,
            value=day.isoformat(),
            expected=f"on or after the opening day {opp.opened_on.isoformat()}",
            problem="before the opportunity was opened",
        )


def _closing_stage(playbook: Playbook, from_stages: tuple[str, ...]) -> str:
    """The latest stage (by order) an outcome may close from; any stage when unlimited."""
    stages = [s.key for s in playbook.ordered_stages()]
    allowed = [s for s in stages if not from_stages or s in from_stages]
    return allowed[-1]


def _must_be_open(opp: Opportunity, problem: str) -> None:
    if opp.closed_on is not None:
        raise ValidationError(
            field="stage",
            value=opp.stage,
            expected="an open opportunity (reopen it first)",
            problem=problem,
        )


def _refuse(opp: Opportunity, target: str, reason: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(subject=opp.id, source=opp.stage, target=target, reason=reason)


def _check_step(playbook: Playbook, opp: Opportunity, target: str) -> None:
    """Refuse the step to ``target`` unless the playbook has it and its gates pass."""
    step = playbook.step(opp.stage, target)
    if step is None or (step.passes is not None and not step.passes(opp)):
        raise _refusal(playbook, opp, target, step)


def _refusal(
    playbook: Playbook, opp: Opportunity, target: str, step: Step | None
) -> TransitionNotAllowed:
    """Why the step to ``target`` is refused: no such step, or the gates that fail.

    The failed gates are worked out when the refusal is read, not when it is raised.
    """
    if step is None:
        allowed = ", ".join(repr(t) for t in playbook.targets(opp.stage)) or "none"
        return _refuse(opp, target, f"the playbook has no such move (allowed: {allowed})")
    return TransitionNotAllowed._deferred(opp.id, opp.stage, target, lambda: step.failures(opp))


def advance(
    playbook: Playbook,
    opp: Opportunity,
    target: str,
    *,
    on: date | str,
    by: str = "",
    reason: str = "",
) -> tuple[Opportunity, Advanced]:
    """Move an open opportunity to another open stage, checking every gate.

    Every gate of the move and of the target stage is checked, and a refusal lists
    every gate that failed, not just the first.

    Args:
        playbook: The sales process.
        opp: The opportunity.
        target: The stage to move to: its key, or its Chinese label (``"招投标"``).
        on: The day of the move (not before the latest event).
        by: Who moved it.
        reason: A note for the history.

    Returns:
        The moved opportunity and its ``advanced`` event.

    Raises:
        TransitionNotAllowed: The opportunity is closed, the playbook has no such move
            or stage (the stages are listed with their labels), or gates failed
            (``failed_gates`` lists them all).
        ValidationError: ``on`` is not a date or is earlier than the latest event, or
            the playbook or the opportunity is not one.
    """
    if type(target) is not str or type(by) is not str or type(reason) is not str:
        _strings(target=target, by=by, reason=reason)
    if type(opp) is not Opportunity or type(playbook) is not Playbook:
        _inputs.subjects(playbook, opp)
    if opp.closed_on is not None:
        raise _refuse(opp, target, "it is closed; reopen it first")
    step = playbook.step(opp.stage, target)
    if step is None and playbook.key(target) != target:  # a Chinese label: 招投标
        target = playbook.key(target)
        step = playbook.step(opp.stage, target)
    if (step is None or step.closes) and not playbook.is_stage(target):
        terminal = playbook.is_terminal(target)
        stages = _listed(playbook.ordered_stages())
        raise _refuse(
            opp,
            target,
            "use close_out() for a terminal outcome"
            if terminal
            else f"no such stage (stages: {stages})",
        )
    day = on if type(on) is date and on >= opp.history[-1].on else _when(opp, on)
    if step is None or (step.passes is not None and not step.passes(opp)):
        raise _refusal(playbook, opp, target, step)
    event = _new_advanced(opp.opening.id, day, by, opp.stage, target, reason)
    return _apply(opp, event), event


def close_out(
    playbook: Playbook,
    opp: Opportunity,
    outcome: str,
    *,
    on: date | str,
    reason: str,
    fatal_factors: Iterable[str] = (),
    by: str = "",
) -> tuple[Opportunity, Closed]:
    """Close an open opportunity with a terminal outcome: won, or closed out (结项).

    Args:
        playbook: The sales process.
        opp: The opportunity.
        outcome: The outcome key (``"won"``, ``"lost"``, ``"no_bid"``, ...) or its
            Chinese label (``"丢标结项"``); the event records the key.
        on: The day it closes.
        reason: Why; mandatory (the close-out summary, 结项报告).
        fatal_factors: The factors that decided it (致命因素); mandatory for outcomes
            with ``requires_fatal_factors``.
        by: Who closed it.

    Returns:
        The closed opportunity and its ``closed`` event.

    Raises:
        TransitionNotAllowed: Already closed, the outcome can't close from this stage,
            or its gates failed.
        ValidationError: A blank reason, missing fatal factors (or not a list of
            them), a bad date, an unknown outcome (the outcomes are listed with their
            labels), or a playbook or opportunity that is not one.
    """
    _strings(outcome=outcome, by=by)
    _inputs.subjects(playbook, opp)
    if opp.closed_on is not None:
        raise _refuse(opp, outcome, f"it is already closed as {opp.stage!r}")
    found = playbook.outcome(outcome)
    outcome = found.key
    why = _validate.text(reason, "reason")
    if isinstance(fatal_factors, str):
        raise ValidationError(
            field="fatal_factors",
            value=fatal_factors,
            expected="a list of factors, such as ['price too high']",
            problem="a single string",
        )
    factors = _validate.texts(fatal_factors, "fatal_factors")
    if found.requires_fatal_factors and not factors:
        raise ValidationError(
            field="fatal_factors",
            value=factors,
            expected=f"at least one fatal factor (致命因素) for {outcome!r}",
            problem="missing",
        )
    day = _when(opp, on)
    _check_step(playbook, opp, outcome)
    event = Closed(opp.id, day, by, opp.stage, outcome, why, factors)
    return _apply(opp, event), event


def reopen(
    playbook: Playbook,
    opp: Opportunity,
    target: str,
    *,
    on: date | str,
    reason: str,
    by: str = "",
) -> tuple[Opportunity, Reopened]:
    """Reopen a closed opportunity into a stage, where a reopen rule allows it.

    Args:
        playbook: The sales process.
        opp: A closed opportunity.
        target: The open stage to re-enter (its key or Chinese label).
        on: The day it is reopened.
        reason: Why; mandatory.
        by: Who reopened it.

    Returns:
        The reopened opportunity and its ``reopened`` event.

    Raises:
        TransitionNotAllowed: It is open, or no reopen rule allows this, or gates failed.
        ValidationError: A blank reason or a bad date.
    """
    _strings(target=target, by=by)
    _inputs.subjects(playbook, opp)
    target = playbook.key(target)
    if opp.closed_on is None:
        raise _refuse(opp, target, "it is open; only closed opportunities can be reopened")
    why = _validate.text(reason, "reason")
    day = _when(opp, on)
    _check_step(playbook, opp, target)
    event = Reopened(opp.id, day, by, opp.stage, target, why)
    return _apply(opp, event), event


def log_activity(
    playbook: Playbook,
    opp: Opportunity,
    activity: str,
    *,
    on: date | str,
    by: str = "",
) -> tuple[Opportunity, ActivityLogged]:
    """Log an activity inside the current stage (a visit, a demo, a new action plan).

    Many sales activities repeat inside a stage; they are part of the history.

    Args:
        playbook: The sales process.
        opp: An open opportunity.
        activity: What was done.
        on: The day.
        by: Who did it.

    Returns:
        The opportunity with the activity in its history, and the event.

    Raises:
        ValidationError: The opportunity is closed, the text is blank, or a bad date.
    """
    _inputs.subjects(playbook, opp)
    _must_be_open(opp, "activities can't be logged on a closed opportunity")
    _strings(by=by)
    text = _validate.text(activity, "activity")
    day = _when(opp, on)
    event = ActivityLogged(opp.id, day, by, opp.stage, opp.stage, text)
    return _apply(opp, event), event


def record_evidence(
    playbook: Playbook,
    opp: Opportunity,
    name: str,
    value: object,
    *,
    on: date | str,
    by: str = "",
) -> tuple[Opportunity, EvidenceRecorded]:
    """Record (or correct) one piece of evidence, typed by the playbook's field.

    Args:
        playbook: The sales process; it declares the field, its type and what it allows.
        opp: The opportunity.
        name: The evidence field.
        value: A ``str``, number, date (or ISO string) or :class:`Money`, as declared,
            within the field's choices or range (:class:`EvidenceField`).
        on: The day.
        by: Who recorded it.

    Returns:
        The opportunity with the new evidence, and the event.

    Raises:
        ValidationError: An unknown field, a value of the wrong type or outside the
            field's choices or range (naming the field and what it allows), or a bad
            date.
    """
    _strings(name=name, by=by)
    _inputs.subjects(playbook, opp)
    fact = playbook.field(name).fact(value)
    day = _when(opp, on)
    event = EvidenceRecorded(opp.id, day, by, opp.stage, opp.stage, fact=fact)
    return _apply(opp, event), event


def record_buyer_step(
    playbook: Playbook,
    opp: Opportunity,
    step: str,
    *,
    on: date | str,
    by: str = "",
) -> tuple[Opportunity, BuyerStepRecorded]:
    """Record the customer's current procurement step beside our stage.

    Args:
        playbook: The sales process; it lists the buyer steps.
        opp: The opportunity.
        step: The buyer step key (``"tender"``) or its Chinese label.
        on: The day.
        by: Who recorded it.

    Returns:
        The opportunity with its buyer step set, and the event.

    Raises:
        ValidationError: An unknown step or a bad date.
    """
    _strings(step=step, by=by)
    _inputs.subjects(playbook, opp)
    step = playbook.buyer_step(step).key
    day = _when(opp, on)
    event = BuyerStepRecorded(opp.id, day, by, opp.buyer_step, step)
    return _apply(opp, event), event


def revise_terms(
    playbook: Playbook,
    opp: Opportunity,
    *,
    on: date | str,
    reason: str,
    amount: Money | None = None,
    expected_close: date | str | None = None,
    owner: str | None = None,
    by: str = "",
) -> tuple[Opportunity, TermsRevised]:
    """Change an open opportunity's amount, expected signing date or owner.

    Forecasts read these terms, so a revised estimate (a new expected contract
    amount from the initiation report, a slipped signing date, a hand-over to another
    salesperson) is recorded as a ``terms`` event with its reason; the terms before
    stay in the history.

    Args:
        playbook: The sales process (kept for a uniform signature).
        opp: An open opportunity.
        on: The day of the change (not before the latest event).
        reason: Why; mandatory.
        amount: The new expected contract amount (``None``: unchanged).
        expected_close: The new expected signing date (``None``: unchanged).
        owner: The new responsible salesperson (``None``: unchanged).
        by: Who changed them.

    Returns:
        The opportunity with its new terms, and the ``terms`` event.

    Raises:
        ValidationError: The opportunity is closed, nothing would change, a blank
            reason or owner, an amount that is not non-negative Money in the
            opportunity's currency, or a bad date.

    Examples:
        >>> from kamcore.pipeline import Playbook, Stage, Outcome
        >>> pb = Playbook(name="tiny", stages=(Stage("lead", initial=True),),
        ...               outcomes=(Outcome("won", won=True),))
        >>> opp, _ = open_opportunity(pb, id="o-1", account="acme",
        ...                           amount=Money("100000"), owner="li", on="2026-03-02")
        >>> opp, event = revise_terms(pb, opp, on="2026-03-09", amount=Money("900000"),
        ...                           expected_close="2026-05-10", reason="initiation report")
        >>> opp.amount, str(opp.expected_close), event.kind.value
        (Money('900000', 'CNY'), '2026-05-10', 'terms')
    """
    _inputs.subjects(playbook, opp)  # terms do not depend on the playbook; it is still checked
    _must_be_open(opp, "the terms of a closed opportunity can't change")
    _strings(by=by)
    why = _validate.text(reason, "reason")
    old = opp.opening
    new_amount = old.amount if amount is None else _amount(amount, old.amount.currency)
    new_close = old.expected_close
    if expected_close is not None:
        new_close = _validate.day(expected_close, "expected_close")
    new_owner = old.owner if owner is None else _validate.text(owner, "owner")
    terms = Opening(old.id, old.account, new_amount, new_owner, old.on, new_close)
    if terms == old:
        raise ValidationError(
            field="terms",
            value=None,
            expected="a new amount, expected signing date or owner",
            problem="nothing would change",
        )
    day = _when(opp, on)
    event = TermsRevised(old.id, day, by, opp.stage, opp.stage, why, opening=terms)
    return _apply(opp, event), event
