"""The price-list importer against the real seed and small synthetic inputs.

Row checks run on the committed catalogue (always present); the reproduction tests re-import
the seed and require the committed JSON and report to match byte for byte, which ties the
two together. Expected values were read off the seed by line number.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from core.settings import KNOWLEDGE_DATA, SEEDS_DIR
from knowledge.tariffs.catalogue import (
    Catalogue,
    TariffRow,
    catalogue_to_json,
    dump_catalogue,
    load_catalogue,
)
from knowledge.tariffs.importer import SectionSpec, import_file, main, parse_price_list

SEED = SEEDS_DIR / "003_ca89e0cbbb223601.txt"
COMMITTED = KNOWLEDGE_DATA / "tariffs_2024.json"
REPORT = KNOWLEDGE_DATA / "tariffs_2024.report.txt"
needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"seed not found: {SEED}")

SECTION_COUNTS = {
    "Affald og genbrug": 176,
    "Bibliotek": 8,
    "Byggeri": 7,
    "Diverse oplysninger attester og gebyrer": 4,
    "Fiskeri": 14,
    "Køge Marina": 73,
    "Køge Musikskole": 20,
    "Køge Ungdomsskole Tapperiet": 6,
    "Kørekort": 16,
    "Lokale leje": 50,
    "Madordninger": 5,
    "Pas, sundhedskort og ID til unge": 9,
    "Varmtvandsbassinet i Aktivitetshuset i Borup": 10,
    "Herfølge Svømmehal": 6,
    "Køge Svømmeland": 69,
    "Takster for ældreområdet": 7,
    "Brug af grønne arealer til arrangementer": 9,
    "Brug af torve, pladser og vejarealer til arrangementer": 2,
    "Gadesalg": 7,
    "Parkering": 5,
    "Dagtilbud 0-6 år": 17,
    "SFO og juniorklub": 5,
    "Skatter og afgifter": 8,
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(COMMITTED)


@pytest.fixture(scope="module")
def seed_lines() -> List[str]:
    return SEED.read_bytes().decode("utf-8").split("\n")


# -- counts ---------------------------------------------------------------------------------
def test_rows_per_section(catalogue: Catalogue) -> None:
    counts = {name: len(catalogue.rows_in(name)) for name in catalogue.sections()}
    assert counts == SECTION_COUNTS
    assert list(counts) == list(SECTION_COUNTS)  # page order
    assert len(catalogue.rows) == 533


def test_provenance(catalogue: Catalogue) -> None:
    assert catalogue.source == "003_ca89e0cbbb223601.txt"
    assert catalogue.title == "Takster, skatter og afgifter"
    assert re.fullmatch(r"[0-9a-f]{64}", catalogue.source_sha256)


# -- specific rows --------------------------------------------------------------------------
Amounts = List[Tuple[str, str]]
ROWS: List[Tuple[int, int, str, Optional[str], str, Amounts, str]] = [
    # line, line_end, label, price_text, kind, amounts, unit
    (14, 14, "Konkret anvisning af erhvervsaffald, pr. påbegyndt time", "800,00 kr.", "amount",
     [("800.00", "pris")], "started_hour"),
    (34, 34, "Gebyr pr. husstand", "Ikke aktuel pt.", "text", [], "unknown"),
    (55, 57, "Tømning af fejlsorteret beholder til genanvendelige materialer, restaffald "
     "(Uafhængig af størrelser og fraktion)", "390,00 kr.", "amount", [("390.00", "pris")], "once"),
    (58, 60, "Ekstraordinær tømning af nedgravet beholder (Uafhængig af størrelser og fraktion)",
     "400,00 kr.", "amount", [("400.00", "pris")], "once"),
    (98, 98, "Usorteret dagrenovation, 20 m3 kompr., 104 tømn., årligt", "293.454,00 kr.",
     "amount", [("293454.00", "pris")], "year"),
    (228, 228, "Deponeringsegnet, 8 m3, 13 tømninger, årligt", None, "empty", [], "year"),
    (229, 229, "Deponeringsegnet, 8 m3, 26 tømninger, årligt", None, "empty", [], "year"),
    (240, 240, "Usorteret dagrenovation, 190 liter, 52 tømninger, årligt", "Udgået", "text", [],
     "year"),
    (242, 242, "Genbrugspl., farligt affald, over 10, indtil 35 kg, pr. gang", "252,50 kr.",
     "amount", [("252.50", "pris")], "visit"),
    (261, 261, "Scan til mail", "Gratis", "text", [], "unknown"),
    (269, 269, "Carporte, udhuse, drivhuse og lignende mindre bygninger under 50 m2 som "
     "overholder byggeretten", "Gratis - oplyses blot til BBR", "text", [], "unknown"),
    (275, 275, "Nye enfamilieshuse, rækkehuse, sommerhuse", "Timepris: 1.070,00 kr.", "amount",
     [("1070.00", "pr. time")], "hour"),
    (276, 276, "Byggetilladelser (garage og carport mm. over 50 m2) samt helhedsvurdering under "
     "50 m2", "Timepris: 1.070,00kr.", "amount", [("1070.00", "pr. time")], "hour"),
    (370, 370, "Gæstepladser alle bådstørrelser pr. måned", "3.203,00 kr.", "amount",
     [("3203.00", "pris")], "month"),
    (410, 410, "Gæstepladser alle bådstørrelser pr. måned", "3.542,00 kr.", "amount",
     [("3542.00", "pris")], "month"),
    (403, 403, "Takst 1: 7,5 m pladser pr. m2 vandareal pr. år", "167,00 kr.", "amount",
     [("167.00", "pris")], "m2_year"),
    (414, 416, "For både der skal bruge støtteben, fordi de skal på land med mast/motorbåde - "
     "over 11 meter", "250,00 kr.", "amount", [("250.00", "pris")], "unknown"),
    (419, 419, "For alle både på land i over 30 dage", "Se årslejen", "text", [], "unknown"),
    (440, 440, "El pr. kw", "Reguleres kvartalsvis i henhold til markedspris", "text", [], "kwh"),
    (486, 486, "Flytning- og transportopgaver for andre parter - takst pr. påbegyndt halve time "
     "(30 min)", "227,00 kr.", "amount", [("227.00", "pris")], "started_30_min"),
    (526, 526, "Juniorkor (36 uger) pr. rate", "Gratis", "text", [], "rate"),
    (531, 531, "Instrumentalundervisning 20 min om ugen (36 uger) pr. rate", "380,00 kr.",
     "amount", [("380.00", "pris")], "rate"),
    (566, 566, "Salen", "10.370,00 kr.", "amount", [("10370.00", "pris")], "event_day"),
    (623, 623, "Hal pr. møde/pr. dag, mandag - fredag", "630,00/1.925,00 kr.", "double",
     [("630.00", "pr. møde"), ("1925.00", "pr. dag")], "meeting_or_day"),
    (637, 637, "Store Sal pr. møde/pr. dag, lør-søn", "1.180,00/1.775,00 kr.", "double",
     [("1180.00", "pr. møde"), ("1775.00", "pr. dag")], "meeting_or_day"),
    (645, 645, "Stort mødelokale / pr. dag, mandag - fredag", "395,00/1.290,00 kr.", "double",
     [("395.00", "pr. møde"), ("1290.00", "pr. dag")], "meeting_or_day"),
    (681, 681, "Mødelokale pr. møde/pr. dag, lørdag-søndag", "1.285,00/1.925,00 kr.", "double",
     [("1285.00", "pr. møde"), ("1925.00", "pr. dag")], "meeting_or_day"),
    (682, 682, "Køkken pr. møde/pr. dag, mandag-fredag", "190,00 kr.", "amount",
     [("190.00", "pris")], "meeting_or_day"),
    (722, 722, "Teatersalen", "14.520,00 kr.", "amount", [("14520.00", "pris")], "event_day"),
    (753, 753, "Pas 0-2 årige, gyldighed 2 år", "150,00 kr.", "amount", [("150.00", "pris")],
     "once"),
    (754, 754, "Pas 2-11 årige, gyldighed 5 år", "150,00 kr.", "amount", [("150.00", "pris")],
     "once"),
    (755, 755, "Pas 12-17 årige, gyldighed i 5 år", "181,00 kr.", "amount",
     [("181.00", "pris")], "once"),
    (756, 756, "Pas 18-64 årige, gyldighed i 10 år", "893,00 kr.", "amount",
     [("893.00", "pris")], "once"),
    (757, 757, "Pas fra 65 år, gyldighed i 10 år", "381,00 kr.", "amount", [("381.00", "pris")],
     "once"),
    (759, 762, "Sundhedskort/lægeskift (hvis kortet er over 4 år og beskadiget, kan det "
     "returneres til Køge Kommune og der vil gebyrfrit blive udstedt et nyt kort", "0,00 kr.",
     "amount", [("0.00", "pris")], "once"),
    (778, 778, "3 md. familiekort til alle familietider (kun online salg)", "900,00 kr.",
     "amount", [("900.00", "pris")], "quarter"),
    (820, 820, "Voksen", "76,00 kr.", "amount", [("76.00", "pris")], "ticket"),
    (831, 831, "Voksen", "87,00 kr.", "amount", [("87.00", "pris")], "ticket"),
    (878, 878, "Voksen", "1.930,00 kr.", "amount", [("1930.00", "pris")], "half_year"),
    (983, 985, "Ældre institutioner – rengøringsartikler mv. pr. måned", "234,50 kr.", "amount",
     [("234.50", "pris")], "month"),
    (1008, 1008, "Særlige større kommercielle arrangementer, der skal udvalgsbehandles",
     "Fastsættes i hvert enkelt tilfælde under hensyn til en skønnet risikovurdering", "text",
     [], "once"),
    (1026, 1026, "Mindstepris på 1.000 kr. op til 91 m2 - herefter 12 kr. pr. m2.",
     "12 kr. pr. m2 pr. dag", "amount", [("12.00", "pr. m2 pr. dag")], "m2_day"),
    (1032, 1032, "Fast pris pr. dag", "250 kr. pr. dag", "amount", [("250.00", "pr. dag")],
     "day"),
    (1056, 1056, "Sommersæson: 15. marts – 31. oktober", None, "empty", [], "m2_season"),
    (1060, 1060, "Pavillonerne på Køge Torv", "Baseret på kontrakter", "text", [], "m2_season"),
    (1104, 1104, "48 ugentlige timer og derover pr. måned (1. halvår)", "3.064,00 kr.", "amount",
     [("3064.00", "pris")], "month"),
    (1143, 1143, "Personskat (procent)", "25,26", "percent", [("25.26", "procent")], "percent"),
    (1144, 1144, "Kirkeskat (procent)", "0,87", "percent", [("0.87", "procent")], "percent"),
    (1145, 1145, "Grundskyld (promille)", "5,300", "promille", [("5.300", "promille")],
     "promille"),
    (1146, 1146, "Grundskyld på produktionsjord (promille)", "6,238", "promille",
     [("6.238", "promille")], "promille"),
    (1153, 1153, "Erhvervsejendomme (promille)", "0,00", "promille", [("0.00", "promille")],
     "promille"),
    (1154, 1154, "Offentlige ejendomme – (grundværdi promille)", "10,519", "promille",
     [("10.519", "promille")], "promille"),
    (1162, 1162, "Gebyr til dækning af udgifter af bekæmpelse af rotter. Der vil blive opkrævet "
     "0,64 kr. pr. kvadratmeter af ejendommens areal pr. år i henhold til bekendtgørelsen om "
     "forebyggelse og bekæmpelse af rotter.", "64,00 kr. pr. 100 m2", "amount",
     [("0.64", "pr. m2 pr. år")], "m2_year"),
]


@pytest.mark.parametrize("line, line_end, label, price_text, kind, amounts, unit", ROWS)
def test_row_against_seed(
    catalogue: Catalogue,
    line: int,
    line_end: int,
    label: str,
    price_text: Optional[str],
    kind: str,
    amounts: Amounts,
    unit: str,
) -> None:
    row = catalogue.row(f"L{line:04d}")
    assert (row.line, row.line_end) == (line, line_end)
    assert row.label == label
    assert row.price_text == price_text
    assert row.kind == kind
    assert [(str(a.value), a.what) for a in row.amounts] == amounts
    assert row.unit == unit
    assert row.text_price == (price_text if kind == "text" else None)


@pytest.mark.parametrize(
    "line, section, headings, year",
    [
        (14, "Affald og genbrug", ["Gebyrer for konkret anvisning af erhvervsaffald"], "2024"),
        (370, "Køge Marina", ["pladser m.m. - priser", "Køge Marina"], "2024"),
        (410, "Køge Marina",
         ["pladser m.m. - priser", "Erhverv: I Havnebassinet samt på land pr. m2 vandareal"],
         "2024"),
        (516, "Køge Musikskole", ["Køge Musikskole", "Der betales 1. rate pr. hold for"],
         "2024/2025"),
        (522, "Køge Musikskole", ["Køge Musikskole", "10 rater pr. skoleår"], "2024/2025"),
        (820, "Køge Svømmeland", ["Svømmebad", "Enkeltbillet hverdage excl. skoleferiedage"],
         "2024"),
        (831, "Køge Svømmeland",
         ["Svømmebad", "Enkeltbillet søn- og helligdage og i skoleferie samt lørdage fra 2017"],
         "2024"),
        (898, "Køge Svømmeland",
         ["Motion inklusiv svømmebad", "Enkeltbillet hverdag excl. skoleferier"], "2024"),
        (964, "Køge Svømmeland", ["Diverse", "Diverse"], "2024"),
        (1104, "Dagtilbud 0-6 år", ["Børnehaver med småbørnsgrupper: Fra 2 til 3 år"], "2023"),
        (1153, "Skatter og afgifter", ["Dækningsafgift"], "2024"),
        (1162, "Skatter og afgifter", ["Rottebekæmpelse"], "2024"),
    ],
)
def test_row_context(
    catalogue: Catalogue, line: int, section: str, headings: List[str], year: str
) -> None:
    row = catalogue.row(f"L{line:04d}")
    assert row.section == section
    assert list(row.headings) == headings
    assert row.subsection == headings[-1]
    assert row.year == year


def test_swimming_weekday_and_weekend_prices_differ(catalogue: Catalogue) -> None:
    def prices(subsection: str) -> dict:
        return {
            r.label: r.amounts[0].value
            for r in catalogue.rows_in("Køge Svømmeland")
            if r.subsection == subsection and r.headings[0] == "Svømmebad"
        }

    weekday = prices("Enkeltbillet hverdage excl. skoleferiedage")
    weekend = prices("Enkeltbillet søn- og helligdage og i skoleferie samt lørdage fra 2017")
    assert weekday["Voksen"] == Decimal("76.00") and weekend["Voksen"] == Decimal("87.00")
    assert weekday["Barn (0 - 14 år)"] == Decimal("38.00")
    assert weekend["Barn (0 - 14 år)"] == Decimal("45.00")
    assert len(weekday) == 6 and len(weekend) == 4


def test_motion_is_a_group_not_a_section(catalogue: Catalogue) -> None:
    sections = catalogue.sections()
    for not_section in ("Motion inklusiv svømmebad", "Dækningsafgift", "Rottebekæmpelse",
                        "Diverse", "Svømmebad"):
        assert not_section not in sections


@pytest.mark.parametrize(
    "line, fragment",
    [
        (251, "Børn under 14 år betaler ½ pris for overskridelse og rykkere"),
        (261, "Ødelagte eller bortkomne materialer skal erstattes"),
        (275, "Der opkræves gebyr pr. påbegyndt 15 minutter."),
        (308, "Der opkræves gebyr pr. påbegyndt 15 minutter."),
        (531, "* Ensembler, bands og orkestre er gratis for elever i musikskolen"),
        (546, "Der gives søskenderabat for den anden og efterfølgende søskende -25% pr. barn."),
        (566, "Taksterne er inklusiv klargøring/opsætning"),
        (613, "Administrationsgebyret gælder for: Mødelokalet i Ølby, Ejby Medborgerhus"),
        (774, "*) Dækker op til to voksne og alle hjemmeboende børn under 18 år, som bor på"),
        (786, "**) Omklædning før og efter er inkluderet"),
        (964, "pr. gang"),
        (1048, "Forbrugerprisindeks pr. juli måned 2022 = 114,90 kr."),
        (1145, "* Note til kommunal grundskyld på almindelige ejendomme"),
        (1155, "** Note til dækningsafgift på offentlige ejendomme"),
        (1162, "100 m2 = 64,00 kr."),
    ],
)
def test_notes_attached(catalogue: Catalogue, line: int, fragment: str) -> None:
    notes = catalogue.row(f"L{line:04d}").notes
    assert any(fragment in note for note in notes), notes


def test_footnotes_go_to_marked_rows_only(catalogue: Catalogue) -> None:
    family = "*) Dækker op til to voksne"
    marked = [r.id for r in catalogue.rows if any(n.startswith(family) for n in r.notes)]
    assert marked == ["L0774", "L0775", "L0776"]
    assert not any(n.startswith("*)") for n in catalogue.row("L0786").notes)


def test_no_float_and_valid_amounts(catalogue: Catalogue) -> None:
    for row in catalogue.rows:
        assert all(isinstance(a.value, Decimal) for a in row.amounts)
        expected = {"amount": 1, "double": 2, "percent": 1, "promille": 1, "text": 0, "empty": 0}
        assert len(row.amounts) == expected[row.kind], row.id
        assert (row.price_text is None) == (row.kind == "empty"), row.id


# -- the seed itself ------------------------------------------------------------------------
@needs_seed
def test_row_source_text_contains_label_and_price(
    catalogue: Catalogue, seed_lines: List[str]
) -> None:
    for row in catalogue.rows:
        text = " ".join(" ".join(seed_lines[row.line - 1 : row.line_end]).split())
        assert row.label.split()[0] in text, row.id
        if row.price_text is not None:
            assert row.price_text in text, row.id


@needs_seed
def test_reimport_reproduces_committed_files() -> None:
    result = import_file(SEED)
    assert catalogue_to_json(result.catalogue) == COMMITTED.read_text(encoding="utf-8")
    assert result.report.render() == REPORT.read_text(encoding="utf-8")


@needs_seed
def test_report_is_clean() -> None:
    report = import_file(SEED).report
    assert report.unplaced == 0
    assert report.render().endswith("\nunplaced: 0\n")
    assert all(info.cls for info in report.lines)
    counts = report.class_counts()
    assert sum(counts.values()) == 1175
    assert counts["section"] == 23
    assert counts["year"] == 101
    assert counts["row"] == 533
    assert counts["chrome"] == 13


@needs_seed
def test_check_cli(tmp_path: Path) -> None:
    out = tmp_path / "tariffs.json"
    assert main(["--source", str(SEED), "--out", str(out), "--report",
                 str(tmp_path / "r.txt")]) == 0
    assert out.read_bytes() == COMMITTED.read_bytes()
    assert main(["--source", str(SEED), "--out", str(out), "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace('"893.00"', '"900.00"'),
                   encoding="utf-8")
    assert main(["--source", str(SEED), "--out", str(out), "--check"]) == 1


def test_dump_load_round_trip(catalogue: Catalogue, tmp_path: Path) -> None:
    target = tmp_path / "copy.json"
    dump_catalogue(catalogue, target)
    assert target.read_bytes() == COMMITTED.read_bytes()
    assert load_catalogue(target) == catalogue


# -- synthetic inputs -----------------------------------------------------------------------
SECTIONS = [SectionSpec("Alpha"), SectionSpec("Beta", default_unit="once")]
SAMPLE = """Skip til hoved indholdet
    Hjem Priser
\nPriser\n\nAlpha\n\nAlpha tabel\n\n2024\n
Første række, årligt 1.234,50 kr.
Lang etiket som fortsætter
på næste linje

99,00 kr.
Række A, årligt\u00a0
Række B, månedligt
Række C 5,00 kr.
Dette er en bemærkning til tabellen.

Beta\n\nGruppe\n\nUnderafsnit\n\n2024/2025\n
Hal pr. møde/pr. dag 10,00/20,00 kr.
Skat (procent) 1,50
Noget Gratis

Hold dig opdateret om noget
Adresse 1
"""


def _rows(text: str, sections=SECTIONS) -> List[TariffRow]:
    return list(parse_price_list(text, "sample.txt", sections).catalogue.rows)


def test_synthetic_structure() -> None:
    result = parse_price_list(SAMPLE, "sample.txt", SECTIONS)
    rows = {row.label: row for row in result.catalogue.rows}
    assert result.catalogue.title == "Priser"
    assert result.report.unplaced == 0
    assert rows["Første række, årligt"].amounts[0].value == Decimal("1234.50")
    multi = rows["Lang etiket som fortsætter på næste linje"]
    assert (multi.line_end - multi.line, multi.price_text) == (3, "99,00 kr.")
    assert (rows["Række A, årligt"].kind, rows["Række A, årligt"].unit) == ("empty", "year")
    assert rows["Række B, månedligt"].kind == "empty"
    assert rows["Række C"].notes == ("Dette er en bemærkning til tabellen.",)
    assert rows["Første række, årligt"].notes == ("Dette er en bemærkning til tabellen.",)
    hal = rows["Hal pr. møde/pr. dag"]
    assert (hal.section, hal.headings, hal.year, hal.kind) == (
        "Beta", ("Gruppe", "Underafsnit"), "2024/2025", "double")
    assert rows["Skat (procent)"].amounts[0].value == Decimal("1.50")
    assert rows["Noget"].text_price == "Gratis"


def test_unknown_section_is_reported() -> None:
    result = parse_price_list(SAMPLE, "sample.txt", [SectionSpec("Alpha"), SectionSpec("Gamma")])
    problems = [why for _, why in result.report.problems]
    assert any("'Gamma'" in why for why in problems)
    assert result.report.render().endswith(f"unplaced: {result.report.unplaced}\n")
    assert result.report.unplaced >= 1


def test_price_without_label_is_unplaced() -> None:
    text = "Alpha\n\nTabel\n\n2024\n\nRække 1,00 kr.\n\n5,00 kr.\n"
    result = parse_price_list(text, "x.txt", [SectionSpec("Alpha")])
    assert (9, "price without a label") in result.report.problems
