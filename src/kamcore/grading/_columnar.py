"""The columnar fast path of batch grading: whole populations as numpy columns.

:func:`score_arrays` and :func:`grade_frame` compute the same rules as the exact path
(:func:`~kamcore.grading.grade_many`, in ``Decimal``) on float64 columns. For a
:class:`WeightedScorecard` the float64 arithmetic rounds every contribution as the exact
path does and recomputes exactly (in ``Decimal``) the few rows it can't be sure of, so
totals and grades agree with the exact path to the last place; other models are scored
through :class:`AccountFacts` and the exact path. ABC classes on columns come from
:mod:`._columnar_abc`. Needs the ``frames`` extra (numpy, pandas), imported only when
these functions are called.

Kept because it pays (``benchmarks/bench_grading.py --quick``, 100,000 accounts x 8
criteria + ABC): 40 ms, 1.3x a plain numpy script that writes the same rules out by
hand (target ≤ 2), that is 0.4 µs per account against 12-19 µs per account on the
exact path (``grade_many``), with grades and totals equal to the exact path's.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from kamcore.errors import ValidationError
from kamcore.grading._columnar_abc import abc_labels
from kamcore.grading._facts import _NON_NEGATIVE, DERIVED_FIGURES, FIGURES, AccountFacts
from kamcore.grading._inputs import instance
from kamcore.grading._ladder import GradeLadder, ThresholdOwner, grade_all
from kamcore.grading._normalisers import (
    NORMALISER_CONTEXT,
    Direction,
    Normaliser,
    NormaliserKind,
    Step,
    rank_index,
)
from kamcore.grading._pareto import AbcPolicy
from kamcore.grading._scoring import (
    Criterion,
    MissingPolicy,
    ScoringModel,
    WeightedScorecard,
    score_all,
)
from kamcore.money import Rounding

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["classify_frame", "grade_frame", "score_arrays"]


def _require_frames() -> None:
    """Raise a clear ImportError when the optional ``frames`` extra is not installed."""
    try:
        import numpy  # noqa: F401, PLC0415 - optional dependency, imported lazily
        import pandas  # noqa: F401, PLC0415
    except ImportError as exc:
        msg = f"the columnar path needs numpy and pandas: pip install 'kamcore[frames]' ({exc})"
        raise ImportError(msg) from exc


_EPS: Final = 2.0**-53  # the unit roundoff of float64
_SAFETY: Final = 32.0  # headroom over the error bound before a row is recomputed exactly
# Rounding modes whose rounding points lie halfway between units (the others: on units).
_HALF: Final = frozenset({Rounding.HALF_UP, Rounding.HALF_EVEN})
_ROUND_UP: Final = frozenset({Rounding.UP, Rounding.CEILING})  # contributions are ≥ 0


def _who(ids: Any, row: int) -> str:
    return str(ids[row]) if ids is not None else f"row {row}"


def _column(data: Mapping[str, Any], name: str, n: int | None, ids: Any) -> npt.NDArray[np.float64]:
    """One figure column as float64 (NaN = missing), refused as the exact path refuses it."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if name == "collection_rate" and name not in data:
        collected = _column(data, "collected", n, ids)
        invoiced = _column(data, "invoiced", n, ids)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(invoiced > 0, collected / invoiced, np.nan)
    if name not in data:
        raise ValidationError(
            field=name,
            value=sorted(data),
            expected=f"a column named {name!r}",
            problem="missing column",
        )
    try:
        col = np.asarray(data[name], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            field=name,
            value=type(data[name]).__name__,
            expected="numbers (NaN for a missing figure)",
            problem="not numeric",
        ) from None
    if col.ndim != 1 or (n is not None and len(col) != n):
        raise ValidationError(
            field=name,
            value=col.shape,
            expected=f"a one-dimensional column of {n} values",
            problem="wrong shape",
        )
    if len(col):
        lowest, highest = np.fmin.reduce(col), np.fmax.reduce(col)  # both skip NaN
        if np.isinf(lowest) or np.isinf(highest):
            row = int(np.flatnonzero(np.isinf(col))[0])
            raise ValidationError(
                field=f"{_who(ids, row)}.{name}",
                value=float(col[row]),
                expected="a finite number (NaN for a missing figure)",
                problem="infinite figure",
            )
        if lowest < 0 and name in _NON_NEGATIVE:
            row = int(np.flatnonzero(col < 0)[0])
            raise ValidationError(
                field=f"{_who(ids, row)}.{name}",
                value=float(col[row]),
                expected="zero or more (as AccountFacts requires)",
                problem="negative figure",
            )
    return col


def _decimal(value: float) -> Decimal | None:
    """The decimal a float column holds: its shortest repr (``None`` for NaN)."""
    return None if math.isnan(value) else Decimal(repr(float(value)))


def _row_counts(data: Mapping[str, Any], columns: Sequence[str]) -> set[int]:
    """How many rows the ``columns`` of ``data`` that are there have (others: ignored)."""
    counts = set()
    for name in columns:
        column = data.get(name)
        try:
            counts.add(len(column))  # type: ignore[arg-type]
        except TypeError:
            continue  # absent, or not a column: reported when it is read
    return counts


def _check_ids(
    ids: npt.NDArray[Any], text: npt.NDArray[Any], by_id: npt.NDArray[np.intp], id_column: str
) -> None:
    """Refuse duplicate ids (compared as text), given the order that sorts them (stable)."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    ranked = text[by_id]
    same = np.flatnonzero(ranked[1:] == ranked[:-1])
    if len(same):
        first, again = sorted((int(by_id[same[0]]), int(by_id[same[0] + 1])))
        raise ValidationError(
            field=f"row {again}.{id_column}",
            value=ids[again : again + 1].tolist()[0],
            expected="one row per account",
            problem=f"duplicate account id (also at row {first})",
        )


def id_order(ids: Any) -> npt.NDArray[np.intp]:
    """The positions of ``ids`` in ascending text order (code points, as ``sorted`` orders).

    Sorted as pandas strings: numpy's fixed-width text drops a trailing NUL, which would
    tie ``"a<NUL>"`` with ``"a"``.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily
    import pandas as pd  # noqa: PLC0415

    text = pd.Series(np.asarray(ids, dtype=object), dtype=object).map(str).astype("str")
    order = text.argsort(kind="stable").to_numpy(dtype=np.intp)
    return cast("npt.NDArray[np.intp]", order)


def score_arrays(
    model: ScoringModel,
    data: Mapping[str, Any],
    *,
    ladder: GradeLadder | None = None,
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
    ids: Any = None,
) -> dict[str, Any]:
    """Score (and grade, and classify) a population held as columns, with numpy.

    A :class:`WeightedScorecard` is computed in vectorised float64 arithmetic that
    reproduces the exact path's rounding: each contribution is rounded to the
    scorecard's ``places`` with its ``rounding``, the total is their sum, kept within
    the scale as :meth:`WeightedScorecard.score` keeps it. A row whose float result
    lies too close to a rounding point to be sure of (or whose total needs the cap)
    is recomputed exactly, so totals, contributions and grades equal those of
    :func:`grade_many` on the same figures (a float is read as the decimal its
    shortest ``repr`` shows). Any other model (TOPSIS, a custom one) is scored by
    building :class:`AccountFacts` from the columns and using the exact path.

    Args:
        model: A scoring model; criteria not yet fitted (min–max, percentile, clipped,
            log between quantiles) are fitted to these columns exactly as
            :meth:`WeightedScorecard.fit` fits them to the same figures; fitted ones
            are used as they are.
        data: Figure name → one-dimensional array-like of numbers (``NaN`` = missing).
            ``collection_rate`` is derived from ``collected``/``invoiced`` when absent.
        ladder: A ladder to grade with (adds a ``grade`` column).
        abc: An ABC policy (adds an ``abc`` column).
        measure: The column ABC ranks by, or ``"score"`` for the total.
        ids: Account ids (array-like, unique), for ABC tie-breaking (ascending) and
            error messages; positions are used when omitted.

    Returns:
        ``total``, ``<name>.contribution`` per criterion (float64 arrays), and
        ``grade`` / ``abc`` (object arrays of labels) when asked for.

    Raises:
        ValidationError: A missing column, a wrong shape, a negative figure where
            :class:`AccountFacts` refuses one, an infinite figure, a duplicate id, a
            missing figure under the ``REFUSE`` policy, a total outside the ladder's
            range, or a missing or negative ABC measure (each naming row and column).
    """
    _require_frames()
    _check_call(model, ladder, abc)
    given: object = data  # what a caller may hand over, whatever the annotation says
    if isinstance(given, str | bytes) or not hasattr(given, "__getitem__"):
        raise ValidationError(
            field="data",
            value=type(given).__name__,
            expected="a mapping of column name to a column (a dict, a DataFrame)",
            problem="not a mapping",
        )
    return _score_arrays(model, data, ladder, abc, measure, ids, "ids")


def _check_call(model: object, ladder: object, abc: object) -> None:
    """The model, ladder and ABC policy of a column call, or an error naming the wrong one."""
    instance(model, ScoringModel, "model", expected="a ScoringModel")  # type: ignore[type-abstract]
    if ladder is not None:
        instance(ladder, GradeLadder, "ladder", expected="a GradeLadder, or None")
    if abc is not None:
        instance(abc, AbcPolicy, "abc", expected="an AbcPolicy, or None for no ABC")


def _score_arrays(  # noqa: PLR0917 - internal, mirrors score_arrays
    model: ScoringModel,
    data: Mapping[str, Any],
    ladder: GradeLadder | None,
    abc: AbcPolicy | None,
    measure: str,
    ids: Any,
    id_column: str | None,
) -> dict[str, Any]:
    """``score_arrays``; ``id_column`` is ``None`` when the ids were checked already."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    by_id = None
    if ids is not None:
        ids = np.asarray(ids)
        rows = _row_counts(data, [f for f, _ in model.directions] + [measure])
        if ids.ndim != 1 or (len(rows) == 1 and len(ids) not in rows):
            raise ValidationError(
                field="ids",
                value=ids.shape,
                expected=f"one id per row ({', '.join(map(str, sorted(rows))) or 0})",
                problem="wrong number of ids",
            )
        if id_column is not None or abc is not None:
            # ids sort as text, as AccountFacts.account_id does on the exact path
            text = np.array([str(i) for i in ids.tolist()], dtype=object)
            by_id = id_order(text)
            if id_column is not None:
                _check_ids(ids, text, by_id, id_column)
    if isinstance(model, WeightedScorecard):
        out = _scorecard_arrays(model, data, ids, ladder)
    else:
        out = _model_arrays(model, data, ids, ladder)
    n = len(out["total"])
    if ids is not None and len(ids) != n:
        raise ValidationError(
            field="ids",
            value=len(ids),
            expected=f"one id per row ({n})",
            problem="wrong number of ids",
        )
    if abc is not None:
        m = out["total"] if measure == "score" else _column(data, measure, n, ids)
        out["abc"] = abc_labels(abc, m, by_id)
    return out


def _fit_columns(
    model: WeightedScorecard,
    xs: list[npt.NDArray[np.float64]],
    data: Mapping[str, Any],
    ids: Any,
) -> WeightedScorecard:
    """Fit the criteria not yet fitted to the columns, as :meth:`WeightedScorecard.fit` does.

    A fitted criterion is used as it is. The fitted bounds and steps equal those the
    exact path learns from the same figures: a column holds the decimals its floats'
    shortest reprs show, and reading floats that way keeps their order and their ties,
    so positions found among the sorted floats are positions among the sorted decimals.
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if model.fitted:
        return model
    criteria = []
    for c, x in zip(model.criteria, xs, strict=True):
        norm = c.normaliser
        if not norm.fitted:
            if not len(x) or np.isnan(x).all():
                raise ValidationError(
                    field=f"{c.name}.population",
                    value=(),
                    expected="at least one account with this figure",
                    problem=f"nothing to fit {norm._what} to",
                )
            if norm.kind is not NormaliserKind.MINMAX:
                norm = _fit_sorted(c, norm, x, data, ids)
                criteria.append(attrs.evolve(c, normaliser=norm))
                continue
            lo, hi = np.fmin.reduce(x), np.fmax.reduce(x)
            if c.source in DERIVED_FIGURES and c.source not in data:
                # A rate computed in float64: take the exact rates of the candidates.
                rates = _raw_getter(c, x, data, ids)
                near = 4 * _EPS * max(abs(lo), abs(hi))
                low = min(cast("Decimal", rates(int(i))) for i in np.flatnonzero(x <= lo + near))
                high = max(cast("Decimal", rates(int(i))) for i in np.flatnonzero(x >= hi - near))
                norm = Normaliser(NormaliserKind.MINMAX, low, high)
            else:
                norm = Normaliser(NormaliserKind.MINMAX, _decimal(lo), _decimal(hi))
        criteria.append(attrs.evolve(c, normaliser=norm))
    return attrs.evolve(model, criteria=tuple(criteria))


def _fit_sorted(
    c: Criterion,
    norm: Normaliser,
    x: npt.NDArray[np.float64],
    data: Mapping[str, Any],
    ids: Any,
) -> Normaliser:
    """Fit a percentile, clipped or log normaliser to a column (exactly as ``norm.fit``)."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if c.source in DERIVED_FIGURES and c.source not in data:
        # A rate computed in float64 may sort apart from its exact value: fit the exact rates.
        rates = _raw_getter(c, x, data, ids)
        rows = np.flatnonzero(~np.isnan(x)).tolist()
        return norm.fit(r for i in rows if (r := rates(i)) is not None)
    values = x[~np.isnan(x)]

    def pick(at: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        if norm.kind is NormaliserKind.PERCENTILE:
            return np.sort(values)[at]
        return np.partition(values, at)[at]

    return fit_order_statistics(norm, len(values), pick)


def fit_order_statistics(
    norm: Normaliser,
    n: int,
    pick: Callable[[npt.NDArray[np.int64]], npt.NDArray[np.float64]],
) -> Normaliser:
    """Fit a percentile, clipped or log normaliser from order statistics of ``n`` values.

    ``pick`` returns the values at the given (ascending, 0-based) positions of the
    sorted population: from one sorted array on one machine, or from the partitions of
    a distributed sort (:mod:`kamcore.bulk`). The steps and bounds are those
    ``norm.fit`` learns from the same figures (nearest-rank quantiles, ties: the
    highest step).
    """
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if norm.kind is NormaliserKind.PERCENTILE:
        points = cast("int", norm.points)
        j = np.arange(1, points + 1, dtype=np.int64)
        at = pick(-(-j * n // points) - 1)  # the nearest-rank j/points quantiles
        last = np.flatnonzero(np.append(at[1:] != at[:-1], True))  # ties: the highest step
        whole, divide = Decimal(points), NORMALISER_CONTEXT.divide
        return attrs.evolve(
            norm,
            steps=tuple(
                Step(cast("Decimal", _decimal(at[k])), divide(Decimal(k + 1), whole))
                for k in last.tolist()
            ),
        )
    low = rank_index(cast("Decimal", norm.low_quantile), n)
    high = rank_index(cast("Decimal", norm.high_quantile), n)
    lower, upper = pick(np.array([low, high], dtype=np.int64)).tolist()
    return attrs.evolve(norm, lower=_decimal(lower), upper=_decimal(upper))


def _raw_getter(
    c: Criterion, x: npt.NDArray[np.float64], data: Mapping[str, Any], ids: Any
) -> Callable[[int], Decimal | None]:
    """Row → the criterion's exact raw figure (a derived rate from its own columns)."""
    if c.source in DERIVED_FIGURES and c.source not in data:
        collected = _column(data, "collected", len(x), ids)
        invoiced = _column(data, "invoiced", len(x), ids)
        return lambda i: _rate(collected[i], invoiced[i])
    return lambda i: _decimal(x[i])


@attrs.frozen
class _Plan:
    """How one criterion's contribution becomes whole units of the last place, in float64.

    Linear: ``y = clip(a·x + b, 0, scaled)``; log: ``y = clip(a·log1p(clip(x - lo, 0,
    span)) + b, 0, scaled)``; steps (a step table or a fitted percentile normaliser):
    ``units[searchsorted(ats, x)]`` (exact, from the table). The rounded units are
    ``floor(y + shift)``, where
    ``shift`` is the rounding mode's offset plus ``tol``; a row is recomputed exactly
    when ``y + offset`` lies within ``tol`` (a bound on the float error) of a unit.
    """

    steps: bool
    a: float
    b: float
    scaled: float  # the criterion's points (weight × scale) in units
    shift: float
    tol: float
    ats: Any = None  # steps: the step starts, then +inf (NaN sorts after it)
    units: Any = None  # steps: exact units per step (0 below the first, NaN if missing)
    fracs: Any = None  # steps: the normalised value per step, for renormalised rows
    near_steps: bool = False  # steps: a float figure may straddle a step start
    log: bool = False  # log scaling: ``a`` multiplies ``log1p(clip(x - lo, 0, span))``
    lo: float = 0.0  # log: the lower bound
    span: float = 0.0  # log: ``upper - lower``


def _plans(model: WeightedScorecard, derived: set[str]) -> list[_Plan]:
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    p = model.places
    top = float(model.scale) * 10.0**p  # no contribution exceeds the scale
    offset = 0.5 if model.rounding in _HALF else (1.0 if model.rounding in _ROUND_UP else 0.0)
    plans = []
    for c in model.criteria:
        norm, points = c.normaliser, c.weight * model.scale
        lower = c.direction is Direction.LOWER
        scaled = float(points.scaleb(p))
        if norm.steps:  # a step table, or a fitted percentile normaliser
            values = [Decimal(0), *(s.value for s in norm.steps)]
            fracs = [1 - v if lower else v for v in values]
            exact_ats = all(Decimal(repr(float(s.at))) == s.at for s in norm.steps)
            tol = min(_SAFETY * _EPS * top, 0.5)
            plans.append(
                _Plan(
                    steps=True,
                    a=0.0,
                    b=0.0,
                    scaled=scaled,
                    shift=offset + tol,
                    tol=tol,
                    ats=np.array([*(float(s.at) for s in norm.steps), np.inf]),
                    units=np.array(
                        [
                            *(float(model.rounding.apply(f * points, p).scaleb(p)) for f in fracs),
                            np.nan,
                        ]
                    ),
                    fracs=np.array([*(float(f) for f in fracs), np.nan]),
                    near_steps=c.source in derived or not exact_ats,
                )
            )
            continue
        lo, hi = float(cast("Decimal", norm.lower)), float(cast("Decimal", norm.upper))
        if lo == hi:  # min–max over equal figures: everyone gets the full value
            a, b = 0.0, (0.0 if lower else scaled)
            spread = 0.0
        else:
            a = scaled / (hi - lo)
            b = -lo * a
            if lower:
                a, b = -a, hi * a
            spread = max(abs(lo), abs(hi)) / (hi - lo)
        if norm.kind is NormaliserKind.LOG and lo != hi:
            plans.append(_log_plan(lo, hi, scaled, lower, top, offset))
            continue
        tol = min(_SAFETY * _EPS * top * (spread + 2), 0.5)
        plans.append(_Plan(steps=False, a=a, b=b, scaled=scaled, shift=offset + tol, tol=tol))
    return plans


def _log_plan(  # noqa: PLR0917 - internal
    lo: float, hi: float, scaled: float, lower: bool, top: float, offset: float
) -> _Plan:
    """The float plan of a log criterion: ``scaled · log1p(x - lo) / log1p(hi - lo)``.

    The float error, in units: the figure and the bounds are within a unit roundoff of
    the decimals they stand for and ``x - lo`` adds one more, moving ``log1p`` by at
    most that much (its slope is at most 1 from 0 up); ``log1p`` itself (a few ulps,
    vectorised or not), the divisor and the products add a few roundoffs of the
    result. So the error is below ``scaled · eps · (8·max(|lo|, |hi|) / L + 8)`` with
    ``L = log1p(hi - lo)``; ``_SAFETY`` times that is the doubt tolerance, past which
    the exact path (28-digit ``Decimal.ln``) decides.
    """
    span = hi - lo
    denominator = math.log1p(span)
    a = scaled / denominator
    b = 0.0
    if lower:
        a, b = -a, scaled
    tol = min(_SAFETY * _EPS * top * (8 * max(abs(lo), abs(hi)) / denominator + 8), 0.5)
    return _Plan(
        steps=False,
        a=a,
        b=b,
        scaled=scaled,
        shift=offset + tol,
        tol=tol,
        log=True,
        lo=lo,
        span=span,
    )


def _units(
    plan: _Plan,
    x: npt.NDArray[np.float64],
    factor: npt.NDArray[np.float64] | None,
    doubt: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float64]:
    """Whole units of one criterion's contribution; marks uncertain rows in ``doubt``."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if plan.steps:
        idx = np.searchsorted(plan.ats, x, side="right")
        if plan.near_steps:
            ats = np.concatenate(([-np.inf], plan.ats, [np.inf]))
            near = 4 * _EPS * np.abs(x)
            doubt |= (np.abs(x - ats[idx]) <= near) | (np.abs(ats[idx + 1] - x) <= near)
        if factor is None:
            return cast("npt.NDArray[np.float64]", plan.units[idx])
        t = cast("npt.NDArray[np.float64]", plan.fracs[idx] * plan.scaled)
    else:
        if plan.log:
            t = x - plan.lo
            np.clip(t, 0.0, plan.span, out=t)
            np.log1p(t, out=t)
            t *= plan.a
        else:
            t = x * plan.a
        t += plan.b
        np.clip(t, 0.0, plan.scaled, out=t)
    if factor is not None:  # renormalised weights: the points change row by row
        t *= factor
    t += plan.shift
    r = np.floor(t)
    t -= r
    doubt |= t < 2 * plan.tol
    return r


def _scorecard_arrays(
    model: WeightedScorecard, data: Mapping[str, Any], ids: Any, ladder: GradeLadder | None
) -> dict[str, Any]:
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    n: int | None = None
    xs: list[npt.NDArray[np.float64]] = []
    for c in model.criteria:
        x = _column(data, c.source, n, ids)
        n = len(x)
        xs.append(x)
    size = cast("int", n)
    fitted = _fit_columns(model, xs, data, ids)
    derived = {c.source for c in model.criteria if c.source in DERIVED_FIGURES} - set(data)
    plans = _plans(fitted, derived)
    doubt = np.zeros(size, dtype=bool)
    parts = [_units(plan, x, None, doubt) for plan, x in zip(plans, xs, strict=True)]
    total = parts[0].copy()
    for r in parts[1:]:
        total += r
    missing = np.isnan(total)
    if missing.any():
        rows = np.flatnonzero(missing)
        _missing(fitted, xs, plans, parts, rows, doubt, ids)
        total = parts[0].copy()
        for r in parts[1:]:
            total += r
    doubt |= total > float(model.scale.scaleb(model.places))
    if doubt.any():
        _exactly(fitted, data, xs, parts, total, np.flatnonzero(doubt), ids)
    unit = 10.0**model.places
    out: dict[str, Any] = {"total": total / unit}
    for c, r in zip(model.criteria, parts, strict=True):
        out[f"{c.name}.contribution"] = r / unit
    if ladder is not None:
        out["grade"] = _grades(ladder, total, model.places, ids)
    return out


def _missing(  # noqa: PLR0917 - internal
    model: WeightedScorecard,
    xs: list[npt.NDArray[np.float64]],
    plans: list[_Plan],
    parts: list[npt.NDArray[np.float64]],
    rows: npt.NDArray[np.intp],
    doubt: npt.NDArray[np.bool_],
    ids: Any,
) -> None:
    """Apply the missing-figure policy to the rows with a missing figure (in place)."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if model.missing is MissingPolicy.REFUSE:
        row = int(rows[0])
        c = next(c for c, x in zip(model.criteria, xs, strict=True) if math.isnan(x[row]))
        raise ValidationError(
            field=f"{_who(ids, row)}.{c.name}",
            value=None,
            expected="a figure (this scorecard refuses missing figures)",
            problem="missing figure",
        )
    if model.missing is MissingPolicy.WORST:
        for r in parts:
            r[np.isnan(r)] = 0.0
        return
    present = [~np.isnan(x[rows]) for x in xs]
    used = np.zeros(len(rows))
    for c, ok in zip(model.criteria, present, strict=True):
        used += float(c.weight) * ok
    with np.errstate(divide="ignore"):
        factor = np.where(used > 0, 1.0 / used, 0.0)
    sub = np.zeros(len(rows), dtype=bool)
    for plan, x, ok, r in zip(plans, xs, present, parts, strict=True):
        units = _units(plan, x[rows], factor, sub)
        units[~ok] = 0.0
        r[rows] = units
    doubt[rows] |= sub


def _exactly(  # noqa: PLR0917 - internal
    model: WeightedScorecard,
    data: Mapping[str, Any],
    xs: list[npt.NDArray[np.float64]],
    parts: list[npt.NDArray[np.float64]],
    total: npt.NDArray[np.float64],
    rows: npt.NDArray[np.intp],
    ids: Any,
) -> None:
    """Recompute ``rows`` with the exact (Decimal) arithmetic of the scorecard, in place."""
    getters = [_raw_getter(c, x, data, ids) for c, x in zip(model.criteria, xs, strict=True)]
    p = model.places
    for i in rows.tolist():
        s = model._score_values(_who(ids, i), [get(i) for get in getters])
        for r, part in zip(parts, s.contributions, strict=True):
            r[i] = float(part.scaleb(p))
        total[i] = float(s.total.scaleb(p))


def _rate(collected: float, invoiced: float) -> Decimal | None:
    """``collected / invoiced`` as :attr:`AccountFacts.collection_rate` computes it."""
    c, v = _decimal(collected), _decimal(invoiced)
    return None if c is None or not v else c / v


def _model_arrays(
    model: ScoringModel, data: Mapping[str, Any], ids: Any, ladder: GradeLadder | None
) -> dict[str, Any]:
    """Any other model: build the facts from the columns and take the exact path."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    names: list[str] = []
    for figure, _ in model.directions:
        if figure in DERIVED_FIGURES:
            if figure in data and not {"collected", "invoiced"} <= set(data):
                raise ValidationError(
                    field=figure,
                    value=sorted(data),
                    expected="the columns it derives from (collected, invoiced)",
                    problem="a derived figure can't be given to this model",
                )
            names += ["collected", "invoiced"]
        else:
            names.append(figure)
    n: int | None = None if ids is None else len(ids)
    cols: dict[str, npt.NDArray[np.float64]] = {}
    for name in dict.fromkeys(names):
        cols[name] = _column(data, name, n, ids)
        n = len(cols[name])
    facts = []
    for i in range(n or 0):
        fields: dict[str, Any] = {}
        extras: dict[str, Decimal | None] = {}
        for name, col in cols.items():
            (fields if name in FIGURES else extras)[name] = _decimal(col[i])
        facts.append(AccountFacts(_who(ids, i), **fields, extras=extras))
    if ladder is not None:
        graded = grade_all(model, ladder, facts)
        scores = [g.score for g in graded]
    else:
        scores = list(score_all(model, facts))
    out: dict[str, Any] = {"total": np.array([float(s.total) for s in scores], dtype=np.float64)}
    for k, name in enumerate(scores[0].names if scores else ()):
        out[f"{name}.contribution"] = np.array(
            [float(s.contributions[k]) for s in scores], dtype=np.float64
        )
    if ladder is not None:
        out["grade"] = np.array([g.grade for g in graded], dtype=object)
    return out


def _grades(
    ladder: GradeLadder, units: npt.NDArray[np.float64], places: int, ids: Any
) -> npt.NDArray[np.object_]:
    """Grades of totals held as whole units of ``10**-places``, compared exactly."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    def at_least(bound: Decimal) -> float:  # the fewest units reaching ``bound``
        return float(bound.scaleb(places).to_integral_value(rounding=decimal.ROUND_CEILING))

    low = at_least(ladder.low)
    high = float(ladder.high.scaleb(places).to_integral_value(rounding=decimal.ROUND_FLOOR))
    outside = (units < low) | (units > high)
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise ValidationError(
            field=f"{_who(ids, row)}.total",
            value=Decimal(int(units[row])).scaleb(-places),
            expected=f"a score between {ladder.low} and {ladder.high}",
            problem="score outside the ladder's range",
        )

    def first(bound: Decimal) -> float:  # the fewest units that get the band's grade
        if ladder.threshold_owner is ThresholdOwner.BELOW:  # more than ``bound``
            return float(bound.scaleb(places).to_integral_value(rounding=decimal.ROUND_FLOOR) + 1)
        return at_least(bound)

    # Under BELOW a total of exactly ``low`` falls below every band: clipped to the worst.
    lowers = np.array([first(b.lower) for b in reversed(ladder.bands)])
    labels = np.array([b.grade for b in reversed(ladder.bands)], dtype=object)
    idx = np.searchsorted(lowers, units, side="right") - 1
    result: npt.NDArray[np.object_] = labels[np.clip(idx, 0, len(labels) - 1)]
    return result


def float_columns(frame: pd.DataFrame, wanted: set[str]) -> dict[str, Any]:
    """The frame's columns named in ``wanted`` as float64 arrays (``NaN`` = missing).

    Raises:
        ValidationError: A wanted column that does not hold numbers.
    """
    data: dict[str, Any] = {}
    for k in frame.columns:
        if str(k) in wanted:
            try:
                data[str(k)] = frame[k].to_numpy(dtype="float64", na_value=float("nan"))
            except (TypeError, ValueError):
                raise ValidationError(
                    field=str(k),
                    value=str(frame[k].dtype),
                    expected="numbers (NaN or NA for a missing figure)",
                    problem="not numeric",
                ) from None
    return data


def grade_frame(
    model: ScoringModel,
    ladder: GradeLadder,
    frame: pd.DataFrame,
    *,
    id_column: str = "account_id",
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
) -> pd.DataFrame:
    """Grade a pandas DataFrame (one row per account, one column per figure).

    Returns a new frame with the id column, ``total``, ``grade``, ``abc`` (when asked
    for) and one ``<name>.contribution`` column per criterion; see
    :func:`score_arrays` for the arithmetic (any scoring model works).

    Raises:
        ValidationError: As :func:`score_arrays`, the id column is missing, or two
            rows share an id (naming the row).
    """
    _require_frames()
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    _check_call(model, instance(ladder, GradeLadder, "ladder"), abc)
    instance(frame, pd.DataFrame, "frame", expected="a pandas DataFrame")
    if id_column not in frame.columns:
        raise ValidationError(
            field=id_column,
            value=list(frame.columns),
            expected=f"a column named {id_column!r}",
            problem="missing column",
        )
    id_series = frame[id_column]
    again = id_series.duplicated().to_numpy()
    if again.any():
        row = int(again.argmax())
        first = int((id_series == id_series.iloc[row]).to_numpy().argmax())
        raise ValidationError(
            field=f"row {row}.{id_column}",
            value=id_series.iloc[row],
            expected="one row per account",
            problem=f"duplicate account id (also at row {first})",
        )
    ids = id_series.to_numpy()
    wanted = {f for f, _ in model.directions} | {"collected", "invoiced", measure}
    data = float_columns(frame, wanted - {id_column})
    cols = _score_arrays(model, data, ladder, abc, measure, ids, None)
    ordered = {id_column: ids, "total": cols.pop("total"), "grade": cols.pop("grade")}
    if "abc" in cols:
        ordered["abc"] = cols.pop("abc")
    return pd.DataFrame({**ordered, **cols}, index=frame.index)


def classify_frame(
    frame: pd.DataFrame,
    policy: AbcPolicy,
    *,
    measure: str = "sales_revenue",
    id_column: str = "account_id",
) -> pd.DataFrame:
    """ABC classes of a pandas DataFrame (one row per account), on the columnar path.

    The classes :func:`~kamcore.grading.classify_abc` gives on the same figures (the
    measure read as the decimals its floats show, summed in whole units), with
    ``rank`` and ``cumulative_share``; the rows stay in input order. The same as
    :func:`kamcore.bulk.classify_accounts`, which also takes a Dask frame.

    Examples:
        >>> import pandas as pd
        >>> from kamcore.presets import load_preset
        >>> f = pd.DataFrame({"account_id": ["x", "y", "z", "w"], "sales_revenue": [70, 20, 6, 4]})
        >>> classify_frame(f, load_preset("grading_abc"))["abc"].tolist()
        ['A', 'A', 'B', 'C']

    Raises:
        ValidationError: Not a DataFrame or a policy, a missing column, a duplicate id,
            or a missing or negative measure (naming the account).
    """
    _require_frames()
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    from kamcore.bulk._engine import _unique, classify_accounts  # noqa: PLC0415

    instance(frame, pd.DataFrame, "frame", expected="a pandas DataFrame")
    result: pd.DataFrame = classify_accounts(frame, policy, measure=measure, id_column=id_column)
    _unique(frame[id_column])
    return result
