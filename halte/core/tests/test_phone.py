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
    with pytest.raises(ValidationError) as error:
        phone.normalize(raw)
    # One code and message for every reason: forms and the API show them as they are.
    assert error.value.code == "invalid_phone"
    assert error.value.messages == [str(phone.INVALID_PHONE)]
    assert phone.try_normalize(raw) is None


def test_it_gives_back_the_number_when_it_can():
    assert phone.try_normalize(" 06-12345678 ") == "+31612345678"


def _written_in(length: int) -> str:
    """06-12345678 spread with spaces over exactly `length` characters."""
    return "06" + " " * (length - 10) + "12345678"


def test_it_reads_a_number_written_in_up_to_40_characters():
    assert len(_written_in(40)) == 40
    assert phone.normalize(_written_in(40)) == "+31612345678"
    # The limit counts the number as written: not "tel:" nor a bracketed trunk "(0)".
    assert phone.normalize(f"tel:{_written_in(40)}") == "+31612345678"
    assert phone.normalize("TEL:+31 6" + " " * 27 + "12345678") == "+31612345678"
    assert phone.normalize("tel:+44" + " " * 27 + "2079460958") == "+442079460958"
    assert phone.normalize("+31 (0)6" + " " * 25 + "12345678") == "+31612345678"


def test_it_refuses_a_number_written_in_more_than_40_characters():
    with pytest.raises(ValidationError) as error:
        phone.normalize(_written_in(41))
    assert error.value.code == "invalid_phone"
    assert error.value.messages == [str(phone.INVALID_PHONE)]
    assert phone.try_normalize(_written_in(41)) is None


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+31612345678", "06 12 34 56 78"),  # mobile: pairs
        ("+31334612345", "033 461 23 45"),  # area code of three digits
        ("+31201234567", "020 123 45 67"),
        ("+31513123456", "0513 12 34 56"),  # area code of four digits
        ("+31881234567", "088 123 45 67"),  # company numbers
        ("+318001234", "0800 1234"),
        ("+319001234567", "0900 123 45 67"),
    ],
)
def test_it_shows_dutch_numbers_in_one_national_notation(e164, shown):
    assert phone.display(e164) == shown


def test_it_shows_a_number_of_a_shape_without_a_dutch_rule_as_phonenumbers_does():
    assert phone.display("+3114020") == "14 020"  # a municipality's short number
    # A number that phonenumbers' newer metadata no longer knows (stored before it
    # changed): shown as it is, without a made-up trunk 0.
    assert phone.display("+3184123456") == "84123456"
    assert phone.display("not a number") == "not a number"


@pytest.mark.parametrize(
    ("e164", "mobile"),
    [
        ("+31612345678", True),
        ("+31661234567", False),  # 066: pagers
        ("+3197012345678", False),  # 097: machine to machine
        ("+31201234567", False),
        ("+32470123456", True),
        ("+447400123456", True),
        ("+442079460958", False),
        ("+12015550123", True),  # the United States: a mobile or a landline, unknown
        ("", False),
        (None, False),
        ("0612345678", False),  # not E.164: stored numbers always are
        ("+31 6 12345678", False),
        ("+31612", False),  # too short to be a number
        ("+316123456789", False),  # one digit too many
        ("+9991234567", False),  # no such country
    ],
)
def test_it_knows_which_numbers_take_a_text_message(e164, mobile):
    assert phone.is_mobile(e164) is mobile


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
