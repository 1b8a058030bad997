"""Rasa's own checks, run as tests: data validation and the conversation tests.

* ``rasa data validate --fail-on-warnings`` must be clean.
* ``rasa test core`` over ``tests/conversations/test_*.yml`` with ``--fail-on-prediction-errors``
  must reach 100 % conversation accuracy (read from story_report.json).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).parent / "rasa")
MODEL = ROOT / "models" / "koege.tar.gz"


def rasa_env() -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    if not env.get("DA_SPACY_MODEL"):
        choice = ROOT / "build" / "spacy_model.txt"
        if choice.exists():
            env["DA_SPACY_MODEL"] = choice.read_text(encoding="utf-8").strip()
    return env


def require_model() -> None:
    if not MODEL.exists():
        message = "no trained model at models/koege.tar.gz: run `make train` (make test does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def run(cmd: list, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=timeout)


def test_training_data_validates_without_warnings():
    proc = run([RASA, "data", "validate", "--fail-on-warnings", "--config", "config.yml",
                "--domain", "domain.yml", "--data", "data"])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


@pytest.mark.e2e
def test_conversation_stories_pass(tmp_path):
    require_model()
    out = tmp_path / "results"
    proc = run([RASA, "test", "core", "--model", str(MODEL), "--stories", "tests/conversations",
                "--fail-on-prediction-errors", "--out", str(out), "--no-plot"])
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text(encoding="utf-8") if failed.exists() else proc.stdout[-4000:] + proc.stderr[-4000:]
    assert proc.returncode == 0, detail
    report = json.loads((out / "story_report.json").read_text(encoding="utf-8"))
    assert report["conversation_accuracy"]["accuracy"] == 1.0, detail
