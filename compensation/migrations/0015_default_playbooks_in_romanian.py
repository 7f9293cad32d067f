"""Romanian texts for the eight playbooks and three tenure tiers shipped in 0002, and a version that puts them in force.

The same steps as 0010 took for Russian: the draft gets the Romanian name,
offer and apology of each shipped playbook whose English text ops have not
reworded (a translation of words that are no longer there would be wrong) and
whose Romanian text is still empty; each change is kept in the playbook's
history. The shipped tiers ("New", "Regular", "Loyal") get their Romanian
names the same way.

Versions are immutable, so the counter, the slip and the voucher page only
show the texts once a version carries them. A new version is published here
only when that publishes nothing but the translations: the version in force is
the newest one (none scheduled), its playbooks are exactly the shipped ones
with the shipped English texts and no Romanian yet, no per-employee limits,
customer limits or budgets exist, and the draft equals that version apart from
translations (compared as `policy_publish` compares documents, through
`compensation.documents.with_blank_translations`, so a playbook's fits
(`categories`, added by 0012) count as a change and a document that lacks them
equals a draft that suits every failure). Otherwise ops already changed things:
only the draft is updated, and ops publish it when they review it.

What is published is what `compensation.policy.draft_document` builds for the
draft at this point of the schema, categories included (left out when empty, as
the app leaves them out). It is built here from this migration's models, with
the field list frozen as it is now: `draft_document` itself reads the live
models, which may have columns this migration's database does not have yet.
The pure helpers that read only documents (`with_blank_translations`, the
names of the translated fields) and the journal's hashing are imported, so the
check is the app's own and `verify_audit` checks the entry like any other.
Publishing mirrors `compensation.services.policy_publish` (the next number, in
force now, no author: "system") and its "policy.published" journal entry.
"""

import hashlib
import json
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

REASON = "Romanian texts for the default playbooks"
TEXTS = ("name", "offer", "apology_script")
# compensation.policy.PLAYBOOK_FIELDS at this migration.
PLAYBOOK_FIELDS = (
    "code", "name", "name_ru", "name_ro", "kind", "offer", "offer_ru", "offer_ro",
    "apology_script", "apology_script_ru", "apology_script_ro",
    "percent", "floor", "ceiling", "voucher_valid_days", "sort_order", "is_active", "categories",
    "nothing_bought", "base_amount",
)
# Left out of a playbook's entry at these values, as compensation.documents.NOTHING_BOUGHT_DEFAULTS.
NOTHING_BOUGHT_DEFAULTS = {"nothing_bought": "floor", "base_amount": None}
TIER_TRANSLATIONS = ("name_ru", "name_ro")

# code: (English as shipped in 0002, Romanian)
SHIPPED = {
    "late-table": {
        "name": (
            "Appetisers and desserts on the house",
            "Aperitive și deserturi din partea casei",
        ),
        "offer": (
            "Appetisers and desserts for the whole party, on the house.",
            "Aperitive și deserturi pentru tot grupul, din partea casei.",
        ),
        "apology_script": (
            "I'm sorry you had to wait for the table you booked — that's our fault, not yours. Starters and desserts for your party are on us tonight.",
            "Îmi pare rău că a trebuit să așteptați masa pe care ați rezervat-o — este vina noastră, nu a dumneavoastră. Aperitivele și deserturile pentru grupul dumneavoastră sunt din partea noastră în seara aceasta.",
        ),
    },
    "free-drinks": {
        "name": (
            "Free drinks while you wait",
            "Băuturi gratuite cât așteptați",
        ),
        "offer": (
            "Drinks on the house while the order is finished.",
            "Băuturi din partea casei până când comanda este gata.",
        ),
        "apology_script": (
            "I'm sorry this is taking longer than it should. Please have your drinks on us while I make sure your order comes out right away.",
            "Îmi pare rău că durează mai mult decât ar trebui. Vă rog să serviți băuturile din partea noastră, iar eu mă asigur că vă aducem comanda imediat.",
        ),
    },
    "replace-spoiled": {
        "name": (
            "Replace spoiled goods at once",
            "Înlocuirea imediată a produselor alterate",
        ),
        "offer": (
            "Fresh replacement of the spoiled part of the purchase, right now.",
            "Înlocuim chiar acum, cu produse proaspete, partea alterată a cumpărăturilor.",
        ),
        "apology_script": (
            "I'm sorry — this should never have left our shelves. Here is a fresh one, and thank you for taking the time to come back and tell us.",
            "Îmi pare rău — acest produs nu ar fi trebuit să ajungă niciodată la dumneavoastră. Poftiți unul proaspăt și vă mulțumim că v-ați făcut timp să reveniți și să ne spuneți.",
        ),
    },
    "repeat-repair": {
        "name": (
            "Rental car or free service visit after a repeat repair",
            "Mașină de schimb sau revizie gratuită după o reparație repetată",
        ),
        "offer": (
            "A free rental car for the repair time, or a voucher for a free service visit.",
            "O mașină de schimb gratuită pe durata reparației sau un voucher pentru o revizie gratuită.",
        ),
        "apology_script": (
            "I'm sorry your car came back with the same fault — we should have fixed it the first time. We'll put it right as a priority, and this is yours for the trouble.",
            "Îmi pare rău că mașina dumneavoastră a revenit cu același defect — trebuia să-l remediem de prima dată. Ne ocupăm de ea cu prioritate, iar aceasta este pentru neplăcerile create.",
        ),
    },
    "free-month": {
        "name": (
            "One month of service free",
            "O lună de serviciu gratuită",
        ),
        "offer": (
            "Your next month of service free, and a fast fix of the problem.",
            "Următoarea lună de serviciu gratuită și remedierea rapidă a problemei.",
        ),
        "apology_script": (
            "I'm sorry for the technical trouble — it's on us, not you. Your next month is free, and I've asked for this to be fixed as a priority.",
            "Îmi pare rău pentru problemele tehnice — răspunderea este a noastră, nu a dumneavoastră. Următoarea lună este gratuită și am cerut ca problema să fie rezolvată cu prioritate.",
        ),
    },
    "wait-consultation": {
        "name": (
            "Free consultation or discount after a wait",
            "Consultație gratuită sau reducere după o așteptare",
        ),
        "offer": (
            "A free consultation with another specialist, or a discount on today's visit.",
            "O consultație gratuită la un alt specialist sau o reducere la vizita de astăzi.",
        ),
        "apology_script": (
            "I'm sorry you had to wait past your appointment time — your time matters to us. Today's visit is on us up to this amount, or I can book you a free consultation.",
            "Îmi pare rău că a trebuit să așteptați dincolo de ora programării — timpul dumneavoastră contează pentru noi. Vizita de astăzi este din partea noastră până la această sumă sau vă pot programa la o consultație gratuită.",
        ),
    },
    "moved-appointment-massage": {
        "name": (
            "Massage voucher for a moved appointment",
            "Voucher pentru masaj după o programare mutată",
        ),
        "offer": (
            "A voucher for a free massage or another service of the centre.",
            "Un voucher pentru un masaj gratuit sau pentru un alt serviciu al centrului.",
        ),
        "apology_script": (
            "I'm sorry we moved your appointment without warning — that's not how we want to treat you. Please accept this voucher for a massage or any other service of ours.",
            "Îmi pare rău că v-am mutat programarea fără să vă anunțăm — nu așa vrem să ne purtăm cu dumneavoastră. Vă rog să primiți acest voucher pentru un masaj sau pentru orice alt serviciu al nostru.",
        ),
    },
    "out-of-pocket": {
        "name": (
            "Reimburse out-of-pocket costs, no receipt",
            "Rambursarea cheltuielilor proprii, fără bon",
        ),
        "offer": (
            "What you paid out of pocket because of us (taxi, transport), back now — no receipt needed.",
            "Ce ați plătit din buzunar din cauza noastră (taxi, transport) vă dăm înapoi acum — nu e nevoie de bon.",
        ),
        "apology_script": (
            "I'm sorry you had to pay for our mistake. Here is what it cost you — no receipt needed, your word is enough.",
            "Îmi pare rău că a trebuit să plătiți pentru greșeala noastră. Poftiți cât v-a costat — nu e nevoie de bon, cuvântul dumneavoastră este suficient.",
        ),
    },
}

# Tier names as shipped in 0002, and their Romanian.
SHIPPED_TIERS = {"New": "Nou", "Regular": "Constant", "Loyal": "Fidel"}


def _draft_document(apps) -> dict:
    """The draft as `compensation.policy.draft_document` builds it, from this migration's models.

    Employee authorities, customer limits and budgets are empty: a version is
    only published here when none exist (see `add_romanian_texts`).
    """
    TenureTier = apps.get_model("compensation", "TenureTier")
    Playbook = apps.get_model("compensation", "Playbook")
    Multiplier = apps.get_model("compensation", "PlaybookTierMultiplier")
    RoleAuthority = apps.get_model("compensation", "RoleAuthority")
    multipliers = {}
    for row in Multiplier.objects.all():
        multipliers.setdefault(row.playbook_id, {})[str(row.tier_id)] = str(row.multiplier)
    playbooks = []
    for playbook in Playbook.objects.order_by("sort_order", "name", "id"):
        entry = {"id": playbook.id}
        for name in PLAYBOOK_FIELDS:
            value = getattr(playbook, name)
            if name == "categories" and not value:
                continue  # suits every failure: left out, as the app leaves it out
            if name in NOTHING_BOUGHT_DEFAULTS and value == NOTHING_BOUGHT_DEFAULTS[name]:
                continue  # the floor when nothing was bought: left out, as the app leaves it out
            entry[name] = str(value) if isinstance(value, Decimal) else value
        entry["multipliers"] = multipliers.get(playbook.id, {})
        playbooks.append(entry)
    return {
        "tiers": [
            {
                "id": t.id,
                "name": t.name,
                **{key: getattr(t, key) for key in TIER_TRANSLATIONS},
                "min_months": t.min_months,
                "multiplier": str(t.multiplier),
            }
            for t in TenureTier.objects.order_by("min_months")
        ],
        "playbooks": playbooks,
        "role_authorities": {row.role: str(row.limit) for row in RoleAuthority.objects.order_by("role")},
        "employee_authorities": {},
        "customer_limits": [],
        "location_budgets": {},
    }


def _without_translations(document: dict) -> dict:
    """`document` as `policy_publish` compares it (`with_blank_translations`), without the translated texts."""
    from compensation.documents import TRANSLATED_TEXT_FIELDS, TRANSLATED_TIER_FIELDS, with_blank_translations

    document = with_blank_translations(document)
    return document | {
        "playbooks": [
            {name: value for name, value in entry.items() if name not in TRANSLATED_TEXT_FIELDS}
            for entry in document.get("playbooks", [])
        ],
        "tiers": [
            {name: value for name, value in tier.items() if name not in TRANSLATED_TIER_FIELDS}
            for tier in document.get("tiers", [])
        ],
    }


def _texts_are_shipped(document: dict) -> bool:
    """The version's playbooks are the shipped ones, with the shipped English and no Romanian."""
    playbooks = document.get("playbooks", [])
    if sorted(entry.get("code") for entry in playbooks) != sorted(SHIPPED):
        return False
    return all(
        entry.get(field) == SHIPPED[entry["code"]][field][0] and not entry.get(f"{field}_ro")
        for entry in playbooks
        for field in TEXTS
    )


def _translate_tiers(apps, now) -> None:
    TenureTier = apps.get_model("compensation", "TenureTier")
    HistoricalTenureTier = apps.get_model("compensation", "HistoricalTenureTier")
    for tier in TenureTier.objects.filter(name__in=list(SHIPPED_TIERS), name_ro="").order_by("pk"):
        tier.name_ro = SHIPPED_TIERS[tier.name]
        tier.save()
        HistoricalTenureTier.objects.create(
            **{field.attname: getattr(tier, field.attname) for field in TenureTier._meta.concrete_fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user=None,
        )


def _translate_draft(apps, now) -> None:
    Playbook = apps.get_model("compensation", "Playbook")
    HistoricalPlaybook = apps.get_model("compensation", "HistoricalPlaybook")
    for playbook in Playbook.objects.filter(code__in=list(SHIPPED)).order_by("pk"):
        changed = False
        for field in TEXTS:
            english, romanian = SHIPPED[playbook.code][field]
            if getattr(playbook, field) == english and not getattr(playbook, f"{field}_ro").strip():
                setattr(playbook, f"{field}_ro", romanian)
                changed = True
        if not changed:
            continue
        playbook.save()
        # The history signal belongs to the live model, not this migration's: record the change by hand.
        HistoricalPlaybook.objects.create(
            **{field.attname: getattr(playbook, field.attname) for field in Playbook._meta.concrete_fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user=None,
        )


def _journal_publish(apps, version, document, now) -> None:
    """Append "policy.published" to the policy chain, as `policy_publish` does through `journal_append`.

    The entry is this migration's model (the live one may have columns the
    database does not have yet), hashed by the journal's own functions.
    """
    from compensation.journal import GENESIS, POLICY_CHAIN, canonical_content, entry_hash
    from compensation.journal import _plain as journal_plain

    AuditEvent = apps.get_model("compensation", "AuditEvent")
    head = AuditEvent.objects.filter(chain=POLICY_CHAIN).order_by("-sequence").values_list("sequence", "hash").first()
    sequence, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
    payload = {
        "number": version.number,
        "effective_at": now,
        "reason": REASON,
        "document_sha256": hashlib.sha256(
            json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest(),
        "restores": None,
    }
    event = AuditEvent(
        chain=POLICY_CHAIN,
        sequence=sequence,
        kind="policy.published",
        subject_type="policy_version",
        subject_id=version.pk,
        location_id=None,
        actor=None,
        actor_username="system",
        at=now,
        payload=journal_plain(payload),
        prev_hash=prev_hash,
    )
    event.hash = entry_hash(prev_hash=prev_hash, content=canonical_content(event))
    event.save()


def add_romanian_texts(apps, schema_editor):
    PolicyVersion = apps.get_model("compensation", "PolicyVersion")
    EmployeeAuthority = apps.get_model("compensation", "EmployeeAuthority")
    CustomerLimit = apps.get_model("compensation", "CustomerLimit")
    LocationBudget = apps.get_model("compensation", "LocationBudget")
    now = timezone.now()
    latest = PolicyVersion.objects.order_by("-number").first()
    publish = (
        latest is not None
        and latest.effective_at <= now
        and _texts_are_shipped(latest.document)
        and not (EmployeeAuthority.objects.exists() or CustomerLimit.objects.exists() or LocationBudget.objects.exists())
        and _without_translations(_draft_document(apps)) == _without_translations(latest.document)
    )
    _translate_draft(apps, now)
    _translate_tiers(apps, now)
    if not publish:
        return
    document = _draft_document(apps)
    version = PolicyVersion.objects.create(
        number=latest.number + 1,
        effective_at=now,
        reason=REASON,
        document=document,
        published_by=None,
        published_by_username="system",
        published_at=now,
        restores=None,
    )
    _journal_publish(apps, version, document, now)


class Migration(migrations.Migration):
    dependencies = [("compensation", "0014_playbook_nothing_bought")]

    operations = [migrations.RunPython(add_romanian_texts, migrations.RunPython.noop)]
