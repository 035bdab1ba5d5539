"""Tier schedules (返点档位) and explained rebate quotes."""

from __future__ import annotations

import decimal
import enum
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from kamcore._bands import BoundaryOwner, band_finder
from kamcore._display import html_table
from kamcore._frames import frame
from kamcore._validate import instance_of, sequence
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import CURRENCIES, DEFAULT_CURRENCY, Money, Rate, Rounding, as_decimal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "QUOTE_COLUMNS",
    "BreakpointOwner",
    "RebateQuote",
    "RebateSlice",
    "Tier",
    "TierMode",
    "TierSchedule",
    "quote",
    "quotes_frame",
]

# Wide enough that no product or quotient of money-sized values is ever rounded
# before the one rounding the schedule names.
_CTX: Final = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)
_ZERO: Final = Decimal(0)
#: The Chinese words for the default basis and base labels, for ``explain(lang="zh")``.
_ZH_TERMS: Final = {"sales": "销售额", "collected": "总收款"}
_ONE: Final = Decimal(1)
_AMOUNT_EXPECTED: Final = "a non-negative amount: Money, a Decimal, an int or a decimal string"
#: The keys of :meth:`RebateQuote.record` (and the columns of :func:`quotes_frame`).
QUOTE_COLUMNS: Final = (
    "tier",
    "rate",
    "basis",
    "base",
    "rebate",
    "currency",
    "mode",
    "to_next_tier",
    "rebate_at_next_tier",
)


class TierMode(enum.Enum):
    """How a tier's rate is applied (返点方式).

    * ``WHOLE_AMOUNT`` (全额累进, the source's rule): the rate of the tier reached applies
      to the whole rebate base. Crossing a breakpoint raises the rebate on every yuan,
      so the rebate jumps (the "cliff").
    * ``GRADUATED`` (超额累进): each slice of the tier basis earns its own tier's rate,
      like income-tax brackets. The rebate is continuous in the basis.
    """

    WHOLE_AMOUNT = "whole_amount"
    GRADUATED = "graduated"


#: Which tier a breakpoint amount itself belongs to (the one boundary enum of
#: :mod:`kamcore._bands`, also :class:`kamcore.grading.ThresholdOwner`).
#:
#: The source writes "sales ≤ 200,000 → 5%" and "200,000 ≤ sales < 1,000,000 → 8%",
#: so 200,000 sits in both tiers. kamcore's default is ``HIGHER`` (the "from" reading,
#: consistent with "≥ 1,000,000"): a basis equal to the breakpoint reaches the higher
#: tier. ``LOWER`` gives the breakpoint to the lower tier ("up to and including").
BreakpointOwner = BoundaryOwner


def _bound(value: object) -> Decimal:
    return as_decimal(value, field="lower", expected="a tier bound such as 200000")


def _opt_bound(value: object) -> Decimal | None:
    if value is None:
        return None
    return as_decimal(value, field="upper", expected="a tier bound such as 1000000, or None")


def _to_rate(value: object) -> Rate:
    if isinstance(value, Rate):
        return value
    if isinstance(value, str):
        return Rate.parse(value)
    return Rate(value)


def _fmt(value: Decimal) -> str:
    return f"{value:,}"


@attrs.frozen(kw_only=True)
class Tier:
    """One tier of a :class:`TierSchedule`: the basis range ``lower``–``upper`` and its rate.

    Args:
        lower: Where the tier starts (the first tier starts at 0).
        upper: Where it ends; ``None`` for the last, open-ended tier.
        rate: The rebate rate of the tier, 0 to 100%.
        upper_owner: Which tier the ``upper`` breakpoint itself belongs to;
            :attr:`BreakpointOwner.HIGHER` (the next tier) by default.
        label: A name for the tier, such as ``"200k–1M"``.

    Raises:
        PolicyError: The rate is negative or above 100%, or ``upper`` is not above
            ``lower``; the message names the tier.

    Examples:
        >>> Tier(lower=0, upper=200000, rate=Rate.percent(5)).name
        '0–200,000'
    """

    lower: Decimal = attrs.field(converter=_bound)
    upper: Decimal | None = attrs.field(default=None, converter=_opt_bound)
    rate: Rate = attrs.field(converter=_to_rate)
    upper_owner: BreakpointOwner = BreakpointOwner.HIGHER
    label: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.upper_owner, BreakpointOwner):
            raise PolicyError(
                f"upper_owner must be 'higher' or 'lower', not {self.upper_owner!r}",
                policy="Tier",
                part=self.name,
            )
        if self.rate.value < 0 or self.rate.value > 1:
            raise PolicyError(
                f"rate {self.rate} is outside 0–100%",
                policy="Tier",
                part=self.name,
            )
        if self.lower < 0:
            raise PolicyError(
                f"lower bound {_fmt(self.lower)} is negative",
                policy="Tier",
                part=self.name,
            )
        if self.upper is not None and self.upper <= self.lower:
            raise PolicyError(
                f"upper bound {_fmt(self.upper)} is not above lower bound {_fmt(self.lower)}",
                policy="Tier",
                part=self.name,
            )

    @property
    def name(self) -> str:
        """The label, or the range written out (``'200,000–1,000,000'``, ``'1,000,000+'``)."""
        if self.label:
            return self.label
        if self.upper is None:
            return f"{_fmt(self.lower)}+"
        return f"{_fmt(self.lower)}–{_fmt(self.upper)}"


def _to_tiers(value: object) -> tuple[Tier, ...]:
    if isinstance(value, list | tuple):
        return tuple(value)
    raise PolicyError(
        f"tiers must be a list of Tier, not {type(value).__name__}",
        policy="TierSchedule",
        part="tiers",
    )


def _to_currency(value: object) -> str:
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or code not in CURRENCIES:
        raise PolicyError(
            f"unknown currency {value!r}; expected an ISO 4217 code such as 'CNY'",
            policy="TierSchedule",
            part="currency",
        )
    return code


class IntTable(NamedTuple):
    """A schedule in integers, for the batch path (:mod:`kamcore.rebate._batch`).

    Amounts are in minor units (fen for CNY) and each rate is ``rates[i] / den``, so
    the batch path computes every rebate in exact integer arithmetic.

    Attributes:
        den: The common denominator of the rates (a power of ten).
        rates: Each tier's rate times ``den``.
        breakpoints: The breakpoints in minor units, ascending.
        lowers: Each tier's lower bound in minor units (``0`` first).
        cumulative: The graduated rebate times ``den`` at each tier's lower bound.
        scale: Minor units per major unit (``100`` for CNY).
        find: The band core's finder over ``breakpoints``: minor units → tier index.
    """

    den: int
    rates: tuple[int, ...]
    breakpoints: tuple[int, ...]
    lowers: tuple[int, ...]
    cumulative: tuple[int, ...]
    scale: int
    find: Callable[[int], int]

    @classmethod
    def of(
        cls,
        breakpoints: tuple[Decimal, ...],
        owners: tuple[BoundaryOwner, ...],
        rates: tuple[Decimal, ...],
        places: int,
    ) -> IntTable:
        """The integer table of a schedule's breakpoints, their owners and its rates."""
        rate_places = max(max(0, -int(r.normalize().as_tuple().exponent)) for r in rates)
        nums = tuple(int(r.scaleb(rate_places)) for r in rates)
        bp_units = tuple(int(b.scaleb(places)) for b in breakpoints)
        lowers = (0, *bp_units)
        cum_units = [0]
        for i, num in enumerate(nums[:-1]):
            cum_units.append(cum_units[-1] + num * (bp_units[i] - lowers[i]))
        return cls(
            10**rate_places,
            nums,
            bp_units,
            lowers,
            tuple(cum_units),
            10**places,
            band_finder(bp_units, owners),
        )


@attrs.frozen(kw_only=True)
class TierSchedule:
    """A rebate tier schedule (返点政策): contiguous tiers from 0 upward, a mode, a rounding.

    The **tier basis** (what chooses the tier; sales in the source) and the **rebate
    base** (what the rate is applied to; total collected in the source) are separate
    inputs to :func:`quote`. ``basis_label``/``base_label`` name them for people.

    Args:
        tiers: Tiers in order. The first starts at 0, each starts where the one before
            ends, and only the last is open-ended.
        mode: :attr:`TierMode.WHOLE_AMOUNT` (the source's rule) or ``GRADUATED``.
        rounding: How the rebate is rounded to the currency's minor unit (to the fen
            for CNY); ``HALF_UP`` (四舍五入) by default. Only the final rebate is rounded.
        currency: The currency of basis, base and rebate; ``CNY`` by default.
        name: A short name for the schedule.
        basis_label: What chooses the tier, in words (``"sales"``).
        base_label: What the rate is applied to, in words (``"collected"``).
        near: How close to the next tier a quote counts as *near* it
            (:attr:`RebateQuote.near_next_tier`), as a share of the basis: ``5%`` by
            default (within 10,000 of the next tier on sales of 200,000). A rate from 0
            to 1.

    Raises:
        PolicyError: No tiers; the first tier does not start at 0; a gap or an overlap
            between two tiers; an open-ended tier that is not last; a last tier with an
            upper bound; a breakpoint finer than the currency's minor unit. The message
            names the tier.

    Examples:
        >>> s = TierSchedule(tiers=[
        ...     Tier(lower=0, upper=200000, rate="5%"),
        ...     Tier(lower=200000, upper=1000000, rate="8%"),
        ...     Tier(lower=1000000, rate="10%"),
        ... ])
        >>> s.breakpoints
        (Decimal('200000'), Decimal('1000000'))
        >>> TierSchedule(tiers=[Tier(lower=0, upper=100, rate="5%"), Tier(lower=90, rate="8%")])
        Traceback (most recent call last):
        ...
        kamcore.errors.PolicyError: TierSchedule tiers[1]: tier 90+ overlaps tier 0–100: it starts at 90, before 100
    """  # noqa: E501

    tiers: tuple[Tier, ...] = attrs.field(converter=_to_tiers)
    mode: TierMode = TierMode.WHOLE_AMOUNT
    rounding: Rounding = Rounding.HALF_UP
    currency: str = attrs.field(default=DEFAULT_CURRENCY, converter=_to_currency)
    name: str = ""
    basis_label: str = "sales"
    base_label: str = "collected"
    near: Rate = attrs.field(default=Rate("0.05"), converter=_to_rate)

    # Precomputed lookup tables (not part of the policy's value or its dict form).
    _bps: tuple[Decimal, ...] = attrs.field(init=False, eq=False, repr=False)
    _lower_owned: tuple[bool, ...] = attrs.field(init=False, eq=False, repr=False)
    _rates: tuple[Decimal, ...] = attrs.field(init=False, eq=False, repr=False)
    _cum: tuple[Decimal, ...] = attrs.field(init=False, eq=False, repr=False)
    _exp: Decimal = attrs.field(init=False, eq=False, repr=False)
    _mode: str = attrs.field(init=False, eq=False, repr=False)
    _ints: IntTable = attrs.field(init=False, eq=False, repr=False)
    _find: Callable[[Decimal], int] = attrs.field(init=False, eq=False, repr=False)
    _whole: bool = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._validate()
        if not 0 <= self.near.value <= 1:
            raise PolicyError(
                f"near must be a share of the basis from 0 to 1, not {self.near.value}",
                policy="TierSchedule",
                part="near",
            )
        places = CURRENCIES[self.currency]
        tiers = self.tiers
        bps = tuple(t.upper for t in tiers[:-1] if t.upper is not None)
        rates = tuple(t.rate.value for t in tiers)
        cum = [_ZERO]
        for t in tiers[:-1]:
            assert t.upper is not None
            cum.append(_CTX.add(cum[-1], _CTX.multiply(t.rate.value, t.upper - t.lower)))
        setattr_ = object.__setattr__
        setattr_(self, "_bps", bps)
        setattr_(self, "_lower_owned", tuple(t.upper_owner is BreakpointOwner.LOWER for t in tiers))
        setattr_(self, "_rates", rates)
        setattr_(self, "_cum", tuple(cum))
        setattr_(self, "_exp", Decimal(1).scaleb(-places))
        setattr_(self, "_mode", self.rounding.decimal_mode)
        setattr_(self, "_whole", self.mode is TierMode.WHOLE_AMOUNT)
        owners = tuple(t.upper_owner for t in tiers[:-1])
        setattr_(self, "_find", band_finder(bps, owners))
        setattr_(self, "_ints", IntTable.of(bps, owners, rates, places))

    def _validate(self) -> None:
        if not isinstance(self.mode, TierMode):
            raise PolicyError(
                f"mode must be 'whole_amount' or 'graduated', not {self.mode!r}",
                policy="TierSchedule",
                part="mode",
            )
        if not isinstance(self.rounding, Rounding):
            raise PolicyError(
                f"rounding must be a Rounding policy, not {self.rounding!r}",
                policy="TierSchedule",
                part="rounding",
            )
        tiers = self.tiers
        if not tiers:
            raise PolicyError("a schedule needs at least one tier", policy="TierSchedule")
        places = CURRENCIES[self.currency]
        for i, tier in enumerate(tiers):
            part = f"tiers[{i}]"
            if not isinstance(tier, Tier):
                raise PolicyError(
                    f"expected a Tier, got {type(tier).__name__}",
                    policy="TierSchedule",
                    part=part,
                )
            if i == 0 and tier.lower != 0:
                raise PolicyError(
                    f"the first tier {tier.name} must start at 0, not {_fmt(tier.lower)}",
                    policy="TierSchedule",
                    part=part,
                )
            if i > 0:
                prev = tiers[i - 1]
                assert prev.upper is not None
                if tier.lower < prev.upper:
                    raise PolicyError(
                        f"tier {tier.name} overlaps tier {prev.name}: it starts at "
                        f"{_fmt(tier.lower)}, before {_fmt(prev.upper)}",
                        policy="TierSchedule",
                        part=part,
                    )
                if tier.lower > prev.upper:
                    raise PolicyError(
                        f"gap between tier {prev.name} and tier {tier.name}: nothing covers "
                        f"{_fmt(prev.upper)} to {_fmt(tier.lower)}",
                        policy="TierSchedule",
                        part=part,
                    )
            last = i == len(tiers) - 1
            if tier.upper is None and not last:
                raise PolicyError(
                    f"tier {tier.name} is open-ended but is not the last tier",
                    policy="TierSchedule",
                    part=part,
                )
            if tier.upper is not None and last:
                raise PolicyError(
                    f"the last tier {tier.name} must be open-ended (upper = None), "
                    f"so that every basis reaches a tier",
                    policy="TierSchedule",
                    part=part,
                )
            if tier.upper is not None and tier.upper != tier.upper.quantize(
                Decimal(1).scaleb(-places), context=_CTX
            ):
                raise PolicyError(
                    f"breakpoint {tier.upper} has more digits than the {self.currency} "
                    f"minor unit ({places})",
                    policy="TierSchedule",
                    part=part,
                )

    # -- queries ---------------------------------------------------------------------
    @property
    def breakpoints(self) -> tuple[Decimal, ...]:
        """The amounts where one tier ends and the next begins, in order."""
        return self._bps

    @property
    def highest_rate(self) -> Rate:
        """The largest rate of any tier: no rebate exceeds ``base × highest_rate``."""
        return max((t.rate for t in self.tiers), key=lambda r: r.value)

    def tier_index(self, basis: Decimal) -> int:
        """The index of the tier that ``basis`` reaches, honouring breakpoint ownership.

        Examples:
            >>> from kamcore.presets import load_preset
            >>> s = load_preset("rebate_source", TierSchedule)
            >>> s.tier_index(Decimal("199999.99")), s.tier_index(Decimal(200000))
            (0, 1)
        """
        return self._find(basis)

    def _graduated(self, i: int, basis: Decimal) -> Decimal:
        """The exact graduated rebate on ``basis`` when the base equals the basis."""
        lower = self._bps[i - 1] if i else _ZERO
        return _CTX.add(self._cum[i], _CTX.multiply(self._rates[i], basis - lower))

    def _exact(self, i: int, basis: Decimal, base: Decimal) -> Decimal:
        """The unrounded rebate."""
        if self.mode is TierMode.WHOLE_AMOUNT:
            return _CTX.multiply(base, self._rates[i])
        if basis == base:
            return self._graduated(i, basis)
        if not basis:
            return _CTX.multiply(base, self._rates[0])
        return _CTX.divide(_CTX.multiply(base, self._graduated(i, basis)), basis)


def _amount(value: object, field: str, currency: str) -> Decimal:
    if type(value) is Money:
        if value.currency != currency:
            raise ValidationError(
                field=field,
                value=value,
                expected=f"money in {currency}, the schedule's currency",
                problem="wrong currency",
            )
        amount = value.amount
    elif type(value) is Decimal and value.is_finite():
        amount = value
    else:
        amount = as_decimal(value, field=field, expected=_AMOUNT_EXPECTED)
    if amount < _ZERO:
        raise ValidationError(
            field=field, value=value, expected=_AMOUNT_EXPECTED, problem="negative amount"
        )
    return amount


@attrs.frozen(kw_only=True)
class RebateSlice:
    """One slice of a graduated rebate: the part of the basis inside one tier.

    Attributes:
        tier: The tier index.
        lower: Where the slice starts.
        upper: Where the slice ends (the basis itself for the last slice).
        basis: How much of the basis lies in the slice (``upper - lower``).
        base: The slice's share of the rebate base (``base × slice / basis``; equal to
            ``basis`` when base and basis are the same amount).
        rate: The tier's rate.
        rebate: ``base × rate``, unrounded (only the total is rounded).
    """

    tier: int
    lower: Money
    upper: Money
    basis: Money
    base: Money
    rate: Rate
    rebate: Money


@attrs.frozen(kw_only=True)
class RebateQuote:
    """An explained rebate (返点): the tier reached, the rate, the base and the rebate.

    Built by :func:`quote`. The stored fields are the inputs and the answer; the
    explanation (:attr:`rate`, :attr:`slices`, :attr:`to_next`, :attr:`rebate_at_next`,
    :meth:`explain`) is derived from them on demand.

    Attributes:
        schedule: The schedule quoted.
        basis: The tier basis (what chose the tier; sales in the source).
        base: The rebate base (what the rate applies to; total collected in the source).
        tier: The index of the tier reached (0 is the first tier).
        rebate: The rebate, rounded to the minor unit with the schedule's rounding.
    """

    schedule: TierSchedule
    basis: Money
    base: Money
    tier: int
    rebate: Money

    # -- explanation -----------------------------------------------------------------
    @property
    def reached(self) -> Tier:
        """The tier reached."""
        return self.schedule.tiers[self.tier]

    @property
    def rate(self) -> Rate:
        """The reached tier's rate (for a graduated schedule, the marginal rate)."""
        return self.reached.rate

    @property
    def exact(self) -> Money:
        """The rebate before rounding."""
        s = self.schedule
        value = s._exact(self.tier, self.basis.amount, self.base.amount)
        return Money._of(value, s.currency)

    @property
    def effective_rate(self) -> Rate:
        """The unrounded rebate as a share of the base (the reached rate when whole-amount)."""
        if self.schedule.mode is TierMode.WHOLE_AMOUNT or not self.base.amount:
            return self.rate
        return Rate(self.exact.amount / self.base.amount)

    @property
    def slices(self) -> tuple[RebateSlice, ...]:
        """The graduated slices, lowest first; empty for a whole-amount schedule."""
        s = self.schedule
        if s.mode is TierMode.WHOLE_AMOUNT:
            return ()
        cur = s.currency
        basis = self.basis.amount
        base = self.base.amount
        out: list[RebateSlice] = []
        for i in range(self.tier + 1):
            t = s.tiers[i]
            top = basis if i == self.tier or t.upper is None else t.upper
            part = top - t.lower
            if basis == base:
                share = part
            elif basis:
                share = _CTX.divide(_CTX.multiply(base, part), basis)
            else:
                share = base
            out.append(
                RebateSlice(
                    tier=i,
                    lower=Money._of(t.lower, cur),
                    upper=Money._of(top, cur),
                    basis=Money._of(part, cur),
                    base=Money._of(share, cur),
                    rate=t.rate,
                    rebate=Money._of(_CTX.multiply(share, t.rate.value), cur),
                )
            )
        return tuple(out)

    @property
    def next_breakpoint(self) -> Money | None:
        """Where the next tier begins, or ``None`` in the top tier."""
        upper = self.reached.upper
        return None if upper is None else Money._of(upper, self.schedule.currency)

    @property
    def near_next_tier(self) -> bool:
        """Whether the next tier is within the schedule's ``near`` share of the basis.

        The accounts a salesperson would call first: a little more business moves them
        up a tier (and, whole-amount, raises the rebate on every yuan).
        """
        gap = self.to_next
        return gap is not None and gap.amount <= self.basis.amount * self.schedule.near.value

    @property
    def to_next(self) -> Money | None:
        """How much more basis reaches the next tier (``None`` in the top tier).

        When the breakpoint belongs to the lower tier, the next tier starts one minor
        unit (one fen) above it.
        """
        upper = self.reached.upper
        if upper is None:
            return None
        gap = upper - self.basis.amount
        if self.reached.upper_owner is BreakpointOwner.LOWER:
            gap += self.schedule._exp
        return Money._of(gap, self.schedule.currency)

    @property
    def rebate_at_next(self) -> Money | None:
        """The rebate if basis **and** base grew by :attr:`to_next`; ``None`` at the top.

        That is, the extra sales are assumed collected in full. Compare with
        :attr:`rebate` to see the cliff a whole-amount schedule creates.
        """
        step = self.to_next
        if step is None:
            return None
        return quote(self.schedule, basis=self.basis + step, base=self.base + step).rebate

    @property
    def gain_at_next(self) -> Money | None:
        """``rebate_at_next - rebate``: what reaching the next tier is worth."""
        at_next = self.rebate_at_next
        return None if at_next is None else at_next - self.rebate

    def _repr_html_(self) -> str:
        """The quote as an HTML table, for notebooks."""
        row = {
            "tier": self.reached.label or str(self.tier + 1),
            "rate": str(self.rate),
            "basis": self.basis.amount,
            "base": self.base.amount,
            "rebate": self.rebate.amount,
            "to next tier": None if self.to_next is None else self.to_next.amount,
        }
        return html_table(
            [row], title=f"Rebate quote ({self.rebate.currency})", notes=self.explain()
        )

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> dict[str, object]:
        """The quote on its tier chart (Vega-Lite) and the HTML table, for notebooks."""
        from kamcore.charts import mimebundle, tier_chart  # noqa: PLC0415 - charts sit above

        spec = tier_chart(self.schedule, (self,))
        return mimebundle(spec, html=self._repr_html_(), include=include, exclude=exclude)

    def record(self) -> dict[str, object]:
        """The quote as one row of plain, exact values.

        Keys: ``tier`` (the reached tier's :attr:`Tier.name`), ``rate`` (its rate as a
        ``Decimal`` fraction), ``basis``, ``base``, ``rebate`` (``Decimal`` amounts),
        ``currency``, ``mode`` (``"whole_amount"`` or ``"graduated"``),
        ``to_next_tier`` and ``rebate_at_next_tier`` (:attr:`to_next` and
        :attr:`rebate_at_next` as amounts; ``None`` in the top tier).

        Examples:
            >>> from kamcore.presets import load_preset
            >>> q = quote(load_preset("rebate_source", TierSchedule),
            ...           basis="200000", base="180000")
            >>> q.record()
            {'tier': '200,000–1,000,000', 'rate': Decimal('0.08'), 'basis': Decimal('200000'), 'base': Decimal('180000'), 'rebate': Decimal('14400.00'), 'currency': 'CNY', 'mode': 'whole_amount', 'to_next_tier': Decimal('800000'), 'rebate_at_next_tier': Decimal('98000.00')}
        """  # noqa: E501
        step = self.to_next
        at_next = self.rebate_at_next
        return {
            "tier": self.reached.name,
            "rate": self.rate.value,
            "basis": self.basis.amount,
            "base": self.base.amount,
            "rebate": self.rebate.amount,
            "currency": self.schedule.currency,
            "mode": self.schedule.mode.value,
            "to_next_tier": None if step is None else step.amount,
            "rebate_at_next_tier": None if at_next is None else at_next.amount,
        }

    def to_frame(self) -> pd.DataFrame:
        """:meth:`record` as a one-row pandas DataFrame (needs the ``frames`` extra).

        Raises:
            ValidationError: pandas is not installed.
        """
        return frame([self.record()], QUOTE_COLUMNS)

    def explain(self, lang: str = "en") -> tuple[str, ...]:
        r"""The quote in words, one line per fact, in English or Chinese.

        Args:
            lang: ``"en"`` (the default) or ``"zh"`` (中文: the basis and base labels
                ``sales``/``collected`` read 销售额/总收款; other labels are kept).

        Raises:
            ValidationError: Another ``lang``.

        Examples:
            >>> from kamcore.presets import load_preset
            >>> q = quote(load_preset("rebate_source", TierSchedule),
            ...           basis="200000", base="180000")
            >>> print("\n".join(q.explain()))
            sales 200,000 reaches tier 2 (200,000–1,000,000) at 8%
            whole amount: 180,000 collected × 8% = 14,400.00 → 14,400.00 (half up (四舍五入))
            next tier at 1,000,000 (800,000 more): rebate there 98,000.00 (+83,600.00)
            >>> print("\n".join(q.explain(lang="zh")))
            销售额 200,000 达到第 2 档（200,000–1,000,000），返点率 8%
            全额累进：总收款 180,000 × 8% = 14,400.00 → 14,400.00（四舍五入）
            达到 1,000,000 进入下一档（还差 800,000）：届时返点 98,000.00（+83,600.00）
        """
        if lang == "zh":
            return self._explain_zh()
        if lang != "en":
            raise ValidationError(
                field="lang", value=lang, expected="'en' or 'zh'", problem="unknown language"
            )
        s = self.schedule
        t = self.reached
        head = f"{s.basis_label} {_fmt(self.basis.amount)} reaches tier {self.tier + 1}"
        lines = [f"{head} ({t.name}) at {t.rate}"]
        exact = self.exact.amount
        tail = f"{_fmt(exact)} → {_fmt(self.rebate.amount)} ({s.rounding.label})"
        if s.mode is TierMode.WHOLE_AMOUNT:
            lines.append(
                f"whole amount: {_fmt(self.base.amount)} {s.base_label} × {t.rate} = {tail}"
            )
        else:
            lines.extend(
                f"slice {_fmt(sl.lower.amount)}–{_fmt(sl.upper.amount)}: "
                f"{_fmt(sl.base.amount)} × {sl.rate} = {_fmt(sl.rebate.amount)}"
                for sl in self.slices
            )
            lines.append(f"graduated total: {tail}")
        step = self.to_next
        if step is not None:
            assert self.next_breakpoint is not None
            where = "above" if self.reached.upper_owner is BreakpointOwner.LOWER else "at"
            lines.append(
                f"next tier {where} {_fmt(self.next_breakpoint.amount)} "
                f"({_fmt(step.amount)} more): "
                f"rebate there {_fmt(self.rebate_at_next.amount)} "  # type: ignore[union-attr]
                f"(+{_fmt(self.gain_at_next.amount)})"  # type: ignore[union-attr]
            )
        else:
            lines.append("top tier reached")
        return tuple(lines)

    def _explain_zh(self) -> tuple[str, ...]:
        """:meth:`explain` in Chinese (中文)."""
        s, t = self.schedule, self.reached
        basis = _ZH_TERMS.get(s.basis_label, s.basis_label)
        base = _ZH_TERMS.get(s.base_label, s.base_label)
        head = f"{basis} {_fmt(self.basis.amount)} 达到第 {self.tier + 1} 档（{t.name}）"
        lines = [f"{head}，返点率 {t.rate}"]
        rounding = s.rounding.label  # "half up (四舍五入)": the Chinese name in brackets
        rounding = rounding[rounding.find("(") + 1 : -1] if rounding.endswith(")") else rounding
        tail = f"{_fmt(self.exact.amount)} → {_fmt(self.rebate.amount)}（{rounding}）"
        if s.mode is TierMode.WHOLE_AMOUNT:
            lines.append(f"全额累进：{base} {_fmt(self.base.amount)} × {t.rate} = {tail}")
        else:
            lines.extend(
                f"分段 {_fmt(sl.lower.amount)}–{_fmt(sl.upper.amount)}："
                f"{_fmt(sl.base.amount)} × {sl.rate} = {_fmt(sl.rebate.amount)}"
                for sl in self.slices
            )
            lines.append(f"超额累进合计：{tail}")
        step, at_next, gain = self.to_next, self.rebate_at_next, self.gain_at_next
        if step is None or at_next is None or gain is None or self.next_breakpoint is None:
            lines.append("已达最高档")
        else:
            where = "超过" if t.upper_owner is BoundaryOwner.LOWER else "达到"
            lines.append(
                f"{where} {_fmt(self.next_breakpoint.amount)} 进入下一档"
                f"（还差 {_fmt(step.amount)}）："
                f"届时返点 {_fmt(at_next.amount)}（+{_fmt(gain.amount)}）"
            )
        return tuple(lines)


def quote(
    schedule: TierSchedule,
    *,
    basis: Money | Decimal | int | str,
    base: Money | Decimal | int | str | None = None,
) -> RebateQuote:
    """Quote the rebate a schedule gives: the tier ``basis`` reaches, applied to ``base``.

    Args:
        schedule: The tier schedule.
        basis: The tier basis — what chooses the tier (sales, 销售额, in the source).
        base: The rebate base — what the rate applies to (total collected, 总收款, in
            the source). Defaults to ``basis``.

    Returns:
        A :class:`RebateQuote`; its ``rebate`` is rounded to the minor unit with the
        schedule's rounding, once, after exact arithmetic.

    Raises:
        ValidationError: A negative, non-numeric or float amount, or money in another
            currency than the schedule's (the error names ``basis`` or ``base``); a
            ``schedule`` that is not a :class:`TierSchedule` (``None`` included).

    Examples:
        >>> from kamcore.presets import load_preset
        >>> source = load_preset("rebate_source", TierSchedule)
        >>> quote(source, basis="200000", base="180000").rebate
        Money('14400.00', 'CNY')
    """
    if type(schedule) is not TierSchedule:
        instance_of(schedule, TierSchedule, "schedule", expected="a TierSchedule")
    cur = schedule.currency
    # Fast path for valid Money in the schedule's currency; anything else is checked
    # (and refused with a clear error) by _amount.
    if type(basis) is Money and basis.currency == cur and basis.amount >= _ZERO:
        bm = basis
        b = basis.amount
    else:
        b = _amount(basis, "basis", cur)
        bm = _money(b, cur)
    if base is None:
        cm, c = bm, b
    elif type(base) is Money and base.currency == cur and base.amount >= _ZERO:
        cm, c = base, base.amount
    else:
        c = _amount(base, "base", cur)
        cm = _money(c, cur)
    i = schedule._find(b)  # the band core (kamcore._bands): bisect, no Python frame
    exact = _CTX.multiply(c, schedule._rates[i]) if schedule._whole else schedule._exact(i, b, c)
    # Fast path: build the frozen objects through their slot descriptors (values checked
    # above). Measured (timeit, source schedule): the quote object 0.25 µs this way vs 0.46
    # through RebateQuote(...); each Money 0.26 vs 1.11 µs through Money(...). quote() as a
    # whole: 1.02 µs a row in benchmarks/bench_rebate.py --quick, so it pays.
    q = _new(RebateQuote)
    _q_schedule(q, schedule)
    _q_basis(q, bm)
    _q_base(q, cm)
    _q_tier(q, i)
    _q_rebate(q, _money(exact.quantize(schedule._exp, schedule._mode, _CTX), cur))
    return q


def quotes_frame(
    quotes: Iterable[RebateQuote], *, ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Many quotes as a pandas DataFrame, one row each (needs the ``frames`` extra).

    Args:
        quotes: Quotes, from :func:`quote`.
        ids: The account of each quote, in the same order: a first column
            ``account_id``, as ``kamcore rebate FILE`` shows it.

    Returns:
        The columns of :meth:`RebateQuote.record` (also when there are no quotes), in
        the quotes' order; amounts and rates stay exact ``Decimal`` values.

    Raises:
        ValidationError: An item is not a :class:`RebateQuote` (naming its index), or
            pandas is not installed.

    Examples:
        >>> from kamcore.presets import load_preset
        >>> source = load_preset("rebate_source", TierSchedule)
        >>> f = quotes_frame(quote(source, basis=b) for b in ("150000", "1200000"))
        >>> f[["tier", "rebate", "to_next_tier"]].to_dict("records")
        [{'tier': '0–200,000', 'rebate': Decimal('7500.00'), 'to_next_tier': Decimal('50000')}, {'tier': '1,000,000+', 'rebate': Decimal('120000.00'), 'to_next_tier': None}]
    """  # noqa: E501
    records = []
    for i, q in enumerate(sequence(quotes, "quotes", expected="quotes from quote()")):
        if not isinstance(q, RebateQuote):
            raise ValidationError(
                field=f"quotes[{i}]",
                value=type(q).__name__,
                expected="a RebateQuote (from quote())",
                problem="not a quote",
            )
        records.append(q.record())
    if ids is None:
        return frame(records, QUOTE_COLUMNS)
    accounts = list(sequence(ids, "ids", expected="one account id per quote"))
    if len(accounts) != len(records):
        raise ValidationError(
            field="ids",
            value=len(accounts),
            expected=f"one id per quote ({len(records)})",
            problem="a different number of ids",
        )
    rows = [{"account_id": a, **r} for a, r in zip(accounts, records, strict=True)]
    return frame(rows, ("account_id", *QUOTE_COLUMNS))


_new: Final = object.__new__
_m_amount: Final = Money.__dict__["amount"].__set__
_m_currency: Final = Money.__dict__["currency"].__set__
_q_schedule: Final = RebateQuote.__dict__["schedule"].__set__
_q_basis: Final = RebateQuote.__dict__["basis"].__set__
_q_base: Final = RebateQuote.__dict__["base"].__set__
_q_tier: Final = RebateQuote.__dict__["tier"].__set__
_q_rebate: Final = RebateQuote.__dict__["rebate"].__set__


def _money(amount: Decimal, currency: str) -> Money:
    m: Money = _new(Money)
    _m_amount(m, amount)
    _m_currency(m, currency)
    return m
