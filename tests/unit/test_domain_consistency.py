"""The Rasa domain, the intent table and the actions agree with each other."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.intents import load_intents

ROOT = Path(__file__).resolve().parents[2]


def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_domain_declares_exactly_the_described_intents():
    assert set(domain()["intents"]) == set(load_intents())


def test_every_intent_offered_in_fallback_has_a_danish_title():
    for info in load_intents().values():
        assert info.title and info.title[0].isupper(), info


def test_every_domain_action_is_implemented():
    import actions.account, actions.answer  # noqa: F401,E401
    from rasa_sdk import Action

    def all_subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from all_subclasses(sub)

    implemented = set()
    for cls in all_subclasses(Action):
        try:
            implemented.add(cls().name())
        except NotImplementedError:
            continue
    assert set(domain()["actions"]) <= implemented


def test_the_domain_has_no_responses_every_reply_comes_from_the_router():
    """One home per fact: no phone number or answer text in domain.yml (action_answer writes
    every reply, knowledge/router/replies.py and the knowledge files)."""
    assert not domain().get("responses")


def test_the_routers_own_replies_name_only_seed_phone_numbers():
    import re

    from core.settings import SEEDS_DIR
    from knowledge.issuers import load_issuers
    from knowledge.router import replies

    seed = (SEEDS_DIR / "000_88859510c15c3961.txt").read_text(encoding="utf-8")
    texts = [replies.smalltalk(i) for i in ("greet", "goodbye", "thank", "bot_challenge", "chitchat",
                                            "affirm", "deny")]
    texts += [replies.general_handover(), replies.out_of_scope(), replies.koege_only("Roskilde"),
              replies.unknown(frozenset({"rate"}), None), replies.empty()]
    texts += [replies.office_handover(i) for i in load_issuers()]
    for text in texts:
        for phone in re.findall(r"\b\d{4} \d{4}\b", text):
            assert phone in seed, (text, phone)


# --- NLU training data ------------------------------------------------------------------------

import re as _re  # noqa: E402

_ANNOTATION = _re.compile(r"\[([^\]]*)\](?:\{([^}]*)\}|\(([^)]*)\))")
MIN_EXAMPLES = 25


def nlu_items() -> list:
    items = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or [])
    return items


def example_lines(item: dict) -> list:
    return [line.strip()[2:] for line in item["examples"].splitlines() if line.strip().startswith("- ")]


def annotations(example: str):
    """(surface text, entity, value) of every annotation in one example."""
    import json

    for match in _ANNOTATION.finditer(example):
        surface, braces, parens = match.groups()
        if braces is not None:
            spec = json.loads("{" + braces + "}")
            yield surface, spec["entity"], spec.get("value", surface)
        else:
            yield surface, parens, surface


def plain(example: str) -> str:
    return _ANNOTATION.sub(lambda m: m.group(1), example).strip().lower()


def test_every_intent_has_enough_varied_examples():
    counts = {}
    for item in nlu_items():
        if "intent" in item:
            counts[item["intent"]] = counts.get(item["intent"], 0) + len(example_lines(item))
    for intent in domain()["intents"]:
        assert counts.get(intent, 0) >= MIN_EXAMPLES, (intent, counts.get(intent, 0))
    assert set(counts) <= set(domain()["intents"])


def test_no_example_is_labelled_with_two_intents():
    seen = {}
    for item in nlu_items():
        if "intent" in item:
            for example in example_lines(item):
                other = seen.setdefault(plain(example), item["intent"])
                assert other == item["intent"], (example, other, item["intent"])


def test_no_entity_is_annotated_for_a_model_that_does_not_learn_it():
    """No trainable entity extractor is in the pipeline (bill_type comes from the issuer table,
    bot.nlu_components.BillTypeExtractor): an annotation or synonym in data/nlu would be
    silently ignored, so there must be none."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    trainable = {"DIETClassifier", "CRFEntityExtractor", "MitieEntityExtractor"}
    assert not trainable & {c["name"] for c in config["pipeline"]}
    assert "bot.nlu_components.BillTypeExtractor" in [c["name"] for c in config["pipeline"]]
    for item in nlu_items():
        assert "synonym" not in item, item["synonym"]
        for example in example_lines(item) if "intent" in item else []:
            assert not list(annotations(example)), example


def test_annotated_entities_are_declared_in_the_domain():
    declared = set()
    for entry in domain()["entities"]:
        declared.update(entry if isinstance(entry, dict) else [entry])
    for item in nlu_items():
        for example in example_lines(item) if "intent" in item else []:
            for _surface, entity, _value in annotations(example):
                assert entity in declared, example


def test_no_example_is_a_sentence_of_the_seeds():
    from core.settings import SEEDS_DIR

    def words(text: str) -> str:
        text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
        return " ".join(_re.sub(r"[^a-z0-9 ]+", " ", text).split())

    seeds = sorted(SEEDS_DIR.glob("0*.txt"))
    if not seeds:
        import pytest

        pytest.skip(f"no seed texts in {SEEDS_DIR}")
    sentences = {
        words(part)
        for seed in seeds
        for line in seed.read_text(encoding="utf-8").splitlines()
        for part in _re.split(r"[.?!•]", line)
        if len(words(part).split()) >= 3
    }
    for item in nlu_items():
        for example in example_lines(item) if "intent" in item else []:
            assert words(plain(example)) not in sentences, (item["intent"], example)
