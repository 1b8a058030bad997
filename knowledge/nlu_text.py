"""Word normalisation for the NLU's word features (plain Python; the Rasa adapter is
``bot/nlu_components.py``).

The word-level CountVectorsFeaturizer sees one "lemma" per token. Several ways of writing the
same thing used to give unrelated features:

* **æ/ø/å typed as ae/oe/aa** ("boernehaven"): spaCy's lookup lemmatizer knows "børnehaven",
  not "boernehaven". Every lemma is folded to ASCII (``knowledge.text.fold``), and a folded
  word the lemmatizer left alone is looked up in a folded copy of the same Danish lemma table,
  so "børnehaven" and "boernehaven" both become ``boernehave``.
* **English** ("can I pay my bill in instalments"): the glossary ``knowledge/data/nlu_gloss.yml``
  maps English words to the Danish words of the Danish examples of the same meaning, lemmatized
  with the same table ("call" -> "ringe" -> ``ring``), so an English question gets the word
  features of its Danish twin. English-only words ("bill", "invoice") are glossed in every
  message; words that are also Danish ("i", "to", "is", "plan", "time") and word groups
  ("property tax" -> ``ejendomsskat``) only in a message that reads as English, decided by
  counting marker words of each language (:meth:`Glossary.reads_english`).
* **Case**: all lemmas are lower case.
* **Stuttered letters** ("rykkker", "takkk", "neeej", "jaaa"): a letter typed three or more
  times in a row (Danish spelling never has three) is cut to two for a consonant inside the
  word, to one for a vowel or at the end (few Danish words end in a double consonant), and the
  result is read as the typed word. Digits are
  left alone ("1000").
* **CPR numbers** ("010203-1234", "0102031234", "010203 1234", or "010203-****" as the gateway
  masks them) become one placeholder lemma, ``CPR_LEMMA``, whatever the digits: the classifier
  learns what a message with someone's CPR number is about (their own bills), not the number.

Character n-grams keep seeing the typed text (``use_lemma: false`` on the char_wb featurizer in
``config.yml``), so nothing the old features knew is lost.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml

from core.identity import CPR_LIKE
from knowledge.text import fold

GLOSS_PATH = Path(__file__).resolve().parent / "data" / "nlu_gloss.yml"
_FOLDED_LETTERS = ("ae", "oe", "aa")
CPR_LEMMA = "cprnummertal"
_STUTTER = re.compile(r"([^\W\d_])\1{2,}")
_VOWELS = frozenset("aeiouyæøå")
_CPR_SPAN = 6  # "010203-" "*" "*" "*" "*" is how the tokenizer splits a masked number


def danish_lemma_table() -> Dict[str, str]:
    """spaCy's Danish lookup lemma table (spacy-lookups-data), word form -> lemma."""
    import spacy_lookups_data  # installed with Rasa's spaCy extra; read-only data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def folded_lemmas(table: Mapping[str, str]) -> Dict[str, str]:
    """Folded form -> folded lemma, for the forms that folding changes (those with æ/ø/å)."""
    folded: Dict[str, str] = {}
    for form, lemma in table.items():
        key = fold(form)
        if key != form.lower():
            folded.setdefault(key, fold(lemma))
    return folded


def _danish_lemma(word: str, table: Mapping[str, str], folded: Mapping[str, str]) -> str:
    """The folded lemma a Danish training example containing ``word`` would get."""
    low = word.lower()
    if low in table:
        return fold(table[low])
    key = fold(low)
    return folded.get(key, key)


@dataclass(frozen=True)
class Glossary:
    """English -> Danish lemmas, as read from ``nlu_gloss.yml`` (values already lemmatized)."""

    always: Mapping[str, str] = field(default_factory=dict)
    english: Mapping[str, str] = field(default_factory=dict)
    phrases: Mapping[Tuple[str, ...], Tuple[str, ...]] = field(default_factory=dict)
    english_markers: FrozenSet[str] = frozenset()
    danish_markers: FrozenSet[str] = frozenset()

    @property
    def longest_phrase(self) -> int:
        return max((len(k) for k in self.phrases), default=1)

    def reads_english(self, words: Sequence[str]) -> bool:
        """More English markers (or English-only words) than Danish markers."""
        english = sum(1 for w in words if w in self.english_markers or w in self.always)
        danish = sum(1 for w in words if w in self.danish_markers)
        return english > danish


def load_gloss(path: Path = GLOSS_PATH, table: Optional[Mapping[str, str]] = None,
               folded: Optional[Mapping[str, str]] = None) -> Glossary:
    """Read the glossary; every Danish value is lemmatized as a Danish example would be."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table = {} if table is None else table
    folded = folded_lemmas(table) if folded is None else folded

    def danish(value: object) -> str:
        return " ".join(_danish_lemma(w, table, folded) for w in str(value or "").split())

    def words(section: str) -> Dict[str, str]:
        return {str(k).lower(): danish(v) for k, v in (data.get(section) or {}).items()}

    markers = data.get("markers") or {}
    return Glossary(
        always=words("gloss"),
        english=words("english"),
        phrases={tuple(str(k).lower().split()): tuple(danish(v).split())
                 for k, v in (data.get("phrases") or {}).items()},
        english_markers=frozenset(str(m).lower() for m in markers.get("english") or []),
        danish_markers=frozenset(str(m).lower() for m in markers.get("danish") or []),
    )


def _spread(value: Tuple[str, ...], slots: int) -> List[str]:
    """Danish words of a phrase over the phrase's tokens: one each, the rest on the last."""
    if slots <= 0:
        return []
    head = list(value[: slots - 1])
    tail = " ".join(value[slots - 1:])
    out = head + [tail]
    return out + [""] * (slots - len(out))


class LemmaNormaliser:
    """``normalise_all([(word, lemma), …])`` -> the lemmas the word features should see."""

    def __init__(self, folded_lemmas: Mapping[str, str], gloss: Glossary) -> None:
        self._folded = dict(folded_lemmas)
        self._gloss = gloss

    @classmethod
    def from_data(cls, table: Optional[Mapping[str, str]] = None,
                  gloss_path: Path = GLOSS_PATH) -> "LemmaNormaliser":
        table = danish_lemma_table() if table is None else table
        folded = folded_lemmas(table)
        return cls(folded, load_gloss(gloss_path, table, folded))

    @property
    def gloss(self) -> Glossary:
        return self._gloss

    def __call__(self, word: str, lemma: Optional[str] = None, english: bool = False) -> str:
        """One token; ``english`` says the message reads as English."""
        low = (word or "").lower()
        if _STUTTER.search(low):
            low, lemma = self._unstutter(low), None
        if english and low in self._gloss.english:
            return self._gloss.english[low]
        if low in self._gloss.always:
            return self._gloss.always[low]
        folded_word = fold(low)
        folded_lemma = fold(lemma or low)
        if folded_lemma == folded_word and any(p in folded_word for p in _FOLDED_LETTERS):
            return self._folded.get(folded_word, folded_word)
        return folded_lemma

    @staticmethod
    def _unstutter(low: str) -> str:
        """"rykkker" -> "rykker", "neeej" -> "nej", "takkk" -> "tak": a stuttered consonant
        becomes two inside a word (Danish doubles consonants there) and one at its end (few
        Danish words end in a double consonant: "stresss" -> "stres"), a stuttered vowel one."""
        def cut(m: "re.Match[str]") -> str:
            letter, at_end = m.group(1), m.end() == len(low)
            return letter if letter in _VOWELS or at_end else letter * 2

        return _STUTTER.sub(cut, low)

    def normalise_all(self, pairs: Iterable[Tuple[str, Optional[str]]]) -> List[str]:
        """A whole message: decides its language once, then phrases and single words."""
        pairs = list(pairs)
        low = [(w or "").lower() for w, _ in pairs]
        english = self._gloss.reads_english(low)
        out: List[str] = []
        i = 0
        longest = self._gloss.longest_phrase if english else 1
        while i < len(pairs):
            cpr = _cpr_tokens(low, i)
            if cpr:
                out.extend(_spread((CPR_LEMMA,), cpr))
                i += cpr
                continue
            for size in range(min(longest, len(pairs) - i), 1, -1):
                value = self._gloss.phrases.get(tuple(low[i:i + size]))
                if value is not None:
                    out.extend(_spread(value, size))
                    i += size
                    break
            else:
                word, lemma = pairs[i]
                out.append(self(word, lemma, english))
                i += 1
        return out


def _cpr_tokens(low: Sequence[str], i: int) -> int:
    """How many tokens from ``i`` on spell one CPR-like number (0 if none): "0102031234",
    "010203-1234", "010203" "1234", "010203-" "*" "*" "*" "*", "cpr:0102031234"."""
    if not low[i] or not low[i][0].isdigit() and not CPR_LIKE.search(low[i]):
        return 0
    for size in range(min(_CPR_SPAN, len(low) - i), 0, -1):
        joined = "".join(low[i:i + size])
        if CPR_LIKE.fullmatch(joined) or (size == 1 and CPR_LIKE.search(joined)):
            return size
    return 0


def data_fingerprint() -> str:
    """Hash of what the normalisation depends on: this module, the glossary, the lemma table."""
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(GLOSS_PATH.read_bytes())
    digest.update(version("spacy-lookups-data").encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def default_normaliser() -> LemmaNormaliser:
    """The normaliser over the installed Danish lemma table and the project glossary."""
    return LemmaNormaliser.from_data()
