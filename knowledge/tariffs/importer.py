"""Import the price list "Takster, skatter og afgifter" into the tariff catalogue.

``parse_price_list(text, source_name)`` turns the plain-text copy of the web page
(``shared/seeds/003_ca89e0cbbb223601.txt``) into a :class:`Catalogue` (format:
``knowledge/data/CATALOGUE_FORMAT.md``) plus an :class:`ImportReport` that classifies every
source line. The work is split over helper modules:

* ``import_lines``     one line: cleaning, year lines, label/price split
* ``import_structure`` which line is chrome/section/heading/year/row/note, blocks
* ``import_units``     price basis (unit) and typed amounts
* ``import_report``    the validation report

Notes are attached to every row of the block (year line) they stand in; a footnote
(``*)``, ``**)``) goes to the rows of its section whose label carries the same marker
(``Familie*``, ``bassintime**``) when there are any. Statements like ``100 m2 = 64,00 kr.``
at the end of a label move to that row's notes.

CLI::

    python -m knowledge.tariffs.importer [--source PATH] [--out PATH] [--report PATH] [--check]

writes ``knowledge/data/tariffs_2024.json`` and ``tariffs_2024.report.txt`` by default;
``--check`` writes nothing and exits 1 if the committed JSON differs from a fresh import.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from core.settings import KNOWLEDGE_DATA, SEEDS_DIR
from knowledge.tariffs.catalogue import (
    Catalogue,
    TariffRow,
    catalogue_to_json,
    dump_catalogue,
    load_catalogue,
)
from knowledge.tariffs.import_lines import NUMBER, clean
from knowledge.tariffs.import_report import ImportReport, build_report
from knowledge.tariffs.import_structure import Block, RawNote, RawRow, analyse
from knowledge.tariffs.import_units import amounts_for, detect_unit, rate_in_label

__all__ = ["ImportResult", "SectionSpec", "load_sections", "parse_price_list", "main"]

DEFAULT_SOURCE = SEEDS_DIR / "003_ca89e0cbbb223601.txt"
DEFAULT_OUT = KNOWLEDGE_DATA / "tariffs_2024.json"
DEFAULT_REPORT = KNOWLEDGE_DATA / "tariffs_2024.report.txt"
SECTIONS_FILE = KNOWLEDGE_DATA / "tariff_sections.yml"

_EQUATION_TAIL_RE = re.compile(rf"\s*(?P<eq>(?:\d+\s+)?\w+\s*=\s*(?:{NUMBER})\s*kr\.?)$")
_FOOTNOTE_RE = re.compile(r"^(\*+)")

Note = Tuple[int, str]  # (source line, text)


@dataclass(frozen=True)
class SectionSpec:
    """One entry of ``tariff_sections.yml``."""

    name: str
    default_unit: Optional[str] = None


@dataclass(frozen=True)
class ImportResult:
    """The catalogue of one import and its validation report."""

    catalogue: Catalogue
    report: ImportReport


def load_sections(path: Path = SECTIONS_FILE) -> List[SectionSpec]:
    """The top-level sections listed in ``tariff_sections.yml``, in page order."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    specs = []
    for item in data.get("sections", []):
        if isinstance(item, str):
            specs.append(SectionSpec(item))
        else:
            specs.append(SectionSpec(str(item["name"]), item.get("default_unit")))
    return specs


def parse_price_list(
    text: str, source_name: str, sections: Optional[Sequence[SectionSpec]] = None
) -> ImportResult:
    """Parse the price-list text into a catalogue and a report (no I/O but the sections file)."""
    specs = list(sections) if sections is not None else load_sections()
    structure = analyse(_split_lines(text), [spec.name for spec in specs])
    defaults = {spec.name: spec.default_unit for spec in specs}
    decisions = list(structure.decisions)
    notes = _collect_notes(structure.blocks, decisions)
    rows = tuple(
        _build_row(raw, block, notes[id(raw)], defaults.get(block.section))
        for block in structure.blocks
        for raw in block.rows
    )
    catalogue = Catalogue(
        source=source_name,
        title=structure.title,
        source_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        rows=tuple(sorted(rows, key=lambda row: row.line)),
    )
    report = build_report(catalogue, structure.lines, sorted(decisions), structure.problems)
    return ImportResult(catalogue, report)


def _split_lines(text: str) -> List[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# -- notes ----------------------------------------------------------------------------------
def _collect_notes(blocks: Sequence[Block], decisions: List[str]) -> Dict[int, List[Note]]:
    """Notes per raw row (keyed by ``id(raw_row)``): block notes, footnotes, year notes."""
    notes: Dict[int, List[Note]] = {id(raw): [] for block in blocks for raw in block.rows}
    for block in blocks:
        for raw in block.rows:
            if block.year_note:
                notes[id(raw)].append((block.year_line, block.year_note))
        for note in block.notes:
            targets = _footnote_targets(note, block, blocks) or block.rows
            if targets is not block.rows:
                ids = ", ".join(f"L{raw.line:04d}" for raw in targets)
                decisions.append(f"L{note.line:04d} footnote attached to rows with its marker: {ids}")
            for raw in targets:
                notes[id(raw)].append((note.line, note.text))
    return notes


def _footnote_targets(note: RawNote, block: Block, blocks: Sequence[Block]) -> List[RawRow]:
    marker = _FOOTNOTE_RE.match(note.text)
    if not marker:
        return []
    stars = re.compile(rf"(?<!\*)\*{{{len(marker.group(1))}}}(?!\*)")
    return [
        raw
        for other in blocks
        if other.section == block.section
        for raw in other.rows
        if stars.search(raw.label)
    ]


# -- rows -----------------------------------------------------------------------------------
def _build_row(
    raw: RawRow, block: Block, notes: List[Note], default_unit: Optional[str]
) -> TariffRow:
    label, label_notes = _clean_label(raw.label, block.year, raw.line)
    cell = raw.cell
    amounts = amounts_for(cell, label)
    unit = detect_unit(cell, label, block.headings, block.year_note, default_unit)
    stated_rate = rate_in_label(label) if cell is not None and cell.kind == "amount" else None
    if stated_rate is not None:
        amounts = (stated_rate,)
    all_notes = sorted(set(notes + label_notes), key=lambda note: (note[0], note[1]))
    return TariffRow(
        id=f"L{raw.line:04d}",
        section=block.section,
        subsection=block.subsection,
        headings=block.headings,
        year=block.year,
        label=label,
        price_text=cell.text if cell is not None else None,
        kind=cell.kind if cell is not None else "empty",
        amounts=amounts,
        unit=unit,
        text_price=cell.text if cell is not None and cell.kind == "text" else None,
        notes=tuple(text for _, text in all_notes),
        line=raw.line,
        line_end=raw.line_end,
    )


def _clean_label(label: str, year: str, line: int) -> Tuple[str, List[Note]]:
    """Strip a leading ``"2024:"``, a trailing ``:`` and move ``x = y kr.`` to the notes."""
    text = clean(label)
    if text.startswith(f"{year}:"):
        text = text[len(year) + 1 :].strip()
    notes: List[Note] = []
    equation = _EQUATION_TAIL_RE.search(text)
    if equation and equation.start() > 0:
        notes.append((line, equation.group("eq")))
        text = text[: equation.start()].strip()
    return text.rstrip(":").strip(), notes


# -- CLI ------------------------------------------------------------------------------------
def import_file(source: Path) -> ImportResult:
    """Read ``source`` (UTF-8, bytes as they are) and parse it."""
    return parse_price_list(source.read_bytes().decode("utf-8"), source.name)


def _print_counts(result: ImportResult) -> None:
    for name, count in result.report.section_counts:
        print(f"{count:5d}  {name}")
    print(f"{len(result.catalogue.rows):5d}  total rows; unplaced: {result.report.unplaced}")


def _check(result: ImportResult, out: Path) -> int:
    from knowledge.tariffs.diff import diff_catalogues, render_diff

    fresh = catalogue_to_json(result.catalogue)
    if out.exists() and out.read_text(encoding="utf-8") == fresh:
        print(f"OK: {out} matches a fresh import")
        return 0
    if not out.exists():
        print(f"DIFFERS: {out} does not exist")
        return 1
    diff = diff_catalogues(load_catalogue(out), result.catalogue)
    print(f"DIFFERS: {out} is not what the importer produces now")
    print(render_diff(diff, limit=20) if not diff.empty else "  (same rows; fields or layout differ)")
    return 1


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    result = import_file(args.source)
    _print_counts(result)
    if args.check:
        status = _check(result, args.out)
    else:
        _write(result, args.out, args.report)
        status = 0
    if not result.report.ok:
        print(f"UNPLACED lines: {result.report.unplaced} (see {args.report})", file=sys.stderr)
        status = 1
    return status


def _write(result: ImportResult, out: Path, report: Path) -> None:
    dump_catalogue(result.catalogue, out)
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(result.report.render())
    print(f"wrote {out} and {report}")


if __name__ == "__main__":
    sys.exit(main())
