"""Cell parsing: the forgiving-but-exact reading of numbers, rates and dates from tables.

People type amounts the way Excel shows them: ``5,032``, ``¥348,553.61``, ``￥348553.61``,
``(1,200.00)``, ``1200-``, ``１２３`` (full-width digits), ``348.55万``. Every cell is read
into an exact :class:`~decimal.Decimal` without passing through a float; what is not a
number is refused with a :class:`~kamcore.errors.ValidationError` that shows the cell and
an example of what would be read.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final

from kamcore._validate import instance_of
from kamcore._validate import text as checked_text
from kamcore.errors import ValidationError
from kamcore.money import MAX_DIGITS, MAX_PLACES, as_decimal

__all__ = [
    "AMOUNT_EXAMPLE",
    "DATE_EXAMPLE",
    "Unit",
    "fold",
    "parse_date",
    "parse_number",
    "parse_numbers",
]

AMOUNT_EXAMPLE: Final = "an amount such as 1234.56, 1,234.56, ¥1,234.56 or (1,234.56)"
DATE_EXAMPLE: Final = "a date such as 2026-04-05, 2026/4/5 or 2026年4月5日"


class Unit(enum.Enum):
    """The unit a column's numbers are written in (金额单位), and so what a cell means.

    Amounts are multiplied exactly, never through a float. A ``%`` sign is only read in a
    rate column (``PERCENT`` or ``RATIO``): in an amount column it is refused, since a
    percentage there is almost always the wrong column.
    """

    YUAN = "元"
    """The number as written (the default)."""
    THOUSAND = "千元"
    """Thousands of yuan: the number times 1,000."""
    TEN_THOUSAND = "万元"
    """Ten-thousands of yuan: the number times 10,000."""
    HUNDRED_MILLION = "亿元"
    """Hundred-millions of yuan: the number times 100,000,000."""
    PERCENT = "%"
    """A rate in percentage points: ``95`` and ``95%`` are 0.95."""
    RATIO = "ratio"
    """A rate as a fraction: ``0.95`` is 0.95, and ``95%`` is read too."""

    @property
    def factor(self) -> Decimal:
        """What a written number is multiplied by."""
        return _FACTORS[self]

    @property
    def is_rate(self) -> bool:
        """Whether the column holds a rate (so ``95%`` is read)."""
        return self in (Unit.PERCENT, Unit.RATIO)


_FACTORS: Final = {
    Unit.YUAN: Decimal(1),
    Unit.THOUSAND: Decimal(1000),
    Unit.TEN_THOUSAND: Decimal(10000),
    Unit.HUNDRED_MILLION: Decimal(100000000),
    Unit.PERCENT: Decimal("0.01"),
    Unit.RATIO: Decimal(1),
}

# a plain number within the money range needs none of the slow path nor a range check
_PLAIN: Final = re.compile(rf"-?\d{{1,{MAX_DIGITS}}}(?:\.\d{{1,{MAX_PLACES}}})?\Z")
# the currency marks a cell may carry, before or after the number (NFKC folds ￥ to ¥)
_CURRENCY: Final = re.compile(r"\A(?:¥|CNY|RMB)\s*|\s*(?:元|CNY|RMB)\Z", re.IGNORECASE)
_SUFFIXES: Final = {"万": Decimal(10000), "亿": Decimal(100000000)}
_GROUPED: Final = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?\Z")
_DECIMAL_COMMA: Final = re.compile(r"\d+,\d{1,2}\Z")
_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?\Z|\.\d+\Z")
_EXPONENT: Final = re.compile(r"\d(?:\.\d*)?[eE][+-]?\d+\Z")
_MINUS: Final = "-−–"  # hyphen-minus, minus sign, en dash (Excel and Word write all three)
# what Excel writes for a positive amount in yuan, read as the slow path reads it: a
# yen sign and/or thousands separators (¥348,553.61, 36,317.85, ￥1200); its digits
_EXCEL_AMOUNT: Final = re.compile(r"[¥￥]?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?\Z")
# _EXCEL_AMOUNT, for each line of a text (cells joined by line breaks)
_EXCEL_LINE: Final = re.compile(
    r"^[¥￥]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$", re.MULTILINE
)
_REPEATS_SAMPLE: Final = 1024
# _PLAIN without its minus: parse_numbers' fast path (a plain "-0" is read as 0)
_PLAIN_UNSIGNED: Final = re.compile(rf"\d{{1,{MAX_DIGITS}}}(?:\.\d{{1,{MAX_PLACES}}})?\Z")
# a line of a column's text (its cells joined by line breaks) that is not such a number
_NOT_PLAIN_LINE: Final = re.compile(
    rf"^(?!\d{{1,{MAX_DIGITS}}}(?:\.\d{{1,{MAX_PLACES}}})?$)[^\n]*", re.MULTILINE
)


def fold(text: str) -> str:
    """Fold text for matching: full-width to half-width (NFKC), trimmed, case-folded.

    Inner runs of white space become one space, so ``"Sales  Revenue "``, ``"sales
    revenue"`` and ``"ＳＡＬＥＳ　ＲＥＶＥＮＵＥ"`` all fold to ``"sales revenue"``.

    Examples:
        >>> fold("  Ｓａｌｅｓ　Revenue ")
        'sales revenue'
    """
    text = checked_text(text, "text", required=False)
    # NFKC again after case-folding (ß́ folds to s + s + a combining accent, which NFKC
    # composes), so that folding a folded text changes nothing
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def _refuse(cell: object, problem: str, expected: str = AMOUNT_EXAMPLE) -> ValidationError:
    return ValidationError(field="", value=cell, expected=expected, problem=problem)


def parse_number(cell: object, *, unit: Unit = Unit.YUAN, suffixes: bool = False) -> Decimal | None:
    """Read one cell as an exact decimal; a blank cell is ``None`` (a missing figure).

    Accepted, exactly: plain decimals; thousands separators in groups of three
    (``5,032``); a ``¥``/``￥``/``CNY``/``RMB`` prefix or a ``元`` suffix; full-width digits
    and punctuation; negatives written ``-5``, ``−5``, ``(5)``, ``¥ (5)`` or ``5-`` (never two
    negative signs at once); ``万``/``亿`` suffixes when ``suffixes`` is on, in a column
    in yuan; ``95%`` in a rate column. Cells that a workbook stores as numbers arrive as
    ``int`` or ``Decimal`` and are used as they are (times the unit's factor).

    Args:
        cell: The cell: text, an int, a Decimal, or ``None``.
        unit: What the column's numbers mean (see :class:`Unit`).
        suffixes: Whether ``万`` and ``亿`` after a number are read (multiplying it).

    Returns:
        The number (already multiplied by the unit's factor), or ``None`` when blank.

    Raises:
        ValidationError: Not a number in any of the accepted forms; ``field`` is empty
            (the table reader fills in file, line and column).

    Examples:
        >>> parse_number("¥348,553.61"), parse_number("(1,200)"), parse_number("")
        (Decimal('348553.61'), Decimal('-1200'), None)
        >>> parse_number("95%", unit=Unit.PERCENT), parse_number("1.5万", suffixes=True)
        (Decimal('0.95'), Decimal('15000.0'))
    """
    instance_of(unit, Unit, "unit")
    instance_of(suffixes, bool, "suffixes", expected="True or False")
    if cell is None:
        return None
    if isinstance(cell, str):
        text = cell.strip()
        if not text:
            return None
        if _PLAIN.match(text) and unit.factor == 1:
            value = Decimal(text)
            return value if value or text[0] != "-" else value.copy_abs()  # "-0" is 0
        value = _parse_text(cell, unit=unit, suffixes=suffixes)
    elif isinstance(cell, bool):
        raise _refuse(cell, "a yes/no cell is not a number")
    else:
        value = as_decimal(cell, field="", expected=AMOUNT_EXAMPLE)
    if unit is not Unit.YUAN and unit is not Unit.RATIO:
        value *= unit.factor
    if value and value.adjusted() >= MAX_DIGITS:
        raise _refuse(cell, "too large", f"{AMOUNT_EXAMPLE}, below 10^{MAX_DIGITS}")
    if value.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
        raise _refuse(cell, "too many decimal places", f"at most {MAX_PLACES} after the point")
    return value


def parse_numbers(
    cells: Sequence[object], *, unit: Unit = Unit.YUAN, suffixes: bool = False, limit: int = 0
) -> tuple[list[Decimal | None], list[tuple[int, ValidationError]]]:
    """Read a whole column of cells, as :func:`parse_number` reads each one.

    The column reader of :mod:`kamcore.tables`: plain numbers take a fast path, the
    rest go through :func:`parse_number`, and every refusal is collected instead of
    raised.

    Args:
        cells: The column's cells, top to bottom.
        unit: What the column's numbers mean.
        suffixes: Whether ``万`` and ``亿`` are read.
        limit: Stop collecting (and reading) after this many refusals; 0 for no limit.

    Returns:
        The numbers (``None`` for blanks and refused cells), and the refusals as
        ``(row index, error)`` pairs, top to bottom.

    Examples:
        >>> parse_numbers(["1", "¥2,000", "", "abc"])[0]
        [Decimal('1'), Decimal('2000'), None, None]
        >>> [(i, e.problem) for i, e in parse_numbers(["1", "abc"])[1]]
        [(1, 'not a number')]
    """
    out: list[Decimal | None] = [None] * len(cells)
    errors: list[tuple[int, ValidationError]] = []
    fast = _PLAIN.match if unit.factor == 1 else None
    excel = _EXCEL_AMOUNT.match if unit is Unit.YUAN else None
    for i, cell in enumerate(cells):
        if fast is not None and type(cell) is str and fast(cell) and cell[0] != "-":
            out[i] = Decimal(cell)
            continue
        if excel is not None and type(cell) is str and (m := excel(cell)) is not None:
            value = _excel_amount(m)
            if value is not None:
                out[i] = value
                continue
        try:
            out[i] = parse_number(cell, unit=unit, suffixes=suffixes)
        except ValidationError as exc:
            errors.append((i, exc))
            if limit and len(errors) >= limit:
                break
    return out, errors


def _excel_amount(m: re.Match[str]) -> Decimal | None:
    """An amount Excel wrote (``¥348,553.61``), as the slow path reads it; else ``None``.

    The slow path takes off the yen sign, the thousands separators (in groups of three),
    and multiplies by 1 (which keeps the places): the same digits as a plain number.
    """
    whole, point = m[1].replace(",", ""), m[2] or ""
    if len(whole) > MAX_DIGITS or len(point) > MAX_PLACES + 1:
        return None  # maybe out of range: parse_number decides
    return Decimal(whole + point)


def _parse_column(
    cells: Sequence[str], *, unit: Unit = Unit.YUAN, suffixes: bool = False
) -> list[Decimal | None] | None:
    """CSV text cells read as :func:`parse_numbers` reads them; ``None`` if one is refused.

    For the bulk readers, which read the file the ordinary way (to report every
    problem) when a cell is refused. A column whose cells repeat (ratings, counts,
    0.00) is read one distinct cell at a time, and equal cells share one ``Decimal``
    (which saves its memory on a large file); the others at once (see
    :func:`_parse_texts`).
    """
    sample = cells[:_REPEATS_SAMPLE]
    if len(sample) == _REPEATS_SAMPLE and len(set(sample)) * 4 <= _REPEATS_SAMPLE:
        distinct = list(set(cells))
        values = _parse_column(distinct, unit=unit, suffixes=suffixes)
        if values is None:
            return None
        return list(map(dict(zip(distinct, values, strict=True)).__getitem__, cells))
    if unit is not Unit.YUAN:
        out, errors = parse_numbers(cells, unit=unit, suffixes=suffixes, limit=1)
        return None if errors else out
    try:
        return _parse_texts(cells, suffixes=suffixes)
    except ValidationError:
        return None


def _parse_texts(cells: Sequence[str], *, suffixes: bool) -> list[Decimal | None]:
    """Text cells in yuan read as :func:`parse_numbers` reads them (refusals raised).

    A plain number is read as it is and the rest by :func:`parse_number`, as there;
    but the plain ones are found in one pass of a regular expression over the
    column's text, and read by one ``map``: no Python code runs for them.
    """
    joined = "\n".join(cells)
    if joined.count("\n") != len(cells) - 1:  # a cell holds a line break
        plain = _PLAIN_UNSIGNED.match
        return [Decimal(c) if plain(c) else _other_cell(c, suffixes) for c in cells]
    others: list[int] = []  # the cells that are not plain numbers
    line = at = 0
    count = joined.count
    for hit in _NOT_PLAIN_LINE.finditer(joined):
        start = hit.start()
        line += count("\n", at, start)
        at = start
        others.append(line)
    if not others:
        return list(map(Decimal, cells))
    texts = list(cells)
    excel_texts = _excel_texts([cells[i] for i in others])
    if excel_texts is not None:  # each an amount as Excel writes it: read at once too
        for i, t in zip(others, excel_texts, strict=True):
            texts[i] = t
        return list(map(Decimal, texts))
    for i in others:
        texts[i] = "0"
    values: list[Decimal | None] = list(map(Decimal, texts))
    excel = _EXCEL_AMOUNT.match
    for i in others:  # mostly what Excel writes (¥348,553.61): _other_cell, inlined
        cell = cells[i]
        m = excel(cell)
        if m is not None:
            whole, point = m.group(1, 2)
            whole = whole.replace(",", "")
            point = point or ""
            if len(whole) <= MAX_DIGITS and len(point) <= MAX_PLACES + 1:
                values[i] = Decimal(whole + point)
                continue
        values[i] = parse_number(cell, suffixes=suffixes)
    return values


def _excel_texts(cells: list[str]) -> list[str] | None:
    """Amounts as Excel writes them (``¥348,553.61``), as plain numbers to read; else ``None``.

    Where every cell is such an amount and, without its yen sign and thousands
    separators, a plain number (the digits :func:`_excel_amount` reads), those plain
    numbers, checked by two passes of regular expressions over the cells' text.
    """
    text = "\n".join(cells)
    if len(_EXCEL_LINE.findall(text)) != len(cells):
        return None  # some other cell: read one at a time
    text = text.replace(",", "").replace("¥", "").replace("￥", "")
    if _NOT_PLAIN_LINE.search(text):
        return None  # too many digits or places for the quick reading
    return text.split("\n")


def _other_cell(cell: str, suffixes: bool) -> Decimal | None:
    """A cell in yuan that is not a plain number, as :func:`parse_numbers` reads it."""
    m = _EXCEL_AMOUNT.match(cell)
    if m is not None:
        value = _excel_amount(m)
        if value is not None:
            return value
    return parse_number(cell, suffixes=suffixes)


def _sign(cell: str, text: str) -> tuple[bool, str]:
    """The sign of ``-5``, ``5-``, ``(5)``, ``(¥5)``, ``¥ (5)``; the text without sign or ¥."""
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _CURRENCY.sub("", text, count=2).strip()
    if not negative and text.startswith("(") and text.endswith(")"):
        # the accounting format puts the currency mark outside: ¥ (1,200.00)
        negative, text = True, text[1:-1].strip()
    if text and (text[0] in _MINUS or text[-1] in _MINUS):
        if negative:  # (-5) or (5-): a negative or a slip? never guess a sign
            raise _refuse(cell, "two negative signs (brackets and a minus)")
        negative = True
        text = text[1:].strip() if text[0] in _MINUS else text[:-1].strip()
    return negative, _CURRENCY.sub("", text).strip()


def _parse_text(cell: str, *, unit: Unit, suffixes: bool) -> Decimal:
    """The slow path: everything but a plain ``-123.45``."""
    text = unicodedata.normalize("NFKC", cell).strip().replace("\u00a0", "")
    if text.casefold() in _BLANKS:
        raise _refuse(cell, "not a number (a blank is an empty cell, not a dash or N/A)")
    negative, text = _sign(cell, text)
    factor = Decimal(1)
    if text.endswith("%"):
        if not unit.is_rate:
            raise _refuse(
                cell,
                "a percentage in an amount column",
                "an amount; for a rate column set its unit to '%' or 'ratio' in the column map",
            )
        text = text[:-1].strip()
        factor = Decimal("0.01") if unit is Unit.RATIO else Decimal(1)
    elif text and text[-1] in _SUFFIXES:
        if not suffixes:
            raise _refuse(
                cell,
                f"a {text[-1]} suffix, which this column map does not read",
                f"{AMOUNT_EXAMPLE}; set 'suffixes = true' in the column map to read 万/亿",
            )
        if unit is not Unit.YUAN:  # 1.5万 in a 万元 column: 1.5万 yuan, or 1.5万 × 万?
            raise _refuse(
                cell,
                f"a {text[-1]} suffix in a column whose unit is {unit.value}",
                "a rate such as 95% or 0.95"
                if unit.is_rate
                else f"a number in {unit.value}, without 万 or 亿",
            )
        factor, text = _SUFFIXES[text[-1]], text[:-1].strip()
        text = _CURRENCY.sub("", text).strip()
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif _EXPONENT.match(text):
        raise _refuse(
            cell,
            "scientific notation, which may have lost digits",
            f"{AMOUNT_EXAMPLE}; widen the column in Excel or format it as a number before saving",
        )
    elif not _NUMBER.match(text):
        problem = "not a number"
        if _DECIMAL_COMMA.match(text):
            problem = "a decimal comma, or a misplaced thousands separator (write 1234.50)"
        elif "," in text:
            problem = "misplaced thousands separator"
        raise _refuse(cell, problem)
    try:
        value = Decimal(text) * factor
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        raise _refuse(cell, "not a number") from None
    return -value if negative and value else value


_BLANKS: Final = frozenset({"-", "—", "–", "n/a", "#n/a", "na", "null", "none", "nan"})

_DATE_PATTERNS: Final = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?\Z"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\Z"),
    re.compile(r"(\d{4})(\d{2})(\d{2})\Z"),
)
# Excel's day 0 is 1899-12-30 (its 1900 leap-year bug makes serial 60 a day that never was).
# Day numbers are read only for 1950–2099: a bare year (2026) or month (202604) in a date
# column would otherwise become a day of 1905 or 2454 without a word.
_EXCEL_EPOCH: Final = date(1899, 12, 30)
_EXCEL_FIRST: Final = 18264  # 1950-01-01
_EXCEL_LAST: Final = 73050  # 2099-12-31
_DAY_NUMBERS: Final = "an Excel day number from 18264 (1950-01-01) to 73050 (2099-12-31)"


def parse_date(cell: object, *, fmt: str = "") -> date | None:
    """Read one cell as a date; a blank cell is ``None``.

    Accepted: ``date`` objects; workbook date-times at midnight; ``YYYY-M-D``,
    ``YYYY/M/D``, ``YYYY.M.D`` (a time of ``00:00`` or ``00:00:00`` may follow);
    ``YYYY年M月D日``; ``YYYYMMDD``; an Excel day number from 18264 to 73050 (1950-01-01
    to 2099-12-31; a bare year such as ``2026`` is refused, not read as a day of 1905).
    With ``fmt`` (a :func:`~datetime.datetime.strptime` format such as
    ``"%d/%m/%Y"``) text is read with that format only, which is how day-first dates
    are read: they are never guessed.

    Raises:
        ValidationError: Not a date; ``field`` is empty (the reader fills it in).

    Examples:
        >>> parse_date("2026/4/5"), parse_date("2026年4月5日"), parse_date(" ")
        (datetime.date(2026, 4, 5), datetime.date(2026, 4, 5), None)
        >>> parse_date("05/04/2026", fmt="%d/%m/%Y")
        datetime.date(2026, 4, 5)
    """
    fmt = checked_text(fmt, "fmt", required=False, expected="a strptime format such as '%d/%m/%Y'")
    expected = DATE_EXAMPLE if not fmt else f"a date in the format {fmt!r}"
    if cell is None:
        return None
    if not isinstance(cell, str):
        return _date_object(cell, expected)
    text = unicodedata.normalize("NFKC", cell).strip()
    if not text:
        return None
    if fmt:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            raise _refuse(cell, "not a date in the column map's format", expected) from None
    if text.isdigit() and len(text) != 8:
        if len(text) == 4:
            raise _refuse(cell, "a year, not a date", expected)
        if len(text) == 6 and 1 <= int(text[4:]) <= 12:
            raise _refuse(cell, "a year and month, not a date", expected)
        return _excel_serial(Decimal(text), expected, shown=cell)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise _refuse(cell, "no such day", expected) from None
    raise _refuse(cell, "not a date", expected)


def _date_object(cell: object, expected: str) -> date:
    """A workbook's or Parquet file's own date, date-time or day serial."""
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise _refuse(cell, "a date-time with a time of day", expected)
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | Decimal) and not isinstance(cell, bool):
        return _excel_serial(cell, expected)
    raise _refuse(cell, f"a {type(cell).__name__} is not a date", expected)


def _excel_serial(value: int | Decimal, expected: str, *, shown: object = None) -> date:
    if isinstance(value, Decimal) and not value.is_finite():
        raise _refuse(value if shown is None else shown, "not a finite number", expected)
    if value != int(value) or not _EXCEL_FIRST <= value <= _EXCEL_LAST:
        shown = value if shown is None else shown  # the cell as written, for the message
        raise _refuse(shown, f"not a date (nor {_DAY_NUMBERS})", expected)
    return _EXCEL_EPOCH + timedelta(days=int(value))
