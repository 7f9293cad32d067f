"""Russian texts for the eight playbooks and three tenure tiers shipped in 0002, and a version that puts them in force.

The draft gets the Russian name, offer and apology of each shipped playbook
whose English text ops have not reworded (a translation of words that are no
longer there would be wrong) and whose Russian text is still empty; each change
is kept in the playbook's history. The shipped tiers ("New", "Regular",
"Loyal") get their Russian names the same way.

Versions are immutable, so the counter only sees the texts once a version
carries them. A new version is published here only when that publishes nothing
but the translations: the version in force is the newest one (none scheduled),
its playbooks are exactly the shipped ones with the shipped English texts, and
the draft equals it (no pending edits, no limits or budgets added). Otherwise
ops already changed things: only the draft is updated, and ops publish it
when they review it.

Publishing here mirrors `compensation.services.policy_publish` (the next
number, in force now, no author: "system") and appends the same
"policy.published" entry to the audit journal. The service itself cannot be
called from a migration: it works on the live models, which may have columns
this migration's database does not have yet. The entry is hashed with the
journal's own functions, so `verify_audit` checks it like any other.
"""

import hashlib
import json

from django.db import migrations
from django.utils import timezone

REASON = "Russian texts for the default playbooks"
TEXTS = ("name", "offer", "apology_script")
PLAYBOOK_FIELDS = (
    "code", "name", "name_ru", "kind", "offer", "offer_ru", "apology_script", "apology_script_ru",
    "percent", "floor", "ceiling", "voucher_valid_days", "sort_order", "is_active",
)

# code: (English as shipped in 0002, Russian)
SHIPPED = {
    "late-table": {
        "name": ("Appetisers and desserts on the house", "Закуски и десерты за счёт заведения"),
        "offer": (
            "Appetisers and desserts for the whole party, on the house.",
            "Закуски и десерты для всей компании — за счёт заведения.",
        ),
        "apology_script": (
            "I'm sorry you had to wait for the table you booked — that's our fault, not yours. "
            "Starters and desserts for your party are on us tonight.",
            "Простите, что вам пришлось ждать столик, который вы забронировали, — это наша вина, а не ваша. "
            "Закуски и десерты для вашей компании сегодня за наш счёт.",
        ),
    },
    "free-drinks": {
        "name": ("Free drinks while you wait", "Напитки за наш счёт, пока вы ждёте"),
        "offer": (
            "Drinks on the house while the order is finished.",
            "Напитки за счёт заведения, пока готовится заказ.",
        ),
        "apology_script": (
            "I'm sorry this is taking longer than it should. Please have your drinks on us "
            "while I make sure your order comes out right away.",
            "Простите, что всё занимает больше времени, чем должно. Напитки — за наш счёт, "
            "а я прослежу, чтобы ваш заказ вынесли как можно скорее.",
        ),
    },
    "replace-spoiled": {
        "name": ("Replace spoiled goods at once", "Немедленная замена испорченного товара"),
        "offer": (
            "Fresh replacement of the spoiled part of the purchase, right now.",
            "Свежая замена испорченной части покупки — прямо сейчас.",
        ),
        "apology_script": (
            "I'm sorry — this should never have left our shelves. Here is a fresh one, "
            "and thank you for taking the time to come back and tell us.",
            "Простите — такой товар вообще не должен был попасть к вам. Вот свежий, "
            "и спасибо, что нашли время вернуться и сказать нам.",
        ),
    },
    "repeat-repair": {
        "name": (
            "Rental car or free service visit after a repeat repair",
            "Подменный автомобиль или бесплатный визит в сервис после повторного ремонта",
        ),
        "offer": (
            "A free rental car for the repair time, or a voucher for a free service visit.",
            "Бесплатный подменный автомобиль на время ремонта или ваучер на бесплатный визит в сервис.",
        ),
        "apology_script": (
            "I'm sorry your car came back with the same fault — we should have fixed it the first time. "
            "We'll put it right as a priority, and this is yours for the trouble.",
            "Простите, что машина вернулась к вам с той же неисправностью, — мы должны были устранить её "
            "с первого раза. Мы займёмся ею в первую очередь, а это — вам за доставленные неудобства.",
        ),
    },
    "free-month": {
        "name": ("One month of service free", "Месяц обслуживания бесплатно"),
        "offer": (
            "Your next month of service free, and a fast fix of the problem.",
            "Следующий месяц обслуживания бесплатно и быстрое решение проблемы.",
        ),
        "apology_script": (
            "I'm sorry for the technical trouble — it's on us, not you. Your next month is free, "
            "and I've asked for this to be fixed as a priority.",
            "Простите за технические неполадки — это наша ответственность, а не ваша. Следующий месяц "
            "для вас бесплатный, и я передаю заявку, чтобы проблему устранили в первую очередь.",
        ),
    },
    "wait-consultation": {
        "name": ("Free consultation or discount after a wait", "Бесплатная консультация или скидка за ожидание"),
        "offer": (
            "A free consultation with another specialist, or a discount on today's visit.",
            "Бесплатная консультация у другого специалиста или скидка на сегодняшний визит.",
        ),
        "apology_script": (
            "I'm sorry you had to wait past your appointment time — your time matters to us. "
            "Today's visit is on us up to this amount, or I can book you a free consultation.",
            "Простите, что вам пришлось ждать дольше назначенного времени, — ваше время для нас важно. "
            "Сегодняшний визит за наш счёт в пределах этой суммы, или я могу записать вас "
            "на бесплатную консультацию.",
        ),
    },
    "moved-appointment-massage": {
        "name": ("Massage voucher for a moved appointment", "Ваучер на массаж за перенесённую запись"),
        "offer": (
            "A voucher for a free massage or another service of the centre.",
            "Ваучер на бесплатный массаж или другую услугу центра.",
        ),
        "apology_script": (
            "I'm sorry we moved your appointment without warning — that's not how we want to treat you. "
            "Please accept this voucher for a massage or any other service of ours.",
            "Простите, что мы перенесли вашу запись без предупреждения, — мы не хотим так с вами поступать. "
            "Пожалуйста, примите этот ваучер на массаж или любую другую нашу услугу.",
        ),
    },
    "out-of-pocket": {
        "name": ("Reimburse out-of-pocket costs, no receipt", "Возмещение ваших расходов без чека"),
        "offer": (
            "What you paid out of pocket because of us (taxi, transport), back now — no receipt needed.",
            "Всё, что вы потратили из-за нас (такси, транспорт), возвращаем сразу — чек не нужен.",
        ),
        "apology_script": (
            "I'm sorry you had to pay for our mistake. Here is what it cost you — no receipt needed, "
            "your word is enough.",
            "Простите, что вам пришлось платить за нашу ошибку. Вот сколько это вам стоило — чек не нужен, "
            "вашего слова достаточно.",
        ),
    },
}


# Tier names as shipped in 0002, and their Russian.
SHIPPED_TIERS = {"New": "Новый", "Regular": "Постоянный", "Loyal": "Лояльный"}


def _plain(value):
    return value if value is None or isinstance(value, (bool, int, str)) else str(value)


def _draft_document(apps) -> dict:
    """The draft as a version document, built from this migration's models (as 0004 does)."""
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
            entry[name] = _plain(getattr(playbook, name))
        entry["multipliers"] = multipliers.get(playbook.id, {})
        playbooks.append(entry)
    return {
        "tiers": [
            {"id": t.id, "name": t.name, "name_ru": t.name_ru, "min_months": t.min_months, "multiplier": str(t.multiplier)}
            for t in TenureTier.objects.order_by("min_months")
        ],
        "playbooks": playbooks,
        "role_authorities": {row.role: str(row.limit) for row in RoleAuthority.objects.order_by("role")},
        "employee_authorities": {},
        "customer_limits": [],
        "location_budgets": {},
    }


def _without_translations(document: dict) -> dict:
    # Also the later languages' keys (`_ro`, added by 0012): none exist at this migration's state, but the
    # tests run it against today's models, whose documents carry them.
    playbooks = [
        {name: value for name, value in entry.items() if not name.endswith(("_ru", "_ro"))}
        for entry in document.get("playbooks", [])
    ]
    tiers = [
        {name: value for name, value in tier.items() if name not in ("name_ru", "name_ro")}
        for tier in document.get("tiers", [])
    ]
    # The policy currency ("currency", added by 0020) is left out too: this migration's draft never names it.
    rest = {name: value for name, value in document.items() if name != "currency"}
    return {**rest, "playbooks": playbooks, "tiers": tiers}


def _texts_are_shipped(document: dict) -> bool:
    """The version's playbooks are the shipped ones, with the shipped English and no Russian."""
    playbooks = document.get("playbooks", [])
    if sorted(entry.get("code") for entry in playbooks) != sorted(SHIPPED):
        return False
    return all(
        entry.get(field) == SHIPPED[entry["code"]][field][0] and not entry.get(f"{field}_ru")
        for entry in playbooks
        for field in TEXTS
    )


def _translate_tiers(apps, now) -> None:
    TenureTier = apps.get_model("compensation", "TenureTier")
    HistoricalTenureTier = apps.get_model("compensation", "HistoricalTenureTier")
    for tier in TenureTier.objects.filter(name__in=list(SHIPPED_TIERS), name_ru="").order_by("pk"):
        tier.name_ru = SHIPPED_TIERS[tier.name]
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
            english, russian = SHIPPED[playbook.code][field]
            if getattr(playbook, field) == english and not getattr(playbook, f"{field}_ru").strip():
                setattr(playbook, f"{field}_ru", russian)
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
    """Append "policy.published" to the policy chain, as `policy_publish` does through `journal_append`."""
    from compensation.journal import GENESIS, POLICY_CHAIN, _content, _plain as journal_plain, entry_hash

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
    event.hash = entry_hash(prev_hash=prev_hash, content=_content(event))
    event.save()


def add_russian_texts(apps, schema_editor):
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
    dependencies = [("compensation", "0009_playbook_russian_texts")]

    operations = [migrations.RunPython(add_russian_texts, migrations.RunPython.noop)]
