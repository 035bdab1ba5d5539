"""Calls, presentations and visits (rules §4.3), and the monthly visit plan.

* :func:`plan_call` builds an executive call plan (执行人员电话计划): purpose and expected
  result, both sides' participants, agenda, obstacles, resources, the views to influence,
  the business and political value, and the questions to ask and why. Every participant
  of the account's side must be a contact in the dossier.
* :func:`summarise_call` records what happened (call summary): commitments, actions, the
  supporter's and the manager's assessment.
* :func:`plan_presentation` builds a presentation plan (演讲计划) whose audience are
  contacts, shown with their buying roles.
* :func:`record_visit` records a visit on one of three levels (领导/技术/业务层面).
* :func:`plan_visits` lays out a month's visits over its three ten-day periods
  (上旬/中旬/下旬): A and B accounts first in every period, each grade visited as often as
  its cadence in the :class:`VisitPolicy` says.

Examples:
    >>> from datetime import date
    >>> from kamcore.archive import Dossier
    >>> accounts = [Dossier(id="K-3", name="c", grade="C"), Dossier(id="K-1", name="a", grade="A")]
    >>> plan = plan_visits(SOURCE_VISIT_POLICY, accounts, year=2026, month=3)
    >>> [(v.period.zh_label, v.dossier_id) for v in plan.visits]
    [('2026年3月上旬', 'K-1'), ('2026年3月上旬', 'K-3'), ('2026年3月中旬', 'K-1'), ('2026年3月下旬', 'K-1')]
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final

import attrs

from kamcore._convert import enum_of, tuple_field
from kamcore._labels import Labelled
from kamcore._validate import checked_field, count, day, money, sequence, text, texts, texts_field
from kamcore.archive._checks import instance, instances
from kamcore.archive._contacts import BuyingRole
from kamcore.archive._dossier import Dossier
from kamcore.calendar import Period, PeriodKind, TenDay
from kamcore.errors import PolicyError, RecordInvalid, ValidationError
from kamcore.money import Money, total

__all__ = [
    "SOURCE_VISIT_POLICY",
    "Action",
    "CallPlan",
    "CallSummary",
    "GradeCadence",
    "MonthlyPlan",
    "Participant",
    "PeriodTargets",
    "PlannedVisit",
    "PresentationPlan",
    "Question",
    "Visit",
    "VisitLevel",
    "VisitPlan",
    "VisitPolicy",
    "monthly_plan",
    "plan_call",
    "plan_presentation",
    "plan_visits",
    "record_visit",
    "summarise_call",
]


class VisitLevel(Labelled):
    """The three levels visits run on; ``.zh`` is the Chinese name."""

    LEADERSHIP = "leadership", "领导层面"
    """领导层面走访."""
    TECHNICAL = "technical", "技术层面"
    """技术层面走访."""
    BUSINESS = "business", "业务层面"
    """业务层面走访."""


@attrs.frozen
class Participant:
    """Someone taking part: name, title, role; ``contact_id`` links the account's people."""

    name: str
    title: str = ""
    role: str = ""
    contact_id: str = ""
    buying_role: BuyingRole | None = None


@attrs.frozen
class Question:
    """A question to ask, and why."""

    text: str
    why: str = ""


@attrs.frozen
class CallPlan:
    """An executive call plan (执行人员电话计划)."""

    id: str
    dossier_id: str
    executive: str
    at: datetime
    purpose: str
    expected_result: str = ""
    ours: tuple[Participant, ...] = ()
    theirs: tuple[Participant, ...] = ()
    agenda: tuple[str, ...] = ()
    obstacles: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    views_to_influence: tuple[str, ...] = ()
    business_value: str = ""
    political_value: str = ""
    questions: tuple[Question, ...] = ()


@attrs.frozen
class Action:
    """An action agreed: what, who, by when."""

    what: str
    who: str = ""
    due: date | None = None


@attrs.frozen
class CallSummary:
    """What a call actually gave (call summary) and how the supporter and manager judge it."""

    plan_id: str
    happened: str
    commitments: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    supporter_assessment: str = ""
    manager_assessment: str = ""


@attrs.frozen
class PresentationPlan:
    """A presentation plan (演讲计划): audience with buying roles, business/political arguments."""

    dossier_id: str
    on: date
    purpose: str
    agenda: tuple[str, ...] = ()
    participants: tuple[Participant, ...] = ()
    business_arguments: tuple[str, ...] = ()
    political_arguments: tuple[str, ...] = ()


@attrs.frozen
class Visit:
    """A visit to the account on one level, and the contacts met."""

    dossier_id: str
    on: date
    level: VisitLevel
    by: str
    met: tuple[str, ...] = ()
    notes: str = ""


def _their_side(
    dossier: Dossier, people: Iterable[Participant], field: str
) -> tuple[Participant, ...]:
    """Check the account's participants are its contacts; fill in name and buying role."""
    out: list[Participant] = []
    for i, p in enumerate(sequence(people, field, expected="a list of Participant")):
        if not isinstance(p, Participant):
            raise ValidationError(field=f"{field}[{i}]", value=p, expected="a Participant")
        try:
            contact = dossier.contact(p.contact_id)
        except ValidationError as exc:
            raise exc.at(f"{field}[{i}]") from None
        out.append(
            attrs.evolve(
                p,
                name=p.name or contact.name,
                title=p.title or contact.title,
                buying_role=contact.buying_role,
            )
        )
    return tuple(out)


def plan_call(
    dossier: Dossier,
    *,
    plan_id: str,
    executive: str,
    at: datetime,
    purpose: str,
    theirs: Sequence[Participant],
    ours: Sequence[Participant] = (),
    expected_result: str = "",
    agenda: Iterable[str] = (),
    obstacles: Iterable[str] = (),
    resources: Iterable[str] = (),
    views_to_influence: Iterable[str] = (),
    business_value: str = "",
    political_value: str = "",
    questions: Iterable[Question] = (),
) -> CallPlan:
    """Plan an executive call with the account.

    Args:
        dossier: The account's dossier; ``theirs`` must name its contacts.
        plan_id: The plan's id.
        executive: Our executive making the call.
        at: When (timezone-aware).
        purpose: Purpose of the call; required.
        theirs: The account's participants, each with the ``contact_id`` of a contact.
        ours: Our participants.
        expected_result: The result expected.
        agenda: The agenda items.
        obstacles: Competitive obstacles.
        resources: Resources needed.
        views_to_influence: The views we want to change.
        business_value: The business value of the call.
        political_value: The political value of the call.
        questions: Questions to ask, each with why.

    Returns:
        The plan, with the account's participants' names and buying roles filled in.

    Raises:
        ValidationError: An unknown contact (``field`` names the participant), no
            purpose, no executive, or a naive time.
    """
    instance(dossier, Dossier, "dossier")
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValidationError(field="at", value=at, expected="a timezone-aware datetime")
    return CallPlan(
        id=text(plan_id, "plan_id"),
        dossier_id=dossier.id,
        executive=text(executive, "executive"),
        at=at,
        purpose=text(purpose, "purpose"),
        expected_result=text(expected_result, "expected_result", required=False),
        ours=instances(ours, Participant, "ours"),
        theirs=_their_side(dossier, theirs, "theirs"),
        agenda=texts(agenda, "agenda"),
        obstacles=texts(obstacles, "obstacles"),
        resources=texts(resources, "resources"),
        views_to_influence=texts(views_to_influence, "views_to_influence"),
        business_value=text(business_value, "business_value", required=False),
        political_value=text(political_value, "political_value", required=False),
        questions=instances(questions, Question, "questions"),
    )


def summarise_call(
    plan: CallPlan,
    *,
    happened: str,
    commitments: Iterable[str] = (),
    actions: Iterable[Action] = (),
    supporter_assessment: str = "",
    manager_assessment: str = "",
) -> CallSummary:
    """Record the call summary of a planned call.

    Raises:
        ValidationError: Nothing said about what happened.
    """
    instance(plan, CallPlan, "plan")
    return CallSummary(
        plan_id=plan.id,
        happened=text(happened, "happened"),
        commitments=texts(commitments, "commitments"),
        actions=instances(actions, Action, "actions"),
        supporter_assessment=text(supporter_assessment, "supporter_assessment", required=False),
        manager_assessment=text(manager_assessment, "manager_assessment", required=False),
    )


def plan_presentation(
    dossier: Dossier,
    *,
    on: date | str,
    purpose: str,
    participants: Sequence[Participant],
    agenda: Iterable[str] = (),
    business_arguments: Iterable[str] = (),
    political_arguments: Iterable[str] = (),
) -> PresentationPlan:
    """Plan a presentation to the account's people (their buying roles filled in).

    Raises:
        ValidationError: An unknown contact among the participants, or no purpose.
    """
    instance(dossier, Dossier, "dossier")
    return PresentationPlan(
        dossier_id=dossier.id,
        on=day(on),
        purpose=text(purpose, "purpose"),
        agenda=texts(agenda, "agenda"),
        participants=_their_side(dossier, participants, "participants"),
        business_arguments=texts(business_arguments, "business_arguments"),
        political_arguments=texts(political_arguments, "political_arguments"),
    )


def record_visit(
    dossier: Dossier,
    *,
    on: date | str,
    level: VisitLevel | str,
    by: str,
    met: Iterable[str] = (),
    notes: str = "",
) -> Visit:
    """Record a visit on the leadership, technical or business level.

    Raises:
        ValidationError: An unknown level or contact, or no visitor.
    """
    instance(dossier, Dossier, "dossier")
    lv = enum_of(level, VisitLevel, "level")
    contacts = texts(met, "met")
    for i, contact_id in enumerate(contacts):
        try:
            dossier.contact(contact_id)
        except ValidationError as exc:
            raise exc.at(f"met[{i}]") from None
    notes = text(notes, "notes", required=False)
    return Visit(dossier.id, day(on), lv, text(by, "by"), contacts, notes)


@attrs.frozen
class GradeCadence:
    """How many visits a month an account of ``grade`` gets."""

    grade: str
    visits_per_month: int


@attrs.frozen
class VisitPolicy:
    """Visit cadence by grade, and which grades are visited first in every period.

    Args:
        cadence: Visits per month for each grade, in display order.
        priority_grades: Grades visited first in every ten-day period (A and B).

    Raises:
        PolicyError: A grade given twice, a cadence outside 0–30 visits, or a priority
            grade with no cadence.
    """

    cadence: tuple[GradeCadence, ...] = tuple_field(GradeCadence, default=attrs.NOTHING)
    priority_grades: tuple[str, ...] = texts_field(default=("A", "B"))

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for i, c in enumerate(self.cadence):
            part = f"cadence[{i}]"
            if c.grade in seen:
                raise PolicyError(f"grade {c.grade!r} given twice", policy="VisitPolicy", part=part)
            seen.add(c.grade)
            if not 0 <= c.visits_per_month <= 30:
                raise PolicyError(
                    f"{c.visits_per_month} visits a month; expected 0–30",
                    policy="VisitPolicy",
                    part=part,
                )
        for i, g in enumerate(self.priority_grades):
            if g not in seen:
                raise PolicyError(
                    f"priority grade {g!r} has no cadence",
                    policy="VisitPolicy",
                    part=f"priority_grades[{i}]",
                )

    def visits_for(self, grade: str) -> int:
        """Visits per month for ``grade`` (0 for a grade the policy does not list).

        :func:`plan_visits` refuses accounts of a grade the policy does not list.
        """
        for c in self.cadence:
            if c.grade == grade:
                return c.visits_per_month
        return 0

    def rank(self, grade: str) -> int:
        """Sort key: priority grades first (in their order), then the cadence order."""
        if grade in self.priority_grades:
            return self.priority_grades.index(grade)
        grades = [c.grade for c in self.cadence]
        base = len(self.priority_grades)
        return base + (grades.index(grade) if grade in grades else len(grades))


#: A, B first; A three visits a month (one each 旬), B two, C and D one (a documented default).
SOURCE_VISIT_POLICY: Final = VisitPolicy(
    cadence=(
        GradeCadence("A", 3),
        GradeCadence("B", 2),
        GradeCadence("C", 1),
        GradeCadence("D", 1),
    ),
    priority_grades=("A", "B"),
)


@attrs.frozen
class PlannedVisit:
    """One planned visit: the ten-day period, the account and its grade."""

    period: Period
    dossier_id: str
    grade: str


@attrs.frozen
class VisitPlan:
    """A month's visits, period by period; within a period, A and B accounts come first."""

    month: Period
    visits: tuple[PlannedVisit, ...]

    def in_period(self, part: TenDay | str) -> tuple[PlannedVisit, ...]:
        """The visits of 上旬, 中旬 or 下旬."""
        period = Period.ten_day(self.month.start.year, self.month.start.month, part)
        return tuple(v for v in self.visits if v.period == period)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per ten-day period (its zh label): (accounts visited, visits)."""
        out: dict[str, tuple[int, int]] = {}
        for period in self.month.split(PeriodKind.TEN_DAY):
            visits = [v for v in self.visits if v.period == period]
            out[period.zh_label] = (len({v.dossier_id for v in visits}), len(visits))
        return out


def plan_visits(
    policy: VisitPolicy, dossiers: Iterable[Dossier], *, year: int, month: int
) -> VisitPlan:
    """Lay out a month's visits over its three ten-day periods (上旬/中旬/下旬).

    An account with ``n`` visits a month gets them spread over the periods (1 → 上旬;
    2 → 上旬, 中旬; 3 → one in each; more are spread evenly, the earlier periods taking
    any extra). Within each
    period accounts are ordered by :meth:`VisitPolicy.rank` (A and B first), then id.

    Every account's grade must be in the policy's cadence: an account is never left out
    silently. A company that plans no visits for some grade lists it with 0 visits
    (``GradeCadence("E", 0)``, or ``GradeCadence("", 0)`` for accounts not graded yet).

    Raises:
        RecordInvalid: Accounts whose grade the policy does not list — one
            :class:`~kamcore.errors.ValidationError` per account (``field`` is
            ``dossiers[i].grade``), naming the account and the accepted grades.
        ValidationError: A bad year or month.
    """
    instance(policy, VisitPolicy, "policy")
    dossiers = instances(dossiers, Dossier, "dossiers")
    whole = Period.month(year, month)
    parts = whole.split(PeriodKind.TEN_DAY)
    accounts = tuple(dossiers)
    known = [c.grade for c in policy.cadence]
    unknown = [
        ValidationError(
            field=f"dossiers[{i}].grade",
            value=d.grade,
            expected=f"one of the visit policy's grades: {', '.join(map(repr, known))} "
            "(list a grade with 0 visits to plan none)",
            problem=f"account {d.id}: grade not in the visit cadence",
        )
        for i, d in enumerate(accounts)
        if d.grade not in known
    ]
    if unknown:
        raise RecordInvalid("visit plan", unknown)
    ordered = sorted(accounts, key=lambda d: (policy.rank(d.grade), d.id))
    slots: list[tuple[int, int, str, PlannedVisit]] = []
    for d in ordered:
        n = policy.visits_for(d.grade)
        for k in range(n):
            index = min(2, (k * 3) // n)
            slots.append(
                (index, policy.rank(d.grade), d.id, PlannedVisit(parts[index], d.id, d.grade))
            )
    slots.sort(key=lambda s: (s[0], s[1], s[2]))
    return VisitPlan(whole, tuple(s[3] for s in slots))


@attrs.frozen
class PeriodTargets:
    """The figures of one ten-day period of a monthly plan (旬计划).

    Attributes:
        period: The ten-day period.
        accounts: Accounts to visit.
        visits: Visits to make.
        signings: Contracts to sign.
        products: Products to place.
        signed_total: The total to sign.
        receivables: The receivables to collect.
    """

    period: Period
    accounts: int = checked_field(count, default=0)
    visits: int = checked_field(count, default=0)
    signings: int = checked_field(count, default=0)
    products: int = checked_field(count, default=0)
    signed_total: Money = checked_field(money, factory=Money.zero)
    receivables: Money = checked_field(money, factory=Money.zero)


def _period(value: object, field: str) -> Period:
    return instance(value, Period, field)


@attrs.frozen
class MonthlyPlan:
    """A month's plan in its three ten-day periods (上旬/中旬/下旬), and the month's totals.

    Raises:
        ValidationError: The periods are not the month's 上旬, 中旬 and 下旬 in order, or
            the amounts are in different currencies.
    """

    month: Period = checked_field(_period)
    periods: tuple[PeriodTargets, ...] = tuple_field(PeriodTargets, default=attrs.NOTHING)
    accounts: int | None = None
    """Distinct accounts in the month (an account visited in two periods counts once);
    when ``None`` the month's total adds up the periods' counts."""

    def __attrs_post_init__(self) -> None:
        expected = self.month.split(PeriodKind.TEN_DAY)
        got = tuple(p.period for p in self.periods)
        if got != expected:
            raise ValidationError(
                field="periods",
                value=[str(p) for p in got],
                expected=f"the three ten-day periods of {self.month}: "
                + ", ".join(str(p) for p in expected),
            )
        currencies = {p.signed_total.currency for p in self.periods}
        currencies |= {p.receivables.currency for p in self.periods}
        if len(currencies) > 1:
            raise ValidationError(
                field="periods",
                value=sorted(currencies),
                expected="amounts in one currency",
                problem="mixed currencies",
            )

    def total(self) -> PeriodTargets:
        """The month's figures: the sum of its three periods."""
        currency = self.periods[0].signed_total.currency
        return PeriodTargets(
            period=self.month,
            accounts=(
                self.accounts
                if self.accounts is not None
                else sum(p.accounts for p in self.periods)
            ),
            visits=sum(p.visits for p in self.periods),
            signings=sum(p.signings for p in self.periods),
            products=sum(p.products for p in self.periods),
            signed_total=total((p.signed_total for p in self.periods), currency),
            receivables=total((p.receivables for p in self.periods), currency),
        )


def _three(name: str, values: Sequence[object] | None, default: object) -> tuple[object, ...]:
    if values is None:
        return (default, default, default)
    if isinstance(values, str) or len(values) != 3:
        raise ValidationError(
            field=name, value=values, expected="three values: 上旬, 中旬 and 下旬"
        )
    return tuple(values)


def monthly_plan(
    plan: VisitPlan,
    *,
    signings: Sequence[int] | None = None,
    products: Sequence[int] | None = None,
    signed_total: Sequence[Money | Decimal | int | str] | None = None,
    receivables: Sequence[Money | Decimal | int | str] | None = None,
) -> MonthlyPlan:
    """The month's plan: accounts and visits from the visit plan, the other targets given.

    Args:
        plan: The month's visit plan.
        signings: Contracts to sign in 上旬, 中旬, 下旬.
        products: Products to place in each period.
        signed_total: The total to sign in each period.
        receivables: Receivables to collect in each period.

    Raises:
        ValidationError: A target list that is not three values, or a bad value.

    Examples:
        >>> from kamcore.archive import Dossier
        >>> visits = plan_visits(SOURCE_VISIT_POLICY, [Dossier(id="K-1", name="a", grade="A")],
        ...                      year=2026, month=3)
        >>> month = monthly_plan(visits, signings=(0, 1, 1), signed_total=(0, "200000", "50000"))
        >>> t = month.total()
        >>> t.accounts, t.visits, t.signings, t.signed_total
        (1, 3, 2, Money('250000', 'CNY'))
    """
    instance(plan, VisitPlan, "plan")
    counts = plan.counts()
    rows = zip(
        plan.month.split(PeriodKind.TEN_DAY),
        _three("signings", signings, 0),
        _three("products", products, 0),
        _three("signed_total", signed_total, Money.zero()),
        _three("receivables", receivables, Money.zero()),
        strict=True,
    )
    targets = []
    for period, sign, prod, signed, receivable in rows:
        accounts, visits = counts[period.zh_label]
        targets.append(
            PeriodTargets(
                period,
                accounts,
                visits,
                count(sign, "signings"),
                count(prod, "products"),
                money(signed, "signed_total"),
                money(receivable, "receivables"),
            )
        )
    distinct = len({v.dossier_id for v in plan.visits})
    return MonthlyPlan(plan.month, tuple(targets), distinct)
