"""Bad input, systematically: hostile values at every form and endpoint, as the role allowed to use it.

Each target starts from a valid submission (the access matrix's `post_data`,
or a small dict here) and Hypothesis replaces, drops or repeats random fields
with hostile values: empty and whitespace, huge strings and numbers, negative,
zero, NaN/Infinity/1e309, unicode (RTL, emoji, combining marks, NUL), SQL and
HTML/JS injection, unknown ids and dates. For every response:

- never a 500 (the client turns a server error into a 500 status, with its traceback in the message);
- a refusal (any 4xx, or a flashed error after a redirect) stored nothing: every
  table of `recovery` and `compensation`, their history tables included, keeps
  its row count, and the row the form edits keeps its values; a 400/422 page
  shows its error (an element with role="alert"; a plain-text 400 says it in its body);
- rows that were stored fit their columns and hold no NUL (SQLite accepts both
  silently; PostgreSQL refuses them with a 500);
- no HTML page echoes a hostile value unescaped;
- a redirect after a flashed outcome stays on this site (`next` is hostile too).

Random draws rarely put the sharpest values (a 5,000-digit number, NUL, text that
grows when its case changes) in the one field where they hurt, so a sweep also
puts each of them in every field; far dates are tried in time zones far from UTC.
Finally, markup stored through the valid flows is shown escaped on every page.

Each example runs in a savepoint that is rolled back, so examples are independent.
`FUZZ_EXAMPLES=500 python -m pytest tests/test_fuzz_forms.py` explores further.
"""

from __future__ import annotations

import os
import traceback
from binascii import unhexlify
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Callable

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.forms.models import model_to_dict
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.oath import totp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation.models import (
    CustomerLimit,
    EmployeeAuthority,
    LocationBudget,
    PlaybookTierMultiplier,
    RoleAuthority,
    TenureTier,
)
from recovery.models import Escalation, Grant, RuleFlag
from recovery.two_step import PENDING_KEY_SESSION_KEY
from tests import factories
from tests.test_permissions import post_data, url_of, voucher_of, world  # noqa: F401 - `world` is used as a fixture

FUZZ = settings(
    # 40 examples per target keep the file near 40 s on SQLite; FUZZ_EXAMPLES=500 explores further.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,  # every run draws afresh; a failure prints its payload
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

XSS = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
RAW_MARKUP = ("<script>alert(1)", "<img src=x onerror")  # never on a page unescaped

# --- hostile values -------------------------------------------------------------------------

HOSTILE = (
    # empty and blank
    "",
    " ",
    " \t\n ",
    "\u00a0",
    "\u200b",
    # numbers: zero, negative, tiny, huge, not numbers, other digits
    "0",
    "-0",
    "-1",
    "-0.01",
    "0.001",
    "1e309",
    "-1e309",
    "1e-309",
    "NaN",
    "-nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1" * 40,
    "9" * 5000,
    "1" * 10_000,
    "0." + "0" * 5000 + "1",
    "1,000.00",
    "10.5.3",
    "0x1F",
    "١٢٣",
    "１２３",
    # ids nobody has
    "999999",
    str(2**31),
    str(2**63),
    "-9223372036854775809",
    # injection
    "' OR 1=1 --",
    "1; DROP TABLE recovery_grant; --",
    '" OR ""="',
    "%' --",
    "\\",
    XSS,
    XSS_ATTR,
    "javascript:alert(1)",
    "{{ 7|add:7 }}",
    "{% debug %}",
    # unicode
    "\u202eevil.exe\u202c",
    "مرحبا بالعالم",
    "שלום",
    "😀" * 10,
    "👨‍👩‍👧‍👦",
    "e\u0301" * 300,
    "Z\u0335\u0321\u0322a\u0338l\u0335g\u0335o\u0336",
    "\x00",
    "a\x00b",
    "\x00" * 10,
    "\r\nSet-Cookie: x=1",
    "\x1b[31m",
    "\ufeff",
    "\uffff",
    # values that grow when upper- or lower-cased (a field's limit checked before, the column after)
    "ß" * 40,
    "ﬃ" * 40,
    "İ" * 60,
    "x@" + ".".join(["İ" * 60] * 4) + ".com",
    # huge
    "x" * 10_000,
    "😀" * 3_000,
    # dates and times
    "2024-02-30",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2024-13-01",
    # links and odd words
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "../../etc/passwd",
    "%00",
    "null",
    "None",
    "true",
    "[]",
    "{}",
)

hostile_value = st.one_of(
    st.sampled_from(HOSTILE),  # half the draws: the list above
    st.one_of(
        st.text(max_size=40),  # any unicode but surrogates, NUL included
        st.integers().map(str),
        st.floats().map(str),  # nan, inf, -0.0, 1e+300
        st.decimals().map(str),  # NaN, sNaN, Infinity, long exponents
    ),
)
# A list becomes repeated keys (`?a=1&a=2`): the view sees several values for one field.
field_value = st.one_of(hostile_value, st.lists(hostile_value, min_size=2, max_size=3))

# The audit's keyset cursor is `<time>_<rank>_<id>`: hostile parts in the right shape.
CURSOR_STAMPS = ("2025-01-01T10:00:00+00:00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "", "x")
cursor_value = st.builds(
    lambda stamp, rank, last_id: f"{stamp}_{rank}_{last_id}",
    st.sampled_from(CURSOR_STAMPS),
    st.one_of(st.sampled_from(HOSTILE), st.integers().map(str)),
    st.one_of(st.sampled_from(HOSTILE), st.integers().map(str)),
)


@st.composite
def hostile_payloads(draw, valid: dict, extra_keys: tuple[str, ...] = ()) -> dict:
    """The valid submission with at least one field replaced, dropped or repeated, maybe one field added."""
    data = dict(valid)
    for key in draw(st.sets(st.sampled_from(sorted(valid)), min_size=1), label="fields changed"):
        action = draw(st.sampled_from(("replace", "replace", "drop", "repeat")), label=f"{key}: action")
        if action == "drop":
            del data[key]
        elif action == "repeat":
            data[key] = [valid[key], draw(hostile_value, label=f"{key}: second value")]
        else:
            data[key] = draw(cursor_value if key == "after" else field_value, label=f"{key}: value")
    if draw(st.booleans(), label="add a field"):
        key = draw(st.sampled_from((*extra_keys, "unexpected")), label="added field")
        data[key] = draw(field_value, label=f"{key}: value")
    return data


# --- the world the fuzzing runs in -------------------------------------------------------------


@dataclass
class FuzzWorld:
    matrix: object  # tests.test_permissions.World
    clients: dict
    central: object
    airport: object
    tier: TenureTier
    new_tier: TenureTier
    employee_authority: EmployeeAuthority
    customer_limit: CustomerLimit
    location_budget: LocationBudget
    tier_multiplier: PlaybookTierMultiplier

    @property
    def customer(self):
        return self.matrix.customer

    @property
    def playbook(self):
        return self.matrix.playbook


def fuzz_client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def fuzz(request, central, airport, frontline, manager, ops):
    matrix = request.getfixturevalue("world")
    voucher_of(matrix)  # made here, outside the examples' rolled-back savepoints
    tiers = list(TenureTier.objects.order_by("min_months"))
    employee_authority = EmployeeAuthority.objects.create(user=manager, limit=Decimal("1200.00"), note="Fuzz")
    customer_limit = CustomerLimit.objects.create(window_days=90, max_grants=5, max_total=Decimal("500.00"))
    location_budget = LocationBudget.objects.create(location=central, monthly_amount=Decimal("5000.00"))
    tier_multiplier = PlaybookTierMultiplier.objects.create(
        playbook=matrix.playbook, tier=tiers[-1], multiplier=tiers[-1].multiplier
    )
    return FuzzWorld(
        matrix=matrix,
        clients={role: fuzz_client(user) for role, user in matrix.users.items()},
        central=central,
        airport=airport,
        tier=tiers[1],
        new_tier=tiers[0],
        employee_authority=employee_authority,
        customer_limit=customer_limit,
        location_budget=location_budget,
        tier_multiplier=tier_multiplier,
    )


# --- the targets ----------------------------------------------------------------------------


def current_values(instance, fields) -> dict:
    """The form submission that saves `instance` unchanged."""
    values = model_to_dict(instance, fields=fields)
    return {
        name: ("on" if value is True else "" if value in (None, False) else str(value))
        for name, value in values.items()
    }


DRAFT_FIELDS = {
    "playbook": ["code", "name", "name_ru", "kind", "offer", "offer_ru", "apology_script", "apology_script_ru",
                 "percent", "floor", "ceiling", "voucher_valid_days", "sort_order", "is_active"],
    "tier": ["name", "min_months", "multiplier"],
    "role-authority": ["role", "limit"],
    "employee-authority": ["user", "limit", "note"],
    "customer-limit": ["window_days", "window_unit", "playbook", "tier", "max_grants", "max_total"],
    "location-budget": ["location", "monthly_amount", "when_exhausted"],
    "tier-multiplier": ["playbook", "tier", "multiplier"],
}  # fmt: skip


def draft_row(kind: str, fw: FuzzWorld):
    return {
        "playbook": fw.playbook,
        "tier": fw.tier,
        "role-authority": RoleAuthority.objects.filter(role="frontline").first(),
        "employee-authority": fw.employee_authority,
        "customer-limit": fw.customer_limit,
        "location-budget": fw.location_budget,
        "tier-multiplier": fw.tier_multiplier,
    }[kind]


def draft_new(kind: str, fw: FuzzWorld) -> dict:
    """A valid new row for each draft table (the world leaves room for exactly this one)."""
    top = TenureTier.objects.order_by("-min_months").first()
    return {
        "playbook": post_data("ops_draft_add", fw.matrix),
        "tier": {"name": "Fuzz tier", "min_months": str(top.min_months + 24), "multiplier": str(top.multiplier)},
        "role-authority": {"role": "ops", "limit": "5000.00"},
        "employee-authority": {"user": str(fw.matrix.users["frontline"].pk), "limit": "100.00", "note": "Fuzz"},
        "customer-limit": {"window_days": "6", "window_unit": "months", "max_grants": "3", "max_total": ""},
        "location-budget": {"location": str(fw.airport.pk), "monthly_amount": "900.00", "when_exhausted": "warn"},
        "tier-multiplier": {
            "playbook": str(fw.playbook.pk),
            "tier": str(fw.new_tier.pk),
            "multiplier": str(fw.new_tier.multiplier),
        },
    }[kind]


@dataclass(frozen=True)
class Target:
    """One form or endpoint: who uses it, where, its valid submission, and how it says no."""

    id: str
    role: str
    method: str
    url: Callable[[FuzzWorld], str]
    payload: Callable[[FuzzWorld], dict]
    # "page": a refusal is a 4xx page; "message": a redirect with an error flash.
    refusal: str = "page"
    watched: Callable[[FuzzWorld], models.Model | None] = lambda fw: None  # the row the form changes
    extra_keys: tuple[str, ...] = ()


def matrix_target(name, role, **kwargs) -> Target:
    return Target(
        id=name,
        role=role,
        method="post",
        url=lambda fw: url_of(name, fw.matrix),
        payload=lambda fw: post_data(name, fw.matrix),
        **kwargs,
    )


def _enrol_payload(fw):
    """The code of the secret the enrolment page just put in the ops session (valid for this moment)."""
    client = fw.clients["ops"]
    client.get(reverse("two_step"))
    key = client.session[PENDING_KEY_SESSION_KEY]
    return {"code": f"{totp(unhexlify(key), step=30, t0=0, digits=6):06d}"}


def _visits_payload(fw):
    """A one-line visits CSV, dry run: checked and matched, nothing stored."""
    csv = b"visited_on,amount,location,external_id,phone\n2020-02-02,5.00,,R-1,+447700900101\n"
    return {"file": SimpleUploadedFile("visits.csv", csv, content_type="text/csv"), "dry_run": "on"}


def _flag_payload(fw):
    return {
        **post_data("rule_flag_raise", fw.matrix),
        "playbook": str(fw.playbook.pk),
        "customer": str(fw.customer.pk),
        "next": reverse("counter_resolve", args=[fw.customer.pk]),
    }


def _case_payload(name):
    """The counter's case as the page sends it, with its hidden copies of what the cards showed (empty: none)."""

    def payload(fw):
        return post_data(name, fw.matrix) | {"quoted_purchase_value": "", f"quoted_cap_{fw.playbook.pk}": ""}

    return payload


def _login(fw):
    return {"username": "frank", "password": factories.PASSWORD, "next": "/counter/"}


POST_TARGETS = [
    Target("login", "anonymous", "post", lambda fw: reverse("login"), _login),
    matrix_target("counter_location_choose", "frontline"),
    matrix_target("customer_add", "frontline"),
    Target(
        "counter_resolve",
        "frontline",
        "post",
        lambda fw: url_of("counter_resolve", fw.matrix),
        _case_payload("counter_resolve"),
        extra_keys=("amount",),
    ),
    Target(
        "counter_escalate",
        "frontline",
        "post",
        lambda fw: url_of("counter_escalate", fw.matrix),
        _case_payload("counter_escalate"),
    ),
    Target(
        "rule_flag_raise", "frontline", "post", lambda fw: reverse("rule_flag_raise"), _flag_payload, refusal="message"
    ),
    matrix_target("escalation_decide", "manager", refusal="message", watched=lambda fw: fw.matrix.escalation),
    matrix_target("grant_void", "manager", watched=lambda fw: fw.matrix.grant),
    matrix_target("voucher_redeem", "frontline", watched=lambda fw: fw.matrix.voucher),
    matrix_target("ops_publish", "ops"),
    matrix_target("ops_currency_amounts", "ops"),
    matrix_target("ops_version_rollback", "ops"),
    matrix_target("ops_flag_handle", "ops", watched=lambda fw: fw.matrix.flag),
    matrix_target("anomaly_review", "manager", watched=lambda fw: fw.matrix.anomaly),
    matrix_target("anomaly_checks_run", "manager", refusal="message"),
    matrix_target("ops_integrations", "ops"),
    matrix_target("ops_experiments", "ops"),
    matrix_target("ops_webhooks", "ops"),
    matrix_target("recovery_effect_compute", "manager"),
    matrix_target("insights_report_compute", "manager"),
    Target(
        "ops_customer_status",
        "ops",
        "post",
        lambda fw: reverse("ops_customer_status"),
        lambda fw: {"customer": fw.customer.phone, "status": "", "reason": "Matrix: status cleared"},
        watched=lambda fw: fw.customer,
    ),
    Target(
        "survey_public",
        "anonymous",
        "post",
        lambda fw: url_of("survey_public", fw.matrix),
        lambda fw: post_data("survey_public", fw.matrix),
    ),
    matrix_target("ops_experiment_stop", "ops", watched=lambda fw: fw.matrix.experiment),
    # Two-step sign-in: a code that is not six digits of the right moment is refused and enrols nothing.
    Target("two_step", "ops", "post", lambda fw: reverse("two_step"), _enrol_payload),
    matrix_target("two_step_verify", "ops"),
    matrix_target("two_step_off", "ops"),
    Target("ops_visit_import", "ops", "post", lambda fw: reverse("ops_visit_import"), _visits_payload),
    # Incidents: a bad incident, a bad list, an unknown customer or a decision with nobody attached stores nothing.
    matrix_target("incident_new", "manager"),
    matrix_target("incident_attach", "manager", refusal="message"),
    Target(
        "incident_attach[list]",
        "manager",
        "post",
        lambda fw: url_of("incident_attach", fw.matrix),
        lambda fw: {"lines": "+447700900555\nLC-404", "skip_problems": "on"},
    ),
    matrix_target("incident_grant", "manager", refusal="message"),
    # The language switch: a bad language is sent back (422) and nothing is stored on the profile.
    matrix_target("language_switch", "frontline", watched=lambda fw: fw.matrix.users["frontline"].staff_profile),
    *[
        Target(
            f"ops_draft_add[{kind}]",
            "ops",
            "post",
            lambda fw, kind=kind: reverse("ops_draft_add", args=[kind]),
            lambda fw, kind=kind: draft_new(kind, fw),
        )
        for kind in DRAFT_FIELDS
    ],
    *[
        Target(
            f"ops_draft_edit[{kind}]",
            "ops",
            "post",
            lambda fw, kind=kind: reverse("ops_draft_edit", args=[kind, draft_row(kind, fw).pk]),
            lambda fw, kind=kind: current_values(draft_row(kind, fw), DRAFT_FIELDS[kind]),
            watched=lambda fw, kind=kind: draft_row(kind, fw),
        )
        for kind in DRAFT_FIELDS
    ],
]


def _audit_query(fw):
    grant = fw.matrix.grant
    return {
        "location": str(fw.central.pk),
        "employee": str(fw.matrix.users["frontline"].pk),
        "playbook": str(grant.playbook_id),
        "category": "waiting",
        "customer": grant.customer.name,
        "date_from": "2020-01-01",
        "date_to": "2099-12-31",
        "amount_min": "0",
        "amount_max": "1000",
        "flagged": "on",
        "kinds": "grant.issued",
        "after": f"{grant.granted_at.isoformat()}_2_{grant.pk + 1}",
    }


def _anomaly_query(fw):
    anomaly = fw.matrix.anomaly
    return {
        "kind": anomaly.kind,
        "status": "open",
        "location": str(anomaly.location_id),
        "customer": str(anomaly.customer_id),
        "employee": str(anomaly.employee_id),
        "grant": str(anomaly.grant_id),
    }


def _insights_query(fw):
    today = timezone.localdate()
    return {"location": str(fw.central.pk), "start": str(today - timedelta(weeks=12)), "end": str(today)}


def _report_query(fw):
    return {"location": str(fw.central.pk), "month": f"{fw.central.month_start():%Y-%m}"}


GET_TARGETS = [
    Target("counter?q", "frontline", "get", lambda fw: reverse("counter"), lambda fw: {"q": "Matrix Customer"}),
    Target(
        "counter_quotes",
        "frontline",
        "get",
        lambda fw: reverse("counter_quotes", args=[fw.customer.pk]),
        lambda fw: {"purchase_value": "100.00", "playbook": str(fw.playbook.pk)},
    ),
    Target(
        "voucher_redeem?code",
        "frontline",
        "get",
        lambda fw: reverse("voucher_redeem"),
        lambda fw: {"code": fw.matrix.voucher.voucher_code},
    ),
    Target("audit[manager]", "manager", "get", lambda fw: reverse("audit"), _audit_query),
    Target("audit[ops]", "ops", "get", lambda fw: reverse("audit"), _audit_query),
    Target(
        "ops_simulator",
        "ops",
        "get",
        lambda fw: reverse("ops_simulator"),
        lambda fw: {"purchase_value": "100.00", "tenure_months": "36", "role": "frontline"},
    ),
    Target("ops_replay", "manager", "get", lambda fw: reverse("ops_replay"), lambda fw: {"days": "90"}),
    Target("ops_flags", "ops", "get", lambda fw: reverse("ops_flags"), lambda fw: {"status": "open"}),
    Target("anomalies", "manager", "get", lambda fw: reverse("anomalies"), _anomaly_query),
    Target("ops_version", "manager", "get", lambda fw: reverse("ops_version", args=[2]), lambda fw: {"compare": "1"}),
    Target("insights[manager]", "manager", "get", lambda fw: reverse("insights"), _insights_query),
    Target("insights[ops]", "ops", "get", lambda fw: reverse("insights"), _insights_query),
    Target("insights_report[manager]", "manager", "get", lambda fw: reverse("insights_report"), _report_query),
]


# --- what every response must satisfy --------------------------------------------------------

DOMAIN_APPS = ("recovery", "compensation")  # a refusal changes none of their tables, history included
DERIVED_MODELS = ("recovery.EffectFigures",)  # figures the job computes from the data when a page asks for them
# Tables whose new rows must fit their columns: the domain's, and django-axes' login attempts
# (a refused login is stored there, with the username as typed).
WATCHED_MODELS = [model for label in (*DOMAIN_APPS, "axes") for model in apps.get_app_config(label).get_models()]
ERROR_MARK = 'role="alert"'  # every field and form error on our pages carries it (class "error"/"errors" too)


def db_state() -> dict:
    """Rows and highest primary key of every watched table.

    One query for all of them: it runs twice per example.
    """
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {index}, COUNT(*), MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)}"
        for index, model in enumerate(WATCHED_MODELS)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return {WATCHED_MODELS[index]._meta.label: (count, last or 0, WATCHED_MODELS[index]) for index, count, last in rows}


def stored_problems(before: dict, after: dict) -> list[str]:
    """New rows whose text does not fit its column or holds a NUL (PostgreSQL refuses both)."""
    problems = []
    for label, (_, last_before, model) in before.items():
        if after[label][1] == last_before:
            continue
        text_fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField))]
        for row in model._default_manager.filter(pk__gt=last_before):
            for f in text_fields:
                value = getattr(row, f.attname)
                if not isinstance(value, str):
                    continue
                if f.max_length and len(value) > f.max_length:
                    problems.append(f"{label}.{f.name}: {len(value)} characters in a column of {f.max_length}")
                if "\x00" in value:
                    problems.append(f"{label}.{f.name}: holds a NUL byte")
    return problems


def brief(payload: dict) -> str:
    """The payload for a failure message, long values cut (the 10,000-character ones would drown it)."""

    def cut(value):
        if isinstance(value, list):
            return [cut(item) for item in value]
        text = str(value)
        return text if len(text) <= 60 else f"{text[:30]!s}…({len(text)} chars)"

    return repr({key: cut(value) for key, value in payload.items()})


def exception_line(response) -> str:
    if not getattr(response, "exc_info", None):
        return "no exception recorded"
    return traceback.format_exception_only(response.exc_info[1])[-1].strip()[:300]


def server_error(response) -> str:
    if getattr(response, "exc_info", None):
        return "".join(traceback.format_exception(*response.exc_info, chain=False))[-3000:]
    return response.content.decode(errors="replace")[:2000]


def send(client: Client, target: Target, url: str, payload: dict):
    client.cookies.pop("messages", None)  # only this request's flashes count
    if target.method == "get":
        return client.get(url, payload)
    return client.post(url, payload)


def flashed_levels(response) -> list[int]:
    return [message.level for message in get_messages(response.wsgi_request)]


def check_response(target: Target, response, payload) -> bool:
    """The response's own checks; True if it refused the submission."""
    assert response.status_code < 500, (
        f"{target.id}: 500 ({exception_line(response)}) for {brief(payload)}\n{server_error(response)}"
    )
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html"):
        html = response.content.decode()
        for raw in RAW_MARKUP:
            assert raw not in html, f"{target.id}: {raw!r} unescaped on the page for {brief(payload)}"
    if response.status_code >= 400:
        if response.status_code in (400, 422):
            body = response.content.decode()
            shown = bool(body.strip()) if content_type.startswith("text/plain") else ERROR_MARK in body
            assert shown, f"{target.id}: {response.status_code} without an error message for {brief(payload)}"
        return True
    if target.refusal == "message" and response.status_code == 302:
        levels = flashed_levels(response)
        assert levels, f"{target.id}: redirected without saying what happened, for {brief(payload)}"
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), (
            f"{target.id}: redirects off the site to {location!r}"
        )
        return message_levels.ERROR in levels
    return False


def fuzz_once(fw: FuzzWorld, target: Target, payload: dict, *, expect_accepted=False) -> None:
    """One hostile submission in a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        url = target.url(fw)
        watched = target.watched(fw)
        row_before = model_to_dict(watched) if watched is not None else None
        before = db_state()
        client = fuzz_client() if target.role == "anonymous" else fw.clients[target.role]
        response = send(client, target, url, payload)
        refused = check_response(target, response, payload)
        if expect_accepted:
            assert not refused and response.status_code in (200, 302), (target.id, response.status_code)
        after = db_state()
        if refused or target.method == "get":
            # A page that is read may ask the background job for figures it lacks (the monthly report's "What
            # recovery bought"): those rows are derived from the data, not a change to it. A refusal stores nothing.
            derived = () if refused else DERIVED_MODELS
            changed = {
                label: (before[label][0], after[label][0])
                for label in before
                if label.split(".")[0] in DOMAIN_APPS and label not in derived and before[label][:2] != after[label][:2]
            }
            assert not changed, (
                f"{target.id}: refused ({response.status_code}) but stored {changed} for {brief(payload)}"
            )
            if watched is not None:
                assert model_to_dict(type(watched)._default_manager.get(pk=watched.pk)) == row_before, (
                    f"{target.id}: refused but changed {watched!r} for {brief(payload)}"
                )
        problems = stored_problems(before, after)
        assert not problems, f"{target.id}: stored {problems} for {brief(payload)}"
        transaction.set_rollback(True)


# --- the tests ------------------------------------------------------------------------------


def test_every_view_that_accepts_post_is_fuzzed():
    """A new POST view fails here until it gets a target (logout, revoking a token, and a webhook's secret roll,
    on/off switch and "deliver again" take no input)."""
    from tests.test_permissions import EXPECTED

    accepts_post = {
        name
        for name, methods in EXPECTED.items()
        if any(cell != 405 for role, cell in methods["POST"].items() if role != "anonymous")
    }
    fuzzed = {target.id.split("[")[0] for target in POST_TARGETS}
    no_input = {
        "logout",
        "ops_integration_revoke",
        "ops_webhook_secret_roll",
        "ops_webhook_active",
        "ops_webhook_replay",
    }
    assert accepts_post - fuzzed == no_input


@pytest.mark.django_db
@pytest.mark.parametrize("target", POST_TARGETS + GET_TARGETS, ids=lambda target: target.id)
@FUZZ
@given(data=st.data())
def test_hostile_input_is_refused_cleanly(fuzz, target, data):
    valid = target.payload(fuzz)
    payload = data.draw(hostile_payloads(valid, target.extra_keys), label="payload")
    fuzz_once(fuzz, target, payload)


@pytest.mark.django_db
@pytest.mark.parametrize("target", POST_TARGETS + GET_TARGETS, ids=lambda target: target.id)
def test_the_valid_submission_passes_the_same_checks(fuzz, target):
    """Guard the fuzzing itself: the unchanged payload is accepted, so the hostile ones test the refusals."""
    fuzz_once(fuzz, target, target.payload(fuzz), expect_accepted=True)


# Values that random draws rarely put in the one field where they hurt: each goes into every field.
SWEEP = (
    "9" * 5000,  # above Python's 4,300-digit limit for int()
    "\x00",  # PostgreSQL refuses NUL in text
    "ß" * 40,  # twice as long once upper-cased
    "x@" + ".".join(["İ" * 60] * 4) + ".com",  # a valid address, twice as long once lower-cased
    "1e309",
    "NaN",
    "-1",
    XSS_ATTR,
    ["1", "2"],  # the key twice
)


def first_line(error: AssertionError) -> str:
    """What failed and for which payload (a 500's exception is on that line too)."""
    return str(error).splitlines()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("target", POST_TARGETS + GET_TARGETS, ids=lambda target: target.id)
def test_each_field_refuses_the_sharpest_values_cleanly(fuzz, target):
    valid = target.payload(fuzz)
    failures = []
    for key in sorted({*valid, *target.extra_keys}):
        for value in SWEEP:
            if key == "after" and isinstance(value, str):
                value = f"2025-01-01T10:00:00+00:00_2_{value}"  # the audit cursor: a time, a rank, an id
            try:
                fuzz_once(fuzz, target, valid | {key: value})
            except AssertionError as error:
                failures.append(first_line(error))
    assert not failures, "\n".join(failures)


# Dates typed in the server's time zone at the ends of the calendar: converting them to UTC (or back,
# for display) steps outside year 1..9999 where the zone is far from UTC.
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # UTC+14, UTC-11
FAR_DATES = {
    "ops_publish": ("effective_at", ("9999-12-31T23:59", "0001-01-01T00:00")),
    "ops_version_rollback": ("effective_at", ("9999-12-31T23:59", "0001-01-01T00:00")),
    "audit[ops]": ("date_from", ("9999-12-31", "0001-01-01")),
    "insights[manager]": ("end", ("9999-12-31", "0001-01-01")),
    "insights[ops]": ("start", ("9999-12-31", "0001-01-01")),
    "insights_report[manager]": ("month", ("9999-12", "0001-01", "0000-01")),
}


@pytest.mark.django_db
@pytest.mark.parametrize("zone", FAR_ZONES)
@pytest.mark.parametrize("target", [t for t in POST_TARGETS + GET_TARGETS if t.id in FAR_DATES], ids=lambda t: t.id)
def test_dates_at_the_ends_of_the_calendar_are_refused_cleanly_in_any_time_zone(fuzz, target, zone):
    key, values = FAR_DATES[target.id]
    failures = []
    with override_settings(TIME_ZONE=zone):
        for value in values:
            try:
                fuzz_once(fuzz, target, target.payload(fuzz) | {key: value})
            except AssertionError as error:
                failures.append(first_line(error))
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_wrong_passwords_until_lockout_never_500(frontline):
    client = fuzz_client()
    for password in ["", "x" * 10_000, "' OR 1=1 --", "😀", "wrong", "wrong", "wrong", "wrong"]:
        response = client.post(reverse("login"), {"username": "frank", "password": password})
        assert response.status_code < 500, server_error(response)
    assert response.status_code in (200, 403, 429)
    assert 'role="alert"' in response.content.decode()


# --- stored text is escaped wherever it is shown ---------------------------------------------

STORED = f"{XSS}{XSS_ATTR}"  # 61 characters: fits every note, reason and name
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_escaped(client: Client, url: str, data=None) -> None:
    response = client.get(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    for raw in RAW_MARKUP:
        assert raw not in html, f"{url}: {raw!r} unescaped"
    assert ESCAPED in html, f"{url}: the stored text is not shown"


@pytest.mark.django_db
def test_stored_markup_is_escaped_on_every_page_that_shows_it(fuzz):
    fw = fuzz
    frontline, manager, ops = (fw.clients[role] for role in ("frontline", "manager", "ops"))

    # Walk-in name: counter search and the customer's page.
    response = frontline.post(reverse("customer_add"), {"name": STORED, "phone": "", "email": "", "loyalty_card": ""})
    assert response.status_code == 302, server_error(response)
    assert_escaped(frontline, reverse("counter"), {"q": XSS})
    assert_escaped(frontline, response["Location"])

    # Grant note: the grant's counter page and its audit.
    resolve = post_data("counter_resolve", fw.matrix) | {"note": STORED}
    response = frontline.post(url_of("counter_resolve", fw.matrix), resolve)
    assert response.status_code == 302, server_error(response)
    grant = Grant.objects.latest("id")
    assert grant.failure.note == STORED
    assert_escaped(manager, reverse("audit_detail", args=[grant.pk]))

    # Escalation reason and failure note: its status page and the manager's queue.
    escalate = post_data("counter_escalate", fw.matrix) | {"reason": STORED, "note": STORED}
    response = frontline.post(url_of("counter_escalate", fw.matrix), escalate)
    assert response.status_code == 302, server_error(response)
    escalation = Escalation.objects.latest("id")
    assert escalation.reason == STORED
    assert_escaped(frontline, reverse("escalation_status", args=[escalation.pk]))
    assert_escaped(manager, reverse("escalations"))

    # Decline note: the escalation's status page for the employee.
    response = manager.post(reverse("escalation_decide", args=[escalation.pk]), {"decision": "decline", "note": STORED})
    assert response.status_code == 302
    assert_escaped(frontline, reverse("escalation_status", args=[escalation.pk]))

    # Rule flag note and handled note: the ops flag list.
    response = frontline.post(reverse("rule_flag_raise"), {"rule": "customer_limit", "note": STORED})
    assert response.status_code == 302
    flag = RuleFlag.objects.latest("id")
    assert flag.note == STORED
    assert_escaped(ops, reverse("ops_flags"))
    response = ops.post(reverse("ops_flag_handle", args=[flag.pk]), {"handled_note": STORED})
    assert response.status_code == 302, server_error(response)
    assert_escaped(ops, reverse("ops_flags"), {"status": "handled"})

    # Void reason: the audit page (the void line and the history's reason).
    response = manager.post(reverse("grant_void", args=[grant.pk]), {"reason": STORED})
    assert response.status_code == 302, server_error(response)
    assert_escaped(manager, reverse("audit_detail", args=[grant.pk]))

    # Anomaly review note: the anomalies page and the flagged grant's audit page.
    response = manager.post(
        reverse("anomaly_review", args=[fw.matrix.anomaly.pk]), {"outcome": "other", "note": STORED}
    )
    assert response.status_code == 302, server_error(response)
    assert_escaped(manager, reverse("anomalies"))
    assert_escaped(manager, reverse("audit_detail", args=[fw.matrix.grant.pk]))

    # Playbook words in the draft, then published with a hostile reason: every ops page and the counter.
    edit = current_values(fw.playbook, DRAFT_FIELDS["playbook"]) | {
        "name": STORED,
        "offer": STORED,
        "apology_script": STORED,
        "name_ru": STORED,
        "offer_ru": STORED,
        "apology_script_ru": STORED,
    }
    response = ops.post(reverse("ops_draft_edit", args=["playbook", fw.playbook.pk]), edit)
    assert response.status_code == 302, server_error(response)
    assert_escaped(ops, reverse("ops_home"))
    assert_escaped(ops, reverse("ops_publish"))
    response = ops.post(reverse("ops_publish"), {"reason": STORED, "effective_at": ""})
    assert response.status_code == 302, server_error(response)
    assert_escaped(ops, reverse("ops_versions"))
    assert_escaped(ops, response["Location"])
    assert_escaped(manager, response["Location"], {"compare": "1"})
    assert_escaped(frontline, reverse("counter_resolve", args=[fw.customer.pk]))
    assert_escaped(frontline, reverse("counter_quotes", args=[fw.customer.pk]), {"purchase_value": "100"})
    response = frontline.post(
        url_of("counter_resolve", fw.matrix), post_data("counter_resolve", fw.matrix) | {"playbook": fw.playbook.pk}
    )
    assert response.status_code == 302, server_error(response)
    assert_escaped(frontline, response["Location"])
    assert_escaped(frontline, response["Location"] + "slip/")
