"""Staff passwords (argon2id) and staff login sessions behind an opaque cookie.

Staff sessions are separate from citizens' chat sessions: cookie ``koege_staff`` (HttpOnly,
SameSite=Strict, Path=/staff, Secure over HTTPS), 15 minutes idle and 10 hours in all by
default (``GatewayConfig.staff_idle_seconds`` / ``staff_absolute_seconds``). The store keeps
a SHA-256 of the cookie value, one process's memory; a restart logs everyone out.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from typing import Callable, Dict, Optional, Tuple

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


class StaffSessions:
    """Logged-in staff by cookie; ``lookup`` returns ``(session, expired)``."""

    def __init__(self, clock: Callable[[], float], idle_seconds: int, absolute_seconds: int) -> None:
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self._data: Dict[str, StaffSession] = {}

    @staticmethod
    def _key(value: str) -> str:
        return hashlib.sha256(value.encode("ascii")).hexdigest()

    def _alive(self, s: StaffSession, now: float) -> bool:
        return now - s.last_seen < self.idle_seconds and now - s.created_at < self.absolute_seconds

    def login(self, username: str, role: str) -> Tuple[str, StaffSession]:
        now = self.clock()
        self._sweep(now)
        value = secrets.token_urlsafe(32)
        session = StaffSession(username, role, now, now, secrets.token_urlsafe(16))
        self._data[self._key(value)] = session
        return value, session

    def lookup(self, value: Optional[str], touch: bool = True) -> Tuple[Optional[StaffSession], bool]:
        if not value or not _COOKIE_VALUE.match(value):
            return None, False
        key, now = self._key(value), self.clock()
        session = self._data.get(key)
        if session is None:
            return None, True  # a cookie we no longer know: logged out by expiry or restart
        if not self._alive(session, now):
            del self._data[key]
            return None, True
        if touch:
            session = replace(session, last_seen=now)
            self._data[key] = session
        return session, False

    def logout(self, value: Optional[str]) -> None:
        if value and _COOKIE_VALUE.match(value):
            self._data.pop(self._key(value), None)

    def _sweep(self, now: float) -> None:
        for key in [k for k, s in self._data.items() if not self._alive(s, now)]:
            del self._data[key]
