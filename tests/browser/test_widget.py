"""The citizen's chat widget in a real browser against the real bot."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, text

from tests.browser.helpers import (
    ask, axe_violations, bot_texts, log_out_and_check_nothing_personal_left, nothing_personal_left, personal_data_shown,
)

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


# --- issue 20 item 2: "Log ud" takes the personal data away -----------------------------------
def _demo_login(page) -> str:
    """Log in as a demo citizen with open claims from the widget; their name."""
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_url("**/login")
    choice = page.locator(".login-list li").filter(has_not_text=re.compile(r"\(0 åbne krav")).first
    name = choice.locator("button").inner_text().removeprefix("Log ind som ")
    choice.locator("button").click()
    page.locator(".kc-msg--notice", has_text="Du er nu logget ind som " + name).wait_for()
    return name


def test_logout_removes_personal_data_from_screen_and_storage(page, browser_stack):
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    ask(page, "Hej")
    name = _demo_login(page)
    personal = personal_data_shown(page, name)
    log_out_and_check_nothing_personal_left(page, personal)
    assert page.evaluate("document.activeElement.className") == "kc-login"
    with page.expect_response("**/api/session"):
        page.reload()
    page.locator(".kc-panel:not([hidden])").wait_for()
    page.wait_for_timeout(300)  # let the widget act on the session answer
    nothing_personal_left(page, personal)
    notices = page.locator(".kc-msg--notice .kc-text").all_inner_texts()
    assert not any("udløbet" in n for n in notices), notices  # a logout is not an expiry
    assert page.get_by_role("link", name="Log ind med MitID").is_visible()


# --- issue 20 item 9: readable answers --------------------------------------------------------
def test_one_answer_is_one_message_with_source_and_phone_links(page, browser_stack, axe_source):
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    before = page.locator(".kc-msg--bot").count()
    ask(page, "Hvem sender regningen for renovation?")
    assert page.locator(".kc-msg--bot").count() == before + 1  # one answer, one message
    answer = page.locator(".kc-msg--bot").last
    assert "Affaldskontoret" in answer.inner_text()
    assert answer.get_by_role("button", name="Godt svar").count() == 1
    assert page.get_by_role("button", name="Godt svar").count() == 1  # the intro is not rated
    assert page.get_by_role("button", name="Dårligt svar").count() == 1
    phone = answer.get_by_role("link", name="5667 2432")
    assert phone.get_attribute("href") == "tel:+4556672432"
    source = answer.get_by_role("link", name=re.compile(r"^Kilde: Opkrævningen"))
    assert source.get_attribute("href").startswith("/kilde/000_")
    assert "Kilde:" not in answer.locator(".kc-para").all_inner_texts()[-1]  # the link replaces the line
    assert axe_violations(page, axe_source) == []

    with page.context.expect_page() as opened:
        source.click()
    passage = opened.value
    passage.wait_for_load_state()
    marked = passage.locator(".source-hit").all_inner_texts()
    assert any("Renovation" in m and "Affaldskontoret" in m and "5667 2432" in m for m in marked), marked
    assert passage.locator(".source-lines li").count() > len(marked)  # context around it
    assert axe_violations(passage, axe_source) == []


def test_long_answer_scrolls_to_its_start(page, browser_stack):
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    ask(page, "Hej")
    before = page.locator(".kc-msg--bot").count()
    ask(page, "Hvad er Mit Betalingsoverblik?")
    geometry = page.locator(".kc-msg--bot").nth(before).evaluate(
        "m => { const log = m.closest('.kc-log').getBoundingClientRect(); const r = m.getBoundingClientRect();"
        " return {top: r.top - log.top, height: r.height, log: log.height}; }"
    )
    assert geometry["height"] > geometry["log"], geometry  # a long answer, taller than the log
    assert 0 <= geometry["top"] <= 24, geometry  # its first line is at the top of the log


def test_character_counter_at_the_limit(page, browser_stack):
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    counter = page.locator("#kc-count")
    page.fill("#kc-input", "a" * 100)
    assert counter.is_hidden()
    page.fill("#kc-input", "a" * 950)
    assert counter.is_visible() and counter.inner_text() == "950 af 1.000 tegn"
    page.fill("#kc-input", "a" * 1200)  # pasted: the field keeps 1,000 and says so
    assert page.locator("#kc-input").input_value() == "a" * 1000
    assert counter.is_visible() and "grænsen på 1.000 tegn" in counter.inner_text()
    assert "kc-count" in page.locator("#kc-input").get_attribute("aria-describedby")


def test_phone_panel_is_modal_and_payment_code_stays_on_one_line(page, browser_stack):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(browser_stack["gateway"] + "/")
    page.click(".kc-launcher")
    panel = page.locator(".kc-panel")
    assert panel.get_attribute("aria-modal") == "true"
    inside = "() => document.querySelector('.kc-panel').contains(document.activeElement)"
    for key in ("Tab", "Shift+Tab"):
        page.focus("#kc-input")
        for _ in range(12):
            page.keyboard.press(key)
            assert page.evaluate(inside), key  # focus never leaves the full-screen dialog

    ask(page, "Hej")
    _demo_login(page)
    codes = ask(page, "Hvad er mit betalings-id?")
    fi = re.search(r"\+71<\d+\+\d+<", codes).group(0)
    lines = page.locator(".kc-msg--bot").last.evaluate(
        """(m, code) => {
            const walker = document.createTreeWalker(m, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(code);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + code.length);
                return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
            }
            return -1;
        }""",
        fi,
    )
    assert lines == 1, lines  # the whole code on one line

    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("() => document.querySelector('.kc-panel').getAttribute('aria-modal') === 'false'")
