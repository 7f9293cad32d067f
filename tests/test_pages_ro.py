"""Every page in Romanian for every role: no interface text escapes translation, as tests/test_pages_ru.py
holds for Russian. Playbook and tier texts, names and reasons people typed are data, not interface."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.recovery.test_vouchers import public_url, voucher_for
from tests.test_messages_ru import speaking
from tests.test_pages_ru import attributes, pages_for, visible, without_stored_data
from tests.test_permissions import AUDITOR, FRONTLINE, MANAGER, OPS, url_of, world  # noqa: F401

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ro" / "LC_MESSAGES" / "django.po"

# As tests/test_pages_ru.py's markers, less "Voucher": Romanian uses the word itself ("voucherul").
ENGLISH_MARKERS = re.compile(
    r"\b(frontline|authority|ceiling|floor|purchase|voided|approved by|pending|scheduled|superseded|in force|"
    r"someone|Grant #|Version \d|Escalation|Anomaly|Failure|Download|Filter|Clear|Open|Reviewed|Flagged|"
    r"Waiting|Amount|Customer|Location|Playbook|Policy|Budget|Valid|Approve|Decline|yes|no)\b"
)


def interface_phrases() -> set[str]:
    """The catalogue's English texts of two words or more with no placeholder and a Romanian of their own."""
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


@pytest.mark.parametrize("role", [FRONTLINE, MANAGER, OPS, AUDITOR])
def test_every_page_reads_in_romanian_for_every_role(world, role):  # noqa: F811
    client = speaking(world.users[role], "ro")
    phrases = interface_phrases()
    leaks = {}
    for name in pages_for(role):
        response = client.get(url_of(name, world))
        assert response.status_code == 200, name
        if not response["Content-Type"].startswith("text/html"):
            continue
        if "<html" in response.content.decode():  # htmx fragments have no <html>
            assert '<html lang="ro">' in response.content.decode(), name
        text = without_stored_data(visible(response) + " " + attributes(response))
        # Whole words only: Romanian shares the alphabet ("la manager" holds "a manager").
        found = sorted(
            {phrase for phrase in phrases if phrase in text and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)}
            | set(ENGLISH_MARKERS.findall(text))
        )
        if found:
            leaks[name] = found
    assert leaks == {}


def test_the_counter_speaks_romanian_with_romanian_money_and_days(frontline, central, customer):
    client = speaking(frontline, "ro")
    page = visible(client.get(reverse("counter")))
    assert "Găsiți clientul" in page and "Ghișeu" in page
    # The shipped playbooks' Romanian texts are in force on a fresh install (migration 0014).
    resolve = visible(client.get(reverse("counter_resolve", args=[customer.pk])))
    assert "Băuturi gratuite cât așteptați" in resolve and "Free drinks while you wait" not in resolve
    grant = factories.grant_for(frontline, central, customer, code="free-drinks", purchase_value="1000")
    granted = visible(client.get(reverse("counter_granted", args=[grant.pk])))
    assert "Spuneți-i clientului" in granted
    assert "Îmi pare rău că durează mai mult decât ar trebui." in granted  # the shipped apology, in Romanian
    slip = visible(client.get(reverse("grant_slip", args=[grant.pk])))
    assert "Băuturi gratuite cât așteptați" in slip
    assert re.search(r"\d+,\d\d", granted)  # a decimal comma, as Romanian writes money


def test_the_customers_voucher_page_follows_a_romanian_browser(frontline, central, customer):
    voucher = voucher_for(frontline, central, customer)
    page = visible(Client(headers={"accept-language": "ro-RO,ro;q=0.9,en;q=0.5"}).get(public_url(voucher)))
    assert "Cu scuzele noastre pentru neplăcere" in page
    assert "O mașină de schimb gratuită pe durata reparației" in page  # the shipped repair offer, in Romanian
    assert "Nu se poate schimba pe bani" in page and "Condiții" in page
    assert "With our apologies" not in page and "Terms" not in page
    expires = voucher.voucher_expires_on
    months = "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie"
    assert f"Valabil până la {expires.day} {months.split()[expires.month - 1]} {expires.year}" in page
    english = visible(Client(headers={"accept-language": "en"}).get(public_url(voucher)))
    assert "With our apologies" in english


@pytest.mark.parametrize(
    ("language", "any_choice", "drinks"),
    [("ru", "Любой", "Напитки за наш счёт, пока вы ждёте"), ("ro", "Oricare", "Băuturi gratuite cât așteptați")],
)
def test_the_audit_filters_offer_their_choices_in_the_readers_language(manager, language, any_choice, drinks):
    page = speaking(manager, language).get(reverse("audit")).content.decode()
    assert "---------" not in page
    assert f'<option value="" selected>{any_choice}</option>' in page
    if drinks:
        assert f">{drinks}</option>" in page  # the playbook's own translated name, not its English row name
