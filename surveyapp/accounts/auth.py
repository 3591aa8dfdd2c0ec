"""Flask-Login wiring.

A session counts only while the version stored in it at login equals the
user's ``session_version``; services.end_all_sessions raises the latter on
logout, password reset and "log out everywhere", so every earlier session,
including any copy of its cookie, is refused from then on. The app never
uses remember-me; a remember cookie would arrive with a fresh session and
no version, so it is refused too rather than bypassing the check.
"""

from __future__ import annotations

from flask import session
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in

from ..extensions import db

SESSION_VERSION_KEY = "sv"


def init_login(app, login_manager) -> None:
    from .models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or session.get(SESSION_VERSION_KEY) != user.session_version:
            return None
        return user

    # Every login_user (log-in, sign-up, joining by invitation) goes through
    # this signal, so no login path can forget to stamp the session.
    @user_logged_in.connect_via(app)
    def stamp_session(_sender, user, **_extra) -> None:
        session[SESSION_VERSION_KEY] = user.session_version
