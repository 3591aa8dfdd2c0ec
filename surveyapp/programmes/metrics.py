"""The metric set of docs/metrics.md (M1-M12, E1-E5) for a programme and a window.

``compute_set`` runs the SQL aggregations of queries.py once per window,
hands plain numbers to metrics_pure.py / analytics.stats, and returns a
JSON-ready dict. A metric without data has value None and a reason; 0 is
only ever a real count.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

from flask import g, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..orgs.models import Organisation
from ..questions import get_type
from . import metrics_pure as pure
from . import queries as q
from .models import Programme
from .services import margins_of, sync_feedback_if_backlog
from .windows import Window

TREND_WINDOWS = 4
UNDER_THRESHOLD = 0.8

# code: (name, plain-language definition, unit, data behind it)
DEFINITIONS = {
    "M1": (
        _l("Participants"),
        _l(
            "People who took part in the period: completed survey responses plus activity attendance. A person we know (by a pseudonym) counts once; an anonymous response or a head count counts as one each."
        ),
        "people",
        ("surveys", "activities"),
    ),
    "M2": (
        _l("Participation rate (coverage ratio)"),
        _l(
            "Participants divided by the number of people in the community, overall and per group. It is a coverage ratio, not a survey response rate."
        ),
        "share",
        ("surveys", "activities", "population"),
    ),
    "M3": (
        _l("Satisfaction level"),
        _l(
            "Share of answers in the top two boxes (4 or 5) of five-point satisfaction questions, with a 95% interval, and the average answer; per activity where the survey belongs to one."
        ),
        "share",
        ("surveys",),
    ),
    "M4": (
        _l("Frequency of engagement"),
        _l(
            "For each person we know: activities attended plus surveys completed in the period. Shows the average, the median and how many people took part once, twice and more."
        ),
        "participations",
        ("surveys", "activities"),
    ),
    "M5": (
        _l("Impact of change"),
        _l(
            "Change between two waves of the same survey (before and after) for every shared question, with a 95% interval of the difference and the right test; counts the questions whose change is statistically significant after correcting for many questions."
        ),
        "questions",
        ("surveys",),
    ),
    "M6": (
        _l("Community relations"),
        _l(
            "Index from 0 to 100 built from the community relations questions (average answer rescaled so that the lowest answer is 0 and the highest 100), with a 95% interval."
        ),
        "index",
        ("surveys",),
    ),
    "M7": (
        _l("Trust"),
        _l(
            "Share answering 6 to 10 on the 0-10 trust scale (0-4 low, 5 neutral, 6-10 high), and the average, for trust in local government (or the first institution asked about)."
        ),
        "share",
        ("surveys",),
    ),
    "M8": (
        _l("Social impact"),
        _l(
            "Outcome indicators chosen by the organiser, each with a baseline, a target and observed values (entered by hand or the average answer to an outcome question). The headline is the average progress from baseline to target."
        ),
        "share",
        ("indicators",),
    ),
    "M9": (
        _l("Feedback"),
        _l(
            "Number of feedback items received (survey comments, the public feedback form, notes from activities) and how many are positive: tagged positive by an organiser, or given with a satisfaction answer of 4-5 or a recommend score of 9-10."
        ),
        "items",
        ("feedback",),
    ),
    "M10": (
        _l("Follow-ups"),
        _l(
            'Number of actions taken on feedback; the follow-up rate (feedback items with at least one action divided by all items), the median days from feedback to its first action, and the share of actions published on the "you said, we did" page.'
        ),
        "actions",
        ("feedback", "actions"),
    ),
    "M11": (
        _l("Response time"),
        _l("Median time residents took to complete a survey, and median time from an invitation to the response."),
        "seconds",
        ("surveys",),
    ),
    "M12": (
        _l("Stories"),
        _l("Success stories recorded for the programme in the period, shown beside the numbers."),
        "stories",
        ("stories",),
    ),
    "E1": (
        _l("Representation index"),
        _l(
            "For each group: its share among participants divided by its share of the population. 1 means proportional; below 0.8 the group is under-represented and flagged so organisers can reach out."
        ),
        "index",
        ("surveys", "population"),
    ),
    "E2": (
        _l("Representativeness score"),
        _l(
            "Lowest group participation rate divided by the highest (0 to 1, where 1 means every group is reached equally); the headline is the lowest over all dimensions."
        ),
        "score",
        ("surveys", "population"),
    ),
    "E3": (
        _l("Concentration of voices"),
        _l(
            "Share of all participations that come from the most active 10% of the people we know, and the Gini coefficient of participations per person (0 = everyone equally, 1 = one person does everything)."
        ),
        "share",
        ("surveys", "activities"),
    ),
    "E4": (
        _l("New and returning participants"),
        _l(
            "Share of the people we know who took part in the period and had not taken part in the programme before it."
        ),
        "share",
        ("surveys", "activities"),
    ),
    "E5": (
        _l("Channel mix"),
        _l(
            "Participations by channel (link, invitation, QR, paper, kiosk, activity); the headline is the share that came through offline channels (paper, kiosk, offline app, activities)."
        ),
        "share",
        ("surveys", "activities"),
    ),
}
ORDER = list(DEFINITIONS)

REASONS = {
    "no_surveys": _l("No survey is linked to this programme yet."),
    "no_data": _l("No data in this period."),
    "no_questions": _l("None of the programme's surveys has a question with this role."),
    "no_population": _l("The programme has no community size or population figures."),
    "no_identified": _l("No participant was identified (checked in or known by a pseudonym) in this period."),
    "no_waves": _l("No survey series has two waves with answers yet."),
    "no_indicators": _l("The programme has no outcome indicators."),
    "no_shared": _l("The two waves share no comparable question with answers."),
}
SOURCE_LABELS = {
    "surveys": _l("Surveys"),
    "activities": _l("Activities"),
    "population": _l("Population figures"),
    "feedback": _l("Feedback"),
    "actions": _l("Actions"),
    "indicators": _l("Outcome indicators"),
    "stories": _l("Stories"),
}
SOURCE_ENDPOINTS = {
    "surveys": "programmes.manage_surveys",
    "activities": "programmes.manage_activities",
    "population": "programmes.manage_programme",
    "feedback": "programmes.manage_feedback",
    "actions": "programmes.manage_feedback",
    "indicators": "programmes.manage_outcomes",
    "stories": "programmes.manage_stories",
}


def both_languages(text) -> dict[str, str]:
    """A lazy string in English and Indonesian."""
    g.setdefault("_programme_i18n", True)  # force_locale needs a non-empty g
    out = {}
    for lang in ("en", "id"):
        with force_locale(lang):
            out[lang] = str(text)
    return out


def empty(reason: str) -> dict:
    return {"value": None, "n": 0, "reason": {"code": reason, "message": str(REASONS[reason])}}


def _f(x):
    return None if x is None else float(x)


class Context:
    """The aggregates of one programme and window, each queried once on first use."""

    def __init__(self, programme: Programme, window: Window, detail: bool = True):
        self.programme, self.window, self.detail = programme, window, detail
        org = db.session.get(Organisation, programme.organisation_id)
        self.k = org.privacy_min_cell
        self.links = q.linked_surveys(programme.id)
        start, end = window.utc_bounds(org.timezone or "Asia/Jakarta")
        self.scope = q.Scope(programme.id, tuple(r[0] for r in self.links), start, end, window.start, window.end)
        if self.scope.survey_ids and not q.any_response(self.scope):
            # An index seek instead of a dozen scans that would find nothing (e.g. trend windows before the data).
            self.scope = dataclasses.replace(self.scope, survey_ids=())
        self.roles = q.role_questions(tuple(r[0] for r in self.links))
        self.margins = margins_of(programme)

    def qids(self, role: str | None = None, prefix: str | None = None) -> list[int]:
        return [
            r.id
            for r in self.roles
            if (role and r.metric_role == role) or (prefix and r.metric_role.startswith(prefix))
        ]

    @cached_property
    def demo_qids(self) -> list[int]:
        return self.qids(prefix="demographic:")

    @cached_property
    def table(self) -> dict[int, int]:
        return q.participations_table(self.scope)

    @cached_property
    def attendance(self) -> list[dict]:
        return q.activity_attendance(self.scope)

    @cached_property
    def anonymous_responses(self) -> int:
        return q.anonymous_responses(self.scope)

    @cached_property
    def segments(self) -> dict[tuple[str, str], int]:
        return q.segment_people(self.scope, self.demo_qids)

    @cached_property
    def numeric_qids(self) -> list[int]:
        return [
            r.id
            for r in self.roles
            if r.metric_role == "satisfaction" or r.metric_role.startswith(("trust:", "outcome:"))
        ]

    @cached_property
    def values(self) -> dict[int, dict[float, int]]:
        """{question_id: {value: answers}} of every satisfaction, trust and outcome question: one query."""
        return q.value_counts(self.scope, self.numeric_qids)

    @cached_property
    def values_by_segment(self) -> dict[tuple[str, str, int], dict[float, int]]:
        return q.value_counts_by_segment(self.scope, self.numeric_qids, self.demo_qids)

    def pooled_by_segment(self, qids) -> dict[tuple[str, str], dict[float, int]]:
        out: dict[tuple[str, str], dict[float, int]] = {}
        wanted = set(qids)
        for (dim, cat, qid), table in self.values_by_segment.items():
            if qid in wanted:
                target = out.setdefault((dim, cat), {})
                for v, n in table.items():
                    target[v] = target.get(v, 0) + n
        return out

    def sample_by_dimension(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (dim, cat), n in self.segments.items():
            out.setdefault(dim, {})[cat] = n
        return out


# ---- one function per metric: Context -> dict(value, n, details?, segments?, reason?) ----


def m1(c: Context) -> dict:
    identified = sum(c.table.values())
    anon_att = sum(a["anonymous"] for a in c.attendance)
    total = identified + c.anonymous_responses + anon_att
    if total == 0:
        return empty("no_data")
    out = {
        "value": total,
        "n": total,
        "details": {
            "identified": identified,
            "anonymous_responses": c.anonymous_responses,
            "anonymous_attendance": anon_att,
            "attendance_total": sum(a["total"] for a in c.attendance),
        },
    }
    if c.detail:
        out["segments"] = [
            {"dimension": d, "category": cat, "value": n, "n": n} for (d, cat), n in sorted(c.segments.items())
        ]
        out["details"]["activities"] = [
            {
                "activity": a["title"],
                "held_on": a["held_on"].isoformat(),
                "value": a["total"],
                "identified": a["identified"],
                "anonymous": a["anonymous"],
            }
            for a in c.attendance
        ]
    return out


def m2(c: Context, people: dict) -> dict:
    size = c.programme.community_size
    if not size and not c.margins:
        return empty("no_population")
    if people["value"] is None:
        return empty("no_data")
    out = {"value": pure.ratio(people["value"], size), "n": people["value"]}
    if not size:
        out["value"], out["reason"] = None, {"code": "no_population", "message": str(REASONS["no_population"])}
    if c.detail:
        out["segments"] = [
            {
                "dimension": d,
                "category": cat,
                "value": c.segments.get((d, cat), 0) / pop,
                "n": c.segments.get((d, cat), 0),
                "population": pop,
            }
            for d, cats in sorted(c.margins.items())
            for cat, pop in sorted(cats.items())
        ]
    return out


def _segment_rows(by_segment: dict, summarise, value_key: str) -> list[dict]:
    rows = []
    for (dim, cat), table in sorted(by_segment.items()):
        s = summarise(table)
        if s is not None:
            rows.append(
                {
                    "dimension": dim,
                    "category": cat,
                    "value": s[value_key],
                    "n": s["n"],
                    "low": s.get("low", s.get("low_ci")),
                    "high": s.get("high", s.get("high_ci")),
                }
            )
    return rows


def _scale_1_5(table: dict) -> dict:
    return {k: v for k, v in table.items() if k in (1, 2, 3, 4, 5)}


def m3(c: Context) -> dict:
    qids = c.qids("satisfaction")
    if not c.links:
        return empty("no_surveys")
    if not c.scope.survey_ids:
        return empty("no_data")
    if not qids:
        return empty("no_questions")
    pooled: dict[float, int] = {}
    for qid in qids:
        for k, v in _scale_1_5(c.values.get(qid, {})).items():
            pooled[k] = pooled.get(k, 0) + v
    s = pure.csat_summary(pooled)
    if s is None:
        return empty("no_data")
    out = {
        "value": s["csat"],
        "n": s["n"],
        "low": s["low"],
        "high": s["high"],
        "details": {"mean": s["mean"], "distribution": s["distribution"]},
    }
    if c.detail:
        by_activity = {sid: aid for sid, _, _, aid, _, _ in c.links if aid}
        titles = (
            {
                a.id: a.title
                for a in db.session.execute(
                    db.select(q.Activity).where(q.Activity.id.in_(set(by_activity.values())))
                ).scalars()
            }
            if by_activity
            else {}
        )
        per = []
        for sid, table in q.value_counts_by_survey(c.scope, qids).items():
            if sid in by_activity:
                sa = pure.csat_summary(_scale_1_5(table))
                if sa:
                    per.append(
                        {
                            "activity": titles.get(by_activity[sid]),
                            "activity_id": by_activity[sid],
                            "value": sa["csat"],
                            "n": sa["n"],
                            "low": sa["low"],
                            "high": sa["high"],
                            "mean": sa["mean"],
                        }
                    )
        out["details"]["per_activity"] = per
        out["segments"] = _segment_rows(
            {k: _scale_1_5(v) for k, v in c.pooled_by_segment(qids).items()}, pure.csat_summary, "csat"
        )
    return out


def m4(c: Context) -> dict:
    s = pure.frequency_summary(c.table)
    if s is None:
        return empty("no_identified")
    return {"value": s["mean"], "n": s["people"], "details": s}


def m5(c: Context) -> dict:
    if not c.links:
        return empty("no_surveys")
    series: dict[str, list[tuple[int, int]]] = {}
    for sid, name, wave, _, _, _ in c.links:
        if name and wave is not None:
            series.setdefault(name, []).append((wave, sid))
    end = c.scope.end
    comparisons = []
    for name, waves in sorted(series.items()):
        answered = [(w, sid) for w, sid in sorted(waves) if q.wave_respondents(sid, end) > 0]
        if len(answered) < 2:
            continue
        (w0, before), (w1, after) = answered[-2], answered[-1]
        qs = q.questions_with_options([before, after])
        n0, n1 = q.wave_respondents(before, end), q.wave_respondents(after, end)
        paired = pure.paired_design(n0, n1, q.wave_pair_count(before, after, end))
        changes = []
        for code in sorted(set(qs.get(before, {})) & set(qs.get(after, {}))):
            (qb, tb, ob), (qa, ta, oa) = qs[before][code], qs[after][code]
            if tb != ta:
                continue
            scale = get_type(tb).change_scale
            if scale == "binary":
                if "yes" not in ob or "yes" not in oa:
                    continue
                tab_b = q.wave_value_counts(before, qb, end, ob["yes"])
                tab_a = q.wave_value_counts(after, qa, end, oa["yes"])
                pairs = q.wave_pairs((before, qb), (after, qa), end, (ob["yes"], oa["yes"])) if paired else None
            else:
                tab_b, tab_a = q.wave_value_counts(before, qb, end), q.wave_value_counts(after, qa, end)
                pairs = q.wave_pairs((before, qb), (after, qa), end) if paired else None
            change = pure.wave_change(scale, tab_b, tab_a, pairs)
            if change is not None:
                change["question"] = code
                changes.append(change)
        pure.adjust_changes(changes)
        comparisons.append(
            {
                "series": name,
                "before_wave": w0,
                "after_wave": w1,
                "before_survey": before,
                "after_survey": after,
                "design": "paired" if paired else "independent",
                "n_before": n0,
                "n_after": n1,
                "changes": changes,
            }
        )
    if not comparisons:
        return empty("no_waves")
    tested = [ch for cmp in comparisons for ch in cmp["changes"]]
    if not tested:
        return empty("no_shared")
    return {
        "value": sum(1 for ch in tested if ch.get("significant")),
        "n": sum(cmp["n_after"] for cmp in comparisons),
        "details": {"questions": len(tested), "comparisons": comparisons},
    }


def m6(c: Context) -> dict:
    qids = c.qids("relations")
    if not c.links:
        return empty("no_surveys")
    if not c.scope.survey_ids:
        return empty("no_data")
    ranges = {k: v for k, v in q.option_ranges(qids).items()}
    if not ranges:
        return empty("no_questions")
    s = pure.relations_index(*q.relations_sums(c.scope, ranges))
    if s is None:
        return empty("no_data")
    out = {"value": s["index"], "n": s["n"], "low": s["low"], "high": s["high"]}
    if c.detail:
        rows = []
        by_segment = q.relations_sums(c.scope, ranges, c.demo_qids) if c.demo_qids else {}
        for (dim, cat), sums in sorted(by_segment.items()):
            r = pure.relations_index(*sums)
            if r:
                rows.append(
                    {
                        "dimension": dim,
                        "category": cat,
                        "value": r["index"],
                        "n": r["n"],
                        "low": r["low"],
                        "high": r["high"],
                    }
                )
        out["segments"] = rows
    return out


def m7(c: Context) -> dict:
    if not c.links:
        return empty("no_surveys")
    if not c.scope.survey_ids:
        return empty("no_data")
    trust = [r for r in c.roles if r.metric_role.startswith("trust:")]
    if not trust:
        return empty("no_questions")
    counts = c.values
    by_inst: dict[str, dict[float, int]] = {}
    for r in trust:
        inst = r.metric_role.split(":", 1)[1]
        for k, v in counts.get(r.id, {}).items():
            if 0 <= k <= 10 and k == int(k):
                by_inst.setdefault(inst, {})[k] = by_inst.setdefault(inst, {}).get(k, 0) + v
    institutions = {inst: pure.trust_summary(t) for inst, t in sorted(by_inst.items())}
    institutions = {k: v for k, v in institutions.items() if v}
    if not institutions:
        return empty("no_data")
    head = "local_government" if "local_government" in institutions else next(iter(institutions))
    s = institutions[head]
    out = {
        "value": s["high"],
        "n": s["n"],
        "low": s["low_ci"],
        "high": s["high_ci"],
        "details": {"institution": head, "mean": s["mean"], "institutions": institutions},
    }
    if c.detail:
        qids = [r.id for r in trust if r.metric_role == f"trust:{head}"]
        seg = {k: {v: n for v, n in t.items() if 0 <= v <= 10} for k, t in c.pooled_by_segment(qids).items()}
        out["segments"] = _segment_rows(seg, pure.trust_summary, "high")
    return out


def m8(c: Context) -> dict:
    indicators = q.indicators(c.programme.id)
    if not indicators:
        return empty("no_indicators")
    manual = q.indicator_latest_values(c.scope)
    by_code = {r.metric_role.split(":", 1)[1]: r.id for r in c.roles if r.metric_role.startswith("outcome:")}
    means = {}
    for qid in by_code.values():
        table = c.values.get(qid)
        if table:
            n = sum(table.values())
            means[qid] = (n, sum(v * k for v, k in table.items()) / n)
    rows, progress = [], []
    for ind in indicators:
        value, source, n = None, None, None
        if ind.id in manual:
            value, source, n = manual[ind.id][1], "manual", 1
        elif ind.code in by_code and by_code[ind.code] in means:
            n, value = means[by_code[ind.code]]
            source = "survey"
        p = pure.indicator_progress(ind.baseline, ind.target, value)
        if p is not None:
            progress.append(p)
        rows.append(
            {
                "code": ind.code,
                "name": ind.name,
                "unit": ind.unit,
                "baseline": ind.baseline,
                "target": ind.target,
                "value": value,
                "source": source,
                "n": n,
                "progress": p,
            }
        )
    if not progress:
        out = empty("no_data")
        out["details"] = {"indicators": rows}
        return out
    return {"value": sum(progress) / len(progress), "n": len(progress), "details": {"indicators": rows}}


def m9(c: Context) -> dict:
    f = q.feedback_counts(c.scope)
    if f["items"] == 0:
        return empty("no_data")
    return {
        "value": f["items"],
        "n": f["items"],
        "details": {
            "positive": f["positive"],
            "positive_share": f["positive"] / f["items"],
            "by_source": f["by_source"],
        },
    }


def m10(c: Context) -> dict:
    items, actions, published = q.follow_up_rows(c.scope)
    if not items and not actions:
        return empty("no_data")
    days = [(d - r.date()).days for r, d in items if d is not None]
    s = pure.follow_ups(len(items), len(days), days, actions, published)
    return {"value": actions, "n": len(items), "details": s}


def m11(c: Context) -> dict:
    if not c.links:
        return empty("no_surveys")
    if not c.scope.survey_ids:
        return empty("no_data")
    dur = pure.frequency_summary(q.duration_table(c.scope))
    if dur is None:
        return empty("no_data")
    inv = pure.frequency_summary(q.invitation_delay_table(c.scope))
    return {
        "value": dur["median"],
        "n": dur["people"],
        "details": {
            "q1": dur["q1"],
            "q3": dur["q3"],
            "invitation_median_minutes": inv["median"] if inv else None,
            "invitation_n": inv["people"] if inv else 0,
        },
    }


def m12(c: Context) -> dict:
    stories = q.stories(c.scope)
    if not stories:
        return empty("no_data")
    return {
        "value": len(stories),
        "n": len(stories),
        "details": {
            "stories": [
                {"id": s.id, "title": s.title, "told_on": s.told_on.isoformat(), "body": s.body} for s in stories
            ]
        },
    }


def e1(c: Context) -> dict:
    if not c.margins:
        return empty("no_population")
    sample = c.sample_by_dimension()
    rows = []
    for dim, pop in sorted(c.margins.items()):
        rep = pure.representation(sample.get(dim, {}), pop, UNDER_THRESHOLD)
        for r in rep or []:
            rows.append({"dimension": dim, **r, "value": r["index"]})
    if not rows:
        return empty("no_data")
    lowest = min(rows, key=lambda r: r["index"])
    out = {
        "value": lowest["index"],
        "n": sum(sum(sample.get(d, {}).get(cat, 0) for cat in pop) for d, pop in c.margins.items()),
        "details": {
            "lowest": {"dimension": lowest["dimension"], "category": lowest["category"]},
            "under": [
                {"dimension": r["dimension"], "category": r["category"], "index": r["index"]}
                for r in rows
                if r["under"]
            ],
            "threshold": UNDER_THRESHOLD,
        },
    }
    if c.detail:
        out["segments"] = rows
    return out


def e2(c: Context) -> dict:
    if not c.margins:
        return empty("no_population")
    sample = c.sample_by_dimension()
    scores = {dim: pure.representativeness(sample.get(dim, {}), pop) for dim, pop in sorted(c.margins.items())}
    scores = {k: v for k, v in scores.items() if v is not None}
    if not scores:
        return empty("no_data")
    return {"value": min(scores.values()), "n": len(scores), "details": {"dimensions": scores}}


def e3(c: Context) -> dict:
    s = pure.concentration(c.table)
    if s is None:
        return empty("no_identified")
    return {"value": s["top10_share"], "n": sum(c.table.values()), "details": {"gini": s["gini"]}}


def e4(c: Context) -> dict:
    total, returning = q.returning_participants(c.scope)
    if total == 0:
        return empty("no_identified")
    return {
        "value": (total - returning) / total,
        "n": total,
        "details": {"new": total - returning, "returning": returning},
    }


def e5(c: Context) -> dict:
    mix = pure.channel_mix(q.channel_counts(c.scope, sum(a["total"] for a in c.attendance)))
    if mix is None:
        return empty("no_data")
    return {"value": mix["offline_share"], "n": mix["total"], "details": {"channels": mix["channels"]}}


def _compute_values(programme: Programme, window: Window, detail: bool) -> dict[str, dict]:
    c = Context(programme, window, detail)
    out = {"M1": m1(c)}
    out["M2"] = m2(c, out["M1"])
    for code, fn in (
        ("M3", m3),
        ("M4", m4),
        ("M5", m5),
        ("M6", m6),
        ("M7", m7),
        ("M8", m8),
        ("M9", m9),
        ("M10", m10),
        ("M11", m11),
        ("M12", m12),
        ("E1", e1),
        ("E2", e2),
        ("E3", e3),
        ("E4", e4),
        ("E5", e5),
    ):
        out[code] = fn(c)
    return out


def source_links(programme_id: int, keys, external: bool = False) -> list[dict]:
    links = []
    for key in keys:
        url = (
            url_for(SOURCE_ENDPOINTS[key], programme_id=programme_id, _external=external)
            if has_request_context()
            else None
        )
        links.append({"key": key, "label": str(SOURCE_LABELS[key]), "url": url})
    return links


def compute_set(
    programme: Programme, window: Window, trend: int = TREND_WINDOWS, sync: bool = True, external_links: bool = False
) -> dict:
    """The metric set as a JSON-ready dict (see docs in the module and the report)."""
    if sync:
        sync_feedback_if_backlog(programme)  # only without background work; else counted live
    current = _compute_values(programme, window, detail=True)
    previous = (
        [(w, _compute_values(programme, w, detail=False)) for w in window.previous_windows(trend)] if trend else []
    )
    metrics = []
    for code in ORDER:
        name, definition, unit, sources = DEFINITIONS[code]
        m = current[code]
        metrics.append(
            {
                "code": code,
                "name": both_languages(name),
                "definition": both_languages(definition),
                "unit": unit,
                "value": m["value"],
                "n": m.get("n", 0),
                "low": m.get("low"),
                "high": m.get("high"),
                "reason": m.get("reason"),
                "details": m.get("details", {}),
                "segments": m.get("segments", []),
                "trend": [
                    {"window": w.key, "value": vals[code]["value"], "n": vals[code].get("n", 0)} for w, vals in previous
                ],
                "sources": source_links(programme.id, sources, external_links),
            }
        )
    return {
        "programme": {
            "id": programme.id,
            "name": programme.name,
            "area": programme.area,
            "community_size": programme.community_size,
        },
        "window": {
            "key": window.key,
            "kind": window.kind,
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
        },
        "privacy_min_cell": db.session.get(Organisation, programme.organisation_id).privacy_min_cell,
        "metrics": metrics,
    }


def representation_flags(programme: Programme) -> list[dict]:
    """E1 below the threshold per single dimension, for each open survey of the programme
    (all its complete responses so far), so organisers can reach out while it runs."""
    margins = margins_of(programme)
    if not margins:
        return []
    flags = []
    for sid, _, _, _, status, _ in q.linked_surveys(programme.id):
        if status != "open":
            continue
        demo = [r.id for r in q.role_questions([sid]) if r.metric_role.startswith("demographic:")]
        sample: dict[str, dict[str, int]] = {}
        for (dim, cat), n in q.open_survey_segments(sid, demo).items():
            sample.setdefault(dim, {})[cat] = n
        for dim, pop in sorted(margins.items()):
            for row in pure.representation(sample.get(dim, {}), pop, UNDER_THRESHOLD) or []:
                if row["under"]:
                    flags.append(
                        {
                            "survey_id": sid,
                            "dimension": dim,
                            "category": row["category"],
                            "index": row["index"],
                            "n": row["n"],
                        }
                    )
    return flags


def csv_rows(metric_set: dict, k: int):
    """Rows for the CSV download: one per metric and one per segment; segments under
    the privacy floor k are blanked; every cell is formula-safe."""
    yield ["metric", "name", "window", "dimension", "category", "value", "n", "low", "high", "note"]
    key = metric_set["window"]["key"]
    for m in metric_set["metrics"]:
        name = m["name"]["en"]
        note = m["reason"]["message"] if m["reason"] else ""
        yield [pure.safe_cell(x) for x in (m["code"], name, key, "", "", m["value"], m["n"], m["low"], m["high"], note)]
        for row in pure.suppress_small(m["segments"], k):
            yield [
                pure.safe_cell(x)
                for x in (
                    m["code"],
                    name,
                    key,
                    row.get("dimension"),
                    row.get("category"),
                    row.get("value"),
                    row.get("n"),
                    row.get("low"),
                    row.get("high"),
                    f"suppressed: fewer than {k}" if row.get("suppressed") else "",
                )
            ]
