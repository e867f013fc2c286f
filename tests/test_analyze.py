"""Article analysis: what the digest shows of quotes, and the dedupe fingerprints."""

from __future__ import annotations

from bot.analyze import SummaryOptions, analyze_text, content_hash, display_quote, simhash

STORY = (
    "The harbour authority voted on Tuesday to replace the swing bridge over the inner basin "
    "with a lifting span, ending a decade of argument over the crossing. The new bridge will "
    "cost $31m and open in 2029, the authority said. Shipping firms had complained that the old "
    'bridge jammed open twice last winter.\n\n"We have patched this bridge for twenty years and '
    'it is time to stop," said Dr. Ines Calloway, the harbour master. The work will close the '
    "crossing to traffic for eight months, and a ferry will run in the meantime."
)


def test_quote_shown_alone_ends_like_a_sentence() -> None:
    assert display_quote("it is time to stop,") == "it is time to stop."
    assert display_quote("Is it  over?") == "Is it over?"


def test_key_quote_has_speaker_without_a_bare_honorific_as_title() -> None:
    analysis = analyze_text(
        STORY, title="Bridge to be replaced", options=SummaryOptions(sentences=2, quotes=1)
    )
    assert analysis.key_quote_count == 1
    quote = analysis.quotes[0]
    assert quote.text == "We have patched this bridge for twenty years and it is time to stop."
    assert quote.speaker == "Ines Calloway"
    assert quote.speaker_title != "Dr."


def test_only_the_first_max_text_chars_of_an_article_are_analysed() -> None:
    tail = 'Later, "The ferry will be free for residents," said Dr. Mara Voss, the mayor.'
    text = "\n\n".join([STORY] * 8 + [tail])
    options = SummaryOptions(sentences=2, quotes=1, max_text_chars=2500)
    analysis = analyze_text(text, title="Bridge to be replaced", options=options)
    assert len(analysis.text) <= 2500 and text.startswith(analysis.text)
    assert analysis.text.endswith(("last winter.", "in the meantime."))  # a whole paragraph
    assert len(analysis.text) > 2000 and analysis.cut_from == len(text)
    assert all(s in analysis.text for s in analysis.summary)
    assert all("Voss" not in (q.speaker or "") for q in analysis.quotes)

    whole = analyze_text(STORY, title="Bridge to be replaced", options=options)
    assert whole.cut_from is None and whole.text == STORY


def test_fingerprints_match_the_same_story_in_other_markup_only() -> None:
    words = STORY.replace("\n\n", " ")
    assert content_hash(STORY) == content_hash(words.upper())
    assert content_hash(STORY) != content_hash(STORY.replace("$31m", "$13m"))
    assert content_hash("too short") is None and simhash("too short") is None


def test_simhash_sees_an_updated_copy_as_near_and_other_stories_as_far() -> None:
    base = (STORY + " ") * 2  # a full-length article
    updated = base + "\n\nUpdate: the council approved the ferry timetable on Wednesday."
    reworded = base.replace("eight months", "nine months", 1)
    other = " ".join(reversed(base.split()))
    assert bin(simhash(base) ^ simhash(updated)).count("1") <= 3
    assert bin(simhash(base) ^ simhash(reworded)).count("1") <= 3
    assert bin(simhash(base) ^ simhash(other)).count("1") > 10


def test_the_summary_skips_the_sentence_the_key_quote_and_headline_already_show() -> None:
    story = (
        "Council closes Mill Street library\n\n"
        "The council closes the Mill Street library.\n\n"
        "The city council voted 7-2 on Tuesday to close the Mill Street library in March and "
        "move its books to the new central library.\n\n"
        '"We cannot keep a building open that almost nobody uses any more," said Mayor Ruth '
        "Okafor.\n\n"
        "Library users said they would collect signatures to keep the branch open, and a "
        "protest is planned for Saturday.\n\n"
        '"It is a sad day," one reader said.'
    )
    analysis = analyze_text(
        story,
        title="Council closes Mill Street library",
        options=SummaryOptions(sentences=2, method="lead", quotes=1),
    )
    quote = analysis.quotes[0]
    assert quote.speaker == "Ruth Okafor"
    assert quote.text.startswith("We cannot keep a building open")
    assert analysis.summary == (
        "The city council voted 7-2 on Tuesday to close the Mill Street library in March and "
        "move its books to the new central library.",
        "Library users said they would collect signatures to keep the branch open, and a "
        "protest is planned for Saturday.",
    )


def test_the_best_quote_stays_the_key_quote_and_the_summary_goes_around_it() -> None:
    story = (
        "The city council voted 7-2 on Tuesday to close the Mill Street library in March and "
        "move its books to the new central library.\n\n"
        '"We cannot keep a building open that almost nobody uses any more," said Mayor Ruth '
        "Okafor.\n\n"
        "Library users said they would collect signatures to keep the branch open, and a "
        "protest is planned for Saturday.\n\n"
        '"It is sad," a reader said.'
    )
    analysis = analyze_text(
        story, title="Library to close", options=SummaryOptions(sentences=2, method="lead")
    )
    assert (analysis.quotes[0].speaker, analysis.key_quote_count) == ("Ruth Okafor", 1)
    assert not any("nobody uses" in s for s in analysis.summary)
    assert analysis.summary[1].startswith("Library users said")
