"""Concurrency: real threads (and, on SQLite, real processes) against the real database.

Every test runs on SQLite (the embedded default: IMMEDIATE + WAL + busy timeout)
and on PostgreSQL (`DATABASE_URL=postgres://...`). Each is transactional, so the
threads see what the test set up and really race: `installed_policy` comes
first to put the data migrations' rows back after the previous test's flush.
Threads close their own connection, so PostgreSQL can drop the test database.
"""

import json
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from compensation.models import CustomerLimit, LocationBudget
from compensation.money import quantize
from compensation.predicates import roles_of
from recovery.models import Escalation, Grant, LocationDayTotal, ServiceFailure
from recovery.services import (
    GrantOutcome,
    LimitExceeded,
    RecoveryError,
    escalation_decide,
    escalation_request,
    grant_issue,
    grant_void,
)
from recovery.services import limits as limits_module
from tests import factories
from tests.factories import grant_for, grant_request, publish

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = Path(__file__).with_name("concurrency_worker.py")
BARRIER_TIMEOUT = 20  # seconds: a thread that never arrives fails the test instead of hanging it


def at_once(count, work):
    """Run `work(i)` for i in range(count) in threads released together; the results in order of i.

    A result is what `work` returned, or the exception it raised (the test
    asserts on both, so an unexpected "database is locked" fails loudly).
    """
    barrier = threading.Barrier(count, timeout=BARRIER_TIMEOUT)
    results = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - handed to the test
            results[index] = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * BARRIER_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    return results


def unexpected(results, *expected_types):
    """The results that are exceptions of another type than `expected_types` (should be none)."""
    return [
        result for result in results if isinstance(result, BaseException) and not isinstance(result, expected_types)
    ]


def customer_limit(window_days=30, max_grants=None, max_total=None):
    CustomerLimit.objects.create(
        window_days=window_days, max_grants=max_grants, max_total=None if max_total is None else Decimal(max_total)
    )
    publish("Customer limit")


def budget(location, monthly, when_exhausted="escalate"):
    LocationBudget.objects.create(location=location, monthly_amount=Decimal(monthly), when_exhausted=when_exhausted)
    publish("Budget")


def money_sum(queryset) -> Decimal:
    """The sum of `amount`, quantized: SQLite stores decimals as REAL."""
    return quantize(queryset.aggregate(total=Sum("amount"))["total"] or Decimal("0"), settings.RECOVERY_CURRENCY)


# --- per-customer rolling limits -------------------------------------------------------------------------


def test_twenty_simultaneous_grants_never_exceed_the_customer_grant_count(
    installed_policy, central, frontline, customer
):
    """The limit allows 5 grants in 30 days: 5 of 20 counters succeed, 15 are told why not."""
    customer_limit(max_grants=5)

    results = at_once(20, lambda i: grant_for(frontline, central, customer, amount="1"))

    assert unexpected(results, LimitExceeded) == []
    granted = [result for result in results if isinstance(result, Grant)]
    stopped = [result for result in results if isinstance(result, LimitExceeded)]
    assert len(granted) == 5 and len(stopped) == 15
    assert all(error.allowed == 0 and "limit 5" in error.message for error in stopped)
    assert Grant.objects.filter(customer=customer).count() == 5
    assert ServiceFailure.objects.filter(customer=customer).count() == 5  # a refused grant logs nothing


def test_twenty_simultaneous_grants_never_exceed_the_customer_total(installed_policy, central, frontline, customer):
    """Mixed amounts against a total of 50.00 in 30 days: never above it, and no refusal while room was left."""
    customer_limit(max_total="50.00")
    amounts = [Decimal(value) for value in ("7.30", "12.45", "3.05", "9.99", "14.20")] * 4

    results = at_once(20, lambda i: grant_for(frontline, central, customer, amount=str(amounts[i])))

    assert unexpected(results, LimitExceeded) == []
    total = money_sum(Grant.objects.filter(customer=customer))
    assert total <= Decimal("50.00")
    assert total == sum(result.amount for result in results if isinstance(result, Grant))
    refused = [amounts[i] for i, result in enumerate(results) if isinstance(result, LimitExceeded)]
    assert refused, "20 grants averaging 9.40 cannot all fit in 50.00"
    # Each refusal saw at least the room left at the end: it really did not fit.
    assert all(total + amount > Decimal("50.00") for amount in refused)
    assert all(result.allowed < amounts[i] for i, result in enumerate(results) if isinstance(result, LimitExceeded))


# --- exactly once -----------------------------------------------------------------------------------------


def test_the_same_token_submitted_ten_times_at_once_grants_once(installed_policy, central, frontline, customer):
    request = grant_request(customer, central, amount="9.50", token=uuid.uuid4())

    results = at_once(10, lambda i: grant_issue(actor=frontline, roles=roles_of(frontline), request=request))

    assert unexpected(results) == []
    assert all(isinstance(result, GrantOutcome) for result in results)
    assert {result.grant.pk for result in results} == {Grant.objects.get().pk}
    assert sorted(result.replayed for result in results) == [False] + [True] * 9
    assert ServiceFailure.objects.count() == 1


def test_the_same_token_submitted_at_once_under_a_limit_still_answers_with_the_grant(
    installed_policy, central, frontline, customer
):
    """A double click on the grant that uses up the customer's last grant: every click shows that grant."""
    customer_limit(max_grants=1)
    request = grant_request(customer, central, amount="9.50", token=uuid.uuid4())

    results = at_once(10, lambda i: grant_issue(actor=frontline, roles=roles_of(frontline), request=request))

    assert Grant.objects.count() == 1  # the limit itself holds either way
    assert unexpected(results) == [], [str(result) for result in results if isinstance(result, Exception)]
    assert {result.grant.pk for result in results} == {Grant.objects.get().pk}


# --- the location budget ----------------------------------------------------------------------------------


def test_a_budget_that_escalates_is_never_overspent(installed_policy, central, frontline):
    """16 counters grant 12.00 each to different customers; the month's budget of 60.00 has room for 5."""
    budget(central, "60.00", "escalate")
    customers = [factories.make_customer(f"Customer {i}") for i in range(16)]

    results = at_once(16, lambda i: grant_for(frontline, central, customers[i], amount="12.00"))

    assert unexpected(results, LimitExceeded) == []
    assert sum(isinstance(result, Grant) for result in results) == 5
    stopped = [result for result in results if isinstance(result, LimitExceeded)]
    assert len(stopped) == 11
    assert all([stop.limit for stop in error.stops] == ["location_budget"] for error in stopped)
    assert money_sum(Grant.objects.filter(location=central, granted_at__gte=central.month_start())) == Decimal("60.00")
    # The daily rollups count the five that stood, none of the stopped ones (rolled back with their grant).
    rollup = LocationDayTotal.objects.filter(location=central).aggregate(
        amount=Sum("active_amount"), grants=Sum("active_grants")
    )
    assert (quantize(Decimal(str(rollup["amount"])), "EUR"), rollup["grants"]) == (Decimal("60.00"), 5)


# --- voids and escalations --------------------------------------------------------------------------------


def test_eight_managers_voiding_one_grant_at_once_void_it_once(installed_policy, central, frontline, customer):
    grant = grant_for(frontline, central, customer, amount="5")
    managers = [factories.make_user(f"manager{i}", "manager", [central]) for i in range(8)]

    results = at_once(8, lambda i: grant_void(actor=managers[i], grant_id=grant.pk, reason=f"Entered twice ({i})"))

    assert unexpected(results, RecoveryError) == []
    voided = [result for result in results if isinstance(result, Grant)]
    refused = [result for result in results if isinstance(result, RecoveryError)]
    assert len(voided) == 1 and len(refused) == 7
    assert all("already voided" in error.message for error in refused)
    grant.refresh_from_db()
    winner = managers[results.index(voided[0])]
    assert grant.is_voided and grant.voided_by == winner
    history = grant.history.filter(status=Grant.Status.VOIDED)
    assert history.count() == 1 and history.get().history_user == winner
    # Its day's rollup moved it once, whatever the race: 0 active, 1 voided.
    row = LocationDayTotal.objects.get(location=central)
    assert (row.active_grants, row.voided_grants, row.voided_amount) == (0, 1, Decimal("5.00"))


def test_two_managers_approving_one_escalation_at_once_grant_once(installed_policy, central, frontline, customer):
    other_manager = factories.make_user("mike", "manager", [central])
    first_manager = factories.make_user("maria", "manager", [central])
    managers = [first_manager, other_manager]
    escalation = escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=grant_request(customer, central, amount="40"),
        reason="Waited two hours",
    )

    results = at_once(
        2,
        lambda i: escalation_decide(
            actor=managers[i], roles=roles_of(managers[i]), escalation_id=escalation.pk, approve=True, note="Fair"
        ),
    )

    assert unexpected(results, RecoveryError) == []
    approved = [result for result in results if isinstance(result, Escalation)]
    refused = [result for result in results if isinstance(result, RecoveryError)]
    assert len(approved) == 1 and len(refused) == 1
    winner = managers[results.index(approved[0])]
    assert f"Escalation #{escalation.pk} was already approved by {winner.get_username()}" in refused[0].message
    grant = Grant.objects.get()
    assert grant.amount == Decimal("40.00") and grant.approved_by == winner and grant.granted_by == frontline
    escalation.refresh_from_db()
    assert escalation.grant == grant and escalation.decided_by == winner


def test_a_case_granted_and_escalated_at_once_pays_once(installed_policy, central, frontline, manager, customer):
    """The above-limit panel offers "grant the cap" and "ask a manager" with one token: at most one pays out."""
    token = uuid.uuid4()

    def work(i):
        if i == 0:
            request = grant_request(customer, central, amount="40", token=token)
            return escalation_request(actor=frontline, roles=roles_of(frontline), request=request, reason="Waited")
        return grant_for(frontline, central, customer, token=token)

    results = at_once(2, work)
    assert unexpected(results, RecoveryError) == []
    for escalation in Escalation.objects.filter(status=Escalation.Status.PENDING):
        try:
            escalation_decide(
                actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note=""
            )
        except RecoveryError as error:
            assert "was already granted" in error.message

    assert Grant.objects.filter(customer=customer).count() == 1


def test_an_approval_and_a_counter_grant_for_one_customer_at_once_both_go_through(
    installed_policy, central, frontline, manager, customer, monkeypatch
):
    """A manager approves a case while a colleague grants the same customer something small.

    The counter pauses 0.3 s inside its locks, so the approval starts while it
    holds them. Both must go through (the approval overrides the limit): on
    PostgreSQL, locks taken in different orders would deadlock here, e.g. the
    approval locking the location FOR UPDATE while the counter, holding the
    customer, needs the FOR KEY SHARE lock its INSERT takes on that location.
    """
    customer_limit(max_grants=10)
    escalation = escalation_request(
        actor=frontline,
        roles=roles_of(frontline),
        request=grant_request(customer, central, amount="40"),
        reason="Waited two hours",
    )
    counter_holds_the_customer = threading.Event()
    usage = limits_module.limit_usage

    def slow_usage(**kwargs):  # read by the counter's grant inside its locks (location, then customer)
        if not counter_holds_the_customer.is_set():
            counter_holds_the_customer.set()
            time.sleep(0.3)
        return usage(**kwargs)

    monkeypatch.setattr(limits_module, "limit_usage", slow_usage)

    def work(i):
        if i == 0:
            return grant_for(frontline, central, customer, amount="5")
        counter_holds_the_customer.wait(timeout=BARRIER_TIMEOUT)
        return escalation_decide(
            actor=manager, roles=roles_of(manager), escalation_id=escalation.pk, approve=True, note="Fair"
        )

    results = at_once(2, work)

    assert counter_holds_the_customer.is_set()  # the pause really happened inside the counter's locks
    assert unexpected(results) == [], [str(result) for result in results]
    assert Grant.objects.filter(customer=customer).count() == 2


# --- SQLite: several OS processes on one file ---------------------------------------------------------------


def worker_args(actor, location, customers, *, grants, amount="5"):
    """The command line of one worker: `grants` grants of `amount` by `actor`, cycling through `customers`."""
    ids = ",".join(str(customer.pk) for customer in customers)
    return [
        f"--actor={actor.pk}",
        f"--location={location.pk}",
        f"--customers={ids}",
        f"--grants={grants}",
        f"--amount={amount}",
    ]


def run_workers(jobs):
    """Start one worker process per job (its arguments), release them together, return their reports."""
    db_path = connection.settings_dict["NAME"]
    connection.close()  # nothing of ours stays open while the processes write
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(db_path), *job],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    try:
        for process in processes:  # the barrier: every process has configured Django and read its rows
            line = process.stdout.readline().strip()
            assert line == "ready", f"worker failed to start: {line!r} {process.stderr.read()}"
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        reports = []
        for process in processes:
            out, err = process.communicate(timeout=30)
            assert process.returncode == 0, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite only: several processes sharing one database file is the embedded default's case",
)


@sqlite_only
def test_four_processes_granting_at_once_lose_nothing_and_never_see_a_locked_database(
    installed_policy, central, frontline
):
    """4 processes × 10 grants, each process for its own customers: 40 grants, no "database is locked"."""
    customers = [factories.make_customer(f"Customer {i}") for i in range(8)]
    reports = run_workers([worker_args(frontline, central, customers[2 * n : 2 * n + 2], grants=10) for n in range(4)])

    outcomes = [outcome for report in reports for outcome in report["outcomes"]]
    assert [outcome for outcome in outcomes if "error" in outcome] == []
    assert len({report["pid"] for report in reports}) == 4
    granted = {outcome["grant"] for outcome in outcomes}
    assert len(granted) == 40
    assert set(Grant.objects.values_list("pk", flat=True)) == granted
    assert ServiceFailure.objects.count() == 40
    for customer in customers:
        assert Grant.objects.filter(customer=customer).count() == 5


@sqlite_only
def test_four_processes_granting_to_one_customer_respect_the_limit(installed_policy, central, frontline, customer):
    """The SQLite write lock is the limit's lock across processes: 4 × 5 attempts, limit 7 → exactly 7."""
    customer_limit(max_grants=7)
    reports = run_workers([worker_args(frontline, central, [customer], grants=5)] * 4)

    outcomes = [outcome for report in reports for outcome in report["outcomes"]]
    assert {outcome.get("error") for outcome in outcomes} <= {None, "LimitExceeded"}
    assert sum("grant" in outcome for outcome in outcomes) == 7
    assert Grant.objects.filter(customer=customer).count() == 7


# --- the per-case authority (issue 17) ---------------------------------------------------------------------


def test_two_simultaneous_grants_on_one_case_never_pass_the_per_case_authority(
    installed_policy, central, frontline, customer
):
    """A case has 500 granted; two counters add 1,000 each at once: each fits the 2,000 per-grant authority,
    together they pass the 2,000 per-case one. The location's lock lets exactly one through."""
    factories.airline_authorities()
    first = grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="3000", amount="500")

    def add(i):
        request = grant_request(
            customer, central, code="replace-spoiled", purchase_value="3000", amount="1000", failure_id=first.failure_id
        )
        return grant_issue(actor=frontline, roles=roles_of(frontline), request=request)

    results = at_once(2, add)

    assert unexpected(results, LimitExceeded) == [], [str(result) for result in results]
    assert sorted(type(result).__name__ for result in results) == ["GrantOutcome", "LimitExceeded"]
    (refused,) = [result for result in results if isinstance(result, LimitExceeded)]
    assert refused.allowed == Decimal("500.00") and [stop.limit for stop in refused.stops] == ["case_authority"]
    assert money_sum(Grant.objects.filter(failure_id=first.failure_id)) == Decimal("1500.00")


def test_many_simultaneous_grants_on_one_case_fill_it_and_no_more(installed_policy, central, frontline, customer):
    """Eight grants of 600 at once onto a fresh case: the 2,000 per case has room for three."""
    factories.airline_authorities()
    first = grant_for(frontline, central, customer, code="replace-spoiled", purchase_value="3000", amount="1")

    def add(i):
        request = grant_request(
            customer, central, code="replace-spoiled", purchase_value="3000", amount="600", failure_id=first.failure_id
        )
        return grant_issue(actor=frontline, roles=roles_of(frontline), request=request)

    results = at_once(8, add)

    assert unexpected(results, LimitExceeded) == [], [str(result) for result in results]
    assert sum(isinstance(result, GrantOutcome) for result in results) == 3
    assert money_sum(Grant.objects.filter(failure_id=first.failure_id)) == Decimal("1801.00")
