"""10,000 hostile requests against the gateway, in-process, with Rasa replaced by a tiny fake.

Empty and 100 kB messages, control characters, emoji, right-to-left text, HTML/JS, SQL-like
text, lone surrogates, invalid JSON and invalid UTF-8, wrong JSON types, deep nesting, wrong
content types, wrong methods and paths, missing CSRF headers, garbage and huge cookies, huge
and many headers. Deterministic (fixed seed). Checks: no 5xx, no unhandled exception in the
gateway, only clean text reaches Rasa, the gateway still answers afterwards, and memory is
flat (tracemalloc and RSS, after a warm-up).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import tracemalloc
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

import aiohttp
import pytest
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.app import create_app
from bot.config import GatewayConfig
from core.settings import load_settings

TOTAL = 10_000
WARMUP = 1_500
TRACED = 2_000
SEED = 20261123
CSRF = {"X-Requested-With": "koege-chat"}

EMOJI = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇩🇰", "🧾", "💸", "❤️", "🤖", "\U0001FAE0"]
RTL = ["مرحبا كم سعر", "שלום מה המחיר", "\u202eesrever\u202c", "\u2067abc\u2069", "ﷺ"]
HTML = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<iframe src=javascript:alert(1)>",
    "javascript:alert(document.cookie)", "{{7*7}}", "${7*7}", "<svg/onload=alert(1)>",
]
SQL = [
    "'; DROP TABLE events; --", "1 OR 1=1", "' UNION SELECT password FROM users --",
    "admin'--", "1; SELECT pg_sleep(10)", '"; DELETE FROM tariffs; --',
]
DANISH = ["hvad koster en skraldespand", "hvordan betaler jeg", "Hvem sender regningen?", "æøå ÆØÅ"]
CONTROL = "".join(chr(c) for c in list(range(0, 32)) + list(range(127, 160)))


def random_text(rng: random.Random) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return rng.choice(["", " ", "\n\n\n", "\t", "\u200b", "\ufeff"])
    if kind == 1:
        return "".join(rng.choice(CONTROL) for _ in range(rng.randint(1, 200)))
    if kind == 2:
        return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 300)))
    if kind == 3:
        return rng.choice(RTL) + rng.choice(DANISH)
    if kind == 4:
        return rng.choice(HTML)
    if kind == 5:
        return rng.choice(SQL)
    if kind == 6:
        return "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(1, 400)))
    if kind == 7:
        return rng.choice(DANISH) * rng.randint(1, 80)  # around the 1,000-character limit
    if kind == 8:
        return unicodedata.normalize("NFD", rng.choice(DANISH)) + "\u0301" * rng.randint(1, 50)
    if kind == 9:
        return str(rng.getrandbits(4096))
    if kind == 10:
        return rng.choice(DANISH) + rng.choice(CONTROL) + rng.choice(EMOJI) + rng.choice(HTML)
    return rng.choice(DANISH)


def fuzz_case(rng: random.Random, origin: str) -> Tuple[str, str, Dict[str, str], bytes]:
    """One request: method, path, headers, body."""
    headers = dict(CSRF)
    if rng.random() < 0.3:
        headers["Origin"] = origin
    kind = rng.randrange(20)
    body_obj: Any = {"message": random_text(rng)}
    content_type = "application/json"
    method, path = "POST", "/api/chat"
    raw: bytes
    if kind == 0:  # 100 kB message
        body_obj = {"message": "a" * 100_000}
    elif kind == 1:  # invalid JSON
        raw_choices = [b"{", b"{'message': 'hej'}", b"null", b"", b'{"message": "hej"', b"\xff\xfe\x00",
                       b"[" * 5000, b'{"message": "\\ud800"}', b"\x00" * 100, b'{"message": NaN}']
        return method, path, {**headers, "Content-Type": content_type}, rng.choice(raw_choices)
    elif kind == 2:  # wrong JSON types
        body_obj = rng.choice([[], 5, "hej", None, {"message": 5}, {"message": None}, {"message": ["a"]},
                               {"message": {"text": "hej"}}, {"msg": "hej"}, {"message": True}])
    elif kind == 3:  # deep nesting
        depth = rng.choice([100, 1000, 5000])
        return method, path, {**headers, "Content-Type": content_type}, (
            b'{"message": "hej", "x": ' + b"[" * depth + b"]" * depth + b"}")
    elif kind == 4:  # wrong content type
        content_type = rng.choice(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                   "application/xml", "", "application/json; charset=latin-1",
                                   "text/html; charset=utf-8", "*/*"])
    elif kind == 5:  # missing or wrong CSRF header, foreign origin
        headers.pop("X-Requested-With")
        if rng.random() < 0.5:
            headers["X-Requested-With"] = rng.choice(["XMLHttpRequest", "", "koege-chat2"])
            headers["Origin"] = "https://evil.example"
    elif kind == 6:  # huge header
        headers["X-Filler"] = "x" * rng.choice([1_000, 8_000, 9_000, 20_000, 70_000])
    elif kind == 7:  # many headers
        for i in range(rng.choice([50, 200, 500])):
            headers[f"X-H{i}"] = "v" * 50
    elif kind == 8:  # garbage or huge cookies
        headers["Cookie"] = rng.choice([
            "koege_session=" + "A" * 5000, "koege_session=;;;===", "koege_session=\x7f\x01",
            "a=b; " * 300, "koege_session=' OR 1=1 --", "koege_session=%00%ff",
        ])
    elif kind == 9:  # wrong method or path
        method, path = rng.choice([
            ("GET", "/api/chat"), ("PUT", "/api/chat"), ("DELETE", "/api/chat"), ("PATCH", "/api/chat"),
            ("GET", "/static/../../etc/passwd"), ("GET", "/static/%2e%2e/%2e%2e/etc/passwd"),
            ("GET", "/" + "a" * 3000), ("POST", "/api/chat/../../x"), ("GET", "/readyz?x=" + "%" * 10),
            ("OPTIONS", "/api/chat"), ("GET", "/static/widget.js"), ("GET", "/healthz"),
        ])
    elif kind == 10:  # forwarded-header spoofing
        headers["X-Forwarded-For"] = ", ".join("203.0.113.%d" % rng.randrange(256) for _ in range(50))
        headers["X-Forwarded-Proto"] = rng.choice(["https", "gopher", "\x00"])
    elif kind == 11:  # extra fields that must be ignored (sender/metadata spoofing)
        body_obj = {"message": random_text(rng), "sender": "other-user", "metadata": {"cpr": "0101901234"}}
    # ensure_ascii=False with a lone surrogate gives invalid UTF-8 on purpose ("surrogatepass").
    raw = json.dumps(body_obj, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if content_type:
        headers["Content-Type"] = content_type
    return method, path, headers, raw


def rss_kb() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class ErrorCounter(logging.Handler):
    """Counts ERROR records that are not aiohttp's own rejection of a malformed request."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.bad: List[str] = []
        self.malformed = 0

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        if record.name == "aiohttp.server" and isinstance(exc, HttpProcessingError):
            self.malformed += 1
        elif len(self.bad) < 20:
            self.bad.append(f"{record.name}: {record.getMessage()[:200]} {exc!r}")


@pytest.fixture
def error_log():
    """Count gateway and aiohttp errors without keeping every record (memory must stay flat)."""
    counter = ErrorCounter()
    names = ("bot", "aiohttp.server", "aiohttp.web", "aiohttp.access")
    saved = {n: (logging.getLogger(n).propagate, logging.getLogger(n).level) for n in names}
    for n in names:
        logger = logging.getLogger(n)
        logger.addHandler(counter)
        logger.propagate = False
        logger.setLevel(logging.ERROR)
    yield counter
    for n, (propagate, level) in saved.items():
        logger = logging.getLogger(n)
        logger.removeHandler(counter)
        logger.propagate, logger.level = propagate, level


async def test_ten_thousand_hostile_requests(aiohttp_client, aiohttp_server, tmp_path, error_log):
    received: List[Dict[str, Any]] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append({"message": body["message"], "sender": body["sender"], "keys": sorted(body["metadata"])})
        if len(received) > 200:
            del received[:100]  # keep the fake's own memory flat
        return web.json_response([{"recipient_id": body["sender"], "text": "ok", "buttons": []}])

    async def root(request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    fake = web.Application()
    fake.router.add_post("/webhooks/rest/webhook", webhook)
    fake.router.add_get("/", root)
    fake.router.add_get("/health", root)  # the action server's health check, same fake
    rasa = await aiohttp_server(fake)
    settings = load_settings({
        "RASA_URL": str(rasa.make_url("")).rstrip("/"),
        "ACTION_SERVER_URL": str(rasa.make_url("")).rstrip("/"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fuzz.db'}",
        "IDENTITY_SECRET": "fuzz-secret-long-enough-for-hs256-0123456789abcdef",
    })
    config = GatewayConfig(
        rasa_timeout_seconds=2.0, health_interval_seconds=0, max_sessions=300,
        session_rate_per_minute=1_000_000, ip_rate_per_minute=1_000_000,
    )
    app = create_app(settings, config)
    try:  # the gateway's bounded caches, capped small so that "flat" is measurable here
        from bot.state import TURNS
        from bot.turns import TurnMemory

        app[TURNS] = TurnMemory(capacity=300)
    except ImportError:
        pass
    client = await aiohttp_client(app)
    origin = str(client.make_url("")).rstrip("/")
    # A plain session, not the test client, which keeps every response until the test ends.
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    rng = random.Random(SEED)
    statuses: Counter = Counter()
    disconnects = 0

    async def raw(method: str, path: str, headers: Dict[str, str], body: Any) -> int:
        """Send a request aiohttp's own client refuses to build (control characters in a header
        value: aiohttp >= 3.10 will not send them) over a plain socket; its status code."""
        url = client.make_url(path)
        data = body if isinstance(body, bytes) else (body or "").encode("utf-8", "surrogatepass")
        lines = [f"{method} {url.raw_path_qs} HTTP/1.1", f"Host: {url.host}:{url.port}", "Connection: close",
                 f"Content-Length: {len(data)}"] + [f"{k}: {v}" for k, v in headers.items()]
        reader, writer = await asyncio.open_connection(url.host, url.port)
        try:
            writer.write("\r\n".join(lines).encode("utf-8", "surrogatepass") + b"\r\n\r\n" + data)
            await writer.drain()
            status_line = await reader.readline()
            await reader.read()
        finally:
            writer.close()
        return int(status_line.split()[1]) if status_line.startswith(b"HTTP/1.") else 0

    async def one(i: int) -> None:
        nonlocal disconnects
        method, path, headers, body = fuzz_case(rng, origin)
        if any(ch in value for value in headers.values() for ch in "\x00\x01\x7f\r\n"):
            status = await raw(method, path, headers, body)
            statuses[status] += 1
            assert 0 < status < 500 or (path.startswith("/readyz") and status == 503), (i, method, path, status)
            return
        try:
            async with http.request(method, client.make_url(path), headers=headers, data=body,
                                    skip_auto_headers=("Content-Type",)) as resp:
                await resp.read()
                statuses[resp.status] += 1
                # /readyz may honestly say 503 (here: the throw-away database is not migrated).
                ok = resp.status < 500 or (path.startswith("/readyz") and resp.status == 503)
                assert ok, (i, method, path, resp.status, body[:200])
                if resp.status == 200 and path == "/api/chat":
                    data = json.loads(await resp.text())
                    assert data["messages"] and all(isinstance(m["text"], str) for m in data["messages"])
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientPayloadError):
            # Only the server's own header limits may close the connection (it sends 400 first).
            disconnects += 1
            assert "X-Filler" in headers or len(headers) > 40, (i, method, path)

    try:
        for i in range(WARMUP):
            await one(i)
        gc.collect()
        rss_before = rss_kb()
        for i in range(WARMUP, TOTAL - TRACED):
            await one(i)
        # tracemalloc slows everything down, so it watches the last TRACED requests only.
        gc.collect()
        tracemalloc.start()
        traced_before = tracemalloc.get_traced_memory()[0]
        for i in range(TOTAL - TRACED, TOTAL):
            await one(i)
        gc.collect()
        traced_growth = tracemalloc.get_traced_memory()[0] - traced_before
        tracemalloc.stop()
        rss_growth = rss_kb() - rss_before
    finally:
        await http.close()

    total = sum(statuses.values()) + disconnects
    assert total == TOTAL
    assert not any(s >= 500 and s != 503 for s in statuses)
    assert statuses[200] > TOTAL * 0.3 and statuses[400] and statuses[413] and statuses[415] and statuses[403]
    assert not error_log.bad, error_log.bad  # no unhandled exception anywhere in the gateway
    for body in received:  # only cleaned text of at most the limit reaches Rasa
        assert isinstance(body["message"], str) and 0 < len(body["message"]) <= config.max_message_chars
        assert not any(unicodedata.category(c) in ("Cc", "Cs") and c != "\n" for c in body["message"])
        assert body["sender"] != "other-user" and "cpr" not in body["keys"]
    # Memory flat: after the warm-up, what stays allocated is bounded (the session store is
    # capped at max_sessions, the turn memory at 300, rate-limit buckets are pruned).
    assert traced_growth < 2 * 1024 * 1024, f"traced memory grew {traced_growth / 1e6:.1f} MB"
    assert rss_growth < 48 * 1024, f"RSS grew {rss_growth / 1024:.0f} MB"
    # Still alive and answering.
    resp = await client.post("/api/chat", json={"message": "hej"}, headers=CSRF)
    assert resp.status == 200 and (await resp.json())["messages"][0]["text"] == "ok"
    print(f"\nfuzz: {TOTAL} requests, statuses {dict(sorted(statuses.items()))}, "
          f"disconnects {disconnects}, malformed {error_log.malformed}, traced growth {traced_growth / 1024:.0f} kB, RSS growth {rss_growth} kB")
