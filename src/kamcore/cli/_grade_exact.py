"""The exact engine of ``kamcore grade`` and ``kamcore pareto``: every figure a ``Decimal``.

Used with ``--engine exact``, and by default where the ``frames`` extra is not installed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Final

from kamcore import codec
from kamcore._output import Record, write_text
from kamcore._vocab import words
from kamcore.cli._common import EXIT_OK, UsageError, keep_arg, load_policy_arg
from kamcore.cli._views import GRADE_HEADINGS, HEADINGS, View, carried, check_out, emit_views
from kamcore.money import Rounding
from kamcore.presets import load_preset, preset_names

if TYPE_CHECKING:
    from kamcore.grading import AbcResult, TopsisModel, WeightedScorecard

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


def grade_exact(args: argparse.Namespace) -> int:
    """``grade ACCOUNTS`` on the exact engine: score, grade and classify every account."""
    from kamcore.grading import AbcPolicy, GradeLadder, grade_many  # noqa: PLC0415
    from kamcore.tables import read_accounts  # noqa: PLC0415

    model = model_arg(args.policy)
    ladder = load_policy_arg(args.ladder, GradeLadder)
    abc = None if args.abc == "none" else load_policy_arg(args.abc, AbcPolicy)
    complete = required_figures(model)
    require = complete
    if abc is not None and args.by != "score":
        require = (*require, args.by)
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
    if args.save_fitted:  # checked before anything is written
        if Path(args.save_fitted).suffix.casefold() != ".toml":
            raise UsageError(
                f"--save-fitted {args.save_fitted}: a policy is written as TOML; "
                "expected a name ending in .toml"
            )
        check_out(Path(args.save_fitted), "toml", "--save-fitted")
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
