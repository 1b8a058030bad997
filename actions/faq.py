"""Answer the billing FAQ from knowledge/faq.yml (one action for every ``faq_*`` intent)."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, latest_intent
from knowledge.faq import load_faq, render_faq


class ActionAnswerFaq(SafeAction):
    def name(self) -> str:
        return "action_answer_faq"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        entry = load_faq().get(latest_intent(tracker) or "")
        if entry is None:
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(text=render_faq(entry))
        return []
