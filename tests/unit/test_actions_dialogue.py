"""The FAQ, issuer and fallback actions, run directly with a rasa-sdk Tracker (no Rasa server)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq
from actions.fallback import ActionClarify, ActionHandover
from actions.issuers import ActionAnswerIssuer


def tracker(text: str, intent: str, *, ranking: Optional[List[Dict[str, Any]]] = None,
            entities: Optional[List[Dict[str, Any]]] = None, slots: Optional[Dict[str, Any]] = None,
            history: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9},
              "intent_ranking": ranking or [], "entities": entities or []}
    events = list(history or []) + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("t", slots or {}, latest, events, False, None, {}, "action_listen")


def run(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, events


def test_faq_answer_comes_from_knowledge():
    messages, _ = run(ActionAnswerFaq(), tracker("hvad koster en rykker", "faq_late_payment"))
    assert "250,00 kr." in messages[0]["text"] and "Kilde" in messages[0]["text"]


def test_issuer_from_entity_id_from_words_and_table():
    messages, _ = run(ActionAnswerIssuer(), tracker(
        "hvem sender regningen for p-bøden", "ask_issuer",
        entities=[{"entity": "bill_type", "value": "parkeringsafgift"}]))
    assert "Parkeringskontoret" in messages[0]["text"] and "5667 2550" in messages[0]["text"]

    messages, _ = run(ActionAnswerIssuer(), tracker("hvem sender regningen for skraldespanden", "ask_issuer"))
    assert "Affaldskontoret" in messages[0]["text"] and "5667 2432" in messages[0]["text"]

    messages, _ = run(ActionAnswerIssuer(), tracker("hvem sender regningerne", "ask_issuer"))
    text = messages[0]["text"]
    assert all(phone in text for phone in ("5667 2344", "5667 2450", "5664 0668", "5667 2770"))


RANKING = [
    {"name": "faq_late_payment", "confidence": 0.41},
    {"name": "greet", "confidence": 0.30},
    {"name": "faq_debt_collection", "confidence": 0.20},
    {"name": "faq_interest", "confidence": 0.06},
    {"name": "ask_price", "confidence": 0.03},
]


def test_clarify_offers_top_offerable_intents_with_danish_titles_and_none_of_them():
    messages, events = run(ActionClarify(), tracker("rykker og sådan", "nlu_fallback", ranking=RANKING))
    buttons = messages[0]["buttons"]
    assert messages[0]["response"] == "utter_did_you_mean"
    assert [b["payload"] for b in buttons] == ["/faq_late_payment", "/faq_debt_collection", "/faq_interest", "/deny"]
    assert buttons[0]["title"] == "For sen betaling og rykkergebyr" and buttons[-1]["title"] == "Ingen af dem"
    assert events == [{"event": "slot", "timestamp": None, "name": "fallback_intents",
                       "value": ["faq_late_payment", "faq_debt_collection", "faq_interest"]}]


def test_clarify_after_a_plain_yes_offers_the_same_choices():
    trk = tracker("ja", "affirm", slots={"fallback_intents": ["faq_interest", "faq_pay"]})
    messages, events = run(ActionClarify(), trk)
    assert messages[0]["response"] == "utter_which_one"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/faq_interest", "/faq_pay", "/deny"]
    assert events == []


def test_clarify_without_suggestions_hands_over():
    messages, _ = run(ActionClarify(), tracker("qwerty", "nlu_fallback", ranking=[{"name": "greet", "confidence": 0.9}]))
    assert messages[0]["response"] == "utter_handover"


def test_handover_names_the_office_of_the_bill_in_the_original_question():
    unclear = {"event": "user", "text": "noget med min svømmehal regning der er mærkelig",
               "parse_data": {"intent": {"name": "nlu_fallback"}}}
    messages, events = run(ActionHandover(), tracker("/deny", "deny", history=[unclear]))
    assert messages[0]["response"] == "utter_handover_office"
    assert messages[0]["office"] == "Køge Svømmeland" and messages[0]["phone"] == "5667 2770"
    assert events[0]["name"] == "fallback_intents" and events[0]["value"] is None


def test_handover_uses_the_bill_slot_and_otherwise_opkraevningen():
    messages, _ = run(ActionHandover(), tracker("/deny", "deny", slots={"bill_type": "musikskole"}))
    assert messages[0]["phone"] == "5664 0668"
    messages, _ = run(ActionHandover(), tracker("/deny", "deny"))
    assert messages[0]["response"] == "utter_handover"


def test_contact_question_naming_a_bill_gets_that_office():
    messages, _ = run(ActionAnswerFaq(), tracker("daginstitution opkraevning tlf", "faq_contact"))
    text = messages[0]["text"]
    assert "Daginstitutionskontoret" in text and "5667 2344" in text

    messages, _ = run(ActionAnswerFaq(), tracker(
        "hvad er nummeret hvis det er om p-boden", "faq_contact",
        entities=[{"entity": "bill_type", "value": "parkeringsafgift"}]))
    assert "Parkeringskontoret" in messages[0]["text"] and "5667 2550" in messages[0]["text"]


def test_contact_question_without_a_bill_gets_opkraevningen():
    messages, _ = run(ActionAnswerFaq(), tracker("hvad er jeres telefonnummer", "faq_contact"))
    text = " ".join(m["text"] for m in messages)
    assert "Opkrævningen" in text and "5667 2450" in text
    assert "5667 2344" not in text


# --- a CPR number typed in the chat -------------------------------------------------------


def test_a_typed_cpr_number_is_reminded_once_and_never_takes_part_in_an_answer():
    from actions.tariffs import ActionTariffLookup
    from core.ledger_answers import CPR_IN_CHAT

    # only a number (typed or as the gateway masked it): the reminder is the whole answer,
    # not the price of a "folkeregisteroplysning" for the word "cpr"
    for text in ("mit cpr er 010203-1234", "cpr 0102031234", "mit personnummer er 010203-****"):
        messages, events = run(ActionTariffLookup(), tracker(text, "ask_price"))
        assert [m["text"] for m in messages] == [CPR_IN_CHAT], text
        assert events == []

    # a real price question around the number: reminded, then answered without the number
    # (010203-1234 is not read as an amount, an age or a size)
    messages, _ = run(ActionTariffLookup(), tracker("mit cpr er 010203-1234, hvad koster et pas", "ask_price"))
    plain, _ = run(ActionTariffLookup(), tracker("hvad koster et pas", "ask_price"))
    assert messages[0]["text"] == CPR_IN_CHAT
    assert [m["text"] for m in messages[1:]] == [m["text"] for m in plain]

    messages, _ = run(ActionAnswerFaq(), tracker("cpr 010203-1234 hvad koster en rykker", "faq_late_payment"))
    assert messages[0]["text"] == CPR_IN_CHAT and "250,00 kr." in messages[1]["text"]

    # no number, no reminder: "hvad koster en cpr-oplysning" is a price question
    messages, _ = run(ActionTariffLookup(), tracker("hvad koster en cpr oplysning", "ask_price"))
    assert CPR_IN_CHAT not in [m["text"] for m in messages]
    # a button payload is never a typed number
    messages, _ = run(ActionAnswerFaq(), tracker("/faq_pay", "faq_pay"))
    assert CPR_IN_CHAT not in [m["text"] for m in messages]
