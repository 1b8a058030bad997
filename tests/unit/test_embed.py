"""Issue 20 item 8: the widget embedded on the municipality's own site (ALLOWED_EMBED_ORIGINS).

Over real HTTP against the fake Rasa of ``test_gateway``: CORS with credentials for exactly
the configured origins and only on the widget's API, the resource policy of the widget's
files, the session cookie's attributes, and the login's return to the embedding page
without an open redirect. The real browser is in ``tests/browser/test_embed.py``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from typing import Dict, Optional
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.config import ConfigError, GatewayConfig, production_problems
from bot.handover import HANDOVER
from bot.security import CONTENT_SECURITY_POLICY
from bot.sessions import COOKIE_NAME
from core.settings import ROOT, load_settings
from tests.unit.test_gateway import (  # noqa: F401 - fixtures
    CSRF, SECRET, chat, clock, db_url, gateway, migrated_db, origin, rasa,
)
from tests.unit.test_gateway_features import demo_citizens

SITE = "https://www.koege.dk"
OTHER = "https://borger.koege.dk:8443"
EMBED = frozenset({SITE, OTHER})
EVIL = "https://evil.example"
CORS_HEADERS = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
                "Access-Control-Allow-Methods", "Access-Control-Allow-Headers")
HTTPS = {"X-Forwarded-Proto": "https"}  # from a trusted TLS proxy (127.0.0.1 in these tests)


async def embedded(gateway, rasa, **config):
    config.setdefault("allowed_embed_origins", EMBED)
    config.setdefault("trusted_proxies", frozenset({"127.0.0.1"}))
    return await gateway(rasa.url, **config)


def no_cors(resp) -> bool:
    return not any(h in resp.headers for h in CORS_HEADERS)


def preflight(client, path: str, origin_: str, method: str = "POST",
              headers: str = "content-type,x-requested-with"):
    return client.options(path, headers={"Origin": origin_, "Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": headers})


def vary(resp) -> set:
    return {v.strip().lower() for v in resp.headers.get("Vary", "").split(",") if v.strip()}


# --- ALLOWED_EMBED_ORIGINS --------------------------------------------------------------------


def test_embed_origins_are_read_and_normalised():
    settings = load_settings({"ALLOWED_EMBED_ORIGINS": " HTTPS://WWW.Koege.DK/ ,https://borger.koege.dk:443,"
                                                       "http://localhost:8001, ,https://[::1]:9000"})
    config = GatewayConfig.from_settings(settings)
    assert config.allowed_embed_origins == {"https://www.koege.dk", "https://borger.koege.dk",
                                            "http://localhost:8001", "https://[::1]:9000"}
    assert GatewayConfig.from_settings(load_settings({})).allowed_embed_origins == frozenset()


@pytest.mark.parametrize("value", [
    "www.koege.dk", "https://www.koege.dk/borger", "https://www.koege.dk?x=1", "https://www.koege.dk#top",
    "*", "null", "https://*.koege.dk", "ftp://www.koege.dk", "https://user@www.koege.dk",
    "https://www.koege.dk:99999", "https://www.koege.dk:0", "https://www koege.dk", "https://www.koege.dk//",
])
def test_bad_embed_origin_is_refused_at_start_up(value):
    with pytest.raises(ConfigError, match="ALLOWED_EMBED_ORIGINS"):
        GatewayConfig.from_settings(load_settings({"ALLOWED_EMBED_ORIGINS": f"https://ok.koege.dk,{value}"}))
    with pytest.raises(ConfigError):
        GatewayConfig(allowed_embed_origins=frozenset({value}))


def test_gateway_process_exits_with_a_clear_error_on_a_bad_embed_origin(migrated_db):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "KOEGE_", "ALLOWED_"))}
    env.update({"PYTHONPATH": str(ROOT), "ALLOWED_EMBED_ORIGINS": "https://www.koege.dk/borger",
                "RASA_URL": "http://127.0.0.1:9", "DATABASE_URL": f"sqlite:///{migrated_db}"})
    refused = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 2, refused.stderr
    assert "ALLOWED_EMBED_ORIGINS" in refused.stderr and "https://www.koege.dk/borger" in refused.stderr


def test_production_needs_https_embed_origins():
    settings = load_settings({"KOEGE_DEMO_MODE": "false", "IDENTITY_SECRET": "p" * 48})
    config = GatewayConfig(allowed_hosts=frozenset({"chat.koege.dk"}), metrics_token="m" * 20,
                           allowed_embed_origins=frozenset({SITE, "http://intra.koege.dk"}))
    problems = production_problems(settings, config)
    assert len(problems) == 1 and "ALLOWED_EMBED_ORIGINS" in problems[0] and "http://intra.koege.dk" in problems[0]
    assert production_problems(settings, GatewayConfig(
        allowed_hosts=frozenset({"chat.koege.dk"}), metrics_token="m" * 20, allowed_embed_origins=EMBED)) == []


# --- CORS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path,method", [
    ("/api/chat", "POST"), ("/api/feedback", "POST"), ("/api/logout", "POST"), ("/api/session", "GET"),
])
async def test_preflight_is_granted_to_an_allowed_origin_for_the_widget_api(gateway, rasa, path, method):
    client = await embedded(gateway, rasa)
    for allowed in (SITE, OTHER):
        resp = await preflight(client, path, allowed, method)
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == allowed  # that origin, never "*"
        assert resp.headers["Access-Control-Allow-Credentials"] == "true"
        assert resp.headers["Access-Control-Allow-Methods"] == method
        allowed_headers = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
        assert allowed_headers == {"content-type", "x-requested-with"}
        assert int(resp.headers["Access-Control-Max-Age"]) > 0
        assert "origin" in vary(resp)


@pytest.mark.parametrize("path,origin_,method,headers", [
    ("/api/chat", EVIL, "POST", "content-type,x-requested-with"),
    ("/api/chat", "https://www.koege.dk.evil.example", "POST", "content-type"),
    ("/api/chat", "http://www.koege.dk", "POST", "content-type"),  # another scheme is another origin
    ("/api/chat", "https://borger.koege.dk", "POST", "content-type"),  # another port too
    ("/api/chat", "null", "POST", "content-type"),
    ("/api/chat", SITE, "DELETE", "content-type"),
    ("/api/session", SITE, "POST", "content-type"),
    ("/api/chat", SITE, "POST", "content-type,authorization"),
])
async def test_preflight_is_refused_without_any_cors_header(gateway, rasa, path, origin_, method, headers):
    client = await embedded(gateway, rasa)
    resp = await preflight(client, path, origin_, method, headers)
    assert resp.status == 403 and no_cors(resp)


async def test_chat_from_an_allowed_origin_is_readable_with_credentials(gateway, rasa):
    client = await embedded(gateway, rasa)
    resp = await client.post("/api/chat", json={"message": "Hej"}, headers={**CSRF, "Origin": SITE})
    assert resp.status == 200 and (await resp.json())["messages"][0]["text"] == "rasa svarer: Hej"
    assert resp.headers["Access-Control-Allow-Origin"] == SITE
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert "origin" in vary(resp)
    session = await client.get("/api/session", headers={**CSRF, "Origin": OTHER})
    assert session.headers["Access-Control-Allow-Origin"] == OTHER and (await session.json())["active"] is True
    # An error the widget must be able to show (in Danish) is readable too.
    limited = await embedded(gateway, rasa, session_rate_per_minute=1)
    await limited.post("/api/chat", json={"message": "en"}, headers={**CSRF, "Origin": SITE})
    refused = await limited.post("/api/chat", json={"message": "to"}, headers={**CSRF, "Origin": SITE})
    assert refused.status == 429 and refused.headers["Access-Control-Allow-Origin"] == SITE


async def test_other_origins_get_no_cors_headers_and_cannot_post(gateway, rasa):
    client = await embedded(gateway, rasa)
    posted = await client.post("/api/chat", json={"message": "Hej"}, headers={**CSRF, "Origin": EVIL})
    assert posted.status == 403 and no_cors(posted) and rasa.received == []
    read = await client.get("/api/session", headers={**CSRF, "Origin": EVIL})
    assert read.status == 200 and no_cors(read)  # the browser keeps the answer from that page
    own = await client.post("/api/chat", json={"message": "Hej"}, headers={**CSRF, "Origin": origin(client)})
    assert own.status == 200 and no_cors(own)  # same origin: no CORS needed, none sent


async def test_embed_origin_passes_the_csrf_check_but_still_needs_the_header(gateway, rasa):
    client = await embedded(gateway, rasa)
    resp = await client.post("/api/chat", json={"message": "Hej"}, headers={"Origin": SITE})
    assert resp.status == 403 and rasa.received == []
    plain = await gateway(rasa.url)  # not configured: the same origin is refused
    resp = await plain.post("/api/chat", json={"message": "Hej"}, headers={**CSRF, "Origin": SITE})
    assert resp.status == 403 and no_cors(resp)


async def test_without_embed_origins_nothing_is_cors_enabled(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await preflight(client, "/api/chat", SITE)
    assert resp.status >= 400 and no_cors(resp)
    resp = await client.get("/api/session", headers={"Origin": SITE})
    assert no_cors(resp) and "origin" not in vary(resp)


@pytest.mark.parametrize("path,method", [
    ("/staff", "GET"), ("/staff/api/login", "POST"), ("/staff/api/me", "GET"), ("/staff/api/search", "GET"),
    ("/staff/api/citizen", "POST"), ("/login", "GET"), ("/login/demo", "POST"), ("/metrics", "GET"),
    ("/static/widget.js", "GET"),
])
async def test_staff_and_other_paths_are_never_cors_enabled(gateway, rasa, path, method):
    client = await embedded(gateway, rasa)
    resp = await preflight(client, path, SITE, method)
    assert resp.status >= 400 and no_cors(resp)
    resp = await client.request(method, path, headers={**CSRF, "Origin": SITE})
    assert no_cors(resp), path


# --- resource policy and CSP ------------------------------------------------------------------


async def test_only_the_widget_files_may_be_loaded_cross_origin(gateway, rasa):
    client = await embedded(gateway, rasa)
    for path in ("/static/widget.js", "/static/widget.css"):
        resp = await client.get(path)
        assert resp.status == 200 and resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin", path
    for path in ("/", "/static/page.css", "/static/login.css", "/static/staff.js", "/login", "/api/session", "/staff"):
        resp = await client.get(path)
        assert resp.headers["Cross-Origin-Resource-Policy"] == "same-origin", path
    plain = await gateway(rasa.url)
    assert (await plain.get("/static/widget.js")).headers["Cross-Origin-Resource-Policy"] == "same-origin"


async def test_bot_pages_keep_their_csp_and_the_login_form_may_return_to_the_site(gateway, rasa):
    client = await embedded(gateway, rasa)
    for path in ("/", "/static/widget.js", "/api/session", "/staff"):
        assert (await client.get(path)).headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
    csp = (await client.get("/login")).headers["Content-Security-Policy"]
    form_action = re.search(r"form-action ([^;]+)", csp).group(1).split()
    assert sorted(form_action) == sorted(["'self'", SITE, OTHER])
    assert "frame-ancestors 'self'" in csp and "script-src 'self';" in csp and "connect-src 'self';" in csp
    plain = await gateway(rasa.url)
    assert (await plain.get("/login")).headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


# --- the session cookie -----------------------------------------------------------------------


def cookie_line(resp) -> str:
    lines = [v for v in resp.headers.getall("Set-Cookie", []) if v.startswith(COOKIE_NAME + "=")]
    assert len(lines) == 1, resp.headers.getall("Set-Cookie", [])
    return lines[0]


@pytest.mark.parametrize("embed,https,samesite,secure", [
    (True, True, "None", True),
    (True, False, "Strict", False),  # browsers refuse SameSite=None without Secure
    (False, True, "Strict", True),
    (False, False, "Strict", False),
])
async def test_session_cookie_attributes(gateway, rasa, embed, https, samesite, secure):
    client = await embedded(gateway, rasa, allowed_embed_origins=EMBED if embed else frozenset())
    scheme = "https" if https else "http"
    headers = {**CSRF, **(HTTPS if https else {}), "Origin": f"{scheme}://{client.make_url('/').authority}"}
    resp = await client.post("/api/chat", json={"message": "Hej"}, headers=headers)
    assert resp.status == 200
    line = cookie_line(resp)
    assert f"SameSite={samesite}" in line and "HttpOnly" in line and "Path=/" in line
    assert ("Secure" in line) is secure
    assert ("Partitioned" in line) is (samesite == "None")  # CHIPS: only with SameSite=None; Secure


# --- login and logout through the embedded widget ----------------------------------------------


def _form(html: str, name: str) -> Optional[str]:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


async def embed_login(client, ref: str, next_: Optional[str], cookie: Optional[str] = None,
                      hashed: Optional[str] = None):
    """The demo login as a browser on the gateway's own (HTTPS) page does it."""
    jar: Dict[str, str] = {COOKIE_NAME: cookie} if cookie else {}
    own = f"https://{client.make_url('/').authority}"
    params = {**({"next": next_} if next_ is not None else {}), **({"h": hashed} if hashed else {})}
    page = await client.get("/login", params=params or None, headers=HTTPS)
    html = await page.text()
    data = {"csrf": _form(html, "csrf"), "citizen": ref}
    for field in ("next", "h"):
        if _form(html, field) is not None:
            data[field] = _form(html, field)
    nonce = page.cookies["koege_login"].value
    resp = await client.post("/login/demo", data=data, headers={**HTTPS, "Origin": own}, allow_redirects=False,
                             cookies={"koege_login": nonce, **jar})
    return html, resp


async def test_login_returns_to_the_embedding_page_with_a_cross_site_cookie(gateway, rasa, db_url):
    client = await embedded(gateway, rasa)
    chat_resp = await client.post("/api/chat", json={"message": "Hej"}, headers={**CSRF, **HTTPS, "Origin": SITE})
    before = cookie_line(chat_resp).split(";")[0].split("=", 1)[1]
    citizen = demo_citizens(db_url)[0]
    page = f"{OTHER}/borger/betaling?emne=ejendomsskat"
    html, resp = await embed_login(client, citizen.ref, page, cookie=before)
    assert _form(html, "next") == page
    assert f'href="{page.replace("&", "&amp;")}">Tilbage uden at logge ind' in html
    assert resp.status == 303 and resp.headers["Location"] == page  # no hash from the widget: no code
    line = cookie_line(resp)
    assert "SameSite=None" in line and "Secure" in line and "HttpOnly" in line and "Partitioned" in line
    after = line.split(";")[0].split("=", 1)[1]
    assert after != before  # a new cookie value after the login, as on the gateway's own page
    info = await client.get("/api/session", headers={**CSRF, **HTTPS, "Origin": OTHER},
                            cookies={COOKIE_NAME: after})
    body = await info.json()
    assert body["verified"] is True and body["name"] == citizen.name and body["had_cookie"] is True
    assert info.headers["Access-Control-Allow-Origin"] == OTHER
    # Logout from the embedded widget ends the session and deletes the cookie the same way.
    out = await client.post("/api/logout", json={}, headers={**CSRF, **HTTPS, "Origin": OTHER},
                            cookies={COOKIE_NAME: after})
    assert out.status == 200 and out.headers["Access-Control-Allow-Origin"] == OTHER
    deletion = cookie_line(out)
    assert deletion.startswith(f'{COOKIE_NAME}=""') and "Max-Age=0" in deletion
    assert "SameSite=None" in deletion and "Secure" in deletion and "Partitioned" in deletion
    gone = await (await client.get("/api/session", headers=HTTPS, cookies={COOKIE_NAME: after})).json()
    assert gone["active"] is False and gone["verified"] is False


@pytest.mark.parametrize("next_", [
    "https://evil.example/",
    "https://www.koege.dk.evil.example/",
    "https://www.koege.dk@evil.example/",
    "https://user:pw@www.koege.dk/",
    "https://www.koege.dk\\@evil.example/",
    "https://www.koege.dk:444/",
    "http://www.koege.dk/",
    "//www.koege.dk/",
    "/\\evil.example",
    "javascript:alert(1)//https://www.koege.dk/",
    "https://www.koege.dk/\nLocation: https://evil.example/",
    "https://www.koege.dk/" + "a" * 2100,
    "",
])
async def test_login_never_returns_to_another_address(gateway, rasa, db_url, next_):
    client = await embedded(gateway, rasa)
    html, resp = await embed_login(client, demo_citizens(db_url)[0].ref, next_)
    assert _form(html, "next") is None and 'href="/">Tilbage uden at logge ind' in html
    assert resp.status == 303 and resp.headers["Location"] == "/?login=1"


async def test_login_return_needs_embed_origins(gateway, rasa, db_url):
    client = await gateway(rasa.url, trusted_proxies=frozenset({"127.0.0.1"}))
    html, resp = await embed_login(client, demo_citizens(db_url)[0].ref, SITE + "/")
    assert _form(html, "next") is None and resp.headers["Location"] == "/?login=1"
    assert "SameSite=Strict" in cookie_line(resp)


async def test_a_refused_login_form_keeps_the_return_address(gateway, rasa):
    client = await embedded(gateway, rasa)
    own = f"https://{client.make_url('/').authority}"
    resp = await client.post("/login/demo", data={"csrf": "forged", "citizen": "x", "next": SITE + "/side"},
                             headers={**HTTPS, "Origin": own}, allow_redirects=False)
    location = urlsplit(resp.headers["Location"])
    assert resp.status == 303 and location.path == "/login" and not location.netloc
    assert parse_qs(location.query) == {"next": [SITE + "/side"]}


async def test_session_info_says_whether_a_cookie_came_at_all(gateway, rasa):
    client = await embedded(gateway, rasa)
    first = await (await client.get("/api/session")).json()
    assert first["active"] is False and first["had_cookie"] is False
    await chat(client)
    assert (await (await client.get("/api/session")).json())["had_cookie"] is True


# --- the login hand-over into the embedded (partitioned) session (bot/handover.py) ------------

NONCE = "n" * 20 + "the-widgets-own-nonce"
NONCE_HASH = hashlib.sha256(NONCE.encode("ascii")).hexdigest()
PAGE = f"{SITE}/borger/betaling?emne=regning"


def _value(resp) -> str:
    return cookie_line(resp).split(";")[0].split("=", 1)[1]


async def _embedded_chat(client) -> str:
    """The embedded widget's first turn: its partitioned session's cookie value."""
    resp = await client.post("/api/chat", json={"message": "Hej"}, headers={**CSRF, **HTTPS, "Origin": SITE})
    assert resp.status == 200
    return _value(resp)


async def _code(client, db_url, hashed: str = NONCE_HASH):
    """A login on the gateway's page for the widget on PAGE: (code, top-level cookie, citizen)."""
    citizen = demo_citizens(db_url)[0]
    html, resp = await embed_login(client, citizen.ref, PAGE, hashed=hashed)
    assert _form(html, "h") == hashed
    location = resp.headers["Location"]
    assert resp.status == 303 and location.startswith(PAGE + "#koege-login=")
    assert "login=1" not in location  # the host page's query is left alone
    return location.split("#koege-login=", 1)[1], _value(resp), citizen


def _handover(client, code: str, nonce: str = NONCE, cookie: Optional[str] = None, origin_: str = SITE):
    return client.post("/api/login/handover", json={"code": code, "nonce": nonce},
                       headers={**CSRF, **HTTPS, "Origin": origin_},
                       cookies={COOKIE_NAME: cookie} if cookie else None)


async def _info(client, cookie: str) -> dict:
    resp = await client.get("/api/session", headers={**CSRF, **HTTPS, "Origin": SITE}, cookies={COOKIE_NAME: cookie})
    return await resp.json()


async def test_handover_logs_the_calling_partitioned_session_in(gateway, rasa, db_url):
    client = await embedded(gateway, rasa)
    embedded_cookie = await _embedded_chat(client)
    code, top, citizen = await _code(client, db_url)
    resp = await _handover(client, code, cookie=embedded_cookie)
    assert resp.status == 200 and await resp.json() == {"verified": True, "name": citizen.name}
    assert resp.headers["Access-Control-Allow-Origin"] == SITE
    line = cookie_line(resp)
    assert "SameSite=None" in line and "Secure" in line and "Partitioned" in line and "HttpOnly" in line
    new = _value(resp)
    assert new != embedded_cookie  # a new value, as after any login
    assert (await _info(client, embedded_cookie))["active"] is False  # the old value is dead
    # Until the new cookie comes back the login page's session holds (the widget's fallback link).
    assert (await _info(client, top))["verified"] is True
    info = await _info(client, new)
    assert info["verified"] is True and info["name"] == citizen.name
    assert (await _info(client, top))["active"] is False  # the identity moved: no session left behind
    assert (await _info(client, new))["verified"] is True


async def test_handover_preflight_is_granted_to_embed_origins_only(gateway, rasa):
    client = await embedded(gateway, rasa)
    ok = await preflight(client, "/api/login/handover", SITE)
    assert ok.status == 204 and ok.headers["Access-Control-Allow-Origin"] == SITE
    refused = await preflight(client, "/api/login/handover", EVIL)
    assert refused.status == 403 and no_cors(refused)


async def test_handover_code_works_once(gateway, rasa, db_url):
    client = await embedded(gateway, rasa)
    cookie = await _embedded_chat(client)
    code, _top, _citizen = await _code(client, db_url)
    assert (await _handover(client, code, cookie=cookie)).status == 200
    again = await _handover(client, code, cookie=cookie)
    assert again.status == 403 and "Set-Cookie" not in again.headers


async def test_handover_code_expires_after_a_minute(gateway, rasa, db_url, clock):
    client = await embedded(gateway, rasa)
    cookie = await _embedded_chat(client)
    code, _top, _citizen = await _code(client, db_url)
    clock.advance(61)
    late = await _handover(client, code, cookie=cookie)
    assert late.status == 403 and "Set-Cookie" not in late.headers
    assert (await _info(client, cookie))["verified"] is False


async def test_handover_with_a_wrong_nonce_is_refused_and_spends_the_code(gateway, rasa, db_url):
    client = await embedded(gateway, rasa)
    cookie = await _embedded_chat(client)
    code, _top, _citizen = await _code(client, db_url)
    wrong = await _handover(client, code, nonce="x" * 32, cookie=cookie)
    assert wrong.status == 403 and (await _info(client, cookie))["verified"] is False
    assert (await _handover(client, code, cookie=cookie)).status == 403  # no second guess


async def test_a_code_is_useless_to_another_browser(gateway, rasa, db_url):
    """Another browser (another session, its own nonce) with a leaked code gets nothing, and
    a code is bound to the nonce of the tab that opened the login, not to one it makes up."""
    client = await embedded(gateway, rasa)
    victim = await _embedded_chat(client)
    code, _top, _citizen = await _code(client, db_url)
    other_nonce = "o" * 40
    thief = await _embedded_chat(client)
    stolen = await _handover(client, code, nonce=other_nonce, cookie=thief)
    assert stolen.status == 403 and (await _info(client, thief))["verified"] is False
    # ... and once used the code cannot serve the tab it was meant for either, nor anyone else.
    assert (await _handover(client, code, cookie=victim)).status == 403
    unknown = await _handover(client, "c" * 32, cookie=thief)
    assert unknown.status == 403


@pytest.mark.parametrize("body", [{}, {"code": "short", "nonce": NONCE}, {"code": "c" * 32, "nonce": 5}, [1]])
async def test_handover_refuses_malformed_requests(gateway, rasa, body):
    client = await embedded(gateway, rasa)
    resp = await client.post("/api/login/handover", json=body, headers={**CSRF, **HTTPS, "Origin": SITE})
    assert resp.status == 400 and "Set-Cookie" not in resp.headers


async def test_handover_needs_the_csrf_header(gateway, rasa, db_url):
    client = await embedded(gateway, rasa)
    code, _top, _citizen = await _code(client, db_url)
    resp = await client.post("/api/login/handover", json={"code": code, "nonce": NONCE},
                             headers={**HTTPS, "Origin": SITE})
    assert resp.status == 403


async def test_handover_is_rate_limited_per_ip(gateway, rasa):
    client = await embedded(gateway, rasa, ip_rate_per_minute=3)
    statuses = [(await _handover(client, "c" * 32)).status for _ in range(4)]
    assert statuses == [403, 403, 403, 429]


@pytest.mark.parametrize("hashed", ["", "A" * 64, "0" * 63, "g" * 64])
async def test_a_bad_nonce_hash_gives_no_code(gateway, rasa, db_url, hashed):
    client = await embedded(gateway, rasa)
    html, resp = await embed_login(client, demo_citizens(db_url)[0].ref, PAGE, hashed=hashed or None)
    assert _form(html, "h") is None and resp.headers["Location"] == PAGE


@pytest.mark.parametrize("embed", [True, False])
async def test_same_origin_login_is_unchanged(gateway, rasa, db_url, embed):
    """On the gateway's own page (no next): ?login=1 and no code; without embed origins the
    cookie is SameSite=Strict and not partitioned, as before."""
    client = await embedded(gateway, rasa, allowed_embed_origins=EMBED if embed else frozenset())
    citizen = demo_citizens(db_url)[0]
    html, resp = await embed_login(client, citizen.ref, None, hashed=NONCE_HASH)
    assert _form(html, "h") is None and resp.headers["Location"] == "/?login=1"
    line = cookie_line(resp)
    assert ("Partitioned" in line) is embed and ("SameSite=Strict" in line) is not embed
    assert len(client.app[HANDOVER]) == 0
    assert (await _info(client, _value(resp)))["name"] == citizen.name
