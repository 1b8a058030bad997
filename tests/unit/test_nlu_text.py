"""The lemma normaliser behind the NLU's word features (knowledge/nlu_text.py, bot/nlu_components.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.nlu_text import GLOSS_PATH, LemmaNormaliser, default_normaliser, folded_lemmas, load_gloss

TABLE = {"børnehaven": "børnehave", "børnehave": "børnehave", "regningen": "regning",
         "regninger": "regning", "rykkergebyret": "rykkergebyr", "gælden": "gæld",
         "ringe": "ring", "betalt": "betale", "er": "være", "kan": "kunne", "skylder": "skylde"}

GLOSS = {
    "markers": {"english": ["the", "my", "what", "how", "can", "is", "do", "i'm", "want"],
                "danish": ["jeg", "er", "kan", "hvad", "min", "til", "for"]},
    "gloss": {"bill": "regningen", "bills": "regninger", "overpaid": "betalt", "call": "ringe",
              "the": "", "owe": "skylder", "what": "hvad", "my": "min", "can": "kan"},
    "english": {"i": "jeg", "is": "er", "to": "til", "do": "", "plan": "plan", "i'm": "jeg er",
                "want": "vil"},
    "phrases": {"property tax": "ejendomsskat", "how much": "hvor meget", "due date": "frist"},
}


def words(text: str, table=TABLE):
    """(word, lemma) pairs as spaCy's lookup lemmatizer gives them."""
    return [(w, table.get(w.lower())) for w in text.split()]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> LemmaNormaliser:
    path = tmp_path_factory.mktemp("gloss") / "gloss.yml"
    path.write_text(yaml.safe_dump(GLOSS, allow_unicode=True), encoding="utf-8")
    return LemmaNormaliser.from_data(table=TABLE, gloss_path=path)


def test_ae_oe_aa_spelling_gets_the_same_lemma_as_the_danish_letters(small) -> None:
    assert small("børnehaven", "børnehave") == "boernehave"
    assert small("boernehaven", "boernehaven") == "boernehave"  # spaCy did not know it
    assert small("gaelden", None) == "gaeld"


def test_lemmas_are_folded_and_lower_case(small) -> None:
    assert small("Regningen", "regning") == "regning"
    assert small("Gæld", "Gæld") == "gaeld"


def test_a_lemma_spacy_found_is_kept(small) -> None:
    assert small("rykkergebyret", "rykkergebyr") == "rykkergebyr"


def test_glossary_values_get_the_lemma_a_danish_example_would_get(small) -> None:
    # "call" -> "ringe", which the Danish table lemmatizes as "ring": the same feature as
    # a Danish "kan jeg ringe til jer"
    assert small("call", "call") == "ring"
    assert small("Bill", "Bill") == "regning"
    assert small("overpaid", None) == "betale"


def test_english_only_words_are_glossed_in_a_danish_message_too(small) -> None:
    assert small.normalise_all(words("min bill er forkert")) == ["min", "regning", "vaere", "forkert"]


def test_words_that_are_also_danish_are_glossed_only_in_an_english_message(small) -> None:
    # Danish: "i" is a preposition, "to" the number two, "plan" a plan; nothing is translated
    assert small.normalise_all(words("jeg er i tvivl om to regninger")) == [
        "jeg", "vaere", "i", "tvivl", "om", "to", "regning"]
    # English: the same words are translated, "the" and "do" are dropped
    assert small.normalise_all(words("i want to call")) == ["jeg", "vil", "til", "ring"]
    assert small.normalise_all(words("what do i owe")) == ["hvad", "", "jeg", "skylde"]


def test_english_phrases_become_one_danish_compound_or_construction(small) -> None:
    assert small.normalise_all(words("what is the property tax")) == [
        "hvad", "vaere", "", "ejendomsskat", ""]
    assert small.normalise_all(words("how much can i pay")) == ["hvor", "meget", "kunne", "jeg", "pay"]
    # in a Danish message an English word group is left alone
    assert small.normalise_all(words("jeg er i property tax")) == ["jeg", "vaere", "i", "property", "tax"]


def test_reads_english_counts_marker_words_of_both_languages(small) -> None:
    reads = small.gloss.reads_english
    assert reads(["what", "is", "my", "bill"])
    assert reads(["bill"])  # an English-only word and nothing Danish
    assert not reads(["hvad", "er", "min", "bill"])
    assert not reads(["pensionist"])
    assert not reads([])


def test_unknown_words_pass_through_folded(small) -> None:
    assert small("mitid", "mitid") == "mitid"
    assert small("", None) == ""
    assert small.normalise_all([]) == []


def test_folded_table_only_holds_forms_folding_changes() -> None:
    assert folded_lemmas({"børnehaven": "børnehave", "regningen": "regning"}) == {
        "boernehaven": "boernehave"}


def test_project_glossary_is_consistent() -> None:
    data = yaml.safe_load(GLOSS_PATH.read_text(encoding="utf-8"))
    always, english = data["gloss"], data["english"]
    # every key is a string (quoted "no"/"yes"/"on" are not YAML booleans) and lower case
    for section in (always, english, data["phrases"]):
        assert all(isinstance(k, str) and k == k.lower() for k in section)
    # a word is in one table only, and no phrase key is a single word
    assert not set(always) & set(english)
    assert all(len(k.split()) > 1 for k in data["phrases"])
    # words that are common Danish words are never glossed in a Danish message
    assert not {"to", "for", "sent", "i", "is", "plan", "park", "rent", "time", "fine", "hold",
                "have", "man", "bare", "kan", "er", "tak", "hej"} & set(always)
    # no word is a marker of both languages
    assert not set(data["markers"]["english"]) & set(data["markers"]["danish"])


@pytest.mark.slow
def test_default_normaliser_reads_the_installed_danish_table() -> None:
    from knowledge.nlu_text import danish_lemma_table

    normalise, table = default_normaliser(), danish_lemma_table()
    assert normalise("boernehaven", "boernehaven") == "boernehave"
    assert normalise("invoice", "invoice") == "regning"
    # an English question gets the word features of its Danish twin
    english = normalise.normalise_all(words("can i pay my bill in instalments", table))
    danish = normalise.normalise_all(words("kan jeg betale min regning i afdrag", table))
    assert english == danish
    assert normalise.normalise_all(words("who sends the property tax bill", table))[-3:] == [
        "ejendomsskat", "", "regning"]


def test_rasa_component_rewrites_lemmas_but_not_text_or_offsets(small) -> None:
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.nlu.tokenizers.tokenizer import Token
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu_components import LemmaNormaliser as Component

    def message() -> Message:
        msg = Message(data={TEXT: "i want boernehaven"})
        msg.set(TOKENS_NAMES[TEXT], [Token("i", 0, lemma="i"), Token("want", 2, lemma="want"),
                                     Token("boernehaven", 7, lemma="boernehaven")])
        return msg

    component = Component(small)
    [processed] = component.process([message()])
    tokens = processed.get(TOKENS_NAMES[TEXT])
    # the message reads as English ("want"), so "i" is glossed too
    assert [t.lemma for t in tokens] == ["jeg", "vil", "boernehave"]
    assert [(t.text, t.start, t.end) for t in tokens] == [("i", 0, 1), ("want", 2, 6), ("boernehaven", 7, 18)]
    data = component.process_training_data(TrainingData([message()]))
    assert [t.lemma for t in data.training_examples[0].get(TOKENS_NAMES[TEXT])] == ["jeg", "vil", "boernehave"]


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


@pytest.mark.parametrize("tokens", [
    ["cpr", "0102031234"], ["cpr", "010203-1234"], ["cpr", "010203", "1234"],
    ["cpr", "010203–1234"], ["cpr", "010203-", "*", "*", "*", "*"],  # masked by the gateway
])
def test_a_cpr_number_is_one_placeholder_lemma_whatever_its_digits(small, tokens) -> None:
    from knowledge.nlu_text import CPR_LEMMA

    out = small.normalise_all([(t, None) for t in tokens])
    assert len(out) == len(tokens)  # one lemma per token, as the featurizer expects
    assert out[:2] == ["cpr", CPR_LEMMA] and not any(out[2:])


def test_other_numbers_stay_numbers(small) -> None:
    for text in ("ring 5667 2450", "det koster 250 kr", "991299-1234", "betal 12 1234"):
        assert small.normalise_all(words(text)) == [w.lower() for w in text.split()], text


@pytest.mark.parametrize("typed, meant", [
    ("rykkker", "rykker"), ("regningerrr", "regninger"), ("takkk", "tak"), ("neeej", "nej"),
    ("jaaa", "ja"), ("hejjj", "hej"),
    ("boooernehaven", "boernehave"),  # cut, then folded and lemmatized like "børnehaven"
])
def test_stuttered_letters_are_read_as_the_word_meant(small, typed, meant) -> None:
    assert small(typed, typed) == meant  # spaCy's lemma of the stuttered form is not used


def test_repeated_digits_are_not_stutter(small) -> None:
    assert small("1000", "1000") == "1000" and small("2000000", "2000000") == "2000000"
