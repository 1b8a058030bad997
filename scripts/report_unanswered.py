"""Which questions could the bot not answer? Read from Rasa's SQL tracker store.

``python -m scripts.report_unanswered [--db URL] [--since 2026-01-01] [--limit 50] [--json]``
(what ``make report-unanswered`` runs) lists the citizens' messages whose turn ended in a
fallback, most frequent first. A turn (a user message and the bot actions up to the next user
message) counts as unanswered when

* NLU classified the message as ``nlu_fallback``, or
* ``action_answer`` set the slot ``answer_kind`` to a kind that means no answer ("Mente du
  …?", a handover, "the texts do not say", no price found), or Rasa's own
  ``action_default_fallback`` / ``action_two_stage_fallback`` ran in that turn.

Button payloads ("/deny", "/faq_pay") are not the citizen's words and are skipped; the message
that led to the "Mente du …?" question is counted instead. Messages are grouped by their
lower-cased, whitespace-collapsed text, and every CPR-like number is masked
(``core.identity.mask_cpr``) before anything is printed or written.

The database is Rasa's ``SQLTrackerStore`` (table ``events``). Its URL is, in this order:
``--db``, the environment variable ``TRACKER_STORE_URL``, the ``TRACKER_DB_*`` variables Rasa
itself reads in production (``endpoints.prod.yml``), the project's ``DATABASE_URL``
(``core.settings``; SQLite ``var/koege.db`` by default). Rasa only writes there when
``endpoints.yml`` configures ``tracker_store: {type: SQL, …}`` (the production endpoints do).

``make run`` keeps Rasa's conversations in memory, so locally there is no ``events`` table. The
report then reads the gateway's own log instead (table ``unanswered_questions`` in
``DATABASE_URL``, or ``--gateway-db``): every typed chat-widget question the bot answered with
"Mente du …?" or a handover, grouped the same way (it knows no conversations, so that column
is empty). ``--source tracker|gateway`` picks one source explicitly; the header says which one
was read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from core.db import mask_url, resolve_url, sqlite_file_missing, tracker_db_url
from core.gateway_models import UnansweredQuestion
from core.identity import mask_cpr

FALLBACK_INTENTS = {"nlu_fallback"}
FALLBACK_ACTIONS = {"action_default_fallback", "action_two_stage_fallback"}
# action_answer sets the slot answer_kind each turn; these kinds mean the bot could not answer.
UNANSWERED_KINDS = {"suggest", "handover", "unknown", "not_found"}
_WS = re.compile(r"\s+")


@dataclass
class Unanswered:
    text: str
    source: str = "tracker"
    count: int = 0
    conversations: set = field(default_factory=set)
    intents: Counter = field(default_factory=Counter)
    first_seen: Optional[float] = None
    last_seen: Optional[float] = None

    def as_dict(self) -> Dict[str, Any]:
        def iso(ts: Optional[float]) -> Optional[str]:
            return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds") if ts else None

        return {
            "text": self.text,
            "source": self.source,
            "count": self.count,
            # the gateway's log has no conversation ids
            "conversations": len(self.conversations) if self.source == "tracker" else None,
            "intents": dict(self.intents.most_common()),
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
        }


def tracker_store_url(explicit: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> str:
    """``--db``, else ``TRACKER_STORE_URL``, else Rasa's own ``TRACKER_DB_*`` variables (the
    production tracker store), else the app database ``DATABASE_URL``; from ``env``
    (default: the process environment)."""
    env = os.environ if env is None else env
    if explicit or env.get("TRACKER_STORE_URL"):
        return explicit or env["TRACKER_STORE_URL"]
    production = tracker_db_url(env)
    if production is not None:
        return production.render_as_string(hide_password=False)
    return app_database_url(env)


def normalise(message: str) -> str:
    return _WS.sub(" ", message.strip().lower())


@contextmanager
def _reader(url: str, table: str) -> Iterator[Optional[Engine]]:
    """A read-only engine for ``url``, or None when ``table`` is not there (nor the SQLite
    file: a report never creates an empty database)."""
    if sqlite_file_missing(url):
        yield None
        return
    engine = create_engine(url, poolclass=NullPool, future=True)
    try:
        yield engine if inspect(engine).has_table(table) else None
    finally:
        engine.dispose()


def app_database_url(env: Mapping[str, str]) -> str:
    """The app database (the gateway's log): ``DATABASE_URL`` of ``env``, else the settings'."""
    return env.get("DATABASE_URL") or resolve_url()


def read_events(url: str, since: Optional[float] = None) -> Iterator[Tuple[str, float, str, Dict[str, Any]]]:
    """(sender_id, timestamp, type_name, event data) of every event, per sender in order."""
    with _reader(url, "events") as engine:
        if engine is None:
            return
        query = "SELECT sender_id, timestamp, type_name, data FROM events"
        params: Dict[str, Any] = {}
        if since is not None:
            query += " WHERE timestamp >= :since"
            params["since"] = since
        query += " ORDER BY sender_id, id"
        with engine.connect() as connection:
            for sender_id, timestamp, type_name, data in connection.execute(text(query), params):
                try:
                    payload = json.loads(data) if data else {}
                except ValueError:
                    payload = {}
                yield sender_id, timestamp or 0.0, type_name, payload


def unanswered_turns(events: Iterable[Tuple[str, float, str, Dict[str, Any]]]) -> Iterator[Tuple[str, str, float, str]]:
    """(sender, text, timestamp, intent) of each typed user message whose turn fell back."""
    current: Optional[Dict[str, Any]] = None  # the last typed user message of this sender
    fell_back = False
    sender_of_current = None

    def flush() -> Iterator[Tuple[str, str, float, str]]:
        if current is not None and fell_back:
            yield sender_of_current, current["text"], current["timestamp"], current["intent"]

    for sender, timestamp, type_name, data in events:
        if sender != sender_of_current:
            yield from flush()
            current, fell_back, sender_of_current = None, False, sender
        if type_name == "user":
            text_ = data.get("text") or ""
            intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            if text_.startswith("/"):
                # A button payload: the outcome of this turn belongs to the message that
                # was typed before it (e.g. "Mente du …?" -> "Ingen af dem" -> handover).
                continue
            yield from flush()
            current = {"text": text_, "timestamp": timestamp, "intent": intent}
            fell_back = intent in FALLBACK_INTENTS
        elif type_name == "action" and data.get("name") in FALLBACK_ACTIONS and current is not None:
            fell_back = True
        elif type_name == "slot" and data.get("name") == "answer_kind" and current is not None \
                and data.get("value") in UNANSWERED_KINDS:
            fell_back = True
    yield from flush()


def _group(rows: Iterable[Tuple[Optional[str], str, float, Optional[str]]], source: str) -> List[Unanswered]:
    """(sender, text, timestamp, intent) rows grouped by their masked, normalised text."""
    groups: Dict[str, Unanswered] = {}
    for sender, message, timestamp, intent in rows:
        masked = mask_cpr(message)
        key = normalise(masked)
        if not key:
            continue
        item = groups.setdefault(key, Unanswered(text=masked.strip(), source=source))
        item.count += 1
        if sender is not None:
            item.conversations.add(sender)
        if intent is not None:
            item.intents[intent or "?"] += 1
        item.first_seen = min(filter(None, [item.first_seen, timestamp]), default=None)
        item.last_seen = max(filter(None, [item.last_seen, timestamp]), default=None)
    return sorted(groups.values(), key=lambda u: (-u.count, -(u.last_seen or 0), u.text))


def collect(url: str, since: Optional[float] = None) -> List[Unanswered]:
    """Unanswered messages from Rasa's SQL tracker store."""
    return _group(unanswered_turns(read_events(url, since)), "tracker")


def has_tracker_events(url: str) -> bool:
    with _reader(url, "events") as engine:
        return engine is not None


def read_gateway_log(url: str, since: Optional[float] = None) -> Iterator[Tuple[None, str, float, None]]:
    """The gateway's ``unanswered_questions`` rows as (None, question, timestamp, None)."""
    with _reader(url, UnansweredQuestion.__tablename__) as engine:
        if engine is None:
            return
        query = select(UnansweredQuestion.question, UnansweredQuestion.at).order_by(UnansweredQuestion.id)
        if since is not None:
            query = query.where(UnansweredQuestion.at >= datetime.fromtimestamp(since, tz=timezone.utc))
        with engine.connect() as connection:
            for question, at in connection.execute(query):
                if at is not None and at.tzinfo is None:  # SQLite gives naive UTC
                    at = at.replace(tzinfo=timezone.utc)
                yield None, question or "", at.timestamp() if at else 0.0, None


def collect_gateway(url: str, since: Optional[float] = None) -> List[Unanswered]:
    """Unanswered chat-widget questions from the gateway's own log."""
    return _group(read_gateway_log(url, since), "gateway")


def _since(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="List the messages the bot could not answer.")
    parser.add_argument("--db", help="tracker-store database URL (default: TRACKER_STORE_URL or DATABASE_URL)")
    parser.add_argument("--gateway-db", help="database of the gateway's log of unanswered questions "
                                             "(default: DATABASE_URL)")
    parser.add_argument("--source", choices=("auto", "tracker", "gateway"), default="auto",
                        help="auto: the tracker store when Rasa writes one, else the gateway's log")
    parser.add_argument("--env-file", help="read the database settings from this KEY=VALUE file too "
                                           "(e.g. deploy/prod.env; the environment wins)")
    parser.add_argument("--since", help="only events from this date/time on (ISO 8601, UTC)")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)

    since = _since(args.since)
    env: Mapping[str, str] = os.environ
    if args.env_file:
        from scripts.stack import load_env_file

        env = {**load_env_file(args.env_file), **os.environ}
    url = tracker_store_url(args.db, env)
    try:
        source = args.source
        if source == "auto":
            source = "tracker" if has_tracker_events(url) else "gateway"
        if source == "tracker":
            items = collect(url, since)
            where = f"Rasa's tracker store ({mask_url(url)})"
        else:
            gateway_url = args.gateway_db or app_database_url(env)
            items = collect_gateway(gateway_url, since)
            where = f"the chat gateway's log ({mask_url(gateway_url)})"
            if args.source == "auto":
                where += (" — Rasa's tracker store has no conversations here "
                          "(`make run` keeps them in memory; `make run-prod` stores them)")
    except Exception as exc:  # noqa: BLE001 - a report, not a service: say what went wrong
        print(f"error: cannot read the unanswered messages: {mask_cpr(str(exc))}", file=sys.stderr)
        return 2
    shown = items[: args.limit] if args.limit else items
    if args.json:
        print(json.dumps([u.as_dict() for u in shown], ensure_ascii=False, indent=2))
        return 0
    if not items:
        print(f"No unanswered messages in {where}.")
        return 0
    total = sum(u.count for u in items)
    print(f"From {where}:")
    print(f"{total} unanswered messages, {len(items)} different; most frequent first:\n")
    print(f"{'count':>5} {'conv':>5}  {'last seen (UTC)':<20} message")
    for u in shown:
        d = u.as_dict()
        conversations = "" if d["conversations"] is None else d["conversations"]
        print(f"{u.count:>5} {conversations:>5}  {(d['last_seen'] or '')[:19]:<20} {u.text}")
    if len(items) > len(shown):
        print(f"\n… and {len(items) - len(shown)} more (use --limit 0 for all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
