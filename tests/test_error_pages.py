import pytest

pytestmark = pytest.mark.django_db


def test_403_page_says_why(mallory_client) -> None:
    response = mallory_client.get("/accounts/organisations/verification/")
    assert response.status_code == 403
    assert "Only moderators can open this page." in response.text


def test_404_page_does_not_leak_url_patterns(client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text
    assert "tried" not in response.text and "admin/" not in response.text


def test_an_unknown_api_path_answers_json(client) -> None:
    response = client.get("/api/v1/no/such/thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.urls("tests.error_pages_urls")
def test_an_api_server_error_answers_json_and_says_it_was_not_done(client) -> None:
    client.raise_request_exception = False
    response = client.post("/api/v1/test-failure/", {"body": "placeholder"}, content_type="application/json")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Server error: the request was not completed. Send it again later."}


@pytest.mark.urls("tests.error_pages_urls")
def test_the_500_page_never_claims_the_request_was_saved(client) -> None:
    client.raise_request_exception = False
    response = client.post("/test-failure/", {"body": "placeholder"})
    assert response.status_code == 500
    assert "text/html" in response["Content-Type"]
    assert "may not have been completed" in response.text
    assert "lost" not in response.text and "saved" not in response.text


def test_a_request_django_refuses_answers_json_under_the_api(client) -> None:
    client.raise_request_exception = False
    response = client.get("/api/v1/tags/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}
