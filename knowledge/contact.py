"""Køge Kommune's general contact block (``knowledge/contact.yml``) and questions about it.

The price-list page ends with the municipality's address, CVR number, phone number and
e-mail address. :func:`contact_question` tells which of them a message asks for and whether
it asks about the municipality in general ("rådhusets telefonnummer", "cvr nummer på køge
kommune") rather than about one office (those have their own phone in the issuer table);
:func:`render_contact` answers with exactly the asked facts and the source.
Loading fails with :class:`ContactError` when a value is not on the seed line it cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Optional, Tuple

import yaml

from knowledge import sources
from knowledge.text import fold

DEFAULT_PATH = Path(__file__).with_name("contact.yml")
FIELDS = ("address", "cvr", "phone", "email")
SOURCE = "Kilde: Takster, skatter og afgifter 2024, Køge Kommune – kommunens kontaktoplysninger nederst på siden"


class ContactError(ValueError):
    """``contact.yml`` is malformed or not traceable to the seed."""


@dataclass(frozen=True)
class Contact:
    name: str
    street: str
    postcode_city: str
    cvr: str
    phone: str
    email: str
    lines: Dict[str, int]


@dataclass(frozen=True)
class ContactQuestion:
    """What a message asks of the contact block: the fields, and whether its subject is the
    municipality as a whole (True) rather than an office or nothing in particular."""

    fields: FrozenSet[str]
    general: bool


@lru_cache(maxsize=4)
def load_contact(path: Optional[str] = None) -> Contact:
    data = yaml.safe_load(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    seed = data.get("seed")
    keys = ("name", "street", "postcode_city", "cvr", "phone", "email")
    try:
        values = {k: str(data[k]["value"]) for k in keys}
        lines = {k: int(data[k]["line"]) for k in keys}
    except (KeyError, TypeError, ValueError) as exc:
        raise ContactError(f"contact.yml: every field needs value and line ({exc})") from exc
    if seed and sources.seeds_available([seed]):
        for key in keys:
            if values[key] not in sources.seed_line(seed, lines[key]):
                raise ContactError(f"contact.yml: {key} {values[key]!r} is not on line {lines[key]} of {seed}")
    return Contact(lines=lines, **values)


# How people ask for each field (folded text).
_FIELD_RE: Dict[str, re.Pattern] = {
    "address": re.compile(r"\b(adresse\w*|postadresse\w*|postnummer\w*|postnr|hvor ligger|beliggenhed|"
                          r"besoegsadresse\w*|sende (et )?brev|brev til|address|where is|postcode|zip)\b"),
    "cvr": re.compile(r"\b(cvr\w*|cvr[- ]?n(umme)?r\.?|cvr-nr)\b"),
    "email": re.compile(r"(?<!scan til )(?<!scanne til )(?<!scanning til )"
                        r"\b(e-?mail\w*|mail\w*|mailadresse\w*|skrive en mail)\b"),
    "phone": re.compile(r"\b(telefon\w*|tlf\w*|nummer|nummeret|numre|ringe|ring|ringer|hovednummer\w*|"
                        r"omstilling\w*|phone|call|calling|number)\b"),
}
# The municipality as a whole, not one of its offices.
_GENERAL_RE = re.compile(r"\b(koege kommune\w*|kommunen|kommunens|raadhus\w*|hovednummer\w*|"
                         r"omstilling\w*|borgerservice koege|the municipality|municipality|town hall|"
                         r"city hall|kontaktoplysning\w*|kontakt ?info\w*)\b")
_ALL_FIELDS_RE = re.compile(r"\b(kontaktoplysning\w*|kontakt ?info\w*|kontakt (til )?(raadhus\w*|kommunen)|"
                            r"(raadhus\w*|kommunen) kontakt|contact details)\b")


_MOVING_RE = re.compile(r"\b(flytte\w*|flyt|skift\w*|aendre\w*|opdatere\w*|melde\w*) (\w+ ){0,3}adresse")


def contact_question(text: str) -> ContactQuestion:
    """The contact fields ``text`` asks for (empty when it asks none)."""
    folded = fold(text)
    fields = frozenset(name for name, pattern in _FIELD_RE.items() if pattern.search(folded))
    if _MOVING_RE.search(folded):
        fields -= {"address"}  # "hvordan flytter jeg min adresse": moving house, not the town hall
    if "cvr" in fields and not re.search(r"\b(telefon\w*|tlf\w*|ringe|ring|phone)\b", folded):
        fields -= {"phone"}  # "cvr nummer"
    if _ALL_FIELDS_RE.search(folded):
        fields = fields or frozenset(FIELDS)
    return ContactQuestion(fields=fields, general=bool(_GENERAL_RE.search(folded)))


def render_contact(fields: Optional[FrozenSet[str]] = None) -> str:
    """The asked fields of the contact block (all of them when none is named), with the source."""
    contact = load_contact()
    wanted = [f for f in FIELDS if not fields or f in fields]
    lines = {
        "address": f"• Adresse: {contact.name}, {contact.street}, {contact.postcode_city}",
        "cvr": f"• CVR-nr.: {contact.cvr}",
        "phone": f"• Telefon: {contact.phone}",
        "email": f"• E-mail: {contact.email}",
    }
    body = "\n".join(lines[f] for f in wanted)
    return f"{contact.name}s kontaktoplysninger:\n{body}\n\n{SOURCE}"


def contact_email() -> str:
    return load_contact().email


def field_lines() -> Tuple[int, ...]:
    return tuple(sorted(load_contact().lines.values()))
