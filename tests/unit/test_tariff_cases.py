"""Table-driven price questions (tests/unit/tariff_cases.yml) through the whole answer path."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml

from knowledge.tariffs.answer import TariffAnswer, answer_price_question
from knowledge.tariffs.search import get_catalogue

CASES_PATH = Path(__file__).with_name("tariff_cases.yml")
CASES: List[Dict[str, Any]] = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))["cases"]


def _check(answer: TariffAnswer, expected: Dict[str, Any], where: str) -> None:
    detail = f"{where}: got {answer.status} {answer.row_ids}\n{answer.text}\n{answer.buttons}"
    assert answer.status == expected["status"], detail
    if "row" in expected:
        assert answer.row_ids and answer.row_ids[0] == expected["row"], detail
    if "rows" in expected:
        missing = set(expected["rows"]) - set(answer.row_ids)
        assert not missing, f"missing {missing}; {detail}"
    for text in expected.get("has", []):
        assert text in answer.text, f"{text!r} not in reply; {detail}"
    for text in expected.get("not", []):
        assert text not in answer.text, f"{text!r} in reply; {detail}"
    if "ask" in expected:
        assert answer.context and answer.context.get("ask") == expected["ask"], detail
    if answer.status in ("clarify", "choose"):
        assert answer.context is not None, detail
        # a person's age is typed ("han er 40"); every other question offers its options
        assert answer.buttons or answer.context.get("ask") == "people_ages", detail
    elif answer.status == "answer":
        assert answer.context and answer.context.get("answered"), detail  # kept for follow-ups
    else:
        assert answer.context is None, detail


def _run(case: Dict[str, Any], context: Optional[dict], where: str) -> None:
    if "q" in case:
        answer = answer_price_question(case["q"])
    else:
        answer = answer_price_question(case.get("text", ""), context=context,
                                       reply=case.get("reply"))
    _check(answer, case, where)
    for i, follow in enumerate(case.get("then", [])):
        _run(follow, answer.context, f"{where} > turn {i + 1}")


def _ids() -> Iterator[str]:
    for i, case in enumerate(CASES):
        yield f"{i:03d}-{case['q'][:40]}"


@pytest.mark.parametrize("case", CASES, ids=list(_ids()))
def test_case(case: Dict[str, Any]) -> None:
    _run(case, None, case["q"])


def test_there_are_enough_cases() -> None:
    flows = sum(1 for c in CASES if c.get("then"))
    assert len(CASES) >= 150
    assert flows >= 10


def _expected_rows(case: Dict[str, Any]) -> Iterator[str]:
    for key in ("row",):
        if key in case:
            yield case[key]
    for follow in case.get("then", []):
        yield from _expected_rows(follow)


def test_every_section_has_a_case() -> None:
    catalogue = get_catalogue()
    section_of = {row.id: row.section for row in catalogue.rows}
    covered = {section_of[r] for case in CASES for r in _expected_rows(case) if r in section_of}
    assert set(catalogue.sections()) - covered == set()


def test_every_section_is_reachable_by_a_natural_question() -> None:
    """Each section answers at least one case question with one of its own rows."""
    catalogue = get_catalogue()
    reached = set()
    for case in CASES:
        answer = answer_price_question(case["q"])
        for row_id in answer.row_ids[:1]:
            reached.add(catalogue.row(row_id).section)
    assert set(catalogue.sections()) - reached == set()
