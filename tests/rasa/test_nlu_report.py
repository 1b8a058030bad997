"""The NLU gate over ``python -m scripts.nlu_report`` (held-out 20 %, intent weighted F1).

Runs in every ``make test`` (and so in CI): on three 80/20 splits of data/nlu (Rasa's stratified
splitter, seeds 2024–2026) it trains the NLU pipeline on 80 %, tests it on the held-out 20 % and
fails when the **mean** intent weighted F1 is below ``MIN_F1`` (0.95, issue 3), or when an intent
of the domain is missing from a held-out part. One split alone moves by about ±0.01 with its seed,
hence three. The pipeline trains in well under a minute (no DIET since 2026-12-03, issue 19), so
the three splits cost about as much as one full training did before.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.rasa.test_rasa_cli import ROOT, rasa_env


SPLITS = 3


def _held_out_reports(tmp_path, min_f1: float):
    import yaml

    out = tmp_path / "nlu_report"
    proc = subprocess.run(
        [sys.executable, "-m", "scripts.nlu_report", "--out", str(out), "--min-f1", str(min_f1),
         "--splits", str(SPLITS)],
        cwd=ROOT, env=rasa_env(), capture_output=True, text=True, timeout=2400,
    )
    splits_file = out / "splits.json"
    assert splits_file.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    splits = json.loads(splits_file.read_text(encoding="utf-8"))
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    summaries = []
    for seed in splits["seeds"]:
        summary = json.loads((out / f"split_{seed}" / "summary.json").read_text(encoding="utf-8"))
        # every intent of the domain is in every held-out part
        assert intents <= set(summary["per_intent"]), intents - set(summary["per_intent"])
        summaries.append(summary)
    return proc, splits, summaries


@pytest.mark.slow
def test_nlu_held_out_weighted_f1_passes_the_gate(tmp_path):
    from scripts.nlu_report import MIN_F1

    proc, splits, summaries = _held_out_reports(tmp_path, MIN_F1)
    assert len(summaries) == SPLITS
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert splits["mean"] >= MIN_F1, [s["top_confusions"] for s in summaries]


def test_summary_reads_rasa_reports(tmp_path):
    """The report parsing works on the shape Rasa writes (no training needed)."""
    from scripts.nlu_report import summarise

    (tmp_path / "intent_report.json").write_text(json.dumps({
        "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.6667, "support": 2, "confused_with": {}},
        "thank": {"precision": 0.5, "recall": 1.0, "f1-score": 0.6667, "support": 1, "confused_with": {}},
        "accuracy": 0.6667,
        "macro avg": {"precision": 0.75, "recall": 0.75, "f1-score": 0.6667, "support": 3},
        "weighted avg": {"precision": 0.8333, "recall": 0.6667, "f1-score": 0.6667, "support": 3},
    }))
    (tmp_path / "intent_errors.json").write_text(json.dumps([
        {"text": "hej", "intent": "greet", "intent_prediction": {"name": "thank", "confidence": 0.4}},
    ]))
    (tmp_path / "intent_successes.json").write_text(json.dumps([
        {"text": "tak", "intent": "thank", "intent_prediction": {"name": "thank", "confidence": 0.9}},
        {"text": "hejsa", "intent": "greet", "intent_prediction": {"name": "greet", "confidence": 0.8}},
    ]))
    summary = summarise(tmp_path, threshold=0.55)
    assert summary["weighted_f1"] == 0.6667
    assert set(summary["per_intent"]) == {"greet", "thank"}
    assert summary["held_out"] == 3 and summary["errors"] == 1
    assert summary["below_fallback_threshold"] == 1
    assert summary["top_confusions"] == [{"true": "greet", "predicted": "thank", "count": 1}]


def test_several_splits_gate_on_the_mean(tmp_path, monkeypatch, capsys):
    """--splits N trains on N different splits and gates on the mean F1 (no training here)."""
    from scripts import nlu_report

    scores = {2024: 0.96, 2025: 0.93}
    seen = []

    def fake_run(out, train_frac, seed, config, nlu):
        seen.append((seed, out))
        assert nlu == (tmp_path / "nlu").resolve()  # --nlu picks the data to split
        return {"per_intent": {}, "weighted_f1": scores[seed], "accuracy": scores[seed], "held_out": 0,
                "errors": 0, "below_fallback_threshold": None, "fallback_threshold": None,
                "top_confusions": [], "entities": None, "train_seconds": 0, "total_seconds": 0}

    monkeypatch.setattr(nlu_report, "run", fake_run)
    assert nlu_report.main(["--out", str(tmp_path), "--splits", "2", "--min-f1", "0.95",
                            "--nlu", str(tmp_path / "nlu")]) == 1
    assert [s for s, _ in seen] == [2024, 2025]
    assert len({o for _, o in seen}) == 2  # one output folder per split
    assert json.loads((tmp_path / "splits.json").read_text())["mean"] == 0.945
    assert "mean intent weighted F1 over 2 splits: 0.9450" in capsys.readouterr().out
    assert nlu_report.main(["--out", str(tmp_path), "--splits", "2", "--min-f1", "0.94",
                            "--nlu", str(tmp_path / "nlu")]) == 0
