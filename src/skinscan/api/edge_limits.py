"""The HTTP edge's limits (``protocol.py`` enforces them): built by ``skinscan serve`` from Settings."""

from __future__ import annotations

import resource
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from skinscan.api.clientaddr import Network, parse_networks

if TYPE_CHECKING:
    from skinscan.api.settings import Settings


@dataclass(frozen=True)
class HttpLimits:
    """The edge's limits (see the module docstring); built by ``skinscan serve`` from Settings."""

    max_header_bytes: int = 32 * 1024
    header_timeout_s: float = 10.0
    max_trailers: int = 32
    body_routes: frozenset[tuple[str, str]] = frozenset({("POST", "/api/v1/predict")})
    body_deadline_s: float = 60.0
    min_body_rate: int = 1024
    rate_window_s: float = 5.0
    min_chunk_bytes: int = 512
    max_connections: int = 1000
    max_per_address: int = 64
    reserve: int = 100
    exempt: tuple[Network, ...] = field(default_factory=tuple)
    per_address: bool = True
    """False behind proxies that append X-Forwarded-For (``forwarded_hops`` > 0): every connection then
    comes from a proxy, so the per-address cap and the reserve would only throttle the proxies."""

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpLimits:
        connections = max(1, min(settings.max_connections, _open_files_allowed() - 64))
        return cls(
            max_header_bytes=settings.max_header_kb * 1024,
            header_timeout_s=settings.header_timeout_s,
            body_deadline_s=settings.body_timeout_s,
            min_body_rate=settings.min_body_rate,
            max_connections=connections,
            max_per_address=settings.max_connections_per_address,
            reserve=max(1, connections // 10),
            exempt=parse_networks(settings.trusted_proxies),
            per_address=settings.forwarded_hops == 0,
        )


def _open_files_allowed() -> int:
    """Raise the soft open-file limit to the hard one (connections are files); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = 65536 if hard == resource.RLIM_INFINITY else hard
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return int(soft)
