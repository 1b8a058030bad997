"""Staff passwords (argon2id) and staff login sessions behind an opaque cookie.

Staff sessions are separate from citizens' chat sessions: cookie ``koege_staff`` (HttpOnly,
SameSite=Strict, Path=/staff, Secure over HTTPS), 15 minutes idle and 10 hours in all by
default (``GatewayConfig.staff_idle_seconds`` / ``staff_absolute_seconds``). The store keeps
a SHA-256 of the cookie value: one process's memory (:class:`MemoryStaffStore`; a restart
logs everyone out), or Redis with ``REDIS_URL`` (:class:`bot.redis_state.RedisStaffStore`,
shared by several gateways, surviving a gateway restart).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from typing import Callable, Dict, Optional, Protocol, Tuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

STAFF_COOKIE = "koege_staff"
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MIN_PASSWORD_CHARS = 12

_HASHER = PasswordHasher()  # argon2id with argon2-cffi's (RFC 9106 low-memory) defaults
# Verified against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    return _HASHER.hash(password)


def verify_password(password_hash: Optional[str], password: str) -> bool:
    """Constant-effort check (a missing account still costs one argon2 verification)."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class StaffSession:
    username: str
    role: str
    created_at: float
    last_seen: float
    csrf: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


class StaffStore(Protocol):
    """Where staff sessions live, by the SHA-256 of their cookie value."""

    async def get(self, key: str) -> Optional[StaffSession]: ...

    async def put(self, key: str, session: StaffSession, ttl_seconds: int) -> None: ...

    async def delete(self, key: str) -> None: ...


class MemoryStaffStore:
    """Staff sessions in this process's memory (a few dozen staff: a dict is enough)."""

    def __init__(self) -> None:
        self._data: Dict[str, StaffSession] = {}

    async def get(self, key: str) -> Optional[StaffSession]:
        return self._data.get(key)

    async def put(self, key: str, session: StaffSession, ttl_seconds: int) -> None:
        self._data[key] = session

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def sweep(self, is_alive: Callable[[StaffSession], bool]) -> None:
        for key in [k for k, s in self._data.items() if not is_alive(s)]:
            del self._data[key]

    def __len__(self) -> int:
        return len(self._data)


class StaffSessions:
    """Logged-in staff by cookie; ``lookup`` returns ``(session, expired)``."""

    def __init__(
        self,
        clock: Callable[[], float],
        idle_seconds: int,
        absolute_seconds: int,
        store: Optional[StaffStore] = None,
    ) -> None:
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.store: StaffStore = store if store is not None else MemoryStaffStore()

    @staticmethod
    def _key(value: str) -> str:
        return hashlib.sha256(value.encode("ascii")).hexdigest()

    def _alive(self, s: StaffSession, now: float) -> bool:
        return now - s.last_seen < self.idle_seconds and now - s.created_at < self.absolute_seconds

    async def login(self, username: str, role: str) -> Tuple[str, StaffSession]:
        now = self.clock()
        sweep = getattr(self.store, "sweep", None)
        if sweep is not None:
            sweep(lambda s: self._alive(s, now))
        value = secrets.token_urlsafe(32)
        session = StaffSession(username, role, now, now, secrets.token_urlsafe(16))
        await self.store.put(self._key(value), session, self.idle_seconds)
        return value, session

    async def lookup(self, value: Optional[str], touch: bool = True) -> Tuple[Optional[StaffSession], bool]:
        if not value or not _COOKIE_VALUE.match(value):
            return None, False
        key, now = self._key(value), self.clock()
        session = await self.store.get(key)
        if session is None:
            return None, True  # a cookie we no longer know: logged out by expiry or restart
        if not self._alive(session, now):
            await self.store.delete(key)
            return None, True
        if touch:
            session = replace(session, last_seen=now)
            await self.store.put(key, session, self.idle_seconds)
        return session, False

    async def logout(self, value: Optional[str]) -> None:
        if value and _COOKIE_VALUE.match(value):
            await self.store.delete(self._key(value))
