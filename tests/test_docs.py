"""Every example in docs/*.md and README.md runs and prints what the page says.

Pages hold examples in fenced ``pycon`` blocks written as doctest sessions (``>>>``).
All blocks of one page run in order in one namespace, so later examples build on
earlier ones, exactly as a reader would type them.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([*ROOT.joinpath("docs").glob("*.md"), ROOT / "README.md"])
_BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _session(text: str) -> tuple[str, int]:
    blocks = _BLOCK.findall(text)
    return "\n".join(b.rstrip("\n") + "\n" for b in blocks), len(blocks)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_example_on_the_page_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source, count = _session(page.read_text(encoding="utf-8"))
    if count == 0:
        pytest.skip(f"{page.name} has no pycon examples")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {"__name__": "__docs__"}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.FAIL_FAST
    )
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"
