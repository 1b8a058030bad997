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
cross-origin under the page's own CSP. Chromium here blocks third-party cookies by default
(as Safari and Firefox do in their own ways), so the full flow runs in a browser profile that
allows them (``profile.cookie_controls_mode = 0``), and a second test shows what a citizen
whose browser blocks them gets: answers without memory, and a Danish notice after the login.
Not covered: a real certificate, and a host page served over HTTPS (production requires
https:// embed origins; the demo-mode stack accepts http://localhost).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import re
import ssl
import threading
import urllib.request
from pathlib import Path
from typing import Dict, Iterator

import pytest
from aiohttp import ClientSession, web
from multidict import CIMultiDict

from tests.browser.conftest import CHROMIUM
from tests.browser.helpers import ask, axe_violations, bot_texts

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
def cookie_page(browser, tmp_path):
    """A page in a Chromium profile that allows third-party cookies (this Chromium's default
    blocks them); a second Chromium process, with a profile of its own."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(
        {"profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False}}), encoding="utf-8")
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=["--no-sandbox"], ignore_https_errors=True,
        locale="da-DK", viewport={"width": 1280, "height": 900})
    pg = context.pages[0] if context.pages else context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def blocking_page(browser):
    """A page as this Chromium comes: third-party cookies blocked."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


def _storage(page) -> str:
    return page.evaluate("() => JSON.stringify(Object.assign({}, window.sessionStorage))")


def _login(page, bot: str) -> str:
    """Log in as a demo citizen with open claims from the embedded widget; their name."""
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_url(re.compile(re.escape(bot) + r"/login\?next="))
    choice = page.locator(".login-list li").filter(has_not_text=re.compile(r"\(0 åbne krav")).first
    name = choice.locator("button").inner_text().removeprefix("Log ind som ")
    choice.locator("button").click()
    return name


def test_embedded_widget_chats_logs_in_and_out_on_an_allowed_site(cookie_page, embed, artifacts):
    page, bot, site = cookie_page, embed["bot"], embed["site"]
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(site + PAGE_PATH)
    page.click(".kc-launcher")
    answer = ask(page, "Hvem sender regningen for renovation?")
    assert "Affaldskontoret" in answer and "5667 2432" in answer, answer
    source = page.locator(".kc-msg--bot").last.get_by_role("link", name=re.compile(r"^Kilde: "))
    assert source.get_attribute("href").startswith(bot + "/kilde/000_")  # the bot's page, not the site's
    session = [c for c in page.context.cookies(bot) if c["name"] == "koege_session"]
    assert len(session) == 1 and session[0]["sameSite"] == "None" and session[0]["secure"] is True
    assert session[0]["httpOnly"] is True
    follow_up = ask(page, "Hej")
    assert TECHNICAL_ERROR not in follow_up and "udløbet" not in follow_up

    name = _login(page, bot)
    page.locator(".kc-msg--notice", has_text="Du er nu logget ind som " + name).wait_for()
    assert page.url == site + PAGE_PATH  # back on the page, its query kept, login=1 removed again
    assert page.locator(".kc-who").inner_text() == "Logget ind som " + name
    balance = ask(page, "Hvad skylder jeg?")
    assert "kr." in balance, balance
    codes = ask(page, "Hvad er mit betalings-id?")
    assert "+71<" in codes, codes
    page.screenshot(path=str(artifacts / "embed-logged-in.png"))
    personal = (name, balance.splitlines()[0], codes.splitlines()[0], "+71<", "Hvad skylder jeg")
    assert all(p in _storage(page) for p in personal)  # so the checks below can fail

    page.get_by_role("button", name="Log ud").click()
    page.locator(".kc-msg--notice", has_text="Du er logget ud").wait_for()

    def nothing_personal_left() -> None:
        shown, stored = page.locator(".kc-root").inner_text(), _storage(page)
        for p in personal:
            assert p not in shown, p
            assert p not in stored, p

    nothing_personal_left()
    assert not [c for c in page.context.cookies(bot) if c["name"] == "koege_session"]  # the deletion was taken
    with page.expect_response(bot + "/api/session"):
        page.reload()
    page.locator(".kc-panel:not([hidden])").wait_for()
    page.wait_for_timeout(300)
    nothing_personal_left()
    assert page.get_by_role("link", name="Log ind med MitID").is_visible()
    after = ask(page, "Hvad skylder jeg?")
    assert "kr." not in after and "udløbet" not in " ".join(bot_texts(page))
    assert not [e for e in errors if "CORS" in e or "blocked" in e.lower()], errors


def test_a_browser_that_blocks_third_party_cookies_gets_answers_and_a_danish_notice(
        blocking_page, embed, axe_source):
    page, bot, site = blocking_page, embed["bot"], embed["site"]
    page.goto(site + PAGE_PATH)
    page.click(".kc-launcher")
    assert "Affaldskontoret" in ask(page, "Hvem sender regningen for renovation?")
    assert not [c for c in page.context.cookies(bot) if c["name"] == "koege_session"]  # so this is that case
    name = _login(page, bot)
    notice = page.locator(".kc-msg--notice", has_text="din browser blokerer de cookies")
    notice.wait_for()
    assert page.url == site + PAGE_PATH
    assert name not in page.locator(".kc-root").inner_text()  # not shown as logged in here
    link = notice.get_by_role("link", name="Åbn chatten på Opkrævningens egen side")
    assert link.get_attribute("href") == bot + "/"
    notices = page.locator(".kc-msg--notice .kc-text").all_inner_texts()
    assert not any("udløbet" in n for n in notices), notices  # nothing expired: nothing was kept
    assert axe_violations(page, axe_source, ".kc-root") == []
    link.click()  # on the bot's own page the same browser is logged in
    page.wait_for_url(bot + "/")
    page.click(".kc-launcher")
    page.locator(".kc-who", has_text="Logget ind som " + name).wait_for()


def test_a_site_that_is_not_allowed_gets_nothing(blocking_page, embed):
    pg, bot, other = blocking_page, embed["bot"], embed["other"]
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
