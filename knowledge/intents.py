"""Danish descriptions of the bot's intents (``knowledge/intents.yml``).

Used by the "Mente du …?" fallback to title its buttons and to pick the office whose phone
number a handover gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

import yaml

INTENTS_FILE = Path(__file__).with_name("intents.yml")


@dataclass(frozen=True)
class IntentInfo:
    name: str
    title: str
    offer_in_fallback: bool
    topic_office: Optional[str]


@lru_cache(maxsize=1)
def load_intents(path: Path = INTENTS_FILE) -> Dict[str, IntentInfo]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    return {
        name: IntentInfo(
            name=name,
            title=spec["title"],
            offer_in_fallback=bool(spec.get("offer_in_fallback", True)),
            topic_office=spec.get("topic_office"),
        )
        for name, spec in raw.items()
    }
