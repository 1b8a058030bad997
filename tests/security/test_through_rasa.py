"""Identity through a running Rasa (REST channel) and action server, with a trained model.

Rasa's REST channel lets a client choose ``sender`` and ``metadata``: this sends forged
metadata straight to it and checks that only a genuine signed token for that very
conversation shows personal data, and that the instalment-plan form stores one application.

Model: ``$LEDGER_RASA_MODEL`` or the newest ``models/*.tar.gz`` (``make train``). Without a
model the test is skipped (fails under CI=true, like the e2e tests).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from core import ledger
from core.identity import issue_token
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "through-rasa-secret-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _model() -> Path:
    explicit = os.environ.get("LEDGER_RASA_MODEL")
    if explicit:
        return Path(explicit)
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    sources = [ROOT / "domain.yml", ROOT / "config.yml", *(ROOT / "data").rglob("*.yml")]
    newest_source = max(p.stat().st_mtime for p in sources)
    if not models or models[-1].stat().st_mtime < newest_source:
        message = "no trained model newer than domain.yml/data (run `make train`, or set LEDGER_RASA_MODEL)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return models[-1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{url} exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not start in {seconds:.0f} s")


@pytest.fixture
def rasa_stack(sqlite_url, tmp_path) -> Iterator[Dict[str, object]]:
    from core import db

    model = _model()
    db.upgrade_database(sqlite_url)
    engine = db.make_engine(sqlite_url)
    factory = db.make_session_factory(engine)
    ledger.seed_demo(factory)
    refs = {c.name: c.ref for c in ledger.demo_citizens(factory=factory)}
    action_port, rasa_port = _port(), _port()
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": sqlite_url, "IDENTITY_SECRET": SECRET, "SANIC_HOST": "127.0.0.1",
           "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    spacy = ROOT / "build" / "spacy_model.txt"
    if "DA_SPACY_MODEL" not in env and spacy.exists():
        env["DA_SPACY_MODEL"] = spacy.read_text().strip()
    procs: List[subprocess.Popen] = []
    logs = []
    try:
        for name, cmd, health, wait in [
            ("actions", [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
             f"http://127.0.0.1:{action_port}/health", 90),
            ("rasa", [str(Path(sys.executable).with_name("rasa")), "run", "-i", "127.0.0.1", "-p", str(rasa_port),
                      "--model", str(model), "--endpoints", str(endpoints), "--credentials", "credentials.yml"],
             f"http://127.0.0.1:{rasa_port}/", 300),
        ]:
            log = tmp_path / f"{name}.log"
            handle = open(log, "wb")
            logs.append((log, handle))
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
            procs.append(proc)
            _wait(health, proc, log, wait)
        yield {"rasa": f"http://127.0.0.1:{rasa_port}", "refs": refs, "factory": factory}
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for _log, handle in logs:
            handle.close()
        engine.dispose()


def say(stack, sender: str, text: str, metadata: Dict[str, object]) -> str:
    response = requests.post(
        f"{stack['rasa']}/webhooks/rest/webhook",
        json={"sender": sender, "message": text, "metadata": metadata},
        timeout=60,
    )
    response.raise_for_status()
    return "\n".join(m.get("text", "") + " " + str(m.get("buttons", "")) for m in response.json())


def test_forged_metadata_through_rasa_gets_nothing_and_genuine_token_works(rasa_stack):
    settings = load_settings({"IDENTITY_SECRET": SECRET})
    refs = rasa_stack["refs"]
    victim = refs["Demo Borger 2"]
    markers = ("Demo Borger 2", "6.670,00", "DEMO-2-", "+71<", "0101000002")

    forged = [
        {"citizen_ref": victim},
        {"identity_token": issue_token(victim, "web-victim", load_settings({"IDENTITY_SECRET": "x" * 64}))},
        {"identity_token": issue_token(victim, "web-victim", settings)},  # right key, other conversation
        {"identity_token": issue_token(victim, "web-attacker", settings, now=time.time() - 3600)},
    ]
    for i, metadata in enumerate(forged):
        for text in ("/my_balance", "/my_payment_id", "/apply_instalment_plan"):
            reply = say(rasa_stack, "web-attacker", text, metadata)
            assert not any(m in reply for m in markers), (i, text, reply)
            assert "log" in reply.lower(), reply

    cid = "web-genuine-conversation"
    token = lambda: issue_token(victim, cid, settings)  # noqa: E731 - a fresh token per message, as the gateway does
    reply = say(rasa_stack, cid, "/my_balance", {"identity_token": token()})
    assert "Demo Borger 2" in reply and "6.670,00" in reply


def test_instalment_plan_form_through_rasa_stores_once(rasa_stack):
    from sqlalchemy import func, select

    from core.ledger_models import PlanApplication

    settings = load_settings({"IDENTITY_SECRET": SECRET})
    ref = rasa_stack["refs"]["Demo Borger 2"]
    cid = "web-plan-conversation"

    def meta() -> Dict[str, object]:
        return {"identity_token": issue_token(ref, cid, settings)}

    reply = say(rasa_stack, cid, "/apply_instalment_plan", meta())
    assert "Hvilken regning" in reply and "DEMO-2-EJD" in reply, reply
    reply = say(rasa_stack, cid, "DEMO-2-EJD", meta())
    assert "Hvor meget vil du betale om måneden" in reply, reply
    reply = say(rasa_stack, cid, "mange penge", meta())
    assert "Jeg kunne ikke læse beløbet" in reply, reply
    reply = say(rasa_stack, cid, "500 kr", meta())
    assert "Skal jeg sende ansøgningen" in reply, reply
    reply = say(rasa_stack, cid, "/affirm", meta())
    assert "ansøgning om afdragsordning er modtaget" in reply and "ikke en godkendelse" in reply, reply
    with rasa_stack["factory"]() as session:
        count = session.execute(
            select(func.count()).select_from(PlanApplication).where(PlanApplication.status == "received")
        ).scalar_one()
    assert count == 1
