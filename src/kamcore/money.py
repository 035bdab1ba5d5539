"""Money, rates and rounding: exact decimal arithmetic, correct to the cent.

* :class:`Money` is a :class:`decimal.Decimal` amount with an ISO 4217 currency
  (``CNY`` by default). Amounts keep their full precision until you round them with a
  named :class:`Rounding` policy; ``Money.round()`` rounds to the currency's minor unit
  (0.01 for CNY).
* :class:`Rate` is a fraction (``Rate.percent(8)`` is 0.08); ``rate * money`` is money.
* :class:`Rounding` names every rounding policy: ``HALF_UP`` (四舍五入, the default),
  ``HALF_EVEN`` (banker's), ``UP`` (away from zero), ``DOWN`` (toward zero, truncation),
  ``CEILING`` and ``FLOOR``.

Floats are refused everywhere: ``0.1`` is not one tenth in binary, and that error would
end up in somebody's rebate.

Examples:
    >>> from decimal import Decimal
    >>> price = Money("1234.565")
    >>> price
    Money('1234.565', 'CNY')
    >>> str(price.round())
    'CNY 1,234.57'
    >>> str(price.round(Rounding.HALF_EVEN))
    'CNY 1,234.56'
    >>> Rate.percent(8) * Money("180000")
    Money('14400.00', 'CNY')
    >>> [str(m) for m in Money("100").allocate([1, 1, 1])]
    ['CNY 33.34', 'CNY 33.33', 'CNY 33.33']
"""

from __future__ import annotations

import decimal
import enum
import numbers
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final, TypeGuard, overload

import attrs

from kamcore._convert import enum_of
from kamcore.errors import ValidationError

__all__ = [
    "CURRENCIES",
    "DEFAULT_CURRENCY",
    "MAX_DIGITS",
    "MAX_PLACES",
    "Money",
    "Rate",
    "Rounding",
    "as_decimal",
    "minor_unit",
    "quantize",
    "total",
]

DEFAULT_CURRENCY: Final = "CNY"

_DECIMAL_EXPECTED: Final = "a decimal string such as '0.10', an int, or a decimal.Decimal"

# ISO 4217 active codes and their minor units (digits after the decimal point).
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD "
    "FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD "
    "TZS UAH USD UZS VES WST XCD YER ZAR ZMW ZWG"
)

#: Every currency kamcore accepts, mapped to its ISO 4217 minor unit.
CURRENCIES: Final[dict[str, int]] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
    **dict.fromkeys(_FOUR.split(), 4),
}

_EXPONENTS: Final[dict[int, Decimal]] = {d: Decimal(1).scaleb(-d) for d in range(9)}


class Rounding(enum.Enum):
    """A named rounding policy. Every rounding kamcore does names one of these.

    ``HALF_UP`` is 四舍五入 and the default everywhere: halves go away from zero
    (2.5 → 3, -2.5 → -3). ``HALF_EVEN`` is banker's rounding. ``UP`` rounds away from
    zero, ``DOWN`` toward zero (truncation), ``CEILING`` toward +∞, ``FLOOR`` toward -∞.

    Examples:
        >>> Rounding.HALF_UP.apply(Decimal("2.345"), 2)
        Decimal('2.35')
        >>> Rounding.HALF_EVEN.apply(Decimal("2.345"), 2)
        Decimal('2.34')
        >>> Rounding.DOWN.apply(Decimal("-2.349"), 2)
        Decimal('-2.34')
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    UP = "up"
    DOWN = "down"
    CEILING = "ceiling"
    FLOOR = "floor"

    @property
    def decimal_mode(self) -> str:
        """The :mod:`decimal` rounding constant this policy uses (``'ROUND_HALF_UP'``)."""
        mode: str = getattr(decimal, f"ROUND_{self.name}")
        return mode

    @property
    def label(self) -> str:
        """A short bilingual label, such as ``'half up (四舍五入)'``."""
        return _LABELS[self]

    def apply(self, value: Decimal, places: int) -> Decimal:
        """Round ``value`` to ``places`` digits after the decimal point.

        Args:
            value: The amount to round.
            places: Digits to keep after the point (0 for whole units; may be negative
                to round to tens, hundreds, ...).

        Returns:
            The rounded value, with exactly ``places`` digits after the point.

        Raises:
            ValidationError: ``places`` is not a whole number, or keeps more digits
                than the decimal context holds (``places=99`` on an amount); the
                error names ``places``.

        Examples:
            >>> Rounding.HALF_UP.apply(Decimal("1"), 99)
            Traceback (most recent call last):
            ...
            kamcore.errors.ValidationError: places: too many digits for the decimal context (got 99); expected at most 28 digits in all (here places ≤ 27)
        """  # noqa: E501
        exp = _EXPONENTS.get(places) if type(places) is int else None
        if exp is None:
            if isinstance(places, bool) or not isinstance(places, int):
                raise ValidationError(
                    field="places",
                    value=places,
                    expected="a whole number of digits after the point",
                    problem=f"a {type(places).__name__}",
                )
            try:
                exp = Decimal(1).scaleb(-places)
            except decimal.DecimalException:
                exp = None
        try:
            if exp is None:
                raise decimal.InvalidOperation
            return value.quantize(exp, rounding=_DECIMAL_MODES[self])
        except decimal.InvalidOperation:
            prec = decimal.getcontext().prec
            room = prec - 1 - max(value.adjusted(), 0) if value.is_finite() else 0
            raise ValidationError(
                field="places",
                value=places,
                expected=f"at most {prec} digits in all (here places ≤ {room})",
                problem="too many digits for the decimal context",
            ) from None


_DECIMAL_MODES: Final[dict[Rounding, str]] = {
    Rounding.HALF_UP: decimal.ROUND_HALF_UP,
    Rounding.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    Rounding.UP: decimal.ROUND_UP,
    Rounding.DOWN: decimal.ROUND_DOWN,
    Rounding.CEILING: decimal.ROUND_CEILING,
    Rounding.FLOOR: decimal.ROUND_FLOOR,
}
_LABELS: Final[dict[Rounding, str]] = {
    Rounding.HALF_UP: "half up (四舍五入)",
    Rounding.HALF_EVEN: "half even (银行家舍入)",
    Rounding.UP: "up, away from zero (进位)",
    Rounding.DOWN: "down, toward zero (截尾)",
    Rounding.CEILING: "ceiling, toward +infinity (向上取整)",
    Rounding.FLOOR: "floor, toward -infinity (向下取整)",
}


def quantize(value: Decimal, places: int = 2, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """Round a decimal to ``places`` digits with a named policy (``HALF_UP`` by default).

    Raises:
        ValidationError: ``value`` is not an exact, finite number, ``rounding`` is not
            a :class:`Rounding` (or its value), or ``places`` is not a whole number that
            fits the decimal context.

    Examples:
        >>> quantize(Decimal("0.125"))
        Decimal('0.13')
    """
    if type(rounding) is not Rounding:
        rounding = enum_of(rounding, Rounding, "rounding")
    return rounding.apply(as_decimal(value, field="value", expected=_VALUE_EXPECTED), places)


_VALUE_EXPECTED: Final = "a decimal number: a Decimal, an int or a decimal string"


#: Inputs must lie below 10**MAX_DIGITS in absolute value (a thousand trillion). Within
#: that range an amount with its fen has at most 17 digits, so a product with a rate of
#: up to 11 significant digits is exact under decimal's default 28-digit precision;
#: larger inputs are refused rather than silently rounded by the context.
MAX_DIGITS: Final = 15
#: Inputs may have at most this many digits after the point: room for any quotient or
#: product kamcore computes at full precision (and stores and reloads), none for
#: ``1e-999999999``, whose plain digits would fill a gigabyte.
MAX_PLACES: Final = 1000


def as_decimal(
    value: object,
    *,
    field: str = "amount",
    expected: str = _DECIMAL_EXPECTED,
) -> Decimal:
    """Convert user input to a finite :class:`~decimal.Decimal`, or raise a clear error.

    Accepts ``Decimal``, ``int`` (and any other integer type, such as numpy's
    ``int64``) and decimal strings (surrounding spaces and ``_`` digit separators
    allowed). Refuses floats (numpy's too), booleans, NaN and infinities, and
    values outside the supported range: ``10**MAX_DIGITS`` or more in absolute value,
    or more than ``MAX_PLACES`` digits after the point.

    Args:
        value: The input.
        field: The name reported in the error.
        expected: What is accepted, reported in the error.

    Returns:
        The value as a finite Decimal.

    Raises:
        ValidationError: The value is not an exact, finite decimal.

    Examples:
        >>> as_decimal("1_000.50")
        Decimal('1000.50')
        >>> as_decimal(0.1)
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: amount: floats are inexact and refused for money (got 0.1); expected a decimal string such as '0.10', an int, or a decimal.Decimal
    """  # noqa: E501
    if type(value) is Decimal:
        result = value
    elif isinstance(value, bool):
        raise ValidationError(
            field=field, value=value, expected=expected, problem="a boolean is not a number"
        )
    elif isinstance(value, int | Decimal):
        result = Decimal(value)
    elif isinstance(value, numbers.Integral):  # numpy's integer scalars, for one
        result = Decimal(int(value))
    elif isinstance(value, float) or _inexact(value):
        raise ValidationError(
            field=field,
            value=value,
            expected=expected,
            problem="floats are inexact and refused for money",
        )
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValidationError(
                field=field, value=value, expected=expected, problem="not a decimal number"
            ) from None
    else:
        raise ValidationError(
            field=field,
            value=value,
            expected=expected,
            problem=f"a {type(value).__name__} is not a number",
        )
    if not result.is_finite():
        raise ValidationError(
            field=field, value=value, expected=expected, problem="not a finite number"
        )
    if result and result.adjusted() >= MAX_DIGITS:
        raise ValidationError(
            field=field,
            value=value,
            expected=f"{expected}, below 10^{MAX_DIGITS} in absolute value",
            problem="too large",
        )
    if result.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        raise ValidationError(
            field=field,
            value=value,
            expected=f"{expected}, with at most {MAX_PLACES} digits after the point",
            problem="too many decimal places",
        )
    return result


def _integer(value: object) -> TypeGuard[numbers.Integral]:
    """Whether ``value`` is an integer of a type other than ``int`` (not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | int)


def _inexact(value: object) -> bool:
    """Whether ``value`` is a binary floating-point number of another type (numpy's)."""
    return isinstance(value, numbers.Real) and not isinstance(value, numbers.Rational)


def minor_unit(currency: str) -> int:
    """Return the ISO 4217 minor unit of ``currency`` (2 for CNY, 0 for JPY).

    Raises:
        ValidationError: The currency is not an ISO 4217 code kamcore knows.
    """
    return CURRENCIES[_to_currency(currency)]


def _to_currency(value: object) -> str:
    if isinstance(value, str):
        code = value.strip().upper()
        if code in CURRENCIES:
            return code
    raise ValidationError(
        field="currency",
        value=value,
        expected="an ISO 4217 currency code such as 'CNY', 'USD' or 'EUR'",
        problem="unknown currency",
    )


def _to_amount(value: object) -> Decimal:
    return as_decimal(value, field="amount")


_Scalar = Decimal | int


def _scalar(value: object, *, op: str) -> Decimal:
    if type(value) is Decimal:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, Decimal):
        return Decimal(value)
    if _integer(value):  # numpy's integer scalars, for one
        return Decimal(int(value))
    if isinstance(value, float) or _inexact(value):
        raise ValidationError(
            field=op,
            value=value,
            expected="a Decimal, an int or a Rate",
            problem="floats are inexact and refused for money",
        )
    raise ValidationError(
        field=op,
        value=value,
        expected="a Decimal, an int or a Rate",
        problem=f"can't {op} money by a {type(value).__name__}",
    )


@attrs.frozen(repr=False)
class Money:
    """An exact amount of money in one currency.

    Args:
        amount: A ``Decimal``, an ``int`` or a decimal string. Floats are refused.
        currency: An ISO 4217 code; ``CNY`` by default. Lower case is accepted.

    The amount keeps its full precision (a unit price may have more digits than a
    fen); call :meth:`round` to get an amount in the currency's minor unit. Money adds
    and subtracts money of the same currency, multiplies and divides by a ``Decimal``,
    an ``int`` or a :class:`Rate`, and compares with money of the same currency. Mixing
    currencies raises :class:`~kamcore.errors.ValidationError`.

    Examples:
        >>> Money("10.00") + Money("0.05")
        Money('10.05', 'CNY')
        >>> Money("10") > Money("9.99")
        True
        >>> sum([Money("1.10"), Money("2.20")], Money.zero())
        Money('3.30', 'CNY')
        >>> Money("1", "USD") + Money("1")
        Traceback (most recent call last):
        ...
        kamcore.errors.ValidationError: currency: can't add money in different currencies (got 'CNY'); expected USD
    """  # noqa: E501

    amount: Decimal = attrs.field(converter=_to_amount)
    currency: str = attrs.field(default=DEFAULT_CURRENCY, converter=_to_currency)

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        """Return zero in ``currency``."""
        return cls(Decimal(0), currency)

    @classmethod
    def _of(cls, amount: Decimal, currency: str) -> Money:
        """Build without validation; for already-checked values on hot paths."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "amount", amount)
        object.__setattr__(obj, "currency", currency)
        return obj

    # -- properties ------------------------------------------------------------------
    @property
    def minor_unit(self) -> int:
        """Digits after the point in this currency (2 for CNY)."""
        return CURRENCIES[self.currency]

    @property
    def is_rounded(self) -> bool:
        """Whether the amount has no more digits than the currency's minor unit."""
        return self.amount == self.amount.quantize(_EXPONENTS[self.minor_unit])

    # -- rounding --------------------------------------------------------------------
    def round(self, rounding: Rounding = Rounding.HALF_UP, places: int | None = None) -> Money:
        """Round to the currency's minor unit (or ``places``) with a named policy.

        Args:
            rounding: The policy; ``HALF_UP`` (四舍五入) by default.
            places: Digits after the point; the currency's minor unit by default.
                ``0`` rounds to whole yuan.

        Returns:
            A new Money with exactly ``places`` digits after the point.
        """
        if type(rounding) is not Rounding:
            rounding = enum_of(rounding, Rounding, "rounding")
        digits = self.minor_unit if places is None else places
        value = rounding.apply(self.amount, digits)
        if digits < 0:  # rounded to tens, hundreds, ...: keep a plain integer, not 1.2E+3
            value = value.quantize(_EXPONENTS[0])
        return Money._of(value, self.currency)

    def allocate(
        self,
        weights: Sequence[Decimal | int | Rate],
        rounding: Rounding = Rounding.HALF_UP,
    ) -> tuple[Money, ...]:
        """Split into parts proportional to ``weights`` that add up exactly to the whole.

        The whole is first rounded to the minor unit with ``rounding``; every part is a
        whole number of minor units. Leftover units go one each to the parts with the
        largest remainders; ties go to the earlier part, so the result is deterministic.

        Args:
            weights: Non-negative weights, at least one of them positive.
            rounding: How the whole is rounded to the minor unit first.

        Returns:
            One Money per weight; their sum equals ``self.round(rounding)``.

        Raises:
            ValidationError: No weights, a negative weight, or all weights zero.
        """
        ws = [w.value if isinstance(w, Rate) else _scalar(w, op="allocate") for w in weights]
        if not ws:
            raise ValidationError(
                field="weights", value=weights, expected="at least one weight", problem="empty"
            )
        if any(w < 0 for w in ws) or sum(ws) == 0:
            raise ValidationError(
                field="weights",
                value=weights,
                expected="non-negative weights with a positive sum",
                problem="can't allocate by these weights",
            )
        unit = _EXPONENTS[self.minor_unit]
        whole = rounding.apply(self.amount, self.minor_unit)
        units = int(whole.scaleb(self.minor_unit))
        total_w = sum(ws)
        sign = -1 if units < 0 else 1
        units = abs(units)
        shares: list[int] = []
        remainders: list[tuple[Decimal, int]] = []
        with decimal.localcontext() as ctx:
            ctx.prec = 60
            for i, w in enumerate(ws):
                exact = Decimal(units) * w / total_w
                floor = int(exact.to_integral_value(rounding=decimal.ROUND_FLOOR))
                shares.append(floor)
                remainders.append((exact - floor, -i))
        leftover = units - sum(shares)
        for _, neg_index in sorted(remainders, reverse=True)[:leftover]:
            shares[-neg_index] += 1
        return tuple(
            Money._of((Decimal(sign * s) * unit).quantize(unit), self.currency) for s in shares
        )

    def split(self, parts: int, rounding: Rounding = Rounding.HALF_UP) -> tuple[Money, ...]:
        """Split into ``parts`` near-equal parts that add up exactly to the whole."""
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            raise ValidationError(
                field="parts", value=parts, expected="a whole number ≥ 1", problem="can't split"
            )
        return self.allocate([1] * parts, rounding)

    # -- arithmetic ------------------------------------------------------------------
    def _same(self, other: Money, op: str) -> None:
        if other.currency != self.currency:
            raise ValidationError(
                field="currency",
                value=other.currency,
                expected=self.currency,
                problem=f"can't {op} money in different currencies",
            )

    def __add__(self, other: Money) -> Money:
        if isinstance(other, Money):
            self._same(other, "add")
            return Money._of(self.amount + other.amount, self.currency)
        return NotImplemented

    def __radd__(self, other: object) -> Money:
        # Lets the builtin sum() start from 0.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if isinstance(other, Money):
            self._same(other, "subtract")
            return Money._of(self.amount - other.amount, self.currency)
        return NotImplemented

    def __neg__(self) -> Money:
        return Money._of(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._of(abs(self.amount), self.currency)

    def __mul__(self, other: Decimal | int | Rate) -> Money:
        if isinstance(other, Rate):
            return Money._of(self.amount * other.value, self.currency)
        if isinstance(other, Money):  # type: ignore[unreachable]
            raise ValidationError(
                field="multiply",
                value=other,
                expected="a Decimal, an int or a Rate",
                problem="can't multiply money by money",
            )
        return Money._of(self.amount * _scalar(other, op="multiply"), self.currency)

    __rmul__ = __mul__

    @overload
    def __truediv__(self, other: Money) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> Money: ...
    def __truediv__(self, other: Money | Decimal | int) -> Money | Decimal:
        if isinstance(other, Money):
            self._same(other, "divide")
            if other.amount == 0:
                raise ValidationError(
                    field="divisor",
                    value=other,
                    expected="non-zero money",
                    problem="division by zero",
                )
            return self.amount / other.amount
        divisor = _scalar(other, op="divide")
        if divisor == 0:
            raise ValidationError(
                field="divisor",
                value=other,
                expected="a non-zero number",
                problem="division by zero",
            )
        return Money._of(self.amount / divisor, self.currency)

    def __bool__(self) -> bool:
        return bool(self.amount)

    # -- comparison ------------------------------------------------------------------
    def _cmp(self, other: object, op: str) -> Decimal | None:
        if not isinstance(other, Money):
            return None
        self._same(other, "compare")
        return other.amount

    def __lt__(self, other: Money) -> bool:
        value = self._cmp(other, "compare")
        return NotImplemented if value is None else self.amount < value

    def __le__(self, other: Money) -> bool:
        value = self._cmp(other, "compare")
        return NotImplemented if value is None else self.amount <= value

    def __gt__(self, other: Money) -> bool:
        value = self._cmp(other, "compare")
        return NotImplemented if value is None else self.amount > value

    def __ge__(self, other: Money) -> bool:
        value = self._cmp(other, "compare")
        return NotImplemented if value is None else self.amount >= value

    # -- text ------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Money({format(self.amount, 'f')!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,f}"

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return format(self.amount, spec)


def _to_rate(value: object) -> Decimal:
    return as_decimal(value, field="rate", expected="a fraction such as '0.08' (8%)")


@attrs.frozen(order=True, repr=False)
class Rate:
    """A rate, stored as a fraction: ``Rate("0.08")`` and ``Rate.percent(8)`` are 8%.

    Multiplying money by a rate gives money; multiplying a decimal gives a decimal.

    Examples:
        >>> r = Rate.percent("12.5")
        >>> r, str(r), r.as_percent
        (Rate('0.125'), '12.5%', Decimal('12.5'))
        >>> Rate.parse("8%") == Rate("0.08")
        True
    """

    value: Decimal = attrs.field(converter=_to_rate)

    @classmethod
    def percent(cls, percent: Decimal | int | str) -> Rate:
        """Build a rate from a percentage: ``Rate.percent(8)`` is 0.08."""
        pct = as_decimal(percent, field="percent", expected="a percentage such as 8 or '12.5'")
        return cls(pct / 100)

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Parse ``'8%'`` (a percentage) or ``'0.08'`` (a fraction)."""
        if isinstance(text, str) and text.strip().endswith("%"):
            return cls.percent(text.strip()[:-1])
        return cls(text)

    @property
    def as_percent(self) -> Decimal:
        """The rate as a percentage (``Decimal('8')`` for 8%)."""
        return (self.value * 100).normalize() if self.value else Decimal(0)

    @overload
    def __mul__(self, other: Money) -> Money: ...
    @overload
    def __mul__(self, other: _Scalar) -> Decimal: ...
    def __mul__(self, other: _Scalar | Money) -> Decimal | Money:
        if isinstance(other, Money):
            return other * self
        return self.value * _scalar(other, op="multiply")

    @overload
    def __rmul__(self, other: Money) -> Money: ...
    @overload
    def __rmul__(self, other: _Scalar) -> Decimal: ...
    def __rmul__(self, other: _Scalar | Money) -> Decimal | Money:
        return self.__mul__(other)

    def __repr__(self) -> str:
        return f"Rate({str(self.value)!r})"

    def __str__(self) -> str:
        pct = self.as_percent
        text = f"{pct:f}"
        return f"{text}%"


def total(amounts: Iterable[Money], currency: str = DEFAULT_CURRENCY) -> Money:
    """Add up money (zero in ``currency`` when there is none); currencies must agree.

    Raises:
        ValidationError: ``amounts`` is not an iterable of Money (an item is named by
            its index), or the currencies differ.
    """
    result = Money.zero(currency)
    if isinstance(amounts, str | bytes | dict) or not isinstance(amounts, Iterable):
        raise ValidationError(
            field="amounts",
            value=amounts,
            expected="an iterable of Money",
            problem=f"a {type(amounts).__name__}, not a sequence",
        )
    first = True
    for i, m in enumerate(amounts):
        if not isinstance(m, Money):
            raise ValidationError(
                field=f"amounts[{i}]", value=m, expected="Money", problem="not money"
            )
        result = m if first else result + m
        first = False
    return result
