"""Paths and methods no endpoint answers still get the API's error shape."""


def test_it_answers_an_unknown_api_path_in_the_error_shape(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_answers_a_wrong_method_in_the_error_shape(client, db):
    response = client.delete("/api/v1/clients")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_it_leaves_pages_outside_the_api_alone(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
