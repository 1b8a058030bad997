"""Choose among close rows of the price list by the attributes of the question.

Every row gets a *profile*: the attributes its label and headings state (age band, person
category, weekday/weekend, container size, emptyings, card period, household, season,
resident/guest, boat tonnage/length, lesson minutes, weekly hours, school grade, half year,
"motion" tickets). :func:`choose` keeps the candidates that fit what the user said and, when
the remaining rows still differ in an attribute the user did not give, names that attribute
(a :class:`Choice` with ``ask`` set) together with the values to offer as buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from knowledge.tariffs.catalogue import TariffRow
from knowledge.tariffs.query import PriceQuery
from knowledge.text import fold

Band = Tuple[Decimal, Decimal]
INF = Decimal(999)

# Order in which attributes are asked for; the first one that splits the rows is asked.
ASK_ORDER: Tuple[str, ...] = (
    "place", "basis", "property", "motion", "card", "category", "age", "day", "grade",
    "weekly_hours", "half", "household", "sessions", "open_days", "party", "season", "liters",
    "m3", "emptyings", "tons", "mast", "boat_length", "lesson_minutes", "area", "duration",
    "late_days", "period",
)
# Attributes with a sensible default: used silently instead of asking (rows that do not
# state the attribute count as having the default).
DEFAULTS: Dict[str, Any] = {"motion": False, "property": "bolig"}
# Numeric attributes a bare number in the question may settle ("juniorklub 4 dage").
LOOSE_DIMS = ("open_days", "sessions", "weekly_hours", "lesson_minutes", "liters",
              "emptyings", "m3", "tons", "late_days", "number")
# Loose numeric bands a bare number falls inside ("10 dage for sent" is in "8-30 dage"); the
# other bands match a bare number only at their stated bounds ("30 timer").
LOOSE_RANGE_DIMS = frozenset({"late_days"})
ASK_SHARE = 0.6
RANGE_DIMS = frozenset({"age", "tons", "boat_length", "grade", "m3", "weekly_hours", "area",
                        "duration", "late_days"})
# A person category stands for an age where rows only state age bands ("pas til voksen").
CATEGORY_AGE: Dict[str, Decimal] = {"voksen": Decimal(30), "pensionist": Decimal(70),
                                    "ung": Decimal(16)}

_NUM = r"(\d+(?:[.,]\d+)?|\d*½)"


def _num(text: str) -> Decimal:
    text = text.replace(",", ".")
    if text.endswith("½"):
        return Decimal(text[:-1] or "0") + Decimal("0.5")
    return Decimal(text)


@dataclass(frozen=True)
class Choice:
    """The outcome of :func:`choose`.

    ``rows`` are the rows still possible (best first). ``ask`` is the attribute to ask for
    when they differ in something the user did not say, with ``options`` (value, label) to
    offer; ``ask`` is None when ``rows`` cannot be told apart by attributes.
    """

    rows: Tuple[TariffRow, ...]
    ask: Optional[str] = None
    options: Tuple[Tuple[str, str], ...] = ()
    conflicts: Tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------- row profiles
def _age_band(text: str) -> Optional[Band]:
    t = fold(text)
    patterns: List[Tuple[str, Callable[[re.Match], Band]]] = [
        (r"(?:fra\s)?(\d+)\s?(?:-|til|–)\s?(\d+)\s?(?:aar|aarige)", lambda m: (_num(m[1]), _num(m[2]))),
        (r"fra (\d+) aar til skolestart", lambda m: (_num(m[1]), Decimal(6))),
        (r"fra (\d+) aar", lambda m: (_num(m[1]), INF)),
        (r"(\d+)\s?\+", lambda m: (_num(m[1]), INF)),
        (r"(?:personer|,) over (\d+) aar", lambda m: (_num(m[1]), INF)),
        (r"under (\d+) aar", lambda m: (Decimal(0), _num(m[1]) - 1)),
    ]
    for pattern, make in patterns:
        match = re.search(pattern, t)
        if match:
            return make(match)
    return None


def _category(label: str) -> Optional[str]:
    t = fold(label)
    if "voksenkort" in t:
        return "voksen"
    if t.startswith("institution"):
        return "institution"
    for prefix, value in (("voksen", "voksen"), ("ungdom", "ung"), ("pensionist", "pensionist"),
                          ("barn", "barn"), ("boernebillet", "barn")):
        if t.startswith(prefix):
            return value
    return None


_IMPLICIT_AGE: Dict[str, Band] = {
    "voksen": (Decimal(18), Decimal(64)), "pensionist": (Decimal(65), INF),
    "ung": (Decimal(15), Decimal(17)), "barn": (Decimal(0), Decimal(14)),
}


def _day(text: str) -> Optional[FrozenSet[str]]:
    t = fold(text)
    if re.search(r"soen- og helligdage|skoleferie samt loerdage", t):
        return frozenset({"weekend", "holiday", "school_holiday"})
    if re.search(r"loer(?:dag)?\s?[-–]\s?soen|loerdag\s?[-–]\s?soendag", t):
        return frozenset({"weekend", "holiday"})
    if re.search(r"hverdag\w* excl\. skoleferie", t):
        return frozenset({"weekday"})
    if re.search(r"man(?:dag)?\s?[-–]\s?fre|hverdag", t):
        return frozenset({"weekday", "school_holiday"})
    return None


def _card(row: TariffRow) -> Optional[str]:
    """Kind of swimming/bath ticket or card, from the headings and label."""
    t = fold(" ".join(row.headings) + " " + row.label)
    if row.section not in ("Køge Svømmeland", "Herfølge Svømmehal", "Fiskeri",
                           "Varmtvandsbassinet i Aktivitetshuset i Borup", "Parkering"):
        return None
    for pattern, value in (
        (r"enkeltbillet|voksenbillet|boernebillet|pensionistbillet", "single"),
        (r"\b10\s?-?\s?tur", "trips10"), (r"\b5 ture", "trips5"),
        (r"3 maaneders kort|3 md\.", "quarter"), (r"½ aars kort", "half_year"),
        (r"maanedskort|1 md\.|pr\. md\.|pr\. mdr\.", "month"), (r"aarskort|pr\. aar", "year"),
        (r"dagkort|pr\. doegn|dagsbillet", "day"), (r"pr\. time", "hour"),
    ):
        if re.search(pattern, t):
            return value
    return None


def _first(pattern: str, text: str) -> Optional[Decimal]:
    match = re.search(pattern, fold(text))
    return _num(match.group(1)) if match else None


def _m3_band(label: str) -> Optional[Band]:
    t = fold(label)
    match = re.search(_NUM + r"\s?-\s?" + _NUM + r"\s?m3", t)
    if match:
        return _num(match[1]), _num(match[2])
    match = re.search(_NUM + r"\s?m3", t)
    if match:
        value = _num(match[1])
        return value, value
    return None


def _tons(label: str) -> Optional[Band]:
    value = _first(r"(?:op til|under) (\d+) tons", label)
    return (Decimal(0), value) if value is not None else None


def _boat_length(label: str) -> Optional[Band]:
    t = fold(label)
    match = re.search(r"baadlaengde under " + _NUM + r" m|baade op til " + _NUM + r" m", t)
    if match:
        return Decimal(0), _num(match[1] or match[2])
    match = re.search(r"mellem " + _NUM + r" og " + _NUM + r" m", t)
    if match:
        return _num(match[1]), _num(match[2])
    match = re.search(r"baade over " + _NUM + r" m", t)
    if match:
        return _num(match[1]), INF
    # the marina's berth rates: "Takst 02: 10,00 og 11,00 m pladser", "12,00-24,00 m pladser",
    # "7,50 m pladser" (the length of the berth)
    match = re.search(_NUM + r"\s?(?:og|-|–)\s?" + _NUM + r" m pladser", t)
    if match:
        return _num(match[1]), _num(match[2])
    match = re.search(r"(?:^|:\s|flydebro\s)" + _NUM + r" m pladser", t)
    if match:
        return _num(match[1]), _num(match[1])
    return None


def _grade(label: str) -> Optional[Band]:
    match = re.search(r"(\d+)\.\s?-\s?(\d+)\.\s?klasse", fold(label))
    return (_num(match[1]), _num(match[2])) if match else None


def _weekly_hours(label: str) -> Optional[Band]:
    t = fold(label)
    match = re.search(r"(\d+) ugentlige timer( og derover)?", t)
    if not match:
        return None
    value = _num(match[1])
    return (value, INF) if match[2] else (Decimal(0), value)


def _household(label: str) -> Optional[str]:
    t = fold(label)
    if t.startswith("personligt") or "voksenkort" in t:
        return "personlig"
    if t.startswith("familie") or "familiekort" in t:
        return "familie"
    return None


def _season(label: str, context: str = "") -> Optional[str]:
    t = fold(label)
    if t.startswith("sommersaeson"):
        return "summer"
    if t.startswith("vintersaeson") or "vinter fra" in t or "vintersaeson" in t or \
            "vinteropbevaring" in fold(context):
        return "winter"
    return None


def _party(row: TariffRow) -> Optional[str]:
    t = fold(" ".join(row.headings) + " " + row.label)
    if "faste lejere" in t or "fastligger" in t:
        return "resident"
    if "gaest" in t:
        return "guest"
    return None


def _half(label: str) -> Optional[str]:
    t = fold(label)
    if "(1. halvaar)" in t:
        return "half_year_1"
    if "(2. halvaar)" in t:
        return "half_year_2"
    return None


def _mast(label: str) -> Optional[bool]:
    t = fold(label)
    if "uden mast" in t:
        return False
    if "med mast" in t:
        return True
    return None


_SESSION_WORDS = {"en bestemt": Decimal(1), "to": Decimal(2), "tre": Decimal(3)}


def _sessions(label: str) -> Optional[Any]:
    """Bath times per week in the warm-water pool: 1, 2, 3 or "all"."""
    t = fold(label)
    if "alle offentlige badetider" in t or "alle familietider" in t or "alle tider" in t:
        return "all"
    match = re.search(r"(en bestemt|to|tre) ugentlig", t)
    return _SESSION_WORDS[match.group(1)] if match else None


def _property(row: TariffRow) -> Optional[str]:
    """Waste fees: summer house or business instead of an ordinary home."""
    if row.section != "Affald og genbrug":
        return None
    t = fold(row.label + " " + row.subsection)
    if "sommerhus" in t:
        return "sommerhus"
    if "virksomheder" in t:
        return "erhverv"
    if "flerfamilie" in t or "containere til opsamling" in t:
        return "flerfamilie"
    return None


def _area(row: TariffRow) -> Optional[Band]:
    """Building cases: small (under 50 m²) or larger buildings."""
    if row.section != "Byggeri":
        return None
    t = fold(row.label)
    if re.search(r"over 50 m2", t):
        return Decimal(50), INF
    if re.search(r"under 50 m2", t):
        return Decimal(0), Decimal("49.99")
    return None


_STEP = Decimal("0.01")


def _duration(label: str) -> Optional[Band]:
    """A case-handling time in minutes: "op til 1 time", "mellem 1 og 5 timer", "over 5 timer"."""
    t = fold(label)
    match = re.search(r"(?:op til|under) " + _NUM + r" timer?\b", t)
    if match:
        return Decimal(0), _num(match[1]) * 60
    match = re.search(r"mellem " + _NUM + r" og " + _NUM + r" timer?\b", t)
    if match:
        return _num(match[1]) * 60 + _STEP, _num(match[2]) * 60
    match = re.search(r"over " + _NUM + r" timer?\b", t)
    if match:
        return _num(match[1]) * 60 + _STEP, INF * 1000
    return None


_LATE_DAYS_RE = re.compile(r"(\d+)\s?[-–]\s?(\d+) dage")


# "Lokale 7, 8 og 21 – …", "Lokale 10 – …": the numbers a label's first word names (a room,
# a hall, a lot), not an age band ("Pas 18-64 årige") or a size ("190 liter").
_NAMED_NUMBERS_RE = re.compile(r"^[^\W\d]+\s(\d+(?:(?:,\s*|\s+og\s+)\d+)*)(?=\s*(?:–|-\s|,|:|$))")


def _numbers_named(label: str) -> Optional[FrozenSet[Decimal]]:
    match = _NAMED_NUMBERS_RE.match(label)
    if not match:
        return None
    return frozenset(Decimal(n) for n in re.findall(r"\d+", match.group(1)))


def _late_days(row: TariffRow) -> Optional[Band]:
    """How many days late a library fine is for: "Overskrides lånetiden 1 – 7 dage" -> (1, 7)."""
    if row.section != "Bibliotek":
        return None
    match = _LATE_DAYS_RE.search(fold(row.label))
    return (Decimal(match.group(1)), Decimal(match.group(2))) if match else None


def _basis(row: TariffRow) -> Optional[str]:
    return {"percent": "income", "promille": "value"}.get(row.kind)


_UNIT_PERIOD = {"day": "day", "week": "week", "month": "month", "quarter": "quarter",
                "half_year": "half_year", "year": "year", "hour": "hour",
                "started_hour": "hour", "season": "season", "m2_year": "year",
                "m2_season": "season", "m2_day": "day"}


PLACE_MAX = 4  # ask "which place?" only when the rows come from at most this many sections


_PROFILES: Dict[Tuple[str, int], Dict[str, Any]] = {}


def profile(row: TariffRow) -> Dict[str, Any]:
    """The attributes a row states (only those that are present); cached per row."""
    key = (row.id, row.line)
    cached = _PROFILES.get(key)
    if cached is None or cached.get("place") != row.section:
        cached = _PROFILES[key] = _profile(row)
    return cached


def _profile(row: TariffRow) -> Dict[str, Any]:
    label = row.label
    context = " ".join(row.headings)
    found: Dict[str, Any] = {
        "category": _category(label),
        "age": _age_band(label) or _age_band(context),
        "day": _day(label) or _day(context),
        "liters": _first(r"(\d+) liter", label),
        "m3": _m3_band(label),
        "emptyings": _first(_NUM + r" (?:toemn|afhentninger)", label),
        "card": _card(row),
        "household": _household(label),
        "season": _season(label, context),
        "party": _party(row),
        "tons": _tons(label),
        "boat_length": _boat_length(label),
        "lesson_minutes": _first(r"(\d+) min om ugen", label),
        "weekly_hours": _weekly_hours(label),
        "grade": _grade(label),
        "half": _half(label),
        "motion": ("motion" in fold(context)) if row.section == "Køge Svømmeland" else None,
        "period": _UNIT_PERIOD.get(row.unit),
        "place": row.section,
        "mast": _mast(label),
        "sessions": _sessions(label),
        "open_days": _first(r"(\d+) aabningsdage", label),
        "property": _property(row),
        "basis": _basis(row),
        "area": _area(row),
        "duration": _duration(label),
        "late_days": _late_days(row),
        "number": _numbers_named(label),
    }
    if found["age"] is None and found["category"] in _IMPLICIT_AGE:
        found["age"] = _IMPLICIT_AGE[found["category"]]
    return {k: v for k, v in found.items() if v is not None}


# ------------------------------------------------------------------------- the question
_SINGLE_WORDS = frozenset("enkeltbillet enkeltbilletter enkelt billet billetter engangsbillet".split())
_MOTION_WORDS = frozenset("motion fitness traening styrketraening".split())
_SUMMER_HOUSE = frozenset("sommerhus sommerhuse sommerhuset sommerbolig".split())
_BUSINESS = frozenset("virksomhed virksomheder virksomheden firma firmaer firmaet erhverv "
                      "erhvervsdrivende butik".split())
_MULTI_FAMILY = frozenset("flerfamilie flerfamiliebolig flerfamilieboliger etageejendom "
                          "etagebolig boligforening andelsforening ejerforening boligselskab "
                          "opgang".split())
# Words that say which kind of property or holder a bill is for, wherever they stand in a
# message: items of one bill share them (knowledge/tariffs/items.py).
PROPERTY_WORDS = _SUMMER_HOUSE | _BUSINESS | _MULTI_FAMILY
_VALUE_WORDS = frozenset("grundvaerdi grundvaerdien ejendomsvaerdi vurdering vaerdi grundskyld "
                         "daekningsafgift ejendomsskat".split())


def wanted(query: PriceQuery, pins: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """What the question says about each attribute (only the attributes it says something about)."""
    words = set(query.words)
    want: Dict[str, Any] = {}
    if query.age is not None and query.age_max is not None:
        want["age"] = (Decimal(query.age), Decimal(query.age_max))  # "0-3 år": a band
    elif query.age is not None:
        want["age"] = Decimal(query.age)
    if query.category:
        want["category"] = query.category
    if query.day:
        want["day"] = query.day
    for name in ("liters", "emptyings", "tons", "boat_length", "household", "season", "party"):
        value = getattr(query, name)
        if value is not None:
            want[name] = value
    if query.m3 is not None:
        want["m3"] = query.m3
    if query.m2 is not None:
        want["area"] = query.m2
    if query.minutes:
        duration = Decimal(query.minutes)
        if "below" in query.extras:
            duration -= Decimal("0.5")
        elif "above" in query.extras:
            duration += Decimal("0.5")
        want["duration"] = duration
    if query.lesson_minutes is not None:
        want["lesson_minutes"] = Decimal(query.lesson_minutes)
    elif query.minutes and query.minutes <= 60 and not query.extras:
        # "40 min på klaver": a lesson's length where rows state one (only music lessons do)
        want["lesson_minutes"] = Decimal(query.minutes)
    if query.weekly_hours is not None:
        want["weekly_hours"] = Decimal(query.weekly_hours)
    if query.grade is not None:
        want["grade"] = Decimal(query.grade)
    for flag in ("half_year_1", "half_year_2"):
        if flag in query.extras:
            want["half"] = flag
    card = _wanted_card(query, words)
    if card:
        want["card"] = card
    period = _wanted_period(query)
    if period:
        want["period"] = period
    if words & _MOTION_WORDS:
        want["motion"] = True
    if "mast" in query.extras:
        want["mast"] = True
    elif "no_mast" in query.extras:
        want["mast"] = False
    if words & _SUMMER_HOUSE:
        want["property"] = "sommerhus"
    elif words & _BUSINESS:
        want["property"] = "erhverv"
    elif words & _MULTI_FAMILY:
        want["property"] = "flerfamilie"
    if query.income is not None:
        want["basis"] = "income"
    elif query.money is not None and any(w.startswith(v) for w in fold(query.text).split()
                                         for v in _VALUE_WORDS):
        want["basis"] = "value"
    if "alle" in fold(query.text).split() and "sessions" not in want:
        want["sessions"] = "all"
    want.update({k: pin_value(k, v) for k, v in (pins or {}).items()})
    return want


def _wanted_card(query: PriceQuery, words: set) -> Optional[str]:
    if query.trips in (5, 10):
        return f"trips{query.trips}"
    if query.period in ("month", "quarter", "half_year", "year", "day") and query.period:
        if query.per != "day":
            return query.period
    if words & _SINGLE_WORDS or (query.count and query.count > 0):
        return "single"
    return None


def _wanted_period(query: PriceQuery) -> Optional[str]:
    if query.minutes:
        return "hour"
    if query.days:
        return "day"
    if query.weeks:
        return "week"
    if query.months in (1,):
        return "month"
    if query.months == 3:
        return "quarter"
    if query.months == 6:
        return "half_year"
    if query.months == 12:
        return "year"
    if query.months:
        return "month"
    return query.period


def pin_value(name: str, value: Any) -> Any:
    """A button value as stored in the context ("12" -> Decimal for numeric attributes)."""
    if name in ("liters", "emptyings", "lesson_minutes") or name in RANGE_DIMS:
        if isinstance(value, str) and "-" in value and name in RANGE_DIMS:
            low, high = value.split("-", 1)
            return (_num(low), _num(high) if high else INF)
        return _num(str(value))
    if name in ("motion", "mast"):
        return value in (True, "true", "ja", "1")
    if name == "sessions":
        return value if value == "all" else _num(str(value))
    if name == "open_days":
        return _num(str(value))
    return value


# ------------------------------------------------------------------------- matching
def fits(name: str, have: Any, want: Any) -> bool:
    """Does a row's value ``have`` satisfy the wanted value for attribute ``name``?"""
    if name == "day":
        return want in have
    if isinstance(have, tuple):  # a band
        if isinstance(want, tuple):  # a band asked ("0-3 år"): the row's band holds all of it
            return have[0] <= want[0] and want[1] <= have[1]
        return have[0] <= want <= have[1]
    return have == want


def _closest(name: str, rows: List[TariffRow], want: Any) -> List[TariffRow]:
    """Where bands meet at the value (pas 0-2 / 2-11 for a 2-year-old), keep the band that
    starts there; for boat weight/length keep the smallest band that is big enough."""
    if name in RANGE_DIMS and isinstance(want, tuple):
        # a band asked: the tightest row band that holds it ("op til 6 tons", not "op til 12")
        bands = {profile(r)[name] for r in rows if name in profile(r)}
        if len(bands) < 2:
            return rows
        tight = min(bands, key=lambda b: (b[1] - b[0], b[0]))
        return [r for r in rows if profile(r).get(name) in (tight, None)]
    if name not in RANGE_DIMS:
        return rows
    bands = {profile(r)[name] for r in rows if name in profile(r)}
    if len(bands) < 2:
        return rows
    if name in ("tons", "boat_length", "m3"):
        best = min(bands, key=lambda b: (b[1], -b[0]))
        return [r for r in rows if profile(r).get(name) in (best, None)]
    starting = {b for b in bands if b[0] == want}
    ending = {b for b in bands if b[1] == want}
    if starting and ending:
        return [r for r in rows if profile(r).get(name) not in ending]
    return rows


@lru_cache(maxsize=1)
def _sections_with() -> Dict[str, FrozenSet[str]]:
    """attribute -> the sections where some row of the whole catalogue states it."""
    from knowledge.tariffs.search import get_catalogue  # local import: avoid a cycle

    found: Dict[str, set] = {}
    for row in get_catalogue().rows:
        for name in profile(row):
            found.setdefault(name, set()).add(row.section)
    return {name: frozenset(sections) for name, sections in found.items()}


# Attributes read from common words ("dagkort", "om vinteren"): they must not throw out rows
# of sections where they play no role (the marina's "Dagkort, slæbested" has no card type).
SECTION_BOUND = frozenset({"card", "period", "season"})


def _neutral(row: TariffRow, name: str) -> bool:
    """A row of a section where the attribute plays no role at all."""
    return name in SECTION_BOUND and name not in profile(row) and \
        row.section not in _sections_with().get(name, ())


_BERTH_RE = re.compile(r"\d m pladser")


def _filter(rows: List[TariffRow], name: str, want: Any) -> Tuple[List[TariffRow], bool]:
    """Rows that fit. A row that does not state the attribute goes when some row states it,
    unless the attribute plays no role in the row's section at all. (rows, conflict)."""
    having = [r for r in rows if name in profile(r)]
    if name == "boat_length":
        berths = [r for r in having if _BERTH_RE.search(fold(r.label))]
        if berths and not any(fits(name, profile(r)[name], want) for r in berths):
            # a berth length the marina's rates do not list ("9 m plads"): those rates stay
            # candidates as if they stated no length (never a confident row of another length)
            having = [r for r in having if r not in berths]
    if not having:
        return rows, False
    if name == "category" and want in ("barn", "ung", "voksen", "pensionist") and \
            all(profile(r).get("category") is None for r in having):
        return rows, False
    matching = [r for r in having if fits(name, profile(r)[name], want)]
    if not matching and name == "category":
        return rows, False
    if not matching and name in ROUND_UP_DIMS and not isinstance(want, tuple):
        matching = _next_band_up(having, name, want)
    if not matching:
        return rows, True
    kept = set(id(r) for r in _closest(name, matching, want))
    return [r for r in rows if id(r) in kept or _neutral(r, name)], False


# Between two bands the dearer place is needed: 40 hours a week is more than the 30-hour
# place allows, so it is the "48 ugentlige timer og derover" (full-time) place.
ROUND_UP_DIMS = frozenset({"weekly_hours"})


def _next_band_up(rows: List[TariffRow], name: str, want: Any) -> List[TariffRow]:
    above = [r for r in rows if profile(r)[name][0] > want]
    if not above or not any(profile(r)[name][1] < want for r in rows):
        return []
    low = min(profile(r)[name][0] for r in above)
    return [r for r in above if profile(r)[name][0] == low]


def _age_implies_category(want: Dict[str, Any], rows: Sequence[TariffRow]) -> None:
    """With an explicit age, the category follows from the age band (not vice versa); where
    rows state only age bands, a category stands for a typical age ("pas til voksen")."""
    if "age" in want and want.get("category") in ("barn", "ung", "voksen", "pensionist"):
        want.pop("category")
        return
    category = want.get("category")
    if category == "barn" and "age" not in want:
        _child_band(want, rows)
        return
    if category in CATEGORY_AGE and "age" not in want:
        stated = [r for r in rows if "age" in profile(r)]
        if stated and not any("category" in profile(r) for r in stated):
            want["age"] = CATEGORY_AGE[category]
            want.pop("category")


CHILD_MAX_AGE = Decimal(14)


def _child_band(want: Dict[str, Any], rows: Sequence[TariffRow]) -> None:
    """"Pas barn": where rows state only age bands, a child is any band below 14 years; when
    those bands cost the same (or there is one), the child band answers."""
    stated = [r for r in rows if "age" in profile(r)]
    if len(stated) < 2 or len(stated) < len(rows) or \
            any("category" in profile(r) for r in stated):
        return
    # every band a child (under 14) can fall in: "Pas 12-17 årige" too, for a 12- or 13-year-old
    child = [r for r in stated if profile(r)["age"][0] < CHILD_MAX_AGE]
    if not child:
        return
    prices = {(r.kind, tuple(a.value for a in r.amounts), r.text_price) for r in child}
    if len(prices) == 1:
        want["age"] = max(profile(r)["age"][0] for r in child)
        want.pop("category")


def loose_numbers(query: PriceQuery) -> List[Decimal]:
    """Numbers in the question that no attribute explains on its own."""
    found = list(query.numbers)
    if query.minutes:
        found.append(Decimal(query.minutes))
        if query.minutes % 60 == 0:
            found.append(Decimal(query.minutes // 60))
    # a count of persons ("3 pensionister") says how many pay, not which row
    count = None if (query.category or query.people) else query.count
    for value in (query.days, count, query.trips, query.age, query.weeks):
        if value:
            found.append(Decimal(value))
    return found


def _settle_loose(rows: List[TariffRow], want: Mapping[str, Any], numbers: List[Decimal],
                  days: Sequence[Decimal] = ()) -> List[TariffRow]:
    """Use a bare number for a numeric attribute the rows differ in ("juniorklub 4 dage");
    a band of days late only by a number of days ("10 dage for sent", not an age)."""
    for name in LOOSE_DIMS:
        candidates = list(days) if name in LOOSE_RANGE_DIMS else numbers
        if name in want or not candidates:
            continue
        having = [r for r in rows if name in profile(r)]
        values = {profile(r)[name] for r in having}
        if len(values) < 2:
            continue
        matching = [r for r in having
                    if any(_fits_number(profile(r)[name], n, name in LOOSE_RANGE_DIMS) for n in candidates)]
        if matching and len(matching) < len(having):
            rows = matching
    return rows


def _fits_number(have: Any, number: Decimal, inside: bool = False) -> bool:
    if isinstance(have, frozenset):  # "lokale 1": one of the numbers the label names
        return number in have
    if isinstance(have, tuple):  # a band: only its stated bounds count ("30 timer", "48 timer")
        return have[0] <= number <= have[1] if inside else number in have
    return isinstance(have, Decimal) and have == number


def choose(rows: Sequence[TariffRow], query: PriceQuery,
           pins: Optional[Mapping[str, Any]] = None) -> Choice:
    """Narrow ``rows`` (best first) with the question's attributes; say what to ask if needed."""
    want = wanted(query, pins)
    _age_implies_category(want, rows)
    current = list(rows)
    conflicts: List[str] = []
    for name in ASK_ORDER:
        if name in want:
            current, conflict = _filter(current, name, want[name])
            if conflict:
                conflicts.append(name)
    for name, default in DEFAULTS.items():
        if name not in want:
            kept = [r for r in current if profile(r).get(name, default) == default]
            current = kept or current
    current = _settle_loose(current, want, loose_numbers(query),
                            [Decimal(query.days)] if query.days else [])
    if len(current) <= 1:
        return Choice(tuple(current), conflicts=tuple(conflicts))
    ask = _attribute_to_ask(current, want)
    hint = _soft_hint(query, ask)
    if hint is not None:
        hinted, conflict = _filter(current, ask, hint)
        if not conflict and len(hinted) < len(current):
            want = {**want, ask: hint}
            current = hinted
            if len(current) <= 1:
                return Choice(tuple(current), conflicts=tuple(conflicts))
            ask = _attribute_to_ask(current, want)
    if ask is None:
        return Choice(tuple(current), conflicts=tuple(conflicts))
    return Choice(tuple(current), ask, _options(current, ask), tuple(conflicts))


def _without_period(label: str) -> str:
    """A label up to its period: "Gæstepladser … pr. uge" -> "gaestepladser …"."""
    text = re.split(r"\bpr\.?\s", fold(label), maxsplit=1)[0]
    return " ".join(text.replace("aarligt", " ").split())


# Words that suggest a value without saying it: used only instead of asking, never to throw
# out rows that match the question better ("småbørnsgruppe børnehave" stays 2-3 år).
SOFT_HINTS: Dict[str, Tuple[str, Any]] = {
    "boernehave": ("age", Decimal(4)), "boernehaven": ("age", Decimal(4)),
    "boernehaveplads": ("age", Decimal(4)), "kindergarten": ("age", Decimal(4)),
}


def _soft_hint(query: PriceQuery, ask: Optional[str]) -> Optional[Any]:
    if ask == "household" and (query.category or query.age is not None or query.minor) \
            and (query.count or 1) == 1 and len(query.people) <= 1:
        return "personlig"  # "10-turskort til en voksen": one person, not the family card
    for word in query.words:
        hint = SOFT_HINTS.get(word)
        if hint and hint[0] == ask:
            return hint[1]
    return None


def _attribute_to_ask(rows: List[TariffRow], want: Mapping[str, Any]) -> Optional[str]:
    """The first attribute (in :data:`ASK_ORDER`) most rows state and that differs between them.

    Rows that do not state it are dropped once the user answers (see :func:`_filter`), so an
    attribute stated by at least :data:`ASK_SHARE` of the rows is still worth asking.
    """
    for name in ASK_ORDER:
        if name in want:
            continue
        values = [profile(r)[name] for r in rows if name in profile(r)]
        if len(values) < ASK_SHARE * len(rows):
            continue
        if name == "place" and len(set(values)) > PLACE_MAX:
            continue
        if name == "period" and len({_without_period(r.label) for r in rows}) > 1:
            continue  # "pr. døgn / uge / måned" only for variants of one and the same thing
        if len(set(values)) > 1:
            return name
    return None


# ------------------------------------------------------------------------- buttons
_CATEGORY_TITLES = {"voksen": "Voksen", "ung": "Ungdom (15-17 år) / studerende",
                    "pensionist": "Pensionist", "barn": "Barn", "institution": "Institution"}
_CARD_TITLES = {"single": "Enkeltbillet", "trips5": "5-turskort", "trips10": "10-turskort",
                "month": "Månedskort", "quarter": "3 måneders kort", "half_year": "½ års kort",
                "year": "Årskort", "day": "Dagkort / pr. døgn", "hour": "Pr. time"}
_PERIOD_TITLES = {"hour": "Pr. time", "day": "Pr. døgn/dag", "week": "Pr. uge",
                  "month": "Pr. måned", "quarter": "Pr. kvartal", "half_year": "Pr. halvår",
                  "year": "Pr. år", "season": "Hele sæsonen"}
_SIMPLE_TITLES: Dict[str, Dict[str, str]] = {
    "household": {"personlig": "Kun mig (personligt)", "familie": "Familie"},
    "season": {"summer": "Sommersæson", "winter": "Vintersæson"},
    "party": {"resident": "Fast lejer", "guest": "Gæst"},
    "half": {"half_year_1": "1. halvår", "half_year_2": "2. halvår"},
    "motion": {"False": "Kun svømning", "True": "Motion inkl. svømning"},
    "mast": {"False": "Uden mast", "True": "Med mast"},
    "property": {"bolig": "Enfamiliebolig", "sommerhus": "Sommerhus", "erhverv": "Virksomhed",
                 "flerfamilie": "Flerfamiliebolig / forening"},
    "basis": {"income": "Af en indkomst (procent)", "value": "Af en ejendomsværdi (promille)"},
    "sessions": {"1": "1 bestemt badetid om ugen", "2": "2 badetider om ugen",
                 "3": "3 badetider om ugen", "all": "Alle badetider"},
}
# Values sent back by the buttons: plain Danish words where the parser understands them.
_DAY_REPLIES = (("weekday", "Hverdag (mandag-fredag)", "hverdag"),
                ("weekend", "Weekend / helligdag", "weekend"))
QUESTIONS: Dict[str, str] = {
    "duration": "Hvor lang tid tager sagsbehandlingen?",
    "category": "Hvem er det til?",
    "age": "Hvor gammel er personen?",
    "day": "Er det på en hverdag eller i weekenden?",
    "card": "Hvilken slags billet eller kort?",
    "liters": "Hvor stor er beholderen?",
    "m3": "Hvor stor er beholderen/containeren?",
    "emptyings": "Hvor mange tømninger om året?",
    "household": "Er det til dig alene eller til familien?",
    "season": "Hvilken sæson?",
    "party": "Er du fast lejer eller gæst?",
    "tons": "Hvor meget vejer båden?",
    "boat_length": "Hvor lang er båden?",
    "lesson_minutes": "Hvor mange minutter om ugen?",
    "weekly_hours": "Hvor mange timer om ugen?",
    "grade": "Hvilket klassetrin går barnet i?",
    "half": "Hvilket halvår?",
    "motion": "Kun svømning, eller motion inklusiv svømning?",
    "period": "For hvor lang en periode?",
    "place": "Hvor tænker du på?",
    "mast": "Er det med eller uden mast?",
    "property": "Hvilken slags ejendom er det?",
    "basis": "Er det skat af en indkomst eller af en ejendom?",
    "sessions": "Hvor mange badetider om ugen?",
    "open_days": "Hvor mange åbningsdage?",
    "area": "Hvor stor er bygningen?",
    "late_days": "Hvor mange dage for sent blev materialerne afleveret?",
}


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _band_title(name: str, band: Band) -> Tuple[str, str]:
    low, high = band
    if name == "duration":
        pin = f"{name}:{low}-{high}"
        hours = [_fmt((low - _STEP) / 60) if low else "0", _fmt(high / 60)]
        if not low:
            return f"Op til {hours[1]} time{'r' if high > 60 else ''}", pin
        if high >= INF:
            return f"Over {hours[0]} timer", pin
        return f"Mellem {hours[0]} og {hours[1]} timer", pin
    if name == "area":
        return ("Under 50 m²", "area:0-49.99") if high != INF else ("50 m² eller mere", "area:50-")
    unit = {"age": "år", "tons": "tons", "boat_length": "m", "m3": "m³",
            "weekly_hours": "timer om ugen", "grade": "klasse", "late_days": "dage for sent"}[name]
    if name == "grade":
        return f"{_fmt(low)}.-{_fmt(high)}. klasse", f"{name}:{low}-{high}"
    if high == INF:
        return f"{_fmt(low)} {unit} og derover", f"{name}:{low}-"
    if low == 0 and name in ("tons", "boat_length", "weekly_hours"):
        return f"Op til {_fmt(high)} {unit}", f"{name}:{low}-{high}"
    if low == high:
        return f"{_fmt(low)} {unit}", f"{name}:{low}-{high}"
    return f"{_fmt(low)}-{_fmt(high)} {unit}", f"{name}:{low}-{high}"


def _options(rows: List[TariffRow], name: str) -> Tuple[Tuple[str, str], ...]:
    """(button title, reply value) for every distinct value of ``name`` among ``rows``."""
    values: List[Any] = []
    for row in rows:
        value = profile(row).get(name)
        if value is not None and value not in values:
            values.append(value)
    if name == "day":
        present = set().union(*values)
        return tuple((title, reply) for key, title, reply in _DAY_REPLIES if key in present)
    if isinstance(values[0], tuple):
        values.sort()
        return tuple(_band_title(name, v) for v in values)
    if all(isinstance(v, Decimal) for v in values):
        values.sort()
        unit = {"liters": "liter", "emptyings": "tømninger om året", "open_days": "åbningsdage",
                "lesson_minutes": "min. om ugen"}.get(name, "")
        return tuple((f"{_fmt(v)} {unit}", f"{name}:{v}") for v in values)
    titles = {"category": _CATEGORY_TITLES, "card": _CARD_TITLES, "period": _PERIOD_TITLES,
              **_SIMPLE_TITLES}.get(name, {})
    return tuple((titles.get(str(v), str(v)), f"{name}:{_reply_value(v)}") for v in values)


def _reply_value(value: Any) -> str:
    """Button value for a plain attribute value (booleans as "true"/"false")."""
    return str(value).lower() if isinstance(value, bool) else str(value)
