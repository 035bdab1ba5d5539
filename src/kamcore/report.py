"""The HTML report (经营报告): one self-contained page a sales director can print.

:func:`build_report` turns a :class:`ReportData` into one HTML document: a band of key
figures, then the sections grading, pipeline, rebates, people and archive, each with
its charts (inline SVG drawn by :mod:`kamcore.charts`, text as paths) and a small
table. The page has no script and asks nothing of the network: its CSS is inline, it
names no font, image or stylesheet to fetch, so it opens the same from a USB stick, an
e-mail attachment or a browser with no connection, and prints on A4.

:func:`read_demo_folder` fills a :class:`ReportData` from the folder ``kamcore demo``
writes (``accounts.csv``, ``opportunities.csv``, ``salespeople.csv``,
``summary.json`` and ``archive.db``), recomputing the results with the default
presets, as the demo does; ``kamcore demo`` writes its ``report.html`` that way and
``kamcore report --from FOLDER`` does the same.

The charts need matplotlib (the ``plot`` extra: ``pip install 'kamcore[plot]'``).
"""

from __future__ import annotations

import html
import importlib.util
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from kamcore._validate import day, instance_of, is_text, kind_of, path, sequence
from kamcore._vocab import localise, words
from kamcore.errors import RecordInvalid, ValidationError

if TYPE_CHECKING:
    from kamcore.archive import Loan, OverdueReview
    from kamcore.grading import AbcResult, Batch, GradeLadder, GradeMigration
    from kamcore.pipeline import Forecast, Opportunity, Playbook
    from kamcore.rebate import RebateQuote, Scorecard, TierSchedule

__all__ = [
    "DEMO_FILES",
    "Event",
    "Figure",
    "ReportData",
    "build_report",
    "can_draw",
    "read_demo_folder",
]

#: The files of a demo folder :func:`read_demo_folder` needs; ``salespeople.csv`` and
#: ``archive.db`` are read when present.
DEMO_FILES: Final = ("accounts.csv", "opportunities.csv", "summary.json")


@attrs.frozen(kw_only=True)
class Figure:
    """One key figure of the summary band: its label in both languages and its value.

    Attributes:
        en: The English label.
        zh: The Chinese label.
        value: The value as shown (already formatted, the same in both languages).
        note: A short line under the value (optional).
    """

    en: str = attrs.field(validator=is_text)
    zh: str = attrs.field(validator=is_text)
    value: str = attrs.field(validator=is_text)
    note: str = attrs.field(default="", validator=is_text)


def _on(value: object) -> date:
    return day(value, "on")


def _as_of(value: object) -> date:
    return day(value, "as_of")


@attrs.frozen
class Event:
    """A dated event for the calendar, labelled in both languages.

    Attributes:
        on: The day.
        en: What happens, in English.
        zh: What happens, in Chinese.
    """

    on: date = attrs.field(converter=_on)
    en: str = attrs.field(validator=is_text)
    zh: str = attrs.field(validator=is_text)

    def label(self, lang: str) -> str:
        """The label in ``lang`` (``"en"`` or ``"zh"``)."""
        return self.zh if lang == "zh" else self.en


def _class(name: str) -> type:
    """A record class of the domain packages by its name (imported when first needed)."""
    import importlib  # noqa: PLC0415

    module = {
        "Figure": "kamcore.report",
        "Event": "kamcore.report",
        "Loan": "kamcore.archive",
        "OverdueReview": "kamcore.archive",
        "AbcResult": "kamcore.grading",
        "Batch": "kamcore.grading",
        "GradeLadder": "kamcore.grading",
        "GradeMigration": "kamcore.grading",
        "Forecast": "kamcore.pipeline",
        "Opportunity": "kamcore.pipeline",
        "Playbook": "kamcore.pipeline",
        "RebateQuote": "kamcore.rebate",
        "Scorecard": "kamcore.rebate",
        "TierSchedule": "kamcore.rebate",
    }[name]
    cls: type = getattr(importlib.import_module(module), name)
    return cls


def _tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    """A sequence as a tuple; anything else as it is, for ``__attrs_post_init__`` to refuse."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return tuple(value)


#: ReportData's parts: the field, the record class it holds, whether it holds a list.
_PARTS: Final = (
    ("figures", "Figure", True),
    ("abc", "AbcResult", False),
    ("batch", "Batch", False),
    ("ladder", "GradeLadder", False),
    ("migration", "GradeMigration", False),
    ("playbook", "Playbook", False),
    ("opportunities", "Opportunity", True),
    ("forecast", "Forecast", False),
    ("schedule", "TierSchedule", False),
    ("quotes", "RebateQuote", True),
    ("scorecards", "Scorecard", True),
    ("overdue", "OverdueReview", True),
    ("loans", "Loan", True),
    ("events", "Event", True),
)


def _measures(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Mapping):
        raise ValidationError(
            field=attribute.name,
            value=value,
            expected="a mapping of account id to measure",
            problem=kind_of(value),
        )


@attrs.frozen(kw_only=True)
class ReportData:
    """What the report shows: the results, computed elsewhere (the demo, the command).

    Every part but ``title`` and ``as_of`` may be left out; a section with nothing to
    show is left out of the page.

    Attributes:
        title: The report's subject (a company's name), shown in its heading.
        as_of: The report date.
        figures: The summary band's key figures, in order.
        abc: The ABC (Pareto) classification of the book.
        measures: The measure the ABC classes are by, per account (for the Lorenz curve).
        batch: The graded book (grade counts, the grades table).
        ladder: The grade ladder the book was graded on (orders the grades).
        migration: The grade-migration matrix between two re-gradings, if there are two.
        playbook: The sales playbook the opportunities follow.
        opportunities: The opportunities (the funnel).
        forecast: The forecast by category.
        schedule: The rebate tier schedule.
        quotes: One rebate quote per account.
        scorecards: Salesperson scorecards, best first.
        overdue: Dossiers whose full review is overdue, most overdue first.
        loans: The archive's loan register.
        events: Dated events for the calendar, in any order.
    """

    title: str = attrs.field(validator=is_text)
    as_of: date = attrs.field(converter=_as_of)
    figures: tuple[Figure, ...] = attrs.field(default=(), converter=_tuple)
    abc: AbcResult | None = None
    measures: Mapping[str, Decimal] = attrs.field(factory=dict, validator=_measures)
    batch: Batch | None = None
    ladder: GradeLadder | None = None
    migration: GradeMigration | None = None
    playbook: Playbook | None = None
    opportunities: tuple[Opportunity, ...] = attrs.field(default=(), converter=_tuple)
    forecast: Forecast | None = None
    schedule: TierSchedule | None = None
    quotes: tuple[RebateQuote, ...] = attrs.field(default=(), converter=_tuple)
    scorecards: tuple[Scorecard, ...] = attrs.field(default=(), converter=_tuple)
    overdue: tuple[OverdueReview, ...] = attrs.field(default=(), converter=_tuple)
    loans: tuple[Loan, ...] = attrs.field(default=(), converter=_tuple)
    events: tuple[Event, ...] = attrs.field(default=(), converter=_tuple)

    def __attrs_post_init__(self) -> None:
        for field, name, many in _PARTS:
            value = getattr(self, field)
            if many:
                expected = f"a list of {name} records"
                for i, item in enumerate(sequence(value, field, expected=expected)):
                    instance_of(item, _class(name), f"{field}[{i}]")
            elif value is not None:
                instance_of(value, _class(name), field)


def _day(event: Event) -> date:
    return event.on


def can_draw() -> bool:
    """Whether the charts can be drawn here: matplotlib (the ``plot`` extra) is installed."""
    return importlib.util.find_spec("matplotlib") is not None


# -- words ------------------------------------------------------------------------------

_WORDS: Final = words("report")


def _w(key: str, lang: str) -> str:
    en, zh = _WORDS[key]
    return zh if lang == "zh" else en


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


# -- charts -------------------------------------------------------------------------------


#: Charts drawn across the page's width (long labels, a time axis).
_WIDE: Final = frozenset({"scorecard", "calendar"})


def _figure(name: str, lang: str, draw: Callable[[], Any]) -> str:
    """One chart: ``draw()`` returns the Axes a ``plot_*`` function drew, inlined as SVG."""
    from kamcore.charts import to_svg  # noqa: PLC0415 - the plot extra

    kind = "chart wide" if name in _WIDE else "chart"
    return (
        f'<figure class="{kind}" data-chart="{_e(name)}">{to_svg(draw())}'
        f"<figcaption>{_e(_w(name, lang))}</figcaption></figure>"
    )


# -- tables -------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,f}" if value == value.to_integral_value() else f"{value:,}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], lang: str, caption: str = ""
) -> str:
    if not rows:
        return ""
    head = "".join(f"<th>{_e(_w(c, lang))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if isinstance(r.get(c), int | Decimal) else "txt"}">'
            f"{_e(_cell(r.get(c)))}</td>"
            for c in columns
        )
        + "</tr>"
        for r in rows
    )
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# -- sections -----------------------------------------------------------------------------


def _section(key: str, lang: str, figures: Sequence[str], tables: Sequence[str]) -> str:
    if not figures and not any(tables):
        return ""
    charts = f'<div class="charts">{"".join(figures)}</div>' if figures else ""
    return (
        f'<section id="{key}"><h2>{_e(_w(key, lang))}</h2>{charts}'
        f'<div class="tables">{"".join(tables)}</div></section>'
    )


def _grading(data: ReportData, lang: str) -> str:
    from kamcore.charts import (  # noqa: PLC0415
        plot_grades,
        plot_lorenz,
        plot_migration,
        plot_pareto,
    )

    figures: list[str] = []
    tables: list[str] = []
    if data.abc is not None:
        abc = data.abc
        figures.append(_figure("pareto", lang, lambda: plot_pareto(abc, lang=lang)))
        rows = localise(abc.records("classes"), {"class": "abc"}, lang)
        for r in rows:
            r["count_share"] = _pct(Decimal(str(r["count_share"])))
            r["share"] = _pct(Decimal(str(r["share"])))
        tables.append(_table(rows, ("class", "count", "count_share", "share"), lang))
    if data.measures:
        measures = data.measures
        figures.append(_figure("lorenz", lang, lambda: plot_lorenz(measures, lang=lang)))
    if data.batch is not None:
        batch, ladder = data.batch, data.ladder
        figures.append(
            _figure("grades", lang, lambda: plot_grades(batch, ladder=ladder, lang=lang))
        )
        counts = Counter(g.grade for g in batch.graded)
        grades = [b.grade for b in ladder.bands] if ladder is not None else sorted(counts)
        rows = localise(
            [{"grade": g, "count": counts.get(g, 0)} for g in grades], {"grade": "grade"}, lang
        )
        tables.append(_table(rows, ("grade", "count"), lang))
    if data.migration is not None:
        migration, ladder = data.migration, data.ladder
        figures.append(
            _figure("migration", lang, lambda: plot_migration(migration, ladder=ladder, lang=lang))
        )
    return _section("grading", lang, figures, tables)


def _pipeline(data: ReportData, lang: str) -> str:
    from kamcore.charts import plot_forecast, plot_funnel  # noqa: PLC0415

    figures: list[str] = []
    tables: list[str] = []
    if data.playbook is not None and data.opportunities:
        playbook, opps = data.playbook, data.opportunities
        figures.append(_figure("funnel", lang, lambda: plot_funnel(playbook, opps, lang=lang)))
    if data.forecast is not None:
        fc = data.forecast
        figures.append(_figure("forecast", lang, lambda: plot_forecast(fc, lang=lang)))
        rows = localise(fc.records(), {"category": "forecast"}, lang)
        tables.append(_table(rows, ("category", "count", "amount", "cumulative"), lang))
    return _section("pipeline", lang, figures, tables)


def _rebates(data: ReportData, lang: str) -> str:
    from kamcore.charts import plot_tiers  # noqa: PLC0415

    figures: list[str] = []
    tables: list[str] = []
    if data.schedule is not None:
        schedule, quotes = data.schedule, data.quotes
        figures.append(
            _figure("tiers", lang, lambda: plot_tiers(schedule, quotes=quotes, lang=lang))
        )
    if data.quotes:
        # every tier of the schedule in its order, an empty one too
        tiers = data.schedule.tiers if data.schedule is not None else ()
        by_tier: dict[str, list[RebateQuote]] = {t.name: [] for t in tiers}
        for q in data.quotes:
            by_tier.setdefault(q.reached.name, []).append(q)
        rows: list[dict[str, object]] = [
            {
                "tier": name,
                "accounts": len(qs),
                "sales": sum((q.basis.amount for q in qs), Decimal(0)),
                "rebate": sum((q.rebate.amount for q in qs), Decimal(0)),
                "near": sum(1 for q in qs if q.near_next_tier),
            }
            for name, qs in by_tier.items()
        ]
        tables.append(_table(rows, ("tier", "accounts", "sales", "rebate", "near"), lang))
    return _section("rebates", lang, figures, tables)


def _people(data: ReportData, lang: str) -> str:
    from kamcore.charts import plot_scorecard  # noqa: PLC0415

    if not data.scorecards:
        return ""
    best = data.scorecards[0]
    figures = [_figure("scorecard", lang, lambda: plot_scorecard(best, lang=lang))]
    rows = [{"salesperson": c.salesperson, "score": c.total} for c in data.scorecards]
    return _section("people", lang, figures, [_table(rows, ("salesperson", "score"), lang)])


def _archive(data: ReportData, lang: str) -> str:
    from kamcore.charts import plot_calendar  # noqa: PLC0415

    figures: list[str] = []
    tables: list[str] = []
    rows: list[dict[str, object]]
    if data.events:
        events = [(e.label(lang), e.on) for e in data.events]
        figures.append(_figure("calendar", lang, lambda: plot_calendar(events, lang=lang)))
        rows = [{"day": e.on, "what": e.label(lang)} for e in sorted(data.events, key=_day)]
        tables.append(_table(rows, ("day", "what"), lang, _w("calendar", lang)))
    if data.overdue:
        rows = [
            {"dossier": o.dossier_id, "last_review": o.last_review, "due": o.due}
            for o in data.overdue[:10]
        ]
        more = len(data.overdue) - len(rows)
        caption = _w("overdue_reviews", lang) + (f" (+{more})" if more > 0 else "")
        tables.append(_table(rows, ("dossier", "last_review", "due"), lang, caption))
    if data.loans:
        rows = [
            {
                "loan": loan.id,
                "dossier": loan.dossier_id,
                "borrower": loan.borrower,
                "due_at": loan.due_at,
                "returned_at": loan.returned_at,
            }
            for loan in data.loans
        ]
        columns = ("loan", "dossier", "borrower", "due_at", "returned_at")
        tables.append(_table(rows, columns, lang, _w("loans", lang)))
    return _section("archive", lang, figures, tables)


# -- the page -----------------------------------------------------------------------------

_CSS: Final = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 18px 22px; color: #1f2933;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "PingFang SC",
  "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; background: #fff; }
header { border-bottom: 3px solid #1f4e79; margin-bottom: 14px; padding-bottom: 6px; }
h1 { font-size: 24px; margin: 0; color: #1f4e79; }
header p { margin: 2px 0 0; color: #52606d; }
h2 { font-size: 18px; color: #1f4e79; border-bottom: 1px solid #cbd2d9;
  padding-bottom: 3px; margin: 22px 0 10px; }
.band { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.kpi { border: 1px solid #cbd2d9; border-left: 4px solid #1f4e79; border-radius: 4px;
  padding: 6px 10px; break-inside: avoid; }
.kpi .label { font-size: 12px; color: #52606d; }
.kpi .value { font-size: 19px; font-weight: 600; font-variant-numeric: tabular-nums; }
.kpi .note { font-size: 11px; color: #7b8794; }
section { break-inside: auto; }
.charts { display: grid; grid-template-columns: repeat(2, 1fr); gap: 10px;
  align-items: start; }
figure.chart { margin: 0; break-inside: avoid; border: 1px solid #e4e7eb;
  border-radius: 4px; padding: 4px; }
figure.chart svg { display: block; width: 100%; height: auto; max-height: 340px; }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart.wide svg { max-width: 780px; margin: 0 auto; }
figcaption { font-size: 12px; color: #52606d; text-align: center; }
.tables { display: flex; flex-wrap: wrap; gap: 14px; margin-top: 10px;
  align-items: flex-start; }
table { border-collapse: collapse; font-size: 12px; break-inside: avoid; }
caption { text-align: left; font-weight: 600; padding-bottom: 2px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 2px 8px; }
th { background: #f0f4f8; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 24px; font-size: 11px; color: #7b8794; }
@media print {
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .band { grid-template-columns: repeat(4, 1fr); }
}
"""


def _band(data: ReportData, lang: str) -> str:
    if not data.figures:
        return ""
    cards = "".join(
        '<div class="kpi">'
        f'<div class="label">{_e(f.zh if lang == "zh" else f.en)}</div>'
        f'<div class="value">{_e(f.value)}</div>'
        + (f'<div class="note">{_e(f.note)}</div>' if f.note else "")
        + "</div>"
        for f in data.figures
    )
    return (
        f'<section id="summary"><h2>{_e(_w("summary", lang))}</h2>'
        f'<div class="band">{cards}</div></section>'
    )


def build_report(data: ReportData, *, lang: str = "en") -> str:
    """The report as one self-contained HTML document (UTF-8, inline CSS and SVG).

    Args:
        data: What to show.
        lang: ``"en"`` or ``"zh"``: the language of headings, labels and charts.

    Returns:
        The HTML text: no script, and no reference to anything outside the page.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib (the ``plot`` extra) is not
            installed.
    """
    instance_of(data, ReportData, "data")
    if lang not in ("en", "zh"):
        raise ValidationError(field="lang", value=lang, expected="'en' or 'zh'")
    if not can_draw():
        raise ValidationError(
            field="matplotlib",
            value=None,
            problem="not installed",
            expected="the plot extra for the report's charts: pip install 'kamcore[plot]'",
        )
    title = f"{_w('report', lang)} — {data.title}"
    sections = [
        _band(data, lang),
        _grading(data, lang),
        _pipeline(data, lang),
        _rebates(data, lang),
        _people(data, lang),
        _archive(data, lang),
    ]
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(title)}</h1>"
        f"<p>{_e(_w('as_of', lang))} {_e(data.as_of.isoformat())}</p></header>"
        + "".join(sections)
        + f"<footer>{_e(_w('footer', lang))}</footer></body></html>\n"
    )


# -- from a demo folder -------------------------------------------------------------------


def _missing(folder: Path) -> None:
    """Refuse a folder that is not a demo folder, naming every missing file."""
    try:
        is_dir, is_file = folder.is_dir(), folder.is_file()
    except OSError:  # a name too long to look up: no such folder can exist
        is_dir = is_file = False
    if not is_dir:
        raise ValidationError(
            field="--from",
            value=str(folder),
            problem="a file, not a folder" if is_file else "no such folder",
            expected="the folder `kamcore demo` wrote (its --out)",
        )
    absent = [name for name in DEMO_FILES if not (folder / name).is_file()]
    if absent:
        raise RecordInvalid(
            str(folder),
            [
                ValidationError(
                    field=str(folder / name),
                    value=None,
                    problem="missing",
                    expected="a demo folder, as `kamcore demo --out FOLDER` writes it",
                )
                for name in absent
            ],
        )


def _blank(path: Path) -> bool:
    """Whether a file the demo wrote holds no rows (it writes nothing for none)."""
    return not path.read_text(encoding="utf-8").strip()


def _summary(folder: Path) -> dict[str, Any]:
    path = folder / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            field=str(path), value=None, problem=f"not JSON ({exc})", expected="the demo's summary"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("as_of"), str):
        raise ValidationError(
            field=f"{path}.as_of",
            value=None,
            problem="missing",
            expected="the demo's summary with its as_of date",
        )
    return data


def _scorecards(path: Path, as_of: date) -> tuple[Scorecard, ...]:
    """Rebuild the scorecards of ``salespeople.csv``: attainment recomputed, attendance read."""
    from kamcore.calendar import Period  # noqa: PLC0415
    from kamcore.money import Money  # noqa: PLC0415
    from kamcore.presets import load_preset  # noqa: PLC0415
    from kamcore.rebate import (  # noqa: PLC0415
        AttainmentRule,
        AttendanceRule,
        ComponentScore,
        ScorecardPolicy,
        ScoreLine,
        Target,
        assess_attainment,
        score_salesperson,
    )
    from kamcore.tables import read_amounts  # noqa: PLC0415

    if not path.is_file() or _blank(path):
        return ()
    rows = read_amounts(
        path,
        ["plan", "actual", "attendance"],
        blank="refuse",
        id_column="salesperson",
        headings={"plan": "plan", "actual": "actual", "attendance": "attendance"},
    )
    attainment = load_preset("rebate_attainment_source", AttainmentRule)
    attendance = load_preset("rebate_attendance_source", AttendanceRule)
    policy = load_preset("rebate_scorecard_default", ScorecardPolicy)
    year = Period(as_of - timedelta(days=365), as_of)
    cards = []
    for i, person in enumerate(rows.ids):
        plan, actual, present = (rows.amounts[k][i] or Decimal(0) for k in rows.amounts)
        full = attendance.full_marks
        lines = [ScoreLine("full attendance", full)]
        if present != full:
            lines.append(ScoreLine("deductions (salespeople.csv)", present - full))
        components = [
            assess_attainment(attainment, actual=Money(actual), target=Target(normal=Money(plan))),
            ComponentScore(component="attendance", score=present, full_marks=full, lines=lines),
        ]
        cards.append(
            score_salesperson(policy, salesperson=person, period=year, components=components)
        )
    return tuple(sorted(cards, key=lambda c: c.total, reverse=True))


def _archive_data(
    path: Path, as_of: date
) -> tuple[tuple[OverdueReview, ...], tuple[Loan, ...], list[Event]]:
    """Overdue reviews, loans and the coming weeks' events of ``archive.db``.

    The events: the overdue reviews (on ``as_of``), the reviews falling due in each of
    the next two months, and loans still out.
    """
    from kamcore.archive import SOURCE_REVIEW_POLICY, overdue_reviews  # noqa: PLC0415
    from kamcore.calendar import Period, PeriodKind  # noqa: PLC0415
    from kamcore.store import SQLiteRepository  # noqa: PLC0415

    if not path.is_file():
        return (), (), []
    with SQLiteRepository(path) as store:
        stored = store.keys()
        dossiers = [store.get(k) for k in stored]
        reviews = store.reviews()
        late = overdue_reviews(SOURCE_REVIEW_POLICY, dossiers, reviews, as_of=as_of)
        loans = store.loans()
    last: dict[str, date] = {}
    for r in reviews:
        last[r.dossier_id] = max(r.on, last.get(r.dossier_id, r.on))
    horizon = as_of + timedelta(days=61)
    due: Counter[Period] = Counter()
    for d in dossiers:
        day = SOURCE_REVIEW_POLICY.next_due(
            last_review=last.get(d.id), created=d.created_at.date() if d.created_at else as_of
        )
        if as_of <= day < horizon:
            due[Period.containing(day, PeriodKind.MONTH)] += 1
    events = (
        [Event(as_of, f"{len(late)} reviews overdue", f"{len(late)} 份档案逾期检查")]
        if late
        else []
    )
    events += [
        Event(p.start, f"{n} reviews due ({p.label})", f"{n} 份档案应检查（{p.zh_label}）")
        for p, n in sorted(due.items(), key=lambda item: item[0].start)
    ]
    events += [
        Event(loan.due_at.date(), f"loan {loan.id} due back", f"借阅单 {loan.id} 应还")
        for loan in loans
        if loan.returned_at is None
    ]
    return late, loans, events


def read_demo_folder(folder: str | Path) -> ReportData:
    """The report's data from a folder ``kamcore demo`` wrote, recomputed as the demo does.

    The book (``accounts.csv``) is graded and classified with the default presets
    (``grading_scorecard``, ``grading_letters``, ``grading_abc`` by sales revenue) and
    quoted with ``rebate_source``; the open opportunities (``opportunities.csv``) are
    forecast with ``pipeline_project_sales``; the scorecards are rebuilt from
    ``salespeople.csv`` (attainment recomputed from plan and actual, attendance as
    scored); reviews and loans are read from ``archive.db``; the report date is
    ``summary.json``'s ``as_of``. ``salespeople.csv`` and ``archive.db`` may be absent
    (their parts are then left out).

    Args:
        folder: The demo's output folder.

    Returns:
        The data for :func:`build_report`.

    Raises:
        ValidationError: The folder or one of :data:`DEMO_FILES` is missing (a
            :class:`~kamcore.errors.RecordInvalid` naming every missing file), or a file
            is not as the demo writes it (every problem, with its line and column).
    """
    from kamcore.calendar import ANNUAL_ARCHIVING, QUARTERLY_ARCHIVING, as_date  # noqa: PLC0415
    from kamcore.grading import (  # noqa: PLC0415
        FIGURES,
        AbcPolicy,
        GradeLadder,
        WeightedScorecard,
        classify_abc,
        grade_many,
    )
    from kamcore.money import total  # noqa: PLC0415
    from kamcore.pipeline import Playbook, forecast, weighted_pipeline  # noqa: PLC0415
    from kamcore.presets import load_preset  # noqa: PLC0415
    from kamcore.rebate import TierSchedule, quote  # noqa: PLC0415
    from kamcore.tables import read_accounts, read_opportunities  # noqa: PLC0415

    root = path(folder, "folder", expected="the folder `kamcore demo` wrote")
    _missing(root)
    summary = _summary(root)
    as_of = as_date(summary["as_of"], field=f"{root / 'summary.json'}.as_of")
    model = load_preset("grading_scorecard", WeightedScorecard)
    ladder = load_preset("grading_letters", GradeLadder)
    abc_policy = load_preset("grading_abc", AbcPolicy)
    book = read_accounts(root / "accounts.csv", require=FIGURES, complete=FIGURES)
    facts = book.facts
    batch = grade_many(model.fit(facts), ladder, facts, abc=abc_policy)
    sales = {f.account_id: f.sales_revenue or Decimal(0) for f in facts}
    abc = batch.abc if batch.abc is not None else classify_abc(abc_policy, sales)
    playbook = load_preset("pipeline_project_sales", Playbook)
    opps_file = root / "opportunities.csv"
    # the demo writes an empty file when no opportunity is open
    opps = () if _blank(opps_file) else read_opportunities(opps_file, playbook).opportunities
    result = forecast(playbook, opps)
    schedule = load_preset("rebate_source", TierSchedule)
    quotes = [quote(schedule, basis=f.sales_revenue or 0, base=f.collected or 0) for f in facts]
    cards = _scorecards(root / "salespeople.csv", as_of)
    late, loans, events = _archive_data(root / "archive.db", as_of)
    events += [
        Event(QUARTERLY_ARCHIVING.next_due(as_of), "quarterly archiving", "季度归档"),
        Event(ANNUAL_ARCHIVING.next_due(as_of), "annual archiving", "年度归档"),
    ]
    revenue = sum(sales.values(), Decimal(0))
    invoiced = sum((f.invoiced or Decimal(0) for f in facts), Decimal(0))
    collected = sum((f.collected or Decimal(0) for f in facts), Decimal(0))
    counts = Counter(g.grade for g in batch.graded)
    weighted = total(w.weighted for w in weighted_pipeline(playbook, opps, by=("owner",)))
    rebate = sum((q.rebate.amount for q in quotes), Decimal(0))
    a_class = abc.classes[0] if abc.classes else None
    figures = [
        Figure(en="Accounts", zh="客户数", value=str(len(facts))),
        Figure(en="Revenue, last 12 months", zh="近12个月收入", value=_money(revenue)),
        Figure(
            en="Collection rate",
            zh="回款率",
            value=_pct(collected / invoiced) if invoiced else "n/a",
        ),
        Figure(
            en="Grades A/B/C/D",
            zh="A/B/C/D 级客户",
            value=" / ".join(str(counts.get(g, 0)) for g in "ABCD"),
        ),
        Figure(
            en=f"Class {a_class.label} accounts" if a_class else "ABC",
            zh=f"{a_class.label}类客户" if a_class else "ABC",
            value=(f"{a_class.count} · {_pct(a_class.share)}" if a_class else "n/a"),
        ),
        Figure(
            en="Weighted pipeline",
            zh="加权预测",
            value=_money(weighted.amount),
            note=f"{len(opps)} open",
        ),
        Figure(en="Rebates (quoted)", zh="返点（报价）", value=_money(rebate)),
        Figure(en="Reviews overdue", zh="逾期检查", value=str(len(late))),
    ]
    return ReportData(
        title=f"kamcore demo (seed {summary.get('seed', '?')})",
        as_of=as_of,
        figures=figures,
        abc=abc,
        measures=sales,
        batch=batch,
        ladder=ladder,
        playbook=playbook,
        opportunities=opps,
        forecast=result,
        schedule=schedule,
        quotes=quotes,
        scorecards=cards,
        overdue=late,
        loans=loans,
        events=sorted(events, key=_day),
    )
