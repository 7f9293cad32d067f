"""The counter, the granted page, the slip and the voucher page show playbook texts in the reader's language."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from recovery.models import Grant
from recovery.vouchers import voucher_link_token, voucher_lookup
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SPOILED_RU = "Немедленная замена испорченного товара"
SPOILED_EN = "Replace spoiled goods at once"
APOLOGY_RU = "Простите — такой товар вообще не должен был попасть к вам."
APOLOGY_EN = "I'm sorry — this should never have left our shelves."
MASSAGE_OFFER_RU = "Ваучер на бесплатный массаж или другую услугу центра."
MASSAGE_OFFER_EN = "A voucher for a free massage or another service of the centre."


def page_of(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def in_russian(client):
    client.post("/language/", {"language": "ru", "next": "/counter/"})
    return client


def grant_through_the_counter(client, customer) -> Grant:
    """Grant "replace spoiled goods" the way the resolve form does, as `client`'s employee."""
    form = client.get(reverse("counter_resolve", args=[customer.pk])).context["form"]
    response = client.post(
        reverse("counter_resolve", args=[customer.pk]),
        {
            "token": form.initial["token"],
            "opened": form.initial["opened"],
            "category": "product_defective",
            "purchase_value": "80.00",
            "playbook": factories.playbook("replace-spoiled").pk,
            "amount": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Grant.objects.get()


def test_a_russian_employee_sees_russian_playbook_names_and_offers_at_the_counter(frontline_client, customer):
    page = page_of(in_russian(frontline_client).get(reverse("counter_resolve", args=[customer.pk])))
    assert f'<span class="card-title">{SPOILED_RU}</span>' in page
    assert "Свежая замена испорченной части покупки — прямо сейчас." in page
    assert SPOILED_EN not in page
    cards = page_of(frontline_client.get(reverse("counter_quotes", args=[customer.pk]), {"purchase_value": "80"}))
    assert SPOILED_RU in cards and SPOILED_EN not in cards


def test_an_english_employee_sees_the_english_cards(frontline_client, customer):
    page = page_of(frontline_client.get(reverse("counter_resolve", args=[customer.pk])))
    assert f'<span class="card-title">{SPOILED_EN}</span>' in page and SPOILED_RU not in page


def test_the_granted_page_in_russian_offers_the_english_apology_too(frontline_client, customer):
    grant = grant_through_the_counter(in_russian(frontline_client), customer)
    assert grant.playbook_name == SPOILED_EN  # stored in English, for the audit and the CSV exports
    page = page_of(frontline_client.get(reverse("counter_granted", args=[grant.pk])))
    assert re.search(rf"<h1>[^<]*· {SPOILED_RU}</h1>", page)
    said = re.search(r'<blockquote lang="ru">(.*?)</blockquote>', page, re.S).group(1)
    assert said.startswith(APOLOGY_RU)
    other = re.search(r'<details class="script-other">(.*?)</details>', page, re.S).group(1)
    assert 'Прочитать на языке: <span lang="en">English</span>' in other
    assert f'<blockquote lang="en">{APOLOGY_EN}' in other


def test_the_granted_page_in_english_offers_the_russian_apology(frontline_client, customer):
    grant = grant_through_the_counter(frontline_client, customer)
    page = page_of(frontline_client.get(reverse("counter_granted", args=[grant.pk])))
    assert f'<blockquote lang="en">{APOLOGY_EN}' in page
    assert 'Read in: <span lang="ru">Русский</span>' in page and f'<blockquote lang="ru">{APOLOGY_RU}' in page


def test_without_a_russian_script_the_english_one_is_shown_once(frontline, frontline_client, central, customer):
    spoiled = factories.playbook("replace-spoiled")
    spoiled.apology_script_ru = ""
    spoiled.save()
    factories.publish("No Russian apology for spoiled goods")
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80")
    page = page_of(in_russian(frontline_client).get(reverse("counter_granted", args=[grant.pk])))
    assert f'<blockquote lang="en">{APOLOGY_EN}' in page
    # Once: the other languages offered are those with a script of their own (the shipped Romanian), not English.
    assert page.count(APOLOGY_EN) == 1 and page.count('<blockquote lang="en">') == 1
    assert '<blockquote lang="ro">Îmi pare rău' in page


def test_the_slip_is_printed_in_the_employees_language(frontline, frontline_client, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="moved-appointment-massage", purchase_value="80")
    english = page_of(frontline_client.get(reverse("grant_slip", args=[grant.pk])))
    assert MASSAGE_OFFER_EN in english and MASSAGE_OFFER_RU not in english
    russian = page_of(in_russian(frontline_client).get(reverse("grant_slip", args=[grant.pk])))
    assert MASSAGE_OFFER_RU in russian and "Ваучер на массаж за перенесённую запись" in russian


def test_the_voucher_page_follows_the_browsers_language(frontline, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="moved-appointment-massage", purchase_value="80")
    url = reverse("voucher_public", args=[voucher_link_token(grant.voucher_code)])
    russian = page_of(Client(HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9").get(url))
    assert '<html lang="ru">' in russian
    assert "<h1>Ваучер на массаж за перенесённую запись</h1>" in russian and MASSAGE_OFFER_RU in russian
    english = page_of(Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(url))
    assert MASSAGE_OFFER_EN in english and MASSAGE_OFFER_RU not in english
    # The status the API reads stays in English whatever the page's language.
    status = voucher_lookup(code=grant.voucher_code)
    assert (status.item, status.offer) == ("Massage voucher for a moved appointment", MASSAGE_OFFER_EN)


def test_a_grant_shows_what_was_published_not_the_draft(frontline, frontline_client, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80")
    spoiled = factories.playbook("replace-spoiled")
    spoiled.apology_script_ru = "ЧЕРНОВИК, не опубликован"
    spoiled.save()
    page = page_of(in_russian(frontline_client).get(reverse("counter_granted", args=[grant.pk])))
    assert APOLOGY_RU in page and "ЧЕРНОВИК" not in page


def test_lists_and_audit_pages_name_the_playbook_in_the_readers_language(frontline, manager, ops, central, customer):
    """Not only the counter: my grants, the customer's recent grants, the grant's audit page and ops' policy."""
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80")
    pages = {
        frontline: [reverse("my_grants"), reverse("counter_resolve", args=[customer.pk])],
        manager: [reverse("audit_detail", args=[grant.pk])],
        ops: [reverse("ops_home")],
    }
    for user, urls in pages.items():
        for language, shown, hidden in (("ru", SPOILED_RU, SPOILED_EN), ("en", SPOILED_EN, SPOILED_RU)):
            client = client_for(user)
            client.post("/language/", {"language": language, "next": "/"})
            for url in urls:
                page = page_of(client.get(url))
                assert shown in page, (user.username, language, url)
                # The resolve page lists the cards too; everywhere the reader sees one language only.
                assert hidden not in page, (user.username, language, url)


def test_tier_names_are_shown_in_the_readers_language_and_kept_in_english(frontline, central, customer):
    """The shipped tiers' Russian names are in force (version 2); the grant keeps the English name for the audit."""
    from compensation.policy import load_policy
    from compensation.texts import localized_text

    assert {tier.name: tier.name_ru for tier in load_policy().tiers} == {
        "New": "Новый",
        "Regular": "Постоянный",
        "Loyal": "Лояльный",
    }
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80")
    assert grant.tenure_tier == "Loyal"  # the customer fixture has years of tenure

    client = in_russian(client_for(frontline))
    for url in (
        reverse("counter_resolve", args=[customer.pk]),
        reverse("counter_granted", args=[grant.pk]),
        reverse("counter") + "?q=" + customer.name,
    ):
        page = page_of(client.get(url))
        assert "Лояльный" in page, url
        assert "Loyal</span>" not in page and "«Loyal»" not in page, url
    with translation.override("ru"):
        assert localized_text(load_policy().tiers[-1], "name") == "Лояльный"
    client.post("/language/", {"language": "en", "next": "/counter/"})
    english = page_of(client.get(reverse("counter_granted", args=[grant.pk])))
    assert "Loyal" in english and "Лояльный" not in english


def test_ops_name_a_tier_in_russian_in_the_draft(ops_client):
    from compensation.models import TenureTier

    tier = TenureTier.objects.get(name="Regular")
    response = ops_client.post(
        reverse("ops_draft_edit", args=["tier", tier.pk]),
        {"name": "Regular", "name_ru": "Завсегдатай", "min_months": "12", "multiplier": "1.25"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    tier.refresh_from_db()
    assert tier.name_ru == "Завсегдатай"
    assert tier.history.first().name_ru == "Завсегдатай"
