"""Issue 20 (items 3, 4, 6) over real HTTP against the fake Rasa of ``test_gateway``:
sessions are created lazily and under a per-IP budget, the session store evicts anonymous
sessions before logged-in ones, chat limits are per session with a per-IP ceiling, staff
login limits are per account at an IP, the Host allow-list, Danish JSON for huge bodies,
/metrics access and the production start-up checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from aiohttp.test_utils import TestServer

from bot import texts
from bot.app import create_app
from bot.config import ConfigError, GatewayConfig
from bot.state import SESSIONS
from core.identity import IdentityError, issue_token
from core.settings import DEV_IDENTITY_SECRET, ROOT, load_settings
from tests.unit.test_gateway import (  # noqa: F401 - fixtures
    CSRF, SECRET, actions_url, chat, clock, db_url, gateway, migrated_db, origin, rasa,
)
from tests.unit.test_gateway_features import demo_citizens, demo_login
from tests.unit.test_staff import PASSWORD, add_user, staff_login

TEN_MB = 10 * 1024 * 1024


def store_size(client) -> int:
    return len(client.server.app[SESSIONS].store)


# --- item 3: sessions --------------------------------------------------------------------


async def test_login_page_creates_no_server_side_session(gateway, rasa, db_url):
    client = await gateway(rasa.url)
    for _ in range(200):
        client.session.cookie_jar.clear()  # an attacker that drops every cookie
        assert (await client.get("/login")).status == 200
    assert store_size(client) == 0
    # The login itself still works, and creates the one session it needs.
    citizen = demo_citizens(db_url)[0]
    resp = await demo_login(client, citizen.ref)
    assert resp.status == 303 and resp.headers["Location"] == "/?login=1"
    assert store_size(client) == 1
    info = await (await client.get("/api/session")).json()
    assert info["verified"] is True and info["name"] == citizen.name


async def test_login_form_token_is_bound_to_its_own_browser(gateway, rasa, db_url, aiohttp_client):
    victim = await gateway(rasa.url)
    page = await (await victim.get("/login")).text()
    attacker = await aiohttp_client(victim.server)  # has the token from the page, not the cookie
    token = page.split('name="csrf" value="')[1].split('"')[0]
    resp = await attacker.post("/login/demo", data={"csrf": token, "citizen": demo_citizens(db_url)[0].ref},
                               headers={"Origin": origin(attacker)}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"
    assert store_size(victim) == 0


async def test_new_sessions_are_rate_limited_per_ip(gateway, rasa):
    client = await gateway(rasa.url, new_sessions_per_minute=5)
    await chat(client, "min samtale")
    mine = client.session.cookie_jar.filter_cookies(client.make_url("/"))
    statuses = []
    for i in range(6):
        client.session.cookie_jar.clear()
        resp, body = await chat(client, f"ny samtale {i}")
        statuses.append(resp.status)
    assert statuses == [200, 200, 200, 200, 429, 429]
    assert body["error"] == texts.ERROR_NEW_SESSIONS and int(resp.headers["Retry-After"]) >= 1
    assert store_size(client) == 5
    client.session.cookie_jar.update_cookies(mine, response_url=client.make_url("/"))  # an existing conversation carries on
    resp, body = await chat(client, "stadig mig")
    assert resp.status == 200 and body["session_expired"] is False


async def test_full_store_drops_anonymous_sessions_before_logged_in_citizens(gateway, rasa, db_url, aiohttp_client):
    citizen = await gateway(rasa.url, max_sessions=3)
    await demo_login(citizen, demo_citizens(db_url)[0].ref)
    flood = await aiohttp_client(citizen.server)
    for i in range(10):
        flood.session.cookie_jar.clear()
        assert (await chat(flood, f"fyld {i}"))[0].status == 200
    assert store_size(citizen) == 3
    assert citizen.server.app[SESSIONS].store.evicted == 8
    info = await (await citizen.get("/api/session")).json()
    assert info["verified"] is True  # the logged-in citizen was not logged out by the flood
    resp, body = await chat(citizen, "hvad skylder jeg?")
    assert resp.status == 200 and body["session_expired"] is False


# --- item 4: rate limits -----------------------------------------------------------------


async def test_citizens_behind_one_nat_each_get_their_own_budget(gateway, rasa, aiohttp_client):
    first = await gateway(rasa.url)  # the default limits
    office = [first] + [await aiohttp_client(first.server) for _ in range(4)]
    for client in office:  # five citizens, one IP, 20 messages each: 100 in a minute
        for i in range(20):
            resp, _ = await chat(client, f"spørgsmål {i}")
            assert resp.status == 200
    resp, body = await chat(office[0], "en for meget")
    assert resp.status == 429 and body["error"] == texts.ERROR_RATE_LIMITED
    neighbour = await aiohttp_client(first.server)
    assert (await chat(neighbour, "hej"))[0].status == 200


async def test_per_ip_ceiling_still_holds(gateway, rasa, aiohttp_client):
    first = await gateway(rasa.url, ip_rate_per_minute=30)
    clients = [first] + [await aiohttp_client(first.server) for _ in range(3)]
    statuses = [(await chat(c, f"besked {i}"))[0].status for i in range(10) for c in clients]
    assert statuses.count(200) == 30 and statuses[30:] == [429] * 10


async def test_staff_wrong_password_locks_out_only_that_account(gateway, rasa, db_url):
    add_user(db_url, "ole")
    add_user(db_url, "mette")
    client = await gateway(rasa.url)  # the default: 10 attempts per account and IP a minute
    statuses = [(await staff_login(client, "ole", "forkert-forkert")).status for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    resp = await staff_login(client, "mette")  # a colleague at the same office IP
    assert resp.status == 200 and (await resp.json())["username"] == "mette"
    assert (await staff_login(client, "OLE ")).status == 429  # the same account, spelled otherwise


async def test_staff_logins_have_a_per_ip_ceiling(gateway, rasa, db_url):
    client = await gateway(rasa.url, staff_login_ip_per_minute=5)
    statuses = [(await staff_login(client, f"bruger{i}", "forkert-forkert")).status for i in range(6)]
    assert statuses == [401] * 5 + [429]


# --- item 6: Host allow-list, huge bodies, /metrics, production start-up -------------------


async def test_unknown_host_is_refused_in_danish(gateway, rasa):
    client = await gateway(rasa.url)
    port = client.server.port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1", "",
                 f"localhost.evil.example:{port}", f"127.0.0.1:{port}:1"):
        resp = await client.get("/", headers={"Host": host})
        assert resp.status == 400, host
        assert (await resp.json()) == {"error": texts.ERROR_BAD_HOST}
    resp = await client.post("/api/chat", json={"message": "hej"},
                             headers={**CSRF, "Host": "evil.example", "Origin": "http://evil.example"})
    assert resp.status == 400 and rasa.received == []
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert (await client.get("/", headers={"Host": host})).status == 200, host
    assert (await client.get("/healthz", headers={"Host": "10.1.2.3:8080"})).status == 200  # probes


async def test_configured_hosts_are_served_and_others_refused(gateway, rasa):
    client = await gateway(rasa.url, allowed_hosts=frozenset({"chat.koege.dk", "intern.koege.dk:8443"}))
    assert (await client.get("/", headers={"Host": "chat.koege.dk"})).status == 200
    assert (await client.get("/", headers={"Host": "Chat.Koege.dk:443"})).status == 200
    assert (await client.get("/", headers={"Host": "intern.koege.dk:8443"})).status == 200
    assert (await client.get("/", headers={"Host": "intern.koege.dk"})).status == 400
    assert (await client.get("/", headers={"Host": f"127.0.0.1:{client.server.port}"})).status == 400
    resp, body = await chat(client, "hej")  # the test client's own Host is not on the list
    assert resp.status == 400 and body == {"error": texts.ERROR_BAD_HOST}


@pytest.mark.parametrize("path", ["/login/demo", "/staff/api/login", "/api/chat"])
async def test_ten_megabyte_body_gets_the_danish_json_error(gateway, rasa, path):
    client = await gateway(rasa.url)
    kind = "application/x-www-form-urlencoded" if path == "/login/demo" else "application/json"
    headers = {**CSRF, "Origin": origin(client), "Content-Type": kind}
    resp = await client.post(path, data=b"a" * TEN_MB, headers=headers)
    assert resp.status == 413 and resp.content_type == "application/json"
    assert (await resp.json()) == {"error": texts.ERROR_TOO_LARGE}

    async def chunks():  # no Content-Length: the limit is hit while reading
        for _ in range(20):
            yield b"a" * 65536

    resp = await client.post(path, data=chunks(), headers=headers)
    assert resp.status == 413 and (await resp.json()) == {"error": texts.ERROR_TOO_LARGE}


def _non_loopback_address() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127."):
        pytest.skip("this machine has no non-loopback IPv4 address to test a LAN peer with")
    return address


async def test_metrics_without_token_only_for_loopback_peers(aiohttp_server, aiohttp_client, rasa, db_url):
    """A LAN peer (here: this machine's own non-loopback address) no longer reads /metrics
    without the token; loopback still does in a local run, and the token always does."""
    settings = load_settings({"RASA_URL": rasa.url, "DATABASE_URL": db_url, "IDENTITY_SECRET": SECRET})
    address = _non_loopback_address()
    lan = await aiohttp_client(TestServer(create_app(settings, GatewayConfig(health_interval_seconds=0)),
                                          host=address))
    assert lan.server.host == address
    assert (await lan.get("/metrics")).status == 404
    local = await aiohttp_client(create_app(settings, GatewayConfig(health_interval_seconds=0)))
    assert (await local.get("/metrics")).status == 200
    token_app = create_app(settings, GatewayConfig(health_interval_seconds=0, metrics_token="t" * 32))
    token_client = await aiohttp_client(TestServer(token_app, host=address))
    assert (await token_client.get("/metrics")).status == 404
    resp = await token_client.get("/metrics", headers={"Authorization": "Bearer " + "t" * 32})
    assert resp.status == 200 and "koege_gateway_turns_in_flight" in await resp.text()


def test_production_refuses_the_dev_secret_and_missing_settings(rasa):
    settings = load_settings({"KOEGE_DEMO_MODE": "false", "RASA_URL": "http://127.0.0.1:9"})
    assert settings.identity_secret == DEV_IDENTITY_SECRET
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    message = str(refused.value)
    assert "IDENTITY_SECRET" in message and "GATEWAY_ALLOWED_HOSTS" in message and "GATEWAY_METRICS_TOKEN" in message
    with pytest.raises(IdentityError):
        issue_token("citizen-1", "web-1", settings)
    demo = load_settings({})
    assert issue_token("citizen-1", "web-1", demo)  # demo mode: the dev value is fine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_gateway_process_refuses_to_start_then_serves_when_configured(tmp_path, migrated_db):
    """The real ``python -m bot``: refuses the committed dev secret, and with every production
    setting serves only the allowed Host and /metrics only with the token."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "IDENTITY_", "KOEGE_"))}
    env.update({"PYTHONPATH": str(ROOT), "KOEGE_DEMO_MODE": "false", "GATEWAY_PORT": str(port),
                "RASA_URL": "http://127.0.0.1:9", "DATABASE_URL": f"sqlite:///{migrated_db}"})
    refused = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
    assert refused.returncode == 2
    assert "IDENTITY_SECRET is the public development value" in refused.stderr
    token = "prometheus-" + "k" * 24
    env.update({"IDENTITY_SECRET": "p" * 48, "GATEWAY_ALLOWED_HOSTS": "chat.koege.example",
                "GATEWAY_METRICS_TOKEN": token})
    proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / "gateway.log", "wb"))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, (tmp_path / "gateway.log").read_text()
            assert time.monotonic() < deadline, "gateway did not start"
            time.sleep(0.5)
        evil = requests.get(f"{base}/", headers={"Host": "evil.example"}, timeout=5)
        assert evil.status_code == 400 and evil.json() == {"error": texts.ERROR_BAD_HOST}
        assert requests.get(f"{base}/", headers={"Host": "chat.koege.example"}, timeout=5).status_code == 200
        assert requests.get(f"{base}/metrics", timeout=5).status_code == 404  # loopback, no token
        scraped = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert scraped.status_code == 200 and "koege_gateway_turns_total" in scraped.text
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_readme_says_the_dev_secret_is_for_demo_only():
    readme = (Path(ROOT) / "bot" / "README.md").read_text(encoding="utf-8")
    assert "IDENTITY_SECRET" in readme and DEV_IDENTITY_SECRET in readme


async def test_no_server_software_or_version_is_sent(gateway, rasa):
    """aiohttp announces "Python/3.10 aiohttp/<version>"; the gateway names no version."""
    client = await gateway(rasa.url)
    for path in ("/", "/healthz", "/static/widget.js", "/no-such-page"):
        resp = await client.get(path)
        assert "aiohttp" not in resp.headers.get("Server", "") and "Python" not in resp.headers.get("Server", "")
