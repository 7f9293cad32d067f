"""The read replica (config/db_router.py): review pages and exports read it, writes never do.

In tests the replica is Django's test mirror of `default`: a second connection to
the same test database. The tests commit their rows (`transaction=True`), so a
read on the second connection sees them, and each connection's captured queries
say where each read went.
"""

import csv
import io

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.db_router import read_alias, replica_reads
from recovery.models import Grant
from tests.conftest import client_for
from tests.factories import grant_for

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _installed(installed_policy):
    """Roles and the policy the migrations install (a transactional test flushed them)."""


@pytest.fixture
def with_replica(settings):
    settings.READ_REPLICA_ALIAS = "replica"


def grant_reads(queries) -> list[str]:
    return [query["sql"] for query in queries if 'FROM "recovery_grant"' in query["sql"]]


def writes(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_without_a_replica_every_read_goes_to_default(settings):
    settings.READ_REPLICA_ALIAS = ""
    with replica_reads():
        assert read_alias() == "default"
        assert router.db_for_read(Grant) == "default"
    assert router.db_for_write(Grant) == "default"


def test_only_the_domain_tables_are_read_from_the_replica(with_replica):
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session

    assert router.db_for_read(Grant) == "default"  # outside a review page
    with replica_reads():
        assert router.db_for_read(Grant) == "replica"
        # a sign-in, a sign-out or a removed role counts at once, whatever the replica's lag
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Session) == "default"
        assert router.db_for_write(Grant) == "default"


def test_the_audit_page_reads_the_grants_from_the_replica(with_replica, frontline, manager, central, customer):
    grant = grant_for(frontline, central, customer)
    client = client_for(manager)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        response = client.get(reverse("audit"))
    assert response.status_code == 200
    assert (
        reverse("audit_detail", args=[grant.pk]) in response.content.decode()
    )  # the committed grant, read on the copy
    assert grant_reads(replica.captured_queries)
    assert not grant_reads(default.captured_queries)
    assert not writes(replica.captured_queries)


@pytest.mark.parametrize("page", ["insights", "insights_report"])
def test_the_insight_pages_read_the_domain_from_the_replica(with_replica, page, frontline, manager, central, customer):
    grant_for(frontline, central, customer)
    client = client_for(manager)
    params = {"location": central.pk} if page == "insights_report" else {}
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        response = client.get(reverse(page), params)
    assert response.status_code == 200
    assert any('"recovery_' in query["sql"] for query in replica.captured_queries)
    assert not grant_reads(default.captured_queries)


@pytest.mark.parametrize("export", ["audit_export", "audit_timeline_export"])
def test_the_exports_stream_their_rows_from_the_replica(with_replica, export, frontline, manager, central, customer):
    grant = grant_for(frontline, central, customer)
    client = client_for(manager)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        response = client.get(reverse(export))
        body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) >= 2
    if export == "audit_export":
        assert rows[1][0] == str(grant.pk)
    assert grant_reads(replica.captured_queries)
    assert not grant_reads(default.captured_queries)
    # the scope ends with the stream
    assert read_alias() == "default"
    assert not connections["replica"].in_atomic_block


def test_the_counters_pages_read_the_primary(with_replica, frontline, central, customer):
    """Only the review pages read the copy: the counter must see its own grant at once."""
    grant_for(frontline, central, customer)
    client = client_for(frontline)
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(reverse("my_grants"))
    assert response.status_code == 200
    assert not replica.captured_queries


def test_a_grant_writes_to_the_primary_even_inside_a_replica_scope(with_replica, frontline, central, customer):
    with (
        replica_reads(),
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        grant = grant_for(frontline, central, customer)
    assert any('INSERT INTO "recovery_grant"' in sql for sql in writes(default.captured_queries))
    assert not writes(replica.captured_queries)
    # the reads inside the grant's transaction (locks, limits, the chain head) are on the primary too
    assert not any("FOR UPDATE" in query["sql"] for query in replica.captured_queries)
    assert Grant.objects.using("default").filter(pk=grant.pk).exists()


def test_an_export_reads_in_one_transaction_on_the_replica_on_postgresql(with_replica):
    """The streaming cursor's transaction is opened where the rows are read: on the copy, not the primary."""
    from recovery.selectors import read_in_one_transaction

    def rows():
        for number in range(2):
            yield number, connections["replica"].in_atomic_block, connections["default"].in_atomic_block

    with replica_reads():
        seen = list(read_in_one_transaction(rows()))
    postgresql = connections["replica"].vendor == "postgresql"
    assert [(replica, default) for _, replica, default in seen] == [(postgresql, False)] * 2
    assert not connections["replica"].in_atomic_block
