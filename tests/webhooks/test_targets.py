"""Webhook targets (SSRF): only globally routable addresses, checked on
every address a host resolves to, when saved and again when sent; the
send connects to the address it checked (no second DNS answer is used).
No test here touches the network: DNS and the connection are fakes."""

from __future__ import annotations

import socket
import ssl
from datetime import datetime

import pytest

from surveyapp.extensions import db
from surveyapp.webhooks import delivery
from surveyapp.webhooks import services as webhook_services
from surveyapp.webhooks.models import Webhook, WebhookDelivery
from tests import factories
from tests.exports import data
from tests.webhooks.conftest import Receiver

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"
HOST = "hook.example"

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.5",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "192.0.0.1",
    "224.0.0.1",
    "239.255.255.250",  # multicast (is_global says yes)
    "::1",
    "::",
    "fe80::1",
    "fd00::1",
    "2001:db8::1",
    "2001::1",
    "100::1",
    "ff02::1",
    "ff0e::1",  # multicast
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::a00:1",  # NAT64 of loopback, metadata, 10/8
    "64:ff9b:1::1",  # local-use NAT64
    "2002:7f00:1::1",
    "2002:a9fe:a9fe::1",
    "2002:c0a8:105::1",  # 6to4 of loopback, metadata, 192.168/16
    "::127.0.0.1",
    "::10.0.0.1",  # IPv4-compatible
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",  # IPv4-mapped
    "192.88.99.1",  # 6to4 relay anycast (deprecated)
]
ALLOWED = [
    PUBLIC_V4,
    PUBLIC_V6,
    "8.8.8.8",
    "2620:4f:8000::1",
    "64:ff9b::5db8:d822",
    "2002:5db8:d822::1",
]  # NAT64 and 6to4 of a public address


class FakeDNS:
    """socket.getaddrinfo with answers set by the test: ``answers[host]`` is
    a list of addresses, or a list of such lists used one per call (the
    last one repeats). IP literals resolve as themselves; anything else
    fails, so nothing reaches a real resolver."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.calls: list[str] = []
        self._real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        try:
            literal = socket.inet_pton(socket.AF_INET6 if ":" in str(host) else socket.AF_INET, str(host))
        except (OSError, TypeError):
            literal = None
        if literal is not None:
            return self._real(host, port, *args, **kwargs)
        self.calls.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "not in the fake DNS")
        answer = self.answers[host]
        if answer and isinstance(answer[0], list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in answer
        ]


@pytest.fixture
def dns(monkeypatch):
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def connections(monkeypatch):
    """socket.create_connection recorded; each connection goes to a local
    receiver instead of the address asked for (so nothing leaves the machine)."""
    receiver = Receiver()
    real = socket.create_connection
    asked: list[tuple] = []

    def fake(address, *args, **kwargs):
        asked.append(tuple(address[:2]))
        return real(("127.0.0.1", receiver.server.server_port), *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", fake)
    yield asked, receiver
    receiver.close()


@pytest.mark.parametrize("address", REFUSED)
def test_an_address_that_is_not_globally_routable_is_refused(app, world, ctx, dns, address):
    assert not app.config.get("WEBHOOKS_ALLOW_PRIVATE")
    dns.answers[HOST] = [address]
    with pytest.raises(webhook_services.WebhookRefused, match="private or local"):
        webhook_services.create(world.org.id, None, f"https://{HOST}/hook")
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(webhook_services.WebhookRefused):
        webhook_services.check_url(f"http://{literal}/hook")
    assert db.session.execute(db.select(db.func.count()).select_from(Webhook)).scalar_one() == 0


@pytest.mark.parametrize("address", ALLOWED)
def test_a_globally_routable_address_is_allowed(world, ctx, dns, address):
    dns.answers[HOST] = [address]
    hook = webhook_services.create(world.org.id, None, f"https://{HOST}/hook")
    assert hook.url == f"https://{HOST}/hook"


def test_every_resolved_address_is_checked(world, ctx, dns):
    dns.answers[HOST] = [PUBLIC_V4, PUBLIC_V6, "10.0.0.7"]
    with pytest.raises(webhook_services.WebhookRefused, match="10.0.0.7"):
        webhook_services.create(world.org.id, None, f"https://{HOST}/hook")


def _queued(world, url: str) -> Webhook:
    """A webhook (saved directly, so the test's DNS answers start at send
    time) and one complete response waiting to be sent to it."""
    hook = Webhook(organisation_id=world.org.id, url=url, secret="s", created_at=datetime(2020, 1, 1))
    db.session.add(hook)
    survey = data.survey(world.org)
    survey.status = "open"
    db.session.commit()
    factories.respond(survey, {"age": "30"}, check=False)
    return hook


def _row() -> WebhookDelivery:
    db.session.expire_all()
    return db.session.execute(db.select(WebhookDelivery)).scalar_one()


def test_rebinding_after_saving_is_refused_at_send_time(world, ctx, dns, connections):
    asked, receiver = connections
    dns.answers[HOST] = [PUBLIC_V4]
    hook = webhook_services.create(world.org.id, None, f"http://{HOST}/hook")
    hook.created_at = datetime(2020, 1, 1)
    db.session.commit()
    dns.answers[HOST] = ["127.0.0.1"]
    survey = data.survey(world.org)
    factories.respond(survey, {"age": "30"}, check=False)
    assert delivery.deliver_due() == (0, 1)
    assert asked == [] and receiver.calls == []
    assert "private or local" in _row().last_error


def test_the_host_is_resolved_once_and_the_checked_address_is_the_one_connected_to(world, ctx, dns, connections):
    asked, receiver = connections
    _queued(world, f"http://{HOST}/hook?x=1")
    # A rebinding resolver: public for the check, loopback for any later lookup.
    dns.answers[HOST] = [[PUBLIC_V4], ["127.0.0.1"]]
    assert delivery.deliver_due() == (1, 0)
    assert dns.calls == [HOST]
    assert asked == [(PUBLIC_V4, 80)]
    [(headers, _body, _when)] = receiver.calls
    assert headers["Host"] == HOST


def test_a_port_in_the_url_is_kept_and_named_in_the_host_header(world, ctx, dns, connections):
    asked, receiver = connections
    _queued(world, f"http://{HOST}:8080/hook")
    dns.answers[HOST] = [PUBLIC_V6]
    assert delivery.deliver_due() == (1, 0)
    assert asked == [(PUBLIC_V6, 8080)]
    assert receiver.calls[0][0]["Host"] == f"{HOST}:8080"


def test_https_connects_to_the_address_and_checks_the_certificate_for_the_host_name(
    world, ctx, dns, connections, monkeypatch
):
    from surveyapp.webhooks import targets

    asked, receiver = connections
    wrapped = []

    class Context:
        def wrap_socket(self, sock, server_hostname=None, **_kwargs):
            wrapped.append(server_hostname)
            raise ssl.SSLCertVerificationError("certificate verify failed (test)")

    monkeypatch.setattr(targets, "tls_context", Context)
    _queued(world, f"https://{HOST}/hook")
    dns.answers[HOST] = [PUBLIC_V4]
    assert delivery.deliver_due() == (0, 1)
    assert asked == [(PUBLIC_V4, 443)] and wrapped == [HOST] and receiver.calls == []
    assert "certificate" in _row().last_error


def test_when_connecting_fails_the_next_checked_address_is_tried_and_no_other(
    world, ctx, dns, connections, monkeypatch
):
    asked, receiver = connections
    through = socket.create_connection  # the recording fake

    def refuse_the_first(address, *args, **kwargs):
        if not asked:
            asked.append(tuple(address[:2]))
            raise ConnectionRefusedError("refused (test)")
        return through(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", refuse_the_first)
    _queued(world, f"http://{HOST}/hook")
    dns.answers[HOST] = [[PUBLIC_V4, "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9"], ["127.0.0.1"]]
    assert delivery.deliver_due() == (1, 0)
    assert asked == [(PUBLIC_V4, 80), ("8.8.8.8", 80)] and len(receiver.calls) == 1
