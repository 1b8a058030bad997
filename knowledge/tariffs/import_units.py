"""Unit (price basis) and amount typing for the price-list importer.

The basis of a price is read from, in this order: the price cell's own suffix (``12 kr. pr.
m2 pr. dag``, ``Timepris:``), the row label, the block's headings (nearest first, and only
patterns marked safe for headings), the text after the year (``2024 - pr. gang``), and last
the section's ``default_unit`` from ``tariff_sections.yml`` (only for money rows). The first
pattern that matches wins; patterns are ordered from specific to general.

Decision on building cases ("Timepris: 1.070,00 kr."): the amount is an hourly rate, so the
unit is ``hour``; the billing rule "charged per started 15 minutes" stays in the row's notes.
``started_15_min`` would make a consumer print "1.070,00 kr. pr. påbegyndt 15 minutter",
which is four times too much.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Pattern, Sequence, Tuple

from knowledge.money import parse_danish_number, to_money
from knowledge.tariffs.catalogue import Amount
from knowledge.tariffs.import_lines import NUMBER, PriceCell


@dataclass(frozen=True)
class UnitRule:
    """``pattern`` (case-insensitive) means ``unit``; ``headings`` allows it on headings."""

    pattern: Pattern[str]
    unit: str
    headings: bool = True


def _rule(pattern: str, unit: str, headings: bool = True) -> UnitRule:
    return UnitRule(re.compile(pattern, re.IGNORECASE), unit, headings)


UNIT_RULES: Tuple[UnitRule, ...] = (
    _rule(r"pr\. påbegyndt halve time|påbegyndt 30 min", "started_30_min"),
    _rule(r"pr\. påbegyndt 15 min", "started_15_min"),
    _rule(r"pr\. påbegyndt time", "started_hour"),
    _rule(r"påbegyndt arrangementsdag", "event_day"),
    _rule(r"pr\. møde\s*/\s*pr\. dag|/\s*pr\. dag", "meeting_or_day"),
    _rule(r"kr\./m2/år|pr\. sæson pr\. (?:kvm|m2)", "m2_season"),
    _rule(r"m2 (?:vandareal )?pr\. år|pr\. kvadratmeter.*pr\. år", "m2_year"),
    _rule(r"pr\. m2 pr\. dag", "m2_day"),
    _rule(r"pr\. (?:m2|kvm|kvadratmeter)\b", "m2", headings=False),
    _rule(r"pr\. m3\b", "m3"),
    _rule(r"pr\. kw\b", "kwh"),
    _rule(r"pr\. rate\b|\brater?\b", "rate"),
    _rule(r"\b6 mdr\.|½ års", "half_year"),
    _rule(r"\b3 (?:md|mdr|måneders)\b", "quarter"),
    _rule(r"pr\. (?:måned|md|mdr)\b|månedskort|\b1 md\.", "month"),
    _rule(r"pr\. uge\b", "week"),
    _rule(r"pr\. (?:døgn|dag)\b|dagkort|enkelt dag|\(24 timer\)|dagsbillet", "day"),
    _rule(r"pr\. (?:vinter)?sæson|sæsonkort|vinteropbevaring", "season"),
    _rule(r"årligt|\bårlig\b|pr\. år\b|årskort", "year"),
    _rule(r"\bpr\. (?:time|bassintime)\b|timeleje|timepris", "hour"),
    # rentals and courses inside ticket/"pr. gang" tables are not tickets or visits
    _rule(r"^udlejning til|skolesvømning", "unknown", headings=False),
    _rule(r"forløb\b", "once", headings=False),
    _rule(r"pr\. (?:besøg|gang|tur)\b", "visit", headings=False),
    _rule(r"billet|\b\d+ ture\b", "ticket"),
    _rule(r"pr\. (?:stk|kort|løft|modul|dobbelt\w*ruse)\b", "piece", headings=False),
    _rule(r"pr\. sag\b", "case", headings=False),
    _rule(r"pr\. husstand\b", "unknown", headings=False),  # basis not stated in the source
    _rule(r"pr\. arrangement\b|gebyr(?!fri)|depositum|indskud", "once"),
)

_RATE_IN_LABEL_RE = re.compile(rf"(?P<num>{NUMBER})\s*kr\.\s*pr\.\s*kvadratmeter", re.IGNORECASE)


def detect_unit(
    cell: Optional[PriceCell],
    label: str,
    headings: Sequence[str],
    year_note: Optional[str],
    default_unit: Optional[str],
) -> str:
    """The unit of one row (see the module docstring for the order of sources)."""
    if cell is not None and cell.kind in ("percent", "promille"):
        return cell.kind
    sources: List[Tuple[str, bool]] = []
    if cell is not None and cell.kind != "text":
        sources.append(((cell.suffix + (" timepris" if cell.hourly else "")).strip(), False))
    sources.append((label, False))
    sources.extend((heading, True) for heading in reversed(headings))
    sources.append((year_note or "", False))
    for text, is_heading in sources:
        unit = _match(text, is_heading)
        if unit:
            return unit
    if default_unit and cell is not None and cell.kind in ("amount", "double"):
        return default_unit
    return "unknown"


def _match(text: str, is_heading: bool) -> Optional[str]:
    if not text:
        return None
    for rule in UNIT_RULES:
        if is_heading and not rule.headings:
            continue
        if rule.pattern.search(text):
            return rule.unit
    return None


def rate_in_label(label: str) -> Optional[Amount]:
    """A per-m² rate stated in the label ("… 0,64 kr. pr. kvadratmeter … pr. år")."""
    match = _RATE_IN_LABEL_RE.search(label)
    if not match:
        return None
    what = "pr. m2 pr. år" if re.search(r"\bpr\. år\b", label) else "pr. m2"
    return Amount(to_money(parse_danish_number(match.group("num"))), what)


def amounts_for(cell: Optional[PriceCell], label: str) -> Tuple[Amount, ...]:
    """Typed amounts of a price cell; ``()`` for text and empty cells."""
    if cell is None or cell.kind == "text":
        return ()
    if cell.kind in ("percent", "promille"):
        return (Amount(parse_danish_number(cell.numbers[0]), _what_rate(cell.kind)),)
    values = [to_money(parse_danish_number(n)) for n in cell.numbers]
    if cell.kind == "double":
        whats = double_whats(label)
        return tuple(Amount(v, w) for v, w in zip(values, whats))
    return (Amount(values[0], single_what(cell)),)


def single_what(cell: PriceCell) -> str:
    """What a single amount is for: the cell's suffix, ``pr. time`` for Timepris, or ``pris``."""
    if cell.suffix:
        return cell.suffix
    return "pr. time" if cell.hourly else "pris"


def double_whats(label: str) -> Tuple[str, str]:
    """What the two amounts of ``x/y kr.`` are for, read from the label.

    ``"Hal pr. møde/pr. dag"`` -> (``pr. møde``, ``pr. dag``); ``"Stort mødelokale / pr. dag"``
    -> (``pr. møde``, ``pr. dag``): the price list's two-amount cells are per meeting / per day.
    """
    both = re.search(r"(pr\. \w+)\s*/\s*(pr\. \w+)", label)
    if both:
        return both.group(1), both.group(2)
    second = re.search(r"/\s*(pr\. \w+)", label)
    if second:
        return "pr. møde", second.group(1)
    return "pr. møde", "pr. dag"


def _what_rate(kind: str) -> str:
    return "procent" if kind == "percent" else "promille"

