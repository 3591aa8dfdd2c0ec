"""Suara's request class: text that no database column can hold is refused
while the request is parsed, in one place for every form, query string, URL
value and JSON body.

PostgreSQL text cannot hold the NUL character (U+0000): storing one raises
DataError, a 500 after half a request's work. No person types it, so a
request carrying one is refused whole with a 400 before any view writes.
The check runs when a form is first read (not in a ``before_request``), so
the form is still parsed under the body limit its blueprint sets (the
respondent pages' limit is smaller than the app's).

One exception: the pages that take residents' answers (marked with
``cleans_own_text``) keep their form fields, because every answer goes
through ``questions.base.clean_text``, which drops NUL with every other
control character; a resident who pasted one from another program loses
nothing. Their query strings, URL values and file names are still checked.
"""

from __future__ import annotations

from typing import Any

from flask import Request, current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.utils import cached_property

NUL = "\x00"


def has_nul(value: Any) -> bool:
    """True when a string anywhere in ``value`` (nested lists, dicts, keys) holds NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, FileStorage):
        return has_nul(value.filename or "")
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v) for v in value)
    return False


def nul_message() -> str:
    return _(
        "What you sent contains a NUL character (\\0), which Suara cannot store. "
        "Remove it (it often comes from copying out of another program) and try again."
    )


def refuse_nul(value: Any) -> None:
    """Abort with a 400 (HTML, or JSON under /api/) when ``value`` holds NUL."""
    if has_nul(value):
        from .errors import abort_with

        abort_with(400, nul_message())


def cleans_own_text(view):
    """Mark a view whose form fields all pass through ``clean_text`` (resident answers)."""
    view.cleans_own_text = True
    return view


class SuaraRequest(Request):
    @cached_property
    def args(self):
        args = super().args
        refuse_nul(list(args.items(multi=True)))
        return args

    def _load_form_data(self) -> None:
        super()._load_form_data()
        refuse_nul(list(self.files.items(multi=True)))  # file names end up in import reports
        view = current_app.view_functions.get(self.endpoint) if self.endpoint else None
        if not getattr(view, "cleans_own_text", False):
            refuse_nul(list(self.form.items(multi=True)))

    def get_json(self, *args, **kwargs):
        data = super().get_json(*args, **kwargs)
        refuse_nul(data)
        return data


def install(app) -> None:
    """Use the checked request class, and refuse NUL in URL values (a token or slug
    in the path reaches the database as a query parameter)."""
    app.request_class = SuaraRequest
    app.url_value_preprocessor(lambda endpoint, values: refuse_nul(values or {}))
