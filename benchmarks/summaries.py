"""Benchmark every summarization method on the shared evaluation sets, at three budgets.

Budgets: 3 sentences, 2 sentences, and at most 3 sentences in ``max_chars=300`` (a digest item
read in a few seconds). Every method runs behind the same ``summarize()`` (our splitter, the
same cleaning and non-prose filter, the same redundancy rule with the headline given as
``title``), so the tables compare rankers, not preprocessing.

- **BBC P (leave one category out)**: the share of picked sentences that are reference-extract
  sentences (white space removed, substring test), per category. Methods with fitted weights
  (``FITTED``: NewsRank and LedeRank share NewsRank's logistic model) are refit on the other two
  categories for each one; the mean of the three held-out categories is the figure that carries
  over. Unsupervised methods need no refit: their per-category figures are all held out.
- **headline R-1/R-2/R-L**: ROUGE F1 (rouge-score, stemming) of the picked sentences against the
  headline a person wrote: BBC ``title``; PolNeAR the first line of ``text`` (the rest is
  summarized), train and dev apart. The headline is never in the text summarized, and a sentence
  repeating it is skipped (``summarize(title=...)``), so no method scores the headline against
  itself; the script counts the picked sentences that still contain it verbatim.
  NewsRank and LedeRank use the shipped weights on PolNeAR. LedeRank's settings were chosen on
  PolNeAR train headlines: its dev columns are the clean ones.
- **ms/article**: mean time of ``summarize()``; methods take turns on each article after an
  untimed warm-up, so a busy machine slows them all alike.

    .venv/bin/python benchmarks/summaries.py                       # the full run (~25 min)
    .venv/bin/python benchmarks/summaries.py --limit 100 --methods lederank,lead,reduction
    .venv/bin/python benchmarks/summaries.py --redundancy          # summary repeats, before/now
    .venv/bin/python benchmarks/summaries.py --fit                 # refit the shipped weights

Skips with a message when ../shared (next to the repository) is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
BBC = SHARED / "eval" / "bbc_news_summary" / "bbc_news_summary.jsonl"
POLNEAR = SHARED / "eval" / "polnear" / "polnear_attributions.jsonl"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from summarizers import AVAILABLE_METHODS, summarize  # noqa: E402

_WS = re.compile(r"\s+")
BUDGETS: dict[str, dict[str, Any]] = {
    "3 sentences": {"sentences": 3},
    "2 sentences": {"sentences": 2},
    "300 chars": {"sentences": 3, "max_chars": 300},
}
CATEGORIES = ("business", "entertainment", "politics")
ROUGE_KEYS = ("rouge1", "rouge2", "rougeL")


def _fitted_methods() -> dict[str, Callable[..., Any]]:
    """Methods built on NewsRank's logistic weights: name -> class(language, weights)."""
    from summarizers.lederank import LedeRankSummarizer
    from summarizers.newsrank import NewsRankSummarizer

    return {"newsrank": NewsRankSummarizer, "lederank": LedeRankSummarizer}


def is_tuning_half(record_id: str) -> bool:
    """The fixed half of BBC that NewsRank's weights were tuned on (by a hash of the id)."""
    return hashlib.md5(record_id.encode()).digest()[0] % 2 == 0


def load_bbc(limit: int | None = None) -> list[dict]:
    """BBC records without duplicates, in file order (``limit``: the first N of each category)."""
    with BBC.open(encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    recs = [r for r in recs if r["duplicate_of"] is None]
    if limit:
        recs = [r for c in CATEGORIES for r in [x for x in recs if x["category"] == c][:limit]]
    return recs


def load_polnear(limit: int | None = None) -> list[dict]:
    """PolNeAR articles as ``{id, split, title, text}``: headline = first line, text = the rest
    (``limit``: the first N of each split)."""
    out = []
    with POLNEAR.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            headline, _, body = rec["text"].partition("\n")
            out.append(
                {"id": rec["id"], "split": rec["split"], "title": headline.strip(), "text": body}
            )
    if limit:
        out = [r for sp in ("train", "dev") for r in [x for x in out if x["split"] == sp][:limit]]
    return out


def in_reference(sentence: str, reference: str) -> bool:
    """The README's test: the sentence, white space removed, is a substring of the summary."""
    return _WS.sub("", sentence) in _WS.sub("", reference)


@dataclass
class Scores:
    """Running sums for one method, one budget, one part of a set (a category, a split)."""

    hits: int = 0
    picked: int = 0
    rouge: dict[str, float] = field(default_factory=dict)
    n: int = 0
    seconds: float = 0.0
    headline_copies: int = 0

    def add(self, sentences: list[str], seconds: float, headline: str, scorer: Any) -> None:
        self.n += 1
        self.seconds += seconds
        self.picked += len(sentences)
        scores = scorer.score(headline, " ".join(sentences))
        for key in ROUGE_KEYS:
            self.rouge[key] = self.rouge.get(key, 0.0) + scores[key].fmeasure
        bare = _WS.sub("", headline).lower()
        self.headline_copies += sum(bare in _WS.sub("", x).lower() for x in sentences)

    def mean(self, key: str) -> float:
        return self.rouge.get(key, 0.0) / max(self.n, 1)

    @property
    def precision(self) -> float:
        return self.hits / max(self.picked, 1)


@contextmanager
def registered(name: str, factory: Callable[[str], Any]) -> Iterator[None]:
    """``name`` runs ``factory`` for the duration (a refit of a fitted method), then as before."""
    before = AVAILABLE_METHODS[name]
    AVAILABLE_METHODS[name] = factory
    try:
        yield
    finally:
        AVAILABLE_METHODS[name] = before


def _warm_up(records: list[dict], methods: list[str]) -> None:
    """One untimed call per method, so imports and caches do not count against the first."""
    for method in methods:
        for r in records[:2]:
            summarize(r["text"], sentences=3, method=method, title=r["title"])


def has_rank(method: str) -> bool:
    """Whether ``method`` ranks all sentences in one pass. Without it, a ``max_chars`` budget
    asks the method for 1, 2, 3, ... sentences until the budget is filled: one full run per
    sentence looked at (sumy's methods, up to seconds per long article)."""
    return hasattr(AVAILABLE_METHODS[method]("english"), "rank")


def score_records(
    records: list[dict], methods: list[str], scorer: Any, reference: bool, slow_limit: int
) -> dict[tuple[str, str], Scores]:
    """``(method, budget) -> Scores`` over ``records``; methods take turns on each article.
    Methods without ``rank()`` get the ``max_chars`` budget on the first ``slow_limit`` only."""
    out = {(m, b): Scores() for m in methods for b in BUDGETS}
    slow = {m for m in methods if not has_rank(m)}
    for i, r in enumerate(records):
        for method in methods:
            for budget, kwargs in BUDGETS.items():
                if "max_chars" in kwargs and method in slow and i >= slow_limit:
                    continue
                t0 = time.perf_counter()
                sents = summarize(r["text"], method=method, title=r["title"], **kwargs).sentences
                sc = out[method, budget]
                sc.add(sents, time.perf_counter() - t0, r["title"], scorer)
                if reference:
                    sc.hits += sum(in_reference(x, r["summary"]) for x in sents)
    return out


def run_bbc(
    records: list[dict], methods: list[str], scorer: Any, slow_limit: int
) -> dict[str, dict[tuple[str, str], Scores]]:
    """Per held-out category: every method, fitted ones refit on the two other categories."""
    _warm_up(records, methods)
    fitted = _fitted_methods()
    out: dict[str, dict[tuple[str, str], Scores]] = {}
    for category in CATEGORIES:
        held_out = [r for r in records if r["category"] == category]
        train = [r for r in records if r["category"] != category]
        refit = [m for m in methods if m in fitted]
        plain = [m for m in methods if m not in fitted]
        part = score_records(held_out, plain, scorer, True, slow_limit)
        if refit:
            weights = fit_newsrank(train)
            for m in refit:

                def factory(language: str, cls: Any = fitted[m], w: list[float] = weights) -> Any:
                    return cls(language, w)

                with registered(m, factory):
                    part.update(score_records(held_out, [m], scorer, True, slow_limit))
        out[category] = part
        print(f"  done BBC {category}", file=sys.stderr, flush=True)
    return out


def run_polnear(
    records: list[dict], methods: list[str], scorer: Any, slow_limit: int
) -> dict[str, dict[tuple[str, str], Scores]]:
    _warm_up(records, methods)
    out = {}
    for split in ("train", "dev"):
        out[split] = score_records(
            [r for r in records if r["split"] == split], methods, scorer, False, slow_limit
        )
        print(f"  done PolNeAR {split}", file=sys.stderr, flush=True)
    return out


def fit_newsrank(records: list[dict], iterations: int = 4000, l2: float = 1e-4) -> list[float]:
    """NewsRank's weights: logistic regression of reference membership on its features, over
    ``records`` (BBC)."""
    import numpy as np

    from summarizers.newsrank import NewsRankSummarizer
    from summarizers.pipeline import build_document

    ranker = NewsRankSummarizer("english")
    xs, ys = [], []
    for r in records:
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


def _rouge(sc: Scores) -> str:
    return " / ".join(f"{sc.mean(k):.3f}" for k in ROUGE_KEYS)


def table(
    budget: str,
    methods: list[str],
    bbc: dict[str, dict[tuple[str, str], Scores]],
    pol: dict[str, dict[tuple[str, str], Scores]],
) -> str:
    head = (
        "| method | P business | P entertainment | P politics | **P mean (LOCO)** "
        "| BBC headline R-1 / R-2 / R-L | PolNeAR train headline | PolNeAR dev headline "
        "| ms/article |"
    )
    lines = [f"{budget}:", "", head, "|" + "---|" * 9]
    for m in methods:
        parts = [bbc[c][m, budget] for c in CATEGORIES]
        whole = _merged(parts)
        seconds = whole.seconds + sum(pol[s][m, budget].seconds for s in pol)
        n = whole.n + sum(pol[s][m, budget].n for s in pol)
        mean_p = sum(p.precision for p in parts) / len(parts)
        sample = (
            f" (first {parts[0].n}/category, split)"
            if "max_chars" in BUDGETS[budget] and not has_rank(m)
            else ""
        )
        lines.append(
            f"| {m}{sample} | "
            + " | ".join(f"{p.precision:.3f}" for p in parts)
            + f" | **{mean_p:.3f}** | {_rouge(whole)} | {_rouge(pol['train'][m, budget])} "
            f"| {_rouge(pol['dev'][m, budget])} | {1000 * seconds / max(n, 1):.1f} |"
        )
    return "\n".join(lines)


def _merged(parts: list[Scores]) -> Scores:
    out = Scores()
    for p in parts:
        out.hits += p.hits
        out.picked += p.picked
        out.n += p.n
        out.seconds += p.seconds
        out.headline_copies += p.headline_copies
        for k, v in p.rouge.items():
            out.rouge[k] = out.rouge.get(k, 0.0) + v
    return out


def count_repeats(records: list[dict]) -> dict[str, list[int]]:
    """Digest items (3 sentences, 700 chars, 1 key quote: the shipped settings) with a summary
    sentence that repeats the headline or the key quote shown under it, by the rule of
    ``summarizers.pipeline.without_repeats``. "before": the flow before the rule (NewsRank, no
    title given to the summary, the key quote chosen around the summary); "now": bot.analyze."""
    from bot.analyze import analyze_text
    from bot.options import SummaryOptions
    from summarizers import extract_quotes, key_quotes
    from summarizers.pipeline import build_document, without_repeats
    from summarizers.text import clean_article_text

    def repeats(sentences: list[str], shown: str) -> bool:
        document, _ = build_document("\n\n".join(sentences))
        return bool(shown) and len(without_repeats(document, [shown], "english").sentences) < len(
            document.sentences
        )

    out = {"before": [0, 0, 0], "now": [0, 0, 0]}  # [items, repeat headline, repeat key quote]
    options = SummaryOptions()
    for r in records:
        text = clean_article_text(r["text"], title=r["title"])
        summary = summarize(text, sentences=3, max_chars=700, method="newsrank").sentences
        key = key_quotes(text, k=1, avoid=summary, quotes=extract_quotes(text))
        now = analyze_text(r["text"], title=r["title"], options=options)
        shown_now = now.quotes[: now.key_quote_count]
        for name, sents, quotes in (
            ("before", summary, [(q.text, q.speaker, q.speaker_title) for q in key]),
            ("now", list(now.summary), [(q.text, q.speaker, q.speaker_title) for q in shown_now]),
        ):
            shown = " ".join(filter(None, quotes[0])) if quotes else ""
            out[name][0] += 1
            out[name][1] += repeats(sents, r["title"])
            out[name][2] += repeats(sents, shown)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="first N of each category / split")
    ap.add_argument(
        "--methods",
        default=",".join(AVAILABLE_METHODS),
        help="comma-separated method names (default: all)",
    )
    ap.add_argument(
        "--slow-limit",
        type=int,
        default=40,
        help="methods without rank(): the 300-char budget on the first N of each category/split",
    )
    ap.add_argument(
        "--fit",
        action="store_true",
        help="refit NewsRank's shipped weights (the tuning half of BBC) and print them",
    )
    ap.add_argument(
        "--redundancy",
        action="store_true",
        help="count digest items whose summary repeats the headline or the key quote",
    )
    args = ap.parse_args(argv)
    if not BBC.exists() or not POLNEAR.exists():
        print(f"skipped: evaluation data not found under {SHARED} (../shared next to the repo)")
        return 0
    bbc, pol = load_bbc(args.limit), load_polnear(args.limit)
    if args.fit:
        from summarizers.newsrank import FEATURES

        tuning = [r for r in load_bbc() if is_tuning_half(r["id"])]
        for name, weight in zip(FEATURES, fit_newsrank(tuning), strict=True):
            print(f"{name:20} {weight}")
        return 0
    if args.redundancy:
        print(
            "| set | items | before: repeats headline | before: repeats key quote | "
            "now: repeats headline | now: repeats key quote |"
        )
        print("|---|---|---|---|---|---|")
        for name, records in (("BBC", bbc), ("PolNeAR", pol)):
            c = count_repeats(records)
            b, n = c["before"], c["now"]
            print(f"| {name} | {b[0]} | {b[1]} | {b[2]} | {n[1]} | {n[2]} |")
        return 0
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)
    methods = args.methods.split(",")
    b = run_bbc(bbc, methods, scorer, args.slow_limit)
    p = run_polnear(pol, methods, scorer, args.slow_limit)
    counts = {c: sum(r["category"] == c for r in bbc) for c in CATEGORIES}
    print(
        f"BBC News Summary: {len(bbc)} articles (duplicates dropped; {counts}); PolNeAR: "
        f"{sum(r['split'] == 'train' for r in pol)} train, {sum(r['split'] == 'dev' for r in pol)} "
        "dev. P = share of picked sentences in the reference extract; headline columns: ROUGE F1."
    )
    for budget in BUDGETS:
        print()
        print(table(budget, methods, b, p))
    copies = sum(sc.headline_copies for part in (*b.values(), *p.values()) for sc in part.values())
    print(f"\npicked sentences that contain their headline verbatim (all runs): {copies}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
