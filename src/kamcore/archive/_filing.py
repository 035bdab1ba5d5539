"""How an account's grade decides how its dossier is filed (归档): class and secrecy.

A company files the dossiers of its best accounts as 重要客户 (important) and keeps the
very best under a confidentiality level; which grades those are is company policy.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from kamcore._convert import enum_field, enum_of
from kamcore.archive._dossier import Classification, Confidentiality
from kamcore.errors import ValidationError

__all__ = ["GradeFiling"]

E = TypeVar("E", bound=enum.Enum)


def _table_field(cls: type[E], expected: str) -> Any:
    """An attrs field holding a read-only table of grade → member of ``cls``, empty by default."""

    def convert(value: object, field: attrs.Attribute[Any]) -> Mapping[str, E]:
        if not isinstance(value, Mapping):
            raise ValidationError(
                field=field.name, value=value, expected=expected, problem="not a table"
            )
        return MappingProxyType(
            {str(k): enum_of(v, cls, f"{field.name}.{k}") for k, v in value.items()}
        )

    converter = attrs.Converter(convert, takes_field=True)
    return attrs.field(factory=lambda: MappingProxyType({}), converter=converter)


@attrs.frozen(eq=True, hash=False)
class GradeFiling:
    """Grade → the dossier's classification (档案分类) and confidentiality level (密级).

    Grades are plain labels (the ladder's). A grade the policy does not list is filed
    as ``default_classification`` and ``default_confidentiality``.

    Args:
        name: A short name.
        classification: Grade → :class:`Classification`.
        confidentiality: Grade → :class:`Confidentiality`.
        default_classification: For any other grade (一般客户, general, by default).
        default_confidentiality: For any other grade (unclassified by default).

    Examples:
        >>> filing = GradeFiling(classification={"A": "important"}, confidentiality={"A": "secret"})
        >>> filing.classification_of("A").zh, filing.confidentiality_of("A").zh
        ('重要', '秘密')
        >>> filing.classification_of("C").value, filing.confidentiality_of("C").value
        ('general', 'unclassified')
    """

    name: str = "filing"
    classification: Mapping[str, Classification] = _table_field(
        Classification, "a table of grade = classification"
    )
    confidentiality: Mapping[str, Confidentiality] = _table_field(
        Confidentiality, "a table of grade = confidentiality level"
    )
    default_classification: Classification = enum_field(
        Classification, default=Classification.GENERAL
    )
    default_confidentiality: Confidentiality = enum_field(
        Confidentiality, default=Confidentiality.UNCLASSIFIED
    )

    def classification_of(self, grade: str) -> Classification:
        """The classification a dossier of ``grade`` is filed under."""
        return self.classification.get(grade, self.default_classification)

    def confidentiality_of(self, grade: str) -> Confidentiality:
        """The confidentiality level a dossier of ``grade`` is kept at."""
        return self.confidentiality.get(grade, self.default_confidentiality)
