"""The deployment files (Dockerfile, compose.yaml, scripts/healthcheck.py) agree with the settings.

Docker cannot run in the test environment; these tests catch what reading the files twice might
miss: an environment variable nobody reads, dev requirements in the image, a broken health probe.
"""

import importlib.util
import re

import pytest
from django.conf import settings

from config import health

BASE_DIR = settings.BASE_DIR
# Variables read by something other than config/settings.py.
READ_ELSEWHERE = {
    "WEB_CONCURRENCY",  # gunicorn's number of workers
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUNBUFFERED",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
}


def _read_by_settings() -> set[str]:
    source = (BASE_DIR / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+|_\w+)\(\s*"([A-Z_]+)"', source))


def _healthcheck_module():
    spec = importlib.util.spec_from_file_location("healthcheck", BASE_DIR / "scripts" / "healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_variable_compose_sets_is_read():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    app_environment = set(compose["x-app"]["environment"])
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DEBUG"} <= app_environment
    assert app_environment - READ_ELSEWHERE <= _read_by_settings()
    for name in ("migrate", "web"):
        assert compose["services"][name]["environment"] == compose["x-app"]["environment"]
    assert compose["services"]["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert compose["services"]["db"]["image"] == "postgres:15"


def test_every_variable_the_dockerfile_sets_is_read_and_only_runtime_requirements_go_in():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    names = set(re.findall(r"^\s*(?:ENV\s+)?([A-Z_]+)=", dockerfile, flags=re.MULTILINE))
    assert {"DEBUG", "LOG_FORMAT"} <= names
    assert names - READ_ELSEWHERE - {"SECRET_KEY"} <= _read_by_settings()
    assert "pip install --no-compile -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    assert "USER desk" in dockerfile and 'CMD ["python", "scripts/healthcheck.py"]' in dockerfile


def test_dev_requirements_include_the_runtime_and_the_runtime_has_no_test_tools():
    runtime = (BASE_DIR / "requirements.txt").read_text().lower()
    dev = (BASE_DIR / "requirements-dev.txt").read_text()
    assert dev.splitlines()[1] == "-r requirements.txt"
    for tool in ("pytest", "hypothesis", "playwright", "schemathesis", "polib", "ruff", "time-machine"):
        assert f"\n{tool}" not in runtime and f"\n{tool}" in dev
    pins = [line for line in (runtime + dev).splitlines() if line and not line.startswith(("#", "-r"))]
    assert all("==" in line for line in pins), pins


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [("desk.example.com,other.example.com", "desk.example.com"), (".example.com", "example.com"), ("*", "localhost")],
)
def test_the_probe_names_a_host_the_app_accepts(allowed_hosts, host):
    assert _healthcheck_module().probe_host(allowed_hosts) == host


def test_the_probe_passes_against_a_running_server(live_server, monkeypatch, capsys):
    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")
    healthcheck = _healthcheck_module()
    assert healthcheck.main(f"{live_server.url}/healthz") == 0
    monkeypatch.setattr(health, "unapplied_migrations", lambda: ["recovery.0099_new"])
    assert healthcheck.main(f"{live_server.url}/healthz") == 1
    assert "answered 503" in capsys.readouterr().err
