"""Register and remove webhooks; refuse URLs that point inside the network."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy import update

from .. import audit
from ..audit import Action
from ..database import utcnow
from ..extensions import db
from . import targets
from .models import Webhook, WebhookDelivery
from .targets import WebhookRefused

__all__ = ["WebhookRefused", "check_url", "create", "delete", "retry_failed"]


def check_url(url: str) -> str:
    """The URL, stripped, if it may be used (``targets.resolve``: http(s),
    and every address its host resolves to globally routable; private ones
    only in tests that set WEBHOOKS_ALLOW_PRIVATE). Raises WebhookRefused."""
    return targets.resolve(url).url


def create(organisation_id: int, user_id: int | None, url: str) -> Webhook:
    webhook = Webhook(
        organisation_id=organisation_id, created_by_id=user_id, url=check_url(url), secret=secrets.token_hex(32)
    )
    db.session.add(webhook)
    audit.record(Action.WEBHOOK_CREATED, webhook, host=_host(webhook.url))
    db.session.commit()
    return webhook


def _host(url: str) -> str:
    """What the audit log keeps of a webhook's URL: its host, never the path
    or query, which may carry the receiver's own key."""
    return urlsplit(url).hostname or ""


def delete(webhook: Webhook) -> None:
    audit.record(Action.WEBHOOK_DELETED, webhook, host=_host(webhook.url))
    db.session.delete(webhook)
    db.session.commit()


def retry_failed(webhook: Webhook) -> int:
    """Send the deliveries that gave up again, from a fresh attempt count
    (after the owner fixed the receiver). Returns how many."""
    count = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count
