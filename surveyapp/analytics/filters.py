"""Which responses a summary covers: a plain value object, parsed from a
query string against allow-lists (never trusted as given)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..questions import QUESTION_TYPES
from ..responses.models import Channel, ResponseStatus

COMPLETE_ONLY = (ResponseStatus.COMPLETE.value,)
ALL_STATUSES = (ResponseStatus.COMPLETE.value, ResponseStatus.PARTIAL.value)


class FilterError(ValueError):
    """A filter that names something that does not exist or makes no sense;
    the message is meant for the user (the page answers 400)."""


@dataclass(frozen=True)
class Filters:
    """Response filters. ``answers`` holds (question_id, option_ids): a
    response qualifies when it chose any of the options of every listed
    question. Dates are local calendar days of the organisation, inclusive,
    on the submission time (start time for partial responses)."""

    statuses: tuple[str, ...] = COMPLETE_ONLY
    date_from: date | None = None
    date_to: date | None = None
    channels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    answers: tuple[tuple[int, tuple[int, ...]], ...] = ()
    timezone: str = "Asia/Jakarta"
    # The raw parameters as given (codes, not ids), echoed in the summary.
    echo: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def segmented(self) -> bool:
        """True when the filter selects a subgroup (anything beyond status)."""
        return bool(self.date_from or self.date_to or self.channels or self.languages or self.answers)

    def base(self) -> Filters:
        """The same population without the subgroup: what a filtered view
        could be subtracted from."""
        return Filters(statuses=self.statuses, timezone=self.timezone)

    def key(self) -> tuple:
        return (self.statuses, self.date_from, self.date_to, self.channels, self.languages, self.answers)

    def utc_bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) in naive UTC for the local-day range."""
        zone = ZoneInfo(self.timezone)

        def to_utc(day: date) -> datetime:
            local = datetime.combine(day, time.min, tzinfo=zone)
            try:
                return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            except OverflowError:
                # 0001-01-01 or 9999-12-31 shifted past what a datetime
                # holds: the bound is "the beginning" or "the end" of time.
                return datetime.min if day.year == date.min.year else datetime.max

        start = to_utc(self.date_from) if self.date_from else None
        # The last day a date holds has no next day: no upper bound then.
        end = to_utc(self.date_to + timedelta(days=1)) if self.date_to and self.date_to < date.max else None
        return start, end


# Filter days are local and turned into UTC bounds (the day after ``to``
# included): near date.min or date.max that overflows. No response is
# outside these years anyway.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def parse_day(value: str | None, label: str) -> date | None:
    """An ISO day from a query string (None if empty); raises FilterError
    for anything else or a day outside FIRST_DAY..LAST_DAY."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise FilterError(_("%(label)s is not a date like 2026-08-17.", label=label)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FilterError(
            _(
                "%(label)s must be between %(first)s and %(last)s.",
                label=label,
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        )
    return day


def parse_filters(args, survey, timezone: str = "Asia/Jakarta") -> Filters:
    """Filters from query-string ``args`` (a MultiDict); raises FilterError.

    status=all includes partial responses; from/to are ISO dates; channel and
    language may repeat; answer=<question code>:<option code> may repeat
    (options of one question are OR-ed, questions are AND-ed); only choice
    questions of this survey can be filtered on.
    """
    status = (args.get("status") or "complete").strip()
    if status not in ("complete", "all"):
        raise FilterError(_("Unknown response status filter. Use complete or all."))
    date_from = parse_day(args.get("from"), _("The start date"))
    date_to = parse_day(args.get("to"), _("The end date"))
    if date_from and date_to and date_from > date_to:
        raise FilterError(
            _(
                "The start date (%(start)s) is after the end date (%(end)s).",
                start=date_from.isoformat(),
                end=date_to.isoformat(),
            )
        )
    known_channels = {c.value for c in Channel}
    channels = tuple(sorted({c.strip() for c in args.getlist("channel") if c.strip()}))
    for channel in channels:
        if channel not in known_channels:
            raise FilterError(_("Unknown channel: %(value)s.", value=channel))
    languages = tuple(sorted({c.strip() for c in args.getlist("language") if c.strip()}))
    for language in languages:
        if language not in (survey.languages or []):
            raise FilterError(_("This survey is not offered in the language %(value)s.", value=language))
    chosen: dict[int, set[int]] = {}
    echo_answers = []
    filterable = {q.code: q for q in survey.questions if q.type in FILTERABLE_TYPES}
    for raw in args.getlist("answer"):
        raw = raw.strip()
        if not raw:
            continue
        code, _sep, option_code = raw.partition(":")
        question = filterable.get(code)
        if question is None:
            raise FilterError(_("There is no choice question with the code %(code)s in this survey.", code=code))
        option = next((o for o in question.options if o.kind == "choice" and o.code == option_code), None)
        if option is None:
            raise FilterError(_("Question %(code)s has no option %(option)s.", code=code, option=option_code))
        chosen.setdefault(question.id, set()).add(option.id)
        echo_answers.append(raw)
    answers = tuple(sorted((qid, tuple(sorted(ids))) for qid, ids in chosen.items()))
    echo = {
        "status": status,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "channel": list(channels),
        "language": list(languages),
        "answer": sorted(echo_answers),
    }
    return Filters(
        statuses=ALL_STATUSES if status == "all" else COMPLETE_ONLY,
        date_from=date_from,
        date_to=date_to,
        channels=channels,
        languages=languages,
        answers=answers,
        timezone=timezone,
        echo=echo,
    )


FILTERABLE_TYPES = tuple(name for name, qtype in QUESTION_TYPES.items() if qtype.filterable)


def with_dates(filters: Filters, date_from: date | None, date_to: date | None) -> Filters:
    return replace(filters, date_from=date_from, date_to=date_to)
