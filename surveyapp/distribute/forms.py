"""Forms of the distribution pages (CSRF-protected organiser forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class ContactsForm(FlaskForm):
    contacts = FileField(
        _l("Contact list (CSV file)"),
        validators=[FileRequired(message=_l("Choose a CSV file to upload."))],
        description=_l(
            "Columns: name, email and/or phone; any other column (e.g. RW, gender) is kept for "
            "response rates by group. UTF-8, comma or semicolon, at most 5,000 contacts."
        ),
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Import contacts"))


class ConfirmForm(FlaskForm):
    """A button with a CSRF token."""
