"""bot/metrics.py: the gateway's Prometheus metrics at /metrics, against a fake Rasa."""

from __future__ import annotations

import socket
from typing import Any, Dict

import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.config import GatewayConfig
from bot.metrics import GatewayMetrics
from core.settings import load_settings

CSRF = {"X-Requested-With": "koege-chat"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def fake_rasa(aiohttp_server, mode: str = "ok") -> str:
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        if mode == "500":
            return web.Response(status=500)
        if mode == "empty":
            return web.json_response([])
        return web.json_response([{"recipient_id": body["sender"], "text": "svar"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def gateway(aiohttp_client, rasa_urls, env: Dict[str, str] = None, **config: Any):
    settings = load_settings({"RASA_URL": ",".join(rasa_urls), **(env or {})})
    config.setdefault("rasa_timeout_seconds", 2.0)
    config.setdefault("health_interval_seconds", 0)
    return await aiohttp_client(create_app(settings, GatewayConfig(rasa_urls=tuple(rasa_urls), **config)))


async def chat(client, text: str = "hej"):
    resp = await client.post("/api/chat", json={"message": text}, headers=CSRF)
    assert resp.status == 200
    return await resp.json()


def samples(text: str) -> Dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def scrape(client, **headers) -> Dict[tuple, float]:
    resp = await client.get("/metrics", headers=headers)
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    return samples(await resp.text())


async def test_turns_latency_and_outcomes_per_replica(aiohttp_server, aiohttp_client):
    rasa = await fake_rasa(aiohttp_server)
    client = await gateway(aiohttp_client, [rasa])
    for _ in range(3):
        await chat(client)
    s = await scrape(client)
    assert s[("koege_gateway_turns_total", (("outcome", "ok"), ("replica", "rasa-1")))] == 3
    assert s[("koege_gateway_turn_seconds_count", (("replica", "rasa-1"),))] == 3
    assert s[("koege_gateway_replica_up", (("replica", "rasa-1"),))] == 1
    assert s[("koege_gateway_turns_in_flight", ())] == 0
    assert rasa.split("//")[1] not in str(s)  # replicas are named, addresses not shown


async def test_errors_fallbacks_and_failovers_are_counted(aiohttp_server, aiohttp_client):
    dead = f"http://127.0.0.1:{free_port()}"
    live = await fake_rasa(aiohttp_server)
    client = await gateway(aiohttp_client, [dead, live], breaker_failures=100)
    for i in range(20):
        client.session.cookie_jar.clear()  # a new conversation each time: some hash to `dead`
        await chat(client, f"besked {i}")
    s = await scrape(client)
    refused = s.get(("koege_gateway_rasa_errors_total", (("kind", "refused"), ("replica", "rasa-1"))), 0)
    failovers = s.get(("koege_gateway_failovers_total", (("replica", "rasa-2"),)), 0)
    assert refused == failovers > 0  # each refused attempt was answered by the other replica
    assert s[("koege_gateway_turns_total", (("outcome", "ok"), ("replica", "rasa-2")))] == 20


@pytest.mark.parametrize("mode,reason", [("500", "technical_error"), ("empty", "no_answer")])
async def test_gateway_fallback_replies_are_counted(aiohttp_server, aiohttp_client, mode, reason):
    client = await gateway(aiohttp_client, [await fake_rasa(aiohttp_server, mode)])
    await chat(client)
    s = await scrape(client)
    assert s[("koege_gateway_fallbacks_total", (("reason", reason),))] == 1


async def test_all_down_counts_an_error_turn_without_replica(aiohttp_client):
    client = await gateway(aiohttp_client, [f"http://127.0.0.1:{free_port()}"])
    body = await chat(client)
    assert body["messages"][0]["text"].startswith("Beklager")
    s = await scrape(client)
    assert s[("koege_gateway_turns_total", (("outcome", "error"), ("replica", "none")))] == 1


async def test_metrics_hidden_from_proxied_requests(aiohttp_server, aiohttp_client):
    client = await gateway(aiohttp_client, [await fake_rasa(aiohttp_server)])
    resp = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert resp.status == 404


async def test_metrics_token_required_when_configured(aiohttp_server, aiohttp_client):
    client = await gateway(aiohttp_client, [await fake_rasa(aiohttp_server)], metrics_token="s3cret")
    assert (await client.get("/metrics")).status == 404
    assert (await client.get("/metrics", headers={"Authorization": "Bearer nope"})).status == 404
    await scrape(client, Authorization="Bearer s3cret")


def test_registries_are_per_instance():
    a, b = GatewayMetrics(["http://x"]), GatewayMetrics(["http://x"])
    a.turn("http://x", "ok", 0.1)
    assert b"koege_gateway_turns_total{outcome=\"ok\",replica=\"rasa-1\"} 1.0" in a.render()
    assert b"koege_gateway_turns_total{" not in b.render()
