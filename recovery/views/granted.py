"""The counter's third screen: the grant made, its words for the customer, the voucher handover, the slip."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from compensation.texts import language_shown
from recovery.models import Grant, RuleFlag
from recovery.views.access import grant_visible_to
from recovery.views.surveys import survey_handover
from recovery.views.vouchers import voucher_handover

# Each language named in itself (as in the language switch), for "Read in: English | Русский".
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _granted_words(grant: Grant) -> dict:
    """The playbook's name, offer and apology as published when the grant was made, in the page's language.

    The live playbook row is the ops draft, which may be unpublished; the
    snapshot is what the customer was promised (`Grant.playbook_texts`). The
    apology is offered in its other published languages too: the customer may
    not speak the employee's.
    """
    scripts = grant.playbook_texts("apology_script")
    shown = language_shown(scripts)
    return {
        "playbook_title": grant.playbook_text("name"),
        "offer": grant.playbook_text("offer"),
        "script": scripts.get(shown, ""),
        "script_language": shown,
        "other_scripts": [
            (language, LANGUAGE_NAMES.get(language, language), text)
            for language, text in scripts.items()
            if language != shown and text != scripts.get(shown)
        ],
    }


@require_GET
def counter_granted(request, grant_id: int):
    grant = grant_visible_to(request, grant_id)
    return render(
        request,
        "recovery/counter_granted.html",
        {
            "grant": grant,
            "redemption": getattr(grant, "redemption", None),  # joined by the selector
            "flag_rules": RuleFlag.Rule.choices,
            "flag_playbooks": [(grant.playbook_id, grant.playbook_text("name"))],
            **voucher_handover(request, grant),
            **_granted_words(grant),
        },
    )


@require_GET
def grant_slip(request, grant_id: int):
    grant = grant_visible_to(request, grant_id)
    return render(
        request,
        "recovery/grant_slip.html",
        {
            "grant": grant,
            **voucher_handover(request, grant),
            **survey_handover(request, grant),
            **_granted_words(grant),
        },
    )
