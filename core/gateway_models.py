"""Tables of the public gateway (``bot/``): staff accounts, the staff audit log, the
citizens' thumbs up/down feedback and the questions the bot could not answer.

Imports :data:`core.models.Base` (same naming convention, same metadata); the schema is
created by ``core/migrations/versions/0003_gateway.py`` and ``0004_staff_lookup.py``. Only
``bot/`` writes these tables.
Stored question text has CPR-like numbers masked before it gets here.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, String, Text, UniqueConstraint

from core.models import Base, utcnow

#: Roles of staff accounts: ``staff`` (phone staff) and ``supervisor`` (also reads the audit log).
ROLES = ("staff", "supervisor")


class StaffUser(Base):
    """A phone-staff account; ``password_hash`` is an argon2id hash (never the password)."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    display_name = Column(String(200), nullable=True)  # "Mette Hansen"; the audit view shows it
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    disabled_at = Column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint("role IN ('staff', 'supervisor')", name="role_known"),
    )


class StaffAuditEntry(Base):
    """One citizen look-up by a staff member: who, when, which citizen, why."""

    __tablename__ = "staff_audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    staff_username = Column(String(64), nullable=False)
    citizen_ref = Column(String(64), nullable=True)  # the ledger's reference, when found
    cpr_masked = Column(String(16), nullable=False)  # DDMMYY-**** (never the full number)
    reason = Column(Text, nullable=False)
    outcome = Column(String(16), nullable=False)  # found | not_found | several | too_many
    # How staff searched (cpr | payment_id | name) and for what: the masked CPR, the
    # betalings-id or the name typed (CPR-like numbers masked). Added by 0004_staff_lookup.
    search_kind = Column(String(16), nullable=False, default="cpr", server_default="cpr")
    search_text = Column(String(200), nullable=True)

    __table_args__ = (Index(None, "at"),)


class ChatFeedback(Base):
    """A thumbs up (+1) or down (-1) on one bot answer, with the question it answered."""

    __tablename__ = "chat_feedback"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    message_id = Column(String(64), nullable=False)
    rating = Column(Integer, nullable=False)
    question = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)

    __table_args__ = (
        UniqueConstraint("message_id"),
        CheckConstraint("rating IN (-1, 1)", name="rating_sign"),
        Index(None, "at"),
    )


class UnansweredQuestion(Base):
    """A question the bot answered with a fallback or a handover (seen by the gateway)."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    question = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)

    __table_args__ = (Index(None, "at"),)
