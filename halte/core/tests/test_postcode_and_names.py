import pytest
from django.core.exceptions import ValidationError

from halte.core import language, postcode
from halte.core.text import (
    SEARCH_NAME_LENGTH,
    family_search_terms,
    fold,
    name_words,
    prefixed_family_names,
    search_terms,
)


@pytest.mark.parametrize(
    ("raw", "stored"), [("1234 AB", "1234AB"), ("1234ab", "1234AB"), (" 3811 bx ", "3811BX")]
)
def test_it_normalises_postcodes(raw, stored):
    assert postcode.normalize(raw) == stored
    assert postcode.display(stored) == f"{stored[:4]} {stored[4:]}"


@pytest.mark.parametrize(
    "raw",
    ["0123 AB", "123 AB", "12345", "1234 A", "1234 SA", "1234 SD", "1234 SS", "1234-AB", "", None],
)
def test_it_refuses_what_is_not_a_dutch_postcode(raw):
    from django.utils import translation

    with pytest.raises(ValidationError) as refused:
        postcode.normalize(raw)
    assert refused.value.code == "invalid_postcode"
    with translation.override("en"):
        assert refused.value.messages == ["Enter a Dutch postcode like 1234 AB."]


@pytest.mark.parametrize("stored", ["", "1234", "1234 ABC"])
def test_it_shows_a_postcode_of_another_form_as_stored(stored):
    """A postcode kept from before the check, or a foreign one, is shown unchanged."""
    assert postcode.display(stored) == stored


def test_it_folds_accents_case_and_punctuation():
    assert fold("Van den Bérg-Müller") == "van den berg muller"
    assert fold("Çelik") == "celik"
    assert fold("Zoë 't Hooft") == "zoe t hooft"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("vd berg", ["berg"]),
        ("v/d Berg", ["berg"]),
        ("van den Berg", ["berg"]),
        ("Jan van 't Riet", ["jan", "riet"]),
        ("vt Riet", ["riet"]),
        ("v.t. Riet", ["riet"]),
        ("van't Riet", ["riet"]),
        ("v.d. Berg", ["berg"]),
        ("van", ["van"]),
    ],
)
def test_it_drops_tussenvoegsels_from_name_queries(query, words):
    assert name_words(query) == words


@pytest.mark.parametrize(
    ("family", "terms"),
    [
        ("Riet", "riet"),
        ("O'Neill", "o neill oneill"),
        ("El-Amrani", "el amrani elamrani"),
        ("Vries-de Boer", "vries de boer vriesde vriesdeboer deboer"),
    ],
)
def test_it_indexes_a_family_name_with_and_without_its_punctuation(family, terms):
    assert family_search_terms(family) == terms


def test_it_indexes_a_family_name_after_its_tussenvoegsel():
    assert family_search_terms("Riet", "van 't") == "van t riet"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("vd Riet", ["van de riet", "van den riet", "van der riet"]),
        ("v.d. Riet", ["van de riet", "van den riet", "van der riet"]),
        ("Jan van 't Riet", ["van t riet", "van het riet"]),
        ("vt riet", ["van t riet", "van het riet"]),
        ("van het Riet", ["van t riet", "van het riet"]),
        ("van der Berg", ["van der berg"]),
        ("riet", []),
        ("van", []),
    ],
)
def test_it_spells_out_the_tussenvoegsel_typed_before_a_family_name(query, names):
    assert prefixed_family_names(query) == names


def test_it_joins_the_parts_of_each_given_name_but_not_the_tussenvoegsel():
    terms = search_terms(
        given_names="Anne-Marie Johanna",
        preferred_name="Jan Willem",
        name_prefix="van 't",
        family_name="Riet",
    ).split()
    assert terms[:7] == ["anne", "marie", "johanna", "jan", "willem", "van", "t"]
    assert {"annemarie", "janwillem"} <= set(terms)
    assert not {"mariejohanna", "vantriet", "triet", "vanriet"} & set(terms)


def test_it_keeps_a_long_name_within_its_column():
    terms = search_terms(
        given_names="Maria-Theresia-Anna-Josepha " * 4,
        preferred_name="",
        name_prefix="van der",
        family_name="Vrijthoff-van Oldenbarnevelt-Hoogstraten de Lange",
    )
    assert len(terms) <= SEARCH_NAME_LENGTH
    assert {"vrijthoff", "oldenbarnevelt", "lange"} <= set(terms.split())


def test_it_knows_iso_639_1_languages_and_names_them_in_dutch(settings):
    assert language.validate(" TR ") == "tr"
    with pytest.raises(ValidationError):
        language.validate("xx")
    with pytest.raises(ValidationError):
        language.validate("tur")  # ISO 639-2 is not accepted: the contract says 639-1
    from django.utils import translation

    with translation.override("nl"):
        assert language.name("tr") == "Turks"
    assert language.choices()[0][0] == "nl"


# Each tussenvoegsel (and its abbreviation) as people type it before a family name.
@pytest.mark.parametrize(
    "prefix",
    [
        *("van", "de", "den", "der", "het", "t", "te", "ten", "ter", "in", "op", "uit"),
        *("aan", "bij", "onder", "over", "voor", "vd", "vdr", "vdn", "vt", "vh", "v", "d"),
        *("s", "la", "le", "du", "des", "von", "zu", "el", "al", "da", "di", "dos"),
        *("do", "del", "della"),
    ],
)
def test_each_tussenvoegsel_is_left_out_of_a_name_query(prefix):
    assert name_words(f"Jan {prefix} Berg") == ["jan", "berg"]


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Straße", "strasse"),
        ("Søren Østergaard", "soren ostergaard"),
        ("Ærø Madsæn", "aero madsaen"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Y\u0131lmaz", "yilmaz"),  # the Turkish dotless i
        ("STRAẞE", "strasse"),
    ],
)
def test_it_folds_letters_without_a_decomposition_in_either_case(written, folded):
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("vdn Riet", ["van den riet"]),
        ("vdr Riet", ["van der riet"]),
        ("vh Riet", ["van t riet", "van het riet"]),
        ("van't Riet", ["van t riet", "van het riet"]),
        ("in 't Veld", ["in t veld", "in het veld"]),
        ("in het Veld", ["in t veld", "in het veld"]),
        ("op 't Hof", ["op t hof", "op het hof"]),
        ("op het Hof", ["op t hof", "op het hof"]),
        ("'t Hart", ["t hart", "het hart"]),
        ("ter Horst", ["ter horst"]),
        ("van der Berg de Vries", ["van der berg", "de vries"]),
    ],
)
def test_it_spells_out_every_way_of_typing_a_tussenvoegsel(query, names):
    assert prefixed_family_names(query) == names


def test_it_joins_the_first_four_words_of_a_long_name_only():
    terms = family_search_terms("Aa Bb Cc Dd Ee").split()
    assert terms[:5] == ["aa", "bb", "cc", "dd", "ee"]
    assert "aabbccdd" in terms
    assert "aabbccddee" not in terms and "ddee" not in terms


def test_a_name_of_exactly_the_columns_length_is_kept_whole():
    # 59 given names of four letters and their spaces: 294 characters; a family name
    # of five more letters ends at exactly 300, one of six would pass it and is left out.
    given = " ".join(f"w{n:03d}" for n in range(59))
    exact = search_terms(given_names=given, preferred_name="", name_prefix="", family_name="xxxxx")
    assert len(exact) == SEARCH_NAME_LENGTH
    assert exact == f"{given} xxxxx"
    over = search_terms(given_names=given, preferred_name="", name_prefix="", family_name="xxxxxx")
    assert over == given


def test_a_word_given_twice_is_indexed_once():
    assert (
        search_terms(given_names="Jan", preferred_name="Jan", name_prefix="", family_name="Jansen")
        == "jan jansen"
    )
