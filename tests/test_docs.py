"""Every example in docs/*.md and README.md runs and prints what the page says.

Pages hold examples in fenced ``pycon`` blocks written as doctest sessions (``>>>``).
All blocks of one page run in order in one namespace, so later examples build on
earlier ones, exactly as a reader would type them. Snippets a reader copies into their
own files (```` ```python ```` test modules, ```` ```toml ```` policies) must at least
compile or parse.

A page section (a ``## `` heading) whose examples name the global ``PG_URL`` needs a
PostgreSQL server: its blocks run as a session of their own, in order, against the
suite's throwaway server (the ``pg_url`` fixture, which skips them with its reason where
no server can run), and every schema they create is dropped afterwards. The page's
other sections run without them.
"""

from __future__ import annotations

import doctest
import re
import tomllib
from pathlib import Path
from typing import Final

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md"])
_BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.MULTILINE | re.DOTALL)
_PYTHON = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TOML = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)
_PG: Final = "PG_URL"
WITH_EXAMPLES = [p for p in PAGES if _BLOCK.search(p.read_text(encoding="utf-8"))]
WITH_PG_EXAMPLES = [p for p in WITH_EXAMPLES if _PG in p.read_text(encoding="utf-8")]


def _session(text: str, *, postgres: bool = False) -> tuple[str, int]:
    """The page's examples as one session: those of its PostgreSQL sections, or the others."""
    sections = re.split(r"^(?=## )", text, flags=re.MULTILINE)
    blocks = [
        b
        for section in sections
        if (_PG in "".join(_BLOCK.findall(section))) == postgres
        for b in _BLOCK.findall(section)
    ]
    return "\n".join(b.rstrip("\n") + "\n" for b in blocks), len(blocks)


def _run(page: Path, source: str, globs: dict[str, object]) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, globs, page.name, str(page), 0)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.FAIL_FAST
    )
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"


def test_the_module_pages_all_have_examples() -> None:
    names = {p.name for p in WITH_EXAMPLES}
    for page in ("money", "calendar", "codec", "grading", "pipeline", "rebate", "archive"):
        assert f"{page}.md" in names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_snippet_compiles_or_parses(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for i, block in enumerate(_PYTHON.findall(text)):
        compile(block, f"{page.name} python block {i}", "exec")
    for block in _TOML.findall(text):
        assert isinstance(tomllib.loads(block), dict)


@pytest.mark.parametrize("page", WITH_EXAMPLES, ids=lambda p: p.name)
def test_every_example_on_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source, count = _session(page.read_text(encoding="utf-8"))
    assert count > 0
    _run(page, source, {"__name__": "__docs__"})


def _schemas(url: str) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_schema_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("page", WITH_PG_EXAMPLES, ids=lambda p: p.name)
def test_every_postgresql_example_on_the_page_runs_against_a_real_server(
    page: Path, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    monkeypatch.chdir(tmp_path)
    source, count = _session(page.read_text(encoding="utf-8"), postgres=True)
    assert count > 0
    before = _schemas(pg_url)
    try:
        _run(page, source, {"__name__": "__docs__", _PG: pg_url})
    finally:
        engine = sa.create_engine(pg_url)
        with engine.begin() as conn:
            for schema in _schemas(pg_url) - before:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()
