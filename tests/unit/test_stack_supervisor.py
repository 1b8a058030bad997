"""scripts/stack.py's Supervisor with real (tiny) processes: a killed process is started
again and counted; one that keeps crashing makes the supervisor give up, loudly. The real
stack under `python -m scripts.stack` is killed in tests/chaos/test_supervisor.py."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import List

import pytest

from scripts.stack import GaveUp, RestartPolicy, Service, Stack, Supervisor

FAST = RestartPolicy(first_delay=0.05, max_delay=0.2, max_crashes=3, window=60.0, stable_after=60.0)


def stack_of(*scripts: str) -> Stack:
    stack = Stack([
        Service(f"fake-{i}", [sys.executable, "-c", code], "http://127.0.0.1:9/") for i, code in enumerate(scripts)
    ])
    for svc in stack.services:
        stack._spawn(svc)
    return stack


def run_until(supervisor: Supervisor, done, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds  # a liveness bound only
    while not done():
        supervisor.check()
        assert time.monotonic() < deadline, "supervisor made no progress"
        time.sleep(0.02)


def test_killed_process_is_restarted_logged_and_counted(tmp_path):
    stack = stack_of("import time; time.sleep(600)", "import time; time.sleep(600)")
    lines: List[str] = []
    state = tmp_path / "state.json"
    supervisor = Supervisor(stack, FAST, state, say=lines.append)
    try:
        victim, other = stack.services
        old_pid, other_pid = victim.proc.pid, other.proc.pid
        os.kill(old_pid, signal.SIGKILL)
        run_until(supervisor, lambda: supervisor.watch["fake-0"].restarts == 1 and victim.proc.poll() is None)
        assert victim.proc.pid != old_pid and other.proc.pid == other_pid  # the rest kept running
        saved = json.loads(state.read_text())
        assert saved["services"]["fake-0"] == {"pid": victim.proc.pid, "up": True, "restarts": 1, "last_exit": -9}
        assert saved["services"]["fake-1"]["restarts"] == 0 and saved["gave_up"] is None
        assert any("fake-0 stopped (exit status -9); restarting" in line for line in lines)
        assert any(f"fake-0 restarted (pid {victim.proc.pid}, restart 1)" in line for line in lines)
    finally:
        stack.stop()


def test_repeated_crashes_in_a_short_window_give_up_loudly(tmp_path):
    stack = stack_of("import sys; sys.exit(3)", "import time; time.sleep(600)")
    lines: List[str] = []
    state = tmp_path / "state.json"
    supervisor = Supervisor(stack, FAST, state, say=lines.append)
    try:
        with pytest.raises(GaveUp) as gave_up:
            run_until(supervisor, lambda: False)
        assert "fake-0 crashed 3 times within 60 s" in str(gave_up.value)
        assert "giving up" in str(gave_up.value)
        assert supervisor.watch["fake-0"].restarts == 2  # started again twice, then no more
        saved = json.loads(state.read_text())
        assert saved["gave_up"] == "fake-0" and saved["services"]["fake-0"]["restarts"] == 2
        delays = [line for line in lines if "restarting in" in line]
        assert len(delays) == 2 and "crash 1 of at most 2" in delays[0]
    finally:
        stack.stop()


def test_crashes_spread_out_beyond_the_window_do_not_give_up(tmp_path):
    now = [0.0]
    stack = stack_of("import time; time.sleep(600)")
    supervisor = Supervisor(stack, FAST, None, clock=lambda: now[0], say=lambda line: None)
    try:
        svc = stack.services[0]
        for crash in range(5):  # five crashes, each more than a window after the one before
            os.kill(svc.proc.pid, signal.SIGKILL)
            svc.proc.wait()
            supervisor.check()  # found dead
            now[0] += 1.0
            supervisor.check()  # restarted
            assert svc.proc.poll() is None
            now[0] += FAST.window + 1
        assert supervisor.watch[svc.name].restarts == 5
    finally:
        stack.stop()
