"""The ops integrations page and the commands: create (secret shown once), list, revoke, prune."""

import html
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from recovery.api.idempotency import retention
from recovery.models import ApiToken, IdempotencyRecord
from recovery.services import RecoveryError
from tests.api.conftest import api_client, issue
from tests.conftest import client_for
from tests.test_messages_ru import speaking

pytestmark = pytest.mark.django_db

URL = "/ops/integrations/"
SECRET = re.compile(r"rd_live_[A-Za-z0-9_-]{40,}")


def test_ops_create_a_token_and_see_its_secret_once(ops_client, ops, central):
    response = ops_client.post(URL, {"name": "POS till 3", "location": central.pk, "role": "frontline"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [secret] = SECRET.findall(response.content.decode())
    token = ApiToken.objects.get()
    assert (token.name, token.location, token.role, token.created_by) == ("POS till 3", central, "frontline", ops)
    assert token.user.groups.get().name == "frontline"
    assert list(token.user.staff_profile.locations.all()) == [central]
    assert token.history.get().history_user == ops
    # The secret works, and the list never shows it again.
    assert api_client(secret).get("/api/v1/grants/").status_code == 200
    assert secret not in ops_client.get(URL).content.decode()


def test_a_bad_form_names_the_field_and_creates_nothing(ops_client):
    response = ops_client.post(URL, {"name": "", "location": "999", "role": "ops"})

    assert response.status_code == 422
    content = response.content.decode()
    assert "Name: say which system will use the token." in content
    assert "Location: choose one of the listed locations." in content
    assert "Role: choose frontline or manager." in content
    assert ApiToken.objects.count() == 0


def test_revoking_on_the_page_stops_the_token(ops_client, central, ops):
    issued = issue(central, "frontline", actor=ops)

    response = ops_client.post(f"{URL}{issued.token.pk}/revoke/")

    assert response.status_code == 302
    token = ApiToken.objects.get()
    assert token.revoked_by == ops and not token.user.is_active
    assert api_client(issued.secret).get("/api/v1/grants/").status_code == 401
    again = ops_client.post(f"{URL}{issued.token.pk}/revoke/", follow=True)
    assert "already revoked" in again.content.decode()


def test_managers_see_only_their_locations_tokens_read_only(manager, central, airport, ops):
    issue(central, "frontline", "Central till", actor=ops)
    issue(airport, "frontline", "Airport till", actor=ops)

    content = client_for(manager).get(URL).content.decode()

    assert "Central till" in content and "Airport till" not in content
    assert "Create token" not in content and "Revoke" not in content


def test_auditors_see_every_token(auditor_client, central, airport, ops):
    issue(central, "frontline", "Central till", actor=ops)
    issue(airport, "frontline", "Airport till", actor=ops)
    content = auditor_client.get(URL).content.decode()
    assert "Central till" in content and "Airport till" in content and "Create token" not in content


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_costs_the_same_queries_for_2_or_20_tokens(
    ops_client, central, ops, count, django_assert_max_num_queries
):
    for index in range(count):
        issue(central, "frontline", f"Till {index}", actor=ops)
    with django_assert_max_num_queries(10):
        response = ops_client.get(URL)
    assert response.content.decode().count("acts as api-") == count


def test_the_command_prints_a_working_secret(central):
    out = StringIO()
    call_command("api_token_create", "--name", "CRM", "--location", "central", "--role", "manager", stdout=out)

    [secret] = SECRET.findall(out.getvalue())
    assert "Manager" in out.getvalue() and "Central Store" in out.getvalue()
    assert api_client(secret).get("/api/v1/grants/").status_code == 200
    assert ApiToken.objects.get().created_by is None


def test_the_command_names_a_wrong_location(central):
    with pytest.raises(CommandError, match="--location: no location with code “moon” \\(known: central\\)"):
        call_command("api_token_create", "--name", "CRM", "--location", "moon", "--role", "manager")


def test_prune_forgets_only_keys_past_their_retention(central, ops):
    token = issue(central, "frontline", actor=ops).token
    now = timezone.now()
    for key, age in (("old", retention() + timedelta(minutes=1)), ("fresh", retention() - timedelta(minutes=1))):
        IdempotencyRecord.objects.create(
            token=token,
            key=key,
            request_method="POST",
            request_path="/api/v1/grants/",
            request_hash="0" * 64,
            response_status=201,
            response_body={},
            created_at=now - age,
        )
    out = StringIO()
    call_command("prune_idempotency_keys", stdout=out)

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert "Deleted 1 idempotency key(s) older than 24 hours." in out.getvalue()


def test_a_russian_ops_person_reads_the_token_services_refusals_in_russian(ops, central):
    token = issue(central, "frontline", "POS till 9", actor=ops).token
    client = speaking(ops, "ru")
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 302
    page = client.get(client.post(f"{URL}{token.pk}/revoke/")["Location"]).content.decode()
    assert "Токен «POS till 9» уже отозван." in html.unescape(page)

    # Worded when raised: the same service says it in English where English is active (the API, commands).
    central.is_active = False
    central.save()
    for language, message in [
        ("ru", "Точка: эта точка закрыта; выберите действующую."),
        ("en", "Location: this location is closed; choose an active one."),
    ]:
        with translation.override(language), pytest.raises(RecoveryError) as error:
            issue(central, "frontline", "Closed till", actor=ops)
        assert (error.value.field, error.value.message) == ("location", message)
