"""The phone-staff console in a real browser: login, search, CPR look-up and audit, expiry."""

from __future__ import annotations

import time

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
    page.fill("#st-cpr", "010100-0001")
    page.click("#st-citizen-form button[type=submit]")
    page.locator("#st-citizen", has_text="begrundelse").wait_for()
    page.fill("#st-cpr", "010100-0001")
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
PANELS = ("#st-results", "#st-citizen", "#st-preview", "#st-content", "#st-audit")
FIELDS = ("#st-search", "#st-cpr", "#st-reason", "#st-question", "#st-password")


def _look_up_and_show_full_cpr(page, reason: str) -> str:
    page.fill("#st-cpr", "010100-0001")
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
