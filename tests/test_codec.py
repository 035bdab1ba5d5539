from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore import strategies as kst
from kamcore.calendar import Period, ReviewCycle, YearlySchedule
from kamcore.errors import KamError, PolicyError, RecordInvalid, ValidationError
from kamcore.money import Money, Rate, Rounding
from kamcore.presets import load_preset, preset_names, preset_path, preset_text


class Mode(enum.Enum):
    WHOLE = "whole_amount"
    GRADUATED = "graduated"


def _non_negative(instance: object, attribute: attrs.Attribute[Money], value: Money) -> None:
    if value.amount < 0:
        raise ValidationError(field=attribute.name, value=value, expected="an amount ≥ 0")


@attrs.frozen
class Tier:
    floor: Money = attrs.field(validator=_non_negative)
    rate: Rate


@attrs.frozen
class Schedule:
    name: str
    mode: Mode
    tiers: tuple[Tier, ...]
    rounding: Rounding = Rounding.HALF_UP
    period: Period | None = None
    starts: date | None = None
    stamped: datetime | None = None

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise PolicyError("needs at least one tier", policy="Schedule", part="tiers")


_SCHEDULE_TOML = """
kind = "test_schedule"
name = "source"
mode = "whole_amount"
period = "2026-Q1"
[[tiers]]
floor = 0
rate = "5%"
[[tiers]]
floor = "200000"
rate = 0.08

[meta]
title = "test"
"""


@pytest.fixture(autouse=True)
def _register_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(codec.POLICY_KINDS, "test_schedule", f"{__name__}:Schedule")


# -- round trips ----------------------------------------------------------------------

_VALUES: list[st.SearchStrategy[Any]] = [
    kst.money(currency=None),
    kst.money(places=6),
    kst.rates(),
    kst.periods(),
    kst.review_cycles(),
    kst.yearly_schedules(),
    kst.roundings(),
]


@pytest.mark.parametrize("strategy", _VALUES, ids=lambda s: repr(s)[:40])
@given(data=st.data())
def test_every_foundation_type_round_trips_through_dicts_and_json(
    strategy: st.SearchStrategy[Any], data: st.DataObject
) -> None:
    value = data.draw(strategy)
    cls = type(value)
    assert codec.from_dict(cls, codec.to_dict(value)) == value
    assert codec.from_json(cls, codec.to_json(value)) == value


@given(st.lists(kst.money(), min_size=1, max_size=4), kst.roundings(), kst.periods())
def test_nested_records_round_trip(
    amounts: list[Money], rounding: Rounding, period: Period
) -> None:
    tiers = tuple(Tier(abs(m), Rate("0.05")) for m in amounts)
    s = Schedule(
        "x",
        Mode.GRADUATED,
        tiers,
        rounding,
        period,
        date(2026, 1, 1),
        datetime(2026, 1, 1, 9, 30, tzinfo=UTC),
    )
    d = codec.to_dict(s)
    assert d["mode"] == "graduated"
    assert d["rounding"] == rounding.value
    assert isinstance(d["tiers"][0]["floor"]["amount"], str)
    assert d["starts"] == "2026-01-01"
    assert codec.from_dict(Schedule, d) == s
    assert codec.from_json(Schedule, codec.to_json(s, indent=2)) == s


def test_decimals_and_dates_are_strings_in_plain_data() -> None:
    assert codec.to_dict(Money("0.10")) == {"amount": "0.10", "currency": "CNY"}
    assert codec.to_dict(Rate.percent(8)) == "0.08"
    assert codec.to_dict(Period.month(2026, 3)) == "2026-03"
    assert codec.to_dict(ReviewCycle(anchor=date(2026, 1, 1))) == {
        "anchor": "2026-01-01",
        "months": 2,
    }
    assert codec.to_json(YearlySchedule(months=(2,))) == '{"months": [2], "day": 1}'


def test_lenient_but_exact_input_forms() -> None:
    assert codec.from_dict(Money, "12.5") == Money("12.5")
    assert codec.from_dict(Money, 3) == Money(3)
    assert codec.from_dict(Money, {"amount": "1"}) == Money("1")
    assert codec.from_dict(Money, Money("1")) == Money("1")
    assert codec.from_dict(Rate, "8%") == Rate("0.08")
    assert codec.from_dict(Rate, {"value": "0.08"}) == Rate("0.08")
    assert codec.from_dict(Rate, Rate("0.08")) == Rate("0.08")
    assert codec.from_dict(Period, Period.year(2026)) == Period.year(2026)
    assert codec.from_json(Money, '{"amount": 0.1}') == Money("0.1")  # JSON numbers are decimals


# -- errors ---------------------------------------------------------------------------


def test_every_problem_in_a_record_is_reported_at_once_with_its_path() -> None:
    data = {
        "name": "x",
        "mode": "sliding",
        "tiers": [
            {"floor": "abc", "rate": "8%", "extra": 1},
            {"rate": 0.5},
            {"floor": "-1", "rate": "1"},
        ],
        "perod": "2026-03",
    }
    with pytest.raises(RecordInvalid) as info:
        codec.from_dict(Schedule, data)
    err = info.value
    fields = [e.field for e in err.errors]
    assert fields == [
        "mode",
        "tiers[0].floor.amount",
        "tiers[0].extra",
        "tiers[1].floor",
        "tiers[1].rate",
        "tiers[2].floor",
        "perod",
    ]
    assert err.record == "Schedule"
    assert "\n" not in str(err)
    assert "7 problems" in str(err)
    assert isinstance(err, KamError)
    assert isinstance(err, ValueError)
    assert isinstance(err, ExceptionGroup)
    unknown = err.errors[-1]
    assert unknown.problem == "unknown field"
    assert "name, mode, tiers" in unknown.expected


def test_a_policy_error_raised_by_the_type_is_reported_as_a_field_problem() -> None:
    with pytest.raises(RecordInvalid, match="needs at least one tier"):
        codec.from_dict(Schedule, {"name": "x", "mode": "graduated", "tiers": []})


@pytest.mark.parametrize(
    ("cls", "data", "fragment"),
    [
        (Money, {"amount": "1", "currncy": "USD"}, "currncy: unknown field"),
        (Money, {"currency": "USD"}, "amount: missing"),
        (Money, "abc", "not a decimal number"),
        (Money, 0.1, "floats are inexact"),
        (Rate, "eight%", "not a decimal number"),
        (Period, 2026, "period label"),
        (Period, "2026-13", "expected"),
        (ReviewCycle, {"anchor": "2026-01-01", "months": "x"}, "months"),
        (ReviewCycle, {"anchor": "someday"}, "anchor"),
        (ReviewCycle, [1, 2], "ReviewCycle"),
        (
            Schedule,
            {"name": "x", "mode": "whole_amount", "tiers": [], "stamped": "noon"},
            "stamped",
        ),
        (Schedule, {"name": "x", "mode": "whole_amount", "tiers": [], "stamped": 5}, "stamped"),
    ],
)
def test_bad_data_never_escapes_as_a_bare_python_error(
    cls: type, data: object, fragment: str
) -> None:
    with pytest.raises(RecordInvalid) as info:
        codec.from_dict(cls, data)
    assert fragment in str(info.value)


def test_bad_json_is_a_record_error() -> None:
    with pytest.raises(RecordInvalid, match="not JSON"):
        codec.from_json(Money, "{amount: 1")
    with pytest.raises(RecordInvalid, match="not JSON"):
        codec.from_json(Money, b"\xff\xfe\x00")


# -- policies from TOML ---------------------------------------------------------------


def test_a_policy_loads_from_toml_with_decimals_not_floats(tmp_path: Path) -> None:
    path = tmp_path / "schedule.toml"
    path.write_text(_SCHEDULE_TOML, encoding="utf-8")
    s = codec.load_policy(path, Schedule)
    assert s.tiers[1].rate == Rate("0.08")
    assert s.period == Period.quarter(2026, 1)
    assert codec.load_policy(path) == s  # the kind names the class
    assert codec.policy_kind(Schedule) == "test_schedule"
    assert codec.policy_kind(Tier) == ""


def test_a_misspelled_key_in_a_policy_file_names_file_key_and_choices(tmp_path: Path) -> None:
    path = tmp_path / "company.toml"
    path.write_text(_SCHEDULE_TOML.replace("mode =", "mdoe ="), encoding="utf-8")
    with pytest.raises(RecordInvalid) as info:
        codec.load_policy(path, Schedule)
    message = str(info.value)
    assert "\n" not in message
    assert "company.toml: mdoe: unknown field" in message
    assert "company.toml: mode: missing field" in message


@pytest.mark.parametrize(
    ("text", "cls", "fragment"),
    [
        ("kind = \n", Schedule, "not TOML"),
        ('kind = "nonsense"\n', None, "unknown policy kind"),
        ("name = 'x'\n", None, "unknown policy kind"),
        ('kind = "other"\nname = "x"', Schedule, "wrong policy kind"),
    ],
)
def test_bad_policy_documents(text: str, cls: type | None, fragment: str) -> None:
    with pytest.raises(RecordInvalid, match=fragment):
        codec.loads_policy(text, cls)


def test_a_missing_policy_file_is_a_record_error(tmp_path: Path) -> None:
    with pytest.raises(RecordInvalid, match="readable UTF-8 TOML"):
        codec.load_policy(tmp_path / "missing.toml", Schedule)


def test_a_converter_copy_takes_company_hooks_without_touching_the_shared_one() -> None:
    conv = codec.make_converter()
    conv.register_unstructure_hook(Money, str)
    assert conv.unstructure(Money("1")) == "CNY 1"
    assert codec.to_dict(Money("1")) == {"amount": "1", "currency": "CNY"}


# -- presets --------------------------------------------------------------------------


def test_an_unknown_preset_lists_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="no such preset"):
        load_preset("no-such-preset")
    with pytest.raises(ValidationError):
        preset_text("no-such-preset")
    with pytest.raises(ValidationError):
        preset_path("no-such-preset")


@pytest.mark.parametrize("name", preset_names())
def test_every_shipped_preset_loads_and_round_trips(name: str) -> None:
    policy = load_preset(name)
    assert preset_path(name).is_file()
    assert codec.from_dict(type(policy), codec.to_dict(policy)) == policy


# -- JSON Schema ----------------------------------------------------------------------


def _as_json_data(value: object) -> object:
    """What a CRM sees after turning a TOML document into JSON."""
    if isinstance(value, dict):
        return {k: _as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json_data(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def test_the_json_schema_accepts_good_files_and_rejects_misspelled_keys() -> None:
    import tomllib

    import jsonschema

    schema = codec.json_schema(Schedule)
    jsonschema.Draft202012Validator.check_schema(schema)
    data = _as_json_data(tomllib.loads(_SCHEDULE_TOML, parse_float=Decimal))
    jsonschema.validate(data, schema)
    assert schema["properties"]["kind"] == {"const": "test_schedule"}
    assert schema["properties"]["mode"] == {"enum": ["whole_amount", "graduated"]}
    assert schema["required"] == ["name", "mode", "tiers"]
    bad = dict(data)  # type: ignore[call-overload]
    bad["mdoe"] = bad.pop("mode")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_json_schema_covers_every_field_type() -> None:
    @attrs.frozen
    class Everything:
        flag: bool
        count: int
        names: frozenset[str]
        table: dict[str, Decimal]
        anything: Any = None

    schema = codec.json_schema(Everything)
    props = schema["properties"]
    assert props["flag"] == {"type": "boolean"}
    assert props["names"] == {"type": "array", "items": {"type": "string"}}
    assert props["table"]["additionalProperties"]["anyOf"][1] == {"type": "integer"}
    assert props["anything"] == {}
    assert props["kind"] == {"type": "string"}


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_matches_the_json_schema_of_its_kind(name: str) -> None:
    import tomllib

    import jsonschema

    policy = load_preset(name)
    schema = codec.json_schema(type(policy))
    jsonschema.validate(
        _as_json_data(tomllib.loads(preset_text(name), parse_float=Decimal)), schema
    )


def test_policy_class_resolves_registered_kinds() -> None:
    assert codec.policy_class("test_schedule") is Schedule
    with pytest.raises(RecordInvalid, match="unknown policy kind"):
        codec.policy_class("nope")


def test_a_policy_rule_broken_inside_a_record_names_its_part() -> None:
    @attrs.frozen
    class Ladder:
        steps: tuple[int, ...]

        def __attrs_post_init__(self) -> None:
            if list(self.steps) != sorted(self.steps):
                raise PolicyError("steps must rise", policy="Ladder", part="steps")

    with pytest.raises(RecordInvalid) as info:
        codec.loads_policy("steps = [3, 1]", Ladder, source="ladder.toml")
    assert str(info.value) == (
        "invalid Ladder, 1 problem: ladder.toml: steps: steps must rise; "
        "expected a consistent Ladder"
    )


def test_an_unknown_key_in_a_real_policy_lists_only_the_keys_a_file_may_give() -> None:
    from kamcore.rebate import TierSchedule

    data = codec.to_dict(load_preset("rebate_source", TierSchedule))
    data["mdoe"] = data.pop("mode")
    with pytest.raises(RecordInvalid) as info:
        codec.from_dict(TierSchedule, data)
    unknown = next(e for e in info.value.errors if e.field == "mdoe")
    accepted = unknown.expected.removeprefix("one of: ").split(", ")
    assert "tiers" in accepted
    assert "mode" in accepted
    assert all(not key.startswith("_") for key in accepted)
    assert {"bps", "rates", "exp"}.isdisjoint(accepted)  # private, computed fields


@pytest.mark.parametrize(
    ("value", "where"),
    [(object(), "obj"), ([object()], "obj[0]"), ({"a": [1, {"b": 1.5}]}, "obj.a[1].b")],
)
def test_to_dict_refuses_what_is_not_a_kamcore_object_naming_where(
    value: object, where: str
) -> None:
    with pytest.raises(ValidationError, match="not a type kamcore can serialise") as info:
        codec.to_json(value)
    assert info.value.field == where
    assert codec.to_dict([Money("1")]) == [{"amount": "1", "currency": "CNY"}]


def test_a_yes_no_field_takes_true_or_false_and_a_count_a_whole_number() -> None:
    from kamcore.rebate import ReportRule

    assert codec.from_json(ReportRule, '{"due_day": 5, "on_due_day": true}').on_due_day
    assert codec.from_json(ReportRule, '{"due_day": 5.0}').due_day == 5
    for bad, field in (('{"on_due_day": "false"}', "on_due_day"), ('{"due_day": 5.9}', "due_day")):
        with pytest.raises(RecordInvalid) as info:
            codec.from_json(ReportRule, bad)
        assert [e.field for e in info.value.errors] == [field]


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_written_as_toml_reads_back_equal(name: str) -> None:
    policy = load_preset(name)
    text = codec.dumps_policy(policy)
    assert text.startswith(f'kind = "{codec.policy_kind(type(policy))}"\n')
    assert codec.loads_policy(text) == policy


def test_writing_something_that_is_no_policy_is_refused() -> None:
    from kamcore.money import Money

    with pytest.raises(ValidationError, match="not a policy kamcore can write"):
        codec.dumps_policy(Money("1"))


def test_a_regrade_policy_is_a_policy_kind_that_round_trips_as_toml() -> None:
    from kamcore.grading import RegradePolicy

    policy = RegradePolicy(demote_after=2, reasons=5)
    text = codec.dumps_policy(policy)
    assert text.splitlines()[0] == 'kind = "regrade_policy"'
    assert codec.loads_policy(text) == policy
    assert codec.policy_class("regrade_policy") is RegradePolicy


def test_checks_are_refused_for_a_class_that_takes_none() -> None:
    def never(opp: object, gate: object) -> None:
        return None

    with pytest.raises(ValidationError, match="takes no checks") as info:
        codec.from_dict(Money, {"amount": "1"}, checks={"x": never})
    assert info.value.field == "checks"
    with pytest.raises(ValidationError, match="takes no checks"):
        load_preset("grading_abc", checks={"x": never})


# -- issue 16: nothing coerced, every bad input a clear error -------------------------


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ('{"id": 123, "name": "x"}', ["id"]),
        ('{"id": "D1", "name": true}', ["name"]),
        ('{"id": 123, "name": true}', ["id", "name"]),
        ('{"id": "D1", "name": NaN}', ["name"]),
        ('{"id": "D1", "name": Infinity}', ["name"]),
        ('{"id": "D1", "name": 1.5}', ["name"]),
        ('{"id": "D1", "name": null}', ["name"]),
    ],
)
def test_a_text_field_takes_only_text_never_a_coerced_number_or_boolean(
    text: str, fields: list[str]
) -> None:
    from kamcore.archive import Dossier

    with pytest.raises(RecordInvalid) as info:
        codec.from_json(Dossier, text)
    assert [e.field for e in info.value.errors] == fields
    assert all(e.expected == "text" and "not text" in e.problem for e in info.value.errors)
    assert codec.from_json(Dossier, '{"id": "123", "name": "True"}').id == "123"


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused_for_numbers_naming_the_field(constant: str) -> None:
    from kamcore.archive import Dossier
    from kamcore.grading import AbcBreak
    from kamcore.rebate import ReportRule

    cases: list[tuple[type, str, str]] = [
        (Money, f'{{"amount": {constant}}}', "amount"),
        (AbcBreak, f'{{"label": "A", "upto": {constant}}}', "upto"),
        (
            Dossier,
            f'{{"id": "D1", "name": "x", "basic": {{"premises_area": {constant}}}}}',
            "basic.premises_area",
        ),
        (ReportRule, f'{{"due_day": {constant}}}', "due_day"),
    ]
    for cls, text, field in cases:
        with pytest.raises(RecordInvalid) as info:
            codec.from_json(cls, text)
        assert [e.field for e in info.value.errors] == [field], cls
    with pytest.raises(RecordInvalid) as whole:
        codec.from_json(Rate, constant)
    assert "NaN" in str(whole.value) or "Infinity" in str(whole.value)


def test_a_float_nan_handed_to_from_dict_is_refused_for_text_and_numbers() -> None:
    from kamcore.archive import Dossier

    with pytest.raises(RecordInvalid) as info:
        codec.from_dict(Dossier, {"id": "D1", "name": float("nan")})
    assert [e.field for e in info.value.errors] == ["name"]
    with pytest.raises(RecordInvalid) as money:
        codec.from_dict(Money, {"amount": float("inf")})
    assert [e.field for e in money.value.errors] == ["amount"]


@pytest.mark.parametrize("text", ["[" * 200_000, '{"a":' * 100_000, "[" * 65 + "]" * 65])
def test_a_deeply_nested_json_document_is_refused_at_the_depth_limit(text: str) -> None:
    from kamcore.archive import Dossier

    with pytest.raises(RecordInvalid, match="nested too deeply") as info:
        codec.from_json(Dossier, text)
    assert info.value.record == "Dossier"
    assert info.value.errors[0].expected == (
        f"lists and tables nested at most {codec.MAX_DEPTH} levels deep"
    )


def test_a_deeply_nested_policy_document_is_refused_at_the_depth_limit() -> None:
    for text in ("x = " + "[" * 100_000, "x = " + "[" * 70 + "]" * 70):
        with pytest.raises(RecordInvalid, match="nested too deeply") as info:
            codec.loads_policy(text, source="deep.toml")
        assert info.value.errors[0].field == "deep.toml"


def test_a_record_given_no_mapping_names_the_fields_it_expects() -> None:
    from kamcore.rebate import TierSchedule

    for data in (None, 5, "tiers", ["a"]):
        with pytest.raises(RecordInvalid) as info:
            codec.from_dict(TierSchedule, data)
        assert info.value.record == "TierSchedule"
        (err,) = info.value.errors
        assert err.expected.startswith("a mapping of TierSchedule fields: tiers, mode")
        assert "not a mapping" in err.problem
        assert "TypeError" not in str(info.value)
    with pytest.raises(RecordInvalid) as nested:
        codec.from_dict(Schedule, {"name": "x", "mode": "graduated", "tiers": [None]})
    assert [e.field for e in nested.value.errors] == ["tiers[0]"]
    assert "TypeError" not in str(nested.value)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: codec.from_dict(None, {}), "cl"),
        (lambda: codec.from_dict("Money", {}), "cl"),
        (lambda: codec.from_dict(Money, {"amount": 1}, checks=[1]), "checks"),
        (lambda: codec.from_json(None, "{}"), "cl"),
        (lambda: codec.from_json(Money, None), "text"),
        (lambda: codec.from_json(Money, 12), "text"),
        (lambda: codec.loads_policy(None), "text"),
        (lambda: codec.loads_policy(b"kind = 1"), "text"),
        (lambda: codec.loads_policy("", cl=5), "cl"),
        (lambda: codec.loads_policy("", source=None), "source"),
        (lambda: codec.loads_policy("", checks="x"), "checks"),
        (lambda: codec.load_policy(None), "path"),
        (lambda: codec.load_policy(5), "path"),
        (lambda: codec.load_policy(" "), "path"),
        (lambda: codec.load_policy("x.toml", cl="Money"), "cl"),
        (lambda: codec.to_json(Money("1"), indent="  "), "indent"),
        (lambda: codec.to_json(Money("1"), indent=-1), "indent"),
        (lambda: codec.json_schema(None), "cl"),
    ],
)
def test_a_wrong_argument_to_the_codec_is_a_validation_error_naming_it(
    call: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert not isinstance(info.value, RecordInvalid)
    assert info.value.field == field
    assert info.value.expected


def test_a_policy_file_path_with_a_nul_byte_is_a_record_error() -> None:
    with pytest.raises(RecordInvalid) as info:
        codec.load_policy("bad\x00.toml")
    assert info.value.errors[0].expected == "a readable UTF-8 TOML file"


# -- issue 16: Chinese labels wherever an enum is ---------------------------------------


def test_the_codec_reads_an_archive_enum_by_its_chinese_label() -> None:
    from kamcore.archive import Classification, Confidentiality, Dossier

    assert codec.from_dict(Confidentiality, "秘密") is Confidentiality.SECRET
    assert codec.from_dict(Confidentiality, "Secret") is Confidentiality.SECRET
    assert codec.from_json(Classification, '"重要"') is Classification.IMPORTANT
    d = codec.from_json(Dossier, '{"id": "D1", "name": "x", "confidentiality": "机密"}')
    assert d.confidentiality is Confidentiality.CONFIDENTIAL
    assert codec.to_dict(d)["confidentiality"] == "confidential"  # written as its value


def test_an_unknown_enum_value_lists_the_accepted_ones_in_both_languages() -> None:
    from kamcore.archive import Confidentiality, Dossier

    with pytest.raises(RecordInvalid) as info:
        codec.from_dict(Dossier, {"id": "D1", "name": "x", "confidentiality": "最高机密"})
    (err,) = info.value.errors
    assert err.field == "confidentiality"
    assert err.expected == (
        "one of: top_secret (绝密), confidential (机密), secret (秘密), unclassified (非密)"
    )
    assert err.expected == "one of: " + Confidentiality.accepted()
    for bad in (None, 1, ["secret"]):
        with pytest.raises(RecordInvalid, match=r"secret \(秘密\)"):
            codec.from_dict(Confidentiality, bad)
