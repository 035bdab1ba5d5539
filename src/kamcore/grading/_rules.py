"""Rules over facts: value categories (优质/高值/集团/战略) and grade → policy (销售政策)."""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Final

import attrs

from kamcore._validate import sequence, text
from kamcore.errors import PolicyError, ValidationError
from kamcore.grading._facts import AccountFacts, check_figure, to_extra_names
from kamcore.grading._inputs import enum_of, instance, tuple_of
from kamcore.money import as_decimal

__all__ = [
    "CategoryRule",
    "Clause",
    "Comparison",
    "Condition",
    "GradePolicy",
    "GradeService",
    "SalesRule",
    "Treatment",
    "ValueCategories",
    "categorise",
    "choose_treatment",
    "visit_order",
]


class Comparison(enum.Enum):
    """How a condition compares a figure with its value."""

    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="
    NE = "!="


_OPS: Final[dict[Comparison, Callable[[Decimal, Decimal], bool]]] = {
    Comparison.GT: operator.gt,
    Comparison.GE: operator.ge,
    Comparison.LT: operator.lt,
    Comparison.LE: operator.le,
    Comparison.EQ: operator.eq,
    Comparison.NE: operator.ne,
}


def _to_value(value: object) -> Decimal:
    return as_decimal(value, field="value")


def _to_op(value: object) -> Comparison:
    return enum_of(value, Comparison, "op")


@attrs.frozen
class Condition:
    """``figure op value``, such as ``collection_rate >= 0.9``.

    A missing figure never satisfies a condition (missing is not zero).

    Examples:
        >>> Condition("profit", Comparison.GT, 0).holds(AccountFacts("a", profit=5))
        True
    """

    figure: str
    op: Comparison = attrs.field(converter=_to_op)
    value: Decimal = attrs.field(converter=_to_value)

    def holds(self, facts: AccountFacts) -> bool:
        """Whether ``facts`` satisfy the condition (``False`` when the figure is missing)."""
        x = facts.figure(self.figure)
        return x is not None and _OPS[self.op](x, self.value)

    def __str__(self) -> str:
        return f"{self.figure} {self.op.value} {self.value}"


def _to_conditions(value: Iterable[Condition]) -> tuple[Condition, ...]:
    return tuple_of(value, Condition, "conditions")


@attrs.frozen
class Clause:
    """Conditions that must all hold (AND)."""

    all_of: tuple[Condition, ...] = attrs.field(converter=_to_conditions)

    def holds(self, facts: AccountFacts) -> bool:
        """Whether every condition holds."""
        return all(c.holds(facts) for c in self.all_of)


def _to_clauses(value: Iterable[Clause]) -> tuple[Clause, ...]:
    return tuple_of(value, Clause, "any_of")


def _to_ids(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(tuple_of(value, str, "accounts")))


@attrs.frozen
class CategoryRule:
    """A value category and when an account carries it (one of the clauses holds, OR).

    Args:
        category: The category's name (``"quality"``, ``"group"``).
        any_of: Clauses; the category applies when any clause holds.
        accounts: Accounts named into the category outright (集团/战略 decided by
            management rather than by figures).
        label: A display label such as ``"优质客户 quality account"``.
    """

    category: str
    any_of: tuple[Clause, ...] = attrs.field(default=(), converter=_to_clauses)
    accounts: tuple[str, ...] = attrs.field(default=(), converter=_to_ids)
    label: str = ""

    def applies(self, facts: AccountFacts) -> bool:
        """Whether the account carries this category."""
        return facts.account_id in self.accounts or any(c.holds(facts) for c in self.any_of)


def _to_rules(value: Iterable[CategoryRule]) -> tuple[CategoryRule, ...]:
    return tuple_of(value, CategoryRule, "rules")


@attrs.frozen
class ValueCategories:
    """Value categories as rules that may overlap (an account may carry several).

    Args:
        rules: The category rules.
        name: The rule set's name.
        extras: The company figures (``AccountFacts.extras``) the conditions may read;
            any other name that is not a standard figure is refused as a misspelling.

    Raises:
        PolicyError: A duplicate category, a rule with no clause and no accounts, a
            clause with no condition, or a condition on an unknown figure.

    Examples:
        >>> cats = ValueCategories((CategoryRule("big", (Clause((
        ...     Condition("contract_volume", Comparison.GT, 10_000_000),)),)),))
        >>> categorise(cats, AccountFacts("a", contract_volume=12_000_000))
        ('big',)
    """

    rules: tuple[CategoryRule, ...] = attrs.field(converter=_to_rules)
    name: str = "categories"
    extras: tuple[str, ...] = attrs.field(default=(), converter=to_extra_names)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            part = f"rules[{i}] {rule.category!r}"
            if not rule.category or rule.category in seen:
                raise PolicyError(
                    "category names must be non-empty and unique",
                    policy="ValueCategories",
                    part=part,
                )
            seen.add(rule.category)
            if not rule.any_of and not rule.accounts:
                raise PolicyError(
                    "a rule needs a clause or named accounts", policy="ValueCategories", part=part
                )
            for j, clause in enumerate(rule.any_of):
                if not clause.all_of:
                    raise PolicyError(
                        "a clause needs at least one condition",
                        policy="ValueCategories",
                        part=f"{part} any_of[{j}]",
                    )
                for k, condition in enumerate(clause.all_of):
                    check_figure(
                        condition.figure,
                        self.extras,
                        policy="ValueCategories",
                        part=f"rules[{i}].any_of[{j}].all_of[{k}] ({rule.category!r})",
                    )


def categorise(categories: ValueCategories, facts: AccountFacts) -> tuple[str, ...]:
    """Every category ``facts`` qualify for, in rule order (possibly several, or none).

    Raises:
        ValidationError: ``categories`` is not :class:`ValueCategories` or ``facts``
            not :class:`AccountFacts` (naming the field).
    """
    instance(categories, ValueCategories, "categories")
    instance(facts, AccountFacts, "facts")
    return tuple(r.category for r in categories.rules if r.applies(facts))


# -- grade → policy -------------------------------------------------------------------
@attrs.frozen
class GradeService:
    """What a grade earns: a service plan and a visit priority (1 = visited first)."""

    grade: str
    service_plan: str
    visit_priority: int
    label: str = ""


def _to_grades(value: Iterable[str]) -> tuple[str, ...]:
    return tuple_of(value, str, "grades")


@attrs.frozen
class SalesRule:
    """A sales-policy rule (销售政策): when every condition holds, offer ``action``.

    Args:
        name: The rule's name.
        when: Conditions that must all hold.
        action: What the account is offered.
        grades: The grades the rule applies to (every grade when empty).
        label: A display label.
    """

    name: str
    when: tuple[Condition, ...] = attrs.field(converter=_to_conditions)
    action: str
    grades: tuple[str, ...] = attrs.field(default=(), converter=_to_grades)
    label: str = ""


def _to_services(value: Iterable[GradeService]) -> tuple[GradeService, ...]:
    return tuple_of(value, GradeService, "services")


def _to_sales_rules(value: Iterable[SalesRule]) -> tuple[SalesRule, ...]:
    return tuple_of(value, SalesRule, "sales_rules")


@attrs.frozen
class GradePolicy:
    """What each grade gets: service plan, visit priority, sales-policy rules.

    Args:
        services: One service per grade.
        sales_rules: The sales-policy rules.
        name: The policy's name.
        extras: The company figures (``AccountFacts.extras``) the rules may read; any
            other name that is not a standard figure is refused as a misspelling.

    Raises:
        PolicyError: A grade listed twice, a priority below 1, a duplicate rule name,
            a rule without conditions, a rule naming a grade with no service, or a
            condition on an unknown figure.
    """

    services: tuple[GradeService, ...] = attrs.field(converter=_to_services)
    sales_rules: tuple[SalesRule, ...] = attrs.field(default=(), converter=_to_sales_rules)
    name: str = "grade_policy"
    extras: tuple[str, ...] = attrs.field(default=(), converter=to_extra_names)

    def __attrs_post_init__(self) -> None:
        policy = "GradePolicy"
        grades: set[str] = set()
        for i, s in enumerate(self.services):
            if s.grade in grades:
                raise PolicyError(
                    f"grade {s.grade!r} listed twice", policy=policy, part=f"services[{i}]"
                )
            grades.add(s.grade)
            if isinstance(s.visit_priority, bool) or s.visit_priority < 1:
                raise PolicyError(
                    "visit priority must be 1 or more",
                    policy=policy,
                    part=f"services[{i}] {s.grade!r}",
                )
        names: set[str] = set()
        for i, r in enumerate(self.sales_rules):
            part = f"sales_rules[{i}] {r.name!r}"
            if r.name in names or not r.when:
                raise PolicyError(
                    "rules need a unique name and at least one condition", policy=policy, part=part
                )
            names.add(r.name)
            unknown = set(r.grades) - grades
            if unknown:
                raise PolicyError(
                    f"no service for grade {sorted(unknown)[0]!r}", policy=policy, part=part
                )
            for k, condition in enumerate(r.when):
                check_figure(
                    condition.figure,
                    self.extras,
                    policy=policy,
                    part=f"sales_rules[{i}].when[{k}] ({r.name!r})",
                )

    def service(self, grade: str) -> GradeService:
        """The service of ``grade``.

        Raises:
            ValidationError: The policy has no service for that grade.
        """
        for s in self.services:
            if s.grade == grade:
                return s
        raise ValidationError(
            field="grade",
            value=grade,
            expected=f"one of: {', '.join(s.grade for s in self.services)}",
            problem="no service for this grade",
        )


@attrs.frozen
class Treatment:
    """How to treat one account: its grade's service and the sales rules it meets."""

    grade: str
    service_plan: str
    visit_priority: int
    rules: tuple[str, ...]
    actions: tuple[str, ...]


def choose_treatment(
    policy: GradePolicy, grade: str, facts: AccountFacts | None = None
) -> Treatment:
    """The service plan, visit priority and sales actions for an account of ``grade``.

    Sales rules are checked against ``facts``; without facts no rule applies.

    Raises:
        ValidationError: ``policy`` is not a :class:`GradePolicy`, ``facts`` neither
            :class:`AccountFacts` nor ``None`` (naming the field); the policy has no
            service for ``grade``.
    """
    instance(policy, GradePolicy, "policy")
    if facts is not None:
        instance(facts, AccountFacts, "facts", expected="AccountFacts, or None for no facts")
    service = policy.service(grade)
    met = [
        r
        for r in policy.sales_rules
        if facts is not None
        and (not r.grades or grade in r.grades)
        and all(c.holds(facts) for c in r.when)
    ]
    return Treatment(
        grade,
        service.service_plan,
        service.visit_priority,
        tuple(r.name for r in met),
        tuple(r.action for r in met),
    )


def visit_order(policy: GradePolicy, grades: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Account ids in visiting order: by the grade's visit priority, then account id.

    Args:
        policy: The grade policy.
        grades: ``(account_id, grade)`` pairs.

    Raises:
        ValidationError: ``policy`` not a :class:`GradePolicy`, ``grades`` not a
            sequence of ``(account_id, grade)`` pairs (``grades[i]``); a grade without
            a service.
    """
    instance(policy, GradePolicy, "policy")
    keyed = []
    for i, pair in enumerate(sequence(grades, "grades", expected="(account_id, grade) pairs")):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError(
                field=f"grades[{i}]", value=pair, expected="an (account_id, grade) pair"
            )
        account_id, grade = pair
        keyed.append((policy.service(grade).visit_priority, text(account_id, f"grades[{i}]")))
    return tuple(a for _, a in sorted(keyed))
