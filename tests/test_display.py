from __future__ import annotations

from decimal import Decimal

from kamcore._display import html_table
from kamcore.archive import BuyingRole, Contact, Dossier
from kamcore.pipeline import Playbook, forecast, open_opportunity
from kamcore.presets import load_preset
from kamcore.rebate import TierSchedule, quote


def test_html_tables_escape_everything_and_align_numbers() -> None:
    text = html_table(
        [{"a": "<b>", "n": 1234, "d": Decimal("1.5"), "x": None, "y": True}], notes=["<i>"]
    )
    assert "&lt;b&gt;" in text
    assert '<td style="text-align:right">1,234</td>' in text
    assert "<td>yes</td>" in text
    assert "<li>&lt;i&gt;</li>" in text
    assert html_table([]) == "<table><thead><tr></tr></thead><tbody></tbody></table>"


def test_quotes_forecasts_and_dossiers_render_in_notebooks() -> None:
    schedule = load_preset("rebate_source", TierSchedule)
    html = quote(schedule, basis="200000", base="180000")._repr_html_()
    assert "14,400.00" in html
    assert "next tier at 1,000,000" in html
    playbook = load_preset("pipeline_project_sales", Playbook)
    from kamcore.money import Money

    opp, _ = open_opportunity(
        playbook, id="O1", account="A", amount=Money("100"), owner="li", on="2026-01-01"
    )
    assert "pipeline" in forecast(playbook, [opp])._repr_html_()
    dossier = Dossier(
        id="K-1",
        name="华东水务",
        grade="A",
        contacts=(
            Contact(
                id="w",
                name="王总",
                title="总经理",
                buying_role=BuyingRole.ECONOMIC_BUYER,
                spouse="李女士",
            ),
        ),
    )
    html = dossier._repr_html_()
    assert "王总 总经理" in html
    assert "李女士" not in html  # personal data never shown


def _cells(html: str) -> list[list[str]]:
    """The table's body rows, as the text of their cells."""
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>") if row]


def test_a_score_renders_its_criteria_contributions_and_total() -> None:
    from kamcore.grading import Score

    score = Score(
        "K&1",
        "demo",
        Decimal("7"),
        ("revenue", "reputation"),
        (Decimal(500), None),
        (Decimal(1), None),
        (Decimal("0.7"), Decimal("0.3")),
        (Decimal(7), Decimal(0)),
    )
    html = score._repr_html_()
    assert "<caption>Score of K&amp;1 (demo)</caption>" in html
    assert "<th>criterion</th>" in html
    assert "<th>contribution</th>" in html
    assert _cells(html) == [
        ["revenue", "500", "1", "0.7", "7"],
        ["reputation", "", "", "0.3", "0"],
        ["total", "", "", "", "7"],
    ]
    assert "<li>missing: reputation</li>" in html


def test_a_salesperson_scorecard_renders_its_weighted_components_and_total() -> None:
    from kamcore.calendar import Period
    from kamcore.rebate import (
        AttainmentRule,
        AttendanceRule,
        ScorecardPolicy,
        ScoreWeight,
        Target,
        assess_attainment,
        assess_attendance,
        score_salesperson,
    )

    policy = ScorecardPolicy(
        weights=[
            ScoreWeight(component="attainment", weight="0.6"),
            ScoreWeight(component="attendance", weight="0.4"),
        ]
    )
    card = score_salesperson(
        policy,
        salesperson="li",
        period=Period.month(2026, 3),
        components=[
            assess_attainment(AttainmentRule(), actual="1120000", target=Target(normal="1000000")),
            assess_attendance(AttendanceRule(), days_short=1, times_late=4),
        ],
    )
    html = card._repr_html_()
    assert "<caption>Scorecard of li, 2026-03</caption>" in html
    # attainment 112% of plan: 100 + 2 full 5% steps = 102, × 60% = 61.20;
    # attendance 100 − 1 day short − 2 (late 4 times) = 97, × 40% = 38.80; total 100.00
    assert _cells(html) == [
        ["attainment", "102", "100", "0.6", "61.20"],
        ["attendance", "97", "100", "0.4", "38.80"],
        ["total", "", "", "", "100.00"],
    ]
    assert "<li>total: 100.00</li>" in html
