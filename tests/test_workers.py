"""The analysis pool does not outlive the bot: a SIGKILLed bot leaves no worker, forkserver or
resource tracker behind (a real subprocess, killed for real; every wait has a deadline)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The bot's own pool, workers started and busy with nothing; then it waits to be killed.
CHILD = """
import json, multiprocessing, multiprocessing.forkserver as fs, os, sys
import multiprocessing.resource_tracker as rt
from bot.app import make_executor

if __name__ == "__main__":
    pool = make_executor(2)
    futures = [pool.submit(os.getpid) for _ in range(4)]
    [f.result() for f in futures]
    pids = {
        "workers": [p.pid for p in multiprocessing.active_children()],
        "forkserver": fs._forkserver._forkserver_pid,
        "tracker": rt._resource_tracker._pid,
    }
    print(json.dumps(pids), flush=True)
    sys.stdin.read()  # until killed
"""


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for an init that may never reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkilled_bot_leaves_no_pool_process_behind(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()  # blocks until the pool is up (or the child died)
        assert line, "the child exited before starting its pool"
        info = json.loads(line)
        helpers = [*info["workers"], info["forkserver"], info["tracker"]]
        assert info["workers"] and all(running(pid) for pid in helpers)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling for the exit, bounded by the deadline
        left = [pid for pid in helpers if running(pid)]
    finally:
        child.kill()
        child.wait()
    for pid in left:  # never leave them running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"still running 10 s after the bot was killed: {left} of {info}"
