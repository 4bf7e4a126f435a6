"""Production settings (config.settings with DEBUG off) pass `check --deploy` and refuse to start unsafe.

Each check runs `manage.py` in a fresh process with a clean environment: the test process has
already loaded config.settings_test, which relaxes HTTPS settings on purpose.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess[str]:
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Keep files the settings create (broker folders) out of the working tree.
        "VAR_DIR": str(var_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 random characters
        "ALLOWED_HOSTS": "marginalia.example.org",
        "SITE_URL": "https://marginalia.example.org",
        **overrides,
    }


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    done = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(), var_dir=tmp_path)

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper().replace("WARNINGS", "")
    assert "Warning" not in output


@pytest.mark.parametrize(
    ("overrides", "expected_check"),
    [
        ({"SECRET_KEY": "too-short"}, "security.W009"),
        ({"ALLOWED_HOSTS": ""}, "security.W020"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
    ],
)
def test_check_deploy_catches_an_unsafe_setting(
    tmp_path: Path, overrides: dict[str, str], expected_check: str
) -> None:
    # The check above could pass vacuously if settings ignored the environment: it must not.
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(**overrides), var_dir=tmp_path
    )

    assert done.returncode != 0
    assert expected_check in done.stdout + done.stderr


@pytest.mark.parametrize("debug", ["0", None], ids=["DEBUG=0", "DEBUG unset"])
def test_settings_refuse_to_start_without_secret_key(tmp_path: Path, debug: str | None) -> None:
    # SECRET_KEY set but empty, so that a developer's .env cannot supply one.
    env = {"SECRET_KEY": "", "ALLOWED_HOSTS": "marginalia.example.org"}
    if debug is not None:
        env["DEBUG"] = debug

    done = manage("check", env=env, var_dir=tmp_path)

    assert done.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in done.stderr
    # No development key was generated as a fallback.
    assert not (tmp_path / "dev-secret-key").exists()


def test_settings_refuse_to_start_without_site_url(tmp_path: Path) -> None:
    # A guessed address would put a wrong host into every email link and export.
    done = manage("check", env=production_env(SITE_URL=""), var_dir=tmp_path)

    assert done.returncode != 0
    assert "ImproperlyConfigured: SITE_URL must be set when DEBUG is off" in done.stderr


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8101", "SITE_URL": "http://localhost:9000/"}, "http://localhost:9000"),
    ],
    ids=["from PORT", "default port", "SITE_URL wins"],
)
def test_development_site_url_follows_the_port(tmp_path: Path, env: dict[str, str], site_url: str) -> None:
    done = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        env={"DEBUG": "1", "SITE_URL": "", **env},
        var_dir=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == site_url


def env_example() -> dict[str, str]:
    values = {}
    for line in (REPO_ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def test_env_example_lists_every_variable_the_settings_read() -> None:
    source = (REPO_ROOT / "config" / "settings.py").read_text()
    # env.str("NAME", ...), env.bool(...), env.db_url(...), environ.Env().str(...), ...
    read = set(re.findall(r"""\bEnv\(\)\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    read |= set(re.findall(r"""\benv\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL"} <= read

    missing = read - env_example().keys()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_env_example_needs_only_a_secret_key_to_pass_check_deploy(tmp_path: Path) -> None:
    example = env_example()
    assert example["SECRET_KEY"] == "", "the example must not ship a key that would pass as real"
    example |= {"SECRET_KEY": secrets.token_urlsafe(64), "VAR_DIR": str(tmp_path)}

    done = manage("check", "--deploy", "--fail-level", "WARNING", env=example, var_dir=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", ["FLAG_THRESHOLD", "HEAT_MIN_ORGANIZATIONS"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_protective_threshold_below_1_stops_the_site_from_starting(
    tmp_path: Path, name: str, value: str
) -> None:
    """Issue 17: a flag threshold of 0 would send every approved item back to the queue; a
    small-cell minimum of 0 would show every cell, however few organisations are behind it."""
    done = manage("check", env=production_env(**{name: value}), var_dir=tmp_path)

    assert done.returncode != 0
    assert f"ImproperlyConfigured: {name} must be 1 or more; it is set to {value}." in done.stderr
    assert not list(tmp_path.glob("*.sqlite3"))  # nothing was set up


def test_a_threshold_of_1_is_accepted(tmp_path: Path) -> None:
    done = manage(
        "check", env=production_env(FLAG_THRESHOLD="1", HEAT_MIN_ORGANIZATIONS="1"), var_dir=tmp_path
    )

    assert done.returncode == 0, done.stderr
