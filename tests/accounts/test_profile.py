"""The profile page: display name and the default attribution of new annotations."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Attribution, User

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def test_the_profile_shows_the_account_and_its_organisations(alice_client: Client) -> None:
    page = alice_client.get(PROFILE).content.decode()

    assert "Email: alice@example.org" in page
    assert "Digital Rights Watch" in page
    assert "verified</span>" in page
    assert "Admin, active" in page


def test_display_name_and_attribution_are_saved(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        PROFILE, {"display_name": "  A. Activist ", "attribution_preference": "organization"}, follow=True
    )

    assert response.redirect_chain == [(PROFILE, 302)]
    assert "Your preferences were saved." in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "A. Activist"
    assert alice.attribution_preference == Attribution.ORGANIZATION


@pytest.mark.parametrize("attribution", ["nobody", "PERSON", ""])
def test_an_unknown_attribution_is_refused_and_nothing_changes(
    alice: User, alice_client: Client, attribution: str
) -> None:
    response = alice_client.post(PROFILE, {"display_name": "Changed", "attribution_preference": attribution})

    assert response.status_code == 400
    expected = (
        "This field is required."
        if not attribution
        else f"Select a valid choice. {attribution} is not one of the available choices."
    )
    assert expected in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice Activist"
    assert alice.attribution_preference == Attribution.PERSON


def test_a_blank_display_name_is_refused(alice: User, alice_client: Client) -> None:
    # Sign-up and the API both require a name; the profile must not let it be emptied either.
    response = alice_client.post(PROFILE, {"display_name": "   ", "attribution_preference": "person"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice Activist"


def test_the_profile_never_changes_the_address_or_the_verification(alice: User, alice_client: Client) -> None:
    alice_client.post(
        PROFILE,
        {
            "display_name": "Alice",
            "attribution_preference": "person",
            "email": "mallory@example.net",
            "email_verified_at": "",
            "is_staff": "on",
        },
    )

    alice.refresh_from_db()
    assert alice.email == "alice@example.org"
    assert alice.is_verified
    assert not alice.is_staff


def test_the_attribution_service_refuses_an_unknown_value(alice: User) -> None:
    from django.core.exceptions import ValidationError

    from accounts.services.users import attribution_preference_set

    with pytest.raises(ValidationError) as caught:
        attribution_preference_set(user=alice, attribution="everyone")

    assert caught.value.message_dict == {
        "attribution_preference": ["Choose one of: person, organization, anonymous."]
    }
    alice.refresh_from_db()
    assert alice.attribution_preference == Attribution.PERSON


def test_the_profile_needs_a_login(anon: Client) -> None:
    response = anon.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PROFILE}"
