"""NewsRank: our most central-sentence method, a small linear model over news-sentence features.

Each sentence gets a score from
- position: first/second sentence, log position, relative position, first paragraph;
- centrality: (a) TextRank-style PageRank over cosine similarity of unstemmed content-word
  counts, as raw score, z-score and rank in the document; (b) degree centrality over shared
  stemmed content words, normalised by log sentence lengths (as in sumy's Reduction);
  (c) word-frequency density (Luhn/SumBasic-like) and mean frequency of its stems;
- form: length (saturating at 25 words), share of content words, a penalty for sentences that
  open with or are mostly a quotation, a bonus for reported speech ("said").
The weights were fitted (logistic regression, reference-sentence membership) on a fixed half
of the BBC News Summary set (``benchmarks.summaries.is_tuning_half``); then a first-sentence
bonus, a penalty for very long sentences and one for quotation-heavy sentences lean the choice
toward what a reader of a news brief wants: shorter picks that carry the lead and say what
happened. That trade costs about 0.015 P@3 and 0.03 ROUGE-2 against the long BBC reference
extracts and gains about 0.01 ROUGE-1 against human-written headlines (benchmarks/README.md).
Pure numpy, O(n^2) in sentences. LedeRank (:mod:`summarizers.lederank`, the default) reuses
its features and fitted weights.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import numpy as np
from sumy.models.dom import ObjectDocumentModel
from sumy.models.dom import Sentence as SumySentence

from summarizers.languages import normalize_language, stemmer, stop_words

# Feature order of _WEIGHTS, as printed by `python benchmarks/summaries.py --fit`.
FEATURES = (
    "bias",
    "first",
    "second",
    "log_position",
    "relative_position",
    "first_paragraph",
    "overlap_degree",
    "frequency_density",
    "mean_frequency",
    "length_25",
    "log_length",
    "content_ratio",
    "opens_with_quote",
    "quoted_share",
    "reported_speech",
    "pagerank",
    "pagerank_z",
    "pagerank_rank",
)
_WEIGHTS = np.array(
    [
        0.4664,
        -0.5091,
        0.347,
        0.4639,
        -1.1264,
        0.9381,
        1.0561,
        1.1806,
        2.4966,
        0.8945,
        -2.6068,
        -2.056,
        -0.3946,
        -0.5619,
        1.3857,
        -0.2974,
        1.2361,
        -2.0783,
    ]
)
# Reader-facing adjustments on top of the fitted model.
FIRST_SENTENCE_BONUS = 1.0
LONG_SENTENCE_WORDS = 22
LONG_SENTENCE_PENALTY = 0.1  # per word beyond LONG_SENTENCE_WORDS (not for the first sentence)
# Times the share of the sentence inside quotation marks: key quotes are shown on their own
# (summarizers.quotes), so a summary sentence should say what happened, not repeat a quote.
QUOTE_PENALTY = 2.0
DAMPING = 0.85
ITERATIONS = 40

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)?")
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|„[^“”]*[“”]|«[^»]*»')
_SPEECH = {
    "english": r"said|says|told|added",
    "german": r"sagte|sagt|erklärte|betonte|fügte",
    "french": r"a déclaré|a dit|a affirmé|selon|estime",
    "spanish": r"dijo|afirmó|declaró|señaló|aseguró",
    "italian": r"ha detto|ha dichiarato|ha affermato",
    "portuguese": r"disse|afirmou|declarou",
    "czech": r"řekl|řekla|uvedl|uvedla|dodal|dodala",
    "slovak": r"povedal|povedala|uviedol|uviedla",
    "polish": r"powiedział|powiedziała|dodał|dodała",
    "swedish": r"sade|sa|säger",
}


def _rank01(x: np.ndarray) -> np.ndarray:
    order = np.argsort(np.argsort(-x, kind="stable"), kind="stable")
    return order / max(len(x) - 1, 1)


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _matrix(rows: list[list[str]]) -> np.ndarray:
    """Sentence x term count matrix."""
    vocab: dict[str, int] = {}
    for row in rows:
        for t in row:
            vocab.setdefault(t, len(vocab))
    m = np.zeros((len(rows), max(len(vocab), 1)))
    for i, row in enumerate(rows):
        for t in row:
            m[i, vocab[t]] += 1
    return m


def _pagerank(sim: np.ndarray) -> np.ndarray:
    n = len(sim)
    rows = sim.sum(1)
    rows[rows == 0] = 1
    m = (sim / rows[:, None]).T
    p = np.full(n, 1.0 / n)
    for _ in range(ITERATIONS):
        p = (1 - DAMPING) / n + DAMPING * (m @ p)
    return p


class NewsRankSummarizer:
    """sumy-style plug-in: ``summarizer(document, count)``; ``rank(document)`` is best first."""

    def __init__(self, language: str = "english", weights: np.ndarray | None = None) -> None:
        """``weights`` (one per :data:`FEATURES`) replaces the shipped fit, e.g. a refit that
        leaves one category out (benchmarks/summaries.py)."""
        self.language = normalize_language(language)
        self.weights = _WEIGHTS if weights is None else np.asarray(weights, dtype=float)
        self._stem = stemmer(self.language)
        self._stops = stop_words(self.language)
        speech = _SPEECH.get(self.language)
        self._speech = re.compile(rf"\b(?:{speech})\b") if speech else None

    def features(self, document: ObjectDocumentModel) -> np.ndarray:
        """One row of :data:`FEATURES` per sentence of ``document``."""
        sentences = list(document.sentences)
        n = len(sentences)
        stops = self._stops
        para_of = {}
        for pi, paragraph in enumerate(document.paragraphs):
            for s in paragraph.sentences:
                para_of[id(s)] = pi
        words = [s.words for s in sentences]
        stems = [[self._stem(w) for w in ws if w.lower() not in stops] for ws in words]
        texts = [str(s) for s in sentences]
        terms = [[t for t in _TOKEN.findall(x.lower()) if t not in stops] for x in texts]

        # Overlap degree: shared stems / (log10 |s_i| + log10 |s_j|), summed over j.
        binary = (_matrix(stems) > 0).astype(float)
        common = binary @ binary.T
        np.fill_diagonal(common, 0)
        logs = np.array([math.log10(len(t)) if t else 0.0 for t in stems])
        den = logs[:, None] + logs[None, :]
        overlap = np.divide(common, den, out=np.zeros_like(common), where=den > 0)
        degree = overlap.sum(1)
        degree = degree / (degree.max() or 1)

        # PageRank over cosine similarity of unstemmed content-word counts.
        counts = _matrix(terms)
        norms = np.linalg.norm(counts, axis=1)
        cos = counts @ counts.T
        outer = norms[:, None] * norms[None, :]
        cos = np.divide(cos, outer, out=np.zeros_like(cos), where=outer > 0)
        np.fill_diagonal(cos, 0)
        pr = _pagerank(cos)

        tf = Counter(t for row in stems for t in row)
        top = max(tf.values()) if tf else 1
        sets = [set(row) for row in stems]
        density = np.array([sum(tf[t] - 1 for t in s) for s in sets], dtype=float)
        density = density / (density.max() or 1)
        mean_freq = [sum(tf[t] for t in s) / len(s) / top if s else 0.0 for s in sets]

        pr_z, pr_rank = _zscore(pr), _rank01(pr)
        rows = []
        for i, s in enumerate(sentences):
            text = texts[i]
            nw = len(words[i])
            quoted = sum(len(m) for m in _QUOTED.findall(text)) / max(len(text), 1)
            rows.append(
                [
                    1.0,
                    i == 0,
                    i == 1,
                    math.log1p(i),
                    i / n,
                    para_of.get(id(s), 1) == 0,
                    degree[i],
                    density[i],
                    mean_freq[i],
                    min(nw, 25) / 25,
                    math.log1p(nw) / 4,
                    len(stems[i]) / nw if nw else 0.0,
                    text.lstrip()[:1] in "\"“'„«",
                    quoted,
                    bool(self._speech and self._speech.search(text)),
                    pr[i] * n,
                    pr_z[i],
                    pr_rank[i],
                ]
            )
        return np.array(rows, dtype=float).reshape(n, len(FEATURES))

    def scores(self, document: ObjectDocumentModel) -> np.ndarray:
        """The ranking score of each sentence, in document order."""
        x = self.features(document)
        if not len(x):
            return np.zeros(0)
        lengths = np.array([len(s.words) for s in document.sentences], dtype=float)
        too_long = np.maximum(0, lengths - LONG_SENTENCE_WORDS)
        too_long[0] = 0  # a news lead is often long, and it is the one sentence to keep whole
        return (
            x @ self.weights
            + FIRST_SENTENCE_BONUS * x[:, FEATURES.index("first")]
            - LONG_SENTENCE_PENALTY * too_long
            - QUOTE_PENALTY * x[:, FEATURES.index("quoted_share")]
        )

    def rank(self, document: ObjectDocumentModel) -> list[SumySentence]:
        sentences = list(document.sentences)
        scores = self.scores(document)
        order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
        return [sentences[i] for i in order]

    def __call__(
        self, document: ObjectDocumentModel, sentences_count: Any
    ) -> tuple[SumySentence, ...]:
        chosen = {id(s) for s in self.rank(document)[: int(sentences_count)]}
        return tuple(s for s in document.sentences if id(s) in chosen)
