"""[storage]: SQLite by default, Postgres with `url`; the CLI, dry runs and doctor on Postgres."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEMO_DIR, ConfigError, parse_settings
from bot.store.postgres import SCHEMA_VERSION as PG_SCHEMA_VERSION

FEED = {"feeds": [{"name": "F", "url": "https://feeds.example/f.xml"}]}


def storage(table: dict[str, object]):
    return parse_settings({"storage": table, **FEED}, base_dir=Path("/srv/nb")).storage


def test_sqlite_stays_the_default_and_url_chooses_postgres() -> None:
    default = parse_settings(FEED, base_dir=Path("/srv/nb")).storage
    assert default.url is None and default.path is not None and default.path.name == "newsbrief.db"
    pg = storage({"url": "postgresql://newsbrief@db.internal/news", "password_env": "NB_DB_PW"})
    assert pg.url == "postgresql://newsbrief@db.internal/news" and pg.path is None
    assert pg.password_env == "NB_DB_PW" and pg.location == pg.url


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"path": "nb.db", "url": "postgresql://db/news"},
            "'path' (SQLite) and 'url' (Postgres) cannot both be set",
        ),
        ({"url": "mysql://db/news"}, "expected a postgresql:// URL"),
        ({"url": ""}, "expected a postgresql:// URL"),
        ({"path": "nb.db", "password_env": "NB_DB_PW"}, "only used with a Postgres 'url'"),
        ({"url": "postgresql://db/news", "password_env": "hunter2-is-my-password"}, "not shown"),
    ],
)
def test_bad_storage_settings_are_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        storage(table)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://newsbrief:Tr0ub4dor-3@db.internal/news",
        "postgresql://db.internal/news?user=nb&password=Tr0ub4dor-3",
    ],
)
def test_a_password_in_the_url_is_refused_without_showing_it(url: str) -> None:
    with pytest.raises(ConfigError, match="holds a password") as caught:
        storage({"url": url})
    assert "Tr0ub4dor" not in str(caught.value)
    assert "PGPASSWORD" in str(caught.value) and "password_env" in str(caught.value)


def demo_config(tmp_path: Path, storage_lines: str) -> str:
    """The bundled demo (its feeds are files) with another [storage]."""
    text = (DEMO_DIR / "config.toml").read_text(encoding="utf-8")
    text = text.replace('url = "file:', f'url = "file:{DEMO_DIR}/')
    config = tmp_path / "nb.toml"
    config.write_text(f"[storage]\n{storage_lines}\n{text}", encoding="utf-8")
    return str(config)


def test_the_cli_runs_on_postgres_and_a_dry_run_keeps_nothing(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.store.postgres import PostgresStore

    config = demo_config(tmp_path, f'url = "{pg_url}"')
    assert main(["digest", "--dry-run", "--config", config]) == 0
    assert "1. " in capsys.readouterr().out  # polled and composed inside one transaction
    store = PostgresStore(pg_url)
    assert store.article_count() == 0 and store.feeds() == []  # rolled back
    store.close()

    assert main(["digest", "--config", config]) == 0
    assert "1. " in capsys.readouterr().out
    assert main(["digest", "--config", config]) == 0
    assert "nothing new since the last digest" in capsys.readouterr().out
    assert main(["quotes", "Calloway", "--config", config]) == 0
    assert "Calloway" in capsys.readouterr().out  # full-text search of quotes by speaker


def test_doctor_checks_a_postgres_store_and_never_prints_its_password(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = demo_config(tmp_path, f'url = "{pg_url}"\npassword_env = "NB_TEST_DB_PASSWORD"')
    assert main(["doctor", "--config", config]) == 1
    out = capsys.readouterr().out
    assert "FAIL  database: environment variable NB_TEST_DB_PASSWORD is not set" in out

    monkeypatch.setenv("NB_TEST_DB_PASSWORD", "correct-horse-battery")  # trust auth ignores it
    assert main(["doctor", "--config", config]) == 0
    out = capsys.readouterr().out
    assert f"ok    database: {pg_url} (schema {PG_SCHEMA_VERSION}, 0 articles)" in out
    assert "correct-horse-battery" not in out


def test_an_unreachable_postgres_is_a_short_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    url = f"postgresql://nb@/news?host={tmp_path}&connect_timeout=2"
    config = demo_config(tmp_path, f'url = "{url}"')
    assert main(["digest", "--config", config]) == 2
    err = capsys.readouterr().err
    assert "cannot connect to the database postgresql://nb@/news" in err
    assert "Traceback" not in err
