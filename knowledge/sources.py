"""Access to the seed texts and checks that a bot answer only states facts found in them.

The seeds (``/work/shared/seeds`` or ``$KOEGE_SEEDS_DIR``) are the only source of phone
numbers, amounts and rules. :func:`assert_traceable` is the guard used by the FAQ and issuer
loaders and by the tests: every phone number ("5667 2450") and every amount ("250,00 kr.")
in a text must occur in the seeds; with ``all_numbers=True`` every other number must too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from core.settings import SEEDS_DIR

PHONE_RE = re.compile(r"(?<!\d)(?<!\d[.,])\d{4}\s\d{4}(?!\d|[.,]\d)")
AMOUNT_RE = re.compile(r"(?<!\d)(?<!\d[.,])\d{1,3}(?:\.\d{3})*,\d{2}\s?kr\.")
# Any money-looking figure, also badly formatted ones such as "250 kr" or "1.070 kr.".
LOOSE_AMOUNT_RE = re.compile(r"(?<!\d)(?<!\d[.,])\d[\d.,]*\s?kr\b\.?")
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


class UntraceableFactError(ValueError):
    """A text states a phone number, amount or number that no seed contains."""


def seeds_dir() -> Path:
    """Directory holding the seed texts."""
    return Path(SEEDS_DIR)


def seed_names() -> List[str]:
    """File names of all seed texts (``*.txt``), sorted."""
    return sorted(p.name for p in seeds_dir().glob("*.txt"))


@lru_cache(maxsize=16)
def seed_text(name: str) -> str:
    """Full text of one seed file; raises FileNotFoundError if it is missing."""
    path = seeds_dir() / name
    if path.parent.resolve() != seeds_dir().resolve():
        raise ValueError(f"not a seed file name: {name!r}")
    return path.read_text(encoding="utf-8")


def seed_lines(name: str) -> List[str]:
    """Lines of one seed; index 0 is line 1, so use ``seed_line`` for 1-based access."""
    return seed_text(name).splitlines()


def seed_line(name: str, number: int) -> str:
    """Line ``number`` (1-based) of a seed, whitespace collapsed and stripped."""
    lines = seed_lines(name)
    if not 1 <= number <= len(lines):
        raise IndexError(f"{name} has {len(lines)} lines, asked for line {number}")
    return _squash(lines[number - 1])


def seeds_available(names: Optional[Iterable[str]] = None) -> bool:
    """True if the given seeds (default: any seed at all) can be read."""
    if names is None:
        return bool(seed_names())
    return all((seeds_dir() / n).is_file() for n in names)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def phone_numbers(text: str) -> List[str]:
    """Phone numbers written "dddd dddd" in ``text``, normalised to one plain space."""
    return [_squash(m) for m in PHONE_RE.findall(text)]


def amounts(text: str) -> List[str]:
    """Amounts written "n,nn kr." (also "1.070,00 kr.") in ``text``, normalised."""
    return [re.sub(r"\s?kr\.$", " kr.", _squash(m)) for m in AMOUNT_RE.findall(text)]


def _numbers(text: str) -> List[str]:
    return NUMBER_RE.findall(text)


@lru_cache(maxsize=16)
def _seed_facts(names: Tuple[str, ...]) -> Tuple[frozenset, frozenset, frozenset]:
    corpus = "\n".join(seed_text(n) for n in names)
    return (
        frozenset(phone_numbers(corpus)),
        frozenset(amounts(corpus)),
        frozenset(_numbers(corpus)),
    )


def untraceable(
    text: str, names: Optional[Sequence[str]] = None, *, all_numbers: bool = False
) -> List[str]:
    """Phone numbers and amounts in ``text`` that occur in none of the seeds ``names``.

    ``names`` defaults to every seed. With ``all_numbers`` also every other number
    (deadlines, counts, "+71") and every badly formatted amount ("250 kr") is reported.
    """
    chosen = tuple(names) if names is not None else tuple(seed_names())
    if not chosen:
        raise FileNotFoundError(f"no seed texts in {seeds_dir()}")
    phones, money, numbers = _seed_facts(chosen)
    missing = [p for p in phone_numbers(text) if p not in phones]
    missing += [a for a in amounts(text) if a not in money]
    if all_numbers:
        strict = {m.start() for m in AMOUNT_RE.finditer(text)}
        missing += [
            _squash(m.group())
            for m in LOOSE_AMOUNT_RE.finditer(text)
            if m.start() not in strict
        ]
        missing += [n for n in _numbers(text) if n not in numbers]
    return list(dict.fromkeys(missing))


def assert_traceable(
    text: str, names: Optional[Sequence[str]] = None, *, all_numbers: bool = False
) -> None:
    """Raise :class:`UntraceableFactError` if ``text`` states a fact no seed contains."""
    missing = untraceable(text, names, all_numbers=all_numbers)
    if missing:
        raise UntraceableFactError(
            f"not found in the seeds {list(names) if names else 'all'}: {missing}"
        )
