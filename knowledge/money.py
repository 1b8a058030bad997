"""Danish number and money formatting.

The price list writes numbers the Danish way: ``.`` groups thousands and ``,`` separates the
decimals (``1.070,00 kr.`` is 1070.00 DKK, ``5,300`` is 5.3 with three written decimals).
Everything here works on :class:`decimal.Decimal`; money is never a float.

* :func:`parse_danish_number` reads ``"1.070,00"``, ``"1.070,00kr."``, ``"5,300"``, ``"12"``
  or ``"2½"`` into a ``Decimal`` that keeps the written precision.
* :func:`format_decimal` writes a ``Decimal`` back in Danish notation with a fixed number of
  decimals, :func:`format_kr` does the same for money (always two decimals, ending ``kr.``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Optional

__all__ = ["parse_danish_number", "format_decimal", "format_kr", "to_money"]

# "1.070,00", "1070,00", "12", "0,64", "5,300", "2½", "-25"; thousands groups must be 3 digits.
_NUMBER_RE = re.compile(
    r"^(?P<sign>[-−])?(?P<int>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<dec>\d+)|(?P<half>½))?$"
)
_KR_SUFFIX_RE = re.compile(r"\s*(?:kr\.?|dkk)\s*$", re.IGNORECASE)
_CENT = Decimal("0.01")


def parse_danish_number(text: str) -> Decimal:
    """Parse a Danish-formatted number, keeping its written precision.

    ``"1.070,00"`` -> ``Decimal("1070.00")``, ``"5,300"`` -> ``Decimal("5.300")``,
    ``"1.070,00kr."`` -> ``Decimal("1070.00")``, ``"12"`` -> ``Decimal("12")``,
    ``"2½"`` -> ``Decimal("2.5")``. Raises ``ValueError`` for anything else, including a
    ``.`` that is not a thousands separator (``"1.4"``).
    """
    cleaned = _KR_SUFFIX_RE.sub("", " ".join(str(text).split()))
    match = _NUMBER_RE.match(cleaned)
    if not match:
        raise ValueError(f"not a Danish number: {text!r}")
    digits = match.group("int").replace(".", "")
    if match.group("dec") is not None:
        digits = f"{digits}.{match.group('dec')}"
    elif match.group("half"):
        digits = f"{digits}.5"
    if match.group("sign"):
        digits = f"-{digits}"
    try:
        return Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guarantees digits
        raise ValueError(f"not a Danish number: {text!r}") from exc


def to_money(value: Decimal) -> Decimal:
    """Round a Decimal to whole øre (two decimals, half up)."""
    return _as_decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal, places: Optional[int] = 2, grouping: bool = True) -> str:
    """Write ``value`` in Danish notation: ``Decimal("1070")`` -> ``"1.070,00"``.

    ``places`` fixes the number of decimals (rounded half up); ``None`` keeps the value's own
    precision (``Decimal("5.300")`` -> ``"5,300"``). ``grouping=False`` leaves out the ``.``
    thousands separators.
    """
    number = _as_decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _, decimals = text.partition(".")
    if grouping:
        whole = _group_thousands(whole)
    return f"{sign}{whole},{decimals}" if decimals else f"{sign}{whole}"


def format_kr(value: Decimal) -> str:
    """Money in Danish notation with two decimals: ``Decimal("1070")`` -> ``"1.070,00 kr."``."""
    return f"{format_decimal(value, 2)} kr."


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ".".join(groups)


def _as_decimal(value: Decimal) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must be Decimal, not float")
    return value if isinstance(value, Decimal) else Decimal(value)
