"""Compare two tariff catalogues: which rows were added, removed or changed price.

Rows are matched by ``(section, headings, label)``; when the same key occurs several times
(the marina lists "Gæstepladser alle bådstørrelser pr. døgn" in more than one table with the
same headings, say) the n-th occurrence in the old file is matched with the n-th in the new
one. A matched row has *changed* when its ``price_text``, ``kind`` or ``amounts`` differ; line
numbers, ids and notes are not compared.

CLI::

    python -m knowledge.tariffs.diff OLD.json NEW.json

prints a report with the sections "Tilføjet", "Fjernet" and "Ændret pris" and exits 0.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from knowledge.money import format_decimal
from knowledge.tariffs.catalogue import Catalogue, TariffRow, load_catalogue

__all__ = ["RowChange", "CatalogueDiff", "row_key", "diff_catalogues", "render_diff", "main"]

RowKey = Tuple[str, Tuple[str, ...], str, int]


@dataclass(frozen=True)
class RowChange:
    """A row present in both catalogues whose price differs."""

    old: TariffRow
    new: TariffRow

    @property
    def old_price(self) -> str:
        return describe_price(self.old)

    @property
    def new_price(self) -> str:
        return describe_price(self.new)


@dataclass(frozen=True)
class CatalogueDiff:
    """Rows only in the new catalogue, only in the old one, and matched rows with new prices."""

    added: Tuple[TariffRow, ...]
    removed: Tuple[TariffRow, ...]
    changed: Tuple[RowChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def row_key(rows: Sequence[TariffRow]) -> List[RowKey]:
    """Match keys of ``rows`` in order: (section, headings, label, occurrence index)."""
    seen: Dict[Tuple[str, Tuple[str, ...], str], int] = defaultdict(int)
    keys = []
    for row in rows:
        base = (row.section, tuple(row.headings), row.label)
        keys.append(base + (seen[base],))
        seen[base] += 1
    return keys


def diff_catalogues(old: Catalogue, new: Catalogue) -> CatalogueDiff:
    """Added, removed and changed rows between ``old`` and ``new`` (new order for added)."""
    old_by_key = dict(zip(row_key(old.rows), old.rows))
    new_by_key = dict(zip(row_key(new.rows), new.rows))
    added = tuple(row for key, row in new_by_key.items() if key not in old_by_key)
    removed = tuple(row for key, row in old_by_key.items() if key not in new_by_key)
    changed = tuple(
        RowChange(old_by_key[key], row)
        for key, row in new_by_key.items()
        if key in old_by_key and _price_of(old_by_key[key]) != _price_of(row)
    )
    return CatalogueDiff(added=added, removed=removed, changed=changed)


def describe_price(row: TariffRow) -> str:
    """The price as a reader sees it: the cell as written, or "(ingen pris)"."""
    if row.price_text is None:
        return "(ingen pris)"
    if row.kind in ("percent", "promille"):
        return f"{row.price_text} {'procent' if row.kind == 'percent' else 'promille'}"
    return row.price_text


def render_diff(diff: CatalogueDiff, limit: Optional[int] = None) -> str:
    """A readable report; ``limit`` caps the lines listed per part."""
    parts: List[str] = []
    parts += _part("Tilføjet", [_row_line(row, describe_price(row)) for row in diff.added], limit)
    parts += _part("Fjernet", [_row_line(row, describe_price(row)) for row in diff.removed], limit)
    changes = [_change_line(change) for change in diff.changed]
    parts += _part("Ændret pris", changes, limit)
    total = len(diff.added) + len(diff.removed) + len(diff.changed)
    parts.append(f"I alt: {total} forskel(le)" if total else "Ingen forskelle.")
    return "\n".join(parts)


def _price_of(row: TariffRow) -> Tuple[object, ...]:
    return (row.price_text, row.kind, tuple((a.value, a.what) for a in row.amounts))


def _where(row: TariffRow) -> str:
    return " › ".join((row.section,) + tuple(row.headings) + (row.label,))


def _row_line(row: TariffRow, price: str) -> str:
    return f"  {row.id}  {_where(row)}: {price}"


def _change_line(change: RowChange) -> str:
    amounts = ""
    old_values = [format_decimal(a.value, None) for a in change.old.amounts]
    new_values = [format_decimal(a.value, None) for a in change.new.amounts]
    if old_values != new_values:
        amounts = f"  [{'/'.join(old_values) or '-'} → {'/'.join(new_values) or '-'}]"
    return f"  {change.new.id}  {_where(change.new)}: {change.old_price} → {change.new_price}{amounts}"


def _part(title: str, lines: List[str], limit: Optional[int]) -> List[str]:
    shown = lines if limit is None else lines[:limit]
    more = [f"  … og {len(lines) - len(shown)} mere"] if len(shown) < len(lines) else []
    return [f"{title} ({len(lines)})"] + (shown or ["  (ingen)"]) + more + [""]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Compare two tariff catalogues.")
    parser.add_argument("old", help="the old tariffs_<year>.json")
    parser.add_argument("new", help="the new tariffs_<year>.json")
    args = parser.parse_args(argv)
    diff = diff_catalogues(load_catalogue(args.old), load_catalogue(args.new))
    print(render_diff(diff))
    return 0


if __name__ == "__main__":
    sys.exit(main())
