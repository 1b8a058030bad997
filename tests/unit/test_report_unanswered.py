"""scripts.report_unanswered over a real Rasa SQLTrackerStore (SQLite) written by Rasa itself, and
over the gateway's log of unanswered questions (SQLite and PostgreSQL) written by bot.store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from scripts import report_unanswered as ru

pytest.importorskip("rasa")

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402


def user(text: str, intent: str, confidence: float = 0.9) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": confidence},
                       parse_data={"intent": {"name": intent, "confidence": confidence}, "entities": [],
                                   "text": text})


def turn(*actions: str):
    events = []
    for name in actions:
        events.append(ActionExecuted(name))
        if name.startswith(("utter_", "action_")) and name != "action_listen":
            events.append(BotUttered("…"))
    events.append(ActionExecuted("action_listen"))
    return events


def answer(kind: str):
    """action_answer's turn: its reply and the answer_kind slot it sets."""
    return [ActionExecuted("action_answer"), SlotSet("answer_kind", kind), BotUttered("…"),
            ActionExecuted("action_listen")]


CONVERSATIONS = {
    "answered": [
        ActionExecuted("action_listen"),
        user("hvordan betaler jeg", "faq_pay"), *answer("answer"),
        user("tak", "thank"), *answer("smalltalk"),
    ],
    # unclear -> "Mente du …?" -> "Ingen af dem" -> handover: one unanswered message
    "clarify_then_none": [
        ActionExecuted("action_listen"),
        user("kan jeg faa penge for min kolonihave", "nlu_fallback", 0.3), *answer("suggest"),
        user("/deny", "deny", 1.0), *answer("handover"),
    ],
    # the same question again (other spelling of whitespace/case), in another conversation
    "same_question_again": [
        ActionExecuted("action_listen"),
        user("Kan jeg faa penge  for min kolonihave", "nlu_fallback", 0.2), *answer("suggest"),
        user("/faq_pay", "faq_pay", 1.0), *answer("answer"),
    ],
    # a CPR number in an unclear message, and a core fallback (policy unsure)
    "cpr_and_core_fallback": [
        ActionExecuted("action_listen"),
        user("mit cpr er 010203-1234 hvad skylder jeg", "nlu_fallback", 0.4), *answer("suggest"),
        user("hmm noget helt andet", "greet", 0.8), *turn("action_default_fallback"),
        user("hej", "greet"), *answer("smalltalk"),
    ],
    # a confident intent whose answer was "the texts do not say": unanswered too
    "honest_unknown": [
        ActionExecuted("action_listen"),
        user("hvad er rentesatsen", "faq_interest", 0.95), *answer("unknown"),
    ],
}


@pytest.fixture
def tracker_db(tmp_path):
    """A SQLite tracker store with the conversations above, written by Rasa's SQLTrackerStore."""
    import asyncio

    path = tmp_path / "rasa.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))

    async def save_all():
        for sender, events in CONVERSATIONS.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save_all())
    store.engine.dispose()
    return f"sqlite:///{path}"


def test_lists_fallback_messages_most_frequent_first_and_masks_cpr(tracker_db):
    items = ru.collect(tracker_db)
    texts = [i.text for i in items]
    assert items[0].count == 2 and normalise(items[0].text) == "kan jeg faa penge for min kolonihave"
    assert items[0].as_dict()["conversations"] == 2
    assert "mit cpr er 010203-**** hvad skylder jeg" in texts
    assert "hmm noget helt andet" in texts  # core fallback counts too
    assert "hvad er rentesatsen" in texts  # an honest "the texts do not say" counts too
    assert not any("1234" in t for t in texts)
    # answered turns, greetings and button payloads are not listed
    assert not any(t in texts for t in ("hvordan betaler jeg", "tak", "hej", "/deny", "/faq_pay"))
    assert sum(i.count for i in items) == 5


def normalise(text: str) -> str:
    return ru.normalise(text)


def test_cli_prints_table_and_json(tracker_db, capsys):
    assert ru.main(["--db", tracker_db]) == 0
    out = capsys.readouterr().out
    assert "5 unanswered messages, 4 different" in out
    assert "010203-****" in out and "010203-1234" not in out

    assert ru.main(["--db", tracker_db, "--json", "--limit", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 1 and data[0]["count"] == 2


def test_empty_or_missing_store(tmp_path, capsys):
    none = tmp_path / "none.db"
    assert ru.main(["--db", f"sqlite:///{none}", "--gateway-db", f"sqlite:///{none}"]) == 0
    assert "No unanswered messages in the chat gateway's log" in capsys.readouterr().out
    assert not none.exists()  # a report does not create an empty database
    assert ru.main(["--db", f"sqlite:///{none}", "--source", "tracker"]) == 0
    assert "No unanswered messages in Rasa's tracker store" in capsys.readouterr().out


@pytest.fixture
def gateway_db(db_url):
    """The app database (migrated) with questions the gateway logged through bot.store."""
    from bot import store
    from core.db import make_engine, make_session_factory, upgrade_database
    from core.gateway_models import UnansweredQuestion

    upgrade_database(db_url)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    for question in ("Kan jeg faa penge for min kolonihave", "kan jeg faa penge  for min KOLONIHAVE",
                     "mit cpr er 010203-1234, hvad skylder jeg", "hvem ejer vandtaarnet"):
        store.save_unanswered(factory, question, "Jeg er ikke helt sikker på, hvad du mener …")
    with factory.begin() as session:  # one old entry, for --since
        old = datetime.now(timezone.utc) - timedelta(days=400)
        session.add(UnansweredQuestion(at=old, question="gammelt spørgsmål", answer="…"))
    engine.dispose()
    return db_url


def test_without_tracker_events_the_gateways_log_is_read(gateway_db, capsys):
    """`make run` keeps Rasa's conversations in memory: the report falls back to the widget's log."""
    assert not ru.has_tracker_events(gateway_db)
    assert ru.main(["--db", gateway_db, "--gateway-db", gateway_db]) == 0
    out = capsys.readouterr().out
    assert "From the chat gateway's log" in out and "make run" in out
    assert "5 unanswered messages, 4 different" in out
    assert "010203-****" in out and "1234" not in out

    items = ru.collect_gateway(gateway_db)
    assert items[0].count == 2 and ru.normalise(items[0].text) == "kan jeg faa penge for min kolonihave"
    assert items[0].as_dict()["conversations"] is None and items[0].source == "gateway"
    assert "gammelt spørgsmål" in [i.text for i in items]
    month_ago = (datetime.now(timezone.utc) - timedelta(days=30)).isoformat()
    recent = [i.text for i in ru.collect_gateway(gateway_db, since=ru._since(month_ago))]
    assert len(recent) == 3 and "gammelt spørgsmål" not in recent

    assert ru.main(["--db", gateway_db, "--gateway-db", gateway_db, "--json", "--limit", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["source"] == "gateway" and data[0]["count"] == 2


def test_tracker_store_wins_when_rasa_writes_one(tracker_db, gateway_db, capsys):
    assert ru.main(["--db", tracker_db, "--gateway-db", gateway_db]) == 0
    out = capsys.readouterr().out
    assert "From Rasa's tracker store" in out and "5 unanswered messages, 4 different" in out
    assert ru.main(["--db", tracker_db, "--gateway-db", gateway_db, "--source", "gateway"]) == 0
    assert "5 unanswered messages" in capsys.readouterr().out


def test_since_filters_old_events(tracker_db):
    assert ru.collect(tracker_db, since=ru._since("2999-01-01")) == []


def test_tracker_store_url_order():
    env = {"DATABASE_URL": "sqlite:///app.db"}
    assert ru.tracker_store_url(None, env) == "sqlite:///app.db"
    env.update({"TRACKER_DB_HOST": "db", "TRACKER_DB_PORT": "5433", "TRACKER_DB_NAME": "koege_rasa",
                "TRACKER_DB_USER": "koege", "TRACKER_DB_PASSWORD": "s3cret"})
    assert ru.tracker_store_url(None, env) == "postgresql://koege:s3cret@db:5433/koege_rasa"
    env["TRACKER_STORE_URL"] = "sqlite:///t.db"
    assert ru.tracker_store_url(None, env) == "sqlite:///t.db"
    assert ru.tracker_store_url("sqlite:///explicit.db", env) == "sqlite:///explicit.db"


def test_production_tracker_store_on_postgresql_from_the_env_file(pg_url, tmp_path, capsys, monkeypatch):
    """As in production: Rasa's SQLTrackerStore on PostgreSQL, found through the same
    TRACKER_DB_* variables Rasa gets (here from an env file like deploy/prod.env)."""
    import asyncio

    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    store = SQLTrackerStore(Domain.empty(), dialect="postgresql", host=url.host, port=url.port,
                            db=url.database, username=url.username, password=url.password)

    async def save_all():
        for sender, events in CONVERSATIONS.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save_all())
    store.engine.dispose()
    for name in ("TRACKER_STORE_URL", "TRACKER_DB_HOST", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / "prod.env"
    env_file.write_text(
        f"TRACKER_DB_HOST={url.host}\nTRACKER_DB_PORT={url.port or 5432}\nTRACKER_DB_NAME={url.database}\n"
        f"TRACKER_DB_USER={url.username or ''}\nTRACKER_DB_PASSWORD={url.password or ''}\n"
        f"DATABASE_URL=sqlite:///{tmp_path / 'app.db'}\n",
        encoding="utf-8",
    )
    assert ru.main(["--env-file", str(env_file)]) == 0
    out = capsys.readouterr().out
    assert "From Rasa's tracker store (postgresql://" in out
    assert "5 unanswered messages, 4 different" in out and "010203-1234" not in out
