"""Folding names for search: accents off, lower case, tussenvoegsels recognised."""

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
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    # Turkish dotless i (U+0131) has no decomposition: without this 'Yilmaz' written
    # the Turkish way would fold to 'y lmaz'.
    plain = plain.replace("\u0131", "i")
    return _NON_WORD.sub(" ", plain.lower()).strip()


def name_words(text: str) -> list[str]:
    """The words of a name query without tussenvoegsels ('v/d Berg' -> ['berg']).

    A query of prefixes only ("van") keeps them, so it still finds something.
    """
    words = fold(text).split()
    meaningful = [word for word in words if word not in NAME_PREFIXES]
    return meaningful or words
