"""Custom Rasa NLU components: thin adapters, the logic is plain Python in ``knowledge/``.

* ``LemmaNormaliser`` (logic: ``knowledge/nlu_text.py``) rewrites token lemmas for the word features;
* ``LinearIntentClassifier`` (logic: ``knowledge/nlu_linear.py``) classifies the intent;
* ``BillTypeExtractor`` (logic: ``knowledge/bill_entity.py``) reads the ``bill_type`` entity from
  the issuer table's words.

``bot.nlu_components.LemmaNormaliser`` sits after ``SpacyTokenizer`` in ``config.yml`` and
rewrites each token's ``lemma``: folded to ae/oe/aa, the ae/oe/aa spelling of a Danish word
lemmatized like the æ/ø/å one, and English glossed to the Danish lemmas (a whole message at a
time: whether it reads as English decides which glossary applies). Only
features that read lemmas see the change (the word CountVectorsFeaturizer); the token text,
its offsets (entities) and the char n-grams over the typed text stay as they were.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import ENTITIES, EXTRACTOR, FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import knowledge.bill_entity as bill_entity_module
import knowledge.issuers as issuers_module
import knowledge.message as message_module
from knowledge.message import clean_message
from knowledge.nlu_linear import LinearIntentModel
from knowledge.nlu_text import LemmaNormaliser as _Normaliser
from knowledge.nlu_text import data_fingerprint, default_normaliser
from bot import rasa_speedups

# Rasa imports this module in every process that loads our model: the place to fix Rasa's own
# per-turn costs (bot/rasa_speedups.py).
rasa_speedups.apply()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MessageCleaner(GraphComponent):
    """First in the pipeline: the message text without markup, links, repeated punctuation or
    invisible characters (``knowledge/message.py``), for every channel alike. The cleaned text
    is what the tokenizer, the classifiers and - as ``latest_message["text"]`` - the actions see."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """A changed cleaning rule must retrain (Rasa caches this node's output)."""
        return hashlib.sha256(Path(message_module.__file__).read_bytes()).hexdigest()[:16]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "MessageCleaner":
        return cls()

    @staticmethod
    def _clean(message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            cleaned = clean_message(text)
            if cleaned != text:
                message.set(TEXT, cleaned or text)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._clean(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._clean(message)
        return messages


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



@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Intents from a calibrated linear SVM over the sparse sentence features (``knowledge/nlu_linear.py``).

    Reads every sparse *sentence* feature block of the text in pipeline order (word n-grams,
    char n-grams, regex patterns), so it needs the featurizers before it and nothing else; DIET
    (``intent_classification: false``) still extracts the entities.
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 1.0, "calibration_folds": 3, "random_seed": 2024, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[LinearIntentModel] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def _blocks(messages: List[Message]) -> List[scipy.sparse.csr_matrix]:
        """One (n_messages, width) matrix per featurizer, in pipeline order."""
        rows: List[List[scipy.sparse.spmatrix]] = []
        for message in messages:
            rows.append([f.features for f in message.features
                         if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()])
        counts = {len(r) for r in rows}
        if len(counts) > 1:
            raise ValueError(f"messages carry different numbers of sentence feature blocks: {counts}")
        n_blocks = counts.pop() if counts else 0
        return [scipy.sparse.vstack([r[i] for r in rows]).tocsr() for i in range(n_blocks)]

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            return self._resource  # nothing to learn (e.g. a data set without intents)
        self._model = LinearIntentModel.fit(
            self._blocks(examples), [e.get(INTENT) for e in examples], c=float(self._config["C"]),
            calibration_folds=int(self._config["calibration_folds"]),
            random_seed=int(self._config["random_seed"]))
        with self._storage.write_to(self._resource) as directory:
            self._model.save(Path(directory))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                model = LinearIntentModel.load(Path(directory))
        except (ValueError, FileNotFoundError, OSError):
            model = None  # trained without intents: predicts none
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        featured = [m for m in messages if m.get(TEXT)]
        if not featured:
            return messages
        rankings = self._model.rank(self._blocks(featured), int(self._config["ranking_length"]) or None)
        for message, ranking in zip(featured, rankings):
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BillTypeExtractor(GraphComponent, EntityExtractorMixin):
    """The ``bill_type`` entity from the issuer table's words (``knowledge/bill_entity.py``):
    the same reading the router uses, in Danish and English, without a trained model."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The matcher's code and the issuer table decide its output (Rasa caches it)."""
        digest = hashlib.sha256()
        for path in (Path(bill_entity_module.__file__), Path(issuers_module.__file__), issuers_module.DEFAULT_PATH):
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "BillTypeExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            entity = bill_entity_module.bill_entity(text) if isinstance(text, str) else None
            if entity is None:
                continue
            entity[EXTRACTOR] = self.__class__.__name__
            kept = [e for e in message.get(ENTITIES, []) if e.get("entity") != entity["entity"]]
            message.set(ENTITIES, kept + [entity], add_to_output=True)
        return messages

