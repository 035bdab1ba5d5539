"""The in-memory archive store: every state kept in a dict, for tests and short-lived tools."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from kamcore.archive import (
    DEFAULT_ARCHIVE_POLICY,
    ArchivePolicy,
    ChainCheck,
    Dossier,
    Loan,
    Review,
    Revision,
)
from kamcore.errors import RecordNotFound, ValidationError
from kamcore.store._protocol import (
    added_key,
    check_expected,
    check_loan,
    check_policy,
    check_review,
    check_sequence,
    loan_conflict,
    next_state,
    same_loan_returned,
    verify_history,
)

__all__ = ["InMemoryRepository"]


class InMemoryRepository:
    """A :class:`Repository` in a dict: every state is kept, so reads are instant.

    Thread-safe for writes (one lock).

    Args:
        policy: Which changes need a reason (default
            :data:`~kamcore.archive.DEFAULT_ARCHIVE_POLICY`): ``add`` refuses, and
            ``verify`` reports, a revision that makes such a change without one.

    Raises:
        ValidationError: ``policy`` is not an ArchivePolicy.
    """

    def __init__(self, *, policy: ArchivePolicy = DEFAULT_ARCHIVE_POLICY) -> None:
        self.policy = check_policy(policy)
        self._revisions: dict[str, list[Revision]] = {}
        self._states: dict[str, list[Dossier]] = {}
        self._loans: list[Loan] = []
        self._reviews: list[Review] = []
        self._lock = threading.Lock()

    def add(self, revision: Revision, *, expected_revision: int | None = None) -> Dossier:
        """Store a revision; see :meth:`Repository.add`."""
        with self._lock:
            return self._add(revision, expected_revision)

    def _add(self, revision: Revision, expected: int | None) -> Dossier:
        key = added_key(revision, expected)
        states = self._states.get(key, [])
        check_expected(key, revision, len(states), expected)
        state = next_state(states[-1] if states else None, revision, self.policy)
        self._revisions.setdefault(key, []).append(revision)
        self._states.setdefault(key, []).append(state)
        return state

    def add_all(self, revisions: Iterable[Revision]) -> int:
        """Bulk import, all or none; see :meth:`Repository.add_all`."""
        with self._lock:
            saved_revisions = {k: list(v) for k, v in self._revisions.items()}
            saved_states = {k: list(v) for k, v in self._states.items()}
            count = 0
            try:
                for revision in revisions:
                    self._add(revision, None)
                    count += 1
            except BaseException:
                self._revisions, self._states = saved_revisions, saved_states
                raise
            return count

    def _states_of(self, key: str) -> list[Dossier]:
        states = self._states.get(key)
        if not states:
            raise RecordNotFound(key=key, kind="dossier")
        return states

    def get(self, key: str) -> Dossier:
        """The current dossier."""
        return self._states_of(key)[-1]

    def history(self, key: str) -> tuple[Revision, ...]:
        """Every revision, oldest first."""
        self._states_of(key)
        return tuple(self._revisions[key])

    def as_of(self, key: str, at: date | datetime) -> Dossier:
        """The dossier as it stood at ``at``."""
        states = self._states_of(key)
        revisions = self._revisions[key]
        included = _as_of_index(revisions, at)
        return states[included - 1]

    def at_revision(self, key: str, sequence: int) -> Dossier:
        """The dossier right after revision ``sequence``."""
        states = self._states_of(key)
        return states[check_sequence(sequence, len(states)) - 1]

    def keys(self) -> tuple[str, ...]:
        """Every stored dossier's key, sorted."""
        return tuple(sorted(self._states))

    def verify(self, key: str) -> ChainCheck:
        """Check the stored history of ``key`` (links, hashes and the domain's rules)."""
        return verify_history(self.history(key), self.policy)

    def record_loan(self, loan: Loan) -> None:
        """Record a new loan, or the return of an open one."""
        check_loan(loan)
        with self._lock:
            self._states_of(loan.dossier_id)
            for i, stored in enumerate(self._loans):
                if stored.id == loan.id:
                    if not same_loan_returned(stored, loan):
                        raise loan_conflict(stored, loan)
                    self._loans[i] = loan
                    return
            self._loans.append(loan)

    def loans(self, key: str | None = None) -> tuple[Loan, ...]:
        """Every loan (of one dossier), in the order recorded."""
        return tuple(loan for loan in self._loans if key is None or loan.dossier_id == key)

    def record_review(self, review: Review) -> None:
        """Record a review of a stored dossier."""
        with self._lock:
            key = review.dossier_id if isinstance(review, Review) else ""
            check_review(review, len(self._states_of(key)))
            self._reviews.append(review)

    def reviews(self, key: str | None = None) -> tuple[Review, ...]:
        """Every review (of one dossier), in the order recorded."""
        return tuple(r for r in self._reviews if key is None or r.dossier_id == key)


def _as_of_index(revisions: Sequence[Revision], at: date | datetime) -> int:
    """How many revisions are included at ``at``: the longest prefix made by then."""
    if isinstance(at, datetime):
        if at.utcoffset() is None:
            raise ValidationError(
                field="at", value=at, expected="a timezone-aware datetime or a date"
            )
        moment = at
        count = next((i for i, r in enumerate(revisions) if r.at > moment), len(revisions))
    elif isinstance(at, date):
        day = at
        count = next((i for i, r in enumerate(revisions) if r.at.date() > day), len(revisions))
    else:
        raise ValidationError(field="at", value=at, expected="a date or a timezone-aware datetime")
    if count == 0:
        raise ValidationError(
            field="at",
            value=at,
            expected="a time on or after the dossier's creation",
            problem="the dossier did not exist yet",
        )
    return count
