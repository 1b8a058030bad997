"""Server-side chat sessions behind an opaque cookie.

The browser holds only ``koege_session``: a random id (``secrets.token_urlsafe``) that
means nothing by itself. The server keeps, per session, a separate random conversation id
(Rasa's ``sender``), the creation and last-seen times and, after a login, the verified
citizen reference. Sessions end after 30 minutes idle or 8 hours in total; a request with
an ended (or unknown) session gets a fresh session and conversation, and is told so.

The store is keyed by a SHA-256 of the cookie value, so a dump of the store does not hand
out live cookies. :class:`SessionStore` is the interface; :class:`MemorySessionStore` is
the single-process implementation and :class:`bot.redis_state.RedisSessionStore` the one
several gateways share (``REDIS_URL``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Awaitable, Callable, Optional, Protocol, Tuple

from http.cookies import Morsel

from aiohttp import hdrs, web

COOKIE_NAME = "koege_session"
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

Clock = Callable[[], float]
# Asked before a new session is created: ``(allowed, seconds until allowed)`` (a rate limit).
MayCreate = Callable[[], Awaitable[Tuple[bool, float]]]


class TooManyNewSessions(Exception):
    """A new session was needed but the creation budget (per client IP) is spent."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"new session refused; retry in {retry_after:.1f} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    """One browser's chat session (never sent to the browser, only its id is)."""

    key: str
    conversation_id: str
    created_at: float
    last_seen: float
    citizen_ref: Optional[str] = None
    citizen_name: Optional[str] = None
    # Embedded login hand-over (bot/handover.py): the login page's session, ended as soon as this
    # session's cookie comes back (so the browser did keep it).
    ends_session: Optional[str] = None

    @property
    def is_verified(self) -> bool:
        return bool(self.citizen_ref)


@dataclass(frozen=True)
class Resolved:
    """The outcome of looking a request's cookie up."""

    session: Session
    cookie_value: str
    is_new: bool
    expired: bool


class SessionStore(Protocol):
    """Where sessions live. Implementations must be safe for one event loop."""

    async def get(self, key: str) -> Optional[Session]: ...

    async def put(self, session: Session) -> None: ...

    async def delete(self, key: str) -> None: ...


class MemorySessionStore:
    """Sessions in one process's memory, in least-recently-seen order.

    Two ordered dicts (anonymous and verified sessions), each kept in last-seen order (a
    touch moves a session to the end), so every operation is O(1): at the cap the least
    recently seen *anonymous* session goes first, and a logged-in citizen is dropped only
    when no anonymous session is left. Expired sessions are swept from the old end.
    """

    def __init__(self, max_sessions: int = 100_000) -> None:
        self._anonymous: "OrderedDict[str, Session]" = OrderedDict()
        self._verified: "OrderedDict[str, Session]" = OrderedDict()
        self._max = max(1, max_sessions)
        self.evicted = 0

    def _bucket(self, session: Session) -> "OrderedDict[str, Session]":
        return self._verified if session.is_verified else self._anonymous

    async def get(self, key: str) -> Optional[Session]:
        return self._anonymous.get(key) or self._verified.get(key)

    async def put(self, session: Session) -> None:
        bucket = self._bucket(session)
        other = self._anonymous if bucket is self._verified else self._verified
        other.pop(session.key, None)
        if session.key in bucket:
            bucket[session.key] = session
            bucket.move_to_end(session.key)
            return
        if len(self) >= self._max:
            # Full: drop the least recently seen session (anonymous before logged-in ones)
            # rather than refuse service.
            (self._anonymous or self._verified).popitem(last=False)
            self.evicted += 1
        bucket[session.key] = session

    async def delete(self, key: str) -> None:
        self._anonymous.pop(key, None)
        self._verified.pop(key, None)

    def sweep(self, is_alive: Callable[[Session], bool]) -> int:
        """Drop ended sessions from the least recently seen end (stops at the first live
        one; a session past its absolute limit further in is refused on ``get`` anyway)."""
        dropped = 0
        for bucket in (self._anonymous, self._verified):
            while bucket:
                oldest = next(iter(bucket.values()))
                if is_alive(oldest):
                    break
                bucket.popitem(last=False)
                dropped += 1
        return dropped

    def __len__(self) -> int:
        return len(self._anonymous) + len(self._verified)


def session_key(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode("ascii")).hexdigest()


class SessionManager:
    """Finds, creates, expires and (after a login) upgrades sessions."""

    SWEEP_EVERY_SECONDS = 60.0

    def __init__(
        self,
        store: SessionStore,
        clock: Clock,
        idle_seconds: int = 30 * 60,
        absolute_seconds: int = 8 * 60 * 60,
    ) -> None:
        self.store = store
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self._last_sweep = clock()

    def is_alive(self, session: Session, now: Optional[float] = None) -> bool:
        now = self.clock() if now is None else now
        return (
            now - session.last_seen < self.idle_seconds
            and now - session.created_at < self.absolute_seconds
        )

    async def resolve(self, cookie_value: Optional[str], may_create: Optional[MayCreate] = None) -> Resolved:
        """The live session for ``cookie_value``, or a new one (``expired`` if it had one).

        Only requests that need a conversation call this (a chat turn, a login); pages and
        the widget's status use :meth:`peek`. ``may_create`` is asked before a session is
        created and :class:`TooManyNewSessions` raised when it says no."""
        now = self.clock()
        self._maybe_sweep(now)
        if cookie_value and _COOKIE_VALUE.match(cookie_value):
            key = session_key(cookie_value)
            found = await self.store.get(key)
            if found is not None and self.is_alive(found, now):
                touched = replace(found, last_seen=now)
                await self.store.put(touched)
                return Resolved(touched, cookie_value, is_new=False, expired=False)
            if found is not None:
                await self.store.delete(key)
        # A cookie we cannot honour (ended, swept, from before a restart, or forged) means
        # the browser had a conversation that is gone: start afresh and say so.
        had_cookie = bool(cookie_value)
        if may_create is not None:
            allowed, retry_after = await may_create()
            if not allowed:
                raise TooManyNewSessions(retry_after)
        session, value = await self._create(now)
        return Resolved(session, value, is_new=True, expired=had_cookie)

    async def verify_identity(
        self,
        cookie_value: Optional[str],
        citizen_ref: str,
        citizen_name: Optional[str] = None,
        may_create: Optional[MayCreate] = None,
    ) -> Resolved:
        """Hook for the coming login: mark the session verified under a *new* cookie value
        (so a session id planted before the login is useless afterwards). The conversation
        continues; the caller sets the returned cookie."""
        current = await self.resolve(cookie_value, may_create)
        await self.store.delete(current.session.key)
        value = secrets.token_urlsafe(32)
        upgraded = replace(
            current.session, key=session_key(value), citizen_ref=citizen_ref, citizen_name=citizen_name
        )
        await self.store.put(upgraded)
        return Resolved(upgraded, value, is_new=True, expired=current.expired)

    async def peek(self, cookie_value: Optional[str]) -> Optional[Session]:
        """The live session for ``cookie_value`` without touching or creating one."""
        if not cookie_value or not _COOKIE_VALUE.match(cookie_value):
            return None
        found = await self.store.get(session_key(cookie_value))
        return found if found is not None and self.is_alive(found) else None

    async def end(self, cookie_value: Optional[str]) -> None:
        """Forget a session (logout)."""
        if cookie_value and _COOKIE_VALUE.match(cookie_value):
            await self.store.delete(session_key(cookie_value))

    async def _create(self, now: float) -> tuple[Session, str]:
        value = secrets.token_urlsafe(32)
        session = Session(
            key=session_key(value),
            conversation_id=f"web-{secrets.token_urlsafe(18)}",
            created_at=now,
            last_seen=now,
        )
        await self.store.put(session)
        return session, value

    def _maybe_sweep(self, now: float) -> None:
        if now - self._last_sweep < self.SWEEP_EVERY_SECONDS:
            return
        self._last_sweep = now
        sweep = getattr(self.store, "sweep", None)
        if sweep is not None:
            sweep(lambda s: self.is_alive(s, now))


def set_cookie(
    response: web.StreamResponse, resolved: Resolved, secure: bool, max_age: int, cross_site: bool = False
) -> None:
    """Send the session cookie: HttpOnly, Path=/, Secure over HTTPS, SameSite=Strict; with
    ``cross_site`` (the widget is embedded on other sites, ``bot.security.cross_site_cookie``)
    and over HTTPS ``SameSite=None; Secure; Partitioned`` instead, so the embedding page's
    requests carry it. ``Partitioned`` (CHIPS) keeps it in a jar of its own per embedding site,
    which browsers that block third-party cookies still allow (Chromium >= 114, Firefox).
    Browsers refuse ``SameSite=None`` without ``Secure``, so plain HTTP always gets Strict."""
    if cross_site and secure:
        _set_partitioned(response, resolved.cookie_value, max_age=max_age)
        return
    response.set_cookie(
        COOKIE_NAME,
        resolved.cookie_value,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=secure,
        max_age=max_age,
    )


def delete_cookie(response: web.StreamResponse, cross_site: bool) -> None:
    """Delete the session cookie; a partitioned cookie only goes with the same attributes."""
    if cross_site:
        _set_partitioned(response, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT")
    else:
        response.del_cookie(COOKIE_NAME, path="/")


def _set_partitioned(response: web.StreamResponse, value: str, max_age: int, expires: Optional[str] = None) -> None:
    """``Set-Cookie`` with ``SameSite=None; Secure; Partitioned``, written by hand: aiohttp's
    ``set_cookie(partitioned=True)`` needs Python 3.14's ``http.cookies`` (a CookieError before)."""
    morsel: "Morsel[str]" = Morsel()
    morsel.set(COOKIE_NAME, value, value or '""')  # our values are URL-safe base64: nothing to quote
    morsel.update({"path": "/", "httponly": True, "secure": True, "samesite": "None", "max-age": str(max_age)})
    if expires:
        morsel["expires"] = expires
    response.headers.add(hdrs.SET_COOKIE, morsel.OutputString() + "; Partitioned")


def cookie_of(request: web.Request) -> Optional[str]:
    return request.cookies.get(COOKIE_NAME)
