"""Grade-migration matrices (迁移矩阵): how accounts moved between grades over two re-gradings.

:func:`tabulate_migrations` counts the accounts by (grade before → grade after), accounts
that appeared or disappeared included; :class:`GradeMigration` holds the counts with
every account's :class:`GradeMove`.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

import attrs

from kamcore._frames import frame
from kamcore._output import render
from kamcore.calendar import Period
from kamcore.errors import ValidationError
from kamcore.grading._inputs import flag, instance, tuple_of
from kamcore.grading._ladder import GradeLadder

if TYPE_CHECKING:
    import pandas as pd

    from kamcore.grading._regrade import Regrading

__all__ = ["ABSENT", "GradeMigration", "GradeMove", "MoveKind", "tabulate_migrations"]

#: How a migration table shows "not graded in that period" (``None`` in the data).
ABSENT: Final = "—"
_MIGRATION_COLUMNS: Final = ("from_grade", "to_grade", "count")


class MoveKind(enum.Enum):
    """How an account's grade moved between two re-gradings."""

    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    UNCHANGED = "unchanged"
    APPEARED = "appeared"
    """Graded in the second period only."""
    DISAPPEARED = "disappeared"
    """Graded in the first period only."""


@attrs.frozen
class GradeMove:
    """One account's grade in each period (``None``: not graded in that period)."""

    account_id: str
    from_grade: str | None
    to_grade: str | None
    kind: MoveKind


def _moves(value: Iterable[GradeMove]) -> tuple[GradeMove, ...]:
    return tuple_of(value, GradeMove, "moves")


def _grades(value: Iterable[str]) -> tuple[str, ...]:
    return tuple_of(value, str, "grades")


@attrs.frozen
class GradeMigration:
    """The grade-migration matrix between two re-gradings.

    Counts accounts by (grade in the first period → grade in the second). ``None``
    (shown as :data:`ABSENT`, ``"—"``) stands for "not graded in that period": the
    ``None`` row holds the accounts that appeared, the ``None`` column those that
    disappeared. Every account graded in either period is counted once.

    Attributes:
        before: The first period.
        after: The second period.
        grades: The ladder's grades, best first.
        moves: One move per account graded in either period, by account id.
    """

    before: Period | None
    after: Period | None
    grades: tuple[str, ...] = attrs.field(converter=_grades)
    moves: tuple[GradeMove, ...] = attrs.field(converter=_moves)

    def _check(self, grade: str | None, field: str) -> None:
        if grade is not None and grade not in self.grades:
            raise ValidationError(
                field=field,
                value=grade,
                expected=f"one of: {', '.join(self.grades)}, or None (not graded)",
                problem="not a grade of this ladder",
            )

    def accounts(self, from_grade: str | None, to_grade: str | None) -> tuple[str, ...]:
        """The accounts that moved from ``from_grade`` to ``to_grade``, by id.

        Raises:
            ValidationError: A grade not on the ladder.
        """
        self._check(from_grade, "from_grade")
        self._check(to_grade, "to_grade")
        return tuple(
            m.account_id for m in self.moves if (m.from_grade, m.to_grade) == (from_grade, to_grade)
        )

    def count(self, from_grade: str | None, to_grade: str | None) -> int:
        """How many accounts moved from ``from_grade`` to ``to_grade``.

        Raises:
            ValidationError: A grade not on the ladder.
        """
        return len(self.accounts(from_grade, to_grade))

    def _kind(self, kind: MoveKind) -> int:
        return sum(1 for m in self.moves if m.kind is kind)

    @property
    def upgrades(self) -> int:
        """Accounts graded in both periods whose grade got better."""
        return self._kind(MoveKind.UPGRADED)

    @property
    def downgrades(self) -> int:
        """Accounts graded in both periods whose grade got worse."""
        return self._kind(MoveKind.DOWNGRADED)

    @property
    def unchanged(self) -> int:
        """Accounts graded in both periods whose grade stayed."""
        return self._kind(MoveKind.UNCHANGED)

    @property
    def appeared(self) -> int:
        """Accounts graded in the second period only."""
        return self._kind(MoveKind.APPEARED)

    @property
    def disappeared(self) -> int:
        """Accounts graded in the first period only."""
        return self._kind(MoveKind.DISAPPEARED)

    def records(self) -> list[dict[str, object]]:
        """Every cell of the matrix as a row: ``from_grade``, ``to_grade``, ``count``.

        Rows run from grade by from grade (the ladder's order, best first, then
        ``None``), to grade within; the impossible ``None → None`` cell is left out,
        empty cells are kept (count 0).
        """
        tally = Counter((m.from_grade, m.to_grade) for m in self.moves)
        labels: tuple[str | None, ...] = (*self.grades, None)
        return [
            {"from_grade": a, "to_grade": b, "count": tally[a, b]}
            for a in labels
            for b in labels
            if a is not None or b is not None
        ]

    def to_frame(self) -> pd.DataFrame:
        """:meth:`records` as a pandas DataFrame (needs the ``frames`` extra).

        Raises:
            ValidationError: pandas is not installed.
        """
        return frame(self.records(), _MIGRATION_COLUMNS)

    def table(self) -> str:
        """The matrix as aligned text: a row per grade before, a column per grade after."""
        tally = Counter((m.from_grade, m.to_grade) for m in self.moves)
        labels: tuple[str | None, ...] = (*self.grades, None)
        heads = [ABSENT if g is None else g for g in labels]
        rows = [
            {
                "from": ABSENT if a is None else a,
                **{
                    h: (None if a is b is None else tally[a, b])
                    for h, b in zip(heads, labels, strict=True)
                },
            }
            for a in labels
        ]
        title = (
            f"grade migration {_label(self.before)} → {_label(self.after)} "
            f"(rows: from, columns: to; {ABSENT} not graded)"
        )
        summary = (
            f"upgrades {self.upgrades}, downgrades {self.downgrades}, "
            f"unchanged {self.unchanged}; appeared {self.appeared}, "
            f"disappeared {self.disappeared}"
        )
        return render(rows, "table", title=title) + summary

    def __str__(self) -> str:
        return self.table()

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> dict[str, object]:
        """The matrix as a heat map (Vega-Lite), for notebooks (see kamcore.charts)."""
        from kamcore.charts import migration_chart, mimebundle  # noqa: PLC0415 - charts sit above

        return mimebundle(migration_chart(self), include=include, exclude=exclude)


def _label(period: Period | None) -> str:
    return "(no period)" if period is None else str(period)


def _held_grades(
    r: Regrading, *, computed: bool, ladder: GradeLadder, field: str
) -> dict[str, str]:
    standing = {s.account_id: s.grade for s in r.standings}
    if not computed:
        standing.update({o.account_id: o.grade for o in r.overrides})
    out: dict[str, str] = {}
    for g in r.graded:
        grade = standing[g.account_id]
        if grade not in ladder.grades:
            raise ValidationError(
                field=field,
                value=grade,
                expected=f"grades of the ladder given: {', '.join(ladder.grades)}",
                problem=f"account {g.account_id!r} has a grade this ladder does not have",
            )
        out[g.account_id] = grade
    return out


def tabulate_migrations(
    ladder: GradeLadder, before: Regrading, after: Regrading, *, computed: bool = False
) -> GradeMigration:
    """Count accounts by (grade in ``before`` → grade in ``after``), 迁移矩阵.

    An account counts in a period when it was graded in it (an absent account keeps
    its standing, but is not counted). Its grade there is the grade it held at the
    end of that re-grading: an override in force wins (``computed=True`` counts the
    computed standing grades instead). Accounts graded only in ``after`` appeared
    (``None → grade``), those graded only in ``before`` disappeared (``grade → None``).

    Args:
        ladder: The ladder both periods were graded on (it orders the grades).
        before: The earlier re-grading.
        after: The later re-grading.
        computed: Count computed grades, ignoring overrides.

    Returns:
        The matrix, with every account's move.

    Raises:
        ValidationError: ``ladder``, ``before`` or ``after`` of the wrong type (naming
            it); a grade not on ``ladder``, or ``after`` a period earlier than ``before``.

    Examples:
        >>> from kamcore.grading import (AccountFacts, Criterion, GradeBand, GradeLadder,
        ...                              Normaliser, WeightedScorecard, regrade)
        >>> card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
        >>> ladder = GradeLadder((GradeBand("A", 80, 100), GradeBand("B", 50, 80),
        ...                       GradeBand("C", 0, 50)))
        >>> q1 = regrade(card, ladder, [AccountFacts("x", sales_revenue=90),
        ...              AccountFacts("y", sales_revenue=60)], period=Period.quarter(2026, 1))
        >>> q2 = regrade(card, ladder, [AccountFacts("x", sales_revenue=60),
        ...              AccountFacts("z", sales_revenue=10)], previous=q1,
        ...              period=Period.quarter(2026, 2))
        >>> m = tabulate_migrations(ladder, q1, q2)
        >>> m.count("A", "B"), m.count(None, "C"), m.downgrades, m.disappeared
        (1, 1, 1, 1)
        >>> print(m)
        grade migration 2026-Q1 → 2026-Q2 (rows: from, columns: to; — not graded)
        from  A  B  C  —
        ----  -  -  -  -
        A     0  1  0  0
        B     0  0  0  1
        C     0  0  0  0
        —     0  0  1
        upgrades 0, downgrades 1, unchanged 0; appeared 1, disappeared 1
    """
    from kamcore.grading._regrade import Regrading  # noqa: PLC0415 - a cycle

    instance(ladder, GradeLadder, "ladder")
    instance(before, Regrading, "before")
    instance(after, Regrading, "after")
    if before.period is not None and after.period is not None and after.period < before.period:
        raise ValidationError(
            field="after",
            value=after.period,
            expected=f"a re-grading of {before.period} or later",
            problem="the second period is earlier than the first",
        )
    flag(computed, "computed")
    one = _held_grades(before, computed=computed, ladder=ladder, field="before")
    two = _held_grades(after, computed=computed, ladder=ladder, field="after")
    rank = {g: i for i, g in enumerate(ladder.grades)}
    moves = []
    for key in sorted(one.keys() | two.keys()):
        a, b = one.get(key), two.get(key)
        if a is None:
            kind = MoveKind.APPEARED
        elif b is None:
            kind = MoveKind.DISAPPEARED
        elif rank[b] < rank[a]:
            kind = MoveKind.UPGRADED
        elif rank[b] > rank[a]:
            kind = MoveKind.DOWNGRADED
        else:
            kind = MoveKind.UNCHANGED
        moves.append(GradeMove(key, a, b, kind))
    return GradeMigration(before.period, after.period, ladder.grades, moves)
