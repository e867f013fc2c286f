"""Benchmark every summarization method on the shared evaluation sets, in one table.

BBC News Summary (reference extracts): P@3 (share of picked sentences that are reference
sentences: all white space removed, substring test) and ROUGE-1/2/L F1 against the reference,
on all records and on the held-out half (the half NewsRank was *not* tuned on).
Headline proxy for human-written summaries: ROUGE-1/2 F1 of the 3 sentences against the
human-written headline, on BBC (``title``) and PolNeAR (first line of ``text``; the rest is
summarized). Speed: mean milliseconds per article for split + summary (cleaning included);
methods take turns on each article after an untimed warm-up.

    .venv/bin/python benchmarks/summaries.py            # the full run
    .venv/bin/python benchmarks/summaries.py --limit 100 --methods newsrank,lead

    .venv/bin/python benchmarks/summaries.py --fit      # refit NewsRank's weights

Skips with a message when ../shared (next to the repository) is absent.

Every method runs behind the same summarize() pipeline (our offline splitter, the same cleaning
and non-prose filter), so the table compares rankers, not preprocessing.

A known tension: the BBC references favour long, central sentences, while ROUGE F1 against a
six-word headline favours short sentences near the top. On BBC, even an oracle that knows both
the reference and the headline, choosing the best 3 of the reference sentences, reaches only
about 0.120 headline ROUGE-1 F1 against Lead-3's 0.108 (first 300 articles); a ranker with
P@3 >= 0.92 stays below Lead-3 on that proxy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BBC = SHARED / "eval" / "bbc_news_summary" / "bbc_news_summary.jsonl"
POLNEAR = SHARED / "eval" / "polnear" / "polnear_attributions.jsonl"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from summarizers import AVAILABLE_METHODS, summarize  # noqa: E402

_WS = re.compile(r"\s+")


def is_tuning_half(record_id: str) -> bool:
    """The fixed half of BBC that NewsRank's weights were tuned on (by a hash of the id)."""
    return hashlib.md5(record_id.encode()).digest()[0] % 2 == 0


def load_bbc(limit: int | None = None) -> list[dict]:
    """BBC records without duplicates, in file order."""
    with BBC.open(encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    recs = [r for r in recs if r["duplicate_of"] is None]
    return recs[:limit] if limit else recs


def load_polnear(limit: int | None = None) -> list[dict]:
    """PolNeAR articles as ``{id, title, text}``: headline = first line, text = the rest."""
    out = []
    with POLNEAR.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            headline, _, body = rec["text"].partition("\n")
            out.append({"id": rec["id"], "title": headline.strip(), "text": body})
    return out[:limit] if limit else out


def in_reference(sentence: str, reference: str) -> bool:
    """The README's test: the sentence, white space removed, is a substring of the summary."""
    return _WS.sub("", sentence) in _WS.sub("", reference)


@dataclass
class Scores:
    """Running sums for one method on one set."""

    hits: int = 0
    picked: int = 0
    held_hits: int = 0
    held_picked: int = 0
    rouge: dict[str, float] = field(default_factory=dict)
    n: int = 0
    seconds: float = 0.0

    def add_rouge(self, key: str, value: float) -> None:
        self.rouge[key] = self.rouge.get(key, 0.0) + value

    def mean(self, key: str) -> float:
        return self.rouge.get(key, 0.0) / max(self.n, 1)


def _timed_summary(text: str, method: str, title: str) -> tuple[list[str], float]:
    t0 = time.perf_counter()
    s = summarize(text, sentences=3, method=method, title=title)
    return s.sentences, time.perf_counter() - t0


def _warm_up(records: list[dict], methods: list[str]) -> None:
    """One untimed call per method, so imports and caches do not count against the first."""
    for method in methods:
        for r in records[:2]:
            summarize(r["text"], sentences=3, method=method, title=r["title"])


def run_bbc(records: list[dict], methods: list[str], scorer) -> dict[str, Scores]:
    """Every method on every article; methods take turns on each article, so a busy machine
    slows them all alike."""
    out = {m: Scores() for m in methods}
    _warm_up(records, methods)
    for r in records:
        for method in methods:
            sc = out[method]
            sents, secs = _timed_summary(r["text"], method, r["title"])
            sc.seconds += secs
            sc.n += 1
            hits = sum(in_reference(s, r["summary"]) for s in sents)
            sc.hits += hits
            sc.picked += len(sents)
            if not is_tuning_half(r["id"]):
                sc.held_hits += hits
                sc.held_picked += len(sents)
            pred = " ".join(sents)
            ref = scorer.score(r["summary"], pred)
            for key in ("rouge1", "rouge2", "rougeL"):
                sc.add_rouge(key, ref[key].fmeasure)
            head = scorer.score(r["title"], pred)
            sc.add_rouge("h1", head["rouge1"].fmeasure)
            sc.add_rouge("h2", head["rouge2"].fmeasure)
    return out


def run_polnear(records: list[dict], methods: list[str], scorer) -> dict[str, Scores]:
    out = {m: Scores() for m in methods}
    _warm_up(records, methods)
    for r in records:
        for method in methods:
            sc = out[method]
            sents, secs = _timed_summary(r["text"], method, r["title"])
            sc.seconds += secs
            sc.n += 1
            head = scorer.score(r["title"], " ".join(sents))
            sc.add_rouge("h1", head["rouge1"].fmeasure)
            sc.add_rouge("h2", head["rouge2"].fmeasure)
    return out


def fit_newsrank(records: list[dict], iterations: int = 4000, l2: float = 1e-4) -> list[float]:
    """Refit NewsRank's weights: logistic regression of reference membership on its features,
    over the tuning half of BBC only (so the held-out column stays honest)."""
    import numpy as np

    from summarizers.newsrank import NewsRankSummarizer
    from summarizers.pipeline import build_document

    ranker = NewsRankSummarizer("english")
    xs, ys = [], []
    for r in records:
        if not is_tuning_half(r["id"]):
            continue
        document, _ = build_document(r["text"], "english", r["title"])
        if not document.sentences:
            continue
        xs.append(ranker.features(document))
        ys.extend(in_reference(str(s), r["summary"]) for s in document.sentences)
    x, y = np.vstack(xs), np.array(ys, dtype=float)
    mu, sd = x.mean(0), x.std(0)
    mu[0], sd[0] = 0.0, 1.0  # the bias column
    sd[sd == 0] = 1.0
    xs_ = (x - mu) / sd
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(xs_ @ w)))
        w -= (xs_.T @ (p - y)) / len(y) + l2 * w
    raw = w / sd
    raw[0] = w[0] - np.sum((w / sd * mu)[1:])
    return [round(float(v), 4) for v in raw]


def table(rows: Iterable[tuple[str, Scores, Scores]]) -> str:
    head = (
        "| method | BBC P@3 | P@3 held-out | R-1 | R-2 | R-L | BBC headline R-1/R-2 "
        "| PolNeAR headline R-1/R-2 | ms/article BBC | ms/article PolNeAR |"
    )
    lines = [head, "|" + "---|" * 10]
    for name, b, p in rows:
        lines.append(
            f"| {name} | {b.hits / max(b.picked, 1):.3f} "
            f"| {b.held_hits / max(b.held_picked, 1):.3f} "
            f"| {b.mean('rouge1'):.3f} | {b.mean('rouge2'):.3f} | {b.mean('rougeL'):.3f} "
            f"| {b.mean('h1'):.3f} / {b.mean('h2'):.3f} "
            f"| {p.mean('h1'):.3f} / {p.mean('h2'):.3f} "
            f"| {1000 * b.seconds / max(b.n, 1):.1f} | {1000 * p.seconds / max(p.n, 1):.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="first N records of each set")
    ap.add_argument(
        "--methods",
        default=",".join(AVAILABLE_METHODS),
        help="comma-separated method names (default: all)",
    )
    ap.add_argument(
        "--fit",
        action="store_true",
        help="refit NewsRank's weights on the tuning half of BBC and print them",
    )
    args = ap.parse_args(argv)
    if not BBC.exists() or not POLNEAR.exists():
        print(f"skipped: evaluation data not found under {SHARED} (../shared next to the repo)")
        return 0
    if args.fit:
        from summarizers.newsrank import FEATURES

        for name, weight in zip(FEATURES, fit_newsrank(load_bbc()), strict=True):
            print(f"{name:20} {weight}")
        return 0
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    bbc, pol = load_bbc(args.limit), load_polnear(args.limit)
    methods = args.methods.split(",")
    b = run_bbc(bbc, methods, scorer)
    print("  done BBC", file=sys.stderr, flush=True)
    p = run_polnear(pol, methods, scorer)
    rows = [(m, b[m], p[m]) for m in methods]
    print(
        f"BBC News Summary: {len(bbc)} articles (duplicates dropped; held-out half: "
        f"{sum(not is_tuning_half(r['id']) for r in bbc)}); PolNeAR: {len(pol)} articles; "
        "3 sentences"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
