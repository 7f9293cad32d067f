"""Who is who: role predicates shared by every app.

Roles are Django groups. Note that `is_group_member("a", "b")` means member of
*all* listed groups, so alternatives are always combined with `|`.
"""

import rules

FRONTLINE = "frontline"
MANAGER = "manager"
OPS = "ops"
# Auditors read every location's audit, flags and policy, and change nothing.
AUDITOR = "auditor"
ROLES = (FRONTLINE, MANAGER, OPS, AUDITOR)

is_frontline = rules.is_group_member(FRONTLINE)
is_manager = rules.is_group_member(MANAGER)
is_ops = rules.is_group_member(OPS)
is_auditor = rules.is_group_member(AUDITOR)

# Policy (playbooks, tiers, authority) is read by managers and ops, changed by ops only.
can_view_policy = is_ops | is_manager | is_auditor
can_change_policy = is_ops
# Ops and auditors see every location; managers only their own.
sees_every_location = is_ops | is_auditor


def roles_of(user) -> list[str]:
    """The employee's role names (their groups), as the cap engine's authority lookup takes them."""
    return [group.name for group in user.groups.all()]
