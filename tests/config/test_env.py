"""The strict environment readers and what the settings do with no environment at all."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_choice, env_int


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", "on", " true "])
def test_env_bool_reads_true_words(monkeypatch, raw):
    monkeypatch.setenv("RD_FLAG", raw)
    assert env_bool("RD_FLAG", default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off"])
def test_env_bool_reads_false_words(monkeypatch, raw):
    monkeypatch.setenv("RD_FLAG", raw)
    assert env_bool("RD_FLAG", default=True) is False


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_env_bool_unset_or_empty_takes_the_default(monkeypatch, raw):
    monkeypatch.delenv("RD_FLAG", raising=False)
    if raw is not None:
        monkeypatch.setenv("RD_FLAG", raw)
    assert env_bool("RD_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "t"])
def test_env_bool_refuses_a_typo_by_name(monkeypatch, raw):
    monkeypatch.setenv("RD_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="RD_FLAG=.* is not a boolean"):
        env_bool("RD_FLAG", default=False)


def test_env_int_reads_refuses_and_bounds(monkeypatch):
    monkeypatch.setenv("RD_NUMBER", "42")
    assert env_int("RD_NUMBER", default=1) == 42
    monkeypatch.setenv("RD_NUMBER", "60s")
    with pytest.raises(ImproperlyConfigured, match="RD_NUMBER='60s' is not a whole number"):
        env_int("RD_NUMBER", default=1)
    monkeypatch.setenv("RD_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured, match="RD_NUMBER=-1 is too small: at least 0"):
        env_int("RD_NUMBER", default=1, minimum=0)


def test_env_choice_is_case_insensitive_and_refuses_others(monkeypatch):
    monkeypatch.setenv("RD_FORMAT", "JSON")
    assert env_choice("RD_FORMAT", choices=("text", "json"), default="text") == "json"
    monkeypatch.setenv("RD_FORMAT", "xml")
    with pytest.raises(ImproperlyConfigured, match="RD_FORMAT='xml' is not one of: text, json"):
        env_choice("RD_FORMAT", choices=("text", "json"), default="text")


def _settings_in_a_fresh_process(**environment: str) -> subprocess.CompletedProcess:
    """Import config.settings in a new interpreter with only `environment` set (plus PATH)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": "none",  # not the checkout's .env (scripts/demo.sh writes DEBUG=true there)
        **environment,
    }
    code = "from django.conf import settings; print(settings.DEBUG, settings.LOG_FORMAT, settings.SECURE_SSL_REDIRECT)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_debug_is_off_when_the_environment_says_nothing():
    result = _settings_in_a_fresh_process(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="desk.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "json", "True"]


def test_without_debug_or_a_secret_key_the_settings_say_what_to_set():
    result = _settings_in_a_fresh_process()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "DEBUG=true" in result.stderr


def test_development_opts_in_with_debug_true():
    result = _settings_in_a_fresh_process(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "text", "False"]


def test_a_mistyped_debug_stops_the_process():
    result = _settings_in_a_fresh_process(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_demo_script_turns_debug_on_so_runserver_serves_static_files():
    script = (settings.BASE_DIR / "scripts" / "demo.sh").read_text()
    assert 'export DEBUG="${DEBUG:-true}"' in script
    assert "-r requirements.txt" in script and "requirements-dev" not in script
