"""Salesperson commission by customer grade (提成): key accounts differ from ordinary customers."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from operator import attrgetter

import attrs

from kamcore._validate import instance_of, policy_rows
from kamcore._validate import rate as as_rate
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import DEFAULT_CURRENCY, Money, Rate, Rounding, as_decimal

__all__ = ["CommissionQuote", "CommissionTable", "GradeRate", "compute_commission"]


@attrs.frozen(kw_only=True)
class GradeRate:
    """The commission rate for customers of one grade.

    Attributes:
        grade: The grade label, as the grading policy names it (``"A"``, ``"key"``).
        rate: The commission rate, 0 to 100%.
        label: A description, such as ``"key account (大客户)"``.
    """

    grade: str
    rate: Rate = attrs.field(converter=as_rate)
    label: str = ""


def _to_grade_rates(value: Iterable[GradeRate]) -> tuple[GradeRate, ...]:
    if isinstance(value, list | tuple):
        return tuple(value)
    raise PolicyError(
        f"rates must be a list of GradeRate, not {type(value).__name__}",
        policy="CommissionTable",
        part="rates",
    )


def _opt_rate(value: object) -> Rate | None:
    return None if value is None else as_rate(value)


@attrs.frozen(kw_only=True)
class CommissionTable:
    """Commission rates by customer grade (rules §1.5: key-account rates differ).

    Grades are plain labels, so any grading policy's ladder can be used.

    Attributes:
        rates: One rate per grade; each grade at most once.
        default: The rate for a grade not listed (ordinary customers); ``None`` makes
            an unlisted grade an error.
        rounding: How commission is rounded to the minor unit (``HALF_UP``).
        name: A short name.

    Raises:
        PolicyError: No rates, an empty or repeated grade, or a rate outside 0–100%;
            the message names the grade.

    Examples:
        >>> table = CommissionTable(rates=[GradeRate(grade="key", rate="3%"),
        ...                                GradeRate(grade="ordinary", rate="1.5%")])
        >>> compute_commission(table, grade="key", amount="200000").commission
        Money('6000.00', 'CNY')
    """

    rates: tuple[GradeRate, ...] = attrs.field(converter=_to_grade_rates)
    default: Rate | None = attrs.field(default=None, converter=_opt_rate)
    rounding: Rounding = Rounding.HALF_UP
    name: str = ""

    def __attrs_post_init__(self) -> None:
        rows = policy_rows(
            self.rates,
            GradeRate,
            policy="CommissionTable",
            part="rates",
            key=attrgetter("grade"),
            noun="grade",
            empty="a table needs at least one grade",
            blank="the grade label is empty",
        )
        for row in rows:
            _check_rate(row.rate, f"grade {row.grade!r}")
        if self.default is not None:
            _check_rate(self.default, "default")
        if not isinstance(self.rounding, Rounding):
            raise PolicyError(
                f"rounding must be a Rounding policy, not {self.rounding!r}",
                policy="CommissionTable",
                part="rounding",
            )

    @property
    def grades(self) -> tuple[str, ...]:
        """The grades listed, in order."""
        return tuple(r.grade for r in self.rates)

    def rate_for(self, grade: str) -> Rate:
        """The commission rate for ``grade`` (the default for an unlisted grade).

        Raises:
            ValidationError: The grade is not listed and there is no default.
        """
        for row in self.rates:
            if row.grade == grade:
                return row.rate
        if self.default is None:
            raise ValidationError(
                field="grade",
                value=grade,
                expected=f"one of: {', '.join(self.grades)} (the table has no default rate)",
                problem="no commission rate for this grade",
            )
        return self.default


def _check_rate(rate: Rate, part: str) -> None:
    if not Decimal(0) <= rate.value <= 1:
        raise PolicyError(f"rate {rate} is outside 0–100%", policy="CommissionTable", part=part)


@attrs.frozen(kw_only=True)
class CommissionQuote:
    """An explained commission: grade, rate, the amount it applies to, the commission.

    Attributes:
        grade: The customer's grade.
        rate: The rate used.
        defaulted: Whether the table's default rate was used (grade not listed).
        amount: What the rate applies to (e.g. collected sales of the customer).
        commission: ``amount × rate``, rounded with the table's rounding.
    """

    grade: str
    rate: Rate
    defaulted: bool
    amount: Money
    commission: Money


def compute_commission(
    table: CommissionTable, *, grade: str, amount: Money | Decimal | int | str
) -> CommissionQuote:
    """The salesperson's commission on ``amount`` from a customer of ``grade``.

    Raises:
        ValidationError: An unknown grade with no default, or a bad or negative amount.
    """
    money = amount if isinstance(amount, Money) else Money(as_decimal(amount), DEFAULT_CURRENCY)
    if money.amount < 0:
        raise ValidationError(
            field="amount", value=amount, expected="a non-negative amount", problem="negative"
        )
    instance_of(table, CommissionTable, "table", expected="a CommissionTable")
    rate = table.rate_for(grade)
    return CommissionQuote(
        grade=grade,
        rate=rate,
        defaulted=grade not in table.grades,
        amount=money,
        commission=(money * rate).round(table.rounding),
    )
