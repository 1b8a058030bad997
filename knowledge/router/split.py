"""Several questions in one message: "Hvad koster et knallertbevis, og kan jeg betale med
Betalingsservice?" is two questions, each answered on its own (plain Python, no Rasa).

A message is split at a question mark followed by more text, at line breaks and list markers
("1.", "2)", "-"), and at "og"/"samt"/"plus"/"men"/"," when what follows starts a question of
its own ("… og hvem sender regningen?"). A part that is not a question by itself ("og 2 børn")
stays with the one before it, so "2 voksne og 2 børn" is never split.
"""

from __future__ import annotations

import re
from typing import List

from knowledge.text import fold

MAX_PARTS = 3  # answered in one reply; beyond that the reply says so

_STARTS = (r"hvad|hvem|hvor|hvordan|hvornaar|hvilke|hvilken|hvilket|hvorfor|kan|skal|maa|er|"
           r"faar|koster|har|giver|gaelder|sender|what|how|can|who|where|when|is|do|does")
_QUESTION_RE = re.compile(rf"^\W*(?:{_STARTS})\b|\?\s*$")
_CONNECTOR_RE = re.compile(
    rf"(?:,\s*|\s+)(?:og|samt|plus|men|and|og saa|og saa lige|og saa ogsaa|desuden)\s+(?=(?:{_STARTS})\b)"
    rf"|,\s+(?=(?:{_STARTS})\b)")
_LIST_RE = re.compile(r"(?:^|\n)\s*(?:\d{1,2}[.)]|[-•*])\s+")
_MIN_WORDS = 3


def _is_question(part: str) -> bool:
    return len(part.split()) >= _MIN_WORDS and bool(_QUESTION_RE.search(fold(part)))


def split_questions(text: str) -> List[str]:
    """The questions of one message, in the order asked (one element when there is one)."""
    text = (text or "").strip()
    if not text:
        return [text]
    chunks: List[str] = []
    for block in _LIST_RE.split(text):
        for line in block.splitlines():
            chunks.extend(p for p in re.split(r"(?<=\?)\s+", line) if p.strip())
    parts: List[str] = []
    for chunk in chunks:
        pieces = _split_connectors(chunk)
        for piece in pieces:
            piece = piece.strip(" ,;")
            if not piece:
                continue
            if parts and not _is_question(piece):
                parts[-1] = f"{parts[-1]} {piece}"
            else:
                parts.append(piece)
    questions = [p for p in parts if p]
    if len(questions) > 1 and not all(_is_question(p) for p in questions):
        return [text]  # not clearly several questions: keep the message whole
    return questions or [text]


def _split_connectors(chunk: str) -> List[str]:
    """Cut where a connector is followed by a question start (positions found in the folded
    text, which keeps the length of the original: fold maps æ/ø/å to two letters, so cut on
    the original's own words instead)."""
    words = chunk.split()
    folded = [fold(w) for w in words]
    cuts = [0]
    for i in range(1, len(words)):
        prev = folded[i - 1]
        joined = " ".join(folded[max(0, i - 1):i + 1])
        start = re.match(rf"^(?:{_STARTS})\b", folded[i])
        if not start:
            continue
        if prev in ("og", "samt", "plus", "men", "and", "desuden") or words[i - 1].endswith(","):
            cuts.append(i)
        elif joined.startswith("og saa"):
            cuts.append(i)
    pieces = []
    for a, b in zip(cuts, cuts[1:] + [len(words)]):
        piece = words[a:b]
        while piece and fold(piece[-1]).strip(",") in ("og", "samt", "plus", "men", "and", "desuden"):
            piece = piece[:-1]
        if piece and fold(piece[0]) in ("og", "samt", "plus", "men", "and"):
            piece = piece[1:]
        pieces.append(" ".join(piece))
    return pieces
