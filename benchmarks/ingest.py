"""Ingest benchmark (issue 6, item 1): newsbrief's poll pipeline against the `reader` library.

Usage::

    .venv/bin/python benchmarks/ingest.py [--feeds 2000] [--workers 0] [--concurrency 32]
                                          [--reader-workers 8] [--no-reader] [--json out.json]

A local news server (``benchmarks/ingest_server.py``, its own process on 127.0.0.1) serves N
generated RSS feeds of 20 entries each; a quarter of the feeds carry only teasers, whose article
pages (50-150 KB of news-site HTML) the pipeline fetches. Feeds and pages have ETag and
Last-Modified, answer 304 on a match and are gzip-compressed.

Runs, in one process run (each of the three below in a fresh process of its own, so each is
measured alone; the news server is a fourth):

* ``reader``: the `reader` library (SQLite) updates every feed twice -- all new, then unchanged
  (its conditional GETs answer 304) -- with ``update_feeds(workers=--reader-workers)``.
* ``ours f-p-s``: newsbrief's ingest pipeline restricted to what reader does -- fetch, parse,
  dedupe, store -- (:class:`FetchParseStoreIngestor` skips the article-page fetch and the
  analysis and stores the feed's text as is), all new then unchanged, on a fresh database.
* ``ours full``: the real pipeline, `App.from_settings` with its process pool: (1) all new:
  fetch, parse, page fetch for teasers, extract, clean, summarize, quotes, store; (2) nothing
  changed: conditional GETs; (3) 10% of the feeds have 5 new entries each.

While each of our cycles runs, a probe sends a chat command through ``CommandHandlers.handle``
every 100 ms (``/quote <word>``; every fifth one ``/feeds list``, which lists every feed) and
records its latency from the moment it was due, so a blocked event loop shows up as latency.

Measures (per run): wall time, feeds/s, new articles/s, per-stage times from `Ingestor.times`,
CPU time of this process and its worker processes (psutil, summed over the process tree minus
the news server; the server is not ours), CPU utilisation = CPU / wall (2.0 = both cores busy),
the whole machine's busy cores over the same time (other work on a shared machine shows here),
peak memory (psutil, over this process and its workers: the sum of RSS, sampled every 100 ms,
which counts pages the processes share once per process and so overstates, and the sum of PSS,
sampled every second, which splits shared pages between them), and command latency p50/p99/max.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import ingest_data as data  # noqa: E402

# Only what the analysis workers also need is imported here: a worker process re-imports the
# main script (multiprocessing does), as the bot's workers re-import the light `bot.cli`. The
# event-loop side (bot.app, bot.ingest: aiohttp and the chat code) is imported where it runs, so
# the benchmark's workers carry no more than the bot's own.
from bot.analyze import SummaryOptions, analyze_page  # noqa: E402
from bot.config import parse_settings  # noqa: E402
from bot.feeds import parse_feed  # noqa: E402
from bot.models import Command  # noqa: E402

if TYPE_CHECKING:
    from bot.app import App

try:
    import psutil
except ImportError:  # pragma: no cover - the bench extra installs it
    psutil = None

PROBE_INTERVAL = 0.1
PROBE_WORDS = ("library", "bridge", "harbour", "budget", "tram", "ferry")


# --------------------------------------------------------------------------- the news server


@dataclass(frozen=True)
class ServerHandle:
    """What a benchmark run needs of the news server (picklable, for the run's own process)."""

    base: str
    pid: int

    def feed_url(self, n: int) -> str:
        return f"{self.base}/feed/{n}.xml"

    def control(self, path: str, *, post: bool = False) -> dict:
        req = urllib.request.Request(self.base + path, method="POST" if post else "GET")
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())


class NewsServerProcess:
    """Starts ``ingest_server.py`` in its own process; stops it (and it stops by itself)."""

    def __init__(self, *, feeds: int, seed: int, max_seconds: float) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "ingest_server.py"),
                f"--feeds={feeds}",
                f"--seed={seed}",
                f"--max-seconds={max_seconds}",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"news server did not start: {line!r}")
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"

    @property
    def handle(self) -> ServerHandle:
        return ServerHandle(self.base, self.proc.pid)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.handle.control("/control/stop", post=True)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- measuring


class ResourceMeter:
    """CPU seconds and peak RSS of this process plus its descendants, minus `exclude` pids.

    With psutil: CPU from each process's cpu_times (worker processes live across cycles), RSS
    sampled every 100 ms and PSS every second in a thread. Without psutil: getrusage (the
    workers' CPU and memory are not seen while they run).
    """

    def __init__(self, exclude: Sequence[int] = ()) -> None:
        self.exclude = set(exclude)
        self.source = "psutil" if psutil else "getrusage"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.peak_total = 0
        self.peak_main = 0
        self.peak_pss = 0
        self._start_cpu: dict[int, float] = {}
        self._last_cpu: dict[int, float] = {}
        self._procs: list = []
        self._procs_at = 0.0
        self._lock = threading.Lock()

    def _tree(self) -> list:
        """This process and its descendants minus the excluded ones (cached for a second: the
        scan reads every /proc entry on the machine)."""
        now = time.monotonic()
        if self._procs_at and now - self._procs_at < 1.0:
            return self._procs
        me = psutil.Process()
        children = me.children(recursive=True)
        skip: set[int] = set()
        for child in children:
            if child.pid in self.exclude:
                skip.add(child.pid)
                with contextlib.suppress(psutil.Error):
                    skip.update(c.pid for c in child.children(recursive=True))
        self._procs = [me, *(c for c in children if c.pid not in skip)]
        self._procs_at = now
        return self._procs

    def _sample(self, *, full: bool) -> None:
        """RSS every time (cheap); PSS and CPU times when `full` (smaps is costly to read)."""
        total = pss = 0
        for proc in self._tree():
            try:
                if full:
                    with proc.oneshot():
                        mem = proc.memory_full_info()
                        cpu = proc.cpu_times()
                    pss += getattr(mem, "pss", mem.rss)
                    with self._lock:
                        self._last_cpu[proc.pid] = cpu.user + cpu.system
                else:
                    mem = proc.memory_info()
            except psutil.Error:
                continue
            total += mem.rss
            if proc.pid == os.getpid():
                self.peak_main = max(self.peak_main, mem.rss)
        self.peak_total = max(self.peak_total, total)
        if full:
            self.peak_pss = max(self.peak_pss, pss)

    def _run(self) -> None:
        count = 0
        while not self._stop.wait(0.1):
            count += 1
            self._sample(full=count % 10 == 0)

    def start(self) -> None:
        if psutil:
            self._sample(full=True)
            self._start_cpu = dict(self._last_cpu)
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        else:
            self._ru = _rusage()

    def stop(self) -> float:
        """Stop sampling; return CPU seconds used since start (all processes measured)."""
        if psutil:
            self._stop.set()
            assert self._thread is not None
            self._thread.join()
            self._procs_at = 0.0
            self._sample(full=True)
            return sum(cpu - self._start_cpu.get(pid, 0.0) for pid, cpu in self._last_cpu.items())
        end = _rusage()
        self.peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.peak_total = self.peak_main + (
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        )
        return end - self._ru


def _rusage() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


@dataclass
class RunResult:
    name: str
    feeds: int
    new: int
    not_modified: int
    failed: int
    wall: float
    cpu: float
    peak_rss_total: int
    peak_rss_main: int
    peak_pss_total: int = 0
    machine_busy: float = 0.0  # CPU seconds used by every process on the machine
    stages: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    notes: str = ""

    @property
    def feeds_per_s(self) -> float:
        return self.feeds / self.wall if self.wall else 0.0

    @property
    def new_per_s(self) -> float:
        return self.new / self.wall if self.wall else 0.0


@contextlib.contextmanager
def measured(exclude: Sequence[int]) -> Iterator[dict[str, float]]:
    meter = ResourceMeter(exclude)
    out: dict[str, float] = {}
    machine = psutil.cpu_times() if psutil else None
    meter.start()
    started = time.perf_counter()
    try:
        yield out
    finally:
        out["wall"] = time.perf_counter() - started
        if machine is not None:
            now = psutil.cpu_times()
            idle = (now.idle + getattr(now, "iowait", 0)) - (
                machine.idle + getattr(machine, "iowait", 0)
            )
            out["machine_busy"] = max(0.0, sum(now) - sum(machine) - idle)
        out["cpu"] = meter.stop()
        out["peak_total"] = meter.peak_total
        out["peak_main"] = meter.peak_main
        out["peak_pss"] = meter.peak_pss


async def probe(handlers: object, stop: asyncio.Event, latencies: list[float]) -> None:
    """A chat command every PROBE_INTERVAL; latency counts from when it was due."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    k = 0
    while not stop.is_set():
        due = start + k * PROBE_INTERVAL
        delay = due - loop.time()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                break
        if k % 5 == 4:
            command = Command("feeds", "list")
        else:
            command = Command("quote", PROBE_WORDS[k % len(PROBE_WORDS)])
        reply = await handlers.handle(command)  # type: ignore[attr-defined]
        assert reply.text != "", reply
        latencies.append(loop.time() - due)
        k += 1


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


# --------------------------------------------------------------------------- our pipeline


def our_settings(server: ServerHandle, feeds: int, db: Path, args: argparse.Namespace):
    return parse_settings(
        {
            "storage": {"path": str(db)},
            "fetch": {
                "concurrency": args.concurrency,
                "workers": args.workers,
                "timeout_seconds": 120.0,
            },
            "feeds": [
                {"name": f"bench-{n:04d}", "url": server.feed_url(n), "full_text": True}
                for n in range(feeds)
            ],
        },
        base_dir=db.parent,
    )


async def our_cycle(
    app: App, name: str, exclude: Sequence[int], *, probe_commands: bool = True
) -> RunResult:
    from bot.ingest import CycleReport

    stop = asyncio.Event()
    latencies: list[float] = []
    feeds = app.store.feeds()
    with measured(exclude) as m:
        task = asyncio.create_task(probe(app.handlers, stop, latencies)) if probe_commands else None
        try:
            report: CycleReport = await app.ingestor.poll(feeds)
        finally:
            stop.set()
            if task:
                await task
    for failed in report.failed[:5]:
        print(f"  ! {failed.feed}: {failed.error}", file=sys.stderr)
    return RunResult(
        name=name,
        feeds=len(report.feeds),
        new=report.new,
        not_modified=sum(r.not_modified for r in report.feeds),
        failed=len(report.failed),
        wall=m["wall"],
        cpu=m["cpu"],
        peak_rss_total=int(m["peak_total"]),
        peak_rss_main=int(m["peak_main"]),
        peak_pss_total=int(m["peak_pss"]),
        machine_busy=m.get("machine_busy", 0.0),
        stages={k: float(v) for k, v in asdict(report.times).items()},
        latencies=latencies,
    )


def warm_up(executor: object, workers: int, *, full: bool) -> None:
    """Start every worker and import what it needs (a one-off start-up cost, not measured)."""
    base = "http://127.0.0.1"
    if full:
        page = data.page_html(0, 3, 0, base)
        job = partial(analyze_page, page, url=base, title="", options=SummaryOptions())
    else:
        job = partial(parse_feed, data.feed_xml(0, 0, 0, base), url=base)
    jobs = [executor.submit(job) for _ in range(2 * workers)]  # type: ignore[attr-defined]
    for job in jobs:
        with contextlib.suppress(Exception):
            job.result()


async def run_ours(
    server: ServerHandle, args: argparse.Namespace, work: Path, *, full: bool
) -> list[RunResult]:
    from ingest_fps import FetchParseStoreIngestor

    from bot.app import App, make_executor

    db = work / ("full.db" if full else "fps.db")
    settings = our_settings(server, args.feeds, db, args)
    workers = args.workers or os.cpu_count() or 1
    executor = make_executor(workers)
    await asyncio.to_thread(warm_up, executor, workers, full=full)
    app = App.from_settings(settings, platforms={}, executor=executor)
    if not full:
        app.ingestor = FetchParseStoreIngestor(
            store=app.store,
            fetcher=app.feed_fetcher,
            guarded_fetcher=app.url_fetcher,
            options=app.ingestor.options,
            executor=app.executor,
            clock=app.clock,
        )
    exclude = [server.pid]
    label = "ours full" if full else "ours f-p-s"
    results = []
    try:
        results.append(await our_cycle(app, f"{label}: all new", exclude))
        results.append(await our_cycle(app, f"{label}: unchanged", exclude))
        if full:
            changed = server.control(f"/control/change?fraction={args.changed}", post=True)
            result = await our_cycle(app, f"{label}: {args.changed:.0%} changed", exclude)
            result.notes = f"{len(changed['changed'])} feeds changed"
            results.append(result)
        results[-1].notes += f" articles stored: {app.store.article_count()}"
    finally:
        await app.close()
    return results


# --------------------------------------------------------------------------- reader


def run_reader(server: ServerHandle, args: argparse.Namespace, work: Path) -> list[RunResult]:
    from reader import make_reader

    db = work / "reader.sqlite"
    results = []
    reader = make_reader(str(db), search_enabled=False)
    try:
        for n in range(args.feeds):
            reader.add_feed(server.feed_url(n))
        for name in ("reader: all new", "reader: unchanged"):
            before = reader.get_entry_counts().total
            with measured([server.pid]) as m:
                failed = 0
                not_modified = 0
                total = 0
                for _url, value in reader.update_feeds_iter(
                    workers=args.reader_workers, scheduled=False
                ):
                    total += 1
                    if isinstance(value, Exception):
                        failed += 1
                    elif value is None:
                        not_modified += 1
            after = reader.get_entry_counts().total
            results.append(
                RunResult(
                    name=name,
                    feeds=total,
                    new=after - before,
                    not_modified=not_modified,
                    failed=failed,
                    wall=m["wall"],
                    cpu=m["cpu"],
                    peak_rss_total=int(m["peak_total"]),
                    peak_rss_main=int(m["peak_main"]),
                    peak_pss_total=int(m["peak_pss"]),
                    machine_busy=m.get("machine_busy", 0.0),
                )
            )
    finally:
        reader.close()
    return results


# --------------------------------------------------------------------------- one process per run


def _child(kind: str, server: ServerHandle, args: argparse.Namespace, work: Path, conn) -> None:
    try:
        if kind == "reader":
            results = run_reader(server, args, work)
        else:
            results = asyncio.run(run_ours(server, args, work, full=kind == "full"))
        conn.send(("ok", [asdict(r) for r in results]))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def in_own_process(
    kind: str, server: ServerHandle, args: argparse.Namespace, work: Path
) -> list[RunResult]:
    """Run reader, or one of our modes, in a fresh process: each is measured alone (memory a
    previous run left behind in the interpreter is not counted against the next)."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(kind, server, args, work, sender))
    proc.start()
    sender.close()
    try:
        status, payload = receiver.recv()
    except EOFError:
        proc.join()
        status, payload = "error", f"the {kind} run died (exit code {proc.exitcode})"
    proc.join()
    if status != "ok":
        raise RuntimeError(f"{kind} run failed:\n{payload}")
    return [RunResult(**r) for r in payload]


# --------------------------------------------------------------------------- report


def fmt_table(results: Sequence[RunResult], meter_source: str) -> str:
    mb = 1024 * 1024

    def stage(r: RunResult, key: str) -> str:
        return f"{r.stages[key]:.1f}" if key in r.stages else "-"

    def lat(r: RunResult, q: float | None) -> str:
        if not r.latencies:
            return "-"
        v = max(r.latencies) if q is None else percentile(r.latencies, q)
        return f"{v * 1000:.0f}"

    rows: list[tuple[str, Callable[[RunResult], str]]] = [
        ("feeds polled", lambda r: f"{r.feeds}"),
        ("new articles", lambda r: f"{r.new}"),
        ("304 not modified", lambda r: f"{r.not_modified}"),
        ("failed feeds", lambda r: f"{r.failed}"),
        ("wall s", lambda r: f"{r.wall:.1f}"),
        ("feeds/s", lambda r: f"{r.feeds_per_s:.0f}"),
        ("new articles/s", lambda r: f"{r.new_per_s:.0f}"),
        ("CPU s (self+workers)", lambda r: f"{r.cpu:.1f}"),
        ("CPU util (cores)", lambda r: f"{r.cpu / r.wall:.2f}" if r.wall else "-"),
        ("machine busy (cores)", lambda r: f"{r.machine_busy / r.wall:.2f}" if r.wall else "-"),
        ("fetch s (sum/busy)", lambda r: _pair(r, "fetch", "fetch_busy")),
        ("parse s (sum/CPU)", lambda r: _pair(r, "parse", "parse_cpu")),
        ("analyze s (sum/busy)", lambda r: _pair(r, "analyze", "analyze_busy")),
        ("analyze CPU s", lambda r: stage(r, "analyze_cpu")),
        ("store s (thread)", lambda r: stage(r, "store")),
        ("peak RSS MB total", lambda r: f"{r.peak_rss_total / mb:.0f}"),
        ("peak RSS MB main", lambda r: f"{r.peak_rss_main / mb:.0f}"),
        ("peak PSS MB total", lambda r: f"{r.peak_pss_total / mb:.0f}" if psutil else "-"),
        ("command ms p50", lambda r: lat(r, 50)),
        ("command ms p99", lambda r: lat(r, 99)),
        ("command ms max", lambda r: lat(r, None)),
        ("commands answered", lambda r: f"{len(r.latencies)}" if r.latencies else "-"),
    ]
    names = [r.name for r in results]
    width0 = max(len(label) for label, _ in rows)
    widths = [max(len(n), 8) for n in names]
    lines = [" | ".join([" " * width0, *(n.rjust(w) for n, w in zip(names, widths, strict=True))])]
    lines.append("-+-".join(["-" * width0, *("-" * w for w in widths)]))
    for label, fn in rows:
        cells = [fn(r).rjust(w) for r, w in zip(results, widths, strict=True)]
        lines.append(" | ".join([label.ljust(width0), *cells]))
    if meter_source == "psutil":
        lines.append("(CPU and memory: psutil, summed over this process and its workers)")
    else:
        lines.append(
            "(CPU and memory: getrusage -- install psutil (bench extra) to count the worker"
            " processes, which getrusage cannot see while they run)"
        )
    return "\n".join(lines)


def _pair(r: RunResult, total: str, busy: str) -> str:
    if total not in r.stages:
        return "-"
    if busy not in r.stages:
        return f"{r.stages[total]:.1f}"
    return f"{r.stages[total]:.1f}/{r.stages[busy]:.1f}"


def ratios(results: Sequence[RunResult]) -> list[str]:
    by = {r.name: r for r in results}
    out = []
    for cycle in ("all new", "unchanged"):
        ours, theirs = by.get(f"ours f-p-s: {cycle}"), by.get(f"reader: {cycle}")
        if ours and theirs and theirs.feeds_per_s:
            ratio = ours.feeds_per_s / theirs.feeds_per_s
            verdict = "met" if ratio >= 2 else "MISSED"
            out.append(
                f"fetch-parse-store, {cycle}: ours {ours.feeds_per_s:.0f} feeds/s, reader "
                f"{theirs.feeds_per_s:.0f} feeds/s -> {ratio:.2f}x (target 2x: {verdict})"
            )
    return out


def targets(results: Sequence[RunResult]) -> list[str]:
    full = [r for r in results if r.name.startswith("ours full")]
    out = []
    if full:
        first = full[0]
        util = first.cpu / first.wall if first.wall else 0
        out.append(f"CPU utilisation, full all-new cycle: {util:.2f} cores (target ~2: both cores)")
        worst = max((max(r.latencies) for r in full if r.latencies), default=float("nan"))
        out.append(
            f"slowest command during our cycles: {worst * 1000:.0f} ms (target < 1000 ms: "
            f"{'met' if worst < 1 else 'MISSED'})"
        )
    ours = [r for r in results if r.name.startswith("ours")]
    if ours:
        peak = max(r.peak_rss_total for r in ours) / 1024 / 1024
        pss = max(r.peak_pss_total for r in ours) / 1024 / 1024
        if psutil:
            out.append(
                f"peak memory of our runs (process + workers): RSS sum {peak:.0f} MB (shared "
                f"pages counted per process), PSS sum {pss:.0f} MB (target < 300 MB: RSS "
                f"{'met' if peak < 300 else 'MISSED'}, PSS {'met' if pss < 300 else 'MISSED'})"
            )
        else:
            out.append(f"peak RSS of this process: {peak:.0f} MB (workers not measured)")
    return out


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--feeds", type=int, default=2000, help="number of feeds (default 2000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=0, help="analysis processes (0 = per core)")
    p.add_argument("--concurrency", type=int, default=32, help="our HTTP connections")
    p.add_argument(
        "--reader-workers",
        type=int,
        default=8,
        help="reader's update threads (default 8: the best of 1/4/8/16/32 on 200 feeds here)",
    )
    p.add_argument("--changed", type=float, default=0.1, help="share of feeds changed in cycle 3")
    p.add_argument("--no-reader", action="store_true", help="skip the reader runs")
    p.add_argument("--no-fps", action="store_true", help="skip our fetch-parse-store runs")
    p.add_argument("--no-full", action="store_true", help="skip our full pipeline runs")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--work-dir", type=Path, help="databases go here (default: a temp folder)")
    p.add_argument("--max-seconds", type=float, default=5400.0, help="news server lifetime")
    return p.parse_args(argv)


def run(args: argparse.Namespace) -> list[RunResult]:
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="nb-ingest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    server = NewsServerProcess(feeds=args.feeds, seed=args.seed, max_seconds=args.max_seconds)
    print(
        f"news server {server.base}: {args.feeds} feeds ready in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    results: list[RunResult] = []
    handle = server.handle
    try:
        for kind, skip in (
            ("reader", args.no_reader),
            ("fps", args.no_fps),
            ("full", args.no_full),
        ):
            if not skip:
                results += in_own_process(kind, handle, args, work)
                print(f"{kind} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        results[-1].notes += f"; server stats {handle.control('/control/stats')}"
    finally:
        server.stop()
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    source = "psutil" if psutil else "getrusage"
    workers = args.workers or os.cpu_count()
    print(
        f"\nnewsbrief ingest benchmark: {args.feeds} feeds x {data.ENTRIES_PER_FEED} entries "
        f"({args.feeds // 4} teaser-only feeds with 50-150 KB pages); ours: {workers} worker "
        f"processes, {args.concurrency} connections; reader {_reader_version()}: "
        f"update_feeds(workers={args.reader_workers}), search disabled\n"
    )
    print(fmt_table(results, source))
    print()
    for line in [*ratios(results), *targets(results)]:
        print(line)
    for r in results:
        if r.notes:
            print(f"{r.name}: {r.notes.strip('; ')}")
    if args.json:
        payload = [
            {**asdict(r), "feeds_per_s": r.feeds_per_s, "new_per_s": r.new_per_s} for r in results
        ]
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


def _reader_version() -> str:
    try:
        from importlib.metadata import version

        return version("reader")
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
