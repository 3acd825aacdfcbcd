"""The client page: what each role sees, the BSN reveal, audit entries, query count."""

import pytest
from django.urls import reverse

from halte.audit.models import Action, Outcome
from halte.clients.extensions import (
    CLIENT_ACTIONS,
    CLIENT_PAGE_SECTIONS,
    ActionPlace,
    ClientAction,
    ClientSection,
)
from halte.clients.models import CareNote, Client, ClientStatus
from halte.clients.tests.factories import (
    ClientFactory,
    PhoneFactory,
    PreferenceFactory,
    RelationFactory,
)
from halte.clients.tests.pages import entries_since, last_seq
from halte.core import bsn as bsn_codec

BSN = "111222333"
NOTE = "Wondzorg linkerbeen, verband om de dag verschonen."


@pytest.fixture
def hendrika(client_noord, personas):
    client_noord.bsn_encrypted = bsn_codec.encrypt(BSN)
    client_noord.bsn_hash = bsn_codec.lookup_hash(BSN)
    client_noord.what_matters = "Elke ochtend de krant lezen bij het raam."
    client_noord.language, client_noord.interpreter_needed = "tr", True
    client_noord.save()
    PreferenceFactory(client=client_noord, kind="dislike", text="Thee met suiker")
    CareNote.objects.create(client=client_noord, author=personas["nurse_noord"], text=NOTE)
    return client_noord


def _url(client_obj):
    return reverse("clients:detail", args=[client_obj.pk])


def _get(client, personas, persona, hendrika):
    client.force_login(personas[persona])
    return client.get(_url(hendrika))


def test_it_shows_the_contact_card(client, personas, hendrika):
    content = _get(client, personas, "front_office", hendrika).content.decode()
    assert "Hendrika van den Berg" in content
    assert hendrika.formal_name in content
    assert hendrika.date_of_birth.strftime("%d-%m-%Y") in content
    assert f"({hendrika.age()} " in content
    # One national notation, dialable, never wrapped.
    assert '<a class="phone" href="tel:+31612345678">06 12 34 56 78</a>' in content
    assert "Turks" in content  # the language, named in the interface language
    assert "Wijkteam Noord" in content
    assert "Elke ochtend de krant lezen" in content
    assert "Thee met suiker" in content


def test_it_says_how_to_speak_with_the_client_at_the_top(client, personas, hendrika):
    Client.objects.filter(pk=hendrika.pk).update(hard_of_hearing=True)
    content = _get(client, personas, "front_office", hendrika).content.decode()
    flags = content.index('class="flags"')
    assert flags < content.index('class="actions client-actions"')
    assert "Slechthorend: spreek langzaam en duidelijk" in content
    assert "Tolk nodig (Turks)" in content


def test_it_shows_relations_with_their_phones_and_authorisations(client, personas, hendrika):
    content = _get(client, personas, "front_office", hendrika).content.decode()
    assert "Marieke de Vries" in content
    assert ">06 87 65 43 21</a>" in content
    assert "mag informatie ontvangen" in content  # the page speaks Dutch first


def test_it_names_a_home_phone_thuis(client, personas, hendrika):
    # The phone type has its own context; the admin's "Home" is Django's own Dutch.
    PhoneFactory(client=hendrika, e164="+31201234567", label="home")
    content = _get(client, personas, "front_office", hendrika).content.decode()
    assert '020 123 45 67</a> <span class="meta">(Thuis)</span>' in content


# Acting from the page: every action the role allows, and none it does not


ACTIONS = {
    "promise": "contact:commitment_add",
    "contact": "contact:interaction_add",
    "card": "contact:card",
    "referral": "journey:referral_add",
    "edit": "clients:edit",
}
EVERY_ACTION = set(ACTIONS)


def _actions(content: str) -> str:
    """The page's bar of actions."""
    start = content.index('class="actions client-actions"')
    return content[start : content.index("</div>", start)]


@pytest.mark.parametrize(
    ("persona", "offered"),
    [
        ("front_office", EVERY_ACTION),
        ("planner", EVERY_ACTION),
        ("nurse_noord", EVERY_ACTION),
        ("team_lead", EVERY_ACTION),
        ("manager", set()),  # looks up and reads; acts nowhere
    ],
)
def test_it_offers_each_role_the_actions_it_may_take(client, personas, hendrika, persona, offered):
    client.force_login(personas[persona])
    actions = _actions(client.get(_url(hendrika)).content.decode())
    shown = {name for name, url in ACTIONS.items() if reverse(url, args=[hendrika.pk]) in actions}
    assert shown == offered


@pytest.mark.parametrize("action", sorted(EVERY_ACTION))
@pytest.mark.parametrize("persona", ["front_office", "nurse_noord"])
def test_every_action_offered_opens(client, personas, hendrika, persona, action):
    client.force_login(personas[persona])
    assert client.get(reverse(ACTIONS[action], args=[hendrika.pk])).status_code == 200


def test_it_shows_a_deceased_client_once_as_deceased_without_age_or_promise(
    client, personas, hendrika
):
    Client.objects.filter(pk=hendrika.pk).update(status=ClientStatus.DECEASED)
    content = _get(client, personas, "front_office", hendrika).content.decode()
    assert content.count("Overleden") == 1
    assert hendrika.date_of_birth.strftime("%d-%m-%Y") in content
    assert f"({hendrika.age()} jaar)" not in content
    assert reverse("contact:commitment_add", args=[hendrika.pk]) not in content
    assert reverse("journey:referral_add", args=[hendrika.pk]) not in _actions(content)
    assert 'href="tel:+31612345678"' not in content  # her own number: nobody to call
    assert '<span class="phone">06 12 34 56 78</span>' in content
    assert reverse("contact:interaction_add", args=[hendrika.pk]) in content  # the family


def test_it_masks_the_bsn(client, personas, hendrika):
    content = _get(client, personas, "nurse_noord", hendrika).content.decode()
    assert BSN not in content
    assert bsn_codec.mask(BSN) in content


@pytest.mark.parametrize(
    ("persona", "notes", "reveal", "edit"),
    [
        ("front_office", False, False, True),
        ("planner", True, True, True),
        ("nurse_noord", True, True, True),
        ("team_lead", True, True, True),
        ("manager", False, False, False),
    ],
)
def test_it_shows_each_role_what_it_may_use(
    client, personas, hendrika, persona, notes, reveal, edit
):
    response = _get(client, personas, persona, hendrika)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Hendrika van den Berg" in content
    assert (NOTE in content) is notes
    assert (reverse("clients:reveal_bsn", args=[hendrika.pk]) in content) is reveal
    assert (reverse("clients:edit", args=[hendrika.pk]) in content) is edit
    assert (reverse("clients:relation_add", args=[hendrika.pk]) in content) is edit


def test_it_answers_404_to_a_nurse_of_another_team(client, personas, hendrika):
    response = _get(client, personas, "nurse_zuid", hendrika)
    assert response.status_code == 404
    assert "van den Berg" not in response.content.decode()


@pytest.mark.parametrize("persona", ["privacy_officer", "administrator"])
def test_it_is_closed_to_roles_without_client_work(client, personas, hendrika, persona):
    response = _get(client, personas, persona, hendrika)
    assert response.status_code == 403
    assert "van den Berg" not in response.content.decode()
    assert NOTE not in response.content.decode()


def test_it_sends_anonymous_visitors_to_the_login(client, hendrika):
    response = client.get(_url(hendrika))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_it_answers_404_for_a_client_that_does_not_exist(client, personas, db):
    client.force_login(personas["front_office"])
    assert client.get("/clienten/987654/").status_code == 404
    assert client.get("/clienten/99999999999999999999999/").status_code == 404


def test_it_logs_the_card_read(client, personas, hendrika):
    before = last_seq()
    _get(client, personas, "front_office", hendrika)
    assert entries_since(before) == [
        (Action.READ, "card", hendrika.pk, Outcome.SUCCESS),
        (Action.READ, "journey", hendrika.pk, Outcome.SUCCESS),  # the journey part
        (Action.READ, "messages", hendrika.pk, Outcome.SUCCESS),  # the messages part
    ]


def test_it_logs_the_card_and_the_care_notes_for_care_roles(client, personas, hendrika):
    before = last_seq()
    _get(client, personas, "nurse_noord", hendrika)
    assert entries_since(before) == [
        (Action.READ, "card", hendrika.pk, Outcome.SUCCESS),
        (Action.READ, "care_notes", hendrika.pk, Outcome.SUCCESS),
        (Action.READ, "journey", hendrika.pk, Outcome.SUCCESS),
        (Action.READ, "messages", hendrika.pk, Outcome.SUCCESS),
    ]


def test_it_logs_a_denied_read_for_another_team(client, personas, hendrika):
    before = last_seq()
    _get(client, personas, "nurse_zuid", hendrika)
    assert entries_since(before) == [(Action.READ, "card", hendrika.pk, Outcome.DENIED)]


@pytest.mark.parametrize("persona", ["privacy_officer", "administrator", "manager"])
def test_it_logs_one_refusal_when_the_role_is_refused_before_any_lookup(
    client, personas, hendrika, persona
):
    client.force_login(personas[persona])
    before = last_seq()
    assert client.post(reverse("clients:reveal_bsn", args=[hendrika.pk])).status_code == 403
    assert entries_since(before) == [(Action.READ, "bsn", hendrika.pk, Outcome.DENIED)]


def test_it_reveals_the_bsn_through_htmx_and_logs_it(client, personas, hendrika):
    client.force_login(personas["nurse_noord"])
    before = last_seq()
    response = client.post(
        reverse("clients:reveal_bsn", args=[hendrika.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert BSN in response.content.decode()
    assert "<html" not in response.content.decode()
    assert entries_since(before) == [(Action.READ, "bsn", hendrika.pk, Outcome.SUCCESS)]


def test_it_reveals_the_bsn_on_a_page_without_javascript(client, personas, hendrika):
    client.force_login(personas["planner"])
    response = client.post(reverse("clients:reveal_bsn", args=[hendrika.pk]))
    assert BSN in response.content.decode()
    assert "<html" in response.content.decode()


def test_it_reveals_nothing_on_a_get(client, personas, hendrika):
    client.force_login(personas["nurse_noord"])
    before = last_seq()
    response = client.get(reverse("clients:reveal_bsn", args=[hendrika.pk]))
    assert response.status_code == 405
    assert entries_since(before) == []


@pytest.mark.parametrize("persona", ["front_office", "manager"])
def test_it_refuses_the_bsn_to_roles_without_reveal(client, personas, hendrika, persona):
    client.force_login(personas[persona])
    response = client.post(reverse("clients:reveal_bsn", args=[hendrika.pk]))
    assert response.status_code == 403
    assert BSN not in response.content.decode()


def test_it_refuses_the_bsn_of_another_teams_client(client, personas, hendrika):
    client.force_login(personas["nurse_zuid"])
    before = last_seq()
    response = client.post(reverse("clients:reveal_bsn", args=[hendrika.pk]))
    assert response.status_code == 404
    assert entries_since(before) == [(Action.READ, "bsn", hendrika.pk, Outcome.DENIED)]


def _fill(client_obj, size: int, author) -> None:
    for n in range(size):
        relation = RelationFactory(client=client_obj, emergency_contact=n % 2 == 0)
        PhoneFactory(client=client_obj, relation=relation)
        PhoneFactory(client=client_obj, relation=relation)
        PhoneFactory(client=client_obj)
        PreferenceFactory(client=client_obj, kind=["like", "dislike", "communication"][n % 3])
        CareNote.objects.create(client=client_obj, author=author, text=f"Notitie {n}")


@pytest.mark.parametrize("persona", ["nurse_noord", "front_office"])
def test_it_renders_in_a_constant_number_of_queries(
    client, personas, teams, django_assert_num_queries, persona
):
    small = ClientFactory(team=teams["noord"])
    large = ClientFactory(team=teams["noord"])
    _fill(small, 1, personas["nurse_noord"])
    _fill(large, 8, personas["nurse_noord"])
    client.force_login(personas[persona])
    client.get(_url(small))  # warm the session
    with django_assert_num_queries(50, exact=False) as few:
        client.get(_url(small))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_url(large))
    assert response.content.decode().count('href="tel:') == 8 * 3


# Higher apps' sections (the journey), through clients.extensions


def test_it_includes_the_section_a_registered_provider_gives(client, personas, hendrika):
    calls = []

    def provider(request, actor, client_pk):
        calls.append((request.user, actor.user, client_pk))
        return ClientSection("clients/_status.html", {"client": hendrika}, status="Op proef")

    with CLIENT_PAGE_SECTIONS.replaced(provider):
        response = _get(client, personas, "front_office", hendrika)
    assert calls == [(personas["front_office"], personas["front_office"], hendrika.pk)]
    # Its status in the header, and its template (the status once more) in the page.
    assert response.content.decode().count("Op proef") == 2


def test_it_shows_the_client_alone_when_no_section_is_registered(client, personas, hendrika):
    before = last_seq()
    with CLIENT_PAGE_SECTIONS.replaced():
        response = _get(client, personas, "front_office", hendrika)
    content = response.content.decode()
    assert response.status_code == 200
    assert hendrika.family_name in content
    assert f'journey-status">{hendrika.get_status_display()}</span>' in content
    assert 'id="journey"' not in content
    assert entries_since(before) == [(Action.READ, "card", hendrika.pk, Outcome.SUCCESS)]


def test_it_includes_a_section_at_the_end_after_the_clients_own_parts(client, personas, hendrika):
    def provider(request, actor, client_pk):
        return ClientSection("clients/_status.html", {"client": hendrika}, at_end=True)

    with CLIENT_PAGE_SECTIONS.replaced(provider):
        content = _get(client, personas, "nurse_noord", hendrika).content.decode()
    care_notes = content.index('id="care-notes-heading"')
    assert content.index('class="status', care_notes) > care_notes


# The action bar: the buttons the apps register, through clients.extensions


def _bar(content: str) -> str:
    start = content.index('class="actions client-actions"')
    return content[start : content.index("</div>", start)]


def test_it_shows_the_registered_actions_in_their_order(client, personas, hendrika):
    calls = []

    def later(user, client_obj, place, page):
        calls.append((user, client_obj.pk, place, page["client"].pk))
        return ClientAction("Later & verder", "/later/?a=1&b=2", 20)

    def first(user, client_obj, place, page):
        return ClientAction("Eerst", "/eerst/", 10, primary=True)

    def never(user, client_obj, place, page):
        return None

    with CLIENT_ACTIONS.replaced(later, never, first):
        content = _get(client, personas, "front_office", hendrika).content.decode()
    bar = _bar(content)
    assert calls == [(personas["front_office"], hendrika.pk, ActionPlace.PAGE, hendrika.pk)]
    assert '<a class="button" href="/eerst/">Eerst</a>' in bar
    assert '<a class="button secondary" href="/later/?a=1&amp;b=2">Later &amp; verder</a>' in bar
    assert bar.index("Eerst") < bar.index("Later")
    assert bar.count("<a ") == 2


def test_it_shows_an_empty_bar_when_no_action_is_registered(client, personas, hendrika):
    with CLIENT_ACTIONS.replaced():
        response = _get(client, personas, "team_lead", hendrika)
    assert response.status_code == 200
    assert _bar(response.content.decode()).count("<a ") == 0
