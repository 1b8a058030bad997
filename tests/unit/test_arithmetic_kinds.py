"""The sums citizens ask for (issue 18), kind by kind, through the public answer function.

Every expected total is computed here from the catalogue rows the test names by label and
section (and the seed's own numbers), never copied from the bot's output; the answer must
state it after "=" (the working) and must not state the total a wrong row would give.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.money import format_kr
from knowledge.tariffs.answer import answer_price_question
from knowledge.tariffs.search import get_catalogue
from tests.unit.tariff_helpers import price, says


def says_total(text: str, total: Decimal) -> None:
    says(text, total)
    assert answer_price_question(text).combined


# ------------------------------------------------------------------ items of one bill
def test_the_place_said_before_a_colon_holds_for_every_item():
    says_total("Borup Kulturhus: øvrige lokaler og gl. kantine pr dag en lørdag, hvad bliver det i alt?",
               _borup_saturday_day())


def _borup_saturday_day() -> Decimal:
    rows = [r for r in get_catalogue().rows if r.section == "Lokale leje" and "Borup" in r.subsection
            and r.label.startswith(("Øvrige lokaler", "Gl. Kantine")) and "lørdag" in r.label]
    assert len(rows) == 2
    return sum((next(a.value for a in r.amounts if "dag" in a.what) for r in rows), Decimal(0))


def test_the_kind_of_property_holds_for_every_item():
    rows = {r.label: r.amounts[0].value for r in get_catalogue().rows
            if r.section == "Affald og genbrug" and r.amounts}
    summer = rows["Administration, sommerhus, årligt"] + rows["Genbrugsplads, sommerhus, årligt"]
    says_total("sommerhus: administration og genbrugsplads – hvad er det samlet om året?", summer)
    all_year = rows["Administration, helårsbeboelse, årligt"] + rows["Genbrugsplads, sommerhus, årligt"]
    assert all_year != summer
    answer = answer_price_question("sommerhus: administration og genbrugsplads – hvad er det samlet om året?")
    assert f"= {format_kr(all_year)}" not in answer.text


def test_a_room_number_picks_its_own_row():
    answer = answer_price_question("hvad koster lokale 10 i køge spejderhus en søndag")
    assert answer.status == "answer" and answer.text.startswith("Lokale 10"), answer.text
    one = answer_price_question("lokale 1 i køge spejderhus, mandag")
    assert one.text.startswith("Lokale 1 "), one.text


def test_a_count_at_the_head_of_an_item_multiplies_it():
    menu = price("Dagens menu", "Madordninger")
    main = price("Hovedret", "Madordninger")
    says_total("ældrecaféen: 3 tager dagens menu og 4 tager kun hovedret, hvad bliver det samlet?",
               3 * menu + 4 * main)


def test_a_meeting_price_is_used_when_the_question_says_per_meeting():
    rows = [r for r in get_catalogue().rows if r.section == "Lokale leje" and "Gørslev" in r.subsection
            and "mandag-fredag" in r.label and r.label.startswith(("Mødelokale", "Køkken"))]
    assert len(rows) == 2
    total = sum((next((a.value for a in r.amounts if "møde" in a.what), r.amounts[0].value) for r in rows),
                Decimal(0))
    says_total("Gørslev spejderhytte: mødelokale og køkken pr. møde en onsdag, hvad skal vi betale i alt",
               total)


def test_an_item_without_a_row_gives_no_total():
    answer = answer_price_question("ældrecaféen: 2 hovedretter og 2 desserter, hvad bliver det i alt?")
    assert not answer.combined and "I alt:" not in answer.text


# ------------------------------------------------------------------ comparisons
def test_a_comparison_for_one_person_prices_both_options_for_that_person():
    card = price("Personligt 10-turs kort", "Herfølge Svømmehal")
    single = price("Voksenbillet", "Herfølge Svømmehal")
    answer = answer_price_question(
        "herfølge svømmehal: et 10-turskort eller 10 enkeltbilletter for en voksen? hvad er billigst")
    assert answer.combined, answer.text
    assert f"= {format_kr(10 * single)}" in answer.text and format_kr(card) in answer.text
    assert f"= {format_kr(10 * single - card)}" in answer.text  # the saving


@pytest.mark.parametrize("text, card, single", [
    ("hvor mange gange skal jeg i herfølge svømmehal før et 10-turskort betaler sig? jeg er voksen",
     ("Personligt 10-turs kort", "Herfølge Svømmehal"), ("Voksenbillet", "Herfølge Svømmehal")),
    ("kimmerslev sø: hvor mange gange skal jeg fiske inden årskortet kan betale sig",
     ("Årskort til stangfiskeri fra bred", "Fiskeri", "Kimmerslev"),
     ("Dagkort til stangfiskeri fra bred", "Fiskeri", "Kimmerslev")),
])
def test_break_even_against_paying_each_time_when_only_the_card_is_named(text, card, single):
    card_price = price(card[0], card[1], where=card[2] if len(card) > 2 else "")
    one = price(single[0], single[1], where=single[2] if len(single) > 2 else "")
    visit = int(card_price // one) + 1   # the first visit at which paying each time costs more
    assert visit * one > card_price >= (visit - 1) * one
    answer = answer_price_question(text)
    assert answer.combined, answer.text
    assert f"fra den {visit}. gang" in answer.text, answer.text
