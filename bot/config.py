"""Limits and knobs of the gateway, with safe defaults.

These are not read from the environment here (only ``core.settings`` does that). The
defaults fit a single local gateway; :meth:`GatewayConfig.from_settings` applies overrides
from ``settings.extra`` (string values, keys as the field names), so a deployment can tune
them once the settings module fills ``extra`` or grows matching fields. Tests build a
``GatewayConfig`` directly with short timeouts and small limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Dict, FrozenSet, Mapping, Tuple

from core.settings import Settings


@dataclass(frozen=True)
class GatewayConfig:
    """Everything the gateway needs to know besides where Rasa and the actions are."""

    rasa_timeout_seconds: float = 10.0
    probe_timeout_seconds: float = 1.5
    max_body_bytes: int = 16 * 1024
    max_message_chars: int = 1000
    max_reply_bytes: int = 512 * 1024
    session_idle_seconds: int = 30 * 60
    session_absolute_seconds: int = 8 * 60 * 60
    max_sessions: int = 100_000
    # Staff console logins: 15 minutes idle, 10 hours in all (a working day).
    staff_idle_seconds: int = 15 * 60
    staff_absolute_seconds: int = 10 * 60 * 60
    staff_login_per_minute: int = 10
    session_rate_per_minute: int = 20
    ip_rate_per_minute: int = 60
    # Peers whose X-Forwarded-Proto / X-Forwarded-For we believe (a reverse proxy's IPs).
    trusted_proxies: FrozenSet[str] = field(default_factory=frozenset)
    # Origins besides the gateway's own that may POST (e.g. the public site behind a proxy).
    allowed_origins: FrozenSet[str] = field(default_factory=frozenset)
    # Public pages of the seed texts, "<seed file>=<address>" (GATEWAY_SOURCE_PAGES, comma-
    # separated): an answer's source links there; without one, to the gateway's /kilde page.
    source_pages: FrozenSet[str] = field(default_factory=frozenset)
    # Rasa replicas; empty means settings.rasa_url (which may list several, comma-separated).
    rasa_urls: Tuple[str, ...] = ()
    # --- scale-out (issue 7, infra): used by bot/rasa_client.py and bot/routing.py ---------
    # A replica that does not accept the connection in this time is skipped (fail over).
    connect_timeout_seconds: float = 0.5
    # Consecutive failures that open a replica's circuit breaker, and how long it stays open.
    breaker_failures: int = 2
    breaker_open_seconds: float = 5.0
    # Background health probes of the replicas (only with several; 0 turns them off).
    health_interval_seconds: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "GatewayConfig":
        """Defaults, overridden by ``settings.extra`` entries named like the fields."""
        overrides: Dict[str, Any] = {}
        extra: Mapping[str, str] = settings.extra or {}
        for f in fields(cls):
            raw = extra.get(f.name)
            if raw is None or raw == "":
                continue
            overrides[f.name] = _parse(f.name, str(raw), getattr(cls(), f.name))
        config = replace(cls(), **overrides)
        if not config.rasa_urls:
            config = replace(config, rasa_urls=split_urls(settings.rasa_url))
        return config


def split_urls(value: str) -> Tuple[str, ...]:
    """``"http://a:5005, http://b:5005/"`` -> ``("http://a:5005", "http://b:5005")``."""
    return tuple(u.strip().rstrip("/") for u in (value or "").split(",") if u.strip())


def _parse(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on", "ja"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, frozenset):
            return frozenset(p.strip() for p in raw.split(",") if p.strip())
        if isinstance(default, tuple):
            return split_urls(raw)
    except ValueError as exc:
        raise ValueError(f"gateway setting {name}={raw!r} is not valid") from exc
    return raw
