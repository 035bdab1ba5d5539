"""The bulk pipeline: order lines → account figures → fit → score and grade → ABC.

Every step is a pure function of a DataFrame partition, plus a small reduction where
the step is global: the pandas engine runs them on one frame, the Dask engine as
``map_partitions`` with its reductions in :mod:`._dask`. A pandas frame in gives a
pandas frame out (rows in input order; accounts from order lines in account-id order);
a Dask frame in gives a Dask frame out (rows in rank order when ABC was asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from kamcore._validate import day
from kamcore.bulk._abc import classify_frame_units
from kamcore.bulk._lines import (
    count_orders,
    finish_accounts,
    in_period,
    pandas_frame,
    summarise_lines,
)
from kamcore.errors import ValidationError
from kamcore.grading._columnar import _fit_columns, _score_arrays, float_columns
from kamcore.grading._facts import DERIVED_FIGURES, FIGURES, AccountFacts
from kamcore.grading._inputs import instance
from kamcore.grading._ladder import GradeLadder
from kamcore.grading._normalisers import Normaliser, NormaliserKind
from kamcore.grading._pareto import AbcPolicy
from kamcore.grading._scoring import ScoringModel, WeightedScorecard

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Step",
    "aggregate_lines",
    "classify_accounts",
    "fit_model",
    "grade_accounts",
    "grade_lines",
    "score_partition",
]

#: Called with the name of each step as it starts (a progress bar's hook).
Step = Callable[[str], None]

#: The steps of :func:`grade_lines`, in order (``grade_accounts`` runs the last three).
STEPS: Final = ("aggregate", "fit", "score", "classify")

_ID: Final = "account_id"


def _kind(frame: object, name: str) -> str:
    """``"pandas"`` or ``"dask"``: the engine a frame runs on; else a clear error."""
    module = type(frame).__module__
    if module.startswith("dask"):
        return "dask"
    try:
        import pandas as pd  # noqa: PLC0415 - optional dependency, imported lazily
    except ImportError:  # pragma: no cover - the frames extra is installed in the tests
        pd = None  # type: ignore[assignment]
    if pd is not None and isinstance(frame, pd.DataFrame):
        return "pandas"
    raise ValidationError(
        field=name,
        value=type(frame).__name__,
        expected="a pandas DataFrame or a dask.dataframe.DataFrame",
        problem="not a DataFrame",
    )


def check_period(value: object) -> tuple[dt.date, dt.date] | None:
    if value is None:
        return None
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValidationError(
            field="period",
            value=value,
            expected="(first_day, last_day): two dates or ISO texts, or None",
            problem="not a pair of days",
        )
    first, last = day(value[0], "period[0]"), day(value[1], "period[1]")
    if last < first:
        raise ValidationError(
            field="period",
            value=(first.isoformat(), last.isoformat()),
            expected="a first day on or before the last day",
            problem="the period ends before it starts",
        )
    return first, last


def _note(on_step: Step | None, name: str) -> None:
    if on_step is not None:
        on_step(name)


def aggregate_lines(
    lines: Any,
    *,
    period: tuple[dt.date | str, dt.date | str] | None = None,
    as_of: dt.date | str | None = None,
) -> Any:
    """Order lines → one row of figures per account, on pandas or on Dask.

    ``lines`` has one row per sale: ``account_id``, ``order_date`` (datetime64), the
    money columns in whole cents (int64: ``sales_revenue`` and any of ``invoiced``,
    ``collected``, ``profit``, ``quality_losses``; :func:`kamcore.tables.read_lines_frame`
    reads them so), and optionally ``order_id`` and ``quantity``.

    Returns one row per account: the money sums in yuan (float64, the float nearest the
    exact sum of cents, so every engine gives the same figures to the cent),
    ``quantity``, ``lines``, ``orders`` (distinct order ids), ``first_purchase``,
    ``last_purchase`` and ``recency_days`` (days from the last purchase to ``as_of``:
    the period's last day, else the latest line). pandas rows come in account-id order.

    Raises:
        ValidationError: Not a DataFrame, a missing column, a money column that is not
            whole cents, or a bad period.
    """
    kind = _kind(lines, "lines")
    span = check_period(period)
    end = day(as_of, "as_of") if as_of is not None else (span[1] if span else None)
    if kind == "dask":
        from kamcore.bulk._dask import aggregate_dask  # noqa: PLC0415

        return aggregate_dask(lines, span, end)
    sums = summarise_lines(lines, period=span).sort_values(_ID, kind="stable")
    orders = None
    if "order_id" in lines.columns:
        kept = in_period(lines, span)
        orders = count_orders(kept).groupby(_ID).size()
    return finish_accounts(sums.reset_index(drop=True), orders, end)


def fit_pandas(model: ScoringModel, accounts: pd.DataFrame, id_column: str) -> Any:
    """Fit ``model`` to a pandas frame of account figures, as the exact path fits it."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    if getattr(model, "fitted", False):
        return model
    ids = accounts[id_column].to_numpy()
    data = _figures(model, accounts)
    if isinstance(model, WeightedScorecard):
        from kamcore.grading._columnar import _column  # noqa: PLC0415

        xs = [_column(data, c.source, len(accounts), ids) for c in model.criteria]
        return _fit_columns(model, xs, data, ids)
    facts = []
    for i, account in enumerate(ids.tolist()):
        fields: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        for name, col in data.items():
            v = col[i]
            (fields if name in FIGURES else extras)[name] = None if np.isnan(v) else repr(float(v))
        facts.append(AccountFacts(str(account), **fields, extras=extras))
    return model.fit(facts)


def _figures(model: ScoringModel, frame: pd.DataFrame) -> dict[str, Any]:
    """The columns ``model`` reads (``collected``/``invoiced`` for a derived rate), float64."""
    wanted: set[str] = set()
    for figure, _ in model.directions:
        wanted.add(figure)
        if figure in DERIVED_FIGURES:
            wanted |= {"collected", "invoiced"}
    return float_columns(frame, wanted)


def fit_extremes(name: str, norm: Normaliser, n: int, low: float, high: float) -> Normaliser | None:
    """A fit's first reduction (count, min, max of a column) checked; the min–max fit.

    Returns the fitted normaliser of a min–max criterion, ``None`` for one that needs
    order statistics next.

    Raises:
        ValidationError: No account has the figure, or an infinite figure.
    """
    import math  # noqa: PLC0415

    from kamcore.grading._columnar import _decimal  # noqa: PLC0415

    if not n:
        raise ValidationError(
            field=f"{name}.population",
            value=(),
            expected="at least one account with this figure",
            problem=f"nothing to fit {norm._what} to",
        )
    if math.isinf(low) or math.isinf(high):
        raise ValidationError(
            field=name,
            value=float(low if math.isinf(low) else high),
            expected="a finite number (NaN for a missing figure)",
            problem="infinite figure",
        )
    if norm.kind is NormaliserKind.MINMAX:
        return Normaliser(NormaliserKind.MINMAX, _decimal(low), _decimal(high))
    return None


def fit_model(model: ScoringModel, accounts: Any, *, id_column: str = _ID) -> ScoringModel:
    """Fit the criteria of ``model`` not yet fitted to a frame of account figures.

    A global reduction: on pandas the columnar fit; on Dask a distributed min/max or
    order statistics from a distributed sort. The fitted model equals what
    :meth:`WeightedScorecard.fit` learns from the same figures on the exact path.

    Raises:
        ValidationError: Not a model or a frame, a missing column, or nothing to fit to.
    """
    instance(model, ScoringModel, "model", expected="a ScoringModel")  # type: ignore[type-abstract]
    kind = _kind(accounts, "accounts")
    _has(accounts, id_column)
    if kind == "dask":
        from kamcore.bulk._dask import fit_dask  # noqa: PLC0415

        fitted: ScoringModel = fit_dask(model, accounts, id_column)
        return fitted
    fitted_here: ScoringModel = fit_pandas(model, accounts, id_column)
    return fitted_here


def _has(frame: Any, column: str) -> None:
    if column not in frame.columns:
        raise ValidationError(
            field=column,
            value=[str(c) for c in frame.columns],
            expected=f"a column named {column!r}",
            problem="missing column",
        )


def score_partition(
    part: pd.DataFrame, model: ScoringModel, ladder: GradeLadder, *, id_column: str = _ID
) -> pd.DataFrame:
    """Score and grade one partition of account figures with a fitted model (row-local).

    Adds ``total``, ``grade`` and one ``<criterion>.contribution`` column per criterion
    (float64, each equal to the exact path's ``Decimal``).

    Raises:
        ValidationError: The model is not fitted (fit it first: :func:`fit_model`), a
            missing or negative figure the model refuses, a total outside the ladder.
    """
    pandas_frame(part, "part")
    _check_grading(model, ladder, None)
    _has(part, id_column)
    if not getattr(model, "fitted", False):
        raise ValidationError(
            field="model",
            value=type(model).__name__,
            expected="a fitted model (fit_model first: each partition must use the same fit)",
            problem="not fitted",
        )
    ids = part[id_column].to_numpy()
    cols = _score_arrays(model, _figures(model, part), ladder, None, "total", ids, None)
    out = {"total": cols.pop("total"), "grade": cols.pop("grade"), **cols}
    return part.assign(**out)


def _check_grading(model: object, ladder: object, abc: object) -> None:
    instance(model, ScoringModel, "model", expected="a ScoringModel")  # type: ignore[type-abstract]
    instance(ladder, GradeLadder, "ladder", expected="a GradeLadder")
    if abc is not None:
        instance(abc, AbcPolicy, "abc", expected="an AbcPolicy, or None for no ABC")


def classify_accounts(
    accounts: Any, policy: AbcPolicy, *, measure: str = "sales_revenue", id_column: str = _ID
) -> Any:
    """ABC classes by cumulative share (or count) of a frame of accounts, exactly.

    Adds ``abc``, ``rank`` (1-based, measure descending then account id ascending) and
    ``cumulative_share`` (float, including the account). The classes are those
    :func:`~kamcore.grading.classify_abc` gives on the same figures. On Dask the
    result comes in rank order (a distributed sort).

    Raises:
        ValidationError: Not a frame or a policy, a missing column, or a missing or
            negative measure (naming the account).
    """
    instance(policy, AbcPolicy, "policy", expected="an AbcPolicy")
    kind = _kind(accounts, "accounts")
    _has(accounts, id_column)
    _has(accounts, measure)
    if kind == "dask":
        from kamcore.bulk._dask import classify_dask  # noqa: PLC0415

        return classify_dask(accounts, policy, measure, id_column)
    labels, rank, share = classify_frame_units(accounts, policy, measure, id_column)
    return accounts.assign(abc=labels, rank=rank, cumulative_share=share)


def grade_accounts(
    accounts: Any,
    model: ScoringModel,
    ladder: GradeLadder,
    *,
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
    id_column: str = _ID,
    on_step: Step | None = None,
) -> Any:
    """Fit (where not fitted), score, grade and classify a frame of account figures.

    Args:
        accounts: One row per account (pandas or Dask): ``id_column`` and a column per
            figure the model reads (``NaN`` = missing).
        model: A scoring model; criteria not yet fitted are fitted to these accounts.
        ladder: The grade ladder.
        abc: An ABC policy, or ``None`` for no classes.
        measure: The ABC measure: a column, or ``"score"`` for the total.
        id_column: The account id column (ids must be unique).
        on_step: Called with ``"fit"``, ``"score"`` and ``"classify"`` as each starts.

    Returns:
        The input columns plus ``total``, ``grade``, ``<criterion>.contribution`` and,
        with ``abc``, ``abc``, ``rank`` and ``cumulative_share``; the same values the
        exact path gives.

    Raises:
        ValidationError: A bad argument, a missing column, a duplicate id, a figure the
            model refuses, or a bad measure (each naming the account).
    """
    _check_grading(model, ladder, abc)
    kind = _kind(accounts, "accounts")
    _has(accounts, id_column)
    if kind == "pandas":
        _unique(accounts[id_column])
    else:  # the fit and the sort read it again: compute it once, keep it in the cluster
        accounts = accounts.persist()
    _note(on_step, "fit")
    fitted = fit_model(model, accounts, id_column=id_column)
    _note(on_step, "score")
    if kind == "dask":
        scored = accounts.map_partitions(
            score_partition,
            fitted,
            ladder,
            id_column=id_column,
            meta=_scored_meta(accounts, fitted),
        )
    else:
        scored = score_partition(accounts, fitted, ladder, id_column=id_column)
    if abc is None:
        return scored
    _note(on_step, "classify")
    if kind == "dask":
        scored = scored.persist()
    by = "total" if measure == "score" else measure
    return classify_accounts(scored, abc, measure=by, id_column=id_column)


def _scored_meta(frame: Any, model: ScoringModel) -> pd.DataFrame:
    """The empty frame :func:`score_partition` returns for a Dask frame's partitions."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    empty = np.array([], dtype=np.float64)
    names = [str(c.name) for c in getattr(model, "criteria", ())]
    meta: pd.DataFrame = frame._meta.assign(
        total=empty,
        grade=np.array([], dtype=object),
        **{f"{name}.contribution": empty for name in names},
    )
    return meta


def _unique(ids: pd.Series) -> None:
    again = ids.duplicated().to_numpy()
    if again.any():
        row = int(again.argmax())
        first = int((ids == ids.iloc[row]).to_numpy().argmax())
        raise ValidationError(
            field=f"row {row}.{ids.name}",
            value=ids.iloc[row],
            expected="one row per account",
            problem=f"duplicate account id (also at row {first})",
        )


def grade_lines(
    lines: Any,
    model: ScoringModel,
    ladder: GradeLadder,
    *,
    abc: AbcPolicy | None = None,
    measure: str = "sales_revenue",
    period: tuple[dt.date | str, dt.date | str] | None = None,
    as_of: dt.date | str | None = None,
    on_step: Step | None = None,
) -> Any:
    """The whole pipeline from order lines: aggregate, fit, score, grade and classify.

    :func:`aggregate_lines` then :func:`grade_accounts` (see both). ``on_step`` is
    called with ``"aggregate"`` first.

    Examples:
        >>> import pandas as pd
        >>> from kamcore.presets import load_preset
        >>> lines = pd.DataFrame({
        ...     "account_id": ["a", "b", "a", "c"],
        ...     "order_date": pd.to_datetime(
        ...         ["2026-01-05", "2026-02-01", "2026-03-09", "2026-03-10"]),
        ...     "sales_revenue": [700_00, 200_00, 100_00, 0],
        ... })
        >>> out = grade_lines(lines, load_preset("grading_scorecard_lines"),
        ...                   load_preset("grading_letters"), abc=load_preset("grading_abc"))
        >>> cols = ["account_id", "sales_revenue", "orders", "abc"]
        >>> out[cols].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
        [{'account_id': 'a', 'sales_revenue': 800.0, 'orders': 2, 'abc': 'A'},
         {'account_id': 'b', 'sales_revenue': 200.0, 'orders': 1, 'abc': 'B'},
         {'account_id': 'c', 'sales_revenue': 0.0, 'orders': 1, 'abc': 'C'}]
    """
    _check_grading(model, ladder, abc)
    _note(on_step, "aggregate")
    accounts = aggregate_lines(lines, period=period, as_of=as_of)
    return grade_accounts(accounts, model, ladder, abc=abc, measure=measure, on_step=on_step)
