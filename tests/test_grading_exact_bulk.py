"""The lean, column-at-a-time exact path of ``kamcore grade``: the same results as grade_many.

Pins the private entry points the command's exact engine uses on a large CSV file —
:func:`kamcore.grading._batch._grade_columns`, :func:`kamcore.grading._pareto._abc_labels`,
:func:`kamcore.tables._load._account_columns`, :func:`kamcore.tables._cells._parse_column`,
:func:`kamcore._output.stream_rows` — against the general objects and functions.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamcore._output import render, stream_rows
from kamcore.cli import _grade_exact, main
from kamcore.grading import (
    AbcBreak,
    AbcCrossing,
    AbcMethod,
    AbcPolicy,
    AbcReading,
    AccountFacts,
    Criterion,
    Direction,
    GradeBand,
    GradeLadder,
    Normaliser,
    WeightedScorecard,
    classify_abc,
    grade_many,
)
from kamcore.grading._batch import _grade_columns
from kamcore.grading._compiled import _contribution_of, _linear_column
from kamcore.grading._facts import FIGURES
from kamcore.grading._normalisers import _ascending
from kamcore.grading._pareto import _abc_labels
from kamcore.presets import load_preset
from kamcore.tables import read_accounts
from kamcore.tables._cells import _parse_column, parse_numbers
from kamcore.tables._load import _account_columns

_HEADINGS = (
    "客户编号",
    "客户名称",
    "所属区域",
    "合同量",
    "单价",
    "销售收入",
    "开票金额",
    "回款金额",
    "利润",
    "质量损失",
    "行业影响力",
    "商业信誉",
)
_CRITERIA = (
    "contract_volume",
    "unit_price",
    "sales_revenue",
    "collection_rate",
    "profit",
    "quality_losses",
    "industry_influence",
    "business_reputation",
)


def _amount(rng: random.Random, low: int, high: int) -> str:
    """An amount as people type it: plain, or the way Excel shows it."""
    value = Decimal(rng.randint(low * 100, high * 100)) / 100
    style = rng.random()
    if style < 0.1:
        return f"¥{value:,.2f}"
    if style < 0.2:
        return f"{value:,.2f}"
    return f"{value:.2f}"


def _write(path: Path, n: int, seed: int = 3) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(_HEADINGS)
        for i in range(n):
            invoiced = rng.randint(1_000, 900_000)
            w.writerow(
                [
                    f"KA{i:05d}",
                    f"客户{i}",
                    rng.choice(["华东", "华南", "西北"]),
                    _amount(rng, 0, 5_000_000),
                    _amount(rng, 0, 400),
                    _amount(rng, 0, 2_000_000),
                    f"{invoiced}.00",
                    f"{rng.randint(0, invoiced)}.00",
                    _amount(rng, -50_000, 900_000),
                    rng.choice(["0.00", "0.00", "1500.00", "60000.00"]),
                    str(rng.randint(0, 10)),
                    str(rng.randint(1, 5)),
                ]
            )
    return path


def _facts(rng: random.Random, n: int) -> list[AccountFacts]:
    return [
        AccountFacts(
            f"a{i:04d}",
            contract_volume=rng.randint(0, 10**7),
            unit_price=Decimal(rng.randint(1, 40_000)) / 100,
            sales_revenue=rng.choice([0, 5_000, 5_000, rng.randint(0, 10**6)]),
            invoiced=(v := rng.randint(1, 10**6)),
            collected=rng.randint(0, v),
            profit=rng.randint(-(10**5), 10**6),
            quality_losses=rng.choice([0, 0, 1, 9_999, 50_000, 300_000]),
            industry_influence=rng.randint(0, 10),
            business_reputation=rng.randint(1, 5),
        )
        for i in range(n)
    ]


def _columns_of(facts: Sequence[AccountFacts]) -> dict[str, list[Decimal | None]]:
    return {f: [x.figure(f) for x in facts] for f in (*FIGURES, "collection_rate")}


@pytest.mark.parametrize("measure", ["sales_revenue", "score", "profit_free"])
@pytest.mark.parametrize("explain", [False, True])
def test_grade_columns_is_grade_many(measure: str, *, explain: bool) -> None:
    """Totals, grades, contributions and classes: as grade_many's, value and form."""
    facts = _facts(random.Random(11), 400)
    model = load_preset("grading_scorecard", WeightedScorecard)
    ladder = load_preset("grading_letters", GradeLadder)
    abc = None if measure == "profit_free" else load_preset("grading_abc", AbcPolicy)
    by = "sales_revenue" if measure == "profit_free" else measure
    batch = grade_many(model, ladder, facts, abc=abc, measure=by)
    cols = _columns_of(facts)
    ids = [f.account_id for f in facts]
    lean = _grade_columns(model, ladder, ids, cols.get, abc=abc, measure=by, explain=explain)
    assert lean is not None
    assert lean.model == model.fit(facts)
    assert [str(t) for t in lean.totals] == [str(g.score.total) for g in batch.graded]
    assert lean.grades == [g.grade for g in batch.graded]
    if abc is None:
        assert lean.abc is None
    else:
        assert batch.abc is not None
        assert lean.abc == [batch.abc.as_dict()[i] for i in ids]
    if explain:
        for k, c in enumerate(model.criteria):
            got = [str(v) for v in lean.contributions[c.name]]
            assert got == [str(g.score.contributions[k]) for g in batch.graded]
    else:
        assert lean.contributions == {}


def test_grade_columns_settles_totals_past_the_scale() -> None:
    """Thirds rounded up carry a total past 100: settled as the general loop settles it."""
    card = WeightedScorecard(
        (
            Criterion("profit", "0.335", Normaliser.linear(0, 1)),
            Criterion("sales_revenue", "0.335", Normaliser.linear(0, 1)),
            Criterion("unit_price", "0.33", Normaliser.linear(0, 1)),
        ),
        places=0,
    )
    ladder = GradeLadder((GradeBand("A", 50, 100), GradeBand("B", 0, 50)))
    facts = [
        AccountFacts(f"x{i}", profit=1, sales_revenue=1, unit_price=Decimal(i) / 4)
        for i in range(5)
    ]
    batch = grade_many(card, ladder, facts)
    ids = [f.account_id for f in facts]
    lean = _grade_columns(card, ladder, ids, _columns_of(facts).get, explain=True)
    assert lean is not None
    assert [str(t) for t in lean.totals] == [str(g.score.total) for g in batch.graded]
    assert max(lean.totals) == 100
    for k, c in enumerate(card.criteria):
        assert lean.contributions[c.name] == [g.score.contributions[k] for g in batch.graded]


def test_grade_columns_leaves_what_it_does_not_cover_to_grade_many() -> None:
    """A missing figure, a negative ABC measure, a duplicate id: None (grade_many says why)."""
    facts = _facts(random.Random(5), 20)
    model = load_preset("grading_scorecard", WeightedScorecard)
    ladder = load_preset("grading_letters", GradeLadder)
    abc = load_preset("grading_abc", AbcPolicy)
    ids = [f.account_id for f in facts]
    cols = _columns_of(facts)
    holed = {**cols, "profit": [None, *cols["profit"][1:]]}
    assert _grade_columns(model, ladder, ids, holed.get) is None
    assert _grade_columns(model, ladder, ids, cols.get, abc=abc, measure="profit") is None
    assert _grade_columns(model, ladder, [ids[0], *ids[:-1]], cols.get) is None
    assert _grade_columns(model, ladder, ids, cols.get, abc=abc, measure="extra_x") is None


_CUMULATIVE = st.builds(
    lambda cuts, method, crossing: AbcPolicy(
        tuple(AbcBreak(label, upto) for label, upto in zip("ABCD", cuts, strict=False)),
        method=method,
        crossing=crossing,
    ),
    st.sampled_from(
        [
            (Decimal("0.5"), Decimal("0.8"), Decimal(1)),
            (Decimal("0.8"), Decimal("0.95"), Decimal(1)),
            (Decimal("0.2"), Decimal(1)),
            (Decimal(1),),
        ]
    ),
    st.sampled_from(list(AbcMethod)),
    st.sampled_from(list(AbcCrossing)),
)
_GROUP_SHARE = st.builds(
    lambda cuts, crossing: AbcPolicy(
        tuple(AbcBreak(label, upto) for label, upto in zip("ABCD", cuts, strict=False)),
        crossing=crossing,
        reading=AbcReading.GROUP_SHARE,
    ),
    st.sampled_from(
        [
            (Decimal("0.5"), Decimal("0.2"), Decimal("0.1"), Decimal(1)),
            (Decimal("0.8"), Decimal(1)),
            (Decimal(1),),
        ]
    ),
    st.sampled_from(list(AbcCrossing)),
)
_POLICIES = _CUMULATIVE | _GROUP_SHARE


@given(
    policy=_POLICIES,
    measures=st.lists(
        st.sampled_from(
            [Decimal(0), Decimal(1), Decimal("1.0"), Decimal("1.00"), Decimal(3), Decimal(10)]
        )
        | st.decimals(min_value=0, max_value=1000, places=2),
        min_size=0,
        max_size=40,
    ),
    shuffle=st.randoms(use_true_random=False),
)
def test_abc_labels_are_classify_abcs_classes(
    policy: AbcPolicy, measures: list[Decimal], shuffle: random.Random
) -> None:
    """Ties in the measure (equal values written alike or not), every reading and crossing."""
    ids = [f"k{i:03d}" for i in range(len(measures))]
    shuffle.shuffle(ids)  # ties are broken by id, not by input order
    labels = _abc_labels(policy, ids, measures)
    assert labels == [
        classify_abc(policy, list(zip(ids, measures, strict=True))).as_dict()[i] for i in ids
    ]


def test_abc_labels_refuse_what_classify_abc_refuses() -> None:
    policy = load_preset("grading_abc", AbcPolicy)
    assert _abc_labels(policy, ["a", "b"], [Decimal(1), Decimal(-1)]) is None
    assert _abc_labels(policy, ["a", "a"], [Decimal(1), Decimal(2)]) is None
    assert _abc_labels(policy, ["a"], [Decimal(1), Decimal(2)]) is None
    assert _abc_labels(policy, [], []) == []


@given(st.lists(st.decimals(min_value=-5, max_value=5, places=3), max_size=60))
def test_ascending_is_sorted(values: list[Decimal]) -> None:
    """The float-first sort gives sorted()'s list: the same objects in the same order."""
    values += [Decimal("1.0"), Decimal("1.00"), Decimal(1), Decimal("0.1000000000000000000001")]
    values += [Decimal("0.1"), Decimal("0.10000000000000000000001")]
    got = _ascending(list(values))
    assert [id(v) for v in got] == [id(v) for v in sorted(values)]


_CELLS = st.sampled_from(
    [
        "0",
        "12",
        "0.50",
        "348553.61",
        "¥348,553.61",
        "￥1200",
        "36,317.85",
        "1,234,567",
        "-5",
        "-0",
        "(1,200.00)",
        "",
        " ",
        "1.5万",
        "１２３",
        "1e5",
        "5.",
        ".5",
        "1234,567",
        "abc",
        "9" * 16,
        "1." + "1" * 11,
        "¥" + "1" * 16,
    ]
) | st.decimals(min_value=0, max_value=10**9, places=2).map(lambda d: f"{d:,}")


@given(cells=st.lists(_CELLS, max_size=30), suffixes=st.booleans(), repeat=st.booleans())
def test_parse_column_is_parse_numbers(cells: list[str], *, suffixes: bool, repeat: bool) -> None:
    """The same numbers, in the same form; None exactly when parse_numbers refuses a cell."""
    if repeat:
        cells = (cells or ["1"]) * (2048 // len(cells or ["1"]) + 1)
    values, errors = parse_numbers(cells, suffixes=suffixes)
    got = _parse_column(cells, suffixes=suffixes)
    if errors:
        assert got is None
    else:
        assert got is not None
        assert [str(v) for v in got] == [str(v) for v in values]


def test_parse_column_with_a_line_break_in_a_cell() -> None:
    assert _parse_column(["1", "2\n3", "4"]) is None
    assert _parse_column(["1", "¥2,000", "3"]) == [Decimal(1), Decimal(2000), Decimal(3)]


def test_account_columns_are_read_accounts(tmp_path: Path) -> None:
    path = _write(tmp_path / "accounts.csv", 300)
    rows = read_accounts(path, columns="presets:columns_source")
    cols = _account_columns(path, columns="presets:columns_source", require=_CRITERIA)
    assert cols is not None
    assert cols.ids == [f.account_id for f in rows.facts]
    for f in FIGURES:
        assert [str(v) for v in cols.figures[f]] == [str(x.figure(f)) for x in rows.facts]
    assert cols.keep == rows.keep
    assert cols.headings == rows.headings
    assert [
        dict(zip(cols.keep, r, strict=True)) for r in zip(*cols.kept.values(), strict=True)
    ] == [dict(k) for k in rows.kept]


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.replace("KA00007,", "KA00006,", 1),  # a repeated id
        lambda t: t.replace(",1500.00,", ",oops,", 1),  # a bad cell
        lambda t: t.replace(",1500.00,", ",,", 1),  # a blank figure the model needs
        lambda t: t + "KA99999,x\n",  # a ragged row
        lambda t: t.replace("利润", "Profitt"),  # an absent column
    ],
)
def test_account_columns_leave_a_problem_to_read_accounts(tmp_path: Path, change: object) -> None:
    path = _write(tmp_path / "accounts.csv", 50)
    text = path.read_text(encoding="utf-8-sig")
    assert callable(change)
    path.write_text(change(text), encoding="utf-8")
    got = _account_columns(
        path, columns="presets:columns_source", require=_CRITERIA, complete=_CRITERIA
    )
    assert got is None


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_stream_rows_is_render(fmt: str) -> None:
    records = [{"id": f"a{i}", "name": '客户, "甲"', "n": f"{i}.50"} for i in range(20_000)]
    rows = [list(r.values()) for r in records]
    assert "".join(stream_rows(["id", "name", "n"], rows, fmt)) == render(records, fmt)
    assert "".join(stream_rows(["id"], [], fmt)) == render([], fmt, columns=["id"])


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "csv"],
        ["--format", "json", "--explain"],
        ["--format", "table", "--lang", "zh"],
        ["--format", "csv", "--abc", "none", "--bom"],
        ["--format", "csv", "--by", "score", "--explain", "--lang", "zh"],
        ["--format", "table", "--keep", "所属区域"],
    ],
)
def test_the_lean_command_writes_what_the_general_one_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str]
) -> None:
    """The same bytes, with and without the lean path (which is taken)."""
    path = _write(tmp_path / "accounts.csv", 500)
    argv = ["grade", str(path), "--columns", "presets:columns_source", "--engine", "exact"]
    taken: list[bool] = []
    lean = _grade_exact._grade_lean

    def spy(args: argparse.Namespace, *a: object, **k: object) -> bool:
        taken.append(lean(args, *a, **k))  # type: ignore[arg-type]
        return taken[-1]

    monkeypatch.setattr(_grade_exact, "_grade_lean", spy)
    assert main([*argv, *options, "--out", str(tmp_path / "lean.txt")]) == 0
    assert taken == [True]
    monkeypatch.setattr(_grade_exact, "_grade_lean", lambda *_, **__: False)
    assert main([*argv, *options, "--out", str(tmp_path / "general.txt")]) == 0
    lean_bytes = (tmp_path / "lean.txt").read_bytes()
    assert lean_bytes == (tmp_path / "general.txt").read_bytes()
    assert lean_bytes.count(b"KA00") >= 500


@given(
    figures=st.lists(st.decimals(min_value=-3, max_value=3, places=4), min_size=1, max_size=80),
    bounds=st.sampled_from([("0.5", "1"), ("0", "10"), ("-1", "1.5"), ("0.1", "0.3")]),
    lower=st.booleans(),
)
def test_linear_column_is_the_scorer_a_figure_at_a_time(
    figures: list[Decimal], bounds: tuple[str, str], *, lower: bool
) -> None:
    """Figures inside, at and past both bounds; higher or lower is better."""
    lo, hi = map(Decimal, bounds)
    figures = [*figures, lo, hi, lo - 1, hi + 1]
    card = WeightedScorecard(
        [
            Criterion(
                "collection_rate",
                1,
                Normaliser.linear(lo, hi),
                direction=Direction.LOWER if lower else Direction.HIGHER,
            )
        ]
    )
    (c,) = card.criteria
    points, exp, quantize = c.weight * card.scale, card._exp, card._quantize
    got = _linear_column(c, points, exp, quantize, figures)
    want = list(map(_contribution_of(c, points, exp, quantize), figures))
    assert got is not None
    assert [str(v) for v in got] == [str(v) for v in want]
    steps = Criterion("collection_rate", 1, Normaliser.step_table([(1, "0.5")]))
    assert _linear_column(steps, points, exp, quantize, figures) is None


def test_abc_labels_with_few_ties_among_many_measures() -> None:
    """Mostly distinct measures (ties sorted by id only where floats are equal)."""
    rng = random.Random(7)
    measures = [Decimal(rng.randint(0, 10**6)) / 100 for _ in range(3000)]
    measures += [measures[5], measures[9], measures[9], Decimal(f"{measures[9]}0")]
    ids = [f"k{i:05d}" for i in range(len(measures))]
    rng.shuffle(ids)
    for policy in (load_preset("grading_abc", AbcPolicy), *_sample_policies()):
        labels = _abc_labels(policy, ids, measures)
        by_id = classify_abc(policy, list(zip(ids, measures, strict=True))).as_dict()
        assert labels == [by_id[i] for i in ids]


def _sample_policies() -> list[AbcPolicy]:
    return [
        AbcPolicy(
            breaks=(AbcBreak("A", Decimal("0.7")), AbcBreak("B", Decimal(1))),
            crossing=crossing,
        )
        for crossing in AbcCrossing
    ]


def test_stream_rows_joins_plain_csv_and_quotes_the_rest() -> None:
    """Chunks of plain cells are joined; a chunk with a cell to quote is written by csv."""
    rows = [[f"a{i}", "华东", f"{i}.50"] for i in range(20_000)]
    rows[15_000][1] = "甲, 乙"
    rows[15_001][1] = 'say "hi"'
    rows[15_002][1] = "two\nlines"
    rows[15_003][1] = "cr\r"
    rows[15_004][1] = ""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "region", "n"])
    writer.writerows(rows)
    assert "".join(stream_rows(["id", "region", "n"], rows, "csv")) == buf.getvalue()
    one = [[""], ["x"]]  # a row of one empty cell is written as ""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([["id"], *one])
    assert "".join(stream_rows(["id"], one, "csv")) == buf.getvalue()


def test_parse_column_reads_excel_amounts_at_once_as_one_at_a_time() -> None:
    """A column of plain and Excel-written amounts; one too long for the quick reading."""
    cells = ["348553.61", "¥348,553.61", "￥1200", "36,317.85", "1,234,567", "0.5"] * 300
    values, errors = parse_numbers(cells)
    assert not errors
    got = _parse_column(cells)
    assert got is not None
    assert [str(v) for v in got] == [str(v) for v in values]
    long = [*cells, "¥" + "1" * 16, "¥1." + "1" * 11]
    values, errors = parse_numbers(long)
    got = _parse_column(long)
    if errors:
        assert got is None
    else:
        assert got is not None
        assert [str(v) for v in got] == [str(v) for v in values]
