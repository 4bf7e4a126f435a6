"""Celery task names are part of the running system (issue 13): messages published under the
names of the previous release still run after a deploy, on the same queue, with the same options;
the beat schedule names tasks that exist."""

import pytest

from annotations.tasks import OLD_TASK_NAMES
from config.celery import app as celery_app

OPTIONS = ("acks_late", "soft_time_limit", "time_limit", "autoretry_for", "retry_backoff", "max_retries")


def _queue(name: str) -> str:
    return celery_app.amqp.router.route({}, name)["queue"].name


def test_every_task_of_the_previous_release_is_still_registered() -> None:
    before_the_split = {
        "annotations.tasks.decision_email_task",
        "annotations.tasks.reply_email_task",
        "annotations.tasks.article_heat_refresh_task",
        "annotations.tasks.heat_totals_refresh_task",
        "annotations.tasks.heat_reconcile_task",
        "annotations.tasks.export_job_run_task",
        "annotations.tasks.export_files_purge_task",
        "annotations.tasks.export_jobs_requeue_task",
    }
    assert before_the_split <= set(celery_app.tasks)


@pytest.mark.parametrize("old_name", sorted(OLD_TASK_NAMES))
def test_an_old_name_runs_on_the_queue_and_with_the_options_of_the_task_it_stands_for(old_name: str) -> None:
    old, new = celery_app.tasks[old_name], OLD_TASK_NAMES[old_name]
    assert new.name != old_name and new.name in celery_app.tasks
    assert _queue(old_name) == _queue(new.name)
    assert {o: getattr(old, o, None) for o in OPTIONS} == {o: getattr(new, o, None) for o in OPTIONS}


def test_queues_per_kind_of_work() -> None:
    assert _queue("annotations.heat.tasks.article_heat_refresh_task") == "aggregate"
    assert _queue("annotations.exports.tasks.export_job_run_task") == "export"
    assert _queue("annotations.moderation.tasks.decision_email_task") == "default"
    assert _queue("annotations.tasks.reply_email_task") == "default"


def test_the_beat_schedule_names_registered_tasks() -> None:
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry


def test_an_old_name_runs_the_moved_task(db) -> None:  # type: ignore[no-untyped-def]
    # Published by the previous release with its old name: the reconcile finds nothing dirty.
    result = celery_app.tasks["annotations.tasks.heat_reconcile_task"].apply(args=(0,))
    assert result.successful() and result.get() == 0
