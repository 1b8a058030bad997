"""Gateway state in Redis (``REDIS_URL``): several gateways behind a load balancer act as one.

Real Redis on 127.0.0.1:6379 (database 4, a fresh key prefix per test, removed afterwards).
Without a reachable Redis these tests skip, except under ``CI=true`` where they fail. Two
gateways here are two applications on two ports sharing one Redis, as two containers behind a
load balancer would; a request may reach either.
"""

from __future__ import annotations

import os
import secrets
from typing import AsyncIterator

import pytest
import pytest_asyncio
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot import texts
from bot.redis_state import RedisSessionStore, RedisTokenBuckets, RedisTurnMemory, close, connect
from bot.sessions import COOKIE_NAME, SessionManager
from bot.state import SESSIONS
from tests.unit.test_gateway import (  # noqa: F401 - fixtures
    CSRF, FakeClock, actions_url, chat, clock, db_url, dead_url, gateway, migrated_db, origin, rasa,
)
from tests.unit.test_staff import add_user, staff_login

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


@pytest_asyncio.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    client: Redis = connect(REDIS_URL)
    try:
        await client.ping()
    except RedisError as exc:
        await close(client)
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis unreachable at {REDIS_URL} ({exc}); CI must test it")
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    prefix = f"koege-test:{secrets.token_hex(6)}"
    yield prefix
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await close(client)


@pytest_asyncio.fixture
async def redis_client() -> AsyncIterator[Redis]:
    client = connect(REDIS_URL)
    yield client
    await close(client)


def move_cookies(source, target) -> None:
    """The browser's cookies, now sent to the other gateway (the load balancer's choice)."""
    for path in ("/", "/staff/api/"):  # the chat cookie (Path=/) and the staff cookie (Path=/staff)
        jar = source.session.cookie_jar.filter_cookies(source.make_url(path))
        target.session.cookie_jar.update_cookies({k: v.value for k, v in jar.items()},
                                                 response_url=target.make_url(path))


# --- the stores on their own -----------------------------------------------------------------


async def test_sessions_live_in_redis_with_the_idle_time_as_expiry(redis_client, redis_prefix):
    clock = FakeClock()
    manager = SessionManager(RedisSessionStore(redis_client, 1800, redis_prefix), clock, idle_seconds=1800)
    first = await manager.resolve(None)
    again = await manager.resolve(first.cookie_value)
    assert not again.is_new and again.session.conversation_id == first.session.conversation_id
    key = f"{redis_prefix}:s:{first.session.key}"
    assert 1790 <= await redis_client.ttl(key) <= 1800
    assert first.cookie_value not in str(await redis_client.keys(f"{redis_prefix}:*"))  # only its hash
    await manager.end(first.cookie_value)
    assert await redis_client.exists(key) == 0
    assert (await manager.resolve(first.cookie_value)).expired


async def test_the_absolute_limit_holds_although_redis_still_has_the_session(redis_client, redis_prefix):
    clock = FakeClock()
    manager = SessionManager(RedisSessionStore(redis_client, 1800, redis_prefix), clock,
                             idle_seconds=1800, absolute_seconds=3600)
    first = await manager.resolve(None)
    for _ in range(3):  # active all the time, never idle
        clock.now += 1000
        assert not (await manager.resolve(first.cookie_value)).is_new
    clock.now += 1000  # 4000 s after it was created
    assert (await manager.resolve(first.cookie_value)).expired


async def test_token_buckets_are_shared_and_refill_with_the_clock(redis_client, redis_prefix):
    clock = FakeClock()
    gateway_a = RedisTokenBuckets(redis_client, "chat", 3, 60, clock, redis_prefix)
    gateway_b = RedisTokenBuckets(redis_client, "chat", 3, 60, clock, redis_prefix)
    results = [await gateway_a.take("sess-1"), await gateway_b.take("sess-1"), await gateway_a.take("sess-1")]
    assert [allowed for allowed, _ in results] == [True, True, True]
    allowed, retry = await gateway_b.take("sess-1")
    assert not allowed and retry == pytest.approx(20.0, abs=0.01)  # 3 per minute: one per 20 s
    assert (await gateway_a.take("sess-2"))[0]  # another key has its own bucket
    clock.now += 20
    assert (await gateway_b.take("sess-1"))[0] and not (await gateway_a.take("sess-1"))[0]
    assert all(":rl:chat:" in k and "sess-1" not in k for k in await redis_client.keys(f"{redis_prefix}:*"))


async def test_a_lagging_clock_cannot_mint_tokens(redis_client, redis_prefix):
    fast, slow = FakeClock(), FakeClock()
    slow.now = fast.now - 3600  # this gateway's clock is an hour behind
    ahead = RedisTokenBuckets(redis_client, "ip", 1, 60, fast, redis_prefix)
    behind = RedisTokenBuckets(redis_client, "ip", 1, 60, slow, redis_prefix)
    assert (await ahead.take("10.0.0.1"))[0]
    assert not (await behind.take("10.0.0.1"))[0]
    assert not (await ahead.take("10.0.0.1"))[0]


async def test_turns_are_rated_only_from_their_own_conversation(redis_client, redis_prefix):
    turns = RedisTurnMemory(redis_client, 1800, redis_prefix)
    message_id = await turns.remember("conv-1", "Hvad koster et pas?", "Et pas koster …")
    other = RedisTurnMemory(redis_client, 1800, redis_prefix)  # another gateway
    turn = await other.get(message_id, "conv-1")
    assert turn is not None and turn.question == "Hvad koster et pas?"
    assert await other.get(message_id, "conv-2") is None
    assert await other.get("x" * 500, "conv-1") is None


# --- two gateways, one Redis -------------------------------------------------------------------


async def test_a_conversation_continues_on_the_other_gateway(gateway, rasa, redis_prefix):
    a = await gateway(rasa.url, redis_url=REDIS_URL, redis_prefix=redis_prefix)
    b = await gateway(rasa.url, redis_url=REDIS_URL, redis_prefix=redis_prefix)
    await chat(a, "Hej")
    move_cookies(a, b)
    resp, body = await chat(b, "Hvordan betaler jeg?")
    assert resp.status == 200 and body["session_expired"] is False
    first, second = rasa.received
    assert second["sender"] == first["sender"]
    # The answer given by b is rated through a.
    move_cookies(b, a)
    resp = await a.post("/api/feedback", json={"id": body["answer"]["id"], "rating": "up"},
                        headers={**CSRF, "Origin": origin(a)})
    assert resp.status == 200


async def test_the_chat_limit_counts_across_gateways(gateway, rasa, redis_prefix):
    config = dict(redis_url=REDIS_URL, redis_prefix=redis_prefix, session_rate_per_minute=4)
    a, b = await gateway(rasa.url, **config), await gateway(rasa.url, **config)
    statuses = []
    for i in range(6):
        client, other = (a, b) if i % 2 == 0 else (b, a)
        resp, _ = await chat(client, f"besked {i}")
        statuses.append(resp.status)
        move_cookies(client, other)
    assert statuses == [200, 200, 200, 200, 429, 429]


async def test_a_logout_on_one_gateway_ends_the_session_on_the_other(gateway, rasa, redis_prefix):
    a = await gateway(rasa.url, redis_url=REDIS_URL, redis_prefix=redis_prefix)
    b = await gateway(rasa.url, redis_url=REDIS_URL, redis_prefix=redis_prefix)
    await chat(a, "Hej")
    cookie = a.session.cookie_jar.filter_cookies(a.make_url("/"))[COOKIE_NAME].value
    upgraded = await a.server.app[SESSIONS].verify_identity(cookie, "citizen-7", "Test Borger")
    a.session.cookie_jar.update_cookies({COOKIE_NAME: upgraded.cookie_value}, response_url=a.make_url("/"))
    move_cookies(a, b)
    info = await (await b.get("/api/session")).json()
    assert info["verified"] is True and info["name"] == "Test Borger"
    resp = await b.post("/api/logout", headers={**CSRF, "Origin": origin(b)})
    assert resp.status == 200
    info = await (await a.get("/api/session")).json()
    assert info["active"] is False and info["verified"] is False


async def test_staff_sessions_and_login_limits_are_shared(gateway, rasa, redis_prefix, db_url):
    add_user(db_url, "mette")
    config = dict(redis_url=REDIS_URL, redis_prefix=redis_prefix, staff_login_per_minute=2)
    a, b = await gateway(rasa.url, **config), await gateway(rasa.url, **config)
    assert (await staff_login(a, "mette")).status == 200
    move_cookies(a, b)
    assert (await b.get("/staff/api/me")).status == 200  # logged in on a, known to b
    assert (await b.post("/staff/api/logout", headers={**CSRF, "Origin": origin(b)})).status == 200
    move_cookies(b, a)
    assert (await a.get("/staff/api/me")).status == 401
    # Wrong passwords for one account, alternating gateways: the limit (2 a minute) is shared.
    codes = [(await staff_login(client, "ole", "forkert-kodeord-123")).status for client in (a, b, a)]
    assert codes == [401, 401, 429]


async def test_redis_down_gives_a_polite_answer_and_the_gateway_keeps_running(gateway, rasa):
    client = await gateway(rasa.url, redis_url=f"redis://127.0.0.1:{_closed_port()}/0")
    for _ in range(2):  # and again: the process is still there
        resp, body = await chat(client, "Hej")
        assert resp.status == 200 and [m["text"] for m in body["messages"]] == [texts.TECHNICAL_ERROR]
    assert rasa.received == []  # nothing half-done: no turn without a session
    resp = await client.get("/readyz")
    assert resp.status == 503 and (await resp.json())["checks"]["redis"] == "down"


def _closed_port() -> int:
    return int(dead_url().rsplit(":", 1)[1])


async def test_login_handover_codes_are_single_use_across_gateways(redis_client, redis_prefix):
    from bot.handover import Grant
    from bot.redis_state import RedisHandoverCodes

    fields = {f: "x" for f in Grant.__dataclass_fields__}
    grant = Grant(**fields)
    a, b = RedisHandoverCodes(redis_client, redis_prefix), RedisHandoverCodes(redis_client, redis_prefix)
    await a.put("code-123", grant, 60)
    assert 50 <= await redis_client.ttl(f"{redis_prefix}:h:" + __import__("hashlib").sha256(b"code-123").hexdigest()) <= 60
    assert await b.take("code-123") == grant  # another gateway redeems it
    assert await a.take("code-123") is None   # once
    assert "code-123" not in str(await redis_client.keys(f"{redis_prefix}:*"))
