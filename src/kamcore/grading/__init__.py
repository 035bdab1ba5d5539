"""Grading (大客户评级): who is a key account, and which grade — explainably.

Facts in, grades out, every number with its breakdown:

* :class:`AccountFacts` — the figures of one account for one period; missing is ``None``.
* :class:`ScoringModel` — the protocol every scoring model follows; shipped models:
  :class:`WeightedScorecard` (the default), :class:`TopsisModel`, and AHP weights
  (:func:`derive_weights`).
* :class:`GradeLadder` — validated score bands; presets A/B/C/D and 金牌…银.
* :func:`classify_abc` — Pareto/ABC classes by cumulative share or by count.
* :func:`measure_concentration` — the Lorenz curve, Gini coefficient and top-20% share.
* :class:`ValueCategories` and :func:`screen` — value categories and financial ratios.
* :func:`regrade` — periodic re-grading with grade-change events and hysteresis, by
  the rules of a :class:`RegradePolicy`.
* :func:`override_grade` and :func:`tabulate_migrations` — approved manual grade overrides
  that lapse or are reviewed, and grade-migration matrices between periods.
* :func:`grade_many` — batch grading as objects and columns (numpy/pandas optional);
  :func:`grade_frame` and :func:`classify_frame` on pandas columns.

Examples:
    >>> card = WeightedScorecard((Criterion("sales_revenue", 1, Normaliser.linear(0, 100)),))
    >>> ladder = GradeLadder((GradeBand("A", 50, 100), GradeBand("B", 0, 50)))
    >>> [(g.account_id, g.grade) for g in grade_all(card, ladder, [
    ...     AccountFacts("x", sales_revenue=70), AccountFacts("y", sales_revenue=20)])]
    [('x', 'A'), ('y', 'B')]
"""

from kamcore._deprecated import renamed
from kamcore.grading._batch import Batch, grade_frame, grade_many, score_arrays
from kamcore.grading._columnar import classify_frame
from kamcore.grading._concentration import Concentration, measure_concentration
from kamcore.grading._facts import DERIVED_FIGURES, FIGURES, AccountFacts, OverCollection
from kamcore.grading._finance import (
    DevelopmentForecast,
    FinancialRatios,
    FinancialStatement,
    Ratio,
    Verdict,
    assess_development,
    screen,
)
from kamcore.grading._governance import (
    GradeExplanation,
    GradeOverride,
    OverrideEvent,
    OverrideEventKind,
    OverrideReview,
    override_grade,
)
from kamcore.grading._ladder import (
    GradeBand,
    Graded,
    GradeLadder,
    ThresholdOwner,
    grade,
    grade_all,
)
from kamcore.grading._mcda import (
    RANDOM_INDEX,
    AhpWeights,
    TopsisCriterion,
    TopsisModel,
    derive_weights,
)
from kamcore.grading._migration import (
    ABSENT,
    GradeMigration,
    GradeMove,
    MoveKind,
    tabulate_migrations,
)
from kamcore.grading._normalisers import Direction, Normaliser, NormaliserKind, Step
from kamcore.grading._pareto import (
    SHARE_PLACES,
    AbcAssignment,
    AbcBreak,
    AbcClass,
    AbcCrossing,
    AbcMethod,
    AbcPolicy,
    AbcReading,
    AbcResult,
    classify_abc,
)
from kamcore.grading._regrade import (
    Absence,
    ChangeKind,
    ContributionChange,
    GradeChange,
    RegradePolicy,
    Regrading,
    Requirement,
    Standing,
    WhatItTakes,
    regrade,
    what_would_it_take,
)
from kamcore.grading._rules import (
    CategoryRule,
    Clause,
    Comparison,
    Condition,
    GradePolicy,
    GradeService,
    SalesRule,
    Treatment,
    ValueCategories,
    categorise,
    choose_treatment,
    visit_order,
)
from kamcore.grading._scoring import (
    Criterion,
    CriterionScore,
    MissingPolicy,
    Score,
    ScoringModel,
    WeightedScorecard,
    score,
    score_all,
)

__all__ = [
    "ABSENT",
    "DERIVED_FIGURES",
    "FIGURES",
    "RANDOM_INDEX",
    "SHARE_PLACES",
    "AbcAssignment",
    "AbcBreak",
    "AbcClass",
    "AbcCrossing",
    "AbcMethod",
    "AbcPolicy",
    "AbcReading",
    "AbcResult",
    "Absence",
    "AccountFacts",
    "AhpWeights",
    "Batch",
    "CategoryRule",
    "ChangeKind",
    "Clause",
    "Comparison",
    "Concentration",
    "Condition",
    "ContributionChange",
    "Criterion",
    "CriterionScore",
    "DevelopmentForecast",
    "Direction",
    "FinancialRatios",
    "FinancialStatement",
    "GradeBand",
    "GradeChange",
    "GradeExplanation",
    "GradeLadder",
    "GradeMigration",
    "GradeMove",
    "GradeOverride",
    "GradePolicy",
    "GradeService",
    "Graded",
    "MissingPolicy",
    "MoveKind",
    "Normaliser",
    "NormaliserKind",
    "OverCollection",
    "OverrideEvent",
    "OverrideEventKind",
    "OverrideReview",
    "Ratio",
    "RegradePolicy",
    "Regrading",
    "Requirement",
    "SalesRule",
    "Score",
    "ScoringModel",
    "Standing",
    "Step",
    "ThresholdOwner",
    "TopsisCriterion",
    "TopsisModel",
    "Treatment",
    "ValueCategories",
    "Verdict",
    "WeightedScorecard",
    "WhatItTakes",
    "assess_development",
    "categorise",
    "choose_treatment",
    "classify_abc",
    "classify_frame",
    "derive_weights",
    "grade",
    "grade_all",
    "grade_frame",
    "grade_many",
    "measure_concentration",
    "override_grade",
    "regrade",
    "score",
    "score_all",
    "score_arrays",
    "screen",
    "tabulate_migrations",
    "visit_order",
    "what_would_it_take",
]

# Old names, served with a DeprecationWarning that names the new one.
__getattr__ = renamed(
    __name__,
    {
        "concentration": "measure_concentration",
        "migration_matrix": "tabulate_migrations",
        "treatment": "choose_treatment",
    },
    "0.2",
)
