"""Review pages in plain words: a grant's journal, the audit filters in Russian, a duplicate walk-in."""

import html
import re

import pytest
from django.urls import reverse

from tests import factories
from tests.test_messages_ru import speaking

pytestmark = pytest.mark.django_db


def visible_outside_details(response) -> str:
    """The text a reader sees without opening a collapsed <details>."""
    page = re.sub(r"<details\b.*?</details>", " ", response.content.decode(), flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.mark.parametrize("language, words", [("en", "Grant made"), ("ru", "Компенсация выдана")])
def test_a_managers_grant_page_says_what_happened_not_the_journal_code(
    manager, frontline, central, customer, language, words
):
    grant = factories.grant_for(frontline, central, customer)
    response = speaking(manager, language).get(reverse("audit_detail", args=[grant.pk]))
    shown = visible_outside_details(response)
    assert words in shown
    assert "grant.issued" not in shown and "verify_audit" not in shown
    # The technical detail is still there for ops and auditors, collapsed.
    page = response.content.decode()
    assert re.search(r"<details class=\"technical\">.*grant\.issued.*verify_audit", page, flags=re.S) or re.search(
        r"<details class=\"technical\">.*verify_audit.*grant\.issued", page, flags=re.S
    )


def test_russian_audit_filters_offer_any_and_playbooks_in_russian(manager, central):
    page = html.unescape(speaking(manager, "ru").get(reverse("audit")).content.decode())
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    assert "---------" not in options
    assert options.count("Любой") == 3  # employee, playbook, failure category ("Все точки" for locations)
    assert "Напитки за наш счёт, пока вы ждёте" in options
    assert "Free drinks while you wait" not in options


def test_english_audit_filters_offer_any(manager_client):
    options = re.findall(r"<option[^>]*>([^<]*)</option>", manager_client.get(reverse("audit")).content.decode())
    assert "---------" not in options and options.count("Any") == 3


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "Phone: Alice Moreau already has this phone number; open that customer instead."),
        ("ru", "Телефон: этот номер уже есть у клиента Alice Moreau; откройте этого клиента."),
    ],
)
def test_a_duplicate_walk_in_phone_names_the_field_and_links_the_customer(frontline, customer, language, message):
    response = speaking(frontline, language).post(
        reverse("customer_add"), {"name": "Alice Again", "phone": "07700 900101"}
    )
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert message in page
    assert f'<a href="{reverse("counter_resolve", args=[customer.pk])}">' in page


@pytest.mark.parametrize(
    "language, shown, not_shown",
    [
        ("en", "Sam Walkin — New tier at that moment", "Sam Walkin — New tier (new customer)"),
        ("ru", "Sam Walkin — уровень «Новый» на тот момент", "Sam Walkin — уровень «Новый» (новый клиент)"),
    ],
)
def test_a_new_customers_grant_names_the_tier_once(manager, frontline, central, language, shown, not_shown):
    from recovery import services

    walk_in = services.customer_add_walk_in(actor=frontline, location=central, name="Sam Walkin")
    grant = factories.grant_for(frontline, central, walk_in)
    text = visible_outside_details(speaking(manager, language).get(reverse("audit_detail", args=[grant.pk])))
    assert shown in text
    assert not_shown not in text
