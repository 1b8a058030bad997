"""A calibrated linear intent model over sparse count features (plain Python; the Rasa adapter is
``bot.nlu_components.LinearIntentClassifier``).

Why: on this project's data a linear support vector machine over TF-IDF-weighted word and
character n-grams tells the intents apart better than DIET's intent head over the same counts
(held-out weighted F1 on the same two 80/20 splits, 2026-12-01: 0.963 / 0.945 against DIET's
0.944 / 0.910), trains in seconds and gives the same answer on every run. DIET stays in the
pipeline for the ``bill_type`` entity.

The model, in the order :meth:`LinearIntentModel.predict_proba` applies it:

1. each feature block (one per featurizer: word n-grams, char n-grams, regex patterns) is
   TF-IDF weighted on its own — sublinear term frequency ``1 + ln(count)``, times the block's
   inverse document frequency learnt in training, then scaled to unit length — so that the
   thousands of char n-grams do not drown the word features;
2. the blocks are put side by side and scored by one linear function per intent;
3. each intent's score becomes a probability through a sigmoid fitted on cross-validated scores
   (Platt scaling), and the probabilities are scaled to sum to one. These are the confidences the
   FallbackClassifier compares with its threshold, so they have to mean "how often is this right".

Everything is stored as plain arrays (``.npz``) and JSON, never as a pickle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np
from scipy import sparse

MODEL_FILE = "linear_intent_model.npz"
META_FILE = "linear_intent_model.json"


def _tfidf(block: sparse.spmatrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf, times idf, rows scaled to unit length (as sklearn's TfidfTransformer).

    Works on the stored values only (a message has a few hundred of the ~10^5 columns): no
    diagonal matrix of the vocabulary's width per call, which took most of the 7 ms a message
    cost before (``make profile``, 2026-12-03)."""
    matrix = sparse.csr_matrix(block, dtype=np.float64, copy=True)
    if matrix.shape[1] != idf.shape[0]:
        raise ValueError(f"feature block has {matrix.shape[1]} columns, the model expects {idf.shape[0]}")
    matrix.sum_duplicates()
    matrix.data = np.where(matrix.data > 0, np.log(np.maximum(matrix.data, 1e-12)) + 1.0, 0.0)
    matrix.data *= idf[matrix.indices]
    per_row = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), per_row)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data * matrix.data, minlength=matrix.shape[0]))
    norms[norms == 0.0] = 1.0
    matrix.data *= np.repeat(1.0 / norms, per_row)
    return matrix


@dataclass
class LinearIntentModel:
    classes: List[str]
    idfs: List[np.ndarray]
    coef: np.ndarray          # (n_classes, n_features)
    intercept: np.ndarray     # (n_classes,)
    sigmoid_a: np.ndarray     # (n_classes,) Platt scaling: p = 1 / (1 + exp(a * score + b))
    sigmoid_b: np.ndarray     # (n_classes,)

    # --- training ------------------------------------------------------------------------------
    @classmethod
    def fit(cls, blocks: Sequence[sparse.spmatrix], intents: Sequence[str], c: float = 1.0,
            calibration_folds: int = 3, random_seed: int = 2024) -> "LinearIntentModel":
        """``blocks``: one (n_examples, width) count matrix per featurizer, rows aligned."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.model_selection import StratifiedKFold
        from sklearn.svm import LinearSVC

        if not blocks or len(set(intents)) < 2:
            raise ValueError("need at least one feature block and two intents to train")
        idfs = [TfidfTransformer(sublinear_tf=True).fit(block).idf_ for block in blocks]
        features = sparse.hstack([_tfidf(b, idf) for b, idf in zip(blocks, idfs)]).tocsr()
        smallest = min(np.unique(np.asarray(intents), return_counts=True)[1])
        folds = max(2, min(calibration_folds, int(smallest)))
        calibrated = CalibratedClassifierCV(
            LinearSVC(C=c, random_state=random_seed),
            method="sigmoid",
            cv=StratifiedKFold(folds, shuffle=True, random_state=random_seed),
            ensemble=False,
        )
        calibrated.fit(features, np.asarray(intents, dtype=object))
        fitted = calibrated.calibrated_classifiers_[0]
        base = getattr(fitted, "estimator", None) or fitted.base_estimator
        classes = [str(k) for k in calibrated.classes_]
        coef, intercept = np.asarray(base.coef_), np.asarray(base.intercept_)
        if len(classes) == 2:  # a binary LinearSVC scores only the second class
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
            # p(second) = 1 / (1 + exp(a*s + b)); p(first) = 1 - that, scored on -s
            only = fitted.calibrators[0]
            a = np.array([only.a_, only.a_])
            b = np.array([-only.b_, only.b_])
        else:
            a = np.array([cal.a_ for cal in fitted.calibrators])
            b = np.array([cal.b_ for cal in fitted.calibrators])
        return cls(classes, idfs, coef.astype(np.float64), intercept.astype(np.float64), a, b)

    # --- prediction ----------------------------------------------------------------------------
    @property
    def widths(self) -> List[int]:
        return [int(idf.shape[0]) for idf in self.idfs]

    def transform(self, blocks: Sequence[sparse.spmatrix]) -> sparse.csr_matrix:
        if len(blocks) != len(self.idfs):
            raise ValueError(f"got {len(blocks)} feature blocks, the model was trained on {len(self.idfs)}")
        return sparse.hstack([_tfidf(b, idf) for b, idf in zip(blocks, self.idfs)]).tocsr()

    def scores(self, blocks: Sequence[sparse.spmatrix]) -> np.ndarray:
        return np.asarray(self.transform(blocks) @ self.coef.T) + self.intercept

    def predict_proba(self, blocks: Sequence[sparse.spmatrix]) -> np.ndarray:
        """(n_messages, n_classes) probabilities; each row sums to one."""
        scores = self.scores(blocks)
        with np.errstate(over="ignore"):
            proba = 1.0 / (1.0 + np.exp(scores * self.sigmoid_a + self.sigmoid_b))
        totals = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        return np.where(totals > 0, proba / np.where(totals > 0, totals, 1.0), uniform)

    def rank(self, blocks: Sequence[sparse.spmatrix], length: Optional[int] = None) -> List[List[dict]]:
        """Per message: ``[{"name", "confidence"}, …]``, most likely first."""
        out = []
        for row in self.predict_proba(blocks):
            order = np.argsort(-row, kind="stable")
            if length:
                order = order[:length]
            out.append([{"name": self.classes[i], "confidence": float(row[i])} for i in order])
        return out

    # --- storage -------------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"coef": self.coef, "intercept": self.intercept, "sigmoid_a": self.sigmoid_a,
                  "sigmoid_b": self.sigmoid_b}
        arrays.update({f"idf_{i}": idf for i, idf in enumerate(self.idfs)})
        np.savez_compressed(directory / MODEL_FILE, **arrays)
        (directory / META_FILE).write_text(
            json.dumps({"classes": self.classes, "blocks": len(self.idfs)}, ensure_ascii=False),
            encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "LinearIntentModel":
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        with np.load(directory / MODEL_FILE, allow_pickle=False) as data:
            idfs = [data[f"idf_{i}"] for i in range(int(meta["blocks"]))]
            return cls(list(meta["classes"]), idfs, data["coef"], data["intercept"],
                       data["sigmoid_a"], data["sigmoid_b"])
