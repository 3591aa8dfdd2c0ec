"""Before/after comparison of two waves (two surveys, or two date ranges of
one survey), with the test docs/statistics.md §5 prescribes for the design and
Benjamini–Hochberg across every test shown. Changes are after − before."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _

from . import queries, stats
from .filters import Filters
from .summary import build_summary

PAIRED_SHARE = 0.8
COMPARABLE = ("choice", "multi", "scale", "matrix", "rating", "number")


def _row(question: str, what: str, before, after, test: stats.Comparison | None, unit: str) -> dict:
    return {
        "question": question,
        "what": what,
        "before": before,
        "after": after,
        "unit": unit,
        "method": test.method if test else None,
        "statistic": test.statistic if test else None,
        "p_value": test.p_value if test else None,
        "change": test.estimate if test else None,
        "low": test.low if test else None,
        "high": test.high if test else None,
        "n_before": None,
        "n_after": None,
    }


def compare(before: tuple, after: tuple, language: str) -> dict:
    """``before``/``after`` are (survey, Filters). Shared questions have the
    same code and type in both waves."""
    (survey_a, filters_a), (survey_b, filters_b) = before, after
    doc_a = build_summary(survey_a, filters_a, language=language)
    doc_b = build_summary(survey_b, filters_b, language=language)
    qa = {q["code"]: q for q in doc_a["questions"]}
    qb = {q["code"]: q for q in doc_b["questions"]}
    questions_a = {q.code: q for q in survey_a.questions}
    questions_b = {q.code: q for q in survey_b.questions}
    linked_a, linked_b, both = queries.participant_overlap((survey_a.id, filters_a), (survey_b.id, filters_b))
    smaller = min(doc_a["n"], doc_b["n"])
    paired = both >= 2 and smaller > 0 and both >= PAIRED_SHARE * smaller
    rows, skipped = [], []
    for code, a in qa.items():
        b = qb.get(code)
        if b is None or b["type"] != a["type"]:
            continue
        if a["family"] not in COMPARABLE:
            skipped.append(code)
            continue
        if paired and a["family"] in ("choice", "scale", "rating", "number"):
            rows += _paired(
                a, b, questions_a[code], questions_b[code], (survey_a.id, filters_a), (survey_b.id, filters_b)
            )
        else:
            rows += _independent(a, b)
    fdr = stats.benjamini_hochberg([r["p_value"] for r in rows])
    for r, adjusted, reject in zip(rows, fdr.adjusted, fdr.reject):
        r["p_adjusted"], r["significant"] = adjusted, reject
    note = None
    if paired:
        note = _("%(n)d participants answered both waves, so paired tests are used on their answers only.", n=both)
    elif both:
        note = _(
            "%(n)d linked participants answered both waves, too few of the %(m)d responses for a paired "
            "design: the waves are treated as independent samples, which is slightly conservative.",
            n=both,
            m=smaller,
        )
    return {
        "design": "paired" if paired else "independent",
        "pairs": both,
        "note": note,
        "n_before": doc_a["n"],
        "n_after": doc_b["n"],
        "rows": rows,
        "not_compared": skipped,
    }


def _share_rows(code: str, what: str, a: dict | None, b: dict | None) -> dict:
    test = stats.two_proportion_ztest(b["count"], b["n"], a["count"], a["n"]) if a and b and a["n"] and b["n"] else None
    row = _row(code, what, a["p"] if a else None, b["p"] if b else None, test, "share")
    row["n_before"], row["n_after"] = (a or {}).get("n"), (b or {}).get("n")
    return row


def _level_table(entry: dict) -> dict:
    return {d["value"]: d["count"] for d in entry["distribution"] if d.get("value") is not None and d["count"]}


def _mean_row(code: str, what: str, a: dict | None, b: dict | None) -> dict:
    test = None
    if a and b and a["sd"] is not None and b["sd"] is not None:
        test = stats.welch_t(b["n"], b["mean"], b["sd"], a["n"], a["mean"], a["sd"])
    row = _row(code, what, a["mean"] if a else None, b["mean"] if b else None, test, "mean")
    row["n_before"], row["n_after"] = (a or {}).get("n"), (b or {}).get("n")
    return row


def _ordinal_row(code: str, what: str, a: dict, b: dict) -> dict:
    ta, tb = _level_table(a), _level_table(b)
    test = stats.mann_whitney(tb, ta) if ta and tb else None
    row = _row(code, what, (a.get("mean") or {}).get("mean"), (b.get("mean") or {}).get("mean"), test, "ordinal")
    row["n_before"], row["n_after"] = a["n"], b["n"]
    return row


def _independent(a: dict, b: dict) -> list[dict]:
    code, family = a["code"], a["family"]
    if family in ("choice", "multi"):
        options_b = {o["code"]: o for o in b["options"]}
        return [
            _share_rows(code, o["label"], o, options_b.get(o["code"])) for o in a["options"] if o["code"] in options_b
        ]
    if family == "scale":
        return [_share_rows(code, _("top 2 boxes"), a["top2"], b["top2"]), _ordinal_row(code, _("distribution"), a, b)]
    if family == "matrix":
        items_b = {i["code"]: i for i in b["items"]}
        rows = []
        for item in a["items"]:
            if item["code"] in items_b:
                rows.append(
                    _share_rows(
                        code, item["label"] + " · " + _("top 2 boxes"), item["top2"], items_b[item["code"]]["top2"]
                    )
                )
                rows.append(_ordinal_row(code, item["label"], item, items_b[item["code"]]))
        return rows
    return [_mean_row(code, _("mean"), a["mean"], b["mean"])]


def _paired(a: dict, b: dict, question_a, question_b, wave_a, wave_b) -> list[dict]:
    code, family = a["code"], a["family"]
    if family in ("rating", "number", "scale"):
        pairs = queries.paired_rows(wave_a, wave_b, question_a.id, question_b.id, "values")
        diffs: dict[float, int] = defaultdict(int)
        for va, vb, n in pairs:
            if va is not None and vb is not None:
                diffs[float(vb) - float(va)] += int(n)
        rows = []
        if family == "scale":
            rows.append(
                _row(
                    code,
                    _("distribution"),
                    (a.get("mean") or {}).get("mean"),
                    (b.get("mean") or {}).get("mean"),
                    stats.wilcoxon_signed_rank(dict(diffs)) if diffs else None,
                    "ordinal",
                )
            )
        else:
            rows.append(
                _row(
                    code,
                    _("mean"),
                    (a.get("mean") or {}).get("mean"),
                    (b.get("mean") or {}).get("mean"),
                    stats.paired_t(dict(diffs)) if diffs else None,
                    "mean",
                )
            )
        for r in rows:
            r["n_before"] = r["n_after"] = sum(diffs.values())
        return rows
    # single choice: McNemar per option on the pairs (after as the first wave of the table)
    pairs = queries.paired_rows(wave_a, wave_b, question_a.id, question_b.id, "options")
    code_a = {o.id: o.code for o in question_a.options}
    code_b = {o.id: o.code for o in question_b.options}
    rows = []
    total = sum(int(n) for _oa, _ob, n in pairs)
    for option in a["options"]:
        table = [[0, 0], [0, 0]]
        for oa, ob, n in pairs:
            after_yes = code_b.get(ob) == option["code"]
            before_yes = code_a.get(oa) == option["code"]
            table[0 if after_yes else 1][0 if before_yes else 1] += int(n)
        test = stats.mcnemar(table) if total else None
        # mcnemar's estimate is (b - c)/N with rows "after": after yes/before no minus the reverse, negated.
        before_p = (table[0][0] + table[1][0]) / total if total else None
        after_p = (table[0][0] + table[0][1]) / total if total else None
        row = _row(code, option["label"], before_p, after_p, test, "share")
        if test is not None and before_p is not None and after_p is not None:
            row["change"] = after_p - before_p
        row["n_before"] = row["n_after"] = total
        rows.append(row)
    return rows


def date_waves(filters: Filters, ranges) -> tuple[Filters, Filters]:
    """Two waves of one survey from ((from, to), (from, to))."""
    from .filters import with_dates

    (a_from, a_to), (b_from, b_to) = ranges
    return with_dates(filters, a_from, a_to), with_dates(filters, b_from, b_to)
