"""Find the attribution of one quotation: who the text next to it says spoke.

Looks at the clause right after the closing mark (``"...," Burns said``, ``"...," said Burns``,
``"...," according to Burns``) and the clause right before the opening mark (``Burns said:
"..."``, ``Burns told reporters that "..."``, ``According to Burns, "..."``). The result is a
raw mention (a name with its title, a pronoun, or a common noun phrase); resolving it to a full
name is done by :mod:`summarizers.speakers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizers.names import (
    HONORIFICS,
    NEUTRAL_HONORIFICS,
    NOT_NAME,
    PARTICLES,
    POSTNOMINALS,
    TITLE_WORDS,
    TOKEN_RE,
    Name,
    institution,
    is_cap,
    is_name_at,
    is_name_token,
    looks_like_org,
    split_title,
    with_appositive,
)


def _words(s: str) -> list[str]:
    return s.split()


_VERB_WORDS = _words(
    """said says say added adds told tells wrote writes tweeted tweets posted explained explains
    recalled recalls continued continues noted notes asked asks argued argues declared declares
    insisted insists replied replies responded responds stated warned warns answered answers
    observed observes remarked remarks acknowledged acknowledges admitted admits announced
    announces boasted boasts claimed claims complained complains conceded concedes concluded
    concludes confirmed confirms contended contends countered counters cried emphasized
    emphasizes exclaimed joked jokes mused muses predicted predicts promised promises quipped
    quips reiterated reiterates repeated repeats shouted shouts stressed stresses suggested
    suggests testified thundered urged urges vowed vows yelled yells chanted snapped agreed
    agrees charged cautioned cautions lamented laments pleaded proclaimed protested reasoned
    recounted recounts asserted asserts texted emailed wondered wonders opined griped fumed
    scoffed sniped bragged raved marveled explained whispered screamed sang announced
    acknowledged blasted blasts mocked mocks retorted retorts interjected begged demanded
    demands estimated insisted revealed reveals beamed"""
)
_PARTICIPLES = _words(
    """saying adding telling noting writing arguing asking explaining declaring shouting yelling
    chanting interjecting proclaiming insisting warning responding replying recalling tweeting
    stating quipping joking asserting announcing urging vowing remarking"""
)
_MORE_VERBS = _words(
    """pressed reported reports assured offered sighed began begins lectured preached raged
    ranted remembered gushed elaborated summed pleaded proclaimed conceded recalled explained barked
    echoed interjected chimed hinted teased taunted cracked noted grumbled muttered murmured
    pledged acknowledged questioned scolded fired advised instructed started reacted confessed
    exhorted"""
)
_VERB_ALT = "|".join(
    sorted(set(_VERB_WORDS) | set(_PARTICIPLES) | set(_MORE_VERBS), key=len, reverse=True)
)
# Speech verbs of other languages written with « » or „ “, for inverted attributions such as
# "», a déclaré Emmanuel Macron", "“, sagte Angela Merkel", "», dijo Pedro Sánchez".
_FOREIGN_VERBS = (
    r"a\s+(?:dit|déclaré|ajouté|expliqué|affirmé|souligné|indiqué|estimé|assuré|précisé)"
    r"|(?:sagte|sagt|erklärte|betonte|meinte|ergänzte|fügte\s+hinzu)"
    r"|(?:dijo|afirmó|declaró|señaló|explicó|añadió|aseguró|indicó|agregó|sostuvo)"
    r"|ha\s+(?:detto|dichiarato|spiegato|aggiunto|affermato|sottolineato)"
    r"|(?:disse|afirmou|declarou|explicou|acrescentou)"
)
VERB_RE = re.compile(
    rf"\b(?i:(?:was|is|were|has\s+been|had\s+been)\s+quoted\s+as\s+saying|pointed\s+out|points\s+out"
    rf"|went\s+on|goes\s+on|put\s+it|puts\s+it"
    rf"|(?:shot|fired|hit|snapped|wrote|pushed|shoots|fires|hits|writes)\s+back|{_VERB_ALT}"
    rf"|{_FOREIGN_VERBS})\b"
)
ACCORDING_RE = re.compile(r"\b(?:according\s+to|selon|laut|según|segundo|secondo)\b", re.I)

SUBJECT_PRONOUNS = {"he": "m", "she": "f", "they": None, "i": None, "we": None}
_PREPOSITIONS = frozenset(
    _words(
        """of for with at from in on by to about against toward towards than like over into under
        after before during between behind"""
    )
)

_TRAILING_SKIP = frozenset(
    _words(
        """also later then once recently previously simply quickly reportedly repeatedly again
        often flatly bluntly angrily has had have was is were would will finally just further
        publicly privately frequently earlier soon subsequently candidly bluntly succinctly
        proudly quietly firmly forcefully sharply calmly tersely famously memorably once even
        still never always ultimately jokingly sarcastically emphatically"""
    )
)

_DESCRIPTOR_START = frozenset(
    ["the", "a", "an", "who", "which", "whose", "one", "whom", "where", "then"]
)
ABBREVIATIONS = frozenset(
    _words(
        """mr. mrs. ms. dr. sen. rep. gov. gen. lt. col. capt. sgt. adm. st. jr. sr. prof. rev.
        hon. del. u.s. u.k. u.n. jan. feb. mar. apr. aug. sept. sep. oct. nov. dec. no. vs. inc.
        corp. co. ltd. mt. ft. ave. blvd. d.c. e.g. i.e. a.m. p.m. r. d. i."""
    )
)


@dataclass(frozen=True)
class Mention:
    """A raw attribution: a name, a pronoun, or a common noun phrase (``name`` and
    ``pronoun`` both None)."""

    name: Name | None = None
    pronoun: str | None = None
    pos: int = 0  # where the attribution is (for resolving pronouns)
    description: str | None = None  # a definite description of a person: "the senator"


PERSON_NOUNS = frozenset(
    _words(
        """senator governor candidate nominee congressman congresswoman lawmaker president
        mogul billionaire businessman businesswoman democrat republican spokesman spokeswoman
        aide official adviser advisor strategist secretary mayor leader speaker chairman
        chairwoman director executive founder judge lawyer attorney prosecutor frontrunner
        front-runner contender host star actor actress author analyst pollster economist general
        minister ambassador pope king queen officer diplomat veteran activist organizer
        commissioner sheriff chief manager negotiator developer mother father wife husband
        daughter son widow singer comedian rapper pastor reverend bishop cardinal rabbi imam
        entrepreneur investor dealmaker tycoon populist socialist independent libertarian
        conservative liberal moderate incumbent challenger hopeful congressional vice-president
        woman man engineer expert scientist professor researcher teacher doctor worker fisherman
        resident owner student writer reporter editor columnist critic fan protester
        demonstrator voter supporter member delegate co-founder partner employee boss"""
    )
)


def _description(toks: list[str]) -> str | None:
    """The text of a definite description of a person ("the former top aide to ..."), if any."""
    if len(toks) < 2 or toks[0].lower() != "the" or len(toks) > 10:
        return None
    head = None
    for t in toks[1:]:
        if t.lower() in _PREPOSITIONS or not t[:1].isalpha():
            break
        head = t
    if head is None or head.lower() not in PERSON_NOUNS:
        return None
    return " ".join(toks)


def _clean(tok: str) -> str:
    """Drop a sentence-final period glued to a word (but keep "Sen.", "Jr.", "J.")."""
    if tok.endswith(".") and tok.lower() not in ABBREVIATIONS and tok.lower() not in HONORIFICS:
        core = tok[:-1]
        if len(core) > 1 and "." not in core:
            return core
    return tok


def tokens(s: str) -> list[str]:
    return [_clean(t) for t in TOKEN_RE.findall(s)]


def last_sentence_start(s: str) -> int:
    """Offset in ``s`` where its last sentence starts (0 if it has only one)."""
    best = 0
    for m in re.finditer(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])", s):
        word = re.search(r"(\S+)$", s[: m.start() + 1])
        w = word.group(1).lower() if word else ""
        if w in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+", w):
            continue
        best = m.end()
    return best


def first_sentence_end(s: str) -> int:
    """Offset in ``s`` where its first sentence ends (len(s) if it does not)."""
    for m in re.finditer(r"[.!?](?=[\"'\u201d\u2019)\]]*(?:\s|$))", s):
        word = re.search(r"(\S+)$", s[: m.start() + 1])
        w = word.group(1).lower() if word else ""
        if w in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+", w):
            continue
        return m.end()
    return len(s)


def _blank_parens(s: str) -> str:
    """Blank out short parentheticals ("(D-Ore.)") keeping offsets."""
    return re.sub(r"\([^()\n]{0,40}\)", lambda m: " " * len(m.group(0)), s)


def _strip_parens(s: str) -> str:
    return re.sub(r"\([^()]*\)", " ", s)


def _is_descriptor(seg_toks: list[str]) -> bool:
    """An appositive or relative segment ("deputy head of ...", "who ..."), not a name
    ("de Blasio", "the Washington Post")."""
    first = seg_toks[0]
    nxt = seg_toks[1] if len(seg_toks) > 1 else ""
    low = first.lower()
    if low in PARTICLES and is_name_token(nxt):
        return False
    if low == "the" and is_name_token(nxt) and nxt.lower() not in TITLE_WORDS:
        return False
    return not first[:1].isupper() or low in _DESCRIPTOR_START or first[:1].isdigit()


def _descriptor_title(seg: str) -> str | None:
    seg = re.split(r"\s+(?:who|which|whose|where)\b", seg.strip())[0].strip(" ,.;:")
    if not seg or seg[:1].isdigit() or len(seg.split()) > 14:
        return None
    if seg.split()[0].lower() in _PREPOSITIONS | {"however", "though", "too", "also"}:
        return None  # "Okafor, in a statement, said"
    return seg


def _trailing_name(seg_toks: list[str]) -> Name | None:
    """The name a segment ends with, unless it is the object of a preposition."""
    i = len(seg_toks)
    while i > 0:
        t = seg_toks[i - 1]
        low = t.lower()
        if (
            is_name_token(t)
            or low in TITLE_WORDS
            or low in HONORIFICS
            or low in NEUTRAL_HONORIFICS
            or low in PARTICLES
            or (low in {"of", "the", "and", "for"} and i < len(seg_toks))
        ):
            i -= 1
            continue
        break
    run = seg_toks[i:]
    while run and run[-1].lower() in POSTNOMINALS:
        run.pop()  # "Andrew Tyrie MP"
    while run and run[0].lower() in {"of", "the", "and", "for"}:
        if run[0].lower() in {"of", "for"}:
            return None  # "a spokesman for the DCA": the name is not the speaker
        run.pop(0)
        i += 1
    if i > 1 and seg_toks[i - 1].lower() == "the" and seg_toks[i - 2].lower() in _PREPOSITIONS:
        return None  # "In the Commons"
    if not run:
        return None
    if not is_name_at(run, len(run) - 1):  # "the White House", "the State Department"
        if i > 0 and seg_toks[i - 1].lower() in _PREPOSITIONS:
            return None
        return institution(run)
    # lower-case descriptors before a title word: "port spokesman Ivo Marek"
    extra = 0
    while (
        run[0].lower() in TITLE_WORDS
        and i > 0
        and extra < 3
        and seg_toks[i - 1].islower()
        and seg_toks[i - 1].isalpha()
        and seg_toks[i - 1] not in _FUNCTION_WORDS
    ):
        i -= 1
        extra += 1
        run = seg_toks[i:]
    if i > 0 and seg_toks[i - 1].lower() in _PREPOSITIONS:
        return None
    return split_title(run)


_FUNCTION_WORDS = (
    _PREPOSITIONS
    | frozenset(SUBJECT_PRONOUNS)
    | frozenset(
        _words(
            """a an this that these those who which whose whom is was are were has had have
            will would did does do can could may might should must as but or while when if
            because so than then there here it its his her their our my your him them us me
            not no also just said says told added"""
        )
    )
)


_LEADING_CONNECTORS = frozenset(
    _words("and but to which after before while as when because so where then yet or with")
)


def _titled_name(toks: list[str]) -> Name | None:
    """A lower-case segment that is a title and a full name ("former UN Ambassador John
    Bolton"), not an apposition ("executive director of National Nurses United")."""
    if toks[0].lower() in _DESCRIPTOR_START | {"a", "an"} or not toks[0][:1].isalpha():
        return None
    name = _trailing_name(toks)
    if name is None or len(name.name.split()) < 2 or looks_like_org(name.name):
        return None
    first = name.name.split()[0]
    idx = len(toks) - 1 - toks[::-1].index(first) if first in toks else -1
    if idx <= 0 or toks[idx - 1].lower() in {"of", "the", "for", "and"}:
        return None
    return name


_QUOTED_AS = re.compile(r"\bquoted\s+(.{2,80}?)\s+as\s+(?:saying|telling|writing)\b")
_AGE = re.compile(r"^(?:the\s+)?\d+-year-old\s+(?=[A-Z])", re.I)
_PASSIVE = re.compile(r"\b(?:was|were|been|being|be|is|are|get|got)\s+$", re.I)
_PARTY_STATE = re.compile(r"\(?[DRI]-[A-Z][A-Za-z.]*\.?\)?")
_IRREGULAR_PAST = frozenset(
    _words("""was were went came took made got gave left sat stood met spoke told said had ran
    saw heard began rose fell""")
)


def _looks_verb(tok: str) -> bool:
    """A past-tense or speech verb ("visited", "told", "says"), not a descriptor noun."""
    return (
        re.fullmatch(r"[a-z]+ed", tok) is not None
        or tok in _IRREGULAR_PAST
        or VERB_RE.fullmatch(tok) is not None
    )


def _name_after_clause(toks: list[str]) -> Name | None:
    """The name after "and"/"but" that ends a clause with its own verb ("a woman asked for a
    photo and Clinton"), not the end of a prepositional phrase ("a lawyer for Smith and Jones")."""
    conj = [j for j, t in enumerate(toks) if t.lower() in {"and", "but"}]
    if not conj or len(toks) - conj[-1] > 4:
        return None
    head = toks[: conj[-1]]
    if not any(_looks_verb(t) for t in head):
        return None
    rest = toks[conj[-1] + 1 :]
    if not rest or not all(is_name_at(rest, j) for j in range(len(rest))):
        return None
    return split_title(rest)


def np_before(pre: str, pos: int) -> Mention | None:
    """Parse the subject that ends ``pre`` (the text before a speech verb)."""
    pre = _strip_parens(pre).rstrip()
    words = pre.split()
    while words and words[-1].strip(",") in _TRAILING_SKIP:
        words.pop()
    if words and words[-1].lower() in {"and", "but", "then", "yet"}:  # "X said ..., but said"
        return subject_at_start(" ".join(words[:-1]), pos)
    pre = " ".join(words).rstrip(" ,\u2014-")
    if not pre:
        return None
    via = _DOCUMENT_BY.match(pre.lstrip())
    if via:  # "a statement issued on behalf of Robert Zoellick, US Trade Representative, said"
        found = np_after_verb(pre.lstrip()[via.end() :], pos)
        if found is not None and found.name is not None:
            return found
    owner = _POSSESSIVE_SOURCE.search(pre)
    if owner:  # "Mr Tanzi's statement said", "Bush's Facebook post read"
        name = split_title(tokens(owner.group("name")))
        if name is not None:
            return Mention(name=name, pos=pos)
    segments = [
        s.strip(' "\u201c\u201d')  # 'Remarking upon his "empathy," Starr said'
        for s in re.split(r"\s*[,\u2014;]\s*", pre)
        if s.strip(' "\u201c\u201d') and not _PARTY_STATE.fullmatch(s.strip())
    ]
    appos: str | None = None
    for k in range(len(segments) - 1, max(-1, len(segments) - 6), -1):
        toks = tokens(segments[k])
        while len(toks) > 1 and toks[0].lower() in _LEADING_CONNECTORS:
            toks = toks[1:]  # "to which O'Malley", "and Burns"
        if not toks:
            continue
        if toks[-1].lower() in SUBJECT_PRONOUNS and (len(toks) <= 3 or k == len(segments) - 1):
            # "In a letter to his constituency chairman he wrote"
            return Mention(pronoun=toks[-1].lower(), pos=pos)
        if k == len(segments) - 1 and k > 0 and _is_descriptor(toks):
            clause_name = _name_after_clause(toks)
            if clause_name is not None:  # "At one point, a woman asked for a photo and Clinton"
                return Mention(name=clause_name, pos=pos)
        if _is_descriptor(toks) and k > 0:
            titled = _titled_name(toks)
            if titled is not None:
                return Mention(name=titled, pos=pos)
            if toks[0].lower() not in {"who", "which", "whose", "where"}:
                appos = _descriptor_title(segments[k])
            continue
        name = _trailing_name(toks)
        if name is None and k == len(segments) - 1:
            conj = [j for j, t in enumerate(toks) if t.lower() in {"and", "but", "while", "as"}]
            if conj and len(toks) - conj[-1] <= 4:  # "... asked for a photo and Clinton"
                name = _trailing_name(toks[conj[-1] + 1 :])
                if name is not None:
                    return Mention(name=name, pos=pos)
        if name is None:
            if k > 0 and len(toks) <= 8:
                appos = _descriptor_title(segments[k])  # "Tad Devine, Sanders's strategist,"
                continue
            return Mention(pos=pos, description=_description(toks))
        name = with_appositive(name, appos)
        if name.title is None and k == 1 and re.match(r"(?:the|a|an)\s+[a-z]", segments[0]):
            # "the harbour master, Ivo Marek, said"
            name = Name(name.name, _descriptor_title(segments[0]), name.gender, name.honorific)
        return Mention(name=name, pos=pos)
    return None


def _leading_name(seg: str) -> Name | None:
    """The first name in a segment, with the descriptors before it as its title
    ("Republican political consultant Chris Russell")."""
    toks = tokens(_strip_parens(seg))
    if toks and toks[0].lower() in {"the", "his", "her", "their", "its"}:
        toks = toks[1:]
    j = 0
    # descriptors: any words up to the first name token, no function words; a possessive name
    # followed by a lower-case word is a descriptor too ("Clinton's top aide Jake Sullivan")
    while j < len(toks) and (
        not is_name_token(toks[j])
        or (toks[j].endswith(("'s", "\u2019s")) and j + 1 < len(toks) and toks[j + 1][:1].islower())
    ):
        low = toks[j].lower()
        if low in _FUNCTION_WORDS and low not in {"of", "and", "for"}:
            return None
        if not toks[j][:1].isalpha() and not re.fullmatch(r"[\d/]+", toks[j]):
            return None  # digits may describe: "9/11 widow Terry Strada"
        if low in {"of", "and", "for"} and j == 0:
            return None
        j += 1
    if j >= len(toks):
        return institution(toks)  # "The Democratic National Committee"
    if j > 8:
        return None
    run = toks[:j]
    while j < len(toks):
        t = toks[j]
        low = t.lower()
        nxt = toks[j + 1] if j + 1 < len(toks) else ""
        if (
            is_name_token(t)
            or low in TITLE_WORDS
            or low in HONORIFICS
            or low in NEUTRAL_HONORIFICS
            or (low in PARTICLES and is_name_token(nxt))
            or (low in {"of", "the", "and", "for"} and (is_cap(nxt) or nxt.lower() in TITLE_WORDS))
            or (low == "of" and nxt == "the" and j + 2 < len(toks) and is_cap(toks[j + 2]))
        ):
            run.append(t)
            j += 1
            continue
        # "Former Obama speechwriter Jon Favreau": descriptor nouns, then the name
        k = j
        while (
            k < len(toks)
            and k - j < 5
            and toks[k].islower()
            and toks[k] not in _FUNCTION_WORDS
            and not _looks_verb(toks[k])  # "Sanders visited NBC's ...": a verb ends the name
        ):
            k += 1
        if (
            k > j
            and k < len(toks)
            and is_name_token(toks[k])
            and toks[k].lower() not in TITLE_WORDS
        ):
            run.extend(toks[j:k])
            j = k
            continue
        break
    return split_title(run)


def np_after_verb(rest: str, pos: int) -> Mention | None:
    """Parse the subject that follows an inverted speech verb (``said Nicholas Burns, ...``)."""
    rest = rest.strip()
    toks = tokens(rest)
    if not toks:
        return None
    if toks[0].lower() in SUBJECT_PRONOUNS:
        return Mention(pronoun=toks[0].lower(), pos=pos)
    via = _DOCUMENT_BY.match(rest)  # "a court document filed by state attorney Dave Aronberg"
    if via:
        found = np_after_verb(rest[via.end() :], pos + via.end())
        if found is not None and found.name is not None:
            return found
    segments = [s for s in re.split(r"\s*[,;\u2014]\s*", rest) if s.strip()][:3]
    owner_title: str | None = None
    for k, seg in enumerate(segments):
        name = _leading_name(seg)
        if name is not None:
            if name.title is None and owner_title:
                name = Name(name.name, owner_title, name.gender, name.honorific)
            if k + 1 < len(segments):
                nxt = segments[k + 1]
                if _is_descriptor(tokens(nxt) or ["x"]):
                    name = with_appositive(name, _descriptor_title(nxt))
            return Mention(name=name, pos=pos)
        seg_toks = tokens(seg) or ["x"]
        last = seg_toks[-1]
        if (
            k + 1 < len(segments)
            and last.islower()
            and (last in TITLE_WORDS or last in PERSON_NOUNS)
        ):
            owner_title = _descriptor_title(seg)  # "said EEF chief economist, Steve Radley"
            continue
        if re.match(r"[A-Z][\w.\-]*['\u2019]s\s+[a-z]", seg) and k + 1 < len(segments):
            owner_title = _descriptor_title(seg)
            continue  # "said Okafor's spokesman, Ivo Marek"
        if not _is_descriptor(seg_toks) or seg_toks[0].lower() not in {"a", "an", "the"}:
            return None
    return Mention(pos=pos, description=_description(tokens(segments[0])) if segments else None)


def after_mention(after: str, pos: int) -> Mention | None:
    """Attribution in the clause that follows a quotation's closing mark."""
    s = _blank_parens(after.lstrip(" ,\u2014-\u2013"))
    s = s[: first_sentence_end(s)]
    m = ACCORDING_RE.match(s)
    if m:
        return np_after_verb(s[m.end() :], pos + m.end())
    quoted = _QUOTED_AS.search(s)
    if quoted:  # "the Interfax news agency quoted Mr Khodorkovsky as saying"
        found = np_after_verb(quoted.group(1), pos + quoted.start(1))
        if found is not None and (found.name is not None or found.pronoun is not None):
            return found
    first_found: Mention | None = None
    for k, vm in enumerate(VERB_RE.finditer(s)):
        if k >= 3:
            break
        found = _after_verb(s, vm, pos)
        if found is not None and (found.name is not None or found.pronoun is not None):
            return found  # "... and donations began to pick up, Gilbert said"
        if k == 0:
            first_found = found
        if vm.group(0).lower() in _PARTICIPLES:
            break
    return first_found


def _after_verb(s: str, vm: re.Match, pos: int) -> Mention | None:
    """The speaker of the speech verb ``vm`` in the clause ``s`` after a closing mark."""
    if vm.group(0).lower() in _PARTICIPLES:
        return None  # ", saying ..." introduces content, not a speaker
    pre = s[: vm.start()]
    if len(pre.split()) > 25:
        return None
    if not pre.strip():
        return np_after_verb(s[vm.end() :], pos + vm.end())
    opens_with_name = bool(tokens(pre)) and is_name_token(tokens(pre)[0])
    if (
        pre.rstrip().endswith(",")
        and not opens_with_name
        and vm.group(0).lower() not in {"told", "tells"}
    ):  # "... that Sanders can win, said Steve Elmendorf"
        inverted = np_after_verb(s[vm.end() :], pos + vm.end())
        if inverted is not None and (inverted.name is not None or inverted.pronoun is not None):
            return inverted
    first = pre.split()[0].lower()
    found = np_before(pre, pos)
    lowercase_start = pre.strip()[:1].islower() and first not in SUBJECT_PRONOUNS
    if lowercase_start and first not in {"the", "a", "an", "former", "then", "one"}:
        if found is not None and found.pronoun is not None:  # "... played out, he said"
            last = re.split(r"[,\u2014;]", pre.rstrip())[-1].split()
            return found if len(last) == 1 else None
        return found if found is not None and found.name is not None else None
    return found


_OPENERS = re.compile(
    r"^(?:(?:but|and|so|still|then|yet|later|earlier|instead|meanwhile|now|also|here|there)\b,?\s*)+",
    re.I,
)


# "Hours later, ...", "Moments earlier, ...": a time opener, not a subject
TIME_ADVERBS = frozenset({"later", "earlier", "ago", "afterward", "afterwards", "again"})


def subject_at_start(clause: str, pos: int) -> Mention | None:
    """The subject a clause opens with (``Cruz called them on it:``), skipping openers such as
    "But", "Immediately after the attacks," or "Asked about it,"."""
    c = re.sub(r"^(?:here|there)(?:['\u2019]s|\s+is|\s+was)\s+", "", clause.strip(), flags=re.I)
    c = _OPENERS.sub("", c)
    segments = [x for x in re.split(r"\s*[,\u2014]\s*", c) if x.strip()]
    for seg in segments[:5]:
        seg = _AGE.sub("", seg)  # "14-year-old Aubrey Pelletier hoisted a sign"
        toks = tokens(seg)
        if not toks or all(re.fullmatch(r"(?:[A-Z]\.){2,}|[\d/.\-]+", t) for t in toks):
            continue  # "in Concord, N.H., 14-year-old ...", "On July 6, 2015, Sanders ..."
        if len(segments) > 1 and len(toks) <= 3 and toks[-1].lower() in TIME_ADVERBS:
            continue  # "Hours later, Trump returned ...", "Moments earlier, ..."
        first = toks[0].lower()
        if first in SUBJECT_PRONOUNS:
            return Mention(pronoun=first, pos=pos)
        nxt = toks[1] if len(toks) > 1 else ""
        if first == "the" and is_name_token(nxt):
            first = nxt.lower()  # "the Smithsonian Institution said"
        elif toks[0].islower() and first not in PARTICLES and len(segments) > 1:
            continue  # a lower-case fragment: "in-prison interview with ..."
        if (
            first in _PREPOSITIONS
            or (first in NOT_NAME and first not in HONORIFICS)  # "Mrs Robinson warned"
            or (first.endswith(("ly", "ing", "ed")) and not is_cap(nxt) and not _looks_verb(nxt))
            or first in {"as", "when", "while", "after", "before", "if", "since", "although"}
        ):
            if len(segments) > 1:
                continue
            return None
        name = _leading_name(seg)
        if name is None:
            return None
        return Mention(name=name, pos=pos)
    return None


_SPEECH_NOUNS = (
    r"statement|post|tweet|response|reply|message|letter|e-?mail|speech|remarks|words|answer|"
    r"comments?|note|memo|op-ed|column|essay|memoir|testimony|announcement|release|address"
)
# "From Bush's Facebook post:", "Clinton's response was:", "In Obama's statement, released ...:"
_POSSESSIVE_INTRO = re.compile(
    r"(?:^|(?<=[.!?\u2014])|\b(?i:from|in)\s+)\s*"
    r"(?P<name>(?!(?:From|In)\s)(?:[A-Z][\w.\-]*\s+){0,3}[A-Z][\w.\-]*)['\u2019]s?\s+"
    r"(?:[\w-]+\s+){0,3}?(?:" + _SPEECH_NOUNS + r")"
    r"(?:\s+(?:was|were|read|reads|said|says|stated|went|included|begins|began)(?:\s+\w+)?)?"
    r"\s*:$"
)


# The subject of a speech verb that is someone's document: "Mr Tanzi's statement (said)"
_POSSESSIVE_SOURCE = re.compile(
    r"(?:^|[,;\u2014]\s*|\b(?:[Bb]ut|[Aa]nd|[Tt]he)\s+)"
    r"(?P<name>(?!(?:From|In|The|But|And)\s)(?:[A-Z][\w.\-]*\s+){0,3}[A-Z][\w.\-]*)['\u2019]s?\s+"
    r"(?:[\w-]+\s+){0,2}?(?:statement|post|tweet|letter|e-?mail|memo|message|note|website|"
    r"release|report|book|memoir|column|op-ed|essay|blog|ad|advertisement|filing)s?$"
)


# "(according to) a court document filed by X", "the base chief known as X"
_DOCUMENT_BY = re.compile(
    r"(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?(?:(?:document|statement|report|letter|filing|memo|"
    r"e-?mail|release|complaint|indictment|affidavit|transcript|post|tweet|message)s?\s+"
    r"(?:\w+\s+)?(?:by|on\s+behalf\s+of)|known\s+(?:only\s+)?as)\s+"
    r"(?=[A-Z]|(?:the|former|state|federal)\s)",
    re.I,
)


_BYLINE_INTRO = re.compile(
    r"[,\"\u201d]\s*by\s+(?:the\s+)?(?P<name>(?:[A-Z][\w.'\u2019\-]*\s+){0,6}[A-Z][\w.'\u2019\-]*)\s*:$"
)
_OWNER_BEFORE_MARK = re.compile(
    r"(?:^|(?<=\s))(?P<name>(?!(?:The|A|An|This|That|It|Its|His|Her|Their|Our)\s)"
    r"(?:[A-Z][\w.\-]*\s+){0,2}[A-Z][\w.\-]*)['\u2019]s?\s*$"
)


_GERUND_SUBJECT = re.compile(
    r"\b(?:of|about|with|by|from|at)\s+(?P<name>(?:[A-Z][\w.'\u2019\-]*\s+){0,2}[A-Z][\w.\-]*)"
    r"(?:\s+[a-z]+ly)?\s*$"
)


def _speech_subject(head: str, pos: int) -> Mention | None:
    """The speaker of the last finite speech verb of ``head`` ("Spicer said," / "said Nefzi,"),
    who is also the subject of a participle that follows ("..., adding, ...")."""
    verbs = [v for v in VERB_RE.finditer(head) if v.group(0).lower() not in _PARTICIPLES]
    if not verbs:
        return None
    vm = verbs[-1]
    pre = head[: vm.start()]
    seg_start = max(pre.rfind(","), pre.rfind("—"), pre.rfind(";"))
    if not pre[seg_start + 1 :].strip():  # inverted: ", said Nefzi,"
        found = np_after_verb(head[vm.end() :], pos + vm.end())
    else:
        found = np_before(pre, pos + vm.start())
    if found is not None and (found.name is not None or found.pronoun is not None):
        return found
    return None


def before_mention(before: str, pos: int) -> Mention | None:
    """Attribution in the clause that precedes a quotation's opening mark."""
    start = last_sentence_start(before)
    clause = before[start:]
    cpos = pos + start
    stripped = clause.rstrip()
    if not stripped or stripped[-1] in ".!?":
        return None
    m = re.match(r"\s*(?:and\s+)?according\s+to\s+(.+?),?\s*$", clause, re.I | re.S)
    if m:
        return np_after_verb(m.group(1), cpos + m.start(1))
    owner = _OWNER_BEFORE_MARK.search(clause)
    if owner:  # Obama's "if you like your plan, you can keep it" promise
        name = split_title(tokens(owner.group("name")))
        if name is not None and not looks_like_org(name.name):
            return Mention(name=name, pos=cpos + owner.start("name"))
    verbs = list(VERB_RE.finditer(clause))
    if verbs:
        vm = verbs[-1]
        tail = clause[vm.end() :]
        tail_words = tail.split()
        if len(tail_words) <= 12 and not re.search(r"[.!?]\s", tail):
            if vm.group(0).lower() in _PARTICIPLES:
                head = clause[: vm.start()]
                # "Husted continued by saying," / "she responded by saying"
                head = re.sub(r"\b(?:by|in)\s*$", "", head.rstrip())
                head = re.sub(r"^(\s*)From(?=\s+[A-Z])", r"\1    ", head)  # "From X writing at Y:"
                if not head.rstrip().rstrip('"\u201d').endswith(","):  # "with Trump yelling:"
                    found = np_before(head, cpos + vm.start())
                    if found is not None and found.name is not None:
                        return found
                    gerund = _GERUND_SUBJECT.search(head)
                    if gerund:  # "what do you think of Carson privately saying"
                        name = split_title(tokens(gerund.group("name")))
                        if name is not None:
                            return Mention(name=name, pos=cpos + gerund.start("name"))
                else:  # "..., Nefzi said, adding," / "Graham said on MSNBC, adding,"
                    found = _speech_subject(head, cpos)
                    if found is not None:
                        return found
                return subject_at_start(head, cpos)
            pre = clause[: vm.start()]
            if not pre.strip():
                return np_after_verb(tail, cpos + vm.end())
            if vm.group(0).lower() in {"told", "asked"} and _PASSIVE.search(pre):
                return Mention(pos=cpos)  # "she was told:": someone else said it
            found = np_before(pre, cpos + vm.start())
            if found is not None and (found.name is not None or found.pronoun is not None):
                return found
            subject = subject_at_start(pre, cpos)
            return subject if subject is not None else found
    if stripped.endswith(":"):
        byline = _BYLINE_INTRO.search(stripped)
        if byline:  # '"Headline," by Times' Ben Sisario: "..."'
            name = split_title(tokens(byline.group("name")))
            if name is not None and not looks_like_org(name.name):
                return Mention(name=name, pos=cpos + byline.start("name"))
        owner = _POSSESSIVE_INTRO.search(stripped)
        if owner:  # "From Bush's Facebook post:" / "Clinton's response was:"
            name = split_title(tokens(owner.group("name")))
            if name is not None:
                return Mention(name=name, pos=cpos + owner.start("name"))
        dashed = re.search(r"\s[-\u2013\u2014]\s*([^-\u2013\u2014]{2,60}):$", stripped)
        if dashed:  # "HEADLINE - Michael P. McDonald:"
            name = _leading_name(dashed.group(1))
            if name is not None:
                return Mention(name=name, pos=cpos + dashed.start(1))
        dash = max(stripped.rfind("\u2014"), stripped.rfind("\u2013"))
        if dash > 0:  # "... and Lordy, do we know it!\u2014 Cruz called them on it:"
            subject = subject_at_start(stripped[dash + 1 :], cpos + dash + 1)
            if subject is not None:
                return subject
        subject = subject_at_start(clause, cpos)
        if subject is not None:
            return subject
        toks = tokens(stripped[:-1])
        name = _trailing_name(toks) if toks else None
        return Mention(name=name, pos=cpos) if name is not None else None
    return None


def looks_attributed(before: str, after: str) -> bool:
    """Cheap test: is a speech verb or a colon right next to the quotation?"""
    a = after.lstrip(" ,\u2014-\u2013")[:80]
    if ACCORDING_RE.match(a) or VERB_RE.match(a):
        return True
    a_words = a.split()
    if (
        a_words
        and VERB_RE.search(" ".join(a_words[:6]))
        and (
            is_cap(a_words[0].strip(","))
            or a_words[0].lower() in SUBJECT_PRONOUNS
            or a_words[0].lower() in {"the", "a", "an", "one"}  # "Mexico!" the crowd screamed
        )
    ):
        return True
    b = before.rstrip()
    if b.endswith(":"):
        return True
    return bool(re.search(rf"\b(?i:{_VERB_ALT})\b(?:(?:\s+[\w\u2019']+){{0,3}}\s*[,:]|\s*)$", b))


__all__ = [
    "Mention",
    "NOT_NAME",
    "after_mention",
    "before_mention",
    "first_sentence_end",
    "last_sentence_start",
    "looks_attributed",
    "subject_at_start",
    "tokens",
]
