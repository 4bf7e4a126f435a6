"""The Celery wiring end to end: publish from this process, a real worker computes, the database shows it."""

import pytest
from kombu.exceptions import OperationalError

from tests.integration.conftest import DEAD_BROKER, WorkerProcess, publishing_to
from treaty.models import DraftVersion, Provision, Treaty
from treaty.tasks import version_statistics_refresh_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

Kind = Provision.Kind


def version_with_provisions(label: str) -> DraftVersion:
    # Committed (transaction=True), so the worker's own connection can read it.
    treaty = Treaty.objects.get_or_create(slug="worker-test", defaults={"title": "Worker test"})[0]
    version = DraftVersion.objects.create(treaty=treaty, label=label)
    article = Provision.objects.create(
        version=version, key="art-1", kind=Kind.ARTICLE, label="Article 1", heading="Purpose", order=1
    )
    Provision.objects.create(
        version=version,
        key="art-1.1",
        kind=Kind.PARAGRAPH,
        label="Article 1(1)",
        text="Each Party shall adopt such measures",
        order=2,
        parent=article,
        article=article,
    )
    Provision.objects.create(
        version=version,
        key="art-2",
        kind=Kind.ARTICLE,
        label="Article 2",
        heading="Illegal access",
        text="Intentional access without right.",
        order=3,
    )
    return version


def stats_computed(version: DraftVersion) -> bool:
    return DraftVersion.objects.filter(pk=version.pk, stats_computed_at__isnull=False).exists()


def test_worker_refreshes_version_statistics(celery_worker_process: WorkerProcess) -> None:
    version = version_with_provisions("W/1")
    assert not stats_computed(version)

    version_statistics_refresh_task.delay(version.pk)

    celery_worker_process.wait_until(lambda: stats_computed(version), "the worker refreshed the statistics")
    version.refresh_from_db()
    # "Purpose" 1 + "Each Party shall adopt such measures" 6 + "Illegal access" 2
    # + "Intentional access without right." 4
    assert (version.article_count, version.provision_count, version.word_count) == (2, 3, 13)


@pytest.mark.parametrize("queue", ["default", "aggregate", "export"])
def test_worker_consumes_every_queue(celery_worker_process: WorkerProcess, queue: str) -> None:
    version = version_with_provisions(f"W/{queue}")

    version_statistics_refresh_task.apply_async(args=[version.pk], queue=queue)

    celery_worker_process.wait_until(lambda: stats_computed(version), f"a task sent to {queue!r} ran")


def test_publishing_works_again_after_a_broker_outage(celery_worker_process: WorkerProcess) -> None:
    version = version_with_provisions("W/outage")

    with publishing_to(DEAD_BROKER), pytest.raises(OperationalError):
        version_statistics_refresh_task.delay(version.pk)
    version_statistics_refresh_task.delay(version.pk)

    celery_worker_process.wait_until(lambda: stats_computed(version), "a task sent after the outage ran")
