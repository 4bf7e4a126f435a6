"""Issue 17 §1: an organisation that only posts anonymously leaves no trace an outsider can find.

The site is built twice, identical but for one thing: the anonymous annotations and the anonymous
reply are written by a member of "Quietude Lantern Society" (it took part) or by a user of no
organisation (it did not). An anonymous visitor and a signed-in member of another organisation
crawl every public page, API answer and export (tests/annotations/privacy/crawl.py: every URL
pattern, every GET of the API schema, every link and filter found). Whatever they read must be the
same in both sites, and besides:
- the organisation's name, slug, id and country appear in no answer but the pages about the
  organisation itself (its directory entry and page, the same in both sites);
- every time is to the minute, in bodies and in Last-Modified;
- ids say nothing of the order of writing (tests/annotations/privacy/test_public_ids.py).
"""

import random
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from accounts.models import Membership, Organization, User
from annotations.heat.aggregation import heat_rebuild
from annotations.models import Annotation, Reply, Status
from annotations.moderation.services import moderate
from annotations.services import annotation_create, endorsement_create, reply_create
from tests.annotations.privacy.crawl import Fill, Response, crawl, resolver_patterns, schema_urls
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory

pytestmark = pytest.mark.django_db

HIDDEN_NAME, HIDDEN_SLUG, HIDDEN_COUNTRY = "Quietude Lantern Society", "quietude-lantern-society", "LI"
HIDDEN_TYPE = Organization.Type.INTERGOVERNMENTAL
# Pages about an organisation itself name it whether or not it took part (the differential check
# still holds them to "the same in both sites").
ABOUT_ORGANISATIONS = ("/accounts/organisations/", "/api/v1/organizations/", "/accounts/signup/")
# The persona's own account (its data download): its own times, at the precision stored.
OWN_ACCOUNT = ("/accounts/profile/",)
WRITTEN = datetime(2026, 11, 20, 10, 31, 27, 123456, tzinfo=UTC)
PRECISE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:(?!00(?![.,]\d))\d\d|\d\d:\d\d:\d\d[.,]\d")


def _annotate(version, author, key: str, attribution: str | None = None, **extra):  # type: ignore[no-untyped-def]
    annotation = annotation_create(
        author=author,
        version=version,
        provision_key=key,
        tags=["privacy", "surveillance-powers"],
        severity=3,
        position="oppose",
        body=f"Placeholder comment on {key} ({attribution or 'attributed'}).",
        attribution=attribution,
        **extra,
    )
    Annotation.objects.filter(pk=annotation.pk).update(status=Status.APPROVED)
    return annotation


@pytest.fixture
def site(version, alice, mod):  # type: ignore[no-untyped-def]
    """Everything both sites share: three organisations writing openly, their replies and an
    endorsement; the hidden organisation and its member; an unaffiliated user."""
    hidden = OrganizationFactory(
        name=HIDDEN_NAME, slug=HIDDEN_SLUG, country=HIDDEN_COUNTRY, type=HIDDEN_TYPE, verified=True
    )
    hushed = VerifiedUserFactory(display_name="Hushed Member", attribution_preference="anonymous")
    MembershipFactory(user=hushed, organization=hidden, role=Membership.Role.ADMIN)
    loner = VerifiedUserFactory(display_name="Unaffiliated Writer", attribution_preference="anonymous")
    writers = [alice]
    for name, country in (("Open Beta Forum", "KE"), ("Open Gamma Lab", "BR")):
        user = VerifiedUserFactory(display_name=f"Member of {name}")
        MembershipFactory(
            user=user, organization=OrganizationFactory(name=name, country=country, verified=True)
        )
        writers.append(user)
    _seeded_ids(1)
    opened = [_annotate(version, w, key) for w in writers for key in ("art-2.1", "art-3")]
    reply_create(annotation=opened[0], author=writers[1], body="An open reply.")
    endorsement_create(annotation=opened[0], user=writers[2])
    return {
        "version": version,
        "hushed": hushed,
        "loner": loner,
        "hidden": hidden,
        "mod": mod,
        "opened": opened,
        "outsider": alice,
    }


def _seeded_ids(seed: int) -> None:
    """Random ids drawn the same way in both sites, so that their answers can be compared."""
    import annotations.public_ids as public_ids

    rng = random.Random(seed)
    public_ids.secrets = type("Seeded", (), {"randbelow": staticmethod(rng.randrange)})  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _restore_secrets() -> Iterator[None]:
    import secrets

    import annotations.public_ids as public_ids

    yield
    public_ids.secrets = secrets  # type: ignore[attr-defined]


def _write_anonymously(site, author: User) -> list[int]:  # type: ignore[no-untyped-def]
    version = site["version"]
    _seeded_ids(2)
    quoted = _annotate(version, author, "art-2.1", attribution="anonymous")
    whole = _annotate(version, author, "art-3", attribution="anonymous")
    reply = reply_create(annotation=site["opened"][0], author=author, body="An anonymous reply.")
    assert reply.attribution == "anonymous"
    moderate(item=whole, moderator=site["mod"], action="feature")
    for pk in (quoted.pk, whole.pk):
        Annotation.objects.filter(pk=pk).update(created_at=WRITTEN, updated_at=WRITTEN)
    Reply.objects.filter(pk=reply.pk).update(created_at=WRITTEN, updated_at=WRITTEN)
    heat_rebuild(versions=[version])
    return [quoted.pk, whole.pk, reply.pk]


def _fill(site, anonymous_ids: list[int]) -> Fill:  # type: ignore[no-untyped-def]
    opened = site["opened"][0]
    ids = [
        str(pk) for pk in (*anonymous_ids, opened.pk, opened.replies.exclude(pk__in=anonymous_ids).get().pk)
    ]
    organisations = [HIDDEN_SLUG, "digital-rights-watch"]
    return Fill(
        values={
            "slug": organisations,
            "number": ["2", "3"],
            "pk": [*ids, str(site["hushed"].memberships.get().pk), str(site["version"].pk)],
            "id": ids,
            "key": ["ch-2", "pre"],
            "token": ["not-a-token"],
            "token_id": ["1"],
            "uidb64": ["MQ"],
            "message_id": ["1"],
            "organization": organisations,
            "country": [HIDDEN_COUNTRY, "DE"],
            "organization_type": [HIDDEN_TYPE, "ngo"],
            "tag": ["privacy"],
            "treaty": ["sample"],
            "article": ["2", "3"],
            "q": ["Placeholder"],
        },
        under={prefix: {"slug": ["sample"]} for prefix in ("treaties/", "api/v1/treaties/")},
        probes={
            "treaties/": [
                {"country": HIDDEN_COUNTRY},
                {"organization_type": HIDDEN_TYPE},
                {"organization": HIDDEN_SLUG},
                {"q": "Placeholder"},
                {"unit": "art-2", "tag": "privacy"},
                {"unit": "art-3", "tag": "surveillance-powers"},
            ]
        },
    )


def _site_as_seen(site, took_part: bool) -> dict[str, dict[str, Response]]:  # type: ignore[no-untyped-def]
    """Both personas' crawls of the site in which the hidden organisation took part or not; the
    writes are rolled back afterwards."""
    with transaction.atomic():
        anonymous_ids = _write_anonymously(site, site["hushed"] if took_part else site["loner"])
        fill = _fill(site, anonymous_ids)
        seen = {}
        for persona in ("anonymous", "outsider"):
            cache.clear()  # throttle counts and cached answers start afresh in both sites
            client = Client()
            if persona == "outsider":
                client.force_login(site["outsider"])
            seeds = fill.seeds(resolver_patterns()) + schema_urls(client, fill)
            seen[persona] = crawl(client, seeds)
        seen["ids"] = anonymous_ids  # type: ignore[assignment]
        transaction.set_rollback(True)
    return seen


TODAY = date.today()
_NOW_FORMS = re.compile(
    rf"{TODAY:%Y-%m-%d}[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?"
    rf"|{TODAY.day} {TODAY:%B %Y}, \d\d:\d\d|{TODAY:%Y%m%d}[-T]?\d{{4,6}}Z?"
    r"|\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT|\d+ (?:s|min|h) ago"
)
_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|nonce-)[^"\';]+')
_IGNORED_HEADERS = {"Date", "ETag", "Set-Cookie", "Content-Length", "Last-Modified", "Expires"}


def _normalised(response: Response) -> tuple[int, dict[str, str], str]:
    def clean(text: str) -> str:
        return _NOW_FORMS.sub("NOW", _TOKENS.sub(r"\1TOKEN", text))

    headers = {k: clean(v) for k, v in response.headers.items() if k not in _IGNORED_HEADERS}
    return response.status, headers, clean(response.body)


def _difference(seen: tuple[int, dict[str, str], str], control: tuple[int, dict[str, str], str]) -> str:
    if seen[:2] != control[:2]:
        return f"{seen[:2]} ≠ {control[:2]}"
    start = (
        next(i for i, (a, b) in enumerate(zip(seen[2], control[2], strict=False)) if a != b)
        if seen[2][:1]
        else 0
    )
    return f"…{seen[2][max(0, start - 60) : start + 60]!r} ≠ …{control[2][max(0, start - 60) : start + 60]!r}"


def test_an_organisation_posting_only_anonymously_cannot_be_seen_to_take_part(site, settings) -> None:
    # Every breakdown shown, down to one organisation: the strictest test of "anonymous counts in no
    # country or type" (the default threshold would hide the small cells anyway).
    settings.HEAT_MIN_ORGANIZATIONS = 1
    took_part = _site_as_seen(site, took_part=True)
    did_not = _site_as_seen(site, took_part=False)
    assert took_part["ids"] == did_not["ids"]
    hidden = site["hidden"]
    # Each mark of the organisation, and what a URL holds when the mark is its own filter said back
    # (feedback's provenance, the heatmap's "organisations from Liechtenstein"): the question, not
    # an answer.
    country = f"={HIDDEN_COUNTRY}"
    markers = {
        HIDDEN_NAME: HIDDEN_SLUG,
        HIDDEN_SLUG: HIDDEN_SLUG,
        "Liechtenstein": country,
        f'"{HIDDEN_COUNTRY}"': country,
        country: country,
        f"/organisations/{hidden.pk}/": None,
        f'"organization": {hidden.pk}': None,
    }
    problems: list[str] = []
    for persona in ("anonymous", "outsider"):
        seen, control = took_part[persona], did_not[persona]
        assert len(seen) > 300, f"the crawl read only {len(seen)} URLs"
        assert set(seen) == set(control), set(seen) ^ set(control)
        for url, response in seen.items():
            where = f"{persona} GET {url}"
            if response.status == 429:
                problems.append(f"{where}: throttled, so not checked")
            if _normalised(response) != _normalised(control[url]):
                problems.append(
                    f"{where}: differs from the site where the organisation did not take part: "
                    + _difference(_normalised(response), _normalised(control[url]))
                )
            text = response.body + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            if not url.startswith(ABOUT_ORGANISATIONS):
                named = [m for m, echo in markers.items() if m in text and not (echo and echo in url)]
                problems += [f"{where}: names the organisation ({m})" for m in named]
            if not url.startswith(OWN_ACCOUNT):
                problems += [f"{where}: a time to the second: {t}" for t in PRECISE.findall(response.body)]
            modified = response.headers.get("Last-Modified", "")
            if modified and not modified.endswith(":00 GMT"):
                problems.append(f"{where}: Last-Modified to the second: {modified}")
    problems = list(dict.fromkeys(problems))
    assert not problems, "\n".join(problems[:80]) + f"\n… {len(problems)} problems"
