"""Start, watch and stop the local stack: action server(s), Rasa replica(s) and the gateway.

``python -m scripts.stack`` (what ``make run`` calls) starts the three processes, waits
until each answers, prints where the chat page is, and stops them all on Ctrl-C. The
end-to-end tests use :class:`Stack` the same way. Logs go to ``var/log/``.

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
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
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
    common = {"DA_SPACY_MODEL": spacy_model(), "PYTHONPATH": str(ROOT), **(env or {})}
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
            [str(VENV_BIN / "python"), "-m", "bot"],
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
    # Ctrl-C and a plain `kill` both stop everything (SIGINT is ignored in background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    names = ", ".join(f"{s.name} ({s.ready_url.split('/')[2]})" for s in stack.services)
    print(f"Starting {names} …", flush=True)
    try:
        stack.start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nChat: http://127.0.0.1:{args.gateway_port}/   (Ctrl-C stops everything; logs in var/log/)\n", flush=True)
    try:
        while all(s.proc.poll() is None for s in stack.services):
            time.sleep(1)
        dead = [s.name for s in stack.services if s.proc.poll() is not None]
        print(f"error: {', '.join(dead)} stopped; stopping the rest", file=sys.stderr)
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
