"""The bot's FAQ answers (``knowledge/faq.yml``), validated against the seed page on load.

``load_faq()`` returns ``{id: FaqEntry}``; ``render_faq(entry)`` gives the chat text with a
source line. Loading fails with :class:`FaqError` when an entry is malformed, cites a heading
or line range the seed does not have, or states a phone number, amount or other number
that the seed does not contain.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import yaml

from knowledge import sources

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).with_name("faq.yml")
SOURCE_PREFIX = "Kilde: Opkrævningen, Køge Kommune"


class FaqError(ValueError):
    """``faq.yml`` is malformed or not traceable to the seed."""


@dataclass(frozen=True)
class SourceRef:
    """A line range under one heading of a seed file."""

    file: str
    section: str
    lines: Tuple[int, int]


@dataclass(frozen=True)
class Section:
    """One heading of the seed page and the lines it spans (heading line included)."""

    heading: str
    first: int
    last: int
    page_title: bool = False


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ answer."""

    id: str
    title: str
    answer: str
    source: SourceRef
    also: Tuple[SourceRef, ...] = ()
    see_also: Tuple[str, ...] = ()
    keywords: Tuple[str, ...] = ()   # folded word beginnings that name the topic (routing evidence)
    gives: Tuple[str, ...] = ()      # aspects the answer states (see ASPECTS)

    @property
    def sources(self) -> Tuple[SourceRef, ...]:
        """Main source followed by the further ones."""
        return (self.source,) + self.also


def load_faq(path: Union[str, Path, None] = None, *, check_sources: Optional[bool] = None) -> Dict[str, FaqEntry]:
    """Load and validate the FAQ; cached per path.

    ``check_sources``: True = validate against the seed (fail if it is missing); False =
    structure only; None (default) = validate if the seed is available, else warn.
    """
    resolved = str(Path(path or DEFAULT_PATH).resolve())
    return dict(_load_cached(resolved, check_sources))


def load_sections(path: Union[str, Path, None] = None) -> List[Section]:
    """The seed headings declared in ``faq.yml`` with their line spans."""
    data = _read_yaml(Path(path or DEFAULT_PATH))
    seed = _require_str(data, "seed", "faq.yml")
    length = len(sources.seed_lines(seed)) if sources.seeds_available([seed]) else None
    return list(_parse_sections(data, seed_length=length))


def render_faq(entry: FaqEntry) -> str:
    """Chat text of an entry: the answer and a source line naming the seed heading."""
    return f"{entry.answer.strip()}\n\n{SOURCE_PREFIX} – «{entry.source.section}»"


@lru_cache(maxsize=8)
def _load_cached(path: str, check_sources: Optional[bool]) -> Tuple[Tuple[str, FaqEntry], ...]:
    data = _read_yaml(Path(path))
    seed = _require_str(data, "seed", "faq.yml")
    check = _decide_check(seed, check_sources)
    seed_length = len(sources.seed_lines(seed)) if check else None
    sections = _parse_sections(data, seed_length)
    if check:
        _check_headings(seed, sections)
    entries = [_parse_entry(raw, i) for i, raw in enumerate(_require_list(data, "entries", "faq.yml"))]
    _check_entries(entries, {s.heading: s for s in sections}, seed, check)
    return tuple((e.id, e) for e in entries)


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FaqError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, Mapping):
        raise FaqError(f"{path}: top level must be a mapping")
    return data


def _decide_check(seed: str, check_sources: Optional[bool]) -> bool:
    if check_sources is not None:
        return check_sources
    if sources.seeds_available([seed]):
        return True
    log.warning("seed %s not found in %s: FAQ loaded without source checks", seed, sources.seeds_dir())
    return False


def _require_str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FaqError(f"{where}: '{key}' must be a non-empty string")
    return value


def _require_list(raw: Mapping[str, Any], key: str, where: str) -> List[Any]:
    value = raw.get(key)
    if not isinstance(value, list) or not value:
        raise FaqError(f"{where}: '{key}' must be a non-empty list")
    return value


def _parse_sections(data: Mapping[str, Any], seed_length: Optional[int]) -> Tuple[Section, ...]:
    raw = _require_list(data, "sections", "faq.yml")
    try:
        starts = sorted((int(s["line"]), str(s["heading"]), bool(s.get("page_title", False))) for s in raw)
    except (TypeError, KeyError, ValueError) as exc:
        raise FaqError(f"faq.yml: every section needs 'line' and 'heading' ({exc})") from exc
    end = seed_length if seed_length is not None else 10**9
    result = []
    for i, (line, heading, title) in enumerate(starts):
        last = starts[i + 1][0] - 1 if i + 1 < len(starts) else end
        result.append(Section(heading=heading, first=line, last=last, page_title=title))
    if len({s.heading for s in result}) != len(result):
        raise FaqError("faq.yml: duplicate section heading")
    return tuple(result)


def _check_headings(seed: str, sections: Tuple[Section, ...]) -> None:
    for section in sections:
        actual = sources.seed_line(seed, section.first)
        if actual != section.heading:
            raise FaqError(f"line {section.first} of {seed} is {actual!r}, not heading {section.heading!r}")


def _parse_source(raw: Any, where: str) -> SourceRef:
    if not isinstance(raw, Mapping):
        raise FaqError(f"{where}: source must be a mapping")
    lines = raw.get("lines")
    if not (isinstance(lines, list) and len(lines) == 2 and all(isinstance(n, int) for n in lines)):
        raise FaqError(f"{where}: source.lines must be [first, last]")
    return SourceRef(
        file=_require_str(raw, "file", where),
        section=_require_str(raw, "section", where),
        lines=(lines[0], lines[1]),
    )


def _parse_entry(raw: Any, index: int) -> FaqEntry:
    if not isinstance(raw, Mapping):
        raise FaqError(f"faq.yml entry #{index}: must be a mapping")
    entry_id = _require_str(raw, "id", f"faq.yml entry #{index}")
    where = f"faq.yml entry {entry_id!r}"
    return FaqEntry(
        id=entry_id,
        title=_require_str(raw, "title", where).strip(),
        answer=_require_str(raw, "answer", where).strip(),
        source=_parse_source(raw.get("source"), where),
        also=tuple(_parse_source(s, where) for s in raw.get("also") or ()),
        see_also=tuple(str(s) for s in raw.get("see_also") or ()),
        keywords=tuple(str(k).strip().lower() for k in raw.get("keywords") or ()),
        gives=_parse_gives(raw.get("gives"), where),
    )


# What an answer can state; a question asking for an aspect its answer does not give gets an
# honest "the page does not say" (knowledge/router).
ASPECTS = ("amount", "phone", "procedure", "duration", "date", "rate", "hours", "email", "address")


def _parse_gives(raw: Any, where: str) -> Tuple[str, ...]:
    gives = tuple(str(g) for g in raw or ())
    unknown = [g for g in gives if g not in ASPECTS]
    if unknown:
        raise FaqError(f"{where}: unknown aspects in gives: {unknown}")
    return gives


def _check_entries(entries: List[FaqEntry], sections: Dict[str, Section], seed: str, check: bool) -> None:
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise FaqError(f"faq.yml: duplicate ids {duplicates}")
    for entry in entries:
        unknown = [s for s in entry.see_also if s not in ids or s == entry.id]
        if unknown:
            raise FaqError(f"faq.yml entry {entry.id!r}: bad see_also {unknown}")
        for ref in entry.sources:
            _check_source(entry.id, ref, sections, seed)
        if check:
            missing = sources.untraceable(entry.answer, [seed], all_numbers=True)
            if missing:
                raise FaqError(f"faq.yml entry {entry.id!r}: not in {seed}: {missing}")


def _check_source(entry_id: str, ref: SourceRef, sections: Dict[str, Section], seed: str) -> None:
    where = f"faq.yml entry {entry_id!r}"
    if ref.file != seed:
        raise FaqError(f"{where}: source file {ref.file!r} is not the seed {seed!r}")
    section = sections.get(ref.section)
    if section is None:
        raise FaqError(f"{where}: unknown section {ref.section!r}")
    first, last = ref.lines
    if not section.first < first <= last <= section.last:
        raise FaqError(
            f"{where}: lines {list(ref.lines)} outside section {ref.section!r} "
            f"(lines {section.first + 1}-{section.last})"
        )
