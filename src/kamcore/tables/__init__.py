"""The data boundary (数据接口): company tables in, exact facts out.

Read CSV/TSV, ``.xlsx`` and Parquet files; find each field's column through a
:class:`ColumnMap` (Chinese or English headings, any case or width); read cells the way
people type them (``¥348,553.61``, ``5,032``, ``(1,200)``, ``95%``, ``2026年4月5日``) into
exact decimals and dates; and report every problem of a file at once — absent columns
with the closest heading, then each bad cell with its file, line, column and an
example of what would be read — in one :class:`~kamcore.errors.RecordInvalid`. For bulk work,
:func:`read_accounts_frame` and :func:`read_lines_frame` read the same files by the
same rules into pandas DataFrames (float64 figures, int64 cents), fast.

Examples:
    >>> from kamcore.tables import parse_number, parse_date, Unit
    >>> parse_number("￥348,553.61"), parse_number("98%", unit=Unit.PERCENT)
    (Decimal('348553.61'), Decimal('0.98'))
    >>> parse_date("2026年4月5日")
    datetime.date(2026, 4, 5)
"""

from kamcore.tables._cells import (
    AMOUNT_EXAMPLE,
    DATE_EXAMPLE,
    Unit,
    fold,
    parse_date,
    parse_number,
)
from kamcore.tables._columns import Bound, ColumnMap, Field, FieldKind, bind, load_column_map
from kamcore.tables._frame import LINE_AMOUNTS, read_accounts_frame, read_lines_frame
from kamcore.tables._load import (
    MAX_PROBLEMS,
    AccountRows,
    AmountRows,
    OpportunityRows,
    read_accounts,
    read_amounts,
    read_opportunities,
    stage_key,
)
from kamcore.tables._read import Table, read_table

__all__ = [
    "AMOUNT_EXAMPLE",
    "DATE_EXAMPLE",
    "LINE_AMOUNTS",
    "MAX_PROBLEMS",
    "AccountRows",
    "AmountRows",
    "Bound",
    "ColumnMap",
    "Field",
    "FieldKind",
    "OpportunityRows",
    "Table",
    "Unit",
    "bind",
    "fold",
    "load_column_map",
    "parse_date",
    "parse_number",
    "read_accounts",
    "read_accounts_frame",
    "read_amounts",
    "read_lines_frame",
    "read_opportunities",
    "read_table",
    "stage_key",
]
