"""The one HTTP client of newsbrief: limits, conditional GET, manual redirects and SSRF guards.

Every request goes through :class:`Fetcher`. It enforces a total deadline (connect, headers,
every redirect hop and the whole body), a maximum body size while streaming, a redirect limit
with loop detection, and -- unless ``allow_private=True`` -- refuses to talk to any address that
is not public. The address check runs where it cannot be fooled by odd spellings or DNS tricks:
on IP literals (any spelling) before connecting, and inside the connector's resolver on every
address a name resolves to -- so the address actually connected to is the one that was checked,
with no window for DNS rebinding -- and again on every redirect hop.

``allow_private=True`` opens exactly :data:`PRIVATE_NETWORKS` (RFC 1918, loopback, IPv6
unique-local); link-local and cloud metadata addresses (:data:`METADATA_ADDRESSES`) are refused
by every policy.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import mimetypes
import os
import re
import socket
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from importlib import metadata
from pathlib import Path
from types import TracebackType
from urllib.request import url2pathname

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict
from yarl import URL

log = logging.getLogger(__name__)

try:
    __version__ = metadata.version("newsbrief")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0"

DEFAULT_USER_AGENT = f"newsbrief/{__version__} (+https://github.com/newsbrief/newsbrief)"
MAX_URL_LENGTH = 2048
#: ``accept=`` values for :meth:`Fetcher.get`.
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Returns ``None`` when the address may be contacted, else a short reason ("loopback address
#: 127.0.0.1"). Pluggable so tests can allow their loopback server yet still see other
#: private addresses refused.
AddressPolicy = Callable[[IPAddress], str | None]


class FetchError(Exception):
    """A fetch failed; ``reason`` is short and safe to show to users."""

    def __init__(
        self,
        reason: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.reason


class BlockedURLError(FetchError):
    """The URL or the address it leads to is not allowed (scheme, private address, ...)."""


@dataclass(frozen=True)
class Response:
    url: str
    """Final URL, after redirects."""
    status: int
    body: bytes
    headers: Mapping[str, str] = field(repr=False)
    """Case-insensitive (a ``CIMultiDict`` copy, so the response pickles)."""
    not_modified: bool
    etag: str | None
    last_modified: str | None
    content_type: str
    """Lower-case MIME type without parameters, e.g. ``application/rss+xml``."""
    charset: str | None


# --------------------------------------------------------------------------- address policy

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Cloud instance-metadata and host-agent addresses: refused by every policy, whatever a
#: setting says. 169.254.169.254 (AWS, GCP, Azure, Oracle, DigitalOcean, OpenStack),
#: 169.254.170.2 (AWS ECS task metadata), fd00:ec2::254 (AWS over IPv6), 100.100.100.200
#: (Alibaba Cloud), 168.63.129.16 (Azure WireServer; a public-looking address).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "fd00:ec2::254",
        "100.100.100.200",
        "168.63.129.16",
    )
)
#: What ``allow_private`` (``[fetch] allow_private_urls``) opens, and nothing more: RFC 1918
#: private IPv4, loopback and IPv6 unique-local addresses. Link-local (169.254.0.0/16,
#: fe80::/10), CGNAT, multicast, reserved and metadata addresses stay refused.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1/128", "fc00::/7")
)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64, Teredo), if any."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    embedded = ip.ipv4_mapped or ip.sixtofour
    if embedded is None and ip in _NAT64:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if embedded is None and ip.teredo:
        embedded = ip.teredo[1]
    return embedded


def _without_scope(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        return ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    return ip


def public_only(ip: IPAddress) -> str | None:
    """The default policy: only globally routable unicast addresses."""
    ip = _without_scope(ip)
    # Addresses that embed an IPv4 address are judged by the embedded one.
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = public_only(embedded)
        return f"{reason} (as {ip})" if reason else None
    if ip in METADATA_ADDRESSES:
        return f"cloud metadata address {ip}"
    if ip.is_unspecified:
        return f"unspecified address {ip}"
    if ip.is_loopback:
        return f"loopback address {ip}"
    if ip.is_link_local:
        return f"link-local address {ip}"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return f"shared (CGNAT) address {ip}"
    if ip.is_multicast:
        return f"multicast address {ip}"
    if ip.is_private:
        return f"private address {ip}"
    if ip.is_reserved or not ip.is_global:
        return f"reserved address {ip}"
    return None


def public_or_private(ip: IPAddress) -> str | None:
    """Policy for ``allow_private=True``: public addresses plus :data:`PRIVATE_NETWORKS`.

    Never link-local or a cloud metadata address: those are what an attacker is after, and no
    intranet news page lives there.
    """
    ip = _without_scope(ip)
    judged = _embedded_ipv4(ip) or ip
    if judged in METADATA_ADDRESSES:
        return public_only(ip)
    if any(judged in net for net in PRIVATE_NETWORKS if net.version == judged.version):
        return None
    return public_only(ip)


_INET_ATON_PART = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def parse_ip_host(host: str) -> IPAddress | None:
    """Read ``host`` as an IP address in any spelling ``inet_aton`` or a browser would accept.

    Handles ``[::1]``, IPv6 zone ids, and the legacy IPv4 forms: ``2130706433``, ``0177.0.0.1``,
    ``0x7f.0.0.1``, ``127.1``. Returns ``None`` for a DNS name.
    """
    h = host.strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if h.endswith(".") and not h.endswith(".."):
        h = h[:-1]
    try:
        return ipaddress.ip_address(h)
    except ValueError:
        pass
    parts = h.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_ATON_PART.match(p) for p in parts):
        return None
    try:
        nums = [int(p, 16) if p.lower().startswith("0x") and len(p) > 2 else _num(p) for p in parts]
    except ValueError:
        return None
    # inet_aton: the last part fills all remaining bytes.
    last_bits = 8 * (5 - len(nums))
    if any(n > 255 for n in nums[:-1]) or nums[-1] >= 1 << last_bits:
        return None
    value = 0
    for n in nums[:-1]:
        value = value << 8 | n
    value = value << last_bits | nums[-1]
    return ipaddress.IPv4Address(value)


def _num(part: str) -> int:
    if part.lower() == "0x":
        return 0
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part, 10)


def _check_ip(ip: IPAddress, policy: AddressPolicy, url: str | None = None) -> None:
    reason = policy(ip)
    if reason:
        raise BlockedURLError(f"refused: {reason}", url=url)


# --------------------------------------------------------------------------- URL checks

_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_BLOCKED_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOOPBACKS = (ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1"))


def check_url(url: str, *, allow_private: bool = False) -> str:
    """Check a user-supplied URL without network access; return it normalized.

    Only ``http``/``https`` with a host name or a public IP address (or, with
    ``allow_private``, one of :data:`PRIVATE_NETWORKS`), no user name or password, never
    file://. This is the cheap early check for commands; :class:`Fetcher` checks again after
    DNS resolution and on every redirect hop.
    """
    policy = public_or_private if allow_private else public_only
    return _check_url(url, allow_file=False, policy=policy)


def _check_url(url: str, *, allow_file: bool, policy: AddressPolicy) -> str:
    if not isinstance(url, str) or not url.strip():
        raise BlockedURLError("refused: empty URL")
    raw = url.strip()
    if len(raw) > MAX_URL_LENGTH:
        raise BlockedURLError("refused: URL is too long", url=raw[:100])
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):
        raise BlockedURLError("refused: URL contains spaces or control characters", url=raw)
    try:
        u = URL(raw)
    except (ValueError, TypeError) as exc:
        raise BlockedURLError("refused: not a valid URL", url=raw) from exc
    scheme = (u.scheme or "").lower()
    if scheme == "file":
        if not allow_file:
            raise BlockedURLError("refused: file:// URLs are not allowed here", url=raw)
        if u.host not in (None, "", "localhost"):
            raise BlockedURLError("refused: file:// URL with a remote host", url=raw)
        return str(u.with_fragment(None))
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "a URL without http:// or https://"
        raise BlockedURLError(f"refused: only http and https links are allowed, not {shown}")
    if u.user is not None or u.password is not None:
        raise BlockedURLError("refused: links with a user name or password", url=raw)
    host = u.raw_host
    if not host:
        raise BlockedURLError("refused: URL has no host", url=raw)
    host = host.lower()
    ip = parse_ip_host(host)
    if ip is not None:
        _check_ip(ip, policy, raw)
        if str(ip) != host.strip("[]"):
            # Rewrite odd spellings to the canonical form so every later stage sees the same.
            u = u.with_host(str(ip))
    else:
        if not _HOST_NAME.fullmatch(host):
            raise BlockedURLError("refused: not a valid host name", url=raw)
        if host != u.raw_host:
            u = u.with_host(host)
        bare = host.rstrip(".")
        local_name = bare in _BLOCKED_NAMES or bare.endswith(".localhost")
        if local_name and any(policy(ip) for ip in _LOOPBACKS):  # unless loopback is allowed
            raise BlockedURLError(f"refused: local host name {bare}", url=raw)
    try:
        port = u.port
    except ValueError as exc:
        raise BlockedURLError("refused: invalid port", url=raw) from exc
    if port is not None and not 0 < port < 65536:
        raise BlockedURLError("refused: invalid port", url=raw)
    u = u.with_fragment(None)
    text = str(u)
    if u.raw_path in ("", "/") and not u.raw_query_string and not text.endswith("/"):
        text += "/"  # one spelling for the bare host, so stored URLs compare equal
    return text


# --------------------------------------------------------------------------- resolver


class PolicyResolver(AbstractResolver):
    """Wraps a resolver and drops every resolved address the policy refuses.

    The connector connects only to addresses this returns, so the check holds for the address
    actually used (no window for DNS rebinding between check and connect).
    """

    def __init__(self, inner: AbstractResolver, policy: AddressPolicy) -> None:
        self._inner = inner
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        refused: list[str] = []
        for res in results:
            try:
                ip = ipaddress.ip_address(res["host"])
            except ValueError:
                refused.append(f"unparseable address {res['host']!r}")
                continue
            reason = self._policy(ip)
            if reason:
                refused.append(reason)
            else:
                allowed.append(res)
        if refused:
            log.debug("resolver: %s -> refused %s", host, refused)
        if not allowed:
            if refused:
                raise BlockedURLError(f"refused: {host} resolves to a {refused[0]}")
            raise OSError(f"no addresses for {host}")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


# --------------------------------------------------------------------------- fetcher


def _human_bytes(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1_000:
        return f"{n / 1_000:g} KB"
    return f"{n} bytes"


def _http_date(st: os.stat_result) -> str:
    return formatdate(st.st_mtime, usegmt=True)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date; callers fall back to their own backoff


class Fetcher:
    """Fetches URLs with limits and SSRF guards. Use as ``async with Fetcher() as f: ...``.

    ``session``: an injected session is used as is and not closed by :meth:`close`. Its
    connector is not under our control, so names are first resolved through ``resolver`` and
    checked; that alone leaves a DNS-rebinding window, so build shared sessions with
    :func:`make_connector`, which checks at connect time.
    ``address_policy`` overrides the policy implied by ``allow_private``.
    ``resolver``: the inner DNS resolver (default: aiohttp's), e.g. a fake in tests.
    """

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        max_redirects: int = 5,
        concurrency: int = 16,
        allow_private: bool = False,
        allow_file: bool = False,
        address_policy: AddressPolicy | None = None,
        resolver: AbstractResolver | None = None,
    ) -> None:
        if timeout <= 0 or max_bytes <= 0 or max_redirects < 0 or concurrency < 1:
            raise ValueError("timeout, max_bytes and concurrency must be positive")
        self._session = session
        self._own_session = session is None
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.concurrency = concurrency
        self.allow_file = allow_file
        self.policy: AddressPolicy = address_policy or (
            public_or_private if allow_private else public_only
        )
        self._inner_resolver = resolver
        self._check_resolver: PolicyResolver | None = None
        self._sem = asyncio.Semaphore(concurrency)
        self._closed = False

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        if self._own_session and self._session is not None:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("Fetcher is closed")
        if self._session is None:
            connector = make_connector(
                policy=self.policy, resolver=self._inner_resolver, limit=self.concurrency
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,  # a proxy from the environment would bypass the address check
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET ``url``; raises :class:`FetchError` (or :class:`BlockedURLError`) on failure."""
        checked = _check_url(url, allow_file=self.allow_file, policy=self.policy)
        async with self._sem:
            try:
                async with asyncio.timeout(self.timeout):
                    if checked.startswith("file:"):
                        return await self._get_file(checked, etag, last_modified)
                    return await self._get_http(checked, etag, last_modified, accept)
            except TimeoutError as exc:
                log.info("fetch %s: timed out after %g s", url, self.timeout)
                raise FetchError(f"timed out after {self.timeout:g} s", url=url) from exc

    async def _get_file(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        """Read a local file with the same size limit; validators come from size and mtime,
        so conditional requests work for local feeds too."""
        u = URL(url)
        path = Path(url2pathname(u.path))

        def read(known: bool) -> tuple[os.stat_result, bytes | None]:
            with path.open("rb") as fh:
                st = os.fstat(fh.fileno())
                if stat.S_ISDIR(st.st_mode):
                    raise IsADirectoryError(str(path))
                tag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
                if known and (etag == tag or (not etag and last_modified == _http_date(st))):
                    return st, None
                return st, fh.read(self.max_bytes + 1)

        try:
            st, data = await asyncio.to_thread(read, bool(etag or last_modified))
        except FileNotFoundError as exc:
            raise FetchError("file not found", url=url) from exc
        except IsADirectoryError as exc:
            raise FetchError("path is a directory", url=url) from exc
        except OSError as exc:
            log.info("fetch %s: %s", url, exc)
            raise FetchError("could not read file", url=url) from exc
        if data is not None and len(data) > self.max_bytes:
            raise FetchError(f"body larger than {_human_bytes(self.max_bytes)}", url=url)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix.lower() in (".rss", ".atom", ".rdf"):
            ctype = "application/xml"
        new_etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        new_lm = _http_date(st)
        headers = CIMultiDict({"Content-Type": ctype, "ETag": new_etag, "Last-Modified": new_lm})
        return Response(
            url=url,
            status=304 if data is None else 200,
            body=data or b"",
            headers=headers,
            not_modified=data is None,
            etag=new_etag,
            last_modified=new_lm,
            content_type=ctype,
            charset=None,
        )

    async def _get_http(
        self, url: str, etag: str | None, last_modified: str | None, accept: str | None
    ) -> Response:
        session = self._get_session()
        headers = {
            "User-Agent": self.user_agent,
            "Accept": accept or "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        current = url
        for hop in range(self.max_redirects + 1):
            if not self._own_session:
                await self._precheck_host(current)
            try:
                resp = await session.get(
                    URL(current, encoded=True),
                    headers=headers,
                    allow_redirects=False,
                )
            except TimeoutError:
                raise
            except BlockedURLError as exc:
                exc.url = url
                log.info("fetch %s: %s", current, exc.reason)
                raise
            except aiohttp.ClientError as exc:
                raise _client_error(exc, current) from exc
            except OSError as exc:
                # A blocked resolution can arrive wrapped by aiohttp.
                log.info("fetch %s: %r", current, exc)
                raise FetchError("could not connect", url=url) from exc
            ok = False
            try:
                if resp.status in _REDIRECT_STATUSES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError(f"HTTP {resp.status} without a Location", url=url)
                    try:
                        target = str(resp.url.join(URL(location)))
                    except ValueError as exc:
                        raise FetchError("redirect to an invalid URL", url=url) from exc
                    # Every hop is checked like a user-supplied URL; never to file://.
                    nxt = _check_url(target, allow_file=False, policy=self.policy)
                    log.debug("fetch %s: %s -> %s", url, resp.status, nxt)
                    if nxt in seen:
                        raise FetchError("redirect loop", url=url)
                    if hop == self.max_redirects:
                        raise FetchError("too many redirects", url=url)
                    seen.add(nxt)
                    current = nxt
                    ok = True
                    continue
                result = await self._finish(resp, url, etag, last_modified)
                ok = True
                return result
            finally:
                # release() keeps a fully read connection for reuse; close() drops a half-read one.
                if ok:
                    resp.release()
                else:
                    resp.close()
        raise FetchError("too many redirects", url=url)  # pragma: no cover - loop exits above

    async def _finish(
        self, resp: aiohttp.ClientResponse, url: str, etag: str | None, last_modified: str | None
    ) -> Response:
        final = str(resp.url)
        if resp.status == 304:
            return Response(
                url=final,
                status=304,
                body=b"",
                headers=CIMultiDict(resp.headers),
                not_modified=True,
                etag=resp.headers.get("ETag") or etag,
                last_modified=resp.headers.get("Last-Modified") or last_modified,
                content_type=resp.content_type,
                charset=resp.charset.lower() if resp.charset else None,
            )
        if resp.status >= 400:
            log.info("fetch %s: HTTP %s", final, resp.status)
            raise FetchError(
                f"HTTP {resp.status}",
                url=url,
                status=resp.status,
                retry_after=_retry_after(resp.headers.get("Retry-After")),
            )
        limit = self.max_bytes
        too_big = f"body larger than {_human_bytes(limit)}"
        if resp.content_length is not None and resp.content_length > limit:
            log.info("fetch %s: declared length %s > %s", final, resp.content_length, limit)
            raise FetchError(too_big, url=url, status=resp.status)
        buf = bytearray()
        try:
            async for chunk in resp.content.iter_chunked(_CHUNK):
                buf += chunk
                if len(buf) > limit:
                    log.info("fetch %s: body exceeds %s bytes, stopped reading", final, limit)
                    raise FetchError(too_big, url=url, status=resp.status)
        except TimeoutError:
            raise
        except aiohttp.ClientError as exc:
            raise _client_error(exc, final) from exc
        return Response(
            url=final,
            status=resp.status,
            body=bytes(buf),
            headers=CIMultiDict(resp.headers),
            not_modified=False,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            content_type=resp.content_type,
            charset=resp.charset.lower() if resp.charset else None,
        )

    async def _precheck_host(self, url: str) -> None:
        """For injected sessions: resolve the name through the policy before connecting."""
        host = URL(url).raw_host or ""
        if parse_ip_host(host) is not None:
            return  # literals were checked by _check_url
        if self._check_resolver is None:
            inner = self._inner_resolver or aiohttp.resolver.DefaultResolver()
            self._check_resolver = PolicyResolver(inner, self.policy)
        try:
            await self._check_resolver.resolve(host, 0, socket.AF_UNSPEC)
        except BlockedURLError as exc:
            exc.url = url
            raise
        except OSError as exc:
            raise FetchError(f"could not resolve host {host}", url=url) from exc


def make_connector(
    *,
    policy: AddressPolicy = public_only,
    resolver: AbstractResolver | None = None,
    limit: int = 16,
) -> aiohttp.TCPConnector:
    """A connector whose resolver refuses addresses the policy rejects (for shared sessions).

    Call it from a running event loop (aiohttp's default resolver binds to it).
    """
    inner = resolver or aiohttp.resolver.DefaultResolver()
    return aiohttp.TCPConnector(
        resolver=PolicyResolver(inner, policy),
        limit=limit,
        ttl_dns_cache=60,
        enable_cleanup_closed=False,
    )


def _client_error(exc: aiohttp.ClientError, url: str) -> FetchError:
    log.info("fetch %s: %r", url, exc)
    host = URL(url).host or "?"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, BlockedURLError):
            return BlockedURLError(exc.os_error.reason, url=url)
        return FetchError(f"could not resolve host {host}", url=url)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return FetchError(f"TLS error talking to {host}", url=url)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return FetchError(f"could not connect to {host}", url=url)
    if isinstance(exc, aiohttp.InvalidURL):
        return BlockedURLError("refused: not a valid URL", url=url)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return FetchError("response body was cut off or corrupt", url=url)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return FetchError("server closed the connection", url=url)
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError("invalid HTTP response", url=url)
    return FetchError(f"network error ({type(exc).__name__})", url=url)
