"""Static charts of kamcore results, drawn with matplotlib (the ``plot`` extra).

Every ``plot_*`` function takes a kamcore result, draws it into ``ax`` (a new
:class:`matplotlib.figure.Figure` with one Axes when ``ax`` is ``None``; pyplot and a GUI
backend are never needed) and returns the Axes. ``lang="zh"`` writes titles, axis
labels, stage, grade, class and forecast names in Chinese.

Chinese text needs a font with CJK glyphs. The first of :data:`CJK_FONTS` that
matplotlib knows is used (WenQuanYi Micro Hei, from the Debian/Ubuntu package
``fonts-wqy-microhei``, comes first); failing those, any font ``fc-list :lang=zh``
reports. Pass ``font=`` (a family name or the path of a font file) to choose another.
The font is set on the texts a chart draws, inside :func:`matplotlib.rc_context`: the
global ``rcParams`` are never changed.

matplotlib is imported lazily, inside the functions: without it, they raise
:class:`~kamcore.errors.ValidationError` naming ``pip install 'kamcore[plot]'``.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import subprocess
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from kamcore._validate import instance_of, sequence, whole
from kamcore._validate import text as checked_text
from kamcore._vocab import VOCABULARIES
from kamcore.charts._specs import _EVENTS, _OPPORTUNITIES, _QUOTES, _grade_mapping, _records
from kamcore.errors import ValidationError
from kamcore.grading import (
    ABSENT,
    AbcResult,
    Batch,
    GradeLadder,
    GradeMigration,
    measure_concentration,
)
from kamcore.pipeline import Forecast, Opportunity, Playbook
from kamcore.rebate import RebateQuote, Scorecard, TierMode, TierSchedule

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.font_manager import FontProperties

__all__ = [
    "CJK_FONTS",
    "Measures",
    "cjk_font",
    "plot_calendar",
    "plot_forecast",
    "plot_funnel",
    "plot_grades",
    "plot_lorenz",
    "plot_migration",
    "plot_pareto",
    "plot_scorecard",
    "plot_tiers",
]

#: The CJK font families tried, in order, for ``lang="zh"`` (the first installed wins).
#: WenQuanYi Micro Hei is ``apt-get install fonts-wqy-microhei`` on Debian/Ubuntu.
CJK_FONTS: Final = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
#: What :func:`plot_lorenz` draws: account id → measure, ``(id, measure)`` pairs, or the
#: measures alone (``Decimal``, ``int`` or a decimal string, zero or more).
Measures = (
    Mapping[str, Decimal | int | str]
    | Iterable[tuple[str, Decimal | int | str]]
    | Iterable[Decimal | int | str]
)
_LANGS: Final = ("en", "zh")
# One qualitative palette (matplotlib's tab10), so charts look alike in every style.
_COLOURS: Final = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "pareto": "Pareto (ABC): cumulative share by rank",
        "rank": "rank (largest first)",
        "cumulative": "cumulative share of the measure (%)",
        "lorenz": "Lorenz curve",
        "gini": "Gini",
        "population": "cumulative share of accounts (%)",
        "equality": "equality",
        "grades": "Accounts by grade",
        "grade": "grade",
        "accounts": "accounts",
        "migration": "Grade migration",
        "before": "grade before",
        "after": "grade after",
        "funnel": "Open opportunities by stage",
        "stage": "stage",
        "opportunities": "open opportunities",
        "forecast": "Forecast",
        "all_dates": "all dates",
        "category": "category",
        "amount": "amount",
        "cumulative_amount": "cumulative",
        "tiers": "Rebate by tier",
        "basis": "tier basis",
        "rebate": "rebate",
        "quotes": "quotes",
        "near": "near the next tier",
        "scorecard": "Scorecard",
        "points": "points",
        "total": "total",
        "calendar": "Calendar",
        "date": "date",
    },
    "zh": {
        "pareto": "帕累托（ABC）分类：按排名的累计占比",
        "rank": "排名（从大到小）",
        "cumulative": "累计占比（%）",
        "lorenz": "洛伦兹曲线",
        "gini": "基尼系数",
        "population": "客户累计占比（%）",
        "equality": "绝对平均线",
        "grades": "各等级客户数",
        "grade": "等级",
        "accounts": "客户数",
        "migration": "等级迁移矩阵",
        "before": "期初等级",
        "after": "期末等级",
        "funnel": "各阶段在途商机",
        "stage": "阶段",
        "opportunities": "在途商机数",
        "forecast": "销售预测",
        "all_dates": "全部日期",
        "category": "预测类别",
        "amount": "金额",
        "cumulative_amount": "累计",
        "tiers": "分档返点",
        "basis": "返点档位基数",
        "rebate": "返点金额",
        "quotes": "测算",
        "near": "接近下一档",
        "scorecard": "考核表",
        "points": "得分",
        "total": "总分",
        "calendar": "日程",
        "date": "日期",
    },
}


# -- matplotlib and fonts ------------------------------------------------------------------
def _require_matplotlib() -> None:
    """Import matplotlib, or raise a clear error naming the extra to install."""
    try:
        import matplotlib  # noqa: F401, PLC0415 - optional dependency, imported lazily
    except ImportError:
        raise ValidationError(
            field="matplotlib",
            value=None,
            expected="pip install 'kamcore[plot]'",
            problem="matplotlib is not installed",
        ) from None


def _fc_list_zh() -> str | None:
    """The file of the first font ``fc-list :lang=zh`` reports, or ``None``."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())
    return files[0] if files else None


def _family_of_file(path: str) -> str:
    """Register the font file ``path`` with matplotlib and return its family name."""
    from matplotlib import font_manager  # noqa: PLC0415 - optional dependency

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


@functools.cache
def _installed_cjk_font() -> str | None:
    from matplotlib import font_manager  # noqa: PLC0415 - optional dependency

    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FONTS:
        if family in known:
            return family
    path = _fc_list_zh()
    return None if path is None else _family_of_file(path)


def cjk_font(font: str | None = None) -> str | None:
    """The font family ``lang="zh"`` charts use, or ``None`` when none is installed.

    Args:
        font: A family name or the path of a font file (``.ttf``, ``.otf``, ``.ttc``)
            to use instead of the installed CJK font; a file is registered with
            matplotlib's font manager.

    Returns:
        ``font``'s family; else the first of :data:`CJK_FONTS` that matplotlib knows;
        else the family of the first font ``fc-list :lang=zh`` reports; else ``None``.

    Raises:
        ValidationError: matplotlib is not installed, or ``font`` names a file that
            does not exist.
    """
    _require_matplotlib()
    if font is None:
        return _installed_cjk_font()
    font = checked_text(font, "font", expected="a font family name or the path of a font file")
    if Path(font).suffix.lower() in {".ttf", ".otf", ".ttc"}:
        if not Path(font).is_file():
            raise ValidationError(
                field="font", value=font, expected="an existing font file", problem="no such file"
            )
        return _family_of_file(font)
    return font


def _check_lang(lang: str, font: str | None = None) -> dict[str, str]:
    """The texts of ``lang``, after checking ``lang`` and ``font`` (before any drawing)."""
    if font is not None:
        checked_text(font, "font", expected="a font family name or the path of a font file")
    if lang not in _LANGS:
        raise ValidationError(
            field="lang", value=lang, expected="'en' or 'zh'", problem="unknown language"
        )
    return _TEXT[lang]


@contextlib.contextmanager
def _drawing(lang: str, font: str | None) -> Iterator[FontProperties | None]:
    """The context charts draw in: the CJK font for ``"zh"`` (or ``font``), rc untouched.

    Yields the font properties to set on texts (``None``: matplotlib's default font).
    """
    _require_matplotlib()
    import matplotlib as mpl  # noqa: PLC0415 - optional dependency
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    family = cjk_font(font)
    if family is None:
        with mpl.rc_context():
            yield None
        return
    default = list(mpl.rcParams["font.family"])
    # Chinese: the CJK font first, the default for any glyph it lacks; English: the
    # default first, the CJK font for any Chinese in the data (names, labels).
    families = [family, *default] if lang == "zh" or font is not None else [*default, family]
    minus = lang != "zh" and bool(mpl.rcParams["axes.unicode_minus"])  # "−" is not in every font
    with mpl.rc_context({"font.family": families, "axes.unicode_minus": minus}):
        yield FontProperties(family=families)


def _axes(ax: Axes | None, size: tuple[float, float] = (6.4, 4.0)) -> Axes:
    from matplotlib.axes import Axes  # noqa: PLC0415 - optional dependency
    from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency

    if ax is not None:
        return instance_of(ax, Axes, "ax", expected="a matplotlib Axes, or None for a new figure")

    return Figure(figsize=size, layout="constrained").add_subplot()


def _finish(ax: Axes, props: FontProperties | None) -> Axes:
    """Set the chart's font on every text it holds (ticks drawn later copy the first)."""
    if props is not None:
        from matplotlib.text import Text  # noqa: PLC0415 - optional dependency

        for text in ax.findobj(Text):
            size = text.get_fontsize()
            weight = text.get_fontweight()
            text.set_fontproperties(props.copy())
            text.set_fontsize(size)
            text.set_fontweight(weight)
    return ax


def _name(vocab: str, value: str, lang: str, own: Mapping[str, str] | None = None) -> str:
    """``value`` as shown in ``lang``: its own label first, then the vocabulary's."""
    if lang != "zh":
        return value
    if own and own.get(value):
        return own[value]
    return str(VOCABULARIES[vocab].get(value, value))


def _pct(value: Decimal) -> float:
    return float(value * 100)


def _amount(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


# -- grading -----------------------------------------------------------------------------
def plot_pareto(
    result: AbcResult, *, ax: Axes | None = None, lang: str = "en", font: str | None = None
) -> Axes:
    """The Pareto curve of an ABC classification (:func:`kamcore.grading.classify_abc`).

    Each account is a bar at its rank, as high as the cumulative share of the measure
    up to it and coloured by its class; a line joins the bars and a dashed horizontal
    line marks where each class (but the last) ends.

    Args:
        result: The classification.
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"`` (class names such as ``A类``).
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib is not installed.
    """
    instance_of(result, AbcResult, "result")
    text = _check_lang(lang, font)
    with _drawing(lang, font) as props:
        ax = _axes(ax)
        ranks = [a.rank for a in result.assignments]
        shares = [_pct(a.cumulative_share) for a in result.assignments]
        for i, cls in enumerate(result.classes):
            members = [a for a in result.assignments if a.label == cls.label]
            ax.bar(
                [a.rank for a in members],
                [_pct(a.cumulative_share) for a in members],
                color=_COLOURS[i % len(_COLOURS)],
                label=f"{_name('abc', cls.label, lang)} ({cls.count})",
                width=0.8,
            )
        ax.plot([0, *ranks], [0.0, *shares], color="black", linewidth=1.2, marker=".")
        reached = Decimal(0)
        for cls in result.classes[:-1]:
            reached += cls.share
            ax.axhline(_pct(reached), color="grey", linestyle="--", linewidth=0.8)
            ax.annotate(
                f"{_name('abc', cls.label, lang)} {_pct(reached):.0f}%",
                (0, _pct(reached)),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize="small",
                color="grey",
            )
        ax.set_ylim(0, 105)
        ax.set_xlim(0, max(ranks, default=0) + 1)
        ax.set_title(text["pareto"])
        ax.set_xlabel(text["rank"])
        ax.set_ylabel(text["cumulative"])
        ax.legend(loc="lower right")
        return _finish(ax, props)


def _pairs(measures: Measures) -> list[tuple[str, Decimal | int | str]]:
    """``(id, measure)`` pairs of a mapping, of pairs, or of bare measures (ids ``#1``…)."""
    if isinstance(measures, Mapping):
        return list(measures.items())
    expected = "a mapping of account id to measure, (id, measure) pairs, or measures"
    out: list[tuple[str, Decimal | int | str]] = []
    for i, item in enumerate(sequence(measures, "measures", expected=expected), 1):
        out.append(item if isinstance(item, tuple) else (f"#{i}", item))
    return out


def plot_lorenz(
    measures: Measures,
    *,
    ax: Axes | None = None,
    lang: str = "en",
    font: str | None = None,
) -> Axes:
    """The Lorenz curve of a measure (sales by account), the diagonal, the Gini index.

    Args:
        measures: Account id → measure, ``(id, measure)`` pairs, or the measures alone
            (``Decimal``, ``int`` or a decimal string, zero or more); the figures are
            :func:`kamcore.grading.measure_concentration`'s.
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into; the title gives the Gini index (0: everyone equal).

    Raises:
        ValidationError: A negative, non-numeric or float measure, an account given
            twice, an unknown ``lang``, or matplotlib is not installed.
    """
    text = _check_lang(lang, font)
    figures = measure_concentration(_pairs(measures))
    xs = [x for x, _ in figures.lorenz]
    ys = [y for _, y in figures.lorenz]
    with _drawing(lang, font) as props:
        ax = _axes(ax, (4.8, 4.8))
        ax.plot([0, 100], [0, 100], color="grey", linestyle="--", label=text["equality"])
        ax.plot([_pct(x) for x in xs], [_pct(y) for y in ys], color=_COLOURS[0], marker=".")
        ax.fill_between(
            [_pct(x) for x in xs], [_pct(y) for y in ys], [_pct(x) for x in xs], alpha=0.15
        )
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.set_aspect("equal")
        ax.set_title(f"{text['lorenz']} ({text['gini']} {figures.gini:.3f})")
        ax.set_xlabel(text["population"])
        ax.set_ylabel(text["cumulative"])
        ax.legend(loc="upper left")
        return _finish(ax, props)


def _grade_names(ladder: GradeLadder | None) -> dict[str, str]:
    """A ladder's own Chinese grade names: the leading CJK word of each band's label."""
    names: dict[str, str] = {}
    if ladder is not None:
        instance_of(ladder, GradeLadder, "ladder")
    for band in ladder.bands if ladder is not None else ():
        word = band.label.split(" ", 1)[0] if band.label else ""
        if word and all(ord(c) > 0x2E80 for c in word):
            names[band.grade] = word
    return names


def plot_grades(
    grades: Mapping[str, int] | Batch,
    *,
    ladder: GradeLadder | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    font: str | None = None,
) -> Axes:
    """A bar per grade, as high as its count of accounts, in the order given.

    Args:
        grades: Grade → count, or a :class:`~kamcore.grading.Batch` (its accounts are
            counted by grade, in the order the grades first appear).
        ladder: When given, every grade of the ladder gets a bar (best first, empty
            ones too) and, in Chinese, its own name (the band label's first word).
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib is not installed.
    """
    if isinstance(grades, Batch):
        counts: Mapping[str, int] = dict(Counter(g.grade for g in grades.graded))
    else:
        counts = {
            grade: whole(count, f"grades.{grade}", low=0)
            for grade, count in _grade_mapping(grades).items()
        }
    own = _grade_names(ladder)
    text = _check_lang(lang, font)
    if ladder is not None:
        counts = {b.grade: counts.get(b.grade, 0) for b in ladder.bands} | dict(counts)
    labels = [_name("grade", g, lang, own) for g in counts]
    with _drawing(lang, font) as props:
        ax = _axes(ax)
        positions = list(range(len(labels)))
        bars = ax.bar(
            positions,
            list(counts.values()),
            color=[_COLOURS[i % len(_COLOURS)] for i in positions],
        )
        ax.bar_label(bars)
        ax.set_xticks(positions, labels)
        ax.set_title(text["grades"])
        ax.set_xlabel(text["grade"])
        ax.set_ylabel(text["accounts"])
        return _finish(ax, props)


def plot_migration(
    migration: GradeMigration,
    *,
    ladder: GradeLadder | None = None,
    ax: Axes | None = None,
    lang: str = "en",
    font: str | None = None,
) -> Axes:
    """The grade-migration matrix as a heat map with the count in every cell.

    Rows are the grades before (best first, then ``—``: appeared), columns the grades
    after (then ``—``: disappeared); the impossible ``— → —`` cell is left blank.

    Args:
        migration: The matrix (:func:`kamcore.grading.tabulate_migrations`).
        ladder: The ladder, for its own Chinese grade names.
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib is not installed.
    """
    instance_of(migration, GradeMigration, "migration")
    text = _check_lang(lang, font)
    keys: list[str | None] = [*migration.grades, None]
    tally = Counter((m.from_grade, m.to_grade) for m in migration.moves)
    cells = [[tally[a, b] for b in keys] for a in keys]
    own = _grade_names(ladder)
    labels = [ABSENT if k is None else _name("grade", k, lang, own) for k in keys]
    with _drawing(lang, font) as props:
        ax = _axes(ax, (5.2, 4.4))
        ax.imshow(cells, cmap="Blues", aspect="auto")
        peak = max((max(row) for row in cells), default=0)
        for i, row in enumerate(cells):
            for j, n in enumerate(row):
                if keys[i] is None and keys[j] is None:
                    continue
                dark = peak and n > peak / 2
                ax.text(j, i, str(n), ha="center", va="center", color="white" if dark else "black")
        positions = list(range(len(keys)))
        ax.set_xticks(positions, labels)
        ax.set_yticks(positions, labels)
        periods = " → ".join(str(p) for p in (migration.before, migration.after) if p is not None)
        ax.set_title(f"{text['migration']} {periods}".strip())
        ax.set_xlabel(text["after"])
        ax.set_ylabel(text["before"])
        return _finish(ax, props)


# -- pipeline ----------------------------------------------------------------------------
def plot_funnel(
    playbook: Playbook,
    opportunities: Iterable[Opportunity],
    *,
    ax: Axes | None = None,
    lang: str = "en",
    font: str | None = None,
) -> Axes:
    """Open opportunities by stage, in stage order: a bar per stage, count and amount.

    Args:
        playbook: The sales process; its stages give the order and, in Chinese, the names.
        opportunities: The opportunities; closed ones are left out.
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into; each bar is labelled with its count and amounts.

    Raises:
        ValidationError: An opportunity in a stage the playbook does not have, an
            unknown ``lang``, or matplotlib is not installed.
    """
    instance_of(playbook, Playbook, "playbook")
    opps = _records(opportunities, Opportunity, "opportunities", expected=_OPPORTUNITIES)
    text = _check_lang(lang, font)
    stages = playbook.ordered_stages()
    counts = dict.fromkeys((s.key for s in stages), 0)
    amounts: dict[str, dict[str, Decimal]] = {s.key: {} for s in stages}
    for opp in opps:
        if opp.closed_on is not None:
            continue
        playbook.stage(opp.stage)  # an unknown stage is refused
        counts[opp.stage] += 1
        money = amounts[opp.stage]
        money[opp.amount.currency] = money.get(opp.amount.currency, Decimal(0)) + opp.amount.amount
    labels = [(s.zh or s.key) if lang == "zh" else (s.en or s.key) for s in stages]
    with _drawing(lang, font) as props:
        ax = _axes(ax)
        positions = list(range(len(stages)))
        bars = ax.barh(
            positions,
            [counts[s.key] for s in stages],
            color=[_COLOURS[i % len(_COLOURS)] for i in positions],
        )
        notes = [
            f"{counts[s.key]} · "
            + (", ".join(f"{_amount(v)} {c}" for c, v in sorted(amounts[s.key].items())) or "0")
            for s in stages
        ]
        ax.bar_label(bars, notes, padding=3)
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()  # the first stage on top, like a funnel
        ax.margins(x=0.3)
        ax.set_title(text["funnel"])
        ax.set_xlabel(text["opportunities"])
        ax.set_ylabel(text["stage"])
        return _finish(ax, props)


def plot_forecast(
    forecast: Forecast, *, ax: Axes | None = None, lang: str = "en", font: str | None = None
) -> Axes:
    """A forecast's categories: a bar of each one's own amount and its cumulative roll-up.

    Args:
        forecast: The forecast (:func:`kamcore.pipeline.forecast`), least certain first.
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"`` (categories such as 最佳情况).
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib is not installed.
    """
    instance_of(forecast, Forecast, "forecast")
    text = _check_lang(lang, font)
    rows = forecast.rows
    labels = [_name("forecast", r.category.value, lang) for r in rows]
    currency = rows[0].amount.currency if rows else forecast.omitted.currency
    with _drawing(lang, font) as props:
        ax = _axes(ax)
        positions = list(range(len(rows)))
        width = 0.4
        own = ax.bar(
            [p - width / 2 for p in positions],
            [float(r.amount.amount) for r in rows],
            width,
            label=text["amount"],
            color=_COLOURS[0],
        )
        rolled = ax.bar(
            [p + width / 2 for p in positions],
            [float(r.cumulative.amount) for r in rows],
            width,
            label=text["cumulative_amount"],
            color=_COLOURS[1],
        )
        ax.bar_label(own, [str(r.count) for r in rows])
        ax.bar_label(rolled, [_amount(r.cumulative.amount) for r in rows], fontsize="small")
        ax.set_xticks(positions, labels)
        period = forecast.period if forecast.period != "*" else text["all_dates"]
        ax.set_title(f"{text['forecast']} ({period})")
        ax.set_xlabel(text["category"])
        ax.set_ylabel(f"{text['amount']} ({currency})")
        ax.legend()
        return _finish(ax, props)


# -- rebate ------------------------------------------------------------------------------
def _segments(
    schedule: TierSchedule, top: Decimal
) -> list[tuple[Decimal, Decimal, Decimal, Decimal]]:
    """Each tier's rebate line (basis = base) as (lower, upper, rebate at lower, at upper)."""
    out = []
    carried = Decimal(0)  # graduated: the rebate of every tier below
    for tier in schedule.tiers:
        lower, upper = tier.lower, tier.upper if tier.upper is not None else top
        upper = max(upper, lower)
        rate = tier.rate.value
        if schedule.mode is TierMode.WHOLE_AMOUNT:
            out.append((lower, upper, lower * rate, upper * rate))
        else:
            out.append((lower, upper, carried, carried + (upper - lower) * rate))
            carried += (upper - lower) * rate
    return out


def plot_tiers(
    schedule: TierSchedule,
    quotes: Sequence[RebateQuote] = (),
    *,
    ax: Axes | None = None,
    lang: str = "en",
    font: str | None = None,
) -> Axes:
    """A rebate schedule: the rebate as a function of the basis, tier by tier.

    Each tier's rebate (with the base equal to the basis) is a line labelled with the
    tier's rate; whole-amount schedules jump at each breakpoint, graduated ones bend.
    Breakpoints are dotted vertical lines. ``quotes`` are drawn as points at (basis,
    rebate), those :attr:`~kamcore.rebate.RebateQuote.near_next_tier` highlighted.

    Args:
        schedule: The tier schedule.
        quotes: Quotes of the schedule to mark.
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into; the basis runs from 0 to past the last breakpoint and
        every quote.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib is not installed.
    """
    instance_of(schedule, TierSchedule, "schedule")
    quotes = _records(quotes, RebateQuote, "quotes", expected=_QUOTES)
    text = _check_lang(lang, font)
    bps = schedule.breakpoints
    # the tiers are the picture: the axis ends at twice the last breakpoint, and quotes
    # beyond it are counted in the legend rather than squeezing the tiers into a corner
    top = bps[-1] * 2 if bps else max((q.basis.amount for q in quotes), default=Decimal(100))
    top = top or Decimal(100)
    beyond = sum(1 for q in quotes if q.basis.amount > top)
    quotes = tuple(q for q in quotes if q.basis.amount <= top)
    with _drawing(lang, font) as props:
        ax = _axes(ax)
        for i, (lower, upper, start, end) in enumerate(_segments(schedule, top)):
            tier = schedule.tiers[i]
            colour = _COLOURS[i % len(_COLOURS)]
            ax.plot(
                [float(lower), float(upper)],
                [float(start), float(end)],
                color=colour,
                linewidth=2,
                label=f"{tier.name}: {tier.rate}",
            )
        for bp in bps:
            ax.axvline(float(bp), color="grey", linestyle=":", linewidth=1)
        near = [q for q in quotes if q.near_next_tier]
        far = [q for q in quotes if not q.near_next_tier]
        if far:
            ax.scatter(
                [float(q.basis.amount) for q in far],
                [float(q.rebate.amount) for q in far],
                color="black",
                zorder=3,
                label=text["quotes"],
            )
        if near:
            ax.scatter(
                [float(q.basis.amount) for q in near],
                [float(q.rebate.amount) for q in near],
                color="#d62728",
                marker="*",
                s=120,
                zorder=4,
                label=text["near"],
            )
        ax.set_xlim(0, float(top))
        ax.set_ylim(bottom=0)
        ax.set_title(text["tiers"])
        if beyond:
            more = f"+{beyond} 个超出 {top:,}" if lang == "zh" else f"+{beyond} beyond {top:,}"
            ax.annotate(
                more, xy=(1, 0), xycoords="axes fraction", ha="right", va="bottom",
                fontsize="small", color="grey",
            )  # fmt: skip
        basis = text["basis"] if lang == "zh" else schedule.basis_label
        ax.set_xlabel(f"{basis} ({schedule.currency})")
        ax.set_ylabel(f"{text['rebate']} ({schedule.currency})")
        ax.legend(loc="upper left", fontsize="small")
        return _finish(ax, props)


def plot_scorecard(
    scorecard: Scorecard, *, ax: Axes | None = None, lang: str = "en", font: str | None = None
) -> Axes:
    """A scorecard's explanation: every line of every component as a horizontal bar.

    Bars are coloured by component (deductions point left); the title gives the total.

    Args:
        scorecard: The salesperson's scorecard (:func:`kamcore.rebate.score_salesperson`).
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into.

    Raises:
        ValidationError: An unknown ``lang``, or matplotlib is not installed.
    """
    instance_of(scorecard, Scorecard, "scorecard")
    text = _check_lang(lang, font)
    rows = [(i, c.component, line) for i, c in enumerate(scorecard.components) for line in c.lines]
    height = max(2.4, 0.35 * len(rows) + 1.2)
    with _drawing(lang, font) as props:
        ax = _axes(ax, (7.2, height))
        positions = list(range(len(rows)))
        bars = ax.barh(
            positions,
            [float(line.points) for _, _, line in rows],
            color=[_COLOURS[i % len(_COLOURS)] for i, _, _ in rows],
        )
        ax.bar_label(bars, [f"{line.points:+}" for _, _, line in rows], padding=2)
        # item texts run long ("standard score for 100% of plan; target 115,960,000"):
        # wrapped, they leave the bars room
        ax.set_yticks(
            positions,
            [textwrap.fill(f"{component}: {line.item}", 32) for _, component, line in rows],
        )
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.margins(x=0.15)
        # two lines, from the left edge: long item labels push the axes right, and a
        # centred one-line title would run off the figure
        ax.set_title(
            f"{text['scorecard']} {scorecard.salesperson}\n{scorecard.period}\n"
            f"{text['total']} {scorecard.total}",
            loc="left",
        )
        ax.set_xlabel(text["points"])
        return _finish(ax, props)


# -- calendar ----------------------------------------------------------------------------
def plot_calendar(
    events: Iterable[tuple[str, date]],
    *,
    ax: Axes | None = None,
    lang: str = "en",
    font: str | None = None,
) -> Axes:
    """Dated events on a time axis: a marker per event, its label beside it.

    Args:
        events: ``(label, date)`` pairs, in any order (drawn in date order).
        ax: The Axes to draw into; a new figure's when ``None``.
        lang: ``"en"`` or ``"zh"``.
        font: A font family or file for the texts (see :func:`cjk_font`).

    Returns:
        The Axes drawn into.

    Raises:
        ValidationError: An event that is not a (label, date) pair, an unknown
            ``lang``, or matplotlib is not installed.
    """
    text = _check_lang(lang, font)
    pairs: list[tuple[str, date]] = []
    for i, event in enumerate(sequence(events, "events", expected=_EVENTS)):
        label, day = _event(i, event)
        pairs.append((label, day))
    pairs.sort(key=lambda p: p[1])
    with _drawing(lang, font) as props:
        import matplotlib.dates as mdates  # noqa: PLC0415 - optional dependency

        ax = _axes(ax, (7.2, 3.0))
        levels = [(i % 3) + 1 for i in range(len(pairs))]
        days: list[Any] = [d for _, d in pairs]
        ax.vlines(days, 0, levels, color="grey", linewidth=0.8)
        ax.scatter(days, [0] * len(days), color=_COLOURS[0], zorder=3)
        for (label, _), day, level in zip(pairs, days, levels, strict=True):
            ax.annotate(label, (day, level), xytext=(3, 0), textcoords="offset points")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylim(-0.5, 4)
        ax.yaxis.set_visible(False)
        locator = ax.xaxis.get_major_locator()
        formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_formatter(formatter)
        ax.margins(x=0.1)
        ax.set_title(text["calendar"])
        ax.set_xlabel(text["date"])
        return _finish(ax, props)


def _event(i: int, event: object) -> tuple[str, date]:
    if (
        isinstance(event, tuple | list)
        and len(event) == 2
        and isinstance(event[0], str)
        and isinstance(event[1], date)
    ):
        return event[0], event[1]
    raise ValidationError(
        field=f"events[{i}]", value=event, expected="a (label, date) pair", problem="not an event"
    )
