"""Worker processes end when the process that started them dies.

The analysis pool's workers are forked by multiprocessing's forkserver, not by the bot, and they
block reading a queue whose write end they hold themselves: when the bot is SIGKILLed (OOM
killer, `kill -9`, a container stop), nothing tells them, and they keep the forkserver and the
resource tracker alive with them. `PR_SET_PDEATHSIG` does not help here (the workers' parent is
the forkserver, which itself waits for them), so each worker watches the bot's process directly:
through a pidfd on Linux (woken the moment the process exits, no polling, immune to pid reuse),
else by checking every half second. Once the workers are gone, the forkserver and the resource
tracker see their pipes close and exit too.
"""

from __future__ import annotations

import os
import select
import threading

#: Seconds between checks where a pidfd is not available (macOS, Linux before 5.3).
POLL_SECONDS = 0.5


def exit_with(parent_pid: int) -> None:
    """Process-pool initializer: end this process as soon as `parent_pid` has exited."""
    pidfd: int | None = None
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(parent_pid)
        except ProcessLookupError:
            os._exit(1)  # already gone
        except OSError:  # no pidfd support in this kernel or sandbox: poll instead
            pidfd = None
    elif not _alive(parent_pid):
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent_pid, pidfd), name="parent-watch", daemon=True
    ).start()


def _watch(parent_pid: int, pidfd: int | None) -> None:
    if pidfd is not None:
        select.select([pidfd], [], [])  # a pidfd becomes readable when its process exits
    else:
        stopped = threading.Event()
        while _alive(parent_pid):
            stopped.wait(POLL_SECONDS)
    os._exit(1)  # no cleanup to do: the results have nobody to go to


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # POSIX only; the forkserver pool exists only there
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
