"""Tests of the FAQ answers (knowledge/faq.yml) and of the seed traceability checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from knowledge import sources
from knowledge.faq import DEFAULT_PATH, FaqEntry, FaqError, load_faq, load_sections, render_faq
from knowledge.intents import IntentInfo, load_intents
from knowledge.issuers import issuer_section, load_issuers
from knowledge.text import fold

SEED = "000_88859510c15c3961.txt"
ISSUERS_YML = Path(__file__).resolve().parents[2] / "knowledge" / "issuers.yml"

# The headings of the seed page, written out here so that a heading dropped from faq.yml fails.
SEED_HEADINGS = {
    5: "Mit Betalingsoverblik",
    25: "Hvem sender Regninger",
    41: "Hvordan kan jeg betale regningen",
    58: "Hvad gør jeg, hvis jeg ikke kan betale regningen",
    68: "Hvad sker der, hvis jeg ikke betaler til tiden",
    89: "Hvad sker der, hvis jeg ikke betaler rykkerskrivelsen",
    97: "Hvad skal jeg gøre, hvis jeg har betalt for meget",
    105: "Kan kommunen tilbageholde mine penge",
    115: "Hvad skal jeg gøre, hvis jeg ønsker at klage",
}
PAGE_TITLE_LINES = {1, 3}  # "Opkrævningen" and its one-line introduction: no facts

# Every fact of the seed, by the entry that has to state it (compared after folding).
FACTS: Dict[str, List[str]] = {
    "faq_portal": [
        "ventende", "manglende", "afdragsordning på de fleste krav", "Betalingsservice",
        "MobilePay", "betalingskort", "læselinje", "+71 nr.", "NemID", "5667 2450",
        "ejendomsskat", "parkeringsafgifter", "dag- og fritidstilbud",
    ],
    "login_help": ["NemID", "5667 2450"],
    "faq_pay": [
        "Mit Betalingsoverblik", "Betalingsservice (NETS)", "netbank", "pengeinstitut",
        "BS-appen", "MobilePay-appen", "App Store", "Google Play", "betalingsoversigt", "NemID",
    ],
    "faq_cannot_pay": [
        "5667 2450", "inden betalingsdatoen", "forlænget betalingsfrist",
        "kortere afdragsordning", "Mit Betalingsoverblik",
    ],
    "apply_instalment_plan_general": [
        "afdragsordning", "Mit Betalingsoverblik", "nogle krav", "inden betalingsdatoen", "5667 2450",
    ],
    "faq_late_payment": [
        "rykker", "250,00 kr. pr. rykker", "Økonomiudvalget", "rente- og gebyrlov",
        "civilretligt krav", "100,00 kr. pr. rykker",
    ],
    "faq_interest": [
        "lovpligtige renter", "boliglån", "ejendomsskat eller indefrysningslån for sent",
        "i henhold til lovgivningen",
    ],
    "faq_property_enforcement": [
        "ejendomsskat", "renovation", "påhviler din ejendom", "rykker med et gebyr på 250,00 kr.",
        "varsling med et gebyr på 250,00 kr.", "underretning om udlæg med et gebyr på 450,00 kr.",
        "udlægsforretning", "pantefoged", "ikke er til stede", "sikkerhed i din ejendom",
        "tvangsauktion", "advokat", "tvunget offentligt salg", "fogedretten",
    ],
    "faq_debt_collection": ["Gældsstyrelsen", "ekstra omkostninger", "egne gebyrer og renter"],
    "faq_overpayment": ["indbetalt for meget", "5667 2450", "NemKonto", "3-5 bankdage"],
    "faq_offsetting": [
        "modregn", "overskydende skat", "negativ moms", "tilgodehavender fra det offentlige",
        "dag- og fritidstilbud", "børne- og ungeydelsen", "kontanthjælp", "betalingsaftale",
        "boliglån", "boligsikring", "boligselskab",
    ],
    "faq_complaint": ["afgørelsen", "vejledning", "5667 2450"],
    "faq_contact": ["5667 2450", "Mit Betalingsoverblik", "indbetalt for meget", "klage"],
}


@pytest.fixture(scope="module")
def faq() -> Dict[str, FaqEntry]:
    return load_faq(check_sources=True)


@pytest.fixture(scope="module")
def intents() -> Dict[str, IntentInfo]:
    return load_intents()


def _covered_lines(faq: Dict[str, FaqEntry]) -> Dict[str, set]:
    """Seed lines per heading covered by FAQ sources and by the issuer table."""
    covered: Dict[str, set] = {}
    for entry in faq.values():
        for ref in entry.sources:
            covered.setdefault(ref.section, set()).update(range(ref.lines[0], ref.lines[1] + 1))
    issuer_source = yaml.safe_load(ISSUERS_YML.read_text(encoding="utf-8"))["source"]
    first, last = issuer_source["lines"]
    covered.setdefault(issuer_source["section"], set()).update(range(first, last + 1))
    return covered


# --------------------------------------------------------------------------- coverage


def test_every_faq_intent_has_an_entry(faq, intents):
    faq_intents = {name for name in intents if name.startswith("faq_")}
    assert len(faq_intents) == 11
    assert faq_intents <= set(faq), sorted(faq_intents - set(faq))


def test_general_answers_for_personal_intents_exist(faq, intents):
    for entry_id in ("apply_instalment_plan_general", "login_help"):
        assert entry_id in faq
    assert {"apply_instalment_plan", "login_help"} <= set(intents)


def test_every_entry_id_is_an_intent_or_a_general_answer(faq, intents):
    for entry_id in faq:
        assert entry_id in intents or entry_id.removesuffix("_general") in intents, entry_id


def test_faq_titles_match_intent_titles(faq, intents):
    for entry_id, entry in faq.items():
        if entry_id.startswith("faq_"):
            assert entry.title == intents[entry_id].title, entry_id


def test_declared_sections_are_the_seed_headings():
    declared = {s.first: s.heading for s in load_sections() if not s.page_title}
    assert declared == SEED_HEADINGS
    for line, heading in SEED_HEADINGS.items():
        assert sources.seed_line(SEED, line) == heading


def test_every_seed_heading_is_covered_by_a_source(faq):
    covered = _covered_lines(faq)
    missing = [h for h in SEED_HEADINGS.values() if h not in covered]
    assert not missing, missing
    assert issuer_section() == "Hvem sender Regninger"


def test_every_seed_line_is_covered_by_a_source(faq):
    covered = set().union(*_covered_lines(faq).values())
    headings = set(SEED_HEADINGS)
    lines = sources.seed_lines(SEED)
    uncovered = [
        (n, text.strip())
        for n, text in enumerate(lines, start=1)
        if text.strip() and n not in covered and n not in headings and n not in PAGE_TITLE_LINES
    ]
    assert not uncovered, uncovered


@pytest.mark.parametrize("entry_id", sorted(FACTS))
def test_entry_states_its_facts(faq, entry_id):
    answer = fold(faq[entry_id].answer)
    missing = [fact for fact in FACTS[entry_id] if fold(fact) not in answer]
    assert not missing, f"{entry_id} lacks {missing}"


def test_every_entry_has_a_fact_list(faq):
    assert set(FACTS) == set(faq)


def test_issuer_table_is_complete_in_issuers_yml():
    assert len(load_issuers()) == 11


# --------------------------------------------------------------------------- traceability


def test_every_answer_is_traceable_to_the_seed(faq):
    for entry in faq.values():
        sources.assert_traceable(render_faq(entry), [SEED], all_numbers=True)


def test_every_source_range_lies_in_its_section(faq):
    sections = {s.heading: s for s in load_sections()}
    for entry in faq.values():
        for ref in entry.sources:
            assert ref.file == SEED
            section = sections[ref.section]
            assert section.first < ref.lines[0] <= ref.lines[1] <= section.last, (entry.id, ref)


def test_amounts_are_written_like_the_seed(faq):
    for entry in faq.values():
        for match in re.finditer(r"\d[\d.,]*\s?kr\b\.?", entry.answer):
            assert re.fullmatch(r"\d{1,3}(?:\.\d{3})*,\d{2} kr\.", match.group()), (entry.id, match.group())


def test_no_email_address_is_given(faq):
    for entry in faq.values():
        assert "@" not in entry.answer, entry.id
        assert "mail til" not in entry.answer.lower(), entry.id


def test_login_is_described_as_in_the_seed(faq):
    for entry in faq.values():
        assert "MitID" not in entry.answer, entry.id
        if "logger ind" in entry.answer:
            assert "ved at bruge din NemID" in entry.answer, entry.id


# --------------------------------------------------------------------------- style


def test_answers_are_chat_sized(faq):
    for entry in faq.values():
        words = len(entry.answer.split())
        assert 10 <= words <= 120, (entry.id, words)
        assert len(entry.title) <= 60, entry.id


def test_lists_use_bullets_and_du_form(faq):
    for entry in faq.values():
        for line in entry.answer.splitlines():
            assert not re.match(r"^\s*[-*] ", line), (entry.id, line)
        assert not re.search(r"\b(De|Dem|Deres)\b", entry.answer), entry.id
        assert re.search(r"\b(du|din|dit|dine|dig)\b", entry.answer), entry.id


def test_render_faq_appends_the_source(faq):
    entry = faq["faq_overpayment"]
    text = render_faq(entry)
    assert text.startswith(entry.answer)
    assert text.endswith(
        "\n\nKilde: Opkrævningen, Køge Kommune – «Hvad skal jeg gøre, hvis jeg har betalt for meget»"
    )


def test_load_faq_is_cached_but_returns_a_fresh_dict(faq):
    again = load_faq(check_sources=True)
    assert again == faq and again is not faq
    assert again["faq_pay"] is faq["faq_pay"]


# --------------------------------------------------------------------------- validation


def _mutated(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "faq.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _entry(data: dict, entry_id: str) -> dict:
    return next(e for e in data["entries"] if e["id"] == entry_id)


def test_unchanged_copy_loads(tmp_path):
    assert set(load_faq(_mutated(tmp_path, lambda d: None), check_sources=True)) == set(load_faq())


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _entry(d, "faq_contact").update(answer="Ring på tlf. 5667 9999."), "5667 9999"),
        (lambda d: _entry(d, "faq_late_payment").update(answer="Gebyret er 300,00 kr. pr. rykker."), "300,00"),
        (lambda d: _entry(d, "faq_overpayment").update(answer="Du får pengene inden for 14 bankdage."), "14"),
        (lambda d: _entry(d, "faq_pay").update(answer="   "), "answer"),
        (lambda d: d["entries"].append(dict(_entry(d, "faq_pay"))), "duplicate"),
        (lambda d: _entry(d, "faq_pay")["source"].update(lines=[58, 60]), "outside section"),
        (lambda d: _entry(d, "faq_pay")["source"].update(section="Hvordan betaler jeg"), "unknown section"),
        (lambda d: _entry(d, "faq_pay").update(see_also=["faq_nope"]), "see_also"),
        (lambda d: d["sections"][1].update(line=6), "not heading"),
    ],
)
def test_invalid_faq_is_refused(tmp_path, change, message):
    with pytest.raises(FaqError, match=message):
        load_faq(_mutated(tmp_path, change), check_sources=True)


# --------------------------------------------------------------------------- sources


def test_seed_phone_numbers_and_amounts_pass():
    sources.assert_traceable("Ring på tlf. 5667 2450 om gebyret på 250,00 kr.", [SEED])
    sources.assert_traceable("Køge Musikskole, tlf. 5664 0668; underretning 450,00 kr.", [SEED])


@pytest.mark.parametrize(
    "text",
    [
        "Ring på tlf. 5667 2451.",
        "Ring på 1234 5678, så hjælper vi.",
        "Rykkergebyret er 275,00 kr.",
        "Det koster 1.070,00 kr.",
    ],
)
def test_invented_phone_numbers_and_amounts_fail(text):
    with pytest.raises(sources.UntraceableFactError):
        sources.assert_traceable(text, [SEED])


def test_all_numbers_mode_catches_other_numbers_and_loose_amounts():
    assert sources.untraceable("Svar inden 14 dage.", [SEED]) == []
    assert sources.untraceable("Svar inden 14 dage.", [SEED], all_numbers=True) == ["14"]
    assert "250 kr" in sources.untraceable("Gebyret er 250 kr", [SEED], all_numbers=True)
    assert sources.untraceable("Udbetaling inden for 3-5 bankdage (+71 nr.)", [SEED], all_numbers=True) == []


def test_phone_and_amount_extraction():
    assert sources.phone_numbers("tlf. 5667 2450, eller 5664\u00a00668.") == ["5667 2450", "5664 0668"]
    assert sources.phone_numbers("konto 123456 7890") == []
    assert sources.amounts("250,00 kr. og 1.070,00kr.") == ["250,00 kr.", "1.070,00 kr."]
