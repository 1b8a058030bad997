"""``python -m bot.staff``: manage staff console accounts.

    python -m bot.staff create-user NAME --role staff|supervisor [--display-name "Mette Hansen"]
                                    [--password-stdin] [--url URL]
    python -m bot.staff set-password NAME [--password-stdin] [--url URL]
    python -m bot.staff set-display-name NAME "Mette Hansen" [--url URL]
    python -m bot.staff bench-search [--queries N]

The password is prompted twice (not echoed) or read from the first line of stdin with
``--password-stdin`` (for scripts); it is stored only as an argon2id hash. The display name
is what the supervisors' audit view shows next to the user name. The database is
``DATABASE_URL`` (default ``var/koege.db``) and must be migrated (``python -m core.db upgrade``).
"""

from __future__ import annotations

import argparse
import getpass
import re
import statistics
import sys
import time
from typing import Optional, Sequence

from bot import store
from bot.staff.auth import MIN_PASSWORD_CHARS, hash_password
from core.db import make_engine, make_session_factory, resolve_url
from core.gateway_models import ROLES
from core.settings import get_settings

USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"Adgangskode (mindst {MIN_PASSWORD_CHARS} tegn): ")
    if getpass.getpass("Gentag adgangskoden: ") != first:
        raise ValueError("the passwords differ")
    return first


def _factory(url: Optional[str]):
    return make_session_factory(make_engine(resolve_url(url)))


def create_user(name: str, role: str, from_stdin: bool, url: Optional[str], display_name: Optional[str] = None) -> int:
    if not USERNAME.match(name):
        raise ValueError("the user name may have 2-64 letters, digits, '.', '_' or '-'")
    password_hash = hash_password(_password(from_stdin))
    store.create_staff(_factory(url), name, role, password_hash, display_name)
    print(f"created {role} {name}")
    return 0


def set_display_name(name: str, display_name: str, url: Optional[str]) -> int:
    factory = _factory(url)
    if store.get_staff(factory, name) is None:
        raise ValueError(f"no user {name!r}")
    store.set_display_name(factory, name, display_name)
    print(f"display name of {name} changed")
    return 0


def set_password(name: str, from_stdin: bool, url: Optional[str]) -> int:
    factory = _factory(url)
    if store.get_staff(factory, name) is None:
        raise ValueError(f"no user {name!r}")
    store.set_password_hash(factory, name, hash_password(_password(from_stdin)))
    print(f"password of {name} changed")
    return 0


BENCH_QUERIES = ("r", "re", "ren", "reno", "renovation", "p", "pa", "pas", "s", "sv", "svø", "svømme",
                 "svømmehal", "rykker", "rykkergebyr", "betaling", "betalings-id", "+71", "ejendomsskat",
                 "parkering", "p-bøde", "afdrag", "børnehave", "madservice", "leje af", "leje af lokale")


def bench_search(rounds: int) -> int:
    """Print per-keystroke latency of the staff search (in-process, after the index is built)."""
    from bot.staff.search import SearchIndex

    started = time.perf_counter()
    index = SearchIndex.build(get_settings().tariff_catalogue)
    build_ms = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(rounds):
        for query in BENCH_QUERIES:
            t = time.perf_counter()
            index.search(query)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"staff search: {len(index.docs)} documents, index built in {build_ms:.0f} ms; "
          f"{len(times)} keystrokes: p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.staff", description="Staff console accounts.")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="add a staff account")
    create.add_argument("name")
    create.add_argument("--role", choices=ROLES, default="staff")
    create.add_argument("--display-name", help='the name the audit view shows, e.g. "Mette Hansen"')
    create.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    create.add_argument("--url", help="database URL (default: DATABASE_URL or var/koege.db)")
    passwd = sub.add_parser("set-password", help="change a staff account's password")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.add_argument("--url")
    named = sub.add_parser("set-display-name", help="change the name the audit view shows")
    named.add_argument("name")
    named.add_argument("display_name")
    named.add_argument("--url")
    bench = sub.add_parser("bench-search", help="print the search latency per keystroke")
    bench.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    try:
        if args.command == "create-user":
            return create_user(args.name, args.role, args.password_stdin or not sys.stdin.isatty(), args.url,
                               args.display_name)
        if args.command == "set-display-name":
            return set_display_name(args.name, args.display_name, args.url)
        if args.command == "set-password":
            return set_password(args.name, args.password_stdin or not sys.stdin.isatty(), args.url)
        return bench_search(args.rounds)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
