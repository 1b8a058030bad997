"""Start, watch and stop the local stack: action server, Rasa and the gateway.

``python -m scripts.stack`` (what ``make run`` calls) starts the three processes, waits
until each answers, prints where the chat page is, and stops them all on Ctrl-C. The
end-to-end tests use :class:`Stack` the same way. Logs go to ``var/log/``.
"""

from __future__ import annotations

import argparse
import os
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


def services(
    rasa_port: int = 5005,
    action_port: int = 5055,
    gateway_port: int = 8080,
    model: Optional[str] = None,
    endpoints: str = "endpoints.yml",
) -> List[Service]:
    """The three processes of a local stack on 127.0.0.1."""
    common = {"DA_SPACY_MODEL": spacy_model(), "PYTHONPATH": str(ROOT)}
    rasa_cmd = [
        str(VENV_BIN / "rasa"), "run", "-i", "127.0.0.1", "-p", str(rasa_port),
        "--model", model or str(MODEL_DIR), "--endpoints", endpoints,
        "--credentials", "credentials.yml",
    ]
    return [
        Service(
            "actions",
            [str(VENV_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            f"http://127.0.0.1:{action_port}/health",
            {**common, "SANIC_HOST": "127.0.0.1"},
        ),
        Service("rasa", rasa_cmd, f"http://127.0.0.1:{rasa_port}/", common),
        Service(
            "gateway",
            [str(VENV_BIN / "python"), "-m", "bot"],
            f"http://127.0.0.1:{gateway_port}/healthz",
            {
                **common,
                "GATEWAY_PORT": str(gateway_port),
                "RASA_URL": f"http://127.0.0.1:{rasa_port}",
                "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            },
        ),
    ]


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

    def start(self, timeout: float = 240.0) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for svc in self.services:
            log = open(LOG_DIR / f"{svc.name}.log", "ab")
            env = {**os.environ, **svc.env}
            svc.proc = subprocess.Popen(
                svc.cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
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


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Run action server, Rasa and gateway together.")
    parser.add_argument("--gateway-port", type=int, default=int(os.environ.get("GATEWAY_PORT", 8080)))
    args = parser.parse_args(argv)
    stack = Stack(services(gateway_port=args.gateway_port))
    print("Starting action server (127.0.0.1:5055), Rasa (127.0.0.1:5005) and gateway …", flush=True)
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


if __name__ == "__main__":
    sys.exit(main())
