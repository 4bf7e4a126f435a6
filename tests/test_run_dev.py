"""bin/run-dev, as `make run` starts it: on a terminal, with a real worker, web server and broker.

The site runs on a free port with its own VAR_DIR (SQLite and the filesystem broker under tmp_path),
inside `make` on a pseudo-terminal, so that Ctrl-C is a real ^C typed on a terminal and reaches
whoever holds the terminal's foreground, as it would for a person.
"""

import contextlib
import fcntl
import os
import pty
import re
import signal
import socket
import subprocess
import sys
import termios
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parent.parent
BUDAPEST_MD = REPO_ROOT / "treaty" / "data" / "budapest_convention_ets185.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def laptop_env(var_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SITE_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env | {"DEBUG": "1", "VAR_DIR": str(var_dir), "PORT": str(port), "SECRET_KEY": ""}


class Terminal:
    """A pseudo-terminal whose output is collected as it comes."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.output = ""
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk.decode(errors="replace").replace("\r\n", "\n")

    def wait_for(self, pattern: str, timeout: float = 90.0, after: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                match = re.compile(pattern).search(self.output, after)
            if match:
                return match
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} within {timeout} s in:\n{self.output}")

    def type_ctrl_c(self) -> None:
        os.write(self.master, b"\x03")


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_restarts_a_dead_worker_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = laptop_env(tmp_path / "var", port)
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "-v0"],
        ["import_treaty", str(BUDAPEST_MD), "--slug", "budapest-convention", "--version", "ETS No. 185"],
        ["seed_demo"],
    ):
        subprocess.run(manage + command, cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120)
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"run:\n\texec {sys.executable} {REPO_ROOT / 'bin' / 'run-dev'}\n")  # as the Makefile
    terminal = Terminal()

    def on_the_terminal() -> None:
        # make leads a new session whose controlling terminal is the pseudo-terminal.
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    make = subprocess.Popen(
        ["make", "--no-print-directory", "-f", str(makefile), "run"],
        cwd=REPO_ROOT,
        env=env,
        stdin=terminal.slave,
        stdout=terminal.slave,
        stderr=terminal.slave,
        preexec_fn=on_the_terminal,
    )
    started_pids: list[int] = []
    try:
        started = terminal.wait_for(r"web on (\S+) \(pid (\d+)\), worker with beat \(pid (\d+)\)")
        site, web_pid, worker_pid = started[1], int(started[2]), int(started[3])
        started_pids += [web_pid, worker_pid]
        assert site == f"http://127.0.0.1:{port}/"  # SITE_URL follows PORT

        welcome = terminal.wait_for(r"Marginalia is running: open (\S+)")
        assert welcome[1] == f"http://127.0.0.1:{port}/"
        # The block comes after the worker's banner, with every demo account and its password.
        assert terminal.output.index("[queues]") < welcome.start()
        for line in (tmp_path / "var" / "demo-accounts.txt").read_text().splitlines():
            assert line in terminal.output[welcome.start() :]
        # Quiet by default: no line per task run or beat tick.
        assert "Scheduler: Sending due task" not in terminal.output
        assert "succeeded in" not in terminal.output

        os.kill(worker_pid, signal.SIGKILL)
        restarted = terminal.wait_for(r"worker started again \(pid (\d+)\)", after=welcome.end())
        new_worker_pid = int(restarted[1])
        started_pids.append(new_worker_pid)
        assert new_worker_pid != worker_pid
        assert alive(web_pid) and answers(port)  # the web server was never touched
        terminal.wait_for(r"\[queues\]", after=restarted.end())  # the new worker is up
        assert alive(new_worker_pid) and answers(port)

        terminal.type_ctrl_c()
        status = make.wait(timeout=60)
    finally:
        if make.poll() is None:
            make.kill()
        # A failed run must not leave a web server or a worker behind (each leads its own group).
        for pid in started_pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        os.close(terminal.slave)

    time.sleep(0.5)  # let the reader thread take the last output
    assert status == 0, terminal.output
    assert "make: ***" not in terminal.output
    assert "run-dev: stopped web and worker" in terminal.output
    assert not alive(web_pid) and not alive(new_worker_pid)
    assert not answers(port)
