"""Visits from an ops CSV: the command and the ops page, a dry run, a per-line report, bounded memory."""

import io
import tracemalloc
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from recovery.models import Visit
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

HEADER = "visited_on,amount,location,external_id,phone,email,card\n"
GOOD = HEADER + (
    "2027-03-01,24.50,central,r1,07700 900101,,\n"
    "2027-03-02,0,central,r2,,ALICE@example.com,\n"
    "2027-03-03,10,airport,r3,,,lc-1\n"
)
BAD = HEADER + (
    "2027-03-01,5,central,b1,+447700900999,,\n"
    "2099-01-01,5,central,b2,+447700900101,,\n"
    "2027-03-01,-3,central,b3,+447700900101,,\n"
    "2027-03-01,5,mars,b4,+447700900101,,\n"
    "2027-03-04,7.25,central,b5,+447700900101,,\n"
)


@pytest.fixture
def pinned(clock):
    clock.move_to("2027-03-10T12:00:00+00:00")


def run(tmp_path, text, *args, encoding="utf-8"):
    path = tmp_path / "visits.csv"
    path.write_bytes(text.encode(encoding))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_visits", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_checks_every_line_and_stores_nothing(pinned, tmp_path, customer, central, airport):
    out, err = run(tmp_path, GOOD, "--dry-run")
    assert "3 lines: 3 would be stored (dry run: nothing was), 0 already stored, 0 refused." in out
    assert "3/3 lines" in err
    assert not Visit.objects.exists()


def test_the_import_stores_each_line_once(pinned, tmp_path, customer, central, airport):
    out, _ = run(tmp_path, GOOD)
    assert "3 lines: 3 stored" in out
    again, _ = run(tmp_path, GOOD)
    assert "3 lines: 0 stored, 3 already stored, 0 refused." in again
    visits = Visit.objects.order_by("visited_on")
    assert [(v.location.code, v.amount, v.source, v.customer_id) for v in visits] == [
        ("central", Decimal("24.50"), "csv", customer.pk),
        ("central", Decimal("0.00"), "csv", customer.pk),
        ("airport", Decimal("10.00"), "csv", customer.pk),
    ]


def test_each_bad_line_is_reported_with_its_field_and_reason(pinned, tmp_path, customer, central):
    out, _ = run(tmp_path, BAD)
    assert "line 2: phone: No customer has this phone number." in out
    assert "line 3: visited_on: In the future: a visit is recorded after it happened." in out
    assert "line 4: amount: Must not be negative." in out
    assert "line 5: location: No open location has this code." in out
    assert "5 lines: 1 stored, 0 already stored, 4 refused." in out
    assert list(Visit.objects.values_list("external_id", flat=True)) == ["b5"]


def test_a_file_in_another_encoding_is_refused_with_a_clear_message(pinned, tmp_path, customer, central):
    text = HEADER + "2027-03-01,5,central,r1,,,Карта-1\n"
    with pytest.raises(CommandError, match="not UTF-8 text .near line 2.: save it as “CSV UTF-8”"):
        run(tmp_path, text, encoding="cp1251")
    assert not Visit.objects.exists()


def test_missing_columns_are_named(pinned, tmp_path, central):
    with pytest.raises(CommandError, match="Missing columns: location, external_id, phone / email / card."):
        run(tmp_path, "visited_on,amount\n2027-03-01,5\n")


def test_a_semicolon_csv_with_a_bom_is_read(pinned, tmp_path, customer, central):
    out, _ = run(tmp_path, "\ufeff" + GOOD.replace(",", ";").replace(";airport;", ";central;"))
    assert "3 lines: 3 stored" in out


def test_a_long_file_imports_in_bounded_memory(pinned, tmp_path, customer, central, django_assert_max_num_queries):
    """10,000 lines: memory stays that of one chunk (the file is streamed) and queries grow per chunk only
    (a customer lookup, a duplicate lookup, a savepoint and the insert, which SQLite splits in batches)."""
    lines = "".join(f"2027-02-{1 + n % 28:02d},{n % 90}.50,central,x{n},+447700900101,,\n" for n in range(10_000))
    path = tmp_path / "long.csv"
    path.write_text(HEADER + lines)
    tracemalloc.start()
    with django_assert_max_num_queries(10_000 // 500 * 10 + 10):
        call_command("import_visits", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert Visit.objects.count() == 10_000
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


# --- the ops page ---------------------------------------------------------------------------------


def upload(client, text, dry_run):
    data = {"file": SimpleUploadedFile("visits.csv", text.encode(), content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("ops_visit_import"), data)


def test_the_ops_page_dry_runs_then_imports(pinned, ops, customer, central, airport):
    client = client_for(ops)
    dry = upload(client, GOOD + "2027-03-01,5,central,r9,+447700900999,,\n", dry_run=True)
    assert dry.status_code == 200 and not Visit.objects.exists()
    report = dry.context["report"]
    assert (report.total, report.stored, report.refused) == (4, 3, 1)
    assert report.problems[0].number == 5 and "phone" in report.problems[0].errors
    assert "Dry run: nothing was stored" in dry.content.decode()

    done = upload(client, GOOD, dry_run=False)
    assert done.status_code == 200 and done.context["report"].stored == 3
    assert Visit.objects.filter(source="csv", recorded_by=ops).count() == 3


@pytest.mark.parametrize(
    "text, message",
    [
        ("visited_on;amount\n", "Missing columns"),
        ("visited_on,amount,location,external_id,tëléphone\n", "Missing columns: phone / email / card."),
    ],
)
def test_the_ops_page_names_what_is_wrong_with_the_file(pinned, ops, central, text, message):
    response = upload(client_for(ops), text, dry_run=True)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_the_ops_page_refuses_another_encoding(pinned, ops, central):
    client = client_for(ops)
    data = {"file": SimpleUploadedFile("v.csv", (HEADER + "2027-03-01,5,central,r,,,Карта\n").encode("cp1251"))}
    response = client.post(reverse("ops_visit_import"), data)
    assert response.status_code == 422
    assert "not UTF-8 text" in response.content.decode()
    assert not Visit.objects.exists()
