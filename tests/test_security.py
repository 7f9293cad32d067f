"""Locked-down access: login brute force, sessions, security headers, production checks."""

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery.middleware import SESSION_REFRESHED_KEY
from tests.conftest import client_for
from tests.factories import PASSWORD, grant_for, make_user

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parent.parent


def login(client, username, password, ip="10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_that_username_on_that_address(central):
    make_user("lena", "frontline", [central])
    make_user("omar", "frontline", [central])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "lena", "wrong").status_code == 200
    locked = login(client, "lena", "wrong")
    assert locked.status_code == 429
    assert "Too many wrong passwords" in locked.content.decode()
    # Even the right password is refused while locked…
    assert login(Client(), "lena", PASSWORD).status_code == 429
    # …but a colleague on the same counter device still logs in, and so does lena elsewhere.
    assert login(Client(), "omar", PASSWORD).status_code == 302
    assert login(Client(), "lena", PASSWORD, ip="10.0.0.8").status_code == 302


def test_a_good_login_resets_the_count(central):
    make_user("lena", "frontline", [central])
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(), "lena", "wrong")
    assert login(Client(), "lena", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(Client(), "lena", "wrong").status_code == 200


def test_a_deactivated_employee_is_logged_out_at_the_next_click(frontline):
    client = client_for(frontline)
    assert client.get(reverse("counter")).status_code == 200
    frontline.is_active = False
    frontline.save()
    response = client.get(reverse("counter"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def _session_row(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _age_session(client, seconds):
    """Pretend the session was last saved `seconds` ago: its refresh stamp and its expiry move back."""
    session = client.session
    session[SESSION_REFRESHED_KEY] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_sessions_expire_after_idle_minutes_and_each_click_extends_them(frontline):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = client_for(frontline)
    # A click more than a minute after the last save extends the session to 30 minutes from now.
    _age_session(client, settings.SESSION_REFRESH_SECONDS + 1)
    before = timezone.now()
    assert client.get(reverse("counter")).status_code == 200
    assert _session_row(client).expire_date >= before + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert int(client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 30 * 60


def test_a_click_within_the_minute_does_not_save_the_session_again(frontline):
    client = client_for(frontline)
    client.get(reverse("counter"))
    _age_session(client, 10)
    saved_expiry = _session_row(client).expire_date
    client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] = "marker"
    assert client.get(reverse("counter")).status_code == 200
    # No UPDATE and no new cookie: the session still ends 30 minutes after its last save, never later.
    assert _session_row(client).expire_date == saved_expiry
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == "marker"


def test_a_session_idle_for_30_minutes_is_over(frontline):
    client = client_for(frontline)
    assert client.get(reverse("counter")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("counter"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_logout_ends_the_session(frontline):
    client = client_for(frontline)
    client.post(reverse("logout"))
    assert client.get(reverse("counter")).status_code == 302


def test_every_page_sends_security_headers_and_a_strict_csp(frontline_client):
    response = frontline_client.get(reverse("counter"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles_the_csp_would_block(frontline, frontline_client, central, customer):
    grant = grant_for(frontline, central, customer, code="repeat-repair", purchase_value="300")
    for url in (
        reverse("counter"),
        reverse("counter_resolve", args=[customer.pk]),
        reverse("counter_granted", args=[grant.pk]),
        reverse("grant_slip", args=[grant.pk]),
    ):
        page = frontline_client.get(url).content.decode()
        assert "<script>" not in page and " style=" not in page and "<style" not in page, url


def test_grant_pages_cannot_be_opened_by_guessing_ids(frontline, frontline_airport, central, customer):
    grant = grant_for(frontline, central, customer, code="repeat-repair", purchase_value="300")
    assert grant.voucher_code
    guesser = client_for(frontline_airport)
    for name in ("counter_granted", "grant_slip"):
        assert guesser.get(reverse(name, args=[grant.pk])).status_code == 403
        assert guesser.get(reverse(name, args=[grant.pk + 1000])).status_code == 404


def test_check_deploy_is_clean_under_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "desk.example.com",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
