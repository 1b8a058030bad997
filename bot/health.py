"""``/healthz`` (this process is alive) and ``/readyz`` (Rasa and the action server answer).

``/readyz`` asks every Rasa replica ``GET /`` (``/status`` needs Rasa's auth token when one
is set) and the action server ``GET /health``, concurrently, each with a short timeout, and
answers 200 when all are up or 503 naming what is down. Meant for load balancers and
``scripts/stack.py``; it reveals no internal addresses.
"""

from __future__ import annotations

import asyncio
from typing import Dict, Tuple

import aiohttp
from aiohttp import web

from bot.state import CONFIG, HTTP, SETTINGS


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _probe(http: aiohttp.ClientSession, url: str, timeout: float) -> bool:
    try:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            return resp.status < 500
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


async def readyz(request: web.Request) -> web.Response:
    app = request.app
    config, http = app[CONFIG], app[HTTP]
    timeout = config.probe_timeout_seconds
    targets: Dict[str, str] = {}
    for index, base in enumerate(config.rasa_urls):
        name = "rasa" if len(config.rasa_urls) == 1 else f"rasa-{index + 1}"
        targets[name] = f"{base}/"
    targets["actions"] = f"{app[SETTINGS].action_server_url.rstrip('/')}/health"
    results: Tuple[bool, ...] = tuple(
        await asyncio.gather(*(_probe(http, url, timeout) for url in targets.values()))
    )
    checks = {name: "ok" if up else "down" for name, up in zip(targets, results)}
    ready = all(results)
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return web.json_response(body, status=200 if ready else 503)
