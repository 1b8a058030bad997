"""Full-text search over the tariff catalogue (plain Python, no Rasa).

Pipeline for both the catalogue and the question:

* :func:`knowledge.text.fold` (lower case, æ/ø/å -> ae/oe/aa) and a Danish stem
  (:func:`term`: Snowball Danish applied twice so that "plads"/"pladser" meet, with a small
  exception table for words the stemmer mangles, e.g. "billet" -> "bil");
* compound splitting against the catalogue's own vocabulary ("svømmehal", "bådplads",
  "rykkergebyr" -> known parts); catalogue compounds are split too, so "plads" finds
  "gæstepladser";
* synonyms from ``knowledge/data/tariff_synonyms.yml`` (words people use -> catalogue words);
* typo tolerance with rapidfuzz against the catalogue vocabulary;
* BM25F-like ranking over label, sub-section, headings, section and (lightly) notes.

The index is built once per process (:func:`get_index`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import yaml
from rapidfuzz import fuzz, process

from knowledge.lexicon import is_danish, lemma
from knowledge.tariffs.catalogue import Catalogue, TariffRow, load_catalogue
from knowledge.text import fold, stem

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CATALOGUE_PATH = DATA_DIR / "tariffs_2024.json"
SYNONYMS_PATH = DATA_DIR / "tariff_synonyms.yml"

# BM25F: how much a word in each field counts towards the score ...
FIELD_WEIGHTS: Dict[str, float] = {
    "label": 4.0, "subsection": 1.6, "headings": 1.2, "section": 0.5, "notes": 0.25,
}
# ... and how strongly it says "this row is about that word" (the coverage of a question).
FIELD_STRENGTH: Dict[str, float] = {
    "label": 1.0, "subsection": 1.0, "headings": 1.0, "section": 0.7, "notes": 0.4,
}
K1 = 1.5
B = 0.4
COMPOUND_PART_WEIGHT = 0.6   # a part of a split catalogue compound counts less than a word
PART_STRENGTH = 0.6          # ... and explains the word less
# Words too vague to decide a row on their own ("for et hus på 150 m2"): they count little.
WEAK_WORDS = frozenset("hus huset bolig boligen ting noget sted stedet gebyr gebyret afgift "
                       "afgiften pris leje lejen koster beholder beholderen beholdere container "
                       "containeren aeldre mistet tabt mistede tabte bortkommet raekkehus raekkehuset parcelhus "
                       "parcelhuset villa villaen lejlighed lejligheden".split())
WEAK_WEIGHT = 0.3
SUFFIX_WEIGHT = 0.9          # "tandpleje" found at the end of "omsorgstandpleje"
MAX_SUFFIX_MATCHES = 5
ALL_OF = "&"                 # marks a synonym whose words are all required
SYNONYM_BONUS = 0.5          # other matched terms of one word's group add half their score
UNKNOWN_WORD_WEIGHT = 1.0    # an unknown word counts as an average word no row explains
# Base words that occur only inside catalogue compounds but are worth splitting on.
BASE_WORDS = frozenset("billet kort plads pladser gebyr leje hal sal lokale bad kursus "
                       "tur ture beholder affald skat".split())
MIN_PART = 3                 # shortest compound part
_WORD_RE = re.compile(r"[a-z][a-z0-9]*")
# Stems the Snowball stemmer gets wrong for this catalogue ("billet" -> "bil" = car).
_STEM_EXCEPTIONS: Dict[str, str] = {
    "billet": "billet", "billetter": "billet", "billetten": "billet", "billetterne": "billet",
    "bil": "bilk", "biler": "bilk", "bilen": "bilk", "bilerne": "bilk",
    "hal": "hal", "hallen": "hal", "haller": "hal",
    "pas": "pas", "passet": "pas", "passene": "pas",
    "tur": "tur", "ture": "tur", "turen": "tur",
}
_STEM_PREFIX_EXCEPTIONS: Tuple[Tuple[str, str], ...] = (("billet", "billet"),)
# Words too common in the catalogue to be worth a fuzzy match or a compound part.
_EXTRA_IGNORED = frozenset("og til for med uden af i pr per paa el eller samt inkl der som".split())
_NO_PARTS = frozenset("pr og til med for fra af over under per".split())


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """Index term of one folded word: exceptions first, else the Snowball stem applied twice."""
    if word in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[word]
    for prefix, value in _STEM_PREFIX_EXCEPTIONS:
        if word.startswith(prefix):
            return value
    return stem(stem(word))


def words_of(text: str) -> List[str]:
    """Folded alphabetic words of ``text`` (numbers are left to the attribute parser)."""
    return _WORD_RE.findall(fold(text))


@dataclass(frozen=True)
class Hit:
    """One search result: the row, its score and the share of the question it covers."""

    row: TariffRow
    score: float
    coverage: float


@dataclass
class SearchIndex:
    """Inverted index over the catalogue with the vocabulary used for splitting and typos."""

    catalogue: Catalogue
    postings: Dict[str, List[Tuple[int, float, float]]] = field(default_factory=dict)
    idf: Dict[str, float] = field(default_factory=dict)
    words: Set[str] = field(default_factory=set)          # folded surface words
    terms: Set[str] = field(default_factory=set)          # index terms
    fuzzy_words: List[str] = field(default_factory=list)  # candidates for typo correction
    synonyms: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    phrases: Dict[Tuple[str, ...], Tuple[str, ...]] = field(default_factory=dict)

    # ---------------------------------------------------------------- query side
    def known(self, word: str) -> bool:
        """Is ``word`` (folded) a catalogue word or does its term occur in the catalogue?"""
        return word in self.words or term(word) in self.terms

    def names_row_word(self, word: str) -> bool:
        """Does ``word`` name something in the catalogue: a catalogue word, or a synonym whose
        primary meaning is one ("kommuneskat" -> personskat)? Typo fixes do not count."""
        return self.known(word) or bool(self._primary_synonym(word))

    def expand_word(self, word: str) -> Tuple[Tuple[str, float], ...]:
        """Index terms (with weights) for one folded query word."""
        return _expand_word(self, word)

    def query_terms(self, words: Sequence[str]) -> Tuple[List[Dict[str, float]], List[str]]:
        """Weighted term groups of a question (one group per word) and the unknown words."""
        folded = self._join_compounds([fold(w) for w in words if w])
        groups: List[Dict[str, float]] = []
        unknown: List[str] = []
        for item in self._phrases(folded, groups):
            together = self._all_of(item)
            if together:
                groups.extend(together)
                continue
            expansion = self.expand_word(item)
            if not expansion:
                unknown.append(item)
                continue
            scale = WEAK_WEIGHT if item in WEAK_WORDS else 1.0
            groups.append({t: w * scale for t, w in expansion})
        return _dedupe(groups), unknown

    def _join_compounds(self, words: List[str]) -> List[str]:
        """Rejoin a compound typed as two words ("duplikat kørekort", "sundheds kort"), also
        the other way round, as Danish says it with a verb or "af" ("leje et bådstativ" =
        "bådstativleje", "tømning af container" = "containertømning")."""
        joined: List[str] = []
        i = 0
        while i < len(words):
            pair = words[i:i + 2]
            compound = next((c for c in ("".join(pair), "".join(reversed(pair)))
                             if len(pair) == 2 and c in self.words), None)
            if compound:
                joined.append(compound)
                i += 2
            else:
                joined.append(words[i])
                i += 1
        return joined

    def asked_terms(self, words: Sequence[str]) -> Set[str]:
        """Terms of what the user asked for: their own words (with compound parts and typo
        fixes) and the first, primary meaning of each synonym ("skat" -> personskat), but not
        the merely related words further down a synonym list."""
        found: Set[str] = set()
        for word in self._join_compounds([fold(w) for w in words if w]):
            found.update(self._primary_synonym(word))
            subject = _head_stripped(word)
            if subject:
                found.update(self.asked_terms([subject]))
            t = term(word)
            if t in self.terms:
                found.add(t)
                continue
            parts = split_compound(word, self.words, self.terms)
            if parts:
                found.update(term(p) for p in parts)
                continue
            found.update(t for t, _ in _fuzzy(self, word, synonyms=False))
        return found

    def _primary_synonym(self, word: str) -> Set[str]:
        for key in (word, term(word)):
            targets = self.synonyms.get(key)
            if targets:
                return {term(w) for w in words_of(targets[0].lstrip(ALL_OF)) if term(w) in self.terms}
        return set()

    def _all_of(self, word: str) -> List[Dict[str, float]]:
        """A synonym written as one string ("marina pladser") needs all its words: one group each."""
        for key in (word, term(word)):
            targets = self.synonyms.get(key)
            if targets and len(targets) == 1 and targets[0].startswith(ALL_OF):
                return [{term(w): 1.0} for w in words_of(targets[0][1:]) if term(w) in self.terms]
        return []

    def _phrases(self, words: List[str], groups: List[Dict[str, float]]) -> List[str]:
        """Apply multi-word synonyms ("p billet"); return the words not consumed."""
        rest: List[str] = []
        i = 0
        while i < len(words):
            for size in (3, 2):
                key = tuple(words[i:i + size])
                if len(key) == size and key in self.phrases:
                    group = {term(w): 1.0 for target in self.phrases[key]
                             for w in words_of(target) if term(w) in self.terms}
                    if group:
                        groups.append(group)
                    i += size
                    break
            else:
                rest.append(words[i])
                i += 1
        return rest

    # ---------------------------------------------------------------- scoring
    def search(self, words: Sequence[str], limit: int = 30,
               only: Optional[Iterable[str]] = None) -> List[Hit]:
        """Rank rows for the given query words (best first)."""
        groups, unknown = self.query_terms(words)
        return self.rank(groups, unknown, limit, only)

    def rank(self, groups: Sequence[Dict[str, float]], unknown: Sequence[str] = (),
             limit: int = 30, only: Optional[Iterable[str]] = None) -> List[Hit]:
        """BM25F-style scores; each group (one query word) counts with its best term.

        ``coverage`` is the idf mass of the groups a row matches over the mass of all groups
        (unknown words count half an average word), a 0..1 measure of how much of the question
        the row explains. ``only`` restricts the ranking to some row ids.
        """
        allowed = self._allowed(only)
        scores: Dict[int, float] = defaultdict(float)
        matched: Dict[int, float] = defaultdict(float)
        total = UNKNOWN_WORD_WEIGHT * self._mean_idf * len(unknown)
        for group in groups:
            best_score: Dict[int, float] = {}
            best_mass: Dict[int, float] = {}
            extra_score: Dict[int, float] = {}
            mass = 0.0
            top_w = max(group.values()) if group else 1.0
            for t, w in group.items():
                idf = self.idf.get(t)
                if idf is None:
                    continue
                mass = max(mass, w * idf)
                for doc, tf, strength in self.postings[t]:
                    if allowed is not None and doc not in allowed:
                        continue
                    norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self._lengths[doc] / self._avg))
                    value = w * idf * norm
                    extra_score[doc] = extra_score.get(doc, 0.0) + value
                    if value > best_score.get(doc, 0.0):
                        best_score[doc] = value
                    best_mass[doc] = max(best_mass.get(doc, 0.0), (w / top_w) * strength)
            total += mass
            for doc, value in best_score.items():
                scores[doc] += value + SYNONYM_BONUS * (extra_score.get(doc, 0.0) - value)
                matched[doc] += mass * min(1.0, best_mass[doc])
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        rows = self.catalogue.rows
        return [Hit(rows[d], s, min(1.0, matched[d] / total) if total else 0.0)
                for d, s in ranked]

    def _allowed(self, only: Optional[Iterable[str]]) -> Optional[Set[int]]:
        if only is None:
            return None
        ids = set(only)
        return {i for i, row in enumerate(self.catalogue.rows) if row.id in ids}

    _lengths: List[float] = field(default_factory=list)
    _avg: float = 1.0
    _mean_idf: float = 1.0


def _dedupe(groups: List[Dict[str, float]]) -> List[Dict[str, float]]:
    """Drop repeated groups ("pas pas") so a word typed twice does not count twice."""
    seen: List[Dict[str, float]] = []
    for group in groups:
        if group not in seen:
            seen.append(group)
    return seen


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 1.0


# -------------------------------------------------------------------- building the index
def _row_fields(row: TariffRow) -> Dict[str, str]:
    other_headings = [h for h in row.headings if h not in (row.subsection, row.section)]
    return {
        "label": row.label,
        "subsection": row.subsection if row.subsection != row.section else "",
        "headings": " ".join(other_headings),
        "section": row.section,
        "notes": " ".join(row.notes),
    }


def split_compound(word: str, vocabulary: Set[str], terms: Set[str]) -> Optional[Tuple[str, ...]]:
    """Split a folded compound into known parts ("svoemmehal" -> "svoemme", "hal").

    The right part must be a known word or term; the left part may drop a linking
    "s" or "e" ("ungdoms|skole", "rotte|bekaempelse"). Longest right part wins. When no
    two known parts exist, the left part may itself be a compound of known parts
    ("baadstativleje" -> "baad", "stativ", "leje").
    """
    return _split(word, vocabulary, terms, nested=False) or _split(word, vocabulary, terms,
                                                                    nested=True)


def _split(word: str, vocabulary: Set[str], terms: Set[str], nested: bool) -> Optional[Tuple[str, ...]]:
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = word[:cut], word[cut:]
        if right in _NO_PARTS or not _is_part(right, vocabulary, terms):
            continue
        for head in (left, left[:-1] if left[-1:] in "se" else None):
            if not head or len(head) < MIN_PART or head in _NO_PARTS:
                continue
            if not nested and _is_part(head, vocabulary, terms):
                return head, right
            if nested and len(head) >= 2 * MIN_PART:
                inner = _split(head, vocabulary, terms, nested=False)
                if inner:
                    return inner + (right,)
    return None


def _is_part(part: str, vocabulary: Set[str], terms: Set[str]) -> bool:
    return part in vocabulary or (len(part) >= 4 and term(part) in terms)


def _doc_terms(text: str, vocabulary: Set[str], base_terms: Set[str],
               splits: Dict[str, Optional[Tuple[str, ...]]]) -> Dict[str, Tuple[float, float]]:
    """term -> (count, strength) for one field; compound parts count and explain less.
    ``splits`` caches compound splits across the whole build."""
    counts: Dict[str, List[float]] = {}
    for word in words_of(text):
        entry = counts.setdefault(term(word), [0.0, 0.0])
        entry[0] += 1.0
        entry[1] = 1.0
        if len(word) >= 2 * MIN_PART + 1:
            if word not in splits:
                splits[word] = split_compound(word, vocabulary, base_terms)
            parts = splits[word]
            if parts:
                for part in parts:
                    entry = counts.setdefault(term(part), [0.0, 0.0])
                    entry[0] += COMPOUND_PART_WEIGHT
                    entry[1] = max(entry[1], PART_STRENGTH)
    return {t: (c, st) for t, (c, st) in counts.items()}


def _load_synonyms(path: Path) -> Tuple[Dict[str, Tuple[str, ...]], Dict[Tuple[str, ...], Tuple[str, ...]]]:
    """Single-word and multi-word synonyms, keys folded."""
    if not path.exists():
        return {}, {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    single: Dict[str, Tuple[str, ...]] = {}
    phrases: Dict[Tuple[str, ...], Tuple[str, ...]] = {}
    for key, targets in (data.get("synonyms") or {}).items():
        if isinstance(targets, str) and len(words_of(targets)) > 1:
            targets = (ALL_OF + targets,)  # a plain string of several words: all are needed
        targets = tuple(targets if isinstance(targets, (list, tuple)) else [targets])
        key_words = tuple(words_of(str(key)))
        if len(key_words) == 1:
            single[key_words[0]] = targets
            single.setdefault(term(key_words[0]), targets)  # "skraldespanden" finds "skraldespand"
        elif key_words:
            phrases[key_words] = targets
    return single, phrases


def _index_text(row: TariffRow) -> Dict[str, str]:
    """Searchable fields; a price in words ("Timepris", "Gratis - oplyses blot til BBR")
    is searchable with the label."""
    fields_ = _row_fields(row)
    if row.price_text and re.search(r"[A-Za-zæøåÆØÅ]{3}", row.price_text):
        fields_["label"] = f"{fields_['label']} {row.price_text}"
    return fields_


def _field_strength(name: str, text: str) -> float:
    """A short section name ("Herfølge Svømmehal", "Parkering") names the subject as well as
    a label does; a long one ("Pas, sundhedskort og ID til unge") only hints at it."""
    if name == "section" and len(words_of(text)) <= 2:
        return FIELD_STRENGTH["label"]
    return FIELD_STRENGTH[name]


def build_index(catalogue: Catalogue, synonyms_path: Path = SYNONYMS_PATH) -> SearchIndex:
    """Build the inverted index (called once, see :func:`get_index`)."""
    index = SearchIndex(catalogue=catalogue)
    texts = [_index_text(row) for row in catalogue.rows]
    for fields_ in texts:
        for text in fields_.values():
            index.words.update(words_of(text))
    index.synonyms, index.phrases = _load_synonyms(synonyms_path)
    vocabulary = {w for w in index.words if len(w) >= MIN_PART} | set(BASE_WORDS)
    base_terms = {term(w) for w in vocabulary}
    postings: Dict[str, List[Tuple[int, float, float]]] = defaultdict(list)
    lengths: List[float] = []
    splits: Dict[str, Optional[Tuple[str, ...]]] = {}
    for doc, fields_ in enumerate(texts):
        weighted: Dict[str, float] = defaultdict(float)
        strength: Dict[str, float] = defaultdict(float)
        for name, text in fields_.items():
            field_strength = _field_strength(name, text)
            for t, (count, st) in _doc_terms(text, vocabulary, base_terms, splits).items():
                weighted[t] += FIELD_WEIGHTS[name] * count
                strength[t] = max(strength[t], field_strength * st)
        weighted.pop("", None)
        for t, tf in weighted.items():
            postings[t].append((doc, tf, strength[t]))
        lengths.append(sum(FIELD_WEIGHTS[n] * len(words_of(x)) for n, x in fields_.items()
                           if n != "notes") + 1.0)
    n = len(texts)
    index.postings = dict(postings)
    index.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
    index.terms = set(index.postings)
    index.words |= BASE_WORDS
    index._lengths = lengths
    index._avg = sum(lengths) / len(lengths) if lengths else 1.0
    index._mean_idf = _mean(index.idf.values())
    index.fuzzy_words = sorted(w for w in index.words if len(w) >= 4 and w not in _NO_PARTS)
    return index


def _synonym_terms(index: SearchIndex, word: str) -> List[Tuple[str, float]]:
    found: List[Tuple[str, float]] = []
    for key in (word, term(word)):
        for target in index.synonyms.get(key, ()):
            for w in words_of(target.lstrip(ALL_OF)):
                t = term(w)
                if t in index.terms:
                    found.append((t, 1.0))
        if found:
            break
    return found


def _expand_word(index: SearchIndex, word: str) -> Tuple[Tuple[str, float], ...]:
    return _expand_cached(id(index), word)


_INDEX_BY_ID: Dict[int, SearchIndex] = {}


@lru_cache(maxsize=16384)
def _expand_cached(index_id: int, word: str, typos: bool = True,
                   endings: bool = True) -> Tuple[Tuple[str, float], ...]:
    """Synonyms, then the word itself, then compound parts, then a typo correction (not for
    the subject of a fee compound: "hundeafgift" is about "hunde", which is not a typo of
    anything in the price list)."""
    index = _INDEX_BY_ID[index_id]
    t = term(word)
    found = dict(_synonym_terms(index, word))
    if t in index.terms:
        found[t] = 1.0
    subject = _head_stripped(word)
    if subject:
        for st, w in _expand_cached(index_id, subject, False):
            found[st] = max(found.get(st, 0.0), w)
    if t not in index.terms:
        # the first part of the list's compounds ("enfamilie" of "énfamilieordning", "-huse"),
        # before reading it as a compound itself ("en" + "familie")
        for head in _compounds_starting_with(index, word):
            found.setdefault(term(head), PREFIX_WEIGHT)
    if found:
        return tuple(found.items())
    parts = split_compound(word, index.words | set(index.synonyms), index.terms)
    if parts:
        for part in parts:
            for pt, w in (_synonym_terms(index, part) or [(term(part), 0.9)]):
                if pt in index.terms:
                    found[pt] = max(found.get(pt, 0.0), w)
        if found:
            return tuple(found.items())
    longer = _compounds_ending_with(index, word) if endings else []
    if longer:
        return tuple((term(w), SUFFIX_WEIGHT) for w in longer)
    base = lemma(word)
    if base and base != word:  # an inflected form the catalogue has in another form ("marinaen"),
        return _expand_cached(index_id, base, False, False)  # but "sendte" is not "folkeoplysende"
    return tuple(_fuzzy(index, word)) if typos else ()


PREFIX_WEIGHT = 0.9
PREFIX_MIN_LETTERS = 7


def _compounds_starting_with(index: SearchIndex, word: str) -> List[str]:
    """The (at most five) catalogue words that ``word`` is the first part of."""
    if len(word) < PREFIX_MIN_LETTERS:
        return []
    found = sorted(w for w in index.words if w.startswith(word) and len(w) >= len(word) + 3)
    return found if len(found) <= 5 else []


# Heads that only say "the fee/price/rate of": "rottebekæmpelsesgebyret" is about rat control,
# "grundskyldspromillen" about grundskyld, "tandplejetaksten" about tandpleje.
_HEADS = ("gebyrerne", "gebyret", "gebyrer", "gebyr", "priserne", "prisen", "priser", "pris",
          "taksterne", "taksten", "takster", "takst", "afgifterne", "afgiften", "afgifter",
          "afgift", "promillen", "promille", "procenten", "procent", "satsen", "sats",
          "betalingen", "betaling", "beloebet", "beloeb", "udgiften", "udgift")
MIN_SUBJECT = 4


def _head_stripped(word: str) -> Optional[str]:
    """The subject of a "<subject>(s)<fee word>" compound, or None."""
    for head in _HEADS:
        if word.endswith(head) and len(word) - len(head) >= MIN_SUBJECT:
            subject = word[:-len(head)]
            if subject.endswith("s") and len(subject) > MIN_SUBJECT:
                subject = subject[:-1]
            return subject
    return None


def _compounds_ending_with(index: SearchIndex, word: str) -> List[str]:
    """Catalogue compounds that end with the word ("tandpleje" -> "omsorgstandpleje")."""
    if len(word) < 5:
        return []
    found = sorted(w for w in index.words if w.endswith(word) and len(w) >= len(word) + 3)
    return found[:MAX_SUFFIX_MATCHES]


def _fuzzy(index: SearchIndex, word: str, synonyms: bool = True) -> List[Tuple[str, float]]:
    """Typo tolerance: the closest catalogue word (or synonym key) above a length-based cut-off,
    for words the Danish lexicon (knowledge/lexicon.py) does not know."""
    if len(word) < 4 or is_danish(word):
        return []  # a real Danish word ("købe") is not a typo of a price-list word ("Køge")
    cutoff = 80 if len(word) >= 6 else 75
    choices = index.fuzzy_words + ([k for k in index.synonyms if len(k) >= 4] if synonyms else [])
    best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    if not best:
        return []
    match = best[0]
    if match in index.synonyms:
        return [(t, 0.8) for t, _ in _synonym_terms(index, match)]
    return [(term(match), 0.8)] if term(match) in index.terms else []


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """The 2024 catalogue, loaded once."""
    return load_catalogue(CATALOGUE_PATH)


def register_index(index: SearchIndex) -> SearchIndex:
    """Make ``index`` usable by the cached word expansion (every index built is registered)."""
    _INDEX_BY_ID[id(index)] = index
    return index


@lru_cache(maxsize=1)
def get_index() -> SearchIndex:
    """The search index over :func:`get_catalogue`, built once per process."""
    return register_index(build_index(get_catalogue()))


def search(text: str, limit: int = 30) -> List[Hit]:
    """Search the catalogue for free text (convenience wrapper around the index)."""
    from knowledge.tariffs.query import parse_query  # local import: avoid a cycle

    return get_index().search(parse_query(text).words, limit=limit)


def label_extra(index: SearchIndex, row: TariffRow, asked: Set[str]) -> float:
    """Idf mass of the label's words that the question did not ask for (see asked_terms).

    Among rows that match a question equally well, the one with the least left over
    ("Grundskyld (promille)" vs "Grundskyld på produktionsjord (promille)") is the plain case.
    """
    extra = {term(w) for w in words_of(row.label) if w not in _EXTRA_IGNORED} - asked
    return sum(index.idf.get(t, 0.0) for t in extra)


def head_is_asked(row: TariffRow, asked: Set[str]) -> bool:
    """Is the label's head (the text before "(", "," or ":") made only of asked words?

    "Køreprøve (teoriprøve og praktisk prøve)" is the plain case of "køreprøve", unlike
    "Køreprøve til bus"; "Grundskyld (promille)" unlike "Grundskyld på produktionsjord".
    """
    head = re.split(r"[(,:]", row.label, maxsplit=1)[0]
    words = [w for w in words_of(head) if w not in _EXTRA_IGNORED]
    return bool(words) and all(term(w) in asked for w in words)


def label_terms(row: TariffRow) -> frozenset:
    """Index terms of a row's label, sub-section and headings, with compound parts."""
    return _label_terms(row.id, row.label, row.headings)


@lru_cache(maxsize=4096)
def _label_terms(row_id: str, label: str, headings: Tuple[str, ...]) -> frozenset:
    index = get_index()
    found = set()
    for word in words_of(" ".join((label,) + headings)):
        found.add(term(word))
        parts = split_compound(word, index.words, index.terms)
        if parts:
            found.update(term(p) for p in parts)
    return frozenset(found)
