"""Shared fixtures and personas (STYLE: alice, mod, mallory, anon)."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from django.test import Client
    from rest_framework.test import APIClient

    from accounts.models import Organization, User

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
BUDAPEST_MD = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"
ARABIC_PARTIAL = REPO_ROOT / "tests" / "fixtures" / "un_cybercrime_convention_ar_arts1-15_partial.md"


@pytest.fixture
def budapest_text() -> str:
    return BUDAPEST_MD.read_text(encoding="utf-8")


@pytest.fixture
def arabic_text() -> str:
    return ARABIC_PARTIAL.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def concern_tags(request: pytest.FixtureRequest) -> None:
    """Transactional tests (threads, a real worker, a browser) run on a database that is flushed
    after each one, rows written by data migrations included: re-seed the concern tags before each
    (as the migration does), or a transactional test would leave the next one without tags.
    tests/e2e/conftest.py has its own, for the live server."""
    import importlib

    from django.apps import apps as django_apps

    seed = importlib.import_module("annotations.migrations.0002_seed_concern_tags").seed
    if "transactional_db" in request.fixturenames or _is_transactional(request):
        request.getfixturevalue("transactional_db")
        seed(django_apps, None)
        return
    # Every other database test runs in a transaction on whatever the last transactional test
    # left: pytest-django runs those last, but a test that reaches a live server or the database
    # through another fixture can come earlier and leave the tags flushed. Seeded here if missing
    # (inside the test's transaction, so rolled back with it).
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        from annotations.models import ConcernTag

        if not ConcernTag.objects.exists():
            seed(django_apps, None)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture(autouse=True)
def celery_eager_unless_integration(request: pytest.FixtureRequest) -> Iterator[None]:
    """Unit tests run tasks inline; only `integration` tests publish to the real broker for a real worker.

    This keeps unit tests from leaving messages on the shared broker for the integration worker.
    """
    if request.node.get_closest_marker("integration"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


# --- Personas (STYLE "Tests") ---------------------------------------------------------------
# alice runs the verified NGO "Digital Rights Watch" (its admin); mod moderates; mallory is a
# verified user with an organisation of her own who must never touch alice's things; anon is
# nobody. Each has a logged-in Client of their own, so one test can play several of them.

PERSONA_PASSWORD = "correct horse battery staple"


@pytest.fixture
def drw() -> "Organization":
    from tests.factories import OrganizationFactory

    return OrganizationFactory(name="Digital Rights Watch", slug="digital-rights-watch", verified=True)


@pytest.fixture
def alice(drw: "Organization") -> "User":
    from accounts.models import Membership
    from tests.factories import MembershipFactory, VerifiedUserFactory

    user = VerifiedUserFactory(email="alice@example.org", display_name="Alice Activist")
    MembershipFactory(user=user, organization=drw, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def mod() -> "User":
    from django.contrib.auth.models import Group

    from accounts.models import MODERATORS_GROUP
    from tests.factories import VerifiedUserFactory

    user = VerifiedUserFactory(email="mod@example.org", display_name="Moe Moderator")
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def mallory() -> "User":
    from accounts.models import Membership
    from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory

    user = VerifiedUserFactory(email="mallory@example.net", display_name="Mallory Meddler")
    organization = OrganizationFactory(name="Mallory Monitoring", slug="mallory-monitoring")
    MembershipFactory(user=user, organization=organization, role=Membership.Role.ADMIN)
    return user


def _logged_in_client(user: "User") -> "Client":
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anon(db: None) -> "Client":
    from django.test import Client

    return Client()


@pytest.fixture
def alice_client(alice: "User") -> "Client":
    return _logged_in_client(alice)


@pytest.fixture
def mod_client(mod: "User") -> "Client":
    return _logged_in_client(mod)


@pytest.fixture
def mallory_client(mallory: "User") -> "Client":
    return _logged_in_client(mallory)


@pytest.fixture
def api_client() -> "APIClient":
    """An anonymous DRF client; `api_client.force_login(alice)` or use `api_client_as`."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_client_as(db: None) -> "Callable[[User | None], APIClient]":
    """`api_client_as(alice)`: a DRF client logged in through the real session authentication."""
    from rest_framework.test import APIClient

    def make(user: "User | None") -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make
