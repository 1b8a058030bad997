"""A quick look at ``data/nlu`` for whoever edits it: seconds, not the minutes of a Rasa training.

``python -m scripts.nlu_quick`` (``make nlu-quick``) runs k-fold cross-validation of a linear
classifier over the same word features the Rasa pipeline builds (spaCy tokens and lemmas, then
``knowledge.nlu_text``'s normaliser: folded ae/oe/aa, English glossed to Danish) plus char_wb
1–4-grams of the typed text, and prints the weighted F1 (mean over ``--seeds`` shuffles), the
accuracy of English and Danish messages, the most frequent confusions and, with ``--errors``,
every misclassified example with the words the classifier saw.

It is the intent classifier of ``config.yml`` (``knowledge/nlu_linear.py``: a linear SVM over
TF-IDF-weighted word and char n-grams) without Rasa around it: no regex features, no probability
calibration, TF-IDF over the raw text instead of Rasa's token-joined text, and k-fold
cross-validation over all the data instead of one 80/20 split. So it scores close to, but not
exactly as, the gate. Use it to find label errors and weak boundaries while writing examples;
decide with ``python -m scripts.nlu_report --splits 3`` (the gate that counts).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
_ENTITY = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


def load_examples(nlu_dir: Path) -> Tuple[List[str], List[str]]:
    """(texts, intents) of every intent example in ``nlu_dir``; entity markup removed."""
    texts: List[str] = []
    intents: List[str] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" not in item:
                continue
            for line in (item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_ENTITY.sub(r"\1", line[2:]).strip())
                    intents.append(item["intent"])
    return texts, intents


def spacy_tokens(texts: Sequence[str], model: str) -> List[List[Tuple[str, str]]]:
    """(text, lemma) per token, from the same spaCy pipeline Rasa uses."""
    import spacy

    nlp = spacy.load(model, disable=["parser"])
    return [[(t.text, t.lemma_) for t in doc if not t.is_space] for doc in nlp.pipe(texts)]


def word_texts(tokens: Sequence[Sequence[Tuple[str, str]]],
               normalise: Callable[[List[Tuple[str, str]]], List[str]]) -> List[str]:
    return [" ".join(w for w in normalise(list(toks)) if w) for toks in tokens]


def cross_validate(texts: Sequence[str], words: Sequence[str], intents: Sequence[str],
                   folds: int = 5, seeds: Sequence[int] = (0, 1, 2)) -> Dict[str, object]:
    """Weighted F1 per seed and the predictions of the last seed."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import LinearSVC

    word_vec = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                               token_pattern=r"(?u)\b\w+\b")
    char_vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)
    features = hstack([word_vec.fit_transform(words), char_vec.fit_transform(texts)]).tocsr()
    scores: List[float] = []
    predicted: List[str] = []
    for seed in seeds:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        predicted = list(cross_val_predict(LinearSVC(C=1.0), features, list(intents), cv=splitter))
        scores.append(float(f1_score(intents, predicted, average="weighted")))
    return {"scores": scores, "mean": sum(scores) / len(scores), "predicted": predicted}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Fast cross-validated check of data/nlu.")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--errors", action="store_true", help="list every misclassified example")
    parser.add_argument("--intent", help="only errors whose true or predicted intent is this")
    args = parser.parse_args(argv)

    from knowledge.nlu_text import default_normaliser
    from scripts.nlu_report import rasa_env

    texts, intents = load_examples(args.nlu)
    normaliser = default_normaliser()
    tokens = spacy_tokens(texts, rasa_env()["DA_SPACY_MODEL"])
    words = word_texts(tokens, normaliser.normalise_all)
    result = cross_validate(texts, words, intents, seeds=tuple(range(max(1, args.seeds))))
    predicted = result["predicted"]
    english = [normaliser.gloss.reads_english([w.lower() for w, _ in t]) for t in tokens]

    def accuracy(flag: bool) -> str:
        picked = [p == i for p, i, e in zip(predicted, intents, english) if e == flag]
        return f"{sum(picked) / len(picked):.3f} (n={len(picked)})" if picked else "-"

    print(f"{len(texts)} examples, {len(set(intents))} intents")
    print("weighted F1 per seed: " + ", ".join(f"{s:.4f}" for s in result["scores"])
          + f"  mean {result['mean']:.4f}")
    print(f"accuracy: Danish {accuracy(False)}, English {accuracy(True)}")
    confusions = Counter((i, p) for i, p in zip(intents, predicted) if i != p)
    print("most frequent confusions (true -> predicted):")
    for (true, pred), count in confusions.most_common(20):
        print(f"  {count:>3}  {true} -> {pred}")
    if args.errors:
        for text, word, true, pred in zip(texts, words, intents, predicted):
            if true != pred and (not args.intent or args.intent in (true, pred)):
                print(f"{true:<24} -> {pred:<24} | {text}  ||  {word}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
