#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (after set-up and training).
# Unit tests, end-to-end tests over real HTTP against a started stack, and the Rasa
# conversation tests all run under pytest, so there is one summary line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-artifacts
exec .venv/bin/python -m pytest "$@"
