"""Arithmetic over one price-list row, with the working shown in Danish.

Everything is :class:`~decimal.Decimal`; every rate comes from the row itself (its amounts,
its unit, or the rule its notes state). :func:`calculate` returns ``None`` when the question
gives nothing to compute for that row.

Supported: per m² (rat control, marina water area, street trade), per mille of a property
value (grundskyld, dækningsafgift), percent of an income (personskat, kirkeskat), hourly
rates charged per started 15 minutes (building cases), per started hour / half hour, plain
hourly and daily rates (parking, hall hire, marina), weeks and months, multiples
("3 voksenbilletter"), month -> year (SFO: 11 months), the music school's sibling and
subject discounts, and the library's half price for children under 14.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, List, Optional, Tuple

from knowledge.money import format_decimal, format_kr, to_money
from knowledge.tariffs.catalogue import TariffRow
from knowledge.tariffs.query import PriceQuery
from knowledge.text import fold

MUSIC_DISCOUNT = Decimal("0.25")   # "-25%" in the music school's notes (checked in _music_rate)


@dataclass(frozen=True)
class Calculation:
    """A computed total and the Danish working that produced it."""

    total: Decimal
    working: str


def kr(value: Decimal) -> str:
    """Money for a working line: "1.070,00 kr."."""
    return format_kr(value)


def _num(value: Decimal) -> str:
    """A quantity in Danish notation without needless decimals: 2,5 / 150 / 1.200.000."""
    places = max(0, -value.normalize().as_tuple().exponent)
    return format_decimal(value, places)


def amount_for(row: TariffRow, per: Optional[str] = None) -> Optional[Decimal]:
    """The row's money amount; for a double price the one for ``per`` (meeting/day)."""
    if row.kind == "amount" and row.amounts:
        return row.amounts[0].value
    if row.kind == "double" and per:
        wanted = "møde" if per == "meeting" else "dag"
        for amount in row.amounts:
            if wanted in amount.what:
                return amount.value
    return None


def _has_note(row: TariffRow, phrase: str) -> bool:
    return any(phrase in fold(note) for note in row.notes)


AREA_UNITS = ("m2", "m2_year", "m2_day", "m2_season")
TIME_UNITS = ("hour", "started_hour", "started_30_min")


def measure_fits(row: TariffRow, q: PriceQuery) -> bool:
    """Does the question state a measured quantity this row is priced by: an area for a price
    per m², cubic metres for a price per m³, a duration for an hourly rate, an income or a
    value for a percent or promille rate? (Evidence for the row beside its words.)"""
    return ((q.m2 is not None and row.unit in AREA_UNITS)
            or (q.m3 is not None and row.unit == "m3")
            or (bool(q.minutes) and not {"below", "above"} & set(q.extras) and row.unit in TIME_UNITS)
            or (q.income is not None and row.kind == "percent")
            or (q.money is not None and row.kind in ("promille", "percent")))


# ------------------------------------------------------------------------- calculations
def _area(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    if q.m2 is None or row.unit not in AREA_UNITS:
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    if row.unit == "m2_day" and "mindstepris" in fold(row.label):
        return None  # a minimum price with a threshold: the label states the rule itself
    total = to_money(q.m2 * rate)
    basis = {"m2_year": " pr. år", "m2_day": " pr. dag", "m2_season": " pr. sæson"}.get(row.unit, "")
    area = _num(q.m2)
    if len(q.area_parts) > 1:  # "650 m2 og 130 m2": the sum shown first
        area = f"{' m² + '.join(_num(p) for p in q.area_parts)} m² = {area}"
    days = ""
    if row.unit == "m2_day" and q.days and q.days > 1:
        total = to_money(total * q.days)
        days = f" × {q.days} dage"
        basis = ""
    return Calculation(total, f"{area} m² × {kr(rate)}{days} = {kr(total)}{basis}")


def _volume(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """A price per m³ (water at the marina) times the cubic metres used."""
    if q.m3 is None or row.unit != "m3":
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    total = to_money(q.m3 * rate)
    return Calculation(total, f"{_num(q.m3)} m³ × {kr(rate)} = {kr(total)}")


def _share_of_value(row: TariffRow, value: Optional[Decimal], kind: str, per: int,
                    sign: str, suffix: str = "") -> Optional[Calculation]:
    """A promille or percent row applied to a value (a property value, an income)."""
    if row.kind != kind or not row.amounts or value is None:
        return None
    rate = row.amounts[0].value
    total = to_money(value * rate / Decimal(per))
    return Calculation(total, f"{kr(value)} × {format_decimal(rate, None)} {sign} = {kr(total)}{suffix}")


def _per_mille(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Grundskyld, dækningsafgift: promille of a property value (or of the amount given)."""
    value = q.money if q.money is not None else q.income
    return _share_of_value(row, value, "promille", 1000, "‰", " pr. år")


def _percent(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Personskat, kirkeskat: percent of an income (or of the amount given)."""
    value = q.income if q.income is not None else q.money
    return _share_of_value(row, value, "percent", 100, "%")


def _started(minutes: int, block: int) -> int:
    return max(1, math.ceil(minutes / block))


def _hours_phrase(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} {'time' if hours == 1 else 'timer'}")
    if rest:
        parts.append(f"{rest} min.")
    return " og ".join(parts) or "0 min."


def _started_blocks(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Hourly rates charged per started 15/30/60 minutes."""
    if not q.minutes or {"below", "above"} & set(q.extras):  # "over 5 timer" is no duration
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    if row.unit == "hour" and _has_note(row, "paabegyndt 15 minutter"):
        block, per_block, name = 15, rate / 4, "påbegyndte kvarter"
    elif row.unit == "started_30_min":
        block, per_block, name = 30, rate, "påbegyndte halve timer"
    elif row.unit == "started_hour":
        block, per_block, name = 60, rate, "påbegyndte timer"
    else:
        return None
    count = _started(q.minutes, block)
    total = to_money(per_block * count)
    intro = f"{_hours_phrase(q.minutes)} = "
    if block == 15:
        intro += f"{count} {name} × {kr(per_block)} ({kr(rate)} pr. time / 4)"
    else:
        intro += f"{count} {name} × {kr(per_block)}"
    return Calculation(total, f"{intro} = {kr(total)}")


def _hourly(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """A plain hourly rate (parking, hall hire) times the hours asked for."""
    if not q.minutes or row.unit != "hour" or _has_note(row, "paabegyndt") or \
            {"below", "above"} & set(q.extras):
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    hours = Decimal(q.minutes) / Decimal(60)
    total = to_money(rate * hours)
    return Calculation(total, f"{_num(hours.normalize())} timer × {kr(rate)} = {kr(total)}")


def _periods(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Several days, weeks or months of a daily/weekly/monthly price."""
    if row.unit == "meeting_or_day" and q.days and q.days > 1 and q.per != "meeting":
        day_rate = amount_for(row, "day")
        if day_rate is not None:
            total = to_money(day_rate * q.days)
            return Calculation(total, f"{q.days} dage × {kr(day_rate)} = {kr(total)}")
    rate = amount_for(row, q.per)
    if rate is None:
        return None
    days, days_from = q.days, ""
    if row.unit == "day" and _per_night_or_day(row):
        if not days and q.weeks:  # "aflastning i 2 uger" at a price per døgn
            days, days_from = q.weeks * 7, f"{q.weeks} uger = "
        elif not days and q.frequency:
            days = q.frequency[0] * q.frequency[1]
            days_from = f"{q.frequency[0]} dage om ugen i {q.frequency[1]} uger = "
    if q.month_span and days and row.unit == "day":
        days_from = f"{_span_name(q.month_span)} = "
    months_from = f"{_span_name(q.month_span)} = " if q.month_span and row.unit == "month" else ""
    for unit, count, one, many, before in (
        ("day", days, "døgn", "døgn", days_from), ("event_day", q.days, "dag", "dage", ""),
        ("week", q.weeks, "uge", "uger", ""), ("month", q.months, "måned", "måneder", months_from),
    ):
        if row.unit == unit and count and count > 1:
            total = to_money(rate * count)
            if unit in ("day", "event_day"):
                many = "døgn" if "doegn" in fold(f"{row.label} {row.subsection}") else "dage"
            return Calculation(total, f"{before}{count} {many} × {kr(rate)} = {kr(total)}")
    return None


def _per_night_or_day(row: TariffRow) -> bool:
    """A price per døgn or per day of a stay or service (not a day ticket for one visit)."""
    label = fold(row.label)
    return not any(w in label for w in ("kort", "billet"))


def _span_name(span: str) -> str:
    """"januar-juni" -> "januar–juni"."""
    return span.replace("-", "–")


def _month_to_year(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """A monthly price asked for per year (SFO: paid 11 months a year)."""
    if row.unit != "month" or q.period != "year" or q.months:
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    months = 11 if "i 11 mdr" in fold(row.label) else 12
    total = to_money(rate * months)
    return Calculation(total, f"{months} måneder × {kr(rate)} = {kr(total)} pr. år")


_RATES_PER_YEAR_RE = re.compile(r"\b(\d+) rater pr\.? (?:skoleaar|aar)\b")


def rates_per_year(row: TariffRow) -> Optional[int]:
    """How many rates a year the list states for the row's section ("10 rater pr. skoleår")."""
    for text in (row.subsection, *row.headings, *row.notes):
        match = _RATES_PER_YEAR_RE.search(fold(text or ""))
        if match:
            return int(match.group(1))
    return None


def _school_year(per_rate: Decimal, rates: int, working: str = "") -> Calculation:
    """A price per rate asked for a (school) year: times the rates the list states."""
    total = to_money(per_rate * rates)
    year = f"et skoleår = {rates} rater: {rates} × {kr(per_rate)} = {kr(total)}"
    return Calculation(total, f"{working}; {year}" if working else year)


def _music_rate(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Music school: 25 % off for the second and later siblings / subjects; a whole school year
    is the rates the list states ("10 rater pr. skoleår")."""
    if row.section != "Køge Musikskole" or row.kind != "amount" or row.unit != "rate":
        return None
    rate = row.amounts[0].value
    rates = rates_per_year(row) if q.period == "year" else None
    siblings = q.children if q.children and q.children > 1 else None
    subjects = q.subjects if q.subjects and q.subjects > 1 else None
    if not (siblings or subjects):
        return _school_year(rate, rates) if rates and rate > 0 else None
    n = siblings or subjects
    discounted = to_money(rate * (1 - MUSIC_DISCOUNT))
    total = to_money(rate + discounted * (n - 1))
    what = "søskende" if siblings else "fag"
    rule = ("søskenderabat 25 % for anden og efterfølgende søskende" if siblings else
            "25 % rabat for andet og efterfølgende fag, beregnet på de billigste fag")
    working = (f"1 × {kr(rate)} + {n - 1} × {kr(discounted)} ({rule}) = {kr(total)} pr. rate "
               f"for {n} {what}")
    return _school_year(total, rates, working) if rates else Calculation(total, working)


def person_price(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """One person's own price where the list states a discount for who they are (the library's
    half price for children under 14); None when the row's amount applies as it stands."""
    return _library_child(row, q)


def _library_child(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Library: "Børn under 14 år betaler ½ pris for overskridelse og rykkere"."""
    if not _has_note(row, "boern under 14 aar betaler"):
        return None
    child = (q.age is not None and q.age < 14) or q.category == "barn" or q.minor and q.age is None
    if not child or "betales" not in fold(row.label):
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    total = to_money(rate / 2)
    return Calculation(total, f"Børn under 14 år betaler ½ pris: {kr(rate)} / 2 = {kr(total)}")


def _multiple(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """"3 voksenbilletter": a count times a ticket, piece or one-off price."""
    count = q.count
    if not count and row.unit == "visit":
        count = q.trips  # "kørsel til daghjem 10 ture": a price per trip
    if q.frequency and row.unit in ("visit", "ticket") and not q.trips:
        return _occasions(row, q)
    per_person_day = row.unit == "day" and (q.days or 1) == 1 and \
        any(w in fold(row.label) for w in ("dagkort", "dagsbillet", "dagbillet"))
    label = fold(f"{row.label} {row.subsection}")
    # "4 voksne ... voksenkort": a personal card for each of the persons counted
    per_person_card = bool(q.category) and "kort" in label and "famil" not in label
    # "12 månedslicenser", "3 månedskort": that many of a card or licence for a period
    period_card = row.unit in ("week", "month", "quarter", "half_year", "year") and \
        ("kort" in label or "licens" in label) and not q.months
    if not count or count < 2 or (row.unit not in ("ticket", "piece", "once", "visit", "rate")
                                  and not per_person_day and not per_person_card and not period_card):
        return None
    rate = amount_for(row, q.per)
    if rate is None:
        return None
    total = to_money(rate * count)
    return Calculation(total, f"{count} × {kr(rate)} = {kr(total)}")


def _occasions(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """"2 dage om ugen i 5 uger (og hjem igen)": times per week × weeks (× 2 trips each time)
    × persons, at a price per visit, trip or ticket."""
    rate = amount_for(row, q.per)
    if rate is None:
        return None
    per_week, weeks = q.frequency
    count = per_week * weeks
    steps = [f"{per_week} gange om ugen i {weeks} uger = {count} gange"]
    if "round_trip" in q.extras and "tur" in fold(row.label):
        count *= 2
        steps.append(f"ud og hjem = 2 ture hver gang = {count} ture")
    persons = q.count if q.count and q.count > 1 else 1
    if persons > 1:
        count *= persons
        steps.append(f"{persons} personer = {count} i alt")
    total = to_money(rate * count)
    return Calculation(total, f"{'; '.join(steps)}: {count} × {kr(rate)} = {kr(total)}")


CALCULATORS: Tuple[Callable[[TariffRow, PriceQuery], Optional[Calculation]], ...] = (
    _per_mille, _percent, _area, _volume, _started_blocks, _hourly, _music_rate, _library_child,
    _periods, _month_to_year, _multiple,
)


def calculate(row: TariffRow, query: PriceQuery) -> Optional[Calculation]:
    """The first calculation that applies to ``row`` for ``query``, or None."""
    for calculator in CALCULATORS:
        result = calculator(row, query)
        if result is not None:
            return result
    return None


def all_calculations(row: TariffRow, query: PriceQuery) -> List[Calculation]:
    """Every calculation that applies (for tests and the staff console)."""
    return [c for c in (f(row, query) for f in CALCULATORS) if c is not None]
