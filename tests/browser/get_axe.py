"""Fetch axe-core for the accessibility checks: ``npm install axe-core@4`` into ``build/axe``.

``python -m tests.browser.get_axe`` (or the ``axe_source`` fixture) installs it once; later
runs reuse it, so CI needs the npm registry only the first time. Fails with a clear
message when npm is missing. build/ is git-ignored: nothing third-party is committed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = ROOT / "build" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_SPEC = "axe-core@4"


class AxeUnavailable(RuntimeError):
    pass


def ensure_axe() -> Path:
    """The path of axe.min.js, installing it with npm when it is not there yet."""
    if AXE_JS.exists():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable(
            "npm is not installed: install Node.js/npm (Debian: apt-get install -y npm) "
            f"or put axe.min.js at {AXE_JS}"
        )
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--no-save", "--prefix", str(AXE_DIR), AXE_SPEC],
        capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0 or not AXE_JS.exists():
        raise AxeUnavailable(f"`npm install {AXE_SPEC}` failed:\n{result.stdout}\n{result.stderr}")
    return AXE_JS


if __name__ == "__main__":
    try:
        print(ensure_axe())
    except AxeUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
