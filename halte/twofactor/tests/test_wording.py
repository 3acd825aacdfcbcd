"""The second-factor pages speak to the person with "u", as the rest of Halte does."""

import re
from html import unescape

import pytest

from halte.twofactor.tests.factories import app_for, code_now, recovery_codes_for
from halte.twofactor.tests.test_sign_in import ENROL, STEP, sign_in

pytestmark = pytest.mark.django_db

INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)


def _text(page) -> str:
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def test_the_step_says_u(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")

    text = _text(client.get(STEP))

    assert "Bevestig dat u het bent" in text
    assert (
        "Uw wachtwoord klopt. Typ nu de code van zes cijfers die uw authenticator-app "
        "voor Halte laat zien." in text
    )
    assert "Typ een van uw herstelcodes in hetzelfde veld." in text
    assert "Vraag een beheerder uw tweede factor te herstellen." in text
    assert not INFORMAL.search(text), text


def test_a_wrong_code_at_the_step_says_u(client, personas):
    app_for(personas["front_office"])
    sign_in(client, "kcc")

    text = _text(client.post(STEP, {"code": "000000"}))

    assert "Typ de code die uw authenticator-app nu laat zien, of een van uw herstelcodes." in text
    assert not INFORMAL.search(text), text


def test_the_enrolment_says_u(client, personas, settings):
    settings.HALTE_TWO_FACTOR = True
    sign_in(client, "privacy")

    page = client.get(f"{ENROL}?next=/audit/")
    text = _text(page)

    assert (
        "Daarom meldt u zich aan met uw wachtwoord én een code uit een authenticator-app "
        "op uw telefoon. Dit stelt u één keer in." in text
    )
    assert "Open uw authenticator-app" in text
    assert "QR-code voor uw authenticator-app" in page.text  # the QR code's title
    assert not INFORMAL.search(text), text


def test_the_recovery_codes_and_the_factors_page_say_u(client, personas):
    device = app_for(personas["privacy_officer"])
    recovery_codes_for(personas["privacy_officer"])
    sign_in(client, "privacy")
    client.post(STEP, {"code": code_now(device), "next": "/audit/"})
    factors = _text(client.get("/tweestaps/"))
    client.post("/tweestaps/")  # new recovery codes
    codes = _text(client.get("/tweestaps/herstelcodes/"))

    assert "Uw oude herstelcodes werken dan niet meer." in factors
    assert "Telefoon kwijt? Meld u aan met een herstelcode" in factors
    assert "Uw herstelcodes" in codes
    assert "Zonder uw telefoon meldt u zich aan met een van deze codes." in codes
    assert "bevestigt u het aanmelden met uw vingerafdruk, uw gezicht" in codes
    assert not INFORMAL.search(factors), factors
    assert not INFORMAL.search(codes), codes


def test_the_passkey_script_says_u(client, personas):
    sign_in(client, "kcc")

    catalog = client.get("/tweestaps/passkey/jsi18n/").text

    assert "U hebt waarschijnlijk al een passkey voor deze website geregistreerd." in catalog
    assert "Door een technisch probleem kunt u geen passkey" in catalog
    assert not INFORMAL.search(catalog)
