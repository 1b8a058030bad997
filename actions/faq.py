"""Answer the billing FAQ from knowledge/faq.yml (one action for every ``faq_*`` intent)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, latest_intent
from actions.issuers import named_issuer
from knowledge.faq import load_faq, render_faq
from knowledge.issuers import render_issuer

logger = logging.getLogger(__name__)

# FAQ topics with a personal version for a citizen whose identity the action server verified.
CONTACT_INTENT = "faq_contact"
PERSONAL_TOPICS = {"faq_late_payment": "consequences", "faq_overpayment": "overpayment"}


def _personal(tracker: Tracker, intent: str) -> Optional[str]:
    """The citizen's own answer, or None (not logged in, no data, or the ledger is down:
    then the general FAQ answer is still right)."""
    topic = PERSONAL_TOPICS.get(intent)
    if topic is None:
        return None
    from actions.account import personal_answer

    try:
        return personal_answer(tracker, topic)
    except Exception:  # noqa: BLE001 - fall back to the general answer, never to silence
        logger.exception("personal %s answer failed; answering generally", topic)
        return None


class ActionAnswerFaq(SafeAction):
    def name(self) -> str:
        return "action_answer_faq"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        intent = latest_intent(tracker) or ""
        personal = await asyncio.to_thread(_personal, tracker, intent)
        if personal:
            dispatcher.utter_message(text=personal)
            return []
        if intent == CONTACT_INTENT:
            # "daginstitution opkrævning tlf": the office that sent that bill, with its phone
            # (the general contact answer would only ask what the bill is for).
            issuer = named_issuer(tracker)
            if issuer is not None:
                dispatcher.utter_message(text=render_issuer(issuer))
                return []
        entry = load_faq().get(intent)
        if entry is None:
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(text=render_faq(entry))
        return []
