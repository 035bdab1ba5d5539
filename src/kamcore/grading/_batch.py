"""Batch grading: many accounts in one call, as objects and as columns (numpy/pandas optional).

Two paths compute the same rules:

* :func:`grade_many` — exact (``Decimal``), returns :class:`Graded` objects and, via
  :meth:`Batch.columns`, a dict of column tuples.
* :func:`score_arrays` / :func:`grade_frame` — vectorised with numpy in binary
  floating point (``float64``), for large populations; contributions are *not*
  rounded, so a total can differ from the exact path in the last places, and a total
  lying exactly on a band boundary may then fall on the other side of it. Needs the
  ``frames`` extra (numpy, pandas), imported only when these functions are called.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from kamcore.errors import ValidationError
from kamcore.grading._facts import AccountFacts
from kamcore.grading._ladder import Graded, GradeLadder, grade_all
from kamcore.grading._pareto import AbcMethod, AbcPolicy, AbcResult, classify_abc
from kamcore.grading._scoring import (
    Direction,
    MissingPolicy,
    NormaliserKind,
    ScoringModel,
    WeightedScorecard,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = ["Batch", "grade_frame", "grade_many", "score_arrays"]


def _require_frames() -> None:
    """Raise a clear ImportError when the optional ``frames`` extra is not installed."""
    try:
        import numpy  # noqa: F401, PLC0415 - optional dependency, imported lazily
        import pandas  # noqa: F401, PLC0415
    except ImportError as exc:
        msg = f"the columnar path needs numpy and pandas: pip install 'kamcore[frames]' ({exc})"
        raise ImportError(msg) from exc


def _to_graded(value: Sequence[Graded]) -> tuple[Graded, ...]:
    return tuple(value)


@attrs.define(frozen=True, slots=True)
class Batch:
    """The grades of a population, as objects (:attr:`graded`) and columns.

    Attributes:
        graded: One :class:`Graded` per account, in input order.
        abc: The ABC classification, when one was asked for.
    """

    graded: tuple[Graded, ...] = attrs.field(converter=_to_graded)
    abc: AbcResult | None = None

    def columns(self) -> dict[str, tuple[object, ...]]:
        """The results as columns, each a tuple in input order.

        Columns: ``account_id``, ``total``, ``grade``, ``abc`` (if classified) and, per
        criterion, ``<name>.raw``, ``<name>.normalised``, ``<name>.weight`` and
        ``<name>.contribution``; every column in input order.
        """
        g = self.graded
        cols: dict[str, tuple[object, ...]] = {
            "account_id": tuple(x.account_id for x in g),
            "total": tuple(x.score.total for x in g),
            "grade": tuple(x.grade for x in g),
        }
        if self.abc is not None:
            labels = self.abc.as_dict()
            cols["abc"] = tuple(labels[x.account_id] for x in g)
        if g:
            for i, name in enumerate(g[0].score.names):
                cols[f"{name}.raw"] = tuple(x.score.raw[i] for x in g)
                cols[f"{name}.normalised"] = tuple(x.score.normalised[i] for x in g)
                cols[f"{name}.weight"] = tuple(x.score.weights[i] for x in g)
                cols[f"{name}.contribution"] = tuple(x.score.contributions[i] for x in g)
        return cols

    def to_frame(self) -> pd.DataFrame:
        """The columns as a pandas DataFrame (needs pandas)."""
        import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

        return pd.DataFrame(self.columns())


def grade_many(
    model: ScoringModel,
    ladder: GradeLadder,
    population: Sequence[AccountFacts],
    *,
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
    pause_gc: bool = True,
) -> Batch:
    """Fit, score and grade a population in one call; optionally classify it ABC.

    Building a large batch allocates many small objects that hold no reference
    cycles, so by default Python's cyclic garbage collector is paused while the
    batch is built (and restored afterwards, even on error); reference counting still
    frees everything at once. Pass ``pause_gc=False`` to leave it running.

    Args:
        model: The scoring model.
        ladder: The grade ladder.
        population: The accounts.
        abc: An ABC policy to classify the population with.
        measure: The figure ABC ranks by, or ``"score"`` for the score total.
        pause_gc: Pause the cyclic garbage collector while building (default).

    Raises:
        ValidationError: As :func:`grade_all`; or an account misses the ABC measure.

    Examples:
        >>> from kamcore.grading import Criterion, GradeBand, Normaliser
        >>> card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 10)),))
        >>> ladder = GradeLadder((GradeBand("A", 50, 100), GradeBand("B", 0, 50)))
        >>> b = grade_many(card, ladder, [AccountFacts("x", sales_revenue=7)])
        >>> b.columns()["grade"], b.columns()["sales_revenue.contribution"]
        (('A',), (Decimal('70.00'),))
    """
    running = pause_gc and gc.isenabled()
    if running:
        gc.disable()
    try:
        return _grade_many(model, ladder, tuple(population), abc, measure)
    finally:
        if running:
            gc.enable()


def _grade_many(
    model: ScoringModel,
    ladder: GradeLadder,
    pop: tuple[AccountFacts, ...],
    abc: AbcPolicy | None,
    measure: str,
) -> Batch:
    graded = grade_all(model, ladder, pop)
    result = None
    if abc is not None:
        pairs: list[tuple[str, Decimal]] = []
        for f, g in zip(pop, graded, strict=True):
            value = g.score.total if measure == "score" else f.figure(measure)
            if value is None:
                raise ValidationError(
                    field=f"{f.account_id}.{measure}",
                    value=None,
                    expected="a figure to rank by",
                    problem="missing measure",
                )
            pairs.append((f.account_id, value))
        result = classify_abc(abc, pairs)
    return Batch(graded, result)


# -- numpy ----------------------------------------------------------------------------
def _column(data: Mapping[str, Any], name: str, n: int | None) -> npt.NDArray[np.float64]:
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if name == "collection_rate" and name not in data:
        collected = _column(data, "collected", n)
        invoiced = _column(data, "invoiced", n)
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
    return col


def _fraction(
    kind: NormaliserKind,
    x: npt.NDArray[np.float64],
    lower: Decimal | None,
    upper: Decimal | None,
    steps: tuple[tuple[float, float], ...],
) -> npt.NDArray[np.float64]:
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if kind is NormaliserKind.STEPS:
        ats = np.array([a for a, _ in steps])
        values = np.array([0.0, *(v for _, v in steps)])
        return values[np.searchsorted(ats, x, side="right")]
    if lower is None or upper is None:
        if np.isnan(x).all():
            raise ValidationError(
                field="population",
                value=(),
                expected="at least one account with this figure",
                problem="nothing to fit min–max bounds to",
            )
        lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    else:
        lo, hi = float(lower), float(upper)
    if hi == lo:
        return np.ones_like(x)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def score_arrays(
    model: WeightedScorecard,
    data: Mapping[str, Any],
    *,
    ladder: GradeLadder | None = None,
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
    ids: Any = None,
) -> dict[str, Any]:
    """Score (and grade, and classify) a population held as columns, with numpy.

    Args:
        model: A weighted scorecard; min–max criteria not yet fitted are fitted to
            these columns (``nanmin``/``nanmax``).
        data: Figure name → one-dimensional array-like of numbers (``NaN`` = missing).
            ``collection_rate`` is derived from ``collected``/``invoiced`` when absent.
        ladder: A ladder to grade with (adds a ``grade`` column).
        abc: An ABC policy (adds an ``abc`` column).
        measure: The column ABC ranks by, or ``"score"`` for the total.
        ids: Account ids (array-like), for ABC tie-breaking (ascending) and error
            messages; positions are used when omitted.

    Returns:
        ``total``, ``<name>.contribution`` per criterion (float64 arrays), and
        ``grade`` / ``abc`` (object arrays of labels) when asked for.

    Raises:
        ValidationError: A missing column, a wrong shape, a missing figure under the
            ``REFUSE`` policy, or a missing or negative ABC measure.
    """
    _require_frames()
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    n: int | None = None
    out: dict[str, Any] = {}
    contributions: list[npt.NDArray[np.float64]] = []
    present: list[npt.NDArray[np.bool_]] = []
    for c in model.criteria:
        x = _column(data, c.source, n)
        n = len(x)
        norm = c.normaliser
        steps = tuple((float(s.at), float(s.value)) for s in norm.steps)
        frac = _fraction(norm.kind, x, norm.lower, norm.upper, steps)
        if c.direction is Direction.LOWER:
            frac = 1.0 - frac
        ok = ~np.isnan(x)
        if model.missing is MissingPolicy.REFUSE and not ok.all():
            row = int(np.argmin(ok))
            who = str(ids[row]) if ids is not None else f"row {row}"
            raise ValidationError(
                field=f"{who}.{c.name}",
                value=None,
                expected="a figure (this scorecard refuses missing figures)",
                problem="missing figure",
            )
        contributions.append(np.where(ok, frac, 0.0) * float(c.weight * model.scale))
        present.append(ok)
    if model.missing is MissingPolicy.RENORMALISE:
        weights = np.array([float(c.weight) for c in model.criteria])
        mask = np.vstack(present)
        used = weights @ mask
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(used > 0, 1.0 / used, 0.0)
        contributions = [col * factor for col in contributions]
    total = np.sum(np.vstack(contributions), axis=0)
    out["total"] = total
    for c, col in zip(model.criteria, contributions, strict=True):
        out[f"{c.name}.contribution"] = col
    if ladder is not None:
        out["grade"] = _grades(ladder, total)
    if abc is not None:
        m = total if measure == "score" else _column(data, measure, n)
        out["abc"] = _abc_labels(abc, m, ids)
    return out


def _grades(ladder: GradeLadder, total: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    lowers = np.array([float(b.lower) for b in reversed(ladder.bands)])
    labels = np.array([b.grade for b in reversed(ladder.bands)], dtype=object)
    idx = np.searchsorted(lowers, total, side="right") - 1
    return labels[np.clip(idx, 0, len(labels) - 1)]


def _abc_labels(
    policy: AbcPolicy, measure: npt.NDArray[np.float64], ids: Any
) -> npt.NDArray[np.object_]:
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    n = len(measure)
    if np.isnan(measure).any() or (measure < 0).any():
        raise ValidationError(
            field="measure",
            value=None,
            expected="a non-negative figure for every account",
            problem="missing or negative measure",
        )
    if ids is None:
        order = np.argsort(-measure, kind="stable")
    else:
        by_id = np.argsort(np.asarray(ids), kind="stable")
        order = by_id[np.argsort(-measure[by_id], kind="stable")]
    labels = np.array(policy.labels, dtype=object)
    position: npt.NDArray[Any]
    limits: npt.NDArray[Any]
    if policy.method is AbcMethod.COUNT:
        limits = np.array([int(policy.rounding.apply(b.upto * n, 0)) for b in policy.breaks])
        position = np.arange(n)
    else:
        ranked = measure[order]
        total = float(ranked.sum())
        limits = np.array([float(b.upto) * total for b in policy.breaks])
        position = np.cumsum(ranked) - ranked
    idx = np.minimum(np.searchsorted(limits, position, side="right"), len(labels) - 1)
    result = np.empty(n, dtype=object)
    result[order] = labels[idx]
    return result


def grade_frame(
    model: WeightedScorecard,
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
    :func:`score_arrays` for the arithmetic.

    Raises:
        ValidationError: As :func:`score_arrays`, or the id column is missing.
    """
    _require_frames()
    import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily

    if id_column not in frame.columns:
        raise ValidationError(
            field=id_column,
            value=list(frame.columns),
            expected=f"a column named {id_column!r}",
            problem="missing column",
        )
    ids = frame[id_column].to_numpy()
    wanted = {c.source for c in model.criteria} | {"collected", "invoiced", measure}
    data: dict[str, Any] = {}
    for k in frame.columns:
        if k != id_column and str(k) in wanted:
            try:
                data[str(k)] = frame[k].to_numpy(dtype="float64", na_value=float("nan"))
            except (TypeError, ValueError):
                raise ValidationError(
                    field=str(k),
                    value=str(frame[k].dtype),
                    expected="numbers (NaN or NA for a missing figure)",
                    problem="not numeric",
                ) from None
    cols = score_arrays(model, data, ladder=ladder, abc=abc, measure=measure, ids=ids)
    ordered = {id_column: ids, "total": cols.pop("total"), "grade": cols.pop("grade")}
    if "abc" in cols:
        ordered["abc"] = cols.pop("abc")
    return pd.DataFrame({**ordered, **cols}, index=frame.index)
