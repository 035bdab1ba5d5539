"""Confidentiality and lending (档案借阅): who may read and borrow, loans, redaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.archive import (
    SOURCE_LENDING_POLICY,
    Approval,
    ArchivePolicy,
    Borrower,
    Confidentiality,
    Contact,
    Delegation,
    Dossier,
    LendingPolicy,
    LevelRule,
    Loan,
    LoanRegister,
    Place,
    Role,
    check_read,
    create,
    lend,
    overdue,
    redact,
    redact_revision,
    return_loan,
    revise,
)
from kamcore.errors import AccessDenied, PolicyError, ValidationError
from kamcore.presets import load_preset, preset_names
from kamcore.strategies import _archive as kst

#: The policy kinds the archive's presets name (to be registered in codec.POLICY_KINDS).
ARCHIVE_POLICY_KINDS = {
    "archive_policy": "kamcore.archive:ArchivePolicy",
    "lending_policy": "kamcore.archive:LendingPolicy",
    "review_policy": "kamcore.archive:ReviewPolicy",
    "visit_policy": "kamcore.archive:VisitPolicy",
    "filing_rule": "kamcore.archive:GradeFiling",
}

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
P = SOURCE_LENDING_POLICY
GM = Approval(by="周总", role=Role.GENERAL_MANAGER, at=T0)
DEPUTY = Approval(by="吴副总", role=Role.DEPUTY_GENERAL_MANAGER, at=T0)
DIRECTOR = Approval(
    by="办公室陈主任",
    role=Role.OFFICE_DIRECTOR,
    requested_by="销售部赵经理",
    requester_role=Role.DEPARTMENT_MANAGER,
)
STAFF = Borrower("小李", Role.STAFF)


def _dossier(level: Confidentiality) -> Dossier:
    return Dossier(id="K-9", name="某集团", confidentiality=level)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("approval", [None, GM, DEPUTY, DIRECTOR])
def test_a_top_secret_dossier_is_never_lent_or_read(role: Role, approval: Approval | None) -> None:
    d = _dossier(Confidentiality.TOP_SECRET)
    with pytest.raises(AccessDenied, match="绝密"):
        lend(P, d, Borrower("x", role), at=T0, hours=1, loan_id="L", approval=approval)
    for place in Place:
        with pytest.raises(AccessDenied):
            check_read(P, d, Borrower("x", role), place=place)


@pytest.mark.parametrize("role", list(Role))
def test_a_confidential_dossier_is_read_only_in_the_archive_room(role: Role) -> None:
    d = _dossier(Confidentiality.CONFIDENTIAL)
    check_read(P, d, Borrower("x", role), place=Place.ARCHIVE_ROOM)
    with pytest.raises(AccessDenied, match="only in the archive room") as caught:
        check_read(P, d, Borrower("x", role), place="outside")
    assert caught.value.action == "read outside the archive room"
    with pytest.raises(AccessDenied, match="never lent"):
        lend(P, d, Borrower("x", role), at=T0, hours=1, loan_id="L", approval=GM)


@given(
    hours=st.decimals(min_value=Decimal("0.25"), max_value=24, places=2),
    approval=st.sampled_from([None, GM, DEPUTY, DIRECTOR]),
    role=st.sampled_from(Role),
)
def test_a_secret_dossier_is_lent_only_with_gm_approval_for_at_most_four_hours(
    hours: Decimal, approval: Approval | None, role: Role
) -> None:
    d = _dossier(Confidentiality.SECRET)
    allowed = hours <= 4 and approval in (GM, DEPUTY)
    try:
        loan, _ = lend(
            P, d, Borrower("x", role), at=T0, hours=hours, loan_id="L", approval=approval
        )
    except AccessDenied:
        assert not allowed
    else:
        assert allowed
        assert loan.due_at - loan.lent_at <= timedelta(hours=4)
        assert loan.approved_by == approval.by  # type: ignore[union-attr]


def test_a_five_hour_loan_of_a_secret_dossier_is_refused() -> None:
    with pytest.raises(AccessDenied, match="5 hours asked; 秘密 dossiers are lent for at most 4"):
        lend(P, _dossier(Confidentiality.SECRET), STAFF, at=T0, hours=5, loan_id="L", approval=GM)


@pytest.mark.parametrize(
    "role",
    [Role.GENERAL_MANAGER, Role.DEPUTY_GENERAL_MANAGER, Role.EXECUTIVE, Role.OFFICE_DIRECTOR],
)
def test_executives_and_the_office_director_borrow_an_unclassified_dossier_directly(
    role: Role,
) -> None:
    loan, _ = lend(
        P, _dossier(Confidentiality.UNCLASSIFIED), Borrower("x", role), at=T0, hours=48, loan_id="L"
    )
    assert (loan.approved_by, loan.requested_by) == ("", "")


def test_others_need_their_managers_request_approved_by_the_office_director() -> None:
    d = _dossier(Confidentiality.UNCLASSIFIED)
    loan, _ = lend(P, d, STAFF, at=T0, hours=8, loan_id="L", approval=DIRECTOR, purpose="投标准备")
    assert (loan.approved_by, loan.requested_by) == ("办公室陈主任", "销售部赵经理")
    with pytest.raises(AccessDenied, match="office_director"):
        lend(P, d, STAFF, at=T0, hours=8, loan_id="L")
    with pytest.raises(AccessDenied, match="request"):
        lend(
            P,
            d,
            STAFF,
            at=T0,
            hours=8,
            loan_id="L",
            approval=attrs.evolve(DIRECTOR, requester_role=None),
        )


@pytest.mark.parametrize("approver", [Role.GENERAL_MANAGER, Role.DEPUTY_GENERAL_MANAGER])
@pytest.mark.parametrize("requester", [None, Role.DEPARTMENT_MANAGER])
def test_a_general_managers_approval_does_not_replace_the_office_directors_for_staff(
    approver: Role, requester: Role | None
) -> None:
    approval = Approval(by="周总", role=approver, requested_by="赵经理", requester_role=requester)
    with pytest.raises(AccessDenied, match="office_director"):
        lend(
            P,
            _dossier(Confidentiality.UNCLASSIFIED),
            STAFF,
            at=T0,
            hours=8,
            loan_id="L",
            approval=approval,
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"at": datetime(2026, 3, 2)}, "at"),  # noqa: DTZ001
        ({"hours": 0}, "hours"),
        ({"hours": 1.5}, "hours"),
        ({"loan_id": " "}, "loan_id"),
    ],
)
def test_a_malformed_loan_is_refused(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"at": T0, "hours": 1, "loan_id": "L", **kwargs}
    with pytest.raises(ValidationError) as caught:
        lend(P, _dossier(Confidentiality.UNCLASSIFIED), Borrower("x", Role.EXECUTIVE), **args)
    assert caught.value.field == field


def test_reading_at_an_unknown_place_is_refused() -> None:
    with pytest.raises(ValidationError):
        check_read(P, _dossier(Confidentiality.SECRET), STAFF, place="home")


def test_a_loan_is_returned_once_and_the_register_keeps_it() -> None:
    d = _dossier(Confidentiality.SECRET)
    loan, _ = lend(P, d, STAFF, at=T0, hours=4, loan_id="L-1", approval=GM)
    other, _ = lend(P, d, STAFF, at=T0, hours=2, loan_id="L-2", approval=DEPUTY)
    register = LoanRegister().record(loan).record(other)
    assert register.open() == (loan, other)
    late = T0 + timedelta(hours=3)
    assert register.overdue(late) == (other,)
    assert overdue([loan, other], T0 + timedelta(hours=5)) == (other, loan)
    back, _ = return_loan(other, at=late)
    register = register.record(back)
    assert register.open() == (loan,)
    assert register.of("K-9") == (loan, back)
    assert register.overdue(T0 + timedelta(hours=10)) == (loan,)
    assert not back.is_overdue(T0 + timedelta(days=1))
    with pytest.raises(ValidationError, match="already returned"):
        return_loan(back, at=late)
    with pytest.raises(ValidationError):
        return_loan(loan, at=T0 - timedelta(hours=1))
    with pytest.raises(ValidationError, match="already recorded"):
        register.record(loan)
    with pytest.raises(ValidationError, match="already recorded"):
        register.record(back)
    with pytest.raises(ValidationError):
        register.overdue(datetime(2026, 3, 2))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("rules", "part"),
    [
        (P.rules[:3], "rules"),
        ((*P.rules, P.rules[0]), "rules[4] (绝密)"),
        ((LevelRule("top_secret", readable=False, read_outside=True), *P.rules[1:]), "rules[0]"),
        ((LevelRule("top_secret", lendable=True, read_outside=True), *P.rules[1:]), "rules[0]"),
        ((LevelRule("top_secret", lendable=True), *P.rules[1:]), "rules[0]"),
        (
            (LevelRule("top_secret", max_hours=0), *P.rules[1:]),
            "rules[0]",
        ),
    ],
)
def test_an_inconsistent_lending_policy_is_refused(rules: tuple[LevelRule, ...], part: str) -> None:
    with pytest.raises(PolicyError) as caught:
        LendingPolicy(rules=rules)
    assert caught.value.part.startswith(part)


def test_level_rules_refuse_unknown_roles() -> None:
    with pytest.raises(ValidationError):
        LevelRule("secret", direct_roles=("pope",))
    with pytest.raises(ValidationError):
        LevelRule("secret", direct_roles="staff")  # type: ignore[arg-type]


def test_the_lending_policy_round_trips_and_the_preset_is_the_source_policy() -> None:
    assert codec.from_dict(LendingPolicy, codec.to_dict(P)) == P
    assert load_preset("archive_lending_source", LendingPolicy) == P
    assert load_preset("archive_revisions_source", ArchivePolicy) == ArchivePolicy()


@given(kst.loans())
def test_loans_round_trip_through_the_codec(loan: Loan) -> None:
    assert codec.from_dict(Loan, codec.to_dict(loan)) == loan


def test_every_archive_preset_loads_by_its_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind, where in ARCHIVE_POLICY_KINDS.items():
        monkeypatch.setitem(codec.POLICY_KINDS, kind, where)
    names = [n for n in preset_names() if n.startswith("archive_")]
    assert len(names) == 5
    for name in names:
        policy = load_preset(name)
        assert codec.policy_kind(type(policy)) in ARCHIVE_POLICY_KINDS


def test_the_redacted_view_removes_sensitive_personal_data() -> None:
    c = Contact(
        id="c",
        name="王总",
        spouse="李女士",
        address="某路1号",
        interests="高尔夫",
        birth_date="1970-05-01",
        personality="果断",
        title="总经理",
    )
    d = Dossier(id="K", name="n", contacts=(c,))
    (r,) = redact(d).contacts
    assert (r.spouse, r.address, r.interests, r.birth_date, r.personality) == ("", "", "", None, "")
    assert (r.name, r.title) == ("王总", "总经理")
    assert d.contacts[0].spouse == "李女士"


def test_a_revision_of_contacts_is_redacted_like_the_dossier() -> None:
    c = Contact(id="c", name="王总", spouse="李女士", birth_date="1970-05-01", title="总经理")
    d, first = create(Dossier(id="K", name="n", contacts=(c,)), by="li", at=T0)
    moved = attrs.evolve(c, address="某路1号")
    d2, second = revise(d, {"contacts": (moved,), "grade": "A"}, by="li", at=T0)
    shown = redact_revision(second)
    grade, contacts = shown.changes
    assert (contacts.old_value(), contacts.new_value()) == (redact(d).contacts, redact(d2).contacts)
    assert grade == second.changes[0]
    assert (shown.sequence, shown.hash, shown.reason) == (second.sequence, second.hash, "")
    assert redact_revision(first).changes[-1].new_value() == redact(d).contacts
    assert "李女士" not in repr(shown)


def test_an_approval_given_after_the_loan_does_not_count() -> None:
    late = attrs.evolve(GM, at=T0 + timedelta(hours=1))
    with pytest.raises(AccessDenied, match="came after the loan"):
        lend(P, _dossier(Confidentiality.SECRET), STAFF, at=T0, hours=1, loan_id="L", approval=late)


# -- rules §4.5 as corrected: the office director, reading 秘密 outside, delegations -----

SECRET = Dossier(id="K-9", name="某集团", confidentiality=Confidentiality.SECRET)
OPEN = Dossier(id="K-1", name="某公司", confidentiality=Confidentiality.UNCLASSIFIED)
AWAY = Delegation(
    id="W-1",
    delegator="周总",
    delegate="办公室陈主任",
    delegate_role=Role.OFFICE_DIRECTOR,
    valid_from=T0 - timedelta(days=1),
    valid_until=T0 + timedelta(days=2),
    purpose="出差期间代批秘密档案借阅",
)
BY_CHEN = Approval(by="办公室陈主任", role=Role.OFFICE_DIRECTOR, at=T0, delegation="W-1")


def test_the_office_director_borrows_an_unclassified_dossier_without_approval() -> None:
    loan, _ = lend(
        P, OPEN, Borrower("办公室陈主任", Role.OFFICE_DIRECTOR), at=T0, hours=8, loan_id="L"
    )
    assert (loan.approved_by, loan.borrower_role) == ("", Role.OFFICE_DIRECTOR)


def test_the_office_directors_own_secret_loan_still_needs_approval() -> None:
    with pytest.raises(AccessDenied, match="need the approval"):
        lend(P, SECRET, Borrower("陈主任", Role.OFFICE_DIRECTOR), at=T0, hours=1, loan_id="L")
    loan, _ = lend(
        P,
        SECRET,
        Borrower("陈主任", Role.OFFICE_DIRECTOR),
        at=T0,
        hours=1,
        loan_id="L",
        approval=GM,
    )
    assert loan.approved_by == "周总"


@pytest.mark.parametrize("role", list(Role))
def test_a_secret_dossier_is_read_outside_only_with_approval(role: Role) -> None:
    reader = Borrower("小李", role)
    check_read(P, SECRET, reader, place=Place.ARCHIVE_ROOM)
    with pytest.raises(AccessDenied, match="need the approval") as caught:
        check_read(P, SECRET, reader, place=Place.OUTSIDE)
    assert caught.value.action == "read outside the archive room"
    check_read(P, SECRET, reader, place="outside", approval=GM, at=T0, hours=4)
    check_read(P, SECRET, reader, place=Place.OUTSIDE, approval=DEPUTY)
    with pytest.raises(AccessDenied, match="read outside for at most 4 hours"):
        check_read(P, SECRET, reader, place=Place.OUTSIDE, approval=GM, at=T0, hours=5)
    with pytest.raises(AccessDenied, match="came after the reading"):
        check_read(P, SECRET, reader, place=Place.OUTSIDE, approval=GM, at=T0 - timedelta(hours=1))


def test_an_unclassified_dossier_is_read_outside_without_approval() -> None:
    check_read(P, OPEN, STAFF, place=Place.OUTSIDE)


@pytest.mark.parametrize("name", ["小李", " 小李 ", "Li", " li"])
def test_nobody_approves_their_own_loan_by_claiming_a_role(name: str) -> None:
    borrower = Borrower("li" if name.strip().isascii() else "小李", Role.STAFF)
    selfish = Approval(by=name, role=Role.GENERAL_MANAGER, at=T0)
    with pytest.raises(AccessDenied, match=r"approval\.by .* is the borrower") as caught:
        lend(P, SECRET, borrower, at=T0, hours=1, loan_id="L", approval=selfish)
    assert caught.value.actor == borrower.name
    with pytest.raises(AccessDenied, match="is the reader; nobody approves their own reading"):
        check_read(P, SECRET, borrower, place=Place.OUTSIDE, approval=selfish)


def test_the_general_managers_own_secret_loan_needs_a_deputys_approval() -> None:
    zhou = Borrower("周总", Role.GENERAL_MANAGER)
    with pytest.raises(AccessDenied, match="is the borrower"):
        lend(P, SECRET, zhou, at=T0, hours=1, loan_id="L", approval=GM)
    assert (
        lend(P, SECRET, zhou, at=T0, hours=1, loan_id="L", approval=DEPUTY)[0].approved_by
        == "吴副总"
    )


def test_nobody_approves_a_request_they_made() -> None:
    own = attrs.evolve(DIRECTOR, requested_by=" 办公室陈主任")
    with pytest.raises(AccessDenied, match=r"also made the request \(approval.requested_by\)"):
        lend(P, OPEN, STAFF, at=T0, hours=1, loan_id="L", approval=own)


def test_an_approval_under_a_delegation_cites_it() -> None:
    loan, _ = lend(
        P, SECRET, STAFF, at=T0, hours=4, loan_id="L", approval=BY_CHEN, delegations=[AWAY]
    )
    assert loan.approved_by == "办公室陈主任"
    check_read(P, SECRET, STAFF, place=Place.OUTSIDE, approval=BY_CHEN, delegations=(AWAY,))
    uncited = attrs.evolve(BY_CHEN, delegation="")
    with pytest.raises(
        AccessDenied, match=r"only under a written delegation .* approval\.delegation"
    ):
        lend(P, SECRET, STAFF, at=T0, hours=4, loan_id="L", approval=uncited, delegations=[AWAY])
    with pytest.raises(AccessDenied, match=r"approval\.delegation 'W-2' is not among .* \(W-1\)"):
        lend(
            P,
            SECRET,
            STAFF,
            at=T0,
            hours=4,
            loan_id="L",
            approval=attrs.evolve(BY_CHEN, delegation="W-2"),
            delegations=[AWAY],
        )
    with pytest.raises(AccessDenied, match=r"not among the delegations on file \(none\)"):
        lend(P, SECRET, STAFF, at=T0, hours=4, loan_id="L", approval=BY_CHEN)


def test_a_deputy_may_cite_a_delegation_too_and_it_is_checked() -> None:
    to_wu = attrs.evolve(AWAY, delegate="吴副总", delegate_role=Role.DEPUTY_GENERAL_MANAGER)
    cited = attrs.evolve(DEPUTY, delegation="W-1")
    assert lend(P, SECRET, STAFF, at=T0, hours=1, loan_id="L", approval=cited, delegations=[to_wu])
    given_to_chen = r"is given to 办公室陈主任, not to approval\.by '吴副总'"
    with pytest.raises(AccessDenied, match=given_to_chen):
        lend(P, SECRET, STAFF, at=T0, hours=1, loan_id="L", approval=cited, delegations=[AWAY])


@pytest.mark.parametrize(
    ("change", "approval_change", "match"),
    [
        (
            {},
            {"role": Role.DEPUTY_GENERAL_MANAGER},
            "approval.role 'deputy_general_manager' is not",
        ),
        (
            {"delegate_role": Role.DEPARTMENT_MANAGER},
            {"role": Role.DEPARTMENT_MANAGER},
            "delegate_role 'department_manager' may not receive",
        ),
        (
            {"delegator_role": Role.DEPUTY_GENERAL_MANAGER},
            {},
            "a deputy_general_manager may not delegate the approval of 秘密",
        ),
        ({"delegator": "小李"}, {}, "was given by the (borrower|reader)"),
        ({"valid_until": T0 - timedelta(minutes=1)}, {}, "out of date"),
        (
            {"valid_from": T0 + timedelta(minutes=1), "valid_until": T0 + timedelta(days=1)},
            {},
            "out of date",
        ),
        ({"levels": ("unclassified",)}, {}, r"covers 非密, not K-9 \(秘密\) \(out of scope\)"),
        ({"dossier_ids": ("K-1", "K-2")}, {}, "covers 秘密 dossiers K-1, K-2, not K-9"),
    ],
)
def test_a_delegation_out_of_date_scope_or_role_is_refused(
    change: dict[str, Any], approval_change: dict[str, Any], match: str
) -> None:
    delegation = attrs.evolve(AWAY, **change)
    approval = attrs.evolve(BY_CHEN, **approval_change)
    with pytest.raises(AccessDenied, match=match):
        lend(
            P,
            SECRET,
            STAFF,
            at=T0,
            hours=1,
            loan_id="L",
            approval=approval,
            delegations=[delegation],
        )
    with pytest.raises(AccessDenied, match=match):
        check_read(
            P, SECRET, STAFF, place=Place.OUTSIDE, approval=approval, delegations=[delegation]
        )


def test_a_delegations_dates_include_both_ends_and_default_to_the_loan_time() -> None:
    for at in (AWAY.valid_from, AWAY.valid_until):
        approval = attrs.evolve(BY_CHEN, at=None)
        assert lend(
            P, SECRET, STAFF, at=at, hours=1, loan_id="L", approval=approval, delegations=[AWAY]
        )
    assert AWAY.is_valid_at(T0)
    assert not AWAY.is_valid_at(AWAY.valid_until + timedelta(seconds=1))
    assert AWAY.covers(SECRET)
    assert not AWAY.covers(OPEN)
    with pytest.raises(ValidationError) as caught:
        check_read(
            P,
            SECRET,
            STAFF,
            place=Place.OUTSIDE,
            approval=attrs.evolve(BY_CHEN, at=None),
            delegations=[AWAY],
        )
    assert caught.value.field == "approval.at"


def test_an_unclassified_approval_cannot_be_delegated() -> None:
    delegation = attrs.evolve(AWAY, levels=("unclassified",))
    approval = attrs.evolve(DIRECTOR, delegation="W-1", by="办公室陈主任")
    refused = (
        r"a general_manager may not delegate the approval of 非密 dossiers "
        r"\(delegator_roles: nobody\)"
    )
    with pytest.raises(AccessDenied, match=refused):
        lend(
            P, OPEN, STAFF, at=T0, hours=1, loan_id="L", approval=approval, delegations=[delegation]
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": " "}, "id"),
        ({"delegator": ""}, "delegator"),
        ({"delegate": 3}, "delegate"),
        ({"delegate": " 周总"}, "delegate"),
        ({"delegate_role": "pope"}, "delegate_role"),
        ({"delegator_role": "pope"}, "delegator_role"),
        ({"valid_from": datetime(2026, 3, 1)}, "valid_from"),  # noqa: DTZ001
        ({"valid_until": "2026-03-04"}, "valid_until"),
        ({"valid_until": T0 - timedelta(days=2)}, "valid_until"),
        ({"levels": ()}, "levels"),
        ({"levels": ("secret", "hush")}, "levels"),
        ({"dossier_ids": "K-9"}, "dossier_ids"),
        ({"dossier_ids": ("K-9", "")}, "dossier_ids[1]"),
    ],
)
def test_a_malformed_delegation_is_refused(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(AWAY, **kwargs)
    assert caught.value.field == field


def test_a_delegation_given_as_one_level_or_text_is_accepted() -> None:
    assert attrs.evolve(AWAY, levels="secret").levels == (Confidentiality.SECRET,)
    assert attrs.evolve(AWAY, levels=[Confidentiality.SECRET]).levels == (Confidentiality.SECRET,)


def test_the_delegations_on_file_must_be_delegations_with_distinct_numbers() -> None:
    with pytest.raises(ValidationError) as caught:
        lend(P, SECRET, STAFF, at=T0, hours=1, loan_id="L", approval=GM, delegations=[AWAY, AWAY])
    assert caught.value.field == "delegations[1].id"
    with pytest.raises(ValidationError) as caught:
        check_read(P, SECRET, STAFF, place="outside", delegations=["W-1"])  # type: ignore[list-item]
    assert caught.value.field == "delegations[0]"


def test_a_naive_approval_time_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        lend(
            P,
            SECRET,
            STAFF,
            at=T0,
            hours=1,
            loan_id="L",
            approval=attrs.evolve(GM, at=datetime(2026, 3, 2, 9)),  # noqa: DTZ001
        )
    assert caught.value.field == "approval.at"


def test_a_delegation_round_trips_through_the_codec() -> None:
    scoped = attrs.evolve(AWAY, dossier_ids=("K-9",))
    assert codec.from_dict(Delegation, codec.to_dict(scoped)) == scoped


@pytest.mark.parametrize(
    "rule",
    [
        LevelRule("secret", read_outside_needs_approval=True, approver_roles=("general_manager",)),
        LevelRule("secret", read_outside=True, read_outside_needs_approval=True),
        LevelRule(
            "secret",
            read_outside=True,
            approver_roles=("general_manager",),
            delegator_roles=("office_director",),
            delegate_roles=("office_director",),
        ),
        LevelRule(
            "secret",
            read_outside=True,
            approver_roles=("general_manager",),
            delegator_roles=("general_manager",),
        ),
        LevelRule("secret", delegate_roles=("office_director",)),
    ],
)
def test_an_inconsistent_read_or_delegation_rule_is_refused(rule: LevelRule) -> None:
    others = tuple(r for r in P.rules if r.level is not Confidentiality.SECRET)
    with pytest.raises(PolicyError) as caught:
        LendingPolicy(rules=(*others, rule))
    assert caught.value.part.startswith("rules[3] (秘密)")


def test_the_source_policy_names_who_may_delegate_and_receive_the_secret_approval() -> None:
    rule = P.rule(Confidentiality.SECRET)
    assert rule.read_outside_needs_approval
    assert rule.delegator_roles == (Role.GENERAL_MANAGER,)
    assert rule.delegate_roles == (Role.DEPUTY_GENERAL_MANAGER, Role.OFFICE_DIRECTOR)
    assert Role.OFFICE_DIRECTOR in P.rule(Confidentiality.UNCLASSIFIED).direct_roles
