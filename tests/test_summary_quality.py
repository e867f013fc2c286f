"""Quality floors on real data (../shared/eval), a little under the measured figures of
benchmarks/summaries.py, so a regression in splitting, cleaning or ranking fails CI.

The default (LedeRank) is held to people-written headlines (PolNeAR dev, never used to choose
its settings; BBC) and to a floor on BBC reference sentences; NewsRank, by name, to its P@3.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from summarizers import summarize

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "summaries.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_bench_summaries", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _bench()
# Floors a little under what was measured (2026-12-06, after the redundancy rule and the
# whole-prose-sentence filter, which took NewsRank's held-out P@3 from 0.924 to 0.912).
NEWSRANK_P3_FLOOR = 0.90  # measured 0.912 on the held-out half
DEFAULT_P3_FLOOR = 0.74  # measured 0.759 on the held-out half
# headline ROUGE-1/2/L F1 of the default; Lead-3 measured .138/.049/.117 and .175/.057/.147
POLNEAR_DEV_FLOORS_3 = [0.135, 0.045, 0.113]  # measured .145/.051/.121
POLNEAR_DEV_FLOORS_300 = [0.170, 0.054, 0.145]  # measured .181/.060/.154
BBC_FLOORS_3 = [
    0.100,
    0.019,
    0.083,
]  # every 3rd record: measured .107/.022/.089 (lead .106/.021/.088)
pytestmark = pytest.mark.skipif(
    not bench.BBC.exists(),
    reason=f"evaluation data not present: {bench.BBC} (../shared next to the repository)",
)


@pytest.fixture(scope="module")
def bbc() -> list[dict]:
    return bench.load_bbc()


def precision_at_3(records: list[dict], method: str | None) -> float:
    hits = picked = 0
    for r in records:
        sentences = summarize(r["text"], sentences=3, method=method, title=r["title"]).sentences
        hits += sum(bench.in_reference(s, r["summary"]) for s in sentences)
        picked += len(sentences)
    return hits / picked


def headline_rouge(records: list[dict], method: str | None, **budget: int) -> list[float]:
    """Mean ROUGE-1/2/L F1 of the summaries against the records' headlines."""
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    sums = [0.0, 0.0, 0.0]
    for r in records:
        picked = summarize(r["text"], method=method, title=r["title"], **budget).text
        scores = scorer.score(r["title"], picked)
        for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
            sums[i] += scores[key].fmeasure
    return [x / len(records) for x in sums]


def test_newsrank_p_at_3_on_the_held_out_half(bbc: list[dict]) -> None:
    held_out = [r for r in bbc if not bench.is_tuning_half(r["id"])]
    assert len(held_out) > 500
    assert precision_at_3(held_out, "newsrank") >= NEWSRANK_P3_FLOOR


def test_default_p_at_3_on_the_held_out_half(bbc: list[dict]) -> None:
    held_out = [r for r in bbc if not bench.is_tuning_half(r["id"])]
    assert precision_at_3(held_out, None) >= DEFAULT_P3_FLOOR


@pytest.mark.parametrize(
    ("budget", "floors"),
    [
        ({"sentences": 3}, POLNEAR_DEV_FLOORS_3),
        ({"sentences": 3, "max_chars": 300}, POLNEAR_DEV_FLOORS_300),
    ],
    ids=["3 sentences", "300 chars"],
)
def test_default_headline_rouge_on_polnear_dev(budget: dict, floors: list[float]) -> None:
    dev = [r for r in bench.load_polnear() if r["split"] == "dev"]
    assert len(dev) == 84
    measured = headline_rouge(dev, None, **budget)
    assert all(m >= f for m, f in zip(measured, floors, strict=True)), measured


def test_default_headline_rouge_on_bbc(bbc: list[dict]) -> None:
    subset = bbc[::3]  # every 3rd record: all three categories, about 420 articles
    measured = headline_rouge(subset, None, sentences=3)
    assert all(m >= f for m, f in zip(measured, BBC_FLOORS_3, strict=True)), measured
