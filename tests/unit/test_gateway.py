"""The public gateway (bot/) against a fake Rasa: a second aiohttp app that records requests.

Async tests run under ``asyncio_mode = auto`` (pytest.ini). No real Rasa is needed. Timeouts, limits and the clock are set per test through
``GatewayConfig`` and an injected clock, so nothing here sleeps for long.
"""

from __future__ import annotations

import json

import asyncio
import logging
import shutil
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import pytest_asyncio
from aiohttp import web

from bot import texts
from bot.app import STATIC_DIR, create_app
from bot.config import GatewayConfig
from bot.logs import CprMaskingFilter
from bot.rasa_client import RasaClient, replica_order
from bot.security import CONTENT_SECURITY_POLICY
from bot.sessions import COOKIE_NAME
from bot.state import SESSIONS, SETTINGS
from core.db import make_engine, make_session_factory, upgrade_database
from core.ledger import seed_demo
from core.identity import verify_token
from core.settings import load_settings

SECRET = "gateway-test-secret-long-enough-for-hs256-0123456789"
CSRF = {"X-Requested-With": "koege-chat"}
T0 = 1_700_000_000.0


# --- fakes ------------------------------------------------------------------------------------


@dataclass
class FakeRasa:
    """Rasa's REST channel as far as the gateway can tell; ``mode`` picks the behaviour."""

    name: str = "rasa"
    mode: str = "ok"
    delay: float = 0.0
    received: List[Dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        app.router.add_get("/", self.root)
        return app

    async def root(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.mode == "500":
            return web.Response(status=500, text="Traceback (most recent call last): ...")
        if self.mode == "garbage":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        if self.mode == "not_list":
            return web.json_response({"error": "nope"})
        if self.mode == "empty":
            return web.json_response([])
        return web.json_response(
            [
                {"recipient_id": body["sender"], "text": f"{self.name} svarer: {body['message']}"},
                {
                    "recipient_id": body["sender"],
                    "text": "Mente du …?",
                    "buttons": [
                        {"title": "Betaling", "payload": "/faq_pay"},
                        {"title": "Rykker", "payload": "/faq_reminder"},
                        {"title": 3, "payload": "/broken"},
                    ],
                },
                {"recipient_id": body["sender"], "image": "http://example.org/x.png"},
            ]
        )


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def free_port() -> int:
    """A port nobody listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


async def start_fake(aiohttp_server, fake: FakeRasa) -> FakeRasa:
    server = await aiohttp_server(fake.app())
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


@pytest_asyncio.fixture
async def rasa(aiohttp_server) -> FakeRasa:
    return await start_fake(aiohttp_server, FakeRasa())


@pytest_asyncio.fixture
async def actions_url(aiohttp_server) -> str:
    app = web.Application()

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/health", health)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """A SQLite file at the newest migration, copied by each test that needs a database."""
    path = tmp_path_factory.mktemp("gateway-db") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(make_session_factory(engine))  # the ledger's fictitious demo citizens
    engine.dispose()
    return path


@pytest.fixture
def db_url(migrated_db, tmp_path) -> str:
    target = tmp_path / "gateway.db"
    shutil.copy(migrated_db, target)
    return f"sqlite:///{target}"


@pytest_asyncio.fixture
async def gateway(aiohttp_client, clock, db_url):
    """``await gateway(rasa_url, **config)`` -> a test client of a fresh gateway."""

    async def make(rasa_url: str, actions: Optional[str] = None, **config: Any):
        settings = load_settings(
            {"RASA_URL": rasa_url, "ACTION_SERVER_URL": actions or dead_url(), "IDENTITY_SECRET": SECRET,
             "DATABASE_URL": db_url}
        )
        config.setdefault("rasa_timeout_seconds", 3.0)
        config.setdefault("probe_timeout_seconds", 1.0)
        return await aiohttp_client(create_app(settings, GatewayConfig(**config), clock=clock))

    return make


def origin(client) -> str:
    return str(client.make_url("")).rstrip("/")


async def chat(client, message: Any = "Hej", **extra: Any):
    headers = {**CSRF, "Origin": origin(client)}
    resp = await client.post("/api/chat", json={"message": message, **extra}, headers=headers)
    return resp, await resp.json()


def texts_of(body: Dict[str, Any]) -> List[str]:
    return [m["text"] for m in body["messages"]]


# --- the round trip ------------------------------------------------------------------------


async def test_round_trip_returns_rasa_text_and_buttons(gateway, rasa):
    client = await gateway(rasa.url)
    resp, body = await chat(client, "Hvordan betaler jeg?")
    assert resp.status == 200
    ids = [m.pop("id") for m in body["messages"]]
    assert all(isinstance(i, str) and len(i) >= 16 for i in ids) and len(set(ids)) == 2
    assert [m.pop("handover") for m in body["messages"]] == [False, False]
    assert body["messages"] == [
        {"text": "rasa svarer: Hvordan betaler jeg?", "buttons": []},
        {
            "text": "Mente du …?",
            "buttons": [
                {"title": "Betaling", "payload": "/faq_pay"},
                {"title": "Rykker", "payload": "/faq_reminder"},
            ],
        },
    ]
    assert body["session_expired"] is False
    [sent] = rasa.received
    assert sent["message"] == "Hvordan betaler jeg?"
    assert sent["metadata"] == {"channel": "koege-widget"}


async def test_a_typed_cpr_number_never_reaches_rasa(gateway, rasa):
    client = await gateway(rasa.url)
    resp, _ = await chat(client, "mit cpr er 010203-1234, og min søns er 0204051234")
    assert resp.status == 200
    [sent] = rasa.received
    assert sent["message"] == "mit cpr er 010203-****, og min søns er 020405-****"
    assert "1234" not in json.dumps(sent)


async def test_button_payload_is_forwarded_as_message(gateway, rasa):
    client = await gateway(rasa.url)
    await chat(client, "/faq_pay")
    assert rasa.received[0]["message"] == "/faq_pay"


async def test_sender_is_stable_per_cookie_and_distinct_per_client(gateway, rasa, aiohttp_client):
    first = await gateway(rasa.url)
    await chat(first, "en")
    await chat(first, "to")
    second = await aiohttp_client(first.server)  # same gateway, its own cookie jar
    await chat(second, "tre")
    senders = [r["sender"] for r in rasa.received]
    assert senders[0] == senders[1]
    assert senders[2] != senders[0]
    cookie = first.session.cookie_jar.filter_cookies(first.make_url("/"))[COOKIE_NAME].value
    assert cookie not in senders and len(cookie) >= 40


async def test_client_cannot_choose_sender_or_metadata(gateway, rasa):
    client = await gateway(rasa.url)
    resp, _ = await chat(
        client,
        "hej",
        sender="victim-conversation",
        metadata={"identity_token": "forged", "citizen": "0101901234"},
        identity_token="forged",
    )
    assert resp.status == 200
    [sent] = rasa.received
    assert sent["sender"] != "victim-conversation"
    assert sent["metadata"] == {"channel": "koege-widget"}


async def test_verified_session_sends_identity_bound_to_conversation(gateway, rasa):
    client = await gateway(rasa.url)
    await chat(client, "før login")
    app = client.server.app
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME].value
    upgraded = await app[SESSIONS].verify_identity(cookie, "citizen-42")  # what a login will do
    assert upgraded.cookie_value != cookie
    client.session.cookie_jar.update_cookies({COOKIE_NAME: upgraded.cookie_value}, response_url=client.make_url("/"))
    await chat(client, "hvad skylder jeg?")
    before, after = rasa.received
    assert after["sender"] == before["sender"]  # the conversation continues
    token = after["metadata"]["identity_token"]
    assert verify_token(token, after["sender"], app[SETTINGS], now=T0).citizen_ref == "citizen-42"
    assert "identity_token" not in before["metadata"]


async def test_old_cookie_is_useless_after_login(gateway, rasa):
    client = await gateway(rasa.url)
    await chat(client, "før login")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME].value
    await client.server.app[SESSIONS].verify_identity(cookie, "citizen-42")
    resp, body = await chat(client, "efter login med den gamle cookie")
    assert body["session_expired"] is True
    assert "identity_token" not in rasa.received[-1]["metadata"]


# --- input handling ------------------------------------------------------------------------


@pytest.mark.parametrize("message", ["", "   ", "\n\t ", "\x00\x07\x1b"])
async def test_empty_message_answered_without_rasa(gateway, rasa, message):
    client = await gateway(rasa.url)
    resp, body = await chat(client, message)
    assert resp.status == 200
    assert texts_of(body) == ["Skriv gerne dit spørgsmål, så hjælper jeg."]
    assert rasa.received == []


async def test_too_long_message_answered_without_rasa(gateway, rasa):
    client = await gateway(rasa.url)
    resp, body = await chat(client, "a" * 1001)
    assert resp.status == 200
    assert "kortere" in texts_of(body)[0] and "1.000" in texts_of(body)[0]
    assert rasa.received == []
    resp, body = await chat(client, "æ" * 1000)
    assert rasa.received[0]["message"] == "æ" * 1000


async def test_control_characters_are_stripped_newlines_kept(gateway, rasa):
    client = await gateway(rasa.url)
    await chat(client, "  Hej\x00\x07 med\tdig\r\nlinje\u202e2\x7f  ")
    assert rasa.received[0]["message"] == "Hej med dig\nlinje2"


async def test_decomposed_danish_letters_are_normalised(gateway, rasa):
    client = await gateway(rasa.url)
    await chat(client, "Ko\u0308ge a\u030ar")  # o + combining diaeresis, a + ring
    assert rasa.received[0]["message"] == "Köge år"


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b'{"message": "hej"',
        b"\xff\xfe\x00garbage\x81\x82",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"[1, 2, 3]",
        b'"just a string"',
        b"[" * 5000 + b"]" * 5000,
    ],
)
async def test_unreadable_body_is_400(gateway, rasa, payload):
    client = await gateway(rasa.url)
    resp = await client.post(
        "/api/chat", data=payload, headers={**CSRF, "Content-Type": "application/json"}
    )
    assert resp.status == 400
    assert (await resp.json())["error"] == texts.ERROR_INVALID_JSON
    assert rasa.received == []


@pytest.mark.parametrize("body", [{"message": 42}, {"message": ["hej"]}, {"message": None}, {"text": "hej"}])
async def test_message_of_wrong_type_is_400(gateway, rasa, body):
    client = await gateway(rasa.url)
    resp = await client.post("/api/chat", json=body, headers=CSRF)
    assert resp.status == 400
    assert (await resp.json())["error"] == "Beskeden skal være tekst."


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_wrong_content_type_is_415(gateway, rasa, content_type):
    client = await gateway(rasa.url)
    headers = dict(CSRF)
    if content_type:
        headers["Content-Type"] = content_type
    resp = await client.post("/api/chat", data=b'{"message": "hej"}', headers=headers)
    assert resp.status == 415
    assert (await resp.json())["error"] == texts.ERROR_CONTENT_TYPE
    assert rasa.received == []


async def test_body_over_16_kb_is_413(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await client.post("/api/chat", json={"message": "x" * 17_000}, headers=CSRF)
    assert resp.status == 413
    assert (await resp.json())["error"] == texts.ERROR_TOO_LARGE
    assert rasa.received == []


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Requested-With": "XMLHttpRequest"},
        {"X-Requested-With": "koege-chat", "Origin": "https://evil.example"},
        {"X-Requested-With": "koege-chat", "Origin": "null"},
    ],
)
async def test_csrf_rejected(gateway, rasa, headers):
    client = await gateway(rasa.url)
    resp = await client.post("/api/chat", json={"message": "hej"}, headers=headers)
    assert resp.status == 403
    assert (await resp.json())["error"] == texts.ERROR_FORBIDDEN
    assert rasa.received == []


async def test_csrf_header_without_origin_is_accepted(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await client.post("/api/chat", json={"message": "hej"}, headers=CSRF)
    assert resp.status == 200


# --- Rasa trouble -------------------------------------------------------------------------


async def test_rasa_down_gives_danish_apology(gateway):
    client = await gateway(dead_url())
    resp, body = await chat(client, "hej")
    assert resp.status == 200
    assert texts_of(body) == [
        "Beklager, jeg kan ikke svare lige nu på grund af en teknisk fejl. Prøv igen om lidt, "
        "eller ring til Opkrævningen på tlf. 5667 2450."
    ]


async def test_rasa_slow_gives_apology_within_timeout(gateway, rasa):
    rasa.delay = 2.0
    client = await gateway(rasa.url, rasa_timeout_seconds=0.3)
    started = time.monotonic()
    resp, body = await chat(client, "hej")
    assert time.monotonic() - started < 1.5
    assert resp.status == 200 and texts_of(body) == [texts.TECHNICAL_ERROR]


@pytest.mark.parametrize("mode", ["500", "garbage", "not_list"])
async def test_rasa_error_or_garbage_gives_apology(gateway, rasa, mode):
    rasa.mode = mode
    client = await gateway(rasa.url)
    resp, body = await chat(client, "hej")
    assert resp.status == 200 and texts_of(body) == [texts.TECHNICAL_ERROR]
    assert "Traceback" not in str(body)


async def test_rasa_silence_gives_no_answer_text(gateway, rasa):
    rasa.mode = "empty"
    client = await gateway(rasa.url)
    _, body = await chat(client, "hej")
    assert texts_of(body) == [texts.NO_ANSWER]


async def test_unexpected_bug_still_gives_apology(gateway, rasa, monkeypatch):
    async def boom(self, *args, **kwargs):
        raise RuntimeError("bug with 0101901234 inside")

    monkeypatch.setattr(RasaClient, "send", boom)
    client = await gateway(rasa.url)
    resp, body = await chat(client, "hej")
    assert resp.status == 200 and texts_of(body) == [texts.TECHNICAL_ERROR]


async def test_conversation_sticks_to_one_replica_and_fails_over(gateway, aiohttp_server):
    a = await start_fake(aiohttp_server, FakeRasa(name="a"))
    b = await start_fake(aiohttp_server, FakeRasa(name="b"))
    client = await gateway(a.url, rasa_urls=(a.url, b.url))
    for text in ("en", "to", "tre"):
        await chat(client, text)
    assert sorted([len(a.received), len(b.received)]) == [0, 3]  # all on one replica
    sender = (a.received or b.received)[0]["sender"]
    assert replica_order(sender, (a.url, b.url))[0] == (a if a.received else b).url
    # The preferred replica dies (connection refused): the next one takes over.
    dead = dead_url()
    other = b if a.received else a
    client2 = await gateway(dead, rasa_urls=(dead, other.url))
    _, body = await chat(client2, "hej")
    assert body["messages"][0]["text"].endswith("svarer: hej")


# --- limits -------------------------------------------------------------------------------


async def test_rate_limit_per_session(gateway, rasa, clock):
    client = await gateway(rasa.url, session_rate_per_minute=3)
    statuses = [(await chat(client, f"besked {i}"))[0].status for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    resp, body = await chat(client, "igen")
    assert resp.status == 429 and body["error"] == texts.ERROR_RATE_LIMITED
    assert int(resp.headers["Retry-After"]) >= 1
    assert len(rasa.received) == 3
    clock.advance(60)
    assert (await chat(client, "efter et minut"))[0].status == 200


async def test_rate_limit_per_ip_across_sessions(gateway, rasa, aiohttp_client):
    first = await gateway(rasa.url, ip_rate_per_minute=2)
    others = [await aiohttp_client(first.server) for _ in range(2)]
    statuses = [(await chat(c, "hej"))[0].status for c in (first, *others)]
    assert statuses == [200, 200, 429]


# --- headers and cookies ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/static/widget.js", "/healthz", "/does-not-exist"])
async def test_security_headers_everywhere(gateway, rasa, path):
    client = await gateway(rasa.url)
    resp = await client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers  # plain HTTP


async def test_api_responses_are_not_cached(gateway, rasa):
    client = await gateway(rasa.url)
    resp, _ = await chat(client)
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    bad = await client.post("/api/chat", json={"message": "x"})
    assert bad.status == 403 and bad.headers["Cache-Control"] == "no-store"


async def test_session_cookie_attributes(gateway, rasa):
    client = await gateway(rasa.url)
    resp, _ = await chat(client)
    raw = resp.headers["Set-Cookie"]
    assert raw.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in raw and "SameSite=Strict" in raw and "Path=/" in raw
    assert "Secure" not in raw  # plain HTTP from an untrusted peer
    resp2, _ = await chat(client)
    assert "Set-Cookie" not in resp2.headers  # only set when the session is new


async def test_https_from_trusted_proxy_gives_secure_cookie_and_hsts(gateway, rasa):
    client = await gateway(rasa.url, trusted_proxies=frozenset({"127.0.0.1"}))
    headers = {**CSRF, "X-Forwarded-Proto": "https", "Origin": "https://" + client.make_url("/").authority}
    resp = await client.post("/api/chat", json={"message": "hej"}, headers=headers)
    assert resp.status == 200
    assert "Secure" in resp.headers["Set-Cookie"]
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_forwarded_proto_from_untrusted_peer_is_ignored(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await client.post("/api/chat", json={"message": "hej"}, headers={**CSRF, "X-Forwarded-Proto": "https"})
    assert "Secure" not in resp.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in resp.headers


# --- sessions ---------------------------------------------------------------------------------


async def test_idle_expiry_starts_new_conversation_with_notice(gateway, rasa, clock):
    client = await gateway(rasa.url)
    await chat(client, "en")
    clock.advance(29 * 60)
    _, body = await chat(client, "to")
    assert body["session_expired"] is False
    clock.advance(31 * 60)
    resp, body = await chat(client, "tre")
    assert body["session_expired"] is True
    assert texts_of(body)[0] == texts.SESSION_EXPIRED and "udløbet" in texts_of(body)[0]
    assert texts_of(body)[1] == "rasa svarer: tre"
    assert COOKIE_NAME in resp.cookies
    first, second, third = [r["sender"] for r in rasa.received]
    assert first == second != third
    _, body = await chat(client, "fire")
    assert body["session_expired"] is False and rasa.received[-1]["sender"] == third


async def test_absolute_expiry_after_eight_hours(gateway, rasa, clock):
    client = await gateway(rasa.url)
    await chat(client, "start")
    for _ in range(23):  # active every 20 minutes: never idle, 7 h 40 min in total
        clock.advance(20 * 60)
        assert (await chat(client, "stadig her"))[1]["session_expired"] is False
    clock.advance(20 * 60)
    _, body = await chat(client, "8 timer")
    assert body["session_expired"] is True
    assert len({r["sender"] for r in rasa.received}) == 2


async def test_unknown_cookie_gets_fresh_session(gateway, rasa):
    client = await gateway(rasa.url)
    client.session.cookie_jar.update_cookies({COOKIE_NAME: "attacker-chosen-session-id-123456"}, response_url=client.make_url("/"))
    resp, body = await chat(client, "hej")
    assert body["session_expired"] is True
    new_cookie = resp.cookies[COOKIE_NAME].value
    assert new_cookie != "attacker-chosen-session-id-123456"
    assert rasa.received[0]["sender"] != "attacker-chosen-session-id-123456"


# --- page, health ---------------------------------------------------------------------------


async def test_chat_page_is_served_with_one_script_tag(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await client.get("/")
    html = await resp.text()
    assert resp.status == 200 and resp.content_type == "text/html"
    assert html.count("<script") == 1
    assert '<script src="/static/widget.js" defer></script>' in html
    assert "Køge Kommune – Opkrævningen" in html and 'lang="da"' in html
    for asset in ("/static/widget.js", "/static/widget.css", "/static/page.css"):
        r = await client.get(asset)
        assert r.status == 200, asset
    assert (await client.get("/static/")).status in (403, 404)  # no directory listing


def test_static_files_have_no_inline_code_or_third_party_origins():
    for path in STATIC_DIR.iterdir():
        content = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", content), path.name
        assert "innerHTML" not in content and "insertAdjacentHTML" not in content, path.name
        assert "eval(" not in content and "style=" not in content, path.name
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers


def test_widget_texts_match_gateway_texts_and_a11y_hooks():
    js = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    assert texts.TECHNICAL_ERROR in js
    for needle in (
        '"role", "log"', '"aria-live", "polite"', "Chat med Opkrævningen", "Skriv dit spørgsmål",
        "Skriver …", "Jeg er en automatisk assistent", "sessionStorage", '"Escape"', "aria-label",
        "X-Requested-With", "koege-chat",
    ):
        assert needle in js, needle


async def test_healthz(gateway):
    client = await gateway(dead_url())
    resp = await client.get("/healthz")
    assert resp.status == 200 and (await resp.json()) == {"status": "ok"}


async def test_readyz_503_when_rasa_down(gateway, actions_url):
    client = await gateway(dead_url(), actions=actions_url)
    resp = await client.get("/readyz")
    assert resp.status == 503
    assert (await resp.json())["checks"] == {"rasa": "down", "actions": "ok", "database": "ok"}


async def test_readyz_503_when_actions_down(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await client.get("/readyz")
    assert resp.status == 503
    assert (await resp.json())["checks"] == {"rasa": "ok", "actions": "down", "database": "ok"}


async def test_readyz_200_when_all_up(gateway, rasa, actions_url):
    client = await gateway(rasa.url, actions=actions_url)
    resp = await client.get("/readyz")
    assert resp.status == 200
    assert (await resp.json()) == {"status": "ready", "checks": {"rasa": "ok", "actions": "ok", "database": "ok"}}


async def test_readyz_503_when_database_not_migrated_or_down(gateway, rasa, actions_url, monkeypatch):
    client = await gateway(rasa.url, actions=actions_url)
    monkeypatch.setattr("bot.health.current_revisions", lambda engine: ("0001_tariff_catalogue",))
    resp = await client.get("/readyz")
    assert resp.status == 503
    assert (await resp.json())["checks"]["database"] == "not migrated"
    monkeypatch.setattr("bot.health.ping", lambda engine: False)
    resp = await client.get("/readyz")
    assert resp.status == 503
    assert (await resp.json())["checks"]["database"] == "down"


# --- logging ----------------------------------------------------------------------------------


async def test_logs_mask_cpr(gateway, rasa, caplog):
    caplog.set_level(logging.DEBUG, logger="bot")
    client = await gateway(rasa.url)
    await chat(client, "mit cpr er 010190-1234 og 0202921234")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "010190-****" in logged and "020292-****" in logged
    assert "010190-1234" not in logged and "0202921234" not in logged


def test_masking_filter_covers_arguments_and_tracebacks():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "user said %s", ("0101901234",), None)
    try:
        raise ValueError("bad cpr 010190-1234")
    except ValueError:
        record.exc_info = sys.exc_info()
    CprMaskingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "0101901234" not in text and "010190-1234" not in text
    assert "user said 010190-****" in text and "ValueError: bad cpr 010190-****" in text

