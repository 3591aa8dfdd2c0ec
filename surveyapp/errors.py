"""Error handlers: an HTML page in the user's language, JSON under /api/."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you sent and try again.")),
    403: (_l("Not allowed"), _l("Your role in this organisation does not allow this action.")),
    404: (_l("Not found"), _l("We could not find that page. The link may be wrong or the item may have been removed.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    410: (_l("No longer available"), _l("This page is no longer available.")),
    413: (_l("Too large"), _l("What you sent is larger than Suara accepts. Please send a smaller file or less text.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Please wait a minute and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. Your data is safe; please try again."),
    ),
}
CSRF_MESSAGE = _l(
    "This form was open for too long or was not sent from Suara. Please go back, reload the page and try again."
)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    message = detail or message
    if wants_json():
        return jsonify(error={"code": code, "title": str(title), "message": str(message)}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        detail = error.description if getattr(error, "suara_message", False) else None
        return render_error(error.code or 500, detail)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)


def abort_with(code: int, message: str):
    """Abort with a message meant for the user (shown on the error page)."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=str(message))
    error.suara_message = True
    raise error
