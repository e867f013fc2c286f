"""Resolve raw attributions to full names: surnames, honorifics and pronouns.

* A surname ("Burns") or honorific form ("Mr. Obama") resolves to a full name met in the
  article: the most recent earlier speaker with that surname, else the full name mentioned most
  often before the quotation (ties: the earliest), else one mentioned later.
* A pronoun resolves only on clear evidence (issue 11): the person quoted last in the same
  paragraph; else the nearest earlier sentence (sentences inside quotation marks do not count
  towards the few searched) that names someone who fits. There the sentence's speaker ("...,
  his adviser Ivo Marek told reporters"), else its subject, is the antecedent unless another
  speaker or subject who fits competes in that sentence or earlier in the paragraph; without
  one, the only person who fits there. A sentence already about "he" ("Then he cut into
  Bush") and the pronoun's own fronted clause ("When asked about Snowden, he said") offer
  only their subject or speaker, so the search goes on past their objects. Two competing
  people, a bare "they", or a candidate the quotation itself names ('"Trump is no racist,"
  he said') give None. "He" and "she" need a person: a known gender, a title, a speaker, or
  a full name opening a sentence. Gender comes from honorifics (Mr., Ms.), gendered titles, a
  small first-name list and the article's own "his"/"her"; unknown gender fits anything.
  Without a candidate in the last few sentences, the most recent gender-compatible speaker
  is used. Measured with ``benchmarks/quotes.py --pronoun``.
* Demonyms ("the Moroccan"), places ("in Glasgow"), section labels and words also written in
  lower case ("Athletics"), and runs only ever written "the X" are never speakers.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from summarizers.attribution import (
    ABBREVIATIONS,
    PERSON_NOUNS,
    TIME_ADVERBS,
    VERB_RE,
    Mention,
    last_sentence_start,
)
from summarizers.languages import stop_words
from summarizers.names import (
    HONORIFICS,
    NOT_NAME,
    ORG_WORDS,
    PLACES,
    TITLE_WORDS,
    Name,
    clean_title,
    gender_of,
    is_demonym,
    looks_like_org,
    split_title,
    with_appositive,
)

_CAP_RUN = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Prof|Rev)\.\s+)?"
    r"[A-Z](?:[\w'\u2019\-]|\.(?=[A-Z]\.))*\.?"  # "U.S." is one word
    r"(?:\s+(?:(?:of|the|de|da|van|von|der|bin|al|la|le|du|del)\s+)*"
    r"(?:[A-Z](?:[\w'\u2019\-]|\.(?=[A-Z]\.))*\.?|[A-Z]\.))*"
)


def _split_run(start: int, run: str) -> list[tuple[int, list[str]]]:
    """Split a capitalised run at sentence ends ("... Madison. Eddie Griffin")."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    cur_start = start
    for m in re.finditer(r"\S+", run):
        tok = m.group(0)
        if not cur:
            cur_start = start + m.start()
        cur.append(tok)
        low = tok.lower()
        if tok.endswith(".") and len(tok) > 2 and low not in ABBREVIATIONS and "." not in tok[:-1]:
            cur[-1] = tok[:-1]
            out.append((cur_start, cur))
            cur = []
    if cur:
        out.append((cur_start, cur))
    return out


# "David Lindqvist, chief engineer of the Coastal Works Agency, ..."
_APPOSITION = re.compile(r",\s+((?:the\s+|a\s+|an\s+)?[a-z][^,.;:\"\u201c\u201d()]{2,80}?),")
# "the Clarion-Ledger, the state's largest newspaper,": an apposition naming a body
_ORG_HEADS = frozenset(
    """newspaper paper daily weekly magazine outlet website site station network channel
    company firm group organization organisation agency party committee campaign union
    institute university college school church board council""".split()
)
_FEMININE = (
    r"\b(?:woman|spokeswoman|congresswoman|chairwoman|businesswoman|actress|mother|wife|"
    r"daughter|widow|queen|first lady)\b"
)
_MASCULINE = (
    r"\b(?:man|spokesman|congressman|chairman|businessman|actor|father|husband|son|"
    r"king|pope)\b"
)
# a name followed (maybe after an apposition) by a speech verb: "Ivo Marek, ..., said"
_SPEAKS = re.compile(
    rf"\s*(?:,[^,\n]{{0,80}},|\s[-\u2013\u2014][^\n\u2013\u2014]{{0,80}}[-\u2013\u2014])?"
    rf"\s*,?\s*(?:{VERB_RE.pattern})"
)
# a capitalised word not at a sentence opening (after a word, a comma, an opening mark ...)
_CAPITALISED_INSIDE = re.compile(
    r"(?:(?<=[^.!?\s])[^\S\n]+|(?<=[\"'(\[\u201c\u2018]))(?P<word>[A-Z][\w'\u2019\-]*)"
)
# the lower-case word after a sentence-opening mention: "Hours later," / "Partial transcript"
_NEXT_WORD = re.compile(r"[^\S\n]+(?P<word>[a-z][a-z\-]*)(?P<comma>,)?")
# words that do not follow a speaker's name but do follow a label or a common word
_NOT_AFTER_A_NAME = frozenset(
    "as for from in on at with about like than transcript transcripts text excerpt excerpts "
    "version copy".split()
)
# endings of plural nouns for people ("Protesters", "Residents"), who speak as a group
_PEOPLE_PLURALS = ("ers", "ors", "dents", "ists", "ians", "ives")
# "Sanders said his ...", "Okafor, who ... her" (no other capitalised word in between)
_OWN_PRONOUN = re.compile(r"(?:[,\s]+(?:[a-z][\w'\u2019\-]*|,))*?[,\s]+(?P<p>his|her|he|she)\b")
_NEXT_SENTENCE = re.compile(r"[^A-Z.!?\n\"\u201c\u201d]{0,160}[.!?]\s+(?P<p>He|She|His|Her)\b")


def _sentence_opening(text: str, pos: int) -> bool:
    before = text[max(0, pos - 6) : pos]
    return pos == 0 or bool(re.search(r"(?:^|[.!?\n]\s*|\n)(?:But |And )?$", before))


_PRONOUN_GENDER = {"he": "m", "she": "f"}
# a sentence whose subject is an unnamed person who speaks: "A spokesman for the BPI said ..."
_ANONYMOUS_SPEAKER = re.compile(
    r"[\"'\u201c\u2018(\s]*(?:(?:But|And)\s+)?(?:A|An|One|Another)\s+(?:[\w'\u2019\-]+\s+){0,3}?"
    rf"(?:{'|'.join(sorted(PERSON_NOUNS))})\b[^.!?\n]{{0,80}}?"
    r"\b(?:said|says|added|explained|noted|stated|wrote|insisted|argued)\b"
)
# a sentence whose subject is a gendered pronoun ("He recently wrote ...", "But she said ...")
_CHAIN_SUBJECT = re.compile(r"[\"'\u201c\u2018(\s]*(?:(?:But|And|Then|So|Yet|Still)\s+)?(He|She)\b")
_LOOKBACK_SENTENCES = 6  # sentences outside quotation marks searched for an antecedent
_ENDS_SENTENCE = re.compile(r"(?:[.!?][\"'\u201d\u2019)]*|\n)\s*$")
_HE_WORDS = re.compile(r"\b(?:[Hh]e|[Hh]is|him)\b")
_SHE_WORDS = re.compile(r"\b(?:[Ss]he|[Hh]er)\b")


def _names_in(name: str, quote: str) -> bool:
    """Does the quotation name this person by surname ("Trump is no racist")?"""
    last = name.split()[-1]
    return re.search(rf"(?<![\w-]){re.escape(last)}(?![\w-])", quote) is not None


# what may come before a sentence's subject: a mark, a connective, up to two phrases that end
# in a comma ("But", "On Sunday,", "Speaking at a town hall in Salem, New Hampshire,")
_OPENING = re.compile(
    r"[\s\"'\u201c\u2018(]*(?:(?:But|And|Then|So|Yet|Still|Meanwhile|Now|Later|Earlier|Instead)"
    r"\b,?\s*)?(?:[^,.;:!?\"\u201c\u201d]{1,60},\s*){0,2}"
)
# a subject's last word, maybe a parenthesis and appositions, maybe an adverb, then the verb
# ("Zucker isn't", "Nguyen, 52, a homemaker who ..., counts")
_APPOSITION_PART = r",(?!\s*(?:he|she|they|I|we)\b)(?:[^,.;:\"\u201c]|\.(?=,)){1,120}"
_SUBJECT_VERB = re.compile(
    rf"[\w.'\u2019\-]+(?:\s*\([^()]{{1,30}}\))?(?:{_APPOSITION_PART}){{0,3}},?\s+"
    r"(?:[a-z]+ly\s+)?(?P<v>[a-z]+?)(?:n['\u2019]t)?\b"
)
# a name, maybe a parenthesis, an apposition or "who", then a speech verb: the sentence's speaker
_SAYS_AFTER_NAME = re.compile(
    rf"[\w.'\u2019\-]+(?:\s*\([^()]{{1,30}}\))?(?:{_APPOSITION_PART}){{0,2}},?\s+"
    rf"(?:who\s+)?(?:has\s+|had\s+|also\s+|later\s+|[a-z]+ly\s+)?(?:{VERB_RE.pattern})"
)
_AUXILIARIES = frozenset("is was has had will would can could did does may might must".split())


def _plural_noun(name: str) -> bool:
    """A one-word plural of people ("Reporters", "Officials"), not a surname."""
    return (
        " " not in name
        and name.lower().endswith(_PEOPLE_PLURALS + ("s",))
        and not (name.lower().endswith(("ss", "us", "is", "os", "as", "es")))
    )


def _looks_finite(word: str) -> bool:
    """A finite verb after a subject: "ran", "promised", "says", "will"."""
    return (
        word in _AUXILIARIES
        or word.endswith("ed")
        or (word.endswith("s") and not word.endswith("ss"))
        or VERB_RE.fullmatch(word) is not None
        or word
        in {
            "ran",
            "won",
            "went",
            "came",
            "took",
            "made",
            "got",
            "gave",
            "left",
            "sat",
            "stood",
            "met",
            "spoke",
            "told",
            "said",
            "saw",
            "heard",
            "began",
            "beat",
            "lost",
            "kept",
            "felt",
            "set",
            "put",
            "led",
            "fell",
            "rose",
            "broke",
            "drove",
        }
    )


# a capitalised run right after a preposition of place: "ran in Glasgow", "at Crystal Palace"
_LOCATIVE = re.compile(r"\b(?:in|at|near|outside|inside|across|throughout|around)\s+$")
# a determiner before a capitalised run: "the Moroccan", "a Birchfield Harrier"
_DETERMINER = re.compile(r"\b(?i:the|a|an)\s+$")


@dataclass(frozen=True)
class PersonMention:
    pos: int
    name: str  # resolved full name
    gender: str | None
    person_like: bool


class _EarlierMajority:
    """The full name mentioned most often before a position (ties: the one met first), over
    one surname's mentions in text order. Worked out once per surname, so a lookup is a
    bisection, not a count over every mention (which made a long article quadratic)."""

    def __init__(self, mentions: list[tuple[int, str]]) -> None:
        self.positions = [pos for pos, _ in mentions]
        self.names = [name for _, name in mentions]
        self._best: list[str | None] = [None]  # _best[k]: the answer over the first k mentions
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        best: str | None = None
        for i, name in enumerate(self.names):
            first.setdefault(name, i)
            counts[name] += 1
            if (
                best is None
                or counts[name] > counts[best]
                or (counts[name] == counts[best] and first[name] < first[best])
            ):
                best = name
            self._best.append(best)

    def before(self, pos: int) -> str | None:
        return self._best[bisect.bisect_left(self.positions, pos)]

    def first_from(self, pos: int) -> str | None:
        """The first name mentioned at or after ``pos``."""
        k = bisect.bisect_left(self.positions, pos)
        return self.names[k] if k < len(self.names) else None


@dataclass
class Resolver:
    """Per-article state: names met so far, speakers so far, genders and titles."""

    text: str
    quoted: list[tuple[int, int]]
    full_names: list[tuple[int, str]] = field(default_factory=list)
    mentions: list[PersonMention] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    genders: dict[str, str] = field(default_factory=dict)
    speakers: list[tuple[int, str]] = field(default_factory=list)
    _by_last: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _by_first: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _majority: dict[str, _EarlierMajority] = field(default_factory=dict)
    _speaker_by_last: dict[str, str] = field(default_factory=dict)
    _spoken: set[str] = field(default_factory=set)
    _proper: set[str] | None = None
    # capitalised runs that are places, section labels, or only ever "the X" (see not_a_person)
    _places: set[str] = field(default_factory=set)
    _labels: set[str] = field(default_factory=set)
    _described: set[str] = field(default_factory=set)
    _bare: set[str] = field(default_factory=set)
    _lower_cache: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        raw: list[tuple[int, Name]] = []
        starts = [s for s, _ in self.quoted]
        self._quote_starts = starts
        self._labels = {
            line.strip()
            for line in self.text.splitlines()
            if re.fullmatch(r"(?:[A-Z][\w'\u2019\-]*[ \t]+){0,3}[A-Z][\w'\u2019\-]*", line.strip())
        }
        for m in _CAP_RUN.finditer(self.text):
            k = bisect.bisect_right(starts, m.start()) - 1
            if k >= 0 and self.quoted[k][0] <= m.start() < self.quoted[k][1]:
                continue  # names inside quotations are not mentions of a speaker
            self._note_usage(m)
            for sub_start, toks in _split_run(m.start(), m.group(0)):
                if (
                    len(toks) == 1
                    and re.fullmatch(r"[A-Z][a-z]+(?:ing|ed)", toks[0])
                    and _sentence_opening(self.text, sub_start)
                    and toks[0] not in self._capitalised_inside()  # "Tom Keeling ... Keeling won"
                ):
                    continue  # "Reacting to the news, ...", "Pressed on it, he said"
                self._add_raw(raw, sub_start, toks)
            appos = _APPOSITION.match(self.text, m.end())
            if appos and raw and raw[-1][0] >= m.start():
                words = {w.lower() for w in appos.group(1).split()}
                head = re.split(r"\s+(?:of|for|at|in|to|with|from)\s+", appos.group(1))[0]
                head = head.split()[-1].lower()
                if words & TITLE_WORDS and head not in _ORG_HEADS:
                    pos, name = raw[-1]
                    raw[-1] = (pos, with_appositive(name, appos.group(1)))
        self._finish(raw)

    def _note_usage(self, m: re.Match) -> None:
        """Remember how a capitalised run is used: after a preposition of place, after a
        determiner ("the Moroccan", "The Birchfield Harrier said"), or bare."""
        toks = m.group(0).rstrip(".").split()
        before = self.text[max(0, m.start() - 12) : m.start()]
        described = toks[0].lower() in {"the", "a", "an"} or _DETERMINER.search(before)
        while toks and toks[0].lower() in NOT_NAME:
            toks.pop(0)
        if not toks or re.search(r"[-\u2013\u2014\u2015][^\S\n]*$", before):
            return  # a dashed signature is what is being judged, not evidence
        name = split_title(toks)
        key = name.name if name is not None else " ".join(toks)
        if _LOCATIVE.search(before) and not re.search(r"['\u2019]s?$", m.group(0)):
            self._places.add(key)
        elif described and (name is None or (name.title is None and not name.honorific)):
            self._described.add(key)
        else:
            self._bare.add(key)

    def not_a_person(self, name: Name, pos: int) -> bool:
        """Is this mention something other than a person who can speak: a demonym ("the
        Moroccan"), a place ("ran in Glasgow"), a section label on a line of its own
        ("Athletics", "Cross Country"), or a run only ever written after "the" that names no
        body ("the Birchfield Harrier", unlike "the White House")? A title or an honorific
        makes it a person; so does resolving to a full name with a known first name. A name
        also written in lower case in the text ("Cross Country" and "the cross country
        season") is a common noun."""
        if name.honorific:
            return False
        words = name.name.split()
        full = self.resolve_name(name.name, pos)
        if full != name.name and len(full.split()) > 1 and not looks_like_org(full):
            return False  # "Cuban" after "Ivo Cuban" was named
        if all(is_demonym(w) for w in words):
            return True
        if len(full.split()) > 1 and gender_of(full.split()[0]) is not None:
            return False
        if name.name.lower() in PLACES or name.name in self._places:
            return True
        if full == name.name and (name.name in self._labels or self._written_lower(name.name)):
            return True
        if name.name in self._described and name.name not in self._bare:
            return words[-1].lower() not in ORG_WORDS
        return False

    def _written_lower(self, name: str) -> bool:
        """Is ``name`` also written all in lower case as words of the text ("athletics")?"""
        if name not in self._lower_cache:
            low = name.lower()
            pattern = rf"(?<![\w-]){re.escape(low)}(?![\w-])"
            self._lower_cache[name] = low != name and re.search(pattern, self.text) is not None
        return self._lower_cache[name]

    def _add_raw(self, raw: list[tuple[int, Name]], pos: int, toks: list[str]) -> None:
        while toks and toks[0].lower() in NOT_NAME and toks[0].lower() not in HONORIFICS:
            toks.pop(0)  # but keep "Mr" (British, no period): it gives the gender
        if not toks or all(re.fullmatch(r"(?:[A-Z]\.)+,?", t) for t in toks):
            return  # "N.H.", "D.C.": abbreviations of places, not initials of a person
        name = split_title(toks)
        if name is not None and name.name.lower() not in NOT_NAME:
            raw.append((pos, name))

    def _finish(self, raw: list[tuple[int, Name]]) -> None:
        for pos, name in raw:
            if len(name.name.split()) >= 2 and not looks_like_org(name.name):
                self.full_names.append((pos, name.name))
                self._by_last.setdefault(name.name.split()[-1], []).append((pos, name.name))
                self._by_first.setdefault(name.name.split()[0], []).append((pos, name.name))
                title = clean_title(name.title)
                if title and name.name not in self.titles and len(title) > 2:
                    self.titles[name.name] = title
            if name.gender and len(name.name.split()) >= 1:
                self.genders.setdefault(name.name, name.gender)
        self._learn_genders(raw)
        for pos, name in raw:
            if self.not_a_name(name, pos) or self.not_a_person(name, pos):
                continue  # "Rather, he said ...": "Rather" is no antecedent for "he"
            full = self.resolve_name(name.name, pos)
            gender = self.gender(full, name)
            end = pos + len(name.name)
            person_like = (
                gender is not None
                or name.honorific
                or (name.title is not None and not looks_like_org(name.name))
                or (len(full.split()) > 1 and _SPEAKS.match(self.text, end) is not None)
            )
            if looks_like_org(name.name):
                person_like = False
            self.mentions.append(PersonMention(pos, full, gender, person_like))
        self._mention_pos = [m.pos for m in self.mentions]
        self._opens = [self._opens_sentence(m) for m in self.mentions]
        self._speaks = [self._speaks_in_sentence(m) for m in self.mentions]
        self._prominent = [o or s for o, s in zip(self._opens, self._speaks, strict=True)]

    def _opens_sentence(self, m: PersonMention) -> bool:
        """Is this mention the subject its sentence opens with, followed by a verb ("Ashworth
        ran", "At a rally in Ames, Sanders promised")?"""
        lead = self.text[max(0, m.pos - 200) : m.pos + 1]
        if _OPENING.fullmatch(lead[last_sentence_start(lead) : -1]) is None:
            return False
        at = self.text.find(m.name.split()[-1], m.pos)
        verb = _SUBJECT_VERB.match(self.text[at : at + 300]) if at >= 0 else None
        return verb is not None and _looks_finite(verb.group("v"))

    def _speaks_in_sentence(self, m: PersonMention) -> bool:
        """Is this mention the speaker of its sentence ('..., Tad Devine told reporters',
        'Thomas Perez, who said he expects ...')?"""
        at = self.text.find(m.name.split()[-1], m.pos)
        return at >= 0 and _SAYS_AFTER_NAME.match(self.text, at) is not None

    def _learn_genders(self, raw: list[tuple[int, Name]]) -> None:
        """Genders from the text: "Sanders ... his", or a sentence that starts "He" or "She"
        right after a sentence that opens with the name. Only one-sided evidence counts."""
        votes: dict[str, Counter] = {}
        for pos, name in raw:
            if looks_like_org(name.name) or self.not_a_person(name, pos):
                continue
            full = self.resolve_name(name.name, pos)
            window = self.text[pos + len(name.name) : pos + len(name.name) + 200]
            cue = _OWN_PRONOUN.match(window)
            if cue is None and _sentence_opening(self.text, pos):
                nxt = _NEXT_SENTENCE.match(window)
                cue = nxt
            if cue is not None:
                word = cue.group("p").lower()
                votes.setdefault(full, Counter())["f" if word in {"she", "her"} else "m"] += 1
        for full, c in votes.items():
            if len(c) == 1 and full not in self.genders:
                self.genders[full] = next(iter(c))

    def gender(self, full: str, name: Name | None = None) -> str | None:
        if name is not None and name.gender:
            return name.gender
        if full in self.genders:
            return self.genders[full]
        last = full.split()[-1]
        for other, g in self.genders.items():
            if other.split()[-1] == last and (other == last or full == last):
                return g
        return None

    def resolve_name(self, name: str, pos: int) -> str:
        """A surname or first name to the full name met in the article."""
        toks = name.split()
        if len(toks) != 1:
            return name
        word = toks[0]
        if word.isupper() and len(word) > 2 and word.title() in self._by_last:
            word = word.title()  # a transcript's speaker label: "MADDOW:"
        if word in self._speaker_by_last:
            return self._speaker_by_last[word]
        same_last = self._by_last.get(word)
        if same_last:
            majority = self._majority.get(word)
            if majority is None:
                majority = self._majority[word] = _EarlierMajority(same_last)
            found = majority.before(pos) or majority.first_from(pos)
            if found:
                return found
        same_first = self._by_first.get(word)
        if same_first and same_first[0][0] < pos:  # mentions are in text order
            return same_first[0][1]
        return name

    def has_spoken(self, name: str, pos: int) -> bool:
        """Was ``name`` (or the full name it resolves to) quoted before?"""
        return self.resolve_name(name, pos) in self._spoken

    def note_speaker(self, pos: int, name: str, gender: str | None) -> None:
        self.speakers.append((pos, name))
        self._spoken.add(name)
        parts = name.split()
        if len(parts) > 1:
            self._speaker_by_last[parts[-1]] = name  # the most recent speaker with that surname
        if gender:
            self.genders.setdefault(name, gender)

    def not_a_name(self, name: Name, pos: int) -> bool:
        """Is this capitalised mention a common word or a heading, not someone's name?

        Catches "Hours later, Trump ...", "Partial transcript as follows:", "Rather, he said",
        a dateline ("WASHINGTON") and an all-caps crosshead. A single untitled word that is
        never capitalised inside a sentence, is no known first name and resolves to no full name
        is common when it is a stop word or an -ly adverb, or when a word follows it that does
        not follow a name ("Partial transcript", "Transcript as follows"). Without a
        dictionary, a surname that only ever opens sentences ("Okafor, in a statement, said",
        "Okafor spoke first") stays a name.
        """
        toks = name.name.split()
        letters = re.sub(r"[^A-Za-z]", "", name.name)
        if len(toks) >= 3 and letters.isupper():
            return True  # "NEW YORK ENDS TAMPON TAX": a crosshead
        if len(toks) != 1 or name.title or name.honorific:
            return False
        word = toks[0]
        if word in self._capitalised_inside() and not word.isupper():
            return False  # the usual case, checked first: a proper noun
        if self.resolve_name(word, pos) != word:
            return False
        if word.isupper():
            return len(letters) > 5  # "WASHINGTON", "CROSSE"; "NAACP", "FBI" stay
        low = word.lower()
        if gender_of(word) is not None or low.endswith(_PEOPLE_PLURALS):
            return False  # "Protesters chanted ...": a group of people speaks too
        if low in stop_words("english") or low.endswith("ly"):
            return True
        at = self.text.find(word, pos)
        nxt = _NEXT_WORD.match(self.text, at + len(word)) if at >= 0 else None
        if nxt is None:
            return False  # a comma, a possessive, a verb or a capitalised word follows
        follower = nxt.group("word")
        if follower in TIME_ADVERBS:
            return nxt.group("comma") is not None  # "Hours later," but "Okafor later said"
        return follower in _NOT_AFTER_A_NAME  # "Partial transcript", "Transcript as follows"

    def _capitalised_inside(self) -> set[str]:
        """Words written with a capital inside a sentence somewhere in the text: proper nouns."""
        if self._proper is None:
            self._proper = {m.group("word") for m in _CAPITALISED_INSIDE.finditer(self.text)}
        return self._proper

    def resolve(self, mention: Mention, quote: str | None = None) -> tuple[str | None, str | None]:
        """(speaker, title) for a raw mention of the speaker of ``quote``."""
        if mention.name is not None:
            if self.not_a_name(mention.name, mention.pos):
                return None, None
            if self.not_a_person(mention.name, mention.pos):
                return None, None
            full = self.resolve_name(mention.name.name, mention.pos)
            own = clean_title(mention.name.title)
            title = own or self.titles.get(full)
            if own and full not in self.titles:
                self.titles[full] = own
            gender = self.gender(full, mention.name)
            self.note_speaker(mention.pos, full, gender)
            return full, title
        pronoun = mention.pronoun
        if pronoun is None and mention.description is not None:
            low = mention.description.lower()
            if self._indefinite_antecedent(low, mention.pos):
                return None, None  # "A UKIP spokesman said ... "...," the spokesman added.
            pronoun = (
                "she"
                if re.search(_FEMININE, low)
                else "he"
                if re.search(_MASCULINE, low)
                else "they"
            )
        if pronoun is not None:
            full = self.resolve_pronoun(pronoun, mention.pos, mention.pronoun is None, quote)
            if full is None:
                return None, None
            self.note_speaker(mention.pos, full, _PRONOUN_GENDER.get(pronoun))
            return full, self.titles.get(full)
        return None, None

    def _indefinite_antecedent(self, description: str, pos: int) -> bool:
        """Did the text just before introduce this description's head noun as someone
        unnamed ("a spokesman for the party", "one senior official")?"""
        head = re.split(r"\s+(?:of|for|to|at|with|from|in)\s+", description)[0].split()[-1]
        window = self.text[max(0, pos - 600) : pos]
        pattern = rf"\b(?:a|an|one|another)\s+(?:[\w'\u2019\-]+\s+){{0,3}}{re.escape(head)}\b"
        return re.search(pattern, window, re.I) is not None

    def _compatible(self, gender: str | None, want: str | None) -> bool:
        return want is None or gender is None or gender == want

    def resolve_pronoun(
        self, pronoun: str, pos: int, described: bool = False, quote: str | None = None
    ) -> str | None:
        """The person a pronoun (or a definite description, ``described``) points back to,
        or None when the evidence is weak: a bare "they", two compatible people nearby of whom
        neither is clearly the one the text is about, or a person the quotation itself names
        in the third person ('"Trump is no racist," he said')."""
        want = _PRONOUN_GENDER.get(pronoun)
        if pronoun in {"i", "we"}:
            return self.speakers[-1][1] if self.speakers else None
        if pronoun == "they" and not described:
            return None  # a group ("people would say"), or someone the text does not name
        name = self._antecedent(pos, want)
        if name is not None and quote and _names_in(name, quote):
            return None
        return name

    def _antecedent(self, pos: int, want: str | None) -> str | None:
        last = self._last_speaker_here(pos, want)
        if last is not None:
            return last
        end = pos
        # does the pronoun sit inside the sentence searched first ('When asked, he said')?
        own = not _ENDS_SENTENCE.search(self.text[max(0, pos - 8) : pos])
        counted = 0
        while counted < _LOOKBACK_SENTENCES and end > 0:
            window = max(0, end - 2000)
            start = window + last_sentence_start(self.text[window:end].rstrip())
            lo = bisect.bisect_left(self._mention_pos, start)
            hi = bisect.bisect_left(self._mention_pos, end)
            if want and _ANONYMOUS_SPEAKER.match(self.text, start):
                return None  # "A spokesman for the BPI said ... "...," he said."
            found = self._candidates(lo, hi, want)
            if own or (want and self._pronoun_leads(start, end, found, want)):
                # "Then he cut into Bush.", "When asked about Snowden, he said": the sentence is
                # about the one the pronoun means already; only its subject or speaker counts
                found = [m for m in found if self._prominent[self._index(m)]]
            own = False
            if found:
                return self._clear_antecedent(found, start, want)
            if start == 0:
                break
            counted += not self._inside_quote(start)
            end = start
        for _, n in reversed(self.speakers):  # nobody in those sentences
            if self._compatible(self.gender(n), want):
                return n
        return None

    def _index(self, m: PersonMention) -> int:
        return bisect.bisect_left(self._mention_pos, m.pos)

    def _inside_quote(self, pos: int) -> bool:
        k = bisect.bisect_right(self._quote_starts, pos) - 1
        return k >= 0 and self.quoted[k][0] <= pos < self.quoted[k][1]

    def _pronoun_leads(self, start: int, end: int, found: list[PersonMention], want: str) -> bool:
        """Does a pronoun of the wanted gender, outside quotation marks, come before anyone
        who fits in this sentence ("In some states, he is seeking delegates won by Rubio")?"""
        stop = found[0].pos if found else end
        pattern = _HE_WORDS if want == "m" else _SHE_WORDS
        return any(
            not self._inside_quote(m.start()) for m in pattern.finditer(self.text, start, stop)
        )

    def _last_speaker_here(self, pos: int, want: str | None) -> str | None:
        """The person quoted last in this paragraph, when nobody else who fits the pronoun
        is named since ('"...," Okafor said, pointing at Lyle\'s plan. "...," she added.')."""
        if not self.speakers:
            return None
        at, name = self.speakers[-1]
        if at < self.text.rfind("\n", 0, pos) + 1 or at > pos:
            return None
        if not self._compatible(self.gender(name), want):
            return None
        lo = bisect.bisect_right(self._mention_pos, at)
        hi = bisect.bisect_left(self._mention_pos, pos)
        if any(c.name != name for c in self._candidates(lo, hi, want)):
            return None
        return name

    def _candidates(self, lo: int, hi: int, want: str | None) -> list[PersonMention]:
        """The first mention of each distinct person of a compatible gender among
        ``mentions[lo:hi]``, in order: people by their name or title, speakers, and the
        subjects sentences open with ("Ashworth ran in Glasgow")."""
        found: list[PersonMention] = []
        for m, opens in zip(self.mentions[lo:hi], self._opens[lo:hi], strict=True):
            if not self._compatible(self.gender(m.name), want) or any(
                f.name == m.name for f in found
            ):
                continue
            if (
                m.person_like
                or m.name in self._spoken
                or (opens and not _plural_noun(m.name) and (want is None or " " in m.name))
            ):  # a "he" or "she" needs a person: "Thirteen years later" and "Verizon" are not
                found.append(m)
        return found

    def _clear_antecedent(
        self, found: list[PersonMention], sentence: int, want: str | None
    ) -> str | None:
        """The antecedent among ``found``, the people of the nearest sentence (starting at
        ``sentence``) that names someone, or None when that would be a guess.

        The sentence's speaker, else the subject it opens with, is it ("Kerr beat Lyle. 'It
        hurts,' he said": Kerr), unless another speaker or subject who fits is in the sentence
        or an earlier sentence of the paragraph ("Kerr led. Lyle won. He admitted: ...").
        Without a speaker or subject, the one person who fits in the paragraph.
        """
        para_start = self.text.rfind("\n", 0, sentence) + 1
        lo = bisect.bisect_left(self._mention_pos, para_start)
        earlier = self._candidates(lo, bisect.bisect_left(self._mention_pos, sentence), want)
        leading = [m for m in found if self._speaks[self._index(m)]] or [
            m for m in found if self._opens[self._index(m)]
        ]  # "Keeling will stay on, his adviser Marek said": the one who speaks
        if leading:
            first = leading[0]
            others = [
                m
                for m in leading + earlier
                if m.name != first.name and self._prominent[self._index(m)]
            ]
            return first.name if not others else None
        names = {m.name for m in found + earlier}
        return found[0].name if len(names) == 1 else None
