"""The summary document of a survey: a plain, JSON-serialisable dict built
from SQL aggregates (queries.py) and the statistics of stats/.

The shape is documented in docs/summary-format.md. Every figure carries its
n; proportions carry Wilson 95% bounds, means t bounds. "No data" is None
(null), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from ..database import utcnow
from ..extensions import db
from ..orgs.models import Organisation
from ..questions import QUESTION_TYPES
from ..surveys.models import pick_language
from . import queries, stats, tally, tally_queries
from .filters import COMPLETE_ONLY, Filters
from .stopwords import STOPWORDS

FORMAT_VERSION = 1
TEXT_PAGE_SIZE = 20
WORD_SAMPLE = 5_000
BREAKOFF_HOURS = 24
EPOCH = date(1970, 1, 1)


# ---- small converters ---------------------------------------------------


def proportion(p: stats.Proportion | None) -> dict | None:
    if p is None:
        return None
    return {"count": _num(p.count), "n": _num(p.n), "p": p.p, "low": p.low, "high": p.high}


def mean(m: stats.MeanCI | None) -> dict | None:
    if m is None:
        return None
    return {"n": m.n, "mean": m.mean, "sd": m.sd, "low": m.low, "high": m.high}


def _num(value):
    return int(value) if float(value).is_integer() else float(value)


def _share(count: float, n: float) -> dict:
    """Count with its Wilson interval; p and bounds None when n == 0."""
    p = stats.wilson_interval(count, n) if n else None
    return {
        "count": _num(count),
        "n": _num(n),
        "p": p.p if p else None,
        "low": p.low if p else None,
        "high": p.high if p else None,
    }


def _mean_from_table(table: dict[float, float]) -> dict | None:
    n = sum(table.values())
    total = sum(v * c for v, c in table.items())
    total_sq = sum(v * v * c for v, c in table.items())
    return mean(stats.mean_ci_from_sums(int(n), total, total_sq))


def ordered_questions(survey) -> list:
    """Questions in the order residents see them."""
    page_pos = {page.id: page.position for page in survey.pages}
    return sorted(survey.questions, key=lambda q: (page_pos.get(q.page_id, 10**6), q.position, q.id))


def family_of(question) -> str | None:
    kind = QUESTION_TYPES.get(question.type)
    return kind.summary_family if kind is not None else None


# ---- the document -------------------------------------------------------


def build_summary(
    survey,
    filters: Filters | None = None,
    *,
    language: str | None = None,
    now: datetime | None = None,
    live: bool = False,
) -> dict:
    """The full summary of ``survey`` for the responses ``filters`` selects
    (default: complete responses only).

    The whole survey's complete responses (no subgroup) are read from the
    tally when it holds them all (the completion job folds, tally.py);
    filtered views, views with partial responses and ``live=True`` run the
    GROUP BYs over ``answers``. Both give the same document.
    """
    organisation = db.session.get(Organisation, survey.organisation_id)
    filters = filters or Filters(timezone=organisation.timezone)
    language = language or survey.default_language
    now = now or utcnow()
    offset_minutes = int(ZoneInfo(organisation.timezone).utcoffset(now).total_seconds() // 60)
    breakoff_before = now - timedelta(hours=BREAKOFF_HOURS)

    if not live and uses_tally(filters) and _tally_current(survey.id, now):
        reads = TallyReads(survey.id, filters, breakoff_before, offset_minutes)
    else:
        reads = LiveReads(survey.id, filters, breakoff_before, offset_minutes)
    status = reads.status
    n_view = sum(n for s, n in status["by_status"].items() if s in filters.statuses)

    days, channels = reads.days_and_channels()
    invitations = queries.invitation_counts(survey.id)
    sample = _sample(invitations, channels)

    document = {
        "format": "suara-summary",
        "version": FORMAT_VERSION,
        "survey": {
            "id": survey.id,
            "title": survey.text("title", language),
            "kind": survey.kind,
            "status": survey.status,
            "languages": list(survey.languages or []),
            "language": language,
        },
        "generated_at": now.replace(microsecond=0).isoformat() + "Z",
        "filters": filters.echo or {"status": "all" if "partial" in filters.statuses else "complete"},
        "population": "all" if "partial" in filters.statuses else "complete",
        "n": n_view,
        "sample": sample,
        "overview": _overview(reads.durations(), status, invitations),
        "over_time": _over_time(days, organisation.timezone),
        "by_channel": _margin(channels, 0, n_view),
        "by_language": _margin(channels, 1, n_view),
        "questions": _questions(survey, reads, language),
        "privacy": {"k": None, "suppressed": False, "view_suppressed": False},
    }
    return document


def _tally_current(survey_id: int, now: datetime) -> bool:
    """Whether the summary may read the tally. A read never folds while
    background work runs (the completion job does). A backlog the job is
    about to fold, its oldest response submitted less than
    TALLY_GRACE_SECONDS ago, is left to it: during collection there is
    nearly always such a response or two, and reading every answer live for
    them would cost seconds on a large survey; the newest responses then
    appear within the grace. An older backlog means no worker is folding:
    it is read live, which gives the same document as folded (grace 0, the
    tests' setting: always exact)."""
    from ..jobs import background_enabled

    if not background_enabled():
        tally.fold_if_backlog(survey_id)
        return True
    waiting, since = tally.backlog_since(survey_id)
    if not waiting:
        return True
    grace = float(current_app.config.get("TALLY_GRACE_SECONDS", 0))
    return grace > 0 and since is not None and since >= now - timedelta(seconds=grace)


def uses_tally(filters: Filters) -> bool:
    """True for the view the tally holds: every complete response, no subgroup."""
    return tuple(filters.statuses) == COMPLETE_ONLY and not filters.segmented


class LiveReads:
    """The numbers of a view from GROUP BYs over ``answers`` and ``responses``."""

    def __init__(self, survey_id: int, filters: Filters, breakoff_before: datetime, offset_minutes: int):
        self.survey_id, self.filters, self.offset_minutes = survey_id, filters, offset_minutes
        self.status = queries.status_counts(survey_id, filters, breakoff_before)
        needs_join = filters.segmented or any(s not in filters.statuses for s in self.status["by_status"])
        self.scope = queries.Scope(survey_id, filters, needs_join)

    def days_and_channels(self) -> tuple[list[tuple], list[tuple]]:
        """([(local day, n)], [(channel, language, n)]) from one scan."""
        split = queries.day_channel_language_counts(self.survey_id, self.filters, self.offset_minutes)
        return [(day, n) for day, _c, _lang, n in split], [(c, lang, n) for _day, c, lang, n in split]

    def durations(self) -> dict[float, int]:
        return queries.duration_table(self.survey_id, self.filters)

    def option_counts(self, ids):
        return queries.option_counts(self.scope, ids)

    def rank_counts(self, ids):
        return queries.rank_counts(self.scope, ids)

    def respondent_counts(self, ids):
        return queries.respondent_counts(self.scope, ids)

    def value_tables(self, ids):
        return queries.value_tables(self.scope, ids)

    def text_counts(self, ids):
        return queries.text_counts(self.scope, ids)

    def moments(self, question_id):
        return queries.moments(self.scope, question_id)

    def binned_table(self, question_id, low, high):
        return queries.binned_table(self.scope, question_id, low, high)

    def text_page(self, question_id: int, _n_texts: int) -> tuple[list[dict], int]:
        return queries.text_answers(self.scope, question_id, limit=TEXT_PAGE_SIZE)

    def words(self, question_id: int, n_texts: int, languages: list[str]) -> tuple[list, int]:
        """(top words, texts counted): the latest WORD_SAMPLE texts."""
        sample = queries.text_sample(self.scope, question_id, WORD_SAMPLE)
        return stats.word_frequencies(sample, languages), len(sample)


class TallyReads:
    """The numbers of the whole survey's complete responses from the tally
    (used only while it holds them all: ``_tally_current``); only partial
    counts and text listings read live tables, through indexes that do not
    grow with the complete responses."""

    def __init__(self, survey_id: int, filters: Filters, breakoff_before: datetime, offset_minutes: int):
        self.survey_id, self.offset_minutes = survey_id, offset_minutes
        folded = tally.state(survey_id)[0]
        partials, breakoffs = tally_queries.partial_counts(survey_id, breakoff_before)
        by_status = {s: n for s, n in (("complete", folded), ("partial", partials)) if n}
        self.status = {"by_status": by_status, "breakoffs": breakoffs}
        self.scope = queries.Scope(survey_id, filters, needs_join=partials > 0)
        self._totals: dict[int, tuple[int, int]] = {}
        self._filters = filters

    def days_and_channels(self) -> tuple[list[tuple], list[tuple]]:
        days = tally_queries.day_counts(self.survey_id, self.offset_minutes)
        if days is None:  # an offset off the quarter-hour grid: count live
            split = queries.day_channel_language_counts(self.survey_id, self._filters, self.offset_minutes)
            days = [(day, n) for day, _c, _lang, n in split]
        return days, tally_queries.channel_language_counts(self.survey_id)

    def durations(self) -> dict[float, int]:
        return tally_queries.duration_table(self.survey_id)

    def option_counts(self, ids):
        return tally_queries.option_counts(ids)

    def rank_counts(self, ids):
        return tally_queries.rank_counts(ids)

    def _question_totals(self, ids) -> dict[int, tuple[int, int]]:
        missing = [q for q in ids if q not in self._totals]
        if missing:
            found = tally_queries.question_totals(missing)
            self._totals.update({q: found.get(q, (0, 0)) for q in missing})
        return self._totals

    def respondent_counts(self, ids):
        totals = self._question_totals(ids)
        return {q: totals[q][0] for q in ids if totals[q][0]}

    def value_tables(self, ids):
        return tally_queries.value_tables(ids)

    def text_counts(self, ids):
        totals = self._question_totals(ids)
        return {q: totals[q][1] for q in ids if totals[q][1]}

    def moments(self, question_id):
        return tally_queries.moments(question_id)

    def binned_table(self, question_id, low, high):
        return tally_queries.binned_table(question_id, low, high)

    def text_page(self, question_id: int, n_texts: int) -> tuple[list[dict], int]:
        """The latest texts, live (through ix_answers_question_text); their
        number is the folded one, which a COUNT would have to scan for."""
        return queries.latest_texts(self.scope, question_id, TEXT_PAGE_SIZE), n_texts

    def words(self, question_id: int, n_texts: int, languages: list[str]) -> tuple[list, int]:
        """(top words, texts counted): every folded text."""
        return tally_queries.word_counts(question_id, stats.stop_words(languages)), n_texts


def _sample(invitations: dict, channels: list) -> dict:
    used = {channel for channel, _lang, n in channels if n}
    invited = invitations["invited"] > 0 and used <= {"invitation"}
    if invited:
        return {
            "type": "invited",
            "interval": "margin_of_error",
            "note": _("Respondents were invited personally from a list, so intervals are margins of error (95%)."),
        }
    return {
        "type": "open",
        "interval": "indicative",
        "note": _(
            "Anyone with the link could answer, so respondents chose themselves. The 95% intervals are "
            "indicative only: they show the uncertainty from the number of answers, not how well the "
            "respondents stand for the whole community."
        ),
    }


def _overview(durations: dict, status: dict, invitations: dict) -> dict:
    by_status = status["by_status"]
    completes = by_status.get("complete", 0)
    starts = sum(by_status.values())
    rates = None
    if invitations["invited"]:
        rr = stats.response_rates(
            i=invitations["completed"],
            p=invitations["partial"],
            uh=invitations["invited"] - invitations["completed"] - invitations["partial"],
        )
        rates = {
            **invitations,
            "rr1": rr["RR1"],
            "rr2": rr["RR2"],
            "note": _("AAPOR RR1 counts completed invitations, RR2 also partial ones, over all invitations."),
        }
    q = stats.quantiles_from_counts(durations) if durations else None
    return {
        "starts": starts,
        "completes": completes,
        "partials": by_status.get("partial", 0),
        "breakoffs": status["breakoffs"],
        "completion_rate": stats.completion_rate(completes, starts),
        "breakoff_rate": stats.breakoff_rate(status["breakoffs"], starts),
        "breakoff_definition": _(
            "A break-off is a partial response started more than %(hours)d hours ago.", hours=BREAKOFF_HOURS
        ),
        "response_rate": rates,
        "duration_seconds": None if q is None else {"n": q.n, "median": q.median, "q1": q.q1, "q3": q.q3},
    }


def _over_time(days: list[tuple], timezone: str) -> dict:
    counts: dict[date, int] = defaultdict(int)
    for day, n in days:
        counts[date.fromisoformat(day[:10])] += n
    daily = []
    if counts:
        first, last = min(counts), max(counts)
        if (last - first).days <= 730:  # fill gaps with real zeros so charts keep the time axis
            day = first
            while day <= last:
                daily.append({"period": day.isoformat(), "count": counts.get(day, 0)})
                day += timedelta(days=1)
        else:
            daily = [{"period": d.isoformat(), "count": n} for d, n in sorted(counts.items())]
    weeks: dict[date, int] = defaultdict(int)
    for day, n in counts.items():
        weeks[day - timedelta(days=day.weekday())] += n
    weekly = [
        {"period": "{}-W{:02d}".format(*start.isocalendar()[:2]), "start": start.isoformat(), "count": n}
        for start, n in sorted(weeks.items())
    ]
    return {"day": daily, "week": weekly, "timezone": timezone}


def _margin(rows: list, position: int, n_view: int) -> list[dict]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row[position]] += row[2]
    total = sum(totals.values())
    return [{"key": key, **_share(n, total)} for key, n in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


# ---- questions ----------------------------------------------------------


def _questions(survey, reads, language: str) -> list[dict]:
    questions = [q for q in ordered_questions(survey) if family_of(q)]
    by_family: dict[str, list] = defaultdict(list)
    for q in questions:
        by_family[family_of(q)].append(q)
    ids = lambda *families: [q.id for f in families for q in by_family.get(f, [])]  # noqa: E731

    counts: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for qid, item_id, option_id, n in reads.option_counts(ids("choice", "multi", "scale", "matrix")):
        counts[qid][item_id][option_id] = (int(n),)
    respondents = reads.respondent_counts(ids("multi", "matrix"))
    for qid, option_id, rank, n in reads.rank_counts(ids("ranking")):
        ranked, rank_sum, firsts = counts[qid][None].get(option_id, (0, 0.0, 0))
        counts[qid][None][option_id] = (
            ranked + int(n),
            rank_sum + float(rank) * int(n),
            firsts + (int(n) if rank == 1 else 0),
        )
        if rank == 1:
            # Ranks run 1..k without gaps (the type validates it), so every
            # ranking answer has exactly one first place.
            respondents[qid] = respondents.get(qid, 0) + int(n)
    tables, overflow = reads.value_tables(ids("rating", "number", "date"))
    with_other = [
        q for q in by_family.get("choice", []) + by_family.get("multi", []) if any(o.is_other for o in q.options)
    ]
    text_n = reads.text_counts(ids("text") + [q.id for q in with_other])
    word_languages = [lang for lang in (survey.languages or []) if lang in STOPWORDS] or ["id", "en"]

    result = []
    for q in questions:
        family = family_of(q)
        entry = {
            "id": q.id,
            "code": q.code,
            "type": q.type,
            "family": family,
            "title": q.text("title", language),
            "metric_role": q.metric_role,
            "retired": q.retired_at is not None,
        }
        if family in ("choice", "multi"):
            entry.update(_choice(q, counts[q.id][None], respondents.get(q.id) if family == "multi" else None, language))
            if q in with_other:
                items, _total = reads.text_page(q.id, text_n.get(q.id, 0))
                entry["other_texts"] = {"n": text_n.get(q.id, 0), "items": items, "page_size": TEXT_PAGE_SIZE}
        elif family == "scale":
            entry.update(_scale(q, counts[q.id][None], language))
        elif family == "matrix":
            entry.update(_matrix(q, counts[q.id], respondents.get(q.id, 0), language))
        elif family == "ranking":
            entry.update(_ranking(q, counts[q.id][None], respondents.get(q.id, 0), language))
        elif family == "rating":
            entry.update(_rating(q, tables.get(q.id, {})))
        elif family in ("number", "date"):
            entry.update(_numeric(q, reads, tables.get(q.id, {}), q.id in overflow, family == "date", language))
        elif family == "text":
            n_texts = text_n.get(q.id, 0)
            items, total = reads.text_page(q.id, n_texts)
            words, counted = reads.words(q.id, n_texts, word_languages)
            entry.update(
                {
                    "n": n_texts,
                    "answers": {"items": items, "total": total, "page_size": TEXT_PAGE_SIZE},
                    "words": _words(words, counted, n_texts),
                }
            )
        result.append(entry)
    return result


def _words(words: list, counted: int, n_texts: int) -> dict:
    """Word counts over every text when all were counted, else over the
    latest WORD_SAMPLE (filtered views)."""
    complete = counted >= n_texts
    note = (
        _("Word counts are taken from all answers.")
        if complete
        else _("Word counts are taken from the latest %(n)d answers.", n=WORD_SAMPLE)
    )
    return {
        "sample_size": counted,
        "sample_limit": None if complete else WORD_SAMPLE,
        "note": note,
        "items": [{"word": w, "count": c} for w, c in words],
    }


def _options(question, kind: str, seen: set) -> list:
    """Active options, plus retired ones that still have answers."""
    return [o for o in question.options if o.kind == kind and (o.retired_at is None or o.id in seen)]


def _choice(q, counts: dict, respondents: int | None, language: str) -> dict:
    n = respondents if respondents is not None else sum(c[0] for c in counts.values())
    options = [
        {"code": o.code, "label": o.text(language), "is_other": o.is_other, **_share(counts.get(o.id, (0,))[0], n)}
        for o in _options(q, "choice", set(counts))
    ]
    return {"n": n, "options": options}


def _level_table(q, counts: dict, language: str) -> dict:
    """Distribution, mean and top-2-box of one set of scale answers."""
    options = _options(q, "choice", set(counts))
    n = sum(c[0] for c in counts.values())
    distribution = [
        {"code": o.code, "label": o.text(language), "value": o.value, **_share(counts.get(o.id, (0,))[0], n)}
        for o in options
    ]
    valued = {o.value: counts.get(o.id, (0,))[0] for o in options if o.value is not None}
    scored = [o for o in options if o.value is not None]
    top_codes = [o.code for o in sorted(scored, key=lambda o: o.value)[-2:]]
    by_code = {o.code: counts.get(o.id, (0,))[0] for o in options}
    top = stats.top_box_share(by_code, top_codes) if n else None
    return {
        "n": n,
        "distribution": distribution,
        "mean": _mean_from_table(valued) if sum(valued.values()) else None,
        "top2": None if top is None else {**proportion(top), "levels": top_codes},
        "_valued": valued,
    }


def _scale(q, counts: dict, language: str) -> dict:
    entry = _level_table(q, counts, language)
    valued = entry.pop("_valued")
    entry["csat"] = None
    if q.metric_role == "satisfaction" and set(valued) == {1, 2, 3, 4, 5} and entry["n"]:
        entry["csat"] = proportion(stats.csat({int(v): c for v, c in valued.items()}))
    return entry


def _matrix(q, counts: dict, respondents: int, language: str) -> dict:
    items = []
    for item in _options(q, "item", set(counts)):
        table = _level_table(q, counts.get(item.id, {}), language)
        table.pop("_valued")
        items.append({"code": item.code, "label": item.text(language), **table})
    return {"n": respondents, "items": items}


def _ranking(q, counts: dict, respondents: int, language: str) -> dict:
    options = []
    for o in _options(q, "choice", set(counts)):
        ranked, rank_sum, firsts = counts.get(o.id, (0, 0.0, 0))
        options.append(
            {
                "code": o.code,
                "label": o.text(language),
                "n_ranked": ranked,
                "mean_rank": rank_sum / ranked if ranked else None,
                "first": _share(firsts, respondents),
            }
        )
    return {"n": respondents, "options": options}


def _rating(q, table: dict[float, int]) -> dict:
    kind = QUESTION_TYPES[q.type]
    low, high = kind.low, kind.high
    valid = {v: c for v, c in table.items() if low <= v <= high and float(v).is_integer()}
    n = sum(valid.values())
    entry = {
        "n": n,
        "scale": [low, high],
        "invalid": sum(table.values()) - n,
        "distribution": [{"value": v, **_share(valid.get(float(v), 0), n)} for v in range(low, high + 1)],
        "mean": _mean_from_table(valid) if n else None,
        "recommend": None,
        "trust": None,
    }
    role = q.metric_role or ""
    if n and (low, high) == (0, 10) and role == "recommend":
        r = stats.recommend_score(valid)
        entry["recommend"] = {
            "n": r.n,
            "score": r.score,
            "se": r.se,
            "low": r.low,
            "high": r.high,
            "promoters": r.promoters,
            "passives": r.passives,
            "detractors": r.detractors,
        }
    if n and (low, high) == (0, 10) and role.startswith("trust:"):
        t = stats.trust_bands(valid)
        entry["trust"] = {
            "n": t.n,
            "low": proportion(t.low),
            "neutral": proportion(t.neutral),
            "high": proportion(t.high),
            "mean": mean(t.mean),
        }
    return entry


def _histogram(table: dict[float, float], bins: int = 10) -> list[dict]:
    """One bin per value when there are few distinct values, else equal bins."""
    values = sorted(table)
    if not values:
        return []
    if len(values) <= 15:
        return [{"low": v, "high": v, "count": _num(table[v])} for v in values]
    low, high = values[0], values[-1]
    width = (high - low) / bins
    counts = [0] * bins
    for v, c in table.items():
        counts[min(int((v - low) / width), bins - 1)] += c
    return [{"low": low + k * width, "high": low + (k + 1) * width, "count": _num(counts[k])} for k in range(bins)]


def _numeric(q, reads, table: dict[float, int], overflowed: bool, is_date: bool, language: str) -> dict:
    approximate = False
    if overflowed:
        m = reads.moments(q.id)
        n, total, total_sq, low, high = m
        width = (high - low) / queries.BINS or 1.0
        binned = reads.binned_table(q.id, low, high)
        table = {low + (k + 0.5) * width: c for k, c in binned.items()}
        quart = stats.quantiles_from_counts(table)
        mci = stats.mean_ci_from_sums(n, total, total_sq)
        extremes = (low, high)
        approximate = True
    else:
        quart = stats.quantiles_from_counts(table) if table else None
        mci = None
        if quart:
            mci = stats.mean_ci_from_sums(
                quart.n, sum(v * c for v, c in table.items()), sum(v * v * c for v, c in table.items())
            )
        extremes = (quart.min, quart.max) if quart else (None, None)
    if quart is None:
        return {"n": 0, "mean": None, "quartiles": None, "histogram": [], "approximate": False}
    convert = _as_date if is_date else (lambda v: v)
    m = mean(mci)
    if is_date:
        m = {
            "n": m["n"],
            "mean": _as_date(m["mean"]),
            "sd_days": m["sd"],
            "low": _as_date(m["low"]),
            "high": _as_date(m["high"]),
        }
    hist = _histogram(table)
    if is_date:
        hist = [{"low": _as_date(b["low"]), "high": _as_date(b["high"]), "count": b["count"]} for b in hist]
    return {
        "n": quart.n if not overflowed else n,
        "mean": m,
        "quartiles": {
            "min": convert(extremes[0]),
            "q1": convert(quart.q1),
            "median": convert(quart.median),
            "q3": convert(quart.q3),
            "max": convert(extremes[1]),
        },
        "histogram": hist,
        "approximate": approximate,
        "unit": _unit(q, language),
    }


def _unit(q, language: str) -> str | None:
    unit = (q.settings or {}).get("unit")
    if isinstance(unit, dict):
        return pick_language(unit, language, q.survey.default_language) or None
    return unit or None


def _as_date(days: float | None) -> str | None:
    if days is None:
        return None
    return (EPOCH + timedelta(days=round(days))).isoformat()
