"""Danish text normalisation shared by every search in ``knowledge/``.

People type "aeldre", "oe", "aa" for æ/ø/å, mix case, and glue words together. Everything
here folds both spellings onto one ASCII form so that "Køge" and "Koege" meet, and stems
with the Snowball Danish stemmer. Pure functions, no I/O beyond a cached stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import List

import snowballstemmer

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae",
                      "á": "a", "à": "a", "è": "e", "í": "i", "ó": "o", "ú": "u"})
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """Unicode-normalise, drop control characters, collapse whitespace."""
    text = unicodedata.normalize("NFC", text or "")
    text = _CONTROL_RE.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower-case and fold æ/ø/å (and a few foreign letters) to ASCII: 'Ældre' -> 'aeldre'."""
    return clean(text).lower().translate(_FOLD)


def tokens(text: str) -> List[str]:
    """Folded word tokens; Danish numbers like '1.070,00' stay one token."""
    return _TOKEN_RE.findall(fold(text))


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("danish")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball Danish stem of one (already folded) word.

    The stemmer expects real æ/ø/å, so the ASCII fold is reversed before stemming and
    applied again afterwards; both spellings end up with the same stem.
    """
    unfolded = word.replace("ae", "æ").replace("oe", "ø").replace("aa", "å")
    return fold(_stemmer().stemWord(unfolded))


def stems(text: str) -> List[str]:
    """Stems of every token in ``text``."""
    return [stem(t) for t in tokens(text)]
