"""Issue 16 for the archive: the lending rules the sources state, redaction, labels, bad input.

Each rule has a test named after it; each bad input asserts the ``KamError`` subclass
and that the error names the field.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.archive import (
    SOURCE_LENDING_POLICY,
    SOURCE_VISIT_POLICY,
    Approval,
    Borrower,
    Classification,
    Confidentiality,
    Contact,
    Delegation,
    Dossier,
    LevelRule,
    Loan,
    LoanEventKind,
    LoanRegister,
    Place,
    Role,
    VisitLevel,
    check_read,
    create,
    lend,
    mask_phone,
    measure_coverage,
    observe,
    overdue,
    plan_visits,
    redact,
    redact_contact,
    redact_revision,
    return_loan,
)
from kamcore.errors import AccessDenied, KamError, RecordInvalid, ValidationError
from kamcore.strategies import _archive as kst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
P = SOURCE_LENDING_POLICY
GM = Approval(by="周总", role=Role.GENERAL_MANAGER, at=T0)
STAFF = Borrower("小李", Role.STAFF)
SECRET = Dossier(id="K-9", name="某集团", confidentiality=Confidentiality.SECRET)
OPEN = Dossier(id="K-1", name="某公司")
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


# -- rules §1–3 ---------------------------------------------------------------------------


def test_office_director_borrows_non_secret_directly() -> None:
    loan, event = lend(
        P, OPEN, Borrower("办公室陈主任", Role.OFFICE_DIRECTOR), at=T0, hours=8, loan_id="L-1"
    )
    assert (loan.approved_by, loan.requested_by, loan.delegation) == ("", "", "")
    assert event.kind is LoanEventKind.LENT
    # by the Chinese name of the role too
    assert lend(P, OPEN, Borrower("陈主任", "总经理办公室主任"), at=T0, hours=8, loan_id="L-2")
    # but not a 秘密 one
    with pytest.raises(AccessDenied, match="need the approval"):
        lend(P, SECRET, Borrower("陈主任", Role.OFFICE_DIRECTOR), at=T0, hours=1, loan_id="L-3")


def test_secret_approval_may_be_delegated_and_the_loan_records_the_delegation() -> None:
    loan, _ = lend(
        P, SECRET, STAFF, at=T0, hours=4, loan_id="L-1", approval=BY_CHEN, delegations=[AWAY]
    )
    assert (loan.approved_by, loan.delegation) == ("办公室陈主任", "W-1")
    # an approval in one's own right records no delegation
    assert lend(P, SECRET, STAFF, at=T0, hours=4, loan_id="L-2", approval=GM)[0].delegation == ""
    # the delegation the loan relied on round-trips with it
    assert codec.from_dict(Loan, codec.to_dict(loan)) == loan


def test_a_delegated_approval_must_cite_the_delegation_on_file() -> None:
    uncited = Approval(by="办公室陈主任", role=Role.OFFICE_DIRECTOR, at=T0)
    with pytest.raises(AccessDenied, match=r"approval\.delegation"):
        lend(P, SECRET, STAFF, at=T0, hours=4, loan_id="L", approval=uncited, delegations=[AWAY])
    with pytest.raises(AccessDenied, match="not among the delegations on file"):
        lend(P, SECRET, STAFF, at=T0, hours=4, loan_id="L", approval=BY_CHEN)
    late = T0 + timedelta(days=3)
    with pytest.raises(AccessDenied, match="out of date"):
        lend(
            P,
            SECRET,
            STAFF,
            at=late,
            hours=4,
            loan_id="L",
            approval=Approval(
                by="办公室陈主任", role=Role.OFFICE_DIRECTOR, at=late, delegation="W-1"
            ),
            delegations=[AWAY],
        )


def test_reading_secret_outside_needs_a_loans_approval_and_four_hour_limit() -> None:
    check_read(P, SECRET, STAFF, place=Place.ARCHIVE_ROOM)
    with pytest.raises(AccessDenied, match="need the approval"):
        check_read(P, SECRET, STAFF, place=Place.OUTSIDE)
    with pytest.raises(AccessDenied, match="need the approval"):
        check_read(P, SECRET, STAFF, place="档案室外", at=T0, hours=1)
    check_read(P, SECRET, STAFF, place=Place.OUTSIDE, approval=GM, at=T0, hours=4)
    check_read(
        P, SECRET, STAFF, place="outside", approval=BY_CHEN, at=T0, hours=4, delegations=[AWAY]
    )
    with pytest.raises(AccessDenied, match="at most 4 hours"):
        check_read(P, SECRET, STAFF, place=Place.OUTSIDE, approval=GM, at=T0, hours=5)
    with pytest.raises(AccessDenied, match="nobody approves their own reading"):
        check_read(
            P,
            SECRET,
            STAFF,
            place=Place.OUTSIDE,
            approval=Approval(by="小李", role=Role.GENERAL_MANAGER),
            hours=1,
        )


def test_a_borrower_claiming_the_general_managers_role_cannot_approve_their_own_loan() -> None:
    own = Approval(by="小李", role=Role.GENERAL_MANAGER)
    with pytest.raises(AccessDenied, match="nobody approves their own loan"):
        lend(P, SECRET, Borrower("小李", Role.STAFF), at=T0, hours=1, loan_id="L", approval=own)


# -- redaction of personal information ----------------------------------------------------


WANG = Contact(
    id="c1",
    name="王总",
    phone="13800138001",
    birth_date=date(1970, 5, 1),
    address="上海市某路1号",
    spouse="李女士",
    interests="高尔夫",
)


def test_redaction_masks_mobile_numbers_and_hides_birthdays_addresses_and_spouses() -> None:
    hidden = redact(Dossier(id="K", name="某", contacts=(WANG,))).contacts[0]
    assert hidden.phone == "138****8001"
    assert (hidden.birth_date, hidden.address, hidden.spouse, hidden.interests) == (
        None,
        "",
        "",
        "",
    )
    assert hidden.name == "王总"


def test_personal_information_is_shown_only_on_explicit_opt_in() -> None:
    d = Dossier(id="K", name="某", contacts=(WANG,))
    assert redact(d, show_personal=True) == d
    assert redact_contact(WANG, show_personal=True) == WANG
    for bad in ("yes", 1, None):
        with pytest.raises(ValidationError) as info:
            redact(d, show_personal=bad)  # type: ignore[arg-type]
        assert info.value.field == "show_personal"


def test_a_revision_of_contacts_masks_phones_unless_shown() -> None:
    _, first = create(
        Dossier(id="K", name="某", contacts=(WANG,)), by="li", at=T0, reason="created"
    )
    assert "13800138001" in str(first.changes)
    hidden = redact_revision(first)
    assert "13800138001" not in str(hidden.changes)
    assert hidden.changes[-1].new_value()[0].phone == "138****8001"
    shown = redact_revision(first, show_personal=True)
    assert shown.changes[-1].new_value()[0].phone == "13800138001"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13800138001", "138****8001"),
        ("138 0013 8001", "138****8001"),
        ("+86 138-0013-8001", "+86 138****8001"),
        ("021-55551234", "021-****1234"),
        ("", ""),
        ("8001", "8001"),
    ],
)
def test_phone_numbers_are_masked_keeping_only_their_ends(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


@given(kst.contacts())
def test_no_redacted_contact_shows_a_mobile_number(contact: Contact) -> None:
    hidden = redact_contact(contact)
    assert hidden.birth_date is None
    assert hidden.address == hidden.spouse == hidden.interests == hidden.personality == ""
    if contact.phone:
        assert contact.phone not in hidden.phone
        assert hidden.phone[:3] == contact.phone[:3]
        assert hidden.phone[-4:] == contact.phone[-4:]


# -- Chinese labels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "zh", "member"),
    [
        (Confidentiality, "秘密", Confidentiality.SECRET),
        (Confidentiality, "非密", Confidentiality.UNCLASSIFIED),
        (Classification, "重要", Classification.IMPORTANT),
        (Role, "总经理", Role.GENERAL_MANAGER),
        (Role, "总经理办公室主任", Role.OFFICE_DIRECTOR),
        (Role, "总监", Role.EXECUTIVE),
        (Place, "档案室", Place.ARCHIVE_ROOM),
        (LoanEventKind, "归还", LoanEventKind.RETURNED),
        (VisitLevel, "技术层面", VisitLevel.TECHNICAL),
    ],
)
def test_archive_enums_accept_their_chinese_names(cls: Any, zh: str, member: Any) -> None:
    assert cls(zh) is member
    assert member.zh == zh
    assert codec.from_dict(cls, zh) is member
    assert codec.from_dict(cls, member.value.upper()) is member


def test_an_unknown_role_lists_the_accepted_ones_in_both_languages() -> None:
    with pytest.raises(ValidationError) as info:
        Borrower("x", "pope")
    assert info.value.field == "role"
    assert "staff (员工)" in str(info.value)
    assert "office_director (总经理办公室主任)" in str(info.value)
    with pytest.raises(RecordInvalid, match=r"secret \(秘密\)"):
        codec.from_dict(Confidentiality, "最高机密")


# -- bad input: a KamError naming the field ----------------------------------------------


def _lend(**kwargs: Any) -> Any:
    args: dict[str, Any] = {
        "policy": P,
        "dossier": SECRET,
        "borrower": STAFF,
        "at": T0,
        "hours": 4,
        "loan_id": "L",
        "approval": GM,
        **kwargs,
    }
    policy, dossier, borrower = args.pop("policy"), args.pop("dossier"), args.pop("borrower")
    return lend(policy, dossier, borrower, **args)


def test_loan_hours_beyond_the_calendar_are_refused_naming_hours() -> None:
    chief = Borrower("周总", Role.GENERAL_MANAGER)
    for hours in (10**9, 10**30, 1_000_001):
        with pytest.raises(ValidationError) as info:
            lend(P, OPEN, chief, at=T0, hours=hours, loan_id="L")
        assert info.value.field == "hours"
    near_the_end = datetime(9999, 12, 31, tzinfo=UTC)
    with pytest.raises(ValidationError, match="year 9999") as info:
        lend(P, OPEN, chief, at=near_the_end, hours=48, loan_id="L")
    assert info.value.field == "hours"


@pytest.mark.parametrize("hours", [4.0, 0.5, float("nan"), float("inf")])
def test_float_hours_are_refused_in_words_about_hours_not_money(hours: float) -> None:
    with pytest.raises(ValidationError) as info:
        _lend(hours=hours)
    assert info.value.field == "hours"
    assert "money" not in str(info.value)
    assert "hours" in info.value.problem


@pytest.mark.parametrize("hours", [True, "four", Decimal("NaN"), 0, -1, Decimal("0.0001")])
def test_bad_hours_are_refused_naming_hours(hours: object) -> None:
    with pytest.raises(ValidationError) as info:
        _lend(hours=hours)
    assert info.value.field == "hours"


def test_exact_hours_are_accepted() -> None:
    assert _lend(hours=4)[0].due_at == T0 + timedelta(hours=4)
    assert _lend(hours=Decimal("0.5"))[0].due_at == T0 + timedelta(minutes=30)
    assert _lend(hours="2")[0].due_at == T0 + timedelta(hours=2)


def test_a_policys_float_max_hours_is_refused_in_hours_words() -> None:
    with pytest.raises(ValidationError) as info:
        LevelRule(Confidentiality.SECRET, max_hours=4.0)  # type: ignore[arg-type]
    assert info.value.field == "max_hours"
    assert "money" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"policy": None}, "policy"),
        ({"policy": "source"}, "policy"),
        ({"dossier": None}, "dossier"),
        ({"borrower": None}, "borrower"),
        ({"borrower": "小李"}, "borrower"),
        ({"approval": "周总"}, "approval"),
        ({"delegations": None}, "delegations"),
        ({"delegations": [None]}, "delegations[0]"),
        ({"purpose": 5}, "purpose"),
        ({"loan_id": None}, "loan_id"),
    ],
)
def test_lend_refuses_a_missing_or_wrong_policy_or_record(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        _lend(**kwargs)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((None, SECRET, STAFF), {}, "policy"),
        ((P, None, STAFF), {}, "dossier"),
        ((P, SECRET, None), {}, "reader"),
        ((P, SECRET, STAFF), {"approval": "周总"}, "approval"),
        ((P, SECRET, STAFF), {"place": None}, "place"),
        ((P, SECRET, STAFF), {"place": "home"}, "place"),
        ((P, SECRET, STAFF), {"hours": 4.0, "approval": GM}, "hours"),
        ((P, SECRET, STAFF), {"delegations": None, "approval": GM}, "delegations"),
    ],
)
def test_check_read_refuses_a_missing_or_wrong_policy_or_record(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        check_read(*args, **{"place": Place.OUTSIDE, **kwargs})
    assert info.value.field == field


@pytest.mark.parametrize("value", ["no", "yes", 0, 1, None])
def test_decision_maker_takes_only_a_bool(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        Contact(id="c", name="王", decision_maker=value)  # type: ignore[arg-type]
    assert info.value.field == "decision_maker"
    assert Contact(id="c", name="王", decision_maker=True).decides


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: observe(WANG, on="2026-03-02", evidence="x", behaviours=None), "behaviours"),
        (lambda: observe(None, on="2026-03-02", evidence="x"), "contact"),
        (lambda: measure_coverage(None), "contacts"),
        (lambda: measure_coverage([None]), "contacts[0]"),
        (lambda: plan_visits(SOURCE_VISIT_POLICY, None, year=2026, month=3), "dossiers"),
        (lambda: plan_visits(None, [], year=2026, month=3), "policy"),
        (lambda: plan_visits(SOURCE_VISIT_POLICY, [None], year=2026, month=3), "dossiers[0]"),
        (lambda: redact(None), "dossier"),
        (lambda: redact_revision(None), "revision"),
        (lambda: redact_contact(None), "contact"),
        (lambda: return_loan(None, at=T0), "loan"),
        (lambda: overdue(None, T0), "loans"),
        (lambda: overdue([], datetime(2026, 3, 2)), "as_of"),  # noqa: DTZ001
        (lambda: LoanRegister().overdue(datetime(2026, 3, 2)), "as_of"),  # noqa: DTZ001
        (lambda: Borrower(None, Role.STAFF), "name"),  # type: ignore[arg-type]
        (lambda: Borrower(" ", Role.STAFF), "name"),
        (lambda: Approval(by=None, role=Role.STAFF), "by"),  # type: ignore[arg-type]
        (lambda: Approval(by="a", role=Role.STAFF, requester_role="x"), "requester_role"),
        (lambda: Approval(by="a", role=Role.STAFF, delegation=None), "delegation"),  # type: ignore[arg-type]
        (lambda: AWAY.covers(None), "dossier"),  # type: ignore[arg-type]
        (lambda: LevelRule(Confidentiality.SECRET, readable="no"), "readable"),  # type: ignore[arg-type]
        (lambda: P.rule("最高机密"), "level"),
    ],
)
def test_archive_callables_refuse_none_and_wrong_types_naming_the_field(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.field == field


@given(
    value=st.none()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.lists(st.none(), max_size=2)
    | st.decimals()
)
def test_lend_and_check_read_raise_only_kam_errors_for_any_argument(value: object) -> None:
    for name in ("policy", "dossier", "borrower", "approval", "hours", "at", "loan_id"):
        with contextlib.suppress(KamError):
            _lend(**{name: value})
    for kwargs in ({"place": value}, {"hours": value, "approval": GM}, {"at": value}):
        with contextlib.suppress(KamError):
            check_read(P, SECRET, STAFF, **{"place": Place.OUTSIDE, **kwargs})
