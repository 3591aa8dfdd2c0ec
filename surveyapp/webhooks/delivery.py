"""Finding, signing and sending webhook deliveries, with back-off.

New complete responses are found by a query (complete responses of the
organisation's surveys submitted after the webhook was registered, without
a delivery row yet), so every way a response arrives (web form, paper,
kiosk, API, offline import) is covered without hooks in the collection
code. ``flask webhooks deliver`` runs it (cron, every minute); the API and
the offline import also start it in a background thread after their commit,
so nobody waits on a slow receiver.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import exc, select

from ..database import utcnow
from ..extensions import db
from ..responses.models import Response
from ..surveys.models import Survey
from .models import Webhook, WebhookDelivery
from .services import WebhookRefused, check_url

MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
ENQUEUE_BATCH = 1_000
_lock = threading.Lock()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def enqueue() -> int:
    """Create pending deliveries for complete responses not yet queued."""
    created = 0
    for webhook in db.session.execute(select(Webhook).where(Webhook.active.is_(True))).scalars().all():
        already = select(WebhookDelivery.response_id).where(WebhookDelivery.webhook_id == webhook.id)
        ids = db.session.execute(
            select(Response.id).join(Survey, Survey.id == Response.survey_id)
            .where(Survey.organisation_id == webhook.organisation_id, Response.status == "complete",
                   Response.submitted_at >= webhook.created_at, Response.id.not_in(already))
            .order_by(Response.id).limit(ENQUEUE_BATCH)
        ).scalars().all()
        for response_id in ids:
            try:
                with db.session.begin_nested():
                    db.session.add(WebhookDelivery(webhook_id=webhook.id, response_id=response_id))
                created += 1
            except exc.IntegrityError:
                pass  # queued by a concurrent run
    db.session.commit()
    return created


def payload(response: Response) -> dict:
    from ..exports import rows, writers
    from ..exports.layout import build_layout
    from ..analytics.filters import Filters

    survey = db.session.get(Survey, response.survey_id)
    layout = build_layout(survey)
    row = next(rows.iter_rows(layout, survey.id, Filters(), response_id=response.id), None)
    record = writers.response_object(layout, writers._answer_plan(layout), row) if row else {"response_id": response.id}
    return {"event": "response.completed", "survey_id": survey.id, "response": record}


def _send(delivery: WebhookDelivery) -> tuple[bool, int | None, str | None]:
    webhook = delivery.webhook
    try:
        url = check_url(webhook.url)  # again at send time: DNS may have changed
    except WebhookRefused as refused:
        return False, None, str(refused)[:300]
    response = db.session.get(Response, delivery.response_id)
    body = json.dumps({**payload(response), "delivery_id": delivery.id, "attempt": delivery.attempts + 1},
                      ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Suara-Webhook/1",
        "X-Suara-Signature": sign(webhook.secret, body), "X-Suara-Delivery": str(delivery.id)})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return 200 <= answer.status < 300, answer.status, None
    except urllib.error.HTTPError as error:
        return False, error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return False, None, str(getattr(error, "reason", error))[:300]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could lead to an internal address: treat it as a failure."""

    def redirect_request(self, *args, **kwargs):
        return None


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Send up to ``limit`` due deliveries; returns (delivered, failed)."""
    with _lock:
        enqueue()
        now = utcnow()
        due = db.session.execute(
            select(WebhookDelivery).where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
        ).scalars().all()
        delivered = failed = 0
        for delivery in due:
            ok, code, error = _send(delivery)
            delivery.attempts += 1
            delivery.last_status_code, delivery.last_error = code, error
            if ok:
                delivery.status, delivery.delivered_at = "delivered", utcnow()
                delivered += 1
            else:
                failed += 1
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = "failed"
                else:
                    delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
            db.session.commit()
        return delivered, failed


def kick(app) -> None:
    """Deliver in a background thread (never in the caller's request).
    Off in testing unless WEBHOOKS_BACKGROUND is set."""
    if not app.config.get("WEBHOOKS_BACKGROUND", not app.testing):
        return
    if not db.session.execute(select(Webhook.id).where(Webhook.active.is_(True)).limit(1)).first():
        return

    def run():
        with app.app_context():
            try:
                deliver_due()
            except Exception:  # noqa: BLE001  a background failure must not be lost silently
                app.logger.exception("Webhook delivery failed")
            finally:
                db.session.remove()

    threading.Thread(target=run, name="suara-webhooks", daemon=True).start()
