"""Quality floors on real data (../shared/eval/bbc_news_summary), a little under the measured
figures of benchmarks/summaries.py, so a regression in splitting, cleaning or ranking fails CI.
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


def test_default_p_at_3_on_all_of_bbc(bbc: list[dict]) -> None:
    # measured 0.909 (held-out half 0.910); 0.923 before sentences inside a quotation, or
    # quotations with no speaker, stopped being candidates (the BBC references hold many)
    assert precision_at_3(bbc, None) >= 0.90


def test_default_p_at_3_on_the_held_out_half(bbc: list[dict]) -> None:
    held_out = [r for r in bbc if not bench.is_tuning_half(r["id"])]
    assert len(held_out) > 500
    assert precision_at_3(held_out, None) >= 0.90


def test_default_beats_lead_and_reduction_on_a_fixed_subset(bbc: list[dict]) -> None:
    subset = bbc[::4]  # every 4th record: all three categories, about 300 articles
    ours = precision_at_3(subset, None)
    assert ours > precision_at_3(subset, "reduction") + 0.01
    assert ours > precision_at_3(subset, "lead") + 0.2
