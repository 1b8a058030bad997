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
    import actions.account, actions.faq, actions.fallback, actions.issuers, actions.tariffs  # noqa: F401,E401
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


def test_responses_are_danish_and_name_only_source_phone_numbers():
    import re

    from core.settings import SEEDS_DIR

    seed = (SEEDS_DIR / "000_88859510c15c3961.txt").read_text(encoding="utf-8")

    for name, variants in domain()["responses"].items():
        for variant in variants:
            for phone in re.findall(r"\b\d{4} \d{4}\b", variant["text"]):
                assert phone in seed, (name, phone)
