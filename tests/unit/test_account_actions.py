"""The account actions (actions/account.py) called directly with rasa_sdk Tracker objects,
as Rasa would call them: identity from the signed token only, the balance answers, and the
instalment-plan form with its validation and idempotent submit. SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

import actions.account as account
from core import ledger_answers as answers
from core.identity import issue_token
from core.ledger_models import PlanApplication
from core.settings import load_settings

SECRET = "unit-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
CID = "web-conversation-A"


@pytest.fixture
def settings():
    return load_settings({"IDENTITY_SECRET": SECRET, "IDENTITY_TTL_SECONDS": "300"})


@pytest.fixture
def wired(ledger_db, settings, monkeypatch):
    monkeypatch.setattr(account, "ledger_factory", lambda: ledger_db.factory)
    monkeypatch.setattr(account, "current_settings", lambda: settings)
    return ledger_db


def token_for(wired, settings, who="Demo Borger 2", cid=CID, now=None) -> str:
    return issue_token(wired.refs[who], cid, settings, now=now)


def make_tracker(
    text: str = "",
    intent: Optional[str] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    token: Optional[str] = None,
    sender: str = CID,
    slots: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
    new_slots: Optional[Dict[str, Any]] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> Tracker:
    meta = dict(metadata or {})
    if token is not None:
        meta["identity_token"] = token
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0} if intent else {},
        "entities": entities or [],
        "metadata": meta,
    }
    all_slots = dict(slots or {})
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": latest}]
    for name, value in (new_slots or {}).items():
        all_slots[name] = value
        events.append({"event": "slot", "name": name, "value": value})
    return Tracker(
        sender, all_slots, latest, events, False, None,
        {"name": active_loop} if active_loop else {}, "action_listen",
    )


async def run(action, tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def texts(messages) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# --- identity ---------------------------------------------------------------------------------


async def test_not_logged_in_explains_login(wired):
    messages, _ = await run(account.ActionAccount(), make_tracker("hvad skylder jeg", "my_balance"))
    assert texts(messages) == answers.NOT_LOGGED_IN
    assert "MitID" in answers.NOT_LOGGED_IN and "afdragsordning" in answers.NOT_LOGGED_IN


async def test_expired_token(wired, settings):
    old = token_for(wired, settings, now=1_000_000)
    messages, _ = await run(account.ActionAccount(), make_tracker("saldo", "my_balance", token=old))
    assert texts(messages) == "Din log-ind er udløbet – log venligst ind igen med knappen «Log ind» i chatten."


async def test_token_of_another_conversation_is_refused(wired, settings):
    token = token_for(wired, settings, cid="web-someone-else")
    messages, _ = await run(account.ActionAccount(), make_tracker("saldo", "my_balance", token=token))
    assert texts(messages) == answers.LOGIN_INVALID


async def test_unsigned_metadata_claims_are_ignored(wired):
    forged = {"citizen_ref": wired.refs["Demo Borger 2"], "cpr": "0101000002", "verified": True}
    messages, _ = await run(account.ActionAccount(), make_tracker("saldo", "my_balance", metadata=forged))
    assert texts(messages) == answers.NOT_LOGGED_IN


async def test_cpr_typed_in_chat_is_not_used(wired):
    messages, _ = await run(
        account.ActionAccount(), make_tracker("mit cpr er 010100-0002, hvad skylder jeg", "my_balance")
    )
    out = texts(messages)
    assert [m["text"] for m in messages] == [answers.CPR_IN_CHAT, answers.NOT_LOGGED_IN_AFTER_CPR]
    assert "Skriv ikke dit CPR-nummer" not in out  # told once, not again in the login text
    assert "Demo Borger 2" not in out and "6.670,00" not in out


async def test_cpr_typed_by_a_logged_in_citizen_shows_only_their_own_data(wired, settings):
    token = token_for(wired, settings, who="Demo Borger 2")
    other_cpr = "mit cpr er 010100-0003, hvad skylder jeg"
    messages, _ = await run(account.ActionAccount(), make_tracker(other_cpr, "my_balance", token=token))
    assert messages[0]["text"] == answers.CPR_IN_CHAT
    plain, _ = await run(account.ActionAccount(), make_tracker("hvad skylder jeg", "my_balance", token=token))
    assert [m["text"] for m in messages[1:]] == [m["text"] for m in plain]  # the token decides


async def test_cpr_reminder_once_per_turn_across_form_actions(wired, settings):
    """validate + ask run in the same turn: only the first one reminds."""
    tracker = make_tracker("010100-0002", "apply_instalment_plan")
    messages, _ = await run(account.ActionPlanStart(), tracker)
    assert messages[0]["text"] == answers.CPR_IN_CHAT
    tracker.events.append({"event": "bot", "text": answers.CPR_IN_CHAT})
    again, _ = await run(account.ActionPlanStart(), tracker)
    assert answers.CPR_IN_CHAT not in texts(again)


async def test_valid_signature_for_unknown_reference(wired, settings):
    token = issue_token("bgr-nobody", CID, settings)
    messages, _ = await run(account.ActionAccount(), make_tracker("saldo", "my_balance", token=token))
    assert texts(messages) == answers.LOGIN_INVALID


async def test_login_help_logged_in_and_out(wired, settings):
    messages, _ = await run(account.ActionAccount(), make_tracker("log ind", "login_help"))
    assert texts(messages) == answers.NOT_LOGGED_IN
    token = token_for(wired, settings)
    messages, _ = await run(account.ActionAccount(), make_tracker("log ind", "login_help", token=token))
    assert texts(messages) == answers.LOGGED_IN_HELP


# --- answers -----------------------------------------------------------------------------------


async def test_balance_overview(wired, settings):
    messages, _ = await run(
        account.ActionAccount(), make_tracker("hvad skylder jeg", "my_balance", token=token_for(wired, settings))
    )
    out = texts(messages)
    assert "Demo Borger 2" in out
    assert "Forfaldne betalinger" in out and "I alt forfaldent: 6.670,00 kr." in out
    assert "I alt ventende: 1.960,00 kr." in out and "Næste betalingsdato:" in out
    assert "0101000002" not in out and "010100" not in out
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "/my_payment_id" in payloads and "/apply_instalment_plan" in payloads


async def test_one_bill_status(wired, settings):
    tracker = make_tracker(
        "er min ejendomsskat betalt", "my_balance",
        entities=[{"entity": "bill_type", "value": "ejendomsskat"}], token=token_for(wired, settings),
    )
    out = texts((await run(account.ActionAccount(), tracker))[0])
    assert out.startswith("Dine regninger for ejendomsskat:")
    assert "6.670,00 kr." in out and "Renovation" not in out
    tracker = make_tracker(
        "musikskole", "my_balance", entities=[{"entity": "bill_type", "value": "musikskole"}],
        token=token_for(wired, settings),
    )
    assert "Jeg kan ikke se nogen regninger for musikskole" in texts((await run(account.ActionAccount(), tracker))[0])


async def test_payment_ids(wired, settings):
    tracker = make_tracker("betalings-id", "my_payment_id", token=token_for(wired, settings))
    out = texts((await run(account.ActionAccount(), tracker))[0])
    assert out.count("+71<") == 3 and "kortart 71" in out and "kreditornummer 80000000" in out
    tracker = make_tracker("betalings-id", "my_payment_id", token=token_for(wired, settings, "Demo Borger 1"))
    assert "ingen ubetalte regninger" in texts((await run(account.ActionAccount(), tracker))[0])


async def test_consequences_property_claim(wired, settings):
    tracker = make_tracker(
        "/my_balance", "my_balance", entities=[{"entity": "account_topic", "value": "consequences"}],
        token=token_for(wired, settings, "Demo Borger 5"),
    )
    out = texts((await run(account.ActionAccount(), tracker))[0])
    # rykker and varsling sent: next is underretning om udlæg, 450,00 kr.
    assert "Næste skridt er en underretning om udlæg med et gebyr på 450,00 kr." in out
    assert "pantefoged" in out and "tvangsauktion" in out
    assert "Gældsstyrelsen" in out and "lovpligtige renter" in out
    assert out.index("Gældsstyrelsen") > out.index("underretning om udlæg")


async def test_consequences_first_rykker_and_civil(wired, settings):
    tracker = make_tracker(
        "/my_balance", "my_balance", entities=[{"entity": "account_topic", "value": "consequences"}],
        token=token_for(wired, settings, "Demo Borger 4"),
    )
    out = texts((await run(account.ActionAccount(), tracker))[0])
    assert "civilretligt" in out and "100,00 kr." in out and "Gældsstyrelsen" in out
    tracker = make_tracker(
        "/my_balance", "my_balance", entities=[{"entity": "account_topic", "value": "consequences"}],
        token=token_for(wired, settings, "Demo Borger 2"),
    )
    out = texts((await run(account.ActionAccount(), tracker))[0])
    assert "en varsling med et gebyr på 250,00 kr., derefter en underretning om udlæg med et gebyr på 450,00 kr." in out
    assert "i alt 700,00 kr. i gebyrer mere" in out
    assert "rykker med et rykkergebyr på 250,00 kr." in out  # the pending parking fee


async def test_overpayment_credit(wired, settings):
    tracker = make_tracker("saldo", "my_balance", token=token_for(wired, settings, "Demo Borger 4"))
    out = texts((await run(account.ActionAccount(), tracker))[0])
    assert "du har betalt 510,00 kr. for meget" in out
    assert "NemKonto inden for 3-5 bankdage" in out and "5667 2450" in out
    tracker = make_tracker(
        "/my_balance", "my_balance", entities=[{"entity": "account_topic", "value": "overpayment"}],
        token=token_for(wired, settings, "Demo Borger 2"),
    )
    assert "Jeg kan ikke se, at du har betalt for meget" in texts((await run(account.ActionAccount(), tracker))[0])


async def test_personal_answer_helper(wired, settings):
    tracker = make_tracker("hvad sker der hvis jeg ikke betaler", "faq_late_payment", token=token_for(wired, settings))
    assert "Gældsstyrelsen" in account.personal_answer(tracker, "consequences")
    assert account.personal_answer(make_tracker("x", "faq_late_payment"), "consequences") is None


async def test_faq_on_late_payment_is_personal_only_when_verified(wired, settings):
    from actions.answer import ActionAnswer

    question = "hvad sker der hvis jeg ikke betaler"
    personal, _ = await run(ActionAnswer(), make_tracker(question, "faq_late_payment",
                                                         token=token_for(wired, settings)))
    general, _ = await run(ActionAnswer(), make_tracker(question, "faq_late_payment"))
    assert texts(personal) == account.personal_answer(
        make_tracker(question, "faq_late_payment", token=token_for(wired, settings)), "consequences")
    assert "Demo Borger" not in texts(general) and "Kilde:" in texts(general)
    assert texts(general) != texts(personal)


# --- instalment-plan form ------------------------------------------------------------------------


def count_applications(factory) -> int:
    with factory() as session:
        return session.execute(select(func.count()).select_from(PlanApplication)).scalar_one()


@pytest.mark.parametrize(
    "text, value, problem",
    [("500", Decimal("500.00"), None), ("500 kr", Decimal("500.00"), None),
     ("1.000,50 kr. om måneden", Decimal("1000.50"), None), ("750.25", Decimal("750.25"), None),
     ("jeg kan betale 400 om måneden", Decimal("400.00"), None),
     ("mange penge", None, "not_a_number"), ("500 eller 600", None, "not_a_number"),
     ("0", None, "not_positive"), ("-100", None, "not_positive"), ("10,555", None, "too_many_decimals")],
)
def test_parse_amount(text, value, problem):
    assert account.parse_amount(text) == (value, problem)


async def test_plan_start_requires_login_and_eligible_claims(wired, settings):
    _, events = await run(account.ActionPlanStart(), make_tracker("afdragsordning", "apply_instalment_plan"))
    assert slot_events(events)["plan_allowed"] is False
    messages, events = await run(
        account.ActionPlanStart(),
        make_tracker("afdragsordning", "apply_instalment_plan", token=token_for(wired, settings, "Demo Borger 1")),
    )
    assert slot_events(events)["plan_allowed"] is False and texts(messages) == answers.PLAN_NOTHING_ELIGIBLE
    tracker = make_tracker(
        "afdragsordning på ejendomsskatten", "apply_instalment_plan",
        entities=[{"entity": "bill_type", "value": "ejendomsskat"}], token=token_for(wired, settings),
    )
    messages, events = await run(account.ActionPlanStart(), tracker)
    assert slot_events(events) == {
        "plan_claim": "DEMO-2-EJD", "plan_monthly_amount": None, "plan_confirm": None, "plan_allowed": True
    }
    assert messages == []


@pytest.mark.parametrize("text", [
    "hvad sker der hvis man ikke overholder en afdragsordning",
    "hvor længe kan en afdragsordning vare?",
    "kan man få afdrag på alle slags krav eller kun på nogle",
])
async def test_a_question_about_plans_is_answered_not_a_form(wired, settings, text):
    # logged in with an eligible claim, and still: a question is answered, no form starts
    tracker = make_tracker(text, "apply_instalment_plan", token=token_for(wired, settings))
    messages, events = await run(account.ActionPlanStart(), tracker)
    assert slot_events(events)["plan_allowed"] is False
    reply = texts(messages)
    assert "afdragsordning" in reply.lower() and "5667 2450" in reply


async def test_form_flow_with_reprompts_and_idempotent_submit(wired, settings):
    validate = account.ValidateInstalmentPlanForm()
    form = "instalment_plan_form"
    tok = token_for(wired, settings)

    # ask which claim: own eligible claims only, as buttons
    messages, _ = await run(account.ActionAskPlanClaim(), make_tracker("afdragsordning", token=tok, active_loop=form))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["DEMO-2-EJD", "DEMO-2-PARK", "DEMO-2-REN"]

    # another citizen's claim number is not accepted
    messages, events = await run(
        validate, make_tracker("DEMO-5-EJD", token=tok, active_loop=form, new_slots={"plan_claim": "DEMO-5-EJD"})
    )
    assert slot_events(events)["plan_claim"] is None and texts(messages) == answers.PLAN_BAD_CLAIM

    # by bill type word
    messages, events = await run(
        validate, make_tracker("ejendomsskat", token=tok, active_loop=form, new_slots={"plan_claim": "ejendomsskat"})
    )
    assert slot_events(events) == {"plan_claim": "DEMO-2-EJD"} and messages == []
    slots = {"plan_claim": "DEMO-2-EJD"}

    messages, _ = await run(account.ActionAskPlanMonthlyAmount(), make_tracker("", token=tok, slots=slots, active_loop=form))
    assert "6.670,00 kr." in texts(messages)

    for bad, expected in [("mange penge", "Jeg kunne ikke læse beløbet"), ("9000", "kan ikke være større"),
                          ("0", "større end 0 kr"), ("12,345", "højst have to decimaler")]:
        messages, events = await run(
            validate, make_tracker(bad, token=tok, slots=slots, active_loop=form, new_slots={"plan_monthly_amount": bad})
        )
        assert slot_events(events)["plan_monthly_amount"] is None
        assert expected in texts(messages), bad

    messages, events = await run(
        validate, make_tracker("500 kr", token=tok, slots=slots, active_loop=form, new_slots={"plan_monthly_amount": "500 kr"})
    )
    assert slot_events(events) == {"plan_monthly_amount": "500.00"} and messages == []
    slots["plan_monthly_amount"] = "500.00"

    messages, _ = await run(account.ActionAskPlanConfirm(), make_tracker("", token=tok, slots=slots, active_loop=form))
    assert "500,00 kr. om måneden" in texts(messages) and "14 måneder" in texts(messages)

    messages, events = await run(
        validate, make_tracker("måske", token=tok, slots=slots, active_loop=form, new_slots={"plan_confirm": "måske"})
    )
    assert slot_events(events) == {"plan_confirm": None} and texts(messages) == answers.PLAN_BAD_CONFIRM

    messages, events = await run(
        validate, make_tracker("ja tak", token=tok, slots=slots, active_loop=form, new_slots={"plan_confirm": "ja tak"})
    )
    assert slot_events(events) == {"plan_confirm": "ja"}
    slots["plan_confirm"] = "ja"

    before = count_applications(wired.factory)
    submit = make_tracker("ja tak", "affirm", token=tok, slots=slots)
    messages, events = await run(account.ActionSubmitInstalmentPlan(), submit)
    out = texts(messages)
    assert "ansøgning om afdragsordning er modtaget" in out and "ikke en godkendelse" in out
    assert all(slot_events(events)[s] is None for s in account.PLAN_SLOTS)
    # the same message retried (gateway/Rasa retry): stored exactly once
    for _ in range(3):
        messages, _ = await run(account.ActionSubmitInstalmentPlan(), submit)
        assert "var allerede modtaget" in texts(messages)
    assert count_applications(wired.factory) == before + 1


async def test_cancel_and_deny(wired, settings):
    validate = account.ValidateInstalmentPlanForm()
    tok = token_for(wired, settings)
    slots = {"plan_claim": "DEMO-2-EJD"}
    _, events = await run(
        validate, make_tracker("stop", token=tok, slots=slots, active_loop="instalment_plan_form",
                               new_slots={"plan_monthly_amount": "stop"})
    )
    assert slot_events(events) == {"plan_confirm": "nej", "requested_slot": None}
    slots = {"plan_claim": "DEMO-2-EJD", "plan_monthly_amount": "500.00"}
    _, events = await run(
        validate, make_tracker("nej", "deny", token=tok, slots=slots, active_loop="instalment_plan_form",
                               new_slots={"plan_confirm": "nej"})
    )
    assert slot_events(events)["requested_slot"] is None
    before = count_applications(wired.factory)
    messages, _ = await run(
        account.ActionSubmitInstalmentPlan(), make_tracker("nej", "deny", token=tok, slots={**slots, "plan_confirm": "nej"})
    )
    assert texts(messages) == answers.PLAN_CANCELLED
    assert count_applications(wired.factory) == before


async def test_form_ends_when_login_is_gone(wired, settings):
    _, events = await run(
        account.ValidateInstalmentPlanForm(),
        make_tracker("500", slots={"plan_claim": "DEMO-2-EJD"}, active_loop="instalment_plan_form",
                     new_slots={"plan_monthly_amount": "500"}),
    )
    assert slot_events(events)["requested_slot"] is None
    messages, _ = await run(
        account.ActionSubmitInstalmentPlan(),
        make_tracker("ja", "affirm", slots={"plan_claim": "DEMO-2-EJD", "plan_monthly_amount": "500.00", "plan_confirm": "ja"}),
    )
    assert texts(messages) == answers.NOT_LOGGED_IN


async def test_submit_with_forged_slots_for_another_citizens_claim(wired, settings):
    before = count_applications(wired.factory)
    forged = {"plan_claim": "DEMO-5-EJD", "plan_monthly_amount": "100.00", "plan_confirm": "ja"}
    messages, _ = await run(
        account.ActionSubmitInstalmentPlan(), make_tracker("ja", "affirm", token=token_for(wired, settings), slots=forged)
    )
    out = texts(messages)
    assert out == answers.PLAN_ERRORS["unknown_claim"]
    assert "8.650" not in out and "Demo Borger 5" not in out
    assert count_applications(wired.factory) == before


async def test_database_failure_gives_danish_apology(wired, settings, monkeypatch):
    def broken():
        raise RuntimeError("database down")

    monkeypatch.setattr(account, "ledger_factory", broken)
    messages, _ = await run(account.ActionAccount(), make_tracker("saldo", "my_balance", token=token_for(wired, settings)))
    assert "teknisk fejl" in texts(messages)
