"""Settings as an operator meets them: ``manage.py`` run in a subprocess with a chosen environment
(never this test process's settings), for production values and for the zero-setup default."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def bare_environment(tmp_path):
    """Only what any shell has, and a private var/ so the developer's own var/ stays untouched."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path / "var"),
    }


@pytest.fixture
def no_dotenv():
    # settings.py reads a .env file when present; it would change what "the default" means here.
    if (BASE_DIR / ".env").exists():
        pytest.skip("a .env file in the project directory changes the defaults under test")


def production_environment(tmp_path):
    return {
        **bare_environment(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 characters, many distinct ones
        "ALLOWED_HOSTS": "portal.cluster-growth.example",
        "CSRF_TRUSTED_ORIGINS": "https://portal.cluster-growth.example",
        "HTTPS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }


def test_production_values_pass_the_deployment_checks_without_a_warning(tmp_path, no_dotenv):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_environment(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output
    assert "?: (security." not in output


def test_deployment_checks_do_flag_an_insecure_setup(tmp_path, no_dotenv):
    # The check above means something only if the same command fails when production parts are off.
    env = {**production_environment(tmp_path), "HTTPS": "false"}
    del env["SECRET_KEY"]

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert check in output, f"{check} not reported:\n{output}"


PROBE = """
import io
import json
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

checks = io.StringIO()
call_command("check", stdout=checks)  # raises SystemCheckError on any error
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
health = Client().get("/healthz", HTTP_HOST="127.0.0.1")
print(json.dumps({
    "check": checks.getvalue(),
    "debug": settings.DEBUG,
    "database_engine": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "journal_mode": journal_mode,
    "broker": settings.CELERY_BROKER_URL,
    "broker_folder": settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"],
    "email_backend": settings.EMAIL_BACKEND,
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "healthz": [health.status_code, health.json()],
}))
"""


def test_zero_setup_default_migrates_checks_and_runs_on_sqlite_filesystem_broker_and_console_email(
    tmp_path, no_dotenv
):
    env = bare_environment(tmp_path)
    var_dir = Path(env["VAR_DIR"])

    migrate = manage("migrate", "--noinput", env=env)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    # `manage.py check`, run inside the probe to spare a second start-up of Django.
    probe = manage("shell", "-c", PROBE, env=env)
    assert probe.returncode == 0, probe.stdout + probe.stderr

    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert "System check identified no issues" in found["check"]
    assert found["debug"] is False
    assert found["database_engine"] == "django.db.backends.sqlite3"
    assert Path(found["database_name"]) == var_dir / "portal.sqlite3"
    assert (var_dir / "portal.sqlite3").is_file()
    assert found["journal_mode"] == "wal"
    assert found["broker"] == "filesystem://"
    assert Path(found["broker_folder"]).is_relative_to(var_dir)
    assert Path(found["broker_folder"]).is_dir()
    assert found["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert found["cache_backend"] == "django.core.cache.backends.db.DatabaseCache"
    # After `migrate` alone, the database, the cache table and the broker all answer.
    assert found["healthz"] == [
        200,
        {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok"}},
    ]
