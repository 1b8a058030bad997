"""Helpers for the table-driven sum tests: a row or its amount found by label and section in
the catalogue (the expected totals are computed from these, never from the bot's output), and
the check that an answer states a total after "=" (its working)."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from knowledge.money import format_kr
from knowledge.tariffs.answer import answer_price_question
from knowledge.tariffs.catalogue import TariffRow
from knowledge.tariffs.search import get_catalogue


def one_row(label_start: str, section: str, where: str = "") -> TariffRow:
    """The one row whose label starts with ``label_start`` (``where``: part of its subsection
    or headings)."""
    rows = [r for r in get_catalogue().rows
            if r.label.startswith(label_start) and r.section == section
            and where in " ".join((r.subsection, *r.headings))]
    assert len(rows) == 1, [(r.id, r.label, r.subsection) for r in rows]
    return rows[0]


def price(label_start: str, section: str, what: Optional[str] = None, where: str = "") -> Decimal:
    """The amount of that row (``what``: "møde" or "dag" of a double price)."""
    amounts = [a for a in one_row(label_start, section, where).amounts if what is None or what in a.what]
    return amounts[0].value


def says(text: str, total: Decimal) -> str:
    """The answer to ``text`` states ``total`` in its working; returns the answer text."""
    answer = answer_price_question(text)
    assert answer.status == "answer", answer.text
    assert f"= {format_kr(total)}" in answer.text, answer.text
    return answer.text
