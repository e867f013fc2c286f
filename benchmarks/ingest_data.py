"""Deterministic synthetic news for the ingest benchmark: feeds (RSS 2.0) and article pages.

Everything is generated from a seed and an index with a word bank written here, so the same
`(seed, feed, entry)` always gives the same bytes and nothing is copied from real news. Pages
look like a news site's: a head with meta tags, inline styles and scripts (analytics, JSON-LD,
a consent banner), navigation, the article (headline, byline, paragraphs with quotes and their
attributions), related links, a comment thread and a footer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

ENTRIES_PER_FEED = 20
#: Entries added per changed feed in the "10% changed" cycle.
NEW_ENTRIES_PER_CHANGE = 5
PAGE_MIN_BYTES = 50_000
PAGE_MAX_BYTES = 150_000
EPOCH = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)

FIRST_NAMES = (
    "Amara Bertil Celeste Dario Elif Farah Gideon Hana Ivo Jolene Kasimir Leona Matteo Nadia "
    "Oskar Priya Quentin Rosalind Soren Talia Umberto Vesna Wendell Ximena Yusuf Zora Anselm "
    "Brigid Cosmo Delphine Emeric Fenna Gaspard Hollis Ingrid Jasper Katya Lorcan Mireille"
).split()
LAST_NAMES = (
    "Abernethy Bellweather Castellano Drummond Eskildsen Fairclough Galloway Halvorsen Ibarra "
    "Jankowski Kettering Lindqvist Marchetti Nakashima Okonkwo Pemberton Quarrie Rasmussen "
    "Szabo Thorncliffe Underhill Valderrama Whitlock Yardley Zielinski Ashdown Brannigan Corrigan "
    "Delacroix Everhart Fontaine Grimshaw Holloway Iverson Jessop Kavanagh Lockhart Montague"
).split()
ROLES = (
    "mayor", "finance minister", "harbour master", "chief executive", "union leader",
    "spokeswoman", "spokesman", "city councillor", "head of research", "fire chief",
    "health commissioner", "opposition leader", "transport secretary", "school principal",
    "chief economist", "police superintendent", "festival director", "project engineer",
)  # fmt: skip
ORGS = (
    "the Port Authority", "Northfield Council", "the Regional Water Board", "Alder Rail",
    "the Teachers' Union", "Kestrel Energy", "the Meridian Hospital Trust", "Coastline Ferries",
    "the Valley Farmers' Cooperative", "the Institute for Urban Studies", "Brightwater Bank",
    "the Civic Theatre", "Granite Mining", "the Office for Road Safety", "Lumen Observatory",
)  # fmt: skip
PLACES = (
    "Port Ellery", "Ashbourne", "Kilmarten", "Westhollow", "Bramley Cross", "Caddis Bay",
    "Dunmore Heights", "Elmstead", "Fallowfield", "Greywater", "Harrowgate Quay", "Ironbridge",
)  # fmt: skip
TOPICS = (
    "bridge", "budget", "tram line", "school", "hospital wing", "harbour wall", "wind farm",
    "housing plan", "library", "water tariff", "bus network", "flood barrier", "museum",
    "railway station", "market hall", "cycle lane", "power plant", "ferry route", "stadium",
)  # fmt: skip
NOUNS = (
    "residents", "officials", "engineers", "councillors", "traders", "commuters", "families",
    "inspectors", "contractors", "voters", "students", "farmers", "drivers", "nurses",
    "planners", "investors", "teachers", "shop owners", "fishermen", "volunteers",
)  # fmt: skip
VERBS = (
    "approved", "rejected", "delayed", "questioned", "welcomed", "criticised", "funded",
    "reviewed", "postponed", "defended", "announced", "expanded", "cancelled", "examined",
)  # fmt: skip
ADJS = (
    "new", "long-awaited", "controversial", "costly", "modest", "ambitious", "temporary",
    "revised", "regional", "disputed", "overdue", "popular", "expensive", "smaller",
)  # fmt: skip
TIMES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "last week",
    "this month", "in the spring", "by the end of the year", "after a long debate",
)  # fmt: skip
QUOTE_OPENERS = (
    "We have waited long enough for this",
    "Nobody should pretend this will be cheap",
    "The numbers simply do not add up",
    "This is the best chance we have had in a decade",
    "People deserve a straight answer about the",
    "We will keep listening to everyone who uses the",
    "I do not think the council understood the",
    "It is a good day for the whole of",
    "There is still a great deal of work to do on the",
    "Our members are worried about what happens to the",
)  # fmt: skip
QUOTE_ENDINGS = (
    "and we intend to get it right",
    "before anyone signs a contract",
    "so the decision cannot wait",
    "and that is what matters most",
    "even if it takes another year",
    "whatever the critics say",
)  # fmt: skip
SAY = ("said", "told reporters", "added", "said in a statement", "wrote in a letter to members")
FILLER = (
    "The plan has been discussed for years without a final decision.",
    "Figures published by the council show costs rising faster than expected.",
    "A public consultation drew more than two thousand responses.",
    "Critics argue the timetable leaves little room for delays.",
    "Supporters say the work will pay for itself within a decade.",
    "The final vote is expected before the end of the financial year.",
    "Independent auditors are due to report on the figures next month.",
    "Local businesses have asked for compensation during the construction work.",
)  # fmt: skip
COMMENT_BITS = (
    "Finally!", "About time.", "Who is paying for this?", "Great reporting, thanks.",
    "I live next to the site and nobody asked us.", "This will never be finished on time.",
    "Same story every election.", "Does anyone know when the consultation closes?",
    "My grandfather worked on the old one.", "The traffic is already terrible.",
)  # fmt: skip
SECTIONS = ("World", "Local", "Politics", "Business", "Science", "Sport", "Culture", "Opinion")


def rng_for(seed: int, *parts: object) -> random.Random:
    """A private generator for one item: string seeds hash deterministically (sha512)."""
    return random.Random(":".join(map(str, (seed, *parts))))


@dataclass(frozen=True, slots=True)
class Article:
    number: int  # the entry's number within its feed: 0, 1, 2, ...
    guid: str
    title: str
    teaser: str
    paragraphs: tuple[str, ...]
    author: str
    published: datetime


def person(r: random.Random) -> tuple[str, str]:
    return f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}", r.choice(ROLES)


def plain_sentence(r: random.Random, place: str, topic: str) -> str:
    if r.random() < 0.25:
        return r.choice(FILLER)
    return (
        f"{r.choice(NOUNS).capitalize()} in {place} {r.choice(VERBS)} the {r.choice(ADJS)} "
        f"{topic} {r.choice(TIMES)}, according to {r.choice(ORGS)}, and {r.choice(NOUNS)} "
        f"expect a further {r.randint(2, 95)} per cent change by {r.randint(2027, 2034)}."
    )


def quote_sentence(r: random.Random, topic: str, place: str) -> str:
    name, role = person(r)
    words = f"{r.choice(QUOTE_OPENERS)} {topic}, {r.choice(QUOTE_ENDINGS)}"
    form = r.randrange(3)
    if form == 0:
        return f"\u201c{words},\u201d said {name}, the {role} of {place}."
    if form == 1:
        return f"{name}, the {role}, {r.choice(SAY)}: \u201c{words}.\u201d"
    return f'"{words}," {name} {r.choice(SAY)}.'


def article(seed: int, feed: int, number: int) -> Article:
    r = rng_for(seed, "article", feed, number)
    place, topic = r.choice(PLACES), r.choice(TOPICS)
    title = f"{place} {r.choice(VERBS)} {r.choice(ADJS)} {topic} plan"
    paragraphs = []
    for _ in range(r.randint(7, 14)):
        sentences = [plain_sentence(r, place, topic) for _ in range(r.randint(2, 4))]
        if r.random() < 0.45:
            sentences.insert(r.randint(0, len(sentences)), quote_sentence(r, topic, place))
        paragraphs.append(" ".join(sentences))
    teaser = paragraphs[0].split(". ")[0].rstrip(".") + "."
    author, _ = person(r)
    published = EPOCH + timedelta(minutes=37 * number + feed % 60)
    return Article(
        number=number,
        guid=f"urn:bench:{feed}:{number}",
        title=title,
        teaser=teaser[:300],
        paragraphs=tuple(paragraphs),
        author=author,
        published=published,
    )


def is_teaser_feed(feed: int) -> bool:
    """A quarter of the feeds carry only teasers: the pipeline fetches their article pages."""
    return feed % 4 == 3


def feed_entries(version: int) -> range:
    """Entry numbers a feed shows at `version` (each version adds NEW_ENTRIES_PER_CHANGE)."""
    first = version * NEW_ENTRIES_PER_CHANGE
    return range(first, first + ENTRIES_PER_FEED)


def tiny_feed_xml(feed: int, version: int, base: str) -> bytes:
    """A feed of one short entry with its text inline: the worker benchmark measures claiming
    and fetching, not extraction."""
    published = format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Tiny feed {feed}</title><link>{base}/site/{feed}/</link>"
        f"<description>Tiny feed {feed}</description><item>"
        f"<title>Bench story {feed:05d}-{version}</title><link>{base}/story/{feed}/{version}</link>"
        f'<guid isPermaLink="false">tiny:{feed}:{version}</guid><pubDate>{published}</pubDate>'
        f"<description>The council of town {feed} approved a new budget on Monday. "
        "Officials said the plan adds two bus routes.</description>"
        "</item></channel></rss>"
    ).encode()


def feed_xml(seed: int, feed: int, version: int, base: str) -> bytes:
    """An RSS 2.0 document: full content (content:encoded) or teasers linking to pages."""
    teaser = is_teaser_feed(feed)
    items = []
    for number in reversed(feed_entries(version)):
        a = article(seed, feed, number)
        link = f"{base}/page/{feed}/{number}.html"
        parts = [
            f"<item><title>{escape(a.title)}</title><link>{link}</link>",
            f'<guid isPermaLink="false">{a.guid}</guid>',
            f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>",
            f"<author>{escape(a.author)}</author>",
            f"<description>{escape(a.teaser)}</description>",
        ]
        if not teaser:
            body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
            parts.append(f"<content:encoded><![CDATA[{body}]]></content:encoded>")
        parts.append("</item>")
        items.append("".join(parts))
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Bench feed {feed}</title><link>{base}/site/{feed}/</link>"
        f"<description>Synthetic news feed {feed}</description>{''.join(items)}</channel></rss>"
    )
    return doc.encode("utf-8")


# --------------------------------------------------------------------------- article pages


def _css(r: random.Random, count: int) -> str:
    props = ("margin", "padding", "color", "font-size", "line-height", "border", "display")
    rules = []
    for i in range(count):
        decl = ";".join(f"{r.choice(props)}:{r.randint(0, 40)}px" for _ in range(r.randint(2, 6)))
        rules.append(f".c{i}-{r.choice(SECTIONS).lower()} > .item{r.randint(1, 99)}{{{decl}}}")
    return "\n".join(rules)


def _script(r: random.Random, count: int) -> str:
    lines = ["window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"]
    for i in range(count):
        lines.append(
            f"var cfg{i}={{slot:'ad-{r.randint(100, 999)}',sizes:[[300,250],[728,90]],"
            f"targeting:{{section:'{r.choice(SECTIONS)}',kw:'{r.choice(TOPICS)}'}},"
            f"lazy:{str(r.random() < 0.5).lower()}}};googletag.cmd.push(function(){{"
            f"googletag.defineSlot('/1234/{r.choice(TOPICS)}',cfg{i}.sizes,'div-{i}')}});"
        )
    return "\n".join(lines)


def _links(r: random.Random, base: str, count: int, cls: str) -> str:
    return "".join(
        f'<li class="{cls}"><a href="{base}/story/{r.randint(1, 10**6)}">'
        f"{escape(r.choice(PLACES))} {r.choice(VERBS)} {r.choice(TOPICS)}</a></li>"
        for _ in range(count)
    )


def _comments(r: random.Random, count: int) -> str:
    out = []
    for i in range(count):
        name, _ = person(r)
        text = " ".join(r.choice(COMMENT_BITS) for _ in range(r.randint(1, 4)))
        out.append(
            f'<div class="comment" id="c{i}"><span class="user">{escape(name)}</span>'
            f'<time datetime="2026-11-{r.randint(1, 28):02d}">{r.randint(1, 23)}h ago</time>'
            f'<p>{escape(text)}</p><button class="reply">Reply</button>'
            f'<span class="likes">{r.randint(0, 400)}</span></div>'
        )
    return "".join(out)


def page_html(seed: int, feed: int, number: int, base: str) -> bytes:
    """An article page of 50-150 KB: the article is under a tenth of it."""
    a = article(seed, feed, number)
    r = rng_for(seed, "page", feed, number)
    target = r.randint(PAGE_MIN_BYTES, PAGE_MAX_BYTES)
    nav = "".join(
        f'<li><a href="{base}/{s.lower()}/">{s}</a><ul>{_links(r, base, 6, "sub")}</ul></li>'
        for s in SECTIONS
    )
    body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    iso = a.published.isoformat()
    head = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(a.title)} | The {escape(PLACES[feed % len(PLACES)])} Courier</title>"
        f'<meta name="description" content="{escape(a.teaser)}">'
        f'<meta property="og:title" content="{escape(a.title)}">'
        f'<meta property="article:published_time" content="{iso}">'
        f'<link rel="canonical" href="{base}/page/{feed}/{number}.html">'
        f"<style>{_css(r, r.randint(60, 140))}</style>"
        f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":'
        f'"{escape(a.title)}","datePublished":"{iso}","author":{{"name":"{a.author}"}}}}'
        f"</script><script>{_script(r, r.randint(20, 60))}</script></head>"
    )
    top = (
        f'<body class="article"><div id="consent">We use cookies. <button>Accept</button>'
        f'</div><header><a class="logo" href="{base}/">Courier</a><nav><ul>{nav}</ul></nav>'
        f'<form class="search"><input name="q"></form></header>'
    )
    main = (
        f'<main><article><h1>{escape(a.title)}</h1><div class="byline">By '
        f'{escape(a.author)} <time datetime="{iso}">{a.published:%d %B %Y}</time></div>'
        f'<div class="share"><a href="#">Share</a> <a href="#">Email</a></div>'
        f'<div class="story-body">{body}</div></article>'
    )
    parts = [head, top, main]
    size = sum(len(p) for p in parts)
    extra: list[str] = []
    while size < target - 3000:
        kind = r.randrange(3)
        if kind == 0:
            chunk = f'<aside class="related"><h3>Related</h3><ul>{_links(r, base, 25, "rel")}</ul>'
            chunk += "</aside>"
        elif kind == 1:
            chunk = f'<section class="comments"><h3>Comments</h3>{_comments(r, 20)}</section>'
        else:
            chunk = f"<script>{_script(r, 15)}</script>"
        extra.append(chunk)
        size += len(chunk)
    footer = (
        f"</main><footer><ul>{_links(r, base, 30, 'foot')}</ul><p>Copyright 2026 The Courier. "
        f"All rights reserved.</p></footer></body></html>"
    )
    return "".join([*parts, *extra, footer]).encode("utf-8")
