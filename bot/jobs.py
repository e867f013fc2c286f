"""What the ingest pipeline's worker processes run around each job.

A module of its own, free of heavy imports: a worker unpickles a job by importing the module that
defines it, and this one must not bring the event loop's HTTP client (aiohttp) into every worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(job: Callable[[], T]) -> tuple[T, float]:
    """Run `job` where the executor runs it; also return the CPU seconds it took there."""
    started = time.thread_time()
    result = job()
    return result, time.thread_time() - started
