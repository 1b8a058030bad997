"""The gateway's only way to talk to Rasa: one turn over the private REST channel.

``POST {rasa}/webhooks/rest/webhook`` with ``{"sender", "message", "metadata"}`` returns a
list of ``{"recipient_id", "text", "buttons": [{"title", "payload"}]}``. Anything else (a
refused connection, a timeout, a 5xx, a body that is not such a list) becomes
:class:`RasaUnavailable`, which the chat handler turns into a polite apology.

With several Rasa replicas, each conversation goes to the same one (consistent hashing on
the conversation id, :mod:`bot.routing`), because Rasa Open Source does not serialise one
conversation across replicas. Replicas whose circuit breaker is open (failed turns or failed
health probes, see :func:`health_check_ctx`) are skipped. If a replica refuses the connection
or does not accept it within ``connect_timeout``, the message never reached it, so the next
replica in the conversation's ring order is tried; the conversation continues there from the
shared tracker store. After a read timeout, a dropped connection or an error answer we do not
retry (the turn may have happened). The whole turn, failover included, stays within the
client session's total timeout (``GatewayConfig.rasa_timeout_seconds``).

Every turn and every failed attempt is counted in :mod:`bot.metrics` when metrics are given.
CPR-like numbers in the message are masked before it leaves (:func:`core.identity.mask_cpr`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, AsyncIterator, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import aiohttp
from aiohttp import web

from bot.metrics import GatewayMetrics
from bot.routing import DEFAULT_VNODES, HashRing, Router
from core.identity import mask_cpr

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"


class RasaUnavailable(Exception):
    """Rasa did not give a usable answer."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: Tuple[Button, ...] = field(default_factory=tuple)
    # Set by action_answer's structured flag ({"custom": {"answer": {"handover": …}}}):
    # True/False when the action said so, None when only the text can tell.
    handover: Optional[bool] = None

    def to_json(self) -> Dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
        }


@lru_cache(maxsize=32)
def _ring(urls: Tuple[str, ...]) -> HashRing:
    return HashRing(urls, vnodes=DEFAULT_VNODES)


def replica_order(conversation_id: str, urls: Sequence[str]) -> List[str]:
    """The replicas in this conversation's preference order (the ring order of bot.routing)."""
    return _ring(tuple(u.rstrip("/") for u in urls)).preference(conversation_id)


def parse_reply(data: Any) -> List[BotMessage]:
    """Rasa's REST reply -> messages with text and buttons; raises on anything unexpected."""
    if not isinstance(data, list):
        raise RasaUnavailable("reply is not a list")
    messages: List[BotMessage] = []
    for item in data:
        if not isinstance(item, dict):
            raise RasaUnavailable("reply item is not an object")
        flag = _answer_flag(item.get("custom"))
        if flag is not None:
            # the flag describes the messages of the answer before it
            messages = [m if m.handover is not None else replace(m, handover=flag) for m in messages]
            continue
        text = item.get("text")
        text = text if isinstance(text, str) else ""
        buttons = tuple(_buttons(item.get("buttons")))
        if text or buttons:
            messages.append(BotMessage(text=text, buttons=buttons))
    return messages


def _answer_flag(custom: Any) -> Optional[bool]:
    """``{"answer": {"handover": true}}`` -> True; anything else -> None."""
    if not isinstance(custom, dict) or not isinstance(custom.get("answer"), dict):
        return None
    handover = custom["answer"].get("handover")
    return handover if isinstance(handover, bool) else None


def _buttons(raw: Any) -> List[Button]:
    if not isinstance(raw, list):
        return []
    result = []
    for b in raw:
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str):
            result.append(Button(title=b["title"], payload=b["payload"]))
    return result


class _NotDelivered(Exception):
    """The message never reached the replica (refused, or not accepted in time): fail over."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _AttemptFailed(RasaUnavailable):
    """The replica got the message (or may have) but gave no usable answer: do not retry."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


class RasaClient:
    """Sends one user message to the conversation's Rasa replica and parses the reply."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        urls: Sequence[str],
        max_reply_bytes: int = 512 * 1024,
        *,
        metrics: Optional[GatewayMetrics] = None,
        timeout_seconds: Optional[float] = None,
        connect_timeout_seconds: float = 0.5,
        failure_threshold: int = 2,
        open_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.http = http
        self.urls = tuple(dict.fromkeys(u.rstrip("/") for u in urls))
        self.max_reply_bytes = max_reply_bytes
        self.metrics = metrics
        self.timeout_seconds = timeout_seconds or (http.timeout.total or 10.0)
        self.connect_timeout_seconds = connect_timeout_seconds
        self.clock = clock
        self.router = Router(
            self.urls, failure_threshold=failure_threshold, open_seconds=open_seconds, clock=clock
        )

    async def send(
        self, conversation_id: str, message: str, metadata: Mapping[str, Any]
    ) -> List[BotMessage]:
        # A CPR number typed in the chat never reaches Rasa: not its tracker store, its logs or
        # the actions (they see "010203-****" and remind the citizen to log in instead).
        body = {"sender": conversation_id, "message": mask_cpr(message), "metadata": dict(metadata)}
        started = self.clock()
        deadline = started + self.timeout_seconds
        answered_by: Optional[str] = None
        outcome = "error"
        if self.metrics:
            self.metrics.in_flight.inc()
        try:
            for attempt in self.router.attempts(conversation_id):
                remaining = deadline - self.clock()
                if remaining <= 0:
                    raise RasaUnavailable("turn deadline passed")
                try:
                    replies = await self._post(attempt.url, body, remaining)
                except _NotDelivered as exc:
                    log.warning("Rasa replica %s not reachable (%s)", self._name(attempt.url), exc.kind)
                    self._failed(attempt.url, exc.kind)
                    continue
                except _AttemptFailed as exc:
                    self._failed(attempt.url, exc.kind)
                    answered_by = attempt.url
                    raise
                self._succeeded(attempt.url)
                answered_by = attempt.url
                if attempt.fallback and self.metrics:
                    self.metrics.failover(attempt.url)
                outcome = "ok" if replies else "empty"
                return replies
            raise RasaUnavailable("no Rasa replica reachable")
        finally:
            if self.metrics:
                self.metrics.in_flight.dec()
                self.metrics.turn(answered_by, outcome, self.clock() - started)

    def _name(self, url: str) -> str:
        return self.metrics.label(url) if self.metrics else url

    def _failed(self, url: str, kind: str) -> None:
        self.router.record_failure(url)
        if self.metrics:
            self.metrics.error(url, kind)
            self.metrics.set_up(url, self.router.is_up(url))

    def _succeeded(self, url: str) -> None:
        self.router.record_success(url)
        if self.metrics:
            self.metrics.set_up(url, True)

    async def _post(self, base: str, body: Mapping[str, Any], remaining: float) -> List[BotMessage]:
        timeout = aiohttp.ClientTimeout(
            total=remaining, connect=min(self.connect_timeout_seconds, remaining)
        )
        try:
            async with self.http.post(base + WEBHOOK_PATH, json=body, timeout=timeout) as resp:
                if resp.status != 200:
                    raise _AttemptFailed("http", f"Rasa answered HTTP {resp.status}")
                raw = await resp.content.read(self.max_reply_bytes + 1)
                if len(raw) > self.max_reply_bytes:
                    raise _AttemptFailed("bad_reply", "Rasa reply too large")
        except aiohttp.ClientConnectorError as exc:
            raise _NotDelivered("refused") from exc
        except aiohttp.ServerTimeoutError as exc:
            if str(exc).startswith("Connection timeout"):
                raise _NotDelivered("connect_timeout") from exc
            raise _AttemptFailed("timeout", "timeout talking to Rasa") from exc
        except asyncio.TimeoutError as exc:
            raise _AttemptFailed("timeout", "timeout talking to Rasa") from exc
        except aiohttp.ClientError as exc:
            raise _AttemptFailed("disconnected", f"{type(exc).__name__} talking to Rasa") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _AttemptFailed("bad_reply", "Rasa reply is not JSON") from exc
        try:
            return parse_reply(data)
        except RasaUnavailable as exc:
            raise _AttemptFailed("bad_reply", str(exc)) from exc

    # --- health checks ------------------------------------------------------------------
    async def probe(self, url: str, timeout: float) -> bool:
        """``GET {replica}/``: does the replica answer at all? Updates its breaker."""
        try:
            async with self.http.get(url + "/", timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
                up = resp.status < 500
        except (aiohttp.ClientError, asyncio.TimeoutError):
            up = False
        if up:
            self._succeeded(url)
        else:
            self._failed(url, "probe")
        return up

    async def probe_all(self, timeout: float) -> Dict[str, bool]:
        results = await asyncio.gather(*(self.probe(url, timeout) for url in self.urls))
        return dict(zip(self.urls, results))

    async def health_loop(self, interval: float, timeout: float) -> None:
        """Probe every replica every ``interval`` seconds until cancelled."""
        while True:
            try:
                await self.probe_all(timeout)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the loop must outlive any one probe
                log.exception("health probe failed")
            await asyncio.sleep(interval)


async def health_check_ctx(app: web.Application) -> AsyncIterator[None]:
    """``cleanup_ctx`` (after the one that creates the client): probe the Rasa replicas in the
    background when there are several, so a dead replica is skipped before a citizen hits it
    and a recovered one is used again within ``health_interval_seconds``."""
    from bot.state import CONFIG, RASA  # late import: bot.state imports this module

    client: RasaClient = app[RASA]
    config = app[CONFIG]
    interval = float(getattr(config, "health_interval_seconds", 2.0) or 0)
    task = None
    if len(client.urls) > 1 and interval > 0:
        task = asyncio.get_running_loop().create_task(
            client.health_loop(interval, config.probe_timeout_seconds)
        )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
