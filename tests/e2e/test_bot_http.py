"""End-to-end: ask the running bot over real HTTP, through Rasa's REST channel and the gateway."""

from __future__ import annotations

import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def rasa_turn(stack, message: str, sender: str | None = None) -> list[dict]:
    resp = requests.post(
        f"{stack['rasa']}/webhooks/rest/webhook",
        json={"sender": sender or f"e2e-{uuid.uuid4().hex}", "message": message},
        timeout=60,
    )
    resp.raise_for_status()
    return resp.json()


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def gateway_turn(session: requests.Session, stack, message: str) -> dict:
    resp = session.post(
        f"{stack['gateway']}/api/chat",
        json={"message": message},
        headers={"X-Requested-With": "koege-chat", "Origin": stack["gateway"]},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_greeting_is_danish(stack):
    reply = texts(rasa_turn(stack, "Hej"))
    assert "automatiske assistent" in reply
    assert "Hvad kan jeg hjælpe med?" in reply


def test_renovation_issuer_through_rasa(stack):
    reply = texts(rasa_turn(stack, "Hvem sender regningen for renovation?"))
    assert "Affaldskontoret" in reply
    assert "5667 2432" in reply


def test_renovation_issuer_through_gateway(stack):
    with requests.Session() as session:
        page = session.get(f"{stack['gateway']}/", timeout=10)
        assert page.status_code == 200
        assert "/static/widget.js" in page.text
        body = gateway_turn(session, stack, "Hvem sender regningen for renovation?")
    reply = "\n".join(m["text"] for m in body["messages"])
    assert "Affaldskontoret" in reply and "5667 2432" in reply
