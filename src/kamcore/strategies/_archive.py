"""Strategies for the archive's public types: dossiers, contacts, revisions, loans."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from kamcore.archive import (
    AllianceBehaviour,
    AllianceObservation,
    ArchivePolicy,
    BasicData,
    Borrower,
    Business,
    BuyingRole,
    CallPlan,
    Classification,
    Competitor,
    Confidentiality,
    Contact,
    Dossier,
    ExtraField,
    GradeCadence,
    LendingPolicy,
    LevelRule,
    Loan,
    Participant,
    PresentationPlan,
    Question,
    RecordKind,
    RecordReference,
    Review,
    ReviewPolicy,
    Revision,
    Role,
    Stance,
    Visit,
    VisitLevel,
    VisitPolicy,
    create,
    revise,
)
from kamcore.money import Money
from kamcore.strategies._core import amounts, dates

__all__ = [
    "alliance_observations",
    "archive_policies",
    "borrowers",
    "call_plans",
    "contacts",
    "dossier_changes",
    "dossiers",
    "extra_fields",
    "histories",
    "lending_policies",
    "level_rules",
    "loans",
    "moments",
    "participants",
    "presentation_plans",
    "review_policies",
    "reviews",
    "visit_policies",
    "visits",
]

_TEXT = st.text(
    alphabet=st.sampled_from('abcxyz 华东水务集团王李上中下旬-0123456789"\\é'), max_size=12
)
_NAME = _TEXT.filter(lambda s: bool(s.strip()))


def moments(
    *, min_value: date = date(2020, 1, 1), max_value: date = date(2030, 12, 31)
) -> st.SearchStrategy[datetime]:
    """Timezone-aware date-times (UTC or UTC+8), whole seconds or with microseconds."""
    naive = st.datetimes(
        min_value=datetime.combine(min_value, datetime.min.time()),
        max_value=datetime.combine(max_value, datetime.min.time()),
    )
    zones = st.sampled_from([UTC, _CST])
    return st.builds(lambda n, z: n.replace(tzinfo=z), naive, zones)


_CST = timezone(timedelta(hours=8))


def _money() -> st.SearchStrategy[Money]:
    return amounts(min_value=0, max_value=10**9).map(Money)


def extra_fields() -> st.SearchStrategy[ExtraField]:
    """Extra typed fields holding text, a number or a day."""
    value: st.SearchStrategy[Any] = st.one_of(_TEXT, amounts(places=3), dates())
    return st.builds(ExtraField.of, _NAME, value)


def alliance_observations() -> st.SearchStrategy[AllianceObservation]:
    """Alliance observations with 0–3 behaviours and some evidence."""
    return st.builds(
        AllianceObservation,
        on=dates(),
        behaviours=st.lists(st.sampled_from(AllianceBehaviour), max_size=3).map(tuple),
        evidence=_NAME,
        stance=st.sampled_from(Stance),
    )


def contacts(contact_id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Contact]:
    """Contacts with a buying role, some sensitive data and a short alliance history."""
    return st.builds(
        Contact,
        id=contact_id if contact_id is not None else _NAME,
        name=_NAME,
        title=_TEXT,
        phone=st.just("") | st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        birth_date=st.none() | dates(min_value=date(1950, 1, 1), max_value=date(2000, 1, 1)),
        address=_TEXT,
        spouse=_TEXT,
        interests=_TEXT,
        buying_role=st.none() | st.sampled_from(BuyingRole),
        decision_maker=st.booleans(),
        alliance=st.lists(alliance_observations(), max_size=2).map(
            lambda obs: tuple(sorted(obs, key=lambda o: o.on))
        ),
    )


def _unique(items: st.SearchStrategy[Any], key: str, max_size: int = 3) -> Any:
    return st.lists(items, max_size=max_size, unique_by=lambda x: getattr(x, key)).map(tuple)


def dossiers(key: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Dossier]:
    """New (revision 0) dossiers with every kind of section filled in sometimes."""
    return st.builds(
        Dossier,
        id=key if key is not None else _NAME,
        name=_NAME,
        classification=st.sampled_from(Classification),
        confidentiality=st.sampled_from(Confidentiality),
        grade=st.sampled_from(["", "A", "B", "C", "D", "gold"]),
        basic=st.builds(
            BasicData,
            region=_TEXT,
            registered_capital=st.none() | _money(),
            registration_date=st.none() | dates(),
            staff=st.none() | st.integers(0, 10**5),
            premises_area=st.none() | amounts(min_value=0, max_value=10**6),
            payment_terms=_TEXT,
            phones=st.lists(_TEXT, max_size=2).map(tuple),
        ),
        business=st.builds(
            Business,
            transaction_volume=st.none() | _money(),
            sales_performance=st.none() | _money(),
            competitor_share=st.none() | amounts(min_value=0, max_value=1, places=4),
        ),
        records=st.lists(
            st.builds(RecordReference, st.sampled_from(RecordKind), _NAME, _TEXT), max_size=2
        ).map(tuple),
        competitors=_unique(st.builds(Competitor, _NAME, relationship=_TEXT), "name"),
        contacts=_unique(contacts(), "id", 2),
        extra=_unique(extra_fields(), "name"),
    )


def dossier_changes() -> st.SearchStrategy[dict[str, Any]]:
    """Changes for :func:`kamcore.archive.revise`: 1–3 field paths and new values."""
    options: dict[str, st.SearchStrategy[Any]] = {
        "grade": st.sampled_from(["A", "B", "C", "D"]),
        "name": _NAME,
        "classification": st.sampled_from(Classification),
        "basic.registered_capital": _money(),
        "basic.payment_terms": _NAME,
        "basic.staff": st.integers(0, 10**5),
        "business.transaction_volume": _money(),
        "business.sales_performance": _money(),
        "organisation.management": _NAME,
        "credit.recommended_credit": _money(),
        "extra": _unique(extra_fields(), "name"),
    }
    return st.dictionaries(
        st.sampled_from(sorted(options)), st.just(None), min_size=1, max_size=3
    ).flatmap(lambda keys: st.fixed_dictionaries({k: options[k] for k in keys}))


def archive_policies() -> st.SearchStrategy[ArchivePolicy]:
    """Archive policies with any subset of the default key facts and a 1–100% threshold."""
    return st.builds(
        ArchivePolicy,
        key_facts=st.lists(st.sampled_from(ArchivePolicy().key_facts), unique=True, max_size=3).map(
            tuple
        ),
        watched=st.lists(st.sampled_from(ArchivePolicy().watched), unique=True, max_size=2).map(
            tuple
        ),
        marked_change=st.decimals(
            min_value=Decimal("0.01"), max_value=1, places=2, allow_nan=False
        ),
    )


@st.composite
def histories(draw: st.DrawFn, *, max_revisions: int = 5) -> list[Revision]:
    """A valid history: a created dossier and up to ``max_revisions - 1`` revisions."""
    dossier = draw(dossiers())
    at = draw(moments(max_value=date(2029, 1, 1)))
    dossier, first = create(dossier, by="li", at=at)
    out = [first]
    for _ in range(draw(st.integers(0, max_revisions - 1))):
        changes = draw(dossier_changes())
        at += timedelta(minutes=draw(st.integers(0, 10_000)))
        try:
            dossier, rev = revise(dossier, changes, by="wang", at=at, reason="update")
        except ValueError:
            continue  # nothing changed
        out.append(rev)
    return out


def loans() -> st.SearchStrategy[Loan]:
    """Loans, open or returned."""

    def build(lent: datetime, hours: int, back: int | None, role: Role, **kw: Any) -> Loan:
        due = lent + timedelta(hours=hours)
        returned = None if back is None else lent + timedelta(minutes=back)
        return Loan(lent_at=lent, due_at=due, returned_at=returned, borrower_role=role, **kw)

    return st.builds(
        build,
        lent=moments(),
        hours=st.integers(1, 8),
        back=st.none() | st.integers(0, 1000),
        role=st.sampled_from(Role),
        id=_NAME,
        dossier_id=_NAME,
        level=st.sampled_from(Confidentiality),
        borrower=_NAME,
        approved_by=_TEXT,
        delegation=st.just("") | _NAME,
    )


# -- policies and plans -----------------------------------------------------------------

_MONTHS = st.lists(st.integers(1, 12), min_size=1, max_size=4, unique=True).map(
    lambda ms: tuple(sorted(ms))
)


def review_policies() -> st.SearchStrategy[ReviewPolicy]:
    """Review policies: a 1–12 month cycle, optional fixed anchor, growth/loss thresholds."""
    return st.builds(
        ReviewPolicy,
        cycle_months=st.integers(1, 12),
        anchor=st.none() | dates(),
        fast_growth=st.decimals("0.01", "5", places=2),
        loss=st.decimals("0.01", "1", places=2),
        quarterly_months=_MONTHS,
        annual_months=_MONTHS,
    )


_ROLES = st.lists(st.sampled_from(list(Role)), max_size=3, unique=True).map(tuple)


@st.composite
def _level_rule(draw: st.DrawFn, level: Confidentiality) -> LevelRule:
    # access only widens: readable ⊇ read outside ⊇ lendable (a policy refuses the rest)
    access = draw(st.integers(0, 3))
    direct, approvers = draw(_ROLES), draw(_ROLES)
    if access == 3 and not (direct or approvers):
        approvers = (Role.GENERAL_MANAGER,)
    return LevelRule(
        level,
        readable=access >= 1,
        read_outside=access >= 2,
        lendable=access == 3,
        max_hours=draw(st.none() | st.decimals("0.5", "72", places=1)),
        direct_roles=direct,
        approver_roles=approvers,
        requester_roles=draw(_ROLES),
    )


def level_rules(level: Confidentiality) -> st.SearchStrategy[LevelRule]:
    """Rules for one confidentiality level, from unreadable to lendable.

    Unreadable, read in the archive room only, read outside, or lent (with someone who
    may lend it) for some hours at most.
    """
    return _level_rule(level)


def lending_policies() -> st.SearchStrategy[LendingPolicy]:
    """Lending policies with one rule for every confidentiality level."""
    return st.tuples(*(level_rules(level) for level in Confidentiality)).map(
        lambda rules: LendingPolicy(rules=rules)
    )


def visit_policies() -> st.SearchStrategy[VisitPolicy]:
    """Visit policies: 1–5 grades with 0–30 visits a month, some of them visited first."""
    grades = st.lists(
        st.sampled_from(["A", "B", "C", "D", "金牌", "银"]), min_size=1, max_size=5, unique=True
    )

    @st.composite
    def build(draw: st.DrawFn) -> VisitPolicy:
        keys = draw(grades)
        cadence = tuple(GradeCadence(g, draw(st.integers(0, 30))) for g in keys)
        first = draw(st.lists(st.sampled_from(keys), max_size=len(keys), unique=True))
        return VisitPolicy(cadence=cadence, priority_grades=tuple(first))

    return build()


def participants() -> st.SearchStrategy[Participant]:
    """People taking part in a call or a presentation, with or without a buying role."""
    return st.builds(
        Participant,
        name=_NAME,
        title=_TEXT,
        role=_TEXT,
        contact_id=st.sampled_from(["", "c-1", "c-2"]),
        buying_role=st.none() | st.sampled_from(list(BuyingRole)),
    )


_LINES = st.lists(_NAME, max_size=3).map(tuple)


def call_plans() -> st.SearchStrategy[CallPlan]:
    """Executive call plans (执行人员电话计划)."""
    return st.builds(
        CallPlan,
        id=st.sampled_from(["call-1", "call-2"]),
        dossier_id=st.sampled_from(["D-1", "D-2"]),
        executive=_NAME,
        at=moments(),
        purpose=_NAME,
        expected_result=_TEXT,
        ours=st.lists(participants(), max_size=2).map(tuple),
        theirs=st.lists(participants(), max_size=2).map(tuple),
        agenda=_LINES,
        obstacles=_LINES,
        resources=_LINES,
        views_to_influence=_LINES,
        business_value=_TEXT,
        political_value=_TEXT,
        questions=st.lists(st.builds(Question, _NAME, _TEXT), max_size=2).map(tuple),
    )


def presentation_plans() -> st.SearchStrategy[PresentationPlan]:
    """Presentation plans (演讲计划) with their audience and arguments."""
    return st.builds(
        PresentationPlan,
        dossier_id=st.sampled_from(["D-1", "D-2"]),
        on=dates(),
        purpose=_NAME,
        agenda=_LINES,
        participants=st.lists(participants(), max_size=3).map(tuple),
        business_arguments=_LINES,
        political_arguments=_LINES,
    )


def visits() -> st.SearchStrategy[Visit]:
    """Visit records on the three levels (领导/技术/业务)."""
    return st.builds(
        Visit,
        dossier_id=st.sampled_from(["D-1", "D-2"]),
        on=dates(),
        level=st.sampled_from(list(VisitLevel)),
        by=_NAME,
        met=st.lists(st.sampled_from(["c-1", "c-2", "c-3"]), max_size=3, unique=True).map(tuple),
        notes=_TEXT,
    )


def reviews() -> st.SearchStrategy[Review]:
    """Reviews of a dossier (档案检查) at some revision."""
    return st.builds(
        Review,
        dossier_id=st.sampled_from(["D-1", "D-2"]),
        on=dates(),
        by=_NAME,
        revision=st.integers(1, 50),
        findings=_TEXT,
    )


def borrowers() -> st.SearchStrategy[Borrower]:
    """Borrowers in every role."""
    return st.builds(Borrower, name=_NAME, role=st.sampled_from(list(Role)))
