"""Two-step sign-in (TOTP through django-otp): enrolment, the sign-in's code step, per-role enforcement,
removal and the lost-phone reset. Codes are computed here from the device's key under a pinned clock,
as the employee's authenticator app would compute them."""

from __future__ import annotations

from binascii import unhexlify
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp

from compensation.predicates import must_use_two_step
from recovery.domain.errors import RecoveryError
from recovery.models import TwoStepDevice
from recovery.services.two_step import REASON_ENROLLED, REASON_REMOVED, two_step_enrol
from recovery.two_step import PENDING_KEY_SESSION_KEY
from tests import factories
from tests.api.conftest import api_client, issue
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

START = "2027-03-01T09:00:10+00:00"
ENROL_URL = "/account/two-step/"
OFF_URL = "/account/two-step/off/"
CODE_URL = "/login/code/"


def code_now(key: str) -> str:
    """The 6-digit code an authenticator app shows now for `key` (hex, as django-otp stores it)."""
    return f"{totp(unhexlify(key), step=30, t0=0, digits=6):06d}"


def wrong_code(key: str) -> str:
    return f"{(int(code_now(key)) + 500_000) % 1_000_000:06d}"


def enrolled(user, key: str = "3132333435363738393031323334353637383930") -> TwoStepDevice:
    """`user` with an authenticator app, set up through the real service."""
    return two_step_enrol(actor=user, key=key, code=code_now(key))


def password_login(user) -> Client:
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def pinned(clock):
    clock.move_to(START, tick=False)
    return clock


@pytest.fixture
def required_for_ops_and_managers(settings):
    settings.MFA_REQUIRED_ROLES = ["ops", "manager"]


# --- enrolment ---------------------------------------------------------------------------------


def test_enrolment_with_the_apps_current_code_turns_two_step_on(pinned, manager):
    client = client_for(manager)
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    key = client.session[PENDING_KEY_SESSION_KEY]
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="id_code">Code from your authenticator app</label>' in html

    response = client.post(ENROL_URL, {"code": code_now(key)})

    assert response.status_code == 302
    device = TwoStepDevice.objects.get(user=manager)
    assert device.confirmed and device.key == key
    assert PENDING_KEY_SESSION_KEY not in client.session
    history = device.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+",
        manager,
        REASON_ENROLLED,
    )
    assert not hasattr(history, "key")  # the secret never goes into the history table
    # This session is verified by the code it just gave: pages open without a second ask.
    assert client.get("/needs/").status_code == 200
    assert "On since 1 March 2027" in client.get(ENROL_URL).content.decode()


def test_a_wrong_code_at_enrolment_is_refused_and_nothing_is_stored(pinned, manager):
    client = client_for(manager)
    client.get(ENROL_URL)
    key = client.session[PENDING_KEY_SESSION_KEY]

    response = client.post(ENROL_URL, {"code": wrong_code(key)})

    assert response.status_code == 422
    assert "Code: this is not the current code from your authenticator app" in response.content.decode()
    assert not TwoStepDevice.objects.exists()
    assert client.session[PENDING_KEY_SESSION_KEY] == key  # the app keeps the same secret for the next try


@pytest.mark.parametrize("typed", ["", "12345", "１２３４５６", "12a456", "1234567"])
def test_a_code_that_is_not_six_digits_is_refused_by_name(pinned, manager, typed):
    client = client_for(manager)
    client.get(ENROL_URL)

    response = client.post(ENROL_URL, {"code": typed})

    assert response.status_code == 422
    assert "Code: type the 6 digits your authenticator app shows now" in response.content.decode()
    assert not TwoStepDevice.objects.exists()


def test_a_code_with_a_space_in_the_middle_is_accepted(pinned, frontline):
    client = client_for(frontline)
    client.get(ENROL_URL)
    code = code_now(client.session[PENDING_KEY_SESSION_KEY])

    assert client.post(ENROL_URL, {"code": f"{code[:3]} {code[3:]}"}).status_code == 302
    assert TwoStepDevice.objects.filter(user=frontline).exists()


# --- the sign-in's code step -----------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password_and_a_wrong_one_does_not_sign_in(pinned, frontline):
    device = enrolled(frontline)
    pinned.shift(timedelta(seconds=30))  # the next code: the enrolment's one is used up
    client = password_login(frontline)

    assert client.get("/counter/")["Location"] == f"{CODE_URL}?next=/counter/"
    page = client.get(f"{CODE_URL}?next=/counter/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label for="id_code">Code from your authenticator app</label>' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html

    refused = client.post(CODE_URL, {"code": wrong_code(device.key), "next": "/counter/"})
    assert refused.status_code == 422
    assert "Code: this is not the current code from your authenticator app" in refused.content.decode()
    assert client.get("/counter/")["Location"].startswith(CODE_URL)

    pinned.shift(timedelta(seconds=2))  # django-otp's throttle: 1 second after one wrong code
    accepted = client.post(CODE_URL, {"code": code_now(device.key), "next": "/counter/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/counter/"
    assert client.get("/counter/").status_code == 200


def test_after_a_wrong_code_the_next_try_waits_even_with_the_right_code(pinned, manager):
    device = enrolled(manager)
    pinned.shift(timedelta(seconds=30))
    client = password_login(manager)
    client.post(CODE_URL, {"code": wrong_code(device.key)})
    client.post(CODE_URL, {"code": wrong_code(device.key)})  # refused unchecked: still inside the wait

    response = client.post(CODE_URL, {"code": code_now(device.key)})

    assert response.status_code == 422
    assert "Code: too many wrong codes. Wait" in response.content.decode()
    assert client.get("/needs/")["Location"].startswith(CODE_URL)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert device.history.count() == 1  # checking codes writes no history rows


def test_a_code_once_accepted_does_not_sign_in_again(pinned, manager):
    device = enrolled(manager)
    pinned.shift(timedelta(seconds=30))
    code = code_now(device.key)
    assert password_login(manager).post(CODE_URL, {"code": code}).status_code == 302

    second = password_login(manager)

    assert second.post(CODE_URL, {"code": code}).status_code == 422


def test_the_next_page_after_the_code_stays_on_this_site(pinned, frontline):
    device = enrolled(frontline)
    pinned.shift(timedelta(seconds=30))
    client = password_login(frontline)

    response = client.post(CODE_URL, {"code": code_now(device.key), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_without_an_app_the_password_alone_signs_in(frontline):
    client = password_login(frontline)

    assert client.get("/counter/").status_code == 200
    assert client.get(CODE_URL)["Location"] == "/"


# --- enforcement per role -------------------------------------------------------------------------


def test_must_use_two_step_follows_the_setting(settings, frontline, manager, ops, auditor):
    settings.MFA_REQUIRED_ROLES = []
    assert not any(must_use_two_step(user) for user in (frontline, manager, ops, auditor))
    settings.MFA_REQUIRED_ROLES = ["ops", "manager"]
    assert [must_use_two_step(user) for user in (frontline, manager, ops, auditor)] == [False, True, True, False]


@pytest.mark.usefixtures("required_for_ops_and_managers")
def test_ops_without_an_app_are_sent_to_enrolment_on_every_page_but_frontline_are_not(pinned, ops, frontline):
    ops_client = client_for(ops)
    for url in ("/audit/", "/ops/", "/needs/", "/admin/"):
        assert ops_client.get(url)["Location"] == f"{ENROL_URL}?next={url}", url
    assert ops_client.post("/ops/publish/", {})["Location"] == f"{ENROL_URL}?next=/"
    page = ops_client.get(f"{ENROL_URL}?next=/audit/")
    assert page.status_code == 200
    assert "Your role requires two-step sign-in" in page.content.decode()
    # Still open: the language switch and signing out.
    assert ops_client.post("/language/", {"language": "ru", "next": "/audit/"}).status_code == 302
    assert client_for(frontline).get("/counter/").status_code == 200

    key = ops_client.session[PENDING_KEY_SESSION_KEY]
    done = ops_client.post(ENROL_URL, {"code": code_now(key), "next": "/audit/"})

    assert done["Location"] == "/audit/"
    assert ops_client.get("/audit/").status_code == 200
    assert ops_client.post("/logout/").status_code == 302


@pytest.mark.usefixtures("required_for_ops_and_managers")
def test_a_manager_with_an_app_is_sent_to_the_code_step_not_to_enrolment(pinned, manager):
    enrolled(manager)
    client = client_for(manager)

    assert client.get("/needs/")["Location"] == f"{CODE_URL}?next=/needs/"
    assert client.get(ENROL_URL)["Location"] == f"{CODE_URL}?next={ENROL_URL}"


@pytest.mark.usefixtures("required_for_ops_and_managers")
def test_api_tokens_are_never_asked_for_a_code(central, ops):
    issued = issue(central, "manager", "Back office", actor=ops)

    response = api_client(issued.secret).get("/api/v1/grants/")

    assert response.status_code == 200


# --- turning it off, and the lost phone --------------------------------------------------------------


def test_turning_it_off_needs_a_current_code_and_is_recorded(pinned, manager):
    client = client_for(manager)
    client.get(ENROL_URL)
    key = client.session[PENDING_KEY_SESSION_KEY]
    client.post(ENROL_URL, {"code": code_now(key)})
    pinned.shift(timedelta(seconds=30))

    refused = client.post(OFF_URL, {"code": wrong_code(key)})
    assert refused.status_code == 422
    assert "Code: this is not the current code" in refused.content.decode()
    assert TwoStepDevice.objects.filter(user=manager).exists()

    pinned.shift(timedelta(seconds=2))
    response = client.post(OFF_URL, {"code": code_now(key)})

    assert response["Location"] == ENROL_URL
    assert not TwoStepDevice.objects.filter(user=manager).exists()
    removal = TwoStepDevice.history.filter(user_id=manager.pk).order_by("history_date", "history_id").last()
    assert (removal.history_type, removal.history_user, removal.history_change_reason) == (
        "-",
        manager,
        REASON_REMOVED,
    )
    assert password_login(manager).get("/needs/").status_code == 200  # the password alone again


def test_reset_two_step_removes_a_lost_phone_and_records_who_and_why(pinned, manager, ops, capsys):
    enrolled(manager)

    call_command("reset_two_step", "maria", "--reason", "Phone lost, ticket 4411", "--by", "olga")

    assert not TwoStepDevice.objects.filter(user=manager).exists()
    removal = TwoStepDevice.history.filter(user_id=manager.pk, history_type="-").get()
    assert removal.history_user == ops
    assert removal.history_change_reason == "Reset: Phone lost, ticket 4411"
    assert "Two-step sign-in reset for maria" in capsys.readouterr().out
    assert password_login(manager).get("/needs/").status_code == 200


def test_a_session_verified_before_the_reset_is_no_longer_verified(pinned, manager, settings):
    settings.MFA_REQUIRED_ROLES = ["manager"]
    client = client_for(manager)
    client.get(ENROL_URL)
    client.post(ENROL_URL, {"code": code_now(client.session[PENDING_KEY_SESSION_KEY])})
    assert client.get("/needs/").status_code == 200

    call_command("reset_two_step", "maria", "--reason", "Phone lost")

    assert client.get("/needs/")["Location"] == f"{ENROL_URL}?next=/needs/"


def test_reset_two_step_names_a_wrong_username_and_a_user_without_an_app(manager, capsys):
    with pytest.raises(CommandError, match="username: no user “nobody”"):
        call_command("reset_two_step", "nobody", "--reason", "x")
    with pytest.raises(CommandError, match="--by: no user “ghost”"):
        call_command("reset_two_step", "maria", "--reason", "x", "--by", "ghost")

    call_command("reset_two_step", "maria", "--reason", "Checking")

    assert "maria had no authenticator app: nothing to reset." in capsys.readouterr().out


def test_with_an_app_the_page_offers_to_turn_it_off_and_a_second_app_is_refused(pinned, manager):
    client = client_for(manager)
    client.get(ENROL_URL)
    key = client.session[PENDING_KEY_SESSION_KEY]
    client.post(ENROL_URL, {"code": code_now(key)})

    page = client.get(ENROL_URL)

    assert "Turn off two-step sign-in" in page.content.decode()
    assert "<svg" not in page.content.decode()  # the secret is never shown again
    pinned.shift(timedelta(seconds=30))
    with pytest.raises(RecoveryError, match="already on"):
        two_step_enrol(actor=manager, key=key, code=code_now(key))
    assert TwoStepDevice.objects.filter(user=manager).count() == 1
