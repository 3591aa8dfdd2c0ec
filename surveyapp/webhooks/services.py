"""Register and remove webhooks; refuse URLs that point inside the network."""
from __future__ import annotations

import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from ..database import utcnow
from ..extensions import db
from .models import Webhook, WebhookDelivery

BLOCKED = [ipaddress.ip_network(n) for n in (
    "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7",
    "0.0.0.0/8", "100.64.0.0/10", "fe80::/10", "::/128", "::ffff:0:0/96")]


class WebhookRefused(ValueError):
    """A URL that cannot be used; the message says why."""


def check_url(url: str) -> str:
    """The URL, if it is http(s) and resolves only to public addresses
    (private ones are allowed only in tests that set WEBHOOKS_ALLOW_PRIVATE).
    Raises WebhookRefused."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookRefused(_("Give a full web address starting with https://."))
    if len(url) > 500:
        raise WebhookRefused(_("The address is longer than 500 characters."))
    if parts.username or parts.password:
        raise WebhookRefused(_("Put no user name or password in the address; Suara signs each call instead."))
    try:
        port = parts.port
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise WebhookRefused(_("The host %(host)s could not be found.", host=parts.hostname)) from None
    # The test switch is honoured by the testing configuration only, so no
    # production setting can open the internal network.
    if current_app.testing and current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"):
        return url
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if any(address in network for network in BLOCKED if network.version == address.version):
            raise WebhookRefused(_("%(host)s points to a private or local address (%(address)s); webhooks must go to a public server.",
                                   host=parts.hostname, address=str(address)))
    return url


def create(organisation_id: int, user_id: int | None, url: str) -> Webhook:
    webhook = Webhook(organisation_id=organisation_id, created_by_id=user_id, url=check_url(url),
                      secret=secrets.token_hex(32))
    db.session.add(webhook)
    db.session.commit()
    return webhook


def delete(webhook: Webhook) -> None:
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
