"""Several workers on one Postgres: feeds/s, duplicate fetches, duplicate posts, takeover time.

For each worker count (default 1, 2 and 4) on a fresh schema of a throw-away Postgres cluster
(tests/pgserver.py) and the benchmark news server (ingest_server.py --tiny: one short story per
feed, so claiming and fetching are measured, not extraction): start that many real
`newsbrief run --config ...` processes (role `all`: each polls, and the leader posts every new
story to an alerts console channel), let them poll every feed once, and report:

- seconds: from the first feed request at the server to the last (the whole cycle, takeover
  included); feeds/s (cycle): feeds / seconds; feeds/s (all alive): feeds fetched per second
  until the kill (with one worker: the whole cycle);
- duplicate fetches: feeds the server saw requested more than once, apart from the feeds a
  SIGKILLed worker had in flight (those are fetched once more by design: its fetch was lost);
- duplicate posts: stories printed more than once over all workers' output; posted: stories
  printed at least once (every feed has one new story);
- takeover: with 2+ workers, one worker (the last started) is SIGKILLed when a third of the feeds
  were fetched and it holds claims; the time from the kill until every feed it had claimed was
  polled by another (about claim_lease_seconds + claim_every_seconds).

    python benchmarks/workers.py --feeds 10000 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
import pgserver  # noqa: E402

MAIN = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
STORY = re.compile(r"Bench story (\d{5})-\d+")


@dataclass
class Result:
    workers: int
    feeds: int
    seconds: float
    rate: float  # feeds/s while all workers were alive
    duplicate_fetches: int
    refetched_after_kill: int
    posted: int
    duplicate_posts: int
    takeover: float | None


def start_news_server(feeds: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "ingest_server.py"), f"--feeds={feeds}", "--tiny"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise RuntimeError(f"news server did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[1])}"


def feed_hits(base: str) -> dict:
    with urllib.request.urlopen(base + "/control/feed-hits", timeout=60) as resp:
        return json.loads(resp.read())


def write_config(folder: Path, url: str, base: str, feeds: int, lease: int) -> Path:
    config = folder / "newsbrief.toml"
    parts = [
        f'[storage]\nurl = "{url}"\n\n[fetch]\nworkers = 1\nconcurrency = 32\n'
        f"timeout_seconds = 10\nclaim_lease_seconds = {lease}\nclaim_every_seconds = 1\n\n"
        '[[channels]]\nname = "alerts"\nplatform = "console"\nmode = "alerts"\nbackfill = 1\n'
    ]
    parts += [
        f'\n[[feeds]]\nname = "f{n:05d}"\nurl = "{base}/feed/{n}.xml"\npoll_minutes = 600\n'
        "full_text = false\n"
        for n in range(feeds)
    ]
    config.write_text("".join(parts), encoding="utf-8")
    return config


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def wait_for(what: str, check, deadline: float) -> None:
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.2)


def run(
    workers: int,
    feeds: int,
    lease: int,
    pg: pgserver.PgServer,
    folder: Path,
    keep_logs: Path | None = None,
) -> Result:
    url = pg.url(pg.new_schema())
    news, base = start_news_server(feeds)
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        config = write_config(folder, url, base, feeds, lease)
        # The schema and the feeds first, so the workers start on an upgraded database.
        subprocess.run(
            [sys.executable, "-c", MAIN, "doctor", "--config", str(config)],
            cwd=ROOT,
            capture_output=True,
        )
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder)}
        for n in range(workers):
            logs.append(folder / f"worker{workers}-{n}.log")
            with logs[-1].open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-c", MAIN, "run", "--config", str(config)],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        victim_feeds: set[int] = set()
        takeover = rate = None
        killed_wall = 0.0
        if workers > 1:
            wait_for("a third of the feeds", lambda: feed_hits(base)["fetched"] >= feeds // 3, 900)
            victim = procs[-1]  # the last started (if it leads, another takes the posting over)

            def victim_claims() -> bool:
                sql = "SELECT count(*) FROM feeds WHERE claimed_by LIKE %s"
                return query(url, sql, (f"%:{victim.pid}:%",))[0][0] > 0

            wait_for("the victim to hold claims", victim_claims, 300)
            killed_at = time.monotonic()
            killed_wall = time.time()
            os.kill(victim.pid, signal.SIGKILL)
            at_kill = feed_hits(base)
            rate = at_kill["fetched"] / (time.time() - at_kill["first"])
            rows = query(
                url, "SELECT name FROM feeds WHERE claimed_by LIKE %s", (f"%:{victim.pid}:%",)
            )
            victim_feeds = {int(name[1:]) for (name,) in rows}

            def taken_over() -> bool:
                names = [f"f{n:05d}" for n in victim_feeds]
                (left,) = query(
                    url,
                    "SELECT count(*) FROM feeds WHERE name = ANY(%s) AND last_success_at IS NULL",
                    (names,),
                )[0]
                return left == 0

            wait_for("the takeover", taken_over, 900)
            takeover = time.monotonic() - killed_at

        def all_polled() -> bool:
            rows = query(url, "SELECT count(*), count(last_success_at) FROM feeds")
            return rows[0] == (feeds, feeds)

        wait_for("every feed", all_polled, 1800)
        hits = feed_hits(base)

        def printed() -> Counter[str]:
            text = "".join(p.read_text(errors="replace") for p in logs)
            return Counter(STORY.findall(text))

        with contextlib.suppress(TimeoutError):  # reported as fewer posted
            wait_for("every story posted", lambda: len(printed()) >= feeds, 600)
        stories = printed()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        news.kill()
        news.wait()
    twice = set(hits["twice"])
    if keep_logs is not None:
        keep_logs.mkdir(parents=True, exist_ok=True)
        for log_file in logs:
            shutil.copy(log_file, keep_logs / log_file.name)
    for feed in sorted(twice - victim_feeds):  # the figure that must be 0: when, to explain it
        times = ", ".join(f"{t - killed_wall:+.1f}" for t in hits["twice_at"][str(feed)])
        print(f"duplicate fetch: feed {feed} at {times} s from the kill", file=sys.stderr)
    return Result(
        workers=workers,
        feeds=hits["fetched"],
        seconds=hits["last"] - hits["first"],
        rate=rate if rate is not None else hits["fetched"] / (hits["last"] - hits["first"]),
        duplicate_fetches=len(twice - victim_feeds),
        refetched_after_kill=len(twice & victim_feeds),
        posted=len(stories),
        duplicate_posts=sum(1 for n in stories.values() if n > 1),
        takeover=takeover,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--feeds", type=int, default=10_000)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--lease", type=int, default=10, help="claim_lease_seconds")
    p.add_argument("--logs", type=Path, help="copy the workers' logs to this folder")
    args = p.parse_args(argv)
    pg = pgserver.start_server()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsbrief-workers-") as tmp:
            for count in (int(n) for n in args.workers.split(",")):
                folder = Path(tmp) / f"w{count}"
                folder.mkdir()
                results.append(run(count, args.feeds, args.lease, pg, folder, args.logs))
                print(f"done: {results[-1]}", file=sys.stderr, flush=True)
    finally:
        pg.stop()
    print(
        "| workers | feeds | seconds | feeds/s (cycle) | feeds/s (all alive) | duplicate fetches "
        "| refetched (killed) | posted | duplicate posts | takeover s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        takeover = "-" if r.takeover is None else f"{r.takeover:.1f}"
        print(
            f"| {r.workers} | {r.feeds} | {r.seconds:.1f} | {r.feeds / r.seconds:.0f} "
            f"| {r.rate:.0f} | {r.duplicate_fetches} | {r.refetched_after_kill} | {r.posted} "
            f"| {r.duplicate_posts} | {takeover} |"
        )


if __name__ == "__main__":
    main()
