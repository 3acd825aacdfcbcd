"""The message preferences through the API: the same fields as the pages, refused the
same way (422 with the field), never a database error."""

import typing

import pytest

from halte.api.tests.helpers import Api, audit_entries, error_of, last_seq
from halte.audit.models import Action
from halte.clients.models import Client, ContactChannel, MessageCopy, Relation
from halte.clients.schemas import ClientChannel, RelationChannel

pytestmark = pytest.mark.django_db

NEW = {
    "given_names": "Johanna",
    "family_name": "Janssen",
    "email": "johanna@example.nl",
    "address": {"street": "Kamp", "house_number": 12, "postcode": "3811 AB", "city": "Amersfoort"},
    "duplicates_checked": True,
}
RELATIVE = {
    "name": "Piet de Vries",
    "kind": "child",
    "phones": [{"number": "06 1111 2222"}],
    "may_receive_information": True,
}


@pytest.fixture
def api(client, personas):
    return Api(client, personas["planner"])


def _fresh(client_obj) -> Client:
    return Client.objects.get(pk=client_obj.pk)


def test_it_creates_a_client_with_preferences_and_returns_them(api):
    response = api.post(
        "/clients",
        NEW | {"contact_channel": "letter", "journey_messages": False, "announcements": True},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["contact_channel"], body["journey_messages"], body["announcements"]) == (
        "letter",
        False,
        True,
    )
    created = Client.objects.get(pk=body["id"])
    assert (created.contact_channel, created.journey_messages, created.announcements) == (
        "letter",
        False,
        True,
    )


def test_a_new_client_gets_the_defaults(api):
    body = api.post("/clients", NEW).json()
    assert (body["contact_channel"], body["journey_messages"], body["announcements"]) == (
        "",
        True,
        False,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contact_channel": "email", "email": ""}, "Per e-mail kan niet: er is geen e-mailadres."),
        ({"contact_channel": "sms"}, "Per sms kan niet: er is geen mobiel nummer."),
        (
            {"contact_channel": "sms", "phones": [{"number": "033 461 23 45", "label": "home"}]},
            "Per sms kan niet: er is geen mobiel nummer.",
        ),
        (
            {"contact_channel": "letter", "address": {"postcode": "3811 AB"}},
            "Per brief kan niet: het adres heeft een straat, huisnummer, postcode en plaats nodig.",
        ),
    ],
)
def test_it_creates_no_client_with_an_unusable_channel(api, changes, message):
    before = last_seq()
    response = api.post("/clients", NEW | changes)
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("invalid", {"contact_channel": [message]})
    assert not Client.objects.exists()
    assert audit_entries(before) == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"contact_channel": "fax"}, "contact_channel"),
        ({"contact_channel": 3}, "contact_channel"),
        ({"journey_messages": None}, "journey_messages"),
        ({"journey_messages": "sometimes"}, "journey_messages"),
        ({"announcements": None}, "announcements"),
    ],
)
def test_it_refuses_a_bad_value(api, client_noord, payload, field):
    before = last_seq()
    response = api.patch(f"/clients/{client_noord.pk}", payload)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [field]
    assert _fresh(client_noord).version == client_noord.version
    assert audit_entries(before) == []


def test_it_changes_the_preferences_and_names_them_in_the_audit(api, client_noord):
    before = last_seq()
    response = api.patch(
        f"/clients/{client_noord.pk}",
        {"contact_channel": "sms", "journey_messages": False, "announcements": True},
    )
    assert response.status_code == 200, response.content
    fresh = _fresh(client_noord)
    assert (fresh.contact_channel, fresh.journey_messages, fresh.announcements) == (
        "sms",
        False,
        True,
    )
    [entry] = audit_entries(before)
    assert (entry.action, set(entry.part.split(","))) == (
        Action.UPDATE,
        {"contact_channel", "journey_messages", "announcements"},
    )


def test_null_or_empty_is_no_preference(api, client_noord):
    api.patch(f"/clients/{client_noord.pk}", {"contact_channel": "sms"})
    response = api.patch(f"/clients/{client_noord.pk}", {"contact_channel": None})
    assert response.json()["contact_channel"] == ""
    api.patch(f"/clients/{client_noord.pk}", {"contact_channel": "none"})
    api.patch(f"/clients/{client_noord.pk}", {"contact_channel": ""})
    assert _fresh(client_noord).contact_channel == ""


def test_it_refuses_taking_away_what_the_channel_needs(api, client_noord):
    api.patch(f"/clients/{client_noord.pk}", {"contact_channel": "sms"})
    before = last_seq()
    response = api.patch(f"/clients/{client_noord.pk}", {"phones": []})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {
        "contact_channel": ["Per sms kan niet: er is geen mobiel nummer."]
    }
    assert _fresh(client_noord).phones.filter(relation__isnull=True).count() == 1
    assert audit_entries(before) == []


def test_it_speaks_english_when_asked(api, client_noord):
    response = api.patch(
        f"/clients/{client_noord.pk}", {"contact_channel": "email"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert error_of(response)["fields"] == {
        "contact_channel": ["Email is not possible: there is no email address."]
    }


def test_it_returns_the_preferences_of_the_client_and_relations(api, client_noord):
    relation = client_noord.relations.get()
    relation.message_copy, relation.contact_channel, relation.language = "instead", "sms", "en"
    relation.save()
    Client.objects.filter(pk=client_noord.pk).update(contact_channel="sms", announcements=True)
    body = api.get(f"/clients/{client_noord.pk}").json()
    assert (body["contact_channel"], body["journey_messages"], body["announcements"]) == (
        "sms",
        True,
        True,
    )
    [returned] = body["relations"]
    assert (returned["message_copy"], returned["contact_channel"], returned["language"]) == (
        "instead",
        "sms",
        "en",
    )


# Relations


def test_it_adds_a_relation_who_receives_the_messages(api, client_noord):
    response = api.post(
        f"/clients/{client_noord.pk}/relations",
        RELATIVE | {"message_copy": "copy", "contact_channel": "sms", "language": "TR"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["message_copy"], body["contact_channel"], body["language"]) == (
        "copy",
        "sms",
        "tr",
    )
    relation = Relation.objects.get(pk=body["id"])
    assert (relation.message_copy, relation.contact_channel, relation.language) == (
        "copy",
        "sms",
        "tr",
    )


def test_a_relation_gets_the_defaults(api, client_noord):
    body = api.post(f"/clients/{client_noord.pk}/relations", RELATIVE).json()
    assert (body["message_copy"], body["contact_channel"], body["language"]) == ("", "", "")


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {"message_copy": "copy", "may_receive_information": False},
            {
                "message_copy": [
                    "Alleen een relatie die informatie mag ontvangen, kan de berichten van de "
                    "cliënt ontvangen."
                ]
            },
        ),
        (
            {"message_copy": "instead", "phones": []},
            {
                "message_copy": [
                    "Een relatie die de berichten van de cliënt ontvangt, heeft een e-mailadres "
                    "of een mobiel nummer nodig."
                ]
            },
        ),
        (
            {"message_copy": "copy", "contact_channel": "none"},
            {
                "contact_channel": [
                    "Een relatie die de berichten van de cliënt ontvangt, kan niet 'Geen "
                    "berichten' kiezen: kies een kanaal."
                ]
            },
        ),
        (
            {"contact_channel": "email"},
            {"contact_channel": ["Per e-mail kan niet: er is geen e-mailadres."]},
        ),
        ({"contact_channel": "letter"}, None),
        ({"message_copy": "always"}, None),
        ({"message_copy": None}, None),
        ({"language": "xx"}, None),
    ],
)
def test_it_adds_no_relation_whose_messages_cannot_work(api, client_noord, changes, fields):
    before = last_seq()
    response = api.post(f"/clients/{client_noord.pk}/relations", RELATIVE | changes)
    assert response.status_code == 422  # never the 409 of a database constraint
    error = error_of(response)
    if fields is None:
        assert list(error["fields"]) == list(changes)
    else:
        assert error["fields"] == fields
    assert Relation.objects.filter(client=client_noord).count() == 1
    assert audit_entries(before) == []


def test_null_is_no_preference_for_a_relation(api, client_noord):
    response = api.post(
        f"/clients/{client_noord.pk}/relations",
        RELATIVE | {"contact_channel": None, "language": None},
    )
    assert response.status_code == 201
    assert (response.json()["contact_channel"], response.json()["language"]) == ("", "")


# The document


def test_the_document_lists_the_choices(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["MessageCopy"]["enum"]) == {"", "copy", "instead"}
    channel = schemas["ClientPatchIn"]["properties"]["contact_channel"]
    assert "no preference" in channel["description"]
    assert "contact_channel" in schemas["RelationOut"]["properties"]


def test_the_api_choices_follow_the_model():
    assert set(typing.get_args(ClientChannel)) == {"", *ContactChannel.values}
    assert set(typing.get_args(RelationChannel)) == {"", *ContactChannel.values} - {"letter"}
    assert "" in MessageCopy.values
