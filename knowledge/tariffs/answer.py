"""Answer a Danish price question from the 2024 price list (first version).

Contract used by ``actions/tariffs.py``:
``answer_price_question(text, context=None, reply=None) -> TariffAnswer``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from knowledge.money import format_decimal, format_kr
from knowledge.tariffs.catalogue import Catalogue, TariffRow, load_catalogue
from knowledge.text import stems

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "data" / "tariffs_2024.json"
PHONE = "5667 2450"


@dataclass(frozen=True)
class TariffAnswer:
    """A reply to a price question plus the state to keep for the next turn."""

    status: str
    text: str
    buttons: Tuple[Tuple[str, str], ...] = ()
    context: Optional[dict] = None
    row_ids: Tuple[str, ...] = ()


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The 2024 catalogue, loaded once."""
    return load_catalogue(CATALOGUE_PATH)


@lru_cache(maxsize=1)
def _index() -> Tuple[List[Counter], Dict[str, float]]:
    docs = []
    for row in catalogue().rows:
        text = " ".join([row.label] * 2 + [row.subsection, " ".join(row.headings), row.section])
        docs.append(Counter(stems(text)))
    df: Counter = Counter()
    for doc in docs:
        df.update(doc.keys())
    n = len(docs)
    idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    return docs, idf


def _search(text: str) -> List[Tuple[float, TariffRow]]:
    docs, idf = _index()
    query = [s for s in stems(text) if s in idf]
    scored = []
    for doc, row in zip(docs, catalogue().rows):
        score = sum(idf[t] * doc[t] / (doc[t] + 1.2) for t in set(query) if t in doc)
        if score > 0:
            scored.append((score, row))
    scored.sort(key=lambda p: -p[0])
    return scored


def _price(row: TariffRow) -> str:
    if row.kind in ("amount", "double"):
        return " / ".join(f"{format_kr(a.value)} {a.what}".strip() for a in row.amounts)
    if row.kind in ("percent", "promille"):
        return " ".join(f"{format_decimal(a.value, None)} {a.what}" for a in row.amounts)
    if row.kind == "text":
        return row.text_price or row.price_text or ""
    return "ingen pris angivet"


def _row_text(row: TariffRow) -> str:
    return (f"{row.label} ({row.subsection or row.section}, {row.year}): {_price(row)}.\n"
            f"Kilde: Takster, skatter og afgifter 2024, Køge Kommune – {row.section}")


def answer_price_question(
    text: str, context: Optional[dict] = None, reply: Optional[str] = None
) -> TariffAnswer:
    """Search the price list and answer, offer choices, or say it was not found."""
    if reply and reply.startswith("row:"):
        try:
            row = catalogue().row(reply[4:])
        except KeyError:
            row = None
        if row is not None:
            return TariffAnswer("answer", _row_text(row), row_ids=(row.id,))
    hits = _search(text or "")
    if not hits:
        return TariffAnswer(
            "not_found",
            f"Jeg kunne desværre ikke finde prisen. Ring til Opkrævningen på tlf. {PHONE}.")
    best = hits[0]
    if len(hits) == 1 or best[0] > 1.3 * hits[1][0]:
        return TariffAnswer("answer", _row_text(best[1]), row_ids=(best[1].id,))
    top = [row for _, row in hits[:3]]
    buttons = tuple((f"{r.label} ({r.section})", f'/inform{{"tariff_reply":"row:{r.id}"}}')
                    for r in top)
    return TariffAnswer("choose", "Mente du en af disse?", buttons,
                        {"text": text}, tuple(r.id for r in top))
