"""Throwaway services on loopback for the drills: a private PostgreSQL cluster, a Redis, gunicorn,
Celery worker and beat, each in its own process group so that it can be stopped (or killed) alone.

Nothing here touches the machine's shared PostgreSQL or Redis: the cluster is initdb'd under a
temporary folder on a free port, and the Redis listens on a free port of its own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


class Process:
    """One command in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: signals reach it and its children only
        )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)
        # Children that outlived their leader (a pool process) go too.
        self.signal_group(signal.SIGKILL)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb), on a free port, that may be restarted at will."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        self.log = root / "postgres.log"
        self.bin = Path(shutil.which("initdb") or "").parent
        # PostgreSQL refuses to run as root: run its commands as the postgres account then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @staticmethod
    def available() -> str | None:
        """Why a private cluster cannot be made here, or None."""
        if not shutil.which("initdb") or not shutil.which("pg_ctl"):
            return "initdb/pg_ctl are not installed"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser"
        return None

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", action
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


class PrivateRedis:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.process = Process(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            dict(os.environ),
            root,
        )

    @staticmethod
    def available() -> str | None:
        return None if shutil.which("redis-server") else "redis-server is not installed"

    def start(self) -> None:
        self.process.start()
        wait_for_port(self.port, 10, "redis-server")

    def stop(self) -> None:
        self.process.stop()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class Supervised:
    """Restart a process whenever it exits, after `delay` seconds, as systemd's Restart=always
    (deployment docs) or a Procfile runner would; counts the restarts."""

    def __init__(self, process: Process, delay: float = 1.0) -> None:
        self.process = process
        self.delay = delay
        self.restarts = 0
        self.unexpected_exits = 0
        self.expected_exit = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self.process.start()
        self._thread.start()

    def kill(self) -> None:
        """SIGKILL the whole group (main process and pool children): the supervisor restarts it."""
        self.expected_exit = True
        self.process.signal_group(signal.SIGKILL)

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            if self.process.process is not None and self.process.process.poll() is not None:
                if not self.expected_exit:
                    self.unexpected_exits += 1
                self.expected_exit = False
                self.process.signal_group(signal.SIGKILL)  # orphaned pool children
                time.sleep(self.delay)
                if self._stop.is_set():
                    return
                self.process.start()
                self.restarts += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.process.stop()


def site_env(*, database_url: str, redis_url: str, var_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off) on the throwaway services, limits raised for the load."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Required with DEBUG off; only printed links use it (the drills never follow one).
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var_dir),
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        # The drills measure faults and load, not the abuse limits: every client is one address.
        "THROTTLE_ANON": "1000000/minute",
        "THROTTLE_USER": "1000000/minute",
        "THROTTLE_ANNOTATIONS": "1000000/minute",
        "LOGIN_FAILURES_PER_ADDRESS": "1000000",
    }


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def gunicorn(env: dict[str, str], port: int, log_dir: Path, workers: int = 3, name: str = "web") -> Process:
    return Process(
        name,
        [
            PYTHON, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "30",
            "--graceful-timeout", "5",
        ],
        env,
        log_dir,
    )  # fmt: skip


def celery_worker(
    env: dict[str, str], log_dir: Path, name: str = "worker", queues: str = "default,aggregate,export"
) -> Process:
    return Process(
        name,
        [
            PYTHON, "-m", "celery", "-A", "config", "worker", "-Q", queues, "--concurrency", "2",
            "--loglevel", "INFO", "--hostname", f"{name}-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle",
        ],
        {**env, "PGAPPNAME": f"marginalia-drill-{name}"},
        log_dir,
    )  # fmt: skip


def celery_beat(env: dict[str, str], log_dir: Path, var_dir: Path) -> Process:
    return Process(
        "beat",
        [
            PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
            "--schedule", str(var_dir / "celerybeat-schedule"),
        ],
        env,
        log_dir,
    )  # fmt: skip
