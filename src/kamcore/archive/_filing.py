"""How an account's grade decides how its dossier is filed (归档): class and secrecy.

A company files the dossiers of its best accounts as 重要客户 (important) and keeps the
very best under a confidentiality level; which grades those are is company policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from kamcore._convert import enum_of
from kamcore.archive._dossier import Classification, Confidentiality
from kamcore.errors import ValidationError

__all__ = ["GradeFiling"]


def _classes(value: object) -> Mapping[str, Classification]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            field="classification",
            value=value,
            expected="a table of grade = classification",
            problem="not a table",
        )
    return MappingProxyType(
        {str(k): enum_of(v, Classification, f"classification.{k}") for k, v in value.items()}
    )


def _levels(value: object) -> Mapping[str, Confidentiality]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            field="confidentiality",
            value=value,
            expected="a table of grade = confidentiality level",
            problem="not a table",
        )
    return MappingProxyType(
        {str(k): enum_of(v, Confidentiality, f"confidentiality.{k}") for k, v in value.items()}
    )


def _default_class(value: object) -> Classification:
    return enum_of(value, Classification, "default_classification")


def _default_level(value: object) -> Confidentiality:
    return enum_of(value, Confidentiality, "default_confidentiality")


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
    classification: Mapping[str, Classification] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_classes
    )
    confidentiality: Mapping[str, Confidentiality] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_levels
    )
    default_classification: Classification = attrs.field(
        default=Classification.GENERAL, converter=_default_class
    )
    default_confidentiality: Confidentiality = attrs.field(
        default=Confidentiality.UNCLASSIFIED, converter=_default_level
    )

    def classification_of(self, grade: str) -> Classification:
        """The classification a dossier of ``grade`` is filed under."""
        return self.classification.get(grade, self.default_classification)

    def confidentiality_of(self, grade: str) -> Confidentiality:
        """The confidentiality level a dossier of ``grade`` is kept at."""
        return self.confidentiality.get(grade, self.default_confidentiality)
