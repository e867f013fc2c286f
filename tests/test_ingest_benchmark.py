"""Smoke test for benchmarks/ingest.py: the whole machinery on 5 feeds, so CI proves it works.

The numbers are not checked (CI machines are noisy), only that every run happened and counted
what it should: the news server, our fetch-parse-store and full pipelines over three cycles with
the command probe, and reader when the bench extra is installed (without it, as in CI, CPU and
memory come from getrusage instead of psutil).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark():
    # By module name, from benchmarks/ on sys.path: each run's own (spawned) process imports it
    # the same way.
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module("ingest")


def reader_usable() -> bool:
    try:
        import reader  # noqa: F401
        import sgmllib  # noqa: F401  (reader's vendored feedparser needs it)
    except ImportError:
        return False
    return True


def test_benchmark_runs_on_five_feeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_benchmark()
    out = tmp_path / "results.json"
    argv = ["--feeds", "5", "--workers", "1", "--changed", "0.2", "--json", str(out)]
    argv += ["--work-dir", str(tmp_path / "work"), "--max-seconds", "120"]
    if not reader_usable():
        argv.append("--no-reader")
    assert bench.main(argv) == 0

    results = {r["name"]: r for r in json.loads(out.read_text())}
    printed = capsys.readouterr().out
    assert "feeds/s" in printed and "command ms max" in printed

    fps_new, fps_same = results["ours f-p-s: all new"], results["ours f-p-s: unchanged"]
    assert (fps_new["feeds"], fps_new["new"], fps_new["failed"]) == (5, 100, 0)
    assert (fps_same["new"], fps_same["not_modified"]) == (0, 5)

    full_new = results["ours full: all new"]
    assert full_new["failed"] == 0 and 95 <= full_new["new"] <= 100
    assert full_new["stages"]["analyze_cpu"] > 0 and full_new["stages"]["fetch_busy"] > 0
    assert full_new["latencies"], "the command probe answered nothing"
    assert results["ours full: unchanged"]["not_modified"] == 5
    changed = results["ours full: 20% changed"]
    assert (changed["not_modified"], changed["new"]) == (4, 5)

    if not reader_usable():
        return
    assert results["reader: all new"]["new"] == 100
    assert results["reader: unchanged"]["not_modified"] == 5
