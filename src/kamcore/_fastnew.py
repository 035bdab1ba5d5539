"""Fast constructors for frozen result classes built by the million on hot paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["maker"]


def maker(cls: type) -> Callable[..., Any]:
    """Return ``make(*fields)`` that builds ``cls`` without running its ``__init__``.

    Only for values already known to be valid (results computed from validated
    policies and facts): no converter or validator runs. Fields are positional, in
    declaration order.
    """
    fields = attrs.fields(cls)
    ns: dict[str, Any] = {"new": object.__new__, "cls": cls}
    args = ", ".join(f"a{i}" for i in range(len(fields)))
    lines = [f"def make({args}):", "    o = new(cls)"]
    for i, field in enumerate(fields):
        ns[f"s{i}"] = getattr(cls, field.name).__set__
        lines.append(f"    s{i}(o, a{i})")
    lines.append("    return o")
    # The code is built from the class's own field names only.
    exec("\n".join(lines), ns)
    made: Callable[..., Any] = ns["make"]
    return made
