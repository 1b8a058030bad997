"""Search over the tariff catalogue: normalisation, compounds, synonyms, typos, ranking."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml

from knowledge.tariffs.query import parse_query
from knowledge.tariffs.search import (
    SYNONYMS_PATH,
    get_catalogue,
    get_index,
    head_is_asked,
    search,
    split_compound,
    term,
)
from knowledge.text import fold


def _top(text: str, n: int = 3) -> List[str]:
    return [hit.row.id for hit in search(text)[:n]]


def test_index_is_built_once() -> None:
    assert get_index() is get_index()
    assert len(get_index().catalogue.rows) == len(get_catalogue().rows) == 533


@pytest.mark.parametrize("a, b", [
    ("plads", "pladser"), ("billet", "billetter"), ("tømning", "tømninger"),
    ("Køreprøve", "koereproeve"), ("svømmeland", "svoemmeland"), ("både", "baad"),
])
def test_inflections_and_spellings_share_a_term(a: str, b: str) -> None:
    assert term(fold(a)) == term(fold(b))


def test_billet_is_not_a_car() -> None:
    assert term("billet") != term("bil")


@pytest.mark.parametrize("word, parts", [
    ("baadplads", ("baad", "plads")),
    ("rykkergebyr", ("rykker", "gebyr")),
    ("gaestepladser", ("gaeste", "pladser")),
])
def test_compounds_split_against_the_catalogue_vocabulary(word: str, parts: tuple) -> None:
    index = get_index()
    found = split_compound(word, index.words, index.terms)
    assert found is not None
    assert term(found[1]) == term(parts[1])


def test_unknown_compound_is_not_split() -> None:
    index = get_index()
    assert split_compound("xyzqwvbn", index.words, index.terms) is None


@pytest.mark.parametrize("text, expected", [
    ("rykkergebyr", {"L0318", "L0319"}),
    ("rottebekæmpelse", {"L1162"}),
    ("rotter", {"L1162"}),
    ("sundhedskort", {"L0758"}),
    ("legitimationskort", {"L0763"}),
    ("anløbsafgift", {"L0433"}),
    ("babysvømning", {"L0970"}),
    ("beboerlicens", {"L1073"}),
])
def test_plain_words_find_their_rows(text: str, expected: set) -> None:
    assert expected & set(_top(text)), _top(text)


@pytest.mark.parametrize("text, expected", [
    ("p-billet", "L1074"),              # p-billet -> parkering, dagsbillet
    ("skraldespand", "L0066"),          # -> beholder / dagrenovation
    ("kommuneskat", "L1143"),           # -> personskat
    ("ejendomsskat", "L1145"),          # -> grundskyld
    ("foodtruck", "L1040"),             # -> salgsvogne
    ("teoriprøve", "L0580"),
])
def test_synonyms_map_everyday_words_to_catalogue_words(text: str, expected: str) -> None:
    assert expected in _top(text, 5), _top(text, 5)


@pytest.mark.parametrize("text, expected", [
    ("rotebekæmpelse", "L1162"),
    ("sundheds kort", "L0758"),
    ("legitimationkort", "L0763"),
    ("folkeregisteroplysnng", "L0764"),
    ("koereproeve til bus", "L0582"),   # ae/oe/aa spelling
    ("svommeland voksen", None),
])
def test_typos_and_ascii_spellings(text: str, expected: str) -> None:
    hits = search(text)
    assert hits, text
    if expected:
        assert expected in [h.row.id for h in hits[:5]]
    else:
        assert hits[0].row.section == "Køge Svømmeland"


def test_nonsense_finds_nothing() -> None:
    assert search("xyzzy qwrtp") == []


def test_coverage_tells_a_full_match_from_a_partial_one() -> None:
    index = get_index()
    full = index.search(parse_query("kirkeskat").words)[0]
    partial = index.search(parse_query("kirkeskat elefant").words)[0]
    assert full.row.id == partial.row.id == "L1144"
    assert full.coverage == pytest.approx(1.0)
    assert partial.coverage < 0.7


def test_label_match_beats_a_section_match() -> None:
    hits = search("a4 kopi")
    assert hits[0].row.id == "L0259"
    assert hits[0].score > hits[1].score


def test_restricted_search_only_returns_the_given_rows() -> None:
    index = get_index()
    hits = index.search(["voksen"], only=["L0820", "L0831", "L0323"])
    assert {h.row.id for h in hits} <= {"L0820", "L0831"}


def test_head_is_asked_prefers_the_plain_label() -> None:
    index = get_index()
    asked = index.asked_terms(["koereproeve"])
    catalogue = get_catalogue()
    assert head_is_asked(catalogue.row("L0580"), asked)
    assert not head_is_asked(catalogue.row("L0582"), asked)


def test_compound_typed_as_two_words_is_joined() -> None:
    assert _top("duplikat kørekort", 1) == ["L0601"]
    assert _top("sundheds kort", 1) == ["L0758"]


def test_word_found_at_the_end_of_a_catalogue_compound() -> None:
    assert {"L0988", "L0989"} <= set(_top("tandpleje", 2))


def test_synonym_targets_are_catalogue_words() -> None:
    """Every synonym maps to words that occur in the catalogue (or to nothing at all)."""
    index = get_index()
    data = yaml.safe_load(Path(SYNONYMS_PATH).read_text(encoding="utf-8"))["synonyms"]
    missing = []
    for key, targets in data.items():
        targets = [targets] if isinstance(targets, str) else targets
        for target in targets:
            for word in fold(target).replace("-", " ").split():
                if term(word) not in index.terms:
                    missing.append((key, word))
    assert missing == []


def test_compound_of_three_parts_is_split() -> None:
    index = get_index()
    assert split_compound("baadstativleje", index.words, index.terms) == ("baad", "stativ", "leje")


def test_compound_said_the_other_way_round_is_joined() -> None:
    index = get_index()
    assert index._join_compounds(["leje", "baadstativ"]) == ["baadstativleje"]
    assert index._join_compounds(["baadstativ", "leje"]) == ["baadstativleje"]


def test_filler_words_are_not_search_words() -> None:
    query = parse_query("vi er lige flyttet og klarer selv resten, hvad bliver det samlet for et pas i september")
    assert query.words == ("pas",)
