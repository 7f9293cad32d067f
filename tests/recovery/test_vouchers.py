"""Vouchers: codes typed forgivingly, redeemed once at any counter, the customer's page, the audit."""

import re
import uuid
import zoneinfo
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
import segno
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.models import AuditEvent
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery.models import Grant, VoucherRedemption
from recovery.services import VOUCHER_ALPHABET, RecoveryError, grant_issue, grant_void, voucher_code_new
from recovery.services import vouchers as voucher_services
from recovery.timeline import TimelineQuery, timeline_page
from recovery.vouchers import (
    VoucherError,
    VoucherState,
    customer_display_name,
    voucher_code_normalize,
    voucher_link_token,
    voucher_lookup,
    voucher_redeem,
)
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REDEEM = reverse("voucher_redeem")


def voucher_for(actor, location, customer, *, days_ago=0) -> Grant:
    """A repair voucher (valid 180 days), granted `days_ago` days back."""
    request = factories.grant_request(customer, location, code="repeat-repair", purchase_value="1000", amount="120.00")
    at = timezone.now()
    if days_ago:
        # Expiry counts the location's calendar days, so go back by local days (noon): 181 × 24 h
        # back from 23:30 on 31 December lands on 4 July in London, only 180 local days ago.
        tz = zoneinfo.ZoneInfo(location.timezone)
        day = timezone.localdate(at, tz) - timedelta(days=days_ago)
        at = datetime.combine(day, time(12), tzinfo=tz)
    return grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=load_policy(), at=at).grant


@pytest.fixture
def voucher(frontline, central, customer) -> Grant:
    return voucher_for(frontline, central, customer)


def zone(location):
    return zoneinfo.ZoneInfo(location.timezone)


def public_url(grant) -> str:
    return reverse("voucher_public", args=[voucher_link_token(grant.voucher_code)])


# --- codes: the alphabet and what a person types ------------------------------------------


def test_the_alphabet_has_no_characters_people_mix_up():
    assert not set(VOUCHER_ALPHABET) & set("0O1ILU")
    assert len(set(VOUCHER_ALPHABET)) == len(VOUCHER_ALPHABET) == 30
    for _ in range(200):
        code = voucher_code_new()
        assert voucher_code_normalize(code) == code


@pytest.mark.parametrize(
    "typed",
    ["7KQ4M-XR9TB", "7kq4m-xr9tb", "7KQ4MXR9TB", " 7kq4m xr9tb\n", "7KQ4M\u2013XR9TB", "7kq4m.xr9tb", "7K Q4M X R9 TB"],
)
def test_codes_are_typed_in_any_case_with_or_without_the_dash(typed):
    assert voucher_code_normalize(typed) == "7KQ4M-XR9TB"


@pytest.mark.parametrize("lookalike", ["O", "0", "I", "1", "L", "U", "o", "l"])
def test_a_lookalike_character_is_named_instead_of_guessed(lookalike):
    """No code contains them, so any guess could be someone else's voucher: say which character is wrong."""
    with pytest.raises(VoucherError) as refused:
        voucher_code_normalize(f"7KQ4M-XR9T{lookalike}")
    assert refused.value.code == "not_a_voucher" and refused.value.field == "code"
    assert f"has {lookalike.upper()}, which no voucher code contains" in refused.value.message


@pytest.mark.parametrize(
    "typed", ["", "   ", "7KQ4M", "7KQ4M-XR9TB2", "LC-1001", "+447700900101", "7KQ4M-XR9T#", "ÄKQ4M-XR9TB"]
)
def test_what_cannot_be_a_code_says_what_a_code_looks_like(typed):
    with pytest.raises(VoucherError) as refused:
        voucher_code_normalize(typed)
    assert refused.value.code == "not_a_voucher"
    assert refused.value.message.startswith("Voucher code: ")
    assert "7KQ4M-XR9TB" in refused.value.message


def test_several_lookalikes_are_all_named():
    with pytest.raises(VoucherError, match="has O, 1 and L, which no voucher code contains"):
        voucher_code_normalize("OKQ4M-XR91L")


def test_the_customers_link_gives_its_code_and_a_forged_one_is_refused():
    token = voucher_link_token("7KQ4M-XR9TB")
    assert voucher_code_normalize(f"https://desk.example.com/v/{token}/") == "7KQ4M-XR9TB"
    assert voucher_code_normalize(f"/v/{token}/?utm=x") == "7KQ4M-XR9TB"
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature altered
        "9KQ4MXR9TB" + token[len("7KQ4MXR9TB") :],  # code altered
        signing.Signer(salt="another.purpose", sep=".").sign("7KQ4MXR9TB"),  # signed for something else
        "7KQ4MXR9TB",  # no signature at all
    ]
    for link in forged:
        with pytest.raises(VoucherError) as refused:
            voucher_code_normalize(f"https://desk.example.com/v/{link}/")
        assert refused.value.code == "not_found", link
        assert "not one of our vouchers" in refused.value.message


@pytest.mark.parametrize(
    "name, shown",
    [("Alice Moreau", "Alice M."), ("Jean-Luc de la Tour", "Jean-Luc T."), ("Cher", "Cher"), ("  ", "")],
)
def test_the_counter_sees_the_first_name_and_an_initial(name, shown):
    assert customer_display_name(name) == shown


# --- lookup ------------------------------------------------------------------------------------


def test_lookup_says_what_it_is_worth_whom_for_and_until_when(voucher):
    status = voucher_lookup(code=voucher.voucher_code.lower().replace("-", ""))
    assert status.grant == voucher and status.code == voucher.voucher_code
    assert status.state == VoucherState.VALID == "valid" and status.is_redeemable
    assert status.worth == "€120.00" and status.item == voucher.playbook_name
    assert status.offer == "A free rental car for the repair time, or a voucher for a free service visit."
    assert status.customer_name == "Alice M."
    assert status.expires_on == timezone.localdate(voucher.granted_at, zone(voucher.location)) + timedelta(days=180)
    assert status.redemption is None
    assert status.message == f"Valid until {status.expires_on.day} {status.expires_on:%B %Y}."


def test_an_unknown_code_is_not_found(voucher):
    with pytest.raises(VoucherError) as refused:
        voucher_lookup(code="22222-22222")
    assert refused.value.code == "not_found"
    assert (
        refused.value.message == "Voucher code: no voucher has the code 22222-22222: check it character by character."
    )


def test_the_expiry_counts_from_the_day_of_the_grant(frontline, central, customer):
    old = voucher_for(frontline, central, customer, days_ago=200)
    assert old.voucher_expires_on == timezone.localdate(old.granted_at, zone(central)) + timedelta(days=180)
    status = voucher_lookup(code=old.voucher_code)
    assert status.state == "expired" and not status.is_redeemable
    assert status.message.startswith("Expired: it was valid until ")


# --- redeeming ----------------------------------------------------------------------------------


def test_a_voucher_redeems_at_another_location(voucher, frontline_airport, airport, central):
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)

    assert (
        redemption.grant == voucher and redemption.location == airport and redemption.redeemed_by == frontline_airport
    )
    assert redemption.redeemed_by_username == "fiona"
    status = voucher_lookup(code=voucher.voucher_code, location=central)
    assert status.state == "redeemed" and status.redemption == redemption
    local = timezone.localtime(redemption.redeemed_at, zone(airport))
    assert status.message == f"Redeemed at Airport Desk by fiona on {local.day} {local:%b %Y} at {local:%H:%M}."
    assert redemption.history.get().history_user == frontline_airport


def test_a_second_redemption_is_refused_naming_where_by_whom_and_when(
    voucher, frontline_airport, airport, manager, central
):
    first = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)

    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=manager, code=voucher.voucher_code.lower(), location=central)

    assert refused.value.code == "already_redeemed" and refused.value.field == "code"
    assert refused.value.redemption == first
    assert refused.value.message == f"Voucher code: {voucher.voucher_code} was already redeemed {first.summary}."
    assert "at Airport Desk by fiona on " in refused.value.message
    assert VoucherRedemption.objects.count() == 1


def test_the_same_token_again_returns_the_first_redemption(voucher, frontline, central):
    """A double click (same employee, same form) is not an error; without the form's token it is."""
    token = uuid.uuid4()
    first = voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central, token=token)
    again = voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central, token=token)
    assert again == first and VoucherRedemption.objects.count() == 1

    with pytest.raises(VoucherError, match="already redeemed at Central Store by frank"):
        voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central, token=uuid.uuid4())
    with pytest.raises(VoucherError, match="already redeemed"):
        voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)


def test_another_employee_with_the_winners_token_is_still_refused(voucher, frontline, manager, central):
    token = uuid.uuid4()
    voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central, token=token)
    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=manager, code=voucher.voucher_code, location=central, token=token)
    assert refused.value.code == "already_redeemed"


def test_an_expired_voucher_is_refused_and_nothing_is_stored(frontline, central, customer):
    old = voucher_for(frontline, central, customer, days_ago=181)
    events = AuditEvent.objects.count()
    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=frontline, code=old.voucher_code, location=central)
    assert refused.value.code == "expired"
    expires = old.voucher_expires_on
    assert refused.value.message == (
        f"Voucher code: {old.voucher_code} expired: it was valid until {expires.day} {expires:%B %Y}."
    )
    assert not VoucherRedemption.objects.exists() and AuditEvent.objects.count() == events


def test_expiry_is_the_redeeming_locations_date(voucher, frontline, central):
    """On the last valid day in London it is already the next day in Kiritimati (UTC+14)."""
    kiritimati = factories.make_location("kiritimati", "Kiritimati Desk", timezone="Pacific/Kiritimati")
    clerk = factories.make_user("kiri", "frontline", [kiritimati])
    last_day = voucher.voucher_expires_on
    noon_in_london = timezone.make_aware(datetime(last_day.year, last_day.month, last_day.day, 12), zone(central))

    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=clerk, code=voucher.voucher_code, location=kiritimati, at=noon_in_london)
    assert refused.value.code == "expired"
    redemption = voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central, at=noon_in_london)
    assert redemption.redeemed_at == noon_in_london


def test_a_voided_voucher_no_longer_redeems(voucher, manager, frontline, central):
    grant_void(actor=manager, grant_id=voucher.pk, reason="Entered for the wrong customer")
    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)
    assert refused.value.code == "voided"
    assert f"{voucher.voucher_code} was voided on " in refused.value.message and "by maria" in refused.value.message
    assert not VoucherRedemption.objects.exists()
    assert voucher_lookup(code=voucher.voucher_code).state == "voided"


def test_a_redeemed_voucher_cannot_be_voided(voucher, manager, frontline_airport, airport):
    """The customer has had it: a void would take it out of the budget and limits, and the books would lie."""
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    with pytest.raises(RecoveryError) as refused:
        grant_void(actor=manager, grant_id=voucher.pk, reason="Changed my mind")
    assert refused.value.message == (
        f"Grant #{voucher.pk} cannot be voided: its voucher {voucher.voucher_code} was already redeemed "
        f"{redemption.summary}, so the customer has had it."
    )
    voucher.refresh_from_db()
    assert voucher.status == Grant.Status.ACTIVE and voucher.voided_at is None


def test_an_unknown_code_redeems_nothing(voucher, frontline, central):
    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=frontline, code="22222-22222", location=central)
    assert refused.value.code == "not_found"
    assert not VoucherRedemption.objects.exists()


@pytest.mark.parametrize("who", ["frontline_airport", "ops", "auditor"])
def test_only_counter_staff_of_the_redeeming_location_may_redeem(request, voucher, central, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        voucher_redeem(actor=actor, code=voucher.voucher_code, location=central)
    assert not VoucherRedemption.objects.exists()


def test_the_database_refuses_a_second_redemption_that_got_past_the_check(
    voucher, frontline, manager, central, monkeypatch
):
    """The one-to-one is the final guard: even if the check inside the lock missed the first redemption."""
    first = voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)
    real = voucher_services._redemption_of
    calls = []

    def blind_once(grant_id):
        calls.append(grant_id)
        return None if len(calls) == 1 else real(grant_id)

    monkeypatch.setattr(voucher_services, "_redemption_of", blind_once)
    with pytest.raises(VoucherError) as refused:
        voucher_redeem(actor=manager, code=voucher.voucher_code, location=central)
    assert refused.value.code == "already_redeemed" and refused.value.redemption == first
    assert len(calls) == 2  # the blind check, then the answer after the IntegrityError
    assert VoucherRedemption.objects.count() == 1
    assert AuditEvent.objects.filter(kind="voucher.redeemed").count() == 1


# --- the audit journal -----------------------------------------------------------------------------


def test_a_redemption_is_journalled_on_the_redeeming_locations_chain(voucher, frontline_airport, airport):
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    entry = AuditEvent.objects.get(kind="voucher.redeemed")
    assert entry.chain == f"location-{airport.pk}" and entry.location_id == airport.pk
    assert (entry.subject_type, entry.subject_id, entry.actor) == ("grant", voucher.pk, frontline_airport)
    assert entry.payload["redemption_id"] == redemption.pk and entry.payload["voucher_code"] == voucher.voucher_code
    assert entry.payload["grant_location_id"] == voucher.location_id
    call_command("verify_audit", stdout=StringIO())


def test_verify_audit_finds_a_redemption_removed_or_moved_behind_the_applications_back(
    voucher, frontline_airport, airport, central
):
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    VoucherRedemption.objects.filter(pk=redemption.pk).update(location=central)
    moved = rf"voucher.redeemed\) ↔ recovery.VoucherRedemption #{redemption.pk}: location_id: journal {airport.pk} vs "
    with pytest.raises(CommandError, match=f"{moved}record {central.pk}"):
        call_command("verify_audit", stdout=StringIO())
    VoucherRedemption.objects.filter(pk=redemption.pk).delete()
    gone = rf"voucher.redeemed\) ↔ recovery.VoucherRedemption \(grant_id {voucher.pk}\): the record is missing"
    with pytest.raises(CommandError, match=gone):
        call_command("verify_audit", stdout=StringIO())


# --- the redeem screen ----------------------------------------------------------------------------


def test_the_redeem_screen_has_one_input_ready_for_a_scanner(frontline_client):
    page = frontline_client.get(REDEEM).content.decode()
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", page).group(0)
    for attribute in ("autofocus", 'autocomplete="off"', 'inputmode="text"', "data-select-on-load"):
        assert attribute in field
    assert 'method="get"' in page and 'hx-get="/counter/vouchers/"' in page
    assert ">Redeem voucher</a>" in page  # the nav link


def test_the_nav_link_is_for_counter_staff_only(ops_client):
    assert ">Redeem voucher</a>" not in ops_client.get(reverse("audit")).content.decode()


def test_looking_a_code_up_shows_its_card_with_a_one_click_redeem(frontline_client, voucher):
    response = frontline_client.get(REDEEM, {"code": voucher.voucher_code.lower().replace("-", " ")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "€120.00" in page and voucher.playbook_name in page and "Alice M." in page
    assert "Moreau" not in page and "+447700900101" not in page and "alice@example.com" not in page
    assert "Valid — redeem it" in page and "Redeem now at Central Store" in page
    assert f'name="code" value="{voucher.voucher_code}"' in page


def test_redeeming_at_the_counter_shows_what_to_hand_over(frontline_client, frontline, voucher):
    page = frontline_client.get(REDEEM, {"code": voucher.voucher_code}).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)

    response = frontline_client.post(REDEEM, {"code": voucher.voucher_code, "token": token})

    assert response.status_code == 302 and response["Location"] == f"{REDEEM}?code={voucher.voucher_code}"
    redemption = VoucherRedemption.objects.get()
    assert redemption.redeemed_by == frontline and redemption.token == uuid.UUID(token)
    after = frontline_client.get(response["Location"]).content.decode()
    assert f"Voucher {voucher.voucher_code} redeemed: hand over {voucher.playbook_name} (120.00 EUR)." in after
    assert "Redeemed at Central Store by frank on " in after and "That was you." in after
    assert "Redeem now" not in after


def test_a_double_click_shows_the_first_clicker_no_error(frontline_client, voucher):
    form = {"code": voucher.voucher_code, "token": str(uuid.uuid4())}
    first = frontline_client.post(REDEEM, form)
    second = frontline_client.post(REDEEM, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert VoucherRedemption.objects.count() == 1


def test_a_second_counter_is_told_where_by_whom_and_when(voucher, frontline_client, frontline_airport):
    frontline_client.post(REDEEM, {"code": voucher.voucher_code, "token": str(uuid.uuid4())})
    response = client_for(frontline_airport).post(REDEEM, {"code": voucher.voucher_code, "token": str(uuid.uuid4())})
    assert response.status_code == 422
    page = response.content.decode()
    redemption = VoucherRedemption.objects.get()
    assert f"Voucher code: {voucher.voucher_code} was already redeemed at Central Store by frank on " in page
    assert redemption.summary in page
    assert "Redeem now" not in page
    assert VoucherRedemption.objects.count() == 1


@pytest.mark.parametrize(
    "case, expected",
    [
        ("expired", "expired: it was valid until"),
        ("voided", "was voided on"),
        ("unknown", "no voucher has the code 22222-22222"),
        ("not_a_code", "is not a voucher code"),
        ("empty", "Voucher code: type or scan the code."),
    ],
)
def test_refused_redemptions_say_why_on_the_code_field_and_store_nothing(
    frontline_client, frontline, manager, central, customer, case, expected
):
    grant = voucher_for(frontline, central, customer, days_ago=200 if case == "expired" else 0)
    if case == "voided":
        grant_void(actor=manager, grant_id=grant.pk, reason="Wrong customer")
    code = {"unknown": "22222-22222", "not_a_code": "+447700900101", "empty": ""}.get(case, grant.voucher_code)
    events = AuditEvent.objects.count()

    response = frontline_client.post(REDEEM, {"code": code, "token": str(uuid.uuid4())})

    assert response.status_code == 422
    page = response.content.decode()
    assert expected in page
    assert 'aria-invalid="true"' in page  # on the code input
    assert not VoucherRedemption.objects.exists() and AuditEvent.objects.count() == events


def test_a_damaged_form_token_is_named_and_redeems_nothing(frontline_client, voucher):
    response = frontline_client.post(REDEEM, {"code": voucher.voucher_code, "token": "not-a-uuid"})
    assert response.status_code == 422
    assert "This form&#x27;s one-time token is damaged: look the code up again." in response.content.decode()
    assert not VoucherRedemption.objects.exists()


def test_a_pasted_or_scanned_link_looks_the_voucher_up(frontline_client, voucher):
    link = "http://testserver" + public_url(voucher)
    response = frontline_client.get(REDEEM, {"code": link})
    assert response.status_code == 200 and "Redeem now at Central Store" in response.content.decode()


def test_htmx_asks_as_the_code_is_typed(frontline_client, voucher):
    typing = frontline_client.get(REDEEM, {"code": voucher.voucher_code[:4]}, HTTP_HX_REQUEST="true")
    assert typing.status_code == 200
    assert "Keep typing: 4 of 10 characters." in typing.content.decode()
    assert "<html" not in typing.content.decode()

    full = frontline_client.get(REDEEM, {"code": voucher.voucher_code}, HTTP_HX_REQUEST="true")
    assert full.status_code == 200 and "<html" not in full.content.decode()
    assert "Redeem now at Central Store" in full.content.decode()

    wrong = frontline_client.get(REDEEM, {"code": "7KQ0"}, HTTP_HX_REQUEST="true")
    assert wrong.status_code == 422 and "which no voucher code contains" in wrong.content.decode()


def test_the_redeem_screen_runs_the_same_queries_whatever_the_number_of_vouchers(
    frontline_client, frontline, frontline_airport, central, airport
):
    def queries_for_lookup(code):
        with CaptureQueriesContext(connection) as captured:
            assert frontline_client.get(REDEEM, {"code": code}).status_code == 200
        return len(captured)

    def make(count):
        made = [voucher_for(frontline, central, factories.make_customer(f"C{len(made_all)}-{i}")) for i in range(count)]
        made_all.extend(made)
        for grant in made[: count // 2]:
            voucher_redeem(actor=frontline_airport, code=grant.voucher_code, location=airport)
        return made

    made_all = []
    few = make(2)
    with_two = (queries_for_lookup(few[0].voucher_code), queries_for_lookup(few[1].voucher_code))
    many = make(20)
    with_twenty = (queries_for_lookup(many[0].voucher_code), queries_for_lookup(many[-1].voucher_code))
    assert with_two == with_twenty
    assert max(with_twenty) <= 11  # session (3 with its save), user, roles, locations (2), the voucher, permissions (2)


def test_the_redeem_post_runs_a_bounded_number_of_queries(frontline_client, voucher, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = frontline_client.post(REDEEM, {"code": voucher.voucher_code, "token": str(uuid.uuid4())})
    assert response.status_code == 302


# --- the customer's page and the staff pages ------------------------------------------------------


def test_the_customer_page_shows_the_voucher_and_nothing_about_the_customer(voucher, frontline):
    response = Client().get(public_url(voucher))
    assert response.status_code == 200
    page = response.content.decode()
    assert voucher.playbook_name in page and "€120.00" in page and voucher.voucher_code in page
    # The link's signature is random-looking text: left out, so it cannot match a name by chance.
    page = page.replace(voucher_link_token(voucher.voucher_code), "")
    assert "A free rental car for the repair time" in page  # the offer
    expires = voucher.voucher_expires_on
    assert f"Valid until {expires.day} {expires:%B %Y}" in page
    assert "Not exchangeable for cash" in page and "<svg" in page
    for private in ("Alice", "Moreau", "+447700900101", "7700", "alice@example.com", "LC-1", frontline.username):
        assert private not in page, private
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "@media print" in open("static/css/desk.css").read()


def test_the_customer_page_says_redeemed_expired_or_cancelled(
    voucher, frontline, frontline_airport, airport, manager, central, customer
):
    voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    redeemed = Client().get(public_url(voucher)).content.decode()
    assert "Used on " in redeemed and "Airport" not in redeemed and "fiona" not in redeemed and "<svg" not in redeemed

    old = voucher_for(frontline, central, customer, days_ago=200)
    assert "Expired: it was valid until" in Client().get(public_url(old)).content.decode()

    voided = voucher_for(frontline, central, customer)
    grant_void(actor=manager, grant_id=voided.pk, reason="Wrong customer")
    page = Client().get(public_url(voided)).content.decode()
    assert "Cancelled" in page and "Wrong customer" not in page and "maria" not in page


@pytest.mark.parametrize(
    "token",
    ["nonsense", "7KQ4MXR9TB", "7KQ4MXR9TB.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x" * 300],
)
def test_a_forged_or_damaged_link_is_404(voucher, token):
    assert Client().get(reverse("voucher_public", args=[token])).status_code == 404


def test_a_validly_signed_link_to_a_code_nobody_has_is_404(voucher):
    assert Client().get(reverse("voucher_public", args=[voucher_link_token("22222-22222")])).status_code == 404


def test_a_tampered_link_to_another_voucher_is_404(frontline, central, customer, voucher):
    other = voucher_for(frontline, central, customer)
    token = voucher_link_token(voucher.voucher_code)
    tampered = other.voucher_code.replace("-", "") + token[10:]
    assert Client().get(reverse("voucher_public", args=[tampered])).status_code == 404


def test_the_granted_page_hands_over_the_link_and_its_qr_code_opens_it(frontline_client, voucher):
    page = frontline_client.get(reverse("counter_granted", args=[voucher.pk])).content.decode()
    link = "http://testserver" + public_url(voucher)
    assert f'href="{link}"' in page
    assert segno.make(link, error="m").svg_inline(scale=4, border=2, omitsize=True) in page
    slip = frontline_client.get(reverse("grant_slip", args=[voucher.pk])).content.decode()
    assert link in slip
    # What the QR code holds is what the redeem screen's scanner types.
    assert "Redeem now" in frontline_client.get(REDEEM, {"code": link}).content.decode()


def test_the_audit_page_shows_the_redemption_and_offers_no_void(manager_client, voucher, frontline_airport, airport):
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    page = manager_client.get(reverse("audit_detail", args=[voucher.pk])).content.decode()
    local = timezone.localtime(redemption.redeemed_at, zone(airport))
    assert f"<dt>Redeemed</dt><dd>{local.day} {local:%b %Y %H:%M:%S} by fiona at Airport Desk</dd>" in page
    assert "Void grant" not in page
    # its journal entry: in words for the manager, the chain's position in the technical details
    assert '<td data-label="Entry">Voucher redeemed</td><td data-label="By">fiona</td>' in page
    assert f"<li><code>voucher.redeemed</code> · location-{airport.pk} #1 · " in page


def test_redemptions_are_in_the_audit_timeline_of_the_redeeming_location(
    voucher, frontline_airport, airport, manager, manager_airport
):
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)

    page = timeline_page(user=manager_airport, query=TimelineQuery(kinds=("voucher.redeemed",)))
    [entry] = page.entries
    assert (entry.kind, entry.pk, entry.at) == ("voucher.redeemed", redemption.pk, redemption.redeemed_at)
    assert (entry.location, entry.actor, entry.customer) == ("Airport Desk", "fiona", "Alice Moreau")
    assert entry.summary == (
        f"Voucher {voucher.voucher_code} of grant #{voucher.pk} redeemed ({voucher.playbook_name}, "
        "granted at Central Store)"
    )
    assert entry.url == reverse("audit_detail", args=[voucher.pk])
    # Central's manager reviews the grant (its audit page shows the redemption), not the airport's counter.
    assert not timeline_page(user=manager, query=TimelineQuery(kinds=("voucher.redeemed",))).entries
    listing = client_for(manager_airport).get(reverse("audit")).content.decode()
    assert "Voucher redeemed" in listing and voucher.voucher_code in listing


def test_voiding_a_redeemed_voucher_on_the_audit_page_is_refused_with_the_reason(
    manager_client, voucher, frontline_airport, airport
):
    voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    response = manager_client.post(reverse("grant_void", args=[voucher.pk]), {"reason": "Changed my mind"})
    assert response.status_code == 422
    assert "cannot be voided: its voucher" in response.content.decode()
    voucher.refresh_from_db()
    assert not voucher.is_voided
