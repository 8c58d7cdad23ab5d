"""Settings fail loudly: each bad value stops the process with a message naming the variable."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import config.settings as s; print(s.DEBUG, s.REQUIRE_2FA, s.SESSION_COOKIE_AGE)"
    clean = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings({"HOMEWARD_ENV": "production", "ALLOWED_HOSTS": "x.example"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_is_the_default_so_a_forgotten_variable_fails_safe():
    result = load_settings({})
    assert "SECRET_KEY must be set when HOMEWARD_ENV=production" in result.stderr


def test_production_refuses_debug():
    result = load_settings({"HOMEWARD_ENV": "production", "DEBUG": "true", "SECRET_KEY": "k" * 60})
    assert "DEBUG must be off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REQUIRE_2FA", "maybe", "REQUIRE_2FA must be true or false, not 'maybe'"),
        ("SESSION_IDLE_MINUTES", "half an hour", "SESSION_IDLE_MINUTES must be a whole number"),
        ("HOMEWARD_ENV", "staging", "HOMEWARD_ENV must be production, development or test"),
    ],
)
def test_a_bad_value_names_the_variable(name, value, message):
    result = load_settings({"HOMEWARD_ENV": "test", name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_development_defaults_start_without_any_variable():
    result = load_settings({"HOMEWARD_ENV": "development"})
    assert result.returncode == 0, result.stderr
    # DEBUG on, two-factor on unless turned off, sessions end after 30 idle minutes.
    assert result.stdout.split() == ["True", "True", "1800"]


def test_production_settings_pass_check_deploy_with_no_warnings():
    env = {
        "HOMEWARD_ENV": "production",
        "SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789abcdefghij",
        "ALLOWED_HOSTS": "homeward.example",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
