"""Forms of the programme pages (organiser and public)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..limits import MAX_POPULATION
from .models import ActionStatus, ActivityKind, Sentiment

ACTIVITY_KINDS = [
    SelectChoice(ActivityKind.FORUM.value, _l("Forum or meeting")),
    SelectChoice(ActivityKind.VOLUNTEERING.value, _l("Volunteering day")),
    SelectChoice(ActivityKind.TRAINING.value, _l("Training")),
    SelectChoice(ActivityKind.SERVICE.value, _l("Service")),
    SelectChoice(ActivityKind.OTHER.value, _l("Other")),
]
SENTIMENTS = [
    SelectChoice("", _l("Not tagged")),
    SelectChoice(Sentiment.POSITIVE.value, _l("Positive")),
    SelectChoice(Sentiment.NEUTRAL.value, _l("Neutral")),
    SelectChoice(Sentiment.NEGATIVE.value, _l("Negative")),
]
STATUSES = [
    SelectChoice(ActionStatus.PLANNED.value, _l("Planned")),
    SelectChoice(ActionStatus.IN_PROGRESS.value, _l("In progress")),
    SelectChoice(ActionStatus.DONE.value, _l("Done")),
]
DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)])
    area = StringField(
        _l("Area"),
        validators=[Optional(), Length(max=160)],
        description=_l("For example: RW 01-08, Kelurahan Sukamaju"),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(message=DATE_MESSAGE)])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    community_size = IntegerField(
        _l("Community size (people)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_POPULATION)],
        description=_l("How many people live in the area the programme serves; used for the participation rate."),
    )
    submit = SubmitField(_l("Save"))


class ProgrammeSettingsForm(ProgrammeForm):
    public_page_enabled = BooleanField(_l('Publish the "you said, we did" page'))
    feedback_form_enabled = BooleanField(_l("Open the public feedback form"))


class MarginsForm(FlaskForm):
    margins = TextAreaField(
        _l("Population by group"),
        validators=[Optional(), Length(max=20000)],
        description=_l(
            "One line per group: dimension, category, population. Dimensions: age_band, gender, neighbourhood, disability, home_language. Example: gender, female, 2150"
        ),
    )
    submit = SubmitField(_l("Save population figures"))


class LinkSurveyForm(FlaskForm):
    survey_id = SelectField(_l("Survey"), coerce=int, validators=[InputRequired(message=_l("Choose a survey."))])
    series = StringField(
        _l("Series (for waves)"),
        validators=[Optional(), Length(max=64)],
        description=_l("Give waves of the same survey the same series name, e.g. trust."),
    )
    wave = IntegerField(_l("Wave number"), validators=[Optional(), NumberRange(min=1, max=99)])
    activity_id = SelectField(_l("Satisfaction survey of activity"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Add survey"))


class ActivityForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=160)])
    kind = SelectField(_l("Type"), choices=ACTIVITY_KINDS)
    held_on = DateField(_l("Date"), validators=[InputRequired(message=DATE_MESSAGE)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=160)])
    head_count = IntegerField(
        _l("Head count"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
        description=_l("Everyone present, including those who checked in."),
    )
    checkin_open = BooleanField(_l("Check-in page open"), default=True)
    submit = SubmitField(_l("Save activity"))


class AttendanceListForm(FlaskForm):
    lines = TextAreaField(
        _l("Phone numbers or e-mail addresses, one per line"),
        validators=[DataRequired(message=_l("Enter at least one line.")), Length(max=100_000)],
    )
    submit = SubmitField(_l("Check them in"))


class CheckInForm(FlaskForm):
    identity = StringField(
        _l("Your phone number or e-mail address"),
        validators=[DataRequired(message=_l("Enter your phone number or e-mail address.")), Length(max=254)],
        description=_l("We keep only a coded version, never the number or address itself."),
    )
    website = StringField(_l("Leave this empty"), validators=[Optional()])  # honeypot
    submit = SubmitField(_l("Check in"))


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("Note or feedback heard at the activity"),
        validators=[DataRequired(message=_l("Write the note.")), Length(max=4000)],
    )
    submit = SubmitField(_l("Add note"))


class PublicFeedbackForm(FlaskForm):
    text = TextAreaField(
        _l("Your feedback"),
        validators=[
            DataRequired(message=_l("Write your feedback.")),
            Length(max=4000, message=_l("Keep it under 4,000 characters.")),
        ],
    )
    website = StringField(_l("Leave this empty"), validators=[Optional()])  # honeypot
    submit = SubmitField(_l("Send"))


class TagForm(FlaskForm):
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=64)])
    sentiment = SelectField(_l("Sentiment"), choices=SENTIMENTS, validators=[Optional()])
    submit = SubmitField(_l("Save tags"))


class ActionForm(FlaskForm):
    description = TextAreaField(
        _l("What was done"), validators=[DataRequired(message=_l("Describe the action.")), Length(max=4000)]
    )
    status = SelectField(_l("Status"), choices=STATUSES)
    action_date = DateField(_l("Date"), validators=[InputRequired(message=DATE_MESSAGE)])
    team = StringField(_l("Responsible team"), validators=[Optional(), Length(max=120)])
    published = BooleanField(_l('Show on the "you said, we did" page'))
    submit = SubmitField(_l("Save action"))


class IndicatorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter a code.")), Length(max=48)],
        description=_l('Questions with the role "outcome:<code>" feed this indicator.'),
    )
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    baseline = FloatField(_l("Baseline"), validators=[Optional()])
    target = FloatField(_l("Target"), validators=[Optional()])
    submit = SubmitField(_l("Add indicator"))


class IndicatorValueForm(FlaskForm):
    observed_on = DateField(_l("Observed on"), validators=[InputRequired(message=DATE_MESSAGE)])
    value = FloatField(_l("Value"), validators=[InputRequired(message=_l("Enter a number."))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=240)])
    submit = SubmitField(_l("Add value"))


class StoryForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=160)])
    body = TextAreaField(_l("Story"), validators=[DataRequired(message=_l("Write the story.")), Length(max=4000)])
    told_on = DateField(_l("Date"), validators=[InputRequired(message=DATE_MESSAGE)])
    submit = SubmitField(_l("Add story"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
