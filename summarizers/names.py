"""Person names in English news text: recognising a name, splitting off its title, gender hints.

Rule-based and offline. A "name run" is a sequence of capitalised tokens (with initials,
particles such as "de" or "van", and suffixes such as "Jr."); titles ("Undersecretary of State",
"Sen.", "campaign manager") are split off the front so that the name is the trailing tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(s: str) -> list[str]:
    return s.split()


# Tokens: words (with inner apostrophes, hyphens and periods, e.g. "O'Neill", "U.S.", "Jr."),
# or single punctuation characters.
TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'\u2019\-]|\.(?=[^\W\d_]\.?))*\.?|\d[\d,.]*|\S")

HONORIFICS = {"mr.": "m", "mr": "m", "mrs.": "f", "mrs": "f", "ms.": "f", "ms": "f", "miss": "f"}
NEUTRAL_HONORIFICS = frozenset(["dr.", "dr", "prof.", "rev.", "hon."])

# Capitalised words that belong to a title, not to a name.
TITLE_WORDS = frozenset(
    _words(
        """president vice secretary undersecretary under state senator sen. rep. representative
        gov. governor mayor gen. general attorney chairman chairwoman chair speaker leader
        majority minority whip director chief executive ceo cfo minister prime foreign defense
        defence deputy ambassador commissioner press spokesman spokeswoman spokesperson rev.
        pastor pope king queen prince princess lt. col. capt. adm. sgt. officer sheriff
        councilman councilwoman congressman congresswoman assemblyman assemblywoman lieutenant
        homeland security treasury justice judge supreme court house senate democratic
        republican gop former first lady candidate nominee chancellor professor prof. dr. mr.
        mrs. ms. miss sir dame lord rabbi imam cardinal bishop father sister brother adviser
        advisor aide strategist analyst founder co-founder owner commander admiral colonel
        captain sergeant major deputy assistant associate special counsel counselor economist
        editor host anchor correspondent reporter columnist author pollster chairperson manager
        coordinator head superintendent delegate del. mr mrs ms dr sen rep gov gen u.s. us federal
        national international global regional state's party campaign committee department
        ministry office council agency bureau white communications director prosecutor mp mep uk"""
    )
)

# Capitalised words that open a title when a full name follows them ("Australian Lynton
# Crosby", "Actor Stephen Fry") but can be names on their own ("Mark Cuban", "Paul Singer").
LEADING_TITLES = frozenset(
    _words(
        """dj tory actor actress singer rapper comedian musician novelist filmmaker producer
        presenter broadcaster journalist american british australian canadian french german
        russian chinese japanese indian israeli palestinian iranian iraqi syrian mexican italian
        spanish irish scottish welsh european african korean turkish saudi egyptian pakistani
        afghan ukrainian polish dutch swedish norwegian danish greek brazilian cuban nigerian"""
    )
)


PARTICLES = frozenset(
    _words("""de da di del della der den van von la le du dos das bin ibn al el st.""")
)

SUFFIXES = frozenset(["jr.", "jr", "sr.", "sr", "ii", "iii", "iv"])
# Letters after a name that are not part of it: "Andrew Tyrie MP", "Jane Doe QC"
POSTNOMINALS = frozenset(["mp", "mep", "msp", "qc", "kc", "obe", "mbe", "cbe", "phd", "md"])

# Capitalised words that never start or make a person's name.
NOT_NAME = frozenset(
    _words(
        """the a an but and or so if when while in on at for of to by as it he she they we i you
        this that these those there here then now still yet also meanwhile however after before
        monday tuesday wednesday thursday friday saturday sunday january february march april
        june july august september october november december mon. tue. wed. thu. fri. sat. sun.
        jan. feb. mar. apr. aug. sept. sep. oct. nov. dec. his her their our my its your we're
        it's i'm according asked said says added told one two three some many most all both
        other others another each every no not yes okay ok well oh mr mrs ms americans god
        democrat democrats republicans conservatives liberals officials like unlike what why how
        where who which whether
        already indeed instead moreover nonetheless nevertheless furthermore later earlier again
        finally today yesterday tonight recently currently previously ultimately overall
        similarly likewise otherwise besides thus hence therefore perhaps maybe apparently
        clearly obviously wait look sure more here's there's that's what's with via here’s
        there’s that’s what’s it’s
        although though because since unless until whereas whilst despite during speaking
        soon is are was were would can could should do does did has have had might must
        even just only never always along amid among around across behind beyond inside outside
        without within upon toward towards against about above below under over into onto
        through throughout people everyone everybody someone somebody anyone anybody nobody"""
    )
)


# Last words that make a capitalised run an organisation or place rather than a person.
ORG_WORDS = frozenset(
    _words(
        """council house department party committee news post times journal university institute
        center centre foundation association agency inc. corp. company group network campaign
        states union court senate congress administration press tribune review magazine channel
        bank fund commission board office ministry service services organization organisation
        coalition league club county city republic kingdom nations army navy force police school
        college church review today daily weekly street hall square airport report poll show
        industry industries rights federation society trust alliance institution museum forum
        project festival awards commons lords parliament assembly government authority
        herald globe gazette guardian telegraph observer chronicle inquirer examiner courier
        sentinel dispatch bulletin register independent economist mirror express"""
    )
)


MALE_NAMES = frozenset(
    _words(
        """donald ted marco jeb ben chris john mike michael rand barack joe tim bernie bill mitch
        harry paul reince corey jared eric rudy newt rick scott jim james robert david richard
        thomas charles george william mark steven steve kevin brian jeff jeffrey gary larry
        frank jason ryan jacob nicholas nick nikolai vladimir sergei dmitry alexander alex
        andrew anthony daniel matthew joshua josh justin brandon adam peter patrick jack henry
        walter roger dennis jerry keith samuel sam howard lindsey lindsay carl arthur lawrence
        ralph roy louis bobby johnny phil philip stephen sean tom tommy greg gregory ron ronald
        tony raymond gerald harold douglas doug kenneth ken edward ed al alan allan jon jonathan
        benjamin martin carlos jose juan luis jorge ali mohammed muhammad ahmed omar hassan xi
        shinzo francois emmanuel angela boris david dick chuck lou glenn jesse stan fred
        frederick marcus earl leon lyndon dwight ronnie hank orrin lamar jeff brent rush sean
        newt ross herman rick jon kurt ari karl reid mitt jay jerry van wayne troy clint chad
        todd craig dean bruce neil norman vincent victor wesley nathan ethan aaron kyle evan
        colin cory devin tyler austin marvin"""
    )
)

FEMALE_NAMES = frozenset(
    _words(
        """hillary carly nikki sarah elizabeth nancy kellyanne debbie ivanka melania michelle huma
        donna kate katie mary patricia jennifer linda barbara susan margaret dorothy lisa karen
        betty helen sandra ashley kimberly emily deborah laura rebecca sharon cynthia kathleen
        amy angela anna ann anne marie julie heather diane joyce virginia victoria kelly
        christina lauren joan evelyn judith megyn maria catherine frances christine samantha
        janet rachel carolyn emma martha gloria teresa sara janice jean alice madison doris
        abigail julia judy grace denise amber marilyn beverly danielle theresa sophia marie
        diana brittany natalie hope kirsten tammy claire loretta condoleezza madeleine valerie
        tulsi amy jill dana hope kamala susana jeanne jeanine ann ana ruth sonia elena sheryl
        oprah meryl chelsea jenna chelsea katrina rosie roseann robin paula lena theresa jane
        janet nina nora kathy cathy pam pamela wendy erin megan molly allison alison shannon
        stephanie tracy melissa andrea michele marsha olympia barbara tina ivana marla angela
        theresa marine"""
    )
)


QUANTIFIERS = frozenset(
    _words("one two three four five several some many few other others most all both each")
)
_BAD_TITLE = re.compile(
    r"^(?:who|whom|whose|which|where|when|while|herself|himself|[a-z]+ing)\b"
    r"|\b(?:said|says|called|told)\b|\b(?:of|and|or)$",
    re.I,
)


# A title cut off at a possessive: "Britain's" (from "Britain's Jane Doe"), "the club's"
_POSSESSIVE_ONLY = re.compile(r"(?:\S+\s+){0,3}\S+['\u2019]s?", re.I)


def clean_title(title: str | None) -> str | None:
    """A title fit to show ("deputy head of ..."), or None for a relative clause, junk, or a
    title that ends in a possessive ("Britain's", cut from "Britain's Jane Doe": what follows
    the possessive is the name, so the title says nothing)."""
    if not title:
        return None
    title = re.sub(r"(?<=\d) / (?=\d)", "/", title.strip(" ,;:"))  # tokens joined: "9 / 11"
    if not title or _BAD_TITLE.search(title) or len(title.split()) > 16:
        return None
    if _POSSESSIVE_ONLY.fullmatch(title) and re.search(r"\w['\u2019]s?$", title):
        return None
    return title


@dataclass(frozen=True)
class Name:
    """A name split from its title, with a gender hint ("m", "f" or None)."""

    name: str
    title: str | None = None
    gender: str | None = None
    honorific: bool = False


# "Sen.", "Dr.", "Gov.": read before a name. bot.models.Quote.attribution splits "Sen., a role"
# on the same shape.
_ABBREVIATED_TITLE = re.compile(r"[A-Z][a-z]{1,4}\.")


def with_appositive(name: Name, appositive: str | None) -> Name:
    """`name` described by an appositive ("Ann Lee, the mayor of Springfield"): the appositive
    becomes its title. After an abbreviated title ("Sen. Jeff Sessions, a prominent Trump
    supporter") both are kept, as "Sen., a prominent Trump supporter" (shown "Sen. Jeff
    Sessions, a prominent Trump supporter"); any other title is kept as it is."""
    if not appositive:
        return name
    if name.title is None:
        return Name(name.name, appositive, name.gender, name.honorific)
    role = clean_title(appositive)  # a relative clause ("who sponsored the act") is no role
    if role and _ABBREVIATED_TITLE.fullmatch(name.title):
        return Name(name.name, f"{name.title}, {role}", name.gender, name.honorific)
    return name


def is_cap(tok: str) -> bool:
    """A capitalised word that could be part of a name."""
    return tok[:1].isupper() and tok.lower() not in NOT_NAME


def is_name_token(tok: str) -> bool:
    low = tok.lower()
    if low in SUFFIXES:
        return True
    if low in TITLE_WORDS or low in HONORIFICS or low in NEUTRAL_HONORIFICS:
        return False
    return is_cap(tok) or (len(tok) == 2 and tok[0].isupper() and tok[1] == ".")


# Title words that are also common surnames: "Amy Pope", "Steve King", "Sarah Bishop".
SURNAME_TITLES = frozenset(_words("pope king bishop major judge marshal"))


def is_name_at(toks: list[str], j: int) -> bool:
    """Is ``toks[j]`` part of a name? Like :func:`is_name_token`, but a capitalised title word
    that ends a run right after a name ("Amy Pope", "Steve King Jr.") is a surname."""
    tok = toks[j]
    if is_name_token(tok):
        return True
    if not (
        tok[:1].isupper()
        and j > 0
        and is_name_token(toks[j - 1])
        and toks[j - 1].lower() not in SUFFIXES
        and all(t.lower() in SUFFIXES for t in toks[j + 1 :])
    ):
        return False
    # "Steve King", or any title word right after a known first name ("Jim Press")
    return tok.lower() in SURNAME_TITLES or (
        tok.lower() in TITLE_WORDS and gender_of(toks[j - 1]) is not None
    )


def gender_of(first: str) -> str | None:
    low = first.lower().strip(".")
    if low in MALE_NAMES:
        return "m"
    if low in FEMALE_NAMES:
        return "f"
    return None


def _affiliation_at(toks: list[str], j: int) -> bool:
    """Does ``toks[j]`` ("of"/"for") start an affiliation after a person's name?"""
    low = toks[j].lower()
    if low not in {"of", "for"} or not is_name_token(toks[j - 1]):
        return False
    before = toks[j - 2].lower()
    if before in HONORIFICS or before in NEUTRAL_HONORIFICS:
        return True  # "Mr. Okafor of ..."
    if not is_name_token(toks[j - 2]):
        return False
    # "Concerned Women for America CEO Penny Nance": "for" needs a known first name
    return low == "of" or gender_of(toks[j - 2]) is not None


def split_title(tokens: list[str]) -> Name | None:
    """Split a run such as ["Undersecretary", "of", "State", "Nicholas", "Burns"] into
    name "Nicholas Burns" and title "Undersecretary of State"; None when there is no name."""
    toks = [t.rstrip(",") for t in tokens if t not in ",()"]
    while toks and toks[-1].lower() in PARTICLES | {"of", "the", "and", "for"}:
        toks.pop()
    # "Sen. Brian Schatz of Hawaii", "Mr. Okafor of the Harbour Trust", "Dana Whitlock for
    # Morning Survey": a name followed by "of"/"for" and a place or employer keeps the name
    for j in range(2, len(toks) - 1):
        if _affiliation_at(toks, j):
            toks = toks[:j]
            break
    if toks and toks[0].lower() in QUANTIFIERS:
        return None  # "one Democrat", "several senior Republicans": not a name
    i = len(toks)
    while i > 0 and (
        is_name_at(toks, i - 1)
        or (
            toks[i - 1].lower() in PARTICLES
            and i - 2 >= 0
            and is_name_token(toks[i - 2])
            and i < len(toks)
        )
    ):
        i -= 1
    name_toks = toks[i:]
    # "Shareholders United's Sean Bones", "CNN's Jake Tapper": the owner belongs to the title
    for k in range(len(name_toks) - 3, -1, -1):  # only before a full name of 2+ words
        if name_toks[k].endswith(("'s", "\u2019s", "s'", "s\u2019")):
            i += k + 1
            name_toks = toks[i:]
            break
    while name_toks and name_toks[0].lower() in PARTICLES:
        name_toks.pop(0)
    while len(name_toks) >= 3 and (
        name_toks[0].lower() in LEADING_TITLES
        or (gender_of(name_toks[1]) is not None and gender_of(name_toks[0]) is None)
    ):  # "Hurdler Dean Ashworth": a word before a known first name is a title
        i = len(toks) - len(name_toks) + 1
        name_toks = toks[i:]
    if not name_toks or all(t.lower() in SUFFIXES for t in name_toks):
        return institution(toks)
    if all(re.fullmatch(r"(?:[A-Z]\.){2,}", t) for t in name_toks):
        return None  # "N.H.", "D.C.": a place's abbreviation
    title_toks = toks[:i]
    ends = [t.lower() for t in title_toks[-2:] if t.lower() != "the"]
    if (
        len(title_toks) >= 2
        and [t.lower() for t in title_toks[-2:]] == ["of", "the"]
        and len(name_toks) >= 3
        and gender_of(name_toks[1]) is not None  # a known first name follows the title word
    ):
        # "Chancellor of the Exchequer Gordon Brown": the word after "of the" is the title's
        title_toks = toks[: len(toks) - len(name_toks) + 1]
        name_toks = name_toks[1:]
        ends = []
    if ends and ends[-1] in {"of", "for", "at", "from", "in"}:
        return None  # "MP for Witney", "Bank of England": a place or a body, not a person
    gender = None
    honorific = False
    if title_toks and title_toks[-1].lower() in HONORIFICS:
        gender = HONORIFICS[title_toks[-1].lower()]
        honorific = True
        title_toks = title_toks[:-1]
    elif title_toks and title_toks[-1].lower() in NEUTRAL_HONORIFICS:
        honorific = True
    while title_toks and title_toks[0].lower() in {
        "the", "a", "an", "and", "but", "by", "said", "from", "in", "with"
    }:  # fmt: skip
        title_toks.pop(0)
    if len(name_toks) > 1 and gender is None:
        gender = gender_of(name_toks[0])
    if title_toks and gender is None:
        low = " ".join(title_toks).lower()
        if re.search(r"\b(spokeswoman|congresswoman|chairwoman|first lady|queen|princess)\b", low):
            gender = "f"
        elif re.search(r"\b(spokesman|congressman|chairman|king|prince)\b", low):
            gender = "m"
    title = " ".join(title_toks).strip(" ,;:")
    if title.endswith(".") and len(title.split()[-1]) > 5:
        title = title[:-1]
    title = title or None
    if title:
        title = re.sub(r"\s+([,.)])", r"\1", title).replace("( ", "(")
    return Name(
        " ".join(re.sub(r"(?<=s)['\u2019]$|['\u2019]s$", "", t) for t in name_toks),
        title,
        gender,
        honorific,
    )


def institution(toks: list[str]) -> Name | None:
    """A capitalised run of title words that names a body: "White House", "State Department",
    "Democratic National Committee" (never a person, so no title and no gender)."""
    while toks and toks[0].lower() in {"the", "a", "an"}:
        toks = toks[1:]
    if (
        len(toks) < 2
        or toks[-1].lower() not in ORG_WORDS
        or not all(t[:1].isupper() or t.lower() in {"of", "and", "for"} for t in toks)
    ):
        return None
    return Name(" ".join(toks))


# Nationalities and other demonyms: "the Moroccan said", "the Scot added". On their own they
# describe someone and never name them. Nouns in -man/-woman ("Irishman") are matched by
# their stem in :func:`is_demonym`.
DEMONYMS = frozenset(
    _words(
        """afghan albanian algerian american andorran angolan argentine argentinian armenian
        australian austrian azerbaijani bahamian bahraini bangladeshi barbadian belarusian
        belgian belizean beninese bhutanese bolivian bosnian botswanan brazilian british briton
        brit bruneian bulgarian burkinabe burmese burundian cambodian cameroonian canadian
        chadian chilean chinese colombian congolese croat croatian cuban cypriot czech
        dane danish djiboutian dominican dutch ecuadorian egyptian emirati english
        eritrean estonian ethiopian fijian filipino finn finnish french gabonese gambian
        georgian german ghanaian greek grenadian guatemalan guinean guyanese haitian honduran
        hungarian icelander icelandic indian indonesian iranian iraqi irish israeli italian
        ivorian jamaican japanese jordanian kazakh kenyan kiwi korean kosovan kuwaiti kyrgyz
        laotian latvian lebanese liberian libyan liechtensteiner lithuanian luxembourger
        macedonian malagasy malawian malaysian maldivian malian maltese mauritanian mauritian
        mexican moldovan monegasque mongolian montenegrin moroccan mozambican namibian nepalese
        nepali nicaraguan nigerian nigerien norwegian omani pakistani palestinian panamanian
        paraguayan persian peruvian pole polish portuguese qatari romanian russian rwandan
        salvadoran samoan saudi scot scottish senegalese serb serbian singaporean slovak
        slovakian slovenian somali spaniard spanish sudanese surinamese swede swedish swiss
        syrian taiwanese tajik tanzanian thai togolese tongan trinidadian tunisian turk
        turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh yemeni
        zambian zimbabwean aussie yank yankee european african asian arab latino latina
        hispanic caribbean scandinavian texan californian floridian yorker londoner
        parisian glaswegian mancunian liverpudlian scouser geordie catalan basque flemish
        cornish ulsterman"""
    )
)


def is_demonym(word: str) -> bool:
    """A nationality or other demonym, singular or plural ("Moroccan", "Kenyans",
    "Irishman", "Englishwomen", "Swedes")."""
    low = word.lower().strip(".,")
    for end in ("women", "woman", "men", "man"):
        if low.endswith(end) and len(low) > len(end) + 2:
            stem = low[: -len(end)]
            return stem in DEMONYMS or stem + "h" in DEMONYMS or stem in {"scots", "french"}
    return low in DEMONYMS or (low.endswith("s") and low[:-1] in DEMONYMS)


# Places often met as capitalised subjects in news ("Vermont voted ...", "Orlando mourned ...").
PLACES = frozenset(
    _words(
        """alabama alaska arizona arkansas california colorado connecticut delaware florida
        georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland
        massachusetts michigan minnesota mississippi missouri montana nebraska nevada ohio
        oklahoma oregon pennsylvania tennessee texas utah vermont virginia washington wisconsin
        wyoming america britain england scotland wales ireland france germany italy spain
        russia china japan india israel iran iraq syria mexico canada europe africa asia
        brussels london paris berlin moscow beijing tokyo orlando chicago boston manhattan
        brooklyn philadelphia cleveland miami atlanta baltimore detroit denver seattle nation"""
    )
)


def looks_like_org(name: str) -> bool:
    """An organisation or a place rather than a person."""
    low = name.lower()
    last = low.split()[-1]
    if low in PLACES or (
        low.split()[0] in {"north", "south", "new", "west", "east"}
        and last
        in PLACES | {"korea", "york", "jersey", "hampshire", "mexico", "carolina", "dakota"}
    ):
        return True
    return last in ORG_WORDS or name.isupper() and len(name) > 1
