"""Where an answer comes from: the seed passage behind its "Kilde: …" line, and a page that
shows that passage.

Every answer of the bot ends with a source line such as ``Kilde: Opkrævningen, Køge
Kommune – «Mit Betalingsoverblik»``. The knowledge modules record, for each FAQ entry, issuer
row, note, contact field and tariff row, the seed file and line(s) it was taken from; at
start-up :meth:`SourceIndex.build` turns those records into :class:`Record` s (what text of
the record an answer repeats, and its lines). :meth:`SourceIndex.locate` finds the record an
answer repeats best, under the title and section its source line names; when none matches,
the section's heading line.

The widget links the source line to

* the public page configured for the seed file (``GATEWAY_SOURCE_PAGES``:
  ``"<seed file>=<https address>,…"``, with a text fragment pointing at the passage), or
* ``GET /kilde/{seed file}?linje=<first>-<last>#linje-<first>``: the gateway's own page with
  the seed text around the passage, the passage highlighted. Only the seed files themselves
  (``knowledge.sources.seed_names()``, exact names) are served: nothing else in the seed folder
  and nothing outside it.

Never a guessed address: without a configured page, the link goes to the gateway's page.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from aiohttp import web

from bot.pages import html_page

log = logging.getLogger(__name__)

ROUTE = "/kilde"
CONTEXT_LINES = 8
MAX_SPAN = 40
SOURCE_LINE = re.compile(r"^Kilde:\s*(?P<title>.+?)\s+[–-]\s+«?(?P<section>[^«»\n]+?)»?\s*$", re.M)
_LINES_PARAM = re.compile(r"^(\d{1,5})(?:-(\d{1,5}))?$")
_WORD = re.compile(r"[0-9a-zæøåéü]{4,}")


def _comparable(text: str) -> str:
    """Lower case, NFC, whitespace collapsed (how answers and records are compared)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip().lower()


@dataclass(frozen=True)
class Passage:
    file: str
    first: int
    last: int


@dataclass(frozen=True)
class Record:
    """A piece of knowledge an answer can repeat: all of ``needles`` must occur in the answer;
    each of ``bonus`` words that does makes the match more specific."""

    title: str  # the source line's title, e.g. "Opkrævningen, Køge Kommune"
    section: str  # compared section name of the source line
    passage: Passage
    needles: Tuple[str, ...]
    bonus: Tuple[str, ...] = ()

    def score(self, body: str) -> int:
        if not self.needles or not all(n in body for n in self.needles):
            return 0
        return sum(len(n) for n in self.needles) + 3 * sum(1 for w in self.bonus if w in body)


@dataclass(frozen=True)
class SourceRef:
    """One source line of an answer and where it points."""

    label: str
    passage: Optional[Passage]


class SourceIndex:
    """Records of all knowledge modules, and the section headings as a fallback."""

    def __init__(self, records: Sequence[Record], headings: Mapping[Tuple[str, str], Passage],
                 titles: Mapping[str, str]) -> None:
        self.records = tuple(records)
        self.headings = dict(headings)  # (title, compared section) -> heading line
        self.titles = dict(titles)  # source-line title -> seed file

    @classmethod
    def build(cls, catalogue_path: Path) -> "SourceIndex":
        records: List[Record] = []
        headings: Dict[Tuple[str, str], Passage] = {}
        titles: Dict[str, str] = {}
        tariff_seed = lambda: _catalogue_source(catalogue_path)  # noqa: E731
        for part, loader in (("faq", _faq), ("issuers", _issuers), ("notes", lambda: _notes(tariff_seed())),
                             ("contact", lambda: _contact(tariff_seed())),
                             ("tariffs", lambda: _tariffs(catalogue_path))):
            try:
                found, heads, names = loader()
            except Exception as exc:  # noqa: BLE001 - one broken source must not hide the others
                log.error("source passages: cannot load %s: %s", part, exc)
                continue
            records.extend(found)
            for key, passage in heads.items():
                headings.setdefault(key, passage)
            titles.update(names)
        return cls(records, headings, titles)

    def sources(self, answer: str) -> List[SourceRef]:
        """Every "Kilde: …" line of ``answer`` with the passage it names (None if unknown)."""
        matches = list(SOURCE_LINE.finditer(answer or ""))
        if not matches:
            return []
        body = _comparable(SOURCE_LINE.sub("", answer))
        return [SourceRef(m.group(0).strip(), self.locate(m.group("title").strip(), m.group("section"), body))
                for m in matches]

    def locate(self, title: str, section: str, body: str) -> Optional[Passage]:
        section = _comparable(section)
        scored = [(r.score(body), r) for r in self.records if r.title == title and r.section == section]
        best = max((s for s, _ in scored), default=0)
        if best:
            chosen = [r.passage for s, r in scored if s == best]
            first = min(p.first for p in chosen)
            last = max(p.last for p in chosen)
            if chosen[0].file == chosen[-1].file and last - first <= MAX_SPAN:
                return Passage(chosen[0].file, first, last)
            return chosen[0]
        return self.headings.get((title, section))


def _title_of(source_prefix: str) -> str:
    return source_prefix.removeprefix("Kilde:").strip()


def _heading_line(seed: str, heading: str) -> Optional[int]:
    from knowledge import sources

    wanted = _comparable(heading)
    for number, line in enumerate(sources.seed_lines(seed), 1):
        if _comparable(line) == wanted:
            return number
    return None


def _faq():
    from knowledge.faq import SOURCE_PREFIX, load_faq, load_sections

    title = _title_of(SOURCE_PREFIX)
    entries = list(load_faq().values())
    seed = entries[0].source.file if entries else None
    records = [
        Record(title, _comparable(e.source.section), Passage(e.source.file, *e.source.lines),
               tuple(p for p in (_comparable(x) for x in e.answer.split("\n\n")) if p))
        for e in entries
    ]
    heads = {(title, _comparable(s.heading)): Passage(seed, s.first, s.first) for s in load_sections()} if seed else {}
    return records, heads, ({title: seed} if seed else {})


def _issuers():
    from knowledge import issuers

    title = _title_of(issuers.SOURCE_PREFIX)
    section = _comparable(issuers.issuer_section())
    seed = _faq_seed()
    records = []
    for i in issuers.load_issuers():
        if not i.phone:
            continue
        passage = Passage(seed, i.source_line, i.source_line)
        records.append(Record(title, section, passage, (_comparable(i.office), _comparable(i.phone)),
                              tuple(_WORD.findall(_comparable(i.bill_type)))))
    office = issuers.fallback_office()
    records.append(Record(title, section, Passage(seed, office.source_line, office.source_line),
                          (_comparable(office.office), _comparable(office.phone))))
    return records, {}, {}


def _faq_seed() -> str:
    from knowledge.faq import load_faq

    return next(iter(load_faq().values())).source.file


def _notes(seed: str):
    from knowledge import notes

    records = [Record(notes.SOURCE_TITLE, _comparable(n.section), Passage(seed, *n.lines), (_comparable(n.text)[:120],))
               for n in notes.load_notes()]
    return records, {}, {notes.SOURCE_TITLE: seed}


def _contact(seed: str):
    from knowledge import contact

    match = SOURCE_LINE.match(contact.SOURCE)
    if match is None:
        return [], {}, {}
    title, section = match.group("title").strip(), _comparable(match.group("section"))
    data = contact.load_contact()
    records = [Record(title, section, Passage(seed, line, line), (_comparable(getattr(data, key)),))
               for key, line in data.lines.items() if getattr(data, key, None)]
    return records, {}, {title: seed}


def _catalogue_source(catalogue_path: Path) -> str:
    """The seed file the tariff catalogue was imported from (its ``source`` field)."""
    return json.loads(Path(catalogue_path).read_text(encoding="utf-8"))["source"]


def _tariffs(catalogue_path: Path):
    from knowledge.notes import SOURCE_TITLE
    from knowledge.tariffs.answer import price_text
    from knowledge.tariffs.catalogue import load_catalogue

    seed = _catalogue_source(catalogue_path)
    records = []
    heads: Dict[Tuple[str, str], Passage] = {}
    for row in load_catalogue(catalogue_path).rows:
        try:
            price = _comparable(price_text(row))
        except Exception:  # noqa: BLE001 - a row the answer module cannot word: its label only
            price = ""
        needles = tuple(n for n in (price,) if n) or (_comparable(row.label),)
        records.append(Record(SOURCE_TITLE, _comparable(row.section), Passage(seed, row.line, row.line_end),
                              needles, tuple(_WORD.findall(_comparable(row.label)))))
        key = (SOURCE_TITLE, _comparable(row.section))
        if key not in heads:
            line = _heading_line(seed, row.section)
            heads[key] = Passage(seed, line or row.line, line or row.line)
    return records, heads, {SOURCE_TITLE: seed}


# --- links ----------------------------------------------------------------------------------
def public_pages(entries: Iterable[str]) -> Dict[str, str]:
    """``{"<seed file>": "https://…"}`` from ``GATEWAY_SOURCE_PAGES`` entries ``file=url``."""
    pages: Dict[str, str] = {}
    for entry in entries:
        name, sep, url = entry.partition("=")
        if sep and url.strip().startswith(("https://", "http://")):
            pages[name.strip()] = url.strip()
    return pages


def href(passage: Passage, pages: Mapping[str, str], line_text: Callable[[str, int], str]) -> str:
    """The configured public page (with a text fragment for the passage's first line), else the
    gateway's passage page."""
    public = pages.get(passage.file)
    if public:
        words = " ".join(line_text(passage.file, passage.first).split()[:8])
        return f"{public.split('#')[0]}#:~:text={quote(words, safe='')}" if words else public
    lines = f"{passage.first}" if passage.first == passage.last else f"{passage.first}-{passage.last}"
    return f"{ROUTE}/{quote(passage.file)}?linje={lines}#linje-{passage.first}"


def links(index: Optional[SourceIndex], answer: str, pages: Mapping[str, str]) -> List[Dict[str, Optional[str]]]:
    """``[{"label": "Kilde: …", "href": …}]`` for the widget (href None when unknown)."""
    if index is None:
        return []
    from knowledge import sources

    def line_text(name: str, number: int) -> str:
        try:
            return sources.seed_line(name, number)
        except (OSError, IndexError, ValueError):
            return ""

    return [{"label": ref.label, "href": href(ref.passage, pages, line_text) if ref.passage else None}
            for ref in index.sources(answer)]


# --- the passage page -----------------------------------------------------------------------
ERR_NOT_FOUND = "Den kilde findes ikke."
ERR_LINES = "Linjenumrene skal skrives som fx 12 eller 12-20."


def _not_found(text: str, status: int = 404) -> web.Response:
    return _page("Kilde ikke fundet", f"  <h1>Kilden blev ikke fundet</h1>\n  <p>{html.escape(text)}</p>", status)


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return html_page(title, body, stylesheet="source.css", status=status, main_class="page source-page",
                     site_name="Køge Kommune – Opkrævningen", skip_link=True, cache="no-cache")


def parse_lines(raw: Optional[str], length: int) -> Optional[Tuple[int, int]]:
    """``"12"`` / ``"12-20"`` -> (12, 20) within 1..length; ValueError when malformed."""
    if raw is None or raw == "":
        return None
    match = _LINES_PARAM.match(raw.strip())
    if not match:
        raise ValueError(raw)
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not 1 <= first <= last <= length:
        raise ValueError(raw)
    return first, last


async def passage_page(request: web.Request) -> web.Response:
    """``GET /kilde/{name}?linje=a-b``: the seed text, lines a-b highlighted, with context."""
    from knowledge import sources

    name = request.match_info.get("name", "")
    try:
        allowed = set(sources.seed_names())
    except OSError:
        allowed = set()
    if name not in allowed:  # exact names only: no "..", no other files of the folder
        return _not_found(ERR_NOT_FOUND)
    try:
        lines = sources.seed_lines(name)
    except (OSError, ValueError):
        return _not_found(ERR_NOT_FOUND)
    try:
        wanted = parse_lines(request.query.get("linje"), len(lines))
    except ValueError:
        return _not_found(ERR_LINES, status=400)
    title = next((line.strip() for line in lines if line.strip()), name)
    if wanted is None:
        start, end = 1, len(lines)
        intro = "Hele kildeteksten med linjenumre."
    else:
        start, end = max(1, wanted[0] - CONTEXT_LINES), min(len(lines), wanted[1] + CONTEXT_LINES)
        span = f"linje {wanted[0]}" if wanted[0] == wanted[1] else f"linje {wanted[0]}–{wanted[1]}"
        intro = (f"Det markerede stykke ({span}) er den tekst, assistentens svar bygger på. "
                 "Linjerne omkring er vist for sammenhængens skyld.")
    items = []
    for number in range(start, end + 1):
        text = html.escape(lines[number - 1].strip()) or "&nbsp;"
        marked = wanted is not None and wanted[0] <= number <= wanted[1]
        content = f"<mark>{text}</mark>" if marked else text
        cls = ' class="source-hit"' if marked else ""
        items.append(f'      <li id="linje-{number}" value="{number}"{cls}>{content}</li>')
    whole = (f'  <p><a href="{ROUTE}/{quote(name)}">Vis hele kildeteksten</a></p>\n' if wanted is not None else "")
    body = (
        f"  <h1>Kilde: {html.escape(title)}</h1>\n"
        f"  <p>{html.escape(intro)} Teksten er Køge Kommunes egen, gengivet som ren tekst.</p>\n"
        f"{whole}"
        f'  <ol class="source-lines" aria-label="Kildetekst, linje {start} til {end}">\n' + "\n".join(items) + "\n  </ol>"
    )
    return _page(f"Kilde: {title}", body)


def add_routes(app: web.Application) -> None:
    app.router.add_get(ROUTE + "/{name}", passage_page)
