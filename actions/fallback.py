"""Two-stage fallback: "Mente du …?" with buttons, then a handover to a phone number.

Stage 1 (``action_clarify``, after ``nlu_fallback``): the top 2-3 intents of the unclear message
that may be offered (``offer_in_fallback`` in knowledge/intents.yml), as buttons with their
Danish titles, plus "Ingen af dem" (``/deny``). A plain "ja" to that question shows the same
choices again instead of guessing.

Stage 2 (``action_handover``, after "Ingen af dem" or a second unclear message): Opkrævningen's
number, and - when the question names a bill (its words, the ``bill_type`` entity or slot, or
the ``topic_office`` of the suggested intents) - that office's number first.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, buttons, entity_value, latest_intent, user_question
from knowledge.intents import load_intents
from knowledge.issuers import find_issuer, load_issuers

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05
NONE_OF_THEM = ("Ingen af dem", "/deny")


def suggested_intents(latest_message: Dict[str, Any]) -> List[str]:
    """The top offerable intents of a message, best first."""
    infos = load_intents()
    ranking = latest_message.get("intent_ranking") or []
    names = []
    for item in ranking:
        name = item.get("name")
        info = infos.get(name or "")
        if info is None or not info.offer_in_fallback:
            continue
        if (item.get("confidence") or 0.0) < MIN_SUGGESTION_CONFIDENCE:
            continue
        names.append(name)
        if len(names) == MAX_SUGGESTIONS:
            break
    return names


def suggestion_buttons(names: List[str]) -> List[Dict[str, str]]:
    infos = load_intents()
    return buttons([(infos[n].title, f"/{n}") for n in names] + [NONE_OF_THEM])


class ActionClarify(SafeAction):
    def name(self) -> str:
        return "action_clarify"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        previous = [n for n in (tracker.get_slot("fallback_intents") or []) if n in load_intents()]
        if latest_intent(tracker) == "affirm" and previous:
            # "ja" to "Mente du …?": which one? Offer the same choices again.
            dispatcher.utter_message(response="utter_which_one", buttons=suggestion_buttons(previous))
            return []
        names = suggested_intents(tracker.latest_message or {})
        if not names:
            return await ActionHandover().respond(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_did_you_mean", buttons=suggestion_buttons(names))
        return [SlotSet("fallback_intents", names)]


def _office_fields(issuer_id: Optional[str]) -> Optional[Dict[str, str]]:
    issuer = {i.id: i for i in load_issuers()}.get(issuer_id or "")
    if issuer is None or not issuer.phone or issuer.id == "opkraevningen":
        return None
    return {"bill": issuer.bill_type.lower(), "office": issuer.office, "phone": issuer.phone}


def topic_office_line(text: str) -> Optional[Dict[str, str]]:
    """Office and phone for the bill the unclear question seems to be about, if any."""
    match = find_issuer(text) if text else None
    return _office_fields(match.issuer.id) if match else None


def topic_office(tracker: Tracker) -> Optional[Dict[str, str]]:
    """The office to name in a handover: from the citizen's words, the bill entity or slot, or
    the topic of the intents we suggested; None means Opkrævningen only."""
    found = topic_office_line(user_question(tracker))
    if found:
        return found
    for bill in (entity_value(tracker, "bill_type"), tracker.get_slot("bill_type")):
        found = _office_fields(bill) or (topic_office_line(bill) if bill else None)
        if found:
            return found
    infos = load_intents()
    for name in tracker.get_slot("fallback_intents") or []:
        info = infos.get(name)
        found = _office_fields(info.topic_office) if info else None
        if found:
            return found
    return None


class ActionHandover(SafeAction):
    def name(self) -> str:
        return "action_handover"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        office = topic_office(tracker)
        if office:
            dispatcher.utter_message(response="utter_handover_office", **office)
        else:
            dispatcher.utter_message(response="utter_handover")
        return [SlotSet("fallback_intents", None)]
