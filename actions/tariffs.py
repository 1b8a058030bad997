"""Price questions: search and arithmetic over the 2024 price list (knowledge/tariffs)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, buttons, entity_value, latest_intent, user_question
from knowledge.tariffs.answer import answer_price_question


class ActionTariffLookup(SafeAction):
    def name(self) -> str:
        return "action_tariff_lookup"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        reply = entity_value(tracker, "tariff_reply")
        # A new price question starts afresh; an answer to our question continues the old one.
        follow_up = latest_intent(tracker) == "inform" or reply is not None
        context = tracker.get_slot("tariff_context") if follow_up else None
        answer = answer_price_question(user_question(tracker), context=context, reply=reply)
        dispatcher.utter_message(text=answer.text, buttons=buttons(answer.buttons))
        return [SlotSet("tariff_context", answer.context), SlotSet("tariff_reply", None)]
