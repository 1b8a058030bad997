"""Issue 17: the conversation's memory of the last answered price, persons as a list, and
several questions in one message - plain Python, without Rasa. Examples are our own (not from
any blind round); every expected amount is computed here from the rows' own prices."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional

import pytest

from knowledge.money import format_kr
from knowledge.router.split import split_questions
from knowledge.tariffs.answer import TariffAnswer, answer_price_question, continue_price_question
from knowledge.tariffs.persons import parse_persons, person_of, remove
from knowledge.tariffs.query_numbers import canonical_numbers
from knowledge.tariffs.search import get_catalogue
from knowledge.text import fold


def price(row_id: str) -> Decimal:
    return get_catalogue().row(row_id).amounts[0].value


def dialogue(*turns: str) -> List[TariffAnswer]:
    """Each turn continues the last answer when it can, else is a new question."""
    answers: List[TariffAnswer] = []
    context: Optional[dict] = None
    for text in turns:
        answer = continue_price_question(text, context) if context else None
        answer = answer or answer_price_question(text)
        answers.append(answer)
        context = answer.context
    return answers


def folded(text: str) -> str:
    return canonical_numbers(fold(text))


# ------------------------------------------------------------------ persons
@pytest.mark.parametrize("text, expected", [
    ("billetter til mig (40), min kone (38) og vores søn på 6",
     [(None, 40, 1), (None, 38, 1), (None, 6, 1)]),
    ("tre voksne og to børn på 5 og 10 år", [("voksen", None, 3), (None, 5, 1), (None, 10, 1)]),
    ("min far og mine to døtre på 8 og 12", [("voksen", None, 1), (None, 8, 1), (None, 12, 1)]),
    ("mine bedsteforældre (begge over 70) og mig", [(None, 71, 2), ("voksen", None, 1)]),
    ("mig, 33 år, og min søster", [(None, 33, 1), (None, None, 1)]),
])
def test_persons_are_read_as_a_list(text, expected):
    assert [p[:3] for p in parse_persons(folded(text))] == expected


@pytest.mark.parametrize("text", ["hvad koster et pas til min søn", "2 voksne", "billet til mig"])
def test_one_person_is_not_a_list(text):
    assert parse_persons(folded(text)) == () or sum(p[2] for p in parse_persons(folded(text))) >= 2


def test_labels_keep_whose_person_it_is():
    people = parse_persons(folded("mig og min nabo og hendes søn på 9"))
    assert [p[3] for p in people] == ["dig", "din nabo", "hendes søn (9 år)"]


@pytest.mark.parametrize("text, expected", [
    ("nej, det er til min mor", ("voksen", None)),
    ("han er 15", (None, 15)),
    ("hun er 19 og studerende", ("ung", 19)),
    ("til mit barnebarn", (None, None)),
])
def test_the_person_a_follow_up_names(text, expected):
    assert person_of(folded(text))[:2] == expected


def test_a_person_is_removed_by_who_they_are():
    people = parse_persons(folded("mig, min kone og min svigerfar på 80"))
    kept = remove(people, folded("min svigerfar kommer ikke med alligevel"))
    assert [p[3] for p in kept] == ["dig", "din kone"]
    assert remove(people, folded("og hvad med om lørdagen")) is None


# ------------------------------------------------------------------ totals over persons
def test_a_group_is_priced_person_by_person_with_the_total():
    answer = answer_price_question("hvad koster pas til mig (50), min mor (70) og min søn på 10")
    total = price("L0756") + price("L0757") + price("L0754")  # 18-64, 65+, 2-11
    assert answer.status == "answer"
    assert f"= {format_kr(total)}" in answer.text
    assert "Din mor (70 år)" in answer.text and "Din søn (10 år)" in answer.text


def test_a_missing_age_is_asked_then_the_group_is_priced():
    first, second = dialogue("pas til mig (30) og min fætter", "han er 70")
    assert first.status == "clarify" and "Hvor gammel er" in first.text
    assert not any(c.isdigit() and "kr" in first.text for c in first.text)  # no guessed total
    assert f"= {format_kr(price('L0756') + price('L0757'))}" in second.text


def test_follow_ups_add_and_remove_persons():
    _, added, removed = dialogue("pas til mig (30) og min datter på 4",
                                 "og min far på 66 også", "uden min datter")
    assert f"= {format_kr(price('L0756') + price('L0754') + price('L0757'))}" in added.text
    assert f"= {format_kr(price('L0756') + price('L0757'))}" in removed.text


# ------------------------------------------------------------------ memory of the subject
def test_an_answer_keeps_its_subject_for_the_next_turn():
    answer = answer_price_question("enkeltbillet voksen køge svømmeland en søndag")
    assert answer.status == "answer" and answer.context["answered"] is True


def test_another_day_changes_the_row():
    sunday, wednesday = dialogue("enkeltbillet voksen køge svømmeland en søndag", "hvad så en onsdag?")
    assert "søn- og helligdage" in sunday.text
    assert wednesday.status == "answer" and "Enkeltbillet hverdage" in wednesday.text


@pytest.mark.parametrize("turns, row", [
    # another person (the earlier one is dropped, not merged)
    (("pas til min datter på 8", "nej, det er til min far på 70"), "L0757"),
    (("pas til en på 40", "og til en pensionist?"), "L0757"),
])
def test_a_follow_up_changes_the_answered_subject(turns, row):
    answers = dialogue(*turns)
    assert answers[-1].status == "answer" and answers[-1].row_ids[0] == row, answers[-1].text


def test_a_follow_up_changes_the_quantity():
    _, more = dialogue("enkeltbillet voksen køge svømmeland en søndag", "og hvad med fem billetter?")
    assert f"5 × {format_kr(price('L0831'))} = {format_kr(5 * price('L0831'))}" in more.text


def test_a_follow_up_adds_a_duration():
    _, longer = dialogue("byggesag pr time", "og hvis sagen tager 2 timer og 20 minutter?")
    quarters = 10  # 140 minutes = 10 started quarters
    rate = get_catalogue().row(longer.row_ids[0]).amounts[0].value / 4
    assert f"= {format_kr(quarters * rate)}" in longer.text


@pytest.mark.parametrize("follow", ["hvad koster et pas?", "kan jeg betale med mobilepay?", "tak"])
def test_a_new_subject_is_not_a_follow_up(follow):
    first = answer_price_question("enkeltbillet voksen køge svømmeland en søndag")
    again = continue_price_question(follow, first.context)
    assert again is None or not set(again.row_ids) & {"L0831"}


# ------------------------------------------------------------------ several questions
@pytest.mark.parametrize("text, parts", [
    ("hvad koster et årskort i svømmeland, og hvem sender regningen?", 2),
    ("hvad koster en p-licens? hvordan betaler jeg den?", 2),
    ("1. hvad er rykkergebyret\n2. kan jeg få en afdragsordning\n3. hvad er cvr-nummeret", 3),
    ("hvad koster det for 2 voksne og 3 børn", 1),
    ("jeg har fået en rykker, hvad gør jeg", 1),
    ("hvad sker der hvis jeg ikke betaler til tiden", 1),
])
def test_several_questions_are_split(text, parts):
    assert len(split_questions(text)) == parts


# ------------------------------------------------------------------ persons joining a group
def test_a_group_follow_up_ages_or_adds_persons():
    _, aged, more = dialogue("herfølge svømmehal for mig (45) og min far på 72",
                             "nej, min far er 60", "og 2 voksne mere")
    adult = _row("Voksenbillet", "Herfølge Svømmehal")
    assert f"= {format_kr(2 * adult)}" in aged.text
    assert f"= {format_kr(4 * adult)}" in more.text


# ------------------------------------------------------------------ items of one bill (issue 18)
def _row(label_part: str, section: str) -> Decimal:
    rows = [r for r in get_catalogue().rows if label_part in r.label and r.section == section]
    assert len(rows) == 1, [r.label for r in rows]
    return rows[0].amounts[0].value


@pytest.mark.parametrize("text, parts", [
    ("storskrald 12 gange og haveaffald, hvad er det samlet", [("Storskrald, 12", "Affald og genbrug"),
                                                            ("Haveaffald", "Affald og genbrug")]),
    ("administration til et sommerhus plus haveaffald, hvad bliver det i alt",
     [("Administration, sommerhus", "Affald og genbrug"), ("Haveaffald", "Affald og genbrug")]),
])
def test_items_of_one_bill_are_added_up(text, parts):
    answer = answer_price_question(text)
    expected = sum((_row(label, section) for label, section in parts), Decimal(0))
    assert answer.status == "answer" and f"= {format_kr(expected)}" in answer.text, answer.text


def test_no_total_without_a_sure_row_for_every_item():
    answer = answer_price_question("storskrald og en elefant, hvad bliver det i alt")
    assert "I alt:" not in answer.text and answer.combined is False


# ------------------------------------------------------------------ comparisons (issue 18)
def _swim(heading: str) -> Decimal:
    """Køge Svømmeland, Svømmebad, the adult row under ``heading`` (its price from the list)."""
    rows = [r for r in get_catalogue().rows if r.section == "Køge Svømmeland" and r.label == "Voksen"
            and r.headings == ("Svømmebad", heading)]
    assert len(rows) == 1
    return rows[0].amounts[0].value


def test_two_options_are_compared_with_both_totals():
    answer = answer_price_question(
        "hvad er billigst for en voksen i køge svømmeland: et årskort eller 50 enkeltbilletter på hverdage")
    year, single = _swim("Årskort"), _swim("Enkeltbillet hverdage excl. skoleferiedage")
    assert answer.status == "answer", answer.text
    assert format_kr(year) in answer.text and f"= {format_kr(50 * single)}" in answer.text
    dear, cheap = max(year, 50 * single), min(year, 50 * single)
    assert f"du sparer {format_kr(dear)} − {format_kr(cheap)} = {format_kr(dear - cheap)}" in answer.text


def test_the_visit_from_which_a_card_pays_off():
    answer = answer_price_question("hvor mange gange skal en voksen svømme i køge svømmeland på "
                                   "hverdage før et årskort kan betale sig i forhold til enkeltbilletter")
    year, single = _swim("Årskort"), _swim("Enkeltbillet hverdage excl. skoleferiedage")
    assert f"fra den {int(year // single) + 1}. gang" in answer.text


def test_a_correction_ages_the_person_already_named():
    _, corrected = dialogue("pas til mig (40) og min søn på 8", "nej, sønnen er 14")
    assert f"= {format_kr(price('L0756') + price('L0755'))}" in corrected.text  # 18-64 + 12-17
    assert "personer" in corrected.text and "3 personer" not in corrected.text


# ------------------------------------------------------------------ fewer questions (issue 17.3)
def test_two_missing_attributes_are_asked_in_one_question_and_answered_together():
    first, second = dialogue("bådstativ", "jeg er gæst, og båden vejer 5 tons")
    assert first.status == "clarify"
    assert "fast lejer eller gæst" in first.text and "vejer båden" in first.text
    # both answered at once: the next question (if any) is about neither
    assert second.status in ("answer", "clarify")
    if second.status == "clarify":
        assert second.context["ask"] not in ("party", "tons")
