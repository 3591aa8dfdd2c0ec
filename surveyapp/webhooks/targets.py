"""Where a webhook may be sent: the one check against server-side request
forgery, used when a URL is saved and again, with a fresh DNS answer, when
a delivery is sent.

The rules:

* only http(s), no user name or password in the URL;
* the host is resolved ONCE per check, and EVERY address it resolves to
  must be globally routable (``ipaddress``'s ``is_global``), not
  multicast, and, for IPv6 forms that carry an IPv4 address (IPv4-mapped
  and -compatible, 6to4, NAT64), the embedded IPv4 address must pass too;
* the delivery connects to one of the addresses that were checked (never
  to the host name, which a second DNS answer could point elsewhere:
  DNS rebinding), sending ``Host`` and TLS SNI/certificate checks for the
  host name.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

URL_MAX = 500
# Addresses tried per call when connecting fails: each may take the whole
# timeout, and the call must end well inside the delivery's lease.
MAX_ADDRESSES = 4
# is_global misses these (Python 3.11): local-use NAT64 (RFC 8215) and the
# deprecated 6to4 relay anycast (RFC 7526).
EXTRA_REFUSED = [ipaddress.ip_network(n) for n in ("64:ff9b:1::/48", "192.88.99.0/24")]
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class WebhookRefused(ValueError):
    """A URL that cannot be used; the message says why."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is of a form that
    reaches it (mapped, compatible, 6to4, NAT64)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or address in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """Whether Suara may connect to ``address`` for a webhook."""
    if not address.is_global or address.is_multicast:
        return False
    if any(address in network for network in EXTRA_REFUSED if network.version == address.version):
        return False
    if address.version == 6:
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    return True


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect and how to name the host there."""

    url: str
    scheme: str
    hostname: str  # ASCII (IDNA) form: for Host and TLS
    host_header: str
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # the resolved addresses that were checked, in resolver order


def _private_allowed() -> bool:
    # The test switch is honoured by the testing configuration only, so no
    # production setting can open the internal network.
    return bool(current_app.testing and current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"))


def resolve(url: str) -> Target:
    """Check ``url`` and resolve its host once; raises WebhookRefused."""
    url = (url or "").strip()
    if len(url) > URL_MAX:
        raise WebhookRefused(_("The address is longer than 500 characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookRefused(_("Give a full web address starting with https://.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookRefused(_("Give a full web address starting with https://."))
    if parts.username or parts.password:
        raise WebhookRefused(_("Put no user name or password in the address; Suara signs each call instead."))
    try:
        hostname = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise WebhookRefused(_("The host %(host)s could not be found.", host=parts.hostname)) from None
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        raise WebhookRefused(_("The host %(host)s could not be found.", host=parts.hostname)) from None
    addresses = tuple(dict.fromkeys(info[4][0].split("%")[0] for info in infos))
    if not addresses:
        raise WebhookRefused(_("The host %(host)s could not be found.", host=parts.hostname))
    if not _private_allowed():
        for text in addresses:
            address = ipaddress.ip_address(text)
            if not is_public(address):
                raise WebhookRefused(
                    _(
                        "%(host)s points to a private or local address (%(address)s); webhooks must go to a public server.",
                        host=parts.hostname,
                        address=str(address),
                    )
                )
    host_header = f"[{hostname}]" if ":" in hostname else hostname
    if parts.port is not None:
        host_header += f":{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, parts.scheme, hostname, host_header, port, path, addresses)


def tls_context() -> ssl.SSLContext:
    """Certificate and host name checks on (a seam for tests)."""
    return ssl.create_default_context()


class PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one checked address, speaking to it as the
    target's host name (Host header set by the caller, SNI and certificate
    check here). It never resolves anything."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(address, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        if self.target.scheme == "https":
            try:
                sock = tls_context().wrap_socket(sock, server_hostname=self.target.hostname)
            except BaseException:
                sock.close()
                raise
        self.sock = sock


def post(target: Target, body: bytes, headers: dict, timeout: float) -> int:
    """POST ``body`` to the target through its checked addresses (the next
    one only when connecting fails, at most MAX_ADDRESSES); the HTTP
    status. Never follows
    a redirect (http.client does not). Raises OSError / http.client errors."""
    headers = {**headers, "Host": target.host_header}
    error: Exception | None = None
    for address in target.addresses[:MAX_ADDRESSES]:
        connection = PinnedConnection(target, address, timeout)
        try:
            connection.connect()
        except (OSError, ssl.SSLError) as failed:
            error = failed
            connection.close()
            if isinstance(failed, ssl.SSLError):
                raise  # a certificate problem is the same on every address
            continue
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            answer = connection.getresponse()
            answer.read(64 * 1024)
            return answer.status
        finally:
            connection.close()
    raise error or OSError("no address to connect to")
