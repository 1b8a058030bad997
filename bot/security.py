"""Browser-facing protections: security headers, CSRF checks, client address, error shield.

* :func:`add_security_headers` (an ``on_response_prepare`` hook, so it also covers static
  files, 404s and errors): a strict Content-Security-Policy without inline script or
  third-party origins, ``nosniff``, ``Referrer-Policy``, HSTS only over HTTPS, and
  ``Cache-Control: no-store`` on the API.
* :func:`csrf_middleware`: every unsafe request to ``/api/`` or ``/staff/api/`` must carry
  ``X-Requested-With: koege-chat`` (a header a cross-site form cannot send and a cross-site
  script cannot send without a CORS preflight we never grant) and, when the browser sends
  ``Origin``, it must be our own origin (or a configured one).
* :func:`host_middleware`: only ``Host`` values in ``GatewayConfig.allowed_hosts`` are
  served (by default the loopback names with the port the request came in on, which is
  what `make run` serves); others get a Danish 400. The probes (``/healthz``, ``/readyz``)
  and ``/metrics`` (bearer token) are exempt, because orchestrators call them by pod IP.
* :func:`body_size_middleware`: a body above ``max_body_bytes`` gets the Danish JSON 413
  before anything reads it (aiohttp's own English text never reaches the browser).
* :func:`error_middleware`: an unexpected exception never reaches the browser as a stack
  trace; the chat API answers with the Danish apology instead of a 5xx.
* :func:`is_https` / :func:`client_ip`: believe ``X-Forwarded-*`` only from trusted proxies.
* Embedding on other sites (``ALLOWED_EMBED_ORIGINS``, :attr:`GatewayConfig.allowed_embed_origins`):
  :func:`cors_middleware` answers the widget's preflights and :func:`add_security_headers` adds
  ``Access-Control-Allow-Origin`` (that one origin, with credentials, ``Vary: Origin``) to the
  widget's API paths (:data:`EMBED_API`) only, for exactly those origins; ``widget.js`` and
  ``widget.css`` get ``Cross-Origin-Resource-Policy: cross-origin``; the login pages' CSP lets
  the form return to those origins. No other path (``/staff`` least of all) is ever CORS-enabled.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, FrozenSet, Mapping, Optional, Tuple

from aiohttp import web

from bot import texts
from bot.config import GatewayConfig
from bot.state import CONFIG
from core.identity import mask_cpr

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSRF_HEADER = "X-Requested-With"
CSRF_VALUE = "koege-chat"
API_PREFIXES = ("/api/", "/staff/api/")
CHAT_PATH = "/api/chat"
NO_STORE_PATHS = ("/api/", "/staff", "/login", "/healthz", "/readyz")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Called by load balancers, orchestrators and Prometheus by address, not by our host name.
HOST_EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)
HSTS = "max-age=31536000"
SERVER_NAME = "koege-bot"

BASE_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

# The API of the widget (bot/static/widget.js) and the methods it uses on each path: the only
# paths an embedding site may call with credentials. Not /login (a top-level page), not /staff.
EMBED_API: Mapping[str, FrozenSet[str]] = {
    "/api/chat": frozenset({"POST"}),
    "/api/feedback": frozenset({"POST"}),
    "/api/logout": frozenset({"POST"}),
    "/api/session": frozenset({"GET"}),
    "/api/login/handover": frozenset({"POST"}),  # bot/handover.py
}
EMBED_REQUEST_HEADERS = frozenset({"content-type", CSRF_HEADER.lower()})
# What the embedding page itself loads (no-cors): these may be read cross-origin.
EMBED_FILES = frozenset({"/static/widget.js", "/static/widget.css"})
PREFLIGHT_MAX_AGE_SECONDS = 600


def json_error(status: int, message: str, headers: Optional[Mapping[str, str]] = None) -> web.Response:
    """A Danish error for the widget: ``{"error": message}`` with ``status``."""
    return web.json_response({"error": message}, status=status, headers=headers)


def _config(request: web.Request) -> GatewayConfig:
    return request.app[CONFIG]


def _from_trusted_proxy(request: web.Request) -> bool:
    return bool(request.remote) and request.remote in _config(request).trusted_proxies


def is_https(request: web.Request) -> bool:
    """Did the browser reach us over HTTPS (directly, or via a trusted TLS-terminating proxy)?"""
    if request.secure:
        return True
    if _from_trusted_proxy(request):
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False


def client_ip(request: web.Request) -> str:
    """The client's address; from X-Forwarded-For only when a trusted proxy put it there."""
    remote = request.remote or "unknown"
    if not _from_trusted_proxy(request):
        return remote
    trusted = _config(request).trusted_proxies
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most address no trusted proxy vouches for
        if hop not in trusted:
            return hop
    return remote


def own_origin(request: web.Request) -> str:
    return f"{'https' if is_https(request) else 'http'}://{request.host}".lower()


def origin_allowed(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # older browsers and non-browser clients; the custom header still counts
    origin = origin.strip().rstrip("/").lower()
    config = _config(request)
    return origin == own_origin(request) or origin in config.allowed_origins or origin in config.allowed_embed_origins


def embed_origin(request: web.Request) -> Optional[str]:
    """The request's ``Origin`` if it is exactly one of ``ALLOWED_EMBED_ORIGINS``, else None."""
    origin = request.headers.get("Origin")
    return origin if origin and origin in _config(request).allowed_embed_origins else None


def cross_site_cookie(request: web.Request) -> bool:
    """Must the session cookie be ``SameSite=None; Secure; Partitioned`` (the widget is embedded on other
    sites and this request came over HTTPS)? Without HTTPS browsers refuse such a cookie, so
    it stays ``SameSite=Strict`` (and an embedded widget then keeps no conversation)."""
    return bool(_config(request).allowed_embed_origins) and is_https(request)


def login_csp(config: GatewayConfig) -> str:
    """The policy of the login pages: the form may end (by redirect) on an embedding site."""
    if not config.allowed_embed_origins:
        return CONTENT_SECURITY_POLICY
    extra = " ".join(sorted(config.allowed_embed_origins))
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {extra}")


def _add_vary(response: web.StreamResponse, name: str) -> None:
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    if name.lower() not in {v.lower() for v in present}:
        response.headers["Vary"] = ", ".join(present + [name])


def _split_host(value: str) -> Tuple[str, Optional[int]]:
    """``"Bot.Example.dk:8443"`` -> ``("bot.example.dk", 8443)``; ``"[::1]"`` -> ``("[::1]", None)``.
    An unreadable port gives ``("", None)`` (never allowed)."""
    value = value.strip().lower()
    port: Optional[str]
    if value.startswith("["):
        end = value.find("]")
        name, rest = value[: end + 1], value[end + 1:]
        if end < 0 or (rest and not rest.startswith(":")):
            return "", None
        port = rest[1:] if rest else None
    elif value.count(":") == 1:
        name, port = value.split(":")
    else:
        name, port = value, None
    if port is not None and not (port.isdigit() and len(port) <= 5):
        return "", None
    return name.rstrip("."), int(port) if port is not None else None


def _local_port(request: web.Request) -> Optional[int]:
    """The port this request came in on (of the listening socket)."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if isinstance(sockname, (tuple, list)) and len(sockname) >= 2:
        return int(sockname[1])
    return None


def host_allowed(request: web.Request) -> bool:
    """Is the request's ``Host`` one we serve (see :func:`host_middleware`)?"""
    raw = request.headers.get("Host")
    if not raw:
        return False
    name, port = _split_host(raw)
    if not name:
        return False
    allowed = _config(request).allowed_hosts
    if allowed:
        entries = {entry.strip().lower().rstrip(".") for entry in allowed}
        return name in entries or (port is not None and f"{name}:{port}" in entries)
    if name not in LOOPBACK_NAMES:
        return False
    effective = port if port is not None else (443 if is_https(request) else 80)
    return effective == _local_port(request)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: the same headers on every response."""
    config = _config(request)
    # aiohttp would send "Python/3.10 aiohttp/3.14.5": no versions to an attacker
    response.headers["Server"] = SERVER_NAME
    if config.allowed_embed_origins:
        if request.path in EMBED_FILES:
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        elif request.path == "/login" or request.path.startswith("/login/"):
            response.headers.setdefault("Content-Security-Policy", login_csp(config))
        elif request.path in EMBED_API:
            _add_vary(response, "Origin")
            origin = embed_origin(request)
            if origin is not None and request.method != "OPTIONS":  # preflights: cors_middleware
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
    for name, value in BASE_HEADERS.items():
        response.headers.setdefault(name, value)
    if is_https(request):
        response.headers["Strict-Transport-Security"] = HSTS
    if request.path.startswith(NO_STORE_PATHS):
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Pragma", "no-cache")


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The CORS preflight of the embedded widget's API calls: granted for an allowed embed
    origin asking for the path's own method and at most the widget's two headers; otherwise
    a 403 without any CORS header, so the browser never sends the request."""
    if request.method == "OPTIONS" and request.path in EMBED_API and "Access-Control-Request-Method" in request.headers:
        origin = embed_origin(request)
        methods = EMBED_API[request.path]
        method = request.headers["Access-Control-Request-Method"].strip().upper()
        asked = {h.strip().lower() for h in request.headers.get("Access-Control-Request-Headers", "").split(",")}
        asked.discard("")
        if origin is None or method not in methods or not asked <= EMBED_REQUEST_HEADERS:
            log.info("refused preflight %s %s from origin %r", method[:20], request.path,
                     (request.headers.get("Origin") or "")[:100])
            return json_error(403, texts.ERROR_FORBIDDEN)
        return web.Response(status=204, headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
            "Access-Control-Allow-Headers": "Content-Type, X-Requested-With",
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
        })
    return await handler(request)


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in UNSAFE_METHODS and request.path.startswith(API_PREFIXES):
        if request.headers.get(CSRF_HEADER) != CSRF_VALUE or not origin_allowed(request):
            log.info(
                "rejected %s %s: csrf header %s, origin %r",
                request.method,
                request.path,
                "ok" if request.headers.get(CSRF_HEADER) == CSRF_VALUE else "missing/wrong",
                request.headers.get("Origin"),
            )
            return json_error(403, texts.ERROR_FORBIDDEN)
    return await handler(request)


@web.middleware
async def host_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path not in HOST_EXEMPT_PATHS and not host_allowed(request):
        log.info("rejected %s %s: Host %r not allowed", request.method, request.path,
                 (request.headers.get("Host") or "")[:100])
        return json_error(400, texts.ERROR_BAD_HOST)
    return await handler(request)


@web.middleware
async def body_size_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    limit = _config(request).max_body_bytes  # the app's client_max_size (bot/app.py)
    if request.content_length is not None and request.content_length > limit:
        log.info("rejected %s %s: body of %d bytes", request.method, request.path, request.content_length)
        return json_error(413, texts.ERROR_TOO_LARGE)
    return await handler(request)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        # A body without Content-Length that grew past the limit while being read.
        return json_error(413, texts.ERROR_TOO_LARGE)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - nothing unexpected may reach the browser raw
        log.exception("unhandled error on %s %s: %s", request.method, request.path, mask_cpr(str(exc)))
        if request.path == CHAT_PATH:
            return web.json_response({"messages": [{"text": texts.TECHNICAL_ERROR, "buttons": []}]})
        return json_error(500, texts.ERROR_INTERNAL)
