"""What each process loads: memory is counted per process (issue 6: peak RSS under 300 MB).

Run in a fresh interpreter each, since this test process has imported everything already.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ("sumy", "nltk", "numpy")  # ~45 MB, only the workers need them
LOOP_SIDE = ("aiohttp", "slack_bolt", "slack_sdk", "discord", "bot.app", "bot.net")


def loaded_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    script = (
        f"{code}\nimport sys\n"
        f"print('\\n'.join(m for m in sys.modules if m.split('.')[0] in {prefixes!r}"
        f" or m in {prefixes!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return sorted(out.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import bot.cli",
        "import bot.app, bot.commands, bot.ingest, bot.answer, bot.scheduler",
        # The main process parses the config; the example's [summary] language is checked.
        "import tomllib; from bot.config import parse_settings\n"
        "parse_settings(tomllib.load(open('config.example.toml', 'rb')), base_dir='.')",
    ],
)
def test_the_main_process_does_not_load_the_analysis_libraries(code: str) -> None:
    assert loaded_after(code, ANALYSIS) == []


def test_a_worker_does_not_load_the_event_loop_side() -> None:
    # A worker re-imports the main script (bot.cli for `newsbrief`) and the modules of the jobs
    # it unpickles: the timer around each job, parsing and analysis.
    code = "import bot.cli, bot.jobs, bot.feeds, bot.analyze"
    assert loaded_after(code, LOOP_SIDE) == []


def test_analysis_loads_the_summarizers_where_it_runs() -> None:
    code = (
        "from bot.analyze import analyze_text\nfrom bot.options import SummaryOptions\n"
        "a = analyze_text('The mayor said the bridge opens in May. It cost a lot.', title='',"
        " options=SummaryOptions())\nassert a.summary"
    )
    assert "sumy" in loaded_after(code, ANALYSIS)


def test_the_summarizers_package_and_its_language_table_load_no_analysis_library() -> None:
    code = (
        "import summarizers, summarizers.languages\nsummarizers.languages.normalize_language('en')"
    )
    assert loaded_after(code, ANALYSIS) == []


def test_the_lazy_package_names_are_the_functions_whatever_was_imported_first() -> None:
    code = (
        "import summarizers.pipeline, summarizers.quotes\n"
        "from summarizers import summarize, extract_quotes, UnsupportedLanguageError\n"
        "assert callable(summarize) and callable(extract_quotes)\n"
        "assert summarize('The port reopened on Monday. Ships came back.', sentences=1).sentences\n"
        "assert issubclass(UnsupportedLanguageError, ValueError)"
    )
    assert "numpy" in loaded_after(code, ANALYSIS)


def test_the_package_exports_exactly_its_lazy_names() -> None:
    import summarizers

    assert sorted(summarizers.__all__) == sorted(summarizers._HOMES)
    assert all(getattr(summarizers, name) is not None for name in summarizers.__all__)
