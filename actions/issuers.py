"""Who sends which bill: the issuer table from knowledge/issuers.yml.

The bill comes from the ``bill_type`` entity (an issuer id after the EntitySynonymMapper, or a
surface form the synonyms missed), else from the citizen's own words (``find_issuer``). A
question that names no bill ("hvem sender regningerne?") gets the whole table.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, entity_value, user_question
from knowledge.issuers import Issuer, find_issuer, load_issuers, render_issuer, render_issuer_table


def named_issuer(tracker: Tracker) -> Optional[Issuer]:
    """The issuer of the bill the citizen names: the ``bill_type`` entity (an issuer id, or a
    surface form the synonyms missed), else their own words; None when no bill is named."""
    issuers = {issuer.id: issuer for issuer in load_issuers()}
    bill_type = entity_value(tracker, "bill_type")
    issuer = issuers.get(bill_type or "")
    if issuer is None and bill_type:
        match = find_issuer(bill_type)
        issuer = match.issuer if match else None
    if issuer is None:
        match = find_issuer(user_question(tracker))
        issuer = match.issuer if match else None
    return issuer


class ActionAnswerIssuer(SafeAction):
    def name(self) -> str:
        return "action_answer_issuer"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        issuer = named_issuer(tracker)
        if issuer is None:
            dispatcher.utter_message(text=render_issuer_table())
            return [SlotSet("bill_type", None)]
        dispatcher.utter_message(text=render_issuer(issuer))
        return [SlotSet("bill_type", None)]
