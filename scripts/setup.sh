#!/usr/bin/env bash
# Create or update .venv with Python 3.10 and the pinned dependencies of requirements.lock.
# Does nothing when the venv already matches the lock. Used by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.lock-sha256

# shellcheck source=scripts/find_python.sh
. scripts/find_python.sh

want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi

if ! PY=$(find_python); then
    cat >&2 <<'EOF'
error: no Python 3.10 found.
Rasa Open Source 3.6 needs Python 3.8-3.10 (this project pins 3.10).
Looked at: $PYTHON, python3.10 on PATH, $(pyenv root)/versions/3.10.*/bin/python.
Install one (e.g. `pyenv install 3.10.13`) or point PYTHON at it: make test PYTHON=/path/to/python3.10
EOF
    exit 2
fi

echo "setup: using $PY ($("$PY" --version 2>&1))"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi
start=$(date +%s)
# The lock is complete (pip freeze); --no-deps keeps pip from resolving anything again.
pip_install() {
    # pip.conf on these machines adds local indexes that warn for every package; keep the log quiet.
    if ! "$VENV/bin/python" -m pip install --quiet "$@" >"$VENV/pip.log" 2>&1; then
        grep -v '^WARNING: Location' "$VENV/pip.log" >&2
        echo "setup: pip install failed (full log: $VENV/pip.log)" >&2
        exit 1
    fi
}
# uv (from PyPI, into the venv) installs the same lock in ~20 s where pip takes ~130 s (issue 19);
# pip stays the fallback when uv cannot be installed or fails. UV=0 forces pip.
installed=""
if [ "${UV:-1}" != "0" ] && "$VENV/bin/python" -m pip install --quiet "uv==0.13.9" >"$VENV/uv.log" 2>&1; then
    if "$VENV/bin/python" -m uv pip install --quiet --no-deps -r requirements.lock \
            --python "$VENV/bin/python" >>"$VENV/uv.log" 2>&1; then
        installed="uv"
    else
        echo "setup: uv failed (log: $VENV/uv.log), installing with pip"
    fi
fi
if [ -z "$installed" ]; then
    pip_install --no-deps -r requirements.lock
    installed="pip"
fi
"$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; echo "setup: dependency check failed" >&2; exit 1; }
# Importing Rasa prints many third-party deprecation warnings: keep them in a log, show on failure.
if ! "$VENV/bin/python" -W ignore -c 'import rasa, rasa_sdk, sqlalchemy, aiohttp, spacy' >"$VENV/import.log" 2>&1; then
    cat "$VENV/import.log" >&2
    echo "setup: install incomplete" >&2
    exit 1
fi
echo "$want" > "$STAMP"
echo "setup: dependencies installed with $installed in $(( $(date +%s) - start )) s"
