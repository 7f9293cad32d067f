"""Forget API Idempotency-Keys older than their retention (at least 24 hours). Run daily from cron:

15 3 * * *  cd /srv/recovery-desk && .venv/bin/python manage.py prune_idempotency_keys
"""

from django.core.management.base import BaseCommand

from recovery.api.idempotency import idempotency_records_prune, retention


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than API_IDEMPOTENCY_KEY_HOURS (never less than 24 hours)."

    def handle(self, *args, **options):
        deleted = idempotency_records_prune()
        hours = int(retention().total_seconds() // 3600)
        self.stdout.write(f"Deleted {deleted} idempotency key(s) older than {hours} hours.")
