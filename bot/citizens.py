"""The gateway's adapter to the citizen ledger (:mod:`core.ledger`, another engineer's).

The gateway needs three things from the ledger, all run in a worker thread against the
gateway's own session factory:

* :func:`demo_citizens` / :func:`demo_citizen` — the fictitious citizens the demo login
  page offers (``core.ledger.demo_citizens`` / ``demo_citizen_for_login``, which also
  refuses outside demo mode);
* a staff look-up in two steps, so that the caller can write the audit row in between:
  :func:`parse_query` + :func:`find` (who matches a CPR number, betalings-id or name:
  nothing shown yet), then :func:`view` (the citizen's claims, reminder stages, fees and
  plan applications - the claims in the words the bot uses to the citizen, from
  :mod:`core.ledger_answers`; every amount and date from the ledger);
* the citizen reference (``ref``) that goes into the signed identity token (``sub``).

Everything here returns plain data for JSON; the CPR number leaves only masked.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import sessionmaker

from core import ledger
from core import ledger_answers as answers
from core.settings import Settings
from knowledge.money import format_kr

log = logging.getLogger(__name__)

CPR_INPUT = re.compile(r"^\s*(\d{6})[-\u2013 ]?(\d{4})\s*$")


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


# --- staff look-up ---------------------------------------------------------------------------

SEARCH_KINDS = ledger.STAFF_SEARCH_KINDS
MAX_NAME_MATCHES = ledger.MAX_NAME_MATCHES
MIN_NAME_LETTERS = 2
LOCAL_ZONE = "Europe/Copenhagen"
SHORT_MONTHS = ("jan.", "feb.", "mar.", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec.")
PLAN_STATUS_DA = {"received": "modtaget, under behandling", "approved": "godkendt", "rejected": "afvist",
                  "withdrawn": "trukket tilbage"}


def parse_query(kind: str, text: str) -> Tuple[Optional[str], Optional[str]]:
    """``(value, None)`` for a well-formed query, else ``(None, error code)``: the CPR number
    normalised, the 15-digit betalings-id (from the id or the whole FI line, check digit
    tested) or the name as typed (at least two letters)."""
    if kind == "cpr":
        cpr = normalise_cpr(text)
        return (cpr, None) if cpr else (None, "cpr")
    if kind == "payment_id":
        payment_id = ledger.normalise_payment_id(text)
        if payment_id is None:
            return None, "payment_id"
        return (payment_id, None) if ledger.is_valid_payment_id(payment_id) else (None, "payment_id_check")
    if kind == "name":
        name = " ".join((text or "").split())
        return (name, None) if sum(ch.isalpha() for ch in name) >= MIN_NAME_LETTERS else (None, "name")
    return None, "kind"


def find(factory: sessionmaker, kind: str, value: str) -> List[ledger.StaffMatch]:
    """Who matches (blocking); reveals nothing until the caller has written the audit row."""
    return ledger.staff_find(factory, kind, value)


def match_json(match: ledger.StaffMatch) -> Dict[str, str]:
    """One line of a choice list: the name and the masked CPR number."""
    return {"ref": match.ref, "name": match.name, "cpr_masked": mask(match.cpr)}


@lru_cache(maxsize=1)
def _local_zone() -> Optional[ZoneInfo]:
    try:
        return ZoneInfo(LOCAL_ZONE)
    except ZoneInfoNotFoundError:  # no tz database (a slim image without tzdata)
        log.error("time zone %s not found: install tzdata; times are shown in UTC", LOCAL_ZONE)
        return None


def local_time(value: datetime) -> datetime:
    """A stored time (UTC; SQLite gives it back naive) in Danish local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_local_zone() or timezone.utc)


def danish_datetime(value: datetime) -> str:
    """``"4. dec. 2026 kl. 21:05"`` in Europe/Copenhagen time (marked "UTC" without a tz database)."""
    t = local_time(value)
    return f"{t.day}. {SHORT_MONTHS[t.month - 1]} {t.year} kl. {t:%H:%M}" + ("" if _local_zone() else " UTC")


def _stage(claim: ledger.ClaimView) -> str:
    """Where the claim is in the reminder sequence, by the reminders the ledger holds."""
    if not claim.reminders:
        return "Ingen rykker sendt"
    last = claim.reminders[-1]
    sent = f"sendt {answers.danish_date(last.sent_on)}"
    if claim.on_property and last.kind in ledger.PROPERTY_SEQUENCE:
        step = ledger.PROPERTY_SEQUENCE.index(last.kind) + 1
        return f"Trin {step} af {len(ledger.PROPERTY_SEQUENCE)}: {answers.reminder_label(last.kind).lower()} {sent}"
    count = sum(1 for r in claim.reminders if r.kind == last.kind)
    label = answers.reminder_label(last.kind)
    return f"{count}. {label.lower()} {sent}" if count > 1 else f"{label} {sent}"


def _claim_json(claim: ledger.ClaimView, today: date) -> Dict[str, Any]:
    return {
        "claim_no": claim.claim_no,
        "text": f"{claim.description} ({claim.claim_no})",
        "office": claim.office,
        "amount": format_kr(claim.outstanding),
        "original": format_kr(claim.amount),
        "fees": format_kr(claim.fees),
        "paid": format_kr(claim.paid),
        "due": answers.danish_date(claim.due_date),
        "status": ledger.STATUS_DA.get(claim.status, claim.status),
        "payment_id": claim.fi_line,
        "stage": _stage(claim),
        "reminders": [
            {"kind": r.kind, "label": answers.reminder_label(r.kind), "sent": answers.danish_date(r.sent_on),
             "fee": format_kr(r.fee)}
            for r in claim.reminders
        ],
        "citizen_text": answers.claim_line(claim, today),
        "next_steps": answers.next_steps(claim) if claim.status in ("overdue", "pending") else None,
    }


def view(factory: sessionmaker, ref: str, today: Optional[date] = None) -> Optional[Dict[str, Any]]:
    """The citizen ``ref`` for the staff console as JSON (blocking; after the audit row)."""
    found = ledger.staff_view(factory, ref, today)
    if found is None:
        return None
    ov = found.overview
    open_claims = [c for c in ov.claims if c.is_open]
    return {
        "ref": ov.citizen_ref,
        "name": ov.name,
        "cpr_masked": mask(found.cpr),
        "total": format_kr(sum((c.outstanding for c in open_claims), Decimal("0"))),
        "claims": [_claim_json(c, ov.today) for c in open_claims],
        "applications": [
            {"claim_no": a.claim_no, "description": a.description, "monthly": format_kr(a.monthly_amount),
             "status": PLAN_STATUS_DA.get(a.status, a.status),
             "date": answers.danish_date(local_time(a.created_at).date())}
            for a in found.applications
        ],
    }
