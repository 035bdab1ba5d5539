"""The archive: dossiers, revisions and the hash chain, canonical hashing, contacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import _plain as canon
from kamcore import codec
from kamcore.archive import (
    DEFAULT_ARCHIVE_POLICY,
    FIELD_PATHS,
    GENESIS,
    AllianceBehaviour,
    AllianceLevel,
    AllianceObservation,
    ArchivePolicy,
    BasicData,
    BuyingRole,
    Change,
    Classification,
    Confidentiality,
    Contact,
    Dossier,
    ExtraField,
    GapKind,
    Revision,
    Stance,
    apply,
    as_of,
    at_revision,
    create,
    measure_coverage,
    observe,
    redact_contact,
    replay_dossier,
    revise,
    revision_hash,
    verify,
)
from kamcore.errors import PolicyError, RecordInvalid, ValidationError
from kamcore.money import Money
from kamcore.strategies import _archive as kst

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _recorded(**fields: Any) -> Dossier:
    d, _ = create(Dossier(id="K-1", name="华东水务", **fields), by="li", at=T0)
    return d


# -- the dossier --------------------------------------------------------------------------


def test_a_dossier_holds_typed_sections_and_labels() -> None:
    d = Dossier(
        id="K-1",
        name="华东水务",
        classification="important",
        confidentiality=Confidentiality.SECRET,
        basic={"registered_capital": "5000000", "staff": 120},
        extra=(ExtraField.of("年采购额", 1200), ExtraField.of("签约日", date(2026, 1, 2))),
    )
    assert d.basic.registered_capital == Money("5000000")
    assert (d.classification.zh, d.confidentiality.zh) == ("重要", "秘密")
    assert d.field("年采购额") == Decimal(1200)
    assert d.field("签约日") == date(2026, 1, 2)
    assert [c.zh for c in Classification] == ["重要", "特殊", "一般"]
    assert [c.zh for c in Confidentiality] == ["绝密", "机密", "秘密", "非密"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id": " "}, "id"),
        ({"id": "K", "name": 3}, "name"),
        ({"id": "K", "grade": 1}, "grade"),
        ({"id": "K", "basic": 5}, "basic"),
        ({"id": "K", "basic": {"nope": 1}}, "basic"),
        ({"id": "K", "basic": {"staff": -1}}, "basic.staff"),
        ({"id": "K", "contacts": ("x",)}, "contacts[0]"),
        ({"id": "K", "extra": (ExtraField.of("a", "1"), ExtraField.of("a", "2"))}, "extra"),
        ({"id": "K", "updated_at": datetime(2026, 1, 1)}, "updated_at"),  # noqa: DTZ001
    ],
)
def test_a_malformed_dossier_is_refused_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Dossier(**fields)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "x"},
        {"name": "x", "text": "a", "number": Decimal(1)},
        {"name": " ", "text": "a"},
        {"name": "x", "text": 5},
    ],
)
def test_an_extra_field_holds_exactly_one_value(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ExtraField(**bad)


def test_an_extra_field_refuses_floats_and_datetimes() -> None:
    with pytest.raises(ValidationError):
        ExtraField.of("x", 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        ExtraField.of("x", T0)


def test_unknown_contacts_and_fields_are_named() -> None:
    d = Dossier(id="K", name="n")
    with pytest.raises(ValidationError, match="unknown contact"):
        d.contact("c9")
    with pytest.raises(ValidationError):
        d.field("nope")


@given(kst.dossiers())
def test_every_dossier_round_trips_through_the_codec_and_the_archive_json(d: Dossier) -> None:
    assert codec.from_dict(Dossier, codec.to_dict(d)) == d
    assert canon.from_plain(Dossier, canon.loads(canon.dumps(d))) == d


@given(kst.histories())
def test_every_revision_round_trips_through_the_codec(history: list[Revision]) -> None:
    for rev in history:
        assert codec.from_dict(Revision, codec.to_dict(rev)) == rev


@given(kst.contacts(), kst.loans(), kst.archive_policies())
def test_contacts_loans_and_policies_round_trip_through_the_codec(
    contact: Contact, loan: Any, policy: ArchivePolicy
) -> None:
    assert codec.from_dict(Contact, codec.to_dict(contact)) == contact
    assert codec.from_dict(type(loan), codec.to_dict(loan)) == loan
    assert codec.from_dict(ArchivePolicy, codec.to_dict(policy)) == policy


# -- revisions ----------------------------------------------------------------------------


def test_creating_a_dossier_records_every_filled_field() -> None:
    d, r = create(Dossier(id="K-1", name="华东水务", grade="B"), by="li", at=T0)
    assert (d.revision, d.head, d.updated_at) == (1, r.hash, T0)
    assert r.fields == ("name", "grade")
    assert r.previous_hash == GENESIS
    assert (r.reason, r.by, r.sequence) == ("created", "li", 1)
    assert replay_dossier([r]) == d


def test_a_dossier_keeps_its_creation_time_through_revisions_and_replay() -> None:
    d, r1 = create(Dossier(id="K-1", name="华东水务"), by="li", at=T0)
    later = T0 + timedelta(days=30)
    d2, r2 = revise(d, {"grade": "A"}, by="li", at=later)
    assert (d.created_at, d2.created_at, d2.updated_at) == (T0, T0, later)
    assert replay_dossier((r1, r2)).created_at == T0


def test_a_new_dossier_must_have_a_name_and_be_new() -> None:
    with pytest.raises(ValidationError, match="company basics"):
        create(Dossier(id="K"), by="li", at=T0)
    d = _recorded()
    with pytest.raises(ValidationError, match="already recorded"):
        create(d, by="li", at=T0)
    with pytest.raises(ValidationError, match="not recorded yet"):
        revise(Dossier(id="K", name="n"), {"grade": "A"}, by="li", at=T0)


def test_a_revision_says_who_when_what_and_why() -> None:
    d = _recorded(basic=BasicData(registered_capital=Money(100)))
    later = T0 + timedelta(days=3)
    d2, r = revise(d, {"basic.registered_capital": Money(500)}, by="wang", at=later, reason="增资")
    assert (r.by, r.at, r.reason, r.sequence, r.previous_hash) == ("wang", later, "增资", 2, d.head)
    (change,) = r.changes
    assert change.field == "basic.registered_capital"
    assert (change.old_value(), change.new_value()) == (Money(100), Money(500))
    assert d2.basic.registered_capital == Money(500)
    assert d.basic.registered_capital == Money(100)  # the old value is untouched


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("basic.registered_capital", Money(100), Money(101)),
        ("organisation.management", "董事会", "总经理负责制"),
        ("basic.payment_terms", "月结30天", "月结60天"),
        ("business.transaction_volume", Money(100), Money(120)),
        ("business.sales_performance", Money(100), Money(80)),
        ("business.sales_performance", Money(0), Money(1)),
        ("business.sales_performance", Money(10), None),
        ("business.sales_performance", Money(10), Money(10, "USD")),
    ],
)
def test_key_facts_and_marked_changes_are_refused_without_a_reason(
    path: str, old: object, new: object
) -> None:
    d = _recorded()
    d, _ = revise(d, {path: old}, by="li", at=T0)
    with pytest.raises(ValidationError, match="must record why") as caught:
        revise(d, {path: new}, by="li", at=T0, reason="  ")
    assert caught.value.field == "reason"
    _, r = revise(d, {path: new}, by="li", at=T0, reason="because")
    assert r.reason == "because"


def test_a_small_change_of_a_watched_figure_needs_no_reason() -> None:
    d = _recorded(business={"transaction_volume": Money(100)})
    _, r = revise(d, {"business.transaction_volume": Money(119)}, by="li", at=T0)
    assert r.reason == ""
    strict = ArchivePolicy(marked_change=Decimal("0.1"))
    with pytest.raises(ValidationError):
        revise(d, {"business.transaction_volume": Money(119)}, by="li", at=T0, policy=strict)


def test_filling_in_a_key_fact_the_first_time_needs_no_reason() -> None:
    d = _recorded()
    _, r = revise(d, {"basic.registered_capital": Money(100)}, by="li", at=T0)
    assert r.fields == ("basic.registered_capital",)


@pytest.mark.parametrize(
    ("changes", "kwargs", "field"),
    [
        ({"nope": 1}, {}, "changes"),
        ({"basic.staff": -2}, {}, "basic.staff"),
        ({"basic.registered_capital": 0.5}, {}, "basic.registered_capital"),
        ({"grade": "B"}, {}, "changes"),
        ({"grade": "A"}, {"by": ""}, "by"),
        ({"grade": "A"}, {"at": datetime(2026, 2, 1)}, "at"),  # noqa: DTZ001
        ({"grade": "A"}, {"at": T0 - timedelta(seconds=1)}, "at"),
        ({"grade": "A"}, {"reason": None}, "reason"),
    ],
)
def test_a_bad_revision_is_refused_and_changes_nothing(
    changes: dict[str, Any], kwargs: dict[str, Any], field: str
) -> None:
    d = _recorded(grade="B")
    before = codec.to_dict(d)
    args: dict[str, Any] = {"by": "li", "at": T0, **kwargs}
    with pytest.raises(ValidationError) as caught:
        revise(d, changes, **args)
    assert caught.value.field == field
    assert codec.to_dict(d) == before


def test_changes_must_be_a_mapping() -> None:
    with pytest.raises(ValidationError):
        revise(_recorded(), [("grade", "A")], by="li", at=T0)  # type: ignore[arg-type]


@given(kst.histories(max_revisions=6))
def test_replay_rebuilds_every_state_and_the_chain_verifies(history: list[Revision]) -> None:
    check = verify(history)
    assert check.ok
    assert check.checked == len(history)
    state = None
    for n, rev in enumerate(history, start=1):
        state = apply(state or Dossier(id=rev.dossier_id), rev)
        assert at_revision(history, n) == state
        assert as_of(history, rev.at) == replay_dossier([r for r in history if r.at <= rev.at])
    assert replay_dossier(history) == state


@given(kst.histories(max_revisions=4), st.data())
def test_any_altered_revision_is_detected_and_named(
    history: list[Revision], data: st.DataObject
) -> None:
    n = data.draw(st.integers(1, len(history)))
    rev = history[n - 1]
    tampered = data.draw(
        st.sampled_from(
            [
                attrs.evolve(rev, by=rev.by + "x"),
                attrs.evolve(rev, reason=rev.reason + "x"),
                attrs.evolve(rev, at=rev.at + timedelta(seconds=1)),
                attrs.evolve(rev, changes=rev.changes[1:] + rev.changes[:1] + rev.changes[:1]),
                attrs.evolve(rev, hash="0" * 64),
            ]
        )
    )
    forged = [*history[: n - 1], tampered, *history[n:]]
    check = verify(forged)
    assert not check.ok
    assert check.first_bad == n
    assert check.checked == n - 1


def test_a_rehashed_forgery_that_does_not_apply_is_still_caught() -> None:
    d = _recorded(grade="B")
    d2, r2 = revise(d, {"grade": "A"}, by="li", at=T0)
    _, r3 = revise(d2, {"grade": "C"}, by="li", at=T0)
    first = create(Dossier(id="K-1", name="华东水务", grade="B"), by="li", at=T0)[1]
    bad = attrs.evolve(r3, changes=(Change("grade", '"Z"', '"C"'),))
    bad = attrs.evolve(bad, hash=revision_hash(bad))
    check = verify([first, r2, bad])
    assert (check.ok, check.first_bad) == (False, 3)
    assert "not the value of grade" in check.problem


def test_missing_or_reordered_revisions_are_named() -> None:
    d = _recorded()
    d2, r2 = revise(d, {"grade": "A"}, by="li", at=T0)
    _, r3 = revise(d2, {"grade": "C"}, by="li", at=T0)
    first = create(Dossier(id="K-1", name="华东水务"), by="li", at=T0)[1]
    assert verify([first, r3]).first_bad == 2
    other = create(Dossier(id="K-2", name="x"), by="li", at=T0)[1]
    with pytest.raises(ValidationError, match="dossier_id"):
        apply(d, attrs.evolve(r2, dossier_id="K-2"))
    with pytest.raises(ValidationError, match="previous_hash"):
        apply(d, attrs.evolve(r2, previous_hash=other.hash))
    with pytest.raises(ValidationError, match="time goes backwards"):
        apply(d, attrs.evolve(r2, at=T0 - timedelta(days=1)))
    with pytest.raises(ValidationError, match="unknown field"):
        apply(d, attrs.evolve(r2, changes=(Change("nope", "1", "2"),)))
    with pytest.raises(ValidationError, match=r"revisions\[2\]"):
        apply(d, attrs.evolve(r2, changes=(Change("grade", '""', "5"),)))


def test_as_of_takes_dates_in_the_recorded_zone_and_refuses_the_past() -> None:
    cst = timezone(timedelta(hours=8))
    d, r1 = create(Dossier(id="K", name="n"), by="li", at=datetime(2026, 3, 1, 23, tzinfo=cst))
    _, r2 = revise(d, {"grade": "A"}, by="li", at=datetime(2026, 3, 2, 1, tzinfo=cst))
    history = [r1, r2]
    assert as_of(history, date(2026, 3, 1)).grade == ""
    assert as_of(history, date(2026, 3, 2)).grade == "A"
    assert as_of(history, datetime(2026, 3, 1, 16, 30, tzinfo=UTC)).grade == ""
    with pytest.raises(ValidationError, match="did not exist yet"):
        as_of(history, date(2026, 2, 28))
    with pytest.raises(ValidationError):
        as_of(history, datetime(2026, 3, 2))  # noqa: DTZ001 - naive on purpose
    assert as_of(history, "2026-03-02") == as_of(history, date(2026, 3, 2))
    assert as_of(history, "2026-03-01T16:30+00:00").grade == ""
    with pytest.raises(ValidationError):
        as_of(history, "2026-03-02T09:00")  # no offset
    with pytest.raises(ValidationError):
        as_of(history, 20260302)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        at_revision(history, 3)
    with pytest.raises(ValidationError):
        at_revision(history, "1")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        replay_dossier([])


def test_field_paths_name_every_section_field() -> None:
    assert "basic.registered_capital" in FIELD_PATHS
    assert "contacts" in FIELD_PATHS
    assert "revision" not in FIELD_PATHS


@pytest.mark.parametrize(
    ("kwargs", "part"),
    [
        ({"key_facts": ("basic.nope",)}, "key_facts[0]"),
        ({"key_facts": "basic.registered_capital"}, "key_facts"),
        ({"watched": ("basic.payment_terms",)}, "watched[0]"),
        ({"marked_change": 0}, "marked_change"),
    ],
)
def test_an_inconsistent_archive_policy_is_refused(kwargs: dict[str, Any], part: str) -> None:
    with pytest.raises(PolicyError) as caught:
        ArchivePolicy(**kwargs)
    assert caught.value.part == part


def test_the_default_policy_marks_a_fifth_as_a_marked_change() -> None:
    assert DEFAULT_ARCHIVE_POLICY.marked_change == Decimal("0.2")
    assert DEFAULT_ARCHIVE_POLICY.needs_reason("grade", "A", "B") is False


# -- canonical hashing --------------------------------------------------------------------


def test_the_canonical_form_ignores_dict_order_and_decimal_spelling() -> None:
    a = canon.canonical({"b": Decimal("1.50"), "a": Decimal("1E+2"), "c": Decimal("-0.00")})
    b = canon.canonical({"c": 0, "a": 100, "b": Decimal("1.5")})
    assert a == b == '{"a":100,"b":1.5,"c":0}'


def test_equal_values_spelled_differently_give_the_same_revision_hash() -> None:
    d = _recorded()
    _, r = revise(d, {"business.transaction_volume": Money("100.50")}, by="li", at=T0)
    respelled = attrs.evolve(
        r,
        changes=(
            Change("business.transaction_volume", "null", '{"currency":"CNY","amount":1.005E+2}'),
        ),
    )
    assert revision_hash(respelled) == r.hash
    utc8 = attrs.evolve(r, at=r.at.astimezone(timezone(timedelta(hours=8))))
    assert revision_hash(utc8) == r.hash


def test_the_archive_json_refuses_what_it_can_not_hold() -> None:
    with pytest.raises(ValidationError):
        canon.to_plain(0.5)
    with pytest.raises(ValidationError):
        canon.loads("{")
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, [])
    with pytest.raises(ValidationError, match="unknown field"):
        canon.from_plain(Dossier, {"id": "K", "nope": 1})
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"name": "no id"})
    with pytest.raises(RecordInvalid) as caught:
        canon.from_plain(Dossier, {"id": "K", "extra": [{"name": "a", "day": "2026-13-01"}]})
    assert [e.field for e in caught.value.errors] == ["extra[0].day"]
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"id": "K", "classification": "vip"})
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"id": "K", "extra": "x"})
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"id": "K", "updated_at": "yesterday"})
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"id": "K", "basic": {"registered_capital": 5}})
    with pytest.raises(ValidationError):
        canon.from_plain(
            Dossier,
            {"id": "K", "basic": {"registered_capital": {"amount": "x", "currency": "CNY"}}},
        )
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"id": 5})
    with pytest.raises(ValidationError):
        canon.from_plain(Dossier, {"id": "K", "revision": True})
    with pytest.raises(ValidationError):
        canon.from_plain(BasicData, {"premises_owned": 1})
    with pytest.raises(ValidationError):
        canon.from_plain(float, 1.0)


def test_the_archive_json_keeps_values_exact() -> None:
    assert canon.dumps({"a": [True, False, None, 3]}) == '{"a":[true,false,null,3]}'
    assert canon.to_plain({"k": (1, "x")}) == {"k": [1, "x"]}
    assert canon.from_plain(datetime, T0) == T0
    assert canon.from_plain(Money, Money(1)) == Money(1)
    assert canon.dumps(Money("1.50")) == '{"amount":1.50,"currency":"CNY"}'


# -- contacts -----------------------------------------------------------------------------


def test_the_alliance_ladder_has_fifteen_behaviours_in_three_bands() -> None:
    bands = [b.level for b in AllianceBehaviour]
    assert len(bands) == 15
    assert bands == [AllianceLevel.EQUAL] * 5 + [AllianceLevel.PLUS] * 5 + [AllianceLevel.TOP] * 5
    assert [lv.rank for lv in AllianceLevel] == [0, 1, 2, 3]
    assert AllianceLevel.TOP.zh == "同盟"


def test_buying_roles_carry_their_chinese_names() -> None:
    assert [r.zh for r in BuyingRole] == ["经济决策者", "使用者", "技术把关者", "内线/教练"]


def test_observations_keep_the_history_of_an_attitude() -> None:
    c = Contact(id="c1", name="王总")
    assert (c.alliance_level, c.stance, c.latest) == (AllianceLevel.NONE, Stance.NEUTRAL, None)
    c, first = observe(
        c, on="2026-01-10", evidence="asked for a demo", behaviours=["recognises_need"]
    )
    c, second = observe(
        c,
        on=date(2026, 3, 1),
        evidence="sells for us in the board meeting",
        behaviours=(AllianceBehaviour.SELLS_FOR_US_WHEN_ABSENT, AllianceBehaviour.RECOGNISES_NEED),
        stance="supports",
    )
    assert c.alliance == (first, second)
    assert c.alliance_level is AllianceLevel.TOP
    assert second.behaviours[0] is AllianceBehaviour.RECOGNISES_NEED  # ladder order
    assert c.stance is Stance.SUPPORTS
    assert c.latest is second


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"on": "2026-01-01", "evidence": "older"}, "on"),
        ({"on": "2026-03-01", "evidence": " "}, "evidence"),
        ({"on": "2026-03-01", "evidence": "x", "stance": "hostile"}, "stance"),
        ({"on": "2026-03-01", "evidence": "x", "behaviours": ["bribes"]}, "behaviours"),
        ({"on": "2026-03-01", "evidence": "x", "behaviours": "recognises_need"}, "behaviours"),
    ],
)
def test_a_bad_observation_is_refused(kwargs: dict[str, Any], field: str) -> None:
    c, _ = observe(Contact(id="c1", name="王总"), on="2026-02-01", evidence="met")
    with pytest.raises(ValidationError) as caught:
        observe(c, **kwargs)
    assert caught.value.field == field


def test_a_contact_needs_an_id_and_text_fields() -> None:
    with pytest.raises(ValidationError):
        Contact(id="", name="x")
    with pytest.raises(ValidationError):
        Contact(id="c", name="x", phone=5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Contact(id="c", name="x", previous_jobs="a")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        AllianceObservation(on="2026-01-01", evidence=3)  # type: ignore[arg-type]


@given(kst.contacts())
def test_redaction_removes_every_sensitive_field_and_keeps_the_rest(c: Contact) -> None:
    r = redact_contact(c)
    assert (r.birth_date, r.address, r.spouse, r.personality, r.interests) == (None, "", "", "", "")
    assert (r.id, r.name, r.title, r.buying_role, r.alliance) == (
        c.id,
        c.name,
        c.title,
        c.buying_role,
        c.alliance,
    )


def test_coverage_finds_no_economic_buyer_no_coach_and_an_opposing_decider() -> None:
    user = Contact(id="u", name="张工", buying_role=BuyingRole.USER, decision_maker=True)
    user, _ = observe(user, on="2026-01-01", evidence="backs the rival", stance=Stance.OPPOSES)
    gaps = measure_coverage([user]).gaps
    assert [(g.kind, g.contact_id) for g in gaps] == [
        (GapKind.NO_ECONOMIC_BUYER, ""),
        (GapKind.NO_COACH, ""),
        (GapKind.OPPOSING_DECISION_MAKER, "u"),
    ]
    boss = Contact(id="b", name="王总", buying_role=BuyingRole.ECONOMIC_BUYER)
    coach = Contact(id="c", name="小刘", buying_role=BuyingRole.COACH)
    assert measure_coverage([boss, coach]).ok
    assert not measure_coverage([]).ok


def test_a_dossier_can_not_hold_two_contacts_with_one_id() -> None:
    c = Contact(id="c", name="x")
    with pytest.raises(ValidationError, match="duplicate id"):
        Dossier(id="K", contacts=(c, c))


def test_the_alliance_level_is_the_latest_observation_not_the_highest() -> None:
    c, _ = observe(
        Contact(id="c", name="王总"),
        on="2026-01-06",
        evidence="shares confidential plans",
        behaviours=[AllianceBehaviour.SELLS_FOR_US_WHEN_ABSENT],
    )
    c, _ = observe(c, on="2026-04-01", evidence="new CFO, cooler", behaviours=[])
    assert c.alliance_level is AllianceLevel.NONE
    c, _ = observe(
        c, on="2026-05-01", evidence="asks again", behaviours=[AllianceBehaviour.RECOGNISES_NEED]
    )
    assert c.alliance_level is AllianceLevel.EQUAL
    assert [o.level for o in c.alliance] == [
        AllianceLevel.TOP,
        AllianceLevel.NONE,
        AllianceLevel.EQUAL,
    ]


def test_contacts_are_revised_like_any_field() -> None:
    d = _recorded(contacts=(Contact(id="c", name="王总"),))
    c, _ = observe(
        d.contact("c"),
        on="2026-01-06",
        evidence="demo",
        behaviours=[AllianceBehaviour.GIVES_KEY_INFORMATION],
    )
    d2, r = revise(d, {"contacts": (c,)}, by="li", at=T0)
    assert r.fields == ("contacts",)
    assert d2.contact("c").alliance_level is AllianceLevel.EQUAL


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.decimals(min_value=-(10**12), max_value=10**12, places=4),
        max_size=5,
    ),
    st.integers(0, 4),
)
def test_the_canonical_form_is_the_same_for_equal_values_however_spelled(
    values: dict[str, Decimal], extra_places: int
) -> None:
    respelled = {
        k: v.quantize(Decimal(1).scaleb(-(4 + extra_places)))
        for k, v in reversed(list(values.items()))
    }
    assert canon.canonical(respelled) == canon.canonical(values)
    assert canon.loads(canon.canonical(values)) == values


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Contact(id="c", name="王总", buying_role="boss"), "buying_role"),
        (lambda: Dossier(id="d", name="甲", confidentiality="公开"), "confidentiality"),
        (lambda: Dossier(id="d", name="甲", classification="vip"), "classification"),
    ],
)
def test_an_unknown_enum_value_is_a_validation_error_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert info.value.field == field
    assert "expected one of:" in str(info.value)


def test_the_old_archive_names_still_work_and_warn() -> None:
    import kamcore.archive as archive

    with pytest.warns(DeprecationWarning, match="renamed measure_coverage"):
        assert archive.coverage is measure_coverage
    with pytest.warns(DeprecationWarning, match="renamed replay_dossier"):
        assert archive.replay is replay_dossier
    assert "coverage" not in archive.__all__
    assert "replay" not in archive.__all__


def test_the_archive_has_one_import_path_per_name() -> None:
    import kamcore.archive as archive

    for name in archive.__all__:
        module = getattr(getattr(archive, name), "__module__", "kamcore.archive")
        assert module.startswith(("kamcore.archive", "kamcore._plain")), name
    for old in ("dossier", "contacts", "lending", "reviews", "revisions", "visits", "canonical"):
        with pytest.raises(ImportError):
            __import__(f"kamcore.archive.{old}")
