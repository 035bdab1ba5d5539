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
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from kamcore.errors import ValidationError

__all__ = ["LANGUAGES", "VOCABULARIES", "Names", "localise"]

#: The languages :func:`localise` accepts.
LANGUAGES: Final = ("en", "zh")

#: Names of values by English value, one mapping a vocabulary.
Names = Mapping[Any, str]

_FORECAST: Final[Names] = {
    "pipeline": "管道",
    "best_case": "最佳情况",
    "commit": "承诺",
    "closed": "已成交",
    "omitted": "不计入",
}
_REBATE_MODE: Final[Names] = {"whole_amount": "全额累进", "graduated": "超额累进"}
# the five tiers (presets grading_tiers / grading_tiers_scorecard) and the letter grades
# (grading_letters)
_GRADE: Final[Names] = {
    "gold": "金牌",
    "diamond": "钻石",
    "platinum": "铂金",
    "white_gold": "白金",
    "silver": "银",
    "A": "A级",
    "B": "B级",
    "C": "C级",
    "D": "D级",
}
# ABC classes (grading_abc, grading_abc_water) and the top-20% split (grading_top20)
_ABC: Final[Names] = {
    "A": "A类",
    "B": "B类",
    "C": "C类",
    "D": "D类",
    "key": "大客户",
    "other": "一般客户",
}
# grading_categories: the value categories (an account may be in several)
_VALUE_CATEGORY: Final[Names] = {
    "quality": "优质客户",
    "high_value": "高值客户",
    "group": "集团客户",
    "strategic": "战略客户",
}
# pipeline_project_sales (the default playbook) wins where pipeline_account_development
# names the same key differently (won, lost, withdrawn)
_OUTCOME: Final[Names] = {
    "won": "验收结项",
    "lost": "丢标结项",
    "no_bid": "放弃投标结项",
    "not_shortlisted": "未入围结项",
    "withdrawn": "项目取消结项",
    "abandoned": "放弃开发",
}
_STAGE: Final[Names] = {
    # pipeline_project_sales
    "development": "客户开发",
    "initiation": "立项",
    "proposal": "提案",
    "bidding": "招投标",
    "implementation": "工程实施",
    # pipeline_account_development
    "identify": "确定开发对象",
    "demo_info": "提供演示/信息收集",
    "value_assessment": "价值评估/开发程序设计",
    "relationship": "关系建立",
    "closing": "促成成交",
}
_BOOL: Final[Names] = {True: "是", False: "否"}

#: Every vocabulary by name: ``forecast``, ``rebate_mode``, ``grade``, ``abc``,
#: ``value_category``, ``outcome``, ``stage`` and ``bool``.
VOCABULARIES: Final[Mapping[str, Names]] = MappingProxyType(
    {
        name: MappingProxyType(dict(names))
        for name, names in {
            "forecast": _FORECAST,
            "rebate_mode": _REBATE_MODE,
            "grade": _GRADE,
            "abc": _ABC,
            "value_category": _VALUE_CATEGORY,
            "outcome": _OUTCOME,
            "stage": _STAGE,
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
