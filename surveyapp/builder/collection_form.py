"""The collection settings of a survey: schedule, cap and resident-side
switches (minimum time, one per browser, public results, poll results).

Dates are typed in the organisation's time zone and stored as naive UTC,
like every other timestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional, ValidationError

SWITCHES = ("one_per_browser", "public_results", "show_results_after_vote")


class CollectionForm(FlaskForm):
    opens_at = DateTimeLocalField(
        _l("Opens at"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
        description=_l("Leave empty to accept answers as soon as the survey is published."),
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"),
        validators=[Optional()],
        format="%Y-%m-%dT%H:%M",
        description=_l("Leave empty to keep the survey open until you close it."),
    )
    response_cap = IntegerField(
        _l("Most complete responses"),
        validators=[Optional(), NumberRange(min=1, max=10_000_000, message=_l("Enter a number of at least 1."))],
        description=_l(
            "The survey shows a friendly 'full' page after this many complete responses. Leave empty for no limit."
        ),
    )
    min_seconds = IntegerField(
        _l("Minimum seconds to answer"),
        validators=[Optional(), NumberRange(min=0, max=3600, message=_l("Choose a number from 0 to 3600."))],
        description=_l("Faster complete responses are kept but flagged for you to check (a sign of bots)."),
    )
    one_per_browser = BooleanField(_l("One response per browser (open links)"))
    public_results = BooleanField(_l("Publish the results for residents (small groups are hidden)"))
    show_results_after_vote = BooleanField(_l("Quick polls: show the current results after voting"))
    submit = SubmitField(_l("Save collection settings"))

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))


def to_utc(local: datetime | None, tz_name: str) -> datetime | None:
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(UTC).replace(tzinfo=None)


def to_local(utc: datetime | None, tz_name: str) -> datetime | None:
    if utc is None:
        return None
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def form_for(survey, tz_name: str, formdata=None) -> CollectionForm:
    settings = survey.settings or {}
    return CollectionForm(
        formdata=formdata,
        opens_at=to_local(survey.opens_at, tz_name),
        closes_at=to_local(survey.closes_at, tz_name),
        response_cap=survey.response_cap,
        min_seconds=settings.get("min_seconds"),
        **{key: bool(settings.get(key)) for key in SWITCHES},
    )
