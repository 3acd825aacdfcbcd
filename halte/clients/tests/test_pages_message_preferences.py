"""Message preferences on the pages: the client form's Berichten fieldset and the
relation form's, refused in Dutch when they cannot work, shown on the client page
and the card, audited with the fields' labels."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from halte.audit.context import Actor
from halte.audit.labels import part_label
from halte.audit.models import Action, Outcome
from halte.clients import services
from halte.clients.models import Client, ContactChannel, MessageCopy, Relation
from halte.clients.tests.factories import ClientFactory, PhoneFactory, RelationFactory
from halte.clients.tests.pages import assert_shows, entries_since, last_seq, shown
from halte.clients.tests.test_pages_edit import _edit_data, _edit_url, _new_client, _snapshot
from halte.clients.validation import (
    MESSAGES_BUT_NO_MESSAGES,
    MESSAGES_NEED_ADDRESS,
    MESSAGES_NEED_CONSENT,
    NEEDS_EMAIL,
    NEEDS_MOBILE,
    NEEDS_POSTAL_ADDRESS,
)


@pytest.fixture
def nurse(client, personas):
    client.force_login(personas["nurse_noord"])
    return client


def _fresh(client_obj) -> Client:
    return Client.objects.get(pk=client_obj.pk)


def _field_error(response, field: str, message) -> None:
    """The message stands under the field itself, not only above the form."""
    content = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{shown(message)}</p>' in content, content


# The client form


def test_the_new_client_form_has_the_defaults(client, personas):
    client.force_login(personas["front_office"])
    content = client.get(reverse("clients:create")).content.decode()
    assert "<legend>Berichten</legend>" in content
    assert '<option value="" selected>Geen voorkeur</option>' in content
    assert '<option value="letter">Brief</option>' in content
    assert 'name="journey_messages" id="id_journey_messages" checked' in content
    assert 'name="announcements" id="id_announcements">' in content
    assert "Berichten over de zorg" in content and "Nieuws en mededelingen" in content


def test_the_edit_form_shows_the_stored_preferences(nurse, client_noord):
    client_noord.contact_channel = ContactChannel.SMS
    client_noord.journey_messages, client_noord.announcements = False, True
    client_noord.save()
    form = nurse.get(_edit_url(client_noord)).context["form"]
    assert (
        form.initial["contact_channel"],
        form.initial["journey_messages"],
        form.initial["announcements"],
    ) == ("sms", False, True)
    content = nurse.get(_edit_url(client_noord)).content.decode()
    assert '<option value="sms" selected>Sms</option>' in content
    assert 'name="announcements" id="id_announcements" checked' in content


def test_it_saves_the_preferences_and_names_them_in_the_audit_log(nurse, client_noord):
    data = _edit_data(nurse, client_noord, contact_channel="sms", announcements="on")
    del data["journey_messages"]  # the box unticked: a browser sends nothing
    before = last_seq()
    response = nurse.post(_edit_url(client_noord), data, follow=True)
    fresh = _fresh(client_noord)
    assert (fresh.contact_channel, fresh.journey_messages, fresh.announcements) == (
        "sms",
        False,
        True,
    )
    assert fresh.version == client_noord.version + 1
    [entry] = [e for e in entries_since(before) if e[0] == Action.UPDATE]
    assert entry[1:] == (
        "contact_channel,journey_messages,announcements",
        client_noord.pk,
        Outcome.SUCCESS,
    )
    with translation.override("nl"):
        assert part_label(entry[1]) == (
            "Voorkeurskanaal voor berichten, Berichten over de zorg, Nieuws en mededelingen"
        )
    assert "per sms · over de zorg: nee · nieuws: ja" in response.content.decode()


def test_the_audit_log_page_shows_the_labels(client, personas, nurse, client_noord):
    nurse.post(_edit_url(client_noord), _edit_data(nurse, client_noord, contact_channel="sms"))
    client.force_login(personas["privacy_officer"])
    content = client.get(reverse("audit:log"), {"person": "nurse_noord"}).content.decode()
    assert "Voorkeurskanaal voor berichten" in content
    assert "contact_channel" not in content


def test_an_unchanged_form_changes_nothing(nurse, client_noord):
    before = last_seq()
    nurse.post(_edit_url(client_noord), _edit_data(nurse, client_noord))
    fresh = _fresh(client_noord)
    assert (fresh.version, fresh.journey_messages, fresh.announcements) == (
        client_noord.version,
        True,
        False,
    )
    assert not [e for e in entries_since(before) if e[0] == Action.UPDATE]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contact_channel": "email"}, NEEDS_EMAIL),  # no email address
        ({"contact_channel": "sms", "phone_1": ""}, NEEDS_MOBILE),  # the mobile removed
        ({"contact_channel": "sms", "phone_1": "033 461 23 45"}, NEEDS_MOBILE),  # a landline
        ({"contact_channel": "letter"}, NEEDS_POSTAL_ADDRESS),  # no street
        (
            {"contact_channel": "letter", "street": "Kamp", "city": ""},
            NEEDS_POSTAL_ADDRESS,
        ),
    ],
)
def test_it_refuses_a_channel_that_cannot_be_used(nurse, client_noord, changes, message):
    data = _edit_data(nurse, client_noord, **changes)
    before, snapshot = last_seq(), _snapshot(client_noord)
    response = nurse.post(_edit_url(client_noord), data)
    assert response.status_code == 200
    _field_error(response, "contact_channel", message)
    assert _snapshot(client_noord) == snapshot
    assert _fresh(client_noord).contact_channel == ""
    assert entries_since(before) == []


@pytest.mark.parametrize(
    ("changes", "channel"),
    [
        ({"contact_channel": "email", "email": "riek@example.nl"}, "email"),
        ({"contact_channel": "sms"}, "sms"),
        ({"contact_channel": "letter", "street": "Kamp"}, "letter"),
        ({"contact_channel": "none"}, "none"),
        ({"contact_channel": ""}, ""),
    ],
)
def test_it_accepts_a_channel_that_can_be_used(nurse, client_noord, changes, channel):
    response = nurse.post(_edit_url(client_noord), _edit_data(nurse, client_noord, **changes))
    assert response.status_code == 302
    assert _fresh(client_noord).contact_channel == channel


def test_it_refuses_removing_the_address_a_channel_needs(nurse, client_noord):
    client_noord.email, client_noord.contact_channel = "riek@example.nl", "email"
    client_noord.save()
    response = nurse.post(_edit_url(client_noord), _edit_data(nurse, client_noord, email=""))
    _field_error(response, "contact_channel", NEEDS_EMAIL)
    assert _fresh(client_noord).email == "riek@example.nl"


def test_it_refuses_an_unknown_channel(nurse, client_noord):
    response = nurse.post(
        _edit_url(client_noord), _edit_data(nurse, client_noord, contact_channel="fax")
    )
    assert response.status_code == 200
    assert 'id="id_contact_channel_error"' in response.content.decode()
    assert _fresh(client_noord).contact_channel == ""


def test_it_creates_a_client_with_preferences(client, personas, teams):
    client.force_login(personas["planner"])
    data = _new_client(
        team=teams["noord"].pk,
        email="janssen@example.nl",
        contact_channel="email",
        journey_messages="on",
    )
    response = client.post(reverse("clients:create"), data)
    assert response.status_code == 302
    created = Client.objects.get(family_name="Janssen")
    assert (created.contact_channel, created.journey_messages, created.announcements) == (
        "email",
        True,
        False,
    )


def test_it_creates_nothing_with_an_unusable_channel_and_searches_nothing(client, personas):
    client.force_login(personas["planner"])
    before = last_seq()
    response = client.post(reverse("clients:create"), _new_client(contact_channel="letter"))
    _field_error(response, "contact_channel", NEEDS_POSTAL_ADDRESS)
    assert not Client.objects.exists()
    assert entries_since(before) == []  # said before any look for duplicates


# The relation form


def _relation_data(**changes) -> dict:
    data = {
        "name": "Piet de Vries",
        "kind": "partner",
        "phone_1": "0612121212",
        "phone_label_1": "mobile",
        "phone_label_2": "home",
        "phone_label_3": "home",
        "may_receive_information": "on",
        "message_copy": "",
        "contact_channel": "",
        "language": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _add_url(client_obj):
    return reverse("clients:relation_add", args=[client_obj.pk])


def test_the_relation_form_offers_no_letter(nurse, client_noord):
    content = nurse.get(_add_url(client_noord)).content.decode()
    assert "Ontvangt de berichten van de cliënt" in content
    assert '<option value="copy">Ook, naast de cliënt</option>' in content
    assert '<option value="instead">In plaats van de cliënt</option>' in content
    assert '<option value="" selected>De taal van de cliënt</option>' in content
    assert 'value="letter"' not in content


def test_it_adds_a_relation_who_receives_the_messages(nurse, client_noord):
    before = last_seq()
    response = nurse.post(
        _add_url(client_noord),
        _relation_data(message_copy="copy", contact_channel="sms", language="en"),
        follow=True,
    )
    relation = Relation.objects.get(name="Piet de Vries")
    assert (relation.message_copy, relation.contact_channel, relation.language) == (
        "copy",
        "sms",
        "en",
    )
    assert entries_since(before)[0] == (
        Action.CREATE,
        "relations",
        client_noord.pk,
        Outcome.SUCCESS,
    )
    assert "ontvangt berichten (ook) · per sms · in het Engels" in response.content.decode()


def test_the_edit_form_shows_the_relations_preferences(nurse, client_noord):
    relation = client_noord.relations.get()
    relation.message_copy, relation.contact_channel, relation.language = "instead", "sms", "tr"
    relation.save()
    url = reverse("clients:relation_edit", args=[client_noord.pk, relation.pk])
    content = nurse.get(url).content.decode()
    assert '<option value="instead" selected>' in content
    assert '<option value="sms" selected>' in content
    assert '<option value="tr" selected>' in content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"message_copy": "copy", "may_receive_information": None},
            "message_copy",
            MESSAGES_NEED_CONSENT,
        ),
        (
            {"message_copy": "instead", "may_receive_information": None},
            "message_copy",
            MESSAGES_NEED_CONSENT,
        ),
        ({"message_copy": "copy", "phone_1": ""}, "message_copy", MESSAGES_NEED_ADDRESS),
        (
            {"message_copy": "copy", "phone_1": "033 461 23 45"},
            "message_copy",
            MESSAGES_NEED_ADDRESS,
        ),
        ({"contact_channel": "email"}, "contact_channel", NEEDS_EMAIL),
        (
            {"contact_channel": "sms", "phone_1": "033 461 23 45"},
            "contact_channel",
            NEEDS_MOBILE,
        ),
        (
            {"message_copy": "copy", "contact_channel": "none"},
            "contact_channel",
            MESSAGES_BUT_NO_MESSAGES,
        ),
    ],
)
def test_it_refuses_a_relation_whose_messages_cannot_work(
    nurse, client_noord, changes, field, message
):
    before = last_seq()
    response = nurse.post(_add_url(client_noord), _relation_data(**changes))
    assert response.status_code == 200  # not a database error
    _field_error(response, field, message)
    assert not Relation.objects.filter(name="Piet de Vries").exists()
    assert entries_since(before) == []


@pytest.mark.parametrize(
    ("field", "value"), [("contact_channel", "letter"), ("language", "xx"), ("message_copy", "x")]
)
def test_it_refuses_an_unknown_choice(nurse, client_noord, field, value):
    response = nurse.post(_add_url(client_noord), _relation_data(**{field: value}))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Relation.objects.filter(name="Piet de Vries").exists()


def test_it_accepts_a_relation_with_only_an_email(nurse, client_noord):
    nurse.post(
        _add_url(client_noord),
        _relation_data(message_copy="instead", phone_1="", email="piet@example.nl"),
    )
    relation = Relation.objects.get(name="Piet de Vries")
    assert (relation.message_copy, relation.email) == ("instead", "piet@example.nl")


def test_it_refuses_withdrawing_consent_while_the_messages_still_go(nurse, client_noord):
    relation = client_noord.relations.get()
    relation.message_copy = MessageCopy.COPY
    relation.save()
    url = reverse("clients:relation_edit", args=[client_noord.pk, relation.pk])
    before = last_seq()
    response = nurse.post(
        url,
        _relation_data(
            name=relation.name,
            phone_1="06 87 65 43 21",
            message_copy="copy",
            may_receive_information=None,
        ),
    )
    _field_error(response, "message_copy", MESSAGES_NEED_CONSENT)
    relation.refresh_from_db()
    assert relation.may_receive_information and relation.message_copy == "copy"
    assert entries_since(before) == []
    # Both together is fine: no consent, no messages.
    nurse.post(url, _relation_data(name=relation.name, may_receive_information=None))
    relation.refresh_from_db()
    assert (relation.may_receive_information, relation.message_copy) == (False, "")


# The services refuse it too, whoever calls them


def test_the_service_refuses_messages_without_consent(client_noord, personas):
    actor = Actor(personas["planner"])
    relation = client_noord.relations.get()
    relation.message_copy = MessageCopy.COPY
    relation.save()
    before = last_seq()
    with pytest.raises(ValidationError) as refused:
        services.relation_update(actor=actor, relation=relation, may_receive_information=False)
    assert refused.value.message_dict == {"message_copy": [str(MESSAGES_NEED_CONSENT)]}
    with pytest.raises(ValidationError):
        services.relation_create(
            actor=actor,
            client=client_noord,
            name="Kees",
            kind="child",
            email="kees@example.nl",
            message_copy="copy",
        )
    fresh = Relation.objects.get(pk=relation.pk)
    assert fresh.may_receive_information and fresh.message_copy == "copy"
    assert Relation.objects.filter(client=client_noord).count() == 1
    assert entries_since(before) == []


def test_the_service_checks_the_stored_numbers_when_the_change_leaves_them(client_noord, personas):
    actor = Actor(personas["planner"])
    relation = client_noord.relations.get()  # a mobile, no email
    services.relation_update(actor=actor, relation=relation, message_copy="copy")
    assert Relation.objects.get(pk=relation.pk).message_copy == "copy"
    with pytest.raises(ValidationError) as refused:
        services.relation_update(actor=actor, relation=relation, contact_channel="email")
    assert refused.value.message_dict == {"contact_channel": [str(NEEDS_EMAIL)]}
    with pytest.raises(ValidationError):
        services.client_update(actor=actor, client=client_noord, contact_channel="email")
    services.client_update(actor=actor, client=client_noord, contact_channel="sms")
    assert _fresh(client_noord).contact_channel == "sms"
    with pytest.raises(ValidationError) as refused:
        services.client_update(actor=actor, client=client_noord, phones=[])
    assert refused.value.message_dict == {"contact_channel": [str(NEEDS_MOBILE)]}


def test_a_change_elsewhere_is_not_held_up_by_an_old_channel(client_noord, personas):
    # Stored before this check existed (or by an import): a name change still saves.
    Client.objects.filter(pk=client_noord.pk).update(contact_channel="letter")
    services.client_update(
        actor=Actor(personas["planner"]), client=client_noord, preferred_name="Riek"
    )
    assert _fresh(client_noord).preferred_name == "Riek"


# Shown on the client page and the card


@pytest.mark.parametrize(
    ("channel", "journey", "news", "text"),
    [
        ("email", True, False, "per e-mail · over de zorg: ja · nieuws: nee"),
        ("letter", False, True, "per brief · over de zorg: nee · nieuws: ja"),
        ("", True, False, "geen voorkeurskanaal · over de zorg: ja · nieuws: nee"),
        ("none", True, True, ">geen berichten<"),
    ],
)
@pytest.mark.parametrize("page", ["clients:detail", "contact:card"])
def test_the_pages_show_the_preferences(
    client, personas, client_noord, channel, journey, news, text, page
):
    Client.objects.filter(pk=client_noord.pk).update(
        contact_channel=channel, journey_messages=journey, announcements=news
    )
    relation = client_noord.relations.get()
    relation.message_copy = MessageCopy.INSTEAD
    relation.save()
    client.force_login(personas["front_office"])
    content = client.get(reverse(page, args=[client_noord.pk])).content.decode()
    assert text in content
    assert "ontvangt berichten (in plaats van de cliënt)" in content


def test_a_relation_without_messages_shows_none(client, personas, client_noord):
    client.force_login(personas["front_office"])
    content = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert "ontvangt berichten" not in content
    relation = client_noord.relations.get()
    relation.contact_channel = ContactChannel.NONE
    relation.save()
    content = client.get(reverse("clients:detail", args=[client_noord.pk])).content.decode()
    assert "wil geen berichten" in content


def _with_relatives(team, count: int) -> Client:
    client_obj = ClientFactory(team=team, contact_channel="sms", announcements=True)
    PhoneFactory(client=client_obj)
    for n in range(count):
        relation = RelationFactory(
            client=client_obj,
            message_copy=["copy", "instead", ""][n % 3],
            contact_channel=["sms", "", "none"][n % 3],
            language=["en", "", "tr"][n % 3],
        )
        PhoneFactory(client=client_obj, relation=relation)
    return client_obj


@pytest.mark.parametrize("page", ["clients:detail", "contact:card"])
def test_the_preferences_cost_no_queries(client, personas, teams, django_assert_num_queries, page):
    small = _with_relatives(teams["noord"], 1)
    large = _with_relatives(teams["noord"], 9)
    client.force_login(personas["nurse_noord"])
    client.get(reverse(page, args=[small.pk]))  # warm the session
    with django_assert_num_queries(60, exact=False) as few:
        client.get(reverse(page, args=[small.pk]))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse(page, args=[large.pk]))
    content = response.content.decode()
    assert content.count("ontvangt berichten (ook) · per sms · in het Engels") == 3
    assert content.count("ontvangt berichten (in plaats van de cliënt)") == 3
    assert_shows(response, "per sms · over de zorg: ja · nieuws: ja")
