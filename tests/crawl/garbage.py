"""Bad input for the route crawler: query strings, form bodies, files and
JSON, each in two flavours.

``extreme`` values are well-formed but out of range (10^30 where a number
goes, the year 9999, 300-character text with CR/LF and quotes), so they get
past type checks and reach the services and the database; ``malformed``
values are of the wrong type or shape (-1, nan, letters for numbers, repeated
keys). Form field names come from every WTForms class of the app and from
the inputs of the page the form is on.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import urlencode

from flask_wtf import FlaskForm
from wtforms import fields as wtf
from wtforms.fields.core import UnboundField

HUGE = str(10**30)
# Short enough for every length limit, so the rest of the form is checked.
NASTY = "\r\nX-Injected: y \"'><b>x</b> ' OR 1=1;-- {{7*7}} %s"
QUERIES = {
    # The brief's list: every key wrong at once (the first check answers).
    "garbage-query": "page=-1&page=abc&limit=99999999999999999999&q=%00&next=%0d%0aX:y&lang=zz&sort=;drop"
    "&status=zz&from=2026-02-30&to=abc&channel=zz&language=zz&answer=zz&answer=gender:zz"
    "&answer=:&row=zz&column=zz&with=-1&window=zz&type=zz&r=zz&after=-1&source=zz&open=1",
    # One family at a time, the others absent, so each reaches its use.
    "paging-query": urlencode(
        [
            (key, HUGE)
            for key in (
                "page",
                "limit",
                "after",
                "with",
                "r",
                "open",
                "done",
                "sent",
                "bom",
                "download",
                "embed",
                "weights",
            )
        ]
        + [("q", "%_" * 150), ("next", "//evil.example/%0d%0a")]
    ),
    "negative-query": "page=-1&limit=-1&after=-1&with=-1&q=%27%22%3B--&type=note&row=gender&column=gender",
    "dates-query": urlencode(
        [
            ("from", "0001-01-01"),
            ("to", "9999-12-31"),
            ("before_from", "0001-01-01"),
            ("before_to", "0001-01-02"),
            ("after_from", "9999-12-30"),
            ("after_to", "9999-12-31"),
            ("window", "9999-12"),
            ("status", "all"),
        ]
    ),
    "filter-query": urlencode(
        [
            ("answer", "gender:f"),
            ("answer", "gender:" + "f" * 300),
            ("channel", "paper"),
            ("language", "en"),
            ("status", "all"),
            ("lang", "en"),
            ("source", "form"),
            ("row", "gender"),
            ("column", "rw"),
            ("window", "2026-07"),
            ("src", "qr"),
        ]
    ),
}

# Names parsed by hand from request.form (builder, weighting, answering).
EXTRA_FIELDS = (
    "action",
    "direction",
    "archived",
    "confirm_responses",
    "template",
    "which",
    "scope",
    "url",
    "submission_id",
    "form_token",
    "page",
    "resume",
    "shown",
    "channel",
    "lang",
    "kind",
    "title",
    "default_language",
    "languages",
    "new_languages",
    "anonymous",
    "code",
    "type",
    "required",
    "role_kind",
    "role_name",
    "advanced",
    "match",
    "clause-0-question",
    "clause-0-op",
    "clause-0-value",
    "clause-0-item",
    "options-0-code",
    "options-0-value",
    "items-0-code",
    "title-en",
    "title-id",
    "s-min",
    "s-max",
    "s-integer",
    "s-points",
    "m-gender-f",
    "m-gender-m",
    "q-gender",
    "q-age",
    "q-visit",
    "q-recommend",
    "q-services",
    "q-priorities-roads",
    "q-name",
    "organisation_id",
    "website",
    "started",
)
FILE_FIELDS = ("contacts", "file", "definition", "xlsform", "submissions", "upload", "margins_file")


def _form_classes(base=FlaskForm):
    for cls in base.__subclasses__():
        yield cls
        yield from _form_classes(cls)


def _kind_of(field_class) -> str:
    if issubclass(field_class, (wtf.IntegerField,)):
        return "integer"
    if issubclass(field_class, (wtf.DecimalField, wtf.FloatField)):
        return "decimal"
    if issubclass(field_class, (wtf.DateTimeField, wtf.DateTimeLocalField)):
        return "datetime"
    if issubclass(field_class, wtf.DateField):
        return "date"
    if issubclass(field_class, wtf.BooleanField):
        return "boolean"
    if issubclass(field_class, (wtf.SelectMultipleField,)):
        return "multiple"
    if issubclass(field_class, (wtf.SelectField, wtf.RadioField)):
        return "select"
    if issubclass(field_class, wtf.EmailField):
        return "email"
    if issubclass(field_class, wtf.PasswordField):
        return "password"
    if issubclass(field_class, wtf.FileField):
        return "file"
    return "text"


def wtforms_fields() -> dict[str, str]:
    """{field name: kind} over every FlaskForm of the app (first kind wins)."""
    found: dict[str, str] = {}
    for cls in _form_classes():
        for name, value in vars(cls).items():
            if isinstance(value, UnboundField) and name != "csrf_token":
                found.setdefault(name, _kind_of(value.field_class))
    return found


VALUES = {
    "extreme": {
        "integer": HUGE,
        "decimal": "1e30",
        "date": "9999-12-31",
        "datetime": "9999-12-31T23:59",
        "boolean": "y",
        "select": "zz",
        "multiple": "zz",
        "email": "Crawler@Example.ORG",
        "password": "crawler password 12345",
        "text": NASTY,
        "number": HUGE,
    },
    "malformed": {
        "integer": "-1",
        "decimal": "nan",
        "date": "0001-01-01",
        "datetime": "0001-01-01T00:00",
        "boolean": "0",
        "select": "-1",
        "multiple": "-1",
        "email": "x@",
        "password": "x",
        "text": "-1",
        "number": "-1e309",
    },
}


def form_body(flavour: str, page_fields: list[tuple[str, str, str]] = ()) -> list[tuple[str, str]]:
    """A form body of ``flavour``: every known field name with a bad value.
    Hidden inputs of the page keep their value, so a resident's form still
    reaches the answer parsing."""
    values = VALUES[flavour]
    body: dict[str, str] = {}
    for name, kind in wtforms_fields().items():
        if kind != "file":
            body[name] = values[kind]
    for name in EXTRA_FIELDS:
        body.setdefault(name, values["text"] if flavour == "malformed" else values["integer"])
    for name, kind, value in page_fields:
        if kind == "hidden":
            body[name] = value
        elif kind in ("select", "radio", "checkbox"):
            body[name] = value if flavour == "extreme" else values["select"]
        else:
            body[name] = values.get(kind, values["text"])
    pairs = list(body.items())
    if flavour == "malformed":
        pairs += [(name, "abc") for name in list(body)[:20]]  # repeated keys: getlist sees two values
    return pairs


def files(flavour: str) -> dict:
    """A bad upload under every file field name (new streams each call)."""
    content = (b"PK\x03\x04" + b"\x00" * 64) if flavour == "extreme" else b'\xff\xfe\x00garbage,"unclosed\n' * 20
    suffix = ".xlsx" if flavour == "extreme" else ".csv"
    return {name: (io.BytesIO(content), f"crawl{suffix}") for name in FILE_FIELDS}


JSON_BODIES = {
    "json-empty-object": "{}",
    "json-list": "[]",
    "json-broken": '{"answers": ',
    "json-extreme": '{"format": "suara-survey", "version": 1e30, "title": {"en": "' + "x" * 300 + '"},'
    ' "pages": [{"questions": [{"code": "a", "type": "number"}]}],'
    ' "answers": {"gender": "zz", "age": 1e400, "visit": "9999-12-31"},'
    ' "submission_id": "' + "z" * 200 + '", "submitted_at": "9999-12-31T23:59:59Z"}',
}


class FormFields(HTMLParser):
    """(name, kind, value) of every input, select and textarea on a page.
    A select contributes its last option; a checkbox or radio its value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str, str]] = []
        self._select: str | None = None
        self._last_option = ""

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        name = attr.get("name")
        if tag == "input" and name and name != "csrf_token":
            kind = (attr.get("type") or "text").lower()
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, kind, attr.get("value") or ""))
        elif tag == "textarea" and name:
            self.fields.append((name, "text", ""))
        elif tag == "select" and name:
            self._select, self._last_option = name, ""
        elif tag == "option" and self._select:
            self._last_option = attr.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.fields.append((self._select, "select", self._last_option))
            self._select = None


def page_fields(html: str) -> list[tuple[str, str, str]]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields
