"""The ingest benchmark's news server: generated feeds and article pages on 127.0.0.1.

Run as its own process (``benchmarks/ingest.py`` starts it) so its CPU work -- HTTP parsing,
page generation, gzip -- never holds the GIL of the process being measured nor stretches its
event loop. It prints ``PORT <n>`` once it is listening and its feeds are ready.

Routes:
  GET  /feed/<n>.xml          RSS 2.0, ETag + Last-Modified, 304 on a match, gzip when accepted
  GET  /page/<n>/<k>.html     a 50-150 KB article page (same validators and gzip)
  POST /control/change?fraction=0.1   bump that share of the feeds to the next version
  GET  /control/stats         request counts (JSON)
  GET  /control/feed-hits     requests per feed: how many feeds were fetched, how many more than
                              once, the first and last request's time (JSON; benchmarks/workers.py)
  POST /control/stop          exit

The server stops by itself when its parent process goes away or after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import os
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest_data as data  # noqa: E402

GZIP_LEVEL = 6


class NewsServer:
    def __init__(self, *, feeds: int, seed: int, base: str, tiny: bool = False) -> None:
        self.feeds = feeds
        self.tiny = tiny  # one short entry per feed, no article page (benchmarks/workers.py)
        self.feed_hits: Counter[int] = Counter()
        self.hit_times: dict[int, list[float]] = {}
        self.first_hit = self.last_hit = 0.0
        self.seed = seed
        self.base = base
        self.version = [0] * feeds
        self.cache: dict[tuple[int, int], tuple[bytes, bytes]] = {}
        self.stats: Counter[str] = Counter()
        self.stop = asyncio.Event()

    def feed_body(self, feed: int, version: int) -> tuple[bytes, bytes]:
        key = (feed, version)
        if key not in self.cache:
            if self.tiny:
                raw = data.tiny_feed_xml(feed, version, self.base)
            else:
                raw = data.feed_xml(self.seed, feed, version, self.base)
            self.cache[key] = (raw, gzip.compress(raw, GZIP_LEVEL, mtime=0))
        return self.cache[key]

    def warm(self) -> None:
        for feed in range(self.feeds):
            self.feed_body(feed, 0)

    def _respond(
        self, request: web.Request, raw: bytes, gz: bytes | None, etag: str, version: int
    ) -> web.Response:
        modified = format_datetime(data.EPOCH + timedelta(hours=version), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": modified, "Cache-Control": "max-age=0"}
        inm = request.headers.get("If-None-Match")
        ims = request.headers.get("If-Modified-Since")
        if (inm is not None and etag in (t.strip() for t in inm.split(","))) or (
            inm is None and ims == modified
        ):
            self.stats["304"] += 1
            return web.Response(status=304, headers=headers)
        self.stats["200"] += 1
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            if gz is None:
                gz = gzip.compress(raw, GZIP_LEVEL, mtime=0)
            headers["Content-Encoding"] = "gzip"
            body = gz
        else:
            body = raw
        self.stats["bytes"] += len(body)
        ctype = "application/rss+xml" if raw.startswith(b"<?xml") else "text/html"
        return web.Response(body=body, headers=headers, content_type=ctype, charset="utf-8")

    async def feed(self, request: web.Request) -> web.Response:
        feed = _index(request.match_info["feed"], self.feeds)
        version = self.version[feed]
        raw, gz = self.feed_body(feed, version)
        self.stats["feed"] += 1
        self.feed_hits[feed] += 1
        self.last_hit = time.time()
        self.hit_times.setdefault(feed, []).append(self.last_hit)
        self.first_hit = self.first_hit or self.last_hit
        return self._respond(request, raw, gz, f'"f{self.seed}-{feed}-{version}"', version)

    async def page(self, request: web.Request) -> web.Response:
        feed = _index(request.match_info["feed"], self.feeds)
        number = _index(request.match_info["number"], 10**6)
        raw = data.page_html(self.seed, feed, number, self.base)
        self.stats["page"] += 1
        return self._respond(request, raw, None, f'"p{self.seed}-{feed}-{number}"', 0)

    async def change(self, request: web.Request) -> web.Response:
        fraction = float(request.query.get("fraction", "0.1"))
        count = round(self.feeds * fraction)
        chosen = random.Random(f"{self.seed}:change:{max(self.version)}").sample(
            range(self.feeds), count
        )
        for feed in chosen:
            self.version[feed] += 1
            self.feed_body(feed, self.version[feed])
        return web.json_response({"changed": sorted(chosen)})

    async def stats_view(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.stats))

    async def feed_hits_view(self, request: web.Request) -> web.Response:
        hits = self.feed_hits
        return web.json_response(
            {
                "requests": sum(hits.values()),
                "fetched": len(hits),
                "twice": sorted(f for f, n in hits.items() if n > 1),
                "twice_at": {f: self.hit_times[f] for f, n in hits.items() if n > 1},
                "first": self.first_hit,
                "last": self.last_hit,
            }
        )

    async def stop_view(self, request: web.Request) -> web.Response:
        self.stop.set()
        return web.json_response({"stopping": True})


def _index(text: str, limit: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise web.HTTPNotFound() from None
    if not 0 <= value < limit:
        raise web.HTTPNotFound()
    return value


async def serve(feeds: int, seed: int, port: int, max_seconds: float, tiny: bool = False) -> None:
    parent = os.getppid()
    server = NewsServer(feeds=feeds, seed=seed, base="", tiny=tiny)
    app = web.Application()
    app.router.add_get("/feed/{feed}.xml", server.feed)
    app.router.add_get("/page/{feed}/{number}.html", server.page)
    app.router.add_post("/control/change", server.change)
    app.router.add_get("/control/stats", server.stats_view)
    app.router.add_get("/control/feed-hits", server.feed_hits_view)
    app.router.add_post("/control/stop", server.stop_view)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base = f"http://127.0.0.1:{bound}"
    server.warm()  # every feed's first version, before anything is measured
    print(f"PORT {bound}", flush=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_seconds
    while not server.stop.is_set() and loop.time() < deadline and os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.stop.wait(), 1.0)
    await asyncio.sleep(0.05)  # let the stop request's answer go out
    await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--feeds", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=3600.0)
    p.add_argument("--tiny", action="store_true", help="one short entry per feed, no pages")
    args = p.parse_args(argv)
    asyncio.run(serve(args.feeds, args.seed, args.port, args.max_seconds, args.tiny))


if __name__ == "__main__":
    main()
