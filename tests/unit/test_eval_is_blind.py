"""The public eval (tests/eval/questions.jsonl) stays blind: no NLU training example repeats
one of its messages (identical or near-identical, rapidfuzz ratio >= 90), apart from one- and
two-word greetings such as "hej" or "farvel" that any bot must be trained on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[2]
_ENTITY = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")


def _training_texts() -> list:
    texts = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    texts.append(_ENTITY.sub(r"\1", line[2:]).strip().lower())
    return texts


def test_no_training_example_repeats_an_eval_question() -> None:
    training = _training_texts()
    assert len(training) > 1000
    leaks = []
    for line in (ROOT / "tests" / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        message = json.loads(line)["message"].lower()
        if len(message.split()) < 3:
            continue
        match = process.extractOne(message, training, scorer=fuzz.ratio, score_cutoff=90)
        if match:
            leaks.append((message, match[0], round(match[1])))
    assert leaks == []


def test_the_check_would_catch_a_copied_question() -> None:
    message = json.loads((ROOT / "tests" / "eval" / "questions.jsonl").read_text(encoding="utf-8")
                         .splitlines()[0])["message"].lower()
    assert process.extractOne(message, _training_texts() + [message + "!"], scorer=fuzz.ratio,
                              score_cutoff=90) is not None
