"""The store's tables for many workspaces: Slack installations, OAuth states, chat channels,
posting leases. One implementation (bot.store.workspaces), run on SQLite and Postgres."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stores import Opener

from bot.store import SCHEMA_VERSION, SqliteStore, Store
from bot.store.workspaces import SlackBotRecord

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def bot(team: str, token: str, **kw: object) -> SlackBotRecord:
    values: dict = dict(
        enterprise_id="",
        team_id=team,
        bot_id=f"B_{team}",
        bot_user_id=f"U_{team}",
        bot_token=token,
        installed_at=NOW,
        team_name=f"Team {team}",
        bot_scopes=("chat:write", "commands"),
    )
    values.update(kw)
    return SlackBotRecord(**values)


def test_a_reinstall_replaces_the_workspace_bot_and_others_stay(open_store: Opener) -> None:
    store = open_store()
    store.save_slack_bot(bot("T1", "xoxb-one", installer_user_id="U_A"))
    store.save_slack_bot(bot("T2", "xoxb-two"))
    store.save_slack_bot(bot("T1", "xoxb-one-again"))  # reinstalled, installer unknown
    found = store.slack_bot("", "T1")
    assert found is not None and found.bot_token == "xoxb-one-again"
    assert found.installer_user_id == "U_A"  # kept from the first install
    assert found.bot_scopes == ("chat:write", "commands")
    assert found.installed_at == NOW and found.is_enterprise_install is False
    assert [b.team_id for b in store.slack_bots()] == ["T1", "T2"]
    assert "xoxb" not in repr(found)  # tokens never reach a log through a repr

    assert store.delete_slack_bot("", "T1") is True
    assert store.slack_bot("", "T1") is None
    assert store.delete_slack_bot("", "T1") is False
    assert store.slack_bot("", "T2") is not None


def test_an_oauth_state_is_accepted_once_and_only_before_it_expires(open_store: Opener) -> None:
    store = open_store()
    store.issue_oauth_state("s1", expires_at=NOW + timedelta(minutes=10), now=NOW)
    store.issue_oauth_state("s2", expires_at=NOW + timedelta(minutes=10), now=NOW)
    assert store.consume_oauth_state("unknown", now=NOW) is False
    assert store.consume_oauth_state("s1", now=NOW + timedelta(minutes=1)) is True
    assert store.consume_oauth_state("s1", now=NOW + timedelta(minutes=1)) is False  # used
    assert store.consume_oauth_state("s2", now=NOW + timedelta(minutes=10)) is False  # expired


def test_a_second_connection_sees_the_same_state_and_installation(open_store: Opener) -> None:
    """Two instances behind a load balancer share the database, not memory."""
    first, second = open_store(), open_store()
    first.issue_oauth_state("s1", expires_at=NOW + timedelta(minutes=10), now=NOW)
    first.save_slack_bot(bot("T1", "xoxb-one"))
    assert second.consume_oauth_state("s1", now=NOW) is True
    assert first.consume_oauth_state("s1", now=NOW) is False
    assert second.slack_bot("", "T1") is not None


def test_chat_channels_keep_only_what_was_set(open_store: Opener) -> None:
    store = open_store()
    store.save_chat_channel(
        name="slack@T1:C1",
        platform="slack",
        workspace="T1",
        target="C1",
        values={"digest_cron": "0 9 * * *", "include": ("bridge", "re:^Breaking")},
        updated_by="U_A",
        now=NOW,
    )
    [record] = store.chat_channels()
    assert record.values == {"digest_cron": "0 9 * * *", "include": ("bridge", "re:^Breaking")}
    assert (record.workspace, record.updated_by, record.updated_at) == ("T1", "U_A", NOW)
    assert store.chat_channel("slack", "C1") == record
    assert store.chat_channel("discord", "C1") is None
    store.save_chat_channel(
        name="slack@T1:C1",
        platform="slack",
        workspace="T1",
        target="C1",
        values={"timezone": "Europe/Berlin"},
        updated_by="U_B",
        now=NOW + timedelta(minutes=1),
    )
    assert store.chat_channels("discord") == []
    [record] = store.chat_channels("slack")
    assert record.values == {"timezone": "Europe/Berlin"} and record.updated_by == "U_B"
    assert record.updated_at == NOW + timedelta(minutes=1)


def test_forgetting_a_workspace_drops_its_channels_and_their_chat_feeds(
    open_store: Opener,
) -> None:
    store = open_store()
    for team, channel in (("T1", "C1"), ("T1", "C2"), ("T2", "C3")):
        store.save_chat_channel(
            name=f"slack@{team}:{channel}",
            platform="slack",
            workspace=team,
            target=channel,
            values={},
            updated_by="",
            now=NOW,
        )
    only_t1 = store.add_chat_feed(
        "Only T1", "https://a.example/rss", channel="slack@T1:C1", added_by=""
    )
    shared = store.add_chat_feed(
        "Shared", "https://b.example/rss", channel="slack@T1:C2", added_by=""
    )
    store.add_chat_feed("Shared", "https://b.example/rss", channel="slack@T2:C3", added_by="")
    store.set_last_fire("slack@T1:C1", NOW)

    names = store.workspace_channel_names("slack", "T1")
    assert names == ["slack@T1:C1", "slack@T1:C2"]
    store.delete_chat_channels(names)
    assert [r.name for r in store.chat_channels()] == ["slack@T2:C3"]
    assert store.subscribed_feed_ids("slack@T1:C1") == set()
    assert store.last_fire("slack@T1:C1") is None
    active = {f.name for f in store.feeds()}
    assert only_t1.name not in active  # nobody follows it any more: not polled
    assert shared.name in active  # T2 still follows it


def test_migration_8_upgrades_a_version_7_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    store.close()
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE slack_bots; DROP TABLE oauth_states; DROP TABLE chat_channels;"
        " DROP TABLE channel_leases; DROP INDEX feeds_due;"
        " ALTER TABLE feeds DROP COLUMN claimed_by; ALTER TABLE feeds DROP COLUMN claimed_until;"
    )
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    upgraded = SqliteStore(path)
    assert upgraded.version == SCHEMA_VERSION
    assert upgraded.chat_channels() == [] and upgraded.slack_bots() == []


def test_migration_8_upgrades_a_version_7_postgres_database(pg_url: str) -> None:
    import psycopg

    from bot.store.postgres import PostgresStore

    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute(
            "DROP TABLE slack_bots, oauth_states, chat_channels, channel_leases;"
            " ALTER TABLE feeds DROP COLUMN claimed_by, DROP COLUMN claimed_until;"
            " DROP INDEX feeds_due; DELETE FROM schema_version WHERE version >= 8"
        )
    upgraded = PostgresStore(pg_url)
    try:
        assert upgraded.version == SCHEMA_VERSION
        assert upgraded.chat_channels() == [] and upgraded.slack_bots() == []
        assert upgraded.claim_channel("news", owner="a", until=NOW, now=NOW - timedelta(1))
    finally:
        upgraded.close()


def test_a_channel_lease_has_one_holder_until_it_runs_out(open_store: Opener) -> None:
    first, second = open_store(), open_store()
    until = NOW + timedelta(minutes=15)
    assert first.claim_channel("news", owner="a", until=until, now=NOW)
    assert first.claim_channel("news", owner="a", until=until, now=NOW)  # its own: renewed
    assert not second.claim_channel("news", owner="b", until=until, now=NOW)
    assert second.claim_channel("other", owner="b", until=until, now=NOW)
    second.release_channel("news", owner="b")  # not b's: nothing happens
    assert not second.claim_channel("news", owner="b", until=until, now=NOW)
    # a holder that died: its lease runs out by itself
    assert second.claim_channel("news", owner="b", until=until + timedelta(minutes=15), now=until)
    first.release_channel("news", owner="a")  # too late: b holds it now
    assert not first.claim_channel("news", owner="a", until=until, now=NOW)


def test_instances_claiming_a_lease_at_once_get_it_exactly_once(open_store: Opener) -> None:
    """Each store has its own connection, as separate processes do: claims that meet in the
    database (a free channel, and one whose holder's lease ran out) have one winner."""
    stores = [open_store() for _ in range(4)]
    dead = open_store()
    until = NOW + timedelta(minutes=15)
    rounds = 10
    for number in range(rounds):
        dead.claim_channel(f"expired-{number}", owner="dead", until=NOW, now=NOW - timedelta(1))
    barrier = threading.Barrier(len(stores))
    won: dict[str, list[str]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def claim(store: Store, owner: str) -> None:
        try:
            for number in range(rounds):
                for channel in (f"free-{number}", f"expired-{number}"):
                    barrier.wait()
                    if store.claim_channel(channel, owner=owner, until=until, now=NOW):
                        with lock:
                            won.setdefault(channel, []).append(owner)
        except BaseException as exc:  # a failed claim fails the test, not the thread
            errors.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=claim, args=(store, f"instance-{i}"))
        for i, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 2 * rounds
    assert all(len(owners) == 1 for owners in won.values()), won
