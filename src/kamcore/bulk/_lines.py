"""Order lines to account figures: partition functions and their exact reduction.

An order line is one sale: an account, a date and amounts. :func:`summarise_lines`
turns one partition of lines into one row per account (sums in whole cents, a line
count, the first and last purchase); :func:`combine_summaries` adds such rows up (any
number of partitions, in any order: integer sums are exact, so every engine gets the
same figures to the cent); :func:`finish_accounts` turns the sums into the account
figures a scoring model reads. Needs pandas (the ``frames`` extra), imported lazily.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from kamcore.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LINE_AMOUNTS",
    "ORDER_FIGURES",
    "check_lines",
    "combine_summaries",
    "count_orders",
    "finish_accounts",
    "in_period",
    "pandas_frame",
    "summarise_lines",
]

#: Money columns of an order line, each summed per account (int64 whole cents).
LINE_AMOUNTS: Final = ("sales_revenue", "invoiced", "collected", "profit", "quality_losses")

#: The figures order lines add to an account besides the money sums.
ORDER_FIGURES: Final = (
    "quantity",
    "lines",
    "orders",
    "first_purchase",
    "last_purchase",
    "recency_days",
)

#: ``quantity`` is summed exactly as whole thousandths (three decimal places).
QUANTITY_PLACES: Final = 3

_ID: Final = "account_id"
_DATE: Final = "order_date"
_ORDER: Final = "order_id"


def pandas_frame(value: object, name: str) -> pd.DataFrame:
    """``value`` if it is a pandas DataFrame; else a clear error (a partition function's input)."""
    try:
        import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily
    except ImportError:  # pragma: no cover - the frames extra is installed in the tests
        raise ValidationError(
            field=name,
            value=type(value).__name__,
            expected="a pandas DataFrame: pip install 'kamcore[frames]'",
            problem="pandas is not installed",
        ) from None
    if not isinstance(value, pd.DataFrame):
        raise ValidationError(
            field=name,
            value=type(value).__name__,
            expected="a pandas DataFrame (one partition)",
            problem="not a DataFrame",
        )
    return value


def check_lines(columns: Sequence[object], dtypes: Any) -> tuple[str, ...]:
    """The money columns a frame of order lines has; refuse one that can't be summed.

    Raises:
        ValidationError: ``account_id``, ``order_date`` or ``sales_revenue`` is absent,
            or a money column is not whole cents (an integer column).
    """
    names = [str(c) for c in columns]
    for need in (_ID, _DATE, "sales_revenue"):
        if need not in names:
            raise ValidationError(
                field=need,
                value=names,
                expected=f"a column named {need!r} (read the file with read_lines_frame)",
                problem="missing column",
            )
    amounts = tuple(a for a in LINE_AMOUNTS if a in names)
    for a in amounts:
        kind = getattr(dtypes[a], "kind", "O")
        if kind not in "iu":
            raise ValidationError(
                field=a,
                value=str(dtypes[a]),
                expected="whole cents as integers (34855361 for ¥348,553.61)",
                problem="not an integer column",
            )
    return amounts


#: Sums of lines an account's figures may not hold below zero (profit may).
NON_NEGATIVE_SUMS: Final = ("sales_revenue", "invoiced", "collected", "quality_losses")


def negative_sum(account: object, figure: str, value: object) -> ValidationError:
    """The error for an account whose lines sum to a negative figure, with the fix."""
    return ValidationError(
        field=f"{account}.{figure}",
        value=value,
        expected="zero or more: returns without the sales they return (another period's); "
        "widen --period to hold those sales, or leave the returns out",
        problem=f"its order lines sum to a negative {figure}",
    )


def in_period(part: pd.DataFrame, period: tuple[dt.date, dt.date] | None) -> pd.DataFrame:
    if period is None:
        return part
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    first, last = (pd.Timestamp(d) for d in period)
    dates = part[_DATE]
    return part[(dates >= first) & (dates < last + pd.Timedelta(days=1))]


def summarise_lines(
    part: pd.DataFrame, *, period: tuple[dt.date, dt.date] | None = None
) -> pd.DataFrame:
    """One partition of order lines → one row per account (a partition function).

    Columns: ``account_id``, the money sums in whole cents (int64), ``quantity`` in
    thousandths (int64, when the lines have it), ``lines`` (how many), and
    ``first_purchase`` / ``last_purchase``. Lines outside ``period`` (both days
    included) are left out. Rows from several partitions are added up by
    :func:`combine_summaries`.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    pandas_frame(part, "part")
    amounts = check_lines(list(part.columns), part.dtypes)
    if period is not None:
        from kamcore.bulk._engine import check_period  # noqa: PLC0415

        period = check_period(period)
    part = in_period(part, period)
    cols: dict[str, Any] = {a: part[a] for a in amounts}
    if "quantity" in part.columns:
        q = part["quantity"].to_numpy(dtype="float64", na_value=0.0)
        cols["quantity"] = np.round(q * 10.0**QUANTITY_PLACES).astype(np.int64)
    frame = part[[_ID]].assign(**cols, lines=np.int64(1), _first=part[_DATE], _last=part[_DATE])
    grouped = frame.groupby(_ID, sort=False, observed=True)
    sums = grouped[[*cols, "lines"]].sum()
    out = sums.assign(
        first_purchase=grouped["_first"].min(),
        last_purchase=grouped["_last"].max(),
    )
    return out.reset_index()


def combine_summaries(summaries: pd.DataFrame) -> pd.DataFrame:
    """Add up the per-partition rows of :func:`summarise_lines` (one row per account).

    Raises:
        ValidationError: Not a DataFrame, or no ``account_id`` column.
    """
    pandas_frame(summaries, "summaries")
    if _ID not in summaries.columns:
        raise ValidationError(
            field=_ID,
            value=[str(c) for c in summaries.columns],
            expected="the rows summarise_lines gives (an account_id column)",
            problem="missing column",
        )
    how: dict[str, str] = {
        c: "sum" for c in summaries.columns if c not in {_ID, "first_purchase", "last_purchase"}
    }
    how |= {"first_purchase": "min", "last_purchase": "max"}
    return summaries.groupby(_ID, sort=True).agg(how).reset_index()


def count_orders(part: pd.DataFrame) -> pd.DataFrame:
    """The distinct (account, order) pairs of a partition (``orders`` counts them)."""
    return part[[_ID, _ORDER]].drop_duplicates()


def finish_accounts(
    sums: pd.DataFrame, orders: pd.Series | None, as_of: dt.date | None
) -> pd.DataFrame:
    """Account figures from the combined sums: yuan, ``orders``, ``recency_days``.

    Money sums become float yuan (``cents / 100``, the float nearest the exact amount);
    ``quantity`` becomes float units; ``orders`` is the number of distinct order ids
    (the line count where the lines have no order id); ``recency_days`` counts the days
    from the last purchase to ``as_of`` (the period's last day, or the latest line).
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily
    import pandas as pd  # noqa: PLC0415

    out = sums.copy()
    for a in LINE_AMOUNTS:
        if a in out.columns:
            out[a] = out[a].to_numpy(dtype=np.int64) / 100.0
    if "quantity" in out.columns:
        out["quantity"] = out["quantity"].to_numpy(dtype=np.int64) / 10.0**QUANTITY_PLACES
    if orders is None:
        out["orders"] = out["lines"]
    else:
        out["orders"] = out[_ID].map(orders).fillna(0).astype(np.int64)
    last = pd.to_datetime(out["last_purchase"])
    end = pd.Timestamp(as_of) if as_of is not None else last.max()
    out["recency_days"] = ((end - last) // pd.Timedelta(days=1)).astype(np.int64)
    return out
