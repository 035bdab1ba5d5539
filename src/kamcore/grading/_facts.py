"""Account facts (大客户评价数据): the figures grading reads for one account and one period."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Final

import attrs

from kamcore._convert import enum_of
from kamcore._fastnew import maker
from kamcore.calendar import Period
from kamcore.errors import PolicyError, RecordInvalid, ValidationError
from kamcore.money import MAX_DIGITS, Money, as_decimal

__all__ = [
    "DERIVED_FIGURES",
    "FIGURES",
    "AccountFacts",
    "OverCollection",
    "check_figure",
    "figure_getter",
    "to_extra_names",
]

#: The figures every :class:`AccountFacts` carries as fields (each may be missing).
FIGURES: Final[tuple[str, ...]] = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "invoiced",
    "collected",
    "profit",
    "quality_losses",
    "industry_influence",
    "business_reputation",
)

#: Figures computed from other figures: ``collection_rate`` = collected / invoiced.
DERIVED_FIGURES: Final[tuple[str, ...]] = ("collection_rate",)

# Figures that can never be negative (money received, amounts sold, losses counted).
_NON_NEGATIVE: Final = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "invoiced",
    "collected",
    "quality_losses",
)
_EXTRA_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FIGURE_EXPECTED: Final = "a decimal string, an int, a Decimal, Money, or None when missing"


class OverCollection(enum.Enum):
    """What an account's facts do when more was collected than invoiced (回款率 > 100%).

    A collection rate (回款率 = collected / invoiced) above 1 happens when a period's
    collections include arrears of earlier periods, or when a figure is wrong (5
    collected on 1 invoiced). The sources define the rate but not this case, so it is
    a policy, chosen per :class:`AccountFacts` (``over_collection=``):

    * ``FLAG`` (the default) — the rate is kept as computed (above 1) and
      :attr:`AccountFacts.flags` says so; arrears collected do count for the account.
    * ``REFUSE`` — the facts are refused: ``collected`` above ``invoiced`` raises
      :class:`~kamcore.errors.RecordInvalid` whose error names ``collected``.
    * ``CAP`` — the rate counts as 1 (100%) and :attr:`AccountFacts.flags` says it
      was capped.

    The column path (:func:`~kamcore.grading.score_arrays`) derives the rate as
    ``FLAG`` does (without the flags); give a ``collection_rate`` column of your own
    to cap it.
    """

    REFUSE = "refuse"
    FLAG = "flag"
    CAP = "cap"


def _to_over_collection(value: object) -> OverCollection:
    return enum_of(value, OverCollection, "over_collection")


def _optional_figure(field: str) -> Callable[[object], Decimal | None]:
    def convert(value: object) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Money):
            return value.amount
        return as_decimal(value, field=field, expected=_FIGURE_EXPECTED)

    return convert


def _to_contract_volume(value: object) -> Decimal | None:
    return _optional_figure("contract_volume")(value)


def _to_unit_price(value: object) -> Decimal | None:
    return _optional_figure("unit_price")(value)


def _to_sales_revenue(value: object) -> Decimal | None:
    return _optional_figure("sales_revenue")(value)


def _to_invoiced(value: object) -> Decimal | None:
    return _optional_figure("invoiced")(value)


def _to_collected(value: object) -> Decimal | None:
    return _optional_figure("collected")(value)


def _to_profit(value: object) -> Decimal | None:
    return _optional_figure("profit")(value)


def _to_quality_losses(value: object) -> Decimal | None:
    return _optional_figure("quality_losses")(value)


def _to_industry_influence(value: object) -> Decimal | None:
    return _optional_figure("industry_influence")(value)


def _to_business_reputation(value: object) -> Decimal | None:
    return _optional_figure("business_reputation")(value)


def _to_extras(value: object) -> tuple[tuple[str, Decimal | None], ...]:
    expected = "a mapping (or pairs) of figure name to a number or None"
    pairs: Iterable[object]
    if isinstance(value, Mapping):
        pairs = value.items()
    elif isinstance(value, tuple | list):
        pairs = value
    else:
        raise ValidationError(field="extras", value=value, expected=expected, problem="not a map")
    out: dict[str, Decimal | None] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValidationError(
                field="extras", value=pair, expected=expected, problem="not a (name, value) pair"
            )
        name, raw = pair
        _check_extra_name(name, "extras", out)
        out[name] = _optional_figure(f"extras.{name}")(raw)
    return tuple(sorted(out.items()))


def _check_extra_name(name: object, field: str, taken: Iterable[str]) -> None:
    """Refuse an extra figure name that is not an identifier, or is taken already."""
    if not isinstance(name, str) or not _EXTRA_NAME.match(name):
        raise ValidationError(
            field=field,
            value=name,
            expected="an identifier such as 'referrals_signed'",
            problem="bad figure name",
        )
    if name in FIGURES or name in DERIVED_FIGURES or name in taken:
        raise ValidationError(
            field=field if field != "extras" else f"extras.{name}",
            value=name,
            expected="a name that is not already a figure nor given twice",
            problem="duplicate figure",
        )


def to_extra_names(value: object) -> tuple[str, ...]:
    """A policy's declared extra figures: identifiers, unique, not a standard figure.

    Raises:
        ValidationError: Not a sequence of names, a bad name, or a name declared twice
            or already a figure.
    """
    expected = "a list of extra figure names such as ['referrals_signed']"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(field="extras", value=value, expected=expected, problem="not a list")
    names: list[str] = []
    for i, name in enumerate(value):
        _check_extra_name(name, f"extras[{i}]", names)
        names.append(name)
    return tuple(names)


def check_figure(figure: str, extras: tuple[str, ...], *, policy: str, part: str) -> None:
    """Refuse a figure name that is neither a standard figure nor a declared extra.

    Raises:
        PolicyError: Naming the policy, the part that reads the figure, and what is
            accepted.
    """
    if figure in FIGURES or figure in DERIVED_FIGURES or figure in extras:
        return
    declared = f"declared extras: {', '.join(extras)}" if extras else "no extras declared"
    raise PolicyError(
        f"unknown figure {figure!r}; expected a figure of AccountFacts "
        f"({', '.join((*FIGURES, *DERIVED_FIGURES))}) or an extra declared in the "
        f"policy's extras ({declared})",
        policy=policy,
        part=part,
    )


def _to_account_id(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValidationError(
        field="account_id", value=value, expected="a non-empty account id", problem="no account id"
    )


def _to_period(value: object) -> Period | None:
    if value is None or isinstance(value, Period):
        return value
    if isinstance(value, str):
        return Period.parse(value)
    raise ValidationError(field="period", value=value, expected="a Period, a period label or None")


@attrs.frozen
class AccountFacts:
    """What is known about one account for one period (大客户评价数据).

    Every figure is optional: ``None`` means *missing*, which is not the same as zero.
    A scoring model decides what a missing figure does (see ``MissingPolicy``).
    Amounts may be given as ``Money``, ``Decimal``, ``int`` or decimal strings; floats
    are refused. Amounts of one population are in one currency.

    Args:
        account_id: The account's id.
        period: The period the figures cover (optional).
        contract_volume: Signed contract amount (合同量).
        unit_price: Average unit price (单价).
        sales_revenue: Sales revenue (销售收入); never negative.
        invoiced: Amount invoiced; the base of the collection rate.
        collected: Amount collected (回款).
        profit: Profit (利润水平); may be negative.
        quality_losses: Quality losses (质量损失); lower is better.
        industry_influence: A rating of industry influence (行业影响力).
        business_reputation: A rating of business reputation (商业信誉).
        extras: A company's own figures, name → number (or ``None`` when missing).
        over_collection: What more collected than invoiced does (an
            :class:`OverCollection` or its value): flagged in :attr:`flags` (the
            default), refused, or capped at a rate of 1.

    Raises:
        ValidationError: A figure is not a number, or ``over_collection`` is not an
            :class:`OverCollection`.
        RecordInvalid: One or more figures are negative, or (under
            ``over_collection="refuse"``) ``collected`` is above ``invoiced`` — all
            listed at once, each naming its field.

    Examples:
        >>> f = AccountFacts("acme", sales_revenue="1200000", invoiced=100, collected=95)
        >>> f.collection_rate, f.profit is None
        (Decimal('0.95'), True)
        >>> f.figure("sales_revenue")
        Decimal('1200000')
    """

    account_id: str = attrs.field(converter=_to_account_id)
    period: Period | None = attrs.field(default=None, converter=_to_period, kw_only=True)
    contract_volume: Decimal | None = attrs.field(
        default=None, converter=_to_contract_volume, kw_only=True
    )
    unit_price: Decimal | None = attrs.field(default=None, converter=_to_unit_price, kw_only=True)
    sales_revenue: Decimal | None = attrs.field(
        default=None, converter=_to_sales_revenue, kw_only=True
    )
    invoiced: Decimal | None = attrs.field(default=None, converter=_to_invoiced, kw_only=True)
    collected: Decimal | None = attrs.field(default=None, converter=_to_collected, kw_only=True)
    profit: Decimal | None = attrs.field(default=None, converter=_to_profit, kw_only=True)
    quality_losses: Decimal | None = attrs.field(
        default=None, converter=_to_quality_losses, kw_only=True
    )
    industry_influence: Decimal | None = attrs.field(
        default=None, converter=_to_industry_influence, kw_only=True
    )
    business_reputation: Decimal | None = attrs.field(
        default=None, converter=_to_business_reputation, kw_only=True
    )
    extras: tuple[tuple[str, Decimal | None], ...] = attrs.field(
        default=(), converter=_to_extras, kw_only=True
    )
    over_collection: OverCollection = attrs.field(
        default=OverCollection.FLAG, converter=_to_over_collection, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        errors = [
            ValidationError(
                field=name,
                value=getattr(self, name),
                expected="zero or more",
                problem="negative figure",
            )
            for name in _NON_NEGATIVE
            if (v := getattr(self, name)) is not None and v < 0
        ]
        if self.over_collection is OverCollection.REFUSE and self._over_collected():
            errors.append(
                ValidationError(
                    field="collected",
                    value=self.collected,
                    expected=f"at most the amount invoiced, {self.invoiced} (or "
                    "over_collection='flag' or 'cap' where arrears are collected)",
                    problem="a collection rate above 100%",
                )
            )
        if errors:
            raise RecordInvalid("AccountFacts", errors)

    def _over_collected(self) -> bool:
        c, v = self.collected, self.invoiced
        return c is not None and v is not None and v > 0 and c > v

    @property
    def collection_rate(self) -> Decimal | None:
        """回款率 = collected / invoiced; ``None`` if either is missing or nothing was invoiced.

        Above 1 under ``over_collection="flag"`` (see :attr:`flags`); ``"cap"`` gives 1.

        Examples:
            >>> AccountFacts("a", invoiced=1, collected=5, over_collection="cap").collection_rate
            Decimal('1')
        """
        if self.collected is None or not self.invoiced:
            return None
        if self.over_collection is OverCollection.CAP and self.collected > self.invoiced:
            return Decimal(1)
        return self.collected / self.invoiced

    @property
    def flags(self) -> tuple[str, ...]:
        """What a reader of these facts should know: a collection rate above 100%.

        Empty unless more was collected than invoiced (under ``"flag"``, the default, or
        ``"cap"``; ``"refuse"`` refuses such facts).

        Examples:
            >>> AccountFacts("a", invoiced=1, collected=5, over_collection="flag").flags
            ('collection_rate: collected 5 on invoiced 1, a rate of 5 (above 100%)',)
            >>> AccountFacts("a", invoiced=1, collected=5, over_collection="cap").flags
            ('collection_rate: collected 5 on invoiced 1, capped at 1 (100%)',)
        """
        if not self._over_collected():
            return ()
        c, v = self.collected, self.invoiced
        if self.over_collection is OverCollection.CAP:
            return (f"collection_rate: collected {c} on invoiced {v}, capped at 1 (100%)",)
        rate = self.collection_rate
        return (f"collection_rate: collected {c} on invoiced {v}, a rate of {rate} (above 100%)",)

    def extra(self, name: str) -> Decimal | None:
        """The company-defined figure ``name`` (``None`` when absent or missing)."""
        for key, value in self.extras:
            if key == name:
                return value
        return None

    def figure(self, name: str) -> Decimal | None:
        """Any figure by name: a field, ``collection_rate``, or an extra.

        Returns:
            The figure, or ``None`` when it is missing.
        """
        if name in FIGURES:
            value: Decimal | None = getattr(self, name)
            return value
        if name == "collection_rate":
            return self.collection_rate
        return self.extra(name)

    def with_figure(self, name: str, value: Decimal | int | str | None) -> AccountFacts:
        """Return a copy with figure ``name`` replaced (a field or an extra).

        Raises:
            ValidationError: ``name`` is the derived ``collection_rate`` (set
                ``collected``/``invoiced`` instead), or the value is not a number.
        """
        if name in FIGURES:
            return attrs.evolve(self, **{name: value})
        if name in DERIVED_FIGURES:
            raise ValidationError(
                field=name,
                value=value,
                expected="one of the figures it derives from (collected, invoiced)",
                problem="a derived figure can't be set",
            )
        extras = dict(self.extras)
        extras[name] = _optional_figure(f"extras.{name}")(value)
        return attrs.evolve(self, extras=extras)


_make_facts = maker(AccountFacts)
_NON_NEGATIVE_AT: Final = tuple(i for i, f in enumerate(FIGURES) if f in _NON_NEGATIVE)


def facts_from_parsed(account_id: str, figures: Sequence[Decimal | None]) -> AccountFacts | None:
    """Build :class:`AccountFacts` from figures a table reader has already checked.

    For :mod:`kamcore.tables`, which reads every cell into a finite ``Decimal`` within
    the money range (or ``None``) before it gets here: the figures come in
    :data:`FIGURES` order, and no converter runs again. Whatever the constructor would
    refuse (a blank id, a figure that is not such a ``Decimal``, a negative amount)
    returns ``None``, and the caller builds the facts the ordinary way to get the
    error.
    """
    if type(account_id) is not str or not account_id or account_id != account_id.strip():
        return None
    if len(figures) != len(FIGURES):
        return None
    for value in figures:
        if value is not None and (
            type(value) is not Decimal or not value.is_finite() or value.adjusted() >= MAX_DIGITS
        ):
            return None
    for i in _NON_NEGATIVE_AT:
        value = figures[i]
        if value is not None and value < 0:
            return None
    facts: AccountFacts = _make_facts(account_id, None, *figures, (), OverCollection.FLAG)
    return facts


def figure_getter(figure: str) -> Callable[[AccountFacts], Decimal | None]:
    """A function that reads ``figure`` (a field, a derived figure or an extra) from facts.

    Examples:
        >>> figure_getter("profit")(AccountFacts("a", profit=3))
        Decimal('3')
    """
    if figure in FIGURES or figure in DERIVED_FIGURES:
        return attrgetter(figure)

    def extra(facts: AccountFacts) -> Decimal | None:
        return facts.extra(figure)

    return extra
