"""Fast constructors for frozen result classes built by the million on hot paths.

Measured (CPython 3.11, ``benchmarks/bench_pipeline.py``'s opportunity): building an
``Opening``, an event and an ``Opportunity`` takes 1.2 µs with these makers and 1.5 µs
through the classes' own attrs ``__init__``, of the 1.7 µs an opening costs in all
(``kamcore_create_us``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from kamcore._codegen import generate

__all__ = ["maker"]

T = TypeVar("T")


def maker(cls: type[T]) -> Callable[..., T]:
    """Return ``make(*fields)`` that builds ``cls`` without running its ``__init__``.

    Only for values already known to be valid (results computed from validated
    policies and facts): no converter or validator runs. Fields are positional, in
    declaration order. The function is generated from the class's own field names and
    registered with :mod:`linecache` (see :mod:`kamcore._codegen`).

    Examples:
        >>> @attrs.frozen
        ... class Point:
        ...     x: int
        ...     y: int
        >>> maker(Point)(1, 2)
        Point(x=1, y=2)
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]  # any attrs class
    ns: dict[str, Any] = {"new": object.__new__, "cls": cls}
    args = ", ".join(f"a{i}" for i in range(len(fields)))
    lines = [f"def make({args}):", "    o = new(cls)"]
    for i, field in enumerate(fields):
        ns[f"s{i}"] = getattr(cls, field.name).__set__
        lines.append(f"    s{i}(o, a{i})")
    lines.append("    return o")
    # The code is built from the class's own field names only.
    made: Callable[..., T] = generate(
        "\n".join(lines), "make", ns, label=f"maker-{cls.__qualname__}"
    )
    return made
