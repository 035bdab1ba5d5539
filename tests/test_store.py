"""The archive's stores: the contract, stateful histories, crashes and tampering."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kamcore import _plain as canon
from kamcore.archive import (
    SOURCE_LENDING_POLICY,
    Approval,
    Borrower,
    ChainCheck,
    Confidentiality,
    Dossier,
    Participant,
    Revision,
    Role,
    as_of,
    at_revision,
    create,
    lend,
    plan_call,
    replay_dossier,
    return_loan,
    revise,
    verify,
)
from kamcore.errors import (
    AccessDenied,
    ConflictError,
    IntegrityError,
    RecordNotFound,
    StoreError,
    ValidationError,
)
from kamcore.money import Money
from kamcore.store import InMemoryRepository, Repository, SQLiteRepository
from kamcore.strategies import dossier_changes
from kamcore.testing.repository import RepositoryContract, sample_history

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SRC = str(Path(__file__).resolve().parent.parent / "src")


class TestInMemoryRepositoryKeepsTheContract(RepositoryContract):
    @pytest.fixture
    def repository(self) -> Repository:
        return InMemoryRepository()


class TestSQLiteRepositoryKeepsTheContract(RepositoryContract):
    @pytest.fixture
    def repository(self, tmp_path: Path) -> Repository:
        return SQLiteRepository(tmp_path / "archive.db", snapshot_every=2)


def test_both_stores_are_repositories(tmp_path: Path) -> None:
    assert isinstance(InMemoryRepository(), Repository)
    with SQLiteRepository(tmp_path / "a.db") as repo:
        assert isinstance(repo, Repository)


def test_a_reopened_sqlite_store_holds_every_revision(tmp_path: Path) -> None:
    history = sample_history(length=40)
    with SQLiteRepository(tmp_path / "a.db", snapshot_every=8) as repo:
        repo.add_all(history[:20])
        for rev in history[20:]:
            repo.add(rev)
    with SQLiteRepository(tmp_path / "a.db") as again:
        assert again.get("K-001") == replay_dossier(history)
        assert again.at_revision("K-001", 17) == replay_dossier(history[:17])
        assert again.verify("K-001").ok


def test_a_second_writer_with_a_stale_copy_gets_a_conflict(tmp_path: Path) -> None:
    history = sample_history(length=2)
    with SQLiteRepository(tmp_path / "a.db") as one, SQLiteRepository(tmp_path / "a.db") as two:
        one.add(history[0])
        current = two.get("K-001")
        mine, rev_one = revise(current, {"grade": "A"}, by="a", at=T0 + timedelta(1))
        _, rev_two = revise(current, {"grade": "C"}, by="b", at=T0 + timedelta(1))
        one.add(rev_one)
        with pytest.raises(ConflictError):
            two.add(rev_two)
        assert two.get("K-001") == mine
        assert two.history("K-001") == (history[0], rev_one)


def test_revision_rows_can_not_be_updated_or_deleted(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path) as repo:
        repo.add_all(sample_history(length=3))
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE revisions SET reason = 'x' WHERE sequence = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM revisions")
    db.close()


def test_a_loan_record_changes_only_by_its_return(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path) as repo:
        d = repo.add(sample_history(length=1)[0])
        repo.record_loan(
            lend(
                SOURCE_LENDING_POLICY,
                d,
                Borrower("周总", Role.EXECUTIVE),
                at=T0,
                hours=1,
                loan_id="L-1",
            )[0]
        )
    db = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="never removed"):
        db.execute("DELETE FROM loans")
    with pytest.raises(sqlite3.DatabaseError, match="only by its return"):
        db.execute("UPDATE loans SET body = '{}'")
    db.close()


def _flip_one_byte(path: Path, needle: bytes, offset: int) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(needle)
    assert at >= 0, "the text to alter is in the file"
    assert data.find(needle, at + 1) < 0, "the text to alter is in the file once"
    data[at + offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("needle", "offset"),
    [
        (b"monthly update 3", 0),  # the reason
        (b'2000,\\"currency\\":\\"CNY\\"}","{\\"amount\\":3000', -4),  # a new value
        (b'2000,\\"currency\\":\\"CNY\\"}","{\\"amount\\":3000', 0),  # an old value
    ],
)
def test_a_single_altered_byte_in_the_history_is_detected(
    tmp_path: Path, needle: bytes, offset: int
) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path) as repo:
        repo.add_all(sample_history(length=6))
    _flip_one_byte(path, needle, offset)
    with SQLiteRepository(path) as repo:
        check = repo.verify("K-001")
        assert not check.ok
        assert check.first_bad == 4
        with pytest.raises(StoreError, match="revision 4"):
            repo.history("K-001")


def test_an_altered_row_with_the_trigger_dropped_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path) as repo:
        repo.add_all(sample_history(length=5))
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER revisions_append_only_update")
    db.execute("UPDATE revisions SET by = 'mallory' WHERE sequence = 3")
    db.commit()
    db.close()
    with SQLiteRepository(path) as repo:
        check = repo.verify("K-001")
    assert (check.ok, check.first_bad, check.checked) == (False, 3, 2)
    assert "altered" in check.problem


def test_an_unreadable_row_is_reported_as_the_first_bad_revision(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path) as repo:
        repo.add_all(sample_history(length=3))
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER revisions_append_only_update")
    db.execute("UPDATE revisions SET changes = '[[' WHERE sequence = 2")
    db.commit()
    db.close()
    with SQLiteRepository(path) as repo:
        check = repo.verify("K-001")
        assert (check.ok, check.first_bad) == (False, 2)
        with pytest.raises(StoreError, match="unreadable"):
            repo.history("K-001")


def test_a_damaged_snapshot_is_ignored_and_the_history_replayed(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    history = sample_history(length=6)
    with SQLiteRepository(path, snapshot_every=2) as repo:
        repo.add_all(history)
    db = sqlite3.connect(path)
    db.execute("UPDATE snapshots SET state = replace(state, '华东', '华西')")
    db.commit()
    db.close()
    with SQLiteRepository(path, snapshot_every=2) as repo:
        assert repo.at_revision("K-001", 5) == replay_dossier(history[:5])
        assert repo.get("K-001") == replay_dossier(history)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from kamcore.archive import Dossier, create, revise
    from kamcore.money import Money
    from kamcore.store import SQLiteRepository

    repo = SQLiteRepository(sys.argv[1])
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    dossier, rev = create(Dossier(id="K-1", name="crash test"), by="w", at=t0)
    repo.add(rev)
    i = 0
    while True:
        i += 1
        if i == 30:
            # a bulk import that is killed half-way: none of it may survive
            def slow():
                global dossier
                for j in range(10**9):
                    dossier, r = revise(dossier, {"grade": "AB"[j % 2]}, by="w",
                                        at=t0 + timedelta(seconds=i, milliseconds=j))
                    if j == 5:
                        print("BULK", flush=True)
                    yield r
            repo.add_all(slow())
        dossier, rev = revise(dossier, {"business.transaction_volume": Money(i)}, by="w",
                              at=t0 + timedelta(seconds=i), reason="tick")
        repo.add(rev)
        print(i, flush=True)
    """
)


def test_a_writer_killed_mid_transaction_leaves_every_commit_and_no_partial_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crash.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    committed = 0
    for line in proc.stdout:
        if line.startswith("BULK"):
            time.sleep(0.05)
            break
        committed = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert committed == 29
    with SQLiteRepository(path) as repo:
        history = repo.history("K-1")
        assert repo.verify("K-1").ok
        assert len(history) == 1 + committed
        assert repo.get("K-1").business.transaction_volume == Money(committed)
        assert repo.get("K-1") == replay_dossier(history)


# -- bad input: the right error and the store unchanged ----------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    if request.param == "memory":
        return InMemoryRepository()
    return SQLiteRepository(tmp_path / "bad.db")


def _snapshot(repo: Repository) -> tuple[object, ...]:
    keys = repo.keys()
    return tuple((k, repo.history(k)) for k in keys), repo.loans()


def _secret(repo: Repository, level: Confidentiality) -> Dossier:
    _, r = create(
        Dossier(
            id="K-S", name="某集团", confidentiality=level, basic={"registered_capital": Money(100)}
        ),  # type: ignore[arg-type]
        by="li",
        at=T0,
    )
    return repo.add(r)


def test_a_key_fact_change_without_a_reason_is_refused(repo: Repository) -> None:
    d = _secret(repo, Confidentiality.UNCLASSIFIED)
    before = _snapshot(repo)
    with pytest.raises(ValidationError, match="must record why") as caught:
        revise(d, {"basic.registered_capital": Money(500)}, by="li", at=T0)
    assert caught.value.field == "reason"
    assert _snapshot(repo) == before


def test_a_stale_write_is_refused(repo: Repository) -> None:
    d = _secret(repo, Confidentiality.UNCLASSIFIED)
    _, first = revise(d, {"grade": "A"}, by="li", at=T0)
    _, second = revise(d, {"grade": "B"}, by="wang", at=T0)
    repo.add(first)
    before = _snapshot(repo)
    with pytest.raises(ConflictError):
        repo.add(second)
    assert _snapshot(repo) == before


def test_lending_a_confidential_dossier_is_refused(repo: Repository) -> None:
    d = _secret(repo, Confidentiality.CONFIDENTIAL)
    before = _snapshot(repo)
    gm = Approval(by="周总", role=Role.GENERAL_MANAGER)
    with pytest.raises(AccessDenied, match="机密"):
        lend(
            SOURCE_LENDING_POLICY,
            d,
            Borrower("周总", Role.GENERAL_MANAGER),
            at=T0,
            hours=1,
            loan_id="L-1",
            approval=gm,
        )
    assert _snapshot(repo) == before


def test_a_five_hour_loan_of_a_secret_dossier_is_refused(repo: Repository) -> None:
    d = _secret(repo, Confidentiality.SECRET)
    before = _snapshot(repo)
    gm = Approval(by="周总", role=Role.DEPUTY_GENERAL_MANAGER)
    with pytest.raises(AccessDenied, match="at most 4 hours"):
        lend(
            SOURCE_LENDING_POLICY,
            d,
            Borrower("小李", Role.STAFF),
            at=T0,
            hours=5,
            loan_id="L-1",
            approval=gm,
        )
    assert _snapshot(repo) == before


def test_an_unknown_contact_in_a_call_plan_is_refused(repo: Repository) -> None:
    d = _secret(repo, Confidentiality.UNCLASSIFIED)
    before = _snapshot(repo)
    with pytest.raises(ValidationError, match="unknown contact"):
        plan_call(
            d,
            plan_id="CP-1",
            executive="周总",
            at=T0,
            purpose="budget",
            theirs=[Participant("赵总", contact_id="zhao")],
        )
    assert _snapshot(repo) == before


# -- stateful: random revisions, reads, loans and returns against both stores ------------


class ArchiveStoreMachine(RuleBasedStateMachine):
    """Both stores, driven by the same random steps, agree with a plain list of revisions."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(os.environ["KAM_STATEFUL_TMP"])
        self.db = self.tmp / f"m{id(self)}_{time.monotonic_ns()}.db"
        self.stores: list[Repository] = [
            InMemoryRepository(),
            SQLiteRepository(self.db, snapshot_every=3, synchronous="NORMAL"),
        ]
        self.history: list = []
        self.states: list[Dossier] = []
        self.loans: dict[str, object] = {}
        self.clock = T0

    @initialize()
    def create_a_dossier(self) -> None:
        d, r = create(
            Dossier(
                id="K-1",
                name="华东水务",
                grade="B",
                basic={"registered_capital": Money(100)},  # type: ignore[arg-type]
            ),
            by="li",
            at=self.clock,
        )
        for s in self.stores:
            s.add(r)
        self.history.append(r)
        self.states.append(d)

    def values(self) -> list[tuple[object, ...]]:
        """What each store holds, as values (compared by equality, never by identity)."""
        return [(s.history("K-1"), s.get("K-1"), s.loans(), s.keys()) for s in self.stores]

    def store(self, d: Dossier, r: Revision) -> None:
        for s in self.stores:
            assert s.add(r) == d
        self.history.append(r)
        self.states.append(d)

    @rule(changes=dossier_changes(), minutes=st.integers(0, 3000), with_reason=st.booleans())
    def revise_it(self, changes: dict, minutes: int, with_reason: bool) -> None:
        self.clock += timedelta(minutes=minutes)
        before = self.values()
        try:
            d, r = revise(
                self.states[-1],
                changes,
                by="wang",
                at=self.clock,
                reason="update" if with_reason else "",
            )
        except ValidationError as exc:
            refused = exc
        else:
            self.store(d, r)
            return
        # a change that needs a reason is refused only when none was given
        assert refused.field != "reason" or not with_reason
        assert self.values() == before

    @precondition(lambda self: self.states[-1].basic.registered_capital is not None)
    @rule(minutes=st.integers(0, 3000))
    def a_key_fact_change_without_a_reason_is_refused(self, minutes: int) -> None:
        current = self.states[-1]
        capital = current.basic.registered_capital
        assert capital is not None
        before = self.values()
        with pytest.raises(ValidationError, match="must record why") as caught:
            revise(
                current,
                {"basic.registered_capital": capital + Money(1, capital.currency)},
                by="eve",
                at=self.clock + timedelta(minutes=minutes),
            )
        assert caught.value.field == "reason"
        assert self.values() == before

    def classify(self, level: Confidentiality) -> Dossier:
        current = self.states[-1]
        if current.confidentiality is not level:
            d, r = revise(
                current, {"confidentiality": level}, by="li", at=self.clock, reason="classified"
            )
            self.store(d, r)
        return self.states[-1]

    @rule(level=st.sampled_from(Confidentiality))
    def classify_it(self, level: Confidentiality) -> None:
        self.classify(level)

    @rule()
    def a_stale_write_changes_nothing(self) -> None:
        if len(self.states) < 2:
            return
        old = self.states[-2]
        try:
            _, r = revise(old, {"name": old.name + "x"}, by="eve", at=self.clock)
        except ValidationError:  # pragma: no cover - the name always changes
            return
        before = self.values()
        for s in self.stores:
            with pytest.raises(ConflictError):
                s.add(r)
        assert self.values() == before

    @rule(data=st.data())
    def read_an_old_state(self, data: st.DataObject) -> None:
        n = data.draw(st.integers(1, len(self.history)))
        rev = self.history[n - 1]
        for s in self.stores:
            assert s.at_revision("K-1", n) == self.states[n - 1]
            # as_of a revision's time gives the state after the last revision made then
            last = max(i for i, r in enumerate(self.history) if r.at <= rev.at)
            assert s.as_of("K-1", rev.at) == self.states[last]

    @precondition(
        lambda self: (
            self.states[-1].confidentiality
            in (Confidentiality.UNCLASSIFIED, Confidentiality.SECRET)
        )
    )
    @rule(hours=st.integers(1, 6), role=st.sampled_from(Role))
    def lend_it(self, hours: int, role: Role) -> None:
        loan_id = f"L-{len(self.loans) + 1}"
        current = self.states[-1]
        if current.confidentiality is Confidentiality.SECRET:
            hours = min(hours, 4)
            approval = Approval(by="周总", role=Role.DEPUTY_GENERAL_MANAGER)
        else:
            approval = Approval(
                by="办公室",
                role=Role.OFFICE_DIRECTOR,
                requested_by="部门经理",
                requester_role=Role.DEPARTMENT_MANAGER,
            )
        loan, _ = lend(
            SOURCE_LENDING_POLICY,
            current,
            Borrower("x", role),
            at=self.clock,
            hours=hours,
            loan_id=loan_id,
            approval=approval,
        )
        for s in self.stores:
            s.record_loan(loan)
        self.loans[loan_id] = loan

    @rule(
        case=st.sampled_from(
            [
                (Confidentiality.SECRET, None, 2, "need the approval"),
                (Confidentiality.SECRET, Role.OFFICE_DIRECTOR, 2, "need the approval"),
                (Confidentiality.SECRET, Role.GENERAL_MANAGER, 5, "at most 4 hours"),
                (Confidentiality.CONFIDENTIAL, Role.GENERAL_MANAGER, 1, "never lent"),
                (Confidentiality.TOP_SECRET, Role.GENERAL_MANAGER, 1, "never lent"),
                (Confidentiality.UNCLASSIFIED, Role.GENERAL_MANAGER, 1, "need the approval"),
            ]
        )
    )
    def a_refused_loan_changes_nothing(
        self, case: tuple[Confidentiality, Role | None, int, str]
    ) -> None:
        level, approver, hours, why = case
        dossier = self.classify(level)
        approval = None if approver is None else Approval(by="周总", role=approver)
        before = self.values()
        with pytest.raises(AccessDenied, match=why):
            lend(
                SOURCE_LENDING_POLICY,
                dossier,
                Borrower("小李", Role.STAFF),
                at=self.clock,
                hours=hours,
                loan_id=f"L-{len(self.loans) + 1}",
                approval=approval,
            )
        assert self.values() == before

    @precondition(lambda self: any(lo.returned_at is None for lo in self.loans.values()))
    @rule(data=st.data())
    def return_a_loan(self, data: st.DataObject) -> None:
        open_ids = sorted(k for k, lo in self.loans.items() if lo.returned_at is None)
        loan_id = data.draw(st.sampled_from(open_ids))
        back, _ = return_loan(self.loans[loan_id], at=self.clock + timedelta(hours=1))
        for s in self.stores:
            s.record_loan(back)
        self.loans[loan_id] = back

    @invariant()
    def every_store_agrees_with_the_history(self) -> None:
        for s in self.stores:
            history = s.history("K-1")
            assert history == tuple(self.history)
            assert s.get("K-1") == self.states[-1] == replay_dossier(history)
            assert verify(history).ok
            assert s.loans() == tuple(self.loans.values())

    def teardown(self) -> None:
        store = self.stores[1]
        assert isinstance(store, SQLiteRepository)
        store.close()
        with SQLiteRepository(self.db) as again:
            assert again.get("K-1") == self.states[-1]
            assert again.verify("K-1").ok
        # one altered byte in the file's history is detected, and the revision named
        n = len(self.history) // 2 + 1
        rev = self.history[n - 1]
        _flip_one_byte(self.db, (rev.previous_hash + rev.hash).encode(), 64 + 10)
        with SQLiteRepository(self.db) as tampered:
            check = tampered.verify("K-1")
        assert (check.ok, check.first_bad) == (False, n)


ArchiveStoreMachine.TestCase.settings = settings(
    max_examples=25 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 50,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def _stateful_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_STATEFUL_TMP", str(tmp_path))


@pytest.mark.usefixtures("_stateful_tmp")
class TestRandomHistoriesAgainstBothStores(ArchiveStoreMachine.TestCase):  # type: ignore[name-defined]
    pass


def test_replay_as_of_and_at_revision_agree_on_a_sample() -> None:
    history = sample_history(length=4)
    assert as_of(history, history[2].at) == at_revision(history, 3) == replay_dossier(history[:3])
    assert as_of(history, date(2026, 1, 6)) == at_revision(history, 2)


def test_unknown_keys_and_bad_arguments_are_refused(tmp_path: Path) -> None:
    with SQLiteRepository(tmp_path / "a.db") as repo:
        repo.add_all(sample_history(length=2))
        with pytest.raises(RecordNotFound):
            repo.verify("nope")
        with pytest.raises(RecordNotFound):
            repo.at_revision("nope", 1)
        with pytest.raises(ValidationError):
            repo.at_revision("K-001", 3)
        with pytest.raises(ValidationError):
            repo.as_of("K-001", datetime(2026, 1, 6))  # noqa: DTZ001 - naive on purpose
        with pytest.raises(ValidationError):
            repo.as_of("K-001", "2026-01-06")  # type: ignore[arg-type]
        assert repo.keys() == ("K-001",)
    mem = InMemoryRepository()
    mem.add_all(sample_history(length=2))
    with pytest.raises(ValidationError):
        mem.as_of("K-001", datetime(2026, 1, 6))  # noqa: DTZ001 - naive on purpose
    with pytest.raises(ValidationError):
        mem.as_of("K-001", 5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        mem.at_revision("K-001", True)  # type: ignore[arg-type]
    for bad in ({"synchronous": "OFF"}, {"snapshot_every": 0}, {"snapshot_every": 1.5}):
        with pytest.raises(ValidationError):
            SQLiteRepository(tmp_path / "b.db", **bad)  # type: ignore[arg-type]


def test_a_store_that_can_not_be_opened_raises_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        SQLiteRepository(tmp_path / "missing" / "dir" / "a.db")


def test_a_corrupt_revision_text_is_refused_by_the_store() -> None:
    history = sample_history(length=2)
    repo = InMemoryRepository()
    repo.add(history[0])
    bad = attrs.evolve(history[1], changes=(attrs.evolve(history[1].changes[0], new="{"),))
    with pytest.raises(StoreError, match="corrupt"):
        repo.add(bad)
    forged_state = attrs.evolve(history[1], previous_hash="f" * 64)
    forged_state = attrs.evolve(
        forged_state,
        hash=__import__("kamcore.archive", fromlist=["revision_hash"]).revision_hash(forged_state),
    )
    with pytest.raises(StoreError, match="can't be stored"):
        repo.add(forged_state)
    assert repo.history("K-001") == (history[0],)


def test_a_broken_link_in_the_tail_of_the_history_fails_the_read(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path, snapshot_every=100) as repo:
        repo.add_all(sample_history(length=4))
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER revisions_append_only_update")
    db.execute("UPDATE revisions SET previous_hash = 'x' WHERE sequence = 3")
    db.commit()
    db.close()
    with SQLiteRepository(path) as repo:
        assert repo.at_revision("K-001", 2).revision == 2
        with pytest.raises(IntegrityError, match="revision 3"):
            repo.at_revision("K-001", 3)


def test_an_altered_row_before_an_unreadable_one_is_named_first(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path) as repo:
        repo.add_all(sample_history(length=4))
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER revisions_append_only_update")
    db.execute("UPDATE revisions SET by = 'mallory' WHERE sequence = 2")
    db.execute("UPDATE revisions SET at = 'not a time' WHERE sequence = 3")
    db.commit()
    db.close()
    with SQLiteRepository(path) as repo:
        check = repo.verify("K-001")
    assert (check.ok, check.first_bad) == (False, 2)


def test_a_locked_or_closed_store_raises_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    history = sample_history(length=2)
    with SQLiteRepository(path) as repo:
        repo.add(history[0])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with SQLiteRepository(path, timeout=0) as blocked:
        with pytest.raises(StoreError, match="Can't write"):
            blocked.add(history[1])
        assert len(blocked.history("K-001")) == 1
    holder.execute("ROLLBACK")
    holder.close()
    closed = SQLiteRepository(path)
    closed.close()
    with pytest.raises(StoreError, match="Can't read"):
        closed.get("K-001")


def test_a_failing_insert_stores_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    history = sample_history(length=3)
    with SQLiteRepository(path) as repo:
        repo.add(history[0])
        repo._db.execute(
            "CREATE TRIGGER disk_full BEFORE INSERT ON revisions WHEN NEW.sequence = 3 "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        with pytest.raises(StoreError, match="disk full"):
            repo.add_all(history[1:])
        assert repo.get("K-001") == replay_dossier(history[:1])
        assert len(repo.history("K-001")) == 1


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not an SQLite file" * 100)
    with pytest.raises(StoreError, match="Can't open"):
        SQLiteRepository(path)


def _forge_snapshot(path: Path, sequence: int, old: str, new: str) -> None:
    """Rewrite a snapshot's state and recompute its (unkeyed) digest, as a forger would."""
    db = sqlite3.connect(path)
    (text,) = db.execute("SELECT state FROM snapshots WHERE sequence = ?", (sequence,)).fetchone()
    (head,) = db.execute("SELECT hash FROM revisions WHERE sequence = ?", (sequence,)).fetchone()
    forged = text.replace(old, new)
    assert forged != text
    db.execute(
        "UPDATE snapshots SET state = ?, digest = ? WHERE sequence = ?",
        (forged, canon.sha256_hex(forged + head), sequence),
    )
    db.commit()
    db.close()


def test_verify_names_a_forged_snapshot_with_a_recomputed_digest(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with SQLiteRepository(path, snapshot_every=8) as repo:
        repo.add_all(sample_history(length=8))
    _forge_snapshot(path, 8, "华东水务集团", "华西水务集团")
    with SQLiteRepository(path, snapshot_every=8) as repo:
        check = repo.verify("K-001")
    assert (check.ok, check.first_bad) == (False, 8)
    assert "snapshot" in check.problem


def test_verify_names_a_damaged_snapshot_even_though_reads_ignore_it(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    history = sample_history(length=6)
    with SQLiteRepository(path, snapshot_every=2) as repo:
        repo.add_all(history)
    db = sqlite3.connect(path)
    db.execute("UPDATE snapshots SET state = replace(state, '华东', '华西') WHERE sequence = 4")
    db.commit()
    db.close()
    with SQLiteRepository(path, snapshot_every=2) as repo:
        assert repo.get("K-001") == replay_dossier(history)
        check = repo.verify("K-001")
    assert (check.ok, check.first_bad, check.checked) == (False, 4, 3)
    assert "snapshot at revision 4" in check.problem


def test_verify_passes_a_store_whose_snapshots_match_the_replay(tmp_path: Path) -> None:
    with SQLiteRepository(tmp_path / "a.db", snapshot_every=3) as repo:
        repo.add_all(sample_history(length=10))
        assert repo.verify("K-001") == ChainCheck(ok=True, checked=10)


def _alter_revision(path: Path, sequence: int, old: str, new: str) -> None:
    """Edit a stored revision's changes in place, keeping its hash (the trigger dropped)."""
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER revisions_append_only_update")
    db.execute(
        "UPDATE revisions SET changes = replace(changes, ?, ?) WHERE sequence = ?",
        (old, new, sequence),
    )
    assert db.total_changes == 1
    db.commit()
    db.close()


def test_reads_refuse_an_altered_newest_revision_and_name_it(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    history = sample_history(length=6)
    with SQLiteRepository(path) as repo:
        repo.add_all(history)
    _alter_revision(path, 6, "5000", "4000")
    with SQLiteRepository(path) as repo:
        with pytest.raises(IntegrityError, match="revision 6") as caught:
            repo.get("K-001")
        assert (caught.value.key, caught.value.revision) == ("K-001", 6)
        with pytest.raises(IntegrityError, match="revision 6"):
            repo.as_of("K-001", history[5].at)
        with pytest.raises(IntegrityError, match="revision 6"):
            repo.at_revision("K-001", 6)
        assert repo.at_revision("K-001", 5) == replay_dossier(history[:5])
        assert repo.as_of("K-001", history[4].at) == replay_dossier(history[:5])
        assert repo.verify("K-001").first_bad == 6


def test_reads_check_the_tail_replayed_after_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    history = sample_history(length=7)
    with SQLiteRepository(path, snapshot_every=4) as repo:
        repo.add_all(history)
    _alter_revision(path, 6, "5000", "4000")
    with SQLiteRepository(path, snapshot_every=4) as repo:
        assert repo.at_revision("K-001", 5) == replay_dossier(history[:5])
        with pytest.raises(IntegrityError, match="revision 6"):
            repo.get("K-001")
        with pytest.raises(IntegrityError, match="revision 6"):
            repo.add(
                revise(replay_dossier(history), {"grade": "C"}, by="li", at=T0 + timedelta(9))[1]
            )
        assert len(repo._rows("K-001")) == 7


# -- as_of with revisions recorded in several time zones --------------------------------


def _zoned_history(moments: list[datetime]) -> list[Revision]:
    d, first = create(Dossier(id="K-Z", name="多时区"), by="li", at=moments[0])
    history = [first]
    for i, at in enumerate(moments[1:], start=1):
        d, rev = revise(d, {"grade": "AB"[i % 2]}, by="li", at=at)
        history.append(rev)
    return history


def _all_as_of(history: list[Revision], when: date | datetime, tmp: Path) -> list[Dossier]:
    memory = InMemoryRepository()
    memory.add_all(history)
    with SQLiteRepository(tmp, snapshot_every=2) as sqlite:
        sqlite.add_all(history)
        return [as_of(history, when), memory.as_of("K-Z", when), sqlite.as_of("K-Z", when)]


def test_as_of_a_date_cuts_the_history_at_the_first_revision_of_a_later_local_day(
    tmp_path: Path,
) -> None:
    cst = timezone(timedelta(hours=8))
    history = _zoned_history(
        [
            datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            datetime(2026, 1, 6, 1, 0, tzinfo=cst),  # 5 Jan 17:00 UTC, but 6 Jan locally
            datetime(2026, 1, 5, 20, 0, tzinfo=UTC),  # later, yet 5 Jan where it was made
        ]
    )
    on_the_5th = _all_as_of(history, date(2026, 1, 5), tmp_path / "a.db")
    assert on_the_5th == [replay_dossier(history[:1])] * 3
    on_the_6th = _all_as_of(history, date(2026, 1, 6), tmp_path / "b.db")
    assert on_the_6th == [replay_dossier(history)] * 3


ZONES = st.sampled_from([timezone(timedelta(hours=h)) for h in (-10, -5, 0, 1, 8, 9, 14)])


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(0, 20 * 60), ZONES), min_size=1, max_size=8),
    day=st.integers(0, 5),
)
def test_as_of_a_date_is_the_longest_prefix_made_by_that_local_day_in_every_store(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, timezone]], day: int
) -> None:
    moment = T0
    moments = []
    for minutes, zone in steps:
        moment += timedelta(minutes=minutes)
        moments.append(moment.astimezone(zone))
    history = _zoned_history(moments)
    when = date(2026, 1, 4) + timedelta(days=day)
    prefix = 0
    while prefix < len(history) and history[prefix].at.date() <= when:
        prefix += 1
    path = tmp_path_factory.mktemp("zones") / "a.db"
    if prefix == 0:
        with pytest.raises(ValidationError, match="did not exist yet"):
            as_of(history, when)
        return
    assert _all_as_of(history, when, path) == [replay_dossier(history[:prefix])] * 3


def test_a_file_from_before_the_creation_date_is_upgraded_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteRepository(path, snapshot_every=2) as repo:
        repo.add_all(sample_history(length=5))
        expected = repo.get("K-001")
    _as_first_format(path)  # snapshots without created_at, no format number
    with SQLiteRepository(path, snapshot_every=2) as repo:
        assert repo.verify("K-001").ok
        assert repo.get("K-001") == expected
        assert repo.get("K-001").created_at == expected.created_at is not None
        assert repo.at_revision("K-001", 4) == replay_dossier(repo.history("K-001")[:4])
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    db.close()


def _as_first_format(path: Path) -> None:
    """Rewrite a store's snapshots as the first format wrote them (no created_at)."""
    db = sqlite3.connect(path)
    for sequence, state in db.execute("SELECT sequence, state FROM snapshots").fetchall():
        data = canon.loads(state)
        assert isinstance(data, dict)
        del data["created_at"]
        text = canon.dumps(data)
        head = db.execute("SELECT hash FROM revisions WHERE sequence = ?", (sequence,)).fetchone()
        db.execute(
            "UPDATE snapshots SET state = ?, digest = ? WHERE sequence = ?",
            (text, canon.sha256_hex(text + head[0]), sequence),
        )
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()


def test_an_old_file_that_cannot_be_written_opens_and_reads_without_its_snapshots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with SQLiteRepository(path, snapshot_every=2) as repo:
        repo.add_all(sample_history(length=5))
        expected = repo.get("K-001")
    _as_first_format(path)

    def read_only(self: SQLiteRepository) -> None:
        raise StoreError(f"Can't write to {self.path!r}: attempt to write a readonly database")

    monkeypatch.setattr(SQLiteRepository, "_write", read_only)
    with SQLiteRepository(path, snapshot_every=2) as repo:
        assert repo.get("K-001") == expected  # replayed, not read from an old snapshot
        assert repo.verify("K-001").ok
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0  # nothing was written
    db.close()


def test_an_old_file_with_an_unreadable_revision_still_opens_for_verify(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteRepository(path, snapshot_every=2) as repo:
        repo.add_all(sample_history(length=5))
    _as_first_format(path)
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER revisions_append_only_update")
    db.execute("UPDATE revisions SET changes = 'not json' WHERE sequence = 3")
    db.commit()
    db.close()
    with SQLiteRepository(path, snapshot_every=2) as repo:
        check = repo.verify("K-001")
    assert (check.ok, check.first_bad) == (False, 3)


def test_a_file_from_a_newer_kamcore_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SQLiteRepository(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="format 7, from a newer kamcore"):
        SQLiteRepository(path)


# -- the store enforces what the domain enforces (issue 16), in every store ---------------


def _pg_store(request: pytest.FixtureRequest, **options: object) -> Repository:
    """A PostgresRepository in a fresh schema of the session's server, dropped afterwards."""
    pytest.importorskip("sqlalchemy", reason="needs SQLAlchemy: pip install 'kamcore[postgres]'")
    pytest.importorskip("psycopg", reason="needs psycopg 3: pip install 'kamcore[postgres]'")
    import uuid

    import sqlalchemy as sa

    from kamcore.store import PostgresRepository

    engine = sa.create_engine(request.getfixturevalue("pg_url"), pool_size=2)
    schema = f"r_{uuid.uuid4().hex[:12]}"

    def drop() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()

    request.addfinalizer(drop)
    store = PostgresRepository(engine, schema=schema, **options)  # type: ignore[arg-type]
    store.create_schema()
    return store


def _store(request: pytest.FixtureRequest, tmp_path: Path, **options: object) -> Repository:
    if request.param == "memory":
        return InMemoryRepository(**options)  # type: ignore[arg-type]
    if request.param == "sqlite":
        store = SQLiteRepository(tmp_path / "rules.db", **options)  # type: ignore[arg-type]
        request.addfinalizer(store.close)
        return store
    return _pg_store(request, **options)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    """Every store kamcore has: in memory, SQLite, PostgreSQL (skipped without a server)."""
    return _store(request, tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_store(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    """The stores whose rows can be forged directly in the database."""
    return _store(request, tmp_path, snapshot_every=100)


def _terms_history() -> list[Revision]:
    """Created with payment terms, then the terms changed (a key fact) with a reason."""
    d, first = create(
        Dossier(id="K-T", name="华东水务", basic={"payment_terms": "月结30天"}),  # type: ignore[arg-type]
        by="li",
        at=T0,
    )
    d, second = revise(d, {"grade": "A"}, by="li", at=T0 + timedelta(days=1))
    _, third = revise(
        d,
        {"basic.payment_terms": "月结60天"},
        by="li",
        at=T0 + timedelta(days=2),
        reason="new contract",
    )
    return [first, second, third]


def _rehashed(revision: Revision, **changes: object) -> Revision:
    """``revision`` changed and its hash recomputed, as a forger with the code would."""
    from kamcore.archive import revision_hash

    draft = attrs.evolve(revision, **changes)  # type: ignore[arg-type]
    return attrs.evolve(draft, hash=revision_hash(draft))


def _stored(store: Repository) -> tuple[object, ...]:
    keys = store.keys()
    return tuple((k, store.history(k)) for k in keys)


def test_a_key_fact_change_whose_reason_was_stripped_is_refused_by_the_store(
    store: Repository,
) -> None:
    first, second, third = _terms_history()
    store.add_all([first, second])
    before = _stored(store)
    for reason in ("", "   "):
        forged = _rehashed(third, reason=reason)
        with pytest.raises(StoreError, match=r"basic\.payment_terms must record why") as caught:
            store.add(forged)
        assert "Revision 3 of 'K-T' can't be stored" in str(caught.value)
        assert not isinstance(caught.value, ConflictError)
        with pytest.raises(StoreError, match="must record why"):
            store.add_all([forged])
    assert _stored(store) == before
    store.add(third)  # with its reason it goes in
    assert store.verify("K-T").ok


def test_a_marked_change_of_a_watched_figure_without_a_reason_is_refused_by_the_store(
    store: Repository,
) -> None:
    history = sample_history(length=3)  # transaction volume 1,000 → 2,000: marked (100%)
    store.add_all(history[:2])
    with pytest.raises(StoreError, match=r"business\.transaction_volume must record why"):
        store.add(_rehashed(history[2], reason=""))
    assert store.history("K-001") == tuple(history[:2])
    # filling a figure in for the first time needs no reason (ArchivePolicy), here too
    other = sample_history(key="K-002", length=2)  # volume: nothing → 1,000
    store.add_all([other[0], _rehashed(other[1], reason="")])
    assert store.verify("K-002").ok


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def lax_store(request: pytest.FixtureRequest, tmp_path: Path) -> Repository:
    """Every store, under a policy in which no change needs a reason."""
    from kamcore.archive import ArchivePolicy

    return _store(request, tmp_path, policy=ArchivePolicy(key_facts=(), watched=()))


def test_a_store_follows_the_archive_policy_it_is_given(lax_store: Repository) -> None:
    first, second, third = _terms_history()
    lax_store.add_all([first, second, _rehashed(third, reason="")])
    assert lax_store.verify("K-T").ok
    assert lax_store.get("K-T").basic.payment_terms == "月结60天"


def _forge_in_the_database(store: Repository, sequence: int, reason: str, digest: str) -> None:
    """Rewrite a stored revision's reason and hash with SQL, past the append-only trigger."""
    if isinstance(store, SQLiteRepository):
        store._db.executescript(
            "DROP TRIGGER revisions_append_only_update;"
            f"UPDATE revisions SET reason = '{reason}', hash = '{digest}' "
            f"WHERE sequence = {sequence};"
        )
        return
    table = f'"{store.schema}".kamcore_revisions'  # type: ignore[attr-defined]
    with store._engine.begin() as conn:  # type: ignore[attr-defined]
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        conn.exec_driver_sql(
            f"UPDATE {table} SET reason = '{reason}', hash = '{digest}' WHERE sequence = {sequence}"
        )


def test_verify_reports_a_key_fact_change_whose_reason_was_stripped_in_the_database(
    sql_store: Repository,
) -> None:
    history = _terms_history()
    sql_store.add_all(history)
    assert sql_store.verify("K-T").ok
    forged = _rehashed(history[2], reason="")
    _forge_in_the_database(sql_store, 3, "", forged.hash)
    assert sql_store.history("K-T")[-1] == forged  # the chain itself still fits
    check = sql_store.verify("K-T")
    assert (check.ok, check.checked, check.first_bad) == (False, 2, 3)
    assert "basic.payment_terms must record why" in check.problem


def test_a_revision_whose_sequence_or_chain_link_is_wrong_is_refused(store: Repository) -> None:
    first, second, third = _terms_history()
    store.add(first)
    relinked = _rehashed(second, previous_hash="0" * 64)
    with pytest.raises(StoreError, match="does not follow the previous revision"):
        store.add(relinked)
    for sequence in (0, -1, True, "2"):
        with pytest.raises(StoreError, match="sequence") as caught:
            store.add(attrs.evolve(second, sequence=sequence))  # type: ignore[arg-type]
        assert not isinstance(caught.value, ConflictError | RecordNotFound)
    with pytest.raises(ConflictError, match="based on revision 2, but the store holds revision 1"):
        store.add(third)  # skips revision 2
    for forged, problem in (
        (_rehashed(second, changes=()), "it changes nothing"),
        (_rehashed(second, by=" "), "does not say who made it"),
    ):
        with pytest.raises(StoreError, match=problem):
            store.add(forged)
    for key in ("", 7):
        with pytest.raises(StoreError, match="dossier id"):
            store.add(attrs.evolve(first, dossier_id=key))  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="without the account's name"):
        store.add(_rehashed(_terms_history()[0], dossier_id="K-X", changes=second.changes))
    assert store.history("K-T") == (first,)
    assert store.keys() == ("K-T",)


def test_a_conflict_names_the_revision_the_write_is_based_on(store: Repository) -> None:
    history = sample_history(length=8)
    store.add_all(history[:7])
    stale = history[6]  # revision 7, based on 6
    exact = "Stale write to 'K-001': based on revision 6, but the store holds revision 7"
    for expected in (None, 6, 7):
        with pytest.raises(ConflictError) as caught:
            store.add(stale, expected_revision=expected)
        assert str(caught.value).startswith(exact), (expected, str(caught.value))
        assert (caught.value.expected_revision, caught.value.actual_revision) == (6, 7)
    with pytest.raises(ConflictError) as writer:  # fits the head, but the writer read 5
        store.add(history[7], expected_revision=5)
    assert str(writer.value).startswith(
        "Stale write to 'K-001': based on revision 5, but the store holds revision 7"
    )
    assert len(store.history("K-001")) == 7


def test_adding_revision_2_of_an_unknown_dossier_is_record_not_found(store: Repository) -> None:
    history = sample_history(length=2)
    for attempt in ([history[1]], history[1:]):
        with pytest.raises(RecordNotFound, match="No dossier with key 'K-001'") as caught:
            store.add_all(attempt) if len(attempt) > 1 else store.add(attempt[0])
        assert not isinstance(caught.value, ConflictError)
    with pytest.raises(RecordNotFound):
        store.add(history[1], expected_revision=1)
    assert store.keys() == ()


def test_bad_arguments_to_add_name_the_argument(store: Repository) -> None:
    history = sample_history(length=2)
    store.add(history[0])
    for bad in ("K-001", None, history[0].hash):
        with pytest.raises(ValidationError) as caught:
            store.add(bad)  # type: ignore[arg-type]
        assert caught.value.field == "revision"
    for expected in ("1", -1, 1.0, True):
        with pytest.raises(ValidationError) as caught:
            store.add(history[1], expected_revision=expected)  # type: ignore[arg-type]
        assert caught.value.field == "expected_revision"
    with pytest.raises(ValidationError):
        store.add_all([history[1], "x"])  # type: ignore[list-item]
    assert store.history("K-001") == (history[0],)


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("timeout", None),
        ("timeout", "10"),
        ("timeout", -1),
        ("timeout", float("nan")),
        ("timeout", float("inf")),
        ("timeout", True),
        ("synchronous", None),
        ("synchronous", "OFF"),
        ("snapshot_every", None),
        ("snapshot_every", "8"),
        ("snapshot_every", 0),
        ("policy", None),
        ("policy", "default"),
    ],
)
def test_a_bad_sqlite_store_argument_is_a_validation_error_naming_it(
    tmp_path: Path, argument: str, value: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        SQLiteRepository(tmp_path / "a.db", **{argument: value})  # type: ignore[arg-type]
    assert caught.value.field == argument
    assert argument in str(caught.value)
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("path", [None, 3, b"a.db", "", ["a.db"]])
def test_a_bad_sqlite_path_is_a_validation_error_naming_it(path: object) -> None:
    with pytest.raises(ValidationError) as caught:
        SQLiteRepository(path)  # type: ignore[arg-type]
    assert caught.value.field == "path"


@pytest.mark.parametrize("policy", [None, "default", {"key_facts": []}])
def test_a_bad_in_memory_store_argument_is_a_validation_error_naming_it(policy: object) -> None:
    with pytest.raises(ValidationError) as caught:
        InMemoryRepository(policy=policy)  # type: ignore[arg-type]
    assert caught.value.field == "policy"


def test_reads_of_an_unknown_dossier_are_record_not_found(store: Repository) -> None:
    store.add(sample_history(length=1)[0])
    reads = (
        lambda: store.get("nope"),
        lambda: store.history("nope"),
        lambda: store.verify("nope"),
        lambda: store.at_revision("nope", 1),
        lambda: store.as_of("nope", date(2026, 1, 6)),
        lambda: store.as_of("nope", T0 + timedelta(days=1)),
    )
    for read in reads:
        with pytest.raises(RecordNotFound, match="'nope'"):
            read()
