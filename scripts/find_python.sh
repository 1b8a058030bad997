# Sourced by scripts/setup.sh and scripts/setup_gateway.sh: find_python prints a working
# Python 3.10 ($PYTHON first, then python3.10 on PATH, then pyenv's 3.10.*) or returns 1.
find_python() {
    local candidates=()
    [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
    command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
    local root
    if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null || true); else root=${PYENV_ROOT:-$HOME/.pyenv}; fi
    for p in "$root"/versions/3.10.*/bin/python; do [ -x "$p" ] && candidates+=("$p"); done
    for c in "${candidates[@]}"; do
        # A pyenv shim may exist without a working 3.10 behind it: ask the interpreter itself.
        if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
            echo "$c"; return 0
        fi
    done
    if [ -n "${PYTHON:-}" ]; then
        echo "error: PYTHON=$PYTHON is not a working Python 3.10." >&2
    fi
    return 1
}
