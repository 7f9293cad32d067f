"""Playbook texts in the staff's and customers' languages: which one a page shows.

A playbook's name, offer and apology script are entered in English (required:
the audit, the CSV exports and the integration API use it) and optionally in
each other language of the desk. The texts travel in version documents and
grant snapshots under explicit per-language keys: `offer` is English,
`offer_ru` Russian, `offer_ro` Romanian. A blank or missing translation (every document published
before translations existed) means "show the English", so no page ever shows
an empty offer and old documents need no rewriting.

`localized_text` is the one place that makes that choice; it takes a version
document's playbook entry, a grant snapshot or a `Playbook`, so the counter
cards, the granted page, the slip and the voucher page all decide alike.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation

ENGLISH = "en"
# The languages, besides English, that ops may enter playbook texts in (settings.LANGUAGES less English).
TRANSLATED_LANGUAGES = ("ru", "ro")
# For the ops pages' change lists, which are in English like the rest of the version diff.
LANGUAGE_NAMES_IN_ENGLISH = {"en": "English", "ru": "Russian", "ro": "Romanian"}
# The playbook fields people read; each has a `<field>_<language>` companion per translated language.
PLAYBOOK_TEXTS = ("name", "offer", "apology_script")
# A grant snapshot keeps the playbook's name under "playbook" (its other texts under their own names).
SNAPSHOT_TEXT_KEYS = {"name": "playbook", "offer": "offer", "apology_script": "apology_script"}


def translated_key(key: str, language: str) -> str:
    """Where `key`'s text in `language` is kept: `offer` itself for English, `offer_ru` for Russian."""
    return key if language == ENGLISH else f"{key}_{language}"


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or ENGLISH).lower().split("-")[0]
    return code if code in TRANSLATED_LANGUAGES else ENGLISH


def texts_by_language(source, key: str) -> dict[str, str]:
    """Every non-blank text of `key` in `source`, by language, English first: {"en": "...", "ru": "..."}.

    `source` is a mapping (a document entry, a grant snapshot) or an object
    with attributes (a `Playbook`); a missing key counts as blank.
    """
    if isinstance(source, Mapping):
        values = {language: source.get(translated_key(key, language)) for language in (ENGLISH, *TRANSLATED_LANGUAGES)}
    else:
        values = {
            language: getattr(source, translated_key(key, language), None)
            for language in (ENGLISH, *TRANSLATED_LANGUAGES)
        }
    return {language: text for language, text in values.items() if isinstance(text, str) and text.strip()}


def language_shown(texts: dict[str, str], language: str | None = None) -> str:
    """Which language of `texts` a reader of `language` (default: the active one) gets: theirs, else English."""
    wanted = _language(language)
    return wanted if wanted in texts else ENGLISH


def localized_text(source, key: str, language: str | None = None) -> str:
    """`key`'s text in `language` (default: the active language), falling back to English when blank or missing."""
    texts = texts_by_language(source, key)
    return texts.get(language_shown(texts, language), "")


def tier_name_shown(snapshot: Mapping | None, tier_name: str, language: str | None = None) -> str:
    """The name of the tier a grant or escalation was made in (`tier_name`, stored in English), in
    `language`: its translated name as the snapshot's policy had it, else the stored name."""
    for tier in (snapshot or {}).get("tiers", ()):
        if isinstance(tier, Mapping) and tier.get("name") == tier_name:
            return localized_text(tier, "name", language) or tier_name
    return tier_name
