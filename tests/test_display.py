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
