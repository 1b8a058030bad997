"""The tariff catalogue: typed rows of the price list and their JSON file.

The file format is fixed by ``knowledge/data/CATALOGUE_FORMAT.md``; this module is its one
reader and writer. :func:`dump_catalogue` writes stable, pretty JSON (fixed key order,
``ensure_ascii=False``, two-space indent, trailing newline) so that re-importing the same
source reproduces the committed file byte for byte. Amounts are ``Decimal`` in memory and
decimal strings (``"1070.00"``) on disk, never floats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

__all__ = [
    "KINDS",
    "UNITS",
    "Amount",
    "TariffRow",
    "Catalogue",
    "catalogue_to_json",
    "catalogue_from_json",
    "load_catalogue",
    "dump_catalogue",
]

KINDS: Tuple[str, ...] = ("amount", "double", "percent", "promille", "text", "empty")
UNITS: Tuple[str, ...] = (
    "year", "half_year", "quarter", "month", "week", "day", "event_day", "visit", "ticket",
    "piece", "meeting_or_day", "hour", "started_hour", "started_15_min", "started_30_min",
    "m2", "m2_year", "m2_day", "m2_season", "m3", "kwh", "rate", "season", "case", "percent",
    "promille", "once", "unknown",
)
_ROW_KEYS: Tuple[str, ...] = (
    "id", "section", "subsection", "headings", "year", "label", "price_text", "kind",
    "amounts", "unit", "text_price", "notes", "line", "line_end",
)


@dataclass(frozen=True)
class Amount:
    """One amount of a price cell: ``value`` (Decimal) and what it is for (``"pr. dag"``)."""

    value: Decimal
    what: str

    def to_json(self) -> Dict[str, str]:
        return {"value": str(self.value), "what": self.what}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Amount":
        raw = data["value"]
        if isinstance(raw, float):
            raise ValueError(f"amount value must be a decimal string, got float {raw!r}")
        try:
            value = Decimal(str(raw))
        except InvalidOperation as exc:
            raise ValueError(f"bad amount value {raw!r}") from exc
        return cls(value=value, what=str(data["what"]))


@dataclass(frozen=True)
class TariffRow:
    """One priced (or explicitly unpriced) line of the price list; fields mirror the JSON."""

    id: str
    section: str
    subsection: str
    headings: Tuple[str, ...]
    year: str
    label: str
    price_text: Optional[str]
    kind: str
    amounts: Tuple[Amount, ...]
    unit: str
    text_price: Optional[str]
    notes: Tuple[str, ...]
    line: int
    line_end: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: unknown kind {self.kind!r}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unknown unit {self.unit!r}")
        if self.line_end < self.line:
            raise ValueError(f"{self.id}: line_end {self.line_end} before line {self.line}")

    def to_json(self) -> Dict[str, Any]:
        values: Dict[str, Any] = {
            "id": self.id,
            "section": self.section,
            "subsection": self.subsection,
            "headings": list(self.headings),
            "year": self.year,
            "label": self.label,
            "price_text": self.price_text,
            "kind": self.kind,
            "amounts": [amount.to_json() for amount in self.amounts],
            "unit": self.unit,
            "text_price": self.text_price,
            "notes": list(self.notes),
            "line": self.line,
            "line_end": self.line_end,
        }
        return {key: values[key] for key in _ROW_KEYS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TariffRow":
        missing = [key for key in _ROW_KEYS if key not in data]
        if missing:
            raise ValueError(f"row {data.get('id', '?')}: missing fields {missing}")
        return cls(
            id=str(data["id"]),
            section=str(data["section"]),
            subsection=str(data["subsection"]),
            headings=tuple(str(h) for h in data["headings"]),
            year=str(data["year"]),
            label=str(data["label"]),
            price_text=_optional_str(data["price_text"]),
            kind=str(data["kind"]),
            amounts=tuple(Amount.from_json(a) for a in data["amounts"]),
            unit=str(data["unit"]),
            text_price=_optional_str(data["text_price"]),
            notes=tuple(str(n) for n in data["notes"]),
            line=int(data["line"]),
            line_end=int(data["line_end"]),
        )


@dataclass(frozen=True)
class Catalogue:
    """The whole price list: provenance plus rows in source order."""

    source: str
    title: str
    source_sha256: str
    rows: Tuple[TariffRow, ...]

    def sections(self) -> List[str]:
        """Section names in source order, each once."""
        return list(dict.fromkeys(row.section for row in self.rows))

    def rows_in(self, section: str) -> List[TariffRow]:
        """Rows of one section, in source order."""
        return [row for row in self.rows if row.section == section]

    def row(self, row_id: str) -> TariffRow:
        """The row with id ``row_id`` (``"L0040"``); ``KeyError`` if absent."""
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)


def catalogue_to_json(catalogue: Catalogue) -> str:
    """The catalogue as the exact text :func:`dump_catalogue` writes."""
    document = {
        "source": catalogue.source,
        "title": catalogue.title,
        "source_sha256": catalogue.source_sha256,
        "rows": [row.to_json() for row in catalogue.rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def catalogue_from_json(text: str) -> Catalogue:
    """Parse the JSON text of a catalogue file (raises ``ValueError`` on bad content)."""
    data = json.loads(text)
    for key in ("source", "title", "source_sha256", "rows"):
        if key not in data:
            raise ValueError(f"catalogue: missing top-level field {key!r}")
    rows = _rows_from_json(data["rows"])
    return Catalogue(
        source=str(data["source"]),
        title=str(data["title"]),
        source_sha256=str(data["source_sha256"]),
        rows=rows,
    )


def load_catalogue(path: Union[str, Path]) -> Catalogue:
    """Read a ``tariffs_<year>.json`` file."""
    return catalogue_from_json(Path(path).read_text(encoding="utf-8"))


def dump_catalogue(catalogue: Catalogue, path: Union[str, Path]) -> None:
    """Write ``catalogue`` to ``path`` (UTF-8, LF line endings, trailing newline)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(catalogue_to_json(catalogue))


def _rows_from_json(items: Iterable[Mapping[str, Any]]) -> Tuple[TariffRow, ...]:
    rows = tuple(TariffRow.from_json(item) for item in items)
    seen = set()
    for row in rows:
        if row.id in seen:
            raise ValueError(f"catalogue: duplicate row id {row.id}")
        seen.add(row.id)
    return rows


def _optional_str(value: Any) -> Optional[str]:
    return None if value is None else str(value)
