"""End-to-end evaluation of the running bot against ``tests/eval/questions.jsonl``.

``python -m scripts.eval [--url http://127.0.0.1:5005]`` (what ``make eval`` runs) sends every
question to Rasa's REST channel (``POST /webhooks/rest/webhook``) with a fresh sender per
question, joins all text of the bot's turn (message texts only: button titles are choices,
not answers, so they do not count) and scores it as
``tests/eval/README.md`` describes:

* lower-case, every run of whitespace collapsed to one space, in answer and expectation;
* every ``must_contain`` string is a substring, and for every group of ``must_contain_any`` at
  least one string is a substring;
* a second, looser comparison also drops dots and spaces between digits, so "5667 2432",
  "56672432" and "5.667 2432" match, and "1.070,00" matches "1070,00";
* no ``must_not_contain`` string may be a substring;
* ``expect: "unknown"``: the answer must also say that the texts do not give it (one of
  ``UNKNOWN_PHRASES``);
* every amount the answer states ("1.070,00 kr.") must stand in the seeds, in the item's
  expectations or in its ``note``, except on a line of working ("=" or "×"): an invented
  number fails the item.

Dialogues (``--dialogues FILE``, one JSON object with ``turns`` per line) are sent turn by turn
with one sender; the last turn and every turn marked ``"score": true`` are scored as above, and
the dialogue passes when all its scored turns pass.

It prints the pass rate per category and overall, lists the failures, and writes
``results/eval.json``. Exit status 0 unless ``--min-accuracy`` is given and not reached (or the
bot cannot be reached).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "eval" / "questions.jsonl"
RESULTS = ROOT / "results" / "eval.json"
DEFAULT_URL = "http://127.0.0.1:5005"

_WS = re.compile(r"\s+")
_DIGIT_SEP = re.compile(r"(?<=\d)[\s.\u00a0]+(?=\d)")


def normalise(text: str) -> str:
    """Lower case with every run of whitespace collapsed to one space (the README's rule)."""
    return _WS.sub(" ", (text or "").lower()).strip()


def normalise_numbers(text: str) -> str:
    """``normalise`` plus: no spaces or dots between two digits ("5667 2432" -> "56672432")."""
    return _DIGIT_SEP.sub("", normalise(text))


def contains(answer: str, expected: str) -> bool:
    """Case-insensitive substring test, also with whitespace/dots between digits ignored."""
    if normalise(expected) in normalise(answer):
        return True
    return normalise_numbers(expected) in normalise_numbers(answer)


@dataclass
class Item:
    id: str
    category: str
    message: str
    must_contain: List[str] = field(default_factory=list)
    must_contain_any: List[List[str]] = field(default_factory=list)
    must_not_contain: List[str] = field(default_factory=list)
    expect: str = "answer"
    note: str = ""
    kind: str = ""

    @classmethod
    def from_json(cls, raw: Dict[str, Any]) -> "Item":
        groups = raw.get("must_contain_any") or []
        # Tolerate a single flat group written as a list of strings.
        if groups and all(isinstance(g, str) for g in groups):
            groups = [groups]
        return cls(
            id=str(raw["id"]),
            category=str(raw.get("category") or raw["id"].split("-")[0]),
            message=str(raw["message"]),
            must_contain=[str(s) for s in raw.get("must_contain") or []],
            must_contain_any=[[str(s) for s in g] for g in groups],
            must_not_contain=[str(s) for s in raw.get("must_not_contain") or []],
            expect=str(raw.get("expect") or "answer"),
            note=str(raw.get("note") or ""),
            kind=str(raw.get("kind") or raw.get("expect") or ""),
        )


@dataclass
class Dialogue:
    """A multi-turn conversation: each turn an :class:`Item` (its message is the user turn)."""

    id: str
    category: str
    turns: List[Item]
    scored: List[bool]

    @classmethod
    def from_json(cls, raw: Dict[str, Any]) -> "Dialogue":
        turns, scored = [], []
        raw_turns = raw.get("turns") or []
        for n, turn in enumerate(raw_turns):
            turns.append(Item.from_json({"id": f"{raw['id']}#{n + 1}", "category": raw.get("category"),
                                         "message": turn["user"], "note": raw.get("note"), **{
                                             k: v for k, v in turn.items() if k != "user"}}))
            scored.append(n == len(raw_turns) - 1 or bool(turn.get("score")))
        return cls(id=str(raw["id"]), category=str(raw.get("category") or "dialogue"),
                   turns=turns, scored=scored)


def load_items(path: Path = QUESTIONS) -> List[Item]:
    return [Item.from_json(raw) for raw in _jsonl(path)]


def load_dialogues(path: Path) -> List[Dialogue]:
    return [Dialogue.from_json(raw) for raw in _jsonl(path)]


def _jsonl(path: Path) -> List[Dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            raise SystemExit(f"{path}:{number}: bad line: {exc}") from exc
    return rows


# Ways of saying "the texts do not give this" (tests/eval/README.md, fixed before round 4).
UNKNOWN_PHRASES = (
    "står ikke", "fremgår ikke", "oplyser ikke", "nævner ikke", "siger ikke", "ikke oplyst",
    "ingen oplysning", "har ikke oplysning", "kan ikke se", "kan ikke finde", "findes ikke i",
    "ikke i prislisten", "ikke i teksten", "ved jeg ikke",
)
_AMOUNT = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})*(?:,\d{1,2})?\s?kr\b", re.IGNORECASE)
_WORKING = re.compile(r"[=×]")


def _amount_key(text: str) -> str:
    """ "1.070,00 kr" / "1070 kr" -> "1070,00": one spelling per amount."""
    digits = re.sub(r"\s?kr$", "", text.strip(), flags=re.IGNORECASE).replace(".", "")
    whole, _, cents = digits.partition(",")
    return f"{int(whole)},{(cents + '00')[:2]}"


def _amount_keys(text: str) -> set:
    keys = {_amount_key(m.group()) for m in _AMOUNT.finditer(text)}
    # amounts in expectations and notes are often written without "kr."
    keys |= {_amount_key(m.group() + " kr") for m in re.finditer(
        r"(?<![\d.,])\d{1,3}(?:\.\d{3})*,\d{2}(?![\d])", text)}
    return keys


_SEED_AMOUNTS: Optional[set] = None


def seed_amounts() -> set:
    """Every amount of the seed texts (empty when they are not on this machine)."""
    global _SEED_AMOUNTS
    if _SEED_AMOUNTS is None:
        try:
            from knowledge import sources
            text = "\n".join(sources.seed_text(n) for n in sources.seed_names())
        except Exception:  # noqa: BLE001 - no seeds: the check is skipped
            text = ""
        _SEED_AMOUNTS = _amount_keys(text) if text else set()
    return _SEED_AMOUNTS


def invented_amounts(item: Item, answer: str) -> List[str]:
    """Amounts the answer states that neither the seeds nor the item's expectations or note
    hold (lines of working are left out: a computed total is judged by ``must_contain``)."""
    known = seed_amounts()
    if not known:
        return []
    allowed = set(known)
    for text in item.must_contain + [s for g in item.must_contain_any for s in g] + [item.note]:
        allowed |= _amount_keys(text)
    found = []
    for line in answer.splitlines():
        if _WORKING.search(line):
            continue
        found += [m.group() for m in _AMOUNT.finditer(line) if _amount_key(m.group()) not in allowed]
    return found


def score(item: Item, answer: str) -> Dict[str, Any]:
    """Which expectations the answer misses (empty lists = pass)."""
    missing = [s for s in item.must_contain if not contains(answer, s)]
    missing_groups = [g for g in item.must_contain_any if not any(contains(answer, s) for s in g)]
    forbidden = [s for s in item.must_not_contain if contains(answer, s)]
    if item.expect == "unknown" and not any(p in normalise(answer) for p in UNKNOWN_PHRASES):
        missing_groups.append(["(says the texts do not give it)"])
    invented = invented_amounts(item, answer)
    return {"passed": not (missing or missing_groups or forbidden or invented),
            "missing": missing, "missing_any": missing_groups, "forbidden": forbidden,
            "invented": invented}


def bot_text(messages: Iterable[Dict[str, Any]]) -> str:
    """All text of one bot turn, joined by newlines (button titles are not part of it)."""
    return "\n".join(str(m["text"]) for m in messages if m.get("text"))


def button_titles(messages: Iterable[Dict[str, Any]]) -> List[str]:
    return [str(b.get("title")) for m in messages for b in (m.get("buttons") or []) if b.get("title")]


def ask(url: str, message: str, sender: str, timeout: float = 30.0) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(
        url.rstrip("/") + "/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310 - our own bot
        return json.loads(resp.read().decode("utf-8") or "[]")


def ask_with_retries(url: str, message: str, sender: str,
                     retries: int) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """The bot's messages for one user message, retried on a connection error (and the last
    error, or None)."""
    error = None
    for attempt in range(retries + 1):
        try:
            return ask(url, message, sender), None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            error = str(exc)
            time.sleep(1 + attempt)
    return [], error


def run_eval(items: Sequence[Item], url: str, retries: int = 2) -> List[Dict[str, Any]]:
    results = []
    run_id = uuid.uuid4().hex[:8]
    for item in items:
        sender = f"eval-{run_id}-{item.id}"
        messages, error = ask_with_retries(url, item.message, sender, retries)
        answer = bot_text(messages)
        result = {"id": item.id, "category": item.category, "kind": item.kind, "message": item.message,
                  "answer": answer, "buttons": button_titles(messages)}
        result.update(score(item, answer))
        if error:
            result["error"] = error
        results.append(result)
    return results


def run_dialogues(dialogues: Sequence[Dialogue], url: str, retries: int = 2) -> List[Dict[str, Any]]:
    """Each dialogue in one conversation; scored turns as :func:`score` says."""
    results = []
    run_id = uuid.uuid4().hex[:8]
    for dialogue in dialogues:
        sender = f"eval-{run_id}-{dialogue.id}"
        turns, passed, error = [], True, None
        for turn, scored in zip(dialogue.turns, dialogue.scored):
            messages, turn_error = ask_with_retries(url, turn.message, sender, retries)
            error = turn_error or error
            answer = bot_text(messages)
            entry = {"user": turn.message, "answer": answer, "buttons": button_titles(messages),
                     "scored": scored}
            if scored:
                entry.update(score(turn, answer))
                passed = passed and entry["passed"]
            turns.append(entry)
        result = {"id": dialogue.id, "category": dialogue.category, "passed": passed,
                  "turns": turns, "message": " ⏎ ".join(t.message for t in dialogue.turns)}
        if error:
            result["error"] = error
        results.append(result)
    return results


def _failure_line(result: Dict[str, Any]) -> str:
    parts = []
    for entry in result.get("turns") or [result]:
        if entry.get("passed", True):
            continue
        for key in ("missing", "forbidden", "invented"):
            if entry.get(key):
                parts.append(f"{key} {entry[key]}")
        if entry.get("missing_any"):
            parts.append("missing one of " + str([" | ".join(g) for g in entry["missing_any"]]))
    return f"FAIL {result['id']}: " + "; ".join(parts)


def summarise(results: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    per_category: "OrderedDict[str, Dict[str, Any]]" = OrderedDict()
    for result in results:
        cat = per_category.setdefault(result["category"], {"passed": 0, "total": 0})
        cat["total"] += 1
        cat["passed"] += int(result["passed"])
    for cat in per_category.values():
        cat["accuracy"] = round(cat["passed"] / cat["total"], 4) if cat["total"] else 0.0
    passed = sum(int(r["passed"]) for r in results)
    return {
        "overall": {"passed": passed, "total": len(results),
                    "accuracy": round(passed / len(results), 4) if results else 0.0},
        "per_category": per_category,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Score the running bot on tests/eval/questions.jsonl.")
    parser.add_argument("--url", default=DEFAULT_URL, help="Rasa server (REST channel), default %(default)s")
    parser.add_argument("--questions", type=Path, action="append",
                        help="JSONL of single messages (repeatable; default tests/eval/questions.jsonl)")
    parser.add_argument("--dialogues", type=Path, action="append", default=[],
                        help="JSONL of multi-turn dialogues (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--category", action="append", help="only these categories (repeatable)")
    parser.add_argument("--min-accuracy", type=float, default=None,
                        help="exit 1 when the overall accuracy is below this (0-1)")
    parser.add_argument("--quiet", action="store_true", help="do not list the failures")
    parser.add_argument("--by", choices=["category", "kind"], default="category",
                        help="group the table by the items' category (default) or kind/expect")
    args = parser.parse_args(argv)

    paths = args.questions if args.questions else ([] if args.dialogues else [QUESTIONS])
    items = [item for path in paths for item in load_items(path)]
    dialogues = [d for path in args.dialogues for d in load_dialogues(path)]
    if args.category:
        items = [i for i in items if i.category in set(args.category)]
        dialogues = [d for d in dialogues if d.category in set(args.category)]
    try:
        ask(args.url, "/greet", f"eval-probe-{uuid.uuid4().hex[:8]}", timeout=10)
    except Exception as exc:  # noqa: BLE001
        print(f"error: the bot does not answer at {args.url} ({exc}); start it with `make run`", file=sys.stderr)
        return 2

    results = run_eval(items, args.url) + run_dialogues(dialogues, args.url)
    summary = summarise(results)
    if args.by == "kind":
        summary = summarise([{**r, "category": r.get("kind") or r["category"]} for r in results])

    if not args.quiet:
        for r in results:
            if not r["passed"]:
                print(_failure_line(r))
    print(f"\n{'category':<20}{'passed':>8}{'total':>8}{'accuracy':>10}")
    for name, cat in summary["per_category"].items():
        print(f"{name:<20}{cat['passed']:>8}{cat['total']:>8}{cat['accuracy']:>10.1%}")
    overall = summary["overall"]
    print(f"{'overall':<20}{overall['passed']:>8}{overall['total']:>8}{overall['accuracy']:>10.1%}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"url": args.url, **summary, "results": results}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    print(f"\nwritten: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    if args.min_accuracy is not None and overall["accuracy"] < args.min_accuracy:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
