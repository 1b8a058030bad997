"""knowledge/data/question_vocabulary.txt is generated from data/nlu (scripts/question_vocabulary.py)
and must be regenerated when the training questions change: the router's coverage check reads it."""

from __future__ import annotations

from knowledge.router.coverage import known_words, unfamiliar_words
from scripts import question_vocabulary


def test_the_committed_vocabulary_is_current():
    assert question_vocabulary.OUT.read_text(encoding="utf-8") == question_vocabulary.render(), (
        "data/nlu changed: run `python -m scripts.question_vocabulary`")


def test_trained_words_are_known_and_others_are_not():
    assert "afdragsordning" in known_words()
    # "eftergive" is Danish, but neither the texts nor the trained questions use it
    assert unfamiliar_words("kan jeg få min gæld eftergivet") == ["eftergivet"]
    # English, typos and names are never counted (not in the Danish lexicon)
    assert unfamiliar_words("can I get my debt forgiven") == []
    assert unfamiliar_words("hvad er betalinsoverblikket") == []
