"""scripts/nlu_quick: the fast cross-validated proxy used while editing data/nlu."""

from __future__ import annotations

from scripts.nlu_quick import cross_validate, load_examples


def test_examples_are_read_without_entity_markup(tmp_path) -> None:
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: ask_issuer\n  examples: |\n'
        '    - hvem sender [p-bøden](bill_type)\n'
        '    - hvem sender regningen for [skrald]{"entity": "bill_type", "value": "renovation"}\n'
        '- synonym: renovation\n  examples: |\n    - skrald\n', encoding="utf-8")
    texts, intents = load_examples(tmp_path)
    assert texts == ["hvem sender p-bøden", "hvem sender regningen for skrald"]
    assert intents == ["ask_issuer", "ask_issuer"]


def test_cross_validation_separates_separable_intents_and_scores_each_seed() -> None:
    greet = ["hej", "hejsa", "goddag", "hej med dig", "hej hej der", "godmorgen", "hallo", "hej igen",
             "hejsa der", "halløj"]
    pay = ["hvordan betaler jeg", "kan jeg betale med mobilepay", "betale regning", "betaling netbank",
           "hvordan betaler man", "betale med kort", "betaler jeg i netbank", "betale via pbs",
           "kan jeg betale online", "hvor betaler jeg"]
    texts = greet + pay
    intents = ["greet"] * len(greet) + ["faq_pay"] * len(pay)
    result = cross_validate(texts, texts, intents, folds=2, seeds=(0, 1))
    assert len(result["scores"]) == 2
    assert result["mean"] > 0.9
    assert len(result["predicted"]) == len(texts)
