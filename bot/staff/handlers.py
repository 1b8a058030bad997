"""Routes of the staff console (all JSON under ``/staff/api/``, the page at ``/staff``).

Every handler but login needs a live staff session; the audit view needs the supervisor
role. Unsafe requests pass the same CSRF check as the chat API (``bot.security``).

A citizen look-up (by CPR number, betalings-id or name) needs a reason with at least
``MIN_REASON_CHARS`` letters or digits, and writes its audit row - who, how they searched,
for what, why, what came of it - before it returns any personal data: first
:func:`bot.citizens.find` (who matches, nothing shown), then the row, then the data. Several
citizens of one name give a choice list (name, masked CPR), itself audited; choosing one
repeats the search with the chosen ``ref``, so only a citizen the search found can be
opened. The CPR number travels back only masked.
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

from aiohttp import web

from bot import citizens, store
from bot.rasa_client import RasaUnavailable
from bot.security import client_ip, is_https, json_error
from bot.staff.auth import STAFF_COOKIE, StaffSession, needs_rehash, verify_password, hash_password
from bot.state import CONFIG, DB, LIMITER, RASA, SEARCH, SETTINGS, STAFF_SESSIONS
from bot.texts import TECHNICAL_ERROR

log = logging.getLogger(__name__)

STATIC_PAGE = "staff.html"
PREVIEW_CHANNEL = "koege-staff-preview"
MIN_REASON_CHARS = 5

ERR_LOGIN = "Forkert brugernavn eller adgangskode."
ERR_NOT_LOGGED_IN = "Du er ikke logget ind."
ERR_EXPIRED = "Du er blevet logget ud, fordi du har været inaktiv for længe. Log ind igen."
ERR_SUPERVISOR = "Kun supervisorer kan se revisionsloggen."
ERR_CPR = "Skriv et CPR-nummer med 10 cifre (DDMMÅÅ-XXXX)."
ERR_REASON = ("Skriv en begrundelse for opslaget med mindst 5 bogstaver eller tal, fx sagsnummer eller "
              "opkaldets emne. Punktummer, streger og mellemrum tæller ikke.")
ERR_QUERY = {
    "cpr": ERR_CPR,
    "payment_id": "Skriv betalings-ID'et med 15 cifre eller hele linjen fra indbetalingskortet, der begynder med +71<.",
    "payment_id_check": "Betalings-ID'et passer ikke – kontrolcifferet stemmer ikke. Læs cifrene op for borgeren igen.",
    "name": "Skriv mindst 2 bogstaver af borgerens navn.",
    "kind": "Vælg, om du vil søge på CPR-nummer, betalings-ID eller navn.",
}
ERR_CHOICE = "Borgeren er ikke længere blandt søgeresultaterne. Søg igen."
KIND_DA = {"cpr": "CPR-nummer", "payment_id": "Betalings-ID", "name": "Navn"}
OUTCOME_DA = {"found": "Fundet", "not_found": "Ikke fundet", "several": "Flere fundet – liste vist",
              "too_many": "For mange fundet – intet vist"}
ERR_DB = "Databasen svarer ikke. Prøv igen om lidt."
ERR_RATE = "For mange forsøg. Vent et minut, og prøv igen."

Handler = Callable[[web.Request, StaffSession], Awaitable[web.StreamResponse]]


async def _json(request: web.Request) -> Dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _str(data: Dict[str, Any], key: str, limit: int = 2000) -> str:
    value = data.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def staff_only(supervisor: bool = False) -> Callable[[Handler], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    def wrap(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def inner(request: web.Request) -> web.StreamResponse:
            session, expired = await request.app[STAFF_SESSIONS].lookup(request.cookies.get(STAFF_COOKIE))
            if session is None:
                resp = web.json_response(
                    {"error": ERR_EXPIRED if expired else ERR_NOT_LOGGED_IN, "expired": expired}, status=401
                )
                if expired:
                    resp.del_cookie(STAFF_COOKIE, path="/staff")
                return resp
            if supervisor and not session.is_supervisor:
                return json_error(403, ERR_SUPERVISOR)
            return await handler(request, session)

        return inner

    return wrap


def _db(request: web.Request):
    factory = request.app.get(DB)
    if factory is None:
        raise web.HTTPServiceUnavailable(text=ERR_DB)
    return factory


async def page(request: web.Request) -> web.FileResponse:
    from bot.app import STATIC_DIR

    return web.FileResponse(STATIC_DIR / STATIC_PAGE, headers={"Cache-Control": "no-cache"})


async def login(request: web.Request) -> web.Response:
    data = await _json(request)
    username, password = _str(data, "username", 64), data.get("password")
    # Per account at this IP (a colleague's typo does not lock the office out), under a
    # per-IP ceiling (bot/ratelimit.py).
    allowed, _ = await request.app[LIMITER].check_login(client_ip(request), username)
    if not allowed:
        return json_error(429, ERR_RATE)
    if not isinstance(password, str) or not username or len(password) > 1024:
        return json_error(401, ERR_LOGIN)
    factory = _db(request)
    account = await store.run(store.get_staff, factory, username)
    ok = await store.run(verify_password, account.password_hash if account else None, password)
    if not ok or account is None or not account.active:
        log.info("staff login failed for %r", username)
        return json_error(401, ERR_LOGIN)
    if needs_rehash(account.password_hash):
        await store.run(store.set_password_hash, factory, username, hash_password(password))
    value, session = await request.app[STAFF_SESSIONS].login(account.username, account.role)
    log.info("staff login %s (%s)", account.username, account.role)
    resp = web.json_response(_me(request, session))
    resp.set_cookie(
        STAFF_COOKIE, value, path="/staff", httponly=True, samesite="Strict", secure=is_https(request),
        max_age=request.app[CONFIG].staff_absolute_seconds,
    )
    return resp


async def logout(request: web.Request) -> web.Response:
    await request.app[STAFF_SESSIONS].logout(request.cookies.get(STAFF_COOKIE))
    resp = web.json_response({"ok": True})
    resp.del_cookie(STAFF_COOKIE, path="/staff")
    return resp


def _me(request: web.Request, session: StaffSession) -> Dict[str, Any]:
    config = request.app[CONFIG]
    return {
        "username": session.username,
        "role": session.role,
        "idle_seconds": config.staff_idle_seconds,
        "absolute_seconds": config.staff_absolute_seconds,
    }


@staff_only()
async def me(request: web.Request, session: StaffSession) -> web.Response:
    return web.json_response(_me(request, session))


@staff_only()
async def search(request: web.Request, session: StaffSession) -> web.Response:
    query = request.query.get("q", "")[:200]
    started = time.perf_counter()
    results = request.app[SEARCH].search(query)
    ms = (time.perf_counter() - started) * 1000
    return web.json_response({"query": query, "results": [d.to_json() for d in results], "ms": round(ms, 2)})


def reason_ok(reason: str) -> bool:
    """A reason says something: at least ``MIN_REASON_CHARS`` letters or digits ("....." or
    "- - -" do not)."""
    return sum(ch.isalnum() for ch in reason) >= MIN_REASON_CHARS


@staff_only()
async def citizen(request: web.Request, session: StaffSession) -> web.Response:
    """``{"kind": "cpr"|"payment_id"|"name", "query": …, "reason": …, "ref"?: …}`` (the
    older ``{"cpr": …, "reason": …}`` is a CPR look-up)."""
    data = await _json(request)
    kind = _str(data, "kind", 16) or "cpr"
    text = _str(data, "query", 200) or (_str(data, "cpr", 20) if kind == "cpr" else "")
    reason = _str(data, "reason", 500)
    chosen = _str(data, "ref", 64)
    value, problem = citizens.parse_query(kind, text)
    if problem:
        return json_error(400, ERR_QUERY[problem])
    if not reason_ok(reason):
        return json_error(400, ERR_REASON)
    factory = _db(request)
    matches = await store.run(citizens.find, factory, kind, value)  # nothing shown yet
    if chosen:
        matches = [m for m in matches if m.ref == chosen]
        if not matches:
            return json_error(409, ERR_CHOICE)
    searched = citizens.mask(value) if kind == "cpr" else value
    if len(matches) == 1:
        outcome, ref, cpr_masked = "found", matches[0].ref, citizens.mask(matches[0].cpr)
    else:
        too_many = len(matches) > citizens.MAX_NAME_MATCHES
        outcome = "not_found" if not matches else ("too_many" if too_many else "several")
        ref, cpr_masked = None, citizens.mask(value) if kind == "cpr" else citizens.mask("")
    # The audit row first: if it cannot be written, the request fails and nothing is shown.
    await store.run(store.audit_lookup, factory, session.username, cpr_masked, ref, reason, kind, searched, outcome)
    log.info("staff %s looked up by %s: %s", session.username, kind, outcome)
    body: Dict[str, Any] = {"found": False, "kind": kind, "outcome": outcome, "citizen": None,
                            "cpr_masked": cpr_masked, "matches": []}
    if outcome == "found":
        body["citizen"] = await store.run(citizens.view, factory, ref)
        body["found"] = body["citizen"] is not None
    elif outcome == "several":
        body["matches"] = [citizens.match_json(m) for m in matches]
    elif outcome == "too_many":
        body["more_than"] = citizens.MAX_NAME_MATCHES
    return web.json_response(body)


def audit_json(row: store.AuditRow, names: Dict[str, str]) -> Dict[str, Any]:
    """One audit row for the supervisors' view: Danish labels and local time next to the codes."""
    return {
        "at": row.at.isoformat(timespec="seconds"),
        "at_local": citizens.danish_datetime(row.at),
        "staff": row.staff_username,
        "staff_name": names.get(row.staff_username, row.staff_username),
        "kind": row.search_kind,
        "kind_label": KIND_DA.get(row.search_kind, row.search_kind),
        "search_text": row.search_text or row.cpr_masked,
        "citizen_ref": row.citizen_ref,
        "cpr_masked": row.cpr_masked,
        "reason": row.reason,
        "outcome": row.outcome,
        "outcome_label": OUTCOME_DA.get(row.outcome, row.outcome),
    }


@staff_only(supervisor=True)
async def audit(request: web.Request, session: StaffSession) -> web.Response:
    factory = _db(request)
    rows = await store.run(store.audit_rows, factory)
    names = await store.run(store.display_names, factory)
    return web.json_response({"rows": [audit_json(r, names) for r in rows]})


@staff_only()
async def preview(request: web.Request, session: StaffSession) -> web.Response:
    """What the bot would answer: a throwaway conversation with no identity at all."""
    question = _str(await _json(request), "question", request.app[CONFIG].max_message_chars)
    if not question:
        return json_error(400, "Skriv et spørgsmål.")
    sender = f"staff-preview-{secrets.token_urlsafe(12)}"
    try:
        replies = await request.app[RASA].send(sender, question, {"channel": PREVIEW_CHANNEL})
    except RasaUnavailable:
        return web.json_response({"messages": [{"text": TECHNICAL_ERROR, "buttons": []}]})
    return web.json_response({"messages": [m.to_json() for m in replies]})


def _tracker_report(database_url: str) -> Optional[List[Dict[str, Any]]]:
    """Unanswered questions grouped from Rasa's SQL tracker store by
    :func:`scripts.report_unanswered.collect` (None when that module is absent). The store is
    where Rasa writes it: ``TRACKER_STORE_URL`` or Rasa's ``TRACKER_DB_*`` variables
    (production), else the app database ``database_url``; empty with the in-memory store."""
    try:
        report = importlib.import_module("scripts.report_unanswered")
    except ImportError:
        return None
    url = report.tracker_store_url(env={**os.environ, "DATABASE_URL": database_url})
    return [item.as_dict() for item in report.collect(url)[:200]]


@staff_only()
async def content(request: web.Request, session: StaffSession) -> web.Response:
    """For editors: what the gateway saw the bot give up on, the tracker-store report, and
    answers citizens rated thumbs down (with their question)."""
    factory = _db(request)
    seen = await store.run(store.unanswered, factory)
    down = await store.run(store.thumbs_down, factory)
    try:
        grouped = await store.run(_tracker_report, request.app[SETTINGS].database_url)
    except Exception as exc:  # noqa: BLE001 - the editors still get the gateway's view
        log.warning("report_unanswered failed: %s", type(exc).__name__)
        grouped = None

    def rows(items: List[store.ContentRow]) -> List[Dict[str, str]]:
        return [{"at": r.at.isoformat(timespec="seconds"), "question": r.question, "answer": r.answer} for r in items]

    return web.json_response({"unanswered": rows(seen), "thumbs_down": rows(down), "tracker_report": grouped})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/staff", page)
    app.router.add_post("/staff/api/login", login)
    app.router.add_post("/staff/api/logout", logout)
    app.router.add_get("/staff/api/me", me)
    app.router.add_get("/staff/api/search", search)
    app.router.add_post("/staff/api/citizen", citizen)
    app.router.add_get("/staff/api/audit", audit)
    app.router.add_post("/staff/api/preview", preview)
    app.router.add_get("/staff/api/content", content)
