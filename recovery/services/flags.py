"""Rule flags: "a rule stood in my way", raised by an employee and handled by ops.

Flags are how the counter tells ops that a limit or a playbook prevented good
service; ops read them when tuning the policy, and say what they did about each
(the history keeps who raised and who handled a flag; flags write no journal entry).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from compensation.models import Playbook
from compensation.recording import save_with_history
from recovery.domain.errors import RecoveryError
from recovery.models import Location, RuleFlag


def rule_flag_raise(*, actor, location: Location, rule: str, note: str, playbook_id=None, customer=None) -> RuleFlag:
    """Record that a limit or playbook prevented good service, for ops to see when tuning."""
    note = note.strip()
    if not note:
        raise RecoveryError("note", gettext("Note: say what happened and what would have helped the customer."))
    if rule not in RuleFlag.Rule.values:
        raise RecoveryError("rule", gettext("Rule: choose which rule stood in your way."))
    if playbook_id is not None and not Playbook.objects.filter(pk=playbook_id).exists():
        raise RecoveryError("playbook", gettext("Playbook: choose one of the listed playbooks."))
    flag = RuleFlag(
        rule=rule, note=note, playbook_id=playbook_id, customer=customer, location=location, raised_by=actor
    )
    save_with_history(flag, actor=actor)
    return flag


def rule_flag_handle(*, actor, flag_id: int, note: str) -> RuleFlag:
    """Mark a flag handled, saying what ops did about it (changed a limit, explained the rule…)."""
    note = note.strip()
    if not note:
        raise RecoveryError("handled_note", gettext("What was done: say how the flag was handled."))
    with transaction.atomic():
        flag = RuleFlag.objects.select_for_update().get(pk=flag_id)
        if flag.status == RuleFlag.Status.HANDLED:
            raise RecoveryError(
                None, gettext("This flag was already handled by %(person)s.") % {"person": flag.handled_by}
            )
        flag.status = RuleFlag.Status.HANDLED
        flag.handled_by = actor
        flag.handled_at = timezone.now()
        flag.handled_note = note
        save_with_history(flag, actor=actor, reason=note)
    return flag
