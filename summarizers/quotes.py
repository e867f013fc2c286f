"""Direct quotations and their speakers (issue 3).

``extract_quotes`` returns every direct quotation in order. Conventions:

* ``text[q.start:q.end] == q.text`` always; the text excludes the quotation marks and the
  whitespace just inside them.
* A quotation split by its attribution (``"A," Burns said. "B."``) gives **two** Quote objects
  with the same speaker; the second has ``continues=True``. Likewise a quotation running over
  several paragraphs gives one Quote per paragraph, each later piece with ``continues=True``.
  (One Quote per pair of marks keeps the offsets exact and matches how news corpora annotate.)
* Scare quotes, titles and short quoted phrases (``the so-called "deal"``, a film title) are
  not returned. A short quotation is kept only when it stands as a statement: a speech verb or a
  colon next to it, or it continues the previous quotation of the paragraph.
* A quotation with no attribution of its own continues the previous speaker when it follows
  another quotation in the same paragraph, reopens a quotation left open in the previous
  paragraph, or opens a paragraph right after a paragraph that quoted someone. Failing that, a
  signature line under it ("- Sanders.") or the subject of the sentence or paragraph that
  introduces it names the speaker; otherwise ``speaker`` is None (anonymous sources stay None).
* Speakers are full names as the article gives them: a surname ("Burns said") resolves to the
  full name met in the article, a pronoun or a definite description ("the senator") to the
  nearest earlier person of a compatible gender (:mod:`summarizers.speakers`); "the spokesman"
  after "a spokesman" stays None. Bodies speak too ("the White House said", "Reuters
  reported"). In "X said, according to Y" the speaker is X, who said the words.
* A dashed signature on the quotation's own line ("- Maria Okafor", an embedded tweet's
  "— Name (@handle) May 1, 2016") names the speaker; curly marks nested inside a
  straight-quoted quotation do not end it.

Modules: :mod:`~summarizers.quote_spans` pairs the marks, :mod:`~summarizers.attribution`
parses the clause next to a quotation, :mod:`~summarizers.names` splits titles from names, and
:mod:`~summarizers.speakers` resolves mentions to people.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from summarizers.attribution import (
    VERB_RE,
    Mention,
    after_mention,
    before_mention,
    last_sentence_start,
    looks_attributed,
    np_after_verb,
    subject_at_start,
    tokens,
)
from summarizers.languages import normalize_language
from summarizers.names import NOT_NAME, Name, looks_like_org, split_title
from summarizers.quote_spans import Span, find_spans, paragraphs
from summarizers.speakers import Resolver


@dataclass(frozen=True)
class Quote:
    """One direct quotation; ``text[start:end] == quote.text`` in the source text."""

    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_title: str | None = None
    continues: bool = False  # continues the previous Quote's statement (split or multi-paragraph)


_SCARE_CUES = re.compile(
    r"(?:so-called|so called|called|dubbed|titled|entitled|labeled|labelled|branded|nicknamed|"
    r"known as|the word|the words|the term|the phrase|the slogan|slogan|hashtag|termed|deemed|"
    r"as a|as an|as the|the|a|an|his|her|their|its|our|my|on|of|in|by|with|from|for|to|and|or|"
    r"into|about|at)\s*$",
    re.I,
)
# A signature line under a quotation: "- Sanders." or 'Dean Baker, Center for Economic Research."'
_SIGNATURE = re.compile(
    r"\n*[ \t]*(?P<dash>[-\u2013\u2014\u2015]\s*)?(?P<name>[A-Z][^\n,]{1,40}?)"
    r"(?:,\s*(?P<title>[^\n]{1,80}?))?\.?(?P<close>[\"\u201d])?[ \t]*(?:\n|$)"
)
_NARRATION_CUES = re.compile(
    r"\b(?:spoke|speaking|speech|interview|remarks|statement|told|said|says|asked|answered|"
    r"responded|added|wrote|tweeted|explained|argued|continued|declared)\b",
    re.I,
)
# a name followed by a verb of speaking, anywhere in a sentence
_SPOKE = re.compile(
    r"\b(?P<name>(?:[A-Z][\w.'\u2019\-]*\s+){0,2}[A-Z][\w.'\u2019\-]*)\s+"
    r"(?:also\s+|then\s+)?(?:spoke|speaks)\b"
)
# a dashed signature: "- Maria Okafor", "— Maria Okafor (@okafor) May 1, 2016</tweet>", "― Ana Ruiz"
_DASH_SIGNATURE = re.compile(
    r"[^\S\n]*[-\u2013\u2014\u2015]+[^\S\n]*(?P<name>(?:[A-Z][\w.'\u2019\-]*[^\S\n]+){0,3}[A-Z][\w.'\u2019\-]*)"
    r"(?:,[^\S\n]+(?P<title>[\w'\u2019\- \t]{2,60}?))?"  # "— Maria Okafor, harbour commissioner"
    r"(?:[^\S\n]*\(@\w+\))?(?:[^\S\n]+[A-Z][a-z]+\.?[^\S\n]+\d{1,2},[^\S\n]+\d{4})?"
    r"[^\S\n]*[.,]?[^\S\n]*(?:</?tweet/?>[^\S\n]*\.?)?[^\S\n]*$"
)


def _more_after(after: str, m: re.Match) -> bool:
    """Is there more text after a dashed signature in the window (it is not a signature)?"""
    return bool(after[m.end() :].strip())


# "That quote from Alabama Securities Commissioner Thomas Krebs appeared ..."
_QUOTE_FROM = re.compile(
    r"\s*(?:That|This|The)\s+(?:quote|quotation|remark|line|comment|statement|message|words)\s+"
    r"(?:came\s+)?(?:from|by)\s+"
)
_TITLE_CUES = re.compile(
    r"(?:['\u2019]s|\b(?:on|in|of|show|book|movie|film|program|programme|series|song|album|"
    r"column|podcast|newspaper|magazine|entitled|titled|headline|documentary|play|novel|"
    r"memoir|essay|op-ed|article|report|told|perform|performed|sang|sing|watch|watched|"
    r"starred\s+in|appeared\s+on|appearance\s+on|interview\s+with))\s*,?\s*$",
    re.I,
)
# A term being named, not a statement, even when a speech verb follows it.
_STRONG_SCARE = re.compile(
    r"\b(?:so-called|so called|dubbed|nicknamed|known as|termed|the (?:[\w-]+\s+){0,2}?(?:word|"
    r"words|term|phrase|slogan|label|moniker|hashtag),?|hashtag)\s*$",
    re.I,
)
_CHANT_CUES = re.compile(
    r"\b(?:chant(?:s|ed|ing)?(?:\s+of)?|shout(?:s|ed|ing)?(?:\s+of)?|cries\s+of|calls\s+of|"
    r"(?:sign|placard|banner|message|shirt|hat)s?\s+(?:that\s+|which\s+)?(?:read|reads|reading|"
    r"saying)|echoing)\s*[,:]?\s*$",
    re.I,
)
_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?i:this|that|these|those|a|an|the|his|her|their|its|our|my|your)|\w['\u2019]s?)"
    r"(?:\s+[A-Z][\w.\-]*){0,2}\s*$"  # the CNN "reporter," / the New York "genius"
)
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z][\w'\u2019\-]*[ \u00a0]\Z")
_BYLINE = re.compile(r"\s*,?\s*by\s+(?:the\s+)?[A-Z]")
_MIN_WORDS = 4
_WINDOW = 400  # characters of context looked at on each side of a quotation
_LONG_WORDS = 9


def _word_count(s: str) -> int:
    return len(s.split())


_SMALL_WORDS = frozenset(
    "a an the and or but of in on at to for with from by as is be are was nor so yet".split()
)


def _title_case(s: str) -> bool:
    words = [
        w
        for w in re.findall(r"[^\W\d_][\w'\u2019\-]*", s)
        if len(w) > 1 and w.lower() not in _SMALL_WORDS
    ]
    if not words:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.75


def _is_nickname(text: str, sp: Span) -> bool:
    """A short quoted word inside a name: Del. Marcia "Cia" Price."""
    if sp.close_mark is None or _word_count(text[sp.start : sp.end]) > 2:
        return False
    before = text[max(0, sp.open_mark - 40) : sp.open_mark]
    after = text[sp.close_mark + 1 : sp.close_mark + 4]
    return bool(_NAME_BEFORE.search(before) and re.match(r"[ \u00a0][A-Z][a-z]", after))


def _without_nicknames(text: str, nicknames: Sequence[Span]) -> str:
    """``text`` with these nicknames blanked out (same length), so "Marcia "Cia" Price" reads
    as one name to the attribution parser."""
    for sp in nicknames:
        end = (sp.close_mark or sp.end) + 1
        text = text[: sp.open_mark] + " " * (end - sp.open_mark) + text[end:]
    return text


def _is_statement(text: str, sp: Span, para: tuple[int, int], follows_quote: bool) -> bool:
    """Is this quotation a statement rather than a scare quote, a title or a short phrase?"""
    q = text[sp.start : sp.end]
    n = _word_count(q)
    before = text[max(para[0], sp.open_mark - _WINDOW) : sp.open_mark]
    after_start = sp.close_mark + 1 if sp.close_mark is not None else sp.end
    after = text[after_start : min(para[1], after_start + 120)]
    attributed = looks_attributed(before, after)
    if not attributed and re.search(r"[,?!\u2014-]$", q):
        m = after_mention(after, after_start)  # "They'd be wrong," Michael Briggs, ..., said
        attributed = m is not None and (m.name is not None or m.pronoun is not None)
    prev_char = text[sp.open_mark - 1] if sp.open_mark > para[0] else " "
    if prev_char in "=/" or q.startswith(">"):
        return False  # a markup attribute or a path; '">tweet text<tweet/>' is markup too
    if prev_char == "(" and re.match(r"\s*,?\s*[A-Z][^()\n]{0,40}\)", after):
        return False  # a cited headline: ("Romney blasts Trump," USATODAY.com, Thursday)
    if _CHANT_CUES.search(before[-30:]) and (not _title_case(q) or q.endswith(("!", "?"))):
        return True  # a crowd's chant or a sign's words: chants of "Ted! Ted!", read "USA!"
    if _title_case(q) and n <= 10 and _TITLE_CUES.search(before[-40:]):
        return False  # on ABC's "This Week," / the book "Backfire: ..."
    if _BYLINE.match(after):
        return False  # a headline followed by its byline: "Met accused of ...," by ...
    if n >= _LONG_WORDS and not (_title_case(q) and not re.search(r"[.!?,]$", q)):
        return True
    if n <= 4 and _STRONG_SCARE.search(before[-30:]):
        return False  # the hacker known as "Guccifer," stated ...
    if n <= 5 and re.search(r"[\"\u201d]\s*,?\s*(?:and|or)\s*$", before):
        return False  # a list of quoted names: "Parks and Recreation" and "Guardians ...,"
    if n <= 3 and q[:1].islower() and _DETERMINER_BEFORE.search(before[-20:]):
        return False  # inside a noun phrase: Iowa's "silver standard," / this "night vision"
    if attributed and (n >= 2 or re.search(r"[,.!?\u2014-]$", q) or q[:1].isupper()):
        return True
    if _SCARE_CUES.search(before[-25:]) and not before.rstrip().endswith((":", ",")):
        return False
    if _title_case(q) and not re.search(r"[.!?,]$", q):
        return False
    if n >= _MIN_WORDS and (q[:1].isupper() or sp.continues or n >= 6):
        return True
    full = q[:1].isupper() and re.search(r"[.!?]$", q) is not None
    at_sentence_start = not before.strip() or before.rstrip().endswith((".", ":", "!", "?"))
    return bool(full and (follows_quote or sp.continues) and at_sentence_start)


def _mention_for(
    text: str,
    sp: Span,
    para: tuple[int, int],
    next_open: int | None,
    prev_close: int,
    prev_para: tuple[int, int] | None = None,
) -> Mention | None:
    after_start = sp.close_mark + 1 if sp.close_mark is not None else None
    q = text[sp.start : sp.end]
    ends_comma = bool(re.search(r"[,\u2014\-?!\u2026]$", q)) or not re.search(r"[.]$", q)
    after = ""
    if after_start is not None:
        after_end = next_open if next_open is not None else para[1]
        after = text[after_start : min(after_end, after_start + _WINDOW)]
    prev_close = max(prev_close, sp.open_mark - _WINDOW)
    before = text[prev_close : sp.open_mark]
    after_first = ends_comma or after.lstrip()[:1] in {",", "\u2014", "\u2015", "-"}
    if (
        next_open is not None
        and re.search(r"[.?!]$", q)
        and after.rstrip().endswith((",", ":"))
        and before_mention(before, prev_close) is not None
    ):
        after_first = False  # 'A responds, "...?" B writes back, "..."': the clause is B's intro
    order = ("after", "before") if after_first else ("before", "after")
    empty: Mention | None = None  # a clause with a speech verb but no speaker in it
    for side in order:
        if side == "after" and after_start is not None:
            stripped = after.lstrip(" ,\u2014-\u2013\u2015")
            dashed = _DASH_SIGNATURE.match(after)
            if dashed and not _more_after(after, dashed):
                name = split_title(tokens(dashed.group("name")))
                if name is not None:  # '"..." - Maria Okafor' closing its paragraph
                    if dashed.group("title") and name.title is None:
                        name = Name(name.name, dashed.group("title").strip(), name.gender)
                    return Mention(name=name, pos=after_start + dashed.start("name"))
            source = _QUOTE_FROM.match(after)
            if source:
                m = np_after_verb(after[source.end() :], after_start + source.end())
                if m is not None and m.name is not None:
                    return m
            if stripped[:1].isupper() and not after_first and not _attribution_sentence(stripped):
                continue  # '"... a campaign." Ohio Gov. John Kasich said he would have ...'

            m = after_mention(after, after_start)
            if m is not None and _names_someone(m):
                return m
            empty = empty or m
        elif side == "before":
            m = before_mention(before, prev_close)
            if m is not None and _names_someone(m):
                return m
            empty = empty or m
            if not before.strip() and prev_para is not None:
                intro_start = max(prev_para[0], prev_para[1] - _WINDOW)
                intro = text[intro_start : prev_para[1]].rstrip()
                if intro.endswith(":"):  # 'Cruz called them on it:' then the quote's paragraph
                    m = before_mention(intro, intro_start)
                    if m is not None:
                        return m
    return empty


_CLASSIC_INTRO = re.compile(
    r"(?P<subject>(?:[A-Z][\w.'\u2019\-]*\s+){0,4})(?:said|says|added|wrote|told)\b"
    r"(?P<clause>\s+(?:that|he|she|they|it|we|I|there|his|her|their)\b)?"
    r"(?P<object>\s+(?:the|a|an|this|these|those|Mr|Ms|Mrs|[A-Z][a-z]+\s+[a-z]+)\b)?"
)
_OTHER_INTRO = re.compile(
    r"(?:[A-Z][\w.'\u2019\-]*\s+){1,4}(?:[a-z]+ly\s+|later\s+|then\s+|also\s+)?"
    rf"(?:{VERB_RE.pattern})\s*[.,;]"
)


def _attribution_sentence(s: str) -> bool:
    """Does the capitalised text after a period-ended quotation attribute it ('Ivo Marek
    said.', 'Hailey later recalled.') rather than start a new sentence ('But Okafor said ...',
    'Ohio Gov. John Kasich said he would ...', 'If admitted ...')?"""
    first = s.split()[0].lower() if s.split() else ""
    if first in NOT_NAME and first not in {"he", "she", "they", "we", "i", "mr", "mrs", "ms"}:
        return False  # "If admitted ...", "But Okafor said ..."
    classic = _CLASSIC_INTRO.match(s)
    if classic:  # "Mr Karger said the comic might ...": a new sentence with its own clause
        return not classic.group("clause") and not (
            classic.group("subject") and classic.group("object")
        )
    return _OTHER_INTRO.match(s) is not None


def _names_someone(m: Mention) -> bool:
    return m.name is not None or m.pronoun is not None or m.description is not None


def _signature(text: str, sp: Span, para: tuple[int, int]) -> Mention | None:
    """A signature line right under the quotation names its speaker."""
    m = _SIGNATURE.match(text, para[1] + 1)
    if m is None or len(m.group(0).split()) > 14:
        return None
    if not m.group("dash") and not (sp.close_mark is None and m.group("close")):
        return None
    name = split_title(m.group("name").split())
    if name is None:
        return None
    if m.group("title"):
        name = Name(name.name, name.title or m.group("title").strip(), name.gender, name.honorific)
    return Mention(name=name, pos=m.start("name"))


def _narrator(text: str, prev_para: tuple[int, int], resolver: Resolver) -> Mention | None:
    """The subject of the previous paragraph's last sentence, when it tells of someone speaking
    ("Trump spoke only in evasive bromides during the interview.") or is someone already
    quoted ("Viguerie is upbeat about Cruz's chances.")."""
    body_start = max(prev_para[0], prev_para[1] - _WINDOW)
    body = text[body_start : prev_para[1]]
    last = body[last_sentence_start(body.rstrip()) :]
    last_pos = body_start + len(body) - len(last)
    speaking = list(_SPOKE.finditer(last))
    if len(speaking) == 1:  # "... is left to the voters, since Trump spoke only in bromides."
        name = split_title(speaking[0].group("name").split())
        if name is not None and not looks_like_org(name.name):
            return Mention(name=name, pos=last_pos + speaking[0].start("name"))
    if re.search(r"[\"\u201c\u201d]", last):
        return None
    m = subject_at_start(last, last_pos)
    if m is None or m.name is None:
        return None
    if _NARRATION_CUES.search(last) or resolver.has_spoken(m.name.name, m.pos):
        return m
    return None


# a speech verb right after a closing mark, whose subject names nobody: '"...," people say'
_UNNAMED_SAYS = re.compile(rf"[\s,]*(?:[a-z][\w'\u2019\-]*\s+){{1,3}}?(?:{VERB_RE.pattern})\b")


def _unnamed_attribution(text: str, sp: Span, para: tuple[int, int]) -> bool:
    """Is the quotation attributed, right after it, to someone the text does not name ('"She
    is the best," people would say')? Then the subject of the sentence before is not its
    speaker."""
    if sp.close_mark is None:
        return False
    return _UNNAMED_SAYS.match(text[sp.close_mark + 1 : para[1]]) is not None


def extract_quotes(text: str, language: str = "english") -> list[Quote]:
    """Every direct quotation in ``text``, in document order (see the module docstring).

    Raises :class:`~summarizers.base.UnsupportedLanguageError` for a language the package does
    not support. Attribution patterns are English, plus inverted speech verbs and "according
    to" in French, German, Spanish, Italian and Portuguese."""
    normalize_language(language)
    if not text:
        return []
    spans = find_spans(text)
    paras = list(paragraphs(text))
    para_of: list[int] = []
    k = 0
    for sp in spans:
        while k + 1 < len(paras) and sp.open_mark >= paras[k][1]:
            k += 1
        para_of.append(k)
    nicknames = [sp for sp in spans if _is_nickname(text, sp)]
    kept: list[int] = []
    for i, sp in enumerate(spans):
        follows = i > 0 and para_of[i - 1] == para_of[i]
        if sp not in nicknames and _is_statement(
            text, sp, paras[para_of[i]], follows or sp.continues
        ):
            kept.append(i)
    atext = _without_nicknames(text, nicknames)  # offsets unchanged; only for finding speakers
    quoted = [(s.open_mark, (s.close_mark or s.end) + 1) for s in spans if s not in nicknames]
    resolver = Resolver(atext, quoted)
    out: list[Quote] = []
    prev: Quote | None = None
    prev_para = -10
    prev_close = 0
    for idx_pos, i in enumerate(kept):
        sp = spans[i]
        p = para_of[i]
        para = paras[p]
        same_para = prev is not None and prev_para == p
        start_clause = prev_close if same_para else para[0]
        nxt = kept[idx_pos + 1] if idx_pos + 1 < len(kept) else None
        next_open = spans[nxt].open_mark if nxt is not None and para_of[nxt] == p else None
        mention = _mention_for(
            atext, sp, para, next_open, start_clause, paras[p - 1] if p > 0 else None
        )
        speaker = title = None
        continues = False
        if mention is not None:
            speaker, title = resolver.resolve(mention, text[sp.start : sp.end])
            continues = (
                prev is not None
                and speaker == prev.speaker
                and (
                    sp.continues
                    or (same_para and not atext[start_clause : sp.open_mark].strip(" ,."))
                )
            )
        elif (sign := _signature(atext, sp, para)) is not None:
            speaker, title = resolver.resolve(sign, text[sp.start : sp.end])
        elif prev is not None and (
            same_para
            or sp.continues
            or (p - prev_para == 1 and not atext[para[0] : sp.open_mark].strip())
        ):
            speaker, title, continues = prev.speaker, prev.speaker_title, True
        elif not _unnamed_attribution(atext, sp, para):
            lead_start = max(start_clause, sp.open_mark - _WINDOW)
            lead = atext[lead_start : sp.open_mark]
            sentence = last_sentence_start(lead)  # the sentence the quotation sits in
            m = subject_at_start(lead[sentence:], lead_start + sentence)
            if m is None and not lead.strip() and p > 0:
                m = _narrator(atext, paras[p - 1], resolver)
            if m is not None and (m.name is not None or m.pronoun is not None):
                speaker, title = resolver.resolve(m, text[sp.start : sp.end])
        q = Quote(text[sp.start : sp.end], sp.start, sp.end, speaker, title, continues)
        out.append(q)
        prev, prev_para = q, p
        prev_close = (sp.close_mark + 1) if sp.close_mark is not None else sp.end
    return out


_BOILERPLATE = re.compile(
    r"\b(?:declined to comment|no comment|did not respond|didn't respond|could not be reached|"
    r"thank you|thanks for|click here|subscribe|sign up|follow us|all rights reserved|"
    r"for more information|our thoughts and prayers|thoughts and prayers)\b",
    re.I,
)


def _tokens(s: str) -> set[str]:
    return {w for w in re.findall(r"\w+", s.lower()) if len(w) > 2}


def _near_copy(q: str, avoid: Sequence[str]) -> bool:
    qt = _tokens(q)
    if not qt:
        return False
    for sentence in avoid:
        st = _tokens(sentence)
        if st and len(qt & st) / min(len(qt), len(st)) >= 0.6:
            return True
    return False


def quote_score(q: Quote) -> float:
    """How worth showing a quote is to a reader (higher is better)."""
    words = _word_count(q.text)
    score = 0.0
    score += 3.0 if q.speaker else 0.0
    score += 0.5 if q.speaker_title else 0.0
    if 8 <= words <= 45:
        score += 2.0
    elif words > 45:
        score += 1.0
    else:
        score += words / 8
    if q.text[:1].isupper():
        score += 0.5
    elif q.text[:1].islower():
        score -= 1.0  # a fragment picked out of someone's sentence
    if re.search(r"[.!?]$", q.text) or q.text.endswith(","):
        score += 0.5
    elif q.text.endswith(("\u2014", "-", "\u2026", "...")):
        score -= 0.5  # cut off
    if _BOILERPLATE.search(q.text):
        score -= 4.0
    if q.continues:
        score -= 0.3  # the second half of a statement reads worse on its own
    return score


def key_quotes(
    text: str,
    k: int = 2,
    language: str = "english",
    *,
    avoid: Sequence[str] = (),
    per_speaker: int = 1,
    quotes: Sequence[Quote] | None = None,
) -> list[Quote]:
    """The ``k`` quotes most worth showing, best first.

    Prefers a known speaker, a full statement (not a fragment), no boilerplate, and drops quotes
    that nearly copy a sentence of ``avoid`` (e.g. the summary). At most ``per_speaker`` quotes
    per speaker (``per_speaker=0`` means no limit). Pass ``quotes`` to reuse an extraction.
    """
    if k <= 0:
        return []
    found = list(quotes) if quotes is not None else extract_quotes(text, language)
    ranked = sorted(
        (q for q in found if not _near_copy(q.text, avoid)),
        key=lambda q: (-quote_score(q), q.start),
    )
    out: list[Quote] = []
    per: dict[str | None, int] = {}
    for q in ranked:
        key = q.speaker
        if per_speaker and key is not None and per.get(key, 0) >= per_speaker:
            continue
        per[key] = per.get(key, 0) + 1
        out.append(q)
        if len(out) >= k:
            break
    return out
