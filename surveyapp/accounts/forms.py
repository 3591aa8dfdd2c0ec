"""Forms for sign-up, log-in and password reset."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A short deny-list of passwords people really use; length does the rest.
COMMON_PASSWORDS = {
    "password",
    "password123",
    "1234567890",
    "qwertyuiop",
    "iloveyou12",
    "indonesia1",
    "passw0rd12",
    "123456789a",
    "admin12345",
    "katasandi1",
    "rahasia123",
    "bismillah1",
}
MIN_PASSWORD = 10


def email_field(label=None):
    return EmailField(
        label or _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


def validate_email_format(form, field):
    field.data = (field.data or "").strip().lower()
    if not EMAIL_RE.match(field.data):
        raise ValidationError(_l("Enter an e-mail address like name@example.org."))


def strong_password(form, field):
    password = field.data or ""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_PASSWORD))
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise ValidationError(_l("This password is too easy to guess. Try a short sentence."))
    email = getattr(form, "email", None)
    if email is not None and email.data and email.data.split("@")[0].lower() in password.lower():
        raise ValidationError(_l("The password must not contain your e-mail name."))


def new_password_field(label=None):
    return PasswordField(
        label or _l("Password"),
        validators=[DataRequired(message=_l("Choose a password.")), Length(max=200), strong_password],
        description=_l("At least %(n)d characters. A short sentence is easy to remember.", n=MIN_PASSWORD),
        render_kw={"autocomplete": "new-password"},
    )


def confirm_field():
    return PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class SignupForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    organisation = StringField(
        _l("Organisation"),
        validators=[DataRequired(message=_l("Enter the name of your organisation.")), Length(max=160)],
        description=_l("For example: Kelurahan Sukamaju, or the name of your NGO or business."),
    )
    password = new_password_field()
    confirm = confirm_field()
    submit = SubmitField(_l("Create account"))

    def validate_email(self, field):
        validate_email_format(self, field)


class ConfirmSignupForm(FlaskForm):
    """Only a button (and the CSRF token): the account comes from the link."""

    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send reset link"))

    def validate_email(self, field):
        validate_email_format(self, field)


class ResetPasswordForm(FlaskForm):
    password = new_password_field(_l("New password"))
    confirm = confirm_field()
    submit = SubmitField(_l("Set new password"))


class JoinForm(FlaskForm):
    """Create an account while accepting an invitation (e-mail is fixed)."""

    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=120)])
    password = new_password_field()
    confirm = confirm_field()
    submit = SubmitField(_l("Create account and join"))
