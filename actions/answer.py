"""``action_answer``: the one action for every question the knowledge can answer.

Thin adapter of :func:`knowledge.router.route`: it reads the turn from the tracker (the
citizen's words through :func:`knowledge.message.clean_message`, the intent ranking, the
``bill_type`` entity, a button's value, the router's context slot), lets the router decide,
and sends the reply. Personal variants stay with the account code: a personal question
(``my_balance`` …) the router confirms as personal goes to :class:`ActionAccount`, and a
verified citizen asking about late payment or overpayment gets their own answer.

The instalment-plan intent has its own action (``action_plan_start``, the form's rule): it
asks the router too, answers a question about plans and starts the form only for an
application. When the router reads an application elsewhere, it is handed there as well.

Slots it sets: ``router_context`` (what the next turn needs: an open price question, the
"Mente du …?" choices, the last subject) and ``answer_kind`` (what kind of reply this turn
was; the unanswered-questions report reads it instead of matching reply texts).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import ActionAccount, ActionPlanStart, personal_answer
from actions.common import CONTEXT_SLOT, SafeAction, buttons, read_turn, send_answer_flag, warned_about_cpr
from knowledge.router import Reply, route, warm
from knowledge.router.decide import PLAN_INTENT

logger = logging.getLogger(__name__)

KIND_SLOT = "answer_kind"
PERSONAL_TOPICS = {"faq_late_payment": "consequences", "faq_overpayment": "overpayment"}

# Build the search indexes when the action server loads, not on the first citizen's question.
warm()


def _personal(tracker: Tracker, reply: Reply) -> Optional[str]:
    topic = PERSONAL_TOPICS.get(reply.topic or "") if reply.source == "faq" else None
    if topic is None:
        return None
    try:
        return personal_answer(tracker, topic)
    except Exception:  # noqa: BLE001 - the general answer is still right
        logger.exception("personal %s answer failed; answering generally", topic)
        return None


class ActionAnswer(SafeAction):
    def name(self) -> str:
        return "action_answer"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        turn = read_turn(tracker)
        if not turn.text and not turn.reply and warned_about_cpr(dispatcher):
            return []  # only a CPR number: the reminder to log in instead is the whole answer
        reply = route(turn)
        if reply.kind == "account" and reply.topic == PLAN_INTENT:
            # an application: the identity and the claims decide whether the form runs
            events = await ActionPlanStart().respond(dispatcher, tracker, domain)
            return events + [SlotSet(KIND_SLOT, reply.kind)]
        if reply.kind == "account":
            events = await ActionAccount().respond(dispatcher, tracker, domain)
            return events + [SlotSet(KIND_SLOT, reply.kind)]
        personal = await asyncio.to_thread(_personal, tracker, reply)
        if personal:
            dispatcher.utter_message(text=personal)
        else:
            dispatcher.utter_message(text=reply.text, buttons=buttons(reply.buttons))
        send_answer_flag(dispatcher, reply)
        events = [SlotSet(CONTEXT_SLOT, reply.context), SlotSet(KIND_SLOT, reply.kind),
                  SlotSet("tariff_reply", None), SlotSet("bill_type", None)]
        return events
