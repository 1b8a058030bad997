"""No instalment-plan application is lost or duplicated when the database connection breaks.

core/ledger.py on PostgreSQL, reached through a TCP proxy that this test cuts several times
(every open connection dropped, new ones refused) while simulated citizens apply for plans.
Each citizen's "message" is retried until it is acknowledged, and half of them are also sent
twice (a double click, or the gateway's retry), exactly as an action would call
``apply_for_plan`` with the conversation's idempotency key. Afterwards, read directly from
the database: exactly one application per key, none without a key we sent, and every
acknowledged application is there.

Runs on the throw-away PostgreSQL database of tests/conftest.py (``pg_url``): skipped when
PostgreSQL is unreachable, failed under ``CI=true``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from decimal import Decimal
from typing import Dict, List, Tuple

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

pytestmark = pytest.mark.chaos

ledger = pytest.importorskip("core.ledger", reason="core/ledger.py not there yet")

from core.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from core.ledger_models import PlanApplication  # noqa: E402
from tests.chaos.proxy import CuttableProxy  # noqa: E402


def eligible_claims(factory) -> List[Tuple[str, str, Decimal]]:
    """(citizen_ref, claim_no, a valid monthly amount) for every claim that may get a plan."""
    out = []
    for citizen in ledger.demo_citizens(factory=factory):
        view = ledger.overview(factory, citizen.ref)
        for claim in view.plan_eligible:
            monthly = max(Decimal("1.00"), (claim.outstanding / 4).quantize(Decimal("0.01")))
            out.append((citizen.ref, claim.claim_no, min(monthly, claim.outstanding)))
    return out


def test_no_application_lost_or_duplicated_when_db_connection_breaks(pg_url):
    upgrade_database(pg_url)
    direct = make_session_factory(make_engine(pg_url))
    ledger.seed_demo(direct)
    claims = eligible_claims(direct)
    assert len(claims) >= 2, "the demo data should offer claims eligible for a plan"

    proxy = CuttableProxy(("127.0.0.1", make_url(pg_url).port or 5432))
    proxied_url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
    proxied_url = proxied_url.update_query_dict({"connect_timeout": "2"})
    engine = make_engine(proxied_url.render_as_string(hide_password=False))
    factory = make_session_factory(engine)

    acknowledged: Dict[str, object] = {}
    errors: Counter = Counter()
    lock = threading.Lock()
    stop_chaos = threading.Event()

    def citizen(index: int, ref: str, claim_no: str, monthly: Decimal) -> None:
        key = ledger.idempotency_key(f"chaos-conversation-{index}", claim_no, monthly)
        sends = 2 if index % 2 == 0 else 1  # every other citizen's message arrives twice
        for _ in range(sends):
            deadline = time.monotonic() + 40
            while True:  # the message is retried until the ledger acknowledges it
                try:
                    result = ledger.apply_for_plan(factory, ref, claim_no, monthly, key)
                    with lock:
                        acknowledged.setdefault(key, result)
                    break
                except SQLAlchemyError as exc:
                    with lock:
                        errors[type(exc).__name__] += 1
                    assert time.monotonic() < deadline, f"never acknowledged: {exc}"
                    time.sleep(0.05)

    def chaos() -> None:
        for _ in range(4):
            time.sleep(0.15)
            proxy.cut()
            time.sleep(0.4)
            proxy.restore()
        stop_chaos.set()

    threads = [threading.Thread(target=chaos)] + [
        threading.Thread(target=citizen, args=(i, *c)) for i, c in enumerate(claims)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        assert stop_chaos.is_set()
    finally:
        proxy.close()
        engine.dispose()

    assert len(acknowledged) == len(claims)  # every citizen got an answer
    with direct() as session:
        rows = session.execute(
            select(PlanApplication.idempotency_key, func.count()).group_by(PlanApplication.idempotency_key)
        ).all()
    per_key = {key: n for key, n in rows if not key.startswith("demo-")}
    assert all(n == 1 for n in per_key.values()), per_key  # nothing duplicated
    assert set(per_key) == set(acknowledged)  # nothing lost, nothing unexpected
    direct.kw["bind"].dispose()
    print(f"\nledger chaos: {len(claims)} applications, connection errors survived: {dict(errors)}")
