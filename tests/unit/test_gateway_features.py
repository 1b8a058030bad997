"""Gateway features beyond one chat turn: demo MitID login, feedback, unanswered questions,
the widget's session view and logout. Against the fake Rasa of ``test_gateway``."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.sessions import COOKIE_NAME
from bot.state import DB, SETTINGS
from core.gateway_models import ChatFeedback, UnansweredQuestion
from core.identity import verify_token
from tests.unit.test_gateway import (  # noqa: F401 - fixtures
    CSRF, T0, actions_url, chat, clock, db_url, gateway, migrated_db, origin, rasa,
)


def demo_citizens(db_url):
    from core.db import make_engine, make_session_factory
    from core.ledger import demo_citizens as ledger_demo

    return ledger_demo(factory=make_session_factory(make_engine(db_url)))


def rows(client, model):
    with client.server.app[DB]() as session:
        return list(session.execute(select(model)).scalars())


async def demo_login(client, ref: str):
    page = await client.get("/login")
    html = await page.text()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    return await client.post(
        "/login/demo", data={"csrf": token, "citizen": ref}, headers={"Origin": origin(client)},
        allow_redirects=False,
    )


async def test_demo_login_page_lists_fictitious_citizens_without_inline_script(gateway, rasa, db_url):
    client = await gateway(rasa.url)
    resp = await client.get("/login")
    html = await resp.text()
    assert resp.status == 200 and 'lang="da"' in html
    assert "<script" not in html and "style=" not in html
    for citizen in demo_citizens(db_url):
        assert citizen.name in html
    assert "opdigtede" in html


async def test_demo_login_verifies_session_and_identity_reaches_rasa(gateway, rasa, db_url):
    client = await gateway(rasa.url)
    await chat(client, "før login")
    before = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME].value
    citizen = demo_citizens(db_url)[0]
    resp = await demo_login(client, citizen.ref)
    assert resp.status == 303 and resp.headers["Location"] == "/?login=1"
    after = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME].value
    assert after != before  # new session id after login (no fixation)
    info = await (await client.get("/api/session")).json()
    assert info["verified"] is True and info["name"] == citizen.name
    await chat(client, "hvad skylder jeg?")
    first, second = rasa.received
    assert first["sender"] == second["sender"]
    identity = verify_token(second["metadata"]["identity_token"], second["sender"], client.server.app[SETTINGS], now=T0)
    assert identity.citizen_ref == citizen.ref


async def test_demo_login_rejects_forged_token_unknown_citizen_and_foreign_origin(gateway, rasa, db_url):
    client = await gateway(rasa.url)
    await client.get("/login")
    resp = await client.post("/login/demo", data={"csrf": "0" * 64, "citizen": demo_citizens(db_url)[0].ref},
                             headers={"Origin": origin(client)}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"
    resp = await demo_login(client, "nobody")
    assert resp.headers["Location"] == "/login"
    resp = await client.post("/login/demo", data={"csrf": "x", "citizen": "demo-anna"},
                             headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert resp.status == 403
    assert (await (await client.get("/api/session")).json())["verified"] is False


async def test_login_page_without_demo_mode_is_unavailable(aiohttp_client, rasa, db_url):
    from bot.app import create_app
    from core.settings import load_settings

    settings = load_settings({"RASA_URL": rasa.url, "KOEGE_DEMO_MODE": "false", "DATABASE_URL": db_url,
                              "IDENTITY_SECRET": "x" * 40, "GATEWAY_ALLOWED_HOSTS": "127.0.0.1",
                              "GATEWAY_METRICS_TOKEN": "m" * 32})
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/login")).status == 503
    assert (await client.post("/login/demo", data={}, headers={"Origin": origin(client)})).status == 404


async def test_logout_ends_session(gateway, rasa, db_url):
    client = await gateway(rasa.url)
    await demo_login(client, demo_citizens(db_url)[0].ref)
    resp = await client.post("/api/logout", json={}, headers={**CSRF, "Origin": origin(client)})
    assert resp.status == 200 and (await resp.json())["messages"][0]["text"] == "Du er logget ud."
    info = await (await client.get("/api/session")).json()
    assert info == {**info, "active": False, "verified": False, "name": None}
    assert (await client.post("/api/logout", json={})).status == 403  # CSRF header required


async def test_feedback_is_stored_with_question_and_answer(gateway, rasa):
    client = await gateway(rasa.url)
    _, body = await chat(client, "Hvordan betaler jeg? Mit CPR er 010190-1234")
    message_id = body["messages"][0]["id"]
    headers = {**CSRF, "Origin": origin(client)}
    resp = await client.post("/api/feedback", json={"id": message_id, "rating": "down"}, headers=headers)
    assert resp.status == 200
    resp = await client.post("/api/feedback", json={"id": message_id, "rating": "up"}, headers=headers)
    assert resp.status == 200
    [stored] = rows(client, ChatFeedback)
    assert stored.rating == 1  # the second rating replaced the first
    assert "010190-****" in stored.question and "1234" not in stored.question
    assert stored.answer.startswith("rasa svarer:")


async def test_feedback_only_for_own_recent_answers(gateway, rasa):
    client = await gateway(rasa.url)
    _, body = await chat(client, "Hej")
    message_id = body["messages"][0]["id"]
    own_cookies = list(client.session.cookie_jar)
    client.session.cookie_jar.clear()
    await chat(client, "Hej")  # another browser: a new session and conversation
    headers = {**CSRF, "Origin": origin(client)}
    resp = await client.post("/api/feedback", json={"id": message_id, "rating": "down"}, headers=headers)
    assert resp.status == 404
    client.session.cookie_jar.clear()
    for cookie in own_cookies:
        client.session.cookie_jar.update_cookies({cookie.key: cookie.value}, response_url=client.make_url("/"))
    resp = await client.post("/api/feedback", json={"id": message_id, "rating": "meh"},
                             headers={**CSRF, "Origin": origin(client)})
    assert resp.status == 400
    resp = await client.post("/api/feedback", json={"id": message_id, "rating": "down"})
    assert resp.status == 403
    assert rows(client, ChatFeedback) == []


async def test_button_click_stores_title_as_question(gateway, rasa):
    client = await gateway(rasa.url)
    headers = {**CSRF, "Origin": origin(client)}
    resp = await client.post("/api/chat", json={"message": "/faq_pay", "shown": "Betaling"}, headers=headers)
    body = await resp.json()
    assert rasa.received[0]["message"] == "/faq_pay"
    await client.post("/api/feedback", json={"id": body["messages"][0]["id"], "rating": "down"}, headers=headers)
    assert rows(client, ChatFeedback)[0].question == "Betaling"


async def test_give_up_answer_is_flagged_and_logged_as_unanswered(gateway, rasa):
    client = await gateway(rasa.url)
    rasa.mode = "empty"  # Rasa says nothing: the gateway's NO_ANSWER, a give-up
    _, body = await chat(client, "Kan I passe min kat?")
    [message] = body["messages"]
    assert message["handover"] is True and "5667 2450" in message["text"]
    [row] = rows(client, UnansweredQuestion)
    assert row.question == "Kan I passe min kat?"
    rasa.mode = "ok"
    _, body = await chat(client, "Hej")
    assert not any(m["handover"] for m in body["messages"])
    assert len(rows(client, UnansweredQuestion)) == 1


async def test_session_info_reports_expiry(gateway, rasa, clock):
    client = await gateway(rasa.url, session_idle_seconds=60)
    await chat(client, "Hej")
    assert (await (await client.get("/api/session")).json())["active"] is True
    clock.advance(61)
    info = await (await client.get("/api/session")).json()
    assert info["active"] is False
    resp, body = await chat(client, "Hej igen")
    assert body["session_expired"] is True and "udløbet" in body["messages"][0]["text"]


async def test_gateway_settings_from_environment():
    from bot.config import GatewayConfig
    from core.settings import load_settings

    settings = load_settings({"GATEWAY_SESSION_IDLE_SECONDS": "5", "GATEWAY_STAFF_IDLE_SECONDS": "7",
                              "GATEWAY_PORT": "9000"})
    config = GatewayConfig.from_settings(settings)
    assert config.session_idle_seconds == 5 and config.staff_idle_seconds == 7
    assert settings.gateway_port == 9000 and "port" not in settings.extra


def test_widget_and_console_share_texts_and_have_no_inline_code():
    from bot import texts
    from bot.app import STATIC_DIR

    js = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for shared in (texts.SESSION_EXPIRED, texts.LOGGED_OUT, texts.FEEDBACK_THANKS, texts.OFFICE_PHONE):
        assert shared in js, shared
    assert texts.LOGGED_IN.replace('"', '\\"') in js
    for needle in ("Log ind med MitID", "aria-pressed", "Dårligt svar", "/api/feedback", "tel:+4556672450"):
        assert needle in js, needle
    html = (STATIC_DIR / "staff.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\son[a-z]+=", html)
    for label_for in re.findall(r'<label for="([^"]+)"', html):
        assert f'id="{label_for}"' in html, label_for


async def test_give_up_after_a_button_click_is_not_logged_as_a_question(gateway, rasa):
    client = await gateway(rasa.url)
    rasa.mode = "empty"
    resp = await client.post("/api/chat", json={"message": "/deny", "shown": "Ingen af dem"},
                             headers={**CSRF, "Origin": origin(client)})
    assert (await resp.json())["messages"][0]["handover"] is True
    assert rows(client, UnansweredQuestion) == []


def test_give_up_markers_match_the_texts_without_a_structured_flag():
    """The gateway marks handovers by action_answer's structured flag; GIVE_UP_MARKERS remain
    for texts without one: the gateway's NO_ANSWER and the router's handover and "Mente du …?"
    texts (should a flag ever be lost)."""
    from bot import texts
    from bot.turns import is_giving_up
    from knowledge.router import replies

    assert is_giving_up(texts.NO_ANSWER)
    assert is_giving_up(replies.general_handover()) and is_giving_up(replies.DID_YOU_MEAN)
    assert not is_giving_up(replies.smalltalk("greet"))


def test_the_structured_flag_decides_the_handover_mark():
    from bot.rasa_client import parse_reply

    messages = parse_reply([{"text": "Affaldskontoret har tlf. 5667 2432."},
                            {"custom": {"answer": {"kind": "handover", "handover": True}}},
                            {"text": "Det kan jeg desværre ikke svare sikkert på."}])
    assert [m.handover for m in messages] == [True, None]
    assert parse_reply([{"text": "Hej"}, {"custom": {"answer": {"handover": False}}}])[0].handover is False
    assert parse_reply([{"text": "Hej"}, {"custom": {"other": 1}}])[0].handover is None
