"""Word normalisation for the NLU's word features (plain Python; the Rasa adapter is
``bot/nlu_components.py``).

The word-level CountVectorsFeaturizer sees one "lemma" per token. Three ways of writing the same
word used to give three unrelated features:

* **æ/ø/å typed as ae/oe/aa** ("boernehaven"): spaCy's lookup lemmatizer knows "børnehaven",
  not "boernehaven". Every lemma is folded to ASCII (``knowledge.text.fold``), and a folded
  word the lemmatizer left alone is looked up in a folded copy of the same Danish lemma table,
  so "børnehaven" and "boernehaven" both become ``boernehave``.
* **English** ("can I pay my bill in instalments"): a short glossary
  (``knowledge/data/nlu_gloss.yml``) maps the English words of the billing domain to the Danish
  lemma the Danish examples use ("bill" -> ``regning``), so an English question shares its word
  features with the Danish examples of the same intent. Words that are also common Danish words
  ("to", "for", "sent", "plan") are not in the glossary.
* **Case**: all lemmas are lower case.

Character n-grams keep seeing the typed text (``use_lemma: false`` on the char_wb featurizer in
``config.yml``), so nothing the old features knew is lost.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

from knowledge.text import fold

GLOSS_PATH = Path(__file__).resolve().parent / "data" / "nlu_gloss.yml"
_FOLDED_LETTERS = ("ae", "oe", "aa")


def danish_lemma_table() -> Dict[str, str]:
    """spaCy's Danish lookup lemma table (spacy-lookups-data), word form -> lemma."""
    import spacy_lookups_data  # installed with Rasa's spaCy extra; read-only data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def load_gloss(path: Path = GLOSS_PATH) -> Dict[str, str]:
    """English word -> folded Danish lemma, from ``knowledge/data/nlu_gloss.yml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): fold(str(v)) for k, v in (data.get("gloss") or {}).items()}


def folded_lemmas(table: Mapping[str, str]) -> Dict[str, str]:
    """Folded form -> folded lemma, for the forms that folding changes (those with æ/ø/å)."""
    folded: Dict[str, str] = {}
    for form, lemma in table.items():
        key = fold(form)
        if key != form.lower():
            folded.setdefault(key, fold(lemma))
    return folded


class LemmaNormaliser:
    """``normaliser(word, lemma)`` -> the lemma the word features should see."""

    def __init__(self, folded_lemmas: Mapping[str, str], gloss: Mapping[str, str]) -> None:
        self._folded = dict(folded_lemmas)
        self._gloss = dict(gloss)

    @classmethod
    def from_data(cls, table: Optional[Mapping[str, str]] = None,
                  gloss: Optional[Mapping[str, str]] = None) -> "LemmaNormaliser":
        return cls(folded_lemmas(danish_lemma_table() if table is None else table),
                   load_gloss() if gloss is None else gloss)

    def __call__(self, word: str, lemma: Optional[str] = None) -> str:
        low = (word or "").lower()
        if low in self._gloss:
            return self._gloss[low]
        folded_word = fold(low)
        folded_lemma = fold(lemma or low)
        if folded_lemma == folded_word and any(p in folded_word for p in _FOLDED_LETTERS):
            return self._folded.get(folded_word, folded_word)
        return folded_lemma

    def normalise_all(self, pairs: Iterable[Tuple[str, Optional[str]]]) -> List[str]:
        return [self(word, lemma) for word, lemma in pairs]


def data_fingerprint() -> str:
    """Hash of what the normalisation depends on: this module, the glossary, the lemma table."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(GLOSS_PATH.read_bytes())
    digest.update(version("spacy-lookups-data").encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def default_normaliser() -> LemmaNormaliser:
    """The normaliser over the installed Danish lemma table and the project glossary."""
    return LemmaNormaliser.from_data()
