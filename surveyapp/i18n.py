"""Language and time zone selection for Flask-Babel.

Order for organiser pages: the user's saved choice, the choice made with the
language switch in this session, then the browser's Accept-Language.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, format_number, format_percent, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .database import utcnow
from .extensions import babel
from .languages import native_name


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: English for logs and reports unless forced
        return getattr(g, "force_locale", None) or "en"
    forced = getattr(g, "force_locale", None)
    if forced in languages:
        return forced
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    org = getattr(g, "organisation", None)
    if org is not None and org.timezone:
        return org.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def init_app(app) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )

    @app.context_processor
    def inject_languages():
        return {
            # The interface's languages, for the switch; language_name() names any.
            "language_names": {code: native_name(code) for code in app.config["LANGUAGES"]},
            "current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
        }

    app.jinja_env.globals.update(
        language_name=native_name,
        format_date=format_date,
        format_datetime=format_datetime,
        format_number=format_number,
        format_decimal=format_decimal,
        format_percent=format_percent,
        now=utcnow,
        role_label=role_label,
        pick=pick_text,
    )


ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor"), "viewer": _l("Viewer")}


def pick_text(values, lang: str, question=None) -> str:
    """A per-language text from settings (a dict) or a plain string."""
    from .surveys.models import pick_language

    if isinstance(values, dict):
        fallback = question.survey.default_language if question is not None else lang
        return pick_language(values, lang, fallback)
    return values or ""


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
