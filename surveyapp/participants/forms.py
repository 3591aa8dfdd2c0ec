"""The owner's participant look-up form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..orgs.forms import ConfirmForm  # noqa: F401  (the erase button)


class ParticipantLookupForm(FlaskForm):
    identity = StringField(
        _l("Phone number, e-mail address or pseudonym"),
        validators=[DataRequired(message=_l("Enter a phone number, e-mail address or pseudonym.")), Length(max=254)],
    )
    submit = SubmitField(_l("Find"))
