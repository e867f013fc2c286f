"""bot.net against a real local aiohttp server (no mocks of aiohttp, no internet)."""

from __future__ import annotations

import asyncio
import ipaddress
import pickle
import re
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from httpserver import (
    FakeResolver,
    LocalServer,
    compressed,
    conditional,
    huge,
    redirect,
    slow_headers,
    trickle,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

from bot.net import (
    DEFAULT_USER_AGENT,
    BlockedURLError,
    Fetcher,
    FetchError,
    check_url,
    make_connector,
    parse_ip_host,
    public_only,
    public_or_private,
)

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
LOOPBACK = ipaddress.ip_address("127.0.0.1")


def only_test_server(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Allows the test server's 127.0.0.1 and nothing else that public_only refuses."""
    return None if ip == LOOPBACK else public_only(ip)


@pytest.fixture
async def server() -> AsyncIterator[LocalServer]:
    async with LocalServer() as srv:
        yield srv


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(allow_private=True, timeout=2.0) as f:
        yield f


# --------------------------------------------------------------------------- basics


async def test_get_returns_body_headers_and_names_the_bot(server: LocalServer, fetcher: Fetcher):
    url = server.route(
        "/feed.xml",
        body=RSS,
        content_type="application/rss+xml; charset=ISO-8859-1",
        headers={"X-Thing": "1"},
    )
    resp = await fetcher.get(url, accept="application/rss+xml")
    assert resp.status == 200 and resp.body == RSS and not resp.not_modified
    assert resp.url == url
    assert resp.content_type == "application/rss+xml"
    assert resp.charset == "iso-8859-1"
    assert resp.headers["x-thing"] == "1"  # case-insensitive
    sent = server.requests_for("/feed.xml")[0].headers
    assert sent["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("newsbrief/")
    assert "(+https://github.com/newsbrief/newsbrief)" in DEFAULT_USER_AGENT
    assert "gzip" in sent["Accept-Encoding"] and "deflate" in sent["Accept-Encoding"]
    assert sent["Accept"] == "application/rss+xml"
    assert "If-None-Match" not in sent and "If-Modified-Since" not in sent


async def test_etag_conditional_get_gives_not_modified(server: LocalServer, fetcher: Fetcher):
    handler = conditional(RSS, etag='"v1"')
    url = server.add("/c", handler)
    first = await fetcher.get(url)
    assert first.status == 200 and first.etag == '"v1"'
    second = await fetcher.get(url, etag=first.etag)
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == '"v1"'
    assert server.requests_for("/c")[1].headers["If-None-Match"] == '"v1"'
    assert handler.hits["304"] == 1


async def test_last_modified_conditional_get(server: LocalServer, fetcher: Fetcher):
    lm = "Wed, 25 Nov 2026 10:00:00 GMT"
    handler = conditional(RSS, last_modified=lm)
    url = server.add("/lm", handler)
    first = await fetcher.get(url)
    assert first.last_modified == lm and first.etag is None
    second = await fetcher.get(url, last_modified=first.last_modified)
    assert second.not_modified and second.last_modified == lm
    assert server.requests_for("/lm")[1].headers["If-Modified-Since"] == lm
    assert handler.hits["304"] == 1


async def test_304_without_validators_keeps_the_ones_sent(server: LocalServer, fetcher: Fetcher):
    url = server.route("/bare304", status=304)
    resp = await fetcher.get(url, etag='"e"', last_modified="x")
    assert resp.not_modified and resp.etag == '"e"' and resp.last_modified == "x"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_body_is_decoded(server: LocalServer, fetcher: Fetcher, encoding: str):
    url = server.add("/z", compressed(RSS * 50, encoding=encoding))
    resp = await fetcher.get(url)
    assert resp.body == RSS * 50


async def test_gzip_bomb_is_cut_at_the_decoded_size(server: LocalServer):
    url = server.add("/bomb", compressed(b"\0" * 3_000_000, encoding="gzip"))
    async with Fetcher(allow_private=True, max_bytes=100_000) as f:
        with pytest.raises(FetchError, match="body larger than 100 KB"):
            await f.get(url)


# --------------------------------------------------------------------------- status codes


@pytest.mark.parametrize("status", [404, 410, 500, 503])
async def test_error_status_raises_with_short_reason(
    server: LocalServer, fetcher: Fetcher, status: int
):
    url = server.route(f"/s{status}", status=status, body=b"nope")
    with pytest.raises(FetchError) as info:
        await fetcher.get(url)
    assert info.value.reason == f"HTTP {status}" and info.value.status == status
    assert str(info.value) == f"HTTP {status}"


async def test_429_carries_retry_after(server: LocalServer, fetcher: Fetcher):
    url = server.route("/busy", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as info:
        await fetcher.get(url)
    assert info.value.reason == "HTTP 429" and info.value.retry_after == 120.0


def test_errors_pickle_for_process_pools():
    err = pickle.loads(pickle.dumps(BlockedURLError("refused: loopback address 127.0.0.1")))
    assert isinstance(err, BlockedURLError) and err.reason == "refused: loopback address 127.0.0.1"


# --------------------------------------------------------------------------- redirects


async def test_redirects_are_followed_to_the_final_url(server: LocalServer, fetcher: Fetcher):
    server.add("/a", redirect("/b", status=301))
    server.add("/b", redirect(server.url("/c"), status=307))
    final = server.route("/c", body=RSS)
    resp = await fetcher.get(server.url("/a"))
    assert resp.url == final and resp.body == RSS
    assert [r.path for r in server.requests] == ["/a", "/b", "/c"]
    # Every hop names the bot.
    assert all(r.headers["User-Agent"] == DEFAULT_USER_AGENT for r in server.requests)


async def test_redirect_loop_is_refused(server: LocalServer, fetcher: Fetcher):
    server.add("/x", redirect("/y"))
    server.add("/y", redirect("/x"))
    with pytest.raises(FetchError, match="^redirect loop$"):
        await fetcher.get(server.url("/x"))
    assert len(server.requests) == 2


async def test_too_many_redirects(server: LocalServer):
    for i in range(10):
        server.add(f"/r{i}", redirect(f"/r{i + 1}"))
    server.route("/r10", body=b"end")
    async with Fetcher(allow_private=True, max_redirects=3) as f:
        with pytest.raises(FetchError, match="^too many redirects$"):
            await f.get(server.url("/r0"))
        assert len(server.requests) == 4
        ok = await f.get(server.url("/r7"))  # exactly 3 hops is fine
        assert ok.body == b"end"


async def test_redirect_without_location(server: LocalServer, fetcher: Fetcher):
    url = server.route("/noloc", status=302)
    with pytest.raises(FetchError, match="without a Location"):
        await fetcher.get(url)


async def test_redirect_to_file_url_is_refused_even_when_files_are_allowed(server: LocalServer):
    url = server.add("/tofile", redirect("file:///etc/passwd"))
    async with Fetcher(allow_private=True, allow_file=True) as f:
        with pytest.raises(BlockedURLError, match="file://"):
            await f.get(url)


# --------------------------------------------------------------------------- time and size limits


async def test_slow_response_times_out(server: LocalServer):
    url = server.add("/slow", slow_headers(3.0))
    async with Fetcher(allow_private=True, timeout=0.3) as f:
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"^timed out after 0\.3 s$"):
            await f.get(url)
        assert time.monotonic() - start < 1.5


async def test_endless_slow_body_hits_the_total_deadline(server: LocalServer):
    url = server.add("/trickle", trickle(interval=0.02))
    async with Fetcher(allow_private=True, timeout=0.3) as f:
        start = time.monotonic()
        with pytest.raises(FetchError, match="timed out"):
            await f.get(url)
        assert time.monotonic() - start < 1.5


@pytest.mark.parametrize("declare_length", [True, False])
async def test_oversized_body_is_refused(server: LocalServer, declare_length: bool):
    url = server.add("/big", huge(50_000, declare_length=declare_length, chunk_size=4096))
    async with Fetcher(allow_private=True, max_bytes=10_000) as f:
        with pytest.raises(FetchError, match=r"^body larger than 10 KB$"):
            await f.get(url)


@pytest.mark.parametrize("declare_length", [True, False])
async def test_200_mb_body_is_cut_off_early(server: LocalServer, declare_length: bool):
    handler = huge(200_000_000, declare_length=declare_length)
    url = server.add("/200mb", handler)
    async with Fetcher(allow_private=True, max_bytes=1_000_000, timeout=5) as f:
        with pytest.raises(FetchError, match=r"^body larger than 1 MB$"):
            await f.get(url)
    await asyncio.sleep(0.05)
    # The client stopped reading: the server got nowhere near 200 MB out.
    assert handler.sent["bytes"] < 30_000_000


async def test_body_at_exactly_the_limit_is_fine(server: LocalServer):
    url = server.route("/exact", body=b"a" * 1000)
    async with Fetcher(allow_private=True, max_bytes=1000) as f:
        assert len((await f.get(url)).body) == 1000


async def test_concurrency_limit(server: LocalServer):
    state = {"now": 0, "max": 0}

    async def handler(request: web.Request) -> web.Response:
        state["now"] += 1
        state["max"] = max(state["max"], state["now"])
        await asyncio.sleep(0.05)
        state["now"] -= 1
        return web.Response(body=b"ok")

    url = server.add("/n", handler)
    async with Fetcher(allow_private=True, concurrency=2) as f:
        results = await asyncio.gather(*(f.get(url) for _ in range(6)))
    assert [r.body for r in results] == [b"ok"] * 6
    assert state["max"] == 2


async def test_connection_refused_is_a_fetch_error():
    async with LocalServer() as srv:
        url = srv.url("/gone")
    async with Fetcher(allow_private=True) as f:
        with pytest.raises(FetchError, match="could not connect"):
            await f.get(url)


async def test_unknown_host_is_a_fetch_error():
    async with Fetcher(resolver=FakeResolver({})) as f:
        with pytest.raises(FetchError, match="could not resolve host nowhere.test"):
            await f.get("http://nowhere.test/")


# --------------------------------------------------------------------------- file://


async def test_file_urls_only_when_allowed(tmp_path: Path):
    feed = tmp_path / "demo.rss"
    feed.write_bytes(RSS)
    async with Fetcher(allow_file=True) as f:
        resp = await f.get(feed.as_uri())
        assert resp.body == RSS and resp.status == 200
        with pytest.raises(FetchError, match="file not found"):
            await f.get((tmp_path / "missing.xml").as_uri())
    async with Fetcher() as f:
        with pytest.raises(BlockedURLError, match="file://"):
            await f.get(feed.as_uri())


async def test_file_urls_support_conditional_requests(tmp_path: Path):
    feed = tmp_path / "demo.xml"
    feed.write_bytes(RSS)
    async with Fetcher(allow_file=True) as f:
        first = await f.get(feed.as_uri())
        assert first.etag and first.last_modified and not first.not_modified
        again = await f.get(feed.as_uri(), etag=first.etag)
        assert again.not_modified and again.body == b"" and again.etag == first.etag
        by_date = await f.get(feed.as_uri(), last_modified=first.last_modified)
        assert by_date.not_modified
        feed.write_bytes(RSS + b"\n<!-- changed -->")
        changed = await f.get(feed.as_uri(), etag=first.etag)
        assert not changed.not_modified and changed.etag != first.etag
        with pytest.raises(FetchError, match="^path is a directory$"):
            await f.get(tmp_path.as_uri())


async def test_file_size_limit(tmp_path: Path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 5000)
    async with Fetcher(allow_file=True, max_bytes=1000) as f:
        with pytest.raises(FetchError, match="body larger than 1 KB"):
            await f.get(big.as_uri())


# --------------------------------------------------------------------------- SSRF

BLOCKED_URLS = [
    # schemes
    "file:///etc/passwd",
    "ftp://example.com/feed.xml",
    "gopher://example.com/",
    "javascript:alert(1)",
    "data:text/html,hi",
    "example.com/no-scheme",
    # loopback in every spelling
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/admin",
    "http://127.1/",
    "http://2130706433/",
    "http://017700000001/",
    "http://0177.0.0.1/",
    "http://0177.0000.0000.0001/",
    "http://0x7f.0.0.1/",
    "http://0x7f000001/",
    "http://0x7F.1/",
    "http://127.0.0.1./",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://[::127.0.0.1]/",  # IPv4-compatible (deprecated) form
    "http://2130706433./",
    "http://0x7f.0x0.0x0.0x1/",
    "http://[::ffff:a9fe:a9fe]/",  # mapped 169.254.169.254, hex form
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    # unspecified
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    # private
    "http://10.0.0.1/",
    "http://10.255.255.255/",
    "http://012.0.0.1/",  # octal 10.0.0.1
    "http://167772161/",  # decimal 10.0.0.1
    "http://172.16.5.4/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://0xc0.0xa8.1.1/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[64:ff9b::a00:1]/",  # NAT64 wrapping 10.0.0.1
    # link-local and cloud metadata
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.43518/",
    "http://2852039166/",
    "http://0251.0376.0251.0376/",
    "http://0xa9fea9fe/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    # CGNAT
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    # multicast, reserved, broadcast, documentation
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.1/",
    # credentials (also the classic "example.com@127.0.0.1" confusion)
    "http://user:pw@example.com/",
    "http://example.com@127.0.0.1/",
    # garbage
    "",
    "   ",
    "http:// example.com/",
    "http://exa\nmple.com/",
    "http:///path-only",
    "http://example.com:99999/",
    "http://" + "a" * 3000 + ".com/",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_check_url_refuses(url: str):
    with pytest.raises(BlockedURLError) as info:
        check_url(url)
    assert info.value.reason.startswith("refused: ")


@pytest.mark.parametrize("url", BLOCKED_URLS)
async def test_fetcher_refuses_without_connecting(url: str):
    # A resolver that would answer everything: nothing may even be looked up.
    resolver = FakeResolver({})
    async with Fetcher(resolver=resolver, timeout=0.5) as f:
        with pytest.raises(BlockedURLError):
            await f.get(url)
    assert resolver.queries == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1#frag", "https://example.com/a?b=1"),
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://8.8.8.8/x", "http://8.8.8.8/x"),
        ("http://134744072/", "http://8.8.8.8/"),  # odd spelling of a public address, normalized
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("  https://example.com/feed  ", "https://example.com/feed"),
        ("http://[2606:4700:4700::1111]/", "http://[2606:4700:4700::1111]/"),
    ],
)
def test_check_url_accepts_and_normalizes(url: str, expected: str):
    assert check_url(url) == expected


@pytest.mark.parametrize(
    ("host", "ip"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.2", "10.1.0.2"),
        ("[::1]", "::1"),
        ("example.com", None),
        ("1.2.3.4.5", None),
        ("256.1.1.1", None),
        ("09.1.1.1", None),
    ],
)
def test_parse_ip_host(host: str, ip: str | None):
    parsed = parse_ip_host(host)
    assert (str(parsed) if parsed else None) == ip


async def test_loopback_server_is_refused_by_default(server: LocalServer):
    url = server.route("/secret", body=b"internal")
    async with Fetcher() as f:
        with pytest.raises(BlockedURLError, match="loopback address 127.0.0.1"):
            await f.get(url)
    assert server.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://167772161/",
        "http://0x0a.0.0.1/",
        "http://100.64.0.1/",
        "http://localhost/",
    ],
)
async def test_redirect_to_private_address_is_refused(server: LocalServer, target: str):
    url = server.add("/hop", redirect(target))
    async with Fetcher(address_policy=only_test_server, timeout=1.0) as f:
        with pytest.raises(BlockedURLError, match="^refused: "):
            await f.get(url)
    assert [r.path for r in server.requests] == ["/hop"]


async def test_dns_name_resolving_to_private_address_is_refused(server: LocalServer):
    server.route("/ok", body=b"fine")
    server.add("/hop", redirect(f"http://evil.test:{server.port}/ok"))
    resolver = FakeResolver({"feeds.test": "127.0.0.1", "evil.test": "10.0.0.1"})
    async with Fetcher(address_policy=only_test_server, resolver=resolver) as f:
        # The name that resolves to the allowed test server works ...
        assert (await f.get(f"http://feeds.test:{server.port}/ok")).body == b"fine"
        # ... a name resolving to 10.0.0.1 is refused, directly and after a redirect.
        with pytest.raises(BlockedURLError, match="evil.test resolves to a private address"):
            await f.get(f"http://evil.test:{server.port}/ok")
        with pytest.raises(BlockedURLError, match="private address 10.0.0.1"):
            await f.get(f"http://feeds.test:{server.port}/hop")
    assert "evil.test" in resolver.queries


async def test_dns_name_resolving_to_loopback_is_refused_by_default(server: LocalServer):
    server.route("/ok", body=b"fine")
    resolver = FakeResolver({"sneaky.test": "127.0.0.1", "v6.test": "::1"})
    async with Fetcher(resolver=resolver) as f:
        for name in ("sneaky.test", "v6.test"):
            with pytest.raises(BlockedURLError, match="loopback"):
                await f.get(f"http://{name}:{server.port}/ok")
    assert server.requests == []


async def test_real_localhost_name_is_refused(server: LocalServer):
    """Through the real system resolver too (no fake): localhost never gets through."""
    async with Fetcher() as f:
        with pytest.raises(BlockedURLError):
            await f.get(f"http://localhost:{server.port}/")
    assert server.requests == []


async def test_system_resolver_result_is_checked(server: LocalServer):
    """The machine's own host name through the real resolver: whatever it resolves to here
    (loopback or a private address) is refused, and nothing reaches the server."""
    name = socket.gethostname()
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        pytest.skip("host name does not resolve here")
    if any(public_only(ipaddress.ip_address(i[4][0].split("%")[0])) is None for i in infos):
        pytest.skip("host name resolves to a public address here")
    server.route("/ok", body=b"fine")
    async with Fetcher() as f:
        with pytest.raises(BlockedURLError, match="resolves to a"):
            await f.get(f"http://{name}:{server.port}/ok")
    assert server.requests == []


async def test_injected_session_still_guarded_by_resolution_check(server: LocalServer):
    server.route("/ok", body=b"fine")
    session_resolver = FakeResolver({"feeds.test": "127.0.0.1"})
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=session_resolver)) as s,
        Fetcher(session=s, resolver=FakeResolver({"feeds.test": "127.0.0.1"})) as f,
    ):
        with pytest.raises(BlockedURLError, match="loopback"):
            await f.get(f"http://feeds.test:{server.port}/ok")
        assert not s.closed
    assert server.requests == []


async def test_dns_rebinding_caught_at_connect_time(server: LocalServer):
    """The early check says public, the connection's own lookup says loopback: refused."""
    server.route("/ok", body=b"fine")
    connect_resolver = FakeResolver({"rebind.test": "127.0.0.1"})
    async with (
        aiohttp.ClientSession(connector=make_connector(resolver=connect_resolver)) as s,
        Fetcher(session=s, resolver=FakeResolver({"rebind.test": "93.184.216.34"})) as f,
    ):
        with pytest.raises(BlockedURLError, match="loopback address 127.0.0.1"):
            await f.get(f"http://rebind.test:{server.port}/ok")
    assert server.requests == []


async def test_shared_session_with_make_connector(server: LocalServer):
    server.route("/ok", body=b"fine")
    resolver = FakeResolver({"feeds.test": "127.0.0.1"})
    async with aiohttp.ClientSession(
        connector=make_connector(policy=only_test_server, resolver=resolver)
    ) as s:
        f = Fetcher(session=s, address_policy=only_test_server, resolver=resolver)
        assert (await f.get(f"http://feeds.test:{server.port}/ok")).body == b"fine"
        await f.close()
        assert not s.closed  # an injected session belongs to the caller


def test_policy_names_the_kind_of_address():
    ip = ipaddress.ip_address
    assert public_only(ip("8.8.8.8")) is None
    assert public_only(ip("2606:4700:4700::1111")) is None
    assert public_only(ip("10.0.0.1")) == "private address 10.0.0.1"
    assert public_only(ip("169.254.169.254")) == "cloud metadata address 169.254.169.254"
    assert public_only(ip("100.64.0.1")) == "shared (CGNAT) address 100.64.0.1"
    assert public_only(ip("::ffff:127.0.0.1")).startswith("loopback address 127.0.0.1")


PRIVATE_OPENED = [
    "10.0.0.1",
    "10.255.255.255",
    "172.16.5.4",
    "172.31.255.255",
    "192.168.1.1",
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "fc00::1",
    "fd12:3456::1",
    "::ffff:10.0.0.1",
]
NEVER_OPENED = [
    "169.254.169.254",  # the metadata service of most clouds
    "169.254.170.2",  # AWS ECS task metadata
    "169.254.1.1",  # any link-local address
    "fe80::1",
    "fd00:ec2::254",  # AWS metadata over IPv6, although inside the unique-local block
    "100.100.100.200",  # Alibaba Cloud metadata
    "168.63.129.16",  # Azure WireServer
    "::ffff:169.254.169.254",
    "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
]


@pytest.mark.parametrize("address", PRIVATE_OPENED)
def test_allow_private_opens_rfc1918_loopback_and_unique_local(address: str):
    ip = ipaddress.ip_address(address)
    assert public_only(ip) is not None
    assert public_or_private(ip) is None


@pytest.mark.parametrize("address", NEVER_OPENED)
def test_allow_private_never_opens_link_local_or_metadata(address: str):
    ip = ipaddress.ip_address(address)
    assert public_or_private(ip) is not None
    assert public_or_private(ip) == public_only(ip)


def test_allow_private_keeps_public_addresses():
    for address in ("8.8.8.8", "172.32.0.1", "2606:4700:4700::1111"):
        assert public_or_private(ipaddress.ip_address(address)) is None


def test_public_only_refuses_azure_wireserver():
    assert public_only(ipaddress.ip_address("168.63.129.16")) == (
        "cloud metadata address 168.63.129.16"
    )


def test_check_url_with_private_allowed():
    assert check_url("http://10.1.2.3/page", allow_private=True) == "http://10.1.2.3/page"
    assert check_url("http://localhost:8080/x", allow_private=True) == "http://localhost:8080/x"
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[fe80::1]/",
        "http://100.100.100.200/",
        "file:///etc/passwd",
    ):
        with pytest.raises(BlockedURLError):
            check_url(url, allow_private=True)
    with pytest.raises(BlockedURLError, match="local host name"):
        check_url("http://localhost:8080/x")


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://169.254.10.1/",
    ],
)
async def test_allow_private_fetcher_refuses_a_redirect_to_metadata(
    server: LocalServer, target: str
):
    url = server.add("/hop", redirect(target))
    resolver = FakeResolver({})
    async with Fetcher(allow_private=True, allow_file=True, resolver=resolver, timeout=1.0) as f:
        with pytest.raises(BlockedURLError, match="^refused: (cloud metadata|link-local)"):
            await f.get(url)
    assert [r.path for r in server.requests] == ["/hop"]


async def test_allow_private_fetcher_reaches_a_name_on_the_intranet(server: LocalServer):
    server.route("/page", body=b"intranet")
    resolver = FakeResolver({"wiki.corp": "127.0.0.1", "meta.corp": "169.254.169.254"})
    async with Fetcher(allow_private=True, resolver=resolver, timeout=1.0) as f:
        assert (await f.get(f"http://wiki.corp:{server.port}/page")).body == b"intranet"
        with pytest.raises(BlockedURLError, match="cloud metadata"):
            await f.get(f"http://meta.corp:{server.port}/page")


# --------------------------------------------------------------------------- broken servers


async def _raw_server(reply: bytes) -> tuple[asyncio.Server, str]:
    """A TCP server that answers every connection with ``reply`` and hangs up."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(4096)
        writer.write(reply)
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    return srv, f"http://127.0.0.1:{port}/"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", "invalid HTTP response|server closed"),
        (b"", "server closed the connection"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly a little",
            "response body was cut off or corrupt",
        ),
        (
            b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\nbody",
            "invalid HTTP response",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 9\r\n\r\nnot gzip!",
            "response body was cut off or corrupt",
        ),
    ],
)
async def test_broken_servers_give_a_fetch_error(reply: bytes, reason: str):
    srv, url = await _raw_server(reply)
    try:
        async with Fetcher(allow_private=True, timeout=2) as f:
            with pytest.raises(FetchError) as info:
                await f.get(url)
        assert re.search(reason, info.value.reason), info.value.reason
    finally:
        srv.close()
        await srv.wait_closed()


async def test_response_pickles(server: LocalServer, fetcher: Fetcher):
    resp = await fetcher.get(server.route("/p", body=RSS, headers={"ETag": '"x"'}))
    again = pickle.loads(pickle.dumps(resp))
    assert again.body == RSS and again.headers["etag"] == '"x"' and again.etag == '"x"'


# --------------------------------------------------------------------------- fuzzing


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=60)
    | st.builds(
        lambda scheme, host, rest: f"{scheme}://{host}{rest}",
        st.sampled_from(["http", "https", "HTTP", "file", "ftp", ""]),
        st.text(max_size=30),
        st.text(max_size=20),
    )
)
def test_fuzz_check_url(url: str):
    try:
        normalized = check_url(url)
    except BlockedURLError as exc:
        assert exc.reason.startswith("refused: ")
        return
    assert normalized.startswith(("http://", "https://"))
    host = URL(normalized).raw_host or ""
    ip = parse_ip_host(host)
    assert ip is None or public_only(ip) is None
    assert check_url(normalized) == normalized  # idempotent


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_fuzz_every_ipv4_spelling_agrees(value: int):
    ip = ipaddress.IPv4Address(value)
    spellings = [str(value), hex(value), ".".join(oct(b).replace("0o", "0") for b in ip.packed)]
    for host in spellings:
        assert parse_ip_host(host) == ip
        blocked = public_only(ip) is not None
        try:
            check_url(f"http://{host}/")
        except BlockedURLError:
            assert blocked
        else:
            assert not blocked
