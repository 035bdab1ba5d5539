"""The ``kamcore`` command: the demo, and the library's capabilities from a shell.

Every subcommand takes ``--format table|json|csv`` (a readable, aligned table by
default) and ``--lang en|zh`` for table headings. On bad input the command prints one
line to stderr and exits with status 2; it never shows a traceback for a user error.
"""

from __future__ import annotations

import argparse
import decimal
import json
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple, NoReturn, Protocol, TypeVar

from kamcore import codec
from kamcore._output import FORMATS, Record, View, render, text_width, write_text, write_xlsx
from kamcore._version import __version__
from kamcore._vocab import localise
from kamcore.calendar import as_date
from kamcore.errors import KamError, RecordInvalid, ValidationError
from kamcore.money import Rounding, as_decimal
from kamcore.presets import load_preset, preset_names, preset_text

if TYPE_CHECKING:  # the domain is imported by the command that needs it: startup stays fast
    from kamcore.archive import Dossier
    from kamcore.grading import AbcResult, TopsisModel, WeightedScorecard
    from kamcore.pipeline import Playbook
    from kamcore.rebate import TierSchedule
    from kamcore.store import SQLiteRepository

__all__ = ["build_parser", "main"]

EXIT_OK: Final = 0
EXIT_BROKEN_CHAIN: Final = 1
EXIT_BAD_INPUT: Final = 2

Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")


class _UsageError(KamError):
    """A command-line problem that is not a domain error (missing file, bad CSV)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


_OUT_FORMATS: Final = (*FORMATS, "xlsx")

Labels = Mapping[str, tuple[str, str]]

#: The headings of every column the command shows, in English and Chinese, by key.
_HEADINGS: Final[Labels] = {
    "name": ("name", "名称"),
    "kind": ("kind", "类型"),
    "title": ("title", "标题"),
    "en": ("description", "说明（英文）"),
    "zh": ("description (zh)", "说明"),
    "file": ("file", "文件"),
    "valid": ("valid", "有效"),
    "field": ("field", "字段"),
    "value": ("value", "值"),
    "figure": ("figure", "指标"),
    "account_id": ("account", "客户"),
    "score": ("score", "得分"),
    "grade": ("grade", "等级"),
    "abc": ("ABC", "ABC类"),
    "label": ("class", "类别"),
    "count": ("count", "数量"),
    "count_share": ("share of accounts", "客户占比"),
    "measure": ("measure", "指标合计"),
    "share": ("share of measure", "指标占比"),
    "rank": ("rank", "排名"),
    "cumulative_share": ("cumulative share", "累计占比"),
    "class": ("class", "类别"),
    "tier": ("tier", "档位"),
    "rate": ("rate", "返点率"),
    "basis": ("basis (sales)", "销售额"),
    "base": ("base (collected)", "总收款"),
    "rebate": ("rebate", "返点"),
    "currency": ("currency", "币种"),
    "mode": ("mode", "方式"),
    "to_next_tier": ("to next tier", "距下一档"),
    "rebate_at_next_tier": ("rebate at next tier", "下一档返点"),
    "category": ("category", "预测类别"),
    "amount": ("amount", "金额"),
    "cumulative": ("cumulative", "累计"),
    "owner": ("owner", "负责人"),
    "weighted": ("weighted (Σ amount × p)", "加权金额"),
    "opportunity": ("opportunity", "机会"),
    "stage": ("stage", "阶段"),
    "days": ("days in stage", "停留天数"),
    "limit": ("limit", "上限"),
    "over": ("days over", "超期天数"),
    "sequence": ("revision", "版本"),
    "at": ("at", "时间"),
    "by": ("by", "修改人"),
    "reason": ("reason", "原因"),
    "fields": ("fields changed", "变更字段"),
    "changes": ("changes (old → new)", "变更内容（原值 → 新值）"),
    "dossier_id": ("dossier", "档案"),
    "checked": ("revisions checked", "已校验版本"),
    "ok": ("chain intact", "链完整"),
    "first_bad": ("first bad revision", "首个异常版本"),
    "problem": ("problem", "问题"),
    "last_review": ("last review", "上次检查"),
    "due": ("due", "应检查日"),
    "days_overdue": ("days overdue", "逾期天数"),
    "id": ("loan", "借阅单"),
    "borrower": ("borrower", "借阅人"),
    "level": ("level", "密级"),
    "lent_at": ("lent at", "借出时间"),
    "due_at": ("due at", "应还时间"),
    "returned_at": ("returned at", "归还时间"),
    "overdue": ("overdue", "逾期"),
}

#: Grading's headings: there a count is a number of accounts.
_GRADE_HEADINGS: Final[Labels] = {**_HEADINGS, "count": ("accounts", "客户数")}


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=_OUT_FORMATS,
        default="table",
        help="output format (default: table); xlsx writes a workbook, one sheet per view, "
        "and needs --out",
    )
    p.add_argument(
        "--lang",
        choices=("en", "zh"),
        default="en",
        help="language of headings and of label values (grades, stages, categories); "
        "JSON and CSV keys stay English",
    )
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of the terminal")
    p.add_argument(
        "--bom", action="store_true", help="start CSV output with a BOM (for Excel on Windows)"
    )


@dataclass(frozen=True, slots=True)
class _View:
    """One view of a command's result: a sheet of a workbook, or what is printed.

    ``values`` names, per column, the vocabulary its values are translated with under
    ``--lang zh``; ``extra`` gives a policy's own Chinese labels (a playbook's stages).
    """

    name: str
    records: Sequence[Record]
    labels: Labels
    values: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Mapping[object, str]] = field(default_factory=dict)
    columns: Sequence[str] | None = None


def _emit(
    args: argparse.Namespace,
    records: Sequence[Record],
    *,
    columns: Sequence[str] | None = None,
    labels: Labels | None = None,
    title: str = "",
) -> None:
    """Print (or write) records in the format the user chose."""
    _emit_views(args, [_View("result", records, labels or {}, columns=columns)], title=title)


def _emit_views(
    args: argparse.Namespace,
    views: Sequence[_View],
    *,
    title: str = "",
    to_file: bool = True,
) -> None:
    """Write the views: all of them as sheets of a workbook, else the first one as text.

    With ``to_file`` (the default) ``--out`` names the file; nothing is written unless
    the whole output could be made.
    """
    lang = getattr(args, "lang", "en")
    index = 0 if lang == "en" else 1
    fmt = getattr(args, "format", "table")
    out: str | None = getattr(args, "out", None) if to_file else None
    shown = [
        (
            v,
            localise(v.records, v.values, lang, v.extra),
            {k: t[index] for k, t in v.labels.items()},
        )
        for v in views
    ]
    if out:
        _check_out(Path(out), fmt)
    if fmt == "xlsx":
        if not out:
            raise _UsageError("--format xlsx needs --out FILE.xlsx")
        write_xlsx(out, [View(v.name, recs, v.columns, heads) for v, recs, heads in shown])
        return
    view, recs, heads = shown[0]
    text = render(
        recs,
        fmt,
        columns=view.columns,
        labels=heads,
        title=title,
        bom=bool(getattr(args, "bom", False)),
    )
    if out:
        write_text(out, text)
    else:
        sys.stdout.write(text)


def _check_out(path: Path, fmt: str, option: str = "--out") -> None:
    """Refuse an output file that can't be written, or whose name says another format."""
    if path.is_dir():
        raise _UsageError(f"{option} {path}: a folder; expected the path of a file to write")
    if not path.parent.is_dir():
        raise _UsageError(f"{option} {path}: no folder {path.parent}; create it first")
    workbook = path.suffix.casefold() in (".xlsx", ".xlsm")
    if workbook and fmt != "xlsx":
        raise _UsageError(
            f"{option} {path}: the name says a workbook but --format is {fmt}; "
            "expected --format xlsx"
        )
    if fmt == "xlsx" and not workbook:
        raise _UsageError(
            f"{option} {path}: --format xlsx writes a workbook; expected a name ending in .xlsx"
        )


_GRADE_KEYS: Final = ("account_id", "score", "grade", "abc")
_PARETO_KEYS: Final = ("account_id", "measure", "rank", "cumulative_share", "class")
_STALE_KEYS: Final = ("opportunity", "owner", "stage", "days", "limit", "over")


def _kept_keys(args: argparse.Namespace, keep: Sequence[str], output: Sequence[str]) -> set[str]:
    """The kept columns to show: those whose key the output does not have already.

    A column asked for with ``--keep`` whose key the output has is refused (it would
    hide a result); the column map's own keep list just gives way.
    """
    clash = [k for k in keep if k in output or k.endswith(".contribution")]
    if clash and getattr(args, "keep", None) is not None:
        raise _UsageError(
            f"--keep {', '.join(clash)}: the output has a column of that name already; "
            "map the input column to another name in a column map, or leave it out"
        )
    return {k for k in keep if k not in clash}


class _Carried(Protocol):
    """Rows read from a file, with the input columns they carry into the output."""

    @property
    def kept(self) -> Sequence[Mapping[str, object]]: ...
    @property
    def keep(self) -> Sequence[str]: ...
    @property
    def headings(self) -> Sequence[str]: ...


def _carried(
    args: argparse.Namespace, rows: _Carried, output: Sequence[str], labels: Labels
) -> tuple[list[dict[str, object]], Labels]:
    """Per row, the kept columns to show beside ``output``; and ``labels`` with theirs.

    A kept column's heading is its key in English and the file's own heading in Chinese.
    """
    shown = _kept_keys(args, rows.keep, output)
    kept = [{k: v for k, v in row.items() if k in shown} for row in rows.kept]
    own = {k: (k, h) for k, h in zip(rows.keep, rows.headings, strict=True)}
    return kept, {**labels, **own}


# -- shared input handling ------------------------------------------------------------


def _add_input_options(p: argparse.ArgumentParser, *, keep: bool = True) -> None:
    p.add_argument(
        "--columns",
        metavar="MAP",
        help="a column map: a TOML file, or a preset such as presets:columns_source "
        "(Chinese headings 客户编号, 销售额 …)",
    )
    p.add_argument("--sheet", metavar="NAME", help="the worksheet of a .xlsx file (default: first)")
    if keep:
        p.add_argument(
            "--keep",
            metavar="COLS",
            help="input columns to carry into the output, comma-separated (e.g. "
            "name,region,owner; default: the column map's keep list)",
        )


def _keep_arg(args: argparse.Namespace) -> list[str] | None:
    """``--keep a,b`` as a list; ``None`` (the map's own list) when not given."""
    value: str | None = getattr(args, "keep", None)
    if value is None:
        return None
    return [k.strip() for k in value.split(",") if k.strip()]


def _parse_date(value: str, *, option: str) -> date:
    """Parse an ISO date given on the command line, or raise a one-line error."""
    try:
        return as_date(value, field=option)
    except ValidationError as exc:
        raise _UsageError(str(exc)) from None


def _load_policy_arg(value: str, cl: type[T]) -> T:
    """Load ``--policy``/``--playbook``: a preset name, or the path of a TOML file."""
    if value in preset_names():
        return load_preset(value, cl)
    if Path(value).is_file():
        return codec.load_policy(value, cl)
    raise _UsageError(
        f"no preset or file named {value!r}; presets: {', '.join(preset_names()) or 'none'}"
    )


# -- policy ---------------------------------------------------------------------------


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in … when cut."""
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _preset_meta(name: str) -> dict[str, str]:
    """A preset's ``[meta]`` table (title, zh/en labels, source citation)."""
    meta = tomllib.loads(preset_text(name)).get("meta", {})
    return {str(k): str(v) for k, v in meta.items()} if isinstance(meta, dict) else {}


def _target(args: argparse.Namespace, what: str) -> str:
    """The NAME, PATH or KIND a ``policy`` action names, or a one-line error."""
    if not args.target:
        raise _UsageError(f"policy {args.action} needs a {what}")
    return str(args.target)


def _policy_list(args: argparse.Namespace) -> int:
    """``policy list``: the shipped presets, their kinds and descriptions."""
    rows: list[Record] = []
    for name in preset_names():
        policy = load_preset(name)
        meta = _preset_meta(name)
        rows.append(
            {
                "name": name,
                "kind": codec.policy_kind(type(policy)) or type(policy).__name__,
                "title": meta.get("title", ""),
                "en": meta.get("en", ""),
                "zh": meta.get("zh", ""),
            }
        )
    if args.format != "table":
        _emit(args, rows)
        return EXIT_OK
    # a table shows the description in the chosen language, clipped to fit a
    # terminal; JSON and CSV carry the title and both descriptions in full
    key = "zh" if args.lang == "zh" else "en"
    shown: list[Record] = [
        {"name": r["name"], "kind": r["kind"], key: _clip(str(r[key]), 60)} for r in rows
    ]
    _emit(args, shown, labels=_HEADINGS)
    return EXIT_OK


def _policy_show(args: argparse.Namespace) -> int:
    """``policy show NAME``: the preset's TOML (table), or the policy as JSON/CSV."""
    name = _target(args, "NAME")
    if args.format == "table":
        sys.stdout.write(preset_text(name))
        return EXIT_OK
    policy = load_preset(name)
    data = {
        "kind": codec.policy_kind(type(policy)),
        **codec.to_dict(policy),
        "meta": _preset_meta(name),
    }
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    records: list[Record] = [{"field": k, "value": v} for k, v in _flatten(data, keep_empty=True)]
    _emit(args, records, labels=_HEADINGS)
    return EXIT_OK


def _policy_validate(args: argparse.Namespace) -> int:
    """``policy validate PATH``: load a company's policy file, every problem at once."""
    path = _target(args, "PATH")
    kind = codec.policy_kind(type(codec.load_policy(path)))
    _emit(args, [{"file": path, "kind": kind, "valid": True}], labels=_HEADINGS)
    return EXIT_OK


def _policy_schema(args: argparse.Namespace) -> int:
    """``policy schema KIND``: the JSON Schema of a policy kind's file."""
    schema = codec.json_schema(codec.policy_class(_target(args, "KIND")))
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


# -- grade and pareto -----------------------------------------------------------------

_GRADE_VALUES: Final = {"grade": "grade", "abc": "abc", "class": "abc"}

#: Fitting a model to fewer accounts than this earns a note on stderr.
_FEW_TO_FIT: Final = 3


def _model_arg(value: str) -> WeightedScorecard | TopsisModel:
    """``--policy`` of ``grade``: a scoring model's preset name or TOML file."""
    from kamcore.grading import TopsisModel, WeightedScorecard  # noqa: PLC0415

    if value in preset_names():
        model = load_preset(value)
    elif Path(value).is_file():
        model = codec.load_policy(value)
    else:
        raise _UsageError(
            f"no preset or file named {value!r}; scoring presets: "
            + ", ".join(n for n in preset_names() if "scorecard" in n)
        )
    if not isinstance(model, WeightedScorecard | TopsisModel):
        raise _UsageError(f"{value!r} is a {type(model).__name__}, not a scoring model")
    return model


def _required_figures(model: WeightedScorecard | TopsisModel) -> tuple[str, ...]:
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


def _cmd_grade(args: argparse.Namespace) -> int:
    from kamcore.grading import AbcPolicy, GradeLadder, grade_many  # noqa: PLC0415
    from kamcore.tables import read_accounts  # noqa: PLC0415

    model = _model_arg(args.policy)
    ladder = _load_policy_arg(args.ladder, GradeLadder)
    abc = None if args.abc == "none" else _load_policy_arg(args.abc, AbcPolicy)
    complete = _required_figures(model)
    require = complete
    if abc is not None and args.by != "score":
        require = (*require, args.by)
    rows = read_accounts(
        args.file,
        columns=args.columns,
        require=require,
        complete=complete,
        extras=args.extra or (),
        keep=_keep_arg(args),
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
    kept, labels = _carried(args, rows, _GRADE_KEYS, _GRADE_HEADINGS)
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
    views = [_View("grades", records, labels, _GRADE_VALUES)]
    if batch.abc is not None:
        views.append(_View("abc classes", _abc_classes(batch.abc), labels, _GRADE_VALUES))
    if args.save_fitted:  # checked before anything is written
        if Path(args.save_fitted).suffix.casefold() != ".toml":
            raise _UsageError(
                f"--save-fitted {args.save_fitted}: a policy is written as TOML; "
                "expected a name ending in .toml"
            )
        _check_out(Path(args.save_fitted), "toml", "--save-fitted")
    _emit_views(args, views)
    if args.save_fitted:
        write_text(args.save_fitted, codec.dumps_policy(model))
    return EXIT_OK


def _share(value: Decimal) -> Decimal:
    """A share for display: four places, half up (the library keeps full precision)."""
    return Rounding.HALF_UP.apply(value, 4)


def _cmd_pareto(args: argparse.Namespace) -> int:
    from kamcore.grading import AbcPolicy, classify_abc  # noqa: PLC0415
    from kamcore.tables import read_amounts  # noqa: PLC0415

    policy = _load_policy_arg(args.policy, AbcPolicy)
    rows = read_amounts(
        args.file,
        [args.by],
        columns=args.columns,
        keep=_keep_arg(args),
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
    kept, labels = _carried(args, rows, _PARETO_KEYS, _GRADE_HEADINGS)
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
    classes = _View("classes", _abc_classes(result), labels, _GRADE_VALUES)
    by_account = _View("accounts", accounts, labels, _GRADE_VALUES)
    c = result.concentration()
    figures: list[Record] = [
        {"figure": "accounts", "value": c.count},
        {"figure": "total", "value": c.total},
        {"figure": "gini", "value": _share(c.gini)},
        {"figure": "top20_share", "value": _share(c.top20_share)},
        {"figure": "accounts_for_80", "value": _share(c.accounts_for_80)},
    ]
    concentrated = _View("concentration", figures, _HEADINGS, extra=_FIGURE_NAMES)
    views = {"classes": classes, "accounts": by_account, "concentration": concentrated}
    first = views.pop(args.view)
    _emit_views(args, [first, *views.values()])
    return EXIT_OK


_FIGURE_NAMES: Final[Mapping[str, Mapping[object, str]]] = {
    "figure": {
        "accounts": "客户数",
        "total": "指标合计",
        "gini": "基尼系数",
        "top20_share": "前20%客户占比",
        "accounts_for_80": "占80%所需客户比例",
    }
}


# -- rebate ---------------------------------------------------------------------------


def _amount_option(value: str, option: str) -> Decimal:
    try:
        amount = as_decimal(value, field=option)
    except ValidationError as exc:
        raise _UsageError(str(exc)) from None
    if amount < 0:
        raise _UsageError(
            f"{option}: negative amount (got {value!r}); expected an amount of 0 or more"
        )
    return amount


_REBATE_VALUES: Final = {"mode": "rebate_mode"}


def _cmd_rebate(args: argparse.Namespace) -> int:
    from kamcore.rebate import TierSchedule, quote  # noqa: PLC0415 - keeps startup fast

    schedule = _load_policy_arg(args.policy, TierSchedule)
    if args.file is not None:
        return _rebate_batch(args, schedule)
    if args.sales is None:
        raise _UsageError("rebate needs --sales AMOUNT, or a FILE with --sales COLUMN")
    sales = _amount_option(args.sales, "--sales")
    collected = sales if args.collected is None else _amount_option(args.collected, "--collected")
    q = quote(schedule, basis=sales, base=collected)
    _emit_views(args, [_View("quote", [q.record()], _HEADINGS, _REBATE_VALUES)])
    if args.format == "table" and args.explain and not args.out:
        sys.stdout.write("\n".join(q.explain(lang=args.lang)) + "\n")
    return EXIT_OK


def _rebate_batch(args: argparse.Namespace, schedule: TierSchedule) -> int:
    """``rebate FILE --sales COL [--collected COL]``: quote every row."""
    from kamcore.rebate import QUOTE_COLUMNS, quote  # noqa: PLC0415
    from kamcore.tables import read_amounts  # noqa: PLC0415

    sales = args.sales or "sales_revenue"
    fields = [sales] if args.collected in (None, sales) else [sales, args.collected]
    rows = read_amounts(
        args.file,
        fields,
        columns=args.columns,
        blank="refuse",
        keep=_keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    basis = [a or Decimal(0) for a in rows.amounts[sales]]  # blank="refuse": never None
    base = [a or Decimal(0) for a in rows.amounts[fields[-1]]]
    kept, labels = _carried(args, rows, ("account_id", *QUOTE_COLUMNS), _HEADINGS)
    records: list[Record] = []
    for i, account in enumerate(rows.ids):
        q = quote(schedule, basis=basis[i], base=base[i])
        records.append({"account_id": account, **kept[i], **q.record()})
    _emit_views(args, [_View("quotes", records, labels, _REBATE_VALUES)])
    return EXIT_OK


# -- forecast -------------------------------------------------------------------------


def _stage_names(playbook: Playbook) -> dict[object, str]:
    """A playbook's own Chinese names of its stages and outcomes."""
    names: dict[object, str] = {s.key: s.zh for s in playbook.stages if s.zh}
    names.update({o.key: o.zh for o in playbook.outcomes if o.zh})
    return names


def _cmd_forecast(args: argparse.Namespace) -> int:
    from kamcore.pipeline import Playbook, find_stale, forecast, weighted_pipeline  # noqa: PLC0415
    from kamcore.tables import read_opportunities  # noqa: PLC0415

    playbook = _load_policy_arg(args.playbook, Playbook)
    rows = read_opportunities(
        args.file,
        playbook,
        columns=args.columns,
        keep=_keep_arg(args),
        id_column=args.id,
        sheet=args.sheet,
    )
    opps = rows.opportunities
    as_of = _parse_date(args.as_of, option="--as-of") if args.as_of else None
    if args.view == "stale" and as_of is None:
        raise _UsageError("--view stale needs --as-of DATE")
    categories: list[Record] = list(forecast(playbook, opps, period=args.period).records())
    owners: list[Record] = [
        {
            "owner": r.owner,
            "count": r.count,
            "amount": r.amount.amount,
            "weighted": r.weighted.amount,
        }
        for r in weighted_pipeline(playbook, opps, by=("owner",))
    ]
    values = {"category": "forecast", "stage": "stage"}
    extra = {"stage": _stage_names(playbook)}
    views = {
        "categories": _View("categories", categories, _HEADINGS, values, extra),
        "owners": _View("owners", owners, _HEADINGS, values, extra),
    }
    if as_of is not None:
        kept, labels = _carried(args, rows, _STALE_KEYS, _HEADINGS)
        by_id = {o.id: row for o, row in zip(opps, kept, strict=True)}
        late: list[Record] = [
            {
                "opportunity": s.opportunity,
                **by_id[s.opportunity],
                "owner": s.owner,
                "stage": s.stage,
                "days": s.days,
                "limit": s.limit,
                "over": s.over,
            }
            for s in find_stale(playbook, opps, as_of=as_of)
        ]
        views["stale"] = _View("stale", late, labels, values, extra)
    first = views.pop(args.view)
    _emit_views(args, [first, *views.values()])
    return EXIT_OK


# -- archive --------------------------------------------------------------------------


def _flatten(
    value: object, prefix: str = "", *, keep_empty: bool = False
) -> list[tuple[str, object]]:
    """Nested dicts and lists as ``(dotted.path[i], value)`` pairs, leaves only.

    Empty values (``None``, ``""``, 0) are left out unless ``keep_empty``.
    """
    if isinstance(value, dict):
        out: list[tuple[str, object]] = []
        for k, v in value.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            out.extend(_flatten(v, key, keep_empty=keep_empty))
        return out
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            out.extend(_flatten(v, f"{prefix}[{i}]", keep_empty=keep_empty))
        return out
    if not keep_empty and value in (None, "", 0) and prefix != "revision":
        return []
    return [(prefix, value)]


def _open_archive(path: str) -> SQLiteRepository:
    from kamcore.store import SQLiteRepository  # noqa: PLC0415

    if not Path(path).is_file():
        raise _UsageError(f"no archive database at {path}; `kamcore demo` writes one (archive.db)")
    return SQLiteRepository(path)


def _aware_datetime(value: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _UsageError(
            f"{option}: {value!r} is not an ISO date-time with a UTC offset; "
            "expected e.g. 2026-02-23T14:00+08:00"
        )
    return moment


def _readable(store: SQLiteRepository, args: argparse.Namespace) -> Dossier:
    """The dossier ``show`` and ``history`` name, once the lending policy lets it be read.

    The command reads outside the archive room: under the source's rules 绝密 and 机密
    dossiers are refused.
    """
    from kamcore.archive import Borrower, LendingPolicy, Place, Role, check_read  # noqa: PLC0415

    if not args.key:
        raise _UsageError(f"archive {args.action} needs a dossier KEY")
    policy = _load_policy_arg(args.policy, LendingPolicy)
    dossier = store.get(args.key)
    check_read(policy, dossier, Borrower("kamcore archive", Role.STAFF), place=Place.OUTSIDE)
    return dossier


def _archive_show(args: argparse.Namespace) -> int:
    """``archive show KEY``: a dossier, one row a field, personal data redacted by default."""
    from kamcore._plain import to_plain  # noqa: PLC0415
    from kamcore.archive import redact  # noqa: PLC0415

    with _open_archive(args.db) as store:
        dossier = _readable(store, args)
    if not args.unredacted:
        dossier = redact(dossier)
    records: list[Record] = [{"field": k, "value": v} for k, v in _flatten(to_plain(dossier))]
    _emit(args, records, labels=_HEADINGS)
    return EXIT_OK


def _archive_history(args: argparse.Namespace) -> int:
    """``archive history KEY``: every revision and its changes, redacted by default."""
    from kamcore.archive import redact_revision  # noqa: PLC0415

    with _open_archive(args.db) as store:
        _readable(store, args)
        revisions = store.history(args.key)
    if not args.unredacted:
        revisions = tuple(redact_revision(r) for r in revisions)
    records: list[Record] = [
        {
            "sequence": r.sequence,
            "at": r.at.isoformat(),
            "by": r.by,
            "reason": r.reason,
            "fields": ", ".join(r.fields),
            "changes": "; ".join(f"{c.field}: {c.old} → {c.new}" for c in r.changes),
        }
        for r in revisions
    ]
    _emit(args, records, labels=_HEADINGS)
    return EXIT_OK


def _archive_verify(args: argparse.Namespace) -> int:
    """``archive verify [KEY]``: check the hash chains; exit status 1 if one is broken."""
    with _open_archive(args.db) as store:
        keys = [args.key] if args.key else list(store.keys())
        checks = [(key, store.verify(key)) for key in keys]
    records: list[Record] = [
        {
            "dossier_id": key,
            "checked": check.checked,
            "ok": check.ok,
            "first_bad": check.first_bad,
            "problem": check.problem,
        }
        for key, check in checks
    ]
    _emit(args, records, labels=_HEADINGS)
    return EXIT_OK if all(check.ok for _, check in checks) else EXIT_BROKEN_CHAIN


def _archive_due_reviews(args: argparse.Namespace) -> int:
    """``archive due-reviews --as-of DATE``: dossiers whose review is overdue."""
    from kamcore.archive import ReviewPolicy, overdue_reviews  # noqa: PLC0415

    with _open_archive(args.db) as store:
        if not args.as_of:
            raise _UsageError("archive due-reviews needs --as-of DATE")
        as_of = _parse_date(args.as_of, option="--as-of")
        policy = _load_policy_arg(args.policy, ReviewPolicy)
        keys = store.keys()
        dossiers = {k: store.get(k) for k in keys}
        late = overdue_reviews(policy, dossiers.values(), store.reviews(), as_of=as_of)
    records: list[Record] = [
        {
            "dossier_id": o.dossier_id,
            "name": dossiers[o.dossier_id].name,
            "grade": dossiers[o.dossier_id].grade,
            "last_review": o.last_review,
            "due": o.due,
            "days_overdue": o.days_overdue,
        }
        for o in late
    ]
    _emit(args, records, labels=_HEADINGS)
    return EXIT_OK


def _archive_loans(args: argparse.Namespace) -> int:
    """``archive loans [KEY] [--overdue --as-of DATETIME]``: the loan register."""
    with _open_archive(args.db) as store:
        moment = _aware_datetime(args.as_of, "--as-of") if args.as_of else None
        if args.overdue and moment is None:
            raise _UsageError("archive loans --overdue needs --as-of DATETIME")
        loans = store.loans(args.key or None)
    records: list[Record] = [
        {
            "id": loan.id,
            "dossier_id": loan.dossier_id,
            "borrower": loan.borrower,
            "level": loan.level.value,
            "lent_at": loan.lent_at.isoformat(),
            "due_at": loan.due_at.isoformat(),
            "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
            "overdue": None if moment is None else loan.is_overdue(moment),
        }
        for loan in loans
        if not args.overdue or (moment is not None and loan.is_overdue(moment))
    ]
    _emit(args, records, labels=_HEADINGS)
    return EXIT_OK


# -- demo -----------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    from kamcore.demo import run_demo  # noqa: PLC0415 - keeps `kamcore --help` fast

    out = Path(args.out)
    summary = run_demo(
        out=out, seed=args.seed, accounts=args.accounts, progress=_progress(), lang=args.lang
    )
    if args.format == "table":
        sys.stdout.write(summary)
        return EXIT_OK
    # JSON is the summary object the demo writes as summary.json; CSV flattens it
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        records: list[Record] = [
            {"field": k, "value": v} for k, v in _flatten(data, keep_empty=True)
        ]
        # the demo's --out is its report folder: the summary goes to the terminal
        _emit_views(args, [_View("summary", records, {})], to_file=False)
    return EXIT_OK


def _progress() -> Callable[[str], None]:
    if sys.stderr.isatty():
        return lambda msg: print(f"… {msg}", file=sys.stderr, flush=True)
    return lambda msg: None


# -- report ---------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    """``report --from FOLDER --out FILE.html``: the HTML report of a demo folder."""
    from kamcore.report import build_report, can_draw, read_demo_folder  # noqa: PLC0415

    out = Path(args.out)
    _check_out(out, "html")
    if out.suffix.casefold() not in (".html", ".htm"):
        raise _UsageError(f"--out {out}: the report is HTML; expected a name ending in .html")
    if not can_draw():
        raise _UsageError(
            "kamcore report draws its charts with matplotlib, which is not installed; "
            "pip install 'kamcore[plot]'"
        )
    text = build_report(read_demo_folder(args.source), lang=args.lang)
    write_text(out, text)
    charts = text.count(' data-chart="')
    done = "报告已写入" if args.lang == "zh" else "Report written to"
    print(f"{done} {out} ({charts} charts, {len(text.encode()) // 1024} KiB)")
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------


Arguments = Callable[[argparse.ArgumentParser], None]


class _Command(NamedTuple):
    """A subcommand, or an action of one (``archive show``).

    ``handler`` is ``None`` where each action has its own; ``arguments`` adds the
    command's arguments; ``description`` is what its ``--help`` says (default: the
    summary, as a sentence).
    """

    name: str
    handler: Handler | None
    summary: str
    arguments: Arguments
    description: str = ""


def _add_commands(
    parent: argparse.ArgumentParser, commands: Sequence[_Command], *, top: bool = False
) -> None:
    """Add ``commands`` to ``parent``: the subcommands (``top``), or a command's actions.

    An action is required, and takes the output options after its own arguments.
    """
    dest = "command" if top else "action"
    sub = parent.add_subparsers(
        dest=dest, metavar=dest.upper(), required=not top, parser_class=_Parser
    )
    for c in commands:
        about = c.description or c.summary[:1].upper() + c.summary[1:] + "."
        p = sub.add_parser(c.name, help=c.summary, description=about)
        c.arguments(p)
        if not top:
            _add_output_options(p)
        if c.handler is not None:
            p.set_defaults(handler=c.handler)


def _policy_option(
    p: argparse.ArgumentParser, default: str, what: str, *, option: str = "--policy"
) -> None:
    """An option that names a policy: a preset, or a company's own TOML file."""
    p.add_argument(
        option,
        default=default,
        metavar="NAME|PATH",
        help=f"{what}: a preset's NAME or a TOML file's PATH (default: {default})",
    )


def _table_arguments(p: argparse.ArgumentParser, rows: str, ids: str) -> None:
    """A command that reads a table: its FILE, ``--id`` and the input options."""
    p.add_argument("file", metavar=rows)
    p.add_argument("--id", help=f"the id column's heading (default: {ids})")
    _add_input_options(p)


def _demo_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``demo``."""
    p.add_argument("--out", default="kamcore-demo", help="report folder (default: ./kamcore-demo)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    p.add_argument("--accounts", type=int, default=300, help="number of accounts (default: 300)")
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table: the one-screen summary (default); json: the summary object "
        "(summary.json); csv: the summary flattened to field,value rows",
    )
    p.add_argument(
        "--lang", choices=("en", "zh"), default="en", help="language of the summary's labels"
    )


def _report_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``report``."""
    p.add_argument(
        "--from", dest="source", required=True, metavar="FOLDER", help="the demo's folder"
    )
    p.add_argument(
        "--out", default="report.html", help="the HTML file to write (default: report.html)"
    )
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the report")


def _grade_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``grade``."""
    _table_arguments(p, "ACCOUNTS", "account_id or id")
    _policy_option(p, "grading_scorecard", "the scoring model")
    _policy_option(p, "grading_letters", "the grade ladder", option="--ladder")
    _policy_option(p, "grading_abc", "the ABC policy, or 'none'", option="--abc")
    p.add_argument("--by", default="sales_revenue", help="the ABC measure (default: sales_revenue)")
    p.add_argument("--extra", action="append", help="a column to read as an extra figure")
    p.add_argument("--explain", action="store_true", help="add each criterion's contribution")
    p.add_argument(
        "--save-fitted",
        metavar="MODEL.toml",
        help="also write the model as fitted to this file's accounts (percentiles, bounds), "
        "to grade later files against this population with --policy MODEL.toml",
    )
    _add_output_options(p)


def _pareto_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``pareto``."""
    _table_arguments(p, "ACCOUNTS", "account_id or id")
    p.add_argument(
        "--by", required=True, metavar="COLUMN", help="the measure: a heading or a mapped field"
    )
    _policy_option(p, "grading_abc", "the ABC policy")
    p.add_argument(
        "--view",
        choices=("classes", "accounts", "concentration"),
        default="classes",
        help="what to show: the classes, each account, or the concentration figures "
        "(Gini coefficient, the share the top 20%% hold, the share of accounts that hold "
        "80%%)",
    )
    _add_output_options(p)


def _rebate_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``rebate``."""
    p.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="quote every row of this table (then --sales and --collected name columns)",
    )
    p.add_argument(
        "--sales",
        help="the tier basis, e.g. 200000; with FILE, its column (default: sales_revenue)",
    )
    p.add_argument(
        "--collected", help="the rebate base (default: the same as --sales); with FILE, its column"
    )
    p.add_argument("--id", help="with FILE: the id column's heading (default: account_id or id)")
    _add_input_options(p)
    _policy_option(p, "rebate_source", "the tier schedule")
    p.add_argument("--explain", action="store_true", help="explain the quote in words")
    _add_output_options(p)


def _forecast_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``forecast``."""
    _table_arguments(p, "OPPORTUNITIES", "opportunity_id or id")
    _policy_option(p, "pipeline_project_sales", "the playbook", option="--playbook")
    p.add_argument("--as-of", help="the report date, YYYY-MM-DD (for --view stale)")
    p.add_argument("--period", help="forecast only expected closes in this period, e.g. 2026-Q4")
    p.add_argument(
        "--view",
        choices=("categories", "owners", "stale"),
        default="categories",
        help="what to show",
    )
    _add_output_options(p)


def _dossier_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="the dossier's key")
    p.add_argument(
        "--unredacted",
        action="store_true",
        help="show contacts' sensitive personal data (birth date, address, spouse, "
        "personality, interests); redacted by default",
    )
    _policy_option(
        p, "archive_lending_source", "the lending policy: what may be read outside the archive room"
    )


def _verify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="one dossier (default: every one)")


def _due_reviews_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="DATE", help="the report date, YYYY-MM-DD")
    _policy_option(
        p, "archive_reviews_source", "the review policy: how often dossiers are reviewed"
    )


def _loans_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("key", nargs="?", metavar="KEY", help="one dossier's loans")
    p.add_argument(
        "--as-of",
        metavar="DATETIME",
        help="the moment loans are overdue at, with its UTC offset (2026-11-01T09:00+08:00)",
    )
    p.add_argument("--overdue", action="store_true", help="only overdue loans")


def _archive_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``archive``."""
    p.add_argument("--db", required=True, help="the SQLite archive file")
    actions: list[_Command] = [
        _Command("show", _archive_show, "a dossier, one row a field", _dossier_arguments),
        _Command(
            "history",
            _archive_history,
            "every revision of a dossier and its changes",
            _dossier_arguments,
        ),
        _Command(
            "verify",
            _archive_verify,
            "check the hash chain (exit status 1 if broken)",
            _verify_arguments,
        ),
        _Command(
            "due-reviews",
            _archive_due_reviews,
            "overdue two-monthly reviews",
            _due_reviews_arguments,
        ),
        _Command("loans", _archive_loans, "the loan register", _loans_arguments),
    ]
    _add_commands(p, actions)


def _policy_target(what: str, means: str) -> Arguments:
    """The arguments of a ``policy`` action that names one thing: a NAME, PATH or KIND."""

    def arguments(p: argparse.ArgumentParser) -> None:
        p.add_argument("target", nargs="?", metavar=what, help=means)

    return arguments


def _policy_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``policy``."""
    actions: list[_Command] = [
        _Command("list", _policy_list, "the shipped presets", lambda _: None),
        _Command(
            "show",
            _policy_show,
            "a preset's TOML (JSON: the policy)",
            _policy_target("NAME", "a preset's name"),
        ),
        _Command(
            "validate",
            _policy_validate,
            "check a company policy file, every problem at once",
            _policy_target("PATH", "a policy file"),
        ),
        _Command(
            "schema",
            _policy_schema,
            "the JSON Schema of a policy kind's file",
            _policy_target("KIND", "a policy kind"),
        ),
    ]
    _add_commands(p, actions)


def _commands() -> list[_Command]:
    """The subcommands, in the order ``kamcore --help`` lists them.

    Built when the parser is, so the handlers are looked up then.
    """
    return [
        _Command(
            "demo",
            _cmd_demo,
            "run the whole library on a generated sample company and write reports",
            _demo_arguments,
            "Generate a realistic sample company (seeded, deterministic), run every "
            "capability on it, print a one-screen summary and write CSV/JSON/Markdown "
            "reports into --out.",
        ),
        _Command(
            "report",
            _cmd_report,
            "write the HTML report (charts and tables) of a demo folder",
            _report_arguments,
            "Read a folder `kamcore demo` wrote (accounts.csv, opportunities.csv, "
            "summary.json; salespeople.csv and archive.db when present), recompute the "
            "results with the default presets and write one self-contained HTML page: key "
            "figures, then grading, pipeline, rebates, people and archive, each with its "
            "charts (inline SVG) and a small table. No script, nothing fetched from the "
            "network; prints on A4. Needs matplotlib: pip install 'kamcore[plot]'.",
        ),
        _Command(
            "grade",
            _cmd_grade,
            "score and grade accounts from a CSV (with ABC classes)",
            _grade_arguments,
            "Read account facts from a CSV/TSV, .xlsx or Parquet file (one row per account; "
            "columns named after the figures: contract_volume, unit_price, sales_revenue, "
            "invoiced, collected, profit, quality_losses, industry_influence, "
            "business_reputation, or mapped with --columns; a blank cell is a missing "
            "figure), score them with a scoring model, grade them on a ladder and classify "
            "them ABC.",
        ),
        _Command(
            "pareto",
            _cmd_pareto,
            "Pareto/ABC classes of accounts by one column",
            _pareto_arguments,
            "Classify accounts by cumulative share of a measure (default 80%/95%; preset "
            "grading_abc_water gives each class its own share, 50%/20%/10%, and "
            "grading_abc_water_cumulative cuts at 50%/70%/80%; grading_top20 is the top 20% "
            "by count). Ties: measure descending, then id ascending.",
        ),
        _Command(
            "rebate",
            _cmd_rebate,
            "quote a sales rebate (销售返点) from sales and collections",
            _rebate_arguments,
            "Quote the rebate a tier schedule gives: the tier is chosen by --sales, the "
            "rate applies to --collected (the source's rule). Prints the tier, rate, basis, "
            "base, rebate and the distance to the next tier; with a FILE, one quote per "
            "row.",
        ),
        _Command(
            "forecast",
            _cmd_forecast,
            "forecast a pipeline of open opportunities from a CSV",
            _forecast_arguments,
            "Read opportunities (columns: id, account, owner, amount, stage, opened; "
            "optional stage_entered, expected_close, closed; a stage by its key or either "
            "label, in any case; closed rows (won, lost, no-bid …) are counted, not "
            "forecast) and show the forecast by category with cumulative roll-ups (pipeline "
            "⊇ best case ⊇ commit ⊇ closed), the weighted pipeline by owner (--view "
            "owners), or stale opportunities (--view stale --as-of).",
        ),
        _Command(
            "archive",
            None,
            "read the account archive (dossiers, history, chain check, reviews, loans)",
            _archive_arguments,
            "Read an archive database (--db; `kamcore demo` writes one). show and history "
            "redact contacts' sensitive personal data unless --unredacted, and refuse 绝密 "
            "and 机密 dossiers, which are not read outside the archive room.",
        ),
        _Command(
            "policy",
            None,
            "list, show or validate policies (presets and company TOML files)",
            _policy_arguments,
            "The shipped presets and a company's own policy files.",
        ),
    ]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for the ``kamcore`` command."""
    parser = _Parser(
        prog="kamcore",
        description="Key account management (大客户管理) as code: grading, pipeline, "
        "rebates and the account archive.",
        epilog="Exit status: 0 on success, 2 on bad input (one line on stderr).",
    )
    parser.add_argument("--version", action="version", version=f"kamcore {__version__}")
    _add_commands(parser, _commands(), top=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kamcore`` command; return its exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stdout)
        return EXIT_OK
    try:
        return handler(args)
    except RecordInvalid as exc:
        for line in _problem_lines(exc):
            print(f"kamcore: error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (KamError, OSError, UnicodeError, decimal.DecimalException) as exc:
        print(f"kamcore: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _problem_lines(exc: RecordInvalid) -> list[str]:
    """One line per problem of a file (each names the file), or the one-line summary."""
    if all(e.field.startswith(exc.record) for e in exc.errors):
        return [str(e) for e in exc.errors]
    return [str(exc)]


def _one_line(exc: Exception) -> str:
    """The one error line for bad input.

    The encoding and decimal cases are backstops for input that reached the standard
    library unchecked (a foreign encoding, numbers too large or odd for arithmetic).
    """
    if isinstance(exc, KamError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    if isinstance(exc, UnicodeEncodeError):
        return (
            f"can't write {exc.object[exc.start : exc.end]!r} in the terminal's encoding "
            f"({exc.encoding}); set PYTHONIOENCODING=utf-8"
        )
    if isinstance(exc, UnicodeError):
        return f"not UTF-8 text: {exc}"
    return (
        f"a number is out of range for exact arithmetic ({type(exc).__name__}); "
        "expected plain decimal amounts"
    )
