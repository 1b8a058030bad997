"""action_answer run directly with a rasa-sdk Tracker (no Rasa server): the adapter reads the
turn, the router decides, the reply and the context slot go back."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import CONTEXT_SLOT, KIND_SLOT, ActionAnswer, read_turn
from knowledge.router import replies


def tracker(text: str, intent: str, *, ranking: Optional[List[Dict[str, Any]]] = None,
            entities: Optional[List[Dict[str, Any]]] = None, slots: Optional[Dict[str, Any]] = None,
            history: Optional[List[Dict[str, Any]]] = None, confidence: float = 0.9) -> Tracker:
    ranking = ranking or [{"name": intent, "confidence": confidence}]
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
              "intent_ranking": ranking, "entities": entities or []}
    events = list(history or []) + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("t", slots or {}, latest, events, False, None, {}, "action_listen")


def run(trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswer().run(dispatcher, trk, {}))
    return dispatcher.messages, events


def texts(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def slot(events, name):
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def flag(messages):
    return next(m["custom"]["answer"] for m in messages if m.get("custom"))


def test_faq_answer_comes_from_knowledge_with_a_structured_flag():
    messages, events = run(tracker("hvad koster en rykker", "faq_late_payment"))
    assert "250,00 kr." in texts(messages) and "Kilde" in texts(messages)
    assert flag(messages) == {"kind": "answer", "source": "faq", "handover": False}
    assert slot(events, KIND_SLOT) == "answer"


def test_issuer_from_entity_from_words_and_table():
    messages, _ = run(tracker("hvem sender regningen for p-bøden", "ask_issuer",
                              entities=[{"entity": "bill_type", "value": "parkeringsafgift"}]))
    assert "Parkeringskontoret" in texts(messages) and "5667 2550" in texts(messages)
    messages, _ = run(tracker("hvem sender regningen for skraldespanden", "ask_issuer"))
    assert "Affaldskontoret" in texts(messages) and "5667 2432" in texts(messages)
    messages, _ = run(tracker("hvem sender regningerne", "ask_issuer"))
    assert all(phone in texts(messages) for phone in ("5667 2344", "5667 2450", "5664 0668", "5667 2770"))


RANKING = [
    {"name": "faq_late_payment", "confidence": 0.41},
    {"name": "greet", "confidence": 0.30},
    {"name": "faq_debt_collection", "confidence": 0.20},
    {"name": "faq_interest", "confidence": 0.06},
    {"name": "ask_price", "confidence": 0.03},
]


def test_unclear_offers_top_offerable_intents_with_danish_titles_and_none_of_them():
    messages, events = run(tracker("noget med sådan noget", "nlu_fallback", ranking=RANKING))
    buttons = messages[0]["buttons"]
    assert messages[0]["text"] == replies.DID_YOU_MEAN
    assert [b["payload"] for b in buttons] == ["/faq_late_payment", "/faq_debt_collection", "/faq_interest", "/deny"]
    assert buttons[0]["title"] == "For sen betaling og rykkergebyr" and buttons[-1]["title"] == "Ingen af dem"
    assert slot(events, CONTEXT_SLOT)["suggested"] == ["faq_late_payment", "faq_debt_collection", "faq_interest"]


def test_a_plain_yes_to_the_suggestions_offers_the_same_choices():
    trk = tracker("ja", "affirm", slots={CONTEXT_SLOT: {"v": 1, "suggested": ["faq_interest", "faq_pay"]}})
    messages, _ = run(trk)
    assert messages[0]["text"] == replies.WHICH_ONE
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/faq_interest", "/faq_pay", "/deny"]


def test_none_of_them_hands_over_to_the_office_of_the_original_question():
    unclear = {"event": "user", "text": "noget med min svømmehal regning der er mærkelig",
               "parse_data": {"intent": {"name": "nlu_fallback"}}}
    trk = tracker("/deny", "deny", history=[unclear],
                  slots={CONTEXT_SLOT: {"v": 1, "suggested": ["faq_pay"]}})
    messages, events = run(trk)
    assert "Køge Svømmeland" in texts(messages) and "5667 2770" in texts(messages)
    assert flag(messages)["handover"] is True
    assert "suggested" not in (slot(events, CONTEXT_SLOT) or {})


def test_none_of_them_without_a_bill_gives_opkraevningen():
    messages, _ = run(tracker("/deny", "deny", slots={CONTEXT_SLOT: {"v": 1, "suggested": ["faq_pay"]}}))
    assert "Opkrævningen" in texts(messages) and "5667 2450" in texts(messages)


def test_a_button_payload_answers_the_chosen_topic_for_the_typed_question():
    typed = {"event": "user", "text": "noget med en rykker", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    messages, _ = run(tracker("/faq_late_payment", "faq_late_payment", history=[typed]))
    assert "250,00 kr." in texts(messages)


def test_contact_question_naming_a_bill_gets_that_office():
    messages, _ = run(tracker("daginstitution opkraevning tlf", "faq_contact"))
    assert "Daginstitutionskontoret" in texts(messages) and "5667 2344" in texts(messages)
    messages, _ = run(tracker("hvad er nummeret hvis det er om p-boden", "faq_contact",
                              entities=[{"entity": "bill_type", "value": "parkeringsafgift"}]))
    assert "Parkeringskontoret" in texts(messages) and "5667 2550" in texts(messages)


def test_contact_question_without_a_bill_gets_opkraevningen():
    messages, _ = run(tracker("hvad er jeres telefonnummer", "faq_contact"))
    assert "Opkrævningen" in texts(messages) and "5667 2450" in texts(messages)
    assert "5667 2344" not in texts(messages)


def test_markup_is_cleaned_before_the_router_sees_the_words():
    turn = read_turn(tracker("<b>hvad koster rusefiskeri</b>!!!", "ask_price"))
    assert turn.text == "hvad koster rusefiskeri!"
    messages, _ = run(tracker("<b>hvad koster rusefiskeri</b>", "ask_price"))
    assert "619,00" in texts(messages)


def test_a_price_question_keeps_its_open_question_in_the_context_slot():
    messages, events = run(tracker("hvad koster et pas", "ask_price"))
    context = slot(events, CONTEXT_SLOT)
    assert messages[0]["buttons"] and context["tariff"]["ask"] == "age"
    follow = tracker("/ask_price{\"tariff_reply\":\"age:18-64\"}", "ask_price",
                     entities=[{"entity": "tariff_reply", "value": "age:18-64"}],
                     slots={CONTEXT_SLOT: context})
    messages, _ = run(follow)
    assert "893,00 kr." in texts(messages)


# --- a CPR number typed in the chat -------------------------------------------------------


def test_a_typed_cpr_number_is_reminded_once_and_never_takes_part_in_an_answer():
    from core.ledger_answers import CPR_IN_CHAT

    # only a number (typed or as the gateway masked it): the reminder is the whole answer,
    # not the price of a "folkeregisteroplysning" for the word "cpr"
    for text in ("mit cpr er 010203-1234", "cpr 0102031234", "mit personnummer er 010203-****"):
        messages, _ = run(tracker(text, "ask_price"))
        assert [m["text"] for m in messages] == [CPR_IN_CHAT], text

    # a real price question around the number: reminded, then answered without the number
    messages, _ = run(tracker("mit cpr er 010203-1234, hvad koster et pas", "ask_price"))
    plain, _ = run(tracker("hvad koster et pas", "ask_price"))
    assert messages[0]["text"] == CPR_IN_CHAT
    assert [m.get("text") for m in messages[1:]] == [m.get("text") for m in plain]

    messages, _ = run(tracker("cpr 010203-1234 hvad koster en rykker", "faq_late_payment"))
    assert messages[0]["text"] == CPR_IN_CHAT and "250,00 kr." in messages[1]["text"]

    # no number, no reminder: "hvad koster en cpr-oplysning" is a price question
    messages, _ = run(tracker("hvad koster en cpr oplysning", "ask_price"))
    assert CPR_IN_CHAT not in [m.get("text") for m in messages]
    # a button payload is never a typed number
    messages, _ = run(tracker("/faq_pay", "faq_pay"))
    assert CPR_IN_CHAT not in [m.get("text") for m in messages]
