"""The gateway's database work: feedback, unanswered questions, staff accounts, audit log.

Blocking SQLAlchemy calls, one ``with Session.begin():`` per unit of work; handlers call
them through :func:`run` (a worker thread), so the event loop never waits on the database.
The engine is opened and disposed by :func:`bot.app.database_ctx`; nothing connects at
import time. Question text is CPR-masked before it is stored.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, TypeVar

from sqlalchemy import desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from core.gateway_models import ROLES, ChatFeedback, StaffAuditEntry, StaffUser, UnansweredQuestion
from core.identity import mask_cpr
from core.models import utcnow

T = TypeVar("T")
MAX_TEXT = 2000


async def run(fn: Callable[..., T], *args: Any) -> T:
    """Run blocking database work in a thread."""
    return await asyncio.to_thread(fn, *args)


def _clip(text: str) -> str:
    return mask_cpr(text)[:MAX_TEXT]


# --- citizens' feedback and unanswered questions ---------------------------------------------


def save_feedback(factory: sessionmaker, message_id: str, rating: int, question: str, answer: str) -> bool:
    """Store one rating; a second rating of the same answer replaces the first."""
    if rating not in (-1, 1):
        raise ValueError("rating must be -1 or 1")
    with factory.begin() as session:
        existing = session.execute(
            select(ChatFeedback).where(ChatFeedback.message_id == message_id)
        ).scalar_one_or_none()
        if existing is not None:
            existing.rating, existing.at = rating, utcnow()
            return False
        session.add(
            ChatFeedback(message_id=message_id, rating=rating, question=_clip(question), answer=_clip(answer))
        )
    return True


def save_unanswered(factory: sessionmaker, question: str, answer: str) -> None:
    with factory.begin() as session:
        session.add(UnansweredQuestion(question=_clip(question), answer=_clip(answer)))


@dataclass(frozen=True)
class ContentRow:
    at: datetime
    question: str
    answer: str
    rating: Optional[int] = None


def thumbs_down(factory: sessionmaker, limit: int = 200) -> List[ContentRow]:
    with factory() as session:
        rows = session.execute(
            select(ChatFeedback).where(ChatFeedback.rating == -1).order_by(desc(ChatFeedback.at)).limit(limit)
        ).scalars()
        return [ContentRow(r.at, r.question, r.answer, r.rating) for r in rows]


def unanswered(factory: sessionmaker, limit: int = 200) -> List[ContentRow]:
    with factory() as session:
        rows = session.execute(
            select(UnansweredQuestion).order_by(desc(UnansweredQuestion.at)).limit(limit)
        ).scalars()
        return [ContentRow(r.at, r.question, r.answer) for r in rows]


# --- staff accounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffAccount:
    username: str
    role: str
    password_hash: str
    active: bool


def get_staff(factory: sessionmaker, username: str) -> Optional[StaffAccount]:
    with factory() as session:
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
        if user is None:
            return None
        return StaffAccount(user.username, user.role, user.password_hash, user.disabled_at is None)


def create_staff(
    factory: sessionmaker, username: str, role: str, password_hash: str, display_name: Optional[str] = None
) -> None:
    """Add an account; ``ValueError`` if the name is taken or the role unknown."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (use {' or '.join(ROLES)})")
    try:
        with factory.begin() as session:
            session.add(StaffUser(username=username, role=role, password_hash=password_hash,
                                  display_name=(display_name or "").strip()[:200] or None))
    except IntegrityError as exc:
        raise ValueError(f"user {username!r} already exists") from exc


def set_password_hash(factory: sessionmaker, username: str, password_hash: str) -> None:
    with factory.begin() as session:
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()
        user.password_hash = password_hash


def set_display_name(factory: sessionmaker, username: str, display_name: str) -> None:
    with factory.begin() as session:
        user = session.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()
        user.display_name = display_name.strip()[:200] or None


def display_names(factory: sessionmaker) -> Dict[str, str]:
    """Username -> display name of the accounts that have one."""
    with factory() as session:
        rows = session.execute(
            select(StaffUser.username, StaffUser.display_name).where(StaffUser.display_name.is_not(None))
        )
        return {username: name for username, name in rows}


# --- audit log ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    staff_username: str
    citizen_ref: Optional[str]
    cpr_masked: str
    reason: str
    outcome: str
    search_kind: str = "cpr"
    search_text: Optional[str] = None


AUDIT_OUTCOMES = ("found", "not_found", "several", "too_many")


def audit_lookup(
    factory: sessionmaker,
    staff_username: str,
    cpr_masked: str,
    citizen_ref: Optional[str],
    reason: str,
    search_kind: str = "cpr",
    search_text: Optional[str] = None,
    outcome: Optional[str] = None,
) -> None:
    """Write the audit row of one look-up (before any personal data is shown). ``outcome``
    defaults to found/not_found by ``citizen_ref``; ``search_text`` is stored CPR-masked."""
    outcome = outcome or ("found" if citizen_ref else "not_found")
    if outcome not in AUDIT_OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    with factory.begin() as session:
        session.add(
            StaffAuditEntry(
                staff_username=staff_username,
                citizen_ref=citizen_ref,
                cpr_masked=cpr_masked,
                reason=_clip(reason),
                outcome=outcome,
                search_kind=search_kind,
                search_text=mask_cpr(search_text)[:200] if search_text else None,
            )
        )


def audit_rows(factory: sessionmaker, limit: int = 500) -> List[AuditRow]:
    with factory() as session:
        rows = session.execute(
            select(StaffAuditEntry).order_by(desc(StaffAuditEntry.at), desc(StaffAuditEntry.id)).limit(limit)
        ).scalars()
        return [AuditRow(r.at, r.staff_username, r.citizen_ref, r.cpr_masked, r.reason, r.outcome,
                         r.search_kind, r.search_text) for r in rows]
