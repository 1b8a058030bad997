"""Chaos and fuzz tests (issue 7).

* ``test_fuzz_gateway.py`` - 10,000 hostile requests against the gateway in-process, Rasa
  replaced by a tiny aiohttp fake; always runs (a few tens of seconds).
* ``test_kill.py`` - a real stack (action server, two Rasa replicas on the PostgreSQL tracker
  store and the Redis lock store, gateway): kill -9 parts and cut the database mid-conversation.
  Needs a trained model, PostgreSQL and Redis; without them it fails under ``CI=true`` and is
  skipped elsewhere, with the reason. ``CHAOS_ROUNDS=n`` repeats each scenario n times (default 1).
"""

from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "chaos: chaos tests that kill parts of a real stack")
