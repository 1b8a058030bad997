"""The router's decisions (knowledge/router), table-driven from router_cases.yml, and its
dialogue state, without Rasa."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.message import clean_message
from knowledge.router import Turn, route
from knowledge.router import signals

CASES = yaml.safe_load((Path(__file__).with_name("router_cases.yml")).read_text(encoding="utf-8"))["cases"]


def turn(q, intent, conf, ranking=None, context=None, **kw) -> Turn:
    ranking = tuple((n, c) for n, c in ranking) if ranking else ((intent, conf),)
    return Turn(text=clean_message(q), intent=intent, ranking=ranking, context=context, **kw)


@pytest.mark.parametrize("case", CASES, ids=[c["q"][:40] for c in CASES])
def test_router_case(case):
    reply = route(turn(case["q"], case["intent"], case["conf"], case.get("ranking")))
    assert reply.kind == case["kind"], reply.text
    if "source" in case:
        assert reply.source == case["source"], reply.text
    for text in case.get("has", []):
        assert text in reply.text, (text, reply.text)
    for text in case.get("not", []):
        assert text not in reply.text, (text, reply.text)


def test_every_handover_and_unknown_is_flagged_and_answers_are_not():
    for case in CASES:
        reply = route(turn(case["q"], case["intent"], case["conf"], case.get("ranking")))
        if reply.kind in ("handover", "unknown", "suggest", "not_found"):
            assert reply.handover or reply.kind == "suggest", case["q"]
        if reply.kind == "answer":
            assert not reply.handover, case["q"]


def test_suggestions_then_no_hands_over_and_yes_shows_them_again():
    first = route(turn("noget med et kort", "nlu_fallback", 0.3, [("ask_price", 0.3), ("faq_portal", 0.2)]))
    assert first.kind == "suggest" and first.context["suggested"] == ["ask_price", "faq_portal"]
    again = route(turn("ja", "affirm", 0.9, context=first.context))
    assert again.kind == "suggest" and [b[1] for b in again.buttons][:2] == ["/ask_price", "/faq_portal"]
    no = route(turn("nej", "deny", 0.9, context=first.context))
    assert no.kind == "handover" and "5667 2450" in no.text and "suggested" not in no.context
    twice = route(turn("øhh", "nlu_fallback", 0.2, context=first.context))
    assert twice.kind == "handover"


def test_an_open_price_question_is_continued_by_a_typed_answer():
    first = route(turn("hvad koster et pas", "ask_price", 0.99))
    assert first.kind == "clarify" and first.context["tariff"]
    answer = route(turn("han er 12", "nlu_fallback", 0.3, context=first.context))
    assert answer.kind == "answer" and "181,00" in answer.text
    new = route(turn("hvad er rykkergebyret", "faq_late_payment", 0.95, context=first.context))
    assert new.source == "faq" and "250,00" in new.text


def test_a_button_picks_a_topic_for_the_typed_question():
    reply = route(Turn(text="noget med rykker", intent="faq_late_payment", ranking=(("faq_late_payment", 1.0),),
                       payload_intent="faq_late_payment"))
    assert reply.kind == "answer" and "250,00" in reply.text


def test_empty_message():
    assert route(turn("   ", "nlu_fallback", 0.0)).kind == "empty"


@pytest.mark.parametrize("text, expected", [
    ("godmorgen", "greet"), ("hej og god aften", "greet"), ("Good morning", "greet"),
    ("hav en god dag", "goodbye"), ("godnat", "goodbye"), ("tak, god weekend", None),
    ("hvad koster et pas", None),
])
def test_greeting_by_time_of_day(text, expected):
    assert signals.greeting_by_time(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("hvad koster et pas i Roskilde", "Roskilde"), ("rykkergebyr københavns kommune", "København"),
    ("vejen til rådhuset", None), ("vejen kommune takster", "Vejen"), ("hvad koster en skive", None),
    ("jeg er flyttet fra aarhus til køge", None), ("priser i Køge og Roskilde", None),
])
def test_other_municipality(text, expected):
    assert signals.other_municipality(text) == expected


@pytest.mark.parametrize("text, aspects", [
    ("hvornår skal jeg betale", {"date"}), ("hvad er åbningstiden", {"hours"}),
    ("hvornår har I åbent", {"hours"}), ("hvad er renten", {"rate"}),
    ("hvor lang tid tager det", {"duration"}), ("hvad koster et pas", set()),
    ("hvornår er det billigst at svømme", set()),
])
def test_aspects_asked(text, aspects):
    assert signals.aspects_asked(text) == aspects


def test_next_year():
    assert signals.next_year("priserne for 2025") == 2025
    assert signals.next_year("hvad koster det næste år") == 2025
    assert signals.next_year("prisen i 2024") is None


def test_a_follow_up_to_an_office_names_no_office_of_its_own():
    first = route(turn("hvem sender regningen for renovation", "ask_issuer", 0.95))
    assert first.source == "issuer" and "5667 2432" in first.text
    again = route(turn("hvad er deres telefonnummer?", "faq_contact", 0.7, context=first.context))
    assert again.source == "issuer" and "5667 2432" in again.text
    price = route(turn("hvem sender regningen for musikskolen", "ask_issuer", 0.95))
    cost = route(turn("og hvad koster det?", "ask_price", 0.9, context=price.context))
    assert cost.source == "tariff" and "Musikskole" in cost.text
