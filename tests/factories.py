"""Factories and small hand-built treaty trees, independent of the import parsers."""

import factory
from django.utils import timezone
from django.utils.text import slugify

from accounts.lookalike_names import name_skeleton
from accounts.models import Membership, Organization, User
from treaty.importers.tree import Document, Node, finalize
from treaty.models import DraftVersion, Provision, Treaty
from treaty.services import ImportResult, version_import

Kind = Provision.Kind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("name")
    # Hashed before the row is written (a post-generation set_password was never saved, which left
    # every factory user with an empty password and logged force_login() clients out again).
    password = factory.django.Password("correct horse battery staple")


def small_document(language: str = "en") -> Document:
    """Two chapters, three articles, a preamble and a closing line: every key rule in miniature.

    The words are placeholders written for tests, not treaty text.
    """
    article_1 = Node(Kind.ARTICLE, 5, "1", "Article 1", "Purpose", "Placeholder purpose text.")
    article_2 = Node(
        Kind.ARTICLE,
        8,
        "2",
        "Article 2",
        "Sample interception",
        children=[
            Node(Kind.PARAGRAPH, 9, "1", "1.", text="First sample paragraph about interception:"),
            Node(
                Kind.PARAGRAPH,
                10,
                "2",
                "2.",
                text="Second sample paragraph:",
                children=[
                    Node(Kind.SUBPARAGRAPH, 11, "a", "a)", text="a sample point;"),
                    Node(
                        Kind.SUBPARAGRAPH,
                        12,
                        "b",
                        "b)",
                        text="another point with items:",
                        children=[
                            Node(Kind.ITEM, 13, "i", "(i)", text="item one;"),
                            Node(Kind.ITEM, 14, "ii", "(ii)", text="item two,"),
                            Node(Kind.TEXT, 15, text="closing words of the point."),
                        ],
                    ),
                ],
            ),
        ],
    )
    article_3 = Node(Kind.ARTICLE, 18, "3", "Article 3", "Final sample", "Placeholder closing article.")
    document = Document(
        title="Sample Convention",
        language=language,
        nodes=[
            Node(
                Kind.PREAMBLE,
                2,
                heading="Preamble",
                children=[Node(Kind.RECITAL, 3, text="Sample recital one;")],
            ),
            Node(Kind.CHAPTER, 4, "1", "I", "General", children=[article_1]),
            Node(Kind.CHAPTER, 7, "2", "II", "Substance", children=[article_2, article_3]),
            Node(Kind.TEXT, 20, text="SAMPLE CLOSING FORMULA."),
        ],
    )
    return finalize(document)


def import_small_treaty(slug: str = "sample", label: str = "S/1", language: str = "en") -> ImportResult:
    return version_import(
        treaty_slug=slug, label=label, document=small_document(language), source_format="test"
    )


def treaty_with_version(slug: str = "sample") -> tuple[Treaty, DraftVersion]:
    result = import_small_treaty(slug)
    return result.version.treaty, result.version


class VerifiedUserFactory(UserFactory):
    """A user who followed the confirmation link: the condition for every write."""

    email_verified_at = factory.LazyFunction(timezone.now)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An unverified organisation; `OrganizationFactory(verified=True)` for a verified one."""

    class Meta:
        model = Organization

    class Params:
        verified = factory.Trait(
            verified_at=factory.LazyFunction(timezone.now),
            verification_note="Checked the registry (test).",
        )

    name = factory.Sequence(lambda n: f"Organisation {n}")
    name_skeleton = factory.LazyAttribute(lambda o: name_skeleton(o.name))
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    type = Organization.Type.NGO
    country = "DE"
    website = "https://example.org/"


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member by default; pass role=Membership.Role.ADMIN or status=…REQUESTED."""

    class Meta:
        model = Membership

    user = factory.SubFactory(VerifiedUserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    decided_at = factory.LazyAttribute(
        lambda m: None if m.status == Membership.Status.REQUESTED else timezone.now()
    )
