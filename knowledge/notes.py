"""Notes, footnotes and rule sentences of the 2024 price list (``knowledge/notes.yml``).

"Hvordan beregnes byggesagsgebyret?", "hvem dækker familiekortet?", "hvor mange rater betaler
man i musikskolen?": the answer is a sentence of the price list, not a priced row.
:func:`search_notes` finds them with the same search as the price rows (the notes become
rows of a small catalogue of their own, indexed by :func:`knowledge.tariffs.search.build_index`
with the same synonyms, compound splitting and typo tolerance); :func:`render_note` answers
with the sentence as the list writes it and its source. Loading fails with
:class:`NoteError` when a note's text is not on the lines it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import yaml

from knowledge import sources
from knowledge.tariffs.catalogue import Catalogue, TariffRow
from knowledge.tariffs.query_patterns import STOPWORDS
from knowledge.tariffs.search import Hit, SearchIndex, build_index, register_index, words_of

DEFAULT_PATH = Path(__file__).with_name("notes.yml")
SOURCE_TITLE = "Takster, skatter og afgifter 2024, Køge Kommune"
_FOOTNOTE_MARKS = re.compile(r"^\*+\)?\s*|\*+\)?\s+(?=\S)")


class NoteError(ValueError):
    """``notes.yml`` is malformed or not traceable to the seed."""


@dataclass(frozen=True)
class Note:
    id: str
    section: str
    subsection: str
    text: str
    about: str
    lines: Tuple[int, int]


@dataclass(frozen=True)
class NoteHit:
    note: Note
    score: float
    coverage: float


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


@lru_cache(maxsize=4)
def load_notes(path: Optional[str] = None) -> Tuple[Note, ...]:
    data = yaml.safe_load(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    seed = str(data.get("seed") or "")
    check = bool(seed) and sources.seeds_available([seed])
    notes = []
    for raw in data.get("notes") or []:
        try:
            first, last = (int(n) for n in raw["lines"])
            note = Note(id=str(raw["id"]), section=str(raw["section"]),
                        subsection=str(raw.get("subsection") or raw["section"]),
                        text=_squash(raw["text"]), about=str(raw.get("about") or ""),
                        lines=(first, last))
        except (KeyError, TypeError, ValueError) as exc:
            raise NoteError(f"notes.yml: bad note {raw!r} ({exc})") from exc
        if check:
            block = _squash(" ".join(sources.seed_line(seed, n) for n in range(first, last + 1)))
            if note.text not in _FOOTNOTE_MARKS.sub("", block).replace("2024: ", ""):
                raise NoteError(f"notes.yml: {note.id}: text is not on lines {first}-{last} of {seed}")
        notes.append(note)
    ids = [n.id for n in notes]
    if len(set(ids)) != len(ids):
        raise NoteError("notes.yml: duplicate ids")
    return tuple(notes)


def _as_row(note: Note) -> TariffRow:
    """A note as a catalogue row, so that the price search can index it."""
    # the words citizens use for it count as much as the list's own words
    label = f"{note.text} {note.about}".strip()
    return TariffRow(id=note.id, section=note.section, subsection=note.subsection,
                     headings=(), year="2024", label=label,
                     price_text=None, kind="text", amounts=(), unit="unknown", text_price=None,
                     notes=(), line=note.lines[0], line_end=note.lines[1])


@lru_cache(maxsize=1)
def notes_index() -> SearchIndex:
    notes = load_notes()
    catalogue = Catalogue(source="notes.yml", title="Noter i prislisten", source_sha256="",
                          rows=tuple(_as_row(n) for n in notes))
    return register_index(build_index(catalogue))


# Question words that are chat for a price search but name what a rule is about.
_RULE_WORDS = frozenset("hvem rabat rabatten rabatter soeskenderabat soeskenderabatten soeskende maaned "
                        "maaneder aar aaret gang gange uge uger dag dage over under moms".split())


def note_words(text: str) -> List[str]:
    """The words of a question that can name a note (chat and question words dropped)."""
    return [w for w in words_of(text) if len(w) > 1 and (w in _RULE_WORDS or w not in STOPWORDS)]


def search_notes(words: Sequence[str], limit: int = 5) -> List[NoteHit]:
    """Notes for the question's words (:func:`note_words`), best first."""
    by_id = {n.id: n for n in load_notes()}
    hits: List[Hit] = notes_index().search(words, limit=limit)
    return [NoteHit(by_id[h.row.id], h.score, h.coverage) for h in hits]


def render_note(note: Note) -> str:
    """The note as the list writes it, where it stands, and the source line."""
    where = note.section if note.subsection == note.section else f"{note.section}, {note.subsection}"
    return (f"I prislisten for 2024 ({where}) står der:\n«{note.text}»\n\n"
            f"Kilde: {SOURCE_TITLE} – {note.section}")
