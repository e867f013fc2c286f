"""A real local HTTP server for tests: aiohttp on 127.0.0.1, routes added per test.

    async with LocalServer() as srv:
        url = srv.route("/feed.xml", body=b"<rss ...>", content_type="application/rss+xml")
        ...
        assert srv.requests_for("/feed.xml")[0].headers["User-Agent"].startswith("newsbrief/")

Routes can be added after the server started (one catch-all handler dispatches by path), and
the handler factories below trigger the error paths: conditional GET, gzip, redirects, slow
headers, an endless trickling body, a huge streamed body (never allocated), arbitrary status.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: CIMultiDict[str] = field(repr=False)


class LocalServer:
    """A real aiohttp server on 127.0.0.1 (a free port) whose routes tests add on the fly."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, Handler] = {}
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> LocalServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        # handler_cancellation: an endless handler stops when the client hangs up.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]  # the free port the OS picked

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, handler: Handler) -> str:
        """Serve ``path`` with ``handler``; returns the full URL."""
        self._routes[path] = handler
        return self.url(path)

    def route(
        self,
        path: str,
        *,
        body: bytes | str = b"",
        status: int = 200,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve a fixed response at ``path``; returns the full URL."""
        return self.add(
            path, static(body, status=status, content_type=content_type, headers=headers)
        )

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                request.method, request.path, request.query_string, CIMultiDict(request.headers)
            )
        )
        handler = self._routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)


# --------------------------------------------------------------------------- handler factories


def static(
    body: bytes | str = b"",
    *,
    status: int = 200,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Handler:
    data = body.encode() if isinstance(body, str) else body

    async def handler(request: web.Request) -> web.StreamResponse:
        h = dict(headers or {})
        if content_type is not None:
            h["Content-Type"] = content_type
        return web.Response(body=data, status=status, headers=h)

    return handler


def conditional(
    body: bytes | str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str = "application/rss+xml",
) -> Handler:
    """200 with validators, or 304 when the request carries a matching one.

    ``handler.conditional_hits`` counts 304 answers so tests can assert the client sent them.
    """
    data = body.encode() if isinstance(body, str) else body
    hits = {"304": 0}

    async def handler(request: web.Request) -> web.StreamResponse:
        inm = request.headers.get("If-None-Match")
        ims = request.headers.get("If-Modified-Since")
        if (etag and inm == etag) or (last_modified and not etag and ims == last_modified):
            hits["304"] += 1
            return web.Response(status=304, headers=_validators(etag, last_modified))
        h = _validators(etag, last_modified)
        h["Content-Type"] = content_type
        return web.Response(body=data, headers=h)

    handler.hits = hits  # type: ignore[attr-defined]
    return handler


def _validators(etag: str | None, last_modified: str | None) -> dict[str, str]:
    h = {}
    if etag:
        h["ETag"] = etag
    if last_modified:
        h["Last-Modified"] = last_modified
    return h


def compressed(
    body: bytes | str, *, encoding: str = "gzip", content_type: str = "application/rss+xml"
) -> Handler:
    """The body compressed with ``gzip`` or ``deflate`` and the matching Content-Encoding."""
    data = body.encode() if isinstance(body, str) else body
    packed = gzip.compress(data) if encoding == "gzip" else zlib.compress(data)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=packed,
            headers={"Content-Encoding": encoding, "Content-Type": content_type},
        )

    return handler


def redirect(location: str, *, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})

    return handler


def slow_headers(delay: float, body: bytes = b"late") -> Handler:
    """Waits ``delay`` seconds before answering at all."""

    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(delay)
        return web.Response(body=body)

    return handler


def trickle(*, interval: float = 0.02, chunk: bytes = b"<", limit_s: float = 5.0) -> Handler:
    """Headers at once, then one small chunk every ``interval`` s: an endless slow body.

    Stops after ``limit_s`` so a broken client cannot hang the test run.
    """

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await resp.prepare(request)
        loop = asyncio.get_running_loop()
        end = loop.time() + limit_s
        try:
            while loop.time() < end:
                await resp.write(chunk)
                await asyncio.sleep(interval)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    return handler


def huge(
    total: int, *, declare_length: bool, chunk_size: int = 64 * 1024, content_type: str = "text/xml"
) -> Handler:
    """Streams ``total`` bytes (e.g. 200 MB) in chunks without ever holding them in memory.

    ``handler.sent`` records how many bytes were written before the client stopped reading.
    """
    block = b"x" * chunk_size
    sent = {"bytes": 0}

    async def handler(request: web.Request) -> web.StreamResponse:
        headers = {"Content-Type": content_type}
        resp = web.StreamResponse(headers=headers)
        if declare_length:
            resp.content_length = total
        await resp.prepare(request)
        try:
            while sent["bytes"] < total:
                n = min(chunk_size, total - sent["bytes"])
                await resp.write(block[:n])
                sent["bytes"] += n
        except (ConnectionError, RuntimeError):
            pass
        return resp

    handler.sent = sent  # type: ignore[attr-defined]
    return handler


def sequence(handlers: Iterable[Handler]) -> Handler:
    """Answers the n-th request with the n-th handler (the last one repeats)."""
    items = list(handlers)
    count = {"n": 0}

    async def handler(request: web.Request) -> web.StreamResponse:
        h = items[min(count["n"], len(items) - 1)]
        count["n"] += 1
        return await h(request)

    return handler


class FakeResolver(AbstractResolver):
    """A DNS resolver answering from a table: {"feeds.test": "127.0.0.1", ...}.

    Lets tests exercise "a DNS name that resolves to a private address" without real DNS.
    """

    def __init__(self, table: dict[str, str]) -> None:
        self.table = dict(table)
        self.queries: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.queries.append(host)
        ip = self.table.get(host.rstrip("."))
        if ip is None:
            raise OSError(f"unknown host {host}")
        fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": ip,
                "port": port,
                "family": fam,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None
