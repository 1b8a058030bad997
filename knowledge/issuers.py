"""Who sends which bill (``knowledge/issuers.yml``) and a forgiving lookup from free text.

``find_issuer("hvem sender regningen for skraldespanden")`` returns the matching issuer with a
score. Matching works on the folded, stemmed tokens of :mod:`knowledge.text` and accepts:

* the exact term ("renovation"), an inflection ("svømmehallen") or a split word ("svømme hal");
* compounds that start or end with a term ("skraldespandsregning", "skovbørnehaven");
* typos, via a rapidfuzz ratio on words of six letters or more ("renovasion", "svommehal").

A match that falls inside one of the issuer's ``not_synonyms`` ("p-billet",
"ejendomsværdiskat") is dropped. Scores: 100 exact, 97 inflection, 92 compound head,
88 compound tail, below 90 for typos; ``find_issuer`` returns None under ``MIN_SCORE``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import yaml
from rapidfuzz import fuzz, process

from knowledge import sources
from knowledge.text import stem, tokens

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).with_name("issuers.yml")
SOURCE_PREFIX = "Kilde: Opkrævningen, Køge Kommune"
MIN_SCORE = 75.0

SCORE_EXACT = 100.0
SCORE_STEM = 97.0
SCORE_COMPOUND_HEAD = 92.0
SCORE_COMPOUND_TAIL = 88.0
FUZZY_WEIGHT = 0.9
FUZZY_PREFIX_WEIGHT = 0.85
FUZZY_CUTOFF = 88.0
MIN_FUZZY_LEN = 6
MIN_HEAD_LEN = 4
MIN_TAIL_LEN = 5
MIN_TAIL_REST = 3

_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_PHONE_RE = re.compile(r"^\d{4} \d{4}$")


class IssuerError(ValueError):
    """``issuers.yml`` is malformed or does not match the seed table."""


@dataclass(frozen=True)
class Office:
    """An office citizens can call (the fallback Opkrævningen)."""

    id: str
    office: str
    phone: str
    source_line: int


@dataclass(frozen=True)
class Issuer:
    """One row of "Hvem sender Regninger"."""

    id: str
    bill_type: str
    office: str
    phone: Optional[str]
    phone_note: Optional[str]
    source_line: int
    bill_phrase: str
    office_in_sentence: str
    synonyms: Tuple[str, ...]
    not_synonyms: Tuple[str, ...] = ()

    @property
    def terms(self) -> Tuple[str, ...]:
        """Everything that names this bill: the bill type and the synonyms."""
        return (self.bill_type,) + self.synonyms


@dataclass(frozen=True)
class IssuerMatch:
    """Result of :func:`find_issuer`."""

    issuer: Issuer
    score: float
    term: str
    fragment: str


@dataclass(frozen=True)
class _Catalogue:
    section: str
    seed: str
    lines: Tuple[int, int]
    fallback: Office
    issuers: Tuple[Issuer, ...]


# --------------------------------------------------------------------------- loading


def load_issuers(path: Union[str, Path, None] = None) -> List[Issuer]:
    """All issuers in table order (validated against the seed when it is available)."""
    return list(_catalogue(_resolve(path)).issuers)


def fallback_office(path: Union[str, Path, None] = None) -> Office:
    """Opkrævningen: the office for payment problems and anything not in the table."""
    return _catalogue(_resolve(path)).fallback


def issuer_section(path: Union[str, Path, None] = None) -> str:
    """The seed heading of the table, exactly as written."""
    return _catalogue(_resolve(path)).section


def office_phone(office_id: str) -> Optional[str]:
    """Phone of an issuer id or of ``opkraevningen``; None if unknown or not in the seed."""
    if office_id == fallback_office().id:
        return fallback_office().phone
    for issuer in load_issuers():
        if issuer.id == office_id:
            return issuer.phone
    return None


def _resolve(path: Union[str, Path, None]) -> str:
    return str(Path(path or DEFAULT_PATH).resolve())


@lru_cache(maxsize=8)
def _catalogue(path: str) -> _Catalogue:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IssuerError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise IssuerError(f"{path}: top level must be a mapping")
    source = data.get("source") or {}
    lines = source.get("lines") or (0, 0)
    catalogue = _Catalogue(
        section=str(source.get("section") or ""),
        seed=str(source.get("file") or ""),
        lines=(int(lines[0]), int(lines[-1])),
        fallback=_parse_office(data.get("all_phone")),
        issuers=tuple(_parse_issuer(raw) for raw in data.get("issuers") or ()),
    )
    _check_structure(catalogue)
    if sources.seeds_available([catalogue.seed]):
        _check_against_seed(catalogue)
    else:
        log.warning("seed %s not found: issuers loaded without source checks", catalogue.seed)
    return catalogue


def _parse_office(raw: Any) -> Office:
    if not isinstance(raw, Mapping):
        raise IssuerError("issuers.yml: 'all_phone' must be a mapping")
    return Office(
        id=str(raw.get("id")),
        office=str(raw.get("office")),
        phone=str(raw.get("phone")),
        source_line=int(raw.get("source_line") or 0),
    )


def _parse_issuer(raw: Any) -> Issuer:
    if not isinstance(raw, Mapping):
        raise IssuerError("issuers.yml: every issuer must be a mapping")
    office = str(raw.get("office") or "")
    return Issuer(
        id=str(raw.get("id") or ""),
        bill_type=str(raw.get("bill_type") or ""),
        office=office,
        phone=raw.get("phone"),
        phone_note=raw.get("phone_note"),
        source_line=int(raw.get("source_line") or 0),
        bill_phrase=str(raw.get("bill_phrase") or ""),
        office_in_sentence=str(raw.get("office_in_sentence") or office),
        synonyms=tuple(str(s) for s in raw.get("synonyms") or ()),
        not_synonyms=tuple(str(s) for s in raw.get("not_synonyms") or ()),
    )


def _check_structure(catalogue: _Catalogue) -> None:
    ids = [i.id for i in catalogue.issuers] + [catalogue.fallback.id]
    if len(set(ids)) != len(ids):
        raise IssuerError(f"issuers.yml: duplicate ids in {ids}")
    owner: Dict[str, str] = {}
    for issuer in catalogue.issuers:
        _check_issuer(issuer)
        for term in issuer.terms:
            key = "".join(tokens(term))
            if owner.setdefault(key, issuer.id) != issuer.id:
                raise IssuerError(f"issuers.yml: term {term!r} used by {owner[key]} and {issuer.id}")
    if not _PHONE_RE.match(catalogue.fallback.phone):
        raise IssuerError("issuers.yml: all_phone.phone must be 'dddd dddd'")


def _check_issuer(issuer: Issuer) -> None:
    where = f"issuers.yml issuer {issuer.id!r}"
    if not _SLUG_RE.match(issuer.id):
        raise IssuerError(f"{where}: id must be an ascii slug")
    if not (issuer.bill_type and issuer.office and issuer.bill_phrase):
        raise IssuerError(f"{where}: bill_type, office and bill_phrase are required")
    if (issuer.phone is None) == (issuer.phone_note is None):
        raise IssuerError(f"{where}: give exactly one of phone and phone_note")
    if issuer.phone is not None and not _PHONE_RE.match(str(issuer.phone)):
        raise IssuerError(f"{where}: phone must be 'dddd dddd'")
    if not 8 <= len(issuer.synonyms) <= 20:
        raise IssuerError(f"{where}: needs 8-20 synonyms, has {len(issuer.synonyms)}")
    bad = [s for s in issuer.synonyms + issuer.not_synonyms if s != s.lower() or not s.strip()]
    if bad:
        raise IssuerError(f"{where}: synonyms must be non-empty lower case: {bad}")
    clash = set(map(_key, issuer.synonyms)) & set(map(_key, issuer.not_synonyms))
    if clash:
        raise IssuerError(f"{where}: both synonym and not_synonym: {sorted(clash)}")


def _key(term: str) -> str:
    return "".join(tokens(term))


def _check_against_seed(catalogue: _Catalogue) -> None:
    seed = catalogue.seed
    first, last = catalogue.lines
    heading_lines = [n for n, line in enumerate(sources.seed_lines(seed), 1) if line.strip() == catalogue.section]
    if not heading_lines or not heading_lines[0] < first <= last:
        raise IssuerError(f"{seed}: no heading {catalogue.section!r} above lines {first}-{last}")
    fallback = catalogue.fallback
    if fallback.phone not in sources.seed_line(seed, fallback.source_line):
        raise IssuerError(f"{fallback.phone} is not on line {fallback.source_line} of {seed}")
    for issuer in catalogue.issuers:
        if not first <= issuer.source_line <= last:
            raise IssuerError(f"issuer {issuer.id!r}: line {issuer.source_line} is outside the table {first}-{last}")
        row = sources.seed_line(seed, issuer.source_line)
        cells = [issuer.bill_type, issuer.office, issuer.phone or issuer.phone_note or ""]
        missing = [c for c in cells if c not in row]
        if missing or not row.startswith(issuer.bill_type):
            raise IssuerError(f"issuer {issuer.id!r}: line {issuer.source_line} of {seed} is {row!r}, lacks {missing}")


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Term:
    issuer_index: int
    text: str
    forms: frozenset
    joined: str
    stem_joined: str
    size: int


@dataclass(frozen=True)
class _Window:
    start: int
    end: int
    text: str
    forms: frozenset
    joined: str
    stem_joined: str

    @property
    def single(self) -> bool:
        return self.end - self.start == 1


@dataclass(frozen=True)
class _Index:
    terms: Tuple[_Term, ...]
    by_form: Mapping[str, Tuple[int, ...]]
    joined: Tuple[str, ...]
    stem_joined: Tuple[str, ...]
    # term positions by their joined / joined-stem spelling: compounds are found by looking up a
    # word's prefixes and suffixes instead of comparing it with every term (issue 19)
    by_joined: Mapping[str, Tuple[int, ...]]
    by_stem_joined: Mapping[str, Tuple[int, ...]]


def _forms(words: Sequence[str]) -> Tuple[str, str, frozenset]:
    joined = "".join(words)
    stem_joined = "".join(stem(w) for w in words)
    return joined, stem_joined, frozenset({joined, stem_joined, stem(joined)})


def _make_term(index: int, text: str) -> Optional[_Term]:
    words = tokens(text)
    if not words:
        return None
    joined, stem_joined, forms = _forms(words)
    return _Term(index, text, forms, joined, stem_joined, len(words))


def _build_index(terms: Sequence[_Term]) -> _Index:
    by_form: Dict[str, List[int]] = {}
    by_joined: Dict[str, List[int]] = {}
    by_stem_joined: Dict[str, List[int]] = {}
    for position, term in enumerate(terms):
        for form in term.forms:
            by_form.setdefault(form, []).append(position)
        by_joined.setdefault(term.joined, []).append(position)
        by_stem_joined.setdefault(term.stem_joined, []).append(position)
    return _Index(
        terms=tuple(terms),
        by_form={k: tuple(v) for k, v in by_form.items()},
        joined=tuple(t.joined for t in terms),
        stem_joined=tuple(t.stem_joined for t in terms),
        by_joined={k: tuple(v) for k, v in by_joined.items()},
        by_stem_joined={k: tuple(v) for k, v in by_stem_joined.items()},
    )


@lru_cache(maxsize=8)
def _indexes(path: str) -> Tuple[_Index, _Index, int]:
    """(positive index, negative index, longest term in tokens) for one issuers file."""
    positives: List[_Term] = []
    negatives: List[_Term] = []
    for i, issuer in enumerate(_catalogue(path).issuers):
        positives += [t for t in (_make_term(i, s) for s in issuer.terms) if t]
        negatives += [t for t in (_make_term(i, s) for s in issuer.not_synonyms) if t]
    longest = max(t.size for t in positives + negatives)
    return _build_index(positives), _build_index(negatives), longest


def _windows(words: Sequence[str], longest: int) -> Iterator[_Window]:
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + longest) + 1):
            part = words[start:end]
            joined, stem_joined, forms = _forms(part)
            yield _Window(start, end, " ".join(part), forms, joined, stem_joined)


def _exact_scores(window: _Window, index: _Index) -> Iterator[Tuple[int, float]]:
    """Same word, an inflection of it, or the same word split or joined differently."""
    for form in window.forms:
        for position in index.by_form.get(form, ()):
            exact = index.terms[position].joined == window.joined
            yield position, SCORE_EXACT if exact else SCORE_STEM


def _compound_scores(window: _Window, index: _Index) -> Iterator[Tuple[int, float]]:
    """One written-together word that starts ("skraldespandsregning") or ends
    ("skovbørnehaven") with a term. A term that starts the word is not also scored as its end."""
    if not window.single:
        return
    word, stem_word = window.joined, window.stem_joined
    heads = {position
             for size in range(MIN_HEAD_LEN, len(word) + 1)
             for position in index.by_joined.get(word[:size], ())}
    tails = {position
             for cut in range(MIN_TAIL_REST, len(stem_word) - MIN_TAIL_LEN + 1)
             for position in index.by_stem_joined.get(stem_word[cut:], ())} - heads
    for position in sorted(heads | tails):
        yield position, SCORE_COMPOUND_HEAD if position in heads else SCORE_COMPOUND_TAIL


def _fuzzy_scores(window: _Window, index: _Index) -> Iterator[Tuple[int, float]]:
    """Typos: the whole word ("renovasion"), or the head of a compound ("renovasionsregning")."""
    for query, choices in ((window.joined, index.joined), (window.stem_joined, index.stem_joined)):
        if len(query) < MIN_FUZZY_LEN:
            continue
        for _, ratio, position in process.extract(
            query, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        ):
            if len(choices[position]) >= MIN_FUZZY_LEN:
                yield position, ratio * FUZZY_WEIGHT
    if window.single:
        yield from _fuzzy_head_scores(window.joined, index)


def _fuzzy_head_scores(word: str, index: _Index) -> Iterator[Tuple[int, float]]:
    for position, term in enumerate(index.terms):
        size = len(term.joined)
        if not MIN_FUZZY_LEN <= size < len(word):
            continue
        ratio = max(fuzz.ratio(word[:n], term.joined, score_cutoff=FUZZY_CUTOFF) for n in (size - 1, size, size + 1))
        if ratio:
            yield position, ratio * FUZZY_PREFIX_WEIGHT


def _scores(window: _Window, index: _Index, fuzzy: bool = True) -> Iterator[Tuple[int, float]]:
    """(term position, score) for every term of ``index`` that ``window`` may name."""
    yield from _exact_scores(window, index)
    yield from _compound_scores(window, index)
    if fuzzy:
        yield from _fuzzy_scores(window, index)


def _vetoed_spans(windows: Sequence[_Window], negatives: _Index) -> Dict[int, List[Tuple[int, int]]]:
    """Token spans per issuer that name one of its look-alikes (no typo tolerance)."""
    spans: Dict[int, List[Tuple[int, int]]] = {}
    for window in windows:
        for position, _ in _scores(window, negatives, fuzzy=False):
            issuer_index = negatives.terms[position].issuer_index
            spans.setdefault(issuer_index, []).append((window.start, window.end))
    return spans


def _overlaps(window: _Window, spans: Sequence[Tuple[int, int]]) -> bool:
    return any(window.start < end and start < window.end for start, end in spans)


def find_issuer(
    text: str, *, min_score: float = MIN_SCORE, path: Union[str, Path, None] = None
) -> Optional[IssuerMatch]:
    """The issuer whose bill ``text`` talks about, or None when nothing plausible matches.

    Best score wins; on a tie the longer (more specific) term, then the earlier table row.
    """
    resolved = _resolve(path)
    words = tokens(text)
    if not words:
        return None
    positives, negatives, longest = _indexes(resolved)
    windows = list(_windows(words, longest))
    vetoed = _vetoed_spans(windows, negatives)
    best: Optional[Tuple[Tuple[float, int, int], _Term, _Window]] = None
    for window in windows:
        for position, score in _scores(window, positives):
            term = positives.terms[position]
            if score < min_score or _overlaps(window, vetoed.get(term.issuer_index, ())):
                continue
            rank = (score, len(term.joined), -term.issuer_index)
            if best is None or rank > best[0]:
                best = (rank, term, window)
    if best is None:
        return None
    (score, _, _), term, window = best
    issuer = _catalogue(resolved).issuers[term.issuer_index]
    return IssuerMatch(issuer=issuer, score=round(score, 1), term=term.text, fragment=window.text)


# --------------------------------------------------------------------------- rendering


def _source_line() -> str:
    return f"{SOURCE_PREFIX} – «{issuer_section()}»"


def _payment_help(office: Office) -> str:
    return (
        f"Har du problemer med at betale regningen, kan du kontakte {office.office} "
        f"på tlf. {office.phone}. Gør det, inden betalingsdatoen er overskredet."
    )


def _contact_lines(issuer: Issuer, office: Office) -> List[str]:
    if issuer.phone is None:
        return [
            "Se telefonnummeret på din opkrævning. Dér kan du ringe, hvis du har spørgsmål til regningen.",
            _payment_help(office),
        ]
    if issuer.phone == office.phone:
        return [
            f"Du kan ringe til dem på tlf. {issuer.phone}, både hvis du har spørgsmål til regningen, "
            "og hvis du har problemer med at betale den. Gør det, inden betalingsdatoen er overskredet."
        ]
    return [
        f"Du kan ringe til dem på tlf. {issuer.phone}, hvis du har spørgsmål til regningen.",
        _payment_help(office),
    ]


def render_issuer(issuer: Issuer) -> str:
    """Danish answer to "who sends this bill": office, phone, where to go with payment problems."""
    office = fallback_office()
    first, *rest = _contact_lines(issuer, office)
    opening = f"Regningen {issuer.bill_phrase} sendes af {issuer.office_in_sentence}. {first}"
    return "\n\n".join([opening, *rest, _source_line()])


def _table_row(issuer: Issuer) -> str:
    if issuer.phone is None:
        return f"• {issuer.bill_type}: {issuer.office} – se telefonnummeret på din opkrævning"
    return f"• {issuer.bill_type}: {issuer.office}, tlf. {issuer.phone}"


def render_issuer_table() -> str:
    """All issuers as a bullet list with phone numbers, plus where to go with payment problems."""
    office = fallback_office()
    rows = "\n".join(_table_row(i) for i in load_issuers())
    return (
        "Her kan du se, hvem der sender regningerne, og hvor du kan ringe, "
        f"hvis du har spørgsmål til en regning:\n{rows}\n\n"
        f"Har du problemer med at betale en regning, kan du ringe til {office.office} "
        f"på tlf. {office.phone}.\n\n{_source_line()}"
    )


SECTION_OFFICES_PATH = Path(__file__).resolve().parent / "data" / "section_offices.yml"


@lru_cache(maxsize=1)
def _section_offices() -> Dict[str, str]:
    raw = yaml.safe_load(SECTION_OFFICES_PATH.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in raw.items()}


def section_issuer(section: str) -> Optional[Issuer]:
    """The issuer whose office sends the bills of a price-list section (None: Opkrævningen)."""
    wanted = _section_offices().get(section)
    return next((i for i in load_issuers() if i.id == wanted), None) if wanted else None
