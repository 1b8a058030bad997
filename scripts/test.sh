#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after set-up and training).
# Unit tests, end-to-end tests over real HTTP against a started stack, the Rasa conversation
# tests, security and chaos tests run in one pytest process; the browser tests (Playwright's
# sync API keeps an event loop running for its whole session, which would break every asyncio
# test after it) run in a second one. The exit status fails if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
status=0
.venv/bin/python -m pytest -m "not browser" --durations=15 "$@" || status=$?
echo "--- browser tests (Playwright + Chromium) ---"
.venv/bin/python -m pytest -m browser "$@"
browser=$?
# 5 = nothing collected (e.g. a path without browser tests was given): not a failure.
if [ "$browser" -ne 0 ] && [ "$browser" -ne 5 ]; then status=$browser; fi
exit "$status"
