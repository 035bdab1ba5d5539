"""Chinese names of the values the ``kamcore`` command shows, for ``--lang zh``.

Headings are translated by the command's labels; this module translates the *values*
in a column: ``best_case`` becomes 最佳情况, ``graduated`` 超额累进, ``True`` 是.
Each vocabulary maps an English value to its Chinese name. The stage and outcome
names here are only fallbacks (the two preset playbooks'); the command passes a
playbook's own labels as ``extra``, which take precedence.

Examples:
    >>> localise([{"stage": "bidding", "grade": "A"}], {"stage": "stage", "grade": "grade"}, "zh")
    [{'stage': '招投标', 'grade': 'A级'}]
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

from kamcore.errors import ValidationError

__all__ = ["LANGUAGES", "VOCABULARIES", "Names", "localise", "words"]

#: The languages :func:`localise` accepts.
LANGUAGES: Final = ("en", "zh")

#: Names of values by English value, one mapping a vocabulary.
Names = Mapping[Any, str]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("kamcore").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


_TABLES: Final[dict[str, dict[str, str]]] = _load("_vocab.toml")
_WORDS: Final[dict[str, dict[str, list[str]]]] = _load("_words.toml")


def words(part: str) -> Mapping[str, tuple[str, str]]:
    """The words one part of the library shows (``charts``, ``cli``…) in English and Chinese.

    Examples:
        >>> words("report")["archive"]
        ('Archive', '客户档案')
    """
    return MappingProxyType({k: (en, zh) for k, (en, zh) in _WORDS[part].items()})


_BOOL: Final[Names] = {True: "是", False: "否"}

#: Every vocabulary by name: ``forecast``, ``rebate_mode``, ``grade``, ``abc``,
#: ``value_category``, ``outcome``, ``stage`` and ``bool``.
VOCABULARIES: Final[Mapping[str, Names]] = MappingProxyType(
    {
        name: MappingProxyType(dict(names))
        for name, names in {
            **_TABLES,
            "bool": _BOOL,
        }.items()
    }
)


def _keyed(names: Names) -> dict[tuple[bool, object], str]:
    """Key names by (is it a bool, value), so that ``True`` never matches ``1``."""
    return {(isinstance(k, bool), k): v for k, v in names.items()}


def _table(column: str, vocab: str | Names) -> Names:
    if not isinstance(vocab, str):
        return vocab
    try:
        return VOCABULARIES[vocab]
    except KeyError:
        raise ValidationError(
            field=f"vocab.{column}",
            value=vocab,
            expected=f"one of {', '.join(VOCABULARIES)} or a mapping of values to names",
            problem="no such vocabulary",
        ) from None


def _name(value: object, table: Mapping[tuple[bool, object], str]) -> object:
    """The Chinese name of ``value``, or ``value`` itself when there is none."""
    if value is None:
        return None
    key = value.value if isinstance(value, enum.Enum) else value
    try:
        return table.get((isinstance(key, bool), key), value)
    except TypeError:  # an unhashable value (a list) has no name
        return value


def localise(
    records: Sequence[Mapping[str, object]],
    vocab: Mapping[str, str | Names],
    lang: str,
    extra: Mapping[str, Names] | None = None,
) -> list[dict[str, object]]:
    """Show the values of some columns in ``lang``: new records, the input untouched.

    Args:
        records: The rows (as for :func:`kamcore._output.render`).
        vocab: Which columns to translate: a column name maps to the name of one of
            :data:`VOCABULARIES` or directly to a mapping of values to names.
        lang: ``"en"`` (the records as they are) or ``"zh"``.
        extra: Names by column that take precedence over ``vocab`` (a playbook's
            own stage and outcome labels); a column here is translated even when
            ``vocab`` does not list it.

    Returns:
        One new dict per record with the same keys, in the same order. In ``"zh"``
        each listed column's value is replaced by its Chinese name when there is one;
        other values (and None) stay as they are. An enum member is looked up by its
        value; ``True`` and ``1`` are never confused.

    Raises:
        ValidationError: ``lang`` is not one of :data:`LANGUAGES`, or ``vocab``
            names a vocabulary that does not exist.

    Examples:
        >>> rows = [{"mode": "graduated", "paid": True, "n": 1}]
        >>> localise(rows, {"mode": "rebate_mode", "paid": "bool", "n": "bool"}, "zh")
        [{'mode': '超额累进', 'paid': '是', 'n': 1}]
        >>> localise(rows, {"mode": "rebate_mode"}, "en") == rows
        True
    """
    if lang not in LANGUAGES:
        raise ValidationError(
            field="lang", value=lang, expected="'en' or 'zh'", problem="unknown language"
        )
    tables = {column: _table(column, names) for column, names in vocab.items()}
    if lang == "en":
        return [dict(r) for r in records]
    keyed = {column: _keyed(names) for column, names in tables.items()}
    for column, names in (extra or {}).items():
        keyed[column] = {**keyed.get(column, {}), **_keyed(names)}
    return [{k: _name(v, keyed[k]) if k in keyed else v for k, v in r.items()} for r in records]
