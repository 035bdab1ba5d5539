"""The repository protocol every archive store implements, and the checks they share.

A store keeps each dossier's revisions (append-only), the loan register and the
reviews; the checks here are what every store runs before it writes, so that an
in-memory, an SQLite and a server store accept and refuse the same things.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol, runtime_checkable

import attrs

from kamcore._validate import whole
from kamcore.archive import (
    ChainCheck,
    Dossier,
    Loan,
    Review,
    Revision,
    apply,
    revision_hash,
)
from kamcore.errors import ConflictError, IntegrityError, StoreError, ValidationError

__all__ = [
    "Repository",
    "check_expected",
    "check_hash",
    "check_loan",
    "check_review",
    "check_sequence",
    "loan_conflict",
    "next_state",
    "same_loan_returned",
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

        Raises:
            ConflictError: The store holds another revision than ``expected_revision``.
            StoreError: The revision is corrupt (bad hash, broken link, does not apply).
        """
        ...

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import: store many revisions in one transaction, all or none.

        Returns:
            How many revisions were stored.

        Raises:
            ConflictError: A revision does not follow the stored head.
            StoreError: A revision is corrupt.
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
        """Check the stored history of ``key`` (never raises for a bad chain)."""
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
    if not isinstance(review, Review):
        raise ValidationError(field="review", value=review, expected="a kamcore.archive.Review")
    if not 1 <= review.revision <= head:
        raise ValidationError(
            field="review.revision",
            value=review.revision,
            expected=f"a revision of {review.dossier_id!r} from 1 to {head}",
            problem="the dossier has no such revision",
        )


def check_expected(key: str, revision: Revision, head: int, expected: int | None) -> None:
    based_on = revision.sequence - 1 if expected is None else expected
    if based_on != head or revision.sequence != head + 1:
        raise ConflictError(key=key, expected_revision=based_on, actual_revision=head)


def next_state(current: Dossier | None, revision: Revision) -> Dossier:
    """Check a revision against the stored head and apply it, or raise StoreError."""
    try:
        computed = revision_hash(revision)
    except ValidationError as exc:
        msg = f"Revision {revision.sequence} of {revision.dossier_id!r} is corrupt: {exc}"
        raise StoreError(msg) from None
    if computed != revision.hash:
        msg = (
            f"Revision {revision.sequence} of {revision.dossier_id!r} does not match its "
            "hash; it was altered after it was made"
        )
        raise StoreError(msg)
    try:
        return apply(current or Dossier(id=revision.dossier_id), revision)
    except ValidationError as exc:
        msg = f"Revision {revision.sequence} of {revision.dossier_id!r} can't be stored: {exc}"
        raise StoreError(msg) from None


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
