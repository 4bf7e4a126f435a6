"""Schemathesis against our own OpenAPI schema (issue 7, DESIGN §7): for every operation in
/api/schema/, generated requests (valid and invalid) must never get a server error, and every answer
must be one the schema documents (status code, content type, body).

In-process: the WSGI app is called directly (no server), inside the test's database transaction,
with the small sample treaty and a few annotations in it. Bounded and deterministic: a fixed seed,
at most MAX_EXAMPLES generated cases per operation, no example database, no coverage/stateful phase.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20_260_131,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


@pytest.fixture
def seeded(db: None, alice: Any, mallory: Any, mod: Any) -> dict[str, Any]:
    """The sample treaty, annotations of each kind, and an API token for alice."""
    from accounts.services.api_tokens import api_token_create
    from annotations.models import Annotation, Reply
    from annotations.moderation.services import moderate
    from annotations.services import QuoteInput, annotation_create, endorsement_create, reply_create
    from tests.factories import import_small_treaty

    version = import_small_treaty().version
    quoted = annotation_create(
        author=alice,
        version=version,
        provision_key="art-2.1",
        quote=QuoteInput(exact="interception"),
        tags=["privacy", "surveillance-powers"],
        severity=3,
        position="oppose",
        body="No judicial authorisation.",
    )
    annotation_create(
        author=mallory,
        version=version,
        provision_key="art-3",
        tags=["gender"],
        severity=1,
        position="amend",
        body="Anonymous worry",
        proposed_text="Better words",
        attribution="anonymous",
    )
    rejected = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-1",
        tags=["gender"],
        severity=2,
        position="clarify",
        body="Rejected one",
    )
    moderate(item=rejected, moderator=mod, action="reject", reason="Off topic")
    endorsement_create(annotation=quoted, user=mallory)
    reply_create(annotation=quoted, author=mallory, body="Agreed.", parent_id=None)
    _token, key = api_token_create(user=alice, name="schemathesis")
    annotation_ids = sorted(Annotation.objects.values_list("pk", flat=True))
    return {
        "alice_token": key,
        # Path parameters to aim at, by the path's first segment after /api/v1/ and the name.
        "targets": {
            ("annotations", "id"): annotation_ids,
            ("replies", "id"): sorted(Reply.objects.values_list("pk", flat=True)),
            ("treaties", "slug"): ["sample"],
            ("treaties", "number"): ["1", "2", "3"],
            ("organizations", "slug"): ["digital-rights-watch", "mallory-monitoring"],
        },
    }


@pytest.fixture(autouse=True)
def no_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    # Hundreds of requests in a minute: rate limits (tested in their own tests) would turn the run
    # into a test of the throttle and make it depend on the cache left by earlier runs.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture(autouse=True)
def connection_kept_across_requests() -> Iterator[None]:
    """What django.test.Client does: the WSGI app must not close the test's database connection at
    the end of each request (close_old_connections), or the test transaction goes with it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _load_schema() -> Any:
    # Loaded when the module is collected (pytest-django has set Django up by then): the lazy
    # `schemathesis.pytest.from_fixture` loader does not work with pytest 9 (it sets Node._nodeid).
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application, config=CONFIG)


schema = _load_schema()


# The data is made once per test and shared by its generated cases (writes accumulate, as on a site).
SHARED_DATA = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _aim_at_seeded_objects(case: Any, targets: dict[tuple[str, str], list[Any]]) -> None:
    """Generated ids and slugs almost never name an existing object, so nearly every case would
    test a 404: two cases in three are pointed at the seeded data instead (chosen from the
    generated value, so the run stays deterministic)."""
    resource = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    for name, value in (case.path_parameters or {}).items():
        choices = targets.get((resource, name))
        if choices and len(str(value)) % 3:
            case.path_parameters[name] = choices[len(str(value)) % len(choices)]


def _call_and_validate(case: Any, seeded: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    _aim_at_seeded_objects(case, seeded["targets"])
    # Answers are gzipped when the client accepts it (config.settings, GZipMiddleware); this
    # in-process WSGI client asks for gzip but never decodes it, as a real HTTP client would.
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    response = case.call(headers=headers)
    if response.status_code == 404 and not _routed(response.request.url):
        # A generated path parameter that no URL pattern accepts ("/annotations/0.5/"): Django's
        # own 404 page answers, not the API: a 404 is the right answer, but not in the API's shape.
        return
    case.validate_response(response, checks=CHECKS, headers=headers)


def _routed(url: str) -> bool:
    try:
        resolve(unquote(urlsplit(url).path))
    except Resolver404:
        return False
    return True


@schema.parametrize()
@SHARED_DATA
def test_api_as_anonymous(case: Any, seeded: dict[str, Any]) -> None:
    _call_and_validate(case, seeded)


@schema.parametrize()
@SHARED_DATA
def test_api_as_verified_user(case: Any, seeded: dict[str, Any]) -> None:
    _call_and_validate(case, seeded, headers={"Authorization": f"Token {seeded['alice_token']}"})
