"""What the gateway remembers of recent answers, so a thumbs up/down can be stored with
the question it answered, and what counts as "the bot gave up".

Each bot message sent to the widget gets a random ``id``; :class:`TurnMemory` keeps, for a
bounded number of recent messages, which conversation it belongs to, the citizen's question
and the answer. A rating names only the id, and is accepted only from the same conversation,
so a client can neither rate someone else's answer nor store text of its own choosing.
With ``REDIS_URL`` set, :class:`bot.redis_state.RedisTurnMemory` keeps them instead (a rating
may reach another gateway than the answer came from).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

from bot import texts


@dataclass(frozen=True)
class Turn:
    conversation_id: str
    question: str
    answer: str


class TurnMemory:
    """The last ``capacity`` bot messages (oldest forgotten first)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._turns: "OrderedDict[str, Turn]" = OrderedDict()

    async def remember(self, conversation_id: str, question: str, answer: str) -> str:
        message_id = secrets.token_urlsafe(12)
        self._turns[message_id] = Turn(conversation_id, question, answer)
        while len(self._turns) > self.capacity:
            self._turns.popitem(last=False)
        return message_id

    async def get(self, message_id: str, conversation_id: str) -> Optional[Turn]:
        turn = self._turns.get(message_id)
        if turn is None or turn.conversation_id != conversation_id:
            return None
        return turn

    def __len__(self) -> int:
        return len(self._turns)


def is_giving_up(text: str) -> bool:
    """Is this bot message a fallback or a handover (the bot could not answer)?"""
    return any(marker in text for marker in texts.GIVE_UP_MARKERS)
