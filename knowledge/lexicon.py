"""A Danish lexicon (word -> lemma) and the vocabulary of the two source texts, so that the
router can tell "a word the texts never use" from "a word the texts use in another form".

The lexicon is spaCy's Danish lemma lookup table from ``spacy-lookups-data`` (a pinned
dependency, installed offline from the lock; about 550,000 word forms). Words are folded
(:func:`knowledge.text.fold`: æ→ae, ø→oe, å→aa) before they are compared. Loaded once, lazily.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, Optional

from knowledge import sources
from knowledge.text import fold

_WORD_RE = re.compile(r"[a-z]+")


def _lookup_path() -> Optional[Path]:
    try:
        import spacy_lookups_data  # the package only holds data files
    except ImportError:  # pragma: no cover - pinned in requirements.lock
        return None
    path = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
    return path if path.exists() else None


@lru_cache(maxsize=1)
def lemmas() -> Dict[str, str]:
    """Folded Danish word form -> folded lemma (empty when the table is missing)."""
    path = _lookup_path()
    if path is None:
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    return {fold(k): fold(v) for k, v in table.items() if len(k) >= 4 and k.isalpha()}


def lemma(word: str) -> Optional[str]:
    """The lemma of a folded Danish word, or None when the lexicon does not know it."""
    table = lemmas()
    if word in table:
        return table[word]
    return word if word in _lemma_values() else None


@lru_cache(maxsize=1)
def _lemma_values() -> FrozenSet[str]:
    return frozenset(lemmas().values())


def is_danish(word: str) -> bool:
    return lemma(word) is not None


def words_of(text: str) -> Iterable[str]:
    return _WORD_RE.findall(fold(text))


@lru_cache(maxsize=1)
def source_vocabulary() -> FrozenSet[str]:
    """Every word of the two source texts and its lemma (folded)."""
    found = set()
    for name in sources.seed_names():
        for word in words_of(sources.seed_text(name)):
            found.add(word)
            base = lemma(word)
            if base:
                found.add(base)
    return frozenset(found)
