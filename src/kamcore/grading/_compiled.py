"""The scorecard's fast path: straight-line scoring code generated per scorecard.

Kept because it pays: scoring complete facts with the compiled function takes 7.0 µs
per account against 11.6 µs through the general loop (1.66x; bench_grading.py's
scorecard, 8 criteria, 100,000 accounts; its key ``compiled_score_speedup_vs_general``,
1.71x in a ``--quick`` run of 10,000 accounts). The general loop of
:meth:`~kamcore.grading.WeightedScorecard.score` stays the specification: tests check
that both give the same scores. The code is registered with :mod:`linecache` (through
:func:`kamcore._codegen.generate`), so tracebacks and debuggers show its lines.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from itertools import compress, repeat
from operator import add, attrgetter, ge, le, mul, sub, truediv
from typing import TYPE_CHECKING, Any, Final, cast

from kamcore._codegen import generate
from kamcore.grading._facts import DERIVED_FIGURES, FIGURES, AccountFacts, figure_getter
from kamcore.grading._inputs import ONE, ZERO
from kamcore.grading._normalisers import Direction, NormaliserKind, applier

if TYPE_CHECKING:
    from kamcore.grading._scoring import Criterion

__all__ = ["INLINE_STEPS", "Fast", "Settle", "compile_scoring", "contribution_columns"]

# Step tables up to this long are inlined as nested conditionals; a longer one (a fitted
# percentile table has up to ``points`` steps) is looked up by bisection.
INLINE_STEPS: Final = 8

Fast = Callable[
    [AccountFacts],
    tuple[tuple[Decimal, ...], tuple[Decimal, ...], tuple[Decimal, ...], Decimal] | None,
]
#: The scorecard's rounding of contributions: ``settle(exact, quantize, unit, cap)``.
Settle = Callable[
    [Sequence[Decimal], Callable[[Decimal, Decimal], Decimal], Decimal, Decimal],
    tuple[tuple[Decimal, ...], Decimal],
]


def compile_scoring(
    criteria: tuple[Criterion, ...],
    scale: Decimal,
    exp: Decimal,
    quantize: Callable[[Decimal, Decimal], Decimal],
    settle: Settle,
) -> Fast | None:
    """Generate straight-line code for scoring complete facts with fitted criteria.

    The generated function computes exactly what :meth:`WeightedScorecard.score`'s
    general loop computes (same operations, same order), without its per-criterion
    overhead; it returns ``None`` when a figure is missing, leaving that case (and its
    missing-figure policy) to the general loop. ``None`` when a criterion is unfitted.

    Args:
        criteria: The scorecard's criteria, in order.
        scale: The top of the score range.
        exp: The unit of the last place kept in each contribution.
        quantize: The scorecard's ``quantize(value, exp)`` (its rounding).
        settle: The scorecard's settling of rounded contributions within the scale.

    Returns:
        The generated function, or ``None`` when a criterion is not fitted.
    """
    if not all(c.normaliser.fitted for c in criteria):
        return None
    ns: dict[str, Any] = {
        "Z": ZERO,
        "O": ONE,
        "S": settle,
        "E": exp,
        "CAP": scale,
        "Q": quantize,
    }
    k = len(criteria)
    xs = ", ".join(f"x{i}" for i in range(k))
    sources = [c.source for c in criteria]
    lines = ["def fast(facts):"]
    if all(src in FIGURES or src in DERIVED_FIGURES for src in sources):
        ns["G"] = attrgetter(*sources)
        lines.append(
            f"    {xs}{',' if k == 1 else ''} = " + ("(G(facts),)" if k == 1 else "G(facts)")
        )
    else:
        for i, src in enumerate(sources):
            ns[f"g{i}"] = figure_getter(src)
            lines.append(f"    x{i} = g{i}(facts)")
    lines.append("    if " + " or ".join(f"x{i} is None" for i in range(k)) + ": return None")
    for i, c in enumerate(criteria):
        norm, x = c.normaliser, f"x{i}"
        if norm.steps and len(norm.steps) <= INLINE_STEPS:
            expr = "Z"
            for j, step in enumerate(norm.steps):
                ns[f"a{i}_{j}"], ns[f"v{i}_{j}"] = step.at, step.value
                expr = f"(v{i}_{j} if {x} >= a{i}_{j} else {expr})"
        elif norm.steps or norm.kind is NormaliserKind.LOG:  # a long table, or log scaling
            ns[f"f{i}"] = applier(norm)
            expr = f"f{i}({x})"
        elif norm.lower == norm.upper:
            expr = "O"
        else:
            lo, hi = cast("Decimal", norm.lower), cast("Decimal", norm.upper)  # fitted
            ns[f"lo{i}"], ns[f"hi{i}"], ns[f"w{i}"] = lo, hi, hi - lo
            expr = f"(Z if {x} <= lo{i} else (O if {x} >= hi{i} else ({x} - lo{i}) / w{i}))"
        lines.append(f"    n{i} = {expr}")
        if c.direction is Direction.LOWER:
            lines.append(f"    n{i} = O - n{i}")
        ns[f"p{i}"] = c.weight * scale
        lines.append(f"    e{i} = n{i} * p{i}")
        lines.append(f"    c{i} = Q(e{i}, E)")
    ns_list = ", ".join(f"n{i}" for i in range(k))
    es = ", ".join(f"e{i}" for i in range(k))
    cs = ", ".join(f"c{i}" for i in range(k))
    lines.append("    t = " + " + ".join(["Z", *(f"c{i}" for i in range(k))]))
    lines.append(f"    if t > CAP: return ({xs},), ({ns_list},), *S(({es},), Q, E, CAP)")
    lines.append(f"    return ({xs},), ({ns_list},), ({cs},), t")
    # The code is built from validated numbers and attribute names only.
    fast: Fast = generate("\n".join(lines), "fast", ns, label="scorecard-scoring")
    return fast


#: Columns with at most this share of distinct figures (in a sample) are scored one
#: distinct figure at a time.
_SAMPLE: Final = 1024


def _contribution_of(
    c: Criterion, points: Decimal, exp: Decimal, quantize: Callable[[Decimal, Decimal], Decimal]
) -> Callable[[Decimal], Decimal]:
    """One criterion's rounded contribution of a figure, as the generated code computes it."""
    norm = c.normaliser
    flip = c.direction is Direction.LOWER
    if norm.steps or norm.kind is NormaliserKind.LOG:  # step tables inline or bisected alike
        apply = applier(norm)

        def stepped(x: Decimal) -> Decimal:
            n = apply(x)
            return quantize((ONE - n if flip else n) * points, exp)

        return stepped
    if norm.lower == norm.upper:
        fixed = quantize((ONE - ONE if flip else ONE) * points, exp)
        return lambda _: fixed
    lo, hi = cast("Decimal", norm.lower), cast("Decimal", norm.upper)  # fitted
    width = hi - lo

    def linear(x: Decimal) -> Decimal:
        n = ZERO if x <= lo else (ONE if x >= hi else (x - lo) / width)
        return quantize((ONE - n if flip else n) * points, exp)

    return linear


def _linear_column(
    c: Criterion,
    points: Decimal,
    exp: Decimal,
    quantize: Callable[[Decimal, Decimal], Decimal],
    column: Sequence[Decimal],
) -> list[Decimal] | None:
    """A linear criterion's contributions of a column, as :func:`_contribution_of` works each out.

    The same operations on every figure, a step at a time over the column (``x - lo``,
    ``/ width``, ``1 - n`` when lower is better, ``* points``, rounded), then the
    figures at or past a bound get the bound's contribution (``x <= lo`` before
    ``x >= hi``, as there). ``None`` for other normalisers.
    """
    norm = c.normaliser
    if norm.steps or norm.kind is NormaliserKind.LOG or norm.lower == norm.upper:
        return None
    lo, hi = cast("Decimal", norm.lower), cast("Decimal", norm.upper)  # fitted
    flip = c.direction is Direction.LOWER
    n: Iterator[Decimal] = map(truediv, map(sub, column, repeat(lo)), repeat(hi - lo))
    if flip:
        n = map(sub, repeat(ONE), n)
    part = list(map(quantize, map(mul, n, repeat(points)), repeat(exp)))
    ends = (
        (ge, hi, quantize((ONE - ONE if flip else ONE) * points, exp)),
        (le, lo, quantize((ONE - ZERO if flip else ZERO) * points, exp)),
    )
    for compare, bound, value in ends:  # x <= lo wins over x >= hi: it is set last
        for i in compress(range(len(column)), map(compare, column, repeat(bound))):
            part[i] = value
    return part


def contribution_columns(
    criteria: tuple[Criterion, ...],
    scale: Decimal,
    exp: Decimal,
    quantize: Callable[[Decimal, Decimal], Decimal],
    columns: Sequence[Sequence[Decimal]],
    *,
    keep: bool = True,
) -> tuple[list[list[Decimal]], list[Decimal]]:
    """Each criterion's rounded contributions and the totals, a column at a time.

    What the generated scorer of :func:`compile_scoring` computes for each account —
    the same operations in the same order — over columns of complete figures (one per
    criterion, in order; every criterion fitted): a step table's contributions are
    worked out once per step, a column of repeated figures once per figure, and the
    totals are added criterion by criterion, ``0 + c0 + c1 + …``, as the generated code
    adds them. A total above ``scale`` is returned as it is: the caller settles those
    accounts (the general loop does). Equal contributions share one ``Decimal``.

    Args:
        criteria: The scorecard's criteria, fitted.
        scale: The top of the score range.
        exp: The unit of the last place kept in each contribution.
        quantize: The scorecard's rounding.
        columns: One column of figures per criterion, no ``None`` in them.
        keep: Return the contributions (else only the totals, and no contributions).

    Returns:
        Per criterion its contributions, and the totals (each a list in account order).
    """
    n = len(columns[0]) if columns else 0
    totals: list[Decimal] = [ZERO] * n
    parts: list[list[Decimal]] = []
    for c, column in zip(criteria, columns, strict=True):
        points = c.weight * scale
        norm = c.normaliser
        if norm.steps:  # one contribution per step, found by bisection as applier does
            ats = tuple(s.at for s in norm.steps)
            flip = c.direction is Direction.LOWER
            table = [
                quantize((ONE - v if flip else v) * points, exp)
                for v in (ZERO, *(s.value for s in norm.steps))
            ]
            part = list(map(table.__getitem__, map(partial(bisect_right, ats), column)))
        else:
            one = _contribution_of(c, points, exp, quantize)
            sample = column[:_SAMPLE]
            if len(sample) == _SAMPLE and len(set(sample)) * 4 > _SAMPLE:
                part = _linear_column(c, points, exp, quantize, column) or list(map(one, column))
            else:  # equal figures give equal contributions: work each out once
                memo = {x: one(x) for x in set(column)}
                part = list(map(memo.__getitem__, column))
            # contributions all have the places of exp: equal ones can share one object
            shared: dict[Decimal, Decimal] = {}
            part = list(map(shared.setdefault, part, part))
        totals = list(map(add, totals, part))
        if keep:
            parts.append(part)
    return parts, totals
