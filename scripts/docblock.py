"""Replace one generated block of a Markdown file, keeping the hand-written text around it.

``make bench`` and ``make profile`` write their tables into ``docs/bench.md`` between
``<!-- NAME:begin -->`` and ``<!-- NAME:end -->``; a file without the markers gets the block
appended under ``heading``.
"""

from __future__ import annotations

from pathlib import Path


def write_block(path: Path, name: str, text: str, heading: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{begin}\n{text.strip()}\n{end}"
    if begin in old and end in old and old.index(begin) < old.index(end):
        new = old[: old.index(begin)] + block + old[old.index(end) + len(end):]
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "") + f"## {heading}\n\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
