"""Ops tune the policy on the ops pages: draft, publish (now or scheduled), versions, rollback.

A draft edit never reaches the counter before it is published; every refusal
names its field and stores nothing; managers read every page but change
nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    LocationBudget,
    Playbook,
    PolicyVersion,
    RoleAuthority,
    TenureTier,
)
from compensation.policy import draft_document, load_policy, with_blank_translations
from compensation.versions import Change
from tests import factories
from tests.factories import grant_for, playbook, playbook_form, publish
from tests.test_messages_ru import speaking

pytestmark = pytest.mark.django_db

INVALID = 422
DRINKS = "Free drinks while you wait"
ERROR_P = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)


def edit_url(kind: str, pk: int) -> str:
    return reverse("ops_draft_edit", kwargs={"kind": kind, "pk": pk})


def add_url(kind: str) -> str:
    return reverse("ops_draft_add", kwargs={"kind": kind})


def local_input(moment: dt.datetime) -> str:
    """A date-time as a `datetime-local` input sends it, in the current time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def errors_of(response) -> list[str]:
    return [html.unescape(message) for message in ERROR_P.findall(response.content.decode())]


def set_ceiling(code: str, ceiling: str) -> None:
    pb = playbook(code)
    pb.ceiling = Decimal(ceiling)
    pb.save()


# --- draft editing ---------------------------------------------------------------------


def test_editing_a_ceiling_changes_the_draft_but_not_the_counter_until_published(
    ops, ops_client, frontline, central, customer
):
    drinks = playbook("free-drinks")
    before = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert before.cap == Decimal("37.50")  # ceiling 25 × Loyal 1.5

    response = ops_client.post(edit_url("playbook", drinks.pk), playbook_form(drinks, ceiling="40.00"))
    assert response.status_code == 302
    assert response["Location"] == reverse("ops_home")
    drinks.refresh_from_db()
    assert drinks.ceiling == Decimal("40.00")
    assert drinks.history.first().history_user == ops

    overview = ops_client.get(response["Location"])
    content = overview.content.decode()
    assert "Saved to the draft. Nothing changes at the counter until you publish." in content
    assert Change("Playbook", DRINKS, "ceiling", "25.00", "40.00") in overview.context["changes"]
    assert "Review and publish" in content

    unpublished = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert unpublished.cap == Decimal("37.50")

    response = ops_client.post(reverse("ops_publish"), {"reason": "Drinks got dearer", "effective_at": ""})
    version = PolicyVersion.objects.latest()
    assert response.status_code == 302
    assert response["Location"] == reverse("ops_version", args=[version.number])
    assert version.published_by == ops and version.reason == "Drinks got dearer"
    assert f"Version {version.number} published, in force from" in ops_client.get(response["Location"]).content.decode()
    published = grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    assert published.cap == Decimal("60.00")  # ceiling 40 × Loyal 1.5


def test_adding_a_playbook_saves_it_to_the_draft_with_its_author(ops, ops_client):
    data = playbook_form(playbook("free-drinks"), code="late-train", name="Late train taxi", ceiling="80")
    response = ops_client.post(add_url("playbook"), data)
    assert response.status_code == 302 and response["Location"] == reverse("ops_home")
    added = Playbook.objects.get(code="late-train")
    assert added.history.first().history_user == ops
    assert added.pk not in load_policy().playbooks  # not published yet


@pytest.mark.parametrize(
    "kind, data",
    [
        ("tier", {"name": "Platinum", "min_months": "120", "multiplier": "2.00"}),
        ("role-authority", {"role": "ops", "limit": "5000"}),
        ("customer-limit", {"window_days": "30", "max_grants": "3", "max_total": ""}),
    ],
)
def test_each_draft_table_can_be_added_to(ops, ops_client, kind, data):
    response = ops_client.post(add_url(kind), data)
    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == reverse("ops_home")


def test_employee_authority_and_location_budget_can_be_added(ops, ops_client, frontline, central):
    response = ops_client.post(add_url("employee-authority"), {"user": frontline.pk, "limit": "400", "note": "Senior"})
    assert response.status_code == 302, errors_of(response)
    assert EmployeeAuthority.objects.get(user=frontline).limit == Decimal("400")
    response = ops_client.post(
        add_url("location-budget"), {"location": central.pk, "monthly_amount": "2000", "when_exhausted": "escalate"}
    )
    assert response.status_code == 302, errors_of(response)
    assert LocationBudget.objects.get(location=central).history.first().history_user == ops
    content = ops_client.get(reverse("ops_home")).content.decode()
    assert "frank" in content and "Central Store" in content


def test_unknown_draft_table_or_row_is_404(ops_client):
    assert ops_client.get(add_url("coupon")).status_code == 404
    assert ops_client.post(add_url("coupon"), {}).status_code == 404
    missing = Playbook.objects.order_by("-pk").first().pk + 1000
    assert ops_client.get(edit_url("playbook", missing)).status_code == 404


def _frontline_authority():
    return RoleAuthority.objects.get(role="frontline").pk


def _loyal_tier():
    return TenureTier.objects.get(name="Loyal").pk


def _drinks():
    return playbook("free-drinks").pk


def _drinks_form(**changes):
    return lambda: playbook_form(playbook("free-drinks"), **changes)


BAD_INPUT = [
    pytest.param(
        "role-authority",
        _frontline_authority,
        lambda: {"role": "frontline", "limit": "-1"},
        "Limit: Ensure this value is greater than or equal to 0.",
        id="negative-role-limit",
    ),
    pytest.param(
        "employee-authority",
        None,
        lambda: {"user": get_user_model().objects.get(username="frank").pk, "limit": "-5", "note": ""},
        "Limit: Ensure this value is greater than or equal to 0.",
        id="negative-employee-limit",
    ),
    pytest.param(
        "playbook",
        _drinks,
        _drinks_form(floor="50.00", ceiling="25.00"),
        "Ceiling: The ceiling must not be below the floor.",
        id="floor-above-ceiling",
    ),
    pytest.param(
        "tier",
        _loyal_tier,
        lambda: {"name": "Loyal", "min_months": "36", "multiplier": "1.10"},
        "Multiplier: Must not be below the shorter tier Regular (×1.25).",
        id="tier-below-shorter-tier",
    ),
    pytest.param(
        "customer-limit",
        None,
        lambda: {"window_days": "0", "max_grants": "3", "max_total": ""},
        "Window: Ensure this value is greater than or equal to 1.",
        id="zero-day-window",
    ),
    pytest.param(
        "customer-limit",
        None,
        lambda: {"window_days": "30", "max_grants": "", "max_total": ""},
        "Max grants: Set a number of grants, a total value, or both.",
        id="customer-limit-without-a-limit",
    ),
    pytest.param(
        "playbook",
        _drinks,
        _drinks_form(percent="1001"),
        "Percent: Ensure this value is less than or equal to 1000.",
        id="percent-above-1000",
    ),
    pytest.param(
        "playbook",
        _drinks,
        _drinks_form(name=""),
        "Name: This field is required.",
        id="missing-name",
    ),
    pytest.param(
        "playbook",
        None,
        _drinks_form(code="free-drinks", name="Duplicate"),
        "Code: Playbook with this Code already exists.",
        id="duplicate-code",
    ),
    pytest.param(
        "location-budget",
        None,
        lambda: {"location": "", "monthly_amount": "-10", "when_exhausted": "warn"},
        "Location: This field is required.",
        id="budget-without-location",
    ),
]


@pytest.mark.parametrize("kind, pk, data, message", BAD_INPUT)
def test_bad_draft_input_is_refused_by_field_and_nothing_is_saved(ops_client, frontline, kind, pk, data, message):
    before = draft_document()
    url = edit_url(kind, pk()) if pk else add_url(kind)
    response = ops_client.post(url, data())
    assert response.status_code == INVALID
    errors = errors_of(response)
    assert message in errors
    # Every message on the page says which field it is about.
    labels = {str(field.label) for field in response.context["form"]}
    assert all(any(error.startswith(f"{label}:") for label in labels) for error in errors), errors
    assert draft_document() == before


def test_budget_errors_name_each_field(ops_client, central):
    response = ops_client.post(
        add_url("location-budget"), {"location": central.pk, "monthly_amount": "-10", "when_exhausted": "never"}
    )
    assert response.status_code == INVALID
    errors = errors_of(response)
    assert "Monthly amount: Ensure this value is greater than or equal to 0." in errors
    assert any(error.startswith("When exhausted: Select a valid choice.") for error in errors)
    assert not LocationBudget.objects.exists()


# --- publish -------------------------------------------------------------------------------


def test_publishing_with_a_future_date_schedules_a_version(ops_client, frontline, central, customer):
    set_ceiling("free-drinks", "40.00")
    in_force = load_policy().version
    start = timezone.now() + dt.timedelta(days=2)
    response = ops_client.post(reverse("ops_publish"), {"reason": "From Monday", "effective_at": local_input(start)})
    assert response.status_code == 302
    version = PolicyVersion.objects.latest()
    assert response["Location"] == reverse("ops_version", args=[version.number])
    assert version.is_scheduled
    assert version.effective_at == start.replace(second=0, microsecond=0)
    assert load_policy().version == in_force
    assert grant_for(frontline, central, customer, purchase_value="1000").cap == Decimal("37.50")

    overview = ops_client.get(reverse("ops_home"))
    assert [v.number for v in overview.context["scheduled"]] == [version.number]
    assert overview.context["in_force"] == in_force
    assert overview.context["changes"] == []
    versions = ops_client.get(reverse("ops_versions")).context["versions"]
    assert [(v.number, v.status) for v in versions][:2] == [
        (version.number, "scheduled"),
        (in_force.number, "in force"),
    ]


def test_effective_date_is_read_in_the_current_time_zone(ops_client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    set_ceiling("free-drinks", "40.00")
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=200)).date()
    response = ops_client.post(reverse("ops_publish"), {"reason": "Summer", "effective_at": f"{day}T10:00"})
    assert response.status_code == 302
    paris = dt.datetime.combine(day, dt.time(10), tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert PolicyVersion.objects.latest().effective_at == paris.astimezone(dt.UTC)


def test_a_version_more_than_a_year_ahead_is_refused(ops_client, installed):
    set_ceiling("free-drinks", "40.00")
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).date()
    response = ops_client.post(reverse("ops_publish"), {"reason": "Typo", "effective_at": f"{day}T10:00"})
    assert response.status_code == 422
    assert "Effective from: at most a year ahead" in html.unescape(response.content.decode())
    assert PolicyVersion.objects.count() == installed.number


def test_publishing_in_the_past_is_refused_and_nothing_is_saved(ops_client):
    set_ceiling("free-drinks", "40.00")
    versions = PolicyVersion.objects.count()
    past = timezone.now() - dt.timedelta(days=1)
    response = ops_client.post(reverse("ops_publish"), {"reason": "Backdated", "effective_at": local_input(past)})
    assert response.status_code == INVALID
    assert any(e.startswith("Effective from: ") and "is in the past" in e for e in errors_of(response))
    assert PolicyVersion.objects.count() == versions


@pytest.mark.parametrize("reason", ["", "   "])
def test_publishing_without_a_reason_is_refused(ops_client, reason):
    set_ceiling("free-drinks", "40.00")
    versions = PolicyVersion.objects.count()
    response = ops_client.post(reverse("ops_publish"), {"reason": reason, "effective_at": ""})
    assert response.status_code == INVALID
    assert any(error.startswith("Reason: ") for error in errors_of(response))
    assert PolicyVersion.objects.count() == versions


def test_a_garbled_effective_date_is_refused_by_name(ops_client):
    set_ceiling("free-drinks", "40.00")
    response = ops_client.post(reverse("ops_publish"), {"reason": "Typo", "effective_at": "next tuesday"})
    assert response.status_code == INVALID
    assert any(error.startswith("Effective from: ") for error in errors_of(response))


def test_nothing_to_publish_is_said_and_the_form_is_not_shown(ops_client, installed):
    response = ops_client.get(reverse("ops_publish"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nothing to publish" in content
    assert 'name="reason"' not in content
    assert (
        f"The draft is the same as version {installed.number}" in ops_client.get(reverse("ops_home")).content.decode()
    )

    response = ops_client.post(reverse("ops_publish"), {"reason": "Again", "effective_at": ""})
    assert response.status_code == INVALID
    assert f"Nothing to publish: this is the same as version {installed.number}." in html.unescape(
        response.content.decode()
    )
    assert PolicyVersion.objects.count() == installed.number


def test_publish_page_shows_the_diff_and_the_form(ops_client):
    set_ceiling("free-drinks", "40.00")
    response = ops_client.get(reverse("ops_publish"))
    content = response.content.decode()
    assert response.context["changes"] == [Change("Playbook", DRINKS, "ceiling", "25.00", "40.00")]
    assert 'name="reason"' in content and 'type="datetime-local"' in content
    assert "Leave empty to apply now; set a later time to schedule" in content


# --- versions ------------------------------------------------------------------------------


def test_versions_list_and_detail_show_what_changed(ops_client, frontline, central, customer, installed):
    set_ceiling("free-drinks", "40.00")
    dearer = publish("Drinks got dearer")
    grant_for(frontline, central, customer)

    versions = ops_client.get(reverse("ops_versions"))
    content = versions.content.decode()
    assert dearer.number == installed.number + 1
    assert [(v.number, v.status, v.grant_count) for v in versions.context["versions"]] == [
        (dearer.number, "in force", 1),
        *((number, "superseded", 0) for number in range(installed.number, 0, -1)),
    ]
    assert "Drinks got dearer" in content and reverse("ops_version", args=[dearer.number]) in content

    detail = ops_client.get(reverse("ops_version", args=[dearer.number]))
    content = detail.content.decode()
    assert detail.status_code == 200
    assert detail.context["changes"] == [Change("Playbook", DRINKS, "ceiling", "25.00", "40.00")]
    assert re.search(r"<td>ceiling</td>\s*<td[^>]*>.*?25\.00</td>\s*<td[^>]*>.*?40\.00</td>", content)
    assert f"Changes from version {installed.number}" in content
    assert DRINKS in content  # the document itself, readably


def test_compare_works_both_ways_and_explains_an_unknown_version(ops_client, installed):
    set_ceiling("free-drinks", "40.00")
    publish("Dearer drinks")
    drinks = playbook("free-drinks")
    drinks.percent = Decimal("12")
    drinks.save()
    latest = publish("More percent").number
    old = installed.number
    expected = [
        Change("Playbook", DRINKS, "percent", "10.00", "12.00"),
        Change("Playbook", DRINKS, "ceiling", "25.00", "40.00"),
    ]
    forward = ops_client.get(reverse("ops_version", args=[latest]), {"compare": old})
    backward = ops_client.get(reverse("ops_version", args=[old]), {"compare": latest})
    for response in (forward, backward):
        assert response.status_code == 200
        assert sorted(response.context["compare_changes"], key=str) == sorted(expected, key=str)
        assert f"From version {old} to version {latest}" in response.content.decode()

    for bad in ("99", "abc", "-1"):
        response = ops_client.get(reverse("ops_version", args=[latest]), {"compare": bad})
        assert response.status_code == 200
        assert any(error.startswith("Compare with: ") for error in errors_of(response))


def test_unknown_version_is_404(ops_client):
    assert ops_client.get(reverse("ops_version", args=[99])).status_code == 404
    assert ops_client.post(reverse("ops_version_rollback", args=[99]), {"reason": "x"}).status_code == 404


def test_rollback_publishes_the_old_document_and_resets_the_draft(ops, ops_client, installed):
    v2 = installed
    set_ceiling("free-drinks", "40.00")
    publish("Dearer drinks")
    set_ceiling("free-drinks", "45.00")  # an unpublished draft edit, replaced by the rollback

    response = ops_client.post(
        reverse("ops_version_rollback", args=[v2.number]), {"reason": "Too generous", "effective_at": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("ops_version", args=[v2.number + 2])
    v4 = PolicyVersion.objects.get(number=v2.number + 2)
    assert v4.document == v2.document
    assert v4.restores == v2 and v4.published_by == ops
    assert with_blank_translations(draft_document()) == with_blank_translations(v2.document)  # later fields: blank
    assert playbook("free-drinks").ceiling == Decimal("25.00")
    assert load_policy().version == v4

    page = ops_client.get(response["Location"]).content.decode()
    assert f"Version {v4.number} published, restoring version {v2.number}" in page
    assert "Restores" in page
    assert "restores" in ops_client.get(reverse("ops_versions")).content.decode()


def test_rollback_errors_rerender_the_version_with_the_message(ops_client):
    set_ceiling("free-drinks", "40.00")
    latest = publish("Dearer drinks").number
    response = ops_client.post(reverse("ops_version_rollback", args=[1]), {"reason": "", "effective_at": ""})
    assert response.status_code == INVALID
    assert any(error.startswith("Reason: ") for error in errors_of(response))
    assert response.context["version"].number == 1

    response = ops_client.post(reverse("ops_version_rollback", args=[latest]), {"reason": "Same", "effective_at": ""})
    assert response.status_code == INVALID
    assert "Nothing to publish" in response.content.decode()
    assert PolicyVersion.objects.count() == latest


def test_rollback_form_is_offered_on_earlier_versions_only(ops_client):
    set_ceiling("free-drinks", "40.00")
    latest = publish("Dearer drinks").number
    assert (
        reverse("ops_version_rollback", args=[1]) in ops_client.get(reverse("ops_version", args=[1])).content.decode()
    )
    assert (
        reverse("ops_version_rollback", args=[latest])
        not in ops_client.get(reverse("ops_version", args=[latest])).content.decode()
    )


# --- managers read, never change ---------------------------------------------------------------


def test_manager_sees_the_pages_without_any_controls(manager_client):
    set_ceiling("free-drinks", "40.00")
    publish("Dearer drinks")
    set_ceiling("free-drinks", "45.00")
    pages = {
        "home": reverse("ops_home"),
        "publish": reverse("ops_publish"),
        "versions": reverse("ops_versions"),
        "version": reverse("ops_version", args=[1]),
    }
    for name, url in pages.items():
        response = manager_client.get(url)
        content = response.content.decode()
        assert response.status_code == 200, name
        assert "/ops/draft/" not in content, name
        assert 'name="reason"' not in content, name
        assert "/rollback/" not in content, name
        assert 'method="post"' not in content.split("</header>", 1)[1], name
    assert "45.00" in manager_client.get(pages["publish"]).content.decode()  # the diff is readable


def test_manager_posts_are_refused_and_change_nothing(manager_client):
    set_ceiling("free-drinks", "40.00")
    publish("Dearer drinks")
    before = draft_document(), PolicyVersion.objects.count()
    drinks = playbook("free-drinks")
    responses = [
        manager_client.post(reverse("ops_publish"), {"reason": "Sneaky", "effective_at": ""}),
        manager_client.post(reverse("ops_version_rollback", args=[1]), {"reason": "Sneaky", "effective_at": ""}),
        manager_client.post(edit_url("playbook", drinks.pk), playbook_form(drinks, ceiling="99")),
        manager_client.post(add_url("tier"), {"name": "Gold", "min_months": "60", "multiplier": "2"}),
        manager_client.get(edit_url("playbook", drinks.pk)),
    ]
    assert [response.status_code for response in responses] == [403] * 5
    assert (draft_document(), PolicyVersion.objects.count()) == before


def test_frontline_is_refused_everywhere(frontline_client):
    for url in (reverse("ops_home"), reverse("ops_publish"), reverse("ops_versions"), reverse("ops_version", args=[1])):
        assert frontline_client.get(url).status_code == 403


# --- query counts ----------------------------------------------------------------------------


def _grow_policy(count: int, ops) -> None:
    """Add `count` rows to every draft table and publish `count` versions with grants."""
    locations = [factories.make_location(f"shop-{i}", f"Shop {i}") for i in range(count)]
    users = [factories.make_user(f"staff{i}", "frontline", locations[:1]) for i in range(count)]
    drinks = playbook("free-drinks")
    for i in range(count):
        copy = Playbook.objects.get(pk=drinks.pk)
        copy.pk, copy.code, copy.name = None, f"copy-{i}", f"Copy {i}"
        copy.save()
        TenureTier.objects.create(name=f"Tier {i}", min_months=100 + i, multiplier=Decimal("2"))
        EmployeeAuthority.objects.create(user=users[i], limit=Decimal("10") * (i + 1))
        CustomerLimit.objects.create(window_days=10 + i, max_grants=5)
        LocationBudget.objects.create(location=locations[i], monthly_amount=Decimal("1000"))
        publish(f"Grow {i}", actor=ops)
        grant_for(users[i], locations[0], factories.make_customer(f"Customer {i}", phone=f"+4477009007{i:02d}"))
    set_ceiling("free-drinks", "41.00")  # a draft change, so the diff is shown


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Measured with the installed policy and with 12 more rows in every table and 12 more versions.
# The programme tiers (status, lifetime spend) are one more table: one query on the overview's
# list and one in the draft document (the overview and the publish page both compare it).
# Playbooks' own values per location: one more query on each too (and the publish check reads the active locations).
# Amounts in other currencies (issue 17): one more in the draft document on both, and the overview reads the
# currencies the active locations grant in.
QUERY_BASELINES = {"ops_home": 28, "ops_versions": 6, "ops_publish": 18, "ops_version": 10}


@pytest.mark.parametrize("page", sorted(QUERY_BASELINES))
def test_query_count_does_not_grow_with_rows(ops, ops_client, django_assert_max_num_queries, page):
    url = reverse(page, args=[1]) if page == "ops_version" else reverse(page)
    few = _queries(ops_client, url)
    _grow_policy(12, ops)
    many = _queries(ops_client, url)
    assert many == few
    with django_assert_max_num_queries(QUERY_BASELINES[page]):
        ops_client.get(url)


def test_ops_give_a_playbook_its_own_tier_multiplier_from_the_ops_pages(ops_client, ops):
    from compensation.models import PlaybookTierMultiplier, TenureTier

    loyal = TenureTier.objects.get(name="Loyal")
    drinks = Playbook.objects.get(code="free-drinks")
    response = ops_client.post(
        reverse("ops_draft_add", args=["tier-multiplier"]),
        {"playbook": drinks.pk, "tier": loyal.pk, "multiplier": "2.00"},
    )
    assert response.status_code == 302
    override = PlaybookTierMultiplier.objects.get(playbook=drinks, tier=loyal)
    assert override.multiplier == Decimal("2.00") and override.history.first().history_user == ops
    page = ops_client.get(reverse("ops_home")).content.decode()
    assert reverse("ops_draft_edit", args=["tier-multiplier", override.pk]) in page

    bad = ops_client.post(
        reverse("ops_draft_edit", args=["tier-multiplier", override.pk]),
        {"playbook": drinks.pk, "tier": loyal.pk, "multiplier": "11"},
    )
    assert bad.status_code == 422
    assert "Multiplier: Ensure this value is less than or equal to 10." in bad.content.decode()
    override.refresh_from_db()
    assert override.multiplier == Decimal("2.00")


def test_a_tier_cannot_move_past_its_neighbours(ops_client):
    from compensation.models import TenureTier

    loyal = TenureTier.objects.get(name="Loyal")
    response = ops_client.post(
        reverse("ops_draft_edit", args=["tier", loyal.pk]), {"name": "Loyal", "min_months": "6", "multiplier": "1.50"}
    )
    assert response.status_code == 422
    assert "From months of tenure: Must be more than the previous tier Regular (12 months)." in html.unescape(
        response.content.decode()
    )
    loyal.refresh_from_db()
    assert loyal.min_months == 36


def test_a_playbook_multiplier_below_the_shorter_tier_is_refused(ops_client):
    from compensation.models import PlaybookTierMultiplier, TenureTier

    drinks = Playbook.objects.get(code="free-drinks")
    response = ops_client.post(
        reverse("ops_draft_add", args=["tier-multiplier"]),
        {"playbook": drinks.pk, "tier": TenureTier.objects.get(name="Loyal").pk, "multiplier": "1.10"},
    )
    assert response.status_code == 422
    assert "Must not be below ×1.25, what the shorter tier Regular gives this playbook." in html.unescape(
        response.content.decode()
    )
    assert not PlaybookTierMultiplier.objects.exists()


def test_a_russian_ops_person_reads_the_playbooks_own_refusals_in_russian(ops):
    client = speaking(ops, "ru")
    drinks = playbook("free-drinks")
    response = client.post(
        edit_url("playbook", drinks.pk), playbook_form(drinks, floor="50.00", ceiling="25.00", kind="voucher")
    )
    assert response.status_code == INVALID
    errors = errors_of(response)
    assert "Максимум не может быть меньше минимума." in errors  # it already starts with the field name
    assert "Срок ваучера, дней: Для сценария с ваучером укажите, сколько дней ваучер действует." in errors
    assert playbook("free-drinks").ceiling == drinks.ceiling  # nothing stored


def test_a_russian_ops_person_reads_the_tier_order_refusal_in_russian_with_a_russian_multiplier(ops):
    response = speaking(ops, "ru").post(
        edit_url("tier", _loyal_tier()), {"name": "Loyal", "min_months": "36", "multiplier": "1.10"}
    )
    assert response.status_code == INVALID
    assert "Не может быть ниже, чем у уровня с меньшим стажем Regular (×1,25)." in " ".join(errors_of(response))
    assert TenureTier.objects.get(name="Loyal").multiplier != Decimal("1.10")
