"""Results as pandas DataFrames, with exact values (the ``frames`` extra).

The domain packages build their ``to_frame()`` methods on :func:`frame`; any tuple of
attrs result rows (what :func:`kamcore.pipeline.weighted_pipeline`,
:func:`kamcore.pipeline.find_stale`, :func:`kamcore.archive.overdue_reviews` or a store's
``loans()`` return) converts with :func:`rows_to_frame`, public as
:func:`kamcore.to_frame`.

Values are not converted to floats: a ``Decimal`` stays a ``Decimal`` (in an ``object``
column), a date stays a date, ``None`` stays ``None``. A column of ints is ``int64``, of
bools ``bool`` and of strings pandas' string type; any other column is ``object``.
pandas is imported only when a frame is built, so the rest of kamcore never needs it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from kamcore._validate import sequence
from kamcore.errors import ValidationError
from kamcore.money import Money, Rate

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frame", "plain", "rows_to_frame"]

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def _pandas_missing() -> ValidationError:
    return ValidationError(
        field="pandas",
        value=None,
        expected="pip install 'kamcore[frames]'",
        problem="pandas is not installed",
    )


def _series(values: list[object]) -> pd.Series:
    """One column: int64, bool or string when every value is one, else exact objects."""
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    if values:
        if all(type(v) is int and _INT64_MIN <= v <= _INT64_MAX for v in values):
            return pd.Series(values, dtype="int64")
        if all(type(v) is bool for v in values):
            return pd.Series(values, dtype="bool")
        if all(type(v) is str for v in values):
            return pd.Series(values)
    return pd.Series(values, dtype=object)


def frame(records: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame of ``records`` with exactly ``columns``, in that order.

    Every record must have every column (other keys are left out). With no records the
    frame is empty but still has the columns. Values are kept exactly as given.

    Args:
        records: The rows, as mappings of column name to value.
        columns: The column names, in order.

    Returns:
        One row per record.

    Raises:
        ValidationError: pandas is not installed, a column is named twice, or a record
            lacks a column (naming the record's index).

    Examples:
        >>> from decimal import Decimal
        >>> f = frame([{"id": "a", "amount": Decimal("1.10"), "n": 2}], ["id", "amount", "n"])
        >>> f.to_dict("records")
        [{'id': 'a', 'amount': Decimal('1.10'), 'n': 2}]
    """
    try:
        import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily
    except ImportError:
        raise _pandas_missing() from None
    names = list(columns)
    if len(set(names)) != len(names):
        raise ValidationError(
            field="columns",
            value=names,
            expected="each column name once",
            problem="duplicate column name",
        )
    data: dict[str, list[object]] = {name: [] for name in names}
    for i, record in enumerate(records):
        for name in names:
            try:
                data[name].append(record[name])
            except KeyError:
                raise ValidationError(
                    field=f"records[{i}]",
                    value=name,
                    expected=f"a value for every column ({', '.join(names)})",
                    problem="missing column",
                ) from None
    return pd.DataFrame({name: _series(values) for name, values in data.items()})


def plain(value: object) -> object:
    """The value a frame holds for ``value``: an amount for money, a fraction for a rate.

    :class:`~kamcore.money.Money` becomes its ``amount`` (a ``Decimal``; the currency is
    dropped), :class:`~kamcore.money.Rate` its ``value`` (a ``Decimal`` fraction), an
    enum member its ``value``; anything else is returned unchanged.

    Examples:
        >>> plain(Money("12.50")), plain(Rate.percent(8)), plain("x")
        (Decimal('12.50'), Decimal('0.08'), 'x')
    """
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, Rate):
        return value.value
    if isinstance(value, enum.Enum):
        return value.value
    return value


def rows_to_frame(rows: Iterable[object]) -> pd.DataFrame:
    """A DataFrame of attrs result rows: one row each, one column per public field.

    Works for any tuple of rows kamcore returns — ``weighted_pipeline``, ``find_stale``,
    ``overdue_reviews``, a store's ``loans()`` and the like. The columns are the
    field names of the rows' class, in order (fields starting with ``_`` are left
    out); money becomes its ``Decimal`` amount, a rate its ``Decimal`` fraction, an enum
    its value (see :func:`plain`); dates, ints and ``None`` stay as they are. No rows
    give an empty frame without columns. Needs pandas (the ``frames`` extra).

    Args:
        rows: Instances of one attrs class, or the events of one family (the kinds of a
            pipeline history): then a ``kind`` column comes first and each kind's own
            fields are empty (``None``) in the rows of other kinds.

    Returns:
        The rows as a DataFrame.

    Raises:
        ValidationError: pandas is not installed; ``rows`` is a single row rather than
            rows; or an item is not an attrs instance or not of the first row's class or
            family (naming its index).

    Examples:
        >>> import kamcore
        >>> from kamcore.pipeline import StaleOpportunity
        >>> f = kamcore.to_frame([StaleOpportunity("opp-1", "li", "bidding", 45, 30, 15)])
        >>> list(f.columns)
        ['opportunity', 'owner', 'stage', 'days', 'limit', 'over']
        >>> f.to_dict("records")
        [{'opportunity': 'opp-1', 'owner': 'li', 'stage': 'bidding', 'days': 45, 'limit': 30, 'over': 15}]
    """  # noqa: E501
    if attrs.has(type(rows)):
        raise ValidationError(
            field="rows",
            value=type(rows).__name__,
            expected="an iterable of rows (wrap a single row in a list: [row])",
            problem="a single row",
        )
    items = sequence(rows, "rows", expected="an iterable of rows, such as a list of result rows")
    if not items:
        return frame((), ())
    first = type(items[0])
    family = _family(first)
    names: list[str] = ["kind"] if family is not None else []
    seen: set[type] = set()
    for i, item in enumerate(items):
        cls = type(item)
        if not attrs.has(cls):
            raise ValidationError(
                field=f"rows[{i}]",
                value=cls.__name__,
                expected="an attrs result row (such as a StaleOpportunity)",
                problem="not an attrs row",
            )
        if cls is not first and (family is None or _family(cls) is not family):
            raise ValidationError(
                field=f"rows[{i}]",
                value=cls.__name__,
                expected=f"a {first.__name__}, like rows[0]",
                problem="a row of another kind",
            )
        if cls not in seen:
            seen.add(cls)
            fields = attrs.fields(cls)
            names += [f.name for f in fields if not f.name.startswith("_") and f.name not in names]
    return frame(
        [{name: plain(getattr(item, name, None)) for name in names} for item in items], names
    )


def _family(cls: type) -> object | None:
    """The family a row class belongs to: its base's ``by_kind`` mapping (events), or None.

    The events of a history are one class per kind on a common base (the pipeline's
    :class:`~kamcore.pipeline.PipelineEvent`); a frame of them has a ``kind`` column
    first and the union of their fields, empty where a kind has no such field.
    """
    family: object | None = getattr(cls, "by_kind", None)
    return family
