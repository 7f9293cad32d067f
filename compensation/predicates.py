"""Who is who: role predicates shared by every app.

Roles are Django groups, read once per request: `role_names_of` caches the
user's group names on the user object, and both the role predicates and
`roles_of` (the cap engine's authority lookup) use that one read. Alternatives
are combined with `|` (a user with two roles passes either).
"""

import rules
from django.conf import settings

FRONTLINE = "frontline"
MANAGER = "manager"
OPS = "ops"
# Auditors read every location's audit, flags and policy, and change nothing.
AUDITOR = "auditor"
ROLES = (FRONTLINE, MANAGER, OPS, AUDITOR)


def role_names_of(user) -> frozenset[str]:
    """The user's group names, queried once and cached on the user object for the request.

    One query serves every permission check and the authority lookup of a grant
    (`rules.is_group_member` would query again, under its own cache).
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if not hasattr(user, "_role_names_cache"):
        user._role_names_cache = frozenset(user.groups.values_list("name", flat=True))
    return user._role_names_cache


def remember_role_names(user, names) -> None:
    """Cache the user's group names, read by another query that needed them too (one round trip fewer)."""
    user._role_names_cache = frozenset(names)


def has_role(role: str) -> rules.Predicate:
    @rules.predicate(f"is_{role}")
    def member(user) -> bool:
        return role in role_names_of(user)

    return member


is_frontline = has_role(FRONTLINE)
is_manager = has_role(MANAGER)
is_ops = has_role(OPS)
is_auditor = has_role(AUDITOR)

# Policy (playbooks, tiers, authority) is read by managers and ops, changed by ops only.
can_view_policy = is_ops | is_manager | is_auditor
can_change_policy = is_ops
# Ops and auditors see every location; managers only their own.
sees_every_location = is_ops | is_auditor


def roles_of(user) -> list[str]:
    """The employee's role names (their groups), as the cap engine's authority lookup takes them."""
    return sorted(role_names_of(user))


@rules.predicate
def must_use_two_step(user) -> bool:
    """The user's role requires a second factor at sign-in (`MFA_REQUIRED_ROLES`, e.g. ops and managers).

    Read at each call, not at import, so a deployment (or a test) decides. Anyone may
    enrol; this only decides who may not work without it.
    """
    required = getattr(settings, "MFA_REQUIRED_ROLES", ())
    return bool(required) and not role_names_of(user).isdisjoint(required)
