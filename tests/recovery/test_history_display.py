"""Change history as a manager reads it: field names, people's names, local times."""

import html
import re

import pytest
from django.urls import reverse

from compensation.predicates import roles_of
from recovery import services
from recovery.models import Grant
from recovery.services import grant_void
from tests.factories import grant_for, grant_request
from tests.test_messages_ru import speaking
from tests.test_pages_ru import visible

pytestmark = pytest.mark.django_db


def test_a_void_shows_readable_field_changes(frontline, manager, manager_client, central, customer):
    grant = grant_for(frontline, central, customer)
    grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    page = html.unescape(manager_client.get(reverse("audit_detail", args=[grant.pk])).content.decode())
    assert "Status: Active → Voided" in page
    assert "Voided by: — → maria" in page
    assert "Void reason: — → Entered twice" in page
    assert "voided_by" not in page


def test_a_russian_manager_reads_field_names_values_and_times_of_a_void_in_russian(
    frontline, manager, central, customer
):
    grant = grant_for(frontline, central, customer)
    grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    page = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[grant.pk])))
    assert "Статус: Активен → Аннулировано" in page
    assert "Кто аннулировал: — → maria" in page
    assert "Причина аннулирования: — → Entered twice" in page  # the typed reason stays as typed
    assert re.search(r"Когда аннулировано: — → \d{1,2} [а-я]+ \d{4} \d\d:\d\d", page)
    assert "Изменение" in page and "Создание" in page
    assert not re.search(r"\b(Status|Voided|Void reason|Changed|Created)\b", page)
    assert Grant.objects.get(pk=grant.pk).history.first().history_change_reason == "Entered twice"


def test_a_russian_manager_reads_an_escalation_decision_in_russian(frontline, manager, central, customer):
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=grant_request(customer, central, amount="400.00"),
        reason="Lost a whole day",
    )
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note=""
    )
    page = visible(speaking(manager, "ru").get(reverse("escalation_status", args=[escalation.pk])))
    assert "Кто решил: — → maria" in page
    assert "Статус: Ждёт руководителя → Согласовано" in page
    assert "— “Согласовано”" in page  # the stored English reason, worded at display
    assert escalation.history.latest("history_date").history_change_reason == "Approved"  # stored in English
    assert not re.search(r"\b(Decided by|Decided at|Decision note|Status)\b", page)
