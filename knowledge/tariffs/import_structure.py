"""Structural pass of the price-list importer: which line is what.

Every source line gets exactly one class: ``chrome``, ``section``, ``heading``, ``year``,
``row``, ``row-continuation``, ``note`` or ``blank``. The rules, in order:

1. Page chrome: everything before the first heading run (skip link, breadcrumbs, title,
   intro) and everything from the footer marker ("Hold dig opdateret …") to the end.
2. Year lines (``2024``, ``2024/2025``, ``2024 - pr. gang``) open a *block*.
3. The heading run of a year line: the nearest text line above it is always the block's
   sub-section; further up, stand-alone (blank-surrounded), price-less, heading-shaped lines
   join the run. The first line of a run is a top-level *section* only if it is listed in
   ``knowledge/data/tariff_sections.yml``; other lines above the sub-section are *group*
   headings that stay in force until the next run of two or more (e.g. "Svømmebad",
   "Motion inklusiv svømmebad" inside "Køge Svømmeland").
4. Inside a block: label + price is a row; a price-only line closes a label that began on
   the lines above (blank lines in between allowed); ``*`` footnotes and ``x = y kr.``
   statements are notes. Other price-less lines wait until the next row or the end of the
   block and are then resolved: at the very start of a table they are rows without a price
   (``empty``), next to a row with the same first word too; otherwise they are notes.

Anything the rules cannot place is a *problem* with a line number and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from knowledge.tariffs.import_lines import (
    PriceCell,
    clean,
    first_word,
    is_blank,
    is_strong_note,
    looks_like_prose,
    parse_year_line,
    split_price,
)

FOOTER_MARKERS: Tuple[str, ...] = ("Hold dig opdateret",)
SKIP_LINK = "Skip til hoved indholdet"


@dataclass
class RawRow:
    """A row before typing: its label lines and price cell (``None`` for an empty row)."""

    line: int
    line_end: int
    label: str
    cell: Optional[PriceCell]


@dataclass
class RawNote:
    """A note (possibly several joined source lines)."""

    line: int
    line_end: int
    text: str


@dataclass
class Block:
    """The lines under one year line: its heading context, rows and notes."""

    section: str
    headings: Tuple[str, ...]
    year: str
    year_note: Optional[str]
    year_line: int
    rows: List[RawRow] = field(default_factory=list)
    notes: List[RawNote] = field(default_factory=list)

    @property
    def subsection(self) -> str:
        return self.headings[-1]


@dataclass
class LineInfo:
    """Classification of one source line."""

    number: int
    text: str
    cls: str = ""
    reason: str = ""


@dataclass
class Structure:
    """Result of the structural pass."""

    title: str
    lines: List[LineInfo]
    blocks: List[Block]
    decisions: List[str]
    problems: List[Tuple[int, str]]


class _Analyser:
    """One run of the structural pass over a list of source lines."""

    def __init__(self, raw_lines: Sequence[str], sections: Sequence[str]) -> None:
        self.raw = list(raw_lines)
        self.lines = [LineInfo(i + 1, clean(text)) for i, text in enumerate(self.raw)]
        self.known_sections = list(sections)
        self.blocks: List[Block] = []
        self.decisions: List[str] = []
        self.problems: List[Tuple[int, str]] = []
        self.runs: Dict[int, List[int]] = {}  # year index -> heading indexes
        self.pending: List[int] = []
        self.open_note: Optional[Tuple[RawNote, int]] = None  # note and its last index

    # -- helpers -----------------------------------------------------------------------
    def mark(self, index: int, cls: str, reason: str = "") -> None:
        self.lines[index].cls = cls
        self.lines[index].reason = reason

    def text(self, index: int) -> str:
        return self.lines[index].text

    def prev_text_index(self, index: int) -> Optional[int]:
        index -= 1
        while index >= 0 and is_blank(self.raw[index]):
            index -= 1
        return index if index >= 0 else None

    def standalone(self, index: int) -> bool:
        before = index == 0 or is_blank(self.raw[index - 1])
        after = index + 1 >= len(self.raw) or is_blank(self.raw[index + 1])
        return before and after

    # -- passes ------------------------------------------------------------------------
    def run(self) -> Structure:
        for i, info in enumerate(self.lines):
            if is_blank(self.raw[i]):
                self.mark(i, "blank")
            elif parse_year_line(info.text):
                self.mark(i, "year")
        footer = self.mark_footer()
        self.find_heading_runs()
        title = self.mark_header()
        self.walk_body(footer)
        self.check_sections()
        return Structure(title, self.lines, self.blocks, self.decisions, self.problems)

    def mark_footer(self) -> int:
        years = [i for i, info in enumerate(self.lines) if info.cls == "year"]
        start = years[-1] if years else 0
        for i in range(start, len(self.lines)):
            if self.text(i).startswith(FOOTER_MARKERS):
                for j in range(i, len(self.lines)):
                    if self.lines[j].cls != "blank":
                        self.mark(j, "chrome", "page footer")
                return i
        return len(self.lines)

    def find_heading_runs(self) -> None:
        for y, info in enumerate(self.lines):
            if info.cls != "year":
                continue
            nearest = self.prev_text_index(y)
            if nearest is None or self.lines[nearest].cls or split_price(self.text(nearest)):
                self.problems.append((y + 1, "year line without a heading above it"))
                continue
            run = [nearest]
            while True:
                candidate = self.prev_text_index(run[0])
                if candidate is None or not self.extends_run(candidate, run):
                    break
                run.insert(0, candidate)
            self.runs[y] = run
            for index in run:
                self.mark(index, "heading")

    def extends_run(self, index: int, run: List[int]) -> bool:
        """Can line ``index`` head ``run``? A run stops at its section heading, except that
        the page repeats some section titles ("Køge Musikskole" twice, then the sub-section)."""
        text, top = self.text(index), self.text(run[0])
        if len(run) > 1 and top in self.known_sections and text != top:
            return False
        if self.lines[index].cls or not self.standalone(index) or split_price(text):
            return False
        return text in self.known_sections or not looks_like_prose(text)

    def mark_header(self) -> str:
        first = min((run[0] for run in self.runs.values()), default=len(self.lines))
        header = [i for i in range(first) if self.lines[i].cls != "blank"]
        title = self.find_title(header)
        for i in header:
            if split_price(self.text(i)):
                self.problems.append((i + 1, "price before the first section heading"))
            self.mark(i, "chrome", self.header_reason(i, title))
        return title

    def header_reason(self, index: int, title: str) -> str:
        text = self.text(index)
        if text == SKIP_LINK:
            return "skip link"
        if text == title:
            return "page title"
        if title and text.endswith(title):
            return "breadcrumbs"
        return "page intro"

    def find_title(self, header: List[int]) -> str:
        texts = [self.text(i) for i in header]
        for candidate in texts:
            if any(other != candidate and other.endswith(candidate) for other in texts):
                return candidate
        return next((t for t in texts if t != SKIP_LINK), "")

    # -- body --------------------------------------------------------------------------
    def walk_body(self, footer: int) -> None:
        section: Optional[str] = None
        groups: List[str] = []
        block: Optional[Block] = None
        for i in range(len(self.lines)):
            cls = self.lines[i].cls
            if cls == "year" and i in self.runs:
                self.finish_block(block)
                section, groups = self.apply_run(self.runs[i], section, groups)
                block = self.open_block(i, section, groups) if section else None
            elif cls == "year":
                self.finish_block(block)
                block = None
            elif i >= footer or cls in ("blank", "chrome", "heading", "section"):
                continue
            elif block is None:
                self.problems.append((i + 1, "text outside any section/year block"))
            else:
                self.body_line(i, block)
        self.finish_block(block)

    def apply_run(
        self, run: List[int], section: Optional[str], groups: List[str]
    ) -> Tuple[Optional[str], List[str]]:
        texts = [self.text(i) for i in run]
        if texts[0] in self.known_sections:
            self.mark(run[0], "section")
            return texts[0], texts[1:-1]
        if section is None:
            self.problems.append((run[0] + 1, "heading before the first known section"))
            return None, []
        if len(run) >= 2:
            self.decisions.append(
                f"L{run[0] + 1:04d} group heading inside {section!r}: {texts[0]!r} "
                f"(run of {len(run)} headings, not a listed section)"
            )
            return section, texts[:-1]
        return section, groups

    def open_block(self, year_index: int, section: str, groups: List[str]) -> Block:
        year = parse_year_line(self.text(year_index))
        assert year is not None
        headings = tuple(groups) + (self.text(self.runs[year_index][-1]),)
        block = Block(section, headings, year.year, year.note, year_index + 1)
        self.blocks.append(block)
        return block

    def body_line(self, i: int, block: Block) -> None:
        text = self.text(i)
        if self.continues_open_note(i):
            return
        self.open_note = None
        if is_strong_note(text):
            self.resolve_pending(block, next_label=None)
            note = RawNote(i + 1, i + 1, text)
            block.notes.append(note)
            self.open_note = (note, i)
            self.mark(i, "note", "footnote" if text.startswith("*") else "statement 'x = y kr.'")
            return
        split = split_price(text)
        if split is None:
            self.pending.append(i)
        elif split[0] == "":
            self.close_multiline(i, split[1], block)
        else:
            self.resolve_pending(block, next_label=split[0])
            block.rows.append(RawRow(i + 1, i + 1, split[0], split[1]))
            self.mark(i, "row")

    def continues_open_note(self, i: int) -> bool:
        if self.open_note is None or self.open_note[1] != i - 1:
            return False
        raw = self.raw[i]
        if not (raw[:1].isspace() or raw.strip()[:1].islower()):
            return False
        note, _ = self.open_note
        note.text = f"{note.text} {self.text(i)}"
        note.line_end = i + 1
        self.open_note = (note, i)
        self.mark(i, "note", f"continues note L{note.line:04d}")
        return True

    def close_multiline(self, i: int, cell: PriceCell, block: Block) -> None:
        if not self.pending:
            self.problems.append((i + 1, "price without a label"))
            self.mark(i, "row-continuation", "price without a label")
            return
        first, rest = self.pending[0], self.pending[1:]
        label = clean(" ".join(self.text(p) for p in self.pending))
        block.rows.append(RawRow(first + 1, i + 1, label, cell))
        self.mark(first, "row", f"label continues to L{i + 1:04d}")
        for p in rest:
            self.mark(p, "row-continuation", f"label of L{first + 1:04d}")
        self.mark(i, "row-continuation", f"price of L{first + 1:04d}")
        self.decisions.append(f"L{first + 1:04d}-L{i + 1:04d} multi-line row, price on its own line")
        self.pending = []

    def resolve_pending(self, block: Block, next_label: Optional[str]) -> None:
        first_content = not block.rows and not block.notes
        last_note: Optional[RawNote] = None
        for p in self.pending:
            text = self.text(p)
            neighbours = {first_word(block.rows[-1].label) if block.rows else ""}
            neighbours.add(first_word(next_label or ""))
            if first_content or first_word(text) in neighbours - {""}:
                why = "start of the table" if first_content else "same first word as a neighbour row"
                block.rows.append(RawRow(p + 1, p + 1, text, None))
                self.mark(p, "row", f"row without price ({why})")
                self.decisions.append(f"L{p + 1:04d} empty row: no price, {why}")
                last_note = None
            elif last_note is not None and self.joins(last_note, p):
                last_note.text = f"{last_note.text} {text}"
                last_note.line_end = p + 1
                self.mark(p, "note", f"continues note L{last_note.line:04d}")
            else:
                last_note = RawNote(p + 1, p + 1, text)
                block.notes.append(last_note)
                self.mark(p, "note", "free text after the table rows")
                self.decisions.append(f"L{p + 1:04d} note of {block.subsection!r}: {text[:60]!r}")
        self.pending = []

    def joins(self, note: RawNote, index: int) -> bool:
        raw = self.raw[index]
        return note.text.endswith(":") or raw[:1].isspace() or raw.strip()[:1].islower()

    def finish_block(self, block: Optional[Block]) -> None:
        if block is not None:
            self.resolve_pending(block, next_label=None)
        self.open_note = None

    def check_sections(self) -> None:
        found = [self.text(i) for i, info in enumerate(self.lines) if info.cls == "section"]
        for name in self.known_sections:
            if name not in found:
                self.problems.append((0, f"section {name!r} from tariff_sections.yml not found"))
        if [n for n in self.known_sections if n in found] != found:
            self.problems.append((0, "sections appear in a different order than tariff_sections.yml"))


def analyse(raw_lines: Sequence[str], sections: Sequence[str]) -> Structure:
    """Classify every line of the price list and group rows/notes into blocks."""
    return _Analyser(raw_lines, sections).run()
