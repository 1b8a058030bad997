"""The one place that reads the environment.

Every other module gets its configuration from :func:`get_settings`. Defaults give a
working local setup: SQLite under ``var/``, services on 127.0.0.1, demo mode on.
Nothing here opens a connection; it only describes where things are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
BUILD_DIR = ROOT / "build"
KNOWLEDGE_DATA = ROOT / "knowledge" / "data"
# The identity secret when IDENTITY_SECRET is unset: public on purpose (it is in git), good
# for demo mode only. Outside demo mode the gateway refuses to start with it and
# core.identity refuses to sign or verify with it.
DEV_IDENTITY_SECRET = "dev-only-not-a-secret-change-me"
SEEDS_DIR = Path(os.environ.get("KOEGE_SEEDS_DIR", ROOT.parent / "shared" / "seeds"))


def _bool(value: Optional[str], default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _int(value: Optional[str], default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """Configuration of one process, read once from the environment."""

    database_url: str
    rasa_url: str
    action_server_url: str
    gateway_host: str
    gateway_port: int
    rasa_port: int
    action_port: int
    demo_mode: bool
    identity_secret: str
    identity_audience: str
    identity_ttl_seconds: int
    identity_algorithm: str
    identity_public_key: Optional[str]
    identity_private_key: Optional[str]
    spacy_model: Optional[str]
    tariff_catalogue: Path
    log_level: str
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'koege.db'}"


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build settings from ``env`` (defaults to ``os.environ``)."""
    env = os.environ if env is None else env
    rasa_port = _int(env.get("RASA_PORT"), 5005)
    action_port = _int(env.get("ACTION_PORT"), 5055)
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(),
        rasa_url=env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}",
        action_server_url=env.get("ACTION_SERVER_URL") or f"http://127.0.0.1:{action_port}",
        gateway_host=env.get("GATEWAY_HOST") or "127.0.0.1",
        gateway_port=_int(env.get("GATEWAY_PORT"), 8080),
        rasa_port=rasa_port,
        action_port=action_port,
        demo_mode=_bool(env.get("KOEGE_DEMO_MODE"), True),
        # The development default is public on purpose; production must set its own.
        identity_secret=env.get("IDENTITY_SECRET") or DEV_IDENTITY_SECRET,
        identity_audience=env.get("IDENTITY_AUDIENCE") or "koege-billing-bot",
        identity_ttl_seconds=_int(env.get("IDENTITY_TTL_SECONDS"), 300),
        identity_algorithm=env.get("IDENTITY_ALGORITHM") or "HS256",
        identity_public_key=env.get("IDENTITY_PUBLIC_KEY") or None,
        identity_private_key=env.get("IDENTITY_PRIVATE_KEY") or None,
        spacy_model=env.get("DA_SPACY_MODEL") or None,
        tariff_catalogue=Path(env.get("TARIFF_CATALOGUE") or KNOWLEDGE_DATA / "tariffs_2024.json"),
        log_level=env.get("LOG_LEVEL") or "INFO",
        extra=_gateway_extra(env),
    )


def _gateway_extra(env: Mapping[str, str]) -> Mapping[str, str]:
    """``GATEWAY_<FIELD>`` variables (e.g. ``GATEWAY_SESSION_IDLE_SECONDS``) as
    ``{"session_idle_seconds": ...}``: the overrides :class:`bot.config.GatewayConfig`
    reads. ``GATEWAY_HOST``/``GATEWAY_PORT`` are fields of their own. ``REDIS_URL`` (the
    usual name) stands for ``GATEWAY_REDIS_URL`` when that is not set."""
    extra = {
        key[len("GATEWAY_"):].lower(): value
        for key, value in env.items()
        if key.startswith("GATEWAY_") and key not in ("GATEWAY_HOST", "GATEWAY_PORT")
    }
    if not extra.get("redis_url") and env.get("REDIS_URL"):
        extra["redis_url"] = env["REDIS_URL"]
    # The sites that embed the widget (bot.config.GatewayConfig.allowed_embed_origins).
    if not extra.get("allowed_embed_origins") and env.get("ALLOWED_EMBED_ORIGINS"):
        extra["allowed_embed_origins"] = env["ALLOWED_EMBED_ORIGINS"]
    return extra


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process (cached; tests call :func:`load_settings` directly)."""
    return load_settings()
