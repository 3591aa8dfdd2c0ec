"""Representation and raking to population margins, from demographic cell
counts aggregated in SQL (one GROUP BY per step, never per response).

Respondents who skipped a demographic question, or chose a category with no
population figure, cannot be placed in a cell: they keep weight 1 and are
reported, so the weighted total still counts everyone.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _

from ..questions import QUESTION_TYPES
from . import queries, stats
from .filters import Filters


def demographic_questions(survey) -> dict[str, object]:
    """{dimension: question} for single-choice questions with a
    ``demographic:<dimension>`` role (the first one wins per dimension)."""
    found = {}
    for q in sorted(survey.questions, key=lambda q: q.position):
        role = q.metric_role or ""
        if (
            role.startswith("demographic:")
            and QUESTION_TYPES[q.type].summary_family == "choice"
            and q.retired_at is None
        ):
            found.setdefault(role.split(":", 1)[1], q)
    return found


def check_margins(margins: dict[str, dict[str, int]]) -> tuple[list[str], list[str]]:
    """(errors, warnings) about margins before raking."""
    errors, warnings = [], []
    totals = {}
    for dim, cats in margins.items():
        empty = [c for c, v in cats.items() if not v]
        if empty:
            errors.append(
                _(
                    "Dimension %(dim)s has categories with no population (%(cats)s): give a number above 0, "
                    "or merge them with a neighbouring category.",
                    dim=dim,
                    cats=", ".join(empty),
                )
            )
        totals[dim] = sum(cats.values())
    if len(set(totals.values())) > 1:
        warnings.append(
            _(
                "The dimensions do not add up to the same population (%(totals)s). Each dimension is used "
                "as shares of its own total.",
                totals=", ".join(f"{d}: {t:,}" for d, t in totals.items()),
            )
        )
    return errors, warnings


def weigh(
    survey,
    margins: dict[str, dict[str, int]],
    language: str,
    filters: Filters | None = None,
    cap: float = 5.0,
    estimates: bool = True,
) -> dict:
    """Representation per segment, raking result and weighted estimates of
    choice questions beside unweighted ones (``estimates=False`` skips them:
    exports only need ``cell_weights``, {codes per dimension: weight})."""
    filters = filters or Filters()
    questions = demographic_questions(survey)
    dims = [d for d in questions if margins.get(d)]
    result = {"dimensions": [], "errors": [], "warnings": [], "rake": None, "estimates": [], "unplaced": 0, "n": 0}
    if not dims:
        result["errors"].append(_("Enter population figures for at least one demographic question first."))
        return result
    used = {d: margins[d] for d in dims}
    errors, warnings = check_margins(used)
    result["errors"] += errors
    result["warnings"] += warnings

    qids = [questions[d].id for d in dims]
    code_of = {o.id: o.code for d in dims for o in questions[d].options}
    rows = queries.demographic_cells(survey.id, filters, qids)
    cells: dict[tuple, int] = defaultdict(int)  # codes (None = not placed) -> respondents
    for row in rows:
        codes = tuple(code_of.get(option_id) for option_id in row[:-1])
        cells[codes] += int(row[-1])
    n = sum(cells.values())
    result["n"] = n
    for k, dim in enumerate(dims):
        sample = defaultdict(int)
        for codes, count in cells.items():
            if codes[k] is not None:
                sample[codes[k]] += count
        options = {o.code: o.text(language) for o in questions[dim].options if o.kind == "choice"}
        positive = {c: v for c, v in used[dim].items() if v and v > 0}
        index = stats.representation_index(dict(sample), positive) if positive else None
        result["dimensions"].append(
            {
                "dimension": dim,
                "question": questions[dim].code,
                "answered": sum(sample.values()),
                "skipped": n - sum(sample.values()),
                "segments": [
                    {
                        "category": c,
                        "label": options.get(c, c),
                        "n": sample.get(c, 0),
                        "population": v,
                        "index": index[c].index if index else None,
                        "under": index[c].under if index else None,
                        "share": index[c].share if index else None,
                        "population_share": index[c].population_share if index else None,
                    }
                    for c, v in positive.items()
                ],
                "without_margin": sorted(c for c in sample if c not in positive),
            }
        )
    if n == 0:
        result["errors"].append(_("There are no complete responses to weight yet."))
    if result["errors"]:
        return result

    placeable = {
        codes: c
        for codes, c in cells.items()
        if all(code is not None and used[d].get(code) for code, d in zip(codes, dims))
    }
    result["unplaced"] = n - sum(placeable.values())
    if not placeable:
        result["errors"].append(
            _(
                "No respondent answered every demographic question with a category that has a "
                "population figure, so no weights can be made."
            )
        )
        return result
    keys = list(placeable)
    try:
        fit = stats.rake(
            [placeable[k] for k in keys],
            [dict(zip(dims, k)) for k in keys],
            {d: {c: v for c, v in used[d].items()} for d in dims},
            cap=cap,
        )
    except stats.WeightingError as error:
        result["errors"].append(_("The weights could not be computed: %(reason)s.", reason=str(error)))
        return result
    weight_of = dict(zip(keys, fit.weights))
    result["rake"] = {
        "converged": fit.converged,
        "iterations": fit.iterations,
        "max_gap": fit.max_gap,
        "cap": cap,
        "empty_categories": {d: list(v) for d, v in fit.empty_categories.items()},
        "n_eff": fit.kish.n_eff,
        "deff": fit.kish.deff,
        "min_weight": min(fit.weights),
        "max_weight": max(fit.weights),
    }
    if not fit.converged:
        result["errors"].append(
            _(
                "The weights did not converge (the largest gap to a population share is still "
                "%(gap).1f points after %(n)d rounds), usually because a combination of categories "
                "has no respondents or the weight cap is reached. Weighted figures are not shown.",
                gap=100 * fit.max_gap,
                n=fit.iterations,
            )
        )
        return result
    result["cell_weights"] = weight_of
    if estimates:
        result["estimates"] = _estimates(survey, filters, questions, dims, code_of, weight_of, language)
    return result


def _estimates(survey, filters, questions, dims, code_of, weight_of, language) -> list[dict]:
    from .summary import family_of, ordered_questions

    targets = [q for q in ordered_questions(survey) if family_of(q) == "choice"]
    if not targets:
        return []
    rows = queries.demographic_cells(survey.id, filters, [questions[d].id for d in dims], [q.id for q in targets])
    sums: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    for row in rows:
        qid, option_id, *demo, count = row
        w = weight_of.get(tuple(code_of.get(o) for o in demo), 1.0)
        acc = sums[qid][option_id]
        acc[0] += count
        acc[1] += count * w
        acc[2] += count * w * w
    estimates = []
    for q in targets:
        per_option = sums.get(q.id, {})
        n = sum(v[0] for v in per_option.values())
        sum_w = sum(v[1] for v in per_option.values())
        sum_w2 = sum(v[2] for v in per_option.values())
        k = stats.kish_from_sums(n, sum_w, sum_w2)
        options = []
        for o in q.options:
            if o.kind != "choice":
                continue
            count, wc, _w2 = per_option.get(o.id, [0, 0.0, 0.0])
            unweighted = stats.wilson_interval(count, n) if n else None
            weighted = stats.wilson_interval(wc / sum_w * k.n_eff, k.n_eff) if k else None
            options.append(
                {
                    "code": o.code,
                    "label": o.text(language),
                    "count": count,
                    "p": unweighted.p if unweighted else None,
                    "low": unweighted.low if unweighted else None,
                    "high": unweighted.high if unweighted else None,
                    "weighted_count": wc,
                    "weighted_p": wc / sum_w if sum_w else None,
                    "weighted_low": weighted.low if weighted else None,
                    "weighted_high": weighted.high if weighted else None,
                }
            )
        estimates.append(
            {
                "code": q.code,
                "title": q.text("title", language),
                "n": n,
                "n_eff": k.n_eff if k else None,
                "deff": k.deff if k else None,
                "options": options,
            }
        )
    return estimates
