"""bot/routing.py: the consistent-hash ring, the circuit breaker and the router (pure Python),
and bot/rasa_client.py's use of them against tiny fake Rasa replicas."""

from __future__ import annotations

import socket
from collections import Counter
from typing import List

import pytest
from aiohttp import web

from bot.rasa_client import RasaClient, RasaUnavailable, replica_order
from bot.routing import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, HashRing, Router, hash64

KEYS = [f"conversation-{i:05d}" for i in range(20_000)]
NODES = ["http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the ring -------------------------------------------------------------------------------


def test_hash_is_stable_across_processes():
    # A fixed value: gateways on different machines must agree on the routing.
    assert hash64("abc") == int.from_bytes(bytes.fromhex("d8bb14d833d59559"), "big")


@pytest.mark.parametrize("nodes", [2, 3, 5])
def test_ring_spreads_keys_evenly(nodes):
    ring = HashRing([f"http://rasa-{i}:5005" for i in range(nodes)])
    counts = Counter(ring.node_for(k) for k in KEYS)
    assert len(counts) == nodes
    share = len(KEYS) / nodes
    for count in counts.values():
        assert abs(count - share) / share < 0.2, counts


def test_adding_a_node_moves_only_its_share_and_only_to_it():
    before = HashRing(NODES)
    after = HashRing([*NODES, "http://rasa-4:5005"])
    moved = [k for k in KEYS if before.node_for(k) != after.node_for(k)]
    assert all(after.node_for(k) == "http://rasa-4:5005" for k in moved)
    assert 0.15 < len(moved) / len(KEYS) < 0.35  # ideal 1/4


def test_removing_a_node_moves_only_its_keys():
    ring = HashRing(NODES)
    owner = {k: ring.node_for(k) for k in KEYS}
    ring.remove(NODES[1])
    for k in KEYS:
        if owner[k] != NODES[1]:
            assert ring.node_for(k) == owner[k]
        else:
            assert ring.node_for(k) != NODES[1]


def test_removed_nodes_keys_go_to_their_second_choice():
    ring = HashRing(NODES)
    second = {k: ring.preference(k)[1] for k in KEYS[:2000] if ring.node_for(k) == NODES[0]}
    ring.remove(NODES[0])
    assert all(ring.node_for(k) == s for k, s in second.items())


def test_insertion_order_does_not_matter():
    a, b = HashRing(NODES), HashRing(list(reversed(NODES)))
    assert all(a.node_for(k) == b.node_for(k) for k in KEYS[:2000])


def test_preference_lists_every_node_once_owner_first():
    ring = HashRing(NODES)
    for k in KEYS[:500]:
        order = ring.preference(k)
        assert sorted(order) == sorted(NODES)
        assert order[0] == ring.node_for(k)


def test_failover_spreads_a_dead_nodes_load():
    ring = HashRing(NODES)
    seconds = Counter(ring.preference(k)[1] for k in KEYS if ring.node_for(k) == NODES[0])
    assert set(seconds) == {NODES[1], NODES[2]}
    assert min(seconds.values()) / max(seconds.values()) > 0.6


def test_empty_ring_and_bad_arguments():
    ring = HashRing()
    assert ring.preference("x") == []
    with pytest.raises(LookupError):
        ring.node_for("x")
    with pytest.raises(ValueError):
        HashRing(vnodes=0)
    with pytest.raises(ValueError):
        ring.add("")
    ring.add("a")
    ring.add("a")
    assert ring.nodes == ("a",) and "a" in ring and len(ring) == 1


def test_replica_order_of_the_client_is_the_ring_order():
    assert replica_order("c-1", NODES) == HashRing(NODES).preference("c-1")
    assert replica_order("c-1", [n + "/" for n in NODES]) == HashRing(NODES).preference("c-1")


# --- the circuit breaker --------------------------------------------------------------------


def test_breaker_opens_after_threshold_and_lets_one_trial_through_later():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, open_seconds=5, clock=clock)
    breaker.failure()
    assert breaker.state == CLOSED and breaker.allow()
    breaker.failure()
    assert breaker.state == OPEN and not breaker.allow()
    clock.now += 5
    assert breaker.state == HALF_OPEN
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # nobody else while it runs
    breaker.failure()  # trial failed: open again for a full period
    assert breaker.state == OPEN
    clock.now += 5
    assert breaker.allow()
    breaker.success()
    assert breaker.state == CLOSED and breaker.allow() and breaker.failures == 0


def test_breaker_trial_that_never_reports_does_not_block_forever():
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, open_seconds=2, clock=clock)
    breaker.failure()
    clock.now += 2
    assert breaker.allow() and not breaker.allow()
    clock.now += 2
    assert breaker.allow()


def test_success_resets_the_failure_count():
    breaker = CircuitBreaker(failure_threshold=2)
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == CLOSED


# --- the router -----------------------------------------------------------------------------


def test_router_skips_open_replicas_and_marks_fallbacks():
    clock = Clock()
    router = Router(NODES, failure_threshold=1, open_seconds=5, clock=clock)
    key = "conversation-1"
    own, second, third = router.order(key)
    assert [a.url for a in router.attempts(key)] == [own, second, third]
    router.record_failure(own)
    attempts = list(router.attempts(key))
    assert [a.url for a in attempts] == [second, third]
    assert all(a.fallback for a in attempts)
    assert not router.is_up(own)
    clock.now += 5
    assert [a.url for a in router.attempts(key)][0] == own  # half-open trial


def test_router_tries_own_replica_when_every_breaker_is_open():
    router = Router(NODES, failure_threshold=1, open_seconds=60)
    for url in NODES:
        router.record_failure(url)
    attempts = list(router.attempts("k"))
    assert [a.url for a in attempts] == [router.order("k")[0]] and not attempts[0].fallback


def test_router_asks_breakers_lazily():
    clock = Clock()
    router = Router(NODES, failure_threshold=1, open_seconds=5, clock=clock)
    key = "k"
    order = router.order(key)
    for url in order:
        router.record_failure(url)
    clock.now += 5  # all half-open
    first = next(iter(router.attempts(key)))
    assert first.url == order[0]
    # Only the first replica's trial was claimed; the others still have theirs.
    assert router.breakers[order[1]].allow() and router.breakers[order[2]].allow()


def test_router_needs_replicas():
    with pytest.raises(ValueError):
        Router([])


# --- the client against fake replicas -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def fake_replica(aiohttp_server, name: str, seen: List[str]):
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(name)
        return web.json_response([{"recipient_id": body["sender"], "text": f"{name}: {body['message']}"}])

    async def root(request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/", root)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


async def test_client_fails_over_then_skips_the_dead_replica(aiohttp_server, aiohttp_client):
    import aiohttp

    seen: List[str] = []
    live = await fake_replica(aiohttp_server, "live", seen)
    dead = f"http://127.0.0.1:{free_port()}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        client = RasaClient(http, [dead, live], failure_threshold=1, open_seconds=60)
        key = next(k for k in KEYS if client.router.order(k)[0] == dead)
        replies = await client.send(key, "hej", {})
        assert replies[0].text == "live: hej"
        assert not client.router.is_up(dead)
        replies = await client.send(key, "igen", {})  # the dead one is not even tried
        assert replies[0].text == "live: igen" and seen == ["live", "live"]
        assert client.router.breakers[dead].failures == 1


async def test_client_probe_closes_breaker_of_recovered_replica(aiohttp_server):
    import aiohttp

    seen: List[str] = []
    url = await fake_replica(aiohttp_server, "a", seen)
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [url, f"http://127.0.0.1:{free_port()}"], failure_threshold=1)
        client.router.record_failure(url)
        assert not client.router.is_up(url)
        results = await client.probe_all(timeout=1.0)
        assert results[url] is True and client.router.is_up(url)
        assert list(results.values()).count(False) == 1


async def test_client_all_replicas_down_raises_unavailable():
    import aiohttp

    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, [f"http://127.0.0.1:{free_port()}" for _ in range(2)])
        with pytest.raises(RasaUnavailable):
            await client.send("k", "hej", {})
