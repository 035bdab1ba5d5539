"""Strategies for kamcore.pipeline: facts, gates, playbooks, opportunities."""

from __future__ import annotations

import contextlib
import itertools
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from kamcore.errors import KamError
from kamcore.money import Rate
from kamcore.pipeline import (
    BuyerStep,
    EvidenceField,
    Fact,
    FactKind,
    ForecastCategory,
    Gate,
    GateKind,
    Involvement,
    Move,
    Opportunity,
    Outcome,
    Playbook,
    Reopen,
    Stage,
    advance,
    close_out,
    log_activity,
    open_opportunity,
    record_buyer_step,
    record_evidence,
    revise_terms,
)
from kamcore.strategies._core import dates, money

_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_TEXT = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")


def pipeline_fact_values(kind: FactKind | EvidenceField) -> st.SearchStrategy[object]:
    """Values of an evidence field of ``kind``; given the field, only values it allows.

    Given an :class:`EvidenceField`, text comes from its ``choices`` and numbers and
    money amounts from its range, so every value drawn is one ``record_evidence`` takes.
    """
    field = kind if isinstance(kind, EvidenceField) else None
    kind = kind.kind if isinstance(kind, EvidenceField) else kind
    if kind is FactKind.TEXT:
        return st.sampled_from(field.choices) if field is not None and field.choices else _TEXT
    low = Decimal(-10) if field is None or field.minimum is None else field.minimum
    high = Decimal(10) if field is None or field.maximum is None else field.maximum
    if kind is FactKind.NUMBER:
        return st.decimals(min_value=low, max_value=max(low, high), places=2, allow_nan=False)
    if kind is FactKind.DATE:
        return dates()
    floor = max(Decimal(0), low)
    return money(min_value=floor, max_value=max(floor, high if field and field.maximum else 10**9))


@st.composite
def pipeline_facts(draw: st.DrawFn, name: str | None = None) -> Fact:
    """A fact of any kind."""
    kind = draw(st.sampled_from(FactKind))
    return Fact.of(name or draw(_NAMES), draw(pipeline_fact_values(kind)))


def pipeline_gates(fields: tuple[str, ...] = ("margin", "name")) -> st.SearchStrategy[Gate]:
    """Built-in gates reading ``fields``."""
    required = st.builds(
        Gate,
        name=_NAMES,
        kind=st.just(GateKind.REQUIRED),
        fields=st.lists(st.sampled_from(fields), min_size=1, unique=True).map(tuple),
        message=st.text(max_size=20),
    )
    minimum = st.builds(
        Gate,
        name=_NAMES,
        kind=st.just(GateKind.MINIMUM),
        fields=st.sampled_from(fields).map(lambda f: (f,)),
        minimum=st.decimals(min_value=0, max_value=1, places=2),
    )
    return st.one_of(required, minimum)


def _has_evidence(opp: Opportunity, gate: Gate) -> str | None:
    """A custom gate check: the evidence field named by the gate's ``field`` parameter."""
    name = gate.param("field")
    return None if name in opp.evidence else f"no {name} yet"


def _evidence_field(draw: st.DrawFn, name: str, i: int) -> EvidenceField:
    """A field of any kind; some declare what they allow (choices, a range)."""
    kind = draw(st.sampled_from(FactKind))
    bounded = draw(st.booleans())
    if kind is FactKind.TEXT and bounded:
        return EvidenceField(name, kind, zh=f"字段{i}", en=name, choices=("A", "B", "C", "D"))
    if kind is FactKind.NUMBER and bounded:
        return EvidenceField(
            name, kind, zh=f"字段{i}", en=name, minimum=Decimal(0), maximum=Decimal(1)
        )
    if kind is FactKind.MONEY and bounded:
        return EvidenceField(name, kind, zh=f"字段{i}", en=name, minimum=Decimal(0))
    return EvidenceField(name, kind, zh=f"字段{i}", en=name)


@st.composite
def playbooks(draw: st.DrawFn, max_stages: int = 5, *, custom: bool = False) -> Playbook:
    """Valid playbooks: a chain of stages with gates on evidence and reopen rules.

    With ``custom``, some also carry a ``custom`` gate, whose check the playbook is
    given when it is built (such a playbook's data alone does not load back: its
    check is code).
    """
    n = draw(st.integers(1, max_stages))
    keys = [f"s{i}" for i in range(n)]
    field_names = draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    fields = tuple(_evidence_field(draw, f, i) for i, f in enumerate(field_names))
    numeric = tuple(f.name for f in fields if f.kind is FactKind.NUMBER)
    gate_list = [Gate("complete", GateKind.REQUIRED, fields=(field_names[0],), message="fill in")]
    if numeric:
        gate_list.append(
            Gate("floor", GateKind.MINIMUM, fields=(numeric[0],), minimum=Decimal("0.15"))
        )
    if custom and draw(st.booleans()):
        gate_list.append(
            Gate(
                "custom",
                GateKind.CUSTOM,
                check="has_evidence",
                params={"field": field_names[-1]},
                message="a custom check",
            )
        )
    gate_names = [g.name for g in gate_list]
    probs = sorted(draw(st.lists(st.integers(0, 100), min_size=n, max_size=n)))
    buyer = (BuyerStep("need", order=1), BuyerStep("tender", order=2))
    stages = tuple(
        Stage(
            k,
            zh=f"阶段{i}",
            en=k,
            order=i + 1,
            probability=Rate.percent(probs[i]),
            forecast=draw(st.sampled_from(ForecastCategory)),
            involvement=draw(st.sampled_from(Involvement)),
            participants=("KA manager",),
            max_days=draw(st.none() | st.integers(1, 90)),
            gates=tuple(draw(st.lists(st.sampled_from(gate_names), unique=True))) if i else (),
            initial=i == 0,
            buyer_steps=(draw(st.sampled_from(["need", "tender"])),),
        )
        for i, k in enumerate(keys)
    )
    moves = tuple(Move(a, b) for a, b in itertools.pairwise(keys))
    outcomes = (
        Outcome("won", won=True, from_stages=(keys[-1],)),
        Outcome("lost", requires_fatal_factors=draw(st.booleans())),
    )
    reopen = (Reopen("lost", draw(st.sampled_from(keys))),) if draw(st.booleans()) else ()
    return Playbook(
        name=draw(_NAMES),
        stages=stages,
        outcomes=outcomes,
        moves=moves,
        gates=tuple(gate_list),
        fields=fields,
        reopen=reopen,
        buyer_steps=buyer,
        checks={"has_evidence": _has_evidence},
    )


@st.composite
def opportunities(draw: st.DrawFn, playbook: Playbook | None = None) -> Opportunity:
    """Opportunities with a history: a random walk of allowed operations."""
    pb = playbook if playbook is not None else draw(playbooks())
    day = draw(dates(max_value=date(2090, 1, 1)))
    opp, _ = open_opportunity(
        pb,
        id=f"opp-{draw(st.integers(1, 10**6))}",
        account=draw(_NAMES),
        amount=draw(money(min_value=1, max_value=10**8)),
        owner=draw(st.sampled_from(["li", "wang", "zhang"])),
        on=day,
        expected_close=draw(st.none() | st.just(day + timedelta(days=90))),
    )
    for _ in range(draw(st.integers(0, 8))):
        day += timedelta(days=draw(st.integers(0, 30)))
        action = draw(st.sampled_from(["evidence", "advance", "close", "log", "buyer", "terms"]))
        if action == "evidence" and pb.fields:
            field = draw(st.sampled_from(pb.fields))
            opp, _ = record_evidence(pb, opp, field.name, draw(pipeline_fact_values(field)), on=day)
        elif opp.is_closed:
            continue
        elif action == "log":
            opp, _ = log_activity(pb, opp, "visit", on=day)
        elif action == "terms":
            opp, _ = revise_terms(
                pb,
                opp,
                on=day,
                reason="revised estimate",
                amount=opp.amount + draw(money(min_value=1, max_value=10**6)),
                expected_close=day + timedelta(days=draw(st.integers(0, 180))),
            )
        elif action == "buyer" and pb.buyer_steps:
            step = draw(st.sampled_from(pb.buyer_steps))
            opp, _ = record_buyer_step(pb, opp, step.key, on=day)
        elif action == "advance":
            nxt = [t for t in pb.targets(opp.stage) if pb.is_stage(t)]
            if nxt:
                with contextlib.suppress(KamError):  # a refused gate is part of the walk
                    opp, _ = advance(pb, opp, nxt[0], on=day)
        elif action == "close":
            ends = [t for t in pb.targets(opp.stage) if pb.is_terminal(t)]
            if ends:
                with contextlib.suppress(KamError):  # a refused gate is part of the walk
                    opp, _ = close_out(
                        pb, opp, ends[0], on=day, reason="done", fatal_factors=("x",)
                    )
    return opp
