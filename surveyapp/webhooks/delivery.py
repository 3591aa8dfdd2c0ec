"""Finding, claiming, signing and sending webhook deliveries, with back-off.

New complete responses are found by a query (complete responses of the
organisation's surveys submitted after the webhook was registered, without
a delivery row yet), so every way a response arrives (web form, paper,
kiosk, API, offline import, another process) is covered without hooks in
the collection code. The completion job (surveyapp/jobs/) queues them
promptly after a response commits and the ``send_webhooks`` job sends them
and schedules itself for the next retry; ``flask webhooks deliver`` runs
one round from cron when background jobs are off.

Several processes may run it at once: a delivery is *claimed* by moving its
``next_attempt_at`` forward by a lease in one conditional UPDATE (works the
same on SQLite and PostgreSQL), and the result is written only while that
lease is still ours. No transaction is open while a receiver is called.
Delivery is at least once: a process that dies mid-call leaves the lease to
expire and the call is repeated, so receivers de-duplicate by delivery id.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, insert, literal, select, update

from ..database import utcnow
from ..extensions import db
from ..responses.models import Response
from ..surveys.models import Survey
from . import targets
from .models import Webhook, WebhookDelivery
from .targets import WebhookRefused

# Defaults; the WEBHOOK_* settings in config.py override them.
MAX_ATTEMPTS = 8
TIMEOUT_SECONDS = 5
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 3600
JITTER = 0.2  # each pause is the back-off times a random factor in [0.8, 1.2]
# Longer than the send timeout plus building the payload: a claim that
# outlives it belongs to a process that died, and the call is repeated.
LEASE = timedelta(seconds=60)
# A response is queued within seconds of its commit; scanning only the last
# minutes keeps each wake-up cheap. Full scans (cron, worker start, hourly)
# catch anything older.
RECENT = timedelta(minutes=10)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _setting(name: str, default):
    return current_app.config.get(name, default)


def backoff(attempts: int, base: float = RETRY_BASE_SECONDS, cap: float = RETRY_MAX_SECONDS) -> timedelta:
    """The pause after ``attempts`` failed calls before jitter: base, 2×base,
    4×base ... (1, 2, 4 ... minutes by default), at most ``cap``."""
    return timedelta(seconds=min(base * 2 ** (attempts - 1), cap))


def retry_delay(
    attempts: int, base: float = RETRY_BASE_SECONDS, cap: float = RETRY_MAX_SECONDS, rng: random.Random | None = None
) -> timedelta:
    """The back-off with ±20 % jitter, so receivers that failed together are
    not all called again in the same second. Each pause still exceeds the
    one before (1.6 × the previous maximum > 1.2 × it) until the cap."""
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    return backoff(attempts, base, cap) * factor


# ---- queueing -----------------------------------------------------------------


def _new_deliveries(since: datetime | None):
    """(webhook id, response id) pairs that should have a delivery but have none."""
    query = (
        select(Webhook.id, Response.id)
        .join(Survey, Survey.organisation_id == Webhook.organisation_id)
        .join(Response, Response.survey_id == Survey.id)
        .where(
            Webhook.active.is_(True),
            Response.status == "complete",
            Response.submitted_at >= Webhook.created_at,
            ~exists().where(WebhookDelivery.webhook_id == Webhook.id, WebhookDelivery.response_id == Response.id),
        )
    )
    if since is not None:
        query = query.where(Response.submitted_at >= since)
    return query


def enqueue(since: datetime | None = None) -> int:
    """Create pending deliveries for complete responses not yet queued
    (only those submitted after ``since`` when given). Returns how many."""
    pairs = _new_deliveries(since)
    # A read first: on SQLite even an INSERT that adds nothing takes the
    # write lock that residents' submissions wait for.
    if db.session.execute(pairs.limit(1)).first() is None:
        db.session.commit()  # ends the read transaction (nothing to write)
        return 0
    now = utcnow()
    source = pairs.add_columns(literal("pending"), literal(0), literal(now), literal(now))
    statement = _insert_ignoring_duplicates().from_select(
        ["webhook_id", "response_id", "status", "attempts", "next_attempt_at", "created_at"], source
    )
    created = db.session.execute(statement).rowcount
    db.session.commit()
    return max(created or 0, 0)


def _insert_ignoring_duplicates():
    """INSERT ... ON CONFLICT DO NOTHING: a concurrent process may queue the
    same pair between our read and our insert."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(WebhookDelivery).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(WebhookDelivery).on_conflict_do_nothing()
    return insert(WebhookDelivery)


# ---- the payload and the call ---------------------------------------------------


def payload(response: Response) -> dict:
    from ..analytics.filters import Filters
    from ..exports import rows, writers
    from ..exports.layout import build_layout

    survey = db.session.get(Survey, response.survey_id)
    layout = build_layout(survey)
    row = next(rows.iter_rows(layout, survey.id, Filters(), response_id=response.id), None)
    record = writers.response_object(layout, writers._answer_plan(layout), row) if row else {"response_id": response.id}
    return {"event": "response.completed", "survey_id": survey.id, "response": record}


@dataclass(frozen=True)
class Claimed:
    """A delivery this process holds the lease on."""

    id: int
    response_id: int
    attempts: int
    url: str
    secret: str
    lease_until: datetime


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None


def _body(claimed: Claimed) -> bytes:
    response = db.session.get(Response, claimed.response_id)
    document = {**payload(response), "delivery_id": claimed.id, "attempt": claimed.attempts + 1}
    return json.dumps(document, ensure_ascii=False).encode()


def headers_for(claimed: Claimed, body: bytes) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": "Suara-Webhook/1",
        "X-Suara-Event": "response.completed",
        "X-Suara-Delivery": str(claimed.id),
        "X-Suara-Attempt": str(claimed.attempts + 1),
        "X-Suara-Signature": sign(claimed.secret, body),
    }


def _post(target: targets.Target, body: bytes, headers: dict) -> Outcome:
    """One call to the checked target (its addresses, never a new DNS
    answer); a redirect is a failure like any other non-2xx answer, since
    it could lead to an internal address."""
    try:
        status = targets.post(target, body, headers, _setting("WEBHOOK_TIMEOUT_SECONDS", TIMEOUT_SECONDS))
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Outcome(False, None, str(error)[:300] or type(error).__name__)
    if 200 <= status < 300:
        return Outcome(True, status)
    return Outcome(False, status, f"HTTP {status}")


# ---- claiming and recording -------------------------------------------------------


def claim(delivery_id: int, now: datetime | None = None) -> Claimed | None:
    """Take the lease on a due delivery; None if another process has it,
    it is not due, or it is no longer pending. Commits."""
    now = now or utcnow()
    lease_until = now + LEASE
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=lease_until)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        db.session.commit()  # nothing was changed; ends the transaction
        return None
    row = db.session.execute(
        select(WebhookDelivery.response_id, WebhookDelivery.attempts, Webhook.url, Webhook.secret)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.id == delivery_id)
    ).one()
    db.session.commit()
    return Claimed(delivery_id, row.response_id, row.attempts, row.url, row.secret, lease_until)


def record(claimed: Claimed, outcome: Outcome) -> bool:
    """Store the result of an attempt while the lease is still ours (a
    process whose lease expired must not overwrite the next holder's
    result). Returns whether it was stored. Commits."""
    attempts = claimed.attempts + 1
    values = {"attempts": attempts, "last_status_code": outcome.status_code, "last_error": outcome.error}
    if outcome.ok:
        values.update(status="delivered", delivered_at=utcnow(), last_error=None)
    elif attempts >= _setting("WEBHOOK_MAX_ATTEMPTS", MAX_ATTEMPTS):
        values.update(status="failed")
    else:
        values.update(
            next_attempt_at=utcnow()
            + retry_delay(
                attempts,
                _setting("WEBHOOK_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS),
                _setting("WEBHOOK_RETRY_MAX_SECONDS", RETRY_MAX_SECONDS),
            )
        )
    stored = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == claimed.id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at == claimed.lease_until,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return stored == 1


def attempt(claimed: Claimed) -> Outcome:
    """Build, sign and send one claimed delivery. Never raises: a failure
    to build the payload is recorded like a failed call, so it is retried
    and the owner sees it."""
    try:
        # Checked again at send time (DNS may have changed), and the call
        # goes to the addresses this check resolved, never to a new answer.
        target = targets.resolve(claimed.url)
        body = _body(claimed)
    except WebhookRefused as refused:
        db.session.rollback()
        return Outcome(False, None, str(refused)[:300])
    except Exception:  # noqa: BLE001  logged; the owner sees a short reason
        db.session.rollback()
        current_app.logger.exception("Building webhook delivery %s failed", claimed.id)
        return Outcome(False, None, _("Suara could not build the message; it will try again."))
    db.session.commit()  # end the read transaction: none stays open during the call
    return _post(target, body, headers_for(claimed, body))


def due_ids(limit: int, now: datetime | None = None) -> list[int]:
    now = now or utcnow()
    ids = (
        db.session.execute(
            select(WebhookDelivery.id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now, Webhook.active.is_(True)
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    return list(ids)


def send_due(limit: int = 100) -> tuple[int, int]:
    """Claim and send up to ``limit`` due deliveries; (delivered, failed)
    counts only those this call sent."""
    delivered = failed = 0
    for delivery_id in due_ids(limit):
        claimed = claim(delivery_id)
        if claimed is None:
            continue  # another process took it
        outcome = attempt(claimed)
        record(claimed, outcome)
        if outcome.ok:
            delivered += 1
        else:
            failed += 1
    # Rows changed behind the ORM's back; objects the caller holds must reload.
    db.session.expire_all()
    return delivered, failed


_ANY_ACTIVE = select(Webhook.id).where(Webhook.active.is_(True)).limit(1)


def has_active_webhooks() -> bool:
    """Cheap first check: most organisations register none, and then a
    completed response costs this one indexed read and nothing more."""
    found = db.session.execute(_ANY_ACTIVE).first() is not None
    db.session.commit()
    return found


def deliver_due(limit: int = 100, since: datetime | None = None) -> tuple[int, int]:
    """Queue new responses (all, or those submitted after ``since``), then
    send up to ``limit`` due deliveries; returns (delivered, failed)."""
    if not has_active_webhooks():
        return 0, 0
    enqueue(since)
    return send_due(limit)


def next_due_at() -> datetime | None:
    """When the earliest pending delivery falls due (for the worker's sleep)."""
    value = db.session.execute(
        select(func.min(WebhookDelivery.next_attempt_at))
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == "pending", Webhook.active.is_(True))
    ).scalar()
    db.session.commit()
    return value


def recent_since() -> datetime:
    return utcnow() - RECENT
