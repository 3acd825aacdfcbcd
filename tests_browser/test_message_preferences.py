"""The client's message preferences in a real browser at an office screen: the
Berichten fieldset on the edit form, a channel that cannot work refused beside it,
and the saved preferences on the client page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from halte.clients.models import Client
from tests_browser.helpers import LAPTOP, box, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_nurse_sets_the_message_preferences(page, personas, client_noord):
    page.set_viewport_size(LAPTOP)
    log_in(page, "nurse_noord")
    page.goto(reverse("clients:edit", args=[client_noord.pk]))
    fieldset = page.locator("fieldset", has=page.locator("legend", has_text="Berichten"))
    expect(fieldset).to_be_visible()
    expect(page.locator("#id_journey_messages")).to_be_checked()
    expect(page.locator("#id_announcements")).not_to_be_checked()
    # The three fields sit side by side within the page's width.
    channel, journey = (
        box(page.locator("#id_contact_channel")),
        box(page.locator("#id_journey_messages")),
    )
    assert channel["x"] + channel["width"] <= LAPTOP["width"]
    assert journey["x"] + journey["width"] <= LAPTOP["width"]

    page.select_option("#id_contact_channel", "email")
    page.uncheck("#id_journey_messages")
    page.check("#id_announcements")
    fieldset.scroll_into_view_if_needed()
    screenshot(page, "client-form-messages", fold=True)
    page.click("#client-form button[type=submit]")

    error = page.locator("#id_contact_channel_error")
    expect(error).to_have_text("Per e-mail kan niet: er is geen e-mailadres.")
    error.scroll_into_view_if_needed()
    screenshot(page, "client-form-messages-refused", fold=True)

    page.fill("#id_email", "riek@example.nl")
    page.click("#client-form button[type=submit]")
    expect(page.locator("#message-preferences")).to_have_text(
        "per e-mail · over de zorg: nee · nieuws: ja"
    )
    screenshot(page, "client-page-messages")
    fresh = Client.objects.get(pk=client_noord.pk)
    assert (fresh.contact_channel, fresh.journey_messages, fresh.announcements) == (
        "email",
        False,
        True,
    )


def test_the_nurse_lets_a_daughter_receive_the_messages(page, personas, client_noord):
    page.set_viewport_size(LAPTOP)
    log_in(page, "nurse_noord")
    relation = client_noord.relations.get()
    page.goto(reverse("clients:relation_edit", args=[client_noord.pk, relation.pk]))
    page.select_option("#id_message_copy", "copy")
    page.select_option("#id_contact_channel", "sms")
    page.select_option("#id_language", "en")
    screenshot(page, "relation-form-messages", fold=True)
    page.click("main form button[type=submit]")
    expect(page.locator(".tags .messages")).to_have_text(
        "ontvangt berichten (ook) · per sms · in het Engels"
    )
    screenshot(page, "client-page-relation-messages", fold=True)
