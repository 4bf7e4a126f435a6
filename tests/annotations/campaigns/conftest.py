from collections.abc import Callable

import pytest

from accounts.models import User
from annotations.models import Annotation
from annotations.services import annotation_create
from tests.factories import VerifiedUserFactory, import_small_treaty
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
