"""Quantities as citizens write them, turned into the few forms the price rules compute with.

One place for what a message says *how much* of something: a span of clock times ("fra kl. 9
til 14", "kl. 9.30-12"), a period of months ("fra januar til og med juni", "hele juni"), listed
weekdays ("lørdag og søndag"), a frequency over weeks ("2 dage om ugen i 5 uger", "hver tirsdag i
6 uger"), a round trip ("og hjem igen"), an area from its sides ("7 x 2,8 m"), in hectares
("en halv hektar") or as a sum of parts ("grunden er 650 m2 og tillægsparcellen 130 m2"), and
"på et år" (a period, not an age).

The query parser (:mod:`knowledge.tariffs.query`) calls :func:`before_numbers` on the folded
text (clock times are read before dates and decimals are rewritten: "9.30-12" is a time span,
not a date) and :func:`after_numbers` on the text with canonical numbers
(:mod:`knowledge.tariffs.query_numbers`). Each rewrites what it recognises into the plain form
the attribute patterns read ("300 minutter", "6 maaneder", "19.6 m2") or into attributes in
``found`` (``days``, ``frequency``, ``area_parts``, ``month_span``, the ``round_trip`` flag), so that no number is read twice.
Pure functions, no I/O.
"""

from __future__ import annotations

import calendar
import re
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from knowledge.tariffs.query_numbers import NUM
from knowledge.tariffs.query_patterns import SPAN_DAYS

PRICE_LIST_YEAR = 2024  # the days of a month are counted in the price list's year

MONTHS: Tuple[str, ...] = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                           "september", "oktober", "november", "december")
_MONTH_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                        "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12}
_MONTH_NUMBER = {name: n for n, name in enumerate(MONTHS, start=1)}
_MONTH_NUMBER.update(_MONTH_ABBREVIATIONS)
_MONTH_NUMBER.update({"january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7,
                      "october": 10})
_MONTH = r"(" + "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True)) + r")\.?"
WEEKDAYS: Tuple[str, ...] = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "loerdag",
                             "soendag")
_WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")(?:e|en)?"

# ------------------------------------------------------------------------ clock times
_TIME = r"(\d{1,2})(?:[.:](\d{2}))?"
_NOT_A_TIME_AFTER = (r"(?!\s?(?:aar|aarig\w*|aars|years?|timer?|hours?|min\w*|m2|m3|m|meter|kr|"
                     r"kroner|ture?|dage?|doegn|uger?|weeks?|maaned\w*|mdr|personer|stk|gange|"
                     r"klasse|kl\b|kg|tons?|sider)\b)")
_CLOCK_SPAN_RE = re.compile(
    # "kl. 9 til 14", "fra kl 9.30-12", "mellem kl. 9 og 12", "from 9am to 2pm"
    r"\b(?:fra\s|mellem\s|between\s|from\s)?(?:kl\.?|klokken)\s?" + _TIME + r"\s?(?:am\b|pm\b)?\s?"
    r"(?:-|–|til|to|og|and)\s?(?:kl\.?\s?|klokken\s)?" + _TIME + r"\s?(am|pm)?\b" + _NOT_A_TIME_AFTER
    # "fra 10 til 13:30", "from 9 to 14"
    + r"|\b(?:fra|from)\s" + _TIME + r"\s?(?:-|–|til|to)\s?" + _TIME + r"\s?(am|pm)?\b"
    + _NOT_A_TIME_AFTER
    # "9.30-12.00", "10:00-13:30": a span written with minutes on both sides
    + r"|(?<![\d.,:/])(\d{1,2})[.:](\d{2})\s?(?:-|–|til)\s?(\d{1,2})[.:](\d{2})(?![\d.,:/])")


def _clock_minutes(match: re.Match) -> Optional[int]:
    groups = match.groups()
    for offset in (0, 5, 10):
        if groups[offset] is not None:
            start_h, start_m, end_h, end_m = groups[offset:offset + 4]
            pm = groups[offset + 4] if offset < 10 else None
            break
    else:  # pragma: no cover - one alternative always matched
        return None
    start = int(start_h) * 60 + int(start_m or 0)
    end_hour = int(end_h)
    if pm == "pm" and end_hour < 12:
        end_hour += 12
    end = end_hour * 60 + int(end_m or 0)
    if int(start_h) > 24 or end_hour > 24 or int(start_m or 0) > 59 or int(end_m or 0) > 59:
        return None
    if end <= start:
        end += 24 * 60  # "fra kl. 21 til 2": over midnight
    minutes = end - start
    return minutes if 0 < minutes <= 24 * 60 else None


def _clock_spans(folded: str) -> str:
    def sub(match: re.Match) -> str:
        minutes = _clock_minutes(match)
        return match.group(0) if minutes is None else f" {minutes} minutter "

    return _CLOCK_SPAN_RE.sub(sub, folded)


# "hvad koster det på et år": a period. The number parser would read "et år" as "1 år", which
# after "på" is an age ("min søn på 1 år"); the article written as a word is never an age here.
_A_YEAR_WORD_RE = re.compile(r"\b(?:paa|i|for|om|over|per|pr\.?)\set\s(?:helt\s)?aar\b(?!\s?gam\w*)"
                             r"|\b(?:et|1|hele|hel[te]?)\s(?:helt\s)?skoleaar(?:et)?\b"
                             r"|\b(?:i|for|om|over|per|pr\.?)\sskoleaar(?:et)?\b"
                             # "det første år" (with its one-off charges): a year, not a row word
                             r"|\b(?:i\s|for\s)?det\s(?:foerste|1\.)\s?aar\b")


def _a_year(folded: str) -> str:
    return _A_YEAR_WORD_RE.sub(" om aaret ", folded)


def before_numbers(folded: str) -> str:
    """Quantities to read before numbers are canonicalised: clock spans, "på et år"."""
    return _a_year(_clock_spans(folded))


# ------------------------------------------------------------------------ months and days
_MONTH_SPAN_RE = re.compile(
    r"\b(?:fra\s|from\s)?(?:(?:den\s)?1\.?\s)?" + _MONTH + r"\s?(?:til og med|til|-|–|to|through|until)\s?"
    r"(?:(?:den\s)?\d{1,2}\.?\s)?" + _MONTH + r"(?:\s(?:maaned|md)\w*)?")
_WHOLE_MONTH_RE = re.compile(r"\b(?:i\s)?(?:hele|all of|the whole of)\s" + _MONTH +
                             r"(?:\s(?:maaned|md)\w*)?")


def _month_days(first: int, count: int) -> int:
    return sum(calendar.monthrange(PRICE_LIST_YEAR, (first - 1 + i) % 12 + 1)[1] for i in range(count))


def _months(text: str, found: Dict[str, Any]) -> str:
    def span(match: re.Match) -> str:
        first, last = _MONTH_NUMBER[match.group(1)], _MONTH_NUMBER[match.group(2)]
        count = (last - first) % 12 + 1
        found.setdefault("days", _month_days(first, count))
        found.setdefault("month_span", f"{MONTHS[first - 1]}-{MONTHS[last - 1]}")
        return f" {count} maaneder "

    def whole(match: re.Match) -> str:
        month = _MONTH_NUMBER[match.group(1)]
        found.setdefault("days", _month_days(month, 1))
        found.setdefault("month_span", MONTHS[month - 1])
        found.setdefault("months", 1)
        return " "

    return _WHOLE_MONTH_RE.sub(whole, _MONTH_SPAN_RE.sub(span, text))


# "lørdag og søndag", "mandag, onsdag og fredag": the days listed (not "hver …": a frequency)
_WEEKDAY_LIST_RE = re.compile(r"(?<!hver )(?<!hver\s\s)\b(" + _WEEKDAY + r")((?:\s?(?:,|og|\+|and|&)\s?"
                              + _WEEKDAY + r")+)\b")
_WEEKDAY_WORD_RE = re.compile(_WEEKDAY)


def _weekday_lists(text: str, found: Dict[str, Any]) -> str:
    def sub(match: re.Match) -> str:
        days = {d[:6] for d in _WEEKDAY_WORD_RE.findall(match.group(0))}
        if len(days) >= 2:
            found.setdefault(SPAN_DAYS, len(days))
        return match.group(0)  # the words stay: they also say weekday or weekend

    return _WEEKDAY_LIST_RE.sub(sub, text)


# ------------------------------------------------------------------------ frequencies
_PER_WEEK = r"(?:om|pr\.?|per|i|a|hver)\s(?:ugen|uge)|ugentlig\w*|(?:a|per)\sweek"
_FREQUENCY_RE = re.compile(
    # "2 dage om ugen i 5 uger", "3 gange ugentligt over 4 uger"
    r"\b(" + NUM + r")\s(?:dage|dag|gange|gang|times|days)\s(?:" + _PER_WEEK + r")\s"
    r"(?:i|over|for|de naeste|de kommende|in)\s(?:de\s)?(" + NUM + r")\s?(?:uger|uge|weeks?)\b"
    # "i 5 uger, 2 dage om ugen"
    r"|\b(?:i|over|for|in)\s(" + NUM + r")\s?(?:uger|uge|weeks?)\W{0,3}\s?(?:\w+\s){0,3}?(" + NUM +
    r")\s(?:dage|dag|gange|gang|times|days)\s(?:" + _PER_WEEK + r")\b"
    # "hver tirsdag og torsdag i 6 uger"
    r"|\bhver\s(" + _WEEKDAY + r"(?:\s?(?:,|og|\+)\s?" + _WEEKDAY + r")*)\s(?:\w+\s){0,4}?"
    r"(?:i|over|for|de naeste|de kommende)\s(" + NUM + r")\s?(?:uger|uge)\b")


def _frequencies(text: str, found: Dict[str, Any]) -> str:
    def sub(match: re.Match) -> str:
        g = match.groups()
        if g[0] is not None:
            per_week, weeks = Decimal(g[0]), Decimal(g[1])
        elif g[2] is not None:
            weeks, per_week = Decimal(g[2]), Decimal(g[3])
        else:
            per_week = Decimal(len({d[:6] for d in _WEEKDAY_WORD_RE.findall(g[4])}))
            weeks = Decimal(g[5])
        if per_week != per_week.to_integral_value() or weeks != weeks.to_integral_value() \
                or not 0 < per_week <= 7 or not 0 < weeks <= 60:
            return match.group(0)
        found.setdefault("frequency", (int(per_week), int(weeks)))
        return " "

    return _FREQUENCY_RE.sub(sub, text)


_ROUND_TRIP_RE = re.compile(r"\bog hjem igen\b|\bfrem og tilbage\b|\btur[\s/-]?retur\b|\bbegge veje\b|"
                            r"\bud og hjem\b|\bhen og hjem\b|\bog tilbage igen\b|\bog retur\b|"
                            r"\bround trip\b|\bthere and back\b")


def _round_trip(text: str, found: Dict[str, Any]) -> str:
    if _ROUND_TRIP_RE.search(text):
        found.setdefault("extras", set()).add("round_trip")
        return _ROUND_TRIP_RE.sub(" ", text)
    return text


# ------------------------------------------------------------------------ areas
_SQM = r"(?:m2|m²|kvm|kvadratmeter|kvadratmeters|sqm|square meters?)"
_SIDE_UNIT = r"(?:m|meter|meters|metres?)"
_DIMENSIONS_RE = re.compile(r"\b(" + NUM + r")\s?(?:" + _SIDE_UNIT + r"\s?)?(?:x|\*|×|gange|by)\s?(" + NUM +
                            r")\s?(?:" + _SIDE_UNIT + r"|" + _SQM + r")(?![a-z0-9])")
_HECTARE_RE = re.compile(r"\b(" + NUM + r")\s?(?:hektar|ha|hectares?)\b")
_AREA_RE = re.compile(r"\b(" + NUM + r")\s?" + _SQM + r"(?![a-z0-9])")
# Between two areas: "og", "plus", "+", "oveni", "samt" add up; "eller", "end", "vs" compare.
_AREA_ALTERNATIVE_RE = re.compile(r"\beller\b|\bor\b|\bend\b|\bvs\b|\bversus\b|\bi forhold til\b|"
                                  r"\bsammenlignet\b|\bfrem for\b|\bi stedet\b")
_AREA_ADDED_RE = re.compile(r"\bog\b|\bplus\b|\+|\boveni\b|\bsamt\b|\band\b|\btil sammen\b|,")
# Plot words: the rat-control fee is charged on the property's area, so a building on the plot
# is not added to it.
_PLOT_RE = re.compile(r"\b(?:grund\w*|matrik\w*|parcel\w*|tillaegsparcel\w*|jordstykke\w*|"
                      r"ejendom\w*)\b")
_BUILDING_RE = re.compile(r"\b(?:hus\w*|bolig\w*|garage\w*|carport\w*|skur\w*|udhus\w*|"
                          r"etageareal\w*|bebyggelse\w*|kaelder\w*|anneks\w*)\b")


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _area_sides(text: str) -> str:
    def sides(match: re.Match) -> str:
        return f" {_fmt(Decimal(match.group(1)) * Decimal(match.group(2)))} m2 "

    def hectares(match: re.Match) -> str:
        return f" {_fmt(Decimal(match.group(1)) * 10000)} m2 "

    return _HECTARE_RE.sub(hectares, _DIMENSIONS_RE.sub(sides, text))


def _area_sum(text: str, found: Dict[str, Any]) -> str:
    """Several areas joined by "og"/"plus" are one area: their sum (working in ``area_parts``)."""
    areas = list(_AREA_RE.finditer(text))
    if len(areas) < 2:
        return text
    parts: List[Tuple[Decimal, bool, bool]] = []  # value, on a plot, a building
    for n, match in enumerate(areas):
        start = areas[n - 1].end() if n else max(0, match.start() - 40)
        if n and (_AREA_ALTERNATIVE_RE.search(text[start:match.start()]) or
                  not _AREA_ADDED_RE.search(text[start:match.start()])):
            return text  # compared or unrelated areas: not one sum
        around = text[max(0, match.start() - 30):min(len(text), match.end() + 25)]
        before = text[start:match.start()]
        parts.append((Decimal(match.group(1)), bool(_PLOT_RE.search(before or around)),
                      bool(_BUILDING_RE.search(before or around))))
    if any(plot for _, plot, _ in parts):
        parts = [p for p in parts if p[1] or not p[2]]
    values = [v for v, _, _ in parts]
    if len(values) < 2:
        found.setdefault("m2", values[0])
        return _AREA_RE.sub(" ", text)
    found.setdefault("m2", sum(values, Decimal(0)))
    found.setdefault("area_parts", tuple(values))
    return _AREA_RE.sub(" ", text)


def after_numbers(text: str, found: Dict[str, Any]) -> str:
    """Quantities read from the text with canonical numbers (see module docstring)."""
    text = _round_trip(text, found)
    text = _frequencies(text, found)
    text = _months(text, found)
    text = _weekday_lists(text, found)
    text = _area_sides(text)
    return _area_sum(text, found)
