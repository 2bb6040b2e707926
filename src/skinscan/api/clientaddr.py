"""The client address the rate limit keys on, from the connection or from trusted proxies only.

uvicorn's ``--proxy-headers`` takes the *leftmost* ``X-Forwarded-For`` entry, which the client
writes itself: behind Heroku's router (``FORWARDED_ALLOW_IPS='*'``) every spoofed prefix got a
fresh rate-limit bucket. skinscan turns uvicorn's handling off and decides here instead:

- ``forwarded_hops = N`` (``SKINSCAN_FORWARDED_HOPS``): N proxies, each appending the address it
  saw, sit in front of the app; the client is the N-th entry from the right (Heroku, Cloud Run: 1).
- ``trusted_proxies`` (``SKINSCAN_TRUSTED_PROXIES``, addresses or networks): when the peer is one
  of them, walk ``X-Forwarded-For`` from the right past trusted entries; the first other one is
  the client (nginx on the same host: ``127.0.0.1``).
- Neither (the default): the peer address; forwarded headers are ignored, even from localhost.

Keys are normalised IP addresses (IPv6 grouped by /64, what one subscriber gets), so a key is at
most 43 characters whatever the header holds; anything unparsable shares one ``invalid`` bucket.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_FORWARDED_ENTRIES = 32
"""Entries of X-Forwarded-For looked at (from the right); no real chain of proxies is longer."""
INVALID = "invalid"


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "127.0.0.1"]`` -> networks; raises ValueError on a bad entry."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = value.strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text[:64])
    except ValueError:
        return None


def bucket_key(value: str | None) -> str:
    """A short, normalised key for one client: the address, or its /64 for IPv6."""
    address = _ip(value or "")
    if address is None:
        return INVALID
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _trusted(value: str | None, networks: tuple[Network, ...]) -> bool:
    address = _ip(value or "")
    return address is not None and any(address in network for network in networks)


def _header_entries(scope: Scope, name: bytes) -> list[str]:
    """The last MAX_FORWARDED_ENTRIES comma-separated entries over all headers called ``name``."""
    raw = b",".join(value for key, value in scope.get("headers", ()) if key == name)
    if not raw:
        return []
    tail = raw.rsplit(b",", MAX_FORWARDED_ENTRIES)[-MAX_FORWARDED_ENTRIES:]
    return [entry.decode("latin-1").strip() for entry in tail if entry.strip()]


def resolve_client(
    peer: str | None, forwarded: list[str], trusted: tuple[Network, ...], hops: int
) -> tuple[str | None, bool]:
    """(the client's address as given, whether a trusted proxy vouched for the headers)."""
    if hops > 0:
        if not forwarded:
            return peer, False
        return forwarded[-hops] if len(forwarded) >= hops else forwarded[0], True
    if trusted and _trusted(peer, trusted):
        client = peer
        for entry in reversed(forwarded):
            client = entry
            if not _trusted(entry, trusted):
                break
        return client, True
    return peer, False


class ClientAddressMiddleware:
    """Sets ``scope["client"]`` (normalised key, port 0) and, when a trusted proxy says so,
    ``scope["scheme"]`` from ``X-Forwarded-Proto``; everything after it sees the result."""

    def __init__(self, app: ASGIApp, trusted_proxies: Iterable[str] = (), forwarded_hops: int = 0) -> None:
        self.app = app
        self.trusted = parse_networks(trusted_proxies)
        self.hops = forwarded_hops

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            forwarded = _header_entries(scope, b"x-forwarded-for") if (self.hops or self.trusted) else []
            client, vouched = resolve_client(peer[0] if peer else None, forwarded, self.trusted, self.hops)
            scope = dict(scope)
            scope["client"] = (bucket_key(client), 0)
            if vouched:
                proto = _header_entries(scope, b"x-forwarded-proto")
                if proto and proto[-1].lower() in ("http", "https"):
                    scope["scheme"] = proto[-1].lower()
        await self.app(scope, receive, send)
