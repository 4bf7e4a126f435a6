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
