"""Which Rasa replica serves a conversation: a consistent-hash ring and a circuit breaker.

Rasa Open Source does not serialise one conversation across replicas (its Redis lock store
can race, rasa issue #9213), so the gateway sends every turn of a conversation to the same
replica and only moves it when that replica is down.

* :class:`HashRing` - consistent hashing with virtual nodes. Each replica owns ``vnodes``
  points on a 64-bit ring; a conversation id belongs to the first point clockwise from its
  own hash. Adding or removing one of N replicas moves only about 1/N of the conversations,
  and the ones that move go to (or come from) that replica only. :meth:`HashRing.preference`
  gives the failover order: the distinct replicas met walking clockwise.
* :class:`CircuitBreaker` - per replica. ``failure_threshold`` consecutive failures (refused
  connections, timeouts, 5xx, failed health probes) open it for ``open_seconds``; while open
  the replica is skipped without a connection attempt. After that one trial turn (or probe)
  is let through ("half-open"): success closes the breaker, failure opens it again.
* :class:`Router` - the two together: the replicas to try for a conversation, healthy ones
  first in ring order, and the bookkeeping of successes and failures.

Pure Python, no I/O and no clock of its own (a clock is injected), so it is unit-tested
without servers (tests/unit/test_routing.py). The hash is BLAKE2b, stable across processes
and machines, so several gateways agree on the routing without talking to each other.
"""

from __future__ import annotations

import bisect
import hashlib
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

DEFAULT_VNODES = 160


def hash64(value: str) -> int:
    """A stable 64-bit hash of ``value`` (same on every process and machine)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "big")


class HashRing:
    """Consistent hashing of keys (conversation ids) onto nodes (replica URLs)."""

    def __init__(self, nodes: Iterable[str] = (), vnodes: int = DEFAULT_VNODES) -> None:
        if vnodes < 1:
            raise ValueError("vnodes must be at least 1")
        self.vnodes = vnodes
        self._nodes: Tuple[str, ...] = ()
        self._points: List[int] = []
        self._owners: List[str] = []
        for node in nodes:
            self.add(node)

    @property
    def nodes(self) -> Tuple[str, ...]:
        return self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def _rebuild(self, nodes: Sequence[str]) -> None:
        pairs = sorted(
            (hash64(f"{node}#{i}"), node) for node in nodes for i in range(self.vnodes)
        )
        self._nodes = tuple(nodes)
        self._points = [p for p, _ in pairs]
        self._owners = [n for _, n in pairs]

    def add(self, node: str) -> None:
        if not node:
            raise ValueError("a node needs a name")
        if node not in self._nodes:
            self._rebuild((*self._nodes, node))

    def remove(self, node: str) -> None:
        if node in self._nodes:
            self._rebuild(tuple(n for n in self._nodes if n != node))

    def node_for(self, key: str) -> str:
        """The node that owns ``key``."""
        if not self._points:
            raise LookupError("the ring has no nodes")
        index = bisect.bisect_right(self._points, hash64(key)) % len(self._points)
        return self._owners[index]

    def preference(self, key: str) -> List[str]:
        """All nodes in ``key``'s order: its owner first, then the next distinct nodes clockwise."""
        if not self._points:
            return []
        start = bisect.bisect_right(self._points, hash64(key))
        order: List[str] = []
        seen = set()
        total = len(self._points)
        for step in range(total):
            node = self._owners[(start + step) % total]
            if node not in seen:
                seen.add(node)
                order.append(node)
                if len(order) == len(self._nodes):
                    break
        return order


CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """Skip a replica for a short while after it failed ``failure_threshold`` times in a row."""

    def __init__(
        self,
        failure_threshold: int = 2,
        open_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = max(1, failure_threshold)
        self.open_seconds = open_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: Optional[float] = None
        # When the half-open trial started; a trial that never reports back (a cancelled
        # request) blocks others for at most ``open_seconds``.
        self._trial_started: Optional[float] = None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return CLOSED
        if self.clock() - self.opened_at >= self.open_seconds:
            return HALF_OPEN
        return OPEN

    def allow(self) -> bool:
        """May a request go to this replica now? In half-open state only one trial at a time."""
        state = self.state
        if state == CLOSED:
            return True
        if state == HALF_OPEN:
            now = self.clock()
            if self._trial_started is None or now - self._trial_started >= self.open_seconds:
                self._trial_started = now
                return True
        return False

    def success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self._trial_started = None

    def failure(self) -> None:
        self.failures += 1
        self._trial_started = None
        if self.opened_at is not None or self.failures >= self.failure_threshold:
            self.opened_at = self.clock()  # (re)open: a failed trial starts a new wait


@dataclass(frozen=True)
class Attempt:
    """One replica to try for a turn; ``fallback`` when it is not the conversation's own."""

    url: str
    fallback: bool


class Router:
    """Replicas to try for a conversation (ring order, open breakers last) and their health."""

    def __init__(
        self,
        urls: Sequence[str],
        vnodes: int = DEFAULT_VNODES,
        failure_threshold: int = 2,
        open_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("at least one replica is needed")
        self.urls: Tuple[str, ...] = tuple(dict.fromkeys(urls))
        self.ring = HashRing(self.urls, vnodes=vnodes)
        self.breakers: Dict[str, CircuitBreaker] = {
            url: CircuitBreaker(failure_threshold, open_seconds, clock) for url in self.urls
        }

    def order(self, conversation_id: str) -> List[str]:
        """The replicas in this conversation's preference order (health not considered)."""
        return self.ring.preference(conversation_id)

    def attempts(self, conversation_id: str) -> Iterator[Attempt]:
        """Replicas to try now, lazily: those whose breaker lets a request through, in ring
        order (a breaker is asked only when its replica's turn comes, so a half-open trial
        is claimed only when it is really made).

        When every breaker is open, the conversation's own replica is still tried once, so a
        gateway whose replicas all blinked at the same time recovers by itself.
        """
        order = self.order(conversation_id)
        tried = False
        for url in order:
            if self.breakers[url].allow():
                tried = True
                yield Attempt(url, fallback=(url != order[0]))
        if not tried:
            yield Attempt(order[0], fallback=False)

    def is_up(self, url: str) -> bool:
        return self.breakers[url].state != OPEN

    def record_success(self, url: str) -> None:
        self.breakers[url].success()

    def record_failure(self, url: str) -> None:
        self.breakers[url].failure()
