"""Issue 20 item 8: the widget embedded with one script tag on another site, in a real browser.

The set-up (see conftest.py): the "gateway-embed" process allows ``http://localhost:<site>``
(ALLOWED_EMBED_ORIGINS). In front of it this module runs a TLS proxy on
``https://127.0.0.1:<proxy>`` (self-signed; the gateway trusts 127.0.0.1's
``X-Forwarded-Proto: https``), which is how production runs it, so the session cookie is
really ``SameSite=None; Secure``. The embedding pages are served by a small aiohttp app on
``http://localhost:<site>`` (allowed) and ``http://localhost:<other>`` (not allowed), each
with a CSP of its own that names the bot, as docs/deployment.md tells the site to.
``localhost`` and ``127.0.0.1`` are different *sites*, so this is a real cross-site embed
(ports alone would not make one for cookies).

What is covered: CORS with credentials from the allowed page (chat, login with the return to
the embedding page, logout), nothing for the other page, the widget's files loading
cross-origin under the page's own CSP. It all runs in Chromium's *default* profile, which blocks
third-party cookies: the session cookie is ``Partitioned`` (CHIPS), so the browser keeps it for
the bot on this site only, and the login on the bot's own page reaches the embedded session
through the one-time hand-over (``#koege-login=<code>`` + the widget's nonce, bot/handover.py).
Not covered: Firefox and Safari (no such browser here), a real certificate, and a host page
served over HTTPS (production requires https:// embed origins; the demo-mode stack accepts
http://localhost).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import re
import ssl
import threading
import urllib.request
from pathlib import Path
from typing import Dict, Iterator
from urllib.parse import urlsplit

import pytest
from aiohttp import ClientSession, web
from multidict import CIMultiDict

from tests.browser.helpers import (
    ask, bot_texts, log_out_and_check_nothing_personal_left, nothing_personal_left, personal_data_shown,
    session_storage,
)

pytestmark = pytest.mark.browser

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade",
                        "proxy-connection", "te", "trailer"})
PAGE_PATH = "/borger/betaling?emne=regning"  # a page with a query, which the login keeps
TECHNICAL_ERROR = "Beklager, jeg kan ikke svare lige nu på grund af en teknisk fejl."


def _certificate(folder: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def _proxy_app(target: str) -> web.Application:
    """A TLS-terminating reverse proxy as in production: everything to ``target``, with
    ``X-Forwarded-Proto: https`` and the Host the browser used."""

    async def client_ctx(app: web.Application):
        app["client"] = ClientSession(auto_decompress=False)
        yield
        await app["client"].close()

    async def forward(request: web.Request) -> web.Response:
        headers = CIMultiDict((k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP)
        headers["X-Forwarded-Proto"] = "https"
        headers["X-Forwarded-For"] = request.remote or "127.0.0.1"
        body = await request.read()
        async with request.app["client"].request(request.method, target + request.path_qs, headers=headers,
                                                 data=body or None, allow_redirects=False) as answer:
            content = await answer.read()
            out = CIMultiDict((k, v) for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP)
            return web.Response(status=answer.status, body=content, headers=out)

    app = web.Application()
    app.cleanup_ctx.append(client_ctx)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def _site_app(bot: str) -> web.Application:
    """The municipality's page: its own content, its own CSP naming the bot, one script tag."""
    csp = (f"default-src 'self'; script-src 'self' {bot}; style-src 'self' {bot}; connect-src 'self' {bot}; "
           "img-src 'self'; base-uri 'none'; form-action 'self'")

    async def page(request: web.Request) -> web.Response:
        html = f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Betaling – Køge Kommune</title></head>
<body><main><h1>Betaling til kommunen</h1><p>Kommunens egen side.</p></main>
<script src="{bot}/static/widget.js" defer></script>
</body></html>"""
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": csp})

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    return app


@pytest.fixture(scope="module")
def embed(browser_stack, tmp_path_factory) -> Iterator[Dict[str, str]]:
    """The TLS proxy in front of the embed gateway and the two embedding sites, in a thread."""
    tls = _certificate(tmp_path_factory.mktemp("embed-tls"))
    bot = f"https://127.0.0.1:{browser_stack['embed_proxy_port']}"
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runners = []

    async def start() -> None:
        sites = ((_proxy_app(browser_stack["embed_gateway"]), "127.0.0.1", browser_stack["embed_proxy_port"], tls),
                 (_site_app(bot), "localhost", browser_stack["embed_site_port"], None),
                 (_site_app(bot), "localhost", browser_stack["other_site_port"], None))
        for app, host, port, context in sites:
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, host, int(port), ssl_context=context).start()
            runners.append(runner)

    async def stop() -> None:
        for runner in runners:
            await runner.cleanup()

    asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    yield {
        "bot": bot,
        "site": f"http://localhost:{browser_stack['embed_site_port']}",
        "other": f"http://localhost:{browser_stack['other_site_port']}",
    }
    asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture
def default_page(browser):
    """A page in Chromium's default profile: third-party cookies blocked (CHIPS allowed)."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def _embedded_sessions(page, bot: str, site: str):
    """The bot's session cookies kept for the bot embedded on ``site`` (its CHIPS partition, keyed
    by the top-level *site*: scheme and host, no port)."""
    parts = urlsplit(site)
    key = f"{parts.scheme}://{parts.hostname}"
    return [c for c in page.context.cookies(bot)
            if c["name"] == "koege_session" and c.get("partitionKey") == key and c.get("_crHasCrossSiteAncestor")]


def _login(page, bot: str) -> str:
    """Log in as a demo citizen with open claims from the embedded widget; their name."""
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_url(re.compile(re.escape(bot) + r"/login\?next="))
    choice = page.locator(".login-list li").filter(has_not_text=re.compile(r"\(0 åbne krav")).first
    name = choice.locator("button").inner_text().removeprefix("Log ind som ")
    choice.locator("button").click()
    return name


def test_embedded_widget_chats_logs_in_and_out_with_third_party_cookies_blocked(default_page, embed, artifacts):
    page, bot, site = default_page, embed["bot"], embed["site"]
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site + PAGE_PATH)
    page.click(".kc-launcher")
    answer = ask(page, "Hvem sender regningen for renovation?")
    assert "Affaldskontoret" in answer and "5667 2432" in answer, answer
    source = page.locator(".kc-msg--bot").last.get_by_role("link", name=re.compile(r"^Kilde: "))
    assert source.get_attribute("href").startswith(bot + "/kilde/000_")  # the bot's page, not the site's
    session = _embedded_sessions(page, bot, site)
    assert len(session) == 1 and session[0]["sameSite"] == "None" and session[0]["secure"] is True
    assert session[0]["httpOnly"] is True
    first = session[0]["value"]
    follow_up = ask(page, "Hej")
    assert TECHNICAL_ERROR not in follow_up and "udløbet" not in follow_up
    assert [c["value"] for c in _embedded_sessions(page, bot, site)] == [first]  # one conversation kept

    nonce = page.evaluate("() => window.sessionStorage.getItem('koege-chat-login-nonce')")
    assert nonce and page.get_by_role("link", name="Log ind med MitID").get_attribute("href").count("&h=") == 1
    returns = []
    page.on("request", lambda r: returns.append(r.url) if r.url.startswith(site) and r.is_navigation_request()
            else None)
    name = _login(page, bot)
    page.locator(".kc-msg--notice", has_text="Du er nu logget ind som " + name).wait_for()
    assert page.url == site + PAGE_PATH  # back on the page, its query kept, the code removed again
    assert returns and all("koege-login" not in u for u in returns)  # the fragment never reached the server
    assert [c["value"] for c in _embedded_sessions(page, bot, site)] != [first]  # a new value after login
    assert nonce not in session_storage(page)  # spent: the next login gets a new one
    assert page.locator(".kc-who").inner_text() == "Logget ind som " + name
    personal = personal_data_shown(page, name)
    page.screenshot(path=str(artifacts / "embed-logged-in.png"))
    log_out_and_check_nothing_personal_left(page, personal)
    assert not _embedded_sessions(page, bot, site)  # the deletion was taken
    with page.expect_response(bot + "/api/session"):
        page.reload()
    page.locator(".kc-panel:not([hidden])").wait_for()
    page.wait_for_timeout(300)
    nothing_personal_left(page, personal)
    assert page.get_by_role("link", name="Log ind med MitID").is_visible()
    after = ask(page, "Hvad skylder jeg?")
    assert "kr." not in after and "udløbet" not in " ".join(bot_texts(page))
    assert not [e for e in errors if "CORS" in e or "blocked" in e.lower()], errors


def test_a_site_that_is_not_allowed_gets_nothing(default_page, embed):
    pg, bot, other = default_page, embed["bot"], embed["other"]
    blocked = []
    pg.on("console", lambda m: blocked.append(m.text) if "CORS policy" in m.text else None)
    pg.goto(other + "/")
    pg.click(".kc-launcher")  # the script itself loads (a script tag is not a read) ...
    before = pg.locator(".kc-msg--bot").count()
    pg.fill("#kc-input", "Hvem sender regningen for renovation?")
    pg.press("#kc-input", "Enter")
    pg.locator(".kc-msg--notice", has_text=TECHNICAL_ERROR).wait_for()  # ... but every call is blocked
    assert pg.locator(".kc-msg--bot").count() == before
    assert "Affaldskontoret" not in pg.locator(".kc-root").inner_text()
    assert any("/api/chat" in b for b in blocked), blocked

    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # the test's own certificate

    def call(method: str, path: str, headers: Dict[str, str], body: bytes = None):
        request = urllib.request.Request(bot + path, data=body, method=method, headers=headers)
        try:
            return urllib.request.urlopen(request, context=insecure, timeout=30)
        except urllib.error.HTTPError as refused:
            return refused

    preflight = call("OPTIONS", "/api/chat", {"Origin": other, "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "content-type,x-requested-with"})
    assert preflight.status == 403 and preflight.headers.get("Access-Control-Allow-Origin") is None
    for method, path, body in (("GET", "/api/session", None), ("POST", "/api/chat", b'{"message": "Hej"}')):
        answer = call(method, path, {"Origin": other, "Content-Type": "application/json",
                                     "X-Requested-With": "koege-chat"}, body)
        assert answer.headers.get("Access-Control-Allow-Origin") is None, path
        assert answer.headers.get("Access-Control-Allow-Credentials") is None, path
    allowed = call("GET", "/api/session", {"Origin": embed["site"], "X-Requested-With": "koege-chat"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == embed["site"]  # so the checks above can fail
