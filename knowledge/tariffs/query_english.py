"""English price questions read with the Danish words of their Danish twin.

"how much is a parking permit for residents" should find the row that "hvad koster en
beboerlicens til parkering" finds. The NLU already glosses English to Danish with
``knowledge/data/nlu_gloss.yml``; the tariff search uses the same glossary (one list of
English words for the whole bot), without the NLU's lemma table: the Danish values are
ordinary Danish words, which the tariff search stems itself.

:func:`to_danish` rewrites a folded message: phrases and words that are only English are
glossed in every message; function words and words that are also Danish ("i", "to", "fine")
only when the message reads as English (more English marker words than Danish ones).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List

from knowledge.nlu_text import Glossary, load_gloss
from knowledge.text import fold

_WORD_RE = re.compile(r"[a-z0-9æøå'’-]+")


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    """The NLU glossary with plain (folded, not lemmatized) Danish values."""
    return load_gloss(table={}, folded={})


def reads_english(text: str) -> bool:
    """Does the message read as English (the glossary's marker words)?"""
    words = [m.group() for m in _WORD_RE.finditer(fold(text)) if m.group()[0].isalpha()]
    return bool(words) and glossary().reads_english(words)


def to_danish(folded: str) -> str:
    """``folded`` (see :func:`knowledge.text.fold`) with English glossed to Danish; everything
    that is not a glossed word (numbers, punctuation, spacing) stays exactly as it was."""
    gloss = glossary()
    matches = [m for m in _WORD_RE.finditer(folded) if m.group()[0].isalpha()]
    if not matches:
        return folded
    english = gloss.reads_english([m.group() for m in matches])
    pieces: List[str] = []
    last = 0
    i = 0
    while i < len(matches):
        match, size, value = matches[i], 1, None
        if english:
            for n in range(min(gloss.longest_phrase, len(matches) - i), 1, -1):
                group = matches[i:i + n]
                between = folded[group[0].end():group[-1].start()]
                key = tuple(m.group() for m in group)
                if key in gloss.phrases and not between.strip(" ").replace(" ", ""):
                    size, value = n, " ".join(gloss.phrases[key])
                    break
        if value is None:
            value = _word(match.group(), gloss, english)
        end = matches[i + size - 1].end()
        pieces.append(folded[last:match.start()])
        pieces.append(value)
        last = end
        i += size
    pieces.append(folded[last:])
    return fold(re.sub(r"  +", " ", "".join(pieces)))


def _word(token: str, gloss: Glossary, english: bool) -> str:
    if token in gloss.always:
        return gloss.always[token]
    if english and token in gloss.english:
        return gloss.english[token]
    return token
