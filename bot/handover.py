"""The login hand-over of the embedded widget: from the bot's own page into the partitioned session.

Embedded on another site, the widget's session cookie is ``Partitioned`` (CHIPS): the browser
keeps it in a cookie jar of its own for (bot, embedding site). The login, however, happens on the
bot's own page at top level, whose cookies live in another jar, so the embedded session never
sees it. The hand-over bridges the two without a third-party cookie:

1. The widget makes a random nonce, keeps it in the host page's ``sessionStorage`` and puts its
   SHA-256 (hex) in the login link (``h=``).
2. After a successful login with an allowed ``next`` the gateway stores a one-time code bound to
   the citizen, to that hash and to the top-level session, and returns to the embedding page with
   ``#koege-login=<code>`` (a fragment: never sent to a server, never in a Referer).
3. The widget takes the code out of the address bar at once (``history.replaceState``) and POSTs
   code and nonce to ``/api/login/handover`` (CSRF header, CORS for the embed origins). The
   gateway takes the code (single use, also when the nonce is wrong), checks its age
   (:data:`CODE_SECONDS`) and the nonce and upgrades the *calling* session to the identity under
   a new cookie value (:meth:`SessionManager.verify_identity`). The login page's session is ended
   by :func:`confirm`, when that new cookie first comes back (``GET /api/session``): then a logout
   in the widget leaves no logged-in session behind, and a browser that did not keep the new
   cookie is still logged in on the bot's own page, as the widget then tells the citizen.

A code in someone else's hands is useless without the nonce, which never leaves the browser tab
that opened the login until it is presented with the code. Codes live in memory
(:class:`MemoryHandoverCodes`) or, with ``REDIS_URL``, in Redis
(:class:`bot.redis_state.RedisHandoverCodes`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Optional, Protocol

from aiohttp import web

from bot import texts
from bot.security import client_ip, cross_site_cookie, is_https, json_error
from bot.sessions import Session, TooManyNewSessions, cookie_of, set_cookie
from bot.state import CLOCK, CONFIG, LIMITER, SESSIONS

log = logging.getLogger(__name__)

CODE_SECONDS = 60
FRAGMENT = "koege-login"
HANDOVER_PATH = "/api/login/handover"
NONCE_HASH = re.compile(r"^[0-9a-f]{64}$")
_CODE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")

HANDOVER = web.AppKey("handover_codes", object)


@dataclass(frozen=True)
class Grant:
    """What a code stands for (kept server-side; only the code travels)."""

    citizen_ref: str
    citizen_name: Optional[str]
    nonce_hash: str
    issued_at: float
    login_session_key: Optional[str] = None  # the top-level session of the login, ended on use


class HandoverCodes(Protocol):
    async def put(self, code: str, grant: Grant, ttl_seconds: int) -> None: ...

    async def take(self, code: str) -> Optional[Grant]:
        """The grant of ``code``, removed in the same step (a second take gets None)."""
        ...


class MemoryHandoverCodes:
    """Codes in one process's memory; at most ``max_codes`` (the oldest go first)."""

    def __init__(self, max_codes: int = 10_000) -> None:
        self._codes: "OrderedDict[str, Grant]" = OrderedDict()
        self._max = max(1, max_codes)

    async def put(self, code: str, grant: Grant, ttl_seconds: int) -> None:
        while len(self._codes) >= self._max:
            self._codes.popitem(last=False)
        self._codes[_key(code)] = grant

    async def take(self, code: str) -> Optional[Grant]:
        return self._codes.pop(_key(code), None)

    def __len__(self) -> int:
        return len(self._codes)


def _key(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def nonce_hash(value: object) -> Optional[str]:
    """The widget's ``h`` parameter when well-formed (64 lower-case hex digits), else None."""
    return value if isinstance(value, str) and NONCE_HASH.match(value) else None


async def issue(request: web.Request, citizen_ref: str, citizen_name: Optional[str], hashed: str,
                login_session_key: Optional[str]) -> str:
    """A new one-time code for this login (see the module docstring)."""
    code = secrets.token_urlsafe(24)
    grant = Grant(citizen_ref, citizen_name, hashed, request.app[CLOCK](), login_session_key)
    await request.app[HANDOVER].put(code, grant, CODE_SECONDS)
    return code


async def handover(request: web.Request) -> web.Response:
    """``POST /api/login/handover`` ``{"code", "nonce"}``: log the calling session in."""
    limiter, ip = request.app[LIMITER], client_ip(request)
    allowed, retry = await limiter.check_ip(ip)
    if not allowed:
        return json_error(429, texts.ERROR_NEW_SESSIONS, headers={"Retry-After": str(max(1, int(retry + 0.999)))})
    try:
        body = await request.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    nonce = body.get("nonce") if isinstance(body, dict) else None
    if not isinstance(code, str) or not _CODE.match(code) or not isinstance(nonce, str) or not _NONCE.match(nonce):
        return json_error(400, texts.ERROR_HANDOVER)
    grant = await request.app[HANDOVER].take(code)  # gone now, whatever follows
    if grant is None:
        return json_error(403, texts.ERROR_HANDOVER)
    age = request.app[CLOCK]() - grant.issued_at
    presented = hashlib.sha256(nonce.encode("ascii")).hexdigest()
    if not 0 <= age < CODE_SECONDS or not hmac.compare_digest(presented, grant.nonce_hash):
        log.info("refused login hand-over: %s", "expired" if not 0 <= age < CODE_SECONDS else "wrong nonce")
        return json_error(403, texts.ERROR_HANDOVER)
    sessions = request.app[SESSIONS]
    try:
        upgraded = await sessions.verify_identity(
            cookie_of(request), grant.citizen_ref, grant.citizen_name,
            may_create=lambda: limiter.check_new_session(ip),
        )
    except TooManyNewSessions as refused:
        return json_error(429, texts.ERROR_NEW_SESSIONS,
                          headers={"Retry-After": str(max(1, int(refused.retry_after + 0.999)))})
    if grant.login_session_key and grant.login_session_key != upgraded.session.key:
        await sessions.store.put(replace(upgraded.session, ends_session=grant.login_session_key))
    log.info("login hand-over as %s", grant.citizen_ref)
    response = web.json_response({"verified": True, "name": grant.citizen_name})
    set_cookie(response, upgraded, secure=is_https(request), max_age=request.app[CONFIG].session_absolute_seconds,
               cross_site=cross_site_cookie(request))
    return response


async def confirm(request: web.Request, session: Session) -> Session:
    """The cookie of a handed-over session came back: end the login page's session now."""
    if not session.ends_session:
        return session
    store = request.app[SESSIONS].store
    await store.delete(session.ends_session)
    kept = replace(session, ends_session=None)
    await store.put(kept)
    return kept


def add_routes(app: web.Application) -> None:
    app.router.add_post(HANDOVER_PATH, handover)
