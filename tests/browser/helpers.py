"""Small helpers for the browser tests: axe-core, the widget, the staff login."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence, Tuple

from tests.browser.conftest import ARTIFACTS, STAFF_PASSWORD

AXE_LOG = ARTIFACTS / "axe-results.jsonl"

SERIOUS = ("serious", "critical")


def axe_violations(page, axe_source: str, include: str = "html") -> List[Dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (rightly) does not
        # let a <script> tag do; the page itself stays under its strict policy.
        page.evaluate(axe_source + "\n;void 0")
    result = page.evaluate(
        """async (include) => await axe.run(document.querySelector(include) || document,
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""",
        include,
    )
    found = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    AXE_LOG.parent.mkdir(exist_ok=True)
    with AXE_LOG.open("a", encoding="utf-8") as log:  # every finding, for the record
        log.write(json.dumps({"url": page.url, "axe": result["testEngine"]["version"],
                              "passes": len(result["passes"]), "violations": found}, ensure_ascii=False) + "\n")
    return [v for v in found if v["impact"] in SERIOUS]


def bot_texts(page) -> List[str]:
    return page.locator(".kc-msg--bot .kc-text").all_inner_texts()


def ask(page, text: str) -> str:
    """Type a question in the widget, send it with Enter, return the first new bot text."""
    before = page.locator(".kc-msg--bot").count()
    page.fill("#kc-input", text)
    page.press("#kc-input", "Enter")
    page.locator(".kc-msg--bot").nth(before).wait_for()
    page.wait_for_selector(".kc-panel:not(.kc-busy)")
    return page.locator(".kc-msg--bot .kc-text").nth(before).inner_text()


def staff_login(page, base: str, name: str) -> None:
    page.goto(base + "/staff")
    page.fill("#st-username", name)
    page.fill("#st-password", STAFF_PASSWORD)
    page.click("#st-login-form button[type=submit]")
    page.wait_for_selector("#st-console:not([hidden])")


def session_storage(page) -> str:
    """The widget's sessionStorage as one string (to look for personal data in it)."""
    return page.evaluate("() => JSON.stringify(Object.assign({}, window.sessionStorage))")


def personal_data_shown(page, name: str) -> Tuple[str, ...]:
    """Log-in-only answers asked for and returned: the texts that must be gone after logout
    (checked to be on screen and in storage first, so the check after logout can fail)."""
    balance = ask(page, "Hvad skylder jeg?")
    assert "kr." in balance, balance
    codes = ask(page, "Hvad er mit betalings-id?")
    assert "+71<" in codes, codes
    personal = (name, balance.splitlines()[0], codes.splitlines()[0], "+71<", "Hvad skylder jeg")
    assert all(p in session_storage(page) for p in personal)
    return personal


def log_out_and_check_nothing_personal_left(page, personal: Sequence[str]) -> None:
    page.get_by_role("button", name="Log ud").click()
    page.locator(".kc-msg--notice", has_text="Du er logget ud").wait_for()
    nothing_personal_left(page, personal)


def nothing_personal_left(page, personal: Sequence[str]) -> None:
    shown, stored = page.locator(".kc-root").inner_text(), session_storage(page)
    for p in personal:
        assert p not in shown, p
        assert p not in stored, p
