"""What each `newsbrief` subcommand does (argument parsing lives in bot.cli)."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from bot.analyze import Analysis, analyze_page, analyze_text
from bot.app import App
from bot.cli import open_app
from bot.cli_input import InputError, as_text, is_url, looks_like_html, read_input, source_name
from bot.commands import feed_status_line, no_summary_reason
from bot.config import ConfigError, FetchSettings, Settings
from bot.extract import ExtractError
from bot.feeds import parse_opml
from bot.ingest import PollReport
from bot.net import BlockedURLError, Fetcher, FetchError, check_url
from bot.options import SummaryOptions, method_name
from bot.platforms.console import quote_text, render_digest
from bot.textsafe import display_safe


def _progress(total: int):
    done = 0

    def report(poll: PollReport) -> None:
        nonlocal done
        done += 1
        if poll.error:
            state = f"failed: {poll.error}"
        elif poll.not_modified:
            state = "unchanged"
        else:
            state = f"{poll.new} new" + (f", {poll.merged} merged" if poll.merged else "")
        line = display_safe(f"[{done}/{total}] {poll.feed}: {state}")
        print(line, file=sys.stderr, flush=True)

    return report


async def _poll_due(app: App) -> None:
    due = app.store.due_feeds(app.clock())
    if due:
        print(f"Polling {len(due)} feed(s)…", file=sys.stderr, flush=True)
        await app.ingestor.poll(due, progress=_progress(len(due)))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings, role=args.role)
    try:
        if args.once:
            await app.run_once()
        else:
            await app.run_forever(schedule=not args.no_schedule)
    finally:
        await app.close()
    return 0


async def digest(args: argparse.Namespace, settings: Settings) -> int:
    channels = [settings.channel(args.channel)] if args.channel else list(settings.channels)
    if not channels:
        raise ConfigError("no [[channels]] configured: nothing to post a digest to")
    app = open_app(settings, dry_run=args.dry_run)
    failed = 0
    try:
        await _poll_due(app)
        if args.dry_run:
            for channel in channels:
                preview = (app.alerts if channel.alerts else app.poster).preview(channel)
                print(
                    render_digest(preview)
                    if preview
                    else f"{channel.name}: nothing new since the last digest."
                )
            return 0
        await app.start_platforms()
        for channel in channels:
            if channel.alerts:
                sent = await app.alerts.drain(channel)
                if sent.error:
                    failed += 1
                    print(f"{channel.name}: alerts not posted: {sent.error}", file=sys.stderr)
                elif not sent.posted:
                    print(f"{channel.name}: no new alerts.")
                continue
            outcome = await app.poster.post(channel)
            if outcome.error:
                failed += 1
                print(f"{channel.name}: digest not posted: {outcome.error}", file=sys.stderr)
            elif outcome.digest is None:
                print(f"{channel.name}: nothing new since the last digest.")
    finally:
        await app.close()
    return 1 if failed else 0


async def summarize(args: argparse.Namespace, settings: Settings) -> int:
    options = settings.summary
    method = method_name(args.method, where="--method") if args.method else None
    changes = {"sentences": args.sentences, "method": method, "language": args.language}
    options = replace(options, **{k: v for k, v in changes.items() if v is not None})
    try:
        analysis, url = await _analyze_source(args.source, options, settings.fetch)
    except (FetchError, ExtractError, InputError) as exc:
        print(f"newsbrief: {exc.reason}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"newsbrief: cannot read {args.source}: {exc.strerror}", file=sys.stderr)
        return 1
    except Exception as exc:  # e.g. an unknown method or language from summarizers
        if type(exc).__module__.startswith("summarizers"):
            print(f"newsbrief: {exc}", file=sys.stderr)
            return 2
        raise
    if analysis.cut_from is not None:
        print(
            f"newsbrief: only the first {len(analysis.text):,} of {analysis.cut_from:,} "
            "characters were summarized ([summary] max_text_chars)",
            file=sys.stderr,
        )
    if not analysis.summary:
        print(
            f"newsbrief: {no_summary_reason(analysis, what='page' if url else 'text')}",
            file=sys.stderr,
        )
        return 1
    key = analysis.quotes[: analysis.key_quote_count] or analysis.quotes[:2]
    if args.json:
        print(
            json.dumps(
                {
                    "title": analysis.title,
                    "url": url,
                    "summary": list(analysis.summary),
                    "quotes": [
                        {"text": q.text, "speaker": q.speaker, "speaker_title": q.speaker_title}
                        for q in key
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(display_safe(analysis.title))
    print()
    for sentence in analysis.summary:
        print(display_safe(f"- {sentence}"))
    for quote in key:
        print(f"> {quote_text(quote)}")
    return 0


async def _analyze_source(
    source: str, options: SummaryOptions, fetch: FetchSettings
) -> tuple[Analysis, str | None]:
    if is_url(source):
        # Your own command line: private addresses follow [fetch] allow_private_urls.
        async with Fetcher(
            timeout=fetch.timeout_seconds,
            max_bytes=fetch.max_bytes,
            allow_private=fetch.allow_private_urls,
        ) as fetcher:
            response = await fetcher.get(source)
        return analyze_page(
            response.body, url=response.url, title=None, options=options
        ), response.url
    raw = read_input(source, fetch.max_bytes)
    if looks_like_html(raw):
        return analyze_page(
            raw,
            url=Path(source).resolve().as_uri() if source != "-" else "",
            title=None,
            options=options,
        ), None
    text = as_text(raw, source_name(source))
    first, _, rest = text.strip().partition("\n")
    # A short first line followed by a blank line is taken as the headline.
    if rest.startswith("\n") and len(first) < 150:
        return analyze_text(rest, title=first.strip(), options=options), None
    return analyze_text(text, title="", options=options), None


async def quotes(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings, executor=ThreadPoolExecutor(1), console_only=True)
    try:
        hits = app.store.search_quotes(args.query, limit=10)
    finally:
        await app.close()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "text": h.quote.text,
                        "speaker": h.quote.speaker,
                        "speaker_title": h.quote.speaker_title,
                        "title": h.article_title,
                        "url": h.article_url,
                    }
                    for h in hits
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not hits:
        print(f"No stored quote matches {args.query!r}.")
        return 1
    for hit in hits:
        print(display_safe(f"{quote_text(hit.quote)}\n   {hit.article_title} · {hit.article_url}"))
    return 0


async def feeds(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings, executor=ThreadPoolExecutor(1), console_only=True)
    try:
        if args.action == "list":
            records = app.store.feeds()
            if args.json:
                print(
                    json.dumps(
                        [
                            {
                                "name": f.name,
                                "url": f.url,
                                "origin": f.origin,
                                "failures": f.failures,
                                "last_error": f.last_error,
                                "last_success_at": f.last_success_at.isoformat()
                                if f.last_success_at
                                else None,
                                "next_poll_at": f.next_poll_at.isoformat()
                                if f.next_poll_at
                                else None,
                            }
                            for f in records
                        ],
                        indent=2,
                    )
                )
            else:
                for feed in records:
                    print(feed_status_line(feed, app.clock()))
            return 0
        channels = (
            [settings.channel(args.channel)]
            if getattr(args, "channel", None)
            else list(settings.channels)
        )
        # Feeds added here are not in the config file: the same rule as /feeds add in chat.
        allow_private = settings.fetch.allow_private_urls
        if args.action == "add":
            url = check_url(args.url, allow_private=allow_private)
            name = args.name or url
            for channel in channels:
                app.store.add_chat_feed(name, url, channel=channel.name, added_by="cli")
            print(f"Added {name!r} for {', '.join(c.name for c in channels)}.")
        elif args.action == "import":
            imported = refused = 0
            for outline in parse_opml(args.file.read_bytes()):
                try:
                    url = check_url(outline.url, allow_private=allow_private)
                except BlockedURLError as exc:
                    refused += 1
                    print(f"newsbrief: skipped {outline.name!r}: {exc.reason}", file=sys.stderr)
                    continue
                imported += 1
                for channel in channels:
                    app.store.add_chat_feed(outline.name, url, channel=channel.name, added_by="cli")
            skipped = f"; {refused} refused (see above)" if refused else ""
            print(f"Imported {imported} feeds from {args.file}{skipped}.")
            return 1 if refused else 0
        elif args.action == "remove":
            feed = app.store.feed(args.name)
            if feed is None or feed.origin == "config":
                why = "is set in the config file" if feed else "does not exist"
                print(f"newsbrief: feed {args.name!r} {why}.", file=sys.stderr)
                return 1
            for channel in settings.channels:
                app.store.unsubscribe(channel.name, feed.id)
            print(f"Removed {args.name!r}.")
        return 0
    finally:
        await app.close()


async def discord(args: argparse.Namespace, settings: Settings) -> int:
    from bot.platforms.factory import discord_invite_url

    print(await discord_invite_url(settings, app_id=args.app_id))
    return 0


async def doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import run_checks

    return await run_checks(settings)
