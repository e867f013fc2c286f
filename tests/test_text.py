"""Sentence splitting, word tokenization and article cleaning (summarizers.text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizers import UnsupportedLanguageError
from summarizers.text import (
    SUPPORTED_LANGUAGES,
    OfflineTokenizer,
    clean_article_text,
    cut_text,
    removable_lines,
    split_sentences,
    tokenize_words,
)

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "examples" / "seed_article.txt"


def texts(text: str, language: str = "english") -> list[str]:
    return [s.text for s in split_sentences(text, language)]


# --- splitting: English news conventions ------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The U.S. economy grew 3.5% in the third quarter. Gov. Jane Smith welcomed it.",
            ["The U.S. economy grew 3.5% in the third quarter.", "Gov. Jane Smith welcomed it."],
        ),
        (
            "Mr. Brown met Dr. Lee on Jan. 5 in Washington. They talked for an hour.",
            ["Mr. Brown met Dr. Lee on Jan. 5 in Washington.", "They talked for an hour."],
        ),
        (
            "The deal is worth $10.9bn, analysts at J.P. Morgan said. Shares rose 2.5 per cent.",
            [
                "The deal is worth $10.9bn, analysts at J.P. Morgan said.",
                "Shares rose 2.5 per cent.",
            ],
        ),
        (
            "George W. Bush spoke first. J. K. Rowling spoke next.",
            ["George W. Bush spoke first.", "J. K. Rowling spoke next."],
        ),
        (
            "It was bought by Acme Inc. The firm is based in Ohio.",
            ["It was bought by Acme Inc.", "The firm is based in Ohio."],
        ),
        (
            "He lives in the U.S. The rest of his family lives in Canada.",
            ["He lives in the U.S.", "The rest of his family lives in Canada."],
        ),
        (
            "Talks ended at 5 p.m. Eastern time on Friday. They resume Monday.",
            ["Talks ended at 5 p.m. Eastern time on Friday.", "They resume Monday."],
        ),
        (
            "Sen. Ann Roe (D-Ohio) and Rep. Bo Li voted no. The bill failed.",
            ["Sen. Ann Roe (D-Ohio) and Rep. Bo Li voted no.", "The bill failed."],
        ),
        ("Prices rose... But not by much.", ["Prices rose...", "But not by much."]),
    ],
)
def test_english_news_splitting(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_closing_quote_belongs_to_its_sentence() -> None:
    assert texts('She said: "This is over." Then she left.') == [
        'She said: "This is over."',
        "Then she left.",
    ]
    assert texts("He asked: “Why now?” Nobody answered.") == [
        "He asked: “Why now?”",
        "Nobody answered.",
    ]


def test_question_in_quotes_followed_by_attribution_is_one_sentence() -> None:
    assert texts('"Is it true?" he asked. Nobody answered.') == [
        '"Is it true?" he asked.',
        "Nobody answered.",
    ]


def test_multi_sentence_quote_with_attribution_is_not_split() -> None:
    text = '"We will not give up. We will keep fighting," said the mayor. The council agreed.'
    assert texts(text) == [
        '"We will not give up. We will keep fighting," said the mayor.',
        "The council agreed.",
    ]


def test_only_the_attributed_quotation_of_several_holds_its_sentences_together() -> None:
    text = (
        'Ask "Why?" She did. "It ended. It is over," he said. "Fine." Then they left. '
        '"One. Two," she said.'
    )
    assert texts(text) == [
        'Ask "Why?"',
        "She did.",
        '"It ended. It is over," he said.',
        '"Fine."',
        "Then they left.",
        '"One. Two," she said.',
    ]


def test_a_long_single_paragraph_splits_like_its_parts() -> None:
    unit = 'Mr. Lee met A. Smith in the U.S. on Monday. "We won. We will win again," she said. '
    assert texts(unit * 2000) == texts(unit) * 2000


def test_multi_paragraph_quote_reopens_without_confusing_the_next_paragraph() -> None:
    text = (
        '"The first paragraph of a long statement ends here. It has two sentences.\n\n'
        '"The second paragraph goes on," the minister said. Then she left.'
    )
    assert texts(text) == [
        '"The first paragraph of a long statement ends here.',
        "It has two sentences.",
        '"The second paragraph goes on," the minister said.',
        "Then she left.",
    ]


def test_offsets_point_into_the_text() -> None:
    text = "  First one here.  Second one, with $3.5m.\n\nThird paragraph.\n"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "First one here.",
        "Second one, with $3.5m.",
        "Third paragraph.",
    ]
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_hard_wrapped_lines_are_joined() -> None:
    text = "The committee said on Monday that the\nbudget would be cut. Nobody objected."
    assert texts(text) == [
        "The committee said on Monday that the\nbudget would be cut.",
        "Nobody objected.",
    ]


# --- splitting: other languages ---------------------------------------------------------------
def test_german() -> None:
    text = (
        "Der Umsatz stieg am 3. Oktober um 2,5 Prozent. Die Firma, z. B. in Berlin, wächst. "
        "Dr. Müller sagte: „Wir sind zufrieden.“ Er lachte."
    )
    assert texts(text, "german") == [
        "Der Umsatz stieg am 3. Oktober um 2,5 Prozent.",
        "Die Firma, z. B. in Berlin, wächst.",
        "Dr. Müller sagte: „Wir sind zufrieden.“",
        "Er lachte.",
    ]


def test_french_guillemets_with_spaces() -> None:
    text = "M. Dupont a déclaré : « Nous allons gagner. » Le ministre a répondu. Vraiment ? Oui."
    assert texts(text, "french") == [
        "M. Dupont a déclaré : « Nous allons gagner. »",
        "Le ministre a répondu.",
        "Vraiment ?",
        "Oui.",
    ]


def test_spanish() -> None:
    text = "¿Qué pasará ahora? El Sr. García dijo que crecerá un 3,2 %. EE.UU. no respondió."
    assert texts(text, "es") == [
        "¿Qué pasará ahora?",
        "El Sr. García dijo que crecerá un 3,2 %.",
        "EE.UU. no respondió.",
    ]


def test_czech() -> None:
    text = (
        "Ing. Novák řekl, že 28. listopadu začne stavba. Bude stát 2,5 mld. Kč. Ministr souhlasil."
    )
    assert texts(text, "czech") == [
        "Ing. Novák řekl, že 28. listopadu začne stavba.",
        "Bude stát 2,5 mld. Kč.",
        "Ministr souhlasil.",
    ]


def test_greek_question_mark_and_chinese_full_stops() -> None:
    assert texts("Τι έγινε; Κανείς δεν ξέρει.", "greek") == ["Τι έγινε;", "Κανείς δεν ξέρει."]
    assert texts("今天下雨。明天晴天！", "chinese") == ["今天下雨。", "明天晴天！"]


# --- words and languages ----------------------------------------------------------------------
def test_words_drop_numbers_and_punctuation() -> None:
    assert tokenize_words("The firm's profit rose 76% to $1.13bn - a record.") == [
        "The",
        "firm's",
        "profit",
        "rose",
        "to",
        "bn",
        "a",
        "record",
    ]
    assert tokenize_words("今天下雨", "chinese") == ["今", "天", "下", "雨"]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_supported_language_works_offline(language: str) -> None:
    tokenizer = OfflineTokenizer(language)
    assert tokenizer.language == language
    assert tokenizer.to_sentences("Alpha beta gamma. Delta epsilon zeta.")
    assert tokenizer.to_words("Alpha beta gamma.") == ("Alpha", "beta", "gamma")


def test_language_codes_are_accepted() -> None:
    assert OfflineTokenizer("de").language == "german"
    assert OfflineTokenizer("ENG").language == "english"


def test_sumy_parser_accepts_our_tokenizer() -> None:
    from sumy.parsers.plaintext import PlaintextParser

    doc = PlaintextParser("Mr. Smith came. He saw the U.S. Army.", OfflineTokenizer()).document
    assert [str(s) for s in doc.sentences] == ["Mr. Smith came.", "He saw the U.S. Army."]


@pytest.mark.parametrize("language", ["klingon", "thai", "", "xx"])
def test_unsupported_language_is_a_clear_error(language: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as err:
        split_sentences("Hello there.", language)
    assert "english" in str(err.value) and "german" in str(err.value)


# --- cleaning ---------------------------------------------------------------------------------
ARTICLE = """Mayor unveils new bridge plan

By Jane Doe, Reuters

Mayor unveils new bridge plan

The mayor of Springfield on Tuesday unveiled a plan to replace the old river bridge by 2028.

Photo: John Smith/Getty Images

Share this article

Facebook Twitter WhatsApp Email

The plan, which costs $250m, still needs council approval. Critics say it is too expensive.

Read more: Council delays budget vote

Reporting by Jane Doe; Editing by Tom Lee

Published 12 March 2024, 09:15 GMT"""

BODY = (
    "The mayor of Springfield on Tuesday unveiled a plan to replace the old river bridge by 2028."
    "\n\nThe plan, which costs $250m, still needs council approval. "
    "Critics say it is too expensive."
)


def test_clean_removes_headline_byline_credits_share_and_date_lines() -> None:
    assert clean_article_text(ARTICLE) == BODY
    assert clean_article_text(ARTICLE, title="Mayor unveils new bridge plan") == BODY


def test_removals_carry_reasons_and_offsets() -> None:
    reasons = [(ARTICLE[r.start : r.end], r.reason) for r in removable_lines(ARTICLE)]
    assert ("By Jane Doe, Reuters", "byline") in reasons
    assert ("Photo: John Smith/Getty Images", "credit") in reasons
    assert ("Share this article", "share") in reasons
    assert ("Published 12 March 2024, 09:15 GMT", "date") in reasons
    assert sum(reason == "headline" for _, reason in reasons) == 2


@pytest.mark.parametrize(
    "trailer",
    [
        "Updated on March 13, 2024 at 10:02 a.m. ET",
        "Actualizado el 13 de marzo de 2024, 10:02",
        "Aktualisiert am 13.03.2024, 10:02 Uhr",
        "Mis à jour le 13 mars 2024 à 10h02",
        "Aggiornato il 13 marzo 2024 alle 10:02",
        "Aktualizováno 13. března 2024 10:02",
        "Zaktualizowano: 13.03.2024 10:02",
        "Son güncelleme: 13 Mart 2024 10:02",
        "Обновлено 13 марта 2024, 10:02",
        "Päivitetty: 13.3.2024 klo 10.02",  # Finnish label we do not know: "label: date"
        "Tuesday 12 March 2024 09.15 GMT",
        "13/03/2024 10:02",
    ],
)
def test_date_trailers_in_any_language(trailer: str) -> None:
    text = f"A real sentence about the council budget comes first.\n\n{trailer}"
    assert clean_article_text(text) == "A real sentence about the council budget comes first."


@pytest.mark.parametrize(
    "line",
    [
        "Von Anna Schmidt und Peter Müller, dpa",
        "Por María López",
        "By JOHN SMITH | Associated Press",
        "(Photo by Tom Jones/AFP via Getty Images)",
        "Lesen Sie auch: Neue Brücke für Springfield",
        "Lire aussi : Le maire présente son plan",
        "Follow Jane Doe on Twitter @janedoe.",
        "Advertisement",
        "WASHINGTON, March 5 (Reuters) -",
        "Copyright 2024 The Associated Press. All rights reserved.",
        "© 2024 Springfield Gazette",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    text = f"{line}\n\nThe council approved the new budget on Tuesday after a long debate."
    assert clean_article_text(text) == (
        "The council approved the new budget on Tuesday after a long debate."
    )


@pytest.mark.parametrize(
    "prose",
    [
        "By the end of the year, the company expects sales to double.",
        "Published figures show the economy grew 2.1% in 2023, the statistics office said.",
        "Share prices fell sharply on Monday after the announcement.",
        "Updated forecasts from the bank point to slower growth in 2025 and 2026.",
        "It happened on 5 May 2010.",
        "Photographers waited outside the court all day.",
    ],
)
def test_prose_that_looks_like_boilerplate_is_kept(prose: str) -> None:
    text = f"The council approved the new budget on Tuesday.\n\n{prose}"
    assert clean_article_text(text) == text


@pytest.mark.skipif(not SEED.exists(), reason="../shared/examples/seed_article.txt not present")
def test_seed_article_loses_repeated_headline_and_turkish_trailer() -> None:
    raw = SEED.read_text(encoding="utf-8")
    cleaned = clean_article_text(raw)
    assert "US Wants Russia to Stop Iran Arms Sales" not in cleaned
    assert "Güncelleme" not in cleaned and "2018" not in cleaned
    assert cleaned.startswith("The United States pressed Russia on Friday")
    assert cleaned.endswith('"We felt it was important to press the issue."')
    # The same with the headline given.
    assert clean_article_text(raw, title="US Wants Russia to Stop Iran Arms Sales") == cleaned


# --- the cap on the text analysed per article ---------------------------------------------------
CUT = "First one here. Mr. Lee met A. Smith. Third.\n\nNext part has words. And more words."


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (500, CUT),  # short enough: unchanged
        (48, "First one here. Mr. Lee met A. Smith. Third."),  # ends with its paragraph
        (43, "First one here. Mr. Lee met A. Smith."),  # "Third" is cut short: dropped
        (20, "First one here."),  # never after "Mr."
        (66, "First one here. Mr. Lee met A. Smith. Third.\n\nNext part has words."),
        (10, "First one"),  # no sentence end yet: after the last whole word
        (3, "Fir"),  # no space at all: the only cut inside a word
    ],
)
def test_cut_text_ends_where_a_sentence_ends(limit: int, expected: str) -> None:
    assert cut_text(CUT, limit) == expected


def test_cut_text_never_cuts_a_hard_wrapped_sentence_at_its_line_end() -> None:
    text = "The committee said on Monday that the\nbudget would be cut. Nobody objected."
    assert cut_text(text, 38) == "The committee said on Monday that the"
    assert cut_text(text, 60) == "The committee said on Monday that the\nbudget would be cut."


# --- properties -------------------------------------------------------------------------------
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ALPHABET = st.sampled_from(list("ab AZ.,!?;:'\"“”„«»()-\n\t0123456789$%…") + ["Mr.", "U.S.", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join))
def test_sentences_are_ordered_non_overlapping_slices(text: str) -> None:
    sentences = split_sentences(text)
    previous_end = 0
    for s in sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        previous_end = s.end
    cleaned = clean_article_text(text)
    assert isinstance(cleaned, str)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join), st.integers(1, 60))
def test_cut_text_is_a_short_enough_head_that_ends_between_words(text: str, limit: int) -> None:
    cut = cut_text(text, limit)
    assert text.startswith(cut) and len(cut) <= limit
    if len(text) <= limit:
        assert cut == text
    elif cut and any(c.isspace() for c in text[:limit]):
        assert text[len(cut)].isspace()  # never inside a word
