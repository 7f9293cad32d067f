"""Who may do what with customers, failures and grants (django-rules).

Object predicates receive `None` on list and create checks, so each one says
what it means without an object.

Predicates take the objects they judge and read only their attributes; the one
query here, the employee's locations, goes through `compensation.models.Location`.
This module never imports `recovery.models`: the models import it to declare
their `rules_permissions`, so importing them back would be a cycle.
"""

import rules

from compensation.models import Location
from compensation.predicates import is_auditor, is_frontline, is_manager, is_ops, sees_every_location


def location_ids_of(user) -> frozenset[int]:
    """The locations an employee works at, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_location_ids_cache"):
        remember_location_ids(user, locations_of(user).values_list("id", flat=True))
    return user._location_ids_cache


def locations_of(user):
    """The active locations an employee works at (a QuerySet of `Location`)."""
    return Location.objects.filter(staff__user=user, is_active=True)


def remember_location_ids(user, ids) -> None:
    """Cache the employee's location ids on the user object, for `location_ids_of`."""
    user._location_ids_cache = frozenset(ids)


@rules.predicate
def works_at_record_location(user, record) -> bool:
    """The record (grant, failure) belongs to one of the employee's locations."""
    if record is None:
        return False
    return record.location_id in location_ids_of(user)


@rules.predicate
def works_at_location(user, location) -> bool:
    """The employee works at this location. Without one (the nav link) it does not decide:
    the counter pages check the location they serve, like the Counter link."""
    if location is None:
        return True
    return location.pk in location_ids_of(user)


@rules.predicate
def granted_it(user, grant) -> bool:
    return grant is not None and grant.granted_by_id == user.id


@rules.predicate
def requested_it(user, escalation) -> bool:
    return escalation is not None and escalation.requested_by_id == user.id


@rules.predicate
def is_flagged_employee(user, flag) -> bool:
    """The flag concerns the user's own grants or voids."""
    return flag is not None and flag.employee_id == user.id


# Frontline and managers serve customers at the counter; ops work on policy.
can_use_counter = is_frontline | is_manager
can_view_audit = is_manager | sees_every_location
can_review_location_record = sees_every_location | (is_manager & works_at_record_location)
can_view_grant = can_review_location_record | granted_it
can_void_grant = is_manager & works_at_record_location
# An escalation is decided by a manager of its location, never by the one who asked.
can_view_escalations = is_manager | sees_every_location
can_view_escalation = can_review_location_record | requested_it
# Without an escalation: the user decides escalations at all (managers, for their own locations), so they
# land on "Needs you now" and the header counts what waits for them.
decides_escalations = is_manager
can_decide_escalation = decides_escalations & works_at_record_location & ~requested_it
# Anomaly flags are reviewed by a manager of the flagged location (auditors and ops only read them),
# never by the employee the flag is about: nobody clears their own flag.
can_review_anomaly = is_manager & works_at_record_location & ~is_flagged_employee
# Detection runs from cron; managers and ops may also run it now. Auditors only read.
can_run_anomaly_checks = is_manager | is_ops
# Outgoing webhooks: ops add subscribers and send a failed delivery again; auditors read; nobody else sees them.
can_view_webhooks = is_ops | is_auditor
can_change_webhooks = is_ops
# A voucher is redeemed by counter staff at the counter where they work, whichever location issued it.
can_redeem_voucher = can_use_counter & works_at_location
# One failure, many customers (incidents): a manager of the location or ops log and decide them; auditors read.
can_view_incidents = is_manager | sees_every_location
can_log_incidents = is_manager | is_ops
can_act_on_incident = is_ops | (is_manager & works_at_record_location)

rules.add_perm("recovery.use_counter", can_use_counter)
rules.add_perm("recovery.view_audit", can_view_audit)
rules.add_perm("recovery.void_grant", can_void_grant)
rules.add_perm("recovery.review_grant", can_review_location_record)
rules.add_perm("recovery.view_escalations", can_view_escalations)
rules.add_perm("recovery.decide_escalation", can_decide_escalation)
rules.add_perm("recovery.view_needs_you", decides_escalations)
rules.add_perm("recovery.review_anomaly", can_review_anomaly)
rules.add_perm("recovery.run_anomaly_checks", can_run_anomaly_checks)
rules.add_perm("recovery.redeem_voucher", can_redeem_voucher)
# Visits in by CSV are an ops task (the API is the integrations' door); what recovery buys is read by
# those who review grants (managers for their locations, ops and auditors for all).
rules.add_perm("recovery.import_visits", is_ops)
rules.add_perm("recovery.view_effect", can_view_audit)
# Experiments (which playbook the counter suggests per case): ops start and stop them; those who review
# grants read the comparison (managers for their locations' cases); frontline only meet the suggestion.
can_view_experiments = can_view_audit
can_run_experiments = is_ops
rules.add_perm("recovery.view_incidents", can_view_incidents)
rules.add_perm("recovery.log_incident", can_log_incidents)
rules.add_perm("recovery.review_incident", can_review_location_record)
rules.add_perm("recovery.act_on_incident", can_act_on_incident)


@rules.predicate
def is_tenure_trusted_token(user) -> bool:
    """An integration whose token ops explicitly allowed to send a customer's tenure (a trusted CRM).

    Read through the user's reverse one-to-one (`user.api_token`), so this
    module still never imports `recovery.models`. A revoked token's user is
    inactive and never gets this far.
    """
    token = getattr(user, "api_token", None) if user.is_authenticated else None
    return bool(token is not None and token.may_set_tenure and token.revoked_at is None)


@rules.predicate
def is_status_trusted_token(user) -> bool:
    """An integration whose token ops explicitly allowed to set a customer's programme status (a trusted CRM).

    Read as `is_tenure_trusted_token`: a status raises the customer's tier, so it is off unless ops say so.
    """
    token = getattr(user, "api_token", None) if user.is_authenticated else None
    return bool(token is not None and token.may_set_status and token.revoked_at is None)
