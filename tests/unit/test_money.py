"""Danish number parsing and money formatting (knowledge.money)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.money import format_decimal, format_kr, parse_danish_number, to_money


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.070,00", Decimal("1070.00")),
        ("1.070,00kr.", Decimal("1070.00")),
        ("1.070,00 kr.", Decimal("1070.00")),
        ("293.454,00 kr.", Decimal("293454.00")),
        ("5,300", Decimal("5.300")),
        ("25,26", Decimal("25.26")),
        ("0,64", Decimal("0.64")),
        ("0,00", Decimal("0.00")),
        ("12", Decimal("12")),
        ("250 kr", Decimal("250")),
        ("1.000", Decimal("1000")),
        ("2½", Decimal("2.5")),
        ("-25", Decimal("-25")),
        ("\xa0114,90\xa0kr.", Decimal("114.90")),
    ],
)
def test_parse_danish_number(text: str, expected: Decimal) -> None:
    value = parse_danish_number(text)
    assert value == expected
    assert str(value) == str(expected)  # written precision is kept


@pytest.mark.parametrize("text", ["", "kr.", "1.4", "1.07,00", "12,", "abc", "1,2,3", "1.070.0"])
def test_parse_danish_number_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_danish_number(text)


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("1070"), "1.070,00 kr."),
        (Decimal("1070.00"), "1.070,00 kr."),
        (Decimal("0.64"), "0,64 kr."),
        (Decimal("0"), "0,00 kr."),
        (Decimal("293454"), "293.454,00 kr."),
        (Decimal("1234567.891"), "1.234.567,89 kr."),
        (Decimal("252.505"), "252,51 kr."),  # half up
        (Decimal("-450"), "-450,00 kr."),
        (Decimal("999.999"), "1.000,00 kr."),
    ],
)
def test_format_kr(value: Decimal, expected: str) -> None:
    assert format_kr(value) == expected


def test_format_decimal_places_and_precision() -> None:
    assert format_decimal(Decimal("5.3"), 3) == "5,300"
    assert format_decimal(Decimal("5.300"), None) == "5,300"
    assert format_decimal(Decimal("10.519"), 2) == "10,52"
    assert format_decimal(Decimal("12345"), 0) == "12.345"
    assert format_decimal(Decimal("12345.5"), 1, grouping=False) == "12345,5"


def test_round_trip_parse_format() -> None:
    for text in ("1.070,00", "25,26", "0,64", "44.825,00"):
        assert format_decimal(parse_danish_number(text), None) == text


def test_money_is_never_float() -> None:
    with pytest.raises(TypeError):
        format_kr(1070.0)  # type: ignore[arg-type]
    assert to_money(Decimal("12")) == Decimal("12.00")
    assert str(to_money(Decimal("12"))) == "12.00"
