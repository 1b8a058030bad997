"""The public gateway: an aiohttp application built by :func:`create_app`.

Routes::

    GET  /            the demo page (static/index.html) with the chat widget
    GET  /static/...  widget.js, widget.css, page.css
    POST /api/chat    one chat turn (bot/chat.py)
    GET  /healthz     alive
    GET  /readyz      Rasa and the action server reachable

Everything the handlers need lives in the application under typed keys (bot/state.py);
the HTTP client session for Rasa is opened and closed by a ``cleanup_ctx``, so importing
this module connects to nothing. Only this package talks to the browser; Rasa stays private.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import AsyncIterator, Callable, Optional

import aiohttp
from aiohttp import web

from bot import chat, health, security
from bot.config import GatewayConfig, split_urls
from bot.rasa_client import RasaClient
from bot.ratelimit import RateLimiter
from bot.sessions import MemorySessionStore, SessionManager, SessionStore
from bot.state import CLOCK, CONFIG, HTTP, LIMITER, RASA, SESSIONS, SETTINGS
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
    table.get("/healthz")(health.healthz)
    table.get("/readyz")(health.readyz)
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
    app[RASA] = RasaClient(http, config.rasa_urls, max_reply_bytes=config.max_reply_bytes)
    try:
        yield
    finally:
        await http.close()


def create_app(
    settings: Settings,
    config: Optional[GatewayConfig] = None,
    clock: Optional[Callable[[], float]] = None,
    session_store: Optional[SessionStore] = None,
) -> web.Application:
    """The gateway for ``settings``; ``config``, ``clock`` and ``session_store`` for tests
    and for deployments that replace the in-memory parts."""
    config = config or GatewayConfig.from_settings(settings)
    if not config.rasa_urls:
        config = replace(config, rasa_urls=split_urls(settings.rasa_url))
    clock = clock or time.time
    app = web.Application(
        middlewares=[security.error_middleware, security.csrf_middleware],
        client_max_size=config.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[CONFIG] = config
    app[CLOCK] = clock
    app[SESSIONS] = SessionManager(
        session_store or MemorySessionStore(config.max_sessions),
        clock,
        idle_seconds=config.session_idle_seconds,
        absolute_seconds=config.session_absolute_seconds,
    )
    app[LIMITER] = RateLimiter(config.session_rate_per_minute, config.ip_rate_per_minute, clock)
    app.on_response_prepare.append(security.add_security_headers)
    app.cleanup_ctx.append(http_client_ctx)
    app.add_routes(routes())
    return app
