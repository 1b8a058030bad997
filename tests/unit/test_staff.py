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


# --- issue 20 item 10: look-up by betalings-id and name, reminder stages, plans, audit view ---


MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


def _claim(factory, claim_no: str):
    from core.ledger_models import Claim

    with factory() as session:
        return session.execute(select(Claim).where(Claim.claim_no == claim_no)).scalar_one()


def _audit_entries(factory):
    with factory() as session:
        return session.execute(select(StaffAuditEntry).order_by(StaffAuditEntry.id)).scalars().all()


async def _staff_client(gateway, rasa, db_url, name="mette", role="staff", display_name=None):
    store.create_staff(make_session_factory(make_engine(db_url)), name, role, hash_password(PASSWORD), display_name)
    client = await gateway(rasa.url)
    await staff_login(client, name)
    return client, client.server.app[DB]


async def test_lookup_by_payment_id_takes_the_id_or_the_whole_fi_line(gateway, rasa, db_url):
    client, factory = await _staff_client(gateway, rasa, db_url)
    claim = _claim(factory, "DEMO-2-EJD")
    fi_line = f"+71<{claim.payment_id}+{claim.creditor_no}<"
    spaced = " ".join(claim.payment_id[i:i + 5] for i in range(0, 15, 5))
    for query in (fi_line, spaced):
        resp = await post(client, "/staff/api/citizen", {"kind": "payment_id", "query": query, "reason": "Opkald om rykker"})
        body = await resp.json()
        assert resp.status == 200 and body["found"] is True, query
        assert body["citizen"]["name"] == "Demo Borger 2" and body["citizen"]["cpr_masked"] == "010100-****"
        assert "0101000002" not in str(body)
    entries = _audit_entries(factory)
    assert [(e.search_kind, e.search_text, e.cpr_masked, e.outcome) for e in entries] == [
        ("payment_id", claim.payment_id, "010100-****", "found")] * 2
    assert entries[0].citizen_ref == body["citizen"]["ref"]

    # A typo in the number (the check digit no longer fits) is refused before any search.
    wrong = claim.payment_id[:-1] + str((int(claim.payment_id[-1]) + 1) % 10)
    resp = await post(client, "/staff/api/citizen", {"kind": "payment_id", "query": wrong, "reason": "Opkald om rykker"})
    assert resp.status == 400 and "kontrolcifferet" in (await resp.json())["error"]
    resp = await post(client, "/staff/api/citizen", {"kind": "payment_id", "query": "12345", "reason": "Opkald om rykker"})
    assert resp.status == 400 and "15 cifre" in (await resp.json())["error"]
    assert len(_audit_entries(factory)) == 2
    # A well-formed id nobody has: audited as not found.
    from core.ledger import make_payment_id

    resp = await post(client, "/staff/api/citizen",
                      {"kind": "payment_id", "query": make_payment_id(424242), "reason": "Opkald om rykker"})
    body = await resp.json()
    assert resp.status == 200 and body["found"] is False and body["citizen"] is None
    assert _audit_entries(factory)[-1].outcome == "not_found"


async def test_lookup_by_name_folds_danish_letters_and_lists_several(gateway, rasa, db_url):
    from core.ledger import import_csv_text

    client, factory = await _staff_client(gateway, rasa, db_url)
    import_csv_text(factory, "type;cpr;name;claim_no;bill_type;description;amount;due_date;status;civil_law;"
                             "payment_id;creditor_no;reminder;date;payment_ref\n"
                             "citizen;020200-0001;Søren Ærø Åberg;;;;;;;;;;;;\n")
    for query in ("soeren aeroe", "SØREN ÆRØ", "sør aab"):
        resp = await post(client, "/staff/api/citizen", {"kind": "name", "query": query, "reason": "Opkald om regning"})
        body = await resp.json()
        assert resp.status == 200 and body["found"] is True, query
        assert body["citizen"]["name"] == "Søren Ærø Åberg" and body["citizen"]["cpr_masked"] == "020200-****"

    # Several citizens: a choice list of name and masked CPR, nothing more.
    resp = await post(client, "/staff/api/citizen", {"kind": "name", "query": "demo borger", "reason": "Opkald om regning"})
    body = await resp.json()
    assert resp.status == 200 and body["outcome"] == "several" and body["citizen"] is None
    assert [m["name"] for m in body["matches"]] == [f"Demo Borger {n}" for n in range(1, 7)]
    assert {tuple(sorted(m)) for m in body["matches"]} == {("cpr_masked", "name", "ref")}
    assert all(m["cpr_masked"] == "010100-****" for m in body["matches"])
    assert "DEMO-" not in str(body) and "kr." not in str(body)
    last = _audit_entries(factory)[-1]
    assert (last.search_kind, last.search_text, last.outcome, last.citizen_ref) == ("name", "demo borger", "several", None)

    # Choosing one repeats the search with its ref: audited as found, then the data.
    chosen = body["matches"][2]
    resp = await post(client, "/staff/api/citizen",
                      {"kind": "name", "query": "demo borger", "reason": "Opkald om regning", "ref": chosen["ref"]})
    body = await resp.json()
    assert resp.status == 200 and body["citizen"]["name"] == "Demo Borger 3"
    last = _audit_entries(factory)[-1]
    assert (last.search_kind, last.outcome, last.citizen_ref) == ("name", "found", chosen["ref"])
    # A ref the search did not find cannot be opened this way (and nothing is logged or shown).
    count = len(_audit_entries(factory))
    resp = await post(client, "/staff/api/citizen",
                      {"kind": "name", "query": "søren", "reason": "Opkald om regning", "ref": chosen["ref"]})
    assert resp.status == 409 and "Demo Borger" not in await resp.text()
    assert len(_audit_entries(factory)) == count

    resp = await post(client, "/staff/api/citizen", {"kind": "name", "query": "x", "reason": "Opkald om regning"})
    assert resp.status == 400 and "2 bogstaver" in (await resp.json())["error"]


async def test_name_search_with_too_many_matches_shows_none(gateway, rasa, db_url, monkeypatch):
    from core import ledger

    monkeypatch.setattr(ledger, "MAX_NAME_MATCHES", 3)
    monkeypatch.setattr("bot.citizens.MAX_NAME_MATCHES", 3)
    client, factory = await _staff_client(gateway, rasa, db_url)
    resp = await post(client, "/staff/api/citizen", {"kind": "name", "query": "Demo", "reason": "Opkald om regning"})
    body = await resp.json()
    assert resp.status == 200 and body["outcome"] == "too_many" and body["matches"] == [] and body["more_than"] == 3
    assert "Demo Borger" not in str(body)
    assert _audit_entries(factory)[-1].outcome == "too_many"


@pytest.mark.parametrize("reason", [".....", "          ", "- - - - - -", "?!?!?!?!", "…………", "ab.cd", "_-_-_-_"])
async def test_reason_of_dots_dashes_or_spaces_is_refused(gateway, rasa, db_url, reason):
    client, factory = await _staff_client(gateway, rasa, db_url)
    resp = await post(client, "/staff/api/citizen", {"kind": "cpr", "query": "010100-0002", "reason": reason})
    body = await resp.json()
    assert resp.status == 400 and "mindst 5 bogstaver eller tal" in body["error"]
    assert "Demo Borger" not in str(body)
    assert _audit_entries(factory) == []


@pytest.mark.parametrize("reason", ["Opkald 12", "Sag 2026-1234", "rykker"])
async def test_a_real_reason_is_accepted(gateway, rasa, db_url, reason):
    client, factory = await _staff_client(gateway, rasa, db_url)
    resp = await post(client, "/staff/api/citizen", {"kind": "cpr", "query": "010100-0002", "reason": reason})
    assert resp.status == 200 and (await resp.json())["found"] is True
    assert [e.reason for e in _audit_entries(factory)] == [reason]


LOOKUPS = [
    ("cpr", "010100-0002", "found"),
    ("payment_id", "DEMO-2-EJD", "found"),  # the claim's betalings-id, read from the database
    ("name", "demo borger 2", "found"),
    ("name", "demo borger", "several"),
]


def _query(factory, kind: str, query: str) -> str:
    return _claim(factory, query).payment_id if kind == "payment_id" else query


@pytest.mark.parametrize("kind,query,outcome", LOOKUPS)
async def test_no_citizen_data_without_its_audit_row(gateway, rasa, db_url, monkeypatch, kind, query, outcome):
    client, factory = await _staff_client(gateway, rasa, db_url)
    query = _query(factory, kind, query)

    def audit_fails(*args, **kwargs):
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(store, "audit_lookup", audit_fails)
    resp = await post(client, "/staff/api/citizen", {"kind": kind, "query": query, "reason": "Opkald om rykker"})
    text = await resp.text()
    assert resp.status == 500
    for secret in ("Demo Borger", "010100", "DEMO-", "kr."):
        assert secret not in text, secret


@pytest.mark.parametrize("kind,query,outcome", LOOKUPS)
async def test_audit_row_is_written_before_the_data_is_read(gateway, rasa, db_url, monkeypatch, kind, query, outcome):
    from bot import citizens

    client, factory = await _staff_client(gateway, rasa, db_url)
    query = _query(factory, kind, query)
    events = []
    real_audit, real_view = store.audit_lookup, citizens.view

    def audit(*args, **kwargs):
        events.append("audit")
        return real_audit(*args, **kwargs)

    def view(*args, **kwargs):
        events.append("view")
        return real_view(*args, **kwargs)

    monkeypatch.setattr(store, "audit_lookup", audit)
    monkeypatch.setattr(citizens, "view", view)
    resp = await post(client, "/staff/api/citizen", {"kind": kind, "query": query, "reason": "Opkald om rykker"})
    body = await resp.json()
    assert resp.status == 200 and body["outcome"] == outcome
    assert events == (["audit", "view"] if outcome == "found" else ["audit"])
    (entry,) = _audit_entries(factory)
    assert (entry.staff_username, entry.search_kind, entry.outcome) == ("mette", kind, outcome)
    with factory() as session:  # the full CPR number is nowhere in the audit log
        raw = session.execute(select(StaffAuditEntry.__table__)).fetchall()
    assert "0101000002" not in str(raw) and "010100-0002" not in str(raw)


async def test_lookup_shows_reminder_stage_fees_and_next_steps_as_the_citizen_sees_them(gateway, rasa, db_url):
    from core import ledger
    from core.ledger_answers import claim_line, next_steps, render_overview
    from knowledge.money import format_kr

    client, factory = await _staff_client(gateway, rasa, db_url)
    resp = await post(client, "/staff/api/citizen", {"kind": "cpr", "query": "010100-0005", "reason": "Opkald om rykker"})
    citizen = (await resp.json())["citizen"]
    claim = next(c for c in citizen["claims"] if c["claim_no"] == "DEMO-5-EJD")
    stored = _claim(factory, "DEMO-5-EJD")
    with factory() as session:
        from core.ledger_models import Reminder

        reminders = session.execute(
            select(Reminder).where(Reminder.claim_id == stored.id).order_by(Reminder.sent_on)).scalars().all()
    assert [r.kind for r in reminders] == ["rykker", "varsling"]  # the demo data this test relies on
    assert claim["reminders"] == [
        {"kind": r.kind, "label": r.kind.capitalize(), "sent": f"{r.sent_on.day}. {MONTHS[r.sent_on.month - 1]} {r.sent_on.year}",
         "fee": format_kr(r.fee)}
        for r in reminders
    ]
    last = reminders[-1].sent_on
    assert claim["stage"] == f"Trin 2 af 3: varsling sendt {last.day}. {MONTHS[last.month - 1]} {last.year}"
    assert claim["fees"] == format_kr(sum(r.fee for r in reminders))
    assert claim["original"] == format_kr(stored.amount)
    assert claim["amount"] == format_kr(stored.amount + sum(r.fee for r in reminders))
    assert claim["payment_id"] == f"+71<{stored.payment_id}+{stored.creditor_no}<"
    # The very words of the bot: the line of the citizen's own overview, and the next steps.
    ov = ledger.overview(factory, citizen["ref"])
    view = ov.claim("DEMO-5-EJD")
    assert claim["citizen_text"] == claim_line(view, ov.today)
    assert claim["citizen_text"] in render_overview(ov)
    assert claim["next_steps"] == next_steps(view) and "underretning om udlæg" in claim["next_steps"]
    assert "(sendt: rykker, varsling)" in claim["citizen_text"]
    assert citizen["applications"] == []
    other = next(c for c in citizen["claims"] if c["claim_no"] != "DEMO-5-EJD")
    assert other["stage"] == "Ingen rykker sendt" and other["reminders"] == [] and other["fees"] == "0,00 kr."



async def test_lookup_shows_plan_applications_with_status_and_date(gateway, rasa, db_url):
    from datetime import date
    from decimal import Decimal

    from core import ledger

    client, factory = await _staff_client(gateway, rasa, db_url)
    resp = await post(client, "/staff/api/citizen", {"kind": "name", "query": "Demo Borger 3", "reason": "Opkald om afdrag"})
    citizen = (await resp.json())["citizen"]
    today = date.today()  # the demo plan application is made when the demo data is seeded
    assert citizen["applications"] == [{
        "claim_no": "DEMO-3-DAG", "description": "Forældrebetaling, daginstitution (demo)", "monthly": "1.000,00 kr.",
        "status": "godkendt", "date": f"{today.day}. {MONTHS[today.month - 1]} {today.year}",
    }]
    assert next(c for c in citizen["claims"] if c["claim_no"] == "DEMO-3-DAG")["status"] == "i afdragsordning"

    # An application the citizen has just sent from the chat shows as received.
    ref2 = (await (await post(client, "/staff/api/citizen",
                              {"kind": "cpr", "query": "010100-0002", "reason": "Opkald om afdrag"})).json())["citizen"]["ref"]
    ledger.apply_for_plan(factory, ref2, "DEMO-2-EJD", Decimal("500.00"), "test-key-1")
    resp = await post(client, "/staff/api/citizen", {"kind": "cpr", "query": "010100-0002", "reason": "Opkald om afdrag"})
    (application,) = (await resp.json())["citizen"]["applications"]
    assert (application["claim_no"], application["monthly"], application["status"]) == (
        "DEMO-2-EJD", "500,00 kr.", "modtaget, under behandling")


async def test_audit_view_is_danish_with_names_and_local_time(gateway, rasa, db_url):
    from datetime import datetime, timezone

    client, factory = await _staff_client(gateway, rasa, db_url, display_name="Mette Hansen")
    add_user(db_url, "sofie", "supervisor")
    await post(client, "/staff/api/citizen", {"kind": "name", "query": "demo borger 2", "reason": "Opkald om rykker"})
    payment_id = _claim(factory, "DEMO-5-EJD").payment_id
    await post(client, "/staff/api/citizen", {"kind": "payment_id", "query": payment_id, "reason": "Sag 2026-17"})
    await post(client, "/staff/api/citizen", {"kind": "name", "query": "demo", "reason": "Opkald om regning"})
    with factory.begin() as session:  # winter (UTC+1), summer (UTC+2) and a naive (UTC) time
        first, second, third = session.execute(select(StaffAuditEntry).order_by(StaffAuditEntry.id)).scalars().all()
        first.at = datetime(2026, 12, 4, 20, 5, tzinfo=timezone.utc)
        second.at = datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)
        third.at = datetime(2026, 5, 31, 22, 30)
    await staff_login(client, "sofie")
    rows = (await (await client.get("/staff/api/audit")).json())["rows"]
    by_reason = {r["reason"]: r for r in rows}
    assert by_reason["Opkald om rykker"]["at_local"] == "4. dec. 2026 kl. 21:05"
    assert by_reason["Sag 2026-17"]["at_local"] == "1. juli 2026 kl. 12:00"
    assert by_reason["Opkald om regning"]["at_local"] == "1. juni 2026 kl. 00:30"
    row = by_reason["Opkald om rykker"]
    assert (row["staff"], row["staff_name"], row["kind_label"], row["search_text"], row["cpr_masked"],
            row["outcome_label"]) == ("mette", "Mette Hansen", "Navn", "demo borger 2", "010100-****", "Fundet")
    row = by_reason["Sag 2026-17"]
    assert (row["kind_label"], row["search_text"], row["outcome_label"]) == ("Betalings-ID", payment_id, "Fundet")
    row = by_reason["Opkald om regning"]
    assert (row["outcome_label"], row["cpr_masked"], row["citizen_ref"]) == ("Flere fundet – liste vist", "******-****", None)
    assert "0101000002" not in str(rows)


def test_cli_stores_display_name(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["create-user", "mette", "--display-name", "Mette Hansen", "--password-stdin", "--url", db_url]) == 0
    factory = make_session_factory(make_engine(db_url))
    assert store.display_names(factory) == {"mette": "Mette Hansen"}
    assert cli.main(["set-display-name", "mette", "Mette Højgaard", "--url", db_url]) == 0
    assert store.display_names(factory) == {"mette": "Mette Højgaard"}
    assert cli.main(["set-display-name", "ukendt", "X", "--url", db_url]) == 2


async def test_search_results_show_no_keyword_lists(gateway, rasa, db_url):
    from knowledge.issuers import load_issuers

    client, _ = await _staff_client(gateway, rasa, db_url)
    renovation = next(i for i in load_issuers() if i.id == "renovation")
    # Found by a synonym the result does not show.
    body = await (await client.get("/staff/api/search", params={"q": "skrald"})).json()
    hit = next(r for r in body["results"] if "Affaldskontoret" in r["title"])
    assert "skrald" not in (hit["title"] + hit["body"]).lower()
    for query in ("renovation", "svømmehal", "rykker", "affald", "parkering", "bibliotek"):
        body = await (await client.get("/staff/api/search", params={"q": query})).json()
        assert any(r["kind"] == "issuer" for r in body["results"]), query
        for r in body["results"]:
            assert set(r) == {"kind", "title", "body", "source"}
            assert "søgeord" not in r["body"].lower(), r
        if query == "renovation":
            hit = next(r for r in body["results"] if r["kind"] == "issuer")
            office, phone = renovation.office_in_sentence, renovation.phone
            assert hit["body"] == f"Regningen {renovation.bill_phrase} sendes af {office}, tlf. {phone}."
            assert not any(", ".join(renovation.synonyms[:2]) in r["body"] for r in body["results"])
