"""A letter on paper: a real PDF, read back as text, with the letterhead, the address
in the window, the date written out in the letter's language, and every character
of the client's name."""

import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from PIL import Image

from halte.clients.tests.factories import ClientFactory
from halte.outreach.letters import (
    _NoFetching,
    address_problem,
    css_string,
    letter_html,
    letter_pdf,
    letters_pdf,
    postcode_key,
    written_date,
)
from halte.outreach.models import LetterBatch
from halte.outreach.tests.letter_helpers import letter, pdf_pages, pdf_reader

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
DAY = datetime.date(2026, 11, 30)
A4_POINTS = (595, 842)


@pytest.fixture
def batch():
    return LetterBatch.objects.create(day=DAY)


@pytest.fixture
def zoe(teams, batch):
    client = ClientFactory(
        given_names="Zoë", family_name="Çelik", client_number=204711, team=teams["noord"]
    )
    return letter(client, letter_batch=batch)


def test_a_letter_is_one_a4_page_with_letterhead_window_address_and_text(zoe):
    pdf = letter_pdf(zoe)

    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    [text] = pdf_pages(pdf)
    # The letterhead (the demo organisation's defaults).
    assert "Zorggroep De Halte" in text
    assert "Stationsplein 12" in text
    assert "3818 LE Amersfoort" in text
    assert "033 460 12 00" in text
    assert "info@zorggroepdehalte.example" in text
    assert "www.zorggroepdehalte.example" in text
    assert "Retouradres: Stationsplein 12, 3818 LE Amersfoort" in text
    # The window: the recipient, then the address lines.
    assert "Mevrouw Z. Çelik Kruiskamp 118 3817 VK AMERSFOORT" in text
    # The references, the subject and the text, in Dutch.
    assert "30 november 2026" in text
    assert "204711" in text
    assert "Wijkteam Noord" in text
    assert "Betreft Wij hebben uw aanmelding ontvangen" in text
    assert "Geachte mevrouw Çelik," in text
    assert "Heeft u vragen? Bel ons dan op 033 460 12 10." in text
    # The text's own closing, once: the layout adds none.
    assert text.count("Met vriendelijke groet") <= 1


def test_names_with_diacritics_and_other_scripts_print_as_written(batch):
    client = ClientFactory(given_names="Zoë", family_name="Çelik")
    message = letter(
        client,
        letter_batch=batch,
        recipient_name="Zoë Çelik-Øster",
        address="Łódźstraat 3\n3811 AB  Amersfoort",
        body="Γειά σας, Здравствуйте, Şükrü, Ærø, Nguyễn.",
    )

    [text] = pdf_pages(letter_pdf(message))

    assert "Zoë Çelik-Øster Łódźstraat 3" in text
    assert "Γειά σας, Здравствуйте, Şükrü, Ærø, Nguyễn." in text
    fonts = {
        str(font["/BaseFont"])
        for font in pdf_reader(letter_pdf(message)).pages[0]["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in name for name in fonts)


def test_text_is_escaped_and_keeps_its_line_breaks(batch):
    message = letter(
        letter_batch=batch,
        recipient_name="K. <b>Jansen</b> & Zn",
        subject="<script>alert(1)</script>",
        body="Eerste regel <i>schuin</i> & zo\nTweede regel\n\nNieuwe alinea",
    )

    html = letter_html(message)
    [text] = pdf_pages(letter_pdf(message))

    assert "<b>Jansen" not in html and "&lt;b&gt;Jansen&lt;/b&gt; &amp; Zn" in html
    assert "<script>" not in html
    assert "Eerste regel &lt;i&gt;schuin&lt;/i&gt; &amp; zo<br>Tweede regel</p>" in html
    assert "<p>Nieuwe alinea</p>" in html
    assert "K. <b>Jansen</b> & Zn" in text
    assert "Betreft <script>alert(1)</script>" in text
    assert "Eerste regel <i>schuin</i> & zo Tweede regel Nieuwe alinea" in text


def test_an_english_letter_has_english_words_and_date(batch):
    message = letter(letter_batch=batch, language="en", body="Dear Ms Çelik,")

    [text] = pdf_pages(letter_pdf(message))

    assert "30 November 2026" in text
    assert "Subject Wij hebben" in text
    assert "Return address:" in text


def test_a_language_the_interface_lacks_gets_dutch_words_and_its_own_direction(batch):
    message = letter(letter_batch=batch, language="ar", body="مرحبا بكم")

    html = letter_html(message)
    [text] = pdf_pages(letter_pdf(message))

    assert "30 november 2026" in text
    assert '<div class="text" lang="ar" dir="rtl">' in html
    assert written_date(DAY, "tr") == "30 november 2026"


def test_the_window_shows_the_name_once_when_the_address_starts_with_it(batch):
    message = letter(
        letter_batch=batch,
        recipient_name="Mevrouw Z. Çelik",
        address="Mevrouw Z. Çelik\nKruiskamp 118\n3817 VK  AMERSFOORT",
    )

    [text] = pdf_pages(letter_pdf(message))

    assert text.count("Mevrouw Z. Çelik") == 1


def test_a_letter_without_a_batch_is_dated_today(time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 2, 9, 0, tzinfo=datetime.UTC))
    [text] = pdf_pages(letter_pdf(letter()))
    assert "2 maart 2027" in text


def test_the_letterhead_comes_from_the_settings_with_a_logo(settings, tmp_path, batch):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 80), "#0b5a7a").save(logo)
    settings.HALTE_ORG_NAME = 'Thuiszorg "Het Baken" & Co </style>'
    settings.HALTE_ORG_ADDRESS = ("Postbus 77", "8000 AB Zwolle")
    settings.HALTE_ORG_PHONE = "038 123 45 67"
    settings.HALTE_ORG_EMAIL = "post@baken.example"
    settings.HALTE_ORG_WEBSITE = "baken.example"
    settings.HALTE_ORG_LOGO = str(logo)
    long_body = "\n\n".join(["Een alinea die de brief langer maakt dan één bladzijde."] * 60)
    message = letter(letter_batch=batch, body=long_body)

    pdf = letter_pdf(message)
    pages = pdf_pages(pdf)

    assert len(pages) >= 2
    assert "Retouradres: Postbus 77, 8000 AB Zwolle" in pages[0]
    assert "038 123 45 67" in pages[0] and "post@baken.example" in pages[0]
    assert "Zorggroep De Halte" not in pages[0]
    # The logo is embedded as an image on the first page.
    first_images = pdf_reader(pdf).pages[0]["/Resources"]["/XObject"]
    assert any(image["/Subtype"] == "/Image" for image in first_images.values())
    # The continuation pages name the organisation in the margin, quotes and all.
    assert 'Thuiszorg "Het Baken" & Co </style>' in pages[1]
    assert f"Pagina 2 van {len(pages)}" in pages[1]
    assert "Pagina" not in pages[0]


def test_a_batch_starts_each_letter_on_a_new_page_with_its_own_page_numbers(batch):
    long_body = "\n\n".join(["Een alinea die de brief langer maakt dan één bladzijde."] * 40)
    first = letter(letter_batch=batch, recipient_name="Eerste Ontvanger", body=long_body)
    second = letter(letter_batch=batch, recipient_name="Tweede Ontvanger")

    pages = pdf_pages(letters_pdf([first, second], duplex=False))

    assert len(pages) == 3
    assert "Eerste Ontvanger" in pages[0]
    assert "Pagina 2 van 2" in pages[1]
    assert "Tweede Ontvanger" in pages[2] and "Pagina" not in pages[2]


def test_printed_double_sided_no_letter_starts_on_the_back_of_another(settings, batch):
    settings.HALTE_LETTERS_DUPLEX = True
    long_body = "\n\n".join(["Een alinea die de brief langer maakt dan één bladzijde."] * 40)
    one = letter(letter_batch=batch, recipient_name="Eerste Ontvanger")
    two = letter(letter_batch=batch, recipient_name="Tweede Ontvanger", body=long_body)
    three = letter(letter_batch=batch, recipient_name="Derde Ontvanger")

    pages = pdf_pages(letters_pdf([one, two, three]))

    # Sheets: [first | blank], [second p1 | second p2], [third | blank].
    assert len(pages) == 6
    assert [page.squashed == "" for page in pages] == [False, True, False, False, False, True]
    assert "Eerste Ontvanger" in pages[0]
    assert "Tweede Ontvanger" in pages[2] and "Pagina 2 van 2" in pages[3]
    assert "Derde Ontvanger" in pages[4]
    box = pdf_reader(letters_pdf([one, three])).pages[1].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS


def test_an_empty_batch_is_no_pdf():
    with pytest.raises(ValueError):
        letters_pdf([])


def test_rendering_fetches_nothing_but_the_embedded_logo():
    fetcher = _NoFetching()
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/x.png", "https://example.org/"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGFsdGU=").read() == b"halte"


def test_css_strings_escape_everything_but_letters_digits_and_spaces():
    assert css_string("Zorggroep Ë 12") == '"Zorggroep Ë 12"'
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c \\2f style\\3e "'


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("Kruiskamp 118\n3817 VK  AMERSFOORT", None),
        ("", "letter_no_address"),
        ("\n  \n", "letter_no_address"),
        ("a\nb\nc\nd\ne", None),
        ("a\nb\nc\nd\ne\nf", "letter_address_too_long"),
    ],
)
def test_an_address_fits_the_window_or_says_why_not(address, problem):
    assert address_problem(address) == problem


def test_the_postcode_sorts_the_post():
    assert postcode_key("Kruiskamp 118\n3817 vk  AMERSFOORT") == "3817VK"
    assert postcode_key("12 Rue de Rivoli\nParis") == ""


def _settings_process(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "DJANGO_SETTINGS_MODULE": "halte.settings",
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own settings with fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_letterhead_settings_come_from_the_environment(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    read = _settings_process(
        "from django.conf import settings as s;"
        " print(repr((s.HALTE_ORG_NAME, s.HALTE_ORG_ADDRESS, s.HALTE_ORG_LOGO)))",
        HALTE_ORG_NAME="Thuiszorg Het Baken",
        HALTE_ORG_ADDRESS="Postbus 77 ;  8000 AB Zwolle ;",
        HALTE_ORG_LOGO=str(logo),
    )
    assert read.returncode == 0, read.stderr
    expected = ("Thuiszorg Het Baken", ("Postbus 77", "8000 AB Zwolle"), str(logo))
    assert read.stdout.strip() == repr(expected)

    missing = _settings_process("pass", HALTE_ORG_LOGO=str(tmp_path / "nowhere.png"))
    assert missing.returncode != 0
    assert "HALTE_ORG_LOGO names no file" in missing.stderr


def test_a_letter_from_the_default_text_closes_once(teams):
    from halte.clients.models import ContactChannel
    from halte.outreach.compose import Occasion, compose
    from halte.outreach.models import Trigger

    client = ClientFactory(
        team=teams["noord"],
        street="Kruiskamp",
        house_number=118,
        postcode="3817VK",
        city="Amersfoort",
        contact_channel=ContactChannel.LETTER,
    )
    [message] = compose(
        Occasion(trigger=Trigger.CARE_ENDED, client_id=client.pk, key="episode:1:ended")
    )
    [text] = pdf_pages(letter_pdf(message))
    assert text.count("Met vriendelijke groet") == 1
