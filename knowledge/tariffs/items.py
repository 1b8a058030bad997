"""Several items of one bill added up: "administration, storskrald 12 gange og haveaffald til et
parcelhus – hvad bliver det i alt?", "søsætning og ophaling plus et ekstra magnetkort".

The message is cut into item phrases (",", "og", "plus", "+", "samt"). Each phrase is priced as
a price question of its own, keeping the attributes that describe the whole bill (resident or
guest, season, day, household, who it is for) unless the phrase says otherwise. Only when every
phrase finds exactly one row (or a calculation) is the sum stated, with a line per item;
otherwise None and the ordinary answer (or its question) follows. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, List, Optional, Sequence

from knowledge.tariffs.catalogue import TariffRow
from knowledge.tariffs.query import PriceQuery, parse_query
from knowledge.text import fold

TOTAL_RE = re.compile(r"\b(?:i alt|samlet|samlede|tilsammen|total\w*|sammenlagt|alt i alt|in total|"
                      r"altogether|hvad bliver det)\b|\+|\bplus\b")
_SPLIT_RE = re.compile(r",|\+|\bog\b|\bplus\b|\bsamt\b|\band\b")
# What describes the whole bill rather than one item.
_SHARED = ("party", "season", "day", "household", "category", "age", "age_max", "minor")
MAX_ITEMS = 6


@dataclass(frozen=True)
class Item:
    text: str
    row: TariffRow
    total: Decimal
    working: str


Pricer = Callable[[PriceQuery], Optional[Item]]


def item_queries(query: PriceQuery) -> List[PriceQuery]:
    """The item phrases of a "what is it in total" question, each as a price question; [] when
    the message does not ask a total of several items."""
    text = query.text or ""
    if query.people or not TOTAL_RE.search(fold(text)):
        return []
    phrases = [p.strip() for p in _SPLIT_RE.split(fold(text)) if p.strip()]
    queries = []
    for phrase in phrases:
        sub = parse_query(phrase)
        if not sub.words:
            continue
        shared = {k: getattr(query, k) for k in _SHARED
                  if getattr(sub, k) in (None, False) and getattr(query, k) not in (None, False)}
        queries.append(replace(sub, **shared))
    return queries if 2 <= len(queries) <= MAX_ITEMS else []


def price_items(query: PriceQuery, price_one: Pricer) -> Optional[List[Item]]:
    """Each item priced by ``price_one``; None unless every item has one sure price and at least
    two different rows are involved."""
    items = []
    for sub in item_queries(query):
        item = price_one(sub)
        if item is None:
            return None
        items.append(item)
    if len({i.row.id for i in items}) < 2:
        return None
    return items


def total(items: Sequence[Item]) -> Decimal:
    return sum((i.total for i in items), Decimal(0))
