"""Seconds per summary under a `max_chars` budget, for each sumy method: before and after the
one-run ranking (summarizers.pipeline._sumy_ranking).

When a method's best sentences do not fit `max_chars`, the pipeline takes sentences best first.
sumy only gives "the best k, in document order", so the ranking used to be read by asking for
k = 1, 2, 3, ... sentences: one full run per sentence looked at. Now one run's ratings give the
whole ranking. This prints, per method, the time of both ways and whether their summaries are
the same, on one text made of the first `--articles` BBC articles (from ../shared/eval; the
script stops with a message when it is absent).

    .venv/bin/python benchmarks/budget_speed.py --max-chars 700 150
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from summarizers import pipeline  # noqa: E402

BBC = REPO.parent / "shared" / "eval" / "bbc_news_summary" / "bbc_news_summary.jsonl"
METHODS = ["lexrank", "lsa", "textrank", "luhn", "edmundson", "kl", "sumbasic", "reduction"]


def timed(text: str, method: str, max_chars: int) -> tuple[float, list[str]]:
    started = time.perf_counter()
    summary = pipeline.summarize(text, 3, method=method, max_chars=max_chars)
    return time.perf_counter() - started, summary.sentences


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=8)
    p.add_argument("--max-chars", type=int, nargs="+", default=[700, 150])
    args = p.parse_args(argv)
    if not BBC.exists():
        sys.exit(f"no evaluation data at {BBC}: this benchmark needs ../shared/eval")
    with BBC.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(args.articles), lines, strict=False)]
    text = "\n\n".join(row["text"] for row in rows)
    print(f"{len(rows)} BBC articles, {len(text):,} characters, 3 sentences\n")
    print("| max_chars | method | one run per sentence, s | one run, s | same summary |")
    print("|---|---|---|---|---|")
    one_run = pipeline._sumy_ranking
    for max_chars in args.max_chars:
        for method in METHODS:
            pipeline._sumy_ranking = lambda *_: None  # the old way: one more sentence each run
            try:
                before, old = timed(text, method, max_chars)
            finally:
                pipeline._sumy_ranking = one_run
            after, new = timed(text, method, max_chars)
            print(
                f"| {max_chars} | {method} | {before:.2f} | {after:.2f} "
                f"| {'yes' if old == new else 'NO'} |"
            )


if __name__ == "__main__":
    main()
