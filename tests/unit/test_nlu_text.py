"""The lemma normaliser behind the NLU's word features (knowledge/nlu_text.py, bot/nlu_components.py)."""

from __future__ import annotations

import pytest

from knowledge.nlu_text import LemmaNormaliser, default_normaliser, folded_lemmas, load_gloss

TABLE = {"børnehaven": "børnehave", "børnehave": "børnehave", "regningen": "regning",
         "rykkergebyret": "rykkergebyr", "gælden": "gæld"}


@pytest.fixture(scope="module")
def small() -> LemmaNormaliser:
    return LemmaNormaliser.from_data(table=TABLE, gloss={"bill": "regning", "overpaid": "overbetale"})


def test_ae_oe_aa_spelling_gets_the_same_lemma_as_the_danish_letters(small) -> None:
    assert small("børnehaven", "børnehave") == "boernehave"
    assert small("boernehaven", "boernehaven") == "boernehave"  # spaCy did not know it
    assert small("gaelden", None) == "gaeld"


def test_lemmas_are_folded_and_lower_case(small) -> None:
    assert small("Regningen", "regning") == "regning"
    assert small("Gæld", "Gæld") == "gaeld"


def test_a_lemma_spacy_found_is_kept(small) -> None:
    assert small("rykkergebyret", "rykkergebyr") == "rykkergebyr"


def test_english_words_get_the_danish_lemma(small) -> None:
    assert small("Bill", "Bill") == "regning"
    assert small("overpaid", None) == "overbetale"


def test_unknown_words_pass_through_folded(small) -> None:
    assert small("mitid", "mitid") == "mitid"
    assert small("", None) == ""


def test_folded_table_only_holds_forms_folding_changes() -> None:
    assert folded_lemmas(TABLE) == {"boernehaven": "boernehave", "boernehave": "boernehave",
                                    "gaelden": "gaeld"}


def test_glossary_values_are_folded_danish_and_skip_danish_words() -> None:
    gloss = load_gloss()
    assert gloss["bill"] == "regning" and gloss["instalments"] == "afdrag"
    assert gloss["no"] == "nej" and gloss["yes"] == "ja"  # quoted keys: not YAML booleans
    assert all(v == v.lower() and not set(v) & set("æøå") for v in gloss.values())
    # common Danish words must not be translated ("for sent", "to børn", "jeg er i tvivl")
    assert not {"to", "for", "sent", "i", "is", "plan", "park", "rent"} & set(gloss)


@pytest.mark.slow
def test_default_normaliser_reads_the_installed_danish_table() -> None:
    normalise = default_normaliser()
    assert normalise("boernehaven", "boernehaven") == "boernehave"
    assert normalise("invoice", "invoice") == "regning"


def test_rasa_component_rewrites_lemmas_but_not_text_or_offsets(small) -> None:
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu_components import LemmaNormaliser as Component

    def message() -> Message:
        msg = Message(data={TEXT: "my bill boernehaven"})
        msg.set(TOKENS_NAMES[TEXT], [Token("my", 0, lemma="my"), Token("bill", 3, lemma="bill"),
                                     Token("boernehaven", 8, lemma="boernehaven")])
        return msg

    component = Component(small)
    [processed] = component.process([message()])
    tokens = processed.get(TOKENS_NAMES[TEXT])
    assert [t.lemma for t in tokens] == ["my", "regning", "boernehave"]
    assert [(t.text, t.start, t.end) for t in tokens] == [("my", 0, 2), ("bill", 3, 7), ("boernehaven", 8, 19)]
    data = component.process_training_data(TrainingData([message()]))
    assert [t.lemma for t in data.training_examples[0].get(TOKENS_NAMES[TEXT])] == ["my", "regning", "boernehave"]


def test_fingerprint_changes_with_the_glossary(tmp_path, monkeypatch) -> None:
    """Rasa caches the component's output by fingerprint: a new glossary must not reuse it."""
    import knowledge.nlu_text as nlu_text
    from bot.nlu_components import LemmaNormaliser as Component

    before = Component.fingerprint_addon({})
    gloss = tmp_path / "gloss.yml"
    gloss.write_text(nlu_text.GLOSS_PATH.read_text(encoding="utf-8") + '  "receipt": kvittering\n',
                     encoding="utf-8")
    monkeypatch.setattr(nlu_text, "GLOSS_PATH", gloss)
    assert Component.fingerprint_addon({}) != before
