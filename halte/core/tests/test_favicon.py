"""Halte's icon: linked from every page and at /favicon.ico, where browsers look."""

from django.contrib.staticfiles import finders


def test_it_links_the_icon_from_every_page(client):
    page = client.get("/login/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert finders.find("img/favicon.svg")


def test_it_answers_favicon_ico_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.ico"
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # the ICO header
