"""The gateway's state in Redis, for several gateways behind one load balancer (``REDIS_URL``).

Without ``REDIS_URL`` each gateway keeps its chat sessions, staff sessions, rate-limit buckets
and recent turns in its own memory (``bot.sessions``, ``bot.staff.auth``, ``bot.ratelimit``,
``bot.turns``), which is right for one process. With it, all four live here, under one key
prefix (``GATEWAY_REDIS_PREFIX``, default ``koege:gw``), so a citizen's next message, a staff
member's next click or a rating may reach any gateway, and a limit counts across all of them:

* ``<prefix>:s:<sha256 of cookie>``  chat session (JSON), expires after the idle time;
* ``<prefix>:st:<sha256 of cookie>`` staff session (JSON), expires after the staff idle time;
* ``<prefix>:rl:<limit>:<sha256 of key>`` token bucket (hash), expires once full again;
* ``<prefix>:t:<message id>`` a recent answer for its rating, expires with the chat idle time;
* ``<prefix>:h:<sha256 of code>`` a login hand-over code (``bot.handover``), expires after 60 s and
  is read and deleted in one step (``GETDEL``, Redis >= 6.2), so it works once across all gateways.

Redis' own expiry does the sweeping (O(1) per key, no scans); the absolute session limits are
still checked on every read by the session managers. Cookie values, IPs and account names never
appear in a key: only hashes. The token bucket is one Lua script (atomic across gateways) fed
with the caller's clock, so tests with a fake clock behave as with the in-memory buckets; the
elapsed time is clamped at zero, so a gateway whose clock lags cannot mint tokens.

When Redis is unreachable a call raises :class:`redis.exceptions.RedisError`; the gateway's
error middleware turns that into its polite Danish 503 and the process keeps running.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict
from typing import Any, Callable, Optional, Tuple

from redis.asyncio import Redis

from bot.handover import Grant
from bot.sessions import Session
from bot.staff.auth import StaffSession
from bot.turns import Turn

DEFAULT_PREFIX = "koege:gw"

# KEYS[1] bucket; ARGV: capacity, refill per second, now, ttl seconds.
_TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
local elapsed = now - updated
if elapsed < 0 then elapsed = 0 end
tokens = math.min(capacity, tokens + elapsed * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(math.max(now, updated)))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return {allowed, tostring(retry)}
"""


def connect(url: str) -> Redis:
    """A client for ``url`` (``redis://`` or ``rediss://``) that fails within a second or two
    instead of hanging a citizen's request when Redis is away."""
    return Redis.from_url(
        url, decode_responses=True, socket_timeout=2.0, socket_connect_timeout=1.0, health_check_interval=30
    )


async def close(client: Redis) -> None:
    """Close the client's connections (``aclose`` from redis-py 5, ``close`` before)."""
    closer = getattr(client, "aclose", None) or client.close
    await closer()


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


class RedisSessionStore:
    """Chat sessions (``bot.sessions.SessionStore``); each expires after ``ttl_seconds`` idle."""

    def __init__(self, redis: Redis, ttl_seconds: int, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = redis
        self.ttl = max(1, int(ttl_seconds))
        self.prefix = f"{prefix}:s:"

    async def get(self, key: str) -> Optional[Session]:
        raw = await self.redis.get(self.prefix + key)
        return Session(**json.loads(raw)) if raw else None

    async def put(self, session: Session) -> None:
        await self.redis.set(self.prefix + session.key, json.dumps(asdict(session)), ex=self.ttl)

    async def delete(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


class RedisStaffStore:
    """Staff sessions (``bot.staff.auth.StaffStore``)."""

    def __init__(self, redis: Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:st:"

    async def get(self, key: str) -> Optional[StaffSession]:
        raw = await self.redis.get(self.prefix + key)
        return StaffSession(**json.loads(raw)) if raw else None

    async def put(self, key: str, session: StaffSession, ttl_seconds: int) -> None:
        await self.redis.set(self.prefix + key, json.dumps(asdict(session)), ex=max(1, int(ttl_seconds)))

    async def delete(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


class RedisTokenBuckets:
    """``bot.ratelimit.Buckets`` shared by every gateway: one atomic script per ``take``."""

    def __init__(
        self, redis: Redis, name: str, capacity: int, period_seconds: float, clock: Callable[[], float],
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        if capacity < 1 or period_seconds <= 0:
            raise ValueError("capacity must be >= 1 and period > 0")
        self.capacity = float(capacity)
        self.rate = capacity / period_seconds
        self.clock = clock
        # A bucket untouched for one period is full again: it carries no information.
        self.ttl = max(1, int(period_seconds + 0.999))
        self.prefix = f"{prefix}:rl:{name}:"
        self._script = redis.register_script(_TAKE)

    async def take(self, key: str) -> Tuple[bool, float]:
        allowed, retry = await self._script(
            keys=[self.prefix + _hash(key)], args=[self.capacity, self.rate, repr(float(self.clock())), self.ttl]
        )
        return bool(int(allowed)), float(retry)


class RedisTurnMemory:
    """Recent answers by message id (``bot.turns.TurnMemory``), kept for the chat idle time:
    after that the session, and with it the right to rate, is gone anyway."""

    def __init__(self, redis: Redis, ttl_seconds: int, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = redis
        self.ttl = max(1, int(ttl_seconds))
        self.prefix = f"{prefix}:t:"

    async def remember(self, conversation_id: str, question: str, answer: str) -> str:
        message_id = secrets.token_urlsafe(12)
        value = json.dumps({"conversation_id": conversation_id, "question": question, "answer": answer})
        await self.redis.set(self.prefix + message_id, value, ex=self.ttl)
        return message_id

    async def get(self, message_id: str, conversation_id: str) -> Optional[Turn]:
        if not message_id or len(message_id) > 64:
            return None
        raw = await self.redis.get(self.prefix + message_id)
        if not raw:
            return None
        data: Any = json.loads(raw)
        turn = Turn(data["conversation_id"], data["question"], data["answer"])
        return turn if turn.conversation_id == conversation_id else None


class RedisHandoverCodes:
    """Login hand-over codes (``bot.handover.HandoverCodes``): single use across all gateways."""

    def __init__(self, redis: Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:h:"

    async def put(self, code: str, grant: Grant, ttl_seconds: int) -> None:
        await self.redis.set(self.prefix + _hash(code), json.dumps(asdict(grant)), ex=max(1, int(ttl_seconds)))

    async def take(self, code: str) -> Optional[Grant]:
        raw = await self.redis.getdel(self.prefix + _hash(code))
        return Grant(**json.loads(raw)) if raw else None
