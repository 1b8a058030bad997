#!/usr/bin/env bash
# Create or update .venv-gateway: the gateway's own environment (issue 20). It holds what bot/
# and the parts of core/ and knowledge/ it imports need, with a current aiohttp, and no Rasa,
# TensorFlow or spaCy (Rasa 3.6 pins aiohttp <3.10, which lacks later security fixes).
# requirements-gateway.lock is what the gateway image installs; requirements-gateway-test.lock
# adds pytest and friends here only, for the gateway's own tests. Does nothing when the venv
# already matches both locks. Runs after scripts/setup.sh (it borrows uv from .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-gateway
STAMP=$VENV/.lock-sha256
LOCKS=(requirements-gateway.lock requirements-gateway-test.lock)

# shellcheck source=scripts/find_python.sh
. scripts/find_python.sh

want=$(cat "${LOCKS[@]}" | sha256sum | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi
if ! PY=$(find_python); then
    echo "error: no Python 3.10 found for the gateway's environment (see scripts/setup.sh)" >&2
    exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
start=$(date +%s)
args=()
for lock in "${LOCKS[@]}"; do args+=(-r "$lock"); done
installed=""
if [ "${UV:-1}" != "0" ] && [ -x .venv/bin/python ] && .venv/bin/python -m uv --version >/dev/null 2>&1; then
    # --exact removes what the locks no longer list, so the venv is the locks and nothing else.
    if .venv/bin/python -m uv pip sync --quiet --python "$VENV/bin/python" "${LOCKS[@]}" >"$VENV/uv.log" 2>&1; then
        installed="uv"
    else
        echo "setup: uv failed for the gateway (log: $VENV/uv.log), installing with pip"
    fi
fi
if [ -z "$installed" ]; then
    if ! "$VENV/bin/python" -m pip install --quiet --no-deps "${args[@]}" >"$VENV/pip.log" 2>&1; then
        grep -v '^WARNING: Location' "$VENV/pip.log" >&2
        echo "setup: pip install failed for the gateway (full log: $VENV/pip.log)" >&2
        exit 1
    fi
    installed="pip"
fi
# The point of this venv: a patched aiohttp, and no Rasa underneath the gateway.
if ! PYTHONPATH=. "$VENV/bin/python" -W ignore -c '
import sys, aiohttp
major, minor = (int(x) for x in aiohttp.__version__.split(".")[:2])
assert (major, minor) >= (3, 13), aiohttp.__version__
import bot.app  # the whole gateway imports without Rasa
assert "rasa" not in sys.modules and "tensorflow" not in sys.modules
' >"$VENV/import.log" 2>&1; then
    cat "$VENV/import.log" >&2
    echo "setup: the gateway's environment is incomplete" >&2
    exit 1
fi
echo "$want" > "$STAMP"
echo "setup: gateway environment (aiohttp $("$VENV/bin/python" -c 'import aiohttp; print(aiohttp.__version__)')) installed with $installed in $(( $(date +%s) - start )) s"
