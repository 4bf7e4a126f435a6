"""A real Celery worker, in its own process, on the configured broker and the pytest test database.

Tests marked `integration` publish for real (tests/conftest.py makes every other test run tasks
inline). The worker is started once per session and stopped before the test database is dropped.
A broker the run was configured with but cannot reach fails the tests: it never skips them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from kombu.utils.url import maybe_sanitize_url

from config.celery import app as celery_app

REPO_ROOT = Path(__file__).resolve().parents[2]
DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused
WORKER_READY_TIMEOUT = 60.0
WORKER_STOP_TIMEOUT = 30.0
DEFAULT_WAIT = 60.0


def database_url_for(settings_dict: dict[str, Any]) -> str:
    """The DATABASE_URL (django-environ syntax) of the database this process is connected to."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or name.startswith("file:"):
            pytest.fail(f"the test database {name!r} is in memory: a worker process cannot see it")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    pytest.fail(f"no DATABASE_URL for a worker on {engine}")


def broker_failure() -> str | None:
    """Why the configured broker cannot be used, or None if it answers."""
    url = celery_app.conf.broker_url
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=5)
            if conn.transport.driver_type == "filesystem":
                options = conn.transport_options or {}
                for key in ("data_folder_in", "data_folder_out"):
                    folder = options.get(key, "")
                    if not os.path.isdir(folder):
                        return f"the filesystem broker folder {folder!r} ({key}) does not exist"
            else:
                conn.default_channel  # noqa: B018 (opening a channel talks to the server)
    except Exception as exc:
        return f"cannot connect to {maybe_sanitize_url(url)}: {exc!r}"
    return None


@contextmanager
def publishing_to(broker_url: str, transport_options: dict[str, Any] | None = None) -> Iterator[None]:
    """Make this process publish to another broker for a while (the worker is not affected).

    The app caches one connection pool and one producer pool; they are dropped so the new URL
    takes effect, and dropped again afterwards so the configured broker's pools, still open in
    kombu's registry, are picked up again. Never close them (force_close_all): kombu would hand
    the closed pool back for the same URL ("Acquire on closed pool").
    """
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options
    conf.broker_url, conf.broker_transport_options = broker_url, transport_options or {}
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        celery_app._pool = None
        celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[None]:
    """This process's broker is unreachable for the test: publishing fails as in an outage."""
    with publishing_to(DEAD_BROKER):
        yield


class WorkerProcess:
    """A `celery worker` subprocess whose output goes to a log file (never a pipe that can fill)."""

    def __init__(self, log_path: Path, env: dict[str, str]) -> None:
        self.log_path = log_path
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default,aggregate,export,drafts,campaigns",
            # prefork, as in production, so task time limits are enforced.
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--hostname",
            f"marginalia-tests-{os.getpid()}@%h",
            # No broadcast chatter with other workers that may share the broker.
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so the pool children can be killed with it.
                start_new_session=True,
            )
        deadline = time.monotonic() + WORKER_READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited with code {self.process.returncode}:\n{self.output()}")
            if " ready." in self.output():
                return
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"the Celery worker was not ready after {WORKER_READY_TIMEOUT:.0f} s:\n{self.output()}")

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        # SIGTERM is Celery's warm shutdown: finish the current task, then exit.
        process.terminate()
        try:
            process.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def output(self, last_lines: int = 200) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(lines[-last_lines:])

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = DEFAULT_WAIT) -> None:
        """Poll `condition` (e.g. a database query) until true; fail with the worker's output if not."""
        deadline = time.monotonic() + timeout
        while True:
            if condition():
                return
            # The worker's output is added to the failure report (pytest_runtest_makereport).
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(f"the Celery worker died (exit code {self.process.returncode}) before {what}")
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {timeout:.0f} s")
            time.sleep(0.2)


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """A running worker consuming every queue, connected to the test database.

    Depends on `django_db_setup`, so it is stopped before the test database is dropped (PostgreSQL
    refuses to drop a database a worker is still connected to).
    """
    failure = broker_failure()
    if failure:
        pytest.fail(
            f"The integration tests need the configured broker, and {failure}. "
            "Start Redis, or unset REDIS_URL to use the filesystem broker."
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "PYTHONUNBUFFERED": "1",
    }
    worker = WorkerProcess(tmp_path_factory.mktemp("celery-worker") / "worker.log", env)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


QUEUES = ("default", "aggregate", "export", "drafts", "campaigns")
QUIET_CHECKS = 3  # consecutive quiet looks, 0.2 s apart: a task between two messages is not missed


def worker_busy_with() -> str | None:
    """What the worker still has to do (messages waiting or held, a transaction open), or None."""
    with celery_app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in QUEUES:
            # Not passive: Redis deletes an empty list, and a passive declare calls that "not found".
            waiting = channel.queue_declare(queue=queue).message_count
            if waiting:
                return f"{waiting} message(s) waiting in {queue!r}"
        unacked_key = getattr(channel, "unacked_key", None)
        if unacked_key is not None:  # Redis: messages the worker holds (running, or a countdown)
            held = channel.client.hlen(unacked_key)
            if held:
                return f"{held} message(s) held by the worker"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'"
            )
            (busy,) = cursor.fetchone()
        if busy:
            return f"{busy} other connection(s) to the test database busy"
    return None


@pytest.fixture(autouse=True)
def worker_quiet_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Wait, after each worker test, until the worker has nothing left to do.

    A test may end while the worker still runs a task it queued (a duplicate statistics refresh, a
    heat countdown). pytest-django then empties the tables (TRUNCATE on PostgreSQL) under that task,
    and the two can deadlock: the flush fails and the next test starts on stale rows. This fixture
    is set up after the database fixture, so its teardown runs before the flush.
    """
    if "celery_worker_process" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    worker: WorkerProcess = request.getfixturevalue("celery_worker_process")
    yield
    deadline = time.monotonic() + DEFAULT_WAIT
    quiet = 0
    while quiet < QUIET_CHECKS:
        busy = worker_busy_with()
        quiet = 0 if busy else quiet + 1
        if busy and time.monotonic() > deadline:
            pytest.fail(
                f"the worker was still busy {DEFAULT_WAIT:.0f} s after the test: {busy}\n" + worker.output()
            )
        time.sleep(0.2)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    # A failing integration test shows what the worker said, whatever the assertion was.
    report = yield
    if report.failed and "celery_worker_process" in getattr(item, "fixturenames", ()):
        worker = getattr(item, "funcargs", {}).get("celery_worker_process")
        if isinstance(worker, WorkerProcess):
            report.sections.append(("Celery worker output", worker.output()))
    return report
