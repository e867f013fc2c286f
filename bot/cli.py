"""Command line: newsbrief run | digest | summarize | quotes | feeds | discord invite-url.

The bot's parts are imported when a command runs, not with this module: the `newsbrief` script
imports it, and so does every analysis worker process (multiprocessing re-imports the main
script), which must not carry the chat and HTTP libraries it never uses.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Settings

log = logging.getLogger("newsbrief")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbrief",
        description="News briefings for Slack and Discord. With no --config, a built-in demo "
        "(bundled sample feeds, SQLite in your data folder, console output) runs.",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log detail (default: INFO for run, WARNING otherwise)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", type=Path, help="config file (default: the built-in demo)")
        return p

    run = with_config(sub.add_parser("run", help="run the bot: poll feeds, post digests, answer"))
    run.add_argument(
        "--once",
        action="store_true",
        help="poll every feed once, post digests that are due, and exit",
    )
    run.add_argument(
        "--no-schedule",
        action="store_true",
        help="answer chat (and Slack's HTTP requests) only: no polls, digests or alerts; for the "
        "extra instances behind a load balancer, next to one that runs the schedule",
    )
    run.add_argument(
        "--role",
        choices=("poller", "poster", "all"),
        default="all",
        help="with several workers on one Postgres database: poller = poll feeds only, poster = "
        "post digests and alerts and answer chat only (one leader posts at a time), all = both "
        "(default)",
    )

    digest = with_config(
        sub.add_parser(
            "digest", help="poll due feeds and post a digest now (alerts channels: queued alerts)"
        )
    )
    digest.add_argument("--channel", help="only this channel (default: every channel)")
    digest.add_argument(
        "--dry-run",
        action="store_true",
        help="poll and print the digest here without posting it or writing anything (the "
        "database is read, never changed or created)",
    )

    summarize = with_config(sub.add_parser("summarize", help="summarize a URL, file or stdin"))
    summarize.add_argument("source", help="an http(s) URL, a text or HTML file, or - for stdin")
    summarize.add_argument(
        "--sentences",
        type=_whole_number(1, 10),
        default=None,
        metavar="N",
        help="sentences in the summary, 1-10 (default: [summary] sentences)",
    )
    summarize.add_argument(
        "--method",
        default=None,
        help="summary method: lederank (ours: the lede, then central sentences), newsrank (ours: "
        "the most central sentences), lead, lexrank, lsa, textrank, luhn, edmundson, kl, "
        "sumbasic or reduction (default: the config's [summary] method, lederank)",
    )
    summarize.add_argument("--language", default=None)
    summarize.add_argument("--json", action="store_true", help="machine-readable output")

    quotes = with_config(sub.add_parser("quotes", help="look up stored quotes"))
    quotes.add_argument("query", help="a speaker's name or some words of the quote")
    quotes.add_argument("--json", action="store_true")

    feeds = sub.add_parser("feeds", help="list, add, remove or import feeds")
    feeds_sub = feeds.add_subparsers(dest="action", required=True)
    listing = with_config(feeds_sub.add_parser("list", help="feeds with their status and errors"))
    listing.add_argument("--json", action="store_true")
    add = with_config(feeds_sub.add_parser("add", help="add a feed to one or every channel"))
    add.add_argument("url")
    add.add_argument("--name")
    add.add_argument("--channel")
    remove = with_config(feeds_sub.add_parser("remove", help="remove an added or imported feed"))
    remove.add_argument("name")
    imp = with_config(feeds_sub.add_parser("import", help="add every feed of an OPML file"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--channel")

    discord = sub.add_parser("discord", help="Discord helpers")
    discord_sub = discord.add_subparsers(dest="action", required=True)
    invite = with_config(discord_sub.add_parser("invite-url", help="print the bot's invite URL"))
    invite.add_argument("--app-id", type=int, help="application id (default: ask Discord)")

    with_config(sub.add_parser("doctor", help="check the config, database and tokens"))
    return parser


def _whole_number(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi`` (the same range as the config)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not lo <= number <= hi:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {lo} to {hi}, got {value!r}"
            )
        return number

    return parse


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.config import ConfigError, load_settings
    from bot.logs import setup_logging
    from bot.net import FetchError
    from bot.platforms.base import PlatformError
    from bot.store import StoreError

    default_level = "INFO" if args.command == "run" else "WARNING"
    try:
        settings = load_settings(getattr(args, "config", None))
        setup_logging(args.log_level or default_level, settings)
        return asyncio.run(_dispatch(args, settings))
    except ConfigError as exc:
        print(f"newsbrief: config error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"newsbrief: database error: {exc}", file=sys.stderr)
        return 2
    except FetchError as exc:  # e.g. a refused URL given on the command line
        print(f"newsbrief: {exc.reason}", file=sys.stderr)
        return 2
    except PlatformError as exc:
        print(f"newsbrief: {exc.reason} {exc.hint}".rstrip(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_commands

    handler = {
        "run": cli_commands.run,
        "digest": cli_commands.digest,
        "summarize": cli_commands.summarize,
        "quotes": cli_commands.quotes,
        "feeds": cli_commands.feeds,
        "discord": cli_commands.discord,
        "doctor": cli_commands.doctor,
    }[args.command]
    return await handler(args, settings)


def open_app(
    settings: Settings,
    *,
    executor: Executor | None = None,
    console_only: bool = False,
    dry_run: bool = False,
    role: str = "all",
) -> App:
    """An App for a CLI command; `console_only` skips connecting to Slack/Discord. `dry_run`
    works on an in-memory copy of the database and posts nowhere: nothing is recorded."""
    from bot.app import App
    from bot.store import open_store
    from bot.workers import Role

    platforms = None
    if console_only or dry_run:
        from bot.platforms.console import ConsolePlatform

        platforms = {"console": ConsolePlatform()}
    store = open_store(settings.storage, dry_run=True) if dry_run else None
    return App.from_settings(
        settings, platforms=platforms, executor=executor, store=store, role=Role(role)
    )
