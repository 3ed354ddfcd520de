"""Webhooks to schools: signing secrets, the signature, where a webhook may point, and the POST itself.

Secret: each school's secret is derived, never stored: HMAC-SHA256(WEBHOOK_SIGNING_SECRET,
"<brin>:<salt>"), with a random salt per registration kept in `school_webhook`. A copy of the
database alone reveals no secret; re-registering the webhook (a new salt) rotates it; changing
WEBHOOK_SIGNING_SECRET rotates every school's secret at once.

Signature (`erkenning.core.signing`): `X-Erkenning-Signature: sha256=<hex HMAC-SHA256(secret,
"<timestamp>." + body)>` with `X-Erkenning-Timestamp: <unix seconds>`. Receivers recompute it,
compare in constant time, refuse timestamps older than a few minutes (replay) and drop an
`X-Erkenning-Delivery` id seen before (delivery is at least once).

Where: https only, to public addresses only (no private, loopback, link-local or reserved ranges,
checked when registered and again before every POST), no redirects followed. Networks listed in
WEBHOOK_ALLOWED_NETWORKS are let through, also over plain http (tests, an internal receiver).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

import httpx

from erkenning.core import clock
from erkenning.core.errors import ValidationFailed
from erkenning.core.settings import Settings
from erkenning.core.signing import sign

SIGNATURE_HEADER = "X-Erkenning-Signature"
TIMESTAMP_HEADER = "X-Erkenning-Timestamp"
DELIVERY_HEADER = "X-Erkenning-Delivery"
USER_AGENT = "erkenning-webhook/1"
_RESOLVE_TIMEOUT_S = 3.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def new_salt() -> str:
    return secrets.token_hex(16)


def derive_secret(settings: Settings, school_brin: str, salt: str) -> str:
    key = settings.webhook_signing_secret.get_secret_value().encode()
    digest = hmac.new(key, f"{school_brin}:{salt}".encode(), hashlib.sha256).digest()
    return "whsec_" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed([{"field": "url", "message": message}])


class Unresolvable(ValidationFailed):
    """The host name did not resolve: refused when registering, retried when delivering (DNS recovers)."""


def _allowed_networks(settings: Settings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.webhook_allowed_networks]


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        host.encode("idna")  # as getaddrinfo will; a name it cannot encode is no host name
    except UnicodeError:
        raise _refuse("not a valid URL") from None
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout=_RESOLVE_TIMEOUT_S
        )
    except (OSError, TimeoutError, UnicodeError):
        raise Unresolvable([{"field": "url", "message": "the host name cannot be resolved"}]) from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def check_url(url: str, settings: Settings) -> None:
    """Refuse (422 naming `url`) a webhook URL that is not https to a public address."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse("not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refuse("must be an https:// URL")
    if parts.username is not None or parts.password is not None:
        raise _refuse("must not carry credentials")
    addresses = await _resolve(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    allowed = _allowed_networks(settings)
    in_allowed = [any(ip in net for net in allowed) for ip in addresses]
    for ip, ok in zip(addresses, in_allowed, strict=True):
        plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
        if not ok and not plain.is_global:
            raise _refuse("must point at a public address")
    if parts.scheme == "http" and not all(in_allowed):
        raise _refuse("must be an https:// URL")


async def post(settings: Settings, url: str, secret: str, delivery_id: str, body: bytes) -> int:
    """POST a signed body; the response status, or an httpx.HTTPError when there is no answer."""
    await check_url(url, settings)
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        TIMESTAMP_HEADER: str(timestamp),
        DELIVERY_HEADER: delivery_id,
    }
    timeout = httpx.Timeout(settings.webhook_timeout_s)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        # The answer's body is never read: only whether it was taken.
        async with client.stream("POST", url, content=body, headers=headers) as response:
            return response.status_code
