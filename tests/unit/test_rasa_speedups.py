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
