import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from halte.core import phone
from halte.core.tests.conftest import read_sample

# Shapes beyond the shared sample that callers and telephone systems send.
MORE_SHAPES = [
    ("06 12 34 56 78", "+31612345678"),
    ("06.12.34.56.78", "+31612345678"),
    ("+31 (0) 6-12345678", "+31612345678"),
    ("tel:0612345678", "+31612345678"),
    ("TEL:+31612345678", "+31612345678"),
    ("  0031-6-1234-5678 ", "+31612345678"),
    ("020-1234567", "+31201234567"),
    ("0800-0432", "+318000432"),
    ("+44 20 7946 0958", "+442079460958"),
]


def sample_rows():
    return [(row["input"], row["e164"]) for row in read_sample("phone_numbers.csv")]


def test_it_normalises_every_sample_notation():
    for raw, e164 in sample_rows():
        assert phone.normalize(raw) == e164, raw


@pytest.mark.parametrize(("raw", "e164"), MORE_SHAPES)
def test_it_normalises_other_shapes(raw, e164):
    assert phone.normalize(raw) == e164


@pytest.mark.parametrize(
    "raw", ["", "   ", "anonymous", "12", "06-1234", "abcdefghij", "0612345678901234567", "+0"]
)
def test_it_refuses_what_cannot_be_a_phone_number(raw):
    with pytest.raises(ValidationError):
        phone.normalize(raw)


def test_it_shows_dutch_numbers_in_national_format():
    assert phone.display("+31612345678") == "06 12345678"
    assert phone.display("+31337122160") == "033 712 2160"


def test_it_shows_foreign_numbers_internationally():
    assert phone.display("+32470123456") == "+32 470 12 34 56"


@given(st.integers(min_value=10000000, max_value=59999999))  # 06-1.. to 06-5.. are mobiles
def test_it_reads_any_mobile_number_the_same_in_every_notation(digits):
    expected = f"+316{digits}"
    text = str(digits)
    notations = [
        f"06{text}",
        f"06-{text}",
        f"+31 6 {text[:4]} {text[4:]}",
        f"00316{text}",
        f"+31(0)6{text}",
        f"tel:+31-6-{text}",
    ]
    assert {phone.normalize(n) for n in notations} == {expected}


@given(st.text(max_size=60))
def test_it_never_crashes_on_arbitrary_text(text):
    result = phone.try_normalize(text)
    assert result is None or result.startswith("+")
