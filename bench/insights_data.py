"""Generate a million grants on PostgreSQL for timing the insight pages.

Run on a migrated (and seeded) PostgreSQL database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rd_insights_bench \
        .venv/bin/python -m bench.insights_data --grants 1000000

Adds 40 locations with 10 counter staff each and 100,000 customers, then one
failure and one grant per row, in SQL (`generate_series`), spread evenly over
the last 104 weeks and inserted in time order (as the counter writes them): about 115,000 grants fall in the dashboard's default 12
weeks. 5% are voided; 3% are escalations answered 10 minutes to 6 hours later;
every other failure was logged 0-20 minutes before its grant. A few thousand
anomaly flags, rule flags and escalations fill the monthly report. The rows
bypass the services (no journal, no history): they exist to be read.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from compensation.models import PolicyVersion  # noqa: E402
from recovery.models import Customer, Location, StaffProfile  # noqa: E402

N_LOCATIONS = 40
STAFF_PER_LOCATION = 10
N_CUSTOMERS = 100_000
WEEKS = 104


def _locations_and_staff() -> None:
    User = get_user_model()
    frontline = Group.objects.get(name="frontline")
    for i in range(N_LOCATIONS):
        location, _ = Location.objects.get_or_create(
            code=f"insight-{i + 1:02d}",
            defaults={"name": f"Insight Store {i + 1:02d}", "timezone": "Europe/London"},
        )
        for j in range(STAFF_PER_LOCATION):
            user, created = User.objects.get_or_create(
                username=f"insight-{i + 1:02d}-{j + 1:02d}",
                defaults={"first_name": f"Staff{j + 1:02d}", "last_name": f"Store{i + 1:02d}"},
            )
            if created:
                user.set_unusable_password()
                user.save()
                user.groups.add(frontline)
                StaffProfile.objects.create(user=user).locations.add(location)


def _customers() -> None:
    missing = N_CUSTOMERS - Customer.objects.filter(name__startswith="Insight customer").count()
    if missing > 0:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO recovery_customer (name, phone, email, loyalty_card, customer_since, created_at)
                SELECT 'Insight customer ' || g, '', '', '', DATE '2020-01-01' + (g %% 1500), now()
                FROM generate_series(1, %s) g
                """,
                [missing],
            )


GRANTS_SQL = """
CREATE TEMP TABLE insight_draws AS
SELECT g,
       staff.location_id,
       staff.user_id,
       staff.username,
       %(first_customer)s + hashint(g * 7) %% %(customers)s AS customer_id,
       playbooks.ids[1 + (hashint(g * 13) %% array_length(playbooks.ids, 1))] AS playbook_id,
       (ARRAY['waiting','order_wrong','product_defective','repeat_repair','appointment_moved',
              'missed_promise','staff_behaviour','billing','other'])[1 + (hashint(g * 17) %% 9)] AS category,
       round((5 + (hashint(g * 19) %% 4000) / 100.0)::numeric, 2) AS amount,
       now() - make_interval(secs => (hashint(g * 23) %% (%(weeks)s * 7 * 86400))) AS granted_at,
       CASE WHEN hashint(g * 29) %% 100 < 3
            THEN make_interval(secs => 600 + hashint(g * 31) %% 21000)
            ELSE make_interval(secs => hashint(g * 31) %% 1200) END AS resolution,
       hashint(g * 37) %% 100 < 5 AS voided
FROM generate_series(1, %(grants)s) g
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM compensation_playbook WHERE is_active) playbooks
JOIN (
    SELECT row_number() OVER (ORDER BY u.id) - 1 AS n, u.id AS user_id, u.username, pl.location_id
    FROM auth_user u
    JOIN recovery_staffprofile p ON p.user_id = u.id
    JOIN recovery_staffprofile_locations pl ON pl.staffprofile_id = p.id
    WHERE u.username LIKE 'insight-%%'
) staff ON staff.n = g %% %(staff)s;

CREATE TEMP TABLE insight_rows AS
SELECT row_number() OVER (ORDER BY granted_at, g) AS seq, * FROM insight_draws ORDER BY granted_at, g;

INSERT INTO recovery_servicefailure (id, category, purchase_value, note, logged_at, customer_id, location_id, logged_by_id)
SELECT %(offset)s + seq, category, amount * 4, '', granted_at - resolution, customer_id, location_id, user_id
FROM insight_rows ORDER BY seq;

INSERT INTO recovery_grant (
    playbook_name, playbook_kind, currency, amount, cap, purchase_value, category, failure_logged_at,
    tenure_months, tenure_tier,
    authority_role, authority_limit, cap_steps, policy_snapshot, granted_by_username, granted_at, token,
    request_fingerprint, status, voided_at, void_reason, customer_id, granted_by_id, playbook_id,
    voided_by_id, location_id, failure_id, limit_notes, policy_version_id)
SELECT pb.name, pb.kind, 'EUR', r.amount, r.amount, r.amount * 4, r.category, r.granted_at - r.resolution,
       24, 'Regular',
       'frontline', 100, '[]', '{}', r.username, r.granted_at, gen_random_uuid(),
       '', CASE WHEN r.voided THEN 'voided' ELSE 'active' END,
       CASE WHEN r.voided THEN r.granted_at + interval '1 day' END,
       CASE WHEN r.voided THEN 'bench' ELSE '' END,
       r.customer_id, r.user_id, r.playbook_id, CASE WHEN r.voided THEN r.user_id END, r.location_id,
       %(offset)s + r.seq, '[]', %(version)s
FROM insight_rows r JOIN compensation_playbook pb ON pb.id = r.playbook_id ORDER BY r.seq;

INSERT INTO recovery_anomalyflag (kind, reason, figures, raised_at, dedupe_key, outcome, outcome_note, reviewed_at,
                                  customer_id, location_id)
SELECT (ARRAY['customer_across_locations','employee_above_peers','at_cap_repeatedly','new_customer',
              'void_after_the_fact'])[1 + hashint(g * 41) %% 5],
       'bench', '{}', granted_at, 'insight-bench-' || g,
       (ARRAY['', 'fine', 'talked', 'other'])[1 + hashint(g * 43) %% 4], '',
       CASE WHEN hashint(g * 43) %% 4 > 0 THEN granted_at + interval '2 days' END,
       customer_id, location_id
FROM insight_rows WHERE g %% 200 = 0;

INSERT INTO recovery_ruleflag (rule, note, raised_at, status, handled_note, location_id, raised_by_id)
SELECT (ARRAY['playbook_cap','authority','customer_limit','location_budget','missing_playbook','other'])
           [1 + hashint(g * 47) %% 6],
       'bench', granted_at, CASE WHEN g %% 3 = 0 THEN 'handled' ELSE 'open' END, '', location_id, user_id
FROM insight_rows WHERE g %% 400 = 0;
"""

HASHINT_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.hashint(bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtextextended($1::text, 7)) $$;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=1_000_000)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "PostgreSQL only: point DATABASE_URL at it"
    started = time.monotonic()
    with transaction.atomic():
        _locations_and_staff()
        _customers()
        version = PolicyVersion.objects.order_by("-number").values_list("id", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM recovery_servicefailure")
            offset = cursor.fetchone()[0] + 1_000
            # The generated customers have consecutive ids (one INSERT … generate_series).
            cursor.execute("SELECT min(id), count(*) FROM recovery_customer WHERE name LIKE 'Insight customer %%'")
            first_customer, customers = cursor.fetchone()
            cursor.execute(HASHINT_SQL)
            sql = GRANTS_SQL.replace("hashint(", "pg_temp.hashint(")
            params = {
                "grants": args.grants,
                "weeks": WEEKS,
                "staff": N_LOCATIONS * STAFF_PER_LOCATION,
                "offset": offset,
                "version": version,
                "first_customer": first_customer,
                "customers": customers,
            }
            for statement in sql.split(";\n"):
                if statement.strip():
                    cursor.execute(statement, params)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('recovery_servicefailure', 'id'), max(id)) FROM recovery_servicefailure"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{args.grants} grants in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
