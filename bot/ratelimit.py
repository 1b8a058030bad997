"""Token buckets: the gateway's rate limits.

Chat messages are limited per session first (``session_rate_per_minute``); the per-IP
bucket is only a generous ceiling (``ip_rate_per_minute``), because many citizens share one
address behind a town hall's or library's NAT. New sessions are limited per IP
(``new_sessions_per_minute``), so a client without a cookie cannot fill the session store.
Staff logins are limited per account *and* IP (``staff_login_per_minute``): a mistyped
password locks out that person at that address, not the whole office; a per-IP ceiling
(``staff_login_ip_per_minute``) still stops one address trying many accounts.

Each key (a session key, a client IP, an account at an IP) has a bucket of ``capacity`` tokens refilled at
``capacity`` per ``period`` seconds; a message takes one token. Buckets that have refilled
completely carry no information and are dropped now and then, which bounds memory.
:class:`TokenBuckets` counts in one process; with ``REDIS_URL`` set the gateway uses
:class:`bot.redis_state.RedisTokenBuckets` (same ``take``), so several gateways behind a load
balancer share one count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, Optional, Protocol, Tuple

Clock = Callable[[], float]


class Buckets(Protocol):
    """Token buckets by key: ``take`` returns ``(allowed, seconds until a token is available)``."""

    async def take(self, key: str) -> Tuple[bool, float]: ...


# ``(name, capacity, period_seconds) -> Buckets``: where a limit keeps its counts.
BucketsFactory = Callable[[str, int, float], Buckets]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Token buckets by key, all with the same capacity and refill rate."""

    def __init__(self, capacity: int, period_seconds: float, clock: Clock, max_keys: int = 200_000):
        if capacity < 1 or period_seconds <= 0:
            raise ValueError("capacity must be >= 1 and period > 0")
        self.capacity = float(capacity)
        self.rate = capacity / period_seconds
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: Dict[str, _Bucket] = {}
        self._last_prune = clock()

    async def take(self, key: str) -> Tuple[bool, float]:
        return self.take_now(key)

    def take_now(self, key: str) -> Tuple[bool, float]:
        """Take one token for ``key``: ``(allowed, seconds until a token is available)``."""
        now = self.clock()
        self._maybe_prune(now)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True, 0.0
        return False, (1.0 - bucket.tokens) / self.rate

    def _maybe_prune(self, now: float) -> None:
        full_after = self.capacity / self.rate
        if now - self._last_prune < full_after and len(self._buckets) < self.max_keys:
            return
        self._last_prune = now
        for key in [k for k, b in self._buckets.items() if now - b.updated >= full_after]:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # still full of active keys: forget the oldest
            for key, _ in sorted(self._buckets.items(), key=lambda kv: kv[1].updated)[
                : len(self._buckets) // 10 or 1
            ]:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class RateLimiter:
    """The gateway's limits (see the module docstring); one instance per application."""

    def __init__(
        self,
        per_session: int,
        per_ip: int,
        clock: Clock,
        period_seconds: float = 60.0,
        per_login: int = 10,
        per_login_ip: int = 60,
        new_sessions_per_ip: int = 30,
        buckets: Optional[BucketsFactory] = None,
    ):
        make: BucketsFactory = buckets or (lambda _name, capacity, period: TokenBuckets(capacity, period, clock))
        self.sessions = make("session", per_session, period_seconds)
        self.ips = make("ip", per_ip, period_seconds)
        self.new_sessions = make("new-session", new_sessions_per_ip, period_seconds)
        self.logins = make("login", per_login, period_seconds)
        self.login_ips = make("login-ip", per_login_ip, period_seconds)

    def check_ip(self, ip: str) -> Awaitable[Tuple[bool, float]]:
        """The per-IP ceiling of chat and feedback requests."""
        return self.ips.take(ip)

    def check_session(self, session_key: str) -> Awaitable[Tuple[bool, float]]:
        return self.sessions.take(session_key)

    def check_new_session(self, ip: str) -> Awaitable[Tuple[bool, float]]:
        """One more server-side session for this client IP?"""
        return self.new_sessions.take(ip)

    async def check_login(self, ip: str, account: str = "") -> Tuple[bool, float]:
        """A staff login attempt: per account at this IP, under a per-IP ceiling. A
        refused attempt for one account does not use up the IP's ceiling."""
        allowed, retry = await self.logins.take(f"{account.strip().lower()}\x00{ip}")
        if not allowed:
            return allowed, retry
        return await self.login_ips.take(ip)
