"""Dicts, JSON and policy files (TOML) for every public kamcore type.

* :func:`to_dict` / :func:`from_dict` turn any frozen kamcore object into plain data
  and back: decimals and dates become strings, enums their values, money
  ``{"amount": "1.00", "currency": "CNY"}``, rates a fraction string, periods their
  label. ``from_dict(T, to_dict(x)) == x`` for every public type.
* :func:`to_json` / :func:`from_json` do the same through JSON text. Numbers in JSON
  are read as :class:`~decimal.Decimal`, never float.
* :func:`load_policy` / :func:`loads_policy` read a company's policy from TOML (again
  with decimals, not floats).

Bad data never gives a bare ``KeyError`` or ``TypeError``: every problem in a record
(an unknown key, a missing field, a value of the wrong kind, a rule the type refuses)
is reported at once in one :class:`~kamcore.errors.RecordInvalid`, each with its path.
Nothing is coerced: a text field takes only text (``123`` or ``true`` is refused, not
read as ``'123'``), a number field only an exact, finite number (JSON's ``NaN`` and
``Infinity`` are refused, naming the field), and a document nested deeper than
:data:`MAX_DEPTH` lists or tables is refused before it is read.

Built on `cattrs <https://catt.rs>`_, which structures attrs classes from their type
annotations and collects every field error in one pass.

Examples:
    >>> from kamcore.money import Money
    >>> to_dict(Money("12.50"))
    {'amount': '12.50', 'currency': 'CNY'}
    >>> from_json(Money, '{"amount": 12.50, "currency": "usd"}')
    Money('12.50', 'USD')
    >>> from_dict(Money, {"amount": "12.50", "curency": "USD"})
    Traceback (most recent call last):
    ...
    kamcore.errors.RecordInvalid: invalid Money, 1 problem: curency: unknown field (got 'curency'); expected one of: amount, currency
"""  # noqa: E501

from __future__ import annotations

import collections.abc
import enum
import importlib
import inspect
import json
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from kamcore._plain import collect, register_structure_hooks, structure
from kamcore._validate import kind_of
from kamcore.calendar import Period
from kamcore.errors import KamError, RecordInvalid, ValidationError
from kamcore.money import Money, Rate

__all__ = [
    "MAX_DEPTH",
    "POLICY_KINDS",
    "converter",
    "dumps_policy",
    "from_dict",
    "from_json",
    "json_schema",
    "load_policy",
    "loads_policy",
    "make_converter",
    "policy_class",
    "policy_kind",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

#: How deeply lists and tables may nest in a document :func:`from_json`,
#: :func:`loads_policy` and :func:`load_policy` read (kamcore's own records nest fewer
#: than ten levels); a deeper one is refused with a :class:`~kamcore.errors.RecordInvalid`
#: that names the limit, never a bare ``RecursionError``.
MAX_DEPTH: Final = 64

#: The policy kinds a TOML file may name in its top-level ``kind`` key, mapped to the
#: ``"module:Class"`` that holds that policy. Classes are imported on first use.
POLICY_KINDS: Final[dict[str, str]] = {
    "archive_policy": "kamcore.archive:ArchivePolicy",
    "column_map": "kamcore.tables:ColumnMap",
    "filing_rule": "kamcore.archive:GradeFiling",
    "abc_policy": "kamcore.grading:AbcPolicy",
    "grade_ladder": "kamcore.grading:GradeLadder",
    "grade_policy": "kamcore.grading:GradePolicy",
    "lending_policy": "kamcore.archive:LendingPolicy",
    "review_policy": "kamcore.archive:ReviewPolicy",
    "scorecard": "kamcore.grading:WeightedScorecard",
    "topsis": "kamcore.grading:TopsisModel",
    "value_categories": "kamcore.grading:ValueCategories",
    "visit_policy": "kamcore.archive:VisitPolicy",
    "pipeline_playbook": "kamcore.pipeline:Playbook",
    "regrade_policy": "kamcore.grading:RegradePolicy",
    "rebate.approval_chain": "kamcore.rebate:ApprovalChain",
    "rebate.attainment_rule": "kamcore.rebate:AttainmentRule",
    "rebate.attendance_rule": "kamcore.rebate:AttendanceRule",
    "rebate.commission_table": "kamcore.rebate:CommissionTable",
    "rebate.descriptor_scale": "kamcore.rebate:DescriptorScale",
    "rebate.plan_rule": "kamcore.rebate:PlanRule",
    "rebate.report_rule": "kamcore.rebate:ReportRule",
    "rebate.scorecard_policy": "kamcore.rebate:ScorecardPolicy",
    "rebate.service_targets": "kamcore.rebate:ServiceTargets",
    "rebate.tier_schedule": "kamcore.rebate:TierSchedule",
}


def _structure_rate(value: object, _: type) -> Rate:
    if isinstance(value, Rate):
        return value
    if isinstance(value, Mapping) and set(value) == {"value"}:
        return Rate(value["value"])
    try:
        return Rate.parse(value) if isinstance(value, str) else Rate(value)
    except ValidationError as exc:
        raise ValidationError(
            field="", value=exc.value, expected=exc.expected, problem=exc.problem
        ) from None


def _structure_period(value: object, _: type) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return Period.parse(value)
    raise ValidationError(
        field="", value=value, expected="a period label such as '2026-03' or '2026-Q1'"
    )


# -- families of event classes told apart by ``kind`` ---------------------------------
def _family(tp: object) -> Mapping[enum.Enum, type] | None:
    """The classes of a tagged family, when ``tp`` is its base (``None``: it is not one).

    A tagged family is an attrs base class whose ``by_kind`` class attribute maps each
    kind (an enum member) to its class, each class fixing its ``kind`` as a class
    attribute (the pipeline's events: ``PipelineEvent`` and ``Opened``, ``Advanced`` …).
    """
    if not (isinstance(tp, type) and attrs.has(tp)):
        return None
    family = tp.__dict__.get("by_kind")
    return family if isinstance(family, Mapping) else None


def _tag(tp: object) -> enum.Enum | None:
    """The ``kind`` a member class of a tagged family fixes (``None``: not a member)."""
    if not (isinstance(tp, type) and attrs.has(tp)) or _family(tp) is not None:
        return None
    kind = getattr(tp, "kind", None)
    family = getattr(tp, "by_kind", None)
    if isinstance(kind, enum.Enum) and isinstance(family, Mapping) and family.get(kind) is tp:
        return kind
    return None


def _unknown_kind(value: object, family: Mapping[enum.Enum, type], problem: str) -> ValidationError:
    return ValidationError(
        field="kind",
        value=value,
        expected=f"one of: {', '.join(k.value for k in family)}",
        problem=problem,
    )


def _structure_family(conv: cattrs.Converter) -> Any:
    """The hook factory for a family's base: read ``kind``, then build that class."""

    def factory(tp: type) -> Any:
        family = _family(tp) or {}
        by_value = {k.value: cl for k, cl in family.items()}

        def structure_family(data: object, _: type) -> Any:
            if not isinstance(data, Mapping):
                raise ValidationError(
                    field="", value=data, expected=f"a mapping with a kind ({tp.__name__})"
                )
            if "kind" not in data:
                raise _unknown_kind(None, family, "missing field")
            cl = by_value.get(data["kind"])
            if cl is None:
                raise _unknown_kind(data["kind"], family, f"unknown {tp.__name__} kind")
            return conv.structure(data, cl)

        return structure_family

    return factory


def _structure_member(conv: cattrs.Converter) -> Any:
    """The hook factory for a family's member class: its fields, its ``kind`` checked."""

    def factory(tp: type) -> Any:
        kind = cast("enum.Enum", _tag(tp))  # the predicate chose a member
        fields: Callable[..., Any] = make_dict_structure_fn(tp, conv)

        def structure_member(data: object, cl: type) -> Any:
            if not isinstance(data, Mapping):
                raise ValidationError(
                    field="",
                    value=data,
                    expected=f"a mapping of {tp.__name__} fields",
                    problem=f"{kind_of(data)}, not a mapping",
                )
            if "kind" in data:
                if data["kind"] != kind.value:
                    raise _unknown_kind(
                        data["kind"], {kind: tp}, f"the wrong kind for {tp.__name__}"
                    )
                data = {k: v for k, v in data.items() if k != "kind"}
            return fields(data, cl)

        return structure_member

    return factory


def _unstructure_member(conv: cattrs.Converter) -> Any:
    """The hook factory for a member class: ``kind`` first, then its fields."""

    def factory(tp: type) -> Any:
        kind = cast("enum.Enum", _tag(tp))  # the predicate chose a member
        fields: Callable[..., Any] = make_dict_unstructure_fn(tp, conv)
        return lambda obj: {"kind": kind.value, **fields(obj)}

    return factory


def _register_families(conv: cattrs.Converter) -> None:
    """Structure tagged families by their ``kind``; write each member with its ``kind``."""
    conv.register_structure_hook_factory(
        lambda tp: _family(tp) is not None, _structure_family(conv)
    )
    conv.register_structure_hook_factory(lambda tp: _tag(tp) is not None, _structure_member(conv))
    conv.register_unstructure_hook_factory(
        lambda tp: _tag(tp) is not None, _unstructure_member(conv)
    )
    # a value declared as the base is written as what it is
    conv.register_unstructure_hook_factory(
        lambda tp: _family(tp) is not None, lambda _: lambda obj: conv.unstructure(obj, type(obj))
    )


def make_converter() -> cattrs.Converter:
    """Build a converter configured for kamcore's types.

    Use it to register hooks for a company's own attrs classes without changing the
    shared :data:`converter`.
    """
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    register_structure_hooks(conv, strict=False)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency}
    )
    conv.register_unstructure_hook(Rate, lambda r: str(r.value))
    conv.register_structure_hook(Rate, _structure_rate)
    conv.register_unstructure_hook(Period, lambda p: p.label)
    conv.register_structure_hook(Period, _structure_period)
    _register_families(conv)
    return conv


#: The converter kamcore uses. Register hooks on a copy (:func:`make_converter`).
converter: Final = make_converter()


def _name(cl: object) -> str:
    return getattr(cl, "__name__", None) or str(cl)


def _check_class(cl: object, field: str = "cl") -> None:
    """Refuse a ``cl`` that is no type (``None``, an instance, a string)."""
    if isinstance(cl, type) or typing.get_origin(cl) is not None:
        return
    raise ValidationError(
        field=field,
        value=cl,
        expected="a type to build, such as Money or TierSchedule (or tuple[Money, ...])",
        problem=f"{kind_of(cl)}, not a type",
    )


def _check_checks(checks: object) -> None:
    if checks is not None and not isinstance(checks, Mapping):
        raise ValidationError(
            field="checks",
            value=checks,
            expected="a mapping of gate names to their check functions, or None",
            problem=f"{kind_of(checks)}, not a mapping",
        )


def _too_deep(record: str, field: str) -> RecordInvalid:
    return RecordInvalid(
        record,
        [
            ValidationError(
                field=field,
                value=f"more than {MAX_DEPTH} levels",
                expected=f"lists and tables nested at most {MAX_DEPTH} levels deep",
                problem="nested too deeply (depth limit)",
            )
        ],
    )


def _within_depth(data: object) -> bool:
    """Whether ``data``'s lists and dicts nest at most :data:`MAX_DEPTH` levels."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth >= MAX_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def from_dict(cl: type[T], data: object, *, checks: Mapping[str, Any] | None = None) -> T:
    """Build a ``cl`` from plain data (as made by :func:`to_dict`, JSON or TOML).

    Args:
        cl: The kamcore type to build (``Money``, ``TierSchedule``, ...).
        data: A mapping (or, for value types, a string or number).
        checks: For a :class:`~kamcore.pipeline.Playbook` only: the functions of its
            ``custom`` gates, by the names the gates give (plain data holds the gates,
            never their code). A playbook with a custom gate needs them.

    Returns:
        The object.

    Raises:
        RecordInvalid: Every problem found, each with its field path (a custom gate
            whose check is not given is one).
        ValidationError: ``cl`` is not a type, or ``checks`` is not a mapping or is
            given for a class that takes none.
    """
    _check_class(cl)
    _check_checks(checks)
    if checks is None:
        return cast("T", structure(converter, cl, data))
    return cast("T", _with_checks(cl, data, checks))


def _with_checks(cl: type, data: object, checks: Mapping[str, Any]) -> Any:
    """``data`` as a ``cl`` built with ``checks`` (a class whose constructor takes them)."""
    takes = attrs.has(cl) and "checks" in inspect.signature(cl).parameters
    if not takes:
        raise ValidationError(
            field="checks",
            value=_name(cl),
            expected="checks only for a pipeline Playbook (the functions of its custom gates)",
            problem=f"a {_name(cl)} takes no checks",
        )
    hints = typing.get_type_hints(cl)
    fields = [a for a in attrs.fields(cl) if a.init]
    # the same fields, structured as the class declares them, without building it yet
    parts = attrs.make_class(
        _name(cl),
        {a.name: attrs.field(type=hints[a.name], default=a.default, alias=a.alias) for a in fields},
        slots=True,
    )
    structured = structure(converter, parts, data)
    values = {a.alias: getattr(structured, a.name) for a in fields}
    try:
        return cl(**values, checks=checks)
    except KamError as exc:
        errors: list[ValidationError] = []
        collect(exc, "", errors)
        raise RecordInvalid(_name(cl), errors) from None


def to_dict(obj: object) -> Any:
    """Turn a kamcore object into plain data (dicts, lists, strings, ints, bools).

    Decimals and dates become strings, so the result is exact and JSON-safe.

    Raises:
        ValidationError: ``obj`` holds something that is not a kamcore object nor plain
            data (a float, an unknown object), naming where.
    """
    try:
        data = converter.unstructure(obj)
    except RecursionError:
        raise ValidationError(
            field="obj",
            value=type(obj).__name__,
            expected=f"data nested at most {MAX_DEPTH} levels deep",
            problem="nested too deeply (depth limit)",
        ) from None
    _check_plain(data, "obj")
    return data


def _check_plain(data: object, where: str) -> None:
    """Refuse what JSON can't hold exactly (a float, an object kamcore doesn't know)."""
    if data is None or isinstance(data, str | bool | int):
        return
    if isinstance(data, list | tuple):
        for i, item in enumerate(data):
            _check_plain(item, f"{where}[{i}]")
        return
    if isinstance(data, dict):
        for key, item in data.items():
            if not isinstance(key, str):
                raise ValidationError(
                    field=where, value=key, expected="text keys", problem="a key that is not text"
                )
            _check_plain(item, f"{where}.{key}")
        return
    raise ValidationError(
        field=where,
        value=type(data).__name__,
        expected="kamcore objects, text, whole numbers, booleans, None, and lists or dicts of them",
        problem="not a type kamcore can serialise"
        + (" (floats are inexact)" if isinstance(data, float) else ""),
    )


def to_json(obj: object, *, indent: int | None = None) -> str:
    """Serialise a kamcore object to JSON text (UTF-8 friendly: Chinese stays readable).

    Raises:
        ValidationError: ``obj`` holds what JSON can't hold exactly (see :func:`to_dict`),
            or ``indent`` is not ``None`` nor a whole number from 0 to 16.
    """
    if indent is not None and (type(indent) is not int or not 0 <= indent <= 16):
        raise ValidationError(
            field="indent",
            value=indent,
            expected="None or a whole number of spaces from 0 to 16",
            problem="not an indent",
        )
    return json.dumps(to_dict(obj), ensure_ascii=False, indent=indent)


def from_json(cl: type[T], text: str | bytes) -> T:
    """Build a ``cl`` from JSON text. JSON numbers are read as exact decimals.

    JSON's ``NaN``, ``Infinity`` and ``-Infinity`` are read as decimals too, so the
    field that receives one refuses it by name (no number field takes them, and a text
    field takes only text).

    Raises:
        RecordInvalid: The text is not JSON, nests deeper than :data:`MAX_DEPTH`, or
            the data does not fit ``cl``.
        ValidationError: ``cl`` is not a type, or ``text`` is not text or bytes.
    """
    _check_class(cl)
    if not isinstance(text, str | bytes | bytearray):
        raise ValidationError(
            field="text",
            value=text,
            expected="JSON text (a str, or bytes in UTF-8)",
            problem=f"{kind_of(text)}, not text",
        )
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except RecursionError:
        raise _too_deep(_name(cl), "") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RecordInvalid(
            _name(cl),
            [
                ValidationError(
                    field="",
                    value=exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc),
                    expected="valid JSON",
                    problem="not JSON",
                )
            ],
        ) from None
    if not _within_depth(data):
        raise _too_deep(_name(cl), "")
    return from_dict(cl, data)


def policy_kind(cl: type) -> str:
    """The ``kind`` name that a TOML file uses for policy class ``cl`` (or ``''``)."""
    for kind in POLICY_KINDS:
        try:
            registered = _resolve_kind(kind, "policy")
        except (RecordInvalid, ImportError, AttributeError):
            continue
        if registered is cl:
            return kind
    return ""


def policy_class(kind: str) -> type:
    """The policy class registered for ``kind`` in :data:`POLICY_KINDS`.

    Raises:
        RecordInvalid: No policy kind has that name.
    """
    return _resolve_kind(kind, "policy")


def _resolve_kind(kind: object, source: str) -> type:
    if not isinstance(kind, str) or kind not in POLICY_KINDS:
        known = ", ".join(sorted(POLICY_KINDS)) or "(none registered)"
        raise RecordInvalid(
            "policy",
            [
                ValidationError(
                    field=f"{source}: kind",
                    value=kind,
                    expected=f"one of: {known}",
                    problem="unknown policy kind",
                )
            ],
        )
    module, _, name = POLICY_KINDS[kind].partition(":")
    return cast("type", getattr(importlib.import_module(module), name))


def loads_policy(
    text: str,
    cl: type[T] | None = None,
    *,
    source: str = "<string>",
    checks: Mapping[str, Any] | None = None,
) -> T:
    """Read a policy from TOML text.

    A top-level ``kind`` key names the policy type (see :data:`POLICY_KINDS`); it is
    required when ``cl`` is not given, and checked against ``cl`` when it is. A
    top-level ``[meta]`` table (title, source citation, labels) is allowed and ignored.

    Args:
        text: The TOML document.
        cl: The policy class to build; taken from ``kind`` when omitted.
        source: A name for the document, used in error messages.
        checks: For a pipeline playbook only: the functions of its ``custom`` gates,
            by name (see :func:`from_dict`).

    Returns:
        The policy object, validated.

    Raises:
        RecordInvalid: The TOML is malformed, nests deeper than :data:`MAX_DEPTH`,
            names an unknown kind, or does not fit the policy (every problem listed,
            with its path).
        ValidationError: ``text`` is not text, ``cl`` not a type, ``source`` not
            text, or ``checks`` not a mapping or given for a policy that takes none.
    """
    if not isinstance(text, str):
        raise ValidationError(
            field="text",
            value=text,
            expected="TOML text (a str)",
            problem=f"{kind_of(text)}, not text",
        )
    if not isinstance(source, str):
        raise ValidationError(
            field="source",
            value=source,
            expected="a name for the document (a str)",
            problem=f"{kind_of(source)}, not text",
        )
    if cl is not None:
        _check_class(cl)
    _check_checks(checks)
    try:
        data: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
    except RecursionError:
        raise _too_deep("policy", source) from None
    except tomllib.TOMLDecodeError as exc:
        raise RecordInvalid(
            "policy",
            [
                ValidationError(
                    field=source,
                    value=str(exc),
                    expected="a valid TOML document",
                    problem="not TOML",
                )
            ],
        ) from None
    if not _within_depth(data):
        raise _too_deep("policy", source)
    kind = data.pop("kind", None)
    data.pop("meta", None)
    target: type[Any]
    if cl is None:
        target = _resolve_kind(kind, source)
    else:
        target = cl
        expected = policy_kind(cl)
        if kind is not None and expected and kind != expected:
            raise RecordInvalid(
                _name(cl),
                [
                    ValidationError(
                        field=f"{source}: kind",
                        value=kind,
                        expected=repr(expected),
                        problem="wrong policy kind",
                    )
                ],
            )
    try:
        return cast("T", from_dict(target, data, checks=checks))
    except RecordInvalid as exc:
        raise RecordInvalid(exc.record, [_located(e, source) for e in exc.errors]) from None


def _located(error: ValidationError, source: str) -> ValidationError:
    return ValidationError(
        field=f"{source}: {error.field}" if error.field else source,
        value=error.value,
        expected=error.expected,
        problem=error.problem,
    )


_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+\Z")


def dumps_policy(policy: object) -> str:
    """Write a policy as the TOML text :func:`loads_policy` reads back to an equal policy.

    The ``kind`` comes first, then the policy's fields: plain values, then tables and
    arrays of tables (nested tables inline). ``None`` fields are left out (TOML has no
    null; they read back as their default, ``None``). Use it to save a fitted scoring
    model and grade next month's accounts against this month's population.

    Raises:
        ValidationError: ``policy`` is not of a registered policy kind.

    Examples:
        >>> from kamcore.grading import AbcBreak, AbcPolicy
        >>> text = dumps_policy(AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1))))
        >>> print(text.splitlines()[0])
        kind = "abc_policy"
        >>> loads_policy(text) == AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)))
        True
    """
    kind = policy_kind(type(policy))
    if not kind:
        raise ValidationError(
            field="policy",
            value=type(policy).__name__,
            expected=f"a policy of a registered kind: {', '.join(POLICY_KINDS)}",
            problem="not a policy kamcore can write",
        )
    data = to_dict(policy)
    lines = [f"kind = {_toml_value(kind)}"]
    tables: list[str] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict):
            tables.extend(["", f"[{_toml_key(key)}]"])
            tables.extend(
                f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None
            )
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables.extend(["", f"[[{_toml_key(key)}]]"])
                tables.extend(
                    f"{_toml_key(k)} = {_toml_value(v)}" for k, v in item.items() if v is not None
                )
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join([*lines, *tables]) + "\n"


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: object) -> str:
    """One TOML value: text, whole number, boolean, array or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        items = ", ".join(
            f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None
        )
        return "{ " + items + " }" if items else "{}"
    raise ValidationError(  # pragma: no cover - to_dict gives only the types above
        field="policy", value=value, expected="plain data", problem="not writable as TOML"
    )


def load_policy(
    path: str | Path, cl: type[T] | None = None, *, checks: Mapping[str, Any] | None = None
) -> T:
    """Read a policy from a TOML file; see :func:`loads_policy`.

    Args:
        path: The TOML file.
        cl: The policy class to build; taken from the file's ``kind`` when omitted.
        checks: For a pipeline playbook only: the functions of its ``custom`` gates.

    Raises:
        RecordInvalid: The file is missing, unreadable, or its policy is invalid.
        ValidationError: ``path`` is not a path, ``cl`` not a type, or ``checks`` not
            a mapping or given for a policy that takes none.
    """
    if not isinstance(path, str | PathLike) or (isinstance(path, str) and not path.strip()):
        raise ValidationError(
            field="path",
            value=path,
            expected="the path of a TOML file (a str or a pathlib.Path)",
            problem="blank" if isinstance(path, str) else f"{kind_of(path)}, not a path",
        )
    if cl is not None:
        _check_class(cl)
    _check_checks(checks)
    try:
        p = Path(path)
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise RecordInvalid(
            "policy",
            [
                ValidationError(
                    field=str(path),
                    value=str(path),
                    expected="a readable UTF-8 TOML file",
                    problem=type(exc).__name__,
                )
            ],
        ) from None
    return loads_policy(text, cl, source=p.name, checks=checks)


# -- JSON Schema ----------------------------------------------------------------------

_DECIMAL_SCHEMA: Final[dict[str, Any]] = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*[+-]?(\d[\d_]*)?(\.\d+)?\s*$"},
        {"type": "integer"},
        {"type": "number"},
    ],
    "description": "an exact decimal; write it as a string or a TOML/JSON number",
}


def _schema_for(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911, PLR0912
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp is object:
        return {}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema_for(a, defs) for a in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if tp is type(None):
        return {"type": "null"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is str:
        return {"type": "string"}
    if tp is Decimal:
        return dict(_DECIMAL_SCHEMA)
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if tp is date:
        return {"type": "string", "format": "date"}
    if tp is Money:
        return {
            "anyOf": [
                dict(_DECIMAL_SCHEMA),
                {
                    "type": "object",
                    "properties": {"amount": dict(_DECIMAL_SCHEMA), "currency": {"type": "string"}},
                    "required": ["amount"],
                    "additionalProperties": False,
                },
            ],
            "description": "money: an amount in CNY, or {amount, currency}",
        }
    if tp is Rate:
        return {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[\d.]+\s*%?\s*$"},
                {"type": "number"},
                {"type": "integer"},
            ],
            "description": "a rate: a fraction such as '0.08' or a percentage such as '8%'",
        }
    if tp is Period:
        return {"type": "string", "description": "a period label: '2026', '2026-Q1', '2026-03'"}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if origin in (tuple, list, frozenset, set, Sequence, collections.abc.Sequence):
        item = args[0] if args else Any
        return {"type": "array", "items": _schema_for(item, defs)}
    if origin in (dict, Mapping, collections.abc.Mapping):
        value = args[1] if len(args) == 2 else Any
        return {"type": "object", "additionalProperties": _schema_for(value, defs)}
    family = _family(tp)
    if family is not None:
        return {"oneOf": [_schema_for(member, defs) for member in family.values()]}
    if isinstance(tp, type) and attrs.has(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: recursion-safe
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    return {}


def _object_schema(cl: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cl)
    props: dict[str, Any] = {}
    required: list[str] = []
    for a in attrs.fields(cl):
        if not a.init:
            continue
        props[a.alias] = _schema_for(hints.get(a.name, Any), defs)
        if a.default is attrs.NOTHING:
            required.append(a.alias)
    kind = _tag(cl)
    if kind is not None:  # a member of a tagged family: its kind comes first
        props = {"kind": {"const": kind.value}, **props}
        required.insert(0, "kind")
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = required
    doc = (cl.__doc__ or "").strip().splitlines()
    if doc:
        schema["description"] = doc[0]
    return schema


def json_schema(cl: type) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for the plain data of attrs class ``cl``.

    For a policy class, the schema describes its TOML/JSON file, including the optional
    top-level ``kind`` and ``[meta]`` keys, so a CRM can check a company's file before
    loading it. The schema checks shape (keys, types, enum values); the rules a policy
    enforces when it is built (tiers that do not overlap, weights that sum to 1) are
    checked by :func:`load_policy`.

    Examples:
        >>> from kamcore.calendar import ReviewCycle
        >>> schema = json_schema(ReviewCycle)
        >>> schema["required"], sorted(schema["properties"])
        (['anchor'], ['anchor', 'kind', 'meta', 'months'])

    Raises:
        ValidationError: ``cl`` is not an attrs class.
    """
    if not (isinstance(cl, type) and attrs.has(cl)):
        raise ValidationError(
            field="cl",
            value=cl,
            expected="a kamcore record or policy class (an attrs class)",
            problem="not an attrs class",
        )
    defs: dict[str, Any] = {}
    root = _object_schema(cl, defs)
    kind = policy_kind(cl)
    root["properties"]["kind"] = {"const": kind} if kind else {"type": "string"}
    root["properties"]["meta"] = {"type": "object", "description": "title, labels, source"}
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cl.__name__,
        **root,
    }
    if defs:
        schema["$defs"] = defs
    return schema
