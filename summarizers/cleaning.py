"""Find the lines of an article that are not its prose: repeated headline, bylines, share and
"read more" lines, photo credits, and date/"updated on" trailers in any language.

Works on the blocks of :func:`summarizers.splitting.blocks`, so every removal keeps its
offsets in the original text (``summarize`` needs them to report spans).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from summarizers.languages import normalize_language
from summarizers.splitting import blocks


def _wordlist(words: str) -> list[str]:
    """A word list written as one whitespace-separated string."""
    return words.split()


class Removal(NamedTuple):
    """A block of the text that is not prose, and why."""

    start: int
    end: int
    reason: str  # "headline" | "byline" | "share" | "credit" | "date" | "dateline"


_FINAL = ".!?…。！？؟\"”»’')"

_SHARE = re.compile(
    r"""^\W*(?:
    share(?:\s+this)?|tweet|e-?mail(?:\s+this)?|print|subscribe|sign\s+up|newsletter|
    read\s+(?:more|next|also)|related(?:\s+(?:articles?|stories|topics|coverage))?|see\s+also|
    more\s+on\s+this|more\s+from|advertisement|sponsored|click\s+here|follow\s+us|comments?|
    continue\s+reading|recommended|most\s+read|also\s+read|watch|listen|copy\s+link|
    follow\s+(?:us|@?\w+(?:\s+\w+)?\s+on\s+(?:twitter|x|facebook|instagram|bluesky|threads))|
    see\s+(?:live|the\s+latest|more)|
    teilen|abonnieren|mehr\s+zum\s+thema|lesen\s+sie\s+(?:auch|mehr)|weiterlesen|anzeige|werbung|
    compartir|suscr[íi]bete|leer\s+m[áa]s|lee\s+tambi[ée]n|publicidad|te\s+puede\s+interesar|
    partager|abonnez-vous|lire\s+(?:aussi|la\s+suite|plus)|publicit[ée]|
    condividi|iscriviti|leggi\s+(?:anche|di\s+pi[ùu])|pubblicit[àa]|
    compartilh(?:e|ar)|assine|leia\s+(?:mais|tamb[ée]m)|publicidade|
    sd[íi]let|p[řr]e[čc]t[ěe]te\s+si|[čc]t[ěe]te\s+(?:tak[ée]|v[íi]ce)|reklama|
    udost[ęe]pnij|czytaj\s+(?:tak[żz]e|wi[ęe]cej)|subskrybuj|
    dela|l[äa]s\s+(?:mer|ocks[åa])|prenumerera|annons|
    payla[şs]|abone\s+ol|devam[ıi]n[ıi]\s+oku|ilgili\s+haberler|
    поделиться|подписаться|читайте\s+также|поділитися|читайте\s+також
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_SOCIAL = frozenset(
    _wordlist(
        """
    facebook twitter x whatsapp email e-mail linkedin pinterest reddit telegram print share
        copy link messenger flipboard tumblr bluesky threads mastodon sms
"""
    )
)

_CREDIT = re.compile(
    r"""^\W*(?:
    (?:photo|photograph|image|picture|pic|foto|fotograf[íi]a|bild|illustration|video|
    cr[ée]dit|cr[ée]dito|source|quelle|fuente|zdroj|fotó|kuva)s?\s*(?:credit|by)?\s*[:/©|]
    |©|\(?(?:photo|image|picture|foto)\s+by\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_AGENCY_CREDIT = re.compile(
    r"\b(?:Getty\s+Images|AP\s+Photo|Reuters/|/Reuters|AFP|EPA|Shutterstock|PA\s+(?:Media|Wire)|"
    r"Alamy|dpa|Bloomberg|NurPhoto|SOPA\s+Images)\b"
)

_COPYRIGHT = re.compile(
    r"^\W*(?:copyright\b|\(c\)\s*\d{4})|all rights reserved|alle rechte vorbehalten|"
    r"todos los derechos reservados|tous droits réservés|tutti i diritti riservati",
    re.IGNORECASE,
)
_BYLINE_KEY = re.compile(
    r"""^[\W_]*(?:by|written\s+by|reporting\s+by|reported\s+by|additional\s+reporting\s+by|
    editing\s+by|von|por|par|di|av|door|od|przez|autor(?:a|in)?|author|text|texto|
    redacci[óo]n|r[ée]daction)\b\s*:?\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_CONNECTORS = frozenset(
    _wordlist(
        """
    and und y et e i a och en & , with mit con avec
"""
    )
)

_DATE_KEY = re.compile(
    r"""^\W*(?:
    (?:last\s+|first\s+)?(?:updated|modified|published|posted|created)|date|
    (?:son\s+)?g[üu]ncelleme|yay[ıi]n(?:lanma)?\s+tarihi|tarih|
    [úu]ltima\s+actualizaci[óo]n|actualizad[oa]|publicad[oa]|fecha|
    aktualisiert|ver[öo]ffentlicht|stand|zuletzt|erstellt|
    mis\s+[àa]\s+jour|publi[ée]e?|modifi[ée]e?|
    aggiornat[oa]|pubblicat[oa]|atualizad[oa]|
    aktualizov[áa]no|publikov[áa]no|aktualizovan[ée]|zaktualizowano|opublikowano|aktualizacja|
    uppdaterad|publicerad|bijgewerkt|gepubliceerd|
    обновлено|опубликовано|оновлено|опубліковано|
    ενημερώθηκε|δημοσιεύθηκε|δημοσίευση|
    更新|发布|發佈|公開|업데이트|입력|수정|تحديث|نشر|עודכן|פורסם
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_LIKE = re.compile(
    r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|"
    r"\d{4}年|\d{1,2}月"
)
_MONTHS_AND_DAYS = frozenset(
    _wordlist(
        """
    january february march april may june july august september october november december
        jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
        friday saturday sunday mon tue wed thu fri sat sun januar februar märz maerz mai juni
        juli oktober dezember montag dienstag mittwoch donnerstag freitag samstag sonntag enero
        febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
        diciembre lunes martes miércoles jueves viernes sábado domingo janvier février mars
        avril juin juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi
        vendredi samedi dimanche gennaio febbraio aprile maggio giugno luglio settembre ottobre
        dicembre janeiro fevereiro março maio junho julho setembro outubro dezembro ledna února
        března dubna května června července srpna září října listopadu prosince stycznia lutego
        marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia ocak
        şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık am pm a.m. p.m.
        gmt utc bst cet cest est edt pst pdt et uhr h hs de del of at à um le on el il
        alle klo em às kl
"""
    )
)


def _norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.casefold()))


def _words(s: str) -> list[str]:
    return s.split()


def _is_share(line: str) -> bool:
    words = _words(line)
    if len(words) > 12:
        return False
    m = _SHARE.match(line)
    if m:
        after = line[m.end() :].lstrip()[:1]
        return (
            len(words) <= 4
            or after in {":", "|", "»", "›", "-", "–", "—", ">"}
            or line[-1] not in ".!?"
            or m.group().lower().lstrip(" \t\"'(").startswith("follow")
        )
    tokens = [w.strip("|·•,:;()[]").lower() for w in words]
    tokens = [t for t in tokens if t]
    return bool(tokens) and sum(t in _SOCIAL for t in tokens) >= max(2, len(tokens) * 0.6)


def _is_credit(line: str) -> bool:
    if len(_words(line)) > 20:
        return False
    if _CREDIT.match(line) or _COPYRIGHT.search(line):
        return True
    n = len(_words(line))
    if not _AGENCY_CREDIT.search(line) or line[-1] in "!?":
        return False
    return n <= 4 or (n <= 8 and (line[-1] != "." or "/" in line))


def _is_byline(line: str) -> bool:
    if len(_words(line)) > 14 or line[-1] in "!?":
        return False
    for part in re.split(r"\s*;\s*", line.rstrip(".")):
        m = _BYLINE_KEY.match(part)
        if not m or m.end() == 0:
            return False
        names = re.split(r"\s*[,|/–—]\s*|\s+-\s+", part[m.end() :], maxsplit=1)[0]
        tokens = names.split()
        if not 1 <= len(tokens) <= 7:
            return False
        if not all(t[0].isupper() or t.lower() in _CONNECTORS for t in tokens):
            return False
        if not any(t[0].isupper() for t in tokens):
            return False
        if any(t.lower().strip(".") in _MONTHS_AND_DAYS for t in tokens):
            return False  # "By Monday, the council had voted."
    return True


def _alpha_words(text: str) -> list[str]:
    """Words of ``text`` that are not numbers, month or day names, or date connectors."""
    return [
        w
        for w in re.findall(r"[^\W\d_][^\s\d,]*", text)
        if w.lower().strip(".:") not in _MONTHS_AND_DAYS
    ]


def _is_date_line(line: str) -> bool:
    words = _words(line)
    if len(words) > 15 or not any(c.isdigit() for c in line):
        return False
    key = _DATE_KEY.match(line)
    if key and len(_alpha_words(line[key.end() :])) <= 3:
        return True  # "Updated on 13 March 2024 at 10:02", "Aktualisiert am 13.03.2024"
    if not _DATE_LIKE.search(line):
        return False
    # "Label: 20 Eylül 2018, 18:16" in a language we do not know.
    m = re.match(r"^([^\d:]{1,60}):\s*(.+)$", line)
    rest = m.group(2) if m else line
    alpha = _alpha_words(rest)
    if m and len(m.group(1).split()) <= 4 and len(alpha) <= 2:
        return True
    # A line that is mostly a date or time ("Friday, June 10, 2016."), not a short sentence
    # that happens to hold one ("It happened on 5 May 2010.").
    most = 1 if line[-1] == "." else 2
    return len(words) <= 10 and len(alpha) <= most and line[-1] not in "!?"


def _is_dateline(line: str) -> bool:
    """A line such as ``LONDON, March 5 (Reuters) -`` on its own."""
    return len(_words(line)) <= 8 and bool(re.search(r"[-–—]{1,2}$", line))


def _headline_norm(text: str, spans: list[tuple[int, int]], title: str | None) -> str | None:
    if title is not None:
        return _norm(title) or None
    if not spans:
        return None
    first = text[spans[0][0] : spans[0][1]]
    norm = _norm(first)
    if not norm or len(norm.split()) > 25:
        return None
    repeated = any(_norm(text[s:e]) == norm for s, e in spans[1:])
    if repeated or (first[-1] not in _FINAL and len(spans) > 1):
        return norm
    return None


def _is_headline(line: str, headline: str | None) -> bool:
    if not headline:
        return False
    norm = _norm(line)
    if norm == headline:
        return True
    # "Headline | Site name" given as the title, the bare headline in the body (or vice versa).
    short, long_ = sorted((norm, headline), key=len)
    return (
        len(short.split()) >= 4
        and len(short) >= 0.6 * len(long_)
        and long_.startswith(short)
        and line[-1:] not in ".!?"
    )


def removable_lines(
    text: str, title: str | None = None, language: str = "english"
) -> list[Removal]:
    """The blocks of ``text`` that are not article prose, with the reason for each.

    ``title`` is the article's headline when the caller knows it; otherwise a first line that
    looks like a headline (short, no final punctuation, or repeated further down) is taken.
    """
    normalize_language(language)  # validate early: a clear error for unsupported languages
    spans = blocks(text)
    headline = _headline_norm(text, spans, title)
    out: list[Removal] = []
    for start, end in spans:
        line = text[start:end]
        reason = _reason(line, headline)
        if reason:
            out.append(Removal(start, end, reason))
    return out


def _reason(line: str, headline: str | None) -> str | None:
    if _is_headline(line, headline):
        return "headline"
    if _is_date_line(line):
        return "date"
    if _is_share(line):
        return "share"
    if _is_byline(line):
        return "byline"
    if _is_credit(line):
        return "credit"
    if _is_dateline(line):
        return "dateline"
    return None


def clean_article_text(text: str, title: str | None = None, language: str = "english") -> str:
    """``text`` without its non-prose lines (see :func:`removable_lines`).

    Paragraphs that stay are returned verbatim, separated by a blank line.
    """
    removed = {(r.start, r.end) for r in removable_lines(text, title, language)}
    return "\n\n".join(text[s:e] for s, e in blocks(text) if (s, e) not in removed)


_DATELINE_PREFIX = re.compile(
    r"""^(?:(?:[A-ZÀ-Ý][A-ZÀ-Ý.'’-]+(?:\s+[A-ZÀ-Ý][A-ZÀ-Ý.'’-]+){0,3})  # WASHINGTON, NEW YORK
    (?:,\s*[A-Z][\w.]*(?:\s+[\w.]+){0,2})?                           # , March 5 / , Calif.
    \s*(?:\([^()\n]{1,40}\))?                                        # (Reuters)
    |\((?:[A-Z]{2,}|Reuters|Bloomberg)[\w.]*(?:\s+[A-Z][\w.]*){0,2}\))    # or only (CNN)
    \s*(?:--|[-–—])\s+""",
    re.VERBOSE,
)


def dateline_length(sentence: str) -> int:
    """Length of a leading news dateline (``"WASHINGTON (Reuters) - "``) in ``sentence``, or 0."""
    m = _DATELINE_PREFIX.match(sentence)
    if not m or len(m.group()) > 80 or not sentence[m.end() : m.end() + 1].isupper():
        return 0
    return m.end()


def is_non_prose_sentence(sentence: str) -> bool:
    """A sentence that is a date trailer or a byline run into the article text ("Last updated
    at 4:12 PM on 8th January 2012 .", "By Anna Kowalski ."), which a line check cannot see."""
    text = sentence.strip()
    if not text:
        return True
    compact = re.sub(r"\s+\.(?=\s|$)", "", text).strip()  # "By . Anna Kowalski ." style
    if not compact:
        return False
    return _is_date_line(compact) or (len(_words(compact)) <= 8 and _is_byline(compact))


# Words that cannot end a sentence (conjunctions, articles, prepositions): a piece of text
# ending in one without final punctuation was cut off. Pronouns and adverbs can end one.
_CANNOT_END = {
    "english": frozenset(
        _wordlist(
            """
    and or but nor the a an of to in on at by for with from as that which whose if because
        although though while whereas than into onto upon via per whether unless until"""
        )
    ),
    "german": frozenset(
        _wordlist("und oder aber sondern der die das den dem des ein eine einer zu von mit für")
    ),
    "french": frozenset(_wordlist("et ou mais le la les un une de du des au aux à pour avec")),
    "spanish": frozenset(_wordlist("y o pero el la los las un una de del al a con por para")),
    "italian": frozenset(_wordlist("e o ma il lo la gli le un una di del della a al con per")),
    "portuguese": frozenset(_wordlist("e ou mas o a os as um uma de do da ao com por para")),
}
_LIST_MARKER = re.compile(r"^(?:[-–—•*·▪●►‣◦]|\d{1,2}[.)])(?=\s)|^[–—]")
_TRAILING_CLOSERS = "\"'”’»›)]}"
_SENTENCE_END = ".!?。！？؟"
_OPEN_END = ",;:-–—/&(+="
_TRAILING_OFF = re.compile(r"(?:\.\.\.|…|\[(?:\.\.\.|…)\])$")


def is_fragment(sentence: str, language: str = "english") -> bool:
    """A piece that is not a whole sentence: a list item ("- World indoor champion"), one that
    ends open ("At the same meeting,", "He said:", "... the council and"), or trails off
    ("The Athens experience...")."""
    text = sentence.strip()
    if not text or _LIST_MARKER.match(text):
        return True
    core = text.rstrip(_TRAILING_CLOSERS).rstrip()
    if not core or core[-1] in _OPEN_END or _TRAILING_OFF.search(core):
        return True
    if core[-1] in _SENTENCE_END:
        return False
    last = core[-40:].split()[-1].strip(",.;:!?\"'”’»›)]}(")
    return last.lower() in _CANNOT_END.get(normalize_language(language), ())  # "... and"
