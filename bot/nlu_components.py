"""Custom Rasa NLU components (the thin adapter; the logic is ``knowledge/nlu_text.py``).

``bot.nlu_components.LemmaNormaliser`` sits after ``SpacyTokenizer`` in ``config.yml`` and
rewrites each token's ``lemma``: folded to ae/oe/aa, the ae/oe/aa spelling of a Danish word
lemmatized like the æ/ø/å one, and English glossed to the Danish lemmas (a whole message at a
time: whether it reads as English decides which glossary applies). Only
features that read lemmas see the change (the word CountVectorsFeaturizer); the token text,
its offsets (entities) and the char n-grams over the typed text stay as they were.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.nlu_text import LemmaNormaliser as _Normaliser
from knowledge.nlu_text import data_fingerprint, default_normaliser


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class LemmaNormaliser(GraphComponent):
    """Rewrites token lemmas in place; adds no features of its own."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Rasa caches this node's output by config; a changed glossary or rule must retrain."""
        return data_fingerprint()

    def __init__(self, normaliser: Optional[_Normaliser] = None) -> None:
        self._normalise = normaliser or default_normaliser()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LemmaNormaliser":
        return cls()

    def _rewrite(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        lemmas = self._normalise.normalise_all((t.text, t.lemma) for t in tokens)
        for token, lemma in zip(tokens, lemmas):
            token.lemma = lemma

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._rewrite(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._rewrite(message)
        return messages

