"""Signed citizen identity for one conversation, and CPR masking for logs.

The gateway is the only place that knows who a citizen is (after a login, e.g. MitID). It
tells Rasa and the action server by putting a short-lived signed token in the message
metadata; actions call :func:`verify_token` and trust nothing else. The token is bound to
one conversation (claim ``cid`` = Rasa's ``sender``), so a token copied into another
conversation is worthless.

Algorithms are chosen by the settings, never by the token: HS256 with
``settings.identity_secret`` by default, RS256 with the PEM keys when
``settings.identity_algorithm == "RS256"``. A token whose header names any other algorithm
("none", HS256 when we expect RS256, ...) is rejected before its signature is looked at,
which closes the classic key-confusion attack (an HS256 token "signed" with our public key).

May be imported by ``bot/`` (issuing) and ``actions/`` (verifying); imports only settings.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional, Union

import jwt

from core.settings import DEV_IDENTITY_SECRET, Settings

ISSUER = "koege-gateway"
ALLOWED_ALGORITHMS = frozenset({"HS256", "RS256"})
LEEWAY_SECONDS = 5
MIN_SECRET_BYTES = 32
REQUIRED_CLAIMS = ("sub", "cid", "aud", "iss", "iat", "nbf", "exp", "jti")

Now = Union[float, datetime, None]


class Reason:
    """Why a token was rejected (the ``reason`` of :class:`IdentityError`)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    WRONG_ALGORITHM = "wrong_algorithm"
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_ISSUER = "wrong_issuer"
    MISSING_CLAIM = "missing_claim"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    WRONG_CONVERSATION = "wrong_conversation"
    MISCONFIGURED = "misconfigured"


class IdentityError(Exception):
    """A token could not be issued or was not accepted; ``reason`` is one of :class:`Reason`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a valid token proves: this citizen, in this conversation, until ``expires_at``."""

    citizen_ref: str
    conversation_id: str
    expires_at: datetime


# --- keys ---------------------------------------------------------------------------------


def _algorithm(settings: Settings) -> str:
    algorithm = (settings.identity_algorithm or "HS256").upper()
    if algorithm not in ALLOWED_ALGORITHMS:
        raise IdentityError(Reason.MISCONFIGURED, f"algorithm {algorithm!r} is not allowed")
    return algorithm


def _pem(value: Optional[str], what: str) -> str:
    if not value:
        raise IdentityError(Reason.MISCONFIGURED, f"RS256 needs the {what} key (PEM)")
    # Keys passed through environment variables often arrive with literal "\n".
    return value.replace("\\n", "\n")


def _secret(settings: Settings) -> str:
    secret = settings.identity_secret or ""
    if secret == DEV_IDENTITY_SECRET and not settings.demo_mode:
        raise IdentityError(
            Reason.MISCONFIGURED, "IDENTITY_SECRET is the public development value (demo mode only)"
        )
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES and not settings.demo_mode:
        raise IdentityError(
            Reason.MISCONFIGURED, f"IDENTITY_SECRET must be at least {MIN_SECRET_BYTES} bytes"
        )
    if not secret:
        raise IdentityError(Reason.MISCONFIGURED, "IDENTITY_SECRET is empty")
    return secret


def _signing_key(settings: Settings, algorithm: str) -> str:
    if algorithm == "RS256":
        return _pem(settings.identity_private_key, "private")
    return _secret(settings)


def _verification_key(settings: Settings, algorithm: str) -> str:
    if algorithm == "RS256":
        return _pem(settings.identity_public_key, "public")
    return _secret(settings)


def _timestamp(now: Now) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


# --- issuing ------------------------------------------------------------------------------


def issue_token(
    citizen_ref: str, conversation_id: str, settings: Settings, now: Now = None
) -> str:
    """A signed token saying: ``citizen_ref`` is logged in, in ``conversation_id``."""
    if not citizen_ref or not conversation_id:
        raise IdentityError(Reason.MISSING, "citizen_ref and conversation_id are required")
    algorithm = _algorithm(settings)
    issued_at = int(_timestamp(now))
    claims: Dict[str, Any] = {
        "sub": citizen_ref,
        "cid": conversation_id,
        "aud": settings.identity_audience,
        "iss": ISSUER,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + int(settings.identity_ttl_seconds),
        "jti": secrets.token_urlsafe(16),
    }
    try:
        return jwt.encode(claims, _signing_key(settings, algorithm), algorithm=algorithm)
    except (jwt.InvalidKeyError, ValueError, TypeError) as exc:
        raise IdentityError(Reason.MISCONFIGURED, "cannot sign with the configured key") from exc


# --- verifying ----------------------------------------------------------------------------


def _header_algorithm(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise IdentityError(Reason.MALFORMED, "unreadable header") from exc
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise IdentityError(Reason.MALFORMED, "header has no algorithm")
    return alg


def _decode(token: str, key: str, algorithm: str, settings: Settings) -> Dict[str, Any]:
    """Signature, audience and issuer by PyJWT; times are checked by us (injectable clock)."""
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.identity_audience,
            issuer=ISSUER,
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise IdentityError(Reason.BAD_SIGNATURE) from exc
    except jwt.InvalidAlgorithmError as exc:
        raise IdentityError(Reason.WRONG_ALGORITHM) from exc
    except jwt.InvalidAudienceError as exc:
        raise IdentityError(Reason.WRONG_AUDIENCE) from exc
    except jwt.InvalidIssuerError as exc:
        raise IdentityError(Reason.WRONG_ISSUER) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise IdentityError(Reason.MISSING_CLAIM, str(exc.claim)) from exc
    except jwt.InvalidKeyError as exc:
        raise IdentityError(Reason.MISCONFIGURED, "unusable verification key") from exc
    except jwt.InvalidTokenError as exc:  # DecodeError and anything else PyJWT dislikes
        raise IdentityError(Reason.MALFORMED, type(exc).__name__) from exc


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise IdentityError(Reason.MALFORMED, f"claim {name} is not a number")
    return float(value)


def _check_times(claims: Mapping[str, Any], now: float) -> float:
    expires = _number(claims, "exp")
    if now >= expires + LEEWAY_SECONDS:
        raise IdentityError(Reason.EXPIRED)
    for name in ("nbf", "iat"):
        if _number(claims, name) > now + LEEWAY_SECONDS:
            raise IdentityError(Reason.NOT_YET_VALID, name)
    return expires


def verify_token(
    token: Optional[str], conversation_id: str, settings: Settings, now: Now = None
) -> VerifiedIdentity:
    """Accept ``token`` only if we signed it, for this audience, now, and this conversation.

    Raises :class:`IdentityError` with the reason otherwise.
    """
    if not token or not isinstance(token, str):
        raise IdentityError(Reason.MISSING)
    algorithm = _algorithm(settings)
    if _header_algorithm(token) != algorithm:
        # "none", or HS256 while we verify RS256 (key confusion), or anything unexpected.
        raise IdentityError(Reason.WRONG_ALGORITHM)
    claims = _decode(token, _verification_key(settings, algorithm), algorithm, settings)
    expires = _check_times(claims, _timestamp(now))
    subject, cid = claims.get("sub"), claims.get("cid")
    if not isinstance(subject, str) or not subject or not isinstance(cid, str):
        raise IdentityError(Reason.MALFORMED, "sub/cid must be strings")
    if not conversation_id or not hmac.compare_digest(
        cid.encode("utf-8"), str(conversation_id).encode("utf-8")
    ):
        raise IdentityError(Reason.WRONG_CONVERSATION)
    return VerifiedIdentity(
        citizen_ref=subject,
        conversation_id=cid,
        expires_at=datetime.fromtimestamp(expires, tz=timezone.utc),
    )


# --- CPR masking --------------------------------------------------------------------------

# DDMMYY, then an optional dash (also en dash or one space, as people type it), then XXXX.
# Only date-shaped numbers (day 01-31, month 01-12) that are not part of a longer digit run.
_CPR_DATE = r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}"
_CPR = re.compile(rf"(?<!\d)({_CPR_DATE})[-\u2013 ]?\d{{4}}(?!\d)")


def mask_cpr(text: Optional[str]) -> str:
    """Replace every CPR-like number with ``DDMMYY-****`` (for logs and stored text)."""
    if not text:
        return text or ""
    return _CPR.sub(lambda m: f"{m.group(1)}-****", str(text))


# A CPR-like number as typed, or as mask_cpr left it ("010203-****": the gateway masks every
# message before Rasa sees it).
_CPR_OR_MASKED = rf"(?<!\d){_CPR_DATE}(?:[-\u2013 ]?\d{{4}}(?!\d)|-\*{{4}})"
CPR_LIKE = re.compile(_CPR_OR_MASKED)
# The number with the words that introduce it: "mit cpr-nr. er 010203-1234", "personnummer:
# 0102031234", "cpr 010203 1234". What is left is the question around it, if any.
_CPR_PHRASE = re.compile(
    r"(?:\b(?:her\s+er\s+)?(?:mit|min)\s+)?"
    r"(?:\b(?:cpr|person)(?:[-\s]?(?:nummer|nummeret|nr))?\.?\s*(?:er|=|:)?\s*)?"
    + _CPR_OR_MASKED,
    re.IGNORECASE,
)


def contains_cpr(text: Optional[str]) -> bool:
    """Does the text hold a CPR-like number, typed or already masked?"""
    return bool(text) and CPR_LIKE.search(str(text)) is not None


def strip_cpr(text: Optional[str]) -> str:
    """The text without its CPR-like numbers and the words that introduce them ("mit cpr er
    …"), so that what the citizen asked can be answered without the number taking part."""
    if not text:
        return ""
    stripped = _CPR_PHRASE.sub(" ", str(text))
    return re.sub(r"\s+", " ", stripped).strip(" ,.;:-\u2013")
