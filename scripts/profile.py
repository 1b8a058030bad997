"""``make profile``: where one turn's time goes, step by step, for an FAQ, a tariff and a logged-in turn.

Our model is loaded in this process (``rasa.core.agent.Agent``, in-memory tracker and lock
store, the real action server started on port 5756), and each step of Rasa's turn is timed by
wrapping the method that does it:

* every node of the trained graph: the NLU components one by one (``nlu: …``), each policy's
  prediction and the ensemble's choice (``policy: …``), the graph's own glue (``graph: …``);
* the action-server call (``RemoteAction.run``), split into building its JSON body (the tracker's
  state and the domain: ``action: request body``) and the HTTP round trip with our code;
* the tracker store (retrieve, save) and the lock store;
* the rest of ``Agent.handle_message`` (event handling, session start checks, …).

With ``--http`` it also starts Rasa and the gateway (ports 5707, 8782) and times the same turns
over real HTTP: ``POST /webhooks/rest/webhook`` to Rasa and ``POST /api/chat`` to the gateway,
which gives the cost of Rasa's HTTP layer (direct − in-process) and of the gateway
(gateway − direct). Medians over ``--turns`` turns per kind; each kind starts a new conversation
every 10 turns, as ``make bench`` does. The table is printed and, with ``--markdown``, written
into ``docs/bench.md`` between its ``profile`` markers (``scripts/docblock.py``). Nothing here is asserted: it depends on the
machine. The logged-in turn carries a signed identity (``core.identity.issue_token``) for the
first demo citizen, as the gateway sends it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import inspect
import os
import re
import statistics
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, DefaultDict, Dict, Iterator, List, Optional, Tuple

from scripts.docblock import write_block

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "koege.tar.gz"
ACTION_PORT, RASA_PORT, GATEWAY_PORT = 5756, 5707, 8782
TURNS_PER_CONVERSATION = 10
GROUPS = ("nlu", "policy", "graph", "action", "tracker store", "lock store")
# steps timed inside another step (not added again to the turn's sum)
NESTED = ("action: request body (tracker + domain)", "action: HTTP request (inside the round trip)",
          "action: response schema check (inside the round trip)", "action: bot messages (inside the round trip)")

KINDS: Tuple[Tuple[str, str, bool], ...] = (
    ("FAQ", "hvordan kan jeg betale min regning", False),
    ("tariff", "hvad koster en 240 liter skraldespand om året", False),
    ("logged-in", "hvad skylder jeg", True),
)


class Clock:
    """Seconds spent per step in the current turn; steps are added up per turn."""

    def __init__(self) -> None:
        self.turn: DefaultDict[str, float] = defaultdict(float)
        self.order: List[str] = []

    def add(self, step: str, seconds: float) -> None:
        if step not in self.turn and step not in self.order:
            self.order.append(step)
        self.turn[step] += seconds

    def take(self) -> Dict[str, float]:
        done, self.turn = dict(self.turn), defaultdict(float)
        return done


def _wrap(owner: Any, name: str, step: Callable[..., str], clock: Clock) -> None:
    """Replace ``owner.name`` by a timed version; ``step(self_or_none, *args)`` names the step."""
    original = getattr(owner, name)
    static = isinstance(inspect.getattr_static(owner, name), staticmethod)
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                clock.add(step(*args), time.perf_counter() - start)
        setattr(owner, name, staticmethod(timed_async) if static else timed_async)
    else:
        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock.add(step(*args), time.perf_counter() - start)
        setattr(owner, name, staticmethod(timed) if static else timed)


def node_step(node: Any, *_: Any) -> str:
    """A graph node's step name: ``nlu: SpacyNLP``, ``policy: RulePolicy``, ``graph: …``."""
    raw = getattr(node, "_node_name", "node")
    component = getattr(getattr(node, "_component_class", None), "__name__", "")
    if raw.startswith("run_") or raw.startswith("train_"):
        if "Policy" in component:
            return f"policy: {component}"
        return f"nlu: {component or raw[4:]}"
    if raw == "select_prediction":
        return "policy: ensemble choice"
    return f"graph: {re.sub(r'[0-9]+$', '', raw)}"


def instrument(agent: Any, clock: Clock) -> None:
    """Time the graph nodes, the action-server call, the tracker store and the lock store."""
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.graph import GraphNode
    from rasa.utils.endpoints import EndpointConfig

    _wrap(GraphNode, "__call__", node_step, clock)
    _wrap(RemoteAction, "_action_call_format", lambda *a: "action: request body (tracker + domain)", clock)
    _wrap(RemoteAction, "run", lambda *a: "action: server round trip", clock)
    _wrap(RemoteAction, "_validate_action_result", lambda *a: "action: response schema check (inside the round trip)", clock)
    _wrap(RemoteAction, "_utter_responses", lambda *a: "action: bot messages (inside the round trip)", clock)
    _wrap(EndpointConfig, "request", lambda *a: "action: HTTP request (inside the round trip)", clock)
    store = agent.tracker_store
    for method in ("retrieve", "retrieve_full_tracker", "save"):
        if hasattr(store, method):
            _wrap(store, method, lambda *a, m=method: f"tracker store: {m}", clock)
    locks = agent.lock_store
    for method in ("get_lock", "save_lock", "delete_lock"):
        if hasattr(locks, method):
            _wrap(locks, method, lambda *a: "lock store", clock)


async def load(model: Path, action_url: str) -> Any:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    endpoints = AvailableEndpoints(action=EndpointConfig(url=action_url))
    return await load_agent(model_path=str(model), endpoints=endpoints)


@functools.lru_cache(maxsize=1)
def _demo_citizen_ref() -> str:
    from core import ledger

    citizens = ledger.demo_citizens()
    if not citizens:
        raise SystemExit("no demo citizens: run `make setup` (it seeds the ledger)")
    return citizens[0].ref


def identity_metadata(conversation_id: str) -> Dict[str, Any]:
    """What the gateway sends for a logged-in citizen: a token signed for this conversation."""
    from core.identity import issue_token
    from core.settings import get_settings

    token = issue_token(_demo_citizen_ref(), conversation_id, get_settings())
    return {"channel": "koege-web", "identity_token": token}


async def in_process(agent: Any, clock: Clock, text: str, login: bool, turns: int) -> Tuple[List[Dict[str, float]], List[str]]:
    """``turns`` turns of one kind; per turn the seconds per step, with ``total``."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    measured: List[Dict[str, float]] = []
    replies: List[str] = []
    sender = ""
    for i in range(turns + 1):
        if i % TURNS_PER_CONVERSATION == 0:
            sender = f"profile-{uuid.uuid4().hex[:12]}"
        metadata = identity_metadata(sender) if login else {"channel": "koege-web"}
        out = CollectingOutputChannel()
        clock.take()
        start = time.perf_counter()
        await agent.handle_message(UserMessage(text, out, sender, metadata=metadata))
        total = time.perf_counter() - start
        steps = clock.take()
        steps["total"] = total
        if i:  # the first turn warms caches
            measured.append(steps)
        replies = [m.get("text", "") for m in out.messages]
    return measured, replies


async def over_http(url: str, text: str, gateway: bool, login: bool, turns: int) -> List[float]:
    import aiohttp

    times: List[float] = []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        sender = ""
        for i in range(turns + 1):
            if i % TURNS_PER_CONVERSATION == 0:
                sender = f"profile-{uuid.uuid4().hex[:12]}"
                http.cookie_jar.clear()
                if gateway and login:
                    await _demo_login(http, url)
            metadata = identity_metadata(sender) if login and not gateway else {"channel": "koege-web"}
            start = time.perf_counter()
            if gateway:
                async with http.post(url + "/api/chat", json={"message": text},
                                     headers={"X-Requested-With": "koege-chat"}) as r:
                    await r.read()
                    ok = r.status == 200
            else:
                async with http.post(url + "/webhooks/rest/webhook",
                                     json={"sender": sender, "message": text, "metadata": metadata}) as r:
                    await r.read()
                    ok = r.status == 200
            if i and ok:
                times.append(time.perf_counter() - start)
    return times


async def _demo_login(http: Any, url: str) -> None:
    async with http.get(url + "/login") as r:
        page = await r.text()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    citizen = re.search(r'name="citizen" value="([^"]+)"', page)
    if not csrf or not citizen:
        raise RuntimeError("the demo login page offers no citizen (is the ledger seeded?)")
    async with http.post(url + "/login/demo", data={"csrf": csrf.group(1), "citizen": citizen.group(1)},
                         allow_redirects=False) as r:
        if r.status >= 400:
            raise RuntimeError(f"demo login answered HTTP {r.status}")


def ms(seconds: Optional[float]) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f}"


def _group(step: str) -> int:
    group = step.split(":")[0]
    return GROUPS.index(group) if group in GROUPS else len(GROUPS)


def table(order: List[str], results: Dict[str, List[Dict[str, float]]],
          http: Dict[str, Dict[str, float]]) -> str:
    """One Markdown table: a row per step, a column per kind, medians in ms."""
    kinds = list(results)
    lines = ["| step | " + " | ".join(f"{k} ms" for k in kinds) + " |",
             "|---|" + "---|" * len(kinds)]

    def median(kind: str, step: str) -> float:
        return statistics.median(turn.get(step, 0.0) for turn in results[kind])

    # grouped (NLU, policies, graph, action, stores), each group in the order the turn ran it
    steps = sorted((s for s in order if s != "total"), key=_group)
    for step in steps:
        lines.append(f"| {step} | " + " | ".join(ms(median(k, step)) for k in kinds) + " |")
    rest = {k: statistics.median(turn["total"] - sum(v for s, v in turn.items() if s != "total"
                                                   and s not in NESTED)
                                 for turn in results[k]) for k in kinds}
    lines.append("| rest of Rasa's turn (events, session checks, …) | "
                 + " | ".join(ms(rest[k]) for k in kinds) + " |")
    lines.append("| **in-process turn** | " + " | ".join(f"**{ms(median(k, 'total'))}**" for k in kinds) + " |")
    if http:
        direct = {k: http[k].get("direct") for k in kinds}
        gateway = {k: http[k].get("gateway") for k in kinds}
        lines.append("| Rasa HTTP layer (direct − in-process) | " + " | ".join(
            ms(None if direct[k] is None else direct[k] - median(k, "total")) for k in kinds) + " |")
        lines.append("| gateway (gateway − direct) | " + " | ".join(
            ms(None if gateway[k] is None or direct[k] is None else gateway[k] - direct[k]) for k in kinds) + " |")
        lines.append("| **turn through the gateway** | " + " | ".join(f"**{ms(gateway[k])}**" for k in kinds) + " |")
    return "\n".join(lines)


@contextlib.contextmanager
def started(names: Tuple[str, ...], model: Path) -> Iterator[None]:
    from scripts.bench import UNLIMITED_GATEWAY
    from scripts.stack import Stack, services

    chosen = [s for s in services(rasa_port=RASA_PORT, action_port=ACTION_PORT, gateway_port=GATEWAY_PORT,
                                  model=str(model), env={**UNLIMITED_GATEWAY, "LOG_LEVEL": "WARNING"}) if s.name in names]
    stack = Stack(chosen)
    stack.start()
    try:
        yield
    finally:
        stack.stop()


def quiet() -> None:
    """Rasa in this process logs as ``rasa run`` does by default: warnings only, no debug lines
    (which would cost time inside the measured steps)."""
    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)


async def main_async(args: argparse.Namespace) -> str:
    quiet()
    clock = Clock()
    agent = await load(args.model, f"http://127.0.0.1:{ACTION_PORT}/webhook")
    instrument(agent, clock)
    results: Dict[str, List[Dict[str, float]]] = {}
    for kind, text, login in KINDS:
        results[kind], replies = await in_process(agent, clock, text, login, args.turns)
        print(f"profile: {kind}: {len(results[kind])} turns, reply: {(replies or [''])[0][:70]!r}", flush=True)
    http: Dict[str, Dict[str, float]] = {}
    if args.http:
        for kind, text, login in KINDS:
            direct = await over_http(f"http://127.0.0.1:{RASA_PORT}", text, False, login, args.turns)
            gateway = await over_http(f"http://127.0.0.1:{GATEWAY_PORT}", text, True, login, args.turns)
            http[kind] = {"direct": statistics.median(direct) if direct else None,
                          "gateway": statistics.median(gateway) if gateway else None}
    return table(clock.order, results, http)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--turns", type=int, default=40, help="measured turns per kind (default 40)")
    parser.add_argument("--http", action="store_true", help="also time the turns over HTTP (Rasa and gateway)")
    parser.add_argument("--markdown", type=Path, help="write the table into this file (docs/bench.md)")
    args = parser.parse_args(argv)
    if not args.model.exists():
        raise SystemExit(f"no model at {args.model}: run `make train`")
    names = ("actions", "rasa", "gateway") if args.http else ("actions",)
    with started(names, args.model):
        text = asyncio.run(main_async(args))
    header = (f"Medians of {args.turns} turns per kind, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"load average at start {os.getloadavg()[0]:.1f}; `python -m scripts.profile"
              f"{' --http' if args.http else ''} --turns {args.turns}`.\n\n")
    print(header + text)
    if args.markdown:
        write_block(args.markdown, "profile", header + text, "Profile of one turn (`make profile`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
