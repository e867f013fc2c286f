"""Time per MB of text through the per-article analysis, from 10 KB to 5 MB.

Issue 11: one 4.59 MB single-paragraph feed entry stopped a poll for over 10 minutes, because
sentence splitting was quadratic. This prints one row per size and layout (one paragraph, or
paragraphs of four sentences) with:

- **split s/MB**: ``split_sentences`` over the whole text.
- **clean+split+quotes s/MB**: everything but the ranking, over the whole text: cleaning, the
  sentence filter, quotations and their speakers, key quotes.
- **bot s** and **bot s/MB**: ``bot.analyze.analyze_text`` as a poll runs it: clean, cut to
  ``[summary] max_text_chars`` (100,000), summarize with the default method, quotes.
- **cut to**: the characters left after the cut.

Linear steps show a flat s/MB column. The ranking itself is not linear (NewsRank and the
graph methods compare every pair of sentences), which is why the bot cuts the text first.

The text is generated (invented names and places, quotations with and without speakers,
abbreviations, figures), seeded, so every run times the same text.

    .venv/bin/python benchmarks/split_speed.py                   # 10 KB to 5 MB (~2 min)
    .venv/bin/python benchmarks/split_speed.py --sizes 10k,100k  # quick look
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.analyze import analyze_text  # noqa: E402
from bot.options import SummaryOptions  # noqa: E402

FIRST = "Amara Tomas Priya Jonah Elena Kofi Ines Marek Sofia Daniel Lucia Henrik Nadia Oren".split()
LAST = "Okafor Lindqvist Raman Whitfield Marsh Mensah Calloway Novak Brandt Moreau Haddad".split()
ROLES = [
    "the city's transport chief",
    "a council spokesperson",
    "the union leader",
    "the finance minister",
    "a local shopkeeper",
    "the harbour master",
]
PLACES = "Harbourside Northgate Eastfield Port Ellery Millbrook Westcliff Ravenmoor Lowther".split()
THINGS = [
    "tram extension",
    "library budget",
    "bridge repair",
    "shelter programme",
    "bus contract",
    "flood barrier",
    "school meals plan",
    "housing scheme",
    "parking levy",
    "market hall",
]
VERBS = "approved delayed questioned praised rejected reviewed funded cancelled".split()


def _sentence(r: random.Random) -> str:
    name = f"{r.choice(FIRST)} {r.choice(LAST)}"
    role, place, thing = r.choice(ROLES), r.choice(PLACES), r.choice(THINGS)
    million = f"${r.randint(2, 90)}.{r.randint(1, 9)}m"
    shapes = [
        f'"We will finish the {thing} on time. Nobody should doubt that," said {name}, {role}.',
        f"{name} said the {thing} in {place} would cost {million} by Jan. {r.randint(1, 28)}.",
        f'Mr. {name.split()[1]} told reporters: "The {thing} is the best plan we have."',
        f"The {thing} was {r.choice(VERBS)} by {r.randint(20, 80)}% of the U.S.-style panel.",
        f"Residents in {place} asked whether the {thing} would ever reach them?",
        f"According to {role}, work on the {thing} starts in {place} after a long delay.",
        f'Critics in {place} called the {thing} "a waste of money", and {name} promised a review.',
        f"The council {r.choice(VERBS)} the {thing} on Monday, {r.randint(3, 40)} years after "
        f"it was first proposed for {place}.",
    ]
    return r.choice(shapes)


def generate(size: int, paragraphs: bool, seed: int = 11) -> str:
    """About ``size`` characters of invented news prose, one paragraph or many."""
    r = random.Random(seed)
    parts: list[str] = []
    n = 0
    count = 0
    while n < size:
        sentence = _sentence(r)
        count += 1
        sep = "\n\n" if paragraphs and count % 4 == 0 else " "
        parts.append(sentence + sep)
        n += len(sentence) + len(sep)
    return "".join(parts)[:size].rsplit(" ", 1)[0]


def _clean_split_quotes(text: str) -> None:
    import summarizers
    from summarizers.pipeline import build_document
    from summarizers.text import clean_article_text

    text = clean_article_text(text)
    build_document(text)
    found = summarizers.extract_quotes(text)
    summarizers.key_quotes(text, k=1, quotes=found)


def _timed(repeat: int, job, *args, **kwargs) -> tuple[float, object]:
    """The best of ``repeat`` runs (small texts are timed more than once, against noise)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = job(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return best, result


def _size(label: str) -> int:
    label = label.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(label[-1:], 1)
    return int(float(label.rstrip("km")) * scale)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k,1m,5m", help="comma-separated, e.g. 10k,1m")
    args = ap.parse_args(argv)
    from summarizers.text import split_sentences

    options = SummaryOptions()
    for paragraphs in (False, True):  # imports and caches are not timed
        warm_up = generate(3_000, paragraphs, seed=1)
        split_sentences(warm_up)
        _clean_split_quotes(warm_up)
        analyze_text(warm_up, title="warm-up", options=options)
    print(
        "| size | layout | sentences | split s/MB | clean+split+quotes s/MB | bot s | bot s/MB "
        "| cut to |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label in args.sizes.split(","):
        size = _size(label)
        mb = size / 1e6
        for paragraphs in (False, True):
            text = generate(size, paragraphs)
            repeat = 3 if size <= 100_000 else 1
            split_s, sentences = _timed(repeat, split_sentences, text)
            rest_s, _ = _timed(repeat, _clean_split_quotes, text)
            bot_s, analysis = _timed(
                repeat, analyze_text, text, title="A long story", options=options
            )
            print(
                f"| {label} | {'paragraphs' if paragraphs else 'one paragraph'} "
                f"| {len(sentences):,} | {split_s / mb:.2f} | {rest_s / mb:.2f} "
                f"| {bot_s:.2f} | {bot_s / mb:.2f} | {len(analysis.text):,} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
