"""The repository protocol every archive store implements, and the checks they share.

A store keeps each dossier's revisions (append-only), the loan register and the
reviews; the checks here are what every store runs before it writes, so that an
in-memory, an SQLite and a server store accept and refuse the same things. The row
format of the SQL stores (a revision's columns, a loan's body, a snapshot's digest) and
their pure read-side checks live here too, so a revision row is the same text in SQLite
and in PostgreSQL and both stores read, replay and verify it alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol, runtime_checkable

import attrs

from kamcore import _plain as canon
from kamcore._validate import whole
from kamcore.archive import (
    DEFAULT_ARCHIVE_POLICY,
    ArchivePolicy,
    ChainCheck,
    Change,
    Dossier,
    Loan,
    Review,
    Revision,
    apply,
    revision_hash,
    verify,
)
from kamcore.errors import (
    ConflictError,
    IntegrityError,
    RecordNotFound,
    StoreError,
    ValidationError,
)

__all__ = [
    "Repository",
    "added_key",
    "as_of_cut",
    "as_of_sequence",
    "check_expected",
    "check_hash",
    "check_loan",
    "check_policy",
    "check_review",
    "check_sequence",
    "loan_body",
    "loan_conflict",
    "next_state",
    "read_loan",
    "read_revision",
    "read_snapshot",
    "replay_tail",
    "revision_row",
    "rule_problem",
    "same_loan_returned",
    "snapshot_digest",
    "verify_history",
    "verify_rows",
]


@runtime_checkable
class Repository(Protocol):
    """What kamcore needs from a store of dossiers (implement it for your CRM).

    Every method leaves the store unchanged when it raises.
    """

    def add(self, revision: Revision, *, expected_revision: int | None = None) -> Dossier:
        """Store a revision; returns the dossier it produces.

        Args:
            revision: The revision, as made by ``create`` or ``revise``.
            expected_revision: The revision the writer based the change on (default
                ``revision.sequence - 1``).

        The store re-checks what ``create`` and ``revise`` enforce (see
        :func:`rule_problem`), so a revision forged with a recomputed hash is refused too.

        Raises:
            ValidationError: ``revision`` is not a Revision, or ``expected_revision`` not
                a whole number ≥ 0.
            RecordNotFound: The store holds no revision of the dossier and this is not
                its first.
            ConflictError: The store holds another revision than the one the write is
                based on (``revision.sequence - 1``), or than ``expected_revision``;
                the message names both.
            StoreError: The revision is corrupt (bad hash, broken link, does not apply)
                or breaks a rule of the domain (a key-fact change without a reason).
        """
        ...

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import: store many revisions in one transaction, all or none.

        Returns:
            How many revisions were stored.

        Raises:
            ValidationError: As :meth:`add`, for the first revision that fails.
            RecordNotFound: As :meth:`add`; nothing is stored.
            ConflictError: A revision does not follow the stored head.
            StoreError: A revision is corrupt or breaks a rule of the domain.
        """
        ...

    def get(self, key: str) -> Dossier:
        """The current dossier. Raises RecordNotFound, IntegrityError."""
        ...

    def history(self, key: str) -> tuple[Revision, ...]:
        """Every revision, oldest first, chain verified. Raises RecordNotFound, IntegrityError."""
        ...

    def as_of(self, key: str, at: date | datetime) -> Dossier:
        """The dossier as it stood at ``at``, cut as :func:`kamcore.archive.as_of` cuts it.

        Raises RecordNotFound, ValidationError, IntegrityError.
        """
        ...

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``. Raises RecordNotFound, IntegrityError."""
        ...

    def keys(self) -> tuple[str, ...]:
        """Every stored dossier's key, sorted."""
        ...

    def verify(self, key: str) -> ChainCheck:
        """Check the stored history of ``key``: links, hashes, and the domain's rules.

        Never raises for a bad chain; names the first bad revision. Raises
        RecordNotFound for an unknown key.
        """
        ...

    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open loan (nothing else changes).

        The store checks the loan's structure, not the lending policy: ``lend`` decides
        who may borrow what, the store keeps the register.

        Raises:
            RecordNotFound: The loan's dossier is not stored.
            ValidationError: Not a loan, due before (or when) it was lent, or returned
                before it was lent.
            ConflictError: The loan id is taken by another loan, or already returned.
        """
        ...

    def loans(self, key: str | None = None) -> tuple[Loan, ...]:
        """Every loan (of one dossier when ``key`` is given), in the order recorded."""
        ...

    def record_review(self, review: Review) -> None:
        """Record a review (档案检查) of a stored dossier; reviews are never removed.

        Raises:
            RecordNotFound: The dossier is not stored.
            ValidationError: The review names a revision the dossier has not reached.
        """
        ...

    def reviews(self, key: str | None = None) -> tuple[Review, ...]:
        """Every review (of one dossier when ``key`` is given), in the order recorded."""
        ...


def same_loan_returned(stored: Loan, loan: Loan) -> bool:
    """Whether ``loan`` is ``stored`` (still open) with its return recorded, nothing else."""
    return (
        stored.returned_at is None
        and loan.returned_at is not None
        and attrs.evolve(stored, returned_at=loan.returned_at) == loan
    )


def loan_conflict(stored: Loan, loan: Loan) -> ConflictError:
    """A loan's own revisions: 1 when lent, 2 when returned."""
    return ConflictError(
        key=f"loan {loan.id}",
        expected_revision=0 if loan.returned_at is None else 1,
        actual_revision=1 if stored.returned_at is None else 2,
    )


def check_loan(loan: Loan) -> None:
    """The structural checks of a loan record (the lending policy is ``lend``'s job)."""
    if not isinstance(loan, Loan):
        raise ValidationError(field="loan", value=loan, expected="a kamcore.archive.Loan")
    if loan.due_at <= loan.lent_at:
        raise ValidationError(
            field="loan.due_at",
            value=loan.due_at,
            expected=f"a time after it was lent ({loan.lent_at.isoformat()})",
            problem=f"loan {loan.id} is due before it was lent",
        )
    if loan.returned_at is not None and loan.returned_at < loan.lent_at:
        raise ValidationError(
            field="loan.returned_at",
            value=loan.returned_at,
            expected=f"a time on or after it was lent ({loan.lent_at.isoformat()})",
            problem=f"loan {loan.id} came back before it was lent",
        )


def check_review(review: Review, head: int) -> None:
    """Raise ValidationError unless ``review`` is a review of one of ``head`` revisions."""
    if not isinstance(review, Review):
        raise ValidationError(field="review", value=review, expected="a kamcore.archive.Review")
    if not 1 <= review.revision <= head:
        raise ValidationError(
            field="review.revision",
            value=review.revision,
            expected=f"a revision of {review.dossier_id!r} from 1 to {head}",
            problem="the dossier has no such revision",
        )


def check_policy(policy: object) -> ArchivePolicy:
    """``policy`` if it is an :class:`~kamcore.archive.ArchivePolicy` (a store's argument)."""
    if not isinstance(policy, ArchivePolicy):
        raise ValidationError(
            field="policy",
            value=policy,
            expected="a kamcore.archive.ArchivePolicy (which changes need a reason)",
        )
    return policy


def added_key(revision: object, expected: object) -> str:
    """The dossier a revision to add is of, once the arguments of ``add`` are checked.

    Raises:
        ValidationError: ``revision`` is not a Revision, or ``expected_revision`` not a
            whole number ≥ 0 (nor ``None``).
        StoreError: The revision's dossier id or sequence is not one a revision can have.
    """
    if not isinstance(revision, Revision):
        raise ValidationError(
            field="revision", value=revision, expected="a kamcore.archive.Revision"
        )
    if expected is not None:
        whole(expected, "expected_revision", low=0, expected="a revision number ≥ 0, or None")
    key, sequence = revision.dossier_id, revision.sequence
    if not isinstance(key, str) or not key:
        msg = f"A revision to store is corrupt: its dossier id is {key!r}, not a non-empty text"
        raise StoreError(msg)
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
        msg = (
            f"A revision of {key!r} is corrupt: its sequence is {sequence!r}, "
            "not a whole number ≥ 1"
        )
        raise StoreError(msg)
    return key


def check_expected(key: str, revision: Revision, head: int, expected: int | None) -> None:
    """Raise unless ``revision`` follows the stored ``head`` and the writer expected it.

    A revision is always based on the one before it (``sequence - 1``); that is the
    revision a conflict names, so a write based on revision 6 when the store holds 7
    says so. When the revision fits the head but the writer's ``expected`` does not, the
    conflict names ``expected``.

    Raises:
        RecordNotFound: The store holds no revision of ``key`` and ``revision`` is not
            its first.
        ConflictError: The store holds another revision than the one the write is
            based on.
    """
    based_on = revision.sequence - 1
    if head == 0 and based_on > 0:
        raise RecordNotFound(key=key, kind="dossier")
    if based_on != head:
        raise ConflictError(key=key, expected_revision=based_on, actual_revision=head)
    if expected is not None and expected != head:
        raise ConflictError(key=key, expected_revision=expected, actual_revision=head)


def rule_problem(revision: Revision, policy: ArchivePolicy) -> str | None:
    """What the domain would refuse in a revision that applies, or ``None``.

    The rules ``create`` and ``revise`` follow (and a recomputed hash would not show):
    every revision changes something and names who made it; the first names the
    account; a change the ``policy`` marks (a key fact, a marked change of a watched
    figure, 动态管理) carries a reason.
    """
    if not revision.changes:
        return "it changes nothing (a revision records at least one change)"
    if not isinstance(revision.by, str) or not revision.by.strip():
        return f"it does not say who made it (by is {revision.by!r})"
    if revision.sequence == 1:
        named = [str(c.new_value()).strip() for c in revision.changes if c.field == "name"]
        return None if any(named) else "it creates the dossier without the account's name"
    if isinstance(revision.reason, str) and revision.reason.strip():
        return None
    needing = [
        c.field
        for c in revision.changes
        if policy.needs_reason(c.field, c.old_value(), c.new_value())
    ]
    return (
        (
            f"a change of {', '.join(needing)} must record why (动态管理), "
            f"but its reason is {revision.reason!r}"
        )
        if needing
        else None
    )


def next_state(
    current: Dossier | None,
    revision: Revision,
    policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
) -> Dossier:
    """Check a revision against the stored head and the domain's rules, and apply it.

    Raises:
        StoreError: The revision is corrupt, does not match its hash, does not apply to
            the stored head, or breaks a rule of :func:`rule_problem`.
    """
    where = f"Revision {revision.sequence} of {revision.dossier_id!r}"
    try:
        computed = revision_hash(revision)
    except ValidationError as exc:
        msg = f"{where} is corrupt: {exc}"
        raise StoreError(msg) from None
    if computed != revision.hash:
        msg = f"{where} does not match its hash; it was altered after it was made"
        raise StoreError(msg)
    try:
        state = apply(current or Dossier(id=revision.dossier_id), revision)
    except ValidationError as exc:
        msg = f"{where} can't be stored: {exc}"
        raise StoreError(msg) from None
    problem = rule_problem(revision, policy)
    if problem is not None:
        msg = f"{where} can't be stored: {problem}"
        raise StoreError(msg)
    return state


def check_hash(key: str, revision: Revision) -> None:
    """Raise IntegrityError unless ``revision`` still matches its hash."""
    try:
        fits = revision_hash(revision) == revision.hash
    except ValidationError as exc:
        raise IntegrityError(
            key=key, revision=revision.sequence, problem=f"it is unreadable (altered): {exc}"
        ) from None
    if not fits:
        raise IntegrityError(
            key=key,
            revision=revision.sequence,
            problem="its content does not match its hash (altered)",
        )


def check_sequence(sequence: object, head: int) -> int:
    """``sequence`` if it names one of the ``head`` revisions a dossier has (1 to ``head``)."""
    return whole(sequence, "sequence", low=1, high=head, expected=f"a revision 1–{head}")


# -- the row format of the SQL stores ---------------------------------------------------


def revision_row(revision: Revision) -> tuple[str, int, str, str, str, str, str, str]:
    """The stored columns of a revision, as text: exactly what its hash was taken over.

    The columns are ``dossier_id, sequence, at, by, reason, changes, previous_hash,
    hash``; ``at`` is the ISO text of the revision's own time (its offset kept), and
    ``changes`` the faithful JSON of ``[[field, old, new], ...]``.
    """
    return (
        revision.dossier_id,
        revision.sequence,
        revision.at.isoformat(),
        revision.by,
        revision.reason,
        canon.dumps([[c.field, c.old, c.new] for c in revision.changes]),
        revision.previous_hash,
        revision.hash,
    )


def read_revision(row: Sequence[Any]) -> Revision:
    """Rebuild a revision from the columns :func:`revision_row` wrote.

    Raises:
        IntegrityError: The row is unreadable (it was altered in the database).
    """
    try:
        changes = tuple(Change(f, o, n) for f, o, n in canon.loads(row[5]))
        return Revision(
            dossier_id=row[0],
            sequence=row[1],
            at=datetime.fromisoformat(row[2]),
            by=row[3],
            reason=row[4],
            changes=changes,
            previous_hash=row[6],
            hash=row[7],
        )
    except (ValidationError, ValueError, TypeError) as exc:
        raise IntegrityError(
            key=str(row[0]),
            revision=row[1],
            problem=f"the row is unreadable (altered in the store): {exc}",
        ) from None


def loan_body(loan: Loan) -> str:
    """A loan's stored body: its faithful JSON without the return (a column of its own)."""
    return canon.dumps({**canon.to_plain(loan), "returned_at": None})


def read_loan(body: str, returned_at: str | None) -> Loan:
    """Rebuild a loan from its stored body and the ISO text of its return (or ``None``)."""
    plain = canon.loads(body)
    plain["returned_at"] = returned_at
    loan: Loan = canon.from_plain(Loan, plain)
    return loan


def snapshot_digest(state_text: str, head_hash: str) -> str:
    """The digest stored with a snapshot: SHA-256 of its text and its revision's hash."""
    return canon.sha256_hex(state_text + head_hash)


def read_snapshot(sequence: int, state_text: str, digest: str, head_hash: str) -> Dossier | None:
    """The dossier a snapshot holds, or ``None`` if it is damaged (reads then replay)."""
    if snapshot_digest(state_text, head_hash) != digest:
        return None  # a damaged snapshot is ignored; the history is replayed instead
    try:
        state: Dossier = canon.from_plain(Dossier, canon.loads(state_text))
    except ValidationError:  # pragma: no cover - digest matched, so the text is ours
        return None
    return state if state.revision == sequence and state.head == head_hash else None


def replay_tail(key: str, start: Dossier | None, tail: Iterable[Revision]) -> Dossier:
    """Apply the revisions read after a snapshot (or from the first), checking each.

    Only the replayed tail is checked (at most ``snapshot_every - 1`` revisions): its
    hashes here, its links by ``apply``. ``history`` and ``verify`` check it all.

    Raises:
        RecordNotFound: Nothing to replay and no snapshot: the dossier is not stored.
        IntegrityError: A revision of the tail was altered or does not replay.
    """
    state = start
    for revision in tail:
        check_hash(key, revision)
        try:
            state = apply(state or Dossier(id=revision.dossier_id), revision)
        except ValidationError as exc:
            raise IntegrityError(
                key=key, revision=revision.sequence, problem=f"it does not replay: {exc}"
            ) from None
    if state is None:
        raise RecordNotFound(key=key, kind="dossier")
    return state


def as_of_cut(at: date | datetime) -> tuple[Literal["at_utc", "day"], date | datetime]:
    """Which column ``as_of`` compares and the bound: a UTC time, or a local day.

    Raises:
        ValidationError: ``at`` is a naive datetime or not a date at all.
    """
    if isinstance(at, datetime):
        if at.utcoffset() is None:
            raise ValidationError(
                field="at", value=at, expected="a timezone-aware datetime or a date"
            )
        return "at_utc", at
    if isinstance(at, date):
        return "day", at
    raise ValidationError(field="at", value=at, expected="a date or a timezone-aware datetime")


def as_of_sequence(at: date | datetime, head: int, later: int | None) -> int:
    """The revision ``as_of`` stands at: the one before the first made ``later``.

    Raises:
        ValidationError: The dossier did not exist yet at ``at``.
    """
    count = head if later is None else later - 1
    if count == 0:
        raise ValidationError(
            field="at",
            value=at,
            expected="a time on or after the dossier's creation",
            problem="the dossier did not exist yet",
        )
    return min(count, head)


def _first_broken_rule(revisions: Sequence[Revision], policy: ArchivePolicy) -> ChainCheck | None:
    """The first revision (of a chain that applies) the domain would refuse, as a check."""
    for position, revision in enumerate(revisions, start=1):
        problem = rule_problem(revision, policy)
        if problem is not None:
            return ChainCheck(ok=False, checked=position - 1, first_bad=position, problem=problem)
    return None


def verify_history(
    revisions: Sequence[Revision], policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY
) -> ChainCheck:
    """:func:`kamcore.archive.verify`, and the domain's rules (:func:`rule_problem`) too.

    A revision whose hash fits but that the domain would have refused (its reason
    stripped and the hash recomputed, in the database) is reported like an altered one.
    """
    check = verify(revisions)
    fitting = revisions if check.ok else revisions[: check.checked]
    return _first_broken_rule(fitting, policy) or check


def verify_rows(
    key: str,
    rows: Sequence[Sequence[Any]],
    snapshots: Iterable[tuple[int, str, str]] = (),
    policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY,
) -> ChainCheck:
    """Check stored revision rows and the snapshots ``(sequence, state, digest)`` of them.

    An unreadable row counts as a bad revision, and so does one the domain would
    refuse (:func:`verify_history`). A snapshot that is not exactly the replay of the
    history at its revision (or whose digest does not fit) is reported like a bad
    revision at that sequence, its ``problem`` naming the snapshot.
    """
    revisions: list[Revision] = []
    for position, row in enumerate(rows, start=1):
        try:
            revisions.append(read_revision(row))
        except IntegrityError as exc:
            check = verify_history(revisions, policy)
            if not check.ok:
                return check
            return ChainCheck(
                ok=False, checked=position - 1, first_bad=position, problem=exc.problem
            )
    check = verify_history(revisions, policy)
    if not check.ok:  # only the snapshots of the revisions before the bad one count
        good = revisions[: check.checked]
        snapshots = [s for s in snapshots if s[0] <= check.checked]
        return _verify_snapshots(key, good, snapshots) or check
    return _verify_snapshots(key, revisions, snapshots) or check


def _verify_snapshots(
    key: str, revisions: Sequence[Revision], snapshots: Iterable[tuple[int, str, str]]
) -> ChainCheck | None:
    """The first snapshot that is not the replay at its sequence, as a bad check."""
    state: Dossier | None = None
    for sequence, text, digest in snapshots:

        def bad(problem: str, at: int = sequence) -> ChainCheck:
            return ChainCheck(
                ok=False,
                checked=at - 1,
                first_bad=at,
                problem=f"the snapshot at revision {at} {problem}",
            )

        if not 1 <= sequence <= len(revisions):
            return bad(f"is of a revision the history does not hold (1–{len(revisions)})")
        while state is None or state.revision < sequence:
            state = apply(state or Dossier(id=key), revisions[state.revision if state else 0])
        if snapshot_digest(text, revisions[sequence - 1].hash) != digest:
            return bad("does not match its digest (altered)")
        try:
            stored: Dossier = canon.from_plain(Dossier, canon.loads(text))
        except ValidationError as exc:
            return bad(f"is unreadable (altered): {exc}")
        if stored != state:
            return bad("is not the replay of the history there (altered)")
    return None
