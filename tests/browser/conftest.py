"""Browser tests: a real stack (action server, Rasa, gateway) driven by headless Chromium.

* Chromium is the Debian package at ``/usr/bin/chromium`` (``CHROMIUM`` overrides), driven
  by Playwright's sync API (``playwright install`` cannot download here).
* The model: ``KOEGE_TEST_MODEL`` (a .tar.gz or a folder of them), else ``models/``.
* The database: a fresh SQLite file, migrated and seeded with the ledger's fictitious demo
  citizens (``core.ledger.prepare_demo``); staff accounts are made with the real CLI.
* A second gateway with short idle timeouts (4 s) serves the expiry tests.
* A third gateway allows the widget to be embedded on ``http://localhost:<embed_site_port>``
  (``ALLOWED_EMBED_ORIGINS``); tests/browser/test_embed.py puts a TLS proxy in front of it
  (it trusts 127.0.0.1 for ``X-Forwarded-Proto``) and serves the embedding pages.
* axe-core comes from ``tests/browser/get_axe.py`` (npm, into build/axe).

Without Chromium or a model the tests are skipped, except under ``CI=true`` where they fail.
Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from scripts.stack import MODEL_DIR, ROOT, Service, Stack, services
from tests.browser.get_axe import AxeUnavailable, ensure_axe


def free_port() -> int:
    """A port nobody listens on right now (other test suites run stacks on fixed ports)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
SHORT_IDLE_SECONDS = 4
STAFF_PASSWORD = "browser-test-password-1"
STAFF_USERS = {"telefon1": "staff", "supervisor1": "supervisor"}
STAFF_DISPLAY_NAMES = {"telefon1": "Tina Telefon", "supervisor1": "Søs Supervisor"}  # shown in the audit view


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _model() -> str:
    env = os.environ.get("KOEGE_TEST_MODEL")
    candidates = [Path(env)] if env else [MODEL_DIR]
    for path in candidates:
        if path.is_file() or (path.is_dir() and any(path.glob("*.tar.gz"))):
            return str(path)
    _unavailable("no trained model: run `make train`, or set KOEGE_TEST_MODEL to a model file or folder")
    return ""  # pragma: no cover


def _create_staff(env: Dict[str, str]) -> None:
    for name, role in STAFF_USERS.items():
        subprocess.run(
            [sys.executable, "-m", "bot.staff", "create-user", name, "--role", role, "--password-stdin",
             "--display-name", STAFF_DISPLAY_NAMES[name]],
            input=STAFF_PASSWORD + "\n", text=True, check=True, cwd=ROOT, env=env, capture_output=True,
        )


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:
        return ensure_axe().read_text(encoding="utf-8")
    except AxeUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
        raise


@pytest.fixture(scope="session")
def browser_stack(tmp_path_factory) -> Iterator[Dict[str, str]]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt-get install -y chromium)")
    model = _model()
    from core.ledger import prepare_demo

    folder = tmp_path_factory.mktemp("browser-stack")
    db_url = f"sqlite:///{folder / 'koege.db'}"
    prepare_demo(db_url)
    common = {"DATABASE_URL": db_url, "KOEGE_DEMO_MODE": "true", "IDENTITY_SECRET": "browser-test-secret-" + "x" * 24}
    _create_staff({**os.environ, **common, "PYTHONPATH": str(ROOT)})
    endpoints = folder / "endpoints.yml"
    rasa_port, action_port, gateway_port, short_port = (free_port() for _ in range(4))
    embed_port, embed_proxy_port, embed_site_port, other_site_port = (free_port() for _ in range(4))
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8")
    procs: List[Service] = services(rasa_port, action_port, gateway_port, model=model, endpoints=str(endpoints))
    gateway = next(s for s in procs if s.name == "gateway")
    short = Service(
        "gateway-short",
        list(gateway.cmd),
        f"http://127.0.0.1:{short_port}/healthz",
        {**gateway.env, "GATEWAY_PORT": str(short_port),
         "GATEWAY_SESSION_IDLE_SECONDS": str(SHORT_IDLE_SECONDS),
         "GATEWAY_STAFF_IDLE_SECONDS": str(SHORT_IDLE_SECONDS)},
    )
    procs.append(short)
    procs.append(Service(
        "gateway-embed",
        list(gateway.cmd),
        f"http://127.0.0.1:{embed_port}/healthz",
        {**gateway.env, "GATEWAY_PORT": str(embed_port),
         "ALLOWED_EMBED_ORIGINS": f"http://localhost:{embed_site_port}",
         "GATEWAY_TRUSTED_PROXIES": "127.0.0.1",  # the test's TLS proxy
         "GATEWAY_ALLOWED_HOSTS": "127.0.0.1"},  # reached through the proxy's port
    ))
    for svc in procs:
        svc.env.update(common)
    stack = Stack(procs)
    stack.start(timeout=float(os.environ.get("KOEGE_STACK_TIMEOUT", "600")))  # Rasa loads slowly on a busy CI box
    yield {
        "gateway": f"http://127.0.0.1:{gateway_port}",
        "short": f"http://127.0.0.1:{short_port}",
        "embed_gateway": f"http://127.0.0.1:{embed_port}",
        "embed_proxy_port": str(embed_proxy_port),
        "embed_site_port": str(embed_site_port),
        "other_site_port": str(other_site_port),
        "db_url": db_url,
    }
    stack.stop()


@pytest.fixture(scope="session")
def browser(browser_stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(60_000)  # one Rasa turn on a loaded CI machine can take seconds
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
