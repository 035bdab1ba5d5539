"""Analytics over many opportunities: pipeline, forecast, staleness, conversion, calibration."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from kamcore import _validate
from kamcore._convert import enum_of
from kamcore._display import html_table
from kamcore._frames import frame
from kamcore.calendar import Period, PeriodKind
from kamcore.errors import ValidationError
from kamcore.money import Money, Rate, Rounding
from kamcore.pipeline import _inputs
from kamcore.pipeline._events import EventKind
from kamcore.pipeline._opportunity import Opportunity
from kamcore.pipeline._policy import ForecastCategory, Playbook

if TYPE_CHECKING:
    import pandas as pd

#: Rates and scores are rounded to this many decimal places, HALF_UP (四舍五入).
RATE_PLACES: Final = 4
UNSCHEDULED: Final = "unscheduled"
ALL: Final = "*"
_GROUPS: Final = frozenset({"owner", "period"})
_FORECAST_COLUMNS: Final = ("category", "count", "amount", "cumulative")


def _rate(numerator: int, denominator: int) -> Rate | None:
    if denominator == 0:
        return None
    return Rate(Rounding.HALF_UP.apply(Decimal(numerator) / Decimal(denominator), RATE_PLACES))


def _won(playbook: Playbook, opp: Opportunity) -> bool:
    return opp.closed_on is not None and playbook.outcome(opp.stage).won


# -- weighted pipeline ------------------------------------------------------------------


@attrs.frozen
class WeightedRow:
    """One group of open opportunities in the weighted pipeline.

    Args:
        owner: The owner, or ``"*"`` when not grouped by owner.
        period: The expected-close period label, ``"unscheduled"``, or ``"*"``.
        count: How many opportunities.
        amount: Their total amount.
        weighted: Σ amount × stage probability, rounded HALF_UP to the minor unit.
    """

    owner: str
    period: str
    count: int
    amount: Money
    weighted: Money


def weighted_pipeline(
    playbook: Playbook,
    opportunities: Iterable[Opportunity],
    *,
    by: tuple[str, ...] = ("owner", "period"),
    period: PeriodKind = PeriodKind.MONTH,
    currency: str = "CNY",
) -> tuple[WeightedRow, ...]:
    """Weighted pipeline (Σ amount × win probability) of open opportunities, grouped.

    Each open opportunity counts at its stage's default probability. The weighted sum
    of a group is exact until it is rounded once, HALF_UP, to the currency's minor unit.

    Args:
        playbook: Gives each stage's probability.
        opportunities: Any opportunities; closed ones are skipped.
        by: Group by ``"owner"``, ``"period"`` (of the expected close date), both, or
            neither (one total row); a single string is one grouping.
        period: The period kind for grouping by period (month by default).
        currency: The currency of the totals.

    Returns:
        One row per group, sorted by period then owner.

    Raises:
        ValidationError: An unknown grouping or period kind, amounts in another
            currency, or a playbook or opportunity that is not one (naming
            ``opportunities[i]``).
    """
    playbook = _inputs.playbook(playbook)
    groupings: object = by
    if isinstance(groupings, str):
        groupings = (groupings,)
    by = _validate.sequence(groupings, "by", expected="'owner' and/or 'period'")
    for i, key in enumerate(by):
        if type(key) is not str or key not in _GROUPS:
            raise ValidationError(field=f"by[{i}]", value=key, expected="'owner' and/or 'period'")
    period = enum_of(period, PeriodKind, "period")
    Money.zero(currency)  # an unknown currency is refused before anything is summed
    groups: dict[tuple[str, str], list[Opportunity]] = {}
    for opp in _inputs.opportunities(opportunities):
        if opp.closed_on is not None:
            continue
        owner = opp.owner if "owner" in by else ALL
        if "period" not in by:
            label = ALL
        elif opp.expected_close is None:
            label = UNSCHEDULED
        else:
            label = Period.containing(opp.expected_close, period).label
        groups.setdefault((label, owner), []).append(opp)
    rows = []
    for (label, owner), opps in sorted(groups.items()):
        amount = Money.zero(currency)
        weighted = Money.zero(currency)
        for opp in opps:
            amount += opp.amount
            weighted += opp.amount * playbook.stage(opp.stage).probability
        rows.append(WeightedRow(owner, label, len(opps), amount, weighted.round()))
    return tuple(rows)


# -- forecast categories ----------------------------------------------------------------

_ROLL_UP: Final = (
    ForecastCategory.CLOSED,
    ForecastCategory.COMMIT,
    ForecastCategory.BEST_CASE,
    ForecastCategory.PIPELINE,
)


@attrs.frozen
class ForecastRow:
    """One forecast category: its own total and the cumulative roll-up.

    Args:
        category: The category.
        count: Opportunities in exactly this category.
        amount: Their total amount.
        cumulative: This category plus every more certain one (commit = commit + closed).
    """

    category: ForecastCategory
    count: int
    amount: Money
    cumulative: Money


@attrs.frozen
class Forecast:
    """A forecast for one period, by category, with cumulative roll-ups.

    Args:
        period: The period label, or ``"*"`` for all time.
        rows: Pipeline, best case, commit and closed, least certain first.
        omitted: Total amount of lost/closed-out business in the period (counts nowhere).
        omitted_count: How many opportunities that is.
    """

    period: str
    rows: tuple[ForecastRow, ...]
    omitted: Money
    omitted_count: int = 0

    def _repr_html_(self) -> str:
        """The forecast as an HTML table, for notebooks."""
        return html_table(self.records(), title=f"Forecast {self.period}")

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> dict[str, object]:
        """The forecast chart (Vega-Lite) and the HTML table, for notebooks."""
        from kamcore.charts import forecast_chart, mimebundle  # noqa: PLC0415 - charts sit above

        spec = forecast_chart(self)
        return mimebundle(spec, html=self._repr_html_(), include=include, exclude=exclude)

    def records(self) -> list[dict[str, object]]:
        """The rows as plain values: one dict per category, least certain first.

        Keys: ``category`` (the category's value, such as ``"best_case"``), ``count``,
        ``amount`` and ``cumulative`` (the ``Decimal`` amounts of the money; the
        currency is the forecast's). A last ``omitted`` record counts the lost and
        closed-out business, which rolls up nowhere (its ``cumulative`` is ``None``),
        as ``kamcore forecast`` shows it.

        Returns:
            One dict per row of :attr:`rows`, in order, then the omitted record.
        """
        out: list[dict[str, object]] = [
            {
                "category": r.category.value,
                "count": r.count,
                "amount": r.amount.amount,
                "cumulative": r.cumulative.amount,
            }
            for r in self.rows
        ]
        out.append(
            {
                "category": ForecastCategory.OMITTED.value,
                "count": self.omitted_count,
                "amount": self.omitted.amount,
                "cumulative": None,
            }
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """:meth:`records` as a pandas DataFrame (needs the ``frames`` extra).

        Returns:
            Columns ``category``, ``count``, ``amount``, ``cumulative``; the amounts
            stay exact ``Decimal`` values.

        Raises:
            ValidationError: pandas is not installed.
        """
        return frame(self.records(), _FORECAST_COLUMNS)

    def row(self, category: ForecastCategory) -> ForecastRow:
        """The row of ``category`` (``OMITTED`` is not a row; see ``omitted``)."""
        for r in self.rows:
            if r.category is category:
                return r
        raise ValidationError(
            field="category", value=category.value, expected="a category with a row"
        )


def _category(playbook: Playbook, opp: Opportunity) -> ForecastCategory:
    if opp.closed_on is not None:
        return ForecastCategory.CLOSED if _won(playbook, opp) else ForecastCategory.OMITTED
    return playbook.stage(opp.stage).forecast


def forecast(
    playbook: Playbook,
    opportunities: Iterable[Opportunity],
    *,
    period: Period | str | None = None,
    currency: str = "CNY",
) -> Forecast:
    """Forecast by category, with cumulative roll-ups (pipeline ⊇ best case ⊇ commit ⊇ closed).

    Open opportunities count in their stage's category when their expected close date
    falls in ``period``; closed ones count when they closed in ``period`` (won ones as
    *closed*, the rest as omitted). With ``period=None`` everything counts.

    Args:
        playbook: Gives each stage's forecast category.
        opportunities: Any opportunities.
        period: The forecast period (or its label, such as ``"2026-Q2"``), or ``None``
            for all time.
        currency: The currency of the totals.

    Returns:
        The forecast; ``rows`` run pipeline, best case, commit, closed.

    Raises:
        ValidationError: A period label that can't be parsed, mixed currencies, or a
            playbook or opportunity that is not one (naming ``opportunities[i]``).
    """
    playbook = _inputs.playbook(playbook)
    if isinstance(period, str):
        period = Period.parse(period)
    elif period is not None and not isinstance(period, Period):
        raise ValidationError(
            field="period",
            value=period,
            expected="a Period, a period label such as '2026-Q2', or None",
            problem=f"a {type(period).__name__}",
        )
    totals = {c: Money.zero(currency) for c in ForecastCategory}
    counts = dict.fromkeys(ForecastCategory, 0)
    for opp in _inputs.opportunities(opportunities):
        day = opp.closed_on if opp.closed_on is not None else opp.expected_close
        if period is not None and (day is None or day not in period):
            continue
        cat = _category(playbook, opp)
        totals[cat] += opp.amount
        counts[cat] += 1
    rows = []
    running = Money.zero(currency)
    for cat in _ROLL_UP:
        running += totals[cat]
        rows.append(ForecastRow(cat, counts[cat], totals[cat], running))
    return Forecast(
        ALL if period is None else period.label,
        tuple(reversed(rows)),
        totals[ForecastCategory.OMITTED],
        counts[ForecastCategory.OMITTED],
    )


# -- time in stage ----------------------------------------------------------------------


def days_in_stage(opp: Opportunity, as_of: date | str) -> int:
    """Whole days the opportunity has been in its current stage as of ``as_of``.

    Raises:
        ValidationError: ``as_of`` is before the day it entered the stage.
    """
    opp = _inputs.opportunity(opp)
    days = (_validate.day(as_of, "as_of") - opp.stage_entered_on).days
    if days < 0:
        raise ValidationError(
            field="as_of",
            value=as_of,
            expected=f"{opp.stage_entered_on.isoformat()} or later",
            problem="before the opportunity entered its stage",
        )
    return days


@attrs.frozen
class StaleOpportunity:
    """An open opportunity that has stayed in a stage longer than the stage allows.

    Args:
        opportunity: The opportunity id.
        owner: Its owner.
        stage: The stage it is stuck in.
        days: Days in the stage as of the report date.
        limit: The stage's ``max_days``.
        over: Days over the limit.
    """

    opportunity: str
    owner: str
    stage: str
    days: int
    limit: int
    over: int


def find_stale(
    playbook: Playbook, opportunities: Iterable[Opportunity], *, as_of: date | str
) -> tuple[StaleOpportunity, ...]:
    """Open opportunities past their stage's ``max_days`` as of a date, most overdue first.

    Args:
        playbook: Gives each stage's limit.
        opportunities: Any opportunities; closed ones and stages without a limit are skipped.
        as_of: The report date.

    Returns:
        The stale opportunities, sorted by days over (descending), then id.

    Raises:
        ValidationError: A bad ``as_of``, or a playbook or opportunity that is not one.
    """
    playbook = _inputs.playbook(playbook)
    day = _validate.day(as_of, "as_of")
    found = []
    for opp in _inputs.opportunities(opportunities):
        if opp.closed_on is not None:
            continue
        limit = playbook.stage(opp.stage).max_days
        if limit is None:
            continue
        days = days_in_stage(opp, day)
        if days > limit:
            found.append(StaleOpportunity(opp.id, opp.owner, opp.stage, days, limit, days - limit))
    return tuple(sorted(found, key=lambda s: (-s.over, s.opportunity)))


# -- conversion, win rate and calibration -----------------------------------------------


def _entered(opp: Opportunity, playbook: Playbook | None = None, where: str = "") -> list[str]:
    """The open stages an opportunity entered, each once, in the order first entered.

    With a ``playbook``, a stage it does not have is refused, naming ``where``.
    """
    seen: list[str] = []
    for e in opp.history:
        if (
            e.kind in (EventKind.OPENED, EventKind.ADVANCED, EventKind.REOPENED)
            and e.target not in seen
        ):
            if playbook is not None and not playbook.is_stage(e.target):
                raise ValidationError(
                    field=where,
                    value=e.target,
                    expected=f"an opportunity of the playbook {playbook.name!r}",
                    problem=f"{opp.id} entered a stage the playbook does not have",
                )
            seen.append(e.target)
    return seen


@attrs.frozen
class StageConversion:
    """Conversion and empirical win rate of one stage, from closed history.

    Args:
        stage: The stage key.
        entered: Closed opportunities that entered the stage.
        progressed: Of those, how many went on to a later stage or were won.
        won: Of those, how many were won.
        conversion: ``progressed / entered`` (``None`` when none entered).
        win_rate: ``won / entered`` (``None`` when none entered).
    """

    stage: str
    entered: int
    progressed: int
    won: int
    conversion: Rate | None
    win_rate: Rate | None


def conversion(
    playbook: Playbook, opportunities: Iterable[Opportunity]
) -> tuple[StageConversion, ...]:
    """Stage-to-stage conversion and empirical win rate by stage, from closed opportunities.

    Only closed opportunities count, so every one has a known ending. Rates are rounded
    HALF_UP to four places.

    Args:
        playbook: Gives the stages and their order.
        opportunities: Any opportunities; open ones are skipped.

    Returns:
        One row per open stage, in stage order.

    Raises:
        ValidationError: A playbook or opportunity that is not one, or an
            opportunity of another playbook (naming ``opportunities[i]``).
    """
    playbook = _inputs.playbook(playbook)
    order = {s.key: s.order for s in playbook.stages}
    entered = dict.fromkeys(order, 0)
    progressed = dict.fromkeys(order, 0)
    won = dict.fromkeys(order, 0)
    for i, opp in enumerate(_inputs.opportunities(opportunities)):
        if opp.closed_on is None:
            continue
        is_won = _won(playbook, opp)
        stages = _entered(opp, playbook, f"opportunities[{i}]")
        furthest = max(order[s] for s in stages)
        for s in stages:
            entered[s] += 1
            if is_won or order[s] < furthest:
                progressed[s] += 1
            if is_won:
                won[s] += 1
    return tuple(
        StageConversion(
            s.key,
            entered[s.key],
            progressed[s.key],
            won[s.key],
            _rate(progressed[s.key], entered[s.key]),
            _rate(won[s.key], entered[s.key]),
        )
        for s in playbook.ordered_stages()
    )


@attrs.frozen
class CalibrationRow:
    """How well one stage's probability matched what happened.

    Args:
        stage: The stage key.
        predicted: The playbook's probability.
        observed: The share of closed opportunities that entered the stage and were won.
        count: How many closed opportunities entered the stage.
        brier: The mean squared error of the prediction at this stage (4 places).
    """

    stage: str
    predicted: Rate
    observed: Rate | None
    count: int
    brier: Decimal | None


@attrs.frozen
class Calibration:
    """A calibration report of a playbook's probabilities against observed outcomes.

    Args:
        rows: One row per stage, in stage order.
        count: The number of (opportunity, stage) predictions scored.
        brier: The overall Brier score: mean of (probability − outcome)², 0 is perfect,
            rounded HALF_UP to four places; ``None`` without closed history.
    """

    rows: tuple[CalibrationRow, ...]
    count: int
    brier: Decimal | None


def calibrate(playbook: Playbook, opportunities: Iterable[Opportunity]) -> Calibration:
    """Compare the playbook's stage probabilities with observed outcomes (Brier score).

    Every closed opportunity contributes one prediction per stage it entered: the
    stage's probability against 1 (won) or 0 (any other outcome).

    Args:
        playbook: The probabilities under test.
        opportunities: Any opportunities; open ones are skipped.

    Returns:
        The report, per stage and overall.

    Raises:
        ValidationError: A playbook or opportunity that is not one, or an
            opportunity of another playbook (naming ``opportunities[i]``).
    """
    playbook = _inputs.playbook(playbook)
    wins = dict.fromkeys((s.key for s in playbook.stages), 0)
    counts = dict.fromkeys(wins, 0)
    sq = {k: Decimal(0) for k in wins}
    for i, opp in enumerate(_inputs.opportunities(opportunities)):
        if opp.closed_on is None:
            continue
        outcome = Decimal(1) if _won(playbook, opp) else Decimal(0)
        for s in _entered(opp, playbook, f"opportunities[{i}]"):
            p = playbook.stage(s).probability.value
            counts[s] += 1
            wins[s] += int(outcome)
            sq[s] += (p - outcome) ** 2
    rows = []
    for stage in playbook.ordered_stages():
        n = counts[stage.key]
        brier = None if n == 0 else Rounding.HALF_UP.apply(sq[stage.key] / n, RATE_PLACES)
        rows.append(
            CalibrationRow(stage.key, stage.probability, _rate(wins[stage.key], n), n, brier)
        )
    total = sum(counts.values())
    overall = (
        None
        if total == 0
        else Rounding.HALF_UP.apply(sum(sq.values(), Decimal(0)) / total, RATE_PLACES)
    )
    return Calibration(tuple(rows), total, overall)


# -- sales velocity ---------------------------------------------------------------------


@attrs.frozen
class Velocity:
    """Sales velocity: expected revenue per day from the open pipeline.

    ``per_day = open_count × average_amount × win_rate ÷ cycle_days``, computed from
    the exact win rate and cycle (not the rounded ones shown here) and rounded HALF_UP
    to the minor unit once.

    Args:
        open_count: Open opportunities.
        average_amount: Their mean amount (exact).
        win_rate: Won ÷ closed, from history (4 places).
        cycle_days: Mean days from opening to winning, of won opportunities (2 places,
            at least 1).
        per_day: Expected revenue per day.
    """

    open_count: int
    average_amount: Money
    win_rate: Rate
    cycle_days: Decimal
    per_day: Money


_ONE_DAY: Final = Decimal("1.00")


def measure_velocity(
    playbook: Playbook, opportunities: Iterable[Opportunity], *, currency: str = "CNY"
) -> Velocity:
    """Sales velocity of the pipeline (销售速度).

    Args:
        playbook: Tells which outcomes are won.
        opportunities: Open ones make the pipeline; closed ones give the win rate
            and the cycle length.
        currency: The currency of the result.

    Returns:
        The velocity; ``per_day`` is zero when nothing has been won yet.

    Raises:
        ValidationError: An unknown currency, or a playbook or opportunity that is
            not one (naming ``opportunities[i]``).
    """
    playbook = _inputs.playbook(playbook)
    open_total = Money.zero(currency)
    open_count = closed = won = cycle = 0
    for opp in _inputs.opportunities(opportunities):
        if opp.closed_on is None:
            open_count += 1
            open_total += opp.amount
        else:
            closed += 1
            if _won(playbook, opp):
                won += 1
                cycle += (opp.closed_on - opp.opened_on).days
    average = open_total / open_count if open_count else Money.zero(currency)
    win_rate = _rate(won, closed) or Rate(0)
    # The rate and the cycle are shown rounded; per_day is computed from the exact
    # figures and rounded once (open total x won / closed / cycle days).
    days = max(_ONE_DAY, Rounding.HALF_UP.apply(Decimal(cycle) / won, 2)) if won else Decimal(0)
    if won == 0 or open_count == 0:
        per_day = Money.zero(currency)
    else:
        # open total × (won ÷ closed) ÷ (cycle ÷ won), in one division (the mean cycle
        # is at least one day)
        numerator, denominator = (won * won, closed * cycle) if cycle >= won else (won, closed)
        per_day = (open_total * numerator / denominator).round()
    return Velocity(open_count, average, win_rate, days, per_day)


# -- buyer process alignment ------------------------------------------------------------


class AlignmentStatus(enum.Enum):
    """How our stage compares with the customer's procurement step."""

    ALIGNED = "aligned"
    BEHIND = "behind"
    """The customer is further along than our stage expects (we are late)."""
    AHEAD = "ahead"
    """Our stage is further along than the customer (we are pushing too early)."""
    UNKNOWN = "unknown"
    """No buyer step recorded, no mapping for the stage, or the opportunity is closed."""


@attrs.frozen
class Alignment:
    """Our stage beside the customer's procurement step.

    Args:
        opportunity: The opportunity id.
        stage: Our stage.
        buyer_step: The customer's step (``""``: not recorded).
        status: Aligned, behind, ahead or unknown.
        expected: The buyer steps the playbook maps to our stage.
        message: One line for a report.
    """

    opportunity: str
    stage: str
    buyer_step: str
    status: AlignmentStatus
    expected: tuple[str, ...]
    message: str


def assess_alignment(playbook: Playbook, opp: Opportunity) -> Alignment:
    """Compare an opportunity's stage with the customer's recorded procurement step.

    Args:
        playbook: Maps each stage to the buyer steps that fit it.
        opp: The opportunity.

    Returns:
        The alignment; ``BEHIND`` when the customer is already past the steps our
        stage expects (we are in proposal while they are at tender).

    Raises:
        ValidationError: A playbook or opportunity that is not one.
    """
    playbook = _inputs.playbook(playbook)
    opp = _inputs.opportunity(opp)
    if opp.closed_on is not None or not opp.buyer_step:
        return Alignment(opp.id, opp.stage, opp.buyer_step, AlignmentStatus.UNKNOWN, (), "")
    stage = playbook.stage(opp.stage)
    expected = stage.buyer_steps
    if not expected:
        return Alignment(opp.id, opp.stage, opp.buyer_step, AlignmentStatus.UNKNOWN, (), "")
    orders = [playbook.buyer_step(b).order for b in expected]
    step = playbook.buyer_step(opp.buyer_step)
    if step.order > max(orders):
        status = AlignmentStatus.BEHIND
        message = f"{opp.id}: we are in {stage.key!r} while the customer is already at {step.key!r}"
    elif step.order < min(orders):
        status = AlignmentStatus.AHEAD
        message = f"{opp.id}: we are in {stage.key!r} while the customer is only at {step.key!r}"
    else:
        status = AlignmentStatus.ALIGNED
        message = f"{opp.id}: {stage.key!r} matches the customer's {step.key!r}"
    return Alignment(opp.id, opp.stage, opp.buyer_step, status, expected, message)


def misalignments(
    playbook: Playbook, opportunities: Iterable[Opportunity]
) -> tuple[Alignment, ...]:
    """The opportunities whose stage does not match the customer's step (behind or ahead)."""
    playbook = _inputs.playbook(playbook)
    out = []
    for opp in _inputs.opportunities(opportunities):
        a = assess_alignment(playbook, opp)
        if a.status in (AlignmentStatus.BEHIND, AlignmentStatus.AHEAD):
            out.append(a)
    return tuple(out)
