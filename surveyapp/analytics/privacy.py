"""The privacy floor: suppress small cells in a summary document.

Applied to public results and to filtered views shown to viewers. A cell
with fewer than k respondents (but not zero) is hidden; when one cell of a
set that adds up to a shown total is hidden, the next smallest is hidden
too (complementary suppression), so it cannot be recovered by subtraction.
A filtered view is compared with the unfiltered one: the view is hidden
when it selects fewer than k respondents or leaves fewer than k outside
it, and a cell is hidden when it differs from the unfiltered cell by fewer
than k (else "everyone minus the filter" would reveal a small group).
Pure functions on plain dicts; no database.
"""

from __future__ import annotations

import copy

from flask_babel import gettext as _

MIN_K = 3
PROPORTION_KEYS = ("count", "p", "low", "high")


def effective_k(configured: int | None) -> int:
    """The organisation's k, never below MIN_K (default 5)."""
    return max(MIN_K, int(configured or 5))


def small(count, k: int) -> bool:
    return count is not None and 0 < count < k


def hidden_counts(counts: list[int], k: int) -> set[int]:
    """Positions of the counts a public tally must not show: those under k,
    plus, when that leaves exactly one hidden, the smallest other non-zero
    count, since the shown total minus the shown counts would give a lone
    hidden count back. Zeros reveal nobody and stay shown."""
    hidden = {i for i, n in enumerate(counts) if small(n, k)}
    if len(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if i not in hidden and n > 0]
        if others:
            hidden.add(min(others)[1])
    return hidden


def _hide(cell: dict) -> None:
    for key in PROPORTION_KEYS:
        if key in cell:
            cell[key] = None
    cell["suppressed"] = True


def _cell_id(cell: dict):
    for key in ("code", "key", "period", "value"):
        if key in cell:
            return cell[key]
    return (cell.get("low"), cell.get("high"))


def _groups(document: dict):
    """(group id, total, cells, additive) for every set of counts: additive
    cells partition the total (single choice, distributions, time); the
    others (multiple choice, first ranks) are each a yes/no split of it."""
    n = document.get("n")
    yield "channel", n, document.get("by_channel") or [], True
    yield "language", n, document.get("by_language") or [], True
    over_time = document.get("over_time") or {}
    yield "day", n, over_time.get("day") or [], True
    yield "week", n, over_time.get("week") or [], True
    for q in document.get("questions") or []:
        if q.get("suppressed"):
            continue
        family, code = q["family"], q["code"]
        if family == "choice":
            yield code, q["n"], q["options"], True
        elif family == "multi":
            yield code, q["n"], q["options"], False
        elif family == "scale":
            yield code, q["n"], q["distribution"], True
            yield code + "/top2", q["n"], [c for c in (q.get("top2"), q.get("csat")) if c], False
        elif family == "matrix":
            for item in q["items"]:
                yield f"{code}/{item['code']}", item["n"], item["distribution"], True
                yield f"{code}/{item['code']}/top2", item["n"], [item["top2"]] if item.get("top2") else [], False
        elif family == "rating":
            yield code, q["n"], q["distribution"], True
            if q.get("trust"):
                for band in ("low", "neutral", "high"):
                    q["trust"][band]["key"] = band
                yield code + "/trust", q["n"], [q["trust"][b] for b in ("low", "neutral", "high")], True
        elif family == "ranking":
            for option in q["options"]:
                option["first"]["code"] = option["code"]
            yield code, q["n"], [o["first"] for o in q["options"]], False
        elif family in ("number", "date"):
            yield code, q["n"], q.get("histogram") or [], True


def _counts(document: dict) -> dict:
    document = copy.deepcopy(document)  # _groups tags nested cells
    return {gid: {_cell_id(c): c.get("count") for c in cells} for gid, _n, cells, _a in _groups(document)}


def _question_ns(document: dict) -> dict:
    ns = {}
    for q in document.get("questions") or []:
        ns[q["code"]] = q.get("n")
        for item in q.get("items") or []:
            ns[f"{q['code']}/{item['code']}"] = item.get("n")
    return ns


def suppress(document: dict, k: int, base: dict | None = None) -> dict:
    """A copy of ``document`` with the privacy floor applied.

    ``base`` is the unfiltered document of the same population when
    ``document`` is a filtered view (None otherwise).
    """
    doc = copy.deepcopy(document)
    n = doc.get("n") or 0
    outside = None if base is None else (base.get("n") or 0) - n
    doc["privacy"] = {"k": k, "suppressed": True, "view_suppressed": False, "reason": None}
    if n < k or (outside is not None and 0 < outside < k):
        return _hide_view(doc, k, outside is not None and 0 < outside < k)

    base_counts = _counts(base) if base is not None else {}
    base_ns = _question_ns(base) if base is not None else {}
    for q in doc["questions"]:
        q_n = q.get("n")
        if small(q_n, k) or (base is not None and small((base_ns.get(q["code"]) or 0) - (q_n or 0), k)):
            _hide_question(q)
            continue
        _strip_details(q, k)
        for item in q.get("items") or []:
            key = f"{q['code']}/{item['code']}"
            if small(item.get("n"), k) or (
                base is not None and small((base_ns.get(key) or 0) - (item.get("n") or 0), k)
            ):
                item["distribution"], item["mean"], item["top2"] = [], None, None
                item["n"], item["suppressed"] = None, True

    for gid, total, cells, additive in list(_groups(doc)):
        reference = base_counts.get(gid, {})
        hidden = 0
        for cell in cells:
            count = cell.get("count")
            differs = base is not None and small((reference.get(_cell_id(cell)) or 0) - (count or 0), k)
            if small(count, k) or (not additive and small((total or 0) - (count or 0), k)) or differs:
                _hide(cell)
            hidden += bool(cell.get("suppressed"))
        if additive and hidden == 1:
            visible = [c for c in cells if not c.get("suppressed") and c.get("count")]
            if visible:
                _hide(min(visible, key=lambda c: c["count"]))
    _rebuild_derived(doc)
    overview = doc.get("overview") or {}
    for key in ("starts", "completes", "partials", "breakoffs"):
        if small(overview.get(key), k):
            overview[key] = None
            if key in ("partials", "breakoffs", "completes"):
                overview["completion_rate"] = overview["breakoff_rate"] = None
    if overview.get("duration_seconds") and overview["duration_seconds"]["n"] < k:
        overview["duration_seconds"] = None
    return doc


def _rebuild_derived(doc: dict) -> None:
    """Drop the cell ids _groups added to nested cells."""
    for q in doc.get("questions") or []:
        if q.get("trust"):
            for band in ("low", "neutral", "high"):
                q["trust"][band].pop("key", None)
        for option in q.get("options") or []:
            if isinstance(option.get("first"), dict):
                option["first"].pop("code", None)


def _hide_question(q: dict) -> None:
    keep = {key: q[key] for key in ("id", "code", "type", "family", "title", "metric_role", "retired")}
    q.clear()
    q.update(keep, n=None, suppressed=True)


def _strip_details(q: dict, k: int) -> None:
    """Remove what can point at one person: free texts, extremes, rare words."""
    if "answers" in q:
        q["answers"] = {"items": [], "total": None, "page_size": q["answers"]["page_size"], "hidden": True}
    if "other_texts" in q:
        q["other_texts"] = {"n": None, "items": [], "page_size": q["other_texts"]["page_size"], "hidden": True}
    if q.get("words"):
        q["words"]["items"] = [w for w in q["words"]["items"] if w["count"] >= k]
    if q.get("quartiles"):
        q["quartiles"]["min"] = q["quartiles"]["max"] = None
    if q.get("recommend"):
        for key in ("promoters", "passives", "detractors"):
            if small(q["recommend"][key], k):
                q["recommend"][key] = None
    if q["family"] == "ranking":
        for option in q["options"]:
            if small(option["n_ranked"], k):
                option["n_ranked"], option["mean_rank"] = None, None


def _hide_view(doc: dict, k: int, because_outside: bool) -> dict:
    if because_outside:
        reason = _(
            "This filter leaves fewer than %(k)d respondents outside it, so showing it would let "
            "anyone work out the answers of that small group.",
            k=k,
        )
    else:
        reason = _(
            "Fewer than %(k)d respondents are in this view, so their answers are not shown to protect their privacy.",
            k=k,
        )
    doc["privacy"].update(view_suppressed=True, reason=reason)
    doc["n"] = None
    doc["overview"] = None
    doc["over_time"] = {"day": [], "week": [], "timezone": (doc.get("over_time") or {}).get("timezone")}
    doc["by_channel"], doc["by_language"] = [], []
    for q in doc["questions"]:
        _hide_question(q)
    return doc
