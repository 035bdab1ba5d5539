"""Random moves against the pipeline presets and generated playbooks keep every promise.

Each machine drives one opportunity with random steps; a refused step must leave it
exactly as it was, a step the playbook lacks is always refused, an accepted move passed
every gate, and replaying the history always gives the current state.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kamcore import codec
from kamcore.errors import KamError, TransitionNotAllowed
from kamcore.money import Money
from kamcore.pipeline import (
    FactKind,
    Opportunity,
    Playbook,
    advance,
    close_out,
    log_activity,
    open_opportunity,
    record_evidence,
    reopen,
    replay_opportunity,
)
from kamcore.presets import load_preset
from kamcore.strategies import pipeline_fact_values, playbooks

MARGINS = st.sampled_from([Decimal("0.05"), Decimal("0.15"), Decimal("0.3")])


def machine_for(preset: str) -> type[RuleBasedStateMachine]:
    """The state machine test for one playbook preset."""
    PLAYBOOK = load_preset(preset, Playbook)
    STAGES = tuple(s.key for s in PLAYBOOK.stages)
    OUTCOMES = tuple(o.key for o in PLAYBOOK.outcomes)
    FIELDS = tuple(f.name for f in PLAYBOOK.fields)

    class OpportunityMachine(RuleBasedStateMachine):
        """Drives one opportunity with random advance/close/reopen/log/evidence steps."""

        def __init__(self) -> None:
            super().__init__()
            self.day = date(2026, 1, 5)
            self.opp: Opportunity
            self.opp, _ = open_opportunity(
                PLAYBOOK,
                id="opp-1",
                account="acme",
                amount=Money("800000"),
                owner="li",
                on=self.day,
            )
            self.refusals = 0

        def attempt(self, operation: object, *args: object, **kwargs: object) -> bool:
            """Run an operation; a refusal must leave the opportunity exactly as it was."""
            before = self.opp
            snapshot = codec.to_dict(before)  # a value copy: a refusal must not change a thing
            try:
                self.opp, event = operation(PLAYBOOK, before, *args, on=self.day, **kwargs)  # type: ignore[operator]
            except KamError:
                assert codec.to_dict(self.opp) == codec.to_dict(before) == snapshot
                self.refusals += 1
                return False
            assert self.opp.history[:-1] == before.history
            assert self.opp.history[-1] == event
            return True

        @rule(days=st.integers(0, 20))
        def time_passes(self, days: int) -> None:
            self.day += timedelta(days=days)

        @rule(goal=st.sampled_from(STAGES + OUTCOMES))
        def try_to_advance(self, goal: str) -> None:
            was_closed = self.opp.is_closed
            moved = self.attempt(advance, goal)
            if was_closed or goal in OUTCOMES:
                assert not moved
            if moved:
                assert self.opp.stage == goal

        @precondition(lambda self: PLAYBOOK.targets(self.opp.stage) != ())
        @rule(data=st.data())
        def try_an_allowed_step(self, data: st.DataObject) -> None:
            goals = PLAYBOOK.targets(self.opp.stage)
            goal = data.draw(st.sampled_from(goals))
            if self.opp.is_closed:
                self.attempt(reopen, goal, reason="customer came back")
            elif PLAYBOOK.is_terminal(goal):
                self.attempt(close_out, goal, reason="summary", fatal_factors=("price",))
            else:
                self.attempt(advance, goal)

        @rule(outcome=st.sampled_from(OUTCOMES), factors=st.sampled_from([(), ("price",)]))
        def try_to_close(self, outcome: str, factors: tuple[str, ...]) -> None:
            was_closed = self.opp.is_closed
            closed = self.attempt(close_out, outcome, reason="summary", fatal_factors=factors)
            if was_closed:
                assert not closed
            if closed:
                assert self.opp.stage == outcome
                assert self.opp.closed_on == self.day

        @rule(goal=st.sampled_from(STAGES))
        def try_to_reopen(self, goal: str) -> None:
            source = self.opp.stage
            allowed = any(r.outcome == source and r.target == goal for r in PLAYBOOK.reopen)
            reopened = self.attempt(reopen, goal, reason="customer came back")
            if reopened:
                assert allowed
                assert not self.opp.is_closed

        @rule(text=st.sampled_from(["visit", "demo", "action plan"]))
        def log(self, text: str) -> None:
            was_closed = self.opp.is_closed
            logged = self.attempt(log_activity, text)
            assert logged != was_closed

        @rule(name=st.sampled_from(FIELDS), data=st.data())
        def record(self, name: str, data: st.DataObject) -> None:
            kind = PLAYBOOK.field(name).kind
            value = data.draw(
                MARGINS
                if name == "estimated_margin"
                else pipeline_fact_values(PLAYBOOK.field(name))
            )
            assert self.attempt(record_evidence, name, value)
            if kind is FactKind.NUMBER:
                assert self.opp.evidence[name] == value

        @precondition(lambda self: not self.opp.is_closed)
        @rule()
        def fill_every_field(self) -> None:
            for f in PLAYBOOK.fields:
                if f.name in self.opp.evidence:
                    continue
                value = Decimal("0.2") if f.kind is FactKind.NUMBER else None
                if value is None:
                    text = f.choices[0] if f.choices else "x"
                    value = {"text": text, "date": self.day, "money": Money("1")}[f.kind.value]
                assert self.attempt(record_evidence, f.name, value)

        @invariant()
        def is_always_in_a_defined_stage(self) -> None:
            assert PLAYBOOK.is_stage(self.opp.stage) or PLAYBOOK.is_terminal(self.opp.stage)
            assert self.opp.is_closed == PLAYBOOK.is_terminal(self.opp.stage)

        @invariant()
        def replaying_the_history_gives_the_current_state(self) -> None:
            assert replay_opportunity(PLAYBOOK, self.opp.history) == self.opp

        @invariant()
        def a_closed_opportunity_refuses_every_move(self) -> None:
            if self.opp.is_closed:
                for target in STAGES:
                    if not PLAYBOOK.can_move(self.opp.stage, target):
                        try:
                            reopen(PLAYBOOK, self.opp, target, on=self.day, reason="x")
                        except TransitionNotAllowed:
                            continue
                        raise AssertionError(f"reopened to {target} without a rule")

    OpportunityMachine.__name__ = f"OpportunityMachine[{preset}]"
    return OpportunityMachine


ProjectSales = machine_for("pipeline_project_sales")
ProjectSales.TestCase.settings = settings(stateful_step_count=30)
TestProjectSalesMachine = ProjectSales.TestCase

AccountDevelopment = machine_for("pipeline_account_development")
AccountDevelopment.TestCase.settings = settings(stateful_step_count=30)
TestAccountDevelopmentMachine = AccountDevelopment.TestCase


class GeneratedPlaybookMachine(RuleBasedStateMachine):
    """Drives one opportunity through a generated playbook (custom gates included)."""

    playbook: Playbook
    opp: Opportunity

    @initialize(pb=playbooks(max_stages=4, custom=True))
    def open(self, pb: Playbook) -> None:
        self.playbook = pb
        self.day = date(2026, 1, 5)
        self.opp, _ = open_opportunity(
            pb, id="opp-1", account="acme", amount=Money("800000"), owner="li", on=self.day
        )

    def attempt(self, operation: object, *args: object, **kwargs: object) -> bool:
        """Run an operation; a refusal must leave the opportunity exactly as it was."""
        before = self.opp
        try:
            self.opp, event = operation(self.playbook, before, *args, on=self.day, **kwargs)  # type: ignore[operator]
        except KamError:
            assert self.opp is before
            return False
        assert self.opp.history == (*before.history, event)
        return True

    @rule(days=st.integers(0, 20))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(data=st.data())
    def try_a_step(self, data: st.DataObject) -> None:
        pb = self.playbook
        keys = [s.key for s in pb.stages] + [o.key for o in pb.outcomes]
        goal = data.draw(st.sampled_from(keys))
        before = self.opp
        step = pb.step(before.stage, goal)
        if before.is_closed:
            done = self.attempt(reopen, goal, reason="customer came back")
        elif pb.is_terminal(goal):
            done = self.attempt(close_out, goal, reason="summary", fatal_factors=("price",))
        else:
            done = self.attempt(advance, goal)
        if step is None:
            assert not done  # a step the playbook lacks is always refused
        elif done:
            assert step.failures(before) == []  # and an accepted one passed every gate
            assert self.opp.stage == goal
            assert self.opp.is_closed == pb.is_terminal(goal)
        else:
            assert step.failures(before)  # a refused step names the gates that failed

    @precondition(lambda self: bool(self.playbook.fields))
    @rule(data=st.data())
    def record(self, data: st.DataObject) -> None:
        field = data.draw(st.sampled_from(self.playbook.fields))
        value = data.draw(pipeline_fact_values(field))
        assert self.attempt(record_evidence, field.name, value)

    @rule()
    def log(self) -> None:
        assert self.attempt(log_activity, "visit") != self.opp.is_closed

    @invariant()
    def replaying_the_history_gives_the_current_state(self) -> None:
        assert replay_opportunity(self.playbook, self.opp.history) == self.opp

    @invariant()
    def is_always_in_a_defined_stage(self) -> None:
        pb = self.playbook
        assert pb.is_stage(self.opp.stage) or pb.is_terminal(self.opp.stage)
        assert self.opp.is_closed == pb.is_terminal(self.opp.stage)


GeneratedPlaybookMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None
)
TestGeneratedPlaybookMachine = GeneratedPlaybookMachine.TestCase
