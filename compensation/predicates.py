"""Who is who: role predicates shared by every app.

Roles are Django groups. Note that `is_group_member("a", "b")` means member of
*all* listed groups, so alternatives are always combined with `|`.
"""

import rules

FRONTLINE = "frontline"
MANAGER = "manager"
OPS = "ops"
ROLES = (FRONTLINE, MANAGER, OPS)

is_frontline = rules.is_group_member(FRONTLINE)
is_manager = rules.is_group_member(MANAGER)
is_ops = rules.is_group_member(OPS)

# Policy (playbooks, tiers, authority) is read by managers and ops, changed by ops only.
can_view_policy = is_ops | is_manager
can_change_policy = is_ops


def roles_of(user) -> list[str]:
    """The employee's role names (their groups), as the cap engine's authority lookup takes them."""
    return [group.name for group in user.groups.all()]
