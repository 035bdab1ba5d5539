"""Bulk analytics (批量分析): order lines to account grades, on pandas or on Dask.

One pipeline, the same on every engine, each step a pure function of a DataFrame
partition plus a small reduction where the step is global:

1. :func:`aggregate_lines` — order lines → one row of figures per account (sums in
   whole cents, so exact on any partitioning; lines, orders, first and last purchase,
   recency);
2. :func:`fit_model` — fit the scoring model (a reduction: min/max, or order
   statistics);
3. :func:`score_partition` — score and grade, row by row, with the fitted model;
4. :func:`classify_accounts` — ABC by cumulative share: a sort (measure descending,
   account id ascending) and a running sum from each partition's offsets, in whole
   units, so the classes are exactly those of :func:`~kamcore.grading.classify_abc`.

:func:`grade_lines` and :func:`grade_accounts` run the steps in order. Give them a
pandas DataFrame (the ``frames`` extra) to run on one machine, or a
``dask.dataframe.DataFrame`` (the ``dask`` extra) to run on a cluster; the partition
functions (:func:`summarise_lines`, :func:`score_partition`, :func:`label_ranked`)
also run under Spark's ``mapInPandas``: :func:`grade_lines_spark` is the pipeline on a
Spark DataFrame (see the "Big data" page of the docs). The
results equal the exact path's: the same grades and classes, totals to the cent.

Examples:
    >>> import pandas as pd
    >>> from kamcore.presets import load_preset
    >>> accounts = pd.DataFrame({"account_id": ["x", "y", "z", "w"],
    ...                          "sales_revenue": [70.0, 20.0, 6.0, 4.0]})
    >>> classify_accounts(accounts, load_preset("grading_abc"))["abc"].tolist()
    ['A', 'A', 'B', 'C']
"""

from kamcore.bulk._abc import Cuts, cuts_for, label_ranked
from kamcore.bulk._engine import (
    aggregate_lines,
    classify_accounts,
    fit_model,
    grade_accounts,
    grade_lines,
    score_partition,
)
from kamcore.bulk._lines import LINE_AMOUNTS, combine_summaries, summarise_lines
from kamcore.bulk._spark import grade_lines_spark

__all__ = [
    "LINE_AMOUNTS",
    "Cuts",
    "aggregate_lines",
    "classify_accounts",
    "combine_summaries",
    "cuts_for",
    "fit_model",
    "grade_accounts",
    "grade_lines",
    "grade_lines_spark",
    "label_ranked",
    "score_partition",
    "summarise_lines",
]
