"""Citizen ledger queries (core.ledger) on SQLite and PostgreSQL: demo data, overview,
FI lines, fees, instalment-plan applications and the gateway seam."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core import ledger
from core.identity import verify_token
from core.ledger_models import Citizen, Claim, PlanApplication
from core.settings import load_settings

# --- pure functions ----------------------------------------------------------------------------


@pytest.mark.parametrize("payload, digit", [("1", "8"), ("2", "6"), ("0000000000000", "0"), ("7992739871", "3")])
def test_mod10_check_digit(payload, digit):
    assert ledger.mod10_check_digit(payload) == digit


def test_payment_id_and_fi_line():
    pid = ledger.make_payment_id(1)
    assert pid == "000000000000018" and len(pid) == 15
    assert ledger.is_valid_payment_id(pid)
    assert not ledger.is_valid_payment_id("000000000000017")
    assert not ledger.is_valid_payment_id("00000000000018")
    assert ledger.fi_line(pid, "80000000") == "+71<000000000000018+80000000<"
    assert ledger.fi_line(None, "80000000") is None
    assert ledger.is_valid_creditor_no("85012345") and not ledger.is_valid_creditor_no("75012345")


def test_fees_are_the_seeds():
    assert ledger.fee_for("rykker", civil_law=False) == Decimal("250.00")
    assert ledger.fee_for("rykker", civil_law=True) == Decimal("100.00")
    assert ledger.fee_for("varsling", civil_law=False) == Decimal("250.00")
    assert ledger.fee_for("underretning_udlaeg", civil_law=False) == Decimal("450.00")
    with pytest.raises(ValueError):
        ledger.fee_for("inkasso", civil_law=False)


def test_fees_appear_in_the_seed_text():
    from knowledge.sources import seed_text

    seed = seed_text("000_88859510c15c3961.txt")
    for amount in ("250,00 kr", "100,00 kr", "450,00 kr", "3-5 bankdage", "NemKonto", "Gældsstyrelsen"):
        assert amount in seed


@pytest.mark.parametrize(
    "text, expected",
    [("010100-0001", "0101000001"), ("0101000001", "0101000001"), (" 311299 1234 ", "3112991234"),
     ("321299-1234", None), ("011399-1234", None), ("01010-0001", None), ("abc", None), ("", None)],
)
def test_normalise_cpr(text, expected):
    assert ledger.normalise_cpr(text) == expected


def test_effective_status_and_months():
    today = date(2026, 1, 10)
    assert ledger.effective_status("pending", date(2026, 1, 9), today) == "overdue"
    assert ledger.effective_status("pending", date(2026, 1, 10), today) == "pending"
    assert ledger.effective_status("paid", date(2020, 1, 1), today) == "paid"
    assert ledger.months_needed(Decimal("1000"), Decimal("300")) == 4
    assert ledger.months_needed(Decimal("900"), Decimal("300")) == 3


def test_idempotency_key_depends_on_conversation_claim_and_amount():
    k = ledger.idempotency_key("web-a", "DEMO-2-EJD", Decimal("500"))
    assert k == ledger.idempotency_key("web-a", "demo-2-ejd", Decimal("500.00"))
    assert k != ledger.idempotency_key("web-b", "DEMO-2-EJD", Decimal("500"))
    assert k != ledger.idempotency_key("web-a", "DEMO-2-REN", Decimal("500"))
    assert k != ledger.idempotency_key("web-a", "DEMO-2-EJD", Decimal("501"))
    assert len(k) == 64


# --- demo data and overview (both backends) ---------------------------------------------------------


def test_demo_citizens_are_fictitious_and_complete(ledger_db):
    demo = ledger.demo_citizens(factory=ledger_db.factory)
    assert [c.name for c in demo] == [f"Demo Borger {n}" for n in range(1, 7)]
    assert all(c.cpr.startswith(ledger.DEMO_CPR_PREFIX) for c in demo)
    assert all(c.ref.startswith("bgr-") and ledger.DEMO_CPR_PREFIX not in c.ref for c in demo)
    with ledger_db.factory() as session:
        offices = set(session.execute(select(Claim.office)).scalars())
        assert len(offices) >= 5
        assert all(k.startswith("DEMO-") for k in session.execute(select(Claim.claim_no)).scalars())


def test_seed_demo_is_idempotent(ledger_db):
    report = ledger.seed_demo(ledger_db.factory)
    assert not report.created and not report.updated
    with ledger_db.factory() as session:
        assert session.execute(select(func.count()).select_from(Citizen)).scalar_one() == 6
        assert session.execute(select(func.count()).select_from(PlanApplication)).scalar_one() == 1
    assert {c.name: c.ref for c in ledger.demo_citizens(factory=ledger_db.factory)} == ledger_db.refs


def test_overview_all_paid(ledger_db):
    ov = ledger.overview(ledger_db.factory, ledger_db.refs["Demo Borger 1"])
    assert ov.name == "Demo Borger 1"
    assert not ov.overdue and not ov.pending and not ov.credits and ov.next_due is None
    assert all(c.status == "paid" and c.outstanding == 0 for c in ov.claims)


def test_overview_overdue_property_tax_with_rykker(ledger_db):
    ov = ledger.overview(ledger_db.factory, ledger_db.refs["Demo Borger 2"])
    [ejd] = ov.overdue
    assert ejd.bill_type == "ejendomsskat" and ejd.office == "Opkrævningskontoret"
    assert ejd.amount == Decimal("6420.00") and ejd.fees == Decimal("250.00")
    assert ejd.outstanding == Decimal("6670.00") and ejd.on_property
    assert [r.kind for r in ejd.reminders] == ["rykker"]
    assert ov.overdue_total == Decimal("6670.00")
    assert ov.pending_total == Decimal("1960.00")
    assert ov.next_due.bill_type == "parkeringsafgift"
    assert ejd.fi_line == f"+71<{ejd.payment_id}+{ledger.DEMO_CREDITOR_NO}<"
    assert ledger.is_valid_payment_id(ejd.payment_id)


def test_overview_daycare_in_plan_and_overpayment(ledger_db):
    ov3 = ledger.overview(ledger_db.factory, ledger_db.refs["Demo Borger 3"])
    [dag] = ov3.in_plan
    assert dag.bill_type == "daginstitution" and dag.outstanding == Decimal("4790.00")
    assert not dag.plan_eligible
    ov4 = ledger.overview(ledger_db.factory, ledger_db.refs["Demo Borger 4"])
    [park] = ov4.credits
    assert park.credit == Decimal("510.00") and ov4.credit_total == Decimal("510.00")
    [bib] = ov4.overdue
    assert bib.civil_law and bib.fees == Decimal("100.00")


def test_pending_claim_past_due_counts_as_overdue(ledger_db):
    later = date.today() + timedelta(days=25)
    ov = ledger.overview(ledger_db.factory, ledger_db.refs["Demo Borger 2"], today=later)
    assert {c.bill_type for c in ov.overdue} == {"ejendomsskat", "parkeringsafgift", "renovation"}


def test_unknown_reference_gives_nothing(ledger_db):
    assert ledger.overview(ledger_db.factory, "bgr-doesnotexist") is None
    assert ledger.overview(ledger_db.factory, "") is None
    assert ledger.overview(ledger_db.factory, "0101000002") is None  # a CPR is not a reference


# --- instalment-plan applications ---------------------------------------------------------------------


def _count_applications(factory) -> int:
    with factory() as session:
        return session.execute(select(func.count()).select_from(PlanApplication)).scalar_one()


def test_apply_for_plan_stored_once(ledger_db):
    ref = ledger_db.refs["Demo Borger 2"]
    key = ledger.idempotency_key("web-x", "DEMO-2-EJD", Decimal("500"))
    first = ledger.apply_for_plan(ledger_db.factory, ref, "DEMO-2-EJD", Decimal("500"), key)
    again = ledger.apply_for_plan(ledger_db.factory, ref, "DEMO-2-EJD", Decimal("500"), key)
    assert first.created and not again.created
    assert first.months == again.months == 14  # 6.670 / 500
    assert _count_applications(ledger_db.factory) == 2  # the seeded one + this
    assert ledger.plan_applications(ledger_db.factory, ref) == [("DEMO-2-EJD", Decimal("500.00"), "received")]
    # a new key for the same claim is refused while the first is being handled
    other = ledger.idempotency_key("web-y", "DEMO-2-EJD", Decimal("600"))
    with pytest.raises(ledger.PlanError) as info:
        ledger.apply_for_plan(ledger_db.factory, ref, "DEMO-2-EJD", Decimal("600"), other)
    assert info.value.code == "already_applied"


def test_apply_for_plan_concurrent_retries_store_once(ledger_db):
    ref = ledger_db.refs["Demo Borger 5"]
    key = ledger.idempotency_key("web-race", "DEMO-5-EJD", Decimal("1000"))
    results, errors = [], []

    def go():
        try:
            results.append(ledger.apply_for_plan(ledger_db.factory, ref, "DEMO-5-EJD", Decimal("1000"), key))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with ledger_db.factory() as session:
        stored = session.execute(
            select(func.count()).select_from(PlanApplication).where(PlanApplication.idempotency_key == key)
        ).scalar_one()
    assert stored == 1
    assert sum(r.created for r in results) <= 1
    # SQLite may refuse a concurrent writer outright ("database is locked"); nothing doubles.
    assert len(results) + len(errors) == 4 and len(results) >= 1


@pytest.mark.parametrize(
    "who, claim_no, amount, code",
    [
        ("Demo Borger 2", "DEMO-3-MUS", "100", "unknown_claim"),  # another citizen's claim
        ("Demo Borger 2", "NOPE", "100", "unknown_claim"),
        ("Demo Borger 3", "DEMO-3-DAG", "100", "not_eligible"),  # already in a plan
        ("Demo Borger 1", "DEMO-1-DAG", "100", "not_eligible"),  # paid
        ("Demo Borger 2", "DEMO-2-EJD", "0", "not_positive"),
        ("Demo Borger 2", "DEMO-2-EJD", "6670.01", "more_than_outstanding"),
        ("Demo Borger 2", "DEMO-2-EJD", "10.001", "too_many_decimals"),
    ],
)
def test_apply_for_plan_refusals(ledger_db, who, claim_no, amount, code):
    ref = ledger_db.refs[who]
    key = ledger.idempotency_key("web-z", claim_no, Decimal(amount))
    with pytest.raises(ledger.PlanError) as info:
        ledger.apply_for_plan(ledger_db.factory, ref, claim_no, Decimal(amount), key)
    assert info.value.code == code
    assert _count_applications(ledger_db.factory) == 1


def test_idempotency_key_of_another_citizen_is_not_theirs(ledger_db):
    key = ledger.idempotency_key("web-k", "DEMO-2-EJD", Decimal("500"))
    ledger.apply_for_plan(ledger_db.factory, ledger_db.refs["Demo Borger 2"], "DEMO-2-EJD", Decimal("500"), key)
    with pytest.raises(ledger.PlanError) as info:
        ledger.apply_for_plan(ledger_db.factory, ledger_db.refs["Demo Borger 5"], "DEMO-2-EJD", Decimal("500"), key)
    assert info.value.code == "unknown_claim"


def test_apply_for_unknown_citizen(ledger_db):
    with pytest.raises(ledger.PlanError) as info:
        ledger.apply_for_plan(ledger_db.factory, "bgr-nobody", "DEMO-2-EJD", Decimal("5"), "k" * 64)
    assert info.value.code == "unknown_citizen"


# --- gateway seam ------------------------------------------------------------------------------------


def test_find_by_cpr_for_staff(ledger_db):
    found = ledger.find_by_cpr("010100-0002", factory=ledger_db.factory)
    assert found.name == "Demo Borger 2" and found.ref == ledger_db.refs["Demo Borger 2"]
    assert {c.status for c in found.claims} == {"forfalden", "ikke forfalden"}
    assert all(c.payment_id.startswith("+71<") for c in found.claims)
    assert "0101000002" not in repr(found)
    assert ledger.find_by_cpr("010100-9999", factory=ledger_db.factory) is None
    assert ledger.find_by_cpr("not a cpr", factory=ledger_db.factory) is None


def test_demo_login_token_only_in_demo_mode_and_for_demo_citizens(ledger_db):
    settings = load_settings({"IDENTITY_SECRET": "x" * 40})
    ref = ledger_db.refs["Demo Borger 2"]
    token = ledger.demo_login_token(ref, "web-conv", settings, factory=ledger_db.factory)
    assert verify_token(token, "web-conv", settings).citizen_ref == ref
    assert ledger.demo_login_token("bgr-unknown", "web-conv", settings, factory=ledger_db.factory) is None
    production = replace(settings, demo_mode=False)
    assert ledger.demo_login_token(ref, "web-conv", production, factory=ledger_db.factory) is None


def test_citizen_repr_masks_cpr(ledger_db):
    with ledger_db.factory() as session:
        citizen = session.execute(select(Citizen).where(Citizen.cpr == "0101000002")).scalar_one()
        assert "0101000002" not in repr(citizen) and "010100-****" in repr(citizen)


def test_no_answer_to_a_demo_citizen_ends_an_amount_with_a_double_full_stop(ledger_db):
    """"… et rykkergebyr på 250,00 kr.." – an amount ("kr.") that ends a sentence takes no second full stop."""
    from core import ledger_answers

    for ref in ledger_db.refs.values():
        ov = ledger.overview(ledger_db.factory, ref)
        texts = [ledger_answers.render_overview(ov), ledger_answers.render_consequences(ov),
                 ledger_answers.render_payment_ids(ov), ledger_answers.render_overpayment(ov)]
        texts += [ledger_answers.next_steps(c) for c in ov.claims]
        for text in texts:
            assert "kr.." not in text, text
