"""Instant search for phone staff over the FAQ, the issuer table and the tariff catalogue.

Built once per gateway (at start-up, in a thread) as a flat list of documents with folded
text (lower case, accents kept as Danish letters, ``aa``/``å`` not merged). A document is
found by its title, its text and its hidden search terms (an issuer's synonyms), but shows
only title, text and source: staff never see raw keyword lists. A query matches
a document when every query word occurs in it (as a word prefix scores higher than inside
a word); title hits outrank body hits. The whole index is a few hundred documents, so a
linear scan answers in about a millisecond — well under the 100 ms per keystroke budget.

Tariffs: the scan of :func:`knowledge.tariffs.catalogue.load_catalogue` always (prefixes while
typing), and, for queries of 3+ characters, ``knowledge.tariffs.search.search`` when that module
exists (stems, compounds, synonyms, typos) - its hits come first.
"""

from __future__ import annotations

import importlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from knowledge.money import format_kr

log = logging.getLogger(__name__)

_WORD = re.compile(r"[0-9a-zæøåéü]+")
MAX_RESULTS = 25


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").lower()


@dataclass(frozen=True)
class Doc:
    kind: str  # faq | issuer | tariff
    key: str  # FAQ id, issuer id or tariff row id
    title: str
    body: str
    source: str
    title_folded: str
    folded: str
    words: str  # " word word …": " " + term in words  <=>  some word starts with term

    def to_json(self) -> Dict[str, str]:
        return {"kind": self.kind, "title": self.title, "body": self.body, "source": self.source}


def make_doc(kind: str, title: str, body: str, source: str, key: str = "", terms: Sequence[str] = ()) -> Doc:
    """``terms``: words the document is found by but does not show (synonyms, misspellings)."""
    folded = fold("\n".join([title, body, *terms]))
    return Doc(kind, key, title, body, source, fold(title), folded, " " + " ".join(_WORD.findall(folded)))


def _tariff_price(row: Any) -> str:
    if row.amounts:
        return "; ".join(f"{format_kr(a.value)} {'' if a.what == 'pris' else a.what}".strip() for a in row.amounts)
    return row.text_price or row.price_text or ""


def _faq_docs() -> List[Doc]:
    from knowledge.faq import load_faq

    return [
        make_doc("faq", e.title, e.answer, f"FAQ {e.id} ({e.source.section}, linje {e.source.lines[0]}–{e.source.lines[1]})", e.id)
        for e in load_faq().values()
    ]


def _issuer_docs() -> List[Doc]:
    from knowledge.issuers import fallback_office, load_issuers

    docs = []
    for i in load_issuers():
        note = i.phone_note or ""
        phone = f", tlf. {i.phone}." if i.phone else (f". Telefon: {note[:1].lower()}{note[1:]}." if note else ".")
        body = f"Regningen {i.bill_phrase} sendes af {i.office_in_sentence}{phone}"
        docs.append(make_doc(
            "issuer", f"{i.bill_type}: {i.office}", body,
            f"Hvem sender regninger, linje {i.source_line}", i.id, terms=i.synonyms,
        ))
    office = fallback_office()
    docs.append(make_doc("issuer", f"Betaling og rykkere: {office.office}", f"Ring til {office.office}, tlf. {office.phone}.",
                         f"Hvem sender regninger, linje {office.source_line}"))
    return docs


def _tariff_docs(catalogue_path: Path) -> List[Doc]:
    from knowledge.tariffs.catalogue import load_catalogue

    docs = []
    for row in load_catalogue(catalogue_path).rows:
        context = [h for h in (row.section, *row.headings) if h and h != row.label]
        where = " › ".join(dict.fromkeys(context)) + " › " if context else ""
        title = f"{where}{row.label} – {_tariff_price(row)}"
        body = " › ".join([row.section, *row.headings]) + (" " + " ".join(row.notes) if row.notes else "")
        docs.append(make_doc("tariff", title, body, f"Takster {row.year}, linje {row.line}", row.id))
    return docs


def _external_tariff_search() -> Optional[Any]:
    """``knowledge.tariffs.search.search(text, limit=...)`` (another engineer's ranked search)."""
    try:
        module = importlib.import_module("knowledge.tariffs.search")
    except ImportError:
        return None
    return getattr(module, "search", None)


class SearchIndex:
    """All searchable documents; :meth:`search` is pure CPU and fast enough to call inline."""

    def __init__(self, docs: Sequence[Doc], ranked_tariffs: Optional[Any] = None) -> None:
        self.docs = tuple(docs)
        self.tariffs = {d.key: d for d in self.docs if d.kind == "tariff"}
        # knowledge.tariffs.search.search(text, limit) -> hits with .row.id (stems, compounds,
        # synonyms, typos); None: only the substring scan below.
        self.ranked_tariffs = ranked_tariffs

    @classmethod
    def build(cls, catalogue_path: Path) -> "SearchIndex":
        docs: List[Doc] = []
        for part, loader in (("faq", _faq_docs), ("issuers", _issuer_docs), ("tariffs", lambda: _tariff_docs(catalogue_path))):
            try:
                docs.extend(loader())
            except Exception as exc:  # noqa: BLE001 - one broken source must not hide the others
                log.error("staff search: cannot load %s: %s", part, exc)
        ranked = _external_tariff_search()
        if ranked is not None:
            try:
                ranked("pas", limit=1)  # build its index now, not on the first keystroke
            except Exception as exc:  # noqa: BLE001 - fall back to the scan
                log.warning("staff search: knowledge.tariffs.search unusable (%s); using the scan", exc)
                ranked = None
        return cls(docs, ranked)

    def _ranked_tariffs(self, query: str, limit: int) -> List[Doc]:
        if self.ranked_tariffs is None:
            return []
        try:
            hits = self.ranked_tariffs(query, limit=limit)
        except Exception as exc:  # noqa: BLE001 - a query it cannot parse: the scan still answers
            log.debug("ranked tariff search failed for %r: %s", query, exc)
            return []
        return [self.tariffs[h.row.id] for h in hits if getattr(h, "row", None) is not None and h.row.id in self.tariffs]

    def search(self, query: str, limit: int = MAX_RESULTS) -> List[Doc]:
        terms = _WORD.findall(fold(query))
        starts = [" " + t for t in terms]
        if not terms:
            return []
        scored: List[Tuple[float, int, Doc]] = []
        for index, doc in enumerate(self.docs):
            score = 0.0
            for term, start in zip(terms, starts):
                if term not in doc.folded:
                    break
                score += 1.0
                if start in doc.words:
                    score += 1.0
                if term in doc.title_folded:
                    score += 2.0
            else:
                if doc.kind != "tariff":
                    score += 0.5  # FAQ and offices first when equally good
                scored.append((-score, index, doc))
        scored.sort(key=lambda t: (t[0], t[1]))
        found = [doc for _, _, doc in scored]
        ranked = self._ranked_tariffs(query, limit) if len(query.strip()) >= 3 else []
        if ranked:
            # FAQ and issuers from the scan, then the ranked tariffs, then other scan hits.
            head = [d for d in found if d.kind != "tariff"]
            seen = {id(d) for d in head} | {id(d) for d in ranked}
            found = head + ranked + [d for d in found if id(d) not in seen]
        return found[:limit]
