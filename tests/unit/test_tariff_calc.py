"""Arithmetic over price-list rows: every number from the catalogue, Decimal only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.tariffs.calc import Calculation, all_calculations, calculate
from knowledge.tariffs.catalogue import TariffRow
from knowledge.tariffs.query import parse_query
from knowledge.tariffs.search import get_catalogue


def row(row_id: str) -> TariffRow:
    return get_catalogue().row(row_id)


def calc(row_id: str, text: str) -> Calculation:
    result = calculate(row(row_id), parse_query(text))
    assert result is not None, f"no calculation for {row_id} / {text!r}"
    assert isinstance(result.total, Decimal)
    return result


def test_the_rates_used_are_the_catalogue_rates() -> None:
    assert row("L1162").amounts[0].value == Decimal("0.64")
    assert row("L1145").amounts[0].value == Decimal("5.300")
    assert row("L1146").amounts[0].value == Decimal("6.238")
    assert row("L1143").amounts[0].value == Decimal("25.26")
    assert row("L0275").amounts[0].value == Decimal("1070.00")


# ------------------------------------------------------------------ per m²
@pytest.mark.parametrize("text, total", [
    ("150 m2", "96.00"), ("100 kvm", "64.00"), ("1.000 kvadratmeter", "640.00"), ("87,5 m2", "56.00"),
])
def test_rat_control_per_square_metre(text: str, total: str) -> None:
    result = calc("L1162", text)
    assert result.total == Decimal(total)
    assert "0,64 kr." in result.working and "pr. år" in result.working


def test_marina_water_area_per_square_metre() -> None:
    result = calc("L0362", "20 m2")
    assert result.total == Decimal("3340.00")
    assert result.working == "20 m² × 167,00 kr. = 3.340,00 kr. pr. år"


def test_street_trade_minimum_price_is_not_computed() -> None:
    """L1026 has a minimum price with a threshold; the label states the rule itself."""
    assert calculate(row("L1026"), parse_query("50 m2")) is None


# ------------------------------------------------------------------ promille / percent
@pytest.mark.parametrize("row_id, text, total", [
    ("L1145", "grundværdi 1.200.000 kr", "6360.00"),
    ("L1145", "grundskyld af 2,5 mio", "13250.00"),
    ("L1146", "grundværdi 2.000.000 kr", "12476.00"),
    ("L1154", "grundværdi 5.000.000 kr", "52595.00"),
    ("L1153", "1.000.000 kr", "0.00"),
])
def test_per_mille_of_a_property_value(row_id: str, text: str, total: str) -> None:
    result = calc(row_id, text)
    assert result.total == Decimal(total)
    assert "‰" in result.working


def test_per_mille_working_keeps_the_written_precision() -> None:
    assert calc("L1145", "1.200.000 kr").working == \
        "1.200.000,00 kr. × 5,300 ‰ = 6.360,00 kr. pr. år"


@pytest.mark.parametrize("row_id, text, total", [
    ("L1143", "indkomst 350.000 kr", "88410.00"),
    ("L1143", "jeg tjener 412.345 kr", "104158.35"),
    ("L1144", "løn 400000 kr", "3480.00"),
])
def test_percent_of_an_income(row_id: str, text: str, total: str) -> None:
    result = calc(row_id, text)
    assert result.total == Decimal(total)
    assert "%" in result.working


# ------------------------------------------------------------------ time
@pytest.mark.parametrize("text, quarters, total", [
    ("2 timer og 10 min", 9, "2407.50"),
    ("1 time", 4, "1070.00"),
    ("1 minut", 1, "267.50"),
    ("45 minutter", 3, "802.50"),
    ("46 min", 4, "1070.00"),
    ("halvanden time", 6, "1605.00"),
])
def test_building_cases_are_charged_per_started_quarter(text: str, quarters: int, total: str) -> None:
    result = calc("L0275", text)
    assert result.total == Decimal(total)
    assert f"{quarters} påbegyndte kvarter × 267,50 kr." in result.working


def test_the_two_hours_ten_minutes_example_reads_well() -> None:
    assert calc("L0300", "2 timer og 10 min").working == (
        "2 timer og 10 min. = 9 påbegyndte kvarter × 267,50 kr. "
        "(1.070,00 kr. pr. time / 4) = 2.407,50 kr."
    )


@pytest.mark.parametrize("row_id, text, total, count", [
    ("L0014", "1 time og 20 min", "1600.00", "2 påbegyndte timer"),
    ("L0014", "3 timer", "2400.00", "3 påbegyndte timer"),
    ("L0486", "1 time", "454.00", "2 påbegyndte halve timer"),
    ("L0486", "20 min", "227.00", "1 påbegyndte halve timer"),
])
def test_started_hours_and_half_hours(row_id: str, text: str, total: str, count: str) -> None:
    result = calc(row_id, text)
    assert result.total == Decimal(total)
    assert count in result.working


@pytest.mark.parametrize("text, total", [("3 timer", "30.00"), ("en halv time", "5.00"), ("2,5 timer", "25.00")])
def test_hourly_parking(text: str, total: str) -> None:
    assert calc("L1070", text).total == Decimal(total)


def test_hourly_hire_of_the_swimming_pool() -> None:
    assert calc("L0967", "2 timer").total == Decimal("5000.00")


@pytest.mark.parametrize("row_id, text, total", [
    ("L1074", "3 dage", "90.00"),           # parking day ticket
    ("L0368", "4 døgn", "648.00"),          # marina guest berth per day
    ("L0369", "2 uger", "1718.00"),         # ... per week
    ("L0997", "4 døgn", "696.00"),          # respite stay
    ("L0567", "2 dage", "12440.00"),        # Tapperiet café per started event day
    ("L1082", "3 måneder", "9852.00"),      # family day care per month
])
def test_several_days_weeks_months(row_id: str, text: str, total: str) -> None:
    assert calc(row_id, text).total == Decimal(total)


def test_double_price_uses_the_day_amount_for_several_days() -> None:
    result = calc("L0623", "3 dage")
    assert result.total == Decimal("5775.00")
    assert "1.925,00 kr." in result.working


# ------------------------------------------------------------------ multiples, month/year
@pytest.mark.parametrize("row_id, text, total", [
    ("L0831", "3 voksenbilletter", "261.00"),
    ("L0800", "2 voksne", "100.00"),
    ("L0260", "20 a3 print", "40.00"),
    ("L0384", "3 magnetkort", "201.00"),
])
def test_multiples(row_id: str, text: str, total: str) -> None:
    assert calc(row_id, text).total == Decimal(total)


def test_sfo_per_year_is_eleven_months() -> None:
    result = calc("L1132", "om året")
    assert result.total == Decimal("18744.00")
    assert result.working.startswith("11 måneder × 1.704,00 kr.")


def test_monthly_price_per_year_is_twelve_months() -> None:
    assert calc("L1082", "om året").total == Decimal("39408.00")


# ------------------------------------------------------------------ music school, library
def test_music_school_sibling_discount() -> None:
    result = calc("L0533", "2 søskende")
    assert result.total == Decimal("988.75")
    assert "423,75 kr." in result.working and "søskenderabat 25 %" in result.working


def test_music_school_three_siblings() -> None:
    assert calc("L0532", "3 søskende").total == Decimal("1162.50")


def test_music_school_second_subject_discount_on_the_cheapest() -> None:
    result = calc("L0535", "2 fag")
    assert result.total == Decimal("1303.75")
    assert "billigste" in result.working


def test_music_school_discount_comes_from_the_seed_wording() -> None:
    notes = " ".join(row("L0546").notes)
    assert "søskenderabat for den anden og efterfølgende søskende -25%" in notes
    assert "-25% for andet og efterfølgende fag" in notes
    assert "Rabatten beregnes på de billigste fag" in notes


def test_library_half_price_for_children_under_14() -> None:
    assert calc("L0251", "min søn på 10").total == Decimal("10.00")
    assert calculate(row("L0251"), parse_query("jeg er 40")) is None
    assert calculate(row("L0259"), parse_query("min søn på 10")) is None  # copies: full price


# ------------------------------------------------------------------ nothing to compute
@pytest.mark.parametrize("row_id, text", [
    ("L0758", "hvad koster det"),       # plain amount, nothing to multiply
    ("L0517", "2 søskende"),            # Gratis
    ("L0228", "100 m2"),                # empty price
    ("L1145", "hvad er grundskylden"),  # no value given
])
def test_no_calculation_without_numbers_or_amounts(row_id: str, text: str) -> None:
    assert calculate(row(row_id), parse_query(text)) is None


def test_all_calculations_never_use_floats() -> None:
    for row_id, text in (("L1162", "150 m2"), ("L1143", "indkomst 300000 kr"), ("L0275", "1 time")):
        for result in all_calculations(row(row_id), parse_query(text)):
            assert isinstance(result.total, Decimal)
            assert result.total == result.total.quantize(Decimal("0.01"))
