"""Lexical helpers of the price-list importer: one source line at a time.

Nothing here knows about sections or blocks. It cleans a line (the copied web page is full of
non-breaking spaces and trailing blanks), recognises year lines (``2024``, ``2024/2025``,
``2024 - pr. gang``) and splits a line into a label and its price cell:

* money ``"800,00 kr."``, ``"1.070,00kr."``, ``"250 kr. pr. dag"``, ``"Timepris: 1.070,00 kr."``
* two amounts ``"630,00/1.925,00 kr."``
* percent / per mille, a bare number after a label that says ``procent`` / ``promille``
* words: ``Gratis``, ``Udgået``, ``Ikke aktuel pt.``, ``Se årslejen``, ``Fastsættes …`` …

A line that is only a price cell (``"390,00 kr."``) has an empty label: it ends a label that
started on the lines above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

__all__ = [
    "NUMBER",
    "PriceCell",
    "YearLine",
    "clean",
    "first_word",
    "is_blank",
    "parse_year_line",
    "split_price",
    "is_strong_note",
    "looks_like_prose",
]

# A Danish number: "1.070,00", "1070,00", "12", "0,64".
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"

# "Timepris: 1.070,00 kr.", "630,00/1.925,00 kr.", "12 kr. pr. m2 pr. dag", "64,00 kr. pr. 100 m2"
_MONEY_CELL = (
    rf"(?P<timepris>Timepris:\s*)?(?P<first>{NUMBER})(?:/(?P<second>{NUMBER}))?\s*kr\.?"
    r"(?P<suffix>(?:\s+pr\.(?:\s+\d+)?\s+[^\s\d]\S*)*)"
)
_MONEY_RE = re.compile(rf"(?:^|(?<=\s))(?P<cell>{_MONEY_CELL})$")

# "Personskat (procent) 25,26", "Grundskyld (promille) 5,300"
_RATE_RE = re.compile(rf"^(?P<label>.*\b(?P<word>procent|promille)\b.*?)\s+(?P<cell>{NUMBER})$")

# Price cells written as words, longest first.
TEXT_PRICES: Tuple[str, ...] = (
    r"Gratis - oplyses blot til BBR",
    r"Gratis",
    r"Udgået",
    r"Ikke aktuel pt\.",
    r"Se årslejen",
    r"Fastsættes i hvert enkelt tilfælde\b.*",
    r"Baseret på kontrakter",
    r"Reguleres kvartalsvis i henhold til markedspris",
)
_TEXT_RE = re.compile(r"(?:^|(?<=\s))(?P<cell>" + "|".join(TEXT_PRICES) + r")$")

_YEAR_RE = re.compile(r"^(?P<year>\d{4}(?:/\d{4})?)(?:\s*-\s*(?P<note>\S.*))?$")
# "Forbrugerprisindeks pr. juli måned 2022 = 114,90 kr.": a statement, not a price.
_EQUATION_RE = re.compile(rf"=\s*(?:{NUMBER})\s*kr\.?$")
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class PriceCell:
    """The price part of a line, as written, with its numbers still as Danish strings."""

    text: str
    kind: str  # "amount", "double", "percent", "promille", "text"
    numbers: Tuple[str, ...] = ()
    suffix: str = ""  # "pr. m2 pr. dag" after "kr."
    hourly: bool = False  # "Timepris:" prefix


@dataclass(frozen=True)
class YearLine:
    """A year line: the year as used in the catalogue and any text after it."""

    year: str
    note: Optional[str]


def clean(line: str) -> str:
    """Collapse all whitespace (including no-break spaces) and strip the ends."""
    return " ".join(line.split())


def is_blank(line: str) -> bool:
    """True for empty lines and lines of spaces/no-break spaces only."""
    return not line.strip()


def first_word(text: str) -> str:
    """The first word of ``text``, lower-cased (``""`` if there is none)."""
    match = _WORD_RE.search(text)
    return match.group(0).lower() if match else ""


def parse_year_line(text: str) -> Optional[YearLine]:
    """``"2024"`` -> 2024; ``"2024/2025"``; ``"2024 - pr. gang"`` -> 2024 with note ``pr. gang``."""
    match = _YEAR_RE.match(clean(text))
    if not match:
        return None
    return YearLine(year=match.group("year"), note=match.group("note"))


def split_price(text: str) -> Optional[Tuple[str, PriceCell]]:
    """Split a cleaned line into ``(label, price cell)``; ``None`` if it has no price.

    The label is everything before the cell, stripped; it is ``""`` for a price-only line.
    """
    for splitter in (_split_money, _split_rate, _split_text):
        found = splitter(text)
        if found is not None:
            return found
    return None


def is_strong_note(text: str) -> bool:
    """Lines that are notes wherever they stand: footnotes (``*``, ``**)``) and equations."""
    return text.startswith("*") or bool(_EQUATION_RE.search(text))


def looks_like_prose(text: str) -> bool:
    """Text that reads like a note rather than a heading (for the heading-run walk).

    Footnotes, lead-ins ending with ``:`` and anything longer than 60 characters. A final
    ``.`` is no sign: headings end in abbreviations ("Kørekort mv.", "kørsel mm.").
    """
    return text.startswith("*") or text.endswith(":") or len(text) > 60


def _split_money(text: str) -> Optional[Tuple[str, PriceCell]]:
    match = _MONEY_RE.search(text)
    if not match:
        return None
    numbers = tuple(n for n in (match.group("first"), match.group("second")) if n)
    cell = PriceCell(
        text=match.group("cell"),
        kind="double" if len(numbers) == 2 else "amount",
        numbers=numbers,
        suffix=clean(match.group("suffix") or ""),
        hourly=bool(match.group("timepris")),
    )
    return text[: match.start("cell")].strip(), cell


def _split_rate(text: str) -> Optional[Tuple[str, PriceCell]]:
    match = _RATE_RE.match(text)
    if not match:
        return None
    kind = "percent" if match.group("word") == "procent" else "promille"
    cell = PriceCell(text=match.group("cell"), kind=kind, numbers=(match.group("cell"),))
    return match.group("label").strip(), cell


def _split_text(text: str) -> Optional[Tuple[str, PriceCell]]:
    match = _TEXT_RE.search(text)
    if not match:
        return None
    return text[: match.start("cell")].strip(), PriceCell(text=match.group("cell"), kind="text")
