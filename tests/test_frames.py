"""DataFrames of every batch result: exact values, stable columns, empty inputs."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kamcore
from kamcore._frames import frame, plain, rows_to_frame
from kamcore.archive import (
    SOURCE_LENDING_POLICY,
    SOURCE_REVIEW_POLICY,
    Borrower,
    Confidentiality,
    Dossier,
    Role,
    create,
    lend,
    overdue_reviews,
    return_loan,
    review,
)
from kamcore.errors import ValidationError
from kamcore.grading import (
    AbcBreak,
    AbcPolicy,
    AccountFacts,
    Batch,
    Criterion,
    GradeBand,
    GradeLadder,
    Normaliser,
    WeightedScorecard,
    classify_abc,
    grade_many,
)
from kamcore.money import Money, Rate, Rounding, as_decimal
from kamcore.pipeline import (
    Playbook,
    StaleOpportunity,
    WeightedRow,
    find_stale,
    forecast,
    log_activity,
    open_opportunity,
    record_evidence,
    weighted_pipeline,
)
from kamcore.presets import load_preset
from kamcore.rebate import RebateQuote, TierMode, TierSchedule, quote, quotes_frame
from kamcore.store import InMemoryRepository

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

SALES = {"a": 500, "b": 250, "c": 100, "d": 60, "e": 40, "f": 30, "g": 20}
PARETO = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", "0.95"), AbcBreak("C", 1)))
ACCOUNT_COLUMNS = ["account_id", "measure", "rank", "cumulative_share", "class"]
CLASS_COLUMNS = ["class", "count", "count_share", "measure", "share"]
QUOTE_COLUMNS = [
    "tier",
    "rate",
    "basis",
    "base",
    "rebate",
    "currency",
    "mode",
    "to_next_tier",
    "rebate_at_next_tier",
]
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def source() -> TierSchedule:
    return load_preset("rebate_source", TierSchedule)


@pytest.fixture(scope="module")
def sales() -> Playbook:
    return load_preset("pipeline_project_sales", Playbook)


def _opened(pb: Playbook, opp_id: str, amount: str, owner: str, close_on: date) -> object:
    opp, _ = open_opportunity(
        pb,
        id=opp_id,
        account=f"acct-{opp_id}",
        amount=Money(amount),
        owner=owner,
        on=date(2026, 3, 2),
        expected_close=close_on,
    )
    return opp


# -- the helpers -----------------------------------------------------------------------


def test_a_frame_has_exactly_the_columns_asked_for_in_order_and_exact_values() -> None:
    records = [
        {"n": 1, "amount": Decimal("1.10"), "day": date(2026, 1, 2), "note": None, "x": "left"},
        {"n": 2, "amount": Decimal("0.333"), "day": None, "note": "y", "x": "out"},
    ]
    f = frame(records, ["note", "amount", "day", "n"])
    assert list(f.columns) == ["note", "amount", "day", "n"]
    assert f["amount"].tolist() == [Decimal("1.10"), Decimal("0.333")]
    assert f["amount"].dtype == object
    assert f["day"].tolist() == [date(2026, 1, 2), None]
    assert f["note"].tolist() == [None, "y"]
    assert f["n"].dtype == "int64"
    assert f["n"].tolist() == [1, 2]


def test_a_frame_of_no_records_still_has_its_columns() -> None:
    f = frame([], ["a", "b"])
    assert list(f.columns) == ["a", "b"]
    assert len(f) == 0


def test_a_frame_keeps_bools_as_bools_and_huge_ints_exact() -> None:
    f = frame([{"ok": True, "big": 2**70}, {"ok": False, "big": 1}], ["ok", "big"])
    assert f["ok"].dtype == bool
    assert f["big"].tolist() == [2**70, 1]


def test_a_frame_keeps_aware_datetimes_as_they_are() -> None:
    f = frame([{"at": T0}, {"at": None}], ["at"])
    assert f["at"].tolist() == [T0, None]


def test_a_record_missing_a_column_is_refused_naming_the_record() -> None:
    with pytest.raises(ValidationError, match="missing column") as caught:
        frame([{"a": 1}, {"b": 2}], ["a"])
    assert caught.value.field == "records[1]"


def test_a_column_named_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="duplicate column name"):
        frame([], ["a", "a"])


def test_without_pandas_a_frame_is_refused_with_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ValidationError, match=r"kamcore\[frames\]") as caught:
        classify_abc(PARETO, SALES).to_frame()
    assert caught.value.field == "pandas"
    assert caught.value.problem == "pandas is not installed"


def test_plain_turns_money_rates_and_enums_into_their_values() -> None:
    assert plain(Money("12.50", "USD")) == Decimal("12.50")
    assert plain(Rate.percent(8)) == Decimal("0.08")
    assert plain(Rounding.HALF_EVEN) == "half_even"
    assert plain(date(2026, 1, 1)) == date(2026, 1, 1)
    assert plain(None) is None


# -- the generic converter ---------------------------------------------------------------


def test_the_generic_converter_is_public_as_kamcore_to_frame() -> None:
    assert kamcore.to_frame is rows_to_frame
    assert "to_frame" in kamcore.__all__


def test_any_rows_convert_with_one_column_per_field_and_plain_values(sales: Playbook) -> None:
    book = [
        _opened(sales, "a", "800000", "li", date(2026, 5, 15)),
        _opened(sales, "b", "500000", "wang", date(2026, 6, 20)),
    ]
    rows = weighted_pipeline(sales, book)  # type: ignore[arg-type]
    f = kamcore.to_frame(rows)
    assert list(f.columns) == [a.name for a in attrs.fields(WeightedRow)]
    assert list(f.columns) == ["owner", "period", "count", "amount", "weighted"]
    assert f.to_dict("records") == [
        {
            "owner": "li",
            "period": "2026-05",
            "count": 1,
            "amount": Decimal("800000"),
            "weighted": Decimal("80000.00"),
        },
        {
            "owner": "wang",
            "period": "2026-06",
            "count": 1,
            "amount": Decimal("500000"),
            "weighted": Decimal("50000.00"),
        },
    ]


def test_stale_opportunities_convert_to_a_frame(sales: Playbook) -> None:
    book = [_opened(sales, "a", "800000", "li", date(2026, 5, 15))]
    found = find_stale(sales, book, as_of=date(2026, 5, 20))  # type: ignore[arg-type]
    f = kamcore.to_frame(found)
    assert list(f.columns) == ["opportunity", "owner", "stage", "days", "limit", "over"]
    assert f.to_dict("records") == [
        {
            "opportunity": "a",
            "owner": "li",
            "stage": "development",
            "days": 79,
            "limit": 60,
            "over": 19,
        }
    ]


def test_overdue_reviews_convert_to_a_frame_with_dates_and_none_kept() -> None:
    a, _ = create(Dossier(id="K-A", name="a"), by="li", at=T0)
    c, _ = create(Dossier(id="K-C", name="c"), by="li", at=T0)
    late = overdue_reviews(
        SOURCE_REVIEW_POLICY,
        [a, c],
        [review(a, on=date(2026, 1, 10), by="x")],
        as_of=date(2026, 4, 10),
    )
    f = kamcore.to_frame(late)
    assert list(f.columns) == ["dossier_id", "last_review", "due", "days_overdue"]
    assert f.to_dict("records") == [
        {"dossier_id": "K-C", "last_review": None, "due": date(2026, 3, 5), "days_overdue": 36},
        {
            "dossier_id": "K-A",
            "last_review": date(2026, 1, 10),
            "due": date(2026, 3, 10),
            "days_overdue": 31,
        },
    ]


def test_a_stores_loans_convert_to_a_frame_with_levels_and_roles_as_values() -> None:
    repo = InMemoryRepository()
    d = repo.add(create(Dossier(id="K-1", name="k"), by="li", at=T0)[1])
    loan, _ = lend(
        SOURCE_LENDING_POLICY,
        d,
        Borrower("周总", Role.EXECUTIVE),
        at=T0,
        hours=1,
        loan_id="L-1",
    )
    repo.record_loan(loan)
    repo.record_loan(return_loan(loan, at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))[0])
    f = kamcore.to_frame(repo.loans())
    assert list(f.columns) == [
        "id",
        "dossier_id",
        "level",
        "borrower",
        "borrower_role",
        "lent_at",
        "due_at",
        "approved_by",
        "requested_by",
        "purpose",
        "returned_at",
        "delegation",
    ]
    (row,) = f.to_dict("records")
    assert row["level"] == Confidentiality.UNCLASSIFIED.value == d.confidentiality.value
    assert row["borrower_role"] == Role.EXECUTIVE.value
    assert row["lent_at"] == T0
    assert row["returned_at"] == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def test_no_rows_give_an_empty_frame_without_columns() -> None:
    f = kamcore.to_frame(())
    assert f.shape == (0, 0)


def test_private_fields_are_left_out_of_a_frame() -> None:
    @attrs.frozen
    class Row:
        name: str
        _cache: int = 0

    f = kamcore.to_frame([Row("x", 3)])
    assert list(f.columns) == ["name"]


def test_an_item_that_is_not_an_attrs_row_is_refused_naming_its_index() -> None:
    row = StaleOpportunity("o", "li", "bidding", 5, 3, 2)
    with pytest.raises(ValidationError, match="not an attrs row") as caught:
        kamcore.to_frame([row, {"opportunity": "p"}])
    assert caught.value.field == "rows[1]"
    with pytest.raises(ValidationError, match="not an attrs row") as caught:
        kamcore.to_frame(["text"])
    assert caught.value.field == "rows[0]"


def test_rows_of_different_kinds_are_refused_naming_the_odd_one() -> None:
    row = StaleOpportunity("o", "li", "bidding", 5, 3, 2)
    other = WeightedRow("li", "*", 1, Money("1"), Money("1"))
    with pytest.raises(ValidationError, match="another kind") as caught:
        kamcore.to_frame([row, row, other])
    assert caught.value.field == "rows[2]"


def test_a_single_row_is_refused_with_a_hint_to_wrap_it() -> None:
    row = StaleOpportunity("o", "li", "bidding", 5, 3, 2)
    with pytest.raises(ValidationError, match=r"\[row\]"):
        kamcore.to_frame(row)  # type: ignore[arg-type]


# -- ABC -------------------------------------------------------------------------------


def test_abc_records_list_every_account_in_rank_order_with_exact_shares() -> None:
    r = classify_abc(PARETO, SALES)
    records = r.records()
    assert [list(x) for x in records] == [ACCOUNT_COLUMNS] * 7
    assert records[0] == {
        "account_id": "a",
        "measure": Decimal(500),
        "rank": 1,
        "cumulative_share": Decimal("0.500000000000"),
        "class": "A",
    }
    assert records == r.records("accounts")
    assert [x["class"] for x in records] == list(r.as_dict().values())


def test_abc_as_a_frame_has_the_account_columns_and_decimal_values() -> None:
    r = classify_abc(PARETO, SALES)
    f = r.to_frame()
    assert list(f.columns) == ACCOUNT_COLUMNS
    assert f["account_id"].tolist() == ["a", "b", "c", "d", "e", "f", "g"]
    assert f["class"].tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    assert f["measure"].tolist() == [Decimal(v) for v in (500, 250, 100, 60, 40, 30, 20)]
    assert f["cumulative_share"].tolist() == [a.cumulative_share for a in r.assignments]
    assert all(type(v) is Decimal for v in f["cumulative_share"])
    assert f["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7]


def test_abc_classes_view_has_one_row_per_class_with_exact_shares() -> None:
    r = classify_abc(PARETO, SALES)
    f = r.to_frame("classes")
    assert list(f.columns) == CLASS_COLUMNS
    assert f.to_dict("records") == [
        {
            "class": "A",
            "count": 3,
            "count_share": Decimal(3) / 7,
            "measure": Decimal(850),
            "share": Decimal("0.850000000000"),
        },
        {
            "class": "B",
            "count": 2,
            "count_share": Decimal(2) / 7,
            "measure": Decimal(100),
            "share": Decimal("0.100000000000"),
        },
        {
            "class": "C",
            "count": 2,
            "count_share": Decimal(2) / 7,
            "measure": Decimal(50),
            "share": Decimal("0.050000000000"),
        },
    ]
    assert sum(f["share"]) == 1
    assert r.records("classes") == f.to_dict("records")


def test_an_empty_abc_population_gives_frames_with_their_columns() -> None:
    r = classify_abc(PARETO, {})
    accounts = r.to_frame()
    assert list(accounts.columns) == ACCOUNT_COLUMNS
    assert len(accounts) == 0
    classes = r.to_frame("classes")
    assert list(classes.columns) == CLASS_COLUMNS
    assert classes["count"].tolist() == [0, 0, 0]


def test_an_unknown_abc_view_is_refused_naming_both_choices() -> None:
    r = classify_abc(PARETO, SALES)
    for bad in ("members", ["accounts"]):
        with pytest.raises(ValidationError, match="'accounts' or 'classes'") as caught:
            r.to_frame(bad)  # type: ignore[arg-type]
        assert caught.value.field == "view"
    with pytest.raises(ValidationError, match="unknown view"):
        r.records("Accounts")


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=6),
        st.integers(min_value=0, max_value=10**9) | st.decimals(0, 10**6, places=2),
        max_size=25,
    )
)
def test_an_abc_frame_has_one_row_per_account_and_its_classes_match_as_dict(
    measures: dict[str, object],
) -> None:
    result = classify_abc(PARETO, measures)
    f = result.to_frame()
    assert len(f) == len(measures)
    assert sorted(f["account_id"]) == sorted(measures)
    assert dict(zip(f["account_id"], f["class"], strict=True)) == result.as_dict()
    assert list(f["class"]) == list(result.as_dict().values())


# -- grading batch -----------------------------------------------------------------------


def test_a_batch_frame_keeps_its_columns_and_exact_values() -> None:
    card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 10)),))
    ladder = GradeLadder((GradeBand("A", 50, 100), GradeBand("B", 0, 50)))
    population = [AccountFacts("x", sales_revenue=7), AccountFacts("y", sales_revenue=2)]
    batch = grade_many(card, ladder, population, abc=PARETO)
    f = batch.to_frame()
    assert list(f.columns) == list(batch.columns())
    assert list(f.columns)[:4] == ["account_id", "total", "grade", "abc"]
    assert f["sales_revenue.contribution"].tolist() == [Decimal("70.00"), Decimal("20.00")]
    assert f["grade"].tolist() == ["A", "B"]
    empty = Batch(()).to_frame()
    assert list(empty.columns) == ["account_id", "total", "grade"]
    assert len(empty) == 0


# -- pipeline forecast -----------------------------------------------------------------


def test_forecast_records_hold_the_category_value_and_decimal_amounts(sales: Playbook) -> None:
    book = [
        _opened(sales, "a", "800000", "li", date(2026, 5, 15)),
        _opened(sales, "b", "500000", "wang", date(2026, 6, 20)),
    ]
    fc = forecast(sales, book, period="2026-Q2")  # type: ignore[arg-type]
    expected = [
        {
            "category": "pipeline",
            "count": 2,
            "amount": Decimal(1300000),
            "cumulative": Decimal(1300000),
        },
        {"category": "best_case", "count": 0, "amount": Decimal(0), "cumulative": Decimal(0)},
        {"category": "commit", "count": 0, "amount": Decimal(0), "cumulative": Decimal(0)},
        {"category": "closed", "count": 0, "amount": Decimal(0), "cumulative": Decimal(0)},
        {"category": "omitted", "count": 0, "amount": Decimal(0), "cumulative": None},
    ]
    assert fc.records() == expected
    f = fc.to_frame()
    assert list(f.columns) == ["category", "count", "amount", "cumulative"]
    assert f.to_dict("records") == expected
    assert all(type(v) is Decimal for v in f["amount"])


def test_a_forecast_of_nothing_has_five_zero_rows_with_omitted_last(sales: Playbook) -> None:
    f = forecast(sales, []).to_frame()
    assert f["category"].tolist() == ["pipeline", "best_case", "commit", "closed", "omitted"]
    assert f["amount"].tolist() == [Decimal(0)] * 5


def test_a_quotes_frame_with_ids_has_the_commands_account_id_column_first(
    source: TierSchedule,
) -> None:
    f = quotes_frame([quote(source, basis="150000")], ids=["KH1"])
    assert list(f.columns)[:2] == ["account_id", "tier"]
    assert f["account_id"].tolist() == ["KH1"]
    with pytest.raises(ValidationError, match="ids: a different number of ids"):
        quotes_frame([quote(source, basis="1")], ids=["a", "b"])


# -- rebate quotes -----------------------------------------------------------------------


def test_a_quote_record_names_the_tier_and_holds_exact_amounts(source: TierSchedule) -> None:
    q = quote(source, basis="200000", base="180000")
    assert q.record() == {
        "tier": "200,000–1,000,000",
        "rate": Decimal("0.08"),
        "basis": Decimal(200000),
        "base": Decimal(180000),
        "rebate": Decimal("14400.00"),
        "currency": "CNY",
        "mode": "whole_amount",
        "to_next_tier": Decimal(800000),
        "rebate_at_next_tier": Decimal("98000.00"),
    }
    assert list(q.record()) == QUOTE_COLUMNS


def test_a_quote_in_the_top_tier_has_nothing_next(source: TierSchedule) -> None:
    record = quote(source, basis="1000000", base="900000").record()
    assert record["tier"] == "1,000,000+"
    assert record["to_next_tier"] is None
    assert record["rebate_at_next_tier"] is None


def test_a_graduated_quote_records_its_mode(source: TierSchedule) -> None:
    graduated = attrs.evolve(source, mode=TierMode.GRADUATED)
    assert quote(graduated, basis="300000").record()["mode"] == "graduated"


def test_a_quote_as_a_frame_is_one_row(source: TierSchedule) -> None:
    q = quote(source, basis="200000", base="180000")
    f = q.to_frame()
    assert list(f.columns) == QUOTE_COLUMNS
    assert f.to_dict("records") == [q.record()]


def test_many_quotes_make_one_frame_in_order(source: TierSchedule) -> None:
    quotes = [quote(source, basis=b) for b in ("150000", "200000", "1200000")]
    f = quotes_frame(iter(quotes))
    assert list(f.columns) == QUOTE_COLUMNS
    assert f.to_dict("records") == [q.record() for q in quotes]
    assert f["rebate"].tolist() == [Decimal("7500.00"), Decimal("16000.00"), Decimal("120000.00")]
    assert f["to_next_tier"].tolist() == [Decimal(50000), Decimal(800000), None]


def test_no_quotes_make_an_empty_frame_with_the_quote_columns() -> None:
    f = quotes_frame([])
    assert list(f.columns) == QUOTE_COLUMNS
    assert len(f) == 0


def test_an_item_that_is_not_a_quote_is_refused_naming_its_index(source: TierSchedule) -> None:
    q = quote(source, basis="1")
    with pytest.raises(ValidationError, match="not a quote") as caught:
        quotes_frame([q, q.rebate])  # type: ignore[list-item]
    assert caught.value.field == "quotes[1]"
    assert isinstance(q, RebateQuote)


# -- numpy integers are exact ----------------------------------------------------------


def test_numpy_integers_are_accepted_as_exactly_as_ints() -> None:
    assert as_decimal(np.int64(5)) == Decimal(5)
    assert type(as_decimal(np.int32(-3))) is Decimal
    assert as_decimal(np.uint8(255)) == Decimal(255)
    assert Money(np.int64(7)) == Money(7)
    assert AccountFacts("a", sales_revenue=np.int64(5)).sales_revenue == Decimal(5)
    assert Money("2.50") * np.int64(3) == Money("7.50")
    assert Money("9") / np.int16(3) == Money("3")


def test_numpy_floats_are_refused_like_floats() -> None:
    for value in (np.float64("0.1"), np.float32("0.5"), np.float16(1)):
        with pytest.raises(ValidationError, match="floats are inexact"):
            as_decimal(value)
        with pytest.raises(ValidationError, match="floats are inexact"):
            Money(value)
        with pytest.raises(ValidationError, match="floats are inexact"):
            Money("1") * value
    with pytest.raises(ValidationError, match="floats are inexact"):
        AccountFacts("a", sales_revenue=np.float32(5))


def test_numpy_bools_are_not_numbers() -> None:
    with pytest.raises(ValidationError, match="not a number"):
        as_decimal(np.bool_(True))
    with pytest.raises(ValidationError, match="bool"):
        Money("1") * True


def test_integers_read_back_from_a_frame_build_money_again() -> None:
    f = frame([{"n": 4}], ["n"])
    assert Money(f["n"].iloc[0]) == Money(4)
    assert as_decimal(f["n"].iloc[0], field="n") == 4


def test_a_history_of_several_event_kinds_is_one_frame_with_kind_first(sales: Playbook) -> None:
    opp, _ = open_opportunity(
        sales, id="h-1", account="acme", amount=Money("5000"), owner="li", on=date(2026, 3, 2)
    )
    opp, _ = record_evidence(sales, opp, "needs", "automation", on=date(2026, 3, 6), by="li")
    opp, _ = log_activity(sales, opp, "call", on=date(2026, 3, 7), by="li")
    f = rows_to_frame(opp.history)
    assert list(f.columns)[:2] == ["kind", "opportunity"]
    assert f["kind"].tolist() == ["opened", "evidence", "activity"]
    assert {"opening", "fact"} <= set(f.columns)
    # a field of one kind is empty in the rows of the others
    assert f["fact"].tolist()[0] is None
    assert f["fact"].tolist()[2] is None
    assert f["opening"].tolist()[1] is None


def test_rows_of_unrelated_classes_are_still_refused(sales: Playbook) -> None:
    opp, _ = open_opportunity(
        sales, id="h-2", account="acme", amount=Money("5000"), owner="li", on=date(2026, 3, 2)
    )
    stale = StaleOpportunity("opp-1", "li", "bidding", 45, 30, 15)
    with pytest.raises(ValidationError, match="a row of another kind") as info:
        rows_to_frame([*opp.history, stale])
    assert info.value.field == "rows[1]"


@pytest.mark.parametrize(
    "rows", [None, -1, 1.5, Decimal("-Infinity"), date(2026, 3, 1), "rows", {}]
)
def test_to_frame_refuses_what_is_not_rows_naming_the_argument(rows: object) -> None:
    with pytest.raises(ValidationError) as caught:
        kamcore.to_frame(rows)  # type: ignore[arg-type]
    assert caught.value.field == "rows"
    assert "rows" in str(caught.value)
