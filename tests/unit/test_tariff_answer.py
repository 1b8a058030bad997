"""The answer contract used by actions/tariffs.py, replies in Danish, and multi-turn flows."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from knowledge.tariffs.answer import (
    TariffAnswer,
    answer_price_question,
    payload,
    price_text,
    render_row,
)
from knowledge.tariffs.search import get_catalogue

STATUSES = {"answer", "clarify", "choose", "not_found"}
PAYLOAD_RE = re.compile(r'^/ask_price\{"tariff_reply":".+"\}$')


def reply_of(button_payload: str) -> str:
    return json.loads(button_payload[len("/ask_price"):])["tariff_reply"]


# ------------------------------------------------------------------ contract
def test_answer_is_a_frozen_dataclass_with_the_agreed_fields() -> None:
    answer = answer_price_question("hvad koster et pas til en voksen")
    assert isinstance(answer, TariffAnswer)
    assert [f.name for f in dataclasses.fields(answer)] == ["status", "text", "buttons", "context", "row_ids", "combined"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.status = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text", ["pas", "svømmeland voksen", "rykkergebyr", "elefant", "grundskyld"])
def test_every_answer_keeps_the_contract(text: str) -> None:
    answer = answer_price_question(text)
    assert answer.status in STATUSES
    assert isinstance(answer.text, str) and answer.text
    assert all(isinstance(t, str) and PAYLOAD_RE.match(p) for t, p in answer.buttons)
    assert isinstance(answer.row_ids, tuple)
    if answer.context is not None:
        assert json.loads(json.dumps(answer.context)) == answer.context
    # Only "not found" forgets; an answer keeps its subject for follow-ups ("og om søndagen?").
    assert (answer.context is None) == (answer.status == "not_found")
    if answer.status == "answer":
        assert answer.context["answered"] is True and answer.context["ask"] is None
        assert answer.context["rows"] == list(answer.row_ids)


def test_payload_is_rasa_ask_price_with_the_reply_entity() -> None:
    assert payload("weekend") == '/ask_price{"tariff_reply":"weekend"}'
    assert reply_of(payload("row:L0623")) == "row:L0623"
    assert reply_of(payload("place:Køge Svømmeland")) == "place:Køge Svømmeland"


# ------------------------------------------------------------------ replies
def test_single_row_answer_text() -> None:
    answer = answer_price_question("svømmeland voksen lørdag")
    assert answer.status == "answer" and answer.row_ids == ("L0831",)
    first, *rest = answer.text.split("\n")
    assert first == ("Voksen – Enkeltbillet søn- og helligdage og i skoleferie samt lørdage fra 2017 "
                     "(Køge Svømmeland, Svømmebad, 2024): 87,00 kr. pr. billet.")
    assert rest[-1] == "Kilde: Takster, skatter og afgifter 2024, Køge Kommune – Køge Svømmeland"


def test_double_price_shows_both_amounts_and_what_they_are_for() -> None:
    answer = answer_price_question("leje af hal i borup på en hverdag")
    assert answer.row_ids[0] == "L0623"
    assert "630,00 kr. pr. møde eller 1.925,00 kr. pr. dag" in answer.text


def test_double_price_names_the_asked_amount() -> None:
    answer = answer_price_question("leje af hal i borup en lørdag hele dagen")
    assert answer.row_ids[0] == "L0624"
    assert "For en hel dag: 3.220,00 kr." in answer.text


@pytest.mark.parametrize("row_id, expected", [
    ("L0261", "Gratis"), ("L0240", "Udgået"), ("L0034", "Ikke aktuel pt."),
    ("L0419", "Se årslejen"), ("L1060", "Baseret på kontrakter"),
    ("L1008", "Fastsættes i hvert enkelt tilfælde"), ("L0228", "der står ingen pris i prislisten"),
    ("L1143", "25,26 %"), ("L1145", "5,300 promille"), ("L1014", "0,00 kr. pr. døgn (gratis)"),
])
def test_text_and_empty_prices_are_stated_as_such(row_id: str, expected: str) -> None:
    assert expected in price_text(get_catalogue().row(row_id))


def test_render_row_has_year_and_section() -> None:
    text = render_row(get_catalogue().row("L0533"))
    assert "(Køge Musikskole, 2024/2025): 565,00 kr." in text
    assert text.endswith("Kilde: Takster, skatter og afgifter 2024, Køge Kommune – Køge Musikskole")


def test_calculation_is_shown_with_the_working() -> None:
    answer = answer_price_question("byggesag 2 timer og 10 min")
    assert answer.status == "answer"
    assert "Udregning: 2 timer og 10 min. = 9 påbegyndte kvarter × 267,50 kr." in answer.text
    assert "= 2.407,50 kr." in answer.text


def test_not_found_points_to_the_billing_office() -> None:
    answer = answer_price_question("hvad koster en hundelicens")
    assert answer.status == "not_found"
    assert "Opkrævningen" in answer.text and "5667 2450" in answer.text
    assert answer.buttons == () and answer.context is None and answer.row_ids == ()


def test_choose_offers_the_top_three_rows() -> None:
    answer = answer_price_question("rykkergebyr")
    assert answer.status == "choose"
    lines = answer.text.split("\n")
    assert lines[0] == "Mente du en af disse?"
    assert 2 <= len(answer.buttons) <= 3
    # every alternative is listed with its own price, none is stated as the answer
    assert len(lines) == 1 + len(answer.buttons)
    assert all(line.startswith("• ") and line.rstrip(".").endswith("kr") for line in lines[1:])
    assert {reply_of(p) for _, p in answer.buttons} >= {"row:L0318", "row:L0319"}


def test_same_price_rows_are_answered_together() -> None:
    answer = answer_price_question("gæsteplads en uge")
    assert answer.status == "answer"
    assert set(answer.row_ids) == {"L0369", "L0409"}
    assert "859,00 kr." in answer.text


# ------------------------------------------------------------------ multi-turn flows
def test_clarify_then_button_reply() -> None:
    first = answer_price_question("hvad koster et pas")
    assert first.status == "clarify" and first.context["ask"] == "age"
    assert first.text.endswith("Hvor gammel er personen?")
    replies = [reply_of(p) for _, p in first.buttons]
    assert replies == ["age:0-2", "age:2-11", "age:12-17", "age:18-64", "age:65-"]
    second = answer_price_question("12-17 år", context=first.context, reply="age:12-17")
    assert second.status == "answer" and second.row_ids == ("L0755",)
    assert second.context["answered"] and second.context["rows"] == ["L0755"]


def test_clarify_then_typed_follow_up() -> None:
    first = answer_price_question("svømmeland enkeltbillet voksen")
    assert first.status == "clarify" and first.context["ask"] == "day"
    assert [reply_of(p) for _, p in first.buttons] == ["hverdag", "weekend"]
    second = answer_price_question("i weekenden", context=first.context)
    assert second.row_ids == ("L0831",)


def test_follow_up_with_an_age_in_words() -> None:
    first = answer_price_question("pas til min datter")
    second = answer_price_question("hun er tolv", context=first.context)
    assert second.status == "answer" and second.row_ids == ("L0755",)


def test_the_plain_word_button_value_works_as_reply() -> None:
    first = answer_price_question("leje af hal borup")
    second = answer_price_question("", context=first.context, reply="weekend")
    assert second.row_ids[0] == "L0624"


def test_two_questions_in_a_row_keep_earlier_answers() -> None:
    first = answer_price_question("svømmeland voksen")
    assert first.context["ask"] == "card"
    second = answer_price_question("", context=first.context, reply="card:single")
    assert second.status == "clarify" and second.context["ask"] == "day"
    third = answer_price_question("søndag", context=second.context)
    assert third.row_ids == ("L0831",)


def test_calculation_survives_the_clarification() -> None:
    first = answer_price_question("3 voksenbilletter i svømmeland")
    assert first.status == "clarify" and first.context["ask"] == "day"
    second = answer_price_question("lørdag", context=first.context)
    assert second.row_ids == ("L0831",)
    assert "3 × 87,00 kr. = 261,00 kr." in second.text


def test_row_button_answers_that_row() -> None:
    first = answer_price_question("rykkergebyr")
    second = answer_price_question("", context=first.context, reply="row:L0319")
    assert second.status == "answer" and second.row_ids == ("L0319",)
    assert "100,00 kr." in second.text


def test_row_button_without_context_still_answers() -> None:
    answer = answer_price_question("", reply="row:L0758")
    assert answer.row_ids == ("L0758",) and "225,00 kr." in answer.text


def test_a_new_question_while_a_clarification_is_open_starts_afresh() -> None:
    first = answer_price_question("hvad koster et pas")
    second = answer_price_question("hvad koster rottebekæmpelse", context=first.context)
    assert second.row_ids == ("L1162",)


def test_a_new_question_with_attributes_is_not_mixed_into_the_old_one() -> None:
    first = answer_price_question("hvad koster et pas")
    second = answer_price_question("hvad koster svømmeland for en voksen om lørdagen",
                                   context=first.context)
    assert second.row_ids == ("L0831",)


def test_filler_words_in_a_follow_up_do_not_start_a_new_question() -> None:
    first = answer_price_question("hvad koster et pas")
    second = answer_price_question("okay tak, hun er 12 år gammel", context=first.context)
    assert second.row_ids == ("L0755",)


@pytest.mark.parametrize("context", [
    {}, {"v": 99, "rows": ["L0753"]}, {"v": 1, "rows": "nope"}, {"v": 1, "rows": ["L9999"]},
    {"v": 1, "rows": ["L0753", "L0754"], "query": {"age": {"$dec": "x"}}},
])
def test_broken_or_stale_context_is_ignored(context: dict) -> None:
    answer = answer_price_question("hvad koster et sundhedskort", context=context)
    assert answer.status == "answer" and answer.row_ids == ("L0758",)


def test_unknown_row_reply_falls_back_to_the_text() -> None:
    answer = answer_price_question("sundhedskort", reply="row:L9999")
    assert answer.row_ids == ("L0758",)


def test_context_is_json_round_trippable_between_turns() -> None:
    first = answer_price_question("pas til min søn")
    restored = json.loads(json.dumps(first.context))
    second = answer_price_question("han er 16 år", context=restored)
    assert second.row_ids == ("L0755",)


def test_does_not_ask_what_the_user_already_said() -> None:
    for text in ("svømmeland voksen lørdag", "pas til en på 40", "sfo 2. klasse",
                 "pap 660 liter 26 tømninger", "herfølge svømmehal voksen"):
        answer = answer_price_question(text)
        assert answer.status == "answer", (text, answer.text)


# ------------------------------------------------------------------ every row
_KR_RE = re.compile(r"(\d{1,3}(?:\.\d{3})*,\d{2}) kr\.")


def _danish(value) -> str:
    from knowledge.money import format_decimal
    return format_decimal(value, 2)


def test_every_row_renders_with_only_its_own_amounts() -> None:
    """No number in a plain answer that is not in the row itself (nothing invented)."""
    for row in get_catalogue().rows:
        text = render_row(row)
        assert "None" not in text and text.endswith(f"– {row.section}"), row.id
        first = text.split("\n")[0]
        own = {_danish(a.value) for a in row.amounts}
        shown = set(_KR_RE.findall(first))
        label_amounts = set(_KR_RE.findall(row.label))
        assert shown - label_amounts <= own, (row.id, first)


def test_every_row_can_be_picked_by_button() -> None:
    for row in get_catalogue().rows:
        answer = answer_price_question("", reply=f"row:{row.id}")
        assert answer.status == "answer" and answer.row_ids == (row.id,)


@pytest.mark.parametrize("bad_reply", ["age:abc", "age:-", "tons:-5", "nonsense:1", "liters:1e99999"])
def test_an_unusable_button_value_asks_the_same_question_again(bad_reply: str) -> None:
    first = answer_price_question("hvad koster et pas")
    again = answer_price_question("", context=first.context, reply=bad_reply)
    assert again.status == "clarify" and again.context["ask"] == "age"


def test_reply_without_context_is_read_as_text() -> None:
    assert answer_price_question("", reply="sundhedskort").row_ids == ("L0758",)
    assert answer_price_question("", reply="age:12").status == "not_found"


@pytest.mark.parametrize("text", ["1" * 5000, "1,1 " * 2000, "12 år " * 1000, "pas " * 3000])
def test_very_long_input_is_cut_and_answered_quickly(text: str) -> None:
    import time

    start = time.perf_counter()
    answer = answer_price_question(text)
    assert answer.status in STATUSES
    assert time.perf_counter() - start < 2.0
