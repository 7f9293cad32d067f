"""The audit list as a streamed CSV: same filters and restrictions as the page."""

import csv
import io

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import grant_for, make_customer
from tests.test_messages_ru import speaking

pytestmark = pytest.mark.django_db


def rows_of(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_manager_downloads_only_their_locations_grants_with_the_filters(
    frontline, frontline_airport, manager, central, airport, customer
):
    mine = grant_for(frontline, central, customer, code="free-drinks", note='=HYPERLINK("http://x")')
    grant_for(frontline, central, customer, code="replace-spoiled")
    grant_for(frontline_airport, airport, customer)
    client = client_for(manager)
    rows = rows_of(client.get(reverse("audit_export")))
    assert rows[0][:4] == ["grant", "granted_at_utc", "location", "employee"]
    assert len(rows) == 3 and {row[2] for row in rows[1:]} == {"Central Store"}

    filtered = rows_of(client.get(reverse("audit_export"), {"playbook": mine.playbook_id}))
    assert [row[0] for row in filtered[1:]] == [str(mine.pk)]
    note = filtered[1][6]
    assert note.startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    response = client.get(reverse("audit_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="grants-')


def test_invalid_filters_are_refused_plainly(manager_client):
    response = manager_client.get(reverse("audit_export"), {"date_from": "not a date"})
    assert response.status_code == 400


def test_export_runs_the_same_queries_for_few_and_many_grants(
    frontline, manager, central, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(reverse("audit"))

    def export_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            rows_of(client.get(reverse("audit_export")))
        return len(context)

    customer = make_customer("Bulk")
    grant_for(frontline, central, customer)
    few = export_queries()
    for _ in range(25):
        grant_for(frontline, central, customer, amount="1")
    assert export_queries() == few


@pytest.mark.parametrize("export", ["audit_export", "audit_timeline_export"])
def test_invalid_filters_are_refused_in_the_readers_language(manager, export):
    response = speaking(manager, "ru").get(reverse(export), {"date_from": "not a date"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Language"] == "ru"
    assert response.content.decode() == "Фильтры заданы неверно: исправьте их на странице истории операций."
    english = speaking(manager, "en").get(reverse(export), {"date_from": "not a date"})
    assert english.content.decode() == "The filters are not valid: fix them on the audit page."


@pytest.mark.django_db(transaction=True)
def test_exports_stream_from_inside_one_transaction_on_postgresql_only():
    """PostgreSQL materialises a cursor held outside a transaction before its first row; SQLite's
    transactions take the write lock, which a slow download must not hold."""
    from django.db import connection

    from recovery.selectors import read_in_one_transaction

    def rows():
        for number in range(3):
            yield number, connection.in_atomic_block

    seen = list(read_in_one_transaction(rows()))
    assert [number for number, _ in seen] == [0, 1, 2]
    assert {in_transaction for _, in_transaction in seen} == {connection.vendor == "postgresql"}
    assert not connection.in_atomic_block  # and it ends when the stream does
