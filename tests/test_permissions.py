"""Who may open which page: an access matrix generated from the URL resolver.

Every named, non-admin URL must have a row in EXPECTED (a new page fails
`test_every_url_has_an_expected_row` until its access is decided). Each cell
(URL name x method x role) is its own test id, e.g.
`test_access_matrix[audit-GET-frontline]`.

A cell is either a status code, or `Redirect(...)` (a 302 whose Location must
start with the given path). Anonymous users are sent to /login/ by
LoginRequiredMiddleware before any view decorator runs, so even a wrong method
answers with the login redirect for them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from compensation.models import Playbook
from compensation.predicates import roles_of
from recovery import services
from recovery.api.services import api_token_create
from recovery.domain.surveys import survey_link_token
from recovery.models import (
    AnomalyFlag,
    ApiToken,
    Customer,
    Escalation,
    Experiment,
    Grant,
    Incident,
    Location,
    RuleFlag,
    WebhookDelivery,
)
from recovery.services.incidents import incident_attach, incident_log
from recovery.services.webhooks import emit_event, webhook_subscriber_add
from recovery.vouchers import voucher_link_token
from tests import factories
from tests.conftest import client_for

ANON, FRONTLINE, MANAGER, OPS, AUDITOR = "anonymous", "frontline", "manager", "ops", "auditor"
ROLES = (ANON, FRONTLINE, MANAGER, OPS, AUDITOR)


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with `to`."""

    to: str

    def __repr__(self):
        return f"302→{self.to}"


TO_LOGIN = Redirect("/login/?next=")


def every(status, *, anonymous=TO_LOGIN):
    """The same outcome for every signed-in role; anonymous goes to the login page."""
    return {ANON: anonymous, FRONTLINE: status, MANAGER: status, OPS: status, AUDITOR: status}


def counter_page(ok=200):
    """Frontline and managers serve at the counter; ops and auditors do not."""
    return {ANON: TO_LOGIN, FRONTLINE: ok, MANAGER: ok, OPS: 403, AUDITOR: 403}


def audit_page(ok=200):
    """Managers, ops and auditors review grants; frontline do not."""
    return {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: ok, OPS: ok, AUDITOR: ok}


def ops_page(ok=200):
    """Ops tune the policy; managers and auditors read it; frontline do not see it."""
    return {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: ok, OPS: ok, AUDITOR: ok}


def ops_action(ok):
    """Only ops change the policy; managers and auditors are read-only."""
    return {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: 403, OPS: ok, AUDITOR: 403}


def webhook_page(ok=200):
    """Ops change webhooks; auditors read them; frontline and managers do not see them."""
    return {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: 403, OPS: ok, AUDITOR: ok}


def incident_action(ok):
    """Managers (of the incident's location) and ops act on incidents; auditors only read them."""
    return {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: ok, OPS: ok, AUDITOR: 403}


# URL name -> method -> role -> expected outcome.
# The grant in the URL was made at "central" by the central frontline user.
EXPECTED: dict[str, dict[str, dict[str, object]]] = {
    # Auth pages: the login page is the one page open to everyone.
    "login": {"GET": every(200, anonymous=200), "POST": every(200, anonymous=200)},  # empty form re-rendered
    "healthz": {"GET": every(200, anonymous=200), "POST": every(405, anonymous=405)},
    "logout": {"GET": every(405), "POST": every(Redirect("/login/"))},
    # Two-step sign-in: every signed-in employee may turn it on (a wrong code is sent back, 422) and off.
    # Nobody in the matrix has an app: "off" goes back to the page, the code step on to the next page.
    "two_step": {"GET": every(200), "POST": every(422)},
    "two_step_off": {"GET": every(405), "POST": every(Redirect("/account/two-step/"))},
    "two_step_verify": {"GET": every(Redirect("/")), "POST": every(Redirect("/"))},
    # The language switch: open to everyone (the login page offers it), POST only, back to `next`.
    "language_switch": {
        "GET": every(405, anonymous=405),
        "POST": every(Redirect("/audit/"), anonymous=Redirect("/audit/")),
    },
    # home: require_GET, then each role to where its work is.
    "home": {
        "GET": {
            ANON: TO_LOGIN,
            FRONTLINE: Redirect("/counter/"),
            MANAGER: Redirect("/needs/"),
            OPS: Redirect("/audit/"),
            AUDITOR: Redirect("/audit/"),
        },
        "POST": every(405),
    },
    # A manager's landing page: what waits for them now. Only those who decide escalations (managers).
    "needs_you": {
        "GET": {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: 200, OPS: 403, AUDITOR: 403},
        "POST": every(405),
    },
    # Counter (screen 1): require_GET outside the permission check, so POST is 405 even for ops.
    "counter": {"GET": counter_page(), "POST": every(405)},
    "counter_location_choose": {"GET": every(405), "POST": counter_page(Redirect("/counter/"))},
    "customer_add": {"GET": every(405), "POST": counter_page(Redirect("/counter/customers/"))},
    # Screen 2: GET and POST both accepted.
    "counter_resolve": {"GET": counter_page(), "POST": counter_page(Redirect("/counter/grants/"))},
    "counter_quotes": {"GET": counter_page(), "POST": every(405)},
    # Screen 3 is guarded by `recovery.view_grant` (ops | manager of the location | the grantor),
    # not by the counter permission: ops may open a grant's page and slip like its audit page.
    "counter_granted": {"GET": every(200), "POST": every(405)},
    "grant_slip": {"GET": every(200), "POST": every(405)},
    "my_grants": {"GET": counter_page(), "POST": every(405)},
    # Audit.
    "audit": {"GET": audit_page(), "POST": every(405)},
    "audit_export": {"GET": audit_page(), "POST": every(405)},
    "audit_timeline_export": {"GET": audit_page(), "POST": every(405)},
    "audit_detail": {"GET": audit_page(), "POST": every(405)},
    # Void: require_POST; only a manager of the grant's location may void.
    "grant_void": {
        "GET": every(405),
        "POST": {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: Redirect("/audit/grants/"), OPS: 403, AUDITOR: 403},
    },
    # Above a limit: the counter records an escalation and follows it; a manager of the location decides.
    "counter_escalate": {"GET": every(405), "POST": counter_page(Redirect("/counter/escalations/"))},
    # The escalation in the URL was requested at "central" by the central frontline user.
    "escalation_status": {"GET": every(200), "POST": every(405)},
    # Its audit story: reviewers only (the employee who asked follows it on the page above).
    "escalation_audit": {"GET": audit_page(), "POST": every(405)},
    "rule_flag_raise": {"GET": every(405), "POST": counter_page(Redirect("/counter/"))},
    # Vouchers redeem at the counter where the employee serves (the voucher in the URL was granted at "central").
    "voucher_redeem": {"GET": counter_page(), "POST": counter_page(Redirect("/counter/vouchers/?code="))},
    # The customer's voucher page: no login, the signed link is the key; require_GET for everyone.
    "voucher_public": {"GET": every(200, anonymous=200), "POST": every(405, anonymous=405)},
    # The customer's follow-up (issue 18): no login, the signed link is the key; anyone holding it answers
    # once (the answer sent back to the page's thank-you), signed in or not.
    "survey_public": {
        "GET": every(200, anonymous=200),
        "POST": every(Redirect("/s/"), anonymous=Redirect("/s/")),
    },
    "escalations": {"GET": audit_page(), "POST": every(405)},
    # Budgets spent and remaining this month: managers (their locations) and ops.
    "budgets": {"GET": audit_page(), "POST": every(405)},
    # Insights: the dashboard and the monthly report, managers for their locations, ops and auditors all.
    "insights": {"GET": audit_page(), "POST": every(405)},
    "insights_report": {"GET": audit_page(), "POST": every(405)},
    # "Compute again" on a report's "What recovery bought": the report's own readers, for their locations.
    "insights_report_compute": {"GET": every(405), "POST": audit_page(Redirect("/insights/report/?location="))},
    # What recovery buys (issue 18): those who review grants, managers for their locations.
    "recovery_effect": {"GET": audit_page(), "POST": every(405)},
    # "Compute again": every reader of the figures may ask for fresh ones (for the locations they see).
    "recovery_effect_compute": {"GET": every(405), "POST": audit_page(Redirect("/insights/effect/"))},
    "escalation_decide": {
        "GET": every(405),
        "POST": {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: Redirect("/escalations/"), OPS: 403, AUDITOR: 403},
    },
    # Anomaly flags: managers (their locations), ops and auditors read; a manager of the flag's location
    # reviews (the flag in the URL is at "central" and concerns the central frontline user).
    "anomalies": {"GET": audit_page(), "POST": every(405)},
    "anomaly_review": {
        "GET": every(405),
        "POST": {ANON: TO_LOGIN, FRONTLINE: 403, MANAGER: Redirect("/audit/anomalies/"), OPS: 403, AUDITOR: 403},
    },
    # Cron runs the checks; managers and ops may also run them now, auditors only read.
    "anomaly_checks_run": {
        "GET": every(405),
        "POST": {
            ANON: TO_LOGIN,
            FRONTLINE: 403,
            MANAGER: Redirect("/audit/anomalies/"),
            OPS: Redirect("/audit/anomalies/"),
            AUDITOR: 403,
        },
    },
    # Ops section: managers read, ops change.
    "ops_home": {"GET": ops_page(), "POST": every(405)},
    "ops_draft_add": {"GET": ops_action(200), "POST": ops_action(Redirect("/ops/"))},
    "ops_draft_edit": {"GET": ops_action(200), "POST": ops_action(Redirect("/ops/"))},
    "ops_publish": {"GET": ops_page(), "POST": ops_action(Redirect("/ops/versions/"))},
    # The policy's amounts in another currency (issue 17): managers and auditors read, ops state them.
    "ops_currency_amounts": {"GET": ops_page(), "POST": ops_action(Redirect("/ops/"))},
    "ops_versions": {"GET": ops_page(), "POST": every(405)},
    "ops_version": {"GET": ops_page(), "POST": every(405)},
    "ops_version_rollback": {"GET": every(405), "POST": ops_action(Redirect("/ops/versions/"))},
    "ops_simulator": {"GET": ops_page(), "POST": every(405)},
    "ops_replay": {"GET": ops_page(), "POST": every(405)},
    "ops_flags": {"GET": ops_page(), "POST": every(405)},
    "ops_flag_handle": {"GET": every(405), "POST": ops_action(Redirect("/ops/flags/"))},
    # Integration tokens: ops create (the answer shows the secret once) and revoke; managers and auditors read.
    "ops_integrations": {"GET": ops_page(), "POST": ops_action(200)},
    "ops_integration_revoke": {"GET": every(405), "POST": ops_action(Redirect("/ops/integrations/"))},
    # Outgoing webhooks: ops add subscribers, roll secrets, switch them and send a failed delivery again;
    # auditors read; frontline and managers are refused.
    "ops_webhooks": {"GET": webhook_page(), "POST": ops_action(200)},
    "ops_webhook_secret_roll": {"GET": every(405), "POST": ops_action(200)},
    "ops_webhook_active": {"GET": every(405), "POST": ops_action(Redirect("/ops/webhooks/"))},
    "ops_webhook_deliveries": {"GET": webhook_page(), "POST": every(405)},
    "ops_webhook_replay": {"GET": every(405), "POST": ops_action(Redirect("/ops/webhooks/deliveries/"))},
    # Visits in by CSV: ops only (the form with its dry run, and the report; an empty POST is refused, 422).
    "ops_visit_import": {"GET": ops_action(200), "POST": ops_action(422)},
    # A customer's programme status: ops only (an empty POST is refused, 422, naming the fields).
    "ops_customer_status": {"GET": ops_action(200), "POST": ops_action(422)},
    # Experiments (issue 18): ops start and stop them; managers and auditors read the list and the comparison;
    # frontline only meet the counter's suggestion.
    "ops_experiments": {"GET": ops_page(), "POST": ops_action(Redirect("/ops/experiments/"))},
    "ops_experiment": {"GET": ops_page(), "POST": every(405)},
    "ops_experiment_stop": {"GET": every(405), "POST": ops_action(Redirect("/ops/experiments/"))},
    # Incidents (one failure, many customers): a manager of the location and ops log, attach and decide;
    # auditors read; frontline do not. The incident in the URL is at "central", the matrix customer attached.
    "incidents": {"GET": audit_page(), "POST": every(405)},
    "incident_new": {"GET": incident_action(200), "POST": incident_action(Redirect("/incidents/"))},
    "incident_detail": {"GET": audit_page(), "POST": every(405)},
    "incident_attach": {"GET": every(405), "POST": incident_action(Redirect("/incidents/"))},
    "incident_grant": {"GET": every(405), "POST": incident_action(Redirect("/incidents/"))},
}

# The integration API (/api/v1/) authenticates with bearer tokens, never a session, so this
# session-role matrix does not apply: tests/api/test_access.py checks every API URL per token role.
API_PREFIX = "api/"


# --- the resolver ------------------------------------------------------------------


def _is_admin(resolver: URLResolver) -> bool:
    return resolver.namespace == "admin" or str(resolver.pattern) == "admin/"


def walk_urls(patterns=None, prefix="", converters=None):
    """(name, route, path kwargs) of every named URL outside the admin, recursively."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    converters = converters or {}
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if _is_admin(entry):
                continue
            yield from walk_urls(
                entry.url_patterns,
                prefix + str(entry.pattern),
                {**converters, **getattr(entry.pattern, "converters", {})},
            )
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = {**converters, **getattr(entry.pattern, "converters", {})}
            yield entry.name, prefix + str(entry.pattern), tuple(sorted(kwargs))


RESOLVED = {name: (route, kwargs) for name, route, kwargs in walk_urls() if not route.startswith(API_PREFIX)}


def test_resolver_walk_finds_the_known_pages():
    """Guard the walker itself: it sees nested includes and their converters, and skips the admin."""
    assert RESOLVED["counter_resolve"] == ("counter/customers/<int:customer_id>/resolve/", ("customer_id",))
    assert RESOLVED["grant_void"] == ("audit/grants/<int:grant_id>/void/", ("grant_id",))
    assert RESOLVED["login"] == ("login/", ())
    assert not any(route.startswith("admin/") for route, _ in RESOLVED.values())
    assert len(RESOLVED) >= 14


def test_every_url_has_an_expected_row():
    missing = sorted(set(RESOLVED) - set(EXPECTED))
    assert not missing, f"Add these URL names to EXPECTED in tests/test_permissions.py: {missing}"


def test_expected_has_no_stale_rows_and_covers_every_role():
    assert sorted(set(EXPECTED) - set(RESOLVED)) == []
    for name, methods in EXPECTED.items():
        assert "GET" in methods, name
        for method, cells in methods.items():
            assert set(cells) == set(ROLES), (name, method)


# --- the world the matrix runs in ---------------------------------------------------


@dataclass
class World:
    users: dict
    customer: Customer
    grant: Grant
    location_id: int
    escalation: Escalation
    flag: RuleFlag
    playbook: Playbook
    anomaly: AnomalyFlag
    token: ApiToken
    experiment: Experiment
    incident: Incident
    voucher: Grant | None = None  # made on first use (only the voucher pages need one)
    delivery: WebhookDelivery | None = None  # a failed delivery, made on first use (the webhook pages)


@pytest.fixture
def world(central, frontline, manager, ops, auditor):
    customer = factories.make_customer("Matrix Customer", phone="+447700900555")
    grant = factories.grant_for(frontline, central, customer)
    drinks = factories.playbook("free-drinks")
    # Version 2 differs from version 1 (so a rollback has work), and the draft differs from version 2.
    drinks.ceiling = Decimal("30.00")
    drinks.save()
    factories.publish("Matrix: version 2")
    drinks.ceiling = Decimal("35.00")
    drinks.save()
    escalation = services.escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=factories.grant_request(customer, central, amount="500.00"),
        reason="Matrix: above the cap",
    )
    flag = services.rule_flag_raise(actor=frontline, location=central, rule="playbook_cap", note="Matrix flag")
    anomaly = AnomalyFlag.objects.create(
        kind=AnomalyFlag.Kind.NEW_CUSTOMER,
        location=central,
        grant=grant,
        customer=customer,
        employee=frontline,
        reason="Matrix: granted minutes after the customer was created",
        dedupe_key=f"matrix:g{grant.pk}",
    )
    token = api_token_create(actor=ops, name="Matrix till", location=central, role="frontline").token
    # On a category the browser walks never choose ("Waiting or delay" is theirs): a draw there would ask the
    # employee for a reason whenever it picked the other playbook.
    experiment = factories.experiment(ops, "Matrix experiment", "staff_behaviour", ["replace-spoiled", "out-of-pocket"])
    incident = incident_log(
        actor=manager,
        location=central,
        title="Matrix: card terminals down",
        category="waiting",
        happened_at=timezone.now() - timedelta(hours=1),
        playbook_id=drinks.pk,
        purchase_value=Decimal("0"),
    )
    incident_attach(actor=manager, incident=incident, customers=[customer], source="search")
    return World(
        users={ANON: None, FRONTLINE: frontline, MANAGER: manager, OPS: ops, AUDITOR: auditor},
        customer=customer,
        grant=grant,
        location_id=central.pk,
        escalation=escalation,
        flag=flag,
        playbook=drinks,
        anomaly=anomaly,
        token=token,
        experiment=experiment,
        incident=incident,
    )


def voucher_of(world: World) -> Grant:
    """A voucher granted at "central" by the central frontline user, made once per world."""
    if world.voucher is None:
        world.voucher = factories.grant_for(
            world.users[FRONTLINE], Location.objects.get(pk=world.location_id), world.customer, code="repeat-repair"
        )
    return world.voucher


def delivery_of(world: World) -> WebhookDelivery:
    """A failed webhook delivery (to a closed local port: a replay fails fast), made once per world."""
    if world.delivery is None:
        subscriber = webhook_subscriber_add(
            actor=world.users[OPS], url="http://127.0.0.1:9/matrix", description="Matrix", events=["survey.answered"]
        ).subscriber
        emit_event("survey.answered", {"matrix": True}, key="matrix")
        world.delivery = WebhookDelivery.objects.get(subscriber=subscriber)
        WebhookDelivery.objects.filter(pk=world.delivery.pk).update(status="failed", attempts=6, next_attempt_at=None)
    return world.delivery


PATH_KWARGS = {
    "customer_id": lambda world: world.customer.pk,
    "grant_id": lambda world: world.grant.pk,
    "escalation_id": lambda world: world.escalation.pk,
    "flag_id": lambda world: world.flag.pk,
    "kind": lambda world: "playbook",
    "pk": lambda world: world.playbook.pk,
    "number": lambda world: 1,
    "anomaly_id": lambda world: world.anomaly.pk,
    "token_id": lambda world: world.token.pk,
    "experiment_id": lambda world: world.experiment.pk,
    "incident_id": lambda world: world.incident.pk,
    "token": lambda world: voucher_link_token(voucher_of(world).voucher_code),
    "subscriber_id": lambda world: delivery_of(world).subscriber_id,
    "delivery_id": lambda world: delivery_of(world).pk,
    "survey_token": lambda world: survey_link_token(world.grant.pk),
    "currency": lambda world: "JPY",
}


def playbook_form(code: str) -> dict:
    return {
        "code": code,
        "name": "Matrix playbook",
        "kind": "on_the_spot",
        "offer": "Something nice",
        "apology_script": "We are sorry.",
        "percent": "10",
        "floor": "0",
        "ceiling": "50",
        "voucher_valid_days": "",
        "sort_order": "100",
        "is_active": "on",
    }


def url_of(name: str, world: World) -> str:
    _, kwarg_names = RESOLVED[name]
    unknown = [kwarg for kwarg in kwarg_names if kwarg not in PATH_KWARGS]
    assert not unknown, f"Teach PATH_KWARGS how to fill {unknown} for {name}"
    return reverse(name, kwargs={kwarg: PATH_KWARGS[kwarg](world) for kwarg in kwarg_names})


def post_data(name: str, world: World) -> dict:
    """A valid submission for views that accept POST (nothing for the others)."""
    if name == "counter_location_choose":
        return {"location": world.location_id}
    if name in ("two_step", "two_step_off", "two_step_verify"):
        return {"code": "000000"}
    if name == "language_switch":
        return {"language": "ru", "next": "/audit/"}
    if name == "customer_add":
        return {"name": "Walk-in From Matrix", "phone": "", "email": "", "loyalty_card": ""}
    if name == "counter_resolve":
        return {
            "category": "waiting",
            "purchase_value": "100.00",
            "playbook": factories.playbook("free-drinks").pk,
            "token": str(uuid.uuid4()),
            "note": "",
        }
    if name == "grant_void":
        return {"reason": "Access matrix check"}
    if name == "counter_escalate":
        return {
            "category": "waiting",
            "purchase_value": "100.00",
            "playbook": factories.playbook("free-drinks").pk,
            "amount": "400.00",
            "reason": "Matrix: the customer lost a whole day",
            "token": str(uuid.uuid4()),
            "note": "",
        }
    if name == "rule_flag_raise":
        return {"rule": "customer_limit", "note": "Matrix: the limit stopped a fair grant"}
    if name == "voucher_redeem":
        return {"code": voucher_of(world).voucher_code, "token": str(uuid.uuid4())}
    if name == "insights_report_compute":
        return {"location": world.location_id}
    if name == "recovery_effect_compute":
        return {"by": "location"}
    if name == "survey_public":
        return {"score": "4", "will_return": "yes", "comment": "Matrix: kind staff"}
    if name == "escalation_decide":
        return {"decision": "decline", "note": "Matrix: not this time"}
    if name == "ops_draft_add":
        return playbook_form("matrix-new")
    if name == "ops_draft_edit":
        return playbook_form(world.playbook.code)
    if name == "ops_currency_amounts":
        return {f"playbooks__{world.playbook.pk}__floor": "800"}
    if name in ("ops_publish", "ops_version_rollback"):
        return {"reason": "Matrix: publish", "effective_at": ""}
    if name == "ops_flag_handle":
        return {"handled_note": "Matrix: ceiling raised"}
    if name == "anomaly_checks_run":
        return {"next": "/audit/anomalies/?status=open"}
    if name == "anomaly_review":
        return {"outcome": "talked", "note": "Matrix: walked through the walk-in rules", "next": "/audit/anomalies/"}
    if name == "ops_webhooks":
        return {"url": "https://crm.example.com/hooks", "description": "Matrix CRM", "events": ["grant.created"]}
    if name == "ops_experiments":  # "staff_behaviour" runs the world's experiment: this one is for another category
        spoiled, pocket = factories.playbook("replace-spoiled").pk, factories.playbook("out-of-pocket").pk
        return {"name": "Matrix second", "category": "product_defective", "playbooks": [spoiled, pocket]}
    if name == "ops_experiment_stop":
        return {"reason": "Matrix: enough cases"}
    if name == "incident_new":
        return {
            "location": world.location_id,
            "title": "Matrix: outage",
            "category": "waiting",
            "happened_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "playbook": world.playbook.pk,
            "purchase_value": "0",
        }
    if name == "incident_attach":
        return {"customer": world.customer.pk}
    if name == "incident_grant":
        return {"after": "0"}
    if name == "ops_integrations":
        return {"name": "Matrix POS", "location": world.location_id, "role": "frontline"}
    return {}


def client_as(role: str, world: World) -> Client:
    user = world.users[role]
    return Client() if user is None else client_for(user)


CELLS = [
    pytest.param(name, method, role, expected, id=f"{name}-{method}-{role}")
    for name, methods in EXPECTED.items()
    for method, cells in methods.items()
    for role, expected in cells.items()
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, method, role, expected", CELLS)
def test_access_matrix(world, name, method, role, expected):
    if name not in RESOLVED:
        pytest.fail(f"{name} is in EXPECTED but not in the URL resolver")
    url = url_of(name, world)
    client = client_as(role, world)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, post_data(name, world))

    if isinstance(expected, Redirect):
        assert response.status_code == 302, (url, role, response.status_code)
        assert response["Location"].startswith(expected.to), (url, role, response["Location"])
        if expected is TO_LOGIN:
            assert response["Location"] == f"/login/?next={url}"
    else:
        assert response.status_code == expected, (url, role, response.status_code)


@pytest.mark.django_db
def test_matrix_side_effects_are_real(world):
    """The 302 cells of the matrix really did the work (not a redirect to an error page)."""
    manager = client_as(MANAGER, world)
    response = manager.post(url_of("grant_void", world), post_data("grant_void", world))
    assert response.status_code == 302
    world.grant.refresh_from_db()
    assert world.grant.is_voided

    frontline = client_as(FRONTLINE, world)
    before = Grant.objects.count()
    response = frontline.post(url_of("counter_resolve", world), post_data("counter_resolve", world))
    assert response.status_code == 302
    assert Grant.objects.count() == before + 1
    new_grant = Grant.objects.latest("id")
    assert response["Location"] == reverse("counter_granted", args=[new_grant.pk])

    response = frontline.post(url_of("customer_add", world), post_data("customer_add", world))
    created = Customer.objects.get(name="Walk-in From Matrix")
    assert response["Location"] == reverse("counter_resolve", args=[created.pk])


@pytest.mark.django_db
def test_ops_is_refused_at_counter_writes_and_nothing_is_stored(world):
    ops = client_as(OPS, world)
    grants, customers = Grant.objects.count(), Customer.objects.count()
    assert ops.post(url_of("counter_resolve", world), post_data("counter_resolve", world)).status_code == 403
    assert ops.post(url_of("customer_add", world), post_data("customer_add", world)).status_code == 403
    assert (Grant.objects.count(), Customer.objects.count()) == (grants, customers)


# --- admin: checked explicitly, not through the matrix -------------------------------


ADMIN_URLS = ["/admin/", "/admin/compensation/playbook/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_is_open_to_ops(ops_client, url):
    response = ops_client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_playbook_list_shows_the_installed_playbooks_to_ops(ops_client):
    content = ops_client.get("/admin/compensation/playbook/").content.decode()
    assert "Free drinks while you wait" in content
    assert "Reimburse out-of-pocket costs, no receipt" in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["frontline", "manager"])
@pytest.mark.parametrize("url", ADMIN_URLS)
def test_admin_is_closed_to_counter_staff(request, role, url):
    user = request.getfixturevalue(role)
    response = client_for(user).get(url)
    assert response.status_code != 200
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_is_closed_to_anonymous():
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert "login/" in response["Location"]


# --- object-level checks ------------------------------------------------------------


@pytest.fixture
def central_grant(central, frontline):
    customer = factories.make_customer("Zebulon Quartermaine-Central", phone="+447700900601")
    return factories.grant_for(frontline, central, customer)


@pytest.fixture
def airport_grant(airport, frontline_airport):
    customer = factories.make_customer("Yolanda Airportson-Desk", phone="+447700900602")
    return factories.grant_for(frontline_airport, airport, customer)


def grant_urls(grant_id):
    return {
        "audit_detail": reverse("audit_detail", args=[grant_id]),
        "counter_granted": reverse("counter_granted", args=[grant_id]),
        "grant_slip": reverse("grant_slip", args=[grant_id]),
        "grant_void": reverse("grant_void", args=[grant_id]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["audit_detail", "counter_granted", "grant_slip"])
def test_manager_of_another_location_cannot_open_the_grant(manager_airport, central_grant, page):
    response = client_for(manager_airport).get(grant_urls(central_grant.pk)[page])
    assert response.status_code == 403
    assert "Zebulon Quartermaine-Central" not in response.content.decode()


@pytest.mark.django_db
def test_manager_of_another_location_cannot_void_the_grant(manager_airport, central_grant):
    response = client_for(manager_airport).post(grant_urls(central_grant.pk)["grant_void"], {"reason": "not mine"})
    assert response.status_code == 403
    central_grant.refresh_from_db()
    assert central_grant.status == Grant.Status.ACTIVE
    assert central_grant.voided_at is None and central_grant.void_reason == ""


@pytest.mark.django_db
def test_manager_of_the_location_voids_the_grant(manager, manager_client, central_grant):
    response = manager_client.post(grant_urls(central_grant.pk)["grant_void"], {"reason": "Customer left happy anyway"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_detail", args=[central_grant.pk])
    central_grant.refresh_from_db()
    assert central_grant.is_voided
    assert central_grant.voided_by == manager
    assert central_grant.voided_at is not None
    assert central_grant.void_reason == "Customer left happy anyway"
    page = manager_client.get(response["Location"]).content.decode()
    assert f"Grant #{central_grant.pk} voided." in page


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["counter_granted", "grant_slip"])
def test_frontline_of_another_location_cannot_see_a_colleagues_grant(frontline_airport, central_grant, page):
    response = client_for(frontline_airport).get(grant_urls(central_grant.pk)[page])
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_frontline_at_the_same_location_cannot_see_the_grant(central, central_grant):
    """Frontline see the grants they made, not a colleague's (only managers review the location)."""
    colleague = factories.make_user("felix", "frontline", [central])
    response = client_for(colleague).get(grant_urls(central_grant.pk)["counter_granted"])
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_grantor_sees_their_own_grant(frontline_client, central_grant):
    response = frontline_client.get(grant_urls(central_grant.pk)["counter_granted"])
    assert response.status_code == 200
    assert "Zebulon Quartermaine-Central" in response.content.decode()


@pytest.mark.django_db
def test_audit_list_is_limited_to_the_managers_locations(manager_airport, manager_client, central_grant, airport_grant):
    airport_page = client_for(manager_airport).get(reverse("audit"))
    assert airport_page.status_code == 200
    content = airport_page.content.decode()
    assert "Yolanda Airportson-Desk" in content
    assert "Zebulon Quartermaine-Central" not in content
    assert reverse("audit_detail", args=[central_grant.pk]) not in content

    central_page = manager_client.get(reverse("audit")).content.decode()
    assert "Zebulon Quartermaine-Central" in central_page
    assert "Yolanda Airportson-Desk" not in central_page


@pytest.mark.django_db
def test_ops_audit_list_shows_every_location(ops_client, central_grant, airport_grant):
    response = ops_client.get(reverse("audit"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Zebulon Quartermaine-Central" in content
    assert "Yolanda Airportson-Desk" in content


@pytest.mark.django_db
def test_audit_list_location_filter_cannot_reach_another_location(manager_airport, central, central_grant):
    """Filtering by a location the manager does not review must not reveal its grants."""
    response = client_for(manager_airport).get(reverse("audit"), {"location": central.pk})
    assert "Zebulon Quartermaine-Central" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["audit_detail", "counter_granted", "grant_slip", "grant_void"])
def test_nonexistent_grant_is_404(manager_client, central_grant, page):
    missing_id = Grant.objects.order_by("-id").values_list("id", flat=True).first() + 1000
    url = grant_urls(missing_id)[page]
    response = manager_client.post(url, {"reason": "x"}) if page == "grant_void" else manager_client.get(url)
    assert response.status_code == 404


@pytest.mark.django_db
def test_nonexistent_customer_is_404_at_the_counter(frontline_client, customer):
    missing_id = customer.pk + 1000
    assert frontline_client.get(reverse("counter_resolve", args=[missing_id])).status_code == 404
    assert frontline_client.get(reverse("counter_quotes", args=[missing_id])).status_code == 404


@pytest.mark.django_db
def test_counter_location_choose_refuses_a_location_the_user_does_not_work_at(frontline_client, airport):
    response = frontline_client.post(reverse("counter_location_choose"), {"location": airport.pk})
    assert response.status_code == 400
    assert "counter_location_id" not in frontline_client.session


@pytest.mark.django_db
def test_staff_without_location_cannot_use_the_counter(db):
    nowhere = factories.make_user("nora", "frontline", [])
    response = client_for(nowhere).get(reverse("counter"))
    assert response.status_code == 403
    assert "not assigned to a location" in response.content.decode()
