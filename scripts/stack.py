"""Start, watch and stop the local stack: action server(s), Rasa replica(s) and the gateway.

``python -m scripts.stack`` (what ``make run`` calls) starts the three processes, waits
until each answers, prints where the chat page is, and stops them all on Ctrl-C. The
end-to-end tests use :class:`Stack` the same way. Logs go to ``var/log/``.

Supervision: a process that dies (a crash, ``kill -9``, the OOM killer) is started again by
:class:`Supervisor`, after a delay that doubles per crash (1 s, 2 s, 4 s … at most 30 s; back
to 1 s once it has run for a minute). Meanwhile the gateway keeps answering (the Danish
apology while Rasa or the actions are away). Only after ``--max-crashes`` (5) crashes of one
process within ``--crash-window`` (120 s) does the supervisor give up, loudly, and stop
everything. Every restart is logged and written to the state file (``--state-file``, default
``var/stack/supervisor-<gateway port>.json``: pid, restarts, up per process), which the
gateway reads for ``koege_stack_restarts_total{service}`` on ``/metrics``.

Production mode and scale-out (issue 7)::

    python -m scripts.stack --env-file deploy/prod.env          # make run-prod
    python -m scripts.stack --rasa-replicas 2 --action-servers 2

``--env-file`` reads ``KEY=VALUE`` lines (the process environment wins over the file). When
it names ``KOEGE_ENDPOINTS=endpoints.prod.yml``, Rasa uses the PostgreSQL tracker store and
the Redis lock store from that file's variables, and the stack first checks PostgreSQL and
Redis, creates the databases if missing and loads the app database (``DATABASE_URL``).

``N`` Rasa replicas listen on ``rasa_port``, ``rasa_port + 1``, …, ``M`` action servers on
``action_port``, ``action_port + 1``, …; replica ``i`` calls action server ``i mod M``. The
gateway gets all replicas in ``RASA_URL`` (comma-separated) and routes each conversation to
one of them (bot/routing.py). Several replicas only make sense with a shared tracker store:
with the in-memory default a conversation that fails over starts afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Deque, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
# The gateway runs in its own environment with a current aiohttp and no Rasa (issue 20;
# scripts/setup_gateway.sh). GATEWAY_PYTHON overrides it (e.g. an installed system package).
GATEWAY_VENV = ROOT / ".venv-gateway"


def gateway_python() -> str:
    """The interpreter of the gateway's environment; a clear error when setup has not made it."""
    override = os.environ.get("GATEWAY_PYTHON")
    path = Path(override) if override else GATEWAY_VENV / "bin" / "python"
    if not path.exists():
        raise SystemExit(f"stack: the gateway's Python {path} is missing; run `make setup` first")
    return str(path)
LOG_DIR = ROOT / "var" / "log"
MODEL_DIR = ROOT / "models"


@dataclass
class Service:
    name: str
    cmd: List[str]
    ready_url: str
    env: Dict[str, str] = field(default_factory=dict)
    proc: Optional[subprocess.Popen] = None


def spacy_model() -> str:
    env_model = os.environ.get("DA_SPACY_MODEL")
    if env_model:
        return env_model
    choice = ROOT / "build" / "spacy_model.txt"
    if not choice.exists():
        raise SystemExit("No spaCy pipeline chosen yet: run `make setup` first.")
    return choice.read_text(encoding="utf-8").strip()


def load_env_file(path: os.PathLike) -> Dict[str, str]:
    """``KEY=VALUE`` lines (``#`` comments, optional quotes, optional ``export``)."""
    env: Dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise SystemExit(f"{path}:{number}: not a KEY=VALUE line")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        env[key] = value
    return env


def _endpoints_for(endpoints: str, action_url: str, index: int, count: int) -> str:
    """The endpoints file for Rasa replica ``index``: ``endpoints`` itself when it already
    points at ``action_url`` (or takes it from ``${ACTION_ENDPOINT_URL}``), else a copy under
    ``var/stack/`` pointing at ``action_url`` (several action servers, or other ports)."""
    path = Path(endpoints) if Path(endpoints).is_absolute() else ROOT / endpoints
    text = path.read_text(encoding="utf-8")
    if "${ACTION_ENDPOINT_URL}" in text:
        return endpoints
    pattern = re.compile(r"(action_endpoint:\s*\n\s+url:\s*)(\"[^\"\n]*\"|[^\s#]+)")
    match = pattern.search(text)
    if not match or match.group(2).strip('"') == action_url:
        return endpoints
    out = ROOT / "var" / "stack" / f"endpoints-rasa-{index + 1}-{count}.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(pattern.sub(lambda m: f'{m.group(1)}"{action_url}"', text, count=1), encoding="utf-8")
    return str(out)


def services(
    rasa_port: int = 5005,
    action_port: int = 5055,
    gateway_port: int = 8080,
    model: Optional[str] = None,
    endpoints: str = "endpoints.yml",
    rasa_replicas: int = 1,
    action_servers: int = 1,
    env: Optional[Dict[str, str]] = None,
) -> List[Service]:
    """The processes of a local stack on 127.0.0.1: action server(s), Rasa replica(s) and the
    gateway. With one of each they are named ``actions``, ``rasa`` and ``gateway``; with more,
    ``actions-1``, ``rasa-1``, … ``env`` is added to every process's environment."""
    if rasa_replicas < 1 or action_servers < 1:
        raise ValueError("at least one Rasa replica and one action server are needed")
    # No usage telemetry from a municipality's bot unless asked for (README "Privacy").
    common = {"DA_SPACY_MODEL": spacy_model(), "PYTHONPATH": str(ROOT),
              "RASA_TELEMETRY_ENABLED": os.environ.get("RASA_TELEMETRY_ENABLED", "false"), **(env or {})}
    action_urls = [f"http://127.0.0.1:{action_port + j}" for j in range(action_servers)]
    rasa_urls = [f"http://127.0.0.1:{rasa_port + i}" for i in range(rasa_replicas)]

    def name(kind: str, index: int, count: int) -> str:
        return kind if count == 1 else f"{kind}-{index + 1}"

    result: List[Service] = []
    for j, url in enumerate(action_urls):
        result.append(
            Service(
                name("actions", j, action_servers),
                [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
                 "--port", str(action_port + j)],
                f"{url}/health",
                {**common, "SANIC_HOST": "127.0.0.1"},
            )
        )
    for i, url in enumerate(rasa_urls):
        action_webhook = f"{action_urls[i % action_servers]}/webhook"
        rasa_cmd = [
            str(VENV_BIN / "rasa"), "run", "-i", "127.0.0.1", "-p", str(rasa_port + i),
            "--model", model or str(MODEL_DIR),
            "--endpoints", _endpoints_for(endpoints, action_webhook, i, action_servers),
            "--credentials", "credentials.yml",
        ]
        result.append(
            Service(
                name("rasa", i, rasa_replicas), rasa_cmd, f"{url}/",
                {**common, "ACTION_ENDPOINT_URL": action_webhook},
            )
        )
    result.append(
        Service(
            "gateway",
            [gateway_python(), "-m", "bot"],
            f"http://127.0.0.1:{gateway_port}/healthz",
            {
                **common,
                "GATEWAY_PORT": str(gateway_port),
                "RASA_URL": ",".join(rasa_urls),
                "ACTION_SERVER_URL": action_urls[0],
            },
        )
    )
    return result


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
            return resp.status < 500
    except Exception:
        return False


class Stack:
    """A set of processes started together and stopped together."""

    def __init__(self, services_: List[Service]):
        self.services = services_

    def _spawn(self, svc: Service) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with open(LOG_DIR / f"{svc.name}.log", "ab") as log:
            # The process environment wins over svc.env only for what svc.env does not set.
            env = {**os.environ, **svc.env}
            svc.proc = subprocess.Popen(
                svc.cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self, timeout: float = 240.0) -> None:
        for svc in self.services:
            self._spawn(svc)
        deadline = time.monotonic() + timeout
        for svc in self.services:
            while not _answers(svc.ready_url):
                if svc.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{svc.name} exited early; see {LOG_DIR / (svc.name + '.log')}")
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError(f"{svc.name} did not answer at {svc.ready_url} in {timeout:.0f} s")
                time.sleep(0.5)

    def get(self, name: str) -> Service:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise KeyError(name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (default: kill -9) to one service's process group and reap it."""
        svc = self.get(name)
        if svc.proc and svc.proc.poll() is None:
            try:
                os.killpg(svc.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                svc.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(svc.proc.pid, signal.SIGKILL)
                svc.proc.wait(timeout=15)

    def restart(self, name: str, timeout: float = 240.0) -> None:
        """Start one (stopped) service again and wait until it answers."""
        svc = self.get(name)
        if svc.proc and svc.proc.poll() is None:
            self.kill(name, signal.SIGTERM)
        self._spawn(svc)
        deadline = time.monotonic() + timeout
        while not _answers(svc.ready_url):
            if svc.proc.poll() is not None:
                raise RuntimeError(f"{svc.name} exited early; see {LOG_DIR / (svc.name + '.log')}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{svc.name} did not answer at {svc.ready_url} in {timeout:.0f} s")
            time.sleep(0.5)

    def stop(self) -> None:
        for svc in reversed(self.services):
            if svc.proc and svc.proc.poll() is None:
                try:
                    os.killpg(svc.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for svc in self.services:
            if svc.proc:
                try:
                    svc.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(svc.proc.pid, signal.SIGKILL)

    def __enter__(self) -> "Stack":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass(frozen=True)
class RestartPolicy:
    """When and how often :class:`Supervisor` restarts a dead process."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    max_crashes: int = 5  # crashes of one process within `window` before giving up
    window: float = 120.0
    stable_after: float = 60.0  # running this long resets the delay to `first_delay`


@dataclass
class _Watch:
    restarts: int = 0
    crashes: Deque[float] = field(default_factory=deque)
    delay: float = 0.0
    restart_at: Optional[float] = None  # set while dead and waiting for its restart
    started_at: float = 0.0
    last_exit: Optional[int] = None


class GaveUp(RuntimeError):
    """A process crashed too often in too short a time."""


class Supervisor:
    """Restarts the dead processes of a started :class:`Stack` with backoff (see the module
    docstring). Call :meth:`check` every half second or so; it raises :class:`GaveUp`."""

    def __init__(
        self,
        stack: "Stack",
        policy: RestartPolicy = RestartPolicy(),
        state_file: Optional[Path] = None,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ) -> None:
        self.stack, self.policy, self.state_file, self.clock, self.say = stack, policy, state_file, clock, say
        now = clock()
        self.watch: Dict[str, _Watch] = {
            s.name: _Watch(delay=policy.first_delay, started_at=now) for s in stack.services
        }
        self.write_state()

    def check(self) -> None:
        now = self.clock()
        changed = False
        for svc in self.stack.services:
            w = self.watch[svc.name]
            running = svc.proc is not None and svc.proc.poll() is None
            if running:
                if now - w.started_at >= self.policy.stable_after:
                    w.delay = self.policy.first_delay
                continue
            if w.restart_at is None:  # newly found dead
                changed = True
                w.last_exit = svc.proc.returncode if svc.proc is not None else None
                _kill_group(svc)  # children of the dead process must not keep its port
                w.crashes.append(now)
                while w.crashes and now - w.crashes[0] > self.policy.window:
                    w.crashes.popleft()
                if len(w.crashes) >= self.policy.max_crashes:
                    self.write_state(gave_up=svc.name)
                    raise GaveUp(
                        f"{svc.name} crashed {len(w.crashes)} times within {self.policy.window:.0f} s "
                        f"(last exit status {w.last_exit}); giving up and stopping the whole stack. "
                        f"See {LOG_DIR / (svc.name + '.log')}"
                    )
                w.restart_at = now + w.delay
                self.say(f"{svc.name} stopped (exit status {w.last_exit}); restarting in {w.delay:.0f} s "
                         f"(crash {len(w.crashes)} of at most {self.policy.max_crashes - 1} "
                         f"within {self.policy.window:.0f} s)")
                w.delay = min(w.delay * 2, self.policy.max_delay)
            elif now >= w.restart_at:
                changed = True
                self.stack._spawn(svc)
                w.restarts += 1
                w.restart_at = None
                w.started_at = now
                self.say(f"{svc.name} restarted (pid {svc.proc.pid}, restart {w.restarts})")
        if changed:
            self.write_state()

    def write_state(self, gave_up: Optional[str] = None) -> None:
        if self.state_file is None:
            return
        state = {
            "services": {
                s.name: {
                    "pid": s.proc.pid if s.proc is not None else None,
                    "up": s.proc is not None and s.proc.poll() is None,
                    "restarts": self.watch[s.name].restarts,
                    "last_exit": self.watch[s.name].last_exit,
                }
                for s in self.stack.services
            },
            "gave_up": gave_up,
            "supervisor_pid": os.getpid(),
        }
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(tmp, self.state_file)  # readers never see half a file


def _kill_group(svc: Service) -> None:
    if svc.proc is None:
        return
    try:
        os.killpg(svc.proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def prepare_production(env: Dict[str, str]) -> None:
    """Before a production-mode start: PostgreSQL and Redis answer, the tracker and app
    databases exist, and the app database is migrated with the catalogue loaded."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.pool import NullPool

    def ensure_database(server: URL, name: str) -> None:
        engine = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                               connect_args={"connect_timeout": 5})
        try:
            with engine.connect() as conn:
                exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{name.replace(chr(34), "")}"'))
                    print(f"created database {name}", flush=True)
        finally:
            engine.dispose()

    from core.db import tracker_db_url

    tracker = tracker_db_url({**env, "TRACKER_DB_HOST": env.get("TRACKER_DB_HOST") or "127.0.0.1"},
                             database=env.get("TRACKER_DB_LOGIN_DB") or "postgres")
    try:
        ensure_database(tracker, env["TRACKER_DB_NAME"])
        app_url = env.get("DATABASE_URL", "")
        if app_url.startswith("postgresql"):
            app = make_url(app_url)
            ensure_database(app.set(database=env.get("TRACKER_DB_LOGIN_DB") or "postgres"), app.database)
    except Exception as exc:  # noqa: BLE001 - one clear line instead of a traceback
        raise SystemExit(f"PostgreSQL not usable for production mode: {str(exc).splitlines()[0]}")
    import redis

    try:
        redis.Redis(
            host=env.get("REDIS_HOST") or "127.0.0.1", port=int(env.get("REDIS_PORT") or 6379),
            password=env.get("REDIS_PASSWORD") or None, socket_connect_timeout=3,
        ).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis not usable for production mode: {exc}")
    subprocess.run(
        [str(VENV_BIN / "python"), "-m", "core.catalogue", "load"],
        cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, check=True,
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run action server(s), Rasa replica(s) and gateway together.")
    parser.add_argument("--gateway-port", type=int, default=int(os.environ.get("GATEWAY_PORT", 8080)))
    parser.add_argument("--rasa-port", type=int, default=5005, help="first Rasa replica's port")
    parser.add_argument("--action-port", type=int, default=5055, help="first action server's port")
    parser.add_argument("--rasa-replicas", type=int, default=1, metavar="N")
    parser.add_argument("--action-servers", type=int, default=1, metavar="M")
    parser.add_argument("--env-file", help="KEY=VALUE file, e.g. deploy/prod.env (make run-prod)")
    parser.add_argument("--endpoints", help="Rasa endpoints file (default: KOEGE_ENDPOINTS or endpoints.yml)")
    parser.add_argument("--model", help="model file or folder (default: models/)")
    parser.add_argument("--state-file", help="supervisor state (default: var/stack/supervisor-<gateway port>.json)")
    parser.add_argument("--max-crashes", type=int, default=RestartPolicy.max_crashes,
                        help="crashes of one process within --crash-window before giving up (default 5)")
    parser.add_argument("--crash-window", type=float, default=RestartPolicy.window, metavar="SECONDS")
    args = parser.parse_args(argv)
    env = load_env_file(args.env_file) if args.env_file else {}
    env.update({k: os.environ[k] for k in env if k in os.environ})  # the real environment wins
    endpoints = args.endpoints or env.get("KOEGE_ENDPOINTS") or os.environ.get("KOEGE_ENDPOINTS") or "endpoints.yml"
    production = "tracker_store" in (ROOT / endpoints).read_text(encoding="utf-8") if (ROOT / endpoints).exists() else False
    if production:
        print(f"Production mode ({endpoints}): PostgreSQL tracker store, Redis lock store, "
              f"DATABASE_URL={_mask(env.get('DATABASE_URL') or os.environ.get('DATABASE_URL', ''))}", flush=True)
        prepare_production({**os.environ, **env})
    elif args.rasa_replicas > 1:
        print("note: several Rasa replicas with the in-memory tracker store: a conversation that "
              "fails over to another replica starts afresh (use --env-file deploy/prod.env).", flush=True)
    stack = Stack(services(
        rasa_port=args.rasa_port, action_port=args.action_port, gateway_port=args.gateway_port,
        model=args.model, endpoints=endpoints, rasa_replicas=args.rasa_replicas,
        action_servers=args.action_servers, env=env,
    ))
    state_file = Path(args.state_file) if args.state_file else ROOT / "var" / "stack" / f"supervisor-{args.gateway_port}.json"
    stack.get("gateway").env["GATEWAY_SUPERVISOR_STATE"] = str(state_file.resolve())
    # Ctrl-C and a plain `kill` both stop everything (SIGINT is ignored in background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    names = ", ".join(f"{s.name} ({s.ready_url.split('/')[2]})" for s in stack.services)
    print(f"Starting {names} …", flush=True)
    started = time.monotonic()
    try:
        stack.start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Up in {time.monotonic() - started:.0f} s.\n\nChat: http://127.0.0.1:{args.gateway_port}/   "
          "(Ctrl-C stops everything; logs in var/log/)\n", flush=True)
    try:
        supervisor = Supervisor(stack, RestartPolicy(max_crashes=max(1, args.max_crashes), window=args.crash_window),
                                state_file)
        while True:
            supervisor.check()
            time.sleep(0.5)
    except GaveUp as exc:
        banner = "!" * 78
        print(f"\n{banner}\nerror: {exc}\n{banner}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nStopping …", flush=True)
        return 0
    finally:
        stack.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _mask(url: str) -> str:
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url) if url else "(SQLite default)"


if __name__ == "__main__":
    sys.exit(main())
