"""The columnar and Dask engines of ``kamcore grade`` and ``kamcore pareto``.

The file is read into a pandas frame by :func:`kamcore.tables.read_accounts_frame` (or
:func:`~kamcore.tables.read_lines_frame` with ``--lines``), through the same column map
and cell rules as the exact engine, every problem reported at once; the grading is
:mod:`kamcore.bulk`'s pipeline, on that frame (``columnar``) or on its partitions
(``dask``). A CSV result is written straight from the frame; other formats go through
the same views as the exact engine. Grades, classes and totals equal the exact
engine's. A progress bar on stderr (rich, when installed) follows the steps when stderr
is a terminal and ``--quiet`` is not given.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from kamcore import codec
from kamcore._output import Record, write_text
from kamcore.cli._common import EXIT_OK, UsageError, keep_arg, load_policy_arg, parse_date
from kamcore.cli._views import GRADE_HEADINGS, HEADINGS, View, check_out, emit_views
from kamcore.money import Rounding

if TYPE_CHECKING:
    import pandas as pd

    from kamcore.grading import AbcPolicy

__all__ = ["engine_of", "grade_bulk", "grade_lines_exact", "pareto_bulk"]

_ENGINES: Final = ("exact", "columnar", "dask")
_GRADE_VALUES: Final = {"grade": "grade", "abc": "abc", "class": "abc"}
#: Fitting a model to fewer accounts than this earns a note on stderr (as on the exact engine).
_FEW_TO_FIT: Final = 3
#: The column that keeps the input order through a distributed sort.
_ROW: Final = "_kamcore_row"
#: The column map --lines uses when --columns is not given.
LINES_MAP: Final = "presets:columns_lines"


def _installed(*names: str) -> bool:
    return all(importlib.util.find_spec(n) is not None for n in names)


def engine_of(args: argparse.Namespace, *, command: str = "grade") -> str:
    """The engine ``--engine`` names, or the default: columnar where pandas is installed.

    ``pareto`` of an account file stays on the exact engine unless asked: it shows each
    measure as the file writes it (``1000.50``) and takes any heading as the measure.

    Raises:
        UsageError: The engine's extra is not installed, or a Dask-only option is given
            to another engine.
    """
    engine: str | None = getattr(args, "engine", None)
    frames = _installed("pandas", "numpy", "pyarrow")
    if engine is None:
        lines = bool(getattr(args, "lines", False))
        engine = "columnar" if frames and (command == "grade" or lines) else "exact"
    if engine == "columnar" and not frames:
        raise UsageError(
            "--engine columnar needs pandas, numpy and pyarrow: pip install 'kamcore[frames]' "
            "(or use --engine exact)"
        )
    if engine == "dask" and not (frames and _installed("dask", "distributed")):
        raise UsageError("--engine dask needs dask and distributed: pip install 'kamcore[dask]'")
    if engine != "dask":
        for option in ("partitions", "scheduler"):
            if getattr(args, option, None) is not None:
                raise UsageError(f"--{option} is an option of --engine dask")
    if getattr(args, "period", None) is not None and not getattr(args, "lines", False):
        raise UsageError("--period picks order lines by date: give it with --lines")
    return engine


# -- progress ------------------------------------------------------------------------


class _Progress:
    """Steps shown on stderr with rich when stderr is a terminal (else nothing)."""

    def __init__(self, args: argparse.Namespace, steps: tuple[str, ...]) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._steps = steps
        if getattr(args, "quiet", False) or not sys.stderr.isatty() or not _installed("rich"):
            return
        from rich.console import Console  # noqa: PLC0415 - optional dependency
        from rich.progress import Progress  # noqa: PLC0415

        self._bar = Progress(
            transient=True,
            console=Console(stderr=True),
            redirect_stdout=False,  # the result goes to stdout as it is, never into the bar
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("kamcore", total=len(steps))

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def step(self, name: str) -> None:
        """Show that step ``name`` has started (the steps before it are done)."""
        if self._bar is None:
            return
        done = self._steps.index(name) if name in self._steps else 0
        self._bar.update(self._task, completed=done, description=f"kamcore: {name}")


# -- reading -------------------------------------------------------------------------


def _period_arg(value: str | None) -> tuple[Any, Any] | None:
    if value is None:
        return None
    first, sep, last = value.partition("..")
    if not sep:
        raise UsageError(f"--period {value}: expected FROM..TO, e.g. 2026-01-01..2026-12-31")
    return parse_date(first, option="--period"), parse_date(last, option="--period")


def _read_accounts(
    args: argparse.Namespace,
    require: tuple[str, ...],
    complete: tuple[str, ...],
    extras: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    from kamcore.tables import read_accounts_frame  # noqa: PLC0415

    return read_accounts_frame(
        args.file,
        columns=args.columns,
        require=require,
        complete=complete,
        extras=extras if extras is not None else (getattr(args, "extra", None) or ()),
        keep=keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )


def _read_lines(args: argparse.Namespace) -> pd.DataFrame:
    from kamcore.tables import read_lines_frame  # noqa: PLC0415

    return read_lines_frame(
        args.file,
        columns=args.columns or LINES_MAP,
        keep=keep_arg(args),
        sheet=args.sheet,
        period=_period_arg(args.period),
    )


def _as_of(args: argparse.Namespace) -> Any:
    """The day recency counts to: the period's last day (the reader kept its lines only)."""
    period = _period_arg(args.period)
    return None if period is None else period[1]


@contextlib.contextmanager
def _engine_frame(frame: pd.DataFrame, args: argparse.Namespace, engine: str) -> Iterator[Any]:
    """The frame as the engine takes it: itself, or Dask partitions on a cluster."""
    if engine != "dask":
        yield frame
        return
    dd: Any = importlib.import_module("dask.dataframe")  # the dask extra, untyped
    distributed: Any = importlib.import_module("distributed")
    client_of, cluster_of = distributed.Client, distributed.LocalCluster

    # the cluster's own chatter (shuffles starting, workers coming up) is not the user's
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cores = os.cpu_count() or 1
    parts = args.partitions if args.partitions is not None else cores
    if parts < 1:
        raise UsageError(f"--partitions {parts}: expected a whole number of at least 1")
    if args.scheduler:
        client = client_of(args.scheduler)
        cluster = None
    else:
        cluster = cluster_of(
            n_workers=min(parts, cores),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never a clash with a running one
        )
        client = client_of(cluster)
    try:
        yield dd.from_pandas(frame, npartitions=parts, sort=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _computed(result: Any) -> pd.DataFrame:
    frame: pd.DataFrame = result.compute() if hasattr(result, "compute") else result
    return frame


# -- grade ---------------------------------------------------------------------------


def _kept_columns(frame: pd.DataFrame, figures: set[str]) -> list[str]:
    """The text columns the reader carried (neither the id nor a figure)."""
    return [
        str(c)
        for c in frame.columns
        if c != "account_id" and c not in figures and frame[c].dtype.kind not in "iufbmM"
    ]


def grade_bulk(args: argparse.Namespace, engine: str) -> int:
    """``grade`` on the columnar or Dask engine."""
    from kamcore.bulk import grade_accounts, grade_lines  # noqa: PLC0415
    from kamcore.cli._grade_exact import model_arg, required_figures  # noqa: PLC0415
    from kamcore.grading import AbcPolicy, GradeLadder  # noqa: PLC0415

    model = model_arg(args.policy)
    ladder = load_policy_arg(args.ladder, GradeLadder)
    abc = None if args.abc == "none" else load_policy_arg(args.abc, AbcPolicy)
    if args.save_fitted and Path(args.save_fitted).suffix.casefold() != ".toml":
        raise UsageError(
            f"--save-fitted {args.save_fitted}: a policy is written as TOML; "
            "expected a name ending in .toml"
        )
    steps = ("read", "aggregate", "fit", "score", "classify", "write")
    with _Progress(args, steps) as progress:
        progress.step("read")
        if args.lines:
            frame = _read_lines(args)
            figures_in: set[str] = set()
        else:
            complete = required_figures(model)
            require = complete
            if abc is not None and args.by != "score":
                require = (*require, args.by)
            frame = _read_accounts(args, require, complete)
            figures_in = {str(c) for c in frame.columns if frame[c].dtype.kind == "f"}
        # the text a line carries is not the account's: --lines shows the sums only
        if not args.lines and not getattr(model, "fitted", True) and len(frame) < _FEW_TO_FIT:
            print(
                f"kamcore: note: the model is fitted to this file's {len(frame)} "
                "account(s), too few for percentiles to mean much; grade against a larger "
                "book with --policy MODEL.toml (written by --save-fitted)",
                file=sys.stderr,
            )
        kept = [] if args.lines else _kept_columns(frame, figures_in)
        headings: dict[str, str] = dict(frame.attrs.get("kept", {}))
        if engine == "dask" and not args.lines:  # the input order, to give the rows back in
            frame[_ROW] = range(len(frame))
        with _engine_frame(frame, args, engine) as data:
            del frame
            if args.lines:
                result = grade_lines(
                    data,
                    model,
                    ladder,
                    abc=abc,
                    measure=args.by,
                    as_of=_as_of(args),
                    on_step=progress.step,
                )
            else:
                result = grade_accounts(
                    data, model, ladder, abc=abc, measure=args.by, on_step=progress.step
                )
            out = _computed(result)
        if engine == "dask":  # back to the order the columnar engine gives
            out = out.sort_values(_ROW if _ROW in out.columns else "account_id", kind="stable")
            out = out.drop(columns=_ROW, errors="ignore")
        progress.step("write")
        fitted = _fitted(model, out, args) if args.save_fitted else None
        _write_grades(args, out, model, {k: headings.get(k, k) for k in kept}, abc)
        if fitted is not None:
            write_text(args.save_fitted, codec.dumps_policy(fitted))
    return EXIT_OK


def _fitted(model: Any, out: pd.DataFrame, args: argparse.Namespace) -> Any:
    """The model as fitted to the accounts graded (for --save-fitted)."""
    from kamcore.bulk import fit_model  # noqa: PLC0415

    check_out(Path(args.save_fitted), "toml", "--save-fitted")
    return fit_model(model, out)


def _score_columns(model: Any, out: pd.DataFrame, args: argparse.Namespace) -> list[str]:
    cols = ["total"]
    if args.explain:
        cols += [str(c) for c in out.columns if str(c).endswith(".contribution")]
    return cols


def _write_grades(
    args: argparse.Namespace,
    out: pd.DataFrame,
    model: Any,
    kept: dict[str, str],
    abc: AbcPolicy | None,
) -> None:
    places = int(getattr(model, "places", 4))
    figures = [
        f for f in ("sales_revenue", "orders", "recency_days") if args.lines and f in out.columns
    ]
    columns = ["account_id", *kept, *figures, "total", "grade"]
    if abc is not None:
        columns.append("abc")
    columns += _score_columns(model, out, args)[1:]
    shown = out[columns].rename(columns={"total": "score"})
    fmt = getattr(args, "format", "table")
    if fmt == "csv" and getattr(args, "lang", "en") == "en":
        target = args.out
        if target:
            check_out(Path(target), fmt)
        text = shown.to_csv(index=False, float_format=f"%.{places}f", lineterminator="\n")
        if getattr(args, "bom", False):
            text = "\ufeff" + text
        if target:
            write_text(target, text)
        else:
            sys.stdout.write(text)
        return
    records = _records(shown, places)
    labels = {**GRADE_HEADINGS, **{k: (k, h) for k, h in kept.items()}}
    views = [View("grades", records, labels, _GRADE_VALUES)]
    if abc is not None:
        views.append(View("abc classes", _class_records(out, abc, args.by), labels, _GRADE_VALUES))
    emit_views(args, views)


def _records(frame: pd.DataFrame, places: int) -> list[Record]:
    """Rows as records, floats as the decimals they show (``places`` for scores)."""
    import numpy as np  # noqa: PLC0415 - optional dependency, imported lazily

    exponent = Decimal(1).scaleb(-places)
    cols: dict[str, list[object]] = {}
    for c in frame.columns:
        values = frame[c].tolist()
        if frame[c].dtype.kind == "f":
            cols[str(c)] = [
                None if np.isnan(v) else Decimal(repr(v)).quantize(exponent) for v in values
            ]
        else:
            cols[str(c)] = values
    keys = list(cols)
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols.values(), strict=True)]


def _share(value: Decimal) -> Decimal:
    return Rounding.HALF_UP.apply(value, 4)


def _class_records(out: pd.DataFrame, abc: AbcPolicy, by: str) -> list[Record]:
    """The classes: count, measure and shares (exact, from each account's decimal)."""
    measure = out["total" if by == "score" else by].tolist()
    labels = out["abc"].tolist()
    n = len(labels)
    sums = dict.fromkeys(abc.labels, Decimal(0))
    counts = dict.fromkeys(abc.labels, 0)
    for label, value in zip(labels, measure, strict=True):
        sums[label] += Decimal(repr(value))
        counts[label] += 1
    total = sum(sums.values(), Decimal(0))
    return [
        {
            "class": label,
            "count": counts[label],
            "count_share": _share(Decimal(counts[label]) / n) if n else Decimal(0),
            "measure": sums[label],
            "share": _share(sums[label] / total) if total else Decimal(label == abc.labels[-1]),
        }
        for label in abc.labels
    ]


# -- pareto --------------------------------------------------------------------------


def pareto_bulk(args: argparse.Namespace, engine: str) -> int:
    """``pareto`` on the columnar or Dask engine."""
    from kamcore.bulk import aggregate_lines, classify_accounts  # noqa: PLC0415
    from kamcore.grading import AbcPolicy  # noqa: PLC0415

    policy = load_policy_arg(args.policy, AbcPolicy)
    with _Progress(args, ("read", "aggregate", "classify", "write")) as progress:
        progress.step("read")
        if args.lines:
            frame = _read_lines(args)
        else:  # --by is a figure, or any heading (read as an extra figure of that name)
            from kamcore.grading import FIGURES  # noqa: PLC0415

            extra = () if args.by in FIGURES else (args.by,)
            frame = _read_accounts(args, (args.by,), (), extra)
        kept = [] if args.lines else _kept_columns(frame, {args.by})
        own: dict[str, str] = dict(frame.attrs.get("kept", {}))
        with _engine_frame(frame, args, engine) as given:
            data = given
            if args.lines:
                progress.step("aggregate")
                data = aggregate_lines(given, as_of=_as_of(args))
            if args.by not in data.columns:
                raise UsageError(
                    f"--by {args.by}: no such figure; order lines give sales_revenue, "
                    "invoiced, collected, profit, quality_losses, quantity, orders and lines"
                )
            blank = data[data[args.by].isna()]["account_id"]
            blank_ids: list[object] = list(_computed(blank))
            if blank_ids:
                listed = ", ".join(map(str, blank_ids[:10])) + (" …" if len(blank_ids) > 10 else "")
                print(
                    f"kamcore: note: {len(blank_ids)} account(s) with a blank {args.by} (a "
                    f"missing figure) are not classified: {listed}",
                    file=sys.stderr,
                )
                data = data[data[args.by].notna()]
            progress.step("classify")
            out = _computed(classify_accounts(data, policy, measure=args.by))
        out = out.sort_values("rank", kind="stable")
        progress.step("write")
        _write_pareto(args, out, policy, {k: own.get(k, k) for k in kept})
    return EXIT_OK


def _write_pareto(
    args: argparse.Namespace, out: pd.DataFrame, policy: AbcPolicy, kept: dict[str, str]
) -> None:
    measure = [_shown(v, money=args.lines) for v in out[args.by].tolist()]
    shares = [_share(Decimal(repr(v))) for v in out["cumulative_share"].tolist()]
    rows = out[["account_id", *kept, "rank", "abc"]].to_dict("records")
    accounts: list[Record] = [
        {
            "account_id": r["account_id"],
            **{k: r[k] for k in kept},
            "measure": m,
            "rank": int(r["rank"]),
            "cumulative_share": s,
            "class": r["abc"],
        }
        for r, m, s in zip(rows, measure, shares, strict=True)
    ]
    labels = {**GRADE_HEADINGS, **{k: (k, h) for k, h in kept.items()}}
    classes = View("classes", _class_records(out, policy, args.by), labels, _GRADE_VALUES)
    by_account = View("accounts", accounts, labels, _GRADE_VALUES)
    figures = _concentration(measure)
    concentrated = View("concentration", figures, HEADINGS, extra=_figure_names())
    views = {"classes": classes, "accounts": by_account, "concentration": concentrated}
    first = views.pop(args.view)
    emit_views(args, [first, *views.values()])


def _shown(value: float, *, money: bool) -> Decimal:
    """A measure as the decimal it is: cents for money summed from lines, else as read."""
    exact = Decimal(repr(value))
    if money:
        return exact.quantize(Decimal("0.01"))
    return exact.to_integral_value() if exact == exact.to_integral_value() else exact


def _figure_names() -> dict[str, dict[object, str]]:
    from kamcore._vocab import words  # noqa: PLC0415

    return {"figure": {k: zh for k, (_, zh) in words("cli_figures").items()}}


def _concentration(measure: list[Decimal]) -> list[Record]:
    """The concentration figures exactly as :func:`~kamcore.grading.measure_concentration`."""
    from kamcore.grading import measure_concentration  # noqa: PLC0415

    c = measure_concentration([(str(i), m) for i, m in enumerate(measure)])
    return [
        {"figure": "accounts", "value": c.count},
        {"figure": "total", "value": c.total},
        {"figure": "gini", "value": _share(c.gini)},
        {"figure": "top20_share", "value": _share(c.top20_share)},
        {"figure": "accounts_for_80", "value": _share(c.accounts_for_80)},
    ]


# -- order lines on the exact engine -------------------------------------------------


def _facts_from_lines(args: argparse.Namespace) -> list[Any]:
    from kamcore.bulk._exact import lines_to_facts  # noqa: PLC0415

    return lines_to_facts(
        args.file,
        columns=args.columns or LINES_MAP,
        sheet=args.sheet,
        period=_period_arg(args.period),
    )


def _figure(facts: Any, name: str) -> object:
    value = getattr(facts, name, None) if name == "sales_revenue" else facts.extra(name)
    return int(value) if name != "sales_revenue" and value is not None else value


def grade_lines_exact(args: argparse.Namespace) -> int:
    """``grade --lines`` on the exact engine: lines summed in ``Decimal``, then graded."""
    from kamcore.cli._grade_exact import model_arg  # noqa: PLC0415
    from kamcore.grading import AbcPolicy, GradeLadder, grade_many  # noqa: PLC0415

    model = model_arg(args.policy)
    ladder = load_policy_arg(args.ladder, GradeLadder)
    abc = None if args.abc == "none" else load_policy_arg(args.abc, AbcPolicy)
    facts = _facts_from_lines(args)
    fitted = model.fit(facts)
    batch = grade_many(fitted, ladder, facts, abc=abc, measure=args.by)
    labels = batch.abc.as_dict() if batch.abc is not None else {}
    records: list[Record] = []
    for f, g in zip(facts, batch.graded, strict=True):
        record: dict[str, object] = {"account_id": f.account_id}
        for name in ("sales_revenue", "orders", "recency_days"):
            record[name] = _figure(f, name)
        record["score"] = g.score.total
        record["grade"] = g.grade
        if abc is not None:
            record["abc"] = labels[f.account_id]
        if args.explain:
            for name, part in zip(g.score.names, g.score.contributions, strict=True):
                record[f"{name}.contribution"] = part
        records.append(record)
    views = [View("grades", records, GRADE_HEADINGS, _GRADE_VALUES)]
    if args.save_fitted:
        check_out(Path(args.save_fitted), "toml", "--save-fitted")
    emit_views(args, views)
    if args.save_fitted:
        write_text(args.save_fitted, codec.dumps_policy(fitted))
    return EXIT_OK
