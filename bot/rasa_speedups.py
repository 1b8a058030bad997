"""Speed fixes for Rasa 3.6 itself, applied in every process that loads our model.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every action-server
response, and ``jsonschema.validate`` checks the *schema* against its meta-schema each time before
checking the response: 31–33 ms of a 80–90 ms turn on 2026-12-03 (``make profile``, issue 19),
more than the NLU and the policies together. Here the schema is checked once and its validators
kept, and each event is checked against the one ``oneOf`` branch of its own name (same verdict,
see :func:`_event_checks`); every response is still validated against the same schema and an
invalid one still raises ``jsonschema.ValidationError`` with Rasa's own message
(``tests/unit/test_rasa_speedups.py`` compares the verdicts with jsonschema's on valid and broken
events of every type).

:func:`apply` is idempotent; ``bot.nlu_components`` calls it on import, because Rasa imports that
module in every process that loads our model (``rasa run``, ``rasa shell``, ``rasa test``), with
no extra start-up hook to configure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Optional, Text, Tuple

_APPLIED = "_koege_cached_validator"


@lru_cache(maxsize=1)
def action_response_validator() -> Any:
    """The validator of Rasa's action-server response schema, its schema checked once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _event_checks() -> Optional[Tuple[Any, Any, Dict[str, Any]]]:
    """Validators for a fast check of the same schema, or None when it cannot be done exactly.

    Rasa's schema says: every event is an object with a string ``event`` and it matches exactly
    one of 23 ``oneOf`` branches, each of which pins ``event`` to its own name (``const``).
    ``jsonschema`` tries all 23 branches for every event (2-4 ms a turn). Since the branches'
    names differ, an event matches exactly one branch iff it matches the branch of its own name
    (the others fail on the ``const``), so checking that one branch gives the same verdict. Returns
    (validator of the response without its events' items, of one event without the ``oneOf``,
    of each branch by name); None if a branch lacks a distinct ``const`` name.
    """
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    try:
        events = schema["properties"]["events"]
        items = events["items"]
        branches = items["oneOf"]
    except (KeyError, TypeError):
        return None
    by_name: Dict[str, Any] = {}
    for branch in branches:
        name = (branch.get("properties") or {}).get("event", {}).get("const")
        if not isinstance(name, str) or name in by_name:
            return None
        by_name[name] = cls(branch)
    outer = {**schema, "properties": {**schema["properties"], "events": {k: v for k, v in events.items() if k != "items"}}}
    item = {k: v for k, v in items.items() if k != "oneOf"}
    return cls(outer), cls(item), by_name


def response_is_valid(result: Any) -> bool:
    """Rasa's verdict on an action-server response, checking each event against its own branch."""
    checks = _event_checks()
    if checks is None:
        return action_response_validator().is_valid(result)
    outer, item, by_name = checks
    if not outer.is_valid(result):
        return False
    events = result.get("events") if isinstance(result, dict) else None
    for event in events if isinstance(events, list) else ():
        if not item.is_valid(event):
            return False
        branch = by_name.get(event.get("event")) if isinstance(event.get("event"), str) else None
        if branch is None or not branch.is_valid(event):
            return False
    return True


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import DOCS_BASE_URL

    if response_is_valid(result):
        return True
    # the rare invalid response: the full check, for the same error Rasa would give
    error = best_match(action_response_validator().iter_errors(result))
    if error is None:  # cannot happen while response_is_valid agrees with the schema
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    """Install the fixes (once per process)."""
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction._validate_action_result, _APPLIED, False):
        return
    setattr(_validate_action_result, _APPLIED, True)
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
