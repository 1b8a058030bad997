"""Signed identity tokens (core.identity): every way a token must be refused, and CPR masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import datetime, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.identity import (
    ISSUER,
    IdentityError,
    Reason,
    VerifiedIdentity,
    issue_token,
    mask_cpr,
    verify_token,
)
from core.settings import load_settings

SECRET = "test-secret-that-is-long-enough-for-hs256-and-even-hs512-0123456789abcdef"
T0 = 1_700_000_000  # a fixed "now"
CID = "web-conversation-1"


@pytest.fixture
def settings():
    return load_settings({"IDENTITY_SECRET": SECRET, "IDENTITY_TTL_SECONDS": "300"})


@pytest.fixture(scope="module")
def rsa_keys():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


@pytest.fixture
def rs_settings(rsa_keys):
    private, public = rsa_keys
    return load_settings(
        {
            "IDENTITY_ALGORITHM": "RS256",
            "IDENTITY_PRIVATE_KEY": private,
            "IDENTITY_PUBLIC_KEY": public,
        }
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict, claims: dict, signature: bytes = b"") -> str:
    """A JWT put together by hand, as an attacker would (PyJWT refuses some of these)."""
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    return f"{head}.{body}.{b64(signature)}"


def good_claims(**overrides) -> dict:
    claims = {
        "sub": "citizen-42",
        "cid": CID,
        "aud": "koege-billing-bot",
        "iss": ISSUER,
        "iat": T0,
        "nbf": T0,
        "exp": T0 + 300,
        "jti": "abc",
    }
    claims.update(overrides)
    return claims


def reason_of(token, settings, cid=CID, now=T0 + 1) -> str:
    with pytest.raises(IdentityError) as info:
        verify_token(token, cid, settings, now=now)
    return info.value.reason


# --- the happy paths ------------------------------------------------------------------------


def test_hs256_round_trip(settings):
    token = issue_token("citizen-42", CID, settings, now=T0)
    identity = verify_token(token, CID, settings, now=T0 + 10)
    assert identity == VerifiedIdentity(
        "citizen-42", CID, datetime.fromtimestamp(T0 + 300, tz=timezone.utc)
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == "koege-gateway" and claims["aud"] == "koege-billing-bot"
    assert claims["exp"] - claims["iat"] == 300 and claims["jti"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_every_token_has_its_own_jti(settings):
    a = jwt.decode(issue_token("c", CID, settings, now=T0), options={"verify_signature": False})
    b = jwt.decode(issue_token("c", CID, settings, now=T0), options={"verify_signature": False})
    assert a["jti"] != b["jti"]


def test_rs256_round_trip(rs_settings):
    token = issue_token("citizen-7", CID, rs_settings, now=T0)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert verify_token(token, CID, rs_settings, now=T0 + 1).citizen_ref == "citizen-7"


def test_rs256_keys_with_escaped_newlines(rsa_keys):
    private, public = rsa_keys
    settings = load_settings(
        {
            "IDENTITY_ALGORITHM": "RS256",
            "IDENTITY_PRIVATE_KEY": private.replace("\n", "\\n"),
            "IDENTITY_PUBLIC_KEY": public.replace("\n", "\\n"),
        }
    )
    token = issue_token("citizen-7", CID, settings, now=T0)
    assert verify_token(token, CID, settings, now=T0).citizen_ref == "citizen-7"


# --- each rejection reason ------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, ""])
def test_missing(settings, token):
    assert reason_of(token, settings) == Reason.MISSING


@pytest.mark.parametrize("token", ["abc", "a.b.c", "not a jwt at all", "e30.e30"])
def test_malformed(settings, token):
    assert reason_of(token, settings) == Reason.MALFORMED


def test_alg_none_rejected(settings):
    token = handmade({"alg": "none", "typ": "JWT"}, good_claims())
    assert reason_of(token, settings) == Reason.WRONG_ALGORITHM
    token = handmade({"alg": "None", "typ": "JWT"}, good_claims())
    assert reason_of(token, settings) == Reason.WRONG_ALGORITHM


def test_other_algorithm_with_right_secret_rejected(settings):
    token = jwt.encode(good_claims(), SECRET, algorithm="HS512")
    assert reason_of(token, settings) == Reason.WRONG_ALGORITHM


def test_key_confusion_hs256_signed_with_public_key_rejected(rs_settings, rsa_keys):
    """The classic attack: take our RS public key, use it as an HMAC secret, sign HS256."""
    _, public = rsa_keys
    header = {"alg": "HS256", "typ": "JWT"}
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(good_claims(sub="attacker")).encode())
    for secret in (public, public.strip()):
        mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        forged = f"{head}.{body}.{b64(mac)}"
        assert reason_of(forged, rs_settings) == Reason.WRONG_ALGORITHM


def test_rs256_token_not_accepted_by_hs256_verifier(rs_settings, settings):
    token = issue_token("citizen-7", CID, rs_settings, now=T0)
    assert reason_of(token, settings) == Reason.WRONG_ALGORITHM


def test_bad_signature(settings):
    forged = jwt.encode(good_claims(), "another-secret-that-is-long-enough-too-0123", algorithm="HS256")
    assert reason_of(forged, settings) == Reason.BAD_SIGNATURE


def test_tampered_claims_break_signature(settings):
    token = issue_token("citizen-42", CID, settings, now=T0)
    head, _, sig = token.split(".")
    body = b64(json.dumps(good_claims(sub="someone-else")).encode())
    assert reason_of(f"{head}.{body}.{sig}", settings) == Reason.BAD_SIGNATURE


def test_bad_signature_rs256(rs_settings):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(good_claims(), other, algorithm="RS256")
    assert reason_of(forged, rs_settings) == Reason.BAD_SIGNATURE


def test_wrong_audience(settings):
    token = issue_token("citizen-42", CID, replace(settings, identity_audience="other-app"), now=T0)
    assert reason_of(token, settings) == Reason.WRONG_AUDIENCE


def test_wrong_issuer(settings):
    token = jwt.encode(good_claims(iss="someone-else"), SECRET, algorithm="HS256")
    assert reason_of(token, settings) == Reason.WRONG_ISSUER


@pytest.mark.parametrize("claim", ["sub", "cid", "exp", "jti", "aud", "iat"])
def test_missing_claim(settings, claim):
    claims = good_claims()
    del claims[claim]
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert reason_of(token, settings) == Reason.MISSING_CLAIM


def test_expired(settings):
    token = issue_token("citizen-42", CID, settings, now=T0)
    assert verify_token(token, CID, settings, now=T0 + 299)
    assert reason_of(token, settings, now=T0 + 300 + 60) == Reason.EXPIRED


def test_not_yet_valid(settings):
    token = issue_token("citizen-42", CID, settings, now=T0 + 3600)
    assert reason_of(token, settings, now=T0) == Reason.NOT_YET_VALID


def test_accepts_datetime_now(settings):
    token = issue_token("c", CID, settings, now=datetime.fromtimestamp(T0, tz=timezone.utc))
    assert verify_token(token, CID, settings, now=datetime.fromtimestamp(T0 + 5, tz=timezone.utc))


def test_token_replayed_into_another_conversation(settings):
    token = issue_token("citizen-42", CID, settings, now=T0)
    assert reason_of(token, settings, cid="web-another-conversation") == Reason.WRONG_CONVERSATION
    assert reason_of(token, settings, cid="") == Reason.WRONG_CONVERSATION


def signed_by_hand(claims: dict) -> str:
    """HS256 with the right secret, but claims PyJWT's encoder would not let us write."""
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


@pytest.mark.parametrize("claims", [good_claims(sub=42), good_claims(cid=7), good_claims(exp="soon")])
def test_wrongly_typed_claims_rejected(settings, claims):
    assert reason_of(signed_by_hand(claims), settings) == Reason.MALFORMED


# --- configuration -----------------------------------------------------------------------


def test_unknown_algorithm_setting_refused(settings):
    bad = replace(settings, identity_algorithm="none")
    with pytest.raises(IdentityError) as info:
        issue_token("c", CID, bad, now=T0)
    assert info.value.reason == Reason.MISCONFIGURED


def test_rs256_without_keys_refused(settings):
    bad = replace(settings, identity_algorithm="RS256")
    with pytest.raises(IdentityError) as info:
        issue_token("c", CID, bad, now=T0)
    assert info.value.reason == Reason.MISCONFIGURED


def test_short_secret_refused_outside_demo_mode(settings):
    production = replace(settings, identity_secret="short", demo_mode=False)
    with pytest.raises(IdentityError) as info:
        issue_token("c", CID, production, now=T0)
    assert info.value.reason == Reason.MISCONFIGURED


# --- CPR masking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("010190-1234", "010190-****"),
        ("0101901234", "010190-****"),
        ("Mit CPR er 311299-4321, tak", "Mit CPR er 311299-****, tak"),
        ("cpr:0101901234.", "cpr:010190-****."),
        ("010190 1234", "010190-****"),
        ("010190\u20131234", "010190-****"),
        ("to numre 010190-1234 og 020291-5678", "to numre 010190-**** og 020291-****"),
        ("linje 1\n2512851234", "linje 1\n251285-****"),
    ],
)
def test_mask_cpr(text, expected):
    assert mask_cpr(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ring på tlf. 5667 2450",
        "+71 <000000001234567+85036000<",  # FI payment line: a longer digit run
        "12345678901",  # 11 digits
        "01019-1234",  # too short
        "Beløb 1.070,00 kr.",
        "991399-1234",  # not a date (month 13)
        "",
    ],
)
def test_mask_cpr_leaves_other_numbers(text):
    assert mask_cpr(text) == text


def test_mask_cpr_none():
    assert mask_cpr(None) == ""


@pytest.mark.parametrize("text, rest", [
    ("mit cpr er 010203-1234", ""),
    ("Her er mit CPR-nr. 010203 1234. hvad skylder jeg?", "hvad skylder jeg?"),
    ("cpr 0102031234, hvad koster et pas", "hvad koster et pas"),
    ("mit personnummer er 010203-****", ""),  # as the gateway masked it
    ("mit cpr-nummer: 311299-0001 og hvad med min rykker", "og hvad med min rykker"),
])
def test_strip_cpr_removes_the_number_and_the_words_introducing_it(text, rest):
    from core.identity import contains_cpr, strip_cpr

    assert contains_cpr(text)
    assert strip_cpr(text) == rest


@pytest.mark.parametrize("text", [
    "hvad koster en cpr oplysning", "ring på 5667 2450", "betalings-id +71 123456789012345",
    "kunde nr 12345678901", "991299-1234",  # day 99 is no date
])
def test_no_cpr_no_change(text):
    from core.identity import contains_cpr, strip_cpr

    assert not contains_cpr(text)
    assert strip_cpr(text) == text
