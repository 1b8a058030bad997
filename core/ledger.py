"""The citizen ledger: queries, instalment-plan applications, demo data and CSV import.

Plain functions over a SQLAlchemy ``sessionmaker`` (see :mod:`core.db`), testable without
Rasa. The Danish wording of answers is in :mod:`core.ledger_answers`; the actions in
``actions/account.py`` only verify the identity token and call these.

Facts taken from the seed ``000_88859510c15c3961.txt`` ("Hvad sker der, hvis jeg ikke
betaler til tiden", lines 70-86):

* rykker: 250,00 kr. per rykker; 100,00 kr. per rykker for a civil-law (civilretligt) claim;
* claims on a property (ejendomsskat, renovation, ...): rykker 250,00 kr., then varsling
  250,00 kr., then underretning om udlæg 450,00 kr.;
* an unpaid claim is then sent to Gældsstyrelsen (lines 91-94).

FI payment line (Danish FI-kort, kortart 71): ``+71<`` 15-digit betalings-id ``+`` 8-digit
kreditornummer ``<``; the last digit of the betalings-id is a modulus-10 check digit
(weights 2, 1, 2, ... from the right, digit sums), e.g. number 1 -> ``18``.

CLI::

    python -m core.ledger seed-demo [--url URL]        # migrate, then (re)seed demo citizens
    python -m core.ledger import-csv FILE [--url URL]  # migrate, then import (all or nothing)

CSV format (UTF-8, ``;`` or ``,`` separated, header line first; one row per record, the
``type`` column says which; rows refer to each other by natural keys, in the file or already
in the database)::

    type;cpr;name;claim_no;bill_type;description;amount;due_date;status;civil_law;payment_id;creditor_no;reminder;date;payment_ref
    citizen;020200-0001;Navn;;;;;;;;;;;;
    claim;020200-0001;;K-1;ejendomsskat;Ejendomsskat 1. rate;4.312,50;2026-09-01;overdue;nej;<15 cifre>;<8 cifre>;;;
    reminder;;;K-1;;;;;;;;;rykker;2026-09-15;
    payment;;;K-1;;;1.000,00;;;;;;;2026-09-20;BANK-0001

``bill_type`` is an issuer id of ``knowledge/issuers.yml`` (the office follows from it),
``status`` one of pending/overdue/paid/in_plan, ``reminder`` one of rykker/varsling/
underretning_udlaeg (its fee is the seed's; an ``amount`` given for it must match). Amounts
Danish (``1.070,00``) or plain (``1070.00``); dates ISO or ``dd-mm-yyyy``. Any invalid row
rejects the whole file with "linje N: … / line N: …" messages; nothing is stored. Keys:
citizen by CPR, claim by claim_no, reminder by (claim_no, reminder, date), payment by
payment_ref; re-importing the same file changes nothing.

Demo citizens ("Demo Borger 1" …) are fictitious. Their CPR numbers are ``010100-0001`` …
``010100-0006`` (born 1 January 1900, serials 0001-0006), their claim numbers start with
``DEMO-`` and their FI kreditornummer is the placeholder :data:`DEMO_CREDITOR_NO`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import logging
import re
import secrets
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from core.db import LOG_FORMAT, make_engine, make_session_factory, mask_url, resolve_url, upgrade_database
from core.ledger_models import (
    CLAIM_STATUSES,
    REMINDER_KINDS,
    Citizen,
    Claim,
    Payment,
    PlanApplication,
    Reminder,
    mask_cpr_digits,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- facts

#: Fees by the seed (000_88859510c15c3961.txt lines 70, 76, 82).
RYKKER_FEE = Decimal("250.00")
RYKKER_FEE_CIVIL = Decimal("100.00")
VARSLING_FEE = Decimal("250.00")
UNDERRETNING_UDLAEG_FEE = Decimal("450.00")

#: Bill types whose claims "påhviler din ejendom" (seed line 82 names ejendomsskat and renovation).
PROPERTY_BILL_TYPES = frozenset({"ejendomsskat", "renovation"})

#: The property sequence of the seed, in order.
PROPERTY_SEQUENCE = ("rykker", "varsling", "underretning_udlaeg")

#: Placeholder FI kreditornummer of the demo data (8 digits, first digit 8). Not Køge
#: Kommune's real number, which the seeds do not give; real claims carry theirs.
DEMO_CREDITOR_NO = "80000000"

CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")


def fee_for(kind: str, civil_law: bool) -> Decimal:
    """The fee of one reminder of ``kind`` as the seed states it."""
    if kind == "rykker":
        return RYKKER_FEE_CIVIL if civil_law else RYKKER_FEE
    if kind == "varsling":
        return VARSLING_FEE
    if kind == "underretning_udlaeg":
        return UNDERRETNING_UDLAEG_FEE
    raise ValueError(f"unknown reminder kind {kind!r}")


# --------------------------------------------------------------------------- FI line


def mod10_check_digit(digits: str) -> str:
    """Modulus-10 check digit of ``digits`` (weights 2, 1, 2, … from the right)."""
    if not digits.isdigit():
        raise ValueError("digits only")
    total = 0
    for position, ch in enumerate(reversed(digits)):
        product = int(ch) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def make_payment_id(number: int) -> str:
    """The 15-digit FI betalings-id for a running ``number``: 14 digits + check digit."""
    if not 0 < number < 10**14:
        raise ValueError("number out of range")
    body = f"{number:014d}"
    return body + mod10_check_digit(body)


def is_valid_payment_id(value: str) -> bool:
    return bool(re.fullmatch(r"\d{15}", value or "")) and mod10_check_digit(value[:-1]) == value[-1]


def is_valid_creditor_no(value: str) -> bool:
    return bool(re.fullmatch(r"8\d{7}", value or ""))


def fi_line(payment_id: Optional[str], creditor_no: Optional[str]) -> Optional[str]:
    """``+71<000000000000018+80000000<`` or None when either part is missing."""
    if not payment_id or not creditor_no:
        return None
    return f"+71<{payment_id}+{creditor_no}<"


# --------------------------------------------------------------------------- CPR


_CPR_INPUT = re.compile(r"^\s*(\d{6})[-\u2013 ]?(\d{4})\s*$")


def normalise_cpr(text: str) -> Optional[str]:
    """``"010100-0001"`` / ``"0101000001"`` -> ``"0101000001"``; None unless CPR-shaped
    (10 digits whose first six are a date DDMMYY)."""
    match = _CPR_INPUT.match(text or "")
    if not match:
        return None
    head = match.group(1)
    day, month = int(head[:2]), int(head[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return head + match.group(2)


# --------------------------------------------------------------------------- engines


@lru_cache(maxsize=8)
def _factory_for(url: str) -> sessionmaker:
    return make_session_factory(make_engine(url))


def session_factory(url: Optional[str] = None) -> sessionmaker:
    """A cached session factory for ``url`` (default: the configured database)."""
    return _factory_for(resolve_url(url))


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class ReminderView:
    kind: str
    sent_on: date
    fee: Decimal


@dataclass(frozen=True)
class ClaimView:
    """One claim as the citizen may see it (no CPR, no internal ids)."""

    claim_no: str
    bill_type: str
    office: str
    description: str
    amount: Decimal
    fees: Decimal
    paid: Decimal
    due_date: date
    status: str  # effective: pending | overdue | paid | in_plan
    civil_law: bool
    on_property: bool
    payment_id: Optional[str]
    creditor_no: Optional[str]
    reminders: Tuple[ReminderView, ...] = ()
    open_application: bool = False

    @property
    def total(self) -> Decimal:
        return self.amount + self.fees

    @property
    def outstanding(self) -> Decimal:
        """What is left to pay (negative: paid too much)."""
        return self.total - self.paid

    @property
    def credit(self) -> Decimal:
        return -self.outstanding if self.outstanding < 0 else Decimal("0.00")

    @property
    def fi_line(self) -> Optional[str]:
        return fi_line(self.payment_id, self.creditor_no)

    @property
    def is_open(self) -> bool:
        return self.status != "paid" and self.outstanding > 0

    @property
    def plan_eligible(self) -> bool:
        return self.status in ("pending", "overdue") and self.outstanding > 0 and not self.open_application


@dataclass(frozen=True)
class Overview:
    citizen_ref: str
    name: str
    claims: Tuple[ClaimView, ...]
    today: date

    def _with(self, status: str) -> List[ClaimView]:
        return [c for c in self.claims if c.status == status and c.outstanding > 0]

    @property
    def overdue(self) -> List[ClaimView]:
        return self._with("overdue")

    @property
    def pending(self) -> List[ClaimView]:
        return self._with("pending")

    @property
    def in_plan(self) -> List[ClaimView]:
        return self._with("in_plan")

    @property
    def credits(self) -> List[ClaimView]:
        return [c for c in self.claims if c.credit > 0]

    @property
    def overdue_total(self) -> Decimal:
        return sum((c.outstanding for c in self.overdue), Decimal("0.00"))

    @property
    def pending_total(self) -> Decimal:
        return sum((c.outstanding for c in self.pending), Decimal("0.00"))

    @property
    def in_plan_total(self) -> Decimal:
        return sum((c.outstanding for c in self.in_plan), Decimal("0.00"))

    @property
    def credit_total(self) -> Decimal:
        return sum((c.credit for c in self.credits), Decimal("0.00"))

    @property
    def next_due(self) -> Optional[ClaimView]:
        upcoming = sorted(self.pending, key=lambda c: (c.due_date, c.claim_no))
        return upcoming[0] if upcoming else None

    @property
    def plan_eligible(self) -> List[ClaimView]:
        return [c for c in self.claims if c.plan_eligible]

    def of_type(self, bill_type: str) -> List[ClaimView]:
        return [c for c in self.claims if c.bill_type == bill_type]

    def claim(self, claim_no: str) -> Optional[ClaimView]:
        wanted = (claim_no or "").strip().upper()
        return next((c for c in self.claims if c.claim_no.upper() == wanted), None)


def effective_status(stored: str, due_date: date, today: date) -> str:
    """A pending claim whose due date has passed is overdue."""
    if stored == "pending" and due_date < today:
        return "overdue"
    return stored


def _claim_view(claim: Claim, today: date, open_application: bool) -> ClaimView:
    fees = sum((r.fee for r in claim.reminders), Decimal("0.00"))
    paid = sum((p.amount for p in claim.payments), Decimal("0.00"))
    return ClaimView(
        claim_no=claim.claim_no,
        bill_type=claim.bill_type,
        office=claim.office,
        description=claim.description,
        amount=claim.amount,
        fees=fees,
        paid=paid,
        due_date=claim.due_date,
        status=effective_status(claim.status, claim.due_date, today),
        civil_law=bool(claim.civil_law),
        on_property=bool(claim.on_property),
        payment_id=claim.payment_id,
        creditor_no=claim.creditor_no,
        reminders=tuple(ReminderView(r.kind, r.sent_on, r.fee) for r in claim.reminders),
        open_application=open_application,
    )


def _citizen_by_ref(session: Session, ref: str) -> Optional[Citizen]:
    if not ref or not isinstance(ref, str):
        return None
    return session.execute(
        select(Citizen)
        .where(Citizen.ref == ref)
        .options(
            selectinload(Citizen.claims).selectinload(Claim.reminders),
            selectinload(Citizen.claims).selectinload(Claim.payments),
        )
    ).scalar_one_or_none()


def _open_application_claim_ids(session: Session, citizen_id: int) -> set:
    rows = session.execute(
        select(PlanApplication.claim_id).where(
            PlanApplication.citizen_id == citizen_id, PlanApplication.status == "received"
        )
    )
    return {row[0] for row in rows}


def _overview(session: Session, citizen: Citizen, today: date) -> Overview:
    open_ids = _open_application_claim_ids(session, citizen.id)
    claims = tuple(_claim_view(c, today, c.id in open_ids) for c in citizen.claims)
    return Overview(citizen.ref, citizen.name, claims, today)


def overview(factory: sessionmaker, citizen_ref: str, today: Optional[date] = None) -> Optional[Overview]:
    """Everything the citizen ``citizen_ref`` may see about their own claims; None if unknown."""
    today = today or date.today()
    with factory() as session:
        citizen = _citizen_by_ref(session, citizen_ref)
        if citizen is None:
            return None
        return _overview(session, citizen, today)


def citizen_exists(factory: sessionmaker, citizen_ref: str) -> bool:
    with factory() as session:
        return _citizen_by_ref(session, citizen_ref) is not None


# --------------------------------------------------------------------------- instalment plans


class PlanError(ValueError):
    """An application cannot be stored; ``code`` says why (for the Danish answer)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PlanResult:
    claim_no: str
    monthly_amount: Decimal
    created: bool  # False: the same application was already stored (a retried message)
    created_at: datetime
    months: int


def idempotency_key(conversation_id: str, claim_no: str, monthly_amount: Decimal) -> str:
    """One application per (conversation, claim, amount): a retried message maps to the same key."""
    amount = to_money(monthly_amount)
    raw = f"plan\x1f{conversation_id}\x1f{claim_no.strip().upper()}\x1f{amount}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def to_money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def months_needed(outstanding: Decimal, monthly: Decimal) -> int:
    if monthly <= 0:
        raise ValueError("monthly amount must be positive")
    whole, rest = divmod(outstanding, monthly)
    return int(whole) + (1 if rest > 0 else 0)


def check_monthly_amount(claim: ClaimView, monthly: Decimal) -> Optional[str]:
    """None if ``monthly`` is acceptable for ``claim``; else an error code."""
    if monthly != monthly.quantize(CENT):
        return "too_many_decimals"
    if monthly <= 0:
        return "not_positive"
    if monthly > claim.outstanding:
        return "more_than_outstanding"
    return None


def apply_for_plan(
    factory: sessionmaker,
    citizen_ref: str,
    claim_no: str,
    monthly_amount: Decimal,
    key: str,
    today: Optional[date] = None,
) -> PlanResult:
    """Store an instalment-plan application exactly once per ``key``.

    Raises :class:`PlanError` (``unknown_citizen``, ``unknown_claim`` - also for another
    citizen's claim -, ``not_eligible``, ``already_applied`` and the amount codes of
    :func:`check_monthly_amount`). A second call with the same key returns the stored
    application with ``created=False``, also when two calls race.
    """
    today = today or date.today()
    monthly = Decimal(monthly_amount)
    with factory.begin() as session:
        citizen = _citizen_by_ref(session, citizen_ref)
        if citizen is None:
            raise PlanError("unknown_citizen")
        existing = _application_by_key(session, key)
        if existing is not None:
            if existing.citizen_id != citizen.id:
                raise PlanError("unknown_claim")
            return _plan_result(existing, created=False, today=today, session=session)
        view = _overview(session, citizen, today).claim(claim_no)
        if view is None:
            raise PlanError("unknown_claim")
        if view.open_application:
            raise PlanError("already_applied")
        if not view.plan_eligible:
            raise PlanError("not_eligible")
        problem = check_monthly_amount(view, monthly)
        if problem:
            raise PlanError(problem)
        claim = next(c for c in citizen.claims if c.claim_no == view.claim_no)
        application = PlanApplication(
            citizen_id=citizen.id,
            claim_id=claim.id,
            monthly_amount=monthly,
            status="received",
            idempotency_key=key,
        )
        try:
            with session.begin_nested():
                session.add(application)
        except IntegrityError:
            # Another request with the same key won the race: report that one.
            existing = _application_by_key(session, key)
            if existing is None:
                raise
            return _plan_result(existing, created=False, today=today, session=session)
        return PlanResult(
            view.claim_no, monthly, True, application.created_at, months_needed(view.outstanding, monthly)
        )


def _application_by_key(session: Session, key: str) -> Optional[PlanApplication]:
    return session.execute(
        select(PlanApplication).where(PlanApplication.idempotency_key == key)
    ).scalar_one_or_none()


def _plan_result(app: PlanApplication, created: bool, today: date, session: Session) -> PlanResult:
    claim = session.get(Claim, app.claim_id)
    view = _claim_view(claim, today, True)
    outstanding = max(view.outstanding, app.monthly_amount)
    return PlanResult(claim.claim_no, app.monthly_amount, created, app.created_at, months_needed(outstanding, app.monthly_amount))


def plan_applications(factory: sessionmaker, citizen_ref: str) -> List[Tuple[str, Decimal, str]]:
    """(claim_no, monthly_amount, status) of the citizen's applications, oldest first."""
    with factory() as session:
        citizen = _citizen_by_ref(session, citizen_ref)
        if citizen is None:
            return []
        rows = session.execute(
            select(Claim.claim_no, PlanApplication.monthly_amount, PlanApplication.status)
            .join(Claim, Claim.id == PlanApplication.claim_id)
            .where(PlanApplication.citizen_id == citizen.id)
            .order_by(PlanApplication.id)
        )
        return [(r[0], r[1], r[2]) for r in rows]


# --------------------------------------------------------------------------- records (import)


@dataclass
class Record:
    """One validated row of an import (or of the demo data)."""

    line: int
    type: str
    values: Dict[str, object] = field(default_factory=dict)


class LedgerImportError(ValueError):
    """The file was rejected; ``errors`` are "linje N: dansk / English" texts. Nothing was stored."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass
class ImportReport:
    created: Dict[str, int] = field(default_factory=dict)
    updated: Dict[str, int] = field(default_factory=dict)
    unchanged: Dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + 1

    def summary(self) -> str:
        parts = []
        for bucket in ("created", "updated", "unchanged"):
            counts = getattr(self, bucket)
            text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
            parts.append(f"{bucket}: {text}")
        return "; ".join(parts)


COLUMNS = (
    "type", "cpr", "name", "claim_no", "bill_type", "description", "amount", "due_date",
    "status", "civil_law", "payment_id", "creditor_no", "reminder", "date", "payment_ref",
)
REQUIRED = {
    "citizen": ("cpr", "name"),
    "claim": ("cpr", "claim_no", "bill_type", "description", "amount", "due_date", "status"),
    "reminder": ("claim_no", "reminder", "date"),
    "payment": ("claim_no", "payment_ref", "date", "amount"),
}
_TRUE = {"1", "ja", "j", "true", "yes", "y", "x"}
_FALSE = {"", "0", "nej", "n", "false", "no"}
_CLAIM_NO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")


def parse_money(text: str) -> Decimal:
    """``"1.070,00"``, ``"1070,00"``, ``"1070.00"``, ``"250"`` -> Decimal; ValueError otherwise."""
    raw = (text or "").strip().replace(" ", "")
    raw = re.sub(r"(?i)(kr\.?|dkk)$", "", raw)
    if re.fullmatch(r"\d+\.\d{1,2}", raw):
        value = Decimal(raw)
    else:
        from knowledge.money import parse_danish_number

        value = parse_danish_number(raw)
    if value != value.quantize(CENT):
        raise ValueError("more than two decimals")
    if value > MAX_MONEY:
        raise ValueError("too large")
    return value.quantize(CENT)


def parse_date(text: str) -> date:
    """ISO ``2024-09-01`` or Danish ``01-09-2024`` / ``1.9.2024``."""
    raw = (text or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})", raw)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise ValueError(raw)


def _issuers() -> Dict[str, object]:
    from knowledge.issuers import load_issuers

    return {issuer.id: issuer for issuer in load_issuers()}


def _bool(text: str) -> Optional[bool]:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _validate_row(line: int, row: Mapping[str, str], issuers: Mapping[str, object]) -> Tuple[Optional[Record], List[str]]:
    errors: List[str] = []

    def err(da: str, en: str) -> None:
        errors.append(f"linje {line}: {da} / line {line}: {en}")

    kind = (row.get("type") or "").strip().lower()
    if kind not in REQUIRED:
        err(f"ukendt type {kind!r} (citizen, claim, reminder eller payment)",
            f"unknown record type {kind!r} (citizen, claim, reminder or payment)")
        return None, errors
    for column in REQUIRED[kind]:
        if not (row.get(column) or "").strip():
            err(f"feltet '{column}' mangler", f"column '{column}' is empty")
    if errors:
        return None, errors
    values: Dict[str, object] = {}
    if kind in ("citizen", "claim"):
        cpr = normalise_cpr(row["cpr"])
        if cpr is None:
            err("CPR-nummeret er ikke gyldigt (10 cifre, DDMMÅÅ-XXXX)", "CPR number is not valid (10 digits, DDMMYY-XXXX)")
        values["cpr"] = cpr
    if kind == "citizen":
        name = " ".join(row["name"].split())
        if len(name) > 200:
            err("navnet er for langt (højst 200 tegn)", "name too long (at most 200 characters)")
        values["name"] = name
    if kind in ("claim", "reminder", "payment"):
        claim_no = row["claim_no"].strip()
        if not _CLAIM_NO.match(claim_no):
            err(f"ugyldigt kravnummer {claim_no!r}", f"invalid claim number {claim_no!r}")
        values["claim_no"] = claim_no
    if kind == "claim":
        bill_type = row["bill_type"].strip().lower()
        if bill_type not in issuers:
            err(f"ukendt regningstype {bill_type!r} (se knowledge/issuers.yml)",
                f"unknown bill type {bill_type!r} (see knowledge/issuers.yml)")
        values["bill_type"] = bill_type
        values["description"] = " ".join(row["description"].split())
        status = row["status"].strip().lower()
        if status not in CLAIM_STATUSES:
            err(f"ukendt status {status!r} ({', '.join(CLAIM_STATUSES)})", f"unknown status {status!r}")
        values["status"] = status
        civil = _bool(row.get("civil_law") or "")
        if civil is None:
            err("civil_law skal være ja eller nej", "civil_law must be yes or no")
        values["civil_law"] = bool(civil)
        payment_id = (row.get("payment_id") or "").strip() or None
        creditor_no = (row.get("creditor_no") or "").strip() or None
        if payment_id is not None and not is_valid_payment_id(payment_id):
            err("betalings-id skal være 15 cifre med gyldigt kontrolciffer (modulus 10)",
                "payment id must be 15 digits with a valid modulus-10 check digit")
        if creditor_no is not None and not is_valid_creditor_no(creditor_no):
            err("kreditornummeret skal være 8 cifre og begynde med 8", "creditor number must be 8 digits starting with 8")
        if (payment_id is None) != (creditor_no is None):
            err("betalings-id og kreditornummer skal angives sammen", "payment id and creditor number go together")
        values["payment_id"], values["creditor_no"] = payment_id, creditor_no
    if kind in ("claim", "payment"):
        try:
            amount = parse_money(row["amount"])
            if amount <= 0:
                raise ValueError("not positive")
            values["amount"] = amount
        except (ValueError, InvalidOperation):
            err(f"ugyldigt beløb {row['amount']!r} (positivt, højst 2 decimaler)",
                f"invalid amount {row['amount']!r} (positive, at most 2 decimals)")
    if kind == "claim":
        try:
            values["due_date"] = parse_date(row["due_date"])
        except ValueError:
            err(f"ugyldig forfaldsdato {row['due_date']!r} (ÅÅÅÅ-MM-DD)", f"invalid due date {row['due_date']!r} (YYYY-MM-DD)")
    if kind in ("reminder", "payment"):
        try:
            values["date"] = parse_date(row["date"])
        except ValueError:
            err(f"ugyldig dato {row['date']!r} (ÅÅÅÅ-MM-DD)", f"invalid date {row['date']!r} (YYYY-MM-DD)")
    if kind == "reminder":
        reminder = row["reminder"].strip().lower()
        if reminder not in REMINDER_KINDS:
            err(f"ukendt rykkertype {reminder!r} ({', '.join(REMINDER_KINDS)})", f"unknown reminder kind {reminder!r}")
        values["reminder"] = reminder
        if (row.get("amount") or "").strip():
            try:
                values["fee"] = parse_money(row["amount"])
            except (ValueError, InvalidOperation):
                err(f"ugyldigt gebyr {row['amount']!r}", f"invalid fee {row['amount']!r}")
    if kind == "payment":
        payment_ref = row["payment_ref"].strip()
        if not _REF.match(payment_ref):
            err(f"ugyldig betalingsreference {payment_ref!r}", f"invalid payment reference {payment_ref!r}")
        values["payment_ref"] = payment_ref
    if errors:
        return None, errors
    return Record(line, kind, values), []


def read_csv(text: str) -> Tuple[List[Record], List[str]]:
    """Validate every row of a ledger CSV (``;`` or ``,`` separated, header first)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return [], ["linje 1: filen er tom eller mangler overskriftslinjen / line 1: empty file or no header"]
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    errors: List[str] = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "type" not in header:
        errors.append(
            f"linje 1: ukendte eller manglende kolonner {unknown or ['type']} (tilladt: {', '.join(COLUMNS)}) / "
            f"line 1: unknown or missing columns"
        )
        return [], errors
    reader.fieldnames = header
    issuers = _issuers()
    records: List[Record] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            errors.append(f"linje {line}: for mange felter / line {line}: too many fields")
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        record, problems = _validate_row(line, row, issuers)
        errors.extend(problems)
        if record is not None:
            records.append(record)
    return records, errors


def _new_ref() -> str:
    return f"bgr-{secrets.token_hex(8)}"


def apply_records(
    session: Session, records: Sequence[Record], report: ImportReport, demo: bool = False
) -> List[str]:
    """Upsert ``records`` by their natural keys inside the caller's transaction.

    Returns error texts (then the caller must roll back). Citizens by CPR, claims by
    claim number, reminders by (claim, kind, date), payments by payment reference.
    """
    errors: List[str] = []
    issuers = _issuers()
    citizens: Dict[str, Citizen] = {}
    claims: Dict[str, Claim] = {}

    def err(line: int, da: str, en: str) -> None:
        errors.append(f"linje {line}: {da} / line {line}: {en}")

    def citizen_for(cpr: str) -> Optional[Citizen]:
        if cpr not in citizens:
            found = session.execute(select(Citizen).where(Citizen.cpr == cpr)).scalar_one_or_none()
            if found is None:
                return None
            citizens[cpr] = found
        return citizens[cpr]

    def claim_for(claim_no: str) -> Optional[Claim]:
        if claim_no not in claims:
            found = session.execute(select(Claim).where(Claim.claim_no == claim_no)).scalar_one_or_none()
            if found is None:
                return None
            claims[claim_no] = found
        return claims[claim_no]

    seen: Dict[Tuple[str, str], int] = {}
    order = {"citizen": 0, "claim": 1, "reminder": 2, "payment": 3}
    for record in sorted(records, key=lambda r: (order[r.type], r.line)):
        v = record.values
        key = {
            "citizen": lambda: str(v["cpr"]),
            "claim": lambda: str(v["claim_no"]),
            "reminder": lambda: f"{v['claim_no']}|{v['reminder']}|{v['date']}",
            "payment": lambda: str(v["payment_ref"]),
        }[record.type]()
        if (record.type, key) in seen:
            err(record.line, f"gentager linje {seen[(record.type, key)]} (samme nøgle)",
                f"repeats line {seen[(record.type, key)]} (same natural key)")
            continue
        seen[(record.type, key)] = record.line

        if record.type == "citizen":
            citizen = citizen_for(str(v["cpr"]))
            if citizen is None:
                citizen = Citizen(ref=_new_ref(), cpr=v["cpr"], name=v["name"], is_demo=demo)
                session.add(citizen)
                citizens[str(v["cpr"])] = citizen
                report.count("created", "citizen")
            elif citizen.name != v["name"] or bool(citizen.is_demo) != demo:
                citizen.name, citizen.is_demo = v["name"], demo
                report.count("updated", "citizen")
            else:
                report.count("unchanged", "citizen")

        elif record.type == "claim":
            citizen = citizen_for(str(v["cpr"]))
            if citizen is None:
                err(record.line, f"borgeren med CPR {mask_cpr_digits(str(v['cpr']))} findes ikke (mangler en citizen-linje)",
                    "citizen not found (add a citizen row)")
                continue
            issuer = issuers[str(v["bill_type"])]
            wanted = dict(
                bill_type=v["bill_type"], office=issuer.office, description=v["description"],
                amount=v["amount"], due_date=v["due_date"], status=v["status"], civil_law=v["civil_law"],
                on_property=v["bill_type"] in PROPERTY_BILL_TYPES, payment_id=v["payment_id"],
                creditor_no=v["creditor_no"],
            )
            claim = claim_for(str(v["claim_no"]))
            if claim is None:
                claim = Claim(claim_no=v["claim_no"], citizen=citizen, **wanted)
                session.add(claim)
                claims[str(v["claim_no"])] = claim
                report.count("created", "claim")
                continue
            if claim.citizen_id is not None and citizen.id is not None and claim.citizen_id != citizen.id:
                err(record.line, "kravnummeret tilhører en anden borger", "claim number belongs to another citizen")
                continue
            changed = False
            for name, value in wanted.items():
                if getattr(claim, name) != value:
                    setattr(claim, name, value)
                    changed = True
            report.count("updated" if changed else "unchanged", "claim")

        elif record.type == "reminder":
            claim = claim_for(str(v["claim_no"]))
            if claim is None:
                err(record.line, f"kravet {v['claim_no']!r} findes ikke", f"claim {v['claim_no']!r} not found")
                continue
            kind = str(v["reminder"])
            if kind != "rykker" and not claim.on_property:
                err(record.line, "varsling og underretning om udlæg gælder kun krav, der påhviler en ejendom",
                    "varsling and underretning om udlæg apply only to claims on a property")
                continue
            fee = fee_for(kind, bool(claim.civil_law))
            if "fee" in v and v["fee"] != fee:
                err(record.line, f"gebyret for {kind} er {fee} kr. ifølge Opkrævningen, ikke {v['fee']}",
                    f"the fee for {kind} is {fee} DKK, not {v['fee']}")
                continue
            existing = None
            if claim.id is not None:
                existing = session.execute(
                    select(Reminder).where(
                        Reminder.claim_id == claim.id, Reminder.kind == kind, Reminder.sent_on == v["date"]
                    )
                ).scalar_one_or_none()
            if existing is None:
                session.add(Reminder(claim=claim, kind=kind, sent_on=v["date"], fee=fee))
                report.count("created", "reminder")
            elif existing.fee != fee:
                existing.fee = fee
                report.count("updated", "reminder")
            else:
                report.count("unchanged", "reminder")

        elif record.type == "payment":
            claim = claim_for(str(v["claim_no"]))
            if claim is None:
                err(record.line, f"kravet {v['claim_no']!r} findes ikke", f"claim {v['claim_no']!r} not found")
                continue
            existing = session.execute(
                select(Payment).where(Payment.payment_ref == v["payment_ref"])
            ).scalar_one_or_none()
            if existing is None:
                session.add(Payment(payment_ref=v["payment_ref"], claim=claim, paid_on=v["date"], amount=v["amount"]))
                report.count("created", "payment")
            elif existing.claim_id != claim.id or existing.paid_on != v["date"] or existing.amount != v["amount"]:
                existing.claim, existing.paid_on, existing.amount = claim, v["date"], v["amount"]
                report.count("updated", "payment")
            else:
                report.count("unchanged", "payment")
        session.flush()
    return errors


def import_records(factory: sessionmaker, records: Sequence[Record], demo: bool = False) -> ImportReport:
    """Apply ``records`` in one transaction: all of them, or (on any error) none."""
    report = ImportReport()
    try:
        with factory.begin() as session:
            errors = apply_records(session, records, report, demo=demo)
            if errors:
                raise LedgerImportError(errors)
    except IntegrityError as exc:
        raise LedgerImportError(
            [f"database: en regel i databasen blev brudt / a database constraint failed ({type(exc.orig).__name__})"]
        ) from exc
    return report


def import_csv(factory: sessionmaker, source: Union[str, Path]) -> ImportReport:
    """Validate and import a ledger CSV file (path) all or nothing; re-importing changes nothing."""
    text = Path(source).read_text(encoding="utf-8")
    return import_csv_text(factory, text)


def import_csv_text(factory: sessionmaker, text: str) -> ImportReport:
    records, errors = read_csv(text)
    if errors:
        raise LedgerImportError(errors)
    return import_records(factory, records, demo=False)


# --------------------------------------------------------------------------- demo data


DEMO_CPR_PREFIX = "010100"  # 1 January 1900: the fictitious demo range 010100-0001 … -0006


def _demo_payment_id(citizen_no: int, claim_no: int) -> str:
    return make_payment_id(9_000_000 + citizen_no * 100 + claim_no)


def demo_records(today: Optional[date] = None) -> List[Record]:
    """The fictitious demo citizens and their claims, dated relative to ``today``."""
    t = today or date.today()
    d = lambda days: t + timedelta(days=days)  # noqa: E731
    out: List[Record] = []
    line = 0

    def add(kind: str, **values: object) -> None:
        nonlocal line
        line += 1
        out.append(Record(line, kind, values))

    def citizen(no: int) -> str:
        cpr = f"{DEMO_CPR_PREFIX}{no:04d}"
        add("citizen", cpr=cpr, name=f"Demo Borger {no}")
        return cpr

    def claim(cpr: str, no: int, idx: int, code: str, bill_type: str, description: str, amount: str,
              due: date, status: str, civil: bool = False) -> str:
        claim_no = f"DEMO-{no}-{code}"
        add("claim", cpr=cpr, claim_no=claim_no, bill_type=bill_type, description=description,
            amount=Decimal(amount), due_date=due, status=status, civil_law=civil,
            payment_id=_demo_payment_id(no, idx), creditor_no=DEMO_CREDITOR_NO)
        return claim_no

    def reminder(claim_no: str, kind: str, sent: date) -> None:
        add("reminder", claim_no=claim_no, reminder=kind, date=sent)

    def payment(claim_no: str, ref: str, paid: date, amount: str) -> None:
        add("payment", claim_no=claim_no, payment_ref=f"DEMO-PAY-{ref}", date=paid, amount=Decimal(amount))

    # 1: everything paid.
    c = citizen(1)
    k = claim(c, 1, 1, "DAG", "daginstitution", "Forældrebetaling, daginstitution (demo)", "2895.00", d(-40), "paid")
    payment(k, "1-1", d(-42), "2895.00")
    k = claim(c, 1, 2, "REN", "renovation", "Renovation, 1. rate (demo)", "1450.00", d(-70), "paid")
    payment(k, "1-2", d(-71), "1450.00")

    # 2: overdue ejendomsskat with a rykker; pending renovation and parkeringsafgift.
    c = citizen(2)
    k = claim(c, 2, 1, "EJD", "ejendomsskat", "Ejendomsskat, 2. rate (demo)", "6420.00", d(-35), "overdue")
    reminder(k, "rykker", d(-14))
    claim(c, 2, 2, "REN", "renovation", "Renovation, 2. rate (demo)", "1450.00", d(20), "pending")
    claim(c, 2, 3, "PARK", "parkeringsafgift", "Parkeringsafgift (demo)", "510.00", d(9), "pending")

    # 3: daycare in an instalment plan; pending musikskole.
    c = citizen(3)
    k = claim(c, 3, 1, "DAG", "daginstitution", "Forældrebetaling, daginstitution (demo)", "5790.00", d(-60), "in_plan")
    payment(k, "3-1", d(-30), "1000.00")
    claim(c, 3, 2, "MUS", "musikskole", "Musikskole, forårssemester (demo)", "1275.00", d(14), "pending")

    # 4: paid a parking fee twice (credit), and an overdue civil-law claim from the library.
    c = citizen(4)
    k = claim(c, 4, 1, "PARK", "parkeringsafgift", "Parkeringsafgift (demo)", "510.00", d(-25), "paid")
    payment(k, "4-1", d(-27), "510.00")
    payment(k, "4-2", d(-20), "510.00")
    k = claim(c, 4, 2, "BIB", "bibliotek", "Erstatning for bortkommet bog (demo, civilretligt krav)", "349.00", d(-30), "overdue", civil=True)
    reminder(k, "rykker", d(-10))

    # 5: property claim far along: rykker and varsling sent.
    c = citizen(5)
    k = claim(c, 5, 1, "EJD", "ejendomsskat", "Ejendomsskat, 1. rate (demo)", "8150.00", d(-90), "overdue")
    reminder(k, "rykker", d(-60))
    reminder(k, "varsling", d(-30))
    claim(c, 5, 2, "SVOM", "svoemmehal", "Svømmehal, holdundervisning (demo)", "640.00", d(30), "pending")

    # 6: no claims at all.
    citizen(6)
    return out


def seed_demo(factory: sessionmaker, today: Optional[date] = None) -> ImportReport:
    """(Re)seed the demo citizens in one transaction; running it again changes nothing
    but the dates (which follow ``today``)."""
    report = import_records(factory, demo_records(today), demo=True)
    # Demo Borger 3's daycare claim is in an approved plan.
    with factory.begin() as session:
        claim = session.execute(select(Claim).where(Claim.claim_no == "DEMO-3-DAG")).scalar_one()
        key = "demo-plan-DEMO-3-DAG"
        if _application_by_key(session, key) is None:
            session.add(PlanApplication(citizen_id=claim.citizen_id, claim_id=claim.id,
                                        monthly_amount=Decimal("1000.00"), status="approved", idempotency_key=key))
            report.count("created", "plan_application")
        else:
            report.count("unchanged", "plan_application")
    return report


# --------------------------------------------------------------------------- gateway seam


@dataclass(frozen=True)
class DemoCitizen:
    ref: str
    name: str
    cpr: str  # fictitious demo CPR (the gateway shows it masked)
    note: str = ""


@dataclass(frozen=True)
class StaffClaim:
    text: str
    amount: Decimal
    due: str
    status: str
    payment_id: Optional[str]


@dataclass(frozen=True)
class StaffCitizen:
    ref: str
    name: str
    claims: Tuple[StaffClaim, ...]


STATUS_DA = {"pending": "ikke forfalden", "overdue": "forfalden", "paid": "betalt", "in_plan": "i afdragsordning"}


def demo_citizens(url: Optional[str] = None, factory: Optional[sessionmaker] = None) -> List[DemoCitizen]:
    """The fictitious demo citizens (for the gateway's demo login)."""
    factory = factory or session_factory(url)
    with factory() as session:
        rows = session.execute(
            select(Citizen).where(Citizen.is_demo.is_(True)).options(selectinload(Citizen.claims)).order_by(Citizen.cpr)
        ).scalars()
        today = date.today()
        result = []
        for c in rows:
            open_claims = sum(1 for k in c.claims if k.status != "paid")
            overdue = sum(1 for k in c.claims if effective_status(k.status, k.due_date, today) == "overdue")
            result.append(DemoCitizen(c.ref, c.name, c.cpr, f"{open_claims} åbne krav, {overdue} forfaldne"))
        return result


def demo_citizen_for_login(ref: str, settings=None, url: Optional[str] = None,
                           factory: Optional[sessionmaker] = None) -> Optional[DemoCitizen]:
    """The demo citizen ``ref`` if a demo login may pick it: demo mode on, a demo citizen."""
    from core.settings import get_settings

    settings = settings or get_settings()
    if not settings.demo_mode:
        return None
    return next((c for c in demo_citizens(url, factory) if c.ref == ref), None)


def demo_login_token(ref: str, conversation_id: str, settings=None, url: Optional[str] = None,
                     factory: Optional[sessionmaker] = None, now=None) -> Optional[str]:
    """A signed identity token for demo citizen ``ref`` in ``conversation_id`` (demo mode only)."""
    from core.identity import issue_token
    from core.settings import get_settings

    settings = settings or get_settings()
    if demo_citizen_for_login(ref, settings, url, factory) is None:
        return None
    return issue_token(ref, conversation_id, settings, now=now)


def find_by_cpr(cpr: str, url: Optional[str] = None, factory: Optional[sessionmaker] = None) -> Optional[StaffCitizen]:
    """Staff look-up by CPR (the caller audits it): the citizen and their unpaid claims."""
    normalised = normalise_cpr(cpr or "")
    if normalised is None:
        return None
    factory = factory or session_factory(url)
    with factory() as session:
        citizen = session.execute(select(Citizen).where(Citizen.cpr == normalised)).scalar_one_or_none()
        if citizen is None:
            return None
        view = _citizen_by_ref(session, citizen.ref)
        ov = _overview(session, view, date.today())
    claims = tuple(
        StaffClaim(
            f"{c.description} ({c.claim_no})", c.outstanding, c.due_date.isoformat(),
            STATUS_DA.get(c.status, c.status), c.fi_line,
        )
        for c in ov.claims
        if c.is_open
    )
    return StaffCitizen(ov.citizen_ref, ov.name, claims)


# Staff look-ups by CPR number, betalings-id or name (the gateway writes the audit row
# between :func:`staff_find`, which reveals nothing yet, and :func:`staff_view`).

STAFF_SEARCH_KINDS = ("cpr", "payment_id", "name")

#: A name search that fits more citizens than this lists none ("write more of the name").
MAX_NAME_MATCHES = 20

_NAME_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
_FI_INPUT = re.compile(r"^\+?71<?(\d{15})(?:\+?(\d{8})<?)?$")


def fold_name(text: str) -> str:
    """Lower case, æ/ø/å written as ae/oe/aa, accents and punctuation dropped, so that
    ``"Søren Ærø-Hansen"``, ``"soeren aeroe hansen"`` and ``"SØREN ÆRØ HANSEN"`` are alike."""
    lowered = unicodedata.normalize("NFC", text or "").lower().translate(_NAME_LETTERS)
    plain = "".join(ch for ch in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def name_matches(query: str, name: str) -> bool:
    """Every word of ``query`` begins a word of ``name`` (folded): "jens han" fits "Jens Hansen"."""
    words = fold_name(name).split()
    terms = fold_name(query).split()
    return bool(terms) and all(any(w.startswith(t) for w in words) for t in terms)


def normalise_payment_id(text: str) -> Optional[str]:
    """The 15-digit betalings-id in what staff typed: the id itself (spaces allowed) or the
    whole FI line ``+71<000000009000201+80000000<``; None if neither (the check digit is
    not tested here - see :func:`is_valid_payment_id`)."""
    compact = re.sub(r"[\s.]", "", text or "")
    match = _FI_INPUT.match(compact)
    if match:
        return match.group(1)
    return compact if re.fullmatch(r"\d{15}", compact) else None


@dataclass(frozen=True)
class StaffMatch:
    """One citizen a staff search found (nothing but what a choice list shows)."""

    ref: str
    name: str
    cpr: str  # the gateway shows it masked


@dataclass(frozen=True)
class PlanApplicationView:
    claim_no: str
    description: str
    monthly_amount: Decimal
    status: str  # received | approved | rejected | withdrawn
    created_at: datetime


@dataclass(frozen=True)
class StaffView:
    """A citizen as phone staff see them: the citizen's own overview (the same
    :class:`ClaimView` objects the bot answers from) and every plan application."""

    cpr: str
    overview: Overview
    applications: Tuple[PlanApplicationView, ...]


def staff_find(factory: sessionmaker, kind: str, value: str) -> List[StaffMatch]:
    """Citizens matching a normalised CPR number, betalings-id or name (blocking). A name
    search returns at most ``MAX_NAME_MATCHES + 1`` matches (more than the maximum: too many)."""
    if kind not in STAFF_SEARCH_KINDS:
        raise ValueError(f"unknown search kind {kind!r}")
    with factory() as session:
        if kind == "cpr":
            rows = session.execute(select(Citizen).where(Citizen.cpr == value)).scalars().all()
        elif kind == "payment_id":
            rows = session.execute(
                select(Citizen).join(Claim, Claim.citizen_id == Citizen.id)
                .where(Claim.payment_id == value).distinct().order_by(Citizen.name, Citizen.id)
            ).scalars().all()
        else:
            # Folding (ae/æ) has no portable SQL form: the names are scanned here.
            rows = []
            for citizen in session.execute(select(Citizen).order_by(Citizen.name, Citizen.id)).scalars():
                if name_matches(value, citizen.name):
                    rows.append(citizen)
                    if len(rows) > MAX_NAME_MATCHES:
                        break
        return [StaffMatch(c.ref, c.name, c.cpr) for c in rows]


def staff_view(factory: sessionmaker, citizen_ref: str, today: Optional[date] = None) -> Optional[StaffView]:
    """The citizen ``citizen_ref`` for phone staff (call only after the audit row is written)."""
    today = today or date.today()
    with factory() as session:
        citizen = _citizen_by_ref(session, citizen_ref)
        if citizen is None:
            return None
        ov = _overview(session, citizen, today)
        rows = session.execute(
            select(Claim.claim_no, Claim.description, PlanApplication.monthly_amount, PlanApplication.status,
                   PlanApplication.created_at)
            .join(Claim, Claim.id == PlanApplication.claim_id)
            .where(PlanApplication.citizen_id == citizen.id)
            .order_by(PlanApplication.created_at, PlanApplication.id)
        )
        applications = tuple(PlanApplicationView(*row) for row in rows)
        return StaffView(citizen.cpr, ov, applications)


# --------------------------------------------------------------------------- CLI


def prepare_demo(url: Optional[str] = None) -> ImportReport:
    """Migrate ``url`` and seed the demo citizens (what set-up runs)."""
    url = resolve_url(url)
    upgrade_database(url)
    engine = make_engine(url)
    try:
        return seed_demo(make_session_factory(engine))
    finally:
        engine.dispose()


def _cmd_seed_demo(args: argparse.Namespace) -> int:
    from core.settings import get_settings

    if not get_settings().demo_mode:
        print("demo mode is off (KOEGE_DEMO_MODE): no demo citizens seeded")
        return 0
    report = prepare_demo(args.url)
    print(f"demo citizens seeded into {mask_url(resolve_url(args.url))}: {report.summary()}")
    return 0


def _cmd_import_csv(args: argparse.Namespace) -> int:
    url = resolve_url(args.url)
    upgrade_database(url)
    engine = make_engine(url)
    try:
        report = import_csv(make_session_factory(engine), args.file)
    except LedgerImportError as exc:
        print(f"Filen blev afvist, intet er importeret / file rejected, nothing imported ({len(exc.errors)} fejl/errors):",
              file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"imported {args.file} into {mask_url(url)}: {report.summary()}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    from core.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m core.ledger", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seed = sub.add_parser("seed-demo", help="migrate, then seed the fictitious demo citizens")
    seed.add_argument("--url", help="database URL (default: DATABASE_URL or var/koege.db)")
    seed.set_defaults(func=_cmd_seed_demo)
    imp = sub.add_parser("import-csv", help="migrate, then import a ledger CSV (all or nothing)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--url", help="database URL (default: DATABASE_URL or var/koege.db)")
    imp.set_defaults(func=_cmd_import_csv)
    args = parser.parse_args(argv)
    logging.basicConfig(level=get_settings().log_level, format=LOG_FORMAT)
    try:
        return args.func(args)
    except (OSError, SQLAlchemyError) as exc:
        print(f"error: {exc.__class__.__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
