"""Several items of one bill added up: "administration, storskrald 12 gange og haveaffald til et
parcelhus – hvad bliver det i alt?", "søsætning og ophaling plus et ekstra magnetkort".

The message is cut into item phrases (",", "og", "plus", "+", "samt"). Each phrase is priced as
a price question of its own, keeping the attributes that describe the whole bill (resident or
guest, season, day, household, who it is for) unless the phrase says otherwise. Only when every
phrase finds exactly one row (or a calculation) is the sum stated, with a line per item;
otherwise None and the ordinary answer (or its question) follows. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, FrozenSet, List, Optional, Sequence, Tuple

from knowledge.tariffs.catalogue import TariffRow
from knowledge.tariffs.choose import PROPERTY_WORDS
from knowledge.tariffs.query import PriceQuery, parse_query
from knowledge.tariffs.query_numbers import canonical_numbers
from knowledge.tariffs.search import get_index, term
from knowledge.text import fold, stem

TOTAL_RE = re.compile(r"\b(?:i alt|samlet|samlede|tilsammen|total\w*|sammenlagt|alt i alt|in total|"
                      r"altogether|hvad bliver (?:det|prisen|regningen)|hvad skal (?:jeg|vi) betale|"
                      r"hvad kommer (?:det|jeg|vi) til at (?:koste|betale)|med\s\w+gebyr\w*|"
                      r"(?:inkl|inklusive?|incl|including)\b\.?(?=\s\w*(?:depositum|gebyr|indskud|tillaeg)))"
                      r"|\+|\bplus\b|\bbaade\b(?=.*\bog\b)")
_SPLIT_RE = re.compile(r"(?<!\d),|,(?!\d)|(?<=[a-z]{4})(?<!inkl)(?<!excl)(?<!incl)(?<!ekskl)(?<!exkl)\.\s|\+|\bog\b|\bplus\b|\bsamt\b|\band\b|\bmed\b(?=\s\w+gebyr)|"
                       r"\b(?:inkl|inklusive?|incl|including)\b\.?(?=\s\w*(?:depositum|gebyr|indskud|tillaeg))")
# "motion inkl. svømmebad" is one thing; "inkl. depositum" adds a charge
# What describes the whole bill rather than one item.
_SHARED = ("party", "season", "day", "household", "category", "age", "age_max", "minor", "per",
           "income")
MAX_ITEMS = 6
# "3 tager dagens menu": a count at the head of an item phrase
_HEAD_COUNT_RE = re.compile(r"^\s*(\d{1,2})\s(?!kr\b|m2\b|m3\b|liter\b|l\b|aar\b|timer?\b|min\w*\b)[a-z]")
# "10 enkeltbilletter": a count before an option's word
_COUNT_BEFORE_RE = re.compile(r"\b(\d{1,3})\s(?:x\s)?[a-z]")
_QUANTITIES = ("minutes", "trips", "months", "weeks", "days", "emptyings")


def _bare_count(sub: PriceQuery, text: str, pattern: "re.Pattern[str]") -> Optional[int]:
    """A number before a word that counts the thing, when no count above one and no other
    quantity (duration, trips, months, …) has claimed the phrase's numbers."""
    if (sub.count or 1) != 1 or any(getattr(sub, name) for name in _QUANTITIES):
        return None
    number = pattern.search(canonical_numbers(text))
    return int(number.group(1)) if number else None


@dataclass(frozen=True)
class Item:
    text: str
    row: TariffRow
    total: Decimal
    working: str


Pricer = Callable[[PriceQuery], Optional[Item]]


_MONTHS = frozenset("januar februar marts april maj juni juli august september oktober november december".split())


def _phrase_query(phrase: str, whole: PriceQuery) -> Optional[PriceQuery]:
    sub = parse_query(phrase)
    # "op igen i oktober": the month says when, it names no row ("Sæsonkort 1. oktober - …")
    sub = replace(sub, words=tuple(w for w in sub.words if w not in _MONTHS))
    if not sub.words:
        return None
    shared = {k: getattr(whole, k) for k in _SHARED
              if getattr(sub, k) in (None, False) and getattr(whole, k) not in (None, False)}
    count = _bare_count(sub, phrase, _HEAD_COUNT_RE) if sub.age is None else None
    if count is not None:
        shared["count"] = count
    return replace(sub, **shared)


def _split(query: PriceQuery) -> Tuple[Tuple[str, ...], List[PriceQuery]]:
    """The words said before a colon for the whole bill, and the item phrases as queries."""
    text = fold(query.text or "")
    if len(query.people) > 1 or not (TOTAL_RE.search(text) or _counted_items(text)):
        return (), []
    text = re.sub(r"\bbaade\b(?=.*\bog\b)", " ", text)  # "både X og Y": both items, not boats
    head, colon, rest = text.partition(": ")
    place: Tuple[str, ...] = ()
    if colon and len(_SPLIT_RE.split(rest)) > 1:
        place = parse_query(head).words
        text = rest
    phrases = [p.strip() for p in _SPLIT_RE.split(text) if p.strip()]
    queries = [q for q in (_phrase_query(p, query) for p in phrases) if q is not None]
    return place, (queries if 2 <= len(queries) <= MAX_ITEMS else [])


# "18 sider A4 og 6 sider A3": each item with its own count says that they add up
_COUNTED_ITEM_RE = re.compile(r"^\s*(?:\w+\s){0,4}?\d+\s(?:x\s)?[a-z]")


def _counted_items(text: str) -> bool:
    phrases = [p for p in re.split(r"\bog\b|\+|\bplus\b|\bsamt\b", canonical_numbers(text)) if p.strip()]
    return len(phrases) >= 2 and all(_COUNTED_ITEM_RE.match(p) for p in phrases[:2]) and \
        not re.search(r"\beller\b", text)


def item_queries(query: PriceQuery) -> List[PriceQuery]:
    """The item phrases of a "what is it in total" question, each as a price question; [] when
    the message does not ask a total of several items."""
    return _split(query)[1]


def price_items(query: PriceQuery, price_one: Pricer,
                place_words: FrozenSet[str] = frozenset()) -> Optional[List[Item]]:
    """Each item priced by ``price_one``; None unless every item has one sure price and at least
    two different rows are involved.

    The place of the bill is often said once for all items ("Sommerhus: administration,
    genbrugsplads og …", "lokale 1 og køkkenet i Køge Spejderhus"). An item that has no sure
    price on its own words is priced again with the words said before a colon, then with the
    place words (``place_words``: words of the list's section, subsection and heading names)
    that the other items' phrases carry. Items of one bill are at one place: the words said
    before a colon, and the other items' place words (when the phrase names none itself), are
    tried before the phrase's words alone."""
    head, subs = _split(query)
    # the kind of property is said once for the whole bill ("sommerhus: administration, …")
    # (a row of its own for that kind where there is one, else the common row)
    kind = tuple(w for w in query.words if w in PROPERTY_WORDS)
    items: List[Item] = []
    for n, sub in enumerate(subs):
        others = [w for other in subs[:n] + subs[n + 1:] for w in other.words if _is_place(w, place_words)]
        tries: List[Tuple[str, ...]] = []
        # the place said for the whole bill first (before a colon, or by the other items)
        own_place = any(_is_place(w, place_words) for w in sub.words)
        # last: everything the other items say ("… i Lovparken i 3 døgn inkl. depositum": the
        # deposit of that arrangement; a row another item took is still refused below)
        every = [w for other in subs[:n] + subs[n + 1:] for w in other.words]
        # one place word of the others at a time ("… køkkenet i Køge Spejderhus … med
        # administrationsgebyret": the fee of the Spejderhus, not of its kitchen)
        singles = [(w,) for w in dict.fromkeys([*head, *others]) if w not in sub.words]
        for extra in (kind, head, () if own_place else others, *singles, (), others, every):
            words = sub.words + tuple(dict.fromkeys(w for w in extra if w not in sub.words))
            if words not in tries:
                tries.append(words)
        item = None
        used = {i.row.id for i in items}
        if n == 0 and len(subs) > 2 and f"{sub.text}." in fold(query.text or ""):
            tries = tries[:1]  # a first sentence is priced on its own words or is the bill's place
        # a fee of the booking has no weekday: the bill's day is dropped when nothing fits with it
        variants = [sub] + ([replace(sub, day=None)] if sub.day and not _DAY_RE.search(sub.text) else [])
        for words, variant in ((w, v) for v in variants for w in tries):
            item = price_one(replace(variant, words=words))
            if item is not None and not _row_names_item(item.row, sub.words):
                # the bill's words found a row that is not this item at all ("… i vandet … og et
                # ekstra magnetkort": the card is no lift)
                item = None
                continue
            # another phrase already priced that row with the bill's words added: they
            # outweighed this item's own ("søsætning og ophaling" on their own may share a row)
            if item is not None and (item.row.id not in used or words == sub.words):
                break
            item = None
        if item is None:
            if n == 0 and len(subs) > 2 and f"{sub.text}." in fold(query.text or ""):
                # "min mor bor på plejehjem. Hvad betaler hun for A, B og C?": a first sentence
                # of its own says where; it is no item
                head = tuple(dict.fromkeys((*head, *sub.words)))
                continue
            return None
        items.append(item)
    if len({i.row.id for i in items}) < 2:
        return None
    return items


_DAY_RE = re.compile(r"\b(?:man|tirs|ons|tors|fre|loer|soen)dag\w*|\bweekend\w*|\bhverdag\w*|\bhelligdag\w*")


def _row_names_item(row: TariffRow, words: Sequence[str]) -> bool:
    """Does the row say at least one of the item's own words: at the start of one of its words
    ("administrationsgebyret" finds "Administrationsgebyr", "køkkenet" "Køkken"; "båden" is not
    the "-både" inside "Gæstebåde"), or by the index's synonyms?"""
    if not words:
        return True
    text = fold(" ".join((row.section, row.subsection, *row.headings, row.label)))
    if any(re.search(r"\b" + re.escape(stem(w)[:max(4, min(len(stem(w)), 8))]), text) for w in words):
        return True
    # the index knows synonyms ("kommuneskat" names Personskat)
    return bool(get_index().asked_terms(words) & {term(w) for w in re.findall(r"[a-z0-9]+", text)})


def _is_place(word: str, place_words: FrozenSet[str]) -> bool:
    """A word of a place name, in any inflection ("areal" for "arealer")."""
    return word in place_words or stem(stem(word)) in place_words


def total(items: Sequence[Item]) -> Decimal:
    return sum((i.total for i in items), Decimal(0))


# ------------------------------------------------------------------ comparisons
COMPARE_RE = re.compile(r"\b(?:billigst|billigere|bedst|bedre|kan det betale sig|betale sig|"
                        r"betaler (?:det|kortet|sig)|i forhold til|sammenlignet|versus|vs|cheaper|"
                        r"cheapest|worth it|pays off)\b")
_OPTIONS_RE = re.compile(r"\beller\b|\bi forhold til\b|\bsammenlignet med\b|\bversus\b|\bvs\.?|"
                         r"\bfrem for\b|\bend\b|\bor\b")
BREAK_EVEN_RE = re.compile(r"\bhvor mange gange\b|\bhvor tit\b|\bhvor mange (?:besoeg|ture|billetter)\b"
                           r"|\bhow many times\b|\bbetale sig\b|\bbetaler (?:det|kortet) sig\b|\bpays off\b")
_PLACE_WORDS = frozenset("affald bibliotek borup byggeri dagtilbud fiskeri gadesalg herfoelge juniorklub "
                         "koerekort madordninger marina musikskole parkering pas sfo svoemmehal "
                         "svoemmeland tapperiet ungdomsskole varmtvandsbassinet".split())
_CARD_RE = re.compile(r"\b(?:\w*kort(?:et|ene)?|\w*licens(?:en)?)\b")
SINGLE_WORDS = ("enkeltbillet", "dagkort")  # what one pays each time, where no card is bought
# What an option of a choice is: a card, ticket, licence or price, or a number of periods or
# uses. "Halvårskort eller 6 månedskort?" asks which is cheaper without saying so.
_OFFER_RE = re.compile(r"\b\w*(?:kort|kortet|billet|billetter|licens|licenser|licensen|pris|prisen)\b"
                       r"|\b\d+\s?(?:doegn|dage|dag|uger|uge|maaneder|maaned|mdr|md|gange|ture|timer|time)\b"
                       r"|\bpr\.? (?:time|dag|doegn|uge|maaned|aar)\b")
_OFFER_WORD_RE = re.compile(r"^\w*(?:kort|kortet|billet|billetter|licens|licenser|licensen|pris|prisen)$")


def compare_queries(query: PriceQuery, single_word: str = SINGLE_WORDS[0]) -> List[PriceQuery]:
    """The two options of "årskort eller 40 enkeltbilletter – hvad er billigst?", each a price
    question with its own quantity and the question's shared place and attributes; [] when the
    message does not compare two options."""
    text = fold(query.text or "")
    if len(query.people) > 1:
        return []
    options = [p for p in _OPTIONS_RE.split(text) if p.strip()]
    if not COMPARE_RE.search(text) and not (
            len(options) == 2 and re.search(r"\beller\b|\bor\b", text)
            and all(_OFFER_RE.search(canonical_numbers(o)) for o in options)):
        return []
    person = _one_person(query)
    if len(options) == 1 and BREAK_EVEN_RE.search(text) and _CARD_RE.search(text):
        # "hvor mange gange før årskortet betaler sig?": the card against paying each time
        options = [text, _CARD_RE.sub(" ", text) + " " + single_word]
    if len(options) != 2:
        return []
    place = tuple(w for w in query.words if w in _PLACE_WORDS)
    uses = _uses(text, query)
    found = []
    for option in options:
        option = _CHOOSING_RE.sub(" ", COMPARE_RE.sub(" ", option))
        said_in = None
        if uses is not None:  # the visits are a count, not words of a row ("pr. besøg")
            stripped = _USES_RE.sub(" ", canonical_numbers(option))
            said_in = stripped if stripped != canonical_numbers(option) else None
            option = stripped
        sub = parse_query(option)
        if not sub.words and not sub.attributes():
            return []
        shared = {k: getattr(query, k) for k in _SHARED
                  if getattr(sub, k) in (None, False) and getattr(query, k) not in (None, False)}
        shared.update({k: v for k, v in person.items() if getattr(sub, k) in (None, False)})
        # "10 enkeltbilletter til en voksen": 10, not the person's 1
        count = _bare_count(sub, option, _COUNT_BEFORE_RE) or sub.count
        if uses is not None:
            # "svømmer 50 gange om året – årskort eller enkeltbilletter?": the 50 visits are
            # paid one by one, the card once.
            per_use = _PER_USE_RE.search(option) and not _PERIOD_CARD_RE.search(option)
            if per_use:
                count = count if count and count > 1 else uses
            elif said_in == option:
                count = None  # "svømmer 50 gange om året … årskort": the card is bought once
        words = sub.words + tuple(w for w in place if w not in sub.words)
        found.append(replace(sub, words=words, count=count, people=(), **shared))
    return found


# How often something is used, said once for a comparison ("kommer 30 gange", "40 besøg om året").
# The verbs of a choice name no row: "skal jeg købe årskort eller betale enkeltbillet".
_CHOOSING_RE = re.compile(r"\b(?:koebe|koeber|koebt|vaelge|vaelger|tage|betale)\b")
# Only visits over a period ("50 gange om året", "ca 10 gange i år") or after a verb ("kommer 30
# gange"): "1 md voksenkort tre gange" multiplies that card, it counts no visits.
_USES_RE = re.compile(
    r"\b(\d{1,4})\s?(?:gange|besoeg|svoemmeture|ture|visits|times)\s(?:om|i|pr\.?|per|hver|a|each)\s"
    r"(?:aaret|aar|saesonen|saeson|maaneden|year|season|month)\b"
    r"|\b(?:kommer|svoemmer|bruger|besoeger|tager|gaar|visit|swim|go)\s(?:ca\.?\s|cirka\s|omkring\s)?"
    r"(\d{1,4})\s?(?:gange|besoeg|times)\b")
_PER_USE_RE = re.compile(r"\b(?:enkelt\w*|\w*billet\w*|dagkort\w*|hver gang|each time|single\w*)\b")
# A card bought for a period or a number of uses: paid once, not per visit.
_PERIOD_CARD_RE = re.compile(r"\b(?:aars|halvaars|kvartals|maaneds|saeson|rabat|\d+\s?(?:md|mdr|maaneders?))"
                             r"\w*kort\w*|\b\w*licens\w*|\bturskort\w*|\b\d+\s?ture\b|\baarskort\w*")


def _uses(text: str, query: PriceQuery) -> Optional[int]:
    """The number of visits a comparison is about, when the message says it once outside the
    options' own counts ("30 gange", or "2 gange om ugen i 10 uger" = 20)."""
    if query.frequency:
        times = 1
        for value in query.frequency:
            times *= int(value)
        return times if times > 1 else None
    found = [a or b for a, b in _USES_RE.findall(canonical_numbers(text))]
    return int(found[0]) if len(found) == 1 and int(found[0]) > 1 else None


def option_context(options: Sequence[PriceQuery]) -> List[Tuple[Tuple[str, ...], ...]]:
    """For each option, the words to try it with when its own do not find one price: first the
    other options' words that name what is compared rather than the option itself
    ("svømmebad", "marinaen", not "månedskort": "motion, 3 månedskort eller et kvartalskort"
    prices the quarter card of the same place), then all their words ("12 månedslicenser eller
    en årslicens": the year price of that licence)."""
    out = []
    for n, option in enumerate(options):
        others = [w for other in options[:n] + options[n + 1:] for w in other.words
                  if w not in option.words]
        place = tuple(dict.fromkeys(w for w in others if not _OFFER_WORD_RE.match(w)
                                    and w not in SINGLE_WORDS))
        every = tuple(dict.fromkeys(others))
        out.append(tuple(t for t in (place, every) if t) if place != every else (place,))
    return out


def _one_person(query: PriceQuery) -> dict:
    """The category and age of the one person a comparison is for ("for en voksen")."""
    if len(query.people) != 1 or query.people[0][2] != 1:
        return {}
    category, age, _, _ = query.people[0]
    return {k: v for k, v in (("category", category), ("age", age)) if v is not None}


def break_even(card: Item, single: Item) -> Optional[int]:
    """From which visit the card is cheaper than paying each time (None when it never is)."""
    one = single.row.amounts[0].value
    if one <= 0 or card.row.amounts[0].value <= one:
        return None
    price = card.row.amounts[0].value
    return int(price // one) + 1
