"""The exact engine of ``kamcore grade`` and ``kamcore pareto``: every figure a ``Decimal``.

Used with ``--engine exact``, and by default where the ``frames`` extra is not installed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from operator import truediv
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from kamcore import codec
from kamcore._output import Record, render, stream_rows, write_pieces, write_text
from kamcore._vocab import localise, words
from kamcore.cli._common import EXIT_OK, UsageError, keep_arg, load_policy_arg
from kamcore.cli._views import (
    GRADE_HEADINGS,
    HEADINGS,
    View,
    carried,
    carried_keys,
    check_out,
    emit_views,
)
from kamcore.errors import KamError
from kamcore.money import Rounding
from kamcore.presets import load_preset, preset_names

if TYPE_CHECKING:
    from kamcore.grading import AbcPolicy, AbcResult, GradeLadder, TopsisModel, WeightedScorecard
    from kamcore.grading._batch import _Graded

__all__ = ["grade_exact", "model_arg", "pareto_exact", "required_figures"]

_GRADE_KEYS: Final = ("account_id", "score", "grade", "abc")
_PARETO_KEYS: Final = ("account_id", "measure", "rank", "cumulative_share", "class")
_GRADE_VALUES: Final = {"grade": "grade", "abc": "abc", "class": "abc"}

#: The Chinese names of the concentration figures (``[cli_figures]`` in _words.toml).
_FIGURE_NAMES: Final[Mapping[str, Mapping[object, str]]] = {
    "figure": {k: zh for k, (_, zh) in words("cli_figures").items()}
}

#: Fitting a model to fewer accounts than this earns a note on stderr.
_FEW_TO_FIT: Final = 3


def _share(value: Decimal) -> Decimal:
    """A share for display: four places, half up (the library keeps full precision)."""
    return Rounding.HALF_UP.apply(value, 4)


def model_arg(value: str) -> WeightedScorecard | TopsisModel:
    """``--policy`` of ``grade``: a scoring model's preset name or TOML file."""
    from kamcore.grading import TopsisModel, WeightedScorecard  # noqa: PLC0415

    if value in preset_names():
        model = load_preset(value)
    elif Path(value).is_file():
        model = codec.load_policy(value)
    else:
        raise UsageError(
            f"no preset or file named {value!r}; scoring presets: "
            + ", ".join(n for n in preset_names() if "scorecard" in n)
        )
    if not isinstance(model, WeightedScorecard | TopsisModel):
        raise UsageError(f"{value!r} is a {type(model).__name__}, not a scoring model")
    return model


def required_figures(model: WeightedScorecard | TopsisModel) -> tuple[str, ...]:
    """The figures a file must have a column for, and no row may leave blank.

    Every one the model reads; none when the model scores a missing figure (then an
    absent column or a blank cell is a missing figure).
    """
    from kamcore.grading import MissingPolicy  # noqa: PLC0415

    if getattr(model, "missing", MissingPolicy.REFUSE) is not MissingPolicy.REFUSE:
        return ()
    return tuple(c.figure or c.name for c in model.criteria)


def _abc_classes(abc: AbcResult) -> list[Record]:
    return [
        {
            "class": c.label,
            "count": c.count,
            "count_share": _share(c.count_share),
            "measure": c.measure,
            "share": _share(c.share),
        }
        for c in abc.classes
    ]


def _rate(invoiced: list[Decimal | None], collected: list[Decimal | None]) -> list[Decimal] | None:
    """回款率 per account as :attr:`AccountFacts.collection_rate` (``None`` if one is missing)."""
    if not invoiced or type(None) in map(type, invoiced) or type(None) in map(type, collected):
        return None
    if min(cast("list[Decimal]", invoiced)) <= 0:
        return None  # nothing invoiced: no rate (a missing figure)
    return list(map(truediv, collected, invoiced))


def _texts(values: list[Decimal]) -> Iterator[str]:
    return map("{:f}".format, values)


def _grade_lean(
    args: argparse.Namespace,
    model: WeightedScorecard | TopsisModel,
    ladder: GradeLadder,
    abc: AbcPolicy | None,
    *,
    require: tuple[str, ...],
) -> bool:
    """``grade`` of a good CSV file to csv, json or a table, column by column; False if not.

    The same output as the general path of :func:`grade_exact`, byte for byte, without
    an object per account: the file is read as columns
    (:func:`~kamcore.tables._load._account_columns`), graded as columns
    (:func:`~kamcore.grading._batch._grade_columns`), and CSV and JSON are written as
    they are made. Anything the lean path does not cover — another format, a workbook,
    a file with a problem, another model, too few accounts, a missing figure — returns
    False before anything is written, and the general path runs (and reports what is
    wrong).
    """
    from kamcore.grading import WeightedScorecard  # noqa: PLC0415
    from kamcore.grading._batch import _grade_columns  # noqa: PLC0415
    from kamcore.tables._load import _account_columns  # noqa: PLC0415

    fmt = getattr(args, "format", "table")
    if fmt not in ("csv", "json", "table") or args.extra or type(model) is not WeightedScorecard:
        return False
    rows = _account_columns(
        args.file,
        columns=args.columns,
        require=require,
        complete=required_figures(model),
        keep=keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    if rows is None or len(rows.ids) < _FEW_TO_FIT:
        return False
    figures = rows.figures
    _derive_rate(figures, {*(c.source for c in model.criteria), args.by})
    try:
        graded = _grade_columns(
            model, ladder, rows.ids, figures.get, abc=abc, measure=args.by, explain=args.explain
        )
    except (KamError, ArithmeticError):
        graded = None  # the general path raises it, in its order
    figures.clear()  # graded: the figures are not needed any more
    if graded is None:
        return False
    keys, labels = carried_keys(args, rows.keep, rows.headings, _GRADE_KEYS, GRADE_HEADINGS)
    if any(k in _GRADE_VALUES for k in keys):
        return False  # a kept column the Chinese view would translate: the general path
    _check_fitted_out(args)
    _write_lean(args, fmt, [rows.ids, *(rows.kept[k] for k in keys)], keys, labels, graded)
    if args.save_fitted:
        write_text(args.save_fitted, codec.dumps_policy(graded.model))
    return True


def _derive_rate(figures: dict[str, list[Decimal | None]], wanted: set[str]) -> None:
    """Add 回款率 where it is wanted; keep only the figures wanted (the rest are checked)."""
    if "collection_rate" in wanted:
        rate = _rate(figures.get("invoiced", []), figures.get("collected", []))
        if rate is not None:
            figures["collection_rate"] = cast("list[Decimal | None]", rate)
    for source in [f for f in figures if f not in wanted]:
        del figures[source]


def _write_lean(  # noqa: PLR0917 - the parts of one output
    args: argparse.Namespace,
    fmt: str,
    carried_cells: list[list[str]],
    keys: list[str],
    labels: Mapping[str, tuple[str, str]],
    graded: _Graded,
) -> None:
    """Write the lean path's output: what emit_views writes for the same records."""
    lang = getattr(args, "lang", "en")
    names = [f"{c.name}.contribution" for c in graded.model.criteria] if args.explain else []
    columns = ["account_id", *keys, "score", "grade", *(["abc"] if graded.abc else []), *names]
    grades, classes = graded.grades, graded.abc
    if lang != "en":
        grades = _localised(grades, "grade", lang)
        classes = None if classes is None else _localised(classes, "abc", lang)
    # a table shows the values (numbers right-aligned); csv and json their text
    shown = _same if fmt == "table" else _texts
    cells: list[Iterable[object]] = [*carried_cells, shown(graded.totals), grades]
    cells += [classes] if classes is not None else []
    cells += [shown(graded.contributions[c.name]) for c in graded.model.criteria if names]
    out: str | None = getattr(args, "out", None)
    if out:
        check_out(Path(out), fmt)
    if fmt == "table":  # widths need every cell: rendered whole, as emit_views does
        records = [dict(zip(columns, row, strict=True)) for row in zip(*cells, strict=True)]
        heads = {k: t[0 if lang == "en" else 1] for k, t in labels.items()}
        pieces: Iterable[str] = [render(records, fmt, labels=heads)]
    else:
        texts = cast("list[Iterable[str]]", cells)
        bom = bool(getattr(args, "bom", False))
        pieces = stream_rows(columns, zip(*texts, strict=True), fmt, bom=bom)
    if out:
        write_pieces(out, pieces)
    else:
        for piece in pieces:
            sys.stdout.write(piece)


def _same(values: list[Decimal]) -> list[Decimal]:
    return values


def _localised(values: list[str], column: str, lang: str) -> list[str]:
    """``values`` of ``column`` as :func:`localise` shows them in ``lang`` (once per value)."""
    distinct = list(dict.fromkeys(values))
    shown = localise([{column: v} for v in distinct], _GRADE_VALUES, lang)
    names = {v: cast("str", r[column]) for v, r in zip(distinct, shown, strict=True)}
    return list(map(names.__getitem__, values))


def _check_fitted_out(args: argparse.Namespace) -> None:
    """Refuse a ``--save-fitted`` file that is not TOML or can't be written."""
    if args.save_fitted:  # checked before anything is written
        if Path(args.save_fitted).suffix.casefold() != ".toml":
            raise UsageError(
                f"--save-fitted {args.save_fitted}: a policy is written as TOML; "
                "expected a name ending in .toml"
            )
        check_out(Path(args.save_fitted), "toml", "--save-fitted")


def grade_exact(args: argparse.Namespace) -> int:
    """``grade ACCOUNTS`` on the exact engine: score, grade and classify every account.

    A good CSV file graded to csv, json or a table takes the lean path
    (:func:`_grade_lean`); everything else, and every file with a problem, the general
    one below.
    """
    from kamcore.grading import AbcPolicy, GradeLadder, grade_many  # noqa: PLC0415
    from kamcore.tables import read_accounts  # noqa: PLC0415

    model = model_arg(args.policy)
    ladder = load_policy_arg(args.ladder, GradeLadder)
    abc = None if args.abc == "none" else load_policy_arg(args.abc, AbcPolicy)
    complete = required_figures(model)
    require = complete
    if abc is not None and args.by != "score":
        require = (*require, args.by)
    if _grade_lean(args, model, ladder, abc, require=require):
        return EXIT_OK
    rows = read_accounts(
        args.file,
        columns=args.columns,
        require=require,
        complete=complete,
        extras=args.extra or (),
        keep=keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    if not model.fitted and len(rows.facts) < _FEW_TO_FIT:
        print(
            f"kamcore: note: the model is fitted to this file's {len(rows.facts)} "
            "account(s), too few for percentiles to mean much; grade against a larger "
            "book with --policy MODEL.toml (written by --save-fitted)",
            file=sys.stderr,
        )
    model = model.fit(rows.facts)  # fits what is not fitted yet (a saved model is kept)
    batch = grade_many(model, ladder, rows.facts, abc=abc, measure=args.by)
    cols = batch.columns()
    kept, labels = carried(args, rows, _GRADE_KEYS, GRADE_HEADINGS)
    records: list[Record] = []
    for i, account in enumerate(cols["account_id"]):
        record: dict[str, object] = {"account_id": account, **kept[i]}
        record["score"] = cols["total"][i]
        record["grade"] = cols["grade"][i]
        if "abc" in cols:
            record["abc"] = cols["abc"][i]
        if args.explain:
            for key, values in cols.items():
                if key.endswith(".contribution"):
                    record[key] = values[i]
        records.append(record)
    views = [View("grades", records, labels, _GRADE_VALUES)]
    if batch.abc is not None:
        views.append(View("abc classes", _abc_classes(batch.abc), labels, _GRADE_VALUES))
    _check_fitted_out(args)
    emit_views(args, views)
    if args.save_fitted:
        write_text(args.save_fitted, codec.dumps_policy(model))
    return EXIT_OK


def pareto_exact(args: argparse.Namespace) -> int:
    """``pareto ACCOUNTS --by COLUMN`` on the exact engine: classes, accounts or concentration."""
    from kamcore.grading import AbcPolicy, classify_abc  # noqa: PLC0415
    from kamcore.tables import read_amounts  # noqa: PLC0415

    policy = load_policy_arg(args.policy, AbcPolicy)
    rows = read_amounts(
        args.file,
        [args.by],
        columns=args.columns,
        keep=keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    amounts = rows.amounts[args.by]
    measures = {i: a for i, a in zip(rows.ids, amounts, strict=True) if a is not None}
    blank = [i for i, a in zip(rows.ids, amounts, strict=True) if a is None]
    if blank:
        listed = ", ".join(blank[:10]) + (" …" if len(blank) > 10 else "")
        print(
            f"kamcore: note: {len(blank)} account(s) with a blank {args.by} (a missing "
            f"figure) are not classified: {listed}",
            file=sys.stderr,
        )
    result = classify_abc(policy, measures)
    kept, labels = carried(args, rows, _PARETO_KEYS, GRADE_HEADINGS)
    by_id = dict(zip(rows.ids, kept, strict=True))
    accounts: list[Record] = [
        {
            "account_id": a.account_id,
            **by_id[a.account_id],
            "measure": a.measure,
            "rank": a.rank,
            "cumulative_share": _share(a.cumulative_share),
            "class": a.label,
        }
        for a in result.assignments
    ]
    classes = View("classes", _abc_classes(result), labels, _GRADE_VALUES)
    by_account = View("accounts", accounts, labels, _GRADE_VALUES)
    c = result.concentration()
    figures: list[Record] = [
        {"figure": "accounts", "value": c.count},
        {"figure": "total", "value": c.total},
        {"figure": "gini", "value": _share(c.gini)},
        {"figure": "top20_share", "value": _share(c.top20_share)},
        {"figure": "accounts_for_80", "value": _share(c.accounts_for_80)},
    ]
    concentrated = View("concentration", figures, HEADINGS, extra=_FIGURE_NAMES)
    views = {"classes": classes, "accounts": by_account, "concentration": concentrated}
    first = views.pop(args.view)
    emit_views(args, [first, *views.values()])
    return EXIT_OK
