"""Limits and knobs of the gateway, with safe defaults.

These are not read from the environment here (only ``core.settings`` does that). The
defaults fit a single local gateway; :meth:`GatewayConfig.from_settings` applies overrides
from ``settings.extra`` (string values, keys as the field names), so a deployment can tune
them once the settings module fills ``extra`` or grows matching fields. Tests build a
``GatewayConfig`` directly with short timeouts and small limits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Tuple

from core.settings import DEV_IDENTITY_SECRET, Settings

MIN_IDENTITY_SECRET_BYTES = 32  # as core.identity.MIN_SECRET_BYTES
MIN_METRICS_TOKEN_CHARS = 16


class ConfigError(ValueError):
    """The gateway must not start with this configuration (see :func:`production_problems`)."""


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
    # Staff login attempts per account at one IP, and all attempts from one IP.
    staff_login_per_minute: int = 10
    staff_login_ip_per_minute: int = 60
    # Chat messages per session, and a generous ceiling per IP (offices share one NAT).
    session_rate_per_minute: int = 20
    ip_rate_per_minute: int = 300
    # New server-side sessions per client IP (a chat turn or login without a live cookie).
    new_sessions_per_minute: int = 30
    # Peers whose X-Forwarded-Proto / X-Forwarded-For we believe (a reverse proxy's IPs).
    trusted_proxies: FrozenSet[str] = field(default_factory=frozenset)
    # Origins besides the gateway's own that may POST (e.g. the public site behind a proxy).
    allowed_origins: FrozenSet[str] = field(default_factory=frozenset)
    # Sites that embed the widget with one script tag (ALLOWED_EMBED_ORIGINS, comma-separated
    # ``scheme://host[:port]``): CORS with credentials for exactly these origins on the
    # widget's API, ``Cross-Origin-Resource-Policy: cross-origin`` on widget.js/widget.css,
    # the session cookie ``SameSite=None; Secure`` over HTTPS, and a return after login.
    # Normalised (lower case, no trailing slash, no default port); a bad value is a ConfigError.
    allowed_embed_origins: FrozenSet[str] = field(default_factory=frozenset)
    # Public pages of the seed texts, "<seed file>=<address>" (GATEWAY_SOURCE_PAGES, comma-
    # separated): an answer's source links there; without one, to the gateway's /kilde page.
    source_pages: FrozenSet[str] = field(default_factory=frozenset)
    # Host header values served (``bot.example.dk`` = any port, ``bot.example.dk:8443`` =
    # that port). Empty: only loopback names (127.0.0.1, localhost, [::1]) with the port the
    # request came in on, i.e. what `make run` serves. Production must set it.
    allowed_hosts: FrozenSet[str] = field(default_factory=frozenset)
    # Bearer token for GET /metrics. Empty: /metrics answers loopback peers only (local
    # runs); production must set it.
    metrics_token: str = ""
    # The stack supervisor's state file (scripts/stack.py sets it): restart counts on /metrics.
    supervisor_state: str = ""
    # Shared state of several gateways (sessions, staff sessions, rate limits, recent turns):
    # REDIS_URL (or GATEWAY_REDIS_URL), e.g. redis://redis:6379/2. Empty: this process's memory.
    redis_url: str = ""
    redis_prefix: str = "koege:gw"
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_embed_origins", parse_origins(self.allowed_embed_origins))

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


def production_problems(settings: Settings, config: GatewayConfig) -> List[str]:
    """What keeps a production gateway (``KOEGE_DEMO_MODE=false``) from starting: the
    committed development identity secret or a short one, no Host allow-list, no metrics
    token. Demo mode (``make run``) needs none of them."""
    if settings.demo_mode:
        return []
    problems: List[str] = []
    if (settings.identity_algorithm or "HS256").upper() != "RS256":
        secret = settings.identity_secret or ""
        if secret == DEV_IDENTITY_SECRET:
            problems.append("IDENTITY_SECRET is the public development value from the repository; set your own")
        elif len(secret.encode("utf-8")) < MIN_IDENTITY_SECRET_BYTES:
            problems.append(f"IDENTITY_SECRET must be at least {MIN_IDENTITY_SECRET_BYTES} bytes")
    if not config.allowed_hosts:
        problems.append("GATEWAY_ALLOWED_HOSTS is not set (the host names the public reaches the bot by)")
    if len(config.metrics_token) < MIN_METRICS_TOKEN_CHARS:
        problems.append(f"GATEWAY_METRICS_TOKEN must be set (at least {MIN_METRICS_TOKEN_CHARS} characters)")
    plain = sorted(o for o in config.allowed_embed_origins if not o.startswith("https://"))
    if plain:
        problems.append("ALLOWED_EMBED_ORIGINS must use https:// (the session cookie of an embedded widget "
                        "needs SameSite=None; Secure): " + ", ".join(plain))
    return problems


_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(value: str) -> str:
    """``" HTTPS://WWW.Koege.dk/ "`` -> ``"https://www.koege.dk"`` (as browsers send ``Origin``:
    lower case, no trailing slash, no default port). :class:`ConfigError` for anything that
    is not ``http(s)://host[:port]``: a path, query, user name, wildcard or ``null``."""
    text = value.strip().lower()
    if text.endswith("/"):
        text = text[:-1]
    match = _ORIGIN.match(text)
    port = int(match.group("port")) if match and match.group("port") else None
    if not match or (port is not None and not 0 < port < 65536):
        raise ConfigError(f"ALLOWED_EMBED_ORIGINS: {value.strip()!r} is not an origin like https://www.koege.dk "
                          "(scheme://host[:port], no path, no wildcard)")
    scheme, host = match.group("scheme"), match.group("host")
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def parse_origins(values: Iterable[str]) -> FrozenSet[str]:
    """Every entry normalised (:func:`normalise_origin`); empty entries are skipped."""
    return frozenset(normalise_origin(v) for v in values if v and v.strip())


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
