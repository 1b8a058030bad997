"""The validation report of a price-list import.

Plain text, deterministic (no timestamps), committed next to the catalogue so that a review
sees every heuristic decision. Layout: provenance, counts per line class / section / kind /
unit, the heuristic decisions, every source line with its class, the problems ("unplaced"),
and a last line ``unplaced: N``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from knowledge.tariffs.catalogue import Catalogue
from knowledge.tariffs.import_structure import LineInfo

LINE_CLASSES: Tuple[str, ...] = (
    "chrome", "section", "heading", "year", "row", "row-continuation", "note", "blank",
)
_SNIPPET = 70


@dataclass(frozen=True)
class ImportReport:
    """What the importer did with each line, and what it could not place."""

    source: str
    source_sha256: str
    title: str
    lines: Tuple[LineInfo, ...]
    decisions: Tuple[str, ...]
    problems: Tuple[Tuple[int, str], ...]
    section_counts: Tuple[Tuple[str, int], ...]
    kind_counts: Tuple[Tuple[str, int], ...]
    unit_counts: Tuple[Tuple[str, int], ...]

    @property
    def unplaced(self) -> int:
        return len(self.problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    def class_counts(self) -> Dict[str, int]:
        counts = Counter(info.cls for info in self.lines)
        return {cls: counts.get(cls, 0) for cls in LINE_CLASSES}

    def render(self) -> str:
        """The report text (ends with ``unplaced: N`` and a newline)."""
        out: List[str] = [
            "Tariff import report",
            f"source: {self.source}",
            f"source_sha256: {self.source_sha256}",
            f"title: {self.title}",
            f"source lines: {len(self.lines)}",
            "",
        ]
        out += _table("Line classes", list(self.class_counts().items()))
        out += _table("Rows per section", list(self.section_counts))
        out.append(f"total rows: {sum(n for _, n in self.section_counts)}")
        out.append("")
        out += _table("Rows per kind", list(self.kind_counts))
        out += _table("Rows per unit", list(self.unit_counts))
        out.append("Heuristic decisions (review these)")
        out += [f"  {d}" for d in self.decisions] or ["  (none)"]
        out.append("")
        out.append("Line by line")
        out += [_line(info) for info in self.lines]
        out.append("")
        out.append("Unplaced")
        out += [_problem(n, why) for n, why in self.problems] or ["  (none)"]
        out.append(f"unplaced: {self.unplaced}")
        return "\n".join(out) + "\n"


def build_report(
    catalogue: Catalogue,
    lines: Sequence[LineInfo],
    decisions: Sequence[str],
    problems: Sequence[Tuple[int, str]],
) -> ImportReport:
    """Assemble the report of one import."""
    unclassified = [(info.number, "line has no class") for info in lines if not info.cls]
    sections = Counter(row.section for row in catalogue.rows)
    return ImportReport(
        source=catalogue.source,
        source_sha256=catalogue.source_sha256,
        title=catalogue.title,
        lines=tuple(lines),
        decisions=tuple(decisions),
        problems=tuple(sorted(list(problems) + unclassified)),
        section_counts=tuple((name, sections[name]) for name in catalogue.sections()),
        kind_counts=_sorted_counts(row.kind for row in catalogue.rows),
        unit_counts=_sorted_counts(row.unit for row in catalogue.rows),
    )


def _sorted_counts(values) -> Tuple[Tuple[str, int], ...]:
    counts = Counter(values)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _table(title: str, items: List[Tuple[str, int]]) -> List[str]:
    width = max((len(name) for name, _ in items), default=0)
    return [title] + [f"  {name.ljust(width)}  {count:4d}" for name, count in items] + [""]


def _line(info: LineInfo) -> str:
    text = info.text if len(info.text) <= _SNIPPET else info.text[: _SNIPPET - 1] + "…"
    reason = f"  [{info.reason}]" if info.reason else ""
    return f"  L{info.number:04d} {info.cls:<16} {text}{reason}".rstrip()


def _problem(number: int, why: str) -> str:
    where = f"L{number:04d}" if number else "file"
    return f"  {where}: {why}"
