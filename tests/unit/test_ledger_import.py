"""Ledger CSV import: validation with line numbers, all-or-nothing, idempotent re-import,
and the CLI (``python -m core.ledger import-csv`` / ``seed-demo``)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import db, ledger
from core.ledger_models import Citizen, Claim, Payment, Reminder

ROOT = Path(__file__).resolve().parents[2]
HEADER = "type;cpr;name;claim_no;bill_type;description;amount;due_date;status;civil_law;payment_id;creditor_no;reminder;date;payment_ref"
PID = ledger.make_payment_id(4711)

GOOD = "\n".join(
    [
        HEADER,
        "citizen;020200-0001;Import Borger A;;;;;;;;;;;;",
        "citizen;0202000002;Import Borger B;;;;;;;;;;;;",
        f"claim;020200-0001;;IMP-1;ejendomsskat;Ejendomsskat 1. rate;4.312,50;2026-09-01;overdue;nej;{PID};85012345;;;",
        "claim;020200-0001;;IMP-2;bibliotek;Erstatning for bog;349,00;01-10-2026;overdue;ja;;;;;",
        "claim;0202000002;;IMP-3;renovation;Renovation;1450.00;2027-01-01;pending;;;;;;",
        "reminder;;;IMP-1;;;;;;;;;rykker;2026-09-15;",
        "reminder;;;IMP-1;;;250,00;;;;;;varsling;2026-10-15;",
        "reminder;;;IMP-2;;;100,00;;;;;;rykker;2026-10-20;",
        "payment;;;IMP-1;;;1.000,00;;;;;;;2026-09-20;BANK-0001",
    ]
) + "\n"


@pytest.fixture
def factory(db_url):
    db.upgrade_database(db_url)
    engine = db.make_engine(db_url)
    yield db.make_session_factory(engine)
    engine.dispose()


def counts(factory) -> dict:
    with factory() as session:
        return {
            model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Citizen, Claim, Reminder, Payment)
        }


def test_import_then_reimport_is_idempotent(factory):
    report = ledger.import_csv_text(factory, GOOD)
    assert report.created == {"citizen": 2, "claim": 3, "reminder": 3, "payment": 1}
    assert counts(factory) == {"Citizen": 2, "Claim": 3, "Reminder": 3, "Payment": 1}
    again = ledger.import_csv_text(factory, GOOD)
    assert not again.created and not again.updated
    assert again.unchanged == {"citizen": 2, "claim": 3, "reminder": 3, "payment": 1}
    assert counts(factory) == {"Citizen": 2, "Claim": 3, "Reminder": 3, "Payment": 1}


def test_imported_values_and_fees(factory):
    ledger.import_csv_text(factory, GOOD)
    with factory() as session:
        citizen = session.execute(select(Citizen).where(Citizen.cpr == "0202000001")).scalar_one()
        ref = citizen.ref
        assert not citizen.is_demo
    ov = ledger.overview(factory, ref)
    imp1 = ov.claim("IMP-1")
    assert imp1.amount == Decimal("4312.50") and imp1.office == "Opkrævningskontoret"
    assert imp1.fees == Decimal("500.00") and imp1.paid == Decimal("1000.00")
    assert imp1.outstanding == Decimal("3812.50")
    assert imp1.fi_line == f"+71<{PID}+85012345<"
    imp2 = ov.claim("IMP-2")
    assert imp2.civil_law and imp2.fees == Decimal("100.00") and imp2.fi_line is None


def test_reimport_updates_changed_rows_and_keeps_refs(factory):
    ledger.import_csv_text(factory, GOOD)
    refs = {c.cpr: c.ref for c in _citizens(factory)}
    changed = GOOD.replace("Import Borger B", "Import Borger B (ny)").replace("1450.00", "1500.00")
    report = ledger.import_csv_text(factory, changed)
    assert report.updated == {"citizen": 1, "claim": 1}
    assert {c.cpr: c.ref for c in _citizens(factory)} == refs


def _citizens(factory):
    with factory() as session:
        return list(session.execute(select(Citizen)).scalars())


BAD_ROWS = [
    ("citizen;0202000003;;;;;;;;;;;;;", "feltet 'name' mangler", "column 'name' is empty"),
    ("citizen;321299-0001;X;;;;;;;;;;;;", "CPR-nummeret er ikke gyldigt", "CPR number is not valid"),
    ("claim;0202000001;;IMP-9;spaceship;x;10;2026-01-01;pending;;;;;;", "ukendt regningstype", "unknown bill type"),
    ("claim;0202000001;;IMP-9;renovation;x;-10;2026-01-01;pending;;;;;;", "ugyldigt beløb", "invalid amount"),
    ("claim;0202000001;;IMP-9;renovation;x;10,123;2026-01-01;pending;;;;;;", "ugyldigt beløb", "invalid amount"),
    ("claim;0202000001;;IMP-9;renovation;x;10;2026-13-01;pending;;;;;;", "ugyldig forfaldsdato", "invalid due date"),
    ("claim;0202000001;;IMP-9;renovation;x;10;2026-01-01;lost;;;;;;", "ukendt status", "unknown status"),
    ("claim;0202000001;;IMP-9;renovation;x;10;2026-01-01;pending;;000000000000017;85012345;;;", "kontrolciffer", "check digit"),
    ("claim;0202000001;;IMP-9;renovation;x;10;2026-01-01;pending;;;85012345;;;", "skal angives sammen", "go together"),
    ("claim;0202000001;;IMP-9;renovation;x;10;2026-01-01;pending;maybe;;;;;", "civil_law", "civil_law"),
    ("claim;0909090909;;IMP-9;renovation;x;10;2026-01-01;pending;;;;;;", "findes ikke", "citizen not found"),
    ("reminder;;;IMP-1;;;;;;;;;inkasso;2026-01-01;", "ukendt rykkertype", "unknown reminder kind"),
    ("reminder;;;IMP-1;;;300,00;;;;;;rykker;2026-01-01;", "gebyret for rykker er 250.00", "the fee for rykker"),
    ("reminder;;;IMP-2;;;;;;;;;varsling;2026-01-01;", "påhviler en ejendom", "on a property"),
    ("reminder;;;IMP-404;;;;;;;;;rykker;2026-01-01;", "findes ikke", "not found"),
    ("payment;;;IMP-1;;;100;;;;;;;2026-01-01;BANK-0001", "gentager linje", "repeats line"),
    ("claim;0202000002;;IMP-1;renovation;x;10;2026-01-01;pending;;;;;;", "gentager linje", "repeats line"),
    ("pizza;;;;;;;;;;;;;;", "ukendt type", "unknown record type"),
    ("citizen;0202000004;Too;Many;;;;;;;;;;;;;;;", "for mange felter", "too many fields"),
]


@pytest.mark.parametrize("bad, da, en", BAD_ROWS)
def test_one_bad_row_rejects_the_whole_file(factory, bad, da, en):
    text = GOOD + bad + "\n"
    with pytest.raises(ledger.LedgerImportError) as info:
        ledger.import_csv_text(factory, text)
    errors = info.value.errors
    assert len(errors) == 1, errors
    assert errors[0].startswith("linje 11: ") and "line 11: " in errors[0]
    assert da in errors[0] and en in errors[0]
    assert counts(factory) == {"Citizen": 0, "Claim": 0, "Reminder": 0, "Payment": 0}
    for cpr in ("0202000001", "3212990001", "0909090909"):
        assert cpr not in errors[0]


def test_all_errors_are_listed_with_line_numbers(factory):
    text = GOOD + BAD_ROWS[0][0] + "\n" + BAD_ROWS[2][0] + "\n" + BAD_ROWS[3][0] + "\n"
    with pytest.raises(ledger.LedgerImportError) as info:
        ledger.import_csv_text(factory, text)
    assert [e.split(":")[0] for e in info.value.errors] == ["linje 11", "linje 12", "linje 13"]


def test_failed_reimport_keeps_previous_data(factory):
    ledger.import_csv_text(factory, GOOD)
    before = ledger.overview(factory, _citizens(factory)[0].ref)
    broken = GOOD.replace("4.312,50", "5.000,00") + "pizza;;;;;;;;;;;;;;\n"
    with pytest.raises(ledger.LedgerImportError):
        ledger.import_csv_text(factory, broken)
    assert ledger.overview(factory, _citizens(factory)[0].ref) == before


def test_claim_moved_to_another_citizen_is_refused(factory):
    ledger.import_csv_text(factory, GOOD)
    moved = HEADER + "\nclaim;0202000002;;IMP-1;renovation;x;10;2026-01-01;pending;;;;;;\n"
    with pytest.raises(ledger.LedgerImportError) as info:
        ledger.import_csv_text(factory, moved)
    assert "tilhører en anden borger" in info.value.errors[0]


def test_header_problems(factory):
    for text in ("", "foo;bar\n1;2\n", HEADER.replace("type;", "kind;") + "\n"):
        with pytest.raises(ledger.LedgerImportError) as info:
            ledger.import_csv_text(factory, text)
        assert info.value.errors[0].startswith("linje 1:")


def test_comma_separated_and_bom(factory):
    text = "\ufeff" + GOOD.replace(";", ",").replace("4.312,50", "4312.50").replace("349,00", "349.00")
    text = text.replace("250,00", "250.00").replace("100,00", "100.00").replace("1.000,00", "1000.00")
    report = ledger.import_csv_text(factory, text)
    assert report.created["claim"] == 3


def test_cli_import_and_seed(tmp_path, sqlite_url):
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "pizza;;;;;;;;;;;;;;\n", encoding="utf-8")
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "core.ledger", *args, "--url", sqlite_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    result = run("import-csv", str(bad))
    assert result.returncode == 2
    assert "intet er importeret" in result.stderr and "linje 11" in result.stderr
    result = run("import-csv", str(good))
    assert result.returncode == 0, result.stderr
    assert "citizen 2" in result.stdout
    result = run("seed-demo")
    assert result.returncode == 0, result.stderr
    assert "citizen 6" in result.stdout
    assert "0101000001" not in result.stdout + result.stderr


def test_cli_seed_demo_refuses_outside_demo_mode(sqlite_url):
    result = subprocess.run(
        [sys.executable, "-m", "core.ledger", "seed-demo", "--url", sqlite_url],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**__import__("os").environ, "KOEGE_DEMO_MODE": "0"},
    )
    assert result.returncode == 0 and "demo mode is off" in result.stdout
