"""What the owner's webhook page shows: delivery counts per webhook and
the deliveries that failed or are waiting for a retry."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import Webhook, WebhookDelivery

PROBLEMS_SHOWN = 50


def counts(organisation_id: int) -> dict[int, dict[str, int]]:
    """webhook id -> {status: number of deliveries}, counted in SQL."""
    rows = db.session.execute(
        select(WebhookDelivery.webhook_id, WebhookDelivery.status, func.count())
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(Webhook.organisation_id == organisation_id)
        .group_by(WebhookDelivery.webhook_id, WebhookDelivery.status)
    ).all()
    result: dict[int, dict[str, int]] = {}
    for webhook_id, status, number in rows:
        result.setdefault(webhook_id, {})[status] = number
    return result


def problems(organisation_id: int, limit: int = PROBLEMS_SHOWN) -> list[WebhookDelivery]:
    """Deliveries not (yet) delivered that failed at least once, newest first."""
    return (
        db.session.execute(
            select(WebhookDelivery)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                Webhook.organisation_id == organisation_id,
                WebhookDelivery.status != "delivered",
                WebhookDelivery.attempts > 0,
            )
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
