"""Grade governance: approved overrides, their expiry and review, migration matrices."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore.calendar import Period
from kamcore.errors import KamError, ValidationError
from kamcore.grading import (
    ABSENT,
    AccountFacts,
    Criterion,
    GradeBand,
    GradeExplanation,
    GradeLadder,
    GradeMigration,
    GradeOverride,
    MoveKind,
    Normaliser,
    OverrideEvent,
    OverrideEventKind,
    OverrideReview,
    RegradePolicy,
    Regrading,
    WeightedScorecard,
    override_grade,
    regrade,
    tabulate_migrations,
)

CARD = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
LADDER = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80), GradeBand("C", 0, 50)))
Q1, Q2, Q3 = (Period.quarter(2026, q) for q in (1, 2, 3))


def pop(**revenues: int) -> list[AccountFacts]:
    return [AccountFacts(k, sales_revenue=v) for k, v in revenues.items()]


def q1() -> Regrading:
    return regrade(CARD, LADDER, pop(acme=40, beta=90), period=Q1, by="ka-dept")


def overridden(**kw: Any) -> tuple[Regrading, OverrideEvent]:
    args: dict[str, Any] = {
        "ladder": LADDER,
        "grade": "B",
        "reason": "strategic partner",
        "requested_by": "li",
        "approved_by": "zhao",
        "on": "2026-04-10",
        "until": "2026-07-01",
    }
    args.update(kw)
    return override_grade(q1(), "acme", **args)


# -- granting an override -------------------------------------------------------------
def test_an_override_gives_the_grade_and_records_a_granted_event() -> None:
    state, event = overridden()
    assert event.kind is OverrideEventKind.GRANTED
    assert (event.account_id, event.by, event.on) == ("acme", "zhao", date(2026, 4, 10))
    assert state.override_history == (event,)
    assert state.overrides == (event.override,)
    assert state.grade_of("acme") == "B"
    assert state.standing("acme").grade == "C"  # type: ignore[union-attr]  # computed, untouched
    assert state.grade_of("beta") == "A"


def test_an_override_shows_in_the_explanation() -> None:
    state, _ = overridden()
    e = state.explain("acme")
    assert (e.grade, e.computed_grade, e.by_override) == ("B", "C", True)
    assert str(e) == (
        "acme: grade B by override (reason 'strategic partner', requested by li, approved by "
        "zhao on 2026-04-10, until 2026-07-01); computed grade C"
    )
    assert str(state.explain("beta")) == "beta: grade A, computed"
    assert not state.explain("beta").by_override


def test_the_explanation_says_when_hysteresis_holds_the_grade() -> None:
    jan = regrade(CARD, LADDER, pop(a=90), period=Q1)
    feb = regrade(
        CARD, LADDER, pop(a=60), previous=jan, period=Q2, policy=RegradePolicy(demote_after=3)
    )
    assert str(feb.explain("a")) == (
        "a: grade A, computed (scored B, 1 period below; not demoted yet)"
    )
    mar = regrade(
        CARD, LADDER, pop(a=60), previous=feb, period=Q3, policy=RegradePolicy(demote_after=3)
    )
    assert "2 periods below" in str(mar.explain("a"))
    by_hand = GradeExplanation(account_id="x", grade="A", computed_grade="A")
    assert str(by_hand) == "x: grade A, computed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": None}, "reason"),
        ({"approved_by": "li"}, "approved_by"),
        ({"approved_by": " LI "}, "approved_by"),
        ({"approved_by": ""}, "approved_by"),
        ({"requested_by": ""}, "requested_by"),
        ({"grade": "Z"}, "grade"),
        ({"until": None}, "until"),
        ({"until": "2026-04-10"}, "until"),
        ({"on": "10 April"}, "on"),
        ({"until_next_regrade": "yes"}, "until_next_regrade"),
    ],
)
def test_a_bad_override_is_refused_naming_the_field_and_nothing_changes(
    change: dict[str, Any], field: str
) -> None:
    before = q1()
    args: dict[str, Any] = {
        "ladder": LADDER,
        "grade": "B",
        "reason": "strategic partner",
        "requested_by": "li",
        "approved_by": "zhao",
        "on": "2026-04-10",
        "until": "2026-07-01",
        **change,
    }
    with pytest.raises(ValidationError) as caught:
        override_grade(before, "acme", **args)
    assert isinstance(caught.value, KamError)
    assert caught.value.field == field
    assert before == q1()
    assert before.override_history == ()
    assert before.grade_of("acme") == "C"


def test_the_requester_approving_says_who_else_may() -> None:
    with pytest.raises(ValidationError, match="someone other than the requester, 'li'"):
        overridden(approved_by="Li")


def test_an_override_needs_a_graded_account_and_the_ladder_in_use() -> None:
    with pytest.raises(ValidationError) as caught:
        override_grade(
            q1(), "nobody", ladder=LADDER, grade="B", reason="r", requested_by="li",
            approved_by="zhao", on="2026-04-10", until_next_regrade=True,
        )  # fmt: skip
    assert caught.value.field == "account_id"
    tiers = GradeLadder((GradeBand("gold", 50, 100), GradeBand("silver", 0, 50)), name="tiers")
    with pytest.raises(ValidationError) as caught:
        overridden(ladder=tiers, grade="gold")
    assert caught.value.field == "ladder"


def test_overrides_are_appended_forward_in_time_and_a_new_one_supersedes() -> None:
    state, first = overridden()
    with pytest.raises(ValidationError) as caught:
        override_grade(
            state, "acme", ladder=LADDER, grade="A", reason="r", requested_by="li",
            approved_by="zhao", on="2026-04-09", until_next_regrade=True,
        )  # fmt: skip
    assert caught.value.field == "on"
    again, second = override_grade(
        state, "acme", ladder=LADDER, grade="A", reason="board decision", requested_by="li",
        approved_by="wang", on="2026-04-12", until_next_regrade=True,
    )  # fmt: skip
    assert again.override_history == (first, second)
    assert again.overrides == (second.override,)
    assert again.grade_of("acme") == "A"
    assert "until the next re-grading" in str(again.explain("acme"))


def test_an_override_can_lapse_at_a_date_or_the_next_regrade_whichever_first() -> None:
    o = GradeOverride(
        account_id="a", grade="A", reason="r", requested_by="li", approved_by="zhao",
        on="2026-04-10", until="2026-05-01", until_next_regrade=True,
    )  # fmt: skip
    assert o.expiry == "until 2026-05-01 or the next re-grading"
    assert o.in_force()
    assert o.in_force("2026-04-30")
    assert not o.in_force(date(2026, 5, 1))


# -- expiry ---------------------------------------------------------------------------
def test_an_override_lapses_on_its_date() -> None:
    state, _ = overridden()
    assert state.grade_of("acme", on="2026-06-30") == "B"
    assert state.grade_of("acme", on=date(2026, 7, 1)) == "C"
    assert not state.explain("acme", on="2026-07-01").by_override
    assert state.override_of("acme", on="2026-07-01") is None
    assert state.override_of("beta") is None
    with pytest.raises(ValidationError) as caught:
        state.grade_of("beta", on="someday")
    assert caught.value.field == "on"


def test_a_dated_override_expires_at_the_regrading_of_the_period_it_ends_in() -> None:
    state, granted = overridden(until="2026-07-01")
    q2 = regrade(CARD, LADDER, pop(acme=40, beta=90), previous=state, period=Q2, by="ka-dept")
    (expired,) = q2.override_history[1:]
    assert (expired.kind, expired.override, expired.by, expired.period, expired.on) == (
        OverrideEventKind.EXPIRED,
        granted.override,
        "ka-dept",
        Q2,
        None,
    )
    assert expired.note == "lapsed on 2026-07-01"
    assert q2.overrides == ()
    assert q2.grade_of("acme") == "C"


def test_a_dated_override_runs_on_past_a_regrading_before_its_date() -> None:
    state, granted = overridden(until="2026-08-15")
    q2 = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2)
    assert q2.override_history == state.override_history
    assert q2.grade_of("acme") == "B"
    undated = regrade(CARD, LADDER, pop(acme=40), previous=state)  # no period: no date to pass
    assert undated.overrides == (granted.override,)
    q3 = regrade(CARD, LADDER, pop(acme=40), previous=q2, period=Q3)
    assert [e.kind for e in q3.override_history] == [
        OverrideEventKind.GRANTED,
        OverrideEventKind.EXPIRED,
    ]
    assert q3.grade_of("acme") == "C"


def test_an_override_until_the_next_regrade_expires_there() -> None:
    state, _ = overridden(until=None, until_next_regrade=True)
    q2 = regrade(CARD, LADDER, pop(acme=40, beta=90), previous=state, period=Q2)
    assert q2.override_history[-1].kind is OverrideEventKind.EXPIRED
    assert q2.override_history[-1].note == "ran until this re-grading"
    assert q2.grade_of("acme") == "C"
    assert str(q2.explain("acme")) == "acme: grade C, computed"


# -- review at re-grading -------------------------------------------------------------
def test_a_review_keeps_the_override_with_a_new_approval() -> None:
    state, granted = overridden(until=None, until_next_regrade=True)
    keep = OverrideReview(
        "acme", keep=True, by="wang", on="2026-07-02", until="2026-10-01", reason="still key"
    )
    q2 = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[keep])
    kept = q2.override_history[-1]
    assert (kept.kind, kept.by, kept.on, kept.period, kept.note) == (
        OverrideEventKind.KEPT,
        "wang",
        date(2026, 7, 2),
        Q2,
        "still key",
    )
    renewed = kept.override
    assert (renewed.grade, renewed.requested_by, renewed.approved_by) == ("B", "li", "wang")
    assert (renewed.reason, renewed.until, renewed.until_next_regrade) == (
        "still key",
        date(2026, 10, 1),
        False,
    )
    assert q2.overrides == (renewed,)
    assert q2.grade_of("acme") == "B"
    assert "approved by wang on 2026-07-02, until 2026-10-01" in str(q2.explain("acme"))
    # without a new reason the old one stands
    plain = OverrideReview("acme", keep=True, by="wang", on="2026-07-02", until_next_regrade=True)
    q2b = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[plain])
    assert q2b.overrides[0].reason == granted.override.reason


def test_a_review_drops_the_override() -> None:
    state, granted = overridden(until="2026-12-01")
    drop = OverrideReview("acme", keep=False, by="wang", on="2026-07-02", reason="no longer")
    q2 = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=(drop,))
    dropped = q2.override_history[-1]
    assert (dropped.kind, dropped.override, dropped.by, dropped.note) == (
        OverrideEventKind.DROPPED,
        granted.override,
        "wang",
        "no longer",
    )
    assert q2.overrides == ()
    assert q2.grade_of("acme") == "C"


def test_reviews_are_recorded_by_date_then_lapses() -> None:
    state, _ = overridden(until_next_regrade=True, until=None)
    state, _ = override_grade(
        state, "beta", ladder=LADDER, grade="B", reason="r", requested_by="li",
        approved_by="zhao", on="2026-04-11", until_next_regrade=True,
    )  # fmt: skip
    reviews = [
        OverrideReview("beta", keep=False, by="wang", on="2026-07-03"),
        OverrideReview("acme", keep=False, by="wang", on="2026-07-02"),
    ]
    q2 = regrade(CARD, LADDER, pop(acme=40, beta=90), previous=state, period=Q2, reviews=reviews)
    assert [(e.account_id, e.kind.value) for e in q2.override_history[2:]] == [
        ("acme", "dropped"),
        ("beta", "dropped"),
    ]


@pytest.mark.parametrize(
    ("review", "field"),
    [
        (OverrideReview("beta", keep=False, by="wang", on="2026-07-02"), "reviews[0].account_id"),
        (OverrideReview("acme", keep=True, by="LI", on="2026-07-02", until_next_regrade=True),
         "reviews[0].by"),
        (OverrideReview("acme", keep=False, by="wang", on="2026-04-01"), "reviews[0].on"),
    ],
)  # fmt: skip
def test_a_bad_review_is_refused_naming_it(review: OverrideReview, field: str) -> None:
    state, _ = overridden()
    with pytest.raises(ValidationError) as caught:
        regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[review])
    assert caught.value.field == field


def test_an_override_is_reviewed_once_per_regrading() -> None:
    state, _ = overridden()
    drop = OverrideReview("acme", keep=False, by="wang", on="2026-07-02")
    with pytest.raises(ValidationError, match=r"already reviewed by reviews\[0\]") as caught:
        regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[drop, drop])
    assert caught.value.field == "reviews[1].account_id"
    with pytest.raises(ValidationError, match="no override is in force") as caught:
        regrade(CARD, LADDER, pop(acme=40), period=Q2, reviews=[drop])
    with pytest.raises(ValidationError) as caught:
        regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[object()])  # type: ignore[list-item]
    assert caught.value.field == "reviews[0]"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"keep": True}, "until"),
        ({"keep": True, "until": "2026-07-01"}, "until"),
        ({"keep": False, "until": "2026-09-01"}, "until"),
        ({"keep": False, "until_next_regrade": True}, "until"),
        ({"keep": "yes"}, "keep"),
        ({"keep": False, "by": " "}, "by"),
        ({"keep": False, "reason": None}, "reason"),
    ],
)
def test_a_review_itself_is_checked(kw: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"by": "wang", "on": "2026-07-01", **kw}
    with pytest.raises(ValidationError) as caught:
        OverrideReview("acme", **args)
    assert caught.value.field == field


def test_an_override_whose_grade_leaves_the_ladder_must_be_dropped() -> None:
    state, _ = overridden(until="2026-12-01")
    ladder = GradeLadder((GradeBand("A", 80, 100), GradeBand("C", 0, 80)))
    with pytest.raises(ValidationError, match="drops the override of 'acme'") as caught:
        regrade(CARD, ladder, pop(acme=40), previous=state, period=Q2)
    assert caught.value.field == "reviews"
    drop = OverrideReview("acme", keep=False, by="wang", on="2026-07-02")
    q2 = regrade(CARD, ladder, pop(acme=40), previous=state, period=Q2, reviews=[drop])
    assert q2.overrides == ()


# -- the history ----------------------------------------------------------------------
def test_the_override_history_is_append_only_and_its_replay_is_the_state() -> None:
    state, _ = overridden(until_next_regrade=True, until=None)
    keep = OverrideReview("acme", keep=True, by="wang", on="2026-07-02", until="2026-12-01")
    q2 = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[keep])
    q3 = regrade(CARD, LADDER, pop(acme=40), previous=q2, period=Q3)
    for earlier, later in ((state, q2), (q2, q3)):
        n = len(earlier.override_history)
        assert later.override_history[:n] == earlier.override_history
    rebuilt = Regrading(q3.period, q3.graded, q3.standings, q3.changes, q3.held, ())
    replayed = Regrading(
        q3.period,
        q3.graded,
        q3.standings,
        q3.changes,
        q3.held,
        q3.override_history,
        q3.latest_period,
    )
    assert replayed == q3
    assert rebuilt.overrides == ()
    assert q3.overrides == (q2.override_history[-1].override,)


def test_an_impossible_history_is_refused() -> None:
    state, granted = overridden()
    expired = OverrideEvent(kind=OverrideEventKind.EXPIRED, override=granted.override, by="x")
    r = state
    with pytest.raises(ValidationError, match="history out of order") as caught:
        Regrading(r.period, r.graded, r.standings, r.changes, r.held, (expired,))
    assert caught.value.field == "override_history[0]"
    other = GradeOverride(
        account_id="acme", grade="A", reason="r", requested_by="li", approved_by="zhao",
        on="2026-04-01", until_next_regrade=True,
    )  # fmt: skip
    wrong = OverrideEvent(kind=OverrideEventKind.DROPPED, override=other, by="x")
    with pytest.raises(ValidationError, match="history out of order"):
        Regrading(r.period, r.graded, r.standings, r.changes, r.held, (granted, wrong))
    earlier = OverrideEvent(
        kind=OverrideEventKind.GRANTED, override=other, by="zhao", on=date(2026, 4, 1)
    )
    with pytest.raises(ValidationError, match="back in time") as caught:
        Regrading(r.period, r.graded, r.standings, r.changes, r.held, (granted, earlier))
    assert caught.value.field == "override_history[1].on"


def test_a_regrading_with_overrides_round_trips_through_the_codec() -> None:
    state, _ = overridden(until_next_regrade=True)
    keep = OverrideReview("acme", keep=True, by="wang", on="2026-07-02", until_next_regrade=True)
    q2 = regrade(CARD, LADDER, pop(acme=40), previous=state, period=Q2, reviews=[keep])
    assert codec.from_dict(Regrading, codec.to_dict(q2)) == q2
    assert codec.from_json(Regrading, codec.to_json(q2)) == q2


# -- period ordering ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("period", "problem"),
    [
        (Q1, "the last period re-graded again"),
        (Period("2026-01-01", "2026-04-01"), "the last period re-graded again"),
        ("2026-Q1", "the last period re-graded again"),
        (Period.quarter(2025, 4), "earlier than the last period"),
        (Period.month(2026, 1), "earlier than the last period"),  # same start, ends earlier
    ],
)
def test_regrading_refuses_a_period_not_after_the_last(period: Period | str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as caught:
        regrade(CARD, LADDER, pop(acme=40), previous=q1(), period=period)
    assert caught.value.field == "period"
    assert "a period after the last one re-graded, 2026-Q1" in caught.value.expected


def test_an_undated_regrading_does_not_open_a_way_back_in_time() -> None:
    undated = regrade(CARD, LADDER, pop(acme=40), previous=q1())
    for period in (Q1, Period.quarter(2025, 1)):
        with pytest.raises(ValidationError) as caught:
            regrade(CARD, LADDER, pop(acme=40), previous=undated, period=period)
        assert caught.value.field == "period"
        assert "2026-Q1" in caught.value.expected
    twice = regrade(CARD, LADDER, pop(acme=40), previous=undated)
    assert twice.latest_period == Q1


def test_regrading_accepts_a_later_period_a_label_or_an_undated_one() -> None:
    assert regrade(CARD, LADDER, pop(acme=40), previous=q1(), period="2026-Q2").period == Q2
    march = regrade(CARD, LADDER, pop(acme=40), previous=q1(), period=Period.month(2026, 3))
    assert str(march.period) == "2026-03"
    undated = regrade(CARD, LADDER, pop(acme=40), previous=q1())
    assert undated.period is None
    assert undated.latest_period == Q1
    assert regrade(CARD, LADDER, pop(acme=40), previous=undated, period=Q2).period == Q2
    with pytest.raises(ValidationError) as caught:
        regrade(CARD, LADDER, pop(acme=40), period=date(2026, 1, 1))  # type: ignore[arg-type]
    assert caught.value.field == "period"


# -- migration matrix -----------------------------------------------------------------
def six_accounts() -> tuple[Regrading, Regrading]:
    # Q1: a A, b A, c B, d B, e C, f C      Q2: a A, b B, c A, d C, e C, g B (f gone, g new)
    one = regrade(CARD, LADDER, pop(a=90, b=85, c=60, d=55, e=10, f=20), period=Q1)
    two = regrade(CARD, LADDER, pop(a=95, b=70, c=81, d=30, e=40, g=60), previous=one, period=Q2)
    return one, two


def test_the_migration_matrix_of_six_accounts_by_hand() -> None:
    one, two = six_accounts()
    m = tabulate_migrations(LADDER, one, two)
    assert isinstance(m, GradeMigration)
    assert (m.before, m.after, m.grades) == (Q1, Q2, ("A", "B", "C"))
    got = {(r["from_grade"], r["to_grade"]): r["count"] for r in m.records() if r["count"]}
    assert got == {
        ("A", "A"): 1,
        ("A", "B"): 1,
        ("B", "A"): 1,
        ("B", "C"): 1,
        ("C", "C"): 1,
        ("C", None): 1,
        (None, "B"): 1,
    }
    assert len(m.records()) == 15  # 4 x 4 cells less the impossible None -> None
    assert (m.upgrades, m.downgrades, m.unchanged, m.appeared, m.disappeared) == (1, 2, 2, 1, 1)
    assert m.accounts("B", "C") == ("d",)
    assert m.count(None, "B") == 1
    assert m.count("C", None) == 1
    assert {x.account_id: x.kind for x in m.moves}["g"] is MoveKind.APPEARED
    assert str(m) == (
        "grade migration 2026-Q1 → 2026-Q2 (rows: from, columns: to; — not graded)\n"
        "from  A  B  C  —\n"
        "----  -  -  -  -\n"
        "A     1  1  0  0\n"
        "B     1  0  1  0\n"
        "C     0  0  1  1\n"
        "—     0  1  0\n"
        "upgrades 1, downgrades 2, unchanged 2; appeared 1, disappeared 1"
    )
    assert ABSENT == "—"


def test_the_migration_matrix_as_a_frame() -> None:
    one, two = six_accounts()
    f = tabulate_migrations(LADDER, one, two).to_frame()
    assert list(f.columns) == ["from_grade", "to_grade", "count"]
    assert int(f["count"].sum()) == 7
    assert str(f["count"].dtype) == "int64"


def test_the_migration_matrix_counts_overrides_unless_asked_for_computed_grades() -> None:
    one, two = six_accounts()
    two, _ = override_grade(
        two, "d", ladder=LADDER, grade="B", reason="new contract", requested_by="li",
        approved_by="zhao", on="2026-07-05", until_next_regrade=True,
    )  # fmt: skip
    assert tabulate_migrations(LADDER, one, two).count("B", "B") == 1
    assert tabulate_migrations(LADDER, one, two, computed=True).count("B", "C") == 1


def test_the_migration_matrix_refuses_what_does_not_fit() -> None:
    one, two = six_accounts()
    with pytest.raises(ValidationError) as caught:
        tabulate_migrations(LADDER, two, one)
    assert caught.value.field == "after"
    tiers = GradeLadder((GradeBand("gold", 50, 100), GradeBand("silver", 0, 50)))
    with pytest.raises(ValidationError) as caught:
        tabulate_migrations(tiers, one, two)
    assert caught.value.field == "before"
    m = tabulate_migrations(LADDER, one, two)
    with pytest.raises(ValidationError) as caught:
        m.count("Z", "A")
    assert caught.value.field == "from_grade"
    with pytest.raises(ValidationError) as caught:
        m.accounts("A", "Z")
    assert caught.value.field == "to_grade"
    with pytest.raises(ValidationError) as caught:
        tabulate_migrations(LADDER, one, two, computed="no")  # type: ignore[arg-type]
    assert caught.value.field == "computed"


def test_an_undated_migration_says_so() -> None:
    one = regrade(CARD, LADDER, pop(a=90))
    two = regrade(CARD, LADDER, pop(a=90), previous=one)
    m = tabulate_migrations(LADDER, one, two)
    assert str(m).startswith("grade migration (no period) → (no period)")
    assert m.unchanged == 1


_IDS = [f"c{i}" for i in range(8)]


@given(
    st.dictionaries(st.sampled_from(_IDS), st.integers(0, 100), max_size=8),
    st.dictionaries(st.sampled_from(_IDS), st.integers(0, 100), max_size=8),
    st.integers(1, 3),
)
def test_the_matrix_counts_every_account_of_either_period_once(
    first: dict[str, int], second: dict[str, int], demote_after: int
) -> None:
    one = regrade(CARD, LADDER, pop(**first), period=Q1)
    rules = RegradePolicy(demote_after=demote_after)
    two = regrade(CARD, LADDER, pop(**second), previous=one, period=Q2, policy=rules)
    m = tabulate_migrations(LADDER, one, two)
    cells = [(r["from_grade"], r["to_grade"], r["count"]) for r in m.records()]
    counts = [(a, b, n) for a, b, n in cells if isinstance(n, int)]
    assert len(counts) == len(cells)
    assert sum(n for _, _, n in counts) == len(first.keys() | second.keys())
    assert sum(n for a, _, n in counts if a is not None) == len(first)
    assert sum(n for _, b, n in counts if b is not None) == len(second)
    both = len(first.keys() & second.keys())
    assert m.upgrades + m.downgrades + m.unchanged == both
    assert m.appeared == len(second.keys() - first.keys())
    assert m.disappeared == len(first.keys() - second.keys())
