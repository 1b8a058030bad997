"""Price questions: search and arithmetic over the 2024 price list (knowledge/tariffs)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, buttons, entity_value, user_question, warned_about_cpr
from knowledge.tariffs.answer import answer_price_question
from knowledge.tariffs.search import get_index

# Build the search index when the action server loads, not on the first citizen's question.
get_index()


class ActionTariffLookup(SafeAction):
    def name(self) -> str:
        return "action_tariff_lookup"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        reply = entity_value(tracker, "tariff_reply")
        # The open question (if any) always goes along: answer_price_question itself tells a
        # follow-up ("hun er 12", a button) from a new question, whatever intent NLU chose.
        context = tracker.get_slot("tariff_context")
        question = user_question(tracker)
        if not question and not reply and warned_about_cpr(dispatcher):
            return []  # only a CPR number: the reminder to log in instead is the whole answer
        answer = answer_price_question(question, context=context, reply=reply)
        dispatcher.utter_message(text=answer.text, buttons=buttons(answer.buttons))
        return [SlotSet("tariff_context", answer.context), SlotSet("tariff_reply", None)]
