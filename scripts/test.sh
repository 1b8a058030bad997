#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after set-up and training).
# Unit tests, end-to-end tests over real HTTP against a started stack, the Rasa conversation
# tests, security and chaos tests run in one pytest process; the gateway's in-process tests in
# a second one with the gateway's environment (.venv-gateway); the browser tests (Playwright's
# sync API keeps an event loop running for its whole session, which would break every asyncio
# test after it) run in a third one. The exit status fails if any of them fails.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
status=0
.venv/bin/python -m pytest -m "not browser and not gateway" --durations=15 "$@" || status=$?
# The gateway's in-process tests, in the gateway's own environment (current aiohttp, no Rasa).
echo "--- gateway tests (.venv-gateway) ---"
.venv-gateway/bin/python -m pytest -m "not browser" --durations=5 "$@"
gateway=$?
if [ "$gateway" -ne 0 ] && [ "$gateway" -ne 5 ]; then status=$gateway; fi
echo "--- browser tests (Playwright + Chromium) ---"
.venv/bin/python -m pytest -m browser "$@"
browser=$?
# 5 = nothing collected (e.g. a path without browser tests was given): not a failure.
if [ "$browser" -ne 0 ] && [ "$browser" -ne 5 ]; then status=$browser; fi
exit "$status"
