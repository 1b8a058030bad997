"""Who sends which bill: the issuer table from knowledge/issuers.yml."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, buttons, entity_value, user_question
from knowledge.issuers import find_issuer, load_issuers, render_issuer


class ActionAnswerIssuer(SafeAction):
    def name(self) -> str:
        return "action_answer_issuer"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        issuers = {issuer.id: issuer for issuer in load_issuers()}
        bill_type = entity_value(tracker, "bill_type")
        issuer = issuers.get(bill_type or "")
        if issuer is None:
            match = find_issuer(user_question(tracker))
            issuer = match.issuer if match else None
        if issuer is None:
            choices = [
                (i.bill_type, f'/ask_issuer{{"bill_type":"{i.id}"}}') for i in issuers.values()
            ]
            dispatcher.utter_message(response="utter_ask_which_bill", buttons=buttons(choices))
            return [SlotSet("bill_type", None)]
        dispatcher.utter_message(text=render_issuer(issuer))
        return [SlotSet("bill_type", None)]
