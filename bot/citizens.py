"""The gateway's adapter to the citizen ledger (:mod:`core.ledger`, another engineer's).

The gateway needs three things from the ledger, all run in a worker thread against the
gateway's own session factory:

* :func:`demo_citizens` / :func:`demo_citizen` — the fictitious citizens the demo login
  page offers (``core.ledger.demo_citizens`` / ``demo_citizen_for_login``, which also
  refuses outside demo mode);
* :func:`find_by_cpr` — a staff look-up: the citizen and their open claims, or None
  (``core.ledger.find_by_cpr``; the caller writes the audit row);
* the citizen reference (``ref``) that goes into the signed identity token (``sub``).

Everything here returns plain data for JSON; the CPR number leaves only masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy.orm import sessionmaker

from core import ledger
from core.settings import Settings
from knowledge.money import format_kr

CPR_INPUT = re.compile(r"^\s*(\d{6})[-\u2013 ]?(\d{4})\s*$")


@dataclass(frozen=True)
class CitizenSummary:
    ref: str
    name: str
    cpr: str
    claims: Tuple[Any, ...]  # core.ledger.StaffClaim: text, amount, due, status, payment_id

    @property
    def total(self) -> Decimal:
        return sum((Decimal(c.amount) for c in self.claims), Decimal("0"))

    def to_json(self) -> Dict[str, Any]:
        return {
            "ref": self.ref,
            "name": self.name,
            "cpr_masked": mask(self.cpr),
            "total": format_kr(self.total),
            "claims": [
                {"text": c.text, "amount": format_kr(Decimal(c.amount)), "due": c.due, "status": c.status,
                 "payment_id": c.payment_id}
                for c in self.claims
            ],
        }


def mask(cpr: str) -> str:
    digits = re.sub(r"\D", "", cpr or "")
    return f"{digits[:6]}-****" if len(digits) == 10 else "******-****"


def normalise_cpr(text: str) -> Optional[str]:
    """``"010101-0001"`` / ``"0101010001"`` -> ``"0101010001"``; None if not CPR-shaped."""
    m = CPR_INPUT.match(text or "")
    return m.group(1) + m.group(2) if m else None


def demo_citizens(factory: sessionmaker) -> List[ledger.DemoCitizen]:
    """The fictitious citizens a demo login may pick (blocking)."""
    return ledger.demo_citizens(factory=factory)


def demo_citizen(factory: sessionmaker, settings: Settings, ref: str) -> Optional[ledger.DemoCitizen]:
    """The demo citizen ``ref`` if a demo login may pick it (demo mode, a demo citizen)."""
    return ledger.demo_citizen_for_login(ref, settings, factory=factory)


def find_by_cpr(factory: sessionmaker, cpr: str) -> Optional[CitizenSummary]:
    """A citizen and their open claims by a normalised CPR number (blocking)."""
    found = ledger.find_by_cpr(cpr, factory=factory)
    if found is None:
        return None
    return CitizenSummary(found.ref, found.name, cpr, tuple(found.claims))
