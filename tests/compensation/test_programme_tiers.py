"""Programme tiers in the versioned policy: drafted, refused at publish without their values (naming
the field), diffed, rolled back, and absent from older documents (which read as tenure only)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from compensation.models import ProgrammeTier
from compensation.policy import draft_document, load_policy, policy_from_document, version_in_force
from compensation.services import PolicyError, policy_rollback
from compensation.tiers import TierSource
from compensation.versions import document_diff
from tests.factories import publish

pytestmark = pytest.mark.django_db


def gold(**fields):
    return ProgrammeTier.objects.create(
        **({"name": "Gold", "source": "status", "status": "Gold", "multiplier": Decimal("2")} | fields)
    )


def test_a_published_programme_tier_states_its_source_and_value(installed):
    gold()
    ProgrammeTier.objects.create(
        name="Big spender", source="spend", min_spend=Decimal("10000"), multiplier=Decimal("1.5")
    )
    version = publish("Status and spend tiers")

    tiers = {entry["name"]: entry for entry in version.document["programme_tiers"]}
    assert tiers["Gold"] | {"id": 0} == {
        "id": 0,
        "name": "Gold",
        "name_ru": "",
        "name_ro": "",
        "source": "status",
        "status": "Gold",
        "min_spend": None,
        "multiplier": "2.00",
    }
    assert tiers["Big spender"]["source"] == "spend" and tiers["Big spender"]["min_spend"] == "10000.00"
    policy = load_policy()
    assert policy.statuses == ["Gold"]
    assert {tier.source for tier in policy.programme_tiers} == {TierSource.STATUS, TierSource.SPEND}


def test_an_older_document_reads_as_tenure_only_and_a_policy_without_programmes_publishes_as_before(installed):
    assert "programme_tiers" not in installed.document
    assert "programme_tiers" not in draft_document()
    assert policy_from_document(installed.document).programme_tiers == ()


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"source": "status", "status": ""}, "Programme tier Gold: status: a status tier needs the status name"),
        (
            {"source": "spend", "status": "", "min_spend": None},
            "Programme tier Gold: from lifetime spend: a spend tier needs its threshold",
        ),
    ],
)
def test_publish_refuses_a_tier_source_without_its_value_naming_the_field(installed, fields, words):
    gold(**fields)  # written past the form (a script, an old row): the publish still refuses it
    with pytest.raises(PolicyError, match=words):
        publish("Broken tier")
    assert version_in_force() == installed


def test_publish_refuses_spend_tiers_whose_multiplier_falls(installed):
    ProgrammeTier.objects.create(name="A", source="spend", min_spend=Decimal("100"), multiplier=Decimal("2"))
    ProgrammeTier.objects.create(name="B", source="spend", min_spend=Decimal("200"), multiplier=Decimal("1.5"))
    with pytest.raises(PolicyError, match="a larger spend must never earn a lower multiplier"):
        publish("Falling spend tiers")


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"source": "status", "status": ""}, "status", "a status tier needs the status name"),
        ({"source": "spend", "min_spend": ""}, "min_spend", "a spend tier needs its threshold"),
        ({"source": "gold"}, "source", "Select a valid choice"),
    ],
)
def test_the_draft_form_names_the_missing_value(ops_client, data, field, words):
    base = {"name": "Gold", "name_ru": "", "name_ro": "", "status": "Gold", "min_spend": "", "multiplier": "2"}
    response = ops_client.post(reverse("ops_draft_add", args=["programme-tier"]), base | data)
    assert response.status_code == 422
    assert words in " ".join(response.context["form"].errors[field])
    assert not ProgrammeTier.objects.exists()


def test_ops_add_a_status_tier_from_the_ops_pages_and_the_overview_lists_it(ops_client):
    response = ops_client.post(
        reverse("ops_draft_add", args=["programme-tier"]),
        {
            "name": "Platinum",
            "name_ru": "",
            "name_ro": "",
            "source": "status",
            "status": "Platinum",
            "min_spend": "",
            "multiplier": "2.5",
        },
    )
    assert response.status_code == 302
    assert ProgrammeTier.objects.get().status == "Platinum"
    page = ops_client.get(reverse("ops_home")).content.decode()
    assert "Platinum status" in page and "×2.50" in page


def test_the_diff_names_each_changed_programme_tier_field(installed):
    tier = gold()
    before = publish("Gold").document
    tier.multiplier = Decimal("2.5")
    tier.save()
    changes = document_diff(before, draft_document())
    assert [(c.section, c.item, c.field, c.old, c.new) for c in changes] == [
        ("Programme tier", "Gold", "multiplier", "2.00", "2.50")
    ]
    added = document_diff(installed.document, before)
    assert [(c.section, c.item, c.field) for c in added] == [("Programme tier", "Gold", "(added)")]


def test_rollback_brings_the_programme_tiers_back(ops, installed):
    tier = gold()
    with_gold = publish("Gold")
    tier.delete()
    ProgrammeTier.objects.create(name="Gold", source="spend", min_spend=Decimal("5"), multiplier=Decimal("3"))
    publish("Gold by spend")

    policy_rollback(actor=ops, version=with_gold, reason="Back to the status programme")

    [restored] = ProgrammeTier.objects.all()
    assert (restored.name, restored.source, restored.status, restored.multiplier) == (
        "Gold",
        "status",
        "Gold",
        Decimal("2.00"),
    )
    assert load_policy().statuses == ["Gold"]
    policy_rollback(actor=ops, version=installed, reason="No programme at all")
    assert not ProgrammeTier.objects.exists() and load_policy().statuses == []
