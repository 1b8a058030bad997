"""Identity attacks on the personal-data actions: forged, expired, tampered, wrong-audience,
other-citizen, replayed, alg=none and conversation-binding variants (>= 200), sent

(a) over HTTP straight to a running action server (``python -m rasa_sdk``), as an attacker
    who bypasses the gateway and Rasa would, and
(b) through the action code path with rasa_sdk ``Tracker`` objects, the way Rasa passes the
    message metadata on,

asserting that no reply (text or buttons) contains a citizen's data the attacker is not
entitled to: name, CPR (any form), amounts, claim numbers, payment IDs / FI lines,
references. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set

import jwt
import pytest
import requests
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.account as account
from core import ledger
from core.identity import ISSUER, issue_token
from core.settings import load_settings
from knowledge.money import format_decimal

ROOT = Path(__file__).resolve().parents[2]
SECRET = "security-suite-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789abcdef"
AUDIENCE = "koege-billing-bot"
TTL = 300

ATTACKER = "Demo Borger 3"  # a real, logged-in citizen trying to see someone else's data
VICTIMS = ("Demo Borger 2", "Demo Borger 4", "Demo Borger 5")
ATTACKER_CID = "web-attacker-conversation"
VICTIM_CID = "web-victim-conversation"

# (action, intent, entities, slots): every action that can show personal data.
PROBES = [
    ("action_account", "my_balance", [], {}),
    ("action_account", "my_payment_id", [], {}),
    ("action_account", "my_balance", [{"entity": "account_topic", "value": "consequences"}], {}),
    ("action_account", "my_balance", [{"entity": "bill_type", "value": "ejendomsskat"}], {}),
    ("action_plan_start", "apply_instalment_plan", [{"entity": "bill_type", "value": "ejendomsskat"}], {}),
    ("action_ask_plan_claim", None, [], {}),
    ("action_ask_plan_monthly_amount", None, [], {"plan_claim": "DEMO-5-EJD"}),
    ("action_ask_plan_confirm", None, [], {"plan_claim": "DEMO-5-EJD", "plan_monthly_amount": "100.00"}),
    ("validate_instalment_plan_form", None, [], {"plan_claim": "DEMO-5-EJD"}),
    ("action_submit_instalment_plan", "affirm", [],
     {"plan_claim": "DEMO-5-EJD", "plan_monthly_amount": "100.00", "plan_confirm": "ja"}),
]


# --- token forging -------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_token(header: dict, claims: dict, key: Optional[bytes] = None, alg: str = "sha256") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(claims).encode())
    if key is None:
        return f"{head}.{body}."
    mac = hmac.new(key, f"{head}.{body}".encode(), getattr(hashlib, alg)).digest()
    return f"{head}.{body}.{b64(mac)}"


def claims_for(ref: str, cid: str, now: float, **over) -> dict:
    claims = {"sub": ref, "cid": cid, "aud": AUDIENCE, "iss": ISSUER, "iat": int(now), "nbf": int(now),
              "exp": int(now) + TTL, "jti": secrets.token_hex(8)}
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not _DROP}


_DROP = object()


@dataclass
class Variant:
    kind: str
    name: str
    token: Any  # whatever goes into metadata["identity_token"] (may be absent)
    sender: str
    extra_metadata: Dict[str, Any] = field(default_factory=dict)
    entitled: Optional[str] = None  # the citizen whose data this request may legitimately see
    include_token: bool = True


def build_variants(refs: Dict[str, str], settings) -> List[Variant]:
    now = time.time()
    victim = refs["Demo Borger 5"]
    attacker = refs[ATTACKER]
    key = SECRET.encode()
    out: List[Variant] = []

    def add(kind: str, name: str, token: Any, sender: str = VICTIM_CID, **kw: Any) -> None:
        out.append(Variant(kind, name, token, sender, **kw))

    # forged: right claims, signed with another secret (victim's own conversation id)
    for who in VICTIMS:
        for i in range(12):
            wrong = f"guess-{i}-" + secrets.token_hex(16)
            add("forged", f"wrong-secret-{who}-{i}", jwt.encode(claims_for(refs[who], VICTIM_CID, now), wrong, algorithm="HS256"))
    for i, guess in enumerate(["", "secret", "dev-only-not-a-secret-change-me", "koege", AUDIENCE, ISSUER, "changeme", "password"]):
        add("forged", f"guessable-secret-{i}", hand_token({"alg": "HS256", "typ": "JWT"}, claims_for(victim, VICTIM_CID, now), guess.encode()))
    # wrong signature: tampering with a genuine token
    genuine = issue_token(attacker, VICTIM_CID, settings)
    head, body, sig = genuine.split(".")
    for who in VICTIMS:
        forged_body = b64(json.dumps(claims_for(refs[who], VICTIM_CID, now)).encode())
        add("wrong-signature", f"swap-body-{who}", f"{head}.{forged_body}.{sig}")
        add("wrong-signature", f"swap-body-nosig-{who}", f"{head}.{forged_body}.")
        add("wrong-signature", f"swap-body-sha512-{who}", hand_token({"alg": "HS256"}, claims_for(refs[who], VICTIM_CID, now), key, "sha512"))
    for i in range(12):
        flipped = list(sig)
        flipped[i % len(flipped)] = "A" if flipped[i % len(flipped)] != "A" else "B"
        add("wrong-signature", f"flipped-sig-{i}", f"{head}.{body}.{''.join(flipped)}")
    for i, junk in enumerate(["", "x", sig[:-2], sig + "AA", sig[::-1], b64(b"\x00" * 32), b64(os.urandom(32)), b64(os.urandom(64))]):
        add("wrong-signature", f"junk-sig-{i}", f"{head}.{body}.{junk}")
    # wrong audience (correct secret)
    for i, aud in enumerate(["other-app", "", "koege-billing-bot ", "KOEGE-BILLING-BOT", "koege-staff", ["other-app"], [], "*", None, 42]):
        claims = claims_for(victim, VICTIM_CID, now, aud=aud)
        add("wrong-audience", f"aud-{i}", hand_token({"alg": "HS256", "typ": "JWT"}, claims, key))
    # wrong issuer / not yet valid / missing claims / bad claim types (correct secret)
    for i, iss in enumerate(["someone-else", "", "koege-gateway-evil", None]):
        add("wrong-issuer", f"iss-{i}", hand_token({"alg": "HS256"}, claims_for(victim, VICTIM_CID, now, iss=iss), key))
    for i, delta in enumerate([120, 3600, 86400 * 365]):
        add("not-yet-valid", f"nbf+{delta}", hand_token({"alg": "HS256"}, claims_for(victim, VICTIM_CID, now, nbf=int(now) + delta, iat=int(now) + delta, exp=int(now) + delta + TTL), key))
    for claim in ("sub", "aud", "iss", "iat", "nbf", "exp", "jti"):
        add("missing-claim", f"no-{claim}", hand_token({"alg": "HS256"}, claims_for(victim, VICTIM_CID, now, **{claim: _DROP}), key))
    for i, (name, value) in enumerate([("sub", 5), ("sub", [victim]), ("sub", ""), ("exp", "never"), ("exp", 10**20), ("iat", "now")]):
        add("bad-claim-type", f"{name}-{i}", hand_token({"alg": "HS256"}, claims_for(victim, VICTIM_CID, now, **{name: value}), key))
    # expired (correct secret, correct conversation)
    for i, age in enumerate([TTL + 6, TTL + 60, 3600, 86400, 86400 * 30, 86400 * 3650]):
        add("expired", f"issued-{age}s-ago", issue_token(victim, VICTIM_CID, settings, now=now - age))
        add("expired", f"hand-exp-{age}", hand_token({"alg": "HS256"}, claims_for(victim, VICTIM_CID, now - age), key))
    # alg none and algorithm confusion
    for i, alg in enumerate(["none", "None", "NONE", "nOnE", "", None]):
        header = {"typ": "JWT"} if alg is None else {"alg": alg, "typ": "JWT"}
        add("alg-none", f"alg-{alg}-unsigned", hand_token(header, claims_for(victim, VICTIM_CID, now)))
        add("alg-none", f"alg-{alg}-hmac", hand_token(header, claims_for(victim, VICTIM_CID, now), key))
    for alg in ("HS384", "HS512"):
        add("alg-confusion", f"{alg}-right-secret", jwt.encode(claims_for(victim, VICTIM_CID, now), SECRET, algorithm=alg))
    for alg in ("RS256", "ES256", "PS256", "EdDSA"):
        add("alg-confusion", f"{alg}-header-hmac", hand_token({"alg": alg}, claims_for(victim, VICTIM_CID, now), key))
    add("alg-confusion", "jwk-embedded", hand_token({"alg": "HS256", "jwk": {"kty": "oct", "k": b64(b"attacker")}}, claims_for(victim, VICTIM_CID, now), b"attacker"))
    add("alg-confusion", "kid-injection", hand_token({"alg": "HS256", "kid": "../../dev/null"}, claims_for(victim, VICTIM_CID, now), b""))
    # missing conversation binding (correct secret)
    for i, cid in enumerate([_DROP, "", None, "*", ["web-victim-conversation"], {"any": True}, VICTIM_CID.upper(), VICTIM_CID + " ", " " + VICTIM_CID, VICTIM_CID + "\x00"]):
        claims = claims_for(victim, VICTIM_CID, now)
        if cid is _DROP:
            del claims["cid"]
        else:
            claims["cid"] = cid
        add("missing-conversation-binding", f"cid-{i}", hand_token({"alg": "HS256"}, claims, key))
    for i, sender in enumerate(["", " ", "default", "*"]):
        add("missing-conversation-binding", f"sender-{i}", issue_token(victim, VICTIM_CID, settings), sender=sender)
    # replayed: the victim's genuine, unexpired token used in another conversation
    victim_tokens = [issue_token(refs[who], VICTIM_CID, settings) for who in VICTIMS]
    for i, token in enumerate(victim_tokens):
        for j, sender in enumerate([ATTACKER_CID, "web-new-session", f"web-{secrets.token_hex(6)}", "rest-channel-user", "cli"]):
            add("replayed", f"victim-{i}-into-{j}", token, sender=sender)
        # and after it expired, in the victim's own conversation
        add("replayed", f"victim-{i}-after-expiry", issue_token(refs[VICTIMS[i]], VICTIM_CID, settings, now=now - TTL - 10))
    # other citizen: the attacker is genuinely logged in (own token, own conversation) and tries
    # to reach victims via metadata, slots (PROBES use victim claim numbers) and entities
    own = issue_token(attacker, ATTACKER_CID, settings)
    for who in VICTIMS:
        for i, extra in enumerate([
            {"citizen_ref": refs[who]}, {"sub": refs[who]}, {"cpr": "0101000005"}, {"identity": {"citizen_ref": refs[who]}},
            {"identity_token_2": issue_token(refs[who], ATTACKER_CID, load_settings({"IDENTITY_SECRET": "other-" + SECRET}))},
            {"citizen_ref": refs[who], "verified": True, "channel": "koege-widget"},
        ]):
            add("other-citizen", f"own-token-plus-{who}-{i}", own, sender=ATTACKER_CID, extra_metadata=extra, entitled=ATTACKER)
    # the attacker's genuine token in the victim's conversation
    add("other-citizen", "own-token-in-victim-conversation", issue_token(attacker, ATTACKER_CID, settings), sender=VICTIM_CID)
    # a token for the victim but with the attacker's conversation, sent in the victim's
    for who in VICTIMS:
        add("other-citizen", f"token-for-{who}-other-cid", hand_token({"alg": "HS256"}, claims_for(refs[who], ATTACKER_CID, now), b"wrong"), sender=VICTIM_CID)
    # no / not-a-string tokens, identity outside the token
    for i, value in enumerate([None, 0, 1, True, [], {}, ["a.b.c"], {"token": genuine}, 12345, "null", "undefined", "Bearer " + genuine, genuine + " ", " " + genuine, "a" * 20000, "ä.ö.å"]):
        add("malformed", f"token-{i}", value)
    for i, extra in enumerate([{"citizen_ref": victim}, {"cpr": "010100-0005"}, {"user": {"ref": victim}}, {"session_started_metadata": {"identity_token": genuine}}]):
        add("no-token", f"metadata-only-{i}", None, extra_metadata=extra, include_token=False)
    return out


# --- leak detection ---------------------------------------------------------------------------------


def markers_of(ledger_db, name: str) -> Set[str]:
    """Strings that identify one citizen's data in a reply."""
    ref = ledger_db.refs[name]
    ov = ledger.overview(ledger_db.factory, ref)
    cpr = next(c.cpr for c in ledger.demo_citizens(factory=ledger_db.factory) if c.ref == ref)
    found = {name, ref, cpr, f"{cpr[:6]}-{cpr[6:]}"}
    for claim in ov.claims:
        found |= {claim.claim_no, claim.description}
        if claim.payment_id:
            found |= {claim.payment_id, claim.fi_line}
        for value in (claim.amount, claim.outstanding, claim.total):
            found.add(format_decimal(value, 2))
    return found


GENERIC = {"250,00", "100,00", "450,00", "0,00"}


def leaks(reply: str, variant: Variant, ledger_db, all_markers: Dict[str, Set[str]]) -> List[str]:
    allowed = all_markers.get(variant.entitled, set()) if variant.entitled else set()
    problems = []
    for name, markers in all_markers.items():
        if name == variant.entitled:
            continue
        for marker in markers - allowed - GENERIC:
            if marker and marker in reply:
                problems.append(f"{name}: {marker!r}")
    if "0101000" in reply or "010100-" in reply:
        problems.append("CPR")
    return problems


def render(messages: List[Dict[str, Any]]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def request_parts(variant: Variant, probe) -> tuple:
    action, intent, entities, slots = probe
    metadata = dict(variant.extra_metadata)
    if variant.include_token:
        metadata["identity_token"] = variant.token
    latest = {
        "text": "vis mine regninger",
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities,
        "metadata": metadata,
    }
    events = [{"event": "user", "text": latest["text"], "parse_data": latest, "metadata": metadata}]
    active = {"name": "instalment_plan_form"} if action.startswith(("action_ask", "validate")) else {}
    return action, latest, events, dict(slots), active


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture
def attack_settings():
    return load_settings({"IDENTITY_SECRET": SECRET, "IDENTITY_TTL_SECONDS": str(TTL)})


@pytest.fixture
def world(ledger_db, attack_settings):
    variants = build_variants(ledger_db.refs, attack_settings)
    markers = {name: markers_of(ledger_db, name) for name in ledger_db.refs}
    return ledger_db, variants, markers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def action_server(ledger_db, tmp_path) -> Iterator[str]:
    port = _free_port()
    log_path = tmp_path / "action-server.log"
    log_file = open(log_path, "wb")
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "DATABASE_URL": ledger_db.url, "IDENTITY_SECRET": SECRET,
           "IDENTITY_TTL_SECONDS": str(TTL), "PYTHONPATH": str(ROOT), "ACTION_SERVER_SANIC_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"action server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(f"{url}/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("action server did not start in 90 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_file.close()
        # the server's own log must not carry CPR numbers or tokens either
        logged = log_path.read_text(errors="replace")
        assert "0101000" not in logged and "eyJ" not in logged


DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


# --- the tests ---------------------------------------------------------------------------------------


def test_there_are_enough_variants_of_every_kind(world):
    _, variants, _ = world
    kinds = {v.kind for v in variants}
    assert len(variants) >= 200, len(variants)
    assert {"forged", "expired", "wrong-signature", "wrong-audience", "other-citizen", "replayed", "alg-none",
            "missing-conversation-binding"} <= kinds


async def test_code_path_leaks_nothing(world, monkeypatch, attack_settings):
    ledger_db, variants, markers = world
    monkeypatch.setattr(account, "ledger_factory", lambda: ledger_db.factory)
    monkeypatch.setattr(account, "current_settings", lambda: attack_settings)
    registry = {cls().name(): cls for cls in (
        account.ActionAccount, account.ActionPlanStart, account.ActionAskPlanClaim,
        account.ActionAskPlanMonthlyAmount, account.ActionAskPlanConfirm,
        account.ValidateInstalmentPlanForm, account.ActionSubmitInstalmentPlan)}
    failures, calls, personal = [], 0, 0
    for variant in variants:
        for probe in PROBES:
            action, latest, events, slots, active = request_parts(variant, probe)
            tracker = Tracker(variant.sender, slots, latest, events, False, None, active, "action_listen")
            dispatcher = CollectingDispatcher()
            await registry[action]().run(dispatcher, tracker, DOMAIN)
            calls += 1
            reply = render(dispatcher.messages)
            problems = leaks(reply, variant, ledger_db, markers)
            if variant.entitled and "Demo Borger 3" in reply:
                personal += 1
            if problems:
                failures.append((variant.kind, variant.name, action, problems[:3]))
    assert not failures, f"{len(failures)} leaks in {calls} calls: {failures[:10]}"
    assert calls >= 200 * len(PROBES) // 2
    assert personal > 0  # the entitled attacker did see their own data: the probes are live
    assert_no_application_for_victims(ledger_db)


def assert_no_application_for_victims(ledger_db):
    for who in VICTIMS:
        assert ledger.plan_applications(ledger_db.factory, ledger_db.refs[who]) == [], who


def test_http_action_server_leaks_nothing(world, action_server):
    ledger_db, variants, markers = world
    failures, calls = [], 0
    session = requests.Session()
    for variant in variants:
        for probe in PROBES:
            action, latest, events, slots, active = request_parts(variant, probe)
            body = {
                "next_action": action,
                "sender_id": variant.sender,
                "tracker": {"sender_id": variant.sender, "slots": slots, "latest_message": latest, "events": events,
                            "paused": False, "followup_action": None, "active_loop": active,
                            "latest_action_name": "action_listen"},
                "domain": DOMAIN,
                "version": "3.6.21",
            }
            try:
                payload = json.dumps(body, default=str)
            except (TypeError, ValueError):
                continue
            response = session.post(f"{action_server}/webhook", data=payload,
                                    headers={"Content-Type": "application/json"}, timeout=30)
            calls += 1
            reply = response.text
            problems = leaks(reply, variant, ledger_db, markers)
            if problems:
                failures.append((variant.kind, variant.name, action, response.status_code, problems[:3]))
    assert not failures, f"{len(failures)} leaks in {calls} requests: {failures[:10]}"
    assert calls >= 200 * len(PROBES) // 2
    assert_no_application_for_victims(ledger_db)


def test_http_genuine_token_still_works(world, action_server, attack_settings):
    """Control: the same server does answer a genuine request (the attacks fail for the right reason)."""
    ledger_db, _, _ = world
    token = issue_token(ledger_db.refs["Demo Borger 5"], VICTIM_CID, attack_settings)
    variant = Variant("control", "genuine", token, VICTIM_CID, entitled="Demo Borger 5")
    action, latest, events, slots, active = request_parts(variant, PROBES[0])
    body = {"next_action": action, "sender_id": VICTIM_CID,
            "tracker": {"sender_id": VICTIM_CID, "slots": slots, "latest_message": latest, "events": events,
                        "paused": False, "followup_action": None, "active_loop": active,
                        "latest_action_name": "action_listen"},
            "domain": DOMAIN, "version": "3.6.21"}
    response = requests.post(f"{action_server}/webhook", json=body, timeout=30)
    assert response.ok
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "Demo Borger 5" in text and "8.650,00" in text
    assert "0101000005" not in text
