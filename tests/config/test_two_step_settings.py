"""MFA_REQUIRED_ROLES is read from the environment strictly: a role the desk does not have stops the process."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def _required_roles_in_a_fresh_process(value: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENV_FILE": "none",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "MFA_REQUIRED_ROLES": value,
    }
    code = "from django.conf import settings; print(','.join(settings.MFA_REQUIRED_ROLES) or '-')"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_required_roles_are_read_as_a_comma_separated_list():
    result = _required_roles_in_a_fresh_process(" ops , manager ")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ops,manager"


def test_unset_requires_no_one():
    result = _required_roles_in_a_fresh_process("")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-"


def test_an_unknown_role_stops_the_process_by_name():
    result = _required_roles_in_a_fresh_process("ops,chef")
    assert result.returncode != 0
    assert "MFA_REQUIRED_ROLES: unknown role chef" in result.stderr
