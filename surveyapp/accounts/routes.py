"""Sign-up, log-in, log-out and password reset pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from ..extensions import limiter
from ..links import external_url
from ..mail import send_mail
from ..security import safe_next
from . import known_browsers, services
from .auth import SESSION_VERSION_KEY
from .forms import (
    ConfirmSignupForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)

bp = Blueprint("accounts", __name__)

PER_ACCOUNT_ADDRESS_LIMIT = "10 per 15 minutes"
PER_ACCOUNT_LIMIT = "50 per hour"

# Compared against when the e-mail is unknown, so a wrong address takes as
# long as a wrong password and timing does not reveal who has an account.
_DUMMY_HASH = "scrypt:32768:8:1$N8pbkGJ0$" + "0" * 128


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login-email:" + _form_email()


def _email_address_key() -> str:
    return f"login-email-address:{_form_email()}|{get_remote_address()}"


def _form_email() -> str:
    return (request.form.get("email") or "").strip().lower()


def _known_browser() -> bool:
    """A browser that logged in to this account before skips the per-account
    limit, so guesses from elsewhere cannot lock the owner out."""
    return known_browsers.knows(request.cookies.get(known_browsers.COOKIE), _form_email())


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if services.find_user(email) is None:
            token = services.make_signup_token(form.name.data, email, form.password.data, form.organisation.data)
            send_mail(
                email,
                _("Confirm your Suara account"),
                _(
                    "Open this link within a day to finish creating your Suara account:\n%(link)s\n\n"
                    "If you did not sign up, you can ignore this message.",
                    link=external_url("accounts.confirm_signup", token=token),
                ),
            )
        else:
            # Issue 12 item 10: the page must not reveal that the address has
            # an account; its owner hears about the attempt by mail instead.
            send_mail(
                email,
                _("Someone tried to sign up with your address"),
                _(
                    "Someone tried to create a Suara account with %(email)s, which already has one.\n"
                    "If it was you, log in: %(login)s\nForgot your password? Reset it: %(reset)s\n\n"
                    "If it was not you, you can ignore this message.",
                    email=email,
                    login=external_url("accounts.login"),
                    reset=external_url("accounts.forgot_password"),
                ),
            )
        return redirect(url_for("accounts.signup_sent"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/signup.html", form=form), status


@bp.get("/signup/sent")
def signup_sent():
    return render_template("accounts/signup_sent.html")


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def confirm_signup(token: str):
    """GET only shows a button: mail scanners that open links create nothing."""
    try:
        services.read_signup_token(token)
    except services.AccountError as error:
        return _bad_signup_link(str(error))
    form = ConfirmSignupForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_signup(token)
        except services.AccountError as error:
            return _bad_signup_link(str(error))
        login_user(user)
        services.record_login(user)
        if user.memberships:
            session["org_id"] = user.memberships[0].organisation_id
        flash(_("Welcome to Suara! Your organisation is ready."), "success")
        return redirect(url_for("core.dashboard"), 303)
    return render_template("accounts/signup_confirm.html", form=form), (422 if form.is_submitted() else 200)


def _bad_signup_link(reason: str):
    message = {
        "expired": _("This confirmation link has expired. Sign up again."),
        "used": _("This address already has an account. Log in, or reset your password."),
    }.get(reason, _("This confirmation link is not valid. Sign up again."))
    return render_template("accounts/reset_invalid.html", message=message, retry="signup"), 400


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
# Three limits (issue 12 item 7): per address (above), per account and
# address, and a slower one per account that a known browser skips.
@limiter.limit(PER_ACCOUNT_ADDRESS_LIMIT, key_func=_email_address_key, methods=["POST"])
@limiter.limit(PER_ACCOUNT_LIMIT, key_func=_email_key, methods=["POST"], exempt_when=_known_browser)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("core.dashboard")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
        elif user.is_active and user.check_password(form.password.data):
            login_user(user)
            services.record_login(user)
            response = redirect(safe_next(url_for("core.dashboard")))
            known_browsers.remember(response, request.cookies.get(known_browsers.COOKIE), user.email)
            return response
        # One message for both cases: it must not reveal which part was wrong.
        flash(_("The e-mail address or password is not correct."), "error")
        return render_template("accounts/login.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


def _end_sessions_and_log_out() -> None:
    # The version goes up before the cookie is cleared, so a copy of this
    # session's cookie taken earlier stops working too, not just this browser.
    services.end_all_sessions(current_user)
    logout_user()
    session.pop("org_id", None)
    session.pop(SESSION_VERSION_KEY, None)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    _end_sessions_and_log_out()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.index"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    # The same version bump as a plain log-out; the separate button and
    # message tell the user that other browsers and devices end as well.
    _end_sessions_and_log_out()
    flash(_("You are logged out on every device and browser."), "info")
    return redirect(url_for("core.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user(form.email.data)
        if user is not None:
            link = external_url("accounts.reset_password", token=services.make_reset_token(user))
            send_mail(
                user.email,
                _("Reset your Suara password"),
                _(
                    "Open this link within an hour to choose a new password:\n%(link)s\n\n"
                    "If you did not ask for this, you can ignore this message.",
                    link=link,
                ),
            )
        # Same answer whether or not the account exists (no enumeration).
        flash(_("If an account exists for that address, we have sent a link to reset the password."), "info")
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    try:
        user = services.user_from_reset_token(token)
    except services.AccountError as error:
        message = (
            _("This reset link has expired. Ask for a new one.")
            if str(error) == "expired"
            else _("This reset link is not valid. It may have been used already; ask for a new one.")
        )
        return render_template("accounts/reset_invalid.html", message=message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        flash(_("Your password has been changed. You can log in now."), "success")
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status
