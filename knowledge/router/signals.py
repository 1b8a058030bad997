"""What kind of question a message is, read from its words (plain Python, no Rasa).

These are the router's own signals, beside the intent ranking and the knowledge modules'
match quality:

* :func:`price_asked` - the message asks what something costs;
* :func:`rule_asked` - it asks how a fee is charged, who a card covers, a discount, how many
  rates: a note of the price list rather than a row;
* :func:`aspects_asked` - what the answer must state (a date, opening hours, a rate, an e-mail
  address, a duration, next year's prices): an answer that does not state it is not an answer;
* :func:`next_year` - a year after the price list's (2024) that the message asks about;
* :func:`other_municipality` - another Danish municipality the question is about;
* :func:`greeting_by_time` - "godmorgen", "god aften": a greeting, not a goodbye;
* :func:`faq_keyword_scores` - how strongly the message names each FAQ topic's own words;
* :func:`plan_requested` - the citizen applies for an instalment plan (not a question about one);
* :func:`follow_up_like` - it reads as the continuation of the last answer ("og om søndagen?").

All functions take the message as typed (they fold it themselves).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import yaml

from knowledge.text import fold

LIST_YEAR = 2024
MUNICIPALITIES_PATH = Path(__file__).resolve().parents[1] / "data" / "municipalities.yml"

_PRICE_RE = re.compile(
    r"\b(koste\w*|kooster|koster|pris|prisen|priser|prise|takst\w*|gebyr\w*|afgift\w*|"
    r"hvad bliver (?:det|de|den|prisen|beloebet|regningen|raten|lejen|summen)|i alt|tilsammen|"
    r"sammenlagt|hvad (?:er|bliver) (?:billigst|billigere)|"
    # a choice between offers is a question about their prices
    r"billigst\w*|billigere|dyrest\w*|dyrere|(?:kan det|kan den|kan det ikke) betale sig|betaler (?:det|den) sig|"
    r"(?:skal|boer|kan|vil) (?:jeg|vi|man|han|hun) (?:tage|koebe|vaelge|have|bruge) .{3,80} eller |"
    r"which is cheaper|cheaper|cheapest|worth it|"
    r"hvad skal (jeg|man|vi|han|hun|min \w+) (betale|give)|hvad (giver|gir) (man|jeg|vi)|"
    r"hvor meget (skal|er|koster|betaler|bliver)|hvor meget \w+ (skal|betaler|koster|bliver)|hvad (bliver|er) (det|prisen|beloebet)|beloeb\w*|"
    r"kr|kroner|dkk|how much|cost\w*|price\w*|fee|fees|charge\w*|leje|lejen|billet\w*|"
    # compounds that end in the price ("årsprisen", "timeprisen", "døgnlejen", "børnerabat")
    r"\w+(?:pris|prisen|priser|lejen|taksten)|\w*rabat\w*|"
    r"\d+\s?kr)\b")
_RULE_RE = re.compile(
    r"\b(hvordan (beregnes|udregnes|regnes|opgoeres|afregnes|reguleres|fastsaettes|opkraeves)|"
    r"beregne[st]?|udregne[st]?|regulere[st]?|regulering\w*|indeksregul\w*|afrund\w*|"
    r"hvem (daekker|gaelder|er omfattet|kan|er med|kommer med|er inkluderet)|daekker|gaelder (for|det|den)|"
    r"omfatter|inkluderet|fuld pris|nedsat pris|billigere for|"
    r"inklusiv\w*|med i prisen|hvor mange (rater|maaneder|moduler|gange|ruser|voksne|boern)|"
    r"rabat\w*|soeskenderabat\w*|halv pris|halvdelen|gratis|hvornaar gaelder|hvilke lokaler|"
    r"regler|reglen|reglerne|pr\.? paabegyndt|paabegyndt|calculated|discount|included|covers?|"
    r"hvornaar (faar|giver|opkraeves|udloeses)|hvad (sker der |gaelder )?hvis (jeg|man|vi) (kommer til at )?"
    r"(oedelaegge\w*|mister|miste|taber|glemmer))\b")

_ASPECT_RES: Mapping[str, re.Pattern] = {
    "hours": re.compile(r"\b(aabningstid\w*|aabent|aaben|aabner|lukket|lukker|telefontid\w*|"
                        r"traeffetid\w*|opening hours|open)\b"),
    "rate": re.compile(r"\b(rentesats\w*|rentefod\w*|hvor (hoej|stor|meget) er renten|"
                       r"hvor (mange procent|meget) (i )?rente|hvad er renten|hvilken rente|"
                       r"renten (er|paa)|procent i rente|interest rate|what is the interest)\b"),
    "date": re.compile(r"\b(hvornaar|frist\w*|\w+frist\w*|forfald\w*|forfalder|forfaldsdato\w*|dato\w*|"
                       r"sidste rettidige|senest|when|deadline|due date)\b"),
    "duration": re.compile(r"\b(hvor lang tid|hvor laenge|behandlingstid\w*|sagsbehandlingstid\w*|"
                           r"how long)\b"),
    "email": re.compile(r"\b(e-?mail\w*|mailadresse\w*|mail)\b"),
}
# "hvornår" in a price question ("hvornår er det billigst") is not a question about a date.
# Nor is "hvornår får man et kontrolgebyr?" (in which case, a rule of the price list).
_DATE_NOT_ASKED_RE = re.compile(r"\bhvornaar (er det|er der|gaelder|koster|betaler man (mest|mindst)|"
                                r"er prisen|faar (man|jeg|du|vi)|giver (man|de)|opkraeves|udloeses|"
                                r"skal (man|jeg) betale (et |en )?\w*(gebyr|afgift|boede))\b")
_NEXT_YEAR_RE = re.compile(r"(?<![\d.,])(20[2-4]\d)(?![\d.,]*\d)")
_NEXT_YEAR_WORDS_RE = re.compile(r"\b(naeste aar|til naeste aar|aaret efter|next year|de nye priser|"
                                 r"nye takster)\b")

_GREETING_TIME_RE = re.compile(r"^\W*((hej|hejsa|hallo|hello)\W*(og\s)?)?\W*(god ?morgen|god ?formiddag|goddag|"
                               r"god ?dag|god ?eftermiddag|god ?aften|morn|morgen|good morning|"
                               r"good afternoon|good evening)\b")
_GOODBYE_RE = re.compile(r"\b(hav en god|farvel|vi ses|ses|god ?nat|godnat|tak for (hjaelpen|nu|i dag)|"
                         r"bye|have a (nice|good))\b")


_PERSONAL_RE = re.compile(r"\b(jeg|mig|min|mit|mine|vi|os|vores|skylder|my|mine|i owe|me|login|log ind|"
                          r"logge ind|logget ind|mitid|nemid|cpr)\b")


def personal(text: str) -> bool:
    """Does the message speak of the citizen's own bills or login ("hvad skylder jeg")?"""
    return bool(_PERSONAL_RE.search(fold(text)))


def price_asked(text: str) -> bool:
    """Does the message ask what something costs?"""
    return bool(_PRICE_RE.search(fold(text)))


def rule_asked(text: str) -> bool:
    """Does the message ask how a fee works (a rule or a note of the price list)?"""
    return bool(_RULE_RE.search(fold(text)))


def aspects_asked(text: str) -> FrozenSet[str]:
    """The aspects a full answer must state (see ``knowledge.faq.ASPECTS``)."""
    folded = fold(text)
    found = {name for name, pattern in _ASPECT_RES.items() if pattern.search(folded)}
    if "date" in found and _DATE_NOT_ASKED_RE.search(folded):
        found.discard("date")
    if "hours" in found and "date" in found:
        found.discard("date")  # "hvornår har I åbent" asks for opening hours
    return frozenset(found)


def next_year(text: str) -> Optional[int]:
    """A year after 2024 the message asks about ("priserne for 2025", "næste år" -> 2025)."""
    folded = fold(text)
    years = [int(y) for y in _NEXT_YEAR_RE.findall(folded) if int(y) > LIST_YEAR]
    if years:
        return max(years)
    if _NEXT_YEAR_WORDS_RE.search(folded):
        return LIST_YEAR + 1
    return None


_YEAR_PHRASE_RE = re.compile(r"\s*\(?\b(?:i|for|in|til)?\s?(?:aaret\s)?(?:20[2-4]\d|naeste aar|next year)\b\)?",
                             re.IGNORECASE)


def without_next_year(text: str) -> str:
    """The question without the later year ("hvad koster et pas i 2025?" -> "hvad koster et
    pas?"), for the "see the 2024 price" button."""
    cleaned = _YEAR_PHRASE_RE.sub("", fold(text))
    return re.sub(r"\s+([?.!,])", r"\1", cleaned).strip() or text


def greeting_by_time(text: str) -> Optional[str]:
    """ "godmorgen", "hej og god aften" -> "greet"; "hav en god aften", "godnat" -> "goodbye";
    None when the message is not such a phrase."""
    folded = fold(text).strip()
    if len(folded.split()) > 6:
        return None
    if _GOODBYE_RE.search(folded):
        return "goodbye" if re.search(r"\bgod", folded) else None
    return "greet" if _GREETING_TIME_RE.search(folded) else None


# -------------------------------------------------------------------- other municipalities
@lru_cache(maxsize=1)
def _municipalities() -> Tuple[Tuple[str, re.Pattern, bool], ...]:
    data = yaml.safe_load(MUNICIPALITIES_PATH.read_text(encoding="utf-8"))
    found = []
    for item in data.get("municipalities") or []:
        names = [item["name"]] + list(item.get("also") or [])
        alternatives = "|".join(sorted({re.escape(fold(n)) for n in names}, key=len, reverse=True))
        found.append((item["name"], re.compile(rf"\b({alternatives})s?\b"), bool(item.get("needs_kommune"))))
    return tuple(found)


_KOMMUNE_NEAR = r"\s(kommune\w*|municipality)"
_MOVED_FROM_RE = re.compile(r"\b(flytte[tr]?|flyttede|fraflyt\w*|tilflyt\w*|kommer fra|boede|moved)\b")
_KOEGE_RE = re.compile(r"\bkoege\b")


def other_municipality(text: str) -> Optional[str]:
    """The name of another municipality the question is about, or None.

    "hvad koster et pas i Roskilde" -> "Roskilde". Not when Køge is named too or the citizen
    only says where they moved from ("vi er flyttet fra Roskilde til Køge …")."""
    folded = fold(text)
    if _KOEGE_RE.search(folded) or _MOVED_FROM_RE.search(folded):
        return None
    for name, pattern, needs_kommune in _municipalities():
        match = pattern.search(folded)
        if not match:
            continue
        if needs_kommune and not re.match(_KOMMUNE_NEAR, folded[match.end():]):
            continue
        return name
    return None


# -------------------------------------------------------------------- FAQ topic words
def faq_keyword_scores(text: str, keywords: Mapping[str, Sequence[str]]) -> Dict[str, float]:
    """For each topic, the number of its keywords the message contains (a keyword matches a
    word beginning: "modregn" matches "modregning"); longer keywords count a little more."""
    folded = " " + re.sub(r"[^a-z0-9+\-]+", " ", fold(text)) + " "
    scores: Dict[str, float] = {}
    for topic, words in keywords.items():
        score = 0.0
        for keyword in words:
            if re.search(r"(?<![a-z0-9])" + re.escape(keyword), folded):
                score += 1.0 + 0.1 * len(keyword.split())
        if score:
            scores[topic] = score
    return scores


def strongest(scores: Mapping[str, float]) -> List[Tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: -kv[1])


# A message that reads as the continuation of the last answer: it starts with "og", "men",
# "hvad med", "hvad så", "hvis", "nej", "jeg mente" …, or is short.
_FOLLOW_UP_RE = re.compile(r"^\W*(og|men|saa|hvad med|hvad saa|hvad hvis|hvis|nej|neej|vent|undskyld|"
                           r"jeg mente|rettelse|ogsaa|til|for|det er|hun|han|de|den|det|samme|"
                           r"and|what about|how about|what if)\b")
FOLLOW_UP_MAX_WORDS = 8


def follow_up_like(text: str) -> bool:
    low = fold(text)
    return bool(_FOLLOW_UP_RE.search(low)) or len(low.split()) <= FOLLOW_UP_MAX_WORDS


# The citizen applies for an instalment plan (the form), rather than asking about the rules.
_PLAN_REQUEST_RE = re.compile(
    r"\b(?:jeg|vi)\b(?:\s\w+){0,4}?\s(?:vil|ville|gerne|oensker|skal|kan|maa|vil gerne)\b"
    r"(?:\s\w+){0,5}?\s(?:soege|ansoege|have|lave|faa|oprette|starte|betale|dele|afdrage)\b"
    r"|^\W*(?:soeg|ansoeg|opret|start|lav)\b|\bansoeg\w* om\b|\bsoeg\w* om\b"
    r"|\b(?:i want|i would like|apply)\b")
_GENERAL_QUESTION_RE = re.compile(r"^\W*(?:hvad|hvor|hvordan|hvornaar|hvilke|hvilken|hvem|hvorfor|"
                                  r"opkraeves|koster|er der|gaelder|what|how|when|which|is there)\b")


def plan_requested(text: str) -> bool:
    """"jeg vil gerne søge om en afdragsordning", "kan jeg få en afdragsordning på min regning":
    an application; "hvad sker der, hvis en afdragsordning ikke overholdes?" is a question."""
    low = fold(text)
    if " eller " in f" {low} ":
        return False  # "kan jeg søge afdrag på alle mine krav eller kun nogle?": a question
    if _GENERAL_QUESTION_RE.search(low) and not re.search(r"\b(?:kan|maa) jeg\b", low):
        return False
    if len(low.split()) <= 3:
        return True  # "afdragsordning", "afdragsordning tak": the citizen wants one
    return bool(_PLAN_REQUEST_RE.search(low)) or bool(re.search(r"\b(?:kan|maa) (?:jeg|vi)\b", low))
