"""Every eval round in tests/eval stays blind: no NLU training example repeats one of its
messages (identical or near-identical, rapidfuzz ratio >= 90), apart from one- and two-word
messages such as "hej", "farvel" or "pensionist" that any bot must be trained on.

Covered: the public set (questions.jsonl) and every blind round under tests/eval/round*/ —
single messages (a ``message`` per line) and dialogues (a ``turns`` list per line). A round may
list in ``overlaps.json`` the turns that already happened to resemble a training example when the
round was added (a writer who never saw ``data/`` wrote "hvad koster musikskolen?" too); any other
overlap, and so any training example copied from a round later, fails."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "eval"
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


def eval_files() -> List[Path]:
    return [EVAL / "questions.jsonl"] + sorted(EVAL.glob("round*/*.jsonl"))


def known_overlaps(path: Path) -> set:
    listed = path.parent / "overlaps.json"
    if path.parent == EVAL or not listed.exists():
        return set()
    return set(json.loads(listed.read_text(encoding="utf-8"))["overlaps"].get(path.name) or {})


def messages(path: Path) -> Iterator[Tuple[str, str]]:
    """(id, message) of every user message in one eval file."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if "turns" in item:
            for n, turn in enumerate(item["turns"]):
                yield f"{item['id']}#{n}", turn.get("message") or turn["user"]
        else:
            yield item["id"], item["message"]


def test_every_round_is_covered() -> None:
    files = eval_files()
    rounds = {p.parent.name for p in files if p.parent != EVAL}
    assert {"round5", "round6", "round7", "round8", "round9"} <= rounds
    assert all(sum(1 for _ in messages(p)) > 20 for p in files)


@pytest.mark.parametrize("path", eval_files(), ids=lambda p: str(p.relative_to(EVAL)))
def test_no_training_example_repeats_an_eval_message(path: Path) -> None:
    training = _training_texts()
    assert len(training) > 1000
    leaks = []
    for item_id, message in messages(path):
        message = message.lower()
        if len(message.split()) < 3 or item_id in known_overlaps(path):
            continue
        match = process.extractOne(message, training, scorer=fuzz.ratio, score_cutoff=90)
        if match:
            leaks.append((item_id, message, match[0], round(match[1])))
    assert leaks == []


def test_the_check_would_catch_a_copied_question() -> None:
    for path in eval_files():
        _, message = next(m for m in messages(path) if len(m[1].split()) >= 3)
        message = message.lower()
        assert process.extractOne(message, _training_texts() + [message + "!"], scorer=fuzz.ratio,
                                  score_cutoff=90) is not None


def test_listed_overlaps_are_real_turns_of_their_round() -> None:
    for path in eval_files():
        listed = known_overlaps(path)
        if listed:
            assert listed <= {i for i, _ in messages(path)}
            assert len(listed) < sum(1 for _ in messages(path)) / 5  # a few, not the round
