"""`manage.py add_user EMAIL [--password P] [--organization NAME] [--moderator]` (DESIGN §8)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.models import MODERATORS_GROUP, Membership, Organization, User
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "amber-falcon-meadow-19"


def add_user(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def everything() -> tuple[int, int, int, int]:
    moderators = Group.objects.get(name=MODERATORS_GROUP).user_set.count()
    return User.objects.count(), Organization.objects.count(), Membership.objects.count(), moderators


def test_a_plain_verified_user(db: None) -> None:
    output = add_user("Reviewer@Example.org", password=PASSWORD)

    user = User.objects.get()
    assert user.email == "reviewer@example.org"
    assert user.display_name == "reviewer"
    assert user.is_verified
    assert user.check_password(PASSWORD)
    assert not user.is_moderator
    assert not user.is_staff
    assert not user.memberships.exists()
    assert output.strip() == "Created verified user reviewer@example.org."


def test_a_moderator_in_a_new_organisation_which_is_created_verified(db: None) -> None:
    output = add_user(
        "mod@example.org", password=PASSWORD, organization="  Privacy   International ", moderator=True
    )

    user = User.objects.get(email="mod@example.org")
    assert user.is_moderator
    organization = Organization.objects.get()
    assert organization.name == "Privacy International"
    assert organization.slug == "privacy-international"
    assert organization.is_verified
    assert organization.verification_note == "created by manage.py add_user"
    membership = Membership.objects.get()
    assert (membership.user, membership.role, membership.status) == (user, "admin", "active")
    # The verification is in the organisation's log like any other.
    assert list(organization.events.values_list("action", "actor", "note")) == [
        ("verified", None, "created verified by manage.py add_user")
    ]
    assert "created verified organisation 'Privacy International'" in output
    assert "moderator" in output


def test_an_existing_organisation_is_joined_in_any_case_and_keeps_its_state(db: None) -> None:
    existing = OrganizationFactory(name="Digital Rights Watch")  # unverified
    add_user("first@example.org", password=PASSWORD, organization="digital rights watch")

    output = add_user("second@example.org", password=PASSWORD, organization="DIGITAL RIGHTS WATCH")

    assert Organization.objects.count() == 1
    existing.refresh_from_db()
    assert not existing.is_verified  # only a moderator verifies an organisation that already existed
    roles = dict(existing.memberships.values_list("user__email", "role"))
    assert roles == {"first@example.org": "admin", "second@example.org": "member"}
    assert "member of 'Digital Rights Watch'" in output


def test_the_new_user_can_log_in(db: None) -> None:
    from django.test import Client

    add_user("reviewer@example.org", password=PASSWORD)

    response = Client().post("/accounts/login/", {"username": "reviewer@example.org", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("spelling", ["alice@example.org", "ALICE@example.org", "alice@ＥＸＡＭＰＬＥ.org"])
def test_an_existing_address_is_refused_and_nothing_written(alice: User, spelling: str) -> None:
    before = everything()

    with pytest.raises(CommandError) as caught:
        add_user(spelling, password=PASSWORD, organization="Brand New Org", moderator=True)

    assert (
        str(caught.value) == "A user with the address alice@example.org already exists; nothing was changed."
    )
    assert everything() == before
    assert not Organization.objects.filter(name="Brand New Org").exists()
    alice.refresh_from_db()
    assert not alice.is_moderator


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("98765432109876", "This password is entirely numeric."),
    ],
)
def test_a_weak_password_is_refused_and_nothing_written(db: None, password: str, message: str) -> None:
    before = everything()

    with pytest.raises(CommandError) as caught:
        add_user("reviewer@example.org", password=password, organization="Brand New Org", moderator=True)

    assert str(caught.value).startswith("Password refused: ")
    assert message in str(caught.value)
    assert everything() == before


def test_a_malformed_address_is_refused(db: None) -> None:
    with pytest.raises(CommandError) as caught:
        add_user("not-an-address", password=PASSWORD)

    assert str(caught.value) == "“not-an-address” is not a valid email address."
    assert not User.objects.exists()


def test_without_password_it_is_asked_for(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never on the command line by default: it would stay in the shell history.
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)

    add_user("reviewer@example.org")

    assert User.objects.get().check_password(PASSWORD)
