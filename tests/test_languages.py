"""Languages: each employee's choice is kept and used; the shipped Russian catalogue is complete and compiled."""

from __future__ import annotations

import gettext
import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from compensation.caps import describe_tenure
from recovery.models import StaffProfile
from tests import factories

LOCALE = Path(settings.BASE_DIR) / "locale"
PO = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "ru" / "LC_MESSAGES" / "django.mo"
# Every shipped catalogue besides English; each is checked alike.
CATALOGUES = [code for code, _ in settings.LANGUAGES if code != "en"]


# --- the catalogue ------------------------------------------------------------------


def po_entries(language: str = "ru"):
    return [entry for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po")) if not entry.obsolete]


def test_romanian_is_shipped_beside_russian():
    assert CATALOGUES == ["ru", "ro"]


def test_the_romanian_catalogue_has_exactly_the_russian_ones_messages():
    """Each message has a Russian and a Romanian text: a message added to one catalogue is added to both."""
    keys = {language: {(e.msgctxt, e.msgid, e.msgid_plural) for e in po_entries(language)} for language in CATALOGUES}
    assert keys["ro"] == keys["ru"]


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    entries = po_entries(language)
    assert len(entries) > 400
    untranslated = [entry.msgid for entry in entries if not entry.translated()]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", CATALOGUES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    """CI may have no gettext, so the .mo is committed: it must say exactly what the .po says."""
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    stale = []
    for entry in po_entries(language):
        if entry.msgid_plural:
            for index, text in sorted(entry.msgstr_plural.items()):
                number = _number_for_form(language, index)
                if entry.msgctxt:  # a plural with a context (npgettext) is filed under its context
                    shown = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, number)
                else:
                    shown = compiled.ngettext(entry.msgid, entry.msgid_plural, number)
                if shown != text:
                    stale.append(entry.msgid)
                    break
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if compiled._catalog.get(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], f"Run `python manage.py compilemessages` and commit locale/{language}/LC_MESSAGES/django.mo"
    assert len(compiled._catalog) - 1 == sum(  # the header is one more entry in the .mo
        len(entry.msgstr_plural) if entry.msgid_plural else 1 for entry in po_entries(language)
    )


def _number_for_form(language: str, index: int) -> int:
    """A number that takes plural form `index`: Russian 1 "одна", 2 "две", 5 "пять"; Romanian 1, 2 "zile", 20 "de zile"."""
    return {"ru": {0: 1, 1: 2, 2: 5}, "ro": {0: 1, 1: 2, 2: 20}}[language][int(index)]


def test_romanian_plurals_follow_the_three_romanian_forms():
    with (LOCALE / "ro" / "LC_MESSAGES" / "django.mo").open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    assert compiled.plural(1) == 0
    assert (
        compiled.plural(0) == 1 and compiled.plural(2) == 1 and compiled.plural(19) == 1 and compiled.plural(101) == 1
    )
    assert compiled.plural(20) == 2 and compiled.plural(100) == 2 and compiled.plural(120) == 2
    with translation.override("ro"):
        assert describe_tenure(1) == "1 lună" and describe_tenure(5) == "5 luni" and describe_tenure(24) == "2 ani"


def test_russian_plurals_follow_the_three_russian_forms():
    with MO.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)
    assert compiled.plural(1) == 0 and compiled.plural(21) == 0
    assert compiled.plural(3) == 1 and compiled.plural(24) == 1
    assert compiled.plural(5) == 2 and compiled.plural(11) == 2 and compiled.plural(0) == 2


# --- the switch -----------------------------------------------------------------------


def test_the_login_page_speaks_the_browsers_language_and_offers_the_switch(db):
    page = Client(headers={"accept-language": "ru"}).get("/login/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="ru">' in html
    assert "Войти" in html
    assert 'action="/language/"' in html
    # Each language is offered in its own name, so a visitor who reads no Russian still finds English.
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="ru" lang="ru" selected>Русский</option>' in html

    english = Client(headers={"accept-language": "en"}).get("/login/").content.decode()
    assert '<html lang="en">' in english and "Log in" in english


def test_an_anonymous_switch_sets_the_cookie_for_the_login_page(db):
    client = Client()
    response = client.post("/language/", {"language": "ru", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Войти" in client.get("/login/").content.decode()


def sign_in(client: Client, username: str) -> None:
    """Through the login page, as at the counter (django-axes needs the request)."""
    response = client.post("/login/", {"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_switching_language_persists_on_the_profile_across_sign_ins(frontline):
    client = Client()
    sign_in(client, "frank")
    response = client.post("/language/", {"language": "ru", "next": "/counter/"})
    assert response.status_code == 302 and response["Location"] == "/counter/"
    profile = StaffProfile.objects.get(user=frontline)
    assert profile.language == "ru"
    assert profile.history.first().history_change_reason == "Language set to ru"
    assert "Стойка" in client.get("/counter/").content.decode()

    # A new tablet, a browser asking for English: the employee's own choice still wins after sign-in.
    other = Client(headers={"accept-language": "en"})
    sign_in(other, "frank")
    html = other.get("/counter/").content.decode()
    assert '<html lang="ru">' in html and "Стойка" in html

    other.post("/language/", {"language": "en", "next": "/counter/"})
    assert StaffProfile.objects.get(user=frontline).language == "en"
    again = Client(headers={"accept-language": "ru"})
    sign_in(again, "frank")
    assert '<html lang="en">' in again.get("/counter/").content.decode()


def test_an_unknown_language_is_refused_with_the_field_named(frontline_client, frontline):
    response = frontline_client.post("/language/", {"language": "xx", "next": "/counter/"})
    assert response.status_code == 422
    assert "Language: Select a valid choice." in response.content.decode()
    assert StaffProfile.objects.get(user=frontline).language == ""


def test_the_switch_never_sends_anyone_to_another_site(frontline_client):
    response = frontline_client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_header_switch_shows_the_current_language_selected(frontline_client, language):
    frontline_client.post("/language/", {"language": language, "next": "/counter/"})
    html = frontline_client.get("/counter/").content.decode()
    assert f'<option value="{language}" lang="{language}" selected>' in html


# --- words produced in Python: the cap steps and the tenure ---------------------------------


def test_a_russian_employee_reads_the_cap_steps_and_tenure_in_russian(frontline_client, customer):
    frontline_client.post("/language/", {"language": "ru", "next": "/counter/"})
    page = html.unescape(frontline_client.get(f"/counter/customers/{customer.pk}/resolve/").content.decode())
    assert '<html lang="ru">' in page
    # The customer has been one since 1 January 2020: years in Russian plural forms ("год", "года" or "лет").
    assert re.search(r"\d+ (год|года|лет)\b", page)
    assert not re.search(r"\d+ (year|month)", page)

    cards = frontline_client.get(f"/counter/customers/{customer.pk}/quotes/", {"purchase_value": "80.00"})
    cards = html.unescape(cards.content.decode())
    # Numbers the Russian way: a decimal comma.
    assert "% от 80,00 = " in cards and "уровень «" in cards and re.search(r"\(\d+ (год|года|лет)", cards)
    assert "полномочие «стойка» 250,00 " in cards and "→ предел" in cards
    assert "authority" not in cards and " tier (" not in cards and " of 80.00" not in cards and "от 80.00" not in cards


@pytest.mark.parametrize(
    "months, text",
    [
        (0, "новый клиент"),
        (1, "1 месяц"),
        (3, "3 месяца"),
        (12, "1 год"),
        (26, "2 года 2 месяца"),
        (82, "6 лет 10 месяцев"),
    ],
)
def test_tenure_uses_the_three_russian_plural_forms(months, text):
    with translation.override("ru"):
        assert describe_tenure(months) == text
    assert describe_tenure(82) == "6 years 10 months"


def test_a_grant_made_in_russian_stores_its_cap_steps_in_english(frontline, central, customer):
    """The steps are the grant's audit snapshot (and the API's `cap_steps`): one language for every reviewer."""
    with translation.override("ru"):
        grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80.00")
    assert grant.cap_steps[0] == "100% of 80.00 = 80.00"
    assert grant.cap_steps[-1].startswith("frontline authority ")
    assert not any(re.search("[а-яА-Я]", step) for step in grant.cap_steps)


def test_a_russian_employee_reads_the_money_labels_and_their_refusals_in_russian(frontline_client, customer):
    frontline_client.post("/language/", {"language": "ru", "next": "/counter/"})
    page = html.unescape(frontline_client.get(f"/counter/customers/{customer.pk}/resolve/").content.decode())
    assert "Сумма покупки (EUR)</label>" in page and "Сумма (EUR)</label>" in page
    assert "Purchase value" not in page

    refused = frontline_client.get(f"/counter/customers/{customer.pk}/quotes/", {"purchase_value": "-5"})
    assert refused.status_code == 422
    assert "Сумма покупки: должно быть больше 0." in html.unescape(refused.content.decode())


def test_a_russian_employee_reads_the_flash_message_in_russian(frontline, frontline_client, manager, central, customer):
    grant = factories.grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="80.00")
    manager_client = Client()
    sign_in(manager_client, manager.get_username())
    manager_client.post("/language/", {"language": "ru", "next": "/"})
    response = manager_client.post(f"/audit/grants/{grant.pk}/void/", {"reason": "Entered twice"}, follow=True)
    assert f"Компенсация №{grant.pk} аннулирована." in response.content.decode()
