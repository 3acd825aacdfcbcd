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


@pytest.mark.parametrize("raw", ["0123 AB", "123 AB", "12345", "1234 A", "1234 SS", "1234-AB"])
def test_it_refuses_what_is_not_a_dutch_postcode(raw):
    with pytest.raises(ValidationError):
        postcode.normalize(raw)


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
