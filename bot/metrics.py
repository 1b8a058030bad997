"""Prometheus metrics of the gateway, served at ``GET /metrics``.

One :class:`GatewayMetrics` per application, on its own ``CollectorRegistry`` (so two apps in
one test process do not collide, and nothing is global). Replicas are labelled ``rasa-1``,
``rasa-2`` … in the order of the configured ``RASA_URL`` list, never by address.

======================================================  ===========================================
metric                                                  meaning
======================================================  ===========================================
``koege_gateway_turn_seconds{replica}``                 histogram: one chat turn through Rasa (the
                                                        replica that answered, or ``none``)
``koege_gateway_turns_total{replica,outcome}``          turns by outcome: ``ok``, ``empty`` (Rasa
                                                        said nothing), ``error`` (apology shown)
``koege_gateway_rasa_errors_total{replica,kind}``       failed attempts: ``refused``, ``timeout``,
                                                        ``http``, ``bad_reply``, ``disconnected``
``koege_gateway_failovers_total{replica}``              turns answered by a replica that is not the
                                                        conversation's own (``replica`` = answerer)
``koege_gateway_fallbacks_total{reason}``               Danish fallback replies the gateway gave
                                                        instead of Rasa's: ``technical_error``,
                                                        ``no_answer``
``koege_gateway_replica_up{replica}``                   1 when the replica's circuit breaker is not
                                                        open (health probes and turns)
``koege_gateway_turns_in_flight``                       turns waiting for Rasa now
``koege_stack_restarts_total{service}``                 restarts of a crashed process by the
                                                        supervisor (scripts/stack.py), when the
                                                        gateway runs under it
``koege_stack_service_up{service}``                     1 while the supervisor sees it running
======================================================  ===========================================

``/metrics`` is for Prometheus, not for citizens. With ``GATEWAY_METRICS_TOKEN`` set (required
in production) it answers only ``Authorization: Bearer <token>``; without one (a local run)
only a loopback peer that did not come through a proxy (no ``X-Forwarded-For``). Anyone else
gets 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from pathlib import Path
from typing import Iterator, Optional, Sequence

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

TURN_BUCKETS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
NO_REPLICA = "none"


def replica_labels(urls: Sequence[str]) -> dict:
    """``{url: "rasa-1", …}`` in configuration order."""
    return {url: f"rasa-{i + 1}" for i, url in enumerate(urls)}


class SupervisorCollector:
    """Restart counts from the supervisor's state file (written by scripts/stack.py, path in
    ``GATEWAY_SUPERVISOR_STATE``), read at every scrape: the counts survive a restart of the
    gateway itself. A missing or half-written file yields nothing."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def collect(self) -> Iterator[Metric]:
        try:
            services = json.loads(self.path.read_text(encoding="utf-8")).get("services", {})
        except (OSError, ValueError, AttributeError):
            return
        restarts = CounterMetricFamily(
            "koege_stack_restarts", "Restarts of a crashed process by the stack supervisor", labels=["service"]
        )
        up = GaugeMetricFamily("koege_stack_service_up", "1 while the supervisor sees the process running",
                               labels=["service"])
        for name, state in sorted(services.items()):
            if isinstance(state, dict):
                restarts.add_metric([str(name)], float(state.get("restarts", 0)))
                up.add_metric([str(name)], 1.0 if state.get("up") else 0.0)
        yield restarts
        yield up


class GatewayMetrics:
    """The gateway's counters and histograms on a private registry."""

    def __init__(self, replica_urls: Sequence[str] = (), supervisor_state: str = "") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        if supervisor_state:
            self.registry.register(SupervisorCollector(supervisor_state))
        self.labels = replica_labels(replica_urls)
        self.turn_seconds = Histogram(
            "koege_gateway_turn_seconds", "Chat turn latency through Rasa", ["replica"],
            buckets=TURN_BUCKETS, registry=self.registry,
        )
        self.turns = Counter(
            "koege_gateway_turns", "Chat turns by outcome", ["replica", "outcome"],
            registry=self.registry,
        )
        self.rasa_errors = Counter(
            "koege_gateway_rasa_errors", "Failed attempts to reach a Rasa replica",
            ["replica", "kind"], registry=self.registry,
        )
        self.failovers = Counter(
            "koege_gateway_failovers", "Turns answered by a replica other than the conversation's own",
            ["replica"], registry=self.registry,
        )
        self.fallbacks = Counter(
            "koege_gateway_fallbacks", "Danish fallback replies given by the gateway", ["reason"],
            registry=self.registry,
        )
        self.replica_up = Gauge(
            "koege_gateway_replica_up", "1 when the replica's circuit breaker is not open",
            ["replica"], registry=self.registry,
        )
        self.in_flight = Gauge(
            "koege_gateway_turns_in_flight", "Turns waiting for Rasa", registry=self.registry,
        )
        for label in self.labels.values():
            self.replica_up.labels(label).set(1)

    def label(self, url: Optional[str]) -> str:
        if not url:
            return NO_REPLICA
        return self.labels.get(url, NO_REPLICA)

    # --- recording (called by bot/rasa_client.py) ------------------------------------------
    def turn(self, url: Optional[str], outcome: str, seconds: float) -> None:
        label = self.label(url)
        self.turn_seconds.labels(label).observe(seconds)
        self.turns.labels(label, outcome).inc()
        if outcome == "error":
            self.fallbacks.labels("technical_error").inc()
        elif outcome == "empty":
            self.fallbacks.labels("no_answer").inc()

    def error(self, url: str, kind: str) -> None:
        self.rasa_errors.labels(self.label(url), kind).inc()

    def failover(self, url: str) -> None:
        self.failovers.labels(self.label(url)).inc()

    def set_up(self, url: str, up: bool) -> None:
        self.replica_up.labels(self.label(url)).set(1 if up else 0)

    def render(self) -> bytes:
        return generate_latest(self.registry)


METRICS = web.AppKey("metrics", GatewayMetrics)


def _loopback_peer(request: web.Request) -> bool:
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        address = ipaddress.ip_address((request.remote or "").split("%")[0])
    except ValueError:
        return False
    return address.is_loopback


def metrics_allowed(request: web.Request, token: str = "") -> bool:
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return _loopback_peer(request)


async def metrics_handler(request: web.Request) -> web.Response:
    """``GET /metrics`` in Prometheus' text format (see the module docstring for access)."""
    from bot.state import CONFIG  # late import: bot.state imports the client module

    metrics = request.app.get(METRICS)
    config = request.app.get(CONFIG)
    token = config.metrics_token if config is not None else ""
    if metrics is None or not metrics_allowed(request, token):
        raise web.HTTPNotFound()
    return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
