"""Attacks tried again against a running gateway over real HTTP (issue 20's closing check).

    python -m scripts.attack_check --url http://127.0.0.1:8090 --metrics-token TOKEN \
        [--redis redis://127.0.0.1:6379/5 --prefix attack]

Start the gateway for it with a metrics token (and, to count sessions, REDIS_URL and
GATEWAY_REDIS_PREFIX); Rasa need not run. Prints one PASS/FAIL line per attack and exits 1 when
one fails. It sends 200 GETs, 22 chat messages and 13 staff logins: never point it at production.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, List, Optional

import requests

CSRF = {"X-Requested-With": "koege-chat", "Content-Type": "application/json"}


def run(url: str, token: str, count_sessions: Optional[Callable[[], int]]) -> List[bool]:
    results: List[bool] = []

    def check(name: str, ok: bool, detail: object) -> None:
        results.append(ok)
        print(("PASS" if ok else "FAIL"), name, "|", detail)

    r = requests.get(url + "/", headers={"Host": "evil.example"}, timeout=10)
    check("Host allow-list", r.status_code >= 400, r.status_code)
    r = requests.get(url + "/metrics", timeout=10)
    check("/metrics without token hidden", r.status_code in (401, 403, 404), r.status_code)
    r = requests.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    check("/metrics with token", r.status_code == 200, r.status_code)
    if count_sessions is not None:
        before = count_sessions()
        for _ in range(200):
            requests.get(url + "/login", timeout=10)
        after = count_sessions()
        check("200 x GET /login creates no session", after == before, f"{before} -> {after}")
    r = requests.post(url + "/login/demo", data=b"x" * (10 * 1024 * 1024),
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    check("10 MB body to the login", r.status_code == 413 and '"error"' in r.text, r.status_code)
    r = requests.post(url + "/api/chat", json={"message": "hej"}, timeout=10)
    check("CSRF: chat without X-Requested-With", r.status_code == 403, r.status_code)
    r = requests.post(url + "/api/chat", json={"message": "hej"}, headers={**CSRF, "Origin": "https://evil.example"},
                      timeout=10)
    check("CSRF: foreign Origin", r.status_code == 403, r.status_code)
    r = requests.options(url + "/api/chat", headers={"Origin": "https://evil.example",
                                                     "Access-Control-Request-Method": "POST"}, timeout=10)
    check("CORS preflight from a non-allowed origin", "Access-Control-Allow-Origin" not in r.headers, r.status_code)
    for path in ("/static/../core/settings.py", "/static/%2e%2e/core/settings.py",
                 "/static/..%2fcore%2fsettings.py", "/kilde/../../etc/passwd"):
        r = requests.get(url + path, timeout=10)
        check(f"path traversal {path}", r.status_code in (400, 403, 404) and "DATABASE_URL" not in r.text,
              r.status_code)
    s = requests.Session()
    s.cookies.set("koege_session", "attacker-chosen-session-id-123456")
    r = s.post(url + "/api/chat", json={"message": "hvad skylder jeg"}, headers=CSRF, timeout=15)
    check("forged session cookie gets a fresh session",
          r.cookies.get("koege_session") not in (None, "attacker-chosen-session-id-123456"), r.status_code)
    r = requests.post(url + "/api/chat", json={"message": "<img src=x onerror=alert(1)>hej"}, headers=CSRF, timeout=15)
    check("markup in a message is not echoed", r.status_code == 200 and "onerror" not in r.text, r.status_code)
    s = requests.Session()
    codes = [s.post(url + "/api/chat", json={"message": f"hej {i}"}, headers=CSRF, timeout=15).status_code
             for i in range(22)]
    other = requests.post(url + "/api/chat", json={"message": "hej"}, headers=CSRF, timeout=15).status_code
    check("chat limit per session, not per IP", codes[-1] == 429 and other == 200,
          f"{codes.count(200)} x 200, {codes.count(429)} x 429, other session {other}")
    codes = [requests.post(url + "/staff/api/login", json={"username": "ole", "password": "forkert-kodeord-1"},
                           headers=CSRF, timeout=15).status_code for _ in range(12)]
    other = requests.post(url + "/staff/api/login", json={"username": "mette", "password": "forkert-kodeord-1"},
                          headers=CSRF, timeout=15).status_code
    check("staff login limit per account and IP", codes[-1] == 429 and other == 401,
          f"{codes.count(401)} x 401, {codes.count(429)} x 429, other account {other}")
    r = requests.post(url + "/api/login/handover", json={"code": "A" * 32, "nonce": "B" * 43}, headers=CSRF,
                      timeout=10)
    check("a guessed login hand-over code", r.status_code in (400, 403), r.status_code)
    r = requests.get(url + "/", timeout=10)
    check("no software version in Server", "aiohttp" not in r.headers.get("Server", ""), r.headers.get("Server"))
    return results


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--metrics-token", required=True)
    parser.add_argument("--redis", help="the gateway's REDIS_URL, to count its sessions")
    parser.add_argument("--prefix", default="koege:gw", help="its GATEWAY_REDIS_PREFIX")
    args = parser.parse_args(argv)
    count = None
    if args.redis:
        import redis

        client = redis.Redis.from_url(args.redis)
        count = lambda: sum(1 for _ in client.scan_iter(f"{args.prefix}:s:*"))  # noqa: E731
    results = run(args.url.rstrip("/"), args.metrics_token, count)
    print(f"{sum(results)} of {len(results)} held")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
