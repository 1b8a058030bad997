"""Does the answer the router picked cover what the question asks? (plain Python, no Rasa)

A FAQ or issuer answer is chosen by topic. A citizen's question can name the topic and still
ask something the texts never say: "sendes rykkeren til min digitale postkasse?", "kan jeg
få eftergivet min gæld?", "hvor store er Gældsstyrelsens gebyrer?". Answering with the topic's
text then states a neighbouring fact as if it answered. Two checks find that:

* :func:`unfamiliar_words` - content words of the question that neither the source texts nor
  the questions the bot is trained to answer use, in any inflected form (the Danish lexicon
  gives lemmas; ``knowledge/data/question_vocabulary.txt`` holds the trained questions' words).
  A message that reads as English is not judged (the lexicon holds some English forms too);
  typos and names are not Danish lexicon words and are never counted.
* :func:`value_missing` - the question asks for an amount, a number of days or how many, and
  no sentence of the answer that speaks of the question's subject gives one.

Either makes the reply an honest unknown: what the texts do not say, the right office's phone,
and what they do say about the topic.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List, Optional

from knowledge.lexicon import lemma, source_vocabulary, words_of
from knowledge.tariffs.query_english import reads_english
from knowledge.tariffs.query_numbers import canonical_numbers
from knowledge.tariffs.query_patterns import STOPWORDS
from knowledge.text import fold

VOCABULARY_PATH = Path(__file__).resolve().parents[1] / "data" / "question_vocabulary.txt"
MIN_WORD = 5          # shorter words are function words or too ambiguous to judge
PREFIX = 6            # inflection and compounds: "eftergivelse" and "eftergive" share 6 letters

# Words of asking and chatting that say nothing about the subject.
GENERIC = frozenset("""
    gerne egentlig stadig allerede fortsat faktisk mulig muligt mulighed muligheder spoerge
    spoergsmaal svare svar hjaelpe hjaelp vide viden fortaelle forklare hoere mente mener synes
    tror taenke taenker praecis cirka omkring ellers ogsaa bare altsaa derfor fordi hvorfor
    hvordan hvornaar hvilke hvilken nogen noget nogle ingen ingenting selv samme anden andre
    andet hinanden eventuelt evt normalt typisk generelt almindelig almindeligt sikker sikkert
    rigtigt rigtig forkert nemt svaert hurtigt hurtig langsomt stoerre mindre flere mange
    meget lidt hele helt halvt igen efter foer inden under mellem gennem blive bliver blevet
    gange faaet skulle kunne ville maatte burde have havde haft goere gjort goer laver lavet
    staar staaet ligger ligge kommer komme kom gaar gaaet tage tager taget give giver givet
    koebe koebt koebte koeber saelge solgt flytte flyttet flyttede hedder hedde kalde kaldes
""".split())

_AMOUNT_ASKED_RE = re.compile(
    r"\bhvor (?:meget|stor|store|hoej|hoeje|dyr|dyrt)\b|\bhvad koster\b|\bhvad er (?:prisen|beloebet|gebyret)\b"
    r"|\bmindste (?:beloeb|betaling|maanedlige|ydelse)\b|\bhvor lidt\b|\bhow much\b|\bbeloebet\b")
_DURATION_ASKED_RE = re.compile(r"\bhvor lang tid\b|\bhvor mange (?:dage|uger|maaneder|aar|timer)\b"
                                r"|\bhow long\b|\bhow many days\b")
_COUNT_ASKED_RE = re.compile(r"\bhvor mange (?:gange|rater|rykkere|breve)\b|\bhow many (?:times|instal\w*)\b")
_AMOUNT_RE = re.compile(r"\d[\d.]*(?:,\d{2})?\s?(?:kr|kroner)\b|\bgratis\b|\bprocent\b|%")
_DURATION_RE = re.compile(r"\d+\s?(?:-\s?\d+\s?)?(?:bank)?(?:dage|dag|uger|uge|maaneder|maaned|aar|timer)\b")
_COUNT_RE = re.compile(r"\b\d+\b|\b(?:en|et|to|tre|fire|fem|seks|tolv) (?:gange|rater|rykkere?)\b")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")


@lru_cache(maxsize=1)
def known_words() -> FrozenSet[str]:
    """Words (and lemmas) the texts or the trained questions use."""
    found = set(source_vocabulary())
    if VOCABULARY_PATH.exists():
        for line in VOCABULARY_PATH.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                found.add(line.strip())
    return frozenset(found)


@lru_cache(maxsize=1)
def _known_prefixes() -> FrozenSet[str]:
    return frozenset(w[:PREFIX] for w in known_words() if len(w) >= PREFIX)


def _known(word: str) -> bool:
    base = lemma(word)
    forms = {word, base} if base else {word}
    words, prefixes = known_words(), _known_prefixes()
    return any(f in words or (len(f) >= PREFIX and f[:PREFIX] in prefixes) for f in forms)


def unfamiliar_words(text: str) -> List[str]:
    """Danish content words of ``text`` that the texts and the trained questions never use."""
    if reads_english(text):
        return []
    found = []
    for word in words_of(canonical_numbers(fold(text))):
        if len(word) < MIN_WORD or word in STOPWORDS or word in GENERIC:
            continue
        base = lemma(word)
        if base is None or base in GENERIC or base in STOPWORDS:
            continue  # not a Danish lexicon word: English, a typo, a name, a compound
        if not _known(word):
            found.append(word)
    return found


def asked_value(text: str) -> Optional[str]:
    """"amount", "duration" or "count" when the question asks for such a value."""
    low = fold(text)
    if _DURATION_ASKED_RE.search(low):
        return "duration"
    if _COUNT_ASKED_RE.search(low):
        return "count"
    if _AMOUNT_ASKED_RE.search(low):
        return "amount"
    return None


_VALUE_RE = {"amount": _AMOUNT_RE, "duration": _DURATION_RE, "count": _COUNT_RE}


def _stems(text: str) -> FrozenSet[str]:
    return frozenset(w[:5] for w in words_of(text)
                     if len(w) >= MIN_WORD and w not in STOPWORDS and w not in GENERIC)


def value_missing(question: str, answer: str) -> Optional[str]:
    """The kind of value asked that the answer does not give about the question's subject."""
    kind = asked_value(question)
    if kind is None:
        return None
    pattern = _VALUE_RE[kind]
    subject = _stems(question)
    sentences = [s for s in _SENTENCE_RE.split(fold(answer)) if s.strip()]
    about = [s for s in sentences if subject & _stems(s)]
    if any(pattern.search(s) for s in (about or sentences)):
        return None
    return kind
