"""``make train``: train the Rasa model quietly, one progress line per step.

Rasa's own output (hundreds of third-party deprecation warnings, the telemetry banner, progress
bars) goes to ``var/log/train.log``; the terminal gets what is trained, the result and the time.
On failure the log's last lines are shown. Telemetry is off (``RASA_TELEMETRY_ENABLED=false``) for a
municipality's bot: no usage data leaves the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "var" / "log" / "train.log"
RASA = Path(sys.executable).parent / "rasa"


def _count(folder: Path, key: str) -> int:
    total = 0
    for path in sorted(folder.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get(key) or []:
            if key == "nlu" and "intent" in item:
                total += sum(1 for line in str(item.get("examples", "")).splitlines() if line.strip().startswith("- "))
            elif key != "nlu":
                total += 1
    return total


def describe() -> str:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    pipeline = [c["name"].rsplit(".", 1)[-1] for c in config.get("pipeline") or []]
    policies = [p["name"] for p in config.get("policies") or []]
    return (f"{_count(ROOT / 'data' / 'nlu', 'nlu')} NLU examples, {_count(ROOT / 'data' / 'rules', 'rules')} rules, "
            f"{_count(ROOT / 'data' / 'stories', 'stories')} stories; pipeline {' → '.join(pipeline)}; "
            f"policies {', '.join(policies)}")


def main(argv: Optional[List[str]] = None) -> int:
    out = ROOT / "models"
    LOG.parent.mkdir(parents=True, exist_ok=True)
    print(f"train: {describe()}", flush=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT),
           "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false"),
           "PYTHONWARNINGS": "ignore"}
    cmd = [str(RASA), "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
           "--out", str(out), "--fixed-model-name", "koege", *(argv or [])]
    started = time.monotonic()
    with open(LOG, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        code = subprocess.run(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - started
    model = out / "koege.tar.gz"
    if code != 0 or not model.exists():
        tail = LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        print(f"train: failed after {seconds:.0f} s (full log: {LOG.relative_to(ROOT)})", file=sys.stderr)
        return code or 1
    print(f"train: models/koege.tar.gz ({model.stat().st_size / 1e6:.0f} MB) in {seconds:.0f} s "
          f"(log: {LOG.relative_to(ROOT)})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
