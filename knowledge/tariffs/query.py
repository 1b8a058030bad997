"""Parse a Danish price question ("hvad koster …?") into a :class:`PriceQuery`.

The query keeps the free words for the search and the attributes that choose between close
rows: age and person category, weekday/weekend, container size and emptyings, counts, money
values and incomes, durations, meeting/day, resident/guest, boat tonnage and length, season,
card period, trips, school grade, weekly hours and lesson minutes. Numbers are canonicalised
first (:mod:`knowledge.tariffs.query_numbers`), then the patterns in :mod:`knowledge.tariffs.query_patterns`
consume what they recognise; what is left (minus stop words) is the search text.

``merge_queries`` combines a follow-up ("i weekenden", "hun er 12") with the question it
answers; ``query_to_dict``/``query_from_dict`` keep a query in the JSON conversation state.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Dict, Optional, Tuple

from rapidfuzz import fuzz, process

from knowledge.tariffs.persons import Person, parse_persons, person_words
from knowledge.tariffs.query_english import to_danish
from knowledge.tariffs.quantities import after_numbers, before_numbers
from knowledge.tariffs.query_numbers import canonical_numbers, drop_non_amounts
from knowledge.tariffs.query_patterns import (
    CATEGORY_SPLIT_RE,
    KEYWORDS,
    KEEP_AS_WORD,
    RULES,
    SPAN_DAYS,
    STOPWORDS,
    INCOME_CONTEXT_WORDS,
)
from knowledge.text import fold

_WORD_RE = re.compile(r"[a-z][a-z0-9]*|\d+(?:\.\d+)?")


@dataclass(frozen=True)
class PriceQuery:
    """A price question: search words plus the attributes that pick a row."""

    text: str = ""
    words: Tuple[str, ...] = ()
    numbers: Tuple[Decimal, ...] = ()   # numbers no pattern claimed
    age: Optional[int] = None
    age_max: Optional[int] = None       # with ``age``: an age range ("age:0-11" buttons)
    minor: bool = False                 # "min søn/datter" without an age
    category: Optional[str] = None      # barn | ung | voksen | pensionist | institution
    household: Optional[str] = None     # familie | personlig
    day: Optional[str] = None           # weekday | weekend | holiday | school_holiday
    liters: Optional[Decimal] = None
    m3: Optional[Decimal] = None
    m2: Optional[Decimal] = None
    area_parts: Tuple[Decimal, ...] = ()  # the areas ``m2`` adds up ("650 m2 og 130 m2")
    emptyings: Optional[Decimal] = None
    count: Optional[int] = None
    money: Optional[Decimal] = None     # a property value, a price or any amount in kroner
    income: Optional[Decimal] = None
    minutes: Optional[int] = None       # a duration in minutes ("2 timer og 10 minutter")
    days: Optional[int] = None
    weeks: Optional[int] = None
    months: Optional[int] = None
    month_span: Optional[str] = None    # "januar-juni": the months (and ``days``) came from names
    frequency: Tuple[int, ...] = ()     # (times per week, weeks): "2 dage om ugen i 5 uger"
    per: Optional[str] = None           # meeting | day (the two amounts of "pr. møde/pr. dag")
    party: Optional[str] = None         # resident | guest
    tons: Optional[Decimal] = None
    boat_length: Optional[Decimal] = None
    season: Optional[str] = None        # summer | winter
    period: Optional[str] = None        # hour | day | week | month | quarter | half_year | year | season
    trips: Optional[int] = None
    grade: Optional[int] = None
    weekly_hours: Optional[int] = None
    lesson_minutes: Optional[int] = None
    children: Optional[int] = None      # siblings (music school discount)
    subjects: Optional[int] = None      # subjects per pupil (music school discount)
    extras: Tuple[str, ...] = field(default=())  # flags: "mast", "no_mast", "half_year_1", ...
    # several people priced one by one (knowledge/tariffs/persons.py): ((category, age, count,
    # who), ...) — "2 voksne og 3 børn (4, 9 og 12 år)", "mig (38), min mand (41) og min bror"
    people: Tuple[Person, ...] = field(default=())

    def attributes(self) -> Dict[str, Any]:
        """The attributes that are set (everything except text, words and numbers)."""
        skip = {"text", "words", "numbers", "people"}
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in skip and getattr(self, f.name) not in (None, False, ())
        }


def _apply_rules(text: str, found: Dict[str, Any]) -> str:
    """Run every pattern over ``text``; each match fills ``found`` and is blanked out."""
    for regex, handler in RULES:
        def _sub(match: re.Match, _handler=handler) -> str:
            result = _handler(match, found)
            return " " if result is None else f" {result} "

        text = regex.sub(_sub, text)
    span = found.pop(SPAN_DAYS, None)
    if span is not None:
        found.setdefault("days", span)
    return text


def _split_category_compound(word: str, found: Dict[str, Any]) -> str:
    """'voksenbillet' -> category voksen + 'billet'; other words unchanged."""
    match = CATEGORY_SPLIT_RE.match(word)
    if not match:
        return word
    prefix, rest = match.group(1), match.group(2)
    key = KEYWORDS.get(prefix)
    if key:
        found.setdefault(key[0], key[1])
    return rest


_ENDINGS = ("erne", "ene", "en", "et", "ne", "n")
_FUZZY_KEYWORDS = sorted(w for w in KEYWORDS if len(w) >= 7)


def _keyword(word: str) -> Tuple[str, Optional[Tuple[str, Any]]]:
    """The attribute of a word, also in its definite form ("vuggestuepladsen") or with a typo
    ("vugestue"); returns the word as the catalogue knows it and its (attribute, value)."""
    key = KEYWORDS.get(word)
    if key is not None:
        return word, key
    for ending in _ENDINGS:
        base = word[:-len(ending)]
        if word.endswith(ending) and len(base) >= 5 and base in KEYWORDS:
            return base, KEYWORDS[base]
    if len(word) >= 7 and word not in STOPWORDS:
        best = process.extractOne(word, _FUZZY_KEYWORDS, scorer=fuzz.ratio, score_cutoff=88)
        if best and abs(len(best[0]) - len(word)) <= 2 and best[0] not in word:
            return best[0], KEYWORDS[best[0]]
    return word, None


def _keywords(words: list, found: Dict[str, Any]) -> list:
    """Attribute keywords ("weekend", "pensionist", "familie") -> attributes; rest returned."""
    kept = []
    for word in words:
        word = _split_category_compound(word, found)
        original = word
        word, key = _keyword(word)
        if key is None:
            word = original
        if key is None:
            kept.append(word)
            continue
        name, value = key
        if name == "extras":
            found.setdefault("extras", set()).add(value)
        elif name == "minor":
            found["minor"] = True
        else:
            found.setdefault(name, value)
        if word in KEEP_AS_WORD:
            kept.append(word)
    return kept


def _money_roles(found: Dict[str, Any], words: list) -> None:
    """A money amount is an income when income words are present."""
    money = found.get("money")
    if money is None:
        return
    if any(w in INCOME_CONTEXT_WORDS for w in words):
        found["income"] = found.pop("money")


_P_WORDS_RE = re.compile(r"\bp[- ]?(billet|billetten|plads|pladsen|pladser|afgift|afgiften|"
                         r"skive|licens|bøde|boede|automat|)\b(?![-.])")


# Words that only say what a stated number measures ("grundværdi 1.500.000", "grund på
# 850 m²"): with the number given and another subject named, they are not the subject.
_MEASURE_WORDS = {
    "money": frozenset("grundvaerdi grundvaerdien ejendomsvaerdi ejendomsvaerdien vaerdi "
                       "vaerdien vurdering vurderingen vurderet offentlig".split()) - {"offentlig"},
    "m2": frozenset("grund grunden grundens areal arealet grundareal grundarealet matrikel "
                    "matriklen stor parcel parcellen tillaegsparcel tillaegsparcellen jordstykke "
                    "jordstykket".split()),
    "income": frozenset("indkomst indkomsten skattepligtig skattepligtige indtaegt indtaegten "
                        "loen aarsloen".split()),
}


def _drop_measure_words(words: Tuple[str, ...], found: Dict[str, Any]) -> Tuple[str, ...]:
    drop = set()
    for name, measure in _MEASURE_WORDS.items():
        if found.get(name) is not None:
            drop |= measure
    kept = tuple(w for w in words if w not in drop)
    return kept if kept else words


# A contrastive "ikke" ("(ikke skoleferie)", "kun svømning, ikke motion"), not the negation of a
# clause: after a subject ("hvis jeg ikke afleverer", "hvis der ikke betales") it describes the
# situation the row is about and stays.
# "søskenderabat", "rabat": the people named are siblings for a discount, not tickets to add up.
DISCOUNT_ASKED_RE = re.compile(r"\b(?:soeskende|rabat)\w*")

_NEGATED_RE = re.compile(
    r"(?<!\bjeg )(?<!\bman )(?<!\bder )(?<!\bdu )(?<!\bvi )(?<!\bde )(?<!\bhan )(?<!\bhun )"
    r"(?<!\bdet )(?<!\bden )(?<!\bi )\bikke\s(?:(?:i|om|paa|med|til)\s)?([a-z]+)\b")


def _drop_negated(folded: str) -> str:
    """What a contrastive "ikke" rules out is neither a search word nor an attribute. Only
    before a content word: in "ikke betalt" or "ikke er fyldt 75" the "ikke" stays a search
    word ("Kontrolgebyr, hvis der ikke betales")."""
    def _sub(match: re.Match) -> str:
        return match.group(0) if match.group(1) in STOPWORDS else " "

    return _NEGATED_RE.sub(_sub, folded)


_PLACE_INSTITUTION_RE = re.compile(r"\b(?:integrer\w*|dag|aldersintegrer\w*)\s?institution|\binst\b")
MAX_QUERY_CHARS = 300  # a chat message; longer input is cut (the patterns are not linear-time)


def parse_query(text: str) -> PriceQuery:
    """Parse one user message into a :class:`PriceQuery`."""
    text = (text or "")[:MAX_QUERY_CHARS]
    folded = canonical_numbers(drop_non_amounts(before_numbers(
        _P_WORDS_RE.sub(r"parkering \1", to_danish(fold(text))))))
    found: Dict[str, Any] = {}
    people = parse_persons(folded)
    if people and not DISCOUNT_ASKED_RE.search(folded):
        found["people"] = people
    rest = _apply_rules(f" {after_numbers(_drop_negated(folded), found)} ", found)
    raw_words = _WORD_RE.findall(rest)
    numbers = tuple(Decimal(w) for w in raw_words if w[0].isdigit())
    words = [w for w in raw_words if not w[0].isdigit()]
    _money_roles(found, [fold(w) for w in _WORD_RE.findall(folded)])
    kept = _keywords(words, found)
    search_words = tuple(w for w in kept if w not in STOPWORDS and len(w) > 1)
    search_words = _drop_measure_words(search_words, found)
    if found.get("people"):
        named = person_words(folded)
        search_words = tuple(w for w in search_words if w not in named) or search_words
    if "extras" in found:
        found["extras"] = tuple(sorted(found["extras"]))
    if found.get("age") is not None and found.get("category") is None:
        found.pop("minor", None)
    if found.get("category") == "institution" and _PLACE_INSTITUTION_RE.search(folded):
        found.pop("category")  # "integreret institution" is a day-care place, not a group ticket
    known = {f.name for f in fields(PriceQuery)}
    attrs = {k: v for k, v in found.items() if k in known}
    return PriceQuery(text=text, words=search_words, numbers=numbers, **attrs)


def merge_queries(base: PriceQuery, follow: PriceQuery) -> PriceQuery:
    """The earlier question refined by a follow-up: set attributes override, words add up."""
    updates = {name: value for name, value in follow.attributes().items()}
    if "age" in updates and "age_max" not in updates:
        updates["age_max"] = None
    words = base.words + tuple(w for w in follow.words if w not in base.words)
    return replace(base, words=words, numbers=follow.numbers or base.numbers, **updates)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and "$dec" in value:
        return Decimal(value["$dec"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def query_to_dict(query: PriceQuery) -> Dict[str, Any]:
    """JSON-serialisable form (Decimals as {"$dec": "…"}), only the fields that are set."""
    data = asdict(query)
    return {k: _encode(getattr(query, k)) for k, v in data.items() if v not in (None, False, ())}


def query_from_dict(data: Optional[Dict[str, Any]]) -> PriceQuery:
    """Inverse of :func:`query_to_dict`; unknown keys are ignored."""
    known = {f.name for f in fields(PriceQuery)}
    return PriceQuery(**{k: _decode(v) for k, v in (data or {}).items() if k in known})
