"""A real stack (action server, Rasa, gateway) on test ports for the end-to-end tests.

Started once per test session on ports that do not collide with `make run`. Needs a trained
model in models/ (``make test`` trains it first); without one the e2e tests fail under CI
and are skipped elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.stack import MODEL_DIR, ROOT, Stack, services

RASA_PORT, ACTION_PORT, GATEWAY_PORT = 5105, 5155, 8180


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not any(MODEL_DIR.glob("*.tar.gz")):
        message = "no trained model in models/: run `make train` (make test does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    endpoints = tmp_path_factory.mktemp("stack") / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{ACTION_PORT}/webhook"\n', encoding="utf-8"
    )
    stk = Stack(services(RASA_PORT, ACTION_PORT, GATEWAY_PORT, endpoints=str(endpoints)))
    stk.start()
    yield {
        "rasa": f"http://127.0.0.1:{RASA_PORT}",
        "actions": f"http://127.0.0.1:{ACTION_PORT}",
        "gateway": f"http://127.0.0.1:{GATEWAY_PORT}",
        "stack": stk,
    }
    stk.stop()
