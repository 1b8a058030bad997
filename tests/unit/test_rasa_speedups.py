"""bot/rasa_speedups.py: Rasa's action-response check without re-checking the schema every turn,
with the same verdicts as Rasa's own (issue 19)."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "router_context", "value": {"v": 1}}],
     "responses": [{"text": "Hej", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"name": "no event key"}]},
    {"events": [{"event": 5}]},
    {"responses": "not a list"},
]


@pytest.fixture()
def action():
    rasa_speedups.apply()
    return RemoteAction("action_answer", None)


def test_applied_in_every_process_that_loads_our_components():
    import bot.nlu_components  # noqa: F401 - importing it applies the fix

    assert getattr(RemoteAction._validate_action_result, rasa_speedups._APPLIED, False)


def test_apply_is_idempotent():
    rasa_speedups.apply()
    first = RemoteAction._validate_action_result
    rasa_speedups.apply()
    assert RemoteAction._validate_action_result is first


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass_as_with_rasa(action, response):
    validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check agrees
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_are_refused_as_with_rasa(action, response):
    with pytest.raises(ValidationError):
        validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError) as caught:
        action._validate_action_result(response)
    assert "Failed to validate Action server response" in caught.value.message


def test_the_schema_is_checked_once():
    rasa_speedups.action_response_validator.cache_clear()
    first = rasa_speedups.action_response_validator()
    assert rasa_speedups.action_response_validator() is first


# --- the per-event check gives jsonschema's verdict ------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _rasa_verdict(response) -> bool:
    return rasa_speedups.action_response_validator().is_valid(response)


def _real_events():
    """One event of every kind Rasa's schema knows, as Rasa itself serialises them."""
    from rasa.shared.core import events as ev

    return [e.as_dict() for e in (
        ev.UserUttered("hej", {"name": "greet", "confidence": 0.9}, [{"entity": "bill_type", "value": "renovation"}]),
        ev.ActionExecuted("action_answer"), ev.SlotSet("router_context", {"v": 1}), ev.EntitiesAdded([]),
        ev.BotUttered("Hej!", {"buttons": []}), ev.SessionStarted(), ev.Restarted(), ev.UserUtteranceReverted(),
        ev.ActionReverted(), ev.AllSlotsReset(), ev.ConversationPaused(), ev.ConversationResumed(),
        ev.FollowupAction("action_listen"), ev.ActiveLoop("instalment_plan_form"), ev.LoopInterrupted(True),
        ev.ActionExecutionRejected("instalment_plan_form"), ev.ReminderScheduled("greet", __import__("datetime").datetime(2026, 1, 1)),
        ev.ReminderCancelled(name="r"), ev.AgentUttered("x"), ev.DefinePrevUserUtteredFeaturization(False),
    )]


def test_the_check_is_exact_for_rasas_schema():
    assert rasa_speedups._event_checks() is not None  # every branch pins its own event name


def test_real_events_of_every_kind_are_judged_as_jsonschema_does():
    events = _real_events()
    assert len({e["event"] for e in events}) >= 18
    for event in events:
        response = {"events": [event], "responses": []}
        assert rasa_speedups.response_is_valid(response) is _rasa_verdict(response) is True, event
        for key in [k for k in event if k != "event"]:
            for bad in (5, "x", [1], {"a": 1}, None, True):
                broken = {"events": [{**event, key: bad}]}
                assert rasa_speedups.response_is_valid(broken) is _rasa_verdict(broken), (event, key, bad)


_names = st.sampled_from(["user", "action", "slot", "bot", "session_started", "followup", "active_loop",
                          "reminder", "nonsense", ""])
_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                       max_leaves=6)
_keys = st.sampled_from(["event", "name", "value", "text", "timestamp", "metadata", "policy", "confidence",
                         "parse_data", "data", "entities", "is_interrupted", "action_text", "trigger_date_time"])
_event = st.one_of(_values, st.builds(lambda n, extra: {"event": n, **extra}, _names,
                                      st.dictionaries(_keys, _values, max_size=4)))


@settings(max_examples=400, deadline=None)
@given(events=st.one_of(st.lists(_event, max_size=4), _values), responses=st.one_of(st.lists(_values, max_size=2), _values))
def test_random_responses_are_judged_as_jsonschema_does(events, responses):
    response = {"events": events, "responses": responses}
    assert rasa_speedups.response_is_valid(response) is _rasa_verdict(response)
