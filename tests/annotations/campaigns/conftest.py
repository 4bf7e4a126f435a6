from collections.abc import Callable

import pytest

from accounts.models import Membership, User
from annotations.models import Annotation
from annotations.services import annotation_create
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory, import_small_treaty
from treaty.models import DraftVersion

LETTER = (
    "We oppose this article because it criminalises security research without any intent "
    "requirement. Researchers who report flaws in good faith would face prosecution. "
    "Please add a public interest defence for researchers and journalists."
)
OTHER = (
    "The data retention period in this paragraph is far too long for subscriber information. "
    "Ninety days would match the practice of most parties."
)


@pytest.fixture
def version(db: None) -> DraftVersion:
    return import_small_treaty().version


@pytest.fixture
def comment(
    version: DraftVersion, django_capture_on_commit_callbacks: Callable[..., object]
) -> Callable[..., Annotation]:
    """Write an annotation through the service, running its grouping task as a commit would."""

    def write(
        body: str, *, author: User | None = None, attribution: str = "person", **extra: object
    ) -> Annotation:
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            return annotation_create(
                author=author or VerifiedUserFactory(),
                version=version,
                provision_key="art-2.1",
                tags=["privacy"],
                severity=2,
                position="oppose",
                body=body,
                attribution=attribution,
                **extra,  # type: ignore[arg-type]
            )

    return write


def variants(count: int) -> list[str]:
    edits = ["strongly oppose", "firmly oppose", "oppose", "really oppose", "must oppose"]
    return [
        LETTER.replace("oppose", edits[i % len(edits)]) + f"\n\nRegards,\nSigner number {i}"
        for i in range(count)
    ]


@pytest.fixture
def coalition(comment: Callable[..., Annotation], alice) -> list[Annotation]:  # type: ignore[no-untyped-def]
    """Four copies of a letter: alice's (her organisation), two members of one other NGO, and one
    anonymous member of a third organisation, whose organisation must never show."""
    ngo = OrganizationFactory(name="Second NGO", slug="second-ngo")
    hidden = OrganizationFactory(name="Hidden Org", slug="hidden-org")
    colleagues = [MembershipFactory(organization=ngo).user for _ in range(2)]
    whistleblower = MembershipFactory(organization=hidden, role=Membership.Role.MEMBER).user
    texts = variants(5)
    return [
        comment(texts[0], author=alice, attribution="organization"),
        comment(texts[1], author=colleagues[0], attribution="person"),
        comment(texts[2], author=colleagues[1], attribution="person"),
        comment(texts[3], author=whistleblower, attribution="anonymous"),
    ]
