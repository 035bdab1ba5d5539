"""Order lines to account facts on the exact path: pure Python, every amount a ``Decimal``.

:func:`lines_to_facts` reads a file of order lines with the same fields, column map
and cell rules as :func:`kamcore.tables.read_lines_frame` and sums it per account
into :class:`~kamcore.grading.AccountFacts` — the figures the columnar and Dask
engines compute (money sums, and the extras ``quantity``, ``lines``, ``orders`` and
``recency_days``), with no extra installed. Every problem of the file is reported at
once, in one :class:`~kamcore.errors.RecordInvalid`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from kamcore.bulk._lines import NON_NEGATIVE_SUMS, negative_sum
from kamcore.errors import KamError, RecordInvalid, ValidationError
from kamcore.tables._cells import AMOUNT_EXAMPLE, DATE_EXAMPLE
from kamcore.tables._columns import Field, FieldKind, bind, load_column_map
from kamcore.tables._read import read_table

if TYPE_CHECKING:
    from kamcore.grading import AccountFacts

__all__ = ["lines_to_facts"]

_AMOUNTS: Final = ("sales_revenue", "invoiced", "collected", "profit", "quality_losses")
_CENT: Final = Decimal("0.01")
_MAX_PROBLEMS: Final = 100


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _fields() -> list[Field]:
    text, number = FieldKind.TEXT, FieldKind.NUMBER
    return [
        Field("account_id", text, names=("id",)),
        Field("order_id", text, required=False),
        Field("order_date", FieldKind.DATE),
        *(Field(a, number, required=a == "sales_revenue") for a in _AMOUNTS),
        Field("quantity", number, required=False),
    ]


class _Account:
    """The running sums of one account's lines."""

    __slots__ = ("first", "last", "lines", "orders", "quantity", "sums")

    def __init__(self, amounts: Sequence[str]) -> None:
        self.sums = dict.fromkeys(amounts, Decimal(0))
        self.quantity = Decimal(0)
        self.lines = 0
        self.orders: set[str] = set()
        self.first: dt.date | None = None
        self.last: dt.date | None = None


class _Reading:
    """One file of order lines being read: the problems found and the sums so far."""

    def __init__(self, table: Any, bound: dict[str, Any]) -> None:
        self.table, self.bound = table, bound
        self.amounts: list[str] = [a for a in _AMOUNTS if a in bound]
        self.found: list[ValidationError] = []
        self.accounts: dict[str, _Account] = {}

    def refuse(self, line: int, key: str, cell: object, problem: str, expected: str) -> None:
        if len(self.found) < _MAX_PROBLEMS:
            b = self.bound[key]
            self.found.append(
                ValidationError(
                    field=f"{self.table.where(line)}, column {b.heading!r}",
                    value=cell,
                    expected=expected,
                    problem=problem,
                )
            )

    def read(self, row: Sequence[object], line: int, key: str, expected: str) -> Any:
        b = self.bound[key]
        cell = row[b.index]
        try:
            return b.read(cell)
        except KamError as exc:
            self.refuse(line, key, cell, getattr(exc, "problem", "") or "unreadable", expected)
            return None

    def cells(self, row: Sequence[object], line: int) -> tuple[Any, Any, dict[str, Any]]:
        """The line's account, day and amounts; each bad or blank one refused."""
        account = self.read(row, line, "account_id", "the account's id")
        day = self.read(row, line, "order_date", DATE_EXAMPLE)
        values = {a: self.read(row, line, a, AMOUNT_EXAMPLE) for a in self.amounts}
        if not account:
            cell = row[self.bound["account_id"].index]
            self.refuse(line, "account_id", cell, "blank", "the account's id")
        if day is None and _blank(row[self.bound["order_date"].index]):
            self.refuse(line, "order_date", None, "blank", "the order's date, on every line")
        if values["sales_revenue"] is None and _blank(row[self.bound["sales_revenue"].index]):
            self.refuse(
                line, "sales_revenue", None, "blank", "an amount on every line (0 for none)"
            )
        for a, v in values.items():
            if v is not None and v.quantize(_CENT) != v:
                cell = row[self.bound[a].index]
                self.refuse(line, a, cell, "finer than a cent", "an amount in whole cents")
        if isinstance(day, dt.datetime):
            day = day.date()
        return account, day, values

    def add(self, row: Sequence[object], line: int, period: tuple[dt.date, dt.date] | None) -> None:
        account, day, values = self.cells(row, line)
        if self.found or not account or day is None:
            return
        if period is not None and not period[0] <= day <= period[1]:
            return
        acc = self.accounts.get(account)
        if acc is None:
            acc = self.accounts[account] = _Account(self.amounts)
        for a, v in values.items():
            if v is not None:
                acc.sums[a] += v
        if "quantity" in self.bound:
            acc.quantity += self.read(row, line, "quantity", "a number") or 0
        acc.lines += 1
        order = self.read(row, line, "order_id", "an id") if "order_id" in self.bound else line
        acc.orders.add(str(order))
        acc.first = day if acc.first is None or day < acc.first else acc.first
        acc.last = day if acc.last is None or day > acc.last else acc.last


def lines_to_facts(
    source: str | Path,
    *,
    columns: Any = None,
    sheet: str | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[AccountFacts]:
    """Order lines → one :class:`AccountFacts` per account, in account-id order (exact).

    Raises:
        RecordInvalid: Every problem of the file: absent columns, bad or blank cells
            (a date and an amount on every line), amounts finer than a cent.
        ValidationError: The file can't be read, or an account's sums are refused
            (net negative revenue, say).
    """
    from kamcore.grading import AccountFacts  # noqa: PLC0415

    table = read_table(source, sheet=sheet)
    bound, problems = bind(table.header, _fields(), load_column_map(columns), where=table.name)
    if problems:
        raise RecordInvalid(table.name, problems)
    reading = _Reading(table, bound)
    for row, line in zip(table.rows, table.lines, strict=True):
        reading.add(row, line, period)
    if reading.found:
        raise RecordInvalid(table.name, reading.found)
    lasts = [a.last for a in reading.accounts.values() if a.last is not None]
    end = period[1] if period is not None else max(lasts, default=None)
    facts = []
    for account_id in sorted(reading.accounts):
        acc = reading.accounts[account_id]
        fields = {a: s.quantize(_CENT) for a, s in acc.sums.items()}
        for a in NON_NEGATIVE_SUMS:
            if a in fields and fields[a] < 0:
                raise negative_sum(account_id, a, f"{fields[a]}")
        extras: dict[str, Decimal | None] = {
            "lines": Decimal(acc.lines),
            "orders": Decimal(len(acc.orders)),
            "recency_days": Decimal((end - acc.last).days) if end and acc.last else None,
        }
        if "quantity" in bound:
            extras["quantity"] = acc.quantity
        facts.append(AccountFacts(account_id, **fields, extras=extras))
    return facts
