"""Anomaly flags: each pattern raised with its reason (and not for honest look-alikes), idempotent
detection in a bounded number of queries, and the audited review through the page."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.journal import location_chain
from compensation.models import AuditEvent
from compensation.predicates import roles_of
from recovery import services
from recovery.anomalies import anomalies_detect, anomalies_find, anomaly_review
from recovery.models import AnomalyFlag
from tests.conftest import client_for
from tests.factories import grant_request, make_customer, make_user

pytestmark = pytest.mark.django_db

Kind = AnomalyFlag.Kind
LONG_AGO = timezone.now() - timedelta(days=900)


def old_customer(name, **fields):
    """A customer on file for years (created long before any grant here)."""
    return make_customer(name, created_at=LONG_AGO, **fields)


def granted(actor, location, customer, *, days_ago=0.0, **fields):
    """A grant through the real service, made `days_ago` days ago (free drinks on 100.00: cap 15.00 for a loyal customer)."""
    at = timezone.now() - timedelta(days=days_ago)
    request = grant_request(customer, location, **fields)
    return services.grant_issue(actor=actor, roles=roles_of(actor), request=request, at=at).grant


def flags_of(kind):
    return list(AnomalyFlag.objects.filter(kind=kind).select_related("location").order_by("location__name", "id"))


def verify_audit():
    call_command("verify_audit", stdout=StringIO())


# --- customer compensated at several locations -----------------------------------------------


def test_customer_compensated_at_two_locations_is_flagged_at_each(central, airport, frontline, frontline_airport):
    traveller = old_customer("Rolf Tourer")
    granted(frontline, central, traveller, days_ago=10, amount="10")
    at_airport = granted(frontline_airport, airport, traveller, days_ago=5, amount="12.50")
    last_central = granted(frontline, central, traveller, days_ago=1, amount="5")

    assert anomalies_detect() == 2
    airport_flag, central_flag = flags_of(Kind.CUSTOMER_ACROSS_LOCATIONS)
    reason = (
        "Compensated 3 times at 2 locations (Central Store, Airport Desk) in 30 days: 10.00, 12.50, 5.00 (total 27.50)."
    )
    assert central_flag.reason == airport_flag.reason == reason
    assert (central_flag.location, central_flag.grant, central_flag.customer) == (central, last_central, traveller)
    assert (airport_flag.location, airport_flag.grant) == (airport, at_airport)
    assert central_flag.figures["grants_here"] == 2 and airport_flag.figures["grants_here"] == 1
    assert central_flag.figures["amounts"] == ["10.00", "12.50", "5.00"]
    assert central_flag.is_open and central_flag.employee is None


def test_loyal_customers_of_one_location_and_occasional_visitors_are_not_flagged(
    central, airport, frontline, frontline_airport, manager
):
    regular = old_customer("Rita Regular")
    for days_ago in (1, 5, 9, 14):
        granted(frontline, central, regular, days_ago=days_ago)  # many grants, one location
    visitor = old_customer("Vic Visitor")
    granted(frontline, central, visitor, days_ago=3)
    granted(frontline_airport, airport, visitor, days_ago=2)  # two locations, only two grants
    returning = old_customer("Olaf Old")
    granted(frontline, central, returning, days_ago=45)
    granted(frontline, central, returning, days_ago=40)  # outside the window
    granted(frontline_airport, airport, returning, days_ago=2)
    voided = old_customer("Val Voided")
    granted(frontline, central, voided, days_ago=3)
    granted(frontline_airport, airport, voided, days_ago=2)
    cancelled = granted(frontline, central, voided, days_ago=1)
    services.grant_void(actor=manager, grant_id=cancelled.pk, reason="Entered twice")  # voided: not compensation

    anomalies_detect()
    assert flags_of(Kind.CUSTOMER_ACROSS_LOCATIONS) == []


# --- employee far above peers ----------------------------------------------------------------


def staff_at(location, *names):
    return [make_user(name, "frontline", [location]) for name in names]


def grants_by(employee, location, count, **fields):
    customers = [old_customer(f"Peer customer {employee.username} {n}") for n in range(count)]
    return [granted(employee, location, customer, days_ago=1 + n, **fields) for n, customer in enumerate(customers)]


def test_employee_with_twice_the_colleagues_grants_is_flagged(central):
    star, paul, pia = staff_at(central, "star", "paul", "pia")
    made = grants_by(star, central, 6)
    grants_by(paul, central, 2)
    grants_by(pia, central, 3)

    anomalies_detect()
    (flag,) = flags_of(Kind.EMPLOYEE_ABOVE_PEERS)
    assert flag.reason == (
        "star made 6 grants averaging 15.00 at Central Store in 30 days; the median of their 2 colleagues "
        "there is 2.5 grants averaging 15.00: 2.4× as many grants."
    )
    assert (flag.employee, flag.location, flag.grant) == (star, central, max(made, key=lambda grant: grant.pk))
    assert flag.figures["colleague_median_grants"] == "2.5" and flag.figures["count_ratio"] == "2.4"


def test_employee_with_twice_the_colleagues_average_amount_is_flagged(central):
    star, paul, pia = staff_at(central, "star", "paul", "pia")
    grants_by(star, central, 5)  # the full cap, 15.00
    grants_by(paul, central, 5, amount="5")
    grants_by(pia, central, 5, amount="6")

    anomalies_detect()
    (flag,) = flags_of(Kind.EMPLOYEE_ABOVE_PEERS)
    assert flag.employee == star
    assert flag.reason.endswith(
        "the median of their 2 colleagues there is 5 grants averaging 5.50: 2.7× the average amount."
    )


def test_colleagues_with_similar_figures_are_not_flagged(central):
    ann, ben, cat = staff_at(central, "ann", "ben", "cat")
    grants_by(ann, central, 5)
    grants_by(ben, central, 6, amount="12")
    grants_by(cat, central, 7, amount="10")
    anomalies_detect()
    assert flags_of(Kind.EMPLOYEE_ABOVE_PEERS) == []


def test_one_colleague_is_not_enough_to_compare(central):
    star, paul = staff_at(central, "star", "paul")
    grants_by(star, central, 8)
    grants_by(paul, central, 1, amount="5")
    anomalies_detect()
    assert flags_of(Kind.EMPLOYEE_ABOVE_PEERS) == []


# --- grants repeatedly at exactly the cap -----------------------------------------------------


def test_employee_nearly_always_at_the_cap_while_others_are_not_is_flagged(central, airport):
    (capper,) = staff_at(central, "capper")
    (modest,) = staff_at(airport, "modest")
    grants_by(capper, central, 8)  # amount left empty: the full cap
    grants_by(modest, airport, 8, amount="5")

    anomalies_detect()
    (flag,) = flags_of(Kind.AT_CAP_REPEATEDLY)
    assert flag.reason == (
        "capper granted exactly the cap in 8 of 8 grants (100%) at Central Store in 30 days; "
        "everyone else granted the cap in 0% of 8 grants."
    )
    assert (flag.employee, flag.location) == (capper, central)
    assert flag.figures["at_cap_share"] == "100%"


def test_at_the_cap_is_no_signal_where_everyone_grants_the_cap(central, airport):
    (capper,) = staff_at(central, "capper")
    (other,) = staff_at(airport, "other")
    grants_by(capper, central, 9)
    grants_by(other, airport, 8)  # the counter proposes the cap: at the cap is the normal case here
    (few,) = staff_at(central, "few")
    anomalies_detect()
    assert flags_of(Kind.AT_CAP_REPEATEDLY) == []
    grants_by(few, central, 7)  # below the minimum number of grants
    anomalies_detect()
    assert flags_of(Kind.AT_CAP_REPEATEDLY) == []


# --- grant to a customer created minutes earlier ------------------------------------------------


def test_grant_to_a_walk_in_without_any_contact_is_flagged(central, frontline):
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    grant = granted(frontline, central, walk_in)

    assert anomalies_detect() == 1
    (flag,) = flags_of(Kind.NEW_CUSTOMER)
    assert flag.reason == (
        f"Grant #{grant.pk} of 10.00 by frank to Sam Nobody, a customer created less than a minute earlier "
        "by frank with no phone, email or loyalty card: nobody can confirm the customer exists."
    )
    assert (flag.grant, flag.customer, flag.employee, flag.location) == (grant, walk_in, frontline, central)


def test_new_customers_with_a_contact_and_old_customers_are_not_flagged(central, frontline):
    with_phone = services.customer_add_walk_in(
        actor=frontline, location=central, name="Pat Phone", phone="+447700900901"
    )
    granted(frontline, central, with_phone)
    granted(frontline, central, old_customer("Olga Oldtimer"))
    earlier = make_customer("Eli Earlier", created_at=timezone.now() - timedelta(minutes=30))
    granted(frontline, central, earlier)  # created half an hour before: not "minutes earlier"
    anomalies_detect()
    assert flags_of(Kind.NEW_CUSTOMER) == []


# --- void after the fact ---------------------------------------------------------------------


def test_void_days_after_the_grant_is_flagged(central, frontline, manager):
    grant = granted(frontline, central, old_customer("Vera Void"), days_ago=5)
    services.grant_void(
        actor=manager, grant_id=grant.pk, reason="Found on the weekly review", at=grant.granted_at + timedelta(days=3)
    )

    anomalies_detect()
    (flag,) = flags_of(Kind.VOID_AFTER_THE_FACT)
    assert flag.reason == (
        f"Grant #{grant.pk} of 15.00 by frank was voided by maria 3 days after it was granted: “Found on the weekly review”"
    )
    assert (flag.grant, flag.employee) == (grant, manager)  # the review concerns the one who voided


def test_void_at_the_counter_within_hours_is_not_flagged(central, frontline, manager):
    grant = granted(frontline, central, old_customer("Quinn Quick"), days_ago=2)
    services.grant_void(
        actor=manager, grant_id=grant.pk, reason="Typed the wrong amount", at=grant.granted_at + timedelta(hours=2)
    )
    anomalies_detect()
    assert flags_of(Kind.VOID_AFTER_THE_FACT) == []


# --- idempotency, history, bounded queries ---------------------------------------------------


@pytest.fixture
def every_pattern(central, airport, frontline, frontline_airport, manager):
    """One case of each pattern but the peers one (which needs colleagues)."""
    traveller = old_customer("Rolf Tourer")
    granted(frontline, central, traveller, days_ago=3)
    granted(frontline_airport, airport, traveller, days_ago=2)
    granted(frontline, central, traveller, days_ago=1)
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    granted(frontline, central, walk_in)
    late = granted(frontline, central, old_customer("Vera Void"), days_ago=5)
    services.grant_void(actor=manager, grant_id=late.pk, reason="Weekly review", at=late.granted_at + timedelta(days=2))
    grants_by(frontline, central, 6)
    grants_by(frontline_airport, airport, 8, amount="5")


def test_detection_is_idempotent_and_records_who_raised_each_flag(every_pattern):
    first = anomalies_detect()
    assert first == AnomalyFlag.objects.count() == 5
    assert set(AnomalyFlag.objects.values_list("kind", flat=True)) == {
        Kind.CUSTOMER_ACROSS_LOCATIONS,
        Kind.NEW_CUSTOMER,
        Kind.VOID_AFTER_THE_FACT,
        Kind.AT_CAP_REPEATEDLY,
    }
    assert anomalies_detect() == 0
    # A day later the same patterns still hold: one flag per subject per window, no repeats.
    assert anomalies_detect(now=timezone.now() + timedelta(days=1)) == 0
    assert AnomalyFlag.objects.count() == 5
    for flag in AnomalyFlag.objects.all():
        (record,) = flag.history.all()
        assert record.history_change_reason == "Raised by the anomaly checks" and record.history_user is None


def test_detection_runs_a_constant_number_of_queries(every_pattern, central, airport, frontline, frontline_airport):
    def queries():
        with CaptureQueriesContext(connection) as context:
            anomalies_find()
        return len(context.captured_queries)

    before = queries()
    for n in range(10):  # more of every pattern: more travellers, walk-ins, grants
        traveller = old_customer(f"Tourer {n}")
        granted(frontline, central, traveller, days_ago=3)
        granted(frontline_airport, airport, traveller, days_ago=2)
        granted(frontline, central, traveller, days_ago=1)
        granted(
            frontline, central, services.customer_add_walk_in(actor=frontline, location=central, name=f"Nobody {n}")
        )
    assert len(anomalies_find()) > 20
    assert queries() == before <= 10


def test_detect_anomalies_command_prints_the_flags_raised_per_pattern(every_pattern):
    out = StringIO()
    call_command("detect_anomalies", stdout=out)
    lines = out.getvalue().splitlines()
    assert "    2  Same customer compensated at several locations" in lines
    assert "    1  Customer created minutes before the grant" in lines
    assert "    0  Employee far above peers" in lines
    assert lines[-1] == "5 new anomaly flags."
    out = StringIO()
    call_command("detect_anomalies", stdout=out)
    assert out.getvalue().splitlines()[-1] == "0 new anomaly flags."


# --- the page and the review -------------------------------------------------------------------


@pytest.fixture
def walk_in_flag(central, frontline):
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    granted(frontline, central, walk_in)
    anomalies_detect()
    return AnomalyFlag.objects.get(kind=Kind.NEW_CUSTOMER)


def review_url(flag):
    return reverse("anomaly_review", args=[flag.pk])


def chain_kinds(location):
    return list(
        AuditEvent.objects.filter(chain=location_chain(location.pk)).order_by("sequence").values_list("kind", flat=True)
    )


def test_manager_reviews_a_flag_and_the_review_is_journaled(manager, manager_client, central, walk_in_flag):
    page = manager_client.get(reverse("anomalies")).content.decode()
    assert walk_in_flag.reason in page and "Record review" in page
    assert reverse("audit_detail", args=[walk_in_flag.grant_id]) in page

    response = manager_client.post(
        review_url(walk_in_flag),
        {"outcome": "talked", "note": "  Walk-ins leave a phone from now on ", "next": "/audit/anomalies/?status=open"},
    )
    assert response.status_code == 302 and response["Location"] == "/audit/anomalies/?status=open"
    walk_in_flag.refresh_from_db()
    assert (walk_in_flag.outcome, walk_in_flag.outcome_note) == ("talked", "Walk-ins leave a phone from now on")
    assert walk_in_flag.reviewed_by == manager and walk_in_flag.reviewed_at is not None
    assert walk_in_flag.history.first().history_change_reason == (
        "Reviewed: Talked to the employee — Walk-ins leave a phone from now on"
    )
    assert walk_in_flag.history.first().history_user == manager
    assert chain_kinds(central)[-1] == "anomaly.reviewed"
    entry = AuditEvent.objects.filter(chain=location_chain(central.pk)).latest("sequence")
    assert (entry.subject_type, entry.subject_id, entry.actor_id) == ("anomaly_flag", walk_in_flag.pk, manager.pk)
    assert entry.payload["outcome"] == "talked" and entry.payload["grant_id"] == walk_in_flag.grant_id
    verify_audit()

    page = manager_client.get(reverse("anomalies")).content.decode()
    assert f"Flag #{walk_in_flag.pk} reviewed: Talked to the employee." in page
    assert "Reviewed by maria" in page and "Record review" not in page
    detail = manager_client.get(reverse("audit_detail", args=[walk_in_flag.grant_id])).content.decode()
    assert walk_in_flag.reason in detail and "Reviewed by maria" in detail


def test_a_second_review_is_refused_and_changes_nothing(manager, manager_client, central, walk_in_flag):
    other_manager = make_user("mona", "manager", [central])
    assert manager_client.post(review_url(walk_in_flag), {"outcome": "fine"}).status_code == 302
    journal = chain_kinds(central)

    response = client_for(other_manager).post(review_url(walk_in_flag), {"outcome": "other", "note": "Disagree"})
    assert response.status_code == 422
    assert f"Flag #{walk_in_flag.pk} was already reviewed by maria" in response.content.decode()
    walk_in_flag.refresh_from_db()
    assert (walk_in_flag.outcome, walk_in_flag.reviewed_by) == ("fine", manager)
    assert chain_kinds(central) == journal


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"outcome": "other", "note": "   "}, "note", "Note: say what you found or did (required for “Other”)."),
        ({"outcome": "maybe"}, "outcome", "Outcome: choose fine, talked to the employee, or other."),
        ({}, "outcome", "Outcome: choose fine, talked to the employee, or other."),
        ({"outcome": "fine", "note": "x" * 501}, "note", "Note: at most 500 characters."),
    ],
)
def test_bad_review_is_sent_back_naming_the_field_and_nothing_changes(
    manager_client, central, walk_in_flag, data, field, message
):
    journal = chain_kinds(central)
    response = manager_client.post(review_url(walk_in_flag), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="flag{walk_in_flag.pk}_{field}_error"' in page
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or message in page
    walk_in_flag.refresh_from_db()
    assert walk_in_flag.is_open and walk_in_flag.reviewed_by is None
    assert walk_in_flag.history.count() == 1
    assert chain_kinds(central) == journal


def test_manager_of_another_location_can_neither_see_nor_review_the_flag(manager_airport, walk_in_flag):
    client = client_for(manager_airport)
    assert walk_in_flag.reason not in client.get(reverse("anomalies")).content.decode()
    # Filtering by a location they do not review reveals nothing either.
    response = client.get(reverse("anomalies"), {"location": walk_in_flag.location_id})
    assert response.status_code == 422 and walk_in_flag.reason not in response.content.decode()
    assert "Location: Select a valid choice." in response.content.decode()
    assert client.post(review_url(walk_in_flag), {"outcome": "fine"}).status_code == 403
    walk_in_flag.refresh_from_db()
    assert walk_in_flag.is_open


def test_auditor_reads_every_location_but_reviews_nothing(auditor_client, walk_in_flag, central):
    page = auditor_client.get(reverse("anomalies")).content.decode()
    assert walk_in_flag.reason in page
    assert "Record review" not in page and "Check now" not in page
    assert auditor_client.post(review_url(walk_in_flag), {"outcome": "fine"}).status_code == 403
    assert auditor_client.post(reverse("anomaly_checks_run")).status_code == 403
    walk_in_flag.refresh_from_db()
    assert walk_in_flag.is_open


def test_ops_read_and_run_the_checks_but_do_not_review(ops_client, walk_in_flag):
    page = ops_client.get(reverse("anomalies")).content.decode()
    assert walk_in_flag.reason in page and "Check now" in page and "Record review" not in page
    assert ops_client.post(review_url(walk_in_flag), {"outcome": "fine"}).status_code == 403


def test_frontline_sees_none_of_this(frontline_client, walk_in_flag):
    assert frontline_client.get(reverse("anomalies")).status_code == 403
    assert frontline_client.post(review_url(walk_in_flag), {"outcome": "fine"}).status_code == 403
    assert frontline_client.post(reverse("anomaly_checks_run")).status_code == 403
    assert "Anomalies" not in frontline_client.get(reverse("counter")).content.decode()


def test_a_manager_does_not_review_a_flag_about_themselves(manager, manager_client, central, frontline):
    grant = granted(frontline, central, old_customer("Vera Void"), days_ago=4)
    services.grant_void(
        actor=manager, grant_id=grant.pk, reason="Weekly review", at=grant.granted_at + timedelta(days=2)
    )
    anomalies_detect()
    (flag,) = flags_of(Kind.VOID_AFTER_THE_FACT)
    page = manager_client.get(reverse("anomalies")).content.decode()
    assert "This flag concerns you: another manager of Central Store reviews it." in page
    assert manager_client.post(review_url(flag), {"outcome": "fine"}).status_code == 403
    colleague = make_user("mona", "manager", [central])
    assert client_for(colleague).post(review_url(flag), {"outcome": "fine"}).status_code == 302


def test_check_now_raises_the_new_flags(manager, manager_client, central, frontline):
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    granted(frontline, central, walk_in)
    response = manager_client.post(reverse("anomaly_checks_run"), follow=True)
    assert "Checks run: 1 new flag to review." in response.content.decode()
    assert AnomalyFlag.objects.filter(kind=Kind.NEW_CUSTOMER, customer=walk_in).exists()
    response = manager_client.post(reverse("anomaly_checks_run"), follow=True)
    assert "Checks run: nothing new." in response.content.decode()


def make_flags(location, employee, count, *, start=0):
    customer = old_customer(f"Flagged {location.code} {start}")
    for n in range(start, start + count):
        AnomalyFlag.objects.create(
            kind=Kind.CUSTOMER_ACROSS_LOCATIONS,
            location=location,
            customer=customer,
            employee=employee,
            reason=f"Flag number {n}",
            figures={"grants": 3, "locations": ["Central Store", "Airport Desk"]},
            dedupe_key=f"test:{location.pk}:{n}",
        )


def test_filters_by_pattern_status_and_location(ops_client, manager_client, central, airport, frontline, walk_in_flag):
    make_flags(airport, frontline, 1)
    by_kind = ops_client.get(reverse("anomalies"), {"kind": Kind.NEW_CUSTOMER}).content.decode()
    assert walk_in_flag.reason in by_kind and "Flag number 0" not in by_kind
    by_location = ops_client.get(reverse("anomalies"), {"location": airport.pk}).content.decode()
    assert walk_in_flag.reason not in by_location and "Flag number 0" in by_location
    manager_client.post(review_url(walk_in_flag), {"outcome": "fine"})
    reviewed = ops_client.get(reverse("anomalies"), {"status": "reviewed"}).content.decode()
    assert walk_in_flag.reason in reviewed and "Flag number 0" not in reviewed
    still_open = ops_client.get(reverse("anomalies"), {"status": "open"}).content.decode()
    assert walk_in_flag.reason not in still_open and "Flag number 0" in still_open
    by_customer = ops_client.get(reverse("anomalies"), {"customer": walk_in_flag.customer_id}).content.decode()
    assert walk_in_flag.reason in by_customer and "Flag number 0" not in by_customer
    response = ops_client.get(reverse("anomalies"), {"status": "closed"})
    assert response.status_code == 422 and "Status: Select a valid choice." in response.content.decode()


def test_open_flags_come_first(manager, manager_client, central, frontline):
    make_flags(central, frontline, 2)
    older, newer = AnomalyFlag.objects.order_by("id")
    manager_client.post(review_url(newer), {"outcome": "fine"})
    page = manager_client.get(reverse("anomalies")).content.decode()
    assert page.index("Flag number 0") < page.index("Flag number 1")


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_list_page_runs_the_same_queries_for_2_and_20_flags(request, role, central, frontline):
    client = client_for(request.getfixturevalue(role))

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("anomalies"))
        assert response.status_code == 200
        return len(context.captured_queries), response.content.decode().count('class="flag anomaly')

    make_flags(central, frontline, 2)
    two, shown = queries()
    assert shown == 2
    make_flags(central, make_user("fred", "frontline", [central]), 18, start=2)
    twenty, shown = queries()
    assert shown == 20
    assert twenty == two <= 12


def test_grant_audit_page_lists_its_flags_in_constant_queries(manager_client, central, frontline):
    grant = granted(frontline, central, old_customer("Fay Flagged"))

    def page():
        with CaptureQueriesContext(connection) as context:
            response = manager_client.get(reverse("audit_detail", args=[grant.pk]))
        assert response.status_code == 200
        return len(context.captured_queries), response.content.decode()

    without, content = page()
    assert "Anomaly flags" not in content
    reviewer = make_user("mona", "manager", [central])
    for n, kind in enumerate([Kind.NEW_CUSTOMER, Kind.VOID_AFTER_THE_FACT, Kind.AT_CAP_REPEATEDLY]):
        flag = AnomalyFlag.objects.create(
            kind=kind, location=central, grant=grant, reason=f"Why number {n}", dedupe_key=f"t:{n}"
        )
    with_flags, content = page()
    assert "Why number 0" in content and "Why number 2" in content
    assert f"{reverse('anomalies')}?grant={grant.pk}#flag-{flag.pk}" in content
    anomaly_review_outcome = client_for(reviewer).post(review_url(flag), {"outcome": "fine"})
    assert anomaly_review_outcome.status_code == 302
    reviewed, content = page()
    assert "Reviewed by mona" in content
    assert reviewed == with_flags == without  # the flags are one query, none or many


# --- at once: real threads against the real database ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_eight_managers_reviewing_one_flag_at_once_review_it_once(installed_policy, central, frontline):
    from tests.test_concurrency import at_once, unexpected

    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    granted(frontline, central, walk_in)
    anomalies_detect()
    flag = AnomalyFlag.objects.get()
    managers = [make_user(f"manager{i}", "manager", [central]) for i in range(8)]

    results = at_once(
        8, lambda i: anomaly_review(actor=managers[i], flag_id=flag.pk, outcome="fine", note=f"Checked ({i})")
    )

    assert unexpected(results, services.RecoveryError) == []
    reviewed = [result for result in results if isinstance(result, AnomalyFlag)]
    refused = [result for result in results if isinstance(result, services.RecoveryError)]
    assert len(reviewed) == 1 and len(refused) == 7
    assert all("already reviewed" in error.message for error in refused)
    flag.refresh_from_db()
    assert flag.reviewed_by == managers[results.index(reviewed[0])]
    assert chain_kinds(central).count("anomaly.reviewed") == 1
    verify_audit()


@pytest.mark.django_db(transaction=True)
def test_four_detection_runs_at_once_raise_each_flag_once(installed_policy, central, frontline):
    from tests.test_concurrency import at_once, unexpected

    for n in range(3):
        granted(
            frontline, central, services.customer_add_walk_in(actor=frontline, location=central, name=f"Nobody {n}")
        )

    results = at_once(4, lambda i: anomalies_detect())

    assert unexpected(results) == []
    assert sum(results) == AnomalyFlag.objects.count() == 3
    assert AnomalyFlag.history.count() == 3


def test_anomaly_pages_have_no_inline_scripts_or_styles(manager_client, walk_in_flag):
    for url in (reverse("anomalies"), reverse("audit_detail", args=[walk_in_flag.grant_id])):
        page = manager_client.get(url).content.decode()
        assert walk_in_flag.reason in page
        assert (
            "<script>" not in page and " style=" not in page and "<style" not in page and " on" + "click=" not in page
        )
