"""Danish numbers in free text: digits, number words and fractions onto one canonical form.

People write "tolv", "12", "1,5", "1.200.000", "1,2 mio", "halvanden", "2½" or "½". Before the
query parser looks for attributes, :func:`canonical_numbers` rewrites every number in a folded
text (see :func:`knowledge.text.fold`) to a plain decimal with ``.`` as the decimal point and no
thousands separators ("1.200.000" -> "1200000", "1,5" -> "1.5", "tolv" -> "12"), so that the
attribute patterns only ever see ``\\d+(?:\\.\\d+)?``. :func:`to_decimal` reads such a number back.
Pure functions; no I/O.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Dict, List, Optional

NUM = r"\d+(?:\.\d+)?"

UNITS: Dict[str, int] = {
    "nul": 0, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "otte": 8, "ni": 9,
    "ti": 10, "elleve": 11, "tolv": 12, "tretten": 13, "fjorten": 14, "femten": 15,
    "seksten": 16, "sytten": 17, "atten": 18, "nitten": 19,
    # a few English words for the odd English question
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "twelve": 12,
}
TENS: Dict[str, int] = {
    "tyve": 20, "tredive": 30, "tredve": 30, "fyrre": 40, "fyrretyve": 40, "halvtreds": 50,
    "tres": 60, "halvfjerds": 70, "firs": 80, "halvfems": 90,
}
# "en"/"et"/"one" are also articles: they count as 1 only before one of these words.
ONE_WORDS = {"en", "et", "een", "eet", "one", "a"}
ONE_BEFORE = re.compile(
    r"^(time|timer|minut|minutter|kvarter|dag|dage|doegn|uge|uger|maaned|maaneder|aar|stk|"
    r"billet|voksen|voksenbillet|barn|person|pensionist|hour|day|week|month|year|halv|"
    r"million|mio|enkelt)$"
)
FRACTIONS: Dict[str, str] = {"halvanden": "1.5", "halvandet": "1.5", "halvtredje": "2.5"}
# Ordinals name a school grade ("anden klasse" = 2. klasse). Only before "klasse"/"kl": "anden"
# is also "other" ("en anden pris") and "første" also "first" ("første gang").
ORDINALS: Dict[str, int] = {
    "nulte": 0, "foerste": 1, "anden": 2, "andet": 2, "tredje": 3, "fjerde": 4, "femte": 5,
    "sjette": 6, "syvende": 7, "ottende": 8, "niende": 9, "tiende": 10,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
}
_ORDINAL_GRADE_RE = re.compile(
    r"\b(" + "|".join(ORDINALS) + r")\s(klasse\w*|kl\b\.?|grade\b)")
_COMPOUND = re.compile(
    r"^(en|to|tre|fire|fem|seks|syv|otte|ni)og(" + "|".join(TENS) + r")$"
)
_ONES = {"en": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "syv": 7, "otte": 8, "ni": 9}
_WORD_RE = re.compile(r"[a-z]+|\S")

# numbers that are never amounts -----------------------------------------------------------
_MONTHS = ("januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec")
_PHONE_RE = re.compile(r"(?<![\d.,])(?:\+45\s?)?(?:\d{2}\s\d{2}\s\d{2}\s\d{2}|\d{4}\s\d{4})(?![\d.,]*\d)"
                       r"|(?:(?<=tlf)|(?<=tlf\.)|(?<=telefon)|(?<=nummer)|(?<=nr)|(?<=nr\.)|(?<=ring))"
                       r"\s*\+?\d{8}\b|\+45\s?\d{8}\b")
_DATE_RE = re.compile(
    r"\b(?:d\.\s?|den\s)?\d{1,2}\.?\s(?:" + _MONTHS + r")\b(?:\s(?:19|20)\d{2}\b)?"
    r"|\bden\s\d{1,2}\s?[./-]\s?\d{1,2}(?:[./-]\d{2,4})?\b"
    r"|(?<![\d.,/])\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2}(?![\d.,/])"
    r"|(?<![\d.,/½])(?:[4-9]|[12]\d|3[01])/(?:[1-9]|1[0-2])(?![\d.,/])")
_YEAR_RE = re.compile(
    r"(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d.,]*\d)(?!\s?(?:kr|dkk|kroner|m2|m3|m²|liter|kg|"
    r"kvm|kvadratmeter|stk|meter|km|mio|million|t\.?kr)\b)")
_YEAR_CONTEXT_RE = re.compile(r"(?:\bi|\bfor|\baar|\baaret|\bfra|\btil|\bin|\byear|\bsiden|\bbudget|"
                              r"\btakster|\bpriser|\bprisliste|\bprislisten)\s?$")


def drop_non_amounts(folded: str) -> str:
    """Blank out phone numbers, dates and years in a folded text: "ring 5667 2450",
    "den 15. marts", "12/5", "i 2025" are never a quantity, an age or an amount.

    A four-digit number counts as a year when it is 2020-2030, or 1950-2049 after a word
    such as "i", "år", "fra" or "til", and no unit ("kr", "m2", …) follows it."""
    text = _PHONE_RE.sub(" ", folded)
    text = _DATE_RE.sub(" ", text)

    def year(match: re.Match) -> str:
        value = int(match.group())
        before = text[max(0, match.start() - 12):match.start()]
        if 2020 <= value <= 2030 or _YEAR_CONTEXT_RE.search(before):
            return " "
        return match.group()

    return _YEAR_RE.sub(year, text)


# digit forms ------------------------------------------------------------------------------
_HALF_RE = re.compile(r"(\d*)\s?½")
_DK_NUMBER_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d.,]*\d)|\d+,\d+|\d+\.\d+")
# English digit grouping: "1,200,000", or "300,000 kr" (a krone amount has at most two decimals)
_EN_GROUPED_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d.,]*\d)"
                            r"|(?<![\d.,])\d{1,3},\d{3}(?=\s?(?:kr|dkk|kroner)\b)")
_MIO_RE = re.compile(r"(" + NUM + r")\s?(mio|millioner|million|mill)\b\.?")
_MIA_RE = re.compile(r"(" + NUM + r")\s?(mia|milliarder|milliard)\b\.?")
_THOUSAND_RE = re.compile(r"(" + NUM + r")\s?(tusind|tusinde|thousand|t\.kr|tkr)\b\.?")
_HUNDRED_RE = re.compile(r"(" + NUM + r")\s?(hundrede|hundred)\b")


def to_decimal(text: str) -> Decimal:
    """A canonical number (as produced by :func:`canonical_numbers`) as Decimal."""
    return Decimal(text)


def _fmt(value: Decimal) -> str:
    """Plain decimal string without exponent or trailing zeros: 1200000, 1.5."""
    text = format(value.normalize(), "f")
    return text


def _dk_digits(match: re.Match) -> str:
    raw = match.group(0)
    if "," in raw:  # Danish: dots group thousands, comma is the decimal point
        return raw.replace(".", "").replace(",", ".")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):  # "2.500.000", "450.000"
        return raw.replace(".", "")
    return raw  # "3.5": an English-style decimal


def _number_word(word: str, nxt: str) -> Optional[str]:
    """The value of one number word, or None."""
    if word in FRACTIONS:
        return FRACTIONS[word]
    if word in UNITS:
        return str(UNITS[word])
    if word in TENS:
        return str(TENS[word])
    compound = _COMPOUND.match(word)
    if compound:
        return str(_ONES[compound.group(1)] + TENS[compound.group(2)])
    if word in ONE_WORDS and ONE_BEFORE.match(nxt or ""):
        return "1"
    return None


def _words_to_digits(text: str) -> str:
    """Replace number words by digits; "to hundrede" -> "2 hundrede" (scaled later)."""
    parts: List[str] = re.split(r"(\s+)", text)
    words = [p for p in parts if p and not p.isspace()]
    out: List[str] = []
    index = 0
    for part in parts:
        if not part or part.isspace():
            out.append(part)
            continue
        nxt = words[index + 1] if index + 1 < len(words) else ""
        index += 1
        head = re.match(r"^([a-z]+)(.*)$", part)
        if head:
            value = _number_word(head.group(1), re.sub(r"[^a-z]", "", nxt))
            if value is not None:
                out.append(value + head.group(2))
                continue
        out.append(part)
    return "".join(out)


def _scale(regex: re.Pattern, factor: int, text: str) -> str:
    return regex.sub(lambda m: _fmt(Decimal(m.group(1)) * factor), text)


_SPACE_GROUPED_RE = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3}){2,}(?![\d,])|(?<![\d.,])\d{1,3} \d{3}(?= ?kr\b)")


def canonical_numbers(folded: str) -> str:
    """Rewrite every number in a folded text to canonical digits (see module docstring)."""
    text = folded.replace("\u00bd", "½")
    text = re.sub(r"(\d)\s?-\s?(aarig|aarige|aars|turs|ture|delt)", r"\1 \2", text)
    text = _ORDINAL_GRADE_RE.sub(lambda m: f"{ORDINALS[m.group(1)]}. {m.group(2)}", text)
    text = _words_to_digits(text)
    text = re.sub(r"\b(en|et|1) halv(t|e)?\b", "0.5", text)
    text = re.sub(r"\b(\d+) og 0\.5\b", lambda m: _fmt(Decimal(m.group(1)) + Decimal("0.5")), text)
    text = _EN_GROUPED_RE.sub(lambda m: m.group(0).replace(",", ""), text)
    # "2 750 000 kr": thousands grouped with spaces (two groups, or one before "kr")
    text = _SPACE_GROUPED_RE.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _DK_NUMBER_RE.sub(_dk_digits, text)
    text = _HALF_RE.sub(lambda m: _fmt(Decimal(m.group(1) or "0") + Decimal("0.5")) + " ", text)
    # "to hundrede og halvtreds" -> 250 ; "2 hundrede" -> 200
    text = re.sub(
        r"(" + NUM + r")\s?(hundrede|hundred)(?:\s?og\s?(\d+))?",
        lambda m: _fmt(Decimal(m.group(1)) * 100 + Decimal(m.group(3) or 0)),
        text,
    )
    text = re.sub(r"(?<![\d.])\b(hundrede|hundred)\b", "100", text)
    text = _scale(_MIA_RE, 10**9, text)
    text = _scale(_MIO_RE, 10**6, text)
    text = _scale(_THOUSAND_RE, 1000, text)
    text = re.sub(r"(?<![\d.])\b(tusind|tusinde)\b", "1000", text)
    return re.sub(r"\s+", " ", text).strip()
