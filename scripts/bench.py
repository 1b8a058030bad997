"""``make bench``: a loopback load test of raw Rasa, our full turns and 1 vs 2 Rasa replicas.

One run, bounded in requests and in time per phase (``--requests``, ``--seconds``), measures:

a) **raw Rasa**: ``POST /webhooks/rest/webhook`` on a trivial model (two intents, rules with
   plain responses, no custom action, whitespace tokenizer); trained once into
   ``build/bench-model/`` and reused while its data (below) is unchanged;
b) **our turns through the gateway** (``POST /api/chat`` with session cookie and CSRF header,
   Rasa with our model, the action server): an FAQ question, a tariff look-up, and a
   logged-in balance question when the ledger (``core/ledger.py``) exists (else "n/a");
   plus the same FAQ turn sent to our Rasa directly, which splits gateway cost from model cost;
c) **1 vs 2 Rasa replicas**: the FAQ turn at higher concurrency through a gateway with one
   replica and through a gateway with two (sticky routing by conversation id).

For each phase it prints p50/p95/p99 latency, throughput and errors, then the ratios
ours/raw and 2/1, and with ``--markdown FILE`` writes the table (with a machine description)
into the file's ``bench`` block (``scripts/docblock.py``; ``make bench`` writes ``docs/bench.md``)
for ``docs/bench.md``. Timings are never asserted anywhere: they depend on the machine.

Our model is ``models/koege.tar.gz`` when present (read-only), else
``/tmp/infra-models/koege.tar.gz`` (trained there if missing: a few minutes).
Ports 5704-5706 (Rasa), 5755 (actions), 8780-8781 (gateways) keep clear of ``make run`` and the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp

from bot import texts as gateway_texts
from scripts.docblock import write_block
from scripts.stack import ROOT, VENV_BIN, Service, Stack, services, spacy_model

BENCH_DIR = ROOT / "build" / "bench-model"
OUR_MODEL = ROOT / "models" / "koege.tar.gz"
INFRA_MODELS = Path("/tmp/infra-models")
RAW_PORT, RASA_PORT, ACTION_PORT, GW1_PORT, GW2_PORT = 5704, 5705, 5755, 8780, 8781
CSRF = {"X-Requested-With": "koege-chat"}
# The gateway's own texts when Rasa failed or said nothing: such a turn counts as an error.
GATEWAY_FALLBACKS = {gateway_texts.TECHNICAL_ERROR, gateway_texts.NO_ANSWER}

# --- the trivial model for (a) --------------------------------------------------------------
BENCH_CONFIG = """\
recipe: default.v1
language: da
assistant_id: koege-bench
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 20
    random_seed: 1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
"""
BENCH_DOMAIN = """\
version: "3.1"
intents: [greet, goodbye]
responses:
  utter_greet:
    - text: "Hej! Hvad kan jeg hjælpe med?"
  utter_goodbye:
    - text: "Farvel."
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
"""
BENCH_NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hej
    - goddag
    - hallo
    - godmorgen
    - hej med dig
- intent: goodbye
  examples: |
    - farvel
    - hej hej
    - vi ses
    - tak for nu
    - god dag til dig
"""
BENCH_RULES = """\
version: "3.1"
rules:
- rule: greet
  steps:
  - intent: greet
  - action: utter_greet
- rule: goodbye
  steps:
  - intent: goodbye
  - action: utter_goodbye
"""

# --- our turns for (b) and (c) ----------------------------------------------------------------
FAQ_TEXT = "hvordan kan jeg betale min regning"
TARIFF_TEXT = "hvad koster en 240 liter skraldespand om året"
BALANCE_TEXT = "hvad skylder jeg"
# A simulated citizen starts a new conversation after this many turns (trackers, and with them
# Rasa's work per turn, grow with the conversation; real chats are short).
TURNS_PER_CONVERSATION = 10


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]


def _rasa_env() -> Dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_CACHE_DIRECTORY": "/tmp/infra-rasa-cache",
    }


def bench_model() -> Path:
    """The trivial model, trained once per version of its data."""
    digest = _hash(BENCH_CONFIG, BENCH_DOMAIN, BENCH_NLU, BENCH_RULES)
    model = BENCH_DIR / f"bench-{digest}.tar.gz"
    if model.exists():
        return model
    src = BENCH_DIR / f"src-{digest}"
    (src / "data").mkdir(parents=True, exist_ok=True)
    (src / "config.yml").write_text(BENCH_CONFIG, encoding="utf-8")
    (src / "domain.yml").write_text(BENCH_DOMAIN, encoding="utf-8")
    (src / "data" / "nlu.yml").write_text(BENCH_NLU, encoding="utf-8")
    (src / "data" / "rules.yml").write_text(BENCH_RULES, encoding="utf-8")
    print(f"training the trivial bench model into {model.relative_to(ROOT)} (once) …", flush=True)
    subprocess.run(
        [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", "data", "--out", str(BENCH_DIR), "--fixed-model-name", model.name[:-7], "--quiet"],
        cwd=src, env=_rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )
    return model


def our_model() -> Path:
    """models/koege.tar.gz (the NLU engineer's, read-only) or our own copy in /tmp."""
    if OUR_MODEL.exists():
        return OUR_MODEL
    model = INFRA_MODELS / "koege.tar.gz"
    if not model.exists():
        print(f"no {OUR_MODEL.relative_to(ROOT)}: training our model into {model} …", flush=True)
        INFRA_MODELS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(VENV_BIN / "rasa"), "train", "--config", "config.yml", "--domain", "domain.yml",
             "--data", "data", "--out", str(INFRA_MODELS), "--fixed-model-name", "koege", "--quiet"],
            cwd=ROOT, env={**_rasa_env(), "DA_SPACY_MODEL": spacy_model()}, check=True,
            stdout=subprocess.DEVNULL,
        )
    return model


def ledger_available() -> bool:
    return (ROOT / "core" / "ledger.py").exists()


def bench_database() -> str:
    """A fresh SQLite app database with the catalogue and, if there is a ledger, the demo
    citizens (for the logged-in balance turn)."""
    path = ROOT / "var" / "bench" / "app.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([str(VENV_BIN / "python"), "-m", "core.catalogue", "load", "--url", url], **quiet)
    if ledger_available():
        subprocess.run([str(VENV_BIN / "python"), "-m", "core.ledger", "seed-demo", "--url", url], **quiet)
    return url


# --- load generation ------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    concurrency: int
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    note: str = ""

    def pct(self, p: float) -> Optional[float]:
        if not self.latencies:
            return None
        data = sorted(self.latencies)
        k = max(0, min(len(data) - 1, int(round(p / 100 * len(data) + 0.5)) - 1))
        return data[k] * 1000

    @property
    def throughput(self) -> Optional[float]:
        return len(self.latencies) / self.seconds if self.seconds and self.latencies else None

    def row(self) -> List[str]:
        def ms(v: Optional[float]) -> str:
            return "n/a" if v is None else f"{v:.0f}"

        tp = self.throughput
        return [
            self.name, str(self.concurrency) if self.latencies or self.errors else "-",
            str(len(self.latencies)), str(self.errors), ms(self.pct(50)), ms(self.pct(95)),
            ms(self.pct(99)), "n/a" if tp is None else f"{tp:.1f}", self.note,
        ]


class Turn:
    """How one simulated user sends one message and knows it worked."""

    def __init__(self, url: str, text: str, gateway: bool, prefix: str, login: bool = False,
                 expect: str = "") -> None:
        self.url, self.text, self.gateway, self.prefix, self.login = url, text, gateway, prefix, login
        self.expect = expect  # a turn only counts when the reply contains this

    async def prepare(self, http: aiohttp.ClientSession, user: int) -> None:
        """For logged-in turns: the demo MitID login of bot/login.py, as a browser does it."""
        if not self.login:
            return
        async with http.get(self.url + "/login") as r:
            page = await r.text()
        forms = re.findall(r'name="csrf" value="([^"]+)".*?name="citizen" value="([^"]+)"', page)
        if not forms:
            raise RuntimeError("no demo citizens on /login (is the ledger seeded?)")
        csrf, citizen = forms[user % len(forms)]
        async with http.post(self.url + "/login/demo", data={"csrf": csrf, "citizen": citizen},
                             allow_redirects=False) as r:
            if r.status not in (302, 303):
                raise RuntimeError(f"demo login answered HTTP {r.status}")

    async def send(self, http: aiohttp.ClientSession, user: int, seq: int) -> bool:
        if self.gateway:
            async with http.post(self.url + "/api/chat", json={"message": self.text}, headers=CSRF) as r:
                body = await r.json(content_type=None)
                texts = [m.get("text", "") for m in body.get("messages", [])]
                failed = not texts or texts[0] in GATEWAY_FALLBACKS or texts[0].startswith("Beklager")
                return r.status == 200 and not failed and self.expect in " ".join(texts)
        payload = {"sender": f"{self.prefix}-{user}-{seq // TURNS_PER_CONVERSATION}", "message": self.text}
        async with http.post(self.url + "/webhooks/rest/webhook", json=payload) as r:
            body = await r.json(content_type=None)
            return r.status == 200 and isinstance(body, list) and bool(body)


async def load(name: str, turn: Turn, concurrency: int, requests: int, seconds: float,
               warmup: int = 3) -> Result:
    result = await _load(name, turn, concurrency, requests, seconds, warmup)
    print("  " + " | ".join(result.row()), flush=True)
    return result


async def _load(name: str, turn: Turn, concurrency: int, requests: int, seconds: float,
                warmup: int = 3) -> Result:
    """``requests`` turns by ``concurrency`` users, each with its own session (cookie jar),
    stopping early after ``seconds``."""
    result = Result(name, concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    # unsafe=True: keep the gateway's session cookie although the host is an IP address.
    sessions = [aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True))
                for _ in range(concurrency)]
    try:
        for i, http in enumerate(sessions):
            await turn.prepare(http, i)
        for i in range(min(warmup, concurrency) or 1):  # warm-up (model graphs, sessions)
            await turn.send(sessions[i], i, -1)
        counter = iter(range(requests))
        deadline = time.monotonic() + seconds

        async def user(index: int) -> None:
            http = sessions[index]
            for seq in counter:
                if time.monotonic() > deadline:
                    return
                if seq % TURNS_PER_CONVERSATION == 0 and turn.gateway:  # a new conversation
                    http.cookie_jar.clear()
                    await turn.prepare(http, index)
                started = time.perf_counter()
                try:
                    ok = await turn.send(http, index, seq)
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                    ok = False
                if ok:
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(concurrency)))
        result.seconds = time.perf_counter() - started
    finally:
        for http in sessions:
            await http.close()
    return result


# --- the run ----------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} × {cpu}{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; load average at start {load1:.1f}")


def ratio(a: Optional[float], b: Optional[float]) -> str:
    return "n/a" if not a or not b else f"{a / b:.2f}"


HEADER = ["phase", "conc.", "ok", "errors", "p50 ms", "p95 ms", "p99 ms", "turns/s", "note"]


def table(results: Sequence[Result]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r.row()) + " |" for r in results]
    return "\n".join(lines)


# A load test is one client sending many turns: lift the gateway's per-session, per-IP and
# new-session limits (also used by scripts/profile.py).
UNLIMITED_GATEWAY = {"GATEWAY_SESSION_RATE_PER_MINUTE": "1000000", "GATEWAY_IP_RATE_PER_MINUTE": "1000000",
                     "GATEWAY_NEW_SESSIONS_PER_MINUTE": "1000000"}


def gateway_service(port: int, rasa_urls: Sequence[str], action_url: str, db_url: str) -> Service:
    env = {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "GATEWAY_STAFF_LOGIN_PER_MINUTE": "1000000",
        "GATEWAY_PORT": str(port),
        "RASA_URL": ",".join(rasa_urls),
        "ACTION_SERVER_URL": action_url,
        **UNLIMITED_GATEWAY,
        "GATEWAY_RASA_TIMEOUT_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
    }
    return Service(f"bench-gateway-{port}", [str(VENV_BIN / "python"), "-m", "bot"],
                   f"http://127.0.0.1:{port}/healthz", env)


async def run_phases(args: argparse.Namespace) -> List[Result]:
    n, secs, c_hi = args.requests, args.seconds, args.concurrency
    results: List[Result] = []

    # (a) raw Rasa on the trivial model
    raw_model = bench_model()
    raw = Stack([Service("bench-rasa-raw", [
        str(VENV_BIN / "rasa"), "run", "-i", "127.0.0.1", "-p", str(RAW_PORT), "--model",
        str(raw_model), "--credentials", "credentials.yml"], f"http://127.0.0.1:{RAW_PORT}/",
        {"TF_CPP_MIN_LOG_LEVEL": "2"})])
    print("(a) raw Rasa, trivial model …", flush=True)
    raw.start(timeout=600)
    try:
        raw_turn = Turn(f"http://127.0.0.1:{RAW_PORT}", "hej", gateway=False, prefix="raw")
        results.append(await load("a. raw Rasa REST turn (trivial model)", raw_turn, 1, n, secs))
        results.append(await load("a. raw Rasa REST turn (trivial model)", raw_turn, c_hi, n, secs))
    finally:
        raw.stop()

    # (b) and (c): our model, one action server, two Rasa replicas, two gateways
    model = Path(args.model) if args.model else our_model()
    print(f"(b, c) our stack with {model} …", flush=True)
    db_url = bench_database()
    procs = [s for s in services(RASA_PORT, ACTION_PORT, GW1_PORT, model=str(model),
                                 rasa_replicas=2, action_servers=1, env={"DATABASE_URL": db_url})
             if s.name != "gateway"]
    for svc in procs:
        svc.name = f"bench-{svc.name}"
    r1, r2 = f"http://127.0.0.1:{RASA_PORT}", f"http://127.0.0.1:{RASA_PORT + 1}"
    action_url = f"http://127.0.0.1:{ACTION_PORT}"
    stack = Stack([*procs, gateway_service(GW1_PORT, [r1], action_url, db_url),
                   gateway_service(GW2_PORT, [r1, r2], action_url, db_url)])
    stack.start(timeout=900)  # two replicas loading our model at once: minutes on a busy machine
    try:
        gw1, gw2 = f"http://127.0.0.1:{GW1_PORT}", f"http://127.0.0.1:{GW2_PORT}"
        results.append(await load("b. our Rasa direct, FAQ turn", Turn(r1, FAQ_TEXT, False, "direct"), 1, n, secs))
        results.append(await load("b. gateway, FAQ turn", Turn(gw1, FAQ_TEXT, True, ""), 1, n, secs))
        results.append(await load("b. gateway, tariff look-up", Turn(gw1, TARIFF_TEXT, True, ""), 1, n, secs))
        if ledger_available():
            # The reply must show the identity reached the action ("Du er logget ind som …").
            balance = Turn(gw1, BALANCE_TEXT, True, "", login=True, expect="logget ind som")
            results.append(await load("b. gateway, logged-in balance", balance, 1, n, secs))
        else:
            results.append(Result("b. gateway, logged-in balance", 1, note="n/a: no core/ledger.py yet"))
        results.append(await load("c. gateway, 1 Rasa replica, FAQ", Turn(gw1, FAQ_TEXT, True, ""), c_hi, n, secs))
        results.append(await load("c. gateway, 2 Rasa replicas, FAQ", Turn(gw2, FAQ_TEXT, True, ""), c_hi, n, secs))
    finally:
        stack.stop()
    return results


def summary(results: Sequence[Result]) -> str:
    by = {(r.name, r.concurrency): r for r in results}
    raw1 = by.get(("a. raw Rasa REST turn (trivial model)", 1))
    direct = by.get(("b. our Rasa direct, FAQ turn", 1))
    faq = by.get(("b. gateway, FAQ turn", 1))
    tariff = by.get(("b. gateway, tariff look-up", 1))
    one = next((r for r in results if r.name.startswith("c. gateway, 1")), None)
    two = next((r for r in results if r.name.startswith("c. gateway, 2")), None)
    p = lambda r: r.pct(50) if r else None  # noqa: E731
    t = lambda r: r.throughput if r else None  # noqa: E731
    lines = [
        f"- ours/raw, p50 latency at 1 connection: FAQ {ratio(p(faq), p(raw1))}, "
        f"tariff {ratio(p(tariff), p(raw1))}; our Rasa direct/raw {ratio(p(direct), p(raw1))}; "
        f"gateway/direct {ratio(p(faq), p(direct))}",
        f"- 2/1 Rasa replicas at {one.concurrency if one else '?'} connections: throughput "
        f"{ratio(t(two), t(one))}, p50 latency {ratio(p(two), p(one))}",
    ]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="turns per phase (default 200)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time cap per phase (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections for the loaded phases")
    parser.add_argument("--markdown", help="also write the results table to this file")
    parser.add_argument("--model", help="our model (default: models/koege.tar.gz, else /tmp/infra-models)")
    args = parser.parse_args(argv)
    described = machine()
    started = time.monotonic()
    results = asyncio.run(run_phases(args))
    text = table(results) + "\n\n" + summary(results)
    print(f"\nMachine: {described}\n\n{text}\n\n(total {time.monotonic() - started:.0f} s)")
    if args.markdown:
        write_block(Path(args.markdown), "bench",
                    f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {described}\n\n"
                    f"Command: `python -m scripts.bench --requests {args.requests} "
                    f"--seconds {args.seconds:g} --concurrency {args.concurrency}`\n\n{text}\n",
                    "Results")
    json_out = ROOT / "var" / "bench-last.json"
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps([{**{h: v for h, v in zip(HEADER, r.row())}} for r in results],
                                   ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
