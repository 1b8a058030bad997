"""Two-stage fallback: "Mente du …?" with buttons, then a handover to a phone number."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, buttons, user_question
from knowledge.intents import load_intents
from knowledge.issuers import find_issuer

MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05


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


class ActionClarify(SafeAction):
    def name(self) -> str:
        return "action_clarify"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        names = suggested_intents(tracker.latest_message or {})
        if not names:
            return await ActionHandover().respond(dispatcher, tracker, domain)
        infos = load_intents()
        choices = [(infos[n].title, f"/{n}") for n in names] + [("Ingen af dem", "/deny")]
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons(choices))
        return [SlotSet("fallback_intents", names)]


def topic_office_line(text: str) -> Optional[Dict[str, str]]:
    """Office and phone for the bill the unclear question seems to be about, if any."""
    match = find_issuer(text) if text else None
    if match is None or not match.issuer.phone or match.issuer.id == "opkraevningen":
        return None
    return {"bill": match.issuer.bill_type.lower(), "office": match.issuer.office, "phone": match.issuer.phone}


class ActionHandover(SafeAction):
    def name(self) -> str:
        return "action_handover"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        office = topic_office_line(user_question(tracker))
        if office:
            dispatcher.utter_message(response="utter_handover_office", **office)
        else:
            dispatcher.utter_message(response="utter_handover")
        return [SlotSet("fallback_intents", None)]
