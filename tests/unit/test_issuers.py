"""Tests of the issuer table (knowledge/issuers.yml), the free-text lookup and the answers."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
import yaml

from knowledge import sources
from knowledge.issuers import (
    DEFAULT_PATH,
    MIN_SCORE,
    IssuerError,
    fallback_office,
    find_issuer,
    load_issuers,
    office_phone,
    render_issuer,
    render_issuer_table,
)
from knowledge.intents import load_intents
from knowledge.text import fold

SEED = "000_88859510c15c3961.txt"
SOURCE_LINE = "Kilde: Opkrævningen, Køge Kommune – «Hvem sender Regninger»"

# The seed table (lines 29-39) written out, so that a changed row in issuers.yml fails.
TABLE = {
    "daginstitution": ("Daginstitution", "Daginstitutionskontoret", "5667 2344", 29),
    "ejendomsskat": ("Ejendomsskat", "Opkrævningskontoret", "5667 2450", 30),
    "renovation": ("Renovation", "Affaldskontoret", "5667 2432", 31),
    "parkeringsafgift": ("Parkeringsafgift", "Parkeringskontoret", "5667 2550", 32),
    "boligindskudslaan": ("Boligindskudslån", "Borgerservice", "5667 2131", 33),
    "beboerbetaling": ("Beboerbetaling", "Kommunens plejehjem", None, 34),
    "bibliotek": ("Gebyrer og erstatninger fra biblioteket", "Køge Bibliotek", "5667 2800", 35),
    "kontanthjaelp": ("Kontanthjælp", "Ydelsesservice", "5667 2196", 36),
    "sygedagpenge": ("Sygedagpenge", "Borgerservice, Sygedagpenge", "5667 2197", 37),
    "musikskole": ("Musikskole", "Køge Musikskole", "5664 0668", 38),
    "svoemmehal": ("Benyttelse af svømmehal", "Køge Svømmeland", "5667 2770", 39),
}

POSITIVE = [
    # plain questions
    ("hvem sender regningen for renovation", "renovation"),
    ("hvem opkræver min p-bøde", "parkeringsafgift"),
    ("regning for vuggestuen", "daginstitution"),
    ("musikskolen regning", "musikskole"),
    ("svommehal", "svoemmehal"),
    ("hvem sender regning på kontanthjælp tilbagebetaling", "kontanthjaelp"),
    ("hvem sender regningen for ejendomsskat", "ejendomsskat"),
    ("jeg har fået en regning for beboerbetaling", "beboerbetaling"),
    ("hvem sender regning for sygedagpenge", "sygedagpenge"),
    ("hvem sender opkrævningen på mit boligindskudslån", "boligindskudslaan"),
    ("hvem sender gebyrer og erstatninger fra biblioteket", "bibliotek"),
    ("benyttelse af svømmehal", "svoemmehal"),
    # inflections and definite forms
    ("p-bøden", "parkeringsafgift"),
    ("jeg har fået en parkeringsafgiften?", "parkeringsafgift"),
    ("regningen fra biblioteket", "bibliotek"),
    ("hvem sender regning for dagplejen", "daginstitution"),
    ("grundskylden er for høj", "ejendomsskat"),
    ("ejendomsskatten", "ejendomsskat"),
    ("regning fra plejehjemmet", "beboerbetaling"),
    ("for meget udbetalte sygedagpengene", "sygedagpenge"),
    ("affaldsgebyret", "renovation"),
    ("min søn går i SFO'en", "daginstitution"),
    # ae/oe/aa spellings and upper case
    ("svoemmehallen", "svoemmehal"),
    ("regning fra Koege Svoemmeland", "svoemmehal"),
    ("kontanthjaelp", "kontanthjaelp"),
    ("BOERNEHAVE REGNING", "daginstitution"),
    ("laanebøde fra biblioteket", "bibliotek"),
    ("boligindskudslaanet", "boligindskudslaan"),
    # compounds, written together or split
    ("skraldespandsregning", "renovation"),
    ("vuggestue-regning", "daginstitution"),
    ("skovbørnehaven", "daginstitution"),
    ("svømme hal", "svoemmehal"),
    ("pbøde", "parkeringsafgift"),
    ("jeg har fået en parkeringsbøde", "parkeringsafgift"),
    ("genbrugspladsen", "renovation"),
    ("svømmeundervisningen", "svoemmehal"),
    # typos
    ("renovasion", "renovation"),
    ("renovasionsregning", "renovation"),
    ("parkerinsafgift", "parkeringsafgift"),
    ("musikskle", "musikskole"),
    ("kontanhjælp", "kontanthjaelp"),
    ("sygedagpenege", "sygedagpenge"),
    ("bøde fra bibloteket", "bibliotek"),
    ("svømehal", "svoemmehal"),
    ("affalsgebyr", "renovation"),
    # citizens' own words
    ("hvem skal jeg ringe til om skraldet", "renovation"),
    ("storskrald afhentning regning", "renovation"),
    ("jeg har fået en bøde for parkering", "parkeringsafgift"),
    ("jeg har mistet en bog", "bibliotek"),
    ("regning for frokostordning i institutionen", "daginstitution"),
    ("skal jeg betale for fritidsordningen", "daginstitution"),
    ("instrumentleje", "musikskole"),
    ("jeg har fået for meget kontanthjælp", "kontanthjaelp"),
    ("ejendomsværdiskat og grundskyld", "ejendomsskat"),
    ("sygepenge tilbagebetaling", "sygedagpenge"),
]

NEGATIVE = [
    "hvad er klokken",
    "hej",
    "tak for hjælpen",
    "hvem sender regninger",
    "hvordan betaler jeg",
    "jeg vil klage",
    "kan jeg få en afdragsordning",
    "hvor køber jeg en p-billet",
    "parkeringstilladelse",
    "hvor er der en parkeringsplads",
    "fartbøde fra politiet",
    "hvornår får jeg mine dagpenge",
    "barselsdagpenge",
    "hvornår kommer børne- og ungeydelsen",
    "ejendomsværdiskat",
    "mit boliglån",
    "jeg skal renovere mit badeværelse",
    "jeg har en bøde",
    "",
    "???",
]


@pytest.fixture(scope="module")
def issuers() -> Dict[str, object]:
    return {i.id: i for i in load_issuers()}


# --------------------------------------------------------------------------- data


def test_all_eleven_rows_in_table_order(issuers):
    assert list(issuers) == list(TABLE)


@pytest.mark.parametrize("issuer_id", list(TABLE))
def test_row_matches_the_seed(issuers, issuer_id):
    bill_type, office, phone, line = TABLE[issuer_id]
    issuer = issuers[issuer_id]
    assert (issuer.bill_type, issuer.office, issuer.phone, issuer.source_line) == (bill_type, office, phone, line)
    row = sources.seed_line(SEED, line)
    assert row.startswith(bill_type) and office in row
    assert (phone or "Se på din opkrævning") in row


def test_beboerbetaling_has_no_phone_but_the_seed_note(issuers):
    issuer = issuers["beboerbetaling"]
    assert issuer.phone is None
    assert issuer.phone_note == "Se på din opkrævning"


def test_fallback_office_is_opkraevningen():
    office = fallback_office()
    assert (office.id, office.office, office.phone) == ("opkraevningen", "Opkrævningen", "5667 2450")
    assert office.phone in sources.seed_line(SEED, office.source_line)


def test_every_topic_office_in_intents_resolves(issuers):
    for name, info in load_intents().items():
        office_id = info.topic_office
        if office_id:
            assert office_id == "opkraevningen" or office_id in issuers, name
            assert office_phone(office_id) is not None, name
    assert office_phone("renovation") == "5667 2432"
    assert office_phone("beboerbetaling") is None
    assert office_phone("nope") is None


def test_synonyms_are_lower_case_and_8_to_20(issuers):
    for issuer in issuers.values():
        assert 8 <= len(issuer.synonyms) <= 20, issuer.id
        assert all(s == s.lower() and s.strip() for s in issuer.synonyms), issuer.id


def test_no_synonym_points_to_two_issuers(issuers):
    seen: Dict[str, str] = {}
    for issuer in issuers.values():
        for term in issuer.terms:
            key = "".join(fold(term).split())
            assert seen.setdefault(key, issuer.id) == issuer.id, term


# --------------------------------------------------------------------------- lookup


@pytest.mark.parametrize("text, expected", POSITIVE)
def test_find_issuer(text, expected):
    match = find_issuer(text)
    assert match is not None, text
    assert match.issuer.id == expected, (text, match)
    assert MIN_SCORE <= match.score <= 100
    assert match.term in match.issuer.terms


@pytest.mark.parametrize("text", NEGATIVE)
def test_find_issuer_returns_none(text):
    assert find_issuer(text) is None


def test_enough_test_phrasings():
    assert len(POSITIVE) >= 40 and len(NEGATIVE) >= 8
    assert {expected for _, expected in POSITIVE} == set(TABLE)


def test_exact_match_beats_typo():
    exact = find_issuer("renovation")
    typo = find_issuer("renovasjon")
    assert exact.score == 100 and exact.fragment == "renovation"
    assert typo is not None and typo.issuer.id == "renovation" and typo.score < exact.score


def test_look_alike_vetoes_only_its_own_span():
    assert find_issuer("parkeringsbillet") is None
    match = find_issuer("jeg har fået en bøde for parkering på en p-plads")
    assert match is not None and match.issuer.id == "parkeringsafgift"


def test_min_score_can_be_raised():
    assert find_issuer("renovasjon", min_score=99) is None
    assert find_issuer("renovation", min_score=99) is not None


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("issuer_id", list(TABLE))
def test_render_issuer_is_traceable(issuers, issuer_id):
    text = render_issuer(issuers[issuer_id])
    sources.assert_traceable(text, [SEED], all_numbers=True)
    assert text.endswith("\n\n" + SOURCE_LINE)
    assert "5667 2450" in text  # Opkrævningen for payment problems
    phone = TABLE[issuer_id][2]
    if phone:
        assert f"tlf. {phone}" in text
    assert "@" not in text


def test_render_issuer_example(issuers):
    text = render_issuer(issuers["renovation"])
    assert text.startswith(
        "Regningen for renovation sendes af Affaldskontoret. Du kan ringe til dem på tlf. 5667 2432"
    )
    assert "Opkrævningen på tlf. 5667 2450" in text


def test_render_beboerbetaling_points_to_the_bill(issuers):
    text = render_issuer(issuers["beboerbetaling"])
    assert "sendes af kommunens plejehjem" in text
    assert "Se telefonnummeret på din opkrævning." in text


def test_render_ejendomsskat_gives_the_number_once(issuers):
    text = render_issuer(issuers["ejendomsskat"])
    assert text.count("5667 2450") == 1
    assert "Opkrævningskontoret" in text


def test_render_issuer_table_lists_all_rows():
    text = render_issuer_table()
    sources.assert_traceable(text, [SEED], all_numbers=True)
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == 11
    for bill_type, office, phone, _ in TABLE.values():
        row = next(b for b in bullets if b.startswith(f"• {bill_type}:"))
        assert office in row
        assert (phone or "se telefonnummeret på din opkrævning") in row
    assert text.endswith(SOURCE_LINE)


# --------------------------------------------------------------------------- validation


def _mutated(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "issuers.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _issuer(data: dict, issuer_id: str) -> dict:
    return next(i for i in data["issuers"] if i["id"] == issuer_id)


def test_unchanged_copy_loads(tmp_path):
    path = _mutated(tmp_path, lambda d: None)
    assert [i.id for i in load_issuers(path)] == list(TABLE)
    match = find_issuer("skraldespand", path=path)
    assert match is not None and match.issuer.id == "renovation"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _issuer(d, "renovation").update(phone="5667 2433"), "line 31"),
        (lambda d: _issuer(d, "renovation").update(source_line=32), "line 32"),
        (lambda d: _issuer(d, "renovation").update(phone="56672432"), "dddd dddd"),
        (lambda d: _issuer(d, "musikskole")["synonyms"].append("affald"), "used by"),
        (lambda d: _issuer(d, "musikskole")["synonyms"].append("Musik"), "lower case"),
        (lambda d: _issuer(d, "musikskole").update(synonyms=["musikskole"]), "8-20"),
        (lambda d: _issuer(d, "beboerbetaling").update(phone_note=None), "exactly one"),
        (lambda d: _issuer(d, "bibliotek").update(id="Bibliotek!"), "slug"),
        (lambda d: d["all_phone"].update(phone="5667 2451"), "5667 2451"),
        (lambda d: d["source"].update(section="Hvem sender regninger"), "no heading"),
        (lambda d: _issuer(d, "svoemmehal").update(source_line=41), "outside the table"),
    ],
)
def test_invalid_issuers_are_refused(tmp_path, change, message):
    with pytest.raises(IssuerError, match=message):
        load_issuers(_mutated(tmp_path, change))
