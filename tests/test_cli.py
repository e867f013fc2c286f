"""The CLI end to end on the embedded default (bundled feeds, SQLite in the data folder)."""

from __future__ import annotations

import io
import json
import re
import socket
import sys
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo must work offline: any attempt to open a network socket fails the test.
    (Unix sockets stay allowed: the worker processes talk to their forkserver through one.)"""
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        if sock.family != socket.AF_UNIX:
            raise AssertionError(f"network access attempted: {address}")
        real_connect(sock, address)

    def refuse(address: object, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_first_digest_prints_every_demo_story_offline(no_network, capsys) -> None:
    assert main(["digest"]) == 0
    out = capsys.readouterr().out
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", out, re.MULTILINE)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 12
    # the duplicated story is one item naming the other feed
    assert out.count("$4.2bn") >= 1
    assert len(re.findall(r"^\d+\. Valdoria.*power cable", out, re.MULTILINE)) == 1
    assert "Also covered by: Meridian Herald — " in out
    # times in the channel's zone, quotes with their speakers
    assert re.search(r"\d\d:\d\d CET", out)
    assert re.search(r"^   > “.+” — [A-Z][a-z]+ [A-Z]", out, re.MULTILINE)
    # the teaser-only feed's story came from its article page, cleaned
    assert "Elena Ruiz" in out
    assert "Share this article" not in out and "Updated on" not in out
    assert "Aktualisiert" not in out


def test_second_digest_has_nothing_new_and_dry_run_records_nothing(capsys) -> None:
    assert main(["digest", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "1. " in dry
    assert main(["digest"]) == 0
    assert "1. " in capsys.readouterr().out  # the dry run did not use the stories up
    assert main(["digest"]) == 0
    assert "nothing new since the last digest" in capsys.readouterr().out


def test_run_once_twice_adds_nothing_the_second_time(capsys) -> None:
    assert main(["run", "--once"]) == 0
    assert main(["feeds", "list", "--json"]) == 0
    feeds = json.loads(capsys.readouterr().out)
    assert len(feeds) == 5 and all(f["failures"] == 0 for f in feeds)
    assert main(["quotes", "Berg", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first and all(q["speaker"] == "Tomas Berg" for q in first)
    assert main(["run", "--once"]) == 0
    assert main(["quotes", "Berg", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first


def test_summarize_json_on_a_text_file(tmp_path: Path, capsys) -> None:
    story = tmp_path / "story.txt"
    story.write_text(
        "Harbour bridge to be replaced\n\n"
        "The harbour authority of Port Ellery voted on Tuesday to replace the swing bridge over "
        "the inner basin with a lifting span. The new bridge will cost $31m and open in 2029, "
        'the authority said.\n\n"We have patched this bridge for twenty years and it is time '
        'to stop," said Mayor Ines Calloway. Shipping firms had complained that the old bridge '
        "jammed open twice last winter. The work will close the crossing for eight months.\n",
        encoding="utf-8",
    )
    assert main(["summarize", str(story), "--json", "--sentences", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["title"] == "Harbour bridge to be replaced"
    assert len(result["summary"]) == 2
    assert result["quotes"][0]["speaker"] == "Ines Calloway"
    assert result["quotes"][0]["text"].startswith("We have patched this bridge")


def test_summarize_unknown_method_is_a_clear_error(tmp_path: Path, capsys) -> None:
    story = tmp_path / "s.txt"
    story.write_text("One sentence here. And another one there. And a third one too.")
    assert main(["summarize", str(story), "--method", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "nonsense" in err and "Traceback" not in err


def test_bad_config_is_one_line_naming_the_key(tmp_path: Path, capsys) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        '[[feeds]]\nname = "World"\nurl = "https://example.org/world.rss"\n'
        '[[channels]]\nname = "a"\n[[channels]]\nname = "b"\ntimezone = "Europe/Berln"\n'
    )
    assert main(["digest", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "newsbrief: config error: channels[1].timezone: unknown time zone 'Europe/Berln'"
    )


def test_feeds_import_add_remove(tmp_path: Path, capsys) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Subs</title></head><body>'
        '<outline text="Tech"><outline text="Lantern Tech" type="rss" '
        'xmlUrl="https://lantern.example/tech.rss"/></outline>'
        '<outline text="Harbour News" type="rss" xmlUrl="https://harbour.example/feed"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    assert main(["feeds", "import", str(opml)]) == 0
    assert "Imported 2 feeds" in capsys.readouterr().out
    assert main(["feeds", "add", "https://extra.example/rss", "--name", "Extra"]) == 0
    capsys.readouterr()
    assert main(["feeds", "list", "--json"]) == 0
    names = {f["name"] for f in json.loads(capsys.readouterr().out)}
    assert {"Lantern Tech", "Harbour News", "Extra"} <= names
    assert main(["feeds", "remove", "Extra"]) == 0
    assert main(["feeds", "remove", "Meridian Herald — World"]) == 1  # set in the config
    assert "config file" in capsys.readouterr().err
    assert main(["feeds", "list", "--json"]) == 0
    names = {f["name"] for f in json.loads(capsys.readouterr().out)}
    assert "Extra" not in names and "Meridian Herald — World" in names


def test_feeds_add_refuses_a_local_address(capsys) -> None:
    assert main(["feeds", "add", "http://127.0.0.1:8080/feed"]) == 2
    assert "refused" in capsys.readouterr().err


def test_summarize_from_stdin(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import io
    import sys

    text = (
        "The city council approved a new tram line on Tuesday after a year of debate. "
        "The line will connect the harbour with the eastern estates and open in 2028. "
        '"This is the most important transport decision in a generation," said Mayor '
        "Elena Ruiz. Opponents said the $310m cost was too high for a city of its size."
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["summarize", "-", "--sentences", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n- ") == 1 and "Elena Ruiz" in out


def test_feeds_import_applies_the_same_rule_as_feeds_add(tmp_path: Path, capsys) -> None:
    outlines = {
        "Metadata": "http://169.254.169.254/latest/meta-data/",
        "Loopback": "http://127.0.0.1:8080/feed",
        "Intranet": "http://10.1.2.3/feed",
        "Link local": "http://[fe80::1]/feed",
        "Local name": "http://localhost/feed",
        "Public": "https://public.example/feed",
    }
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        + "".join(f'<outline text="{n}" type="rss" xmlUrl="{u}"/>' for n, u in outlines.items())
        + "</body></opml>",
        encoding="utf-8",
    )
    assert main(["feeds", "import", str(opml)]) == 1
    captured = capsys.readouterr()
    assert "Imported 1 feeds" in captured.out and "5 refused" in captured.out
    for name in ("Metadata", "Loopback", "Intranet", "Link local", "Local name"):
        assert f"skipped {name!r}: refused: " in captured.err
    assert main(["feeds", "list", "--json"]) == 0
    urls = {f["url"] for f in json.loads(capsys.readouterr().out)}
    assert "https://public.example/feed" in urls
    assert not urls & (set(outlines.values()) - {"https://public.example/feed"})


def _config_file(tmp_path: Path, *, allow_private: bool) -> Path:
    config = tmp_path / "nb.toml"
    config.write_text(
        f'[storage]\npath = "nb.db"\n[fetch]\nallow_private_urls = {str(allow_private).lower()}\n'
        '[[feeds]]\nname = "F"\nurl = "https://feeds.example/f.xml"\n',
        encoding="utf-8",
    )
    return config


def test_feeds_add_and_import_follow_allow_private_urls(tmp_path: Path, capsys) -> None:
    config = str(_config_file(tmp_path, allow_private=True))
    assert main(["feeds", "add", "http://10.1.2.3/feed", "--config", config]) == 0
    assert main(["feeds", "add", "http://169.254.169.254/x", "--config", config]) == 2
    assert "refused: cloud metadata" in capsys.readouterr().err


async def test_cli_summarize_of_a_local_page_follows_allow_private_urls(
    tmp_path: Path, http_server, capsys
) -> None:
    import asyncio

    from test_ingest import PAGE

    url = http_server.route("/story", body=PAGE, content_type="text/html; charset=utf-8")
    refused = str(_config_file(tmp_path, allow_private=False))
    assert await asyncio.to_thread(main, ["summarize", url, "--config", refused]) == 1
    assert "refused: loopback address 127.0.0.1" in capsys.readouterr().err
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    config = str(_config_file(allowed, allow_private=True))
    assert await asyncio.to_thread(main, ["summarize", url, "--config", config]) == 0
    out = capsys.readouterr().out
    assert "Calloway" in out
    assert len(http_server.requests_for("/story")) == 1  # the refused run never connected


def test_dry_run_writes_nothing_not_even_a_new_database(tmp_path: Path, capsys) -> None:
    import hashlib

    data = tmp_path / "xdg-data" / "newsbrief"
    db = data / "demo.db"
    assert main(["digest", "--dry-run"]) == 0
    assert "1. " in capsys.readouterr().out  # polled the demo feeds, in memory
    assert not data.exists()  # no database, not even its folder

    assert main(["run", "--once"]) == 0
    capsys.readouterr()
    files = sorted(data.iterdir())
    before = {
        f.name: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns) for f in files
    }
    assert main(["digest", "--dry-run"]) == 0
    assert "1. " in capsys.readouterr().out  # the stored stories, previewed
    after = {
        f.name: (hashlib.sha256(f.read_bytes()).hexdigest(), f.stat().st_mtime_ns)
        for f in sorted(data.iterdir())
    }
    assert db.name in after and after == before


def test_digest_links_are_canonical_without_tracking_parameters(capsys) -> None:
    assert main(["digest"]) == 0
    out = capsys.readouterr().out
    assert "utm_" not in out
    assert "https://www.meridianherald.example/world/2026/11/27/power-cable-deal\n" in out
    assert main(["quotes", "Berg", "--json"]) == 0
    assert all("utm_" not in q["url"] for q in json.loads(capsys.readouterr().out))


# -- summarize: what it refuses to read, and the caps ---------------------------------------------
TRAM = (
    "The city council approved a new tram line on Tuesday after a year of debate. "
    "The line will connect the harbour with the eastern estates and open in 2028. "
    '"This is the most important transport decision in a generation," said Mayor '
    "Elena Ruiz. Opponents said the $310m cost was too high for a city of its size."
)


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> io.BytesIO:
    stream = io.BytesIO(data)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))
    return stream


def _config(tmp_path: Path, extra: str) -> str:
    config = tmp_path / "nb.toml"
    config.write_text(
        f'{extra}\n[[feeds]]\nname = "World"\nurl = "https://example.org/world.rss"\n'
        f'[storage]\npath = "{tmp_path / "nb.db"}"\n'
    )
    return str(config)


@pytest.mark.parametrize("value", ["0", "11", "-1", "three"])
def test_summarize_sentences_out_of_range_is_a_usage_error(value: str, tmp_path: Path, capsys):
    story = tmp_path / "s.txt"
    story.write_text(TRAM)
    with pytest.raises(SystemExit) as exit_info:
        main(["summarize", str(story), "--sentences", value])
    assert exit_info.value.code == 2
    assert "--sentences: expected a whole number from 1 to 10" in capsys.readouterr().err


@pytest.mark.parametrize("data", [b"", b"  \n\n\t "])
def test_summarize_empty_stdin_is_an_error(data: bytes, monkeypatch, capsys) -> None:
    _stdin(monkeypatch, data)
    assert main(["summarize", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "newsbrief: stdin is empty: give the text or HTML of an article"
    assert captured.out == ""


def test_summarize_empty_file_is_an_error(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"\n")
    assert main(["summarize", str(empty)]) == 1
    assert "empty.txt is empty" in capsys.readouterr().err


def test_summarize_refuses_a_binary_file(tmp_path: Path, capsys) -> None:
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 40)
    assert main(["summarize", str(image)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == f"newsbrief: {image} is a binary file, not text or HTML"
    assert captured.out == ""


def test_summarize_refuses_stdin_that_is_not_utf8(monkeypatch, capsys) -> None:
    _stdin(monkeypatch, TRAM.replace("Ruiz", "Ru\xefz").encode("latin-1"))
    assert main(["summarize", "-"]) == 1
    err = capsys.readouterr().err
    assert "stdin is not UTF-8 text" in err and err.count("\n") == 1


def test_summarize_reads_utf16_with_a_byte_order_mark(tmp_path: Path, capsys) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(TRAM.encode("utf-16"))
    assert main(["summarize", str(story), "--sentences", "1"]) == 0
    assert "Elena Ruiz" in capsys.readouterr().out


def test_summarize_stdin_over_max_bytes_is_refused_without_reading_it_all(
    monkeypatch, capsys
) -> None:
    stream = _stdin(monkeypatch, b"word " * 2_000_000)  # 10 MB; the default cap is 5 MB
    assert main(["summarize", "-"]) == 1
    assert stream.tell() <= 5_000_001
    err = capsys.readouterr().err
    assert "stdin is larger than 5 MB" in err and "[fetch] max_bytes" in err


def test_summarize_file_over_max_bytes_is_refused(tmp_path: Path, capsys) -> None:
    story = tmp_path / "long.txt"
    story.write_text(TRAM * 20)
    config = _config(tmp_path, "[fetch]\nmax_bytes = 2048")
    assert main(["summarize", str(story), "--config", config]) == 1
    assert "long.txt is larger than 2,048 bytes" in capsys.readouterr().err


def test_summarize_says_when_it_summarized_only_the_start(tmp_path: Path, capsys) -> None:
    story = tmp_path / "long.txt"
    story.write_text("\n\n".join([TRAM] * 20))
    config = _config(tmp_path, "[summary]\nmax_text_chars = 2000")
    assert main(["summarize", str(story), "--config", config, "--json"]) == 0
    captured = capsys.readouterr()
    assert "only the first" in captured.err and "max_text_chars" in captured.err
    assert json.loads(captured.out)["summary"]


@pytest.mark.parametrize("scheme", ["HTTP", "Https"])
def test_summarize_takes_an_upper_case_scheme_as_a_url(scheme: str, capsys) -> None:
    assert main(["summarize", f"{scheme}://127.0.0.1:9/story"]) == 1
    err = capsys.readouterr().err
    assert "refused" in err and "cannot read" not in err  # checked as a URL, not opened as a path


def test_summarize_says_why_a_text_gave_no_summary(tmp_path: Path, capsys) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text(
        "- Apples, pears and plums\n- Bread and butter from the bakery\n"
        "- Milk, eggs and cheese for the week\n- Soap, towels and a new toothbrush\n",
        encoding="utf-8",
    )
    assert main(["summarize", str(listing)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no whole sentences to summarize in that text" in captured.err
