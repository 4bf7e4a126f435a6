"""Look-alike organisation names are refused (issue 17 §2): names are compared after Unicode
normalisation and confusable folding, so nobody can register a name that looks like another's."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.lookalike_names import name_skeleton
from accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

CREATE = reverse("accounts:organization-create")
NEW_ORG = {"type": "ngo", "country": "KE", "website": "https://example.org/", "description": ""}

LOOK_ALIKES = {
    "cyrillic a": "Digit\u0430l Rights Watch",
    "cyrillic i": "D\u0456gital Rights Watch",
    "digit one for l": "Digita1 Rights Watch",
    "capital I for l": "DigitaI Rights Watch",
    "zero-width space": "Digital\u200b Rights Watch",
    "zero-width joiner": "Digital Ri\u200dghts Watch",
    "full-width letters": "\uff24igital Rights Watch",
    "greek omicron in a word": "Amnesty Internati\u03bfnal",
}


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_look_alike_name_is_refused_on_the_page(
    drw: Organization, mallory: User, mallory_client: Client, name: str
) -> None:
    if "Amnesty" in name:
        Organization.objects.create(
            name="Amnesty International",
            name_skeleton=name_skeleton("Amnesty International"),
            slug="ai",
            type="ngo",
        )
    before = Organization.objects.count()

    response = mallory_client.post(CREATE, {**NEW_ORG, "name": name})

    assert response.status_code == 400
    page = response.content.decode()
    # Invisible characters are dropped from the name first: then it is simply the same name.
    assert "looks like the name of an existing organisation" in page or "already exists" in page, page
    assert Organization.objects.count() == before


def test_a_look_alike_name_is_refused_on_the_api(drw: Organization, mallory: User) -> None:
    client = APIClient()
    client.force_login(mallory)
    before = Organization.objects.count()

    response = client.post(
        "/api/v1/organizations/", {**NEW_ORG, "name": "Digit\u0430l Rights Watch"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": [
            "“Digit\u0430l Rights Watch” looks like the name of an existing organisation, “Digital Rights "
            "Watch”: choose a name that cannot be mistaken for it, or ask to join it."
        ]
    }
    assert Organization.objects.count() == before
    assert Membership.objects.filter(user=mallory).count() == 1


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u2066", "\u200f", "\u061c"])
def test_text_direction_controls_are_refused(mallory_client: Client, control: str) -> None:
    before = Organization.objects.count()

    response = mallory_client.post(CREATE, {**NEW_ORG, "name": f"Open {control}Net Collective"})

    assert response.status_code == 400
    assert "invisible text-direction characters" in response.content.decode()
    assert Organization.objects.count() == before


def test_a_look_alike_of_a_row_made_outside_the_service_is_refused_too(mallory_client: Client) -> None:
    Organization.objects.create(name="Demo Watch", slug="demo-watch", type="ngo")  # no skeleton stored
    before = Organization.objects.count()

    response = mallory_client.post(CREATE, {**NEW_ORG, "name": "Dem\u043e Watch"})

    assert response.status_code == 400
    assert Organization.objects.count() == before


@pytest.mark.parametrize(
    "name", ["Digital Rights Watch Kenya", "Digital Rights", "Чистые руки", "منظمة الحقوق الرقمية"]
)
def test_names_that_merely_share_words_or_use_one_other_script_are_accepted(
    drw: Organization, mallory_client: Client, name: str
) -> None:
    response = mallory_client.post(CREATE, {**NEW_ORG, "name": name})

    assert response.status_code == 302
    created = Organization.objects.get(name=name)
    assert created.name_skeleton == name_skeleton(name)


def test_the_stored_name_keeps_no_invisible_characters(mallory_client: Client) -> None:
    mallory_client.post(CREATE, {**NEW_ORG, "name": "Open\u2060 Net\u00ad Collective"})

    assert Organization.objects.filter(name="Open Net Collective").exists()
