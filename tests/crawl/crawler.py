"""The route crawler's engine: visitors (a logged-in test client each), the
requests tried on one rule, and what each visitor may get back.

A ``Crawl`` holds one seeded world and five visitors for a whole module;
before each test it checks the world's fingerprint and each visitor's
session, and rebuilds what an earlier request changed (a deleted survey,
a removed member, a logout), so results do not depend on test order.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.conftest import empty_tables, get_csrf, login

from . import garbage
from .access_registry import LOGIN, PUBLIC, ROLE_RANK, TOKEN_READ, TOKEN_WRITE, needed
from .world import EMAILS, HOME_MARKERS, MISSING_ID, OVERFLOW_IDS, USERS, World, fingerprint, seed

# Rendering these costs ~0.1-1 s (PDF, charts, workbooks): the plain request
# for every visitor, two bad query strings and the bad ids for the owner only.
EXPENSIVE = {
    "reports.report_pdf",
    "reports.programme_report_pdf",
    "distribute.manage_poster",
    "distribute.manage_paper_pdf",
    "exports.export_xlsx",
    "exports.export_sav",
    "reports.report_page",
    "reports.programme_report_page",
    "programmes.manage_dashboard",
}
THOROUGH = ("anonymous", "viewer", "owner")
CSRF_EXEMPT_PREFIXES = (
    "api.",
    "collect.display_submit",
    "distribute.display_invitation_submit",
    "distribute.display_kiosk_submit",
)


@dataclass
class Outcome:
    label: str
    method: str
    url: str
    status: int
    location: str = ""
    body: bytes = b""
    error: str = ""


@dataclass
class Visitor:
    name: str
    client: object
    csrf: str = ""
    session_user: str | None = None


class ErrorLog(logging.Handler):
    """Keeps the last unhandled exception the app logged (the 500 handler
    logs it), so a failure shows the exception and not only "500"."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.last = ""

    def emit(self, record):
        if record.exc_info:
            kind, value, _tb = record.exc_info
            self.last = f"{kind.__name__}: {value}"[:400]


@dataclass
class Crawl:
    app: object
    world: World = None
    print_: tuple = ()
    visitors: dict = field(default_factory=dict)
    rebuilds: list = field(default_factory=list)  # (what changed the world, seconds)
    last_test: str = ""
    # {request label: {status: count}}, printed at the end (pytest -s).
    stats: dict = field(default_factory=dict)
    errors: ErrorLog = field(default_factory=ErrorLog)

    def __post_init__(self):
        self.app.logger.addHandler(self.errors)
        self.rebuild()

    # ---- the world and the visitors ---------------------------------------

    def rebuild(self, cause: str = "start") -> None:
        started = time.perf_counter()
        empty_tables(self.app)
        with self.app.app_context():
            self.world = seed()
            self.print_ = fingerprint(self.world)
        self.visitors = {name: self._visitor(name) for name in USERS}
        self.rebuilds.append((cause, round(time.perf_counter() - started, 2)))

    def _visitor(self, name: str) -> Visitor:
        client = self.app.test_client()
        if name != "anonymous":
            login(client, EMAILS[name])
        visitor = Visitor(name, client, get_csrf(client, "/login" if name == "anonymous" else "/dashboard"))
        visitor.session_user = self._session_user(client)
        return visitor

    def _session_user(self, client) -> str | None:
        cookie = client.get_cookie(self.app.config.get("SESSION_COOKIE_NAME", "session"))
        if cookie is None:
            return None
        data = self.app.session_interface.get_signing_serializer(self.app).loads(cookie.value)
        return f"{data.get('_user_id')}|{data.get('org_id')}"

    def ensure_intact(self) -> None:
        """Rebuild the world if a request changed it; log a visitor back in
        if its session ended or moved to another organisation."""
        with self.app.app_context():
            changed = fingerprint(self.world) != self.print_
        # Outside the context: its session's read locks would block the
        # TRUNCATE of the rebuild on PostgreSQL.
        if changed:
            self.rebuild(self.last_test)
            return
        for name, visitor in self.visitors.items():
            if self._session_user(visitor.client) != visitor.session_user:
                self.visitors[name] = self._visitor(name)

    # ---- requests -----------------------------------------------------------

    def send(
        self,
        visitor: Visitor,
        label: str,
        method: str,
        url: str,
        *,
        endpoint: str,
        data=None,
        files=None,
        json_body: str | None = None,
        csrf: bool = True,
    ) -> Outcome:
        headers = {}
        key = self.world.api_keys.get(visitor.name)
        if endpoint.startswith("api.") and key:
            headers["Authorization"] = f"Bearer {key}"
        self.errors.last = ""
        kwargs = {"headers": headers}
        if method != "GET":
            if json_body is not None:
                kwargs.update(data=json_body, content_type="application/json")
            else:
                pairs = list(data or [])
                if csrf:
                    pairs.append(("csrf_token", visitor.csrf))
                if files:
                    pairs += list(files.items())
                    kwargs["content_type"] = "multipart/form-data"
                kwargs["data"] = MultiDict(pairs)
        response = visitor.client.open(url, method=method, **kwargs)
        body = response.get_data()
        counts = self.stats.setdefault(f"{method} {label.split(' ')[0]}", {})
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
        return Outcome(
            label,
            method,
            url,
            response.status_code,
            response.headers.get("Location", ""),
            body,
            self.errors.last if response.status_code >= 500 else "",
        )


# ---- the requests tried on one rule ------------------------------------------------


def build(app, rule, values: dict) -> str:
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=None, force_external=False)


def requests_for(crawl: Crawl, rule, method: str, visitor: Visitor, passes: bool):
    """(label, url, extra) for ``method`` on ``rule``: existing ids first
    (the access check), then, for a visitor who gets past the check, bad
    query strings or bodies, missing ids, bad string arguments and ids
    too large for their column."""
    app = crawl.app
    endpoint = rule.endpoint
    values = crawl.world.values(endpoint, rule.arguments)
    url = build(app, rule, values)
    if method == "GET":
        yield "existing", url, {}
    else:
        yield "existing, CSRF, empty", url, {}
        if not endpoint.startswith(CSRF_EXEMPT_PREFIXES) and visitor.name in ("anonymous", "owner"):
            yield "existing, no CSRF", url, {"csrf": False}
    if not passes:
        return
    if endpoint in EXPENSIVE and visitor.name != "owner":
        return
    # Anonymous, the viewer and the owner get every variant; the editor and
    # the outsider (whose code paths are the owner's) the first of each kind.
    thorough = visitor.name in THOROUGH
    if method == "GET":
        for label, query in list(garbage.QUERIES.items())[: None if thorough else 1]:
            if endpoint not in EXPENSIVE or label in ("garbage-query", "dates-query"):
                yield label, f"{url}?{query}", {}
    elif endpoint.startswith("api."):
        for label, body in list(garbage.JSON_BODIES.items())[: None if thorough else 1]:
            yield label, url, {"json_body": body}
    else:
        fields = []
        if "GET" in rule.methods:
            page = crawl.send(visitor, "form page", "GET", url, endpoint=endpoint)
            if page.status < 300:
                fields = garbage.page_fields(page.body.decode("utf-8", "replace"))
        for flavour in ("extreme", "malformed")[: None if thorough else 1]:
            yield f"{flavour} form", url, {"data": garbage.form_body(flavour, fields), "files": garbage.files(flavour)}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            continue
        if isinstance(converter, IntegerConverter):
            # Past the column: refused by the routing before any visitor matters.
            wrong = [("missing", MISSING_ID)] + (
                [("overflow", big) for big in OVERFLOW_IDS] if visitor.name == "owner" else []
            )
        elif name == "filename":
            wrong = [("missing", "nope/none.css"), ("traversal", "../../config.py")]
        else:
            wrong = [("missing", "nope" * 8)] + (
                [("long", "x" * 3000), ("nul", "a\x00b"), ("dots", "..%2f..")]
                if visitor.name in ("anonymous", "owner")
                else []
            )
        for kind, value in wrong:
            wrong_url = _build_raw(app, rule, {**values, name: value})
            yield f"{kind} {name}={str(value)[:20]}", wrong_url, {}


def _build_raw(app, rule, values) -> str:
    """Build even with values the converters would refuse (ids past
    their column), by formatting the rule by hand."""
    from urllib.parse import quote

    url = rule.rule
    for name in rule._converters:
        text = quote(str(values[name]), safe="/" if name == "filename" else "")
        url = _replace_argument(url, name, text)
    return url


def _replace_argument(url: str, name: str, text: str) -> str:
    import re

    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?" + re.escape(name) + ">", lambda _m: text, url)


# ---- what a visitor may get ----------------------------------------------------------


def audience(level: str, visitor: str, has_object: bool) -> str:
    """How ``visitor`` relates to an endpoint needing ``level``: one of
    'allowed', 'login' (must be sent to log in), 'refused' (403/404),
    'foreign' (an object of another organisation: 404)."""
    if level == PUBLIC:
        return "allowed"
    if visitor == "anonymous":
        return "login"
    if level == LOGIN:
        return "allowed"
    if visitor == "outsider":
        return "foreign" if has_object else "allowed"
    if level in (TOKEN_READ, TOKEN_WRITE):
        return "refused" if level == TOKEN_WRITE and visitor == "viewer" else "allowed"
    return "allowed" if ROLE_RANK[visitor] >= ROLE_RANK[level] else "refused"


def problems(outcome: Outcome, relation: str, level: str) -> list[str]:
    """What is wrong with ``outcome`` (empty when it is as the registry says)."""
    found = []
    status = outcome.status
    if status >= 500:
        found.append(f"{status} {outcome.error}")
    access_check = outcome.label.startswith("existing") and "no CSRF" not in outcome.label
    if not access_check:
        return found
    to_login = status in (302, 303) and "/login" in outcome.location
    if relation == "login":
        expected = (401,) if level.startswith("token") else ()
        if not (to_login or status in expected):
            found.append(f"{status}: anonymous must be sent to log in")
    elif relation == "refused" and status not in (403, 404):
        found.append(f"{status}: below the registry's level {level!r}, must be 403/404")
    elif relation == "foreign" and status != 404:
        found.append(f"{status}: another organisation's object must be 404")
    elif relation == "allowed" and level == PUBLIC:
        if outcome.method == "GET" and status == 404:
            found.append("404 for a public page that exists")
    elif relation == "allowed":
        if status in (401, 403) or to_login:
            found.append(f"{status} {outcome.location}: the registry says {level!r} may use it")
        elif outcome.method == "GET" and status == 404:
            found.append("404 for an object that exists")
    return found


def leaks(outcome: Outcome, visitor: str, level: str) -> list[str]:
    """The outsider must never read the home organisation's data."""
    if visitor != "outsider" or level in (PUBLIC,) or outcome.status >= 300:
        return []
    body = outcome.body.decode("utf-8", "replace")
    return [f"shows {marker!r} of another organisation" for marker in HOME_MARKERS if marker in body]


def has_object(rule) -> bool:
    return any(isinstance(c, IntegerConverter) for c in rule._converters.values())


__all__ = ["Crawl", "Outcome", "audience", "problems", "leaks", "requests_for", "needed", "has_object"]
