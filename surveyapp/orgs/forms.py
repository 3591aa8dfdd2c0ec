"""Forms for members, invitations and organisation settings."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from config import Config

from ..accounts.forms import email_field, validate_email_format
from ..languages import native_name
from .models import Role

ROLE_CHOICES = [
    SelectChoice(Role.VIEWER.value, _l("Viewer: reads results")),
    SelectChoice(Role.EDITOR.value, _l("Editor: designs and distributes surveys")),
    SelectChoice(Role.OWNER.value, _l("Owner: manages members and settings")),
]
LANGUAGE_CHOICES = [SelectChoice(code, native_name(code)) for code in Config.LANGUAGES]
TIMEZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


class InviteForm(FlaskForm):
    email = email_field(_l("E-mail address of the person to invite"))
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.EDITOR.value)
    submit = SubmitField(_l("Create invitation"))

    def validate_email(self, field):
        validate_email_format(self, field)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Change role"))


class ConfirmForm(FlaskForm):
    """An empty form: a button with a CSRF token."""

    submit = SubmitField(_l("Confirm"))


class SwitchForm(FlaskForm):
    organisation_id = IntegerField(validators=[DataRequired()])
    submit = SubmitField(_l("Switch"))


class SettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)])
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64)],
        description=_l(
            "Used for survey schedules and dates, e.g. Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)."
        ),
    )
    default_language = SelectField(_l("Default language"), choices=LANGUAGE_CHOICES)
    privacy_min_cell = IntegerField(
        _l("Smallest group shown in results"),
        validators=[
            DataRequired(message=_l("Enter a number.")),
            NumberRange(min=3, max=100, message=_l("Choose a number from 3 to 100.")),
        ],
        description=_l(
            "Groups with fewer respondents than this are hidden in public and filtered results, to protect privacy."
        ),
    )
    submit = SubmitField(_l("Save settings"))

    def validate_timezone(self, field):
        if field.data not in available_timezones():
            raise ValidationError(_l("Unknown time zone. Use a name like Asia/Jakarta."))
