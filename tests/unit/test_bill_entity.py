"""The bill_type entity from the issuer table's words (knowledge/bill_entity.py) and its Rasa
component (bot.nlu_components.BillTypeExtractor), which replaced an entity-only DIET (issue 19)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.bill_entity import bill_entity, find_bill
from knowledge.issuers import load_issuers


@pytest.mark.parametrize("text, issuer", [
    ("Hvem sender regningen for børnehaven?", "daginstitution"),
    ("hvem sender regningen for boernehaven", "daginstitution"),      # ae/oe/aa
    ("jeg har fået en skraldespandsregning", "renovation"),            # compound
    ("spørgsmål om min ejendomskat", "ejendomsskat"),                  # typo in the table
    ("hvem opkræver betaling for musikskolen", "musikskole"),          # inflection
    ("who sends the property tax bill", "ejendomsskat"),               # English, via the glossary
    ("hvor meget skylder jeg for vuggestuen", "daginstitution"),       # a balance question too
])
def test_the_bill_a_message_names(text, issuer):
    match = find_bill(text)
    assert match is not None and match.issuer.id == issuer
    entity = bill_entity(text)
    assert entity["entity"] == "bill_type" and entity["value"] == issuer
    assert 0 <= entity["start"] < entity["end"] <= len(text)
    assert 0 < entity["confidence_entity"] <= 1


@pytest.mark.parametrize("text", ["", "   ", "hej", "hvordan betaler jeg", "min ejendomsværdiskat er for høj"])
def test_no_bill_no_entity(text):
    """Nothing named, or only a look-alike the table vetoes (ejendomsværdiskat is not ejendomsskat)."""
    assert bill_entity(text) is None


def test_offsets_point_at_the_words_in_the_typed_spelling():
    text = "Hvem står for regningen til Svømmehallen?"
    entity = bill_entity(text)
    assert text[entity["start"]:entity["end"]] == "Svømmehallen"
    english = "who sends the property tax bill"
    entity = bill_entity(english)
    assert (entity["start"], entity["end"]) == (0, len(english))  # glossed: the whole message


def test_every_value_is_an_issuer_id():
    ids = {issuer.id for issuer in load_issuers()}
    for issuer in load_issuers():
        for word in issuer.terms:
            entity = bill_entity(f"hvem sender regningen for {word}")
            assert entity is not None and entity["value"] in ids, word


def test_the_rasa_component_adds_the_entity_and_replaces_an_older_one():
    from bot.nlu_components import BillTypeExtractor

    component = BillTypeExtractor()
    named = Message(data={TEXT: "hvem sender regningen for skraldet",
                          ENTITIES: [{"entity": "bill_type", "value": "bibliotek", "start": 0, "end": 3},
                                     {"entity": "tariff_reply", "value": "x", "start": 0, "end": 1}]})
    plain = Message(data={TEXT: "tak for hjælpen"})
    component.process([named, plain])
    entities = named.get(ENTITIES)
    assert [(e["entity"], e["value"]) for e in entities] == [("tariff_reply", "x"), ("bill_type", "renovation")]
    assert entities[-1]["extractor"] == "BillTypeExtractor"
    assert not plain.get(ENTITIES)


def test_the_component_is_retrained_when_the_table_changes(monkeypatch, tmp_path):
    """Rasa caches a component's output by its fingerprint: the table and the matcher are in it."""
    import knowledge.issuers as issuers
    from bot.nlu_components import BillTypeExtractor

    before = BillTypeExtractor.fingerprint_addon({})
    copy = tmp_path / "issuers.yml"
    copy.write_text(issuers.DEFAULT_PATH.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    monkeypatch.setattr(issuers, "DEFAULT_PATH", copy)
    assert BillTypeExtractor.fingerprint_addon({}) != before
