"""Refusals worded by the services reach a Russian-speaking employee in Russian, with figures written
the Russian way; an English employee still reads English, and the integration API always answers in English."""

from __future__ import annotations

import html
import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from compensation.models import CustomerLimit, PolicyVersion
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery import services
from recovery.anomalies import anomalies_detect
from recovery.models import AnomalyFlag, Escalation, StaffProfile
from recovery.vouchers import voucher_redeem
from tests import factories
from tests.api.conftest import api_client
from tests.conftest import client_for
from tests.recovery.test_counter_limits import form_by_class, resolve_post, submit

pytestmark = pytest.mark.django_db

# The Russian genitive months, as a day inside a sentence reads ("3 марта 2026").
RUSSIAN_DAY = r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря) \d{4}"


def speaking(user, language: str) -> Client:
    """A signed-in client for `user`, who chose `language` with the header switch (kept on the profile)."""
    client = client_for(user)
    client.post("/language/", {"language": language, "next": "/"})
    assert StaffProfile.objects.get(user=user).language == language
    return client


def text(response) -> str:
    page = html.unescape(response.content.decode())
    assert "%(" not in page and "%s" not in page, "a placeholder leaked into the page"
    return page


def repair_voucher(actor, location, customer):
    request = factories.grant_request(customer, location, code="repeat-repair", purchase_value="1000", amount="120.00")
    return services.grant_issue(actor=actor, roles=roles_of(actor), request=request, policy=load_policy()).grant


# --- the counter ----------------------------------------------------------------------------------


def test_a_zero_amount_is_refused_in_russian(frontline, customer, central):
    client = speaking(frontline, "ru")
    page = text(resolve_post(client, customer, amount="0"))
    assert "Сумма: должно быть больше 0." in page and "must be" not in page

    # The service's own refusal (an amount the form cannot see is zero, e.g. from another caller).
    with translation.override("ru"), pytest.raises(services.RecoveryError) as refused:
        factories.grant_for(frontline, central, customer, code="replace-spoiled", amount="0")
    assert refused.value.message == "Сумма: введите сумму больше нуля."


def test_an_escalation_without_a_reason_is_refused_in_russian(frontline, central, customer):
    CustomerLimit.objects.create(window_days=30, max_grants=2, max_total=Decimal("50"))
    factories.publish("Customer limit")
    factories.grant_for(frontline, central, customer, code="replace-spoiled", amount="30")
    client = speaking(frontline, "ru")

    refused = resolve_post(client, customer, amount="40.00")
    panel = text(refused)
    # The limit's reason in Russian, its amounts with a decimal comma.
    assert "Клиент уже получил 30,00 за 30 дней (предел 50,00): осталось 20,00." in panel
    assert "40,00 — больше, чем вы можете выдать сейчас." in panel
    assert "The customer already" not in panel

    page = text(submit(client, form_by_class(refused, "escalate"), reason="   "))
    assert "Причина: объясните руководителю, почему этому клиенту положено больше." in page
    assert Escalation.objects.count() == 0

    submit(client, form_by_class(refused, "escalate"), reason="Третий визит")
    # What the escalation keeps is the record, in English for every reviewer.
    stop = Escalation.objects.get().stopped_by[0]
    assert stop["reason"] == "The customer already received 30.00 in the last 30 days (limit 50.00): 20.00 left."


def test_redeeming_an_already_redeemed_voucher_says_where_who_and_when_in_russian(
    frontline, frontline_airport, central, airport, customer
):
    voucher = repair_voucher(frontline, central, customer)
    redemption = voucher_redeem(actor=frontline_airport, code=voucher.voucher_code, location=airport)
    client = speaking(frontline, "ru")

    page = text(client.post(reverse("voucher_redeem"), {"code": voucher.voucher_code, "token": str(uuid.uuid4())}))

    when = redemption.local_redeemed_at  # the redeeming location's wall clock
    assert re.search(
        rf"Код ваучера: {voucher.voucher_code} уже использован: на точке «{airport.name}», "
        rf"сотрудник {frontline_airport.username}, {RUSSIAN_DAY} в {when:%H:%M}\.",
        page,
    ), page[page.find("Код ваучера") - 100 : page.find("Код ваучера") + 300]
    assert "already redeemed" not in page


# --- the audit ------------------------------------------------------------------------------------


def test_voiding_without_a_reason_and_voiding_twice_are_refused_in_russian(frontline, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80.00")
    client = speaking(manager, "ru")
    url = reverse("grant_void", args=[grant.pk])

    no_reason = client.post(url, {"reason": ""})
    assert no_reason.status_code == 422
    assert "Причина: объясните, почему компенсация аннулируется." in text(no_reason)

    services.grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    twice = client.post(url, {"reason": "Entered twice"})
    assert twice.status_code == 422
    assert f"Компенсацию №{grant.pk} уже аннулировал кто-то другой." in text(twice)


def test_an_english_employee_still_reads_english(frontline, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80.00")
    services.grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    client = speaking(manager, "en")
    page = text(client.post(reverse("grant_void", args=[grant.pk]), {"reason": "Again"}))
    assert f"Grant #{grant.pk} was already voided by someone else." in page
    assert "аннулировал" not in page


def test_an_anomaly_review_without_a_note_is_refused_in_russian(frontline, manager, central):
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    factories.grant_for(frontline, central, walk_in)
    anomalies_detect()
    flag = AnomalyFlag.objects.get(kind=AnomalyFlag.Kind.NEW_CUSTOMER)
    client = speaking(manager, "ru")

    response = client.post(reverse("anomaly_review", args=[flag.pk]), {"outcome": "other", "note": ""})

    assert response.status_code == 422
    assert "Комментарий: опишите, что вы выяснили или сделали (обязательно для «Другое»)." in text(response)
    flag.refresh_from_db()
    assert flag.is_open


def test_an_already_reviewed_flag_names_the_reviewer_and_the_local_time_in_russian(frontline, manager, central):
    from recovery.anomalies import anomaly_review

    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    factories.grant_for(frontline, central, walk_in)
    anomalies_detect()
    flag = AnomalyFlag.objects.get(kind=AnomalyFlag.Kind.NEW_CUSTOMER)
    anomaly_review(actor=manager, flag_id=flag.pk, outcome="fine", note="")

    with translation.override("ru"), pytest.raises(services.RecoveryError) as refused:
        anomaly_review(actor=manager, flag_id=flag.pk, outcome="fine", note="")
    assert re.fullmatch(
        rf"Сигнал №{flag.pk} уже рассмотрен: {manager.username}, {RUSSIAN_DAY} \d\d:\d\d — Всё в порядке\.",
        refused.value.message,
    ), refused.value.message
    # The history keeps the record in English whoever reviews.
    assert AnomalyFlag.history.filter(id=flag.pk).first().history_change_reason == "Reviewed: Fine"


# --- ops --------------------------------------------------------------------------------------------


def test_a_publish_refusal_is_in_russian(ops):
    client = speaking(ops, "ru")
    response = client.post(reverse("ops_publish"), {"reason": "Без изменений", "effective_at": ""})
    assert response.status_code == 422
    latest = PolicyVersion.objects.order_by("-number").first().number
    assert f"Публиковать нечего: черновик совпадает с версией {latest}." in text(response)


def test_a_past_effective_date_is_written_the_russian_way():
    from datetime import timedelta

    from django.utils import timezone

    from compensation.services import PolicyError, policy_publish

    with translation.override("ru"), pytest.raises(PolicyError) as refused:
        policy_publish(actor=None, reason="Назад", effective_at=timezone.now() - timedelta(days=3))
    assert re.fullmatch(
        rf"Действует с: {RUSSIAN_DAY} \d\d:\d\d UTC — уже в прошлом\. "
        r"Новая версия вступает в силу сейчас или позже, но никогда задним числом\.",
        refused.value.message,
    ), refused.value.message


# --- the integration API: always English ---------------------------------------------------------


def test_the_api_answers_in_english_whatever_the_accept_language(frontline, manager, central, customer, ops):
    from tests.api.conftest import issue

    token = issue(central, "manager", "Back office", actor=ops)
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80.00")
    services.grant_void(actor=manager, grant_id=grant.pk, reason="Entered twice")
    client = api_client(token.secret)
    url = f"/api/v1/grants/{grant.pk}/void/"

    twice = client.post(url, {"reason": "Again"}, format="json", headers={"accept-language": "ru"})
    assert twice.status_code == 409
    assert twice.json()["error"]["message"] == f"Grant #{grant.pk} was already voided by someone else."
    assert twice["Content-Language"] == "en"

    # DRF's own messages too (DRF ships a Russian catalogue), and with the token user reading the pages in Russian.
    StaffProfile.objects.filter(user=token.token.user).update(language="ru")
    missing = client.post(url, {}, format="json", headers={"accept-language": "ru"})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"reason": ["This field is required."]}
    assert not re.search("[а-яА-Я]", missing.content.decode())
