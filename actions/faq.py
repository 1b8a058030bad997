"""Answer the billing FAQ from knowledge/faq.yml (one action for every ``faq_*`` intent)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction, latest_intent
from knowledge.faq import load_faq, render_faq

logger = logging.getLogger(__name__)

# FAQ topics with a personal version for a citizen whose identity the action server verified.
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
        entry = load_faq().get(intent)
        if entry is None:
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(text=render_faq(entry))
        return []
