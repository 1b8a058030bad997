"""``POST /api/chat``: one citizen message in, the bot's messages out.

Request: ``application/json`` ``{"message": "<text or a button payload>", "shown": "<button
title>"}`` (other fields are ignored), at most 16 kB. Response (HTTP 200): ``{"messages":
[{"id", "text", "buttons": [{"title", "payload"}], "handover": bool}], "answer": {"id",
"personal": bool, "sources": [{"label", "href"}]}, "session_expired": bool}``; ``id`` names a
message (or, in ``answer``, all messages of the turn together) for ``POST /api/feedback``, and
``handover`` marks a fallback/handover answer (logged as unanswered, shown with the phone
number). ``answer.personal`` says the answer was given to a logged-in citizen (it may hold
their balance, claims or payment ids: the widget forgets it at logout and expiry);
``answer.sources`` are the turn's "Kilde: …" lines with a link to the passage
(:mod:`bot.passages`). Input problems are 4xx with ``{"error": "<Danish>"}``; Rasa trouble is
never an error status, only the Danish apology.

The conversation id (Rasa's ``sender``) and the metadata sent to Rasa come from the
server-side session, never from the request. A verified citizen (after a login) is passed
on as a short-lived signed token bound to the conversation (:mod:`core.identity`).
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from typing import Any, Dict, List, Tuple

from aiohttp import web

from bot import texts
from bot.rasa_client import BotMessage, RasaUnavailable
from bot.security import client_ip, cross_site_cookie, is_https, json_error
from bot.sessions import Resolved, Session, TooManyNewSessions, cookie_of, set_cookie
from bot import passages, store
from bot.state import CLOCK, CONFIG, DB, LIMITER, RASA, SESSIONS, SETTINGS, SOURCES, TURNS
from bot.turns import is_giving_up
from core.identity import IdentityError, issue_token, mask_cpr

log = logging.getLogger(__name__)

CHANNEL = "koege-widget"
# Bidirectional overrides/isolates: invisible, and used to disguise text in logs and consoles.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MANY_NEWLINES = re.compile(r"\n{3,}")


class InputError(Exception):
    """The request cannot be read as a chat message; ``status`` and Danish ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def clean_text(raw: str) -> str:
    """NFC-normalise, drop control characters (keeping newlines) and trim."""
    text = unicodedata.normalize("NFC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\t", " ")
    kept = [
        ch
        for ch in text
        if ch == "\n"
        or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BIDI_CONTROLS)
    ]
    return _MANY_NEWLINES.sub("\n\n", "".join(kept)).strip()


async def read_json(request: web.Request, max_bytes: int) -> Dict[str, Any]:
    """The JSON object of a small API request, or :class:`InputError`."""
    if request.content_type != "application/json":
        raise InputError(415, texts.ERROR_CONTENT_TYPE)
    if request.content_length is not None and request.content_length > max_bytes:
        raise InputError(413, texts.ERROR_TOO_LARGE)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise InputError(413, texts.ERROR_TOO_LARGE) from None
    if len(body) > max_bytes:
        raise InputError(413, texts.ERROR_TOO_LARGE)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(400, texts.ERROR_INVALID_JSON) from None
    if not isinstance(data, dict):
        raise InputError(400, texts.ERROR_INVALID_JSON)
    return data


async def read_message(request: web.Request, max_bytes: int) -> Tuple[str, str]:
    """The cleaned ``message`` of a chat request and what the citizen saw (the button title
    for a payload, else the message), or :class:`InputError`."""
    data = await read_json(request, max_bytes)
    message = data.get("message")
    if not isinstance(message, str):
        raise InputError(400, texts.ERROR_WRONG_TYPE)
    text = clean_text(message)
    shown = data.get("shown")
    if text.startswith("/") and isinstance(shown, str) and clean_text(shown):
        return text, clean_text(shown)[:200]
    return text, text


def rasa_metadata(request: web.Request, session: Session) -> Dict[str, Any]:
    """What Rasa may know besides the text: the channel and, if verified, a signed identity."""
    metadata: Dict[str, Any] = {"channel": CHANNEL}
    if session.is_verified and session.citizen_ref:
        try:
            metadata["identity_token"] = issue_token(
                session.citizen_ref,
                session.conversation_id,
                request.app[SETTINGS],
                now=request.app[CLOCK](),
            )
        except IdentityError as exc:  # misconfigured keys: answer as if not logged in
            log.error("cannot issue identity token: %s", exc.reason)
    return metadata


async def ask_rasa(request: web.Request, session: Session, text: str) -> List[BotMessage]:
    started = time.monotonic()
    try:
        replies = await request.app[RASA].send(
            session.conversation_id, text, rasa_metadata(request, session)
        )
    except RasaUnavailable as exc:
        log.warning("Rasa unavailable for conversation %s…: %s", session.conversation_id[:10], exc)
        return [BotMessage(texts.TECHNICAL_ERROR)]
    log.info(
        "turn conversation=%s… chars=%d replies=%d ms=%d",
        session.conversation_id[:10],
        len(text),
        len(replies),
        (time.monotonic() - started) * 1000,
    )
    log.debug("turn text %r", mask_cpr(text))
    return replies or [BotMessage(texts.NO_ANSWER)]


async def answer(request: web.Request, session: Session, text: str) -> List[BotMessage]:
    if not text:
        return [BotMessage(texts.EMPTY_MESSAGE)]
    limit = request.app[CONFIG].max_message_chars
    if len(text) > limit:
        return [BotMessage(texts.too_long(limit))]
    return await ask_rasa(request, session, text)


def _rate_limited(retry_after: float, message: str = texts.ERROR_RATE_LIMITED) -> web.Response:
    return json_error(429, message, headers={"Retry-After": str(max(1, int(retry_after + 0.999)))})


def _finish(request: web.Request, response: web.Response, resolved: Resolved) -> web.Response:
    if resolved.is_new:
        max_age = request.app[CONFIG].session_absolute_seconds
        set_cookie(response, resolved, secure=is_https(request), max_age=max_age,
                   cross_site=cross_site_cookie(request))
    return response


async def chat_handler(request: web.Request) -> web.Response:
    """Limits, in this order: a new session needs the IP's new-session budget; then the
    session's own budget; then the IP's (generous) ceiling, so that one busy citizen behind
    a shared NAT uses up only their own budget, not their neighbours'."""
    app = request.app
    limiter, ip = app[LIMITER], client_ip(request)
    try:
        text, shown = await read_message(request, app[CONFIG].max_body_bytes)
    except InputError as exc:
        return json_error(exc.status, exc.message)
    try:
        resolved = await app[SESSIONS].resolve(cookie_of(request), lambda: limiter.check_new_session(ip))
    except TooManyNewSessions as exc:
        return _rate_limited(exc.retry_after, texts.ERROR_NEW_SESSIONS)
    allowed, retry = await limiter.check_session(resolved.session.key)
    if allowed:
        allowed, retry = await limiter.check_ip(ip)
    if not allowed:
        return _finish(request, _rate_limited(retry), resolved)
    messages = await answer(request, resolved.session, text)
    rendered = await _render(request, resolved.session, shown, messages, typed=not text.startswith("/"))
    whole = await _whole_answer(request, resolved.session, shown, rendered)
    if resolved.expired:
        notice = {**BotMessage(texts.SESSION_EXPIRED).to_json(), "id": None, "handover": False}
        rendered.insert(0, notice)
    body = {"messages": rendered, "answer": whole, "session_expired": resolved.expired}
    return _finish(request, web.json_response(body), resolved)


async def _render(
    request: web.Request, session: Session, question: str, messages: List[BotMessage], typed: bool = True
) -> List[Dict[str, Any]]:
    """Messages as JSON with an ``id`` (for feedback) and a ``handover`` flag; a give-up
    answer to a typed question (not a button click) is stored as unanswered for editors."""
    turns = request.app[TURNS]
    rendered: List[Dict[str, Any]] = []
    gave_up = ""
    for message in messages:
        handover = message.handover if message.handover is not None else is_giving_up(message.text)
        if handover and not gave_up:
            gave_up = message.text
        message_id = await turns.remember(session.conversation_id, question, message.text)
        rendered.append({**message.to_json(), "id": message_id, "handover": handover})
    factory = request.app.get(DB)
    if gave_up and typed and question and factory is not None:
        try:
            await store.run(store.save_unanswered, factory, question, gave_up)
        except Exception as exc:  # noqa: BLE001 - the citizen still gets the answer
            log.warning("cannot store unanswered question: %s", type(exc).__name__)
    return rendered


async def _whole_answer(
    request: web.Request, session: Session, question: str, rendered: List[Dict[str, Any]]
) -> Dict[str, Any]:
    """The turn's messages as one answer: one id to rate it by (the whole text is stored with
    a rating), whether it is personal (given while the citizen was logged in: account answers
    name balances, claims and payment ids) and its source links."""
    text = "\n\n".join(m["text"] for m in rendered if m.get("text"))
    app = request.app
    return {
        "id": await app[TURNS].remember(session.conversation_id, question, text),
        "personal": session.is_verified,
        "sources": passages.links(app.get(SOURCES), text, passages.public_pages(app[CONFIG].source_pages)),
    }


async def feedback_handler(request: web.Request) -> web.Response:
    """``POST /api/feedback`` ``{"id": "<message id>", "rating": "up" | "down"}``."""
    app = request.app
    allowed, retry = await app[LIMITER].check_ip(client_ip(request))
    if not allowed:
        return _rate_limited(retry)
    try:
        data = await read_json(request, 1024)
    except InputError as exc:
        return json_error(exc.status, exc.message)
    rating = {"up": 1, "down": -1}.get(str(data.get("rating")))
    if rating is None:
        return json_error(400, texts.ERROR_BAD_RATING)
    session = await app[SESSIONS].peek(cookie_of(request))
    message_id = data.get("id")
    turn = (
        await app[TURNS].get(message_id, session.conversation_id)
        if session is not None and isinstance(message_id, str)
        else None
    )
    if turn is None:
        return json_error(404, texts.ERROR_UNKNOWN_MESSAGE)
    factory = app.get(DB)
    if factory is None:
        return json_error(503, texts.ERROR_INTERNAL)
    await store.run(store.save_feedback, factory, message_id, rating, turn.question, turn.answer)
    return web.json_response({"ok": True, "text": texts.FEEDBACK_THANKS})
