"""The public gateway: an aiohttp application built by :func:`create_app`.

Routes::

    GET  /            the demo page (static/index.html) with the chat widget
    GET  /static/...  widget.js, widget.css, page.css
    POST /api/chat    one chat turn (bot/chat.py)
    GET  /healthz     alive
    GET  /readyz      Rasa, the action server and the database reachable
    POST /api/feedback      thumbs up/down on one answer (bot/chat.py)
    GET  /api/session       is the chat session logged in (bot/login.py)
    POST /api/logout        end the chat session (bot/login.py)
    POST /api/login/handover  the embedded widget takes over a login (bot/handover.py)
    GET  /login             "Log ind med MitID" (demo: pick a fictitious citizen)
    POST /login/demo        the demo login form (bot/login.py)
    GET  /kilde/{seed}      the seed text around an answer's source passage (bot/passages.py)
    GET  /staff             the phone-staff console; its JSON API under /staff/api/ (bot/staff/)
    GET  /metrics     Prometheus metrics (bot/metrics.py; GATEWAY_METRICS_TOKEN, or loopback locally)

Everything the handlers need lives in the application under typed keys (bot/state.py);
the HTTP client session for Rasa, the database engine and the staff search index are
opened and closed by ``cleanup_ctx`` entries, so importing this module connects to nothing. Only this package talks to the browser; Rasa stays private.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional

import aiohttp
from aiohttp import web

from bot import chat, handover, health, login, metrics, passages, redis_state, security
from bot.staff import handlers as staff_handlers
from bot.staff.auth import StaffSessions
from bot.staff.search import SearchIndex
from bot.turns import TurnMemory
from core.db import make_engine, make_session_factory
from bot.config import ConfigError, GatewayConfig, production_problems, split_urls
from bot.rasa_client import RasaClient, health_check_ctx
from bot.ratelimit import BucketsFactory, RateLimiter
from bot.sessions import MemorySessionStore, SessionManager, SessionStore
from bot.state import (
    CLOCK, CONFIG, DB, HTTP, LIMITER, RASA, REDIS, SEARCH, SESSIONS, SETTINGS, SOURCES, STAFF_SESSIONS, TURNS,
)
from core.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def favicon(request: web.Request) -> web.Response:
    return web.Response(status=204)


def routes() -> web.RouteTableDef:
    table = web.RouteTableDef()
    table.get("/")(index)
    table.get("/favicon.ico")(favicon)
    table.post("/api/chat")(chat.chat_handler)
    table.post("/api/feedback")(chat.feedback_handler)
    table.get("/healthz")(health.healthz)
    table.get("/readyz")(health.readyz)
    table.get("/metrics")(metrics.metrics_handler)  # issue 7 (infra): Prometheus metrics
    table.static("/static", STATIC_DIR, follow_symlinks=False, show_index=False)
    return table


async def http_client_ctx(app: web.Application) -> AsyncIterator[None]:
    """One client session (with a total timeout) for Rasa and the probes, per application."""
    config = app[CONFIG]
    http = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=config.rasa_timeout_seconds),
        raise_for_status=False,
    )
    app[HTTP] = http
    # Issue 7 (infra): sticky routing, failover, circuit breakers and metrics per replica.
    app[RASA] = RasaClient(
        http,
        config.rasa_urls,
        max_reply_bytes=config.max_reply_bytes,
        metrics=app[metrics.METRICS],
        connect_timeout_seconds=config.connect_timeout_seconds,
        failure_threshold=config.breaker_failures,
        open_seconds=config.breaker_open_seconds,
    )
    try:
        yield
    finally:
        await http.close()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """The database engine (feedback, staff accounts, audit log) for the app's lifetime.

    Nothing connects here; the schema comes from ``python -m core.db upgrade``."""
    engine = make_engine(app[SETTINGS].database_url)
    app[DB] = make_session_factory(engine)
    try:
        yield
    finally:
        engine.dispose()


async def search_ctx(app: web.Application) -> AsyncIterator[None]:
    """The staff console's search index, built once in a worker thread."""
    app[SEARCH] = await asyncio.to_thread(SearchIndex.build, app[SETTINGS].tariff_catalogue)
    yield


async def sources_ctx(app: web.Application) -> AsyncIterator[None]:
    """Where answers come from (seed file and lines per source line), built once in a thread."""
    app[SOURCES] = await asyncio.to_thread(passages.SourceIndex.build, app[SETTINGS].tariff_catalogue)
    yield


@dataclass
class _Shared:
    """The Redis-backed parts (all None without ``REDIS_URL``: each falls back to memory)."""

    sessions: Optional[SessionStore] = None
    buckets: Optional[BucketsFactory] = None
    turns: Any = None
    staff: Any = None
    handover: Any = None


def _shared_state(app: web.Application, config: GatewayConfig, clock: Callable[[], float]) -> _Shared:
    """Sessions, staff sessions, rate limits and recent turns in Redis when ``redis_url`` is
    set, so several gateways behind a load balancer act as one (``bot/redis_state.py``)."""
    if not config.redis_url:
        return _Shared()
    client = redis_state.connect(config.redis_url)
    prefix = config.redis_prefix

    async def close_redis(_app: web.Application) -> AsyncIterator[None]:
        yield
        await redis_state.close(client)

    app.cleanup_ctx.append(close_redis)
    app[REDIS] = client
    return _Shared(
        sessions=redis_state.RedisSessionStore(client, config.session_idle_seconds, prefix),
        buckets=lambda name, capacity, period: redis_state.RedisTokenBuckets(
            client, name, capacity, period, clock, prefix
        ),
        turns=redis_state.RedisTurnMemory(client, config.session_idle_seconds, prefix),
        staff=redis_state.RedisStaffStore(client, prefix),
        handover=redis_state.RedisHandoverCodes(client, prefix),
    )


def create_app(
    settings: Settings,
    config: Optional[GatewayConfig] = None,
    clock: Optional[Callable[[], float]] = None,
    session_store: Optional[SessionStore] = None,
) -> web.Application:
    """The gateway for ``settings``; ``config``, ``clock`` and ``session_store`` for tests
    and for deployments that replace the in-memory parts. :class:`ConfigError` outside demo
    mode when a production setting is missing or unsafe (:func:`production_problems`)."""
    config = config or GatewayConfig.from_settings(settings)
    if not config.rasa_urls:
        config = replace(config, rasa_urls=split_urls(settings.rasa_url))
    problems = production_problems(settings, config)
    if problems:
        raise ConfigError("production configuration refused: " + "; ".join(problems))
    clock = clock or time.time
    app = web.Application(
        middlewares=[
            security.error_middleware,
            security.host_middleware,
            security.body_size_middleware,
            security.cors_middleware,  # preflights of a widget embedded on ALLOWED_EMBED_ORIGINS
            security.csrf_middleware,
        ],
        client_max_size=config.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[CONFIG] = config
    app[CLOCK] = clock
    shared = _shared_state(app, config, clock)
    app[SESSIONS] = SessionManager(
        session_store or shared.sessions or MemorySessionStore(config.max_sessions),
        clock,
        idle_seconds=config.session_idle_seconds,
        absolute_seconds=config.session_absolute_seconds,
    )
    app[LIMITER] = RateLimiter(
        config.session_rate_per_minute,
        config.ip_rate_per_minute,
        clock,
        per_login=config.staff_login_per_minute,
        per_login_ip=config.staff_login_ip_per_minute,
        new_sessions_per_ip=config.new_sessions_per_minute,
        buckets=shared.buckets,
    )
    app[TURNS] = shared.turns or TurnMemory()
    app[handover.HANDOVER] = shared.handover or handover.MemoryHandoverCodes()
    app[STAFF_SESSIONS] = StaffSessions(
        clock, idle_seconds=config.staff_idle_seconds, absolute_seconds=config.staff_absolute_seconds,
        store=shared.staff,
    )
    app.on_response_prepare.append(security.add_security_headers)
    app[metrics.METRICS] = metrics.GatewayMetrics(config.rasa_urls, config.supervisor_state)  # issue 7 (infra)
    app.cleanup_ctx.append(http_client_ctx)
    app.cleanup_ctx.append(health_check_ctx)  # issue 7 (infra): probes Rasa replicas
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(search_ctx)
    app.cleanup_ctx.append(sources_ctx)
    app.add_routes(routes())
    login.add_routes(app)
    handover.add_routes(app)
    passages.add_routes(app)
    staff_handlers.add_routes(app)
    return app
