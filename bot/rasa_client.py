"""The gateway's only way to talk to Rasa: one turn over the private REST channel.

``POST {rasa}/webhooks/rest/webhook`` with ``{"sender", "message", "metadata"}`` returns a
list of ``{"recipient_id", "text", "buttons": [{"title", "payload"}]}``. Anything else (a
refused connection, a timeout, a 5xx, a body that is not such a list) becomes
:class:`RasaUnavailable`, which the chat handler turns into a polite apology.

With several Rasa replicas, each conversation goes to the same one (rendezvous hashing on
the conversation id), because Rasa Open Source does not serialise one conversation across
replicas. If that replica refuses the connection, the message never reached it, so the next
replica in the conversation's order is tried; after a timeout or an error answer we do not
retry (the turn may have happened).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Sequence, Tuple

import aiohttp

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

    def to_json(self) -> Dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
        }


def replica_order(conversation_id: str, urls: Sequence[str]) -> List[str]:
    """The replicas in this conversation's preference order (stable, spreads evenly)."""

    def score(url: str) -> bytes:
        return hashlib.sha256(f"{url}|{conversation_id}".encode("utf-8")).digest()

    return sorted(urls, key=score, reverse=True)


def parse_reply(data: Any) -> List[BotMessage]:
    """Rasa's REST reply -> messages with text and buttons; raises on anything unexpected."""
    if not isinstance(data, list):
        raise RasaUnavailable("reply is not a list")
    messages: List[BotMessage] = []
    for item in data:
        if not isinstance(item, dict):
            raise RasaUnavailable("reply item is not an object")
        text = item.get("text")
        text = text if isinstance(text, str) else ""
        buttons = tuple(_buttons(item.get("buttons")))
        if text or buttons:
            messages.append(BotMessage(text=text, buttons=buttons))
    return messages


def _buttons(raw: Any) -> List[Button]:
    if not isinstance(raw, list):
        return []
    result = []
    for b in raw:
        if isinstance(b, dict) and isinstance(b.get("title"), str) and isinstance(b.get("payload"), str):
            result.append(Button(title=b["title"], payload=b["payload"]))
    return result


class RasaClient:
    """Sends one user message to the conversation's Rasa replica and parses the reply."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        urls: Sequence[str],
        max_reply_bytes: int = 512 * 1024,
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa URL is needed")
        self.http = http
        self.urls = tuple(u.rstrip("/") for u in urls)
        self.max_reply_bytes = max_reply_bytes

    async def send(
        self, conversation_id: str, message: str, metadata: Mapping[str, Any]
    ) -> List[BotMessage]:
        body = {"sender": conversation_id, "message": message, "metadata": dict(metadata)}
        order = replica_order(conversation_id, self.urls)
        for index, base in enumerate(order):
            try:
                return await self._post(base, body)
            except aiohttp.ClientConnectorError as exc:
                log.warning("Rasa replica %s refused the connection (%s)", base, type(exc).__name__)
                if index == len(order) - 1:
                    raise RasaUnavailable("no Rasa replica reachable") from exc
        raise RasaUnavailable("no Rasa replica configured")  # pragma: no cover

    async def _post(self, base: str, body: Mapping[str, Any]) -> List[BotMessage]:
        try:
            async with self.http.post(base + WEBHOOK_PATH, json=body) as resp:
                if resp.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {resp.status}")
                raw = await resp.content.read(self.max_reply_bytes + 1)
                if len(raw) > self.max_reply_bytes:
                    raise RasaUnavailable("Rasa reply too large")
        except aiohttp.ClientConnectorError:
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__} talking to Rasa") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise RasaUnavailable("Rasa reply is not JSON") from exc
        return parse_reply(data)
