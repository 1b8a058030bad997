"""``/healthz`` (this process is alive) and ``/readyz`` (Rasa, the action server, the
database and, with REDIS_URL, Redis answer).

``/readyz`` asks every Rasa replica ``GET /`` (``/status`` needs Rasa's auth token when one
is set) and the action server ``GET /health``, and the database ``SELECT 1`` plus "is the
schema at the newest migration" (in a thread), concurrently, each with a short timeout, and
answers 200 when all are up or 503 naming what is down. Meant for load balancers and
``scripts/stack.py``; it reveals no internal addresses.
"""

from __future__ import annotations

import asyncio
from typing import Dict, Optional

import aiohttp
from aiohttp import web

from sqlalchemy.exc import SQLAlchemyError

from bot.state import CONFIG, DB, HTTP, REDIS, SETTINGS
from core.db import current_revisions, head_revisions, ping


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _probe(http: aiohttp.ClientSession, url: str, timeout: float) -> bool:
    try:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            return resp.status < 500
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


def _database_state(factory) -> str:
    engine = factory.kw["bind"]
    if not ping(engine):
        return "down"
    try:
        return "ok" if set(current_revisions(engine)) == set(head_revisions()) else "not migrated"
    except SQLAlchemyError:
        return "down"


async def _probe_database(app: web.Application, timeout: float) -> str:
    factory = app.get(DB)
    if factory is None:
        return "down"
    try:
        return await asyncio.wait_for(asyncio.to_thread(_database_state, factory), timeout)
    except asyncio.TimeoutError:
        return "down"


async def _probe_redis(app: web.Application, timeout: float) -> Optional[str]:
    """``"ok"``/``"down"`` for the shared-state Redis; None when the gateway has none."""
    client = app.get(REDIS)
    if client is None:
        return None
    try:
        await asyncio.wait_for(client.ping(), timeout)
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        return "down"


async def readyz(request: web.Request) -> web.Response:
    app = request.app
    config, http = app[CONFIG], app[HTTP]
    timeout = config.probe_timeout_seconds
    targets: Dict[str, str] = {}
    for index, base in enumerate(config.rasa_urls):
        name = "rasa" if len(config.rasa_urls) == 1 else f"rasa-{index + 1}"
        targets[name] = f"{base}/"
    targets["actions"] = f"{app[SETTINGS].action_server_url.rstrip('/')}/health"
    *results, database, redis = await asyncio.gather(
        *(_probe(http, url, timeout) for url in targets.values()), _probe_database(app, timeout),
        _probe_redis(app, timeout),
    )
    checks = {name: "ok" if up else "down" for name, up in zip(targets, results)}
    checks["database"] = database
    if redis is not None:
        checks["redis"] = redis
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return web.json_response(body, status=200 if ready else 503)
