"""What the programme report shows, taken from the metric set of one window
(programmes/metrics.py: compute_set): facts, every metric with its value, n,
interval and change from the previous window, the table of who is and is
not being heard, the stories, the "you said, we did" list and a methods note.

Every figure is formatted here, once, in the report's language, so the print
page and the PDF show the same strings. Segment figures go through the
programmes' privacy floor (metrics_pure.suppress_small, as the metric CSV
download does): a group under k keeps its label and loses its figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale, format_date, format_decimal, format_number, format_percent, ngettext
from flask_babel import gettext as _

from .. import charts
from ..extensions import db
from ..orgs.models import Organisation
from ..programmes import metrics as programme_metrics
from ..programmes.metrics_pure import suppress_small
from ..programmes.models import Programme
from ..programmes.services import margins_of
from ..programmes.windows import Window
from .programme_queries import actions_in, linked_surveys

LANGUAGES = ("id", "en")
COUNT_UNITS = ("people", "items", "actions", "stories", "questions")
# The metrics the dashboard charts; the report draws the same trends.
CHARTED = ("M1", "M2", "M3", "M7", "M9", "M10", "E3", "E4")
BY_GROUP = ("M3", "M6", "M7")  # metrics whose value is also shown per group
QUOTES_PER_ACTION = 5
DASH = "—"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns


@dataclass
class Chart:
    """A chart drawn on demand in the format the medium wants (PNG for the PDF, SVG for the page)."""

    key: str
    alt: str
    kind: str  # trend | representation
    data: list
    unit: str = ""

    def render(self, fmt: str) -> bytes | None:
        if self.kind == "trend":
            return charts.trend(self.data, self.unit, fmt)
        return charts.representation(self.data, programme_metrics.UNDER_THRESHOLD, fmt)


@dataclass
class MetricBlock:
    code: str
    name: str
    definition: str
    unit: str
    value: str
    n: str
    interval: str
    previous_window: str | None
    previous: str
    change: str
    reason: str | None
    raw: dict
    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    trend: Table | None = None
    chart: Chart | None = None


@dataclass
class ActionEntry:
    description: str
    status: str
    action_date: str
    team: str
    published: str
    said_count: int
    said_dates: str
    quotes: list[str]
    said_note: str


@dataclass
class ProgrammeReport:
    organisation: str
    title: str
    language: str
    programme_id: int
    window_key: str
    k: int
    facts: list[tuple[str, str]]
    notice: str | None
    metrics: list[MetricBlock]
    heard: Table | None
    heard_note: str
    heard_chart: Chart | None
    stories: list[dict]
    actions: list[ActionEntry]
    methods: list[str]
    metric_set: dict


class LanguageError(ValueError):
    """A report language other than Indonesian or English."""


def report_language(requested: str | None, organisation: Organisation) -> str:
    """``requested`` if given (id or en, else LanguageError), else the organisation's language."""
    if requested:
        if requested not in LANGUAGES:
            raise LanguageError(requested)
        return requested
    return organisation.default_language if organisation.default_language in LANGUAGES else "id"


# ---- formatting (the rules of templates/programmes/_metric.html) -------------------


def fmt(value, unit: str) -> str:
    if value is None:
        return _("no data")
    if unit == "share":
        return format_percent(value, "#,##0.0%")
    if unit in COUNT_UNITS:
        return format_number(value)
    if unit == "seconds":
        return _("%(m)d min %(s)02d s", m=int(value // 60), s=int(value % 60))
    return format_decimal(value, "#,##0.0#")


def interval(low, high, unit: str) -> str:
    if low is None or high is None:
        return DASH
    return f"{fmt(low, unit)} – {fmt(high, unit)}"


def change(value, before, unit: str) -> str:
    """This window minus the previous one; a share changes in percentage points."""
    if value is None or before is None:
        return DASH
    diff = value - before
    if unit == "share":
        return _("%(change)s percentage points", change=format_decimal(diff * 100, "+#,##0.0;-#,##0.0"))
    if unit == "seconds":
        return _("%(change)s s", change=format_decimal(diff, "+#,##0;-#,##0"))
    return format_decimal(diff, "+#,##0.0#;-#,##0.0#")


def _decimal(value, pattern: str = "0.0#") -> str:
    return DASH if value is None else format_decimal(value, pattern)


# ---- the parts -----------------------------------------------------------------------


def _group_table(metric: dict, k: int) -> Table | None:
    rows = suppress_small(metric["segments"], k)
    if not rows:
        return None
    unit = metric["unit"]
    return Table(
        _("By group"),
        [_("Dimension"), _("Group"), _("Value"), _("n"), _("%(p)d%% interval", p=95)],
        [
            [
                r["dimension"],
                r["category"],
                _("fewer than %(k)d", k=k) if r.get("suppressed") else fmt(r["value"], unit),
                DASH if r.get("suppressed") else format_number(r["n"]),
                DASH if r.get("suppressed") else interval(r.get("low"), r.get("high"), unit),
            ]
            for r in rows
        ],
        [False, False, True, True, True],
    )


def _details(m: dict, k: int) -> tuple[list[str], list[Table]]:
    """The lines and tables the dashboard shows under each metric, with small groups suppressed."""
    code, d = m["code"], m["details"] or {}
    lines: list[str] = []
    tables: list[Table] = []
    if m["value"] is None and code != "M8":
        return lines, tables
    if code == "M1":
        lines.append(
            _(
                "Identified: %(a)s · anonymous: %(b)s",
                a=format_number(d["identified"]),
                b=format_number(d["anonymous_responses"] + d["anonymous_attendance"]),
            )
        )
    elif code == "M3":
        lines.append(_("Average answer: %(m)s of 5", m=_decimal(d.get("mean"), "0.0")))
        per = suppress_small(d.get("per_activity") or [], k)
        if per:
            tables.append(
                Table(
                    _("Per activity"),
                    [_("Activity"), "CSAT", _("n")],
                    [
                        [
                            r["activity"] or DASH,
                            _("fewer than %(k)d", k=k) if r.get("suppressed") else fmt(r["value"], "share"),
                            DASH if r.get("suppressed") else format_number(r["n"]),
                        ]
                        for r in per
                    ],
                    [False, True, True],
                )
            )
    elif code == "M4":
        lines.append(_("Median: %(m)s", m=_decimal(d.get("median"), "0.#")))
        tables.append(
            Table(
                _("People by number of participations"),
                [_("Participations"), _("People")],
                [[str(times), format_number(people)] for times, people in d["distribution"].items()],
                [True, True],
            )
        )
    elif code == "M5":
        for cmp in d.get("comparisons") or []:
            tables.append(
                Table(
                    _(
                        "%(series)s: wave %(a)s → %(b)s (%(design)s)",
                        series=cmp["series"],
                        a=cmp["before_wave"],
                        b=cmp["after_wave"],
                        design=cmp["design"],
                    ),
                    [_("Question"), _("Change"), _("%(p)d%% interval", p=95), "p"],
                    [
                        [
                            ch["question"] + (" *" if ch.get("significant") else ""),
                            _decimal(ch.get("estimate"), "+0.00;-0.00"),
                            interval(ch.get("low"), ch.get("high"), "decimal") if ch.get("low") is not None else DASH,
                            _decimal(ch.get("p_adjusted"), "0.000"),
                        ]
                        for ch in cmp["changes"]
                    ],
                    [False, True, True, True],
                )
            )
        lines.append(
            _(
                "* significant after correcting for many questions (Benjamini–Hochberg, %(alpha)s).",
                alpha=format_percent(0.05),
            )
        )
    elif code == "M7":
        lines.append(
            _("Institution: %(i)s · average %(m)s of 10", i=d["institution"], m=_decimal(d.get("mean"), "0.0"))
        )
    elif code == "M8" and d.get("indicators"):
        tables.append(
            Table(
                _("Indicators"),
                [_("Indicator"), _("Baseline"), _("Value"), _("Target")],
                [
                    [
                        r["name"],
                        _decimal(r["baseline"], "0.##"),
                        _decimal(r["value"], "0.##") if r["value"] is not None else _("no data"),
                        _decimal(r["target"], "0.##"),
                    ]
                    for r in d["indicators"]
                ],
                [False, True, True, True],
            )
        )
    elif code == "M9":
        lines.append(_("Positive: %(n)s", n=format_number(d["positive"])))
    elif code == "M10":
        lines.append(f"{_('Follow-up rate')}: {fmt(d.get('rate'), 'share')}")
        lines.append(
            f"{_('Median days to first action')}: "
            f"{_decimal(d.get('median_days'), '0.#') if d.get('median_days') is not None else _('no data')}"
            f" · {_('Published')}: {fmt(d.get('published_share'), 'share')}"
        )
    elif code == "M11":
        minutes = d.get("invitation_median_minutes")
        lines.append(
            f"{_('From invitation to response (median)')}: "
            + (_("%(h)s hours", h=format_decimal(minutes / 60, "0.#")) if minutes is not None else _("no data"))
        )
    elif code == "E1":
        visible = [r for r in suppress_small(m["segments"], k) if not r.get("suppressed") and r.get("under")]
        if visible:
            lines.append(
                _("Under-represented:")
                + " "
                + ", ".join(f"{r['category']} ({format_decimal(r['index'], '0.00')})" for r in visible)
            )
    elif code == "E2":
        tables.append(
            Table(
                _("Per dimension"),
                [_("Dimension"), _("Value")],
                [[dim, format_decimal(score, "0.00")] for dim, score in (d.get("dimensions") or {}).items()],
                [False, True],
            )
        )
    elif code == "E3":
        lines.append(_("Gini: %(g)s", g=_decimal(d.get("gini"), "0.00")))
    elif code == "E4":
        lines.append(_("New: %(a)s · returning: %(b)s", a=format_number(d["new"]), b=format_number(d["returning"])))
    elif code == "E5":
        tables.append(
            Table(
                _("By channel"),
                [_("Channel"), _("n"), _("Share")],
                [[ch, format_number(c["count"]), fmt(c["share"], "share")] for ch, c in d["channels"].items()],
                [False, True, True],
            )
        )
    return lines, tables


def _metric_block(m: dict, window_key: str, lang: str, k: int) -> MetricBlock:
    unit = m["unit"]
    previous = m["trend"][-1] if m["trend"] else None
    lines, tables = _details(m, k)
    if m["code"] in BY_GROUP and m["value"] is not None:
        group = _group_table(m, k)
        if group:
            tables.append(group)
    name = m["name"][lang]
    points = [(t["window"], t["value"]) for t in m["trend"]] + [(window_key, m["value"])]
    trend = Table(
        _("Trend"),
        [_("Period"), _("Value"), _("n")],
        [
            [key, fmt(value, unit), format_number(n)]
            for key, value, n in [(t["window"], t["value"], t["n"]) for t in m["trend"]]
            + [(window_key, m["value"], m["n"])]
        ],
        [False, True, True],
    )
    chart = None
    if m["code"] in CHARTED and any(v is not None for _, v in points):
        chart = Chart(
            f"trend-{m['code']}",
            _(
                "Trend of %(name)s over the last five periods: %(points)s",
                name=name,
                points=", ".join(key for key, _v in points),
            )
            + ". "
            + _("The values are in the table beside it."),
            "trend",
            points,
            unit,
        )
    return MetricBlock(
        code=m["code"],
        name=name,
        definition=m["definition"][lang],
        unit=unit,
        value=fmt(m["value"], unit),
        n=format_number(m["n"]) if m["value"] is not None else DASH,
        interval=interval(m["low"], m["high"], unit),
        previous_window=previous["window"] if previous else None,
        previous=fmt(previous["value"], unit) if previous else DASH,
        change=change(m["value"], previous["value"] if previous else None, unit),
        reason=m["reason"]["message"] if m["reason"] else None,
        raw=m,
        lines=lines,
        tables=tables,
        trend=trend,
        chart=chart,
    )


def _heard(by_code: dict, k: int) -> tuple[Table | None, Chart | None]:
    """Who is and is not being heard: participants, population, participation rate and
    representation index per group (E1), or participants per group without population figures."""
    e1 = by_code["E1"]
    if e1["segments"]:
        rows = suppress_small(e1["segments"], k)
        table_rows = []
        for original, r in zip(e1["segments"], rows):
            hidden = r.get("suppressed")
            population = original["population"]  # the organiser's own census figure, not a respondent count
            table_rows.append(
                [
                    r["dimension"],
                    r["category"],
                    _("fewer than %(k)d", k=k) if hidden else format_number(r["n"]),
                    format_number(population),
                    DASH if hidden else fmt(r["n"] / population if population else None, "share"),
                    DASH if hidden else format_decimal(r["index"], "0.00"),
                    _("under-represented") if not hidden and r["under"] else "",
                ]
            )
        table = Table(
            _("Participation rate (M2) and representation index (E1) per group; index below 0.8 is flagged"),
            [
                _("Dimension"),
                _("Group"),
                _("Participants"),
                _("Population"),
                _("Participation rate"),
                _("Representation index"),
                "",
            ],
            table_rows,
            [False, False, True, True, True, True, False],
        )
        visible = [r for r in rows if not r.get("suppressed")]
        chart = None
        if any(r.get("index") is not None for r in visible):
            chart = Chart(
                "representation",
                _(
                    "Bar chart of the representation index per group; 1 means proportional, "
                    "below 0.8 the group is under-represented."
                )
                + " "
                + _("The values are in the table beside it."),
                "representation",
                visible,
            )
        return table, chart
    m1 = by_code["M1"]
    if not m1["segments"]:
        return None, None
    rows = suppress_small(m1["segments"], k)
    return Table(
        _("Participants per group (the programme has no population figures)"),
        [_("Dimension"), _("Group"), _("Participants")],
        [
            [
                r["dimension"],
                r["category"],
                _("fewer than %(k)d", k=k) if r.get("suppressed") else format_number(r["n"]),
            ]
            for r in rows
        ],
        [False, False, True],
    ), None


def _action_entry(action, k: int) -> ActionEntry:
    statuses = {"planned": _("Planned"), "in_progress": _("In progress"), "done": _("Done")}
    said = sorted(action.feedback, key=lambda f: (f.received_at, f.id))
    n = len(said)
    dates = ""
    if said:
        # Datetimes (stored in UTC) are shown as dates in the organisation's time zone.
        first, last = format_date(said[0].received_at), format_date(said[-1].received_at)
        dates = first if first == last else f"{first} – {last}"
    if n >= k:  # the rule of the public "you said, we did" page
        quotes, note = [f.text for f in said[:QUOTES_PER_ACTION]], ngettext("%(num)d comment", "%(num)d comments", n)
    else:
        topics = sorted({f.topic for f in said if f.topic})
        quotes = []
        note = _(
            "In answer to feedback from a small number of residents (fewer than %(k)d, so their words are not shown).",
            k=k,
        )
        if topics:
            note += " " + _("Topics: %(topics)s", topics=", ".join(topics))
    return ActionEntry(
        description=action.description,
        status=statuses.get(action.status, action.status),
        action_date=format_date(action.action_date),
        team=action.team or "",
        published=_("published") if action.published else _("not published"),
        said_count=n,
        said_dates=dates,
        quotes=quotes,
        said_note=note,
    )


def _facts(programme: Programme, window: Window, by_code: dict, surveys, k: int, lang: str) -> list[tuple[str, str]]:
    facts = [(_("Period shown"), f"{window.key} ({format_date(window.start)} – {format_date(window.end)})")]
    if programme.area:
        facts.append((_("Area"), programme.area))
    listed = []
    for s in surveys:
        where = _("series %(series)s, wave %(wave)s", series=s.series, wave=s.wave) if s.series else _("no series")
        listed.append(
            _(
                "%(title)s (%(where)s): %(n)s complete responses in the period",
                title=s.survey.text("title", lang),
                where=where,
                n=format_number(s.responses),
            )
        )
    facts.append((_("Surveys included"), "; ".join(listed) if listed else _("none")))
    m1 = by_code["M1"]
    if m1["value"] is None:
        facts.append((_("Participants"), _("no data")))
    else:
        d = m1["details"]
        facts.append(
            (
                _("Participants"),
                f"{format_number(m1['value'])} ("
                + _(
                    "Identified: %(a)s · anonymous: %(b)s",
                    a=format_number(d["identified"]),
                    b=format_number(d["anonymous_responses"] + d["anonymous_attendance"]),
                )
                + ")",
            )
        )
    margins = margins_of(programme)
    population = []
    if programme.community_size:
        population.append(_("community size %(n)s", n=format_number(programme.community_size)))
    if margins:
        population.append(_("population figures by %(dimensions)s", dimensions=", ".join(sorted(margins))))
    facts.append((_("Population used"), "; ".join(population) if population else _("none")))
    facts.append((_("Privacy floor"), _("groups with fewer than %(k)d people are shown without figures", k=k)))
    return facts


def _methods(blocks: list[MetricBlock], surveys, k: int, lang: str) -> list[str]:
    lines = [
        _("Shares are shown with 95% Wilson score intervals; means with t intervals."),
        _(
            "Each figure is compared with the period of the same length just before this one; the trend table "
            "shows the four periods before it."
        ),
    ]
    answered = [s for s in surveys if s.responses]
    open_link = [s for s in answered if set(s.channels) - {"invitation"}]
    if open_link:
        lines.append(
            _(
                "Open-link surveys in this period: %(surveys)s.",
                surveys=", ".join(s.survey.text("title", lang) for s in open_link),
            )
        )
        lines.append(
            _(
                "This was an open link: results are indicative and describe the people who answered, not the whole community (AAPOR)."
            )
        )
    elif answered:
        lines.append(_("Respondents were invited personally from a list, so intervals are margins of error (95%)."))
    lines.append(_("Groups with fewer than %(k)d answers are hidden so nobody can be identified.", k=k))
    lines.append(
        _('"You said, we did": residents\' words are quoted only when at least %(k)d comments back an action.', k=k)
    )
    lines.extend(f"{b.code} · {b.name}: {b.definition}" for b in blocks)
    return lines


def build(
    programme: Programme, window: Window, language: str | None = None, trend: int = programme_metrics.TREND_WINDOWS
) -> ProgrammeReport:
    """The report of ``programme`` for ``window`` in ``language`` (id or en; default: the organisation's)."""
    organisation = db.session.get(Organisation, programme.organisation_id)
    lang = report_language(language, organisation)
    k = organisation.privacy_min_cell
    metric_set = programme_metrics.compute_set(programme, window, trend=trend)
    by_code = {m["code"]: m for m in metric_set["metrics"]}
    start, end = window.utc_bounds(organisation.timezone or "Asia/Jakarta")
    surveys = linked_surveys(programme.id, start, end)
    actions = actions_in(programme.id, window)
    with force_locale(lang):
        blocks = [_metric_block(m, window.key, lang, k) for m in metric_set["metrics"]]
        heard, heard_chart = _heard(by_code, k)
        stories = [
            {"title": s["title"], "told_on": format_date(date.fromisoformat(s["told_on"])), "body": s["body"]}
            for s in (by_code["M12"]["details"] or {}).get("stories", [])
        ]
        notice = None
        if all(m["value"] is None for m in metric_set["metrics"]):
            notice = (
                (_("No survey is linked to this programme yet.") if not surveys else "")
                + " "
                + _(
                    "There are no figures for this period yet: no complete survey responses, attendance, feedback, "
                    "actions or stories were recorded in it. Choose another period, or link surveys and record "
                    "activities to fill this report."
                )
            )
        return ProgrammeReport(
            organisation=organisation.name,
            title=programme.name,
            language=lang,
            programme_id=programme.id,
            window_key=window.key,
            k=k,
            facts=_facts(programme, window, by_code, surveys, k, lang),
            notice=notice.strip() if notice else None,
            metrics=blocks,
            heard=heard,
            heard_note=_(
                "Groups with fewer than %(k)d participants are shown without figures so nobody can be identified.", k=k
            ),
            heard_chart=heard_chart,
            stories=stories,
            actions=[_action_entry(a, k) for a in actions],
            methods=_methods(blocks, surveys, k, lang),
            metric_set=metric_set,
        )


def headline_table(report: ProgrammeReport) -> Table:
    """One row per metric: value, n, interval, the previous period and the change (call in the report's locale)."""
    return Table(
        "",
        [_("Metric"), _("Value"), _("n"), _("%(p)d%% interval", p=95), _("Previous period"), _("Change")],
        [
            [
                f"{b.code} {b.name}",
                b.value,
                b.n,
                b.interval,
                f"{b.previous} ({b.previous_window})" if b.previous_window else DASH,
                b.change,
            ]
            for b in report.metrics
        ],
        [False, True, True, True, True, True],
    )
