from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from kamcore._output import render, text_width

ROWS = [
    {
        "id": "A1",
        "name": "宏远",
        "amount": Decimal("1.50"),
        "day": date(2026, 3, 1),
        "ok": True,
        "n": None,
    },
    {
        "id": "A22",
        "name": "x",
        "amount": Decimal("100"),
        "day": date(2026, 3, 2),
        "ok": False,
        "n": None,
    },
]


def test_tables_align_columns_counting_wide_characters_twice() -> None:
    text = render(ROWS, "table", labels={"name": "名称"}, title="Accounts")
    lines = text.splitlines()
    assert lines[0] == "Accounts"
    assert "名称" in lines[1]
    assert lines[1:] == [
        "id   名称  amount  day         ok   n",
        "---  ----  ------  ----------  ---  -",
        "A1   宏远    1.50  2026-03-01  yes",
        "A22  x        100  2026-03-02  no",
    ]
    assert text_width("宏远") == 4


def test_json_and_csv_carry_the_same_keys_and_exact_values() -> None:
    data = json.loads(render(ROWS, "json"))
    assert data[0] == {
        "id": "A1",
        "name": "宏远",
        "amount": "1.50",
        "day": "2026-03-01",
        "ok": True,
        "n": None,
    }
    rows = list(csv.DictReader(io.StringIO(render(ROWS, "csv"))))
    assert list(rows[0]) == list(data[0])
    assert rows[1]["amount"] == "100"
    assert rows[0]["ok"] == "yes"


def test_columns_choose_and_order_what_is_shown() -> None:
    assert render(ROWS, "csv", columns=["amount", "id"]).splitlines()[0] == "amount,id"
    assert render([], "table").splitlines() == ["", ""]
    assert json.loads(render([{"m": {"a": (1, Decimal("2"))}}], "json")) == [{"m": {"a": [1, "2"]}}]
