"""Pareto / ABC classification (二八法则, ABC 分类) of a population."""

from __future__ import annotations

import decimal
import enum
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate, compress, islice
from operator import eq, ge, itemgetter
from typing import TYPE_CHECKING, Final

import attrs

from kamcore._bands import BoundaryOwner, band_finder
from kamcore._convert import enum_field, tuple_field
from kamcore._fastnew import maker
from kamcore._frames import frame
from kamcore.errors import PolicyError, ValidationError
from kamcore.money import Rounding, as_decimal

if TYPE_CHECKING:
    import pandas as pd

    from kamcore.grading._concentration import Concentration

__all__ = [
    "SHARE_PLACES",
    "AbcAssignment",
    "AbcBreak",
    "AbcClass",
    "AbcCrossing",
    "AbcMethod",
    "AbcPolicy",
    "AbcReading",
    "AbcResult",
    "classify_abc",
]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
#: Shares are rounded HALF_UP to this many places, so that sums of shares are exact.
SHARE_PLACES: Final = 12
_SHARE_EXP: Final = Decimal(1).scaleb(-SHARE_PLACES)
_SHARE_CONTEXT: Final = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP)
#: The columns of :meth:`AbcResult.records`, per view.
_VIEWS: Final[dict[str, tuple[str, ...]]] = {
    "accounts": ("account_id", "measure", "rank", "cumulative_share", "class"),
    "classes": ("class", "count", "count_share", "measure", "share"),
}


class AbcMethod(enum.Enum):
    """How classes are cut.

    * ``SHARE`` — by cumulative share of the measure: the largest accounts that
      together make up the first breakpoint's share are class one, and so on
      ("the customers that cover 80% of sales"). Which class the account that
      crosses a breakpoint belongs to is the policy's :class:`AbcCrossing`.
    * ``COUNT`` — by count: the first ``upto × n`` accounts (rounded with the policy's
      rounding, CEILING by default) are class one ("the top 20% of customers").
    """

    SHARE = "share"
    COUNT = "count"


class AbcReading(enum.Enum):
    """What a share breakpoint's ``upto`` means (``SHARE`` method only).

    "A = the largest customers who together make up ≥50% of the volume, B = the next
    ≥20%, C = the next ≥10%" (rules §1.2, a water utility's rule) reads two ways:

    * ``CUMULATIVE`` (the default) — ``upto`` is a cumulative breakpoint: class one is
      the largest accounts up to ``upto`` of the total, class two continues up to its
      own ``upto`` (50% / 70% / 80%), and so on. For shares {60, 25, 15} that is A, B, D.
    * ``GROUP_SHARE`` — ``upto`` is the class's *own* target share (A 0.50, B 0.20,
      C 0.10): each class takes the next-largest accounts until the measure it holds
      reaches its target, and the last class takes the rest (its ``upto`` is 1, as in
      the cumulative reading). For shares {60, 25, 15} that is A, B, C.

    In both readings the policy's :class:`AbcCrossing` says whether the account that
    carries a class past its breakpoint (or target) belongs to it.
    """

    CUMULATIVE = "cumulative"
    GROUP_SHARE = "group_share"


class AbcCrossing(enum.Enum):
    """Where the account that crosses a share breakpoint goes (``SHARE`` method only).

    "A = the largest customers that together make up 50% of the volume" (rules §1.2)
    does not say whether the customer that carries the running total past 50% is in A.

    * ``JOINS`` (the default) — it joins the class it completes: an account belongs to
      the first class whose breakpoint the cumulative share *before* it has not yet
      reached, so the class reaches at least its breakpoint.
    * ``NEXT`` — the strict reading: an account belongs to a class only when the
      cumulative share *including* it is within the breakpoint; the crossing account
      goes to the next class, so the class stays within its breakpoint (and is empty
      when the largest account alone exceeds it).

    By count, the policy's ``rounding`` decides the same question (``CEILING``: the
    crossing account joins; ``FLOOR``: it goes to the next class).

    Under :attr:`AbcReading.GROUP_SHARE` the same two rules apply to a class's own
    share: with ``JOINS`` an account joins the current class while the measure the class
    holds *before* it is below the class's target (so the account that makes the class
    reach or pass its target is in it, and the class reaches at least its target unless
    the accounts run out); with ``NEXT`` it joins only when the class's measure
    *including* it stays within the target, else it is tried against the next class.
    """

    JOINS = "joins"
    NEXT = "next"


def _to_upto(value: object) -> Decimal:
    return as_decimal(value, field="upto", expected="a fraction such as '0.80'")


@attrs.frozen
class AbcBreak:
    """A class and the cumulative fraction (of measure or count) it reaches up to.

    Args:
        label: The class label (``"A"``).
        upto: Cumulative fraction where the class ends; the last class ends at 1. Under
            :attr:`AbcReading.GROUP_SHARE`, the class's own target share of the measure
            instead (the last class takes the rest and its ``upto`` is still 1).
        name: A display name such as ``"key accounts 大客户"``.
    """

    label: str
    upto: Decimal = attrs.field(converter=_to_upto)
    name: str = ""


@attrs.frozen
class AbcPolicy:
    """A Pareto/ABC classification policy.

    Accounts are ranked by measure, largest first; ties are broken by account id
    ascending, so the classification is deterministic and independent of input order.

    Args:
        breaks: The classes, first (biggest accounts) to last; ``upto`` ascends
            strictly in (0, 1] and the last is 1.
        method: ``SHARE`` (cumulative share, default) or ``COUNT``.
        rounding: How ``upto × n`` becomes a count for ``COUNT`` (CEILING by default,
            so a non-empty population always has a first-class account).
        name: The policy's name.
        crossing: For ``SHARE``, the class of the account that crosses a breakpoint:
            ``JOINS`` the class it completes (default) or goes to the ``NEXT`` one.
        reading: For ``SHARE``, what ``upto`` means: a ``CUMULATIVE`` breakpoint
            (default) or, under ``GROUP_SHARE``, each class's own target share, the last
            class taking the rest (see :class:`AbcReading`).

    Raises:
        PolicyError: No classes, a duplicate label, or a last ``upto`` other than 1;
            cumulative breakpoints that do not ascend in (0, 1]; group-share targets
            (all classes but the last) outside (0, 1] or adding up to more than 1, or
            the group-share reading with ``method=COUNT``.

    Examples:
        >>> p = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", "0.95"), AbcBreak("C", 1)))
        >>> r = classify_abc(p, {"x": 70, "y": 20, "z": 6, "w": 4})
        >>> [(a.account_id, a.label) for a in r.assignments]
        [('x', 'A'), ('y', 'A'), ('z', 'B'), ('w', 'C')]
        >>> strict = AbcPolicy(p.breaks, crossing=AbcCrossing.NEXT)
        >>> classify_abc(strict, {"x": 70, "y": 20, "z": 6, "w": 4}).as_dict()
        {'x': 'A', 'y': 'B', 'z': 'C', 'w': 'C'}
        >>> own = (AbcBreak("A", "0.5"), AbcBreak("B", "0.2"), AbcBreak("C", "0.1"))
        >>> group = AbcPolicy((*own, AbcBreak("D", 1)), reading="group_share")
        >>> classify_abc(group, {"x": 60, "y": 25, "z": 15}).as_dict()
        {'x': 'A', 'y': 'B', 'z': 'C'}
    """

    breaks: tuple[AbcBreak, ...] = tuple_field(AbcBreak, default=attrs.NOTHING)
    method: AbcMethod = enum_field(AbcMethod, default=AbcMethod.SHARE)
    rounding: Rounding = enum_field(Rounding, default=Rounding.CEILING)
    name: str = "abc"
    crossing: AbcCrossing = enum_field(AbcCrossing, default=AbcCrossing.JOINS)
    reading: AbcReading = enum_field(AbcReading, default=AbcReading.CUMULATIVE)

    def __attrs_post_init__(self) -> None:
        policy = "AbcPolicy"
        if not self.breaks:
            raise PolicyError("needs at least one class", policy=policy, part="breaks")
        group = self.reading is AbcReading.GROUP_SHARE
        if group and self.method is AbcMethod.COUNT:
            raise PolicyError(
                "the group-share reading cuts by share of the measure: method must be 'share'",
                policy=policy,
                part="reading",
            )
        seen: set[str] = set()
        previous = _ZERO  # cumulative: the breakpoint before; group share: the targets' sum
        last = len(self.breaks) - 1
        for i, b in enumerate(self.breaks):
            part = f"breaks[{i}] {b.label!r}"
            if not b.label or b.label in seen:
                raise PolicyError("labels must be non-empty and unique", policy=policy, part=part)
            seen.add(b.label)
            if not group:
                if not previous < b.upto <= _ONE:
                    raise PolicyError(
                        f"upto {b.upto} must lie in ({previous}, 1]", policy=policy, part=part
                    )
                previous = b.upto
            elif i < last:  # a class's own target share (the last class takes the rest)
                if not _ZERO < b.upto <= _ONE:
                    raise PolicyError(
                        f"target share {b.upto} must lie in (0, 1]", policy=policy, part=part
                    )
                previous += b.upto
        if group and previous > _ONE:
            raise PolicyError(
                f"the target shares of the classes before the last add up to {previous}, "
                "more than 1",
                policy=policy,
                part="breaks",
            )
        if self.breaks[last].upto != _ONE:
            rest = " (under the group-share reading the last class takes the rest)"
            raise PolicyError(
                f"the last class must reach 1, not {self.breaks[last].upto}"
                + (rest if group else ""),
                policy=policy,
                part=f"breaks[{last}]",
            )

    @property
    def labels(self) -> tuple[str, ...]:
        """The class labels, first to last."""
        return tuple(b.label for b in self.breaks)


@attrs.frozen
class AbcAssignment:
    """One account's class, its rank (1 = largest) and the cumulative share up to it."""

    account_id: str
    label: str
    measure: Decimal
    rank: int
    cumulative_share: Decimal


_make_assignment = maker(AbcAssignment)


@attrs.frozen
class AbcClass:
    """A class's count, measure and share of the population's measure."""

    label: str
    count: int
    measure: Decimal
    share: Decimal
    count_share: Decimal


@attrs.frozen
class AbcResult:
    """The classification: every account's class (in rank order) and per-class totals.

    The classes partition the population and their ``share`` values sum to exactly 1.
    """

    method: AbcMethod
    assignments: tuple[AbcAssignment, ...]
    classes: tuple[AbcClass, ...]

    def label_of(self, account_id: str) -> str:
        """The class of ``account_id``.

        Raises:
            ValidationError: The account is not in the population.
        """
        for a in self.assignments:
            if a.account_id == account_id:
                return a.label
        raise ValidationError(
            field="account_id",
            value=account_id,
            expected="an account of the classified population",
            problem="unknown account",
        )

    def members(self, label: str) -> tuple[str, ...]:
        """The account ids of class ``label``, in rank order."""
        return tuple(a.account_id for a in self.assignments if a.label == label)

    def as_dict(self) -> dict[str, str]:
        """Account id → class label."""
        return {a.account_id: a.label for a in self.assignments}

    def records(self, view: str = "accounts") -> list[dict[str, object]]:
        """The classification as rows of plain values, exact (``Decimal``, not float).

        Args:
            view: ``"accounts"`` (the default) — one row per account, in rank order,
                with ``account_id``, ``measure``, ``rank``, ``cumulative_share`` and
                ``class`` (the label); or ``"classes"`` — one row per class, first to
                last, with ``class``, ``count``, ``count_share``, ``measure`` and
                ``share``.

        Returns:
            One dict per row, keys in the order above.

        Raises:
            ValidationError: ``view`` is neither ``"accounts"`` nor ``"classes"``.

        Examples:
            >>> p = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)))
            >>> r = classify_abc(p, {"x": 80, "y": 20})
            >>> r.records()[1]
            {'account_id': 'y', 'measure': Decimal('20'), 'rank': 2, 'cumulative_share': Decimal('1.000000000000'), 'class': 'B'}
            >>> [(c["class"], c["count"]) for c in r.records("classes")]
            [('A', 1), ('B', 1)]
        """  # noqa: E501
        if _columns(view) is _VIEWS["accounts"]:
            return [
                {
                    "account_id": a.account_id,
                    "measure": a.measure,
                    "rank": a.rank,
                    "cumulative_share": a.cumulative_share,
                    "class": a.label,
                }
                for a in self.assignments
            ]
        return [
            {
                "class": c.label,
                "count": c.count,
                "count_share": c.count_share,
                "measure": c.measure,
                "share": c.share,
            }
            for c in self.classes
        ]

    def concentration(self) -> Concentration:
        """The concentration figures (Lorenz curve, Gini, top-20% share) of the measures.

        Uses the measures this result classified; see
        :func:`~kamcore.grading.measure_concentration`.

        Examples:
            >>> p = AbcPolicy((AbcBreak("A", "0.8"), AbcBreak("B", 1)))
            >>> classify_abc(p, {"a": 1, "b": 2, "c": 3, "d": 4}).concentration().gini
            Decimal('0.250000000000')
        """
        from kamcore.grading._concentration import measure_concentration  # noqa: PLC0415 - a cycle

        return measure_concentration((a.account_id, a.measure) for a in self.assignments)

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> dict[str, object]:
        """The Pareto chart as a Vega-Lite spec, for notebooks (see kamcore.charts)."""
        from kamcore.charts import mimebundle, pareto_chart  # noqa: PLC0415 - charts sit above

        return mimebundle(pareto_chart(self), include=include, exclude=exclude)

    def to_frame(self, view: str = "accounts") -> pd.DataFrame:
        """:meth:`records` as a pandas DataFrame (needs the ``frames`` extra).

        Args:
            view: ``"accounts"`` (one row per account) or ``"classes"`` (one per class).

        Returns:
            The rows, with the columns of :meth:`records` (also when there are none);
            measures and shares stay exact ``Decimal`` values.

        Raises:
            ValidationError: An unknown ``view``, or pandas is not installed.
        """
        return frame(self.records(view), _columns(view))


def _columns(view: str) -> tuple[str, ...]:
    """The columns of a view of :class:`AbcResult`, or a clear error."""
    try:
        return _VIEWS[view]
    except (KeyError, TypeError):
        raise ValidationError(
            field="view",
            value=view,
            expected="'accounts' or 'classes'",
            problem="unknown view",
        ) from None


_PAIRS_EXPECTED: Final = "a mapping of account id to measure, or (account id, measure) pairs"


def _pairs(
    measures: Mapping[str, object] | Iterable[tuple[str, object]],
) -> list[tuple[str, Decimal]]:
    given: object = measures  # what a caller may hand over, whatever the annotation says
    if isinstance(given, Mapping):
        items: Iterable[object] = given.items()
    elif isinstance(given, str | bytes) or not isinstance(given, Iterable):
        raise ValidationError(
            field="measures",
            value=given,
            expected=_PAIRS_EXPECTED,
            problem=f"a {type(given).__name__}",
        )
    else:
        items = given
    out: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise ValidationError(
                field=f"measures[{i}]",
                value=item,
                expected="an (account id, measure) pair",
                problem="not a pair",
            )
        account_id, raw = item
        if type(account_id) is not str:
            raise ValidationError(
                field=f"measures[{i}]",
                value=account_id,
                expected="an account id (a string)",
                problem=f"a {type(account_id).__name__}",
            )
        if type(raw) is Decimal and raw.is_finite():
            value = raw
        else:
            value = as_decimal(raw, field=f"measures.{account_id}")
        if value < 0:
            raise ValidationError(
                field=f"measures.{account_id}",
                value=value,
                expected="zero or more",
                problem="negative measure",
            )
        if account_id in seen:
            raise ValidationError(
                field="measures",
                value=account_id,
                expected="one measure per account",
                problem="duplicate account id",
            )
        seen.add(account_id)
        out.append((account_id, value))
    return out


def classify_abc(
    policy: AbcPolicy, measures: Mapping[str, object] | Iterable[tuple[str, object]]
) -> AbcResult:
    """Classify accounts by a measure (sales, volume, profit) under ``policy``.

    Ranking: measure descending, then account id ascending (the documented
    tie-break). With ``SHARE`` and the default ``crossing=JOINS``, an account belongs to
    the first class whose breakpoint the cumulative share *before* it has not yet
    reached — so the account that crosses 80% is still an A; with ``crossing=NEXT``, to
    the first class whose breakpoint the cumulative share *including* it does not
    exceed — so that account is a B. A population whose measures are all zero falls
    entirely into the last class, which then holds a share of 1. Shares are rounded HALF_UP to 12
    places; the largest class absorbs the rounding residue so shares sum to exactly 1.

    Under ``reading=GROUP_SHARE`` each class but the last takes the next accounts in rank
    order until the measure *it* holds reaches its own target (``upto × total``); with
    ``crossing=JOINS`` the account that makes it reach (or pass) the target is in it,
    with ``NEXT`` an account joins only while the class stays within its target, else it
    is tried against the next class. The last class takes the rest. When the accounts
    run out first, the class being filled keeps what it has (short of its target) and
    the classes after it are empty; zero measures join the class being filled. All-zero
    measures (a total of 0) fall into the last class here too.

    Args:
        policy: The classification policy.
        measures: Account id → measure (non-negative), as a mapping or pairs.

    Returns:
        The assignments in rank order and one :class:`AbcClass` per label.

    Raises:
        ValidationError: ``policy`` not an :class:`AbcPolicy` (field ``policy``);
            ``measures`` neither a mapping nor pairs (``measures``), an item that is not
            a pair or an id that is not a string (``measures[i]``), a negative or
            non-numeric measure (``measures.<id>``), or a duplicate id (``measures``).
    """
    if not isinstance(policy, AbcPolicy):
        raise ValidationError(
            field="policy",
            value=policy,
            expected="an AbcPolicy",
            problem=f"a {type(policy).__name__}",
        )
    ranked = _pairs(measures)
    ranked.sort(key=itemgetter(0))  # ties: account id ascending (the sort is stable)
    ranked.sort(key=itemgetter(1), reverse=True)  # measure descending
    n = len(ranked)
    total = sum((m for _, m in ranked), _ZERO)
    labels = policy.labels
    if policy.reading is AbcReading.GROUP_SHARE:
        return _classify_group_share(policy, ranked, total)
    classes = _cumulative_classes(policy, [m for _, m in ranked], total)
    quantize, exp, make = _SHARE_CONTEXT.quantize, _SHARE_EXP, _make_assignment
    assignments = []
    cumulative = _ZERO
    for rank, ((account_id, measure), idx) in enumerate(zip(ranked, classes, strict=True), 1):
        cumulative += measure
        share = quantize(cumulative / total, exp) if total else _ONE
        assignments.append(make(account_id, labels[idx], measure, rank, share))
    return AbcResult(policy.method, tuple(assignments), _summarise(labels, assignments, total, n))


def _cumulative_classes(policy: AbcPolicy, measures: list[Decimal], total: Decimal) -> list[int]:
    """Each ranked account's class index under the cumulative reading (or by count)."""
    n = len(measures)
    by_count = policy.method is AbcMethod.COUNT
    limits: list[Decimal] = [
        Decimal(int(policy.rounding.apply(b.upto * n, 0))) if by_count else b.upto * total
        for b in policy.breaks
    ]
    last = len(policy.breaks) - 1
    # The band core places each account: under JOINS (and by count) the position before
    # it, with a breakpoint owned by the class above it (HIGHER: reaching the limit moves
    # on); under NEXT the cumulative share including it, with a breakpoint owned by the
    # class below (LOWER: exactly at the limit still fits). All-zero measures fall into
    # the last class under either rule.
    strict = not by_count and policy.crossing is AbcCrossing.NEXT and total > 0
    if by_count:
        find_rank = band_finder([int(x) for x in limits], BoundaryOwner.HIGHER)
        found: Iterable[int] = map(find_rank, range(n))
    else:
        find = band_finder(limits, BoundaryOwner.LOWER if strict else BoundaryOwner.HIGHER)
        # the running totals before each account (and after the last), added in rank order
        running = list(accumulate(measures, initial=_ZERO))
        found = map(find, running[1:] if strict else running[:-1])
    return [min(idx, last) for idx in found]


def _abc_labels(
    policy: AbcPolicy, ids: Sequence[str], measures: Sequence[Decimal]
) -> list[str] | None:
    """Each account's ABC class label, in input order: :func:`classify_abc`'s classes, lean.

    For the bulk path: the same ranking (measure descending, then id ascending), the
    same crossing and reading rules and so the same classes as :func:`classify_abc`,
    without an :class:`AbcAssignment` per account nor the per-class summary.

    Args:
        policy: The classification policy.
        ids: The account ids, unique strings.
        measures: One finite ``Decimal`` per account.

    Returns:
        The labels; ``None`` where :func:`classify_abc` would refuse the input (a
        negative measure, a repeated id, lengths that differ): the caller then calls it
        to say why.
    """
    n = len(ids)
    if len(measures) != n or len(set(ids)) != n or (n and min(measures) < 0):
        return None
    # measure descending, ties by account id ascending: by each measure's float first,
    # which is correctly rounded and so never out of order, and equal for equal
    # measures; an exact check follows, and two measures that share a float in the
    # wrong order sort exactly
    floats = list(map(float, measures))
    by_float = _by_float(floats, ids)
    ranked = [measures[i] for i in by_float]
    if all(map(ge, ranked, islice(ranked, 1, None))):
        order = by_float
    else:
        order = sorted(range(n), key=ids.__getitem__)  # ties: account id ascending
        order.sort(key=measures.__getitem__, reverse=True)
        ranked = [measures[i] for i in order]
    total = sum(ranked, _ZERO)
    if policy.reading is AbcReading.GROUP_SHARE:
        classes = _group_share_classes(policy, ranked, total)
    else:
        classes = _cumulative_classes(policy, ranked, total)
    names = policy.labels
    labels: list[str] = [""] * n
    for i, idx in zip(order, classes, strict=True):
        labels[i] = names[idx]
    return labels


def _by_float(floats: list[float], ids: Sequence[str]) -> list[int]:
    """Indexes by ``floats`` descending, equal floats by id ascending (as two stable sorts).

    Sorting by id first and then (stably) by float gives the same order; where few
    floats are equal, only those runs are sorted by id.
    """
    n = len(floats)
    order = sorted(range(n), key=floats.__getitem__, reverse=True)  # equal: index order
    keys = [floats[i] for i in order]
    same = list(compress(range(1, n), map(eq, keys, islice(keys, 1, None))))
    if len(same) * 8 > n:  # many ties (whole numbers, scores): sort by id first
        order = sorted(range(n), key=ids.__getitem__)
        order.sort(key=floats.__getitem__, reverse=True)
        return order
    at, count = 0, len(same)
    while at < count:  # a run of equal floats: positions lo to hi
        hi = same[at]
        lo = hi - 1
        while at + 1 < count and same[at + 1] == hi + 1:
            at += 1
            hi += 1
        order[lo : hi + 1] = sorted(order[lo : hi + 1], key=ids.__getitem__)
        at += 1
    return order


def _group_share_classes(policy: AbcPolicy, measures: list[Decimal], total: Decimal) -> list[int]:
    """Each ranked account's class index under the group-share reading (exact)."""
    last = len(policy.breaks) - 1
    if not total:  # all-zero measures: the last class, as in the cumulative reading
        return [last] * len(measures)
    targets = [b.upto * total for b in policy.breaks]
    joins = policy.crossing is AbcCrossing.JOINS
    out: list[int] = []
    idx = 0
    held = _ZERO  # the measure the current class holds so far
    for measure in measures:
        # JOINS: while the class holds less than its target; NEXT: while it stays within it
        while idx < last and not (held < targets[idx] if joins else held + measure <= targets[idx]):
            idx += 1
            held = _ZERO
        held += measure
        out.append(idx)
    return out


def _classify_group_share(
    policy: AbcPolicy, ranked: list[tuple[str, Decimal]], total: Decimal
) -> AbcResult:
    labels = policy.labels
    classes = _group_share_classes(policy, [m for _, m in ranked], total)
    quantize, exp, make = _SHARE_CONTEXT.quantize, _SHARE_EXP, _make_assignment
    assignments = []
    cumulative = _ZERO
    for rank, ((account_id, measure), idx) in enumerate(zip(ranked, classes, strict=True), 1):
        cumulative += measure
        share = quantize(cumulative / total, exp) if total else _ONE
        assignments.append(make(account_id, labels[idx], measure, rank, share))
    n = len(ranked)
    return AbcResult(policy.method, tuple(assignments), _summarise(labels, assignments, total, n))


def _summarise(
    labels: tuple[str, ...], assignments: list[AbcAssignment], total: Decimal, n: int
) -> tuple[AbcClass, ...]:
    counts = dict.fromkeys(labels, 0)
    sums = dict.fromkeys(labels, _ZERO)
    for a in assignments:
        counts[a.label] += 1
        sums[a.label] += a.measure
    if total:
        shares = {lab: Rounding.HALF_UP.apply(sums[lab] / total, SHARE_PLACES) for lab in labels}
        # Rounding leaves a residue; the largest class absorbs it so the shares sum to 1.
        biggest = max(labels, key=lambda lab: (sums[lab], -labels.index(lab)))
        shares[biggest] = _ONE - sum((s for lab, s in shares.items() if lab != biggest), _ZERO)
    else:
        shares = {lab: _ONE if lab == labels[-1] else _ZERO for lab in labels}
    return tuple(
        AbcClass(lab, counts[lab], sums[lab], shares[lab], Decimal(counts[lab]) / n if n else _ZERO)
        for lab in labels
    )
