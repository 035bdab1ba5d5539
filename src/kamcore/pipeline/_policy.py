"""The playbook: stages, moves, outcomes and reopen rules, checked when built."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final, TypeVar

import attrs

from kamcore import _validate
from kamcore._convert import enum_field, tuple_field
from kamcore._labels import Labelled
from kamcore._validate import required_text, text_field, texts_field
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Rate
from kamcore.pipeline import _inputs
from kamcore.pipeline._evidence import EvidenceField, FactKind
from kamcore.pipeline._gates import (
    _BUILTIN,
    _POLICY,
    Gate,
    GateCheck,
    GateKind,
    Step,
    _checks_of,
    _compile_passes,
    _gate_shape,
)
from kamcore.pipeline._inputs import flag_field

T = TypeVar("T")

_ZERO_RATE: Final = Rate(0)
_ONE_RATE: Final = Rate(1)


class ForecastCategory(Labelled):
    """The forecast category of a stage (预测类别); ``.zh`` is its Chinese name.

    Categories roll up cumulatively: *pipeline* ⊇ *best case* ⊇ *commit* ⊇ *closed*.
    ``OMITTED`` is for lost and abandoned business, which counts nowhere. A lookup
    takes the value or the Chinese name (``ForecastCategory("承诺")``).
    """

    PIPELINE = "pipeline", "管道"
    BEST_CASE = "best_case", "最佳情况"
    COMMIT = "commit", "承诺"
    CLOSED = "closed", "已成交"
    OMITTED = "omitted", "不计入"


class Involvement(Labelled):
    """How far the company is involved at a stage (公司介入度), low to high.

    ``.zh`` is the level as the development flow's table names it (低, 低→中, 中, 高).
    """

    LOW = "low", "低"
    """Salespeople work it alone (lead, development)."""
    LOW_TO_MEDIUM = "low_to_medium", "低→中"
    """The KA manager joins in (proposal)."""
    MEDIUM = "medium", "中"
    """The KA director and pre-sales support are engaged."""
    HIGH = "high", "高"
    """The company commits its people (bidding, negotiation, signing)."""


def _probability(value: object, field: str) -> Rate:
    """A stage's win probability: a Rate, ``'60%'``, ``'0.6'`` or an exact number."""
    try:
        return _validate.rate(value)
    except ValidationError as exc:
        raise ValidationError(
            field=field, value=value, expected=exc.expected, problem=exc.problem
        ) from None


# -- the graph --------------------------------------------------------------------------


@attrs.frozen
class _Labelled:
    """A key with its Chinese and English labels: what stages, outcomes and buyer steps share."""

    key: str = attrs.field(validator=required_text)
    zh: str = text_field()
    en: str = text_field()

    @property
    def label(self) -> str:
        """Both labels (``'招投标 bidding'``), or the key when there are none."""
        return " ".join(x for x in (self.zh, self.en) if x) or self.key


@attrs.frozen
class Stage(_Labelled):
    """A stage of the sales process (销售阶段).

    Args:
        key: A short identifier (``"bidding"``).
        zh: The Chinese label (``"招投标"``).
        en: The English label (``"bidding"``).
        order: Position in the process; stages are listed and compared by it.
        probability: The default win probability at this stage.
        forecast: The forecast category of an opportunity at this stage.
        involvement: The company's involvement (公司介入度).
        participants: Who works the stage (``"KA manager"``, ``"KA director"``).
        max_days: Days an opportunity may stay before it is stale (``None``: no limit).
        gates: Gates checked on every move into this stage.
        initial: Whether new opportunities start here (exactly one stage is initial).
        buyer_steps: The customer's procurement steps that match this stage.
    """

    order: int = _validate.checked_field(_validate.whole, default=0)
    probability: Rate = _validate.checked_field(_probability, default=_ZERO_RATE)
    forecast: ForecastCategory = enum_field(ForecastCategory, default=ForecastCategory.PIPELINE)
    involvement: Involvement = enum_field(Involvement, default=Involvement.LOW)
    participants: tuple[str, ...] = texts_field()
    max_days: int | None = _validate.checked_field(_validate.whole, default=None, optional=True)
    gates: tuple[str, ...] = texts_field()
    initial: bool = attrs.field(default=False, validator=flag_field)
    buyer_steps: tuple[str, ...] = texts_field()


@attrs.frozen
class Move:
    """An allowed move from one open stage to another, with its own gates."""

    source: str = attrs.field(validator=required_text)
    target: str = attrs.field(validator=required_text)
    gates: tuple[str, ...] = texts_field()


@attrs.frozen
class Outcome(_Labelled):
    """A terminal outcome: won, or closed out (结项) for a reason.

    Args:
        key: ``"won"``, ``"lost"``, ``"no_bid"``, ``"withdrawn"``, ``"not_shortlisted"``...
        zh: The Chinese label (``"未入围结项"``).
        en: The English label.
        won: Whether the outcome counts as won.
        from_stages: The open stages that may close with this outcome (empty: every one).
        gates: Gates checked when closing with this outcome.
        requires_fatal_factors: Whether closing needs at least one fatal factor
            (致命因素), as the no-bid and lost-bid rules ask.
    """

    won: bool = attrs.field(default=False, validator=flag_field)
    from_stages: tuple[str, ...] = texts_field()
    gates: tuple[str, ...] = texts_field()
    requires_fatal_factors: bool = attrs.field(default=False, validator=flag_field)


@attrs.frozen
class Reopen:
    """An explicit rule that lets a closed opportunity re-enter an open stage."""

    outcome: str = attrs.field(validator=required_text)
    target: str = attrs.field(validator=required_text)
    gates: tuple[str, ...] = texts_field()


@attrs.frozen
class BuyerStep(_Labelled):
    """A step of the customer's own procurement process (客户采购流程).

    Args:
        key: A short identifier (``"tender"``).
        zh: The Chinese label.
        en: The English label.
        order: Position in the customer's process.
    """

    order: int = _validate.checked_field(_validate.whole, default=0)


def _listed(items: Iterable[_Labelled]) -> str:
    """Keys with their Chinese labels: ``'development (客户开发), initiation (立项)'``."""
    return ", ".join(f"{i.key} ({i.zh})" if i.zh and i.zh != i.key else i.key for i in items)


def _look_up(
    index: Mapping[str, T], key: str, field: str, problem: str, labels: Mapping[str, str]
) -> T:
    """``index[key]`` (``key`` may be a Chinese label), or an error listing what there is."""
    try:
        return index[key]
    except (KeyError, TypeError):
        pass
    if type(key) is str:
        found = index.get(labels.get(key.strip(), ""))
        if found is not None:
            return found
    listed = _listed(i for i in index.values() if isinstance(i, _Labelled))
    raise ValidationError(
        field=field,
        value=key,
        expected=f"one of: {listed or ', '.join(index) or '(none declared)'}",
        problem=problem,
    ) from None


def _unique(kind: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise PolicyError(
                f"{kind} key {k!r} is used twice", policy=_POLICY, part=f"{kind} {k!r}"
            )
        seen.add(k)


@attrs.frozen(init=False)
class Playbook:
    """A company's sales process as a validated stage machine (销售流程).

    Built like a python-statemachine graph, it is checked at construction: keys are
    unique, exactly one stage is initial, every stage can be reached from it, every
    stage can reach a terminal outcome, nothing leaves an outcome except through a
    :class:`Reopen` rule, and every gate names known evidence fields and every move
    known stages. Any problem raises :class:`~kamcore.errors.PolicyError` naming the part.

    A ``custom`` gate's code is given to the playbook itself, by name, when it is built
    (``checks={"has_coach": fn}``); a custom gate naming a check it was not given is
    refused then. The checks are fixed into the playbook's compiled table, so its
    verdicts never change after it is built. A playbook keeps the checks its gates name
    (a company may hand every playbook the same mapping); two playbooks are equal when
    their data are equal and their custom gates run the same functions (compared by
    identity). :func:`attrs.evolve` builds without checks: pass them to the new playbook.

    Args:
        name: The playbook's name.
        stages: The open stages.
        outcomes: The terminal outcomes (won; closed out for a reason).
        moves: The allowed moves between open stages.
        gates: Every gate, by name; stages, moves, outcomes and reopen rules refer to them.
        fields: The evidence fields opportunities may carry.
        reopen: The rules that let a closed opportunity re-enter a stage.
        buyer_steps: The customer's procurement steps, in order.
        checks: The functions of its ``custom`` gates, by the name the gates give
            (keyword only; each takes the opportunity and the gate and returns ``None``
            when the gate passes, or what is wrong).

    Examples:
        >>> pb = Playbook(
        ...     name="tiny",
        ...     stages=(Stage("lead", order=1, initial=True), Stage("deal", order=2)),
        ...     outcomes=(Outcome("won", won=True, from_stages=("deal",)), Outcome("lost")),
        ...     moves=(Move("lead", "deal"),),
        ... )
        >>> pb.initial.key, pb.can_move("lead", "deal"), pb.can_move("deal", "lead")
        ('lead', True, False)
        >>> Playbook(name="bad", stages=(Stage("a", initial=True), Stage("b")),
        ...          outcomes=(Outcome("lost"),))
        Traceback (most recent call last):
        ...
        kamcore.errors.PolicyError: Playbook stage 'b': not reachable from the initial stage 'a'
    """

    name: str = attrs.field(validator=required_text)
    stages: tuple[Stage, ...] = tuple_field(Stage, default=attrs.NOTHING)
    outcomes: tuple[Outcome, ...] = tuple_field(Outcome, default=attrs.NOTHING)
    moves: tuple[Move, ...] = tuple_field(Move)
    gates: tuple[Gate, ...] = tuple_field(Gate)
    fields: tuple[EvidenceField, ...] = tuple_field(EvidenceField)
    reopen: tuple[Reopen, ...] = tuple_field(Reopen)
    buyer_steps: tuple[BuyerStep, ...] = tuple_field(BuyerStep)
    _checks: tuple[tuple[str, Callable[..., str | None]], ...] = attrs.field(init=False, repr=False)
    _stage_by_key: dict[str, Stage] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _outcome_by_key: dict[str, Outcome] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _steps: dict[tuple[str, str], Step] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _field_by_name: dict[str, EvidenceField] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _initial: Stage = attrs.field(init=False, repr=False, eq=False, hash=False)
    _labels: dict[str, str] = attrs.field(init=False, repr=False, eq=False, hash=False)
    _buyer_labels: dict[str, str] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __init__(  # noqa: PLR0917 - the fields in declaration order, as attrs would take them
        self,
        name: str,
        stages: tuple[Stage, ...],
        outcomes: tuple[Outcome, ...],
        moves: tuple[Move, ...] = (),
        gates: tuple[Gate, ...] = (),
        fields: tuple[EvidenceField, ...] = (),
        reopen: tuple[Reopen, ...] = (),
        buyer_steps: tuple[BuyerStep, ...] = (),
        *,
        checks: Mapping[str, GateCheck] | None = None,
    ) -> None:
        """Build the playbook from its parts and the functions of its custom gates."""
        object.__setattr__(self, "_checks", _checks_of(checks))
        self.__attrs_init__(name, stages, outcomes, moves, gates, fields, reopen, buyer_steps)

    def __attrs_post_init__(self) -> None:
        """Validate the graph and compile the table of steps."""
        checks: dict[str, GateCheck] = dict(self._checks)
        _check_parts(self, checks)
        stages = {s.key: s for s in self.stages}
        gates = {g.name: g for g in self.gates}
        _check_references(self, stages, gates)
        edges = _check_moves(self, stages, gates)
        _check_graph(self, edges)
        initial = next(s for s in self.stages if s.initial)

        def step(source: str, target: str, names: tuple[str, ...]) -> Step:
            chosen = tuple(gates[n] for n in names)
            fns = tuple(
                checks[g.check] if g.kind is GateKind.CUSTOM else _BUILTIN[g.kind] for g in chosen
            )
            closes = target not in stages
            return Step(source, target, chosen, fns, _compile_passes(chosen, fns), closes)

        # the table: (source, target) -> the step, its gates compiled once
        table: dict[tuple[str, str], Step] = {}
        for m in self.moves:
            table[m.source, m.target] = step(m.source, m.target, m.gates + stages[m.target].gates)
        for o in self.outcomes:
            for k in o.from_stages or tuple(stages):
                table[k, o.key] = step(k, o.key, o.gates)
        for r in self.reopen:
            table[r.outcome, r.target] = step(r.outcome, r.target, r.gates + stages[r.target].gates)
        used = {g.check for g in self.gates if g.kind is GateKind.CUSTOM}
        object.__setattr__(self, "_checks", tuple(c for c in self._checks if c[0] in used))
        object.__setattr__(self, "_stage_by_key", stages)
        object.__setattr__(self, "_outcome_by_key", {o.key: o for o in self.outcomes})
        object.__setattr__(self, "_steps", table)
        object.__setattr__(self, "_field_by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "_initial", initial)
        object.__setattr__(self, "_labels", _labels_of((*self.stages, *self.outcomes)))
        object.__setattr__(self, "_buyer_labels", _labels_of(self.buyer_steps))

    @property
    def checks(self) -> dict[str, GateCheck]:
        """The functions its custom gates run, by the names they give (a copy)."""
        return dict(self._checks)

    def step(self, source: str, target: str) -> Step | None:
        """The compiled step from ``source`` to ``target``; ``None`` when there is none.

        Every operation asks this table: a move, a close and a reopen are each one step,
        with its gates and their checks fixed when the playbook was built.
        """
        return self._steps.get((source, target))

    # -- lookups -------------------------------------------------------------------------
    @property
    def initial(self) -> Stage:
        """The stage new opportunities start in."""
        return self._initial

    def key(self, name: str) -> str:
        """The stage or outcome key ``name`` stands for: a key, or a Chinese label.

        What is neither comes back unchanged (the lookups then refuse it).

        Examples:
            >>> pb = Playbook(name="tiny", stages=(Stage("bidding", zh="招投标", initial=True),),
            ...               outcomes=(Outcome("lost", zh="丢标结项"),))
            >>> pb.key("招投标"), pb.key("丢标结项"), pb.key("lost")
            ('bidding', 'lost', 'lost')
        """
        if type(name) is not str:
            return name
        return self._labels.get(name.strip(), name)

    def stage(self, key: str) -> Stage:
        """The open stage ``key`` (or its Chinese label).

        Raises:
            ValidationError: No open stage has that key or label; it lists the keys
                with their labels.
        """
        return _look_up(self._stage_by_key, key, "stage", "unknown stage", self._labels)

    def outcome(self, key: str) -> Outcome:
        """The terminal outcome ``key`` (or its Chinese label).

        Raises:
            ValidationError: No outcome has that key or label; it lists the keys with
                their labels.
        """
        return _look_up(self._outcome_by_key, key, "outcome", "unknown outcome", self._labels)

    def field(self, name: str) -> EvidenceField:
        """The evidence field ``name``.

        Raises:
            ValidationError: The playbook declares no such field.
        """
        return _look_up(self._field_by_name, name, "evidence", "unknown evidence field", {})

    def is_terminal(self, key: str) -> bool:
        """Whether ``key`` is a terminal outcome."""
        return key in self._outcome_by_key

    def is_stage(self, key: str) -> bool:
        """Whether ``key`` is an open stage."""
        return key in self._stage_by_key

    def is_outcome(self, key: str) -> bool:
        """Whether ``key`` is a terminal outcome (won, lost, no-bid …)."""
        return key in self._outcome_by_key

    def can_move(self, source: str, target: str) -> bool:
        """Whether the playbook has a move, close or reopen from ``source`` to ``target``."""
        return (source, target) in self._steps

    def targets(self, source: str) -> tuple[str, ...]:
        """Every stage or outcome reachable in one step from ``source``, in table order."""
        return tuple(t for (s, t) in self._steps if s == source)

    def gates_for(self, source: str, target: str) -> tuple[Gate, ...]:
        """The gates checked on the step from ``source`` to ``target`` (empty if none)."""
        step = self._steps.get((source, target))
        return () if step is None else step.gates

    def ordered_stages(self) -> tuple[Stage, ...]:
        """The open stages sorted by ``order`` (then by position)."""
        return tuple(sorted(self.stages, key=lambda s: s.order))

    def buyer_step(self, key: str) -> BuyerStep:
        """The buyer step ``key`` (or its Chinese label).

        Raises:
            ValidationError: The playbook has no such buyer step.
        """
        steps = {b.key: b for b in self.buyer_steps}
        return _look_up(steps, key, "buyer_step", "unknown buyer step", self._buyer_labels)


def _labels_of(items: Iterable[_Labelled]) -> dict[str, str]:
    """Each Chinese label that differs from its key, mapped to the key."""
    return {i.zh.strip(): i.key for i in items if i.zh.strip() and i.zh.strip() != i.key}


def _unique_labels(kind: str, items: tuple[_Labelled, ...]) -> None:
    """A Chinese label names one thing: never two, never another one's key."""
    keys = {i.key for i in items}
    seen: dict[str, str] = {}
    for i in items:
        label = i.zh.strip()
        if not label or label == i.key:
            continue
        if label in seen or label in keys:
            other = seen.get(label, label)
            raise PolicyError(
                f"the Chinese label {label!r} also names {other!r}; a label must name one {kind}",
                policy=_POLICY,
                part=f"{kind} {i.key!r}",
            )
        seen[label] = i.key


def _check_field(f: EvidenceField) -> None:
    """A field's allowed values fit its kind, and its range can hold a value."""
    part = f"field {f.name!r}"
    numeric = f.kind in (FactKind.NUMBER, FactKind.MONEY)
    if f.choices and f.kind is not FactKind.TEXT:
        raise PolicyError(
            f"choices are for a text field, and {f.name!r} is {f.kind.value}",
            policy=_POLICY,
            part=part,
        )
    if (f.minimum is not None or f.maximum is not None) and not numeric:
        raise PolicyError(
            f"a minimum or maximum is for a number or money field, and {f.name!r} is "
            f"{f.kind.value}",
            policy=_POLICY,
            part=part,
        )
    if f.minimum is not None and f.maximum is not None and f.minimum > f.maximum:
        raise PolicyError(
            f"the range is empty: minimum {f.minimum} is above maximum {f.maximum}",
            policy=_POLICY,
            part=part,
        )
    seen: set[str] = set()
    for c in f.choices:
        if not c.strip():
            raise PolicyError("a choice is blank", policy=_POLICY, part=part)
        if c.strip().casefold() in seen:
            raise PolicyError(f"choice {c!r} is listed twice", policy=_POLICY, part=part)
        seen.add(c.strip().casefold())


def _gate_in_range(g: Gate, f: EvidenceField) -> None:
    """A minimum or maximum gate can pass for some value the field allows."""
    if g.kind is GateKind.MINIMUM and None not in (g.minimum, f.maximum):
        assert g.minimum is not None
        assert f.maximum is not None
        if g.minimum > f.maximum:
            raise PolicyError(
                f"its minimum {g.minimum} is above the maximum {f.maximum} that field "
                f"{f.name!r} allows; it could never pass",
                policy=_POLICY,
                part=f"gate {g.name!r}",
            )
    if g.kind is GateKind.MAXIMUM and None not in (g.maximum, f.minimum):
        assert g.maximum is not None
        assert f.minimum is not None
        if g.maximum < f.minimum:
            raise PolicyError(
                f"its maximum {g.maximum} is below the minimum {f.minimum} that field "
                f"{f.name!r} allows; it could never pass",
                policy=_POLICY,
                part=f"gate {g.name!r}",
            )


def _check_parts(pb: Playbook, checks: dict[str, GateCheck]) -> None:
    """Non-empty, unique keys, exactly one initial stage, well-formed gates."""
    if not pb.stages:
        raise PolicyError("a playbook needs at least one stage", policy=_POLICY, part="stages")
    if not pb.outcomes:
        raise PolicyError(
            "a playbook needs at least one terminal outcome", policy=_POLICY, part="outcomes"
        )
    stage_keys = [s.key for s in pb.stages]
    outcome_keys = [o.key for o in pb.outcomes]
    _unique("stage", stage_keys)
    _unique("outcome", outcome_keys)
    _unique("gate", [g.name for g in pb.gates])
    _unique("field", [f.name for f in pb.fields])
    _unique("buyer step", [b.key for b in pb.buyer_steps])
    for k in sorted(set(stage_keys) & set(outcome_keys)):
        raise PolicyError(
            "a key can't be both a stage and an outcome", policy=_POLICY, part=f"stage {k!r}"
        )
    _unique_labels("stage or outcome", (*pb.stages, *pb.outcomes))
    _unique_labels("buyer step", pb.buyer_steps)
    for declared_field in pb.fields:
        _check_field(declared_field)
    initial = [s.key for s in pb.stages if s.initial]
    if len(initial) != 1:
        which = ", ".join(repr(k) for k in initial) or "none"
        raise PolicyError(
            f"exactly one stage must be initial, found {len(initial)}: {which}",
            policy=_POLICY,
            part="initial stage",
        )
    fields = {f.name: f.kind for f in pb.fields}
    declared = {f.name: f for f in pb.fields}
    numeric = (FactKind.NUMBER, FactKind.MONEY)
    for g in pb.gates:
        _gate_shape(g, checks)
        for f in g.fields:
            if f not in fields:
                raise PolicyError(
                    f"names unknown evidence field {f!r}; known: "
                    f"{', '.join(sorted(fields)) or '(none declared)'}",
                    policy=_POLICY,
                    part=f"gate {g.name!r}",
                )
            if g.kind in (GateKind.MINIMUM, GateKind.MAXIMUM) and fields[f] not in numeric:
                raise PolicyError(
                    f"a {g.kind.value} gate needs a number or money field, and {f!r} is "
                    f"{fields[f].value}; it could never pass",
                    policy=_POLICY,
                    part=f"gate {g.name!r}",
                )
            _gate_in_range(g, declared[f])
    seen: set[tuple[str, str]] = set()
    for r in pb.reopen:
        if (r.outcome, r.target) in seen:
            raise PolicyError(
                "the same reopen rule is given twice",
                policy=_POLICY,
                part=f"reopen {r.outcome!r} -> {r.target!r}",
            )
        seen.add((r.outcome, r.target))


def _known_gates(gates: dict[str, Gate], part: str, names: tuple[str, ...]) -> None:
    for n in names:
        if n not in gates:
            raise PolicyError(
                f"names unknown gate {n!r}; known: {', '.join(sorted(gates)) or '(none)'}",
                policy=_POLICY,
                part=part,
            )


def _check_references(pb: Playbook, stages: dict[str, Stage], gates: dict[str, Gate]) -> None:
    """Stages, outcomes and reopen rules name known gates, stages and buyer steps."""
    buyer = {b.key for b in pb.buyer_steps}
    outcomes = {o.key for o in pb.outcomes}
    for s in pb.stages:
        part = f"stage {s.key!r}"
        _known_gates(gates, part, s.gates)
        if s.max_days is not None and s.max_days < 1:
            raise PolicyError("max_days must be at least 1", policy=_POLICY, part=part)
        if not _ZERO_RATE <= s.probability <= _ONE_RATE:
            raise PolicyError(
                f"probability {s.probability} is not between 0% and 100%", policy=_POLICY, part=part
            )
        for b in s.buyer_steps:
            if b not in buyer:
                raise PolicyError(f"names unknown buyer step {b!r}", policy=_POLICY, part=part)
    for o in pb.outcomes:
        part = f"outcome {o.key!r}"
        _known_gates(gates, part, o.gates)
        for k in o.from_stages:
            if k not in stages:
                raise PolicyError(f"names unknown stage {k!r}", policy=_POLICY, part=part)
    for r in pb.reopen:
        part = f"reopen {r.outcome!r} -> {r.target!r}"
        if r.outcome not in outcomes:
            raise PolicyError(f"names unknown outcome {r.outcome!r}", policy=_POLICY, part=part)
        if r.target not in stages:
            raise PolicyError(f"names unknown stage {r.target!r}", policy=_POLICY, part=part)
        _known_gates(gates, part, r.gates)


def _check_moves(
    pb: Playbook, stages: dict[str, Stage], gates: dict[str, Gate]
) -> dict[str, set[str]]:
    """Moves join known open stages, once each; nothing leaves an outcome."""
    outcomes = {o.key for o in pb.outcomes}
    edges: dict[str, set[str]] = {k: set() for k in stages}
    for m in pb.moves:
        part = f"move {m.source!r} -> {m.target!r}"
        if m.source in outcomes:
            raise PolicyError(
                f"nothing may leave the terminal outcome {m.source!r} except a reopen rule",
                policy=_POLICY,
                part=part,
            )
        for end in (m.source, m.target):
            if end not in stages:
                raise PolicyError(
                    f"names unknown stage {end!r}; stages: {', '.join(stages)}",
                    policy=_POLICY,
                    part=part,
                )
        if m.source == m.target:
            raise PolicyError(
                "a move must change the stage (use log_activity for repeated work)",
                policy=_POLICY,
                part=part,
            )
        if m.target in edges[m.source]:
            raise PolicyError("the move is listed twice", policy=_POLICY, part=part)
        _known_gates(gates, part, m.gates)
        edges[m.source].add(m.target)
    return edges


def _check_graph(pb: Playbook, edges: dict[str, set[str]]) -> None:
    """Every stage is reachable from the initial one and can reach an outcome."""
    start = next(s.key for s in pb.stages if s.initial)
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    for s in pb.stages:
        if s.key not in seen:
            raise PolicyError(
                f"not reachable from the initial stage {start!r}",
                policy=_POLICY,
                part=f"stage {s.key!r}",
            )
    can_end = {
        k for k in edges if any(not o.from_stages or k in o.from_stages for o in pb.outcomes)
    }
    changed = True
    while changed:
        changed = False
        for k, targets in edges.items():
            if k not in can_end and targets & can_end:
                can_end.add(k)
                changed = True
    for s in pb.stages:
        if s.key not in can_end:
            raise PolicyError(
                "a trap: no terminal outcome can be reached from it",
                policy=_POLICY,
                part=f"stage {s.key!r}",
            )


def _node(key: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in key)


def to_mermaid(playbook: Playbook) -> str:
    """Draw the playbook as a Mermaid ``stateDiagram-v2``.

    Open stages show their labels and default probability, edges show their gates,
    outcomes lead to the end state, and reopen rules are dashed-labelled ``reopen``.

    Args:
        playbook: The playbook to draw.

    Returns:
        The Mermaid source text (no trailing newline).

    Examples:
        >>> pb = Playbook(name="tiny", stages=(Stage("lead", initial=True),),
        ...               outcomes=(Outcome("won", won=True),))
        >>> print(to_mermaid(pb))
        stateDiagram-v2
            lead: lead (0%)
            won: won ✓
            [*] --> lead
            lead --> won
            won --> [*]
    """
    playbook = _inputs.playbook(playbook)
    lines = ["stateDiagram-v2"]
    lines.extend(
        f"    {_node(s.key)}: {s.label} ({s.probability})" for s in playbook.ordered_stages()
    )
    for o in playbook.outcomes:
        mark = " ✓" if o.won else ""
        lines.append(f"    {_node(o.key)}: {o.label}{mark}")
    lines.append(f"    [*] --> {_node(playbook.initial.key)}")
    for (source, target), step in playbook._steps.items():
        arrow = f"    {_node(source)} --> {_node(target)}"
        names = [g.name for g in step.gates]
        if playbook.is_terminal(source):
            names = ["reopen", *names]
        lines.append(f"{arrow}: {', '.join(names)}" if names else arrow)
    lines.extend(f"    {_node(o.key)} --> [*]" for o in playbook.outcomes)
    return "\n".join(lines)
