"""Revisions: every change to a dossier is an event in an append-only, hash-chained history.

A :class:`Revision` says who changed what, when, from which old value to which new one,
and why (动态管理). Its ``hash`` is the SHA-256 of the canonical JSON (see
``kamcore._plain``) of its content — dossier id, sequence number, time in
UTC, author, reason, changes — together with the previous revision's hash, so each
revision commits to the whole history before it. :func:`verify` recomputes the chain
and names the first revision that does not fit.

The current dossier is always the replay of its history (:func:`replay_dossier`), and
:func:`as_of` rebuilds it as it stood at any moment.

Fields are named by paths: a top-level field (``"grade"``, ``"contacts"``) or a section
field (``"basic.registered_capital"``). :data:`FIELD_PATHS` lists them all.

Examples:
    >>> from datetime import datetime, timezone
    >>> from kamcore.money import Money
    >>> t0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> d, r1 = create(Dossier(id="K-1", name="华东水务", grade="B"), by="li", at=t0)
    >>> d2, r2 = revise(d, {"grade": "A"}, by="li", at=t0.replace(day=6), reason="new contract")
    >>> [(c.field, c.old, c.new) for c in r2.changes]
    [('grade', '"B"', '"A"')]
    >>> verify((r1, r2)).ok, replay_dossier((r1, r2)) == d2
    (True, True)
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from kamcore import _plain as canon
from kamcore._validate import checked_field, day, decimal_in, text
from kamcore.archive._checks import instance, instances
from kamcore.archive._dossier import (
    GENESIS,
    BasicData,
    Business,
    CreditReport,
    Dossier,
    Organisation,
    aware,
)
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Money

__all__ = [
    "DEFAULT_ARCHIVE_POLICY",
    "FIELD_PATHS",
    "ArchivePolicy",
    "ChainCheck",
    "Change",
    "Revision",
    "apply",
    "as_of",
    "at_revision",
    "create",
    "replay_dossier",
    "revise",
    "revision_hash",
    "verify",
]

_SECTIONS: Final[dict[str, type]] = {
    "basic": BasicData,
    "business": Business,
    "organisation": Organisation,
    "credit": CreditReport,
}
_TOP_LEVEL: Final = (
    "name",
    "classification",
    "confidentiality",
    "grade",
    "records",
    "competitors",
    "contacts",
    "extra",
)


def _path_types() -> dict[str, Any]:
    dossier_hints = typing.get_type_hints(Dossier)
    types: dict[str, Any] = {}
    for top in attrs.fields(Dossier):
        if top.name in _TOP_LEVEL:
            types[top.name] = dossier_hints[top.name]
        elif top.name in _SECTIONS:
            cls = _SECTIONS[top.name]
            hints = typing.get_type_hints(cls)
            for f in attrs.fields(cls):
                types[f"{top.name}.{f.name}"] = hints[f.name]
    return types


_PATH_TYPES: Final = _path_types()

#: Every field path a revision may change, in dossier order.
FIELD_PATHS: Final = tuple(_PATH_TYPES)

_NUMERIC: Final = (Money | None, Decimal | None)


def _get(dossier: Dossier, path: str) -> Any:
    section, _, name = path.partition(".")
    if name:
        return getattr(getattr(dossier, section), name)
    return getattr(dossier, section)


def _set(dossier: Dossier, updates: Mapping[str, object], **top: Any) -> Dossier:
    sections: dict[str, dict[str, Any]] = {}
    for path, value in updates.items():
        section, _, name = path.partition(".")
        if name:
            sections.setdefault(section, {})[name] = value
        else:
            top[path] = value
    for section, values in sections.items():
        top[section] = attrs.evolve(getattr(dossier, section), **values)
    return attrs.evolve(dossier, **top)


def _check_path(path: object, where: str) -> str:
    if not isinstance(path, str) or path not in _PATH_TYPES:
        raise ValidationError(
            field=where,
            value=path,
            expected="a field path such as 'grade' or 'basic.registered_capital' "
            "(see kamcore.archive.FIELD_PATHS)",
            problem="unknown field",
        )
    return path


def _paths(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(value)
    return value  # type: ignore[return-value]  # refused by the validator below


@attrs.frozen
class ArchivePolicy:
    """Which changes need a reason (动态管理).

    Args:
        key_facts: Fields whose change must carry a reason: by default registered
            capital, management structure and payment terms.
        watched: Numeric fields whose *marked* change must carry a reason: by default
            sales performance and transaction volume.
        marked_change: The relative change (a fraction, ``0.2`` = 20%) from which a
            change of a watched field is marked. A change from zero is always marked.

    Filling in a key fact for the first time (the old value was empty) is not a change
    of it and needs no reason; changing or clearing a recorded value does.

    Raises:
        PolicyError: An unknown path, a watched field that is not a number, or a
            threshold that is not above zero.
    """

    key_facts: tuple[str, ...] = attrs.field(
        default=("basic.registered_capital", "organisation.management", "basic.payment_terms"),
        converter=_paths,
    )
    watched: tuple[str, ...] = attrs.field(
        default=("business.sales_performance", "business.transaction_volume"),
        converter=_paths,
    )
    marked_change: Decimal = checked_field(decimal_in, default=Decimal("0.2"))

    def __attrs_post_init__(self) -> None:
        for part in ("key_facts", "watched"):
            paths = getattr(self, part)
            if not isinstance(paths, tuple):
                raise PolicyError(
                    "expected a list of field paths", policy="ArchivePolicy", part=part
                )
            for i, path in enumerate(paths):
                if path not in _PATH_TYPES:
                    raise PolicyError(
                        f"unknown field path {path!r}; see kamcore.archive.FIELD_PATHS",
                        policy="ArchivePolicy",
                        part=f"{part}[{i}]",
                    )
        for i, path in enumerate(self.watched):
            if _PATH_TYPES[path] not in _NUMERIC:
                raise PolicyError(
                    f"{path!r} is not a number or an amount of money, so it can't change markedly",
                    policy="ArchivePolicy",
                    part=f"watched[{i}]",
                )
        if self.marked_change <= 0:
            raise PolicyError(
                f"must be above zero, got {self.marked_change}",
                policy="ArchivePolicy",
                part="marked_change",
            )

    def needs_reason(self, path: str, old: object, new: object) -> bool:
        """Whether changing ``path`` from ``old`` to ``new`` must carry a reason."""
        if old in (None, "", ()):
            return False
        if path in self.key_facts:
            return True
        if path in self.watched:
            return _marked(old, new, self.marked_change)
        return False


def _amount(value: object) -> tuple[Decimal, str] | None:
    if isinstance(value, Money):
        return value.amount, value.currency
    if isinstance(value, Decimal):
        return value, ""
    return None


def _marked(old: object, new: object, threshold: Decimal) -> bool:
    a, b = _amount(old), _amount(new)
    if a is None or b is None or a[1] != b[1]:
        return True
    if a[0] == 0:
        return b[0] != 0
    return abs(b[0] - a[0]) / abs(a[0]) >= threshold


#: The policy of rules §4.4 with a 20% threshold for a marked change.
DEFAULT_ARCHIVE_POLICY: Final = ArchivePolicy()


@attrs.frozen
class Change:
    """One field's change: its path, and the old and new values as faithful JSON text.

    Read the typed values with :meth:`old_value` and :meth:`new_value`.
    """

    field: str
    old: str
    new: str

    def old_value(self) -> Any:
        """The old value, typed as the field is."""
        return canon.from_plain(
            _PATH_TYPES[_check_path(self.field, "field")], canon.loads(self.old)
        )

    def new_value(self) -> Any:
        """The new value, typed as the field is."""
        return canon.from_plain(
            _PATH_TYPES[_check_path(self.field, "field")], canon.loads(self.new)
        )


@attrs.frozen
class Revision:
    """A change to a dossier: who, when, what (old → new), why, chained by hash.

    Args:
        dossier_id: The dossier changed.
        sequence: 1 for the dossier's creation, then 2, 3, ... without gaps.
        at: When (timezone-aware).
        by: Who made the change.
        reason: Why; required for key facts and marked changes.
        changes: The fields changed, in path order.
        previous_hash: The previous revision's hash (:data:`GENESIS` for the first).
        hash: SHA-256 over the canonical JSON of this content and ``previous_hash``.
    """

    dossier_id: str
    sequence: int
    at: datetime
    by: str
    reason: str
    changes: tuple[Change, ...]
    previous_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """The plain content the hash is taken over (numbers normalised by canonical JSON)."""
        return {
            "dossier_id": self.dossier_id,
            "sequence": self.sequence,
            "at": canon.utc_iso(self.at),
            "by": self.by,
            "reason": self.reason,
            "changes": [
                {"field": c.field, "old": canon.loads(c.old), "new": canon.loads(c.new)}
                for c in self.changes
            ],
            "previous_hash": self.previous_hash,
        }

    @property
    def fields(self) -> tuple[str, ...]:
        """The paths of the fields changed."""
        return tuple(c.field for c in self.changes)


def revision_hash(revision: Revision) -> str:
    """Recompute a revision's hash from its content.

    Raises:
        ValidationError: A change's old or new text is not JSON.
    """
    instance(revision, Revision, "revision")
    return canon.sha256_hex(canon.canonical(revision.content()))


def _commit(
    base: Dossier,
    target: Dossier,
    *,
    by: str,
    at: datetime,
    reason: str,
    policy: ArchivePolicy | None,
) -> tuple[Dossier, Revision]:
    text(by, "by", expected="who makes the change")
    text(reason, "reason", required=False)
    aware(at)
    if base.updated_at is not None and at < base.updated_at:
        raise ValidationError(
            field="at",
            value=at,
            expected=f"a time on or after the latest revision {base.updated_at.isoformat()}",
            problem="history is append-only",
        )
    changes: list[Change] = []
    needing: list[str] = []
    for path in FIELD_PATHS:
        old, new = _get(base, path), _get(target, path)
        if old == new:
            continue
        changes.append(Change(path, canon.dumps(old), canon.dumps(new)))
        if policy is not None and policy.needs_reason(path, old, new):
            needing.append(path)
    if not changes:
        raise ValidationError(
            field="changes", value={}, expected="at least one field changed", problem="no change"
        )
    if needing and not reason.strip():
        raise ValidationError(
            field="reason",
            value=reason,
            expected="the reason for the change (动态管理: key facts and marked changes)",
            problem=f"a change of {', '.join(needing)} must record why",
        )
    draft = Revision(
        dossier_id=base.id,
        sequence=base.revision + 1,
        at=at,
        by=by,
        reason=reason,
        changes=tuple(changes),
        previous_hash=base.head,
        hash="",
    )
    revision = attrs.evolve(draft, hash=revision_hash(draft))
    created = base.created_at if base.revision else at
    return (
        attrs.evolve(
            target,
            revision=revision.sequence,
            head=revision.hash,
            updated_at=at,
            created_at=created,
        ),
        revision,
    )


def create(
    dossier: Dossier, *, by: str, at: datetime, reason: str = "created"
) -> tuple[Dossier, Revision]:
    """Record a new dossier: its first revision holds every field that is filled in.

    Args:
        dossier: The new dossier (revision 0) with at least its name.
        by: Who records it.
        at: When (timezone-aware).
        reason: Why; ``"created"`` by default.

    Returns:
        The dossier at revision 1 and the revision.

    Raises:
        ValidationError: The dossier has a revision already, or no name.
    """
    instance(dossier, Dossier, "dossier")
    if dossier.revision != 0 or dossier.head != GENESIS:
        raise ValidationError(
            field="revision",
            value=dossier.revision,
            expected="a new dossier (revision 0); change a recorded one with revise()",
            problem="already recorded",
        )
    if not dossier.name.strip():
        raise ValidationError(
            field="name",
            value=dossier.name,
            expected="the account's name: a new dossier records at least the company basics",
        )
    return _commit(Dossier(id=dossier.id), dossier, by=by, at=at, reason=reason, policy=None)


def revise(
    dossier: Dossier,
    changes: Mapping[str, object],
    *,
    by: str,
    at: datetime,
    reason: str = "",
    policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
) -> tuple[Dossier, Revision]:
    """Change a recorded dossier; returns the new dossier and the revision event.

    Args:
        dossier: The dossier as last read (revision ≥ 1).
        changes: Field path → new value (``{"basic.payment_terms": "月结60天"}``).
        by: Who makes the change.
        at: When (timezone-aware, not before the latest revision).
        reason: Why; required for key facts and marked changes (``policy``).
        policy: Which changes need a reason.

    Returns:
        The new dossier (revision + 1) and the :class:`Revision`.

    Raises:
        ValidationError: An unknown path, a value the field refuses (``field`` is the
            path), nothing actually changed, or a reason missing where it is required.
    """
    instance(dossier, Dossier, "dossier")
    instance(policy, ArchivePolicy, "policy")
    if dossier.revision < 1:
        raise ValidationError(
            field="revision",
            value=dossier.revision,
            expected="a recorded dossier; record a new one with create()",
            problem="not recorded yet",
        )
    if not isinstance(changes, Mapping):
        raise ValidationError(
            field="changes", value=changes, expected="a mapping of field path to new value"
        )
    for path in changes:
        _check_path(path, "changes")
    try:
        target = _set(dossier, changes)
    except ValidationError:
        for path, value in changes.items():
            try:
                _set(dossier, {path: value})
            except ValidationError as exc:
                raise ValidationError(
                    field=path, value=exc.value, expected=exc.expected, problem=exc.problem
                ) from None
        raise  # pragma: no cover - one of the paths above fails on its own
    return _commit(dossier, target, by=by, at=at, reason=reason, policy=policy)


def apply(dossier: Dossier, revision: Revision) -> Dossier:
    """Apply one revision to the dossier it follows (the replay step).

    Raises:
        ValidationError: The revision is for another dossier, out of sequence, does not
            follow ``dossier.head``, or a change's old value is not the current value.
    """
    instance(dossier, Dossier, "dossier")
    instance(revision, Revision, "revision")
    where = f"revisions[{revision.sequence}]"
    if revision.dossier_id != dossier.id:
        raise ValidationError(
            field=f"{where}.dossier_id", value=revision.dossier_id, expected=repr(dossier.id)
        )
    if revision.sequence != dossier.revision + 1:
        raise ValidationError(
            field=f"{where}.sequence",
            value=revision.sequence,
            expected=str(dossier.revision + 1),
            problem="out of sequence",
        )
    if revision.previous_hash != dossier.head:
        raise ValidationError(
            field=f"{where}.previous_hash",
            value=revision.previous_hash,
            expected=dossier.head,
            problem="does not follow the previous revision",
        )
    if dossier.updated_at is not None and revision.at < dossier.updated_at:
        raise ValidationError(
            field=f"{where}.at",
            value=revision.at,
            expected=f"a time on or after {dossier.updated_at.isoformat()}",
            problem="time goes backwards",
        )
    updates: dict[str, object] = {}
    try:
        for i, change in enumerate(revision.changes):
            path = _check_path(change.field, f"{where}.changes[{i}].field")
            tp = _PATH_TYPES[path]
            old = canon.from_plain(tp, canon.loads(change.old))
            if old != _get(dossier, path):
                raise ValidationError(
                    field=f"{where}.changes[{i}].old",
                    value=change.old,
                    expected=canon.dumps(_get(dossier, path)),
                    problem=f"not the value of {path} before this revision",
                )
            updates[path] = canon.from_plain(tp, canon.loads(change.new))
        return _set(
            dossier,
            updates,
            revision=revision.sequence,
            head=revision.hash,
            updated_at=revision.at,
            created_at=dossier.created_at if dossier.revision else revision.at,
        )
    except ValidationError as exc:
        if exc.field.startswith(where):
            raise
        raise exc.at(where) from None


@attrs.frozen
class ChainCheck:
    """The result of :func:`verify`.

    Attributes:
        ok: Whether every revision fits.
        checked: How many revisions were checked before the first bad one (all if ok).
        first_bad: The sequence number (1-based position) of the first bad revision.
        problem: What was wrong with it.
    """

    ok: bool
    checked: int
    first_bad: int | None = None
    problem: str = ""


def verify(revisions: Iterable[Revision]) -> ChainCheck:
    """Check a dossier's history: order, links, hashes, and that every change applies.

    Args:
        revisions: The whole history, oldest first.

    Returns:
        A :class:`ChainCheck` naming the first bad revision by its position (1-based).
    """
    revisions = instances(revisions, Revision, "revisions")
    state: Dossier | None = None
    count = 0
    for position, rev in enumerate(revisions, start=1):
        problem = ""
        if rev.sequence != position:
            problem = f"sequence {rev.sequence} where {position} was expected"
        else:
            try:
                if revision_hash(rev) != rev.hash:
                    problem = "its content does not match its hash (altered)"
                else:
                    state = apply(state or Dossier(id=rev.dossier_id), rev)
            except ValidationError as exc:
                problem = str(exc)
        if problem:
            return ChainCheck(ok=False, checked=count, first_bad=position, problem=problem)
        count += 1
    return ChainCheck(ok=True, checked=count)


def replay_dossier(revisions: Iterable[Revision], *, start: Dossier | None = None) -> Dossier:
    """Rebuild a dossier from its history (or from ``start``, a snapshot, onwards).

    Raises:
        ValidationError: No revisions, or a revision that does not apply.
    """
    revisions = instances(revisions, Revision, "revisions")
    if start is not None:
        instance(start, Dossier, "start")
    state = start
    for rev in revisions:
        state = apply(state or Dossier(id=rev.dossier_id), rev)
    if state is None:
        raise ValidationError(
            field="revisions", value=(), expected="at least the creation revision"
        )
    return state


def _until(at: date | datetime | str) -> Any:
    if isinstance(at, str):
        at = day(at, "at") if len(at.strip()) == len("2026-03-01") else aware(at)
    if isinstance(at, datetime):
        moment = aware(at, "at")
        return lambda r: r.at <= moment
    if isinstance(at, date):
        cut = at
        return lambda r: r.at.date() <= cut
    raise ValidationError(field="at", value=at, expected="a date or a timezone-aware datetime")


def as_of(revisions: Sequence[Revision], at: date | datetime | str) -> Dossier:
    """The dossier as it stood at ``at``: the longest prefix of its history made by then.

    A ``datetime`` (timezone-aware) includes the revisions made at or before it. A
    ``date`` includes the revisions made on or before that day *in the time zone each was
    recorded*, up to the first one made on a later day: the history is cut there, so a
    revision recorded on an earlier local day but after a later-day one (a mix of time
    zones) is not included either. The result is always a state the dossier was in. ISO
    text is read as a date (``'2026-03-01'``) or a date-time with its offset.

    Raises:
        ValidationError: ``at`` is before the dossier was created.
    """
    revisions = instances(revisions, Revision, "revisions")
    included = _until(at)
    count = 0
    for rev in revisions:
        if not included(rev):
            break
        count += 1
    if not count:
        raise ValidationError(
            field="at",
            value=at,
            expected="a time on or after the dossier's creation",
            problem="the dossier did not exist yet",
        )
    return replay_dossier(revisions[:count])


def at_revision(revisions: Sequence[Revision], sequence: int) -> Dossier:
    """The dossier right after revision ``sequence``.

    Raises:
        ValidationError: No such revision.
    """
    revisions = instances(revisions, Revision, "revisions")
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise ValidationError(field="sequence", value=sequence, expected="a revision number")
    if not 1 <= sequence <= len(revisions):
        raise ValidationError(
            field="sequence", value=sequence, expected=f"a revision 1–{len(revisions)}"
        )
    return replay_dossier(revisions[:sequence])
