"""Playbook texts in English and Russian: documents, snapshots, the ops draft form, the shipped translations."""

import html
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from compensation.models import AuditEvent, Playbook, PolicyVersion, TenureTier
from compensation.policy import (
    draft_document,
    load_policy,
    policy_from_document,
    version_in_force,
    with_blank_translations,
)
from compensation.services import PolicyError, policy_publish, policy_rollback
from compensation.texts import localized_text
from compensation.versions import Change, document_diff
from tests.factories import playbook, playbook_form, publish

pytestmark = pytest.mark.django_db

DRINKS_EN = "Free drinks while you wait"
DRINKS_RU = "Напитки за наш счёт, пока вы ждёте"
MIGRATION = import_module("compensation.migrations.0010_default_playbooks_in_russian")
ROMANIAN = import_module("compensation.migrations.0015_default_playbooks_in_romanian")
DRINKS_RO = "Băuturi gratuite cât așteptați"


def russian_version() -> PolicyVersion:
    return PolicyVersion.objects.get(reason=MIGRATION.REASON)


def test_the_document_carries_both_languages_through_the_policy_into_the_snapshot(frontline):
    drinks = playbook("free-drinks")
    drinks.offer_ru = "Напитки бесплатно"
    drinks.apology_script_ru = ""  # no Russian script: English is shown
    drinks.save()
    document = draft_document()
    entry = next(e for e in document["playbooks"] if e["code"] == "free-drinks")
    assert (entry["name_ru"], entry["offer_ru"], entry["apology_script_ru"]) == (DRINKS_RU, "Напитки бесплатно", "")

    policy = policy_from_document(document)
    built = policy.playbooks[drinks.pk]
    assert localized_text(built, "name", "ru") == DRINKS_RU and localized_text(built, "name", "en") == DRINKS_EN
    assert localized_text(built, "apology_script", "ru") == drinks.apology_script  # blank Russian: English

    snapshot = policy.snapshot(drinks.pk, policy.authority_for(["frontline"]), "EUR")
    assert snapshot["playbook"] == DRINKS_EN and snapshot["playbook_ru"] == DRINKS_RU
    assert snapshot["offer_ru"] == "Напитки бесплатно" and snapshot["apology_script_ru"] == ""
    with translation.override("ru"):
        assert localized_text(snapshot, "offer") == "Напитки бесплатно"
        assert localized_text(snapshot, "apology_script") == drinks.apology_script
    assert localized_text(snapshot, "offer") == drinks.offer


def test_a_document_from_before_translations_falls_back_to_english():
    old = PolicyVersion.objects.get(number=1).document
    assert "name_ru" not in old["playbooks"][0]
    policy = policy_from_document(old)
    drinks = policy.playbooks[playbook("free-drinks").pk]
    assert drinks.name_ru == "" and localized_text(drinks, "name", "ru") == DRINKS_EN
    snapshot = policy.snapshot(drinks.pk, policy.authority_for(["frontline"]), "EUR")
    assert snapshot["playbook_ru"] == "" and localized_text(snapshot, "playbook", "ru") == DRINKS_EN
    # An old grant's snapshot has no Russian keys at all.
    assert localized_text({"offer": "English offer"}, "offer", "ru") == "English offer"


def test_the_diff_shows_russian_text_changes_and_ignores_keys_an_old_document_lacks():
    v1, v2 = PolicyVersion.objects.get(number=1).document, russian_version().document
    changes = document_diff(v1, v2)
    assert Change("Playbook", DRINKS_EN, "name (Russian)", "—", DRINKS_RU) in changes
    assert Change("Tenure tier", "Loyal", "name (Russian)", "—", "Лояльный") in changes
    assert {c.field for c in changes} == {"name (Russian)", "offer (Russian)", "apology script (Russian)"}
    assert len(changes) == 8 * 3 + 3  # three texts of eight playbooks, the names of three tiers

    drinks = playbook("free-drinks")
    drinks.apology_script_ru = ""
    drinks.name_ro = drinks.offer_ro = drinks.apology_script_ro = ""  # the Romanian version's, not v2's
    drinks.save()
    Playbook.objects.update(name_ro="", offer_ro="", apology_script_ro="")
    TenureTier.objects.update(name_ro="")
    assert document_diff(v2, draft_document()) == [
        Change("Playbook", DRINKS_EN, "apology script (Russian)", v2["playbooks"][1]["apology_script_ru"], "—")
    ]
    # Missing and blank are the same text: v1 with blank translations differs from v1 in nothing.
    blanked = {
        **v1,
        "playbooks": [{**e, "name_ru": "", "offer_ru": ""} for e in v1["playbooks"]],
        "tiers": [{**t, "name_ru": ""} for t in v1["tiers"]],
    }
    assert document_diff(v1, blanked) == []


def test_rolling_back_to_a_version_without_russian_blanks_the_draft_and_nothing_more_is_published(ops, installed):
    first = PolicyVersion.objects.get(number=1)
    policy_rollback(actor=ops, version=first, reason="Back to the English-only policy")
    drinks = playbook("free-drinks")
    assert (drinks.name_ru, drinks.offer_ru, drinks.apology_script_ru) == ("", "", "")
    with translation.override("ru"):
        assert localized_text(load_policy().playbooks[drinks.pk], "name") == DRINKS_EN
    # The draft has blank Russian keys, the version none: that is the same content.
    with pytest.raises(PolicyError, match=f"Nothing to publish: this is the same as version {installed.number + 1}"):
        policy_publish(actor=ops, reason="Again")


# --- the ops draft form ---------------------------------------------------------------------


def test_ops_enter_russian_texts_in_the_draft_and_publishing_carries_them(ops, ops_client):
    drinks = playbook("free-drinks")
    form = playbook_form(
        drinks, name_ru="Напитки, пока вы ждёте", offer_ru="Напитки за наш счёт.", apology_script_ru="Извините нас."
    )
    response = ops_client.post(reverse("ops_draft_edit", args=["playbook", drinks.pk]), form)
    assert response.status_code == 302
    drinks.refresh_from_db()
    assert drinks.name_ru == "Напитки, пока вы ждёте" and drinks.apology_script_ru == "Извините нас."
    assert drinks.history.first().history_user == ops

    version = publish("Shorter Russian texts")
    entry = next(e for e in version.document["playbooks"] if e["code"] == "free-drinks")
    assert (entry["name_ru"], entry["offer_ru"], entry["apology_script_ru"]) == (
        "Напитки, пока вы ждёте",
        "Напитки за наш счёт.",
        "Извините нас.",
    )
    assert entry["name"] == DRINKS_EN


def test_the_draft_form_labels_the_russian_fields_in_both_languages(ops_client):
    url = reverse("ops_draft_edit", args=["playbook", playbook("free-drinks").pk])
    page = html.unescape(ops_client.get(url).content.decode())
    assert "Name (Russian)" in page and "Offer (Russian)" in page and "Apology script (Russian)" in page
    assert "Leave empty to show the English name." in page
    ops_client.post("/language/", {"language": "ru", "next": "/ops/"})
    page = html.unescape(ops_client.get(url).content.decode())
    assert "Название (по-русски)" in page and "Текст извинения (по-русски)" in page


def test_a_russian_name_too_long_is_refused_naming_the_field_and_nothing_changes(ops_client):
    drinks = playbook("free-drinks")
    response = ops_client.post(
        reverse("ops_draft_edit", args=["playbook", drinks.pk]), playbook_form(drinks, name_ru="Я" * 121)
    )
    assert response.status_code == 422
    errors = response.context["form"].errors["name_ru"]
    assert errors[0].startswith("Name (Russian): ") and "120" in errors[0]
    drinks.refresh_from_db()
    assert drinks.name_ru == DRINKS_RU


# --- the shipped translations -----------------------------------------------------------------


def test_the_migration_put_the_russian_texts_in_force_with_a_journal_entry():
    in_force = russian_version()
    assert in_force.number == 2 and in_force.reason == "Russian texts for the default playbooks"
    assert in_force.published_by is None and in_force.published_by_username == "system"
    assert all(entry[f"{field}_ru"] for entry in in_force.document["playbooks"] for field in MIGRATION.TEXTS)
    # Nothing but the translations changed.
    assert {c.field for c in document_diff(PolicyVersion.objects.get(number=1).document, in_force.document)} == {
        "name (Russian)",
        "offer (Russian)",
        "apology script (Russian)",
    }
    event = AuditEvent.objects.get(chain="policy", kind="policy.published", subject_id=in_force.pk)
    assert event.subject_id == in_force.pk and event.actor_username == "system" and event.payload["number"] == 2
    call_command("verify_audit", stdout=StringIO())
    # The draft rows remember why they changed.
    assert MIGRATION.REASON in {h.history_change_reason for h in playbook("late-table").history.all()}


def test_after_ops_changes_the_migration_only_translates_the_draft(ops):
    Playbook.objects.update(name_ru="", offer_ru="", apology_script_ru="")
    publish("Back to English only", actor=ops)
    drinks = playbook("free-drinks")
    drinks.offer = "Two drinks on the house while you wait."  # reworded by ops: its translation would be wrong
    drinks.save()
    versions = PolicyVersion.objects.count()

    MIGRATION.add_russian_texts(apps, None)

    assert PolicyVersion.objects.count() == versions  # ops publish when they have reviewed the draft
    drinks.refresh_from_db()
    assert drinks.name_ru == DRINKS_RU and drinks.apology_script_ru.startswith("Простите")
    assert drinks.offer_ru == ""
    assert playbook("late-table").offer_ru == "Закуски и десерты для всей компании — за счёт заведения."


def test_the_migration_publishes_when_only_the_translations_would_change():
    # As at that migration: no Russian and no Romanian yet (its document knows no Romanian).
    Playbook.objects.update(
        name_ru="", offer_ru="", apology_script_ru="", name_ro="", offer_ro="", apology_script_ro=""
    )
    TenureTier.objects.update(name_ro="")
    version = policy_publish(actor=None, reason="English only, as shipped")
    MIGRATION.add_russian_texts(apps, None)
    in_force = version_in_force()
    assert in_force.number == version.number + 1 and in_force.reason == MIGRATION.REASON
    # The draft also has the later languages' columns (blank): a document from before them lacks the keys.
    assert with_blank_translations(in_force.document) == with_blank_translations(draft_document())
    call_command("verify_audit", stdout=StringIO())


# --- the shipped Romanian translations ---------------------------------------------------------


def test_the_migration_put_the_romanian_texts_in_force_with_a_journal_entry(installed):
    in_force = version_in_force()
    assert in_force == installed and in_force.reason == ROMANIAN.REASON
    assert in_force.number == russian_version().number + 1
    assert in_force.published_by is None and in_force.published_by_username == "system"
    entries = in_force.document["playbooks"]
    assert all(entry[f"{field}_ro"] and entry[f"{field}_ru"] for entry in entries for field in ROMANIAN.TEXTS)
    assert next(e for e in entries if e["code"] == "free-drinks")["name_ro"] == DRINKS_RO
    assert [t["name_ro"] for t in in_force.document["tiers"]] == ["Nou", "Constant", "Fidel"]
    # Exactly what `policy_publish` would publish for the draft: the same document, no key the app leaves
    # out (an empty `categories`) and none it adds (later languages' columns are blank in the draft).
    draft = draft_document()
    assert with_blank_translations(in_force.document) == with_blank_translations(draft)
    assert all(set(e) <= set(d) for e, d in zip(entries, draft["playbooks"], strict=True))
    assert all("categories" not in entry for entry in entries)
    # Nothing but the Romanian texts changed since the Russian version.
    assert {c.field for c in document_diff(russian_version().document, in_force.document)} == {
        "name (Romanian)",
        "offer (Romanian)",
        "apology script (Romanian)",
    }
    event = AuditEvent.objects.get(chain="policy", kind="policy.published", subject_id=in_force.pk)
    assert event.actor_username == "system" and event.payload["number"] == in_force.number
    assert event.payload["reason"] == ROMANIAN.REASON
    call_command("verify_audit", stdout=StringIO())
    assert playbook("late-table").history.first().history_change_reason == ROMANIAN.REASON
    assert TenureTier.objects.get(name="Loyal").history.first().history_change_reason == ROMANIAN.REASON


def test_the_romanian_migration_publishes_when_only_the_translations_would_change_fits_included():
    Playbook.objects.update(name_ro="", offer_ro="", apology_script_ro="")
    set_fits = playbook("free-drinks")
    set_fits.categories = ["waiting"]
    set_fits.save()
    version = policy_publish(actor=None, reason="Drinks suit waits, no Romanian yet")
    ROMANIAN.add_romanian_texts(apps, None)
    in_force = version_in_force()
    assert in_force.number == version.number + 1 and in_force.reason == ROMANIAN.REASON
    # What policy_publish would publish, fits included; the migration's document predates the policy
    # currency's key (0020), which an older document reads as the deployment's currency.
    assert with_blank_translations(in_force.document) == with_blank_translations(draft_document())
    assert next(e for e in in_force.document["playbooks"] if e["code"] == "free-drinks")["categories"] == ["waiting"]
    call_command("verify_audit", stdout=StringIO())


def test_unpublished_fits_keep_the_romanian_migration_to_the_draft(ops):
    Playbook.objects.update(name_ro="", offer_ro="", apology_script_ro="")
    publish("No Romanian yet", actor=ops)
    drinks = playbook("free-drinks")
    drinks.categories = ["waiting"]  # a draft edit ops have not published: not the migration's to publish
    drinks.offer = "Two drinks on the house while you wait."  # reworded: its translation would be wrong
    drinks.save()
    versions = PolicyVersion.objects.count()

    ROMANIAN.add_romanian_texts(apps, None)

    assert PolicyVersion.objects.count() == versions
    drinks.refresh_from_db()
    assert drinks.name_ro == DRINKS_RO and drinks.offer_ro == "" and drinks.categories == ["waiting"]
