"""`generate_grants`: synthetic grants at scale, with history rows and a journal that verifies."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q, Sum

from compensation.models import AuditEvent
from recovery.models import Customer, Escalation, Grant, Location, LocationDayTotal, ServiceFailure

pytestmark = pytest.mark.django_db

SMALL = ["--locations", "3", "--employees", "6", "--customers", "300", "--weeks", "8", "--batch-size", "500"]


def generate(count, *extra):
    call_command("generate_grants", "--count", str(count), *SMALL, *extra, stdout=io.StringIO())


def test_two_thousand_cases_with_history_and_a_journal_that_verifies(capsys):
    generate(2000)

    grants = Grant.objects.filter(location__code__startswith="gen-")
    voided = grants.filter(status=Grant.Status.VOIDED)
    escalations = Escalation.objects.filter(location__code__startswith="gen-")
    # Every case is a grant, except the escalations a manager declined.
    declined = escalations.filter(status=Escalation.Status.DECLINED).count()
    assert grants.count() == 2000 - declined
    assert ServiceFailure.objects.count() == grants.count()
    assert Location.objects.filter(code__startswith="gen-").count() == 3
    assert Customer.objects.filter(phone__startswith="+44771").count() == 300
    assert 0.01 < voided.count() / grants.count() < 0.06
    assert escalations.filter(status=Escalation.Status.APPROVED, grant__isnull=False).exists() and declined
    # At or below the cap, unless a manager approved more.
    assert not grants.filter(amount__gt=F("cap"), approved_by__isnull=True).exists()
    assert grants.filter(amount=F("cap")).count() > grants.filter(amount__lt=F("cap")).count() > 0
    assert grants.values("playbook").distinct().count() >= 5
    assert grants.values("failure__category").distinct().count() >= 6

    # History as the services write it: a creation row for every record, a change row for every void or decision.
    grant_history = Grant.history.model.objects
    assert grant_history.filter(history_type="+", status=Grant.Status.ACTIVE).count() == grants.count()
    assert grant_history.filter(history_type="~", status=Grant.Status.VOIDED).count() == voided.count()
    assert not grant_history.filter(history_user__isnull=True).exists()
    assert ServiceFailure.history.model.objects.filter(history_type="+").count() == grants.count()
    assert Customer.history.model.objects.count() == 300
    decided = escalations.exclude(status=Escalation.Status.PENDING)
    assert Escalation.history.model.objects.filter(history_type="+").count() == escalations.count()
    assert Escalation.history.model.objects.filter(history_type="~").count() == decided.count()

    # The journal: one entry per grant, void and escalation step, and `verify_audit` checks every chain and grant.
    events = AuditEvent.objects.filter(chain__startswith="location-")
    assert events.filter(kind="grant.issued").count() == grants.count()
    assert events.filter(kind="grant.voided").count() == voided.count()
    assert events.filter(kind="escalation.requested").count() == escalations.count()
    assert events.filter(Q(kind="escalation.approved") | Q(kind="escalation.declined")).count() == decided.count()
    capsys.readouterr()
    call_command("verify_audit")
    assert "every record matches its entry" in capsys.readouterr().out

    # The daily rollups the insight pages read were rebuilt from what was written: they count every grant.
    rollups = LocationDayTotal.objects.filter(location__code__startswith="gen-").aggregate(
        active=Sum("active_grants"), voided=Sum("voided_grants")
    )
    assert (rollups["active"], rollups["voided"]) == (grants.count() - voided.count(), voided.count())


def test_a_second_run_refuses_unless_it_appends(capsys):
    generate(300)
    with pytest.raises(CommandError, match="300 generated grants are already there|generated grants are already"):
        generate(300)
    before = Grant.objects.count()
    generate(300, "--append")
    assert Grant.objects.count() > before + 250
    assert Customer.objects.filter(phone__startswith="+44771").count() == 300  # the same customers again
    capsys.readouterr()
    call_command("verify_audit")
    assert "every record matches its entry" in capsys.readouterr().out


def test_bad_arguments_are_refused_with_the_option_named():
    with pytest.raises(CommandError, match="--count must be at least 1"):
        call_command("generate_grants", "--count", "0")
    with pytest.raises(CommandError, match="--employees must be at least --locations"):
        call_command("generate_grants", "--count", "10", "--locations", "5", "--employees", "2")
