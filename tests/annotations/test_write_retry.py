"""Writes retried on a deadlock or a serialisation failure (issue 18, config/db_retry.py).

The first test makes PostgreSQL detect a real deadlock between two retried transactions: one is
aborted, retried, and both succeed. The second runs concurrent API writers (annotations, replies,
endorsements, flags) against a thread that recomputes the heat over and over, for a fixed time:
every write is answered 201 and stored, and the heat equals a recount at the end.
"""

import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.test import APIClient

from annotations.heat import aggregation as heat
from annotations.models import Annotation, Endorsement, Flag, Reply
from config import db_retry
from tests.annotations.heat.heat_recount import brute_force, stored
from tests.factories import MembershipFactory, OrganizationFactory, VerifiedUserFactory, import_small_treaty
from treaty.models import Treaty

WAIT = 30.0
WRITE_SECONDS = 8.0
MIN_WRITES = 6  # per writer: an endorsement, a flag, a reply and annotations


@pytest.fixture(autouse=True)
def no_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    # Many writes a second per user: the write limits (tested in their own tests) would answer 429.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


def test_only_conflicts_between_transactions_are_retried() -> None:
    class Cause(Exception):
        def __init__(self, sqlstate: str) -> None:
            self.sqlstate = sqlstate

    def error(sqlstate: str) -> OperationalError:
        wrapped = OperationalError("aborted")
        wrapped.__cause__ = Cause(sqlstate)
        return wrapped

    assert db_retry.is_transient_conflict(error("40P01"))  # deadlock_detected
    assert db_retry.is_transient_conflict(error("40001"))  # serialization_failure
    assert not db_retry.is_transient_conflict(error("55P03"))  # lock_not_available (NOWAIT)
    assert not db_retry.is_transient_conflict(error("08006"))  # the connection failed
    assert db_retry.is_transient_conflict(OperationalError("database is locked"))  # SQLite
    assert not db_retry.is_transient_conflict(ValueError("40P01"))


@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_retried_and_both_writes_succeed() -> None:
    if connection.vendor != "postgresql":
        # SQLite takes one write lock per transaction (IMMEDIATE): two writers queue, never cross.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    first = Treaty.objects.create(slug="one", title="One")
    second = Treaty.objects.create(slug="two", title="Two")
    both_locked_one = threading.Barrier(2, timeout=WAIT)
    attempts: Counter[str] = Counter()
    errors: list[BaseException] = []

    def crossing(name: str, order: list[int]) -> None:
        @db_retry.retry_on_conflict
        @transaction.atomic
        def write() -> None:
            attempts[name] += 1
            Treaty.objects.filter(pk=order[0]).update(title=f"{name} first")
            if attempts[name] == 1:
                both_locked_one.wait()  # each holds one row and now asks for the other's
            Treaty.objects.filter(pk=order[1]).update(title=f"{name} second")

        try:
            write()
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=crossing, args=("a", [first.pk, second.pk])),
        threading.Thread(target=crossing, args=("b", [second.pk, first.pk])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not errors, errors
    # PostgreSQL aborted exactly one of them (deadlock_timeout later); it ran again and succeeded.
    assert sorted(attempts.values()) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_recomputes_lose_no_write() -> None:
    version = import_small_treaty().version
    writers: list[Any] = []
    for n in range(4):
        user = VerifiedUserFactory(email=f"writer{n}@example.org")
        MembershipFactory(user=user, organization=OrganizationFactory(name=f"Writers {n}", verified=True))
        writers.append(user)
    seed_client = APIClient()
    seed_client.force_login(writers[0])
    seed = seed_client.post(
        "/api/v1/annotations/",
        {"treaty": "sample", "provision": "art-2.1", "tags": ["privacy"], "severity": 2,
         "position": "oppose", "body": "Placeholder comment to reply to."},
        format="json",
    )  # fmt: skip
    assert seed.status_code == 201, seed.content
    seed_id = seed.json()["id"]
    articles = list(
        version.provisions.filter(kind="article").values_list("pk", flat=True)  # type: ignore[attr-defined]
    )

    stop = time.monotonic() + WRITE_SECONDS
    # On a busy machine (SQLite queues every writer behind one lock) each writer still makes its
    # endorsement, flag, reply and some annotations: it goes on past `stop`, up to `hard_stop`.
    hard_stop = stop + WAIT
    finished: list[int] = []  # writers done (list.append is atomic)
    answers: Counter[str] = Counter()
    failures: list[str] = []
    created: list[int] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        client = APIClient()
        client.force_login(writers[n])
        i = 0
        try:
            while time.monotonic() < stop or (i < MIN_WRITES and time.monotonic() < hard_stop):
                i += 1
                kind, response = _one_write(client, n, i, seed_id)
                with lock:
                    answers[f"{kind} {response.status_code}"] += 1
                    if response.status_code != 201:
                        failures.append(f"{kind}: {response.status_code} {response.content[:200]!r}")
                    elif kind == "annotation":
                        created.append(response.json()["id"])
        except BaseException as error:
            failures.append(repr(error))
        finally:
            connection.close()
            finished.append(n)

    def recompute() -> None:
        try:
            while time.monotonic() < stop or (len(finished) < len(writers) and time.monotonic() < hard_stop):
                for article in articles:
                    heat.article_heat_refresh(version_id=version.pk, article_id=article)
                heat.version_totals_refresh(version_id=version.pk)
                # A breath between passes, as the worker's coalescing gives: on SQLite, whose
                # writers queue for one lock, back-to-back passes would leave writers waiting.
                time.sleep(0.05)
        except BaseException as error:
            failures.append(f"recompute: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(writers))]
    threads += [threading.Thread(target=recompute), threading.Thread(target=recompute)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WRITE_SECONDS + 2 * WAIT)
    assert not failures, (failures[:5], answers)
    assert sum(answers.values()) >= MIN_WRITES * len(writers), answers  # the run wrote, concurrently
    assert Annotation.objects.filter(pk__in=created).count() == len(created)
    assert Reply.objects.filter(annotation_id=seed_id).count() == sum(
        v for k, v in answers.items() if k.startswith("reply")
    )
    assert Endorsement.objects.filter(annotation_id=seed_id).count() == len(writers) - 1
    assert Flag.objects.filter(annotation_id=seed_id).count() == 2
    heat.heat_reconcile(older_than_seconds=0)
    assert stored(version.pk) == brute_force(version.pk)


def _one_write(client: APIClient, n: int, i: int, seed_id: int) -> tuple[str, Any]:
    """Mostly annotations (on every article, so the recomputes meet them), a reply every fifth
    write; each writer but the seed's author endorses the seed once, two of them flag it."""
    if i == 2 and n > 0:
        return "endorsement", client.post(f"/api/v1/annotations/{seed_id}/endorsements/", {}, format="json")
    if i == 3 and n in (1, 2):  # two flags: a third would send the seed back to the queue
        return "flag", client.post(
            f"/api/v1/annotations/{seed_id}/flags/", {"reason": "off_topic"}, format="json"
        )
    if i % 5 == 0:
        return "reply", client.post(
            f"/api/v1/annotations/{seed_id}/replies/", {"body": f"Placeholder reply {n}-{i}."}, format="json"
        )
    provision = ["art-1", "art-2.1", "art-2.2.a", "art-3"][i % 4]
    return "annotation", client.post(
        "/api/v1/annotations/",
        {"treaty": "sample", "provision": provision, "tags": ["privacy"], "severity": 1 + i % 3,
         "position": "concern", "body": f"Placeholder comment {n}-{i}."},
        format="json",
    )  # fmt: skip
