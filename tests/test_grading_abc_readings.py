"""The two readings of a share-of-volume rule: cumulative breakpoints or each class's own share.

The water utility's rule (rules §1.2) — "A = the largest customers that together make up
≥50% of volume, B = the next ≥20%, C = the next ≥10%" — reads either as cumulative
breakpoints 50% / 70% / 80% (``reading="cumulative"``) or as each class's own target
share (``reading="group_share"``, the default of the ``grading_abc_water`` preset).
"""

from __future__ import annotations

import random
from decimal import Decimal

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore import codec
from kamcore import strategies as kst
from kamcore.errors import KamError, PolicyError, ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcCrossing,
    AbcMethod,
    AbcPolicy,
    AbcResult,
    Criterion,
    GradeLadder,
    Normaliser,
    WeightedScorecard,
    classify_abc,
    grade_frame,
    score_arrays,
)
from kamcore.grading._pareto import AbcReading
from kamcore.presets import load_preset

D = Decimal
GROUP = AbcReading.GROUP_SHARE


def _water() -> AbcPolicy:
    return load_preset("grading_abc_water", AbcPolicy)


def _group(*targets: str | int, crossing: AbcCrossing = AbcCrossing.JOINS) -> AbcPolicy:
    """A group-share policy K0, K1, … with these own targets, the last class the rest."""
    breaks = [AbcBreak(f"K{i}", t) for i, t in enumerate(targets)]
    return AbcPolicy((*breaks, AbcBreak(f"K{len(targets)}", 1)), reading=GROUP, crossing=crossing)


def _members(r: AbcResult, labels: str | list[str]) -> list[tuple[str, ...]]:
    return [r.members(label) for label in labels]


# -- the two presets --------------------------------------------------------------------
def test_the_water_preset_reads_each_class_as_its_own_share() -> None:
    water = _water()
    assert water.reading is GROUP
    assert water.crossing is AbcCrossing.JOINS
    assert [(b.label, b.upto) for b in water.breaks] == [
        ("A", D("0.50")),
        ("B", D("0.20")),
        ("C", D("0.10")),
        ("D", D(1)),
    ]
    r = classify_abc(water, {"x": 60, "y": 25, "z": 15})
    assert r.as_dict() == {"x": "A", "y": "B", "z": "C"}
    assert [(c.label, c.count, c.share) for c in r.classes] == [
        ("A", 1, D("0.6")),
        ("B", 1, D("0.25")),
        ("C", 1, D("0.15")),
        ("D", 0, D(0)),
    ]


def test_the_cumulative_water_preset_keeps_the_50_70_80_breakpoints() -> None:
    cumulative = load_preset("grading_abc_water_cumulative", AbcPolicy)
    assert cumulative.reading is AbcReading.CUMULATIVE
    assert [b.upto for b in cumulative.breaks] == [D("0.5"), D("0.7"), D("0.8"), D(1)]
    assert classify_abc(cumulative, {"x": 60, "y": 25, "z": 15}).as_dict() == {
        "x": "A",
        "y": "B",
        "z": "D",
    }
    # the same population as before the group-share reading existed: the same classes
    volumes = {f"c{i}": v for i, v in enumerate([40, 20, 15, 10, 5, 5, 5])}
    r = classify_abc(cumulative, volumes)
    assert _members(r, "ABCD") == [("c0", "c1"), ("c2",), ("c3",), ("c4", "c5", "c6")]


def test_the_two_readings_differ_on_a_longer_population() -> None:
    volumes = {f"c{i}": v for i, v in enumerate([40, 20, 15, 10, 5, 5, 5])}
    r = classify_abc(_water(), volumes)
    # A: 40 + 20 = 60 ≥ 50; B: 15 + 10 = 25 ≥ 20; C: 5 + 5 = 10 ≥ 10; D the rest
    assert _members(r, "ABCD") == [("c0", "c1"), ("c2", "c3"), ("c4", "c5"), ("c6",)]
    assert [c.share for c in r.classes] == [D("0.6"), D("0.25"), D("0.1"), D("0.05")]


def test_an_existing_policy_keeps_the_cumulative_reading() -> None:
    for name in ("grading_abc", "grading_top20"):
        assert load_preset(name, AbcPolicy).reading is AbcReading.CUMULATIVE
    assert AbcPolicy((AbcBreak("A", 1),)).reading is AbcReading.CUMULATIVE


# -- hand-computed examples ---------------------------------------------------------------
def test_ties_are_taken_in_account_id_order() -> None:
    # total 50: A's target is 25, B's 10, C's 5
    measures = [("e", 10), ("c", 10), ("a", 10), ("d", 10), ("b", 10)]
    joins = classify_abc(_water(), measures)
    assert joins.as_dict() == {"a": "A", "b": "A", "c": "A", "d": "B", "e": "C"}
    # strict: c would carry A past 25, so it opens B (10 ≤ 10); d would carry B past 10
    # and alone is above C's 5, so it and e fall to D
    strict = classify_abc(attrs.evolve(_water(), crossing=AbcCrossing.NEXT), measures)
    assert strict.as_dict() == {"a": "A", "b": "A", "c": "B", "d": "D", "e": "D"}


@pytest.mark.parametrize("crossing", list(AbcCrossing))
def test_an_account_exactly_reaching_its_target_stays_in_the_class(crossing: AbcCrossing) -> None:
    # x reaches A's 50 exactly, w reaches B's 20 exactly (w ranks before y on the tie)
    policy = attrs.evolve(_water(), crossing=crossing)
    r = classify_abc(policy, {"x": 50, "y": 20, "z": 10, "w": 20})
    assert [a.account_id for a in r.assignments] == ["x", "w", "y", "z"]
    assert r.members("A") == ("x",)
    assert r.members("B") == ("w",)
    if crossing is AbcCrossing.JOINS:  # y (20) opens C and carries it past its 10
        assert _members(r, "CD") == [("y",), ("z",)]
    else:  # y alone is above C's 10: C stays empty
        assert _members(r, "CD") == [(), ("y", "z")]


def test_the_account_that_carries_a_class_past_its_target_joins_it() -> None:
    r = classify_abc(_group("0.5", "0.3"), {"a": 45, "b": 30, "c": 25})
    assert r.as_dict() == {"a": "K0", "b": "K0", "c": "K1"}  # K0 holds 75 ≥ 50
    # strict: 45 + 30 > 50, so b opens K1 (30 ≤ 30); c would carry K1 past 30: K2
    strict = classify_abc(
        _group("0.5", "0.3", crossing=AbcCrossing.NEXT), {"a": 45, "b": 30, "c": 25}
    )
    assert strict.as_dict() == {"a": "K0", "b": "K1", "c": "K2"}


def test_targets_need_not_ascend() -> None:
    r = classify_abc(_group("0.1", "0.6"), {f"c{i}": 10 for i in range(10)})
    assert [c.count for c in r.classes] == [1, 6, 3]


def test_when_the_accounts_run_out_the_class_keeps_what_it_has() -> None:
    # A takes 40 + 30 (70 ≥ 50); B's target is 45, but only 30 is left; C is empty
    r = classify_abc(_group("0.5", "0.45"), {"p": 40, "q": 30, "r": 30})
    assert r.as_dict() == {"p": "K0", "q": "K0", "r": "K1"}
    assert [(c.count, c.share) for c in r.classes] == [(2, D("0.7")), (1, D("0.3")), (0, D(0))]


def test_targets_adding_up_to_one_can_leave_the_last_class_empty() -> None:
    r = classify_abc(_group("0.5", "0.5"), {"a": 50, "b": 30, "c": 20})
    assert [c.count for c in r.classes] == [1, 2, 0]


def test_zero_measures_join_the_class_being_filled() -> None:
    r = classify_abc(_water(), {"big": 100, "z1": 0, "z2": 0})
    assert _members(r, "ABCD") == [("big",), ("z1", "z2"), (), ()]
    # once a class has reached its target, a zero measure opens the next one
    r = classify_abc(_water(), {"a": 50, "b": 20, "c": 30, "z": 0})
    assert r.as_dict() == {"a": "A", "c": "B", "b": "C", "z": "D"}


@pytest.mark.parametrize("crossing", list(AbcCrossing))
def test_all_zero_measures_fall_into_the_last_class(crossing: AbcCrossing) -> None:
    policy = attrs.evolve(_water(), crossing=crossing)
    r = classify_abc(policy, {"a": 0, "b": 0})
    assert r.members("D") == ("a", "b")
    assert [c.share for c in r.classes] == [0, 0, 0, 1]
    assert [a.cumulative_share for a in r.assignments] == [1, 1]
    empty = classify_abc(policy, {})
    assert empty.assignments == ()
    assert [c.count for c in empty.classes] == [0, 0, 0, 0]


def test_a_single_class_takes_everyone() -> None:
    policy = AbcPolicy((AbcBreak("all", 1),), reading="group_share")
    assert classify_abc(policy, {"a": 3, "b": 0}).as_dict() == {"a": "all", "b": "all"}


def test_records_and_frames_work_for_the_group_share_reading() -> None:
    r = classify_abc(_water(), {"x": 60, "y": 25, "z": 15})
    assert [(row["account_id"], row["class"]) for row in r.records()] == [
        ("x", "A"),
        ("y", "B"),
        ("z", "C"),
    ]
    assert r.records()[1]["cumulative_share"] == D("0.85")
    assert [(row["class"], row["count"]) for row in r.records("classes")] == [
        ("A", 1),
        ("B", 1),
        ("C", 1),
        ("D", 0),
    ]
    accounts, classes = r.to_frame(), r.to_frame("classes")
    assert list(accounts["class"]) == ["A", "B", "C"]
    assert list(classes["share"]) == [D("0.6"), D("0.25"), D("0.15"), D(0)]


# -- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("targets", "last", "part", "match"),
    [
        (["0"], 1, "breaks[0] 'K0'", r"target share 0 must lie in \(0, 1\]"),
        (["0.5", "1.5"], 1, "breaks[1] 'K1'", r"target share 1.5 must lie in \(0, 1\]"),
        (["-0.1"], 1, "breaks[0] 'K0'", "must lie in"),
        (["0.6", "0.5"], 1, "breaks", "add up to 1.1, more than 1"),
        (["0.5", "0.2"], "0.3", "breaks[2]", "last class must reach 1.*takes the rest"),
    ],
)
def test_inconsistent_group_share_policies_are_refused_naming_the_part(
    targets: list[str], last: str | int, part: str, match: str
) -> None:
    breaks = [AbcBreak(f"K{i}", t) for i, t in enumerate(targets)]
    with pytest.raises(PolicyError, match=match) as info:
        AbcPolicy((*breaks, AbcBreak("R", last)), reading=GROUP)
    assert info.value.policy == "AbcPolicy"
    assert info.value.part == part


def test_targets_that_would_not_ascend_as_breakpoints_are_fine_as_group_shares() -> None:
    breaks = (AbcBreak("A", "0.5"), AbcBreak("B", "0.2"), AbcBreak("C", 1))
    with pytest.raises(PolicyError, match="must lie in"):
        AbcPolicy(breaks)
    assert AbcPolicy(breaks, reading="group_share").reading is GROUP


def test_the_group_share_reading_needs_the_share_method() -> None:
    with pytest.raises(PolicyError, match="method must be 'share'") as info:
        AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("B", 1)), method=AbcMethod.COUNT, reading=GROUP)
    assert info.value.part == "reading"


def test_an_unknown_reading_is_refused_naming_the_accepted_ones() -> None:
    with pytest.raises(ValidationError, match="one of: cumulative, group_share") as info:
        AbcPolicy((AbcBreak("A", 1),), reading="own")
    assert isinstance(info.value, KamError)
    assert info.value.field == "reading"


def test_duplicate_labels_are_refused_under_the_group_share_reading_too() -> None:
    with pytest.raises(PolicyError, match="unique"):
        AbcPolicy((AbcBreak("A", "0.5"), AbcBreak("A", 1)), reading=GROUP)


# -- the file format ------------------------------------------------------------------------
def test_the_reading_is_in_the_json_schema_and_round_trips() -> None:
    schema = codec.json_schema(AbcPolicy)
    assert schema["properties"]["reading"] == {"enum": ["cumulative", "group_share"]}
    data = codec.to_dict(_water())
    assert data["reading"] == "group_share"
    assert codec.from_dict(AbcPolicy, data) == _water()
    assert codec.from_json(AbcPolicy, codec.to_json(_water())) == _water()


def test_a_file_without_a_reading_is_read_cumulatively() -> None:
    data = codec.to_dict(load_preset("grading_abc_water_cumulative", AbcPolicy))
    del data["reading"]
    assert codec.from_dict(AbcPolicy, data).reading is AbcReading.CUMULATIVE


def test_the_reading_is_written_in_toml_as_a_plain_key() -> None:
    text = """
kind = "abc_policy"
reading = "group_share"

[[breaks]]
label = "A"
upto = 0.5

[[breaks]]
label = "B"
upto = 1
"""
    policy = codec.loads_policy(text, AbcPolicy)
    assert policy.reading is GROUP
    assert classify_abc(policy, {"a": 40, "b": 40, "c": 20}).as_dict() == {
        "a": "A",
        "b": "A",
        "c": "B",
    }
    with pytest.raises(KamError, match="reading"):
        codec.loads_policy(text.replace("group_share", "groups"), AbcPolicy)


# -- the columnar path ----------------------------------------------------------------------
_CARD = WeightedScorecard((Criterion("profit", 1, Normaliser.linear(0, 10)),))


def _fast(policy: AbcPolicy, values: list[float], ids: list[str]) -> list[str]:
    data = {"profit": [1.0] * len(ids), "m": values}
    return list(score_arrays(_CARD, data, abc=policy, ids=np.array(ids), measure="m")["abc"])


def _exact(policy: AbcPolicy, values: list[float], ids: list[str]) -> list[str]:
    # the columnar path reads each float as the decimal its shortest repr shows
    labels = classify_abc(policy, zip(ids, (D(repr(v)) for v in values), strict=True)).as_dict()
    return [labels[i] for i in ids]


@pytest.mark.parametrize("crossing", list(AbcCrossing))
def test_a_class_total_exactly_on_its_target_is_classed_as_the_exact_path_does(
    crossing: AbcCrossing,
) -> None:
    # 0.07 × 100 is 7.000000000000001 in floats: each 7 reaches a 7% target exactly
    policy = _group("0.07", "0.07", "0.14", crossing=crossing)
    values = [7.0] * 14 + [2.0]
    ids = [f"a{i:02}" for i in range(len(values))]
    exact = _exact(policy, values, ids)
    assert exact[:5] == ["K0", "K1", "K2", "K2", "K3"]
    assert _fast(policy, values, ids) == exact


def test_tenths_that_drift_in_floats_are_classed_as_the_exact_path_does() -> None:
    # 0.1 + 0.2 is 0.30000000000000004: the running totals drift off the targets
    policy = _group("0.3", "0.3", "0.1")
    values = [0.1] * 3 + [0.2] * 2 + [0.1] * 3
    ids = [f"a{i}" for i in range(len(values))]
    assert _fast(policy, values, ids) == _exact(policy, values, ids)


def test_grade_frame_adds_the_group_share_classes() -> None:
    frame = pd.DataFrame(
        {"account_id": ["x", "y", "z"], "profit": [1, 2, 3], "volume": [60, 25, 15]}
    )
    letters = load_preset("grading_letters", GradeLadder)
    graded = grade_frame(_CARD, letters, frame, abc=_water(), measure="volume")
    assert list(graded["abc"]) == ["A", "B", "C"]


def test_the_columnar_path_agrees_on_a_large_population() -> None:
    rnd = random.Random(7)
    values = [float(rnd.choice([0, 1, 2, 5, 10, 50, 100, 1000])) for _ in range(5000)]
    ids = [f"c{i:05}" for i in range(len(values))]
    for crossing in AbcCrossing:
        policy = attrs.evolve(_water(), crossing=crossing)
        assert _fast(policy, values, ids) == _exact(policy, values, ids)


_TARGETS = st.lists(st.integers(1, 60), min_size=0, max_size=4).filter(lambda t: sum(t) <= 100)


def _policy(targets: list[int], crossing: AbcCrossing) -> AbcPolicy:
    return _group(*(str(D(t) / 100) for t in targets), crossing=crossing)


@given(
    _TARGETS,
    st.sampled_from(list(AbcCrossing)),
    st.one_of(
        # whole numbers and percent targets: class totals often land on a target
        st.lists(st.integers(0, 20).map(float), max_size=30),
        # hundredths: the float running totals drift off the decimal ones
        st.lists(st.integers(0, 300).map(lambda c: c / 100), max_size=30),
    ),
)
def test_columnar_group_share_classes_agree_with_the_exact_path(
    targets: list[int], crossing: AbcCrossing, values: list[float]
) -> None:
    policy = _policy(targets, crossing)
    ids = [f"a{i:02}" for i in range(len(values))]
    assert _fast(policy, values, ids) == _exact(policy, values, ids)


@given(
    _TARGETS,
    st.sampled_from(list(AbcCrossing)),
    st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), st.integers(0, 20), max_size=15),
    st.randoms(),
)
def test_each_class_but_the_last_reaches_its_target_unless_the_accounts_ran_out(
    targets: list[int],
    crossing: AbcCrossing,
    measures: dict[str, int],
    rnd: random.Random,
) -> None:
    policy = _policy(targets, crossing)
    r = classify_abc(policy, measures)
    total = sum(measures.values())
    # a partition in rank order: the classes are consecutive runs of the ranking
    order = [policy.labels.index(a.label) for a in r.assignments]
    assert order == sorted(order)
    assert sum(c.count for c in r.classes) == len(measures)
    if measures:
        assert sum(c.share for c in r.classes) == 1
    items = list(measures.items())
    rnd.shuffle(items)
    assert classify_abc(policy, items) == r
    if not total:
        assert all(a.label == policy.labels[-1] for a in r.assignments)
        return
    held = {c.label: c.measure for c in r.classes}
    for k, b in enumerate(policy.breaks[:-1]):
        target = b.upto * total
        later = any(i > k for i in order)
        if crossing is AbcCrossing.JOINS:
            # reached, or every account is in this class or an earlier one
            assert held[b.label] >= target or not later
            # and the account that reached it was needed: without it, short of the target
            members = r.members(b.label)
            if members:
                assert held[b.label] - r.assignments[order.index(k) + len(members) - 1].measure < (
                    target
                )
        else:
            # within the target, and the account after it would have carried it past
            assert held[b.label] <= target
            if later:
                nxt = r.assignments[next(i for i, c in enumerate(order) if c > k)]
                assert held[b.label] + nxt.measure > target


@given(
    kst.group_share_policies(),
    st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3), st.integers(0, 1000), max_size=12),
)
def test_shipped_group_share_policies_classify_every_account_once(
    policy: AbcPolicy, measures: dict[str, int]
) -> None:
    result = classify_abc(policy, measures)
    assert set(result.as_dict()) == set(measures)
    assert policy.reading is AbcReading.GROUP_SHARE
