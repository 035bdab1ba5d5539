"""The HTML report: one self-contained page, checked as text and in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kamcore.cli import main
from kamcore.demo import run_demo
from kamcore.errors import RecordInvalid, ValidationError
from kamcore.report import Event, Figure, ReportData, build_report, read_demo_folder

pytest.importorskip("matplotlib", reason="the report's charts need the plot extra")

MAX_BYTES = 2 * 1024 * 1024
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
CHARTS = ("pareto", "lorenz", "grades", "funnel", "forecast", "tiers", "scorecard", "calendar")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out=out, accounts=60)
    return out


class _Page(HTMLParser):
    """Collects the tags of a page, and the text of its <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _check_self_contained(text: str) -> None:
    assert len(text.encode("utf-8")) <= MAX_BYTES
    assert "<script" not in text.lower()
    urls = set(re.findall(r"(?:https?:)?//[^\s\"'<>)]+", text))
    assert urls <= SVG_NAMESPACES, urls - SVG_NAMESPACES
    assert not re.search(r"(?:src|href)\s*=", text.replace('xlink:href="#', "")), "a reference"
    assert "@import" not in text
    assert "url(" not in text.replace("url(#", "")


def test_the_demo_writes_a_self_contained_report(demo: Path) -> None:
    text = (demo / "report.html").read_text(encoding="utf-8")
    _check_self_contained(text)
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") >= len(CHARTS)
    page = _parse(text)
    charts = [a.get("data-chart") for t, a in page.tags if t == "figure"]
    assert set(CHARTS) <= set(charts)
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert ("html", {"lang": "en"}) in page.tags
    assert page.title.startswith("Key account report")
    sections = [a["id"] for t, a in page.tags if t == "section" and a.get("id")]
    assert sections == ["summary", "grading", "pipeline", "rebates", "people", "archive"]


def test_the_report_in_chinese(demo: Path) -> None:
    text = build_report(read_demo_folder(demo), lang="zh")
    _check_self_contained(text)
    page = _parse(text)
    assert ("html", {"lang": "zh-CN"}) in page.tags
    assert page.title.startswith("大客户经营报告")
    assert "客户评级" in text
    assert text.count("<svg") >= len(CHARTS)


def test_the_command_writes_the_demo_report_again(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again.html"
    assert main(["report", "--from", str(demo), "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"Report written to {out} (")
    assert out.read_text(encoding="utf-8") == (demo / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "nowhere"], "--from: no such folder (got 'nowhere')"),
        (["--from", "{empty}"], "accounts.csv: missing; expected a demo folder"),
        (["--from", "{demo}", "--out", "{tmp}/r.xlsx"], "the name says a workbook"),
        (["--from", "{demo}", "--out", "{tmp}/r.txt"], "expected a name ending in .html"),
        (["--from", "{demo}", "--out", "{tmp}/no/r.html"], "create it first"),
    ],
)
def test_bad_input_is_one_line_per_problem_and_nothing_written(
    demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    args = [a.format(demo=demo, empty=empty, tmp=tmp_path) for a in argv]
    assert main(["report", *args]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err
    assert all(line.startswith("kamcore: error: ") for line in err.splitlines())
    assert sorted(tmp_path.rglob("*")) == before


def test_a_folder_missing_files_names_each_one(tmp_path: Path) -> None:
    with pytest.raises(RecordInvalid) as info:
        read_demo_folder(tmp_path)
    assert [e.field for e in info.value.errors] == [
        str(tmp_path / n) for n in ("accounts.csv", "opportunities.csv", "summary.json")
    ]


def test_text_is_escaped_and_empty_sections_are_left_out() -> None:
    data = ReportData(
        title="<script>alert('x')</script> & Co",
        as_of=date(2026, 11, 1),
        figures=[Figure(en="<b>", zh="<i>", value="1 < 2", note="a & b")],
    )
    text = build_report(data)
    assert "<script" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in text
    assert "1 &lt; 2" in text
    assert "<section" in text
    assert 'id="grading"' not in text
    assert "<svg" not in text
    assert "&lt;i&gt;" in build_report(data, lang="zh")
    with pytest.raises(ValidationError):
        build_report(data, lang="fr")


def test_the_calendar_shows_events_in_the_report_language() -> None:
    data = ReportData(
        title="t",
        as_of=date(2026, 11, 1),
        events=[
            Event(date(2026, 11, 20), "review due", "应检查"),
            Event(date(2026, 11, 2), "a", "甲"),
        ],
    )
    zh = build_report(data, lang="zh")
    assert zh.count("<svg") == 1
    assert zh.index("甲") < zh.index("应检查")
    assert "review due" not in zh


def test_the_demo_without_matplotlib_skips_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kamcore.demo

    monkeypatch.setattr(kamcore.demo, "can_draw", lambda: False)
    summary = run_demo(out=tmp_path, accounts=8)
    assert "report.html skipped: its charts need matplotlib" in summary
    assert not (tmp_path / "report.html").exists()
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["accounts"] == 8


# -- in a real browser: headless Chromium driven by selenium ------------------------------


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("needs chromium and chromedriver: apt-get install chromium chromium-driver")
    return browser, driver


def test_the_report_in_a_real_browser(demo: Path, tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")
    browser, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,2000",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    started = time.monotonic()
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver_path))
    try:
        url = (demo / "report.html").resolve().as_uri()
        driver.get(url)
        assert driver.execute_script("return document.readyState") == "complete"
        assert driver.title.startswith("Key account report")
        marks = driver.execute_script(
            "return Array.from(document.querySelectorAll('figure.chart > svg')).map(s => {"
            " const r = s.getBoundingClientRect();"
            " return [s.parentElement.dataset.chart, s.querySelectorAll('path, rect').length,"
            " r.width, r.height]; });"
        )
        assert len(marks) >= len(CHARTS)
        for name, count, width, height in marks:
            assert count > 0, f"{name}: nothing drawn"
            assert width > 100, f"{name}: {width} px wide"
            assert height > 100, f"{name}: {height} px high"
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot))
        console = driver.get_log("browser")
        performance = driver.get_log("performance")
    finally:
        driver.quit()
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes().startswith(b"\x89PNG")
    severe = [e for e in console if e["level"] == "SEVERE"]
    assert severe == [], severe
    requested = [
        message["params"]["request"]["url"]
        for message in (json.loads(e["message"])["message"] for e in performance)
        if message["method"] == "Network.requestWillBeSent"
    ]
    assert requested == [url]
    assert time.monotonic() - started < 20


# -- bad input: a ValidationError naming the field (issue 16) --------------------------
BAD_REPORT_CALLS = {
    "build_report data None": (lambda: build_report(None), "data"),
    "build_report data a dict": (lambda: build_report({}), "data"),
    "ReportData title a list": (lambda: ReportData(title=["a"], as_of=date(2026, 3, 1)), "title"),
    "ReportData as_of a number": (lambda: ReportData(title="t", as_of=10**30), "as_of"),
    "ReportData figures a float": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), figures=float("nan")),
        "figures",
    ),
    "ReportData events a date": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), events=date(2026, 3, 1)),
        "events",
    ),
    "ReportData loans inf": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), loans=float("inf")),
        "loans",
    ),
    "ReportData opportunities None": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), opportunities=None),
        "opportunities",
    ),
    "ReportData quote a str": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), quotes=["x"]),
        "quotes[0]",
    ),
    "ReportData playbook False": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), playbook=False),
        "playbook",
    ),
    "ReportData measures a list": (
        lambda: ReportData(title="t", as_of=date(2026, 3, 1), measures=[]),
        "measures",
    ),
    "Event on a str": (lambda: Event("soon", "en", "zh"), "on"),
    "Figure value None": (lambda: Figure(en="a", zh="b", value=None), "value"),
    "read_demo_folder a date": (lambda: read_demo_folder(date(2026, 3, 1)), "folder"),
    "read_demo_folder None": (lambda: read_demo_folder(None), "folder"),
}


@pytest.mark.parametrize("name", list(BAD_REPORT_CALLS))
def test_the_report_refuses_bad_input_naming_the_field(name: str) -> None:
    call, field = BAD_REPORT_CALLS[name]
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[no-untyped-call]
    assert info.value.field == field
    assert field in str(info.value)


def test_a_folder_name_too_long_to_look_up_is_no_such_folder() -> None:
    with pytest.raises(ValidationError) as info:
        read_demo_folder("x" * 10_000)
    assert info.value.field == "--from"
    assert info.value.problem == "no such folder"


def test_report_parts_given_as_lists_are_kept_as_tuples() -> None:
    event = Event(date(2026, 3, 31), "archive", "归档")
    data = ReportData(title="t", as_of="2026-03-01", events=[event])
    assert data.events == (event,)
    assert data.as_of == date(2026, 3, 1)
