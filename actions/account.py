"""Personal questions (balance, payment ID, instalment plan, login).

Personal data is shown only for an identity the gateway signed and this action server
verified; until the citizen ledger exists, every personal question is pointed to
"Mit Betalingsoverblik" and Opkrævningen's phone.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SafeAction


class ActionAccount(SafeAction):
    def name(self) -> str:
        return "action_account"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response="utter_account_not_available")
        return []
