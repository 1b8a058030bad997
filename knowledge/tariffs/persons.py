"""Persons in a price question, as a list: "mig (42), min mand (67) og vores tvillinger på 1 år",
"2 voksne + 3 børn (4, 9 og 12 år) og farmor på 70", "mig, min bror og hans datter på 7".

One place reads who a question is for; the tariff answer prices each person on their own row
and adds up, and follow-ups add or remove someone ("og min mor også", "uden min bror").

A :data:`Person` is ``(category, age, count, who)``: category is a price-list category (barn,
ung, voksen, pensionist) or None, age an int or None, count how many such persons, who a short
Danish label ("mig", "min bror", "barn på 7") for the line per person. Category and age both
None means the list does not say enough to pick a row: the answer asks, it never guesses.

Pure functions on folded text (:func:`knowledge.text.fold` + canonical numbers); no I/O.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

Person = Tuple[Optional[str], Optional[int], int, str]

MAX_PEOPLE = 20

# noun (folded) -> (default category, count, label). A default category only where the word
# itself says it (a partner or a parent is an adult; a sibling or a grandparent may be anything).
_NOUNS = {
    "mig": ("voksen", 1, "dig"), "mig selv": ("voksen", 1, "dig"),  # the bot says "dig" to the citizen
    "mand": ("voksen", 1, "din mand"), "manden": ("voksen", 1, "din mand"),
    "kone": ("voksen", 1, "din kone"), "konen": ("voksen", 1, "din kone"),
    "hustru": ("voksen", 1, "din kone"), "kaereste": ("voksen", 1, "din kæreste"),
    "samlever": ("voksen", 1, "din samlever"), "partner": ("voksen", 1, "din partner"),
    "far": ("voksen", 1, "din far"), "mor": ("voksen", 1, "din mor"),
    "foraeldre": ("voksen", 2, "dine forældre"),
    "bror": (None, 1, "din bror"), "soester": (None, 1, "din søster"),
    "brodere": (None, 2, "dine brødre"), "soestre": (None, 2, "dine søstre"),
    "farfar": (None, 1, "din farfar"), "farmor": (None, 1, "din farmor"),
    "morfar": (None, 1, "din morfar"), "mormor": (None, 1, "din mormor"),
    "bedstefar": (None, 1, "din bedstefar"), "bedstemor": (None, 1, "din bedstemor"),
    "bedsteforaeldre": (None, 2, "dine bedsteforældre"),
    "svigerforaeldre": (None, 2, "dine svigerforældre"),
    "svigermor": (None, 1, "din svigermor"), "svigerfar": (None, 1, "din svigerfar"),
    "faetter": (None, 1, "din fætter"), "kusine": (None, 1, "din kusine"),
    "kollega": (None, 1, "din kollega"), "kammerat": (None, 1, "din kammerat"),
    "onkel": (None, 1, "din onkel"), "tante": (None, 1, "din tante"),
    "fastor": (None, 1, "din faster"), "faster": (None, 1, "din faster"),
    "moster": (None, 1, "din moster"), "ven": (None, 1, "din ven"),
    "veninde": (None, 1, "din veninde"), "nabo": (None, 1, "din nabo"),
    "soen": (None, 1, "din søn"), "soennen": (None, 1, "din søn"),
    "datter": (None, 1, "din datter"), "datteren": (None, 1, "din datter"),
    "dreng": (None, 1, "drengen"), "pige": (None, 1, "pigen"),
    "drenge": (None, 0, "drenge"), "drengene": (None, 0, "drengene"),
    "piger": (None, 0, "piger"), "pigerne": (None, 0, "pigerne"),
    "barnebarn": (None, 1, "dit barnebarn"), "nevoe": (None, 1, "din nevø"),
    "niece": (None, 1, "din niece"), "tvillinger": (None, 2, "tvillingerne"),
    "tvillingerne": (None, 2, "tvillingerne"), "trillinger": (None, 3, "trillingerne"),
    "barn": ("barn", 1, "barn"), "barnet": ("barn", 1, "barnet"),
    "boern": ("barn", 0, "børn"), "boernene": ("barn", 0, "børnene"), "unger": ("barn", 0, "børn"),
    "ungerne": ("barn", 0, "ungerne"), "boernebarn": (None, 1, "dit barnebarn"),
    "soenner": (None, 0, "sønner"), "doetre": (None, 0, "døtre"),
    "voksen": ("voksen", 1, "voksen"), "voksne": ("voksen", 0, "voksne"),
    "pensionist": ("pensionist", 1, "pensionist"), "pensionister": ("pensionist", 0, "pensionister"),
    "senior": ("pensionist", 1, "pensionist"), "seniorer": ("pensionist", 0, "pensionister"),
    "studerende": ("ung", 0, "studerende"), "unge": ("ung", 0, "unge"),
    "teenager": ("ung", 1, "teenager"), "teenagere": ("ung", 0, "teenagere"),
}
# Children words: a person under 18 whose age is needed (the "minor" of a single question).
_CHILD_NOUNS = frozenset("soen soennen datter datteren dreng pige drenge drengene piger pigerne barnebarn barn barnet boern "
                         "boernene unger ungerne soenner doetre tvillinger tvillingerne "
                         "trillinger".split())
_SELF_RE = re.compile(r"\b(?:og jeg|jeg og|mig selv|mig)\b")
_NOUN_ALT = "|".join(sorted((re.escape(n) for n in _NOUNS if n not in ("mig", "mig selv")),
                            key=len, reverse=True))
# ages listed ("8, 12 og 15"); a number that counts something else is not one ("på 9, 20 dage")
_NOT_AGE_AFTER = r"(?!\d|\s?(?:dage|dag|doegn|timer|time|min\w*|uger|uge|kr|m2|m|gange|stk|maaneder|mdr)\b)"
_AGES = r"\d{1,3}(?:\s?(?:,|og|\+)\s?\d{1,3}" + _NOT_AGE_AFTER + r")*"
# A category described after the person ("min far, som er pensionist") -> the list's category.
_DESCRIBED = {"pensionist": "pensionist", "pensioneret": "pensionist", "folkepensionist": "pensionist",
              "senior": "pensionist", "studerende": "ung", "student": "ung", "ung": "ung",
              "voksen": "voksen", "barn": "barn"}
_MENTION_RE = re.compile(
    r"(?:\b(?P<count>\d{1,2})\s)?"
    r"(?:\b(?P<own>min|mit|mine|vores|hans|hendes|deres|en|et|to|begge)\s)?"
    rf"\b(?P<noun>mig selv|mig|og jeg|jeg og|{_NOUN_ALT})\b"
    r"(?:\s?\((?:begge\s|alle\s)?(?:(?P<over1>over|under)\s)?(?P<a1>" + _AGES + r")(?:\s?aar\w*)?\)"
    r"|,?\s(?:som\s)?(?:er|paa|der\ser|aged|age)\s(?:begge\s|alle\s)?(?:(?P<over2>over|under)\s)?"
    r"(?P<a2>" + _AGES + r")(?:\s?aar\w*)?(?!\d|\.\d)"
    r"|,?\s(?P<a4>" + _AGES + r")\s?(?:aar|aarig|aarige|years?)\b"
    r"|\s(?:begge|alle)\s(?P<over3>over|under)\s(?P<a3>\d{1,3})"
    # "min mor, som er pensionist", "min søn der er studerende": the category said in words
    r"|,?\s(?:som|der)\s(?:er|bliver)\s(?:en\s|et\s)?(?P<cat>" + "|".join(_DESCRIBED) + r")\b"
    # "bedstefar 66, far 40": the age right after the noun (not a count or an amount of the next word)
    r"|\s(?P<a5>\d{1,3})\b(?!\d|[.,]\d|\s?(?:kr|dkk|m2|m|meter|timer?|min\w*|dage?|doegn|uger?|stk|gange|"
    r"ture?|personer|billet\w*|\w*kort\w*|maaneder|mdr)\b|\s(?:" + _NOUN_ALT + r")\b))?")


def _ages(text: str, over: Optional[str]) -> List[int]:
    ages = [int(n) for n in re.findall(r"\d+", text) if int(n) <= 110]
    if over == "over":
        return [a + 1 for a in ages]
    if over == "under":
        return [max(a - 1, 0) for a in ages]
    return ages


# Nouns that are a price-list category themselves ("studerende" stays "ung" with an age).
_CATEGORY_NOUNS = frozenset("voksen voksne pensionist pensionister senior seniorer studerende unge "
                            "teenager teenagere".split())
# "barn"/"børn" name the price list's child category; with an age the age decides.
_SINGULAR = {"drenge": "dreng", "drengene": "dreng", "piger": "pige", "pigerne": "pige", "børn": "barn", "børnene": "barn", "ungerne": "barn", "sønner": "søn", "døtre": "datter",
             "voksne": "voksen", "pensionister": "pensionist", "unge": "ung",
             "studerende": "studerende", "teenagere": "teenager", "tvillingerne": "tvilling",
             "trillingerne": "trilling"}


def _category(noun: str, default: Optional[str], age: Optional[int]) -> Optional[str]:
    if age is not None and noun not in _CATEGORY_NOUNS:
        return None  # the age picks the row; "min far (67)" is not simply "voksen"
    return default


def parse_persons(folded: str) -> Tuple[Person, ...]:
    """Every person the text names, in order; () unless at least two persons are named."""
    persons: List[Person] = []
    for match in _MENTION_RE.finditer(folded):
        noun = match.group("noun")
        if noun in ("og jeg", "jeg og"):
            noun = "mig"
        default, count, who = _NOUNS[noun]
        who = _owned(who, match.group("own"))
        over = match.group("over1") or match.group("over2") or match.group("over3")
        listed = (match.group("a1") or match.group("a2") or match.group("a3") or match.group("a4")
                  or match.group("a5"))
        ages = _ages(listed, over) if listed else []
        described = _DESCRIBED.get(match.group("cat") or "")
        if described:
            persons.append((described, None, count or 1, _label(f"{who}, {match.group('cat')}", None, 1)))
            continue
        if match.group("count"):
            count = int(match.group("count"))
        elif count == 0 and ages and not over:
            count = len(ages)
        elif count == 0 and re.search(r"\bbegge\b", match.group(0)):
            count = 2
        if count == 0:
            return ()  # "børnene" without how many: nothing to add up
        if count == 1 and len(ages) > 1 and not over:
            # "mig og min mand (40 og 42)": the earlier persons without an age get the first ages
            waiting = [i for i, p in enumerate(persons) if p[1] is None and p[2] == 1]
            for i, age in zip(waiting[-(len(ages) - 1):], ages[:-1]):
                one = persons[i]
                persons[i] = (None, age, 1, _label(one[3], str(age), 1))
            ages = ages[-1:]
        if over or len(ages) <= 1 or len(ages) != count:
            age = ages[0] if ages else None
            shown = f"{over} {listed}" if over else (str(age) if age is not None else None)
            persons.append((_category(noun, default, age), age, count, _label(who, shown, count)))
        else:
            one = _SINGULAR.get(who, who)
            persons.extend((None, a, 1, _label(one, str(a), 1)) for a in ages)
    if sum(p[2] for p in persons) > MAX_PEOPLE or sum(p[2] for p in persons) < 2:
        return ()
    if len(persons) < 2:
        return () if persons[0][1] is None and persons[0][0] is not None else tuple(persons)
    return tuple(persons)


def person_words(folded: str) -> frozenset:
    """The nouns that name persons in the text ("forældre", "barnebarn"): who a price is for,
    never what it is for, so they are no search words once the persons are read."""
    nouns = {m.group("noun") for m in _MENTION_RE.finditer(folded)}
    return frozenset(w for n in nouns for w in n.split() if w not in ("og", "jeg")) - _CATEGORY_NOUNS


_YOURS = {"din", "dit", "dine"}


def _owned(who: str, own: Optional[str]) -> str:
    """"hans datter" stays "hans datter"; "min/vores datter" is "din/jeres datter" to the user."""
    first, _, rest = who.partition(" ")
    if first not in _YOURS or not rest:
        return who
    if own in ("hans", "hendes", "deres"):
        return f"{own} {rest}"
    if own == "vores":
        return f"jeres {rest}"
    return who


def _label(who: str, age: Optional[str], count: int) -> str:
    label = who if count == 1 or who.startswith(("dine", "tvilling", "trilling")) else f"{count} {who}"
    return f"{label} ({age} år)" if age is not None else label


def is_child(folded: str) -> bool:
    return any(n in _CHILD_NOUNS for n in re.findall(r"[a-z]+", folded))


_PRONOUN_AGE_RE = re.compile(r"\b(?:han|hun|vedkommende|jeg|de|begge)\s(?:er|bliver|fylder)\s"
                             r"(?:(over|under)\s)?(\d{1,3})\b")


def person_of(folded: str) -> Optional[Person]:
    """The one person a follow-up names ("nej, det er til min far", "hun er 17 men studerende",
    "min søn på 12"), or None."""
    pronoun = _PRONOUN_AGE_RE.search(folded)
    age = _ages(pronoun.group(2), pronoun.group(1))[0] if pronoun else None
    for match in _MENTION_RE.finditer(folded):
        noun = match.group("noun")
        if noun in ("og jeg", "jeg og"):
            noun = "mig"
        default, count, who = _NOUNS[noun]
        listed = (match.group("a1") or match.group("a2") or match.group("a3") or match.group("a4")
                  or match.group("a5"))
        over = match.group("over1") or match.group("over2") or match.group("over3")
        ages = _ages(listed, over) if listed else []
        found = ages[0] if ages else age
        described = _DESCRIBED.get(match.group("cat") or "")
        if described:
            return (described, None, max(count, 1), _label(f"{who}, {match.group('cat')}", None, 1))
        shown = str(found) if found is not None else None
        return (_category(noun, default, found), found, max(count, 1), _label(who, shown, 1))
    if age is not None:
        return (None, age, 1, f"{age} år")
    return None


def add(persons: Sequence[Person], more: Sequence[Person]) -> Tuple[Person, ...]:
    return tuple(persons) + tuple(more)


def remove(persons: Sequence[Person], folded: str) -> Optional[Tuple[Person, ...]]:
    """"uden min bror", "min bror kommer ikke med": the list without that person, or None."""
    if not re.search(r"\buden\b|\bikke\s(?:med|alligevel)\b|\bkommer ikke\b|\bskal ikke\b", folded):
        return None
    gone = person_of(folded)
    if gone is None:
        return None
    kept = [p for p in persons if p[3].split(" (")[0] != gone[3].split(" (")[0]]
    return tuple(kept) if len(kept) < len(persons) else None
