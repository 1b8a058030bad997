"""The ``bill_type`` entity read from words: which issuer's bill a message names.

The issuer table (``knowledge/issuers.yml``, from the seed) already lists every bill's words,
its inflections, compounds and typos (:func:`knowledge.issuers.find_issuer`); an English message
is also read through the glossary's Danish ("who sends the property tax bill" names
ejendomsskat). This is what the router asks (``knowledge.router.decide.gather``) and what the
NLU pipeline's ``bot.nlu_components.BillTypeExtractor`` puts into Rasa's entities, so the two
cannot disagree and no statistical model has to learn the table again (issue 19: DIET was
trained for this one entity only).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

from knowledge.issuers import IssuerMatch, find_issuer
from knowledge.tariffs.query_english import to_danish
from knowledge.text import fold

ENTITY = "bill_type"


def find_bill(text: str) -> Optional[IssuerMatch]:
    """The issuer whose bill ``text`` names, in Danish or (through the glossary) English."""
    if not text or not text.strip():
        return None
    match = find_issuer(text)
    if match is not None:
        return match
    folded = fold(text)
    danish = to_danish(folded)
    return find_issuer(danish) if danish != folded else None


_UNFOLD = {"ae": "(?:ae|æ)", "oe": "(?:oe|ø)", "aa": "(?:aa|å)"}


def _word_pattern(folded_word: str) -> str:
    """A folded word as a pattern that also matches its æ/ø/å spelling."""
    return "".join(_UNFOLD.get(part, re.escape(part)) for part in re.split(r"(ae|oe|aa)", folded_word) if part)


def _span(text: str, fragment: str) -> Tuple[int, int]:
    """Character offsets of the matched words in ``text``; the whole text when they were glossed."""
    words = fragment.split()
    if words:
        found = re.search(r"\W+".join(_word_pattern(w) for w in words), text, re.IGNORECASE)
        if found:
            return found.start(), found.end()
    return 0, len(text)


def bill_entity(text: str) -> Optional[Dict[str, Any]]:
    """Rasa's entity dict for the bill ``text`` names, or None."""
    match = find_bill(text)
    if match is None:
        return None
    start, end = _span(text, match.fragment)
    return {"entity": ENTITY, "value": match.issuer.id, "start": start, "end": end,
            "confidence_entity": round(match.score / 100.0, 3)}
