"""The gateway's own environment (.venv-gateway, issue 20): a current aiohttp, no Rasa.

Collected only in that environment (``tests/conftest.py``); ``scripts/test.sh`` runs it there.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import aiohttp
import pytest

from scripts.stack import ROOT, services

# These describe the gateway's environment; in Rasa's (.venv) they have nothing to check.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("rasa") is not None,
                                reason="run with .venv-gateway (scripts/test.sh does)")

# The oldest aiohttp the public edge may run: 3.9.5 (Rasa 3.6's pin) lacks the fixes of the
# 3.10-3.13 releases (request smuggling, path traversal of static routes, cookie parsing).
OLDEST_ALLOWED = (3, 13)


def _pinned(lock: str, package: str) -> str:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return re.search(rf"^{package}==(\S+)$", text, re.M | re.I).group(1)


def test_aiohttp_is_current_and_the_one_the_lock_pins():
    version = tuple(int(x) for x in aiohttp.__version__.split(".")[:2])
    assert version >= OLDEST_ALLOWED
    assert aiohttp.__version__ == _pinned("requirements-gateway.lock", "aiohttp")
    assert _pinned("requirements.lock", "aiohttp").startswith("3.9.")  # Rasa's side keeps its pin


def test_no_rasa_tensorflow_or_spacy_underneath_the_gateway():
    for package in ("rasa", "rasa_sdk", "tensorflow", "spacy"):
        assert importlib.util.find_spec(package) is None, package
    import bot.app  # noqa: F401 - the whole gateway imports here

    assert not {"rasa", "tensorflow", "spacy"} & set(sys.modules)


def test_the_stack_starts_the_gateway_with_this_environment():
    gateway = next(s for s in services() if s.name == "gateway")
    assert Path(gateway.cmd[0]) == Path(sys.prefix) / "bin" / "python"
    assert Path(sys.prefix) == ROOT / ".venv-gateway"
