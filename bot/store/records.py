"""Rows to records, one mapping for both databases: each store passes its `SqlDialect`, which
says how its driver returns a time (SQLite: ISO text; Postgres: a datetime already), as the
workspace records in bot.store.workspaces do."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.models import Quote, Source
from bot.store.base import ArticleRecord, FeedRecord
from bot.store.workspaces import SqlDialect

Row = Mapping[str, Any]


def _maybe(dialect: SqlDialect, value: Any) -> datetime | None:
    return None if value is None else dialect.time_value(value)


def feed_record(row: Row, dialect: SqlDialect) -> FeedRecord:
    return FeedRecord(
        id=row["id"],
        name=row["name"],
        url=row["url"],
        origin=row["origin"],
        active=bool(row["active"]),
        poll_minutes=row["poll_minutes"],
        tags=tuple(json.loads(row["tags"])),
        full_text=bool(row["full_text"]),
        title=row["title"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_fetch_at=_maybe(dialect, row["last_fetch_at"]),
        last_success_at=_maybe(dialect, row["last_success_at"]),
        next_poll_at=_maybe(dialect, row["next_poll_at"]),
        failures=row["failures"],
        last_error=row["last_error"],
    )


def article_record(
    row: Row, quotes: Sequence[Row], others: Sequence[Source], dialect: SqlDialect
) -> ArticleRecord:
    """`row`: the article joined with its feed's name as `source`; `quotes`: its quotes, key
    quotes first (`is_key`), then in article order; `others`: the other feeds that carried it."""
    return ArticleRecord(
        id=row["id"],
        title=row["title"],
        url=row["canonical_url"] or row["url"],
        feed_id=row["feed_id"],
        source=row["source"],
        published_at=dialect.time_value(row["published_at"]),
        first_seen_at=dialect.time_value(row["first_seen_at"]),
        text=row["text"],
        summary=tuple(json.loads(row["summary"])),
        quotes=tuple(Quote(q["text"], q["speaker"], q["speaker_title"]) for q in quotes),
        key_quote_count=sum(1 for q in quotes if q["is_key"]),
        other_sources=tuple(others),
        image=row["image_url"],
    )
