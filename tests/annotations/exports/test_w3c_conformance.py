"""The W3C Web Annotation test suite's MUST assertions on our JSON-LD (issue 7), and a JSON-LD
expansion that must keep every key.

The suite (JSON Schemas, draft-04) is copied into tests/fixtures/w3c/ (see its README for the
source commits): CI runs from a fresh clone, where ../shared may not exist. A `.test` file lists
assertion schemas; a document passes when every assertion whose `assertionType` is `must` gives its
`expectedResult`. Defaults as in the suite's runner (WPT's JSONtest.js): `must` and `valid`.
"""

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from jsonschema import Draft4Validator
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from annotations.exports import webannotation
from annotations.exports.api import streams as exports_api
from annotations.moderation.services import moderate
from annotations.services import QuoteInput, annotation_create, endorsement_create

pytestmark = pytest.mark.django_db

W3C = Path(__file__).resolve().parents[2] / "fixtures" / "w3c"
SUITE = W3C / "annotation-model"
ANNO_CONTEXT_FILE = W3C / "jsonld-context" / "anno.jsonld"

ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"
# How many assertions each .test lists at the bundled commit: a truncated copy must not pass quietly.
ASSERTION_COUNTS = {ANNOTATION_MUSTS: 54, COLLECTION_MUSTS: 10, PAGE_MUSTS: 15}


# --- The suite's runner, in Python ------------------------------------------------------------


@dataclass(frozen=True)
class Assertion:
    path: str
    assertion_type: str
    expect_valid: bool
    error_message: str
    validator: Draft4Validator

    def passes(self, document: object) -> bool:
        return self.validator.is_valid(document) == self.expect_valid


def _read_json(path: Path) -> Any:
    if not path.is_file():
        # Loud on purpose: a missing suite must fail the run, never skip it.
        raise AssertionError(f"W3C test suite file missing: {path} (tests/fixtures/w3c/README.md)")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    """The suite's shared definitions, found by their draft-04 `id` ("annotations.json", …).

    The ids are relative and every assertion's `id` is a bare file name too, so a `$ref` such as
    "id.json#/definitions/stringUri" resolves to the key "id.json" here: nothing is fetched.
    """
    resources = []
    for path in sorted((SUITE / "definitions").glob("*.json")):
        schema = _read_json(path)
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    assert len(resources) == 7, f"expected the suite's 7 definition files, found {len(resources)}"
    return Registry().with_resources(resources)


@cache
def suite_assertions(test_file: str) -> tuple[Assertion, ...]:
    test = _read_json(SUITE / test_file)
    assertions = []
    for entry in test["assertions"]:
        # Nested groups ({"assertions": [...], "compareWith": ...}) are not used by the MUSTs files.
        assert isinstance(entry, str), f"{test_file}: unsupported assertion entry {entry!r}"
        # Paths with a slash are relative to the suite root, bare names to the .test file's folder.
        relative = entry if "/" in entry else str(Path(test_file).parent / entry)
        schema = _read_json(SUITE / relative)
        Draft4Validator.check_schema(schema)
        assertions.append(
            Assertion(
                path=relative,
                assertion_type=schema.get("assertionType", "must").lower(),
                expect_valid=schema.get("expectedResult", "valid") == "valid",
                error_message=schema.get("errorMessage", ""),
                validator=Draft4Validator(
                    schema, registry=_registry(), format_checker=Draft4Validator.FORMAT_CHECKER
                ),
            )
        )
    assert len(assertions) == ASSERTION_COUNTS[test_file], f"{test_file}: assertion list changed"
    return tuple(assertions)


def must_failures(document: object, test_file: str) -> list[str]:
    musts = [a for a in suite_assertions(test_file) if a.assertion_type == "must"]
    assert musts, f"{test_file} has no MUST assertions"
    return [f"{a.path}: {a.error_message}" for a in musts if not a.passes(document)]


def assert_conforms(document: object, test_file: str) -> None:
    failures = must_failures(document, test_file)
    assert not failures, f"{len(failures)} MUST failure(s) of {test_file}:\n" + "\n".join(failures)


# --- JSON-LD expansion, offline ---------------------------------------------------------------


def offline_loader(client: Client) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    """anno.jsonld from the fixtures and our own context from the site itself; nothing else."""

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url in ("http://www.w3.org/ns/anno.jsonld", "https://www.w3.org/ns/anno.jsonld"):
            document = _read_json(ANNO_CONTEXT_FILE)
        elif url == webannotation.marginalia_context():
            response = client.get("/ns/marginalia.jsonld")
            assert response.status_code == 200, url
            document = response.json()
        else:
            raise AssertionError(f"JSON-LD expansion tried to fetch {url}")
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def expand_keeping_every_key(document: dict[str, Any], client: Client) -> list[dict[str, Any]]:
    dropped: list[str | None] = []
    loader = offline_loader(client)
    expanded = jsonld.expand(
        copy.deepcopy(document),
        # A resolver of our own: pyld's shared cache would hide the loader (and a changed context).
        {"documentLoader": loader, "contextResolver": ContextResolver({}, loader)},  # type: ignore[typeddict-unknown-key]
        on_property_dropped=dropped.append,
    )
    assert not dropped, f"JSON-LD expansion dropped {dropped}"
    # A null is dropped silently by expansion (no callback): none may be emitted.
    assert not _null_paths(document), f"null values are lost in JSON-LD: {_null_paths(document)}"
    return expanded


def _null_paths(value: object, path: str = "$") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _null_paths(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _null_paths(item, f"{path}[{index}]")]
    return []


def _expanded_values(nodes: object, iri: str) -> list[object]:
    """Every value of the property `iri` anywhere in an expanded document."""
    found: list[object] = []
    if isinstance(nodes, list):
        for node in nodes:
            found += _expanded_values(node, iri)
    elif isinstance(nodes, dict):
        for key, value in nodes.items():
            if key == iri:
                found += [v.get("@value", v.get("@id")) if isinstance(v, dict) else v for v in value]
            found += _expanded_values(value, iri)
    return found


def ns(term: str) -> str:
    return f"{settings.SITE_URL}/ns#{term}"


# --- Documents ----------------------------------------------------------------------------------


@pytest.fixture
def varied(version, alice, mallory, mod):  # type: ignore[no-untyped-def]
    """One annotation of each shape the export writes."""
    made = {
        "quoted": annotation_create(
            author=alice,
            version=version,
            provision_key="art-2.1",
            quote=QuoteInput(exact="interception"),
            tags=["privacy"],
            severity=3,
            position="oppose",
            body="Quoted: no judicial authorisation.",
        ),
        "unquoted": annotation_create(
            author=alice,
            version=version,
            provision_key="art-3",
            tags=["privacy"],
            severity=1,
            position="clarify",
            body="Whole provision.",
        ),
        "anonymous": annotation_create(
            author=mallory,
            version=version,
            provision_key="art-2.2.b.ii",
            quote=QuoteInput(exact="item"),
            tags=["gender"],
            severity=2,
            position="concern",
            body="Anonymous worry",
            attribution="anonymous",
        ),
        "proposed": annotation_create(
            author=alice,
            version=version,
            provision_key="art-2.2.a",
            tags=["privacy"],
            severity=2,
            position="amend",
            body="Say it better.",
            proposed_text="a sample point, subject to judicial review;",
        ),
        "several_tags": annotation_create(
            author=mallory,
            version=version,
            provision_key="pre.1",
            tags=["privacy", "gender", "surveillance-powers"],
            severity=3,
            position="delete",
            body="Ünïcödé and عربي, “quotes”.",
            attribution="organization",
        ),
    }
    endorsement_create(annotation=made["quoted"], user=mallory)
    hidden = annotation_create(
        author=mallory,
        version=version,
        provision_key="art-1",
        tags=["gender"],
        severity=2,
        position="clarify",
        body="Rejected one",
    )
    moderate(item=hidden, moderator=mod, action="reject", reason="Off topic")
    return made, hidden


def _single(client: Client, pk: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/annotations/{pk}/?format=jsonld")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    document: dict[str, Any] = response.json()
    return document


def _pages(client: Client, collection: dict[str, Any]) -> Iterator[dict[str, Any]]:
    url: str | None = collection["first"]
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        page: dict[str, Any] = json.loads(b"".join(response.streaming_content))
        yield page
        url = page.get("next")


EXPORT = "/api/v1/treaties/sample/annotations/export/?format=jsonld"


# --- The runner can fail -----------------------------------------------------------------------


def test_the_runner_accepts_the_suites_correct_samples_and_rejects_its_incorrect_ones() -> None:
    samples = SUITE / "tools" / "samples"
    correct = {path.stem: _read_json(path) for path in (samples / "correct").glob("*.json")}
    annotations = {name: doc for name, doc in correct.items() if doc.get("type") == "Annotation"}
    assert len(annotations) == 41
    failing = {name for name, doc in annotations.items() if must_failures(doc, ANNOTATION_MUSTS)}
    # Upstream quirk: 3.2-targetObjectsRecognized knows no Composite, List or Independents target,
    # so the suite's own samples of those three fail it. Nothing else may.
    assert failing == {"anno11", "anno12", "anno13"}
    assert {annotations[name]["target"]["type"] for name in failing} == {"Composite", "List", "Independents"}
    assert must_failures(correct["collection1"], COLLECTION_MUSTS) == []

    parsed = 0
    for path in sorted((samples / "incorrect").glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue  # several are deliberately not JSON: a parser's job, not a schema's
        parsed += 1
        assert must_failures(document, ANNOTATION_MUSTS), f"incorrect sample {path.name} passed"
    assert parsed == 22


def test_format_checks_are_on() -> None:
    """Without jsonschema's format extras, "format": "uri" and "date-time" would pass anything."""
    good = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "target": "http://example.org/page1",
        "created": "2026-01-31T12:00:00Z",
    }
    assert must_failures(good, ANNOTATION_MUSTS) == []
    assert must_failures({**good, "id": "not an iri"}, ANNOTATION_MUSTS)
    assert must_failures({**good, "created": "2026-01-31 12:00"}, ANNOTATION_MUSTS)
    assert must_failures({**good, "created": "2026-01-31T12:00:00"}, ANNOTATION_MUSTS)  # no offset


# --- Our documents ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["quoted", "unquoted", "anonymous", "proposed", "several_tags"])
def test_single_annotation_passes_every_must(varied, anon, shape) -> None:
    made, _hidden = varied
    document = _single(anon, made[shape].pk)
    assert_conforms(document, ANNOTATION_MUSTS)
    expanded = expand_keeping_every_key(document, anon)
    assert _expanded_values(expanded, ns("severity")) == [made[shape].severity]
    assert _expanded_values(expanded, ns("position")) == [made[shape].position]
    assert _expanded_values(expanded, ns("featured")) == [False]
    assert _expanded_values(expanded, ns("status")) == []  # the public never see a status


def test_the_shapes_differ_as_intended(varied, anon) -> None:
    """Guards the test above: each shape really exercises its part of the document."""
    made, _hidden = varied
    quoted = _single(anon, made["quoted"].pk)
    refined = [s["refinedBy"]["type"] for s in quoted["target"]["selector"]]
    assert refined == ["TextQuoteSelector", "TextPositionSelector"]
    assert _single(anon, made["unquoted"].pk)["target"]["selector"]["type"] == "FragmentSelector"
    assert _single(anon, made["anonymous"].pk)["creator"] == {"type": "Person", "name": "Anonymous"}
    purposes = [b["purpose"] for b in _single(anon, made["proposed"].pk)["body"]]
    assert purposes == ["commenting", "tagging", "assessing", "editing"]
    tags = [b["value"] for b in _single(anon, made["several_tags"].pk)["body"] if b["purpose"] == "tagging"]
    assert sorted(tags) == ["gender", "privacy", "surveillance-powers"]


def test_moderators_single_annotation_with_status_passes_every_must(varied, mod_client) -> None:
    _made, hidden = varied
    document = _single(mod_client, hidden.pk)
    assert_conforms(document, ANNOTATION_MUSTS)
    expanded = expand_keeping_every_key(document, mod_client)
    assert _expanded_values(expanded, ns("status")) == ["rejected"]


def test_collection_its_pages_and_their_items_pass_every_must(varied, anon, monkeypatch) -> None:
    monkeypatch.setattr(exports_api, "JSONLD_PAGE_SIZE", 2)  # five annotations: three pages
    collection = anon.get(EXPORT).json()
    assert collection["total"] == 5
    assert_conforms(collection, COLLECTION_MUSTS)
    expand_keeping_every_key(collection, anon)

    pages = list(_pages(anon, collection))
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert "prev" in pages[1] and "next" in pages[1]
    assert pages[-1]["id"] == collection["last"]
    for page in pages:
        assert_conforms(page, PAGE_MUSTS)
        expanded = expand_keeping_every_key(page, anon)
        assert len(_expanded_values(expanded, ns("severity"))) == len(page["items"])
        for item in page["items"]:
            assert "@context" not in item
            assert_conforms({"@context": page["@context"], **item}, ANNOTATION_MUSTS)


def test_moderators_pages_with_status_pass_every_must(varied, mod_client) -> None:
    collection = mod_client.get(EXPORT).json()
    assert collection["total"] == 6
    assert_conforms(collection, COLLECTION_MUSTS)
    (page,) = _pages(mod_client, collection)
    assert_conforms(page, PAGE_MUSTS)
    for item in page["items"]:
        assert_conforms({"@context": page["@context"], **item}, ANNOTATION_MUSTS)
    expanded = expand_keeping_every_key(page, mod_client)
    assert sorted(_expanded_values(expanded, ns("status"))) == ["approved"] * 5 + ["rejected"]


def test_an_empty_collection_passes_every_must(version, anon) -> None:
    collection = anon.get(EXPORT).json()
    assert collection["total"] == 0
    assert_conforms(collection, COLLECTION_MUSTS)
    expand_keeping_every_key(collection, anon)


def test_a_broken_document_fails_loudly(varied, anon) -> None:
    """The same checks on a spoiled copy of a real document: each must catch it."""
    made, _hidden = varied
    document = _single(anon, made["quoted"].pk)
    assert must_failures({**document, "id": "annotation 1"}, ANNOTATION_MUSTS)
    assert must_failures({**document, "created": "2026-01-31T12:00:00"}, ANNOTATION_MUSTS)
    assert must_failures({k: v for k, v in document.items() if k != "target"}, ANNOTATION_MUSTS)
    with pytest.raises(AssertionError, match="dropped"):
        expand_keeping_every_key({**document, "severity": 3}, anon)
    with pytest.raises(AssertionError, match="null"):
        expand_keeping_every_key({**document, "marginalia:position": None}, anon)
