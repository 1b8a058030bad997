"""Catalogue diff: added, removed and changed rows between two tariff files."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from core.settings import KNOWLEDGE_DATA
from knowledge.tariffs.catalogue import Amount, Catalogue, dump_catalogue, load_catalogue
from knowledge.tariffs.diff import diff_catalogues, main, render_diff, row_key

COMMITTED = KNOWLEDGE_DATA / "tariffs_2024.json"


@pytest.fixture(scope="module")
def old() -> Catalogue:
    return load_catalogue(COMMITTED)


def _modified(old: Catalogue) -> Catalogue:
    """Pas 18-64 (L0756) costs 900,00; Deponeringsegnet 8 m3/26 (L0229) is gone; a new row."""
    rows = []
    for row in old.rows:
        if row.id == "L0229":
            continue
        if row.id == "L0756":
            row = dataclasses.replace(
                row, price_text="900,00 kr.", amounts=(Amount(Decimal("900.00"), "pris"),)
            )
        rows.append(row)
        if row.id == "L0757":
            rows.append(dataclasses.replace(
                row, id="L2000", line=2000, line_end=2000, label="Pas fra 80 år, gyldighed i 10 år", price_text="0,00 kr.",
                amounts=(Amount(Decimal("0.00"), "pris"),),
            ))
    return dataclasses.replace(old, rows=tuple(rows))


@pytest.fixture()
def files(old: Catalogue, tmp_path: Path) -> tuple:
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    dump_catalogue(old, old_path)
    dump_catalogue(_modified(old), new_path)
    return old_path, new_path


def test_identical_catalogues_have_no_diff(old: Catalogue) -> None:
    diff = diff_catalogues(old, old)
    assert diff.empty
    assert render_diff(diff).endswith("Ingen forskelle.")


def test_added_removed_changed(files: tuple) -> None:
    old_path, new_path = files
    diff = diff_catalogues(load_catalogue(old_path), load_catalogue(new_path))

    assert [row.label for row in diff.added] == ["Pas fra 80 år, gyldighed i 10 år"]
    assert [row.id for row in diff.removed] == ["L0229"]
    assert diff.removed[0].label == "Deponeringsegnet, 8 m3, 26 tømninger, årligt"
    assert len(diff.changed) == 1
    change = diff.changed[0]
    assert change.old.label == change.new.label == "Pas 18-64 årige, gyldighed i 10 år"
    assert (change.old_price, change.new_price) == ("893,00 kr.", "900,00 kr.")
    assert change.old.amounts[0].value == Decimal("893.00")
    assert change.new.amounts[0].value == Decimal("900.00")


def test_duplicates_matched_by_occurrence(old: Catalogue) -> None:
    # "Varmt vand" under Brusebad occurs twice in the marina (L0446, L0499) with equal keys.
    keys = {row.id: key for row, key in zip(old.rows, row_key(old.rows))}
    assert keys["L0446"][:3] == keys["L0499"][:3]
    assert (keys["L0446"][3], keys["L0499"][3]) == (0, 1)

    rows = tuple(
        dataclasses.replace(r, price_text="12,00 kr.", amounts=(Amount(Decimal("12.00"), "pris"),))
        if r.id == "L0499" else r
        for r in old.rows
    )
    diff = diff_catalogues(old, dataclasses.replace(old, rows=rows))
    assert [c.new.id for c in diff.changed] == ["L0499"]
    assert not diff.added and not diff.removed


def test_cli_report(files: tuple, capsys: pytest.CaptureFixture) -> None:
    old_path, new_path = files
    assert main([str(old_path), str(new_path)]) == 0
    out = capsys.readouterr().out
    assert "Tilføjet (1)" in out
    assert "Fjernet (1)" in out
    assert "Ændret pris (1)" in out
    assert "893,00 kr. → 900,00 kr." in out
    assert "Deponeringsegnet, 8 m3, 26 tømninger, årligt: (ingen pris)" in out
    assert "I alt: 3 forskel(le)" in out
