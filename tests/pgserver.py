"""A throw-away Postgres server for the tests, and a fresh schema for each test.

The server: NEWSBRIEF_TEST_PG_URL when set (a database the tests may create schemas in), else a
cluster made with the installed server's own initdb/pg_ctl in a temporary folder, reached over a
unix socket there (no port to clash with) and stopped at the end of the session. As root, the
cluster is run as the `postgres` user (initdb refuses root). Without Postgres binaries the tests
that need it skip, saying why; with NEWSBRIEF_TEST_PG_REQUIRED=1 (CI) they fail instead.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# Read once at import: the tests' clean_environ fixture removes NEWSBRIEF_* variables.
URL_FROM_ENV = os.environ.get("NEWSBRIEF_TEST_PG_URL", "").strip()
REQUIRED = os.environ.get("NEWSBRIEF_TEST_PG_REQUIRED", "") == "1"
_schemas = itertools.count(1)


class Unavailable(Exception):
    """No Postgres server for the tests; the message says why."""


def find_bindir() -> Path | None:
    """The newest installed server's binaries (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


@dataclass
class PgServer:
    """A server the tests can make schemas in; `url(schema)` opens a store on one."""

    base_url: str
    folder: Path | None = None
    bindir: Path | None = None
    _admin: object | None = field(default=None, repr=False)

    def admin(self):  # -> psycopg.Connection
        import psycopg

        if self._admin is None or self._admin.closed:  # type: ignore[attr-defined]
            self._admin = psycopg.connect(self.base_url, autocommit=True)
        return self._admin

    def new_schema(self) -> str:
        name = f"nb_test_{os.getpid()}_{next(_schemas)}"
        self.admin().execute(f'CREATE SCHEMA "{name}"')  # type: ignore[attr-defined]
        return name

    def drop_schema(self, name: str) -> None:
        self.admin().execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')  # type: ignore[attr-defined]

    def url(self, schema: str) -> str:
        """The server's URL with the schema as the search path (libpq's `options`)."""
        separator = "&" if "?" in self.base_url else "?"
        return f"{self.base_url}{separator}options={quote(f'-csearch_path={schema}', safe='')}"

    def stop(self) -> None:
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()  # type: ignore[attr-defined]
        if self.folder is None or self.bindir is None:
            return
        _as_postgres(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> PgServer:
    """Connect to NEWSBRIEF_TEST_PG_URL, or start a throw-away cluster; raises Unavailable."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install -e '.[test]')") from None
    if URL_FROM_ENV:
        server = PgServer(URL_FROM_ENV)
        try:
            server.admin()
        except Exception as exc:
            raise Unavailable(f"cannot connect to NEWSBRIEF_TEST_PG_URL: {exc}") from None
        return server
    bindir = find_bindir()
    if bindir is None:
        raise Unavailable(
            "no Postgres server binaries (initdb) found: install PostgreSQL (Debian: apt-get "
            "install postgresql) or set NEWSBRIEF_TEST_PG_URL to a server the tests may use"
        )
    folder = Path(tempfile.mkdtemp(prefix="newsbrief-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise Unavailable(
                "running as root and there is no 'postgres' user to run the server"
            ) from None
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, sockets = folder / "data", folder
    try:
        _as_postgres(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "newsbrief",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        settings = (
            f"-k {sockets} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=50"
        )
        _as_postgres(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                settings,
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text(errors="replace") if folder.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        detail = (exc.stderr or exc.stdout or "").strip().splitlines()[-3:] + log.splitlines()[-3:]
        raise Unavailable(
            f"cannot start a Postgres cluster with {bindir}: {' | '.join(detail)}"
        ) from None
    base = f"postgresql:///postgres?host={quote(str(sockets), safe='')}&user=newsbrief"
    server = PgServer(base, folder=folder, bindir=bindir)
    try:
        server.admin()
    except Exception as exc:
        server.stop()
        raise Unavailable(f"the throw-away Postgres cluster does not answer: {exc}") from None
    return server


def _as_postgres(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(
        command, check=check, capture_output=True, text=True, timeout=120, cwd="/"
    )
