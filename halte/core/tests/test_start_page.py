"""The start page asks the apps where each user starts (START_PAGES), so core names no
app's URL; with several answers the lowest rank wins."""

from halte.core.extensions import START_PAGES, StartPage, start_page


def test_the_lowest_rank_wins_whatever_the_order_of_registration(personas):
    def audit(user):
        return StartPage(40, "/audit/")

    def workplace(user):
        return StartPage(10, "/werkplek/") if user.username == "kcc" else None

    with START_PAGES.replaced(audit, workplace):
        assert start_page(personas["front_office"]) == "/werkplek/"
        assert start_page(personas["privacy_officer"]) == "/audit/"


def test_it_shows_the_plain_start_page_when_no_app_starts_the_user(client, personas):
    client.force_login(personas["front_office"])
    with START_PAGES.replaced():
        response = client.get("/")
    assert response.status_code == 200
    assert "Welkom" in response.content.decode()


def test_it_sends_each_role_where_it_started_before(client, personas):
    starts = {}
    for name, user in personas.items():
        client.force_login(user)
        starts[name] = client.get("/").get("Location")
    assert starts == {
        "front_office": "/werkplek/",
        "planner": "/traject/",
        "nurse_noord": "/clienten/",
        "nurse_zuid": "/clienten/",
        "team_lead": "/clienten/",
        "manager": "/clienten/",
        "privacy_officer": "/audit/",
        "administrator": None,
    }
