"""Shared plumbing for the thin actions: safe execution and message helpers.

Every action derives from :class:`SafeAction`: if anything inside fails (a knowledge file,
the database, a bug), the citizen gets a polite Danish message instead of silence, and the
error is logged with CPR-like numbers masked. A message with a CPR-like number gets, once per
turn, the reminder that the bot never uses one (``CPR_IN_CHAT``) before the answer.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from core.identity import contains_cpr, mask_cpr, strip_cpr
from core.ledger_answers import CPR_IN_CHAT
from knowledge.message import clean_message, is_payload
from knowledge.router import Turn

logger = logging.getLogger(__name__)

TECHNICAL_ERROR = (
    "Beklager, der opstod en teknisk fejl, så jeg kan ikke svare lige nu. "
    "Prøv igen om lidt, eller ring til Opkrævningen på tlf. 5667 2450."
)


def buttons(pairs: Sequence[Tuple[str, str]]) -> List[Dict[str, str]]:
    """Rasa button dicts from (title, payload) pairs."""
    return [{"title": title, "payload": payload} for title, payload in pairs]


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def cpr_warning_due(tracker: Tracker) -> bool:
    """The citizen typed a CPR-like number in this message and no action of this turn has told
    them yet that the bot never uses one (CPR_IN_CHAT)."""
    text = latest_text(tracker)
    if text.startswith("/") or not contains_cpr(text):
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "bot" and event.get("text") == CPR_IN_CHAT:
            return False
    return True


def warned_about_cpr(dispatcher: CollectingDispatcher) -> bool:
    """Has this action already sent CPR_IN_CHAT?"""
    return any(m.get("text") == CPR_IN_CHAT for m in dispatcher.messages)


def user_question(tracker: Tracker) -> str:
    """The citizen's own words: the latest message, or - when that is a button payload
    ("/faq_pay") or a "no" to our suggestions - the last message they typed themselves.
    Without CPR-like numbers and the words introducing them ("mit cpr er …"): no answer is
    ever computed from one (a price row for "cpr", a number read as an age or an amount)."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        text = event.get("text") or ""
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if text and not text.startswith("/") and intent not in {"deny", "affirm"}:
            return strip_cpr(text)
    return ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def entity_value(tracker: Tracker, entity: str) -> Optional[str]:
    values = list(tracker.get_latest_entity_values(entity))
    return str(values[0]) if values else None


class SafeAction(Action):
    """An action whose failures end in a Danish apology, never in silence."""

    def name(self) -> str:  # pragma: no cover - overridden
        # rasa_sdk registers every subclass of Action, this base class too: a name that no
        # domain uses (raising here made `python -m rasa_sdk --actions actions` crash at start).
        return "action_safe_base_not_in_domain"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        try:
            if cpr_warning_due(tracker):
                dispatcher.utter_message(text=CPR_IN_CHAT)
            return await self.respond(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the user must get an answer whatever failed
            logger.exception(
                "action %s failed on message %r", self.name(), mask_cpr(latest_text(tracker))
            )
            dispatcher.utter_message(text=TECHNICAL_ERROR)
            return []


def send_answer_flag(dispatcher: CollectingDispatcher, reply: Any) -> None:
    """The router's reply kind as a structured message for the gateway (it marks handovers and
    logs unanswered questions without matching reply texts)."""
    dispatcher.utter_message(json_message={"answer": {"kind": reply.kind, "source": reply.source,
                                                      "handover": reply.handover}})


CONTEXT_SLOT = "router_context"


def read_turn(tracker: Tracker) -> Turn:
    """The router's view of the latest message: the citizen's words (cleaned, no CPR; a
    button's payload stands for the question it answers), the intent ranking, the entities and
    the router's context slot."""
    latest = tracker.latest_message or {}
    raw = latest_text(tracker)
    intent = (latest.get("intent") or {}).get("name")
    ranking = tuple((str(r.get("name")), float(r.get("confidence") or 0.0))
                    for r in latest.get("intent_ranking") or [] if r.get("name"))
    if not ranking and intent:
        ranking = ((intent, float((latest.get("intent") or {}).get("confidence") or 1.0)),)
    payload = is_payload(raw)
    text = clean_message(user_question(tracker) if payload else strip_cpr(raw))
    context = tracker.get_slot(CONTEXT_SLOT)
    return Turn(text=text, intent=intent, ranking=ranking,
                bill_type=entity_value(tracker, "bill_type"),
                reply=entity_value(tracker, "tariff_reply"),
                payload_intent=intent if payload else None,
                context=context if isinstance(context, dict) else None)
