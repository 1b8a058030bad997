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


# ------------------------------------------------------------------------- calculations
def _area(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    if q.m2 is None or row.unit not in ("m2", "m2_year", "m2_day", "m2_season"):
        return None
    rate = amount_for(row)
    if rate is None:
        return None
    if row.unit == "m2_day" and "mindstepris" in fold(row.label):
        return None  # a minimum price with a threshold: the label states the rule itself
    total = to_money(q.m2 * rate)
    basis = {"m2_year": " pr. år", "m2_day": " pr. dag", "m2_season": " pr. sæson"}.get(row.unit, "")
    days = ""
    if row.unit == "m2_day" and q.days and q.days > 1:
        total = to_money(total * q.days)
        days = f" × {q.days} dage"
        basis = ""
    return Calculation(total, f"{_num(q.m2)} m² × {kr(rate)}{days} = {kr(total)}{basis}")


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
    for unit, count, one, many in (
        ("day", q.days, "døgn", "døgn"), ("event_day", q.days, "dag", "dage"),
        ("week", q.weeks, "uge", "uger"), ("month", q.months, "måned", "måneder"),
    ):
        if row.unit == unit and count and count > 1:
            total = to_money(rate * count)
            return Calculation(total, f"{count} {many} × {kr(rate)} = {kr(total)}")
    return None


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


def _music_rate(row: TariffRow, q: PriceQuery) -> Optional[Calculation]:
    """Music school: 25 % off for the second and later siblings / subjects."""
    if row.section != "Køge Musikskole" or row.kind != "amount" or row.unit != "rate":
        return None
    rate = row.amounts[0].value
    siblings = q.children if q.children and q.children > 1 else None
    subjects = q.subjects if q.subjects and q.subjects > 1 else None
    if not (siblings or subjects):
        return None
    n = siblings or subjects
    discounted = to_money(rate * (1 - MUSIC_DISCOUNT))
    total = to_money(rate + discounted * (n - 1))
    what = "søskende" if siblings else "fag"
    rule = ("søskenderabat 25 % for anden og efterfølgende søskende" if siblings else
            "25 % rabat for andet og efterfølgende fag, beregnet på de billigste fag")
    return Calculation(
        total,
        f"1 × {kr(rate)} + {n - 1} × {kr(discounted)} ({rule}) = {kr(total)} pr. rate "
        f"for {n} {what}",
    )


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
    per_person_day = row.unit == "day" and (q.days or 1) == 1 and \
        any(w in fold(row.label) for w in ("dagkort", "dagsbillet", "dagbillet"))
    label = fold(f"{row.label} {row.subsection}")
    # "4 voksne ... voksenkort": a personal card for each of the persons counted
    per_person_card = bool(q.category) and "kort" in label and "famil" not in label
    if not count or count < 2 or (row.unit not in ("ticket", "piece", "once", "visit", "rate")
                                  and not per_person_day and not per_person_card):
        return None
    rate = amount_for(row, q.per)
    if rate is None:
        return None
    total = to_money(rate * count)
    return Calculation(total, f"{count} × {kr(rate)} = {kr(total)}")


CALCULATORS: Tuple[Callable[[TariffRow, PriceQuery], Optional[Calculation]], ...] = (
    _per_mille, _percent, _area, _started_blocks, _hourly, _music_rate, _library_child,
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
