"""The citizen's chat widget in a real browser against the real bot."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from tests.browser.helpers import ask, axe_violations, bot_texts

pytestmark = pytest.mark.browser

# Questions answered with quick-reply buttons, tried in order: price questions whose answer
# depends on something not said (the tariff module asks with buttons), then messages unclear
# enough for NLU to fall back to "Mente du …?".
UNCLEAR_QUESTIONS = (
    "Hvad koster et pas?", "Hvad koster en skraldespand?",
    "gebyr", "Jeg har et spørgsmål om noget med penge", "regning hjælp",
)


def test_widget_is_accessible_and_keyboard_operable(page, browser_stack, axe_source, artifacts):
    page.goto(browser_stack["gateway"] + "/")
    launcher = page.get_by_role("button", name=re.compile("Chat med Opkrævningen"))
    assert launcher.get_attribute("aria-expanded") == "false"
    assert axe_violations(page, axe_source) == []
    launcher.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "kc-input"  # focus moves into the chat
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    assert "automatisk assistent" in log.inner_text()
    assert page.get_by_role("link", name="Log ind med MitID").is_visible()
    assert axe_violations(page, axe_source) == []
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.className") == "kc-launcher"


def test_conversation_quick_reply_reload_and_thumbs_down(page, browser_stack, artifacts):
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    first = ask(page, "Hej")
    assert "automatiske assistent" in first
    second = ask(page, "Hvem sender regningen for renovation?")
    assert "Affaldskontoret" in second and "5667 2432" in second
    # A question the bot answers with quick-reply buttons.
    for question in UNCLEAR_QUESTIONS:
        ask(page, question)
        if page.locator(".kc-choice:not([disabled])").count():
            break
    choice = page.locator(".kc-choice:not([disabled])").first
    choice.wait_for(timeout=1_000)
    title = choice.inner_text()
    answered = page.locator(".kc-msg--bot").count()
    choice.click()
    page.locator(".kc-msg--user .kc-text", has_text=title).wait_for()  # shows the title, not the payload
    page.locator(".kc-msg--bot").nth(answered).wait_for()
    assert not any(t.startswith("/") for t in page.locator(".kc-msg--user .kc-text").all_inner_texts())
    history = bot_texts(page)

    page.reload()
    page.locator(".kc-panel:not([hidden])").wait_for()
    assert bot_texts(page) == history  # the conversation survived the reload

    target = page.locator(".kc-msg--bot", has_text="Affaldskontoret").first
    target.get_by_role("button", name="Dårligt svar").click()
    target.locator(".kc-rated", has_text="Tak for din vurdering").wait_for()
    assert target.get_by_role("button", name="Dårligt svar").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(artifacts / "widget-conversation.png"))
    engine = create_engine(browser_stack["db_url"])
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT rating, question, answer FROM chat_feedback")).fetchall()
    engine.dispose()
    assert any(r.rating == -1 and "renovation" in r.question and "Affaldskontoret" in r.answer for r in rows)


def test_demo_mitid_login_then_balance(page, browser_stack, axe_source, artifacts):
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    ask(page, "Hej")
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_url("**/login")
    assert page.locator("h1").inner_text().startswith("Log ind med MitID")
    assert axe_violations(page, axe_source) == []
    # A demo citizen with open claims (the note beside each button says how many).
    choice = page.locator(".login-list li").filter(has_not_text=re.compile(r"\(0 åbne krav")).first
    name = choice.locator("button").inner_text().removeprefix("Log ind som ")
    choice.locator("button").click()
    page.locator(".kc-msg--notice", has_text="Du er nu logget ind som " + name).wait_for()
    assert page.url.endswith("/")  # ?login=1 is removed from the address again
    assert page.evaluate("document.activeElement.id") == "kc-input"
    assert page.locator(".kc-who").inner_text().startswith("Logget ind som")
    answer = ask(page, "Hvad skylder jeg?")
    assert "kr." in answer, answer
    page.locator(".kc-log").evaluate(  # scroll the log (only) to the start of the balance answer
        "log => { const m = log.querySelectorAll('.kc-msg--bot'); const last = m[m.length - 1];"
        " log.scrollTop += last.getBoundingClientRect().top - log.getBoundingClientRect().top; }"
    )
    page.screenshot(path=str(artifacts / "widget-logged-in-balance.png"))


def test_idle_session_expiry_shows_danish_notice(page, browser_stack):
    page.goto(browser_stack["short"] + "/")
    page.click(".kc-launcher")
    ask(page, "Hej")
    page.wait_for_timeout(5_000)  # the short gateway's idle timeout is 4 s
    ask(page, "Hvem sender regningen for renovation?")
    notices = page.locator(".kc-msg--notice .kc-text").all_inner_texts()
    assert any("samtale er udløbet" in n for n in notices), notices
