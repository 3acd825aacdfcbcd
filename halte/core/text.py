"""Folding names for search: accents off, lower case, tussenvoegsels recognised, and
names written with a hyphen, apostrophe or space also indexed as one word."""

import re
import unicodedata

# Name prefixes (tussenvoegsels) and their abbreviations, as people type them.
# A search for "vd berg" or "van den berg" is a search for "berg".
NAME_PREFIXES = frozenset(
    {
        "van",
        "de",
        "den",
        "der",
        "het",
        "t",
        "te",
        "ten",
        "ter",
        "in",
        "op",
        "uit",
        "aan",
        "bij",
        "onder",
        "over",
        "voor",
        "vd",
        "vdr",
        "vdn",
        "vt",
        "vh",
        "v",
        "d",
        "s",
        "la",
        "le",
        "du",
        "des",
        "von",
        "zu",
        "el",
        "al",
        "da",
        "di",
        "dos",
        "do",
        "del",
        "della",
    }
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """'Van den Bérg-Müller' -> 'van den berg muller'."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Lower case first, so that the letters below are folded as capitals too
    # ('Østergaard', 'Łukasz', 'STRAẞE').
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    # Turkish dotless i (U+0131) has no decomposition: without this 'Yilmaz' written
    # the Turkish way would fold to 'y lmaz'.
    plain = plain.replace("\u0131", "i")
    return _NON_WORD.sub(" ", plain).strip()


def name_words(text: str) -> list[str]:
    """The words of a name query without tussenvoegsels ('v/d Berg' -> ['berg']).

    A query of prefixes only ("van") keeps them, so it still finds something.
    """
    words = fold(text).split()
    meaningful = [word for word in words if word not in NAME_PREFIXES]
    return meaningful or words


# How a tussenvoegsel is typed, run together, and the ways it is written out in full.
_PREFIX_SPELLINGS = {
    "vd": ("van de", "van den", "van der"),
    "vdr": ("van der",),
    "vdn": ("van den",),
    **dict.fromkeys(["vt", "vh", "vant", "vanhet"], ("van t", "van het")),
    **dict.fromkeys(["t", "het"], ("t", "het")),
    **dict.fromkeys(["int", "inhet"], ("in t", "in het")),
    **dict.fromkeys(["opt", "ophet"], ("op t", "op het")),
}


def prefixed_family_names(text: str) -> list[str]:
    """Each family name the query gives with its tussenvoegsel, in every way that
    tussenvoegsel is written out: "vd Riet" -> ['van de riet', 'van den riet',
    'van der riet'], "Jan van 't Riet" -> ['van t riet', 'van het riet'].

    Search ranks the clients whose family name has the very tussenvoegsel typed
    above those with another or none ("van 't riet": Janus van 't Riet, then Kees
    van Riet), while still finding them all.
    """
    words, found, prefix = fold(text).split(), [], []
    for word in words:
        if word in NAME_PREFIXES:
            prefix.append(word)
            continue
        if prefix:
            spellings = _PREFIX_SPELLINGS.get("".join(prefix), (" ".join(prefix),))
            found += [f"{spelling} {word}" for spelling in spellings]
        prefix = []
    return found


# Words a name is split into before its parts are also run together; longer names
# (rare) are joined only within these, so the folded name stays within its column.
_MAX_JOINED_WORDS = 4
SEARCH_NAME_LENGTH = 300


def _joined(words: list[str]) -> list[str]:
    """Each run of two or more neighbouring words as one: ['vries', 'de', 'boer'] ->
    ['vriesde', 'vriesdeboer', 'deboer']. So 'oneill' finds O'Neill and 'elamrani'
    El-Amrani, while their split words keep 'o neill' and 'el amrani' working."""
    words = words[:_MAX_JOINED_WORDS]
    return [
        "".join(words[start:end])
        for start in range(len(words))
        for end in range(start + 2, len(words) + 1)
    ]


def _fit(words: list[str]) -> str:
    """The words, unique, in order, cut at a word before SEARCH_NAME_LENGTH."""
    kept, length = [], -1
    for word in dict.fromkeys(words):
        if length + 1 + len(word) > SEARCH_NAME_LENGTH:
            break
        kept.append(word)
        length += 1 + len(word)
    return " ".join(kept)


def family_search_terms(family_name: str, name_prefix: str = "") -> str:
    """The folded family name after its tussenvoegsel, then the family name's joined
    forms: ("van 't", 'Riet') -> 'van t riet'; 'Vries-de Boer' -> 'vries de boer
    vriesde vriesdeboer deboer'. Search ranks a hit on these above one on the given
    or preferred names, and one with the tussenvoegsel typed above the others."""
    words = fold(family_name).split()
    return _fit(fold(name_prefix).split() + words + _joined(words))


def search_terms(
    *, given_names: str, preferred_name: str, name_prefix: str, family_name: str
) -> str:
    """Every word a client is found by: 'Anne-Marie', "van 't", "O'Neill" ->
    'anne marie van t o neill annemarie oneill'.

    Given names are separate names, so only the parts of each one are joined
    ('Anne-Marie' -> 'annemarie', but 'Hendrika Johanna' stays two); a preferred or
    family name is one name, spaces included ('Vries de Boer' -> 'vriesdeboer').
    The tussenvoegsel is never joined to the family name: 'vand' would then start
    the names of one in ten clients.
    """
    given = [fold(name).split() for name in given_names.split()]
    preferred, prefix, family = (
        fold(name).split() for name in (preferred_name, name_prefix, family_name)
    )
    words = [word for name in [*given, preferred, prefix, family] for word in name]
    joined = [word for name in [*given, preferred, family] for word in _joined(name)]
    return _fit(words + joined)
