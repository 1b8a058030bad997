"""The staff console: account CLI (argon2), login and timeouts, search, CPR look-up with an
audit row, the supervisors' audit view, "what would the bot answer", the content view."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import select

from bot import store
from bot.staff import __main__ as cli
from bot.staff.auth import STAFF_COOKIE, hash_password, verify_password
from bot.staff.search import SearchIndex
from bot.state import DB
from core.db import make_engine, make_session_factory
from core.gateway_models import StaffAuditEntry, StaffUser
from core.settings import load_settings
from tests.unit.test_gateway import (  # noqa: F401 - fixtures
    CSRF, actions_url, chat, clock, db_url, gateway, migrated_db, origin, rasa,
)

PASSWORD = "korrekt-hest-batteri-42"


def add_user(db_url: str, name: str, role: str = "staff", password: str = PASSWORD) -> None:
    store.create_staff(make_session_factory(make_engine(db_url)), name, role, hash_password(password))


async def staff_login(client, name: str, password: str = PASSWORD):
    return await client.post("/staff/api/login", json={"username": name, "password": password},
                             headers={**CSRF, "Origin": origin(client)})


def post(client, path, body):
    return client.post(path, json=body, headers={**CSRF, "Origin": origin(client)})


# --- accounts ------------------------------------------------------------------------------


def test_cli_creates_user_with_argon2_hash_from_stdin(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["create-user", "mette", "--role", "supervisor", "--password-stdin", "--url", db_url]) == 0
    with make_session_factory(make_engine(db_url))() as session:
        user = session.execute(select(StaffUser)).scalar_one()
    assert user.username == "mette" and user.role == "supervisor"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD) and not verify_password(user.password_hash, "forkert")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["create-user", "mette", "--password-stdin", "--url", db_url]) == 2  # taken
    assert "already exists" in capsys.readouterr().err


def test_cli_refuses_short_password_and_bad_role(db_url, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert cli.main(["create-user", "ole", "--password-stdin", "--url", db_url]) == 2
    with pytest.raises(SystemExit):
        cli.main(["create-user", "ole", "--role", "admin", "--url", db_url])


def test_cli_prompts_twice_when_interactive(db_url, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.create_user("ida", "staff", False, db_url) == 0


# --- login and timeouts ----------------------------------------------------------------------


async def test_login_sets_secure_cookie_and_me_works(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    assert (await client.get("/staff/api/me")).status == 401
    resp = await staff_login(client, "mette")
    assert resp.status == 200 and (await resp.json())["role"] == "staff"
    cookie = resp.cookies[STAFF_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/staff"
    me = await client.get("/staff/api/me")
    assert me.status == 200 and (await me.json())["username"] == "mette"
    assert me.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name,password", [("mette", "forkert-forkert"), ("ukendt", PASSWORD), ("mette", "")])
async def test_login_failures_look_the_same(gateway, rasa, db_url, name, password):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    resp = await staff_login(client, name, password)
    assert resp.status == 401
    assert (await resp.json())["error"] == "Forkert brugernavn eller adgangskode."


async def test_login_needs_csrf_header_and_is_rate_limited(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url, staff_login_per_minute=3)
    resp = await client.post("/staff/api/login", json={"username": "mette", "password": PASSWORD})
    assert resp.status == 403
    statuses = [(await staff_login(client, "mette", "forkert-forkert")).status for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


async def test_idle_and_absolute_timeouts(gateway, rasa, db_url, clock):
    add_user(db_url, "mette")
    client = await gateway(rasa.url, staff_idle_seconds=60, staff_absolute_seconds=150)
    await staff_login(client, "mette")
    clock.advance(59)
    assert (await client.get("/staff/api/me")).status == 200
    clock.advance(61)
    resp = await client.get("/staff/api/me")
    body = await resp.json()
    assert resp.status == 401 and body["expired"] is True and "inaktiv" in body["error"]
    await staff_login(client, "mette")
    for _ in range(3):
        clock.advance(50)
        last = await client.get("/staff/api/me")
    assert last.status == 401  # 150 s in all, although never idle for 60 s


async def test_logout(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    await staff_login(client, "mette")
    assert (await post(client, "/staff/api/logout", {})).status == 200
    assert (await client.get("/staff/api/me")).status == 401


# --- search ------------------------------------------------------------------------------------


async def test_search_finds_faq_issuer_and_tariff(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    await staff_login(client, "mette")
    body = await (await client.get("/staff/api/search", params={"q": "renovation"})).json()
    kinds = {r["kind"] for r in body["results"]}
    assert "issuer" in kinds
    assert any("Affaldskontoret" in r["title"] for r in body["results"])
    body = await (await client.get("/staff/api/search", params={"q": "pas"})).json()
    assert any(r["kind"] == "tariff" and "Pas" in r["title"] for r in body["results"])
    body = await (await client.get("/staff/api/search", params={"q": "betaling"})).json()
    assert any(r["kind"] == "faq" for r in body["results"])
    assert (await (await client.get("/staff/api/search", params={"q": ""})).json())["results"] == []


def test_search_latency_benchmark():
    """A benchmark print (run with -s), not a timed assertion."""
    index = SearchIndex.build(load_settings({}).tariff_catalogue)
    times = []
    for _ in range(5):
        for query in cli.BENCH_QUERIES:
            t = time.perf_counter()
            index.search(query)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"\nstaff search per keystroke over {len(index.docs)} docs: "
          f"p50 {times[len(times) // 2]:.2f} ms, max {times[-1]:.2f} ms")
    assert len(index.docs) > 500


# --- citizen look-up and audit ---------------------------------------------------------------


async def test_cpr_lookup_needs_reason_and_writes_audit_row(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    await staff_login(client, "mette")
    resp = await post(client, "/staff/api/citizen", {"cpr": "010100-0001", "reason": ""})
    assert resp.status == 400 and "begrundelse" in (await resp.json())["error"]
    resp = await post(client, "/staff/api/citizen", {"cpr": "12345", "reason": "opkald om rykker"})
    assert resp.status == 400
    factory = client.server.app[DB]
    with factory() as session:
        assert session.execute(select(StaffAuditEntry)).first() is None  # refused: nothing looked up
    resp = await post(client, "/staff/api/citizen", {"cpr": "010100-0001", "reason": "Opkald om rykker"})
    body = await resp.json()
    assert resp.status == 200 and body["found"] is True
    assert body["cpr_masked"] == "010100-****" and "0101000001" not in str(body)
    assert body["citizen"]["name"].startswith("Demo Borger")
    resp = await post(client, "/staff/api/citizen", {"cpr": "3112999999", "reason": "Opkald, ukendt"})
    assert (await resp.json())["found"] is False
    with factory() as session:
        entries = session.execute(select(StaffAuditEntry).order_by(StaffAuditEntry.id)).scalars().all()
    assert [(e.staff_username, e.cpr_masked, e.reason, e.outcome) for e in entries] == [
        ("mette", "010100-****", "Opkald om rykker", "found"),
        ("mette", "311299-****", "Opkald, ukendt", "not_found"),
    ]
    assert entries[0].citizen_ref == body["citizen"]["ref"] and entries[1].citizen_ref is None


async def test_audit_view_is_for_supervisors_only(gateway, rasa, db_url):
    add_user(db_url, "mette")
    add_user(db_url, "sofie", "supervisor")
    client = await gateway(rasa.url)
    await staff_login(client, "mette")
    await post(client, "/staff/api/citizen", {"cpr": "0101000002", "reason": "Opkald om renovation"})
    assert (await client.get("/staff/api/audit")).status == 403
    await staff_login(client, "sofie")
    resp = await client.get("/staff/api/audit")
    rows = (await resp.json())["rows"]
    assert resp.status == 200 and rows[0]["staff"] == "mette" and rows[0]["cpr_masked"] == "010100-****"


async def test_staff_api_needs_login(gateway, rasa):
    client = await gateway(rasa.url)
    for method, path in [("GET", "/staff/api/search?q=x"), ("POST", "/staff/api/citizen"),
                         ("GET", "/staff/api/audit"), ("POST", "/staff/api/preview"), ("GET", "/staff/api/content")]:
        resp = await client.request(method, path, json={}, headers={**CSRF, "Origin": origin(client)})
        assert resp.status == 401, path


# --- preview and content -----------------------------------------------------------------------


async def test_preview_uses_throwaway_sender_without_identity(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    await staff_login(client, "mette")
    for _ in range(2):
        resp = await post(client, "/staff/api/preview", {"question": "Hvad koster et pas?"})
        assert resp.status == 200
    first, second = rasa.received
    assert first["sender"].startswith("staff-preview-") and first["sender"] != second["sender"]
    assert first["metadata"] == {"channel": "koege-staff-preview"}
    assert (await resp.json())["messages"][0]["text"] == "rasa svarer: Hvad koster et pas?"


async def test_content_view_shows_unanswered_and_thumbs_down(gateway, rasa, db_url):
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    rasa.mode = "empty"
    await chat(client, "Kan I passe min kat?")
    rasa.mode = "ok"
    _, body = await chat(client, "Hvad koster en p-bøde?")
    await post(client, "/api/feedback", {"id": body["messages"][0]["id"], "rating": "down"})
    await staff_login(client, "mette")
    content = await (await client.get("/staff/api/content")).json()
    assert [r["question"] for r in content["unanswered"]] == ["Kan I passe min kat?"]
    assert [r["question"] for r in content["thumbs_down"]] == ["Hvad koster en p-bøde?"]


async def test_console_page_is_static_without_inline_script(gateway, rasa):
    client = await gateway(rasa.url)
    resp = await client.get("/staff")
    html = await resp.text()
    assert resp.status == 200 and '<script src="/static/staff.js" defer></script>' in html
    assert html.count("<script") == 1 and 'lang="da"' in html
    assert "frame-ancestors" in resp.headers["Content-Security-Policy"]


async def test_content_view_includes_tracker_store_report(gateway, rasa, db_url):
    """Rasa's SQL tracker store on the same database: grouped by scripts.report_unanswered."""
    import json as _json

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
            " intent_name TEXT, action_name TEXT, data TEXT)"
        )
        user = {"event": "user", "text": "Må jeg betale med guld?", "parse_data": {"intent": {"name": "nlu_fallback"}}}
        conn.exec_driver_sql(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
            ("web-1", "user", 1.0, _json.dumps(user)),
        )
    engine.dispose()
    add_user(db_url, "mette")
    client = await gateway(rasa.url)
    await staff_login(client, "mette")
    content = await (await client.get("/staff/api/content")).json()
    assert content["tracker_report"] is not None
    assert [r["text"] for r in content["tracker_report"]] == ["Må jeg betale med guld?"]


def test_search_puts_ranked_tariff_hits_first_and_survives_their_failure():
    from types import SimpleNamespace

    from bot.staff.search import make_doc

    docs = [make_doc("faq", "Betaling", "Sådan betaler du", "FAQ", "faq_pay"),
            make_doc("tariff", "Svømmehal voksen – 50,00 kr.", "Køge Svømmeland", "Takster", "L1"),
            make_doc("tariff", "Svømmehal barn – 25,00 kr.", "Køge Svømmeland", "Takster", "L2")]

    def ranked(text, limit=30):
        return [SimpleNamespace(row=SimpleNamespace(id="L2"), score=1.0)]

    assert [d.key for d in SearchIndex(docs, ranked).search("svømmehal")] == ["L2", "L1"]
    assert [d.key for d in SearchIndex(docs, None).search("svømmehal")] == ["L1", "L2"]

    def broken(text, limit=30):
        raise ValueError("cannot parse")

    assert [d.key for d in SearchIndex(docs, broken).search("svømmehal")] == ["L1", "L2"]
    assert [d.key for d in SearchIndex(docs, ranked).search("sv")] == ["L1", "L2"]  # short: scan only
