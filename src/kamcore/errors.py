"""The errors kamcore raises, all under one base, :class:`KamError`.

Every error says what was wrong, where, and what would have been accepted. Errors
carry structured attributes so that a CRM can map them to its own messages without
parsing text::

    KamError
    ├── ValidationError(KamError, ValueError)        .field, .value, .expected
    │   └── RecordInvalid(ExceptionGroup, ValidationError)   every failing field at once
    ├── PolicyError(KamError, ValueError)            .policy, .part
    ├── TransitionNotAllowed(KamError)               .subject, .source, .target, .failed_gates
    ├── ApprovalRequired(KamError)                   .request, .missing
    ├── AccessDenied(KamError, PermissionError)      .subject, .actor, .action
    └── StoreError(KamError)
        ├── ConflictError(StoreError)                .key, .expected_revision, .actual_revision
        ├── RecordNotFound(StoreError, LookupError)  .key
        └── IntegrityError(StoreError)               .key, .revision, .problem

Examples:
    >>> from kamcore.money import Money
    >>> try:
    ...     Money(0.1)
    ... except ValidationError as e:
    ...     print(e.field, "|", e.expected)
    amount | a decimal string such as '0.10', an int, or a decimal.Decimal
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Self

__all__ = [
    "AccessDenied",
    "ApprovalRequired",
    "ConflictError",
    "IntegrityError",
    "KamError",
    "PolicyError",
    "RecordInvalid",
    "RecordNotFound",
    "StoreError",
    "TransitionNotAllowed",
    "ValidationError",
]

_MAX_VALUE_REPR = 60


def _short(value: object) -> str:
    """Return a ``repr`` of ``value`` short enough for a one-line message."""
    text = repr(value)
    if len(text) > _MAX_VALUE_REPR:
        text = text[: _MAX_VALUE_REPR - 3] + "..."
    return text


class KamError(Exception):
    """The base of every error kamcore raises.

    Catch this to handle anything the library refuses. Messages are one line. Errors
    pickle and copy with their attributes (for process pools and task queues).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # the constructors take keyword arguments; rebuild from the args and attributes
        return (_rebuild, (type(self), self.args, self._state()))

    def _state(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rebuild(cls: type[KamError], args: tuple[Any, ...], state: dict[str, Any]) -> KamError:
    """Recreate a pickled error without calling its keyword-only constructor."""
    err = cls.__new__(cls, *args)
    err.args = args  # OSError's __new__ ignores them when __init__ is overridden
    err.__dict__.update(state)
    return err


class ValidationError(KamError, ValueError):
    """A value was not acceptable.

    Attributes:
        field: Where the bad value was, as a dotted path (``"amount"``,
            ``"tiers[1].rate"``).
        value: The value that was refused.
        expected: What would have been accepted, in words.
        problem: What was wrong, in words.

    Examples:
        >>> e = ValidationError(field="rate", value="twelve", problem="not a number",
        ...                     expected="a fraction such as '0.08'")
        >>> str(e)
        "rate: not a number (got 'twelve'); expected a fraction such as '0.08'"
    """

    field: str
    value: object
    expected: str
    problem: str

    def __init__(
        self,
        *,
        field: str,
        value: object,
        expected: str,
        problem: str = "invalid value",
    ) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.problem = problem
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.field}: " if self.field else ""
        got = "" if self.value is None else f" (got {_short(self.value)})"
        return f"{where}{self.problem}{got}; expected {self.expected}"

    def at(self, prefix: str) -> ValidationError:
        """Return the same error with its field placed under ``prefix``.

        Args:
            prefix: The path of the enclosing record, such as ``"tiers[2]"``.

        Returns:
            A new error whose ``field`` is ``prefix.field``.
        """
        field = f"{prefix}.{self.field}" if self.field else prefix
        if self.field.startswith("["):
            field = f"{prefix}{self.field}"
        return ValidationError(
            field=field, value=self.value, expected=self.expected, problem=self.problem
        )


class RecordInvalid(ExceptionGroup, ValidationError):
    """A whole record was refused; carries every failing field at once.

    It is an :class:`ExceptionGroup` of :class:`ValidationError`, so ``except*
    ValidationError`` works, and it is itself a :class:`ValidationError` (and so a
    ``ValueError``) so that one ``except`` clause catches it too.

    Attributes:
        record: The name of the record type that was being built.
        errors: Every field error, in the order found.

    Examples:
        >>> err = RecordInvalid("Money", [
        ...     ValidationError(field="amount", value="abc", expected="a decimal"),
        ...     ValidationError(field="currency", value="??", expected="an ISO 4217 code"),
        ... ])
        >>> [e.field for e in err.errors]
        ['amount', 'currency']
    """

    record: str
    errors: tuple[ValidationError, ...]

    def __new__(cls, record: str, errors: Iterable[ValidationError]) -> Self:
        """Group ``errors`` found while building a ``record``."""
        errs = tuple(errors)
        if not errs:
            msg = "RecordInvalid needs at least one field error"
            raise ValueError(msg)
        message = cls._summary(record, errs)
        self = super().__new__(cls, message, errs)
        self.record = record
        self.errors = errs
        self.field = ""
        self.value = None
        self.expected = "; ".join(f"{e.field}: {e.expected}" for e in errs)
        self.problem = message
        return self

    def __init__(self, record: str, errors: Iterable[ValidationError]) -> None:
        super().__init__(self.problem, self.errors)

    @staticmethod
    def _summary(record: str, errs: Sequence[ValidationError]) -> str:
        count = "1 problem" if len(errs) == 1 else f"{len(errs)} problems"
        details = " | ".join(str(e) for e in errs)
        return f"invalid {record}, {count}: {details}"

    def __str__(self) -> str:
        """The one-line summary listing every problem."""
        return self.problem

    @property
    def problems(self) -> tuple[ValidationError, ...]:
        """Every problem, in the order found (the same as :attr:`errors`).

        For a table read by :mod:`kamcore.tables`, each names its file and line (and
        column), absent columns first.
        """
        return self.errors

    def derive(self, excs: Sequence[Any]) -> RecordInvalid:  # type: ignore[override]
        """Return a group of the same record with a subset of the errors."""
        return RecordInvalid(self.record, excs)


class PolicyError(KamError, ValueError):
    """A policy (scorecard, playbook, tier schedule, ...) is inconsistent.

    Raised when the policy is built, so an inconsistent policy never exists.

    Attributes:
        policy: The kind of policy, such as ``"TierSchedule"``.
        part: The offending part, such as ``"tiers[1]"`` or ``"stage 'bidding'"``.
        detail: What is wrong, without the policy and part prefix.
    """

    policy: str
    part: str
    detail: str

    def __init__(self, message: str, *, policy: str = "", part: str = "") -> None:
        self.policy = policy
        self.part = part
        self.detail = message
        prefix = policy
        if part:
            prefix = f"{policy} {part}" if policy else part
        super().__init__(f"{prefix}: {message}" if prefix else message)


class TransitionNotAllowed(KamError):
    """A move between states was refused (a stage move, an approval step, ...).

    Attributes:
        subject: What was to move (an opportunity id, a request id).
        source: The state it is in.
        target: The state it was to move to.
        failed_gates: ``(gate name, message)`` for every gate that refused.
    """

    subject: str
    source: str
    target: str
    reason: str

    def __init__(
        self,
        *,
        subject: str,
        source: str,
        target: str,
        reason: str = "",
        failed_gates: Iterable[tuple[str, str]] | Callable[[], Iterable[tuple[str, str]]] = (),
    ) -> None:
        self.subject = subject
        self.source = source
        self.target = target
        self.reason = reason
        # The message, and the list of failed gates when it is given as a function, are
        # built when first read, not when raised: a refused move is a normal, frequent
        # outcome and should cost no more than an accepted one.
        self._gates: tuple[tuple[str, str], ...] | None = None
        self._explain: Callable[[], Iterable[tuple[str, str]]] | None = None
        if callable(failed_gates):
            self._explain = failed_gates
        else:
            self._gates = tuple(failed_gates)
        super().__init__(subject, source, target)

    @classmethod
    def _deferred(
        cls,
        subject: str,
        source: str,
        target: str,
        explain: Callable[[], Iterable[tuple[str, str]]],
    ) -> TransitionNotAllowed:
        """The refusal of a gated move, built as cheaply as an accepted move costs.

        The same error as ``TransitionNotAllowed(subject=..., failed_gates=explain)``,
        without the keyword call: refusals are frequent, normal outcomes.
        """
        err = cls.__new__(cls, subject, source, target)
        err.__dict__.update(
            subject=subject, source=source, target=target, reason="", _gates=None,
            _explain=explain,
        )  # fmt: skip
        return err

    def _state(self) -> dict[str, Any]:
        state = super()._state()
        state.update(_gates=self.failed_gates, _explain=None)  # no closure in a pickle
        return state

    @property
    def failed_gates(self) -> tuple[tuple[str, str], ...]:
        """``(gate name, message)`` for every gate that refused, in the policy's order."""
        if self._gates is None:
            assert self._explain is not None  # one of the two is always set
            self._gates = tuple(self._explain())
            self._explain = None
        return self._gates

    def __str__(self) -> str:
        """Can't move SUBJECT to TARGET from SOURCE: REASON: gate 'G' failed: WHY."""
        text = f"Can't move {self.subject} to {self.target!r} from {self.source!r}"
        if self.reason:
            text += f": {self.reason}"
        if self.failed_gates:
            gates = "; ".join(f"gate {name!r} failed: {why}" for name, why in self.failed_gates)
            text += f": {gates}"
        return text


class ApprovalRequired(KamError):
    """A promise was attempted before every required approval was given.

    Attributes:
        request: The request id.
        missing: The approval steps still outstanding, in order.
    """

    request: str
    missing: tuple[str, ...]

    def __init__(self, *, request: str, missing: Iterable[str], action: str = "promise") -> None:
        self.request = request
        self.missing = tuple(missing)
        steps = ", ".join(self.missing) or "none"
        super().__init__(
            f"Can't {action} request {request!r} before it is fully approved; "
            f"still awaiting: {steps}"
        )


class AccessDenied(KamError, PermissionError):
    """An actor may not do this with this record (confidentiality, lending).

    Attributes:
        subject: The record, such as a dossier id.
        actor: Who asked.
        action: What was asked (``"lend"``, ``"read outside the archive room"``).
    """

    subject: str
    actor: str
    action: str

    def __init__(self, *, subject: str, actor: str, action: str, reason: str) -> None:
        self.subject = subject
        self.actor = actor
        self.action = action
        super().__init__(f"{actor} may not {action} {subject}: {reason}")


class StoreError(KamError):
    """Persistence failed; the store is unchanged."""


class ConflictError(StoreError):
    """A write was based on a stale revision; nothing was stored.

    Attributes:
        key: The record's key.
        expected_revision: The revision the writer based its change on.
        actual_revision: The revision the store holds.
    """

    key: str
    expected_revision: int
    actual_revision: int

    def __init__(self, *, key: str, expected_revision: int, actual_revision: int) -> None:
        vars(self).update(
            key=key, expected_revision=expected_revision, actual_revision=actual_revision
        )
        super().__init__(
            f"Stale write to {key!r}: based on revision {expected_revision}, "
            f"but the store holds revision {actual_revision}; reload and retry"
        )


class RecordNotFound(StoreError, LookupError):
    """No record with this key is stored.

    Attributes:
        key: The key that was asked for.
    """

    key: str

    def __init__(self, *, key: str, kind: str = "record") -> None:
        self.key = key
        super().__init__(f"No {kind} with key {key!r} is stored")


class IntegrityError(StoreError):
    """A stored history was altered: a revision read back does not fit the chain.

    Raised by a read whose replayed revisions do not fit their hashes, instead of
    returning that data; nothing is changed. Reads trust a snapshot whose digest
    matches (a forged snapshot with a recomputed digest is caught by ``verify``, which
    replays everything). Restore the store from a copy, and use ``verify`` to see the
    whole damage.

    Attributes:
        key: The dossier's key.
        revision: The sequence number of the first revision found not to fit.
        problem: What is wrong with it.
    """

    key: str
    revision: int
    problem: str

    def __init__(self, *, key: str, revision: int, problem: str) -> None:
        vars(self).update(key=key, revision=revision, problem=problem)
        super().__init__(
            f"The history of {key!r} does not verify at revision {revision}: {problem}; "
            "expected an unaltered hash chain (restore the store from a copy)"
        )
