"""NLU quality gate: a held-out evaluation of ``data/nlu``.

``python -m scripts.nlu_report`` (what ``make nlu-report`` runs):

1. splits ``data/nlu`` with Rasa's own stratified splitter (``rasa data split nlu``):
   ``--train-frac`` (default 0.8) of every intent's examples for training, the rest held out,
   with a fixed ``--seed``; synonyms, lookup tables and regexes stay in the training part;
2. trains an NLU-only model on the training part with ``config.yml`` and ``domain.yml``;
3. evaluates it on the held-out part (``rasa test nlu``), prints per-intent precision,
   recall, F1 and support, the weighted F1, the entity report (when a
   trained extractor is configured), the most
   frequent confusions, and how many held-out messages would have ended in ``nlu_fallback``
   (``rasa test nlu`` itself undoes the FallbackClassifier);
4. exits 1 when the intent weighted F1 is below ``--min-f1`` (default 0.95).

Everything goes to ``--out`` (default ``results/nlu_report``): the split, the model and Rasa's
reports (``intent_report.json``, ``intent_errors.json``, …) plus ``summary.json``.
One training run on 80 % of the data, not k folds, to keep it to a few minutes.

``--splits N`` repeats the whole thing on N different random splits (seeds ``seed`` …
``seed+N-1``, one model each, in ``out/split_<seed>``) and gates on the mean weighted F1. One
split is a noisy figure: on 2026-11-23 the same data scored 0.905–0.919 with different seeds, so
compare configurations or data on several splits, not one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
DEFAULT_OUT = ROOT / "results" / "nlu_report"
MIN_F1 = 0.95
SEED = 2024
NON_INTENT_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def rasa_env() -> Dict[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    if not env.get("DA_SPACY_MODEL"):
        choice = ROOT / "build" / "spacy_model.txt"
        if not choice.exists():
            raise SystemExit("No spaCy pipeline chosen yet: run `make setup` first.")
        env["DA_SPACY_MODEL"] = choice.read_text(encoding="utf-8").strip()
    return env


def _run(cmd: List[str], log: Path) -> None:
    with open(log, "ab") as handle:
        handle.write(("\n$ " + " ".join(cmd) + "\n").encode())
        handle.flush()
        proc = subprocess.run(cmd, cwd=ROOT, env=rasa_env(), stdout=handle, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")


def fallback_threshold(config: Path) -> Optional[float]:
    spec = yaml.safe_load(config.read_text(encoding="utf-8"))
    for component in spec.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3))
    return None


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def summarise(report_dir: Path, threshold: Optional[float]) -> Dict[str, Any]:
    """Per-intent scores, weighted F1, entity scores and error statistics from Rasa's reports."""
    intent_report = _load_json(report_dir / "intent_report.json") or {}
    per_intent = {
        name: {
            "precision": round(v["precision"], 4),
            "recall": round(v["recall"], 4),
            "f1": round(v["f1-score"], 4),
            "support": int(v["support"]),
        }
        for name, v in intent_report.items()
        if name not in NON_INTENT_KEYS and isinstance(v, dict) and "f1-score" in v
    }
    weighted = intent_report.get("weighted avg", {})
    errors = _load_json(report_dir / "intent_errors.json") or []
    successes = _load_json(report_dir / "intent_successes.json") or []
    confusions = Counter(
        (e["intent"], (e.get("intent_prediction") or {}).get("name")) for e in errors
    )
    below = None
    if threshold is not None:
        below = sum(
            1
            for e in list(errors) + list(successes)
            if ((e.get("intent_prediction") or {}).get("confidence") or 0.0) < threshold
        )
    entity_report = None
    for name in ("DIETClassifier_report.json", "entity_report.json"):
        data = _load_json(report_dir / name)
        if data:
            entity_report = {
                k: {"precision": round(v["precision"], 4), "recall": round(v["recall"], 4),
                    "f1": round(v["f1-score"], 4), "support": int(v["support"])}
                for k, v in data.items()
                if isinstance(v, dict) and "f1-score" in v
            }
            break
    return {
        "per_intent": per_intent,
        "weighted_f1": round(weighted.get("f1-score", 0.0), 4),
        "accuracy": round(intent_report.get("accuracy", 0.0), 4),
        "held_out": sum(v["support"] for v in per_intent.values()),
        "errors": len(errors),
        "below_fallback_threshold": below,
        "fallback_threshold": threshold,
        "top_confusions": [
            {"true": t, "predicted": p, "count": c} for (t, p), c in confusions.most_common(15)
        ],
        "entities": entity_report,
    }


def run(out: Path = DEFAULT_OUT, train_frac: float = 0.8, seed: int = SEED,
        config: Path = ROOT / "config.yml", domain: Path = ROOT / "domain.yml",
        nlu: Path = ROOT / "data" / "nlu") -> Dict[str, Any]:
    """Split, train, test; returns the summary (also written to ``out/summary.json``)."""
    if out.exists():
        shutil.rmtree(out)
    split_dir, model_dir, report_dir = out / "split", out / "model", out / "report"
    for path in (split_dir, model_dir, report_dir):
        path.mkdir(parents=True)
    threshold = fallback_threshold(config)
    log = out / "rasa.log"
    started = time.monotonic()
    _run([RASA, "data", "split", "nlu", "--nlu", str(nlu), "--training-fraction", str(train_frac),
          "--random-seed", str(seed), "--out", str(split_dir)], log)
    train_file = next(split_dir.glob("training_data.*"))
    test_file = next(split_dir.glob("test_data.*"))
    _run([RASA, "train", "nlu", "--config", str(config), "--domain", str(domain), "--nlu", str(train_file),
          "--out", str(model_dir), "--fixed-model-name", "nlu"], log)
    trained = time.monotonic()
    model = next(model_dir.glob("nlu*.tar.gz"))
    _run([RASA, "test", "nlu", "--model", str(model), "--nlu", str(test_file), "--out", str(report_dir),
          "--no-plot", "--successes"], log)
    summary = summarise(report_dir, threshold)
    summary.update({
        "train_frac": train_frac, "seed": seed,
        "train_seconds": round(trained - started, 1),
        "total_seconds": round(time.monotonic() - started, 1),
    })
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def print_summary(summary: Dict[str, Any], min_f1: float) -> None:
    print(f"\n{'intent':<26}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for name, v in sorted(summary["per_intent"].items(), key=lambda kv: (kv[1]["f1"], kv[0])):
        print(f"{name:<26}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}{v['support']:>9}")
    print(f"\nheld out: {summary['held_out']} messages, {summary['errors']} misclassified, "
          f"accuracy {summary['accuracy']:.3f}")
    if summary.get("below_fallback_threshold") is not None:
        print(f"below the fallback threshold {summary['fallback_threshold']}: "
              f"{summary['below_fallback_threshold']} (these would get \"Mente du …?\")")
    if summary["top_confusions"]:
        print("most frequent confusions (true -> predicted):")
        for c in summary["top_confusions"]:
            print(f"  {c['count']:>3}  {c['true']} -> {c['predicted']}")
    if summary.get("entities"):
        print("entities:")
        for name, v in summary["entities"].items():
            print(f"  {name:<22} p {v['precision']:.3f}  r {v['recall']:.3f}  f1 {v['f1']:.3f}  n {v['support']}")
    print(f"\nintent weighted F1: {summary['weighted_f1']:.4f}  (gate: >= {min_f1})  "
          f"training {summary['train_seconds']} s, total {summary['total_seconds']} s")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Held-out NLU evaluation with an F1 gate.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--train-frac", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--min-f1", type=float, default=MIN_F1)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data" / "nlu",
                        help="NLU data to split (a file or folder; default data/nlu)")
    parser.add_argument("--splits", type=int, default=1,
                        help="repeat on N random splits (seeds seed..seed+N-1) and gate on the mean F1")
    args = parser.parse_args(argv)
    seeds = [args.seed + k for k in range(max(1, args.splits))]
    scores: List[float] = []
    try:
        for seed in seeds:
            out = args.out if len(seeds) == 1 else args.out / f"split_{seed}"
            summary = run(out=out, train_frac=args.train_frac, seed=seed, config=args.config.resolve(),
                          nlu=args.nlu.resolve())
            print_summary(summary, args.min_f1)
            scores.append(summary["weighted_f1"])
    except (RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    f1 = sum(scores) / len(scores)
    if len(seeds) > 1:
        listed = ", ".join(f"{s:.4f}" for s in scores)
        print(f"\nmean intent weighted F1 over {len(seeds)} splits: {f1:.4f} ({listed})")
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "splits.json").write_text(json.dumps(
            {"seeds": seeds, "weighted_f1": scores, "mean": round(f1, 4)}, indent=2), encoding="utf-8")
    if f1 < args.min_f1:
        print(f"FAIL: intent weighted F1 {f1:.4f} < {args.min_f1}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
