"""The contact block, the price-list notes, the message cleaner and the English gloss of the
tariff search: data traceable to the seed, behaviour without Rasa."""

from __future__ import annotations

import re

import pytest

from knowledge import sources
from knowledge.contact import contact_question, load_contact, render_contact
from knowledge.message import clean_message, is_payload
from knowledge.notes import load_notes, note_words, render_note, search_notes
from knowledge.tariffs.catalogue import load_catalogue
from knowledge.tariffs.query import parse_query
from knowledge.tariffs.query_english import to_danish
from knowledge.tariffs.query_numbers import drop_non_amounts
from knowledge.tariffs.search import CATALOGUE_PATH
from knowledge.text import fold

PRICE_LIST = "003_ca89e0cbbb223601.txt"


# --- contact block -----------------------------------------------------------------------------
def test_contact_values_stand_on_their_seed_lines():
    contact = load_contact()
    for key in ("name", "street", "postcode_city", "cvr", "phone", "email"):
        assert getattr(contact, key) in sources.seed_line(PRICE_LIST, contact.lines[key])


@pytest.mark.parametrize("text, fields, general", [
    ("hvad er køge kommunes adresse", {"address"}, True),
    ("cvr nummer på kommunen", {"cvr"}, True),
    ("rådhusets telefonnummer", {"phone"}, True),
    ("kan jeg skrive en mail til kommunen", {"email"}, True),
    ("hvad koster et pas", set(), False),
    ("what is the address of the town hall", {"address"}, True),
])
def test_contact_question(text, fields, general):
    asked = contact_question(text)
    assert set(asked.fields) == fields and asked.general == general


def test_contact_answer_states_only_what_was_asked_with_its_source():
    text = render_contact(frozenset({"cvr"}))
    assert "29189374" in text and "Torvet" not in text and "Kilde:" in text
    assert all(v in render_contact() for v in ("Torvet 1", "DK-4600 Køge", "+45 56 67 67 67", "raadhus@koege.dk"))


# --- notes of the price list --------------------------------------------------------------------
def test_every_note_of_the_importer_and_every_footnote_is_a_searchable_note():
    """Completeness: each note sentence the importer attached to a row, and each line of the
    price list that starts with a footnote mark, is covered by a note of notes.yml."""
    covered = " ".join(n.text for n in load_notes())
    squash = lambda t: re.sub(r"\s+", " ", re.sub(r"^\*+\)?\s*", "", t)).strip()  # noqa: E731
    wanted = {squash(n) for row in load_catalogue(CATALOGUE_PATH).rows for n in row.notes
              if len(n.strip()) > 12}
    wanted |= {squash(line) for line in sources.seed_lines(PRICE_LIST) if line.strip().startswith("*")}
    missing = [w for w in wanted if w not in covered]
    assert missing == []


@pytest.mark.parametrize("question, note_id", [
    ("hvordan regnes gebyret ud for en byggetilladelse", "byggesag_kvarter"),
    ("hvem kan bruge et familiekort i varmtvandsbassinet", "familie_daekker"),
    ("får man søskenderabat i musikskolen", "musik_soeskende"),
    ("hvor mange rater er der om året i musikterapi", "musikterapi_rater"),
    ("skal jeg betale for en carport på 30 m2", "carport_gratis"),
])
def test_notes_are_found_by_the_price_search(question, note_id):
    hits = search_notes(note_words(question))
    assert hits and hits[0].note.id == note_id


def test_a_note_is_answered_with_the_list_s_words_and_source():
    note = next(n for n in load_notes() if n.id == "bibliotek_boern_halv")
    text = render_note(note)
    assert "½ pris" in text and "Bibliotek" in text and text.splitlines()[-1].startswith("Kilde:")


# --- the message cleaner -----------------------------------------------------------------------
@pytest.mark.parametrize("raw, clean", [
    ("<b>hvad koster rusefiskeri</b>", "hvad koster rusefiskeri"),
    ("hvad koster et pas???!!!", "hvad koster et pas?"),
    ("se https://www.koege.dk/takster – hvad koster parkering", "se – hvad koster parkering"),
    ("**rykkergebyr** &amp; renter", "rykkergebyr & renter"),
    ("<p>hej</p><p>hvad skylder jeg</p>", "hej hvad skylder jeg"),
    ("pas\u200b til barn", "pas til barn"),
    ('/ask_price{"tariff_reply":"row:L0623"}', '/ask_price{"tariff_reply":"row:L0623"}'),
    ("", ""),
])
def test_clean_message(raw, clean):
    assert clean_message(raw) == clean


def test_payloads_are_recognised():
    assert is_payload("/faq_pay") and is_payload('/ask_price{"tariff_reply":"age:12-17"}')
    assert not is_payload("/ hvad koster") and not is_payload("hvad koster /pas")


def test_a_huge_message_is_cut():
    assert len(clean_message("pas " * 5000)) <= 2000


# --- numbers that are not amounts; English questions -----------------------------------------------
@pytest.mark.parametrize("text, kept, dropped", [
    ("ring 5667 2450 om parkering", "parkering", "5667"),
    ("jeg betalte den 15. marts 300 kr", "300 kr", "15"),
    ("hvad koster et pas i 2025", "pas", "2025"),
    ("grundværdi 2.300.000", "2.300.000", None),
    ("1/2 års kort", "1/2", None),
])
def test_years_dates_and_phone_numbers_are_never_amounts(text, kept, dropped):
    out = drop_non_amounts(fold(text))
    assert fold(kept) in out
    if dropped:
        assert dropped not in out


def test_an_english_price_question_reads_like_its_danish_twin():
    english = parse_query("how much is a passport for a child aged 8")
    danish = parse_query("hvad koster et pas til et barn på 8 år")
    assert english.words == danish.words and english.age == danish.age == 8
    assert to_danish("pap container 660 liter hver 14. dag") == "pap container 660 liter hver 14. dag"


@pytest.mark.parametrize("text, value", [
    ("grundværdi på 2 750 000 kr", "2750000"), ("450 000 kr", "450000"), ("3,1 mio", "3100000"),
    ("950 t.kr.", "950000"), ("kr. 2.300.000", "2300000"), ("1,7 millioner", "1700000"),
])
def test_values_as_people_write_them(text, value):
    from knowledge.tariffs.query_numbers import canonical_numbers
    from knowledge.text import fold
    assert value in canonical_numbers(fold(text)).split()
