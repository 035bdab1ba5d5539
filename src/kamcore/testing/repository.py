"""``RepositoryContract``: the promises every archive repository keeps.

A CRM that stores dossiers in its own database writes an adapter implementing
:class:`kamcore.store.Repository` and runs this suite against it::

    import pytest
    from kamcore.testing.repository import RepositoryContract

    class TestMyCrmRepository(RepositoryContract):
        @pytest.fixture
        def repository(self, tmp_path):
            return MyCrmRepository(tmp_path / "crm.db")   # a fresh, empty store

The suite checks optimistic concurrency (a stale write raises ``ConflictError`` naming
the revision it was based on, and stores nothing), refusal of corrupt revisions and of
revisions the domain would refuse (a key-fact change whose reason was stripped and the
hash recomputed), ``RecordNotFound`` for a later revision of an unknown dossier,
``replay_dossier`` and ``as_of``, all-or-nothing bulk import, ``RecordNotFound`` for
unknown keys, and the loan register (structural checks of a loan included).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from kamcore.archive import (
    SOURCE_LENDING_POLICY,
    Borrower,
    Dossier,
    Loan,
    Revision,
    Role,
    create,
    lend,
    replay_dossier,
    return_loan,
    review,
    revise,
    revision_hash,
)
from kamcore.errors import ConflictError, RecordNotFound, StoreError, ValidationError
from kamcore.money import Money
from kamcore.store import Repository

__all__ = ["RepositoryContract", "sample_history"]

_T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def sample_history(key: str = "K-001", length: int = 5) -> list[Revision]:
    """A valid history of ``length`` revisions, one day apart, for contract tests.

    Examples:
        >>> [r.sequence for r in sample_history(length=3)]
        [1, 2, 3]
    """
    dossier, first = create(Dossier(id=key, name="华东水务集团", grade="B"), by="li", at=_T0)
    revisions = [first]
    for i in range(1, length):
        dossier, rev = revise(
            dossier,
            {"business.transaction_volume": Money(1000 * i), "grade": "AB"[i % 2]},
            by="li",
            at=_T0 + timedelta(days=i),
            reason=f"monthly update {i}",
        )
        revisions.append(rev)
    return revisions


def _two_hour_loan(dossier: Dossier) -> Loan:
    """A two-hour loan of ``dossier`` to the general manager (who borrows directly)."""
    loan, _ = lend(
        SOURCE_LENDING_POLICY,
        dossier,
        Borrower("周总", Role.GENERAL_MANAGER),
        at=_T0,
        hours=2,
        loan_id="L-1",
    )
    return loan


class RepositoryContract:
    """Subclass in your tests and provide a ``repository`` fixture: a fresh, empty store."""

    @pytest.fixture
    def repository(self) -> Repository:
        """A fresh, empty repository (override this)."""
        raise NotImplementedError

    def test_a_new_dossier_reads_back_as_created(self, repository: Repository) -> None:
        """A new dossier reads back as created."""
        history = sample_history(length=1)
        stored = repository.add(history[0])
        assert repository.get("K-001") == stored == replay_dossier(history)
        assert repository.keys() == ("K-001",)

    def test_history_replays_to_the_current_dossier(self, repository: Repository) -> None:
        """History replays to the current dossier."""
        history = sample_history()
        for rev in history:
            repository.add(rev)
        assert repository.history("K-001") == tuple(history)
        assert replay_dossier(repository.history("K-001")) == repository.get("K-001")
        assert repository.verify("K-001").ok

    def test_as_of_gives_the_dossier_after_that_revision(self, repository: Repository) -> None:
        """As of gives the dossier after that revision."""
        history = sample_history()
        for rev in history:
            repository.add(rev)
        for n, rev in enumerate(history, start=1):
            assert repository.as_of("K-001", rev.at) == replay_dossier(history[:n])
            assert repository.at_revision("K-001", n) == replay_dossier(history[:n])
        assert repository.as_of("K-001", history[2].at.date()) == replay_dossier(history[:3])

    def test_as_of_before_creation_is_refused(self, repository: Repository) -> None:
        """As of before creation is refused."""
        repository.add(sample_history(length=1)[0])
        with pytest.raises(ValidationError):
            repository.as_of("K-001", date(2000, 1, 1))

    def test_a_stale_write_raises_conflict_and_stores_nothing(self, repository: Repository) -> None:
        """A stale write raises conflict and stores nothing."""
        history = sample_history(length=3)
        repository.add(history[0])
        repository.add(history[1])
        before = repository.history("K-001")
        with pytest.raises(ConflictError) as caught:
            repository.add(history[1])
        assert caught.value.actual_revision == 2
        with pytest.raises(ConflictError):
            repository.add(history[2], expected_revision=1)
        assert repository.history("K-001") == before

    def test_a_revision_that_skips_ahead_is_refused(self, repository: Repository) -> None:
        """A revision that skips ahead is refused."""
        history = sample_history(length=3)
        repository.add(history[0])
        with pytest.raises(ConflictError):
            repository.add(history[2])
        assert len(repository.history("K-001")) == 1

    def test_an_altered_revision_is_refused_and_nothing_stored(
        self, repository: Repository
    ) -> None:
        """An altered revision is refused and nothing stored."""
        history = sample_history(length=2)
        repository.add(history[0])
        forged = attrs.evolve(history[1], reason="nothing happened")
        with pytest.raises(StoreError):
            repository.add(forged)
        assert repository.history("K-001") == (history[0],)

    def test_a_conflict_names_the_revision_the_write_is_based_on(
        self, repository: Repository
    ) -> None:
        """A write based on revision 2 when the store holds 3 says exactly that."""
        history = sample_history(length=3)
        repository.add_all(history)
        for expected in (None, 3):
            with pytest.raises(ConflictError) as caught:
                repository.add(history[2], expected_revision=expected)
            assert str(caught.value).startswith(
                "Stale write to 'K-001': based on revision 2, but the store holds revision 3"
            )

    def test_a_later_revision_of_an_unknown_dossier_is_not_found(
        self, repository: Repository
    ) -> None:
        """Revision 2 of a dossier the store does not hold is RecordNotFound, not a conflict."""
        with pytest.raises(RecordNotFound):
            repository.add(sample_history(length=2)[1])
        assert repository.keys() == ()

    def test_a_key_fact_change_whose_reason_was_stripped_is_refused(
        self, repository: Repository
    ) -> None:
        """The store re-checks the domain: a key-fact change without a reason is refused."""
        dossier, first = create(
            Dossier(id="K-009", name="江南环保", basic={"payment_terms": "月结30天"}),  # type: ignore[arg-type]
            by="li",
            at=_T0,
        )
        _, change = revise(
            dossier, {"basic.payment_terms": "月结60天"}, by="li", at=_T0, reason="new contract"
        )
        repository.add(first)
        stripped = attrs.evolve(change, reason="")
        stripped = attrs.evolve(stripped, hash=revision_hash(stripped))
        with pytest.raises(StoreError) as caught:
            repository.add(stripped)
        assert not isinstance(caught.value, ConflictError)
        assert "basic.payment_terms" in str(caught.value)
        assert repository.history("K-009") == (first,)
        repository.add(change)
        assert repository.verify("K-009").ok

    def test_bulk_import_is_all_or_nothing(self, repository: Repository) -> None:
        """Bulk import is all or nothing."""
        good = sample_history(key="K-002", length=4)
        assert repository.add_all(good) == 4
        bad = sample_history(key="K-003", length=3)
        bad[2] = attrs.evolve(bad[2], by="somebody else")
        with pytest.raises(StoreError):
            repository.add_all(bad)
        assert repository.keys() == ("K-002",)
        assert repository.history("K-002") == tuple(good)

    def test_an_unknown_key_is_not_found(self, repository: Repository) -> None:
        """An unknown key is not found."""
        with pytest.raises(RecordNotFound):
            repository.get("nope")
        with pytest.raises(RecordNotFound):
            repository.history("nope")
        with pytest.raises(RecordNotFound):
            repository.as_of("nope", date(2026, 1, 1))

    def test_loans_are_recorded_and_returned_once(self, repository: Repository) -> None:
        """Loans are recorded and returned once."""
        dossier = repository.add(sample_history(length=1)[0])
        loan = _two_hour_loan(dossier)
        repository.record_loan(loan)
        assert repository.loans() == (loan,)
        back, _ = return_loan(loan, at=_T0 + timedelta(hours=1))
        repository.record_loan(back)
        assert repository.loans("K-001") == (back,)
        with pytest.raises(ConflictError) as again:
            repository.record_loan(loan)
        assert (again.value.expected_revision, again.value.actual_revision) == (0, 2)
        with pytest.raises(ConflictError) as twice:
            repository.record_loan(back)
        assert (twice.value.expected_revision, twice.value.actual_revision) == (1, 2)
        assert repository.loans() == (back,)
        assert repository.loans("other") == ()

    def test_a_loan_of_an_unknown_dossier_is_refused(self, repository: Repository) -> None:
        """A loan of a dossier the store does not hold is refused; the register is unchanged."""
        dossier = repository.add(sample_history(length=1)[0])
        loan = _two_hour_loan(dossier)
        with pytest.raises(RecordNotFound, match="nope"):
            repository.record_loan(attrs.evolve(loan, dossier_id="nope"))
        assert repository.loans() == ()

    def test_a_loan_due_or_returned_before_it_was_lent_is_refused(
        self, repository: Repository
    ) -> None:
        """A loan due before it was lent, or returned before, is refused; nothing changes."""
        dossier = repository.add(sample_history(length=1)[0])
        loan = _two_hour_loan(dossier)
        with pytest.raises(ValidationError) as due:
            repository.record_loan(attrs.evolve(loan, due_at=_T0 - timedelta(hours=1)))
        assert due.value.field == "loan.due_at"
        assert repository.loans() == ()
        repository.record_loan(loan)
        with pytest.raises(ValidationError) as back:
            repository.record_loan(attrs.evolve(loan, returned_at=_T0 - timedelta(minutes=1)))
        assert back.value.field == "loan.returned_at"
        assert repository.loans() == (loan,)

    def test_reviews_are_recorded_in_order_and_kept(self, repository: Repository) -> None:
        """Reviews of stored dossiers are kept in order; others are refused."""
        history = sample_history(length=3)
        repository.add_all(history)
        first = review(repository.at_revision("K-001", 2), on="2026-02-01", by="王经理")
        second = review(repository.get("K-001"), on="2026-04-01", by="王经理", findings="ok")
        repository.record_review(first)
        repository.record_review(second)
        assert repository.reviews() == (first, second)
        assert repository.reviews("K-001") == (first, second)
        assert repository.reviews("other") == ()
        with pytest.raises(RecordNotFound):
            repository.record_review(attrs.evolve(first, dossier_id="nope"))
        with pytest.raises(ValidationError):
            repository.record_review(attrs.evolve(first, revision=9))
        assert repository.reviews() == (first, second)
