"""Article page or text -> clean text, summary, quotes and dedupe fingerprints.

CPU-bound and free of I/O and globals, so the ingest pipeline can run it in worker processes.
`summarizers` (sumy, NLTK, numpy: ~45 MB) is imported where it is used, so the bot's main
process, which needs this module's types but runs no analysis, never loads it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from bot.extract import extract_article, html_to_text
from bot.models import Quote
from bot.options import SummaryOptions

_WORD = re.compile(r"\w+")
_HONORIFIC = re.compile(r"(Dr|Prof|Mr|Mrs|Ms|Mx|Sir|Dame|Rev|Fr)\.?", re.IGNORECASE)
MIN_HASHABLE_CHARS = 200
SIMHASH_WORDS = 150  # the opening of a story identifies it; updates append at the end


@dataclass(frozen=True, slots=True)
class Analysis:
    title: str
    text: str
    summary: tuple[str, ...]
    quotes: tuple[Quote, ...]  # key quotes first, then the rest in article order
    key_quote_count: int
    content_hash: str | None
    simhash: int | None
    image: str | None = None  # the page's og:image (analyze_page only), https, never fetched
    # The clean text's length when it was longer than `max_text_chars` and `text` is its cut
    # head; None when the whole article was analysed.
    cut_from: int | None = None


def analyze_page(html: bytes, *, url: str, title: str | None, options: SummaryOptions) -> Analysis:
    """Extract the article from its page, then analyze it. Raises ExtractError."""
    page = extract_article(html, url=url)
    analysis = analyze_text(page.text, title=title or page.title or "", options=options)
    return replace(analysis, image=page.image)


def analyze_html_fragment(html: str, *, title: str, options: SummaryOptions) -> Analysis:
    """A feed entry's HTML content or summary."""
    return analyze_text(html_to_text(html), title=title, options=options)


def analyze_text(text: str, *, title: str, options: SummaryOptions) -> Analysis:
    """Clean ``text``, keep its first ``options.max_text_chars`` characters (cut where a sentence
    ends; ``Analysis.cut_from`` says when), and summarize that and find its quotes."""
    import summarizers
    from summarizers.text import clean_article_text, cut_text

    text = clean_article_text(text, title=title or None, language=options.language)
    full_length = len(text)
    text = cut_text(text, options.max_text_chars, options.language)
    found = summarizers.extract_quotes(text, language=options.language) if text.strip() else []
    # The best quotes first, so the summary can skip a sentence that only repeats one of them
    # (or the headline); then the quotes again, avoiding what the summary now says.
    best = summarizers.key_quotes(text, k=options.quotes, language=options.language, quotes=found)
    summary = (
        summarizers.summarize(
            text,
            sentences=options.sentences,
            language=options.language,
            method=options.method,
            max_chars=options.max_chars,
            title=title.strip() or None,
            shown=[" ".join(filter(None, (q.text, q.speaker, q.speaker_title))) for q in best],
        ).sentences
        if text.strip()
        else []
    )
    key = (
        summarizers.key_quotes(
            text, k=options.quotes, language=options.language, avoid=summary, quotes=found
        )
        if options.quotes
        else []
    )
    key_spans = {(q.start, q.end) for q in key}
    ordered = [*key, *(q for q in found if (q.start, q.end) not in key_spans)]
    return Analysis(
        title=title.strip() or _first_words(text),
        text=text,
        summary=tuple(summary),
        quotes=tuple(
            Quote(display_quote(q.text), q.speaker, display_title(q.speaker_title)) for q in ordered
        ),
        key_quote_count=len(key),
        content_hash=content_hash(text),
        simhash=simhash(text),
        cut_from=full_length if len(text) < full_length else None,
    )


def display_quote(text: str) -> str:
    """Quoted words as a reader sees them alone: `use it,` -> `use it.` (the attribution that
    followed the comma is shown separately)."""
    text = " ".join(text.split())
    return text[:-1] + "." if text.endswith(",") else text


def display_title(title: str | None) -> str | None:
    """A bare honorific is not a role: "Amara Okafor, Dr." reads wrong, so it is dropped."""
    if title is None or _HONORIFIC.fullmatch(title.strip()):
        return None
    return title.strip()


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "") if words else "(untitled)"


def content_hash(text: str) -> str | None:
    """Hash of the words of `text`, case-folded: equal for the same story in other markup."""
    words = _WORD.findall(text.casefold())
    if sum(map(len, words)) < MIN_HASHABLE_CHARS:
        return None
    return hashlib.blake2b(" ".join(words).encode(), digest_size=16).hexdigest()


def simhash(text: str) -> int | None:
    """64-bit simhash over word 3-shingles; near-identical texts differ in a few bits."""
    words = _WORD.findall(text.casefold())
    if len(words) < 30:
        return None
    words = words[:SIMHASH_WORDS]
    bits = [
        format(
            int.from_bytes(
                hashlib.blake2b(" ".join(words[i : i + 3]).encode(), digest_size=8).digest(), "big"
            ),
            "064b",
        )
        for i in range(len(words) - 2)
    ]
    half = len(bits) / 2
    # zip(*bits) yields one column per bit position, most significant first.
    return int(
        "".join("1" if column.count("1") > half else "0" for column in zip(*bits, strict=True)), 2
    )
