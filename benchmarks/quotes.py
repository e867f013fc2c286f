"""Quote and speaker quality of ``summarizers.extract_quotes`` on PolNeAR (issue 3, item 5).

Usage: ``.venv/bin/python benchmarks/quotes.py [--split train|dev|all] [--limit N]``

Scoring (documented here because the numbers mean nothing without it):

* Gold quotations are the ``quoted_segments`` of attributions whose ``quote_type`` is ``direct``.
  The ``quoted_segments`` of ``mixed`` attributions (partial quotes) are neutral.
* A predicted quote matches a gold quotation when their character overlap is at least 50% of the
  longer of the two spans (so neither a fragment nor a run-on span matches). Matching is one to
  one, in document order. An unmatched prediction that overlaps a mixed segment is neither a true
  nor a false positive; any other unmatched prediction is a false positive.
* Speaker accuracy is measured over matched quotes whose gold source mention is a name: its
  head (the mention cut before a comma, a parenthesis, "who", "which" or "of") ends in a
  capitalised word and does not start with an indefinite determiner. So "Trump", "Republican
  pollster Daron Shaw", "Kaine, a former ... chairman" and "the Washington Post" count;
  pronouns, "a spokesman", "the Florida senator" and "Powell's office" do not. The predicted
  speaker (a resolved full name) is right when, after lower-casing and dropping possessive 's,
  punctuation and titles (Mr., Sen., ...), every token of the prediction occurs in the gold
  mention, or every capitalised token of the mention's head occurs in the prediction.
  ``None`` is wrong.

Per-article time is the wall time of ``extract_quotes`` alone (median and mean).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
POLNEAR = SHARED / "eval" / "polnear" / "polnear_attributions.jsonl"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "i",
        "we",
        "you",
        "him",
        "her",
        "them",
        "us",
        "me",
        "who",
        "which",
        "that",
        "this",
        "these",
        "those",
    ]
)
_NOT_NAME_START = frozenset(
    [
        "a",
        "an",
        "one",
        "some",
        "many",
        "several",
        "two",
        "three",
        "four",
        "few",
        "other",
        "others",
        "another",
        "each",
        "any",
        "most",
    ]
)
_DETERMINERS = frozenset(
    ["the", "a", "an", "one", "this", "that", "these", "those", "his", "her", "their", "its", "our"]
)
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "sgt",
        "capt",
        "prof",
        "rev",
        "hon",
        "president",
        "senator",
        "governor",
        "former",
        "jr",
        "sr",
    ]
)
_TOKEN_RE = re.compile(r"[\w][\w\-]*")


@dataclass
class Scores:
    """Counts accumulated over articles."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    neutral: int = 0
    speaker_total: int = 0
    speaker_right: int = 0
    times: list[float] = field(default_factory=list)
    articles: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.speaker_total if self.speaker_total else 0.0


def load_articles(path: Path = POLNEAR, split: str = "all") -> list[dict]:
    """PolNeAR records of one split ("train", "dev") or all of them."""
    with path.open(encoding="utf-8") as fh:
        arts = [json.loads(line) for line in fh if line.strip()]
    return [a for a in arts if split == "all" or a["split"] == split]


def _tokens(s: str) -> list[str]:
    s = s.replace("\u2019", "'").replace("'s ", " ").removesuffix("'s")
    return [t.lower() for t in _TOKEN_RE.findall(s)]


def _head(mention: str) -> str:
    """The head of a mention: before an apposition, a parenthesis or a relative clause."""
    head = re.split(r",|\(|\s(?:who|which|of)\s|\s\u2014", mention.replace("\u2019", "'"))[0]
    return head.strip()


def is_name_mention(mention: str | None) -> bool:
    """True when a gold source mention names someone: its head ends in a capitalised word
    ("Trump", "Republican pollster Daron Shaw", "the Washington Post"), not a pronoun or a
    common noun ("he", "a spokesman", "the Florida senator", "Powell's office")."""
    if not mention:
        return False
    words = _head(mention).split()
    if not words or words[0].lower() in _NOT_NAME_START:
        return False
    last = words[-1].strip(".,;:'")
    if last.lower().removesuffix("'s") in PRONOUNS | _DETERMINERS:
        return False
    return last[:1].isupper()


def speaker_matches(predicted: str | None, gold: str) -> bool:
    """The fair matching rule between a resolved full name and a gold mention as written:
    every token of the prediction occurs in the mention, or every capitalised token of the
    mention's head (titles dropped) occurs in the prediction."""
    if not predicted:
        return False
    pred = {t for t in _tokens(predicted) if t not in _TITLES}
    if not pred:
        return False
    gold_all = set(_tokens(gold))
    head_names = {
        t
        for w in _head(gold).split()
        if w[:1].isupper()
        for t in _tokens(w)
        if t not in _TITLES and t not in _DETERMINERS
    }
    return pred <= gold_all or bool(head_names) and head_names <= pred


def gold_segments(article: dict) -> tuple[list[tuple[int, int, str | None]], list[tuple[int, int]]]:
    """(direct segments with their source mention, mixed segments)."""
    direct: list[tuple[int, int, str | None]] = []
    mixed: list[tuple[int, int]] = []
    for att in article["attributions"]:
        source = att["source"]["text"] if att.get("source") else None
        for seg in att.get("quoted_segments") or []:
            if att["quote_type"] == "direct":
                direct.append((seg["start"], seg["end"], source))
            elif att["quote_type"] == "mixed":
                mixed.append((seg["start"], seg["end"]))
    direct.sort()
    return direct, mixed


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score_article(article: dict, quotes: Sequence, scores: Scores, errors: list | None = None):
    """Add one article's predictions to ``scores``; optionally collect errors for inspection."""
    direct, mixed = gold_segments(article)
    used: set[int] = set()
    for q in quotes:
        span = (q.start, q.end)
        hit = None
        for i, (gs, ge, _) in enumerate(direct):
            if i in used:
                continue
            longer = max(ge - gs, q.end - q.start)
            if longer and _overlap(span, (gs, ge)) / longer >= 0.5:
                hit = i
                break
        if hit is not None:
            used.add(hit)
            scores.tp += 1
            source = direct[hit][2]
            if is_name_mention(source):
                scores.speaker_total += 1
                ok = speaker_matches(q.speaker, source)
                scores.speaker_right += ok
                if errors is not None and not ok:
                    errors.append(("speaker", article["id"], q, source))
        elif any(_overlap(span, m) for m in mixed):
            scores.neutral += 1
        else:
            scores.fp += 1
            if errors is not None:
                errors.append(("fp", article["id"], q, None))
    for i, (gs, ge, source) in enumerate(direct):
        if i not in used:
            scores.fn += 1
            if errors is not None:
                errors.append(("fn", article["id"], (gs, ge, article["text"][gs:ge]), source))


def evaluate(articles: Iterable[dict], errors: list | None = None) -> Scores:
    """Run ``extract_quotes`` on every article and score it."""
    from summarizers.quotes import extract_quotes

    scores = Scores()
    for art in articles:
        t0 = time.perf_counter()
        quotes = extract_quotes(art["text"])
        scores.times.append(time.perf_counter() - t0)
        scores.articles += 1
        score_article(art, quotes, scores, errors)
    return scores


def format_row(name: str, s: Scores) -> str:
    med = statistics.median(s.times) * 1000 if s.times else 0.0
    mean = statistics.fmean(s.times) * 1000 if s.times else 0.0
    return (
        f"| {name:<5} | {s.articles:>8} | {s.tp + s.fn:>10} | {s.precision:.3f} | {s.recall:.3f} "
        f"| {s.f1:.3f} | {s.speaker_accuracy:.3f} ({s.speaker_right}/{s.speaker_total}) "
        f"| {med:.2f} / {mean:.2f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["train", "dev", "all", "both"], default="both")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N articles")
    args = parser.parse_args(argv)
    if not POLNEAR.exists():
        print(f"SKIPPED: PolNeAR not found at {POLNEAR} (needs the shared data next to the repo).")
        return 0
    splits = ["train", "dev"] if args.split == "both" else [args.split]
    print(
        "| split | articles | gold quotes | P     | R     | F1    | speaker acc      "
        "| ms/article (median / mean) |"
    )
    print(
        "|-------|----------|------------|-------|-------|-------|------------------"
        "|----------------------------|"
    )
    for split in splits:
        arts = load_articles(POLNEAR, split)
        if args.limit:
            arts = arts[: args.limit]
        print(format_row(split, evaluate(arts)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
