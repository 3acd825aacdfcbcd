"""What may go out as a text message: a mobile number, and a text of few enough parts."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from halte.outreach.sms.validation import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    UCS2,
    check_number,
    check_text,
    is_sms_capable,
    measure,
)


def test_the_gsm_alphabet_has_its_128_codes_and_the_extension_its_ten():
    assert len(GSM7_BASIC) == 127  # and the escape, which is no character of a text
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", GSM7, 0, 0),
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),
        ("a" * 307, GSM7, 307, 3),
        ("é è à ü Ö ñ Ç ß @ £ ¿ ¡\n", GSM7, 24, 1),  # in the alphabet
        ("€" * 80, GSM7, 160, 1),  # the extension takes two septets each
        ("€" * 81, GSM7, 162, 2),  # 76 pairs fit in a part of 153, and 5 in the next
        # A part never ends between escape and code: 152 + 77 pairs is 306 septets,
        # two parts by arithmetic, three as the gateway splits them.
        ("a" * 152 + "€" * 77, GSM7, 306, 3),
        ("ë" * 70, UCS2, 70, 1),  # ë is not in the alphabet: the text goes as UCS-2
        ("ë" + "a" * 70, UCS2, 71, 2),
        ("ë" * 134, UCS2, 134, 2),
        ("ë" * 135, UCS2, 135, 3),
        ("Dat klopt: “morgen”", UCS2, 19, 1),  # curly quotes are not GSM either
        ("🙂" * 35, UCS2, 70, 1),  # an emoji is two UTF-16 units
        # 33 emoji fill 66 of a part's 67 units; the 34th starts the next part.
        ("🙂" * 36, UCS2, 72, 2),
        ("a" + "🙂" * 67, UCS2, 135, 3),
    ],
)
def test_it_counts_parts_as_the_networks_do(text, encoding, units, segments):
    length = measure(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_a_dutch_text_with_a_diaeresis_costs_unicode_parts():
    text = (
        "Beste meneer De Vries, de intake voor de financiële regeling is morgen om 10:00 "
        "bij u thuis. Kunt u niet? Bel ons op 033 461 23 45."
    )
    length = measure(text)
    assert length.encoding == UCS2
    assert length.segments == 2
    assert measure(text.replace("ë", "e")).segments == 1


def test_it_refuses_an_empty_text_and_one_of_too_many_parts(settings):
    settings.SMS_MAX_SEGMENTS = 6
    assert check_text("a" * 153 * 6).segments == 6

    with pytest.raises(ValidationError) as too_long:
        check_text("a" * (153 * 6 + 1))
    assert too_long.value.code == "sms_text_too_long"
    assert too_long.value.params == {"segments": 7, "limit": 6}
    with translation.override("nl"):
        assert too_long.value.messages == [
            "Dit sms-bericht zou in 7 delen worden verstuurd; hoogstens 6 delen mogen."
        ]
    for empty in ("", "   \n", None):
        with pytest.raises(ValidationError) as nothing:
            check_text(empty)
        assert nothing.value.code == "sms_text_empty"


def test_the_part_limit_follows_the_setting_but_never_passes_cms_eight(settings):
    settings.SMS_MAX_SEGMENTS = 2
    with pytest.raises(ValidationError):
        check_text("a" * 307)
    settings.SMS_MAX_SEGMENTS = 12
    with pytest.raises(ValidationError) as too_long:
        check_text("a" * (153 * 8 + 1))
    assert too_long.value.params["limit"] == 8


@pytest.mark.parametrize(
    ("e164", "capable"),
    [
        ("+31612345678", True),  # 06
        ("+31687654321", True),
        ("+31334612345", False),  # a landline in Amersfoort
        ("+31800123456", False),  # 0800
        ("+31661234567", False),  # 066: a pager
        ("+3197012345678", False),  # 097: machine to machine
        ("+32470123456", True),  # a Belgian mobile
        ("+4915112345678", True),  # a German mobile
        ("+447911123456", True),  # a British mobile
        ("+3222222222", False),  # a Brussels landline
        ("+12025550123", True),  # the US plan does not tell mobiles from landlines
        ("+3161234", False),  # too short
        ("0612345678", False),  # not E.164
        ("", False),
        ("+31 6 12345678x", False),
    ],
)
def test_it_knows_which_numbers_a_text_message_reaches(e164, capable):
    assert is_sms_capable(e164) is capable


def test_check_number_names_the_reason():
    check_number("+31612345678")
    with pytest.raises(ValidationError) as landline:
        check_number("+31334612345")
    assert landline.value.code == "sms_not_mobile"
