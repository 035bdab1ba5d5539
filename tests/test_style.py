"""The house style holds everywhere in the source, not only where someone remembered it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kamcore"
MODULES = sorted(SRC.rglob("*.py"))
DOMAIN = ("grading", "pipeline", "rebate", "archive")
# the methods that change a dict, list or set in place
_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "add", "setdefault", "pop", "popitem", "clear"}
)


def _name(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_every_module_docstring_opens_with_one_sentence(path: Path) -> None:
    doc = ast.get_docstring(_tree(path), clean=False)
    assert doc, f"{_name(path)} has no module docstring"
    first, *rest = doc.split("\n")
    assert first.rstrip().endswith("."), f"{_name(path)}: {first!r} is not a sentence"
    assert len(re.findall(r"[.!?](?:\s|$)", first)) == 1, f"{_name(path)}: {first!r}"
    assert not rest or not rest[0].strip(), f"{_name(path)}: the first sentence runs on"


def test_generated_code_is_compiled_only_where_linecache_learns_it() -> None:
    calls = [
        f"{_name(path)}:{node.lineno}"
        for path in MODULES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"exec", "eval", "compile"}
    ]
    assert calls, "kamcore/_codegen.py compiles the generated code"
    assert all(c.startswith("kamcore/_codegen.py:") for c in calls), calls


def _module_containers(tree: ast.Module) -> set[str]:
    """Names bound at module level to a new dict, list or set."""
    names: set[str] = set()
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        literal = isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp)
        call = (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in {"dict", "list", "set", "defaultdict"}
        )
        if literal or call:
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_keeps_mutable_state(path: Path) -> None:
    tree = _tree(path)
    containers = _module_containers(tree)
    changed = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Global):
                changed.append(f"global {', '.join(node.names)} in {fn.name}")
            target = None
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                target = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in _MUTATORS
            ):
                target = node.func.value
            if isinstance(target, ast.Name) and target.id in containers:
                changed.append(f"{target.id} changed in {fn.name}")
    assert not changed, f"{_name(path)} keeps module-level state: {changed}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_one_attrs_decorator_form(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "@attrs.define(frozen=True" not in text, f"{_name(path)}: use @attrs.frozen"


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_packages_show_one_face(package: str) -> None:
    public = [
        p.name
        for p in (SRC / package).glob("*.py")
        if p.name != "__init__.py" and not p.name.startswith("_")
    ]
    assert public == [], f"kamcore.{package} has public submodules {public}"
