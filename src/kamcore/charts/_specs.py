"""Vega-Lite chart specs of kamcore's results: plain dicts, standard library only.

Every function returns a Vega-Lite v6 specification as a plain ``dict`` with its data
inline (``"data": {"values": [...]}``), ready for ``json.dumps``, a notebook, a web page
(vega-embed) or ``altair.Chart.from_dict``. Charts are pictures: the numbers in a chart's
data are floats, rounded for drawing; the exact ``Decimal`` values stay in the results.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final, TypeVar

from kamcore._validate import instance_of, kind_of, sequence, text
from kamcore._vocab import words
from kamcore.calendar import as_date
from kamcore.errors import ValidationError
from kamcore.grading import (
    ABSENT,
    AbcResult,
    Batch,
    Concentration,
    GradeLadder,
    GradeMigration,
)
from kamcore.pipeline import Forecast, Opportunity, Playbook, conversion
from kamcore.rebate import RebateQuote, Scorecard, TierSchedule

__all__ = [
    "SCHEMA_URL",
    "VEGA_LITE_MIME",
    "calendar_chart",
    "forecast_chart",
    "funnel_chart",
    "grade_chart",
    "lorenz_chart",
    "migration_chart",
    "mimebundle",
    "pareto_chart",
    "scorecard_chart",
    "tier_chart",
    "weighted_chart",
]

#: The ``$schema`` of every spec: Vega-Lite 6 (the version altair 6 ships).
SCHEMA_URL: Final = "https://vega.github.io/schema/vega-lite/v6.json"
#: The MIME type notebooks render the specs with.
VEGA_LITE_MIME: Final = "application/vnd.vegalite.v6+json"

T = TypeVar("T")

_OPPORTUNITIES: Final = "a list of Opportunity records"
_QUOTES: Final = "a list of RebateQuote records"
_EVENTS: Final = "a list of (label, date) pairs"
_WIDTH: Final = 480
_HEIGHT: Final = 300
_LANGS: Final = ("en", "zh")
#: Titles and axis names, English and Chinese.
_TEXT: Final = words("charts")


def _text(key: str, lang: str) -> str:
    return _TEXT[key][_LANGS.index(lang)]


def _lang(lang: object) -> str:
    if lang not in _LANGS:
        raise ValidationError(
            field="lang", value=lang, expected="'en' or 'zh'", problem="unknown language"
        )
    return str(lang)


def _records(values: object, cls: type[T], field: str, *, expected: str) -> tuple[T, ...]:
    """``values`` as a tuple of ``cls`` records, each checked as ``field[i]``."""
    items = sequence(values, field, expected=expected)
    for i, item in enumerate(items):
        instance_of(item, cls, f"{field}[{i}]")
    return items


def _grade_mapping(grades: object, field: str = "grades") -> Mapping[str, object]:
    """``grades`` if it is a mapping with text keys, else an error naming ``field``."""
    if not isinstance(grades, Mapping):
        raise ValidationError(
            field=field,
            value=grades,
            expected="a mapping of grade to count, or a Batch",
            problem=kind_of(grades),
        )
    for grade in grades:
        text(grade, f"{field} key", expected="a grade: a non-blank string")
    return grades


def _f(value: Decimal | int) -> float:
    """A number for drawing (charts are pictures; exact values stay in the results)."""
    return float(value)


def _spec(title: str | dict[str, object], **body: object) -> dict[str, object]:
    return {
        "$schema": SCHEMA_URL,
        "title": title,
        "width": _WIDTH,
        "height": _HEIGHT,
        **body,
    }


def _axis(field: str, kind: str, title: str, **more: object) -> dict[str, object]:
    return {"field": field, "type": kind, "title": title, **more}


def mimebundle(
    spec: Mapping[str, object],
    *,
    html: str | None = None,
    include: object = None,
    exclude: object = None,
) -> dict[str, object]:
    """A notebook MIME bundle of a chart spec (what ``_repr_mimebundle_`` returns).

    Args:
        spec: A Vega-Lite spec from this module.
        html: An HTML rendering to offer as well (``text/html``).
        include: Only these MIME types, if given (IPython's ``include``).
        exclude: Not these MIME types (IPython's ``exclude``).

    Returns:
        ``{VEGA_LITE_MIME: spec}``, plus ``"text/html"`` when ``html`` is given.

    Examples:
        >>> sorted(mimebundle({"mark": "bar"}, html="<p>", exclude={"text/html"}))
        ['application/vnd.vegalite.v6+json']
    """
    if not isinstance(spec, Mapping):
        raise ValidationError(
            field="spec", value=spec, expected="a Vega-Lite spec: a mapping", problem=kind_of(spec)
        )
    bundle: dict[str, object] = {VEGA_LITE_MIME: dict(spec)}
    if html is not None:
        bundle["text/html"] = text(html, "html", required=False)
    if isinstance(include, Collection) and not isinstance(include, str | bytes):
        bundle = {k: v for k, v in bundle.items() if k in include}
    if isinstance(exclude, Collection) and not isinstance(exclude, str | bytes):
        bundle = {k: v for k, v in bundle.items() if k not in exclude}
    return bundle


def pareto_chart(result: AbcResult, *, lang: str = "en") -> dict[str, object]:
    """The Pareto curve of an ABC classification, with the class breakpoints as rules.

    The x axis is the share of accounts (largest first), the y axis the cumulative
    share of the measure; each account is a point coloured by its class, and a
    vertical rule marks where each class but the last ends. The data are floats, for
    drawing; the exact values stay in ``result``.

    Args:
        result: A classification from :func:`~kamcore.grading.classify_abc`.
        lang: ``"en"`` or ``"zh"``, the language of the titles.

    Returns:
        A Vega-Lite v6 layered spec.

    Examples:
        >>> from kamcore.grading import AbcBreak, AbcPolicy, classify_abc
        >>> p = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)))
        >>> spec = pareto_chart(classify_abc(p, {"x": 80, "y": 15, "z": 5}))
        >>> spec["$schema"], len(spec["layer"])
        ('https://vega.github.io/schema/vega-lite/v6.json', 4)
    """
    instance_of(result, AbcResult, "result")
    lang = _lang(lang)
    n = len(result.assignments)
    points = [
        {
            "account_id": a.account_id,
            "rank": a.rank,
            "accounts_share": a.rank / n,
            "measure": _f(a.measure),
            "cumulative_share": _f(a.cumulative_share),
            "class": a.label,
        }
        for a in result.assignments
    ]
    curve = [{"accounts_share": 0.0, "cumulative_share": 0.0}, *points]
    breaks: list[dict[str, object]] = []
    counted = 0
    for c in result.classes[:-1]:
        counted += c.count  # classes follow each other in rank order
        held = result.assignments[counted - 1].cumulative_share if counted else Decimal(0)
        breaks.append(
            {
                "class": c.label,
                "accounts_share": counted / n if n else 0.0,
                "cumulative_share": _f(held),
                "label": f"{c.label} {_f(held):.0%}",
            }
        )
    x = _axis("accounts_share", "quantitative", _text("accounts_share", lang))
    x["axis"] = {"format": "%"}
    y = _axis("cumulative_share", "quantitative", _text("cumulative_share", lang))
    y["axis"] = {"format": "%"}
    return _spec(
        _text("pareto", lang),
        layer=[
            {"data": {"values": curve}, "mark": "line", "encoding": {"x": x, "y": y}},
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": _axis("class", "nominal", _text("class", lang)),
                    "tooltip": [
                        {"field": "account_id", "type": "nominal"},
                        {"field": "measure", "type": "quantitative"},
                        {"field": "cumulative_share", "type": "quantitative", "format": ".1%"},
                        {"field": "class", "type": "nominal"},
                    ],
                },
            },
            {
                "data": {"values": breaks},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "gray"},
                "encoding": {"x": x},
            },
            {
                "data": {"values": breaks},
                "mark": {"type": "text", "align": "left", "dx": 4, "dy": 12},
                "encoding": {"x": x, "y": y, "text": {"field": "label", "type": "nominal"}},
            },
        ],
    )


def lorenz_chart(figures: Concentration, *, lang: str = "en") -> dict[str, object]:
    """The Lorenz curve of a :class:`~kamcore.grading.Concentration`, Gini in the title.

    The dashed diagonal is the line of equality; the further the curve sags below it,
    the more concentrated the measure. Points are floats, for drawing; the exact
    shares stay in ``figures``.

    Args:
        figures: From :func:`~kamcore.grading.measure_concentration`.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec.

    Examples:
        >>> from kamcore.grading import measure_concentration
        >>> lorenz_chart(measure_concentration({"a": 1, "b": 2, "c": 3, "d": 4}))["title"]
        'Lorenz curve, Gini 0.250'
    """
    instance_of(figures, Concentration, "figures")
    lang = _lang(lang)
    curve = [{"accounts_share": _f(x), "measure_share": _f(y)} for x, y in figures.lorenz]
    diagonal = [
        {"accounts_share": 0.0, "measure_share": 0.0},
        {"accounts_share": 1.0, "measure_share": 1.0},
    ]
    x = _axis("accounts_share", "quantitative", _text("accounts_share", lang), axis={"format": "%"})
    y = _axis("measure_share", "quantitative", _text("measure_share", lang), axis={"format": "%"})
    gini = figures.gini.quantize(Decimal("0.001"))
    return _spec(
        f"{_text('lorenz', lang)} {gini}",
        layer=[
            {
                "data": {"values": diagonal},
                "mark": {"type": "line", "strokeDash": [4, 4], "color": "gray"},
                "encoding": {"x": x, "y": y},
            },
            {
                "data": {"values": curve},
                "mark": {"type": "area", "line": True, "opacity": 0.3},
                "encoding": {"x": x, "y": y},
            },
        ],
    )


def _grade_counts(
    grades: Mapping[str, int] | Batch, order: GradeLadder | Sequence[str] | None
) -> list[tuple[str, int]]:
    if isinstance(grades, Batch):
        counts: dict[str, int] = dict(Counter(g.grade for g in grades.graded))
        default: list[str] = sorted(counts)
    else:
        counts = {}
        for grade, count in _grade_mapping(grades).items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValidationError(
                    field=f"grades.{grade}",
                    value=count,
                    expected="a count of accounts: an int, zero or more",
                )
            counts[grade] = count
        default = list(counts)
    if isinstance(order, GradeLadder):
        labels = list(order.grades)
    elif order is None:
        labels = default
    else:
        expected = "a GradeLadder or a list of grades"
        labels = list(sequence(order, "order", expected=expected)) or default
        for i, grade in enumerate(labels):
            text(grade, f"order[{i}]", expected=expected)
    missing = [g for g in counts if g not in labels]
    if missing:
        raise ValidationError(
            field="order",
            value=missing[0],
            expected=f"one of: {', '.join(labels)}",
            problem="a grade the order does not list",
        )
    return [(g, counts.get(g, 0)) for g in labels]


def grade_chart(
    grades: Mapping[str, int] | Batch,
    *,
    order: GradeLadder | Sequence[str] | None = None,
    lang: str = "en",
) -> dict[str, object]:
    """How many accounts hold each grade, as bars in ladder order.

    Args:
        grades: Grade → number of accounts, or a :class:`~kamcore.grading.Batch`
            (its grades are counted).
        order: The grades in the order to show them: a ladder (best first) or a
            list. By default the mapping's own order, or for a batch the grades
            sorted by name. Grades in ``order`` that nobody holds show as 0.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec (bars and their counts).

    Raises:
        ValidationError: A count that is not a non-negative int, a grade ``order``
            leaves out, or an unknown ``lang``.

    Examples:
        >>> spec = grade_chart({"A": 3, "B": 5, "C": 12})
        >>> [row["count"] for row in spec["data"]["values"]]
        [3, 5, 12]
    """
    lang = _lang(lang)
    rows = _grade_counts(grades, order)
    x = _axis("grade", "nominal", _text("grade", lang), sort=[g for g, _ in rows])
    x["axis"] = {"labelAngle": 0}
    y = _axis("count", "quantitative", _text("count", lang))
    return _spec(
        _text("grades", lang),
        data={"values": [{"grade": g, "count": c} for g, c in rows]},
        encoding={"x": x, "y": y},
        layer=[
            {"mark": "bar"},
            {"mark": {"type": "text", "dy": -6}, "encoding": {"text": {"field": "count"}}},
        ],
    )


def migration_chart(migration: GradeMigration, *, lang: str = "en") -> dict[str, object]:
    """The grade-migration matrix as a heat map (rows: from, columns: to).

    ``—`` (not graded) stands for accounts that appeared or disappeared; each cell
    shows its count.

    Args:
        migration: From :func:`~kamcore.grading.tabulate_migrations`.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec (rects and counts).

    Examples:
        >>> from kamcore.grading import GradeMigration, GradeMove, MoveKind
        >>> moves = [GradeMove("x", "A", "B", MoveKind.DOWNGRADED)]
        >>> m = GradeMigration(None, None, ("A", "B"), moves)
        >>> len(migration_chart(m)["data"]["values"])
        8
    """
    instance_of(migration, GradeMigration, "migration")
    lang = _lang(lang)
    rows = [
        {
            "from_grade": ABSENT if r["from_grade"] is None else r["from_grade"],
            "to_grade": ABSENT if r["to_grade"] is None else r["to_grade"],
            "count": r["count"],
        }
        for r in migration.records()
    ]
    labels = [*migration.grades, ABSENT]
    title = _text("migration", lang)
    if migration.before is not None or migration.after is not None:
        title = f"{title} {migration.before or ''} → {migration.after or ''}".rstrip()
    return _spec(
        title,
        data={"values": rows},
        encoding={
            "x": _axis(
                "to_grade", "ordinal", _text("to", lang), sort=labels, axis={"orient": "top"}
            ),
            "y": _axis("from_grade", "ordinal", _text("from", lang), sort=labels),
        },
        layer=[
            {
                "mark": "rect",
                "encoding": {
                    "color": _axis(
                        "count", "quantitative", _text("count", lang), scale={"scheme": "blues"}
                    )
                },
            },
            {"mark": "text", "encoding": {"text": {"field": "count", "type": "quantitative"}}},
        ],
    )


def funnel_chart(
    playbook: Playbook, opportunities: Iterable[Opportunity], *, lang: str = "en"
) -> dict[str, object]:
    """The sales funnel: open opportunities and their amount by stage, in stage order.

    Each bar counts the open opportunities now in a stage; its label gives their
    amount and the stage's conversion to a later stage, from the closed history
    (:func:`~kamcore.pipeline.conversion`; ``—`` where none has closed yet).

    Args:
        playbook: Gives the stages, their order and their names.
        opportunities: Any opportunities; the closed ones count only in the conversion.
        lang: ``"en"`` or ``"zh"`` (also chooses the stage names).

    Returns:
        A Vega-Lite v6 layered spec (bars and labels).

    Raises:
        ValidationError: Open opportunities in more than one currency.
    """
    instance_of(playbook, Playbook, "playbook")
    opps = _records(opportunities, Opportunity, "opportunities", expected=_OPPORTUNITIES)
    lang = _lang(lang)
    converted = {c.stage: c.conversion for c in conversion(playbook, opps)}
    counts: Counter[str] = Counter()
    amounts: dict[str, Decimal] = {}
    currencies: set[str] = set()
    for o in opps:
        if o.closed_on is None:
            counts[o.stage] += 1
            amounts[o.stage] = amounts.get(o.stage, Decimal(0)) + o.amount.amount
            currencies.add(o.amount.currency)
    if len(currencies) > 1:
        raise ValidationError(
            field="opportunities",
            value=", ".join(sorted(currencies)),
            expected="open opportunities in one currency",
            problem="amounts in several currencies cannot be added up",
        )
    currency = next(iter(currencies), "")
    rows = []
    for stage in playbook.ordered_stages():
        name = (stage.zh if lang == "zh" else stage.en) or stage.key
        rate = converted.get(stage.key)
        amount = amounts.get(stage.key, Decimal(0))
        rows.append(
            {
                "stage": name,
                "key": stage.key,
                "count": counts[stage.key],
                "amount": _f(amount),
                "conversion": None if rate is None else _f(rate.value),
                "label": f"{counts[stage.key]} · {amount:,} {currency} · → "
                + ("—" if rate is None else f"{rate.as_percent}%"),
            }
        )
    y = _axis("stage", "nominal", _text("stage", lang), sort=[r["stage"] for r in rows])
    return _spec(
        _text("funnel", lang),
        data={"values": rows},
        encoding={"y": y, "x": _axis("count", "quantitative", _text("opportunities", lang))},
        layer=[
            {"mark": "bar"},
            {
                "mark": {"type": "text", "align": "left", "dx": 4},
                "encoding": {"text": {"field": "label", "type": "nominal"}},
            },
        ],
    )


def forecast_chart(forecast: Forecast, *, lang: str = "en") -> dict[str, object]:
    """A forecast by category (bars) with its cumulative roll-up (line), least certain first.

    Args:
        forecast: From :func:`~kamcore.pipeline.forecast`.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec; the lost and closed-out business is left out
        (it rolls up nowhere).
    """
    instance_of(forecast, Forecast, "forecast")
    lang = _lang(lang)
    rows = [
        {
            "category": r.category.value,
            "count": r.count,
            "amount": _f(r.amount.amount),
            "cumulative": _f(r.cumulative.amount),
        }
        for r in forecast.rows
    ]
    currency = forecast.omitted.currency
    x = _axis("category", "nominal", _text("category", lang), sort=[r["category"] for r in rows])
    x["axis"] = {"labelAngle": 0}
    money = f"{_text('amount', lang)} ({currency})"
    return _spec(
        f"{_text('forecast', lang)} "
        f"({forecast.period if forecast.period != '*' else _text('all_dates', lang)})",
        data={"values": rows},
        encoding={"x": x},
        layer=[
            {"mark": "bar", "encoding": {"y": _axis("amount", "quantitative", money)}},
            {
                "mark": {"type": "line", "point": True, "color": "darkorange"},
                "encoding": {"y": _axis("cumulative", "quantitative", _text("cumulative", lang))},
            },
        ],
    )


def weighted_chart(
    playbook: Playbook,
    opportunities: Iterable[Opportunity],
    *,
    period: str = "quarter",
    lang: str = "en",
) -> dict[str, object]:
    """The weighted forecast (Σ amount × stage probability) by period and category.

    Open opportunities are grouped by the period of their expected close (``"month"``
    or ``"quarter"``) and by their stage's forecast category, and stacked; the weighted
    amounts are :func:`~kamcore.pipeline.weighted_pipeline`'s, exact there.

    Raises:
        ValidationError: An unknown ``period`` or ``lang``.
    """
    from kamcore.calendar import PeriodKind  # noqa: PLC0415
    from kamcore.pipeline import weighted_pipeline  # noqa: PLC0415

    instance_of(playbook, Playbook, "playbook")
    opps = _records(opportunities, Opportunity, "opportunities", expected=_OPPORTUNITIES)
    lang = _lang(lang)
    kinds = {"month": PeriodKind.MONTH, "quarter": PeriodKind.QUARTER}
    if period not in kinds:
        raise ValidationError(
            field="period", value=period, expected="'month' or 'quarter'", problem="unknown"
        )
    open_ = [o for o in opps if o.closed_on is None]
    by_category: dict[str, list[Opportunity]] = {}
    for o in open_:
        by_category.setdefault(playbook.stage(o.stage).forecast.value, []).append(o)
    rows = [
        {
            "period": r.period,
            "category": category,
            "weighted": _f(r.weighted.amount),
            "count": r.count,
        }
        for category, opps in by_category.items()
        for r in weighted_pipeline(playbook, opps, by=("period",), period=kinds[period])
    ]
    currency = next((o.amount.currency for o in open_), "CNY")
    x = _axis("period", "ordinal", _text("period", lang), sort="ascending")
    x["axis"] = {"labelAngle": 0}
    return _spec(
        _text("weighted", lang),
        data={"values": rows},
        mark="bar",
        encoding={
            "x": x,
            "y": _axis("weighted", "quantitative", f"{_text('weighted', lang)} ({currency})"),
            "color": _axis("category", "nominal", _text("category", lang)),
            "tooltip": [{"field": "period"}, {"field": "category"}, {"field": "weighted"}],
        },
    )


def tier_chart(
    schedule: TierSchedule, quotes: Iterable[RebateQuote] = (), *, lang: str = "en"
) -> dict[str, object]:
    """A tier schedule's rate as a step over the basis, with quotes near a cliff marked.

    Each quote is a point at its basis and rate; quotes :attr:`near the next tier
    <kamcore.rebate.RebateQuote.near_next_tier>` are coloured apart (the accounts to
    call first). The tooltip gives the rebate and the amount to the next tier.

    Args:
        schedule: The schedule to draw.
        quotes: Quotes on this schedule to mark.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec.

    Raises:
        ValidationError: A quote made on another schedule.
    """
    instance_of(schedule, TierSchedule, "schedule")
    marked = _records(quotes, RebateQuote, "quotes", expected=_QUOTES)
    lang = _lang(lang)
    for q in marked:
        if q.schedule != schedule:
            raise ValidationError(
                field="quotes",
                value=q.basis,
                expected="quotes made on the schedule drawn",
                problem="a quote on another schedule",
            )
    steps = [
        {"basis": _f(t.lower), "rate": _f(t.rate.value * 100), "tier": t.name}
        for t in schedule.tiers
    ]
    last = schedule.tiers[-1]
    # the tiers are the picture: the scale ends at twice the last breakpoint, and quotes
    # beyond it are left out of the points (the tooltip data keeps them exact elsewhere)
    end = max(last.lower * 2, last.lower + 1)
    marked = tuple(q for q in marked if q.basis.amount <= end)
    steps.append({"basis": _f(end), "rate": _f(last.rate.value * 100), "tier": last.name})
    points = [
        {
            "basis": _f(q.basis.amount),
            "rate": _f(q.rate.value * 100),
            "rebate": _f(q.rebate.amount),
            "to_next_tier": None if q.to_next is None else _f(q.to_next.amount),
            "near": q.near_next_tier,
            "quote": _text("near" if q.near_next_tier else "not_near", lang),
        }
        for q in marked
    ]
    x = _axis("basis", "quantitative", f"{_text('basis', lang)} ({schedule.currency})")
    y = _axis("rate", "quantitative", _text("rate", lang))
    title = _text("tiers", lang)
    return _spec(
        title,
        layer=[
            {
                "data": {"values": steps},
                "mark": {"type": "line", "interpolate": "step-after", "point": True},
                "encoding": {"x": x, "y": y, "tooltip": [{"field": "tier"}, {"field": "rate"}]},
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 80},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "quote",
                        "type": "nominal",
                        "title": _text("quote", lang),
                        "scale": {
                            "domain": [_text("not_near", lang), _text("near", lang)],
                            "range": ["steelblue", "crimson"],
                        },
                    },
                    "tooltip": [
                        {"field": "basis", "type": "quantitative"},
                        {"field": "rebate", "type": "quantitative"},
                        {"field": "to_next_tier", "type": "quantitative"},
                    ],
                },
            },
        ],
    )


def scorecard_chart(card: Scorecard, *, lang: str = "en") -> dict[str, object]:
    """A salesperson's scorecard: each component's points against its weight.

    The pale bar is the component's weight (its points at full marks, out of 100), the
    solid bar its contribution as the scorecard rounds it (the contributions add up
    to the total in the title).

    Args:
        card: From :func:`~kamcore.rebate.score_salesperson`.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec.
    """
    instance_of(card, Scorecard, "card")
    lang = _lang(lang)
    rows = [
        {
            "component": comp.component,
            "score": _f(comp.score),
            "full_marks": _f(comp.full_marks),
            "weight": _f(weight.weight * 100),
            "contribution": _f(share),
        }
        for comp, weight, share in zip(
            card.components, card.policy.weights, card.rounded_contributions, strict=True
        )
    ]
    y = _axis("component", "nominal", _text("component", lang), sort=[r["component"] for r in rows])
    return _spec(
        f"{_text('scorecard', lang)} {card.salesperson}, {card.period}: {card.total}",
        data={"values": rows},
        encoding={"y": y},
        layer=[
            {
                "mark": {"type": "bar", "opacity": 0.3},
                "encoding": {"x": _axis("weight", "quantitative", _text("points", lang))},
            },
            {
                "mark": "bar",
                "encoding": {
                    "x": {"field": "contribution", "type": "quantitative"},
                    "tooltip": [
                        {"field": "score", "type": "quantitative"},
                        {"field": "full_marks", "type": "quantitative"},
                        {"field": "contribution", "type": "quantitative"},
                    ],
                },
            },
        ],
    )


def calendar_chart(
    events: Iterable[tuple[str, date | str]],
    *,
    today: date | str | None = None,
    lang: str = "en",
) -> dict[str, object]:
    """Due dates (reviews, archiving, renewals) on a time line, with today as a rule.

    Args:
        events: ``(label, date)`` pairs, such as ``("review ACME", date(2026, 6, 30))``;
            dates as :class:`~datetime.date` or ISO strings.
        today: Marks today and colours the overdue events apart, if given.
        lang: ``"en"`` or ``"zh"``.

    Returns:
        A Vega-Lite v6 layered spec, one row per label, events in date order.

    Raises:
        ValidationError: A date that is not a date.

    Examples:
        >>> spec = calendar_chart([("review x", "2026-06-30"), ("archive y", "2026-04-01")])
        >>> [r["label"] for r in spec["layer"][0]["data"]["values"]]
        ['archive y', 'review x']
    """
    pairs = sequence(events, "events", expected=_EVENTS)
    lang = _lang(lang)
    day = None if today is None else as_date(today, field="today")
    rows = sorted(
        (
            {
                "label": str(label),
                "date": when.isoformat(),
                "overdue": day is not None and when < day,
            }
            for label, when in (_event(i, event) for i, event in enumerate(pairs))
        ),
        key=lambda r: (r["date"], r["label"]),
    )
    x = _axis("date", "temporal", _text("date", lang))
    y = _axis("label", "nominal", _text("event", lang), sort=[r["label"] for r in rows])
    layer: list[dict[str, object]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "point", "filled": True, "size": 80},
            "encoding": {
                "x": x,
                "y": y,
                "color": {
                    "field": "overdue",
                    "type": "nominal",
                    "scale": {"domain": [False, True], "range": ["steelblue", "crimson"]},
                    "legend": None,
                },
                "tooltip": [{"field": "label"}, {"field": "date", "type": "temporal"}],
            },
        }
    ]
    if day is not None:
        layer.append(
            {
                "data": {"values": [{"date": day.isoformat(), "label": _text("today", lang)}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "gray"},
                "encoding": {"x": x},
            }
        )
    return _spec(_text("calendar", lang), layer=layer)


def _event(i: int, event: object) -> tuple[object, date]:
    """A ``(label, date)`` pair of :func:`calendar_chart`, the date read (ISO text too)."""
    if not isinstance(event, tuple | list) or len(event) != 2:
        raise ValidationError(
            field=f"events[{i}]",
            value=event,
            expected="a (label, date) pair",
            problem="not an event",
        )
    label, when = event
    return label, as_date(when, field=f"events.{label}")
