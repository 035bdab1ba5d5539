"""Every example in docs/*.md and README.md runs and prints what the page says.

Pages hold examples in fenced ``pycon`` blocks written as doctest sessions (``>>>``).
All blocks of one page run in order in one namespace, so later examples build on
earlier ones, exactly as a reader would type them. Snippets a reader copies into their
own files (```` ```python ```` test modules, ```` ```toml ```` policies) must at least
compile or parse.
"""

from __future__ import annotations

import doctest
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md"])
_BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.MULTILINE | re.DOTALL)
_PYTHON = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TOML = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)
WITH_EXAMPLES = [p for p in PAGES if _BLOCK.search(p.read_text(encoding="utf-8"))]


def _session(text: str) -> tuple[str, int]:
    blocks = _BLOCK.findall(text)
    return "\n".join(b.rstrip("\n") + "\n" for b in blocks), len(blocks)


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
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {"__name__": "__docs__"}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.FAIL_FAST
    )
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"
