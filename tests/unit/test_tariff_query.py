"""Parsing Danish price questions into search words and attributes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from knowledge.tariffs.query import merge_queries, parse_query, query_from_dict, query_to_dict


@pytest.mark.parametrize("text, attribute, value", [
    ("pas til min datter på 12", "age", 12),
    ("hun er tolv", "age", 12),
    ("passport for 30 year old", "age", 30),
    ("min søn er 16 år", "age", 16),
    ("pensionist", "category", "pensionist"),
    ("3 voksenbilletter", "category", "voksen"),
    ("studerende", "category", "ung"),
    ("om lørdagen", "day", "weekend"),
    ("på en onsdag", "day", "weekday"),
    ("i sommerferien", "day", "school_holiday"),
    ("240 liter", "liters", Decimal("240")),
    ("hver 14. dag", "emptyings", Decimal("26")),
    ("ugentlig tømning", "emptyings", Decimal("52")),
    ("150 m2", "m2", Decimal("150")),
    ("1.000 kvm", "m2", Decimal("1000")),
    ("2 timer og 10 min", "minutes", 130),
    ("halvanden time", "minutes", 90),
    ("en halv time", "minutes", 30),
    ("3 voksenbilletter", "count", 3),
    ("20 a3 print", "count", 20),
    ("grundværdi på 1.200.000 kr", "money", Decimal("1200000")),
    ("2,5 mio", "money", Decimal("2500000")),
    # English digit grouping: two comma groups, or three digits after the comma before "kr"
    ("property value 1,200,000", "money", Decimal("1200000")),
    ("if my taxable income is 300,000 kr", "income", Decimal("300000")),
    ("2,50 kr", "money", Decimal("2.50")),
    ("slæbestedet en enkelt dag", "per", "day"),
    ("350.000 kr i indkomst", "income", Decimal("350000")),
    ("hele dagen", "per", "day"),
    ("til et møde", "per", "meeting"),
    ("gæst", "party", "guest"),
    ("5 tons", "tons", Decimal("5")),
    ("med mast", "extras", ("mast",)),
    ("10 turs kort", "trips", 10),
    ("2. klasse", "grade", 2),
    ("30 min om ugen", "lesson_minutes", 30),
    ("2 søskende", "children", 2),
    ("3 dage", "days", 3),
    ("2 uger", "weeks", 2),
    ("per week", "period", "week"),
    ("per hour", "period", "hour"),
    ("om året", "period", "year"),
    ("pas til baby", "age", 0),
    ("vuggestue", "age", 1),
])
def test_attributes(text: str, attribute: str, value: object) -> None:
    assert getattr(parse_query(text), attribute) == value


def test_attribute_words_are_not_search_words() -> None:
    query = parse_query("hvad koster svømmeland for en voksen om lørdagen")
    assert query.words == ("svoemmeland",)
    assert query.category == "voksen" and query.day == "weekend"


def test_p_words_become_parking() -> None:
    assert parse_query("p-billet").words[:1] == ("parkering",)
    assert "parkering" in parse_query("hvad koster p i køge").words


def test_stop_words_and_filler_are_dropped() -> None:
    assert parse_query("hej hvad koster det mon at få et nyt sundhedskort").words == ("sundhedskort",)


def test_merge_keeps_the_subject_and_adds_the_answer() -> None:
    base = parse_query("hvad koster et pas")
    merged = merge_queries(base, parse_query("hun er 12"))
    assert merged.words == ("pas",) and merged.age == 12


def test_query_round_trips_through_json() -> None:
    query = parse_query("grundskyld af 1.200.000 kr for en på 40 om lørdagen")
    data = json.loads(json.dumps(query_to_dict(query)))
    assert query_from_dict(data) == query


def test_unknown_keys_are_ignored() -> None:
    assert query_from_dict({"nonsense": 1, "age": 5}).age == 5
