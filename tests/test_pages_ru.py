"""Every page in the reader's language: texts built in Python from stored records (timeline entries,
anomaly reasons, cap steps, limit reasons, role names) are worded at display, in Russian for a Russian
reader with figures written the Russian way, while the stored records stay English."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from compensation.models import Playbook, PolicyVersion
from compensation.policy import load_policy
from compensation.predicates import roles_of
from recovery import anomalies, services
from recovery.anomalies import anomalies_detect, anomaly_review
from recovery.models import AnomalyFlag, Escalation
from recovery.vouchers import voucher_redeem
from tests import factories
from tests.recovery.test_anomalies import granted, grants_by, old_customer, staff_at
from tests.recovery.test_audit_timeline import story  # noqa: F401  (a fixture)
from tests.test_messages_ru import speaking
from tests.test_permissions import AUDITOR, EXPECTED, FRONTLINE, MANAGER, OPS, url_of, world  # noqa: F401

pytestmark = pytest.mark.django_db


def visible(response) -> str:
    """The page's text as a reader sees it: no scripts, styles or tags, entities decoded, spaces collapsed."""
    page = response.content.decode()
    page = re.sub(r"<(script|style|code|pre)\b.*?</\1>", " ", page, flags=re.S)  # code samples stay as typed
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


def attributes(response) -> str:
    """The words a screen reader or a tooltip says: title, aria-label, placeholder and alt."""
    return " ".join(
        re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', html.unescape(response.content.decode()))
    )


# --- the audit timeline ------------------------------------------------------------------------------


def test_a_russian_manager_reads_every_timeline_entry_in_russian(story, frontline, manager, central, customer):  # noqa: F811
    voucher = factories.grant_for(frontline, central, customer, code="repeat-repair", purchase_value="1000")
    voucher_redeem(actor=frontline, code=voucher.voucher_code, location=central)
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    factories.grant_for(frontline, central, walk_in)
    anomalies_detect()
    flag = AnomalyFlag.objects.get(kind=AnomalyFlag.Kind.NEW_CUSTOMER)
    anomaly_review(actor=manager, flag_id=flag.pk, outcome="fine", note="Known regular")
    drinks = factories.playbook("free-drinks")
    drinks.ceiling = Decimal("20.00")
    drinks.save()
    factories.publish("Lower drinks ceiling")

    page = visible(speaking(manager, "ru").get(reverse("audit")))
    for label in (
        "Проблема записана",
        "Компенсация",
        "Аннулирование",
        "Запрошена эскалация",
        "Эскалация отклонена",
        "Изменение политики",
        "Ваучер погашен",
        "Сигнал об аномалии",
        "Аномалия рассмотрена",
    ):
        assert label in page, label
    voided = story["voided"]
    for summary in (
        "Ожидание или задержка, покупка 100,00: «cold coffee»",
        "покупка 1 000,00",  # grouped with a no-break space, decimal comma
        "Напитки за наш счёт, пока вы ждёте, предел 15,00 (Лояльный, стойка)",
        f"Компенсация №{voided.pk} аннулирована: «Duplicate entry»",
        "Запрошено 400,00 (можно было выдать 15,00): «Lost a whole day»",
        "Отклонено 400,00: «Too much»",
        f"Ваучер {voucher.voucher_code} компенсации №{voucher.pk} погашен",
        "Версия 2, действует с ",
        f"Компенсация №{flag.grant_id} на 10,00 от frank клиенту Sam Nobody",
        "Всё в порядке: «Known regular»",
    ):
        assert summary in page, summary
    for english in ("Failure logged", "Escalation requested", "purchase", "cap 15", "could grant", "in force from"):
        assert english not in page, english

    english_page = visible(speaking(manager, "en").get(reverse("audit")))
    assert "Waiting or delay, purchase 100.00: “cold coffee”" in english_page
    assert "Free drinks while you wait, cap 15.00 (Loyal, frontline)" in english_page
    assert "Asked 400.00 (could grant 15.00): “Lost a whole day”" in english_page
    assert not re.search("[а-яА-Я]", english_page.split("English")[-1].replace("Русский", ""))


def test_the_timeline_csv_stays_english_for_a_russian_reviewer(story, manager):  # noqa: F811
    response = speaking(manager, "ru").get(reverse("audit_timeline_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    summaries = [row[-2] for row in rows[1:]]
    assert "Waiting or delay, purchase 100.00: “cold coffee”" in summaries
    assert "Declined 400.00: “Too much”" in summaries
    assert not any(re.search("[а-яА-Я]", cell) for row in rows for cell in row)


# --- anomaly reasons -----------------------------------------------------------------------------------


@pytest.fixture
def every_pattern(central, airport, frontline, frontline_airport, manager):
    """One flag (at least) of every kind, raised by the real checks."""
    star, paul, pia = staff_at(central, "star", "paul", "pia")
    grants_by(star, central, 5)  # the full cap: far above the colleagues' average
    grants_by(paul, central, 5, amount="5")
    grants_by(pia, central, 5, amount="6")
    (capper,) = staff_at(airport, "capper")
    grants_by(capper, airport, 8)  # always the cap, when most others are not
    traveller = old_customer("Rolf Tourer")
    granted(frontline, central, traveller, days_ago=10, amount="10")
    granted(frontline_airport, airport, traveller, days_ago=5, amount="12.50")
    granted(frontline, central, traveller, days_ago=1, amount="5")
    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Nobody")
    granted(frontline, central, walk_in)
    late = granted(frontline, central, old_customer("Vera Void"), days_ago=5)
    services.grant_void(
        actor=manager, grant_id=late.pk, reason="Found on the weekly review", at=late.granted_at + timedelta(days=3)
    )
    (splitter,) = staff_at(airport, "splitter")  # 2 × 150 to one customer within minutes: past 250 for one grant
    split = old_customer("Sid Split")
    for _ in range(2):
        granted(splitter, airport, split, code="repeat-repair", purchase_value="5000", amount="150.00")
    anomalies_detect()
    flags = list(AnomalyFlag.objects.select_related("location", "employee", "customer").order_by("id"))
    assert {flag.kind for flag in flags} == set(AnomalyFlag.Kind.values)
    return flags


def test_every_reason_worded_again_in_english_is_the_stored_reason(every_pattern):
    """The figures say everything the reason says: worded again in English they give back the record,
    so the Russian wording (the same figures, the same tests) says the same thing."""
    with translation.override("en"):
        for flag in every_pattern:
            assert anomalies._REASONS[flag.kind](flag, flag.figures) == flag.reason


def test_a_russian_manager_reads_anomaly_reasons_in_russian_with_decimal_commas(every_pattern, manager, ops):
    page = visible(speaking(ops, "ru").get(reverse("anomalies")))
    assert (
        "Компенсации 3 раза в 2 точках (Central Store, Airport Desk) за 30 дней: 10,00, 12,50, 5,00 (всего 27,50)."
        in page
    )
    assert re.search(
        r"star: 5 компенсаций со средней суммой 15,00 в точке Central Store за 30 дней; .*: средняя сумма в \d,\d раза выше\.",
        page,
    )
    assert (
        "capper: ровно предел в 8 из 8 компенсаций (100%) в точке Airport Desk за 30 дней; у всех остальных — в" in page
    )
    assert "клиенту Sam Nobody, созданному за считаные секунды до неё сотрудником frank" in page
    assert "аннулировал(а) maria через 3 дня после выдачи: «Found on the weekly review»" in page
    for english in ("Compensated", "granted exactly the cap", "nobody can confirm", "was voided by", "averaging"):
        assert english not in page, english
    # The record is untouched: English, as the history and the journal keep it.
    assert AnomalyFlag.objects.filter(reason__startswith="Compensated 3 times at 2 locations").count() == 2

    english = visible(speaking(ops, "en").get(reverse("anomalies")))
    for flag in every_pattern:
        assert html.unescape(flag.reason) in english


def test_a_flag_without_figures_shows_its_stored_reason(central, frontline, customer, manager):
    grant = factories.grant_for(frontline, central, customer)
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER,
        location=central,
        grant=grant,
        customer=customer,
        employee=frontline,
        reason="Hand-made flag from before figures were kept",
        dedupe_key="old:1",
    )
    page = visible(speaking(manager, "ru").get(reverse("anomalies")))
    assert "Hand-made flag from before figures were kept" in page


def test_a_grants_audit_page_shows_its_flags_reasons_in_russian(every_pattern, manager):
    flag = next(flag for flag in every_pattern if flag.kind == AnomalyFlag.Kind.VOID_AFTER_THE_FACT)
    page = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[flag.grant_id])))
    assert f"Компенсацию №{flag.grant_id} на 15,00 от frank аннулировал(а) maria через 3 дня после выдачи" in page


# --- cap steps, limit reasons and roles ----------------------------------------------------------------


def test_the_granted_page_and_the_audit_page_show_the_cap_steps_in_russian(frontline, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    granted_page = visible(speaking(frontline, "ru").get(reverse("counter_granted", args=[grant.pk])))
    audit_page = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[grant.pk])))
    policy = load_policy()
    with translation.override("ru"):
        expected = policy.quote(
            grant.playbook_id,
            purchase_value=grant.purchase_value,
            tenure_months=grant.tenure_months,
            authority=policy.authority_for(roles_of(frontline), frontline.pk),
            currency=grant.currency,
        ).steps
    for page in (granted_page, audit_page):
        assert "от 1 000,00 =" in page
        for step in expected:
            assert re.sub(r"\s+", " ", step) in page, step
        assert "% of " not in page and "authority" not in page
    assert "Полномочие стойка: 250,00 €" in audit_page
    # The record stays English.
    grant.refresh_from_db()
    assert grant.cap_steps[0] == "10% of 1,000.00 = 100.00"

    english = visible(speaking(manager, "en").get(reverse("audit_detail", args=[grant.pk])))
    for step in grant.cap_steps:
        assert step in english


def test_a_snapshot_that_does_not_give_back_the_cap_shows_the_stored_steps(frontline, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="free-drinks")
    snapshot = grant.policy_snapshot | {"percent": "99"}
    type(grant).objects.filter(pk=grant.pk).update(policy_snapshot=snapshot)
    page = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[grant.pk])))
    for step in grant.cap_steps:
        assert step in page


def test_the_escalation_pages_show_the_cap_reason_in_russian(frontline, manager, central, customer):
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="400.00"),
        reason="Lost a whole day",
    )
    stop = Escalation.objects.get(pk=escalation.pk).stopped_by[0]
    assert stop["reason"].startswith("The cap of “Free drinks while you wait” for this customer is 15.00")
    client = speaking(manager, "ru")
    for url in (reverse("escalations"), reverse("escalation_status", args=[escalation.pk])):
        page = visible(client.get(url))
        assert "Предел сценария «Напитки за наш счёт, пока вы ждёте» для этого клиента — 15,00 (" in page, url
        assert "The cap of" not in page


def test_the_resolve_page_names_the_role_in_russian(frontline, customer):
    page = visible(speaking(frontline, "ru").get(reverse("counter_resolve", args=[customer.pk])))
    assert re.search(r"Ваше полномочие: [\d\s]+,\d\d\s€ \(стойка\)", page), page[page.find("полномочие") - 50 :][:200]
    english = visible(speaking(frontline, "en").get(reverse("counter_resolve", args=[customer.pk])))
    assert re.search(r"Your authority: €[\d,]+\.\d\d \(frontline\)", english)


# --- every page, every role -----------------------------------------------------------------------------

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"

# English words of the interface that no test data contains: any of them on a Russian page is a text
# that escaped translation (a template literal, a label built in Python, a stored English record shown raw).
ENGLISH_MARKERS = re.compile(
    r"\b(frontline|authority|ceiling|floor|purchase|voided|approved by|pending|scheduled|superseded|in force|"
    r"someone|Grant #|Version \d|Escalation|Anomaly|Failure|Download|Filter|Clear|Open|Reviewed|Flagged|"
    r"Waiting|Amount|Customer|Location|Playbook|Policy|Budget|Voucher|Valid|Approve|Decline|yes|no)\b"
)


def interface_phrases() -> set[str]:
    """The catalogue's English texts of two words or more with no placeholder: the interface's own phrases."""
    return {
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.obsolete
        and not entry.msgid_plural
        and "%" not in entry.msgid
        and "{" not in entry.msgid
        and " " in entry.msgid.strip()
        and entry.msgstr != entry.msgid
    }


def pages_for(role: str) -> list[str]:
    return [name for name, methods in EXPECTED.items() if methods.get("GET", {}).get(role) == 200]


def without_stored_data(text: str) -> str:
    """The text less what people and ops typed in English (playbooks, tiers, names, reasons): data, not interface."""
    stored = [
        *Playbook.objects.values_list("name", flat=True),
        *Playbook.objects.values_list("offer", flat=True),
        *Playbook.objects.values_list("apology_script", flat=True),
        *PolicyVersion.objects.values_list("reason", flat=True),
        *AnomalyFlag.objects.values_list("reason", flat=True),
        *Escalation.objects.values_list("reason", flat=True),
    ]
    for value in sorted(filter(None, stored), key=len, reverse=True):
        text = text.replace(re.sub(r"\s+", " ", value), " ")
    return re.sub(r"Matrix[^.«»“”]*", " ", text)  # what the test world's people typed


@pytest.mark.parametrize("role", [FRONTLINE, MANAGER, OPS, AUDITOR])
def test_every_page_reads_in_russian_for_every_role(world, role):  # noqa: F811
    client = speaking(world.users[role], "ru")
    phrases = interface_phrases()
    leaks = {}
    for name in pages_for(role):
        response = client.get(url_of(name, world))
        assert response.status_code == 200, name
        if not response["Content-Type"].startswith("text/html"):
            continue
        text = without_stored_data(visible(response) + " " + attributes(response))
        found = sorted({phrase for phrase in phrases if phrase in text} | set(ENGLISH_MARKERS.findall(text)))
        if found:
            leaks[name] = found
    assert leaks == {}


# --- days and times in lists and records ------------------------------------------------------------


def test_days_in_pages_use_the_russian_genitive_month_and_the_locations_clock(frontline, manager, central, customer):
    """ "3 марта 14:02", not "3 Мар 14:02"; English keeps "3 Mar 14:02"; both on the location's wall clock."""
    import zoneinfo
    from datetime import datetime

    central.timezone = "Asia/Tokyo"
    central.save()
    grant = factories.grant_for(frontline, central, customer)
    moment = datetime(2026, 3, 3, 5, 2, 9, tzinfo=zoneinfo.ZoneInfo("UTC"))  # 14:02:09 in Tokyo
    type(grant).objects.filter(pk=grant.pk).update(failure_logged_at=moment, granted_at=moment)
    customer.customer_since = moment.date().replace(day=1)
    customer.save()

    russian_list = visible(speaking(frontline, "ru").get(reverse("my_grants")))
    english_list = visible(speaking(frontline, "en").get(reverse("my_grants")))
    assert "3 марта 14:02" in russian_list and "Мар" not in russian_list
    assert "3 Mar 14:02" in english_list

    audit = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[grant.pk])))
    assert "3 марта 2026 14:02:09" in audit

    counter = visible(speaking(frontline, "ru").get(reverse("counter") + "?q=" + customer.name))
    assert "с марта 2026" in counter


def test_an_approved_grant_keeps_its_approval_line_among_the_russian_cap_steps(frontline, manager, central, customer):
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="40.00"),
        reason="Lost a whole day",
    )
    services.escalation_decide(
        actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="Regular since 2015"
    )
    grant = Escalation.objects.get(pk=escalation.pk).grant
    page = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[grant.pk])))
    assert "от 100,00" in page  # the engine's steps, worded again in Russian
    assert "Regular since 2015" in page  # and the stored approval line with the manager's note


def test_the_above_limit_panel_and_the_window_headroom_are_in_russian(frontline, central, customer):
    from compensation.models import CustomerLimit
    from tests.recovery.test_counter_limits import resolve_post

    CustomerLimit.objects.create(window_days=30, max_grants=3, max_total=Decimal("300.00"))
    factories.publish()
    client = speaking(frontline, "ru")
    resolve_page = visible(client.get(reverse("counter_resolve", args=[customer.pk])))
    assert "использовано 0 из 3 компенсаций за 30 дн.; осталось 300,00 из 300,00" in resolve_page.replace("\xa0", " ")
    above = visible(resolve_post(client, customer, amount="9999"))
    assert "Предел сценария и ваше полномочие" in above
    assert "Playbook cap and your authority" not in above


def test_a_bad_version_comparison_is_explained_in_russian(ops):
    number = PolicyVersion.objects.order_by("-number").first().number
    page = visible(speaking(ops, "ru").get(reverse("ops_version", args=[number]) + "?compare=999"))
    assert "Сравнить с: версии 999 нет." in page


def test_the_policy_values_on_the_grant_page_use_the_readers_decimal_sign(frontline, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80")
    russian = visible(speaking(manager, "ru").get(reverse("audit_detail", args=[grant.pk])))
    assert "×1,50" in russian and "×1.50" not in russian
    assert "Лояльный" in russian
    english = visible(speaking(manager, "en").get(reverse("audit_detail", args=[grant.pk])))
    assert "×1.50" in english


def test_a_flagged_grant_reads_as_a_state_in_russian(story, manager, central):  # noqa: F811
    AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER, location=central, grant=story["grant"], reason="New", dedupe_key="ru-1"
    )
    client = speaking(manager, "ru")
    page = visible(client.get(reverse("audit"), {"flagged": "on"}))
    assert "С сигналом" in page  # the badge: a state of the grant
    assert "Только с сигналами" in page  # the filter
    assert not re.search(r"\bFlagged\b", page)
    assert "Flagged" in visible(speaking(manager, "en").get(reverse("audit"), {"flagged": "on"}))


def test_role_and_multiplier_texts_of_the_draft_forms_are_in_russian():
    from compensation.forms import TierMultiplierForm
    from compensation.models import RoleAuthority

    with translation.override("ru"):
        assert [str(label) for _, label in RoleAuthority.Role.choices] == [
            "Стойка",
            "Руководитель",
            "Операционный отдел",
        ]
        assert str(TierMultiplierForm().fields["multiplier"].help_text).startswith("Заменяет множитель уровня")


def test_the_walk_in_form_asks_for_a_persons_name_not_a_things(frontline):
    page = speaking(frontline, "ru").get(reverse("counter")).content.decode()
    assert re.search(r'<label for="id_name">\s*Имя', page), page[page.find('for="id_name"') - 20 :][:120]
    assert "Название" not in visible(speaking(frontline, "ru").get(reverse("counter")))


def test_the_simulator_names_the_version_and_the_role_in_russian(ops):
    from tests.compensation.test_simulator import CASE

    number = PolicyVersion.objects.order_by("-number").first().number
    page = visible(speaking(ops, "ru").get(reverse("ops_simulator"), CASE))
    assert f"(версия {number})" in page
    assert "стойка" in page and "frontline" not in page
