"""What a report shows, taken from the analytics summary document: facts,
one table per question (share with its 95% interval, or a mean), notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _

from ..analytics.filters import Filters
from ..analytics.service import summary_for
from ..orgs.models import Organisation


@dataclass
class Row:
    label: str
    count: float | None
    share: float | None  # 0..1, or a mean when ``is_mean``
    low: float | None
    high: float | None
    is_mean: bool = False


@dataclass
class QuestionBlock:
    code: str
    title: str
    n: int | None
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def _share_row(label: str, cell: dict | None) -> Row:
    cell = cell or {}
    return Row(str(label), cell.get("count"), cell.get("p"), cell.get("low"), cell.get("high"))


def _mean_row(label: str, mean: dict | None) -> Row:
    mean = mean or {}
    return Row(str(label), mean.get("n"), mean.get("mean"), mean.get("low"), mean.get("high"), True)


def question_block(entry: dict) -> QuestionBlock:
    block = QuestionBlock(entry.get("code", ""), entry.get("title", ""), entry.get("n"))
    family = entry.get("family")
    if family == "ranking":
        block.rows = [_share_row(o.get("label", o.get("code")), o.get("first")) for o in entry.get("options") or []]
        block.note = _("Share ranking each option first.")
    elif entry.get("options"):
        block.rows = [_share_row(o.get("label", o.get("code")), o) for o in entry["options"]]
        if family == "multi":
            block.note = _("Several answers could be chosen, so shares add up to more than 100%.")
    elif family == "matrix":
        block.rows = [
            _mean_row(item.get("label", item.get("code")), item.get("mean")) for item in entry.get("items") or []
        ]
        block.note = _("Mean score per row, with its 95% interval.")
    elif entry.get("distribution"):
        block.rows = [_share_row(d.get("label") or d.get("value"), d) for d in entry["distribution"]]
        if entry.get("mean"):
            block.rows.append(_mean_row(_("Mean"), entry["mean"]))
    elif entry.get("mean"):
        block.rows = [_mean_row(_("Mean"), entry["mean"])]
    elif family == "text":
        block.note = _("Open answers: %(n)s. Read them in Suara.", n=entry.get("n") or 0)
    if entry.get("suppressed"):
        block.note = _("Hidden: too few answers to show without identifying people.")
    return block


@dataclass
class Report:
    organisation: str
    title: str
    language: str
    summary: dict
    facts: list[tuple[str, str]]
    questions: list[QuestionBlock]
    methods: list[str]


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def build(survey, filters: Filters | None = None, language: str | None = None) -> Report:
    """The report content in the survey's language (or ``language``)."""
    organisation = survey_organisation(survey)
    language = language if language in (survey.languages or []) else survey.default_language
    filters = filters or Filters(timezone=organisation.timezone)
    summary = summary_for(survey, filters, language, privacy_k=organisation.privacy_min_cell)
    ui_language = language if language in ("id", "en") else "en"
    with force_locale(ui_language):
        overview = summary.get("overview") or {}
        over_time = (summary.get("over_time") or {}).get("day") or []
        channels = ", ".join(f"{c.get('key')} ({c.get('count')})" for c in summary.get("by_channel") or [])
        facts = [
            (_("Responses (n)"), str(summary.get("n", 0))),
            (_("Dates"), f"{over_time[0]['period']} – {over_time[-1]['period']}" if over_time else "—"),
            (_("Channels"), channels or "—"),
            (_("Completion rate"), _percent(overview.get("completion_rate"))),
        ]
        rates = overview.get("response_rate")
        if rates:
            facts.append((_("Response rate (AAPOR RR1)"), _percent(rates.get("rr1"))))
        echo = {k: v for k, v in (summary.get("filters") or {}).items() if v and k != "status"}
        facts.append((_("Filters"), "; ".join(f"{k}: {v}" for k, v in echo.items()) or _("none")))
        sample = summary.get("sample") or {}
        methods = [
            _("Shares are shown with 95% Wilson score intervals; means with t intervals."),
            sample.get("note") or "",
            _(
                "Groups with fewer than %(k)d answers are hidden so nobody can be identified.",
                k=organisation.privacy_min_cell,
            ),
        ]
        if sample.get("type") == "open":
            methods.append(
                _(
                    "This was an open link: results are indicative and describe the people who answered, not the whole community (AAPOR)."
                )
            )
        questions = [question_block(entry) for entry in summary.get("questions") or []]
    return Report(
        organisation.name,
        summary.get("survey", {}).get("title") or survey.text("title", language),
        ui_language,
        summary,
        facts,
        questions,
        [m for m in methods if m],
    )


def survey_organisation(survey) -> Organisation:
    from ..extensions import db

    return db.session.get(Organisation, survey.organisation_id)
