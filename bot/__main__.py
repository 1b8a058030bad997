"""``python -m bot``: run the gateway on ``settings.gateway_host:gateway_port``."""

from __future__ import annotations

import sys

from aiohttp import web

from bot.app import create_app
from bot.config import ConfigError
from bot.logs import configure
from core.settings import get_settings


def display_host(host: str) -> str:
    """Where a browser on this machine reaches a server bound to ``host``."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def main() -> None:
    settings = get_settings()
    configure(settings.log_level)
    try:
        app = create_app(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)
    host = settings.gateway_host
    print(f"Chat: http://{display_host(host)}:{settings.gateway_port}/", flush=True)
    web.run_app(app, host=host, port=settings.gateway_port, print=None)


if __name__ == "__main__":
    main()
