"""Speed fixes for Rasa 3.6 itself, applied in every process that loads our model.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every action-server
response, and ``jsonschema.validate`` checks the *schema* against its meta-schema each time before
checking the response: 31–33 ms of a 80–90 ms turn on 2026-12-03 (``make profile``, issue 19),
more than the NLU and the policies together. Here the schema is checked once and its validator
kept; every response is still validated against the same schema and an invalid one still raises
``jsonschema.ValidationError`` with Rasa's own message (``tests/unit/test_rasa_speedups.py``).

:func:`apply` is idempotent; ``bot.nlu_components`` calls it on import, because Rasa imports that
module in every process that loads our model (``rasa run``, ``rasa shell``, ``rasa test``), with
no extra start-up hook to configure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

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


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import DOCS_BASE_URL

    error = best_match(action_response_validator().iter_errors(result))
    if error is None:
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
