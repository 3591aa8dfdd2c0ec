"""The JSON API against its OpenAPI document, tokens and scopes, exactly-once
submissions, cross-organisation access, rate limits and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from jsonschema import Draft202012Validator

from surveyapp.api import tokens
from surveyapp.api.openapi import document as openapi_document
from surveyapp.extensions import db
from surveyapp.responses.models import Response
from surveyapp.surveys.models import Survey
from surveyapp.webhooks import delivery
from surveyapp.webhooks import services as webhook_services
from surveyapp.webhooks.models import WebhookDelivery
from tests import factories
from tests.conftest import get_csrf, login
from tests.exports import data

OPENAPI = openapi_document()


def conforms(body, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": OPENAPI["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(body))
    assert not errors, [e.message for e in errors[:3]]


def documented(path: str, method: str, status: int) -> str:
    """The component schema the document promises for this answer."""
    spec = OPENAPI["paths"][path][method]["responses"][str(status)]
    return next(iter(spec["content"].values()))["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.fixture
def api(world, ctx):
    survey = data.survey(world.org)
    survey.status = "open"
    db.session.commit()
    _read, read = tokens.create(world.org.id, world.owner.id, "reader", "read")
    _write, write = tokens.create(world.org.id, world.owner.id, "writer", "write")
    _other, other = tokens.create(world.other_org.id, world.outsider.id, "other", "write")
    foreign = data.survey(world.other_org, "Survei lain")
    return {"survey": survey, "foreign": foreign, "read": read, "write": write, "other": other, "write_token": _write}


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_is_valid_and_public(client, api):
    from jsonschema import Draft202012Validator as V

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json["openapi"] == "3.1.0"
    for schema in response.json["components"]["schemas"].values():
        V.check_schema(schema)


def test_list_and_get_definition(client, api):
    response = client.get("/api/v1/surveys", headers=auth(api["read"]))
    assert response.status_code == 200
    conforms(response.json, documented("/surveys", "get", 200))
    assert [s["id"] for s in response.json["items"]] == [api["survey"].id]  # not the other organisation's
    response = client.get(f"/api/v1/surveys/{api['survey'].id}", headers=auth(api["read"]))
    conforms(response.json, documented("/surveys/{survey_id}", "get", 200))
    assert response.json["definition"]["pages"][0]["questions"][0]["code"] == "gender"


def test_submit_exactly_once_and_validation(client, api):
    url = f"/api/v1/surveys/{api['survey'].id}/responses"
    submission = {
        "submission_id": str(uuid.uuid4()),
        "language": "en",
        "answers": {
            "gender": "f",
            "services": ["clinic", "school"],
            "age": 30,
            "aspects": {"speed": "4"},
            "priorities": {"roads": 1, "water": 2, "light": 3},
        },
    }
    first = client.post(url, json=submission, headers=auth(api["write"]))
    assert first.status_code == 201, first.json
    conforms(first.json, documented("/surveys/{survey_id}/responses", "post", 201))
    again = client.post(url, json=submission, headers=auth(api["write"]))
    assert again.status_code == 200 and again.json["response_id"] == first.json["response_id"]
    conforms(again.json, documented("/surveys/{survey_id}/responses", "post", 200))
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 1
    stored = db.session.get(Response, first.json["response_id"])
    assert stored.channel == "api" and stored.language == "en"
    bad = client.post(
        url, json={"submission_id": str(uuid.uuid4()), "answers": {"age": 500, "nope": 1}}, headers=auth(api["write"])
    )
    assert bad.status_code == 422
    conforms(bad.json, documented("/surveys/{survey_id}/responses", "post", 422))
    assert set(bad.json["errors"]) >= {"age", "nope", "gender"}
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 1


@pytest.mark.parametrize(
    "body,status",
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"answers": {}}', 422),
        (b'{"submission_id": "ABC", "answers": {}}', 422),
        (b'{"submission_id": "%s", "answers": []}' % str(uuid.uuid4()).encode(), 422),
        (b"[" * 5000 + b"]" * 5000, 400),
    ],
)
def test_malformed_bodies(client, api, body, status):
    response = client.post(
        f"/api/v1/surveys/{api['survey'].id}/responses",
        data=body,
        headers={**auth(api["write"]), "Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert "error" in response.json and response.json["error"]["message"]
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 0


def test_closed_survey_is_409(client, api):
    api["survey"].status = "closed"
    db.session.commit()
    response = client.post(
        f"/api/v1/surveys/{api['survey'].id}/responses",
        json={"submission_id": str(uuid.uuid4()), "answers": {"gender": "f"}},
        headers=auth(api["write"]),
    )
    assert response.status_code == 409 and "closed" in response.json["error"]["message"]


def test_create_survey_from_definition(client, api):
    response = client.post("/api/v1/surveys", json=data.definition("Dari API"), headers=auth(api["write"]))
    assert response.status_code == 201
    conforms(response.json, documented("/surveys", "post", 201))
    assert db.session.get(Survey, response.json["id"]).organisation_id == api["survey"].organisation_id
    bad = data.definition("Rusak")
    bad["pages"][0]["questions"][0]["code"] = "1bad"
    before = db.session.execute(db.select(db.func.count()).select_from(Survey)).scalar_one()
    response = client.post("/api/v1/surveys", json=bad, headers=auth(api["write"]))
    assert response.status_code == 422
    conforms(response.json, documented("/surveys", "post", 422))
    assert any("code" in e["path"] for e in response.json["errors"])
    assert db.session.execute(db.select(db.func.count()).select_from(Survey)).scalar_one() == before


def test_responses_pages_and_jsonl(client, api):
    ids = [factories.respond(api["survey"], {"age": str(n)}, check=False).id for n in range(5)]
    url = f"/api/v1/surveys/{api['survey'].id}/responses"
    seen, cursor = [], None
    while True:
        response = client.get(url + "?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=auth(api["read"]))
        assert response.status_code == 200
        conforms(response.json, documented("/surveys/{survey_id}/responses", "get", 200))
        seen += [item["response_id"] for item in response.json["items"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    lines = client.get(url + ".jsonl", headers=auth(api["read"])).get_data(as_text=True).splitlines()
    assert [json.loads(line)["answers"]["age"] for line in lines] == [0, 1, 2, 3, 4]
    for line in lines:
        conforms(json.loads(line), "ResponseRecord")
    assert client.get(url + "?limit=0", headers=auth(api["read"])).status_code == 400
    assert client.get(url + "?from=notadate", headers=auth(api["read"])).status_code == 400


def test_summary_is_the_analytics_document(client, api):
    factories.respond(api["survey"], {"gender": "f", "age": "20"})
    response = client.get(f"/api/v1/surveys/{api['survey'].id}/summary", headers=auth(api["read"]))
    assert response.status_code == 200
    conforms(response.json, documented("/surveys/{survey_id}/summary", "get", 200))
    assert response.json["n"] == 1


SURVEY_URLS = [
    ("GET", "/api/v1/surveys/{id}"),
    ("GET", "/api/v1/surveys/{id}/responses"),
    ("GET", "/api/v1/surveys/{id}/responses.jsonl"),
    ("GET", "/api/v1/surveys/{id}/summary"),
    ("POST", "/api/v1/surveys/{id}/responses"),
]


def _call(client, method, url, token):
    body = {"submission_id": str(uuid.uuid4()), "answers": {"gender": "f"}}
    headers = auth(token) if token else {}
    return client.get(url, headers=headers) if method == "GET" else client.post(url, json=body, headers=headers)


@pytest.mark.parametrize("method,url", SURVEY_URLS)
def test_token_of_another_organisation_gets_404(client, api, method, url):
    response = _call(client, method, url.format(id=api["survey"].id), api["other"])
    assert response.status_code == 404
    conforms(response.json, "Error")
    assert db.session.execute(db.select(db.func.count()).select_from(Response)).scalar_one() == 0


@pytest.mark.parametrize("method,url", SURVEY_URLS + [("GET", "/api/v1/surveys"), ("POST", "/api/v1/surveys")])
def test_missing_wrong_or_revoked_token_gets_401(client, api, method, url):
    url = url.format(id=api["survey"].id)
    assert _call(client, method, url, None).status_code == 401
    assert _call(client, method, url, "suara_wrong").status_code == 401
    tokens.revoke(api["write_token"])
    response = _call(client, method, url, api["write"])
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    conforms(response.json, "Error")


@pytest.mark.parametrize("url", ["/api/v1/surveys", "/api/v1/surveys/{id}/responses"])
def test_read_token_cannot_write(client, api, url):
    response = client.post(url.format(id=api["survey"].id), json=data.definition(), headers=auth(api["read"]))
    assert response.status_code == 403
    conforms(response.json, "Error")


def test_rate_limit_per_token(app, client, api):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get("/api/v1/surveys", headers=auth(api["read"])).status_code for _ in range(4)]
        other = client.get("/api/v1/surveys", headers=auth(api["other"])).status_code
    finally:
        app.config.pop("API_RATE_LIMIT")
    assert codes == [200, 200, 200, 429] and other == 200


# ---- token pages -------------------------------------------------------------


def test_owner_creates_token_shown_once_and_revokes(client, world, ctx):
    login(client, "owner@mawar.test")
    response = client.post(
        "/org/api-tokens", data={"csrf_token": get_csrf(client, "/org/api-tokens"), "name": data.XSS, "scope": "read"}
    )
    assert response.status_code == 303
    page = client.get("/org/api-tokens").get_data(as_text=True)
    plain = page.split("<code>")[1].split("</code>")[0]
    assert plain.startswith("suara_") and "<img src=x" not in page
    assert plain not in client.get("/org/api-tokens").get_data(as_text=True)  # shown once
    from surveyapp.api.models import ApiToken
    from surveyapp.security import hash_token

    stored = db.session.execute(db.select(ApiToken)).scalar_one()
    assert stored.token_hash == hash_token(plain) and stored.scope == "read"
    assert client.get("/api/v1/surveys", headers=auth(plain)).status_code == 200
    client.post(f"/org/api-tokens/{stored.id}/revoke", data={"csrf_token": get_csrf(client, "/org/api-tokens")})
    assert client.get("/api/v1/surveys", headers=auth(plain)).status_code == 401
    bad = client.post(
        "/org/api-tokens", data={"csrf_token": get_csrf(client, "/org/api-tokens"), "name": "", "scope": "admin"}
    )
    assert bad.status_code == 422


@pytest.fixture
def manage_objects(world, ctx):
    token, _plain = tokens.create(world.org.id, world.owner.id, "t", "read")
    from surveyapp.webhooks.models import Webhook

    hook = Webhook(organisation_id=world.org.id, url="https://example.org/hook", secret="s")
    db.session.add(hook)
    db.session.commit()
    return {"token": token.id, "webhook": hook.id}


MANAGE = [
    ("GET", "/org/api-tokens"),
    ("GET", "/org/webhooks"),
    ("POST", "/org/api-tokens/{token}/revoke"),
    ("POST", "/org/webhooks/{webhook}/delete"),
]


@pytest.mark.parametrize("method,url", MANAGE)
@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
def test_manage_roles(client, manage_objects, method, url, role):
    login(client, f"{role}@mawar.test")
    url = url.format(**manage_objects)
    response = (
        client.get(url) if method == "GET" else client.post(url, data={"csrf_token": get_csrf(client, "/dashboard")})
    )
    assert response.status_code == ((200 if method == "GET" else 303) if role == "owner" else 403)


@pytest.mark.parametrize("method,url", [m for m in MANAGE if "{" in m[1]])
def test_manage_other_organisation_404(client, manage_objects, method, url):
    login(client, "owner@melati.test")
    response = client.post(url.format(**manage_objects), data={"csrf_token": get_csrf(client, "/dashboard")})
    assert response.status_code == 404


# ---- webhooks -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/",
        "http://192.168.1.5/",
        "http://172.20.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[fd00::1]/",
        "ftp://example.org/",
        "https://user:pw@example.org/",
    ],
)
def test_private_and_odd_urls_refused(app, world, ctx, url):
    assert not app.config.get("WEBHOOKS_ALLOW_PRIVATE")
    with pytest.raises(webhook_services.WebhookRefused):
        webhook_services.create(world.org.id, None, url)


def test_webhook_page_refuses_loopback(client, world, ctx):
    login(client, "owner@mawar.test")
    response = client.post(
        "/org/webhooks", data={"csrf_token": get_csrf(client, "/org/webhooks"), "url": "http://127.0.0.1:8080/hook"}
    )
    assert response.status_code == 422 and "private or local" in response.get_data(as_text=True)


class Receiver:
    """A local HTTP server on 127.0.0.1 that records calls (or fails)."""

    def __init__(self, status: int = 200):
        calls = self.calls = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                calls.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_webhook_delivery_signed_retried_and_visible(app, client, api, world):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    receiver = Receiver(status=500)
    try:
        hook = webhook_services.create(world.org.id, None, receiver.url)
        hook.created_at = datetime(2020, 1, 1)
        db.session.commit()
        response = factories.respond(api["survey"], {"gender": "m", "age": "33"})
        factories.respond(api["foreign"], {"age": "1"}, check=False)  # another organisation's: never sent here
        assert delivery.deliver_due() == (0, 1)
        row = db.session.execute(db.select(WebhookDelivery)).scalar_one()
        assert row.attempts == 1 and row.status == "pending" and row.last_status_code == 500
        assert row.next_attempt_at > datetime.utcnow()
        login(client, "owner@mawar.test")
        assert "HTTP 500" in client.get("/org/webhooks").get_data(as_text=True)
        assert delivery.deliver_due() == (0, 0)  # not due yet: back-off
        receiver.status = 200
        row.next_attempt_at = datetime(2020, 1, 1)
        db.session.commit()
        assert delivery.deliver_due() == (1, 0)
        headers, body = receiver.calls[-1]
        expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Suara-Signature"] == expected
        sent = json.loads(body)
        assert sent["event"] == "response.completed" and sent["response"]["response_id"] == response.id
        assert sent["response"]["answers"]["age"] == 33
        assert delivery.deliver_due() == (0, 0)  # delivered once only
        assert len(receiver.calls) == 2
    finally:
        receiver.close()
        app.config.pop("WEBHOOKS_ALLOW_PRIVATE")


def test_webhook_gives_up_after_max_attempts(app, api, world):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    try:
        hook = webhook_services.create(world.org.id, None, "http://127.0.0.1:9/closed-port")
        hook.created_at = datetime(2020, 1, 1)
        db.session.commit()
        factories.respond(api["survey"], {"age": "1"}, check=False)
        for _ in range(delivery.MAX_ATTEMPTS):
            db.session.execute(db.update(WebhookDelivery).values(next_attempt_at=datetime(2020, 1, 1)))
            db.session.commit()
            delivery.deliver_due()
        row = db.session.execute(db.select(WebhookDelivery)).scalar_one()
        assert row.status == "failed" and row.attempts == delivery.MAX_ATTEMPTS and row.last_error
    finally:
        app.config.pop("WEBHOOKS_ALLOW_PRIVATE")


def test_backoff_grows():
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert delivery.backoff(20) == timedelta(hours=6)
