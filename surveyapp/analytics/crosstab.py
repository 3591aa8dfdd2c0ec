"""Cross-tabulation of two choice questions: counts, column percentages
with Wilson intervals, and a chi-square test of independence."""

from __future__ import annotations

from flask_babel import gettext as _

from . import privacy, queries, stats
from .filters import Filters
from .summary import _share

SINGLE_ANSWER = ("choice", "scale")
CROSSABLE = ("choice", "scale", "multi")


def crosstab(survey, filters: Filters, row_q, col_q, language: str, privacy_k: int | None = None) -> dict:
    """Rows are the options of ``row_q``, columns those of ``col_q``."""
    from .summary import family_of

    cells = {(r, c): n for r, c, n in queries.crosstab_counts(survey.id, filters, row_q.id, col_q.id)}
    rows = [
        o for o in row_q.options if o.kind == "choice" and (o.retired_at is None or any(k[0] == o.id for k in cells))
    ]
    cols = [
        o for o in col_q.options if o.kind == "choice" and (o.retired_at is None or any(k[1] == o.id for k in cells))
    ]
    table = [[cells.get((r.id, c.id), 0) for c in cols] for r in rows]
    col_totals = [sum(table[i][j] for i in range(len(rows))) for j in range(len(cols))]
    row_totals = [sum(line) for line in table]
    n = sum(row_totals)
    single = family_of(row_q) in SINGLE_ANSWER and family_of(col_q) in SINGLE_ANSWER
    test = stats.chi_square(table) if single and n else None
    result = {
        "row": {"code": row_q.code, "title": row_q.text("title", language)},
        "column": {"code": col_q.code, "title": col_q.text("title", language)},
        "columns": [{"code": c.code, "label": c.text(language), "n": col_totals[j]} for j, c in enumerate(cols)],
        "rows": [
            {
                "code": r.code,
                "label": r.text(language),
                "n": row_totals[i],
                "cells": [_share(table[i][j], col_totals[j]) for j in range(len(cols))],
            }
            for i, r in enumerate(rows)
        ],
        "n": n,
        "chi_square": None
        if test is None
        else {
            "statistic": test.statistic,
            "dof": test.dof,
            "p_value": test.p_value,
            "n": test.n,
            "small_expected": test.small_expected,
        },
        "note": None,
        "suppressed": False,
    }
    if not single:
        result["note"] = _(
            "A multiple-choice question counts a respondent in several cells, so no chi-square "
            "test is made; percentages are of the respondents in each column."
        )
    elif test is None and n:
        result["note"] = _("A chi-square test needs at least two answered options in each question.")
    if test is not None and test.small_expected:
        result["note"] = _(
            "Some expected counts are small (below 5 in more than a fifth of the cells, or below 1), "
            "so the chi-square p-value is not reliable."
        )
    if privacy_k is not None:
        _suppress(result, privacy_k)
    return result


def _suppress(result: dict, k: int) -> None:
    """Hide small cells and margins, with complementary cells per row and column."""
    if result["n"] < k:
        result.update(rows=[], columns=[], chi_square=None, suppressed=True, n=None)
        return
    grid = [row["cells"] for row in result["rows"]]
    for row in result["rows"]:
        if privacy.small(row["n"], k):
            row["n"] = None
    for column in result["columns"]:
        if privacy.small(column["n"], k):
            column["n"] = None
    for line in grid:
        for cell in line:
            if privacy.small(cell["count"], k):
                privacy._hide(cell)
    changed = True
    while changed:  # a line with one hidden cell gives it away by subtraction from its total
        changed = False
        lines = [(line, result["rows"][i]) for i, line in enumerate(grid)]
        lines += [([line[j] for line in grid], column) for j, column in enumerate(result["columns"])]
        for line, margin in lines:
            hidden = [c for c in line if c.get("suppressed")]
            if len(hidden) != 1 or margin["n"] is None:
                continue
            visible = [c for c in line if not c.get("suppressed") and c["count"]]
            if visible:
                privacy._hide(min(visible, key=lambda c: c["count"]))
            else:
                margin["n"] = None
            changed = True
