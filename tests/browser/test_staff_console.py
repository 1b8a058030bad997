"""The phone-staff console in a real browser: login, search, citizen look-up (CPR number,
betalings-ID, name) and audit, expiry, and nothing left behind after logout."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.helpers import axe_violations, staff_login

pytestmark = pytest.mark.browser


def test_console_search_lookup_audit_and_preview(page, browser_stack, axe_source, artifacts):
    base = browser_stack["gateway"]
    page.goto(base + "/staff")
    page.locator("#st-login:not([hidden])").wait_for()
    assert axe_violations(page, axe_source) == []
    staff_login(page, base, "supervisor1")

    # Instant search: results appear while typing, without pressing Enter.
    page.locator("#st-search").press_sequentially("renovat", delay=40)
    page.locator("#st-results li", has_text="Affaldskontoret").first.wait_for()
    page.fill("#st-search", "")
    page.locator("#st-search").press_sequentially("svømme", delay=40)
    page.locator("#st-results li", has_text="Takst").first.wait_for()

    # CPR look-up: refused without a reason, then audited; CPR masked unless asked.
    page.fill("#st-lookup", "010100-0001")
    page.click("#st-citizen-form button[type=submit]")
    page.locator("#st-citizen", has_text="begrundelse").wait_for()
    page.fill("#st-lookup", "010100-0001")
    page.fill("#st-reason", "Borger ringer om rykker (browsertest)")
    page.click("#st-citizen-form button[type=submit]")
    page.locator("#st-citizen h3").wait_for()
    assert page.locator(".st-cpr").inner_text() == "010100-****"
    assert "0101000001" not in page.locator("#st-citizen").inner_text()
    page.get_by_role("button", name="Vis fuldt CPR-nummer").click()
    assert page.locator(".st-cpr").inner_text() == "010100-0001"
    page.get_by_role("button", name="Skjul CPR-nummer").click()
    engine = create_engine(browser_stack["db_url"])
    with engine.connect() as conn:
        audit = conn.execute(text("SELECT staff_username, cpr_masked, reason, outcome FROM staff_audit_log")).fetchall()
    engine.dispose()
    assert ("supervisor1", "010100-****", "Borger ringer om rykker (browsertest)", "found") in [tuple(r) for r in audit]

    page.click("#st-audit-load")
    page.locator("#st-audit td", has_text="Borger ringer om rykker (browsertest)").wait_for()

    page.fill("#st-question", "Hvem sender regningen for renovation?")
    page.click("#st-preview-form button[type=submit]")
    page.locator("#st-preview .st-bot", has_text="Affaldskontoret").wait_for()

    page.click("#st-content-load")
    page.locator("#st-content h3").first.wait_for()
    assert axe_violations(page, axe_source) == []
    page.screenshot(path=str(artifacts / "staff-console.png"), full_page=True)


def test_staff_without_supervisor_role_has_no_audit_view(page, browser_stack):
    staff_login(page, browser_stack["gateway"], "telefon1")
    assert page.locator("#st-audit-section").is_hidden()


def test_staff_login_expires_when_idle(page, browser_stack):
    staff_login(page, browser_stack["short"], "telefon1")
    time.sleep(5)  # the short gateway's staff idle timeout is 4 s
    page.locator("#st-search").press_sequentially("pas", delay=20)
    page.locator("#st-login:not([hidden])").wait_for()
    assert "inaktiv" in page.locator("#st-message").inner_text()


# --- issue 20 item 1: nothing of one login survives into the next --------------------------
PANELS = ("#st-results", "#st-matches", "#st-citizen", "#st-preview", "#st-content", "#st-audit")
FIELDS = ("#st-search", "#st-lookup", "#st-reason", "#st-question", "#st-password")


def _look_up_and_show_full_cpr(page, reason: str) -> str:
    page.fill("#st-lookup", "010100-0001")
    page.fill("#st-reason", reason)
    page.click("#st-citizen-form button[type=submit]")
    page.locator("#st-citizen h3").wait_for()
    name = page.locator("#st-citizen h3").inner_text()
    page.get_by_role("button", name="Vis fuldt CPR-nummer").click()
    assert page.locator(".st-cpr").inner_text() == "010100-0001"
    return name


def _assert_nothing_left(page, citizen_name: str) -> None:
    for panel in PANELS:
        assert page.locator(panel).evaluate("n => n.childNodes.length") == 0, panel
    for field in FIELDS:
        assert page.locator(field).input_value() == "", field
    assert page.locator("#st-search-count").inner_text() == ""
    assert page.locator("#st-kind-cpr").is_checked()  # the look-up form starts over
    html = page.content()
    for secret in ("010100-0001", "0101000001", "010100-****", citizen_name):
        assert secret not in html, secret


def _audit(db_url: str):
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT staff_username, reason FROM staff_audit_log")).fetchall()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_logout_clears_every_panel_before_the_next_login(page, browser_stack):
    base = browser_stack["gateway"]
    staff_login(page, base, "supervisor1")
    page.locator("#st-search").press_sequentially("renovat", delay=20)
    page.locator("#st-results li").first.wait_for()
    name = _look_up_and_show_full_cpr(page, "Opkald om rykker (logud-test)")
    page.click("#st-audit-load")
    page.locator("#st-audit td", has_text="logud-test").first.wait_for()
    page.fill("#st-question", "Hvem sender regningen for renovation?")
    page.click("#st-preview-form button[type=submit]")
    page.locator("#st-preview .st-bot").first.wait_for()
    page.click("#st-content-load")
    page.locator("#st-content h3").first.wait_for()

    page.click("#st-logout")
    page.locator("#st-login:not([hidden])").wait_for()
    assert page.locator("#st-message").inner_text() == "Du er logget ud."
    _assert_nothing_left(page, name)

    # The next user logs in in the same tab (no reload): an empty console, and indeed the
    # audit log holds no look-up by them.
    page.fill("#st-username", "telefon1")
    page.fill("#st-password", STAFF_PASSWORD)
    page.click("#st-login-form button[type=submit]")
    page.locator("#st-whoami", has_text="telefon1").wait_for()
    _assert_nothing_left(page, name)
    assert page.locator("#st-audit-section").is_hidden()
    assert not [r for r in _audit(browser_stack["db_url"]) if r[0] == "telefon1"]


def test_idle_expiry_clears_the_citizen_look_up(page, browser_stack):
    staff_login(page, browser_stack["short"], "telefon1")
    name = _look_up_and_show_full_cpr(page, "Opkald om rykker (udløbstest)")
    time.sleep(5)  # the short gateway's staff idle timeout is 4 s
    page.locator("#st-search").press_sequentially("pas", delay=20)  # answered with 401
    page.locator("#st-login:not([hidden])").wait_for()
    assert "inaktiv" in page.locator("#st-message").inner_text()
    _assert_nothing_left(page, name)


# --- issue 20 item 10: look-up by name and betalings-ID, reminder stages, plans, audit view ----


def _db_claim(db_url: str, claim_no: str):
    """The demo claim and its reminders as the ledger stores them (the test types no fees)."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        claim = conn.execute(text("SELECT id, payment_id, creditor_no FROM ledger_claims WHERE claim_no = :n"),
                             {"n": claim_no}).one()
        reminders = conn.execute(text("SELECT kind, sent_on, fee FROM ledger_reminders WHERE claim_id = :i "
                                      "ORDER BY sent_on"), {"i": claim.id}).fetchall()
    engine.dispose()
    return claim, reminders


def _look_up(page, kind: str, query: str, reason: str) -> None:
    page.check(f"#st-kind-{kind}")
    page.fill("#st-lookup", query)
    page.fill("#st-reason", reason)
    page.click("#st-citizen-form button[type=submit]")


def _audit_rows(db_url: str):
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT staff_username, search_kind, search_text, cpr_masked, reason, outcome "
                                 "FROM staff_audit_log")).fetchall()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_look_up_by_name_and_payment_id_shows_stage_fees_and_plan(page, browser_stack, axe_source, artifacts):
    from bot.citizens import danish_datetime
    from core.ledger_answers import danish_date, reminder_label
    from knowledge.money import format_kr

    base, db_url = browser_stack["gateway"], browser_stack["db_url"]
    staff_login(page, base, "supervisor1")

    # Layout: the look-up form comes before (above) the knowledge search and its results.
    page.locator("#st-search").press_sequentially("renovat", delay=20)
    page.locator("#st-results li").first.wait_for()
    form, results = page.locator("#st-citizen-form").bounding_box(), page.locator("#st-results").bounding_box()
    assert form["y"] + form["height"] <= results["y"]
    assert page.evaluate("""() => !!(document.querySelector('#st-citizen-form').compareDocumentPosition(
        document.querySelector('#st-results')) & Node.DOCUMENT_POSITION_FOLLOWING)""")

    # By name, folded and partial: several citizens give a choice list (name, masked CPR).
    _look_up(page, "name", "demo borger", "Opkald om afdrag (navnetest)")
    page.locator("#st-matches li").nth(5).wait_for()
    assert page.locator("#st-matches li").all_inner_texts() == [f"Demo Borger {n} (010100-****)" for n in range(1, 7)]
    assert page.locator("#st-citizen").evaluate("n => n.childNodes.length") == 0  # nothing opened yet
    page.get_by_role("button", name="Demo Borger 3 (010100-****)").click()
    page.locator("#st-citizen h3", has_text="Demo Borger 3").wait_for()
    plan = page.locator("#st-citizen table.st-applications")
    assert plan.locator("th").all_inner_texts() == ["Krav", "Kravnummer", "Beløb pr. måned", "Status", "Modtaget"]
    row = plan.locator("tbody tr").first.locator("td").all_inner_texts()
    assert row[1:4] == ["DEMO-3-DAG", "1.000,00 kr.", "godkendt"]
    assert page.get_by_role("button", name="Vis fuldt CPR-nummer").count() == 0  # the server never sent it

    # By betalings-ID (the whole FI line as printed on the card): reminder stage, dates, fees.
    claim, reminders = _db_claim(db_url, "DEMO-5-EJD")
    assert [r.kind for r in reminders] == ["rykker", "varsling"]  # the demo data this test relies on
    _look_up(page, "payment", f"+71<{claim.payment_id}+{claim.creditor_no}<", "Opkald om varsling (betalingstest)")
    page.locator("#st-citizen h3", has_text="Demo Borger 5").wait_for()
    assert page.locator("#st-matches").evaluate("n => n.childNodes.length") == 0
    card = page.locator("#st-citizen .st-claim", has_text="DEMO-5-EJD")
    card_text = card.inner_text()
    last = date.fromisoformat(str(reminders[-1].sent_on))
    assert f"Trin 2 af 3: varsling sendt {danish_date(last)}" in card_text
    for r in reminders:
        sent = date.fromisoformat(str(r.sent_on))
        fee = format_kr(Decimal(str(r.fee)))
        assert f"{reminder_label(r.kind)} sendt {danish_date(sent)} – gebyr {fee}" in card_text
    assert format_kr(sum(Decimal(str(r.fee)) for r in reminders)) in card.locator("dd").nth(3).inner_text()
    assert "Sådan ser borgeren kravet i chatten" in card_text and "(sendt: rykker, varsling)" in card_text
    assert "underretning om udlæg" in card_text  # the bot's next step
    assert page.locator("#st-citizen", has_text="Ingen ansøgninger om afdragsordning.").count() == 1

    # Every look-up audited with how staff searched; never a full CPR number.
    audit = _audit_rows(db_url)
    assert ("supervisor1", "name", "demo borger", "******-****", "Opkald om afdrag (navnetest)", "several") in audit
    assert ("supervisor1", "name", "demo borger", "010100-****", "Opkald om afdrag (navnetest)", "found") in audit
    assert ("supervisor1", "payment_id", claim.payment_id, "010100-****", "Opkald om varsling (betalingstest)",
            "found") in audit
    assert not [r for r in audit if "0101000" in str(r) or "010100-000" in str(r)]

    # The audit view: Danish headings, the staff member's name, local time, search kind.
    page.click("#st-audit-load")
    row = page.locator("#st-audit tr", has_text="betalingstest")
    row.wait_for()
    assert page.locator("#st-audit th").all_inner_texts() == [
        "Tidspunkt", "Medarbejder", "Søgt på", "Søgning", "Borgerens CPR (maskeret)", "Borgerreference",
        "Begrundelse", "Resultat"]
    cells = row.locator("td").all_inner_texts()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        at = conn.execute(text("SELECT at FROM staff_audit_log WHERE reason = 'Opkald om varsling (betalingstest)'"
                               )).scalar_one()
    engine.dispose()
    at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    assert cells[0] == danish_datetime(at) and re.fullmatch(r"\d{1,2}\. \w+\.? \d{4} kl\. \d{2}:\d{2}", cells[0])
    assert cells[1:5] == ["Søs Supervisor (supervisor1)", "Betalings-ID", claim.payment_id, "010100-****"]
    assert cells[6:] == ["Opkald om varsling (betalingstest)", "Fundet"]
    assert page.locator("#st-audit tr", has_text="navnetest").filter(has_text="Flere fundet").count() == 1
    assert axe_violations(page, axe_source) == []
    page.screenshot(path=str(artifacts / "staff-console-lookup.png"), full_page=True)


def test_search_results_show_no_keyword_lists(page, browser_stack):
    staff_login(page, browser_stack["gateway"], "supervisor1")
    page.locator("#st-search").press_sequentially("skrald", delay=20)  # a synonym of renovation
    hit = page.locator("#st-results li", has_text="Affaldskontoret").first
    hit.wait_for()
    assert hit.locator("p").count() == 3  # title, text, source
    shown = page.locator("#st-results").inner_text()
    assert "Søgeord" not in shown and "skrald" not in shown.lower()


def _name_list_and_plan(page) -> None:
    _look_up(page, "name", "demo borger", "Opkald om afdrag (rydningstest)")
    page.get_by_role("button", name="Demo Borger 3 (010100-****)").click()
    page.locator("#st-citizen table.st-applications").wait_for()
    assert page.locator("#st-matches li").count() == 6


def test_logout_clears_the_name_list_and_the_plan_panel(page, browser_stack):
    base = browser_stack["gateway"]
    staff_login(page, base, "supervisor1")
    _name_list_and_plan(page)
    _look_up(page, "name", "demo borger", "Opkald om afdrag (rydningstest)")  # a list on its way when …
    page.click("#st-logout")  # … the user logs out: the late answer must not show up
    page.locator("#st-login:not([hidden])").wait_for()
    page.wait_for_timeout(500)
    _assert_nothing_left(page, "Demo Borger")
    page.fill("#st-username", "supervisor1")
    page.fill("#st-password", STAFF_PASSWORD)
    page.click("#st-login-form button[type=submit]")
    page.locator("#st-whoami", has_text="supervisor1").wait_for()
    page.wait_for_timeout(500)
    _assert_nothing_left(page, "Demo Borger")


def test_idle_expiry_clears_the_name_list(page, browser_stack):
    staff_login(page, browser_stack["short"], "supervisor1")
    _name_list_and_plan(page)
    time.sleep(5)  # the short gateway's staff idle timeout is 4 s
    page.locator("#st-search").press_sequentially("pas", delay=20)  # answered with 401
    page.locator("#st-login:not([hidden])").wait_for()
    _assert_nothing_left(page, "Demo Borger")
