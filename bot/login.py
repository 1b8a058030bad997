"""Citizen login ("Log ind med MitID") and the widget's view of its own session.

In demo mode (``KOEGE_DEMO_MODE``, the default) ``GET /login`` is a demo login page that
lists the fictitious demo citizens of the ledger (:mod:`bot.citizens`); choosing one marks the chat
session verified under a new cookie value and returns to the page the widget lives on.
Without demo mode the page says MitID is not configured: a real MitID broker (OIDC) goes
here, ending in the same :meth:`SessionManager.verify_identity` call.

Showing the login page creates no server-side state: the form is protected by a token
bound to a short-lived random nonce in the ``koege_login`` cookie (HMAC of the nonce, Path
/login, HttpOnly, SameSite=Strict, 15 minutes) and by an Origin check. The chat session is
created (or upgraded) only by a successful login, under the per-IP budget for new sessions.

JSON for the widget: ``GET /api/session`` (logged in? as whom?) and ``POST /api/logout``.

Embedded on another site (``ALLOWED_EMBED_ORIGINS``) the widget's login link carries
``next`` = the embedding page and ``h`` = the hash of a nonce of the widget's. The login returns
there only when that address is an http(s) page on exactly one of those origins
(:func:`return_address`, rebuilt from its parts); anything else returns to the gateway's own page
(with ``login=1``), so there is no open redirect. The return to the embedding page carries a
one-time code in the fragment (``#koege-login=<code>``), which the widget exchanges for a login of
its own (partitioned) session: :mod:`bot.handover`.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import re
import secrets
from typing import Optional
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot import citizens, handover, store, texts
from bot.pages import html_page
from bot.config import ConfigError, normalise_origin
from bot.security import client_ip, cross_site_cookie, is_https, origin_allowed
from bot.sessions import Resolved, TooManyNewSessions, cookie_of, delete_cookie, set_cookie
from bot.state import CLOCK, CONFIG, DB, LIMITER, SESSIONS, SETTINGS

log = logging.getLogger(__name__)

RETURN_TO = "/"
LOGIN_DONE = "login=1"  # on the gateway's own page: the widget opens and greets the citizen
MAX_RETURN_CHARS = 2000
FORM_COOKIE = "koege_login"
FORM_SECONDS = 15 * 60
_NONCE = re.compile(r"^([0-9]{1,12})\.([A-Za-z0-9_-]{20,64})$")


def form_token(request: web.Request, nonce: str) -> str:
    secret = request.app[SETTINGS].identity_secret.encode("utf-8")
    return hmac.new(secret, f"login|{nonce}".encode("ascii"), hashlib.sha256).hexdigest()


def _live_nonce(request: web.Request) -> Optional[str]:
    """The login form's nonce from its cookie, if well-formed and at most 15 minutes old."""
    value = request.cookies.get(FORM_COOKIE, "")
    match = _NONCE.match(value)
    if not match:
        return None
    age = request.app[CLOCK]() - int(match.group(1))
    return value if 0 <= age < FORM_SECONDS else None


def return_address(request: web.Request, value: object) -> Optional[str]:
    """``value`` (the widget's ``next``) when it is an http(s) page on one of the allowed embed
    origins, rebuilt as origin + path + query (no user name, no fragment); otherwise None."""
    allowed = request.app[CONFIG].allowed_embed_origins
    if not allowed or not isinstance(value, str) or not value or len(value) > MAX_RETURN_CHARS:
        return None
    if not value.isascii() or any(c.isspace() or c == "\\" or not c.isprintable() for c in value):
        return None  # what browsers and urlsplit might read differently
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        origin = normalise_origin(f"{parts.scheme}://{parts.netloc}")
    except (ValueError, ConfigError):
        return None
    if "@" in parts.netloc or origin not in allowed:
        return None
    return origin + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _after_login(back: Optional[str], code: Optional[str]) -> str:
    if back is None:
        return f"{RETURN_TO}?{LOGIN_DONE}"
    return back + (f"#{handover.FRAGMENT}={code}" if code else "")


def _login_again(back: Optional[str], hashed: Optional[str] = None) -> str:
    params = {"next": back, **({"h": hashed} if hashed else {})} if back else {}
    return "/login" + (f"?{urlencode(params)}" if params else "")


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return html_page(title, body, stylesheet="login.css", status=status)


def _finish(request: web.Request, response: web.StreamResponse, resolved: Resolved) -> None:
    if resolved.is_new:
        set_cookie(response, resolved, secure=is_https(request), max_age=request.app[CONFIG].session_absolute_seconds,
                   cross_site=cross_site_cookie(request))


async def login_page(request: web.Request) -> web.Response:
    if not request.app[SETTINGS].demo_mode:
        return _page("Log ind", "<h1>Log ind med MitID</h1>\n<p>Login med MitID er ikke sat op på denne server. "
                     f"Ring til Opkrævningen på tlf. {texts.OFFICE_PHONE}.</p>", status=503)
    nonce = _live_nonce(request)
    fresh = nonce is None
    if fresh:
        nonce = f"{int(request.app[CLOCK]())}.{secrets.token_urlsafe(24)}"
    token = form_token(request, nonce)
    back = return_address(request, request.query.get("next"))
    hashed = handover.nonce_hash(request.query.get("h")) if back else None
    keep = f'<input type="hidden" name="next" value="{html.escape(back)}">' if back else ""
    if hashed:
        keep += f'<input type="hidden" name="h" value="{hashed}">'
    items = []
    for c in await store.run(citizens.demo_citizens, request.app[DB]):
        note = f' <span class="login-note">({html.escape(c.note)})</span>' if c.note else ""
        items.append(
            '    <li><form method="post" action="/login/demo">'
            f'<input type="hidden" name="csrf" value="{token}">'
            f'<input type="hidden" name="citizen" value="{html.escape(c.ref)}">{keep}'
            f'<button type="submit" class="login-choice">Log ind som {html.escape(c.name)}</button>{note}'
            "</form></li>"
        )
    body = (
        "    <h1>Log ind med MitID (demo)</h1>\n"
        '    <p class="demo-note">Dette er en demo. Der bruges ikke rigtigt MitID, og alle personer herunder er '
        "opdigtede. Vælg en demoborger for at se, hvordan chatten viser din saldo efter login.</p>\n"
        '    <ul class="login-list">\n' + "\n".join(items) + "\n    </ul>\n"
        f'    <p><a href="{html.escape(back or RETURN_TO)}">Tilbage uden at logge ind</a></p>'
    )
    response = _page("Log ind med MitID (demo)", body)
    if fresh:
        response.set_cookie(FORM_COOKIE, nonce, path="/login", httponly=True, samesite="Strict",
                            secure=is_https(request), max_age=FORM_SECONDS)
    return response


async def demo_login(request: web.Request) -> web.StreamResponse:
    if not request.app[SETTINGS].demo_mode:
        raise web.HTTPNotFound()
    if not origin_allowed(request):
        raise web.HTTPForbidden(text=texts.ERROR_FORBIDDEN)
    form = await request.post()
    back = return_address(request, form.get("next"))
    hashed = handover.nonce_hash(form.get("h")) if back else None
    nonce = _live_nonce(request)
    token = form.get("csrf")
    if nonce is None or not isinstance(token, str) or not hmac.compare_digest(token, form_token(request, nonce)):
        # Too long on the login page, or a forged form: back to the login page.
        raise web.HTTPSeeOther(_login_again(back, hashed))
    citizen = await store.run(
        citizens.demo_citizen, request.app[DB], request.app[SETTINGS], str(form.get("citizen", ""))[:64]
    )
    if citizen is None:
        raise web.HTTPSeeOther(_login_again(back, hashed))
    limiter, ip = request.app[LIMITER], client_ip(request)
    try:
        upgraded = await request.app[SESSIONS].verify_identity(
            cookie_of(request), citizen.ref, citizen.name, may_create=lambda: limiter.check_new_session(ip)
        )
    except TooManyNewSessions:
        return _page("Log ind", "    <h1>Prøv igen om lidt</h1>\n"
                     f"    <p>{html.escape(texts.ERROR_NEW_SESSIONS)}</p>\n"
                     f'    <p><a href="{html.escape(_login_again(back, hashed))}">Tilbage til login</a></p>',
                     status=429)
    log.info("demo login as %s", citizen.ref)
    # Embedded: the widget's own (partitioned) session takes the identity over with this code.
    code = (await handover.issue(request, citizen.ref, citizen.name, hashed, upgraded.session.key)
            if hashed else None)
    response = web.HTTPSeeOther(_after_login(back, code))
    _finish(request, response, upgraded)
    response.del_cookie(FORM_COOKIE, path="/login")
    raise response


async def session_info(request: web.Request) -> web.Response:
    session = await request.app[SESSIONS].peek(cookie_of(request))
    if session is not None:
        session = await handover.confirm(request, session)
    config = request.app[CONFIG]
    return web.json_response({
        "active": session is not None,
        "verified": bool(session and session.is_verified),
        "name": session.citizen_name if session and session.is_verified else None,
        "demo_mode": request.app[SETTINGS].demo_mode,
        # Did the browser send a session cookie at all? An embedded widget whose browser
        # blocks third-party cookies never does: its conversation did not expire.
        "had_cookie": cookie_of(request) is not None,
        "idle_seconds": config.session_idle_seconds,
    })


async def logout(request: web.Request) -> web.Response:
    await request.app[SESSIONS].end(cookie_of(request))
    response = web.json_response({"messages": [{"text": texts.LOGGED_OUT, "buttons": []}]})
    delete_cookie(response, cross_site_cookie(request))  # with the attributes it was set with
    return response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login/demo", demo_login)
    app.router.add_get("/api/session", session_info)
    app.router.add_post("/api/logout", logout)
