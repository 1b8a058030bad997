"""The calibrated linear intent model (knowledge/nlu_linear.py) and its Rasa adapter."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from knowledge.nlu_linear import LinearIntentModel, _tfidf

WORDS = {
    "greet": ["hej", "hejsa", "goddag", "hej med dig", "hej hej", "godmorgen", "hallo", "hej igen"],
    "faq_pay": ["hvordan betaler jeg", "betale med mobilepay", "betale regning", "betaling netbank",
                "hvordan betaler man", "betale med kort", "betaler i netbank", "betale via pbs"],
    "thank": ["tak", "mange tak", "tusind tak", "tak for hjælpen", "tak skal du have", "takker",
              "tak tak", "1000 tak"],
}


def _data():
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [t for ts in WORDS.values() for t in ts]
    intents = [i for i, ts in WORDS.items() for _ in ts]
    words = CountVectorizer(ngram_range=(1, 2)).fit(texts)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(texts)
    return texts, intents, words, chars


def _blocks(texts, words, chars):
    return [words.transform(texts), chars.transform(texts)]


@pytest.fixture(scope="module")
def trained():
    texts, intents, words, chars = _data()
    model = LinearIntentModel.fit(_blocks(texts, words, chars), intents, calibration_folds=2)
    return model, texts, intents, words, chars


def test_tfidf_matches_sklearn() -> None:
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = sparse.csr_matrix(np.array([[3, 0, 1], [0, 0, 0], [1, 2, 0]]))
    reference = TfidfTransformer(sublinear_tf=True).fit(counts)
    np.testing.assert_allclose(_tfidf(counts, reference.idf_).toarray(), reference.transform(counts).toarray())


def test_probabilities_are_sklearns_calibrated_probabilities(trained) -> None:
    """The stored arrays reproduce CalibratedClassifierCV(LinearSVC).predict_proba exactly."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    model, texts, intents, words, chars = trained
    blocks = _blocks(texts, words, chars)
    features = model.transform(blocks)
    reference = CalibratedClassifierCV(LinearSVC(C=1.0, random_state=2024), method="sigmoid",
                                       cv=StratifiedKFold(2, shuffle=True, random_state=2024),
                                       ensemble=False).fit(features, np.asarray(intents, dtype=object))
    assert list(reference.classes_) == model.classes
    np.testing.assert_allclose(model.predict_proba(blocks), reference.predict_proba(features), atol=1e-9)


def test_new_messages_get_the_right_intent_with_a_ranking(trained) -> None:
    model, _, _, words, chars = trained
    ranking = model.rank(_blocks(["hej du", "kan jeg betale med kort", "tak for det"], words, chars))
    assert [r[0]["name"] for r in ranking] == ["greet", "faq_pay", "thank"]
    for row in ranking:
        confidences = [r["confidence"] for r in row]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0)
    assert len(model.rank(_blocks(["hej"], words, chars), length=2)[0]) == 2


def test_save_and_load_give_the_same_probabilities(trained, tmp_path) -> None:
    model, texts, _, words, chars = trained
    model.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl"))  # arrays and JSON only
    loaded = LinearIntentModel.load(tmp_path)
    blocks = _blocks(texts, words, chars)
    np.testing.assert_array_equal(loaded.predict_proba(blocks), model.predict_proba(blocks))
    assert loaded.classes == model.classes


def test_features_of_another_shape_are_refused(trained) -> None:
    model, texts, _, words, chars = trained
    with pytest.raises(ValueError):
        model.predict_proba([words.transform(texts)])  # one block missing
    with pytest.raises(ValueError):
        model.predict_proba([words.transform(texts), sparse.csr_matrix((len(texts), 3))])


def test_two_intents_work_too() -> None:
    texts = WORDS["greet"] + WORDS["thank"]
    intents = ["greet"] * 8 + ["thank"] * 8
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(texts)
    model = LinearIntentModel.fit([vec.transform(texts)], intents, calibration_folds=2)
    ranking = model.rank([vec.transform(["hejsa", "tusind tak"])])
    assert [r[0]["name"] for r in ranking] == ["greet", "thank"]


def test_rasa_component_trains_persists_loads_and_classifies(tmp_path) -> None:
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu_components import LinearIntentClassifier

    texts, intents, words, chars = _data()

    def message(text, intent=None):
        data = {TEXT: text}
        if intent:
            data[INTENT] = intent
        msg = Message(data=data)
        for origin, vec in (("words", words), ("chars", chars)):
            msg.add_features(Features(vec.transform([text]), FEATURE_TYPE_SENTENCE, TEXT, origin))
        return msg

    storage = LocalModelStorage(tmp_path)
    resource = Resource("linear_intents")
    context = ExecutionContext(graph_schema=None, node_name="linear_intents")
    config = {"calibration_folds": 2}
    component = LinearIntentClassifier.create(config, storage, resource, context)
    component.train(TrainingData([message(t, i) for t, i in zip(texts, intents)]))

    loaded = LinearIntentClassifier.load(config, storage, resource, context)
    [greeting, payment] = loaded.process([message("hej med jer"), message("betale med mobilepay")])
    assert greeting.get(INTENT)["name"] == "greet"
    assert payment.get(INTENT)["name"] == "faq_pay"
    ranking = payment.get("intent_ranking")
    assert ranking[0]["name"] == "faq_pay" and len(ranking) == 3
    assert 0.0 < ranking[0]["confidence"] <= 1.0
