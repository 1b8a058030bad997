"""In-memory token buckets: so many messages per minute per session and per IP address.

Each key (a session key or a client IP) has a bucket of ``capacity`` tokens refilled at
``capacity`` per ``period`` seconds; a message takes one token. Buckets that have refilled
completely carry no information and are dropped now and then, which bounds memory. One
process only: several gateways behind a load balancer would each count on their own (a
Redis-backed limiter can replace this class with the same ``take`` method).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Tuple

Clock = Callable[[], float]


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

    def take(self, key: str) -> Tuple[bool, float]:
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
    """The gateway's limits: chat messages per session and per client IP, logins per IP."""

    def __init__(
        self, per_session: int, per_ip: int, clock: Clock, period_seconds: float = 60.0, per_login: int = 10
    ):
        self.sessions = TokenBuckets(per_session, period_seconds, clock)
        self.ips = TokenBuckets(per_ip, period_seconds, clock)
        self.logins = TokenBuckets(per_login, period_seconds, clock)

    def check_ip(self, ip: str) -> Tuple[bool, float]:
        return self.ips.take(ip)

    def check_session(self, session_key: str) -> Tuple[bool, float]:
        return self.sessions.take(session_key)

    def check_login(self, ip: str) -> Tuple[bool, float]:
        """Staff and demo logins: a much smaller budget per client IP (password guessing)."""
        return self.logins.take(ip)
