"""Tables of the citizen ledger: citizens, claims, reminders, payments, plan applications.

Imports :data:`core.models.Base` (same naming convention, same metadata); the schema is
created by ``core/migrations/versions/0002_ledger.py``. Queries live in :mod:`core.ledger`.

* ``ledger_citizens``: one citizen. ``cpr`` (10 digits) is stored only so that an import
  and a staff look-up can find the citizen; it is never logged or shown in clear (``repr``
  masks it, answers use ``ref``). ``ref`` is a random, opaque, stable reference: it is what
  the gateway signs into the identity token (claim ``sub``), never the CPR number.
* ``ledger_claims``: one bill (krav). ``claim_no`` is the debtor system's number (natural
  key). ``bill_type`` is an issuer id of ``knowledge/issuers.yml`` and ``office`` that
  issuer's office. ``payment_id`` is the 15-digit FI betalings-id (kortart 71, last digit a
  modulus-10 check digit) and ``creditor_no`` the 8-digit FI kreditornummer; together they
  give the FI line ``+71<payment_id+creditor_no<``.
* ``ledger_reminders``: rykker / varsling / underretning om udlæg with the fee the seed gives.
* ``ledger_payments``: money received on a claim (``payment_ref`` is the natural key).
* ``ledger_plan_applications``: instalment-plan applications from the chat; the unique
  ``idempotency_key`` makes a retried message store the application once.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from core.models import AMOUNT_PRECISION, Base, PortableNumeric, utcnow

#: Money in the ledger: whole øre.
MONEY_SCALE = 2

CLAIM_STATUSES = ("pending", "overdue", "paid", "in_plan")
REMINDER_KINDS = ("rykker", "varsling", "underretning_udlaeg")
PLAN_STATUSES = ("received", "approved", "rejected", "withdrawn")


def Money() -> PortableNumeric:  # noqa: N802 - reads like a type
    return PortableNumeric(AMOUNT_PRECISION, MONEY_SCALE)


def _in(column: str, values: tuple) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def mask_cpr_digits(cpr: str) -> str:
    """``"0101011234"`` -> ``"010101-****"`` (anything else -> ``"******-****"``)."""
    digits = "".join(ch for ch in str(cpr or "") if ch.isdigit())
    return f"{digits[:6]}-****" if len(digits) == 10 else "******-****"


class Citizen(Base):
    __tablename__ = "ledger_citizens"

    id = Column(Integer, primary_key=True)
    ref = Column(String(40), nullable=False)
    cpr = Column(String(10), nullable=False)
    name = Column(String(200), nullable=False)
    is_demo = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    claims = relationship(
        "Claim",
        back_populates="citizen",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Claim.due_date, Claim.id",
    )

    __table_args__ = (UniqueConstraint("ref"), UniqueConstraint("cpr"))

    def __repr__(self) -> str:  # never the CPR number in clear
        return f"<Citizen {self.ref} cpr={mask_cpr_digits(self.cpr)}>"


class Claim(Base):
    __tablename__ = "ledger_claims"

    id = Column(Integer, primary_key=True)
    claim_no = Column(String(40), nullable=False)
    citizen_id = Column(
        Integer, ForeignKey("ledger_citizens.id", ondelete="CASCADE"), nullable=False
    )
    bill_type = Column(String(32), nullable=False)
    office = Column(String(100), nullable=False)
    description = Column(Text, nullable=False)
    amount = Column(Money(), nullable=False)
    due_date = Column(Date, nullable=False)
    status = Column(String(16), nullable=False)
    civil_law = Column(Boolean, nullable=False, default=False)
    on_property = Column(Boolean, nullable=False, default=False)
    payment_id = Column(String(15), nullable=True)
    creditor_no = Column(String(8), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    citizen = relationship("Citizen", back_populates="claims")
    reminders = relationship(
        "Reminder",
        back_populates="claim",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Reminder.sent_on, Reminder.id",
    )
    payments = relationship(
        "Payment",
        back_populates="claim",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Payment.paid_on, Payment.id",
    )

    __table_args__ = (
        UniqueConstraint("claim_no"),
        CheckConstraint(_in("status", CLAIM_STATUSES), name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(None, "citizen_id"),
    )

    def __repr__(self) -> str:
        return f"<Claim {self.claim_no} {self.bill_type} {self.amount} {self.status}>"


class Reminder(Base):
    __tablename__ = "ledger_reminders"

    id = Column(Integer, primary_key=True)
    claim_id = Column(
        Integer, ForeignKey("ledger_claims.id", ondelete="CASCADE"), nullable=False
    )
    kind = Column(String(24), nullable=False)
    sent_on = Column(Date, nullable=False)
    fee = Column(Money(), nullable=False)

    claim = relationship("Claim", back_populates="reminders")

    __table_args__ = (
        UniqueConstraint("claim_id", "kind", "sent_on"),
        CheckConstraint(_in("kind", REMINDER_KINDS), name="kind_known"),
        CheckConstraint("fee >= 0", name="fee_nonnegative"),
    )


class Payment(Base):
    __tablename__ = "ledger_payments"

    id = Column(Integer, primary_key=True)
    payment_ref = Column(String(40), nullable=False)
    claim_id = Column(
        Integer, ForeignKey("ledger_claims.id", ondelete="CASCADE"), nullable=False
    )
    paid_on = Column(Date, nullable=False)
    amount = Column(Money(), nullable=False)

    claim = relationship("Claim", back_populates="payments")

    __table_args__ = (
        UniqueConstraint("payment_ref"),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index(None, "claim_id"),
    )


class PlanApplication(Base):
    __tablename__ = "ledger_plan_applications"

    id = Column(Integer, primary_key=True)
    citizen_id = Column(
        Integer, ForeignKey("ledger_citizens.id", ondelete="CASCADE"), nullable=False
    )
    claim_id = Column(
        Integer, ForeignKey("ledger_claims.id", ondelete="CASCADE"), nullable=False
    )
    monthly_amount = Column(Money(), nullable=False)
    status = Column(String(16), nullable=False, default="received")
    idempotency_key = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    claim = relationship("Claim")

    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        CheckConstraint(_in("status", PLAN_STATUSES), name="status_known"),
        CheckConstraint("monthly_amount > 0", name="monthly_amount_positive"),
        Index(None, "claim_id"),
    )
